/* SPDX-License-Identifier: MIT */
/*
 * test_confirm.c - the paired confirmation of a recommendation: when it applies, the pairs'
 * order, ratios and interval, the verdict, and the fallback to the default, on results documents
 * built here.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/cells.h"
#include "analysis/confirm.h"
#include "analysis/recommend.h"
#include "lib/util.h"
#include "testutil.h"

enum run_kind { RUN_OK, RUN_ABORTED, RUN_ERROR };

static json_t *new_doc(void)
{
	return json_pack("{s:s, s:[]}", "schema", "cryocache-bench/1", "runs");
}

/* A run of the grid (no role). */
static void add_grid_run(json_t *doc, int threads, double mb_s)
{
	json_t *runs = json_object_get(doc, "runs");

	json_array_append_new(runs, json_pack("{s:I, s:s, s:i, s:i, s:f, s:b, s:[], s:[]}", "seq",
					      (json_int_t)json_array_size(runs) + 1, "strategy",
					      "shutil", "threads", threads, "jobs", 1, "mb_s", mb_s,
					      "aborted", 0, "warnings", "errors"));
}

/* A confirmation run of pair k at position pos. */
static json_t *add_confirm_run(json_t *doc, const char *strategy, int threads, int jobs, long k,
			       int pos, double mb_s, enum run_kind kind)
{
	json_t *runs = json_object_get(doc, "runs");
	json_t *run = json_pack("{s:I, s:s, s:i, s:i, s:I, s:s, s:I, s:i, s:b, s:[], s:[]}", "seq",
				(json_int_t)json_array_size(runs) + 1, "strategy", strategy,
				"threads", threads, "jobs", jobs, "repeat", (json_int_t)k, "role",
				CONFIRM_ROLE, "pair", (json_int_t)k, "position", pos, "aborted",
				kind == RUN_ABORTED, "warnings", "errors");

	json_object_set_new(run, "mb_s", kind == RUN_ABORTED ? json_null() : json_real(mb_s));
	if (kind == RUN_ERROR)
		json_array_append_new(json_object_get(run, "errors"),
				      json_string("cannot write 'x': No space left on device"));
	json_array_append_new(runs, run);
	return run;
}

/* Pair k: the default at def MB/s and 4 threads at rec MB/s, default first when def_first. */
static void add_pair(json_t *doc, long k, double def, double rec, bool def_first)
{
	add_confirm_run(doc, "shutil", def_first ? 2 : 4, 1, k, 1, def_first ? def : rec, RUN_OK);
	add_confirm_run(doc, "shutil", def_first ? 4 : 2, 1, k, 2, def_first ? rec : def, RUN_OK);
}

/* What recommend_compute() gives for a grid whose best is 4 threads. */
static json_t *new_rec(int threads, const char *confidence)
{
	return json_pack("{s:s, s:i, s:i, s:f, s:i, s:f, s:f, s:s, s:s}", "variable",
			 RECOMMEND_VARIABLE, "threads", threads, "jobs", 1, "mb_s", 1000.0,
			 "default_threads", RECOMMEND_DEFAULT_THREADS, "default_mb_s", 800.0,
			 "tolerance", 0.05, "confidence", confidence, "reason",
			 "4 threads were fastest");
}

static struct confirm_params params(long pairs)
{
	struct confirm_params p;

	confirm_params_init(&p);
	p.pairs = pairs;
	p.seed = 11;
	return p;
}

