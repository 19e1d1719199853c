/* SPDX-License-Identifier: MIT */
/*
 * bench.h - one measured run: clean the scratch copy, make the cache cold and check it, copy
 * with the pool, sync, optionally verify, and describe it all as a JSON run object.
 *
 * run (and later sweep) call bench_run() once per cell and repeat; bench_begin() does what comes
 * once per session: resolving paths, listing the dataset, the results document, the scratch dir.
 */
#ifndef CCB_BENCH_H
#define CCB_BENCH_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "bench/results.h"
#include "bench/scratch.h"
#include "copy/pool.h"
#include "copy/strategy.h"
#include "dataset/dataset.h"

/* `run` flags runs shorter than this; `sweep` has --min-run (3 s). */
#define BENCH_MIN_RUN_S 1.0

/* What a run is doing now, for the live line (struct bench's phase; bench_phase_name()). */
enum bench_phase {
	BENCH_PHASE_IDLE,
	BENCH_PHASE_CLEANING,		/* emptying the scratch copy of the last run */
	BENCH_PHASE_DROPPING,		/* dropping the page cache (or evicting the files) */
	BENCH_PHASE_SETTLING,		/* waiting for dirty pages and device queues, residency */
	BENCH_PHASE_COPYING,
	BENCH_PHASE_SYNCING,		/* syncfs of the copy: still inside the run's clock */
	BENCH_PHASE_VERIFYING,		/* --verify */
	BENCH_PHASE_RECORDING,		/* the run's JSON and results.json */
};

/* "copying", "dropping caches", ... ("preparing" between runs); "" for an unknown value. */
const char *bench_phase_name(int phase);

/* Raised by SIGINT/SIGTERM (the signal number); polled between files and between steps. */
extern volatile sig_atomic_t bench_stop_signal;
void bench_install_signal_handlers(void);

/*
 * A run or sweep across the ranks of an MPI job, one rank a node (bench_config.nodes, on rank 0;
 * NULL: this node alone). Rank 0 lists the set, plans, and sends every run to the other ranks;
 * each copies into a scratch directory of its own in DST, cold, and they start together.
 */
struct bench_nodes_config {
	bool split;			/* --node-files split: each node copies its share of the set */
	bool allow_shared_host;		/* --allow-shared-host: several ranks on one host allowed */
	unsigned max_nodes;		/* the most nodes a run uses: a spec's nodes 0 means these */
	/* The strategies of the session: every node checks that they can run there. */
	const struct copy_strategy *const *strategies;
	size_t nr_strategies;
};

/* The session across nodes, while it lasts (bench_int.h). */
struct bench_nodes;

struct bench_config {
	const char *src;
	const char *dst;
	const char *out;		/* results folder, NULL for the default */
	bool resume;			/* continue the session whose results.json is in out */
	bool dry_run;			/* no results folder: results.json is neither made nor
					   written (a resumed one is read only); runs only probe */
	const char *label;		/* for the default results folder name */
	unsigned dataset_flags;		/* enum dataset_flags */
	const char *files_list;		/* --files: the stacks a list names (src: their project) */
	const char *project_dir;	/* --project-dir: where a .star/.cs/list's paths start */
	const char *sample;		/* --sample N (stacks) or P% (of the bytes); NULL: all */
	size_t bs;			/* strategy tuning, passed on in struct copy_job */
	/* Per strategies[] entry (strategy_index()): its options struct, copy_job.eo; or NULL */
	const void *const *eo;
	const char *source_url;		/* --source-url: copy from this HTTP(S) base (http strategy) */
	bool insecure;			/* --insecure */
	unsigned jobs;			/* copiers at once (0 or 1: one) */
	bool verify;
	bool require_drop;
	bool keep;
	const char *drop_path;		/* NULL: /proc/sys/vm/drop_caches */
	bool drop_files;		/* --drop files: evict only the set's pages (fadvise) */
	double sample_interval;		/* seconds between sampler readings; 0: no sampler */
	bool samples_csv;		/* samples/run-<seq>.csv instead of .json */
	double min_run_s;		/* a run shorter than this is "too short"; <= 0: no check */
	const char *sysroot;		/* the sampler's /proc and /sys prefix (tests); NULL: live */
	json_t *params;			/* the echo of the options (reference taken) */
	const struct bench_nodes_config *nodes;	/* across nodes (rank 0); NULL: this node */
};

/*
 * Where a run's time outside its clock went, in seconds (results.json run.overhead_s): emptying
 * the scratch folder of the previous copy, writing back and dropping the page cache, waiting
 * for quiet devices, measuring the source's residency, starting the sampler, and writing
 * results.json after the run. Whatever else (the jobs, the sampler's stop, --verify, the
 * record) is "other"; all of them add up to the run's wall time minus seconds_durable.
 */
struct run_overhead {
	double t0;			/* now_mono() when the run started */
	double delete_s;
	double sync_s;
	double drop_s;
	double settle_s;
	double residency_s;
	double sampler_start_s;
	double results_write_s;
	/* The removal this run waited for, and its own seconds (overlapping the above). */
	bool bg_remove;
	double bg_remove_s;
};

