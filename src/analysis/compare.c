/* SPDX-License-Identifier: MIT */
/* compare.c - baseline vs current results, cell by cell, noise-aware (report/ renders them). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "analysis/run_flags.h"
#include "analysis/stats.h"
#include "lib/util.h"

/* What may explain a change without being a change of hardware: listed, never refused. */
static const char *const environment_keys[] = {
	"host.kernel", "host.hostname", "host.mem_bytes",
	"source.path", "source.fs_type", "source.mount_source", "source.mount_options",
	"source.devices", "source.files", "source.bytes",
	"destination.path", "destination.fs_type", "destination.mount_source",
	"destination.mount_options", "destination.devices",
	"tool.version", "tool.features",
	NULL
};

/*
 * Other hardware: a baseline from it is refused (unless --force). Every results document records
 * its host: one that does not (absent or null) is from unknown hardware, refused alike.
 */
static const char *const host_hardware_keys[] = {
	"host.cpu_model", "host.cores", "host.machine",
	NULL
};

/* Hardware that diag records when it can: compared only when both documents have it. */
static const char *const diag_hardware_keys[] = {
	"source.device_models", "destination.device_models", "host.nics",
	NULL
};

void compare_params_init(struct compare_params *p)
{
	p->tolerance = COMPARE_TOLERANCE;
	p->alpha = COMPARE_ALPHA;
	p->min_runs = COMPARE_MIN_RUNS;
}

/* doc's value at a dotted path ("host.kernel"), or NULL. */
static json_t *get_path(json_t *doc, const char *path)
{
	char *copy = xstrdup(path);
	char *save = NULL;
	json_t *v = doc;

	for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	free(copy);
	return v;
}