static bool contains(const char *s, const char *needle)
{
	if (!strstr(s, needle))
		print_error("'%s' not in '%s'\n", needle, s);
	return strstr(s, needle) != NULL;
}

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static void test_skip_reasons(void **state)
{
	struct confirm_params p = params(5);
	struct confirm_params off = params(0);
	json_t *rec = new_rec(4, "high");
	json_t *def = new_rec(2, "low");
	json_t *none = new_rec(4, "none");
	json_t *no = json_pack("{s:n, s:i, s:s}", "threads", "default_threads", 2, "confidence",
			       "none");
	json_t *conf;
	char *line;

	(void)state;
	assert_null(confirm_skip_reason(rec, &p));
	assert_true(contains(confirm_skip_reason(rec, &off), "--confirm 0"));
	assert_true(contains(confirm_skip_reason(def, &p), "default thread count"));
	assert_true(contains(confirm_skip_reason(none, &p), "confidence none"));
	assert_true(contains(confirm_skip_reason(no, &p), "no recommendation"));
	{
		json_t *doc = new_doc();

		/* nothing to confirm without a thread count */
		assert_null(confirm_compute(doc, no, &p));
		json_decref(doc);
	}

	conf = confirm_skipped(confirm_skip_reason(def, &p), &p);
	assert_string_equal(json_string_value(json_object_get(conf, "verdict")), "skipped");
	assert_int_equal(json_integer_value(json_object_get(conf, "seed")), 11);
	assert_int_equal(json_integer_value(json_object_get(conf, "pairs_planned")), 5);
	confirm_apply(def, conf);
	/* a skipped confirmation changes nothing and adds no evidence line */
	assert_int_equal(json_integer_value(json_object_get(def, "threads")), 2);
	assert_string_equal(json_string_value(json_object_get(def, "confidence")), "low");
	line = confirm_line(def);
	assert_string_equal(line, "");
	free(line);
	line = confirm_text(conf);
	assert_true(contains(line, "not run: the recommendation is CryoSPARC's default"));
	free(line);
	json_decref(conf);
	json_decref(rec);
	json_decref(def);
	json_decref(none);
	json_decref(no);
}

static void test_order_is_drawn_per_pair(void **state)
{
	int first = 0;
	int again = 0;

	(void)state;
	for (long k = 1; k <= 200; k++) {
		first += confirm_default_first(11, k);
		again += confirm_default_first(11, k) == confirm_default_first(11, k);
	}
	assert_int_equal(again, 200);
	/* about half each way: Bin(200, 1/2) is within 60..140 but for 1e-8 of seeds */
	assert_in_range(first, 60, 140);
	/* another seed, another sequence */
	first = 0;
	for (long k = 1; k <= 64; k++)
		first += confirm_default_first(11, k) != confirm_default_first(12, k);
	assert_true(first > 0);
}

static void test_confirmed(void **state)
{
	static const double def[] = { 800, 820, 790, 810, 805 };
	static const double ratio[] = { 1.14, 1.10, 1.21, 1.08, 1.16 };
	struct confirm_params p = params(5);
	json_t *doc = new_doc();
	json_t *rec = new_rec(4, "high");
	json_t *conf;
	json_t *cells;
	char *line;

	(void)state;
	add_grid_run(doc, 2, 700);
	add_grid_run(doc, 4, 900);
	for (int i = 0; i < 5; i++)
		add_pair(doc, i + 1, def[i], def[i] * ratio[i], i % 2);
	conf = confirm_compute(doc, rec, &p);
	assert_non_null(conf);
	assert_string_equal(json_string_value(json_object_get(conf, "verdict")), "confirmed");
	assert_int_equal(json_integer_value(json_object_get(conf, "complete_pairs")), 5);
	assert_int_equal(json_integer_value(json_object_get(conf, "incomplete_pairs")), 0);
	assert_int_equal(json_integer_value(json_object_get(conf, "wins")), 5);
	assert_int_equal(json_array_size(json_object_get(conf, "ratios")), 5);
	assert_true(fabs(num(conf, "median_ratio") - 1.14) < 1e-9);
	/* 5 pairs: [min, max] at 1 - 2 / 32 = 93.75 %, below the 95 % asked for */
	assert_true(fabs(num(conf, "ci_low") - 1.08) < 1e-9);
	assert_true(fabs(num(conf, "ci_high") - 1.21) < 1e-9);
	assert_true(fabs(num(conf, "ci_coverage") - 0.9375) < 1e-12);
	/* each pair: its runs, its order and the ratio of the two */
	{
		json_t *p1 = json_array_get(json_object_get(conf, "pairs"), 0);
		json_t *p2 = json_array_get(json_object_get(conf, "pairs"), 1);

		assert_int_equal(json_integer_value(json_object_get(p1, "pair")), 1);
		assert_string_equal(json_string_value(json_object_get(p1, "first")), "recommended");
		assert_string_equal(json_string_value(json_object_get(p2, "first")), "default");
		assert_int_equal(json_integer_value(json_object_get(p1, "default_seq")), 4);
		assert_int_equal(json_integer_value(json_object_get(p1, "recommended_seq")), 3);
		assert_true(fabs(num(p1, "default_mb_s") - 800) < 1e-9);
		assert_true(fabs(num(p1, "ratio") - 1.14) < 1e-9);
	}
	assert_int_equal(confirm_next_pair(conf), 6);
	confirm_apply(rec, conf);
	assert_int_equal(json_integer_value(json_object_get(rec, "threads")), 4);
	assert_string_equal(json_string_value(json_object_get(rec, "confidence")), "high");
	assert_true(json_object_get(rec, "confirmation") == conf);
	line = confirm_line(rec);
	assert_true(contains(line, "#   paired confirmation: 4 threads were 1.14x the default (2) "
				   "in the median of 5 pairs (faster in 5 of 5; 93.75 % interval "
				   "1.08–1.21): confirmed\n"));
	free(line);
	/* the grid's cells hold only the grid's runs */
	cells = cells_compute(doc, NULL);
	assert_int_equal(json_array_size(cells), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(cells, 0), "runs")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(cells, 1), "runs")), 1);
	json_decref(cells);
	json_decref(conf);
	json_decref(rec);
	json_decref(doc);
}

