/* SPDX-License-Identifier: MIT */
/*
 * render.h - what the renderings of a report folder (report.md, report.html, results.csv) share:
 * the context they read, and the writers of the pieces they print alike.
 */
#ifndef CCB_REPORT_RENDER_H
#define CCB_REPORT_RENDER_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "report/plot.h"

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
/* The units every rendering uses, said once in each report's footer. */
#define REPORT_UNITS                                                                               \
	"Units: rates in MB/s (10^6 bytes a second), sizes in kB, MB and GB (10^3, 10^6 and 10^9 " \
	"bytes); only fio's block size keeps fio's notation, bs=…k (1024 bytes)."

/* The sizes of a size_histogram bucket in decimal MB: "4.19–16.8 MB", "268 MB or more". */
void report_put_size_range(FILE *f, json_t *bucket);
/* A number with decimals. */
void report_put_num(FILE *f, json_t *v, int decimals, const char *missing);
/* The interval of a cell's median with the coverage it reaches: "118.2–131.0 (96 %)". */
void report_put_interval(FILE *f, json_t *cell, const char *missing);
/*
 * Text for HTML and SVG, an element's or an attribute's: & < > " ' escaped, and the control
 * characters XML forbids as U+FFFD.
 */
void report_put_html(FILE *f, const char *s);
/*
 * What the ratio of the emulation (shutil) over the real interpreter (cpython) means, for the
 * reports' section on it; plain text, to be escaped by each rendering.
 */
extern const char report_interpreter_note[];
/*
 * A run's --verify result in a table cell: "5 ok", "2 of 5 differ"; false (and "-") when the run
 * was not verified.
 */
bool report_verify_cell(json_t *run, char *buf, size_t len);
/*
 * --verify over every run of doc, in one sentence ("12 runs verified: 60 copies checked against
 * their sources (xxh3-64), every one identical"); false (buf empty) when no run was verified.
 */
bool report_verify_summary(json_t *doc, char *buf, size_t len);
/*
 * fio's reference measurements (doc's "reference") as a section: read, write and copy, their
 * MB/s, how long each ran, and which is the ceiling. Nothing without measurements. put escapes
 * text for Markdown.
 */
void report_reference_md(FILE *f, json_t *doc, void (*put)(FILE *f, const char *s));
void report_reference_html(FILE *f, json_t *doc);
/*
 * overhead.c: the runs' time outside their clocks (run.overhead_s) summed by where it went, and
 * a sentence when the removal of the previous copy is the most of it on a DST that diag found
 * mounted with online discard. put escapes text for Markdown.
 */
void report_overhead_md(FILE *f, json_t *doc, void (*put)(FILE *f, const char *s));
void report_overhead_html(FILE *f, json_t *doc);
/*
 * Whether doc holds only fio's reference: `cryocache-bench fio`'s results.json (no runs, no
 * watch). The reports then show the reference instead of empty tables.
 */
bool report_reference_only(json_t *doc);
/*
 * What differs between the renderings that print the same sentences: how text is escaped, what
 * stands for a missing value, and the marks around a paragraph and around bold text.
 */
struct report_markup {
	void (*put)(FILE *f, const char *s);
	const char *missing;	/* "-", "–" */
	const char *p_open;	/* "\n", "<p>" */
	const char *p_close;	/* "\n", "</p>\n" */
	const char *b_open;	/* "**", "<b>" */
	const char *b_close;	/* "**", "</b>" */
	bool bold_headroom;	/* the headroom ratio in bold too */
	/*
	 * The rest writes the sections whose rows, values and notes both renderings share:
	 * Markdown's headings and pipe tables, or HTML's sections and elements.
	 */
	bool html;
	const char *fig_open;	/* "", "<b>": a row's key figure */
	const char *fig_close;
	/* The flags of a cell ("flags": strings), as a list or as badges. */
	void (*flags)(FILE *f, json_t *flags);
	/* Text as code (a parameter "threads=4"), escaped. */
	void (*code)(FILE *f, const char *s);
};

