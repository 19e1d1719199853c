/* SPDX-License-Identifier: MIT */
/* test_options.c - one table drives parsing, defaults, --help and the JSON echo; groups too. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cmdline.h"

struct t_opts {
	char *strategy;
	long threads;
	uint64_t bs;
	bool keep;
	double ratio;
	char *mode;
	char *token;
	char *out;
	struct opt_list tags;
	struct opt_list headers;
	char *url;
};

static const char *const modes[] = { "never", "auto", "always", NULL };

static const struct opt_def t_options[] = {
	OPT_STRING_("strategy", 's', struct t_opts, strategy, "shutil", "NAME", 0, "strategy"),
	OPT_LONG_("threads", 't', struct t_opts, threads, "2", "N", 1, 64, "threads"),
	OPT_SIZE_("bs", 0, struct t_opts, bs, "128K", "SIZE", "block size"),
	OPT_BOOL_("keep", 0, struct t_opts, keep, "keep"),
	OPT_DOUBLE_("ratio", 0, struct t_opts, ratio, "0.5", "R", 0, 1, "a ratio"),
	OPT_CHOICE_("mode", 0, struct t_opts, mode, "auto", "WHEN", modes, "mode"),
	OPT_STRING_("token", 0, struct t_opts, token, NULL, "T", OPT_SECRET, "secret"),
	OPT_STRING_("out", 'o', struct t_opts, out, NULL, "DIR", OPT_NO_ECHO, "output"),
	OPT_LIST_("tag", 0, struct t_opts, tags, "T", 0, "a tag"),
	OPT_LIST_("header", 'H', struct t_opts, headers, "H", OPT_SECRET, "a secret header"),
	OPT_STRING_("url", 0, struct t_opts, url, NULL, "URL", OPT_URL, "a URL"),
	OPT_END
};

static const struct opt_command t_cmd = {
	.name = "t", .synopsis = "SRC DST", .summary = "test", .options = t_options,
	.min_args = 2, .max_args = 2,
};

static int parse(struct t_opts *o, int argc, char **argv, char ***args, int *nargs)
{
	memset(o, 0, sizeof(*o));
	options_defaults(t_cmd.options, o);
	return options_parse(&t_cmd, argc, argv, o, args, nargs);
}

static void test_defaults(void **state)
{
	char *argv[] = { "t", "a", "b", NULL };
	struct t_opts o;
	char **args;
	int nargs;

	assert_int_equal(parse(&o, 3, argv, &args, &nargs), 0);
	assert_string_equal(o.strategy, "shutil");
	assert_int_equal(o.threads, 2);
	assert_int_equal(o.bs, 128 * 1024);
	assert_false(o.keep);
	assert_float_equal(o.ratio, 0.5, 0);
	assert_string_equal(o.mode, "auto");
	assert_null(o.token);
	assert_int_equal(nargs, 2);
	assert_string_equal(args[0], "a");
	options_release(t_cmd.options, &o);
}

static void test_values(void **state)
{
	char *argv[] = { "t", "-t", "8", "--bs=1M", "--keep", "--strategy", "rw", "--mode",
			 "never", "--token", "s3cr3t", "-o", "x", "--url",
			 "http://u:pw0rd@h/p?key=t0ken", "a", "b", NULL };
	struct t_opts o;
	char **args;
	int nargs;
	json_t *echo;
	char *text;

	assert_int_equal(parse(&o, 17, argv, &args, &nargs), 0);
	assert_int_equal(o.threads, 8);
	assert_int_equal(o.bs, 1 << 20);
	assert_true(o.keep);
	assert_string_equal(o.strategy, "rw");
	assert_string_equal(o.mode, "never");
	assert_string_equal(o.token, "s3cr3t");
	assert_string_equal(o.out, "x");
	/* the option holds the real URL; its echo does not */
	assert_string_equal(o.url, "http://u:pw0rd@h/p?key=t0ken");

	echo = options_to_json(t_cmd.options, &o);
	assert_int_equal(json_integer_value(json_object_get(echo, "threads")), 8);
	assert_int_equal(json_integer_value(json_object_get(echo, "bs")), 1 << 20);
	assert_true(json_is_true(json_object_get(echo, "keep")));
	/* secrets and output paths are never echoed */
	assert_null(json_object_get(echo, "token"));
	assert_null(json_object_get(echo, "out"));
	text = json_dumps(echo, 0);
	assert_null(strstr(text, "s3cr3t"));
	free(text);
	assert_string_equal(json_string_value(json_object_get(echo, "url")),
			    "http://***@h/p?key=***");
	json_decref(echo);
	options_release(t_cmd.options, &o);
}

