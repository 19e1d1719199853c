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

int verify_hash_file(const char *path, uint64_t *hash)
{
	XXH3_state_t *st = XXH3_createState();
	char *buf = xmalloc(VERIFY_BLOCK);
	int ret = 0;
	int fd;

	if (!st)
		abort();
	XXH3_64bits_reset(st);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	for (;;) {
		size_t got;

		ret = read_full(fd, buf, VERIFY_BLOCK, &got);
		if (ret)
			break;
		if (!got)
			break;
		XXH3_64bits_update(st, buf, got);
		if (got < VERIFY_BLOCK)
			break;
	}
	close(fd);
	if (!ret)
		*hash = XXH3_64bits_digest(st);
out:
	free(buf);
	XXH3_freeState(st);
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
