/* SPDX-License-Identifier: MIT */
/* warn_groups.c - warnings grouped by kind, counted, with the runs that said them. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "analysis/warn_groups.h"

char *warn_kind(const char *msg, char *kind, size_t len)
{
	size_t n = 0;

	if (!len)
		return kind;
#define PUT(c)                                                                                     \
	do {                                                                                       \
		if (n + 1 < len)                                                                   \
			kind[n++] = (c);                                                           \
	} while (0)
	for (const char *p = msg; p && *p;) {
		if (isdigit((unsigned char)*p)) {
			while (isdigit((unsigned char)*p) ||
			       (*p == '.' && isdigit((unsigned char)p[1])))
				p++;
			PUT('#');
		} else if (*p == '\'' && strchr(p + 1, '\'')) {
			/* a quoted name: a path, a file, a device */
			p = strchr(p + 1, '\'') + 1;
			PUT('\'');
			PUT('*');
			PUT('\'');
		} else {
			PUT(*p);
			p++;
		}
	}
#undef PUT
	kind[n] = '\0';
	return kind;
}

size_t warn_groups_add(json_t *groups, const char *msg, long long seq)
{
	char kind[1024];
	json_t *g;
	json_t *r;
	size_t i, j;

	if (!msg)
		return 0;
	warn_kind(msg, kind, sizeof(kind));
	json_array_foreach(groups, i, g) {
		json_int_t count;

		if (strcmp(json_string_value(json_object_get(g, "kind")), kind))
			continue;
		count = json_integer_value(json_object_get(g, "count")) + 1;
		json_object_set_new(g, "count", json_integer(count));
		json_array_foreach(json_object_get(g, "runs"), j, r)
			if (json_integer_value(r) == seq)
				return (size_t)count;
		if (seq)
			json_array_append_new(json_object_get(g, "runs"), json_integer(seq));
		return (size_t)count;
	}
	g = json_pack("{s:s, s:s, s:i, s:[]}", "kind", kind, "first", msg, "count", 1, "runs");
	if (seq)
		json_array_append_new(json_object_get(g, "runs"), json_integer(seq));
	json_array_append_new(groups, g);
	return 1;
}

void warn_groups_add_all(json_t *groups, json_t *list, long long seq)
{
	json_t *w;
	size_t i;

	json_array_foreach(list, i, w)
		warn_groups_add(groups, json_string_value(w), seq);
}

char *warn_group_who(json_t *group, const char *what, char *buf, size_t len)
{
	json_t *runs = json_object_get(group, "runs");
	const size_t nr = json_array_size(runs);
	const long long count = (long long)json_integer_value(json_object_get(group, "count"));
	size_t n = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (nr == 1)
		n = (size_t)snprintf(buf, len, "run %lld%s",
				     (long long)json_integer_value(json_array_get(runs, 0)), what);
	else if (nr > 1)
		n = (size_t)snprintf(buf, len, "%zu runs%s (", nr, what);
	for (size_t i = 0; nr > 1 && i < nr && n < len;) {
		const long long from = (long long)json_integer_value(json_array_get(runs, i));
		size_t k = i;

		while (k + 1 < nr && json_integer_value(json_array_get(runs, k + 1)) ==
					     json_integer_value(json_array_get(runs, k)) + 1)
			k++;
		if (k > i)
			n += (size_t)snprintf(buf + n, len - n, "%s%lld-%lld", i ? ", " : "", from,
					      (long long)json_integer_value(json_array_get(runs, k)));
		else
			n += (size_t)snprintf(buf + n, len - n, "%s%lld", i ? ", " : "", from);
		i = k + 1;
	}
	if (nr > 1 && n < len)
		n += (size_t)snprintf(buf + n, len - n, ")");
	/* a run that said it twice, or a message that is no run's */
	if (count > (long long)(nr ? nr : 1) && n < len)
		snprintf(buf + n, len - n, "%s%lld times", n ? ", " : "", count);
	return buf;
}
