/* SPDX-License-Identifier: MIT */
/* test_csfile.c - CryoSPARC .cs files: NumPy headers v1/v2/v3, CSDAT streams, rejections. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dataset/csfile.h"
#include "lib/util.h"
#include "testutil.h"

/* A fixture of tests/data/inputs (written by numpy: make_fixtures.py), with its length. */
static unsigned char *fixture(const char *name, size_t *len)
{
	return (unsigned char *)test_fixture("inputs", name, len);
}

static void check_particles(const char *name, const char *second)
{
	size_t len;
	unsigned char *buf = fixture(name, &len);
	struct stack_list l;
	char why[256] = "";

	assert_true(csfile_is_cs(buf, len));
	stack_list_init(&l);
	if (csfile_parse(buf, len, &l, why, sizeof(why)))
		fail_msg("%s: %s", name, why);
	assert_int_equal(l.nr, 2);
	assert_string_equal(l.items[0].path, "J30/extract/0085_particles.mrc");
	assert_int_equal(l.items[0].particles, 3);
	assert_string_equal(l.items[1].path, second);
	assert_int_equal(l.items[1].particles, 2);
	assert_int_equal(l.particles, 5);
	stack_list_release(&l);
	free(buf);
}

static void test_v1(void **state)
{
	(void)state;
	check_particles("particles-v1.cs", "J30/extract/0086_particles.mrc");
}

static void test_v2(void **state)
{
	(void)state;
	check_particles("particles-v2.cs", "J30/extract/0086_particles.mrc");
}

/* Version 3.0 (utf8 header) with blob/path as '<U40': decoded to UTF-8. */
static void test_v3_unicode(void **state)
{
	(void)state;
	check_particles("particles-v3-unicode.cs", "J30/extract/\xc3\xa9t\xc3\xa9_particles.mrc");
}

static void test_big_endian_unicode(void **state)
{
	(void)state;
	check_particles("particles-bigendian-u.cs", "J30/extract/0086_particles.mrc");
}

static void expect_error(const unsigned char *buf, size_t len, const char *want)
{
	struct stack_list l;
	char why[256] = "";

	stack_list_init(&l);
	assert_int_equal(csfile_parse(buf, len, &l, why, sizeof(why)), -EINVAL);
	if (!strstr(why, want))
		fail_msg("'%s' does not contain '%s'", why, want);
	stack_list_release(&l);
}

static void test_truncated(void **state)
{
	size_t len;
	unsigned char *buf = fixture("truncated.cs", &len);

	(void)state;
	expect_error(buf, len, "the data ends early");
	expect_error(buf, 9, "byte 9: expected the NumPy version");
	free(buf);
}

