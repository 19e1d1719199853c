/* SPDX-License-Identifier: MIT */
/*
 * test_relion.c - RELION's scratch copy: the particles of a .star with RELION's optics groups,
 * the plan (order, duplicates, units, stack names), the free-space rule, the image conversions
 * and headers, and glibc's FILE model against the real one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#include "copy/libc_file.h"
#include "copy/relion.h"
#include "copy/relion_image.h"
#include "dataset/mrc.h"
#include "dataset/star.h"
#include "lib/util.h"

/* ---- the .star -------------------------------------------------------------------------------- */

/* Optics listed 2 then 1: RELION renumbers them by row (group value 2 is group 1). */
static const char star31[] =
	"# version 30001\n\ndata_optics\n\nloop_ \n_rlnOpticsGroupName #1 \n_rlnOpticsGroup #2 \n"
	"opticsGroup2 2 \nopticsGroup1 1 \n\n\n# version 30001\n\ndata_particles\n\nloop_ \n"
	"_rlnImageName #1 \n_rlnMicrographName #2 \n_rlnOpticsGroup #3 \n"
	"000002@S/b.mrcs mics/b.mrc 1 \n"
	"000001@S/a.mrcs mics/a.mrc 2 \n"
	"000001@S/b.mrcs mics/b.mrc 1 \n"
	"000001@S/b.mrcs mics/b.mrc 1 \n"
	"000002@S/a.mrcs mics/a.mrc 2 \n\n";

static void test_star_optics(void **state)
{
	struct star_particles sp;
	char why[256] = "";

	(void)state;
	assert_int_equal(star_particles_parse(star31, strlen(star31), &sp, why, sizeof(why)), 0);
	assert_int_equal(sp.nr, 5);
	assert_int_equal(sp.nr_groups, 2);
	assert_true(sp.optics_table);
	assert_true(sp.has_micrographs);
	/* value 1 is the second row of data_optics: group 2; value 2 is group 1 */
	assert_int_equal(sp.items[0].group, 2);
	assert_int_equal(sp.items[1].group, 1);
	assert_int_equal(sp.items[0].image_len, strlen("000002@S/b.mrcs"));
	assert_memory_equal(sp.items[0].image, "000002@S/b.mrcs", sp.items[0].image_len);
	assert_memory_equal(sp.items[1].micrograph, "mics/a.mrc", sp.items[1].micrograph_len);
	star_particles_release(&sp);
}

static void test_star_rejects(void **state)
{
	static const char undefined[] =
		"data_optics\nloop_\n_rlnOpticsGroup\n1\n\ndata_particles\nloop_\n"
		"_rlnImageName\n_rlnOpticsGroup\n1@a.mrcs 1\n2@a.mrcs 3\n";
	static const char no_column[] =
		"data_optics\nloop_\n_rlnOpticsGroup\n1\n\ndata_particles\nloop_\n"
		"_rlnImageName\n1@a.mrcs\n";
	static const char no_images[] = "data_particles\nloop_\n_rlnMicrographName\nm.mrc\n";
	struct star_particles sp;
	char why[256] = "";

	(void)state;
	assert_int_equal(star_particles_parse(undefined, strlen(undefined), &sp, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "line 11: optics group 3 is not defined in data_optics"));
	assert_int_equal(sp.nr, 0);
	assert_int_equal(star_particles_parse(no_column, strlen(no_column), &sp, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "no _rlnOpticsGroup column"));
	assert_int_equal(star_particles_parse(no_images, strlen(no_images), &sp, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "_rlnImageName"));
}

/* RELION 3.0: groups are the distinct optics values, in the order they first appear. */
static void test_star_relion30(void **state)
{
	static const char v30[] =
		"data_\nloop_\n_rlnImageName #1\n_rlnVoltage #2\n_rlnSphericalAberration #3\n"
		"1@a.mrcs 300 2.7\n2@a.mrcs 200 2.7\n3@a.mrcs 300 2.7\n4@a.mrcs 300 2.0\n";
	static const char bare[] = "data_images\nloop_\n_rlnImageName\n1@a.mrcs\n2@a.mrcs\n";
	struct star_particles sp;
	char why[256] = "";

	(void)state;
	assert_int_equal(star_particles_parse(v30, strlen(v30), &sp, why, sizeof(why)), 0);
	assert_false(sp.optics_table);
	assert_false(sp.has_micrographs);
	assert_int_equal(sp.nr_groups, 3);
	assert_int_equal(sp.items[0].group, 1);
	assert_int_equal(sp.items[1].group, 2);
	assert_int_equal(sp.items[2].group, 1);
	assert_int_equal(sp.items[3].group, 3);
	star_particles_release(&sp);
	assert_int_equal(star_particles_parse(bare, strlen(bare), &sp, why, sizeof(why)), 0);
	assert_int_equal(sp.nr_groups, 1);
	assert_int_equal(sp.items[1].group, 1);
	star_particles_release(&sp);
}