static void test_not_reproduced_falls_back(void **state)
{
	static const double ratio[] = { 1.02, 0.98, 1.10, 1.01, 0.99 };
	struct confirm_params p = params(5);
	json_t *doc = new_doc();
	json_t *rec = new_rec(4, "high");
	json_t *conf;
	json_t *grid;
	char *line;

	(void)state;
	for (int i = 0; i < 5; i++)
		add_pair(doc, i + 1, 800, 800 * ratio[i], true);
	conf = confirm_compute(doc, rec, &p);
	assert_string_equal(json_string_value(json_object_get(conf, "verdict")), "not_reproduced");
	assert_true(fabs(num(conf, "median_ratio") - 1.01) < 1e-9);
	assert_int_equal(json_integer_value(json_object_get(conf, "wins")), 3);
	assert_true(contains(json_string_value(json_object_get(conf, "why")),
			     "the median ratio 1.01 is not above 1.05"));
	confirm_apply(rec, conf);
	assert_int_equal(json_integer_value(json_object_get(rec, "threads")), 2);
	assert_true(fabs(num(rec, "mb_s") - 800) < 1e-9);
	assert_string_equal(json_string_value(json_object_get(rec, "confidence")), "none");
	assert_true(contains(json_string_value(json_object_get(rec, "reason")),
			     "the paired confirmation did not reproduce the gain of 4 threads over "
			     "the default: the median ratio 1.01 is not above 1.05 (1 + the "
			     "tolerance) (the grid alone suggested 4: 4 threads were fastest)"));
	assert_true(contains(json_string_value(json_object_get(rec, "reason")),
			     "4 threads were fastest"));
	grid = json_object_get(conf, "grid");
	assert_int_equal(json_integer_value(json_object_get(grid, "threads")), 4);
	assert_string_equal(json_string_value(json_object_get(grid, "confidence")), "high");
	assert_true(fabs(num(grid, "mb_s") - 1000) < 1e-9);
	/* what a sweep ends with says to keep the default, and why */
	line = recommend_line(rec);
	assert_true(contains(line, "keep the default (2) — the paired confirmation did not"));
	free(line);
	line = confirm_line(rec);
	assert_true(contains(line, "faster in 3 of 5"));
	assert_true(contains(line, ": not reproduced, the median ratio 1.01"));
	free(line);
	json_decref(conf);
	json_decref(rec);
	json_decref(doc);
}

/* Pair k of candidate cand (tagged): the default at def MB/s, cand at rec MB/s. */
static void add_cand_pair(json_t *doc, int cand, long k, double def, double rec, bool def_first)
{
	json_object_set_new(add_confirm_run(doc, "shutil", def_first ? 2 : cand, 1, k, 1,
					    def_first ? def : rec, RUN_OK),
			    "candidate", json_integer(cand));
	json_object_set_new(add_confirm_run(doc, "shutil", def_first ? cand : 2, 1, k, 2,
					    def_first ? rec : def, RUN_OK),
			    "candidate", json_integer(cand));
}

/* The lab's grid: 2 threads 834, 4 threads 897, 8 threads 940 MB/s; candidates 4 (chosen), 8. */
static json_t *new_lab_rec(void)
{
	json_t *rec = new_rec(4, "low");

	json_object_set_new(rec, "mb_s", json_real(897));
	json_object_set_new(rec, "default_mb_s", json_real(834));
	/* 6 threads: within the tolerance of the best here, but not 5 % above the default */
	json_object_set_new(rec, "candidates", json_pack("[i, i, i]", 4, 6, 8));
	json_object_set_new(rec, "candidates_mb_s", json_pack("[f, f, f]", 897.0, 870.0, 940.0));
	return rec;
}

