/* SPDX-License-Identifier: MIT */
/*
 * libc_file.c - glibc's buffered FILE, system call for system call (see libc_file.h).
 *
 * Each function is the glibc one it is named after, with its pointers kept as offsets into the
 * buffer: file_underflow() is _IO_new_file_underflow, xsgetn() _IO_file_xsgetn, xsputn()
 * _IO_new_file_xsputn, overflow() _IO_new_file_overflow, new_do_write() its namesake, seekoff()
 * _IO_new_file_seekoff. What a single-threaded C++ program reading regular files never meets
 * (backup areas, markers, wide streams, line buffering, O_APPEND) is left out.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy/libc_file.h"
#include "lib/util.h"

enum {
	LIBC_FILE_NO_READS = 1 << 0,
	LIBC_FILE_NO_WRITES = 1 << 1,
	LIBC_FILE_PUTTING = 1 << 2,	/* _IO_CURRENTLY_PUTTING */
	LIBC_FILE_EOF = 1 << 3,		/* _IO_EOF_SEEN */
	LIBC_FILE_ERR = 1 << 4,		/* _IO_ERR_SEEN */
};

#define LF_EOF (-1)

static int failed(struct libc_file *f, const char *call, int err)
{
	if (!f->err) {
		f->err = err;
		f->err_call = call;
	}
	f->flags |= LIBC_FILE_ERR;
	return err;
}

/* _IO_file_read: one read() (retried on EINTR, which glibc would report). */
static ssize_t sysread(struct libc_file *f, void *p, size_t n)
{
	ssize_t r;

	do {
		r = read(f->fd, p, n);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		failed(f, "read", -errno);
		return -1;
	}
	f->bytes_read += (uint64_t)r;
	return r;
}

static int64_t sysseek(struct libc_file *f, int64_t off, int whence)
{
	off_t r = lseek(f->fd, (off_t)off, whence);

	if (r < 0) {
		failed(f, "lseek", -errno);
		return -1;
	}
	return (int64_t)r;
}

/* _IO_new_file_write: write() until all is written or one fails. */
static size_t syswrite(struct libc_file *f, const char *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(f->fd, p + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			failed(f, "write", w < 0 ? -errno : -EIO);
			break;
		}
		done += (size_t)w;
	}
	f->bytes_written += done;
	if (f->offset >= 0)
		f->offset += (int64_t)done;
	return done;
}

/* _IO_file_doallocate: st_blksize when below BUFSIZ, else BUFSIZ; a failed fstat() means BUFSIZ. */
static void doallocbuf(struct libc_file *f)
{
	struct stat st;
	size_t size = LIBC_FILE_BUFSIZ;

	if (f->buf)
		return;
	if (fstat(f->fd, &st) == 0 && st.st_blksize > 0 && st.st_blksize < LIBC_FILE_BUFSIZ)
		size = (size_t)st.st_blksize;
	f->buf = xmalloc(size);
	f->size = size;
}

static void setg(struct libc_file *f, size_t base, size_t ptr, size_t end)
{
	f->rbase = base;
	f->rptr = ptr;
	f->rend = end;
}

/* _IO_setp(fp, buf_base, buf_base): no room to put until overflow() makes some. */
static void setp_empty(struct libc_file *f)
{
	f->wbase = 0;
	f->wptr = 0;
	f->wend = 0;
}

static size_t new_do_write(struct libc_file *f, const char *data, size_t n)
{
	size_t count;

	if (f->rend != f->wbase) {
		int64_t pos = sysseek(f, (int64_t)f->wbase - (int64_t)f->rend, SEEK_CUR);

		if (pos < 0)
			return 0;
		f->offset = pos;
	}
	count = syswrite(f, data, n);
	setg(f, 0, 0, 0);
	f->wbase = 0;
	f->wptr = 0;
	f->wend = f->size;
	return count;
}

static int do_write(struct libc_file *f, const char *data, size_t n)
{
	return n == 0 || new_do_write(f, data, n) == n ? 0 : LF_EOF;
}

static int overflow(struct libc_file *f, int ch)
{
	if (f->flags & LIBC_FILE_NO_WRITES) {
		failed(f, "write", -EBADF);
		return LF_EOF;
	}
	/* Not putting yet, or no buffer: make the put area from where reading stands. */
	if (!(f->flags & LIBC_FILE_PUTTING) || !f->buf) {
		if (!f->buf) {
			doallocbuf(f);
			setg(f, 0, 0, 0);
		}
		if (f->rptr == f->size)
			f->rend = f->rptr = 0;
		f->wptr = f->rptr;
		f->wbase = f->wptr;
		f->wend = f->size;
		f->rbase = f->rptr = f->rend;
		f->flags |= LIBC_FILE_PUTTING;
	}
	if (ch == LF_EOF)
		return do_write(f, f->buf + f->wbase, f->wptr - f->wbase);
	if (f->wptr == f->size && do_write(f, f->buf + f->wbase, f->wptr - f->wbase))
		return LF_EOF;
	f->buf[f->wptr++] = (char)ch;
	return ch;
}

