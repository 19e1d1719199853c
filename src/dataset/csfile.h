/* SPDX-License-Identifier: MIT */
/* csfile.h - CryoSPARC .cs datasets (cryosparc-tools): the stacks that blob/path names. */
#ifndef CCB_CSFILE_H
#define CCB_CSFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "dataset/stacklist.h"

/* Does buf start like a .cs file (the NumPy or the compressed stream magic)? */
bool csfile_is_cs(const unsigned char *buf, size_t len);

/*
 * Parse a .cs file held in buf (len bytes) into out (initialised by the caller): each row's
 * blob/path counts one particle of that stack. The NumPy format (\x93NUMPY, header v1, v2 or
 * v3, a 1-D structured array with blob/path stored as |S<n> or <U<n>) and the compressed
 * \x95CSDAT stream (JSON header, LZ4 columns, string heap) when built with liblz4; without it
 * a CSDAT file is refused with -ENOTSUP.
 * Returns 0, -ENOTSUP, or -EINVAL with "byte N: what was expected" in why.
 */
int csfile_parse(const unsigned char *buf, size_t len, struct stack_list *out, char *why,
		 size_t whylen);

/*
 * A CryoSPARC output group file (.csg, YAML): the metafile of its blob result, e.g.
 * "results:\n  blob:\n    metafile: '>J42_particles.cs'". *metafile (allocated) keeps the
 * leading '>' that means "in the .csg's own folder". Returns 0, or -EINVAL with "line N: ..."
 * in why when there is no results.blob.metafile.
 */
int csfile_csg_metafile(const char *text, size_t len, char **metafile, char *why, size_t whylen);

/* Does text look like a .csg (a top-level "results:" key)? */
bool csfile_is_csg(const char *text, size_t len);

#endif