static void test_next_candidate_confirmed(void **state)
{
	struct confirm_params p = params(5);
	json_t *doc = new_doc();
	json_t *rec = new_lab_rec();
	json_t *cands = confirm_candidates(rec);
	json_t *conf;
	json_t *tried;
	char *line;

	(void)state;
	assert_int_equal(json_array_size(cands), 2);
	assert_int_equal(json_integer_value(json_array_get(cands, 0)), 4);
	assert_int_equal(json_integer_value(json_array_get(cands, 1)), 8);
	json_decref(cands);
	for (int i = 0; i < 5; i++)
		add_cand_pair(doc, 4, i + 1, 834, 834 * 1.04, i % 2);
	/* the next candidate is not tried yet: the first decides, nothing tried before it */
	conf = confirm_compute(doc, rec, &p);
	assert_int_equal(json_integer_value(json_object_get(conf, "threads")), 4);
	assert_string_equal(json_string_value(json_object_get(conf, "verdict")), "not_reproduced");
	assert_int_equal(json_array_size(json_object_get(conf, "tried")), 0);
	json_decref(conf);
	/* 8 threads' own pairs, numbered from 1 again */
	for (int i = 0; i < 5; i++)
		add_cand_pair(doc, 8, i + 1, 834, 834 * (1.12 + 0.01 * i), !(i % 2));
	conf = confirm_compute(doc, rec, &p);
	assert_int_equal(json_integer_value(json_object_get(conf, "threads")), 8);
	assert_string_equal(json_string_value(json_object_get(conf, "verdict")), "confirmed");
	assert_int_equal(json_integer_value(json_object_get(conf, "complete_pairs")), 5);
	assert_true(fabs(num(conf, "median_ratio") - 1.14) < 1e-9);
	assert_int_equal(confirm_next_pair(conf), 6);
	tried = json_object_get(conf, "tried");
	assert_int_equal(json_array_size(tried), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(tried, 0), "threads")), 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(tried, 0),
							    "complete_pairs")), 5);
	assert_true(fabs(num(json_array_get(tried, 0), "median_ratio") - 1.04) < 1e-9);
	confirm_apply(rec, conf);
	assert_int_equal(json_integer_value(json_object_get(rec, "threads")), 8);
	assert_true(fabs(num(rec, "mb_s") - 940) < 1e-9);
	assert_string_equal(json_string_value(json_object_get(rec, "confidence")), "low");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(conf, "grid"),
							    "threads")), 4);
	assert_true(contains(json_string_value(json_object_get(rec, "reason")),
			     "confirmed the gain of 8 threads over the default (the median ratio "
			     "1.14 is above 1.05"));
	assert_true(contains(json_string_value(json_object_get(rec, "reason")),
			     "after the fewer-thread candidate tried first was not confirmed: 4 "
			     "threads (median ratio 1.04) (the grid alone suggested 4"));
	line = confirm_line(rec);
	assert_true(contains(line, "#   paired confirmation, tried first: 4 threads were 1.04x "
				   "the default (2) in the median of 5 pairs"));
	assert_true(contains(line, ": not reproduced, the median ratio 1.04 is not above 1.05"));
	assert_true(contains(line, "\n#   paired confirmation: 8 threads were 1.14x the default "
				   "(2) in the median of 5 pairs (faster in 5 of 5; 93.75 % "
				   "interval 1.12–1.16): confirmed\n"));
	free(line);
	json_decref(conf);
	json_decref(rec);
	json_decref(doc);
}

