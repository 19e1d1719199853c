/* SPDX-License-Identifier: MIT */
/*
 * test_noderuns.c - a run across nodes from its parts (the aggregate over the span, the spread,
 * the merged state), the scaling curve and the recommendation by node count, and a set shared out
 * among nodes.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/cells.h"
#include "analysis/noderuns.h"
#include "analysis/scaling.h"
#include "dataset/dataset.h"
#include "testutil.h"

/* A node's part: bytes copied between start and the ends, seconds from the barrier's release. */
static json_t *part(int rank, const char *host, long long bytes, double start, double copied,
		    double durable, double residency)
{
	const double secs = durable - start;

	return json_pack("{s:i, s:s, s:I, s:I, s:f, s:f, s:f, s:f, s:{s:f, s:f}, s:f, s:{s:f, s:f},"
			 " s:{s:s, s:f, s:f, s:b}, s:b, s:[s], s:[], s:{s:f, s:f, s:f},"
			 " s:{s:f}, s:s}",
			 "rank", rank, "host", host, "files", (json_int_t)4, "bytes",
			 (json_int_t)bytes, "seconds_copied", copied - start, "seconds_durable", secs,
			 "mb_s", (double)bytes / secs / 1e6, "mb_s_copied",
			 (double)bytes / (copied - start) / 1e6, "latency_ms", "p50", 10.0 * (rank + 1),
			 "p99", 20.0 * (rank + 1), "tail_s", 0.01 * (rank + 1), "cpu", "user_s", 0.5,
			 "sys_s", 1.0, "cold", "method", "drop_caches", "residency_pct", residency,
			 "threshold_pct", 5.0, "cold", residency <= 5.0, "aborted", 0, "warnings",
			 "a warning", "errors", "timing", "start_s", start, "end_copied_s", copied,
			 "end_durable_s", durable, "sampler", "seconds", 1.0, "strategy", "shutil");
}

static json_t *new_run(void)
{
	return json_pack("{s:I, s:s, s:I, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:b, s:[], s:[]}", "seq",
			 (json_int_t)7, "strategy", "shutil", "threads", (json_int_t)2, "seconds_copied",
			 "seconds_durable", "mb_s", "mb_s_copied", "latency_ms", "tail_s", "cold",
			 "aborted", 0, "warnings", "errors");
}

/* IOR's reduction: all the bytes over the latest end minus the earliest start, each clock. */
static void test_aggregate_over_span(void **state)
{
	json_t *parts = json_array();
	json_t *run = new_run();
	json_t *pn;
	json_t *spread;

	/* given out of order: rank 1 starts late and ends last, rank 0 starts first */
	json_array_append_new(parts, part(1, "b", 300000000, 0.002, 1.5, 2.0, 0.0));
	json_array_append_new(parts, part(0, "a", 200000000, 0.001, 0.9, 1.0, 1.0));
	noderuns_merge(run, parts);
	assert_int_equal(json_integer_value(json_object_get(run, "bytes")), 500000000);
	assert_int_equal(json_integer_value(json_object_get(run, "files")), 8);
	assert_true(fabs(json_real_value(json_object_get(run, "seconds_durable")) - 1.999) < 1e-9);
	assert_true(fabs(json_real_value(json_object_get(run, "seconds_copied")) - 1.499) < 1e-9);
	assert_true(fabs(json_real_value(json_object_get(run, "mb_s")) - 500.0 / 1.999) < 1e-6);
	assert_true(fabs(json_real_value(json_object_get(run, "mb_s_copied")) - 500.0 / 1.499) <
		    1e-6);
	/* the slowest node's latencies, the longest tail, the sum of the CPU */
	assert_true(json_real_value(json_object_get(json_object_get(run, "latency_ms"), "p99")) ==
		    40.0);
	assert_true(json_real_value(json_object_get(run, "tail_s")) == 0.02);
	assert_true(json_real_value(json_object_get(json_object_get(run, "cpu"), "sys_s")) == 2.0);
	/* the worst residency, all cold */
	assert_true(json_real_value(json_object_get(json_object_get(run, "cold"), "residency_pct")) ==
		    1.0);
	assert_true(json_is_true(json_object_get(json_object_get(run, "cold"), "cold")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(run, "cold"), "method")),
			    "drop_caches");
	/* by rank, what they ran kept apart, rank 0's sampler moved up */
	pn = json_object_get(run, "per_node");
	assert_int_equal(json_array_size(pn), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(pn, 0), "rank")), 0);
	assert_null(json_object_get(json_array_get(pn, 0), "sampler"));
	assert_non_null(json_object_get(json_array_get(pn, 1), "sampler"));
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(json_array_get(pn, 1), "ran"), "strategy")),
			    "shutil");
	assert_null(json_object_get(json_array_get(pn, 1), "strategy"));
	assert_non_null(json_object_get(run, "sampler"));
	/* rank 0: 200 MB in 0.999 s; rank 1: 300 MB in 1.998 s is the slower */
	spread = json_object_get(run, "node_spread");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(spread, "slowest"),
							    "rank")), 1);
	assert_true(fabs(json_real_value(json_object_get(spread, "spread_pct")) -
			 (200.2 - 150.15) / 200.2 * 100) < 0.1);
	/* every part's warnings, named by host and rank */
	assert_string_equal(json_string_value(json_array_get(json_object_get(run, "warnings"), 1)),
			    "node 'a' (rank 0): a warning");
	assert_false(json_is_true(json_object_get(run, "aborted")));
	json_decref(run);
	json_decref(parts);
}

