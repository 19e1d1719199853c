/* SPDX-License-Identifier: MIT */
/*
 * nodes.c - what a run or sweep across nodes adds to each rendering: the nodes' table, the scaling
 * curve (a table, and in report.html an SVG chart) and the recommendation by node count, all from
 * results.json's "cluster", "nodes", runs' "per_node", "scaling" and "recommendations".
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/run_flags.h"
#include "analysis/stats.h"
#include "lib/json_get.h"
#include "lib/util.h"
#include "report/data.h"
#include "report/nodes.h"
#include "report/render.h"

/* What one node measured over the counted runs it took part in. */
struct node_stat {
	json_t *node;		/* its entry of "nodes" */
	double *mb_s;		/* its own part's rate in each complete run */
	size_t n;
	size_t slowest;		/* runs of several nodes in which it was the slowest */
	double median, min, max;
};

static const char *const palette[] = { "#0072B2", "#D55E00", "#009E73", "#CC79A7",
				       "#E69F00", "#56B4E9", "#000000", "#999999" };
#define NR_COLOURS (sizeof(palette) / sizeof(palette[0]))

static bool counted(json_t *run)
{
	return !run_flag_role(run) && !json_is_true(json_object_get(run, "aborted")) &&
	       !json_array_size(json_object_get(run, "errors")) && json_get_has_num(run, "mb_s");
}

/* The nodes of doc with their parts' rates; *nr gets how many. Free with free_stats(). */
static struct node_stat *node_stats(json_t *doc, size_t *nr)
{
	json_t *nodes = json_object_get(doc, "nodes");
	struct node_stat *st = xcalloc(json_array_size(nodes) + 1, sizeof(*st));
	json_t *run;
	size_t i;

	*nr = json_array_size(nodes);
	for (i = 0; i < *nr; i++) {
		st[i].node = json_array_get(nodes, i);
		st[i].mb_s = xmalloc((json_array_size(json_object_get(doc, "runs")) + 1) *
				     sizeof(double));
	}
	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		json_t *slow = json_object_get(json_object_get(run, "node_spread"), "slowest");
		json_t *part;
		size_t j;

		if (!counted(run))
			continue;
		json_array_foreach(json_object_get(run, "per_node"), j, part) {
			const long long r = json_get_int(part, "rank");

			if (r >= 0 && (size_t)r < *nr && json_get_has_num(part, "mb_s"))
				st[r].mb_s[st[r].n++] = json_get_num(part, "mb_s");
		}
		if (json_get_int(run, "nodes") > 1 && json_is_object(slow) &&
		    json_get_int(slow, "rank") >= 0 && (size_t)json_get_int(slow, "rank") < *nr)
			st[json_get_int(slow, "rank")].slowest++;
	}
	for (i = 0; i < *nr; i++) {
		if (!st[i].n)
			continue;
		stats_sort(st[i].mb_s, st[i].n);
		st[i].median = stats_quantile_sorted(st[i].mb_s, st[i].n, 0.5);
		st[i].min = st[i].mb_s[0];
		st[i].max = st[i].mb_s[st[i].n - 1];
	}
	return st;
}

static void free_stats(struct node_stat *st, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(st[i].mb_s);
	free(st);
}

/* "3 ranks on 1 host, node files shared, Open MPI v4.1.4, ..." */
static void summary(json_t *cluster, char *buf, size_t len)
{
	const char *lib = json_get_str(cluster, "mpi_library");

	snprintf(buf, len, "%lld ranks on %lld host%s; %s; %.*s",
		 json_get_int(cluster, "world_size"), json_get_int(cluster, "hosts"),
		 json_get_int(cluster, "hosts") == 1 ? "" : "s",
		 strcmp(json_get_str(cluster, "node_files"), "split")
			 ? "every node copies the whole set (--node-files shared)"
			 : "each node copies its share of the set (--node-files split)",
		 (int)strcspn(lib, ","), *lib ? lib : "MPI");
}

static const char shared_note[] =
	"several ranks shared one host (--allow-shared-host): they shared its page cache, disk and "
	"network, so these numbers test the mechanics and are not what that many nodes deliver";

