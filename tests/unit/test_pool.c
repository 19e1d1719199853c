/* SPDX-License-Identifier: MIT */
/*
 * test_pool.c - every file copied exactly once at any thread count; errors and stops; the bytes
 * copied counted when a file changed size after it was listed.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "copy/pool.h"
#include "lib/util.h"
#include "testutil.h"

#define MAX_FILES 300

static atomic_int copies[MAX_FILES];
static atomic_int copies_b[MAX_FILES];	/* copies made by the second copier */
static atomic_int inits;
static atomic_int exits;
static int fail_at = -1;
static volatile sig_atomic_t stop_flag;
static int stop_after = -1;
static atomic_int done;

static size_t index_of(const struct copy_worker *w, const struct copy_file *f)
{
	return (size_t)(f - w->job->ds->files);
}

static int count_copy(struct copy_worker *w, const struct copy_file *f)
{
	size_t i = index_of(w, f);
	char want[64];

	/* The pool builds both paths from the roots and the relative path. */
	snprintf(want, sizeof(want), "/src/%s", f->rel);
	assert_string_equal(w->src, want);
	snprintf(want, sizeof(want), "%s/%s", w->job->dst_root, f->rel);
	assert_string_equal(w->dst, want);
	if ((int)i == fail_at)
		return copy_fail(w, w->src, "open", -ENOENT);
	atomic_fetch_add(strcmp(w->job->dst_root, "/dst") ? &copies_b[i] : &copies[i], 1);
	if (atomic_fetch_add(&done, 1) + 1 == stop_after)
		stop_flag = 1;
	return 0;
}

static int count_init(struct copy_worker *w)
{
	atomic_fetch_add(&inits, 1);
	return 0;
}

static void count_exit(struct copy_worker *w)
{
	atomic_fetch_add(&exits, 1);
}

static const struct copy_strategy counting = {
	.name = "count",
	.summary = "counts calls",
	.thread_init = count_init,
	.copy = count_copy,
	.thread_exit = count_exit,
};

static void make_dataset(struct dataset *ds, size_t n)
{
	memset(ds, 0, sizeof(*ds));
	ds->files = xcalloc(n, sizeof(*ds->files));
	ds->nr = n;
	for (size_t i = 0; i < n; i++) {
		ds->files[i].rel = xasprintf("J%zu/extract/mic_%04zu_particles.mrcs", i % 3, i);
		ds->files[i].size = 1000 + i;
		ds->bytes += ds->files[i].size;
	}
}

static void reset(void)
{
	for (size_t i = 0; i < MAX_FILES; i++) {
		atomic_store(&copies[i], 0);
		atomic_store(&copies_b[i], 0);
	}
	atomic_store(&inits, 0);
	atomic_store(&exits, 0);
	atomic_store(&done, 0);
	fail_at = -1;
	stop_after = -1;
	stop_flag = 0;
}

static void check_once(size_t nfiles, unsigned nthreads)
{
	struct dataset ds;
	struct copy_job job = { .strategy = &counting, .ds = &ds, .src_root = "/src",
				.dst_root = "/dst" };
	struct pool_stats ps;

	reset();
	make_dataset(&ds, nfiles);
	assert_int_equal(pool_run(&job, nthreads, NULL, &ps), 0);
	for (size_t i = 0; i < nfiles; i++) {
		assert_int_equal(atomic_load(&copies[i]), 1);
		assert_true(ps.latency_ns[i] > 0);
	}
	assert_int_equal(ps.files_done, nfiles);
	assert_int_equal(ps.bytes_done, ds.bytes);
	assert_int_equal(atomic_load(&inits), nthreads);
	assert_int_equal(atomic_load(&exits), nthreads);
	assert_false(ps.stopped);
	assert_null(ps.first_error);
	assert_true(ps.seconds >= 0);
	assert_true(ps.tail_seconds <= ps.seconds);
	pool_stats_release(&ps);
	dataset_release(&ds);
}

