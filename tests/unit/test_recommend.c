/* SPDX-License-Identifier: MIT */
/*
 * test_recommend.c - cells and the CRYOSPARC_CACHE_NUM_THREADS recommendation, on synthetic
 * results documents built here and on tests/data/recommend/sweep.json.
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
#include "analysis/recommend.h"
#include "lib/util.h"
#include "testutil.h"

/* Spreads of the runs of a cell, as factors of its median. */
static const double tight6[] = { 0.99, 0.995, 1.0, 1.0, 1.005, 1.01 };	/* median 1 */
static const double wide6[] = { 0.80, 0.90, 1.0, 1.0, 1.10, 1.25 };	/* median 1 */

enum run_kind {
	RUN_OK,
	RUN_NOT_COLD,		/* residency 40 %, cold false */
	RUN_COLD_UNKNOWN,	/* residency null */
	RUN_ABORTED,
	RUN_ERROR,
	RUN_SHORT,		/* the warning bench.c gives a run under a second */
};

static json_t *new_doc(void)
{
	/* the measured set: 60 files, 12 GB */
	return json_pack("{s:s, s:{s:I, s:I}, s:[]}", "schema", "cryocache-bench/1", "source",
			 "files", (json_int_t)60, "bytes", (json_int_t)12000000000, "runs");
}

static void add_run(json_t *doc, const char *strategy, int threads, int jobs, double mb_s,
		    enum run_kind kind)
{
	json_t *runs = json_object_get(doc, "runs");
	json_t *run = json_pack("{s:s, s:i, s:i, s:f, s:f}", "strategy", strategy, "threads",
				threads, "repeat", (int)json_array_size(runs) + 1, "mb_s", mb_s,
				"mb_s_copied", 2 * mb_s);
	json_t *warnings = json_array();
	json_t *errors = json_array();

	if (jobs != 1)
		json_object_set_new(run, "jobs", json_integer(jobs));
	json_object_set_new(run, "cold",
			    kind == RUN_NOT_COLD ? json_pack("{s:f, s:b}", "residency_pct", 40.0,
							     "cold", 0)
			    : kind == RUN_COLD_UNKNOWN
				    ? json_pack("{s:n, s:b}", "residency_pct", "cold", 0)
				    : json_pack("{s:f, s:b}", "residency_pct", 0.0, "cold", 1));
	json_object_set_new(run, "aborted", json_boolean(kind == RUN_ABORTED));
	if (kind == RUN_ERROR)
		json_array_append_new(errors, json_string("cannot open 'a.mrcs': No such file"));
	if (kind == RUN_SHORT)
		json_array_append_new(warnings,
				      json_string("run lasted 0.40 s: too short to measure "
						  "reliably (use a larger set)"));
	json_object_set_new(run, "warnings", warnings);
	json_object_set_new(run, "errors", errors);
	json_array_append_new(runs, run);
}

/* n runs of a cell, at median * spread[i]. */
static void add_cell(json_t *doc, const char *strategy, int threads, int jobs, double median,
		     const double *spread, size_t n)
{
	for (size_t i = 0; i < n; i++)
		add_run(doc, strategy, threads, jobs, median * spread[i], RUN_OK);
}

static json_t *find_cell(json_t *cells, const char *strategy, int threads, int jobs)
{
	size_t i;
	json_t *c;

	json_array_foreach(cells, i, c)
		if (!strcmp(json_string_value(json_object_get(c, "strategy")), strategy) &&
		    json_integer_value(json_object_get(c, "threads")) == threads &&
		    json_integer_value(json_object_get(c, "jobs")) == jobs)
			return c;
	fail_msg("no cell %s/%d/%d", strategy, threads, jobs);
	return NULL;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_number(v));
	return json_number_value(v);
}

static long long integer(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const char *string(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

static bool has_flag(json_t *cell, const char *flag)
{
	size_t i;
	json_t *f;

	json_array_foreach(json_object_get(cell, "flags"), i, f)
		if (!strcmp(json_string_value(f), flag))
			return true;
	return false;
}

/* cells and recommendation of doc with the defaults, jobs as given; doc is consumed. */
static json_t *recommend_doc(json_t *doc, long jobs, json_t **cells_out)
{
	struct recommend_params p;
	json_t *cells = cells_compute(doc, NULL);
	json_t *rec;

	assert_non_null(cells);
	recommend_params_init(&p);
	p.jobs = jobs;
	recommend_params_from_doc(&p, doc);
	rec = recommend_compute(cells, &p);
	assert_non_null(rec);
	json_decref(doc);
	if (cells_out)
		*cells_out = cells;
	else
		json_decref(cells);
	return rec;
}

static bool contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle)) {
		print_error("'%s' not found in:\n%s\n", needle, hay);
		return false;
	}
	return true;
}

