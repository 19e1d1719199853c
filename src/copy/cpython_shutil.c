/* SPDX-License-Identifier: MIT */
/*
 * cpython_shutil.c - CPython's shutil.copyfile() on Linux, system call for system call: the
 * emulation the shutil, shutil314 and legacy strategies share (cpython_shutil.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "copy/cpython_shutil.h"
#include "copy/strategy.h"
#include "lib/util.h"

/*
 * The numbers below are CPython's, from Lib/shutil.py and Modules/_io of each version; the
 * comments name the Python identifier each one stands for.
 */
#define COPY_BUFSIZE_PY38	(64 * 1024)	/* shutil.COPY_BUFSIZE on Linux, 3.8-3.13 */
#define COPY_BUFSIZE_PY314	(256 * 1024)	/* ... and since 3.14 */
#define IO_DEFAULT_BUFFER_PY38	8192		/* io.DEFAULT_BUFFER_SIZE, 3.8-3.13 */
#define IO_DEFAULT_BUFFER_PY314	(128 * 1024)	/* ... and since 3.14 */
#define IO_MAX_BUFFER_PY314	(8192 * 1024)	/* 3.14's open() caps st_blksize at 8 MiB */
#define FASTCOPY_MIN_BLOCK	(UINT64_C(1) << 23)	/* max(st_size, 2 ** 23) */
#define FASTCOPY_NO_FSTAT_BLOCK	(UINT64_C(1) << 27)	/* 2 ** 27 when fstat() fails */
#define FASTCOPY_32BIT_CAP	(UINT64_C(1) << 30)	/* min(blocksize, 2 ** 30) if 32-bit */

/* _GiveupOnFastCopy: the fast copy wrote nothing, try the next way. Never returned outside. */
#define SHUTIL_GIVEUP 1

/*
 * shutil._USE_CP_SENDFILE: cleared for the rest of the process by the first ENOTSOCK, as in
 * CPython. One flag per variant, since a real process runs only one Python.
 */
static atomic_bool sendfile_disabled[SHUTIL_NR_VARIANTS];

/* What CPython's open(path, 'rb'/'wb') hands shutil: the fd and the size of the buffer on it. */
struct py_file {
	int fd;
	size_t buffer_size;
};

/*
 * CPython's BufferedReader, reduced to what read(n) does to the fd: copyfileobj() calls nothing
 * else. The model keeps CPython's rules (Modules/_io/bufferedio.c, _bufferedreader_read_generic)
 * so that the raw read() calls come out with the same sizes: reads larger than the buffer go
 * straight into the caller's bytes in whole multiples of the buffer size, and whatever is left
 * is read through the buffer.
 */
struct py_reader {
	int fd;
	char *buf;
	size_t size;
	size_t mask;		/* size - 1 when size is a power of two, else 0 (buffer_mask) */
	size_t pos;
	ssize_t read_end;	/* -1 when the buffer holds nothing valid */
};

/*
 * CPython's BufferedWriter for write(b): data that fits is buffered, otherwise the buffer is
 * flushed and b goes to write(2) directly while more than a buffer of it is left; the rest waits
 * for the next write or for close(). Since 3.13 a write of a whole buffer or more is never
 * buffered: the limits become "less than a buffer" and "a buffer or more".
 */
struct py_writer {
	int fd;
	char *buf;
	size_t size;
	size_t start;		/* write_pos: first buffered byte not yet written */
	size_t fill;		/* write_end: bytes in the buffer */
	bool whole_buffers_direct;	/* the 3.13+ rule */
};

/* Make *buf at least want bytes; its old content is not kept. */
static char *grow(char **buf, size_t *len, size_t want)
{
	if (*len < want) {
		free(*buf);
		*buf = xmalloc(want);
		*len = want;
	}
	return *buf;
}

int shutil_thread_init(struct copy_worker *w, enum shutil_variant v)
{
	struct shutil_thread *t = xcalloc(1, sizeof(*t));

	t->chunk_len = v == SHUTIL_PY314 ? COPY_BUFSIZE_PY314 : COPY_BUFSIZE_PY38;
	t->chunk = xmalloc(t->chunk_len);
	w->priv = t;
	return 0;
}

void shutil_thread_exit(struct copy_worker *w)
{
	struct shutil_thread *t = w->priv;

	if (!t)
		return;
	free(t->chunk);
	free(t->rbuf);
	free(t->wbuf);
	free(t->scratch);
	free(t);
	w->priv = NULL;
}

