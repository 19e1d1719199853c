/* SPDX-License-Identifier: MIT */
/* test_profile.c - INI profiles through the option table: keys, errors, command-line override. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/cmdline.h"
#include "cli/profile.h"

struct p_opts {
	char *strategies;
	long threads;
	uint64_t bs;
	bool all_files;
	double interval;
	char *profile;
};

static const struct opt_def p_options[] = {
	OPT_STRING_("strategies", 's', struct p_opts, strategies, "shutil", "LIST", 0, "strategies"),
	OPT_LONG_("threads", 't', struct p_opts, threads, "2", "N", 1, 64, "threads"),
	OPT_SIZE_("bs", 0, struct p_opts, bs, "128K", "SIZE", "block size"),
	/* a heading of --help: the profile's keys are the options on both sides of it */
	OPT_GROUP_("How to measure"),
	OPT_BOOL_("all-files", 0, struct p_opts, all_files, "every file"),
	OPT_DOUBLE_("interval", 0, struct p_opts, interval, "0.1", "S", 0, 10, "interval"),
	OPT_STRING_("profile", 0, struct p_opts, profile, NULL, "FILE", 0, "profile"),
	OPT_END
};

static const struct opt_command p_cmd = {
	.name = "sweep", .synopsis = "SRC DST", .summary = "test", .options = p_options,
	.min_args = 2, .max_args = 2,
};

static char ini_path[64];

