/* SPDX-License-Identifier: MIT */
/* compare_render.c - a comparison of two results documents as Markdown and as JUnit XML. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

static void md_value(json_t *v, FILE *f)
{
	char *s;

	if (!v || json_is_null(v)) {
		fputs("—", f);
		return;
	}
	if (json_is_string(v)) {
		fprintf(f, "`%s`", json_string_value(v));
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	fprintf(f, "`%s`", s ? s : "?");
	free(s);
}

static void md_diffs(json_t *list, FILE *f)
{
	json_t *d;
	size_t i;

	fprintf(f, "| | baseline | current |\n|---|---|---|\n");
	json_array_foreach(list, i, d) {
		fprintf(f, "| %s | ", json_string_value(json_object_get(d, "key")));
		md_value(json_object_get(d, "baseline"), f);
		fputs(" | ", f);
		md_value(json_object_get(d, "current"), f);
		fputs(" |\n", f);
	}
}

/* A side's median and runs: "1200 (5)", "1200 (5, 2 not cold)". */
static void md_side(json_t *side, FILE *f)
{
	const long long not_cold = json_integer_value(json_object_get(side, "not_cold_runs"));
	const json_t *m = json_object_get(side, "median_mb_s");

	if (json_is_number(m))
		fprintf(f, "%.0f", json_number_value(m));
	else
		fputs("—", f);
	fprintf(f, " (%lld", (long long)json_integer_value(json_object_get(side, "runs")));
	if (not_cold)
		fprintf(f, ", %lld not cold", not_cold);
	fputs(")", f);
}

/* The change, or why there is no percentage (both medians 0: no change). */
static void md_change(json_t *c, FILE *f)
{
	json_t *pct = json_object_get(c, "change_pct");
	json_t *ma = json_object_get(json_object_get(c, "baseline"), "median_mb_s");
	json_t *mb = json_object_get(json_object_get(c, "current"), "median_mb_s");

	if (json_is_number(pct))
		fprintf(f, "%+.1f %%", json_number_value(pct));
	else if (json_is_number(ma) && json_is_number(mb) && json_number_value(ma) == 0)
		fputs(json_number_value(mb) == 0 ? "no change (both 0)" : "n/a (baseline 0)", f);
	else
		fputs("—", f);
}

/* Under the table: how many runs were not cold, and what that means for the verdicts. */
static void md_not_cold(json_t *cells, FILE *f)
{
	long long a = 0;
	long long b = 0;
	size_t n = 0;
	json_t *c;
	size_t i;

	json_array_foreach(cells, i, c) {
		a += json_integer_value(json_object_get(json_object_get(c, "baseline"), "not_cold_runs"));
		b += json_integer_value(json_object_get(json_object_get(c, "current"), "not_cold_runs"));
		n += json_is_true(json_object_get(c, "not_cold"));
	}
	if (!n)
		return;
	fprintf(f, "\n### Not cold\n\n%lld baseline and %lld current runs, in %zu cell%s, started "
		   "with the source in the page cache (or with its residency unknown): their "
		   "throughput may be memory's, not storage's, and so may the verdict%s.\n", a, b, n,
		n == 1 ? "" : "s", n == 1 ? "" : "s");
}

/* A p-value, or "—" when no test was run. */
static void md_p(json_t *v, FILE *f)
{
	if (json_is_number(v))
		fprintf(f, "%.3g", json_number_value(v));
	else
		fputs("—", f);
}

const char *compare_headline(json_t *cmp)
{
	if (json_is_true(json_object_get(cmp, "regression")))
		return "REGRESSION";
	if (compare_missing_fails(cmp))
		return "MISSING CELLS";
	return "no regression";
}

bool compare_missing_fails(json_t *cmp)
{
	return json_is_true(json_object_get(cmp, "fail_on_missing")) &&
	       json_integer_value(json_object_get(json_object_get(cmp, "counts"), "missing")) > 0;
}

