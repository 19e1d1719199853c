/* SPDX-License-Identifier: MIT */
/*
 * test_dataset.c - what a dataset takes from SRC: paths named by metadata resolved as text below
 * the project, and a folder's entries that are not regular files (FIFOs, sockets, dangling links,
 * links to folders) counted, links to outside refused unless followed; a walked folder's files
 * in strcmp() order of their paths, however the folders' names and files interleave.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "dataset/dataset.h"
#include "lib/util.h"
#include "testutil.h"

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

struct tree {
	char *dir;
	char *src;
	char *outside;
};

static int setup(void **state)
{
	struct tree *t = xcalloc(1, sizeof(*t));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *p;
	int fd;

	t->dir = test_tmpdir("dataset");
	assert_non_null(t->dir);
	t->src = pathf("%s/src", t->dir);
	t->outside = pathf("%s/outside.mrcs", t->dir);
	p = pathf("%s/J1", t->src);
	assert_int_equal(mkdir_p(p), 0);
	free(p);
	p = pathf("%s/J1/a.mrcs", t->src);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not an MRC", 10), 10);
	close(fd);
	free(p);
	fd = open(t->outside, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "outside!", 8), 8);
	close(fd);
	p = pathf("%s/pipe.mrcs", t->src);
	assert_int_equal(mkfifo(p, 0644), 0);
	free(p);
	p = pathf("%s/sock.mrcs", t->src);
	assert_true(strlen(p) < sizeof(sa.sun_path));
	strcpy(sa.sun_path, p);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	free(p);
	p = pathf("%s/dangling.mrcs", t->src);
	assert_int_equal(symlink("nowhere.mrcs", p), 0);
	free(p);
	p = pathf("%s/loop.mrcs", t->src);
	assert_int_equal(symlink("loop.mrcs", p), 0);
	free(p);
	p = pathf("%s/folder", t->src);
	assert_int_equal(symlink("J1", p), 0);
	free(p);
	p = pathf("%s/inside.mrcs", t->src);
	assert_int_equal(symlink("J1/a.mrcs", p), 0);
	free(p);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;

	test_rmtree(t->dir);
	free(t->dir);
	free(t->src);
	free(t->outside);
	free(t);
	return 0;
}

static const char *type_of(const struct dataset *ds, const char *rel)
{
	for (size_t i = 0; i < ds->nr_special && i < DATASET_MISSING_EXAMPLES; i++)
		if (!strcmp(ds->special[i].rel, rel))
			return ds->special[i].type;
	return NULL;
}

static void test_special_entries(void **state)
{
	struct tree *t = *state;
	struct dataset ds;
	char why[DATASET_WHY_MAX];

	assert_int_equal(dataset_load_dir(&ds, t->src, 0, why, sizeof(why)), 0);
	/* J1/a.mrcs, and inside.mrcs through its link (it stays inside) */
	assert_int_equal(ds.nr, 2);
	assert_string_equal(ds.files[0].rel, "J1/a.mrcs");
	assert_string_equal(ds.files[1].rel, "inside.mrcs");
	assert_int_equal(ds.nr_special, 5);
	assert_string_equal(type_of(&ds, "pipe.mrcs"), "fifo");
	assert_string_equal(type_of(&ds, "sock.mrcs"), "socket");
	assert_string_equal(type_of(&ds, "dangling.mrcs"), "dangling link");
	assert_string_equal(type_of(&ds, "loop.mrcs"), "link loop");
	assert_string_equal(type_of(&ds, "folder"), "link to a folder");
	assert_int_equal(ds.nr_linked_out, 0);
	dataset_release(&ds);
}

static void test_link_outside(void **state)
{
	struct tree *t = *state;
	char *link = pathf("%s/J1/imported.mrcs", t->src);
	struct dataset ds;
	char why[DATASET_WHY_MAX];
	char *want;

	assert_int_equal(symlink(t->outside, link), 0);
	assert_int_equal(dataset_load_dir(&ds, t->src, 0, why, sizeof(why)), -EXDEV);
	want = pathf("'J1/imported.mrcs' in the source '%s' is a link to '%s', outside it: copy "
		     "from the folder the links point to, or pass --follow-links to copy through "
		     "them", t->src, t->outside);
	assert_string_equal(why, want);
	free(want);
	dataset_release(&ds);

	assert_int_equal(dataset_load_dir(&ds, t->src, DATASET_FOLLOW_LINKS, why, sizeof(why)), 0);
	assert_int_equal(ds.nr, 3);
	assert_int_equal(ds.files[1].size, 8);	/* the target's size */
	assert_int_equal(ds.nr_linked_out, 1);
	assert_string_equal(ds.linked_out[0], "J1/imported.mrcs");
	dataset_release(&ds);
	free(link);
}

