/* SPDX-License-Identifier: MIT */
/* reference.c - fio's reference measurements (results.json's "reference") in report.md and .html. */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "analysis/fioref.h"
#include "lib/json_get.h"
#include "report/data.h"
#include "report/render.h"

bool report_reference_only(json_t *doc)
{
	return json_is_array(json_object_get(json_object_get(doc, "reference"), "measurements")) &&
	       !json_array_size(json_object_get(doc, "runs")) && !report_watch_sampler(doc);
}

/* What a measurement did, in words: "read SRC", "write DST", "read SRC and write DST at once". */
static const char *kind_text(json_t *m)
{
	const char *kind = json_get_str(m, "kind");

	if (!strcmp(kind, "read"))
		return "read SRC";
	if (!strcmp(kind, "write"))
		return "write DST";
	if (!strcmp(kind, "copy"))
		return "copy: read SRC and write DST at once";
	return kind;
}

/* The measurement the ceiling is: the copy with the ceiling's rate (the faster copy). */
static bool is_ceiling(json_t *ref, json_t *m)
{
	return !strcmp(json_get_str(m, "kind"), "copy") && json_get_has_num(ref, "ceiling_mb_s") &&
	       json_get_num(m, "mb_s") == json_get_num(ref, "ceiling_mb_s");
}

