/* csfile.c - read the stack paths of a CryoSPARC .cs file (pure: bytes in, stack list out). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#ifdef HAVE_LZ4
#include <lz4.h>
#endif

#include "dataset/csfile.h"
#include "lib/util.h"

#define NPY_MAGIC "\x93NUMPY"
#define CSDAT_MAGIC "\x95" "CSDAT"
#define MAX_DEPTH 16

bool csfile_is_cs(const unsigned char *buf, size_t len)
{
	return len >= 6 && (!memcmp(buf, NPY_MAGIC, 6) || !memcmp(buf, CSDAT_MAGIC, 6));
}

static int fail(char *why, size_t whylen, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *why, size_t whylen, size_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!why || !whylen)
		return -EINVAL;
	n = snprintf(why, whylen, "byte %zu: ", off);
	if (n >= 0 && (size_t)n < whylen) {
		va_start(ap, fmt);
		vsnprintf(why + n, whylen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

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
	return fail(x->why, x->whylen, x->base + x->pos, "expected %s in the NumPy header", what);
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

struct field {
	uint64_t offset;
	uint64_t size;		/* bytes of one element */
	char kind;		/* 'S' bytes, 'U' UCS-4, other */
	bool little;		/* for 'U' */
	uint64_t width;		/* characters of a string */
};

