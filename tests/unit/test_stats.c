/* SPDX-License-Identifier: MIT */
/* test_stats.c - order statistics and spread against known answers (numpy's). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "analysis/stats.h"

static void test_quantiles_match_numpy(void **state)
{
	/* numpy.percentile([1, 2, 3, 4, 10], [50, 90, 99]) = 3.0, 7.6, 9.76 */
	const double v[] = { 1, 2, 3, 4, 10 };

	assert_float_equal(stats_quantile_sorted(v, 5, 0.50), 3.0, 1e-12);
	assert_float_equal(stats_quantile_sorted(v, 5, 0.90), 7.6, 1e-12);
	assert_float_equal(stats_quantile_sorted(v, 5, 0.99), 9.76, 1e-12);
	assert_float_equal(stats_quantile_sorted(v, 5, 0.0), 1.0, 1e-12);
	assert_float_equal(stats_quantile_sorted(v, 5, 1.0), 10.0, 1e-12);
	assert_float_equal(stats_quantile_sorted(v, 1, 0.9), 1.0, 1e-12);
}

static void test_summary(void **state)
{
	/* Unsorted on purpose; numpy: median 225, mean 262.5, std(ddof=1) 94.648... */
	const double v[] = { 400, 200, 250, 200 };
	struct summary s;

	stats_summarize(v, 4, &s);
	assert_int_equal(s.n, 4);
	assert_float_equal(s.min, 200, 1e-12);
	assert_float_equal(s.max, 400, 1e-12);
	assert_float_equal(s.median, 225, 1e-12);
	assert_float_equal(s.mean, 262.5, 1e-12);
	assert_float_equal(s.stddev, 94.64847243000456, 1e-9);
	assert_float_equal(s.cv, 94.64847243000456 / 262.5, 1e-12);
	/* the input is left as it was */
	assert_float_equal(v[0], 400, 0);
}

static void test_summary_small(void **state)
{
	const double one = 7;
	struct summary s;

	stats_summarize(&one, 1, &s);
	assert_float_equal(s.median, 7, 0);
	assert_float_equal(s.stddev, 0, 0);
	stats_summarize(NULL, 0, &s);
	assert_int_equal(s.n, 0);
}

/*
 * The median's interval, against binomial tails computed by hand (exact fractions, checked with
 * python's math.comb). With X ~ Bin(n, 1/2) and alpha / 2 = 0.025, k is the largest rank with
 * P(X < k) <= 0.025 and the coverage is 1 - 2 P(X < k).
 */
static void test_median_ci_n5_below_level(void **state)
{
	/* P(X = 0) = 1/32 = 0.03125 > 0.025: no rank reaches 95 %; [min, max] covers 1 - 2/32 */
	const double v[] = { 50, 10, 40, 20, 30 };
	struct median_ci ci;

	assert_int_equal(stats_median_ci(v, 5, 0.95, &ci), 0);
	assert_true(ci.below_level);
	assert_int_equal(ci.k, 1);
	assert_float_equal(ci.low, 10, 0);
	assert_float_equal(ci.high, 50, 0);
	assert_float_equal(ci.coverage, 0.9375, 1e-12);
	/* at 90 % (alpha / 2 = 0.05) the same interval is enough: P(X < 1) = 1/32 <= 0.05, and
	 * P(X < 2) = 6/32 = 0.1875 is not */
	assert_int_equal(stats_median_ci(v, 5, 0.90, &ci), 0);
	assert_false(ci.below_level);
	assert_int_equal(ci.k, 1);
	assert_float_equal(ci.coverage, 0.9375, 1e-12);
}

static void test_median_ci_n6(void **state)
{
	/* P(X < 1) = 1/64 = 0.015625 <= 0.025; P(X < 2) = 7/64 = 0.109 is not: k = 1, [x1, x6],
	 * coverage 1 - 2/64 = 0.96875 */
	const double v[] = { 6, 1, 5, 2, 4, 3 };
	struct median_ci ci;

	assert_int_equal(stats_median_ci(v, 6, 0.95, &ci), 0);
	assert_false(ci.below_level);
	assert_int_equal(ci.k, 1);
	assert_float_equal(ci.low, 1, 0);
	assert_float_equal(ci.high, 6, 0);
	assert_float_equal(ci.coverage, 0.96875, 1e-12);
}

