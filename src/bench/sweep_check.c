/* SPDX-License-Identifier: MIT */
/*
 * sweep_check.c - a results.json checked before `sweep --resume` continues it: the seed, the
 * repeats, the plan and the runs against each other and against the options the sweep recorded.
 * A damaged document is refused with one reason rather than resumed into nonsense.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/run_flags.h"
#include "bench/sweep.h"
#include "copy/strategy.h"
#include "lib/json_get.h"
#include "lib/util.h"

#define MAX_LIST 64		/* as many strategies and thread counts as `sweep` takes */
#define MAX_THREADS 4096
#define MAX_REPEATS 10000

/* A JSON value as text for a message (free it); "missing" when absent. */
static char *shown(json_t *v)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;

	return s ? s : xstrdup(v ? "?" : "missing");
}

static bool int_in(json_t *v, json_int_t lo, json_int_t hi)
{
	return json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi;
}

static bool num_in(json_t *v, double lo, double hi)
{
	return json_is_number(v) && json_number_value(v) >= lo && json_number_value(v) <= hi;
}

/* why gets "<what> is <v as JSON>: <expected>"; returns -EINVAL. */
static int bad_value(char *why, size_t len, const char *what, json_t *v, const char *expected)
{
	char *text = shown(v);
	int ret = reject_why(why, len, "%s is %s: expected %s", what, text, expected);

	free(text);
	return ret;
}

static int check_scalars(json_t *sweep, char *why, size_t len)
{
	json_t *repeats = json_object_get(sweep, "repeats");
	json_t *rule = json_object_get(sweep, "auto");

	if (!int_in(json_object_get(sweep, "seed"), 0, 2147483647))
		return bad_value(why, len, "sweep.seed", json_object_get(sweep, "seed"),
				 "a whole number from 0 to 2147483647");
	if (!(json_is_string(repeats) && !strcmp(json_string_value(repeats), "auto")) &&
	    !int_in(repeats, 1, MAX_REPEATS))
		return bad_value(why, len, "sweep.repeats", repeats,
				 "a whole number from 1 to 10000, or \"auto\"");
	if (rule && (!json_is_object(rule) || !int_in(json_object_get(rule, "min_runs"), 1, 1000) ||
		     !int_in(json_object_get(rule, "max_runs"), 1, 1000) ||
		     json_get_int(rule, "min_runs") > json_get_int(rule, "max_runs") ||
		     !num_in(json_object_get(rule, "target_spread_pct"), 1e-9, 100) ||
		     !num_in(json_object_get(rule, "tolerance_pct"), 0, 100)))
		return bad_value(why, len, "sweep.auto", rule,
				 "min_runs <= max_runs, both from 1 to 1000, target_spread_pct "
				 "above 0 and tolerance_pct from 0, both at most 100");
	return 0;
}

/* One entry of sweep.plan: a strategy of this build, a thread count and a repeat in range. */
static int check_entry(json_t *e, size_t i, char *why, size_t len)
{
	const char *name = json_string_value(json_object_get(e, "strategy"));
	char what[48];

	snprintf(what, sizeof(what), "sweep.plan[%zu]", i);
	if (!json_is_object(e) || !name || !int_in(json_object_get(e, "threads"), 1, MAX_THREADS) ||
	    !int_in(json_object_get(e, "repeat"), 1, MAX_REPEATS))
		return bad_value(why, len, what, e,
				 "{\"strategy\": NAME, \"threads\": 1 to 4096, \"repeat\": 1 to "
				 "10000}");
	if (!strategy_find(name))
		return reject_why(why, len, "%s names strategy '%s', which is not in this build",
				  what, name);
	return 0;
}

/* "rw at 1 thread, repeat 2" for a plan entry or a run. */
static const char *entry_text(json_t *o, char *buf, size_t len)
{
	snprintf(buf, len, "%s at %lld thread%s, repeat %lld", json_get_str(o, "strategy"),
		 json_get_int(o, "threads"), json_get_int(o, "threads") == 1 ? "" : "s",
		 json_get_int(o, "repeat"));
	return buf;
}

