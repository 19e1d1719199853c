/*
 * report_html.c - report.html: one self-contained page (inline CSS and SVG, nothing fetched) with
 * the recommendation, the warnings, throughput per thread count with its intervals, the tables,
 * what the devices and CPUs did during each run, and the environment. The page is well-formed
 * XML as well as HTML, so xmllint can check it and each chart can be cut out as an .svg file.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/plot.h"
#include "analysis/recommend.h"
#include "report/report.h"
#include "bench/results.h"
#include "analysis/run_flags.h"
#include "lib/json_get.h"
#include "lib/util.h"

/* Okabe and Ito's palette: tells colours apart with every common colour-vision deficiency. */
static const char *const palette[] = { "#0072B2", "#D55E00", "#009E73", "#CC79A7",
				       "#E69F00", "#56B4E9", "#000000", "#999999" };
#define NR_COLOURS (sizeof(palette) / sizeof(palette[0]))

static bool has_num(json_t *o, const char *key)
{
	return json_is_number(json_object_get(o, key));
}

/* Text for an element or an attribute; control characters XML forbids become U+FFFD. */
static void esc(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
				fputs("\xef\xbf\xbd", f);
			else
				fputc(*p, f);
		}
	}
}

static void esc_key(FILE *f, json_t *o, const char *key)
{
	esc(f, json_get_str(o, key));
}

/* A number with decimals, or "–" when the JSON has none. */
static void put_num(FILE *f, json_t *v, int decimals)
{
	report_put_num(f, v, decimals, "–");
}

static void put_key(FILE *f, json_t *o, const char *key, int decimals)
{
	put_num(f, json_object_get(o, key), decimals);
}

/* "shutil" or "shutil, 2 jobs": a line of the throughput chart. */
static void put_series_name(FILE *f, json_t *cell)
{
	esc_key(f, cell, "strategy");
	if (report_jobs(cell) != 1)
		fprintf(f, ", %lld jobs", (long long)report_jobs(cell));
}

static const char css[] =
	"*{box-sizing:border-box}\n"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
	"color:#1d2330;background:#f4f5f7;margin:0}\n"
	"main{max-width:1240px;margin:0 auto;padding:20px 24px 40px}\n"
	"h1{font-size:24px;margin:0 0 2px}h2{font-size:18px;margin:0 0 10px}"
	"h3{font-size:14px;margin:0 0 6px}\n"
	".sub{color:#5b6474;margin:0 0 4px}\n"
	"section{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:16px 18px;"
	"margin:16px 0}\n"
	".top{display:grid;grid-template-columns:minmax(0,1.1fr) minmax(0,1fr);gap:16px;"
	"margin:16px 0}\n"
	".top>section{margin:0}\n"
	".recbox{border-left:6px solid #8b95a5}.recbox.high{border-left-color:#1a7f37}"
	".recbox.low{border-left-color:#c27c0e}\n"
	".recbox table{width:100%}\n"
	".recvalue{font:600 26px/1.2 ui-monospace,'DejaVu Sans Mono',monospace;margin:4px 0 8px;"
	"word-break:break-all}\n"
	".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;"
	"font-weight:600;background:#e8eaee;color:#3b4350;vertical-align:middle}\n"
	".badge.high{background:#dcf3e3;color:#1a7f37}.badge.low{background:#fdf0d5;color:#8a5a00}"
	".badge.none{background:#e8eaee;color:#5b6474}\n"
	".warn{background:#fffaf0;border-color:#f0d9a8}.warn ul{margin:0;padding-left:18px}"
	".warn li{margin:2px 0}\n"
	".ok{background:#f3fbf5;border-color:#bfe5c9}\n"
	"table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}\n"
	"th,td{padding:4px 8px;border-bottom:1px solid #e8eaee;text-align:left;"
	"vertical-align:top}\n"
	"th{background:#f7f8fa;font-weight:600;white-space:nowrap}\n"
	"td.n,th.n{text-align:right;white-space:nowrap}\n"
	"tr.rec td{background:#eef8f1}tr.bad td{background:#fff1ee}\n"
	".scroll{overflow-x:auto}\n"
	".flag{display:inline-block;padding:0 6px;margin:1px 2px 1px 0;border-radius:8px;"
	"font-size:11px;background:#fdf0d5;color:#8a5a00;white-space:nowrap}\n"
	"td.tags{white-space:nowrap}\n"
	".note{color:#5b6474;font-size:12.5px;margin:8px 0 0}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(370px,1fr));gap:12px}\n"
	".card{border:1px solid #e3e6eb;border-radius:6px;padding:8px 10px}\n"
	".card svg{display:block;width:100%;height:auto}\n"
	".card details{font-size:12px;color:#3b4350}\n"
	"svg text{font-family:system-ui,'DejaVu Sans',sans-serif}\n"
	"code{font:12.5px ui-monospace,'DejaVu Sans Mono',monospace;background:#f1f3f6;"
	"padding:0 3px;border-radius:3px}\n"
	".kv td:first-child{color:#5b6474;white-space:nowrap}.kv td{overflow-wrap:anywhere}\n"
	".recbox table th.n{white-space:normal}\n"
	".env{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.9fr);gap:16px}\n"
	"@media (max-width:900px){.top,.env{grid-template-columns:1fr}}\n";

/* ---- the page's head, the recommendation, the warnings ------------------------------------ */

