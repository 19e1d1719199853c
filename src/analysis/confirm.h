/* SPDX-License-Identifier: MIT */
/*
 * confirm.h - the paired confirmation of a recommendation that differs from CryoSPARC's default:
 * which pairs a sweep still needs, their order, the ratios of the pairs it ran, the verdict, and
 * the recommendation falling back to the default when the gain did not come back. Reads only
 * JSON; no I/O.
 *
 * After the grid, a sweep whose recommendation (recommend.h) is a thread count other than the
 * default, with a confidence above "none", runs N pairs of cold runs of the recommendation's copier
 * (its "strategy": cpython when the grid measured it, else shutil): the default and the
 * recommended thread count, back to back, in an order drawn for each pair. Each run is a normal
 * run of results.json's "runs" with
 *	"role": "confirm", "candidate": the thread count it tests, "pair": k (from 1, for each
 *	candidate), "position": 1 or 2 (ran first or second)
 * so it is kept when the sweep is stopped, and cells_compute() leaves it out of the grid. When
 * the gain is not reproduced, the next candidate with more threads (confirm_candidates()) gets
 * its own N pairs, until one is confirmed or none is left.
 *
 * A pair's ratio is the recommended run's mb_s over the default run's. Both runs ran within
 * minutes of each other, so whatever drifts over a sweep (the storage's other load, its caches)
 * weighs on both alike: the ratio asks "was the recommendation faster, at the same moment?".
 *
 * The rule: the gain is confirmed when at least CONFIRM_MIN_PAIRS pairs are complete, the median
 * ratio is above 1 + the recommendation's tolerance, and the lower end of the median's interval
 * (stats_median_ci at CONFIRM_LEVEL; with 5 pairs that is [min, max] at 93.75 % coverage) is
 * above 1. The first asks for a gain worth a change, the second that it is not noise: with few
 * pairs it means the recommended count won every pair. Otherwise the gain was not reproduced and
 * the recommendation falls back to the default.
 *
 * Adaptive pairs: when the N pairs planned are promising but not proven (the median ratio above
 * 1 + the tolerance, the interval's lower end not above 1), one more pair is run at a time, and
 * the rule applied again after each, until the gain is confirmed, the median ratio falls to
 * 1 + the tolerance or below, or --confirm-max pairs are complete. Looking again after each pair
 * raises the chance of a false confirmation somewhat (each look is another chance for noise to
 * clear the bar); the bar is an interval at 95 % on at most 15 pairs, which keeps that small.
 */
#ifndef CCB_CONFIRM_H
#define CCB_CONFIRM_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#define CONFIRM_ROLE "confirm"	/* the runs' "role" */
#define CONFIRM_PAIRS 5		/* sweep --confirm's default */
#define CONFIRM_PAIRS_MAX 15	/* sweep --confirm-max's default */
#define CONFIRM_MIN_PAIRS 2	/* fewer complete pairs cannot confirm anything */
#define CONFIRM_LEVEL 0.95	/* of the median ratio's interval */

struct confirm_params {
	long pairs;		/* the pairs asked for (sweep --confirm) */
	long pairs_max;		/* at most this many when promising (--confirm-max; <= pairs: off) */
	uint64_t seed;		/* of the pairs' order: the sweep's seed */
	double level;		/* of the interval, within (0, 1) */
};

/* The defaults: CONFIRM_PAIRS pairs, at most CONFIRM_PAIRS_MAX, seed 0, level CONFIRM_LEVEL. */
void confirm_params_init(struct confirm_params *p);

/* The pairs there may be at most for one candidate: p->pairs_max, never fewer than p->pairs. */
long confirm_pairs_most(const struct confirm_params *p);

/*
 * Why rec (recommend_compute()'s) is not to be confirmed with p->pairs pairs, or NULL when it
 * is: p->pairs is 0, there is no recommendation, it is the default thread count, its confidence
 * is "none", or it is of a strategy other than RECOMMEND_INTERPRETER or RECOMMEND_STRATEGY. A
 * static string.
 */
const char *confirm_skip_reason(json_t *rec, const struct confirm_params *p);

/*
 * Whether the default runs first in pair k (from 1): drawn from seed and k alone, so a resumed
 * sweep goes on with the same sequence, and about half the pairs start with each.
 */
bool confirm_default_first(uint64_t seed, long pair);

/*
 * The thread counts to confirm, in order, as a new array of integers: rec's threads (the grid's
 * choice, the fewest threads among its candidates), then the candidates with more threads (rec's
 * "candidates", in order of thread count) whose grid median (rec's "candidates_mb_s") is above
 * the default's by more than the tolerance (every one when the default has no median). A later
 * one is confirmed only when the one before it was not: [] when rec has no thread count.
 */
