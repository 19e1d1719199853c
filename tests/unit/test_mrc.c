/* SPDX-License-Identifier: MIT */
/* test_mrc.c - the MRC2014 header: byte offsets, both byte orders, rejections, file sizes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dataset/mrc.h"
#include "lib/util.h"

static uint32_t le32(const unsigned char *buf, size_t off)
{
	const unsigned char *p = buf + off;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static float le_f32(const unsigned char *buf, size_t off)
{
	uint32_t bits = le32(buf, off);
	float v;

	memcpy(&v, &bits, sizeof(v));
	return v;
}

static void put_be32(unsigned char *buf, size_t off, uint32_t v)
{
	buf[off] = (unsigned char)(v >> 24);
	buf[off + 1] = (unsigned char)(v >> 16);
	buf[off + 2] = (unsigned char)(v >> 8);
	buf[off + 3] = (unsigned char)v;
}

static void put_be_f32(unsigned char *buf, size_t off, float v)
{
	uint32_t bits;

	memcpy(&bits, &v, sizeof(bits));
	put_be32(buf, off, bits);
}

static bool all_zero(const unsigned char *buf, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (buf[i])
			return false;
	return true;
}

/* A stack header as gen writes one, with statistics and a label. */
static void sample_header(struct mrc_header *h)
{
	mrc_header_init_stack(h, 256, 200, 37, MRC_MODE_FLOAT32, 1.5f);
	h->dmin = -3.25f;
	h->dmax = 2.75f;
	h->dmean = 0.125f;
	h->rms = 0.5f;
	h->nlabl = 1;
	memcpy(h->labels[0], "a label", 7);
}

static void test_mode_bytes(void **state)
{
	assert_int_equal(mrc_mode_bytes(MRC_MODE_INT8), 1);
	assert_int_equal(mrc_mode_bytes(MRC_MODE_INT16), 2);
	assert_int_equal(mrc_mode_bytes(MRC_MODE_FLOAT32), 4);
	assert_int_equal(mrc_mode_bytes(MRC_MODE_COMPLEX64), 8);
	assert_int_equal(mrc_mode_bytes(MRC_MODE_UINT16), 2);
	assert_int_equal(mrc_mode_bytes(MRC_MODE_FLOAT16), 2);
	/* complex int16 and packed 4-bit exist in the standard but not in mrcfile: unknown */
	assert_int_equal(mrc_mode_bytes(3), 0);
	assert_int_equal(mrc_mode_bytes(101), 0);
	assert_int_equal(mrc_mode_bytes(-1), 0);
}

static void test_init_stack(void **state)
{
	struct mrc_header h;

	mrc_header_init_stack(&h, 128, 64, 300, MRC_MODE_INT16, 0.5f);
	assert_int_equal(h.nx, 128);
	assert_int_equal(h.ny, 64);
	assert_int_equal(h.nz, 300);
	assert_int_equal(h.mode, MRC_MODE_INT16);
	/* an image stack: one section per image */
	assert_int_equal(h.mx, 128);
	assert_int_equal(h.my, 64);
	assert_int_equal(h.mz, 1);
	assert_true(h.cella[0] == 64.0f && h.cella[1] == 32.0f && h.cella[2] == 0.5f);
	assert_true(h.cellb[0] == 90.0f && h.cellb[1] == 90.0f && h.cellb[2] == 90.0f);
	assert_int_equal(h.mapc, 1);
	assert_int_equal(h.mapr, 2);
	assert_int_equal(h.maps, 3);
	assert_int_equal(h.ispg, 0);
	assert_int_equal(h.nsymbt, 0);
	assert_int_equal(h.nversion, 20140);
	assert_false(h.big_endian);
	/* "unknown" statistics, mrcfile's reset_header_stats() */
	assert_true(h.dmin == 0.0f && h.dmax == -1.0f && h.dmean == -2.0f && h.rms == -1.0f);
	assert_int_equal(h.nlabl, 0);
}

