/* SPDX-License-Identifier: MIT */
/* run_live.c - `run`'s live line on a terminal: the repeat, its phase, a bar, MB/s, the ETA. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench/run_live.h"
#include "lib/util.h"

static unsigned term_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) || !ws.ws_col)
		return 0;
	return ws.ws_col;
}

static void *run_live_main(void *arg)
{
	struct run_live *l = arg;
	long seen_done = -1;
	double t_done = now_mono();

	while (!atomic_load(&l->stop)) {
		struct bench *b = l->b;
		const int phase = atomic_load(&b->phase);
		const long done = atomic_load(&l->done);
		const uint64_t ms = atomic_load(&l->per_run_ms);
		const unsigned jobs = b->cfg.jobs ? b->cfg.jobs : 1;
		struct live_state st = {
			.index = (size_t)atomic_load(&l->current), .total = (size_t)l->total,
			.strategy = l->strategy, .threads = l->threads,
			.repeat = (unsigned)atomic_load(&l->current), .phase = bench_phase_name(phase),
			/* before its copy, a run has copied nothing (the counter is the last run's) */
			.bytes = phase < BENCH_PHASE_COPYING ? 0 : atomic_load(&b->progress.bytes),
			.set_bytes = b->ds.bytes * jobs,
			.mb_s = -1, .eta_s = -1,
		};
		char line[512];

		if (done != seen_done) {
			seen_done = done;
			t_done = now_mono();
		}
		if (phase == BENCH_PHASE_COPYING || phase == BENCH_PHASE_SYNCING) {
			const uint64_t t0 = atomic_load(&b->copy_started_ns);
			const uint64_t t = now_mono_ns();

			if (t0 && t > t0)
				st.mb_s = (double)st.bytes / ((double)(t - t0) / 1e9) / 1e6;
		}
		if (ms)
			st.eta_s = live_eta_left((double)(ms - 1) / 1e3, (size_t)(l->total - done),
						 now_mono() - t_done);
		fprintf(stderr, "\r\033[K%s", live_line_text(&st, term_width(), line, sizeof(line)));
		fflush(stderr);
		usleep(250 * 1000);
	}
	return NULL;
}

void run_live_start(struct run_live *l, struct bench *b, const char *strategy, unsigned threads,
		    long total, bool quiet)
{
	memset(l, 0, sizeof(*l));
	l->b = b;
	l->strategy = strategy;
	l->threads = threads;
	l->total = total;
	atomic_init(&l->current, 1);
	atomic_init(&l->done, 0);
	atomic_init(&l->per_run_ms, 0);
	atomic_init(&l->stop, false);
	if (quiet || !isatty(STDERR_FILENO))
		return;
	live_line = true;
	l->on = pthread_create(&l->thread, NULL, run_live_main, l) == 0;
	live_line = l->on;
}

void run_live_begin(struct run_live *l, long repeat)
{
	atomic_store(&l->current, repeat);
	l->run_t0 = now_mono();
}

void run_live_end(struct run_live *l)
{
	live_eta_add(&l->eta, now_mono() - l->run_t0);
	atomic_store(&l->per_run_ms, (uint64_t)(live_eta_per_run(&l->eta) * 1e3) + 1);
	atomic_fetch_add(&l->done, 1);
}

void run_live_stop(struct run_live *l)
{
	if (l->on) {
		atomic_store(&l->stop, true);
		pthread_join(l->thread, NULL);
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		live_line = false;
		l->on = false;
	}
	live_eta_release(&l->eta);
}
