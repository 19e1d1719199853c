/* SPDX-License-Identifier: MIT */
/* md.c - report.md: the tables of results.json for a terminal, a ticket or a wiki. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/cells.h"
#include "analysis/confirm.h"
#include "analysis/recommend.h"
#include "analysis/run_flags.h"
#include "lib/json_get.h"
#include "lib/util.h"
#include "report/data.h"
#include "report/plot.h"
#include "report/nodes.h"
#include "report/render.h"

/*
 * Text from the JSON, with Markdown's punctuation escaped so that a path or a message shows as
 * it is (and "|" cannot split a table cell); a line break becomes a space.
 */
static void md(FILE *f, const char *s)
{
	for (const char *p = s; *p; p++) {
		const bool word_before = p > s && isalnum((unsigned char)p[-1]);
		const bool word_after = isalnum((unsigned char)p[1]);

		if (*p == '\n' || *p == '\r')
			fputc(' ', f);
		else if (strchr("\\`*[]<>|&", *p))
			fprintf(f, "\\%c", *p);
		else if (*p == '_' && !(word_before && word_after))
			fputs("\\_", f);	/* inside a word it cannot start emphasis */
		else
			fputc(*p, f);
	}
}

/* Text as a code span; one holding a backtick is left as escaped text instead. */
static void code(FILE *f, const char *s)
{
	if (strchr(s, '`') || strchr(s, '\n')) {
		md(f, s);
		return;
	}
	fprintf(f, "`%s`", s);
}

static void md_flags(FILE *f, json_t *flags)
{
	report_put_strings(f, flags, md);
}

static const struct report_markup md_markup = {
	.put = md, .missing = "-", .p_open = "\n", .p_close = "\n", .b_open = "**", .b_close = "**",
	.fig_open = "", .fig_close = "", .flags = md_flags, .code = code,
};

/* A number with decimals, or "-" when the JSON has none (null, missing). */
static void put_num(FILE *f, json_t *v, int decimals)
{
	report_put_num(f, v, decimals, "-");
}

static void put_key(FILE *f, json_t *o, const char *key, int decimals)
{
	put_num(f, json_object_get(o, key), decimals);
}

/* A number in a table row, and the bar that ends its cell. */
static void put_col(FILE *f, json_t *o, const char *key, int decimals)
{
	put_key(f, o, key, decimals);
	fputs(" | ", f);
}

/* "shutil, 4 threads" (and ", 2 jobs" when the cell ran more than one job at once). */
static void put_cell_name(FILE *f, json_t *o)
{
	md(f, json_get_str(o, "strategy"));
	fprintf(f, ", %lld thread%s", json_get_int(o, "threads"),
		json_get_int(o, "threads") == 1 ? "" : "s");
	if (report_jobs(o) != 1)
		fprintf(f, ", %lld jobs", (long long)report_jobs(o));
	if (report_nodes(o))
		fprintf(f, ", %lld node%s", (long long)report_nodes(o), report_nodes(o) == 1 ? "" : "s");
}

static void header(FILE *f, json_t *doc)
{
	json_t *host = json_object_get(doc, "host");
	json_t *tool = json_object_get(doc, "tool");
	json_t *src = json_object_get(doc, "source");
	json_t *dst = json_object_get(doc, "destination");

	fputs("# cryocache-bench report: ", f);
	md(f, json_get_str(host, "hostname"));
	fputs("\n\n", f);
	md(f, json_get_str(doc, "started"));
	fputs(" to ", f);
	md(f, json_is_string(json_object_get(doc, "finished")) ? json_get_str(doc, "finished")
							       : "(unfinished)");
	fputs(" · ", f);
	md(f, json_get_str(tool, "name"));
	fputc(' ', f);
	md(f, json_get_str(tool, "version"));
	fputs(" · schema ", f);
	md(f, json_get_str(doc, "schema"));
	if (json_is_object(json_object_get(doc, "watch"))) {
		json_t *watch = json_object_get(doc, "watch");
		json_t *p;
		size_t i;

		fputs("\n\nWatched", f);
		json_array_foreach(json_object_get(watch, "paths"), i, p) {
			fputs(i ? ", " : " ", f);
			code(f, json_string_value(p) ? json_string_value(p) : "");
		}
		fprintf(f, " for %.1f s, a reading every %g s.\n",
			json_number_value(
				json_object_get(json_object_get(watch, "sampler"), "seconds")),
			json_number_value(
				json_object_get(json_object_get(watch, "sampler"), "interval_s")));
		return;
	}
	fputs(report_reference_only(doc) ? "\n\nfio's reference for " : "\n\nCopied ", f);
	fprintf(f, "%lld files, %.2f GB, from ", json_get_int(src, "files"),
		json_number_value(json_object_get(src, "bytes")) / 1e9);
	code(f, json_get_str(src, "path"));
	fputs(" (", f);
	md(f, json_get_str(src, "fs_type"));
	fputs(") to ", f);
	code(f, json_get_str(dst, "path"));
	fputs(" (", f);
	md(f, json_get_str(dst, "fs_type"));
	fputs(").\n", f);
}

