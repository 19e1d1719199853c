/* SPDX-License-Identifier: MIT */
/* sweep_dry.c - `sweep --dry-run`: the plan, its runs and their estimate, nothing measured. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/sweep_dry.h"
#include "lib/util.h"

#define SWEEP_DRY_MAX_LIST 64	/* as the thread counts --threads takes */

static int cmp_unsigned(const void *a, const void *b)
{
	const unsigned x = *(const unsigned *)a;
	const unsigned y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

/* Distinct strategies and thread counts of the plan, as "a, b" and "1, 2, 4"; their counts. */
static void plan_dimensions(const struct sweep *sw, char *strats, char *threads, size_t len,
			    size_t *nstrat, size_t *nthr)
{
	unsigned t[SWEEP_DRY_MAX_LIST];
	size_t ns = 0, nt = 0, off = 0;

	strats[0] = '\0';
	for (size_t i = 0; i < sw->p.nr_strategies; i++) {
		bool planned = false;

		for (size_t k = 0; k < sw->nr_plan && !planned; k++)
			planned = sw->plan[k].strategy == sw->p.strategies[i];
		if (planned)
			off += (size_t)snprintf(strats + off, off < len ? len - off : 0, "%s%s",
						ns++ ? ", " : "", sw->p.strategies[i]->name);
	}
	for (size_t k = 0; k < sw->nr_plan; k++) {
		size_t j = 0;

		while (j < nt && t[j] != sw->plan[k].threads)
			j++;
		if (j == nt && nt < SWEEP_DRY_MAX_LIST)
			t[nt++] = sw->plan[k].threads;
	}
	qsort(t, nt, sizeof(*t), cmp_unsigned);
	threads[0] = '\0';
	off = 0;
	for (size_t j = 0; j < nt; j++)
		off += (size_t)snprintf(threads + off, off < len ? len - off : 0, "%s%u",
					j ? ", " : "", t[j]);
	*nstrat = ns;
	*nthr = nt;
}

/* A dry run's "plan": the strategies, thread counts, cells and the repeats of each. */
static json_t *dry_run_plan(const struct sweep *sw, const struct sweep_estimate *e)
{
	const size_t per_cell = e->cells ? e->planned / e->cells : 0;
	char strats[512], threads[512];
	char repeats[160];
	char jobs[48] = "";
	size_t ns, nt;
	char *text;
	json_t *plan;

	plan_dimensions(sw, strats, threads, sizeof(strats), &ns, &nt);
	if (sw->auto_repeats)
		snprintf(repeats, sizeof(repeats), "--repeats auto: %ld runs a cell, more for the "
			 "cells that decide the answer, at most %ld", sw->rule.min_runs,
			 sw->rule.max_runs);
	else
		snprintf(repeats, sizeof(repeats), "%zu run%s a cell", per_cell,
			 per_cell == 1 ? "" : "s");
	if (sw->b.cfg.jobs > 1)
		snprintf(jobs, sizeof(jobs), ", %u copiers at once", sw->b.cfg.jobs);
	text = xasprintf("%zu strateg%s (%s) x %zu thread count%s (%s) = %zu cell%s%s; %s", ns,
			 ns == 1 ? "y" : "ies", strats, nt, nt == 1 ? "" : "s", threads, e->cells,
			 e->cells == 1 ? "" : "s", jobs, repeats);
	plan = json_pack("{s:s, s:s, s:I, s:o, s:I, s:s}", "strategies", strats, "threads",
			 threads, "cells", (json_int_t)e->cells, "repeats",
			 sw->auto_repeats ? json_string("auto") : json_integer((json_int_t)per_cell),
			 "jobs", (json_int_t)(sw->b.cfg.jobs ? sw->b.cfg.jobs : 1), "text", text);
	free(text);
	return plan;
}

/* A dry run's "runs": before the grid, of the grid (and expected beyond it), the confirmation. */
static json_t *dry_run_runs(const struct sweep *sw, bool reference,
			    const struct sweep_estimate *e, const struct confirm_params *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const long most = p->pairs_max > p->pairs ? p->pairs_max : p->pairs;
	json_t *runs;

	if (!f)
		return json_object();
	if (e->pre_runs)
		fprintf(f, "%ld %s run%s first, not counted; ", e->pre_runs,
			sw->p.warmup ? "warm-up" : "probe", e->pre_runs == 1 ? "" : "s");
	if (sw->skip)
		fprintf(f, "%zu of the %zu runs of the grid left", e->runs, e->planned);
	else
		fprintf(f, "%zu of the grid", e->runs);
	if (e->extra)
		fprintf(f, ", and about %zu more expected for the cells that decide the answer (at "
			"most %zu of the grid in all)", e->extra, e->most);
	if (p->pairs) {
		fprintf(f, "; then up to %ld of the paired confirmation (%ld pairs", 2 * most,
			p->pairs);
		if (most > p->pairs)
			fprintf(f, ", up to %ld pairs while the gain is promising but not proven",
				most);
		fputs("), only when the recommendation is not the default (as many more for the "
		      "next candidate, not estimated, each time one is not confirmed)", f);
	}
	if (reference && !sw->skip)
		fputs("; before them fio's reference (--reference), not estimated", f);
	fclose(f);
	runs = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "total",
			 (json_int_t)((size_t)e->pre_runs + e->runs + e->extra), "before_grid",
			 (json_int_t)e->pre_runs, "grid", (json_int_t)e->runs, "expected_extra",
			 (json_int_t)e->extra, "at_most", (json_int_t)e->most,
			 "confirmation_at_most", (json_int_t)(p->pairs ? 2 * most : 0), "text",
			 text ? text : "");
	free(text);
	return runs;
}

int sweep_dry_run(struct sweep *sw, const struct measure_opts *m, bool reference,
		  const struct confirm_params *p)
{
	struct sweep_estimate e;
	const long most = p->pairs_max > p->pairs ? p->pairs_max : p->pairs;
	json_t *doc;
	int status = sweep_estimate(sw, &e);

	if (status)
		return status;
	doc = measure_dry_run_new(&sw->b, "sweep");
	json_object_set_new(doc, "plan", dry_run_plan(sw, &e));
	json_object_set_new(doc, "runs", dry_run_runs(sw, reference, &e, p));
	json_object_set_new(doc, "budget_probes", json_boolean(e.budget_probes));
	measure_dry_run_check_length(doc, &sw->b,
				     e.fast.bytes_s > e.slow.bytes_s ? &e.fast : &e.slow,
				     sw->p.min_run_s);
	json_object_set_new(doc, "probes", json_pack("[o]", measure_rate_json(&e.slow)));
	if (e.nr_probes > 1)
		json_array_append_new(json_object_get(doc, "probes"), measure_rate_json(&e.fast));
	json_object_set_new(doc, "estimate",
			    json_pack("{s:f, s:f, s:f}", "seconds_per_run", e.per_run_s, "seconds",
				      e.total_s, "seconds_with_confirmation",
				      e.total_s + e.per_run_s * (double)(p->pairs ? 2 * most : 0)));
	status = measure_dry_run_print(doc, m);
	json_decref(doc);
	return status;
}
