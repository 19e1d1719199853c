/* SPDX-License-Identifier: MIT */
/* csfile_npy.c - a .cs saved by numpy.save: the Python-literal header, the dtype, blob/path. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataset/csfile_int.h"
#include "lib/util.h"

#define MAX_DEPTH 16

/*
 * The header is a Python literal (ast.literal_eval): a dict of strings, lists, tuples, ints and
 * booleans. A small tree of nodes holds it.
 */
enum lit_kind { LIT_STR, LIT_INT, LIT_BOOL, LIT_NONE, LIT_LIST, LIT_DICT };

struct lit {
	enum lit_kind kind;
	const char *s;		/* LIT_STR: the text between the quotes (no escapes seen) */
	size_t len;
	long long i;
	struct lit *kids;	/* LIT_LIST (and tuples); LIT_DICT: key, value, key, value... */
	size_t nr;
};

struct lexer {
	const char *s;
	size_t len;
	size_t pos;
	size_t base;		/* byte offset of s in the file, for messages */
	char *why;
	size_t whylen;
};

static void lit_free(struct lit *l)
{
	for (size_t i = 0; i < l->nr; i++)
		lit_free(&l->kids[i]);
	free(l->kids);
	l->kids = NULL;
	l->nr = 0;
}

static void skip_ws(struct lexer *x)
{
	while (x->pos < x->len && (x->s[x->pos] == ' ' || x->s[x->pos] == '\t' ||
				   x->s[x->pos] == '\n' || x->s[x->pos] == '\r'))
		x->pos++;
}

static int lex_fail(struct lexer *x, const char *what)
{
	return csfile_fail(x->why, x->whylen, x->base + x->pos, "expected %s in the NumPy header",
			   what);
}

static int parse_lit(struct lexer *x, struct lit *out, int depth);

static void push(struct lit *parent, const struct lit *kid)
{
	parent->kids = xrealloc(parent->kids, (parent->nr + 1) * sizeof(*parent->kids));
	parent->kids[parent->nr++] = *kid;
}

static int parse_seq(struct lexer *x, struct lit *out, char close, bool dict, int depth)
{
	out->kind = dict ? LIT_DICT : LIT_LIST;
	x->pos++;
	for (;;) {
		struct lit kid = { 0 };
		int ret;

		skip_ws(x);
		if (x->pos < x->len && x->s[x->pos] == close) {
			x->pos++;
			return 0;
		}
		ret = parse_lit(x, &kid, depth + 1);
		if (ret) {
			lit_free(&kid);
			return ret;
		}
		push(out, &kid);
		if (dict) {
			struct lit val = { 0 };

			skip_ws(x);
			if (x->pos >= x->len || x->s[x->pos] != ':')
				return lex_fail(x, "':'");
			x->pos++;
			ret = parse_lit(x, &val, depth + 1);
			if (ret) {
				lit_free(&val);
				return ret;
			}
			push(out, &val);
		}
		skip_ws(x);
		if (x->pos < x->len && x->s[x->pos] == ',') {
			x->pos++;
			continue;
		}
		if (x->pos < x->len && x->s[x->pos] == close) {
			x->pos++;
			return 0;
		}
		return lex_fail(x, close == ')' ? "',' or ')'" : close == ']' ? "',' or ']'"
										: "',' or '}'");
	}
}

static int parse_lit(struct lexer *x, struct lit *out, int depth)
{
	char ch;

	skip_ws(x);
	if (depth > MAX_DEPTH)
		return lex_fail(x, "less nesting");
	if (x->pos >= x->len)
		return lex_fail(x, "a value");
	ch = x->s[x->pos];
	if (ch == '{')
		return parse_seq(x, out, '}', true, depth);
	if (ch == '[')
		return parse_seq(x, out, ']', false, depth);
	if (ch == '(')
		return parse_seq(x, out, ')', false, depth);
	if (ch == '\'' || ch == '"') {
		size_t start = ++x->pos;

		while (x->pos < x->len && x->s[x->pos] != ch) {
			if (x->s[x->pos] == '\\')
				return lex_fail(x, "a string without escapes");
			x->pos++;
		}
		if (x->pos >= x->len)
			return lex_fail(x, "a closing quote");
		out->kind = LIT_STR;
		out->s = x->s + start;
		out->len = x->pos - start;
		x->pos++;
		return 0;
	}
	if ((ch >= '0' && ch <= '9') || ch == '-') {
		long long v = 0;
		bool neg = ch == '-';

		if (neg)
			x->pos++;
		if (x->pos >= x->len || x->s[x->pos] < '0' || x->s[x->pos] > '9')
			return lex_fail(x, "a digit");
		while (x->pos < x->len && x->s[x->pos] >= '0' && x->s[x->pos] <= '9') {
			if (v > (LLONG_MAX - 9) / 10)
				return lex_fail(x, "a smaller integer");
			v = 10 * v + (x->s[x->pos++] - '0');
		}
		/* numpy may write 3L on Python 2 */
		if (x->pos < x->len && x->s[x->pos] == 'L')
			x->pos++;
		out->kind = LIT_INT;
		out->i = neg ? -v : v;
		return 0;
	}
	if (x->len - x->pos >= 4 && !memcmp(x->s + x->pos, "True", 4)) {
		x->pos += 4;
		out->kind = LIT_BOOL;
		out->i = 1;
		return 0;
	}
	if (x->len - x->pos >= 5 && !memcmp(x->s + x->pos, "False", 5)) {
		x->pos += 5;
		out->kind = LIT_BOOL;
		return 0;
	}
	if (x->len - x->pos >= 4 && !memcmp(x->s + x->pos, "None", 4)) {
		x->pos += 4;
		out->kind = LIT_NONE;
		return 0;
	}
	return lex_fail(x, "a Python literal");
}

