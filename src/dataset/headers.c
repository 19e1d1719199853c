/* SPDX-License-Identifier: MIT */
/*
 * headers.c - the MRC header checks of a listed set: every stack's first 1024 bytes, read by a
 * few threads at once, and for a large set on a seeded sample of its stacks (all with
 * DATASET_CHECK_ALL). Each header read is followed by posix_fadvise(DONTNEED) on the file, so
 * checking never leaves the source warm.
 */
#include "config.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset/dataset.h"
#include "dataset/dataset_int.h"
#include "dataset/mrc.h"
#include "lib/util.h"

struct checker {
	struct dataset *ds;
	const size_t *which;		/* indices into ds->files to check */
	size_t nr;
	atomic_size_t next;
};

static bool has_mrc_name(const char *rel)
{
	const char *dot = strrchr(rel, '.');

	return dot && (strcasecmp(dot, ".mrc") == 0 || strcasecmp(dot, ".mrcs") == 0);
}

/* The flags (enum copy_file_flags) a stack of size bytes at path earns by its header. */
static unsigned check_one(const char *path, uint64_t size)
{
	unsigned char buf[MRC_HEADER_SIZE];
	struct mrc_header h;
	unsigned flags = 0;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return 0;	/* unreadable now: the copy will say why */
	/* No readahead beyond the header, and nothing of it left cached afterwards. */
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	if (read_full(fd, buf, sizeof(buf), &got) < 0 || got < sizeof(buf) ||
	    mrc_header_decode(buf, &h, NULL, 0))
		flags = COPY_FILE_NOT_MRC;
	else if (mrc_expected_size(&h) != size)
		flags = COPY_FILE_BAD_SIZE;
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	return flags;
}

static void *check_thread(void *arg)
{
	struct checker *c = arg;

	for (;;) {
		const size_t k = atomic_fetch_add(&c->next, 1);
		struct copy_file *f;
		char *path;

		if (k >= c->nr)
			break;
		f = &c->ds->files[c->which[k]];
		path = path_join(c->ds->root, f->rel);
		f->flags = (f->flags & ~(unsigned)(COPY_FILE_NOT_MRC | COPY_FILE_BAD_SIZE)) |
			   check_one(path, f->size);
		free(path);
	}
	return NULL;
}

static int index_cmp(const void *a, const void *b)
{
	const size_t x = *(const size_t *)a;
	const size_t y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* splitmix64: the seeded choice of a sample. */
static uint64_t mix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * The indices of the stacks to check, into *which (allocated): all .mrc/.mrcs files, or a
 * seeded choice of DATASET_CHECK_SAMPLE of them (a partial Fisher-Yates shuffle, then sorted so
 * the reads go in listing order). Returns how many; *of gets how many could be checked.
 */
static size_t choose(const struct dataset *ds, bool all, uint64_t seed, size_t **which,
		     size_t *of)
{
	size_t *idx = xmalloc((ds->nr ? ds->nr : 1) * sizeof(*idx));
	size_t n = 0;
	size_t want;

	for (size_t i = 0; i < ds->nr; i++)
		/* A folder's other files were taken with --all-files; named stacks all count. */
		if (ds->kind != DATASET_KIND_DIR || has_mrc_name(ds->files[i].rel))
			idx[n++] = i;
	*of = n;
	want = all || n <= DATASET_CHECK_SAMPLE ? n : DATASET_CHECK_SAMPLE;
	for (size_t k = 0; k < want && want < n; k++) {
		const size_t j = k + (size_t)(mix64(&seed) % (n - k));
		const size_t t = idx[k];

		idx[k] = idx[j];
		idx[j] = t;
	}
	if (want < n)
		qsort(idx, want, sizeof(*idx), index_cmp);
	*which = idx;
	return want;
}

void dataset_check_headers(struct dataset *ds, unsigned flags, uint64_t seed)
{
	struct checker c = { .ds = ds };
	size_t *which = NULL;
	size_t of = 0;

	c.nr = choose(ds, flags & DATASET_CHECK_ALL, seed, &which, &of);
	c.which = which;
	atomic_init(&c.next, 0);
	/* A thread for every 32 stacks at most: a handful is not worth a thread. */
	run_shared(check_thread, &c,
		   c.nr / 32 < DATASET_CHECK_THREADS ? (unsigned)(c.nr / 32) : DATASET_CHECK_THREADS);
	free(which);
	ds->nr_not_mrc = 0;
	ds->nr_bad_size = 0;
	for (size_t i = 0; i < ds->nr; i++) {
		if (ds->files[i].flags & COPY_FILE_NOT_MRC)
			ds->nr_not_mrc++;
		if (ds->files[i].flags & COPY_FILE_BAD_SIZE)
			ds->nr_bad_size++;
	}
	ds->headers_checked = c.nr;
	ds->headers_of = of;
	ds->headers_sampled = c.nr < of;
}
