/* SPDX-License-Identifier: MIT */
/* test_compare.c - verdicts of compare_docs on fixture pairs (tests/data/compare). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/compare.h"
#include "report/report.h"
#include "testutil.h"

static json_t *load(const char *name)
{
	char *rel = pathf("data/compare/%s", name);
	char *path = test_source_path(rel);
	json_error_t jerr;
	json_t *d;

	free(rel);
	d = json_load_file(path, 0, &jerr);
	if (!d)
		fail_msg("%s: %s", path, jerr.text);
	free(path);
	return d;
}

/* compare base.json with NAME using the default parameters; NULL with why on refusal. */
static json_t *compare_with(const char *name, char *why, size_t len)
{
	struct compare_params p;
	json_t *a = load("base.json");
	json_t *b = load(name);
	json_t *c;

	compare_params_init(&p);
	c = compare_docs(a, b, &p, why, len);
	json_decref(a);
	json_decref(b);
	return c;
}

static json_t *cell(json_t *cmp, const char *strategy, int threads)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(cmp, "cells"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "strategy")), strategy) &&
		    json_integer_value(json_object_get(c, "threads")) == threads)
			return c;
	fail_msg("no cell %s/%d", strategy, threads);
	return NULL;
}

static const char *verdict(json_t *cmp, const char *strategy, int threads)
{
	return json_string_value(json_object_get(cell(cmp, strategy, threads), "verdict"));
}

static long long count(json_t *cmp, const char *v)
{
	return json_integer_value(json_object_get(json_object_get(cmp, "counts"), v));
}

static void test_regression(void **state)
{
	char why[256];
	json_t *c = compare_with("regression.json", why, sizeof(why));
	json_t *s8;

	assert_non_null(c);
	assert_true(json_is_true(json_object_get(c, "regression")));
	assert_string_equal(verdict(c, "shutil", 8), "slower");
	assert_string_equal(verdict(c, "shutil", 2), "same");
	assert_string_equal(verdict(c, "uring", 8), "same");
	s8 = cell(c, "shutil", 8);
	/* 5 against 5, no overlap: the exact p is 2/252 */
	assert_float_equal(json_number_value(json_object_get(s8, "p_value")), 2.0 / 252.0, 1e-12);
	assert_true(json_is_true(json_object_get(s8, "exact")));
	assert_float_equal(json_number_value(json_object_get(s8, "change_pct")), -20.0, 0.5);
	/* the aborted run and the failed one are not measurements */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(cell(c, "shutil", 2),
									      "baseline"),
							     "failed_runs")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(cell(c, "shutil", 2),
									      "baseline"),
							     "runs")), 5);
	assert_int_equal(count(c, "slower"), 1);
	assert_int_equal(json_array_size(json_object_get(c, "hardware")), 0);
	json_decref(c);
}

static void test_noise_only(void **state)
{
	char why[256];
	json_t *c = compare_with("noise.json", why, sizeof(why));

	assert_non_null(c);
	assert_false(json_is_true(json_object_get(c, "regression")));
	assert_int_equal(count(c, "same"), 3);
	assert_true(json_number_value(json_object_get(cell(c, "uring", 8), "p_value")) >= 0.05);
	json_decref(c);
}

static void test_improvement(void **state)
{
	char why[256];
	json_t *c = compare_with("improvement.json", why, sizeof(why));

	assert_non_null(c);
	assert_false(json_is_true(json_object_get(c, "regression")));
	assert_string_equal(verdict(c, "uring", 8), "faster");
	assert_float_equal(json_number_value(json_object_get(cell(c, "uring", 8), "change_pct")),
			   25.0, 0.5);
	json_decref(c);
}

