/* SPDX-License-Identifier: MIT */
/*
 * run_flags.h - what one run of results.json says about itself: read from its fields alone, so
 * that every rendering and every statistic flags a run the same way.
 */
#ifndef CCB_RUN_FLAGS_H
#define CCB_RUN_FLAGS_H

#include <stdbool.h>
#include <jansson.h>

/*
 * The run's "role" ("warmup", "probe", "confirm"), or NULL for a measurement of the grid. A run
 * with a role was measured like any other but is not one of its cell's repeats: statistics,
 * cells, compare and the first-run check leave it out; listings show it as not counted.
 */
const char *run_flag_role(json_t *run);

/* The run's source was remote (cold.method "remote"): page-cache residency does not apply. */
bool run_flag_remote(json_t *run);

/* The run is flagged not cold: its residency was unknown or above the threshold, and its source
 * was local (a remote source is neither called cold nor warm). */
bool run_flag_not_cold(json_t *run);

#endif
