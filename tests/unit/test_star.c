/* SPDX-License-Identifier: MIT */
/* test_star.c - RELION STAR particle files: blocks, labels, quotes, comments, rejections. */
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

#include "dataset/star.h"
#include "lib/util.h"

/* Parse text; returns the result and leaves the list in *l and the message in why. */
static int parse(const char *text, struct stack_list *l, char *why, size_t len)
{
	stack_list_init(l);
	why[0] = '\0';
	return star_parse(text, strlen(text), l, why, len);
}

/* A RELION 3.1+ file as MetaDataTable::write lays it out: optics, then particles. */
static const char relion31[] =
	"\n# version 30001\n\ndata_optics\n\nloop_ \n_rlnOpticsGroupName #1 \n"
	"_rlnOpticsGroup #2 \n_rlnImageSize #3 \nopticsGroup1            1          256 \n\n\n"
	"# version 30001\n\ndata_particles\n\nloop_ \n_rlnCoordinateX #1 \n_rlnCoordinateY #2 \n"
	"_rlnImageName #3 \n_rlnMicrographName #4 \n_rlnOpticsGroup #5 \n"
	"  1219.000000  3401.000000 000001@Extract/job010/Movies/mic_0001.mrcs "
	"MotionCorr/job002/Movies/mic_0001.mrc            1 \n"
	"  1519.000000   301.000000 000002@Extract/job010/Movies/mic_0001.mrcs "
	"MotionCorr/job002/Movies/mic_0001.mrc            1 \n"
	"   219.000000  1401.000000 000001@Extract/job010/Movies/mic_0002.mrcs "
	"MotionCorr/job002/Movies/mic_0002.mrc            1 \n"
	"   119.000000  1201.000000 000003@Extract/job010/Movies/mic_0001.mrcs "
	"MotionCorr/job002/Movies/mic_0001.mrc            1 \n\n";

static void test_relion31(void **state)
{
	struct stack_list l;
	char why[256];

	(void)state;
	assert_int_equal(parse(relion31, &l, why, sizeof(why)), 0);
	assert_int_equal(l.nr, 2);
	assert_string_equal(l.items[0].path, "Extract/job010/Movies/mic_0001.mrcs");
	assert_int_equal(l.items[0].particles, 3);
	assert_string_equal(l.items[1].path, "Extract/job010/Movies/mic_0002.mrcs");
	assert_int_equal(l.items[1].particles, 1);
	assert_int_equal(l.particles, 4);
	stack_list_release(&l);
}

/* RELION 3.0: one block, no optics, labels without "#N", CR+LF ends, quotes and comments. */
static void test_relion30(void **state)
{
	static const char text[] =
		"# written by hand\r\ndata_images\r\nloop_\r\n_rlnImageName\r\n_rlnDefocusU\r\n"
		"_rlnMicrographName\r\n"
		"  # a comment line inside the rows\r\n"
		"\"12@Particles/a b.mrcs\" 10000 'mic 1.mrc' # trailing comment\r\n"
		"13@Particles/c.mrcs 10000 x#y\r\n"
		"14@Particles/c.mrcs 10000 \"it's\"\r\n";
	struct stack_list l;
	char why[256];

	(void)state;
	assert_int_equal(parse(text, &l, why, sizeof(why)), 0);
	assert_int_equal(l.nr, 2);
	assert_string_equal(l.items[0].path, "Particles/a b.mrcs");
	assert_string_equal(l.items[1].path, "Particles/c.mrcs");
	assert_int_equal(l.items[1].particles, 2);
	stack_list_release(&l);
}