/* ---- the terminal ------------------------------------------------------------------------- */

void report_nodes_text(json_t *doc, FILE *f)
{
	json_t *cluster = json_object_get(doc, "cluster");
	struct node_stat *st;
	json_t *curve;
	char line[512];
	size_t nr, i;

	if (!json_is_object(cluster))
		return;
	summary(cluster, line, sizeof(line));
	fprintf(f, "\nacross nodes: %s\n", line);
	if (json_is_true(json_object_get(cluster, "shared_host")))
		fprintf(f, "  NOTE: %s\n", shared_note);
	st = node_stats(doc, &nr);
	fprintf(f, "%5s  %-20s %-12s %5s %12s %10s %10s %8s\n", "rank", "host", "cache_drop",
		"runs", "median_MB/s", "min", "max", "slowest");
	for (i = 0; i < nr; i++)
		fprintf(f, "%5lld  %-20.20s %-12s %5zu %12.1f %10.1f %10.1f %8zu\n",
			json_get_int(st[i].node, "rank"), json_get_str(st[i].node, "host"),
			json_get_str(st[i].node, "cache_drop"), st[i].n, st[i].median, st[i].min,
			st[i].max, st[i].slowest);
	free_stats(st, nr);
	json_array_foreach(json_object_get(doc, "scaling"), i, curve) {
		json_t *p;
		size_t k;

		if (!i)
			fprintf(f, "scaling (median MB/s of the nodes together; a node's share and the "
				   "efficiency against the fewest nodes in brackets):\n");
		fprintf(f, "  %s, %lld thread%s:", json_get_str(curve, "strategy"),
			json_get_int(curve, "threads"), json_get_int(curve, "threads") == 1 ? "" : "s");
		json_array_foreach(json_object_get(curve, "points"), k, p)
			fprintf(f, "  %lld: %.0f (%.0f, %.0f %%)", json_get_int(p, "nodes"),
				json_get_num(p, "median_mb_s"), json_get_num(p, "per_node_mb_s"),
				100 * json_get_num(p, "efficiency"));
		fputc('\n', f);
	}
}

/* ---- report.md ---------------------------------------------------------------------------- */

static void put_md(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_[]<>|&", *s))
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
}

static void md_recommendations(json_t *doc, FILE *f)
{
	json_t *rec;
	size_t i;

	json_array_foreach(json_object_get(doc, "recommendations"), i, rec) {
		const double n = (double)json_get_int(rec, "nodes");

		if (!i)
			fputs("\n### CRYOSPARC_CACHE_NUM_THREADS by node count\n\nWhat each node should "
			      "set when that many nodes cache at once.\n\n| nodes | threads | MB/s "
			      "together | MB/s a node | confidence |\n|---:|---:|---:|---:|---|\n", f);
		fprintf(f, "| %lld | ", json_get_int(rec, "nodes"));
		if (json_is_integer(json_object_get(rec, "threads")))
			fprintf(f, "%lld", json_get_int(rec, "threads"));
		else
			fputs("-", f);
		if (json_get_has_num(rec, "mb_s"))
			fprintf(f, " | %.1f | %.1f | ", json_get_num(rec, "mb_s"),
				json_get_num(rec, "mb_s") / n);
		else
			fputs(" | - | - | ", f);
		put_md(f, json_get_str(rec, "confidence"));
		fputs(" |\n", f);
	}
}