static void head(FILE *f, json_t *doc)
{
	json_t *host = json_object_get(doc, "host");
	json_t *tool = json_object_get(doc, "tool");
	json_t *src = json_object_get(doc, "source");
	json_t *dst = json_object_get(doc, "destination");

	fputs("<!DOCTYPE html>\n<html lang=\"en\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
	      "<meta charset=\"utf-8\"/>\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
	      "<title>cryocache-bench: ", f);
	esc_key(f, host, "hostname");
	fputs("</title>\n<style>\n", f);
	fputs(css, f);
	fputs("</style>\n</head>\n<body>\n<main>\n<h1>Particle caching on ", f);
	esc_key(f, host, "hostname");
	fputs("</h1>\n<p class=\"sub\">", f);
	esc_key(f, doc, "started");
	fputs(" to ", f);
	esc(f, json_is_string(json_object_get(doc, "finished")) ? json_get_str(doc, "finished")
								: "(unfinished)");
	if (!report_watch_sampler(doc))
		fprintf(f, " · %zu runs", json_array_size(json_object_get(doc, "runs")));
	fputs(" · ", f);
	esc_key(f, tool, "name");
	fputc(' ', f);
	esc_key(f, tool, "version");
	fputs("</p>\n<p class=\"sub\">", f);
	if (report_watch_sampler(doc)) {
		json_t *p;
		size_t i;

		fputs("watched", f);
		json_array_foreach(json_object_get(json_object_get(doc, "watch"), "paths"), i, p) {
			fputs(i ? ", <code>" : " <code>", f);
			esc(f, json_string_value(p) ? json_string_value(p) : "");
			fputs("</code>", f);
		}
		fprintf(f, " for %.1f s</p>\n", json_get_num(report_watch_sampler(doc), "seconds"));
		return;
	}
	fprintf(f, "%lld files, %.2f GB: <code>", json_get_int(src, "files"), json_get_num(src, "bytes") / 1e9);
	esc_key(f, src, "path");
	fputs("</code> (", f);
	esc_key(f, src, "fs_type");
	fputs(") → <code>", f);
	esc_key(f, dst, "path");
	fputs("</code> (", f);
	esc_key(f, dst, "fs_type");
	fputs(")</p>\n", f);
}

static void recommendation(FILE *f, json_t *rec, json_t *cells)
{
	json_t *threads = json_object_get(rec, "threads");
	json_t *fr = json_object_get(rec, "for");
	const char *conf = json_get_str(rec, "confidence");
	const char *cls = !strcmp(conf, "high") ? "high" : !strcmp(conf, "low") ? "low" : "none";
	struct report_rec_row rows[64];
	size_t n = report_rec_rows(rec, cells, rows, 64);
	char *line;

	fprintf(f, "<section id=\"recommendation\" class=\"recbox %s\">\n<h2>Recommendation "
		   "<span class=\"badge %s\">"
		   "confidence: ", cls, cls);
	esc(f, *conf ? conf : "none");
	fputs("</span></h2>\n", f);
	if (!rec) {
		fputs("<p>This results.json has no recommendation: that comes from a sweep over "
		      "thread counts (<code>cryocache-bench sweep</code>).</p>\n</section>\n", f);
		return;
	}
	fputs("<div class=\"recvalue\">", f);
	if (json_is_integer(threads)) {
		esc_key(f, rec, "variable");
		fprintf(f, "=%lld", (long long)json_integer_value(threads));
	} else {
		fputs("no recommendation", f);
	}
	fputs("</div>\n", f);
	if (json_is_integer(threads) && !strcmp(conf, "none"))
		fputs("<p><b>Keep the default:</b> the runs cannot tell the thread counts "
		      "apart.</p>\n",
		      f);
	if (report_jobs(rec) != 1)
		fprintf(f, "<p>with %lld jobs caching at once</p>\n", (long long)report_jobs(rec));
	fputs("<p>", f);
	esc_key(f, rec, "reason");
	fputs("</p>\n<table>\n<tr><th class=\"n\">" RECOMMEND_STRATEGY " threads</th>"
	      "<th class=\"n\">median MB/s</th>", f);
	if (fr) {
		fprintf(f, "<th class=\"n\">time for %lld files, %.2f GB%s</th>",
			json_get_int(fr, "files"), json_get_num(fr, "bytes") / 1e9,
			!strcmp(json_get_str(fr, "basis"), "measured") ? " (as measured)" : "");
	}
	fputs("<th></th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		const bool recommended = json_is_integer(threads) &&
					 rows[i].threads == json_integer_value(threads);
		const bool def = rows[i].threads == json_get_int(rec, "default_threads");

		fprintf(f, "<tr%s><td class=\"n\">%lld</td><td class=\"n\">",
			recommended ? " class=\"rec\"" : "", (long long)rows[i].threads);
		put_key(f, rows[i].cell, "median_mb_s", 1);
		fputs("</td>", f);
		if (fr) {
			fputs("<td class=\"n\">", f);
			report_put_duration(f, rows[i].seconds, "–");
			fputs("</td>", f);
		}
		fprintf(f, "<td>%s%s%s</td></tr>\n", recommended ? "<b>recommended</b>" : "",
			recommended && def ? ", " : "", def ? "CryoSPARC&#39;s default" : "");
	}
	if (json_is_string(json_object_get(rec, "best_strategy"))) {
		json_t *best = json_object_get(json_object_get(fr, "seconds"), "best");

		fprintf(f, "<tr><td class=\"n\">%lld</td><td class=\"n\">",
			json_get_int(rec, "best_threads"));
		put_key(f, rec, "best_mb_s", 1);
		fputs("</td>", f);
		if (fr) {
			fputs("<td class=\"n\">", f);
			report_put_duration(f, best, "–");
			fputs("</td>", f);
		}
		fputs("<td>fastest of any strategy: <b>", f);
		esc_key(f, rec, "best_strategy");
		fputs("</b>", f);
		if (strcmp(json_get_str(rec, "best_strategy"), RECOMMEND_STRATEGY))
			fputs(", what the hardware allows beyond CryoSPARC&#39;s copier", f);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (has_num(rec, "tolerance"))
		fprintf(f,
			"<p class=\"note\">Medians within %.0f %% of the highest, or whose "
			"intervals overlap it, count as equally fast; the fewest threads among "
			"them is recommended.</p>\n",
			100 * json_get_num(rec, "tolerance"));
	line = recommend_line(rec);
	if (line) {
		fputs("<details><summary>as lines for cryosparc_worker/config.sh</summary><pre>",
		      f);
		esc(f, line);
		fputs("</pre></details>\n", f);
	}
	free(line);
	fputs("</section>\n", f);
}

static const char *flag_meaning(const char *flag)
{
	if (!strcmp(flag, "noisy"))
		return "runs spread more than the tolerance";
	if (!strcmp(flag, "not_cold"))
		return "a run started partly in the page cache";
	if (!strcmp(flag, "few_runs"))
		return "fewer than 3 complete runs";
	if (!strcmp(flag, "short"))
		return "a run lasted less than a second";
	return NULL;
}

static void put_flag(FILE *f, const char *flag)
{
	const char *meaning = flag_meaning(flag);

	fputs("<span class=\"flag\"", f);
	if (meaning)
		fprintf(f, " title=\"%s\"", meaning);
	fputc('>', f);
	esc(f, flag);
	fputs("</span>", f);
}

/* "<li><b>prefix:</b> msg</li>", or without the prefix when it is NULL. */
static void warning_item(FILE *f, const char *prefix, const char *msg)
{
	fputs("<li>", f);
	if (prefix)
		fprintf(f, "<b>%s:</b> ", prefix);
	esc(f, msg);
	fputs("</li>\n", f);
}

static void warnings(FILE *f, const struct report_ctx *ctx)
{
	json_t *doc = ctx->doc;
	json_t *w;
	json_t *cell;
	size_t i, j;
	const size_t n = report_warnings(doc, f, NULL);
	size_t flagged = 0;

	json_array_foreach(ctx->cells, i, cell)
		flagged += json_array_size(json_object_get(cell, "flags")) != 0;
	if (!n && !flagged) {
		const bool watch_only = report_watch_sampler(doc) &&
					!json_array_size(json_object_get(doc, "runs"));

		fprintf(f, "<section id=\"warnings\" class=\"ok\">\n<h2>No warnings</h2>\n"
			   "<p>%s</p>\n</section>\n",
			watch_only ? "The sampler could read every source it needed."
				   : "Every run was cold, complete and long enough to measure.");
		return;
	}
	fprintf(f, "<section id=\"warnings\" class=\"warn\">\n<h2>Warnings (%zu)</h2>\n<ul>\n",
		n + flagged);
	report_warnings(doc, f, warning_item);
	json_array_foreach(ctx->cells, i, cell) {
		if (!json_array_size(json_object_get(cell, "flags")))
			continue;
		fputs("<li><b>", f);
		put_series_name(f, cell);
		fprintf(f, ", %lld thread%s:</b> ", json_get_int(cell, "threads"),
			json_get_int(cell, "threads") == 1 ? "" : "s");
		json_array_foreach(json_object_get(cell, "flags"), j, w) {
			const char *flag = json_string_value(w) ? json_string_value(w) : "";
			const char *meaning = flag_meaning(flag);

			put_flag(f, flag);
			if (meaning)
				fprintf(f, " %s ", meaning);
		}
		fputs("</li>\n", f);
	}
	fputs("</ul>\n</section>\n", f);
}

/* ---- charts ------------------------------------------------------------------------------- */

/* A "nice" step (1, 2, 2.5 or 5 times a power of ten) for about n ticks over range. */
static double nice_step(double range, int n)
{
	double raw = range / n;
	double mag = pow(10, floor(log10(raw)));
	double r = raw / mag;

	return mag * (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10);
}

struct scale {
	double d0, d1;		/* data */
	double p0, p1;		/* pixels */
	bool log2;
};

static double map(const struct scale *s, double v)
{
	double a = s->log2 ? log2(v) : v;
	double b0 = s->log2 ? log2(s->d0) : s->d0;
	double b1 = s->log2 ? log2(s->d1) : s->d1;

	if (b1 == b0)
		return (s->p0 + s->p1) / 2;
	return s->p0 + (a - b0) / (b1 - b0) * (s->p1 - s->p0);
}

static void svg_open(FILE *f, int w, int h, const char *label)
{
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		   "height=\"%d\" role=\"img\" aria-label=\"%s\">\n",
		w, h, w, h, label);
}