struct bench {
	struct bench_config cfg;
	char *src;			/* canonical */
	char *dst;			/* canonical */
	struct dataset ds;
	size_t sample_of_files;		/* --sample: the set it was drawn from */
	uint64_t sample_of_bytes;
	struct results res;
	struct scratch scratch;
	bool have_scratch;
	pthread_t remover;		/* removing the previous copy (run_clean_scratch) */
	bool removing;
	int remove_ret;
	double remove_s;		/* the removal's own seconds (set by its thread) */
	struct run_overhead ov;		/* the current run's time outside its clock */
	bool said_short;		/* "too short" was said once: later runs record it quietly */
	unsigned seq;			/* runs started so far in this session */
	size_t recorded;		/* runs this session added to results.json */
	size_t runs_at_begin;		/* runs results.json held at the start (--resume) */
	struct pool_progress progress;	/* files and bytes of the run in progress (progress lines) */
	atomic_int phase;		/* enum bench_phase of the run in progress (the live line) */
	atomic_uint_least64_t copy_started_ns;	/* CLOCK_MONOTONIC when its copy began */
	json_t **probe_out;		/* set while a probe runs: where its run object goes */
	struct bench_nodes *nodes;	/* a session across nodes (rank 0's or another rank's) */
	bool in_part;			/* measuring this node's part of a run across nodes */
	unsigned part_seq;		/* ... whose number is this */
};

/* What one run measures. */
struct bench_spec {
	const struct copy_strategy *strategy;
	unsigned threads;
	unsigned repeat;
	long plan_index;		/* the sweep plan's entry this run carries out; -1: none */
	/*
	 * More keys for the run object, set when it starts (so an aborted run has them too), e.g.
	 * a confirmation's { "role": "confirm", "pair": 3, "position": 1 }; NULL: none. Borrowed;
	 * it must not name the run's own keys.
	 */
	json_t *tags;
	const char *role;		/* "warmup", "probe": recorded, never counted; NULL: a
					   measurement of the grid (run_flag_role()) */
	unsigned nodes;			/* across nodes: ranks 0 .. nodes-1 copy at once, the others
					   wait (0: bench_nodes_config.max_nodes) */
};

/*
 * Check the arguments, list the dataset, create the results folder (written at once, so even a
 * session stopped before its first run leaves a valid results.json) and the scratch directory.
 * Returns 0, or 1 after printing one message naming the path and the reason.
 */
int bench_begin(struct bench *b, const struct bench_config *cfg);

/*
 * One run of strategy at nthreads. The run object is appended to results.json, which is written
 * atomically before this returns. Returns 0, 1 on a failed run (message printed; results kept),
 * or 130 + signal when stopped by a signal (the partial run recorded as aborted).
 */
int bench_run(struct bench *b, const struct copy_strategy *strategy, unsigned nthreads,
	      unsigned repeat);

/*
 * bench_run() for a spec. With probe not NULL the run is measured the same way but not recorded:
 * its run object is stored in *probe (the caller owns it) and results.json is not written.
 */
int bench_run_spec(struct bench *b, const struct bench_spec *spec, json_t **probe);

/* What a probe run copies at most to learn the speed (sweep --budget, --dry-run). */
#define BENCH_PROBE_BYTES (256ull << 20)

/* What an unrecorded probe run measured: the copy rate, and a run's cost around its clock. */
struct bench_rate {
	const struct copy_strategy *strategy;
	unsigned threads;
	uint64_t bytes;			/* copied (every job's) */
	size_t files;
	double seconds;			/* its durable time */
	double bytes_s;			/* bytes / seconds */
	double overhead;		/* seconds of the run outside its clock: cleaning, syncing,
					   dropping caches, settling, residency, verifying */
};

/*
 * One probe (bench_run_spec() with its run object not recorded) of a seeded, size-representative
 * sample of the set of about max_bytes (whole files; the whole set when smaller). Returns 0, 1
 * when the run failed or copied nothing measurable (message printed), or 128 + signal.
 */
int bench_probe(struct bench *b, const struct bench_spec *spec, uint64_t max_bytes, uint64_t seed,
		struct bench_rate *out);

/*
 * Finish: whole-session warnings, final write, remove the scratch directory (unless --keep).
 * A resumed session that recorded no run leaves results.json as it found it. The results stay
 * in b->res for printing. Returns 0 or 1.
 */
int bench_end(struct bench *b);
/* Free everything b holds (a scratch directory still held is released, not removed). */
void bench_release(struct bench *b);

/*
 * Nothing is written in SRC: out (the results folder; NULL: the default one below the current
 * folder) must lie outside src, and drop_path (the file written to drop the page cache; may be
 * NULL) outside src and dst, where only the scratch directory is written. Paths are resolved
 * as they are or will be once created. Returns 0, or 1 after one message naming both paths.
 */
int bench_check_outputs(const char *src, const char *dst, const char *out, const char *drop_path);

/* results.json's "host" and "tool" objects, for other documents of the same schema (watch). */
json_t *bench_host_json(void);
json_t *bench_tool_json(void);
/*
 * results.json's "destination" of path, the start of its "source": path, fs_type, mount_point,
 * mount_source, mount_options, devices, fs_size_bytes, fs_free_bytes (fs_type null when path
 * cannot be resolved).
 */
json_t *bench_location_json(const char *path);
/* {checked, of, sampled}: the MRC header checks of ds (results.json source.header_checks). */
json_t *bench_header_checks_json(const struct dataset *ds);

#endif
