/* SPDX-License-Identifier: MIT */
/*
 * sections.c - the sections report.md and report.html print alike: which rows, values and
 * notes, in which order, written once; the markup (render.h) makes them Markdown or HTML.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/cells.h"
#include "analysis/confirm.h"
#include "analysis/recommend.h"
#include "lib/json_get.h"
#include "lib/util.h"
#include "report/data.h"
#include "report/render.h"

void report_interpreter(FILE *f, const struct report_markup *m, json_t *cells)
{
	static const struct report_col cols[] = {
		{ "threads", REPORT_NUM },
		{ "jobs", REPORT_NUM },
		{ CELLS_EMULATION " MB/s", REPORT_NUM },
		{ CELLS_INTERPRETER " MB/s", REPORT_NUM },
		{ CELLS_EMULATION " / " CELLS_INTERPRETER, REPORT_NUM },
		{ "bounds", REPORT_RANGE },
	};
	json_t *ratios = cells_ratios(cells, CELLS_EMULATION, CELLS_INTERPRETER);
	json_t *r;
	size_t i;

	if (!json_array_size(ratios)) {
		json_decref(ratios);
		return;
	}
	report_section(f, m, "interpreter", "Emulation against the real interpreter");
	report_table(f, m, true, cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(ratios, i, r) {
		report_row(f, m, NULL);
		report_td_int(f, m, json_get_int(r, "threads"));
		report_td_int(f, m, json_get_int(r, "jobs"));
		report_td_num(f, m, r, "numerator_mb_s", 1);
		report_td_num(f, m, r, "denominator_mb_s", 1);
		report_td(f, m, REPORT_NUM);
		fprintf(f, "%s%.2fx%s", m->fig_open, json_get_num(r, "ratio"), m->fig_close);
		report_td_end(f, m);
		report_td(f, m, REPORT_RANGE);
		if (json_get_has_num(r, "ratio_low") && json_get_has_num(r, "ratio_high"))
			fprintf(f, "%.2f–%.2f", json_get_num(r, "ratio_low"),
				json_get_num(r, "ratio_high"));
		else
			fputs(m->missing, f);
		report_td_end(f, m);
		report_row_end(f, m);
	}
	report_table_end(f, m, true);
	report_note(f, m, true);
	m->put(f, report_interpreter_note);
	report_note_end(f, m);
	report_section_end(f, m);
	json_decref(ratios);
}

/* Whether cell is the one the recommendation names: its strategy, threads, jobs and nodes. */
static bool cell_recommended(json_t *cell, json_t *rec)
{
	return json_is_integer(json_object_get(rec, "threads")) &&
	       json_get_int(rec, "threads") == json_get_int(cell, "threads") &&
	       report_jobs(cell) == report_jobs(rec) && report_nodes(cell) == report_nodes(rec) &&
	       !strcmp(json_get_str(cell, "strategy"), recommend_strategy(rec));
}

static void cells_row(FILE *f, const struct report_markup *m, json_t *cell, json_t *rec,
		      json_t *ref)
{
	report_row(f, m, cell_recommended(cell, rec) ? "rec" : NULL);
	report_td(f, m, REPORT_TEXT);
	m->put(f, json_get_str(cell, "strategy"));
	if (report_nodes(cell))
		fprintf(f, " on %lld node%s", (long long)report_nodes(cell),
			report_nodes(cell) == 1 ? "" : "s");
	report_td_end(f, m);
	report_td_int(f, m, json_get_int(cell, "threads"));
	report_td_int(f, m, report_jobs(cell));
	report_td_num(f, m, cell, "runs", 0);
	report_td_num(f, m, cell, "failed_runs", 0);
	report_td(f, m, REPORT_NUM);
	fputs(m->fig_open, f);
	report_put_num(f, json_object_get(cell, "median_mb_s"), 1, m->missing);
	fputs(m->fig_close, f);
	report_td_end(f, m);
	report_td(f, m, REPORT_RANGE);
	report_put_interval(f, cell, m->missing);
	report_td_end(f, m);
	report_td_num(f, m, cell, "min_mb_s", 1);
	report_td_num(f, m, cell, "max_mb_s", 1);
	report_td(f, m, REPORT_NUM);
	if (json_get_has_num(cell, "cv"))
		fprintf(f, "%.1f %%", 100 * json_get_num(cell, "cv"));
	else
		fputs(m->missing, f);
	report_td_end(f, m);
	report_td_num(f, m, cell, "median_mb_s_copied", 1);
	if (json_is_number(ref)) {
		report_td(f, m, REPORT_NUM);
		if (json_get_has_num(cell, "median_mb_s") && json_number_value(ref) > 0)
			fprintf(f, "%.0f %%",
				100 * json_get_num(cell, "median_mb_s") / json_number_value(ref));
		else
			fputs(m->missing, f);
		report_td_end(f, m);
	}
	report_td_num(f, m, cell, "not_cold_runs", 0);
	report_td(f, m, REPORT_TEXT);
	m->flags(f, json_object_get(cell, "flags"));
	report_td_end(f, m);
	report_row_end(f, m);
}