static void test_clear_winner(void **state)
{
	const char *first = "CRYOSPARC_CACHE_NUM_THREADS=8   # add to cryosparc_worker/config.sh\n";
	json_t *doc = new_doc();
	json_t *cells;
	json_t *rec;
	json_t *c;
	json_t *sec;
	char *line;

	add_cell(doc, "shutil", 1, 1, 300, tight6, 6);
	add_cell(doc, "shutil", 2, 1, 600, tight6, 6);
	add_cell(doc, "shutil", 4, 1, 1000, tight6, 6);
	add_cell(doc, "shutil", 8, 1, 1200, tight6, 6);
	add_cell(doc, "shutil", 16, 1, 1150, tight6, 6);
	add_cell(doc, "rw", 16, 1, 2400, tight6, 6);
	rec = recommend_doc(doc, 1, &cells);

	/* the cell: 6 runs 1188, 1194, 1200, 1200, 1206, 1212; at 95 % k = 1: [min, max] */
	assert_int_equal(json_array_size(cells), 6);
	c = find_cell(cells, "shutil", 8, 1);
	assert_int_equal(integer(c, "runs"), 6);
	assert_int_equal(integer(c, "failed_runs"), 0);
	assert_float_equal(num(c, "median_mb_s"), 1200, 1e-9);
	assert_float_equal(num(c, "min_mb_s"), 1188, 1e-9);
	assert_float_equal(num(c, "max_mb_s"), 1212, 1e-9);
	assert_float_equal(num(c, "mean_mb_s"), 1200, 1e-9);
	assert_float_equal(num(c, "ci_low_mb_s"), 1188, 1e-9);
	assert_float_equal(num(c, "ci_high_mb_s"), 1212, 1e-9);
	assert_float_equal(num(c, "ci_coverage"), 0.96875, 1e-12);
	assert_float_equal(num(c, "ci_level"), 0.95, 1e-12);
	assert_float_equal(num(c, "median_mb_s_copied"), 2400, 1e-9);
	/* numpy: std([1188, 1194, 1200, 1200, 1206, 1212], ddof=1) = 8.4852813742 */
	assert_float_equal(num(c, "stddev_mb_s"), 8.48528137423857, 1e-9);
	assert_float_equal(num(c, "cv"), 8.48528137423857 / 1200, 1e-12);
	assert_int_equal(integer(c, "not_cold_runs"), 0);
	assert_int_equal(json_array_size(json_object_get(c, "flags")), 0);
	assert_float_equal(cells_rel_spread(c), 12.0 / 1200, 1e-12);

	/* 16 threads (1150) is more than 3 % below 8 (1200), 4 (1000) far more: 8 */
	assert_int_equal(integer(rec, "threads"), 8);
	assert_string_equal(string(rec, "variable"), "CRYOSPARC_CACHE_NUM_THREADS");
	assert_string_equal(string(rec, "confidence"), "high");
	assert_float_equal(num(rec, "mb_s"), 1200, 1e-9);
	assert_int_equal(integer(rec, "default_threads"), 2);
	assert_float_equal(num(rec, "default_mb_s"), 600, 1e-9);
	assert_string_equal(string(rec, "best_strategy"), "rw");
	assert_int_equal(integer(rec, "best_threads"), 16);
	assert_float_equal(num(rec, "best_mb_s"), 2400, 1e-9);
	/* rw's interval [2376, 2424] lies above the chosen cell's [1188, 1212] */
	assert_string_equal(string(rec, "headroom_verdict"), "faster");
	assert_float_equal(num(rec, "headroom"), 2.0, 1e-12);
	assert_float_equal(num(rec, "tolerance"), 0.03, 1e-12);
	assert_int_equal(integer(rec, "jobs"), 1);
	assert_int_equal(integer(rec, "failed_runs"), 0);
	assert_true(contains(string(rec, "reason"),
			     "8 threads reached 1200 MB/s (95 % CI 1188-1212, "
			     "6 runs), the highest shutil median, 2.00x the "
			     "default 2 threads at 600 MB/s"));

	/* the measured set, 12 GB: 12e9 / (600e6) = 20 s at 2 threads, 10 s at 8, 5 s with rw */
	assert_string_equal(string(json_object_get(rec, "for"), "basis"), "measured");
	assert_int_equal(integer(json_object_get(rec, "for"), "files"), 60);
	assert_int_equal(integer(json_object_get(rec, "for"), "bytes"), 12000000000);
	sec = json_object_get(json_object_get(rec, "for"), "seconds");
	assert_int_equal(json_object_size(sec), 6);
	assert_float_equal(num(sec, "1"), 40, 1e-9);
	assert_float_equal(num(sec, "2"), 20, 1e-9);
	assert_float_equal(num(sec, "8"), 10, 1e-9);
	assert_float_equal(num(sec, "16"), 12e9 / 1150e6, 1e-9);
	assert_float_equal(num(sec, "best"), 5, 1e-9);

	line = recommend_line(rec);
	assert_non_null(line);
	assert_memory_equal(line, first, strlen(first));
	assert_true(contains(line, "\n#   confidence high: 8 threads reached 1200 MB/s"));
	assert_true(contains(
		line,
		"\n#   shutil at 8 threads: 1200 MB/s; at the default 2 threads: 600 MB/s\n"));
	assert_true(contains(line,
			     "\n#   fastest of any strategy: rw at 16 threads, 2400 MB/s (2.00x"));
	assert_true(contains(
		line, "\n#   to cache 60 files, 12.0 GB (the measured set): 1 thread 40.0 s, "
		      "2 threads 20.0 s, 4 threads 12.0 s, 8 threads 10.0 s, 16 threads "
		      "10.4 s, best (rw, 16 threads) 5.0 s\n"));
	assert_null(strstr(line, "left out"));
	free(line);
	json_decref(rec);
	json_decref(cells);
}

/* The headroom is shown only when the data show one, and never as 1.00x of shutil itself. */
static void test_headroom(void **state)
{
	json_t *doc = new_doc();
	json_t *rec;
	char *line;

	/* every shutil interval overlaps (keep the default); rw's median is higher, not its band */
	add_cell(doc, "shutil", 1, 1, 520, wide6, 6);	/* [416, 650] */
	add_cell(doc, "shutil", 2, 1, 560, wide6, 6);	/* [448, 700] */
	add_cell(doc, "rw", 2, 1, 640, wide6, 6);	/* [512, 800] */
	rec = recommend_doc(doc, 1, NULL);
	assert_string_equal(string(rec, "confidence"), "none");
	assert_string_equal(string(rec, "best_strategy"), "rw");
	assert_string_equal(string(rec, "headroom_verdict"), "within_noise");
	assert_true(json_is_null(json_object_get(rec, "headroom")));
	line = recommend_line(rec);
	assert_true(contains(line, "#   fastest median of any strategy: rw at 2 threads, 640 MB/s, "
				   "within noise of CryoSPARC's copier (their intervals overlap): "
				   "no headroom shown\n"));
	assert_null(strstr(line, "x CryoSPARC's copier"));
	assert_null(strstr(line, "headroom it leaves"));
	free(line);
	json_decref(rec);

	/* only shutil ran: no line on other strategies, no 1.00x */
	doc = new_doc();
	add_cell(doc, "shutil", 1, 1, 300, tight6, 6);
	add_cell(doc, "shutil", 2, 1, 600, tight6, 6);
	rec = recommend_doc(doc, 1, NULL);
	assert_string_equal(string(rec, "headroom_verdict"), "copier_only");
	assert_true(json_is_null(json_object_get(rec, "headroom")));
	line = recommend_line(rec);
	assert_null(strstr(line, "1.00x"));
	assert_null(strstr(line, "fastest"));
	assert_null(strstr(line, "other strateg"));
	free(line);
	json_decref(rec);

	/* shutil at 1 thread is the fastest of all, beside a slower rw */
	doc = new_doc();
	add_cell(doc, "shutil", 1, 1, 800, wide6, 6);
	add_cell(doc, "shutil", 2, 1, 620, wide6, 6);
	add_cell(doc, "rw", 2, 1, 500, tight6, 6);
	rec = recommend_doc(doc, 1, NULL);
	assert_string_equal(string(rec, "best_strategy"), "shutil");
	assert_string_equal(string(rec, "headroom_verdict"), "copier_fastest");
	line = recommend_line(rec);
	assert_true(contains(line, "#   no other strategy was faster than CryoSPARC's copier "
				   "(shutil)\n"));
	assert_null(strstr(line, "x CryoSPARC's copier"));
	free(line);
	json_decref(rec);

	/* a recommendation from before the verdict: the other strategy is named, with no ratio */
	rec = json_pack("{s:s, s:i, s:f, s:i, s:s, s:s}", "best_strategy", "rw", "best_threads", 4,
			"best_mb_s", 900.0, "threads", 2, "confidence", "low", "variable",
			"CRYOSPARC_CACHE_NUM_THREADS");
	assert_string_equal(recommend_headroom_verdict(rec), "unjudged");
	line = recommend_line(rec);
	assert_true(contains(line, "#   fastest median of any strategy: rw at 4 threads, 900 MB/s\n"));
	free(line);
	json_decref(rec);
}

