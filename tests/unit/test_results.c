/* SPDX-License-Identifier: MIT */
/* test_results.c - the results folder, atomic writes of results.json, first-run bias. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bench/results.h"
#include "lib/util.h"
#include "testutil.h"

static int make_tmp(void **state)
{
	char *dir = test_tmpdir("results");

	assert_non_null(dir);
	*state = dir;
	return 0;
}

static int remove_tmp(void **state)
{
	assert_int_equal(test_rmtree(*state), 0);
	free(*state);
	return 0;
}

static void add_run(struct results *r, const char *strategy, int threads, double mb_s)
{
	json_array_append_new(results_runs(r),
			      json_pack("{s:s, s:i, s:f, s:b, s:[]}", "strategy", strategy, "threads",
					threads, "mb_s", mb_s, "aborted", 0, "errors"));
}

static void test_write_is_atomic_and_valid(void **state)
{
	char *out = path_join(*state, "out");
	struct results r;
	json_t *back;
	json_error_t err;
	DIR *d;
	struct dirent *de;
	int entries = 0;

	assert_int_equal(results_create(&r, out, "x", NULL, 0), 0);
	add_run(&r, "shutil", 2, 100);
	assert_int_equal(results_write(&r), 0);
	back = json_load_file(r.path, 0, &err);
	assert_non_null(back);
	assert_string_equal(json_string_value(json_object_get(back, "schema")), RESULTS_SCHEMA);
	assert_int_equal(json_array_size(json_object_get(back, "runs")), 1);
	json_decref(back);
	/* nothing but results.json is left behind: the temporary file was renamed */
	d = opendir(out);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			entries++;
	closedir(d);
	assert_int_equal(entries, 1);
	results_release(&r);

	/* a folder that already holds results is refused, never overwritten */
	assert_int_equal(results_create(&r, out, "x", NULL, 0), -EEXIST);
	results_release(&r);
	free(out);
}

/* A folder holding anything but results (an older report.html) is refused, saying which. */
static void test_nonempty_folder_refused(void **state)
{
	char *out = path_join(*state, "used");
	char *html = path_join(out, "report.html");
	char *lf = path_join(*state, "fresh-fs");
	char *lf_dir = path_join(lf, "lost+found");
	struct results r;
	char why[512] = "";
	FILE *f;

	assert_int_equal(mkdir_p(out), 0);
	f = fopen(html, "w");
	assert_non_null(f);
	fputs("<html>old</html>\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(results_create(&r, out, "x", why, sizeof(why)), -ENOTEMPTY);
	assert_non_null(strstr(why, out));
	assert_non_null(strstr(why, "'report.html'"));
	assert_non_null(strstr(why, "choose an empty or new folder"));
	results_release(&r);
	/* nothing was written there */
	{
		char *res = path_join(out, RESULTS_FILE);

		assert_int_equal(access(res, F_OK), -1);
		free(res);
	}

	/* the root of a fresh file system holds lost+found: still empty enough */
	assert_int_equal(mkdir_p(lf_dir), 0);
	assert_int_equal(results_create(&r, lf, "x", why, sizeof(why)), 0);
	results_release(&r);
	free(lf_dir);
	free(lf);
	free(html);
	free(out);
}

/* A write that fails is remembered with what the file on disk still holds. */
static void test_write_failure_accounting(void **state)
{
	char *out = path_join(*state, "acct");
	struct results r;
	char why[1024];

	assert_int_equal(results_create(&r, out, "x", NULL, 0), 0);
	add_run(&r, "shutil", 2, 100);
	add_run(&r, "shutil", 2, 101);
	assert_int_equal(results_write(&r), 0);
	assert_int_equal(r.written_runs, 2);
	assert_int_equal(r.write_err, 0);
	add_run(&r, "shutil", 2, 102);
	/* the folder gone: the write fails as a full disk would */
	assert_int_equal(unlink(r.path), 0);
	assert_int_equal(rmdir(out), 0);
	assert_int_equal(results_write(&r), -ENOENT);
	assert_int_equal(r.write_err, -ENOENT);
	assert_int_equal(r.written_runs, 2);
	results_write_why(&r, why, sizeof(why));
	assert_non_null(strstr(why, "cannot write results.json in '"));
	assert_non_null(strstr(why, "in memory only"));
	assert_non_null(strstr(why, "holds 2 of the 3 runs"));
	results_release(&r);
	free(out);
}

static void test_default_folder_is_new_each_time(void **state)
{
	struct results a, b;
	char cwd[4096];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(*state), 0);
	assert_int_equal(results_create(&a, NULL, "shutil-2", NULL, 0), 0);
	assert_int_equal(results_create(&b, NULL, "shutil-2", NULL, 0), 0);
	assert_string_not_equal(a.dir, b.dir);
	assert_non_null(strstr(a.dir, "cryocache-results/"));
	assert_non_null(strstr(a.dir, "-shutil-2"));
	results_release(&a);
	results_release(&b);
	assert_int_equal(chdir(cwd), 0);
}

