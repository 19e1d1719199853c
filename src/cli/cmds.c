/* cmds.c - the list of subcommands, which main() and the profile sections share. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "cli/cmds.h"

const struct command commands[] = {
	{ &gen_command, cmd_gen, true },
	{ &run_command, cmd_run, true },
	{ &sweep_command, cmd_sweep, true },
	{ &strategies_command, cmd_strategies, false },
	{ &clean_command, cmd_clean, false },
	{ &watch_command, cmd_watch, true },
	{ &diag_command, cmd_diag, true },
	{ &report_command, cmd_report, true },
	{ &compare_command, cmd_compare, true },
	{ &fio_command, cmd_fio, true },
	{ &fetch_command, cmd_fetch, false },
	{ NULL, NULL, false },
};

const struct command *command_find(const char *name)
{
	for (const struct command *c = commands; c->cmd; c++)
		if (!strcmp(c->cmd->name, name))
			return c;
	return NULL;
}
