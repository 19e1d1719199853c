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

void report_reference_md(FILE *f, json_t *doc, void (*put)(FILE *f, const char *s))
{
	json_t *ref = json_object_get(doc, "reference");
	char text[512];
	json_t *m;
	size_t i;

	if (!json_array_size(json_object_get(ref, "measurements")))
		return;
	fputs("\n## fio's reference\n\n", f);
	intro_text(ref, text, sizeof(text));
	put(f, text);
	fputs(". The ceiling is the faster of the two copies.\n\n"
	      "| measurement | what | jobs | I/O | MB/s | seconds | notes |\n"
	      "|---|---|---:|---|---:|---:|---|\n", f);
	json_array_foreach(json_object_get(ref, "measurements"), i, m) {
		const double t = fioref_measurement_runtime(m);

		fputs("| ", f);
		put(f, json_get_str(m, "name"));
		fputs(" | ", f);
		put(f, kind_text(m));
		fprintf(f, " | %lld | %s | ", json_get_int(m, "jobs"),
			json_is_true(json_object_get(m, "direct")) ? "O_DIRECT" : "buffered");
		report_put_num(f, json_object_get(m, "mb_s"), 1, "-");
		if (isfinite(t))
			fprintf(f, " | %.2f | ", t);
		else
			fputs(" | - | ", f);
		notes_text(ref, m, text, sizeof(text));
		fprintf(f, "%s%s%s |\n", is_ceiling(ref, m) ? "**" : "", text,
			is_ceiling(ref, m) ? "**" : "");
	}
	fputs("\nMB/s are fio's bytes over fio's runtime (10^6 bytes per second); a copy is the "
	      "bytes the slower side moved over the longer runtime. seconds: how long the "
	      "measurement ran; under a second it is flagged short, as a run is.\n", f);
}

void report_reference_html(FILE *f, json_t *doc)
{
	json_t *ref = json_object_get(doc, "reference");
	char text[512];
	json_t *m;
	size_t i;

	if (!json_array_size(json_object_get(ref, "measurements")))
		return;
	fputs("<section id=\"reference\">\n<h2>fio&#39;s reference</h2>\n<p class=\"note\">", f);
	intro_text(ref, text, sizeof(text));
	report_put_html(f, text);
	fputs(". The ceiling is the faster of the two copies.</p>\n<div class=\"scroll\"><table>\n"
	      "<tr><th>measurement</th><th>what</th><th class=\"n\">jobs</th><th>I/O</th>"
	      "<th class=\"n\">MB/s</th><th class=\"n\">seconds</th><th>notes</th></tr>\n", f);
	json_array_foreach(json_object_get(ref, "measurements"), i, m) {
		const double t = fioref_measurement_runtime(m);

		fprintf(f, "<tr%s><td>", is_ceiling(ref, m) ? " class=\"rec\"" : "");
		report_put_html(f, json_get_str(m, "name"));
		fputs("</td><td>", f);
		report_put_html(f, kind_text(m));
		fprintf(f, "</td><td class=\"n\">%lld</td><td>%s</td><td class=\"n\"><b>",
			json_get_int(m, "jobs"),
			json_is_true(json_object_get(m, "direct")) ? "O_DIRECT" : "buffered");
		report_put_num(f, json_object_get(m, "mb_s"), 1, "–");
		fputs("</b></td><td class=\"n\">", f);
		if (isfinite(t))
			fprintf(f, "%.2f", t);
		else
			fputs("–", f);
		notes_text(ref, m, text, sizeof(text));
		fputs("</td><td>", f);
		report_put_html(f, text);
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div>\n<p class=\"note\">MB/s are fio&#39;s bytes over fio&#39;s runtime "
	      "(10^6 bytes per second); a copy is the bytes the slower side moved over the longer "
	      "runtime. seconds: how long the measurement ran; under a second it is flagged "
	      "short, as a run is. The highlighted row is the ceiling.</p>\n</section>\n", f);
}
