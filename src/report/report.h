/*
 * report.h - renderings of results.json for people. They read the document (and the samples files
 * beside it), never the system.
 */
#ifndef CCB_REPORT_H
#define CCB_REPORT_H

#include <stdio.h>
#include <jansson.h>

#include "report/plot.h"

/*
 * A table of the runs, the median and spread per (strategy, threads) cell, and every warning,
 * from the fields of results.json alone.
 */
void report_text(json_t *doc, FILE *f);

/*
 * A sampler summary (a run's "sampler", or watch's): the devices with their totals and iostat -x
 * means, the CPUs, the interfaces, NFS mounts, then the findings and warnings.
 */
void report_sampler(json_t *sampler, FILE *f);

/* ---- report files: report.md, report.html, results.csv (and plots) in a folder ------------- */

enum report_flags {
	REPORT_NO_PLOTS = 1 << 0,	/* do not run gnuplot; the reports say how to get plots */
};

/* What report_write_all wrote (paths include its dir). */
struct report_written {
	char *md, *html, *csv;
	struct plot_set plots;		/* the images, or why there are none */
};

/*
 * Write report.md, report.html and results.csv into dir (made if missing) from doc, and unless
 * REPORT_NO_PLOTS the gnuplot images under dir/plots. results_dir is the folder of results.json,
 * where the runs' samples files are (samples/run-<seq>.json or .csv); NULL means dir. Each file
 * is written to a temporary name and renamed, so a reader never sees half a report. Missing or
 * unreadable samples files and missing gnuplot are not errors: the reports say what is missing.
 * Returns 0 or the -errno of the first file that could not be written; out (may be NULL) gets the
 * paths, release it with report_written_release().
 *
 *	report_write_all(doc, dir, NULL, 0, &w);	the end of a sweep
 */
int report_write_all(json_t *doc, const char *dir, const char *results_dir, unsigned flags,
		     struct report_written *out);
void report_written_release(struct report_written *w);

/* Everything the file renderings read: the document and what was loaded or made beside it. */
struct report_ctx {
	json_t *doc;			/* results.json */
	json_t *cells;			/* doc's "cells", or cells_compute()'s (report_cells) */
	json_t *samples;		/* report_load_samples(): "<seq>" or "watch" -> series */
	json_t *notes;			/* strings: what the report could not show, and why */
	const struct plot_set *plots;	/* NULL: plots were not asked for (--no-plots) */
};

/* One rendering each; they read only ctx (never the system) and escape every string of it. */
void report_md(const struct report_ctx *ctx, FILE *f);
void report_html(const struct report_ctx *ctx, FILE *f);
/* One row per run after a header line; a field never holds a line break. */
void report_csv(const struct report_ctx *ctx, FILE *f);

/* ---- helpers the renderings share (report_files.c) ------------------------------------------ */

/*
 * doc's "cells" (a new reference), or when it has none (a `run`, not a `sweep`) cells_compute()'s
 * with the default parameters.
 */
json_t *report_cells(json_t *doc);
/* The cell of a run (same strategy, threads and jobs), or NULL. Borrowed. */
json_t *report_cell_of(json_t *cells, json_t *run);
/* The cell of strategy at threads with jobs copiers, or NULL. Borrowed. */
json_t *report_cell_find(json_t *cells, const char *strategy, json_int_t threads, json_int_t jobs);

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
 * Every warning of doc in the order the renderings list them: its own, the watch sampler's
 * (prefix "watch"), then each run's errors ("run 3 failed") and warnings ("run 3"). item gets
 * the prefix (NULL for doc's own) and the message. Returns how many there are; with item NULL it
 * only counts them.
 */
size_t report_warnings(json_t *doc, FILE *f,
		       void (*item)(FILE *f, const char *prefix, const char *msg));

/*
 * Writers of the pieces the renderings share. put writes a string escaped for the rendering;
 * missing is what a rendering shows for a value the document does not have ("-", "–").
 */
/* The strings of an array, joined by ", ". */
void report_put_strings(FILE *f, json_t *array, void (*put)(FILE *f, const char *s));
/*
 * A field of a source or destination object: a string, a list of strings (none when it is
 * empty), a size in bytes as GB.
 */
void report_put_location(FILE *f, json_t *v, void (*put)(FILE *f, const char *s),
			 const char *none, const char *missing);
/* The sizes of a size_histogram bucket: "4–16 MiB", "256 MiB or more". */
void report_put_size_range(FILE *f, json_t *bucket);
/* A number with decimals. */
void report_put_num(FILE *f, json_t *v, int decimals, const char *missing);
/* The interval of a cell's median with the coverage it reaches: "118.2–131.0 (96 %)". */
void report_put_interval(FILE *f, json_t *cell, const char *missing);
/* A time for people: "42.0 s", "3 min 07 s", "2 h 05 min". */
void report_put_duration(FILE *f, json_t *seconds, const char *missing);
/* A parameter's value as text: a string as it is, anything else as compact JSON. Free it. */
char *report_param_text(json_t *v);

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
	struct report_line mbs[REPORT_LINES_MAX];
	size_t nr_mbs;
	struct report_line pct[REPORT_LINES_MAX];
	size_t nr_pct;
};

/* 0, or -ENODATA when samples has no rows or none of the columns. */
int report_series_init(struct report_series *s, json_t *run, json_t *samples);
void report_series_release(struct report_series *s);

#endif
