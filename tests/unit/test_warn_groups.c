/* SPDX-License-Identifier: MIT */
/*
 * test_warn_groups.c - warnings grouped by kind: figures and quoted names normalised away,
 * every occurrence counted, the runs listed as ranges, no kind ever dropped.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/warn_groups.h"

static void test_kind(void **state)
{
	char a[256];
	char b[256];
	char small[8];

	(void)state;
	assert_string_equal(warn_kind("run lasted 0.42 s, under the minimum of 1 s", a, sizeof(a)),
			    "run lasted # s, under the minimum of # s");
	assert_string_equal(warn_kind("not cold: 12.5 % of the source", a, sizeof(a)),
			    warn_kind("not cold: 3 % of the source", b, sizeof(b)));
	assert_string_equal(warn_kind("cannot write '/r/samples/run-3.json': 'samples' is a link",
				      a, sizeof(a)),
			    "cannot write '*': '*' is a link");
	/* a full stop after a number is not a decimal point; an unmatched quote is kept */
	assert_string_equal(warn_kind("took 3. it's late", a, sizeof(a)), "took #. it's late");
	/* different words stay different kinds */
	assert_string_not_equal(warn_kind("syncfs of 'x' failed", a, sizeof(a)),
				warn_kind("cannot start the sampler", b, sizeof(b)));
	/* truncated, never overrun */
	assert_string_equal(warn_kind("abcdefghij", small, sizeof(small)), "abcdefg");
}

static void test_groups(void **state)
{
	json_t *g = json_array();
	char who[128];

	(void)state;
	for (long long seq = 3; seq <= 18; seq++) {
		char *msg;

		assert_true(asprintf(&msg, "run lasted 0.%lld s, under the minimum of 1 s", seq) > 0);
		assert_int_equal(warn_groups_add(g, msg, seq), (size_t)(seq - 2));
		free(msg);
	}
	assert_int_equal(warn_groups_add(g, "not cold: 40 % of the source", 5), 1);
	assert_int_equal(warn_groups_add(g, "not cold: 30 % of the source", 9), 2);
	assert_int_equal(warn_groups_add(g, "not cold: 20 % of the source", 9), 3);
	assert_int_equal(warn_groups_add(g, "not cold: 10 % of the source", 6), 4);
	assert_int_equal(warn_groups_add(g, "a session's note", 0), 1);
	assert_int_equal(warn_groups_add(g, "a session's note", 0), 2);
	assert_int_equal(json_array_size(g), 3);

	json_t *first = json_array_get(g, 0);

	assert_int_equal(json_integer_value(json_object_get(first, "count")), 16);
	assert_string_equal(json_string_value(json_object_get(first, "first")),
			    "run lasted 0.3 s, under the minimum of 1 s");
	assert_string_equal(warn_group_who(first, "", who, sizeof(who)), "16 runs (3-18)");

	/* runs in order of appearance, each once; four occurrences from three runs */
	json_t *cold = json_array_get(g, 1);

	assert_int_equal(json_integer_value(json_object_get(cold, "count")), 4);
	assert_string_equal(warn_group_who(cold, " failed", who, sizeof(who)),
			    "3 runs failed (5, 9, 6), 4 times");
	assert_string_equal(warn_group_who(json_array_get(g, 2), "", who, sizeof(who)), "2 times");
	json_decref(g);

	g = json_array();
	warn_groups_add(g, "one", 7);
	assert_string_equal(warn_group_who(json_array_get(g, 0), "", who, sizeof(who)), "run 7");
	warn_groups_add(g, "two", 1);
	warn_groups_add(g, "two", 2);
	warn_groups_add(g, "two", 3);
	warn_groups_add(g, "two", 5);
	assert_string_equal(warn_group_who(json_array_get(g, 1), "", who, sizeof(who)),
			    "4 runs (1-3, 5)");
	/* a short buffer is cut, not overrun */
	assert_string_equal(warn_group_who(json_array_get(g, 1), "", who, 8), "4 runs ");
	json_decref(g);
}

static void test_add_all(void **state)
{
	json_t *g = json_array();
	json_t *list = json_pack("[s, s, i]", "x 1", "x 2", 3);

	(void)state;
	warn_groups_add_all(g, list, 4);
	assert_int_equal(json_array_size(g), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(g, 0), "count")), 2);
	json_decref(list);
	json_decref(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_add_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
