/* SPDX-License-Identifier: MIT */
/* csv.c - results.csv: one row per run of results.json, for spreadsheets. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/data.h"
#include "report/render.h"

/* A field as RFC 4180 wants it; a line break becomes a space so every run stays one line. */
static void put_text(FILE *f, const char *s)
{
	/* A spreadsheet would run text starting with these as a formula. */
	const bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@';

	if (!formula && !s[strcspn(s, ",\"\r\n\t")]) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputs("\"\"", f);
		else if (*s == '\r' || *s == '\n')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* A value as it is in the JSON: integers exactly, reals with 10 digits, null empty. */
static void put_value(FILE *f, json_t *v)
{
	if (json_is_integer(v))
		fprintf(f, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		fprintf(f, "%.10g", json_real_value(v));
	else if (json_is_true(v))
		fputs("true", f);
	else if (json_is_false(v))
		fputs("false", f);
	else if (json_is_string(v))
		put_text(f, json_string_value(v));
}

/* The strings of an array in one field, joined with " | ". */
static void put_joined(FILE *f, json_t *arr)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	json_t *s;
	size_t i;

	if (!m)
		return;
	json_array_foreach(arr, i, s) {
		const char *text = json_string_value(s);

		fprintf(m, "%s%s", i ? " | " : "", text ? text : "");
	}
	fclose(m);
	put_text(f, buf);
	free(buf);
}

static const struct {
	const char *name;	/* the CSV header */
	const char *object;	/* NULL: a key of the run; else the run's object holding key */
	const char *key;
} columns[] = {
	{ "seq", NULL, "seq" },
	{ "strategy", NULL, "strategy" },
	{ "threads", NULL, "threads" },
	{ "jobs", NULL, "jobs" },
	{ "repeat", NULL, "repeat" },
	{ "role", NULL, "role" },		/* empty for the grid's runs */
	{ "pair", NULL, "pair" },
	{ "position", NULL, "position" },
	{ "started", NULL, "started" },
	{ "files", NULL, "files" },
	{ "bytes", NULL, "bytes" },
	{ "seconds_copied", NULL, "seconds_copied" },
	{ "seconds_durable", NULL, "seconds_durable" },
	{ "mb_s", NULL, "mb_s" },
	{ "mb_s_copied", NULL, "mb_s_copied" },
	{ "files_per_s", NULL, "files_per_s" },
	{ "latency_p50_ms", "latency_ms", "p50" },
	{ "latency_p90_ms", "latency_ms", "p90" },
	{ "latency_p99_ms", "latency_ms", "p99" },
	{ "latency_max_ms", "latency_ms", "max" },
	{ "tail_s", NULL, "tail_s" },
	{ "cpu_user_s", "cpu", "user_s" },
	{ "cpu_sys_s", "cpu", "sys_s" },
	{ "cold_method", "cold", "method" },
	{ "residency_pct", "cold", "residency_pct" },
	{ "cold_threshold_pct", "cold", "threshold_pct" },
	{ "cold", "cold", "cold" },
	{ "aborted", NULL, "aborted" },
	{ "verify_checked", "verify", "checked" },	/* empty: not verified */
	{ "verify_mismatches", "verify", "mismatches" },
	{ "busiest_device", "sampler", "busiest_device" },
	{ "top_interface", "sampler", "top_interface" },
	{ "samples_file", "sampler", "samples_file" },
};

void report_csv(const struct report_ctx *ctx, FILE *f)
{
	json_t *warnings = json_object_get(ctx->doc, "warnings");
	json_t *run;
	size_t i;

	for (size_t c = 0; c < sizeof(columns) / sizeof(columns[0]); c++)
		fprintf(f, "%s,", columns[c].name);
	fputs("device_util_pct,device_aqu_sz,cpu_busy_pct,cell_median_mb_s,cell_flags,warnings,"
	      "errors,session_warnings\n", f);
	json_array_foreach(json_object_get(ctx->doc, "runs"), i, run) {
		json_t *smp = json_object_get(run, "sampler");
		json_t *mean = report_busiest_mean(smp, NULL);
		json_t *cell = report_cell_of(ctx->cells, run);

		for (size_t c = 0; c < sizeof(columns) / sizeof(columns[0]); c++) {
			json_t *o =
				columns[c].object ? json_object_get(run, columns[c].object) : run;
			json_t *v = json_object_get(o, columns[c].key);

			/* A run without "jobs" ran one job (schema). */
			if (!v && !strcmp(columns[c].name, "jobs"))
				fputs("1", f);
			else
				put_value(f, v);
			fputc(',', f);
		}
		put_value(f, json_object_get(mean, "util"));
		fputc(',', f);
		put_value(f, json_object_get(mean, "aqu-sz"));
		fputc(',', f);
		put_value(f, json_object_get(json_object_get(json_object_get(smp, "cpu"), "mean"),
					     "busy"));
		fputc(',', f);
		put_value(f, json_object_get(cell, "median_mb_s"));
		fputc(',', f);
		put_joined(f, json_object_get(cell, "flags"));
		fputc(',', f);
		put_joined(f, json_object_get(run, "warnings"));
		fputc(',', f);
		put_joined(f, json_object_get(run, "errors"));
		fputc(',', f);
		put_joined(f, warnings);
		fputc('\n', f);
	}
}
