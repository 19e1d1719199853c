/* SPDX-License-Identifier: MIT */
/*
 * cfr.c - copy_file_range() per file, as coreutils' cp copies, counting for every file
 * what the kernel did with it: cloned it, copied it in the kernel, or refused (and the file went
 * through read/write).
 *
 * Per file: open both, fstat the source, then
 *   1. --reflink=auto|always: ioctl(FICLONE). A clone is the whole copy. With always a refusal
 *      is an error; with auto it is counted and the copy goes on.
 *   2. copy_file_range() of --bs bytes per call until it returns 0, from the files' positions
 *      (NULL offsets, as cp). The default length is cp's: SSIZE_MAX rounded down to a GiB, which
 *      the kernel cuts to 0x7ffff000, i.e. one call per stack and one more that returns 0.
 *   3. A refusal before any byte was copied (EXDEV across filesystems on kernels >= 5.19, EINVAL,
 *      EOPNOTSUPP, ENOSYS, ...: coreutils' list) sends the file through read()/write() with a
 *      128 KiB buffer. A 0 at once from a non-empty file (procfs, older kernels) does too.
 *   4. After a copy in the kernel, FIEMAP of the destination: on XFS (reflink=1) and btrfs a plain
 *      copy_file_range within one filesystem is a silent clone, seen as FIEMAP_EXTENT_SHARED.
 *      The call costs one ioctl per file, inside the clock; it does not sync the file.
 *
 * Every file lands in exactly one of ficlone, cloned_by_cfr, kernel_copy and refused_fallback.
 * An empty file that copy_file_range accepted (it returns 0 at once) counts as kernel_copy: it
 * has no extents that could be shared.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy/common.h"
#include "copy/strategy.h"
#include "lib/opt.h"
#include "lib/util.h"

/* coreutils copy.c: copy_max = MIN (SSIZE_MAX, SIZE_MAX) >> 30 << 30 */
#define CFR_DEFAULT_LEN		((size_t)(SSIZE_MAX >> 30 << 30))
#define CFR_FALLBACK_BS		(128 * 1024)	/* coreutils' minimum I/O size, as rw */
#define CFR_FIEMAP_EXTENTS	64		/* extents asked for per FIEMAP call */

/* cfr_loop(): copy_file_range refused the file before copying a byte. Never returned outside. */
#define CFR_REFUSED 1

#ifndef FIEMAP_EXTENT_SHARED
#define FIEMAP_EXTENT_SHARED	0x00002000
#endif

/* Indexes into copy_worker.counters, in the order of cfr_counter_names. */
enum cfr_counter {
	CFR_FICLONE,		/* files cloned by FICLONE */
	CFR_CLONED_BY_CFR,	/* files copy_file_range cloned (shared extents afterwards) */
	CFR_KERNEL_COPY,	/* files copied in the kernel, no extent shared */
	CFR_REFUSED_FALLBACK,	/* files copy_file_range refused, copied with read/write */
	CFR_FALLBACK_BYTES,	/* bytes those files moved through read/write */
	CFR_FICLONE_REFUSED,	/* --reflink=auto: FICLONE refused (the file was then copied) */
};

static const char *const cfr_counter_names[] = {
	"ficlone", "cloned_by_cfr", "kernel_copy", "refused_fallback", "fallback_bytes",
	"ficlone_refused", NULL,
};

enum cfr_reflink {
	CFR_REFLINK_NEVER,	/* never clone (FICLONE is not tried) */
	CFR_REFLINK_AUTO,	/* clone where the filesystem allows, else copy */
	CFR_REFLINK_ALWAYS,	/* clone or fail */
};

/* cfr's options (job->eo). */
struct cfr_opts {
	char *reflink;		/* "never", "auto" or "always" */
};

static const char *const cfr_reflink_choices[] = { "never", "auto", "always", NULL };

static const struct opt_def cfr_options[] = {
	OPT_CHOICE_("reflink", 0, struct cfr_opts, reflink, "auto", "WHEN", cfr_reflink_choices,
		    "cfr: clone with FICLONE first, like cp --reflink"),
	OPT_END
};

struct cfr_thread {
	char *buf;		/* the read/write fallback's buffer */
	size_t len;		/* bytes per copy_file_range call */
	enum cfr_reflink reflink;
};

static int cfr_thread_init(struct copy_worker *w)
{
	const struct cfr_opts *o = copy_worker_opts(w);
	struct cfr_thread *t;

	if (!o)
		return -EINVAL;
	t = xcalloc(1, sizeof(*t));
	t->reflink = !strcmp(o->reflink, "never")    ? CFR_REFLINK_NEVER
		     : !strcmp(o->reflink, "always") ? CFR_REFLINK_ALWAYS
						     : CFR_REFLINK_AUTO;
	t->len = copy_worker_bs(w, CFR_DEFAULT_LEN);
	if (t->len > CFR_DEFAULT_LEN)
		t->len = CFR_DEFAULT_LEN;
	t->buf = xmalloc(CFR_FALLBACK_BS);
	w->priv = t;
	return 0;
}

static void cfr_thread_exit(struct copy_worker *w)
{
	struct cfr_thread *t = w->priv;

	if (!t)
		return;
	free(t->buf);
	free(t);
	w->priv = NULL;
}

