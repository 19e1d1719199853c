/* SPDX-License-Identifier: MIT */
/* gen_plan.c - the parameters of a generated set and its plan: names, particle counts, sizes. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataset/gen.h"
#include "dataset/gen_int.h"
#include "dataset/mrc.h"
#include "lib/util.h"

/* 2023-01-01T00:00:00Z: the generated acquisitions are dated from here on. */
#define GEN_EPOCH_2023 1672531200

void gen_params_init(struct gen_params *p)
{
	memset(p, 0, sizeof(*p));
	p->nr_stacks = 0;
	p->total_bytes = 2ull << 30;
	p->box = 256;
	p->min_particles = 50;
	p->max_particles = 300;
	p->mode = MRC_MODE_FLOAT32;
	p->seed = 1;
	p->nr_jobs = 4;
	p->apix = 1.0;
	p->nr_threads = 0;
}

static uint64_t gen_image_bytes(const struct gen_params *p)
{
	return (uint64_t)p->box * (uint64_t)p->box * mrc_mode_bytes(p->mode);
}

int gen_params_check(const struct gen_params *p, char *why, size_t len)
{
	uint64_t smallest;
	uint64_t largest;
	char size_buf[32];

	if (p->mode != MRC_MODE_FLOAT32 && p->mode != MRC_MODE_INT16 &&
	    p->mode != MRC_MODE_FLOAT16)
		return reject_why(why, len, "mode %d is not one gen writes (1, 2 or 12)",
				  (int)p->mode);
	if (p->box < GEN_MIN_BOX || p->box > GEN_MAX_BOX)
		return reject_why(why, len, "box %d is outside %d-%d", (int)p->box, GEN_MIN_BOX,
				  GEN_MAX_BOX);
	if (p->min_particles < 1 || p->max_particles < p->min_particles ||
	    p->max_particles > GEN_MAX_PARTICLES)
		return reject_why(why, len, "particles per stack %d-%d is not a range within 1-%d",
				  (int)p->min_particles, (int)p->max_particles, GEN_MAX_PARTICLES);
	if (p->nr_jobs < 1 || p->nr_jobs > GEN_MAX_JOBS)
		return reject_why(why, len, "%u jobs is outside 1-%d", (unsigned)p->nr_jobs,
				  GEN_MAX_JOBS);
	if (!(p->apix > 0.0) || p->apix > 1000.0)
		return reject_why(why, len, "pixel size %g is outside (0, 1000]", p->apix);
	if (p->seed > INT64_MAX)
		return reject_why(why, len, "seed %" PRIu64 " is above %" PRId64, p->seed,
				  INT64_MAX);
	if (p->nr_stacks > GEN_MAX_STACKS)
		return reject_why(why, len, "%" PRIu64 " stacks is more than %d", p->nr_stacks,
				  GEN_MAX_STACKS);
	/* An exabyte is beyond any disk, and keeps every sum of sizes far from wrapping. */
	largest = MRC_HEADER_SIZE + gen_image_bytes(p) * (uint64_t)p->max_particles;
	if (p->nr_stacks > GEN_MAX_BYTES / largest ||
	    (!p->nr_stacks && p->total_bytes > GEN_MAX_BYTES))
		return reject_why(why, len, "the set would be larger than %s",
				  human_size(GEN_MAX_BYTES, size_buf, sizeof(size_buf)));
	if (!p->nr_stacks) {
		if (!p->total_bytes)
			return reject_why(why, len, "neither a number of stacks nor a total size");
		/* The plan is held in memory: bound it before drawing a million names. */
		smallest = MRC_HEADER_SIZE + gen_image_bytes(p) * (uint64_t)p->min_particles;
		if (p->total_bytes / smallest >= GEN_MAX_STACKS)
			return reject_why(why, len, "a total of %" PRIu64 " bytes needs more "
					  "than %d stacks", p->total_bytes, GEN_MAX_STACKS);
	}
	return 0;
}

json_t *gen_params_to_json(const struct gen_params *p)
{
	json_t *o = json_object();

	json_object_set_new(o, "algorithm", json_integer(GEN_ALGORITHM));
	json_object_set_new(o, "stacks", p->nr_stacks ? json_integer((json_int_t)p->nr_stacks)
						     : json_null());
	/* The total only decides anything when the number of stacks is not given. */
	json_object_set_new(o, "total", p->nr_stacks ? json_null()
						    : json_integer((json_int_t)p->total_bytes));
	json_object_set_new(o, "box", json_integer(p->box));
	json_object_set_new(o, "particles_min", json_integer(p->min_particles));
	json_object_set_new(o, "particles_max", json_integer(p->max_particles));
	json_object_set_new(o, "mode", json_integer(p->mode));
	json_object_set_new(o, "seed", json_integer((json_int_t)p->seed));
	json_object_set_new(o, "jobs", json_integer(p->nr_jobs));
	json_object_set_new(o, "apix", json_real(p->apix));
	return o;
}