static void test_median_ci_n9(void **state)
{
	/* C(9, i) = 1, 9, 36: P(X < 2) = 10/512 = 0.01953 <= 0.025; P(X < 3) = 46/512 = 0.0898:
	 * k = 2, [x2, x8], coverage 1 - 20/512 = 0.9609375 */
	const double v[] = { 900, 100, 800, 200, 700, 300, 600, 400, 500 };
	struct median_ci ci;

	assert_int_equal(stats_median_ci(v, 9, 0.95, &ci), 0);
	assert_false(ci.below_level);
	assert_int_equal(ci.k, 2);
	assert_float_equal(ci.low, 200, 0);
	assert_float_equal(ci.high, 800, 0);
	assert_float_equal(ci.coverage, 0.9609375, 1e-12);
	/* the input is left as it was */
	assert_float_equal(v[0], 900, 0);
}

static void test_median_ci_n10(void **state)
{
	/* C(10, i) = 1, 10, 45: P(X < 2) = 11/1024 = 0.01074; P(X < 3) = 56/1024 = 0.0547:
	 * k = 2, [x2, x9], coverage 1 - 22/1024 = 0.978515625 */
	double v[10];
	struct median_ci ci;

	for (int i = 0; i < 10; i++)
		v[i] = 10 - i;	/* 10, 9, ..., 1 */
	assert_int_equal(stats_median_ci(v, 10, 0.95, &ci), 0);
	assert_int_equal(ci.k, 2);
	assert_float_equal(ci.low, 2, 0);
	assert_float_equal(ci.high, 9, 0);
	assert_float_equal(ci.coverage, 0.978515625, 1e-12);
}

static void test_median_ci_n20(void **state)
{
	/*
	 * C(20, i) = 1, 20, 190, 1140, 4845, 15504, 38760; cumulative 1, 21, 211, 1351, 6196,
	 * 21700, 60460 over 2^20 = 1048576. P(X < 6) = 21700/2^20 = 0.020695 <= 0.025;
	 * P(X < 7) = 60460/2^20 = 0.05766 is not: k = 6, [x6, x15], coverage
	 * 1 - 43400/1048576 = 0.9586105346679688. At 99 % (0.005): P(X < 4) = 1351/2^20 = 0.001288,
	 * P(X < 5) = 6196/2^20 = 0.00591: k = 4, coverage 1 - 2702/1048576 = 0.9974231719970703.
	 */
	double v[20];
	struct median_ci ci;

	for (int i = 0; i < 20; i++)
		v[i] = (i * 7) % 20 + 1;	/* 1..20, shuffled */
	assert_int_equal(stats_median_ci(v, 20, 0.95, &ci), 0);
	assert_false(ci.below_level);
	assert_int_equal(ci.k, 6);
	assert_float_equal(ci.low, 6, 0);
	assert_float_equal(ci.high, 15, 0);
	assert_float_equal(ci.coverage, 0.9586105346679688, 1e-12);
	assert_int_equal(stats_median_ci(v, 20, 0.99, &ci), 0);
	assert_int_equal(ci.k, 4);
	assert_float_equal(ci.low, 4, 0);
	assert_float_equal(ci.high, 17, 0);
	assert_float_equal(ci.coverage, 0.9974231719970703, 1e-12);
}

static void test_median_ci_edges(void **state)
{
	const double one = 7;
	struct median_ci ci;

	/* one run: the interval is the run itself and covers nothing */
	assert_int_equal(stats_median_ci(&one, 1, 0.95, &ci), 0);
	assert_true(ci.below_level);
	assert_float_equal(ci.low, 7, 0);
	assert_float_equal(ci.high, 7, 0);
	assert_float_equal(ci.coverage, 0, 1e-12);
	assert_int_equal(stats_median_ci(&one, 0, 0.95, &ci), -EINVAL);
	assert_int_equal(stats_median_ci(&one, 1, 1.0, &ci), -EINVAL);
	assert_int_equal(stats_median_ci(&one, 1, 0, &ci), -EINVAL);
	/* large n does not underflow 2^-n (2^-2000 is below any double): python's exact sum of
	 * math.comb(2000, i) / 2**2000 gives k = 956, coverage 0.9534471795082162 */
	assert_int_equal(stats_median_ci_rank(2000, 0.95, &ci), 0);
	assert_false(ci.below_level);
	assert_int_equal(ci.k, 956);
	assert_float_equal(ci.coverage, 0.9534471795082162, 1e-9);
	/* 1 - 2^(1-n) >= level: 6 at 95 %, 5 at 90 % (exactly 93.75 %), 8 at 99 % */
	assert_int_equal(stats_median_ci_min_n(0.95), 6);
	assert_int_equal(stats_median_ci_min_n(0.90), 5);
	assert_int_equal(stats_median_ci_min_n(0.9375), 5);
	assert_int_equal(stats_median_ci_min_n(0.99), 8);
	assert_int_equal(stats_median_ci_min_n(1.0), 0);
}