static void test_plateau_prefers_fewer_threads(void **state)
{
	json_t *doc = new_doc();
	json_t *rec;

	/* 4, 8 and 16 threads within 3 % of each other: the fewest of them */
	add_cell(doc, "shutil", 1, 1, 300, tight6, 6);
	add_cell(doc, "shutil", 2, 1, 550, tight6, 6);
	add_cell(doc, "shutil", 4, 1, 1000, tight6, 6);
	add_cell(doc, "shutil", 8, 1, 1020, tight6, 6);
	add_cell(doc, "shutil", 16, 1, 1030, tight6, 6);
	rec = recommend_doc(doc, 1, NULL);
	assert_int_equal(integer(rec, "threads"), 4);
	assert_float_equal(num(rec, "mb_s"), 1000, 1e-9);
	assert_string_equal(string(rec, "confidence"), "high");
	/* the best of any strategy is then shutil itself */
	assert_string_equal(string(rec, "best_strategy"), "shutil");
	assert_int_equal(integer(rec, "best_threads"), 16);
	assert_true(contains(string(rec, "reason"),
			     "within 3 % of the highest, 16 threads at 1030 MB/s"));
	json_decref(rec);
}

static void test_everything_within_noise_keeps_default(void **state)
{
	json_t *doc = new_doc();
	json_t *cells;
	json_t *rec;
	char *line;

	/* wide runs: every interval holds 520-650 MB/s, so no thread count stands out */
	add_cell(doc, "shutil", 1, 1, 520, wide6, 6);	/* [416, 650] */
	add_cell(doc, "shutil", 2, 1, 560, wide6, 6);	/* [448, 700] */
	add_cell(doc, "shutil", 4, 1, 600, wide6, 6);	/* [480, 750] */
	add_cell(doc, "shutil", 8, 1, 580, wide6, 6);	/* [464, 725] */
	rec = recommend_doc(doc, 1, &cells);
	assert_true(has_flag(find_cell(cells, "shutil", 4, 1), "noisy"));
	assert_string_equal(string(rec, "confidence"), "none");
	assert_int_equal(integer(rec, "threads"), 2);
	assert_float_equal(num(rec, "mb_s"), 560, 1e-9);
	assert_true(contains(string(rec, "reason"),
			     "the 4 shutil thread counts measured (1, 2, 4, 8) are within noise of "
			     "each other: their 95 % confidence intervals all overlap (medians "
			     "520-600 MB/s), so the data do not support changing the default"));
	line = recommend_line(rec);
	assert_true(contains(line, "# CRYOSPARC_CACHE_NUM_THREADS: keep the default (2) — the 4 "
				   "shutil thread counts"));
	assert_int_equal(strncmp(line, "# CRYOSPARC_CACHE_NUM_THREADS: keep the default (2) — ",
				 strlen("# CRYOSPARC_CACHE_NUM_THREADS: keep the default (2) — ")),
			 0);
	assert_null(strstr(line, "CRYOSPARC_CACHE_NUM_THREADS="));
	free(line);
	json_decref(rec);
	json_decref(cells);
}

static void test_one_thread_count_is_nothing_to_compare(void **state)
{
	json_t *doc = new_doc();
	json_t *rec;

	add_cell(doc, "shutil", 8, 1, 900, tight6, 6);
	rec = recommend_doc(doc, 1, NULL);
	assert_string_equal(string(rec, "confidence"), "none");
	assert_int_equal(integer(rec, "threads"), 2);
	assert_true(json_is_null(json_object_get(rec, "mb_s")));
	assert_true(json_is_null(json_object_get(rec, "default_mb_s")));
	assert_true(contains(string(rec, "reason"), "only 8 threads were measured with shutil"));
	json_decref(rec);
}

static void test_noisy_cell(void **state)
{
	json_t *doc = new_doc();
	json_t *cells;
	json_t *rec;

	/* noisy but not chosen: 16 threads spread 800-1500 MB/s; 8 is the tight winner */
	add_cell(doc, "shutil", 1, 1, 300, tight6, 6);
	add_cell(doc, "shutil", 2, 1, 600, tight6, 6);
	add_cell(doc, "shutil", 4, 1, 1000, tight6, 6);
	add_cell(doc, "shutil", 8, 1, 1200, tight6, 6);
	add_cell(doc, "shutil", 16, 1, 1100, wide6, 6);
	rec = recommend_doc(doc, 1, &cells);
	assert_true(has_flag(find_cell(cells, "shutil", 16, 1), "noisy"));
	assert_false(has_flag(find_cell(cells, "shutil", 8, 1), "noisy"));
	assert_int_equal(integer(rec, "threads"), 8);
	assert_string_equal(string(rec, "confidence"), "high");
	json_decref(rec);
	json_decref(cells);

	/* noisy and chosen: 4 threads, median 1100 within 3 % of 8's 1130, runs 880-1375 */
	doc = new_doc();
	add_cell(doc, "shutil", 1, 1, 300, tight6, 6);
	add_cell(doc, "shutil", 2, 1, 600, tight6, 6);
	add_cell(doc, "shutil", 4, 1, 1100, wide6, 6);
	add_cell(doc, "shutil", 8, 1, 1130, tight6, 6);
	rec = recommend_doc(doc, 1, &cells);
	assert_true(has_flag(find_cell(cells, "shutil", 4, 1), "noisy"));
	assert_int_equal(integer(rec, "threads"), 4);
	assert_string_equal(string(rec, "confidence"), "low");
	assert_true(contains(string(rec, "reason"),
			     "confidence is low because the 4-thread cell is flagged noisy"));
	json_decref(rec);
	json_decref(cells);
}