/* Horizontal grid lines and labels of a y scale from 0, and the plot frame. */
static void y_grid(FILE *f, const struct scale *y, double step, double x0, double x1, int decimals)
{
	for (double v = 0; v <= y->d1 + step / 1000; v += step) {
		double py = map(y, v);

		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
			x0, py, x1, py, v == 0 ? "#9aa3b0" : "#e6e9ee");
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#5b6474\" "
			   "text-anchor=\"end\">%.*f</text>\n",
			x0 - 6, py + 4, decimals, v);
	}
}

/* The throughput chart's x positions: the distinct thread counts, ascending. */
static size_t thread_values(json_t *cells, long long *v, size_t max)
{
	json_t *cell;
	size_t i;
	size_t n = 0;

	json_array_foreach(cells, i, cell) {
		long long t = json_get_int(cell, "threads");
		size_t k = 0;

		while (k < n && v[k] < t)
			k++;
		if ((k < n && v[k] == t) || n == max)
			continue;
		memmove(v + k + 1, v + k, (n - k) * sizeof(*v));
		v[k] = t;
		n++;
	}
	return n;
}

/* Series of the throughput chart: one per (strategy, jobs), in the cells' order. */
static size_t series_of(json_t *cells, json_t **first, size_t max)
{
	json_t *cell;
	size_t i;
	size_t n = 0;

	json_array_foreach(cells, i, cell) {
		size_t k;

		for (k = 0; k < n; k++)
			if (!strcmp(json_get_str(first[k], "strategy"), json_get_str(cell, "strategy")) &&
			    report_jobs(first[k]) == report_jobs(cell))
				break;
		if (k == n && n < max)
			first[n++] = cell;
	}
	return n;
}

