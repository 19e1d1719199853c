/* SPDX-License-Identifier: MIT */
/* cmd_compare.c - `compare BASELINE CURRENT`: noise-aware verdicts per cell, for CI. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "bench/results.h"
#include "cli/cmdline.h"
#include "cli/cmds.h"
#include "cli/post_results.h"
#include "lib/text.h"
#include "lib/util.h"
#include "report/report.h"

/* Exit statuses, documented in --help, the man page and docs/ci.md. */
enum {
	COMPARE_OK = 0,		/* no cell is slower */
	COMPARE_REGRESSION = 1,	/* a cell is slower, or with --fail-on-missing one is missing */
	COMPARE_USAGE = 2,	/* bad usage, unreadable input, other or unknown hardware without --force */
	/* POST_FAILED_STATUS (3): --post failed and --post-required was given, no regression */
};

static const char *const compare_output_formats[] = { "normal", "json", NULL };

struct compare_opts {
	double tolerance;
	double alpha;
	long min_repeats;
	bool force;
	bool fail_on_missing;
	char *junit;
	char *json;
	char *html;
	char *output_format;
	struct post_opts post;
	char *cafile;
	bool insecure;
};

static const struct opt_def compare_options[] = {
	OPT_DOUBLE_("tolerance", 0, struct compare_opts, tolerance, "5", "PCT", 0, 100,
		    "smaller changes of the median than PCT % are 'same' even when significant"),
	OPT_DOUBLE_("alpha", 0, struct compare_opts, alpha, "0.05", "P", 1e-6, 0.5,
		    "significance level of the Mann-Whitney U test over the repeats"),
	OPT_LONG_("min-repeats", 0, struct compare_opts, min_repeats, "5", "N", 2, 10000,
		  "fewer complete runs on a side: 'insufficient'"),
	OPT_BOOL_("force", 'f', struct compare_opts, force,
		  "compare even when the baseline is from other or unknown hardware (CPU, device "
		  "models, NICs)"),
	OPT_BOOL_("fail-on-missing", 0, struct compare_opts, fail_on_missing,
		  "a cell of the baseline missing from the current results fails too (exit 1, a "
		  "JUnit failure)"),
	OPT_STRING_("junit", 0, struct compare_opts, junit, NULL, "FILE", OPT_NO_ECHO,
		    "also write JUnit XML: one testcase per cell, a failure per regression"),
	OPT_STRING_("html", 0, struct compare_opts, html, NULL, "FILE", OPT_NO_ECHO,
		    "also write one self-contained HTML page: the verdicts, and each cell's runs, "
		    "baseline beside current"),
	OPT_STRING_("json", 0, struct compare_opts, json, NULL, "FILE", OPT_NO_ECHO,
		    "also write the verdicts as JSON ('-': stdout instead of the Markdown)"),
	{ "output-format", 0, OPT_CHOICE, offsetof(struct compare_opts, output_format), "normal",
	  "FMT", "what stdout gets: the Markdown summary, or (json, as fio's) the verdicts as JSON",
	  OPT_NO_ECHO, 0, 0, compare_output_formats },
	POST_OPTIONS(struct compare_opts, post),
	OPT_STRING_("cafile", 0, struct compare_opts, cafile, NULL, "FILE", 0,
		    "--post: CA certificates to verify the collector with"),
	OPT_BOOL_("insecure", 0, struct compare_opts, insecure,
		  "--post: do not verify the collector's certificate"),
	OPT_END
};

const struct opt_command compare_command = {
	.name = "compare",
	.synopsis = "BASELINE CURRENT",
	.brief = "baseline vs current results, noise-aware, with exit status and JUnit",
	.summary = "Compare two results.json (files or results folders) cell by cell, taking the\n"
		   "noise of the repeats into account, and print a Markdown summary.\n"
		   "With --post, the verdicts and CURRENT go to a results collector as\n"
		   "{\"verdict\": ..., \"results\": ...}.\n"
		   "Exit status: 0 no regression, 1 a cell is slower (or, with --fail-on-missing,\n"
		   "missing), 2 usage error, unreadable input or a baseline from other or unknown\n"
		   "hardware (without --force), 3 no regression but the verdict could not be posted\n"
		   "and --post-required was given. Runs that were not cold count, flagged in the\n"
		   "summary and in each cell's reason.",
	.options = compare_options,
	.min_args = 2,
	.max_args = 2,
};

/* A results.json, or a results folder holding one (read as results_read_doc() reads). */
static json_t *load_doc(const char *arg)
{
	char why[PATH_MAX + 256];
	char *dir = NULL;
	char *path = NULL;
	json_t *doc = results_read_doc(arg, &dir, &path, why, sizeof(why));

	if (!doc)
		error("compare: cannot %s '%s': %s", strncmp(why, "line ", 5) ? "read" : "parse",
		      path, why);
	/* Its cells differ by node count too, which compare's verdicts do not tell apart yet. */
	if (doc && json_is_object(json_object_get(doc, "cluster"))) {
		error("compare: '%s' was measured across nodes: compare does not compare runs "
		      "across nodes yet", path);
		json_decref(doc);
		doc = NULL;
	}
	free(dir);
	free(path);
	return doc;
}

