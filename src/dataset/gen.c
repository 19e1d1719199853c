/* SPDX-License-Identifier: MIT */
/* gen.c - write synthetic particle sets: seeded noise in valid MRC2014 stacks. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "dataset/gen.h"
#include "dataset/gen_int.h"
#include "dataset/mrc.h"
#include "lib/safeopen.h"
#include "lib/util.h"

/*
 * Each writer generates this much, then writes it in one call: big enough for few syscalls,
 * small enough to stay in the CPU's cache between generating and copying into the page cache.
 */
#define GEN_CHUNK (4u << 20)
#define GEN_MAX_THREADS 64

/* ---- random numbers --------------------------------------------------------------------- */

/* splitmix64's output function: a bijection that scatters nearby keys over all 64 bits. */
static uint64_t gen_mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t gen_key(const struct gen_params *p, enum gen_tag tag, uint64_t index)
{
	uint64_t k = gen_mix64(p->seed);

	k = gen_mix64(k ^ (uint64_t)tag);
	k = gen_mix64(k ^ index);
	/* Sets of another box or mode with the same seed must not share data either. */
	return gen_mix64(k ^ ((uint64_t)(uint32_t)p->box << 32 | (uint32_t)p->mode));
}

void gen_rng_seed(struct gen_rng *r, uint64_t key)
{
	int i;

	/* Seeding through splitmix64, as its authors advise, never gives the all-zero state. */
	for (i = 0; i < 4; i++) {
		key += 0x9e3779b97f4a7c15ull;
		r->s[i] = gen_mix64(key);
	}
}

static inline uint64_t gen_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t gen_rng_next(uint64_t s[4])
{
	const uint64_t result = gen_rotl(s[1] * 5, 7) * 9;
	const uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = gen_rotl(s[3], 45);
	return result;
}

/* A number in [0, n) from one draw; the bias of the modulo is far below anything we measure. */
uint64_t gen_rng_below(struct gen_rng *r, uint64_t n)
{
	return gen_rng_next(r->s) % n;
}

/* ---- pixel values ----------------------------------------------------------------------- */

/*
 * Pixels are the sum of three uniform numbers (an Irwin-Hall bell: mean 0, standard deviation 1
 * after scaling, bounded at +-3), the look of normalised noisy particle images. One of the three
 * has the full width, so every mantissa bit of a float32 is random: only the exponent, a few
 * values wide, leaves gzip anything to take (about 7%).
 *
 * From 64 bits: 32 + 16 + 16 bits, sum in [0, 3 * 2^32), deviation 2^31.
 */
#define GEN_BELL64_CENTER ((int64_t)3 * ((int64_t)1 << 31) - 65536)

static inline int64_t gen_bell64(uint64_t r)
{
	return (int64_t)(r & 0xffffffffu) + (int64_t)(((r >> 32) & 0xffffu) + (r >> 48)) * 65536 -
	       GEN_BELL64_CENTER;
}

/* From 32 bits, for int16 pixels: 16 + 8 + 8 bits, sum in [0, 3 * 2^16), deviation 2^15. */
#define GEN_BELL32_CENTER 98048

static inline int32_t gen_bell32(uint32_t r)
{
	return (int32_t)(r & 0xffffu) + (int32_t)(((r >> 16) & 0xffu) + (r >> 24)) * 256 -
	       GEN_BELL32_CENTER;
}

/* Running statistics of a stack, exact enough for mrcfile's validate() (1% on mean and RMS). */
struct gen_stats {
	uint64_t count;
	double sum;
	double sumsq;
	float min;
	float max;
};

static void gen_stats_init(struct gen_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->min = INFINITY;
	st->max = -INFINITY;
}

/*
 * The statistics of one chunk of floating-point pixels, kept apart from st so that the loop runs
 * in registers. The sums run in double: a float accumulator over millions of pixels drifts by
 * more than the 1% mrcfile tolerates on a mean close to zero.
 */
struct gen_chunk_stats {
	double sum;
	double sumsq;
	float lo;
	float hi;
};

static inline void gen_chunk_stats_add(struct gen_chunk_stats *c, float x)
{
	const double d = x;

	c->sum += d;
	c->sumsq += d * d;
	c->lo = x < c->lo ? x : c->lo;
	c->hi = x > c->hi ? x : c->hi;
}

