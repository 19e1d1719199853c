/* SPDX-License-Identifier: MIT */
/* stacklist.c - a list of unique stack paths with particle counts, for the metadata parsers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

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

/*
 * A path's slot is its hash's low bits; its item keeps the hash, compared before the text, so
 * that the probes and rehashes of a million-stack .star seldom touch a path.
 */
static uint32_t hash_path(const char *s, size_t len)
{
	return (uint32_t)XXH3_64bits(s, len);
}

static void rehash(struct stack_list *l)
{
	size_t n = l->nr_slots ? 2 * l->nr_slots : 64;

	free(l->slots);
	l->slots = xcalloc(n, sizeof(*l->slots));
	l->nr_slots = n;
	for (size_t i = 0; i < l->nr; i++) {
		size_t s = l->items[i].hash & (n - 1);

		while (l->slots[s])
			s = (s + 1) & (n - 1);
		l->slots[s] = (uint32_t)(i + 1);
	}
}

/* Whether r is the path of len bytes (not NUL-terminated) whose hash is h. */
static bool is_path(const struct stack_ref *r, uint32_t h, const char *path, size_t len)
{
	return r->hash == h && !strncmp(r->path, path, len) && !r->path[len];
}

static void count_particle(struct stack_ref *r)
{
	if (r->particles < UINT32_MAX)
		r->particles++;
}

void stack_list_add(struct stack_list *l, const char *path, size_t len)
{
	const uint32_t h = hash_path(path, len);
	size_t s;

	l->particles++;
	/* Rows of one stack are usually adjacent: the last stack is the likely match. */
	if (l->nr && is_path(&l->items[l->nr - 1], h, path, len)) {
		count_particle(&l->items[l->nr - 1]);
		return;
	}
	if (2 * (l->nr + 1) > l->nr_slots)
		rehash(l);
	s = h & (l->nr_slots - 1);
	while (l->slots[s]) {
		struct stack_ref *r = &l->items[l->slots[s] - 1];

		if (is_path(r, h, path, len)) {
			count_particle(r);
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
	l->items[l->nr].hash = h;
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
