/* star.h - RELION STAR particle files: the stacks that _rlnImageName names. */
#ifndef CCB_STAR_H
#define CCB_STAR_H

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

#endif
