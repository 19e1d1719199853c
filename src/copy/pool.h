/* SPDX-License-Identifier: MIT */
/*
 * pool.h - N worker threads pulling files from a shared index, each copying with the strategy.
 *
 * Threads are a dimension of every run, not a strategy: any strategy runs at any N. Several
 * copiers can run at once (as when several CryoSPARC jobs on one node cache together): each job
 * copies the whole dataset to its own destination with its own N threads and its own index. The
 * clock starts when every thread is ready (after thread_init) and stops when the last file is
 * closed. A strategy with copy_all brings threads of its own (a child process's): the pool then
 * runs one worker per job, which hands the whole job over and passes on what it reports.
 */
#ifndef CCB_POOL_H
#define CCB_POOL_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "copy/strategy.h"

/* A file whose copy has another size than the listing gave it (it changed after listing). */
struct pool_resized {
	unsigned job;
	size_t file;		/* index into the job's ds->files */
	uint64_t listed;
	uint64_t copied;
};

struct pool_stats {
	double seconds;		/* clock start to the last file closed */
	/* From the first thread finding no file left to the last thread finishing: one huge
	 * stack at the end of the list can dominate a run, and this shows it. */
	double tail_seconds;
	size_t files_done;
	/* The listed sizes of the files copied; pool_count_copied() makes it the bytes copied. */
	uint64_t bytes_done;
	/* Per file and job, indexed [job * ds->nr + file]; 0 when not copied. */
	uint64_t *latency_ns;
	size_t nr_latency;
	size_t nr_errors;
	char *first_error;	/* "cannot sendfile 'x': No space left on device", allocated */
	int first_errno;	/* negative errno of first_error */
	bool stopped;		/* *stop was raised before every file was copied */
	uint64_t counters[COPY_MAX_COUNTERS];	/* the workers' counters, summed */
	uint64_t start_ns;	/* CLOCK_MONOTONIC when the clock started */
	uint64_t end_ns;	/* ... and when the last file was closed */
	/* getrusage(RUSAGE_SELF) over the clock, plus what copy_all's children said they used */
	double cpu_user_s;
	double cpu_sys_s;
	/* Filled by pool_count_copied(): the files whose copy differs from the listing, in job
	 * and file order, and the copies it could not stat (their listed size is counted). */
	struct pool_resized *resized;
	size_t nr_resized;
	size_t nr_unmeasured;
	int unmeasured_errno;	/* the first stat's -errno */
	/* What the strategy's job_exit said of each copier (a JSON array), or NULL. */
	struct json_t *job_reports;
};

/* Live counters another thread may read while a pool runs (progress lines). */
struct pool_progress {
	atomic_uint_fast64_t files;
	atomic_uint_fast64_t bytes;
};

/*
 * Run njobs copiers at once, each copying jobs[k].ds to jobs[k].dst_root with nthreads threads.
 * A failing file stops everyone (a run with an error is not a measurement). stop, when not NULL,
 * is polled between files: a signal handler raises it. progress, when not NULL, is updated as
 * files finish. Returns 0 when every file was copied, -EINTR when stopped, the first file's
 * -errno when one failed, or -errno when threads could not be started. stats is filled in every
 * case; release it with pool_stats_release().
 */
int pool_run_jobs(const struct copy_job *jobs, unsigned njobs, unsigned nthreads,
		  const volatile sig_atomic_t *stop, struct pool_progress *progress,
		  struct pool_stats *stats);

/* One copier: pool_run_jobs(job, 1, nthreads, stop, NULL, stats). */
int pool_run(const struct copy_job *job, unsigned nthreads, const volatile sig_atomic_t *stop,
	     struct pool_stats *stats);

/*
 * After the clock (and syncfs): the bytes the copies of jobs hold, which every strategy made
 * from what the source held when it was read, not from the listing: a stack that shrank or grew
 * in between is counted at its real size. Stats the destination of every file the pool copied
 * (latency_ns not 0), sets stats->bytes_done to their sum and lists the files whose copy differs
 * from its listed size in stats->resized. Returns how many differ. A strategy with its own
 * verify hook (relion: its copies are other stacks, not the files) reported its bytes itself:
 * left as they are, 0.
 */
size_t pool_count_copied(const struct copy_job *jobs, unsigned njobs, struct pool_stats *stats);

void pool_stats_release(struct pool_stats *stats);

#endif
