/* SPDX-License-Identifier: MIT */
/* cmds.c - the list of subcommands, which main() and the profile sections share. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "cli/cmds.h"
#include "lib/util.h"

const struct command commands[] = {
	{ &gen_command, cmd_gen, true, false },
	{ &run_command, cmd_run_nodes, true, true },
	{ &sweep_command, cmd_sweep_nodes, true, true },
	{ &strategies_command, cmd_strategies, false, false },
	{ &clean_command, cmd_clean, false, false },
	{ &watch_command, cmd_watch, true, false },
	{ &diag_command, cmd_diag, true, false },
	{ &report_command, cmd_report, true, false },
	{ &compare_command, cmd_compare, true, false },
	{ &fio_command, cmd_fio, true, false },
	{ &fetch_command, cmd_fetch, false, false },
	{ &help_command, cmd_help, false, false },
	{ NULL, NULL, false, false },
};

const struct command *command_find(const char *name)
{
	for (const struct command *c = commands; c->cmd; c++)
		if (!strcmp(c->cmd->name, name))
			return c;
	return NULL;
}

void commands_usage(FILE *f)
{
	fprintf(f, "usage: " PROGRAM_NAME " COMMAND [options] [args]\n\n"
		   "Benchmark and diagnose how cryo-EM software caches particle stacks.\n\ncommands:\n");
	for (const struct command *c = commands; c->cmd; c++)
		fprintf(f, "  %-12s %s\n", c->cmd->name, c->cmd->brief);
	fprintf(f, "\n'" PROGRAM_NAME " help COMMAND' or '" PROGRAM_NAME
		   " COMMAND --help' shows a command's options.\n");
}