/* Add the n pixels of c to st. */
static inline void gen_stats_merge(struct gen_stats *st, const struct gen_chunk_stats *c,
				   size_t n)
{
	st->count += n;
	st->sum += c->sum;
	st->sumsq += c->sumsq;
	st->min = c->lo;
	st->max = c->hi;
}

/* float32 pixels. */
static void gen_fill_float32(uint64_t state[4], float *out, size_t n, struct gen_stats *st)
{
	struct gen_chunk_stats c = { .lo = st->min, .hi = st->max };
	uint64_t s[4];
	size_t i;

	memcpy(s, state, sizeof(s));
	for (i = 0; i < n; i++) {
		/* The scale is a power of two, so it only moves the exponent. */
		const float x = (float)gen_bell64(gen_rng_next(s)) * 0x1p-31f;

		out[i] = x;
		gen_chunk_stats_add(&c, x);
	}
	memcpy(state, s, sizeof(s));
	gen_stats_merge(st, &c, n);
}

/*
 * int16 pixels spread over most of the range (deviation 8192, bounded at +-24576), as scaled
 * integer data is, so that no byte of a pixel is predictable. Two pixels per draw (17 random
 * bits each, 15 kept), low half first; n is even except in the last chunk of a stack, so the
 * stream does not depend on the chunk size.
 */
static void gen_fill_int16(uint64_t state[4], int16_t *out, size_t n, struct gen_stats *st)
{
	uint64_t s[4];
	int64_t sum = 0;
	uint64_t sumsq = 0;
	int32_t lo = INT16_MAX;
	int32_t hi = INT16_MIN;
	size_t i;

	memcpy(s, state, sizeof(s));
	for (i = 0; i < n; i += 2) {
		const uint64_t r = gen_rng_next(s);
		const int32_t a = gen_bell32((uint32_t)r) >> 2;
		int32_t b;

		out[i] = (int16_t)a;
		/* Exact: squares are below 2^30 and a 4 MiB chunk holds 2^21 of them. */
		sum += a;
		sumsq += (uint64_t)(a * a);
		lo = a < lo ? a : lo;
		hi = a > hi ? a : hi;
		if (i + 1 == n)
			break;
		b = gen_bell32((uint32_t)(r >> 32)) >> 2;
		out[i + 1] = (int16_t)b;
		sum += b;
		sumsq += (uint64_t)(b * b);
		lo = b < lo ? b : lo;
		hi = b > hi ? b : hi;
	}
	memcpy(state, s, sizeof(s));
	st->count += n;
	st->sum += (double)sum;
	st->sumsq += (double)sumsq;
	st->min = (float)lo < st->min ? (float)lo : st->min;
	st->max = (float)hi > st->max ? (float)hi : st->max;
}

/* Every half-precision bit pattern as float, to take exact statistics of what is written. */
static float gen_half_table[65536];
static pthread_once_t gen_half_once = PTHREAD_ONCE_INIT;

static void gen_half_table_init(void)
{
	uint32_t h;

	for (h = 0; h < 65536; h++) {
		const uint32_t e = (h >> 10) & 0x1f;
		const uint32_t m = h & 0x3ff;
		float v;

		if (e == 0)
			v = ldexpf((float)m, -24);
		else if (e == 31)
			v = m ? NAN : INFINITY;
		else
			v = ldexpf((float)(m | 0x400), (int)e - 25);
		gen_half_table[h] = (h & 0x8000) ? -v : v;
	}
}

/*
 * Round a float to IEEE half precision, to nearest even. Only for |f| well below 65504, which
 * the bell guarantees: a half is never Inf or NaN here.
 */