static void test_tolerance_hides_small_real_change(void **state)
{
	/* 20 % slower is significant; with a 25 % minimum effect it counts as the same */
	struct compare_params p;
	json_t *a = load("base.json");
	json_t *b = load("regression.json");
	char why[256];
	json_t *c;

	compare_params_init(&p);
	p.tolerance = 0.25;
	c = compare_docs(a, b, &p, why, sizeof(why));
	assert_non_null(c);
	assert_string_equal(verdict(c, "shutil", 8), "same");
	assert_false(json_is_true(json_object_get(c, "regression")));
	json_decref(c);
	json_decref(a);
	json_decref(b);
}

static void test_missing_and_new_cells(void **state)
{
	char why[256];
	json_t *c = compare_with("missing.json", why, sizeof(why));

	assert_non_null(c);
	assert_string_equal(verdict(c, "uring", 8), "missing");
	assert_string_equal(verdict(c, "rw", 4), "new");
	assert_true(json_is_null(json_object_get(cell(c, "rw", 4), "change_pct")));
	assert_int_equal(count(c, "missing"), 1);
	assert_int_equal(count(c, "new"), 1);
	assert_false(json_is_true(json_object_get(c, "regression")));
	/* the strategies the parameters list (shutil, uring) first, then rw */
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(c, "cells"), 3), "strategy")),
			    "rw");
	json_decref(c);
}

/*
 * A change far beyond the tolerance that is not significant is "noisy", not "same"; cells come in
 * strategy and thread order whatever order the runs are in; each side says how long it took.
 */
static void test_noisy_and_order(void **state)
{
	const double wide[] = { 300, 500, 612, 1300, 1400 };
	const char *order[][2] = { { "shutil", "2" }, { "shutil", "8" }, { "uring", "8" },
				   { "cp", "4" } };
	struct compare_params p;
	json_t *a = load("base.json");
	json_t *b = load("base.json");
	json_t *runs = json_object_get(b, "runs");
	json_t *shuffled = json_array();
	json_t *r;
	json_t *c;
	json_t *s8;
	char why[256];
	size_t i;
	size_t k = 0;

	json_array_foreach(runs, i, r) {
		if (!strcmp(json_string_value(json_object_get(r, "strategy")), "shutil") &&
		    json_integer_value(json_object_get(r, "threads")) == 8)
			json_object_set_new(r, "mb_s", json_real(wide[k++]));
	}
	/* the runs backwards, and a cell of a strategy the parameters do not list */
	for (i = json_array_size(runs); i-- > 0;)
		json_array_append(shuffled, json_array_get(runs, i));
	r = json_deep_copy(json_array_get(runs, 0));
	json_object_set_new(r, "strategy", json_string("cp"));
	json_object_set_new(r, "threads", json_integer(4));
	json_array_insert_new(shuffled, 0, r);
	json_object_set_new(b, "runs", shuffled);
	compare_params_init(&p);
	c = compare_docs(a, b, &p, why, sizeof(why));
	assert_non_null(c);
	s8 = cell(c, "shutil", 8);
	assert_string_equal(verdict(c, "shutil", 8), "noisy");
	assert_true(json_number_value(json_object_get(s8, "p_value")) >= 0.05);
	assert_non_null(strstr(json_string_value(json_object_get(s8, "reason")),
			       "median 1200 -> 612 MB/s (-49 %), p 0.69: too noisy to judge, raise "
			       "--repeats (5 and 5 runs)"));
	assert_int_equal(count(c, "noisy"), 1);
	assert_int_equal(count(c, "same"), 2);
	assert_false(json_is_true(json_object_get(c, "regression")));
	assert_int_equal(json_array_size(json_object_get(c, "cells")), 4);
	for (i = 0; i < 4; i++) {
		json_t *x = json_array_get(json_object_get(c, "cells"), i);

		assert_string_equal(json_string_value(json_object_get(x, "strategy")), order[i][0]);
		assert_int_equal(json_integer_value(json_object_get(x, "threads")),
				 atoi(order[i][1]));
	}
	/* seconds: the runs' seconds_durable, failed ones included (the baseline has 7 at 2) */
	assert_float_equal(json_number_value(json_object_get(json_object_get(s8, "current"),
							     "seconds")),
			   json_number_value(json_object_get(json_object_get(s8, "baseline"),
							     "seconds")), 1e-9);
	assert_true(json_number_value(json_object_get(json_object_get(s8, "baseline"), "seconds")) >
		    0);
	json_decref(c);
	json_decref(a);
	json_decref(b);
}