/* How a column aligns: an interval ("118.2–131.0") is text in Markdown, a number in HTML. */
enum report_align { REPORT_TEXT, REPORT_NUM, REPORT_RANGE };
struct report_col {
	const char *label;	/* markup as it is; NULL: the column is left out */
	enum report_align align;
};
/* A section's heading ("## title", "<section id><h2>title"), and its end. */
void report_section(FILE *f, const struct report_markup *m, const char *id, const char *title);
void report_section_end(FILE *f, const struct report_markup *m);
/* A table with its header row, wide ones scrolling in HTML; and its end. */
void report_table(FILE *f, const struct report_markup *m, bool scroll,
		  const struct report_col *cols, size_t n);
void report_table_end(FILE *f, const struct report_markup *m, bool scroll);
/* A row (cls: HTML's class for it, or NULL), a cell in it, and their ends. */
void report_row(FILE *f, const struct report_markup *m, const char *cls);
void report_row_end(FILE *f, const struct report_markup *m);
void report_td(FILE *f, const struct report_markup *m, enum report_align align);
void report_td_end(FILE *f, const struct report_markup *m);
/* A cell holding an integer. */
void report_td_int(FILE *f, const struct report_markup *m, long long v);
/* A cell holding a number of o, or m->missing. */
void report_td_num(FILE *f, const struct report_markup *m, json_t *o, const char *key,
		   int decimals);
/*
 * A note below a table: first opens its paragraph; a further note goes on in the same
 * paragraph in Markdown, and in a paragraph of its own in HTML.
 */
void report_note(FILE *f, const struct report_markup *m, bool first);
void report_note_end(FILE *f, const struct report_markup *m);

/*
 * sections.c: the sections report.md and report.html print alike, each through its markup.
 * report_interpreter(): shutil over cpython per thread count, nothing unless both ran.
 */
void report_interpreter(FILE *f, const struct report_markup *m, json_t *cells);
/*
 * The table of cells (report_cells()) with doc's reference ceiling, the recommended cell's
 * row highlighted in HTML, then note (markup as it is) and the ceiling's note.
 */
void report_cells_table(FILE *f, const struct report_markup *m, json_t *doc, json_t *cells,
			const char *note);
/* The recommendation's paired confirmation: its verdict, and its pairs when it ran. */
void report_confirmation(FILE *f, const struct report_markup *m, json_t *rec);
/*
 * The rows of the recommendation's table of thread counts (below each rendering's header: the
 * times' heading differs), its end, the fastest strategy, the rule that chose, and the
 * paired confirmation.
 */
void report_rec_threads(FILE *f, const struct report_markup *m, json_t *rec, json_t *cells);
/*
 * The cells of a run's row from files/s on: latencies, tail, CPU time, residency, the busiest
 * device's load, CPU busy, and --verify's result when verified (some run was verified).
 */
void report_run_measures(FILE *f, const struct report_markup *m, json_t *run, bool verified);
/*
 * The end of the runs' note: what verify means when verified, then --verify over every run
 * in a paragraph of its own.
 */
void report_runs_verify(FILE *f, const struct report_markup *m, json_t *doc, bool verified);
/*
 * The environment's rows of source against destination (path, filesystem, mount, devices,
 * sizes); none stands for an empty list (no block device).
 */
void report_location_rows(FILE *f, const struct report_markup *m, json_t *src, json_t *dst,
			  const char *none);
/* The environment's end: diag's routes to storage and findings, and the run's parameters. */
void report_env_diag(FILE *f, const struct report_markup *m, json_t *doc);
/*
 * The fastest strategy against CryoSPARC's copier (the recommendation's headroom verdict), as
 * one paragraph below the table of its thread counts; nothing when the sweep had only the
 * copier.
 */
void report_best_strategy(FILE *f, json_t *rec, const struct report_markup *m);
/* A time for people: "42.0 s", "3 min 07 s", "2 h 05 min". */
void report_put_duration(FILE *f, json_t *seconds, const char *missing);
/*
 * One of diag's routes in words, into buf: "10.0.0.2 (source, Lustre o2ib): ib0 at 100 Gb/s,
 * RDMA port mlx5_0/1 at 100 Gb/s", "10.9.9.9 (source, NFS): Network is unreachable".
 */
void report_route_text(json_t *route, char *buf, size_t len);

#endif
