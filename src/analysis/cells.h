/* SPDX-License-Identifier: MIT */
/*
 * cells.h - the runs of a results document grouped into cells, one per (strategy, threads, jobs,
 * and across nodes the node count),
 * each summarised: median and spread of the throughput, a confidence interval of the median, and
 * flags for figures that may mislead. Reads only the document; no I/O.
 */
#ifndef CCB_CELLS_H
#define CCB_CELLS_H

#include <stddef.h>
#include <jansson.h>

#define CELLS_TOLERANCE 0.03	/* default noise tolerance: 3 % */
#define CELLS_LEVEL 0.95	/* default confidence level of the median's interval */
#define CELLS_FEW_RUNS 3	/* fewer complete runs than this: flag "few_runs" */
#define CELLS_MIN_RUNS 5	/* the repeat rule's default: every cell gets this many runs */
#define CELLS_MAX_RUNS 15	/* ... and no cell more than this */

/* The emulation of CPython's shutil.copyfile and the real interpreter, for cells_ratios(). */
#define CELLS_EMULATION "shutil"
#define CELLS_INTERPRETER "cpython"

struct cells_params {
	/*
	 * A cell is "noisy" when its cv (stddev / mean) or its relative spread (CI half-width /
	 * median, see cells_rel_spread) is above this fraction.
	 */
	double tolerance;
	double level;		/* of the median's confidence interval, within (0, 1) */
};

/* The defaults: tolerance CELLS_TOLERANCE, level CELLS_LEVEL. */
void cells_params_init(struct cells_params *p);

/*
 * The cells of doc's "runs" (schema cryocache-bench/1), as a new JSON array; p NULL means the
 * defaults. A run belongs to the cell of its "strategy", "threads", "jobs" (absent: 1) and, a run
 * across nodes, "nodes" (absent: one node alone, a cell without "nodes"); a run
 * without a strategy or a thread count is ignored, and so is a run with a "role" (a warm-up,
 * probe or confirmation run: measured, but not one of the cell's repeats; run_flag_role()). A run that was aborted, has errors or has no
 * mb_s is not a measurement: it only adds to its cell's failed_runs. A cell whose runs all failed
 * is still listed, with runs 0, its statistics null and the flag "few_runs".
 *
 * Cells come in the order of their strategy's first appearance in "runs", then by threads, then
 * by jobs, then by nodes, ascending. Each cell is an object:
 *   strategy, threads, jobs        the cell
 *   nodes                          across nodes: the node count (absent for one node alone)
 *   runs, failed_runs              complete runs (the statistics use these) and the others
 *   median_mb_s, min_mb_s, max_mb_s, mean_mb_s, stddev_mb_s (n - 1), cv     of the runs' mb_s
 *   ci_low_mb_s, ci_high_mb_s      the median's confidence interval (stats_median_ci)
 *   ci_level, ci_coverage          the level asked for and the coverage achieved (lower than
 *                                  the level when there are too few runs: then [min, max])
 *   median_mb_s_copied             median of mb_s_copied (null when no run has one)
 *   not_cold_runs                  runs whose cold.cold is not true or residency_pct is null
 *   flags                          array of strings, in this order, when they apply:
 *     "noisy"     cv or relative spread above the tolerance
 *     "not_cold"  not_cold_runs > 0
 *     "few_runs"  fewer than CELLS_FEW_RUNS complete runs
 *     "short"     a run has a warning containing "too short"
 * Returns NULL only when p is invalid (tolerance < 0, level outside (0, 1)).
 */
json_t *cells_compute(json_t *doc, const struct cells_params *p);

/*
 * A cell's relative spread: the half-width of the median's confidence interval over the median,
 * (ci_high_mb_s - ci_low_mb_s) / 2 / median_mb_s. INFINITY when it is unknown (no complete run,
 * or a median of 0).
 */
double cells_rel_spread(json_t *cell);

/*
 * `sweep --repeats auto`: which cells get another run. Only the cells that decide the answer need
 * their median known well; a cell far below the best cannot become the answer, so a few runs are
 * enough to show that.
 */
struct cells_repeat_rule {
	double target;			/* relative spread to reach (cells_rel_spread), e.g. 0.025 */
	double tolerance;		/* "far below": CI high end < (1 - tolerance) x best median */
	size_t min_runs;		/* every cell gets this many runs, failed ones included */
	size_t max_runs;		/* and none gets more */
	const char *default_strategy;	/* its cell at default_threads always decides; NULL: none */
	long default_threads;
};

/* What cells_to_repeat() found, every cell in exactly one of these. */
struct cells_repeat_counts {
	size_t below_min;		/* fewer than min_runs runs: one more */
	size_t deciding;		/* deciding, not yet known to the target: one more */
	size_t settled;			/* deciding and known to the target at its level: done */
	size_t far_below;		/* far below its strategy's best: done at min_runs */
	size_t capped;			/* max_runs reached: done */
};

/* The defaults: target CELLS_TOLERANCE / 2, tolerance CELLS_TOLERANCE, min CELLS_MIN_RUNS,
 * max CELLS_MAX_RUNS, no default cell. */
void cells_repeat_rule_init(struct cells_repeat_rule *r);

/*
 * The cells that need one more run under rule r, as a new array of the cell objects themselves
 * (the same references as in cells), widest relative spread first (unknown first); empty when
 * every cell is done. Cell by cell, the first that applies:
 *   1. runs + failed_runs >= max_runs: done (a cell that keeps failing stops too);
 *   2. runs + failed_runs < min_runs: one more;
 *   3. far below the best of its strategy (and jobs, and nodes): ci_high_mb_s < (1 - tolerance) x the
 *      highest median_mb_s, and not the default cell (default_strategy at default_threads):
 *      done; it cannot be the answer;
 *   4. its relative spread is at most target and its interval reaches its level (ci_coverage
 *      >= ci_level: at least 6 runs at 95 %; the half-width of [min, max] over fewer runs
 *      would understate the uncertainty): done;
 *   5. else it decides the answer and is not known well enough yet: one more.
 * counts, when not NULL, receives how many cells ended in each case.
 *
 * The loop, in the sweep:
 *   cells = cells_compute(doc, &cp);
 *   todo = cells_to_repeat(cells, &rule, NULL);
 *   while (json_array_size(todo)) { one more run of each cell in todo (shuffled);
 *                                   recompute cells and todo }
 */
json_t *cells_to_repeat(json_t *cells, const struct cells_repeat_rule *r,
			struct cells_repeat_counts *counts);

/*
 * cells_to_repeat() with every cell deciding: no minimum, nothing far below, no default cell;
 * the cells still noisier than target (or short of their level) and under max_runs.
 */
json_t *cells_need_repeats(json_t *cells, double target, size_t max_runs);

/*
 * Two strategies side by side: at every thread count (and jobs) where both num and den have a
 * median, num's median over den's, as a new array in the order of num's cells (threads, then
 * jobs, ascending). Each element:
 *   threads, jobs
 *   numerator_mb_s, denominator_mb_s     the two medians
 *   ratio                                numerator_mb_s / denominator_mb_s
 *   ratio_low, ratio_high                the ratio's bounds from the two medians' intervals
 *                                        (num's low over den's high, num's high over den's
 *                                        low); null when an interval is unknown
 * Empty when either strategy has no complete cell. The report uses it for shutil over cpython:
 * the emulation's system calls against the real interpreter running the same copy, whose ratio
 * is the interpreter's own cost.
 */
json_t *cells_ratios(json_t *cells, const char *num, const char *den);

#endif