/* "70 files, 3.26 GB (the measured set)": what the recommendation's times are for. */
static void put_for(FILE *f, json_t *fr)
{
	const char *basis = json_get_str(fr, "basis");

	fprintf(f, "%lld files, %.2f GB", json_get_int(fr, "files"),
		json_number_value(json_object_get(fr, "bytes")) / 1e9);
	if (!strcmp(basis, "measured"))
		fputs(" (the measured set)", f);
	else if (!strcmp(basis, "scaled"))
		fputs(" (scaled by the measured files' mean size)", f);
}

static void recommendation(FILE *f, json_t *rec, json_t *cells)
{
	json_t *threads = json_object_get(rec, "threads");
	json_t *fr = json_object_get(rec, "for");
	char *line;
	char *cline;

	if (!rec)
		return;
	fputs("\n## Recommendation\n\n**", f);
	if (json_is_integer(threads)) {
		md(f, json_get_str(rec, "variable"));
		fprintf(f, "=%lld**", (long long)json_integer_value(threads));
		if (!strcmp(json_get_str(rec, "confidence"), "none"))
			fputs(report_fell_back(rec)
				      ? ": keep the default, the paired confirmation did not "
					"reproduce the grid's gain"
				      : ": keep the default, the runs cannot tell the thread "
					"counts apart",
			      f);
	} else {
		fputs("No recommendation**", f);
	}
	fputs(" (confidence: ", f);
	md(f, json_is_string(json_object_get(rec, "confidence")) ? json_get_str(rec, "confidence")
								 : "-");
	fputs(")\n\n", f);
	/* The lines a sweep ends with: they can go into cryosparc_worker/config.sh as they are. */
	line = recommend_line(rec);
	cline = confirm_line(rec);
	if (!strstr(line, "```") && !strstr(cline, "```"))
		fprintf(f, "```sh\n%s%s```\n\n", line, cline);
	free(cline);
	free(line);
	fputs("Measured with ", f);
	md(f, recommend_copier_words(recommend_strategy(rec)));
	fputs(" (", f);
	md(f, recommend_strategy(rec));
	fputs(").\n\n| ", f);
	md(f, recommend_strategy(rec));
	fputs(" threads | median MB/s |", f);
	if (fr) {
		fputs(" time for ", f);
		put_for(f, fr);
		fputs(" |", f);
	}
	fputs(fr ? " |\n|---:|---:|---:|---|\n" : " |\n|---:|---:|---|\n", f);
	report_rec_threads(f, &md_markup, rec, cells);
}

/* "- prefix: msg", or "- msg" without a prefix. */
static void list_item(FILE *f, const char *prefix, const char *msg)
{
	fputs("- ", f);
	if (prefix)
		fprintf(f, "%s: ", prefix);
	md(f, msg);
	fputc('\n', f);
}

static void warnings(FILE *f, const struct report_ctx *ctx)
{
	json_t *w;
	json_t *cell;
	size_t i, j;
	size_t n = report_warnings(ctx->doc, f, NULL);

	json_array_foreach(ctx->cells, i, cell)
		n += json_array_size(json_object_get(cell, "flags"));
	fputs("\n## Warnings\n\n", f);
	if (!n && report_watch_sampler(ctx->doc)) {
		fputs("None.\n", f);
		return;
	}
	if (!n) {
		fputs(report_reference_only(ctx->doc)
			      ? "None: every fio measurement lasted long enough.\n"
			      : "None: every run was cold, complete and long enough.\n", f);
		return;
	}
	report_warnings(ctx->doc, f, list_item);
	json_array_foreach(ctx->cells, i, cell) {
		json_array_foreach(json_object_get(cell, "flags"), j, w) {
			const char *flag = json_string_value(w) ? json_string_value(w) : "";
			const char *meaning = report_flag_meaning(flag, false);

			fputs("- ", f);
			put_cell_name(f, cell);
			fputs(": ", f);
			md(f, flag);
			if (meaning)
				fprintf(f, " (%s)", meaning);
			fputc('\n', f);
		}
	}
	const char *cause = report_noisy_cause(ctx->doc, ctx->cells);

	if (cause)
		list_item(f, "noisy", cause);
}