static int write_to(const char *path, json_t *cmp, int (*fn)(json_t *, FILE *))
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f) {
		error("compare: cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	ret = fn(cmp, f);
	if (fclose(f) || ret) {
		error("compare: cannot write '%s': %s", path, strerror(ret ? -ret : errno));
		return -1;
	}
	return 0;
}

/* The verdicts as JSON, each number rounded to what it means (compare_rounded). */
static int write_html(const char *path, json_t *cmp, json_t *base, json_t *cur)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f) {
		error("compare: cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	ret = compare_write_html(cmp, base, cur, f);
	if (fclose(f) || ret) {
		error("compare: cannot write '%s': %s", path, strerror(ret ? -ret : errno));
		return -1;
	}
	return 0;
}

static int dump_json(json_t *cmp, FILE *f)
{
	json_t *out = compare_rounded(cmp);
	int ret = json_dumpf(out, f, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));

	json_decref(out);
	if (ret)
		return -EIO;
	fputc('\n', f);
	return ferror(f) ? -EIO : 0;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_opts o = { 0 };
	struct compare_params p;
	json_t *base = NULL;
	json_t *cur = NULL;
	json_t *cmp = NULL;
	char why[512];
	char **args;
	int nargs;
	int status = COMPARE_USAGE;
	int ret;

	options_defaults(compare_command.options, &o);
	ret = options_parse(&compare_command, argc, argv, &o, &args, &nargs);
	if (ret) {
		options_release(compare_command.options, &o);
		return ret > 0 ? COMPARE_OK : COMPARE_USAGE;
	}
	if (post_check(&o.post))
		goto out;
	base = load_doc(args[0]);
	cur = load_doc(args[1]);
	if (!base || !cur)
		goto out;
	compare_params_init(&p);
	p.tolerance = o.tolerance / 100.0;
	p.alpha = o.alpha;
	p.min_runs = (size_t)o.min_repeats;
	cmp = compare_docs(base, cur, &p, why, sizeof(why));
	if (!cmp) {
		error("compare: %s", why);
		goto out;
	}
	if (json_array_size(json_object_get(cmp, "hardware")) && !o.force) {
		json_t *d;
		size_t i;

		error("compare: the baseline '%s' is from other or unknown hardware; compare on the "
		      "same hardware, or use --force to compare anyway:", args[0]);
		json_array_foreach(json_object_get(cmp, "hardware"), i, d) {
			json_t *va = json_object_get(d, "baseline");
			json_t *vb = json_object_get(d, "current");
			/* null: the document does not say */
			char *a = json_is_null(va) ? NULL : json_dumps(va, JSON_ENCODE_ANY);
			char *b = json_is_null(vb) ? NULL : json_dumps(vb, JSON_ENCODE_ANY);

			fprintf(stderr, "  %s: %s (baseline) vs %s (current)\n",
				json_string_value(json_object_get(d, "key")), a ? a : "unknown",
				b ? b : "unknown");
			free(a);
			free(b);
		}
		goto out;
	}
	json_object_set_new(cmp, "forced", json_boolean(o.force));
	json_object_set_new(cmp, "fail_on_missing", json_boolean(o.fail_on_missing));
	json_object_set_new(cmp, "baseline_path", text_json(args[0]));
	json_object_set_new(cmp, "current_path", text_json(args[1]));
	if ((o.json && !strcmp(o.json, "-")) || !strcmp(o.output_format, "json")) {
		if (dump_json(cmp, stdout))
			goto out;
	} else {
		compare_write_markdown(cmp, stdout);
	}
	if (o.json && strcmp(o.json, "-") && write_to(o.json, cmp, dump_json))
		goto out;
	if (o.junit && write_to(o.junit, cmp, compare_write_junit))
		goto out;
	if (o.html && write_html(o.html, cmp, base, cur))
		goto out;
	if (fflush(stdout)) {
		error("compare: cannot write the summary: %s", strerror(errno));
		goto out;
	}
	status = json_is_true(json_object_get(cmp, "regression")) || compare_missing_fails(cmp)
			 ? COMPARE_REGRESSION
			 : COMPARE_OK;
	if (compare_missing_fails(cmp))
		error("compare: %lld cell%s of the baseline %s missing from the current results "
		      "(--fail-on-missing)",
		      (long long)json_integer_value(
			      json_object_get(json_object_get(cmp, "counts"), "missing")),
		      json_integer_value(json_object_get(json_object_get(cmp, "counts"),
							 "missing")) == 1 ? "" : "s",
		      json_integer_value(json_object_get(json_object_get(cmp, "counts"),
							 "missing")) == 1 ? "is" : "are");
	if (o.post.url) {
		json_t *doc = json_pack("{s:o, s:O}", "verdict", compare_rounded(cmp), "results",
					cur);
		char *text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS |
					     JSON_REAL_PRECISION(15));

		ret = text ? post_json(&o.post, text, strlen(text), "the verdict", o.cafile,
				       o.insecure)
			   : -ENOMEM;
		status = post_status(&o.post, status, ret);
		free(text);
		json_decref(doc);
	}
out:
	json_decref(cmp);
	json_decref(base);
	json_decref(cur);
	options_release(compare_command.options, &o);
	return status;
}