/* coreutils' is_CLONENOTSUP(): copy_file_range refuses this pair, copying another way may work. */
static bool cfr_refused(int err)
{
	switch (err) {
	case ENOSYS:
	case ENOTTY:
	case EOPNOTSUPP:
	case EINVAL:
	case EBADF:
	case EXDEV:
	case ETXTBSY:
	case EPERM:
		return true;
	default:
		return false;
	}
}

/*
 * Does any extent of fd show FIEMAP_EXTENT_SHARED? Returns 1 or 0, 0 also when the filesystem
 * has no FIEMAP (tmpfs, NFS: they cannot have cloned in place), or -errno.
 */
static int fiemap_any_shared(int fd)
{
	struct {
		struct fiemap map;
		struct fiemap_extent extents[CFR_FIEMAP_EXTENTS];
	} fm;
	uint64_t start = 0;

	for (;;) {
		const struct fiemap_extent *last;

		memset(&fm.map, 0, sizeof(fm.map));
		fm.map.fm_start = start;
		fm.map.fm_length = FIEMAP_MAX_OFFSET - start;
		fm.map.fm_extent_count = CFR_FIEMAP_EXTENTS;
		if (ioctl(fd, FS_IOC_FIEMAP, &fm.map) < 0) {
			if (errno == EOPNOTSUPP || errno == ENOTTY)
				return 0;
			return -errno;
		}
		if (fm.map.fm_mapped_extents == 0)
			return 0;
		for (uint32_t i = 0; i < fm.map.fm_mapped_extents; i++) {
			if (fm.extents[i].fe_flags & FIEMAP_EXTENT_SHARED)
				return 1;
		}
		last = &fm.extents[fm.map.fm_mapped_extents - 1];
		if (last->fe_flags & FIEMAP_EXTENT_LAST ||
		    fm.map.fm_mapped_extents < CFR_FIEMAP_EXTENTS)
			return 0;
		start = last->fe_logical + last->fe_length;
	}
}

/*
 * The copy_file_range loop. Returns 0 when the kernel copied the file, CFR_REFUSED when it
 * refused before copying anything (the caller falls back), or -errno.
 */
static int cfr_loop(struct copy_worker *w, int in, int out, off_t size)
{
	const struct cfr_thread *t = w->priv;
	off_t copied = 0;

	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, t->len, 0);

		if (n < 0) {
			const int err = -errno;

			if (err == -EINTR)
				continue;
			if (copied == 0 && cfr_refused(-err))
				return CFR_REFUSED;
			return copy_fail(w, copy_offload_err_path(w, err), "copy_file_range", err);
		}
		if (n == 0)
			return copied == 0 && size > 0 ? CFR_REFUSED : 0;
		copied += n;
	}
}

/* After a copy in the kernel: was it a clone after all? Counts the file; returns 0 or -errno. */
static int cfr_count_kernel_copy(struct copy_worker *w, int out, off_t size)
{
	int shared = size > 0 ? fiemap_any_shared(out) : 0;

	if (shared < 0)
		return copy_fail(w, w->dst, "FIEMAP", shared);
	w->counters[shared ? CFR_CLONED_BY_CFR : CFR_KERNEL_COPY]++;
	return 0;
}

/*
 * copy_file_range refused the file before any byte moved, so both file positions are still at 0:
 * copy it with read/write. Returns 0 or -errno.
 */
static int cfr_fallback(struct copy_worker *w, int in, int out)
{
	const struct cfr_thread *t = w->priv;
	off_t done = 0;
	int failed_fd = -1;
	int ret;

	w->counters[CFR_REFUSED_FALLBACK]++;
	ret = copy_rw_loop(in, out, t->buf, CFR_FALLBACK_BS, &done, &failed_fd);
	w->counters[CFR_FALLBACK_BYTES] += (uint64_t)done;
	if (ret)
		return copy_fail(w, failed_fd == in ? w->src : w->dst,
				 failed_fd == in ? "read" : "write", ret);
	return 0;
}

static int cfr_copy(struct copy_worker *w, const struct copy_file *f)
{
	const struct cfr_thread *t = w->priv;
	struct stat st;
	int in = -1;
	int out = -1;
	int ret;

	ret = copy_open_pair(w, &in, &out, &st);
	if (ret)
		return ret;

	if (t->reflink != CFR_REFLINK_NEVER) {
		int err;

		do {
			err = ioctl(out, FICLONE, in) < 0 ? -errno : 0;
		} while (err == -EINTR);
		if (!err) {
			w->counters[CFR_FICLONE]++;
			ret = 0;
			goto out;
		}
		if (t->reflink == CFR_REFLINK_ALWAYS) {
			ret = copy_fail(w, w->dst, "FICLONE", err);
			goto out;
		}
		w->counters[CFR_FICLONE_REFUSED]++;
	}

	ret = cfr_loop(w, in, out, st.st_size);
	if (ret == 0)
		ret = cfr_count_kernel_copy(w, out, st.st_size);
	else if (ret == CFR_REFUSED)
		ret = cfr_fallback(w, in, out);
out:
	return copy_close_pair(w, in, out, ret);
}

const struct copy_strategy strategy_cfr = {
	.name = "cfr",
	.summary = "copy_file_range() per file as cp does (FICLONE first unless --reflink=never, "
		   "read/write when refused); counts clones, kernel copies and refusals",
	.options = cfr_options,
	.option_struct_size = sizeof(struct cfr_opts),
	.bs_default = "whole file, as cp",
	.thread_init = cfr_thread_init,
	.copy = cfr_copy,
	.thread_exit = cfr_thread_exit,
	.counter_names = cfr_counter_names,
};
