/* SPDX-License-Identifier: MIT */
/* mrc.h - the MRC2014 main header: writing particle stacks and recognising MRC files. */
#ifndef CCB_MRC_H
#define CCB_MRC_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define MRC_HEADER_SIZE 1024

enum mrc_mode {
	MRC_MODE_INT8 = 0,
	MRC_MODE_INT16 = 1,
	MRC_MODE_FLOAT32 = 2,
	MRC_MODE_COMPLEX64 = 4,
	MRC_MODE_UINT16 = 6,
	MRC_MODE_FLOAT16 = 12,
};

struct mrc_header {
	int32_t nx, ny, nz;
	int32_t mode;
	int32_t mx, my, mz;
	float cella[3];		/* cell size in Angstrom: pixel size * n */
	float cellb[3];
	int32_t mapc, mapr, maps;
	float dmin, dmax, dmean, rms;
	int32_t ispg;
	int32_t nsymbt;		/* extended header bytes */
	char exttyp[4];
	int32_t nversion;
	float origin[3];
	bool big_endian;	/* byte order found in (or to write to) MACHST */
	int32_t nlabl;
	char labels[10][80];
};

/* Bytes per voxel of a mode, 0 for unknown modes. */
size_t mrc_mode_bytes(int32_t mode);

/*
 * Fill h for a little-endian image stack of nz images of nx * ny in mode, pixel size apix:
 * ISPG 0, MX=NX, MY=NY, MZ=1, MAPC/R/S 1,2,3, NVERSION 20140, stats "unknown".
 */
void mrc_header_init_stack(struct mrc_header *h, int32_t nx, int32_t ny, int32_t nz, int32_t mode,
			   float apix);

/* Encode h into the 1024 bytes of buf (with "MAP " and the machine stamp). */
void mrc_header_encode(const struct mrc_header *h, unsigned char buf[MRC_HEADER_SIZE]);

/*
 * Decode and validate buf: MAP id, machine stamp, known mode, positive sizes, MAPC/R/S a
 * permutation. Returns 0 or -EINVAL with a reason in why.
 */
int mrc_header_decode(const unsigned char buf[MRC_HEADER_SIZE], struct mrc_header *h, char *why,
		      size_t len);

/* The size a file with header h must have: 1024 + NSYMBT + NX*NY*NZ*bytes. */
uint64_t mrc_expected_size(const struct mrc_header *h);

/* Does the file at path start with a valid MRC header? Returns 1, 0, or -errno. */
int mrc_file_is_mrc(const char *path);

#endif