/* ---- the plan --------------------------------------------------------------------------------- */

/* A dataset of the stacks below /p, sorted as dataset_load leaves them. */
static void fake_ds(struct dataset *ds, const char *const *rels, size_t n)
{
	memset(ds, 0, sizeof(*ds));
	ds->root = xstrdup("/p");
	ds->files = xcalloc(n, sizeof(*ds->files));
	for (size_t i = 0; i < n; i++)
		ds->files[i].rel = xstrdup(rels[i]);
	ds->nr = n;
}

static void test_plan_order(void **state)
{
	static const char *const rels[] = { "S/a.mrcs", "S/b.mrcs" };
	struct star_particles sp;
	struct relion_plan plan;
	struct dataset ds;
	char why[256] = "";

	(void)state;
	fake_ds(&ds, rels, 2);
	assert_int_equal(star_particles_parse(star31, strlen(star31), &sp, why, sizeof(why)), 0);
	assert_int_equal(relion_plan_build(&plan, &sp, &ds, 1, RELION_SPLIT_AUTO, why,
					   sizeof(why)), 0);
	/* Sorted by micrograph, stably: mics/a.mrc's two rows first, in the file's order. */
	assert_true(plan.sorted);
	assert_int_equal(plan.nr, 5);
	assert_int_equal(plan.nr_units, 1);
	assert_int_equal(plan.split, RELION_SPLIT_AUTO);
	assert_int_equal(plan.particles[0].stack, 0);
	assert_int_equal(plan.particles[0].image, 0);
	assert_int_equal(plan.particles[0].group, 0);
	assert_int_equal(plan.particles[1].image, 1);
	assert_int_equal(plan.particles[2].stack, 1);
	assert_int_equal(plan.particles[2].image, 1);
	assert_int_equal(plan.particles[2].group, 1);
	/* "000001@S/b.mrcs" twice in a row in group 2: the second is not copied */
	assert_false(plan.particles[3].dup);
	assert_true(plan.particles[4].dup);
	assert_int_equal(plan.particles[4].line, 23);
	assert_int_equal(plan.stack_particles[0], 2);
	assert_int_equal(plan.stack_particles[1], 3);
	{
		char *name = relion_stack_name(&plan, &plan.units[0], 1);

		assert_string_equal(name, "opticsgroup2_particles.mrcs");
		free(name);
	}
	relion_plan_release(&plan);

	/* Two threads, two groups: one unit per group, RELION's names. */
	assert_int_equal(relion_plan_build(&plan, &sp, &ds, 2, RELION_SPLIT_AUTO, why,
					   sizeof(why)), 0);
	assert_int_equal(plan.split, RELION_SPLIT_GROUPS);
	assert_int_equal(plan.nr_units, 2);
	assert_int_equal(plan.units[0].nr, 2);
	assert_int_equal(plan.units[1].first, 2);
	assert_int_equal(plan.units[1].nr, 3);
	assert_true(plan.particles[4].dup);
	relion_plan_release(&plan);

	/* Three threads, two groups: the particles in three parts, each its own stacks. */
	assert_int_equal(relion_plan_build(&plan, &sp, &ds, 3, RELION_SPLIT_AUTO, why,
					   sizeof(why)), 0);
	assert_int_equal(plan.split, RELION_SPLIT_PARTICLES);
	assert_int_equal(plan.nr_units, 3);
	assert_int_equal(plan.units[0].nr + plan.units[1].nr + plan.units[2].nr, 5);
	{
		char *name = relion_stack_name(&plan, &plan.units[2], 0);

		assert_string_equal(name, "opticsgroup1_particles_part3.mrcs");
		free(name);
	}
	relion_plan_release(&plan);
	star_particles_release(&sp);
	dataset_release(&ds);
}

