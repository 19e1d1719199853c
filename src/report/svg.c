/* SPDX-License-Identifier: MIT */
/* svg.c - the SVG charts of report.html, on the scales, axes and legend entries they share. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "analysis/run_flags.h"
#include "lib/json_get.h"
#include "report/data.h"
#include "report/render.h"
#include "report/svg.h"

/* Okabe and Ito's palette: tells colours apart with every common colour-vision deficiency. */
static const char *const palette[] = { "#0072B2", "#D55E00", "#009E73", "#CC79A7",
				       "#E69F00", "#56B4E9", "#000000", "#999999" };
#define NR_COLOURS (sizeof(palette) / sizeof(palette[0]))

void svg_series_name(FILE *f, json_t *cell)
{
	report_put_html(f, json_get_str(cell, "strategy"));
	if (report_jobs(cell) != 1)
		fprintf(f, ", %lld jobs", (long long)report_jobs(cell));
	if (report_nodes(cell))
		fprintf(f, ", %lld node%s", (long long)report_nodes(cell),
			report_nodes(cell) == 1 ? "" : "s");
}

/* ---- what both charts stand on: scales, the y axis, the frame ------------------------------ */

double svg_map(const struct svg_scale *s, double v)
{
	double a = s->log2 ? log2(v) : v;
	double b0 = s->log2 ? log2(s->d0) : s->d0;
	double b1 = s->log2 ? log2(s->d1) : s->d1;

	if (b1 == b0)
		return (s->p0 + s->p1) / 2;
	return s->p0 + (a - b0) / (b1 - b0) * (s->p1 - s->p0);
}

/* The largest value an axis shows: max, or 1 when there is nothing above 0 to show. */
static double axis_max(double max)
{
	return max > 0 ? max : 1;
}

double svg_y_scale(struct svg_scale *y, double max, int ticks, double headroom, double p0,
		   double p1)
{
	const double step = report_nice_step(axis_max(max), ticks);

	*y = (struct svg_scale){ 0, ceil(axis_max(max) * headroom / step) * step, p0, p1, false };
	return step;
}

void svg_open(FILE *f, int w, int h, const char *label)
{
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		   "height=\"%d\" role=\"img\" aria-label=\"%s\">\n",
		w, h, w, h, label);
}

void svg_y_axis(FILE *f, const struct svg_scale *y, double step, double x0, double x1)
{
	const int decimals = step < 1 ? 1 : 0;

	for (double v = 0; v <= y->d1 + step / 1000; v += step) {
		double py = svg_map(y, v);

		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
			x0, py, x1, py, v == 0 ? "#9aa3b0" : "#e6e9ee");
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#5b6474\" "
			   "text-anchor=\"end\">%.*f</text>\n",
			x0 - 6, py + 4, decimals, v);
	}
}

const char *svg_colour(size_t i)
{
	return palette[i % NR_COLOURS];
}

/* ---- throughput per thread count ------------------------------------------------------------ */

enum { TP_W = 1140, TP_H = 420, TP_L = 72, TP_R = 24, TP_T = 44, TP_B = 52 };
/* The right margin that holds the fio ceiling's label, clear of every point. */
enum { TP_CEILING_R = 104 };
enum { TP_MAX_SERIES = 16 };

/* What the throughput chart draws, and where. */
struct tp_chart {
	json_t *cells;
	json_t *runs;
	struct report_threads th;	/* the distinct thread counts, ascending */
	const long long *tv;		/* th.v */
	size_t ntv;
	json_t *ser[TP_MAX_SERIES];	/* the first cell of each (strategy, jobs) */
	size_t nser;
	struct svg_scale x, y;
	double right;			/* the plot's right edge: before the ceiling's label */
	double step;			/* of the y axis */
	bool have_ci;			/* some cell has the median's interval */
};

/* Series of the throughput chart: one per (strategy, jobs), in the cells' order. */
static size_t series_of(json_t *cells, json_t **first, size_t max)
{
	json_t *cell;
	size_t i;
	size_t n = 0;

	json_array_foreach(cells, i, cell) {
		size_t k;

		for (k = 0; k < n; k++)
			if (report_same_series(first[k], cell))
				break;
		if (k == n && n < max)
			first[n++] = cell;
	}
	return n;
}

