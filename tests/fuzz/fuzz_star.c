/* SPDX-License-Identifier: MIT */
/* fuzz_star.c - libFuzzer target for star_parse (tests/fuzz/run.sh builds and runs it). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dataset/star.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stack_list l;
	char why[256];
	uint64_t sum = 0;

	stack_list_init(&l);
	if (star_parse((const char *)data, size, &l, why, sizeof(why)) == 0) {
		for (size_t i = 0; i < l.nr; i++) {
			/* The invariants a caller relies on. */
			if (!l.items[i].path[0] || !l.items[i].particles)
				__builtin_trap();
			sum += l.items[i].particles;
		}
		if (sum != l.particles)
			__builtin_trap();
	} else if (!memchr(why, '\0', sizeof(why)) || strncmp(why, "line ", 5)) {
		__builtin_trap();
	}
	stack_list_release(&l);
	return 0;
}
