/* SPDX-License-Identifier: MIT */
/*
 * sizer.c - the sizes of the files a folder walk lists from their entries' d_type, read by a
 * thread per CPU while the walk reads on: reading a large folder's entries waits on the disk,
 * stat'ing its files costs kernel CPU (a lookup and an inode read each), so the two overlap.
 * The walk hands its files over in chunks of one folder each, sorted by inode number so the
 * inode table is read nearly in order; a chunk holds its own descriptor of the folder and each
 * file is stat'ed by its name from there (as find's fts does), not looked up from the root.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset/dataset.h"
#include "dataset/dataset_int.h"
#include "lib/util.h"

#define BATCH 64		/* files a thread stats between two looks at the queue */
#define CHUNK 4096		/* files the walk hands over at once, sorted by inode */
#define MAX_QUEUED 64		/* chunks (descriptors) waiting before the walk helps out */

struct entry {
	union {
		const char *rel;	/* ds->files[idx].rel, kept in ds->names: it stays put */
		uint64_t size;		/* once stat'ed: a million files keep 8 MB less */
	};
	size_t idx;		/* into ds->files */
	uint64_t ino;
};

/* Files of one folder handed over to the threads, in inode order. */
struct chunk {
	struct chunk *next;
	int dirfd;		/* the folder's descriptor */
	bool own_fd;		/* a copy of the walk's, closed once the files are stat'ed */
	size_t name_off;	/* where the names start in the rel paths */
	size_t nr;
	size_t taken;		/* entries handed to threads so far */
	size_t done;		/* and stat'ed */
	struct entry e[];
};

struct sizer {
	struct dataset *ds;
	struct entry *pending;	/* listed, not handed over yet (the walk's own) */
	size_t nr_pending;
	int pending_fd;		/* their folder (the walk's descriptor) */
	size_t pending_off;
	struct chunk *head;	/* handed over, oldest first; all kept until the end */
	struct chunk *tail;
	struct chunk *cur;	/* the first chunk with entries left to take */
	size_t queued;		/* chunks whose descriptor is still open */
	bool done;		/* the walk is over: no chunk comes */
	int err;		/* the first failure's -errno */
	char *bad;		/* and its file */
	pthread_t tid[DATASET_CHECK_THREADS];
	unsigned nr_threads;
	unsigned nr_wanted;	/* one per CPU, read once: sysconf() reads sysfs */
	pthread_mutex_t lock;
	pthread_cond_t more;
};

/* Take up to BATCH entries (under the lock): their first, with *n how many; NULL when none. */
static struct entry *take(struct sizer *z, size_t *n, struct chunk **c)
{
	while (z->cur && z->cur->taken == z->cur->nr)
		z->cur = z->cur->next;
	if (!z->cur || z->err)
		return NULL;
	*c = z->cur;
	*n = z->cur->nr - z->cur->taken < BATCH ? z->cur->nr - z->cur->taken : BATCH;
	z->cur->taken += *n;
	return &z->cur->e[z->cur->taken - *n];
}

