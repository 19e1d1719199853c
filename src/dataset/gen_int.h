/* SPDX-License-Identifier: MIT */
/* gen_int.h - what the set writer (gen.c) and its planner (gen_plan.c) share: seeded streams. */
#ifndef CCB_GEN_INT_H
#define CCB_GEN_INT_H

#include <stdint.h>

struct gen_params;

/*
 * Bumped whenever the bytes written for the same parameters change, so that a manifest left by
 * an older generator is not taken for the set a newer one would write.
 */
#define GEN_ALGORITHM 2

/* Streams of the random generator; each use gets its own so that they never overlap. */
enum gen_tag {
	GEN_TAG_PLAN = 1,
	GEN_TAG_DATA = 2,
};

/* xoshiro256** (Blackman and Vigna): fast, and far more than random enough for noise. */
struct gen_rng {
	uint64_t s[4];
};

/* The seed of stream tag's index-th use for the set p describes (seed, box and mode). */
uint64_t gen_key(const struct gen_params *p, enum gen_tag tag, uint64_t index);
void gen_rng_seed(struct gen_rng *r, uint64_t key);
/* A number in [0, n) from one draw. */
uint64_t gen_rng_below(struct gen_rng *r, uint64_t n);

#endif
