/* main.c - subcommand dispatch only (the list is cmds.c's). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cmds.h"
#include "lib/util.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: " PROGRAM_NAME " COMMAND [options] [args]\n\n"
		   "Benchmark and diagnose how cryo-EM software caches particle stacks.\n\ncommands:\n");
	for (const struct command *c = commands; c->cmd; c++)
		fprintf(f, "  %-12s %s\n", c->cmd->name, c->cmd->brief);
	fprintf(f, "\n'" PROGRAM_NAME " COMMAND --help' shows a command's options.\n");
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf(PACKAGE_NAME " " PACKAGE_VERSION "\n");
		return 0;
	}
	c = command_find(argv[1]);
	if (c)
		return c->fn(argc - 1, argv + 1);
	error("unknown command '%s'", argv[1]);
	usage(stderr);
	return 2;
}
