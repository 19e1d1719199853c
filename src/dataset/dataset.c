/* SPDX-License-Identifier: MIT */
/* dataset.c - what every dataset shares: its files in order, their folders, MRC checks, samples. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset/dataset.h"
#include "dataset/dataset_int.h"
#include "dataset/mrc.h"
#include "lib/util.h"

int dataset_file_cmp(const void *a, const void *b)
{
	const struct copy_file *fa = a;
	const struct copy_file *fb = b;

	return strcmp(fa->rel, fb->rel);
}

void dataset_collect_dirs(struct dataset *ds)
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

/* A block of relative paths, NUL-terminated one after the other. */
struct dataset_names {
	struct dataset_names *next;
	size_t used;
	size_t cap;
	char buf[];
};

#define NAMES_BLOCK (1024 * 1024)

char *dataset_name_add(struct dataset *ds, const char *dir, size_t dlen, const char *name,
		       size_t nlen)
{
	const size_t need = dlen + (dlen ? 1 : 0) + nlen + 1;
	struct dataset_names *b = ds->names;
	char *p;

	if (!b || b->cap - b->used < need) {
		const size_t cap = need > NAMES_BLOCK ? need : NAMES_BLOCK;

		b = xmalloc(sizeof(*b) + cap);
		b->next = ds->names;
		b->used = 0;
		b->cap = cap;
		ds->names = b;
	}
	p = b->buf + b->used;
	memcpy(p, dir, dlen);
	if (dlen)
		p[dlen++] = '/';
	memcpy(p + dlen, name, nlen);
	p[dlen + nlen] = '\0';
	b->used += need;
	return p;
}

void dataset_release(struct dataset *ds)
{
	if (ds->names) {
		for (struct dataset_names *b = ds->names, *next; b; b = next) {
			next = b->next;
			free(b);
		}
	} else {
		for (size_t i = 0; i < ds->nr; i++)
			free(ds->files[i].rel);
	}
	for (size_t i = 0; i < ds->nr_dirs; i++)
		free(ds->dirs[i]);
	free(ds->files);
	free(ds->dirs);
	free(ds->root);
	free(ds->meta);
	for (size_t i = 0; i < ds->nr_missing && i < DATASET_MISSING_EXAMPLES; i++)
		free(ds->missing[i]);
	for (size_t i = 0; i < ds->nr_special && i < DATASET_MISSING_EXAMPLES; i++)
		free(ds->special[i].rel);
	for (size_t i = 0; i < ds->nr_linked_out && i < DATASET_MISSING_EXAMPLES; i++)
		free(ds->linked_out[i]);
	memset(ds, 0, sizeof(*ds));
}

/* Indexes into the dataset ds's files by size, then path. */
static int cmp_size(const void *a, const void *b, void *ds)
{
	const struct copy_file *files = ((const struct dataset *)ds)->files;
	const struct copy_file *fa = &files[*(const size_t *)a];
	const struct copy_file *fb = &files[*(const size_t *)b];

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
	out->nr_special = ds->nr_special;
	for (size_t i = 0; i < ds->nr_special && i < DATASET_MISSING_EXAMPLES; i++)
		out->special[i] = (struct dataset_skip){ xstrdup(ds->special[i].rel),
							 ds->special[i].type };
	/* The links of the whole set: a sample may hold none of them, but they were allowed. */
	out->nr_linked_out = ds->nr_linked_out;
	out->headers_checked = ds->headers_checked;
	out->headers_of = ds->headers_of;
	out->headers_sampled = ds->headers_sampled;
	for (size_t i = 0; i < ds->nr_linked_out && i < DATASET_MISSING_EXAMPLES; i++)
		out->linked_out[i] = xstrdup(ds->linked_out[i]);
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
	qsort_r(order, ds->nr, sizeof(*order), cmp_size, (void *)ds);
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
	qsort(out->files, out->nr, sizeof(*out->files), dataset_file_cmp);
	dataset_collect_dirs(out);
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

bool dataset_link_allowed(struct dataset *ds, unsigned flags, const char *path, const char *rel,
			  size_t *refused, char **first, char **first_target)
{
	char *real = realpath(path, NULL);

	/* Unresolvable now (it was just stat'ed): the copy will say why. */
	if (!real || path_is_within(real, ds->root)) {
		free(real);
		return true;
	}
	if (flags & DATASET_FOLLOW_LINKS) {
		if (ds->nr_linked_out < DATASET_MISSING_EXAMPLES)
			ds->linked_out[ds->nr_linked_out] = xstrdup(rel);
		ds->nr_linked_out++;
		free(real);
		return true;
	}
	if ((*refused)++ == 0) {
		*first = xstrdup(rel);
		*first_target = real;
	} else {
		free(real);
	}
	return false;
}

int dataset_links_refused(char *why, size_t len, size_t refused, const char *first,
			  const char *first_target, const char *what, const char *root)
{
	char more[64] = "";

	if (refused > 1)
		snprintf(more, sizeof(more), ", and %zu more like it", refused - 1);
	/* The runs would read other storage than the one the results describe. */
	return fail_why(why, len, -EXDEV, "'%s' in %s '%s' is a link to '%s', outside it%s: copy "
			"from the folder the links point to, or pass --follow-links to copy through "
			"them", first, what, root, first_target, more);
}
