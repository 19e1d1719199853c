/* SPDX-License-Identifier: MIT */
/*
 * html.c - report.html: one self-contained page (inline CSS and SVG, nothing fetched) with
 * the recommendation, the warnings, throughput per thread count with its intervals, the tables,
 * what the devices and CPUs did during each run, and the environment. The page is well-formed
 * XML as well as HTML, so xmllint can check it and each chart can be cut out as an .svg file.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/cells.h"
#include "analysis/confirm.h"
#include "analysis/recommend.h"
#include "analysis/run_flags.h"
#include "lib/json_get.h"
#include "lib/util.h"
#include "report/data.h"
#include "report/plot.h"
#include "report/nodes.h"
#include "report/render.h"
#include "report/svg.h"

static void esc_key(FILE *f, json_t *o, const char *key)
{
	report_put_html(f, json_get_str(o, key));
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

static void put_flags(FILE *f, json_t *flags);

static void put_code(FILE *f, const char *s)
{
	fputs("<code>", f);
	report_put_html(f, s);
	fputs("</code>", f);
}

static const struct report_markup html_markup = {
	.put = report_put_html, .missing = "–", .p_open = "<p>", .p_close = "</p>\n",
	.b_open = "<b>", .b_close = "</b>", .bold_headroom = true,
	.html = true, .fig_open = "<b>", .fig_close = "</b>", .flags = put_flags,
	.code = put_code,
};

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
	report_put_html(f, json_is_string(json_object_get(doc, "finished")) ? json_get_str(doc, "finished")
								: "(unfinished)");
	if (report_reference_only(doc))
		fputs(" · fio&#39;s reference", f);
	else if (!report_watch_sampler(doc))
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
			report_put_html(f, json_string_value(p) ? json_string_value(p) : "");
			fputs("</code>", f);
		}
		fprintf(f, " for %.1f s</p>\n", json_get_num(report_watch_sampler(doc), "seconds"));
		return;
	}
	fprintf(f, "%lld files, %.2f GB: <code>", json_get_int(src, "files"),
		json_get_num(src, "bytes") / 1e9);
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
	char *line;

	fprintf(f, "<section id=\"recommendation\" class=\"recbox %s\">\n<h2>Recommendation "
		   "<span class=\"badge %s\">"
		   "confidence: ", cls, cls);
	report_put_html(f, *conf ? conf : "none");
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
		fputs(report_fell_back(rec) ? "<p><b>Keep the default:</b> the paired "
					      "confirmation did not reproduce the grid&#39;s "
					      "gain.</p>\n"
					    : "<p><b>Keep the default:</b> the runs cannot tell "
					      "the thread counts apart.</p>\n",
		      f);
	if (report_jobs(rec) != 1)
		fprintf(f, "<p>with %lld jobs caching at once</p>\n", (long long)report_jobs(rec));
	fputs("<p>", f);
	esc_key(f, rec, "reason");
	fputs("</p>\n<p>Measured with ", f);
	report_put_html(f, recommend_copier_words(recommend_strategy(rec)));
	fputs(" (", f);
	report_put_html(f, recommend_strategy(rec));
	fputs(").</p>\n<table>\n<tr><th class=\"n\">", f);
	report_put_html(f, recommend_strategy(rec));
	fputs(" threads</th><th class=\"n\">median MB/s</th>", f);
	if (fr) {
		fprintf(f, "<th class=\"n\">time for %lld files, %.2f GB%s</th>",
			json_get_int(fr, "files"), json_get_num(fr, "bytes") / 1e9,
			!strcmp(json_get_str(fr, "basis"), "measured") ? " (as measured)" : "");
	}
	fputs("<th></th></tr>\n", f);
	report_rec_threads(f, &html_markup, rec, cells);
	line = recommend_line(rec);
	fputs("<details><summary>as lines for cryosparc_worker/config.sh</summary><pre>", f);
	report_put_html(f, line);
	free(line);
	line = confirm_line(rec);
	report_put_html(f, line);
	fputs("</pre></details>\n", f);
	free(line);
	fputs("</section>\n", f);
}

static void put_flag(FILE *f, const char *flag)
{
	const char *meaning = report_flag_meaning(flag, true);

	fputs("<span class=\"flag\"", f);
	if (meaning)
		fprintf(f, " title=\"%s\"", meaning);
	fputc('>', f);
	report_put_html(f, flag);
	fputs("</span>", f);
}

static void put_flags(FILE *f, json_t *flags)
{
	json_t *w;
	size_t j;

	json_array_foreach(flags, j, w)
		put_flag(f, json_string_value(w) ? json_string_value(w) : "");
}

/* "<li><b>prefix:</b> msg</li>", or without the prefix when it is NULL. */
static void warning_item(FILE *f, const char *prefix, const char *msg)
{
	fputs("<li>", f);
	if (prefix)
		fprintf(f, "<b>%s:</b> ", prefix);
	report_put_html(f, msg);
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
			: report_reference_only(doc) ? "Every fio measurement lasted long enough."
				   : "Every run was cold, complete and long enough to measure.");
		return;
	}
	const char *cause = report_noisy_cause(doc, ctx->cells);
	fprintf(f, "<section id=\"warnings\" class=\"warn\">\n<h2>Warnings (%zu)</h2>\n<ul>\n",
		n + flagged + (cause != NULL));
	report_warnings(doc, f, warning_item);
	json_array_foreach(ctx->cells, i, cell) {
		if (!json_array_size(json_object_get(cell, "flags")))
			continue;
		fputs("<li><b>", f);
		svg_series_name(f, cell);
		fprintf(f, ", %lld thread%s:</b> ", json_get_int(cell, "threads"),
			json_get_int(cell, "threads") == 1 ? "" : "s");
		json_array_foreach(json_object_get(cell, "flags"), j, w) {
			const char *flag = json_string_value(w) ? json_string_value(w) : "";
			const char *meaning = report_flag_meaning(flag, true);

			put_flag(f, flag);
			if (meaning)
				fprintf(f, " %s ", meaning);
		}
		fputs("</li>\n", f);
	}
	if (cause)
		warning_item(f, "noisy", cause);
	fputs("</ul>\n</section>\n", f);
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
static void series_card(FILE *f, json_t *o, json_t *samples, double ymax, bool *any)
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
		fprintf(f, " · %lld thread%s · run %lld (repeat %lld) · ",
			json_get_int(o, "threads"), json_get_int(o, "threads") == 1 ? "" : "s",
			json_get_int(o, "seq"), json_get_int(o, "repeat"));
		put_key(f, o, "mb_s", 0);
		fputs(" MB/s", f);
		if (run_flag_not_cold(o))
			fputs(" <span class=\"flag\">not cold</span>", f);
	} else {
		fprintf(f, "watch · %.1f s",
			json_get_num(json_object_get(o, "sampler"), "seconds"));
	}
	fputs("</h3>\n", f);
	svg_series_chart(f, &s, s.mbs, s.nr_mbs, "MB/s", false, ymax);
	svg_series_chart(f, &s, s.pct, s.nr_pct, "% busy", true, 0);
	json_array_foreach(findings, j, msg) {
		/* A watch has nothing else to show: its findings are open. */
		if (!j)
			fprintf(f, "<details%s><summary>what the sampler found</summary><ul>\n",
				json_is_integer(json_object_get(o, "seq")) ? "" : " open=\"open\"");
		fputs("<li>", f);
		report_put_html(f, json_string_value(msg) ? json_string_value(msg) : "");
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
	/* every run's MB/s on one scale, so the cards compare at a glance */
	const double ymax = report_series_max_mbs(ctx->doc, ctx->samples);
	bool any = false;

	for (size_t i = 0; i < n; i++)
		order[i] = json_array_get(runs, i);
	qsort_r(order, n, sizeof(*order), cmp_runs, ctx->cells);
	fprintf(f, "<section id=\"timeseries\">\n<h2>%s: throughput, device and CPU load</h2>\n",
		report_watch_sampler(ctx->doc) ? "While watching" : "During each run");
	series_card(f, json_object_get(ctx->doc, "watch"), json_object_get(ctx->samples, "watch"),
		    0, &any);
	for (size_t i = 0; i < n; i++) {
		char key[32];

		snprintf(key, sizeof(key), "%lld", json_get_int(order[i], "seq"));
		series_card(f, order[i], json_object_get(ctx->samples, key), ymax, &any);
	}
	if (any)
		fputs("</div>\n<p class=\"note\">Read and written MB/s of the source and "
		      "destination disks (iostat's rkB/s and wkB/s, as 10^6 bytes), on one scale for "
		      "every run, their %util, and the share of all CPUs that was busy or waiting for "
		      "I/O, per sampling interval. The dashed line is when the last file closed: "
		      "syncfs wrote back the rest.</p>\n", f);
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
	fputs("<section id=\"throughput\">\n<h2>Throughput per strategy and thread count</h2>\n",
	      f);
	svg_throughput_chart(f, ctx->doc, ctx->cells);
	if (json_array_size(ctx->cells))
		report_cells_table(f, &html_markup, ctx->doc, ctx->cells,
				   "MB/s are 10^6 bytes per second until the copies were durable "
				   "(syncfs on the destination); copied MB/s stop at the last close. "
				   "The interval is the median's distribution-free confidence interval "
				   "with the coverage it reaches; with few runs it is just min to max. "
				   "The highlighted row is the recommendation.");
	fputs("</section>\n", f);
}