static void cells_table(FILE *f, const struct report_ctx *ctx)
{
	fputs("\n## Throughput per strategy and thread count\n\n", f);
	if (!json_array_size(ctx->cells)) {
		fputs("No runs.\n", f);
		return;
	}
	report_cells_table(f, &md_markup, ctx->doc, ctx->cells,
			   "MB/s are 10^6 bytes per second until the copies were durable (syncfs on "
			   "the destination); copied MB/s stop at the last close. The interval is the "
			   "median's distribution-free confidence interval, with the coverage it "
			   "reaches; with few runs it is just min–max.");
}

static void runs_table(FILE *f, const struct report_ctx *ctx)
{
	json_t *run;
	size_t i;
	bool verified = false;

	fputs("\n## Runs\n\n", f);
	if (!json_array_size(json_object_get(ctx->doc, "runs"))) {
		fputs("No runs.\n", f);
		return;
	}
	json_array_foreach(json_object_get(ctx->doc, "runs"), i, run)
		verified |= json_is_object(json_object_get(run, "verify"));
	fputs("| run | strategy | threads | repeat | files | GB | copied s | durable s | MB/s | "
	      "files/s | p50 ms | p99 ms | tail s | CPU user s | CPU sys s | resident | device "
	      "| %util | aqu-sz | CPU busy % |", f);
	fputs(verified ? " verify | notes |\n" : " notes |\n", f);
	fputs("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	      "---:|---:|---:|", f);
	fputs(verified ? "---|---|\n" : "---|\n", f);
	json_array_foreach(json_object_get(ctx->doc, "runs"), i, run) {
		json_t *cold = json_object_get(run, "cold");
		json_t *res = json_object_get(cold, "residency_pct");
		const char *sep = "";

		fprintf(f, "| %lld | ", json_get_int(run, "seq"));
		md(f, json_get_str(run, "strategy"));
		fprintf(f, " | %lld | %lld | %lld | %.3f | ", json_get_int(run, "threads"),
			json_get_int(run, "repeat"), json_get_int(run, "files"),
			json_number_value(json_object_get(run, "bytes")) / 1e9);
		put_col(f, run, "seconds_copied", 2);
		put_key(f, run, "seconds_durable", 2);
		fputs(" | **", f);
		put_key(f, run, "mb_s", 1);
		fputs("** |", f);
		report_run_measures(f, &md_markup, run, verified);
		fputc(' ', f);
		if (run_flag_role(run)) {
			fprintf(f, "%s, not counted", run_flag_role(run));
			sep = ", ";
		}
		if (json_is_true(json_object_get(run, "aborted"))) {
			fprintf(f, "%saborted", sep);
			sep = ", ";
		}
		if (json_array_size(json_object_get(run, "errors"))) {
			fprintf(f, "%sFAILED", sep);
			sep = ", ";
		}
		if (run_flag_remote(run)) {
			fprintf(f, "%sremote source", sep);
			sep = ", ";
		} else if (json_is_object(cold) && !json_is_number(res)) {
			fprintf(f, "%scold unknown", sep);
			sep = ", ";
		} else if (run_flag_not_cold(run)) {
			fprintf(f, "%s**not cold**", sep);
			sep = ", ";
		}
		if (json_is_integer(json_object_get(run, "pair"))) {
			fprintf(f, "%spair %lld", sep, json_get_int(run, "pair"));
			sep = ", ";
		}
		if (json_array_size(json_object_get(run, "warnings")))
			fprintf(f, "%s%zu warning%s", sep,
				json_array_size(json_object_get(run, "warnings")),
				json_array_size(json_object_get(run, "warnings")) == 1 ? "" : "s");
		fputs(" |\n", f);
	}
	fputs("\nresident: share of the source in the page cache just before the clock started. "
	      "device: the busiest device during the run, with its mean %util and queue size "
	      "(iostat -x); %util alone does not show saturation, NVMe and arrays serve many "
	      "requests at once. CPU busy: all CPUs.", f);
	report_runs_verify(f, &md_markup, ctx->doc, verified);
}

static void findings(FILE *f, json_t *doc)
{
	json_t *groups = report_run_groups(json_object_get(doc, "runs"), "findings");
	json_t *msg;
	json_t *g;
	size_t i, j;
	bool any = false;

	json_array_foreach(json_object_get(report_watch_sampler(doc), "findings"), j, msg) {
		if (!any)
			fputs("\n## What the devices, CPUs and network did\n\n", f);
		any = true;
		list_item(f, NULL, json_string_value(msg) ? json_string_value(msg) : "");
	}
	/* each kind once, with the runs that found it */
	json_array_foreach(groups, i, g) {
		char who[256];
		char *text = report_group_text(g, "", who, sizeof(who));

		if (!any)
			fputs("\n## What the devices, CPUs and network did\n\n", f);
		any = true;
		list_item(f, who, text);
		free(text);
	}
	json_decref(groups);
}

static void plots(FILE *f, const struct report_ctx *ctx)
{
	const struct plot_set *ps = ctx->plots;
	bool runs = false;

	fputs("\n## Plots\n\n", f);
	if (ps) {
		for (size_t i = 0; i < ps->nr_files; i++) {
			const char *file = ps->files[i];
			const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
			const size_t len = strlen(file);

			if (len < 4 || strcmp(file + len - 4, ".svg"))
				continue;
			if (!strncmp(base, "throughput", 10)) {
				fputs("![throughput per thread count](", f);
				md(f, file);
				fputs(")\n\n", f);
			} else {
				fputs(runs ? " · " : "Time series: ", f);
				fputs("[", f);
				md(f, base);
				fputs("](", f);
				md(f, file);
				fputs(")", f);
				runs = true;
			}
		}
		if (runs)
			fputs(" (and the same as .png)\n\n", f);
	}
	if (!ps) {
		fputs("Plots were skipped (--no-plots). To get them, " PLOT_HOWTO
		      " without --no-plots.\n", f);
	} else if (ps->skipped) {
		fputs("Plots were skipped: ", f);
		md(f, ps->skipped);
		fprintf(f, ". To get them, %s.\n", plot_howto(ps));
	}
	fputs("report.html has the same charts drawn without gnuplot.\n", f);
}

static void environment(FILE *f, json_t *doc)
{
	json_t *host = json_object_get(doc, "host");
	json_t *tool = json_object_get(doc, "tool");
	json_t *src = json_object_get(doc, "source");
	json_t *dst = json_object_get(doc, "destination");
	json_t *bucket;
	bool any = false;
	size_t i;

	fputs("\n## Environment\n\n", f);
	fputs("- host: ", f);
	md(f, json_get_str(host, "hostname"));
	fputs(", kernel ", f);
	md(f, json_get_str(host, "kernel"));
	fputs(", ", f);
	md(f, json_get_str(host, "machine"));
	fputs(", ", f);
	md(f, json_get_str(host, "cpu_model"));
	fprintf(f, ", %lld CPUs, %.1f GB memory\n", json_get_int(host, "cores"),
		json_number_value(json_object_get(host, "mem_bytes")) / 1e9);
	fputs("- tool: ", f);
	md(f, json_get_str(tool, "name"));
	fputc(' ', f);
	md(f, json_get_str(tool, "version"));
	fputs(", strategies built in: ", f);
	report_put_strings(f, json_object_get(json_object_get(tool, "features"), "strategies"), md);
	/* A `watch` folder has no source, destination or data set. */
	if (json_is_object(src)) {
		fputs("\n\n| | source | destination |\n|---|---|---|\n", f);
		report_location_rows(f, &md_markup, src, dst, "-");
		fprintf(f,
			"\nThe data set: %lld files, %.3f GB (%lld files ignored by name, "
			"%lld named .mrc/.mrcs without an MRC header).",
			json_get_int(src, "files"),
			json_number_value(json_object_get(src, "bytes")) / 1e9,
			json_get_int(src, "ignored_files"), json_get_int(src, "not_mrc_files"));
		json_array_foreach(json_object_get(src, "size_histogram"), i, bucket) {
			if (!json_get_int(bucket, "files"))
				continue;
			fprintf(f, "%s %lld file%s of ",
				any ? ";" : " Sizes:", json_get_int(bucket, "files"),
				json_get_int(bucket, "files") == 1 ? "" : "s");
			report_put_size_range(f, bucket);
			any = true;
		}
		if (any)
			fputc('.', f);
	}
	report_env_diag(f, &md_markup, doc);
}

void report_md(const struct report_ctx *ctx, FILE *f)
{
	json_t *n;
	size_t i;

	header(f, ctx->doc);
	recommendation(f, json_object_get(ctx->doc, "recommendation"), ctx->cells);
	warnings(f, ctx);
	if (report_reference_only(ctx->doc)) {
		/* `fio`'s own results: its measurements are the report */
		report_reference_md(f, ctx->doc, md);
	} else if (!report_watch_sampler(ctx->doc) ||
		   json_array_size(json_object_get(ctx->doc, "runs"))) {
		cells_table(f, ctx);
		report_reference_md(f, ctx->doc, md);
		report_nodes_md(ctx->doc, f);
		report_interpreter(f, &md_markup, ctx->cells);
		runs_table(f, ctx);
		report_overhead_md(f, ctx->doc, md);
	}
	findings(f, ctx->doc);
	if (!report_reference_only(ctx->doc))
		plots(f, ctx);
	environment(f, ctx->doc);
	json_array_foreach(ctx->notes, i, n) {
		if (!i)
			fputs("\n## Notes on this report\n\n", f);
		list_item(f, NULL, json_string_value(n) ? json_string_value(n) : "");
	}	fputs("\n" REPORT_UNITS "\n", f);
}
