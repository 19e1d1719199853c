/* SPDX-License-Identifier: MIT */
/* cmdline.c - a subcommand's command line, and its --profile, applied through option tables. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmdline.h"
#include "cli/profile.h"
#include "lib/dynbuf.h"
#include "lib/url.h"
#include "lib/util.h"

/* The command's own table and the groups', as one list of tables: all[0] is the command's. */
struct cmdline {
	const struct opt_command *cmd;
	struct opt_group *all;
	size_t nall;
	size_t nopts;		/* options in all the tables */
};

/* The i-th option of all the tables, and in *opts the struct it sets. */
static const struct opt_def *cmdline_def(const struct cmdline *cl, size_t i, void **opts)
{
	for (size_t g = 0; g < cl->nall; g++) {
		const struct opt_def *t = cl->all[g].options;

		for (size_t k = 0; t[k].name; k++) {
			if (opt_is_group(&t[k]))
				continue;
			if (i-- == 0) {
				*opts = cl->all[g].opts;
				return &t[k];
			}
		}
	}
	return NULL;
}

static int apply_profile(const struct cmdline *cl, const char *path)
{
	const struct opt_command *cmd = cl->cmd;
	char why[512];

	for (const struct opt_def *def = cmd->options; path && def->name; def++) {
		if (strcmp(def->name, "profile"))
			continue;
		char *file = profile_locate(path);
		int ret = profile_apply(cmd->name, cl->all, cl->nall, file, why, sizeof(why));

		if (!ret)
			ret = options_set(def, cl->all[0].opts, file, why, sizeof(why));
		else
			error("%s: %s", cmd->name, why);
		free(file);
		return ret;
	}
	return 0;
}

#define VAL_VERSION 1	/* getopt_long's value for --version */

/*
 * getopt_long's tables for every option of cl: val 256 + i for the i-th, 'h' for --help,
 * VAL_VERSION for --version.
 */
static struct option *cmdline_longopts(const struct cmdline *cl, char *shortopts, size_t cap)
{
	struct option *longopts = xcalloc(cl->nopts + 3, sizeof(*longopts));
	size_t sl = strlen(shortopts);

	for (size_t i = 0; i < cl->nopts; i++) {
		void *opts;
		const struct opt_def *def = cmdline_def(cl, i, &opts);

		longopts[i].name = def->name;
		longopts[i].has_arg = def->type == OPT_BOOL ? no_argument : required_argument;
		longopts[i].val = 256 + (int)i;
		if (def->short_name && sl + 3 < cap) {
			shortopts[sl++] = (char)def->short_name;
			if (def->type != OPT_BOOL)
				shortopts[sl++] = ':';
			shortopts[sl] = '\0';
		}
	}
	longopts[cl->nopts].name = "help";
	longopts[cl->nopts].val = 'h';
	longopts[cl->nopts + 1].name = "version";
	longopts[cl->nopts + 1].val = VAL_VERSION;
	return longopts;
}

/*
 * Spellings that once meant something else here: -j was threads in run and sweep, fio's jobs in
 * fio; --jobs was gen's job folders and fio's jobs; -t was compare's --tolerance (it is
 * --threads everywhere else). Each is refused (never taken to mean another
 * option) with the name to use, when the command has that option.
 */
static const struct retired {
	const char *spelling;
	const char *option;		/* the command has this option ... */
	const char *use;		/* ... and the message says this */
} retired[] = {
	{ "-j", "threads", "use -t/--threads for threads" },
	{ "-j", "numjobs", "use --numjobs for fio's jobs" },
	{ "--jobs", "numjobs", "use --numjobs for fio's jobs" },
	{ "--jobs", "job-dirs", "use --job-dirs for CryoSPARC job folders" },
	{ "-t", "tolerance", "use --tolerance for the tolerance" },
};

/* What to use instead of spelling (e.g. "-j", "--jobs=3"), or NULL. */
static const char *retired_use(const struct cmdline *cl, const char *spelling)
{
	const size_t n = strcspn(spelling, "=");

	for (size_t r = 0; r < sizeof(retired) / sizeof(retired[0]); r++) {
		if (strlen(retired[r].spelling) != n || strncmp(retired[r].spelling, spelling, n))
			continue;
		for (size_t i = 0; i < cl->nopts; i++) {
			void *opts;

			if (!strcmp(cmdline_def(cl, i, &opts)->name, retired[r].option))
				return retired[r].use;
		}
	}
	return NULL;
}

/*
 * Whether the long option arg (its first len characters: "--pro") abbreviates several options;
 * then says so, naming them, as GNU tools do.
 */
static bool cmdline_ambiguous(const struct cmdline *cl, const char *arg, int len)
{
	struct dynbuf names;
	size_t matches = 0;

	if (len <= 2 || strncmp(arg, "--", 2))
		return false;
	dynbuf_init(&names);
	for (size_t i = 0; i < cl->nopts + 2; i++) {
		void *opts;
		const char *o = i == cl->nopts	   ? "help"
				: i == cl->nopts + 1 ? "version"
						     : cmdline_def(cl, i, &opts)->name;

		if (strncmp(o, arg + 2, (size_t)len - 2))
			continue;
		dynbuf_addf(&names, "%s--%s", matches++ ? ", " : "", o);
	}
	if (matches > 1)
		error("%s: option '%.*s' is ambiguous: %s", cl->cmd->name, len, arg,
		      dynbuf_str(&names));
	dynbuf_release(&names);
	return matches > 1;
}