static void test_one_thread(void **state)
{
	check_once(100, 1);
}

static void test_two_threads(void **state)
{
	check_once(100, 2);
}

static void test_seven_threads(void **state)
{
	check_once(250, 7);
}

static void test_more_threads_than_files(void **state)
{
	check_once(10, 64);
}

static void test_error_stops_run(void **state)
{
	struct dataset ds;
	struct copy_job job = { .strategy = &counting, .ds = &ds, .src_root = "/src",
				.dst_root = "/dst" };
	struct pool_stats ps;

	reset();
	make_dataset(&ds, 200);
	fail_at = 5;
	assert_int_equal(pool_run(&job, 1, NULL, &ps), -ENOENT);
	assert_int_equal(ps.nr_errors, 1);
	assert_non_null(ps.first_error);
	assert_non_null(strstr(ps.first_error, "cannot open '/src/J2/extract/mic_0005_particles.mrcs'"));
	/* One thread stops at the failing file: nothing after it is copied. */
	assert_int_equal(ps.files_done, 5);
	assert_int_equal(atomic_load(&copies[6]), 0);
	pool_stats_release(&ps);
	dataset_release(&ds);
}

static void test_stop_flag(void **state)
{
	struct dataset ds;
	struct copy_job job = { .strategy = &counting, .ds = &ds, .src_root = "/src",
				.dst_root = "/dst" };
	struct pool_stats ps;

	reset();
	make_dataset(&ds, 200);
	stop_after = 20;
	assert_int_equal(pool_run(&job, 4, &stop_flag, &ps), -EINTR);
	assert_true(ps.stopped);
	assert_true(ps.files_done >= 20 && ps.files_done < 200);
	for (size_t i = 0; i < 200; i++)
		assert_true(atomic_load(&copies[i]) <= 1);
	pool_stats_release(&ps);
	dataset_release(&ds);
}

/* Two copiers at once (two CryoSPARC jobs caching together): each copies every file once. */
static void test_two_jobs(void **state)
{
	struct dataset ds;
	struct copy_job jobs[2] = {
		{ .strategy = &counting, .ds = &ds, .src_root = "/src", .dst_root = "/dst" },
		{ .strategy = &counting, .ds = &ds, .src_root = "/src", .dst_root = "/dst2" },
	};
	struct pool_stats ps;
	struct pool_progress progress = { 0 };

	reset();
	make_dataset(&ds, 50);
	assert_int_equal(pool_run_jobs(jobs, 2, 3, NULL, &progress, &ps), 0);
	for (size_t i = 0; i < 50; i++) {
		assert_int_equal(atomic_load(&copies[i]), 1);
		assert_int_equal(atomic_load(&copies_b[i]), 1);
	}
	assert_int_equal(ps.files_done, 100);
	assert_int_equal(ps.bytes_done, 2 * ds.bytes);
	assert_int_equal(ps.nr_latency, 100);
	for (size_t i = 0; i < 100; i++)
		assert_true(ps.latency_ns[i] > 0);
	assert_int_equal(atomic_load(&inits), 6);
	assert_int_equal(atomic_load(&progress.files), 100);
	assert_int_equal(atomic_load(&progress.bytes), 2 * ds.bytes);
	pool_stats_release(&ps);
	dataset_release(&ds);
}

/*
 * A copy_all strategy (a child process with threads of its own, as cpython): the pool runs one
 * worker per job, hands it the run's thread count, and takes the clock's end, the tail and the
 * latencies from the times the strategy reports. Here file i "ran" from base + 10 ms * i for
 * 15 ms, the last one for 100 ms; file fail_at fails.
 */
#define MS 1000000ull
static uint64_t whole_base;
static unsigned whole_nthreads;

static uint64_t whole_start(size_t i)
{
	return whole_base + 10 * MS * i;
}