static void test_plan_rejects(void **state)
{
	static const char *const rels[] = { "S/a.mrcs" };
	static const char mrc[] = "data_\nloop_\n_rlnImageName\n1@S/a.mrcs\n1@S/c.mrc\n";
	static const char whole[] = "data_\nloop_\n_rlnImageName\nS/a.mrcs\n";
	static const char sampled[] = "data_\nloop_\n_rlnImageName\n0@/p/S/a.mrcs\n1@S/x.mrcs\n";
	struct star_particles sp;
	struct relion_plan plan;
	struct dataset ds;
	char why[256] = "";

	(void)state;
	fake_ds(&ds, rels, 1);
	assert_int_equal(star_particles_parse(mrc, strlen(mrc), &sp, why, sizeof(why)), 0);
	assert_int_equal(relion_plan_build(&plan, &sp, &ds, 1, RELION_SPLIT_AUTO, why,
					   sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "line 5: 'S/c.mrc' is not a .mrcs stack"));
	star_particles_release(&sp);
	assert_int_equal(star_particles_parse(whole, strlen(whole), &sp, why, sizeof(why)), 0);
	assert_int_equal(relion_plan_build(&plan, &sp, &ds, 1, RELION_SPLIT_AUTO, why,
					   sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "names no image of a stack"));
	star_particles_release(&sp);
	/* An absolute path below the project is the same stack; 0@ is image 0, as 1@ is. */
	assert_int_equal(star_particles_parse(sampled, strlen(sampled), &sp, why, sizeof(why)), 0);
	assert_int_equal(relion_plan_build(&plan, &sp, &ds, 1, RELION_SPLIT_AUTO, why,
					   sizeof(why)), 0);
	assert_int_equal(plan.nr, 1);
	assert_int_equal(plan.nr_dropped, 1);
	assert_int_equal(plan.particles[0].image, 0);
	relion_plan_release(&plan);
	star_particles_release(&sp);
	dataset_release(&ds);
}

/* ---- the free-space rule ---------------------------------------------------------------------- */

static void test_space(void **state)
{
	const int64_t one = 100 * 100 * 4;
	const uint64_t free_bytes = 128ull << 20;
	int64_t max = relion_max_space(4096, free_bytes / 4096, free_bytes - 420000);
	int64_t used = 0;
	int fit = 0;

	(void)state;
	/* 420000 bytes left to use: ten 40000-byte particles fit, the eleventh does not. */
	assert_true(max >= 419999 && max <= 420000);
	while (relion_space_take(&used, one, max))
		fit++;
	assert_int_equal(fit, 10);
	/* RELION's default keeps 10 GiB: on 8 GiB free, not even the first particle fits. */
	used = 0;
	max = relion_max_space(4096, (8ull << 30) / 4096, 10ull << 30);
	assert_true(max < 0);
	assert_false(relion_space_take(&used, one, max));
	/* Whole GiB are exact in RELION's arithmetic. */
	assert_int_equal(relion_max_space(4096, (12ull << 30) / 4096, 10ull << 30), 2ll << 30);
}

/* ---- images and headers ----------------------------------------------------------------------- */

static void test_convert(void **state)
{
	const int16_t i16[] = { -32768, -1, 0, 32767 };
	const uint16_t u16[] = { 0, 65535 };
	const uint16_t f16[] = { 0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000 };
	const signed char i8[] = { -128, 127 };
	unsigned char be[4] = { 0x3f, 0xc0, 0x00, 0x00 };	/* 1.5f big-endian */
	double out[8];
	float f;

	(void)state;
	relion_page_to_rfloat(i16, 1, false, 4, out);
	assert_true(out[0] == -32768.0 && out[1] == -1.0 && out[3] == 32767.0);
	relion_page_to_rfloat(u16, 6, false, 2, out);
	assert_true(out[1] == 65535.0);
	relion_page_to_rfloat(f16, 12, false, 5, out);
	assert_true(out[0] == 1.0 && out[1] == -2.0 && out[2] == 65504.0);
	assert_true(out[3] == ldexp(1.0, -24) && out[4] == 0.0 && signbit(out[4]));
	relion_page_to_rfloat(i8, 0, false, 2, out);
	assert_true(out[0] == -128.0 && out[1] == 127.0);
	relion_page_to_rfloat(be, 2, true, 1, out);
	relion_rfloat_to_float(out, 1, &f);
	assert_true(f == 1.5f);
	assert_int_equal(relion_mode_bytes(12), 2);
	assert_int_equal(relion_mode_bytes(4), 0);
}

static void test_header(void **state)
{
	struct mrc_header src, out;
	unsigned char raw[MRC_HEADER_SIZE];
	struct relion_mrc h;
	char why[128];

	(void)state;
	mrc_header_init_stack(&src, 100, 100, 7, MRC_MODE_INT16, 1.25f);
	src.dmin = -3.0f;
	src.rms = 0.5f;
	mrc_header_encode(&src, raw);
	assert_int_equal(relion_mrc_decode(raw, &h, why, sizeof(why)), 0);
	assert_int_equal(h.nz, 7);
	assert_int_equal(h.mode, 1);
	assert_false(h.swap);
	relion_mrc_encode(&h, 12, "Relion test", raw);
	assert_int_equal(mrc_header_decode(raw, &out, why, sizeof(why)), 0);
	assert_int_equal(out.mode, MRC_MODE_FLOAT32);
	assert_int_equal(out.nz, 12);
	assert_int_equal(out.mz, 1);
	assert_true(out.cella[0] == 125.0f && out.cella[2] == 1.25f);
	assert_true(out.dmin == -3.0f && out.rms == 0.5f);
	assert_int_equal(raw[212], 0x44);
	assert_int_equal(raw[213], 0x41);
	assert_int_equal(out.nlabl, 1);
	assert_string_equal(out.labels[0], "Relion test");
	/* big-endian source: swapped and read the same */
	src.big_endian = true;
	mrc_header_encode(&src, raw);
	assert_int_equal(relion_mrc_decode(raw, &h, why, sizeof(why)), 0);
	assert_true(h.swap);
	assert_int_equal(h.nx, 100);
	/* complex images are refused as RELION refuses them */
	src.big_endian = false;
	src.mode = MRC_MODE_COMPLEX64;
	mrc_header_encode(&src, raw);
	assert_int_equal(relion_mrc_decode(raw, &h, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "only real-space images"));
}

