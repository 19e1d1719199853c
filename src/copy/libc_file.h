/* SPDX-License-Identifier: MIT */
/*
 * libc_file.h - glibc's buffered FILE (libio) as RELION's image I/O uses it: fopen, fread,
 * fwrite, fseek, rewind and fclose, with the same system calls in the same order, sizes and
 * offsets as glibc 2.28-2.36 issues them (libio/fileops.c, genops.c, filedoalloc.c).
 *
 * The buffer is allocated at the first use, after an fstat(): st_blksize bytes when that is below
 * BUFSIZ (8192), else BUFSIZ. A read smaller than the buffer fills the buffer; a larger one reads
 * the whole blocks straight into the caller's memory and the remainder through the buffer. A seek
 * outside the buffer goes to the block boundary below and reads a buffer from there (or only the
 * bytes up to the target, when the stream was flushed); a seek inside it still resyncs the
 * descriptor with an lseek(). A write that does not fit the buffer flushes it, writes the whole
 * blocks directly and keeps the remainder for later; switching from writing to reading or
 * seeking flushes first. What C library calls cost in system calls is the point: this is a
 * model of them, not a general stdio.
 */
#ifndef CCB_LIBC_FILE_H
#define CCB_LIBC_FILE_H

#include <stdint.h>
#include <stddef.h>

/* glibc's BUFSIZ: the buffer when st_blksize is not smaller. */
#define LIBC_FILE_BUFSIZ 8192

struct libc_file {
	int fd;
	unsigned flags;			/* LIBC_FILE_* below */
	char *buf;			/* NULL until the first use, as glibc allocates it */
	size_t size;
	/* glibc's get and put pointers, as offsets into buf. */
	size_t rbase, rptr, rend;
	size_t wbase, wptr, wend;
	int64_t offset;			/* the file position of rend (glibc's _offset); -1: unknown */
	int err;			/* the first failing system call's -errno, or 0 */
	const char *err_call;		/* its name: "read", "write", "lseek" */
	uint64_t bytes_read;		/* returned by read() */
	uint64_t bytes_written;		/* accepted by write() */
};

/*
 * fopen(path, mode) for mode "r", "w", "r+" or "w+": open() with O_RDONLY, O_WRONLY|O_CREAT|
 * O_TRUNC, O_RDWR, O_RDWR|O_CREAT|O_TRUNC and 0666, and nothing else (no O_CLOEXEC: RELION's
 * fopen() sets none). Returns 0 or -errno.
 */
int libc_file_open(struct libc_file *f, const char *path, const char *mode);

/* fread(p, n, 1, f): 0 when all n bytes were read, -EIO at the end of the file, else -errno. */
int libc_file_read(struct libc_file *f, void *p, size_t n);

/* fwrite(p, n, 1, f): 0 when all n bytes went into the buffer or the file, else -errno. */
int libc_file_write(struct libc_file *f, const void *p, size_t n);

/* fseek(f, off, whence) for SEEK_SET and SEEK_END. Returns 0 or -errno. */
int libc_file_seek(struct libc_file *f, int64_t off, int whence);

/* rewind(f): fseek(f, 0, SEEK_SET), and the error and end-of-file marks cleared. */
void libc_file_rewind(struct libc_file *f);

/*
 * fclose(f): what the buffer still holds is written, the descriptor closed, the buffer freed.
 * Returns 0, the first failure of any earlier call, or -errno of the flush or the close.
 */
int libc_file_close(struct libc_file *f);

#endif
