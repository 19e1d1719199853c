/* SPDX-License-Identifier: MIT */
/* verify.c - content checks of copies: XXH3-64 of a source and its copy. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "lib/util.h"
#include "lib/verify.h"

#define VERIFY_BLOCK (1u << 20)

int verify_hash_fd(int fd, uint64_t *hash)
{
	XXH3_state_t *st = XXH3_createState();
	char *buf = xmalloc(VERIFY_BLOCK);
	off_t off = 0;
	int ret = 0;

	if (!st)
		abort();
	XXH3_64bits_reset(st);
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	for (;;) {
		const ssize_t got = pread(fd, buf, VERIFY_BLOCK, off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = -errno;
			break;
		}
		if (!got)
			break;
		XXH3_64bits_update(st, buf, (size_t)got);
		off += got;
	}
	if (!ret)
		*hash = XXH3_64bits_digest(st);
	free(buf);
	XXH3_freeState(st);
	return ret;
}

int verify_hash_file(const char *path, uint64_t *hash)
{
	const int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = verify_hash_fd(fd, hash);
	close(fd);
	return ret;
}

int verify_pair(const char *src, const char *dst, char *why, size_t len)
{
	uint64_t hs, hd;
	int ret;

	ret = verify_hash_file(src, &hs);
	if (ret)
		return fail_why(why, len, ret, "cannot verify '%s': %s", src, strerror(-ret));
	ret = verify_hash_file(dst, &hd);
	if (ret)
		return fail_why(why, len, ret, "cannot verify '%s': %s", dst, strerror(-ret));
	return hs != hd;
}