static json_t *diff_entry(const char *key, json_t *a, json_t *b)
{
	return json_pack("{s:s, s:O, s:O}", "key", key, "baseline", a ? a : json_null(), "current",
			 b ? b : json_null());
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, distinct strings of a, as a new array. */
static json_t *sorted_unique(json_t *a)
{
	json_t *out = json_array();
	size_t n = json_array_size(a);
	const char **v = xcalloc(n ? n : 1, sizeof(*v));
	size_t i;
	json_t *e;

	json_array_foreach(a, i, e)
		v[i] = json_string_value(e);
	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		if (!i || strcmp(v[i], v[i - 1]))
			json_array_append_new(out, json_string(v[i]));
	free(v);
	return out;
}

/* The models of the block devices diag found behind role's path ("source", "destination"). */
static json_t *device_models(json_t *diag, const char *role)
{
	json_t *models = json_array();
	json_t *loc;
	json_t *dev;
	json_t *out;
	size_t i, j;

	json_array_foreach(json_object_get(diag, "locations"), i, loc) {
		if (strcmp(json_string_value(json_object_get(loc, "role")) ?: "", role))
			continue;
		json_array_foreach(json_object_get(diag, "block_devices"), j, dev) {
			const char *name = json_string_value(json_object_get(dev, "name"));
			const char *model = json_string_value(json_object_get(dev, "model"));
			json_t *d;
			size_t k;

			json_array_foreach(json_object_get(loc, "devices"), k, d)
				if (model && name && !strcmp(json_string_value(d) ?: "", name))
					json_array_append_new(models, json_string(model));
		}
	}
	out = sorted_unique(models);
	json_decref(models);
	return out;
}

/* Drivers of interfaces that come and go with containers and tunnels, not with the hardware. */
static const char *const virtual_drivers[] = {
	"veth", "bridge", "tun", "dummy", "ifb", "vxlan", "macvlan", "ipvlan", "wireguard",
	"openvswitch", "geneve", "vrf", NULL
};

/* "driver speed" of every interface that is up, with a driver that is not a virtual one. */
static json_t *nics(json_t *diag)
{
	json_t *all = json_array();
	json_t *nic;
	json_t *out;
	size_t i;

	json_array_foreach(json_object_get(diag, "interfaces"), i, nic) {
		const char *driver = json_string_value(json_object_get(nic, "driver"));
		json_t *speed = json_object_get(nic, "speed_mbps");

		bool virt = false;

		if (!driver || strcmp(json_string_value(json_object_get(nic, "operstate")) ?: "", "up"))
			continue;
		for (const char *const *v = virtual_drivers; *v; v++)
			virt |= !strcmp(driver, *v);
		if (virt)
			continue;
		if (json_is_integer(speed))
			add_stringf(all, "%s %lld Mb/s", driver, (long long)json_integer_value(speed));
		else
			add_stringf(all, "%s", driver);
	}
	out = sorted_unique(all);
	json_decref(all);
	return out;
}

/*
 * Hardware facts that results.json keeps inside diag, under the keys compare checks: the models
 * of the devices behind SRC and DST, and the drivers and link speeds of the interfaces that are
 * up (names differ between identical nodes; models and speeds do not). Empty lists are left out.
 */
static json_t *diag_hardware(json_t *doc)
{
	json_t *diag = json_object_get(doc, "diag");
	json_t *out = json_object();

	if (!json_is_object(diag))
		return out;
	json_object_set_new(out, "source.device_models", device_models(diag, "source"));
	json_object_set_new(out, "destination.device_models", device_models(diag, "destination"));
	json_object_set_new(out, "host.nics", nics(diag));
	{
		const char *k;
		json_t *v;
		void *tmp;

		json_object_foreach_safe(out, tmp, k, v)
			if (!json_array_size(v))
				json_object_del(out, k);
	}
	return out;
}

enum diff_mode {
	DIFF_ANY,	/* a key on one side only is a difference */
	DIFF_BOTH,	/* a key on one side only is skipped */
	DIFF_KNOWN,	/* a key absent or null on either side (or both) is a difference: unknown */
};

/* Append to out the keys differing between base and cur; a key absent from a document is
 * looked up in its derived facts (NULL: none). */
static void differences(json_t *out, json_t *base, json_t *cur, const char *const *keys,
			enum diff_mode mode, json_t *base_facts, json_t *cur_facts)
{
	for (const char *const *k = keys; *k; k++) {
		json_t *a = get_path(base, *k) ?: json_object_get(base_facts, *k);
		json_t *b = get_path(cur, *k) ?: json_object_get(cur_facts, *k);

		if (mode == DIFF_KNOWN) {
			if (json_is_null(a))
				a = NULL;
			if (json_is_null(b))
				b = NULL;
			if (!a || !b) {
				json_array_append_new(out, diff_entry(*k, a, b));
				continue;
			}
		}
		if (!a && !b)
			continue;
		if (mode == DIFF_BOTH && (!a || !b))
			continue;
		if (a && b && json_equal(a, b))
			continue;
		json_array_append_new(out, diff_entry(*k, a, b));
	}
}

/* Parameters of the measurement that differ (the union of both echoes' keys). */
static void param_differences(json_t *base, json_t *cur, json_t *out)
{
	json_t *pa = json_object_get(base, "params");
	json_t *pb = json_object_get(cur, "params");
	const char *k;
	json_t *v;
	char key[128];

	json_object_foreach(pa, k, v) {
		json_t *w = json_object_get(pb, k);

		if (!w || !json_equal(v, w)) {
			snprintf(key, sizeof(key), "params.%s", k);
			json_array_append_new(out, diff_entry(key, v, w));
		}
	}
	json_object_foreach(pb, k, v) {
		if (!json_object_get(pa, k)) {
			snprintf(key, sizeof(key), "params.%s", k);
			json_array_append_new(out, diff_entry(key, NULL, v));
		}
	}
}

/* The runs of one cell on one side. */
struct side {
	double *mb_s;
	size_t n;
	size_t failed;
	size_t not_cold;	/* of the n: flagged not cold (run_flags.h) */
};

static long run_jobs(json_t *run)
{
	json_t *j = json_object_get(run, "jobs");

	return json_is_integer(j) ? (long)json_integer_value(j) : 1;
}

static bool same_cell(json_t *run, const char *strategy, long threads, long jobs)
{
	const char *s = json_string_value(json_object_get(run, "strategy"));
	json_t *t = json_object_get(run, "threads");

	/* A warm-up, probe or confirmation run (a "role") is not one of the cell's repeats. */
	return s && !strcmp(s, strategy) && json_is_integer(t) && !run_flag_role(run) &&
	       json_integer_value(t) == threads && run_jobs(run) == jobs;
}

static void side_collect(json_t *doc, const char *strategy, long threads, long jobs,
			 struct side *s)
{
	json_t *runs = json_object_get(doc, "runs");
	json_t *run;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->mb_s = xcalloc(json_array_size(runs) + 1, sizeof(double));
	json_array_foreach(runs, i, run) {
		json_t *m = json_object_get(run, "mb_s");

		if (!same_cell(run, strategy, threads, jobs))
			continue;
		if (json_is_true(json_object_get(run, "aborted")) ||
		    json_array_size(json_object_get(run, "errors")) || !json_is_number(m)) {
			s->failed++;
			continue;
		}
		s->mb_s[s->n++] = json_number_value(m);
		if (run_flag_not_cold(run))
			s->not_cold++;
	}
}

static double side_median(const struct side *s)
{
	struct summary sum;

	stats_summarize(s->mb_s, s->n, &sum);
	return sum.median;
}

static json_t *side_json(const struct side *s)
{
	return json_pack("{s:I, s:I, s:I, s:o}", "runs", (json_int_t)s->n, "failed_runs",
			 (json_int_t)s->failed, "not_cold_runs", (json_int_t)s->not_cold,
			 "median_mb_s", s->n ? json_real(side_median(s)) : json_null());
}

/* Is (strategy, threads, jobs) already in cells? */
static bool have_cell(json_t *cells, const char *strategy, long threads, long jobs)
{
	json_t *c;
	size_t i;

	json_array_foreach(cells, i, c)
		if (same_cell(c, strategy, threads, jobs))
			return true;
	return false;
}

/* The change of median ma to mb as text: "+3.1 %", or why there is no percentage. */
static void change_text(char *buf, size_t len, double ma, double mb)
{
	if (ma > 0)
		snprintf(buf, len, "%+.1f %%", (mb - ma) / ma * 100.0);
	else if (mb == ma)
		snprintf(buf, len, "no change, both 0");
	else
		snprintf(buf, len, "n/a: the baseline median is 0");
}

/* The verdict of two cells with at least min_runs runs each, by the test and the tolerance. */
static const char *judge_runs(const struct side *a, const struct side *b,
			      const struct compare_params *p, json_t *cell, char **reason)
{
	const double ma = side_median(a);
	const double mb = side_median(b);
	struct mann_whitney mw;
	char change[64];

	stats_mann_whitney(b->mb_s, b->n, a->mb_s, a->n, &mw);
	json_object_set_new(cell, "p_value", json_real(mw.p));
	json_object_set_new(cell, "u", json_real(mw.u));
	json_object_set_new(cell, "exact", json_boolean(mw.exact));
	change_text(change, sizeof(change), ma, mb);
	if (mw.p >= p->alpha && ma > 0 && fabs((mb - ma) / ma) >= p->tolerance) {
		/* a change as large as this, and still not significant: the runs are noise */
		*reason = xasprintf("median %.0f -> %.0f MB/s (%+.0f %%), p %.2g: too noisy to "
				    "judge, raise --repeats (%zu and %zu runs)", ma, mb,
				    (mb - ma) / ma * 100, mw.p, a->n, b->n);
		return "noisy";
	}
	if (mw.p >= p->alpha) {
		*reason = xasprintf("median %.0f -> %.0f MB/s (%s), but p = %.3g is not below %.3g: "
				    "within the noise", ma, mb, change, mw.p, p->alpha);
		return "same";
	}
	/* Equal medians (0 and 0 too) differ by no percentage: within any tolerance. */
	if (mb == ma || (ma > 0 && fabs((mb - ma) / ma) < p->tolerance)) {
		*reason = xasprintf("median %.0f -> %.0f MB/s (%s, p = %.3g): a real but smaller "
				    "change than the tolerance of %.1f %%", ma, mb, change, mw.p,
				    p->tolerance * 100);
		return "same";
	}
	*reason = xasprintf("median %.0f -> %.0f MB/s (%s), p = %.3g over %zu and %zu runs", ma,
			    mb, change, mw.p, a->n, b->n);
	return mb < ma ? "slower" : "faster";
}

static json_t *judge_cell(json_t *base, json_t *cur, const char *strategy, long threads,
			  long jobs, const struct compare_params *p)
{
	struct side a;
	struct side b;
	json_t *cell;
	const char *verdict;
	char *reason;
	double ma = 0, mb = 0;

	side_collect(base, strategy, threads, jobs, &a);
	side_collect(cur, strategy, threads, jobs, &b);
	cell = json_pack("{s:s, s:I, s:I}", "strategy", strategy, "threads", (json_int_t)threads,
			 "jobs", (json_int_t)jobs);
	json_object_set_new(cell, "baseline", side_json(&a));
	json_object_set_new(cell, "current", side_json(&b));
	if (a.n)
		ma = side_median(&a);
	if (b.n)
		mb = side_median(&b);
	json_object_set_new(cell, "change_pct",
			    a.n && b.n && ma > 0 ? json_real((mb - ma) / ma * 100.0) : json_null());
	json_object_set_new(cell, "p_value", json_null());
	json_object_set_new(cell, "u", json_null());
	json_object_set_new(cell, "exact", json_null());

	if (a.n + a.failed == 0) {
		verdict = "new";
		reason = xasprintf("only the current results have this cell");
	} else if (b.n + b.failed == 0) {
		verdict = "missing";
		reason = xasprintf("the current results do not have this cell");
	} else if (a.n < p->min_runs || b.n < p->min_runs) {
		verdict = "insufficient";
		reason = xasprintf("%zu complete runs in the baseline and %zu in the current results; "
				   "a verdict needs at least %zu on each side", a.n, b.n, p->min_runs);
	} else {
		verdict = judge_runs(&a, &b, p, cell, &reason);
	}
	/* Flagged, as everywhere a run that was not cold is shown: it may have measured memory. */
	json_object_set_new(cell, "not_cold", json_boolean(a.not_cold || b.not_cold));
	if (a.not_cold || b.not_cold) {
		char *flagged = xasprintf("%s; not cold: %zu baseline and %zu current runs started "
					  "with the source in the page cache (or its residency "
					  "unknown), so this may compare memory, not storage", reason,
					  a.not_cold, b.not_cold);

		free(reason);
		reason = flagged;
	}
	json_object_set_new(cell, "verdict", json_string(verdict));
	json_object_set_new(cell, "reason", json_string(reason));
	free(reason);
	free(a.mb_s);
	free(b.mb_s);
	return cell;
}

/* Add every cell of doc's runs not yet in cells. */
static void add_cells(json_t *cells, json_t *doc, json_t *base, json_t *cur,
		      const struct compare_params *p)
{
	json_t *run;
	size_t i;

	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		const char *s = json_string_value(json_object_get(run, "strategy"));
		json_t *t = json_object_get(run, "threads");

		if (!s || !json_is_integer(t) || run_flag_role(run))
			continue;
		if (have_cell(cells, s, (long)json_integer_value(t), run_jobs(run)))
			continue;
		json_array_append_new(cells, judge_cell(base, cur, s, (long)json_integer_value(t),
							run_jobs(run), p));
	}
}

