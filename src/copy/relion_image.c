/* SPDX-License-Identifier: MIT */
/*
 * relion_image.c - RELION's image reads and writes for its scratch copy, call for call (see
 * relion_image.h). The comments name the RELION 3.1.3 code each step follows.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "copy/relion_image.h"
#include "lib/util.h"

/* readData reads an image in pages of at most this (pagemax). */
#define RELION_PAGEMAX ((size_t)1 << 30)
/* readMRC swaps a header whose mode or nx is beyond this (SWAPTRIG). */
#define RELION_SWAPTRIG 65535
/* writeMRC's label: "Relion <version>   <date>"; ours says who wrote the stack. */
#define RELION_LABEL_PREFIX "Relion 3.1.3 (cryocache-bench)   "

/* Byte offsets in RELION's struct MRChead. */
enum {
	H_NX = 0, H_NY = 4, H_NZ = 8, H_MODE = 12, H_MX = 28, H_MY = 32, H_MZ = 36,
	H_A = 40, H_B = 44, H_C = 48, H_ALPHA = 52, H_BETA = 56, H_GAMMA = 60,
	H_MAPC = 64, H_MAPR = 68, H_MAPS = 72, H_AMIN = 76, H_AMAX = 80, H_AMEAN = 84,
	H_NSYMBT = 92, H_MAP = 208, H_MACHST = 212, H_ARMS = 216, H_NLABL = 220, H_LABELS = 224,
};

size_t relion_mode_bytes(int32_t mode)
{
	switch (mode) {
	case 0:
		return 1;
	case 1:
	case 6:
	case 12:
		return 2;
	case 2:
		return 4;
	default:
		return 0;
	}
}

static int32_t get_i32(const unsigned char *raw, size_t off)
{
	int32_t v;

	memcpy(&v, raw + off, sizeof(v));
	return v;
}

static float get_f32(const unsigned char *raw, size_t off)
{
	float v;

	memcpy(&v, raw + off, sizeof(v));
	return v;
}

static void put_i32(unsigned char *raw, size_t off, int32_t v)
{
	memcpy(raw + off, &v, sizeof(v));
}

static void put_f32(unsigned char *raw, size_t off, float v)
{
	memcpy(raw + off, &v, sizeof(v));
}

static void swap_bytes(unsigned char *p, size_t width)
{
	for (size_t i = 0; i < width / 2; i++) {
		unsigned char t = p[i];

		p[i] = p[width - 1 - i];
		p[width - 1 - i] = t;
	}
}

int relion_mrc_decode(const unsigned char raw[RELION_MRC_HEADER], struct relion_mrc *h, char *why,
		      size_t len)
{
	unsigned char b[RELION_MRC_HEADER];

	memcpy(b, raw, sizeof(b));
	memset(h, 0, sizeof(*h));
	/* The header is read in the machine's order; a mode or nx too large means the other. */
	if (labs((long)get_i32(b, H_MODE)) > RELION_SWAPTRIG ||
	    labs((long)get_i32(b, H_NX)) > RELION_SWAPTRIG) {
		h->swap = true;
		for (size_t i = 0; i < RELION_MRC_HEADER - 800; i += 4)
			swap_bytes(b + i, 4);
	}
	h->nx = get_i32(b, H_NX);
	h->ny = get_i32(b, H_NY);
	h->nz = get_i32(b, H_NZ);
	h->mode = get_i32(b, H_MODE);
	h->mx = get_i32(b, H_MX);
	h->my = get_i32(b, H_MY);
	h->mz = get_i32(b, H_MZ);
	h->a = get_f32(b, H_A);
	h->b = get_f32(b, H_B);
	h->c = get_f32(b, H_C);
	h->amin = get_f32(b, H_AMIN);
	h->amax = get_f32(b, H_AMAX);
	h->amean = get_f32(b, H_AMEAN);
	h->arms = get_f32(b, H_ARMS);
	h->nsymbt = get_i32(b, H_NSYMBT);
	if (h->mode == 3 || h->mode == 4)
		return reject_why(why, len, "readMRC: only real-space images may be read into RELION");
	if (!relion_mode_bytes(h->mode))
		return reject_why(why, len, "readMRC: unsupported MRC mode %d", (int)h->mode);
	if (h->nx <= 0 || h->ny <= 0 || h->nz < 0 || h->nsymbt < 0)
		return reject_why(why, len, "bad MRC header: size %d x %d x %d, extended header %d",
				  (int)h->nx, (int)h->ny, (int)h->nz, (int)h->nsymbt);
	return 0;
}

