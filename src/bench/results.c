/* SPDX-License-Identifier: MIT */
/* results.c - the results folder and results.json. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/run_flags.h"
#include "analysis/stats.h"
#include "bench/results.h"
#include "lib/safeopen.h"
#include "lib/text.h"
#include "lib/util.h"

#define BIAS_LIMIT 0.10
#define BIAS_PREFIX "first-run bias: "

static int make_default_dir(struct results *r, const char *label)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	int ret;

	ret = mkdir_p(RESULTS_DEFAULT_BASE);
	if (ret)
		return ret;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (unsigned n = 1; n < 1000; n++) {
		char *dir = n == 1 ? xasprintf(RESULTS_DEFAULT_BASE "/%s-%s", stamp, label)
				   : xasprintf(RESULTS_DEFAULT_BASE "/%s-%s-%u", stamp, label, n);

		if (mkdir(dir, 0777) == 0) {
			r->dir = dir;
			return 0;
		}
		ret = -errno;
		free(dir);
		if (ret != -EEXIST)
			return ret;
	}
	return -EEXIST;
}

/*
 * out as a results folder: made when missing; refused when it holds results already, or other
 * files a new session would be mixed with. 0, or -errno with the reason in why.
 */
static int check_out_dir(const char *out, char *why, size_t len)
{
	char *existing = path_join(out, RESULTS_FILE);
	struct dirent *de;
	struct stat st;
	char *other = NULL;
	DIR *d;
	int ret = mkdir_p(out);

	if (ret) {
		fail_why(why, len, ret, "cannot create the results folder '%s': %s", out,
			 strerror(-ret));
		goto out;
	}
	if (stat(existing, &st) == 0) {
		ret = fail_why(why, len, -EEXIST, "results folder '%s' already holds a "
			       RESULTS_FILE "; choose another --out", out);
		goto out;
	}
	d = opendir(out);
	if (!d) {
		ret = -errno;
		fail_why(why, len, ret, "cannot read the results folder '%s': %s", out,
			 strerror(-ret));
		goto out;
	}
	while (!other && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, "lost+found"))
			other = xstrdup(de->d_name);
	closedir(d);
	if (other)
		ret = fail_why(why, len, -ENOTEMPTY, "results folder '%s' is not empty (it holds "
			       "'%s') and has no " RESULTS_FILE ": choose an empty or new folder for "
			       "--out", out, other);
out:
	free(other);
	free(existing);
	return ret;
}

int results_create(struct results *r, const char *out, const char *label, char *why, size_t len)
{
	int ret;

	memset(r, 0, sizeof(*r));
	if (out) {
		ret = check_out_dir(out, why, len);
		if (ret)
			return ret;
		r->dir = xstrdup(out);
	} else {
		ret = make_default_dir(r, label);
		if (ret)
			return fail_why(why, len, ret, "cannot create a results folder in '"
					RESULTS_DEFAULT_BASE "': %s", strerror(-ret));
	}
	r->path = path_join(r->dir, RESULTS_FILE);
	r->root = json_object();
	json_object_set_new(r->root, "schema", json_string(RESULTS_SCHEMA));
	return 0;
}

int results_load(struct results *r, const char *dir, char *why, size_t len)
{
	json_error_t err;
	char *text = NULL;
	size_t n = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	r->dir = xstrdup(dir);
	r->path = path_join(dir, RESULTS_FILE);
	ret = safe_read_file(dir, RESULTS_FILE, &text, &n, why, len);
	if (ret)
		return ret;
	r->root = json_loadb(text, n, 0, &err);
	free(text);
	if (!r->root) {
		snprintf(why, len, "line %d: %s", err.line, err.text);
		return -EINVAL;
	}
	if (!json_is_object(r->root) ||
	    strcmp(json_string_value(json_object_get(r->root, "schema")) ?: "", RESULTS_SCHEMA)) {
		snprintf(why, len, "not a " RESULTS_SCHEMA " document");
		return -EINVAL;
	}
	r->written_runs = json_array_size(json_object_get(r->root, "runs"));
	return 0;
}

json_t *results_read_doc(const char *arg, char **dir, char **path, char *why, size_t len)
{
	json_error_t err;
	struct stat st;
	char *text = NULL;
	size_t n = 0;
	json_t *doc = NULL;
	int ret;

	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		*dir = xstrdup(arg);
		*path = path_join(arg, RESULTS_FILE);
		ret = safe_read_file(arg, RESULTS_FILE, &text, &n, why, len);
	} else {
		char *copy = xstrdup(arg);

		*dir = xstrdup(dirname(copy));
		*path = xstrdup(arg);
		free(copy);
		ret = safe_read_named(arg, &text, &n, why, len);
	}
	if (ret)
		return NULL;
	doc = json_loadb(text, n, 0, &err);
	free(text);
	if (!doc)
		snprintf(why, len, "line %d: %s", err.line, err.text);
	return doc;
}

json_t *results_runs(struct results *r)
{
	json_t *runs = json_object_get(r->root, "runs");

	if (!runs) {
		runs = json_array();
		json_object_set_new(r->root, "runs", runs);
	}
	return runs;
}

void results_warn(struct results *r, const char *msg)
{
	json_t *w = json_object_get(r->root, "warnings");

	if (!w) {
		w = json_array();
		json_object_set_new(r->root, "warnings", w);
	}
	json_array_append_new(w, text_json(msg));
}

