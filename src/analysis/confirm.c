/* SPDX-License-Identifier: MIT */
/* confirm.c - a recommendation's paired confirmation: pairs, ratios, verdict, fallback. No I/O. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/confirm.h"
#include "analysis/recommend.h"
#include "analysis/stats.h"
#include "lib/dynbuf.h"
#include "lib/json_get.h"
#include "lib/util.h"

/* One pair while the runs are gathered; runs are borrowed from the document. */
struct pair {
	long k;
	json_t *def;		/* the default's run, or NULL */
	json_t *rec;		/* the recommended count's run, or NULL */
};

void confirm_params_init(struct confirm_params *p)
{
	p->pairs = CONFIRM_PAIRS;
	p->pairs_max = CONFIRM_PAIRS_MAX;
	p->seed = 0;
	p->level = CONFIRM_LEVEL;
}

const char *confirm_skip_reason(json_t *rec, const struct confirm_params *p)
{
	json_t *threads = json_object_get(rec, "threads");
	const char *confidence = json_string_value(json_object_get(rec, "confidence"));
	const char *strategy = json_string_value(json_object_get(rec, "strategy"));

	if (p->pairs <= 0)
		return "no pairs were asked for (--confirm 0)";
	if (!json_is_integer(threads))
		return "there is no recommendation to confirm";
	if (json_integer_value(threads) == json_get_int(rec, "default_threads"))
		return "the recommendation is CryoSPARC's default thread count: nothing to confirm";
	if (!confidence || !strcmp(confidence, "none"))
		return "the grid could not tell the thread counts apart (confidence none)";
	if (strategy && strcmp(strategy, RECOMMEND_STRATEGY) &&
	    strcmp(strategy, RECOMMEND_INTERPRETER))
		return "the recommendation is not of " RECOMMEND_INTERPRETER " or " RECOMMEND_STRATEGY
		       ", CryoSPARC's copier";
	return NULL;
}

bool confirm_default_first(uint64_t seed, long pair)
{
	/* splitmix64's finalizer over seed and k: independent draws without any state to keep */
	uint64_t z = seed + (uint64_t)pair * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (z >> 17) & 1;
}

/* Finished, without errors, with a throughput: a measurement (as cells.c counts one). */
static bool run_measured(json_t *run)
{
	return run && !json_is_true(json_object_get(run, "aborted")) &&
	       !json_array_size(json_object_get(run, "errors")) && json_get_has_num(run, "mb_s");
}

static bool pair_complete(const struct pair *pr)
{
	return run_measured(pr->def) && run_measured(pr->rec) &&
	       json_get_num(pr->def, "mb_s") > 0;
}

static struct pair *find_pair(struct pair **pairs, size_t *nr, long k)
{
	size_t i;

	for (i = 0; i < *nr && (*pairs)[i].k != k; i++)
		;
	if (i == *nr) {
		*pairs = xrealloc(*pairs, (*nr + 1) * sizeof(**pairs));
		(*pairs)[(*nr)++] = (struct pair){ .k = k };
	}
	return &(*pairs)[i];
}

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a;
	const struct pair *y = b;

	return (x->k > y->k) - (x->k < y->k);
}

/*
 * Whether run is one of the pairs of candidate threads: its "candidate", or, in a document from
 * before several candidates were tried (no "candidate"), only the first one's.
 */
static bool of_candidate(json_t *run, json_int_t threads, bool first)
{
	json_t *c = json_object_get(run, "candidate");

	return json_is_integer(c) ? json_integer_value(c) == threads : first;
}

/* The confirmation runs of doc for candidate threads against def, grouped into pairs by k. */
static struct pair *gather(json_t *doc, json_t *rec, json_int_t threads, bool first, size_t *nr)
{
	const json_int_t def = json_get_int(rec, "default_threads");
	const json_int_t jobs = json_is_integer(json_object_get(rec, "jobs"))
					? json_get_int(rec, "jobs") : 1;
	struct pair *pairs = NULL;
	json_t *run;
	size_t i;

	*nr = 0;
	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		const char *role = json_string_value(json_object_get(run, "role"));
		json_t *t = json_object_get(run, "threads");
		json_t *j = json_object_get(run, "jobs");
		struct pair *pr;

