/* SPDX-License-Identifier: MIT */
/* star.h - RELION STAR particle files: the stacks that _rlnImageName names. */
#ifndef CCB_STAR_H
#define CCB_STAR_H

#include <stdbool.h>
#include <stddef.h>

#include "dataset/stacklist.h"

/*
 * Parse the STAR text buf (len bytes) into out (initialised by the caller): the block
 * data_particles (RELION 3.1+), or else the first block with an _rlnImageName column (older
 * files). Each row's NNNNNN@path counts one particle of path. Comments, quotes, extra columns
 * and CR+LF line ends are accepted; a row with the wrong number of values, a block without
 * _rlnImageName, an empty name or a NUL byte are not.
 * Returns 0, or -EINVAL with "line N: what was expected" in why.
 */
int star_parse(const char *buf, size_t len, struct stack_list *out, char *why, size_t whylen);

/* One particle row of a RELION particles .star, as RELION's Experiment reads it. */
struct star_particle {
	const char *image;		/* rlnImageName as written ("000001@x.mrcs"), in the text */
	size_t image_len;
	const char *micrograph;		/* rlnMicrographName in the text; NULL without the column */
	size_t micrograph_len;
	unsigned group;			/* the optics group as RELION numbers it, from 1 */
	size_t line;			/* of the row, for messages */
};

struct star_particles {
	struct star_particle *items;	/* in the file's order */
	size_t nr;
	unsigned nr_groups;		/* the optics groups RELION knows of */
	bool optics_table;		/* RELION 3.1+: data_optics; else grouped as 3.1 converts 3.0 */
	bool has_micrographs;		/* the rows have _rlnMicrographName */
};

/*
 * Parse the STAR text buf (len bytes) into its particle rows: data_particles, numbered into the
 * optics groups of data_optics as RELION 3.1 numbers them (by row; a particle naming a group
 * the table lacks is an error), or for a file without data_optics (RELION 3.0) the first block
 * with _rlnImageName, grouped as RELION 3.1's converter groups it (distinct combinations of the
 * optics columns present; one group when there are none). The rows point into buf, which must
 * outlive out. Returns 0, or -EINVAL with "line N: what was expected" in why; out is empty then.
 */
int star_particles_parse(const char *buf, size_t len, struct star_particles *out, char *why,
			 size_t whylen);
void star_particles_release(struct star_particles *p);

#endif
