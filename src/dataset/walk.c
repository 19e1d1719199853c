/* SPDX-License-Identifier: MIT */
/* walk.c - a dataset that is a folder: the regular files below it, listed recursively. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset/dataset.h"
#include "dataset/dataset_int.h"
#include "dataset/gen.h"
#include "lib/util.h"

struct walk {
	struct dataset *ds;
	unsigned flags;
	size_t cap;
	char *bad;		/* path that failed, owned */
	size_t refused;		/* links to files outside the root, without --follow-links */
	char *first_refused;	/* the first of them, and where it points */
	char *first_target;
	struct sizer *sizer;	/* sizes the files listed from d_type alone */
};

static bool has_mrc_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (strcasecmp(dot, ".mrc") == 0 || strcasecmp(dot, ".mrcs") == 0);
}

static void add_file(struct walk *w, const char *rel, uint64_t size, unsigned fflags)
{
	struct dataset *ds = w->ds;

	if (ds->nr == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 256;
		ds->files = xrealloc(ds->files, w->cap * sizeof(*ds->files));
	}
	ds->files[ds->nr].rel = xstrdup(rel);
	ds->files[ds->nr].size = size;
	ds->files[ds->nr].flags = fflags;
	ds->nr++;
	ds->bytes += size;
}

/*
 * A regular file named by its folder entry's d_type: listed now, its size read after the walk
 * by the sizer's threads in inode order (sizer.c): a cold stat is a read of the inode table.
 */
static void add_unsized(struct walk *w, const char *name, const char *rel, ino_t ino)
{
	if (!strcmp(rel, GEN_MANIFEST) || !strcmp(rel, GEN_STAR) || !strcmp(rel, GEN_CS))
		return;
	if (!(w->flags & DATASET_ALL_FILES) && !has_mrc_name(name)) {
		w->ds->nr_ignored++;
		return;
	}
	add_file(w, rel, 0, 0);
	sizer_add(w->sizer, w->ds->nr - 1, ino);
}

/* What an entry that is neither a regular file nor a folder is, for the list of those skipped. */
static const char *special_type(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "fifo";
	if (S_ISSOCK(mode))
		return "socket";
	if (S_ISCHR(mode))
		return "character device";
	if (S_ISBLK(mode))
		return "block device";
	return "special file";
}

/* Where a link that leads to no regular file leads ("link to a folder"), or why nowhere. */
static const char *link_type(int err, mode_t mode)
{
	if (err == ENOENT || err == ENOTDIR)
		return "dangling link";
	if (err == ELOOP)
		return "link loop";
	if (err)
		return "unreachable link";
	if (S_ISDIR(mode))
		return "link to a folder";
	if (S_ISFIFO(mode))
		return "link to a fifo";
	if (S_ISSOCK(mode))
		return "link to a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "link to a device";
	return "link to a special file";
}

/* Count an entry that is not copied (a FIFO, a socket, a device, a link to no file). */
static void skip_special(struct walk *w, const char *rel, const char *type)
{
	struct dataset *ds = w->ds;

	if (ds->nr_special < DATASET_MISSING_EXAMPLES)
		ds->special[ds->nr_special] = (struct dataset_skip){ xstrdup(rel), type };
	ds->nr_special++;
}

/* A regular file (or a link to one) named rel: taken, ignored by name, or a refused link. */
static void take_file(struct walk *w, const char *name, const char *rel, const struct stat *st,
		      bool is_link)
{
	/* gen's manifest and job metadata sit beside the stacks: not particle data. */
	if (!strcmp(rel, GEN_MANIFEST) || !strcmp(rel, GEN_STAR) || !strcmp(rel, GEN_CS))
		return;
	if (!(w->flags & DATASET_ALL_FILES) && !has_mrc_name(name)) {
		w->ds->nr_ignored++;
		return;
	}
	if (is_link) {
		char *path = path_join(w->ds->root, rel);
		bool ok = dataset_link_allowed(w->ds, w->flags, path, rel, &w->refused,
					       &w->first_refused, &w->first_target);

		free(path);
		if (!ok)
			return;
	}
	add_file(w, rel, (uint64_t)st->st_size, 0);
}

