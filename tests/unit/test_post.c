/* SPDX-License-Identifier: MIT */
/* test_post.c - posting: headers checked, read from a file and the environment; exit statuses. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/post_results.h"
#include "testutil.h"

static int check_headers(const char *h1, const char *h2)
{
	char *v[2] = { (char *)h1, (char *)h2 };
	struct post_opts p = {
		.url = "http://127.0.0.1:9/x",
		.headers = { v, h2 ? 2 : 1 },
	};

	return post_check(&p);
}

static void test_check(void **state)
{
	struct post_opts p = { .url = "ftp://127.0.0.1/x" };

#ifndef HAVE_LIBCURL
	/* A build without libcurl refuses --post before anything is measured. */
	assert_int_equal(check_headers("Authorization: Bearer x", "X-Lab:cryo"), -EINVAL);
	return;
#endif
	assert_int_equal(check_headers("Authorization: Bearer x", "X-Lab:cryo"), 0);
	assert_int_equal(check_headers("Authorization Bearer x", NULL), -EINVAL);
	assert_int_equal(check_headers(": empty name", NULL), -EINVAL);
	assert_int_equal(check_headers("Bad Name: x", NULL), -EINVAL);
	assert_int_equal(check_headers("X: a\r\nInjected: b", NULL), -EINVAL);
	assert_int_equal(check_headers("X: ok", "Y: split\nline"), -EINVAL);
	/* "Name:" alone would make libcurl drop a header, not send one */
	assert_int_equal(check_headers("X-Empty:", NULL), -EINVAL);
	assert_int_equal(check_headers("X-Empty:   ", NULL), -EINVAL);
	assert_int_equal(post_check(&p), -EINVAL);
}

/* A header file of mode mode holding text, and the post_opts that name it. */
static struct post_opts *file_opts(const char *dir, const char *text, mode_t mode)
{
	struct post_opts *p = xcalloc(1, sizeof(*p));
	FILE *f;

	p->url = xstrdup("http://127.0.0.1:9/x");
	p->header_file = pathf("%s/headers", dir);
	unlink(p->header_file);
	f = fopen(p->header_file, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(p->header_file, mode), 0);
	return p;
}

static void opts_free(struct post_opts *p)
{
	for (size_t i = 0; i < p->headers.n; i++)
		free(p->headers.v[i]);
	free(p->headers.v);
	free(p->header_file);
	free(p->url);
	free(p);
}

static void test_header_file(void **state)
{
#ifndef HAVE_LIBCURL
	/* A build without libcurl refuses --post, and its headers with it (test_check). */
	(void)state;
	return;
#endif
	char *dir = test_tmpdir("post");
	struct post_opts *p;

	assert_non_null(dir);
	/* one header a line; blanks around it, CRLF, blank lines and # comments are ignored */
	p = file_opts(dir, "# the collector's token\n\n  Authorization: Bearer t0k\r\nX-Lab: cryo-1\n",
		      0600);
	assert_int_equal(post_check(p), 0);
	assert_int_equal(p->headers.n, 2);
	assert_string_equal(p->headers.v[0], "Authorization: Bearer t0k");
	assert_string_equal(p->headers.v[1], "X-Lab: cryo-1");
	opts_free(p);
	/* -H headers come first, the file's after them */
	p = file_opts(dir, "X-From-File: 1", 0600);
	p->headers.v = xcalloc(1, sizeof(char *));
	p->headers.v[0] = xstrdup("X-From-Command-Line: 1");
	p->headers.n = 1;
	assert_int_equal(post_check(p), 0);
	assert_int_equal(p->headers.n, 2);
	assert_string_equal(p->headers.v[1], "X-From-File: 1");
	opts_free(p);
	/* a file others may write is refused; one they may read is used (with a warning) */
	p = file_opts(dir, "Authorization: Bearer t0k\n", 0620);
	assert_int_equal(post_check(p), -EPERM);
	opts_free(p);
	p = file_opts(dir, "Authorization: Bearer t0k\n", 0602);
	assert_int_equal(post_check(p), -EPERM);
	opts_free(p);
	p = file_opts(dir, "Authorization: Bearer t0k\n", 0644);
	assert_int_equal(post_check(p), 0);
	assert_int_equal(p->headers.n, 1);
	opts_free(p);
	/* a line that is not a header fails the whole file */
	p = file_opts(dir, "Authorization: Bearer t0k\nBearer t0k\n", 0600);
	assert_int_equal(post_check(p), -EINVAL);
	opts_free(p);
	p = file_opts(dir, "", 0600);
	free(p->header_file);
	p->header_file = pathf("%s/no-such-file", dir);
	assert_int_equal(post_check(p), -ENOENT);
	free(p->header_file);
	p->header_file = xstrdup(dir);
	assert_int_equal(post_check(p), -EISDIR);
	opts_free(p);
	test_rmtree(dir);
	free(dir);
}