		if (!role || strcmp(role, CONFIRM_ROLE) || !json_is_integer(t) ||
		    !json_is_integer(json_object_get(run, "pair")) ||
		    strcmp(json_get_str(run, "strategy"), recommend_strategy(rec)) ||
		    (json_is_integer(j) ? json_integer_value(j) : 1) != jobs ||
		    !of_candidate(run, threads, first))
			continue;
		if (json_integer_value(t) != threads && json_integer_value(t) != def)
			continue;
		pr = find_pair(&pairs, nr, (long)json_get_int(run, "pair"));
		/* a later run of the same side of a pair replaces the earlier */
		if (json_integer_value(t) == def)
			pr->def = run;
		else
			pr->rec = run;
	}
	if (*nr)
		qsort(pairs, *nr, sizeof(*pairs), cmp_pair);
	return pairs;
}

static json_t *num_or_null(json_t *run, const char *key)
{
	return run && json_get_has_num(run, key) ? json_real(json_get_num(run, key)) : json_null();
}

static json_t *seq_or_null(json_t *run)
{
	return run && json_is_integer(json_object_get(run, "seq"))
		       ? json_integer(json_get_int(run, "seq")) : json_null();
}

static json_t *pair_json(const struct pair *pr)
{
	const bool complete = pair_complete(pr);
	const char *first = NULL;

	if (pr->def && json_get_int(pr->def, "position") == 1)
		first = "default";
	else if (pr->rec && json_get_int(pr->rec, "position") == 1)
		first = "recommended";
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "pair", (json_int_t)pr->k,
			 "first", first ? json_string(first) : json_null(), "default_mb_s",
			 num_or_null(pr->def, "mb_s"), "recommended_mb_s",
			 num_or_null(pr->rec, "mb_s"), "default_seq", seq_or_null(pr->def),
			 "recommended_seq", seq_or_null(pr->rec), "ratio",
			 complete ? json_real(json_get_num(pr->rec, "mb_s") /
					      json_get_num(pr->def, "mb_s"))
				  : json_null(),
			 "complete", complete);
}

static const char *threads_word(long long n)
{
	return n == 1 ? "thread" : "threads";
}

long confirm_pairs_most(const struct confirm_params *p)
{
	return p->pairs_max > p->pairs ? p->pairs_max : p->pairs;
}

/* A gain worth a change in the median that the interval does not prove yet. */
static bool promising(size_t n, double median, double ci_low, double tol)
{
	return n >= CONFIRM_MIN_PAIRS && median > 1 + tol && !(ci_low > 1);
}

/* The verdict and its sentence from the ratios' statistics. */
static const char *judge(size_t n, double median, const struct median_ci *ci, double tol,
			 const struct confirm_params *p, struct dynbuf *why)
{
	if (n > (size_t)p->pairs)
		dynbuf_addf(why, "%ld pairs were not enough; %zu pairs ran%s: ", p->pairs, n,
			    n >= (size_t)confirm_pairs_most(p) && promising(n, median, ci->low, tol)
				    ? " (the most --confirm-max allows)" : "");
	if (n == 0) {
		dynbuf_addstr(why, "no pair was complete");
		return "not_reproduced";
	}
	if (n < CONFIRM_MIN_PAIRS) {
		dynbuf_addf(why, "%zu complete pair is too few to tell a gain from noise", n);
		return "not_reproduced";
	}
	if (!(median > 1 + tol)) {
		dynbuf_addf(why, "the median ratio %.2f is not above %.2f (1 + the tolerance)",
			    median, 1 + tol);
		return "not_reproduced";
	}
	if (!(ci->low > 1)) {
		dynbuf_addf(why, "the interval's lower end %.2f is not above 1: %s", ci->low,
			    ci->below_level ? "the default was as fast in at least one pair"
					    : "the pairs cannot rule out no gain");
		return "not_reproduced";
	}
	dynbuf_addf(why, "the median ratio %.2f is above %.2f (1 + the tolerance) and the "
		    "interval's lower end %.2f above 1", median, 1 + tol, ci->low);
	return "confirmed";
}

