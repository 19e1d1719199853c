/* SPDX-License-Identifier: MIT */
/*
 * cmd_help.c - `help [COMMAND]`, and the manual page and bash completion generated from the
 * same option tables as --help, so that none of the three can lack a command or an option.
 *
 *	cryocache-bench help sweep                     sweep's --help
 *	cryocache-bench help --man TEMPLATE            the manual page (the build runs this)
 *	cryocache-bench help --bash-completion         the completion script (the build runs this)
 *
 * TEMPLATE is docs/cryocache-bench.1.in: roff prose with @VERSION@, @SYNOPSIS@ and @COMMANDS@
 * on lines of their own, which are replaced by what the tables say.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmds.h"
#include "copy/strategy.h"
#include "lib/util.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/cryocache-bench"
#endif

const struct opt_command help_command = {
	.name = "help",
	.synopsis = "[COMMAND]",
	.brief = "the list of commands, or a command's options",
	.summary = "Without COMMAND, list the commands; with one, print its options (the same as\n"
		   "'" PROGRAM_NAME " COMMAND --help').",
	.options = (const struct opt_def[]){ OPT_END },
	.min_args = 0,
	.max_args = 1,
};

/* The option groups a command's line takes beyond its own table: the strategies' (run, sweep). */
static size_t command_groups(const struct command *c, struct opt_group *g, size_t cap)
{
	const struct copy_strategy *s;
	size_t n = 0;

	if (!c->strategy_options)
		return 0;
	for (size_t i = 0; (s = strategy_at(i)) && n < cap; i++)
		if (s->options && s->options[0].name)
			g[n++] = (struct opt_group){ s->name, s->options, NULL,
						     s->missing ? "not in this build" : NULL };
	return n;
}

#define MAX_GROUPS 32

