/* SPDX-License-Identifier: MIT */
/*
 * test_cells.c - cells leave out runs with a role (warm-up, probe, confirmation), and the repeat
 * rule of `sweep --repeats auto` gives more runs to the cells that decide the answer than to the
 * cells far below the best; on hand-built cells and on a simulated sweep, both deterministic.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/cells.h"
#include "lib/util.h"
#include "testutil.h"

static json_t *new_doc(void)
{
	return json_pack("{s:s, s:[]}", "schema", "cryocache-bench/1", "runs");
}

/* A complete, cold run; role NULL: a measurement of the grid. */
static json_t *add_run(json_t *doc, const char *strategy, int threads, double mb_s,
		       const char *role)
{
	json_t *run = json_pack("{s:s, s:i, s:f, s:{s:f, s:b}, s:b, s:[], s:[]}", "strategy",
				strategy, "threads", threads, "mb_s", mb_s, "cold",
				"residency_pct", 0.0, "cold", 1, "aborted", 0, "warnings", "errors");

	if (role)
		json_object_set_new(run, "role", json_string(role));
	json_array_append_new(json_object_get(doc, "runs"), run);
	return run;
}

static json_t *find_cell(json_t *cells, const char *strategy, int threads)
{
	size_t i;
	json_t *c;

	json_array_foreach(cells, i, c)
		if (!strcmp(json_string_value(json_object_get(c, "strategy")), strategy) &&
		    json_integer_value(json_object_get(c, "threads")) == threads)
			return c;
	return NULL;
}

static long long runs_of(json_t *cells, const char *strategy, int threads)
{
	json_t *c = find_cell(cells, strategy, threads);

	assert_non_null(c);
	return (long long)json_integer_value(json_object_get(c, "runs"));
}

static void test_role_runs_are_not_counted(void **state)
{
	json_t *doc = new_doc();
	json_t *cells;
	json_t *c;

	(void)state;
	/* The warm-up ran first and slow; it must not pull the cell's minimum or median down. */
	add_run(doc, "shutil", 8, 100, "warmup");
	add_run(doc, "shutil", 8, 1000, NULL);
	add_run(doc, "shutil", 8, 1010, NULL);
	add_run(doc, "shutil", 8, 990, NULL);
	/* A cell that only role runs reached is no cell at all; an unknown role is a role too. */
	add_run(doc, "shutil", 2, 500, "confirm");
	json_object_set_new(add_run(doc, "rw", 4, 700, NULL), "role", json_integer(3));
	/* A null role is no role. */
	json_object_set_new(add_run(doc, "rw", 1, 300, NULL), "role", json_null());
	cells = cells_compute(doc, NULL);
	assert_non_null(cells);
	assert_int_equal(json_array_size(cells), 2);
	c = find_cell(cells, "shutil", 8);
	assert_non_null(c);
	assert_int_equal(json_integer_value(json_object_get(c, "runs")), 3);
	assert_int_equal(json_integer_value(json_object_get(c, "failed_runs")), 0);
	assert_float_equal(json_number_value(json_object_get(c, "median_mb_s")), 1000, 1e-9);
	assert_float_equal(json_number_value(json_object_get(c, "min_mb_s")), 990, 1e-9);
	assert_null(find_cell(cells, "shutil", 2));
	assert_null(find_cell(cells, "rw", 4));
	assert_int_equal(runs_of(cells, "rw", 1), 1);
	json_decref(cells);
	json_decref(doc);
}

/* A cell as cells_compute() writes it, with the fields the rule reads. */
static json_t *cell(const char *strategy, int threads, int runs, double median, double low,
		    double high, double coverage)
{
	return json_pack("{s:s, s:i, s:i, s:i, s:i, s:f, s:f, s:f, s:f, s:f}", "strategy", strategy,
			 "threads", threads, "jobs", 1, "runs", runs, "failed_runs", 0,
			 "median_mb_s", median, "ci_low_mb_s", low, "ci_high_mb_s", high,
			 "ci_level", 0.95, "ci_coverage", coverage);
}

static bool listed(json_t *todo, const char *strategy, int threads)
{
	return find_cell(todo, strategy, threads) != NULL;
}

