/* SPDX-License-Identifier: MIT */
/*
 * cmdline.h - a subcommand's command line parsed with its option table (getopt_long, built from
 * the table), after the command's section of a --profile FILE (cli/profile.h) when it takes one.
 */
#ifndef CCB_CMDLINE_H
#define CCB_CMDLINE_H

#include <stddef.h>

#include "cli/options.h"

/*
 * Parse argv (argv[0] is the subcommand's name) into opts, and the options of the n groups into
 * theirs. On success returns 0 and points args and nargs at the positional arguments. Returns 1
 * when --help was printed (exit 0), or -EINVAL (-errno when the profile cannot be read) after
 * printing a usage error (exit 2).
 */
int options_parse_groups(const struct opt_command *cmd, void *opts, const struct opt_group *groups,
			 size_t n, int argc, char **argv, char ***args, int *nargs);

/* options_parse_groups() without groups: the command's own table only. */
int options_parse(const struct opt_command *cmd, int argc, char **argv, void *opts,
		  char ***args, int *nargs);

#endif