/* Output rounding: each number to what it means, nothing like 0.050000000000000003. */
static void test_rounded(void **state)
{
	json_t *c = json_pack("{s:f, s:f, s:[{s:f, s:f, s:f, s:{s:f, s:f}}], s:[{s:s, s:f}]}",
			      "alpha", 0.05, "tolerance", 0.05 + 1e-17, "cells", "change_pct",
			      -19.91666666, "p_value", 0.007936507936, "u", 12.5, "baseline",
			      "median_mb_s", 1199.99999999, "seconds", 8.3394444, "environment",
			      "key", "params.target_spread", "baseline", 3.14159265);
	json_t *r = compare_rounded(c);
	json_t *cell0 = json_array_get(json_object_get(r, "cells"), 0);
	char *text = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));

	assert_float_equal(json_real_value(json_object_get(cell0, "change_pct")), -19.92, 1e-12);
	assert_float_equal(json_real_value(json_object_get(cell0, "p_value")), 0.007937, 1e-15);
	assert_float_equal(json_real_value(json_object_get(cell0, "u")), 12.5, 0);
	assert_float_equal(json_real_value(json_object_get(json_object_get(cell0, "baseline"),
							   "median_mb_s")), 1200.0, 0);
	assert_non_null(strstr(text, "\"alpha\":0.05,"));
	assert_non_null(strstr(text, "\"tolerance\":0.05}"));
	assert_non_null(strstr(text, "\"p_value\":0.007937,"));
	assert_non_null(strstr(text, "\"seconds\":8.339}"));
	assert_non_null(strstr(text, "\"change_pct\":-19.92,"));
	assert_non_null(strstr(text, "\"baseline\":3.142,"));
	assert_null(strstr(text, "0000000"));
	assert_null(strstr(text, "9999999"));
	/* the original is left as it was */
	assert_float_equal(json_real_value(json_object_get(c, "alpha")), 0.05, 0);
	free(text);
	json_decref(r);
	json_decref(c);
}

static void test_insufficient(void **state)
{
	char why[256];
	json_t *c = compare_with("few.json", why, sizeof(why));

	assert_non_null(c);
	/* half as fast, but 3 runs are too few for a verdict */
	assert_string_equal(verdict(c, "shutil", 8), "insufficient");
	assert_true(json_is_null(json_object_get(cell(c, "shutil", 8), "p_value")));
	assert_int_equal(count(c, "insufficient"), 3);
	assert_false(json_is_true(json_object_get(c, "regression")));
	json_decref(c);
}

/* Warm-up and confirmation runs (a "role") are on neither side of a cell, nor a cell of their own. */
static void test_role_runs_left_out(void **state)
{
	struct compare_params p;
	json_t *a = load("base.json");
	json_t *b = load("base.json");
	json_t *runs = json_object_get(b, "runs");
	char why[256];
	json_t *c;
	json_t *c8;

	json_array_append_new(runs, json_pack("{s:i, s:s, s:i, s:i, s:f, s:b, s:[], s:[], s:s}",
					      "seq", 100, "strategy", "shutil", "threads", 8,
					      "repeat", 0, "mb_s", 1.0, "aborted", 0, "warnings",
					      "errors", "role", "warmup"));
	json_array_append_new(runs, json_pack("{s:i, s:s, s:i, s:i, s:f, s:b, s:[], s:[], s:s}",
					      "seq", 101, "strategy", "rw", "threads", 64, "repeat",
					      1, "mb_s", 900.0, "aborted", 0, "warnings", "errors",
					      "role", "confirm"));
	compare_params_init(&p);
	c = compare_docs(a, b, &p, why, sizeof(why));
	assert_non_null(c);
	assert_int_equal(count(c, "new"), 0);
	assert_false(json_is_true(json_object_get(c, "regression")));
	c8 = cell(c, "shutil", 8);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(c8, "current"), "runs")),
			 json_integer_value(json_object_get(json_object_get(c8, "baseline"), "runs")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(c8, "current"),
							    "failed_runs")), 0);
	json_decref(c);
	json_decref(a);
	json_decref(b);
}

