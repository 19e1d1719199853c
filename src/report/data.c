/*
 * report_files.c - the report files of a results folder (report.md, report.html, results.csv,
 * plots), and what their renderings share: cells, the runs' samples files, the series drawn.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/cells.h"
#include "report/plot.h"
#include "analysis/recommend.h"
#include "report/report.h"
#include "lib/json_get.h"
#include "lib/util.h"

json_int_t report_jobs(json_t *o)
{
	json_t *j = json_object_get(o, "jobs");

	return json_is_integer(j) ? json_integer_value(j) : 1;
}

static bool same_cell(json_t *a, json_t *b)
{
	return !strcmp(json_get_str(a, "strategy"), json_get_str(b, "strategy")) &&
	       json_integer_value(json_object_get(a, "threads")) ==
		       json_integer_value(json_object_get(b, "threads")) &&
	       report_jobs(a) == report_jobs(b);
}

json_t *report_cell_of(json_t *cells, json_t *run)
{
	json_t *cell;
	size_t i;

	json_array_foreach(cells, i, cell)
		if (same_cell(cell, run))
			return cell;
	return NULL;
}

json_t *report_cell_find(json_t *cells, const char *strategy, json_int_t threads, json_int_t jobs)
{
	json_t *cell;
	size_t i;

	json_array_foreach(cells, i, cell)
		if (!strcmp(json_get_str(cell, "strategy"), strategy) &&
		    json_integer_value(json_object_get(cell, "threads")) == threads &&
		    report_jobs(cell) == jobs)
			return cell;
	return NULL;
}

size_t report_rec_rows(json_t *rec, json_t *cells, struct report_rec_row *rows, size_t max)
{
	json_t *secs = json_object_get(json_object_get(rec, "for"), "seconds");
	const json_int_t jobs = report_jobs(rec);
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
			t, report_cell_find(cells, RECOMMEND_STRATEGY, t, jobs), v
		};
	}
	if (secs)
		return n;
	json_array_foreach(cells, i, cell)
		if (n < max && !strcmp(json_get_str(cell, "strategy"), RECOMMEND_STRATEGY) &&
		    report_jobs(cell) == jobs)
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

/* ---- what every rendering reads or writes the same way ------------------------------------ */

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

size_t report_warnings(json_t *doc, FILE *f,
		       void (*item)(FILE *f, const char *prefix, const char *msg))
{
	json_t *w;
	json_t *run;
	size_t i, j;
	size_t n = json_array_size(json_object_get(doc, "warnings")) +
		   json_array_size(json_object_get(report_watch_sampler(doc), "warnings"));
	char prefix[64];

	json_array_foreach(json_object_get(doc, "runs"), i, run)
		n += json_array_size(json_object_get(run, "warnings")) +
		     json_array_size(json_object_get(run, "errors"));
	if (!item)
		return n;
	json_array_foreach(json_object_get(doc, "warnings"), i, w)
		item(f, NULL, json_string_value(w) ? json_string_value(w) : "");
	json_array_foreach(json_object_get(report_watch_sampler(doc), "warnings"), i, w)
		item(f, "watch", json_string_value(w) ? json_string_value(w) : "");
	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		const long long seq = (long long)json_integer_value(json_object_get(run, "seq"));

		json_array_foreach(json_object_get(run, "errors"), j, w) {
			snprintf(prefix, sizeof(prefix), "run %lld failed", seq);
			item(f, prefix, json_string_value(w) ? json_string_value(w) : "");
		}
		json_array_foreach(json_object_get(run, "warnings"), j, w) {
			snprintf(prefix, sizeof(prefix), "run %lld", seq);
			item(f, prefix, json_string_value(w) ? json_string_value(w) : "");
		}
	}
	return n;
}

void report_put_strings(FILE *f, json_t *array, void (*put)(FILE *f, const char *s))
{
	json_t *s;
	size_t i;

	json_array_foreach(array, i, s) {
		fputs(i ? ", " : "", f);
		put(f, json_string_value(s) ? json_string_value(s) : "");
	}
}

