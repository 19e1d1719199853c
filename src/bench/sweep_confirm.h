/* SPDX-License-Identifier: MIT */
/*
 * sweep_confirm.h - after a sweep's grid, the paired cold runs that confirm a recommendation
 * other than CryoSPARC's default (analysis/confirm.h has the rule and the statistics).
 */
#ifndef CCB_SWEEP_CONFIRM_H
#define CCB_SWEEP_CONFIRM_H

#include <jansson.h>

#include "analysis/confirm.h"
#include "bench/sweep.h"

/*
 * Run the pairs the confirmation of rec still lacks: for each of confirm_candidates(rec) in
 * turn, p->pairs complete ones, then one at a time while they are promising but not proven, up
 * to p->pairs_max (confirm_pairs_wanted()), until one is confirmed. Pairs already in
 * results.json (a resumed sweep's) count, so a resumed sweep goes on where it stopped, added
 * pairs included; an incomplete one is run again under the candidate's next pair number.
 * Each pair is the default and the candidate's thread count with rec's copier
 * (recommend_strategy(): cpython when the grid measured it, else shutil), each a
 * normal cold run recorded at once with "role": "confirm", "candidate", "pair" and "position",
 * in the order confirm_default_first(p->seed, pair) draws. The caller checked
 * confirm_skip_reason(). Returns 0, or a failed or stopped run's status (as bench_run_spec()'s;
 * its pairs are kept).
 */
int sweep_confirm(struct sweep *sw, json_t *rec, const struct confirm_params *p);

#endif
