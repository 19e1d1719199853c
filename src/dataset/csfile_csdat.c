/* SPDX-License-Identifier: MIT */
/* csfile_csdat.c - a .cs saved as cryosparc-tools' compressed stream (\x95CSDAT, LZ4 columns). */
#include "config.h"

#ifdef HAVE_LZ4
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <lz4.h>

#include "dataset/csfile_int.h"
#include "lib/util.h"

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
static int csdat_field_size(json_t *f, uint64_t *size, struct csfile_field *type)
{
	json_t *t = json_array_get(f, 1);
	json_t *shape = json_array_get(f, 2);
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
	} else if (csfile_typestr_size(ts, strlen(ts), type)) {
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

/* The blob/path column of a CSDAT stream, and where the string heap after the columns starts. */
struct csdat_path {
	struct csfile_field type;	/* offset: of the column in the file */
	size_t col_len;
	bool lz4;
	size_t heap;
};

/* The JSON header after "\x95CSDAT" and its u32 LE size: checked, into *hdr; *hlen its size. */
static int csdat_header(const unsigned char *buf, size_t len, json_t **out, size_t *out_hlen,
			char *why, size_t whylen)
{
	json_t *hdr;
	json_t *dtype;
	json_t *cfields;
	json_t *c;
	json_error_t jerr;
	size_t hlen;

	*out = NULL;
	if (len < 10)
		return csfile_fail(why, whylen, len,
				   "expected a 4-byte header size after \\x95CSDAT");
	hlen = le32(buf + 6);
	if (hlen > len - 10)
		return csfile_fail(why, whylen, 6,
				   "expected a %zu-byte header, the file has %zu bytes after this",
				   hlen, len - 10);
	hdr = json_loadb((const char *)buf + 10, hlen, JSON_REJECT_DUPLICATES, &jerr);
	if (!hdr)
		return csfile_fail(why, whylen,
				   10 + (size_t)(jerr.position > 0 ? jerr.position : 0),
				   "expected a JSON header: %s", jerr.text);
	dtype = json_object_get(hdr, "dtype");
	cfields = json_object_get(hdr, "compressed_fields");
	if (!json_is_object(hdr) || !json_is_integer(json_object_get(hdr, "length")) ||
	    json_integer_value(json_object_get(hdr, "length")) < 0 || !json_is_array(dtype) ||
	    (cfields && !json_is_array(cfields))) {
		json_decref(hdr);
		return csfile_fail(why, whylen, 10,
				   "expected a header with 'length' (integer), 'dtype' (list) and "
				   "'compressed_fields' (list)");
	}
	c = json_object_get(hdr, "compression");
	if (c && !json_is_null(c) && !(json_is_string(c) && !strcmp(json_string_value(c), "lz4"))) {
		json_decref(hdr);
		return csfile_fail(why, whylen, 10, "expected compression null or \"lz4\"");
	}
	*out = hdr;
	*out_hlen = hlen;
	return 0;
}

/* Walk the columns from pos (rows each) to find blob/path and the start of the heap. */
static int csdat_columns(const unsigned char *buf, size_t len, json_t *hdr, uint64_t rows,
			 size_t pos, struct csdat_path *path, char *why, size_t whylen)
{
	json_t *dtype = json_object_get(hdr, "dtype");
	json_t *cfields = json_object_get(hdr, "compressed_fields");
	json_t *f;
	size_t i;

	path->type.size = UINT64_MAX;
	json_array_foreach(dtype, i, f) {
		const char *name;
		struct csfile_field type;
		uint64_t rowsize;
		uint64_t want;
		size_t csize;
		bool lz4;

		if (csdat_field_size(f, &rowsize, &type))
			return csfile_fail(why, whylen, 10,
					   "expected [name, type, shape?] with a known type in "
					   "'dtype' entry %zu",
					   i);
		if (!rows)
			continue;
		if (rowsize && rows > (uint64_t)INT32_MAX / rowsize)
			return csfile_fail(why, whylen, 10,
					   "expected columns under 2 GiB ('length' %llu)",
					   (unsigned long long)rows);
		want = rows * rowsize;
		name = json_string_value(json_array_get(f, 0));
		if (len - pos < 4)
			return csfile_fail(why, whylen, pos, "expected the size of column '%s'",
					   name);
		csize = le32(buf + pos);
		pos += 4;
		if (csize > len - pos)
			return csfile_fail(why, whylen, pos - 4,
					   "expected %zu bytes of column '%s', the file has %zu",
					   csize, name, len - pos);
		lz4 = cfields && json_has_string(cfields, name);
		if (!lz4 && csize != want)
			return csfile_fail(why, whylen, pos - 4,
					   "expected %llu bytes in column '%s', not %zu",
					   (unsigned long long)want, name, csize);
		if (!strcmp(name, "blob/path") && json_array_size(f) == 2) {
			path->type = type;
			path->type.offset = pos;
			path->col_len = csize;
			path->lz4 = lz4;
		}
		pos += csize;
	}
	if (path->type.size == UINT64_MAX ||
	    (path->type.kind != 'O' && path->type.kind != 'S' && path->type.kind != 'U'))
		return csfile_fail(why, whylen, 10,
				   "expected a 'blob/path' string field: not a particle dataset");
	path->heap = pos;
	return 0;
}

/* Each row's blob/path from col (plain): an offset into the heap, or a fixed-width string. */
static int csdat_rows(const unsigned char *buf, size_t len, const unsigned char *col,
		      uint64_t rows, const struct csdat_path *path, struct stack_list *out,
		      char *why, size_t whylen)
{
	const size_t pos = path->heap;
	const uint64_t size = path->type.size;

	/* The heap is the rest of the stream. */
	for (uint64_t r = 0; r < rows; r++) {
		const unsigned char *p = col + r * size;
		const unsigned char *heap = buf + pos;
		size_t heap_len = len - pos;
		const unsigned char *s;
		const unsigned char *z;
		size_t n;

		if (path->type.kind == 'O') {
			uint64_t off = le64(p);

			if (off >= heap_len || !(z = memchr(heap + off, '\0', heap_len - off)))
				return csfile_fail(why, whylen, pos,
						   "expected row %llu's blob/path offset %llu "
						   "inside the %zu-byte string heap",
						   (unsigned long long)r, (unsigned long long)off,
						   heap_len);
			s = heap + off;
			n = (size_t)(z - s);
		} else {
			/* Fixed-width strings: the NumPy rules. */
			s = p;
			z = memchr(p, '\0', size);
			n = z ? (size_t)(z - p) : size;
			if (path->type.kind == 'U')
				return csfile_fail(why, whylen, path->type.offset,
						   "expected blob/path as 'O' or '|S' in a CSDAT "
						   "stream");
		}
		if (!n)
			return csfile_fail(why, whylen, pos,
					   "expected a path in blob/path of row %llu",
					   (unsigned long long)r);
		stack_list_add(out, (const char *)s, n);
	}
	return 0;
}

/*
 * cryosparc-tools' compressed stream (Dataset.stream): "\x95CSDAT", u32 LE header size, a JSON
 * header {length, dtype, compression, compressed_fields}, then per field a u32 LE size and the
 * column (LZ4 block-compressed when listed in compressed_fields; object columns hold u8
 * offsets into the string heap), then the heap: NUL-terminated strings to the end.
 */
int csfile_parse_csdat(const unsigned char *buf, size_t len, struct stack_list *out, char *why,
		       size_t whylen)
{
	struct csdat_path path = { 0 };
	const unsigned char *col;
	unsigned char *plain = NULL;
	json_t *hdr;
	uint64_t rows;
	size_t hlen = 0;
	int ret;

	ret = csdat_header(buf, len, &hdr, &hlen, why, whylen);
	if (ret)
		return ret;
	rows = (uint64_t)json_integer_value(json_object_get(hdr, "length"));
	ret = csdat_columns(buf, len, hdr, rows, 10 + hlen, &path, why, whylen);
	if (ret)
		goto out;
	col = buf + path.type.offset;
	if (path.lz4) {
		const uint64_t want = rows * path.type.size;
		int n;

		plain = xmalloc(want > 0 ? want : 1);
		n = LZ4_decompress_safe((const char *)col, (char *)plain, (int)path.col_len,
					(int)want);
		if (n < 0 || (uint64_t)n != want) {
			ret = csfile_fail(why, whylen, path.type.offset,
					  "expected an LZ4 block of %llu bytes (blob/path)",
					  (unsigned long long)want);
			goto out;
		}
		col = plain;
	}
	ret = csdat_rows(buf, len, col, rows, &path, out, why, whylen);
out:
	free(plain);
	json_decref(hdr);
	return ret;
}
#endif