static int walk_dir(struct walk *w, int dirfd, const char *rel);

/*
 * One entry of the folder open as dirfd. A symlink to a file is copied like shutil would
 * (through the link) when it stays inside the root; a symlink to a folder is not descended, so
 * a tree cannot loop or escape. Returns 0, or -errno with w->bad set.
 */
static int walk_entry(struct walk *w, int dirfd, const char *name, char *child)
{
	struct stat st;
	bool is_link;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		const int ret = -errno;

		w->bad = xstrdup(child);
		return ret;
	}
	is_link = S_ISLNK(st.st_mode);
	if (is_link) {
		int err = fstatat(dirfd, name, &st, 0) < 0 ? errno : 0;

		if (err || !S_ISREG(st.st_mode)) {
			skip_special(w, child, link_type(err, st.st_mode));
			return 0;
		}
	}
	if (S_ISDIR(st.st_mode)) {
		int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (sub < 0) {
			const int ret = -errno;

			w->bad = xstrdup(child);
			return ret;
		}
		return walk_dir(w, sub, child);
	}
	if (S_ISREG(st.st_mode))
		take_file(w, name, child, &st, is_link);
	else
		skip_special(w, child, special_type(st.st_mode));
	return 0;
}

/* Walk the folder open as dirfd, whose path relative to the root is rel ("" for the root). */
static int walk_dir(struct walk *w, int dirfd, const char *rel)
{
	DIR *d = fdopendir(dirfd);
	const size_t plen = strlen(rel);
	/* rel/name, built in place: a name is at most NAME_MAX bytes. */
	char *child = xmalloc(plen + NAME_MAX + 2);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		ret = -errno;
		close(dirfd);
		w->bad = xstrdup(*rel ? rel : ".");
		free(child);
		return ret;
	}
	memcpy(child, rel, plen);
	if (plen)
		child[plen] = '/';
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				ret = -errno;
				w->bad = xstrdup(*rel ? rel : ".");
			}
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strcpy(child + plen + (plen ? 1 : 0), de->d_name);
		if (de->d_type == DT_REG)
			add_unsized(w, de->d_name, child, de->d_ino);
		else
			ret = walk_entry(w, dirfd, de->d_name, child);
		if (ret)
			break;
	}
	closedir(d);
	free(child);
	return ret;
}

int dataset_load_dir(struct dataset *ds, const char *root, unsigned flags, char *why, size_t len)
{
	struct walk w = { .ds = ds, .flags = flags };
	double t0 = now_mono();
	char *canon;
	char *bad;
	int rootfd;
	int sz;
	int fd;
	int ret;

	memset(ds, 0, sizeof(*ds));
	canon = realpath(root, NULL);
	if (!canon) {
		ret = -errno;
		goto fail_root;
	}
	ds->root = canon;
	fd = open(canon, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto fail_root;
	}
	rootfd = dup(fd);
	if (rootfd < 0) {
		ret = -errno;
		close(fd);
		w.bad = xstrdup(".");
	} else {
		w.sizer = sizer_start(rootfd, ds);
		ret = walk_dir(&w, fd, "");
		sz = sizer_finish(w.sizer, &bad);
		if (!ret && sz) {
			ret = sz;
			free(w.bad);
			w.bad = bad;
		} else {
			free(bad);
		}
		close(rootfd);
	}
	if (ret) {
		bad = path_join(canon, w.bad);
		fail_why(why, len, ret, "cannot read '%s': %s", bad, strerror(-ret));
		free(bad);
		goto out;
	}
	if (w.refused) {
		ret = dataset_links_refused(why, len, w.refused, w.first_refused, w.first_target,
					    "the source", canon);
		goto out;
	}
	if (ds->nr)
		qsort(ds->files, ds->nr, sizeof(*ds->files), dataset_file_cmp);
	dataset_collect_dirs(ds);
	dataset_check_headers(ds, flags, 0);
	ds->list_seconds = now_mono() - t0;
out:
	free(w.bad);
	free(w.first_refused);
	free(w.first_target);
	return ret;
fail_root:
	return fail_why(why, len, ret, "cannot read '%s': %s", root, strerror(-ret));
}
