/* SPDX-License-Identifier: MIT */
/* test_fioref.c - fio job files that match a set, fio's JSON (3.33 and 3.39), a real tiny job. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <cmocka.h>

#include "analysis/fioref.h"
#include "testutil.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	char chunk[4096];
	size_t n;

	assert_non_null(f);
	m = open_memstream(&buf, &len);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

static char *fixture(const char *name)
{
	char *rel = pathf("data/fio/%s", name);
	char *path = test_source_path(rel);
	char *text;

	free(rel);
	text = slurp(path);
	free(path);
	return text;
}

static void test_job_file_read(void **state)
{
	const struct fioref_file files[] = {
		{ "/data/J1/a.mrcs", 100 }, { "/data/J1/b:c.mrcs", 300 }, { "/data/J2/d.mrcs", 200 },
	};
	const struct fioref_job j = { .write = false, .direct = true, .jobs = 2 };
	char *t = fioref_job_file(files, 3, &j);

	assert_non_null(t);
	/* largest first to the emptiest job: 300 -> 0, 200 -> 1, 100 -> 1 */
	assert_non_null(strstr(t, "\n[read-0]\nfilename=/data/J1/b\\:c.mrcs\n"));
	assert_non_null(strstr(t, "\n[read-1]\nfilename=/data/J2/d.mrcs:/data/J1/a.mrcs\n"));
	assert_non_null(strstr(t, "\nioengine=io_uring\nbs=1048576\niodepth=32\nrw=read\ndirect=1\n"));
	/* a read job never carries a size: fio would lay out (overwrite) the source files */
	assert_null(strstr(t, "\nsize="));
	assert_null(strstr(t, "\nfilesize="));
	assert_null(strstr(t, "\nio_size="));
	assert_null(strstr(t, "\nnrfiles="));
	assert_null(strstr(t, "end_fsync"));
	free(t);
}

static void test_job_file_write(void **state)
{
	const struct fioref_file files[] = { { "/scratch/.cryocache-bench.x/fio/f0", 10 } };
	const struct fioref_job j = { .write = true, .jobs = 4, .bs = 4096, .iodepth = 8,
				      .ioengine = "psync" };
	char *t = fioref_job_file(files, 1, &j);

	assert_non_null(t);
	assert_non_null(strstr(t, "ioengine=psync\nbs=4096\niodepth=8\nrw=write\ndirect=0\n"));
	assert_non_null(strstr(t, "end_fsync=1\n"));
	/* more jobs than files: the empty ones are left out */
	assert_non_null(strstr(t, "[write-0]"));
	assert_null(strstr(t, "[write-1]"));
	free(t);
	/* refusals */
	assert_null(fioref_job_file(files, 0, &j));
	{
		const struct fioref_file rel[] = { { "relative/path", 1 } };
		const struct fioref_file nl[] = { { "/a\nb", 1 } };

		assert_null(fioref_job_file(rel, 1, &j));
		assert_null(fioref_job_file(nl, 1, &j));
	}
}

/* A time-based job: fio goes over the same files for runtime seconds, each pass durable. */
static void test_job_file_time_based(void **state)
{
	const struct fioref_file files[] = { { "/data/a.mrcs", 100 } };
	struct fioref_job j = { .write = false, .jobs = 1, .runtime_s = 7 };
	char *t = fioref_job_file(files, 1, &j);

	assert_non_null(t);
	assert_non_null(strstr(t, "\ninvalidate=1\n"));
	assert_non_null(strstr(t, "\ntime_based=1\nruntime=7\n"));
	/* a reader still has no size, and nothing to fsync */
	assert_null(strstr(t, "size="));
	assert_null(strstr(t, "fsync"));
	free(t);
	j.write = true;
	t = fioref_job_file(files, 1, &j);
	assert_non_null(strstr(t, "\nend_fsync=1\ntime_based=1\nruntime=7\nfsync_on_close=1\n"));
	free(t);
	/* one pass: no time_based */
	j.runtime_s = 0;
	t = fioref_job_file(files, 1, &j);
	assert_null(strstr(t, "time_based"));
	assert_null(strstr(t, "runtime="));
	assert_null(strstr(t, "fsync_on_close"));
	assert_non_null(strstr(t, "\ninvalidate=1\n"));
	free(t);
}

