/* options.c - parse the command line, print --help and echo parameters, all from one table. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "cli/profile.h"
#include "lib/util.h"

#define FIELD(opts, def, type) ((type *)((char *)(opts) + (def)->offset))

static size_t options_count(const struct opt_def *t)
{
	size_t n = 0;

	while (t[n].name)
		n++;
	return n;
}

static bool choice_ok(const struct opt_def *def, const char *value)
{
	for (const char *const *c = def->choices; *c; c++)
		if (strcmp(*c, value) == 0)
			return true;
	return false;
}

int options_set(const struct opt_def *def, void *opts, const char *value, char *why, size_t len)
{
	long l;
	double d;
	uint64_t sz;
	char *end;
	int ret;

	switch (def->type) {
	case OPT_BOOL:
		if (!value || !strcmp(value, "true") || !strcmp(value, "1") || !strcmp(value, "yes")) {
			*FIELD(opts, def, bool) = true;
		} else if (!strcmp(value, "false") || !strcmp(value, "0") || !strcmp(value, "no")) {
			*FIELD(opts, def, bool) = false;
		} else {
			snprintf(why, len, "invalid value '%s' for --%s: expected true or false", value,
				 def->name);
			return -EINVAL;
		}
		return 0;
	case OPT_LONG:
		ret = parse_long(value, (long)def->min, (long)def->max, &l);
		if (ret) {
			snprintf(why, len, "invalid value '%s' for --%s: expected a whole number from %.0f to %.0f",
				 value, def->name, def->min, def->max);
			return -EINVAL;
		}
		*FIELD(opts, def, long) = l;
		return 0;
	case OPT_DOUBLE:
		errno = 0;
		d = strtod(value, &end);
		if (errno || end == value || *end || d < def->min || d > def->max) {
			snprintf(why, len, "invalid value '%s' for --%s: expected a number from %g to %g",
				 value, def->name, def->min, def->max);
			return -EINVAL;
		}
		*FIELD(opts, def, double) = d;
		return 0;
	case OPT_SIZE:
		ret = parse_size(value, &sz);
		if (ret) {
			snprintf(why, len, "invalid size '%s' for --%s: expected bytes, e.g. 4096, 64K, 1M, 2G",
				 value, def->name);
			return -EINVAL;
		}
		*FIELD(opts, def, uint64_t) = sz;
		return 0;
	case OPT_CHOICE:
		if (!choice_ok(def, value)) {
			size_t off = (size_t)snprintf(why, len, "invalid value '%s' for --%s: expected one of",
						      value, def->name);
			for (const char *const *c = def->choices; *c && off < len; c++)
				off += (size_t)snprintf(why + off, len - off, " %s", *c);
			return -EINVAL;
		}
		/* fall through */
	case OPT_STRING:
		free(*FIELD(opts, def, char *));
		*FIELD(opts, def, char *) = xstrdup(value);
		return 0;
	case OPT_LIST: {
		struct opt_list *list = FIELD(opts, def, struct opt_list);

		list->v = xrealloc(list->v, (list->n + 1) * sizeof(*list->v));
		list->v[list->n++] = xstrdup(value);
		return 0;
	}
	}
	snprintf(why, len, "internal error: option --%s has no type", def->name);
	return -EINVAL;
}

void options_defaults(const struct opt_command *cmd, void *opts)
{
	for (const struct opt_def *def = cmd->options; def->name; def++) {
		char why[256];

		if (!def->def)
			continue;
		if (options_set(def, opts, def->def, why, sizeof(why)))
			error("internal error: bad default: %s", why);
	}
}

void options_usage(const struct opt_command *cmd, FILE *f)
{
	fprintf(f, "usage: " PROGRAM_NAME " %s [options] %s\n\n%s\n", cmd->name, cmd->synopsis,
		cmd->summary);
	if (!cmd->options[0].name)
		return;
	fprintf(f, "\noptions:\n");
	for (const struct opt_def *def = cmd->options; def->name; def++) {
		char left[64];
		int n;

		if (def->short_name)
			n = snprintf(left, sizeof(left), "  -%c, --%s", def->short_name, def->name);
		else
			n = snprintf(left, sizeof(left), "      --%s", def->name);
		if (def->type != OPT_BOOL && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " %s", def->arg ? def->arg : "VALUE");
		/* A long option name pushes its help to the next line rather than out of line. */
		if (strlen(left) >= 29)
			fprintf(f, "%s\n%-30s%s", left, "", def->help);
		else
			fprintf(f, "%-29s %s", left, def->help);
		if (def->type == OPT_CHOICE) {
			fprintf(f, " (");
			for (const char *const *c = def->choices; *c; c++)
				fprintf(f, "%s%s", c == def->choices ? "" : ", ", *c);
			fprintf(f, ")");
		}
		if (def->type == OPT_LIST)
			fprintf(f, " (repeatable)");
		if (def->def && def->type != OPT_BOOL)
			fprintf(f, " [default: %s]", def->def);
		fputc('\n', f);
	}
	fprintf(f, "%-29s %s\n", "  -h, --help", "show this help");
}

/*
 * The value of --profile FILE or --profile=FILE in argv, before any "--"; the last one wins.
 * Found before the command line is parsed, so that the command line overrides the profile.
 */
static const char *find_profile(int argc, char **argv)
{
	const char *path = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--profile") && i + 1 < argc)
			path = argv[++i];
		else if (!strncmp(argv[i], "--profile=", 10))
			path = argv[i] + 10;
	}
	return path;
}