static inline uint16_t gen_half_from_float(float f)
{
	uint32_t b;
	uint32_t sign;
	uint32_t a;

	memcpy(&b, &f, sizeof(b));
	sign = (b >> 16) & 0x8000;
	a = b & 0x7fffffff;
	if (a >= 0x38800000) {
		/* Rebias the exponent (127 -> 15); a carry out of the rounding bumps it rightly. */
		a -= 0x38000000;
		a += 0xfff + ((a >> 13) & 1);
		return (uint16_t)(sign | (a >> 13));
	} else {
		/*
		 * Below 2^-14 halves are subnormal, in steps of 2^-24: the ulp of 0.5f. Adding
		 * 0.5f makes the FPU round to exactly that step, and the low bits are the half's.
		 */
		float t;
		uint32_t tb;

		memcpy(&t, &a, sizeof(t));
		t += 0.5f;
		memcpy(&tb, &t, sizeof(tb));
		return (uint16_t)(sign | (tb - 0x3f000000));
	}
}

/*
 * float16 pixels, deviation 2^-5 rather than 1: numpy's std() of float16 data, which mrcfile's
 * validate() checks RMS against, sums the squares in float16. At deviation 1 that overflows
 * 65504 in any real stack; at 2^-5 the sum stays finite, and numpy accurate to 1%, up to about
 * 20 million pixels (300 particles of 256 x 256). A power of two only moves the exponent.
 *
 * One 64-bit draw per pixel, although 32 bits would cover 11 bits of mantissa: from fewer
 * bits, ties in the rounding to half are frequent and bias the lowest bit towards even.
 */
static void gen_fill_float16(uint64_t state[4], uint16_t *out, size_t n, struct gen_stats *st)
{
	struct gen_chunk_stats c = { .lo = st->min, .hi = st->max };
	uint64_t s[4];
	size_t i;

	memcpy(s, state, sizeof(s));
	for (i = 0; i < n; i++) {
		const float f = (float)gen_bell64(gen_rng_next(s)) * 0x1p-36f;
		const uint16_t h = gen_half_from_float(f);

		out[i] = h;
		gen_chunk_stats_add(&c, gen_half_table[h]);
	}
	memcpy(state, s, sizeof(s));
	gen_stats_merge(st, &c, n);
}

/* Fill len bytes of pixels (a whole number of them) and account for them in st. */
static void gen_fill(int32_t mode, struct gen_rng *rng, unsigned char *buf, size_t len,
		     struct gen_stats *st)
{
	switch (mode) {
	case MRC_MODE_INT16:
		gen_fill_int16(rng->s, (int16_t *)buf, len / 2, st);
		break;
	case MRC_MODE_FLOAT16:
		gen_fill_float16(rng->s, (uint16_t *)buf, len / 2, st);
		break;
	default:
		gen_fill_float32(rng->s, (float *)buf, len / 4, st);
		break;
	}
}

/* ---- writing ---------------------------------------------------------------------------- */

struct gen_writer {
	const struct gen_params *p;
	const struct gen_plan *plan;
	const char *dir;
	int dirfd;			/* dir: its folders are opened from it, no symlink followed */
	atomic_size_t next;		/* the next stack to take */
	atomic_int err;			/* the first failure, -errno */
	unsigned char *done;		/* stacks renamed to their real name */
};

static int gen_pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/*
 * The folder of rel (the part before its last '/') below dirfd, opened without following a
 * symlink (safe_open_dir_at()); *base points at rel's file name. -errno, after saying why
 * when say is set.
 */
static int gen_open_folder(int dirfd, const char *dir, const char *rel, const char **base,
			   bool say)
{
	const char *slash = strrchr(rel, '/');
	char *folder = slash ? xasprintf("%.*s", (int)(slash - rel), rel) : xstrdup("");
	char why[512];
	int fd = safe_open_dir_at(dirfd, folder, 0, why, sizeof(why));

	if (fd < 0 && say)
		error("cannot write '%s' in '%s': %s", rel, dir, why);
	*base = slash ? slash + 1 : rel;
	free(folder);
	return fd;
}

/* "J1/extract/x.mrcs" -> "J1/extract/.x.mrcs.part": hidden, and not named like a stack. */
static char *gen_tmp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	return xasprintf("%.*s.%s.part", (int)(base - path), path, base);
}

