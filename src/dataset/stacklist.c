/* SPDX-License-Identifier: MIT */
/* stacklist.c - a list of unique stack paths with particle counts, for the metadata parsers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dataset/stacklist.h"
#include "lib/util.h"

void stack_list_init(struct stack_list *l)
{
	memset(l, 0, sizeof(*l));
}

void stack_list_release(struct stack_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->items[i].path);
	free(l->items);
	free(l->slots);
	memset(l, 0, sizeof(*l));
}

/* FNV-1a: paths are short and this only needs to spread them. */
static uint64_t hash_path(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void rehash(struct stack_list *l)
{
	size_t n = l->nr_slots ? 2 * l->nr_slots : 64;

	free(l->slots);
	l->slots = xcalloc(n, sizeof(*l->slots));
	l->nr_slots = n;
	for (size_t i = 0; i < l->nr; i++) {
		const char *p = l->items[i].path;
		size_t s = (size_t)hash_path(p, strlen(p)) & (n - 1);

		while (l->slots[s])
			s = (s + 1) & (n - 1);
		l->slots[s] = (uint32_t)(i + 1);
	}
}

void stack_list_add(struct stack_list *l, const char *path, size_t len)
{
	size_t s;

	l->particles++;
	/* Rows of one stack are usually adjacent: the last stack is the likely match. */
	if (l->nr && strlen(l->items[l->nr - 1].path) == len &&
	    !memcmp(l->items[l->nr - 1].path, path, len)) {
		l->items[l->nr - 1].particles++;
		return;
	}
	if (2 * (l->nr + 1) > l->nr_slots)
		rehash(l);
	s = (size_t)hash_path(path, len) & (l->nr_slots - 1);
	while (l->slots[s]) {
		struct stack_ref *r = &l->items[l->slots[s] - 1];

		if (strlen(r->path) == len && !memcmp(r->path, path, len)) {
			r->particles++;
			return;
		}
		s = (s + 1) & (l->nr_slots - 1);
	}
	if (l->nr == l->cap) {
		/* Four billion stacks would not fit in memory long before their slots overflow. */
		if (l->nr >= UINT32_MAX - 1)
			abort();
		l->cap = l->cap ? 2 * l->cap : 64;
		l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	l->items[l->nr].path = xmalloc(len + 1);
	memcpy(l->items[l->nr].path, path, len);
	l->items[l->nr].path[len] = '\0';
	l->items[l->nr].particles = 1;
	l->nr++;
	l->slots[s] = (uint32_t)l->nr;
	if (l->added)
		l->added(l->added_arg, l->items[l->nr - 1].path);
}

void stack_list_done(struct stack_list *l)
{
	free(l->slots);
	l->slots = NULL;
	l->nr_slots = 0;
}
