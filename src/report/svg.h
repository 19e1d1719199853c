/* SPDX-License-Identifier: MIT */
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

/* A linear (or log2) map from data values d0..d1 to pixels p0..p1. */
struct svg_scale {
	double d0, d1;		/* data */
	double p0, p1;		/* pixels */
	bool log2;
};

/* The pixel of data value v. */
double svg_map(const struct svg_scale *s, double v);
/*
 * A linear y scale from 0 at pixel p0 (the bottom) up to p1, whose top is the first grid line at
 * or above max times headroom, on a nice step for about ticks lines. Returns the step.
 */
double svg_y_scale(struct svg_scale *y, double max, int ticks, double headroom, double p0,
		   double p1);
/* The opening <svg> tag of a w x h chart; label is its accessible name (no markup). */
void svg_open(FILE *f, int w, int h, const char *label);
/* Horizontal grid lines from x0 to x1 and the labels of a y scale from 0, every step. */
void svg_y_axis(FILE *f, const struct svg_scale *y, double step, double x0, double x1);
/* The i-th colour of the charts' palette (Okabe and Ito's, for colour-blind readers). */
const char *svg_colour(size_t i);

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
 * has a 0-100 axis (and more when a %util reads above 100), another one up to ymax (the same for
 * every run, so the cards compare at a glance; 0: its own highest value). A dashed line marks
 * s->t_copied, when the last file closed and syncfs began.
 */
void svg_series_chart(FILE *f, const struct report_series *s, const struct report_line *lines,
		      size_t nr, const char *title, bool percent, double ymax);

#endif
