/* stats.h - arithmetic over measurements: order statistics, means, spread. No I/O. */
#ifndef CCB_STATS_H
#define CCB_STATS_H

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

#endif
