/* SPDX-License-Identifier: MIT */
/* cells.c - runs grouped into (strategy, threads, jobs) cells and summarised. No I/O. */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/cells.h"
#include "analysis/run_flags.h"
#include "analysis/stats.h"
#include "lib/json_get.h"
#include "lib/util.h"

/* A cell while the runs are gathered; strategy is borrowed from the document. */
struct cell {
	const char *strategy;
	size_t strategy_rank;	/* order of the strategy's first appearance */
	json_int_t threads;
	json_int_t jobs;
	json_int_t nodes;	/* across nodes: how many copied at once; 0: one node alone */
	double *mb_s;		/* of complete runs */
	double *copied;		/* mb_s_copied of complete runs that have it */
	size_t n;
	size_t n_copied;
	size_t cap;
	size_t failed;
	size_t not_cold;
	bool short_run;
};

void cells_params_init(struct cells_params *p)
{
	p->tolerance = CELLS_TOLERANCE;
	p->level = CELLS_LEVEL;
}

/* Finished, without errors, and with a throughput: a measurement. */
static bool run_is_measurement(json_t *run)
{
	json_t *errors = json_object_get(run, "errors");

	return !json_is_true(json_object_get(run, "aborted")) &&
	       (!errors || json_array_size(errors) == 0) &&
	       json_get_has_num(run, "mb_s");
}

static bool run_is_cold(json_t *run)
{
	json_t *cold = json_object_get(run, "cold");

	/* A remote source has no page-cache residency here: it is not flagged either way. */
	return run_flag_remote(run) || (json_is_true(json_object_get(cold, "cold")) &&
					   json_get_has_num(cold, "residency_pct"));
}

static bool run_is_short(json_t *run)
{
	size_t i;
	json_t *w;

	json_array_foreach(json_object_get(run, "warnings"), i, w) {
		const char *s = json_string_value(w);

		if (s && strstr(s, "too short"))
			return true;
	}
	return false;
}

/* The rank of strategy among those seen so far, adding it when new. */
static size_t strategy_rank(const char ***names, size_t *nr, const char *strategy)
{
	for (size_t i = 0; i < *nr; i++)
		if (!strcmp((*names)[i], strategy))
			return i;
	*names = xrealloc(*names, (*nr + 1) * sizeof(**names));
	(*names)[*nr] = strategy;
	return (*nr)++;
}

static struct cell *find_cell(struct cell **cells, size_t *nr, const char *strategy, size_t rank,
			      json_int_t threads, json_int_t jobs, json_int_t nodes)
{
	struct cell *c;

	for (size_t i = 0; i < *nr; i++) {
		c = &(*cells)[i];
		if (c->threads == threads && c->jobs == jobs && c->nodes == nodes &&
		    !strcmp(c->strategy, strategy))
			return c;
	}
	*cells = xrealloc(*cells, (*nr + 1) * sizeof(**cells));
	c = &(*cells)[(*nr)++];
	memset(c, 0, sizeof(*c));
	c->strategy = strategy;
	c->strategy_rank = rank;
	c->threads = threads;
	c->jobs = jobs;
	c->nodes = nodes;
	return c;
}

static void cell_add(struct cell *c, json_t *run)
{
	json_t *copied = json_object_get(run, "mb_s_copied");

	if (!run_is_measurement(run)) {
		c->failed++;
		return;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->mb_s = xrealloc(c->mb_s, c->cap * sizeof(*c->mb_s));
		c->copied = xrealloc(c->copied, c->cap * sizeof(*c->copied));
	}
	c->mb_s[c->n++] = json_number_value(json_object_get(run, "mb_s"));
	if (json_is_number(copied))
		c->copied[c->n_copied++] = json_number_value(copied);
	if (!run_is_cold(run))
		c->not_cold++;
	if (run_is_short(run))
		c->short_run = true;
}

