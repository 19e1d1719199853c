/* SPDX-License-Identifier: MIT */
/* dynbuf.c - a growable buffer of bytes, always NUL-terminated. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dynbuf.h"
#include "lib/util.h"

void dynbuf_init(struct dynbuf *b)
{
	b->buf = NULL;
	b->len = 0;
	b->alloc = 0;
}

void dynbuf_release(struct dynbuf *b)
{
	free(b->buf);
	dynbuf_init(b);
}

/* Room for extra more bytes and the NUL after them. */
static void dynbuf_grow(struct dynbuf *b, size_t extra)
{
	size_t want;

	if (extra >= SIZE_MAX - b->len)
		abort();
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return;
	if (b->alloc < 64)
		b->alloc = 64;
	while (b->alloc < want)
		b->alloc = b->alloc > SIZE_MAX / 2 ? want : 2 * b->alloc;
	b->buf = xrealloc(b->buf, b->alloc);
}

void dynbuf_add(struct dynbuf *b, const void *data, size_t len)
{
	dynbuf_grow(b, len);
	if (len)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

void dynbuf_addstr(struct dynbuf *b, const char *s)
{
	dynbuf_add(b, s, strlen(s));
}

void dynbuf_addf(struct dynbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	dynbuf_grow(b, 64);
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	if ((size_t)n >= b->alloc - b->len) {
		dynbuf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

const char *dynbuf_str(const struct dynbuf *b)
{
	return b->buf ? b->buf : "";
}

size_t dynbuf_len(const struct dynbuf *b)
{
	return b->len;
}

char *dynbuf_detach(struct dynbuf *b, size_t *len)
{
	char *p = b->buf ? b->buf : xstrdup("");

	if (len)
		*len = b->len;
	dynbuf_init(b);
	return p;
}