json_t *confirm_compute_one(json_t *doc, json_t *rec, long threads, bool first,
			    const struct confirm_params *p)
{
	const double tol = json_get_has_num(rec, "tolerance") ? json_get_num(rec, "tolerance")
							      : RECOMMEND_TOLERANCE;
	size_t nr;
	struct pair *pairs;
	double *ratios;
	size_t n = 0;
	size_t wins = 0;
	struct summary s = { 0 };
	struct median_ci ci = { 0 };
	struct dynbuf why;
	json_t *conf;
	json_t *list;
	json_t *rlist;
	const char *verdict;

	if (threads <= 0)
		return NULL;
	list = json_array();
	rlist = json_array();
	pairs = gather(doc, rec, threads, first, &nr);
	ratios = xmalloc((nr ? nr : 1) * sizeof(*ratios));
	for (size_t i = 0; i < nr; i++) {
		json_t *pj = pair_json(&pairs[i]);

		if (json_is_true(json_object_get(pj, "complete"))) {
			ratios[n] = json_get_num(pj, "ratio");
			json_array_append_new(rlist, json_real(ratios[n]));
			wins += ratios[n] > 1;
			n++;
		}
		json_array_append_new(list, pj);
	}
	if (n) {
		stats_summarize(ratios, n, &s);
		stats_median_ci(ratios, n, p->level, &ci);
	}
	dynbuf_init(&why);
	verdict = judge(n, s.median, &ci, tol, p, &why);
	conf = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:f, s:f, s:I, s:I}", "verdict", verdict,
			 "why", dynbuf_str(&why), "strategy", recommend_strategy(rec), "threads",
			 (json_int_t)threads, "default_threads",
			 (json_int_t)json_get_int(rec, "default_threads"), "jobs",
			 (json_int_t)(json_is_integer(json_object_get(rec, "jobs"))
					      ? json_get_int(rec, "jobs") : 1),
			 "tolerance", tol, "level", p->level, "pairs_planned", (json_int_t)p->pairs,
			 "seed", (json_int_t)p->seed);
	json_object_set_new(conf, "pairs_max", json_integer((json_int_t)confirm_pairs_most(p)));
	json_object_set_new(conf, "extended", json_boolean(n > (size_t)p->pairs));
	json_object_set_new(conf, "pairs", list);
	json_object_set_new(conf, "complete_pairs", json_integer((json_int_t)n));
	json_object_set_new(conf, "incomplete_pairs", json_integer((json_int_t)(nr - n)));
	json_object_set_new(conf, "ratios", rlist);
	json_object_set_new(conf, "median_ratio", n ? json_real(s.median) : json_null());
	json_object_set_new(conf, "ci_low", n ? json_real(ci.low) : json_null());
	json_object_set_new(conf, "ci_high", n ? json_real(ci.high) : json_null());
	json_object_set_new(conf, "ci_coverage", n ? json_real(ci.coverage) : json_null());
	json_object_set_new(conf, "wins", json_integer((json_int_t)wins));
	dynbuf_release(&why);
	free(ratios);
	free(pairs);
	return conf;
}

long confirm_pairs_wanted(json_t *conf, const struct confirm_params *p)
{
	const long have = (long)json_get_int(conf, "complete_pairs");

	if (have < p->pairs)
		return p->pairs;
	if (have < confirm_pairs_most(p) &&
	    promising((size_t)have, json_get_num(conf, "median_ratio"), json_get_num(conf, "ci_low"),
		      json_get_num(conf, "tolerance")))
		return have + 1;
	return have;
}

json_t *confirm_candidates(json_t *rec)
{
	const json_int_t first = json_get_int(rec, "threads");
	const double tol = json_get_has_num(rec, "tolerance") ? json_get_num(rec, "tolerance")
							      : RECOMMEND_TOLERANCE;
	json_t *def_mb_s = json_object_get(rec, "default_mb_s");
	json_t *mb_s = json_object_get(rec, "candidates_mb_s");
	json_t *list = json_array();
	json_t *c;
	size_t i;

	if (!json_is_integer(json_object_get(rec, "threads")))
		return list;
	json_array_append_new(list, json_integer(first));
	/* the grid's candidates are in order of thread count; the first is the fewest */
	json_array_foreach(json_object_get(rec, "candidates"), i, c) {
		json_t *m = json_array_get(mb_s, i);

		if (!json_is_integer(c) || json_integer_value(c) <= first || !json_is_number(m))
			continue;
		if (json_is_number(def_mb_s) &&
		    !(json_number_value(m) > json_number_value(def_mb_s) * (1 + tol)))
			continue;
		json_array_append_new(list, json_integer(json_integer_value(c)));
	}
	return list;
}

json_t *confirm_compute(json_t *doc, json_t *rec, const struct confirm_params *p)
{
	json_t *cands = confirm_candidates(rec);
	json_t *tried = json_array();
	json_t *conf = NULL;
	json_t *c;
	size_t i;

	json_array_foreach(cands, i, c) {
		json_t *one = confirm_compute_one(doc, rec, (long)json_integer_value(c), i == 0, p);

		/* a later candidate was tried only when it has pairs */
		if (!one || (i && !json_array_size(json_object_get(one, "pairs")))) {
			json_decref(one);
			break;
		}
		if (conf)
			json_array_append_new(tried, conf);
		conf = one;
		if (!strcmp(json_get_str(conf, "verdict"), "confirmed"))
			break;
	}
	json_decref(cands);
	if (conf)
		json_object_set_new(conf, "tried", tried);
	else
		json_decref(tried);
	return conf;
}

