/* walk.c - a dataset that is a folder: the regular files below it, listed recursively. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

/* Walk the folder open as dirfd, whose path relative to the root is rel ("" for the root). */
static int walk_dir(struct walk *w, int dirfd, const char *rel)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		ret = -errno;
		close(dirfd);
		w->bad = xstrdup(*rel ? rel : ".");
		return ret;
	}
	for (;;) {
		char *child;
		struct stat st;

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
		child = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		/* A symlink to a file is copied like shutil would (through the link); a symlink
		 * to a folder is not descended, so a tree cannot loop or escape. */
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			ret = -errno;
			w->bad = child;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			if (fstatat(dirfd, de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode)) {
				free(child);
				continue;
			}
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0) {
				ret = -errno;
				w->bad = child;
				break;
			}
			ret = walk_dir(w, sub, child);
			free(child);
			if (ret)
				break;
			continue;
		}
		/* gen's manifest and job metadata sit beside the stacks: not particle data. */
		if (S_ISREG(st.st_mode) && strcmp(child, GEN_MANIFEST) != 0 &&
		    strcmp(child, GEN_STAR) != 0 && strcmp(child, GEN_CS) != 0) {
			if (w->flags & DATASET_ALL_FILES)
				add_file(w, child, (uint64_t)st.st_size, 0);
			else if (has_mrc_name(de->d_name))
				add_file(w, child, (uint64_t)st.st_size, 0);
			else
				w->ds->nr_ignored++;
		}
		free(child);
	}
	closedir(d);
	return ret;
}

/* Every .mrc/.mrcs: an MRC header, and the size it implies. */
static void check_mrc_headers(struct dataset *ds)
{
	for (size_t i = 0; i < ds->nr; i++) {
		char *path;

		if (!has_mrc_name(ds->files[i].rel))
			continue;
		path = path_join(ds->root, ds->files[i].rel);
		dataset_check_stack(ds, &ds->files[i], path);
		free(path);
	}
}

int dataset_load_dir(struct dataset *ds, const char *root, unsigned flags, char *why, size_t len)
{
	struct walk w = { .ds = ds, .flags = flags };
	double t0 = now_mono();
	char *canon;
	char *bad;
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
	ret = walk_dir(&w, fd, "");
	if (ret) {
		bad = path_join(canon, w.bad);
		fail_why(why, len, ret, "cannot read '%s': %s", bad, strerror(-ret));
		free(bad);
		free(w.bad);
		return ret;
	}
	if (ds->nr)
		qsort(ds->files, ds->nr, sizeof(*ds->files), dataset_file_cmp);
	dataset_collect_dirs(ds);
	check_mrc_headers(ds);
	ds->list_seconds = now_mono() - t0;
	return 0;
fail_root:
	return fail_why(why, len, ret, "cannot read '%s': %s", root, strerror(-ret));
}