static void test_encode_offsets(void **state)
{
	unsigned char buf[MRC_HEADER_SIZE];
	struct mrc_header h;

	sample_header(&h);
	h.nsymbt = 4096;
	memcpy(h.exttyp, "FEI2", 4);
	memset(buf, 0xa5, sizeof(buf));
	mrc_header_encode(&h, buf);

	assert_int_equal(le32(buf, 0), 256);
	assert_int_equal(le32(buf, 4), 200);
	assert_int_equal(le32(buf, 8), 37);
	assert_int_equal(le32(buf, 12), 2);
	assert_true(all_zero(buf, 16, 28));		/* NXSTART, NYSTART, NZSTART */
	assert_int_equal(le32(buf, 28), 256);
	assert_int_equal(le32(buf, 32), 200);
	assert_int_equal(le32(buf, 36), 1);
	assert_true(le_f32(buf, 40) == 384.0f);
	assert_true(le_f32(buf, 44) == 300.0f);
	assert_true(le_f32(buf, 48) == 1.5f);
	assert_true(le_f32(buf, 52) == 90.0f && le_f32(buf, 60) == 90.0f);
	assert_int_equal(le32(buf, 64), 1);
	assert_int_equal(le32(buf, 68), 2);
	assert_int_equal(le32(buf, 72), 3);
	assert_true(le_f32(buf, 76) == -3.25f);
	assert_true(le_f32(buf, 80) == 2.75f);
	assert_true(le_f32(buf, 84) == 0.125f);
	assert_int_equal(le32(buf, 88), 0);
	assert_int_equal(le32(buf, 92), 4096);
	assert_true(all_zero(buf, 96, 104));		/* EXTRA1 */
	assert_memory_equal(buf + 104, "FEI2", 4);
	assert_int_equal(le32(buf, 108), 20140);
	assert_true(all_zero(buf, 112, 208));		/* EXTRA2 and ORIGIN 0,0,0 */
	assert_memory_equal(buf + 208, "MAP ", 4);
	assert_memory_equal(buf + 212, "\x44\x44\x00\x00", 4);
	assert_true(le_f32(buf, 216) == 0.5f);
	assert_int_equal(le32(buf, 220), 1);
	assert_memory_equal(buf + 224, "a label", 7);
	assert_true(all_zero(buf, 231, MRC_HEADER_SIZE));
}

