/* test_stats.c - order statistics and spread against known answers (numpy's). */
#include "config.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantiles_match_numpy),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_small),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
