/* dataset.h - the files a benchmark copies: a source tree listed into (relative path, size). */
#ifndef CCB_DATASET_H
#define CCB_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum copy_file_flags {
	COPY_FILE_NOT_MRC = 1 << 0,	/* named .mrc/.mrcs but the header is not MRC */
};

struct copy_file {
	char *rel;		/* path relative to the dataset root, no leading slash */
	uint64_t size;
	unsigned flags;		/* enum copy_file_flags */
};

enum dataset_flags {
	DATASET_ALL_FILES = 1 << 0,	/* take every regular file, whatever its name */
};

struct dataset {
	char *root;			/* canonical absolute path of the source directory */
	struct copy_file *files;
	size_t nr;
	uint64_t bytes;
	size_t nr_ignored;		/* regular files skipped (not .mrc/.mrcs) */
	size_t nr_not_mrc;		/* .mrc/.mrcs files whose header is not MRC */
	char **dirs;			/* distinct relative parent folders, parents first */
	size_t nr_dirs;
	double list_seconds;		/* time spent listing, never inside a run's clock */
};

/*
 * List the regular files below root (recursively, without following symlinks to folders).
 * Files are sorted by relative path so that every run copies in the same order.
 * Returns 0, or -errno with *bad_path (allocated; the caller frees it) naming what failed.
 * .mrc/.mrcs files whose header is not MRC are kept (CryoSPARC would copy them) and flagged.
 */
int dataset_load_dir(struct dataset *ds, const char *root, unsigned flags, char **bad_path);
void dataset_release(struct dataset *ds);

/*
 * A seeded, size-representative subset of ds holding about target_bytes: the files sorted by
 * size and taken at an even stride from a seeded offset, so small and large stacks are sampled
 * in proportion (the same seed gives the same subset). out gets its own copies of everything and
 * is sorted like ds. With target_bytes >= ds->bytes, out is all of ds. Used by sweep --budget
 * (and --sample).
 */
void dataset_sample(const struct dataset *ds, uint64_t target_bytes, uint64_t seed,
		    struct dataset *out);

#endif
