/*
 * test_dataset.c - what a dataset takes from SRC: paths named by metadata resolved as text below
 * the project.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dataset/dataset.h"
#include "lib/util.h"

static void rel_is(const char *project, const char *path, const char *want)
{
	char *got = dataset_project_rel(project, path);

	if (!want) {
		if (got)
			fail_msg("'%s' below '%s': got '%s', expected NULL", path, project, got);
		return;
	}
	if (!got)
		fail_msg("'%s' below '%s': got NULL, expected '%s'", path, project, want);
	assert_string_equal(got, want);
	free(got);
}

static void test_project_rel(void **state)
{
	rel_is("/p", "J1/a.mrcs", "J1/a.mrcs");
	rel_is("/p", "./J1/a.mrcs", "J1/a.mrcs");
	rel_is("/p", "J1//./a.mrcs", "J1/a.mrcs");
	rel_is("/p", "sub/../ok.mrcs", "ok.mrcs");
	rel_is("/p", "a/b/../../c/./d.mrcs", "c/d.mrcs");
	rel_is("/p", "J1/..", NULL);		/* the project itself */
	rel_is("/p", "../x.mrcs", NULL);
	rel_is("/p", "a/../../x.mrcs", NULL);
	rel_is("/p", "", NULL);
	rel_is("/p", "/p/J1/a.mrcs", "J1/a.mrcs");
	rel_is("/p", "/p/sub/../J1/a.mrcs", "J1/a.mrcs");
	rel_is("/p", "/q/../p/J1/a.mrcs", "J1/a.mrcs");
	rel_is("/p", "/p/../q/a.mrcs", NULL);
	rel_is("/p", "/px/a.mrcs", NULL);
	rel_is("/p", "/p", NULL);
	rel_is("/p", "/../p/a.mrcs", "a.mrcs");	/* "/.." is "/" */
	rel_is("/", "/data/a.mrcs", "data/a.mrcs");
	rel_is("/p/q", "/p/q/r/../s.mrcs", "s.mrcs");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_rel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
