/* main.c - subcommand dispatch only. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cmds.h"
#include "lib/util.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "gen", cmd_gen, "write a synthetic particle set of valid MRC stacks" },
	{ "run", cmd_run, "measure one strategy at one thread count, cold, R times" },
	{ "sweep", cmd_sweep, "the grid of strategies x threads, and the thread count to set" },
	{ "strategies", cmd_strategies, "list the copy strategies and whether they can run here" },
	{ "clean", cmd_clean, "remove scratch directories left by killed runs" },
	{ "watch", cmd_watch, "live device, CPU and network counters behind paths, like iostat -x" },
	{ "diag", cmd_diag, "mounts, devices, NICs and the route to storage, with findings" },
	{ "report", cmd_report, "report.md, report.html, results.csv and plots from results.json" },
	{ "compare", cmd_compare, "baseline vs current results, noise-aware, with exit status and JUnit" },
	{ "fio", cmd_fio, "fio's read, write and copy-shaped ceilings for the same files" },
	{ "fetch", cmd_fetch, "download a set of stacks over HTTP(S), resumable and checked" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: " PROGRAM_NAME " COMMAND [options] [args]\n\n"
		   "Benchmark and diagnose how cryo-EM software caches particle stacks.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'" PROGRAM_NAME " COMMAND --help' shows a command's options.\n");
}

int main(int argc, char **argv)
{
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
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	error("unknown command '%s'", argv[1]);
	usage(stderr);
	return 2;
}
