/* SPDX-License-Identifier: MIT */
/*
 * scratch.h - the marked scratch directory inside DST: the only place the tool writes or deletes.
 *
 * A scratch directory is DST/.cryocache-bench.XXXXXX holding a marker file with a magic line;
 * the copies go below its "copy" folder. Nothing is ever removed unless the marker is checked
 * first, and removal works with openat/unlinkat and O_NOFOLLOW, so a symlink inside the scratch
 * directory is removed as a link and never followed out of it. While a run uses it the marker
 * is held with flock(), so `clean` leaves a live run's directory alone.
 */
#ifndef CCB_SCRATCH_H
#define CCB_SCRATCH_H

#include <stdbool.h>

#define SCRATCH_PREFIX ".cryocache-bench."
#define SCRATCH_MARKER ".cryocache-bench-scratch"
#define SCRATCH_MAGIC "cryocache-bench scratch directory; safe to delete with 'cryocache-bench clean'"

struct scratch {
	char *path;		/* absolute path of the scratch directory */
	char *copy_path;	/* path->"/copy": the destination root of the copies */
	int dirfd;		/* O_DIRECTORY fd of path */
	int marker_fd;		/* open, flock()ed marker */
	bool online_discard;	/* its filesystem is mounted with online discard (remove_parallel()) */
};

/* Create a new scratch directory in dst (which must exist). Returns 0 or -errno. */
int scratch_create(struct scratch *s, const char *dst);
/*
 * Remove everything below copy_path and recreate it empty. Returns 0 or -errno; -EPERM when the
 * marker is no longer valid (then nothing is removed), -EXDEV for a filesystem mounted inside.
 */
int scratch_empty(struct scratch *s);
/*
 * Move the copy below copy_path aside (a rename, inside the scratch directory) and recreate
 * copy_path empty, so that the next run can get ready while scratch_remove_retired() removes the
 * old copy (from another thread). Returns 0 or -errno; -EPERM when the marker is not valid.
 */
int scratch_retire(struct scratch *s);
int scratch_remove_retired(struct scratch *s);
/*
 * Remove the whole scratch directory (the marker last) and release s, also on failure. Returns
 * 0 or -errno; -EPERM when the marker is no longer valid (then nothing is removed).
 */
int scratch_remove(struct scratch *s);
/* Release s without removing anything (--keep). */
void scratch_release(struct scratch *s);

/* Does dirfd hold a valid marker (a regular file, not a symlink, with the magic line)? */
bool scratch_is_marked(int dirfd);

/*
 * Remove the marked, unlocked scratch directories directly inside dst. Unmarked directories
 * and ones in use by a running benchmark are left alone and reported through the counters;
 * anything else named SCRATCH_PREFIX* (a symlink, a file) counts as unmarked and is never
 * followed. Goes on past a failing entry and returns the first error, or 0.
 */
int scratch_clean_all(const char *dst, unsigned *removed, unsigned *busy, unsigned *unmarked);

#endif