/* IEEE 754 binary16 to float: exact. */
static float half_to_float(uint16_t h)
{
	const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
	const int exp = (h >> 10) & 0x1f;
	const uint32_t mant = h & 0x3ffu;
	float v;
	uint32_t bits;

	if (exp == 0) {
		v = ldexpf((float)mant, -24);
		return sign ? -v : v;
	}
	if (exp == 31)
		bits = sign | 0x7f800000u | (mant << 13);
	else
		bits = sign | ((uint32_t)(exp - 15 + 127) << 23) | (mant << 13);
	memcpy(&v, &bits, sizeof(v));
	return v;
}

void relion_page_to_rfloat(const void *page, int32_t mode, bool swap, size_t n, double *out)
{
	const size_t width = relion_mode_bytes(mode);
	unsigned char *p = (unsigned char *)page;

	if (swap && width > 1)
		for (size_t i = 0; i < n; i++)
			swap_bytes(p + i * width, width);
	for (size_t i = 0; i < n; i++) {
		const unsigned char *q = p + i * width;

		switch (mode) {
		case 0:
			out[i] = (double)(signed char)q[0];
			break;
		case 1: {
			int16_t v;

			memcpy(&v, q, sizeof(v));
			out[i] = (double)v;
			break;
		}
		case 6: {
			uint16_t v;

			memcpy(&v, q, sizeof(v));
			out[i] = (double)v;
			break;
		}
		case 12: {
			uint16_t v;

			memcpy(&v, q, sizeof(v));
			out[i] = (double)half_to_float(v);
			break;
		}
		default: {
			float v;

			memcpy(&v, q, sizeof(v));
			out[i] = (double)v;
			break;
		}
		}
	}
}

void relion_rfloat_to_float(const double *in, size_t n, float *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (float)in[i];
}

/* SAFESET: only a finite value replaces the field. */
static void safeset(unsigned char *raw, size_t off, double v)
{
	if (isfinite(v))
		put_f32(raw, off, (float)v);
}

void relion_mrc_encode(const struct relion_mrc *src, int32_t nz, const char *label,
		       unsigned char out[RELION_MRC_HEADER])
{
	memset(out, 0, RELION_MRC_HEADER);
	memcpy(out + H_MAP, "MAP ", 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	out[H_MACHST] = 17;
	out[H_MACHST + 1] = 17;
#else
	out[H_MACHST] = 68;
	out[H_MACHST + 1] = 65;
#endif
	put_i32(out, H_NX, src->nx);
	put_i32(out, H_NY, src->ny);
	put_i32(out, H_NZ, nz);
	put_i32(out, H_MODE, 2);
	/* MX, MY and MZ are set from NX, NY and NZ before NZ becomes the stack's count. */
	put_i32(out, H_MX, src->nx);
	put_i32(out, H_MY, src->ny);
	put_i32(out, H_MZ, 1);
	put_i32(out, H_MAPC, 1);
	put_i32(out, H_MAPR, 2);
	put_i32(out, H_MAPS, 3);
	put_f32(out, H_ALPHA, 90.0f);
	put_f32(out, H_BETA, 90.0f);
	put_f32(out, H_GAMMA, 90.0f);
	put_f32(out, H_AMIN, src->amin);
	put_f32(out, H_AMAX, src->amax);
	put_f32(out, H_AMEAN, src->amean);
	put_f32(out, H_ARMS, src->arms);
	/* The sampling readMRC took from the source's cell, times this image's size. */
	if (src->mx && src->a != 0)
		safeset(out, H_A, (double)src->a / src->mx * src->nx);
	if (src->my && src->b != 0)
		safeset(out, H_B, (double)src->b / src->my * src->ny);
	if (src->mz && src->c != 0)
		safeset(out, H_C, (double)src->c / src->mz * 1);
	put_i32(out, H_NLABL, 1);
	strncpy((char *)out + H_LABELS, label, 80);
}

void relion_image_release(struct relion_image *img)
{
	free(img->data);
	free(img->page);
	free(img->out);
	memset(img, 0, sizeof(*img));
}

static int io_fail(struct relion_io *io, const char *path, const char *what, int err)
{
	io->err_path = path;
	io->err_what = what;
	return err;
}

static int io_reason(struct relion_io *io, const char *path, const char *what, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));
static int io_reason(struct relion_io *io, const char *path, const char *what, const char *fmt,
		     ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(io->reason, sizeof(io->reason), fmt, ap);
	va_end(ap);
	return io_fail(io, path, what, -EINVAL);
}