static void test_no_candidate_reproduced(void **state)
{
	struct confirm_params p = params(3);
	json_t *doc = new_doc();
	json_t *rec = new_lab_rec();
	json_t *conf;
	char *line;

	(void)state;
	for (int i = 0; i < 3; i++)
		add_cand_pair(doc, 4, i + 1, 834, 834 * 1.04, true);
	for (int i = 0; i < 3; i++)
		add_cand_pair(doc, 8, i + 1, 834, 834 * 1.02, false);
	conf = confirm_compute(doc, rec, &p);
	assert_int_equal(json_integer_value(json_object_get(conf, "threads")), 8);
	assert_string_equal(json_string_value(json_object_get(conf, "verdict")), "not_reproduced");
	assert_int_equal(json_array_size(json_object_get(conf, "tried")), 1);
	confirm_apply(rec, conf);
	assert_int_equal(json_integer_value(json_object_get(rec, "threads")), 2);
	assert_true(fabs(num(rec, "mb_s") - 834) < 1e-9);
	assert_string_equal(json_string_value(json_object_get(rec, "confidence")), "none");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(conf, "grid"),
							    "threads")), 4);
	assert_true(contains(json_string_value(json_object_get(rec, "reason")),
			     "the paired confirmation did not reproduce the gain over the default "
			     "of any candidate tried: 4 threads (median ratio 1.04), then 8 threads: "
			     "the median ratio 1.02 is not above 1.05"));
	line = recommend_line(rec);
	assert_true(contains(line, "keep the default (2)"));
	free(line);
	line = confirm_line(rec);
	assert_true(contains(line, "tried first: 4 threads were 1.04x"));
	assert_true(contains(line, "paired confirmation: 8 threads were 1.02x"));
	free(line);
	json_decref(conf);
	json_decref(rec);
	json_decref(doc);
}

/* A gain in the median but not in every pair: the interval's lower end is not above 1. */
static void test_one_lost_pair_is_not_a_confirmation(void **state)
{
	static const double ratio[] = { 1.20, 1.25, 0.97, 1.22, 1.18 };
	struct confirm_params p = params(5);
	json_t *doc = new_doc();
	json_t *rec = new_rec(4, "low");
	json_t *conf;

	(void)state;
	for (int i = 0; i < 5; i++)
		add_pair(doc, i + 1, 800, 800 * ratio[i], false);
	conf = confirm_compute(doc, rec, &p);
	assert_string_equal(json_string_value(json_object_get(conf, "verdict")), "not_reproduced");
	assert_true(fabs(num(conf, "median_ratio") - 1.20) < 1e-9);
	assert_true(contains(json_string_value(json_object_get(conf, "why")),
			     "lower end 0.97 is not above 1"));
	json_decref(conf);
	json_decref(rec);
	json_decref(doc);
}

/* The default faster in every pair: falling back to it is a (low) recommendation in itself. */
static void test_default_faster_gives_low(void **state)
{
	struct confirm_params p = params(3);
	json_t *doc = new_doc();
	json_t *rec = new_rec(4, "high");
	json_t *conf;

	(void)state;
	for (int i = 0; i < 3; i++)
		add_pair(doc, i + 1, 800, 700 + i, i == 1);
	conf = confirm_compute(doc, rec, &p);
	assert_int_equal(json_integer_value(json_object_get(conf, "wins")), 0);
	confirm_apply(rec, conf);
	assert_int_equal(json_integer_value(json_object_get(rec, "threads")), 2);
	assert_string_equal(json_string_value(json_object_get(rec, "confidence")), "low");
	json_decref(conf);
	json_decref(rec);
	json_decref(doc);
}

