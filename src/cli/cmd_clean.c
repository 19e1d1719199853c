/* SPDX-License-Identifier: MIT */
/* cmd_clean.c - `clean DST`: remove scratch directories a killed run left behind. */
#include "config.h"

#include <string.h>

#include "bench/scratch.h"
#include "cli/cmdline.h"
#include "cli/cmds.h"
#include "lib/util.h"

struct clean_opts {
	bool unused;
};

static const struct opt_def clean_options[] = {
	OPT_END
};

const struct opt_command clean_command = {
	.name = "clean",
	.synopsis = "DST",
	.brief = "remove scratch directories left by killed runs",
	.summary = "Remove the scratch directories (" SCRATCH_PREFIX "*) that runs left in DST.\n"
		   "Only directories holding the tool's marker are touched, never one a running\n"
		   "benchmark still holds; nothing else in DST is read or removed.",
	.options = clean_options,
	.min_args = 1,
	.max_args = 1,
};

int cmd_clean(int argc, char **argv)
{
	struct clean_opts o = { 0 };
	unsigned removed = 0, busy = 0, unmarked = 0;
	char **args;
	int nargs;
	int ret;

	ret = options_parse(&clean_command, argc, argv, &o, &args, &nargs);
	if (ret)
		return ret > 0 ? 0 : 2;
	ret = scratch_clean_all(args[0], &removed, &busy, &unmarked);
	if (ret) {
		error("cannot clean '%s': %s", args[0], strerror(-ret));
		return 1;
	}
	printf("removed %u scratch director%s from '%s'\n", removed, removed == 1 ? "y" : "ies",
	       args[0]);
	if (busy)
		printf("left %u in use by a running benchmark\n", busy);
	if (unmarked)
		printf("left %u without the tool's marker (not ours to delete)\n", unmarked);
	return 0;
}
