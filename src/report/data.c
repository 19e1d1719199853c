/* SPDX-License-Identifier: MIT */
/* data.c - what the renderings read besides results.json: cells, samples files, series drawn. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/cells.h"
#include "analysis/fioref.h"
#include "analysis/recommend.h"
#include "analysis/run_flags.h"
#include "analysis/warn_groups.h"
#include "lib/json_get.h"
#include "lib/safeopen.h"
#include "lib/text.h"
#include "lib/util.h"
#include "report/data.h"

json_int_t report_jobs(json_t *o)
{
	json_t *j = json_object_get(o, "jobs");

	return json_is_integer(j) ? json_integer_value(j) : 1;
}

double report_nice_step(double range, int n)
{
	double raw = range / n;
	double mag = pow(10, floor(log10(raw)));
	double r = raw / mag;

	return mag * (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10);
}

void report_threads_init(struct report_threads *t, json_t *cells)
{
	json_t *cell;
	size_t i;

	memset(t, 0, sizeof(*t));
	json_array_foreach(cells, i, cell) {
		long long v = json_get_int(cell, "threads");
		size_t k = 0;

		while (k < t->n && t->v[k] < v)
			k++;
		if ((k < t->n && t->v[k] == v) || t->n == REPORT_MAX_THREADS)
			continue;
		memmove(t->v + k + 1, t->v + k, (t->n - k) * sizeof(*t->v));
		t->v[k] = v;
		t->n++;
	}
	t->min = t->n ? (double)t->v[0] : 1;
	t->max = t->n ? (double)t->v[t->n - 1] : 1;
	t->log2 = t->n >= 3 && t->v[0] > 0 && t->v[t->n - 1] >= 4 * t->v[0];
}

json_int_t report_nodes(json_t *o)
{
	return json_integer_value(json_object_get(o, "nodes"));
}

bool report_same_series(json_t *a, json_t *b)
{
	return !strcmp(json_get_str(a, "strategy"), json_get_str(b, "strategy")) &&
	       report_jobs(a) == report_jobs(b) && report_nodes(a) == report_nodes(b);
}

static bool same_cell(json_t *a, json_t *b)
{
	return report_same_series(a, b) &&
	       json_integer_value(json_object_get(a, "threads")) ==
		       json_integer_value(json_object_get(b, "threads"));
}

json_t *report_cell_of(json_t *cells, json_t *run)
{
	json_t *cell;
	size_t i;

	if (run_flag_role(run))	/* a warm-up, probe or confirmation run: not counted in a cell */
		return NULL;
	json_array_foreach(cells, i, cell)
		if (same_cell(cell, run))
			return cell;
	return NULL;
}

bool report_fell_back(json_t *rec)
{
	json_t *conf = json_object_get(rec, "confirmation");

	return !strcmp(json_get_str(conf, "verdict"), "not_reproduced");
}

json_t *report_cell_find(json_t *cells, const char *strategy, json_int_t threads, json_t *like)
{
	json_t *cell;
	size_t i;

	json_array_foreach(cells, i, cell)
		if (!strcmp(json_get_str(cell, "strategy"), strategy) &&
		    json_integer_value(json_object_get(cell, "threads")) == threads &&
		    report_jobs(cell) == report_jobs(like) && report_nodes(cell) == report_nodes(like))
			return cell;
	return NULL;
}

size_t report_rec_rows(json_t *rec, json_t *cells, struct report_rec_row *rows, size_t max)
{
	json_t *secs = json_object_get(json_object_get(rec, "for"), "seconds");
	const char *key;
	json_t *v;
	json_t *cell;
	size_t i;
	size_t n = 0;

	json_object_foreach(secs, key, v) {
		char *end;
		long t = strtol(key, &end, 10);

		if (end == key || *end || n == max)
			continue;
		rows[n++] = (struct report_rec_row){
			t, report_cell_find(cells, recommend_strategy(rec), t, rec), v
		};
	}
	if (secs)
		return n;
	json_array_foreach(cells, i, cell)
		if (n < max && !strcmp(json_get_str(cell, "strategy"), recommend_strategy(rec)) &&
		    report_jobs(cell) == report_jobs(rec) && report_nodes(cell) == report_nodes(rec))
			rows[n++] = (struct report_rec_row){
				json_integer_value(json_object_get(cell, "threads")), cell, NULL
			};
	return n;
}