static bool same_series(json_t *a, json_t *b)
{
	return !strcmp(json_get_str(a, "strategy"), json_get_str(b, "strategy")) && report_jobs(a) == report_jobs(b);
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

static void throughput_chart(FILE *f, const struct report_ctx *ctx)
{
	enum { W = 1140, H = 420, L = 72, R = 24, T = 44, B = 52, MAXV = 64, MAXS = 16 };
	json_t *cells = ctx->cells;
	json_t *runs = json_object_get(ctx->doc, "runs");
	json_t *rec = json_object_get(ctx->doc, "recommendation");
	json_t *ref = json_object_get(json_object_get(ctx->doc, "reference"), "ceiling_mb_s");
	long long tv[MAXV];
	size_t ntv = thread_values(cells, tv, MAXV);
	json_t *ser[MAXS];
	size_t nser = series_of(cells, ser, MAXS);
	struct scale x = { 0 }, y = { 0 };
	double ymax = 0;
	double step;
	bool have_ci = false;
	json_t *cell;
	json_t *run;
	size_t i;

	if (!ntv) {
		fputs("<p>No complete run to draw.</p>\n", f);
		return;
	}
	json_array_foreach(cells, i, cell) {
		const char *hi = has_num(cell, "ci_high_mb_s") ? "ci_high_mb_s" : "max_mb_s";

		ymax = fmax(ymax, json_get_num(cell, hi));
		have_ci |= has_num(cell, "ci_high_mb_s");
	}
	json_array_foreach(runs, i, run)
		if (report_cell_of(cells, run))
			ymax = fmax(ymax, json_get_num(run, "mb_s"));
	if (json_is_number(ref))
		ymax = fmax(ymax, json_number_value(ref));
	if (!(ymax > 0))
		ymax = 1;
	step = nice_step(ymax, 6);
	y = (struct scale){ 0, ceil(ymax * 1.04 / step) * step, H - B, T, false };
	/* Powers of two are what people sweep: equal steps on a log2 axis. */
	x.log2 = tv[0] > 0 && ntv >= 3 && tv[ntv - 1] >= 4 * tv[0];
	x.d0 = (double)tv[0];
	x.d1 = (double)tv[ntv - 1];
	x.p0 = L + 60;
	x.p1 = W - R - 60;
	if (ntv == 1)
		x.p0 = x.p1 = (L + W - R) / 2.0;

	svg_open(f, W, H, "throughput per thread count");
	y_grid(f, &y, step, L, W - R, step < 1 ? 1 : 0);
	for (size_t k = 0; k < ntv; k++) {
		double px = map(&x, (double)tv[k]);

		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#9aa3b0\"/>\n"
			"<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#3b4350\" "
			"text-anchor=\"middle\">%lld</text>\n",
			px, H - B, px, H - B + 5, px, H - B + 19, tv[k]);
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#3b4350\" "
		   "text-anchor=\"middle\">threads%s</text>\n",
		(L + W - R) / 2.0, H - 12, x.log2 ? " (log scale)" : "");
	fprintf(f,
		"<text x=\"16\" y=\"%.1f\" font-size=\"12\" fill=\"#3b4350\" "
		"text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">"
		"MB/s until durable</text>\n",
		(T + H - B) / 2.0, (T + H - B) / 2.0);
	if (json_is_integer(json_object_get(rec, "default_threads")) &&
	    json_get_int(rec, "default_threads") >= tv[0] &&
	    json_get_int(rec, "default_threads") <= tv[ntv - 1])
		vline(f, map(&x, (double)json_get_int(rec, "default_threads")), T - 6, H - B, "#5b6474",
		      "2 3", "CryoSPARC default:", json_get_int(rec, "default_threads"), T - 10, "end");
	if (json_is_integer(json_object_get(rec, "threads")) &&
	    strcmp(json_get_str(rec, "confidence"), "none"))
		vline(f, map(&x, (double)json_get_int(rec, "threads")), T - 6, H - B, "#1a7f37", "6 3",
		      "recommended:", json_get_int(rec, "threads"), T - 10, "start");
	if (json_is_number(ref)) {
		double py = map(&y, json_number_value(ref));

		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#8b1a1a\" "
			   "stroke-dasharray=\"8 4\"/>\n<text x=\"%d\" y=\"%.1f\" font-size=\"11\" "
			   "fill=\"#8b1a1a\" text-anchor=\"end\">fio ceiling %.0f MB/s</text>\n",
			L, py, W - R, py, W - R - 4, py - 5, json_number_value(ref));
	}
	for (size_t s = 0; s < nser; s++) {
		const char *colour = palette[s % NR_COLOURS];
		/* Series side by side around each thread count, so their bars do not overlap. */
		const double dodge = ((double)s - (double)(nser - 1) / 2) * 9;
		bool first = true;

		fprintf(f,
			"<g fill=\"%s\" stroke=\"%s\">\n"
			"<polyline fill=\"none\" stroke-width=\"2.2\" points=\"",
			colour, colour);
		json_array_foreach(cells, i, cell) {
			if (!same_series(cell, ser[s]) || !has_num(cell, "median_mb_s"))
				continue;
			fprintf(f, "%s%.1f,%.1f", first ? "" : " ",
				map(&x, (double)json_get_int(cell, "threads")) + dodge,
				map(&y, json_get_num(cell, "median_mb_s")));
			first = false;
		}
		fputs("\"/>\n", f);
		json_array_foreach(runs, i, run) {
			json_t *c = report_cell_of(cells, run);
			double px, py;

			if (!c || !same_series(c, ser[s]) || !has_num(run, "mb_s") ||
			    json_array_size(json_object_get(run, "errors")) ||
			    json_is_true(json_object_get(run, "aborted")))
				continue;
			px = map(&x, (double)json_get_int(run, "threads")) + dodge + 14;
			py = map(&y, json_get_num(run, "mb_s"));
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
			fprintf(f, "run %lld: %.1f MB/s", json_get_int(run, "seq"), json_get_num(run, "mb_s"));
			if (run_flag_not_cold(run))
				fputs(" (not cold)", f);
			fputs(run_flag_not_cold(run)
				      ? "</title></path>\n" : "</title></circle>\n", f);
		}
		json_array_foreach(cells, i, cell) {
			const char *lo = has_num(cell, "ci_low_mb_s") ? "ci_low_mb_s" : "min_mb_s";
			const char *hi =
				has_num(cell, "ci_high_mb_s") ? "ci_high_mb_s" : "max_mb_s";
			double px, y0, y1;

			if (!same_series(cell, ser[s]) || !has_num(cell, "median_mb_s"))
				continue;
			px = map(&x, (double)json_get_int(cell, "threads")) + dodge;
			y0 = map(&y, json_get_num(cell, lo));
			y1 = map(&y, json_get_num(cell, hi));
			fprintf(f, "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fh10M%.1f %.1fh10\" "
				   "stroke-width=\"1.6\" fill=\"none\"/>\n",
				px, y0, y1, px - 5, y0, px - 5, y1);
			fprintf(f,
				"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" stroke=\"#fff\" "
				"stroke-width=\"1.5\"><title>",
				px, map(&y, json_get_num(cell, "median_mb_s")));
			put_series_name(f, cell);
			fprintf(f, ", %lld threads: median %.1f MB/s, %s %.1f–%.1f",
				json_get_int(cell, "threads"), json_get_num(cell, "median_mb_s"),
				has_num(cell, "ci_low_mb_s") ? "interval" : "range", json_get_num(cell, lo),
				json_get_num(cell, hi));
			if (has_num(cell, "ci_coverage"))
				fprintf(f, " (%.0f %%)", 100 * json_get_num(cell, "ci_coverage"));
			fprintf(f, ", %lld runs</title></circle>\n", json_get_int(cell, "runs"));
		}
		fputs("</g>\n", f);
	}
	/* The legend, in a row above the plot. */
	{
		double lx = L;

		for (size_t s = 0; s < nser; s++) {
			fprintf(f,
				"<line x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" y2=\"14\" stroke=\"%s\" "
				"stroke-width=\"3\"/><circle cx=\"%.1f\" cy=\"14\" r=\"4.5\" "
				"fill=\"%s\"/><text x=\"%.1f\" y=\"18\" font-size=\"12.5\" "
				"fill=\"#1d2330\">",
				lx, lx + 22, palette[s % NR_COLOURS], lx + 11,
				palette[s % NR_COLOURS], lx + 28);
			put_series_name(f, ser[s]);
			fputs("</text>\n", f);
			lx += 28 + 8.0 * (double)(strlen(json_get_str(ser[s], "strategy")) + 2) +
			      (report_jobs(ser[s]) != 1 ? 60 : 0);
		}
		fprintf(f, "<text x=\"%d\" y=\"18\" font-size=\"11.5\" fill=\"#5b6474\" "
			   "text-anchor=\"end\">dot: median, bar: %s, faint dots: single runs, "
			   "red ×: not cold</text>\n",
			W - R, have_ci ? "confidence interval of the median" : "min to max");
	}
	fputs("</svg>\n", f);
}

