/* test_stats.c - order statistics and spread against known answers (numpy's). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "stats.h"

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
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