static void runs_table(FILE *f, json_t *doc)
{
	json_t *run;
	size_t i;
	bool verified = false;

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
	      "<th class=\"n\">%util</th><th class=\"n\">aqu-sz</th><th class=\"n\">CPU busy %</th>",
	      f);
	json_array_foreach(json_object_get(doc, "runs"), i, run)
		verified |= json_is_object(json_object_get(run, "verify"));
	fputs(verified ? "<th class=\"n\">verify</th></tr>\n" : "</tr>\n", f);
	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		json_t *cold = json_object_get(run, "cold");
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
		if (run_flag_role(run)) {
			char *role = xasprintf("%s, not counted", run_flag_role(run));

			put_flag(f, role);
			free(role);
		}
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
		if (json_is_integer(json_object_get(run, "pair"))) {
			char *tag = xasprintf("pair %lld", json_get_int(run, "pair"));

			put_flag(f, tag);
			free(tag);
		}
		json_array_foreach(json_object_get(run, "warnings"), j, w) {
			fputs("<span class=\"flag\" title=\"", f);
			report_put_html(f, json_string_value(w) ? json_string_value(w) : "");
			fputs("\">warning</span>", f);
		}
		fputs("</td>", f);
		td_num(f, run, "files", 0);
		fprintf(f, "<td class=\"n\">%.3f</td>", json_get_num(run, "bytes") / 1e9);
		td_num(f, run, "seconds_copied", 2);
		td_num(f, run, "seconds_durable", 2);
		report_run_measures(f, &html_markup, run, verified);
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n<p class=\"note\">resident: the share of the source in the page "
	      "cache just before the clock started. device: the busiest device during the run with "
	      "its mean %util and queue size (iostat -x); %util alone does not show saturation, "
	      "NVMe and arrays serve many requests at once. Rows in red were not cold or failed; "
	      "hover over a warning to read it (all are listed at the top).", f);
	report_runs_verify(f, &html_markup, doc, verified);
	fputs("</section>\n", f);
}