/* One panel of a run's time series. */
static void series_chart(FILE *f, const struct report_series *s, const struct report_line *lines,
			 size_t nr, const char *title, bool percent)
{
	enum { W = 400, H = 150, L = 46, R = 8, T = 30, B = 24 };
	double tmax = 0;
	double ymax = percent ? 100 : 0;
	double step;
	struct scale x, y;
	double lx;

	for (size_t i = 0; i < s->n; i++)
		if (isfinite(s->t[i]))
			tmax = fmax(tmax, s->t[i]);
	for (size_t k = 0; k < nr; k++)
		for (size_t i = 0; i < s->n; i++)
			if (isfinite(lines[k].v[i]))
				ymax = fmax(ymax, lines[k].v[i]);
	if (!(ymax > 0))
		ymax = 1;
	if (!(tmax > 0))
		tmax = 1;
	step = percent ? 25 : nice_step(ymax, 4);
	x = (struct scale){ 0, tmax, L, W - R, false };
	/* %util can read a little above 100 (counters sampled a moment apart): keep it in view. */
	y = (struct scale){ 0, percent ? fmax(100, ymax * 1.02) : ceil(ymax / step) * step,
			    H - B, T, false };
	svg_open(f, W, H, title);
	fprintf(f, "<text x=\"0\" y=\"12\" font-size=\"11.5\" font-weight=\"600\" "
		   "fill=\"#1d2330\">%s</text>\n", title);
	y_grid(f, &y, step, L, W - R, step < 1 ? 1 : 0);
	{
		double tstep = nice_step(tmax, 5);

		for (double t = 0; t <= tmax + tstep / 1000; t += tstep)
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#5b6474\" "
				   "text-anchor=\"middle\">%g</text>\n",
				map(&x, t), H - B + 13, t);
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#5b6474\" "
			   "text-anchor=\"end\">s</text>\n", W - R, H - 1);
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
			fprintf(f, "%s%.1f %.1f", pen ? "L" : "M", map(&x, s->t[i]),
				map(&y, lines[k].v[i]));
			pen = true;
		}
		fputs("\"/>\n", f);
		fprintf(f, "<rect x=\"%.1f\" y=\"6\" width=\"10\" height=\"3\" fill=\"%s\"/>"
			   "<text x=\"%.1f\" y=\"12\" font-size=\"10.5\" fill=\"#3b4350\">",
			lx, colour, lx + 13);
		esc(f, lines[k].label);
		fputs("</text>\n", f);
		lx += 22 + 5.6 * (double)strlen(lines[k].label);
	}
	fputs("</svg>\n", f);
}

/* Runs in the order of their cells, then repeat: the repeats of a cell side by side. */
static int cmp_runs(const void *a, const void *b, void *cells)
{
	json_t *ra = *(json_t *const *)a;
	json_t *rb = *(json_t *const *)b;
	json_t *cell;
	size_t i;
	size_t ia = (size_t)-1, ib = (size_t)-1;

	json_array_foreach((json_t *)cells, i, cell) {
		if (cell == report_cell_of(cells, ra))
			ia = i;
		if (cell == report_cell_of(cells, rb))
			ib = i;
	}
	if (ia != ib)
		return ia < ib ? -1 : 1;
	return (json_get_int(ra, "repeat") > json_get_int(rb, "repeat")) -
	       (json_get_int(ra, "repeat") < json_get_int(rb, "repeat"));
}

/*
 * A card with the two time-series charts of a run (or of a watch: o is then the watch object,
 * without "seq") and what the sampler found. Nothing when samples has none of the columns.
 */
static void series_card(FILE *f, json_t *o, json_t *samples, bool *any)
{
	json_t *findings = json_object_get(json_object_get(o, "sampler"), "findings");
	struct report_series s;
	json_t *msg;
	size_t j;

	if (!samples || report_series_init(&s, o, samples))
		return;
	if (!*any)
		fputs("<div class=\"cards\">\n", f);
	*any = true;
	fputs("<div class=\"card\">\n<h3>", f);
	if (json_is_integer(json_object_get(o, "seq"))) {
		esc_key(f, o, "strategy");
		fprintf(f, " · %lld thread%s · run %lld (repeat %lld) · ", json_get_int(o, "threads"),
			json_get_int(o, "threads") == 1 ? "" : "s", json_get_int(o, "seq"),
			json_get_int(o, "repeat"));
		put_key(f, o, "mb_s", 0);
		fputs(" MB/s", f);
		if (run_flag_not_cold(o))
			fputs(" <span class=\"flag\">not cold</span>", f);
	} else {
		fprintf(f, "watch · %.1f s", json_get_num(json_object_get(o, "sampler"), "seconds"));
	}
	fputs("</h3>\n", f);
	series_chart(f, &s, s.mbs, s.nr_mbs, "MB/s", false);
	series_chart(f, &s, s.pct, s.nr_pct, "% busy", true);
	json_array_foreach(findings, j, msg) {
		/* A watch has nothing else to show: its findings are open. */
		if (!j)
			fprintf(f, "<details%s><summary>what the sampler found</summary><ul>\n",
				json_is_integer(json_object_get(o, "seq")) ? "" : " open=\"open\"");
		fputs("<li>", f);
		esc(f, json_string_value(msg) ? json_string_value(msg) : "");
		fputs("</li>\n", f);
	}
	if (json_array_size(findings))
		fputs("</ul></details>\n", f);
	fputs("</div>\n", f);
	report_series_release(&s);
}

