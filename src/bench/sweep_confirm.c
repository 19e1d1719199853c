/* SPDX-License-Identifier: MIT */
/* sweep_confirm.c - the paired cold runs that confirm a sweep's recommendation. */
#include "config.h"

#include <string.h>

#include "analysis/confirm.h"
#include "analysis/recommend.h"
#include "bench/sweep_confirm.h"
#include "lib/util.h"

/* One run of a pair, recorded with its role, candidate, pair and position. */
static int run_one(struct sweep *sw, const struct copy_strategy *s, unsigned threads,
		   unsigned candidate, long pair, int position)
{
	json_t *tags = json_pack("{s:s, s:I, s:I, s:i}", "role", CONFIRM_ROLE, "candidate",
				 (json_int_t)candidate, "pair", (json_int_t)pair, "position",
				 position);
	struct bench_spec spec = { .strategy = s, .threads = threads, .repeat = (unsigned)pair,
				   .plan_index = -1, .tags = tags };
	int status = bench_run_spec(&sw->b, &spec, NULL);
	json_t *runs = results_runs(&sw->b.res);
	json_t *last = json_array_get(runs, json_array_size(runs) - 1);

	sw->copy_seconds += json_number_value(json_object_get(last, "seconds_durable"));
	json_decref(tags);
	return status;
}

/* One pair: the default and the candidate, in the order drawn for it. */
static int run_pair(struct sweep *sw, const struct copy_strategy *s, unsigned def,
		    unsigned threads, long pair, long nth, const struct confirm_params *p)
{
	const bool def_first = confirm_default_first(p->seed, pair);
	int status;

	if (nth <= p->pairs)
		info("sweep: confirmation pair %ld of %ld: %u, then %u thread%s", nth, p->pairs,
		     def_first ? def : threads, def_first ? threads : def,
		     (def_first ? threads : def) == 1 ? "" : "s");
	else
		info("sweep: confirmation pair %ld (added, at most %ld): %u, then %u thread%s", nth,
		     confirm_pairs_most(p), def_first ? def : threads, def_first ? threads : def,
		     (def_first ? threads : def) == 1 ? "" : "s");
	status = run_one(sw, s, def_first ? def : threads, threads, pair, 1);
	if (!status)
		status = run_one(sw, s, def_first ? threads : def, threads, pair, 2);
	return status;
}

/* What the pairs of a candidate showed, said as the sweep goes on. */
static void say_outcome(json_t *conf, unsigned threads)
{
	const char *were = threads == 1 ? " was" : "s were";

	if (json_is_true(json_object_get(conf, "extended")))
		info("sweep: %lld pairs of %u thread%s complete (%ld planned)",
		     (long long)json_integer_value(json_object_get(conf, "complete_pairs")), threads,
		     threads == 1 ? "" : "s",
		     (long)json_integer_value(json_object_get(conf, "pairs_planned")));
	if (!strcmp(json_string_value(json_object_get(conf, "verdict")) ?: "", "confirmed"))
		return;
	if (json_is_number(json_object_get(conf, "median_ratio")))
		info("sweep: %u thread%s not confirmed (median ratio %.2f)", threads, were,
		     json_number_value(json_object_get(conf, "median_ratio")));
	else
		info("sweep: %u thread%s not confirmed (no complete pair)", threads, were);
}

/*
 * The pairs candidate threads still lacks: up to p->pairs complete ones, then one at a time while
 * they are promising but not proven, up to p->pairs_max (confirm_pairs_wanted()); *confirmed says
 * what they show. Returns 0 or a failed or stopped run's status.
 */
static int confirm_candidate(struct sweep *sw, json_t *rec, unsigned threads, bool first,
			     const struct confirm_params *p, bool *confirmed)
{
	const struct copy_strategy *s = strategy_find(recommend_strategy(rec));
	const unsigned def = (unsigned)json_integer_value(json_object_get(rec, "default_threads"));
	json_t *conf = confirm_compute_one(sw->b.res.root, rec, threads, first, p);
	long have = (long)json_integer_value(json_object_get(conf, "complete_pairs"));
	long want = confirm_pairs_wanted(conf, p);
	long pair = confirm_next_pair(conf);
	/* a pair left incomplete is run again, but never more pairs than the most there may be */
	long left = confirm_pairs_most(p) - have;

	*confirmed = false;
	if (!s || !def || !threads) {
		json_decref(conf);
		return 0;
	}
	if (have < p->pairs)
		info("sweep: confirming %u against %u threads (%s) with %ld %spair%s of cold runs "
		     "(up to %ld while promising but not proven); seed %llu", threads, def, s->name,
		     p->pairs - have, have ? "more " : "", p->pairs - have == 1 ? "" : "s",
		     confirm_pairs_most(p),
		     (unsigned long long)p->seed);
	while (have < want && left-- > 0) {
		int status;

		if (have >= p->pairs)
			info("sweep: %u thread%s promising but not proven after %ld pairs "
			     "(median ratio %.2f, interval from %.2f): one more pair", threads,
			     threads == 1 ? " is" : "s are", have,
			     json_number_value(json_object_get(conf, "median_ratio")),
			     json_number_value(json_object_get(conf, "ci_low")));
		status = run_pair(sw, s, def, threads, pair++, have + 1, p);
		if (status) {
			json_decref(conf);
			return status;
		}
		json_decref(conf);
		conf = confirm_compute_one(sw->b.res.root, rec, threads, first, p);
		have = (long)json_integer_value(json_object_get(conf, "complete_pairs"));
		want = confirm_pairs_wanted(conf, p);
	}
	*confirmed = !strcmp(json_string_value(json_object_get(conf, "verdict")) ?: "",
			     "confirmed");
	say_outcome(conf, threads);
	json_decref(conf);
	return 0;
}

int sweep_confirm(struct sweep *sw, json_t *rec, const struct confirm_params *p)
{
	json_t *cands = confirm_candidates(rec);
	bool confirmed = false;
	int status = 0;
	json_t *c;
	size_t i;

	json_array_foreach(cands, i, c) {
		if (i)
			info("sweep: confirming the next candidate, %lld thread%s",
			     (long long)json_integer_value(c),
			     json_integer_value(c) == 1 ? "" : "s");
		status = confirm_candidate(sw, rec, (unsigned)json_integer_value(c), i == 0, p,
					   &confirmed);
		if (status || confirmed)
			break;
	}
	json_decref(cands);
	return status;
}