/* readMRC's header from where f stands; select < 0: the whole stack (no image check). */
static int read_mrc_header(struct libc_file *f, const char *path, long select,
			   struct relion_mrc *h, struct relion_io *io)
{
	unsigned char raw[RELION_MRC_HEADER];
	char why[256];
	int ret = libc_file_read(f, raw, sizeof(raw));

	if (ret == -EIO)
		return io_reason(io, path, "read", "rwMRC: error in reading header of image %s",
				 path);
	if (ret)
		return io_fail(io, path, f->err_call ? f->err_call : "read", ret);
	if (relion_mrc_decode(raw, h, why, sizeof(why)))
		return io_reason(io, path, "read", "%s: %s", path, why);
	if (select >= (long)h->nz)
		return io_reason(io, path, "read", "readMRC: Image number %ld exceeds stack size "
				 "%d of image %s", select + 1, (int)h->nz, path);
	return 0;
}

int relion_read_header(const char *path, long select, struct relion_mrc *h, struct relion_io *io)
{
	struct libc_file f;
	struct stat st;
	int ret;

	/* fImageHandler::openFile: exists(), then fopen(). */
	if (stat(path, &st) < 0)
		return io_reason(io, path, "stat", "Cannot read file %s It does not exist", path);
	ret = libc_file_open(&f, path, "r");
	if (ret)
		return io_fail(io, path, "open", ret);
	ret = read_mrc_header(&f, path, select, h, io);
	io->src_bytes_read += f.bytes_read;
	libc_file_close(&f);
	return ret;
}

static void *grow(void *p, size_t *cap, size_t want)
{
	if (*cap >= want)
		return p;
	free(p);
	*cap = want;
	return xmalloc(want);
}

int relion_read_image(struct libc_file *f, const char *path, long select,
		      struct relion_image *img, struct relion_io *io)
{
	const uint64_t before = f->bytes_read;
	struct relion_mrc *h = &img->h;
	size_t n, pagesize, done = 0;
	int ret = read_mrc_header(f, path, select, h, io);

	if (ret)
		goto out;
	n = (size_t)h->nx * (size_t)h->ny;
	pagesize = n * relion_mode_bytes(h->mode);
	if (img->cap < n) {
		free(img->data);
		free(img->out);
		img->data = xmalloc(n * sizeof(double));
		img->out = xmalloc(n * sizeof(float));
		img->cap = n;
	}
	img->page = grow(img->page, &img->page_cap,
			 pagesize < RELION_PAGEMAX ? pagesize : RELION_PAGEMAX);
	/* readData: to the image, then page by page. */
	ret = libc_file_seek(f, RELION_MRC_HEADER + (int64_t)h->nsymbt +
			     (int64_t)select * (int64_t)pagesize, SEEK_SET);
	if (ret) {
		io_fail(io, path, "lseek", ret);
		goto out;
	}
	while (done < pagesize) {
		size_t chunk = pagesize - done < RELION_PAGEMAX ? pagesize - done : RELION_PAGEMAX;
		size_t width = relion_mode_bytes(h->mode);

		ret = libc_file_read(f, img->page, chunk);
		if (ret == -EIO) {
			io_reason(io, path, "read", "image %ld of %s is cut short", select + 1, path);
			goto out;
		}
		if (ret) {
			io_fail(io, path, f->err_call ? f->err_call : "read", ret);
			goto out;
		}
		relion_page_to_rfloat(img->page, h->mode, h->swap, chunk / width,
				      img->data + done / width);
		done += chunk;
	}
	/* readFromOpenFile: "Reposition file pointer for a next read". */
	libc_file_rewind(f);
	if (f->err)
		ret = io_fail(io, path, f->err_call, f->err);
out:
	io->src_bytes_read += f->bytes_read - before;
	return ret;
}