static void test_overlap_never_chooses_a_slower_count(void **state)
{
	/* 4 threads: median 1000, more than 3 % below 8's 1100, though its runs reach 1100; an
	 * overlapping interval does not make it as good: 8 */
	const double skew[] = { 0.96, 0.99, 1.0, 1.0, 1.05, 1.10 };
	json_t *doc = new_doc();
	json_t *rec;

	add_cell(doc, "shutil", 1, 1, 300, tight6, 6);
	add_cell(doc, "shutil", 2, 1, 600, tight6, 6);
	add_cell(doc, "shutil", 4, 1, 1000, skew, 6);
	add_cell(doc, "shutil", 8, 1, 1100, tight6, 6);
	rec = recommend_doc(doc, 1, NULL);
	assert_int_equal(integer(rec, "threads"), 8);
	assert_string_equal(string(rec, "confidence"), "high");
	assert_int_equal(json_array_size(json_object_get(rec, "candidates")), 1);
	json_decref(rec);
}

/*
 * Three noisy runs a cell, as a new user's first sweep on a 1.26 GB set gave (MB/s): the rule
 * that took the fewest threads whose interval overlapped the best's chose 1 thread, 23 % below
 * the default. By medians: 4 (2397), with 8 (2355) the other candidate, the default (2220) not
 * within 3 %; three runs a cell cannot make that certain.
 */
static void test_noisy_first_sweep_chooses_by_medians(void **state)
{
	const double t1[] = { 1922, 1319, 1836 };
	const double t2[] = { 2115, 2244, 2220 };
	const double t4[] = { 1758, 2397, 2523 };
	const double t8[] = { 2002, 2355, 2398 };
	json_t *doc = new_doc();
	json_t *rec;
	json_t *cand;
	char *line;

	for (int i = 0; i < 3; i++) {
		add_run(doc, "shutil", 1, 1, t1[i], RUN_OK);
		add_run(doc, "shutil", 2, 1, t2[i], RUN_OK);
		add_run(doc, "shutil", 4, 1, t4[i], RUN_OK);
		add_run(doc, "shutil", 8, 1, t8[i], RUN_OK);
	}
	rec = recommend_doc(doc, 1, NULL);
	assert_int_equal(integer(rec, "threads"), 4);
	assert_string_equal(string(rec, "confidence"), "low");
	assert_float_equal(num(rec, "mb_s"), 2397, 1e-9);
	assert_float_equal(num(rec, "default_mb_s"), 2220, 1e-9);
	cand = json_object_get(rec, "candidates");
	assert_int_equal(json_array_size(cand), 2);
	assert_int_equal(json_integer_value(json_array_get(cand, 0)), 4);
	assert_int_equal(json_integer_value(json_array_get(cand, 1)), 8);
	/* their medians, in the same order: what the confirmation's next candidate is chosen by */
	cand = json_object_get(rec, "candidates_mb_s");
	assert_int_equal(json_array_size(cand), 2);
	assert_float_equal(json_number_value(json_array_get(cand, 0)), 2397, 1e-9);
	assert_float_equal(json_number_value(json_array_get(cand, 1)), 2355, 1e-9);
	assert_true(contains(string(rec, "reason"), "4 threads reached 2397 MB/s"));
	assert_true(contains(string(rec, "reason"), "the intervals of 4 and 2 threads overlap"));
	assert_true(contains(string(rec, "reason"), "has 3 cold runs"));
	line = recommend_line(rec);
	assert_true(contains(line, "CRYOSPARC_CACHE_NUM_THREADS=4   # add to"));
	free(line);
	json_decref(rec);
}

static void test_default_stays_among_candidates(void **state)
{
	json_t *doc = new_doc();
	json_t *rec;

	/* 1, 2 and 4 threads within 3 % of the best: the default stays although 1 is fewer */
	add_cell(doc, "shutil", 1, 1, 1000, tight6, 6);
	add_cell(doc, "shutil", 2, 1, 1010, tight6, 6);
	add_cell(doc, "shutil", 4, 1, 1025, tight6, 6);
	add_cell(doc, "shutil", 8, 1, 700, tight6, 6);
	rec = recommend_doc(doc, 1, NULL);
	assert_int_equal(integer(rec, "threads"), 2);
	assert_string_equal(string(rec, "confidence"), "high");
	assert_int_equal(json_array_size(json_object_get(rec, "candidates")), 3);
	assert_true(contains(string(rec, "reason"), "2 threads (the default) reached 1010 MB/s"));
	json_decref(rec);

	/* the default flagged: it still stays, with low confidence */
	doc = new_doc();
	add_cell(doc, "shutil", 1, 1, 1000, tight6, 6);
	add_cell(doc, "shutil", 2, 1, 1010, tight6, 5);
	add_run(doc, "shutil", 2, 1, 1010, RUN_SHORT);
	add_cell(doc, "shutil", 4, 1, 1040, tight6, 6);
	rec = recommend_doc(doc, 1, NULL);
	assert_int_equal(integer(rec, "threads"), 2);
	assert_string_equal(string(rec, "confidence"), "low");
	assert_true(contains(string(rec, "reason"), "the 2-thread cell is flagged short"));
	json_decref(rec);
}

static void test_within_noise_says_what_to_do(void **state)
{
	const double three[] = { 0.7, 1.0, 1.3 };
	json_t *doc = new_doc();
	json_t *rec;

	add_cell(doc, "shutil", 1, 1, 1000, three, 3);
	add_cell(doc, "shutil", 2, 1, 1100, three, 3);
	add_cell(doc, "shutil", 4, 1, 1200, three, 3);
	rec = recommend_doc(doc, 1, NULL);
	assert_string_equal(string(rec, "confidence"), "none");
	assert_int_equal(integer(rec, "threads"), 2);
	assert_true(contains(string(rec, "reason"), "To separate them: more repeats (a cell has "
						    "only 3 runs; 6 give a 95 % interval"));
	assert_true(contains(string(rec, "reason"), "a quieter machine (runs of one cell vary by "
						    "up to 30 % of their mean"));
	json_decref(rec);
}