static void test_schema_versions_differ(void **state)
{
	char why[256];
	json_t *c = compare_with("schema2.json", why, sizeof(why));

	assert_null(c);
	assert_non_null(strstr(why, "different schema versions"));
	assert_non_null(strstr(why, "cryocache-bench/2"));
}

static void test_not_results(void **state)
{
	struct compare_params p;
	json_t *a = load("base.json");
	json_t *b = json_pack("{s:s}", "schema", "something-else/1");
	char why[256];

	compare_params_init(&p);
	assert_null(compare_docs(a, b, &p, why, sizeof(why)));
	assert_non_null(strstr(why, "not a cryocache-bench results document"));
	json_decref(a);
	json_decref(b);
}

static void test_other_hardware(void **state)
{
	char why[256];
	json_t *c = compare_with("other-cpu.json", why, sizeof(why));
	json_t *h;

	assert_non_null(c);
	h = json_object_get(c, "hardware");
	assert_int_equal(json_array_size(h), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "key")),
			    "host.cpu_model");
	json_decref(c);
}

/* compare a with b (both taken over); NULL on refusal. */
static json_t *compare_pair(json_t *a, json_t *b)
{
	struct compare_params p;
	char why[256];
	json_t *c;

	compare_params_init(&p);
	c = compare_docs(a, b, &p, why, sizeof(why));
	json_decref(a);
	json_decref(b);
	return c;
}

/* The keys of c's hardware list, as JSON text. */
static char *hardware_text(json_t *c)
{
	json_t *keys = json_array();
	json_t *d;
	size_t i;
	char *text;

	json_array_foreach(json_object_get(c, "hardware"), i, d)
		json_array_append(keys, json_object_get(d, "key"));
	text = json_dumps(keys, 0);
	json_decref(keys);
	return text;
}

/* A document that does not say its hardware is from unknown hardware, absent or null alike. */
static void test_unknown_hardware(void **state)
{
	json_t *a = load("base.json");
	json_t *c;
	char *text;

	/* no host section: every host key is unknown, on the baseline's side */
	json_object_del(a, "host");
	c = compare_pair(a, load("noise.json"));
	assert_non_null(c);
	text = hardware_text(c);
	assert_string_equal(text, "[\"host.cpu_model\", \"host.cores\", \"host.machine\"]");
	free(text);
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(c, "hardware"), 0),
						 "baseline")));
	json_decref(c);
	/* a null CPU model: the same as none */
	a = load("base.json");
	json_object_set_new(json_object_get(a, "host"), "cpu_model", json_null());
	c = compare_pair(load("noise.json"), a);
	text = hardware_text(c);
	assert_string_equal(text, "[\"host.cpu_model\"]");
	free(text);
	json_decref(c);
	/* unknown on both sides is no proof of the same hardware either */
	a = load("base.json");
	json_object_del(json_object_get(a, "host"), "cores");
	c = load("noise.json");
	json_object_set_new(json_object_get(c, "host"), "cores", json_null());
	c = compare_pair(a, c);
	text = hardware_text(c);
	assert_string_equal(text, "[\"host.cores\"]");
	free(text);
	json_decref(c);
}

