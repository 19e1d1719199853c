/* SPDX-License-Identifier: MIT */
/*
 * cpython_shutil.h - CPython's shutil.copyfile() on Linux, shared by the shutil, shutil314 and
 * legacy strategies. Private to those three files.
 *
 * shutil_copyfile() issues the system calls CPython issues for one shutil.copyfile(src, dst),
 * in the same order, with the same flags and sizes: the samefile and FIFO stats, io.open() of
 * both files (fstat, isatty ioctl, BufferedReader/Writer tell), the fast copy loop and, when the
 * kernel refuses it, copyfileobj() through a faithful model of CPython's BufferedReader and
 * BufferedWriter, and the two closes (destination first).
 */
#ifndef CCB_CPYTHON_SHUTIL_H
#define CCB_CPYTHON_SHUTIL_H

#include <stddef.h>
#include "copy/strategy.h"

enum shutil_variant {
	/*
	 * 3.8 to 3.13: sendfile, then copyfileobj() with 64 KiB reads. The fallback's writes are
	 * buffered as 3.8-3.12 do it; 3.13 writes a chunk that exactly fills the buffer at once
	 * instead of at close(), the only difference seen under strace.
	 */
	SHUTIL_PY38,
	/*
	 * 3.14: copy_file_range, then sendfile, then copyfileobj() with 256 KiB reads; open()
	 * skips the isatty ioctl for files that are not character devices and sizes its buffers
	 * max(min(st_blksize, 8 MiB), 128 KiB); BufferedWriter writes whole buffers at once (3.13).
	 */
	SHUTIL_PY314,
	SHUTIL_NR_VARIANTS
};

/* Per-thread state, in copy_worker.priv. */
struct shutil_thread {
	char *chunk;		/* what copyfileobj() reads into: COPY_BUFSIZE bytes */
	size_t chunk_len;
	char *rbuf;		/* the BufferedReader's buffer, grown to the file's buffer size */
	size_t rbuf_len;
	char *wbuf;		/* the BufferedWriter's buffer */
	size_t wbuf_len;
	char *scratch;		/* a path the caller may cut up (legacy's os.makedirs) */
	size_t scratch_len;
};

/* Set up and free w->priv for a worker that will call shutil_copyfile(). */
int shutil_thread_init(struct copy_worker *w, enum shutil_variant v);
void shutil_thread_exit(struct copy_worker *w);

/*
 * shutil.copyfile(w->src, w->dst) as CPython version v does it. Returns 0 or -errno with
 * w->err_path and w->err_what set. CPython's refusals without an errno, SameFileError and
 * SpecialFileError (a named pipe), are -EINVAL with err_what "copy a file onto itself" or
 * "copy a named pipe".
 */
int shutil_copyfile(struct copy_worker *w, enum shutil_variant v);

#endif