void report_put_location(FILE *f, json_t *v, void (*put)(FILE *f, const char *s),
			 const char *none, const char *missing)
{
	if (json_is_string(v)) {
		put(f, json_string_value(v));
	} else if (json_is_array(v)) {
		report_put_strings(f, v, put);
		if (!json_array_size(v))
			fputs(none, f);
	} else if (json_is_integer(v)) {
		fprintf(f, "%.1f GB", (double)json_integer_value(v) / 1e9);
	} else {
		fputs(missing, f);
	}
}

void report_put_size_range(FILE *f, json_t *bucket)
{
	json_t *max = json_object_get(bucket, "max_bytes");

	fprintf(f, "%.0f", json_number_value(json_object_get(bucket, "min_bytes")) / 1048576);
	if (json_is_number(max))
		fprintf(f, "–%.0f MiB", json_number_value(max) / 1048576);
	else
		fputs(" MiB or more", f);
}

void report_put_num(FILE *f, json_t *v, int decimals, const char *missing)
{
	if (json_is_number(v))
		fprintf(f, "%.*f", decimals, json_number_value(v));
	else
		fputs(missing, f);
}

void report_put_interval(FILE *f, json_t *cell, const char *missing)
{
	json_t *cov = json_object_get(cell, "ci_coverage");

	if (!json_is_number(json_object_get(cell, "ci_low_mb_s"))) {
		fputs(missing, f);
		return;
	}
	report_put_num(f, json_object_get(cell, "ci_low_mb_s"), 1, missing);
	fputs("–", f);
	report_put_num(f, json_object_get(cell, "ci_high_mb_s"), 1, missing);
	if (json_is_number(cov))
		fprintf(f, " (%.0f %%)", 100 * json_number_value(cov));
}

void report_put_duration(FILE *f, json_t *seconds, const char *missing)
{
	const double s = json_number_value(seconds);

	if (!json_is_number(seconds))
		fputs(missing, f);
	else if (s < 120)
		fprintf(f, "%.1f s", s);
	else if (s < 7200)
		fprintf(f, "%.0f min %02.0f s", floor(s / 60), fmod(s, 60));
	else
		fprintf(f, "%.0f h %02.0f min", floor(s / 3600), fmod(s, 3600) / 60);
}

char *report_param_text(json_t *v)
{
	char *text;

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(10));
	return text ? text : xstrdup("?");
}

/* ---- samples files ------------------------------------------------------------------------ */

/* A relative path that stays inside the results folder (results.json may come from elsewhere). */
static bool path_is_inside(const char *rel)
{
	const char *p = rel;

	if (!*rel || *rel == '/')
		return false;
	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += len;
		p += *p == '/';
	}
	return true;
}

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
		char *p = line;

		for (;;) {
			size_t len = strcspn(p, ",\r");
			char saved = p[len];

			p[len] = '\0';
			if (!nr) {
				json_array_append_new(columns, csv_column(p));
			} else {
				char *end;
				double d = strtod(p, &end);

				json_array_append_new(row, end != p && !*end && isfinite(d)
								   ? json_real(d) : json_null());
			}
			if (saved != ',')
				break;
			p += len + 1;
		}
		if (nr && json_array_size(row) == json_array_size(columns))
			json_array_append(rows, row);
		json_decref(row);
		nr++;
	}
	return doc;
}

