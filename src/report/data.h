/* SPDX-License-Identifier: MIT */
/*
 * data.h - what the renderings of results.json read besides the document's own fields: the cells,
 * lookups of a run's cell, the warnings in order, the runs' samples files and the time series a
 * report draws. Nothing here writes a report.
 */
#ifndef CCB_REPORT_DATA_H
#define CCB_REPORT_DATA_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

/*
 * doc's "cells" (a new reference), or when it has none (a `run`, not a `sweep`) cells_compute()'s
 * with the default parameters.
 */
json_t *report_cells(json_t *doc);
/*
 * The cell of a run (same strategy, threads and jobs), or NULL; NULL too for a run with a role
 * (a sweep's confirmation, not one of its cell's repeats). Borrowed.
 */
json_t *report_cell_of(json_t *cells, json_t *run);
/*
 * Whether the recommendation fell back to the default: its paired confirmation's verdict is
 * "not_reproduced" (analysis/confirm.h).
 */
bool report_fell_back(json_t *rec);
/* The cell of strategy at threads with as many jobs and nodes as like (a recommendation), or
 * NULL. Borrowed. */
json_t *report_cell_find(json_t *cells, const char *strategy, json_int_t threads, json_t *like);
/* Whether two cells (or a cell and a run) are of the same strategy with as many jobs and nodes. */
bool report_same_series(json_t *a, json_t *b);
/* An object's "nodes" (across nodes: how many copied at once); 0 for one node alone. */
json_int_t report_nodes(json_t *o);

/* A "nice" step (1, 2, 2.5 or 5 times a power of ten) for about n ticks over range (> 0). */
double report_nice_step(double range, int n);

#define REPORT_MAX_THREADS 64

/*
 * The x axis of a throughput chart, the HTML's and gnuplot's alike: the distinct thread counts
 * of cells, ascending, and whether they are drawn on a log2 axis: three or more counts spanning a
 * factor of 4 or more (powers of two are what people sweep). min and max are v's ends (1 and 1
 * when there are none).
 */
struct report_threads {
	long long v[REPORT_MAX_THREADS];
	size_t n;
	double min, max;
	bool log2;
};
void report_threads_init(struct report_threads *t, json_t *cells);

/* An object's "jobs" (copiers at once); 1 when it has none, as a `run` before jobs existed. */
json_int_t report_jobs(json_t *o);
/* The sampler of a `watch` results folder, or NULL. Borrowed. */
json_t *report_watch_sampler(json_t *doc);
/*
 * The iostat -x means of the busiest device of a sampler summary (a run's "sampler"), or NULL.
 * Borrowed; *dev (may be NULL) gets the device's name, or NULL when there is none.
 */
json_t *report_busiest_mean(json_t *sampler, const char **dev);

/*
 * The run messages under key ("warnings", "errors", or "findings", the sampler's) of every run in
 * runs, grouped by kind (analysis/warn_groups.h): a new array the caller frees.
 */
json_t *report_run_groups(json_t *runs, const char *key);

/*
 * A group as a listing shows it: who[len] gets "run 3" or "16 runs (3-18)" (what, e.g.
 * " failed", after "run"), and the message returned (the caller frees it) is the first of its
 * kind, saying so when there were more.
 */
char *report_group_text(json_t *group, const char *what, char *who, size_t len);

/*
 * Every warning of doc in the order the renderings list them: its own, fio's reference's (a short
 * measurement), the cells that beat fio's ceiling (fioref_above_ceiling), the watch sampler's
 * (prefix "watch"), then the runs' errors ("run 3 failed") and warnings ("run 3"), each kind
 * once with the runs that said it ("16 runs (3-18)"). item gets the prefix (NULL for doc's own)
 * and the message. Returns how many items there are; with item NULL it only counts them.
 */
size_t report_warnings(json_t *doc, FILE *f,
		       void (*item)(FILE *f, const char *prefix, const char *msg));

/*
 * What a cell's flag ("noisy", "not_cold", "few_runs", "short") means: brief for a tooltip, else
 * the whole sentence fragment. NULL for a flag this version does not know.
 */
const char *report_flag_meaning(const char *flag, bool brief);

/*
 * When a cell of cells is flagged "noisy" and diag found this VM returning its freed memory to
 * the host (diag.machine.free_page_reporting), the sentence naming it as a likely cause; NULL
 * otherwise. The warnings of report.md and report.html list it after the cells' flags.
 */
const char *report_noisy_cause(json_t *doc, json_t *cells);

/*
 * The value v of doc's parameter key as text: a string as it is, anything else as compact JSON;
 * but for "seed", the seed the sweep used (doc's sweep.seed), "123 (from the clock)" when the
 * parameter was 0. Free it.
 */
char *report_param_text(json_t *doc, const char *key, json_t *v);

/*
 * The rows of the recommendation's table: the thread counts of "for"."seconds" (in its order),
 * else those of the recommended strategy's cells, each with its cell (may be NULL) and its time
 * (NULL without "for"). Returns how many were filled, at most max.
 */
struct report_rec_row {
	json_int_t threads;
	json_t *cell;
	json_t *seconds;
};
size_t report_rec_rows(json_t *rec, json_t *cells, struct report_rec_row *rows, size_t max);

/*
 * Read the samples file of every run that names one (sampler.samples_file, relative to
 * results_dir) into an object "<seq>" -> {"columns": [[group, entity, field], ...], "rows":
 * [[...], ...]}; CSV files are converted to the same form. A `watch` folder's series is under
 * "watch" (doc's watch object has a "sampler" as a run has). What cannot be read is appended to
 * notes as a sentence.
 */
json_t *report_load_samples(json_t *doc, const char *results_dir, json_t *notes);

#define REPORT_LINES_MAX 8

struct report_line {
	char label[48];		/* "vda read", "CPU busy" */
	double *v;		/* [n]; NAN where the reading was null */
};

/*
 * The time series a report draws for one run: MB/s read and written by the run's source and
 * destination disks (or its busiest device) and received by its busiest interface; the disks'
 * %util and the CPUs' busy and iowait shares. From the samples file's columns; the devices are
 * chosen from the run's sampler summary.
 */
struct report_series {
	size_t n;
	double *t;		/* end of each interval, seconds since the first reading */
	/*
	 * On t's clock, when the last file closed and syncfs began: the sampler's seconds less the
	 * run's seconds_durable - seconds_copied (the sampler stops when syncfs returns). NAN when
	 * the run does not say (a watch).
	 */
	double t_copied;
	struct report_line mbs[REPORT_LINES_MAX];
	size_t nr_mbs;
	struct report_line pct[REPORT_LINES_MAX];
	size_t nr_pct;
};

/* 0, or -ENODATA when samples has no rows or none of the columns. */
int report_series_init(struct report_series *s, json_t *run, json_t *samples);
void report_series_release(struct report_series *s);
/* The highest MB/s of any run's series (samples: report_load_samples()'s); 0 when none. */
double report_series_max_mbs(json_t *doc, json_t *samples);

#endif