/* writeMRC's label, through localtime() as RELION calls it (which checks the zone file). */
static void make_label(char *label, size_t len)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	const size_t pre = sizeof(RELION_LABEL_PREFIX) - 1;
	time_t now = time(NULL);
	struct tm *tm;

	memcpy(label, RELION_LABEL_PREFIX, pre + 1);
	pthread_mutex_lock(&lock);
	tm = localtime(&now);
	/* The two-digit year is RELION's. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-y2k"
	if (tm)
		strftime(label + pre, len - pre, "%d-%b-%y  %R:%S", tm);
#pragma GCC diagnostic pop
	pthread_mutex_unlock(&lock);
}

static void lock_file(int fd, short type, int cmd)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0,
			    .l_pid = getpid() };

	/* RELION does not look at the result (NFS without lockd refuses: it carries on). */
	(void)fcntl(fd, cmd, &fl);
}

/* _write's check of a stack to append to (auxI.read): its header, through its own fopen. */
static int check_stack(const char *path, const struct relion_mrc *h, int32_t *count,
		       struct relion_io *io)
{
	struct relion_mrc s;
	struct stat st;
	struct libc_file f;
	int ret;

	if (stat(path, &st) < 0)
		return io_reason(io, path, "stat", "Cannot read file %s It does not exist", path);
	ret = libc_file_open(&f, path, "r");
	if (ret)
		return io_fail(io, path, "open", ret);
	ret = read_mrc_header(&f, path, -1, &s, io);
	io->scratch_bytes_read += f.bytes_read;
	libc_file_close(&f);
	if (ret)
		return ret;
	if (s.nx != h->nx || s.ny != h->ny)
		return io_reason(io, path, "write", "write: target and source objects have "
				 "different size (%d x %d into a stack of %d x %d)", (int)h->nx,
				 (int)h->ny, (int)s.nx, (int)s.ny);
	if (s.nz < 1)
		return io_reason(io, path, "write", "write: output file is not an stack");
	*count = s.nz;
	return 0;
}

/* fclose() of a stack written to: what it flushed counts, and its failure when nothing else did. */
static int close_stack(struct libc_file *f, const char *path, int ret, struct relion_io *io)
{
	int cret = libc_file_close(f);

	io->scratch_bytes_written += f->bytes_written;
	io->scratch_bytes_read += f->bytes_read;
	if (!ret && cret)
		ret = io_fail(io, path, f->err_call ? f->err_call : "close", cret);
	return ret;
}

int relion_write_image(const char *path, bool append, struct relion_image *img,
		       struct relion_io *io)
{
	const size_t n = (size_t)img->h.nx * (size_t)img->h.ny;
	unsigned char header[RELION_MRC_HEADER];
	char label[80];
	struct libc_file f;
	struct stat st;
	int32_t count = 0;
	bool exists;
	int ret;

	/* fImageHandler::openFile: exists(), then "w" (overwrite) or "r+"/"w+" (append). */
	exists = stat(path, &st) == 0;
	ret = libc_file_open(&f, path, !append ? "w" : exists ? "r+" : "w+");
	if (ret)
		return io_fail(io, path, "open", ret);
	if (append && exists) {
		ret = check_stack(path, &img->h, &count, io);
		if (ret)
			goto out;
	}
	make_label(label, sizeof(label));
	relion_mrc_encode(&img->h, append && exists ? count + 1 : 1, label, header);
	lock_file(f.fd, F_WRLCK, F_SETLKW);
	libc_file_write(&f, header, sizeof(header));
	relion_rfloat_to_float(img->data, n, img->out);
	if (append)
		libc_file_seek(&f, 0, SEEK_END);
	libc_file_write(&f, img->out, n * sizeof(float));
	lock_file(f.fd, F_UNLCK, F_SETLK);
out:
	return close_stack(&f, path, ret, io);
}
