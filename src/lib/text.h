/* SPDX-License-Identifier: MIT */
/*
 * text.h - names from the file system and the kernel (paths, mount points, devices, interfaces)
 * are bytes; JSON wants UTF-8 and a CSV reader wants commas only between fields. One escape
 * makes any name valid text, reversibly, and one quoting makes it one CSV field.
 *
 * The escape (docs/results-schema.md, "Names"): a byte that is not part of a valid UTF-8
 * sequence, or is an ASCII control character (0x01-0x1f, 0x7f), becomes the four characters
 * \xNN (lower-case hex), and a backslash becomes two. Everything else is kept, so a name in
 * valid UTF-8 without backslashes or control characters is unchanged:
 *
 * (C literals)	"J1/a\377b.mrcs"  ->  "J1/a\\xffb.mrcs"	(JSON: "J1/a\\xffb.mrcs")
 *		"C:\\x"           ->  "C:\\\\x"
 *
 * text_unescape() turns the escaped form back into the bytes.
 */
#ifndef CCB_TEXT_H
#define CCB_TEXT_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

/* Whether s needs no escaping (text_escape(s) would equal s). */
bool text_is_plain(const char *s);

/* s escaped as above (allocated). */
char *text_escape(const char *s);

/*
 * The bytes an escaped name stands for (allocated), or NULL when s is not a name text_escape()
 * could have written (a lone backslash, \x without two hex digits, \x00).
 */
char *text_unescape(const char *s);

/* A JSON string of s escaped (never NULL: json_string() refuses invalid UTF-8); NULL: null. */
json_t *text_json(const char *s);

/* json_object_set_new(o, escaped name, v): a name as a key, never dropped. Returns its result. */
int text_json_set(json_t *o, const char *name, json_t *v);

/* s as one CSV field (RFC 4180): in double quotes, doubled inside, when it holds , " CR or LF. */
void text_csv_field(FILE *f, const char *s);

/*
 * The field of a CSV line that starts at *p (RFC 4180: "..." with "" for a quote), unquoted in
 * place and NUL-terminated; a field without quotes ends at a comma, CR or the end. *p moves to
 * the next field, or to NULL after the last one.
 */
char *text_csv_next(char **p);

#endif
