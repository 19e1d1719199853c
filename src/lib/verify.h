/* SPDX-License-Identifier: MIT */
/* verify.h - content checks of copies: XXH3-64 of a source and its copy. */
#ifndef CCB_VERIFY_H
#define CCB_VERIFY_H

#include <stddef.h>
#include <stdint.h>

/* XXH3-64 of the file at path, read in large blocks. Returns 0 or -errno. */
int verify_hash_file(const char *path, uint64_t *hash);
/* The same for the whole of the open file fd (read from offset 0 with pread). */
int verify_hash_fd(int fd, uint64_t *hash);

/*
 * Hash src and dst and compare. Returns 0 when equal, 1 when they differ (size or content), or
 * -errno; then why (when not NULL and len not 0) receives "cannot verify 'P': <strerror>" naming
 * the path that could not be read.
 */
int verify_pair(const char *src, const char *dst, char *why, size_t len);

#endif