static void test_failed_runs_skip_their_pair(void **state)
{
	struct confirm_params p = params(5);
	json_t *doc = new_doc();
	json_t *rec = new_rec(4, "high");
	json_t *conf;
	json_t *pairs;

	(void)state;
	add_grid_run(doc, 4, 5000);			/* no role: not a pair */
	add_pair(doc, 1, 800, 960, true);
	/* pair 2 stopped by Ctrl-C in its second run */
	add_confirm_run(doc, "shutil", 2, 1, 2, 1, 800, RUN_OK);
	add_confirm_run(doc, "shutil", 4, 1, 2, 2, 0, RUN_ABORTED);
	/* pair 3: a run with an error */
	add_confirm_run(doc, "shutil", 4, 1, 3, 1, 990, RUN_ERROR);
	add_confirm_run(doc, "shutil", 2, 1, 3, 2, 800, RUN_OK);
	add_pair(doc, 5, 800, 1000, false);
	add_pair(doc, 4, 800, 920, true);
	/* not of this confirmation: another strategy, thread count, or jobs */
	add_confirm_run(doc, "rw", 4, 1, 1, 1, 99, RUN_OK);
	add_confirm_run(doc, "shutil", 8, 1, 1, 1, 99, RUN_OK);
	add_confirm_run(doc, "shutil", 4, 2, 1, 1, 99, RUN_OK);
	conf = confirm_compute(doc, rec, &p);
	pairs = json_object_get(conf, "pairs");
	assert_int_equal(json_array_size(pairs), 5);
	assert_int_equal(json_integer_value(json_object_get(conf, "complete_pairs")), 3);
	assert_int_equal(json_integer_value(json_object_get(conf, "incomplete_pairs")), 2);
	/* in order of the pair, whatever the order of the runs */
	for (size_t i = 0; i < 5; i++) {
		json_t *pr = json_array_get(pairs, i);

		assert_int_equal(json_integer_value(json_object_get(pr, "pair")),
				 (json_int_t)i + 1);
	}
	assert_false(json_is_true(json_object_get(json_array_get(pairs, 1), "complete")));
	assert_true(json_is_null(json_object_get(json_array_get(pairs, 1), "recommended_mb_s")));
	assert_true(json_is_null(json_object_get(json_array_get(pairs, 2), "ratio")));
	assert_true(fabs(num(json_array_get(pairs, 3), "ratio") - 1.15) < 1e-9);
	/* the ratios of the complete pairs only: 1.2, 1.15, 1.25 */
	assert_int_equal(json_array_size(json_object_get(conf, "ratios")), 3);
	assert_true(fabs(num(conf, "median_ratio") - 1.2) < 1e-9);
	assert_true(fabs(num(conf, "ci_low") - 1.15) < 1e-9);
	assert_true(fabs(num(conf, "ci_coverage") - 0.75) < 1e-12);
	assert_string_equal(json_string_value(json_object_get(conf, "verdict")), "confirmed");
	assert_int_equal(confirm_next_pair(conf), 6);
	{
		char *text = confirm_text(conf);

		assert_true(contains(text, "75 % interval 1.15–1.25"));
		assert_true(contains(text, ", 2 incomplete pairs left out: confirmed"));
		free(text);
	}
	json_decref(conf);
	json_decref(rec);
	json_decref(doc);
}

static void test_zero_and_one_pair(void **state)
{
	struct confirm_params p = params(2);
	json_t *doc = new_doc();
	json_t *rec = new_rec(4, "high");
	json_t *conf;
	char *text;

	(void)state;
	add_grid_run(doc, 2, 800);
	conf = confirm_compute(doc, rec, &p);
	assert_string_equal(json_string_value(json_object_get(conf, "verdict")), "not_reproduced");
	assert_int_equal(json_integer_value(json_object_get(conf, "complete_pairs")), 0);
	assert_int_equal(json_array_size(json_object_get(conf, "pairs")), 0);
	assert_true(json_is_null(json_object_get(conf, "median_ratio")));
	assert_true(json_is_null(json_object_get(conf, "ci_low")));
	assert_int_equal(confirm_next_pair(conf), 1);
	text = confirm_text(conf);
	assert_true(contains(text, "no pair of 4 against 2 threads was complete: not reproduced"));
	free(text);
	confirm_apply(rec, conf);
	assert_int_equal(json_integer_value(json_object_get(rec, "threads")), 2);
	assert_string_equal(json_string_value(json_object_get(rec, "confidence")), "none");
	json_decref(conf);

	/* one pair, however clear, is too few */
	json_decref(rec);
	rec = new_rec(4, "high");
	add_pair(doc, 1, 800, 1600, true);
	conf = confirm_compute(doc, rec, &p);
	assert_string_equal(json_string_value(json_object_get(conf, "verdict")), "not_reproduced");
	assert_true(contains(json_string_value(json_object_get(conf, "why")), "too few"));
	assert_true(fabs(num(conf, "ci_coverage")) < 1e-12);
	json_decref(conf);
	json_decref(rec);
	json_decref(doc);
}

/*
 * A sweep's loop over one candidate: pairs at ratio[0], ratio[1], ... are added (the default at
 * 800 MB/s) while confirm_pairs_wanted() asks for more; the last confirmation is returned and
 * *added_after_planned says whether more pairs were asked for right after the planned ones.
 */
static json_t *run_pairs(json_t *doc, json_t *rec, const double *ratio, size_t nr,
			 const struct confirm_params *p, bool *added_after_planned)
{
	json_t *conf = confirm_compute_one(doc, rec, 4, true, p);
	size_t k = 0;

	*added_after_planned = false;
	while (json_integer_value(json_object_get(conf, "complete_pairs")) <
	       confirm_pairs_wanted(conf, p)) {
		assert_true(k < nr);
		add_pair(doc, (long)k + 1, 800, 800 * ratio[k], k % 2);
		k++;
		json_decref(conf);
		conf = confirm_compute_one(doc, rec, 4, true, p);
		if (k == (size_t)p->pairs)
			*added_after_planned = confirm_pairs_wanted(conf, p) > p->pairs;
	}
	return conf;
}

