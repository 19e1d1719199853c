/* SPDX-License-Identifier: MIT */
/*
 * sizer.c - the sizes of the files a folder walk lists from their entries' d_type, read after
 * the walk in inode order by a few threads: a cold stat() is a read of the inode table (or a
 * round trip to the file server), and 100,000 of them one after another in the folder's hash
 * order cost more than the walk itself. In inode order the table is read nearly sequentially.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "dataset/dataset.h"
#include "dataset/dataset_int.h"
#include "lib/util.h"

#define BATCH 64		/* files a thread stats between two looks at the queue */

struct entry {
	size_t idx;		/* into ds->files */
	ino_t ino;
	uint64_t size;
};

struct sizer {
	int rootfd;
	struct dataset *ds;
	struct entry *e;
	size_t nr;
	size_t cap;
	size_t next;		/* the next entry a thread takes */
	int err;		/* the first failure's -errno */
	char *bad;		/* and its file */
	pthread_mutex_t lock;
};

static void stat_entry(struct sizer *z, struct entry *e)
{
	const char *rel = z->ds->files[e->idx].rel;
	struct stat st;

	if (fstatat(z->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		e->size = (uint64_t)st.st_size;
		return;
	}
	pthread_mutex_lock(&z->lock);
	if (!z->err) {
		z->err = -errno;
		z->bad = xstrdup(rel);
	}
	pthread_mutex_unlock(&z->lock);
}

static void *size_thread(void *arg)
{
	struct sizer *z = arg;

	pthread_mutex_lock(&z->lock);
	while (z->next < z->nr && !z->err) {
		const size_t from = z->next;
		const size_t to = z->nr - from < BATCH ? z->nr : from + BATCH;

		z->next = to;
		pthread_mutex_unlock(&z->lock);
		for (size_t k = from; k < to; k++)
			stat_entry(z, &z->e[k]);
		pthread_mutex_lock(&z->lock);
	}
	pthread_mutex_unlock(&z->lock);
	return NULL;
}

static int ino_cmp(const void *a, const void *b)
{
	const ino_t x = ((const struct entry *)a)->ino;
	const ino_t y = ((const struct entry *)b)->ino;

	return x < y ? -1 : x > y;
}

struct sizer *sizer_start(int rootfd, struct dataset *ds)
{
	struct sizer *z = xcalloc(1, sizeof(*z));

	z->rootfd = rootfd;
	z->ds = ds;
	pthread_mutex_init(&z->lock, NULL);
	return z;
}

void sizer_add(struct sizer *z, size_t idx, ino_t ino)
{
	if (z->nr == z->cap) {
		z->cap = z->cap ? 2 * z->cap : 256;
		z->e = xrealloc(z->e, z->cap * sizeof(*z->e));
	}
	z->e[z->nr++] = (struct entry){ .idx = idx, .ino = ino };
}

int sizer_finish(struct sizer *z, char **bad)
{
	pthread_t tid[DATASET_CHECK_THREADS];
	const size_t want = z->nr / BATCH;
	const unsigned nt = want < DATASET_CHECK_THREADS ? (unsigned)want : DATASET_CHECK_THREADS;
	unsigned started = 0;
	int ret;

	if (z->nr)
		qsort(z->e, z->nr, sizeof(*z->e), ino_cmp);
	for (unsigned t = 0; t < nt; t++)
		if (pthread_create(&tid[started], NULL, size_thread, z) == 0)
			started++;
	size_thread(z);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	for (size_t k = 0; !z->err && k < z->nr; k++) {
		z->ds->files[z->e[k].idx].size = z->e[k].size;
		z->ds->bytes += z->e[k].size;
	}
	ret = z->err;
	*bad = z->bad;
	pthread_mutex_destroy(&z->lock);
	free(z->e);
	free(z);
	return ret;
}