json_t *report_cells(json_t *doc)
{
	json_t *cells = json_object_get(doc, "cells");

	return json_is_array(cells) ? json_incref(cells) : cells_compute(doc, NULL);
}

/* ---- what every rendering reads the same way ---------------------------------------------- */

json_t *report_watch_sampler(json_t *doc)
{
	return json_object_get(json_object_get(doc, "watch"), "sampler");
}

json_t *report_busiest_mean(json_t *sampler, const char **dev)
{
	const char *name = json_string_value(json_object_get(sampler, "busiest_device"));

	if (dev)
		*dev = name;
	return json_object_get(json_object_get(json_object_get(sampler, "devices"),
					       name ? name : ""),
			       "mean");
}

json_t *report_run_groups(json_t *runs, const char *key)
{
	json_t *groups = json_array();
	json_t *run;
	size_t i;

	json_array_foreach(runs, i, run) {
		json_t *list = !strcmp(key, "findings")
				       ? json_object_get(json_object_get(run, "sampler"), "findings")
				       : json_object_get(run, key);

		warn_groups_add_all(groups, list, (long long)json_integer_value(json_object_get(run,
												  "seq")));
	}
	return groups;
}

char *report_group_text(json_t *group, const char *what, char *who, size_t len)
{
	const char *first = json_string_value(json_object_get(group, "first"));
	json_t *runs = json_object_get(group, "runs");

	warn_group_who(group, what, who, len);
	if (json_integer_value(json_object_get(group, "count")) < 2)
		return xstrdup(first);
	if (json_array_size(runs))
		return xasprintf("%s (run %lld's figures; results.json holds every run's)", first,
				 (long long)json_integer_value(json_array_get(runs, 0)));
	return xstrdup(first);
}

/* Each group of groups as one item, prefixed "16 runs (3-18)" and the like. */
static void group_items(json_t *groups, const char *what, FILE *f,
			void (*item)(FILE *f, const char *prefix, const char *msg))
{
	json_t *g;
	size_t i;

	json_array_foreach(groups, i, g) {
		char who[256];
		char *msg = report_group_text(g, what, who, sizeof(who));

		item(f, who[0] ? who : NULL, msg);
		free(msg);
	}
}

size_t report_warnings(json_t *doc, FILE *f,
		       void (*item)(FILE *f, const char *prefix, const char *msg))
{
	json_t *w;
	size_t i;
	json_t *ref_warnings = json_object_get(json_object_get(doc, "reference"), "warnings");
	json_t *cells = report_cells(doc);
	json_t *above = fioref_above_ceiling(doc, cells);
	json_t *errors = report_run_groups(json_object_get(doc, "runs"), "errors");
	json_t *warns = report_run_groups(json_object_get(doc, "runs"), "warnings");
	const size_t n = json_array_size(json_object_get(doc, "warnings")) +
			 json_array_size(json_object_get(report_watch_sampler(doc), "warnings")) +
			 json_array_size(ref_warnings) + json_array_size(above) +
			 json_array_size(errors) + json_array_size(warns);

	json_decref(cells);
	if (item) {
		json_array_foreach(json_object_get(doc, "warnings"), i, w)
			item(f, NULL, json_string_value(w) ? json_string_value(w) : "");
		/* fio's own (a short measurement), and the cells that beat its ceiling */
		json_array_foreach(ref_warnings, i, w)
			item(f, NULL, json_string_value(w) ? json_string_value(w) : "");
		json_array_foreach(above, i, w)
			item(f, NULL, json_string_value(w));
		json_array_foreach(json_object_get(report_watch_sampler(doc), "warnings"), i, w)
			item(f, "watch", json_string_value(w) ? json_string_value(w) : "");
		group_items(errors, " failed", f, item);
		group_items(warns, "", f, item);
	}
	json_decref(above);
	json_decref(errors);
	json_decref(warns);
	return n;
}