static void test_not_cold(void **state)
{
	json_t *doc = new_doc();
	json_t *cells;
	json_t *rec;
	json_t *c;

	add_cell(doc, "shutil", 1, 1, 300, tight6, 6);
	add_cell(doc, "shutil", 2, 1, 600, tight6, 6);
	add_cell(doc, "shutil", 8, 1, 1200, tight6, 4);
	add_run(doc, "shutil", 8, 1, 1206, RUN_NOT_COLD);
	add_run(doc, "shutil", 8, 1, 1212, RUN_COLD_UNKNOWN);
	rec = recommend_doc(doc, 1, &cells);
	c = find_cell(cells, "shutil", 8, 1);
	assert_int_equal(integer(c, "runs"), 6);
	assert_int_equal(integer(c, "not_cold_runs"), 2);
	assert_true(has_flag(c, "not_cold"));
	assert_int_equal(integer(rec, "threads"), 8);
	assert_string_equal(string(rec, "confidence"), "low");
	assert_true(contains(string(rec, "reason"), "the 8-thread cell is flagged not_cold"));
	json_decref(rec);
	json_decref(cells);
}

/* a and b within eps of each other (cmocka before 1.1.6 has no assert_double_equal) */
#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) < (eps))

/*
 * shutil over cpython per thread count: only where both have a median, in the order of
 * shutil's cells, with bounds from the two intervals.
 */
static void test_cells_ratios(void **state)
{
	json_t *doc = new_doc();
	json_t *cells;
	json_t *ratios;
	json_t *r;

	add_cell(doc, "shutil", 1, 1, 1200, tight6, 6);
	add_cell(doc, "cpython", 1, 1, 1000, tight6, 6);
	add_cell(doc, "cpython", 2, 1, 1000, wide6, 6);
	add_cell(doc, "shutil", 2, 1, 1050, wide6, 6);
	add_cell(doc, "shutil", 2, 2, 800, tight6, 6);
	add_cell(doc, "cpython", 2, 2, 400, tight6, 6);
	add_cell(doc, "shutil", 4, 1, 1100, tight6, 6);	/* no cpython at 4 */
	add_cell(doc, "cpython", 8, 1, 900, tight6, 6);	/* no shutil at 8 */
	add_run(doc, "cpython", 16, 1, 500, RUN_ERROR);	/* a failed cell has no median */
	add_cell(doc, "shutil", 16, 1, 1000, tight6, 3);
	cells = cells_compute(doc, NULL);
	ratios = cells_ratios(cells, CELLS_EMULATION, CELLS_INTERPRETER);
	assert_int_equal(json_array_size(ratios), 3);

	r = json_array_get(ratios, 0);
	assert_int_equal(integer(r, "threads"), 1);
	assert_int_equal(integer(r, "jobs"), 1);
	assert_near(num(r, "numerator_mb_s"), 1200, 1e-9);
	assert_near(num(r, "denominator_mb_s"), 1000, 1e-9);
	assert_near(num(r, "ratio"), 1.2, 1e-12);
	assert_near(num(r, "ratio_low"),
			    num(find_cell(cells, "shutil", 1, 1), "ci_low_mb_s") /
				    num(find_cell(cells, "cpython", 1, 1), "ci_high_mb_s"), 1e-12);
	assert_near(num(r, "ratio_high"),
			    num(find_cell(cells, "shutil", 1, 1), "ci_high_mb_s") /
				    num(find_cell(cells, "cpython", 1, 1), "ci_low_mb_s"), 1e-12);
	assert_true(num(r, "ratio_low") < 1.2 && num(r, "ratio_high") > 1.2);

	r = json_array_get(ratios, 1);
	assert_int_equal(integer(r, "threads"), 2);
	assert_int_equal(integer(r, "jobs"), 1);
	assert_near(num(r, "ratio"), 1.05, 1e-12);
	/* wide intervals on both sides: the bounds take in 1, no difference shown */
	assert_true(num(r, "ratio_low") < 1 && num(r, "ratio_high") > 1);

	r = json_array_get(ratios, 2);
	assert_int_equal(integer(r, "threads"), 2);
	assert_int_equal(integer(r, "jobs"), 2);
	assert_near(num(r, "ratio"), 2.0, 1e-12);
	json_decref(ratios);

	/* the other way round, and with a strategy that did not run */
	ratios = cells_ratios(cells, CELLS_INTERPRETER, CELLS_EMULATION);
	assert_int_equal(json_array_size(ratios), 3);
	assert_near(num(json_array_get(ratios, 0), "ratio"), 1000.0 / 1200, 1e-12);
	json_decref(ratios);
	ratios = cells_ratios(cells, CELLS_EMULATION, "uring");
	assert_int_equal(json_array_size(ratios), 0);
	json_decref(ratios);
	json_decref(cells);
	json_decref(doc);
}

static void test_no_shutil(void **state)
{
	json_t *doc = new_doc();
	json_t *rec;
	char *line;

	add_cell(doc, "rw", 4, 1, 900, tight6, 6);
	add_cell(doc, "uring", 4, 1, 1900, tight6, 6);
	/* a shutil cell whose only run failed is no measurement either */
	add_run(doc, "shutil", 2, 1, 100, RUN_ERROR);
	rec = recommend_doc(doc, 1, NULL);
	assert_true(json_is_null(json_object_get(rec, "threads")));
	assert_true(json_is_null(json_object_get(rec, "mb_s")));
	assert_string_equal(string(rec, "confidence"), "none");
	assert_string_equal(string(rec, "best_strategy"), "uring");
	assert_int_equal(integer(rec, "failed_runs"), 1);
	assert_true(contains(string(rec, "reason"), "no cpython or shutil run (the copier "
						    "CryoSPARC runs) finished without errors with 1 job"));
	assert_true(contains(string(rec, "reason"), "measured instead: rw, uring"));
	/* only the best strategy's time */
	assert_int_equal(json_object_size(json_object_get(json_object_get(rec, "for"), "seconds")),
			 1);
	line = recommend_line(rec);
	assert_int_equal(
		strncmp(line, "# CRYOSPARC_CACHE_NUM_THREADS: no recommendation — no cpython",
			strlen("# CRYOSPARC_CACHE_NUM_THREADS: no recommendation — no cpython")),
		0);
	assert_true(contains(line, "#   left out: 1 failed or aborted run\n"));
	free(line);
	json_decref(rec);
}

/*
 * The real interpreter, when it ran, is the copier the thread count is chosen for: on tmpfs the
 * emulation was flat from 2 threads while CPython gained at 4 (the lab run that asked for it).
 */
