/* report.c - renderings of results.json for people. Reads only the document, never the system. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "stats.h"
#include "util.h"

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void print_runs(json_t *runs, FILE *f)
{
	size_t i;
	json_t *run;

	fprintf(f, "%4s  %-10s %7s %6s %6s %9s %9s %9s %9s %8s %8s %8s %7s %9s  %s\n", "run",
		"strategy", "threads", "repeat", "files", "GB", "copied_s", "durable_s", "MB/s",
		"files/s", "p50_ms", "p99_ms", "tail_s", "resident", "notes");
	json_array_foreach(runs, i, run) {
		json_t *cold = json_object_get(run, "cold");
		json_t *lat = json_object_get(run, "latency_ms");
		json_t *res = json_object_get(cold, "residency_pct");
		char resident[16] = "?";
		char notes[128] = "";

		if (json_is_number(res))
			snprintf(resident, sizeof(resident), "%.1f%%", json_number_value(res));
		if (json_is_true(json_object_get(run, "aborted")))
			strcat(notes, "aborted ");
		if (json_array_size(json_object_get(run, "errors")))
			strcat(notes, "FAILED ");
		if (cold && !json_is_true(json_object_get(cold, "cold")))
			strcat(notes, "not-cold ");
		if (json_array_size(json_object_get(run, "warnings")))
			strcat(notes, "warnings ");
		fprintf(f, "%4lld  %-10s %7lld %6lld %6lld %9.3f %9.2f %9.2f %9.1f %8.1f %8.1f %8.1f %7.2f %9s  %s\n",
			(long long)json_integer_value(json_object_get(run, "seq")), str(run, "strategy"),
			(long long)json_integer_value(json_object_get(run, "threads")),
			(long long)json_integer_value(json_object_get(run, "repeat")),
			(long long)json_integer_value(json_object_get(run, "files")),
			num(run, "bytes") / 1e9, num(run, "seconds_copied"), num(run, "seconds_durable"),
			num(run, "mb_s"), num(run, "files_per_s"), num(lat, "p50"), num(lat, "p99"),
			num(run, "tail_s"), resident, notes);
	}
}

/* Median, min and max of mb_s per (strategy, threads), in order of first appearance. */
static void print_cells(json_t *runs, FILE *f)
{
	size_t n = json_array_size(runs);
	bool *done = xcalloc(n ? n : 1, sizeof(bool));
	double *durable = xmalloc((n ? n : 1) * sizeof(double));
	double *copied = xmalloc((n ? n : 1) * sizeof(double));
	bool header = false;

	for (size_t i = 0; i < n; i++) {
		json_t *first = json_array_get(runs, i);
		const char *strategy = str(first, "strategy");
		json_int_t threads = json_integer_value(json_object_get(first, "threads"));
		struct summary sd, sc;
		size_t k = 0;

		if (done[i])
			continue;
		for (size_t j = i; j < n; j++) {
			json_t *run = json_array_get(runs, j);

			if (strcmp(str(run, "strategy"), strategy) ||
			    json_integer_value(json_object_get(run, "threads")) != threads)
				continue;
			done[j] = true;
			if (json_is_true(json_object_get(run, "aborted")) ||
			    json_array_size(json_object_get(run, "errors")))
				continue;
			durable[k] = num(run, "mb_s");
			copied[k] = num(run, "mb_s_copied");
			k++;
		}
		if (!k)
			continue;
		if (!header) {
			fprintf(f, "\n%-10s %7s %5s %12s %10s %10s %7s %14s\n", "strategy", "threads",
				"runs", "median_MB/s", "min", "max", "cv", "copied_median");
			header = true;
		}
		stats_summarize(durable, k, &sd);
		stats_summarize(copied, k, &sc);
		fprintf(f, "%-10s %7lld %5zu %12.1f %10.1f %10.1f %6.1f%% %14.1f\n", strategy,
			(long long)threads, k, sd.median, sd.min, sd.max, 100 * sd.cv, sc.median);
	}
	free(done);
	free(durable);
	free(copied);
}

/* One line under a "warnings:" heading that is printed before the first line only. */
static void warning_line(FILE *f, bool *header, long long seq, const char *what, json_t *msg)
{
	if (!*header)
		fprintf(f, "\nwarnings:\n");
	*header = true;
	if (seq)
		fprintf(f, "  - run %lld%s: %s\n", seq, what, json_string_value(msg));
	else
		fprintf(f, "  - %s\n", json_string_value(msg));
}

static void print_warnings(json_t *doc, FILE *f)
{
	json_t *w;
	json_t *run;
	size_t i, j;
	bool header = false;

	json_array_foreach(json_object_get(doc, "warnings"), i, w)
		warning_line(f, &header, 0, "", w);
	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		long long seq = (long long)json_integer_value(json_object_get(run, "seq"));

		json_array_foreach(json_object_get(run, "warnings"), j, w)
			warning_line(f, &header, seq, "", w);
		json_array_foreach(json_object_get(run, "errors"), j, w)
			warning_line(f, &header, seq, " failed", w);
	}
}

void report_text(json_t *doc, FILE *f)
{
	json_t *src = json_object_get(doc, "source");
	json_t *dst = json_object_get(doc, "destination");
	json_t *runs = json_object_get(doc, "runs");
	char size[32];

	fprintf(f, "source:      %s (%s), %lld files, %s\n", str(src, "path"), str(src, "fs_type"),
		(long long)json_integer_value(json_object_get(src, "files")),
		human_size((uint64_t)json_integer_value(json_object_get(src, "bytes")), size,
			   sizeof(size)));
	fprintf(f, "destination: %s (%s on %s)\n\n", str(dst, "path"), str(dst, "fs_type"),
		str(dst, "mount_source"));
	print_runs(runs, f);
	print_cells(runs, f);
	fprintf(f, "\nMB/s is 10^6 bytes per second until the copies were durable (syncfs); "
		   "copied_median stops at the last close.\n");
	print_warnings(doc, f);
}