/* ---- glibc's FILE ----------------------------------------------------------------------------- */

/* The same operations through libc_file and through the real stdio give the same bytes. */
static void test_libc_file(void **state)
{
	char *dir = test_tmpdir("relion");
	char *ours = pathf("%s/ours", dir);
	char *real = pathf("%s/real", dir);
	const size_t sizes[] = { 1024, 40000, 4096, 262144, 3, 8191 };
	char *data = xmalloc(300000);
	char *a = xmalloc(300000);
	char *b = xmalloc(300000);
	struct libc_file f;
	FILE *r;
	size_t ra, rb;

	(void)state;
	assert_non_null(dir);
	for (size_t i = 0; i < 300000; i++)
		data[i] = (char)(i * 7 + i / 251);
	/* Write: the first block with "w", then appends through "r+" with a header rewrite. */
	assert_int_equal(libc_file_open(&f, ours, "w"), 0);
	assert_int_equal(libc_file_write(&f, data, 1024), 0);
	assert_int_equal(libc_file_write(&f, data + 1024, 40000), 0);
	assert_int_equal(libc_file_close(&f), 0);
	r = fopen(real, "w");
	fwrite(data, 1024, 1, r);
	fwrite(data + 1024, 40000, 1, r);
	fclose(r);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		data[0] = (char)k;
		assert_int_equal(libc_file_open(&f, ours, "r+"), 0);
		assert_int_equal(libc_file_write(&f, data, 1024), 0);
		assert_int_equal(libc_file_seek(&f, 0, SEEK_END), 0);
		assert_int_equal(libc_file_write(&f, data + 17, sizes[k]), 0);
		assert_int_equal(libc_file_close(&f), 0);
		r = fopen(real, "r+");
		fwrite(data, 1024, 1, r);
		fseek(r, 0, SEEK_END);
		fwrite(data + 17, sizes[k], 1, r);
		fclose(r);
	}
	{
		char *fa, *fb;
		size_t la, lb;

		assert_int_equal(read_text_file(ours, &fa, &la), 0);
		assert_int_equal(read_text_file(real, &fb, &lb), 0);
		assert_int_equal(la, lb);
		assert_memory_equal(fa, fb, la);
		free(fa);
		free(fb);
	}
	/* Read back: header, a seek into the middle, a read, a rewind, again. */
	assert_int_equal(libc_file_open(&f, ours, "r"), 0);
	r = fopen(real, "r");
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		const int64_t off = 1024 + 40000 + (int64_t)k * 1000;

		assert_int_equal(libc_file_read(&f, a, 1024), 0);
		assert_int_equal(libc_file_seek(&f, off, SEEK_SET), 0);
		assert_int_equal(libc_file_read(&f, a + 1024, sizes[k]), 0);
		libc_file_rewind(&f);
		ra = fread(b, 1024, 1, r);
		fseek(r, off, SEEK_SET);
		rb = fread(b + 1024, sizes[k], 1, r);
		rewind(r);
		assert_true(ra == 1 && rb == 1);
		assert_memory_equal(a, b, 1024 + sizes[k]);
	}
	/* Past the end: a short read is an error, as fread's count says. */
	assert_int_equal(libc_file_seek(&f, 0, SEEK_END), 0);
	assert_int_equal(libc_file_read(&f, a, 10), -EIO);
	assert_int_equal(libc_file_close(&f), 0);
	fclose(r);
	assert_int_equal(f.bytes_written, 0);
	assert_true(f.bytes_read > 0);
	test_rmtree(dir);
	free(ours);
	free(real);
	free(dir);
	free(data);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_star_optics),
		cmocka_unit_test(test_star_rejects),
		cmocka_unit_test(test_star_relion30),
		cmocka_unit_test(test_plan_order),
		cmocka_unit_test(test_plan_rejects),
		cmocka_unit_test(test_space),
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_libc_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
