/* SPDX-License-Identifier: MIT */
/*
 * named.c - a dataset named by metadata: the stacks a RELION .star, a CryoSPARC .cs or .csg, or a
 * list of paths (--files) names, found below the project folder.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset/csfile.h"
#include "dataset/dataset.h"
#include "dataset/dataset_int.h"
#include "dataset/stacklist.h"
#include "dataset/star.h"
#include "lib/safeopen.h"
#include "lib/util.h"

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

/* The folder above cand (canonical; cand is freed), or NULL above "/". */
static char *climb(char *cand)
{
	char *up = strcmp(cand, "/") ? parent_of(cand) : NULL;

	free(cand);
	return up;
}

/*
 * The default project folder of a metadata file: for a .star the nearest folder above it that
 * holds default_pipeline.star (a RELION project), for a .cs the folder above the nearest J<n>
 * folder; failing that, the nearest folder above where the first stack exists, else the file's
 * own folder. A first stack named by absolute path gives the file's folder when it lies below it,
 * else the stack's folder.
 */
static char *default_project(const char *meta, enum dataset_kind kind, const char *first)
{
	char *dir = parent_of(meta);
	char *cand = dir ? xstrdup(dir) : NULL;

	while (cand) {
		const char *base = strrchr(cand, '/');

		base = base ? base + 1 : cand;
		if (kind == DATASET_KIND_STAR && exists_in(cand, "default_pipeline.star"))
			goto found;
		if (kind == DATASET_KIND_CS && base[0] == 'J' && base[1] &&
		    strspn(base + 1, "0123456789") == strlen(base + 1)) {
			cand = climb(cand);
			goto found;
		}
		cand = climb(cand);
	}
	/*
	 * An absolute first stack (relion_stack_create writes them): the file's folder when the
	 * stack lies below it, else the stack's own folder, rather than "/".
	 */
	if (first && first[0] == '/') {
		char *up = parent_of(first);
		char *real = up ? realpath(up, NULL) : NULL;

		free(up);
		if (real && !(dir && path_is_within(real, dir))) {
			free(dir);
			return real;
		}
		free(real);
		return dir;
	}
	cand = dir ? xstrdup(dir) : NULL;
	while (cand && first) {
		if (exists_in(cand, first))
			goto found;
		cand = climb(cand);
	}
	free(cand);
	return dir;
found:
	free(dir);
	return cand;
}

char *dataset_project_rel(const char *project, const char *path)
{
	size_t plen = strlen(project);
	char *norm = path_normalize(path);
	const char *p = norm;
	char *rel = NULL;

	if (!norm)
		return NULL;
	if (p[0] == '/') {
		if (strncmp(p, project, plen) || (p[plen] != '/' && p[plen] && plen != 1))
			goto out;
		p += plen;
		while (*p == '/')
			p++;
	}
	if (*p)
		rel = xstrdup(p);
out:
	free(norm);
	return rel;
}

/*
 * A stack's path below the (canonical) project folder: as text (dataset_project_rel()), or for
 * an absolute path that reaches the project through a link ("/data/P12" linking to
 * "/mnt/em/P12"), through its folder resolved. The stack itself is not resolved: a link to
 * outside is for dataset_link_allowed() to judge. NULL when it is not below the project.
 */
static char *stack_rel(const char *project, const char *path)
{
	char *rel = dataset_project_rel(project, path);
	char *norm;
	char *slash;
	char *dir;
	char *real_dir;
	char *real;

	if (rel || path[0] != '/')
		return rel;
	norm = path_normalize(path);
	slash = norm ? strrchr(norm, '/') : NULL;
	if (!slash || !slash[1]) {
		free(norm);
		return NULL;
	}
	dir = strndup(norm, slash == norm ? 1 : (size_t)(slash - norm));
	real_dir = dir ? path_resolve(dir) : NULL;
	if (real_dir) {
		real = path_join(real_dir, slash + 1);
		rel = dataset_project_rel(project, real);
		free(real);
	}
	free(real_dir);
	free(dir);
	free(norm);
	return rel;
}