static int switch_to_get_mode(struct libc_file *f)
{
	if (f->wptr > f->wbase && overflow(f, LF_EOF) == LF_EOF)
		return LF_EOF;
	f->rbase = 0;
	if (f->wptr > f->rend)
		f->rend = f->wptr;
	f->rptr = f->wptr;
	f->wbase = f->wptr = f->wend = f->rptr;
	f->flags &= ~(unsigned)LIBC_FILE_PUTTING;
	return 0;
}

static int file_underflow(struct libc_file *f)
{
	ssize_t count;

	if (f->flags & LIBC_FILE_EOF)
		return LF_EOF;
	if (f->flags & LIBC_FILE_NO_READS) {
		failed(f, "read", -EBADF);
		return LF_EOF;
	}
	if (f->rptr < f->rend)
		return 0;
	doallocbuf(f);
	switch_to_get_mode(f);
	setg(f, 0, 0, 0);
	f->wbase = f->wptr = f->wend = 0;
	count = sysread(f, f->buf, f->size);
	if (count <= 0) {
		f->flags |= count == 0 ? LIBC_FILE_EOF : 0;
		count = 0;
	}
	f->rend += (size_t)count;
	if (count == 0) {
		f->offset = -1;
		return LF_EOF;
	}
	if (f->offset >= 0)
		f->offset += count;
	return 0;
}

/* __underflow: leave put mode first. */
static int underflow(struct libc_file *f)
{
	if ((f->flags & LIBC_FILE_PUTTING) && switch_to_get_mode(f) == LF_EOF)
		return LF_EOF;
	if (f->rptr < f->rend)
		return 0;
	return file_underflow(f);
}

static size_t xsgetn(struct libc_file *f, char *s, size_t n)
{
	size_t want = n;

	doallocbuf(f);
	while (want > 0) {
		size_t have = f->rend - f->rptr;
		ssize_t count;

		if (want <= have) {
			memcpy(s, f->buf + f->rptr, want);
			f->rptr += want;
			want = 0;
			break;
		}
		if (have > 0) {
			memcpy(s, f->buf + f->rptr, have);
			s += have;
			want -= have;
			f->rptr += have;
		}
		/* Less than a buffer: fill the buffer and copy; else read whole blocks directly. */
		if (want < f->size) {
			if (underflow(f) == LF_EOF)
				break;
			continue;
		}
		setg(f, 0, 0, 0);
		setp_empty(f);
		count = (ssize_t)(want - (f->size >= 128 ? want % f->size : 0));
		count = sysread(f, s, (size_t)count);
		if (count <= 0) {
			f->flags |= count == 0 ? LIBC_FILE_EOF : 0;
			break;
		}
		s += count;
		want -= (size_t)count;
		if (f->offset >= 0)
			f->offset += count;
	}
	return n - want;
}

/* _IO_default_xsputn: into the buffer, overflowing a byte at a time when it is full. */
static size_t default_xsputn(struct libc_file *f, const char *s, size_t n)
{
	size_t more = n;

	for (;;) {
		if (f->wptr < f->wend) {
			size_t count = f->wend - f->wptr;

			if (count > more)
				count = more;
			memcpy(f->buf + f->wptr, s, count);
			f->wptr += count;
			s += count;
			more -= count;
		}
		if (more == 0 || overflow(f, (unsigned char)*s++) == LF_EOF)
			break;
		more--;
	}
	return n - more;
}

static size_t xsputn(struct libc_file *f, const char *s, size_t n)
{
	size_t to_do = n;
	size_t count = 0;

	if (n == 0)
		return 0;
	if (f->wend > f->wptr)
		count = f->wend - f->wptr;
	if (count > 0) {
		if (count > to_do)
			count = to_do;
		memcpy(f->buf + f->wptr, s, count);
		f->wptr += count;
		s += count;
		to_do -= count;
	}
	if (to_do > 0) {
		size_t do_write_n;

		if (overflow(f, LF_EOF) == LF_EOF)
			return n - to_do;
		/* Whole blocks straight to the file, the rest into the buffer. */
		do_write_n = to_do - (f->size >= 128 ? to_do % f->size : 0);
		if (do_write_n) {
			count = new_do_write(f, s, do_write_n);
			to_do -= count;
			if (count < do_write_n)
				return n - to_do;
		}
		if (to_do)
			to_do -= default_xsputn(f, s + do_write_n, to_do);
	}
	return n - to_do;
}

