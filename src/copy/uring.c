/* SPDX-License-Identifier: MIT */
/*
 * uring.c - io_uring: one ring per thread, several files open at once per ring, reads
 * and writes pipelined over --qd buffers of --bs bytes; O_DIRECT with --direct.
 *
 * The shape is liburing's examples/io_uring-cp.c, widened from one file to --inflight files: every
 * request owns one buffer, so the ring never holds more than --qd reads and writes. A read's
 * completion queues the write of the same buffer at once; the freed buffers of finished writes
 * go to new reads, taken round robin from the open files, so reads of later blocks (and of other
 * files) run while earlier writes are still in the ring. A file whose last write has completed
 * is closed and reported, and the next file from the pool takes its place.
 *
 * --direct opens both sides with O_DIRECT and never falls back: a filesystem that refuses it
 * (tmpfs before Linux 6.6) fails the run with "cannot open with O_DIRECT '<file>'", since a
 * quiet switch to buffered I/O would measure something else under the same name. The last
 * partial block is written padded to the alignment and the file then cut to the source's size
 * with ftruncate() (ext4, xfs and tmpfs all take this); a copy that fails keeps what it wrote.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "copy/strategy.h"
#include "lib/opt.h"
#include "lib/util.h"

/* uring's options (job->eo). */
struct uring_opts {
	long qd;
	long inflight;
	bool direct;
};

/*
 * The default --qd, measured as below with --direct at 1/2/4 threads: --qd 8 850/825/833 MB/s,
 * 32 770/982/1027, 128 930/1199/1109 - 8 starves 2 and more threads, 128 is within this disk's
 * noise of 32 and pins four times the memory (qd * bs per thread).
 */
static const struct opt_def uring_options[] = {
	OPT_LONG_("qd", 0, struct uring_opts, qd, "32", "N", 1, 4096,
		  "io_uring queue depth per thread"),
	OPT_LONG_("inflight", 0, struct uring_opts, inflight, "4", "N", 1, 1024,
		  "files open at once per io_uring thread"),
	OPT_BOOL_("direct", 0, struct uring_opts, direct,
		  "O_DIRECT on both sides where the strategy supports it (uring)"),
	OPT_END
};

#ifdef HAVE_LIBURING
#include <liburing.h>

#define URING_DEFAULT_BS (1024 * 1024)
/* One registered buffer may not exceed 1 GiB, and a read's length is 32 bits wide. */
#define URING_MAX_BS (1024 * 1024 * 1024)
/*
 * O_DIRECT offsets, lengths and buffers are aligned to 4096 bytes: a multiple of every logical
 * block size in common use (512, 4096) and of the page size. glibc's struct statx does not carry
 * STATX_DIOALIGN yet; a device with larger blocks refuses with EINVAL, reported "with O_DIRECT".
 */
#define URING_DIO_ALIGN 4096
#define URING_BUF_ALIGN 4096

/*
 * Opens and closes through the ring (IORING_OP_OPENAT, IORING_OP_CLOSE) where the kernel has
 * them, instead of open()/close() by the thread itself. Measured (Linux 6.18, ext4 on a virtio
 * disk, caches dropped, medians of 5 interleaved runs, MB/s until durable), ring vs thread:
 * 2.1 GiB of 53 stacks with --direct, 1/2/4 threads: 770/982/1027 vs 798/1040/990; 513 MiB of
 * 600 stacks of ~1 MB, 1/4 threads: 770/794 vs 806/803 buffered, 657/812 vs 644/817 direct.
 * No difference beyond this disk's noise (+-30 %). The ring stays the default for sources on
 * network storage, where an open is a round trip: a thread blocked in open() reaps nothing, so
 * the writes of the reads that completed meanwhile wait, while an open in the ring does not
 * stall the others. Build with -DURING_RING_OPENS=0 to measure the other way.
 */
#ifndef URING_RING_OPENS
#define URING_RING_OPENS 1
#endif

