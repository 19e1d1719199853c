/* SPDX-License-Identifier: MIT */
/* dataset_int.h - what the folder walk and the metadata-named sets share inside dataset/. */
#ifndef CCB_DATASET_INT_H
#define CCB_DATASET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct copy_file;
struct dataset;

/*
 * Sizing the files a walk lists from d_type alone: sizer_add() notes ds->files[idx] (its rel
 * kept in ds->names, its name name_off bytes in, in the folder open as dirfd, with its inode
 * number); sizer_end_dir() says the walk is done with that folder (before closing dirfd).
 * Threads stat them in inode order while the walk goes on. Both return 0 or -errno (the folder
 * could not be handed over). sizer_finish() waits for the sizes, stores them and adds them to
 * ds->bytes. Returns 0, or the first failure's -errno with *bad its relative path (allocated).
 * The sizer is freed either way.
 */
struct sizer;
struct sizer *sizer_start(struct dataset *ds);
int sizer_add(struct sizer *z, int dirfd, size_t name_off, size_t idx, uint64_t ino);
int sizer_end_dir(struct sizer *z);
int sizer_finish(struct sizer *z, char **bad);

/*
 * A copy of dir/name (dir dlen bytes, "" for the root; name nlen bytes) kept in ds->names until
 * dataset_release(): a folder walk's files[].rel, without an allocation each.
 */
char *dataset_name_add(struct dataset *ds, const char *dir, size_t dlen, const char *name,
		       size_t nlen);

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