static void md_scaling(json_t *doc, FILE *f)
{
	json_t *curve;
	size_t i;

	json_array_foreach(json_object_get(doc, "scaling"), i, curve) {
		json_t *p;
		size_t k;

		if (!i)
			fputs("\n### Scaling\n\nThe median MB/s of the nodes together at each node "
			      "count; a node's share, and its efficiency against the fewest nodes "
			      "(100 %: every node added adds as much as the first). report.html draws "
			      "it.\n\n| strategy | threads | nodes | MB/s together | MB/s a node | "
			      "efficiency |\n|---|---:|---:|---:|---:|---:|\n", f);
		json_array_foreach(json_object_get(curve, "points"), k, p) {
			fputs("| ", f);
			put_md(f, json_get_str(curve, "strategy"));
			fprintf(f, " | %lld | %lld | %.1f | %.1f | ", json_get_int(curve, "threads"),
				json_get_int(p, "nodes"), json_get_num(p, "median_mb_s"),
				json_get_num(p, "per_node_mb_s"));
			if (json_get_has_num(p, "efficiency"))
				fprintf(f, "%.0f %%", 100 * json_get_num(p, "efficiency"));
			fputs(" |\n", f);
		}
	}
}

void report_nodes_md(json_t *doc, FILE *f)
{
	json_t *cluster = json_object_get(doc, "cluster");
	struct node_stat *st;
	char line[512];
	size_t nr;

	if (!json_is_object(cluster))
		return;
	summary(cluster, line, sizeof(line));
	fputs("\n## Across nodes\n\n", f);
	put_md(f, line);
	fputs(".\n", f);
	if (json_is_true(json_object_get(cluster, "shared_host"))) {
		fputs("\n**Note:** ", f);
		put_md(f, shared_note);
		fputs(".\n", f);
	}
	st = node_stats(doc, &nr);
	fputs("\n| rank | host | cache drop | runs | median MB/s | min | max | slowest in |\n"
	      "|---:|---|---|---:|---:|---:|---:|---:|\n", f);
	for (size_t i = 0; i < nr; i++) {
		fprintf(f, "| %lld | ", json_get_int(st[i].node, "rank"));
		put_md(f, json_get_str(st[i].node, "host"));
		fputs(" | ", f);
		put_md(f, json_get_str(st[i].node, "cache_drop"));
		fprintf(f, " | %zu | %.1f | %.1f | %.1f | %zu |\n", st[i].n, st[i].median, st[i].min,
			st[i].max, st[i].slowest);
	}
	free_stats(st, nr);
	md_recommendations(doc, f);
	md_scaling(doc, f);
}

/* ---- report.html -------------------------------------------------------------------------- */

#define CW 640
#define CH 300
#define CL 64
#define CR 170
#define CT 16
#define CB 40

/* The highest number the chart shows: medians, the ideal line, the fio ceiling. */
static void chart_range(json_t *doc, double *ymax, long long *xmax)
{
	json_t *curve;
	size_t i;

	*ymax = json_get_num(json_object_get(doc, "reference"), "ceiling_mb_s");
	*xmax = 1;
	json_array_foreach(json_object_get(doc, "scaling"), i, curve) {
		json_t *points = json_object_get(curve, "points");
		json_t *first = json_array_get(points, 0);
		json_t *p;
		size_t k;

		json_array_foreach(points, k, p) {
			*ymax = fmax(*ymax, json_get_num(p, "median_mb_s"));
			if (json_get_int(p, "nodes") > *xmax)
				*xmax = json_get_int(p, "nodes");
		}
		if (json_get_int(first, "nodes") > 0)
			*ymax = fmax(*ymax, json_get_num(first, "median_mb_s") /
						    (double)json_get_int(first, "nodes") *
						    (double)json_get_int(json_array_get(points,
							    json_array_size(points) - 1), "nodes"));
	}
	*ymax = *ymax > 0 ? *ymax * 1.1 : 1;
}

static double px(long long n, long long xmax)
{
	return CL + (double)(CW - CL - CR) * (double)n / (double)xmax;
}

static double py(double v, double ymax)
{
	return CT + (double)(CH - CT - CB) * (1 - v / ymax);
}

