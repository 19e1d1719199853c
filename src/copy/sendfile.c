/* SPDX-License-Identifier: MIT */
/*
 * sendfile.c - the data path of shutil.copyfile without the rest of it: open, fstat,
 * open, sendfile() until the size fstat gave is sent, close, close.
 *
 * shutil's stat()s of both paths, its isatty() ioctls, tell() lseeks and the sendfile() that
 * returns 0 at the end are left out, so shutil minus sendfile is shutil's per-file overhead.
 * The default --bs is the whole file: one call moves at most 0x7ffff000 bytes (the kernel's
 * MAX_RW_COUNT), so a stack goes in one call, as with shutil's max(st_size, 8 MiB).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy/common.h"
#include "copy/strategy.h"

#define SENDFILE_MAX_LEN	((size_t)0x7ffff000)	/* MAX_RW_COUNT: one call's limit */

static int sendfile_copy(struct copy_worker *w, const struct copy_file *f)
{
	const size_t job_bs = w->job ? w->job->bs : 0;
	const size_t bs = job_bs && job_bs < SENDFILE_MAX_LEN ? job_bs : SENDFILE_MAX_LEN;
	struct stat st;
	off_t off = 0;
	int in = -1;
	int out = -1;
	int ret = 0;

	ret = copy_open_pair(w, &in, &out, &st);
	if (ret)
		return ret;

	while (off < st.st_size) {
		const size_t left = (size_t)(st.st_size - off);
		ssize_t n = sendfile(out, in, &off, left < bs ? left : bs);

		if (n < 0) {
			const int err = -errno;

			if (err == -EINTR)
				continue;
			ret = copy_fail(w, copy_offload_err_path(w, err), "sendfile", err);
			goto out;
		}
		/* The source shrank under us: what is copied is what there was. */
		if (n == 0)
			break;
	}
out:
	return copy_close_pair(w, in, out, ret);
}

const struct copy_strategy strategy_sendfile = {
	.name = "sendfile",
	.summary = "open, fstat, sendfile() loop, close: shutil's data path without its extra "
		   "stat/ioctl/lseek calls",
	.bs_default = "whole file, at most 0x7ffff000 per call",
	.copy = sendfile_copy,
};
