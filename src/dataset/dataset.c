/* dataset.c - list a source tree into the files a benchmark copies. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset/csfile.h"
#include "dataset/dataset.h"
#include "dataset/gen.h"
#include "dataset/mrc.h"
#include "dataset/stacklist.h"
#include "dataset/star.h"
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

static void check_stack(struct dataset *ds, struct copy_file *f, const char *path);

/* Every .mrc/.mrcs: an MRC header, and the size it implies. */
static void check_mrc_headers(struct dataset *ds)
{
	for (size_t i = 0; i < ds->nr; i++) {
		char *path;

		if (!has_mrc_name(ds->files[i].rel))
			continue;
		path = path_join(ds->root, ds->files[i].rel);
		check_stack(ds, &ds->files[i], path);
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
	free(ds->meta);
	for (size_t i = 0; i < ds->nr_missing && i < DATASET_MISSING_EXAMPLES; i++)
		free(ds->missing[i]);
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
	out->kind = ds->kind;
	out->meta = ds->meta ? xstrdup(ds->meta) : NULL;
	out->particles = ds->particles;
	out->nr_missing = ds->nr_missing;
	for (size_t i = 0; i < ds->nr_missing && i < DATASET_MISSING_EXAMPLES; i++)
		out->missing[i] = xstrdup(ds->missing[i]);
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
		if (f->flags & COPY_FILE_BAD_SIZE)
			out->nr_bad_size++;
	}
	out->nr = want;
	free(order);
	qsort(out->files, out->nr, sizeof(*out->files), cmp_file);
	collect_dirs(out);
}

/* ---- datasets named by metadata: a .star, a .cs or a file list ---------------------------- */

const char *dataset_kind_name(enum dataset_kind kind)
{
	switch (kind) {
	case DATASET_KIND_STAR:
		return "star";
	case DATASET_KIND_CS:
		return "cs";
	case DATASET_KIND_LIST:
		return "list";
	default:
		return "dir";
	}
}