/* Text for roff: backslashes and hyphens escaped, a leading '.' or '\'' made literal. */
static void roff_text(const char *s, FILE *f)
{
	bool line_start = true;

	for (; *s; s++) {
		if (line_start && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		line_start = *s == '\n';
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

static void man_option(const struct opt_def *def, FILE *f)
{
	fputs(def->type == OPT_BOOL ? ".TP\n.B \"" : ".TP\n.BI \"", f);
	if (def->short_name)
		fprintf(f, "\\-%c, ", def->short_name);
	fputs("\\-\\-", f);
	roff_text(def->name, f);
	if (def->type != OPT_BOOL) {
		fputs(" \" \"", f);
		roff_text(def->arg ? def->arg : "VALUE", f);
	}
	fputs("\"\n", f);
	roff_text(def->help, f);
	if (def->type == OPT_CHOICE) {
		fputs(" (", f);
		for (const char *const *c = def->choices; *c; c++) {
			fputs(c == def->choices ? "" : ", ", f);
			roff_text(*c, f);
		}
		fputs(")", f);
	}
	if (def->type == OPT_LIST)
		fputs(" (repeatable)", f);
	if (def->def && def->type != OPT_BOOL) {
		fputs(" [default: ", f);
		roff_text(def->def, f);
		fputs("]", f);
	}
	fputc('\n', f);
}

static void man_synopsis(FILE *f)
{
	for (const struct command *c = commands; c->cmd; c++) {
		fprintf(f, "%s.B " PROGRAM_NAME " %s\n.RI [ options ] \" ", c == commands ? "" : ".br\n",
			c->cmd->name);
		roff_text(c->cmd->synopsis, f);
		fputs("\"\n", f);
	}
}

static void man_commands(FILE *f)
{
	for (const struct command *c = commands; c->cmd; c++) {
		struct opt_group g[MAX_GROUPS];
		const size_t n = command_groups(c, g, MAX_GROUPS);

		fprintf(f, ".SS \"%s ", c->cmd->name);
		roff_text(c->cmd->synopsis, f);
		fputs("\"\n", f);
		roff_text(c->cmd->summary, f);
		fputc('\n', f);
		for (const struct opt_def *def = c->cmd->options; def->name; def++) {
			if (!opt_is_group(def)) {
				man_option(def, f);
				continue;
			}
			/* A heading of --help: a paragraph titled in bold, a subsection's title. */
			fputs(".PP\n\\fB", f);
			roff_text(def->help, f);
			fputs(":\\fR\n", f);
		}
		for (size_t i = 0; i < n; i++) {
			fputs(".PP\n", f);
			fprintf(f, "Options of the \\fB%s\\fR strategy", g[i].title);
			if (g[i].note)
				fprintf(f, " (%s)", g[i].note);
			fputs(":\n", f);
			for (const struct opt_def *def = g[i].options; def->name; def++)
				man_option(def, f);
		}
	}
}

/* The template with its markers replaced; -errno with a message when it cannot be read. */
static int print_man(const char *template_path)
{
	FILE *in = fopen(template_path, "re");
	char *line = NULL;
	size_t cap = 0;
	int err;

	if (!in) {
		err = errno;
		error("help: cannot read the manual page template '%s': %s", template_path,
		      strerror(err));
		return -err;
	}
	while (getline(&line, &cap, in) > 0) {
		if (!strcmp(line, "@SYNOPSIS@\n"))
			man_synopsis(stdout);
		else if (!strcmp(line, "@COMMANDS@\n"))
			man_commands(stdout);
		else if (strstr(line, "@VERSION@")) {
			char *at = strstr(line, "@VERSION@");

			fwrite(line, 1, (size_t)(at - line), stdout);
			fputs(PACKAGE_VERSION, stdout);
			fputs(at + strlen("@VERSION@"), stdout);
		} else {
			fputs(line, stdout);
		}
	}
	err = ferror(in) ? EIO : 0;
	free(line);
	fclose(in);
	if (err)
		error("help: cannot read the manual page template '%s': %s", template_path,
		      strerror(err));
	return -err;
}

/* An option's spellings, for compgen -W. */
static void completion_words(const struct opt_def *table, FILE *f)
{
	for (const struct opt_def *def = table; def->name; def++) {
		if (opt_is_group(def))
			continue;
		fprintf(f, " --%s", def->name);
		if (def->short_name)
			fprintf(f, " -%c", def->short_name);
	}
}

/* case patterns "cmd:--name|cmd:-x" for the options of table that take a value like def. */
static void completion_values(const char *cmd, const struct opt_def *table, FILE *f)
{
	for (const struct opt_def *def = table; def->name; def++) {
		if (def->type == OPT_BOOL || opt_is_group(def))
			continue;
		fprintf(f, "\t%s:--%s", cmd, def->name);
		if (def->short_name)
			fprintf(f, "|%s:-%c", cmd, def->short_name);
		if (!strcmp(def->name, "strategy") || !strcmp(def->name, "strategies")) {
			fputs(") __ccb_list \"$strategies\"; return ;;\n", f);
		} else if (!strcmp(def->name, "profile")) {
			fputs(") __ccb_profiles; return ;;\n", f);
		} else if (def->type == OPT_CHOICE) {
			fputs(") COMPREPLY=($(compgen -W \"", f);
			for (const char *const *c = def->choices; *c; c++)
				fprintf(f, "%s%s", c == def->choices ? "" : " ", *c);
			fputs("\" -- \"$cur\")); return ;;\n", f);
		} else if (def->type == OPT_LONG || def->type == OPT_DOUBLE ||
			   def->type == OPT_SIZE) {
			fputs(") return ;;\n", f);	/* a number: nothing to offer */
		} else {
			fputs(") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", f);
		}
	}
}

static void print_completion(void)
{
	const struct copy_strategy *s;
	FILE *f = stdout;

	fputs("# bash completion for " PROGRAM_NAME " " PACKAGE_VERSION
	      ", generated from its option tables\n"
	      "# by '" PROGRAM_NAME " help --bash-completion'.\n\n", f);
	fputs("__ccb_list()\n{\n"
	      "\t# a comma-separated list: complete its last element\n"
	      "\tlocal head=\"\" last=\"$cur\"\n"
	      "\tif [[ $cur == *,* ]]; then head=\"${cur%,*},\"; last=\"${cur##*,}\"; fi\n"
	      "\tCOMPREPLY=($(compgen -P \"$head\" -W \"$1\" -- \"$last\"))\n}\n\n", f);
	fputs("__ccb_profiles()\n{\n"
	      "\tlocal d=\"${CCB_PROFILES_DIR:-" PKGDATADIR "/profiles}\" p names=\"\"\n"
	      "\tfor p in \"$d\"/*.ini; do [ -e \"$p\" ] && names=\"$names ${p##*/}\"; done\n"
	      "\tnames=\"${names//.ini/}\"\n"
	      "\tCOMPREPLY=($(compgen -W \"$names\" -- \"$cur\") $(compgen -f -X '!*.ini' -- "
	      "\"$cur\") $(compgen -d -- \"$cur\"))\n}\n\n", f);
	fputs("_cryocache_bench()\n{\n"
	      "\tlocal cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
	      "\tlocal commands=\"help", f);
	for (const struct command *c = commands; c->cmd; c++)
		fprintf(f, " %s", c->cmd->name);
	fputs("\"\n\tlocal strategies=\"", f);
	for (size_t i = 0, n = 0; (s = strategy_at(i)); i++)
		if (!s->missing)
			fprintf(f, "%s%s", n++ ? " " : "", s->name);
	fputs("\"\n\tlocal opts cmd=\"${COMP_WORDS[1]}\"\n\n"
	      "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$commands --help --version\" -- \"$cur\"))\n"
	      "\t\treturn\n\tfi\n"
	      "\tif [ \"$cmd\" = help ]; then\n"
	      "\t\t[ \"$COMP_CWORD\" -eq 2 ] && COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\"))\n"
	      "\t\treturn\n\tfi\n"
	      "\tcase \"$cmd:$prev\" in\n", f);
	for (const struct command *c = commands; c->cmd; c++) {
		struct opt_group g[MAX_GROUPS];
		const size_t n = command_groups(c, g, MAX_GROUPS);

		completion_values(c->cmd->name, c->cmd->options, f);
		for (size_t i = 0; i < n; i++)
			completion_values(c->cmd->name, g[i].options, f);
	}
	fputs("\tesac\n\tcase \"$cmd\" in\n", f);
	for (const struct command *c = commands; c->cmd; c++) {
		struct opt_group g[MAX_GROUPS];
		const size_t n = command_groups(c, g, MAX_GROUPS);

		fprintf(f, "\t%s) opts=\"--help --version", c->cmd->name);
		completion_words(c->cmd->options, f);
		for (size_t i = 0; i < n; i++)
			completion_words(g[i].options, f);
		fputs("\" ;;\n", f);
	}
	fputs("\t*) return ;;\n\tesac\n"
	      "\tif [[ $cur == -* ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	      "\telse\n"
	      "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	      "\tfi\n}\n\n"
	      "complete -o filenames -F _cryocache_bench " PROGRAM_NAME "\n", f);
}

int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc >= 2 && !strcmp(argv[1], "--man")) {
		if (argc != 3) {
			error("help: --man needs the template, docs/cryocache-bench.1.in");
			return 2;
		}
		return print_man(argv[2]) ? 1 : 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--bash-completion")) {
		print_completion();
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf(PACKAGE_NAME " " PACKAGE_VERSION "\n");
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		options_usage(&help_command, NULL, 0, stdout);
		return 0;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		error("help: expected at most one command name");
		return 2;
	}
	if (argc < 2) {
		commands_usage(stdout);
		return 0;
	}
	c = command_find(argv[1]);
	if (!c) {
		error("help: unknown command '%s' ('" PROGRAM_NAME " help' lists them)", argv[1]);
		return 2;
	}
	return c->fn(2, (char *[]){ argv[1], (char *)"--help", NULL });
}