static void timeseries(FILE *f, const struct report_ctx *ctx)
{
	json_t *runs = json_object_get(ctx->doc, "runs");
	size_t n = json_array_size(runs);
	json_t **order = xmalloc((n ? n : 1) * sizeof(*order));
	bool any = false;

	for (size_t i = 0; i < n; i++)
		order[i] = json_array_get(runs, i);
	qsort_r(order, n, sizeof(*order), cmp_runs, ctx->cells);
	fprintf(f, "<section id=\"timeseries\">\n<h2>%s: throughput, device and CPU load</h2>\n",
		report_watch_sampler(ctx->doc) ? "While watching" : "During each run");
	series_card(f, json_object_get(ctx->doc, "watch"), json_object_get(ctx->samples, "watch"),
		    &any);
	for (size_t i = 0; i < n; i++) {
		char key[32];

		snprintf(key, sizeof(key), "%lld", json_get_int(order[i], "seq"));
		series_card(f, order[i], json_object_get(ctx->samples, key), &any);
	}
	if (any)
		fputs("</div>\n<p class=\"note\">Read and written MB/s of the source and "
		      "destination disks (iostat's rkB/s and wkB/s, as 10^6 bytes), their %util, "
		      "and the share of all CPUs that was busy or waiting for I/O, per sampling "
		      "interval.</p>\n", f);
	else
		fputs("<p>No run has a samples file (runs with <code>--interval 0</code>, or the "
		      "samples folder was not kept beside results.json).</p>\n", f);
	fputs("</section>\n", f);
	free(order);
}

/* ---- tables ------------------------------------------------------------------------------- */

static void td_num(FILE *f, json_t *o, const char *key, int decimals)
{
	fputs("<td class=\"n\">", f);
	put_key(f, o, key, decimals);
	fputs("</td>", f);
}

static void cells_table(FILE *f, const struct report_ctx *ctx)
{
	json_t *rec = json_object_get(ctx->doc, "recommendation");
	json_t *ref = json_object_get(json_object_get(ctx->doc, "reference"), "ceiling_mb_s");
	json_t *cell;
	size_t i;

	fputs("<section id=\"throughput\">\n<h2>Throughput per strategy and thread count</h2>\n",
	      f);
	throughput_chart(f, ctx);
	if (!json_array_size(ctx->cells)) {
		fputs("</section>\n", f);
		return;
	}
	fputs("<div class=\"scroll\"><table>\n<tr><th>strategy</th><th class=\"n\">threads</th>"
	      "<th class=\"n\">jobs</th><th class=\"n\">runs</th><th class=\"n\">failed</th>"
	      "<th class=\"n\">median MB/s</th><th class=\"n\">interval of the median</th>"
	      "<th class=\"n\">min</th><th class=\"n\">max</th><th class=\"n\">cv</th>"
	      "<th class=\"n\">copied MB/s</th>", f);
	if (json_is_number(ref))
		fputs("<th class=\"n\">% of ceiling</th>", f);
	fputs("<th class=\"n\">not cold</th><th>flags</th></tr>\n", f);
	json_array_foreach(ctx->cells, i, cell) {
		json_t *w;
		size_t j;
		const bool recommended =
			json_is_integer(json_object_get(rec, "threads")) &&
			json_get_int(rec, "threads") == json_get_int(cell, "threads") &&
			report_jobs(cell) == report_jobs(rec) &&
			!strcmp(json_get_str(cell, "strategy"), RECOMMEND_STRATEGY);

		fprintf(f, "<tr%s><td>", recommended ? " class=\"rec\"" : "");
		esc_key(f, cell, "strategy");
		fputs("</td>", f);
		fprintf(f, "<td class=\"n\">%lld</td><td class=\"n\">%lld</td>",
			json_get_int(cell, "threads"), (long long)report_jobs(cell));
		td_num(f, cell, "runs", 0);
		td_num(f, cell, "failed_runs", 0);
		fputs("<td class=\"n\"><b>", f);
		put_key(f, cell, "median_mb_s", 1);
		fputs("</b></td><td class=\"n\">", f);
		report_put_interval(f, cell, "–");
		fputs("</td>", f);
		td_num(f, cell, "min_mb_s", 1);
		td_num(f, cell, "max_mb_s", 1);
		fputs("<td class=\"n\">", f);
		if (has_num(cell, "cv"))
			fprintf(f, "%.1f %%", 100 * json_get_num(cell, "cv"));
		else
			fputs("–", f);
		fputs("</td>", f);
		td_num(f, cell, "median_mb_s_copied", 1);
		if (json_is_number(ref)) {
			fputs("<td class=\"n\">", f);
			if (has_num(cell, "median_mb_s") && json_number_value(ref) > 0)
				fprintf(f, "%.0f %%",
					100 * json_get_num(cell, "median_mb_s") / json_number_value(ref));
			else
				fputs("–", f);
			fputs("</td>", f);
		}
		td_num(f, cell, "not_cold_runs", 0);
		fputs("<td>", f);
		json_array_foreach(json_object_get(cell, "flags"), j, w)
			put_flag(f, json_string_value(w) ? json_string_value(w) : "");
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div>\n<p class=\"note\">MB/s are 10^6 bytes per second until the copies "
	      "were durable (syncfs on the destination); copied MB/s stop at the last close. The "
	      "interval is the median's distribution-free confidence interval with the coverage it "
	      "reaches; with few runs it is just min to max. The highlighted row is the "
	      "recommendation.</p>\n", f);
	if (json_is_number(ref)) {
		fputs("<p class=\"note\">The ceiling is fio's throughput for the same files (", f);
		put_num(f, ref, 1);
		fputs(" MB/s).</p>\n", f);
	}
	fputs("</section>\n", f);
}

