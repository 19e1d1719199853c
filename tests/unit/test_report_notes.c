/* SPDX-License-Identifier: MIT */
/*
 * test_report_notes.c - the sentences the reports add from diag: DST's online discard under the
 * time outside the clocks when the removal of the previous copy is the most of it, and this VM's
 * free page reporting beside noisy cells; each only when both of its conditions hold.
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

#include <jansson.h>

#include "report/data.h"
#include "report/render.h"

/* A run of 3 s wall time, 1 s inside the clock, delete_s waiting, remove_s its own length. */
static json_t *run(double delete_s, double sync_s, double remove_s)
{
	return json_pack("{s:f, s:f, s:{s:f, s:f, s:f}, s:{s:f}}", "wall_s", 3.0,
			 "seconds_durable", 1.0, "overhead_s", "delete", delete_s, "sync", sync_s,
			 "other", 2.0 - delete_s - sync_s, "background_s", "remove", remove_s);
}

static json_t *doc_with(bool discard, double delete_s, double sync_s)
{
	return json_pack("{s:[o, o, o], s:{s:[{s:s, s:s, s:s, s:b}]}}", "runs",
			 run(delete_s, sync_s, 0.43), run(delete_s, sync_s, 0.53),
			 run(delete_s, sync_s, 0.48), "diag", "locations", "role", "destination",
			 "mount_point", "/scratch", "fs_type", "ext4", "discard", discard);
}

static void put_raw(FILE *f, const char *s)
{
	fputs(s, f);
}

/* report.md's and report.html's overhead section of doc, in one string; free it. */
static char *overhead_text(json_t *doc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	report_overhead_md(f, doc, put_raw);
	report_overhead_html(f, doc);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_discard_note(void **state)
{
	(void)state;
	static const char note[] = "Removing the previous copy is the largest part of the time "
				   "outside the clocks (a median of 0.48 s per run, over 3 runs): "
				   "DST (/scratch, ext4) is mounted with online discard";
	json_t *doc = doc_with(true, 1.5, 0.2);
	char *text = overhead_text(doc);

	/* once in the Markdown, once in the HTML */
	assert_int_equal(count(text, note), 2);
	assert_non_null(strstr(text, "<p>Removing the previous copy"));
	free(text);
	json_decref(doc);

	/* no online discard: the removal is long for another reason */
	doc = doc_with(false, 1.5, 0.2);
	text = overhead_text(doc);
	assert_null(strstr(text, "online discard"));
	assert_non_null(strstr(text, "Time outside the clocks"));
	free(text);
	json_decref(doc);

	/* writing back, not the removal, is the most of the time outside the clocks */
	doc = doc_with(true, 0.3, 1.0);
	text = overhead_text(doc);
	assert_null(strstr(text, "online discard"));
	free(text);
	json_decref(doc);
}

static void test_noisy_cause(void **state)
{
	(void)state;
	json_t *cells = json_pack("[{s:[s]}, {s:[s, s]}]", "flags", "few_runs", "flags",
				  "not_cold", "noisy");
	json_t *quiet = json_pack("[{s:[s]}, {s:[]}]", "flags", "few_runs", "flags");
	json_t *vm = json_pack("{s:{s:{s:b}}}", "diag", "machine", "free_page_reporting", 1);
	json_t *metal = json_pack("{s:{s:{s:b}}}", "diag", "machine", "free_page_reporting", 0);
	json_t *unknown = json_pack("{s:{s:{s:n}}}", "diag", "machine", "free_page_reporting");
	const char *cause = report_noisy_cause(vm, cells);

	assert_non_null(cause);
	assert_non_null(strstr(cause, "free page reporting"));
	assert_non_null(strstr(cause, "a likely cause of the noisy cells' spread"));
	assert_null(report_noisy_cause(vm, quiet));
	assert_null(report_noisy_cause(metal, cells));
	assert_null(report_noisy_cause(unknown, cells));
	json_decref(cells);
	json_decref(quiet);
	json_decref(vm);
	json_decref(metal);
	json_decref(unknown);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discard_note),
		cmocka_unit_test(test_noisy_cause),
	};

	return cmocka_run_group_tests_name("report_notes", tests, NULL, NULL);
}
