/* SPDX-License-Identifier: MIT */
/* stacklist.h - the particle stacks a metadata file names: unique paths with a particle count each. */
#ifndef CCB_STACKLIST_H
#define CCB_STACKLIST_H

#include <stddef.h>
#include <stdint.h>

#include "lib/safeopen.h"

struct stack_ref {
	char *path;		/* as written in the metadata (relative to the project, usually) */
	uint32_t particles;	/* rows of the metadata naming this stack (saturating) */
	uint32_t hash;		/* of path: probes and rehashes compare it before the text */
};

/* Stacks in order of first appearance; a hash of the paths keeps adding O(1). */
struct stack_list {
	struct stack_ref *items;
	size_t nr;
	size_t cap;
	uint32_t *slots;	/* hash table of item index + 1 (0: empty): 4 bytes a slot */
	size_t nr_slots;
	uint64_t particles;	/* sum over items */
	struct text_map *map;	/* the text being parsed, handed back as it is passed; or NULL */
	/* Called with each new stack's path once added (on the parser's thread); or NULL. */
	void (*added)(void *arg, char *path);
	void *added_arg;
};

void stack_list_init(struct stack_list *l);
void stack_list_release(struct stack_list *l);

/* Count one particle of the stack path (len bytes, not NUL-terminated), adding it if new. */
void stack_list_add(struct stack_list *l, const char *path, size_t len);
/* The parser is done: the hash of the paths goes (a later add builds it again). */
void stack_list_done(struct stack_list *l);

/* The parser filling l is done with its text before p (text_map_passed()). */
static inline void stack_list_passed(struct stack_list *l, const void *p)
{
	if (l->map)
		text_map_passed(l->map, p);
}

#endif
