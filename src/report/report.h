/* SPDX-License-Identifier: MIT */
/*
 * report.h - renderings of results.json for people. They read the document (and the samples files
 * beside it), never the system.
 */
#ifndef CCB_REPORT_H
#define CCB_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "report/plot.h"

/*
 * A table of the runs, the median and spread per (strategy, threads) cell, and every warning,
 * from the fields of results.json alone.
 */
void report_text(json_t *doc, FILE *f);
/*
 * report_text() for the end of a run or sweep: the top-level warnings in said (strings, NULL for
 * none), already said on the terminal the table goes to, are not listed again.
 */
void report_text_said(json_t *doc, json_t *said, FILE *f);

/*
 * A sampler summary (a run's "sampler", or watch's): the devices with their totals and iostat -x
 * means, the CPUs, the interfaces, NFS mounts, then the findings and warnings.
 */
void report_sampler(json_t *sampler, FILE *f);
/* A link of a sampler summary's net object in words: "ip 10 Gb/s", "rdma 100 Gb/s", "ip ?". */
void report_link_text(json_t *net_entry, char *buf, size_t len);

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

/* ---- a comparison (compare_docs()'s document) --------------------------------------------- */

/* The comparison as Markdown, for a CI summary or a pull request comment. Returns 0 or -EIO. */
int compare_write_markdown(json_t *cmp, FILE *f);

/*
 * Whether the comparison fails for missing cells: its "fail_on_missing" (set by the command from
 * --fail-on-missing) is true and a cell of the baseline is missing from the current results.
 */
bool compare_missing_fails(json_t *cmp);
/* "REGRESSION", "MISSING CELLS" (compare_missing_fails) or "no regression". */
const char *compare_headline(json_t *cmp);

/*
 * The comparison as one self-contained HTML page: the verdicts, and per strategy a chart of each
 * thread count's runs and median, the baseline's beside the current's (from base and cur, the
 * documents compared). Returns 0 or -EIO.
 */
int compare_write_html(json_t *cmp, json_t *base, json_t *cur, FILE *f);

/*
 * The comparison as JUnit XML: one testsuite, one testcase per cell (classname the strategy,
 * name "<strategy> threads=<n> jobs=<j>", time the seconds the current results measured it; the
 * suite's time their sum), a <failure> for "slower" (and for "missing" with fail_on_missing),
 * <skipped> for "noisy", "insufficient", "missing" and "new". Returns 0 or -errno of the write.
 */
int compare_write_junit(json_t *cmp, FILE *f);

#endif
