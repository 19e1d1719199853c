/* SPDX-License-Identifier: MIT */
/*
 * json_get.h - reading one member of a JSON object (results.json, samples, fio's output) with a
 * neutral value when the member is missing or of another type, so that renderings and statistics
 * read a document in one line per field: "" for a string, 0 for a number.
 */
#ifndef CCB_JSON_GET_H
#define CCB_JSON_GET_H

#include <stdbool.h>
#include <jansson.h>

/* The string o[key], or "" (never NULL). */
static inline const char *json_get_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* Whether o[key] is a number (an integer or a real). */
static inline bool json_get_has_num(json_t *o, const char *key)
{
	return json_is_number(json_object_get(o, key));
}

/* The number o[key] (an integer or a real), or 0. */
static inline double json_get_num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* The integer o[key], or 0 (a real is not an integer: 0). */
static inline long long json_get_int(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

#endif
