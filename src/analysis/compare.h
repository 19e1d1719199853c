/* SPDX-License-Identifier: MIT */
/*
 * compare.h - a baseline results document against a current one, cell by cell, with noise taken
 * into account: the verdicts CI acts on, and what differs between the two environments. Pure:
 * reads two documents, returns a new one; no I/O.
 */
#ifndef CCB_COMPARE_H
#define CCB_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define COMPARE_SCHEMA "cryocache-bench-compare/1"
#define COMPARE_TOLERANCE 0.05	/* a change smaller than 5 % of the baseline's median is "same" */
#define COMPARE_ALPHA 0.05	/* significance level of the Mann-Whitney U test */
#define COMPARE_MIN_RUNS 5	/* fewer complete runs on a side: "insufficient" */

struct compare_params {
	double tolerance;	/* minimum effect, a fraction of the baseline's median */
	double alpha;		/* p below this: the two sides differ */
	size_t min_runs;	/* complete runs each side needs for a verdict */
};

/* The defaults above. */
void compare_params_init(struct compare_params *p);

/*
 * Compare the runs of two results documents (schema cryocache-bench/N, the same N). Returns a
 * new document, or NULL with the reason in why (a document without a schema or runs, different
 * schema versions, invalid parameters):
 *
 *   schema            COMPARE_SCHEMA
 *   tolerance, alpha, min_runs, test ("mann-whitney-u")
 *   cells             array, one per (strategy, threads, jobs) of either side, in strategy and
 *                     thread order: the strategies as the baseline's params list them
 *                     ("strategies", or a run's "strategy"), then the current's, then others
 *                     by name; then threads, then jobs, ascending; each:
 *     strategy, threads, jobs
 *     verdict         "faster", "same", "slower", "noisy" (the medians differ by the tolerance
 *                     or more, but p is not below alpha: too noisy to judge), "insufficient"
 *                     (fewer than min_runs complete runs on a side), "missing" (only in the
 *                     baseline), "new" (only current)
 *     baseline, current   {runs, failed_runs, not_cold_runs (of runs: flagged not cold,
 *                     run_flags.h), median_mb_s (null without runs), seconds (how long the
 *                     cell's runs took, their seconds_durable summed)}
 *     change_pct      (current median - baseline median) / baseline median x 100, or null
 *                     (no runs, or a baseline median of 0)
 *     p_value, u, exact   of the test, or null when it was not run
 *     not_cold        bool: a run of either side was not cold (counted, and said in reason)
 *     reason          one sentence
 *   environment       array of {key, baseline, current}: what differs that may explain a change
 *                     (kernel, mount options, filesystems, devices, dataset, tool version, ...)
 *   hardware          array of {key, baseline, current}: CPU model, cores, machine (absent
 *                     or null on a side: unknown, listed with null there), and device models
 *                     and NICs when both documents record them; a non-empty list means the
 *                     baseline is from other or unknown hardware
 *   counts            {faster, same, slower, noisy, insufficient, missing, new}
 *   regression        bool: at least one cell is "slower"
 * Runs that were aborted, have errors or have no mb_s are not measurements (as in cells.h); runs
 * with a "role" (a sweep's confirmation) are not part of any cell.
 */
json_t *compare_docs(json_t *baseline, json_t *current, const struct compare_params *p, char *why,
		     size_t len);

/*
 * A copy of a comparison with its reals rounded to what they mean, for output (no
 * 0.050000000000000003): MB/s to 0.1, change_pct to 0.01, u and seconds to 0.001, anything else
 * (p values, tolerance, alpha) to 4 significant digits. Dump it with JSON_REAL_PRECISION(15).
 */
json_t *compare_rounded(json_t *cmp);

#endif