static void gen_header(const struct gen_params *p, const struct gen_stack *s, size_t index,
		       const struct gen_stats *st, unsigned char buf[MRC_HEADER_SIZE])
{
	struct mrc_header h;
	double mean;
	double var;
	char label[81];
	int n;

	mrc_header_init_stack(&h, p->box, p->box, s->nz, p->mode, (float)p->apix);
	/* The pixels are in the host's order; the machine stamp says which that is. */
	h.big_endian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
	mean = st->sum / (double)st->count;
	/* The population deviation, as numpy's std() and so mrcfile compute it. */
	var = st->sumsq / (double)st->count - mean * mean;
	h.dmin = st->min;
	h.dmax = st->max;
	h.dmean = (float)mean;
	h.rms = (float)sqrt(var > 0.0 ? var : 0.0);
	/* Labels are padded with spaces (the CCP4 way); no date, so the bytes stay reproducible. */
	n = snprintf(label, sizeof(label), "cryocache-bench gen: synthetic noise, seed %" PRIu64
		     ", stack %zu", p->seed, index);
	memset(h.labels[0], ' ', sizeof(h.labels[0]));
	memcpy(h.labels[0], label, (size_t)n < sizeof(h.labels[0]) ? (size_t)n
								     : sizeof(h.labels[0]));
	h.nlabl = 1;
	mrc_header_encode(&h, buf);
}

/* Generate and write stack index under a temporary name, then rename it into place. */
static int gen_write_stack(struct gen_writer *w, size_t index, unsigned char *buf)
{
	const struct gen_stack *s = &w->plan->stacks[index];
	char *path = path_join(w->dir, s->rel);
	char *tmp = gen_tmp_name(path);
	const char *base;
	const int dfd = gen_open_folder(w->dirfd, w->dir, s->rel, &base, true);
	char *tmp_base = gen_tmp_name(base);
	struct gen_stats st;
	struct gen_rng rng;
	uint64_t left = s->size - MRC_HEADER_SIZE;
	size_t off = MRC_HEADER_SIZE;
	const char *what = "write";
	int fd;
	int ret = 0;

	gen_stats_init(&st);
	gen_rng_seed(&rng, gen_key(w->p, GEN_TAG_DATA, index));
	if (dfd < 0) {
		ret = dfd;
		goto out;
	}
	/* O_EXCL | O_NOFOLLOW: the folder is new, and nothing in it is written through a link */
	fd = openat(dfd, tmp_base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		    0666);
	if (fd < 0) {
		ret = -errno;
		error("cannot create '%s': %s", tmp, strerror(-ret));
		goto out;
	}
	/* The header needs the statistics of all pixels: write a blank one, fill it in last. */
	memset(buf, 0, MRC_HEADER_SIZE);
	while (left) {
		/* Chunks hold whole pixels: GEN_CHUNK - 1024 is a multiple of every pixel size. */
		const size_t n = left < GEN_CHUNK - off ? (size_t)left : GEN_CHUNK - off;

		gen_fill(w->p->mode, &rng, buf + off, n, &st);
		left -= n;
		if (off && !left) {
			/* The whole stack fits in one chunk: one write, header included. */
			gen_header(w->p, s, index, &st, buf);
			off = 0;
			ret = write_all(fd, buf, MRC_HEADER_SIZE + n);
			if (ret < 0)
				goto fail;
			goto written;
		}
		ret = write_all(fd, buf, off + n);
		if (ret < 0)
			goto fail;
		off = 0;
	}
	gen_header(w->p, s, index, &st, buf);
	ret = gen_pwrite_all(fd, buf, MRC_HEADER_SIZE, 0);
	if (ret < 0)
		goto fail;
written:
	/*
	 * Flush before the rename: the set must be on disk, not dirty in the page cache, before a
	 * benchmark starts on it, and a crash must not leave an empty file under a real name.
	 */
	what = "sync";
	if (fsync(fd) < 0) {
		ret = -errno;
		goto fail;
	}
	what = "close";
	ret = close(fd);
	fd = -1;
	if (ret < 0) {
		ret = -errno;
		goto fail;
	}
	if (renameat(dfd, tmp_base, dfd, base) < 0) {
		ret = -errno;
		error("cannot rename '%s' to '%s': %s", tmp, path, strerror(-ret));
		unlinkat(dfd, tmp_base, 0);
		goto out;
	}
	goto out;
fail:
	error("cannot %s '%s': %s", what, tmp, strerror(-ret));
	if (fd >= 0)
		close(fd);
	unlinkat(dfd, tmp_base, 0);
out:
	if (dfd >= 0)
		close(dfd);
	free(tmp_base);
	free(tmp);
	free(path);
	return ret;
}

