/* SPDX-License-Identifier: MIT */
/*
 * relion_image.h - RELION's Image<RFLOAT> for 2D particle images in MRC stacks, as its scratch
 * copy uses it (src/image.h: fImageHandler::openFile, read, readFromOpenFile, write, _write;
 * src/rwMRC.h: readMRC, readData, writeMRC), on top of glibc's FILE (libc_file.h): the same
 * stat()s, opens, reads, seeks, writes, locks and closes, and the same bytes in the stacks.
 *
 * RFLOAT is double, as in RELION's default CPU build and Debian's package ("Precision:
 * BASE=double"): an image is read into doubles and written back as float32 (MRC mode 2) whatever
 * its mode was. Modes are read as RELION 4 and 5 read them (0 int8, 1 int16, 2 float32, 6
 * uint16, 12 float16); RELION 3.1 refuses mode 12 and reads mode 6 as signed int16.
 */
#ifndef CCB_RELION_IMAGE_H
#define CCB_RELION_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "copy/libc_file.h"

#define RELION_MRC_HEADER 1024

/* What readMRC takes from an MRC header (after swapping a big-endian one). */
struct relion_mrc {
	int32_t nx, ny, nz, mode;
	int32_t mx, my, mz;
	float a, b, c;			/* cell: sampling = a / mx when both are set */
	float amin, amax, amean, arms;	/* statistics RELION carries to the copy's header */
	int32_t nsymbt;
	bool swap;			/* the file is big-endian */
};

/* The counters and the failure of RELION's calls, kept by the caller across particles. */
struct relion_io {
	uint64_t src_bytes_read;
	uint64_t scratch_bytes_read;
	uint64_t scratch_bytes_written;
	uint64_t stacks_opened;
	const char *err_path;		/* the file of the failure */
	const char *err_what;		/* its call ("open", "read", "fcntl", ...) */
	char reason[512];		/* set when errno's text would mislead; else "" */
};

/* Bytes per pixel of a mode RELION reads (0, 1, 2, 6, 12); 0 for any other. */
size_t relion_mode_bytes(int32_t mode);

/*
 * readMRC's header: decoded from raw, swapped when mode or nx is above 65535 as RELION tests.
 * Returns 0, or -EINVAL with RELION's reason in why (a complex or unknown mode, a bad size).
 */
int relion_mrc_decode(const unsigned char raw[RELION_MRC_HEADER], struct relion_mrc *h, char *why,
		      size_t len);

/* castPage2T: n pixels of mode (swapped when swap) into RFLOATs. */
void relion_page_to_rfloat(const void *page, int32_t mode, bool swap, size_t n, double *out);

/* castPage2Datatype(Float): n RFLOATs into float32. */
void relion_rfloat_to_float(const double *in, size_t n, float *out);

/*
 * writeMRC's header for one image of src (nx * ny, mode 2) in a stack that will hold nz images:
 * the cell from src's sampling, src's statistics, machine stamp 0x44 0x41, one label.
 */
void relion_mrc_encode(const struct relion_mrc *src, int32_t nz, const char *label,
		       unsigned char out[RELION_MRC_HEADER]);

/* One particle image in memory, as RELION holds it between the read and the write. */
struct relion_image {
	struct relion_mrc h;		/* of the stack it came from */
	double *data;			/* nx * ny RFLOATs */
	size_t cap;			/* of data, in values */
	void *page;			/* the read buffer (pagesize bytes) */
	size_t page_cap;
	float *out;			/* the write buffer */
};

void relion_image_release(struct relion_image *img);

/*
 * Image::read(name, readdata=false) of image select (0-based) of the stack at path: stat, fopen
 * "r", the header, fclose. Fills *h. Returns 0 or -errno (io says which call failed and why).
 */
int relion_read_header(const char *path, long select, struct relion_mrc *h, struct relion_io *io);

/*
 * Image::readFromOpenFile of image select from f, a stack opened "r" at its start: the header,
 * fseek to the image, fread it (in pages of at most 1 GiB), convert it into img, rewind f.
 * Returns 0 or -errno (io says why).
 */
int relion_read_image(struct libc_file *f, const char *path, long select,
		      struct relion_image *img, struct relion_io *io);

/*
 * Image::write(path, -1, isStack, mode): the first image of a stack (append false:
 * WRITE_OVERWRITE, fopen "w") or one more (append true: WRITE_APPEND, fopen "r+", the stack's
 * header read back through a second fopen, the header rewritten for one more image, the image
 * written at the end), each under a whole-file write lock as writeMRC takes it. Returns 0 or
 * -errno (io says why).
 */
int relion_write_image(const char *path, bool append, struct relion_image *img,
		       struct relion_io *io);

#endif