/* Stat n entries of c (without the lock); returns 0 or -errno with *bad set. */
static int stat_batch(const struct chunk *c, struct entry *e, size_t n, const char **bad)
{
	for (size_t k = 0; k < n; k++) {
		struct stat st;

		if (fstatat(c->dirfd, e[k].rel + c->name_off, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			*bad = e[k].rel;
			return -errno;
		}
		e[k].size = (uint64_t)st.st_size;
	}
	return 0;
}

/* Stat what is handed over until the walk is done (wait) or, without wait, until none is left. */
static void drain(struct sizer *z, bool wait)
{
	pthread_mutex_lock(&z->lock);
	for (;;) {
		struct chunk *c;
		const char *bad = NULL;
		size_t n;
		struct entry *e = take(z, &n, &c);
		int ret;

		if (!e) {
			if (!wait || z->done || z->err)
				break;
			pthread_cond_wait(&z->more, &z->lock);
			continue;
		}
		pthread_mutex_unlock(&z->lock);
		ret = stat_batch(c, e, n, &bad);
		pthread_mutex_lock(&z->lock);
		if (ret && !z->err) {
			z->err = ret;
			z->bad = xstrdup(bad);
		}
		c->done += n;
		if (c->done == c->nr && c->own_fd) {
			close(c->dirfd);
			z->queued--;
		}
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
	const uint64_t x = ((const struct entry *)a)->ino;
	const uint64_t y = ((const struct entry *)b)->ino;

	return x < y ? -1 : x > y;
}

/*
 * Hand the pending entries to the threads, sorted by inode, with a copy of their folder's
 * descriptor; without threads (a small set so far) the walk stats them itself, from its own.
 */
static int hand_over(struct sizer *z)
{
	const bool own = z->nr_threads > 0;
	struct chunk *c;
	int fd;

	if (!z->nr_pending)
		return 0;
	qsort(z->pending, z->nr_pending, sizeof(*z->pending), ino_cmp);
	fd = own ? fcntl(z->pending_fd, F_DUPFD_CLOEXEC, 0) : z->pending_fd;
	if (fd < 0)
		return -errno;
	c = xmalloc(sizeof(*c) + z->nr_pending * sizeof(*c->e));
	*c = (struct chunk){ .dirfd = fd, .own_fd = own, .name_off = z->pending_off,
			     .nr = z->nr_pending };
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
	if (own) {
		z->queued++;
		pthread_cond_broadcast(&z->more);
	}
	pthread_mutex_unlock(&z->lock);
	/* Threads far behind would hold a descriptor per chunk: help them. */
	if (!own || z->queued >= MAX_QUEUED)
		drain(z, false);
	return 0;
}

/* Threads besides the walk's: one per CPU, within DATASET_CHECK_THREADS. */
static unsigned nr_wanted(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus > DATASET_CHECK_THREADS)
		cpus = DATASET_CHECK_THREADS;
	return cpus < 1 ? 1 : (unsigned)cpus;
}

struct sizer *sizer_start(struct dataset *ds)
{
	struct sizer *z = xcalloc(1, sizeof(*z));

	z->ds = ds;
	z->pending = xmalloc(CHUNK * sizeof(*z->pending));
	z->pending_fd = -1;
	z->nr_wanted = nr_wanted();
	pthread_mutex_init(&z->lock, NULL);
	pthread_cond_init(&z->more, NULL);
	return z;
}

int sizer_add(struct sizer *z, int dirfd, size_t name_off, size_t idx, uint64_t ino)
{
	z->pending_fd = dirfd;
	z->pending_off = name_off;
	z->pending[z->nr_pending++] = (struct entry){ .rel = z->ds->files[idx].rel, .idx = idx,
						      .ino = ino };
	if (z->nr_pending < CHUNK)
		return 0;
	/* A set this large is worth the threads; a small one is stat'ed folder by folder. */
	while (z->nr_threads < z->nr_wanted &&
	       pthread_create(&z->tid[z->nr_threads], NULL, size_thread, z) == 0)
		z->nr_threads++;
	return hand_over(z);
}

int sizer_end_dir(struct sizer *z)
{
	return hand_over(z);
}

int sizer_finish(struct sizer *z, char **bad)
{
	int ret = hand_over(z);

	pthread_mutex_lock(&z->lock);
	z->done = true;
	pthread_cond_broadcast(&z->more);
	pthread_mutex_unlock(&z->lock);
	drain(z, false);
	for (unsigned t = 0; t < z->nr_threads; t++)
		pthread_join(z->tid[t], NULL);
	for (struct chunk *c = z->head, *next; c; c = next) {
		next = c->next;
		if (c->done < c->nr && c->own_fd)
			close(c->dirfd);	/* left by a failure */
		for (size_t k = 0; !z->err && !ret && k < c->nr; k++) {
			z->ds->files[c->e[k].idx].size = c->e[k].size;
			z->ds->bytes += c->e[k].size;
		}
		free(c);
	}
	if (!ret)
		ret = z->err;
	*bad = z->bad;
	pthread_cond_destroy(&z->more);
	pthread_mutex_destroy(&z->lock);
	free(z->pending);
	free(z);
	return ret;
}
