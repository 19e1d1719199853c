/* SPDX-License-Identifier: MIT */
/*
 * cmds.h - the list of subcommands: each one's option table and texts (struct opt_command) and
 * the function main() dispatches to, which returns the process exit status. The list also says
 * which commands a profile may hold a [section] for (cli/profile.h).
 */
#ifndef CCB_CMDS_H
#define CCB_CMDS_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/options.h"

struct command {
	const struct opt_command *cmd;
	int (*fn)(int argc, char **argv);
	bool profile_section;		/* a profile may hold a [name] section of its options */
	bool strategy_options;		/* its line takes every strategy's options too */
};

/* The subcommands in the order `--help` lists them; ends with an entry whose cmd is NULL. */
extern const struct command commands[];

/* The command named name, or NULL. */
const struct command *command_find(const char *name);

/* The program's usage: the commands, each with its one-line purpose. */
void commands_usage(FILE *f);

extern const struct opt_command gen_command;
extern const struct opt_command run_command;
extern const struct opt_command sweep_command;
extern const struct opt_command strategies_command;
extern const struct opt_command clean_command;
extern const struct opt_command watch_command;
extern const struct opt_command diag_command;
extern const struct opt_command report_command;
extern const struct opt_command compare_command;
extern const struct opt_command fio_command;
extern const struct opt_command fetch_command;
extern const struct opt_command help_command;

int cmd_gen(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_strategies(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_diag(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_fio(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_help(int argc, char **argv);
/* run and sweep as main() calls them: across the ranks of an MPI job when started in one
 * (cli/nodes_opts.h). */
int cmd_run_nodes(int argc, char **argv);
int cmd_sweep_nodes(int argc, char **argv);

#endif