static int cmp_cell(const void *a, const void *b)
{
	const struct cell *x = a;
	const struct cell *y = b;

	if (x->strategy_rank != y->strategy_rank)
		return x->strategy_rank < y->strategy_rank ? -1 : 1;
	if (x->threads != y->threads)
		return x->threads < y->threads ? -1 : 1;
	if (x->jobs != y->jobs)
		return x->jobs < y->jobs ? -1 : 1;
	return (x->nodes > y->nodes) - (x->nodes < y->nodes);
}

static json_t *real_or_null(bool known, double v)
{
	return known ? json_real(v) : json_null();
}

static json_t *cell_json(const struct cell *c, const struct cells_params *p)
{
	const bool known = c->n > 0;
	struct summary s;
	struct median_ci ci = { 0 };
	json_t *o = json_object();
	json_t *flags = json_array();
	bool noisy = false;

	stats_summarize(c->mb_s, c->n, &s);
	if (known) {
		stats_median_ci(c->mb_s, c->n, p->level, &ci);
		noisy = s.cv > p->tolerance ||
			(s.median > 0 && (ci.high - ci.low) / 2 / s.median > p->tolerance);
	}
	json_object_set_new(o, "strategy", json_string(c->strategy));
	json_object_set_new(o, "threads", json_integer(c->threads));
	json_object_set_new(o, "jobs", json_integer(c->jobs));
	if (c->nodes)
		json_object_set_new(o, "nodes", json_integer(c->nodes));
	json_object_set_new(o, "runs", json_integer((json_int_t)c->n));
	json_object_set_new(o, "failed_runs", json_integer((json_int_t)c->failed));
	json_object_set_new(o, "median_mb_s", real_or_null(known, s.median));
	json_object_set_new(o, "min_mb_s", real_or_null(known, s.min));
	json_object_set_new(o, "max_mb_s", real_or_null(known, s.max));
	json_object_set_new(o, "mean_mb_s", real_or_null(known, s.mean));
	json_object_set_new(o, "stddev_mb_s", real_or_null(known, s.stddev));
	json_object_set_new(o, "cv", real_or_null(known, s.cv));
	json_object_set_new(o, "ci_low_mb_s", real_or_null(known, ci.low));
	json_object_set_new(o, "ci_high_mb_s", real_or_null(known, ci.high));
	json_object_set_new(o, "ci_level", json_real(p->level));
	json_object_set_new(o, "ci_coverage", real_or_null(known, ci.coverage));
	if (c->n_copied) {
		stats_summarize(c->copied, c->n_copied, &s);
		json_object_set_new(o, "median_mb_s_copied", json_real(s.median));
	} else {
		json_object_set_new(o, "median_mb_s_copied", json_null());
	}
	json_object_set_new(o, "not_cold_runs", json_integer((json_int_t)c->not_cold));
	if (noisy)
		json_array_append_new(flags, json_string("noisy"));
	if (c->not_cold)
		json_array_append_new(flags, json_string("not_cold"));
	if (c->n < CELLS_FEW_RUNS)
		json_array_append_new(flags, json_string("few_runs"));
	if (c->short_run)
		json_array_append_new(flags, json_string("short"));
	json_object_set_new(o, "flags", flags);
	return o;
}

json_t *cells_compute(json_t *doc, const struct cells_params *p)
{
	struct cells_params defaults;
	const char **names = NULL;
	size_t nr_names = 0;
	struct cell *cells = NULL;
	size_t nr = 0;
	json_t *out;
	json_t *run;
	size_t i;

	if (!p) {
		cells_params_init(&defaults);
		p = &defaults;
	}
	if (!(p->tolerance >= 0) || !(p->level > 0 && p->level < 1))
		return NULL;
	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		const char *strategy = json_string_value(json_object_get(run, "strategy"));
		json_t *threads = json_object_get(run, "threads");
		json_t *jobs = json_object_get(run, "jobs");
		json_t *nodes = json_object_get(run, "nodes");
		size_t rank;

		/* A warm-up, probe or confirmation run is not one of its cell's repeats. */
		if (!strategy || !json_is_integer(threads) || run_flag_role(run))
			continue;
		rank = strategy_rank(&names, &nr_names, strategy);
		cell_add(find_cell(&cells, &nr, strategy, rank, json_integer_value(threads),
				   json_is_integer(jobs) ? json_integer_value(jobs) : 1,
				   json_is_integer(nodes) ? json_integer_value(nodes) : 0),
			 run);
	}
	if (nr)
		qsort(cells, nr, sizeof(*cells), cmp_cell);
	out = json_array();
	for (i = 0; i < nr; i++) {
		json_array_append_new(out, cell_json(&cells[i], p));
		free(cells[i].mb_s);
		free(cells[i].copied);
	}
	free(cells);
	free(names);
	return out;
}

