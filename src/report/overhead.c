/* SPDX-License-Identifier: MIT */
/*
 * overhead.c - where the runs' time outside their clocks went (run.overhead_s), summed over the
 * runs, as a table in report.md and report.html: so a user sees what a sweep spent on deleting
 * copies, writing back, dropping caches and waiting rather than on copying.
 */
#include "config.h"

#include <stdio.h>

#include <jansson.h>

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

void report_overhead_md(FILE *f, json_t *doc)
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
	fputs("</table>\n</section>\n", f);
}
