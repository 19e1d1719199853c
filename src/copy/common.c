/* SPDX-License-Identifier: MIT */
/* common.c - pieces of the copy data path that several strategies share. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy/common.h"

int copy_rw_loop(int in, int out, char *buf, size_t len, off_t *done, int *failed_fd)
{
	ssize_t n;

	while ((n = read(in, buf, len)) != 0) {
		size_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			*failed_fd = in;
			return -errno;
		}
		while (off < (size_t)n) {
			ssize_t w = write(out, buf + off, (size_t)n - off);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				*failed_fd = out;
				return -errno;
			}
			/* write() of a positive length returning 0 would loop forever. */
			if (w == 0) {
				*failed_fd = out;
				return -EIO;
			}
			off += (size_t)w;
			*done += w;
		}
	}
	return 0;
}

const char *copy_offload_err_path(const struct copy_worker *w, int err)
{
	switch (-err) {
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
	case EROFS:
		return w->dst;
	default:
		return w->src;
	}
}

int copy_open_pair(struct copy_worker *w, int *in, int *out, struct stat *st)
{
	int ret;

	do {
		*in = open(w->src, O_RDONLY | O_CLOEXEC);
	} while (*in < 0 && errno == EINTR);
	if (*in < 0)
		return copy_fail(w, w->src, "open", -errno);
	if (st && fstat(*in, st) < 0) {
		ret = copy_fail(w, w->src, "fstat", -errno);
		goto fail;
	}
	do {
		*out = open(w->dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	} while (*out < 0 && errno == EINTR);
	if (*out < 0) {
		ret = copy_fail(w, w->dst, "open", -errno);
		goto fail;
	}
	return 0;
fail:
	close(*in);
	*in = -1;
	return ret;
}

int copy_close_pair(struct copy_worker *w, int in, int out, int ret)
{
	if (out >= 0 && close(out) < 0 && !ret)
		ret = copy_fail(w, w->dst, "close", -errno);
	if (in >= 0 && close(in) < 0 && !ret)
		ret = copy_fail(w, w->src, "close", -errno);
	return ret;
}