/* A .star naming the stacks of names[0, n) below t's source, one particle each. */
static char *star_naming(const struct tree *t, const char *const *names, size_t n)
{
	char *star = pathf("%s/named.star", t->dir);
	FILE *f = fopen(star, "w");

	assert_non_null(f);
	fprintf(f, "data_particles\n\nloop_\n_rlnImageName #1\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "000001@%s\n", names[i]);
	fclose(f);
	return star;
}

/*
 * Named stacks are stat'ed by name in their folder, opened once: a missing folder or a file in
 * its place makes the stack missing, a folder reached through a link inside the project is
 * found, one resolving outside it is refused unless links are followed, a path written
 * otherwise ("//", absolute) is the same stack.
 */
static void test_named_folders(void **state)
{
	struct tree *t = *state;
	char *out = pathf("%s/out", t->dir);
	char *p = pathf("%s/outdir", t->src);
	char *abs = pathf("%s/J1//a.mrcs", t->src);
	const char *names[] = { "J9/x.mrcs", "folder/a.mrcs", "J1/a.mrcs/x.mrcs", abs,
				"inside.mrcs", "outdir/b.mrcs", "J1/a.mrcs" };
	char *star;
	struct dataset_source src = { .project_dir = t->src };
	struct dataset ds;
	char why[DATASET_WHY_MAX];
	int fd;

	assert_int_equal(mkdir(out, 0755), 0);
	assert_int_equal(symlink(out, p), 0);
	free(p);
	p = pathf("%s/b.mrcs", out);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "12345", 5), 5);
	close(fd);
	star = star_naming(t, names, sizeof(names) / sizeof(*names));

	assert_int_equal(dataset_load(&ds, star, &src, why, sizeof(why)), -EXDEV);
	assert_non_null(strstr(why, "outdir/b.mrcs"));
	dataset_release(&ds);

	src.flags = DATASET_FOLLOW_LINKS;
	assert_int_equal(dataset_load(&ds, star, &src, why, sizeof(why)), 0);
	assert_int_equal(ds.nr, 4);
	assert_string_equal(ds.files[0].rel, "J1/a.mrcs");
	assert_string_equal(ds.files[1].rel, "folder/a.mrcs");
	assert_string_equal(ds.files[2].rel, "inside.mrcs");
	assert_string_equal(ds.files[3].rel, "outdir/b.mrcs");
	assert_int_equal(ds.files[1].size, 10);
	assert_int_equal(ds.files[3].size, 5);
	assert_int_equal(ds.nr_missing, 2);
	assert_string_equal(ds.missing[0], "J9/x.mrcs");
	assert_string_equal(ds.missing[1], "J1/a.mrcs/x.mrcs");
	assert_int_equal(ds.nr_linked_out, 1);
	dataset_release(&ds);
	free(star);
	free(abs);
	free(p);
	free(out);
}

static int strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files rels[0, n) below dir, each of strlen(rel) % 7 bytes. */
static void make_files(const char *dir, char *const *rels, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *p = pathf("%s/%s", dir, rels[i]);
		char *slash = strrchr(p, '/');

		*slash = '\0';
		assert_int_equal(mkdir_p(p), 0);
		*slash = '/';
		const int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, p, strlen(rels[i]) % 7), (ssize_t)(strlen(rels[i]) % 7));
		close(fd);
		free(p);
	}
}

/* ds holds rels[0, n) (sorted here) in strcmp() order, with their sizes and their folders. */
static void order_is(const struct dataset *ds, char **rels, size_t n)
{
	size_t nr_dirs = 0;

	assert_int_equal(ds->nr, n);
	qsort(rels, n, sizeof(*rels), strcmp_p);
	for (size_t i = 0; i < n; i++) {
		const char *slash = strrchr(rels[i], '/');

		if (strcmp(ds->files[i].rel, rels[i]))
			fail_msg("file %zu: '%s', expected '%s'", i, ds->files[i].rel, rels[i]);
		assert_int_equal(ds->files[i].size, strlen(rels[i]) % 7);
		if (!slash)
			continue;
		/* The distinct folders, in the files' order. */
		const size_t len = (size_t)(slash - rels[i]);

		if (nr_dirs && strlen(ds->dirs[nr_dirs - 1]) == len &&
		    !strncmp(ds->dirs[nr_dirs - 1], rels[i], len))
			continue;
		assert_true(nr_dirs < ds->nr_dirs);
		assert_int_equal(strlen(ds->dirs[nr_dirs]), len);
		assert_memory_equal(ds->dirs[nr_dirs], rels[i], len);
		nr_dirs++;
	}
	assert_int_equal(ds->nr_dirs, nr_dirs);
}

/* Make the files rels[0, n) below a new folder, walk it and check the order and the folders. */
static void walk_order_is(char **rels, size_t n)
{
	char *dir = test_tmpdir("walk-order");
	char why[DATASET_WHY_MAX];
	struct dataset ds;

	assert_non_null(dir);
	make_files(dir, rels, n);
	assert_int_equal(dataset_load_dir(&ds, dir, 0, why, sizeof(why)), 0);
	order_is(&ds, rels, n);
	dataset_release(&ds);
	test_rmtree(dir);
	free(dir);
}