/* Promising but not proven after 5 pairs (the lab run's ratios): pairs are added until proven. */
static void test_added_pairs_confirm(void **state)
{
	static const double ratio[] = { 1.22, 1.06, 0.96, 0.95, 1.08, 1.15, 1.12, 1.14, 1.13,
					 1.16, 1.11, 1.17, 1.13, 1.12, 1.18 };
	struct confirm_params p = params(5);
	json_t *doc = new_doc();
	json_t *rec = new_rec(4, "high");
	json_t *conf;
	bool added;
	long n;
	char want[96];
	char *line;

	(void)state;
	conf = run_pairs(doc, rec, ratio, 15, &p, &added);
	assert_true(added);
	n = (long)json_integer_value(json_object_get(conf, "complete_pairs"));
	assert_in_range(n, 6, 14);
	assert_string_equal(json_string_value(json_object_get(conf, "verdict")), "confirmed");
	assert_true(json_is_true(json_object_get(conf, "extended")));
	assert_int_equal(json_integer_value(json_object_get(conf, "pairs_planned")), 5);
	assert_int_equal(json_integer_value(json_object_get(conf, "pairs_max")), 15);
	assert_true(num(conf, "ci_low") > 1);
	assert_int_equal(confirm_pairs_wanted(conf, &p), n);	/* decided: nothing more */
	snprintf(want, sizeof(want), "5 pairs were not enough; %ld pairs ran: the median ratio", n);
	assert_true(contains(json_string_value(json_object_get(conf, "why")), want));
	confirm_apply(rec, conf);
	assert_int_equal(json_integer_value(json_object_get(rec, "threads")), 4);
	line = confirm_line(rec);
	snprintf(want, sizeof(want), ": confirmed (5 pairs were not enough; %ld pairs ran)\n", n);
	assert_true(contains(line, want));
	free(line);
	json_decref(conf);
	json_decref(rec);
	json_decref(doc);
}

/* Promising but never proven: pairs are added up to --confirm-max, then the default stays. */
static void test_added_pairs_to_the_max(void **state)
{
	static const double ratio[] = { 1.20, 0.95, 1.10, 1.12, 0.97, 1.20, 0.95, 1.10,
					1.12, 0.97, 1.20, 0.95, 1.10, 1.12, 0.97 };
	struct confirm_params p = params(5);
	json_t *doc = new_doc();
	json_t *rec = new_rec(4, "high");
	json_t *conf;
	bool added;
	char *line;

	(void)state;
	conf = run_pairs(doc, rec, ratio, 15, &p, &added);
	assert_true(added);
	assert_int_equal(json_integer_value(json_object_get(conf, "complete_pairs")), 15);
	assert_string_equal(json_string_value(json_object_get(conf, "verdict")), "not_reproduced");
	assert_true(json_is_true(json_object_get(conf, "extended")));
	assert_true(num(conf, "median_ratio") > 1.05 && !(num(conf, "ci_low") > 1));
	assert_true(contains(json_string_value(json_object_get(conf, "why")),
			     "5 pairs were not enough; 15 pairs ran (the most --confirm-max "
			     "allows): the interval's lower end"));
	confirm_apply(rec, conf);
	assert_int_equal(json_integer_value(json_object_get(rec, "threads")), 2);
	assert_true(contains(json_string_value(json_object_get(rec, "reason")),
			     "5 pairs were not enough; 15 pairs ran"));
	line = confirm_line(rec);
	assert_true(contains(line, "in the median of 15 pairs"));
	assert_true(contains(line, ": not reproduced, 5 pairs were not enough; 15 pairs ran"));
	free(line);
	json_decref(conf);
	json_decref(rec);
	json_decref(doc);

	/* --confirm-max equal to --confirm: the same pairs add nothing */
	doc = new_doc();
	rec = new_rec(4, "high");
	p.pairs_max = 5;
	conf = run_pairs(doc, rec, ratio, 15, &p, &added);
	assert_false(added);
	assert_int_equal(json_integer_value(json_object_get(conf, "complete_pairs")), 5);
	assert_false(json_is_true(json_object_get(conf, "extended")));
	assert_int_equal(json_integer_value(json_object_get(conf, "pairs_max")), 5);
	assert_null(strstr(json_string_value(json_object_get(conf, "why")), "not enough"));
	json_decref(conf);
	json_decref(rec);
	json_decref(doc);
}