void gen_plan_release(struct gen_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->nr; i++)
		free(plan->stacks[i].rel);
	free(plan->stacks);
	for (i = 0; i < plan->nr_dirs; i++)
		free(plan->dirs[i]);
	free(plan->dirs);
	memset(plan, 0, sizeof(*plan));
}

/*
 * Names follow what CryoSPARC's extraction writes for EPU movies:
 * <uid>_FoilHole_<hole>_Data_<target>_<target>_<date>_<time>_fractions_patch_aligned_
 * doseweighted_particles.mrcs. The acquisition time advances with every stack, so names never
 * repeat; long names are part of the realism (path lookups, directory sizes).
 */
int gen_plan_make(struct gen_plan *plan, const struct gen_params *p)
{
	const uint64_t image = gen_image_bytes(p);
	const uint64_t spread = (uint64_t)(p->max_particles - p->min_particles) + 1;
	struct gen_rng rng;
	uint32_t jobs[GEN_MAX_JOBS];
	size_t cap = 0;
	size_t nr_jobs;
	uint32_t hole;
	uint32_t target;
	time_t t;
	size_t i;
	size_t j;

	memset(plan, 0, sizeof(*plan));
	if (gen_params_check(p, NULL, 0) < 0)
		return -EINVAL;

	gen_rng_seed(&rng, gen_key(p, GEN_TAG_PLAN, 0));
	/* Projects number their jobs in order of creation, with other jobs in between. */
	jobs[0] = 4 + (uint32_t)gen_rng_below(&rng, 20);
	for (j = 1; j < p->nr_jobs; j++)
		jobs[j] = jobs[j - 1] + 1 + (uint32_t)gen_rng_below(&rng, 8);
	t = GEN_EPOCH_2023 + (time_t)gen_rng_below(&rng, 2 * 365 * 86400);
	hole = 10000000 + (uint32_t)gen_rng_below(&rng, 30000000);
	target = hole - 20000 + (uint32_t)gen_rng_below(&rng, 10000);

	for (i = 0;; i++) {
		struct gen_stack *s;
		uint64_t uid_hi;
		uint64_t uid_lo;
		struct tm tm;

		if (p->nr_stacks ? i >= p->nr_stacks : plan->bytes >= p->total_bytes)
			break;
		if (i == cap) {
			cap = cap ? 2 * cap : 64;
			plan->stacks = xrealloc(plan->stacks, cap * sizeof(*plan->stacks));
		}
		s = &plan->stacks[i];
		s->nz = p->min_particles + (int32_t)gen_rng_below(&rng, spread);
		s->size = MRC_HEADER_SIZE + image * (uint64_t)s->nz;
		/* EPU takes a few exposures per hole, one every 15-45 s, and moves on. */
		t += 15 + (time_t)gen_rng_below(&rng, 30);
		if (i % 4 == 0)
			hole += 1 + (uint32_t)gen_rng_below(&rng, 60);
		if (i % 200 == 0)
			target += 10 + (uint32_t)gen_rng_below(&rng, 1000);
		uid_hi = gen_rng_below(&rng, 100000000000ull);
		uid_lo = gen_rng_below(&rng, 10000000000ull);
		gmtime_r(&t, &tm);
		s->rel = xasprintf("%011" PRIu64 "%010" PRIu64 "_FoilHole_%" PRIu32 "_Data_%" PRIu32
				   "_%" PRIu32 "_%04d%02d%02d_%02d%02d%02d_fractions_patch_aligned_"
				   "doseweighted_particles.mrcs",
				   uid_hi, uid_lo, hole, target, target + 2 + (uint32_t)(i % 4),
				   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
				   tm.tm_min, tm.tm_sec);
		plan->nr = i + 1;
		plan->particles += (uint64_t)s->nz;
		plan->bytes += s->size;
	}

	/* Consecutive micrographs share a job, as when a dataset is extracted in parts. */
	nr_jobs = p->nr_jobs < plan->nr ? p->nr_jobs : plan->nr;
	plan->dirs = xcalloc(nr_jobs ? nr_jobs : 1, sizeof(*plan->dirs));
	plan->nr_dirs = nr_jobs;
	for (j = 0; j < nr_jobs; j++)
		plan->dirs[j] = xasprintf("J%" PRIu32 "/extract", jobs[j]);
	for (i = 0; i < plan->nr; i++) {
		char *name = plan->stacks[i].rel;

		j = i * nr_jobs / plan->nr;
		plan->stacks[i].rel = xasprintf("%s/%s", plan->dirs[j], name);
		free(name);
	}
	return 0;
}
