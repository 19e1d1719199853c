/* SPDX-License-Identifier: MIT */
/* test_fioclients.c - fio's client/server output: per server, all clients, versions. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/fioclients.h"
#include "testutil.h"

static char *fixture(const char *name)
{
	char *rel = pathf("data/fio/%s", name);
	char *path = test_source_path(rel);
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(read_text_file(path, &text, &len), 0);
	free(rel);
	free(path);
	return text;
}

/* Two servers, one job each: fio's own "All clients" entry is the sum. */
static void test_two_servers_summed_by_fio(void **state)
{
	struct fioclients_result r;
	char *text = fixture("fio-3.33-clients-read-1.out");
	char why[256] = "";

	assert_int_equal(fioclients_parse(text, &r, why, sizeof(why)), 0);
	assert_string_equal(r.version, "fio-3.33");
	assert_int_equal(r.nr, 2);
	assert_string_equal(r.hosts[0].host, "127.0.0.1");
	assert_int_equal(r.hosts[0].port, 18765);
	assert_int_equal(r.hosts[1].port, 18766);
	assert_int_equal(r.hosts[0].read.io_bytes, 97517568);
	assert_int_equal(r.hosts[0].errors, 0);
	/* 97517568 bytes in 78 ms */
	assert_true(r.hosts[0].read.mb_s > 1250.2 && r.hosts[0].read.mb_s < 1250.3);
	assert_true(r.fio_summed);
	assert_int_equal(r.read_all.io_bytes, 2 * 97517568ull);
	/* fio's all-clients runtime is the longest, 113 ms */
	assert_true(r.read_all.runtime_s > 0.1129 && r.read_all.runtime_s < 0.1131);
	assert_int_equal(r.write_all.io_bytes, 0);
	assert_int_equal(json_array_size(r.versions), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.versions, 0), "fio")),
			    "fio-3.33");
	assert_string_equal(json_string_value(json_object_get(json_array_get(r.versions, 0), "host")),
			    "vm");
	assert_true(fioclients_versions_agree(&r));
	fioclients_release(&r);
	free(text);
}

/* Two jobs a server in one group: fio gives no "All clients"; the sum is made the same way. */
static void test_no_fio_sum(void **state)
{
	struct fioclients_result r;
	char *text = fixture("fio-3.33-clients-read-n.out");
	char why[256] = "";
	json_t *j;

	assert_int_equal(fioclients_parse(text, &r, why, sizeof(why)), 0);
	assert_int_equal(r.nr, 2);
	assert_false(r.fio_summed);
	assert_int_equal(r.read_all.io_bytes, r.hosts[0].read.io_bytes + r.hosts[1].read.io_bytes);
	assert_true(r.read_all.runtime_s > 0.1189 && r.read_all.runtime_s < 0.1191);
	j = fioclients_json(&r);
	assert_int_equal(json_array_size(json_object_get(j, "per_client")), 2);
	assert_false(json_is_true(json_object_get(json_object_get(j, "all_clients"), "from_fio")));
	assert_true(json_is_true(json_object_get(j, "versions_agree")));
	json_decref(j);
	fioclients_release(&r);
	free(text);
}

/* A server running another fio is told apart. */
static void test_versions_differ(void **state)
{
	struct fioclients_result r;
	char *text = fixture("fio-3.33-clients-read-1.out");
	char *at = strstr(text, "fio=fio-3.33");
	char why[256] = "";

	assert_non_null(at);
	memcpy(at, "fio=fio-3.28", 12);
	assert_int_equal(fioclients_parse(text, &r, why, sizeof(why)), 0);
	assert_false(fioclients_versions_agree(&r));
	fioclients_release(&r);
	free(text);
}

static void test_not_client_output(void **state)
{
	struct fioclients_result r;
	char why[256] = "";

	assert_int_equal(fioclients_parse("{\"fio version\": \"fio-3.33\", \"jobs\": []}", &r, why,
					  sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "client_stats"));
	fioclients_release(&r);
	assert_int_equal(fioclients_parse("fio: connect: Connection refused\n", &r, why,
					  sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "no JSON"));
	fioclients_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_servers_summed_by_fio),
		cmocka_unit_test(test_no_fio_sum),
		cmocka_unit_test(test_versions_differ),
		cmocka_unit_test(test_not_client_output),
	};

	return cmocka_run_group_tests_name("fioclients", tests, NULL, NULL);
}