/* A part that failed before the copy: no timing; its error travels, the run is not a rate. */
static void test_failed_part(void **state)
{
	json_t *parts = json_array();
	json_t *run = new_run();
	json_t *bad = json_pack("{s:i, s:s, s:I, s:I, s:b, s:[], s:[s]}", "rank", 1, "host", "b",
				"files", (json_int_t)0, "bytes", (json_int_t)0, "aborted", 1,
				"warnings", "errors", "cannot drop the page cache");

	json_array_append_new(parts, part(0, "a", 100, 0.0, 0.5, 1.0, 0.0));
	json_array_append_new(parts, bad);
	noderuns_merge(run, parts);
	assert_true(json_is_true(json_object_get(run, "aborted")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(run, "errors"), 0)),
			    "node 'b' (rank 1): cannot drop the page cache");
	assert_true(json_is_null(json_object_get(json_object_get(run, "cold"), "residency_pct")));
	assert_false(json_is_true(json_object_get(json_object_get(run, "cold"), "cold")));
	/* the spread is over the parts that measured */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
				 json_object_get(run, "node_spread"), "slowest"), "rank")), 0);
	json_decref(run);
	json_decref(parts);
}

static json_t *cells_doc(void)
{
	/* shutil at 1 and 4 threads on 1 and 2 nodes, six runs a cell: at 2 nodes 4 threads wins */
	static const double rate[2][2] = { { 500, 520 }, { 700, 1400 } };
	json_t *runs = json_array();
	json_t *doc;

	for (int n = 0; n < 2; n++)
		for (int t = 0; t < 2; t++)
			for (int r = 0; r < 6; r++)
				json_array_append_new(runs, json_pack(
					"{s:s, s:i, s:i, s:i, s:f, s:f, s:b, s:[], s:[], s:{s:b, s:f}}",
					"strategy", "shutil", "threads", t ? 4 : 1, "jobs", 1, "nodes",
					n + 1, "mb_s", rate[n][t] + r, "mb_s_copied", rate[n][t] + r,
					"aborted", 0, "warnings", "errors", "cold", "cold", 1,
					"residency_pct", 0.0));
	doc = json_pack("{s:o}", "runs", runs);
	return doc;
}