static void runs_table(FILE *f, json_t *doc)
{
	json_t *run;
	size_t i;

	fputs("<section id=\"runs\">\n<h2>Runs</h2>\n", f);
	if (!json_array_size(json_object_get(doc, "runs"))) {
		fputs("<p>No runs.</p>\n</section>\n", f);
		return;
	}
	fputs("<div class=\"scroll\"><table>\n<tr><th class=\"n\">run</th><th>strategy</th>"
	      "<th class=\"n\">threads</th><th class=\"n\">repeat</th><th class=\"n\">MB/s</th>"
	      "<th>notes</th><th class=\"n\">files</th>"
	      "<th class=\"n\">GB</th><th class=\"n\">copied s</th><th class=\"n\">durable s</th>"
	      "<th class=\"n\">files/s</th><th class=\"n\">p50 ms</th>"
	      "<th class=\"n\">p99 ms</th><th class=\"n\">tail s</th>"
	      "<th class=\"n\">CPU user s</th>"
	      "<th class=\"n\">CPU sys s</th><th class=\"n\">resident</th><th>device</th>"
	      "<th class=\"n\">%util</th><th class=\"n\">aqu-sz</th><th class=\"n\">CPU busy %</th>"
	      "</tr>\n",
	      f);
	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		json_t *cold = json_object_get(run, "cold");
		json_t *smp = json_object_get(run, "sampler");
		const char *dev;
		json_t *mean = report_busiest_mean(smp, &dev);
		json_t *res = json_object_get(cold, "residency_pct");
		const bool failed = json_array_size(json_object_get(run, "errors")) ||
				    json_is_true(json_object_get(run, "aborted"));
		const bool not_cold = json_is_number(res) && run_flag_not_cold(run);
		json_t *w;
		size_t j;

		fprintf(f, "<tr%s><td class=\"n\">%lld</td><td>",
			failed || not_cold ? " class=\"bad\"" : "", json_get_int(run, "seq"));
		esc_key(f, run, "strategy");
		fprintf(f, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>",
			json_get_int(run, "threads"), json_get_int(run, "repeat"));
		fputs("<td class=\"n\"><b>", f);
		put_key(f, run, "mb_s", 1);
		fputs("</b></td>", f);
		fputs("<td class=\"tags\">", f);
		if (json_is_true(json_object_get(run, "aborted")))
			put_flag(f, "aborted");
		if (json_array_size(json_object_get(run, "errors")))
			put_flag(f, "failed");
		if (not_cold)
			put_flag(f, "not cold");
		else if (run_flag_remote(run))
			put_flag(f, "remote source");
		else if (json_is_object(cold) && !json_is_number(res))
			put_flag(f, "cold unknown");
		json_array_foreach(json_object_get(run, "warnings"), j, w) {
			fputs("<span class=\"flag\" title=\"", f);
			esc(f, json_string_value(w) ? json_string_value(w) : "");
			fputs("\">warning</span>", f);
		}
		fputs("</td>", f);
		td_num(f, run, "files", 0);
		fprintf(f, "<td class=\"n\">%.3f</td>", json_get_num(run, "bytes") / 1e9);
		td_num(f, run, "seconds_copied", 2);
		td_num(f, run, "seconds_durable", 2);
		td_num(f, run, "files_per_s", 1);
		td_num(f, json_object_get(run, "latency_ms"), "p50", 1);
		td_num(f, json_object_get(run, "latency_ms"), "p99", 1);
		td_num(f, run, "tail_s", 2);
		td_num(f, json_object_get(run, "cpu"), "user_s", 2);
		td_num(f, json_object_get(run, "cpu"), "sys_s", 2);
		fputs("<td class=\"n\">", f);
		if (json_is_number(res))
			fprintf(f, "%.1f %%", json_number_value(res));
		else
			fputs("?", f);
		fputs("</td><td>", f);
		esc(f, dev ? dev : "–");
		fputs("</td>", f);
		td_num(f, mean, "util", 1);
		td_num(f, mean, "aqu-sz", 2);
		td_num(f, json_object_get(json_object_get(smp, "cpu"), "mean"), "busy", 1);
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n<p class=\"note\">resident: the share of the source in the page "
	      "cache just before the clock started. device: the busiest device during the run with "
	      "its mean %util and queue size (iostat -x); %util alone does not show saturation, "
	      "NVMe and arrays serve many requests at once. Rows in red were not cold or failed; "
	      "hover over a warning to read it (all are listed at the top).</p>\n</section>\n", f);
}

static void kv_row(FILE *f, const char *label, const char *value)
{
	fprintf(f, "<tr><td>%s</td><td>", label);
	esc(f, value);
	fputs("</td></tr>\n", f);
}

static void location_cell(FILE *f, json_t *v)
{
	fputs("<td>", f);
	report_put_location(f, v, esc, "– (none: tmpfs or a network filesystem)", "–");
	fputs("</td>", f);
}