static void test_round_trip(void **state)
{
	unsigned char buf[MRC_HEADER_SIZE];
	struct mrc_header h;
	struct mrc_header back;
	char why[128] = "";

	sample_header(&h);
	h.origin[0] = 12.5f;
	mrc_header_encode(&h, buf);
	assert_int_equal(mrc_header_decode(buf, &back, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(back.nx, 256);
	assert_int_equal(back.ny, 200);
	assert_int_equal(back.nz, 37);
	assert_int_equal(back.mode, MRC_MODE_FLOAT32);
	assert_int_equal(back.mx, 256);
	assert_int_equal(back.mz, 1);
	assert_memory_equal(back.cella, h.cella, sizeof(h.cella));
	assert_memory_equal(back.cellb, h.cellb, sizeof(h.cellb));
	assert_int_equal(back.mapc, 1);
	assert_int_equal(back.mapr, 2);
	assert_int_equal(back.maps, 3);
	assert_true(back.dmin == h.dmin && back.dmax == h.dmax && back.dmean == h.dmean);
	assert_true(back.rms == h.rms);
	assert_int_equal(back.ispg, 0);
	assert_int_equal(back.nsymbt, 0);
	assert_int_equal(back.nversion, 20140);
	assert_true(back.origin[0] == 12.5f);
	assert_false(back.big_endian);
	assert_int_equal(back.nlabl, 1);
	assert_memory_equal(back.labels, h.labels, sizeof(h.labels));
	assert_int_equal(mrc_expected_size(&back), 1024 + 256ull * 200 * 37 * 4);
}

static void test_big_endian(void **state)
{
	unsigned char buf[MRC_HEADER_SIZE];
	unsigned char ours[MRC_HEADER_SIZE];
	struct mrc_header h;
	char why[128];

	/* Built by hand, as an old big-endian writer (SGI, PowerPC) would have. */
	memset(buf, 0, sizeof(buf));
	put_be32(buf, 0, 64);
	put_be32(buf, 4, 48);
	put_be32(buf, 8, 5);
	put_be32(buf, 12, MRC_MODE_INT16);
	put_be32(buf, 28, 64);
	put_be32(buf, 32, 48);
	put_be32(buf, 36, 1);
	put_be_f32(buf, 40, 64.0f);
	put_be_f32(buf, 44, 48.0f);
	put_be_f32(buf, 48, 1.0f);
	put_be32(buf, 64, 2);
	put_be32(buf, 68, 1);
	put_be32(buf, 72, 3);
	put_be_f32(buf, 76, -100.0f);
	put_be_f32(buf, 80, 200.0f);
	put_be32(buf, 92, 512);
	put_be32(buf, 108, 20140);
	memcpy(buf + 208, "MAP ", 4);
	memcpy(buf + 212, "\x11\x11\x00\x00", 4);
	put_be_f32(buf, 216, 42.5f);

	assert_int_equal(mrc_header_decode(buf, &h, why, sizeof(why)), 0);
	assert_true(h.big_endian);
	assert_int_equal(h.nx, 64);
	assert_int_equal(h.ny, 48);
	assert_int_equal(h.nz, 5);
	assert_int_equal(h.mode, MRC_MODE_INT16);
	assert_int_equal(h.mapc, 2);
	assert_int_equal(h.mapr, 1);
	assert_true(h.cella[0] == 64.0f && h.cella[2] == 1.0f);
	assert_true(h.dmin == -100.0f && h.dmax == 200.0f && h.rms == 42.5f);
	assert_int_equal(h.nsymbt, 512);
	assert_int_equal(h.nversion, 20140);
	assert_int_equal(mrc_expected_size(&h), 1024 + 512 + 64 * 48 * 5 * 2);

	/* and the encoder writes the same bytes when asked for big-endian */
	mrc_header_encode(&h, ours);
	assert_memory_equal(ours, buf, sizeof(buf));
}

static void test_machine_stamps(void **state)
{
	unsigned char buf[MRC_HEADER_SIZE];
	struct mrc_header h;
	struct mrc_header back;
	char why[128];

	sample_header(&h);
	mrc_header_encode(&h, buf);
	/* 0x44 0x41 is little-endian too (some writers), and only two bytes matter */
	buf[213] = 0x41;
	buf[214] = 0x12;
	assert_int_equal(mrc_header_decode(buf, &back, why, sizeof(why)), 0);
	assert_false(back.big_endian);
	assert_int_equal(back.nx, 256);

	buf[212] = 0;
	buf[213] = 0;
	assert_int_equal(mrc_header_decode(buf, &back, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "machine stamp"));
	buf[212] = 0x11;
	buf[213] = 0x44;
	assert_int_equal(mrc_header_decode(buf, &back, why, sizeof(why)), -EINVAL);
}

/* Headers that differ from sample_header() in one int32 field, and why decode refuses them. */
static const struct {
	size_t offset;		/* of an int32_t in struct mrc_header */
	int32_t value;
	const char *reason;
} rejects[] = {
	{ offsetof(struct mrc_header, mode), 3, "mode" },
	{ offsetof(struct mrc_header, mode), 101, "mode" },
	{ offsetof(struct mrc_header, mode), -2, "mode" },
	{ offsetof(struct mrc_header, mapr), 1, "permutation" },	/* 1,1,3 */
	{ offsetof(struct mrc_header, mapc), 0, "permutation" },
	{ offsetof(struct mrc_header, maps), 4, "permutation" },
	{ offsetof(struct mrc_header, mapc), 33, "permutation" },
	{ offsetof(struct mrc_header, nx), 0, "size" },
	{ offsetof(struct mrc_header, ny), -5, "size" },
	{ offsetof(struct mrc_header, nz), 0, "size" },
	{ offsetof(struct mrc_header, nsymbt), -1024, "extended" },
};

static void test_rejects(void **state)
{
	unsigned char buf[MRC_HEADER_SIZE];
	struct mrc_header h;
	struct mrc_header back;
	char why[128] = "";
	static const char *const bad_ids[] = { "MAP\0", "map ", "PAM ", "\0\0\0\0" };

	sample_header(&h);
	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		mrc_header_encode(&h, buf);
		memcpy(buf + 208, bad_ids[i], 4);
		assert_int_equal(mrc_header_decode(buf, &back, why, sizeof(why)), -EINVAL);
		assert_non_null(strstr(why, "MAP"));
	}

	for (size_t i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
		sample_header(&h);
		memcpy((char *)&h + rejects[i].offset, &rejects[i].value, sizeof(int32_t));
		mrc_header_encode(&h, buf);
		why[0] = '\0';
		assert_int_equal(mrc_header_decode(buf, &back, why, sizeof(why)), -EINVAL);
		if (!strstr(why, rejects[i].reason))
			fail_msg("case %zu rejected for '%s', expected a reason with '%s'", i, why,
				 rejects[i].reason);
		/* without room for a reason it still refuses */
		assert_int_equal(mrc_header_decode(buf, &back, NULL, 0), -EINVAL);
	}

	/* any order of the axes is a valid mapping */
	sample_header(&h);
	h.mapc = 3;
	h.mapr = 1;
	h.maps = 2;
	mrc_header_encode(&h, buf);
	assert_int_equal(mrc_header_decode(buf, &back, why, sizeof(why)), 0);
}

static void test_expected_size(void **state)
{
	struct mrc_header h;

	mrc_header_init_stack(&h, 256, 256, 300, MRC_MODE_FLOAT32, 1.0f);
	assert_int_equal(mrc_expected_size(&h), 1024 + 256ull * 256 * 300 * 4);
	h.mode = MRC_MODE_INT16;
	assert_int_equal(mrc_expected_size(&h), 1024 + 256ull * 256 * 300 * 2);
	h.mode = MRC_MODE_FLOAT16;
	h.nsymbt = 131072;
	assert_int_equal(mrc_expected_size(&h), 1024 + 131072 + 256ull * 256 * 300 * 2);
	h.mode = MRC_MODE_INT8;
	h.nsymbt = 0;
	h.nx = 1;
	h.ny = 1;
	h.nz = 1;
	assert_int_equal(mrc_expected_size(&h), 1025);
	/* sizes from untrusted files do not wrap around */
	h.mode = MRC_MODE_COMPLEX64;
	h.nx = INT32_MAX;
	h.ny = INT32_MAX;
	h.nz = INT32_MAX;
	assert_true(mrc_expected_size(&h) == UINT64_MAX);
}

/* Write len bytes of buf to a new temporary file; returns its malloc'ed path. */
static char *temp_file(const void *buf, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/test_mrc.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, buf, len), 0);
	assert_int_equal(close(fd), 0);
	return path;
}