/* A median ratio at or below 1 + the tolerance is no gain worth a change: nothing is added. */
static void test_no_pairs_added_at_tolerance(void **state)
{
	static const double at[] = { 1.05, 1.02, 0.98, 1.10, 1.06 };	/* median 1.05 */
	static const double below[] = { 1.01, 0.97, 1.03, 0.99, 1.00 };
	struct confirm_params p = params(5);
	const double *sets[] = { at, below };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		json_t *doc = new_doc();
		json_t *rec = new_rec(4, "high");
		json_t *conf;
		bool added;

		conf = run_pairs(doc, rec, sets[i], 5, &p, &added);
		assert_false(added);
		assert_int_equal(json_integer_value(json_object_get(conf, "complete_pairs")), 5);
		assert_int_equal(confirm_pairs_wanted(conf, &p), 5);
		assert_string_equal(json_string_value(json_object_get(conf, "verdict")),
				    "not_reproduced");
		assert_false(json_is_true(json_object_get(conf, "extended")));
		assert_true(contains(json_string_value(json_object_get(conf, "why")),
				     "is not above 1.05"));
		json_decref(conf);
		json_decref(rec);
		json_decref(doc);
	}
}

/* The recommendation of cpython (the real copier): its pairs are cpython's, shutil's not. */
static void test_cpython_pairs(void **state)
{
	static const double ratio[] = { 1.14, 1.10, 1.21, 1.08, 1.16 };
	struct confirm_params p = params(5);
	json_t *doc = new_doc();
	json_t *rec = new_rec(4, "high");
	json_t *conf;
	char *line;

	(void)state;
	json_object_set_new(rec, "strategy", json_string("cpython"));
	assert_null(confirm_skip_reason(rec, &p));
	for (int i = 0; i < 5; i++) {
		add_confirm_run(doc, "cpython", 2, 1, i + 1, 1, 800, RUN_OK);
		add_confirm_run(doc, "cpython", 4, 1, i + 1, 2, 800 * ratio[i], RUN_OK);
		/* shutil pairs at a loss: not the copier's, so not counted */
		add_confirm_run(doc, "shutil", 2, 1, i + 6, 1, 800, RUN_OK);
		add_confirm_run(doc, "shutil", 4, 1, i + 6, 2, 700, RUN_OK);
	}
	conf = confirm_compute(doc, rec, &p);
	assert_string_equal(json_string_value(json_object_get(conf, "strategy")), "cpython");
	assert_string_equal(json_string_value(json_object_get(conf, "verdict")), "confirmed");
	assert_int_equal(json_integer_value(json_object_get(conf, "complete_pairs")), 5);
	assert_true(fabs(num(conf, "median_ratio") - 1.14) < 1e-9);
	assert_int_equal(confirm_next_pair(conf), 6);
	confirm_apply(rec, conf);
	line = confirm_line(rec);
	assert_true(contains(line, "1.14x the default (2) in the median of 5 pairs"));
	free(line);
	json_decref(conf);
	/* a recommendation of any other strategy is not CryoSPARC's copier */
	json_object_set_new(rec, "strategy", json_string("uring"));
	assert_true(contains(confirm_skip_reason(rec, &p), "not of cpython or shutil"));
	json_decref(rec);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skip_reasons),
		cmocka_unit_test(test_order_is_drawn_per_pair),
		cmocka_unit_test(test_confirmed),
		cmocka_unit_test(test_not_reproduced_falls_back),
		cmocka_unit_test(test_next_candidate_confirmed),
		cmocka_unit_test(test_no_candidate_reproduced),
		cmocka_unit_test(test_one_lost_pair_is_not_a_confirmation),
		cmocka_unit_test(test_default_faster_gives_low),
		cmocka_unit_test(test_failed_runs_skip_their_pair),
		cmocka_unit_test(test_zero_and_one_pair),
		cmocka_unit_test(test_added_pairs_confirm),
		cmocka_unit_test(test_added_pairs_to_the_max),
		cmocka_unit_test(test_no_pairs_added_at_tolerance),
		cmocka_unit_test(test_cpython_pairs),
	};

	return cmocka_run_group_tests_name("confirm", tests, NULL, NULL);
}
