/* SPDX-License-Identifier: MIT */
/*
 * noderuns.h - one run across nodes, from the parts its nodes measured. The nodes start their
 * copies together after a barrier; the run's rate is what they copied together over the time
 * from the earliest start to the latest end, for each clock, as IOR reduces its ranks' times
 * (IOR takes the minimum start and the maximum end over the ranks). Pure: JSON in, JSON out.
 */
#ifndef CCB_NODERUNS_H
#define CCB_NODERUNS_H

#include <jansson.h>

/*
 * Fill the run object run (run_new()'s, every key present) from parts, the nodes' own run objects
 * (the same keys, plus "rank", "host" and "timing": {start_s, end_copied_s, end_durable_s, ...},
 * seconds from the barrier's release on that node). Sets in run:
 *   files, bytes                  the sums over the parts
 *   seconds_copied                latest end_copied_s - earliest start_s, of the parts that
 *   seconds_durable               copied (have a timing); latest end_durable_s - earliest start_s
 *   mb_s, mb_s_copied, files_per_s   bytes and files over those spans (null without a span)
 *   latency_ms                    each percentile the highest of any node's (the slowest node's)
 *   tail_s                        the longest; cpu: the sums
 *   cold                          {method: the nodes' one method or "mixed", residency_pct: the
 *                                 highest (null when any is unknown), threshold_pct, cold: all}
 *   aborted                       any part aborted
 *   warnings, errors              every part's, each prefixed "node 'HOST' (rank R): "
 *   verify, strategy_counters     the sums, when the parts have them
 *   sampler, strategy_info        rank 0's part's (its samples file is the run's)
 *   per_node                      the parts, by rank, without their sampler when it moved up
 *   node_spread                   over the parts with a rate: {min_mb_s, max_mb_s, median_mb_s,
 *                                 spread_pct: (max - min) / max x 100, slowest: {rank, host},
 *                                 fastest: {rank, host}}; null when no part has a rate
 * parts is left as it was (its objects are copied).
 */
void noderuns_merge(json_t *run, json_t *parts);

#endif
