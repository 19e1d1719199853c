/* SPDX-License-Identifier: MIT */
/*
 * sweep.h - the sweep engine: the plan (every strategy x thread count x repeat, in an order
 * shuffled by a seeded RNG), --budget's sample, --resume, --repeats auto, and the estimate of the
 * time left, shown on a live line.
 *
 * The command fills struct sweep_params from its options, then:
 *
 *	sweep_init(&sw, &params);
 *	if (bench_begin(&sw.b, &cfg) == 0) {
 *		status = resume ? sweep_resume(&sw) : sweep_plan(&sw);
 *		(write results.json)
 *		sweep_announce(&sw);
 *		status = sweep_run(&sw);
 *		bench_end(&sw.b);
 *	}
 *	sweep_release(&sw);
 *
 * Before the grid, sweep_run() makes --warmup runs of the set (recorded with "role": "warmup",
 * never counted); the first of them, or with --warmup 0 a run with "role": "probe", tells how
 * long a run lasts, and a set whose runs would be shorter than --min-run is said to be too small
 * once, in results.json's warnings and sweep.probe.
 */
#ifndef CCB_SWEEP_H
#define CCB_SWEEP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "analysis/live.h"
#include "bench/bench.h"
#include "copy/strategy.h"
#include "dataset/dataset.h"

/* What to sweep, as plain values (the caller's arrays must outlive sweep_plan()). */
struct sweep_params {
	const struct copy_strategy *const *strategies;
	size_t nr_strategies;
	const unsigned *threads;	/* counts above the set's number of files are dropped */
	size_t nr_threads;
	long repeats;			/* runs per cell */
	bool auto_repeats;		/* instead: repeats_min each, more for the deciding cells */
	long repeats_min;		/* auto: every cell gets this many runs */
	long repeats_max;		/* auto: at most this many runs per cell */
	double target_spread;		/* auto: the deciding cells' CI half-width to reach, % of
					   the median; 0: half the tolerance */
	double tolerance;		/* %: medians within it of the best are as good */
	long warmup;			/* uncounted runs of the set before the grid */
	double min_run_s;		/* a run shorter than this is mostly noise; 0: no check */
	long seed;			/* of the run order and the sample; 0: from the clock */
	double budget_s;		/* fit the sweep in this many seconds; 0: no budget */
	const char *budget;		/* the budget as given, for the warning that says so */
	bool quiet;			/* no live line */
	/* Across nodes (--nodes): every cell at each of these node counts; NULL: one node. */
	const unsigned *nodes;
	size_t nr_nodes;
};

/* One entry of the plan: a cell and its repeat number. */
struct sweep_entry {
	const struct copy_strategy *strategy;
	unsigned threads;
	unsigned repeat;
	unsigned nodes;			/* across nodes: how many copy at once; 0: one node */
};

/* The rule of --repeats auto, as the sweep applies it (recorded as results.json's sweep.auto). */
struct sweep_auto {
	long min_runs;
	long max_runs;
	double target_spread;		/* % */
	double tolerance;		/* % */
};

struct sweep {
	struct bench b;
	struct sweep_params p;
	json_t *doc;			/* results.json's "sweep" (borrowed) */
	bool auto_repeats;		/* --repeats auto (or the resumed sweep's) */
	struct sweep_auto rule;		/* with auto_repeats */
	struct dataset full;		/* the listed set when a sample is copied instead */
	bool sampled;
	uint64_t rng;
	struct sweep_entry *plan;
	size_t nr_plan, cap_plan;
	bool *skip;			/* resumed: plan entries that have a complete run */
	size_t nr_cells;		/* cells of the plan */
	size_t nr_deciding;		/* auto: cells assumed to decide the answer, for estimates */
	double started;			/* monotonic: the sweep's first run */
	double wall;			/* seconds sweep_run() took (the grid's) */
	double copy_seconds;		/* spent inside the runs' clocks */
	double run_seconds;		/* spent in runs, from their start to their end */
	struct bench_rate rates[2];	/* --budget's probes, slowest first (the same when one) */
	size_t nr_rates;
	size_t runs_timed;
	/* the live line: the ticker thread reads these while the runs go on */
	pthread_t ticker;
	bool ticking;
	atomic_bool stop_ticker;
	atomic_size_t current;		/* the entry running now */
	atomic_size_t done;		/* plan entries finished (or skipped when resuming) */
	atomic_uint_least64_t per_run_ms;	/* median time of a run so far + 1; 0: none yet */
	struct live_eta eta;		/* the runs' times, for per_run_ms */
};