void results_warn_said(struct results *r, const char *msg, const char *shown)
{
	results_warn(r, msg);
	if (quiet_messages)
		return;
	warning("%s", shown);
	if (!r->said)
		r->said = json_array();
	json_array_append_new(r->said, text_json(msg));
}

size_t results_unwarn(struct results *r, const char *prefix)
{
	json_t *w = json_object_get(r->root, "warnings");
	const size_t len = strlen(prefix);
	size_t removed = 0;

	for (size_t i = json_array_size(w); i-- > 0;) {
		const char *s = json_string_value(json_array_get(w, i));

		if (s && !strncmp(s, prefix, len)) {
			json_array_remove(w, i);
			removed++;
		}
	}
	return removed;
}

int results_write(struct results *r)
{
	char *tmp = xasprintf("%s.tmp.%ld", r->path, (long)getpid());
	char *text = json_dumps(r->root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	const int ret = text ? write_text_atomic(r->path, tmp, text, NULL) : -ENOMEM;

	r->write_err = ret;
	if (!ret)
		r->written_runs = json_array_size(json_object_get(r->root, "runs"));
	free(text);
	free(tmp);
	return ret;
}

void results_write_why(const struct results *r, char *why, size_t len)
{
	const size_t runs = json_array_size(json_object_get(r->root, "runs"));
	const size_t lost = runs > r->written_runs ? runs - r->written_runs : 0;

	if (!lost) {
		snprintf(why, len, "cannot write " RESULTS_FILE " in '%s': %s", r->dir,
			 strerror(-r->write_err));
		return;
	}
	/* What is on disk is the last version written whole (the write is atomic). */
	snprintf(why, len, "cannot write " RESULTS_FILE " in '%s': %s; the runs measured so far are "
		 "in memory only: the " RESULTS_FILE " there holds %zu of the %zu runs, the last "
		 "%s lost when this ends (the table shows %s); free space there and measure again",
		 r->dir, strerror(-r->write_err), r->written_runs, runs,
		 lost == 1 ? "one is" : "ones are", lost == 1 ? "it" : "them");
}

/* Runs that count for statistics: of the grid (no role), finished, without errors. */
static bool run_is_complete(json_t *run)
{
	json_t *errors = json_object_get(run, "errors");

	return !run_flag_role(run) && !json_is_true(json_object_get(run, "aborted")) &&
	       (!errors || json_array_size(errors) == 0);
}

void results_check_first_run_bias(struct results *r)
{
	json_t *runs = results_runs(r);
	size_t n = json_array_size(runs);
	bool *seen = xcalloc(n ? n : 1, sizeof(bool));
	double *later = xmalloc((n ? n : 1) * sizeof(double));

	results_unwarn(r, BIAS_PREFIX);
	for (size_t i = 0; i < n; i++) {
		json_t *first = json_array_get(runs, i);
		const char *strategy = json_string_value(json_object_get(first, "strategy"));
		json_int_t threads = json_integer_value(json_object_get(first, "threads"));
		json_int_t nodes = json_integer_value(json_object_get(first, "nodes"));
		double first_mb_s = json_number_value(json_object_get(first, "mb_s"));
		size_t nl = 0;
		struct summary s;

		/* a cell's runs: not a confirmation's (run_flag_role()) */
		if (seen[i] || !strategy || !run_is_complete(first) || run_flag_role(first))
			continue;
		seen[i] = true;
		for (size_t j = i + 1; j < n; j++) {
			json_t *run = json_array_get(runs, j);
			const char *sj = json_string_value(json_object_get(run, "strategy"));

			if (!sj || strcmp(sj, strategy) || run_flag_role(run) ||
			    json_integer_value(json_object_get(run, "threads")) != threads ||
			    json_integer_value(json_object_get(run, "nodes")) != nodes)
				continue;
			seen[j] = true;
			if (run_is_complete(run))
				later[nl++] = json_number_value(json_object_get(run, "mb_s"));
		}
		if (nl < 2)
			continue;
		stats_summarize(later, nl, &s);
		if (s.median > 0 && fabs(first_mb_s - s.median) / s.median > BIAS_LIMIT) {
			bool slower = first_mb_s < s.median;
			char on[32] = "";
			char *msg;

			if (nodes)
				snprintf(on, sizeof(on), " on %lld node%s", (long long)nodes,
					 nodes == 1 ? "" : "s");
			msg = xasprintf(
				BIAS_PREFIX "the first %s run at %lld thread%s%s reached %.0f MB/s, %.0f %% "
				"%s the median of the %zu later ones (%.0f MB/s)%s",
				strategy, (long long)threads, threads == 1 ? "" : "s", on, first_mb_s,
				100.0 * fabs(first_mb_s - s.median) / s.median, slower ? "below" : "above",
				nl, s.median,
				slower ? "; a cache this kernel cannot drop (a file server's or a VM host's) "
					 "may keep the data warm after the first read"
				       : "");

			results_warn(r, msg);
			free(msg);
		}
	}
	free(seen);
	free(later);
}

void results_release(struct results *r)
{
	json_decref(r->root);
	json_decref(r->said);
	free(r->dir);
	free(r->path);
	memset(r, 0, sizeof(*r));
}