static void test_cpython_is_the_copier(void **state)
{
	json_t *doc = new_doc();
	json_t *rec;
	char *line;

	(void)state;
	add_cell(doc, "shutil", 1, 1, 700, tight6, 6);
	add_cell(doc, "shutil", 2, 1, 1000, tight6, 6);
	add_cell(doc, "shutil", 4, 1, 1010, tight6, 6);
	add_cell(doc, "shutil", 8, 1, 1005, tight6, 6);
	add_cell(doc, "cpython", 1, 1, 600, tight6, 6);
	add_cell(doc, "cpython", 2, 1, 800, tight6, 6);
	add_cell(doc, "cpython", 4, 1, 900, tight6, 6);
	add_cell(doc, "cpython", 8, 1, 880, tight6, 6);
	rec = recommend_doc(doc, 1, NULL);
	assert_string_equal(string(rec, "strategy"), "cpython");
	assert_int_equal(integer(rec, "threads"), 4);
	assert_string_equal(string(rec, "confidence"), "high");
	assert_true(fabs(num(rec, "mb_s") - 900) < 1e-6);
	assert_true(fabs(num(rec, "default_mb_s") - 800) < 1e-6);
	assert_int_equal(json_array_size(json_object_get(rec, "candidates")), 2);
	assert_true(contains(string(rec, "reason"), "the highest cpython median"));
	/* the emulation copies faster than the interpreter: that is the headroom */
	assert_string_equal(string(rec, "best_strategy"), "shutil");
	assert_string_equal(string(rec, "headroom_verdict"), "faster");
	assert_true(fabs(num(rec, "headroom") - 1010.0 / 900.0) < 1e-6);
	line = recommend_line(rec);
	assert_true(contains(line, "CRYOSPARC_CACHE_NUM_THREADS=4   #"));
	assert_true(contains(line, "#   cpython at 4 threads: 900 MB/s; at the default 2 threads: "
				   "800 MB/s\n#   measured with CPython's own shutil.copyfile\n"));
	assert_true(contains(line, "(1.12x CryoSPARC's copier here"));
	free(line);
	json_decref(rec);

	/* the same emulation alone: it keeps the default, and says what measured it */
	doc = new_doc();
	add_cell(doc, "shutil", 1, 1, 700, tight6, 6);
	add_cell(doc, "shutil", 2, 1, 1000, tight6, 6);
	add_cell(doc, "shutil", 4, 1, 1010, tight6, 6);
	/* a cpython cell without a complete run does not make it the copier */
	add_run(doc, "cpython", 4, 1, 900, RUN_ERROR);
	rec = recommend_doc(doc, 1, NULL);
	assert_string_equal(string(rec, "strategy"), "shutil");
	assert_int_equal(integer(rec, "threads"), 2);
	line = recommend_line(rec);
	assert_true(contains(line, "#   measured with the shutil emulation\n"));
	free(line);
	assert_string_equal(recommend_strategy(rec), "shutil");
	json_object_del(rec, "strategy");	/* a recommendation from before it was recorded */
	assert_string_equal(recommend_strategy(rec), "shutil");
	json_decref(rec);
}

static void test_default_not_measured(void **state)
{
	json_t *doc = new_doc();
	json_t *rec;
	char *line;

	add_cell(doc, "shutil", 1, 1, 300, tight6, 6);
	add_cell(doc, "shutil", 4, 1, 1000, tight6, 6);
	add_cell(doc, "shutil", 8, 1, 1020, tight6, 6);
	rec = recommend_doc(doc, 1, NULL);
	assert_int_equal(integer(rec, "threads"), 4);
	assert_string_equal(string(rec, "confidence"), "low");
	assert_true(json_is_null(json_object_get(rec, "default_mb_s")));
	assert_true(contains(string(rec, "reason"), "the default (2 threads) was not measured"));
	line = recommend_line(rec);
	assert_true(contains(line, "CRYOSPARC_CACHE_NUM_THREADS=4   # add to"));
	assert_true(contains(line, "the default 2 threads was not measured"));
	free(line);
	json_decref(rec);
}

static void test_default_is_enough(void **state)
{
	json_t *doc = new_doc();
	json_t *rec;

	/* more threads do not help: 2 is within 3 % of the best and clearly above 1 */
	add_cell(doc, "shutil", 1, 1, 300, tight6, 6);
	add_cell(doc, "shutil", 2, 1, 1000, tight6, 6);
	add_cell(doc, "shutil", 4, 1, 1010, tight6, 6);
	add_cell(doc, "shutil", 8, 1, 1030, tight6, 6);
	rec = recommend_doc(doc, 1, NULL);
	assert_int_equal(integer(rec, "threads"), 2);
	assert_string_equal(string(rec, "confidence"), "high");
	assert_true(contains(string(rec, "reason"),
			     "no other thread count was more than 3 % faster than the default"));
	json_decref(rec);
}

static char *fixture(const char *name)
{
	char *rel = pathf("data/recommend/%s", name);
	char *path = test_source_path(rel);

	free(rel);
	return path;
}

static json_t *load_fixture(const char *name)
{
	char *path = fixture(name);
	json_error_t err;
	json_t *doc = json_load_file(path, 0, &err);

	if (!doc)
		fail_msg("cannot read fixture '%s': %s", path, err.text);
	free(path);
	return doc;
}

/*
 * sweep.json: a shuffled sweep, rw first. shutil 2 threads has an aborted run, shutil 8 threads
 * a run with errors; shutil 8 threads also ran with 2 jobs at once. Complete runs:
 *   rw 8: 1500 1480 1520          shutil 1: 200 204 198       shutil 2: 400 390 405
 *   shutil 4: 790 800 810         shutil 8: 812 805 820       shutil 8, 2 jobs: 1300 1310 1290
 */
