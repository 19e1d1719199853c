/* SPDX-License-Identifier: MIT */
/* options.c - a subcommand's --help, from its option table and its groups'. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/options.h"
#include "lib/util.h"

/* One option's line (or two) of --help. */
static void print_option(const struct opt_def *def, FILE *f)
{
	char left[64];
	int n;

	if (def->short_name)
		n = snprintf(left, sizeof(left), "  -%c, --%s", def->short_name, def->name);
	else
		n = snprintf(left, sizeof(left), "      --%s", def->name);
	if (def->type != OPT_BOOL && n > 0 && (size_t)n < sizeof(left))
		snprintf(left + n, sizeof(left) - (size_t)n, " %s", def->arg ? def->arg : "VALUE");
	/* A long option name pushes its help to the next line rather than out of line. */
	if (strlen(left) >= 29)
		fprintf(f, "%s\n%-30s%s", left, "", def->help);
	else
		fprintf(f, "%-29s %s", left, def->help);
	if (def->type == OPT_CHOICE) {
		fprintf(f, " (");
		for (const char *const *c = def->choices; *c; c++)
			fprintf(f, "%s%s", c == def->choices ? "" : ", ", *c);
		fprintf(f, ")");
	}
	if (def->type == OPT_LIST)
		fprintf(f, " (repeatable)");
	if (def->def && def->type != OPT_BOOL)
		fprintf(f, " [default: %s]", def->def);
	fputc('\n', f);
}

/* Whether a table has an option that takes a SIZE. */
static bool has_size(const struct opt_def *def)
{
	for (; def && def->name; def++)
		if (def->type == OPT_SIZE)
			return true;
	return false;
}

void options_usage(const struct opt_command *cmd, const struct opt_group *groups, size_t n,
		   FILE *f)
{
	bool sizes = has_size(cmd->options);

	const struct opt_def *def = cmd->options;

	fprintf(f, "usage: " PROGRAM_NAME " %s [options] %s\n\n%s\n", cmd->name, cmd->synopsis,
		cmd->summary);
	if (!def->name)
		return;
	fprintf(f, "\noptions:\n");
	/* The options before the first heading, then --help, then each heading and its options. */
	for (; def->name && !opt_is_group(def); def++)
		print_option(def, f);
	fprintf(f, "%-29s %s\n", "  -h, --help", "show this help");
	for (; def->name; def++) {
		if (opt_is_group(def))
			fprintf(f, "\n%s:\n", def->help);
		else
			print_option(def, f);
	}
	for (size_t i = 0; i < n; i++) {
		if (!groups[i].options[0].name)
			continue;
		fprintf(f, "\n%s options%s%s%s:\n", groups[i].title, groups[i].note ? " (" : "",
			groups[i].note ? groups[i].note : "", groups[i].note ? ")" : "");
		for (const struct opt_def *d = groups[i].options; d->name; d++)
			print_option(d, f);
		sizes = sizes || has_size(groups[i].options);
	}
	if (sizes)
		fprintf(f, "\n%s\n", OPTIONS_SIZE_NOTE);
}