static int apply_profile(const struct opt_command *cmd, int argc, char **argv, void *opts)
{
	const char *path = find_profile(argc, argv);
	char why[512];

	for (const struct opt_def *def = cmd->options; path && def->name; def++) {
		if (strcmp(def->name, "profile"))
			continue;
		if (profile_apply(cmd, path, opts, why, sizeof(why))) {
			error("%s: %s", cmd->name, why);
			return -1;
		}
		return options_set(def, opts, path, why, sizeof(why)) ? -1 : 0;
	}
	return 0;
}

int options_parse(const struct opt_command *cmd, int argc, char **argv, void *opts,
		  char ***args, int *nargs)
{
	size_t n = options_count(cmd->options);
	struct option *longopts = xcalloc(n + 2, sizeof(*longopts));
	char shortopts[2 * 64 + 4] = "+h";
	size_t sl = 2;
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		const struct opt_def *def = &cmd->options[i];

		longopts[i].name = def->name;
		longopts[i].has_arg = def->type == OPT_BOOL ? no_argument : required_argument;
		longopts[i].val = 256 + (int)i;
		if (def->short_name && sl + 3 < sizeof(shortopts)) {
			shortopts[sl++] = (char)def->short_name;
			if (def->type != OPT_BOOL)
				shortopts[sl++] = ':';
			shortopts[sl] = '\0';
		}
	}
	longopts[n].name = "help";
	longopts[n].val = 'h';

	if (apply_profile(cmd, argc, argv, opts)) {
		fprintf(stderr, "Try '" PROGRAM_NAME " %s --help'.\n", cmd->name);
		ret = -1;
		goto out;
	}
	optind = 1;
	opterr = 0;
	for (;;) {
		const struct opt_def *def = NULL;
		char why[512];
		int c = getopt_long(argc, argv, shortopts, longopts, NULL);

		if (c == -1)
			break;
		if (c == 'h') {
			options_usage(cmd, stdout);
			ret = 1;
			goto out;
		}
		if (c == '?' || c == ':') {
			if (optopt >= 256)
				error("%s: option '--%s' needs a value", cmd->name,
				      cmd->options[optopt - 256].name);
			else if (optopt)
				error("%s: unknown or incomplete option '-%c'", cmd->name, optopt);
			else
				error("%s: unknown option '%s'", cmd->name, argv[optind - 1]);
			fprintf(stderr, "Try '" PROGRAM_NAME " %s --help'.\n", cmd->name);
			ret = -1;
			goto out;
		}
		if (c >= 256) {
			def = &cmd->options[c - 256];
		} else {
			for (size_t i = 0; i < n; i++)
				if (cmd->options[i].short_name == c)
					def = &cmd->options[i];
		}
		if (!def)
			continue;
		if (options_set(def, opts, def->type == OPT_BOOL ? NULL : optarg, why, sizeof(why))) {
			error("%s: %s", cmd->name, why);
			ret = -1;
			goto out;
		}
	}
	*args = argv + optind;
	*nargs = argc - optind;
	if (*nargs < cmd->min_args || (cmd->max_args >= 0 && *nargs > cmd->max_args)) {
		if (*nargs < cmd->min_args)
			error("%s: missing arguments: expected %s", cmd->name, cmd->synopsis);
		else
			error("%s: unexpected argument '%s'", cmd->name, (*args)[cmd->max_args]);
		fprintf(stderr, "Try '" PROGRAM_NAME " %s --help'.\n", cmd->name);
		ret = -1;
	}
out:
	free(longopts);
	return ret;
}

json_t *options_to_json(const struct opt_command *cmd, const void *opts)
{
	json_t *o = json_object();

	for (const struct opt_def *def = cmd->options; def->name; def++) {
		const void *p = (const char *)opts + def->offset;
		json_t *v = NULL;
		char json_key[64];

		/* JSON keys use '_' where the command line uses '-' (all-files -> all_files). */
		snprintf(json_key, sizeof(json_key), "%s", def->name);
		for (char *c = json_key; *c; c++)
			if (*c == '-')
				*c = '_';

		if (def->flags & (OPT_SECRET | OPT_NO_ECHO))
			continue;
		switch (def->type) {
		case OPT_BOOL:
			v = json_boolean(*(const bool *)p);
			break;
		case OPT_LONG:
			v = json_integer(*(const long *)p);
			break;
		case OPT_DOUBLE:
			v = json_real(*(const double *)p);
			break;
		case OPT_SIZE:
			v = json_integer((json_int_t)*(const uint64_t *)p);
			break;
		case OPT_STRING:
		case OPT_CHOICE:
			v = *(char *const *)p ? json_string(*(char *const *)p) : json_null();
			break;
		case OPT_LIST:
			v = json_array();
			for (size_t i = 0; i < ((const struct opt_list *)p)->n; i++)
				json_array_append_new(v, json_string(((const struct opt_list *)p)->v[i]));
			break;
		}
		json_object_set_new(o, json_key, v);
	}
	return o;
}

void options_release(const struct opt_command *cmd, void *opts)
{
	for (const struct opt_def *def = cmd->options; def->name; def++) {
		if (def->type == OPT_STRING || def->type == OPT_CHOICE) {
			free(*FIELD(opts, def, char *));
			*FIELD(opts, def, char *) = NULL;
		} else if (def->type == OPT_LIST) {
			struct opt_list *l = FIELD(opts, def, struct opt_list);

			for (size_t i = 0; i < l->n; i++)
				free(l->v[i]);
			free(l->v);
			*l = (struct opt_list){ NULL, 0 };
		}
	}
}