/* Write text to a fresh temporary profile; its path is in ini_path. */
static const char *write_ini(const char *text)
{
	int fd;
	FILE *f;

	snprintf(ini_path, sizeof(ini_path), "/tmp/ccb-profile-XXXXXX");
	fd = mkstemp(ini_path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return ini_path;
}

static int apply(const char *text, struct p_opts *o, char *why, size_t len)
{
	int ret;

	memset(o, 0, sizeof(*o));
	options_defaults(p_cmd.options, o);
	ret = profile_apply("sweep", &(struct opt_group){ .options = p_options, .opts = o }, 1, write_ini(text),
			    why, len);
	unlink(ini_path);
	return ret;
}

static void test_keys_set_options(void **state)
{
	struct p_opts o;
	char why[512] = "";

	assert_int_equal(apply("; a comment\n# another\n[run]\nthreads = 7\nnot_a_sweep_key = 1\n"
			       "[sweep]\nstrategies = shutil,uring\nthreads = 12\nbs = 1M\n"
			       "all_files = true\ninterval = 0.5\n", &o, why, sizeof(why)), 0);
	assert_string_equal(o.strategies, "shutil,uring");
	assert_int_equal(o.threads, 12);	/* [run]'s 7 is not for sweep */
	assert_int_equal(o.bs, 1 << 20);
	assert_true(o.all_files);
	assert_float_equal(o.interval, 0.5, 0);
	options_release(p_cmd.options, &o);
	/* '-' and '_' both name --all-files */
	assert_int_equal(apply("[sweep]\nall-files = yes\n", &o, why, sizeof(why)), 0);
	assert_true(o.all_files);
	options_release(p_cmd.options, &o);
}

static void test_errors_name_file_line_key(void **state)
{
	struct p_opts o;
	char why[512];
	char want[256];

	assert_int_equal(apply("[sweep]\nthreads = 4\n\nthraeds = 8\n", &o, why, sizeof(why)),
			 -EINVAL);
	snprintf(want, sizeof(want), "profile '%s' line 4: unknown key 'thraeds' in [sweep]",
		 ini_path);
	assert_string_equal(why, want);
	options_release(p_cmd.options, &o);

	assert_int_equal(apply("[sweep]\nthreads = many\n", &o, why, sizeof(why)), -EINVAL);
	snprintf(want, sizeof(want), "profile '%s' line 2: invalid value 'many' for --threads",
		 ini_path);
	assert_non_null(strstr(why, want));
	options_release(p_cmd.options, &o);

	assert_int_equal(apply("[sweep]\nall_files = perhaps\n", &o, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "line 2: invalid value 'perhaps' for --all-files"));
	options_release(p_cmd.options, &o);

	assert_int_equal(apply("[sweep]\nthreads = 4\nthis is not ini\n", &o, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "line 3: not a section, a key = value or a comment"));
	options_release(p_cmd.options, &o);

	assert_int_equal(apply("[swep]\nthreads = 4\n", &o, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "line 2: unknown section [swep]"));
	options_release(p_cmd.options, &o);

	assert_int_equal(apply("threads = 4\n[sweep]\n", &o, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "line 1: key 'threads' is outside a section ([sweep])"));
	options_release(p_cmd.options, &o);

	assert_int_equal(apply("[run]\nthreads = 4\n", &o, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "has no [sweep] section"));
	options_release(p_cmd.options, &o);

	assert_int_equal(apply("[sweep]\nprofile = other.ini\n", &o, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "a profile cannot include another"));
	options_release(p_cmd.options, &o);

	memset(&o, 0, sizeof(o));
	assert_int_equal(profile_apply("sweep", &(struct opt_group){ .options = p_options, .opts = &o }, 1,
				       "/nonexistent/p.ini", why, sizeof(why)),
			 -ENOENT);
	assert_string_equal(why, "cannot read profile '/nonexistent/p.ini': No such file or directory");
}

/*
 * A NUL byte: fgets would end the line there and inih see "threads = 4" alone. The line is
 * refused, by its number, and nothing after it is applied.
 */
static void test_nul_byte(void **state)
{
	static const char text[] = "[sweep]\nthreads = 4\0junk\nbs = 1M\n";
	struct p_opts o;
	char why[512];
	char want[256];
	int fd;
	int ret;

	snprintf(ini_path, sizeof(ini_path), "/tmp/ccb-profile-XXXXXX");
	fd = mkstemp(ini_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	assert_int_equal(close(fd), 0);
	memset(&o, 0, sizeof(o));
	options_defaults(p_cmd.options, &o);
	ret = profile_apply("sweep", &(struct opt_group){ .options = p_options, .opts = &o }, 1,
			    ini_path, why, sizeof(why));
	unlink(ini_path);
	assert_int_equal(ret, -EINVAL);
	snprintf(want, sizeof(want), "profile '%s' line 2 holds a NUL byte: a profile is text "
		 "(is it the right file?)", ini_path);
	assert_string_equal(why, want);
	assert_int_equal(o.threads, 2);
	options_release(p_cmd.options, &o);

	/* A line longer than inih's buffer is still refused whole, by its number. */
	{
		char long_line[400];

		memset(long_line, 'x', sizeof(long_line));
		memcpy(long_line, "[sweep]\nthreads = 3\nstrategies = ", 33);
		long_line[sizeof(long_line) - 2] = '\n';
		long_line[sizeof(long_line) - 1] = '\0';
		assert_int_equal(apply(long_line, &o, why, sizeof(why)), -EINVAL);
		assert_non_null(strstr(why, "line 3 is longer than"));
		assert_null(strstr(why, "xxxx"));
		options_release(p_cmd.options, &o);
	}
}

static void test_command_line_overrides(void **state)
{
	const char *path = write_ini("[sweep]\nthreads = 12\nbs = 1M\nstrategies = rw\n");
	char *argv[] = { "sweep", "-t", "3", "--profile", (char *)path, "src", "dst", NULL };
	struct p_opts o = { 0 };
	char **args;
	int nargs;
	json_t *echo;

	options_defaults(p_cmd.options, &o);
	/* the profile is applied first, wherever --profile stands; -t 3 wins over its 12 */
	assert_int_equal(options_parse(&p_cmd, 7, argv, &o, &args, &nargs), 0);
	assert_int_equal(o.threads, 3);
	assert_int_equal(o.bs, 1 << 20);
	assert_string_equal(o.strategies, "rw");
	assert_int_equal(nargs, 2);
	assert_string_equal(args[0], "src");
	/* the echo of the parameters records the profile */
	echo = options_to_json(p_cmd.options, &o);
	assert_string_equal(json_string_value(json_object_get(echo, "profile")), path);
	assert_int_equal(json_integer_value(json_object_get(echo, "threads")), 3);
	json_decref(echo);
	options_release(p_cmd.options, &o);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_set_options),
		cmocka_unit_test(test_errors_name_file_line_key),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_command_line_overrides),
	};

	return cmocka_run_group_tests_name("profile", tests, NULL, NULL);
}