const char *report_flag_meaning(const char *flag, bool brief)
{
	static const struct {
		const char *flag, *brief, *full;
	} meanings[] = {
		{ "noisy", "runs spread more than the tolerance",
		  "the runs spread more than the tolerance: the median is uncertain" },
		{ "not_cold", "a run started partly in the page cache",
		  "a run started with the source partly in the page cache" },
		{ "few_runs", "fewer than 3 complete runs", "fewer than 3 complete runs" },
		{ "short", "a run was shorter than the minimum (--min-run)",
		  "a run was shorter than the minimum (--min-run): its time is mostly start-up and "
		  "timer noise; measure a larger set" },
	};

	for (size_t i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++)
		if (!strcmp(flag, meanings[i].flag))
			return brief ? meanings[i].brief : meanings[i].full;
	return NULL;
}

const char *report_noisy_cause(json_t *doc, json_t *cells)
{
	json_t *machine = json_object_get(json_object_get(doc, "diag"), "machine");
	json_t *cell;
	json_t *flag;
	size_t i, k;

	if (!json_is_true(json_object_get(machine, "free_page_reporting")))
		return NULL;
	json_array_foreach(cells, i, cell)
		json_array_foreach(json_object_get(cell, "flags"), k, flag)
			if (json_is_string(flag) && !strcmp(json_string_value(flag), "noisy"))
				return "this VM returns freed memory to its host (virtio-balloon free "
				       "page reporting), a likely cause of the noisy cells' spread: "
				       "memory the page cache or tmpfs takes after a drop may first "
				       "fault in the host, so runs can be bimodal; compare contenders "
				       "interleaved in one session with many runs";
	return NULL;
}

char *report_param_text(json_t *doc, const char *key, json_t *v)
{
	json_t *seed = json_object_get(json_object_get(doc, "sweep"), "seed");
	char *text;

	/* --seed 0 draws one from the clock; the sweep records the one it used */
	if (!strcmp(key, "seed") && json_is_integer(seed) && !json_equal(seed, v))
		return xasprintf("%lld (%s)", (long long)json_integer_value(seed),
				 json_is_integer(v) && !json_integer_value(v) ? "from the clock"
									 : "the one used");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(10));
	return text ? text : xstrdup("?");
}

/* ---- samples files ------------------------------------------------------------------------ */

/* "disk:vda:util" -> ["disk", "vda", "util"]; "t_s" -> ["time", "", "t_s"]. */
static json_t *csv_column(const char *name)
{
	const char *first = strchr(name, ':');
	const char *last = strrchr(name, ':');
	char *group;
	char *entity;
	json_t *col;

	if (!first)
		return json_pack("[s, s, s]", "time", "", name);
	group = strndup(name, (size_t)(first - name));
	entity = first == last ? xstrdup("") : strndup(first + 1, (size_t)(last - first - 1));
	if (!group || !entity)
		abort();
	col = json_pack("[s, s, s]", group, entity, last + 1);
	free(group);
	free(entity);
	return col;
}

/* The CSV form of a samples file (a header, then numbers; empty cells are null). */
static json_t *parse_samples_csv(char *text)
{
	json_t *doc = json_object();
	json_t *columns = json_array();
	json_t *rows = json_array();
	char *save = NULL;
	char *line;
	size_t nr = 0;

	json_object_set_new(doc, "columns", columns);
	json_object_set_new(doc, "rows", rows);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *row = json_array();

		/* A header cell holding a comma (a mount point's) is quoted (RFC 4180). */
		for (char *p = line; p;) {
			char *cell = text_csv_next(&p);

			if (!nr) {
				json_array_append_new(columns, csv_column(cell));
			} else {
				char *end;
				double d = strtod(cell, &end);

				json_array_append_new(row, end != cell && !*end && isfinite(d)
								   ? json_real(d) : json_null());
			}
		}
		if (nr && json_array_size(row) == json_array_size(columns))
			json_array_append(rows, row);
		json_decref(row);
		nr++;
	}
	return doc;
}

/*
 * A samples file, JSON or CSV, rel below the results folder dir, into *out; 0, or -errno with the
 * reason in why. Read as safe_read_file() reads: a symlink out of the folder is not followed, a
 * FIFO not waited on.
 */
