/*
 * bench.h - one measured run: clean the scratch copy, make the cache cold and check it, copy
 * with the pool, sync, optionally verify, and describe it all as a JSON run object.
 *
 * run (and later sweep) call bench_run() once per cell and repeat; bench_begin() does what comes
 * once per session: resolving paths, listing the dataset, the results document, the scratch dir.
 */
#ifndef CCB_BENCH_H
#define CCB_BENCH_H

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
	double sample_interval;		/* seconds between sampler readings; 0: no sampler */
	bool samples_csv;		/* samples/run-<seq>.csv instead of .json */
	double min_run_s;		/* a run shorter than this is "too short"; <= 0: no check */
	const char *sysroot;		/* the sampler's /proc and /sys prefix (tests); NULL: live */
	json_t *params;			/* the echo of the options (reference taken) */
	const struct bench_nodes_config *nodes;	/* across nodes (rank 0); NULL: this node */
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
	bool warned_fadvise;
	bool said_short;		/* "too short" was said once: later runs record it quietly */
	unsigned seq;			/* runs started so far in this session */
	size_t recorded;		/* runs this session added to results.json */
	struct pool_progress progress;	/* files and bytes of the run in progress (progress lines) */
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

/*
 * Finish: whole-session warnings, final write, remove the scratch directory (unless --keep).
 * A resumed session that recorded no run leaves results.json as it found it. The results stay
 * in b->res for printing. Returns 0 or 1.
 */
int bench_end(struct bench *b);
/* Free everything b holds (a scratch directory still held is released, not removed). */
void bench_release(struct bench *b);

/* results.json's "host" and "tool" objects, for other documents of the same schema (watch). */
json_t *bench_host_json(void);
json_t *bench_tool_json(void);

#endif