static void *gen_worker(void *arg)
{
	struct gen_writer *w = arg;
	unsigned char *buf = xmalloc(GEN_CHUNK);

	for (;;) {
		size_t i;
		int ret;

		/* After one failure the others stop at their next stack; the set is void anyway. */
		if (atomic_load(&w->err))
			break;
		i = atomic_fetch_add(&w->next, 1);
		if (i >= w->plan->nr)
			break;
		ret = gen_write_stack(w, i, buf);
		if (ret < 0) {
			int none = 0;

			atomic_compare_exchange_strong(&w->err, &none, ret);
			break;
		}
		w->done[i] = 1;
	}
	free(buf);
	return NULL;
}

/* Returns 1 when dir has entries besides . and .., 0 when empty, or -errno. */
static int gen_dir_has_entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d)
		return -errno;
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			ret = 1;
			break;
		}
	}
	if (!ret && errno)
		ret = -errno;
	closedir(d);
	return ret;
}

/*
 * dir is not empty: is it this very set? Returns 1 when it is and complete, or -EEXIST after
 * saying why not.
 */
static int gen_check_existing(const struct gen_params *p, const struct gen_plan *plan,
			      const char *dir)
{
	char *manifest = path_join(dir, GEN_MANIFEST);
	json_t *ours = gen_params_to_json(p);
	json_t *root = NULL;
	json_error_t jerr;
	struct stat sb;
	size_t i;
	int ret = -EEXIST;

	if (stat(manifest, &sb) < 0) {
		error("'%s' is not empty and holds no set written by gen; refusing to write into "
		      "it", dir);
		goto out;
	}
	root = json_load_file(manifest, 0, &jerr);
	if (!root) {
		error("cannot read '%s': %s; refusing to write into '%s'", manifest, jerr.text,
		      dir);
		goto out;
	}
	if (!json_equal(json_object_get(root, "params"), ours)) {
		error("'%s' holds a generated set with other parameters; refusing to overwrite it",
		      dir);
		goto out;
	}
	for (i = 0; i < plan->nr; i++) {
		char *path = path_join(dir, plan->stacks[i].rel);
		const bool ok = stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
				(uint64_t)sb.st_size == plan->stacks[i].size;

		free(path);
		if (!ok) {
			error("'%s' holds this generated set, but '%s' is missing or has the wrong "
			      "size", dir, plan->stacks[i].rel);
			goto out;
		}
	}
	ret = 1;
out:
	json_decref(root);
	json_decref(ours);
	free(manifest);
	return ret;
}

