/* stats.c - arithmetic over measurements: order statistics, means, spread. No I/O. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "util.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return (x > y) - (x < y);
}

void stats_sort(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
}

double stats_quantile_sorted(const double *sorted, size_t n, double q)
{
	double pos;
	size_t lo;
	double frac;

	if (n == 1 || q <= 0)
		return sorted[0];
	if (q >= 1)
		return sorted[n - 1];
	pos = q * (double)(n - 1);
	lo = (size_t)floor(pos);
	frac = pos - (double)lo;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

void stats_summarize(const double *v, size_t n, struct summary *s)
{
	double *sorted;
	double sum = 0;
	double ss = 0;

	memset(s, 0, sizeof(*s));
	if (!n)
		return;
	sorted = xmalloc(n * sizeof(*sorted));
	memcpy(sorted, v, n * sizeof(*sorted));
	stats_sort(sorted, n);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	s->n = n;
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->mean = sum / (double)n;
	s->median = stats_quantile_sorted(sorted, n, 0.5);
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - s->mean) * (v[i] - s->mean);
	s->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
	s->cv = s->mean != 0 ? s->stddev / s->mean : 0;
	free(sorted);
}
