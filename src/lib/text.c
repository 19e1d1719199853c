/* SPDX-License-Identifier: MIT */
/* text.c - names as valid text: the reversible \xNN escape, JSON strings and keys, CSV fields. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/text.h"

/* util.c's add_stringf() uses this module: allocation is its own, aborting as xmalloc() does. */
static void *text_alloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		fprintf(stderr, "cryocache-bench: out of memory (allocating %zu bytes)\n", n);
		abort();
	}
	return p;
}

static char *text_dup(const char *s)
{
	const size_t n = strlen(s) + 1;

	return memcpy(text_alloc(n), s, n);
}

/*
 * Bytes of the valid UTF-8 sequence at s (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF, as jansson checks), or 0 when s does not start one.
 */
static size_t utf8_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the terminating NUL */
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

bool text_is_plain(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_len(p);

		if (!n || *p == '\\' || is_control(*p))
			return false;
		p += n;
	}
	return true;
}

char *text_escape(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	char *out;
	char *w;

	if (text_is_plain(s))
		return text_dup(s);
	/* At most four characters a byte. */
	out = text_alloc(4 * strlen(s) + 1);
	w = out;
	while (*p) {
		size_t n = utf8_len(p);

		if (*p == '\\') {
			*w++ = '\\';
			*w++ = '\\';
			p++;
		} else if (!n || is_control(*p)) {
			*w++ = '\\';
			*w++ = 'x';
			*w++ = hex[*p >> 4];
			*w++ = hex[*p & 0xf];
			p++;
		} else {
			memcpy(w, p, n);
			w += n;
			p += n;
		}
	}
	*w = '\0';
	return out;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *text_unescape(const char *s)
{
	char *out = text_alloc(strlen(s) + 1);
	char *w = out;

	while (*s) {
		if (*s != '\\') {
			*w++ = *s++;
			continue;
		}
		if (s[1] == '\\') {
			*w++ = '\\';
			s += 2;
			continue;
		}
		if (s[1] != 'x' || hex_value(s[2]) < 0 || hex_value(s[3]) < 0 ||
		    (s[2] == '0' && s[3] == '0')) {
			free(out);
			return NULL;
		}
		*w++ = (char)(hex_value(s[2]) << 4 | hex_value(s[3]));
		s += 4;
	}
	*w = '\0';
	return out;
}

json_t *text_json(const char *s)
{
	char *e;
	json_t *v;

	if (!s)
		return json_null();
	if (text_is_plain(s))
		return json_string(s);
	e = text_escape(s);
	v = json_string(e);
	free(e);
	return v;
}

int text_json_set(json_t *o, const char *name, json_t *v)
{
	char *e = text_escape(name);
	int ret = json_object_set_new(o, e, v);

	free(e);
	return ret;
}

void text_csv_field(FILE *f, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

char *text_csv_next(char **p)
{
	char *field = *p;
	char *r;
	char *w;

	if (*field != '"') {
		size_t len = strcspn(field, ",\r");

		*p = field[len] == ',' ? field + len + 1 : NULL;
		field[len] = '\0';
		return field;
	}
	/* Quoted: "" is a quote; the field ends at the closing quote, then a comma or the end. */
	for (r = field + 1, w = field; *r; r++) {
		if (*r == '"' && r[1] == '"') {
			*w++ = '"';
			r++;
		} else if (*r == '"') {
			r++;
			break;
		} else {
			*w++ = *r;
		}
	}
	r += strcspn(r, ",\r");
	*p = *r == ',' ? r + 1 : NULL;
	*w = '\0';
	return field;
}
