/* SPDX-License-Identifier: MIT */
/*
 * test_fuzz_corpus.c - replay every file of tests/fuzz/corpus (the fuzzers' seeds and findings)
 * through both parsers, under whatever sanitizers the build has: a crash found once stays fixed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dataset/csfile.h"
#include "dataset/star.h"
#include "lib/util.h"
#include "testutil.h"

static char *corpus_dir(const char *name)
{
	char *rel = pathf("fuzz/corpus/%s", name);
	char *path = test_source_path(rel);

	free(rel);
	return path;
}

static void check_list(const struct stack_list *l)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < l->nr; i++) {
		assert_true(l->items[i].path[0] != '\0');
		assert_true(l->items[i].particles > 0);
		sum += l->items[i].particles;
	}
	assert_int_equal(sum, l->particles);
}

/* Returns the number of files replayed. */
static size_t replay(const char *name)
{
	char *dir = corpus_dir(name);
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	if (!d)
		fail_msg("cannot open corpus '%s': %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		char *path;
		char *buf = NULL;
		size_t len = 0;
		struct stack_list l;
		char why[256];
		int ret;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (read_text_file(path, &buf, &len))
			fail_msg("cannot read '%s'", path);
		stack_list_init(&l);
		why[0] = '\0';
		ret = star_parse(buf, len, &l, why, sizeof(why));
		if (ret == 0)
			check_list(&l);
		else if (ret != -EINVAL || strncmp(why, "line ", 5))
			fail_msg("%s: star_parse returned %d, '%s'", path, ret, why);
		stack_list_release(&l);
		stack_list_init(&l);
		why[0] = '\0';
		ret = csfile_parse((const unsigned char *)buf, len, &l, why, sizeof(why));
		if (ret == 0)
			check_list(&l);
		else if (ret != -ENOTSUP && (ret != -EINVAL || strncmp(why, "byte ", 5)))
			fail_msg("%s: csfile_parse returned %d, '%s'", path, ret, why);
		stack_list_release(&l);
		if (csfile_is_csg(buf, len)) {
			char *mf = NULL;

			if (csfile_csg_metafile(buf, len, &mf, why, sizeof(why)) == 0)
				assert_true(mf && mf[0]);
			free(mf);
		}
		free(buf);
		free(path);
		n++;
	}
	closedir(d);
	free(dir);
	return n;
}

static void test_star_corpus(void **state)
{
	(void)state;
	assert_true(replay("star") > 0);
}

static void test_cs_corpus(void **state)
{
	(void)state;
	assert_true(replay("cs") > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_star_corpus),
		cmocka_unit_test(test_cs_corpus),
	};

	return cmocka_run_group_tests_name("fuzz_corpus", tests, NULL, NULL);
}