static void test_lists(void **state)
{
	char *argv[] = { "t", "--tag", "a", "-H", "Authorization: s3cr3t", "--tag=b", "--header",
			 "X: y", "a", "b", NULL };
	struct t_opts o;
	char **args;
	int nargs;
	json_t *echo;
	char *text;

	assert_int_equal(parse(&o, 10, argv, &args, &nargs), 0);
	/* every occurrence is kept, in order */
	assert_int_equal(o.tags.n, 2);
	assert_string_equal(o.tags.v[0], "a");
	assert_string_equal(o.tags.v[1], "b");
	assert_int_equal(o.headers.n, 2);
	assert_string_equal(o.headers.v[0], "Authorization: s3cr3t");
	assert_string_equal(o.headers.v[1], "X: y");
	assert_int_equal(nargs, 2);

	echo = options_to_json(t_cmd.options, &o);
	text = json_dumps(json_object_get(echo, "tag"), 0);
	assert_string_equal(text, "[\"a\", \"b\"]");
	free(text);
	assert_null(json_object_get(echo, "header"));
	text = json_dumps(echo, 0);
	assert_null(strstr(text, "s3cr3t"));
	free(text);
	json_decref(echo);
	options_release(t_cmd.options, &o);
	assert_int_equal(o.tags.n, 0);
	assert_null(o.headers.v);
}

static void test_bad_values(void **state)
{
	char *bad_threads[] = { "t", "-t", "0", "a", "b", NULL };
	char *retired[] = { "t", "-j", "4", "a", "b", NULL };
	char *bad_size[] = { "t", "--bs", "12Q", "a", "b", NULL };
	char *bad_choice[] = { "t", "--mode", "sometimes", "a", "b", NULL };
	char *bad_ratio[] = { "t", "--ratio", "2", "a", "b", NULL };
	char *unknown[] = { "t", "--nope", "a", "b", NULL };
	char *missing_arg[] = { "t", "a", NULL };
	char *extra_arg[] = { "t", "a", "b", "c", NULL };
	struct t_opts o;
	char **args;
	int nargs;
	char why[256];

	assert_int_equal(parse(&o, 5, bad_threads, &args, &nargs), -EINVAL);
	options_release(t_cmd.options, &o);
	/* -j once meant threads: refused, never taken for another option */
	assert_int_equal(parse(&o, 5, retired, &args, &nargs), -EINVAL);
	assert_int_equal(o.threads, 2);
	options_release(t_cmd.options, &o);
	assert_int_equal(parse(&o, 5, bad_size, &args, &nargs), -EINVAL);
	options_release(t_cmd.options, &o);
	assert_int_equal(parse(&o, 5, bad_choice, &args, &nargs), -EINVAL);
	options_release(t_cmd.options, &o);
	assert_int_equal(parse(&o, 5, bad_ratio, &args, &nargs), -EINVAL);
	options_release(t_cmd.options, &o);
	assert_int_equal(parse(&o, 4, unknown, &args, &nargs), -EINVAL);
	options_release(t_cmd.options, &o);
	assert_int_equal(parse(&o, 2, missing_arg, &args, &nargs), -EINVAL);
	options_release(t_cmd.options, &o);
	assert_int_equal(parse(&o, 4, extra_arg, &args, &nargs), -EINVAL);
	options_release(t_cmd.options, &o);

	/* the message names the option, the value and what was expected */
	memset(&o, 0, sizeof(o));
	assert_int_equal(options_set(&t_options[1], &o, "many", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "'many'"));
	assert_non_null(strstr(why, "--threads"));
	assert_int_equal(options_set(&t_options[5], &o, "x", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "never auto always"));
}

