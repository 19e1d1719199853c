/* SPDX-License-Identifier: MIT */
/*
 * compare_html.c - a comparison as one self-contained HTML page (inline CSS and SVG, nothing
 * fetched): the verdicts, and per strategy a chart with each thread count's runs and median, the
 * baseline's beside the current's, drawn on the report's scales and palette.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/run_flags.h"
#include "lib/json_get.h"
#include "report/data.h"
#include "report/render.h"
#include "report/report.h"
#include "report/svg.h"

#define BASE_COLOUR "#8b95a5"

static const char css[] =
	"*{box-sizing:border-box}\n"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
	"color:#1d2330;background:#f4f5f7;margin:0}\n"
	"main{max-width:1240px;margin:0 auto;padding:20px 24px 40px}\n"
	"h1{font-size:24px;margin:0 0 2px}h2{font-size:18px;margin:0 0 10px}\n"
	".sub{color:#5b6474;margin:0 0 4px}\n"
	"section{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:16px 18px;"
	"margin:16px 0}\n"
	"section.bad{border-left:6px solid #c0392b}section.good{border-left:6px solid #1a7f37}\n"
	"table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}\n"
	"th,td{padding:4px 8px;border-bottom:1px solid #e8eaee;text-align:left;vertical-align:top}\n"
	"th{background:#f7f8fa;font-weight:600;white-space:nowrap}\n"
	"td.n,th.n{text-align:right;white-space:nowrap}\n"
	"tr.slower td{background:#fff1ee}tr.faster td{background:#eef8f1}"
	"tr.noisy td{background:#fffaf0}\n"
	".scroll{overflow-x:auto}\n"
	".note{color:#5b6474;font-size:12.5px;margin:8px 0 0}\n"
	"svg{display:block;max-width:100%;height:auto}\n"
	"svg text{font-family:system-ui,'DejaVu Sans',sans-serif}\n"
	"code{font:12.5px ui-monospace,'DejaVu Sans Mono',monospace;background:#f1f3f6;"
	"padding:0 3px;border-radius:3px}\n";

/* The colour a verdict is shown in. */
static const char *verdict_colour(const char *v)
{
	if (!strcmp(v, "slower"))
		return "#c0392b";
	if (!strcmp(v, "faster"))
		return "#1a7f37";
	if (!strcmp(v, "noisy"))
		return "#8a5a00";
	return "#5b6474";
}

static void put_value(FILE *f, json_t *v)
{
	char *s;

	if (!v || json_is_null(v)) {
		fputs("–", f);
		return;
	}
	if (json_is_string(v)) {
		report_put_html(f, json_string_value(v));
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
	report_put_html(f, s ? s : "?");
	free(s);
}

static void head(FILE *f, json_t *cmp, json_t *base, json_t *cur)
{
	json_t *d[2] = { base, cur };
	const char *name[2] = { "baseline", "current" };
	const char *path[2] = { json_get_str(cmp, "baseline_path"),
				json_get_str(cmp, "current_path") };

	fputs("<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
	      "<meta charset=\"utf-8\"/>\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
	      "<title>cryocache-bench compare: ", f);
	report_put_html(f, compare_headline(cmp));
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n"
		   "<h1>cryocache-bench compare: ", css);
	report_put_html(f, compare_headline(cmp));
	fputs("</h1>\n", f);
	for (int k = 0; k < 2; k++) {
		json_t *host = json_object_get(d[k], "host");

		fprintf(f, "<p class=\"sub\">%s: <code>", name[k]);
		report_put_html(f, path[k]);
		fputs("</code>, ", f);
		report_put_html(f, json_get_str(host, "hostname"));
		fputs(", ", f);
		report_put_html(f, json_get_str(d[k], "started"));
		fputs("</p>\n", f);
	}
}