/* Medians of 0 on both sides: no change, and no NaN anywhere. */
static void test_zero_medians(void **state)
{
	json_t *a = load("base.json");
	json_t *b;
	json_t *run;
	json_t *c;
	size_t i;
	char *text;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	json_array_foreach(json_object_get(a, "runs"), i, run)
		json_object_set_new(run, "mb_s", json_real(0));
	b = json_deep_copy(a);
	c = compare_pair(a, b);
	assert_non_null(c);
	assert_string_equal(verdict(c, "shutil", 8), "same");
	assert_true(json_is_null(json_object_get(cell(c, "shutil", 8), "change_pct")));
	assert_non_null(strstr(json_string_value(json_object_get(cell(c, "shutil", 8), "reason")),
			       "no change, both 0"));
	text = json_dumps(c, 0);
	assert_null(strcasestr(text, "nan"));
	free(text);
	f = open_memstream(&buf, &len);
	assert_int_equal(compare_write_markdown(c, f), 0);
	assert_int_equal(compare_write_junit(c, f), 0);
	fclose(f);
	assert_null(strcasestr(buf, "nan"));
	assert_non_null(strstr(buf, "| shutil | 8 | 1 | same | 0 (5) | 0 (5) | no change (both 0) |"));
	free(buf);
	json_decref(c);
}

/* Runs that were not cold are counted per side and said in the reason and the summary. */
static void test_not_cold_flagged(void **state)
{
	json_t *a = load("base.json");
	json_t *b = load("noise.json");
	json_t *run;
	json_t *c;
	json_t *s8;
	size_t i;
	size_t n = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	json_array_foreach(json_object_get(b, "runs"), i, run) {
		json_t *cold = json_object_get(run, "cold");

		if (strcmp(json_string_value(json_object_get(run, "strategy")), "shutil") ||
		    json_integer_value(json_object_get(run, "threads")) != 8 || n == 2)
			continue;
		json_object_set_new(cold, "residency_pct", json_real(40));
		json_object_set_new(cold, "cold", json_false());
		n++;
	}
	assert_int_equal(n, 2);
	c = compare_pair(a, b);
	assert_non_null(c);
	s8 = cell(c, "shutil", 8);
	assert_true(json_is_true(json_object_get(s8, "not_cold")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s8, "current"),
							    "not_cold_runs")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s8, "baseline"),
							    "not_cold_runs")), 0);
	assert_non_null(strstr(json_string_value(json_object_get(s8, "reason")),
			       "not cold: 0 baseline and 2 current runs"));
	assert_true(json_is_false(json_object_get(cell(c, "shutil", 2), "not_cold")));
	f = open_memstream(&buf, &len);
	assert_int_equal(compare_write_markdown(c, f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "(5, 2 not cold)"));
	assert_non_null(strstr(buf, "### Not cold\n\n0 baseline and 2 current runs, in 1 cell,"));
	free(buf);
	json_decref(c);
}

/* A diag like results.json carries: an NVMe behind DST, an up NIC, a veth and loopback. */
static json_t *diag_doc(const char *model, long long speed)
{
	return json_pack("{s:[{s:s, s:[s]}, {s:s, s:[s]}], s:[{s:s, s:s}, {s:s, s:s}],"
			 " s:[{s:s, s:s, s:s, s:I}, {s:s, s:s, s:s}, {s:s, s:s, s:n}]}",
			 "locations", "role", "source", "devices", "vda", "role", "destination",
			 "devices", "nvme0n1", "block_devices", "name", "vda", "model", "virtio",
			 "name", "nvme0n1", "model", model, "interfaces", "name", "ens1f0",
			 "operstate", "up", "driver", "mlx5_core", "speed_mbps", (json_int_t)speed,
			 "name", "veth12", "operstate", "up", "driver", "veth", "name", "lo",
			 "operstate", "up", "driver");
}