/* How long a measurement ran, from its own field or its fio results; short only for one pass. */
static void test_measurement_runtime(void **state)
{
	json_t *old = json_pack("{s:{s:{s:f}}, s:{s:{s:f}}}", "read", "read", "runtime_s", 0.07,
				"write", "write", "runtime_s", 0.09);
	json_t *rd = json_pack("{s:{s:{s:f}}, s:n}", "read", "read", "runtime_s", 0.5, "write");
	json_t *timed = json_pack("{s:f, s:b}", "runtime_s", 0.999, "time_based", 1);
	json_t *pass = json_pack("{s:f, s:b}", "runtime_s", 0.999, "time_based", 0);
	json_t *none = json_object();

	assert_float_equal(fioref_measurement_runtime(old), 0.09, 1e-12);
	assert_float_equal(fioref_measurement_runtime(rd), 0.5, 1e-12);
	assert_float_equal(fioref_measurement_runtime(timed), 0.999, 1e-12);
	assert_true(isnan(fioref_measurement_runtime(none)));
	assert_true(fioref_measurement_short(old));
	assert_true(fioref_measurement_short(pass));
	/* fio ends a 1 s time-based job at 999 ms: that is its runtime, not a short one */
	assert_false(fioref_measurement_short(timed));
	assert_false(fioref_measurement_short(none));
	json_decref(old);
	json_decref(rd);
	json_decref(timed);
	json_decref(pass);
	json_decref(none);
}

/* A cell faster than the ceiling is a warning naming the likely cause; others are not. */
static void test_above_ceiling(void **state)
{
	json_t *doc = json_pack("{s:{s:f, s:f, s:f, s:[{s:f, s:b}]}, s:{s:[s]}}", "reference",
				"ceiling_mb_s", 1150.0, "copy_direct_mb_s", 1100.0,
				"copy_buffered_mb_s", 1150.0, "measurements", "runtime_s", 5.0,
				"time_based", 1, "destination", "devices", "vda");
	json_t *cells = json_pack("[{s:s, s:i, s:i, s:f}, {s:s, s:i, s:i, s:f}, {s:s, s:i, s:i, "
				  "s:n}, {s:s, s:i, s:i, s:f}]",
				  "strategy", "rw", "threads", 4, "jobs", 1, "median_mb_s", 1603.5,
				  "strategy", "shutil", "threads", 1, "jobs", 1, "median_mb_s", 531.8,
				  "strategy", "cp", "threads", 2, "jobs", 1, "median_mb_s",
				  "strategy", "shutil", "threads", 1, "jobs", 2, "median_mb_s", 1200.0);
	json_t *w = fioref_above_ceiling(doc, cells);
	const char *first;

	assert_int_equal(json_array_size(w), 2);
	first = json_string_value(json_array_get(w, 0));
	assert_non_null(strstr(first, "above the fio ceiling: rw at 4 threads reached 1604 MB/s, "
				      "139 % of fio's copy-shaped ceiling (1150 MB/s)"));
	assert_non_null(strstr(first, "buffered copies onto a disk the host caches"));
	assert_non_null(strstr(first, "(DST is on vda, a virtual disk)"));
	assert_non_null(strstr(first, "fio's copy reached 1100 MB/s with O_DIRECT and 1150 MB/s "
				      "buffered"));
	assert_non_null(strstr(json_string_value(json_array_get(w, 1)),
			       "shutil at 1 thread with 2 jobs reached 1200 MB/s"));
	json_decref(w);
	/* a short fio measurement is named as a cause; no ceiling, no warning */
	json_object_set_new(json_array_get(json_object_get(json_object_get(doc, "reference"),
							   "measurements"), 0),
			    "time_based", json_false());
	json_object_set_new(json_array_get(json_object_get(json_object_get(doc, "reference"),
							   "measurements"), 0),
			    "runtime_s", json_real(0.07));
	w = fioref_above_ceiling(doc, cells);
	assert_non_null(strstr(json_string_value(json_array_get(w, 0)),
			       "a fio measurement lasted under 1 s"));
	json_decref(w);
	json_object_del(json_object_get(doc, "reference"), "ceiling_mb_s");
	w = fioref_above_ceiling(doc, cells);
	assert_int_equal(json_array_size(w), 0);
	json_decref(w);
	json_decref(cells);
	json_decref(doc);
}

static void test_parse_fio_3_33(void **state)
{
	char *r_text = fixture("fio-3.33-read.json");
	char *w_text = fixture("fio-3.33-write.json");
	struct fioref_result r, w;
	char why[256];

	assert_int_equal(fioref_parse(r_text, &r, why, sizeof(why)), 0);
	assert_string_equal(r.version, "fio-3.33");
	assert_int_equal(r.jobs, 1);	/* group_reporting */
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.read.io_bytes, 18874368);
	assert_float_equal(r.read.runtime_s, 0.011, 1e-12);
	assert_float_equal(r.read.mb_s, 18874368 / 0.011 / 1e6, 1e-6);
	assert_int_equal(r.write.io_bytes, 0);
	assert_int_equal(fioref_parse(w_text, &w, why, sizeof(why)), 0);
	assert_int_equal(w.write.io_bytes, 18874368);
	assert_float_equal(w.write.runtime_s, 0.010, 1e-12);
	/* the pair: the bytes both moved over the longer runtime */
	assert_float_equal(fioref_pair_mb_s(&r.read, &w.write), 18874368 / 0.011 / 1e6, 1e-6);
	free(r_text);
	free(w_text);
}