double cells_rel_spread(json_t *cell)
{
	json_t *median = json_object_get(cell, "median_mb_s");
	json_t *low = json_object_get(cell, "ci_low_mb_s");
	json_t *high = json_object_get(cell, "ci_high_mb_s");

	if (!json_is_number(median) || !json_is_number(low) || !json_is_number(high) ||
	    !(json_number_value(median) > 0))
		return INFINITY;
	return (json_number_value(high) - json_number_value(low)) / 2 / json_number_value(median);
}

struct need {
	json_t *cell;
	double spread;
};

static int cmp_need(const void *a, const void *b)
{
	const struct need *x = a;
	const struct need *y = b;

	/* widest first; INFINITY (unknown) before any number */
	return (x->spread < y->spread) - (x->spread > y->spread);
}

void cells_repeat_rule_init(struct cells_repeat_rule *r)
{
	r->target = CELLS_TOLERANCE / 2;
	r->tolerance = CELLS_TOLERANCE;
	r->min_runs = CELLS_MIN_RUNS;
	r->max_runs = CELLS_MAX_RUNS;
	r->default_strategy = NULL;
	r->default_threads = 0;
}

static bool same_group(json_t *a, json_t *b)
{
	return !strcmp(json_get_str(a, "strategy"), json_get_str(b, "strategy")) &&
	       json_integer_value(json_object_get(a, "jobs")) ==
		       json_integer_value(json_object_get(b, "jobs")) &&
	       json_integer_value(json_object_get(a, "nodes")) ==
		       json_integer_value(json_object_get(b, "nodes"));
}

/* The highest median among the cells of cell's strategy (and jobs); 0 when none is known. */
static double best_median(json_t *cells, json_t *cell)
{
	double best = 0;
	json_t *c;
	size_t i;

	json_array_foreach(cells, i, c)
		if (same_group(c, cell) && json_get_has_num(c, "median_mb_s") &&
		    json_get_num(c, "median_mb_s") > best)
			best = json_get_num(c, "median_mb_s");
	return best;
}

/*
 * Far below its strategy's best: even the top of its interval is under (1 - tolerance) x the
 * best median, so more runs cannot make it as good as the best. The default's cell never is.
 */
static bool far_below(json_t *cells, json_t *cell, const struct cells_repeat_rule *r)
{
	const char *strategy = json_get_str(cell, "strategy");
	double best;

	if (r->default_strategy && !strcmp(strategy, r->default_strategy) &&
	    json_integer_value(json_object_get(cell, "threads")) == r->default_threads)
		return false;
	if (!json_get_has_num(cell, "ci_high_mb_s"))
		return false;
	best = best_median(cells, cell);
	return best > 0 && json_get_num(cell, "ci_high_mb_s") < (1 - r->tolerance) * best;
}

/* Known well enough: within the target and the interval reaches its level. */
static bool settled(json_t *cell, double target)
{
	json_t *coverage = json_object_get(cell, "ci_coverage");

	return cells_rel_spread(cell) <= target && json_is_number(coverage) &&
	       json_number_value(coverage) >= json_get_num(cell, "ci_level");
}

json_t *cells_to_repeat(json_t *cells, const struct cells_repeat_rule *r,
			struct cells_repeat_counts *counts)
{
	const size_t n = json_array_size(cells);
	struct need *need = xmalloc((n ? n : 1) * sizeof(*need));
	struct cells_repeat_counts k = { 0 };
	size_t nr = 0;
	json_t *out = json_array();
	json_t *cell;
	size_t i;