/* The series, thread counts and scales of the chart. Returns how many thread counts there are. */
static size_t tp_init(struct tp_chart *c, json_t *doc, json_t *cells)
{
	json_t *ref = json_object_get(json_object_get(doc, "reference"), "ceiling_mb_s");
	double ymax = 0;
	json_t *cell;
	json_t *run;
	size_t i;

	memset(c, 0, sizeof(*c));
	c->cells = cells;
	c->runs = json_object_get(doc, "runs");
	report_threads_init(&c->th, cells);
	c->tv = c->th.v;
	c->ntv = c->th.n;
	c->nser = series_of(cells, c->ser, TP_MAX_SERIES);
	if (!c->ntv)
		return 0;
	json_array_foreach(cells, i, cell) {
		const char *hi = json_get_has_num(cell, "ci_high_mb_s") ? "ci_high_mb_s" : "max_mb_s";

		ymax = fmax(ymax, json_get_num(cell, hi));
		c->have_ci |= json_get_has_num(cell, "ci_high_mb_s");
	}
	json_array_foreach(c->runs, i, run)
		if (report_cell_of(cells, run))
			ymax = fmax(ymax, json_get_num(run, "mb_s"));
	if (json_is_number(ref))
		ymax = fmax(ymax, json_number_value(ref));
	c->step = svg_y_scale(&c->y, ymax, 6, 1.04, TP_H - TP_B, TP_T);
	c->right = TP_W - (json_is_number(ref) ? TP_CEILING_R : TP_R);
	/* Powers of two are what people sweep: equal steps on a log2 axis. */
	c->x.log2 = c->th.log2;
	c->x.d0 = (double)c->tv[0];
	c->x.d1 = (double)c->tv[c->ntv - 1];
	c->x.p0 = TP_L + 60;
	c->x.p1 = c->right - 60;
	if (c->ntv == 1)
		c->x.p0 = c->x.p1 = (TP_L + c->right) / 2.0;
	return c->ntv;
}

/* The grid, a tick per thread count and the axes' titles. */
static void tp_axes(FILE *f, const struct tp_chart *c)
{
	svg_y_axis(f, &c->y, c->step, TP_L, c->right);
	for (size_t k = 0; k < c->ntv; k++) {
		double px = svg_map(&c->x, (double)c->tv[k]);

		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#9aa3b0\"/>\n"
			"<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#3b4350\" "
			"text-anchor=\"middle\">%lld</text>\n",
			px, TP_H - TP_B, px, TP_H - TP_B + 5, px, TP_H - TP_B + 19, c->tv[k]);
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#3b4350\" "
		   "text-anchor=\"middle\">threads%s</text>\n",
		(TP_L + c->right) / 2.0, TP_H - 12, c->x.log2 ? " (log scale)" : "");
	fprintf(f,
		"<text x=\"16\" y=\"%.1f\" font-size=\"12\" fill=\"#3b4350\" "
		"text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">"
		"MB/s until durable</text>\n",
		(TP_T + TP_H - TP_B) / 2.0, (TP_T + TP_H - TP_B) / 2.0);
}

static void vline(FILE *f, double x, double y0, double y1, const char *colour, const char *dash,
		  const char *label, long long threads, double ty, const char *anchor)
{
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		   "stroke-width=\"1.5\" stroke-dasharray=\"%s\"/>\n", x, y0, x, y1, colour, dash);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"%s\" "
		   "text-anchor=\"%s\">%s %lld</text>\n",
		x + (!strcmp(anchor, "start") ? 4 : -4), ty, colour, anchor, label, threads);
}