/* statvfs() of dir, or of its nearest existing parent when dir is still to be made. */
static int gen_statvfs(const char *dir, struct statvfs *vfs)
{
	char *path = xstrdup(dir);
	int ret;

	for (;;) {
		char *slash;

		if (statvfs(path, vfs) == 0) {
			ret = 0;
			break;
		}
		ret = -errno;
		if (ret != -ENOENT || !strcmp(path, ".") || !strcmp(path, "/"))
			break;
		slash = strrchr(path, '/');
		if (!slash)
			strcpy(path, ".");
		else if (slash == path)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	free(path);
	return ret;
}

static int gen_check_space(const struct gen_plan *plan, const char *dir)
{
	struct statvfs vfs;
	char need_buf[32];
	char avail_buf[32];
	uint64_t block;
	uint64_t need = 0;
	uint64_t avail;
	size_t i;
	int ret;

	ret = gen_statvfs(dir, &vfs);
	if (ret < 0) {
		error("cannot check free space for '%s': %s", dir, strerror(-ret));
		return ret;
	}
	block = vfs.f_frsize ? vfs.f_frsize : vfs.f_bsize;
	if (!block)
		block = 4096;
	/* Files take whole blocks; the folders and the manifest a few more. */
	for (i = 0; i < plan->nr; i++)
		need += (plan->stacks[i].size + block - 1) / block * block;
	need += (2 * plan->nr_dirs + 2) * block + (plan->nr * 256 + block - 1) / block * block;
	avail = (uint64_t)vfs.f_bavail * block;
	if (need > avail) {
		error("not enough free space for '%s': the set needs %s, %s available", dir,
		      human_size(need, need_buf, sizeof(need_buf)),
		      human_size(avail, avail_buf, sizeof(avail_buf)));
		return -ENOSPC;
	}
	/* Some file systems (btrfs) report no inode limit at all: f_files is 0 there. */
	if (vfs.f_files && (uint64_t)vfs.f_favail < plan->nr + 2 * plan->nr_dirs + 2) {
		error("not enough free inodes for '%s': the set needs %zu, %llu available", dir,
		      plan->nr + 2 * plan->nr_dirs + 2, (unsigned long long)vfs.f_favail);
		return -ENOSPC;
	}
	return 0;
}

static int gen_write_manifest(const struct gen_params *p, const struct gen_plan *plan,
			      const char *dir)
{
	char *path = path_join(dir, GEN_MANIFEST);
	char *tmp = gen_tmp_name(path);
	json_t *root = json_object();
	json_t *files = json_array();
	char *text = NULL;
	bool created;
	size_t i;
	int ret;

	json_object_set_new(root, "format", json_integer(1));
	json_object_set_new(root, "generator", json_string(PROGRAM_NAME " gen"));
	json_object_set_new(root, "params", gen_params_to_json(p));
	json_object_set_new(root, "stacks", json_integer((json_int_t)plan->nr));
	json_object_set_new(root, "particles", json_integer((json_int_t)plan->particles));
	json_object_set_new(root, "bytes", json_integer((json_int_t)plan->bytes));
	for (i = 0; i < plan->nr; i++) {
		json_t *f = json_object();

		json_object_set_new(f, "path", json_string(plan->stacks[i].rel));
		json_object_set_new(f, "particles", json_integer(plan->stacks[i].nz));
		json_object_set_new(f, "size", json_integer((json_int_t)plan->stacks[i].size));
		json_array_append_new(files, f);
	}
	json_object_set_new(root, "files", files);
	/* Sorted keys and no timestamps: the same parameters give the same manifest bytes. */
	text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (!text) {
		ret = -ENOMEM;
		error("cannot write '%s': %s", tmp, strerror(-ret));
		goto out;
	}
	ret = write_text_atomic(path, tmp, text, &created);
	if (ret < 0 && !created)
		error("cannot create '%s': %s", tmp, strerror(-ret));
	else if (ret < 0)
		error("cannot write '%s': %s", path, strerror(-ret));
out:
	free(text);
	json_decref(root);
	free(tmp);
	free(path);
	return ret;
}

/* Remove what a failed gen_write_set() created, so that the folder can be used again. */
static void gen_undo(const char *dir, int dirfd, const struct gen_plan *plan,
		     const unsigned char *done, bool dir_made)
{
	size_t i;

	/* From dir's descriptor, never through a symlink: only what gen made is removed. */
	for (i = 0; dirfd >= 0 && i < plan->nr; i++) {
		const char *base;
		int fd;

		if (!done[i])
			continue;
		fd = gen_open_folder(dirfd, dir, plan->stacks[i].rel, &base, false);
		if (fd >= 0) {
			unlinkat(fd, base, 0);
			close(fd);
		}
	}
	for (i = 0; dirfd >= 0 && i < plan->nr_dirs; i++) {
		char *path = xstrdup(plan->dirs[i]);
		char *slash = strrchr(path, '/');
		const char *base;
		int fd = gen_open_folder(dirfd, dir, path, &base, false);

		if (fd >= 0) {
			unlinkat(fd, base, AT_REMOVEDIR);
			close(fd);
		}
		/* And the J<n> folder above extract/. */
		if (slash) {
			*slash = '\0';
			unlinkat(dirfd, path, AT_REMOVEDIR);
		}
		free(path);
	}
	for (i = 0; i < 2; i++) {
		char *path = path_join(dir, i ? GEN_CS : GEN_STAR);

		unlink(path);
		free(path);
	}
	if (dir_made)
		rmdir(dir);
}

static unsigned gen_nr_threads(const struct gen_params *p, size_t nr_stacks)
{
	long n = p->nr_threads;

	if (!n)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > GEN_MAX_THREADS)
		n = GEN_MAX_THREADS;
	if ((size_t)n > nr_stacks)
		n = (long)nr_stacks;
	return n ? (unsigned)n : 1;
}

