/* SPDX-License-Identifier: MIT */
/* run_flags.c - what one run of results.json says about itself. */
#include "config.h"

#include <string.h>

#include "analysis/run_flags.h"

const char *run_flag_role(json_t *run)
{
	json_t *role = json_object_get(run, "role");

	/* Any role, even one this version does not know, keeps the run out of the statistics. */
	if (!role || json_is_null(role))
		return NULL;
	return json_is_string(role) ? json_string_value(role) : "?";
}

bool run_flag_remote(json_t *run)
{
	const char *m = json_string_value(json_object_get(json_object_get(run, "cold"), "method"));

	return m && !strcmp(m, "remote");
}

bool run_flag_not_cold(json_t *run)
{
	json_t *cold = json_object_get(run, "cold");

	return json_is_object(cold) && !run_flag_remote(run) &&
	       !json_is_true(json_object_get(cold, "cold"));
}
