/* SPDX-License-Identifier: MIT */
/*
 * options.h - a subcommand's option table and texts (struct opt_command), and its --help. The
 * tables themselves are lib/opt.h's; cli/cmdline.h parses a command line with them.
 *
 * A table with an OPT_STRING "profile" entry takes --profile FILE: options_parse() applies the
 * command's section of that INI file (profile.h) before the rest of the command line, which
 * overrides it.
 */
#ifndef CCB_OPTIONS_H
#define CCB_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "lib/opt.h"

/* A subcommand: its name, synopsis, one-line purpose, longer summary and option table. */
struct opt_command {
	const char *name;
	const char *synopsis;		/* "SRC DST" */
	const char *brief;		/* one line, for the list of commands */
	const char *summary;
	const struct opt_def *options;
	int min_args, max_args;		/* positional arguments; max -1 = unbounded */
};

/*
 * One more table a command line takes, and the struct its offsets are into (a strategy's options
 * for run and sweep); title heads its options in --help, and note (may be NULL) follows the
 * heading in parentheses.
 */
struct opt_group {
	const char *title;
	const struct opt_def *options;
	void *opts;
	const char *note;
};

/* What a SIZE is (parse_size()), said below the options of a --help that has one. */
#define OPTIONS_SIZE_NOTE                                                                          \
	"SIZE is bytes, whole or decimal, with a suffix: K, M, G, T, P alone or with iB are\n"        \
	"binary (1.6T = 1.6 x 2^40 bytes), with B decimal (1.6TB = 1.6 x 10^12 bytes)."

/* Print the subcommand's --help to f: its own options, then each of the n groups'. */
void options_usage(const struct opt_command *cmd, const struct opt_group *groups, size_t n,
		   FILE *f);

#endif