/* The strategies a document's parameters list, in their order, appended to order (no repeats). */
static void listed_strategies(json_t *doc, json_t *order)
{
	const char *keys[] = { "strategies", "strategy" };

	for (size_t k = 0; k < 2; k++) {
		const char *list = json_string_value(json_object_get(json_object_get(doc, "params"),
								     keys[k]));
		char *copy = xstrdup(list ? list : "");
		char *save = NULL;

		for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
			json_t *e;
			size_t i;
			bool seen = false;

			json_array_foreach(order, i, e)
				seen |= !strcmp(json_string_value(e), s);
			if (!seen)
				json_array_append_new(order, json_string(s));
		}
		free(copy);
	}
}

/* Where a strategy comes in order; one not listed comes after every listed one. */
static size_t strategy_rank(json_t *order, const char *strategy)
{
	json_t *e;
	size_t i;

	json_array_foreach(order, i, e)
		if (!strcmp(json_string_value(e), strategy))
			return i;
	return json_array_size(order);
}

static int cmp_cells(const void *a, const void *b, void *order)
{
	json_t *x = *(json_t *const *)a;
	json_t *y = *(json_t *const *)b;
	const char *sx = json_string_value(json_object_get(x, "strategy"));
	const char *sy = json_string_value(json_object_get(y, "strategy"));
	const size_t rx = strategy_rank(order, sx);
	const size_t ry = strategy_rank(order, sy);
	const json_int_t tx = json_integer_value(json_object_get(x, "threads"));
	const json_int_t ty = json_integer_value(json_object_get(y, "threads"));
	const json_int_t jx = json_integer_value(json_object_get(x, "jobs"));
	const json_int_t jy = json_integer_value(json_object_get(y, "jobs"));

	if (rx != ry)
		return rx < ry ? -1 : 1;
	if (strcmp(sx, sy))
		return strcmp(sx, sy);
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return (jx > jy) - (jx < jy);
}

