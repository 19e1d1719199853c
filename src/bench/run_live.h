/* SPDX-License-Identifier: MIT */
/*
 * run_live.h - `run`'s live line on a terminal, as `sweep` has one: the repeat, its phase, a bar
 * of the bytes copied, the run's MB/s and the time left (analysis/live.h draws the line). Off
 * when stderr is no terminal or with --quiet: the plain log lines stay.
 */
#ifndef CCB_RUN_LIVE_H
#define CCB_RUN_LIVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "analysis/live.h"
#include "bench/bench.h"

struct run_live {
	struct bench *b;
	const char *strategy;
	unsigned threads;
	long total;			/* repeats */
	atomic_long current;		/* the repeat running now, from 1 */
	atomic_long done;		/* repeats finished */
	atomic_uint_least64_t per_run_ms;	/* median run + 1; 0: none yet */
	atomic_bool stop;
	pthread_t thread;
	bool on;
	struct live_eta eta;		/* the runs' times (the caller's thread only) */
	double run_t0;
};

/* Start the line for total runs of strategy at threads, unless quiet or not on a terminal. */
void run_live_start(struct run_live *l, struct bench *b, const char *strategy, unsigned threads,
		    long total, bool quiet);
/* Around each run: repeat is about to start; it ended. */
void run_live_begin(struct run_live *l, long repeat);
void run_live_end(struct run_live *l);
/* Clear the line and join its thread; safe when it never started. */
void run_live_stop(struct run_live *l);

#endif