enum uring_counter {
	URING_C_READS,		/* read requests completed */
	URING_C_WRITES,		/* write requests completed */
	URING_C_SHORT_IO,	/* short reads and writes queued again for the rest */
	URING_C_REQUEUED,	/* requests that got -EAGAIN or -EINTR and were queued again */
	URING_C_FIXED_BUFFERS,	/* threads whose buffers are registered (read_fixed/write_fixed) */
	URING_C_RING_OPENS,	/* threads that open and close files through the ring */
	URING_C_DIRECT_TAILS,	/* O_DIRECT: files whose padded last block was cut by ftruncate */
};

static const char *const uring_counter_names[] = {
	"reads", "writes", "short_io", "requeued", "fixed_buffers", "ring_open_close",
	"direct_tails", NULL,
};

enum uring_op { URING_READ, URING_WRITE, URING_OPEN, URING_CLOSE };
enum uring_side { URING_SRC, URING_DST };

struct uring_file;

/* One request in the ring: a block being read or written, or the open or close of one side. */
struct uring_req {
	struct uring_file *file;
	enum uring_op op;
	enum uring_side side;	/* open, close */
	char *buf;		/* read, write: this request's buffer of bs bytes ... */
	unsigned buf_index;	/* ... and its index among the registered buffers */
	uint64_t off;		/* file offset of the block */
	size_t len;		/* bytes of data in the block */
	size_t io_len;		/* bytes to transfer: len, or with O_DIRECT rounded up to 4096 */
	size_t done;		/* bytes of io_len transferred so far */
	struct uring_req *next_free;
};

enum uring_file_state { URING_FREE, URING_OPENING, URING_COPYING, URING_CLOSING };

/* One of the --inflight files a ring has open. */
struct uring_file {
	enum uring_file_state state;
	const struct copy_file *f;
	char *path[2];		/* source and destination, path_cap bytes each */
	int fd[2];
	struct uring_req ctl[2];	/* the open, then the close, of each side */
	uint64_t size;		/* the source's size by fstat() after the open */
	uint64_t end;		/* where the source's data ends: size, unless it shrank meanwhile */
	uint64_t next;		/* offset of the next block to read */
	uint64_t written;	/* bytes of data whose writes have completed */
	unsigned pending;	/* requests of this file in the ring */
	uint64_t t0;
	int err;		/* first error of this file, -errno: it is not reported done */
	const char *err_path;
	const char *err_what;
};


struct uring_thread {
	struct io_uring ring;
	bool have_ring;
	size_t bs;
	unsigned qd;
	unsigned nfiles;
	bool direct;
	bool fixed;		/* the buffers are registered */
	bool ring_opens;
	const char *bad_job;	/* the options cannot work: the first file fails with this */
	char *bufs;		/* qd * bs bytes */
	struct uring_req *reqs;	/* qd read/write requests, one per buffer */
	struct uring_req *free_reqs;
	struct uring_file *files;
	unsigned active;	/* files not URING_FREE */
	unsigned outstanding;	/* requests in the ring (queued or submitted, not yet reaped) */
	unsigned rr;		/* the file the next read is taken from first */
	bool no_more;		/* copy_worker_next() returned NULL */
	int err;		/* first error in this ring: take no more files, read no more */
	struct copy_worker *w;
};

static size_t round_up(size_t n, size_t align)
{
	return (n + align - 1) / align * align;
}

/* The kernel's reason for io_uring_disabled: 0 allowed, 1 privileged or group only, 2 nobody. */
static long io_uring_disabled_sysctl(void)
{
	char *text = NULL;
	size_t len;
	long v = -1;

	if (read_text_file("/proc/sys/kernel/io_uring_disabled", &text, &len) == 0) {
		text[strcspn(text, "\n")] = '\0';
		if (parse_long(text, 0, 2, &v))
			v = -1;
	}
	free(text);
	return v;
}

/* What the copy cannot do without; opens and closes through the ring are optional. */
static const struct {
	int op;
	const char *name;
	const char *since;
} uring_required[] = {
	{ IORING_OP_READ, "IORING_OP_READ", "5.6" },
	{ IORING_OP_WRITE, "IORING_OP_WRITE", "5.6" },
	{ IORING_OP_READ_FIXED, "IORING_OP_READ_FIXED", "5.1" },
	{ IORING_OP_WRITE_FIXED, "IORING_OP_WRITE_FIXED", "5.1" },
};