static const struct lit *dict_get(const struct lit *d, const char *key)
{
	for (size_t i = 0; i + 1 < d->nr; i += 2)
		if (d->kids[i].kind == LIT_STR && d->kids[i].len == strlen(key) &&
		    !memcmp(d->kids[i].s, key, d->kids[i].len))
			return &d->kids[i + 1];
	return NULL;
}

int csfile_typestr_size(const char *s, size_t len, struct csfile_field *f)
{
	char order;
	char kind;
	uint64_t n = 0;

	if (len < 3 || len > 24)
		return -EINVAL;
	order = s[0];
	kind = s[1];
	if (order != '<' && order != '>' && order != '|' && order != '=')
		return -EINVAL;
	for (size_t i = 2; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || n > UINT32_MAX)
			return -EINVAL;
		n = 10 * n + (uint64_t)(s[i] - '0');
	}
	f->kind = kind;
	f->little = order != '>';
	f->width = n;
	switch (kind) {
	case 'b': case 'i': case 'u': case 'f': case 'c': case 'S': case 'V': case 'a':
		f->size = n;
		break;
	case 'U':
		f->size = 4 * n;
		break;
	default:
		/* 'O' (object) cannot be in a .cs: cryosparc-tools saves with allow_pickle=False.
		 */
		return -EINVAL;
	}
	return 0;
}

/* The typestr of a header literal. */
static int typestr_size(const struct lit *t, struct csfile_field *f)
{
	if (t->kind != LIT_STR)
		return -EINVAL;
	return csfile_typestr_size(t->s, t->len, f);
}

static int descr_size(const struct lit *d, uint64_t *size, const char *want,
		      struct csfile_field *found, int depth);

/* Size of a dtype given as a typestr or a nested descr list. */
static int dtype_size(const struct lit *t, uint64_t *size, int depth)
{
	struct csfile_field f;

	if (t->kind == LIT_LIST)
		return descr_size(t, size, NULL, NULL, depth + 1);
	if (typestr_size(t, &f))
		return -EINVAL;
	*size = f.size;
	return 0;
}

/* Walk a structured descr: the itemsize, and the field named want (top level) if any. */
static int descr_size(const struct lit *d, uint64_t *size, const char *want,
		      struct csfile_field *found, int depth)
{
	uint64_t off = 0;

	if (depth > MAX_DEPTH || d->kind != LIT_LIST || !d->nr)
		return -EINVAL;
	for (size_t i = 0; i < d->nr; i++) {
		const struct lit *e = &d->kids[i];
		uint64_t esize;
		uint64_t count = 1;

		if (e->kind != LIT_LIST || e->nr < 2 || e->nr > 3 || e->kids[0].kind != LIT_STR)
			return -EINVAL;
		if (dtype_size(&e->kids[1], &esize, depth))
			return -EINVAL;
		if (e->nr == 3) {
			const struct lit *shape = &e->kids[2];

			if (shape->kind == LIT_INT) {
				if (shape->i < 0)
					return -EINVAL;
				count = (uint64_t)shape->i;
			} else if (shape->kind == LIT_LIST) {
				for (size_t k = 0; k < shape->nr; k++) {
					if (shape->kids[k].kind != LIT_INT ||
					    shape->kids[k].i < 0 ||
					    (shape->kids[k].i &&
					     count > UINT32_MAX / (uint64_t)shape->kids[k].i))
						return -EINVAL;
					count *= (uint64_t)shape->kids[k].i;
				}
			} else {
				return -EINVAL;
			}
		}
		if (want && e->kids[0].len == strlen(want) &&
		    !memcmp(e->kids[0].s, want, e->kids[0].len) && e->nr == 2) {
			if (typestr_size(&e->kids[1], found))
				return -EINVAL;
			found->offset = off;
		}
		if (esize > UINT32_MAX || count * esize > UINT32_MAX)
			return -EINVAL;
		off += count * esize;
		if (off > UINT32_MAX)
			return -EINVAL;
	}
	*size = off;
	return 0;
}

