/* strategy.c - the table of copy strategies this build knows, and lookup by name. */
#include "config.h"

#include <string.h>

#include "copy/strategy.h"

const struct copy_strategy *const strategies[] = {
	&strategy_shutil,
	&strategy_shutil314,
	&strategy_legacy,
	&strategy_rw,
	&strategy_sendfile,
	&strategy_cfr,
	&strategy_cp,
	/*
	 * The io_uring strategies go here, each on its own line inside #ifdef HAVE_LIBURING, so
	 * that a build without liburing simply does not list them ('strategies' says why).
	 */
#ifdef HAVE_LIBURING
	&strategy_uring,
#endif
#ifdef HAVE_LIBCURL
	&strategy_http,
#endif
	NULL,
};

const struct copy_strategy *strategy_find(const char *name)
{
	for (size_t i = 0; strategies[i]; i++) {
		if (!strcmp(strategies[i]->name, name))
			return strategies[i];
	}
	return NULL;
}

size_t strategy_index(const struct copy_strategy *s)
{
	size_t i = 0;

	while (strategies[i] && strategies[i] != s)
		i++;
	return i;
}