void report_cells_table(FILE *f, const struct report_markup *m, json_t *doc, json_t *cells,
			const char *note)
{
	json_t *rec = json_object_get(doc, "recommendation");
	json_t *ref = json_object_get(json_object_get(doc, "reference"), "ceiling_mb_s");
	const struct report_col cols[] = {
		{ "strategy", REPORT_TEXT },
		{ "threads", REPORT_NUM },
		{ "jobs", REPORT_NUM },
		{ "runs", REPORT_NUM },
		{ "failed", REPORT_NUM },
		{ "median MB/s", REPORT_NUM },
		{ "interval of the median", REPORT_RANGE },
		{ "min", REPORT_NUM },
		{ "max", REPORT_NUM },
		{ "cv", REPORT_NUM },
		{ "copied MB/s", REPORT_NUM },
		{ json_is_number(ref) ? "% of ceiling" : NULL, REPORT_NUM },
		{ "not cold", REPORT_NUM },
		{ "flags", REPORT_TEXT },
	};
	json_t *cell;
	size_t i;

	report_table(f, m, true, cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(cells, i, cell)
		cells_row(f, m, cell, rec, ref);
	report_table_end(f, m, true);
	report_note(f, m, true);
	fputs(note, f);
	report_note_end(f, m);
	if (json_is_number(ref)) {
		report_note(f, m, false);
		m->put(f, "The ceiling is fio's copy-shaped throughput for the same files (");
		report_put_num(f, ref, 1, m->missing);
		m->put(f, " MB/s; fio's reference below); a share above 100 % is a warning.");
		report_note_end(f, m);
	}
}

/* One side of a confirmation pair: its MB/s and its run, "812.4 (17)". */
static void pair_side(FILE *f, const struct report_markup *m, json_t *pr, const char *side)
{
	char key[32];

	snprintf(key, sizeof(key), "%s_mb_s", side);
	report_td(f, m, REPORT_NUM);
	report_put_num(f, json_object_get(pr, key), 1, m->missing);
	snprintf(key, sizeof(key), "%s_seq", side);
	fprintf(f, " (%lld)", json_get_int(pr, key));
	report_td_end(f, m);
}

/* The confirmation's pairs, one row each, and how their ratio decides. */
static void confirmation_pairs(FILE *f, const struct report_markup *m, json_t *conf)
{
	const long long def = json_get_int(conf, "default_threads");
	const long long threads = json_get_int(conf, "threads");
	char def_label[64];
	char rec_label[64];
	const struct report_col cols[] = {
		{ "pair", REPORT_NUM },
		{ "first", REPORT_TEXT },
		{ def_label, REPORT_NUM },
		{ rec_label, REPORT_NUM },
		{ "ratio", REPORT_NUM },
	};
	json_t *pr;
	size_t i;
	char *said;

	snprintf(def_label, sizeof(def_label), "%lld thread%s MB/s (run)", def, def == 1 ? "" : "s");
	snprintf(rec_label, sizeof(rec_label), "%lld thread%s MB/s (run)", threads,
		 threads == 1 ? "" : "s");
	report_table(f, m, false, cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(json_object_get(conf, "pairs"), i, pr) {
		const bool complete = json_is_true(json_object_get(pr, "complete"));

		report_row(f, m, complete ? NULL : "bad");
		report_td_int(f, m, json_get_int(pr, "pair"));
		report_td(f, m, REPORT_TEXT);
		m->put(f, json_is_string(json_object_get(pr, "first")) ? json_get_str(pr, "first")
								      : m->missing);
		report_td_end(f, m);
		pair_side(f, m, pr, "default");
		pair_side(f, m, pr, "recommended");
		report_td(f, m, REPORT_NUM);
		report_put_num(f, json_object_get(pr, "ratio"), 3, m->missing);
		if (!complete)
			fputs(m->html ? " incomplete" : ", incomplete", f);
		report_td_end(f, m);
		report_row_end(f, m);
	}
	report_table_end(f, m, false);
	report_note(f, m, true);
	said = xasprintf("The ratio is the recommended count's MB/s over the default's in the same "
			 "pair. The gain counts as reproduced when the median ratio is above %.2f (1 + "
			 "the tolerance) and the median's interval lies above 1; with few pairs the "
			 "interval is min–max, at the coverage shown. Otherwise the recommendation "
			 "falls back to the default.", 1 + json_get_num(conf, "tolerance"));
	m->put(f, said);
	free(said);
	if (json_get_int(conf, "pairs_max") > json_get_int(conf, "pairs_planned")) {
		said = xasprintf(" When the %lld pairs planned were promising but not proven (the "
				 "median ratio above %.2f, the interval not above 1), one more pair "
				 "was run at a time, up to %lld.", json_get_int(conf, "pairs_planned"),
				 1 + json_get_num(conf, "tolerance"), json_get_int(conf, "pairs_max"));
		m->put(f, said);
		free(said);
	}
	report_note_end(f, m);
}

void report_confirmation(FILE *f, const struct report_markup *m, json_t *rec)
{
	json_t *conf = json_object_get(rec, "confirmation");
	char *text = confirm_text(conf);
	json_t *pr;
	size_t i;
	char *said;

	if (!text)
		return;
	fputs(m->html ? "<h3 id=\"confirmation\">Paired confirmation</h3>\n<p>"
		      : "\n### Paired confirmation\n\n", f);
	if (!strcmp(json_get_str(conf, "verdict"), "skipped")) {
		m->put(f, text);
		fputs(m->html ? "</p>\n" : ".\n", f);
		free(text);
		return;
	}
	m->put(f, "Cold ");
	m->put(f, json_get_str(conf, "strategy"));
	m->put(f, " runs (");
	m->put(f, recommend_copier_words(json_get_str(conf, "strategy")));
	said = xasprintf(") after the grid, %lld against %lld threads in pairs, each pair's order "
			 "drawn with seed %lld", json_get_int(conf, "threads"),
			 json_get_int(conf, "default_threads"), json_get_int(conf, "seed"));
	m->put(f, said);
	free(said);
	fputs(m->html ? ": " : ". ", f);
	fputs(m->b_open, f);
	m->put(f, text);
	fputs(m->b_close, f);
	fputs(m->html ? "</p>\n" : "\n\n", f);
	json_array_foreach(json_object_get(conf, "tried"), i, pr) {
		char *tried = confirm_text(pr);

		fputs(m->html ? "<p>Tried first: " : "- Tried first: ", f);
		m->put(f, tried ? tried : "");
		fputs(m->html ? "</p>\n" : "\n", f);
		free(tried);
	}
	if (!m->html && json_array_size(json_object_get(conf, "tried")))
		fputc('\n', f);
	confirmation_pairs(f, m, conf);
	free(text);
}

void report_location_rows(FILE *f, const struct report_markup *m, json_t *src, json_t *dst,
			  const char *none)
{
	static const struct {
		const char *label, *key;
	} rows[] = {
		{ "path", "path" },
		{ "filesystem", "fs_type" },
		{ "mounted from", "mount_source" },
		{ "mount point", "mount_point" },
		{ "mount options", "mount_options" },
		{ "block devices", "devices" },
		{ "filesystem size", "fs_size_bytes" },
		{ "free at the start", "fs_free_bytes" },
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		report_row(f, m, NULL);
		report_td(f, m, REPORT_TEXT);
		fputs(rows[r].label, f);
		report_td_end(f, m);
		report_td(f, m, REPORT_TEXT);
		report_put_location(f, json_object_get(src, rows[r].key), m->put, none, m->missing);
		report_td_end(f, m);
		report_td(f, m, REPORT_TEXT);
		report_put_location(f, json_object_get(dst, rows[r].key), m->put, none, m->missing);
		report_td_end(f, m);
		report_row_end(f, m);
	}
}

/* A paragraph of the environment: Markdown's starts with its blank line, HTML's is a note. */
static void env_para(FILE *f, const struct report_markup *m)
{
	fputs(m->html ? "<p class=\"note\">" : "\n\n", f);
}

void report_env_diag(FILE *f, const struct report_markup *m, json_t *doc)
{
	json_t *findings = json_object_get(json_object_get(doc, "diag"), "findings");
	const char *key;
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(doc, "diag"), "routes"), i, v) {
		char route[512];

		report_route_text(v, route, sizeof(route));
		env_para(f, m);
		m->put(f, "Route to ");
		m->put(f, route);
		if (m->html)
			fputs("</p>\n", f);
	}
	json_array_foreach(findings, i, v) {
		if (!i) {
			env_para(f, m);
			fputs(m->html ? "Diag findings:</p>\n<ul>\n" : "Diag findings:\n", f);
		}
		fputs(m->html ? "<li>" : "\n- ", f);
		m->put(f, json_string_value(v));
		if (m->html)
			fputs("</li>\n", f);
	}
	if (m->html && json_array_size(findings))
		fputs("</ul>\n", f);
	env_para(f, m);
	fputs("Parameters:", f);
	json_object_foreach(json_object_get(doc, "params"), key, v) {
		char *text = report_param_text(doc, key, v);
		char *kv = xasprintf("%s=%s", key, text);

		fputc(' ', f);
		m->code(f, kv);
		free(kv);
		free(text);
	}
	report_note_end(f, m);
}

