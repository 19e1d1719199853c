/* SPDX-License-Identifier: MIT */
/* stats.c - arithmetic over measurements: order statistics, means, spread. No I/O. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"
#include "lib/util.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return (x > y) - (x < y);
}

void stats_sort(double *v, size_t n)
{
	if (n > 1)
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

/*
 * Slack for comparing a binomial tail with (1 - level) / 2: both are rounded (0.025 is not exact
 * in binary), and a tail that equals the bound, as 1/32 does for 93.75 %, must count as reaching
 * it.
 */
#define CI_SLACK 1e-12

int stats_median_ci_rank(size_t n, double level, struct median_ci *ci)
{
	const double half_alpha = (1.0 - level) / 2.0;
	double log_term = -(double)n * M_LN2;	/* log of C(n, 0) / 2^n */
	double tail = 0;			/* P(X < k) */
	size_t k = 0;

	memset(ci, 0, sizeof(*ci));
	if (!n || !(level > 0 && level < 1))
		return -EINVAL;
	/*
	 * Add the terms C(n, i) / 2^n while the tail stays within half_alpha. The terms are
	 * computed as logarithms, so a large n does not underflow 2^-n to zero. Ranks stop at the
	 * middle: beyond it low would pass high.
	 */
	for (size_t i = 0; i < (n + 1) / 2; i++) {
		const double next = tail + exp(log_term);

		if (next > half_alpha + CI_SLACK)
			break;
		tail = next;
		k = i + 1;
		log_term += log((double)(n - i)) - log((double)(i + 1));
	}
	if (!k) {
		ci->k = 1;
		ci->coverage = 1.0 - 2.0 * exp(-(double)n * M_LN2);
		ci->below_level = true;
	} else {
		ci->k = k;
		ci->coverage = 1.0 - 2.0 * tail;
	}
	return 0;
}

int stats_median_ci(const double *v, size_t n, double level, struct median_ci *ci)
{
	double *sorted;
	const int ret = stats_median_ci_rank(n, level, ci);

	if (ret)
		return ret;
	sorted = xmalloc(n * sizeof(*sorted));
	memcpy(sorted, v, n * sizeof(*sorted));
	stats_sort(sorted, n);
	ci->low = sorted[ci->k - 1];
	ci->high = sorted[n - ci->k];
	free(sorted);
	return 0;
}

size_t stats_median_ci_min_n(double level)
{
	struct median_ci ci;

	if (!(level > 0 && level < 1))
		return 0;
	/* [min, max] covers 1 - 2^(1-n): it passes any level below 1 within 60 or so steps. */
	for (size_t n = 1;; n++) {
		stats_median_ci_rank(n, level, &ci);
		if (!ci.below_level)
			return n;
	}
}

/*
 * The number of orderings of m a's and n b's whose U is exactly u, for every u in 0..m*n, by the
 * recurrence f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u): the largest value is an a (it
 * beats all n b's) or a b. Counts are doubles: C(40, 20) is exact in a double's 53 bits.
 */
static double *mwu_counts(size_t m, size_t n)
{
	const size_t w = m * n + 1;
	/* rows[i][j][u] flattened over i in 0..m, j in 0..n */
	double *f = xcalloc((m + 1) * (n + 1) * w, sizeof(*f));
	double *out;

#define F(i, j, u) f[((i) * (n + 1) + (j)) * w + (u)]
	for (size_t i = 0; i <= m; i++)
		for (size_t j = 0; j <= n; j++) {
			if (!i || !j) {
				F(i, j, 0) = 1;
				continue;
			}
			for (size_t u = 0; u <= i * j; u++) {
				double c = 0;

				if (u >= j)
					c += F(i - 1, j, u - j);
				if (u <= i * (j - 1))
					c += F(i, j - 1, u);
				F(i, j, u) = c;
			}
		}
	out = xmalloc(w * sizeof(*out));
	for (size_t u = 0; u < w; u++)
		out[u] = F(m, n, u);
#undef F
	free(f);
	return out;
}

int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
		       struct mann_whitney *r)
{
	const double nn = (double)(na + nb);
	const double mean = (double)na * (double)nb / 2.0;
	double u = 0;
	double tie_sum = 0;	/* sum of t^3 - t over groups of t equal values */
	double *all;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!na || !nb)
		return -EINVAL;
	for (i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			u += a[i] > b[j] ? 1.0 : a[i] == b[j] ? 0.5 : 0.0;
	r->u = u;

	all = xmalloc((na + nb) * sizeof(*all));
	memcpy(all, a, na * sizeof(*all));
	memcpy(all + na, b, nb * sizeof(*all));
	stats_sort(all, na + nb);
	for (i = 0; i < na + nb;) {
		size_t k = i + 1;

		while (k < na + nb && all[k] == all[i])
			k++;
		if (k - i > 1) {
			const double t = (double)(k - i);

			tie_sum += t * t * t - t;
			r->ties = true;
		}
		i = k;
	}
	free(all);

	if (!r->ties && na * nb <= STATS_MWU_EXACT_MAX_PAIRS) {
		/* p = 2 P(U >= max(u, mn - u)), the distribution being symmetric */
		double *cnt = mwu_counts(na, nb);
		const size_t mn = na * nb;
		const double hi = u > (double)mn - u ? u : (double)mn - u;
		double total = 0;
		double tail = 0;

		for (size_t k = 0; k <= mn; k++) {
			total += cnt[k];
			if ((double)k >= hi)
				tail += cnt[k];
		}
		free(cnt);
		r->p = 2.0 * tail / total;
		r->exact = true;
	} else {
		const double var = (double)na * (double)nb / 12.0 *
				   ((nn + 1.0) - tie_sum / (nn * (nn - 1.0)));
		const double d = fabs(u - mean);

		if (var <= 0) {
			r->p = 1.0;	/* every value equal: nothing tells the sides apart */
		} else {
			r->z = (d - 0.5 > 0 ? d - 0.5 : 0) / sqrt(var);
			r->p = erfc(r->z / M_SQRT2);
			if (u < mean)
				r->z = -r->z;
		}
	}
	if (r->p > 1.0)
		r->p = 1.0;
	return 0;
}