/* Append the UTF-8 of a UCS-4 string (bad code points refused). */
static int ucs4_to_utf8(const unsigned char *p, uint64_t width, bool little, char *out,
			size_t *outlen)
{
	size_t n = 0;

	for (uint64_t i = 0; i < width; i++, p += 4) {
		uint32_t c = little ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
					      (uint32_t)p[3] << 24
				    : (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
					      (uint32_t)p[0] << 24;

		if (!c)
			break;
		if (c < 0x80) {
			out[n++] = (char)c;
		} else if (c < 0x800) {
			out[n++] = (char)(0xc0 | c >> 6);
			out[n++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000 && (c < 0xd800 || c > 0xdfff)) {
			out[n++] = (char)(0xe0 | c >> 12);
			out[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (c & 0x3f));
		} else if (c >= 0x10000 && c < 0x110000) {
			out[n++] = (char)(0xf0 | c >> 18);
			out[n++] = (char)(0x80 | ((c >> 12) & 0x3f));
			out[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[n++] = (char)(0x80 | (c & 0x3f));
		} else {
			return -EINVAL;
		}
	}
	*outlen = n;
	return 0;
}

int csfile_parse_npy(const unsigned char *buf, size_t len, struct stack_list *out, char *why,
		     size_t whylen)
{
	struct lexer x = { .why = why, .whylen = whylen };
	struct lit hdr = { 0 };
	const struct lit *descr;
	const struct lit *shape;
	struct csfile_field path = { 0 };
	uint64_t itemsize;
	uint64_t rows;
	size_t hlen;
	size_t data;
	char *tmp = NULL;
	int ret;

	if (len < 10)
		return csfile_fail(why, whylen, len,
				   "expected the NumPy version and header length");
	if (buf[6] == 1 && buf[7] == 0) {
		hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
		data = 10;
	} else if ((buf[6] == 2 || buf[6] == 3) && buf[7] == 0) {
		if (len < 12)
			return csfile_fail(why, whylen, len, "expected a 4-byte header length");
		hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 |
		       (size_t)buf[11] << 24;
		data = 12;
	} else {
		return csfile_fail(why, whylen, 6,
				   "expected NumPy format version 1.0, 2.0 or 3.0, not %u.%u",
				   buf[6], buf[7]);
	}
	if (hlen > len - data)
		return csfile_fail(why, whylen, data,
				   "expected a %zu-byte header, the file has %zu bytes "
				   "after this",
				   hlen, len - data);
	x.s = (const char *)buf + data;
	x.len = hlen;
	x.base = data;
	skip_ws(&x);
	if (x.pos >= x.len || x.s[x.pos] != '{') {
		ret = lex_fail(&x, "'{'");
		goto out;
	}
	ret = parse_lit(&x, &hdr, 0);
	if (ret)
		goto out;
	descr = dict_get(&hdr, "descr");
	shape = dict_get(&hdr, "shape");
	if (!descr || !shape || !dict_get(&hdr, "fortran_order")) {
		ret = csfile_fail(why, whylen, data,
				  "expected the keys 'descr', 'fortran_order' and "
				  "'shape' in the NumPy header");
		goto out;
	}
	if (descr->kind != LIT_LIST) {
		ret = csfile_fail(why, whylen, data,
				  "expected a structured array (a list in 'descr'): "
				  "not a CryoSPARC dataset");
		goto out;
	}
	path.size = UINT64_MAX;
	if (descr_size(descr, &itemsize, "blob/path", &path, 0) || !itemsize) {
		ret = csfile_fail(why, whylen, data,
				  "expected a valid structured dtype in 'descr'");
		goto out;
	}
	if (path.size == UINT64_MAX || (path.kind != 'S' && path.kind != 'U')) {
		ret = csfile_fail(why, whylen, data,
				  "expected a 'blob/path' string field (|S or <U): not "
				  "a particle dataset");
		goto out;
	}
	if (shape->kind != LIT_LIST || shape->nr != 1 || shape->kids[0].kind != LIT_INT ||
	    shape->kids[0].i < 0) {
		ret = csfile_fail(why, whylen, data, "expected a 1-D 'shape' such as (N,)");
		goto out;
	}
	rows = (uint64_t)shape->kids[0].i;
	data += hlen;
	if (rows > (len - data) / itemsize) {
		ret = csfile_fail(why, whylen, len,
				  "expected %llu rows of %llu bytes from byte %zu: the "
				  "data ends early",
				  (unsigned long long)rows, (unsigned long long)itemsize, data);
		goto out;
	}
	tmp = xmalloc(4 * path.width + 1);
	for (uint64_t r = 0; r < rows; r++) {
		const unsigned char *p = buf + data + r * itemsize + path.offset;
		size_t n;

		if (path.kind == 'S') {
			const unsigned char *z = memchr(p, '\0', path.width);

			n = z ? (size_t)(z - p) : path.width;
			memcpy(tmp, p, n);
		} else if (ucs4_to_utf8(p, path.width, path.little, tmp, &n)) {
			ret = csfile_fail(why, whylen, (size_t)(p - buf),
					  "expected a Unicode code point in "
					  "blob/path");
			goto out;
		}
		if (!n) {
			ret = csfile_fail(why, whylen, (size_t)(p - buf),
					  "expected a path in blob/path of "
					  "row %llu",
					  (unsigned long long)r);
			goto out;
		}
		stack_list_add(out, tmp, n);
		stack_list_passed(out, p);
	}
	ret = 0;
out:
	free(tmp);
	lit_free(&hdr);
	return ret;
}