void report_rec_threads(FILE *f, const struct report_markup *m, json_t *rec, json_t *cells)
{
	json_t *threads = json_object_get(rec, "threads");
	const bool fr = json_object_get(rec, "for") != NULL;
	struct report_rec_row rows[64];
	const size_t n = report_rec_rows(rec, cells, rows, 64);

	for (size_t i = 0; i < n; i++) {
		const bool recommended = json_is_integer(threads) &&
					 rows[i].threads == json_integer_value(threads);
		const bool def = rows[i].threads == json_get_int(rec, "default_threads");

		report_row(f, m, recommended ? "rec" : NULL);
		report_td_int(f, m, rows[i].threads);
		report_td_num(f, m, rows[i].cell, "median_mb_s", 1);
		if (fr) {
			report_td(f, m, REPORT_NUM);
			report_put_duration(f, rows[i].seconds, m->missing);
			report_td_end(f, m);
		}
		report_td(f, m, REPORT_TEXT);
		if (recommended)
			fprintf(f, "%srecommended%s", m->b_open, m->b_close);
		fputs(recommended && def ? ", " : "", f);
		if (def)
			m->put(f, "CryoSPARC's default");
		report_td_end(f, m);
		report_row_end(f, m);
	}
	report_table_end(f, m, false);
	report_best_strategy(f, rec, m);
	if (json_get_has_num(rec, "tolerance")) {
		char *said = xasprintf("Thread counts whose median is within %.0f %% of the highest "
				       "are the candidates: the default (2) stays when it is one, "
				       "else the fewest threads among them is recommended. "
				       "Overlapping intervals only lower the confidence.",
				       100 * json_get_num(rec, "tolerance"));

		report_note(f, m, true);
		m->put(f, said);
		report_note_end(f, m);
		free(said);
	}
	report_confirmation(f, m, rec);
}