/* Size of a typestr such as '<u8', '|S40', '<U12', '|V4'. */
static int typestr_size(const struct lit *t, struct field *f)
{
	char order;
	char kind;
	uint64_t n = 0;

	if (t->kind != LIT_STR || t->len < 3 || t->len > 24)
		return -EINVAL;
	order = t->s[0];
	kind = t->s[1];
	if (order != '<' && order != '>' && order != '|' && order != '=')
		return -EINVAL;
	for (size_t i = 2; i < t->len; i++) {
		if (t->s[i] < '0' || t->s[i] > '9' || n > UINT32_MAX)
			return -EINVAL;
		n = 10 * n + (uint64_t)(t->s[i] - '0');
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

static int descr_size(const struct lit *d, uint64_t *size, const char *want, struct field *found,
		      int depth);

/* Size of a dtype given as a typestr or a nested descr list. */
static int dtype_size(const struct lit *t, uint64_t *size, int depth)
{
	struct field f;

	if (t->kind == LIT_LIST)
		return descr_size(t, size, NULL, NULL, depth + 1);
	if (typestr_size(t, &f))
		return -EINVAL;
	*size = f.size;
	return 0;
}

/* Walk a structured descr: the itemsize, and the field named want (top level) if any. */
static int descr_size(const struct lit *d, uint64_t *size, const char *want, struct field *found,
		      int depth)
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

static int parse_npy(const unsigned char *buf, size_t len, struct stack_list *out, char *why,
		     size_t whylen)
{
	struct lexer x = { .why = why, .whylen = whylen };
	struct lit hdr = { 0 };
	const struct lit *descr;
	const struct lit *shape;
	struct field path = { 0 };
	uint64_t itemsize;
	uint64_t rows;
	size_t hlen;
	size_t data;
	char *tmp = NULL;
	int ret;

	if (len < 10)
		return fail(why, whylen, len, "expected the NumPy version and header length");
	if (buf[6] == 1 && buf[7] == 0) {
		hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
		data = 10;
	} else if ((buf[6] == 2 || buf[6] == 3) && buf[7] == 0) {
		if (len < 12)
			return fail(why, whylen, len, "expected a 4-byte header length");
		hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 |
		       (size_t)buf[11] << 24;
		data = 12;
	} else {
		return fail(why, whylen, 6,
			    "expected NumPy format version 1.0, 2.0 or 3.0, not %u.%u", buf[6],
			    buf[7]);
	}
	if (hlen > len - data)
		return fail(why, whylen, data, "expected a %zu-byte header, the file has %zu bytes "
			    "after this", hlen, len - data);
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
		ret = fail(why, whylen, data, "expected the keys 'descr', 'fortran_order' and "
			   "'shape' in the NumPy header");
		goto out;
	}
	if (descr->kind != LIT_LIST) {
		ret = fail(why, whylen, data, "expected a structured array (a list in 'descr'): "
			   "not a CryoSPARC dataset");
		goto out;
	}
	path.size = UINT64_MAX;
	if (descr_size(descr, &itemsize, "blob/path", &path, 0) || !itemsize) {
		ret = fail(why, whylen, data, "expected a valid structured dtype in 'descr'");
		goto out;
	}
	if (path.size == UINT64_MAX || (path.kind != 'S' && path.kind != 'U')) {
		ret = fail(why, whylen, data, "expected a 'blob/path' string field (|S or <U): not "
			   "a particle dataset");
		goto out;
	}
	if (shape->kind != LIT_LIST || shape->nr != 1 || shape->kids[0].kind != LIT_INT ||
	    shape->kids[0].i < 0) {
		ret = fail(why, whylen, data, "expected a 1-D 'shape' such as (N,)");
		goto out;
	}
	rows = (uint64_t)shape->kids[0].i;
	data += hlen;
	if (rows > (len - data) / itemsize) {
		ret = fail(why, whylen, len,
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
			ret = fail(why, whylen, (size_t)(p - buf),
				   "expected a Unicode code point in "
				   "blob/path");
			goto out;
		}
		if (!n) {
			ret = fail(why, whylen, (size_t)(p - buf),
				   "expected a path in blob/path of "
				   "row %llu",
				   (unsigned long long)r);
			goto out;
		}
		stack_list_add(out, tmp, n);
	}
	ret = 0;
out:
	free(tmp);
	lit_free(&hdr);
	return ret;
}

#ifdef HAVE_LZ4
static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool json_has_string(json_t *array, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(array, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

/* Bytes of one row of a CSDAT column: 'O' strings are u8 indexes into the string heap. */
static int csdat_field_size(json_t *f, uint64_t *size, struct field *type)
{
	json_t *t = json_array_get(f, 1);
	json_t *shape = json_array_get(f, 2);
	struct lit l = { 0 };
	uint64_t count = 1;
	const char *ts;

	if (!json_is_array(f) || json_array_size(f) < 2 || json_array_size(f) > 3 ||
	    !json_is_string(json_array_get(f, 0)) || !json_is_string(t))
		return -EINVAL;
	ts = json_string_value(t);
	memset(type, 0, sizeof(*type));
	if (!strcmp(ts, "|O") || !strcmp(ts, "O")) {
		type->kind = 'O';
		type->size = 8;
	} else {
		l.kind = LIT_STR;
		l.s = ts;
		l.len = strlen(ts);
		if (typestr_size(&l, type))
			return -EINVAL;
	}
	if (shape) {
		size_t i;
		json_t *v;

		if (!json_is_array(shape))
			return -EINVAL;
		json_array_foreach(shape, i, v) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > UINT32_MAX ||
			    (json_integer_value(v) &&
			     count > UINT32_MAX / (uint64_t)json_integer_value(v)))
				return -EINVAL;
			count *= (uint64_t)json_integer_value(v);
		}
	}
	if (type->size > UINT32_MAX || count * type->size > UINT32_MAX)
		return -EINVAL;
	*size = count * type->size;
	return 0;
}

/*
 * cryosparc-tools' compressed stream (Dataset.stream): "\x95CSDAT", u32 LE header size, a JSON
 * header {length, dtype, compression, compressed_fields}, then per field a u32 LE size and the
 * column (LZ4 block-compressed when listed in compressed_fields; object columns hold u8
 * offsets into the string heap), then the heap: NUL-terminated strings to the end.
 */
static int parse_csdat(const unsigned char *buf, size_t len, struct stack_list *out, char *why,
		       size_t whylen)
{
	json_t *hdr = NULL;
	json_t *dtype;
	json_t *cfields;
	json_t *f;
	json_error_t jerr;
	struct field path = { 0 };
	const unsigned char *col = NULL;
	size_t col_len = 0;
	bool col_lz4 = false;
	unsigned char *plain = NULL;
	uint64_t rows;
	size_t hlen;
	size_t pos;
	size_t i;
	int ret;

	if (len < 10)
		return fail(why, whylen, len, "expected a 4-byte header size after \\x95CSDAT");
	hlen = le32(buf + 6);
	if (hlen > len - 10)
		return fail(why, whylen, 6,
			    "expected a %zu-byte header, the file has %zu bytes after "
			    "this",
			    hlen, len - 10);
	hdr = json_loadb((const char *)buf + 10, hlen, JSON_REJECT_DUPLICATES, &jerr);
	if (!hdr)
		return fail(why, whylen, 10 + (size_t)(jerr.position > 0 ? jerr.position : 0),
			    "expected a JSON header: %s", jerr.text);
	dtype = json_object_get(hdr, "dtype");
	cfields = json_object_get(hdr, "compressed_fields");
	if (!json_is_object(hdr) || !json_is_integer(json_object_get(hdr, "length")) ||
	    json_integer_value(json_object_get(hdr, "length")) < 0 || !json_is_array(dtype) ||
	    (cfields && !json_is_array(cfields))) {
		ret = fail(why, whylen, 10, "expected a header with 'length' (integer), 'dtype' "
			   "(list) and 'compressed_fields' (list)");
		goto out;
	}
	{
		json_t *c = json_object_get(hdr, "compression");

		if (c && !json_is_null(c) &&
		    !(json_is_string(c) && !strcmp(json_string_value(c), "lz4"))) {
			ret = fail(why, whylen, 10, "expected compression null or \"lz4\"");
			goto out;
		}
	}
	rows = (uint64_t)json_integer_value(json_object_get(hdr, "length"));
	pos = 10 + hlen;
	path.size = UINT64_MAX;
	json_array_foreach(dtype, i, f) {
		struct field type;
		uint64_t rowsize;
		uint64_t want;
		size_t csize;
		bool lz4;

		if (csdat_field_size(f, &rowsize, &type)) {
			ret = fail(why, whylen, 10,
				   "expected [name, type, shape?] with a known type in "
				   "'dtype' entry %zu",
				   i);
			goto out;
		}
		if (!rows)
			continue;
		if (rowsize && rows > (uint64_t)INT32_MAX / rowsize) {
			ret = fail(why, whylen, 10, "expected columns under 2 GiB ('length' %llu)",
				   (unsigned long long)rows);
			goto out;
		}
		want = rows * rowsize;
		if (len - pos < 4) {
			ret = fail(why, whylen, pos, "expected the size of column '%s'",
				   json_string_value(json_array_get(f, 0)));
			goto out;
		}
		csize = le32(buf + pos);
		pos += 4;
		if (csize > len - pos) {
			ret = fail(why, whylen, pos - 4,
				   "expected %zu bytes of column '%s', the file "
				   "has %zu",
				   csize, json_string_value(json_array_get(f, 0)), len - pos);
			goto out;
		}
		lz4 = cfields && json_has_string(cfields, json_string_value(json_array_get(f, 0)));
		if (!lz4 && csize != want) {
			ret = fail(why, whylen, pos - 4,
				   "expected %llu bytes in column '%s', not %zu",
				   (unsigned long long)want,
				   json_string_value(json_array_get(f, 0)), csize);
			goto out;
		}
		if (!strcmp(json_string_value(json_array_get(f, 0)), "blob/path") &&
		    json_array_size(f) == 2) {
			path = type;
			path.offset = pos;
			col = buf + pos;
			col_len = csize;
			col_lz4 = lz4;
		}
		pos += csize;
	}
	if (path.size == UINT64_MAX || (path.kind != 'O' && path.kind != 'S' && path.kind != 'U')) {
		ret = fail(why, whylen, 10, "expected a 'blob/path' string field: not a particle "
			   "dataset");
		goto out;
	}
	if (col_lz4) {
		int n;

		plain = xmalloc(rows * path.size > 0 ? rows * path.size : 1);
		n = LZ4_decompress_safe((const char *)col, (char *)plain, (int)col_len,
					(int)(rows * path.size));
		if (n < 0 || (uint64_t)n != rows * path.size) {
			ret = fail(why, whylen, path.offset, "expected an LZ4 block of %llu bytes "
				   "(blob/path)", (unsigned long long)(rows * path.size));
			goto out;
		}
		col = plain;
	}
	/* The heap is the rest of the stream. */
	for (uint64_t r = 0; r < rows; r++) {
		const unsigned char *p = col + r * path.size;
		const unsigned char *heap = buf + pos;
		size_t heap_len = len - pos;
		const unsigned char *s;
		const unsigned char *z;
		size_t n;

		if (path.kind == 'O') {
			uint64_t off = le64(p);

			if (off >= heap_len || !(z = memchr(heap + off, '\0', heap_len - off))) {
				ret = fail(why, whylen, pos,
					   "expected row %llu's blob/path offset "
					   "%llu inside the %zu-byte string heap",
					   (unsigned long long)r, (unsigned long long)off,
					   heap_len);
				goto out;
			}
			s = heap + off;
			n = (size_t)(z - s);
		} else {
			/* Fixed-width strings: the NumPy rules. */
			s = p;
			z = memchr(p, '\0', path.size);
			n = z ? (size_t)(z - p) : path.size;
			if (path.kind == 'U') {
				ret = fail(why, whylen, path.offset,
					   "expected blob/path as 'O' or '|S' "
					   "in a CSDAT stream");
				goto out;
			}
		}
		if (!n) {
			ret = fail(why, whylen, pos, "expected a path in blob/path of row %llu",
				   (unsigned long long)r);
			goto out;
		}
		stack_list_add(out, (const char *)s, n);
	}
	ret = 0;
out:
	free(plain);
	json_decref(hdr);
	return ret;
}
#endif

int csfile_parse(const unsigned char *buf, size_t len, struct stack_list *out, char *why,
		 size_t whylen)
{
	if (len >= 6 && !memcmp(buf, NPY_MAGIC, 6))
		return parse_npy(buf, len, out, why, whylen);
	if (len >= 6 && !memcmp(buf, CSDAT_MAGIC, 6)) {
#ifdef HAVE_LZ4
		return parse_csdat(buf, len, out, why, whylen);
#endif
		if (why && whylen)
			snprintf(why, whylen, "byte 0: compressed CryoSPARC stream (\\x95CSDAT) "
				 "datasets need liblz4, which this build lacks; save it "
				 "with cryosparc-tools' default NumPy format");
		return -ENOTSUP;
	}
	return fail(why, whylen, 0, "expected \\x93NUMPY or \\x95CSDAT: not a CryoSPARC .cs "
		    "file");
}

/* ---- .csg group files --------------------------------------------------------------------- */

struct yline {
	const char *s;		/* after the indentation */
	size_t len;
	size_t indent;
	size_t no;
};

/* The next line that is not blank or a comment; false at the end. */
static bool next_yline(const char *text, size_t len, size_t *pos, size_t *no, struct yline *l)
{
	while (*pos < len) {
		const char *s = text + *pos;
		const char *nl = memchr(s, '\n', len - *pos);
		size_t n = nl ? (size_t)(nl - s) : len - *pos;
		size_t ind = 0;

		*pos += n + (nl ? 1 : 0);
		(*no)++;
		while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		while (ind < n && s[ind] == ' ')
			ind++;
		if (ind == n || s[ind] == '#')
			continue;
		l->s = s + ind;
		l->len = n - ind;
		l->indent = ind;
		l->no = *no;
		return true;
	}
	return false;
}

static bool ykey(const struct yline *l, const char *key)
{
	size_t k = strlen(key);

	return l->len > k && !memcmp(l->s, key, k) && l->s[k] == ':' &&
	       (l->len == k + 1 || l->s[k + 1] == ' ');
}

bool csfile_is_csg(const char *text, size_t len)
{
	size_t pos = 0;
	size_t no = 0;
	struct yline l;

	if (memchr(text, '\0', len))
		return false;
	while (next_yline(text, len, &pos, &no, &l))
		if (!l.indent && ykey(&l, "results"))
			return true;
	return false;
}

int csfile_csg_metafile(const char *text, size_t len, char **metafile, char *why, size_t whylen)
{
	size_t pos = 0;
	size_t no = 0;
	struct yline l;
	int depth = 0;		/* 1: inside results, 2: inside results.blob */
	size_t ind[3] = { 0 };

	*metafile = NULL;
	while (next_yline(text, len, &pos, &no, &l)) {
		if (depth && l.indent <= ind[depth - 1]) {
			/* Left the block that was open. */
			while (depth && l.indent <= ind[depth - 1])
				depth--;
		}
		if (depth == 0 && !l.indent && ykey(&l, "results")) {
			depth = 1;
			ind[0] = 0;
		} else if (depth == 1 && ykey(&l, "blob")) {
			depth = 2;
			ind[1] = l.indent;
		} else if (depth == 2 && ykey(&l, "metafile")) {
			const char *v = l.s + 9;
			size_t n = l.len - 9;

			while (n && *v == ' ') {
				v++;
				n--;
			}
			if (n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0]) {
				v++;
				n -= 2;
			}
			if (!n || (n == 1 && v[0] == '>')) {
				snprintf(why, whylen,
					 "line %zu: expected a file name after 'metafile:'", l.no);
				return -EINVAL;
			}
			*metafile = xmalloc(n + 1);
			memcpy(*metafile, v, n);
			(*metafile)[n] = '\0';
			return 0;
		}
	}
	snprintf(why, whylen, "line %zu: expected 'results:', 'blob:' and its 'metafile:' (the "
		 "particles' .cs)", no);
	return -EINVAL;
}
