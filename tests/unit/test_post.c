/* test_post.c - posting: headers checked, the exit statuses. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/post_results.h"

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
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_has_header),
		cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests_name("post", tests, NULL, NULL);
}
