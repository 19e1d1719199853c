/* SPDX-License-Identifier: MIT */
/* mrc.c - encode and decode the 1024-byte MRC2014 main header. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dataset/mrc.h"
#include "lib/util.h"

/* Byte offsets of the MRC2014 main header fields. */
enum {
	MRC_OFF_NX = 0,
	MRC_OFF_NY = 4,
	MRC_OFF_NZ = 8,
	MRC_OFF_MODE = 12,
	MRC_OFF_NXSTART = 16,
	MRC_OFF_MX = 28,
	MRC_OFF_MY = 32,
	MRC_OFF_MZ = 36,
	MRC_OFF_CELLA = 40,
	MRC_OFF_CELLB = 52,
	MRC_OFF_MAPC = 64,
	MRC_OFF_MAPR = 68,
	MRC_OFF_MAPS = 72,
	MRC_OFF_DMIN = 76,
	MRC_OFF_DMAX = 80,
	MRC_OFF_DMEAN = 84,
	MRC_OFF_ISPG = 88,
	MRC_OFF_NSYMBT = 92,
	MRC_OFF_EXTTYP = 104,
	MRC_OFF_NVERSION = 108,
	MRC_OFF_ORIGIN = 196,
	MRC_OFF_MAP = 208,
	MRC_OFF_MACHST = 212,
	MRC_OFF_RMS = 216,
	MRC_OFF_NLABL = 220,
	MRC_OFF_LABEL = 224,
};

#define MRC_LABEL_LEN 80
#define MRC_NR_LABELS 10

size_t mrc_mode_bytes(int32_t mode)
{
	switch (mode) {
	case MRC_MODE_INT8:
		return 1;
	case MRC_MODE_INT16:
	case MRC_MODE_UINT16:
	case MRC_MODE_FLOAT16:
		return 2;
	case MRC_MODE_FLOAT32:
		return 4;
	case MRC_MODE_COMPLEX64:
		return 8;
	default:
		return 0;
	}
}

void mrc_header_init_stack(struct mrc_header *h, int32_t nx, int32_t ny, int32_t nz, int32_t mode,
			   float apix)
{
	memset(h, 0, sizeof(*h));
	h->nx = nx;
	h->ny = ny;
	h->nz = nz;
	h->mode = mode;
	/* An image stack samples one section per image: MZ is 1 whatever NZ is (mrcfile). */
	h->mx = nx;
	h->my = ny;
	h->mz = 1;
	h->cella[0] = apix * (float)nx;
	h->cella[1] = apix * (float)ny;
	h->cella[2] = apix;
	h->cellb[0] = 90.0f;
	h->cellb[1] = 90.0f;
	h->cellb[2] = 90.0f;
	h->mapc = 1;
	h->mapr = 2;
	h->maps = 3;
	/* The values mrcfile's reset_header_stats() uses for "not computed". */
	h->dmin = 0.0f;
	h->dmax = -1.0f;
	h->dmean = -2.0f;
	h->rms = -1.0f;
	h->ispg = 0;
	h->nsymbt = 0;
	h->nversion = 20140;
	h->big_endian = false;
}

static void put_u32(unsigned char *p, uint32_t v, bool big_endian)
{
	if (big_endian) {
		p[0] = (unsigned char)(v >> 24);
		p[1] = (unsigned char)(v >> 16);
		p[2] = (unsigned char)(v >> 8);
		p[3] = (unsigned char)v;
	} else {
		p[0] = (unsigned char)v;
		p[1] = (unsigned char)(v >> 8);
		p[2] = (unsigned char)(v >> 16);
		p[3] = (unsigned char)(v >> 24);
	}
}