static void test_failed_runs_and_jobs(void **state)
{
	json_t *doc = load_fixture("sweep.json");
	json_t *cells = cells_compute(doc, NULL);
	json_t *rec;
	json_t *c;
	json_t *sec;
	struct recommend_params p;
	char *line;

	/* strategies in order of first appearance (rw ran first), then threads, then jobs */
	assert_int_equal(json_array_size(cells), 6);
	assert_string_equal(string(json_array_get(cells, 0), "strategy"), "rw");
	assert_int_equal(integer(json_array_get(cells, 1), "threads"), 1);
	assert_int_equal(integer(json_array_get(cells, 2), "threads"), 2);
	assert_int_equal(integer(json_array_get(cells, 3), "threads"), 4);
	assert_int_equal(integer(json_array_get(cells, 4), "threads"), 8);
	assert_int_equal(integer(json_array_get(cells, 4), "jobs"), 1);
	assert_int_equal(integer(json_array_get(cells, 5), "threads"), 8);
	assert_int_equal(integer(json_array_get(cells, 5), "jobs"), 2);

	/* the aborted run (150 MB/s) and the failed one (700) are counted, not measured */
	c = find_cell(cells, "shutil", 2, 1);
	assert_int_equal(integer(c, "runs"), 3);
	assert_int_equal(integer(c, "failed_runs"), 1);
	assert_float_equal(num(c, "median_mb_s"), 400, 1e-9);
	assert_float_equal(num(c, "min_mb_s"), 390, 1e-9);
	c = find_cell(cells, "shutil", 8, 1);
	assert_int_equal(integer(c, "runs"), 3);
	assert_int_equal(integer(c, "failed_runs"), 1);
	assert_float_equal(num(c, "median_mb_s"), 812, 1e-9);
	assert_float_equal(num(c, "min_mb_s"), 805, 1e-9);
	/* 3 runs reach only [min, max] at 1 - 2/8 = 75 % */
	assert_float_equal(num(c, "ci_low_mb_s"), 805, 1e-9);
	assert_float_equal(num(c, "ci_high_mb_s"), 820, 1e-9);
	assert_float_equal(num(c, "ci_coverage"), 0.75, 1e-12);
	assert_int_equal(json_array_size(json_object_get(c, "flags")), 0);
	c = find_cell(cells, "shutil", 8, 2);
	assert_float_equal(num(c, "median_mb_s"), 1300, 1e-9);
	assert_int_equal(integer(c, "failed_runs"), 0);

	/* one job: 4 threads (800) is within 3 % of 8 (812); the 2-job cell does not take part */
	recommend_params_init(&p);
	recommend_params_from_doc(&p, doc);
	rec = recommend_compute(cells, &p);
	assert_int_equal(integer(rec, "threads"), 4);
	/* three runs a cell give no 95 % interval: the answer stands, the confidence is low */
	assert_string_equal(string(rec, "confidence"), "low");
	assert_true(contains(string(rec, "reason"), "the 4-thread cell has 3 cold runs (6 are "
						    "needed for a 95 % interval)"));
	assert_int_equal(integer(rec, "failed_runs"), 2);
	assert_string_equal(string(rec, "best_strategy"), "rw");
	assert_float_equal(num(rec, "best_mb_s"), 1500, 1e-9);
	/* the measured set, 40 files, 2e9 bytes: 2e9 / 812e6 s at 8 threads */
	sec = json_object_get(json_object_get(rec, "for"), "seconds");
	assert_int_equal(json_object_size(sec), 5);
	assert_float_equal(num(sec, "4"), 2.5, 1e-9);
	assert_float_equal(num(sec, "8"), 2e9 / 812e6, 1e-9);
	assert_float_equal(num(sec, "best"), 2e9 / 1500e6, 1e-9);
	line = recommend_line(rec);
	assert_true(contains(line, "CRYOSPARC_CACHE_NUM_THREADS=4   # add to "
				   "cryosparc_worker/config.sh\n"));
	assert_true(contains(line, "#   left out: 2 failed or aborted runs\n"));
	free(line);
	json_decref(rec);

	/* two jobs: only 8 threads was measured, so nothing to compare */
	p.jobs = 2;
	rec = recommend_compute(cells, &p);
	assert_int_equal(integer(rec, "jobs"), 2);
	assert_string_equal(string(rec, "confidence"), "none");
	assert_int_equal(integer(rec, "failed_runs"), 0);
	assert_string_equal(string(rec, "best_strategy"), "shutil");
	assert_float_equal(num(rec, "best_mb_s"), 1300, 1e-9);
	/* each of the 2 jobs caches the 2e9-byte set: 2 * 2e9 bytes at 1300 MB/s together */
	sec = json_object_get(json_object_get(rec, "for"), "seconds");
	assert_float_equal(num(sec, "8"), 2 * 2e9 / 1300e6, 1e-9);
	assert_float_equal(num(sec, "best"), 2 * 2e9 / 1300e6, 1e-9);
	line = recommend_line(rec);
	assert_true(contains(line, "#   measured with 2 jobs caching at once, each copying the "
				   "whole set"));
	free(line);
	json_decref(rec);
	json_decref(cells);
	json_decref(doc);
}

static void test_for_files_and_bytes(void **state)
{
	json_t *doc = new_doc();
	json_t *cells;
	json_t *rec;
	json_t *set;
	struct recommend_params p;
	char *line;

	add_cell(doc, "shutil", 2, 1, 600, tight6, 6);
	add_cell(doc, "shutil", 8, 1, 1200, tight6, 6);
	cells = cells_compute(doc, NULL);
	recommend_params_init(&p);
	recommend_params_from_doc(&p, doc);

	/* 20,460 files at the measured mean of 200 MB: 4.092e12 bytes, 3410 s at 1200 MB/s */
	p.for_files = 20460;
	rec = recommend_compute(cells, &p);
	set = json_object_get(rec, "for");
	assert_string_equal(string(set, "basis"), "scaled");
	assert_int_equal(integer(set, "files"), 20460);
	assert_int_equal(integer(set, "bytes"), 4092000000000);
	assert_float_equal(num(json_object_get(set, "seconds"), "8"), 3410, 1e-6);
	assert_float_equal(num(json_object_get(set, "seconds"), "2"), 6820, 1e-6);
	line = recommend_line(rec);
	assert_true(contains(line,
			     "#   to cache 20460 files, 4.1 TB (scaled by the measured set's "
			     "mean file size): 2 threads 1 h 54 min, 8 threads 56 min 50 s"));
	free(line);
	json_decref(rec);

	/* bytes alone: files scaled the other way, 1e12 / 2e8 = 5000 */
	p.for_files = 0;
	p.for_bytes = 1000000000000;
	rec = recommend_compute(cells, &p);
	set = json_object_get(rec, "for");
	assert_string_equal(string(set, "basis"), "scaled");
	assert_int_equal(integer(set, "files"), 5000);
	json_decref(rec);

	/* both given */
	p.for_files = 7;
	rec = recommend_compute(cells, &p);
	set = json_object_get(rec, "for");
	assert_string_equal(string(set, "basis"), "given");
	assert_int_equal(integer(set, "files"), 7);
	assert_int_equal(integer(set, "bytes"), 1000000000000);
	json_decref(rec);

	/* nothing known about any set: no estimate */
	recommend_params_init(&p);
	rec = recommend_compute(cells, &p);
	assert_true(json_is_null(json_object_get(rec, "for")));
	line = recommend_line(rec);
	assert_null(strstr(line, "to cache"));
	free(line);
	json_decref(rec);
	json_decref(cells);
	json_decref(doc);
}