	json_array_foreach(cells, i, cell) {
		const json_int_t done = json_integer_value(json_object_get(cell, "runs")) +
					json_integer_value(json_object_get(cell, "failed_runs"));
		bool more;

		if (done >= (json_int_t)r->max_runs) {
			k.capped++;
			continue;
		}
		if (done < (json_int_t)r->min_runs) {
			k.below_min++;
			more = true;
		} else if (far_below(cells, cell, r)) {
			k.far_below++;
			more = false;
		} else if (settled(cell, r->target)) {
			k.settled++;
			more = false;
		} else {
			k.deciding++;
			more = true;
		}
		if (more) {
			need[nr].cell = cell;
			need[nr].spread = cells_rel_spread(cell);
			nr++;
		}
	}
	/* insertion sort, stable: cells of equal spread keep their order (qsort's is unspecified)
	 */
	for (i = 1; i < nr; i++) {
		const struct need t = need[i];
		size_t j = i;

		while (j > 0 && cmp_need(&t, &need[j - 1]) < 0) {
			need[j] = need[j - 1];
			j--;
		}
		need[j] = t;
	}
	for (i = 0; i < nr; i++)
		json_array_append(out, need[i].cell);
	free(need);
	if (counts)
		*counts = k;
	return out;
}

/* A number of o, or NAN when it has none (null, absent). */
static double num_or_nan(json_t *o, const char *key)
{
	return json_get_has_num(o, key) ? json_get_num(o, key) : NAN;
}

/* a / b as JSON: null unless both are numbers and b is above 0. */
static json_t *quotient(double a, double b)
{
	return isfinite(a) && isfinite(b) && b > 0 ? json_real(a / b) : json_null();
}

json_t *cells_ratios(json_t *cells, const char *num, const char *den)
{
	json_t *out = json_array();
	json_t *a;
	size_t i;

	json_array_foreach(cells, i, a) {
		const json_int_t threads = json_integer_value(json_object_get(a, "threads"));
		const json_int_t jobs = json_integer_value(json_object_get(a, "jobs"));
		json_t *b = NULL;
		json_t *c;
		size_t j;
		double na, nb;

		if (strcmp(json_get_str(a, "strategy"), num))
			continue;
		json_array_foreach(cells, j, c) {
			if (!strcmp(json_get_str(c, "strategy"), den) &&
			    json_integer_value(json_object_get(c, "threads")) == threads &&
			    json_integer_value(json_object_get(c, "jobs")) == jobs &&
			    json_integer_value(json_object_get(c, "nodes")) ==
				    json_integer_value(json_object_get(a, "nodes"))) {
				b = c;
				break;
			}
		}
		na = num_or_nan(a, "median_mb_s");
		nb = num_or_nan(b, "median_mb_s");
		if (!b || !isfinite(na) || !isfinite(nb) || nb <= 0)
			continue;
		json_array_append_new(out, json_pack("{s:I, s:I, s:f, s:f, s:o, s:o, s:o}",
						     "threads", threads, "jobs", jobs,
						     "numerator_mb_s", na, "denominator_mb_s", nb,
						     "ratio", json_real(na / nb),
						     "ratio_low", quotient(num_or_nan(a, "ci_low_mb_s"),
									   num_or_nan(b, "ci_high_mb_s")),
						     "ratio_high", quotient(num_or_nan(a, "ci_high_mb_s"),
									    num_or_nan(b, "ci_low_mb_s"))));
	}
	return out;
}

json_t *cells_need_repeats(json_t *cells, double target, size_t max_runs)
{
	/* Every cell decides: no minimum, nothing is far below (1 - infinity is below any median). */
	const struct cells_repeat_rule r = {
		.target = target, .tolerance = INFINITY, .min_runs = 0, .max_runs = max_runs,
	};

	return cells_to_repeat(cells, &r, NULL);
}
