/* SPDX-License-Identifier: MIT */
/*
 * test_live.c - the sweep's live line: the ETA from the median run (a slow first run does not
 * make it jump), counting down within a run, and the line's text (bar, phase, rate, "1 thread").
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/live.h"

static void test_eta_median(void **state)
{
	struct live_eta e = { 0 };

	(void)state;
	assert_true(live_eta_per_run(&e) < 0);
	assert_true(live_eta_left(live_eta_per_run(&e), 10, 0) < 0);
	/* a fast probe, then runs of about 5 s, then one slow run: the median stays at 5 s */
	live_eta_add(&e, 0.5);
	assert_true(live_eta_per_run(&e) == 0.5);
	live_eta_add(&e, 5);
	live_eta_add(&e, 5.2);
	live_eta_add(&e, 4.8);
	live_eta_add(&e, 60);
	assert_true(live_eta_per_run(&e) == 5);
	/* 12 runs left at 5 s; 2 s into the current one */
	assert_true(live_eta_left(5, 12, 0) == 60);
	assert_true(live_eta_left(5, 12, 2) == 58);
	/* a run that outlasts the median never brings the ETA below its last tenth */
	assert_true(live_eta_left(5, 1, 30) == 0.5);
	assert_true(live_eta_left(5, 0, 3) == 0);
	for (int i = 0; i < 100; i++)
		live_eta_add(&e, 5);
	assert_int_equal(e.n, 105);
	assert_true(live_eta_per_run(&e) == 5);
	live_eta_release(&e);
	assert_int_equal(e.n, 0);
}

static void test_line(void **state)
{
	struct live_state st = {
		.index = 3, .total = 18, .strategy = "shutil", .threads = 1, .repeat = 2,
		.phase = "copying", .bytes = 630000000, .set_bytes = 1260000000, .mb_s = 812.4,
		.eta_s = 250, .eta_of = "sweep",
	};
	char buf[256];

	(void)state;
	assert_string_equal(live_line_text(&st, 0, buf, sizeof(buf)),
			    "[3/18] shutil, 1 thread, repeat 2: copying         "
			    "[##########----------]  50 % 0.63/1.26 GB 812 MB/s; sweep ETA 4m10s");
	st.threads = 4;
	st.phase = "dropping caches";
	st.bytes = 0;
	st.mb_s = -1;
	st.eta_s = -1;
	st.eta_of = NULL;
	assert_string_equal(live_line_text(&st, 0, buf, sizeof(buf)),
			    "[3/18] shutil, 4 threads, repeat 2: dropping caches "
			    "[--------------------]   0 % 0.00/1.26 GB - MB/s; ETA ?");
	/* a run across nodes says how many copy together */
	st.nodes = 4;
	assert_non_null(strstr(live_line_text(&st, 0, buf, sizeof(buf)),
			       "shutil, 4 threads, 4 nodes, repeat 2:"));
	st.nodes = 1;
	assert_non_null(strstr(live_line_text(&st, 0, buf, sizeof(buf)), ", 1 node, repeat"));
	st.nodes = 0;
	/* more bytes than the set (a file grew): the bar stops full */
	st.bytes = 2 * st.set_bytes;
	live_line_text(&st, 0, buf, sizeof(buf));
	assert_non_null(strstr(buf, "[####################] 100 %"));
	/* cut to the terminal's width less one column, so it never wraps */
	assert_int_equal(strlen(live_line_text(&st, 40, buf, sizeof(buf))), 39);
	/* a short buffer is cut, not overrun */
	assert_int_equal(strlen(live_line_text(&st, 0, buf, 10)), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eta_median),
		cmocka_unit_test(test_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