int compare_write_markdown(json_t *cmp, FILE *f)
{
	const bool fail_missing = json_is_true(json_object_get(cmp, "fail_on_missing"));
	json_t *counts = json_object_get(cmp, "counts");
	json_t *c;
	size_t i;

	fprintf(f, "## cryocache-bench compare: %s\n\n", compare_headline(cmp));
	fprintf(f,
		"%lld slower, %lld faster, %lld same, %lld too noisy, %lld insufficient, %lld "
		"missing, %lld new "
		"(Mann-Whitney U, alpha %g, minimum change %g %%, at least %lld runs a side)\n\n",
		(long long)json_integer_value(json_object_get(counts, "slower")),
		(long long)json_integer_value(json_object_get(counts, "faster")),
		(long long)json_integer_value(json_object_get(counts, "same")),
		(long long)json_integer_value(json_object_get(counts, "noisy")),
		(long long)json_integer_value(json_object_get(counts, "insufficient")),
		(long long)json_integer_value(json_object_get(counts, "missing")),
		(long long)json_integer_value(json_object_get(counts, "new")),
		json_number_value(json_object_get(cmp, "alpha")),
		json_number_value(json_object_get(cmp, "tolerance")) * 100,
		(long long)json_integer_value(json_object_get(cmp, "min_runs")));
	fprintf(f, "| strategy | threads | jobs | verdict | baseline MB/s (runs) | current MB/s "
		   "(runs) "
		   "| change | p |\n|---|---:|---:|---|---:|---:|---:|---:|\n");
	json_array_foreach(json_object_get(cmp, "cells"), i, c) {
		json_t *a = json_object_get(c, "baseline");
		json_t *b = json_object_get(c, "current");
		const char *v = json_string_value(json_object_get(c, "verdict"));

		const bool bold = !strcmp(v, "slower") || (!strcmp(v, "missing") && fail_missing);

		fprintf(f, "| %s | %lld | %lld | %s%s%s | ",
			json_string_value(json_object_get(c, "strategy")),
			(long long)json_integer_value(json_object_get(c, "threads")),
			(long long)json_integer_value(json_object_get(c, "jobs")), bold ? "**" : "",
			!strcmp(v, "noisy") ? "too noisy, raise --repeats" : v, bold ? "**" : "");
		md_side(a, f);
		fputs(" | ", f);
		md_side(b, f);
		fputs(" | ", f);
		md_change(c, f);
		fputs(" | ", f);
		md_p(json_object_get(c, "p_value"), f);
		fputs(" |\n", f);
	}
	md_not_cold(json_object_get(cmp, "cells"), f);
	if (json_array_size(json_object_get(cmp, "hardware"))) {
		fprintf(f,
			"\n### Different hardware\n\nThe baseline was measured on other hardware, or "
			"a document does not say on which (—: unknown); its numbers are not a reference "
			"for this machine.\n\n");
		md_diffs(json_object_get(cmp, "hardware"), f);
	}
	if (json_array_size(json_object_get(cmp, "environment"))) {
		fprintf(f, "\n### Environment differences\n\nA change may come from these rather "
			   "than from the code:\n\n");
		md_diffs(json_object_get(cmp, "environment"), f);
	}
	return ferror(f) ? -EIO : 0;
}

static void xml_text(const char *s, FILE *f)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			/* control characters are not allowed in XML 1.0 */
			fputc((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' ? ' ' : *s, f);
		}
	}
}

int compare_write_junit(json_t *cmp, FILE *f)
{
	json_t *cells = json_object_get(cmp, "cells");
	json_t *counts = json_object_get(cmp, "counts");
	json_t *c;
	size_t i;
	const bool fail_missing = json_is_true(json_object_get(cmp, "fail_on_missing"));
	const long long missing = json_integer_value(json_object_get(counts, "missing"));
	long long skipped = json_integer_value(json_object_get(counts, "noisy")) +
			    json_integer_value(json_object_get(counts, "insufficient")) +
			    (fail_missing ? 0 : missing) +
			    json_integer_value(json_object_get(counts, "new"));
	double total = 0;

	/* time: how long the current results measured each cell (JUnit's test duration) */
	json_array_foreach(cells, i, c)
		total += json_number_value(json_object_get(json_object_get(c, "current"), "seconds"));
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites>\n<testsuite name=\"cryocache-bench compare\" tests=\"%zu\" "
		   "failures=\"%lld\" errors=\"0\" skipped=\"%lld\" time=\"%.3f\">\n",
		json_array_size(cells),
		(long long)json_integer_value(json_object_get(counts, "slower")) +
			(fail_missing ? missing : 0),
		skipped, total);
	json_array_foreach(cells, i, c) {
		const char *s = json_string_value(json_object_get(c, "strategy"));
		const char *v = json_string_value(json_object_get(c, "verdict"));
		const char *reason = json_string_value(json_object_get(c, "reason"));

		fputs("  <testcase classname=\"", f);
		xml_text(s, f);
		fputs("\" name=\"", f);
		xml_text(s, f);
		fprintf(f, " threads=%lld jobs=%lld\" time=\"%.3f\">",
			(long long)json_integer_value(json_object_get(c, "threads")),
			(long long)json_integer_value(json_object_get(c, "jobs")),
			json_number_value(json_object_get(json_object_get(c, "current"), "seconds")));
		if (!strcmp(v, "slower")) {
			fputs("<failure message=\"slower: ", f);
			xml_text(reason, f);
			fputs("\" type=\"regression\"/>", f);
		} else if (!strcmp(v, "missing") && fail_missing) {
			fputs("<failure message=\"missing: ", f);
			xml_text(reason, f);
			fputs("\" type=\"missing\"/>", f);
		} else if (strcmp(v, "faster") && strcmp(v, "same")) {
			fprintf(f, "<skipped message=\"%s: ", v);
			xml_text(reason, f);
			fputs("\"/>", f);
		} else {
			fprintf(f, "<system-out>%s: ", v);
			xml_text(reason, f);
			fputs("</system-out>", f);
		}
		fputs("</testcase>\n", f);
	}
	fprintf(f, "</testsuite>\n</testsuites>\n");
	return ferror(f) ? -EIO : 0;
}