static int load_samples_file(const char *dir, const char *rel, json_t **out, char *why,
			     size_t len)
{
	const size_t n = strlen(rel);
	json_t *doc = NULL;
	char *text = NULL;
	size_t size;
	int ret = safe_read_file(dir, rel, &text, &size, why, len);

	if (ret)
		return ret;
	if (n > 4 && !strcmp(rel + n - 4, ".csv")) {
		doc = parse_samples_csv(text);
	} else {
		json_error_t err;

		doc = json_loadb(text, size, 0, &err);
		if (!doc) {
			free(text);
			snprintf(why, len, "%s (line %d)", err.text, err.line);
			return -EINVAL;
		}
	}
	free(text);
	if (!json_is_array(json_object_get(doc, "columns")) ||
	    !json_is_array(json_object_get(doc, "rows"))) {
		json_decref(doc);
		return reject_why(why, len, "it has no columns and rows");
	}
	*out = doc;
	return 0;
}

/* The samples file an object's "sampler" names, into samples[key]; who: "run 3", "watch". */
static void load_one(json_t *samples, const char *key, const char *who, json_t *o,
		     const char *results_dir, json_t *notes)
{
	const char *rel = json_string_value(
		json_object_get(json_object_get(o, "sampler"), "samples_file"));
	char why[256];
	char *path;
	json_t *s = NULL;

	if (!rel)
		return;
	if (!safe_rel_path(rel)) {
		add_stringf(notes,
			    "%s: the samples file '%s' is outside the results folder; not read",
			    who, rel);
		return;
	}
	path = path_join(results_dir, rel);
	if (!load_samples_file(results_dir, rel, &s, why, sizeof(why)))
		json_object_set_new(samples, key, s);
	else
		add_stringf(notes, "%s: cannot read '%s': %s", who, path, why);
	free(path);
}

json_t *report_load_samples(json_t *doc, const char *results_dir, json_t *notes)
{
	json_t *samples = json_object();
	json_t *run;
	size_t i;

	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		long long seq = (long long)json_integer_value(json_object_get(run, "seq"));
		char key[32];
		char who[48];

		snprintf(key, sizeof(key), "%lld", seq);
		snprintf(who, sizeof(who), "run %lld", seq);
		load_one(samples, key, who, run, results_dir, notes);
	}
	load_one(samples, "watch", "watch", json_object_get(doc, "watch"), results_dir, notes);
	return samples;
}

/* ---- the series a report draws -------------------------------------------------------------- */

static int find_column(json_t *columns, const char *group, const char *entity, const char *field)
{
	json_t *col;
	size_t i;

	json_array_foreach(columns, i, col) {
		const char *g = json_string_value(json_array_get(col, 0));
		const char *e = json_string_value(json_array_get(col, 1));
		const char *f = json_string_value(json_array_get(col, 2));

		if (g && e && f && !strcmp(g, group) && !strcmp(e, entity) && !strcmp(f, field))
			return (int)i;
	}
	return -1;
}

/* Column c of every row, times scale; NAN for null. */
static double *column_values(json_t *rows, int c, double scale, size_t n)
{
	double *v = xmalloc(n * sizeof(double));

	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(json_array_get(rows, i), (size_t)c);

		v[i] = json_is_number(x) ? json_number_value(x) * scale : NAN;
	}
	return v;
}

static void add_line(struct report_line *lines, size_t *nr, json_t *samples, const char *group,
		     const char *entity, const char *field, double scale, const char *label)
{
	json_t *rows = json_object_get(samples, "rows");
	int c = find_column(json_object_get(samples, "columns"), group, entity, field);

	if (c < 0 || *nr == REPORT_LINES_MAX)
		return;
	snprintf(lines[*nr].label, sizeof(lines[*nr].label), "%s", label);
	lines[*nr].v = column_values(rows, c, scale, json_array_size(rows));
	(*nr)++;
}

static bool has_role(json_t *dev, const char *role)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(dev, "roles"), i, r)
		if (!strcmp(json_string_value(r) ? json_string_value(r) : "", role))
			return true;
	return false;
}

