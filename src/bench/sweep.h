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
 *		status = sweep_run(&sw);
 *		bench_end(&sw.b);
 *	}
 *	sweep_release(&sw);
 */
#ifndef CCB_SWEEP_H
#define CCB_SWEEP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

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
	bool auto_repeats;		/* instead: start with a few, add to noisy cells */
	long repeats_max;		/* auto: at most this many runs per cell */
	double target_spread;		/* auto: the median's confidence half-width to reach, % */
	long seed;			/* of the run order and the sample; 0: from the clock */
	double budget_s;		/* fit the sweep in this many seconds; 0: no budget */
	const char *budget;		/* the budget as given, for the warning that says so */
	bool quiet;			/* no live line */
};

/* One entry of the plan: a cell and its repeat number. */
struct sweep_entry {
	const struct copy_strategy *strategy;
	unsigned threads;
	unsigned repeat;
};

struct sweep {
	struct bench b;
	struct sweep_params p;
	json_t *doc;			/* results.json's "sweep" (borrowed) */
	bool auto_repeats;		/* --repeats auto (or the resumed sweep's) */
	struct dataset full;		/* the listed set when a sample is copied instead */
	bool sampled;
	uint64_t rng;
	struct sweep_entry *plan;
	size_t nr_plan, cap_plan;
	bool *skip;			/* resumed: plan entries that have a complete run */
	size_t done;			/* plan entries finished (or skipped when resuming) */
	size_t current;			/* the entry running now */
	double started;			/* monotonic: the sweep's first run */
	double wall;			/* seconds sweep_run() took */
	double copy_seconds;		/* spent inside the runs' clocks */
	double run_seconds;		/* spent in runs, from their start to their end */
	size_t runs_timed;
	/* the live line */
	pthread_t ticker;
	bool ticking;
	volatile bool stop_ticker;
};

/* Zero sw and keep a copy of p; then open the session with bench_begin(&sw->b, ...). */
void sweep_init(struct sweep *sw, const struct sweep_params *p);

/*
 * A new sweep: the plan, shuffled, as results.json's "sweep" (not written yet); with a budget,
 * one probe run, then a sample of the set that fits. Returns 0 or an exit status (message
 * printed).
 */
int sweep_plan(struct sweep *sw);

/*
 * Continue the sweep in the results.json bench_begin() opened: its plan, seed, sample and repeat
 * mode; entries with a complete run are skipped. Returns 0 or 1 (message printed).
 */
int sweep_resume(struct sweep *sw);

/*
 * Run the plan, then with auto repeats one more run for every cell still too noisy until none is.
 * Returns 0 or the first failed run's status.
 */
int sweep_run(struct sweep *sw);

/* Free what sw holds, the session included (the full set back in place of a sample). */
void sweep_release(struct sweep *sw);

#endif