static void test_rule_on_cells(void **state)
{
	struct cells_repeat_rule r;
	struct cells_repeat_counts k;
	json_t *cells = json_array();
	json_t *todo;

	(void)state;
	cells_repeat_rule_init(&r);
	assert_float_equal(r.target, 0.015, 1e-12);
	assert_float_equal(r.tolerance, 0.03, 1e-12);
	assert_int_equal(r.min_runs, 5);
	assert_int_equal(r.max_runs, 15);
	/* the figures below are for a 5 % tolerance and a 2.5 % target */
	r.tolerance = 0.05;
	r.target = 0.025;
	r.default_strategy = "shutil";
	r.default_threads = 2;
	/* shutil's best median is 1000 MB/s: far below means a CI high end under 950 */
	json_array_append_new(cells, cell("shutil", 1, 5, 300, 290, 310, 0.9375));	/* far below */
	json_array_append_new(cells, cell("shutil", 2, 5, 600, 580, 620, 0.9375));	/* the default */
	json_array_append_new(cells, cell("shutil", 4, 6, 1000, 990, 1010, 0.96875));	/* settled */
	json_array_append_new(cells, cell("shutil", 6, 5, 900, 850, 960, 0.9375));	/* may be */
	json_array_append_new(cells, cell("shutil", 8, 6, 980, 900, 1060, 0.96875));	/* too wide */
	json_array_append_new(cells, cell("shutil", 12, 15, 990, 900, 1080, 0.99));	/* capped */
	json_array_append_new(cells, cell("shutil", 16, 3, 200, 100, 250, 0.75));	/* < min */
	/* rw's own best is 2000: its 2-thread cell is no default, so it is far below too */
	json_array_append_new(cells, cell("rw", 1, 5, 500, 480, 520, 0.9375));
	json_array_append_new(cells, cell("rw", 2, 5, 500, 480, 520, 0.9375));
	json_array_append_new(cells, cell("rw", 8, 5, 2000, 1900, 2100, 0.9375));

	todo = cells_to_repeat(cells, &r, &k);
	assert_int_equal(json_array_size(todo), 5);
	assert_true(listed(todo, "shutil", 2));
	assert_true(listed(todo, "shutil", 6));
	assert_true(listed(todo, "shutil", 8));
	assert_true(listed(todo, "shutil", 16));
	assert_true(listed(todo, "rw", 8));
	assert_false(listed(todo, "shutil", 1));
	assert_false(listed(todo, "shutil", 4));
	assert_false(listed(todo, "shutil", 12));
	assert_false(listed(todo, "rw", 1));
	assert_false(listed(todo, "rw", 2));
	assert_int_equal(k.below_min, 1);
	assert_int_equal(k.deciding, 4);
	assert_int_equal(k.settled, 1);
	assert_int_equal(k.far_below, 3);
	assert_int_equal(k.capped, 1);
	/* widest first: 16 (75 % of 200 / 2 = 37.5 %), 8 (8.2 %), 6 (6.1 %), rw 8 (5 %), 2 (3.3 %) */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(todo, 0), "threads")), 16);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(todo, 4), "threads")), 2);
	/* the same objects as in cells */
	assert_ptr_equal(json_array_get(todo, 0), find_cell(cells, "shutil", 16));
	json_decref(todo);

	/* A wider tolerance brings everything near the best: nothing is far below. */
	r.tolerance = 0.8;
	todo = cells_to_repeat(cells, &r, &k);
	assert_int_equal(k.far_below, 0);
	assert_true(listed(todo, "shutil", 1));
	assert_true(listed(todo, "rw", 2));
	json_decref(todo);

	/* A looser target settles the 6- and 8-thread cells once their interval reaches 95 %. */
	r.tolerance = 0.05;
	r.target = 0.10;
	todo = cells_to_repeat(cells, &r, &k);
	assert_true(listed(todo, "shutil", 6));	/* 5 runs: only 93.75 % */
	assert_false(listed(todo, "shutil", 8));	/* 6 runs, 8.2 % */
	json_decref(todo);
	json_decref(cells);
}

/*
 * A simulated auto sweep, deterministic: each cell's runs are its mean times a fixed cycle of
 * factors within +-4 %. The loop is the sweep's: 5 runs each, then one more for every cell the
 * rule lists, until none is.
 */
static void test_rule_in_a_sweep(void **state)
{
	static const double noise[] = { 0.97, 1.03, 0.99, 1.01, 0.96, 1.04, 1.0, 0.98, 1.02 };
	static const struct {
		const char *strategy;
		int threads;
		double mean;
	} grid[] = {
		{ "shutil", 1, 300 }, { "shutil", 2, 600 }, { "shutil", 4, 1000 },
		{ "shutil", 8, 1010 }, { "shutil", 16, 990 }, { "rw", 1, 400 }, { "rw", 16, 2000 },
	};
	const size_t ncells = sizeof(grid) / sizeof(grid[0]);
	struct cells_repeat_rule r;
	json_t *doc = new_doc();
	json_t *cells;
	json_t *todo;
	size_t nth[sizeof(grid) / sizeof(grid[0])] = { 0 };
	int rounds = 0;

	(void)state;
	cells_repeat_rule_init(&r);
	r.default_strategy = "shutil";
	r.default_threads = 2;
	for (size_t g = 0; g < ncells; g++)	/* the plan: min_runs of every cell */
		for (size_t k = 0; k < r.min_runs; k++)
			add_run(doc, grid[g].strategy, grid[g].threads,
				grid[g].mean * noise[nth[g]++ % 9], NULL);
	for (;;) {
		json_t *c;
		size_t i;

		cells = cells_compute(doc, NULL);
		todo = cells_to_repeat(cells, &r, NULL);
		if (!json_array_size(todo))
			break;
		json_array_foreach(todo, i, c) {
			for (size_t g = 0; g < ncells; g++) {
				if (strcmp(grid[g].strategy, json_string_value(json_object_get(c, "strategy"))) ||
				    json_integer_value(json_object_get(c, "threads")) != grid[g].threads)
					continue;
				add_run(doc, grid[g].strategy, grid[g].threads,
					grid[g].mean * noise[nth[g]++ % 9], NULL);
			}
		}
		json_decref(todo);
		json_decref(cells);
		assert_true(++rounds < 100);
	}
	json_decref(todo);
	/* far below: stopped at the minimum */
	assert_int_equal(runs_of(cells, "shutil", 1), 5);
	assert_int_equal(runs_of(cells, "rw", 1), 5);
	/* deciding (near the best, or the default): more than the minimum, at most the maximum */
	assert_in_range(runs_of(cells, "shutil", 2), 6, 15);
	assert_in_range(runs_of(cells, "shutil", 4), 6, 15);
	assert_in_range(runs_of(cells, "shutil", 8), 6, 15);
	assert_in_range(runs_of(cells, "shutil", 16), 6, 15);
	assert_in_range(runs_of(cells, "rw", 16), 6, 15);
	json_decref(cells);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_runs_are_not_counted),
		cmocka_unit_test(test_rule_on_cells),
		cmocka_unit_test(test_rule_in_a_sweep),
	};

	return cmocka_run_group_tests_name("cells", tests, NULL, NULL);
}