static void test_file_is_mrc(void **state)
{
	unsigned char buf[MRC_HEADER_SIZE + 64];
	struct mrc_header h;
	char *path;

	memset(buf, 0x5a, sizeof(buf));
	mrc_header_init_stack(&h, 4, 4, 1, MRC_MODE_FLOAT32, 1.0f);
	mrc_header_encode(&h, buf);

	path = temp_file(buf, sizeof(buf));
	assert_int_equal(mrc_file_is_mrc(path), 1);
	unlink(path);
	free(path);

	/* a header alone is still a header */
	path = temp_file(buf, MRC_HEADER_SIZE);
	assert_int_equal(mrc_file_is_mrc(path), 1);
	unlink(path);
	free(path);

	/* one byte short of a header: not MRC, not an error */
	path = temp_file(buf, MRC_HEADER_SIZE - 1);
	assert_int_equal(mrc_file_is_mrc(path), 0);
	unlink(path);
	free(path);

	path = temp_file("", 0);
	assert_int_equal(mrc_file_is_mrc(path), 0);
	unlink(path);
	free(path);

	/* 1024 bytes of something else */
	memset(buf, 0, sizeof(buf));
	path = temp_file(buf, MRC_HEADER_SIZE);
	assert_int_equal(mrc_file_is_mrc(path), 0);
	unlink(path);
	assert_int_equal(mrc_file_is_mrc(path), -ENOENT);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_bytes),
		cmocka_unit_test(test_init_stack),
		cmocka_unit_test(test_encode_offsets),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_machine_stamps),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_expected_size),
		cmocka_unit_test(test_file_is_mrc),
	};

	return cmocka_run_group_tests_name("mrc", tests, NULL, NULL);
}