/*
 * Cells in strategy and thread order, whatever order the runs came in (a sweep shuffles them):
 * the strategies in the order the baseline's parameters list them, then the current's, then the
 * others by name; within a strategy by threads, then jobs.
 */
static void sort_cells(json_t *cells, json_t *base, json_t *cur)
{
	const size_t n = json_array_size(cells);
	json_t **v = xcalloc(n ? n : 1, sizeof(*v));
	json_t *order = json_array();

	listed_strategies(base, order);
	listed_strategies(cur, order);
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(cells, i));
	qsort_r(v, n, sizeof(*v), cmp_cells, order);
	json_array_clear(cells);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(cells, v[i]);
	free(v);
	json_decref(order);
}

/* side.seconds: how long the runs of cell took in doc (seconds_durable, every run of it). */
static void cell_seconds(json_t *doc, json_t *side, json_t *cell)
{
	const char *strategy = json_string_value(json_object_get(cell, "strategy"));
	const long threads = (long)json_integer_value(json_object_get(cell, "threads"));
	const long jobs = (long)json_integer_value(json_object_get(cell, "jobs"));
	double seconds = 0;
	json_t *run;
	size_t i;

	json_array_foreach(json_object_get(doc, "runs"), i, run)
		if (same_cell(run, strategy, threads, jobs))
			seconds += json_number_value(json_object_get(run, "seconds_durable"));
	json_object_set_new(side, "seconds", json_real(seconds));
}