static void chart_axes(FILE *f, double ymax, double step, long long xmax)
{
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n", CL, CH - CB,
		CW - CR, CH - CB);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n", CL, CT, CL,
		CH - CB);
	/* Round ticks: ymax is a multiple of the step (chart()). */
	for (double v = 0; v <= ymax + step / 1000; v += step)
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.0f</text>\n",
			CL - 4, py(v, ymax) + 4, v);
	for (long long n = 1; n <= xmax; n++)
		if (xmax <= 16 || n % (xmax / 8 + 1) == 0)
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" "
				   "text-anchor=\"middle\">%lld</text>\n", px(n, xmax), CH - CB + 14, n);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">nodes caching "
		   "at once</text>\n", (CW - CR + CL) / 2, CH - 6);
	fprintf(f, "<text x=\"14\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" "
		   "transform=\"rotate(-90 14 %d)\">MB/s together</text>\n", CH / 2, CH / 2);
}

static void chart_curve(FILE *f, json_t *curve, size_t i, double ymax, long long xmax)
{
	const char *colour = palette[i % NR_COLOURS];
	json_t *p;
	size_t k;

	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colour);
	json_array_foreach(json_object_get(curve, "points"), k, p)
		fprintf(f, "%s%.1f,%.1f", k ? " " : "", px(json_get_int(p, "nodes"), xmax),
			py(json_get_num(p, "median_mb_s"), ymax));
	fputs("\"/>\n", f);
	json_array_foreach(json_object_get(curve, "points"), k, p) {
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>",
			px(json_get_int(p, "nodes"), xmax), py(json_get_num(p, "median_mb_s"), ymax),
			colour);
		report_put_html(f, json_get_str(curve, "strategy"));
		fprintf(f, ", %lld threads, %lld nodes: %.0f MB/s (%.0f a node)</title></circle>\n",
			json_get_int(curve, "threads"), json_get_int(p, "nodes"),
			json_get_num(p, "median_mb_s"), json_get_num(p, "per_node_mb_s"));
	}
	fprintf(f, "<rect x=\"%d\" y=\"%zu\" width=\"12\" height=\"3\" fill=\"%s\"/>"
		   "<text x=\"%d\" y=\"%zu\" font-size=\"11\">", CW - CR + 10, CT + 16 * i + 4, colour,
		CW - CR + 26, CT + 16 * i + 9);
	report_put_html(f, json_get_str(curve, "strategy"));
	fprintf(f, ", %lld thread%s</text>\n", json_get_int(curve, "threads"),
		json_get_int(curve, "threads") == 1 ? "" : "s");
}

/* The scaling chart: each curve, the ideal line of the best first point, the fio ceiling. */
static void chart(FILE *f, json_t *doc)
{
	json_t *ceiling = json_object_get(json_object_get(doc, "reference"), "ceiling_mb_s");
	json_t *best = NULL;
	json_t *curve;
	long long xmax;
	double ymax;
	size_t i;

	chart_range(doc, &ymax, &xmax);
	const double step = ymax > 0 ? report_nice_step(ymax, 4) : 1;
	ymax = ymax > 0 ? ceil(ymax / step) * step : 1;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"scaling by node count\">\n",
		CW, CH, CW, CH);
	chart_axes(f, ymax, step, xmax);
	json_array_foreach(json_object_get(doc, "scaling"), i, curve) {
		json_t *first = json_array_get(json_object_get(curve, "points"), 0);

		chart_curve(f, curve, i, ymax, xmax);
		if (!best || json_get_num(first, "per_node_mb_s") > json_get_num(best, "per_node_mb_s"))
			best = first;
	}
	if (best && json_get_int(best, "nodes") > 0)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
			   "stroke-dasharray=\"4 3\"><title>linear: every node as fast as the best "
			   "first point</title></line>\n", px(json_get_int(best, "nodes"), xmax),
			py(json_get_num(best, "median_mb_s"), ymax), px(xmax, xmax),
			py(json_get_num(best, "per_node_mb_s") * (double)xmax, ymax));
	if (json_is_number(ceiling))
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#000\" "
			   "stroke-dasharray=\"2 2\"/><text x=\"%d\" y=\"%.1f\" font-size=\"11\">fio "
			   "ceiling %.0f MB/s</text>\n", CL, py(json_number_value(ceiling), ymax),
			CW - CR, py(json_number_value(ceiling), ymax), CL + 4,
			py(json_number_value(ceiling), ymax) - 4, json_number_value(ceiling));
	fputs("</svg>\n", f);
}

