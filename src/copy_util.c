/* copy_util.c - pieces of the copy data path that several strategies share. */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "copy_util.h"

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
