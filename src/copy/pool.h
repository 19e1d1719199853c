/*
 * pool.h - N worker threads pulling files from a shared index, each copying with the strategy.
 *
 * Threads are a dimension of every run, not a strategy: any strategy runs at any N. Several
 * copiers can run at once (as when several CryoSPARC jobs on one node cache together): each job
 * copies the whole dataset to its own destination with its own N threads and its own index. The
 * clock starts when every thread is ready (after thread_init) and stops when the last file is
 * closed.
 */
#ifndef CCB_POOL_H
#define CCB_POOL_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "copy/strategy.h"

struct pool_stats {
	double seconds;		/* clock start to the last file closed */
	/* From the first thread finding no file left to the last thread finishing: one huge
	 * stack at the end of the list can dominate a run, and this shows it. */
	double tail_seconds;
	size_t files_done;
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
	double cpu_user_s;	/* getrusage(RUSAGE_SELF) over the clock */
	double cpu_sys_s;
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

void pool_stats_release(struct pool_stats *stats);

#endif