static void test_help(void **state)
{
	char *argv[] = { "t", "--help", NULL };
	struct t_opts o;
	char **args;
	int nargs;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(parse(&o, 2, argv, &args, &nargs), 1);
	options_release(t_cmd.options, &o);
	f = open_memstream(&buf, &len);
	options_usage(&t_cmd, NULL, 0, f);
	fclose(f);
	/* every option of the table is in the help, with its default */
	for (const struct opt_def *d = t_options; d->name; d++)
		assert_non_null(strstr(buf, d->name));
	assert_non_null(strstr(buf, "[default: 128K]"));
	assert_non_null(strstr(buf, "(never, auto, always)"));
	assert_non_null(strstr(buf, "a tag (repeatable)"));
	free(buf);
}

/* A strategy's own table, as run and sweep take it: its options land in its own struct. */
struct g_opts {
	long qd;
	bool direct;
};

static const struct opt_def g_options[] = {
	OPT_LONG_("qd", 0, struct g_opts, qd, "32", "N", 1, 4096, "queue depth"),
	OPT_BOOL_("direct", 0, struct g_opts, direct, "O_DIRECT"),
	OPT_END
};

static void test_groups(void **state)
{
	char *argv[] = { "t", "--qd", "8", "-t", "3", "--direct", "a", "b", NULL };
	char *bad[] = { "t", "--qd", "0", "a", "b", NULL };
	struct t_opts o = { 0 };
	struct g_opts g = { 0 };
	const struct opt_group group = { "uring", g_options, &g, NULL };
	char **args;
	int nargs;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	json_t *echo;

	options_defaults(t_options, &o);
	options_defaults(g_options, &g);
	assert_int_equal(g.qd, 32);
	assert_int_equal(options_parse_groups(&t_cmd, &o, &group, 1, 8, argv, &args, &nargs), 0);
	assert_int_equal(g.qd, 8);
	assert_true(g.direct);
	assert_int_equal(o.threads, 3);
	assert_int_equal(nargs, 2);
	echo = options_to_json(g_options, &g);
	assert_int_equal(json_integer_value(json_object_get(echo, "qd")), 8);
	json_decref(echo);
	assert_int_equal(options_parse_groups(&t_cmd, &o, &group, 1, 5, bad, &args, &nargs),
			 -EINVAL);
	options_release(t_options, &o);

	/* --help lists the group's options under its heading, after the command's own */
	f = open_memstream(&buf, &len);
	options_usage(&t_cmd, &group, 1, f);
	fclose(f);
	assert_non_null(strstr(buf, "\nuring options:\n      --qd N"));
	assert_true(strstr(buf, "--help") < strstr(buf, "uring options:"));
	free(buf);

	/* a strategy this build lacks: its options are listed, and the heading says so */
	buf = NULL;
	len = 0;
	f = open_memstream(&buf, &len);
	options_usage(&t_cmd, &(struct opt_group){ "uring", g_options, &g, "not in this build" },
		      1, f);
	fclose(f);
	assert_non_null(strstr(buf, "\nuring options (not in this build):\n      --qd N"));
	free(buf);
}

/* Headings (OPT_GROUP_) in a table: in --help, never an option, a profile key or a JSON key. */
struct h_opts {
	long threads;
	bool keep;
	char *out;
	double ratio;
};

static const struct opt_def h_options[] = {
	OPT_LONG_("threads", 't', struct h_opts, threads, "2", "N", 1, 64, "threads"),
	OPT_GROUP_("Output"),
	OPT_BOOL_("keep", 0, struct h_opts, keep, "keep"),
	OPT_STRING_("out", 'o', struct h_opts, out, NULL, "DIR", OPT_NO_ECHO, "output"),
	OPT_GROUP_("Numbers"),
	OPT_DOUBLE_("ratio", 0, struct h_opts, ratio, NULL, "R", 0.1, 1, "a ratio"),
	OPT_END
};

static const struct opt_command h_cmd = {
	.name = "h", .synopsis = "SRC", .summary = "test", .options = h_options,
	.min_args = 1, .max_args = 1,
};