static void test_scaling(void **state)
{
	json_t *doc = cells_doc();
	json_t *cells = cells_compute(doc, NULL);
	json_t *curves = scaling_curves(cells);
	json_t *recs;
	json_t *pts;
	char *lines;

	assert_int_equal(json_array_size(cells), 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(cells, 0), "nodes")), 1);
	assert_int_equal(json_array_size(curves), 2);
	pts = json_object_get(json_array_get(curves, 1), "points");	/* 4 threads */
	assert_int_equal(json_array_size(pts), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(pts, 1), "nodes")), 2);
	/* medians 522.5 and 1402.5: a node's share 701.25, 134 % of the single node's */
	assert_true(fabs(json_real_value(json_object_get(json_array_get(pts, 1), "per_node_mb_s")) -
			 701.25) < 1e-9);
	assert_true(fabs(json_real_value(json_object_get(json_array_get(pts, 1), "efficiency")) -
			 701.25 / 522.5) < 1e-9);
	recs = scaling_recommendations(cells, NULL);
	assert_int_equal(json_array_size(recs), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(recs, 1), "nodes")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(recs, 1), "threads")), 4);
	lines = scaling_lines(recs);
	assert_non_null(strstr(lines, "with 2 nodes caching together: 4 threads each, 1402 MB/s in "
				      "all, 701 MB/s a node"));
	free(lines);
	/* one node alone: cells without "nodes" make no curve */
	json_decref(recs);
	json_decref(curves);
	json_decref(cells);
	json_decref(doc);
}

static void make_set(struct dataset *ds)
{
	static const uint64_t sizes[] = { 900, 100, 500, 500, 300, 700, 200, 50 };

	memset(ds, 0, sizeof(*ds));
	ds->root = xstrdup("/data");
	ds->files = xcalloc(8, sizeof(*ds->files));
	for (size_t i = 0; i < 8; i++) {
		ds->files[i].rel = pathf("J%zu/s%zu.mrcs", i % 3, i);
		ds->files[i].size = sizes[i];
		ds->bytes += sizes[i];
	}
	ds->nr = 8;
}

static void test_share(void **state)
{
	struct dataset ds, back;
	struct dataset shares[3];
	uint64_t total = 0, most = 0, least = UINT64_MAX;
	size_t files = 0;
	char why[256];
	json_t *j;

	make_set(&ds);
	j = dataset_to_json(&ds);
	assert_int_equal(dataset_from_json(&back, j, why, sizeof(why)), 0);
	assert_int_equal(back.nr, 8);
	assert_int_equal(back.bytes, ds.bytes);
	assert_int_equal(back.nr_dirs, 3);	/* J0 J1 J2, collected anew */
	json_decref(j);
	for (size_t k = 0; k < 3; k++) {
		dataset_share(&back, k, 3, &shares[k]);
		total += shares[k].bytes;
		files += shares[k].nr;
		most = shares[k].bytes > most ? shares[k].bytes : most;
		least = shares[k].bytes < least ? shares[k].bytes : least;
	}
	/* disjoint and complete, and no share more than one file's size above another */
	assert_int_equal(total, ds.bytes);
	assert_int_equal(files, 8);
	assert_true(most - least <= 900);
	for (size_t a = 0; a < 3; a++)
		for (size_t i = 0; i < shares[a].nr; i++)
			for (size_t b = a + 1; b < 3; b++)
				for (size_t k = 0; k < shares[b].nr; k++)
					assert_string_not_equal(shares[a].files[i].rel,
								shares[b].files[k].rel);
	for (size_t k = 0; k < 3; k++)
		dataset_release(&shares[k]);
	dataset_release(&back);
	j = json_pack("{s:s, s:[[s, i]]}", "root", "/data", "files", "/etc/passwd", 1);
	assert_int_equal(dataset_from_json(&back, j, why, sizeof(why)), -EINVAL);
	json_decref(j);
	dataset_release(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregate_over_span),
		cmocka_unit_test(test_failed_part),
		cmocka_unit_test(test_scaling),
		cmocka_unit_test(test_share),
	};

	return cmocka_run_group_tests_name("noderuns", tests, NULL, NULL);
}