static json_t *hardware_keys_of(const char *base_model, long long base_speed,
				const char *cur_model, long long cur_speed)
{
	json_t *a = load("base.json");
	json_t *b = load("noise.json");
	json_t *keys = json_array();
	struct compare_params p;
	json_t *c;
	json_t *d;
	char why[256];
	size_t i;

	compare_params_init(&p);
	json_object_set_new(a, "diag", diag_doc(base_model, base_speed));
	json_object_set_new(b, "diag", diag_doc(cur_model, cur_speed));
	c = compare_docs(a, b, &p, why, sizeof(why));
	assert_non_null(c);
	json_array_foreach(json_object_get(c, "hardware"), i, d)
		json_array_append(keys, json_object_get(d, "key"));
	json_decref(c);
	json_decref(a);
	json_decref(b);
	return keys;
}

static void test_hardware_from_diag(void **state)
{
	json_t *k = hardware_keys_of("Samsung PM9A3", 100000, "Samsung PM9A3", 100000);
	char *text;

	assert_int_equal(json_array_size(k), 0);
	json_decref(k);
	/* a 10G link where the baseline had 100G: other hardware */
	k = hardware_keys_of("Samsung PM9A3", 100000, "Samsung PM9A3", 10000);
	text = json_dumps(k, 0);
	assert_string_equal(text, "[\"host.nics\"]");
	free(text);
	json_decref(k);
	k = hardware_keys_of("Samsung PM9A3", 100000, "Micron 7450", 100000);
	text = json_dumps(k, 0);
	assert_string_equal(text, "[\"destination.device_models\"]");
	free(text);
	json_decref(k);
}

static void test_environment_listed_not_hardware(void **state)
{
	char why[256];
	json_t *c = compare_with("other-kernel.json", why, sizeof(why));
	json_t *env;
	bool kernel = false, mount = false;
	json_t *d;
	size_t i;

	assert_non_null(c);
	assert_int_equal(json_array_size(json_object_get(c, "hardware")), 0);
	env = json_object_get(c, "environment");
	json_array_foreach(env, i, d) {
		const char *k = json_string_value(json_object_get(d, "key"));

		kernel |= !strcmp(k, "host.kernel");
		mount |= !strcmp(k, "destination.mount_options");
	}
	assert_true(kernel);
	assert_true(mount);
	assert_int_equal(json_array_size(env), 2);
	json_decref(c);
}

static void test_junit_and_markdown(void **state)
{
	char why[256];
	json_t *c = compare_with("regression.json", why, sizeof(why));
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(compare_write_junit(c, f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "tests=\"3\" failures=\"1\""));
	/* time: the current runs' seconds_durable, 2000 MB / (961 MB/s * jitter) each */
	assert_non_null(strstr(buf, "name=\"shutil threads=8 jobs=1\" time=\"10.419\"><failure"));
	assert_non_null(strstr(buf, "skipped=\"0\" time=\"39.427\">"));
	free(buf);
	f = open_memstream(&buf, &len);
	assert_int_equal(compare_write_markdown(c, f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "REGRESSION"));
	assert_non_null(strstr(buf, "| shutil | 8 | 1 | **slower** |"));
	free(buf);
	json_decref(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regression),
		cmocka_unit_test(test_noise_only),
		cmocka_unit_test(test_improvement),
		cmocka_unit_test(test_tolerance_hides_small_real_change),
		cmocka_unit_test(test_missing_and_new_cells),
		cmocka_unit_test(test_noisy_and_order),
		cmocka_unit_test(test_rounded),
		cmocka_unit_test(test_insufficient),
		cmocka_unit_test(test_role_runs_left_out),
		cmocka_unit_test(test_schema_versions_differ),
		cmocka_unit_test(test_not_results),
		cmocka_unit_test(test_other_hardware),
		cmocka_unit_test(test_unknown_hardware),
		cmocka_unit_test(test_zero_medians),
		cmocka_unit_test(test_not_cold_flagged),
		cmocka_unit_test(test_hardware_from_diag),
		cmocka_unit_test(test_environment_listed_not_hardware),
		cmocka_unit_test(test_junit_and_markdown),
	};

	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
