/* SPDX-License-Identifier: MIT */
/* dataset_int.h - what the folder walk and the metadata-named sets share inside dataset/. */
#ifndef CCB_DATASET_INT_H
#define CCB_DATASET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct copy_file;
struct dataset;

/*
 * Sizing the files a walk lists from d_type alone: sizer_add() notes ds->files[idx] (and its
 * inode number), sizer_finish() stats them below rootfd in inode order with up to
 * DATASET_CHECK_THREADS threads, stores the sizes and adds them to ds->bytes. Returns 0, or the
 * first failure's -errno with *bad its relative path (allocated). The sizer is freed either way.
 */
struct sizer;
struct sizer *sizer_start(int rootfd, struct dataset *ds);
void sizer_add(struct sizer *z, size_t idx, ino_t ino);
int sizer_finish(struct sizer *z, char **bad);

/* qsort() order of struct copy_file: by relative path, the order every run copies in. */
int dataset_file_cmp(const void *a, const void *b);
/* Fill ds->dirs with the distinct parent folders of ds->files (sorted by path). */
void dataset_collect_dirs(struct dataset *ds);
/*
 * Whether the file at path (below ds->root, rel as named) may be copied: one that resolves,
 * through links, to outside ds->root is counted in ds->nr_linked_out and allowed only with
 * DATASET_FOLLOW_LINKS in flags; else *refused is counted and the first such file and its
 * target are kept in first/first_target (allocated, when NULL).
 */
bool dataset_link_allowed(struct dataset *ds, unsigned flags, const char *path, const char *rel,
			  size_t *refused, char **first, char **first_target);
/* The message for refused links, into why; returns -EXDEV. what: "the source", ... */
int dataset_links_refused(char *why, size_t len, size_t refused, const char *first,
			  const char *first_target, const char *what, const char *root);

#endif