/* What getopt_long refused, as a usage error. */
static void cmdline_refused(const struct cmdline *cl, char **argv)
{
	const char *name = cl->cmd->name;
	char spelling[3] = { '-', (char)optopt, '\0' };
	const char *use;

	if (optopt >= 256) {
		void *opts;
		const struct opt_def *def = cmdline_def(cl, (size_t)optopt - 256, &opts);

		if (def->type == OPT_BOOL) /* "--verify=yes" */
			error("%s: option '--%s' takes no value", name, def->name);
		else
			error("%s: option '--%s' needs a value", name, def->name);
	} else if (optopt) {
		use = retired_use(cl, spelling);
		if (use)
			error("%s: unknown option '-%c': %s", name, optopt, use);
		else
			error("%s: unknown or incomplete option '-%c'", name, optopt);
	} else {
		const char *arg = argv[optind - 1];
		const int len = (int)strcspn(arg, "=");

		/* Not its "=value": a mistyped --source-url=... would show the URL's password. */
		use = retired_use(cl, arg);
		if (!use && cmdline_ambiguous(cl, arg, len))
			return;
		if (use)
			error("%s: unknown option '%.*s': %s", name, len, arg, use);
		else
			error("%s: unknown option '%.*s'", name, len, arg);
	}
}

/* The option getopt_long returned as c, and in *opts the struct it sets; NULL: none. */
static const struct opt_def *cmdline_option(const struct cmdline *cl, int c, void **opts)
{
	const struct opt_def *def = NULL;

	if (c >= 256)
		return cmdline_def(cl, (size_t)c - 256, opts);
	for (size_t i = 0; i < cl->nopts; i++) {
		void *o;
		const struct opt_def *d = cmdline_def(cl, i, &o);

		if (d->short_name == c) {
			def = d;
			*opts = o;
		}
	}
	return def;
}

/*
 * The value of --profile in argv (the last one wins; an abbreviation such as --prof counts, as
 * getopt_long takes it), found in a first pass so that the profile is applied before the
 * command line, which overrides it. Errors are left to the second pass.
 */
static const char *find_profile(const struct cmdline *cl, const struct option *longopts,
				const char *shortopts, int argc, char **argv)
{
	const char *path = NULL;
	/* A copy: getopt_long moves the operands after the options it has seen, and an option
	 * missing its value at the end ("SRC DST --out") would take SRC as it in the second pass. */
	char **copy = xcalloc((size_t)argc + 1, sizeof(*copy));
	int c;

	memcpy(copy, argv, (size_t)argc * sizeof(*copy));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, copy, shortopts, longopts, NULL)) != -1) {
		void *opts;
		const struct opt_def *def = c == '?' || c == ':' ? NULL : cmdline_option(cl, c, &opts);

		if (def && !strcmp(def->name, "profile"))
			path = optarg;
	}
	free(copy);
	return path;
}

static int cmdline_args(const struct opt_command *cmd, char ***args, int *nargs)
{
	if (*nargs >= cmd->min_args && (cmd->max_args < 0 || *nargs <= cmd->max_args))
		return 0;
	if (*nargs < cmd->min_args)
		error("%s: missing arguments: expected %s", cmd->name, cmd->synopsis);
	else {
		char *shown = url_shown((*args)[cmd->max_args]);

		error("%s: unexpected argument '%s'", cmd->name, shown);
		free(shown);
	}
	return -EINVAL;
}

int options_parse_groups(const struct opt_command *cmd, void *opts, const struct opt_group *groups,
			 size_t n, int argc, char **argv, char ***args, int *nargs)
{
	struct cmdline cl = { .cmd = cmd, .nall = n + 1 };
	struct option *longopts;
	char shortopts[2 * 64 + 4] = ":h";	/* options after operands too, as GNU tools take */
	int ret = 0;

	cl.all = xcalloc(n + 1, sizeof(*cl.all));
	cl.all[0] = (struct opt_group){ .options = cmd->options, .opts = opts };
	for (size_t i = 0; i < n; i++)
		cl.all[i + 1] = groups[i];
	for (size_t g = 0; g < cl.nall; g++)
		for (const struct opt_def *def = cl.all[g].options; def->name; def++)
			cl.nopts += !opt_is_group(def);
	longopts = cmdline_longopts(&cl, shortopts, sizeof(shortopts));

	ret = apply_profile(&cl, find_profile(&cl, longopts, shortopts, argc, argv));
	if (ret)
		goto usage;
	optind = 0;
	opterr = 0;
	for (;;) {
		const struct opt_def *def;
		void *dest = NULL;
		char why[512];
		int c = getopt_long(argc, argv, shortopts, longopts, NULL);

		if (c == -1)
			break;
		if (c == 'h') {
			options_usage(cmd, groups, n, stdout);
			ret = 1;
			goto out;
		}
		if (c == VAL_VERSION) {
			printf(PACKAGE_NAME " " PACKAGE_VERSION "\n");
			ret = 1;
			goto out;
		}
		if (c == '?' || c == ':') {
			cmdline_refused(&cl, argv);
			ret = -EINVAL;
			goto usage;
		}
		def = cmdline_option(&cl, c, &dest);
		if (!def)
			continue;
		ret = options_set(def, dest, def->type == OPT_BOOL ? NULL : optarg, why,
				  sizeof(why));
		if (ret) {
			error("%s: %s", cmd->name, why);
			goto out;
		}
	}
	*args = argv + optind;
	*nargs = argc - optind;
	ret = cmdline_args(cmd, args, nargs);
usage:
	if (ret < 0)
		fprintf(stderr, "Try '" PROGRAM_NAME " %s --help'.\n", cmd->name);
out:
	free(longopts);
	free(cl.all);
	return ret;
}

int options_parse(const struct opt_command *cmd, int argc, char **argv, void *opts,
		  char ***args, int *nargs)
{
	return options_parse_groups(cmd, opts, NULL, 0, argc, argv, args, nargs);
}