/* What the stat threads found of one named stack. */
struct stack_stat {
	char *rel;		/* below the project (allocated), or NULL: outside it */
	uint64_t size;
	int err;		/* stat()'s errno, or 0 */
	bool as_named;		/* rel is the stack's path in the list itself (not allocated) */
	bool reg;		/* a regular file (through a link) */
	bool check_link;	/* a link, or in a folder that may resolve outside the project */
};

/*
 * The folder of the last stack a thread looked at: open, to stat its stacks by name (a million
 * full paths would each be walked from "/" again), and whether it resolves inside the root.
 * Stacks of a folder are mostly adjacent, so one realpath() a folder, not one a stack (each a
 * readlink() of every component), tells dataset_link_allowed()'s answer for all its files that
 * are no links.
 */
struct dir_memo {
	char *dir;		/* below the root, as the stacks' paths have it; NULL: none yet */
	size_t len;
	int fd;			/* O_PATH; -1: could not be opened (err says why) */
	int err;
	bool inside;
};

static void dir_memo_release(struct dir_memo *m)
{
	if (m->fd >= 0)
		close(m->fd);
	free(m->dir);
}

/* m made the folder of rel (below root): opened, unless it already was. */
static void dir_memo_enter(struct dir_memo *m, const char *root, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	const size_t len = slash ? (size_t)(slash - rel) : 0;
	char *path;
	char *real;

	if (m->dir && m->len == len && !memcmp(m->dir, rel, len))
		return;
	dir_memo_release(m);
	m->dir = xmalloc(len + 1);
	memcpy(m->dir, rel, len);
	m->dir[len] = '\0';
	m->len = len;
	path = len ? path_join(root, m->dir) : xstrdup(root);
	/* As a stat() of the whole path would, through links to folders. */
	m->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	m->err = m->fd < 0 ? errno : 0;
	real = m->fd < 0 ? NULL : realpath(path, NULL);
	m->inside = real && path_is_within(real, root);
	free(real);
	free(path);
}

/* A relative path as path_normalize() leaves it: no empty, "." or ".." component. */
static bool is_clean_rel(const char *p)
{
	if (*p == '/')
		return false;
	for (;;) {
		const size_t len = strcspn(p, "/");

		if (!len || (p[0] == '.' && (len == 1 || (len == 2 && p[1] == '.'))))
			return false;
		p += len;
		if (!*p++)
			return true;
	}
}