static void html_nodes_table(json_t *doc, FILE *f)
{
	struct node_stat *st;
	size_t nr;

	st = node_stats(doc, &nr);
	fputs("<div class=\"scroll\"><table>\n<tr><th class=\"n\">rank</th><th>host</th><th>cache "
	      "drop</th><th class=\"n\">runs</th><th class=\"n\">median MB/s</th><th class=\"n\">"
	      "min</th><th class=\"n\">max</th><th class=\"n\">slowest in</th></tr>\n", f);
	for (size_t i = 0; i < nr; i++) {
		fprintf(f, "<tr><td class=\"n\">%lld</td><td>", json_get_int(st[i].node, "rank"));
		report_put_html(f, json_get_str(st[i].node, "host"));
		fputs("</td><td>", f);
		report_put_html(f, json_get_str(st[i].node, "cache_drop"));
		fprintf(f, "</td><td class=\"n\">%zu</td><td class=\"n\">%.1f</td><td class=\"n\">"
			   "%.1f</td><td class=\"n\">%.1f</td><td class=\"n\">%zu</td></tr>\n",
			st[i].n, st[i].median, st[i].min, st[i].max, st[i].slowest);
	}
	fputs("</table></div>\n", f);
	free_stats(st, nr);
}

static void html_recommendations(json_t *doc, FILE *f)
{
	json_t *rec;
	size_t i;

	json_array_foreach(json_object_get(doc, "recommendations"), i, rec) {
		if (!i)
			fputs("<h3>CRYOSPARC_CACHE_NUM_THREADS by node count</h3>\n<div class=\"scroll\">"
			      "<table>\n<tr><th class=\"n\">nodes</th><th class=\"n\">threads each</th>"
			      "<th class=\"n\">MB/s together</th><th class=\"n\">MB/s a node</th>"
			      "<th>confidence</th></tr>\n", f);
		fprintf(f, "<tr><td class=\"n\">%lld</td><td class=\"n\">", json_get_int(rec, "nodes"));
		if (json_is_integer(json_object_get(rec, "threads")))
			fprintf(f, "%lld", json_get_int(rec, "threads"));
		fputs("</td><td class=\"n\">", f);
		if (json_get_has_num(rec, "mb_s"))
			fprintf(f, "%.1f</td><td class=\"n\">%.1f", json_get_num(rec, "mb_s"),
				json_get_num(rec, "mb_s") / (double)json_get_int(rec, "nodes"));
		else
			fputs("</td><td class=\"n\">", f);
		fputs("</td><td>", f);
		report_put_html(f, json_get_str(rec, "confidence"));
		fputs("</td></tr>\n", f);
		if (i + 1 == json_array_size(json_object_get(doc, "recommendations")))
			fputs("</table></div>\n", f);
	}
}

void report_nodes_html(json_t *doc, FILE *f)
{
	json_t *cluster = json_object_get(doc, "cluster");
	char line[512];

	if (!json_is_object(cluster))
		return;
	summary(cluster, line, sizeof(line));
	fputs("<section id=\"nodes\">\n<h2>Across nodes</h2>\n<p>", f);
	report_put_html(f, line);
	fputs("</p>\n", f);
	if (json_is_true(json_object_get(cluster, "shared_host"))) {
		fputs("<p class=\"warn\"><b>Note:</b> ", f);
		report_put_html(f, shared_note);
		fputs(".</p>\n", f);
	}
	if (json_array_size(json_object_get(doc, "scaling"))) {
		fputs("<h3>Scaling</h3>\n<p>The median MB/s of the nodes together at each node count "
		      "(points), against a line through the best first point if every node added "
		      "added as much (dashed).</p>\n", f);
		chart(f, doc);
	}
	html_recommendations(doc, f);
	fputs("<h3>The nodes</h3>\n<p>Each node's own part of the runs it took part in; "
	      "\"slowest in\" counts the runs of several nodes in which its rate was the lowest.</p>\n", f);
	html_nodes_table(doc, f);
	fputs("</section>\n", f);
}