static bool same_cell(json_t *a, json_t *b)
{
	return !strcmp(json_get_str(a, "strategy"), json_get_str(b, "strategy")) &&
	       json_get_int(a, "threads") == json_get_int(b, "threads");
}

/* Entries of plan of e's cell; with dup, the index of an earlier entry equal to e (or -1). */
static size_t cell_entries(json_t *plan, json_t *e, size_t upto, long *dup)
{
	size_t n = 0;

	*dup = -1;
	for (size_t j = 0; j < json_array_size(plan); j++) {
		json_t *o = json_array_get(plan, j);

		if (!same_cell(o, e))
			continue;
		n++;
		if (j < upto && *dup < 0 && json_get_int(o, "repeat") == json_get_int(e, "repeat"))
			*dup = (long)j;
	}
	return n;
}

/* params.strategies and params.threads as lists, the counts capped as sweep_plan() capped them. */
struct grid {
	char *names;			/* the copy strtok_r cut up */
	const char *strategy[MAX_LIST];
	size_t nr_strategies;
	unsigned threads[MAX_LIST];
	size_t nr_threads;
};

static int read_grid(json_t *root, struct grid *g, char *why, size_t len)
{
	json_t *params = json_object_get(root, "params");
	const char *listed = json_string_value(json_object_get(params, "strategies"));
	const char *threads = json_string_value(json_object_get(params, "threads"));
	char *list = threads ? xstrdup(threads) : NULL;
	char *save = NULL;
	int ret = 0;

	memset(g, 0, sizeof(*g));
	if (!listed || !threads) {
		free(list);
		return reject_why(why, len, "params.strategies or params.threads is missing: the "
				  "options of the sweep are not recorded");
	}
	g->names = xstrdup(listed);
	for (char *t = strtok_r(g->names, ",", &save); t && !ret; t = strtok_r(NULL, ",", &save))
		if (g->nr_strategies < MAX_LIST)
			g->strategy[g->nr_strategies++] = t;
	for (char *t = strtok_r(list, ",", &save); t && !ret; t = strtok_r(NULL, ",", &save)) {
		long v;

		if (parse_long(t, 1, MAX_THREADS, &v) || g->nr_threads == MAX_LIST)
			ret = reject_why(why, len, "params.threads '%s' is not a list of thread "
					 "counts from 1 to 4096", threads);
		else
			g->threads[g->nr_threads++] = (unsigned)v;
	}
	free(list);
	if (!ret && (!g->nr_strategies || !g->nr_threads))
		ret = reject_why(why, len, "params.strategies '%s' or params.threads '%s' is empty",
				 listed, threads);
	if (!ret)
		g->nr_threads = sweep_cap_threads(g->threads, g->nr_threads,
						  (size_t)json_get_int(json_object_get(root, "source"),
								       "files"),
						  true);
	return ret;
}

static bool grid_has(const struct grid *g, json_t *e)
{
	bool strategy = false;
	bool threads = false;

	for (size_t i = 0; i < g->nr_strategies; i++)
		strategy |= !strcmp(g->strategy[i], json_get_str(e, "strategy"));
	for (size_t i = 0; i < g->nr_threads; i++)
		threads |= g->threads[i] == (unsigned)json_get_int(e, "threads");
	return strategy && threads;
}

/*
 * The plan against the grid: no entry twice, every entry a cell of the grid, every cell of the
 * grid planned, and with a fixed --repeats R, R entries a cell.
 */
