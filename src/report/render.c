/* SPDX-License-Identifier: MIT */
/* render.c - the pieces report.md, report.html and results.csv print alike. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/links.h"
#include "analysis/recommend.h"
#include "lib/json_get.h"
#include "lib/util.h"
#include "report/render.h"
#include "report/report.h"

const char report_interpreter_note[] =
	"shutil replays the system calls of CPython's shutil.copyfile from C; cpython is the real "
	"interpreter running it as CryoSPARC does, one shutil.copyfile per file in a "
	"ThreadPoolExecutor (Python 3.8 to 3.13 make the same calls; 3.14 tries copy_file_range "
	"first, as shutil314 does, and 3.6 and 3.7 copy with read and write). The ratio is the "
	"emulation's median over the interpreter's at the same thread count: above 1 the emulation "
	"is faster, and the difference is the interpreter's own cost (bytecode, objects per call, "
	"threads taking turns at the GIL), which a system call sequence cannot show. Close to 1, "
	"CryoSPARC's copy costs its system calls and the storage, and shutil's figures stand for "
	"it. The bounds come from the two medians' intervals.";

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

	/* the buckets are powers of two; they are shown in MB like every other size */
	fprintf(f, "%.3g", json_number_value(json_object_get(bucket, "min_bytes")) / 1e6);
	if (json_is_number(max))
		fprintf(f, "–%.3g MB", json_number_value(max) / 1e6);
	else
		fputs(" MB or more", f);
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

	if (!json_get_has_num(cell, "ci_low_mb_s")) {
		fputs(missing, f);
		return;
	}
	report_put_num(f, json_object_get(cell, "ci_low_mb_s"), 1, missing);
	fputs("–", f);
	report_put_num(f, json_object_get(cell, "ci_high_mb_s"), 1, missing);
	if (json_is_number(cov))
		fprintf(f, " (%.0f %%)", 100 * json_number_value(cov));
}

bool report_verify_cell(json_t *run, char *buf, size_t len)
{
	json_t *v = json_object_get(run, "verify");
	const long long checked = json_get_int(v, "checked");
	const long long bad = json_get_int(v, "mismatches");

	if (!json_is_object(v)) {
		snprintf(buf, len, "-");
		return false;
	}
	if (bad)
		snprintf(buf, len, "%lld of %lld differ", bad, checked);
	else
		snprintf(buf, len, "%lld ok", checked);
	return true;
}

/*
 * What verify checked: files against their sources' hashes, and for relion, scratch images
 * against the source images as RELION converts them ("compared": "images", no hash).
 */
static void verify_checked_text(long long files, long long images, const char *hash, char *buf,
				size_t len)
{
	char f[96] = "";
	char im[96] = "";

	if (files || !images)
		snprintf(f, sizeof(f), "%lld cop%s checked against %s sources (%s)", files,
			 files == 1 ? "y" : "ies", files == 1 ? "its" : "their", hash ? hash : "?");
	if (images)
		snprintf(im, sizeof(im), "%lld image%s%s against %s source image%s", images,
			 images == 1 ? "" : "s", f[0] ? "" : " checked",
			 images == 1 ? "its" : "their", images == 1 ? "" : "s");
	snprintf(buf, len, "%s%s%s", f, f[0] && im[0] ? " and " : "", im);
}

