/* SPDX-License-Identifier: MIT */
/* cmd_strategies.c - `strategies`: what this build can copy with, and why anything is missing. */
#include "config.h"

#include <stdio.h>

#include "cli/cmdline.h"
#include "cli/cmds.h"
#include "copy/strategy.h"
#include "lib/util.h"

struct strategies_opts {
	bool json;
};

static const struct opt_def strategies_options[] = {
	OPT_BOOL_("json", 0, struct strategies_opts, json, "print JSON instead of text"),
	OPT_END
};

const struct opt_command strategies_command = {
	.name = "strategies",
	.synopsis = "",
	.brief = "list the copy strategies and whether they can run here",
	.summary = "List the copy strategies of this build, whether each can run here, and why not.",
	.options = strategies_options,
	.min_args = 0,
	.max_args = 0,
};

/*
 * The options s reads, as `strategies` lists them: "--bs (default 1M) --qd (default 32) ...",
 * from its --bs default and its option table. A new string ("" for none) the caller frees.
 */
static char *strategy_options_text(const struct copy_strategy *s)
{
	char *text = s->bs_default ? xasprintf("--bs (default %s)", s->bs_default) : xstrdup("");

	for (const struct opt_def *def = s->options; def && def->name; def++) {
		char *more;

		if (def->def && def->type != OPT_BOOL)
			more = xasprintf("%s%s--%s (default %s)", text, *text ? " " : "", def->name,
					 def->def);
		else
			more = xasprintf("%s%s--%s", text, *text ? " " : "", def->name);
		free(text);
		text = more;
	}
	return text;
}

int cmd_strategies(int argc, char **argv)
{
	struct strategies_opts o = { 0 };
	json_t *list = json_array();
	char **args;
	int nargs;
	int ret;

	ret = options_parse(&strategies_command, argc, argv, &o, &args, &nargs);
	if (ret) {
		json_decref(list);
		return ret > 0 ? 0 : 2;
	}
	for (size_t i = 0; strategy_at(i); i++) {
		const struct copy_strategy *s = strategy_at(i);
		char why[256] = "";
		int avail = !s->missing && (!s->probe || s->probe(NULL, NULL, NULL, why, sizeof(why)) == 0);
		char *opts = strategy_options_text(s);

		json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:s?, s:s}", "name", s->name,
						      "summary", s->summary ? s->summary : "",
						      "available", avail, "why",
						      avail ? NULL : s->missing ? s->missing : why,
						      "options", opts));
		free(opts);
	}
	if (o.json) {
		json_dumpf(list, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		size_t i;
		json_t *s;

		json_array_foreach(list, i, s) {
			const char *why = json_string_value(json_object_get(s, "why"));
			const char *opts = json_string_value(json_object_get(s, "options"));

			printf("%-10s %-12s %s\n", json_string_value(json_object_get(s, "name")),
			       json_is_true(json_object_get(s, "available")) ? "available" : "unavailable",
			       why ? why : json_string_value(json_object_get(s, "summary")));
			if (opts && *opts)
				printf("%-10s %-12s options: %s\n", "", "", opts);
		}
	}
	json_decref(list);
	return 0;
}