/* The stack named (as the list has it: the string stays the list's) below root, into s. */
static void stat_one(const char *root, char *named, struct stack_stat *s, struct dir_memo *m)
{
	struct stat st;
	const char *base;

	/*
	 * Mostly the path is written as it is below the project: one copy of a million is enough.
	 * Any other (absolute, "./", "//") comes out of stack_rel() differing from it.
	 */
	if (is_clean_rel(named)) {
		s->rel = named;
		s->as_named = true;
	} else {
		s->rel = stack_rel(root, named);
		if (!s->rel)
			return;
	}
	dir_memo_enter(m, root, s->rel);
	if (m->fd < 0) {
		s->err = m->err;
		return;
	}
	base = m->len ? s->rel + m->len + 1 : s->rel;
	if (fstatat(m->fd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		s->err = errno;
	} else if (S_ISLNK(st.st_mode)) {
		s->check_link = true;
		if (fstatat(m->fd, base, &st, 0) < 0)
			s->err = errno;
	} else if (S_ISREG(st.st_mode) && !m->inside) {
		s->check_link = true;
	}
	if (!s->err) {
		s->reg = S_ISREG(st.st_mode);
		s->size = (uint64_t)st.st_size;
	}
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
		stack_list_passed(out, s);
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
static int read_csg(struct dataset_meta *m, const char *project_dir, char *why, size_t len)
{
	char reason[256] = "";
	char *metafile = NULL;
	char *dir = parent_of(m->path);
	char *up = dir ? parent_of(dir) : NULL;
	char *cs;
	int ret = csfile_csg_metafile(m->text, m->len, &metafile, reason, sizeof(reason));

	if (ret) {
		ret = fail_why(why, len, ret, "cannot read '%s': %s", m->path, reason);
		goto out;
	}
	if (metafile[0] == '>')
		cs = path_join(dir ? dir : ".", metafile + 1);
	else if (metafile[0] == '/')
		cs = xstrdup(metafile);
	else
		cs = path_join(project_dir ? project_dir : up ? up : ".", metafile);
	text_map_release(&m->map);
	ret = text_map_input(&m->map, cs, false, reason, sizeof(reason));
	m->text = m->map.text;
	m->len = m->map.len;
	if (ret) {
		ret = fail_why(why, len, ret, "cannot read '%s', the particles '%s' names: %s", cs,
				m->path, reason);
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
	text_map_release(&m->map);
	memset(m, 0, sizeof(*m));
}

/* dataset_meta_read(), with added(arg, path) told of each new stack as it is parsed. */
static int meta_read(struct dataset_meta *m, const char *path, const char *project_dir,
		     unsigned flags, void (*added)(void *arg, char *path), void *arg, char *why,
		     size_t len)
{
	char reason[512] = "";
	int ret;

	memset(m, 0, sizeof(*m));
	stack_list_init(&m->stacks);
	/*
	 * A regular file is mapped, and its parser hands back what it has read: a .star of
	 * millions of particles (hundreds of MB, GBs) is never all resident. A pipe (<(...)) is
	 * read whole. Nothing else: /dev/zero or a FIFO no one writes would be read, or waited
	 * on, forever.
	 */
	if (strcmp(path, "-")) {
		ret = text_map_input(&m->map, path, true, reason, sizeof(reason));
	} else {
		ret = read_text_file("/dev/stdin", &m->map.text, &m->map.len);
		snprintf(reason, sizeof(reason), "%s", strerror(-ret));
	}
	m->text = m->map.text;
	m->len = m->map.len;
	if (ret)
		return fail_why(why, len, ret, "cannot read '%s': %s", path, reason);
	m->path = strcmp(path, "-") ? realpath(path, NULL) : xstrdup("-");
	if (!m->path)
		m->path = xstrdup(path);
	m->name = xstrdup(path);
	/* A .star is told by its first lines; looking for a .csg's keys reads every line. */
	if (!(flags & DATASET_META_LIST) && !csfile_is_cs((const unsigned char *)m->text, m->len) &&
	    !looks_like_star(m->text, m->len) && csfile_is_csg(m->text, m->len)) {
		ret = read_csg(m, project_dir, why, len);
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
		return fail_why(why, len, -EMEDIUMTYPE, "'%s' is not a RELION .star, a CryoSPARC "
				 ".cs or a list of files", m->name);
	/* A million-stack .star is hundreds of MB: the parsers hand back what they have read. */
	m->stacks.map = &m->map;
	m->stacks.added = added;
	m->stacks.added_arg = arg;
	if (m->kind == DATASET_KIND_CS)
		ret = csfile_parse((const unsigned char *)m->text, m->len, &m->stacks, reason,
				   sizeof(reason));
	else if (m->kind == DATASET_KIND_STAR)
		ret = star_parse(m->text, m->len, &m->stacks, reason, sizeof(reason));
	else
		ret = parse_list(m->text, m->len, &m->stacks, reason, sizeof(reason));
	m->stacks.map = NULL;
	m->stacks.added = NULL;
	stack_list_done(&m->stacks);
	if (ret)
		return fail_why(why, len, ret, "cannot read '%s': %s", m->name, reason);
	return 0;
}

int dataset_meta_read(struct dataset_meta *m, const char *path, const char *project_dir,
		      unsigned flags, char *why, size_t len)
{
	return meta_read(m, path, project_dir, flags, NULL, NULL, why, len);
}

/* The project folder of the stacks m names (the first of them first), canonical; NULL: errno. */
static char *choose_root(const struct dataset_source *s, const char *src,
			 const struct dataset_meta *m, const char *first)
{
	if (s->project_dir)
		return realpath(s->project_dir, NULL);
	if (s->files_list)
		return realpath(src, NULL);
	if (m->kind == DATASET_KIND_LIST)
		return parent_of(m->path);
	return default_project(m->path, m->kind, first);
}

/* ---- stacks stat'ed while the metadata is parsed ------------------------------------------ */

/*
 * Parsing a million-stack .star takes a second or more on one thread, with the disk idle: its
 * stacks are handed to the stat threads a batch at a time as they are parsed, from the first
 * one on (which tells the project folder), so that the stats wait on the disk meanwhile.
 */
#define FEED_BATCH 512

struct feed_batch {
	struct feed_batch *next;	/* in the queue */
	size_t nr;
	char **path;			/* the list's own strings (they stay put as it grows), until stat'ed */
	struct stack_stat s[FEED_BATCH];
};

struct feed {
	const struct dataset_source *opts;
	const char *src;
	const struct dataset_meta *m;
	char *root;			/* chosen at the first stack; NULL: none (root_err says why) */
	int root_err;
	bool tried;
	pthread_mutex_t lock;
	pthread_cond_t more;		/* a batch was queued, or the parse is over */
	struct feed_batch *head;	/* queued, not taken yet */
	struct feed_batch *tail;
	bool done;
	struct feed_batch **all;	/* every batch in the list's order (the parser's own) */
	size_t nr_all;
	size_t cap_all;
	struct feed_batch *cur;		/* being filled */
	pthread_t tid[DATASET_CHECK_THREADS];
	unsigned started;
};

static void *feed_thread(void *arg)
{
	struct feed *f = arg;
	struct dir_memo m = { .fd = -1 };

	for (;;) {
		struct feed_batch *b;

		pthread_mutex_lock(&f->lock);
		while (!f->head && !f->done)
			pthread_cond_wait(&f->more, &f->lock);
		b = f->head;
		if (b) {
			f->head = b->next;
			if (!f->head)
				f->tail = NULL;
		}
		pthread_mutex_unlock(&f->lock);
		if (!b)
			break;
		for (size_t i = 0; i < b->nr; i++)
			stat_one(f->root, b->path[i], &b->s[i], &m);
		free(b->path);
		b->path = NULL;
	}
	dir_memo_release(&m);
	return NULL;
}

/* Queue the batch being filled. */
static void feed_push(struct feed *f)
{
	struct feed_batch *b = f->cur;

	f->cur = NULL;
	if (f->nr_all == f->cap_all) {
		f->cap_all = f->cap_all ? 2 * f->cap_all : 256;
		f->all = xrealloc(f->all, f->cap_all * sizeof(*f->all));
	}
	f->all[f->nr_all++] = b;
	pthread_mutex_lock(&f->lock);
	if (f->tail)
		f->tail->next = b;
	else
		f->head = b;
	f->tail = b;
	pthread_cond_signal(&f->more);
	pthread_mutex_unlock(&f->lock);
	/* A thread more for each batch, up to the limit: a handful of stacks is not worth eight. */
	if (f->started < DATASET_CHECK_THREADS &&
	    pthread_create(&f->tid[f->started], NULL, feed_thread, f) == 0)
		f->started++;
}

/* The stack list's added(): the first stack starts the threads, each one joins a batch. */
static void feed_added(void *arg, char *path)
{
	struct feed *f = arg;

	if (!f->tried) {
		f->tried = true;
		f->root = choose_root(f->opts, f->src, f->m, path);
		/* No project folder: nothing is stat'ed, and the parse ends in saying why. */
		f->root_err = f->root ? ENOTDIR : errno;
		if (f->root && !is_dir(f->root)) {
			free(f->root);
			f->root = NULL;
		}
	}
	if (!f->root)
		return;
	if (!f->cur) {
		f->cur = xcalloc(1, sizeof(*f->cur));
		f->cur->path = xmalloc(FEED_BATCH * sizeof(*f->cur->path));
	}
	f->cur->path[f->cur->nr++] = path;
	if (f->cur->nr == FEED_BATCH)
		feed_push(f);
}

/*
 * The parse is over: the last batch queued, every stat done, this thread helping with what is
 * left (all of it, should no thread have started).
 */
static void feed_finish(struct feed *f)
{
	if (f->cur && f->cur->nr)
		feed_push(f);
	pthread_mutex_lock(&f->lock);
	f->done = true;
	pthread_cond_broadcast(&f->more);
	pthread_mutex_unlock(&f->lock);
	feed_thread(f);
	for (unsigned t = 0; t < f->started; t++)
		pthread_join(f->tid[t], NULL);
}

/* What the threads found, once taken (or not: then their allocated paths go too). */
static void feed_free_batches(struct feed *f)
{
	for (size_t k = 0; k < f->nr_all; k++) {
		for (size_t i = 0; i < f->all[k]->nr; i++)
			if (!f->all[k]->s[i].as_named)
				free(f->all[k]->s[i].rel);
		free(f->all[k]);
	}
	free(f->all);
	f->all = NULL;
	f->nr_all = 0;
	f->cap_all = 0;
}

static void feed_release(struct feed *f)
{
	feed_free_batches(f);
	if (f->cur)
		free(f->cur->path);
	free(f->cur);
	free(f->root);
	pthread_cond_destroy(&f->more);
	pthread_mutex_destroy(&f->lock);
}

/* What the feed's threads found of the list's stack i. */
static struct stack_stat *found_at(const struct feed *f, size_t i)
{
	return &f->all[i / FEED_BATCH]->s[i % FEED_BATCH];
}

/*
 * The stacks of l below the project into ds, as the feed's threads found them; missing ones
 * are counted with examples, links to outside the project are refused unless flags allow them
 * (dataset_link_allowed()). What they found is taken in l's order, so the first bad stack is
 * the one named. The paths taken are the dataset's; the rest go with the feed's batches.
 */
static int load_stacks(struct dataset *ds, struct stack_list *l, const struct feed *f,
		       unsigned flags, size_t *as_named, char *why, size_t len)
{
	size_t refused = 0;
	char *first = NULL;
	char *first_target = NULL;
	size_t cap = 0;
	int ret = 0;

	for (size_t i = 0; i < l->nr; i++) {
		struct stack_stat *s = found_at(f, i);

		if (!s->rel) {
			ret = fail_why(why, len, -EINVAL, "'%s' names '%s', which is outside the "
				       "project folder '%s'", ds->meta, l->items[i].path, ds->root);
			goto out;
		}
		if (s->err && s->err != ENOENT && s->err != ENOTDIR) {
			ret = fail_why(why, len, -s->err, "cannot read '%s': %s", l->items[i].path,
				       strerror(s->err));
			goto out;
		}
		if (s->err || !s->reg) {
			if (ds->nr_missing < DATASET_MISSING_EXAMPLES)
				ds->missing[ds->nr_missing] = xstrdup(l->items[i].path);
			ds->nr_missing++;
			continue;
		}
		if (s->check_link) {
			char *path = path_join(ds->root, s->rel);
			bool ok = dataset_link_allowed(ds, flags, path, s->rel, &refused, &first,
						       &first_target);

			free(path);
			if (!ok)
				continue;
		}
		if (ds->nr == cap) {
			cap = cap ? 2 * cap : 256;
			ds->files = xrealloc(ds->files, cap * sizeof(*ds->files));
		}
		ds->files[ds->nr].rel = s->rel;
		s->rel = NULL;
		/* The dataset owns the path now. */
		if (s->as_named) {
			l->items[i].path = NULL;
			(*as_named)++;
		}
		ds->files[ds->nr].size = s->size;
		ds->files[ds->nr].flags = 0;
		ds->bytes += s->size;
		ds->nr++;
	}
	if (refused)
		ret = dataset_links_refused(why, len, refused, first, first_target,
					    "the project folder", ds->root);
out:
	free(first);
	free(first_target);
	return ret;
}

/* The list's stacks by path as written, through their indexes. */
static int named_cmp(const void *a, const void *b, void *l)
{
	const struct stack_ref *items = ((const struct stack_list *)l)->items;

	return strcmp(items[*(const uint32_t *)a].path, items[*(const uint32_t *)b].path);
}

/*
 * The list's stacks in the order of their paths as written, sorted while the stat threads are
 * still at work (the parse is over: the list no longer changes); NULL for a handful.
 */
static uint32_t *sort_named(const struct stack_list *l)
{
	uint32_t *order;

	if (l->nr < 2)
		return NULL;
	order = xmalloc(l->nr * sizeof(*order));
	for (size_t i = 0; i < l->nr; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, l->nr, sizeof(*order), named_cmp, (void *)l);
	return order;
}

/*
 * ds->files in dataset_file_cmp()'s order. When every stack was taken, each as written
 * (ds->files[i] is the list's stack i, its path unchanged), that is the order sort_named() found
 * meanwhile; otherwise (a stack missing, or written otherwise: "./J1/a.mrcs") they are sorted.
 */
static void order_files(struct dataset *ds, const struct stack_list *l, uint32_t *order,
			size_t as_named)
{
	if (!order || ds->nr != l->nr || as_named != ds->nr) {
		qsort(ds->files, ds->nr, sizeof(*ds->files), dataset_file_cmp);
		return;
	}
	/* files[i] = the old files[order[i]], in place: a cycle at a time, order marked done. */
	for (size_t i = 0; i < ds->nr; i++) {
		const struct copy_file first = ds->files[i];
		size_t j = i;

		while (order[j] != UINT32_MAX) {
			const size_t k = order[j];

			order[j] = UINT32_MAX;
			ds->files[j] = k == i ? first : ds->files[k];
			j = k;
		}
	}
}

int dataset_load(struct dataset *ds, const char *src, const struct dataset_source *s, char *why,
		 size_t len)
{
	const char *meta_path = s->files_list ? s->files_list : src;
	struct dataset_meta m;
	struct stack_list *l = &m.stacks;
	struct feed f = { .opts = s, .src = src, .m = &m };
	uint32_t *order = NULL;
	size_t as_named = 0;
	double t0 = now_mono();
	int ret;

	if (!s->files_list && is_dir(src))
		return dataset_load_dir(ds, src, s->flags, why, len);
	pthread_mutex_init(&f.lock, NULL);
	pthread_cond_init(&f.more, NULL);
	ret = meta_read(&m, meta_path, s->project_dir, s->files_list ? DATASET_META_LIST : 0,
			feed_added, &f, why, len);
	/* While the threads stat what the parse handed them, this one sorts. */
	if (!ret && f.root)
		order = sort_named(l);
	feed_finish(&f);
	memset(ds, 0, sizeof(*ds));
	ds->meta = m.path ? xstrdup(m.path) : NULL;
	ds->kind = m.kind;
	if (ret == -EMEDIUMTYPE)
		ret = fail_why(why, len, -ENOTDIR, "source '%s' is not a directory, a RELION "
				".star, a CryoSPARC .cs or a list of files", src);
	if (ret)
		goto out;
	/* Only the stacks it names are needed now: a large .star's text is most of the memory. */
	text_map_release(&m.map);
	m.text = NULL;
	m.len = 0;
	meta_path = m.name;
	if (!l->nr) {
		ret = fail_why(why, len, -ENOENT, "'%s' names no particle stacks", meta_path);
		goto out;
	}
	ds->particles = ds->kind == DATASET_KIND_LIST ? 0 : l->particles;
	/* Chosen at the first stack: the one the stat threads went by. */
	if (!f.root) {
		const char *pd = s->project_dir ? s->project_dir : s->files_list ? src : ds->meta;

		ret = fail_why(why, len, -ENOTDIR, "cannot use '%s' as the project folder: %s", pd,
				strerror(f.root_err));
		goto out;
	}
	ds->root = xstrdup(f.root);
	ret = load_stacks(ds, l, &f, s->flags, &as_named, why, len);
	feed_free_batches(&f);
	if (ret)
		goto out;
	if (!ds->nr) {
		ret = fail_why(why, len, -ENOENT, "none of the %zu stacks '%s' names exists below "
				"'%s' (first: '%s'; --project-dir sets where paths start)", l->nr,
				meta_path, ds->root, l->items[0].path);
		goto out;
	}
	order_files(ds, l, order, as_named);
	free(order);
	order = NULL;
	drop_duplicates(ds);
	dataset_collect_dirs(ds);
	dataset_check_headers(ds, s->flags, 0);
	ds->list_seconds = now_mono() - t0;
out:
	free(order);
	feed_release(&f);
	dataset_meta_release(&m);
	return ret;
}