/*
 * Whether this process may use io_uring at all: the sysctl first (so the reason names it), then
 * a real ring, since seccomp filters (container runtimes) refuse io_uring_setup() as well.
 */
static int uring_probe(const struct dataset *ds, const char *dst_dir, const void *eo, char *why,
		       size_t len)
{
	long disabled = io_uring_disabled_sysctl();
	struct io_uring ring;
	struct io_uring_probe *p;
	int ret;

	if (disabled == 2) {
		snprintf(why, len, "io_uring is disabled (kernel.io_uring_disabled=2)");
		return -EPERM;
	}
	ret = io_uring_queue_init(4, &ring, 0);
	if (ret < 0) {
		if (ret == -EPERM && disabled == 1)
			snprintf(why, len, "io_uring is disabled for this process "
				 "(kernel.io_uring_disabled=1 allows only CAP_SYS_ADMIN and "
				 "members of kernel.io_uring_group)");
		else if (ret == -ENOSYS)
			snprintf(why, len, "this kernel has no io_uring (io_uring_setup: %s)",
				 strerror(-ret));
		else if (ret == -EPERM)
			snprintf(why, len, "io_uring_setup is refused: %s (a seccomp filter or "
				 "security module)", strerror(-ret));
		else
			snprintf(why, len, "cannot set up an io_uring: %s", strerror(-ret));
		return ret;
	}
	p = io_uring_get_probe_ring(&ring);
	if (!p) {
		io_uring_queue_exit(&ring);
		snprintf(why, len,
			 "this kernel's io_uring cannot be probed (Linux 5.6 or later needed)");
		return -EOPNOTSUPP;
	}
	ret = 0;
	for (size_t i = 0; i < sizeof(uring_required) / sizeof(uring_required[0]); i++) {
		if (!io_uring_opcode_supported(p, uring_required[i].op)) {
			snprintf(why, len,
				 "this kernel's io_uring lacks %s (Linux %s or later needed)",
				 uring_required[i].name, uring_required[i].since);
			ret = -EOPNOTSUPP;
			break;
		}
	}
	io_uring_free_probe(p);
	io_uring_queue_exit(&ring);
	return ret;
}

static void uring_thread_free(struct uring_thread *t)
{
	/* The ring goes first: it unregisters the buffers before they are freed. */
	if (t->have_ring)
		io_uring_queue_exit(&t->ring);
	if (t->files) {
		for (unsigned i = 0; i < t->nfiles; i++) {
			free(t->files[i].path[URING_SRC]);
			free(t->files[i].path[URING_DST]);
		}
	}
	free(t->files);
	free(t->reqs);
	free(t->bufs);
	free(t);
}

