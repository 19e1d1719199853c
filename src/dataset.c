/* dataset.c - list a source tree into the files a benchmark copies. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset.h"
#include "gen.h"
#include "mrc.h"
#include "util.h"

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
		/* gen's manifest sits beside the stacks it describes; it is not particle data. */
		if (S_ISREG(st.st_mode) && strcmp(child, GEN_MANIFEST) != 0) {
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

static int cmp_file(const void *a, const void *b)
{
	const struct copy_file *fa = a;
	const struct copy_file *fb = b;

	return strcmp(fa->rel, fb->rel);
}

static void collect_dirs(struct dataset *ds)
{
	size_t cap = 0;

	for (size_t i = 0; i < ds->nr; i++) {
		const char *rel = ds->files[i].rel;
		const char *slash = strrchr(rel, '/');
		size_t len;

		if (!slash)
			continue;
		len = (size_t)(slash - rel);
		/* Files are sorted, so a folder's files are adjacent: compare with the last. */
		if (ds->nr_dirs && strlen(ds->dirs[ds->nr_dirs - 1]) == len &&
		    !strncmp(ds->dirs[ds->nr_dirs - 1], rel, len))
			continue;
		if (ds->nr_dirs == cap) {
			cap = cap ? 2 * cap : 64;
			ds->dirs = xrealloc(ds->dirs, cap * sizeof(*ds->dirs));
		}
		ds->dirs[ds->nr_dirs++] = strndup(rel, len);
		if (!ds->dirs[ds->nr_dirs - 1])
			abort();
	}
}

static void check_mrc_headers(struct dataset *ds)
{
	for (size_t i = 0; i < ds->nr; i++) {
		char *path;

		if (!has_mrc_name(ds->files[i].rel))
			continue;
		path = path_join(ds->root, ds->files[i].rel);
		if (mrc_file_is_mrc(path) == 0) {
			ds->files[i].flags |= COPY_FILE_NOT_MRC;
			ds->nr_not_mrc++;
		}
		free(path);
	}
}

int dataset_load_dir(struct dataset *ds, const char *root, unsigned flags, char **bad_path)
{
	struct walk w = { .ds = ds, .flags = flags };
	double t0 = now_mono();
	char *canon;
	int fd;
	int ret;

	memset(ds, 0, sizeof(*ds));
	*bad_path = NULL;
	canon = realpath(root, NULL);
	if (!canon) {
		ret = -errno;
		*bad_path = xstrdup(root);
		return ret;
	}
	ds->root = canon;
	fd = open(canon, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		*bad_path = xstrdup(root);
		return ret;
	}
	ret = walk_dir(&w, fd, "");
	if (ret) {
		*bad_path = path_join(canon, w.bad);
		free(w.bad);
		return ret;
	}
	if (ds->nr)
		qsort(ds->files, ds->nr, sizeof(*ds->files), cmp_file);
	collect_dirs(ds);
	check_mrc_headers(ds);
	ds->list_seconds = now_mono() - t0;
	return 0;
}

void dataset_release(struct dataset *ds)
{
	for (size_t i = 0; i < ds->nr; i++)
		free(ds->files[i].rel);
	for (size_t i = 0; i < ds->nr_dirs; i++)
		free(ds->dirs[i]);
	free(ds->files);
	free(ds->dirs);
	free(ds->root);
	memset(ds, 0, sizeof(*ds));
}

static const struct dataset *sort_ds;

static int cmp_size(const void *a, const void *b)
{
	const struct copy_file *fa = &sort_ds->files[*(const size_t *)a];
	const struct copy_file *fb = &sort_ds->files[*(const size_t *)b];

	if (fa->size != fb->size)
		return fa->size < fb->size ? -1 : 1;
	return strcmp(fa->rel, fb->rel);
}

void dataset_sample(const struct dataset *ds, uint64_t target_bytes, uint64_t seed,
		    struct dataset *out)
{
	size_t *order = xmalloc((ds->nr ? ds->nr : 1) * sizeof(*order));
	size_t want;
	double stride;
	double pos;

	memset(out, 0, sizeof(*out));
	out->root = xstrdup(ds->root);
	out->nr_ignored = ds->nr_ignored;
	out->list_seconds = ds->list_seconds;
	if (!ds->nr) {
		free(order);
		return;
	}
	want = ds->nr;
	if (target_bytes < ds->bytes) {
		want = (size_t)((double)ds->nr * (double)target_bytes / (double)ds->bytes + 0.5);
		if (want < 1)
			want = 1;
	}
	for (size_t i = 0; i < ds->nr; i++)
		order[i] = i;
	sort_ds = ds;
	qsort(order, ds->nr, sizeof(*order), cmp_size);
	stride = (double)ds->nr / (double)want;
	/* splitmix64 of the seed: an offset in [0, stride) that differs from seed to seed. */
	seed += 0x9e3779b97f4a7c15ull;
	seed = (seed ^ (seed >> 30)) * 0xbf58476d1ce4e5b9ull;
	seed = (seed ^ (seed >> 27)) * 0x94d049bb133111ebull;
	seed ^= seed >> 31;
	pos = stride * ((double)(seed >> 11) / 9007199254740992.0);
	out->files = xcalloc(want, sizeof(*out->files));
	for (size_t k = 0; k < want; k++, pos += stride) {
		const struct copy_file *f = &ds->files[order[(size_t)pos < ds->nr ? (size_t)pos : ds->nr - 1]];

		out->files[k] = *f;
		out->files[k].rel = xstrdup(f->rel);
		out->bytes += f->size;
		if (f->flags & COPY_FILE_NOT_MRC)
			out->nr_not_mrc++;
	}
	out->nr = want;
	free(order);
	qsort(out->files, out->nr, sizeof(*out->files), cmp_file);
	collect_dirs(out);
}