json_t *confirm_skipped(const char *why, const struct confirm_params *p)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I}", "verdict", "skipped", "why", why,
			 "pairs_planned", (json_int_t)(p->pairs > 0 ? p->pairs : 0), "pairs_max",
			 (json_int_t)(p->pairs > 0 ? confirm_pairs_most(p) : 0), "seed",
			 (json_int_t)p->seed);
}

long confirm_next_pair(json_t *conf)
{
	long next = 1;
	json_t *pr;
	size_t i;

	json_array_foreach(json_object_get(conf, "pairs"), i, pr)
		if (json_get_int(pr, "pair") >= next)
			next = (long)json_get_int(pr, "pair") + 1;
	return next;
}

/* "93.75 %": the coverage as it is, not rounded up to the level asked for. */
static void coverage_text(double coverage, char *buf, size_t len)
{
	snprintf(buf, len, "%.4g %%", 100 * coverage);
}

char *confirm_text(json_t *conf)
{
	const char *verdict = json_string_value(json_object_get(conf, "verdict"));
	const long long threads = json_get_int(conf, "threads");
	const long long n = json_get_int(conf, "complete_pairs");
	const long long incomplete = json_get_int(conf, "incomplete_pairs");
	struct dynbuf t;
	char cov[32];

	if (!verdict)
		return NULL;
	dynbuf_init(&t);
	if (!strcmp(verdict, "skipped")) {
		dynbuf_addf(&t, "not run: %s", json_get_str(conf, "why"));
		return dynbuf_detach(&t, NULL);
	}
	if (n == 0) {
		dynbuf_addf(&t, "no pair of %lld against %lld threads was complete",
			    threads, json_get_int(conf, "default_threads"));
	} else {
		coverage_text(json_get_num(conf, "ci_coverage"), cov, sizeof(cov));
		dynbuf_addf(&t, "%lld %s %s %.2fx the default (%lld) in the median of %lld pair%s "
			    "(faster in %lld of %lld; %s interval %.2f–%.2f)", threads,
			    threads_word(threads), threads == 1 ? "was" : "were",
			    json_get_num(conf, "median_ratio"),
			    json_get_int(conf, "default_threads"), n, n == 1 ? "" : "s",
			    json_get_int(conf, "wins"), n, cov, json_get_num(conf, "ci_low"),
			    json_get_num(conf, "ci_high"));
	}
	if (incomplete)
		dynbuf_addf(&t, ", %lld incomplete pair%s left out", incomplete,
			    incomplete == 1 ? "" : "s");
	if (!strcmp(verdict, "confirmed") && json_is_true(json_object_get(conf, "extended")))
		dynbuf_addf(&t, ": confirmed (%lld pairs were not enough; %lld pairs ran)",
			    json_get_int(conf, "pairs_planned"), n);
	else if (!strcmp(verdict, "confirmed"))
		dynbuf_addstr(&t, ": confirmed");
	else
		dynbuf_addf(&t, ": not reproduced, %s", json_get_str(conf, "why"));
	return dynbuf_detach(&t, NULL);
}

char *confirm_line(json_t *rec)
{
	json_t *conf = json_object_get(rec, "confirmation");
	const char *verdict = json_string_value(json_object_get(conf, "verdict"));
	struct dynbuf t;
	json_t *one;
	char *text;
	size_t i;

	if (!verdict || !strcmp(verdict, "skipped"))
		return xstrdup("");
	dynbuf_init(&t);
	json_array_foreach(json_object_get(conf, "tried"), i, one) {
		text = confirm_text(one);
		dynbuf_addf(&t, "#   paired confirmation, tried first: %s\n", text ? text : "");
		free(text);
	}
	text = confirm_text(conf);
	dynbuf_addf(&t, "#   paired confirmation: %s\n", text);
	free(text);
	return dynbuf_detach(&t, NULL);
}