static int uring_thread_init(struct copy_worker *w)
{
	const struct uring_opts *o = copy_worker_opts(w);
	struct uring_thread *t;
	struct io_uring_probe *probe;
	struct iovec *iov;
	unsigned entries;
	int ret;

	if (!o)
		return -EINVAL;
	t = xcalloc(1, sizeof(*t));
	t->w = w;
	t->bs = copy_worker_bs(w, URING_DEFAULT_BS);
	t->qd = (unsigned)o->qd;
	t->nfiles = (unsigned)o->inflight;
	t->direct = o->direct;
	w->priv = t;

	/* Options that cannot work fail the first file, so that the message can name them. */
	if (t->bs > URING_MAX_BS)
		t->bad_job = "read in blocks larger than 1 GiB (--bs) from";
	else if (t->direct && t->bs % URING_DIO_ALIGN)
		t->bad_job = "use O_DIRECT with a --bs that is not a multiple of 4096 bytes on";
	if (t->bad_job)
		return 0;

	/*
	 * Room in the submission queue for every request that can be outstanding at once: qd reads
	 * and writes plus an open or close of both sides of every file, so that io_uring_get_sqe()
	 * never finds the queue full. The completion queue is twice that (the kernel's default).
	 */
	entries = t->qd + 2 * t->nfiles;
	ret = io_uring_queue_init(entries, &t->ring, 0);
	if (ret < 0)
		goto fail;
	t->have_ring = true;

	probe = io_uring_get_probe_ring(&t->ring);
	t->ring_opens = URING_RING_OPENS && probe &&
			io_uring_opcode_supported(probe, IORING_OP_OPENAT) &&
			io_uring_opcode_supported(probe, IORING_OP_CLOSE);
	if (probe)
		io_uring_free_probe(probe);
	w->counters[URING_C_RING_OPENS] = t->ring_opens;

	ret = posix_memalign((void **)&t->bufs, URING_BUF_ALIGN, (size_t)t->qd * t->bs);
	if (ret) {
		t->bufs = NULL;
		ret = -ret;
		goto fail;
	}
	t->reqs = xcalloc(t->qd, sizeof(*t->reqs));
	iov = xcalloc(t->qd, sizeof(*iov));
	for (unsigned i = t->qd; i-- > 0;) {
		struct uring_req *req = &t->reqs[i];

		req->buf = t->bufs + (size_t)i * t->bs;
		req->buf_index = i;
		req->next_free = t->free_reqs;
		t->free_reqs = req;
		iov[i].iov_base = req->buf;
		iov[i].iov_len = t->bs;
	}
	/*
	 * Registered buffers spare the kernel pinning and mapping every request's pages (it matters
	 * most with O_DIRECT). Registration pins qd * bs bytes and may be refused (RLIMIT_MEMLOCK
	 * for unprivileged users on older kernels): then plain read/write, and the counter says so.
	 */
	t->fixed = io_uring_register_buffers(&t->ring, iov, t->qd) == 0;
	/*
	 * Files are not registered: a direct descriptor (openat_direct) cannot be fstat()ed or
	 * ftruncate()d by the thread, and with requests of --bs (1 MiB) the fget()/fput() a
	 * registered file saves per request is lost in the noise.
	 */
	free(iov);
	w->counters[URING_C_FIXED_BUFFERS] = t->fixed;

	t->files = xcalloc(t->nfiles, sizeof(*t->files));
	for (unsigned i = 0; i < t->nfiles; i++) {
		struct uring_file *uf = &t->files[i];

		uf->path[URING_SRC] = xmalloc(w->path_cap);
		uf->path[URING_DST] = xmalloc(w->path_cap);
		uf->fd[URING_SRC] = -1;
		uf->fd[URING_DST] = -1;
		for (int s = URING_SRC; s <= URING_DST; s++) {
			uf->ctl[s].file = uf;
			uf->ctl[s].side = (enum uring_side)s;
		}
	}
	return 0;
fail:
	uring_thread_free(t);
	w->priv = NULL;
	return ret;
}

static void uring_thread_exit(struct copy_worker *w)
{
	if (w->priv)
		uring_thread_free(w->priv);
	w->priv = NULL;
}

static const char *uring_what(const struct uring_thread *t, enum uring_op op, int err)
{
	/* With O_DIRECT, EINVAL almost always means the filesystem or the alignment refuses it. */
	bool dio = t->direct && err == -EINVAL;

	switch (op) {
	case URING_READ:
		return dio ? "read with O_DIRECT" : "read";
	case URING_WRITE:
		return dio ? "write with O_DIRECT" : "write";
	case URING_OPEN:
		return dio ? "open with O_DIRECT" : "open";
	case URING_CLOSE:
		return "close";
	}
	return "copy";
}

/* Record the file's first error; the ring takes no more files and starts no more reads. */
static void uring_fail(struct uring_thread *t, struct uring_file *uf, enum uring_side side,
		       const char *what, int err)
{
	if (!uf->err) {
		uf->err = err;
		uf->err_path = uf->path[side];
		uf->err_what = what;
	}
	if (!t->err)
		t->err = err;
}

