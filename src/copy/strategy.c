/* SPDX-License-Identifier: MIT */
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
	&strategy_cpython,
	&strategy_relion,
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

const struct copy_strategy *const strategies_missing[] = {
#ifndef HAVE_LIBURING
	&strategy_uring,
#endif
#ifndef HAVE_LIBCURL
	&strategy_http,
#endif
	NULL,
};

static const struct copy_strategy *find_in(const struct copy_strategy *const *list,
					   const char *name)
{
	for (size_t i = 0; list[i]; i++) {
		if (!strcmp(list[i]->name, name))
			return list[i];
	}
	return NULL;
}

const struct copy_strategy *strategy_find(const char *name)
{
	return find_in(strategies, name);
}

const struct copy_strategy *strategy_find_missing(const char *name)
{
	return find_in(strategies_missing, name);
}

const struct copy_strategy *strategy_at(size_t i)
{
	size_t n = 0;

	while (strategies[n])
		n++;
	if (i < n)
		return strategies[i];
	for (i -= n, n = 0; strategies_missing[n]; n++)
		if (n == i)
			return strategies_missing[n];
	return NULL;
}

size_t strategy_index(const struct copy_strategy *s)
{
	const struct copy_strategy *t;
	size_t i = 0;

	while ((t = strategy_at(i)) && t != s)
		i++;
	return i;
}
