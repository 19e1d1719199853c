/* SPDX-License-Identifier: MIT */
/*
 * overhead.c - where the runs' time outside their clocks went (run.overhead_s), summed over the
 * runs, as a table in report.md and report.html: so a user sees what a sweep spent on deleting
 * copies, writing back, dropping caches and waiting rather than on copying; and, when the removal
 * of the previous copy is the most of it on a DST mounted with online discard, that this is why.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis/stats.h"
#include "lib/json_get.h"
#include "lib/util.h"
#include "report/render.h"

static const char *const parts[] = { "delete", "sync", "drop", "settle", "residency",
				     "sampler_start", "results_write", "other" };
#define NR_PARTS (sizeof(parts) / sizeof(parts[0]))

static const char *const labels[NR_PARTS] = {
	"deleting the previous copy", "writing back (sync)", "dropping the page cache",
	"waiting for quiet devices", "measuring residency", "starting the sampler",
	"writing results.json", "other (jobs, --verify, records)",
};

struct sums {
	double part[NR_PARTS];
	double wall;
	double clock;
	size_t runs;
};

/* The sums over the runs that carry overhead_s; false when none does. */
static bool sum_runs(json_t *doc, struct sums *s)
{
	json_t *run;
	size_t i;

	*s = (struct sums){ 0 };
	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		json_t *o = json_object_get(run, "overhead_s");

		if (!json_is_object(o) || !json_is_number(json_object_get(run, "wall_s")))
			continue;
		for (size_t k = 0; k < NR_PARTS; k++)
			s->part[k] += json_number_value(json_object_get(o, parts[k]));
		s->wall += json_number_value(json_object_get(run, "wall_s"));
		s->clock += json_number_value(json_object_get(run, "seconds_durable"));
		s->runs++;
	}
	return s->runs && s->wall > 0;
}

/* diag's destination when it found it mounted with online discard (locations[].discard), or NULL. */
static json_t *discard_dst(json_t *doc)
{
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(doc, "diag"), "locations"), i, l)
		if (!strcmp(json_get_str(l, "role"), "destination") &&
		    json_is_true(json_object_get(l, "discard")))
			return l;
	return NULL;
}

/*
 * The sentence naming DST's online discard as why the runs waited: when removing the previous
 * copy (background_s.remove: beside the write-back and the drop, so not one part of overhead_s)
 * lasts at least half the time a run spends outside its clock, in the median over the runs that
 * removed one, and diag found DST mounted with online discard. NULL when it does not apply.
 */
static char *discard_note(json_t *doc)
{
	json_t *dst = discard_dst(doc);
	json_t *runs = json_object_get(doc, "runs");
	struct summary rm;
	struct summary out;
	char *note = NULL;
	json_t *run;
	size_t i;
	size_t n = 0;

	if (!dst)
		return NULL;
	double *v = xcalloc(2 * json_array_size(runs) + 2, sizeof(*v));
	double *w = v + json_array_size(runs) + 1;
	json_array_foreach(runs, i, run) {
		json_t *r = json_object_get(json_object_get(run, "background_s"), "remove");

		if (!json_is_number(r) || !json_is_number(json_object_get(run, "wall_s")))
			continue;
		v[n] = json_number_value(r);
		w[n++] = json_get_num(run, "wall_s") - json_get_num(run, "seconds_durable");
	}
	stats_summarize(v, n, &rm);
	stats_summarize(w, n, &out);
	if (n && out.median > 0 && rm.median >= out.median / 2)
		note = xasprintf("Removing the previous copy took a median of %.2f s per run, %.0f %% "
				 "of the %.2f s a run spent outside its clock: DST (%s, %s) is mounted "
				 "with online discard, so every removed file waits for the device to "
				 "discard its blocks; a periodic fstrim (fstrim.timer) instead of the "
				 "discard mount option shortens it.",
				 rm.median, 100 * fmin(rm.median / out.median, 1), out.median,
				 json_get_str(dst, "mount_point"), json_get_str(dst, "fs_type"));
	free(v);
	return note;
}

/* discard_note() between before and after, put by the markup's writer; nothing when it is NULL. */
static void put_discard_note(FILE *f, json_t *doc, void (*put)(FILE *f, const char *s),
			     const char *before, const char *after)
{
	char *note = discard_note(doc);

	if (note) {
		fputs(before, f);
		put(f, note);
		fputs(after, f);
	}
	free(note);
}

void report_overhead_md(FILE *f, json_t *doc, void (*put)(FILE *f, const char *s))
{
	struct sums s;

	if (!sum_runs(doc, &s))
		return;
	fprintf(f, "\n## Time outside the clocks\n\n%zu run%s: %.2f s of wall time, %.2f s (%.1f %%) "
		"inside the clocks (first copy to the end of syncfs), %.2f s (%.1f %%) outside.\n\n",
		s.runs, s.runs == 1 ? "" : "s", s.wall, s.clock, 100 * s.clock / s.wall,
		s.wall - s.clock, 100 * (s.wall - s.clock) / s.wall);
	fputs("| where | seconds | % of wall time |\n|---|---:|---:|\n", f);
	for (size_t k = 0; k < NR_PARTS; k++)
		fprintf(f, "| %s | %.2f | %.1f |\n", labels[k], s.part[k], 100 * s.part[k] / s.wall);
	put_discard_note(f, doc, put, "\n", "\n");
}

void report_overhead_html(FILE *f, json_t *doc)
{
	struct sums s;

	if (!sum_runs(doc, &s))
		return;
	fprintf(f, "<section id=\"overhead\">\n<h2>Time outside the clocks</h2>\n<p>%zu run%s: "
		"%.2f s of wall time, %.2f s (%.1f %%) inside the clocks (first copy to the end of "
		"syncfs), %.2f s (%.1f %%) outside.</p>\n<table>\n<tr><th>where</th>"
		"<th class=\"n\">seconds</th><th class=\"n\">%% of wall time</th></tr>\n", s.runs,
		s.runs == 1 ? "" : "s", s.wall, s.clock, 100 * s.clock / s.wall, s.wall - s.clock,
		100 * (s.wall - s.clock) / s.wall);
	for (size_t k = 0; k < NR_PARTS; k++)
		fprintf(f, "<tr><td>%s</td><td class=\"n\">%.2f</td><td class=\"n\">%.1f</td></tr>\n",
			labels[k], s.part[k], 100 * s.part[k] / s.wall);
	fputs("</table>\n", f);
	put_discard_note(f, doc, report_put_html, "<p>", "</p>\n");
	fputs("</section>\n", f);
}