/* Queue req for the kernel, or again for what is left of it (short I/O, -EAGAIN). */
static int uring_push(struct uring_thread *t, struct uring_req *req)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&t->ring);
	struct uring_file *uf = req->file;

	if (!sqe) {
		/* Cannot happen with the ring sized as in thread_init; submit and try once more. */
		io_uring_submit(&t->ring);
		sqe = io_uring_get_sqe(&t->ring);
		if (!sqe)
			return -EBUSY;
	}
	switch (req->op) {
	case URING_READ:
	case URING_WRITE: {
		int fd = uf->fd[req->op == URING_READ ? URING_SRC : URING_DST];
		char *buf = req->buf + req->done;
		unsigned n = (unsigned)(req->io_len - req->done);
		uint64_t off = req->off + req->done;

		if (req->op == URING_READ && t->fixed)
			io_uring_prep_read_fixed(sqe, fd, buf, n, off, (int)req->buf_index);
		else if (req->op == URING_READ)
			io_uring_prep_read(sqe, fd, buf, n, off);
		else if (t->fixed)
			io_uring_prep_write_fixed(sqe, fd, buf, n, off, (int)req->buf_index);
		else
			io_uring_prep_write(sqe, fd, buf, n, off);
		break;
	}
	case URING_OPEN:
		if (req->side == URING_SRC)
			io_uring_prep_openat(sqe, AT_FDCWD, uf->path[URING_SRC],
					     O_RDONLY | O_CLOEXEC | (t->direct ? O_DIRECT : 0), 0);
		else
			io_uring_prep_openat(sqe, AT_FDCWD, uf->path[URING_DST],
					     O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
						     (t->direct ? O_DIRECT : 0),
					     0666);
		/* The destination is created only once the source has opened: a link. */
		if (req->side == URING_SRC)
			sqe->flags |= IOSQE_IO_LINK;
		break;
	case URING_CLOSE:
		io_uring_prep_close(sqe, uf->fd[req->side]);
		break;
	}
	io_uring_sqe_set_data(sqe, req);
	t->outstanding++;
	return 0;
}

static void uring_release_req(struct uring_thread *t, struct uring_req *req)
{
	req->file->pending--;
	req->file = NULL;
	req->next_free = t->free_reqs;
	t->free_reqs = req;
}

static void uring_start_file(struct uring_thread *t, struct uring_file *uf,
			     const struct copy_file *f)
{
	const int dflag = t->direct ? O_DIRECT : 0;

	copy_worker_paths(t->w, f, uf->path[URING_SRC], uf->path[URING_DST]);
	uf->f = f;
	uf->state = URING_OPENING;
	uf->size = 0;
	uf->end = 0;
	uf->next = 0;
	uf->written = 0;
	uf->pending = 0;
	uf->err = 0;
	uf->err_path = NULL;
	uf->err_what = NULL;
	uf->fd[URING_SRC] = -1;
	uf->fd[URING_DST] = -1;
	uf->t0 = now_mono_ns();
	t->active++;

	if (t->ring_opens) {
		/* The two opens are linked: both must go into the same submission. */
		if (io_uring_sq_space_left(&t->ring) < 2)
			io_uring_submit(&t->ring);
		for (int s = URING_SRC; s <= URING_DST; s++) {
			int ret;

			uf->ctl[s].op = URING_OPEN;
			ret = uring_push(t, &uf->ctl[s]);
			if (ret) {
				uring_fail(t, uf, (enum uring_side)s, "queue the open of", ret);
				break;
			}
			uf->pending++;
		}
		return;
	}
	do {
		uf->fd[URING_SRC] = open(uf->path[URING_SRC], O_RDONLY | O_CLOEXEC | dflag);
	} while (uf->fd[URING_SRC] < 0 && errno == EINTR);
	if (uf->fd[URING_SRC] < 0) {
		uring_fail(t, uf, URING_SRC, uring_what(t, URING_OPEN, -errno), -errno);
		return;
	}
	do {
		uf->fd[URING_DST] = open(uf->path[URING_DST],
					 O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | dflag, 0666);
	} while (uf->fd[URING_DST] < 0 && errno == EINTR);
	if (uf->fd[URING_DST] < 0)
		uring_fail(t, uf, URING_DST, uring_what(t, URING_OPEN, -errno), -errno);
}

