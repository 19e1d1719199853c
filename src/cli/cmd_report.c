/* SPDX-License-Identifier: MIT */
/*
 * cmd_report.c - `report RESULTS.json`: report.md, report.html, results.csv and gnuplot images
 * rebuilt from a results.json (on any machine: it reads nothing else but the samples files).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/results.h"
#include "cli/cmdline.h"
#include "cli/cmds.h"
#include "lib/util.h"
#include "report/report.h"

struct report_opts {
	char *out;
	bool no_plots;
};

static const struct opt_def report_options[] = {
	OPT_STRING_("out", 'o', struct report_opts, out, NULL, "DIR", OPT_NO_ECHO,
		    "write the reports into DIR (default: the folder of RESULTS.json)"),
	OPT_BOOL_("no-plots", 0, struct report_opts, no_plots,
		  "do not run gnuplot (report.html draws its charts without it)"),
	OPT_END
};

const struct opt_command report_command = {
	.name = "report",
	.synopsis = "RESULTS.json|DIR",
	.brief = "report.md, report.html, results.csv and plots from results.json",
	.summary =
		"Write report.md, report.html and results.csv, and with gnuplot the plots in\n"
		"plots/, from a results.json (or the results folder holding one) into its folder\n"
		"or --out DIR, and print their paths.",
	.options = report_options,
	.min_args = 1,
	.max_args = 1,
};

int cmd_report(int argc, char **argv)
{
	struct report_opts o = { 0 };
	struct report_written w = { 0 };
	const char *schema;
	char why[PATH_MAX + 256];
	json_t *doc = NULL;
	char *path = NULL;
	char *dir = NULL;
	char **args;
	int nargs;
	int status = 1;
	int ret;

	options_defaults(report_command.options, &o);
	ret = options_parse(&report_command, argc, argv, &o, &args, &nargs);
	if (ret) {
		options_release(report_command.options, &o);
		return ret > 0 ? 0 : 2;
	}
	doc = results_read_doc(args[0], &dir, &path, why, sizeof(why));
	if (!doc) {
		error("cannot read '%s': %s", path, why);
		goto out;
	}
	schema = json_string_value(json_object_get(doc, "schema"));
	if (!json_is_object(doc) || !schema || strcmp(schema, RESULTS_SCHEMA)) {
		error("'%s' is not a results.json of schema '" RESULTS_SCHEMA "' (schema: '%s')",
		      path, schema ? schema : "none");
		goto out;
	}
	ret = report_write_all(doc, o.out ? o.out : dir, dir, o.no_plots ? REPORT_NO_PLOTS : 0, &w);
	if (ret) {
		error("cannot write the report into '%s': %s", o.out ? o.out : dir, strerror(-ret));
		goto out;
	}
	printf("%s\n%s\n%s\n", w.md, w.html, w.csv);
	for (size_t i = 0; i < w.plots.nr_files; i++) {
		char *p = path_join(o.out ? o.out : dir, w.plots.files[i]);

		printf("%s\n", p);
		free(p);
	}
	if (w.plots.skipped)
		warning("plots skipped: %s; to get them, %s", w.plots.skipped,
			plot_howto(&w.plots));
	status = 0;
out:
	report_written_release(&w);
	json_decref(doc);
	free(path);
	free(dir);
	options_release(report_command.options, &o);
	return status;
}