static json_t *load_samples_file(const char *path, char **why)
{
	size_t len = strlen(path);
	json_t *doc = NULL;

	if (len > 4 && !strcmp(path + len - 4, ".csv")) {
		char *text = NULL;
		size_t n;
		int ret = read_text_file(path, &text, &n);

		if (ret) {
			*why = xasprintf("%s", strerror(-ret));
			return NULL;
		}
		doc = parse_samples_csv(text);
		free(text);
	} else {
		json_error_t err;

		doc = json_load_file(path, 0, &err);
		if (!doc) {
			*why = xasprintf("%s (line %d)", err.text, err.line);
			return NULL;
		}
	}
	if (!json_is_array(json_object_get(doc, "columns")) ||
	    !json_is_array(json_object_get(doc, "rows"))) {
		json_decref(doc);
		*why = xstrdup("it has no columns and rows");
		return NULL;
	}
	return doc;
}

/* The samples file an object's "sampler" names, into samples[key]; who: "run 3", "watch". */
static void load_one(json_t *samples, const char *key, const char *who, json_t *o,
		     const char *results_dir, json_t *notes)
{
	const char *rel = json_string_value(
		json_object_get(json_object_get(o, "sampler"), "samples_file"));
	char *why = NULL;
	char *path;
	json_t *s;

	if (!rel)
		return;
	if (!path_is_inside(rel)) {
		add_stringf(notes,
			    "%s: the samples file '%s' is outside the results folder; not read",
			    who, rel);
		return;
	}
	path = path_join(results_dir, rel);
	s = load_samples_file(path, &why);
	if (s)
		json_object_set_new(samples, key, s);
	else
		add_stringf(notes, "%s: cannot read '%s': %s", who, path, why);
	free(why);
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
	if (tc < 0 || !json_array_size(rows))
		return -ENODATA;
	s->n = json_array_size(rows);
	s->t = column_values(rows, tc, 1, s->n);
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

void report_series_release(struct report_series *s)
{
	for (size_t i = 0; i < s->nr_mbs; i++)
		free(s->mbs[i].v);
	for (size_t i = 0; i < s->nr_pct; i++)
		free(s->pct[i].v);
	free(s->t);
	memset(s, 0, sizeof(*s));
}

/* ---- the files ------------------------------------------------------------------------------ */

/* Render into dir/name through a temporary file and a rename. */
static int write_file(const char *dir, const char *name,
		      void (*render)(const struct report_ctx *, FILE *),
		      const struct report_ctx *ctx, char **path_out)
{
	char *path = path_join(dir, name);
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	FILE *f;
	int ret = 0;

	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		goto out;
	}
	render(ctx, f);
	if (fflush(f) == EOF)
		ret = -errno;
	else if (ferror(f))
		ret = -EIO;
	if (fclose(f) == EOF && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
out:
	if (ret) {
		unlink(tmp);
		free(path);
	} else {
		*path_out = path;
	}
	free(tmp);
	return ret;
}

int report_write_all(json_t *doc, const char *dir, const char *results_dir, unsigned flags,
		     struct report_written *out)
{
	struct report_written w = { 0 };
	struct report_ctx ctx = {
		.doc = doc,
		.notes = json_array(),
	};
	int ret;

	plot_set_init(&w.plots);
	ret = mkdir_p(dir);
	if (ret)
		goto out;
	ctx.cells = report_cells(doc);
	ctx.samples = report_load_samples(doc, results_dir ? results_dir : dir, ctx.notes);
	if (!(flags & REPORT_NO_PLOTS)) {
		plot_write(doc, ctx.cells, ctx.samples, dir, &w.plots);
		ctx.plots = &w.plots;
	}
	ret = write_file(dir, "report.md", report_md, &ctx, &w.md);
	if (!ret)
		ret = write_file(dir, "report.html", report_html, &ctx, &w.html);
	if (!ret)
		ret = write_file(dir, "results.csv", report_csv, &ctx, &w.csv);
out:
	json_decref(ctx.cells);
	json_decref(ctx.samples);
	json_decref(ctx.notes);
	if (out)
		*out = w;
	else
		report_written_release(&w);
	return ret;
}

void report_written_release(struct report_written *w)
{
	free(w->md);
	free(w->html);
	free(w->csv);
	plot_set_release(&w->plots);
	memset(w, 0, sizeof(*w));
}