/* Both sides are open: the size decides how many blocks there are. */
static void uring_opened(struct uring_thread *t, struct uring_file *uf)
{
	struct stat st;

	if (fstat(uf->fd[URING_SRC], &st) < 0) {
		uring_fail(t, uf, URING_SRC, "stat", -errno);
		return;
	}
	uf->size = (uint64_t)st.st_size;
	uf->end = uf->size;
	uf->state = URING_COPYING;
}

/* Every block read and written (when the source shrank meanwhile, up to where it ended). */
static bool uring_complete(const struct uring_file *uf)
{
	return !uf->err && uf->next >= uf->end && uf->written >= uf->end;
}

static void uring_close_file(struct uring_thread *t, struct uring_file *uf)
{
	const bool complete = uring_complete(uf);

	/*
	 * O_DIRECT wrote the last block padded to the alignment: cut the file back to the source's
	 * size. Only a complete copy is cut: one that failed keeps what was written.
	 */
	if (complete && t->direct && uf->end % URING_DIO_ALIGN && uf->fd[URING_DST] >= 0) {
		int ret;

		do {
			ret = ftruncate(uf->fd[URING_DST], (off_t)uf->end);
		} while (ret < 0 && errno == EINTR);
		if (ret < 0)
			uring_fail(t, uf, URING_DST, "truncate", -errno);
		else
			t->w->counters[URING_C_DIRECT_TAILS]++;
	}
	uf->state = URING_CLOSING;
	for (int s = URING_DST; s >= URING_SRC; s--) {
		int fd = uf->fd[s];

		if (fd < 0)
			continue;
		if (t->ring_opens) {
			uf->ctl[s].op = URING_CLOSE;
			if (uring_push(t, &uf->ctl[s]) == 0) {
				uf->pending++;
				uf->fd[s] = -1;
				continue;
			}
		}
		uf->fd[s] = -1;
		/* The destination's close() can report a delayed write error (NFS): it counts. */
		if (close(fd) < 0 && !uf->err)
			uring_fail(t, uf, (enum uring_side)s, "close", -errno);
	}
}

/* Closed: report the file done, or failed, or (abandoned after another file's error) nothing. */
static void uring_retire(struct uring_thread *t, struct uring_file *uf)
{
	struct copy_worker *w = t->w;

	if (uf->err) {
		w->err_path = uf->err_path;
		w->err_what = uf->err_what;
		copy_worker_done(w, uf->f, 0, uf->err);
	} else if (uring_complete(uf)) {
		copy_worker_done(w, uf->f, now_mono_ns() - uf->t0, 0);
	}
	uf->state = URING_FREE;
	uf->f = NULL;
	t->active--;
}

/* Move a file on once none of its requests is in the ring. */
static void uring_step(struct uring_thread *t, struct uring_file *uf)
{
	if (uf->pending)
		return;
	if (uf->state == URING_OPENING) {
		if (!uf->err)
			uring_opened(t, uf);
		if (uf->err)
			uring_close_file(t, uf);
	}
	if (uf->state == URING_COPYING && (uf->err || t->err || uf->next >= uf->end))
		uring_close_file(t, uf);
	if (uf->state == URING_CLOSING && !uf->pending)
		uring_retire(t, uf);
}

static bool uring_readable(const struct uring_thread *t, const struct uring_file *uf)
{
	return uf->state == URING_COPYING && !uf->err && uf->next < uf->end;
}

/* Every free buffer becomes a read of the next block of an open file, round robin. */
static void uring_queue_reads(struct uring_thread *t)
{
	while (t->free_reqs && !t->err) {
		struct uring_file *uf = NULL;
		struct uring_req *req;
		int ret;

		for (unsigned k = 0; k < t->nfiles; k++) {
			unsigned i = (t->rr + k) % t->nfiles;

			if (uring_readable(t, &t->files[i])) {
				uf = &t->files[i];
				t->rr = (i + 1) % t->nfiles;
				break;
			}
		}
		if (!uf)
			return;
		req = t->free_reqs;
		t->free_reqs = req->next_free;
		req->file = uf;
		req->op = URING_READ;
		req->off = uf->next;
		req->len = uf->end - uf->next < t->bs ? (size_t)(uf->end - uf->next) : t->bs;
		req->io_len = t->direct ? round_up(req->len, URING_DIO_ALIGN) : req->len;
		req->done = 0;
		uf->next += req->len;
		uf->pending++;
		ret = uring_push(t, req);
		if (ret) {
			uring_fail(t, uf, URING_SRC, "queue a read of", ret);
			uring_release_req(t, req);
		}
	}
}