static char *xvasprintf_msg(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

static int load_fail(char **msg, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int load_fail(char **msg, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*msg = xvasprintf_msg(fmt, ap);
	va_end(ap);
	return err;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists_in(const char *dir, const char *rel)
{
	char *p = path_join(dir, rel);
	struct stat st;
	bool ok = stat(p, &st) == 0;

	free(p);
	return ok;
}

/* The folder holding path (canonical), or NULL. */
static char *parent_of(const char *canon)
{
	const char *slash = strrchr(canon, '/');

	if (!slash)
		return NULL;
	if (slash == canon)
		return xstrdup("/");
	return strndup(canon, (size_t)(slash - canon));
}

/*
 * The default project folder of a metadata file: for a .star the nearest folder above it that
 * holds default_pipeline.star (a RELION project), for a .cs the folder above the nearest J<n>
 * folder; failing that, the nearest folder above where the first stack exists, else the file's
 * own folder.
 */
static char *default_project(const char *meta, enum dataset_kind kind, const char *first)
{
	char *dir = parent_of(meta);
	char *cand = dir ? xstrdup(dir) : NULL;

	while (cand) {
		const char *base = strrchr(cand, '/');
		char *up;

		base = base ? base + 1 : cand;
		if (kind == DATASET_KIND_STAR && exists_in(cand, "default_pipeline.star"))
			goto found;
		if (kind == DATASET_KIND_CS && base[0] == 'J' && base[1] &&
		    strspn(base + 1, "0123456789") == strlen(base + 1)) {
			up = parent_of(cand);
			free(cand);
			cand = up;
			goto found;
		}
		if (!strcmp(cand, "/"))
			break;
		up = parent_of(cand);
		free(cand);
		cand = up;
	}
	free(cand);
	cand = dir ? xstrdup(dir) : NULL;
	while (cand && first) {
		char *up;

		if (exists_in(cand, first))
			goto found;
		if (!strcmp(cand, "/"))
			break;
		up = parent_of(cand);
		free(cand);
		cand = up;
	}
	free(cand);
	return dir;
found:
	free(dir);
	return cand;
}

char *dataset_project_rel(const char *project, const char *path)
{
	const char *p = path;
	size_t plen = strlen(project);

	if (p[0] == '/') {
		if (strncmp(p, project, plen) || (p[plen] != '/' && plen != 1))
			return NULL;
		p += plen;
		while (*p == '/')
			p++;
	}
	while (p[0] == '.' && p[1] == '/')
		for (p += 2; *p == '/'; p++)
			;
	if (!*p)
		return NULL;
	/* "..": the copy would land outside the scratch folder. */
	for (const char *q = p; q; q = strchr(q, '/')) {
		if (*q == '/')
			q++;
		if (q[0] == '.' && q[1] == '.' && (q[2] == '/' || !q[2]))
			return NULL;
	}
	return xstrdup(p);
}

/*
 * Check a named stack's MRC header and its size (1024 + NSYMBT + data), flagging the file: a
 * truncated or wrong-mode stack is still copied, as CryoSPARC would.
 */
static void check_stack(struct dataset *ds, struct copy_file *f, const char *path)
{
	unsigned char buf[MRC_HEADER_SIZE];
	struct mrc_header h;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return;
	if (read_full(fd, buf, sizeof(buf), &got) < 0 || got < sizeof(buf) ||
	    mrc_header_decode(buf, &h, NULL, 0)) {
		f->flags |= COPY_FILE_NOT_MRC;
		ds->nr_not_mrc++;
	} else if (mrc_expected_size(&h) != f->size) {
		f->flags |= COPY_FILE_BAD_SIZE;
		ds->nr_bad_size++;
	}
	close(fd);
}

/* Stat the stacks of l below project into ds; missing ones are counted with examples. */
static int load_stacks(struct dataset *ds, const struct stack_list *l, char **msg)
{
	size_t cap = 0;
	int ret;

	for (size_t i = 0; i < l->nr; i++) {
		char *rel = dataset_project_rel(ds->root, l->items[i].path);
		char *path;
		struct stat st;
		int sr;

		if (!rel)
			return load_fail(msg, -EINVAL, "'%s' names '%s', which is outside the "
					 "project folder '%s'", ds->meta, l->items[i].path,
					 ds->root);
		path = path_join(ds->root, rel);
		sr = stat(path, &st);
		if (sr < 0 && errno != ENOENT && errno != ENOTDIR) {
			ret = -errno;
			free(path);
			free(rel);
			return load_fail(msg, ret, "cannot read '%s': %s", l->items[i].path,
					 strerror(-ret));
		}
		if (sr < 0 || !S_ISREG(st.st_mode)) {
			if (ds->nr_missing < DATASET_MISSING_EXAMPLES)
				ds->missing[ds->nr_missing] = xstrdup(l->items[i].path);
			ds->nr_missing++;
			free(path);
			free(rel);
			continue;
		}
		if (ds->nr == cap) {
			cap = cap ? 2 * cap : 256;
			ds->files = xrealloc(ds->files, cap * sizeof(*ds->files));
		}
		ds->files[ds->nr].rel = rel;
		ds->files[ds->nr].size = (uint64_t)st.st_size;
		ds->files[ds->nr].flags = 0;
		check_stack(ds, &ds->files[ds->nr], path);
		ds->bytes += (uint64_t)st.st_size;
		ds->nr++;
		free(path);
	}
	return 0;
}

/* "a.mrcs", "./a.mrcs" and "/project/a.mrcs" are one stack: keep the first of sorted twins. */
static void drop_duplicates(struct dataset *ds)
{
	size_t k = 0;

	for (size_t i = 0; i < ds->nr; i++) {
		if (k && !strcmp(ds->files[k - 1].rel, ds->files[i].rel)) {
			ds->bytes -= ds->files[i].size;
			if (ds->files[i].flags & COPY_FILE_NOT_MRC)
				ds->nr_not_mrc--;
			if (ds->files[i].flags & COPY_FILE_BAD_SIZE)
				ds->nr_bad_size--;
			free(ds->files[i].rel);
			continue;
		}
		ds->files[k++] = ds->files[i];
	}
	ds->nr = k;
}

/* One path a line; blank lines and lines starting with '#' are skipped. */
static int parse_list(const char *buf, size_t len, struct stack_list *out, char *why, size_t whylen)
{
	size_t no = 0;

	for (size_t pos = 0; pos < len;) {
		const char *s = buf + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		pos += n + (nl ? 1 : 0);
		no++;
		while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		if (!n || *s == '#')
			continue;
		if (memchr(s, '\0', n)) {
			snprintf(why, whylen, "line %zu: NUL byte: expected a path", no);
			return -EINVAL;
		}
		stack_list_add(out, s, n);
	}
	return 0;
}

/* A STAR file shows a data_ block before anything but comments and blank lines. */
static bool looks_like_star(const char *buf, size_t len)
{
	for (size_t pos = 0; pos < len;) {
		const char *s = buf + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		pos += n + (nl ? 1 : 0);
		while (n && (*s == ' ' || *s == '\t' || *s == '\r')) {
			s++;
			n--;
		}
		if (!n || *s == '#')
			continue;
		if (n < 5 || memcmp(s, "data_", 5))
			return false;
		/*
		 * "data_<block name>" alone on its line; a list whose first path merely starts
		 * with data_ ("data_sets/x.mrcs", "data_1.mrcs") is not a .star.
		 */
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
			n--;
		if (memchr(s, '/', n) || memchr(s, ' ', n) || memchr(s, '\t', n))
			return false;
		return !(n >= 4 && !memcmp(s + n - 4, ".mrc", 4)) &&
		       !(n >= 5 && !memcmp(s + n - 5, ".mrcs", 5));
	}
	return false;
}

/*
 * A CryoSPARC group file (.csg) names the .cs of its particles: '>name' is in the .csg's own
 * folder, other relative names start at the project (the folder above the .csg's job folder).
 * Replaces m->text with that .cs and m->path with its path.
 */
static int read_csg(struct dataset_meta *m, const char *project_dir, char **msg)
{
	char why[256] = "";
	char *metafile = NULL;
	char *dir = parent_of(m->path);
	char *up = dir ? parent_of(dir) : NULL;
	char *cs;
	int ret = csfile_csg_metafile(m->text, m->len, &metafile, why, sizeof(why));

	if (ret) {
		ret = load_fail(msg, ret, "cannot read '%s': %s", m->path, why);
		goto out;
	}
	if (metafile[0] == '>')
		cs = path_join(dir ? dir : ".", metafile + 1);
	else if (metafile[0] == '/')
		cs = xstrdup(metafile);
	else
		cs = path_join(project_dir ? project_dir : up ? up : ".", metafile);
	free(m->text);
	m->text = NULL;
	ret = read_text_file(cs, &m->text, &m->len);
	if (ret) {
		ret = load_fail(msg, ret, "cannot read '%s', the particles '%s' names: %s", cs,
				m->path, strerror(-ret));
		free(cs);
		goto out;
	}
	free(m->path);
	m->path = realpath(cs, NULL);
	if (!m->path)
		m->path = xstrdup(cs);
	free(m->name);
	m->name = xstrdup(m->path);
	free(cs);
out:
	free(metafile);
	free(up);
	free(dir);
	return ret;
}

void dataset_meta_release(struct dataset_meta *m)
{
	stack_list_release(&m->stacks);
	free(m->path);
	free(m->name);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

int dataset_meta_read(struct dataset_meta *m, const char *path, const char *project_dir,
		      unsigned flags, char **msg)
{
	char why[512] = "";
	int ret;

	memset(m, 0, sizeof(*m));
	stack_list_init(&m->stacks);
	*msg = NULL;
	/* Metadata files fit in memory: a million-particle .star is a few hundred MB at most. */
	ret = read_text_file(strcmp(path, "-") ? path : "/dev/stdin", &m->text, &m->len);
	if (ret)
		return load_fail(msg, ret, "cannot read '%s': %s", path, strerror(-ret));
	m->path = strcmp(path, "-") ? realpath(path, NULL) : xstrdup("-");
	if (!m->path)
		m->path = xstrdup(path);
	m->name = xstrdup(path);
	if (!(flags & DATASET_META_LIST) && !csfile_is_cs((const unsigned char *)m->text, m->len) &&
	    csfile_is_csg(m->text, m->len)) {
		ret = read_csg(m, project_dir, msg);
		if (ret)
			return ret;
	}
	if (flags & DATASET_META_LIST)
		m->kind = DATASET_KIND_LIST;
	else if (csfile_is_cs((const unsigned char *)m->text, m->len))
		m->kind = DATASET_KIND_CS;
	else if (looks_like_star(m->text, m->len))
		m->kind = DATASET_KIND_STAR;
	else if (m->len && !memchr(m->text, '\0', m->len < 4096 ? m->len : 4096))
		m->kind = DATASET_KIND_LIST;
	else
		return load_fail(msg, -EMEDIUMTYPE, "'%s' is not a RELION .star, a CryoSPARC .cs "
				 "or a list of files", m->name);
	if (m->kind == DATASET_KIND_CS)
		ret = csfile_parse((const unsigned char *)m->text, m->len, &m->stacks, why,
				   sizeof(why));
	else if (m->kind == DATASET_KIND_STAR)
		ret = star_parse(m->text, m->len, &m->stacks, why, sizeof(why));
	else
		ret = parse_list(m->text, m->len, &m->stacks, why, sizeof(why));
	if (ret)
		return load_fail(msg, ret, "cannot read '%s': %s", m->name, why);
	return 0;
}

int dataset_load(struct dataset *ds, const char *src, const struct dataset_source *s, char **msg)
{
	const char *meta_path = s->files_list ? s->files_list : src;
	struct dataset_meta m;
	const struct stack_list *l = &m.stacks;
	double t0 = now_mono();
	int ret;

	*msg = NULL;
	if (!s->files_list && is_dir(src)) {
		char *bad = NULL;

		ret = dataset_load_dir(ds, src, s->flags, &bad);
		if (ret)
			*msg = xasprintf("cannot read '%s': %s", bad, strerror(-ret));
		free(bad);
		return ret;
	}
	ret = dataset_meta_read(&m, meta_path, s->project_dir,
				s->files_list ? DATASET_META_LIST : 0, msg);
	memset(ds, 0, sizeof(*ds));
	ds->meta = m.path ? xstrdup(m.path) : NULL;
	ds->kind = m.kind;
	if (ret == -EMEDIUMTYPE) {
		free(*msg);
		ret = load_fail(msg, -ENOTDIR, "source '%s' is not a directory, a RELION .star, a "
				"CryoSPARC .cs or a list of files", src);
	}
	if (ret)
		goto out;
	meta_path = m.name;
	if (!l->nr) {
		ret = load_fail(msg, -ENOENT, "'%s' names no particle stacks", meta_path);
		goto out;
	}
	ds->particles = ds->kind == DATASET_KIND_LIST ? 0 : l->particles;
	if (s->project_dir)
		ds->root = realpath(s->project_dir, NULL);
	else if (s->files_list)
		ds->root = realpath(src, NULL);
	else if (ds->kind == DATASET_KIND_LIST)
		ds->root = parent_of(ds->meta);
	else
		ds->root = default_project(ds->meta, ds->kind, l->items[0].path);
	if (!ds->root || !is_dir(ds->root)) {
		const char *pd = s->project_dir ? s->project_dir : s->files_list ? src : ds->meta;

		ret = load_fail(msg, -ENOTDIR, "cannot use '%s' as the project folder: %s", pd,
				strerror(ds->root ? ENOTDIR : errno));
		goto out;
	}
	ret = load_stacks(ds, l, msg);
	if (ret)
		goto out;
	if (!ds->nr) {
		ret = load_fail(msg, -ENOENT, "none of the %zu stacks '%s' names exists below '%s' "
				"(first: '%s'; --project-dir sets where paths start)", l->nr,
				meta_path, ds->root, l->items[0].path);
		goto out;
	}
	qsort(ds->files, ds->nr, sizeof(*ds->files), cmp_file);
	drop_duplicates(ds);
	collect_dirs(ds);
	ds->list_seconds = now_mono() - t0;
out:
	dataset_meta_release(&m);
	return ret;
}
