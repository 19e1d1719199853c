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

/*
 * The pairs candidate threads still lacks, up to p->pairs complete ones; *confirmed says what
 * they show. Returns 0 or a failed or stopped run's status.
 */
static int confirm_candidate(struct sweep *sw, json_t *rec, unsigned threads, bool first,
			     const struct confirm_params *p, bool *confirmed)
{
	const struct copy_strategy *s = strategy_find(RECOMMEND_STRATEGY);
	const unsigned def = (unsigned)json_integer_value(json_object_get(rec, "default_threads"));
	json_t *conf = confirm_compute_one(sw->b.res.root, rec, threads, first, p);
	long have = (long)json_integer_value(json_object_get(conf, "complete_pairs"));
	long pair = confirm_next_pair(conf);

	json_decref(conf);
	*confirmed = false;
	if (!s || !def || !threads)
		return 0;
	if (have < p->pairs)
		info("sweep: confirming %u against %u threads (%s) with %ld %spair%s of cold runs; "
		     "seed %llu", threads, def, s->name, p->pairs - have, have ? "more " : "",
		     p->pairs - have == 1 ? "" : "s", (unsigned long long)p->seed);
	for (; have < p->pairs; pair++, have++) {
		const bool def_first = confirm_default_first(p->seed, pair);
		int status;

		info("sweep: confirmation pair %ld of %ld: %u, then %u thread%s", have + 1,
		     p->pairs, def_first ? def : threads, def_first ? threads : def,
		     (def_first ? threads : def) == 1 ? "" : "s");
		status = run_one(sw, s, def_first ? def : threads, threads, pair, 1);
		if (!status)
			status = run_one(sw, s, def_first ? threads : def, threads, pair, 2);
		if (status)
			return status;
	}
	conf = confirm_compute_one(sw->b.res.root, rec, threads, first, p);
	*confirmed = !strcmp(json_string_value(json_object_get(conf, "verdict")) ?: "",
			     "confirmed");
	if (!*confirmed && json_is_number(json_object_get(conf, "median_ratio")))
		info("sweep: %u thread%s not confirmed (median ratio %.2f)", threads,
		     threads == 1 ? " was" : "s were",
		     json_number_value(json_object_get(conf, "median_ratio")));
	else if (!*confirmed)
		info("sweep: %u thread%s not confirmed (no complete pair)", threads,
		     threads == 1 ? " was" : "s were");
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