/* CryoSPARC's default and the recommended thread counts, and fio's ceiling. */
static void tp_marks(FILE *f, const struct tp_chart *c, json_t *doc)
{
	json_t *rec = json_object_get(doc, "recommendation");
	json_t *ref = json_object_get(json_object_get(doc, "reference"), "ceiling_mb_s");
	const long long def = json_get_int(rec, "default_threads");

	if (json_is_integer(json_object_get(rec, "default_threads")) && def >= c->tv[0] &&
	    def <= c->tv[c->ntv - 1])
		vline(f, svg_map(&c->x, (double)def), TP_T - 6, TP_H - TP_B, "#5b6474", "2 3",
		      "CryoSPARC default:", def, TP_T - 10, "end");
	if (json_is_integer(json_object_get(rec, "threads")) &&
	    strcmp(json_get_str(rec, "confidence"), "none"))
		vline(f, svg_map(&c->x, (double)json_get_int(rec, "threads")), TP_T - 6, TP_H - TP_B,
		      "#1a7f37", "6 3", "recommended:", json_get_int(rec, "threads"), TP_T - 10,
		      "start");
	if (json_is_number(ref)) {
		double py = svg_map(&c->y, json_number_value(ref));

		/* the label in the right margin, beyond the last point: it can cover none */
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#8b1a1a\" "
			   "stroke-dasharray=\"8 4\"/>\n<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
			   "fill=\"#8b1a1a\"><tspan x=\"%.1f\">fio ceiling</tspan><tspan x=\"%.1f\" "
			   "dy=\"13\">%.0f MB/s</tspan></text>\n",
			TP_L, py, c->right, py, c->right + 6, py - 2, c->right + 6, c->right + 6,
			json_number_value(ref));
	}
}

/* The single runs of series s, beside its bars: a faint dot, or a red × when not cold. */
static void tp_runs(FILE *f, const struct tp_chart *c, size_t s, double dodge)
{
	json_t *run;
	size_t i;

	json_array_foreach(c->runs, i, run) {
		json_t *cell = report_cell_of(c->cells, run);
		double px, py;

		if (!cell || !report_same_series(cell, c->ser[s]) || !json_get_has_num(run, "mb_s") ||
		    json_array_size(json_object_get(run, "errors")) ||
		    json_is_true(json_object_get(run, "aborted")))
			continue;
		px = svg_map(&c->x, (double)json_get_int(run, "threads")) + dodge + 14;
		py = svg_map(&c->y, json_get_num(run, "mb_s"));
		if (run_flag_not_cold(run))
			fprintf(f,
				"<path d=\"M%.1f %.1fl7 7m0 -7l-7 7\" stroke=\"#c0392b\" "
				"stroke-width=\"2\" fill=\"none\"><title>",
				px - 3.5, py - 3.5);
		else
			fprintf(f,
				"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
				"fill-opacity=\"0.35\" stroke-opacity=\"0.6\"><title>",
				px, py);
		fprintf(f, "run %lld: %.1f MB/s", json_get_int(run, "seq"),
			json_get_num(run, "mb_s"));
		if (run_flag_not_cold(run))
			fputs(" (not cold)", f);
		fputs(run_flag_not_cold(run) ? "</title></path>\n" : "</title></circle>\n", f);
	}
}

/* The medians of series s with their bands: the median's interval, or min to max. */
static void tp_medians(FILE *f, const struct tp_chart *c, size_t s, double dodge)
{
	json_t *cell;
	size_t i;

	json_array_foreach(c->cells, i, cell) {
		const char *lo = json_get_has_num(cell, "ci_low_mb_s") ? "ci_low_mb_s" : "min_mb_s";
		const char *hi = json_get_has_num(cell, "ci_high_mb_s") ? "ci_high_mb_s" : "max_mb_s";
		double px, y0, y1;

		if (!report_same_series(cell, c->ser[s]) || !json_get_has_num(cell, "median_mb_s"))
			continue;
		px = svg_map(&c->x, (double)json_get_int(cell, "threads")) + dodge;
		y0 = svg_map(&c->y, json_get_num(cell, lo));
		y1 = svg_map(&c->y, json_get_num(cell, hi));
		fprintf(f, "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fh10M%.1f %.1fh10\" "
			   "stroke-width=\"1.6\" fill=\"none\"/>\n",
			px, y0, y1, px - 5, y0, px - 5, y1);
		fprintf(f,
			"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" stroke=\"#fff\" "
			"stroke-width=\"1.5\"><title>",
			px, svg_map(&c->y, json_get_num(cell, "median_mb_s")));
		svg_series_name(f, cell);
		fprintf(f, ", %lld thread%s: median %.1f MB/s, %s %.1f–%.1f",
			json_get_int(cell, "threads"), json_get_int(cell, "threads") == 1 ? "" : "s",
			json_get_num(cell, "median_mb_s"),
			json_get_has_num(cell, "ci_low_mb_s") ? "interval" : "range",
			json_get_num(cell, lo), json_get_num(cell, hi));
		if (json_get_has_num(cell, "ci_coverage"))
			fprintf(f, " (%.0f %%)", 100 * json_get_num(cell, "ci_coverage"));
		fprintf(f, ", %lld runs</title></circle>\n", json_get_int(cell, "runs"));
	}
}