/* The candidates tried before conf's, with their median ratios: "4 threads (median ratio 1.04)". */
static void tried_list(json_t *conf, struct dynbuf *t)
{
	json_t *one;
	size_t i;

	json_array_foreach(json_object_get(conf, "tried"), i, one) {
		const long long n = json_get_int(one, "threads");

		dynbuf_addf(t, "%s%lld %s (", i ? ", " : "", n, threads_word(n));
		if (json_get_has_num(one, "median_ratio"))
			dynbuf_addf(t, "median ratio %.2f)", json_get_num(one, "median_ratio"));
		else
			dynbuf_addstr(t, "no complete pair)");
	}
}

/* The grid's median of candidate threads (rec's candidates_mb_s), or null. */
static json_t *candidate_mb_s(json_t *rec, json_int_t threads)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(rec, "candidates"), i, c)
		if (json_integer_value(c) == threads &&
		    json_is_number(json_array_get(json_object_get(rec, "candidates_mb_s"), i)))
			return json_real(json_number_value(
				json_array_get(json_object_get(rec, "candidates_mb_s"), i)));
	return json_null();
}

/* The recommendation's new reason, when the confirmation changed it. */
static char *applied_reason(json_t *conf, json_t *grid, bool confirmed)
{
	const long long n = json_get_int(conf, "threads");
	const size_t nr_tried = json_array_size(json_object_get(conf, "tried"));
	struct dynbuf t;
	char *said;

	/* the grid's reason inside brackets, without its full stop */
	said = xstrdup(json_get_str(grid, "reason"));
	if (*said && said[strlen(said) - 1] == '.')
		said[strlen(said) - 1] = '\0';
	dynbuf_init(&t);
	if (confirmed) {
		dynbuf_addf(&t, "the paired confirmation confirmed the gain of %lld %s over the "
			    "default (%s) after the fewer-thread candidate%s tried first %s not "
			    "confirmed: ", n, threads_word(n), json_get_str(conf, "why"),
			    nr_tried == 1 ? "" : "s", nr_tried == 1 ? "was" : "were");
		tried_list(conf, &t);
	} else if (nr_tried) {
		dynbuf_addstr(&t, "the paired confirmation did not reproduce the gain over the "
			      "default of any candidate tried: ");
		tried_list(conf, &t);
		dynbuf_addf(&t, ", then %lld %s: %s", n, threads_word(n), json_get_str(conf, "why"));
	} else {
		dynbuf_addf(&t, "the paired confirmation did not reproduce the gain of %lld %s over "
			    "the default: %s", n, threads_word(n), json_get_str(conf, "why"));
	}
	dynbuf_addf(&t, " (the grid alone suggested %lld: %s)", json_get_int(grid, "threads"), said);
	free(said);
	return dynbuf_detach(&t, NULL);
}

void confirm_apply(json_t *rec, json_t *conf)
{
	const char *verdict = json_string_value(json_object_get(conf, "verdict"));
	const bool confirmed = verdict && !strcmp(verdict, "confirmed");
	json_t *def_mb_s = json_object_get(rec, "default_mb_s");
	json_t *grid;
	double high = json_get_num(conf, "ci_high");
	char *reason;

	json_object_set(rec, "confirmation", conf);
	if (!verdict || !strcmp(verdict, "skipped") ||
	    (confirmed && json_get_int(conf, "threads") == json_get_int(rec, "threads")))
		return;
	grid = json_pack("{s:O, s:O, s:O, s:O}", "threads", json_object_get(rec, "threads"), "mb_s",
			 json_object_get(rec, "mb_s") ?: json_null(), "confidence",
			 json_object_get(rec, "confidence") ?: json_null(), "reason",
			 json_object_get(rec, "reason") ?: json_null());
	json_object_set_new(conf, "grid", grid);
	reason = applied_reason(conf, grid, confirmed);
	if (confirmed) {
		/* a later candidate: the pairs prove it, but the grid did not choose it */
		json_object_set_new(rec, "threads", json_integer(json_get_int(conf, "threads")));
		json_object_set_new(rec, "mb_s", candidate_mb_s(rec, json_get_int(conf, "threads")));
		json_object_set_new(rec, "confidence", json_string("low"));
	} else {
		json_object_set_new(rec, "threads",
				    json_integer(json_get_int(rec, "default_threads")));
		json_object_set(rec, "mb_s", def_mb_s ? def_mb_s : json_null());
		/* The pairs showing the default faster is evidence for it; anything else is not. */
		json_object_set_new(rec, "confidence",
				    json_string(json_get_int(conf, "complete_pairs") >=
							CONFIRM_MIN_PAIRS &&
							json_get_has_num(conf, "ci_high") && high < 1
						? "low" : "none"));
	}
	json_object_set_new(rec, "reason", json_string(reason));
	free(reason);
}
