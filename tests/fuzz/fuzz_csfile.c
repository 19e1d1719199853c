/* SPDX-License-Identifier: MIT */
/* fuzz_csfile.c - libFuzzer target for csfile_parse and the .csg reader (tests/fuzz/run.sh). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataset/csfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stack_list l;
	char why[256];
	uint64_t sum = 0;
	int ret;

	stack_list_init(&l);
	ret = csfile_parse(data, size, &l, why, sizeof(why));
	if (ret == 0) {
		for (size_t i = 0; i < l.nr; i++) {
			if (!l.items[i].path[0] || !l.items[i].particles)
				__builtin_trap();
			sum += l.items[i].particles;
		}
		if (sum != l.particles)
			__builtin_trap();
	} else if (ret == -EINVAL &&
		   (!memchr(why, '\0', sizeof(why)) || strncmp(why, "byte ", 5))) {
		__builtin_trap();
	}
	stack_list_release(&l);
	/* The .csg reader sees the same bytes as text. */
	{
		char *mf = NULL;

		if (csfile_is_csg((const char *)data, size) &&
		    csfile_csg_metafile((const char *)data, size, &mf, why, sizeof(why)) == 0 &&
		    (!mf || !mf[0]))
			__builtin_trap();
		free(mf);
	}
	return 0;
}
