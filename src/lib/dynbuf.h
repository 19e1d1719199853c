/* SPDX-License-Identifier: MIT */
/* dynbuf.h - a growable buffer of bytes, always NUL-terminated (after curl's lib/dynbuf.h). */
#ifndef CCB_DYNBUF_H
#define CCB_DYNBUF_H

#include <stddef.h>

/*
 * Bytes appended at the end, the buffer growing as needed; out of memory aborts (xrealloc), so
 * adding never fails. buf is NULL until something is added; dynbuf_str() is always a string.
 *
 *	struct dynbuf b;
 *
 *	dynbuf_init(&b);
 *	dynbuf_addf(&b, "[%s-%u]\n", name, k);
 *	text = dynbuf_detach(&b, &len);
 */
struct dynbuf {
	char *buf;
	size_t len;	/* bytes held, not counting the NUL after them */
	size_t alloc;	/* bytes allocated at buf */
};

void dynbuf_init(struct dynbuf *b);
/* Free what b holds and make it empty again. */
void dynbuf_release(struct dynbuf *b);

/* Append len bytes of data (which may hold NULs). */
void dynbuf_add(struct dynbuf *b, const void *data, size_t len);
/* Append the string s. */
void dynbuf_addstr(struct dynbuf *b, const char *s);
/* Append printf's output. */
void dynbuf_addf(struct dynbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The bytes held: "" when empty, never NULL; valid until b next changes. */
const char *dynbuf_str(const struct dynbuf *b);
size_t dynbuf_len(const struct dynbuf *b);

/*
 * Hand the buffer over: the caller frees what is returned (never NULL, NUL-terminated), *len
 * (may be NULL) gets its length, and b is empty again.
 */
char *dynbuf_detach(struct dynbuf *b, size_t *len);

#endif