static void kv_row(FILE *f, const char *label, const char *value)
{
	fprintf(f, "<tr><td>%s</td><td>", label);
	report_put_html(f, value);
	fputs("</td></tr>\n", f);
}

static void environment(FILE *f, json_t *doc)
{
	json_t *host = json_object_get(doc, "host");
	json_t *tool = json_object_get(doc, "tool");
	json_t *src = json_object_get(doc, "source");
	json_t *dst = json_object_get(doc, "destination");
	char buf[64];
	bool any = false;
	json_t *v;
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
			   report_put_html);
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
		report_location_rows(f, &html_markup, src, dst,
				     "– (none: tmpfs or a network filesystem)");
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
	report_env_diag(f, &html_markup, doc);
	fputs("</section>\n", f);
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
			report_put_html(f, file);
			fputs("\">", f);
			report_put_html(f, dot ? dot + 1 : base);
			fputs("</a>", f);
		}
		fputs(". ", f);
	}
	if (!ps)
		fputs("gnuplot images were skipped (--no-plots). To get them, " PLOT_HOWTO
		      " without --no-plots. ", f);
	else if (ps->skipped) {
		fputs("gnuplot images were skipped: ", f);
		report_put_html(f, ps->skipped);
		fputs(". To get them, ", f);
		report_put_html(f, plot_howto(ps));
		fputs(". ", f);
	}
	fputs("The charts on this page need neither: they are drawn from results.json and the "
	      "samples files alone.</p>\n", f);
	json_array_foreach(ctx->notes, i, n) {
		if (!i)
			fputs("<ul class=\"note\">\n", f);
		fputs("<li>", f);
		report_put_html(f, json_string_value(n) ? json_string_value(n) : "");
		fputs("</li>\n", f);
	}
	if (json_array_size(ctx->notes))
		fputs("</ul>\n", f);
	fputs("<p class=\"note\">Every figure on this page is a field of results.json (schema ", f);
	esc_key(f, ctx->doc, "schema");
	fputs(") or of the runs' samples files. " REPORT_UNITS "</p>\n</section>\n", f);
}

void report_html(const struct report_ctx *ctx, FILE *f)
{
	const bool watch_only = report_watch_sampler(ctx->doc) &&
				!json_array_size(json_object_get(ctx->doc, "runs"));

	head(f, ctx->doc);
	if (watch_only) {
		warnings(f, ctx);
		timeseries(f, ctx);
	} else if (report_reference_only(ctx->doc)) {
		warnings(f, ctx);
		report_reference_html(f, ctx->doc);
	} else {
		fputs("<div class=\"top\">\n", f);
		recommendation(f, json_object_get(ctx->doc, "recommendation"), ctx->cells);
		warnings(f, ctx);
		fputs("</div>\n", f);
		cells_table(f, ctx);
		report_reference_html(f, ctx->doc);
		report_nodes_html(ctx->doc, f);
		report_interpreter(f, &html_markup, ctx->cells);
		timeseries(f, ctx);
		runs_table(f, ctx->doc);
		report_overhead_html(f, ctx->doc);
	}
	environment(f, ctx->doc);
	plots(f, ctx);
	fputs("</main>\n</body>\n</html>\n", f);
}