static void test_header_env(void **state)
{
#ifndef HAVE_LIBCURL
	/* A build without libcurl refuses --post, and its headers with it (test_check). */
	(void)state;
	return;
#endif
	char *dir = test_tmpdir("post-env");
	struct post_opts *p;
	char *path;

	assert_non_null(dir);
	setenv(POST_HEADER_ENV, "  Authorization: Bearer env-t0k\n", 1);
	p = file_opts(dir, "X-Lab: cryo-1\n", 0600);
	path = xstrdup(p->header_file);
	free(p->header_file);
	p->header_file = NULL;
	setenv(POST_HEADER_FILE_ENV, path, 1);
	assert_int_equal(post_check(p), 0);
	assert_int_equal(p->headers.n, 2);
	assert_string_equal(p->headers.v[0], "X-Lab: cryo-1");
	assert_string_equal(p->headers.v[1], "Authorization: Bearer env-t0k");
	/* without --post the environment is not read: a pipeline may export it for every step */
	free(p->url);
	p->url = NULL;
	for (size_t i = 0; i < p->headers.n; i++)
		free(p->headers.v[i]);
	p->headers.n = 0;
	assert_int_equal(post_check(p), 0);
	assert_int_equal(p->headers.n, 0);
	p->url = xstrdup("http://127.0.0.1:9/x");
	setenv(POST_HEADER_ENV, "no colon", 1);
	assert_int_equal(post_check(p), -EINVAL);
	unsetenv(POST_HEADER_ENV);
	unsetenv(POST_HEADER_FILE_ENV);
	opts_free(p);
	test_rmtree(dir);
	free(path);
	free(dir);
}

static void test_has_header(void **state)
{
	char *v[2] = { "content-type: text/plain", "X-Content-Type-Options: nosniff" };
	struct post_opts p = { .url = "http://127.0.0.1:9/x", .headers = { v, 2 } };
	struct post_opts q = { .url = "http://127.0.0.1:9/x", .headers = { v + 1, 1 } };

	assert_true(post_has_header(&p, "Content-Type"));
	assert_false(post_has_header(&q, "Content-Type"));
}

static void test_status(void **state)
{
	struct post_opts plain = { .url = "http://127.0.0.1:9/x" };
	struct post_opts required = { .url = "http://127.0.0.1:9/x", .required = true };

	assert_int_equal(post_status(&plain, 0, 0), 0);
	assert_int_equal(post_status(&plain, 0, -EIO), 0);
	assert_int_equal(post_status(&required, 0, 0), 0);
	assert_int_equal(post_status(&required, 0, -EIO), POST_FAILED_STATUS);
	/* a command's own failure (a run that failed, compare's regression) wins */
	assert_int_equal(post_status(&required, 1, -EIO), 1);
	assert_int_equal(post_status(&required, 130, -EIO), 130);
}

int main(void)
{
	/* check_headers() hands post_check() lists it cannot grow: no headers from outside */
	unsetenv(POST_HEADER_ENV);
	unsetenv(POST_HEADER_FILE_ENV);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_header_file),
		cmocka_unit_test(test_header_env),
		cmocka_unit_test(test_has_header),
		cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests_name("post", tests, NULL, NULL);
}