static void test_parse_fio_3_39_after_a_note(void **state)
{
	char *text = fixture("fio-3.39-write.json");
	struct fioref_result r;
	char why[256];
	json_t *j;

	assert_int_equal(fioref_parse(text, &r, why, sizeof(why)), 0);
	assert_string_equal(r.version, "fio-3.39");
	assert_int_equal(r.write.io_bytes, 16777216);
	assert_float_equal(r.write.runtime_s, 0.835, 1e-12);
	assert_float_equal(r.write.mb_s, 16777216 / 0.835 / 1e6, 1e-6);
	j = fioref_result_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "version")), "fio-3.39");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "write"),
							    "io_bytes")), 16777216);
	json_decref(j);
	free(text);
}

static void test_parse_errors(void **state)
{
	struct fioref_result r;
	char why[256];

	assert_int_equal(fioref_parse("fio: engine io_uring not loadable\n", &r, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "no JSON in fio's output");
	assert_int_equal(fioref_parse("{\"fio version\": \"fio-3.33\", \"jobs\": [", &r, why,
				      sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "does not parse"));
	assert_int_equal(fioref_parse("{\"jobs\": []}", &r, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "fio's JSON has no \"fio version\"");
}

static uint64_t file_hash(const char *path)
{
	FILE *f = fopen(path, "r");
	XXH3_state_t *st = XXH3_createState();
	char buf[65536];
	size_t n;
	uint64_t h;

	assert_non_null(f);
	XXH3_64bits_reset(st);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		XXH3_64bits_update(st, buf, n);
	fclose(f);
	h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h;
}

/*
 * A tiny real fio job, when fio is installed: the read job over "source" files, run the way the
 * command runs it (its own fio --readonly process, no size), reads whole blocks of every file
 * and leaves every source byte as it was, sizes included.
 */
static void test_real_fio_leaves_source_alone(void **state)
{
	static const uint64_t sizes[] = { 3 * 65536 + 100, 65536 + 7, 5 * 65536 };
	char dir[] = "/tmp/ccb-fioref-XXXXXX";
	char paths[3][128];
	struct fioref_file files[3];
	const struct fioref_job j = { .jobs = 2, .bs = 65536, .iodepth = 4, .ioengine = "psync" };
	uint64_t before[3];
	char job_path[160];
	char *cmd;
	char *out;
	char *text;
	struct fioref_result r;
	char why[256];
	FILE *f;

	if (system("fio --version >/dev/null 2>&1") != 0) {
		skip();
		return;
	}
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 3; i++) {
		unsigned char block[4096];

		snprintf(paths[i], sizeof(paths[i]), "%s/stack%d.mrcs", dir, i);
		f = fopen(paths[i], "w");
		assert_non_null(f);
		for (uint64_t off = 0; off < sizes[i]; off += sizeof(block)) {
			const size_t n = sizes[i] - off < sizeof(block) ? sizes[i] - off : sizeof(block);

			for (size_t b = 0; b < n; b++)
				block[b] = (unsigned char)((off + b) * 131 + (unsigned)i);
			fwrite(block, 1, n, f);
		}
		assert_int_equal(fclose(f), 0);
		files[i].path = paths[i];
		files[i].size = sizes[i];
		before[i] = file_hash(paths[i]);
	}
	text = fioref_job_file(files, 3, &j);
	snprintf(job_path, sizeof(job_path), "%s/read.fio", dir);
	f = fopen(job_path, "w");
	fputs(text, f);
	fclose(f);
	free(text);
	cmd = malloc(512);
	snprintf(cmd, 512, "fio --readonly --output-format=json --output=%s/out.json %s", dir,
		 job_path);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, 512, "%s/out.json", dir);
	out = slurp(cmd);
	assert_int_equal(fioref_parse(out, &r, why, sizeof(why)), 0);
	assert_int_equal(r.errors, 0);
	/* whole 64 KiB blocks of each file: 3 + 1 + 5 */
	assert_int_equal(r.read.io_bytes, 9 * 65536);
	assert_int_equal(r.write.io_bytes, 0);
	for (int i = 0; i < 3; i++) {
		struct stat st;

		assert_int_equal(stat(paths[i], &st), 0);
		assert_int_equal((uint64_t)st.st_size, sizes[i]);
		assert_true(file_hash(paths[i]) == before[i]);
		unlink(paths[i]);
	}
	unlink(cmd);
	unlink(job_path);
	rmdir(dir);
	free(out);
	free(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_file_read),
		cmocka_unit_test(test_job_file_write),
		cmocka_unit_test(test_job_file_time_based),
		cmocka_unit_test(test_measurement_runtime),
		cmocka_unit_test(test_above_ceiling),
		cmocka_unit_test(test_parse_fio_3_33),
		cmocka_unit_test(test_parse_fio_3_39_after_a_note),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_real_fio_leaves_source_alone),
	};

	return cmocka_run_group_tests_name("fioref", tests, NULL, NULL);
}
