/*
 * cells.h - the runs of a results document grouped into cells, one per (strategy, threads, jobs),
 * each summarised: median and spread of the throughput, a confidence interval of the median, and
 * flags for figures that may mislead. Reads only the document; no I/O.
 */
#ifndef CCB_CELLS_H
#define CCB_CELLS_H

#include <stddef.h>
#include <jansson.h>

#define CELLS_TOLERANCE 0.05	/* default noise tolerance: 5 % */
#define CELLS_LEVEL 0.95	/* default confidence level of the median's interval */
#define CELLS_FEW_RUNS 3	/* fewer complete runs than this: flag "few_runs" */

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
 * defaults. A run belongs to the cell of its "strategy", "threads" and "jobs" (absent: 1); a run
 * without a strategy or a thread count is ignored, and so is a run with a "role" (a sweep's
 * confirmation: not a measurement of the grid, see run_flag_role()). A run that was aborted, has
 * errors or has no mb_s is not a measurement: it only adds to its cell's failed_runs. A cell whose
 * runs all failed is still listed, with runs 0, its statistics null and the flag "few_runs".
 *
 * Cells come in the order of their strategy's first appearance in "runs", then by threads, then
 * by jobs, ascending. Each cell is an object:
 *   strategy, threads, jobs        the cell
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
 * For `sweep --repeats auto`: the cells whose median is not yet known well enough, so the sweep
 * can give them more runs. A cell needs more while
 *   - its relative spread is above target (e.g. 0.05: the median is known to +-5 %), or
 *   - its interval falls short of its level (ci_coverage < ci_level: fewer than 6 runs at 95 %;
 *     the half-width of [min, max] over 3 runs would understate the uncertainty),
 * and it has had fewer than max_runs runs, failed ones included, so a cell that keeps failing
 * stops too. Returns a new array holding the cell objects themselves (the same references as in
 * cells), widest relative spread first; it is empty when every cell is done or capped.
 *
 * The loop, in the sweep:
 *   cells = cells_compute(doc, &cp);
 *   todo = cells_need_repeats(cells, 0.05, 20);
 *   while (json_array_size(todo)) { one more run of each cell in todo (shuffled);
 *                                   recompute cells and todo }
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
