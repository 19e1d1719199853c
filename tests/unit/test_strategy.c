/* SPDX-License-Identifier: MIT */
/* test_strategy.c - the strategy table: the strategies a build runs, its stand-ins, their options. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "copy/strategy.h"
#include "lib/opt.h"

static size_t count(const struct copy_strategy *const *list)
{
	size_t n = 0;

	while (list[n])
		n++;
	return n;
}

/* strategy_at() walks the strategies that run, then the stand-ins; strategy_index() inverts it. */
static void test_order_and_index(void **state)
{
	const size_t nrun = count(strategies);
	const size_t nmissing = count(strategies_missing);

	for (size_t i = 0; i < nrun; i++)
		assert_ptr_equal(strategy_at(i), strategies[i]);
	for (size_t i = 0; i < nmissing; i++)
		assert_ptr_equal(strategy_at(nrun + i), strategies_missing[i]);
	assert_null(strategy_at(nrun + nmissing));
	for (size_t i = 0; i < nrun + nmissing; i++)
		assert_int_equal(strategy_index(strategy_at(i)), i);
	assert_int_equal(strategy_index(NULL), nrun + nmissing);
	/* uring and http are somewhere in every build: run, or stood in for */
	assert_true(strategy_index(&strategy_uring) < nrun + nmissing);
	assert_true(strategy_index(&strategy_http) < nrun + nmissing);
}

static void test_running_and_missing(void **state)
{
	for (const struct copy_strategy *const *s = strategies; *s; s++) {
		assert_null((*s)->missing);
		assert_non_null((*s)->summary);
		/* exactly one way to copy */
		assert_int_equal(!!(*s)->copy + !!(*s)->copy_many + !!(*s)->copy_all, 1);
		assert_ptr_equal(strategy_find((*s)->name), *s);
		assert_null(strategy_find_missing((*s)->name));
	}
	for (const struct copy_strategy *const *s = strategies_missing; *s; s++) {
		assert_non_null((*s)->missing);
		assert_null((*s)->copy);
		assert_null((*s)->copy_many);
		assert_null((*s)->copy_all);
		assert_null((*s)->thread_init);
		assert_null(strategy_find((*s)->name));
		assert_ptr_equal(strategy_find_missing((*s)->name), *s);
	}
#ifdef HAVE_LIBURING
	assert_ptr_equal(strategy_find("uring"), &strategy_uring);
#else
	assert_ptr_equal(strategy_find_missing("uring"), &strategy_uring);
#endif
	/* the real interpreter is in every build: it needs python3 only when it runs */
	assert_ptr_equal(strategy_find("cpython"), &strategy_cpython);
	assert_non_null(strategy_cpython.copy_all);
	assert_non_null(strategy_cpython.probe);
	assert_null(strategy_find("no-such"));
	assert_null(strategy_find_missing("no-such"));
}

/*
 * Every strategy's options share one command line with the others and with run's and sweep's:
 * no name may be taken twice, and each table's defaults must fill its struct.
 */
static void test_options(void **state)
{
	const char *seen[64];
	size_t nseen = 0;
	const struct copy_strategy *s;

	for (size_t i = 0; (s = strategy_at(i)); i++) {
		void *opts;
		json_t *echo;

		if (!s->options) {
			assert_int_equal(s->option_struct_size, 0);
			continue;
		}
		assert_true(s->option_struct_size > 0);
		for (const struct opt_def *def = s->options; def->name; def++) {
			for (size_t k = 0; k < nseen; k++)
				if (!strcmp(seen[k], def->name))
					fail_msg("--%s is an option of two strategies", def->name);
			assert_true(nseen < sizeof(seen) / sizeof(seen[0]));
			seen[nseen++] = def->name;
			assert_true(def->offset < s->option_struct_size);
		}
		opts = calloc(1, s->option_struct_size);
		assert_non_null(opts);
		options_defaults(s->options, opts);
		echo = options_to_json(s->options, opts);
		assert_non_null(echo);
		json_decref(echo);
		options_release(s->options, opts);
		free(opts);
	}
	assert_true(nseen >= 8);	/* qd, inflight, direct, reflink, and http's four */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_index),
		cmocka_unit_test(test_running_and_missing),
		cmocka_unit_test(test_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