/* Zero sw and keep a copy of p; then open the session with bench_begin(&sw->b, ...). */
void sweep_init(struct sweep *sw, const struct sweep_params *p);

/*
 * A new sweep: the plan, shuffled, as results.json's "sweep" (not written yet); with a budget,
 * probe runs, then a sample of the set that fits, never so small that its fastest run would be
 * under --min-run (fewer runs a cell instead, said so). Returns 0 or an exit status (message
 * printed).
 */
int sweep_plan(struct sweep *sw);

/*
 * Continue the sweep in the results.json bench_begin() opened: its plan, seed, sample and repeat
 * rule, after checking them against each other and the options it records (a damaged one is
 * refused with one message naming what is wrong); entries with a complete run are skipped.
 * Returns 0 or 1 (message printed).
 */
int sweep_resume(struct sweep *sw);

/*
 * Check a resumed results document's "sweep" against its "params" and "source": seed and
 * repeats in range, every plan entry a known strategy at a thread count of the grid, every cell
 * of --strategies x --threads (capped at the set's file count) planned, no entry twice, and every
 * counted run's plan_index in range, of its entry's cell and not carried out twice. Returns 0,
 * or -EINVAL with what is wrong in why.
 */
int sweep_check_doc(json_t *root, char *why, size_t len);

/*
 * Thread counts t[0..n) sorted, duplicates and counts above nr_files dropped (said unless quiet);
 * when none is left, nr_files itself. Returns how many are left.
 */
size_t sweep_cap_threads(unsigned *t, size_t n, size_t nr_files, bool quiet);

/* What --dry-run says of a planned (or resumed) sweep instead of running it. */
struct sweep_estimate {
	long pre_runs;			/* warm-up (or probe) runs before the grid */
	size_t runs;			/* plan entries left to run */
	size_t planned;			/* plan entries in all */
	size_t cells;
	size_t extra;			/* auto: more runs expected for the deciding cells */
	size_t most;			/* auto: at most this many runs of the grid in all */
	struct bench_rate slow, fast;	/* the probes' rates (the same when one probe ran) */
	size_t nr_probes;		/* probe runs that measured them */
	bool budget_probes;		/* they were --budget's */
	double per_run_s;		/* a run of the set, estimated */
	double total_s;			/* the runs before the grid, the grid and the extra ones */
};

/*
 * --dry-run, after sweep_plan() or sweep_resume(): the runs the sweep would make and the time
 * they would take, each run estimated as the mean of the probes' per-byte times for the set's
 * bytes (every job's) plus their mean cost around the clock. --budget's probes are used when it
 * ran them; else the same probes run now (one or two unrecorded runs of about 256 MiB: the
 * first strategy at its fewest and most threads). Returns 0, or the probes' status.
 */
int sweep_estimate(struct sweep *sw, struct sweep_estimate *e);

/* Say on stderr what the sweep will do: runs planned (and expected, with auto), warm-up, set. */
void sweep_announce(const struct sweep *sw);

/*
 * The warm-up (or probe) runs, the plan, then with auto repeats one more run for every cell that
 * decides the answer and is not known well enough yet, until none is (or --budget is spent).
 * Returns 0 or the first failed run's status.
 */
int sweep_run(struct sweep *sw);

/* Free what sw holds, the session included (the full set back in place of a sample). */
void sweep_release(struct sweep *sw);

#endif