static int64_t seek_dumb(struct libc_file *f, int64_t off, int whence)
{
	int64_t result = sysseek(f, off, whence);

	if (result >= 0) {
		f->flags &= ~(unsigned)LIBC_FILE_EOF;
		f->offset = result;
		setg(f, 0, 0, 0);
		setp_empty(f);
	}
	return result;
}

static int64_t seekoff(struct libc_file *f, int64_t off, int whence)
{
	const bool must_be_exact = f->rbase == f->rend && f->wbase == f->wptr;
	const bool was_writing = f->wptr > f->wbase || (f->flags & LIBC_FILE_PUTTING);
	int64_t new_offset, delta, result;
	ssize_t count;

	if (was_writing && switch_to_get_mode(f) == LF_EOF)
		return -1;
	if (!f->buf) {
		doallocbuf(f);
		setp_empty(f);
		setg(f, 0, 0, 0);
	}
	if (whence == SEEK_END) {
		struct stat st;

		if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode))
			return seek_dumb(f, off, whence);
		off += (int64_t)st.st_size;
	}
	/* Inside the buffer: move the read pointer, and resync the descriptor anyway. */
	if (f->offset >= 0) {
		int64_t start = f->offset - (int64_t)f->rend;

		if (off >= start && off < f->offset) {
			setg(f, 0, (size_t)(off - start), f->rend);
			setp_empty(f);
			f->flags &= ~(unsigned)LIBC_FILE_EOF;
			sysseek(f, f->offset, SEEK_SET);
			return off;
		}
	}
	if (f->flags & LIBC_FILE_NO_READS)
		return seek_dumb(f, off, SEEK_SET);
	/* To the block boundary below, and a buffer (or the bytes up to off) read from there. */
	new_offset = off & ~((int64_t)f->size - 1);
	delta = off - new_offset;
	if (delta > (int64_t)f->size) {
		new_offset = off;
		delta = 0;
	}
	result = sysseek(f, new_offset, SEEK_SET);
	if (result < 0)
		return -1;
	count = 0;
	if (delta) {
		count = sysread(f, f->buf, must_be_exact ? (size_t)delta : f->size);
		if (count < delta)
			return seek_dumb(f, count < 0 ? delta : delta - count, SEEK_CUR);
	}
	setg(f, 0, (size_t)delta, (size_t)count);
	setp_empty(f);
	f->offset = result + count;
	f->flags &= ~(unsigned)LIBC_FILE_EOF;
	return off;
}

int libc_file_open(struct libc_file *f, const char *path, const char *mode)
{
	int flags;

	memset(f, 0, sizeof(*f));
	f->offset = -1;
	if (!strcmp(mode, "r")) {
		flags = O_RDONLY;
		f->flags = LIBC_FILE_NO_WRITES;
	} else if (!strcmp(mode, "w")) {
		flags = O_WRONLY | O_CREAT | O_TRUNC;
		f->flags = LIBC_FILE_NO_READS;
	} else if (!strcmp(mode, "r+")) {
		flags = O_RDWR;
	} else if (!strcmp(mode, "w+")) {
		flags = O_RDWR | O_CREAT | O_TRUNC;
	} else {
		return -EINVAL;
	}
	do {
		f->fd = open(path, flags, 0666);
	} while (f->fd < 0 && errno == EINTR);
	return f->fd < 0 ? -errno : 0;
}

int libc_file_read(struct libc_file *f, void *p, size_t n)
{
	if (n && xsgetn(f, p, n) != n)
		return f->err ? f->err : -EIO;
	return f->err;
}

int libc_file_write(struct libc_file *f, const void *p, size_t n)
{
	if (n && xsputn(f, p, n) != n)
		return f->err ? f->err : -EIO;
	return f->err;
}

int libc_file_seek(struct libc_file *f, int64_t off, int whence)
{
	if (whence != SEEK_SET && whence != SEEK_END)
		return -EINVAL;
	if (seekoff(f, off, whence) < 0)
		return f->err ? f->err : -EINVAL;
	return f->err;
}

void libc_file_rewind(struct libc_file *f)
{
	seekoff(f, 0, SEEK_SET);
	f->flags &= ~(unsigned)(LIBC_FILE_ERR | LIBC_FILE_EOF);
}

int libc_file_close(struct libc_file *f)
{
	int ret = f->err;

	if (f->fd < 0)
		return ret;
	if (!(f->flags & LIBC_FILE_NO_WRITES) && (f->flags & LIBC_FILE_PUTTING))
		do_write(f, f->buf + f->wbase, f->wptr - f->wbase);
	if (!ret)
		ret = f->err;
	if (close(f->fd) < 0 && !ret)
		ret = -errno;
	f->fd = -1;
	free(f->buf);
	f->buf = NULL;
	return ret;
}
