/* SPDX-License-Identifier: MIT */
/*
 * relion.h - RELION's scratch copy (relion_refine --scratch_dir): the plan of which particle
 * goes into which stack, in which order (relion_plan.c, pure), for the relion strategy
 * (relion.c) and its verification.
 *
 * RELION 3.1's Experiment::read() sorts the particles by rlnMicrographName (stable, byte order;
 * after the '@' when the names are movie frames), and copyParticlesToScratch() walks them in that
 * order, one copier per node: each image is appended to the stack of its optics group, a
 * particle naming the same image and group as the one before it is not copied again.
 *
 * With more than one thread (our extension: RELION has none), the particles are split into
 * units, each copied by one thread exactly as RELION copies its whole list: one unit per optics
 * group (each group's stack keeps RELION's name), or a contiguous part of the list per thread
 * (each part writes its own stack per group: opticsgroup<G>_particles_part<K>.mrcs).
 */
#ifndef CCB_RELION_H
#define CCB_RELION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset/dataset.h"
#include "dataset/star.h"

/* Where RELION puts its copies below --scratch_dir (Experiment::setScratchDirectory). */
#define RELION_VOLATILE "relion_volatile"

enum relion_split {
	RELION_SPLIT_AUTO,		/* groups when there are as many as threads, else particles */
	RELION_SPLIT_GROUPS,
	RELION_SPLIT_PARTICLES,
};

struct relion_particle {
	uint32_t stack;			/* index into ds->files */
	uint32_t image;			/* 0-based, as RELION selects it from "N@stack" */
	uint32_t group;			/* optics group, 0-based */
	bool dup;			/* same name and group as the one before it in its unit */
	size_t line;			/* of its row in the .star */
};

/* What one thread copies as RELION copies its whole list: particles[first, first + nr). */
struct relion_unit {
	size_t first;
	size_t nr;
	unsigned part;			/* 0: RELION's stack names; K: _partK (particles split) */
};

struct relion_plan {
	struct relion_particle *particles;	/* unit after unit, each in RELION's order */
	size_t nr;
	struct relion_unit *units;
	size_t nr_units;
	unsigned nr_groups;		/* the optics groups RELION knows of */
	enum relion_split split;	/* what was chosen: AUTO means one unit (one thread) */
	size_t nr_dropped;		/* particles of stacks not in the set (--sample) */
	uint64_t *stack_particles;	/* per ds->files entry: particles of the plan naming it */
	bool sorted;			/* by rlnMicrographName, as RELION sorts */
};

/*
 * The plan for copying the particles sp names, whose stacks ds lists (the same .star read by
 * dataset_load), with nthreads threads. Every stack must be a .mrcs (RELION reads stacks of
 * images from .mrcs files only) and every image name "N@stack". Particles of stacks ds lacks
 * (left out by --sample) are dropped and counted. Returns 0, or -EINVAL with why.
 */
int relion_plan_build(struct relion_plan *plan, const struct star_particles *sp,
		      const struct dataset *ds, unsigned nthreads, enum relion_split split,
		      char *why, size_t len);
void relion_plan_release(struct relion_plan *plan);

/* The name of the stack unit u writes for group g (0-based), below relion_volatile/. */
char *relion_stack_name(const struct relion_plan *plan, const struct relion_unit *u, unsigned g);

/*
 * RELION's budget for the copy (prepareScratchDirectory, copyParticlesToScratch): the free space
 * f_bsize * f_bfree of the scratch filesystem, in GiB as a double, less --keep_free_scratch, back
 * in bytes, truncated. Negative when keep_free is more than is free.
 */
int64_t relion_max_space(uint64_t bsize, uint64_t bfree, uint64_t keep_free);

/*
 * The free-space rule: one more particle of one_part bytes (box^2 x 4) is counted into *used;
 * it fits while *used stays at most max. A particle that does not fit stops the copy: it and
 * every particle after it are read from where they are.
 */
bool relion_space_take(int64_t *used, int64_t one_part, int64_t max);

/* ---- between relion.c and relion_verify.c --------------------------------------------------- */

struct copy_job;
struct copy_verify;
struct json_t;

/* The strategy's options (copy_job.eo). */
struct relion_opts {
	uint64_t keep_free_scratch;	/* --keep-free-scratch: RELION's --keep_free_scratch */
	char *split;			/* --relion-split: auto, groups, particles */
};

/* A .star read and planned: the text the rows point into, the rows, the plan. */
struct relion_source {
	char *text;
	size_t len;
	struct star_particles sp;
	struct relion_plan plan;
};

/*
 * Read the .star of ds (ds->meta) and plan its copy with nthreads threads, split as o says (NULL:
 * auto). Returns 0, or -errno with the whole message in why.
 */
int relion_source_load(struct relion_source *rs, const struct dataset *ds,
		       const struct relion_opts *o, unsigned nthreads, char *why, size_t len);
void relion_source_release(struct relion_source *rs);

/* The strategy's verify hook (relion_verify.c): the scratch stacks image by image. */
int relion_verify(const struct copy_job *job, unsigned nthreads, const struct json_t *report,
		  struct copy_verify *v);

#endif