static void verdicts(FILE *f, json_t *cmp)
{
	json_t *counts = json_object_get(cmp, "counts");
	const bool bad = json_is_true(json_object_get(cmp, "regression")) ||
			 compare_missing_fails(cmp);
	json_t *c;
	size_t i;

	fprintf(f, "<section id=\"verdicts\" class=\"%s\">\n<h2>Verdicts</h2>\n<p>",
		bad ? "bad" : "good");
	fprintf(f, "%lld slower, %lld faster, %lld same, %lld too noisy, %lld insufficient, "
		   "%lld missing, %lld new (Mann-Whitney U, alpha %g, minimum change %g %%, at "
		   "least %lld runs a side).</p>\n",
		json_get_int(counts, "slower"), json_get_int(counts, "faster"),
		json_get_int(counts, "same"), json_get_int(counts, "noisy"),
		json_get_int(counts, "insufficient"), json_get_int(counts, "missing"),
		json_get_int(counts, "new"), json_get_num(cmp, "alpha"),
		json_get_num(cmp, "tolerance") * 100, json_get_int(cmp, "min_runs"));
	fputs("<div class=\"scroll\"><table>\n<tr><th>strategy</th><th class=\"n\">threads</th>"
	      "<th class=\"n\">jobs</th><th>verdict</th><th class=\"n\">baseline MB/s (runs)</th>"
	      "<th class=\"n\">current MB/s (runs)</th><th class=\"n\">change</th>"
	      "<th class=\"n\">p</th><th>why</th></tr>\n", f);
	json_array_foreach(json_object_get(cmp, "cells"), i, c) {
		const char *v = json_get_str(c, "verdict");
		json_t *a = json_object_get(c, "baseline");
		json_t *b = json_object_get(c, "current");

		fprintf(f, "<tr class=\"%s\"><td>", v);
		report_put_html(f, json_get_str(c, "strategy"));
		fprintf(f, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
			   "<td style=\"color:%s\"><b>%s</b></td><td class=\"n\">",
			json_get_int(c, "threads"), json_get_int(c, "jobs"), verdict_colour(v),
			!strcmp(v, "noisy") ? "too noisy" : v);
		report_put_num(f, json_object_get(a, "median_mb_s"), 0, "–");
		fprintf(f, " (%lld)</td><td class=\"n\">", json_get_int(a, "runs"));
		report_put_num(f, json_object_get(b, "median_mb_s"), 0, "–");
		fprintf(f, " (%lld)</td><td class=\"n\">", json_get_int(b, "runs"));
		if (json_get_has_num(c, "change_pct"))
			fprintf(f, "%+.1f %%", json_get_num(c, "change_pct"));
		else
			fputs("–", f);
		fputs("</td><td class=\"n\">", f);
		if (json_get_has_num(c, "p_value"))
			fprintf(f, "%.3g", json_get_num(c, "p_value"));
		else
			fputs("–", f);
		fputs("</td><td>", f);
		report_put_html(f, json_get_str(c, "reason"));
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div>\n</section>\n", f);
}

/* ---- the charts: one per (strategy, jobs), a column per thread count ----------------------- */

enum { CW = 1140, CH = 330, CL = 72, CR = 24, CT = 58, CB = 46 };

/* The complete runs of cell in doc (no role, not aborted, no errors, with mb_s), by callback. */
static size_t cell_runs(json_t *doc, json_t *cell, double *v, bool *warm, size_t max)
{
	json_t *run;
	size_t i;
	size_t n = 0;

	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		if (n == max || run_flag_role(run) || !report_same_series(run, cell) ||
		    json_get_int(run, "threads") != json_get_int(cell, "threads") ||
		    json_is_true(json_object_get(run, "aborted")) ||
		    json_array_size(json_object_get(run, "errors")) ||
		    !json_get_has_num(run, "mb_s"))
			continue;
		warm[n] = run_flag_not_cold(run);
		v[n++] = json_get_num(run, "mb_s");
	}
	return n;
}

/* One side's runs of a cell at x, as dots (a red × when not cold), and its median as a bar. */
static void side_marks(FILE *f, const struct svg_scale *y, double x, json_t *doc, json_t *cell,
		       json_t *side, const char *colour, const char *who)
{
	double v[256];
	bool warm[256];
	const size_t n = cell_runs(doc, cell, v, warm, 256);

	for (size_t i = 0; i < n; i++) {
		const double px = x + ((double)(i % 5) - 2) * 3;
		const double py = svg_map(y, v[i]);

		if (warm[i])
			fprintf(f, "<path d=\"M%.1f %.1fl6 6m0 -6l-6 6\" stroke=\"#c0392b\" "
				   "stroke-width=\"2\" fill=\"none\"><title>%s: %.1f MB/s, not cold"
				   "</title></path>\n", px - 3, py - 3, who, v[i]);
		else
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\" "
				   "fill-opacity=\"0.45\"><title>%s: %.1f MB/s</title></circle>\n",
				px, py, colour, who, v[i]);
	}
	if (json_get_has_num(side, "median_mb_s")) {
		const double py = svg_map(y, json_get_num(side, "median_mb_s"));

		fprintf(f, "<path d=\"M%.1f %.1fh24\" stroke=\"%s\" stroke-width=\"3\"><title>%s "
			   "median: %.1f MB/s over %lld runs</title></path>\n", x - 12, py, colour,
			who, json_get_num(side, "median_mb_s"), json_get_int(side, "runs"));
	}
}

/* The largest MB/s a chart of series first must show: every run of its cells, both sides. */
static double chart_max(json_t *cmp, json_t *first, json_t *base, json_t *cur)
{
	double v[256];
	bool warm[256];
	double max = 0;
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(cmp, "cells"), i, c) {
		if (!report_same_series(c, first))
			continue;
		for (size_t k = 0, n = cell_runs(base, c, v, warm, 256); k < n; k++)
			max = fmax(max, v[k]);
		for (size_t k = 0, n = cell_runs(cur, c, v, warm, 256); k < n; k++)
			max = fmax(max, v[k]);
	}
	return max;
}