static int schema_version(json_t *doc, const char *name, char *why, size_t len)
{
	const char *s = json_string_value(json_object_get(doc, "schema"));
	long v;

	if (!json_is_object(doc) || !s || strncmp(s, "cryocache-bench/", 16) ||
	    parse_long(s + 16, 1, 1000, &v)) {
		snprintf(why, len, "the %s is not a cryocache-bench results document (schema %s)",
			 name, s ? s : "missing");
		return -1;
	}
	if (!json_is_array(json_object_get(doc, "runs"))) {
		snprintf(why, len, "the %s has no runs", name);
		return -1;
	}
	return (int)v;
}

json_t *compare_docs(json_t *base, json_t *cur, const struct compare_params *p, char *why,
		     size_t len)
{
	const char *const verdicts[] = { "faster", "same", "slower", "noisy", "insufficient",
					 "missing", "new" };
	json_t *out;
	json_t *cells;
	json_t *env;
	json_t *counts;
	json_t *hardware;
	json_t *base_hw;
	json_t *cur_hw;
	json_t *c;
	size_t i;
	int va, vb;

	if (!(p->tolerance >= 0) || !(p->alpha > 0 && p->alpha < 1) || p->min_runs < 1) {
		snprintf(why, len, "invalid parameters");
		return NULL;
	}
	va = schema_version(base, "baseline", why, len);
	if (va < 0)
		return NULL;
	vb = schema_version(cur, "current results", why, len);
	if (vb < 0)
		return NULL;
	if (va != vb) {
		snprintf(why, len, "different schema versions: the baseline is %s and the current "
			 "results are %s; run the baseline again with this version",
			 json_string_value(json_object_get(base, "schema")),
			 json_string_value(json_object_get(cur, "schema")));
		return NULL;
	}

	cells = json_array();
	add_cells(cells, base, base, cur, p);
	add_cells(cells, cur, base, cur, p);
	sort_cells(cells, base, cur);
	json_array_foreach(cells, i, c) {
		cell_seconds(base, json_object_get(c, "baseline"), c);
		cell_seconds(cur, json_object_get(c, "current"), c);
	}
	env = json_array();
	differences(env, base, cur, environment_keys, DIFF_ANY, NULL, NULL);
	base_hw = diag_hardware(base);
	cur_hw = diag_hardware(cur);
	hardware = json_array();
	differences(hardware, base, cur, host_hardware_keys, DIFF_KNOWN, NULL, NULL);
	differences(hardware, base, cur, diag_hardware_keys, DIFF_BOTH, base_hw, cur_hw);
	json_decref(base_hw);
	json_decref(cur_hw);
	param_differences(base, cur, env);
	counts = json_object();
	for (size_t k = 0; k < sizeof(verdicts) / sizeof(verdicts[0]); k++)
		json_object_set_new(counts, verdicts[k], json_integer(0));
	json_array_foreach(cells, i, c) {
		const char *v = json_string_value(json_object_get(c, "verdict"));

		json_object_set_new(counts, v, json_integer(json_integer_value(
						       json_object_get(counts, v)) + 1));
	}
	out = json_pack("{s:s, s:f, s:f, s:I, s:s, s:o, s:o, s:o, s:o}", "schema", COMPARE_SCHEMA,
			"tolerance", p->tolerance, "alpha", p->alpha, "min_runs",
			(json_int_t)p->min_runs, "test", "mann-whitney-u", "cells", cells,
			"environment", env, "hardware", hardware, "counts", counts);
	json_object_set_new(out, "regression",
			    json_boolean(json_integer_value(json_object_get(counts, "slower")) > 0));
	return out;
}