bool report_verify_summary(json_t *doc, char *buf, size_t len)
{
	long long runs = 0, files = 0, images = 0, bad = 0, bad_runs = 0;
	const char *hash = NULL;
	char checked[256];
	json_t *run;
	size_t i;

	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		json_t *v = json_object_get(run, "verify");

		if (!json_is_object(v))
			continue;
		runs++;
		if (!strcmp(json_get_str(v, "compared"), "images"))
			images += json_get_int(v, "checked");
		else
			files += json_get_int(v, "checked");
		bad += json_get_int(v, "mismatches");
		bad_runs += json_get_int(v, "mismatches") > 0;
		if (json_is_string(json_object_get(v, "hash")))
			hash = json_get_str(v, "hash");
	}
	buf[0] = '\0';
	if (!runs)
		return false;
	verify_checked_text(files, images, hash, checked, sizeof(checked));
	if (bad)
		snprintf(buf, len, "%lld run%s verified: %s, %lld differ%s or could not be read, "
			 "in %lld run%s", runs, runs == 1 ? "" : "s", checked, bad,
			 bad == 1 ? "s" : "", bad_runs, bad_runs == 1 ? "" : "s");
	else
		snprintf(buf, len, "%lld run%s verified: %s, every one identical", runs,
			 runs == 1 ? "" : "s", checked);
	return true;
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

void report_put_html(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
				fputs("\xef\xbf\xbd", f);
			else
				fputc(*p, f);
		}
	}
}

void report_route_text(json_t *route, char *buf, size_t len)
{
	char speed[32];
	char link_speed[32];
	const char *fs = json_get_str(route, "fs");
	const char *transport = json_get_str(route, "transport");
	const char *ifname = json_get_str(route, "interface");
	const char *link = json_get_str(route, "link");
	int n = snprintf(buf, len, "%s (%s%s%s%s%s): ", json_get_str(route, "target"),
			 json_get_str(route, "why"), *fs ? ", " : "", fs, *transport ? " " : "",
			 transport);

	if (n < 0 || (size_t)n >= len)
		return;
	if (!*ifname) {
		snprintf(buf + n, len - (size_t)n, "%s", json_get_str(route, "error"));
		return;
	}
	links_speed_text(json_get_has_num(route, "speed_mbps")
				 ? (long)json_get_int(route, "speed_mbps")
				 : -1,
			 speed, sizeof(speed));
	links_speed_text(json_get_has_num(route, "link_speed_mbps")
				 ? (long)json_get_int(route, "link_speed_mbps")
				 : -1,
			 link_speed, sizeof(link_speed));
	if (*link && strcmp(link, ifname))
		snprintf(buf + n, len - (size_t)n, "%s at %s, RDMA port %s at %s", ifname, speed,
			 link, link_speed);
	else
		snprintf(buf + n, len - (size_t)n, "%s at %s", ifname, speed);
}

void report_link_text(json_t *net_entry, char *buf, size_t len)
{
	char speed[32] = "?";
	const char *kind = json_get_str(net_entry, "kind");

	if (json_get_has_num(net_entry, "speed_mbps"))
		links_speed_text((long)json_get_int(net_entry, "speed_mbps"), speed, sizeof(speed));
	snprintf(buf, len, "%s %s", *kind ? kind : "ip", speed);
}

void report_best_strategy(FILE *f, json_t *rec, const struct report_markup *m)
{
	const char *verdict = recommend_headroom_verdict(rec);
	json_t *best = json_object_get(json_object_get(json_object_get(rec, "for"), "seconds"),
				       "best");
	char buf[64];

	if (!verdict || !strcmp(verdict, "copier_only"))
		return;
	fputs(m->p_open, f);
	if (!strcmp(verdict, "copier_fastest")) {
		char *said = xasprintf("No other strategy was faster than CryoSPARC's copier (%s).",
				       recommend_strategy(rec));

		m->put(f, said);
		free(said);
		fputs(m->p_close, f);
		return;
	}
	m->put(f, strcmp(verdict, "faster") ? "Fastest median of any strategy: "
					    : "Fastest of any strategy: ");
	fputs(m->b_open, f);
	m->put(f, json_get_str(rec, "best_strategy"));
	fputs(m->b_close, f);
	fprintf(f, " at %lld thread%s, ", json_get_int(rec, "best_threads"),
		json_get_int(rec, "best_threads") == 1 ? "" : "s");
	report_put_num(f, json_object_get(rec, "best_mb_s"), 1, m->missing);
	fputs(" MB/s", f);
	if (json_is_number(best)) {
		fputs(" (", f);
		report_put_duration(f, best, m->missing);
		fputs(" for the set)", f);
	}
	if (!strcmp(verdict, "faster")) {
		snprintf(buf, sizeof(buf), "%.2fx", json_get_num(rec, "headroom"));
		fprintf(f, ": %s%s%s ", m->bold_headroom ? m->b_open : "", buf,
			m->bold_headroom ? m->b_close : "");
		m->put(f, "CryoSPARC's copier, beyond both intervals: what the hardware allows "
			  "beyond it.");
	} else if (!strcmp(verdict, "within_noise")) {
		m->put(f, ", within noise of CryoSPARC's copier (their intervals overlap): no "
			  "headroom shown.");
	} else {
		fputs(".", f);
	}
	fputs(m->p_close, f);
}