static void test_walk_order(void **state)
{
	/* Folders whose names sort apart from their paths ("J1" < "J1.x", "J1/" > "J1.x/"). */
	static const char *const few[] = {
		"J1/extract/b.mrcs", "J1/extract/a.mrcs", "J10/extract/a.mrcs", "J1.x/a.mrcs",
		"J1/z.mrcs", "top.mrcs", "a/b/y.mrcs", "a/c.mrcs", "a/x.mrcs", "a.mrcs",
	};
	/* a/'s files fall on both sides of a/b/'s. */
	static const char *const mixed[] = { "a/a.mrcs", "a/b/y.mrcs", "a/c.mrcs", "a/b/a.mrcs" };
	char *rels[6000];
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(few) / sizeof(*few); i++)
		rels[n++] = xstrdup(few[i]);
	walk_order_is(rels, n);
	for (size_t i = 0; i < n; i++)
		free(rels[i]);
	n = 0;
	for (size_t i = 0; i < sizeof(mixed) / sizeof(*mixed); i++)
		rels[n++] = xstrdup(mixed[i]);
	walk_order_is(rels, n);
	for (size_t i = 0; i < n; i++)
		free(rels[i]);

	/* Enough files for the folders to be sorted by several threads, then both cases again. */
	for (int round = 0; round < 2; round++) {
		n = 0;
		for (unsigned i = 0; i < 5000; i++)
			rels[n++] = pathf("J%u/extract/%05u_%u.mrcs", i % 11, (i * 7919u) % 5000, i);
		/* Apart from J1/extract's, then on both sides of them. */
		rels[n++] = xstrdup(round ? "J1/a.mrcs" : "J1/first.mrcs");
		rels[n++] = xstrdup(round ? "J1/zzz.mrcs" : "J1.b/a.mrcs");
		walk_order_is(rels, n);
		for (size_t i = 0; i < n; i++)
			free(rels[i]);
	}
}

/*
 * A .star naming the stacks rels[0, n) below a new project, each written as its own rel (or
 * with "./" before every seventh when dotted) in a shuffled order, three particles each, and
 * "J0/missing.mrcs" when missing: the set is the stacks that exist, in strcmp() order.
 */
static void named_order_is(char **rels, size_t n, bool dotted, bool missing)
{
	char *dir = test_tmpdir("named-order");
	char *star = pathf("%s/particles.star", dir);
	struct dataset_source src = { .project_dir = dir };
	char why[DATASET_WHY_MAX];
	size_t *shuffled = xmalloc(n * sizeof(*shuffled));
	struct dataset ds;
	FILE *f;

	assert_non_null(dir);
	make_files(dir, rels, n);
	for (size_t i = 0; i < n; i++)
		shuffled[i] = i;
	for (size_t i = n - 1; i > 0; i--) {
		const size_t j = (i * 2654435761u) % (i + 1);
		const size_t t = shuffled[i];

		shuffled[i] = shuffled[j];
		shuffled[j] = t;
	}
	f = fopen(star, "w");
	assert_non_null(f);
	fprintf(f, "data_particles\n\nloop_\n_rlnCoordinateX #1\n_rlnImageName #2\n");
	for (size_t i = 0; i < n; i++)
		for (int p = 1; p <= 3; p++)
			fprintf(f, "%zu.0 %06d@%s%s\n", i, p, dotted && i % 7 == 3 ? "./" : "",
				rels[shuffled[i]]);
	if (missing)
		fprintf(f, "1.0 000001@J0/missing.mrcs\n");
	fclose(f);
	assert_int_equal(dataset_load(&ds, star, &src, why, sizeof(why)), 0);
	assert_int_equal(ds.particles, 3 * n + (missing ? 1 : 0));
	assert_int_equal(ds.nr_missing, missing ? 1 : 0);
	order_is(&ds, rels, n);
	dataset_release(&ds);
	test_rmtree(dir);
	free(shuffled);
	free(star);
	free(dir);
}

/* The stacks a .star names, stat'ed while it is parsed, come out sorted however they are named. */
static void test_named_order(void **state)
{
	char *rels[3000];
	size_t n = 0;

	(void)state;
	/* More than a few batches of stat'ed stacks, in folders whose names sort apart. */
	for (unsigned i = 0; i < 1999; i++)
		rels[n++] = pathf("J%u%s/extract/%05u_%u.mrcs", i % 5, i % 2 ? ".x" : "",
				  (i * 7919u) % 2000, i);
	rels[n++] = xstrdup("top.mrcs");
	walk_order_is(rels, n);			/* the same files, walked */
	named_order_is(rels, n, false, false);	/* each as written: sorted while stat'ed */
	named_order_is(rels, n, true, false);	/* some "./": sorted afterwards */
	named_order_is(rels, n, false, true);	/* one missing: sorted afterwards */
	named_order_is(rels, 1, false, false);
	for (size_t i = 0; i < n; i++)
		free(rels[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_project_rel),
		cmocka_unit_test_setup_teardown(test_special_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_outside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_named_folders, setup, teardown),
		cmocka_unit_test(test_walk_order),
		cmocka_unit_test(test_named_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
