/*
 * svg.h - the SVG charts of report.html: throughput per thread count, and a run's time series.
 * Both are drawn from results.json and the samples files alone, as inline SVG (well-formed XML,
 * so a chart can be cut out of the page as an .svg file).
 */
#ifndef CCB_REPORT_SVG_H
#define CCB_REPORT_SVG_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "report/data.h"

/* "shutil" or "shutil, 2 jobs": a line of the throughput chart, escaped. */
void svg_series_name(FILE *f, json_t *cell);

/*
 * Median MB/s per thread count of each (strategy, jobs) of cells (report_cells()), with the
 * median's interval, the single runs of doc, the recommended and default thread counts and the
 * fio ceiling; "No complete run to draw." when cells is empty.
 */
void svg_throughput_chart(FILE *f, json_t *doc, json_t *cells);

/*
 * One panel of a run's time series: lines[nr] of s over its time, titled title; a percent panel
 * has a 0-100 axis (and more when a %util reads above 100).
 */
void svg_series_chart(FILE *f, const struct report_series *s, const struct report_line *lines,
		      size_t nr, const char *title, bool percent);

#endif