static void test_headings(void **state)
{
	char *argv[] = { "h", "--keep", "-t", "5", "--ratio", "0.5", "-o", "d", "a", NULL };
	char *empty[] = { "h", "--=x", "a", NULL };
	struct h_opts o = { 0 };
	char **args;
	int nargs;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	json_t *echo;

	options_defaults(h_options, &o);
	assert_int_equal(options_parse(&h_cmd, 9, argv, &o, &args, &nargs), 0);
	assert_int_equal(o.threads, 5);
	assert_true(o.keep);
	assert_float_equal(o.ratio, 0.5, 0);
	assert_string_equal(o.out, "d");
	/* "--=x" names no option (a heading's name "" would be an exact match) */
	assert_int_equal(options_parse(&h_cmd, 3, empty, &o, &args, &nargs), -EINVAL);
	echo = options_to_json(h_options, &o);
	assert_int_equal(json_object_size(echo), 3);	/* threads, keep, ratio */
	assert_null(json_object_get(echo, ""));
	json_decref(echo);
	options_release(h_options, &o);

	f = open_memstream(&buf, &len);
	options_usage(&h_cmd, NULL, 0, f);
	fclose(f);
	/* the options before the first heading, --help, then each heading over its options */
	assert_non_null(strstr(buf, "options:\n  -t, --threads N"));
	assert_non_null(strstr(buf, "show this help\n\nOutput:\n      --keep"));
	assert_non_null(strstr(buf, "\nNumbers:\n      --ratio R"));
	assert_true(strstr(buf, "--help") < strstr(buf, "Output:"));
	free(buf);
}

/* The options a results.json recorded, taken back over the defaults (sweep --resume). */
static void test_from_json(void **state)
{
	struct t_opts o = { 0 };
	struct h_opts h = { 0 };
	json_t *rec;
	json_t *bad;
	char why[256];

	options_defaults(t_options, &o);
	o.threads = 7;
	o.bs = 1 << 20;
	o.keep = true;
	o.ratio = 0.1;
	free(o.mode);
	o.mode = strdup("never");
	o.token = strdup("s3cr3t");
	rec = options_to_json(t_options, &o);
	options_release(t_options, &o);

	memset(&o, 0, sizeof(o));
	options_defaults(t_options, &o);
	assert_int_equal(options_from_json(t_options, &o, rec, why, sizeof(why)), 0);
	assert_int_equal(o.threads, 7);
	assert_int_equal(o.bs, 1 << 20);
	assert_true(o.keep);
	assert_float_equal(o.ratio, 0.1, 0);
	assert_string_equal(o.mode, "never");
	assert_null(o.token);		/* secrets are never recorded, so never taken back */
	options_release(t_options, &o);
	json_decref(rec);

	/* an option without a default recorded unset (0) stays unset, though 0 is out of range */
	options_defaults(h_options, &h);
	rec = options_to_json(h_options, &h);
	assert_int_equal(options_from_json(h_options, &h, rec, why, sizeof(why)), 0);
	assert_float_equal(h.ratio, 0, 0);
	json_decref(rec);

	/* a value of the wrong type or out of range is refused, naming the key */
	bad = json_pack("{s:s}", "threads", "many");
	assert_int_equal(options_from_json(h_options, &h, bad, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "threads"));
	json_decref(bad);
	bad = json_pack("{s:i}", "threads", 1000);
	assert_int_equal(options_from_json(h_options, &h, bad, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "'1000'"));
	json_decref(bad);
	options_release(h_options, &h);
}

/* OPT_DOUBLE_OFF_: 0 turns off, else min to max; below min (not 0) is refused, naming both. */
static void test_zero_off(void **state)
{
	struct z_opts {
		double interval;
	} o;
	static const struct opt_def z_options[] = {
		OPT_DOUBLE_OFF_("interval", 0, struct z_opts, interval, "0.1", "S", 0.01, 3600,
				"seconds"),
		OPT_END
	};
	char why[256];

	(void)state;
	assert_int_equal(options_set(&z_options[0], &o, "0", why, sizeof(why)), 0);
	assert_float_equal(o.interval, 0, 0);
	assert_int_equal(options_set(&z_options[0], &o, "0.01", why, sizeof(why)), 0);
	assert_float_equal(o.interval, 0.01, 0);
	assert_int_equal(options_set(&z_options[0], &o, "1e-9", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "invalid value '1e-9' for --interval: expected 0 (off) or a "
			    "number from 0.01 to 3600");
	assert_int_equal(options_set(&z_options[0], &o, "-0.5", why, sizeof(why)), -EINVAL);
	assert_int_equal(options_set(&z_options[0], &o, "nan", why, sizeof(why)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_zero_off),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_headings),
		cmocka_unit_test(test_from_json),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
