/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/testutil.h - fixtures the cmocka tests share: formatted paths and a private temporary
 * folder on a real disk. Include it after <cmocka.h>.
 */
#ifndef CCB_TESTUTIL_H
#define CCB_TESTUTIL_H

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"

/* printf into a new string; the test fails rather than go on without it. */
static inline char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *pathf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) >= 0);
	va_end(ap);
	return s;
}

/*
 * A new private folder, $CCB_TEST_TMPDIR/ccb-test-<name>.XXXXXX (/var/tmp by default): on a real
 * disk, as tmpfs pages cannot be dropped. Returns its path (free it), or NULL when it cannot be
 * made.
 */
static inline char *test_tmpdir(const char *name)
{
	const char *base = getenv("CCB_TEST_TMPDIR");
	char *dir = pathf("%s/ccb-test-%s.XXXXXX", base && *base ? base : "/var/tmp", name);

	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static inline int test_rm_entry(const char *path, const struct stat *st, int flag,
				struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

/*
 * Remove path and everything below it; symbolic links are removed, not followed. Returns 0, or
 * -1 when something could not be removed.
 */
static inline int test_rmtree(const char *path)
{
	return nftw(path, test_rm_entry, 16, FTW_DEPTH | FTW_PHYS) ? -1 : 0;
}

/*
 * The path of tests/<rel>: below $CCB_SRCDIR/tests as make check sets it, or below the source
 * tree the test was built from when it is run by hand (free it).
 */
static inline char *test_source_path(const char *rel)
{
	const char *srcdir = getenv("CCB_SRCDIR");

	return pathf("%s/tests/%s", srcdir && *srcdir ? srcdir : CCB_TOP_SRCDIR, rel);
}

/*
 * The contents of tests/data/<dir>/<name>, NUL-terminated (read_text_file() from util.h). The
 * test fails when the fixture cannot be read. *len, when not NULL, gets its size.
 */
static inline char *test_fixture(const char *dir, const char *name, size_t *len)
{
	char *rel = pathf("data/%s/%s", dir, name);
	char *path = test_source_path(rel);
	char *text = NULL;

	if (read_text_file(path, &text, len))
		fail_msg("cannot read fixture '%s'", path);
	free(path);
	free(rel);
	return text;
}

/* Write a formatted file at root/rel, making its folders; the test fails when it cannot. */
static inline void test_put_file(const char *root, const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void test_put_file(const char *root, const char *rel, const char *fmt, ...)
{
	char *path = path_join(root, rel);
	char *slash = strrchr(path, '/');
	va_list ap;
	FILE *f;

	*slash = '\0';
	assert_int_equal(mkdir_p(path), 0);
	*slash = '/';
	/* fopen "w" rewrites in place: a reader holding the file open sees the new text. */
	f = fopen(path, "w");
	assert_non_null(f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
	free(path);
}

#endif