static void uring_requeue(struct uring_thread *t, struct uring_req *req, enum uring_side side)
{
	int ret = uring_push(t, req);

	if (ret) {
		uring_fail(t, req->file, side, "queue a request for", ret);
		uring_release_req(t, req);
	}
}

static void uring_read_done(struct uring_thread *t, struct uring_req *req, int res)
{
	struct uring_file *uf = req->file;
	struct copy_worker *w = t->w;

	if (res == -EAGAIN || res == -EINTR) {
		w->counters[URING_C_REQUEUED]++;
		uring_requeue(t, req, URING_SRC);
		return;
	}
	if (res < 0) {
		uring_fail(t, uf, URING_SRC, uring_what(t, URING_READ, res), res);
		uring_release_req(t, req);
		return;
	}
	w->counters[URING_C_READS]++;
	req->done += (size_t)res;
	if (res == 0 ||
	    (t->direct && req->done < req->len && (req->off + req->done) % URING_DIO_ALIGN)) {
		/*
		 * End of file before the size fstat() gave: the source shrank since. Copy what
		 * there is, as cp would. (With O_DIRECT, a read ends short of an aligned offset
		 * only there.)
		 */
		if (req->off + req->done < uf->end)
			uf->end = req->off + req->done;
		req->len = req->done;
	} else if (req->done < req->len) {
		w->counters[URING_C_SHORT_IO]++;
		uring_requeue(t, req, URING_SRC);
		return;
	}
	if (req->len == 0 || uf->err || t->err) {
		uring_release_req(t, req);
		return;
	}
	/* The block is in the buffer: its write goes out now, the buffer's next read after it. */
	req->op = URING_WRITE;
	req->io_len = t->direct ? round_up(req->len, URING_DIO_ALIGN) : req->len;
	if (req->io_len > req->len)
		memset(req->buf + req->len, 0, req->io_len - req->len);
	req->done = 0;
	uring_requeue(t, req, URING_DST);
}

static void uring_write_done(struct uring_thread *t, struct uring_req *req, int res)
{
	struct uring_file *uf = req->file;
	struct copy_worker *w = t->w;

	if (res == -EAGAIN || res == -EINTR) {
		w->counters[URING_C_REQUEUED]++;
		uring_requeue(t, req, URING_DST);
		return;
	}
	if (res == 0)
		res = -EIO;	/* a write that makes no progress would be queued forever */
	if (res < 0) {
		uring_fail(t, uf, URING_DST, uring_what(t, URING_WRITE, res), res);
		uring_release_req(t, req);
		return;
	}
	w->counters[URING_C_WRITES]++;
	req->done += (size_t)res;
	if (req->done < req->io_len && !uf->err && !t->err) {
		/* The rest as it is: with O_DIRECT an unaligned rest makes the kernel say why. */
		w->counters[URING_C_SHORT_IO]++;
		uring_requeue(t, req, URING_DST);
		return;
	}
	if (req->done >= req->io_len)
		uf->written += req->len;
	uring_release_req(t, req);
}

static void uring_ctl_done(struct uring_thread *t, struct uring_req *req, int res)
{
	struct uring_file *uf = req->file;

	uf->pending--;
	if (req->op == URING_OPEN) {
		if (res >= 0)
			uf->fd[req->side] = res;
		else if (res != -ECANCELED || req->side == URING_SRC)
			uring_fail(t, uf, req->side, uring_what(t, URING_OPEN, res), res);
		/* -ECANCELED: the destination's open was linked to a source that failed to open. */
		return;
	}
	if (res < 0 && !uf->err)
		uring_fail(t, uf, req->side, "close", res);
}

