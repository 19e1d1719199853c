/* SPDX-License-Identifier: MIT */
/* common.h - pieces of the copy data path that several strategies share. */
#ifndef CCB_COPY_UTIL_H
#define CCB_COPY_UTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "copy/strategy.h"

/*
 * Copy from in to out with read()/write() through buf (len bytes), from both files' current
 * positions until read() returns 0. One read() per buffer, as cp: a short read is written as it
 * is, not topped up. Short writes and EINTR are retried. *done grows by every byte written, also
 * when the copy fails half-way, so a caller can tell how far it got. Returns 0, or -errno with
 * *failed_fd set to the descriptor (in or out) whose call failed.
 */
int copy_rw_loop(int in, int out, char *buf, size_t len, off_t *done, int *failed_fd);

/*
 * Which path an error of a call that both reads and writes (sendfile, copy_file_range) is about:
 * the destination for the errors only writing can cause (no space, quota, file too large,
 * read-only), else the source.
 */
const char *copy_offload_err_path(const struct copy_worker *w, int err);

struct stat;

/*
 * Open w->src for reading and w->dst for writing (created or truncated, mode 0666), retrying
 * EINTR, as cp does; with st not NULL the source is fstat()ed between the two opens. Returns 0,
 * or the copy_fail() of the call that failed, with nothing left open.
 */
int copy_open_pair(struct copy_worker *w, int *in, int *out, struct stat *st);

/*
 * Close the destination, then the source. The destination's close() can report a delayed write
 * error (NFS): it counts. Returns ret, or the first close failure when ret is 0.
 */
int copy_close_pair(struct copy_worker *w, int in, int out, int ret);

#endif