static void test_mann_whitney_scipy_docs(void **state)
{
	/* scipy.stats.mannwhitneyu(males, females): U 17, exact p 0.11111111111111 */
	const double males[] = { 19, 22, 16, 29, 24 };
	const double females[] = { 20, 11, 17, 12 };
	struct mann_whitney r;

	assert_int_equal(stats_mann_whitney(males, 5, females, 4, &r), 0);
	assert_float_equal(r.u, 17, 0);
	assert_true(r.exact);
	assert_false(r.ties);
	assert_float_equal(r.p, 1.0 / 9.0, 1e-12);
	/* from the other side: U = 20 - 17, the same p */
	assert_int_equal(stats_mann_whitney(females, 4, males, 5, &r), 0);
	assert_float_equal(r.u, 3, 0);
	assert_float_equal(r.p, 1.0 / 9.0, 1e-12);
}

static void test_mann_whitney_separated(void **state)
{
	/* five runs a side, all of one above all of the other: 2 / C(10, 5) = 2 / 252 */
	const double slow[] = { 900, 910, 905, 920, 915 };
	const double fast[] = { 1000, 1010, 990, 1020, 1005 };
	struct mann_whitney r;

	assert_int_equal(stats_mann_whitney(slow, 5, fast, 5, &r), 0);
	assert_float_equal(r.u, 0, 0);
	assert_float_equal(r.p, 2.0 / 252.0, 1e-12);
	assert_int_equal(stats_mann_whitney(fast, 5, slow, 5, &r), 0);
	assert_float_equal(r.u, 25, 0);
	assert_float_equal(r.p, 2.0 / 252.0, 1e-12);
}

static void test_mann_whitney_ties(void **state)
{
	/*
	 * Ties: the normal approximation with tie-corrected variance and continuity correction
	 * (scipy method="asymptotic"): U 4.5, var 25/12 * (11 - 12/90) = 22.2222, z 1.59099,
	 * p 0.1116117683.
	 */
	const double a[] = { 10, 20, 20, 30, 40 };
	const double b[] = { 20, 30, 50, 60, 70 };
	const double same[] = { 7, 7, 7 };
	struct mann_whitney r;

	assert_int_equal(stats_mann_whitney(a, 5, b, 5, &r), 0);
	assert_true(r.ties);
	assert_false(r.exact);
	assert_float_equal(r.u, 4.5, 0);
	assert_float_equal(r.z, -1.590990257669732, 1e-9);
	assert_float_equal(r.p, 0.11161176829829222, 1e-9);
	/* all equal: p 1 */
	assert_int_equal(stats_mann_whitney(same, 3, same, 3, &r), 0);
	assert_float_equal(r.p, 1.0, 0);
	assert_int_equal(stats_mann_whitney(a, 0, b, 5, &r), -EINVAL);
}

static void test_mann_whitney_large_asymptotic(void **state)
{
	/* 21 x 20 pairs: past the exact limit; interleaved samples give U near the middle */
	double a[21];
	double b[20];
	struct mann_whitney r;

	for (int i = 0; i < 21; i++)
		a[i] = 2 * i;
	for (int i = 0; i < 20; i++)
		b[i] = 2 * i + 1;
	assert_int_equal(stats_mann_whitney(a, 21, b, 20, &r), 0);
	assert_false(r.exact);
	/* pairs a > b: sum over i of i = 210; mean 210, so z 0 and p 1 */
	assert_float_equal(r.u, 210, 0);
	assert_float_equal(r.p, 1.0, 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantiles_match_numpy),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_small),
		cmocka_unit_test(test_median_ci_n5_below_level),
		cmocka_unit_test(test_median_ci_n6),
		cmocka_unit_test(test_median_ci_n9),
		cmocka_unit_test(test_median_ci_n10),
		cmocka_unit_test(test_median_ci_n20),
		cmocka_unit_test(test_median_ci_edges),
		cmocka_unit_test(test_mann_whitney_scipy_docs),
		cmocka_unit_test(test_mann_whitney_separated),
		cmocka_unit_test(test_mann_whitney_ties),
		cmocka_unit_test(test_mann_whitney_large_asymptotic),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