/* The disks the bytes went through: whole disks with a role, else the busiest device. */
static size_t pick_devices(json_t *smp, const char **names, size_t max)
{
	json_t *devices = json_object_get(smp, "devices");
	const char *busiest = json_string_value(json_object_get(smp, "busiest_device"));
	const char *name;
	json_t *dev;
	size_t n = 0;

	json_object_foreach(devices, name, dev)
		if (n < max && !strcmp(json_get_str(dev, "kind"), "disk") &&
		    json_array_size(json_object_get(dev, "roles")))
			names[n++] = name;
	if (!n && busiest && json_object_get(devices, busiest))
		names[n++] = busiest;
	return n;
}

int report_series_init(struct report_series *s, json_t *run, json_t *samples)
{
	json_t *smp = json_object_get(run, "sampler");
	json_t *rows = json_object_get(samples, "rows");
	json_t *columns = json_object_get(samples, "columns");
	const char *top = json_string_value(json_object_get(smp, "top_interface"));
	const char *devs[3];
	size_t nr_devs = pick_devices(smp, devs, 3);
	int tc = find_column(columns, "time", "", "t_s");
	char label[64];

	memset(s, 0, sizeof(*s));
	s->t_copied = NAN;
	if (tc < 0 || !json_array_size(rows))
		return -ENODATA;
	s->n = json_array_size(rows);
	s->t = column_values(rows, tc, 1, s->n);
	if (json_get_has_num(smp, "seconds") && json_get_has_num(run, "seconds_durable") &&
	    json_get_has_num(run, "seconds_copied")) {
		const double t = json_get_num(smp, "seconds") -
				 (json_get_num(run, "seconds_durable") -
				  json_get_num(run, "seconds_copied"));

		if (t >= 0)
			s->t_copied = t;
	}
	for (size_t i = 0; i < nr_devs; i++) {
		json_t *dev = json_object_get(json_object_get(smp, "devices"), devs[i]);
		bool src = has_role(dev, "source");
		bool dst = has_role(dev, "destination");

		/* iostat's kB are KiB; MB/s are 10^6 bytes, as everywhere in the report. */
		snprintf(label, sizeof(label), "%s read", devs[i]);
		if (src || !dst)
			add_line(s->mbs, &s->nr_mbs, samples, "disk", devs[i], "rkB/s", 1024 / 1e6,
				 label);
		snprintf(label, sizeof(label), "%s written", devs[i]);
		if (dst || !src)
			add_line(s->mbs, &s->nr_mbs, samples, "disk", devs[i], "wkB/s", 1024 / 1e6,
				 label);
		snprintf(label, sizeof(label), "%s %%util", devs[i]);
		add_line(s->pct, &s->nr_pct, samples, "disk", devs[i], "util", 1, label);
	}
	if (top) {
		snprintf(label, sizeof(label), "%s received", top);
		add_line(s->mbs, &s->nr_mbs, samples, "net", top, "rx_bytes_s", 1e-6, label);
	}
	add_line(s->pct, &s->nr_pct, samples, "cpu", "all", "busy", 1, "CPU busy");
	add_line(s->pct, &s->nr_pct, samples, "cpu", "all", "iowait", 1, "CPU iowait");
	if (!s->nr_mbs && !s->nr_pct) {
		report_series_release(s);
		return -ENODATA;
	}
	return 0;
}

double report_series_max_mbs(json_t *doc, json_t *samples)
{
	double max = 0;
	json_t *run;
	size_t i;

	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		struct report_series s;
		char key[32];

		snprintf(key, sizeof(key), "%lld", json_get_int(run, "seq"));
		if (report_series_init(&s, run, json_object_get(samples, key)))
			continue;
		for (size_t k = 0; k < s.nr_mbs; k++)
			for (size_t j = 0; j < s.n; j++)
				if (isfinite(s.mbs[k].v[j]))
					max = fmax(max, s.mbs[k].v[j]);
		report_series_release(&s);
	}
	return max;
}

void report_series_release(struct report_series *s)
{
	for (size_t i = 0; i < s->nr_mbs; i++)
		free(s->mbs[i].v);
	for (size_t i = 0; i < s->nr_pct; i++)
		free(s->pct[i].v);
	free(s->t);
	memset(s, 0, sizeof(*s));
}