static uint32_t get_u32(const unsigned char *p, bool big_endian)
{
	if (big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/*
 * The numbers of the header: where each is in the file and in struct mrc_header. Every one is a
 * 32-bit integer or float, so encoding and decoding copy its four bytes in the file's order.
 * NXSTART, NYSTART and NZSTART are not kept: they stay 0.
 */
#define MRC_FIELD(off, member) { off, offsetof(struct mrc_header, member) }
#define MRC_FIELD3(off, member)                                                                    \
	MRC_FIELD(off, member[0]), MRC_FIELD(off + 4, member[1]), MRC_FIELD(off + 8, member[2])

static const struct mrc_field {
	size_t off;
	size_t member;
} mrc_fields[] = {
	MRC_FIELD(MRC_OFF_NX, nx),
	MRC_FIELD(MRC_OFF_NY, ny),
	MRC_FIELD(MRC_OFF_NZ, nz),
	MRC_FIELD(MRC_OFF_MODE, mode),
	MRC_FIELD(MRC_OFF_MX, mx),
	MRC_FIELD(MRC_OFF_MY, my),
	MRC_FIELD(MRC_OFF_MZ, mz),
	MRC_FIELD3(MRC_OFF_CELLA, cella),
	MRC_FIELD3(MRC_OFF_CELLB, cellb),
	MRC_FIELD(MRC_OFF_MAPC, mapc),
	MRC_FIELD(MRC_OFF_MAPR, mapr),
	MRC_FIELD(MRC_OFF_MAPS, maps),
	MRC_FIELD(MRC_OFF_DMIN, dmin),
	MRC_FIELD(MRC_OFF_DMAX, dmax),
	MRC_FIELD(MRC_OFF_DMEAN, dmean),
	MRC_FIELD(MRC_OFF_ISPG, ispg),
	MRC_FIELD(MRC_OFF_NSYMBT, nsymbt),
	MRC_FIELD(MRC_OFF_NVERSION, nversion),
	MRC_FIELD3(MRC_OFF_ORIGIN, origin),
	MRC_FIELD(MRC_OFF_RMS, rms),
	MRC_FIELD(MRC_OFF_NLABL, nlabl),
};

_Static_assert(sizeof(float) == sizeof(uint32_t), "MRC floats are 32 bits");

void mrc_header_encode(const struct mrc_header *h, unsigned char buf[MRC_HEADER_SIZE])
{
	const bool be = h->big_endian;

	memset(buf, 0, MRC_HEADER_SIZE);
	for (size_t i = 0; i < sizeof(mrc_fields) / sizeof(mrc_fields[0]); i++) {
		uint32_t v;

		memcpy(&v, (const char *)h + mrc_fields[i].member, sizeof(v));
		put_u32(buf + mrc_fields[i].off, v, be);
	}
	memcpy(buf + MRC_OFF_EXTTYP, h->exttyp, sizeof(h->exttyp));
	memcpy(buf + MRC_OFF_MAP, "MAP ", 4);
	if (be) {
		buf[MRC_OFF_MACHST] = 0x11;
		buf[MRC_OFF_MACHST + 1] = 0x11;
	} else {
		buf[MRC_OFF_MACHST] = 0x44;
		buf[MRC_OFF_MACHST + 1] = 0x44;
	}
	memcpy(buf + MRC_OFF_LABEL, h->labels, sizeof(h->labels));
}

int mrc_header_decode(const unsigned char buf[MRC_HEADER_SIZE], struct mrc_header *h, char *why,
		      size_t len)
{
	const unsigned char *st = buf + MRC_OFF_MACHST;
	bool be;

	if (memcmp(buf + MRC_OFF_MAP, "MAP ", 4) != 0)
		return reject_why(why, len, "no \"MAP \" id at byte %d", MRC_OFF_MAP);
	/*
	 * Only the first two bytes carry the byte order; 0x44 0x41 is what some writers put for
	 * little-endian and mrcfile accepts it, so we do too.
	 */
	if (st[0] == 0x44 && (st[1] == 0x44 || st[1] == 0x41))
		be = false;
	else if (st[0] == 0x11 && st[1] == 0x11)
		be = true;
	else
		return reject_why(why, len, "unknown machine stamp 0x%02x 0x%02x 0x%02x 0x%02x",
				  st[0], st[1], st[2], st[3]);

	memset(h, 0, sizeof(*h));
	h->big_endian = be;
	for (size_t i = 0; i < sizeof(mrc_fields) / sizeof(mrc_fields[0]); i++) {
		const uint32_t v = get_u32(buf + mrc_fields[i].off, be);

		memcpy((char *)h + mrc_fields[i].member, &v, sizeof(v));
	}
	memcpy(h->exttyp, buf + MRC_OFF_EXTTYP, sizeof(h->exttyp));
	memcpy(h->labels, buf + MRC_OFF_LABEL, sizeof(h->labels));

	if (!mrc_mode_bytes(h->mode))
		return reject_why(why, len, "unknown mode %d", (int)h->mode);
	if (h->nx <= 0 || h->ny <= 0 || h->nz <= 0)
		return reject_why(why, len, "bad size %d x %d x %d", (int)h->nx, (int)h->ny,
				  (int)h->nz);
	if (h->nsymbt < 0)
		return reject_why(why, len, "negative extended header size %d", (int)h->nsymbt);
	/* Each axis must be named exactly once: the bits of 1, 2 and 3 must all be present. */
	if (h->mapc < 1 || h->mapc > 3 || h->mapr < 1 || h->mapr > 3 || h->maps < 1 ||
	    h->maps > 3 || ((1u << h->mapc) | (1u << h->mapr) | (1u << h->maps)) != 0xe)
		return reject_why(why, len, "MAPC/MAPR/MAPS %d,%d,%d is not a permutation of 1,2,3",
				  (int)h->mapc, (int)h->mapr, (int)h->maps);
	return 0;
}

uint64_t mrc_expected_size(const struct mrc_header *h)
{
	uint64_t voxels;
	uint64_t bytes;
	uint64_t total;

	if (h->nx <= 0 || h->ny <= 0 || h->nz <= 0 || h->nsymbt < 0)
		return MRC_HEADER_SIZE;
	/* Sizes come from files we do not trust: saturate rather than wrap. */
	if (__builtin_mul_overflow((uint64_t)h->nx, (uint64_t)h->ny, &voxels) ||
	    __builtin_mul_overflow(voxels, (uint64_t)h->nz, &voxels) ||
	    __builtin_mul_overflow(voxels, (uint64_t)mrc_mode_bytes(h->mode), &bytes) ||
	    __builtin_add_overflow(bytes, (uint64_t)MRC_HEADER_SIZE + (uint64_t)h->nsymbt, &total))
		return UINT64_MAX;
	return total;
}

int mrc_file_is_mrc(const char *path)
{
	unsigned char buf[MRC_HEADER_SIZE];
	struct mrc_header h;
	size_t got = 0;
	int fd;
	int ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	ret = read_full(fd, buf, sizeof(buf), &got);
	if (ret < 0)
		goto out;
	if (got < sizeof(buf)) {
		ret = 0;
		goto out;
	}
	ret = mrc_header_decode(buf, &h, NULL, 0) == 0 ? 1 : 0;
out:
	close(fd);
	return ret;
}