static uint64_t whole_end(size_t i, size_t nr)
{
	return whole_start(i) + (i + 1 == nr ? 100 : 15) * MS;
}

static int whole_copy_all(struct copy_worker *w)
{
	const struct dataset *ds = w->job->ds;

	whole_nthreads = w->nthreads;
	whole_base = now_mono_ns();
	for (size_t i = 0; i < ds->nr; i++) {
		if (copy_worker_stopping(w))
			return -EINTR;
		if ((int)i == fail_at) {
			copy_worker_paths(w, &ds->files[i], w->src, w->dst);
			w->err_path = w->dst;
			w->err_what = "copy";
			w->err_reason = "python: OSError: [Errno 28] No space left on device";
			copy_worker_done_at(w, &ds->files[i], whole_start(i), whole_end(i, ds->nr),
					    -ENOSPC);
			return -ENOSPC;
		}
		copy_worker_done_at(w, &ds->files[i], whole_start(i), whole_end(i, ds->nr), 0);
		atomic_fetch_add(&copies[i], 1);
	}
	w->child_cpu_user_s = 0.25;
	w->child_cpu_sys_s = 0.5;
	return 0;
}

static const struct copy_strategy whole = {
	.name = "whole",
	.summary = "reports every file with made-up times",
	.thread_init = count_init,
	.copy_all = whole_copy_all,
	.thread_exit = count_exit,
};

static void test_copy_all(void **state)
{
	struct dataset ds;
	struct copy_job job = { .strategy = &whole, .ds = &ds, .src_root = "/src",
				.dst_root = "/dst" };
	struct pool_progress progress = { 0 };
	struct pool_stats ps;

	reset();
	make_dataset(&ds, 10);
	assert_int_equal(pool_run_jobs(&job, 1, 4, NULL, &progress, &ps), 0);
	/* one worker, told of the 4 threads it stands for */
	assert_int_equal(atomic_load(&inits), 1);
	assert_int_equal(atomic_load(&exits), 1);
	assert_int_equal(whole_nthreads, 4);
	assert_int_equal(ps.files_done, 10);
	assert_int_equal(ps.bytes_done, ds.bytes);
	assert_int_equal(atomic_load(&progress.files), 10);
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(ps.latency_ns[i], whole_end(i, 10) - whole_start(i));
	/* the clock ends at the last end reported, not when the worker returned */
	assert_int_equal(ps.end_ns, whole_end(9, 10));
	assert_true(ps.start_ns <= whole_base);
	/*
	 * The last file started at 90 ms; the first to end after that (file 8, at 95 ms) left its
	 * thread with nothing to take: the tail runs from there to the last end, 190 ms.
	 */
	assert_true(fabs(ps.tail_seconds - 0.095) < 1e-9);
	assert_true(ps.cpu_user_s >= 0.25 && ps.cpu_sys_s >= 0.5);
	assert_null(ps.first_error);
	pool_stats_release(&ps);

	/* a file that fails is the run's error, named as the strategy named it */
	reset();
	fail_at = 3;
	assert_int_equal(pool_run(&job, 2, NULL, &ps), -ENOSPC);
	assert_int_equal(ps.files_done, 3);
	assert_non_null(ps.first_error);
	assert_string_equal(ps.first_error,
			    "cannot copy '/dst/J0/extract/mic_0003_particles.mrcs': python: OSError: "
			    "[Errno 28] No space left on device");
	pool_stats_release(&ps);

	/* stopped before it starts: copy_worker_stopping() says so, the run is stopped */
	reset();
	stop_flag = 1;
	assert_int_equal(pool_run(&job, 2, &stop_flag, &ps), -EINTR);
	assert_true(ps.stopped);
	assert_int_equal(ps.files_done, 0);
	pool_stats_release(&ps);
	dataset_release(&ds);
}