/*
 * Write every stack of w with want threads. Stacks are independent (each has its own seed):
 * threads just take the next one. Returns 0, or the first failure (printed), -errno.
 */
static int gen_run_writers(struct gen_writer *w, unsigned want)
{
	pthread_t threads[GEN_MAX_THREADS];
	unsigned nr_threads = 0;
	int ret;

	for (unsigned t = 0; t < want; t++) {
		ret = -pthread_create(&threads[t], NULL, gen_worker, w);
		if (ret < 0) {
			if (!nr_threads) {
				error("cannot start a thread: %s", strerror(-ret));
				return ret;
			}
			/* Fewer threads only make it slower. */
			break;
		}
		nr_threads++;
	}
	for (unsigned t = 0; t < nr_threads; t++)
		pthread_join(threads[t], NULL);
	return atomic_load(&w->err);
}

int gen_write_set(const struct gen_params *p, const char *dir, struct gen_summary *out)
{
	struct gen_writer w;
	struct gen_plan plan;
	bool dir_made = false;
	char why[160];
	struct stat sb;
	double start;
	size_t i;
	int ret;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.dirfd = -1;
	ret = gen_params_check(p, why, sizeof(why));
	if (ret < 0) {
		error("cannot generate a set into '%s': %s", dir, why);
		return ret;
	}
	ret = gen_plan_make(&plan, p);
	if (ret < 0) {
		error("cannot plan the set for '%s': %s", dir, strerror(-ret));
		return ret;
	}
	out->nr_stacks = plan.nr;
	out->particles = plan.particles;
	out->bytes = plan.bytes;

	if (stat(dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode)) {
			ret = -ENOTDIR;
			error("cannot write a set into '%s': %s", dir, strerror(-ret));
			goto out;
		}
		ret = gen_dir_has_entries(dir);
		if (ret < 0) {
			error("cannot read '%s': %s", dir, strerror(-ret));
			goto out;
		}
		if (ret > 0) {
			ret = gen_check_existing(p, &plan, dir);
			if (ret > 0) {
				out->existed = true;
				ret = 0;
			}
			goto out;
		}
	} else if (errno == ENOENT) {
		dir_made = true;
	} else {
		ret = -errno;
		error("cannot stat '%s': %s", dir, strerror(-ret));
		goto out;
	}

	ret = gen_check_space(&plan, dir);
	if (ret < 0)
		goto out;

	w.p = p;
	w.plan = &plan;
	w.dir = dir;
	atomic_init(&w.next, 0);
	atomic_init(&w.err, 0);
	w.done = xcalloc(plan.nr ? plan.nr : 1, 1);
	pthread_once(&gen_half_once, gen_half_table_init);

	start = now_mono();
	ret = mkdir_p(dir);
	if (ret < 0) {
		error("cannot create '%s': %s", dir, strerror(-ret));
		goto undo;
	}
	/* dir as the user named it; below it, no symlink is followed (one could lead anywhere) */
	w.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.dirfd < 0) {
		ret = -errno;
		error("cannot open '%s': %s", dir, strerror(-ret));
		goto undo;
	}
	for (i = 0; i < plan.nr_dirs; i++) {
		const int fd = safe_open_dir_at(w.dirfd, plan.dirs[i], SAFE_MKDIR, why, sizeof(why));

		if (fd < 0) {
			ret = fd;
			error("cannot create '%s' in '%s': %s", plan.dirs[i], dir, why);
			goto undo;
		}
		close(fd);
	}

	ret = gen_run_writers(&w, gen_nr_threads(p, plan.nr));
	if (ret < 0)
		goto undo;

	ret = gen_write_metadata(p, &plan, dir);
	if (ret < 0)
		goto undo;
	ret = gen_write_manifest(p, &plan, dir);
	if (ret < 0)
		goto undo;
	out->seconds = now_mono() - start;
	goto out;
undo:
	gen_undo(dir, w.dirfd, &plan, w.done, dir_made);
out:
	if (w.dirfd >= 0)
		close(w.dirfd);
	free(w.done);
	gen_plan_release(&plan);
	return ret;
}