void report_section(FILE *f, const struct report_markup *m, const char *id, const char *title)
{
	if (m->html)
		fprintf(f, "<section id=\"%s\">\n<h2>%s</h2>\n", id, title);
	else
		fprintf(f, "\n## %s\n\n", title);
}

void report_section_end(FILE *f, const struct report_markup *m)
{
	if (m->html)
		fputs("</section>\n", f);
}

void report_table(FILE *f, const struct report_markup *m, bool scroll,
		  const struct report_col *cols, size_t n)
{
	if (m->html)
		fputs(scroll ? "<div class=\"scroll\"><table>\n<tr>" : "<table>\n<tr>", f);
	else
		fputc('|', f);
	for (size_t i = 0; i < n; i++) {
		if (!cols[i].label)
			continue;
		if (m->html)
			fprintf(f, "<th%s>%s</th>", cols[i].align == REPORT_TEXT ? "" : " class=\"n\"",
				cols[i].label);
		else
			fprintf(f, " %s |", cols[i].label);
	}
	if (m->html) {
		fputs("</tr>\n", f);
		return;
	}
	/* Markdown's rule below the header says how each column aligns */
	fputs("\n|", f);
	for (size_t i = 0; i < n; i++) {
		if (cols[i].label)
			fputs(cols[i].align == REPORT_NUM ? "---:|" : "---|", f);
	}
	fputc('\n', f);
}

void report_table_end(FILE *f, const struct report_markup *m, bool scroll)
{
	if (m->html)
		fputs(scroll ? "</table></div>\n" : "</table>\n", f);
}

void report_row(FILE *f, const struct report_markup *m, const char *cls)
{
	if (!m->html)
		fputc('|', f);
	else if (cls)
		fprintf(f, "<tr class=\"%s\">", cls);
	else
		fputs("<tr>", f);
}

void report_row_end(FILE *f, const struct report_markup *m)
{
	fputs(m->html ? "</tr>\n" : "\n", f);
}

void report_td(FILE *f, const struct report_markup *m, enum report_align align)
{
	if (!m->html)
		fputc(' ', f);
	else
		fputs(align == REPORT_TEXT ? "<td>" : "<td class=\"n\">", f);
}

void report_td_end(FILE *f, const struct report_markup *m)
{
	fputs(m->html ? "</td>" : " |", f);
}

void report_td_int(FILE *f, const struct report_markup *m, long long v)
{
	report_td(f, m, REPORT_NUM);
	fprintf(f, "%lld", v);
	report_td_end(f, m);
}

void report_td_num(FILE *f, const struct report_markup *m, json_t *o, const char *key,
		   int decimals)
{
	report_td(f, m, REPORT_NUM);
	report_put_num(f, json_object_get(o, key), decimals, m->missing);
	report_td_end(f, m);
}

void report_note(FILE *f, const struct report_markup *m, bool first)
{
	if (m->html)
		fputs("<p class=\"note\">", f);
	else if (first)
		fputc('\n', f);
}

void report_note_end(FILE *f, const struct report_markup *m)
{
	fputs(m->html ? "</p>\n" : "\n", f);
}
