/* SPDX-License-Identifier: MIT */
/*
 * gen.h - synthetic particle sets: valid MRC2014 stacks of seeded noise, laid out like the
 * extract jobs of a CryoSPARC project (J<n>/extract/<micrograph>_particles.mrcs).
 *
 * The bytes depend only on the parameters (never on threads, timing or the clock; pixels are in
 * the host's byte order, little-endian everywhere we run), so the same parameters give a
 * byte-identical set. The noise barely compresses (gzip -1 keeps over 90%) and no 4 KiB block
 * repeats, so no compressing or deduplicating layer under the benchmark can shortcut a copy.
 *
 *	struct gen_params p;
 *	struct gen_summary sum;
 *
 *	gen_params_init(&p);
 *	p.nr_stacks = 10;
 *	if (gen_write_set(&p, "/data/particles", &sum) < 0)
 *		return 1;
 */
#ifndef CCB_GEN_H
#define CCB_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* The manifest every generated set carries at its top; dataset loaders skip this name. */
#define GEN_MANIFEST ".cryocache-gen.json"
/* The job metadata naming every particle of a set, beside the manifest; also skipped. */
#define GEN_STAR "particles.star"
#define GEN_CS "particles.cs"

/* Bounds gen_params_check() enforces. */
#define GEN_MAX_STACKS 1000000
#define GEN_MIN_BOX 2
#define GEN_MAX_BOX 8192
#define GEN_MAX_PARTICLES 100000
#define GEN_MAX_JOBS 1000
#define GEN_MAX_BYTES (1ull << 60)

struct gen_params {
	uint64_t nr_stacks;	/* stacks to write; 0: as many as total_bytes needs */
	uint64_t total_bytes;	/* with nr_stacks 0: add stacks until the set holds this much */
	int32_t box;		/* image side in pixels */
	int32_t min_particles;	/* images per stack, drawn uniformly from [min, max] */
	int32_t max_particles;
	int32_t mode;		/* MRC_MODE_FLOAT32, MRC_MODE_INT16 or MRC_MODE_FLOAT16 */
	uint64_t seed;
	uint32_t nr_jobs;	/* J<n> job folders the stacks are spread over */
	double apix;		/* pixel size in Angstrom, into the header's cell */
	uint32_t nr_threads;	/* generating threads, 0 = one per CPU; never changes the bytes */
};

/* One stack of a planned set. */
struct gen_stack {
	char *rel;		/* "J12/extract/..._particles.mrcs", relative to the set's folder */
	int32_t nz;		/* particles (images) in the stack */
	uint64_t size;		/* bytes of the whole file */
};

/* The files a set of parameters stands for, before anything is written. */
struct gen_plan {
	struct gen_stack *stacks;
	size_t nr;
	uint64_t particles;
	uint64_t bytes;
	char **dirs;		/* "J12/extract", one per job folder holding stacks */
	size_t nr_dirs;
};

struct gen_summary {
	size_t nr_stacks;
	uint64_t particles;
	uint64_t bytes;
	double seconds;		/* from the first stack to the manifest, 0 when existed */
	bool existed;		/* the folder already held this set; nothing was written */
};

/* Defaults: 2 GiB of 256-pixel float32 stacks of 50-300 particles over 4 jobs, seed 1. */
void gen_params_init(struct gen_params *p);

/* Are the parameters usable? Returns 0, or -EINVAL with the reason in why. */
int gen_params_check(const struct gen_params *p, char *why, size_t len);

/*
 * The parameters that decide the bytes of a set (not nr_threads), as the JSON object the
 * manifest keeps to recognise the set later.
 */
json_t *gen_params_to_json(const struct gen_params *p);

/* Plan the set p describes: names, particle counts and sizes. Returns 0 or -EINVAL. */
int gen_plan_make(struct gen_plan *plan, const struct gen_params *p);
void gen_plan_release(struct gen_plan *plan);

/*
 * Write the set p describes into dir, which must be missing or empty, or already hold exactly
 * this set (then nothing is written and out->existed is set). Free space is checked before
 * anything is written; each stack is written under a temporary name, fsync'ed and renamed, and
 * the manifest GEN_MANIFEST is written last, so a folder without it holds no finished set. On
 * failure the files this call created are removed again.
 *
 * Prints an error naming the folder or file on failure. Returns 0, -EEXIST when dir holds
 * something else, -ENOSPC when the set would not fit, or another -errno.
 */
int gen_write_set(const struct gen_params *p, const char *dir, struct gen_summary *out);

/*
 * Write GEN_STAR (RELION 3.1 particles, one row NNNNNN@path per image) and GEN_CS (a NumPy
 * structured array like a CryoSPARC particle .cs: uid, blob/path, blob/idx, blob/shape,
 * blob/psize_A, blob/sign, blob/import_sig) for plan into dir. Returns 0 or -errno (printed).
 */
int gen_write_metadata(const struct gen_params *p, const struct gen_plan *plan, const char *dir);

#endif
