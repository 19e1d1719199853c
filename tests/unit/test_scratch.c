/* SPDX-License-Identifier: MIT */
/* test_scratch.c - the scratch directory removes what is its own, and nothing else. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bench/scratch.h"
#include "lib/util.h"
#include "testutil.h"

struct fixture {
	char *tmp;     /* private temporary folder on a real disk */
	char *dst;     /* tmp/dst: the destination the scratch directories go in */
	char *outside; /* tmp/outside: files that must survive every removal */
};

static void put_file(const char *path, const char *text)
{
	const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, text, strlen(text)), 0);
	assert_int_equal(close(fd), 0);
}

static bool exists_nofollow(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static bool is_dir_nofollow(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Entries in a directory, without "." and "..". */
static int count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int count_open_fds(void)
{
	return count_entries("/proc/self/fd");
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	f->tmp = test_tmpdir("scratch");
	if (!f->tmp)
		return -1;
	f->dst = pathf("%s/dst", f->tmp);
	f->outside = pathf("%s/outside", f->tmp);
	if (mkdir(f->dst, 0755) < 0 || mkdir(f->outside, 0755) < 0)
		return -1;
	char *keep1 = pathf("%s/keep1", f->outside);
	put_file(keep1, "precious 1\n");
	free(keep1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	test_rmtree(f->tmp);
	free(f->tmp);
	free(f->dst);
	free(f->outside);
	free(f);
	return 0;
}

/* The precious files below outside/ (made by each test) are all still there. */
static void assert_outside_intact(const struct fixture *f)
{
	char *p1 = pathf("%s/keep1", f->outside);
	char *p2 = pathf("%s/sub/keep2", f->outside);
	char *text = NULL;

	assert_int_equal(read_text_file(p1, &text, NULL), 0);
	assert_string_equal(text, "precious 1\n");
	free(text);
	assert_int_equal(read_text_file(p2, &text, NULL), 0);
	assert_string_equal(text, "precious 2\n");
	free(text);
	free(p1);
	free(p2);
}

static void make_outside_sub(const struct fixture *f)
{
	char *sub = pathf("%s/sub", f->outside);
	char *keep2 = pathf("%s/sub/keep2", f->outside);

	assert_int_equal(mkdir(sub, 0755), 0);
	put_file(keep2, "precious 2\n");
	free(sub);
	free(keep2);
}

/* copy/a/b/c/file, copy/top, copy/empty/ */
static void fill_copy(const struct scratch *s)
{
	char *p;

	p = pathf("%s/a/b/c", s->copy_path);
	assert_int_equal(mkdir_p(p), 0);
	free(p);
	p = pathf("%s/a/b/c/file.mrcs", s->copy_path);
	put_file(p, "particles\n");
	free(p);
	p = pathf("%s/a/one.mrc", s->copy_path);
	put_file(p, "one\n");
	free(p);
	p = pathf("%s/top", s->copy_path);
	put_file(p, "top\n");
	free(p);
	p = pathf("%s/empty", s->copy_path);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

static void test_create_marks(void **state)
{
	struct fixture *f = *state;
	struct scratch s;
	char *canon_dst = realpath(f->dst, NULL);
	char *marker;
	char *text = NULL;
	char *want;
	struct stat st;

	assert_int_equal(scratch_create(&s, f->dst), 0);
	assert_non_null(canon_dst);
	want = pathf("%s/" SCRATCH_PREFIX, canon_dst);
	assert_int_equal(strncmp(s.path, want, strlen(want)), 0);
	assert_int_equal(strlen(s.path), strlen(want) + 6);
	free(want);
	want = pathf("%s/copy", s.path);
	assert_string_equal(s.copy_path, want);
	free(want);
	assert_true(is_dir_nofollow(s.copy_path));
	assert_int_equal(count_entries(s.copy_path), 0);

	marker = pathf("%s/%s", s.path, SCRATCH_MARKER);
	assert_int_equal(lstat(marker, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(read_text_file(marker, &text, NULL), 0);
	assert_int_equal(strncmp(text, SCRATCH_MAGIC "\n", strlen(SCRATCH_MAGIC) + 1), 0);
	want = pathf("\npid %ld\n", (long)getpid());
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "\nstarted "));
	free(want);
	free(text);
	assert_true(scratch_is_marked(s.dirfd));

	/* Release keeps everything on disk (--keep) and closes both descriptors. */
	char *path = xstrdup(s.path);
	scratch_release(&s);
	assert_int_equal(s.dirfd, -1);
	assert_int_equal(s.marker_fd, -1);
	assert_true(is_dir_nofollow(path));
	assert_true(exists_nofollow(marker));
	free(path);
	free(marker);
	free(canon_dst);
}

static void test_create_needs_dst(void **state)
{
	struct fixture *f = *state;
	struct scratch s;
	char *missing = pathf("%s/missing", f->tmp);

	assert_int_equal(scratch_create(&s, missing), -ENOENT);
	free(missing);
}

static void test_empty_removes_tree(void **state)
{
	struct fixture *f = *state;
	struct scratch s;
	char *marker;

	assert_int_equal(scratch_create(&s, f->dst), 0);
	fill_copy(&s);
	assert_int_equal(count_entries(s.copy_path), 3);
	assert_int_equal(scratch_empty(&s), 0);
	assert_true(is_dir_nofollow(s.copy_path));
	assert_int_equal(count_entries(s.copy_path), 0);
	/* The scratch directory keeps exactly its marker and copy/. */
	assert_int_equal(count_entries(s.path), 2);
	marker = pathf("%s/%s", s.path, SCRATCH_MARKER);
	assert_true(exists_nofollow(marker));
	assert_true(scratch_is_marked(s.dirfd));
	/* Emptying an empty copy/ is fine, and so is a copy/ that went missing. */
	assert_int_equal(scratch_empty(&s), 0);
	assert_int_equal(rmdir(s.copy_path), 0);
	assert_int_equal(scratch_empty(&s), 0);
	assert_true(is_dir_nofollow(s.copy_path));
	assert_int_equal(scratch_remove(&s), 0);
	free(marker);
}

static void test_symlink_inside_not_followed(void **state)
{
	struct fixture *f = *state;
	struct scratch s;
	char *link;
	char *sub;

	make_outside_sub(f);
	assert_int_equal(scratch_create(&s, f->dst), 0);
	fill_copy(&s);
	/* Links to a folder and to a file outside, at the top and deeper down. */
	link = pathf("%s/to-outside", s.copy_path);
	assert_int_equal(symlink(f->outside, link), 0);
	free(link);
	sub = pathf("%s/sub", f->outside);
	link = pathf("%s/a/b/to-sub", s.copy_path);
	assert_int_equal(symlink(sub, link), 0);
	free(link);
	link = pathf("%s/a/to-keep1", s.copy_path);
	char *keep1 = pathf("%s/keep1", f->outside);
	assert_int_equal(symlink(keep1, link), 0);
	free(keep1);
	free(link);

	assert_int_equal(scratch_empty(&s), 0);
	assert_int_equal(count_entries(s.copy_path), 0);
	assert_outside_intact(f);
	assert_int_equal(count_entries(f->outside), 2);
	assert_int_equal(count_entries(sub), 1);

	/* The same once more through scratch_remove. */
	link = pathf("%s/to-outside", s.copy_path);
	assert_int_equal(symlink(f->outside, link), 0);
	free(link);
	assert_int_equal(scratch_remove(&s), 0);
	assert_outside_intact(f);
	assert_int_equal(count_entries(f->dst), 0);
	free(sub);
}

/* A folder wide enough to be unlinked by several threads, with links and folders among files. */
static void test_wide_folder(void **state)
{
	struct fixture *f = *state;
	struct scratch s;
	char *dir;
	char *keep1 = pathf("%s/keep1", f->outside);
	char *sub = pathf("%s/sub", f->outside);

	make_outside_sub(f);
	assert_int_equal(scratch_create(&s, f->dst), 0);
	dir = pathf("%s/J1/extract", s.copy_path);
	assert_int_equal(mkdir_p(dir), 0);
	for (int i = 0; i < 200; i++) {
		char *p = pathf("%s/s%03d.mrcs", dir, i);

		if (i % 50 == 7)
			assert_int_equal(symlink(keep1, p), 0);
		else if (i % 50 == 9)
			assert_int_equal(symlink(sub, p), 0);
		else if (i % 50 == 11)
			assert_int_equal(mkdir(p, 0755), 0);
		else
			put_file(p, "particles\n");
		free(p);
	}
	assert_int_equal(count_entries(dir), 200);
	assert_int_equal(scratch_empty(&s), 0);
	assert_int_equal(count_entries(s.copy_path), 0);
	assert_outside_intact(f);
	assert_int_equal(count_entries(f->outside), 2);
	assert_int_equal(count_entries(sub), 1);
	assert_int_equal(scratch_remove(&s), 0);
	assert_outside_intact(f);
	free(dir);
	free(keep1);
	free(sub);
}

static void test_swapped_folder_not_followed(void **state)
{
	struct fixture *f = *state;
	struct scratch s;
	char *a;
	char *moved;

	make_outside_sub(f);
	assert_int_equal(scratch_create(&s, f->dst), 0);
	fill_copy(&s);

	/* copy/a was a folder; something put a symlink to outside/ in its place. */
	a = pathf("%s/a", s.copy_path);
	moved = pathf("%s/a.moved", s.copy_path);
	assert_int_equal(rename(a, moved), 0);
	assert_int_equal(symlink(f->outside, a), 0);
	assert_int_equal(scratch_empty(&s), 0);
	assert_outside_intact(f);
	assert_int_equal(count_entries(s.copy_path), 0);

	/* copy/ itself swapped for a symlink: it is removed as a link and made again. */
	char *old_copy = pathf("%s/copy.old", s.path);
	assert_int_equal(rename(s.copy_path, old_copy), 0);
	assert_int_equal(symlink(f->outside, s.copy_path), 0);
	assert_int_equal(scratch_empty(&s), 0);
	assert_outside_intact(f);
	assert_true(is_dir_nofollow(s.copy_path));
	assert_int_equal(count_entries(s.copy_path), 0);

	/* scratch_remove takes the stray copy.old too, and the symlinked folder again. */
	assert_int_equal(symlink(f->outside, a), 0);
	assert_int_equal(scratch_remove(&s), 0);
	assert_outside_intact(f);
	assert_int_equal(count_entries(f->dst), 0);
	free(old_copy);
	free(a);
	free(moved);
}

/*
 * A retired copy is removed by several threads, one top folder each or (with online discard)
 * sharing its files whichever folder they are in: every entry goes (a folder of more files than
 * the queue holds included), links are removed as links, and a copy.old that is itself a link is
 * never followed.
 */
static void retire_and_remove(struct fixture *f, bool by_file)
{
	struct scratch s;
	struct stat st;
	char *old_copy;
	char *p;

	assert_int_equal(scratch_create(&s, f->dst), 0);
	/* Both ways of removing, whatever the test folder's mount says. */
	s.online_discard = by_file;
	fill_copy(&s);
	for (int j = 0; j < 6; j++) {
		p = pathf("%s/J%d/extract", s.copy_path, j);
		assert_int_equal(mkdir_p(p), 0);
		free(p);
		for (int i = 0; i < 50; i++) {
			p = pathf("%s/J%d/extract/s%02d.mrcs", s.copy_path, j, i);
			put_file(p, "particles\n");
			free(p);
		}
	}
	for (int i = 0; i < 2500; i++) {
		p = pathf("%s/J0/extract/many%04d.mrcs", s.copy_path, i);
		put_file(p, "");
		free(p);
	}
	p = pathf("%s/J3/extract/linkdir", s.copy_path);
	assert_int_equal(symlink(f->outside, p), 0);
	free(p);
	p = pathf("%s/linkdir", s.copy_path);
	assert_int_equal(symlink(f->outside, p), 0);
	free(p);
	p = pathf("%s/linkfile", s.copy_path);
	char *keep1 = pathf("%s/keep1", f->outside);
	assert_int_equal(symlink(keep1, p), 0);
	free(keep1);
	free(p);

	old_copy = pathf("%s/copy.old", s.path);
	assert_int_equal(scratch_retire(&s), 0);
	assert_true(is_dir_nofollow(old_copy));
	assert_int_equal(count_entries(s.copy_path), 0);
	assert_int_equal(count_entries(old_copy), 11);
	assert_int_equal(scratch_remove_retired(&s), 0);
	assert_int_equal(lstat(old_copy, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_outside_intact(f);
	assert_int_equal(count_entries(f->outside), 2);

	/* A chain of single folders (RELION's Extract/job012/). */
	for (int j = 0; j < 3; j++) {
		p = pathf("%s/Extract/job012/m%d", s.copy_path, j);
		assert_int_equal(mkdir_p(p), 0);
		free(p);
		p = pathf("%s/Extract/job012/m%d/s.mrcs", s.copy_path, j);
		put_file(p, "particles\n");
		free(p);
	}
	p = pathf("%s/Extract/job012/m1/link", s.copy_path);
	assert_int_equal(symlink(f->outside, p), 0);
	free(p);
	assert_int_equal(scratch_retire(&s), 0);
	assert_int_equal(scratch_remove_retired(&s), 0);
	assert_int_equal(lstat(old_copy, &st), -1);
	assert_outside_intact(f);
	assert_int_equal(count_entries(f->outside), 2);

	/* copy.old swapped for a link to outside/: removed as a link. */
	assert_int_equal(symlink(f->outside, old_copy), 0);
	assert_int_equal(scratch_remove_retired(&s), 0);
	assert_int_equal(lstat(old_copy, &st), -1);
	assert_outside_intact(f);
	assert_int_equal(count_entries(f->outside), 2);

	/* What an interrupted removal left is gone before the next copy is retired. */
	p = pathf("%s/copy.old/J9", s.path);
	assert_int_equal(mkdir_p(p), 0);
	free(p);
	fill_copy(&s);
	assert_int_equal(scratch_retire(&s), 0);
	p = pathf("%s/copy.old/J9", s.path);
	assert_int_equal(lstat(p, &st), -1);
	free(p);
	assert_int_equal(count_entries(old_copy), 3);
	assert_int_equal(scratch_remove(&s), 0);
	assert_int_equal(count_entries(f->dst), 0);
	assert_outside_intact(f);
	free(old_copy);
}

static void test_retire_and_remove_in_parallel(void **state)
{
	struct fixture *f = *state;

	make_outside_sub(f);
	retire_and_remove(f, false);
	retire_and_remove(f, true);
}

static void test_remove_everything(void **state)
{
	struct fixture *f = *state;
	struct scratch s;
	char *path;

	assert_int_equal(scratch_create(&s, f->dst), 0);
	fill_copy(&s);
	path = xstrdup(s.path);
	assert_int_equal(scratch_remove(&s), 0);
	assert_false(exists_nofollow(path));
	assert_int_equal(count_entries(f->dst), 0);
	assert_null(s.path);
	assert_int_equal(s.dirfd, -1);
	assert_int_equal(s.marker_fd, -1);
	free(path);
}

static void test_unmarked_is_refused(void **state)
{
	struct fixture *f = *state;
	struct scratch s;
	char *marker;
	char *top;

	assert_int_equal(scratch_create(&s, f->dst), 0);
	fill_copy(&s);
	marker = pathf("%s/%s", s.path, SCRATCH_MARKER);
	/* Not our magic line any more: nothing may be deleted. */
	put_file(marker, "someone else's folder\n");
	assert_false(scratch_is_marked(s.dirfd));
	assert_true(scratch_empty(&s) < 0);
	top = pathf("%s/top", s.copy_path);
	assert_true(exists_nofollow(top));
	char *path = xstrdup(s.path);
	assert_true(scratch_remove(&s) < 0);
	assert_true(exists_nofollow(top));
	assert_true(is_dir_nofollow(path));
	free(path);
	free(top);
	free(marker);
}

static void test_magic_line_exact(void **state)
{
	struct fixture *f = *state;
	char *dir = pathf("%s/" SCRATCH_PREFIX "magic", f->dst);
	char *marker = pathf("%s/%s", dir, SCRATCH_MARKER);

	assert_int_equal(mkdir(dir, 0755), 0);
	const int fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_false(scratch_is_marked(fd));
	put_file(marker, SCRATCH_MAGIC);
	assert_true(scratch_is_marked(fd));
	put_file(marker, SCRATCH_MAGIC "\nanything\n");
	assert_true(scratch_is_marked(fd));
	/* A longer first line that merely starts with the magic is not the magic. */
	put_file(marker, SCRATCH_MAGIC "x\n");
	assert_false(scratch_is_marked(fd));
	put_file(marker, "");
	assert_false(scratch_is_marked(fd));
	/* A folder named like the marker is not a marker. */
	assert_int_equal(unlink(marker), 0);
	assert_int_equal(mkdir(marker, 0755), 0);
	assert_false(scratch_is_marked(fd));
	assert_int_equal(close(fd), 0);
	free(marker);
	free(dir);
}

static void test_clean_leaves_unmarked(void **state)
{
	struct fixture *f = *state;
	unsigned removed = 99, busy = 99, unmarked = 99;
	char *dir = pathf("%s/" SCRATCH_PREFIX "X", f->dst);
	char *file = pathf("%s/data.mrcs", dir);
	char *other = pathf("%s/not-ours", f->dst);
	char *link = pathf("%s/" SCRATCH_PREFIX "link", f->dst);

	assert_int_equal(mkdir(dir, 0755), 0);
	put_file(file, "user data\n");
	assert_int_equal(mkdir(other, 0755), 0);
	/* A symlink with our prefix, pointing at a marked-looking folder, is not followed. */
	assert_int_equal(symlink(dir, link), 0);

	assert_int_equal(scratch_clean_all(f->dst, &removed, &busy, &unmarked), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(busy, 0);
	assert_int_equal(unmarked, 2);
	assert_true(exists_nofollow(file));
	assert_true(is_dir_nofollow(other));
	assert_true(exists_nofollow(link));
	free(dir);
	free(file);
	free(other);
	free(link);
}

static void test_marker_symlink_not_marked(void **state)
{
	struct fixture *f = *state;
	unsigned removed, busy, unmarked;
	char *real_marker = pathf("%s/real-marker", f->outside);
	char *dir = pathf("%s/" SCRATCH_PREFIX "Y", f->dst);
	char *marker = pathf("%s/%s", dir, SCRATCH_MARKER);
	char *file = pathf("%s/data.mrcs", dir);

	put_file(real_marker, SCRATCH_MAGIC "\n");
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(symlink(real_marker, marker), 0);
	put_file(file, "user data\n");

	const int fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_false(scratch_is_marked(fd));
	assert_int_equal(close(fd), 0);

	assert_int_equal(scratch_clean_all(f->dst, &removed, &busy, &unmarked), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(busy, 0);
	assert_int_equal(unmarked, 1);
	assert_true(exists_nofollow(file));
	assert_true(exists_nofollow(marker));
	assert_true(exists_nofollow(real_marker));
	free(real_marker);
	free(dir);
	free(marker);
	free(file);
}

static void test_clean_busy_and_stale(void **state)
{
	struct fixture *f = *state;
	unsigned removed, busy, unmarked;
	struct scratch live;
	struct scratch stale;

	make_outside_sub(f);
	/* A live run: scratch_create holds the marker's lock. */
	assert_int_equal(scratch_create(&live, f->dst), 0);
	fill_copy(&live);
	/* A run that ended without cleaning up, with a link to outside/ in its copies. */
	assert_int_equal(scratch_create(&stale, f->dst), 0);
	fill_copy(&stale);
	char *link = pathf("%s/a/to-outside", stale.copy_path);
	assert_int_equal(symlink(f->outside, link), 0);
	free(link);
	char *stale_path = xstrdup(stale.path);
	scratch_release(&stale);

	assert_int_equal(scratch_clean_all(f->dst, &removed, &busy, &unmarked), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(busy, 1);
	assert_int_equal(unmarked, 0);
	assert_false(exists_nofollow(stale_path));
	assert_true(scratch_is_marked(live.dirfd));
	char *top = pathf("%s/top", live.copy_path);
	assert_true(exists_nofollow(top));
	free(top);
	assert_outside_intact(f);

	/*
	 * Another process's run: released here, then locked through an open file description of
	 * its own (flock locks belong to the open file description, so this conflicts with the
	 * one clean makes even within one process).
	 */
	char *live_path = xstrdup(live.path);
	char *marker = pathf("%s/%s", live_path, SCRATCH_MARKER);
	scratch_release(&live);
	const int fd = open(marker, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(scratch_clean_all(f->dst, &removed, &busy, &unmarked), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(busy, 1);
	assert_true(is_dir_nofollow(live_path));

	assert_int_equal(close(fd), 0);
	assert_int_equal(scratch_clean_all(f->dst, &removed, &busy, &unmarked), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(busy, 0);
	assert_int_equal(count_entries(f->dst), 0);
	assert_outside_intact(f);
	free(marker);
	free(live_path);
	free(stale_path);
}

static void test_clean_missing_dst(void **state)
{
	struct fixture *f = *state;
	unsigned removed, busy, unmarked;
	char *missing = pathf("%s/missing", f->tmp);

	assert_int_equal(scratch_clean_all(missing, &removed, &busy, &unmarked), -ENOENT);
	free(missing);
}

/* A deep tree goes without running out of descriptors and without leaking any. */
static void test_deep_tree(void **state)
{
	struct fixture *f = *state;
	struct scratch s;
	const int depth = 200;
	const int fds_before = count_open_fds();

	assert_int_equal(scratch_create(&s, f->dst), 0);
	const int dfd = open(s.copy_path, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	int cur = dfd;
	for (int i = 0; i < depth; i++) {
		assert_int_equal(mkdirat(cur, "d", 0755), 0);
		const int next = openat(cur, "d", O_RDONLY | O_DIRECTORY);
		assert_true(next >= 0);
		const int wfd = openat(cur, "f", O_WRONLY | O_CREAT | O_EXCL, 0644);
		assert_true(wfd >= 0);
		assert_int_equal(close(wfd), 0);
		assert_int_equal(close(cur), 0);
		cur = next;
	}
	assert_int_equal(close(cur), 0);
	assert_int_equal(count_open_fds(), fds_before + 2);
	assert_int_equal(scratch_empty(&s), 0);
	assert_int_equal(count_entries(s.copy_path), 0);
	assert_int_equal(count_open_fds(), fds_before + 2);
	assert_int_equal(scratch_remove(&s), 0);
	assert_int_equal(count_open_fds(), fds_before);
	assert_int_equal(count_entries(f->dst), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_marks),
		T(test_create_needs_dst),
		T(test_empty_removes_tree),
		T(test_symlink_inside_not_followed),
		T(test_wide_folder),
		T(test_swapped_folder_not_followed),
		T(test_retire_and_remove_in_parallel),
		T(test_remove_everything),
		T(test_unmarked_is_refused),
		T(test_magic_line_exact),
		T(test_clean_leaves_unmarked),
		T(test_marker_symlink_not_marked),
		T(test_clean_busy_and_stale),
		T(test_clean_missing_dst),
		T(test_deep_tree),
	};

	return cmocka_run_group_tests_name("scratch", tests, NULL, NULL);
}