static void environment(FILE *f, json_t *doc)
{
	json_t *host = json_object_get(doc, "host");
	json_t *tool = json_object_get(doc, "tool");
	json_t *src = json_object_get(doc, "source");
	json_t *dst = json_object_get(doc, "destination");
	static const struct {
		const char *label, *key;
	} rows[] = {
		{ "path", "path" },
		{ "filesystem", "fs_type" },
		{ "mounted from", "mount_source" },
		{ "mount point", "mount_point" },
		{ "mount options", "mount_options" },
		{ "block devices", "devices" },
		{ "filesystem size", "fs_size_bytes" },
		{ "free at the start", "fs_free_bytes" },
	};
	char buf[64];
	bool any = false;
	json_t *v;
	const char *key;
	size_t i;

	fputs("<section id=\"environment\">\n<h2>Environment</h2>\n<div class=\"env\">\n<div>\n"
	      "<table class=\"kv\">\n", f);
	kv_row(f, "host", json_get_str(host, "hostname"));
	kv_row(f, "kernel", json_get_str(host, "kernel"));
	kv_row(f, "machine", json_get_str(host, "machine"));
	kv_row(f, "CPU", json_get_str(host, "cpu_model"));
	snprintf(buf, sizeof(buf), "%lld", json_get_int(host, "cores"));
	kv_row(f, "CPUs online", buf);
	snprintf(buf, sizeof(buf), "%.1f GB", json_get_num(host, "mem_bytes") / 1e9);
	kv_row(f, "memory", buf);
	kv_row(f, "tool", json_get_str(tool, "name"));
	kv_row(f, "version", json_get_str(tool, "version"));
	fputs("<tr><td>strategies built in</td><td>", f);
	report_put_strings(f, json_object_get(json_object_get(tool, "features"), "strategies"),
			   esc);
	fputs("</td></tr>\n", f);
	if (!json_is_object(src)) {
		/* A `watch` folder: no source, destination or data set. */
		fputs("</table>\n</div>\n</div>\n", f);
	} else {
		snprintf(buf, sizeof(buf), "%lld files, %.3f GB", json_get_int(src, "files"),
			 json_get_num(src, "bytes") / 1e9);
		kv_row(f, "data set", buf);
		snprintf(buf, sizeof(buf), "%lld ignored by name, %lld not MRC",
			 json_get_int(src, "ignored_files"), json_get_int(src, "not_mrc_files"));
		kv_row(f, "skipped files", buf);
		fputs("</table>\n</div>\n<div>\n<table class=\"kv\">\n<tr><th></th><th>source</th>"
		      "<th>destination</th></tr>\n", f);
		for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
			fprintf(f, "<tr><td>%s</td>", rows[r].label);
			location_cell(f, json_object_get(src, rows[r].key));
			location_cell(f, json_object_get(dst, rows[r].key));
			fputs("</tr>\n", f);
		}
		fputs("</table>\n</div>\n</div>\n", f);
		fputs("<p class=\"note\">File sizes:", f);
		json_array_foreach(json_object_get(src, "size_histogram"), i, v) {
			if (!json_get_int(v, "files"))
				continue;
			fprintf(f, "%s %lld of ", any ? ";" : "", json_get_int(v, "files"));
			report_put_size_range(f, v);
			any = true;
		}
		fputs(any ? "." : " –", f);
		fputs("</p>\n", f);
	}
	/* diag: the route to storage, and what looked wrong before the first run. */
	json_array_foreach(json_object_get(json_object_get(doc, "diag"), "routes"), i, v) {
		fputs("<p class=\"note\">Route to ", f);
		esc(f, json_get_str(v, "target"));
		fputs(": ", f);
		esc(f, json_is_string(json_object_get(v, "interface")) ? json_get_str(v, "interface")
								  : json_get_str(v, "error"));
		fputs("</p>\n", f);
	}
	json_array_foreach(json_object_get(json_object_get(doc, "diag"), "findings"), i, v) {
		fputs(i ? "<li>" : "<p class=\"note\">Diag findings:</p>\n<ul>\n<li>", f);
		esc(f, json_string_value(v));
		fputs(i + 1 == json_array_size(json_object_get(json_object_get(doc, "diag"), "findings"))
			      ? "</li>\n</ul>\n"
			      : "</li>\n",
		      f);
	}
	fputs("<p class=\"note\">Parameters:", f);
	json_object_foreach(json_object_get(doc, "params"), key, v) {
		char *text = report_param_text(v);

		fputs(" <code>", f);
		esc(f, key);
		fputc('=', f);
		esc(f, text);
		fputs("</code>", f);
		free(text);
	}
	fputs("</p>\n</section>\n", f);
}

static void plots(FILE *f, const struct report_ctx *ctx)
{
	const struct plot_set *ps = ctx->plots;
	json_t *n;
	size_t i;

	fputs("<section id=\"notes\">\n<h2>Plot files and notes</h2>\n<p class=\"note\">", f);
	if (ps && ps->nr_files) {
		fputs("gnuplot images beside this page, in " PLOT_DIR "/:", f);
		for (size_t k = 0; k < ps->nr_files; k++) {
			const char *file = ps->files[k];
			const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
			const char *dot = strrchr(base, '.');
			const size_t stem = dot ? (size_t)(dot - base) : strlen(base);
			const char *prev = k ? strrchr(ps->files[k - 1], '/') : NULL;

			/* "run-3: svg png": one entry per image, a link per format. */
			prev = prev ? prev + 1 : k ? ps->files[k - 1] : NULL;
			if (!prev || strncmp(prev, base, stem) || prev[stem] != '.') {
				fputs(k ? " · " : " ", f);
				fprintf(f, "%.*s:", (int)stem, base);
			}
			fputs(" <a href=\"", f);
			esc(f, file);
			fputs("\">", f);
			esc(f, dot ? dot + 1 : base);
			fputs("</a>", f);
		}
		fputs(". ", f);
	}
	if (!ps)
		fputs("gnuplot images were skipped (--no-plots). To get them, " PLOT_HOWTO
		      " without --no-plots. ", f);
	else if (ps->skipped) {
		fputs("gnuplot images were skipped: ", f);
		esc(f, ps->skipped);
		fputs(". To get them, " PLOT_HOWTO ". ", f);
	}
	fputs("The charts on this page need neither: they are drawn from results.json and the "
	      "samples files alone.</p>\n", f);
	json_array_foreach(ctx->notes, i, n) {
		if (!i)
			fputs("<ul class=\"note\">\n", f);
		fputs("<li>", f);
		esc(f, json_string_value(n) ? json_string_value(n) : "");
		fputs("</li>\n", f);
	}
	if (json_array_size(ctx->notes))
		fputs("</ul>\n", f);
	fputs("<p class=\"note\">Every figure on this page is a field of results.json (schema ", f);
	esc_key(f, ctx->doc, "schema");
	fputs(") or of the runs' samples files.</p>\n</section>\n", f);
}

void report_html(const struct report_ctx *ctx, FILE *f)
{
	const bool watch_only = report_watch_sampler(ctx->doc) &&
				!json_array_size(json_object_get(ctx->doc, "runs"));

	head(f, ctx->doc);
	if (watch_only) {
		warnings(f, ctx);
		timeseries(f, ctx);
	} else {
		fputs("<div class=\"top\">\n", f);
		recommendation(f, json_object_get(ctx->doc, "recommendation"), ctx->cells);
		warnings(f, ctx);
		fputs("</div>\n", f);
		cells_table(f, ctx);
		timeseries(f, ctx);
		runs_table(f, ctx->doc);
	}
	environment(f, ctx->doc);
	plots(f, ctx);
	fputs("</main>\n</body>\n</html>\n", f);
}
