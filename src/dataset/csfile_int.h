/* SPDX-License-Identifier: MIT */
/* csfile_int.h - what the readers of the two .cs encodings (NumPy, CSDAT) share. */
#ifndef CCB_CSFILE_INT_H
#define CCB_CSFILE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataset/stacklist.h"

/* One field of a structured dtype. */
struct csfile_field {
	uint64_t offset;
	uint64_t size;		/* bytes of one element */
	char kind;		/* 'S' bytes, 'U' UCS-4, other */
	bool little;		/* for 'U' */
	uint64_t width;		/* characters of a string */
};

/* Write "byte off: " and the rest into why (when why is not NULL); returns -EINVAL. */
int csfile_fail(char *why, size_t whylen, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The size and kind of a NumPy typestr such as '<u8', '|S40', '<U12', '|V4'. 0 or -EINVAL. */
int csfile_typestr_size(const char *s, size_t len, struct csfile_field *f);

/* csfile_parse() of a "\x93NUMPY" file, and of a "\x95CSDAT" stream (with liblz4 only). */
int csfile_parse_npy(const unsigned char *buf, size_t len, struct stack_list *out, char *why,
		     size_t whylen);
int csfile_parse_csdat(const unsigned char *buf, size_t len, struct stack_list *out, char *why,
		       size_t whylen);

#endif