static int check_plan(json_t *plan, const struct grid *g, json_t *repeats, char *why, size_t len)
{
	json_t *e;
	size_t i;

	json_array_foreach(plan, i, e) {
		long dup;

		char text[96];

		cell_entries(plan, e, i, &dup);
		if (dup >= 0)
			return reject_why(why, len, "sweep.plan[%zu] repeats sweep.plan[%ld]: %s, "
					  "twice", i, dup, entry_text(e, text, sizeof(text)));
	}
	json_array_foreach(plan, i, e) {
		long dup;
		size_t n = cell_entries(plan, e, i, &dup);

		if (!grid_has(g, e))
			return reject_why(why, len, "sweep.plan[%zu] is %s at %lld thread%s, not a "
					  "cell of the recorded --strategies x --threads", i,
					  json_get_str(e, "strategy"), json_get_int(e, "threads"),
					  json_get_int(e, "threads") == 1 ? "" : "s");
		if (json_is_integer(repeats) && n != (size_t)json_integer_value(repeats))
			return reject_why(why, len, "sweep.plan has %zu runs of %s at %lld thread%s, "
					  "not the %lld of sweep.repeats", n,
					  json_get_str(e, "strategy"), json_get_int(e, "threads"),
					  json_get_int(e, "threads") == 1 ? "" : "s",
					  (long long)json_integer_value(repeats));
	}
	for (size_t s = 0; s < g->nr_strategies; s++) {
		for (size_t t = 0; t < g->nr_threads; t++) {
			json_t *cell = json_pack("{s:s, s:i}", "strategy", g->strategy[s],
						 "threads", (int)g->threads[t]);
			bool found = false;

			json_array_foreach(plan, i, e)
				found |= same_cell(e, cell);
			json_decref(cell);
			if (!found)
				return reject_why(why, len, "%s at %u thread%s, a cell of the "
						  "recorded --strategies x --threads, is missing from "
						  "sweep.plan", g->strategy[s], g->threads[t],
						  g->threads[t] == 1 ? "" : "s");
		}
	}
	return 0;
}

/* Counted runs: plan_index in range, of its entry's cell, no entry carried out twice. */
static int check_runs(json_t *runs, json_t *plan, char *why, size_t len)
{
	const size_t n = json_array_size(plan);
	long long *by = xcalloc(n ? n : 1, sizeof(*by));
	json_t *run;
	size_t i;
	int ret = 0;

	json_array_foreach(runs, i, run) {
		json_t *idx = json_object_get(run, "plan_index");
		json_t *e;
		long long seq = json_get_int(run, "seq");

		if (run_flag_role(run) || !idx)
			continue;
		if (!int_in(idx, 0, (json_int_t)n - 1)) {
			char *text = shown(idx);

			ret = reject_why(why, len, "run %lld has plan_index %s, outside sweep.plan "
					 "(0 to %zu)", seq, text, n ? n - 1 : 0);
			free(text);
			break;
		}
		e = json_array_get(plan, (size_t)json_integer_value(idx));
		if (!same_cell(run, e) || json_get_int(run, "repeat") != json_get_int(e, "repeat")) {
			char a[96], b[96];

			ret = reject_why(why, len, "run %lld is %s, but its plan_index %lld is %s", seq,
					 entry_text(run, a, sizeof(a)), (long long)json_integer_value(idx),
					 entry_text(e, b, sizeof(b)));
			break;
		}
		if (json_is_true(json_object_get(run, "aborted")) ||
		    json_array_size(json_object_get(run, "errors")))
			continue;	/* a failed run is redone: its entry may have another */
		if (by[json_integer_value(idx)]) {
			ret = reject_why(why, len, "runs %lld and %lld both carry out sweep.plan[%lld]",
					 by[json_integer_value(idx)], seq,
					 (long long)json_integer_value(idx));
			break;
		}
		by[json_integer_value(idx)] = seq ? seq : -1;
	}
	free(by);
	return ret;
}

int sweep_check_doc(json_t *root, char *why, size_t len)
{
	json_t *sweep = json_object_get(root, "sweep");
	json_t *plan = json_object_get(sweep, "plan");
	struct grid g;
	json_t *e;
	size_t i;
	int ret;

	if (!json_is_object(sweep))
		return reject_why(why, len, "it holds no sweep");
	ret = check_scalars(sweep, why, len);
	if (ret)
		return ret;
	if (!json_is_array(plan) || !json_array_size(plan))
		return bad_value(why, len, "sweep.plan", plan, "a list of runs");
	json_array_foreach(plan, i, e) {
		ret = check_entry(e, i, why, len);
		if (ret)
			return ret;
	}
	ret = read_grid(root, &g, why, len);
	if (!ret)
		ret = check_plan(plan, &g, json_object_get(sweep, "repeats"), why, len);
	free(g.names);
	if (!ret)
		ret = check_runs(json_object_get(root, "runs"), plan, why, len);
	return ret;
}
