/* SPDX-License-Identifier: MIT */
/*
 * live.h - the sweep's live line on a terminal: the time left, from the median run so far
 * (one slow or fast run does not swing it), and the line itself (the run, its phase, a bar,
 * the rate, the ETA). Pure: numbers in, text out; the ticker thread in bench/sweep.c draws it.
 */
#ifndef CCB_LIVE_H
#define CCB_LIVE_H

#include <stddef.h>
#include <stdint.h>

/* The wall times of the runs so far. Zero-initialised is empty. */
struct live_eta {
	double *secs;
	size_t n, cap;
};

void live_eta_add(struct live_eta *e, double seconds);
/* The median run's seconds; -1 before the first. */
double live_eta_per_run(const struct live_eta *e);
void live_eta_release(struct live_eta *e);

/*
 * Seconds left: per_run for each of the left runs (the current one included), less what the
 * current one has run (at most 90 % of a run, so the ETA never reads 0 while a run goes on).
 * -1 when per_run is (no run finished yet).
 */
double live_eta_left(double per_run, size_t left, double current_elapsed);

/* What the live line shows. */
struct live_state {
	size_t index, total;		/* the run (from 1) of the plan's total */
	const char *strategy;
	unsigned threads, repeat;
	unsigned nodes;			/* nodes copying together (a run across nodes); 0: none */
	const char *phase;		/* "copying", "syncing", "dropping caches", "settling"... */
	uint64_t bytes, set_bytes;	/* copied so far of the run's total */
	double mb_s;			/* the run's rate so far; < 0: none yet */
	double eta_s;			/* the time left; < 0: unknown */
	const char *eta_of;		/* "sweep" says "sweep ETA"; NULL: "ETA" */
};

/* Bar width in characters, between the brackets. */
#define LIVE_BAR 20

/*
 * The line into buf[len], no carriage return or newline: "[3/18] shutil, 1 thread, repeat 2:
 * copying [########------------] 41 % 0.52/1.26 GB 812 MB/s; sweep ETA 4m10s". Cut to width - 1
 * columns when width is not 0 (a line that wraps cannot be redrawn in place). Returns buf.
 */
char *live_line_text(const struct live_state *s, unsigned width, char *buf, size_t len);

#endif