/* x rounded to decimals places (negative: to tens, hundreds...). */
static double round_to(double x, int decimals)
{
	const double scale = pow(10, decimals);

	return isfinite(x) ? round(x * scale) / scale : x;
}

/* x to digits significant digits. */
static double round_significant(double x, int digits)
{
	if (x == 0 || !isfinite(x))
		return x;
	return round_to(x, digits - 1 - (int)floor(log10(fabs(x))));
}

/* A real under key, rounded to what it means. */
static double round_for(const char *key, double x)
{
	const size_t len = key ? strlen(key) : 0;

	if (len >= 4 && !strcmp(key + len - 4, "mb_s"))
		return round_to(x, 1);		/* MB/s: a tenth is below any noise */
	if (key && !strcmp(key, "change_pct"))
		return round_to(x, 2);
	if (key && (!strcmp(key, "u") || !strcmp(key, "seconds")))
		return round_to(x, 3);
	return round_significant(x, 4);	/* p values, tolerance, alpha, anything else */
}

static json_t *rounded(json_t *v, const char *key)
{
	json_t *out;
	json_t *e;
	const char *k;
	size_t i;

	if (json_is_real(v))
		return json_real(round_for(key, json_real_value(v)));
	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach(v, k, e)
			json_object_set_new(out, k, rounded(e, k));
		return out;
	}
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, e)
			json_array_append_new(out, rounded(e, key));
		return out;
	}
	return json_incref(v);
}

json_t *compare_rounded(json_t *cmp)
{
	return rounded(cmp, NULL);
}