static size_t nr_warnings(struct results *r)
{
	return json_array_size(json_object_get(r->root, "warnings"));
}

static void test_first_run_bias(void **state)
{
	char *out = path_join(*state, "bias");
	char *out2 = path_join(*state, "bias2");
	struct results r;
	const char *msg;

	assert_int_equal(results_create(&r, out, "x", NULL, 0), 0);
	/* within 10 % of the later median: no warning */
	add_run(&r, "shutil", 2, 95);
	add_run(&r, "rw", 4, 300);
	add_run(&r, "shutil", 2, 100);
	add_run(&r, "shutil", 2, 101);
	add_run(&r, "rw", 4, 310);
	add_run(&r, "rw", 4, 305);
	results_check_first_run_bias(&r);
	assert_int_equal(nr_warnings(&r), 0);
	results_release(&r);

	assert_int_equal(results_create(&r, out2, "x", NULL, 0), 0);
	add_run(&r, "shutil", 2, 60);
	add_run(&r, "shutil", 2, 100);
	add_run(&r, "shutil", 2, 104);
	add_run(&r, "shutil", 2, 98);
	results_check_first_run_bias(&r);
	assert_int_equal(nr_warnings(&r), 1);
	msg = json_string_value(json_array_get(json_object_get(r.root, "warnings"), 0));
	assert_non_null(strstr(msg, "first-run bias"));
	assert_non_null(strstr(msg, "40 % below"));
	assert_non_null(strstr(msg, "(100 MB/s)"));

	/* checked again (a resumed sweep ends again): replaced, not repeated; other warnings stay */
	results_warn(&r, "sampled to fit --budget 10m");
	results_check_first_run_bias(&r);
	results_check_first_run_bias(&r);
	assert_int_equal(nr_warnings(&r), 2);
	assert_int_equal(results_unwarn(&r, "first-run bias"), 1);
	assert_int_equal(nr_warnings(&r), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r.root, "warnings"), 0)),
			    "sampled to fit --budget 10m");
	results_release(&r);
	free(out);
	free(out2);
}

/* A warm-up run is slow by design: it is not the cell's first run, nor one of its later ones. */
static void test_first_run_bias_leaves_out_roles(void **state)
{
	char *out = path_join(*state, "roles");
	struct results r;

	assert_int_equal(results_create(&r, out, "x", NULL, 0), 0);
	add_run(&r, "shutil", 2, 40);
	json_object_set_new(json_array_get(results_runs(&r), 0), "role", json_string("warmup"));
	add_run(&r, "shutil", 2, 100);
	add_run(&r, "shutil", 2, 104);
	add_run(&r, "shutil", 2, 98);
	add_run(&r, "shutil", 2, 30);
	json_object_set_new(json_array_get(results_runs(&r), 4), "role", json_string("confirm"));
	results_check_first_run_bias(&r);
	assert_int_equal(nr_warnings(&r), 0);
	results_release(&r);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_is_atomic_and_valid, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_default_folder_is_new_each_time, make_tmp,
						remove_tmp),
		cmocka_unit_test_setup_teardown(test_first_run_bias, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_first_run_bias_leaves_out_roles, make_tmp,
						remove_tmp),
		cmocka_unit_test_setup_teardown(test_nonempty_folder_refused, make_tmp, remove_tmp),
		cmocka_unit_test_setup_teardown(test_write_failure_accounting, make_tmp, remove_tmp),
	};

	return cmocka_run_group_tests_name("results", tests, NULL, NULL);
}