static void chart(FILE *f, json_t *cmp, json_t *first, size_t nth, json_t *base, json_t *cur)
{
	const char *colour = svg_colour(nth);
	struct svg_scale y;
	const double step = svg_y_scale(&y, chart_max(cmp, first, base, cur), 5, 1.08, CH - CB, CT);
	size_t ncols = 0;
	size_t k = 0;
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(cmp, "cells"), i, c)
		ncols += report_same_series(c, first);
	fputs("<h2>", f);
	svg_series_name(f, first);
	fputs("</h2>\n", f);
	svg_open(f, CW, CH, "baseline and current runs per thread count");
	svg_y_axis(f, &y, step, CL, CW - CR);
	fprintf(f, "<circle cx=\"%d\" cy=\"14\" r=\"4.5\" fill=\"" BASE_COLOUR "\"/>"
		   "<text x=\"%d\" y=\"18\" font-size=\"12.5\">baseline</text>"
		   "<circle cx=\"%d\" cy=\"14\" r=\"4.5\" fill=\"%s\"/>"
		   "<text x=\"%d\" y=\"18\" font-size=\"12.5\">current</text>"
		   "<text x=\"%d\" y=\"18\" font-size=\"11.5\" fill=\"#5b6474\" text-anchor=\"end\">"
		   "dots: runs, bar: median, red ×: not cold; above each thread count: the verdict"
		   "</text>\n",
		CL + 6, CL + 16, CL + 100, colour, CL + 110, CW - CR);
	fprintf(f, "<text x=\"16\" y=\"%.1f\" font-size=\"12\" fill=\"#3b4350\" "
		   "text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">MB/s until durable"
		   "</text>\n<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#3b4350\" "
		   "text-anchor=\"middle\">threads (the baseline left, the current right)</text>\n",
		(CT + CH - CB) / 2.0, (CT + CH - CB) / 2.0, (CL + CW - CR) / 2.0, CH - 8);
	json_array_foreach(json_object_get(cmp, "cells"), i, c) {
		const double w = (double)(CW - CL - CR) / (double)ncols;
		const double px = CL + w * ((double)k + 0.5);
		const char *v = json_get_str(c, "verdict");

		if (!report_same_series(c, first))
			continue;
		k++;
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#3b4350\" "
			   "text-anchor=\"middle\">%lld</text>\n", px, CH - CB + 17,
			json_get_int(c, "threads"));
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11.5\" font-weight=\"600\" "
			   "fill=\"%s\" text-anchor=\"middle\">", px, CT - 12, verdict_colour(v));
		if (json_get_has_num(c, "change_pct"))
			fprintf(f, "%+.1f %% ", json_get_num(c, "change_pct"));
		fprintf(f, "%s</text>\n", !strcmp(v, "noisy") ? "too noisy" : v);
		side_marks(f, &y, px - 16, base, c, json_object_get(c, "baseline"), BASE_COLOUR,
			   "baseline");
		side_marks(f, &y, px + 16, cur, c, json_object_get(c, "current"), colour,
			   "current");
	}
	fputs("</svg>\n", f);
}

static void charts(FILE *f, json_t *cmp, json_t *base, json_t *cur)
{
	json_t *cells = json_object_get(cmp, "cells");
	json_t *c;
	size_t i;
	size_t n = 0;

	fputs("<section id=\"charts\">\n", f);
	json_array_foreach(cells, i, c) {
		bool first = true;

		for (size_t j = 0; j < i; j++)
			first &= !report_same_series(json_array_get(cells, j), c);
		if (first)
			chart(f, cmp, c, n++, base, cur);
	}
	if (!n)
		fputs("<p>No cell to draw.</p>\n", f);
	fputs("<p class=\"note\">MB/s are 10^6 bytes per second until the copies were durable. "
	      "Failed and aborted runs are left out, as in the verdicts.</p>\n</section>\n", f);
}

static void differences(FILE *f, json_t *list, const char *title, const char *note)
{
	json_t *d;
	size_t i;

	if (!json_array_size(list))
		return;
	fprintf(f, "<section>\n<h2>%s</h2>\n<p class=\"note\">%s</p>\n<div class=\"scroll\">"
		   "<table>\n<tr><th></th><th>baseline</th><th>current</th></tr>\n", title, note);
	json_array_foreach(list, i, d) {
		fputs("<tr><td>", f);
		report_put_html(f, json_get_str(d, "key"));
		fputs("</td><td>", f);
		put_value(f, json_object_get(d, "baseline"));
		fputs("</td><td>", f);
		put_value(f, json_object_get(d, "current"));
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div>\n</section>\n", f);
}

int compare_write_html(json_t *cmp, json_t *base, json_t *cur, FILE *f)
{
	head(f, cmp, base, cur);
	verdicts(f, cmp);
	charts(f, cmp, base, cur);
	differences(f, json_object_get(cmp, "hardware"), "Different hardware",
		    "The baseline was measured on other hardware; its numbers are not a reference "
		    "for this machine.");
	differences(f, json_object_get(cmp, "environment"), "Environment differences",
		    "A change may come from these rather than from the code.");
	fputs("</main>\n</body>\n</html>\n", f);
	return ferror(f) ? -EIO : 0;
}