json_t *confirm_candidates(json_t *rec);

/*
 * The confirmation of candidate threads from doc's runs with role CONFIRM_ROLE and "candidate"
 * threads (or, when first, without a "candidate": a sweep's from before several were tried), as
 * a new object:
 *   verdict            "confirmed" or "not_reproduced"
 *   why                one sentence: what the pairs showed against the rule
 *   strategy, threads, default_threads, jobs, tolerance, level     what was compared
 *                      (strategy: rec's, recommend_strategy(); only its runs count)
 *   pairs_planned, pairs_max, seed     p's (pairs_max never below pairs_planned)
 *   extended           true when more pairs than planned are complete (added because the
 *                      planned ones were promising but not proven); then why starts with
 *                      "5 pairs were not enough; 9 pairs ran: "
 *   pairs              every pair seen, in order of k: { pair, first ("default", "recommended"
 *                      or null), default_mb_s, recommended_mb_s, default_seq, recommended_seq,
 *                      ratio, complete }; a pair is complete when both runs finished without
 *                      errors with a throughput (the default's above 0); only complete pairs
 *                      count. A run of another strategy, jobs or thread count is not part of it.
 *   complete_pairs, incomplete_pairs
 *   ratios             the complete pairs' ratios, in order of k
 *   median_ratio, ci_low, ci_high, ci_coverage    (null without a complete pair)
 *   wins               complete pairs where the recommended count was faster
 * Returns NULL when threads is not a thread count.
 */
json_t *confirm_compute_one(json_t *doc, json_t *rec, long threads, bool first,
			    const struct confirm_params *p);

/*
 * The deciding confirmation of rec from doc's runs, as a new object: confirm_compute_one() of
 * each of confirm_candidates() in turn, up to the first confirmed one or the last one with pairs
 * (a later candidate without pairs was not tried), with "tried": the earlier ones, not
 * reproduced, in order ([] when the first decided). Returns NULL when rec has no thread count to
 * confirm (see confirm_skip_reason()).
 */
json_t *confirm_compute(json_t *doc, json_t *rec, const struct confirm_params *p);

/*
 * The complete pairs conf's candidate (confirm_compute_one()'s) should have: p->pairs while it
 * has fewer; then one more than it has while they are promising but not proven (the median ratio
 * above 1 + the tolerance, the interval's lower end not above 1) and fewer than p->pairs_max;
 * else the ones it has: it is decided. A sweep runs pairs until the candidate has them.
 */
long confirm_pairs_wanted(json_t *conf, const struct confirm_params *p);

/*
 * The confirmation of a sweep that did not run one: { verdict "skipped", why, pairs_planned,
 * pairs_max, seed }.
 */
json_t *confirm_skipped(const char *why, const struct confirm_params *p);

/*
 * The pair a sweep runs next for conf's candidate: one after the highest pair of conf's "pairs"
 * (1 when none); each candidate numbers its own pairs.
 */
long confirm_next_pair(json_t *conf);

/*
 * Store conf (confirm_compute()'s; reference taken) as rec's "confirmation". When it confirmed
 * rec's own thread count, rec stays as it is. When it confirmed a later candidate (the earlier
 * ones in its "tried"), rec becomes that candidate: threads, mb_s its grid median, confidence
 * "low" (the grid did not choose it), and a reason that names the candidates tried first with
 * their median ratios. When its verdict is "not_reproduced", rec falls back to the default:
 * threads default_threads, mb_s default_mb_s, confidence "low" when the last pairs showed the
 * default faster (the interval's upper end below 1) and "none" otherwise, and a reason that says
 * the confirmation did not reproduce the gain of any candidate tried, with their ratios, and why.
 * Whenever rec changed, what the grid alone recommended is kept in the confirmation's "grid"
 * { threads, mb_s, confidence, reason }.
 */
void confirm_apply(json_t *rec, json_t *conf);

/*
 * The confirmation of conf in one sentence, as a new string (free it), e.g.
 *   4 threads were 1.14x the default in the median of 5 pairs (faster in 5 of 5; 93.75 %
 *   interval 1.08–1.21): confirmed
 * with "(5 pairs were not enough; 9 pairs ran)" after "confirmed" when pairs were added,
 * or "not run: <why>" for a skipped one. NULL when conf is not a confirmation.
 */
char *confirm_text(json_t *conf);

/*
 * The evidence lines for the text a sweep ends with (recommend_line()'s), as a new string:
 * "#   paired confirmation, tried first: <confirm_text>\n" for each of the confirmation's
 * "tried", then "#   paired confirmation: <confirm_text>\n"; "" when rec has no confirmation or
 * it was skipped.
 */
char *confirm_line(json_t *rec);

#endif
