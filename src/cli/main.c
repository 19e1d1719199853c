/* SPDX-License-Identifier: MIT */
/* main.c - subcommand dispatch only (the list is cmds.c's). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cmds.h"
#include "lib/util.h"

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		commands_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		commands_usage(stdout);
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
	commands_usage(stderr);
	return 2;
}