/* Series s: the line through its medians, its runs, its medians with their bands. */
static void tp_series(FILE *f, const struct tp_chart *c, size_t s)
{
	const char *colour = palette[s % NR_COLOURS];
	/* Series side by side around each thread count, so their bars do not overlap. */
	const double dodge = ((double)s - (double)(c->nser - 1) / 2) * 9;
	bool first = true;
	json_t *cell;
	size_t i;

	fprintf(f,
		"<g fill=\"%s\" stroke=\"%s\">\n"
		"<polyline fill=\"none\" stroke-width=\"2.2\" points=\"",
		colour, colour);
	json_array_foreach(c->cells, i, cell) {
		if (!report_same_series(cell, c->ser[s]) || !json_get_has_num(cell, "median_mb_s"))
			continue;
		fprintf(f, "%s%.1f,%.1f", first ? "" : " ",
			svg_map(&c->x, (double)json_get_int(cell, "threads")) + dodge,
			svg_map(&c->y, json_get_num(cell, "median_mb_s")));
		first = false;
	}
	fputs("\"/>\n", f);
	tp_runs(f, c, s, dodge);
	tp_medians(f, c, s, dodge);
	fputs("</g>\n", f);
}

/* The legend, in a row above the plot. */
static void tp_legend(FILE *f, const struct tp_chart *c)
{
	double lx = TP_L;

	for (size_t s = 0; s < c->nser; s++) {
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" y2=\"14\" stroke=\"%s\" "
			"stroke-width=\"3\"/><circle cx=\"%.1f\" cy=\"14\" r=\"4.5\" "
			"fill=\"%s\"/><text x=\"%.1f\" y=\"18\" font-size=\"12.5\" "
			"fill=\"#1d2330\">",
			lx, lx + 22, palette[s % NR_COLOURS], lx + 11, palette[s % NR_COLOURS],
			lx + 28);
		svg_series_name(f, c->ser[s]);
		fputs("</text>\n", f);
		lx += 28 + 8.0 * (double)(strlen(json_get_str(c->ser[s], "strategy")) + 2) +
		      (report_jobs(c->ser[s]) != 1 ? 60 : 0) + (report_nodes(c->ser[s]) ? 60 : 0);
	}
}

void svg_throughput_chart(FILE *f, json_t *doc, json_t *cells)
{
	struct tp_chart c;

	if (!tp_init(&c, doc, cells)) {
		fputs("<p>No complete run to draw.</p>\n", f);
		return;
	}
	svg_open(f, TP_W, TP_H, "throughput per thread count");
	tp_axes(f, &c);
	tp_marks(f, &c, doc);
	for (size_t s = 0; s < c.nser; s++)
		tp_series(f, &c, s);
	tp_legend(f, &c);
	/* The key under the chart: beside the legend it collides with a long one (nodes, jobs). */
	fprintf(f, "</svg>\n<p class=\"note\">Dot: median; bar: %s; faint dots: single runs; "
		   "red ×: not cold.</p>\n",
		c.have_ci ? "confidence interval of the median" : "min to max");
}