/* data_particles wins over an earlier block with images; a name without NNN@ is the stack. */
static void test_block_choice(void **state)
{
	static const char text[] = "data_other\nloop_\n_rlnImageName #1\n1@wrong.mrcs\n\n"
				   "data_particles\nloop_\n_rlnImageName #1\n_rlnGroup "
				   "#2\nright.mrcs 1\nab@c.mrcs 2\n";
	struct stack_list l;
	char why[256];

	(void)state;
	assert_int_equal(parse(text, &l, why, sizeof(why)), 0);
	assert_int_equal(l.nr, 2);
	assert_string_equal(l.items[0].path, "right.mrcs");
	/* "ab" is not a number: the whole name is the path, as FileName::decompose does. */
	assert_string_equal(l.items[1].path, "ab@c.mrcs");
	stack_list_release(&l);
}

/* A list (non-loop) block naming one image. */
static void test_list_block(void **state)
{
	static const char text[] = "data_\n_rlnImageName 000007@one/stack.mrcs\n_rlnVoltage 300\n";
	struct stack_list l;
	char why[256];

	(void)state;
	assert_int_equal(parse(text, &l, why, sizeof(why)), 0);
	assert_int_equal(l.nr, 1);
	assert_string_equal(l.items[0].path, "one/stack.mrcs");
	stack_list_release(&l);
}

/* Malformed files: the message names the line and what was expected. */
static void test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
		{"just words\n", "line 1: expected a 'data_' block"},
		{"data_particles\nloop_\n_rlnImageName #1\n_rlnX #2\n1@a.mrcs 1\n1@a.mrcs\n",
		 "line 6: 1 values, expected 2"},
		{"data_particles\nloop_\n_rlnX #1\n5\n", "expected an _rlnImageName column"},
		{"data_x\nloop_\n_rlnX #1\n5\n", "expected a data_particles block"},
		{"data_particles\nloop_\n_rlnImageName #1\n000001@\n", "line 4: expected a stack"},
		{"data_particles\nbogus\n", "line 2: expected 'loop_'"},
		{"data_particles\nloop_\nrow\n", "line 3: expected a '_label'"},
	};
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct stack_list l;

		assert_int_equal(parse(bad[i].text, &l, why, sizeof(why)), -EINVAL);
		if (!strstr(why, bad[i].why))
			fail_msg("case %zu: '%s' does not contain '%s'", i, why, bad[i].why);
		stack_list_release(&l);
	}
}

/* A NUL byte is refused with its line; a NULL why is allowed. */
static void test_nul(void **state)
{
	static const char text[] = "data_particles\nloop_\n_rlnImageName #1\n1@a\0b.mrcs\n";
	struct stack_list l;
	char why[64];

	(void)state;
	stack_list_init(&l);
	assert_int_equal(star_parse(text, sizeof(text) - 1, &l, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "line 4: NUL byte"));
	stack_list_release(&l);
	stack_list_init(&l);
	assert_int_equal(star_parse(text, sizeof(text) - 1, &l, NULL, 0), -EINVAL);
	stack_list_release(&l);
}

/* Many stacks: the hash keeps them unique and counts right when rows interleave. */
static void test_many(void **state)
{
	size_t cap = 1 << 20;
	char *text = xmalloc(cap);
	size_t n = (size_t)snprintf(text, cap, "data_particles\nloop_\n_rlnImageName #1\n");
	struct stack_list l;
	char why[256];

	(void)state;
	for (int r = 0; r < 3; r++)
		for (int s = 0; s < 2000; s++)
			n += (size_t)snprintf(text + n, cap - n, "%06d@S/s%d.mrcs\n", r + 1, s);
	stack_list_init(&l);
	assert_int_equal(star_parse(text, n, &l, why, sizeof(why)), 0);
	assert_int_equal(l.nr, 2000);
	for (size_t i = 0; i < l.nr; i++)
		assert_int_equal(l.items[i].particles, 3);
	assert_string_equal(l.items[1999].path, "S/s1999.mrcs");
	stack_list_release(&l);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relion31),
		cmocka_unit_test(test_relion30),
		cmocka_unit_test(test_block_choice),
		cmocka_unit_test(test_list_block),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests_name("star", tests, NULL, NULL);
}
