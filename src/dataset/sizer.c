/* SPDX-License-Identifier: MIT */
/*
 * sizer.c - the sizes of the files a folder walk lists from their entries' d_type, read by a few
 * threads while the walk goes on: a cold stat() is a read of the inode table (or a round trip
 * to the file server), and 100,000 of them one after another in the folder's hash order cost
 * about as much as the walk itself. The walk hands its files over in chunks, each sorted by
 * inode number so the table is read nearly sequentially, and the threads stat one chunk while
 * the walk reads the next entries.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "dataset/dataset.h"
#include "dataset/dataset_int.h"
#include "lib/util.h"

#define BATCH 64		/* files a thread stats between two looks at the queue */
#define CHUNK 4096		/* files the walk hands over at once, sorted by inode */

struct entry {
	union {
		const char *rel;	/* ds->files[idx].rel (the string stays, the array may move) */
		uint64_t size;		/* once stat'ed: a million files keep 8 MB less */
	};
	size_t idx;		/* into ds->files */
	ino_t ino;
};

/* Files handed over to the threads, in inode order. */
struct chunk {
	struct chunk *next;
	size_t nr;
	size_t taken;		/* entries handed to threads so far */
	struct entry e[];
};

struct sizer {
	int rootfd;
	struct dataset *ds;
	struct entry *pending;	/* listed, not handed over yet (the walk's own) */
	size_t nr_pending;
	struct chunk *head;	/* handed over, oldest first; all kept until the end */
	struct chunk *tail;
	struct chunk *cur;	/* the first chunk with entries left to take */
	bool done;		/* the walk is over: no chunk comes */
	int err;		/* the first failure's -errno */
	char *bad;		/* and its file */
	pthread_t tid[DATASET_CHECK_THREADS];
	unsigned nr_threads;
	pthread_mutex_t lock;
	pthread_cond_t more;
};

static void stat_entry(struct sizer *z, struct entry *e)
{
	struct stat st;

	if (fstatat(z->rootfd, e->rel, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		e->size = (uint64_t)st.st_size;
		return;
	}
	pthread_mutex_lock(&z->lock);
	if (!z->err) {
		z->err = -errno;
		z->bad = xstrdup(e->rel);
	}
	pthread_mutex_unlock(&z->lock);
}

/* Take up to BATCH entries (under the lock): their first, with *n how many; NULL when none. */
static struct entry *take(struct sizer *z, size_t *n)
{
	while (z->cur && z->cur->taken == z->cur->nr)
		z->cur = z->cur->next;
	if (!z->cur || z->err)
		return NULL;
	*n = z->cur->nr - z->cur->taken < BATCH ? z->cur->nr - z->cur->taken : BATCH;
	z->cur->taken += *n;
	return &z->cur->e[z->cur->taken - *n];
}

/* Stat what is handed over until the walk is done (wait) or, without wait, until none is left. */
static void drain(struct sizer *z, bool wait)
{
	pthread_mutex_lock(&z->lock);
	for (;;) {
		size_t n;
		struct entry *e = take(z, &n);

		if (!e) {
			if (!wait || z->done || z->err)
				break;
			pthread_cond_wait(&z->more, &z->lock);
			continue;
		}
		pthread_mutex_unlock(&z->lock);
		for (size_t k = 0; k < n; k++)
			stat_entry(z, &e[k]);
		pthread_mutex_lock(&z->lock);
	}
	pthread_mutex_unlock(&z->lock);
}

static void *size_thread(void *arg)
{
	drain(arg, true);
	return NULL;
}

static int ino_cmp(const void *a, const void *b)
{
	const ino_t x = ((const struct entry *)a)->ino;
	const ino_t y = ((const struct entry *)b)->ino;

	return x < y ? -1 : x > y;
}

/* Hand the pending entries to the threads, sorted by inode. */
static void hand_over(struct sizer *z)
{
	struct chunk *c;

	if (!z->nr_pending)
		return;
	qsort(z->pending, z->nr_pending, sizeof(*z->pending), ino_cmp);
	c = xmalloc(sizeof(*c) + z->nr_pending * sizeof(*c->e));
	c->next = NULL;
	c->nr = z->nr_pending;
	c->taken = 0;
	for (size_t k = 0; k < c->nr; k++)
		c->e[k] = z->pending[k];
	z->nr_pending = 0;
	pthread_mutex_lock(&z->lock);
	if (z->tail)
		z->tail->next = c;
	else
		z->head = c;
	z->tail = c;
	if (!z->cur)
		z->cur = c;
	pthread_cond_broadcast(&z->more);
	pthread_mutex_unlock(&z->lock);
}

struct sizer *sizer_start(int rootfd, struct dataset *ds)
{
	struct sizer *z = xcalloc(1, sizeof(*z));

	z->rootfd = rootfd;
	z->ds = ds;
	z->pending = xmalloc(CHUNK * sizeof(*z->pending));
	pthread_mutex_init(&z->lock, NULL);
	pthread_cond_init(&z->more, NULL);
	return z;
}

void sizer_add(struct sizer *z, size_t idx, ino_t ino)
{
	z->pending[z->nr_pending++] = (struct entry){ .rel = z->ds->files[idx].rel, .idx = idx,
						      .ino = ino };
	if (z->nr_pending < CHUNK)
		return;
	/* A set this large is worth the threads; a small one is stat'ed at the end, in one go. */
	while (z->nr_threads < DATASET_CHECK_THREADS &&
	       pthread_create(&z->tid[z->nr_threads], NULL, size_thread, z) == 0)
		z->nr_threads++;
	hand_over(z);
}

int sizer_finish(struct sizer *z, char **bad)
{
	const size_t last = z->nr_pending;
	unsigned nt = 0;
	int ret;

	hand_over(z);
	pthread_mutex_lock(&z->lock);
	z->done = true;
	pthread_cond_broadcast(&z->more);
	pthread_mutex_unlock(&z->lock);
	/* A thread for every BATCH files of the last chunk, as many as the first chunks had. */
	while (z->nr_threads + nt < DATASET_CHECK_THREADS && nt < last / BATCH &&
	       pthread_create(&z->tid[z->nr_threads + nt], NULL, size_thread, z) == 0)
		nt++;
	z->nr_threads += nt;
	drain(z, false);
	for (unsigned t = 0; t < z->nr_threads; t++)
		pthread_join(z->tid[t], NULL);
	for (struct chunk *c = z->head, *next; c; c = next) {
		next = c->next;
		for (size_t k = 0; !z->err && k < c->nr; k++) {
			z->ds->files[c->e[k].idx].size = c->e[k].size;
			z->ds->bytes += c->e[k].size;
		}
		free(c);
	}
	ret = z->err;
	*bad = z->bad;
	pthread_cond_destroy(&z->more);
	pthread_mutex_destroy(&z->lock);
	free(z->pending);
	free(z);
	return ret;
}