static void test_zero_threads(void **state)
{
	struct dataset ds;
	struct copy_job job = { .strategy = &counting, .ds = &ds, .src_root = "/src",
				.dst_root = "/dst" };
	struct pool_stats ps;

	make_dataset(&ds, 3);
	assert_int_equal(pool_run(&job, 0, NULL, &ps), -EINVAL);
	pool_stats_release(&ps);
	dataset_release(&ds);
}

/* A file of size bytes at dir/name. */
static void put_bytes(const char *dir, const char *name, size_t size)
{
	char *path = pathf("%s/%s", dir, name);
	char *data = xcalloc(size ? size : 1, 1);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	memset(data, 'x', size);
	assert_int_equal(fwrite(data, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
	free(data);
	free(path);
}

/*
 * Stacks listed at 4096 bytes each that, by the time they are copied, hold 1000 (shrunk),
 * 4096 and 9000 (grown) bytes: a real strategy copies what is there, and pool_count_copied()
 * counts that, naming the two that changed, for one copier and for two.
 */
static void test_resized_counted(void **state)
{
	static const size_t actual[] = { 1000, 4096, 9000 };
	char *dir = test_tmpdir("pool-resized");
	char *src;
	char *dst[2];
	struct dataset ds = { 0 };
	struct copy_job jobs[2];
	struct pool_stats ps;

	assert_non_null(dir);
	src = pathf("%s/src", dir);
	assert_int_equal(mkdir(src, 0700), 0);
	ds.nr = 3;
	ds.files = xcalloc(ds.nr, sizeof(*ds.files));
	for (size_t i = 0; i < ds.nr; i++) {
		ds.files[i].rel = xasprintf("s%zu.mrcs", i);
		ds.files[i].size = 4096;	/* the listing's */
		ds.bytes += 4096;
		put_bytes(src, ds.files[i].rel, actual[i]);
	}
	for (unsigned k = 0; k < 2; k++) {
		dst[k] = pathf("%s/dst%u", dir, k);
		assert_int_equal(mkdir(dst[k], 0700), 0);
		jobs[k] = (struct copy_job){ .strategy = &strategy_rw, .ds = &ds, .src_root = src,
					     .dst_root = dst[k] };
	}
	for (unsigned njobs = 1; njobs <= 2; njobs++) {
		assert_int_equal(pool_run_jobs(jobs, njobs, 2, NULL, NULL, &ps), 0);
		/* the pool itself counts the listing; the copies are what counts */
		assert_int_equal(ps.bytes_done, njobs * ds.bytes);
		assert_int_equal(pool_count_copied(jobs, njobs, &ps), 2 * njobs);
		assert_int_equal(ps.bytes_done, njobs * (1000 + 4096 + 9000));
		assert_int_equal(ps.nr_unmeasured, 0);
		for (unsigned k = 0; k < njobs; k++) {
			const struct pool_resized *r = &ps.resized[2 * k];

			assert_int_equal(r[0].job, k);
			assert_int_equal(r[0].file, 0);
			assert_int_equal(r[0].listed, 4096);
			assert_int_equal(r[0].copied, 1000);
			assert_int_equal(r[1].file, 2);
			assert_int_equal(r[1].copied, 9000);
		}
		/* counting again gives the same, not twice the list */
		assert_int_equal(pool_count_copied(jobs, njobs, &ps), 2 * njobs);
		pool_stats_release(&ps);
	}
	/* a copy that is gone: its listed size is counted, and it is said */
	assert_int_equal(pool_run_jobs(jobs, 1, 1, NULL, NULL, &ps), 0);
	{
		char *gone = pathf("%s/s1.mrcs", dst[0]);

		assert_int_equal(unlink(gone), 0);
		free(gone);
	}
	assert_int_equal(pool_count_copied(jobs, 1, &ps), 2);
	assert_int_equal(ps.nr_unmeasured, 1);
	assert_int_equal(ps.unmeasured_errno, -ENOENT);
	assert_int_equal(ps.bytes_done, 1000 + 4096 + 9000);
	pool_stats_release(&ps);
	dataset_release(&ds);
	test_rmtree(dir);
	for (unsigned k = 0; k < 2; k++)
		free(dst[k]);
	free(src);
	free(dir);
}

/*
 * Thousands of copies in folders, counted by several threads (one chunk each): a grown copy, a
 * copy that is gone, a job whose whole folder is gone, a file the pool did not copy; the sums
 * and the first failure are those of a count one file after another.
 */
static void test_count_many(void **state)
{
	enum { PER_DIR = 3000, NR = 3 * PER_DIR };
	char *dir = test_tmpdir("pool-count");
	struct dataset ds = { 0 };
	struct copy_job jobs[2];
	struct pool_stats ps = { 0 };
	char *dst[2];

	assert_non_null(dir);
	ds.nr = NR;
	ds.files = xcalloc(ds.nr, sizeof(*ds.files));
	for (unsigned k = 0; k < 2; k++) {
		dst[k] = pathf("%s/dst%u", dir, k);
		assert_int_equal(mkdir(dst[k], 0700), 0);
		jobs[k] = (struct copy_job){ .strategy = &strategy_rw, .ds = &ds, .dst_root = dst[k] };
	}
	for (size_t i = 0; i < NR; i++) {
		const char folder = (char)('a' + i / PER_DIR);

		ds.files[i].rel = xasprintf("%c/f%05zu.mrcs", folder, i);
		ds.files[i].size = 10;
		for (unsigned k = 0; k < 2; k++) {
			char *sub = pathf("%s/%c", dst[k], folder);

			if (i % PER_DIR == 0)
				assert_int_equal(mkdir(sub, 0700), 0);
			/* job 0 lost its last copy and grew one; job 1 lost the folder b */
			if (!(k == 0 && i == NR - 1) && !(k == 1 && folder == 'b'))
				put_bytes(sub, ds.files[i].rel + 2, k == 0 && i == 4500 ? 11 : 10);
			free(sub);
		}
	}
	{
		char *b = pathf("%s/b", dst[1]);

		assert_int_equal(rmdir(b), 0);
		free(b);
	}
	ps.nr_latency = 2 * NR;
	ps.latency_ns = xcalloc(ps.nr_latency, sizeof(*ps.latency_ns));
	for (size_t g = 0; g < ps.nr_latency; g++)
		ps.latency_ns[g] = g == 100 ? 0 : 1;	/* job 0's file 100 was not copied */
	assert_int_equal(pool_count_copied(jobs, 2, &ps), 1);
	assert_int_equal(ps.resized[0].job, 0);
	assert_int_equal(ps.resized[0].file, 4500);
	assert_int_equal(ps.resized[0].listed, 10);
	assert_int_equal(ps.resized[0].copied, 11);
	/* job 0's last copy and job 1's 3,000 in b: their listed sizes count */
	assert_int_equal(ps.nr_unmeasured, 1 + PER_DIR);
	assert_int_equal(ps.unmeasured_errno, -ENOENT);
	assert_int_equal(ps.bytes_done, (NR - 1) * 10 + 1 + NR * 10);
	pool_stats_release(&ps);
	dataset_release(&ds);
	test_rmtree(dir);
	for (unsigned k = 0; k < 2; k++)
		free(dst[k]);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_thread),
		cmocka_unit_test(test_two_threads),
		cmocka_unit_test(test_seven_threads),
		cmocka_unit_test(test_more_threads_than_files),
		cmocka_unit_test(test_error_stops_run),
		cmocka_unit_test(test_stop_flag),
		cmocka_unit_test(test_two_jobs),
		cmocka_unit_test(test_copy_all),
		cmocka_unit_test(test_zero_threads),
		cmocka_unit_test(test_resized_counted),
		cmocka_unit_test(test_count_many),
	};

	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
