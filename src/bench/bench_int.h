/* SPDX-License-Identifier: MIT */
/*
 * bench_int.h - what the phases of one measured run share: bench.c runs them in order,
 * run_prepare.c makes the cache cold, run_copy.c copies under the clock, run_record.c fills the
 * run object and records it.
 */
#ifndef CCB_BENCH_INT_H
#define CCB_BENCH_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "copy/pool.h"
#include "sys/sampler.h"

struct bench;
struct bench_spec;

/* What the copy phase hands to the record phase. */
struct run_copy {
	struct pool_stats ps;
	struct sampler smp;
	bool sampling;			/* smp was started (and is stopped now) */
	double durable;			/* seconds from the first copy to the end of syncfs */
	int ret;			/* pool_run_jobs()'s: 0, -EINTR (stopped) or -errno */
};

/* Append a message to the run's "warnings" or "errors" and print it. */
void run_warn(json_t *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void run_error(json_t *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * run_prepare.c: empty the scratch directory: the previous copy is moved aside at once and
 * removed by a thread that run_wait_scratch() waits for (run_prepare() does, after the drop).
 * Both return 0, or 1 with the error in run.
 */
int run_clean_scratch(struct bench *b, json_t *run);
int run_wait_scratch(struct bench *b, json_t *run);
/*
 * run_prepare.c: move the finished run's copy aside and start removing it in the background (not
 * with --keep, nor once stopped); the next run_clean_scratch() or bench_join_remover() waits.
 */
void run_retire_copy(struct bench *b);
/* run_prepare.c: wait for a removal in the background, if any: 0 or its -errno. */
int bench_join_remover(struct bench *b);
/*
 * run_prepare.c: sync, make the page cache cold, wait for quiet devices, measure the residency of
 * the source and record it as run's "cold". Returns 0, or 1 when the run cannot go on (the
 * error in run, or stopped by a signal and marked aborted).
 */
int run_prepare(struct bench *b, const struct copy_strategy *strategy, json_t *run);

/* run_copy.c: the sampler, the copy of jobs by the pool with nthreads each, syncfs; into *rc. */
void run_copy(struct bench *b, const struct copy_job *jobs, unsigned njobs, unsigned nthreads,
	      json_t *run, struct run_copy *rc);

/* run_record.c: the run object with every key present (null until measured); seq 0 while a
 * probe runs (b->probe_out set). */
json_t *run_new(struct bench *b, const struct bench_spec *spec, unsigned njobs);
/*
 * run_record.c: what the copy measured into run; releases rc. Returns 0, or 1 when the copy failed
 * or was stopped.
 */
int run_record_copy(struct bench *b, const struct copy_strategy *strategy, struct run_copy *rc,
		    json_t *run);
/*
 * run_record.c: after a complete copy: the short-run warning, --verify, and the run line (unless
 * a probe). Returns 0, or 1 when run holds errors.
 */
int run_record_checks(struct bench *b, const struct copy_job *jobs, unsigned njobs,
		      double durable, json_t *run);
/*
 * run_record.c: append run to results.json and write it, or hand it to a probe's caller. Returns
 * status, 1 when results.json cannot be written, or 128 + signal when stopped by one.
 */
int run_finish(struct bench *b, json_t *run, int status);
/* run_record.c: the "too short" warning of a run that lasted durable seconds (not a probe's). */
void run_check_short(struct bench *b, double durable, json_t *run);
/* run_record.c: the line a finished run prints. */
void run_print_line(json_t *run);

/* ---- across nodes (bench_config.nodes; the ranks of an MPI job, bench/cluster.h) ---------- */

/* The session across nodes, on rank 0 and on every other rank. */
struct bench_nodes {
	int world;			/* ranks */
	json_t *hosts;			/* the host name of each rank, by rank */
	json_t *said;			/* the nodes' messages printed once already (rank 0) */
	json_t *hellos;			/* what each rank said of itself (rank 0) */
	uint64_t sent_print;		/* a fingerprint of the set the other ranks hold (rank 0) */
	bool split;			/* --node-files split */
	json_t *session;		/* the session as rank 0 sent it (the other ranks) */
};

/*
 * bench.c: this node's part of run seq across nodes (rank 0's and every other rank's): the
 * phases of a run with the barrier of all ranks between the cold cache and the copy, so every
 * node starts when all are cold; with --node-files split, this rank's share of the set. The part
 * gets "rank", "host" and "timing" (prepared_at_us, released_at_us, started_at_us: the wall
 * clock in microseconds; start_s, end_copied_s, end_durable_s: seconds from the barrier's
 * release on this node). A rank that takes
 * no part (rank >= nodes) only joins the barrier: *part NULL. Never recorded or printed here.
 * Returns 0, 1 when the part failed (or another rank failed before the copy), or 128 + signal.
 */
int bench_node_run(struct bench *b, const struct bench_spec *spec, unsigned seq, int rank,
		   json_t **part);

/* nodes.c: the session document rank 0 sends: paths, options, strategies, the set. */
json_t *nodes_session_doc(struct bench *b);
/*
 * nodes.c: what a rank says of itself when the session opens: rank, host, pid, whether it can
 * drop the page cache, a summary of diag for SRC and DST, and error: the reason it cannot take
 * part (NULL: none).
 */
json_t *nodes_hello(struct bench *b, int rank, const char *error);
/* nodes.c: set b->ds to the set of a "set" document. Returns 0 or -EINVAL with why. */
int nodes_take_set(struct bench *b, json_t *set, char *why, size_t len);

/*
 * run_nodes.c (rank 0): send the session to the other ranks and hear from each; refuse several
 * ranks on one host unless allowed; any rank that cannot take part ends the session. Prints one
 * message naming the host and the reason; returns 0 or 1.
 */
int nodes_open(struct bench *b);
/* run_nodes.c (rank 0): results.json's "cluster" and "nodes", after nodes_open(). */
void nodes_describe(struct bench *b);
/* run_nodes.c (rank 0): one run across nodes, recorded (bench_run_spec() for a session). */
int run_nodes(struct bench *b, const struct bench_spec *spec);

#endif