/* "time-based, short, ceiling": how the measurement was made and what it is. */
static void notes_text(json_t *ref, json_t *m, char *buf, size_t len)
{
	json_t *timed = json_object_get(m, "time_based");
	const char *parts[3] = {
		json_is_true(timed) ? "time-based" : json_is_false(timed) ? "one pass" : NULL,
		fioref_measurement_short(m) ? "short" : NULL,
		is_ceiling(ref, m) ? "the ceiling" : NULL,
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < 3; i++)
		if (parts[i] && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", parts[i]);
}

/* The sentence above the table: fio's version and how long each measurement lasted. */
static void intro_text(json_t *ref, char *buf, size_t len)
{
	json_t *rt = json_object_get(ref, "runtime_s");
	int n = snprintf(buf, len, "%s", json_get_str(ref, "fio_version"));

	if (json_is_integer(json_object_get(ref, "bs")) && n > 0 && (size_t)n < len)
		/* fio's own notation: bs=128k is 128 x 1024 bytes, as in its job files */
		n += snprintf(buf + n, len - (size_t)n, ", bs=%lldk, iodepth %lld, %s",
			      json_get_int(ref, "bs") / 1024, json_get_int(ref, "iodepth"),
			      json_get_str(ref, "ioengine"));
	if (n < 0 || (size_t)n >= len)
		return;
	if (json_is_integer(rt) && json_integer_value(rt) > 0)
		snprintf(buf + n, len - (size_t)n, "; a measurement whose one pass over the files "
			 "took less than %lld s ran again time-based for %lld s, going over the "
			 "same files (their pages dropped as each is opened)",
			 (long long)json_integer_value(rt), (long long)json_integer_value(rt));
	else if (json_is_integer(rt))
		snprintf(buf + n, len - (size_t)n, "; one pass over the files each (--runtime 0)");
}

/* One row of the table, what both renderings print of a measurement. */
struct ref_row {
	json_t *m;
	double seconds;		/* NAN: fio did not say */
	bool ceiling;
	char notes[128];
};

/*
 * The sentence above the table to intro(), and each measurement's row to row(); false (nothing
 * done) when the document holds no measurements.
 */
static bool reference_rows(FILE *f, json_t *doc,
			   void (*intro)(FILE *f, const char *text, void *arg),
			   void (*row)(FILE *f, const struct ref_row *r, void *arg), void *arg)
{
	json_t *ref = json_object_get(doc, "reference");
	char text[512];
	json_t *m;
	size_t i;

	if (!json_array_size(json_object_get(ref, "measurements")))
		return false;
	intro_text(ref, text, sizeof(text));
	intro(f, text, arg);
	json_array_foreach(json_object_get(ref, "measurements"), i, m) {
		struct ref_row r = {
			.m = m,
			.seconds = fioref_measurement_runtime(m),
			.ceiling = is_ceiling(ref, m),
		};

		notes_text(ref, m, r.notes, sizeof(r.notes));
		row(f, &r, arg);
	}
	return true;
}

static const char *io_text(const struct ref_row *r)
{
	return json_is_true(json_object_get(r->m, "direct")) ? "O_DIRECT" : "buffered";
}

static void md_intro(FILE *f, const char *text, void *arg)
{
	void (*put)(FILE *f, const char *s) = *(void (**)(FILE *, const char *))arg;

	fputs("\n## fio's reference\n\n", f);
	put(f, text);
	fputs(". The ceiling is the faster of the two copies.\n\n"
	      "| measurement | what | jobs | I/O | MB/s | seconds | notes |\n"
	      "|---|---|---:|---|---:|---:|---|\n", f);
}

static void md_row(FILE *f, const struct ref_row *r, void *arg)
{
	void (*put)(FILE *f, const char *s) = *(void (**)(FILE *, const char *))arg;

	fputs("| ", f);
	put(f, json_get_str(r->m, "name"));
	fputs(" | ", f);
	put(f, kind_text(r->m));
	fprintf(f, " | %lld | %s | ", json_get_int(r->m, "jobs"), io_text(r));
	report_put_num(f, json_object_get(r->m, "mb_s"), 1, "-");
	if (isfinite(r->seconds))
		fprintf(f, " | %.2f | ", r->seconds);
	else
		fputs(" | - | ", f);
	fprintf(f, "%s%s%s |\n", r->ceiling ? "**" : "", r->notes, r->ceiling ? "**" : "");
}

void report_reference_md(FILE *f, json_t *doc, void (*put)(FILE *f, const char *s))
{
	if (!reference_rows(f, doc, md_intro, md_row, &put))
		return;
	fputs("\nMB/s are fio's bytes over fio's runtime (10^6 bytes per second); a copy is the "
	      "bytes the slower side moved over the longer runtime. seconds: how long the "
	      "measurement ran; under a second it is flagged short, as a run is.\n", f);
}

static void html_intro(FILE *f, const char *text, void *arg)
{
	(void)arg;
	fputs("<section id=\"reference\">\n<h2>fio&#39;s reference</h2>\n<p class=\"note\">", f);
	report_put_html(f, text);
	fputs(". The ceiling is the faster of the two copies.</p>\n<div class=\"scroll\"><table>\n"
	      "<tr><th>measurement</th><th>what</th><th class=\"n\">jobs</th><th>I/O</th>"
	      "<th class=\"n\">MB/s</th><th class=\"n\">seconds</th><th>notes</th></tr>\n", f);
}

static void html_row(FILE *f, const struct ref_row *r, void *arg)
{
	(void)arg;
	fprintf(f, "<tr%s><td>", r->ceiling ? " class=\"rec\"" : "");
	report_put_html(f, json_get_str(r->m, "name"));
	fputs("</td><td>", f);
	report_put_html(f, kind_text(r->m));
	fprintf(f, "</td><td class=\"n\">%lld</td><td>%s</td><td class=\"n\"><b>",
		json_get_int(r->m, "jobs"), io_text(r));
	report_put_num(f, json_object_get(r->m, "mb_s"), 1, "–");
	fputs("</b></td><td class=\"n\">", f);
	if (isfinite(r->seconds))
		fprintf(f, "%.2f", r->seconds);
	else
		fputs("–", f);
	fputs("</td><td>", f);
	report_put_html(f, r->notes);
	fputs("</td></tr>\n", f);
}

void report_reference_html(FILE *f, json_t *doc)
{
	if (!reference_rows(f, doc, html_intro, html_row, NULL))
		return;
	fputs("</table></div>\n<p class=\"note\">MB/s are fio&#39;s bytes over fio&#39;s runtime "
	      "(10^6 bytes per second); a copy is the bytes the slower side moved over the longer "
	      "runtime. seconds: how long the measurement ran; under a second it is flagged "
	      "short, as a run is. The highlighted row is the ceiling.</p>\n</section>\n", f);
}
