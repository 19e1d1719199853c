/* SPDX-License-Identifier: MIT */
/* csfile_csg.c - a CryoSPARC output group file (.csg, YAML): the .cs its blob result names. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset/csfile.h"
#include "lib/util.h"

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