/* ---- a run's time series ---------------------------------------------------------------- */

void svg_series_chart(FILE *f, const struct report_series *s, const struct report_line *lines,
		      size_t nr, const char *title, bool percent, double ymax)
{
	enum { W = 400, H = 150, L = 46, R = 8, T = 30, B = 24 };
	double tmax = 0;
	double step;
	struct svg_scale x, y;
	double lx;

	for (size_t i = 0; i < s->n; i++)
		if (isfinite(s->t[i]))
			tmax = fmax(tmax, s->t[i]);
	if (percent)
		ymax = 100;
	for (size_t k = 0; k < nr; k++)
		for (size_t i = 0; i < s->n; i++)
			if (isfinite(lines[k].v[i]))
				ymax = fmax(ymax, lines[k].v[i]);
	tmax = axis_max(tmax);
	x = (struct svg_scale){ 0, tmax, L, W - R, false };
	if (percent) {
		/* %util can read a little above 100 (counters sampled a moment apart): keep it. */
		step = 25;
		y = (struct svg_scale){ 0, fmax(100, ymax * 1.02), H - B, T, false };
	} else {
		step = svg_y_scale(&y, ymax, 4, 1, H - B, T);
	}
	svg_open(f, W, H, title);
	fprintf(f, "<text x=\"0\" y=\"12\" font-size=\"11.5\" font-weight=\"600\" "
		   "fill=\"#1d2330\">%s</text>\n", title);
	svg_y_axis(f, &y, step, L, W - R);
	{
		double tstep = report_nice_step(tmax, 5);

		for (double t = 0; t <= tmax + tstep / 1000; t += tstep)
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#5b6474\" "
				   "text-anchor=\"middle\">%g</text>\n",
				svg_map(&x, t), H - B + 13, t);
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#5b6474\" "
			   "text-anchor=\"end\">s</text>\n", W - R, H - 1);
	}
	if (isfinite(s->t_copied) && s->t_copied <= tmax) {
		/* the last file closed: from here on it is syncfs writing back what was copied */
		const double px = svg_map(&x, s->t_copied);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#3b4350\" "
			   "stroke-width=\"1.2\" stroke-dasharray=\"3 2\"><title>copied at %.2f s: "
			   "syncfs from here</title></line>\n",
			px, T - 4, px, H - B, s->t_copied);
	}
	lx = 52;
	for (size_t k = 0; k < nr; k++) {
		const char *colour = palette[k % NR_COLOURS];
		bool pen = false;

		fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.7\" "
			   "stroke-linejoin=\"round\" d=\"", colour);
		/* A reading covers the interval up to its time: draw it from the previous one. */
		for (size_t i = 0; i < s->n; i++) {
			if (!isfinite(lines[k].v[i]) || !isfinite(s->t[i])) {
				pen = false;
				continue;
			}
			fprintf(f, "%s%.1f %.1f", pen ? "L" : "M", svg_map(&x, s->t[i]),
				svg_map(&y, lines[k].v[i]));
			pen = true;
		}
		fputs("\"/>\n", f);
		fprintf(f, "<rect x=\"%.1f\" y=\"6\" width=\"10\" height=\"3\" fill=\"%s\"/>"
			   "<text x=\"%.1f\" y=\"12\" font-size=\"10.5\" fill=\"#3b4350\">",
			lx, colour, lx + 13);
		report_put_html(f, lines[k].label);
		fputs("</text>\n", f);
		lx += 22 + 5.6 * (double)strlen(lines[k].label);
	}
	/* the dashed line's entry, last in the legend, not over the lines */
	if (isfinite(s->t_copied) && s->t_copied <= tmax)
		fprintf(f, "<line x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"12\" stroke=\"#3b4350\" "
			   "stroke-width=\"1.2\" stroke-dasharray=\"3 2\"/><text x=\"%.1f\" y=\"12\" "
			   "font-size=\"10.5\" fill=\"#3b4350\">copied, then syncfs</text>\n",
			lx + 4, lx + 4, lx + 9);
	fputs("</svg>\n", f);
}
