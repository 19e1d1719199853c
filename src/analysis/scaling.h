/* SPDX-License-Identifier: MIT */
/*
 * scaling.h - a sweep across nodes by node count (sweep --nodes): the aggregate rate of each
 * strategy and thread count at each node count (the scaling curve), and the recommendation at
 * each node count ("with 4 nodes caching together, use 8 threads each"). Reads only the cells
 * (cells.h); no I/O.
 */
#ifndef CCB_SCALING_H
#define CCB_SCALING_H

#include <jansson.h>

#include "analysis/recommend.h"

/*
 * The scaling curves of cells, a new array, one element per (strategy, threads, jobs) measured
 * across nodes, in the cells' order:
 *   strategy, threads, jobs
 *   points     by node count, ascending: {nodes, median_mb_s (of the nodes together),
 *              per_node_mb_s (median_mb_s / nodes), ci_low_mb_s, ci_high_mb_s, efficiency}
 * efficiency is per_node_mb_s over the per-node rate at the fewest nodes measured (1.0: every
 * node added adds as much as the first; null when either is unknown). Cells without "nodes" (one
 * node alone) are left out; empty when there is none.
 */
json_t *scaling_curves(json_t *cells);

/*
 * The recommendation at each node count of cells, a new array ascending by nodes: each element
 * recommend_compute()'s with p->nodes set to that count (so it has "nodes"). p NULL: defaults.
 */
json_t *scaling_recommendations(json_t *cells, const struct recommend_params *p);

/*
 * The lines a sweep across nodes ends with, from scaling_recommendations()'s array, as a new
 * string of comment lines ("#   with 4 nodes caching together: 8 threads each, 3200 MB/s in
 * all, 800 MB/s a node (confidence low)"); "" when recs is empty.
 */
char *scaling_lines(json_t *recs);

#endif