static void uring_reap(struct uring_thread *t)
{
	struct io_uring_cqe *cqe;
	unsigned head;
	unsigned n = 0;

	io_uring_for_each_cqe(&t->ring, head, cqe) {
		struct uring_req *req = io_uring_cqe_get_data(cqe);

		n++;
		t->outstanding--;
		switch (req->op) {
		case URING_READ:
			uring_read_done(t, req, cqe->res);
			break;
		case URING_WRITE:
			uring_write_done(t, req, cqe->res);
			break;
		case URING_OPEN:
		case URING_CLOSE:
			uring_ctl_done(t, req, cqe->res);
			break;
		}
	}
	io_uring_cq_advance(&t->ring, n);
}

/* Fill the free file slots from the pool. Returns how many files were started. */
static unsigned uring_take_files(struct uring_thread *t)
{
	unsigned started = 0;

	for (unsigned i = 0; i < t->nfiles && !t->err && !t->no_more; i++) {
		const struct copy_file *f;

		if (t->files[i].state != URING_FREE)
			continue;
		f = copy_worker_next(t->w);
		if (!f) {
			t->no_more = true;
			break;
		}
		uring_start_file(t, &t->files[i], f);
		started++;
	}
	return started;
}

static void uring_step_all(struct uring_thread *t)
{
	for (unsigned i = 0; i < t->nfiles; i++) {
		if (t->files[i].state != URING_FREE)
			uring_step(t, &t->files[i]);
	}
}

/* The ring itself failed: nothing more can be reaped. Report the first open file. */
static int uring_ring_failed(struct uring_thread *t, int err)
{
	struct copy_worker *w = t->w;

	for (unsigned i = 0; i < t->nfiles; i++) {
		struct uring_file *uf = &t->files[i];

		if (uf->state == URING_FREE)
			continue;
		w->err_path = uf->path[URING_SRC];
		w->err_what = "submit to io_uring the copy of";
		copy_worker_done(w, uf->f, 0, err);
		break;
	}
	/* The buffers are freed only after io_uring_queue_exit(), in thread_exit. */
	return err;
}

static int uring_copy_many(struct copy_worker *w)
{
	struct uring_thread *t = w->priv;

	t->w = w;
	if (t->bad_job) {
		const struct copy_file *f = copy_worker_next(w);

		if (!f)
			return 0;
		copy_worker_paths(w, f, w->src, w->dst);
		copy_fail(w, w->src, t->bad_job, -EINVAL);
		copy_worker_done(w, f, 0, -EINVAL);
		return -EINVAL;
	}
	for (;;) {
		int ret;

		/*
		 * Files that finish without the ring (empty, or opened and closed by the thread)
		 * free their slot at once: keep taking until the slots are busy or the pool is dry.
		 */
		do
			uring_step_all(t);
		while (uring_take_files(t));
		uring_queue_reads(t);
		if (!t->outstanding) {
			if (!t->active)
				break;
			continue;	/* a file stopped by an error: uring_step() closes it */
		}
		ret = io_uring_submit_and_wait(&t->ring, 1);
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY)
			return uring_ring_failed(t, ret);
		uring_reap(t);
	}
	return t->err;
}

const struct copy_strategy strategy_uring = {
	.name = "uring",
	.options = uring_options,
	.option_struct_size = sizeof(struct uring_opts),
	.bs_default = "1M",
	.summary = "io_uring, one ring per thread: --inflight files open at once, up to --qd reads "
		   "and writes of --bs in flight, each read's write queued on its completion; "
		   "O_DIRECT with --direct",
	.probe = uring_probe,
	.thread_init = uring_thread_init,
	.copy_many = uring_copy_many,
	.thread_exit = uring_thread_exit,
	.counter_names = uring_counter_names,
};

#else /* !HAVE_LIBURING */

/* A build without liburing: the options are still known (a profile may set them), and the
 * strategy says why it cannot run. */
const struct copy_strategy strategy_uring = {
	.name = "uring",
	.options = uring_options,
	.option_struct_size = sizeof(struct uring_opts),
	.missing = "built without liburing (install liburing-dev and re-run configure)",
};

#endif