static void test_cell_flags(void **state)
{
	json_t *doc = new_doc();
	json_t *cells;
	json_t *c;
	struct cells_params p;

	add_run(doc, "shutil", 2, 1, 500, RUN_SHORT);
	add_run(doc, "shutil", 2, 1, 510, RUN_OK);
	add_run(doc, "shutil", 2, 1, 520, RUN_ABORTED);
	add_run(doc, "shutil", 4, 1, 700, RUN_ERROR);
	cells = cells_compute(doc, NULL);
	assert_int_equal(json_array_size(cells), 2);
	c = find_cell(cells, "shutil", 2, 1);
	/* 500 and 510: median 505, spread (510 - 500) / 2 / 505 < 3 % */
	assert_int_equal(integer(c, "runs"), 2);
	assert_int_equal(integer(c, "failed_runs"), 1);
	assert_float_equal(num(c, "median_mb_s"), 505, 1e-9);
	assert_false(has_flag(c, "noisy"));
	assert_true(has_flag(c, "few_runs"));
	assert_true(has_flag(c, "short"));
	assert_false(has_flag(c, "not_cold"));
	/* a cell whose only run failed is listed with null statistics */
	c = find_cell(cells, "shutil", 4, 1);
	assert_int_equal(integer(c, "runs"), 0);
	assert_int_equal(integer(c, "failed_runs"), 1);
	assert_true(json_is_null(json_object_get(c, "median_mb_s")));
	assert_true(json_is_null(json_object_get(c, "ci_low_mb_s")));
	assert_true(has_flag(c, "few_runs"));
	assert_true(isinf(cells_rel_spread(c)));
	json_decref(cells);

	/* a tighter tolerance makes the same cell noisy: spread 10 / 2 / 505 = 0.99 % */
	cells_params_init(&p);
	p.tolerance = 0.005;
	cells = cells_compute(doc, &p);
	assert_true(has_flag(find_cell(cells, "shutil", 2, 1), "noisy"));
	json_decref(cells);
	p.level = 1.0;
	assert_null(cells_compute(doc, &p));
	json_decref(doc);
}

static void test_need_repeats(void **state)
{
	json_t *doc = new_doc();
	json_t *cells;
	json_t *todo;

	add_cell(doc, "shutil", 1, 1, 300, tight6, 6);	/* done: 95 % reached, spread 1 % */
	add_cell(doc, "shutil", 2, 1, 600, tight6, 3);	/* tight but 3 runs cover only 75 % */
	add_cell(doc, "shutil", 4, 1, 1000, wide6, 6);	/* 95 % reached, spread 22.5 % */
	add_cell(doc, "shutil", 8, 1, 1000, wide6, 5);	/* 5 runs, spread (1100-800)/2/1000 */
	add_run(doc, "shutil", 16, 1, 1, RUN_ERROR);	/* nothing known yet */
	cells = cells_compute(doc, NULL);

	todo = cells_need_repeats(cells, 0.05, 20);
	/* widest first: 16 (unknown), 4 (22.5 %), 8 (15 %), 2 (0.5 %, below 95 %) */
	assert_int_equal(json_array_size(todo), 4);
	assert_int_equal(integer(json_array_get(todo, 0), "threads"), 16);
	assert_int_equal(integer(json_array_get(todo, 1), "threads"), 4);
	assert_int_equal(integer(json_array_get(todo, 2), "threads"), 8);
	assert_int_equal(integer(json_array_get(todo, 3), "threads"), 2);
	/* the same objects as in cells */
	assert_ptr_equal(json_array_get(todo, 1), find_cell(cells, "shutil", 4, 1));
	json_decref(todo);

	/* a cap of 6 runs stops 4 threads (6 runs); 8 (5) and 16 (1 failed) go on */
	todo = cells_need_repeats(cells, 0.05, 6);
	assert_int_equal(json_array_size(todo), 3);
	assert_int_equal(integer(json_array_get(todo, 0), "threads"), 16);
	assert_int_equal(integer(json_array_get(todo, 1), "threads"), 8);
	json_decref(todo);

	/* a looser target leaves the 4-thread cell alone */
	todo = cells_need_repeats(cells, 0.25, 20);
	assert_int_equal(json_array_size(todo), 3);
	assert_int_equal(integer(json_array_get(todo, 1), "threads"), 8);
	json_decref(todo);
	json_decref(cells);
	json_decref(doc);
}

static void test_empty_document(void **state)
{
	json_t *doc = new_doc();
	json_t *cells;
	json_t *rec;
	char *line;

	rec = recommend_doc(doc, 1, &cells);
	assert_int_equal(json_array_size(cells), 0);
	assert_true(json_is_null(json_object_get(rec, "threads")));
	assert_true(json_is_null(json_object_get(rec, "best_strategy")));
	line = recommend_line(rec);
	assert_non_null(line);
	assert_true(contains(line, "# CRYOSPARC_CACHE_NUM_THREADS: no recommendation — "));
	free(line);
	json_decref(rec);
	json_decref(cells);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clear_winner),
		cmocka_unit_test(test_plateau_prefers_fewer_threads),
		cmocka_unit_test(test_headroom),
		cmocka_unit_test(test_everything_within_noise_keeps_default),
		cmocka_unit_test(test_one_thread_count_is_nothing_to_compare),
		cmocka_unit_test(test_noisy_cell),
		cmocka_unit_test(test_overlap_never_chooses_a_slower_count),
		cmocka_unit_test(test_noisy_first_sweep_chooses_by_medians),
		cmocka_unit_test(test_default_stays_among_candidates),
		cmocka_unit_test(test_within_noise_says_what_to_do),
		cmocka_unit_test(test_not_cold),
		cmocka_unit_test(test_no_shutil),
		cmocka_unit_test(test_cpython_is_the_copier),
		cmocka_unit_test(test_default_not_measured),
		cmocka_unit_test(test_default_is_enough),
		cmocka_unit_test(test_failed_runs_and_jobs),
		cmocka_unit_test(test_for_files_and_bytes),
		cmocka_unit_test(test_cell_flags),
		cmocka_unit_test(test_need_repeats),
		cmocka_unit_test(test_cells_ratios),
		cmocka_unit_test(test_empty_document),
	};

	return cmocka_run_group_tests_name("recommend", tests, NULL, NULL);
}