/* Hand-made headers: each structural fault names its byte offset. */
static void test_headers(void **state)
{
	static const struct {
		const char *hdr;
		const char *want;
	} bad[] = {
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", "structured array"},
		{"{'descr': [('uid', '<u8')], 'fortran_order': False, 'shape': (3,), }",
		 "'blob/path' string field"},
		{"{'descr': [('blob/path', '|S4')], 'shape': (1,), }", "keys 'descr'"},
		{"{'descr': [('blob/path', '|S4')], 'fortran_order': False, 'shape': (1, 2), }",
		 "1-D 'shape'"},
		{"{'descr': [('blob/path', '|O')], 'fortran_order': False, 'shape': (1,), }",
		 "valid structured dtype"},
		{"{'descr': [('blob/path', '|S4') 'fortran_order'", "byte 42: expected ',' or ']'"},
		{"['descr']", "byte 10: expected '{'"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char buf[256];
		size_t n = strlen(bad[i].hdr);

		memcpy(buf, "\x93NUMPY\x01\x00", 8);
		buf[8] = (unsigned char)(n + 1);
		buf[9] = 0;
		memcpy(buf + 10, bad[i].hdr, n);
		buf[10 + n] = '\n';
		expect_error(buf, 11 + n, bad[i].want);
	}
}

#ifdef HAVE_LZ4
/* CSDAT streams written by tests/helpers/csdat_write.py (cryosparc-tools' layout, python3-lz4). */
static void test_csdat(void **state)
{
	(void)state;
	check_particles("particles-csdat.cs", "J30/extract/0086_particles.mrc");
	check_particles("particles-csdat-unicode.cs",
			"J30/extract/\xc3\xa9t\xc3\xa9_particles.mrc");
}

/* Damage a good stream: each fault is reported with a byte offset. */
static void test_csdat_errors(void **state)
{
	size_t len;
	unsigned char *buf = fixture("particles-csdat.cs", &len);
	unsigned char *bad = xmalloc(len);
	uint32_t hlen = (uint32_t)buf[6] | (uint32_t)buf[7] << 8;
	size_t blob;

	(void)state;
	expect_error(buf, len - 40, "string heap");
	expect_error(buf, 12, "byte 6: expected a ");
	expect_error(buf, 10 + hlen + 10, "byte ");
	memcpy(bad, buf, len);
	bad[10] = '[';
	expect_error(bad, len, "byte 20: expected a JSON header");
	/* The uid column (8 * 5 bytes, stored plain) comes first; blob/path's LZ4 block next. */
	blob = 10 + hlen + 4 + 40;
	memcpy(bad, buf, len);
	memset(bad + blob + 4, 0xff, 4);
	expect_error(bad, len, "expected an LZ4 block of 40 bytes");
	memcpy(bad, buf, len);
	bad[10 + hlen] = 39;
	expect_error(bad, len, "expected 40 bytes in column 'uid', not 39");
	free(bad);
	free(buf);
}
#endif

static void test_magic(void **state)
{
	static const unsigned char csdat[] = "\x95" "CSDAT\x10\0\0\0{}";
	static const unsigned char other[] = "data_particles\n";
	struct stack_list l;
	char why[256];

	(void)state;
	stack_list_init(&l);
	assert_true(csfile_is_cs(csdat, sizeof(csdat) - 1));
	assert_false(csfile_is_cs(other, sizeof(other) - 1));
#ifdef HAVE_LZ4
	assert_int_equal(csfile_parse(csdat, sizeof(csdat) - 1, &l, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "byte 6: expected a 16-byte header"));
#else
	assert_int_equal(csfile_parse(csdat, sizeof(csdat) - 1, &l, why, sizeof(why)), -ENOTSUP);
#endif
	expect_error(other, sizeof(other) - 1, "byte 0: expected \\x93NUMPY");
	{
		static const unsigned char v9[] = "\x93NUMPY\x09\x00\x00\x00";

		expect_error(v9, sizeof(v9) - 1, "byte 6: expected NumPy format version");
	}
	stack_list_release(&l);
}

/* .csg group files: the blob result's metafile, wherever the keys are. */
static void test_csg(void **state)
{
	static const char good[] =
		"created: 2024-05-02\ngroup:\n  name: particles\n  metafile: wrong.cs\n"
		"results:\n  alignments2D:\n    metafile: '>J9_passthrough.cs'\n"
		"    type: particle.alignments2D\n  blob:\n    # comment\n    num_items: 9\r\n"
		"    metafile: \"J9/J9_particles.cs\"\r\nversion: v4\n";
	static const char none[] = "results:\n  ctf:\n    metafile: x.cs\nblob:\n  metafile: y\n";
	char *mf = NULL;
	char why[128];

	(void)state;
	assert_true(csfile_is_csg(good, sizeof(good) - 1));
	assert_false(csfile_is_csg("data_particles\n", 15));
	assert_int_equal(csfile_csg_metafile(good, sizeof(good) - 1, &mf, why, sizeof(why)), 0);
	assert_string_equal(mf, "J9/J9_particles.cs");
	free(mf);
	assert_int_equal(csfile_csg_metafile(none, sizeof(none) - 1, &mf, why, sizeof(why)),
			 -EINVAL);
	assert_null(mf);
	assert_non_null(strstr(why, "line 5: expected 'results:'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1),
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_v3_unicode),
		cmocka_unit_test(test_big_endian_unicode),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_headers),
#ifdef HAVE_LZ4
		cmocka_unit_test(test_csdat),
		cmocka_unit_test(test_csdat_errors),
#endif
		cmocka_unit_test(test_magic),
		cmocka_unit_test(test_csg),
	};

	return cmocka_run_group_tests_name("csfile", tests, NULL, NULL);
}
