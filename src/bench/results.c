/* results.c - the results folder and results.json. */
#include "config.h"

#include <errno.h>
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
#include "lib/util.h"

#define RESULTS_BASE "cryocache-results"
#define BIAS_LIMIT 0.10
#define BIAS_PREFIX "first-run bias: "

static int make_default_dir(struct results *r, const char *label)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	int ret;

	ret = mkdir_p(RESULTS_BASE);
	if (ret)
		return ret;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (unsigned n = 1; n < 1000; n++) {
		char *dir = n == 1 ? xasprintf(RESULTS_BASE "/%s-%s", stamp, label)
				   : xasprintf(RESULTS_BASE "/%s-%s-%u", stamp, label, n);

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

int results_create(struct results *r, const char *out, const char *label)
{
	int ret;

	memset(r, 0, sizeof(*r));
	if (out) {
		struct stat st;
		char *existing;

		ret = mkdir_p(out);
		if (ret)
			return ret;
		existing = path_join(out, RESULTS_FILE);
		ret = stat(existing, &st) == 0 ? -EEXIST : 0;
		free(existing);
		if (ret)
			return ret;
		r->dir = xstrdup(out);
	} else {
		ret = make_default_dir(r, label);
		if (ret)
			return ret;
	}
	r->path = path_join(r->dir, RESULTS_FILE);
	r->root = json_object();
	json_object_set_new(r->root, "schema", json_string(RESULTS_SCHEMA));
	return 0;
}

int results_load(struct results *r, const char *dir, char *why, size_t len)
{
	json_error_t err;
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->dir = xstrdup(dir);
	r->path = path_join(dir, RESULTS_FILE);
	if (stat(r->path, &st) < 0)
		return -errno;
	r->root = json_load_file(r->path, 0, &err);
	if (!r->root) {
		snprintf(why, len, "line %d: %s", err.line, err.text);
		return -EINVAL;
	}
	if (!json_is_object(r->root) ||
	    strcmp(json_string_value(json_object_get(r->root, "schema")) ?: "", RESULTS_SCHEMA)) {
		snprintf(why, len, "not a " RESULTS_SCHEMA " document");
		return -EINVAL;
	}
	return 0;
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
	json_array_append_new(w, json_string(msg));
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

int results_write(const struct results *r)
{
	char *tmp = xasprintf("%s.tmp.%ld", r->path, (long)getpid());
	char *text = json_dumps(r->root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	const int ret = text ? write_text_atomic(r->path, tmp, text, NULL) : -ENOMEM;

	free(text);
	free(tmp);
	return ret;
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
	free(r->dir);
	free(r->path);
	memset(r, 0, sizeof(*r));
}