void report_run_measures(FILE *f, const struct report_markup *m, json_t *run, bool verified)
{
	json_t *smp = json_object_get(run, "sampler");
	json_t *res = json_object_get(json_object_get(run, "cold"), "residency_pct");
	const char *dev;
	json_t *mean = report_busiest_mean(smp, &dev);

	report_td_num(f, m, run, "files_per_s", 1);
	report_td_num(f, m, json_object_get(run, "latency_ms"), "p50", 1);
	report_td_num(f, m, json_object_get(run, "latency_ms"), "p99", 1);
	report_td_num(f, m, run, "tail_s", 2);
	report_td_num(f, m, json_object_get(run, "cpu"), "user_s", 2);
	report_td_num(f, m, json_object_get(run, "cpu"), "sys_s", 2);
	report_td(f, m, REPORT_NUM);
	if (json_is_number(res))
		fprintf(f, "%.1f %%", json_number_value(res));
	else
		fputs("?", f);
	report_td_end(f, m);
	report_td(f, m, REPORT_TEXT);
	m->put(f, dev ? dev : m->missing);
	report_td_end(f, m);
	report_td_num(f, m, mean, "util", 1);
	report_td_num(f, m, mean, "aqu-sz", 2);
	report_td_num(f, m, json_object_get(json_object_get(smp, "cpu"), "mean"), "busy", 1);
	if (verified) {
		char verify[48];

		report_verify_cell(run, verify, sizeof(verify));
		report_td(f, m, REPORT_NUM);
		fputs(verify, f);
		report_td_end(f, m);
	}
}

void report_runs_verify(FILE *f, const struct report_markup *m, json_t *doc, bool verified)
{
	char summary[256];

	if (verified)
		fputs(" verify: the copies of the run read back after dropping the caches and "
		      "compared with their sources (--verify).", f);
	report_note_end(f, m);
	if (!report_verify_summary(doc, summary, sizeof(summary)))
		return;
	fputs(m->p_open, f);
	fputs(m->b_open, f);
	fputs("Verify:", f);
	fputs(m->b_close, f);
	fputc(' ', f);
	m->put(f, summary);
	fputc('.', f);
	fputs(m->p_close, f);
}
