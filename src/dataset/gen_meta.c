/* SPDX-License-Identifier: MIT */
/*
 * gen_meta.c - the job metadata of a generated set: a RELION particles.star and a CryoSPARC
 * particles.cs (a NumPy structured array, as cryosparc-tools saves one) naming every particle.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset/gen.h"
#include "lib/dynbuf.h"
#include "lib/util.h"

/* Write len bytes to path through a temporary name beside it: readers never see half a file. */
static int write_atomic(const char *path, const void *buf, size_t len)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int ret = write_bytes_atomic(path, tmp, buf, len);

	free(tmp);
	return ret;
}

static void put_le(struct dynbuf *b, uint64_t v, size_t n)
{
	unsigned char le[8];

	for (size_t i = 0; i < n; i++)
		le[i] = (unsigned char)(v >> (8 * i));
	dynbuf_add(b, le, n);
}

static void put_f32(struct dynbuf *b, float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	put_le(b, u, 4);
}

/*
 * RELION 3.1+ layout, as MetaDataTable::write prints it: optics (a 300 kV microscope), then one
 * row per particle.
 */
static char *star_text(const struct gen_params *p, const struct gen_plan *plan, size_t *len)
{
	struct dynbuf b;

	dynbuf_init(&b);
	/* Voltage, Cs and amplitude contrast too: relion_refine refuses optics without them. */
	dynbuf_addf(&b, "\n# version 30001\n\ndata_optics\n\nloop_ \n_rlnOpticsGroupName #1 \n"
		    "_rlnOpticsGroup #2 \n_rlnVoltage #3 \n_rlnSphericalAberration #4 \n"
		    "_rlnAmplitudeContrast #5 \n_rlnImagePixelSize #6 \n_rlnImageSize #7 \n"
		    "_rlnImageDimensionality #8 \nopticsGroup1 1 300.000000 2.700000 0.100000 "
		    "%.6f %d 2 \n\n\n"
		    "# version 30001\n\ndata_particles\n\nloop_ \n_rlnImageName #1 \n"
		    "_rlnMicrographName #2 \n_rlnOpticsGroup #3 \n", p->apix, p->box);
	for (size_t i = 0; i < plan->nr; i++) {
		const char *rel = plan->stacks[i].rel;
		const char *base = strrchr(rel, '/');
		size_t blen;

		base = base ? base + 1 : rel;
		blen = strlen(base);
		if (blen > 15 && !strcmp(base + blen - 15, "_particles.mrcs"))
			blen -= 15;
		for (int32_t k = 1; k <= plan->stacks[i].nz; k++)
			dynbuf_addf(&b, "%06d@%s MotionCorr/job002/%.*s.mrc 1 \n", (int)k, rel,
				    (int)blen, base);
	}
	dynbuf_add(&b, "\n", 1);
	return dynbuf_detach(&b, len);
}

/*
 * numpy.save of a particle structured array (format 1.0, or 2.0 for a header over 64 KiB):
 * uid, blob/path (|S<longest>), blob/idx, blob/shape, blob/psize_A, blob/sign, blob/import_sig.
 */
static char *cs_bytes(const struct gen_params *p, const struct gen_plan *plan, size_t *len)
{
	struct dynbuf b;
	struct dynbuf h;
	size_t width = 1;
	size_t pre;
	uint64_t uid = p->seed * 0x9e3779b97f4a7c15ull + 1;

	dynbuf_init(&b);
	dynbuf_init(&h);
	for (size_t i = 0; i < plan->nr; i++)
		if (strlen(plan->stacks[i].rel) > width)
			width = strlen(plan->stacks[i].rel);
	dynbuf_addf(&h, "{'descr': [('uid', '<u8'), ('blob/path', '|S%zu'), ('blob/idx', '<u4'), "
		    "('blob/shape', '<u4', (2,)), ('blob/psize_A', '<f4'), ('blob/sign', '<f4'), "
		    "('blob/import_sig', '<u8')], 'fortran_order': False, 'shape': (%llu,), }",
		    width, (unsigned long long)plan->particles);
	pre = dynbuf_len(&h) + 1 + 10 > 65535 ? 12 : 10;
	/* Spaces then '\n' so that the data starts on a 64-byte boundary, as numpy pads. */
	while ((pre + dynbuf_len(&h) + 1) % 64)
		dynbuf_add(&h, " ", 1);
	dynbuf_add(&h, "\n", 1);
	dynbuf_add(&b, "\x93NUMPY", 6);
	dynbuf_add(&b, pre == 10 ? "\x01\x00" : "\x02\x00", 2);
	put_le(&b, dynbuf_len(&h), pre - 8);
	dynbuf_add(&b, dynbuf_str(&h), dynbuf_len(&h));
	dynbuf_release(&h);
	for (size_t i = 0; i < plan->nr; i++) {
		const char *rel = plan->stacks[i].rel;
		size_t rlen = strlen(rel);

		for (int32_t k = 0; k < plan->stacks[i].nz; k++) {
			static const char zeros[64];

			/* Distinct, seeded uids (cryosparc-tools draws random u8 ones). */
			uid = uid * 6364136223846793005ull + 1442695040888963407ull;
			put_le(&b, uid, 8);
			dynbuf_add(&b, rel, rlen);
			for (size_t z = rlen; z < width; z += sizeof(zeros))
				dynbuf_add(&b, zeros,
					    width - z < sizeof(zeros) ? width - z : sizeof(zeros));
			put_le(&b, (uint64_t)k, 4);
			put_le(&b, (uint64_t)(uint32_t)p->box, 4);
			put_le(&b, (uint64_t)(uint32_t)p->box, 4);
			put_f32(&b, (float)p->apix);
			put_f32(&b, -1.0f);
			put_le(&b, 0, 8);
		}
	}
	return dynbuf_detach(&b, len);
}

int gen_write_metadata(const struct gen_params *p, const struct gen_plan *plan, const char *dir)
{
	size_t len;
	char *text = star_text(p, plan, &len);
	char *path = path_join(dir, GEN_STAR);
	int ret = write_atomic(path, text, len);

	free(text);
	if (ret) {
		error("cannot write '%s': %s", path, strerror(-ret));
		free(path);
		return ret;
	}
	free(path);
	text = cs_bytes(p, plan, &len);
	path = path_join(dir, GEN_CS);
	ret = write_atomic(path, text, len);
	if (ret)
		error("cannot write '%s': %s", path, strerror(-ret));
	free(text);
	free(path);
	return ret;
}