/* FileIO.readinto(): one read(2), retried on EINTR like _Py_read(). */
static ssize_t raw_read(int fd, char *buf, size_t len)
{
	ssize_t n;

	do {
		n = read(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/* FileIO.write(): one write(2), retried on EINTR like _Py_write(). */
static ssize_t raw_write(int fd, const char *buf, size_t len)
{
	ssize_t n;

	do {
		n = write(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* CPython would call write() again forever; a benchmark reports it instead. */
	if (n == 0 && len > 0)
		return -EIO;
	return n;
}

/* MINUS_LAST_BLOCK(): the part of size that is a whole number of buffers. */
static size_t minus_last_block(const struct py_reader *r, size_t size)
{
	if (r->mask)
		return size & ~r->mask;
	return r->size * (size / r->size);
}

/* BufferedReader.read(n) into out; returns the bytes read (0 at EOF) or -errno. */
static ssize_t py_reader_read(struct py_reader *r, char *out, size_t n)
{
	size_t have = r->read_end >= 0 ? (size_t)r->read_end - r->pos : 0;
	size_t written = 0;
	size_t remaining = n;

	if (n <= have) {
		memcpy(out, r->buf + r->pos, n);
		r->pos += n;
		return (ssize_t)n;
	}
	if (have) {
		memcpy(out, r->buf + r->pos, have);
		remaining -= have;
		written += have;
		r->pos += have;
	}
	r->read_end = -1;
	while (remaining > 0) {
		size_t want = minus_last_block(r, remaining);
		ssize_t got;

		if (!want)
			break;
		got = raw_read(r->fd, out + written, want);
		if (got < 0)
			return got;
		if (got == 0)
			return (ssize_t)written;
		remaining -= (size_t)got;
		written += (size_t)got;
	}
	r->pos = 0;
	r->read_end = 0;
	while (remaining > 0 && (size_t)r->read_end < r->size) {
		ssize_t got = raw_read(r->fd, r->buf + r->read_end, r->size - (size_t)r->read_end);
		size_t take;

		if (got < 0)
			return got;
		if (got == 0)
			return (ssize_t)written;
		r->read_end += got;
		take = remaining < (size_t)got ? remaining : (size_t)got;
		memcpy(out + written, r->buf + r->pos, take);
		written += take;
		r->pos += take;
		remaining -= take;
	}
	return (ssize_t)written;
}

/* _bufferedwriter_flush_unlocked(): write out what is buffered. Returns 0 or -errno. */
static int py_writer_flush(struct py_writer *wr)
{
	while (wr->start < wr->fill) {
		ssize_t n = raw_write(wr->fd, wr->buf + wr->start, wr->fill - wr->start);

		if (n < 0)
			return (int)n;	/* the rest stays buffered, and close() tries again */
		wr->start += (size_t)n;
	}
	wr->start = 0;
	wr->fill = 0;
	return 0;
}

/* BufferedWriter.write(b). Returns 0 or -errno. */
static int py_writer_write(struct py_writer *wr, const char *data, size_t n)
{
	size_t written = 0;
	size_t remaining = n;
	int ret;

	if (n <= wr->size - wr->fill && (n < wr->size || !wr->whole_buffers_direct)) {
		memcpy(wr->buf + wr->fill, data, n);
		wr->fill += n;
		return 0;
	}
	ret = py_writer_flush(wr);
	if (ret)
		return ret;
	while (remaining > wr->size || (remaining == wr->size && wr->whole_buffers_direct)) {
		ssize_t k = raw_write(wr->fd, data + written, n - written);

		if (k < 0)
			return (int)k;
		written += (size_t)k;
		remaining -= (size_t)k;
	}
	memcpy(wr->buf, data + written, remaining);
	wr->fill = remaining;
	return 0;
}

/* The buffer size open() picks for a file from its fstat() (st is NULL if that failed). */
static size_t py_buffer_size(enum shutil_variant v, const struct stat *st)
{
	size_t def = v == SHUTIL_PY314 ? IO_DEFAULT_BUFFER_PY314 : IO_DEFAULT_BUFFER_PY38;
	size_t size = st && st->st_blksize > 1 ? (size_t)st->st_blksize : def;

	if (v == SHUTIL_PY314) {
		if (size > IO_MAX_BUFFER_PY314)
			size = IO_MAX_BUFFER_PY314;
		if (size < def)
			size = def;
	}
	return size;
}

/*
 * open(path, 'rb') or open(path, 'wb'): FileIO's open() and fstat(), io.open()'s isatty() and
 * the Buffered object's tell(). Returns 0 or -errno; on error nothing is left open.
 */
static int py_open(const char *path, int flags, enum shutil_variant v, struct py_file *f)
{
	struct stat st;
	bool have_st;
	int ret;
	int fd;

	do {
		fd = open(path, flags, 0666);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;

	/* FileIO refuses folders; it tolerates other fstat() errors but EBADF (bpo-25717). */
	have_st = fstat(fd, &st) == 0;
	if (!have_st && errno == EBADF) {
		ret = -EBADF;
		goto fail;
	}
	if (have_st && S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		goto fail;
	}

	/*
	 * isatty(), through the ioctl glibc's isatty() makes. Its answer is deliberately unused:
	 * a terminal only asks for line buffering, which binary mode ignores, so the call is all
	 * that CPython pays here. 3.14 skips it when fstat() shows no character device.
	 */
	if (v == SHUTIL_PY38 || !have_st || S_ISCHR(st.st_mode)) {
		struct termios tio;

		(void)ioctl(fd, TCGETS, &tio);
	}

	/* _buffered_init() asks raw.tell() and clears any error: the result is unused there too. */
	(void)lseek(fd, 0, SEEK_CUR);

	f->fd = fd;
	f->buffer_size = py_buffer_size(v, have_st ? &st : NULL);
	return 0;
fail:
	close(fd);	/* FileIO's error path; the first error is the one reported */
	return ret;
}

/* _determine_linux_fastcopy_blocksize(): how much one sendfile/copy_file_range asks for. */
static size_t fastcopy_blocksize(int infd)
{
	struct stat st;
	uint64_t bs = FASTCOPY_NO_FSTAT_BLOCK;

	if (fstat(infd, &st) == 0) {
		bs = (uint64_t)st.st_size;
		if (bs < FASTCOPY_MIN_BLOCK)
			bs = FASTCOPY_MIN_BLOCK;
	}
	/* bpo-38319: a 32-bit CPython would overflow a C long. */
	if (SSIZE_MAX < INT64_C(4294967296) && bs > FASTCOPY_32BIT_CAP)
		bs = FASTCOPY_32BIT_CAP;
	return (size_t)bs;
}

/*
 * A fast copy failed with err: CPython gives up (and copies another way) only when nothing was
 * copied yet, which it checks with the destination's file position.
 */
static int giveup_or_fail(struct copy_worker *w, int outfd, off_t offset, const char *what,
			  int err)
{
	if (offset == 0) {
		off_t pos = lseek(outfd, 0, SEEK_CUR);

		if (pos < 0)
			return copy_fail(w, w->dst, "lseek", -errno);
		if (pos == 0)
			return SHUTIL_GIVEUP;
	}
	return copy_fail(w, w->src, what, -err);
}

/* _fastcopy_sendfile(). Returns 0, SHUTIL_GIVEUP or -errno. */
static int fastcopy_sendfile(struct copy_worker *w, int infd, int outfd, enum shutil_variant v)
{
	size_t blocksize = fastcopy_blocksize(infd);
	off_t offset = 0;

	for (;;) {
		off_t off = offset;
		ssize_t sent;

		do {
			sent = sendfile(outfd, infd, &off, blocksize);
		} while (sent < 0 && errno == EINTR);
		if (sent < 0) {
			int err = errno;

			/* A kernel before 2.6.33 only sends to sockets: never try again. */
			if (err == ENOTSOCK) {
				atomic_store(&sendfile_disabled[v], true);
				return SHUTIL_GIVEUP;
			}
			if (err == ENOSPC)
				return copy_fail(w, w->dst, "sendfile", -err);
			return giveup_or_fail(w, outfd, offset, "sendfile", err);
		}
		/* The loop ends on a call that returns 0, which costs one more call per file. */
		if (sent == 0)
			return 0;
		offset += sent;
	}
}

/*
 * 3.14's _fastcopy_copy_file_range(): the source moves by its own file position (NULL offset),
 * the destination by an explicit one. Returns 0, SHUTIL_GIVEUP or -errno.
 */
static int fastcopy_copy_file_range(struct copy_worker *w, int infd, int outfd)
{
	size_t blocksize = fastcopy_blocksize(infd);
	off_t offset = 0;

	for (;;) {
		off_t off_out = offset;
		ssize_t n;

		do {
			n = copy_file_range(infd, NULL, outfd, &off_out, blocksize, 0);
		} while (n < 0 && errno == EINTR);
		if (n < 0) {
			int err = errno;

			if (err == ENOSPC)
				return copy_fail(w, w->dst, "copy_file_range", -err);
			return giveup_or_fail(w, outfd, offset, "copy_file_range", err);
		}
		if (n == 0) {
			/*
			 * 0 at once may be a procfs/sysfs file the kernel cannot copy this way
			 * (or an empty file): CPython then tries sendfile.
			 */
			if (offset == 0)
				return SHUTIL_GIVEUP;
			return 0;
		}
		offset += n;
	}
}

/* copyfileobj(fsrc, fdst) with COPY_BUFSIZE reads. Returns 0 or -errno. */
static int copyfileobj(struct copy_worker *w, struct py_reader *r, struct py_writer *wr)
{
	struct shutil_thread *t = w->priv;

	for (;;) {
		ssize_t got = py_reader_read(r, t->chunk, t->chunk_len);
		int ret;

		if (got < 0)
			return copy_fail(w, w->src, "read", (int)got);
		if (got == 0)
			return 0;
		ret = py_writer_write(wr, t->chunk, (size_t)got);
		if (ret)
			return copy_fail(w, w->dst, "write", ret);
	}
}

/* os.stat(fn) and S_ISFIFO: SpecialFileError. A failing stat is ignored, as CPython does. */
static int reject_fifo(struct copy_worker *w, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISFIFO(st.st_mode))
		return copy_fail(w, path, "copy a named pipe", -EINVAL);
	return 0;
}

int shutil_copyfile(struct copy_worker *w, enum shutil_variant v)
{
	struct shutil_thread *t = w->priv;
	struct py_file in = { .fd = -1 };
	struct py_file out = { .fd = -1 };
	struct py_writer wr;
	struct stat sst;
	struct stat dst_st;
	int ret;

	/* os.path.samefile(): dst is only stat()ed when src could be. */
	if (stat(w->src, &sst) == 0 && stat(w->dst, &dst_st) == 0 && sst.st_dev == dst_st.st_dev &&
	    sst.st_ino == dst_st.st_ino)
		return copy_fail(w, w->dst, "copy a file onto itself", -EINVAL);
	ret = reject_fifo(w, w->src);
	if (ret)
		return ret;
	ret = reject_fifo(w, w->dst);
	if (ret)
		return ret;

	ret = py_open(w->src, O_RDONLY | O_CLOEXEC, v, &in);
	if (ret)
		return copy_fail(w, w->src, "open", ret);
	ret = py_open(w->dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, v, &out);
	if (ret) {
		/* 3.9+ (bpo-43219): "dst/" whose folder is missing becomes FileNotFoundError. */
		if (ret == -EISDIR && stat(w->dst, &dst_st) < 0)
			ret = -ENOENT;
		copy_fail(w, w->dst, "open", ret);
		goto close_in;
	}

	ret = SHUTIL_GIVEUP;
	if (v == SHUTIL_PY314)
		ret = fastcopy_copy_file_range(w, in.fd, out.fd);
	if (ret == SHUTIL_GIVEUP && !atomic_load(&sendfile_disabled[v]))
		ret = fastcopy_sendfile(w, in.fd, out.fd, v);
	wr = (struct py_writer){ .fd = out.fd };
	if (ret == SHUTIL_GIVEUP) {
		struct py_reader r = {
			.fd = in.fd,
			.buf = grow(&t->rbuf, &t->rbuf_len, in.buffer_size),
			.size = in.buffer_size,
			.read_end = -1,
		};

		if (!(r.size & (r.size - 1)))
			r.mask = r.size - 1;
		wr.buf = grow(&t->wbuf, &t->wbuf_len, out.buffer_size);
		wr.size = out.buffer_size;
		wr.whole_buffers_direct = v == SHUTIL_PY314;
		ret = copyfileobj(w, &r, &wr);
	}

	/* The inner `with` ends first: BufferedWriter.close() flushes, then closes the fd. */
	if (wr.fill > wr.start) {
		int err = py_writer_flush(&wr);

		if (err && !ret)
			ret = copy_fail(w, w->dst, "write", err);
	}
	if (close(out.fd) < 0 && !ret)
		ret = copy_fail(w, w->dst, "close", -errno);
close_in:
	if (close(in.fd) < 0 && !ret)
		ret = copy_fail(w, w->src, "close", -errno);
	return ret;
}
