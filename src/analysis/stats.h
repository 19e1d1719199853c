/* SPDX-License-Identifier: MIT */
/* stats.h - arithmetic over measurements: order statistics, means, spread. No I/O. */
#ifndef CCB_STATS_H
#define CCB_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct summary {
	size_t n;
	double min, max, mean, median, stddev;	/* stddev with n - 1; 0 for n < 2 */
	double cv;				/* stddev / mean, 0 when mean is 0 */
};

/*
 * The q-quantile (0..1) of sorted[0..n), interpolated linearly between order statistics
 * (numpy's default "linear" method). n must be > 0.
 */
double stats_quantile_sorted(const double *sorted, size_t n, double q);

/* Sort v in place (ascending). */
void stats_sort(double *v, size_t n);

/* Summary of v[0..n) (v is not modified). n == 0 gives all zeros. */
void stats_summarize(const double *v, size_t n, struct summary *s);

/*
 * Confidence interval of the median, distribution-free (order statistics). With X ~ Bin(n, 1/2),
 * the interval [x_(k), x_(n-k+1)] of the sorted sample holds the population median with
 * probability 1 - 2 P(X < k), whatever the (continuous) distribution of the measurements: no
 * normality is assumed, which suits throughputs that are skewed by a slow run or two. k is the
 * largest rank with P(X < k) <= (1 - level) / 2, so the achieved coverage is at least the level
 * asked for, and usually above it because the binomial is discrete.
 *
 * When n is too small for any rank to reach the level (the coverage of [min, max] is
 * 1 - 2 * 0.5^n, e.g. 93.75 % at n = 5; so n <= 5 at 95 %, n <= 7 at 99 %), the interval is
 * [min, max] with that lower coverage and below_level set: it is all the data can say, and a
 * reader must not call it a 95 % interval.
 *
 * Examples at 95 %: n = 6: [x1, x6], 96.9 %; n = 9: [x2, x8], 96.1 %; n = 10: [x2, x9], 97.9 %;
 * n = 20: [x6, x15], 95.9 %. n = 1 gives [x1, x1] with coverage 0.
 */
struct median_ci {
	double low, high;	/* x_(k) and x_(n-k+1) */
	double coverage;	/* achieved, 0..1 */
	size_t k;		/* rank of low, from 1; high is rank n - k + 1 */
	bool below_level;	/* n too small for the level: [min, max] at a lower coverage */
};

/*
 * The ranks alone, for n values: fills k, coverage and below_level of ci (low and high are
 * zeroed). Lets a planner see what n repeats would give before running them.
 * Returns 0, or -EINVAL when n is 0 or level is not within (0, 1).
 */
int stats_median_ci_rank(size_t n, double level, struct median_ci *ci);

/* The interval of v[0..n) (v is not modified). Returns 0, or -EINVAL as above. */
int stats_median_ci(const double *v, size_t n, double level, struct median_ci *ci);

/*
 * The smallest n whose interval reaches level (6 at 95 %, 5 at 90 %, 8 at 99 %); 0 when level is
 * not within (0, 1).
 */
size_t stats_median_ci_min_n(double level);

/*
 * Mann-Whitney U test of two independent samples a[0..na) and b[0..nb), two-sided: does one
 * tend to give larger values than the other? No distribution is assumed, which suits a handful
 * of throughputs with an occasional slow run. u is U of a: the number of pairs (a_i, b_j) with
 * a_i > b_j, ties counting one half; u = na * nb / 2 when neither side tends higher.
 *
 * Without ties and with na * nb <= STATS_MWU_EXACT_MAX_PAIRS the p-value is exact (the null
 * distribution of U counted over all C(na + nb, na) orderings, as scipy's method="exact");
 * otherwise it is the normal approximation with the tie correction of the variance and a
 * continuity correction of 0.5 (scipy's method="asymptotic"). With 5 runs a side the exact
 * p-value can go down to 2/252 = 0.0079, so 5 repeats can show a difference at alpha 0.05.
 *
 * Known answers (scipy.stats.mannwhitneyu docs): a = {19, 22, 16, 29, 24}, b = {20, 11, 17, 12}:
 * u = 17, exact p = 0.1111, asymptotic p = 0.1113.
 */
#define STATS_MWU_EXACT_MAX_PAIRS 400

struct mann_whitney {
	double u;		/* U of a */
	double p;		/* two-sided p-value, 0..1 */
	double z;		/* the normal deviate (0 when exact) */
	bool exact;		/* p from the exact distribution */
	bool ties;		/* some values appear more than once */
};

/* Returns 0, or -EINVAL when na or nb is 0. */
int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		       struct mann_whitney *r);

#endif
