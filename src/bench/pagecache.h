/* SPDX-License-Identifier: MIT */
/* pagecache.h - the kernel's page cache: making it cold before a run, and measuring that it is. */
#ifndef CCB_PAGECACHE_H
#define CCB_PAGECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dataset/dataset.h"

/* Above this share of the source resident in the page cache, a run is flagged not cold. */
#define CACHE_COLD_MAX_PCT 5.0
/* Sets of more stacks have the residency of this many measured (all of them with --check-all). */
#define CACHE_RESIDENCY_SAMPLE 2000

enum cache_method {
	CACHE_DROP_CACHES,	/* echo 3 > /proc/sys/vm/drop_caches */
	CACHE_FADVISE,		/* posix_fadvise(POSIX_FADV_DONTNEED) per file (not root) */
	CACHE_NONE,		/* nothing was done */
	CACHE_FILES,		/* posix_fadvise(DONTNEED) per file, asked for (--drop files) */
};

/* "drop_caches", "fadvise", "none", "files": the names results.json uses. */
const char *cache_method_name(enum cache_method m);

/*
 * Is path (NULL: /proc/sys/vm/drop_caches) the kernel's drop_caches file, and may this process
 * write to it? Only a regular file on procfs whose real path ends in /sys/vm/drop_caches is
 * accepted, whatever symlinks lead to it: "3\n" written anywhere else would overwrite a file's
 * first bytes (as root) or change another setting. Returns 0 when it can be written; -EINVAL
 * when it is not drop_caches (why: "'P' is not the kernel's drop_caches file (...): <what it
 * is>; refusing to write to it"), is empty, or cannot name a file at all (ENOTDIR, ELOOP,
 * ENAMETOOLONG: why "cannot drop the page cache ('P'): <strerror>"); else -errno for what the
 * fadvise fallback covers (ENOENT, EACCES, EPERM, EROFS), with the same why, "(needs root)"
 * added for EACCES and EPERM. Nothing is written.
 */
int cache_drop_check(const char *path, char *why, size_t len);

/*
 * syncfs() the filesystems of root and extra_dir (sync() when one cannot be opened), then drop
 * the page cache through drop_path (NULL: /proc/sys/vm/drop_caches), checked as
 * cache_drop_check() does at every write; when that is not allowed (not root, read-only /proc,
 * no /proc/sys), fall back to posix_fadvise(DONTNEED) on every file of ds below root and on every
 * regular file below extra_dir (may be NULL). *used says what happened. Returns 0, or -errno
 * when neither worked.
 *
 * "Not allowed" is EACCES, EPERM, EROFS or ENOENT from opening or writing drop_path; a path that
 * is not drop_caches (-EINVAL) and any other error are returned with *used = CACHE_NONE.
 * Symlinks below extra_dir are never followed. When fadvise fails for some files, *used is
 * CACHE_FADVISE and the first error is returned (the other files were still dropped). On an
 * error, why (when not NULL and len not 0) receives what failed, naming the path: "cannot evict
 * 'P' with posix_fadvise: <strerror>" when *used is CACHE_FADVISE, else cache_drop_check()'s
 * reason or "cannot make the page cache cold ('P'): <strerror>".
 */
/* cache_make_cold(), and the seconds its writeback took into *sync_s (the rest is the drop). */
int cache_make_cold_timed(const struct dataset *ds, const char *root, const char *extra_dir,
			  const char *drop_path, enum cache_method *used, char *why, size_t len,
			  double *sync_s);
/*
 * --drop files: the same writeback, then posix_fadvise(DONTNEED) on every file of ds below root
 * and below extra_dir only, whoever may write drop_caches; *used is CACHE_FILES. Other pages,
 * and every inode and dentry, stay cached. Returns 0 or the first failure (why as above).
 */
int cache_evict_set_timed(const struct dataset *ds, const char *root, const char *extra_dir,
			  enum cache_method *used, char *why, size_t len, double *sync_s);
int cache_make_cold(const struct dataset *ds, const char *root, const char *extra_dir,
		    const char *drop_path, enum cache_method *used, char *why, size_t len);

/*
 * Wait until Dirty + Writeback in /proc/meminfo are below max_dirty_bytes and no block device
 * has I/O in flight (/proc/diskstats field 12, whole devices only), or timeout_s passes.
 * Polls every 20 ms. Returns 0 when quiet, -ETIMEDOUT otherwise (the caller warns and goes on),
 * or -errno when /proc/meminfo or /proc/diskstats cannot be read.
 */
int cache_wait_quiet(uint64_t max_dirty_bytes, double timeout_s);

/*
 * Residency of one file in this kernel's page cache, by mincore() over a read-only mapping
 * (which faults nothing in). *resident and *total are in pages; an empty file has 0 and 0.
 * Returns 0 or -errno (-EINVAL for anything but a regular file). Since Linux 5.2, mincore()
 * reports every page of a file resident unless the caller owns the file or may write it (a
 * guard against cache side channels); such files give -EPERM rather than a false 100 %.
 */
int cache_file_residency(const char *path, uint64_t *resident, uint64_t *total);

/*
 * Residency of all of ds below root, in percent of pages (0.0 .. 100.0). Returns 0, or -errno
 * when a file could not be examined: then *pct is not set and why (when not NULL and len not 0)
 * receives "cannot measure page-cache residency of 'P': " and the reason (for -EPERM, who may see
 * the file's residency; else strerror()).
 */
int cache_dataset_residency(const struct dataset *ds, const char *root, double *pct, char *why,
			    size_t len);
/*
 * The same over at most max_files of ds (0: all), evenly spaced in ds's order, so that every
 * folder of a huge set is represented; *examined (may be NULL) receives how many were examined.
 */
int cache_dataset_residency_sample(const struct dataset *ds, const char *root, size_t max_files,
				   double *pct, size_t *examined, char *why, size_t len);

#endif
