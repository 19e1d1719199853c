/* SPDX-License-Identifier: MIT */
/* recommend.c - CRYOSPARC_CACHE_NUM_THREADS from the cells of a results document. No I/O. */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/recommend.h"
#include "lib/dynbuf.h"
#include "lib/json_get.h"
#include "lib/util.h"

/* What the rules need of a cell; cell is borrowed from the cells array. */
struct rcell {
	json_t *cell;
	const char *strategy;
	json_int_t threads;
	size_t runs;
	double median, low, high;
	json_t *flags;
};

void recommend_params_init(struct recommend_params *p)
{
	memset(p, 0, sizeof(*p));
	p->tolerance = RECOMMEND_TOLERANCE;
	p->jobs = 1;
}

void recommend_params_from_doc(struct recommend_params *p, json_t *doc)
{
	json_t *source = json_object_get(doc, "source");
	json_t *files = json_object_get(source, "files");
	json_t *bytes = json_object_get(source, "bytes");

	if (json_is_integer(files) && json_integer_value(files) > 0)
		p->source_files = (uint64_t)json_integer_value(files);
	if (json_is_integer(bytes) && json_integer_value(bytes) > 0)
		p->source_bytes = (uint64_t)json_integer_value(bytes);
}

/* Whether cell has p's jobs copiers and node count (cells_compute: none for one node alone). */
static bool rcell_of(json_t *cell, const struct recommend_params *p)
{
	json_t *j = json_object_get(cell, "jobs");

	return (json_is_integer(j) ? json_integer_value(j) : 1) == p->jobs &&
	       json_integer_value(json_object_get(cell, "nodes")) == p->nodes;
}

/* A cell of p's jobs and nodes with a complete run, read into r; false for any other. */
static bool rcell_read(json_t *cell, const struct recommend_params *p, struct rcell *r)
{
	if (!rcell_of(cell, p) ||
	    json_integer_value(json_object_get(cell, "runs")) < 1 ||
	    !json_get_has_num(cell, "median_mb_s") ||
	    !json_is_string(json_object_get(cell, "strategy")))
		return false;
	r->cell = cell;
	r->strategy = json_string_value(json_object_get(cell, "strategy"));
	r->threads = json_integer_value(json_object_get(cell, "threads"));
	r->runs = (size_t)json_integer_value(json_object_get(cell, "runs"));
	r->median = json_get_num(cell, "median_mb_s");
	r->low = json_get_num(cell, "ci_low_mb_s");
	r->high = json_get_num(cell, "ci_high_mb_s");
	r->flags = json_object_get(cell, "flags");
	return true;
}

static bool overlap(const struct rcell *a, const struct rcell *b)
{
	return a->low <= b->high && b->low <= a->high;
}

static bool flagged(const struct rcell *c)
{
	return json_array_size(c->flags) > 0;
}

static int cmp_threads(const void *a, const void *b)
{
	const struct rcell *x = a;
	const struct rcell *y = b;

	return (x->threads > y->threads) - (x->threads < y->threads);
}

static void print_flags(struct dynbuf *f, const struct rcell *c)
{
	size_t i;
	json_t *flag;

	json_array_foreach(c->flags, i, flag)
		dynbuf_addf(f, "%s%s", i ? ", " : "", json_string_value(flag));
}

static const char *threads_word(json_int_t n)
{
	return n == 1 ? "thread" : "threads";
}

/* Rule 1: no cell of CryoSPARC's copier. */
static void reason_no_shutil(struct dynbuf *f, const struct rcell *all, size_t nr_all, long jobs)
{
	dynbuf_addf(f, "no %s or %s run (the copier CryoSPARC runs) finished without errors with "
		   "%ld %s, so there is nothing to tune",
		RECOMMEND_INTERPRETER, RECOMMEND_STRATEGY, jobs, jobs == 1 ? "job" : "jobs");
	for (size_t i = 0; i < nr_all; i++) {
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen = seen || !strcmp(all[j].strategy, all[i].strategy);
		if (!seen)
			dynbuf_addf(f, "%s%s", i ? ", " : "; measured instead: ", all[i].strategy);
	}
	dynbuf_addstr(f, ".");
}

/* A cell's runs that were cold (or from a remote source, which has no residency here). */
static size_t cold_runs(const struct rcell *c)
{
	const json_int_t not_cold = json_integer_value(json_object_get(c->cell, "not_cold_runs"));

	if (not_cold <= 0)
		return c->runs;
	return (size_t)not_cold < c->runs ? c->runs - (size_t)not_cold : 0;
}

/* Enough cold runs for a full-level interval of the median, and no flag. */
static bool solid(const struct rcell *c)
{
	return cold_runs(c) >= RECOMMEND_MIN_RUNS && !flagged(c) &&
	       json_get_num(c->cell, "ci_coverage") >= json_get_num(c->cell, "ci_level");
}

static bool has_flag(const struct rcell *c, const char *flag)
{
	size_t i;
	json_t *f;

	json_array_foreach(c->flags, i, f)
		if (!strcmp(json_string_value(f) ?: "", flag))
			return true;
	return false;
}

/* What would separate the cells: more runs, a larger set, a quieter machine. */
static void advice(struct dynbuf *f, const struct rcell *s, size_t nr)
{
	size_t fewest = SIZE_MAX;
	double worst_cv = 0;
	bool shortr = false;
	bool noisy = false;
	const char *sep = "";

	for (size_t i = 0; i < nr; i++) {
		fewest = s[i].runs < fewest ? s[i].runs : fewest;
		shortr = shortr || has_flag(&s[i], "short");
		noisy = noisy || has_flag(&s[i], "noisy");
		worst_cv = fmax(worst_cv, json_get_num(s[i].cell, "cv"));
	}
	dynbuf_addstr(f, " To separate them: ");
	if (fewest < RECOMMEND_MIN_RUNS) {
		dynbuf_addf(f, "more repeats (a cell has only %zu %s; %d give a 95 %% interval of "
			   "the median: --repeats auto adds them where they decide the answer)",
			fewest, fewest == 1 ? "run" : "runs", RECOMMEND_MIN_RUNS);
		sep = "; ";
	}
	if (shortr) {
		dynbuf_addf(f, "%sa larger set (runs this short measure mostly noise)", sep);
		sep = "; ";
	}
	if (noisy) {
		dynbuf_addf(f, "%sa quieter machine (runs of one cell vary by up to %.0f %% of their "
			   "mean: stop other jobs on the node and on its storage)", sep,
			100 * worst_cv);
		sep = "; ";
	}
	if (!*sep)
		dynbuf_addf(f, "more repeats (--repeats-max) or a larger set");
	dynbuf_addstr(f, ".");
}

/* Every interval overlaps every other (or only one thread count): nothing can be told apart. */
static void reason_within_noise(struct dynbuf *f, const struct rcell *s, size_t nr)
{
	const double level = json_get_num(s[0].cell, "ci_level");
	double lo = s[0].median;
	double hi = s[0].median;
	double least = 1;	/* the lowest coverage among the intervals */

	if (nr == 1) {
		dynbuf_addf(f, "only %lld %s measured with %s (%.0f MB/s), so there is nothing to "
			   "compare it with; sweep several thread counts.",
			(long long)s[0].threads, s[0].threads == 1 ? "thread was" : "threads were",
			s[0].strategy, s[0].median);
		return;
	}
	dynbuf_addf(f, "the %zu %s thread counts measured (", nr, s[0].strategy);
	for (size_t i = 0; i < nr; i++) {
		dynbuf_addf(f, "%s%lld", i ? ", " : "", (long long)s[i].threads);
		lo = fmin(lo, s[i].median);
		hi = fmax(hi, s[i].median);
		least = fmin(least, json_get_num(s[i].cell, "ci_coverage"));
	}
	dynbuf_addstr(f, ") are within noise of each other: their ");
	if (least >= level)
		dynbuf_addf(f, "%g %% confidence intervals all overlap", 100 * level);
	else
		dynbuf_addf(f,
			"confidence intervals all overlap (some only %g %% ones, for lack of runs)",
			100 * least);
	dynbuf_addf(f, " (medians %.0f-%.0f MB/s), so the data do not support changing the "
		   "default.", lo, hi);
	advice(f, s, nr);
}

/*
 * "800 MB/s (95 % CI 790-810, 6 runs)". An interval from too few runs for its level is labelled
 * with the coverage it has, never with the level asked for.
 */
static void print_cell_evidence(struct dynbuf *f, const struct rcell *c)
{
	const double coverage = json_get_num(c->cell, "ci_coverage");
	const double level = json_get_num(c->cell, "ci_level");

	if (c->runs < 2)
		dynbuf_addf(f, "%.0f MB/s (1 run, no interval)", c->median);
	else if (coverage >= level)
		dynbuf_addf(f, "%.0f MB/s (%g %% CI %.0f-%.0f, %zu runs)", c->median, 100 * level,
			c->low, c->high, c->runs);
	else
		dynbuf_addf(f, "%.0f MB/s (%g %% CI %.0f-%.0f: %zu runs are too few for %g %%)",
			c->median, 100 * coverage, c->low, c->high, c->runs, 100 * level);
}

/* Why a cell cannot carry high confidence: few cold runs, flags. */
static void print_weakness(struct dynbuf *f, const struct rcell *c, const char *name,
			   const char **sep)
{
	const size_t cold = cold_runs(c);

	if (cold < RECOMMEND_MIN_RUNS) {
		dynbuf_addf(f, "%s%s has %zu cold %s (%d are needed for a 95 %% interval)", *sep,
			name, cold, cold == 1 ? "run" : "runs", RECOMMEND_MIN_RUNS);
		*sep = " and ";
	}
	if (flagged(c)) {
		dynbuf_addf(f, "%s%s is flagged ", *sep, name);
		print_flags(f, c);
		*sep = " and ";
	}
}

/* The chosen cell, the best, the default, and why the confidence is low. */
static void reason_choice(struct dynbuf *f, const struct rcell *chosen, const struct rcell *best,
			  const struct rcell *def, bool high, double tolerance)
{
	const char *sep = "; confidence is low because ";
	char name[64];

	dynbuf_addf(f, "%lld %s%s reached ", (long long)chosen->threads, threads_word(chosen->threads),
		chosen == def ? " (the default)" : "");
	print_cell_evidence(f, chosen);
	if (chosen == best)
		dynbuf_addf(f, ", the highest %s median", chosen->strategy);
	else
		dynbuf_addf(f, ", within %g %% of the highest, %lld %s at %.0f MB/s", 100 * tolerance,
			(long long)best->threads, threads_word(best->threads), best->median);
	if (def && def != chosen) {
		dynbuf_addf(f, ", %.2fx the default %d threads at ",
			def->median > 0 ? chosen->median / def->median : 0.0,
			RECOMMEND_DEFAULT_THREADS);
		print_cell_evidence(f, def);
		if (chosen != best)
			dynbuf_addf(f, " (the fewest threads within %g %% of the highest)",
				100 * tolerance);
	} else if (def) {
		dynbuf_addf(f, "; no other thread count was more than %g %% faster than the default, "
			   "so it stays", 100 * tolerance);
	}
	if (high) {
		dynbuf_addstr(f, ".");
		return;
	}
	if (!def) {
		dynbuf_addf(f, "%sthe default (%d threads) was not measured", sep,
			RECOMMEND_DEFAULT_THREADS);
		sep = " and ";
	} else if (def != chosen && overlap(chosen, def)) {
		dynbuf_addf(f, "%sthe intervals of %lld and %d threads overlap", sep,
			(long long)chosen->threads, RECOMMEND_DEFAULT_THREADS);
		sep = " and ";
	}
	snprintf(name, sizeof(name), "the %lld-thread cell", (long long)chosen->threads);
	print_weakness(f, chosen, name, &sep);
	if (def && def != chosen)
		print_weakness(f, def, "the default's cell", &sep);
	dynbuf_addstr(f, ".");
}

/*
 * The data set the times are for. Returns false when no byte count is known. files is 0 when
 * unknown.
 */
static bool for_set(const struct recommend_params *p, uint64_t *files, uint64_t *bytes,
		    const char **basis)
{
	const bool mean_known = p->source_files && p->source_bytes;

	*files = 0;
	*bytes = 0;
	if (p->for_files && p->for_bytes) {
		*files = p->for_files;
		*bytes = p->for_bytes;
		*basis = "given";
	} else if (p->for_files) {
		if (!mean_known)
			return false;
		*files = p->for_files;
		*bytes = (uint64_t)llround((double)p->for_files * (double)p->source_bytes /
					   (double)p->source_files);
		*basis = "scaled";
	} else if (p->for_bytes) {
		*bytes = p->for_bytes;
		if (mean_known)
			*files = (uint64_t)fmax(1, llround((double)p->for_bytes *
							  (double)p->source_files /
							  (double)p->source_bytes));
		*basis = "scaled";
	} else {
		if (!p->source_bytes)
			return false;
		*files = p->source_files;
		*bytes = p->source_bytes;
		*basis = "measured";
	}
	return true;
}

/*
 * Each of jobs copiers caches bytes, as in the runs, where mb_s is what they copied together;
 * across nodes that each copied the whole set, on every node.
 */
static json_t *seconds_at(uint64_t bytes, const struct recommend_params *p, double mb_s)
{
	const double copies = (double)p->jobs * (p->nodes > 1 && !p->nodes_split ?
						 (double)p->nodes : 1.0);

	return mb_s > 0 ? json_real((double)bytes * copies / (mb_s * 1e6)) : json_null();
}

static json_t *for_json(const struct recommend_params *p, const struct rcell *s, size_t nr,
			const struct rcell *best)
{
	uint64_t files;
	uint64_t bytes;
	const char *basis;
	json_t *o;
	json_t *seconds;

	if (!for_set(p, &files, &bytes, &basis))
		return json_null();
	o = json_object();
	seconds = json_object();
	json_object_set_new(o, "files", files ? json_integer((json_int_t)files) : json_null());
	json_object_set_new(o, "bytes", json_integer((json_int_t)bytes));
	json_object_set_new(o, "basis", json_string(basis));
	for (size_t i = 0; i < nr; i++) {
		char key[32];

		snprintf(key, sizeof(key), "%lld", (long long)s[i].threads);
		json_object_set_new(seconds, key, seconds_at(bytes, p, s[i].median));
	}
	if (best)
		json_object_set_new(seconds, "best", seconds_at(bytes, p, best->median));
	json_object_set_new(o, "seconds", seconds);
	return o;
}

/*
 * The headroom CryoSPARC's copier leaves: best (the highest median of any strategy) against ref,
 * the cell of the copier (shutil or cpython) the recommendation stands on. A ratio only when best
 * is another strategy and its interval lies wholly above ref's; else why not, in *verdict.
 */
static json_t *headroom(const struct rcell *best, const struct rcell *ref, const char *copier,
			size_t nr_all, size_t nr_shutil, const char **verdict)
{
	*verdict = NULL;
	if (!best || !nr_shutil)
		return json_null();
	if (!strcmp(best->strategy, copier)) {
		*verdict = nr_all > nr_shutil ? "copier_fastest" : "copier_only";
		return json_null();
	}
	if (!ref || !(best->low > ref->high) || !(ref->median > 0)) {
		*verdict = "within_noise";
		return json_null();
	}
	*verdict = "faster";
	return json_real(best->median / ref->median);
}

/*
 * The copier's cells of all into s (*nr of them), and its name: the real interpreter when it was
 * measured (CryoSPARC's copier itself), else the emulation.
 */
static const char *copier_cells(const struct rcell *all, size_t nr_all, struct rcell *s,
				size_t *nr)
{
	const char *copier = RECOMMEND_STRATEGY;

	for (size_t i = 0; i < nr_all; i++)
		if (!strcmp(all[i].strategy, RECOMMEND_INTERPRETER))
			copier = RECOMMEND_INTERPRETER;
	*nr = 0;
	for (size_t i = 0; i < nr_all; i++)
		if (!strcmp(all[i].strategy, copier))
			s[(*nr)++] = all[i];
	return copier;
}

json_t *recommend_compute(json_t *cells, const struct recommend_params *p)
{
	struct recommend_params defaults;
	const size_t n = json_array_size(cells);
	struct rcell *all = xcalloc(n ? n : 1, sizeof(*all));
	struct rcell *s = xcalloc(n ? n : 1, sizeof(*s));
	size_t nr_all = 0;
	size_t nr = 0;
	json_int_t failed = 0;
	const struct rcell *best_any = NULL;
	const struct rcell *best = NULL;
	const struct rcell *def = NULL;
	const struct rcell *chosen = NULL;
	const char *confidence = "none";
	const char *verdict;
	const char *copier;
	json_t *threads = json_null();
	json_t *mb_s = json_null();
	json_t *candidates = json_array();
	json_t *candidates_mb_s = json_array();
	struct dynbuf reason;
	json_t *rec;
	json_t *cell;
	size_t i;

	if (!p) {
		recommend_params_init(&defaults);
		p = &defaults;
	}
	json_array_foreach(cells, i, cell) {
		if (rcell_of(cell, p))
			failed += json_integer_value(json_object_get(cell, "failed_runs"));
		if (!rcell_read(cell, p, &all[nr_all]))
			continue;
		if (!best_any || all[nr_all].median > best_any->median)
			best_any = &all[nr_all];
		nr_all++;
	}
	copier = copier_cells(all, nr_all, s, &nr);
	qsort(s, nr, sizeof(*s), cmp_threads);
	for (i = 0; i < nr; i++) {
		if (s[i].threads == RECOMMEND_DEFAULT_THREADS)
			def = &s[i];
		if (!best || s[i].median > best->median)
			best = &s[i];
	}

	dynbuf_init(&reason);
	if (!nr) {
		reason_no_shutil(&reason, all, nr_all, p->jobs);
	} else {
		double common_low = s[0].low;
		double common_high = s[0].high;

		/* Intervals on a line overlap pairwise exactly when they share a common point. */
		for (i = 1; i < nr; i++) {
			common_low = fmax(common_low, s[i].low);
			common_high = fmin(common_high, s[i].high);
		}
		if (nr == 1 || common_low <= common_high) {
			threads = json_integer(RECOMMEND_DEFAULT_THREADS);
			if (def)
				mb_s = json_real(def->median);
			reason_within_noise(&reason, s, nr);
		} else {
			bool high;

			/* By medians: the candidates are within the tolerance of the best. */
			for (i = 0; i < nr; i++) {
				if (s[i].median < best->median * (1 - p->tolerance))
					continue;
				json_array_append_new(candidates, json_integer(s[i].threads));
				json_array_append_new(candidates_mb_s, json_real(s[i].median));
				if (!chosen)
					chosen = &s[i];	/* the fewest threads: s is sorted */
			}
			/* A change must earn its place: the default stays when it is a candidate. */
			if (def && def->median >= best->median * (1 - p->tolerance))
				chosen = def;
			high = def && solid(chosen) && solid(def) &&
			       (def == chosen || !overlap(chosen, def));
			confidence = high ? "high" : "low";
			threads = json_integer(chosen->threads);
			mb_s = json_real(chosen->median);
			reason_choice(&reason, chosen, best, def, high, p->tolerance);
		}
	}

	rec = json_object();
	json_object_set_new(rec, "variable", json_string(RECOMMEND_VARIABLE));
	json_object_set_new(rec, "strategy", json_string(copier));
	json_object_set_new(rec, "threads", threads);
	json_object_set_new(rec, "jobs", json_integer(p->jobs));
	if (p->nodes)
		json_object_set_new(rec, "nodes", json_integer(p->nodes));
	json_object_set_new(rec, "mb_s", mb_s);
	json_object_set_new(rec, "default_threads", json_integer(RECOMMEND_DEFAULT_THREADS));
	json_object_set_new(rec, "default_mb_s", def ? json_real(def->median) : json_null());
	json_object_set_new(rec, "best_strategy",
			    best_any ? json_string(best_any->strategy) : json_null());
	json_object_set_new(rec, "best_threads",
			    best_any ? json_integer(best_any->threads) : json_null());
	json_object_set_new(rec, "best_mb_s", best_any ? json_real(best_any->median) : json_null());
	json_object_set_new(rec, "headroom",
			    headroom(best_any, chosen ? chosen : def, copier, nr_all, nr, &verdict));
	json_object_set_new(rec, "headroom_verdict",
			    verdict ? json_string(verdict) : json_null());
	json_object_set_new(rec, "tolerance", json_real(p->tolerance));
	json_object_set_new(rec, "candidates", candidates);
	json_object_set_new(rec, "candidates_mb_s", candidates_mb_s);
	json_object_set_new(rec, "confidence", json_string(confidence));
	json_object_set_new(rec, "reason", json_string(dynbuf_str(&reason)));
	json_object_set_new(rec, "failed_runs", json_integer(failed));
	json_object_set_new(rec, "for", for_json(p, s, nr, best_any));
	dynbuf_release(&reason);
	free(all);
	free(s);
	return rec;
}

/* "12.3 s", "4 min 05 s", "1 h 02 min". */
static void duration_text(double sec, char *buf, size_t len)
{
	const long long r = llround(sec);
	const long long minutes = llround(sec / 60);

	if (sec < 60)
		snprintf(buf, len, "%.1f s", sec);
	else if (r < 3600)
		snprintf(buf, len, "%lld min %02lld s", r / 60, r % 60);
	else
		snprintf(buf, len, "%lld h %02lld min", minutes / 60, minutes % 60);
}

static void print_for(struct dynbuf *f, json_t *rec)
{
	json_t *set = json_object_get(rec, "for");
	json_t *files = json_object_get(set, "files");
	const char *basis = json_string_value(json_object_get(set, "basis"));
	const char *best = json_string_value(json_object_get(rec, "best_strategy"));
	const char *key;
	json_t *sec;
	char size[32];
	char took[32];
	const char *sep = ": ";
	const json_int_t best_threads = json_integer_value(json_object_get(rec, "best_threads"));

	if (!json_is_object(set) || !json_object_size(json_object_get(set, "seconds")))
		return;
	human_size((uint64_t)json_integer_value(json_object_get(set, "bytes")), size, sizeof(size));
	dynbuf_addstr(f, "#   to cache ");
	if (json_is_integer(files))
		dynbuf_addf(f, "%lld files, ", (long long)json_integer_value(files));
	if (basis && !strcmp(basis, "measured"))
		basis = "the measured set";
	else if (basis && !strcmp(basis, "scaled"))
		basis = "scaled by the measured set's mean file size";
	else
		basis = "as given";
	dynbuf_addf(f, "%s (%s)", size, basis);
	json_object_foreach(json_object_get(set, "seconds"), key, sec) {
		if (!json_is_number(sec))
			continue;
		duration_text(json_number_value(sec), took, sizeof(took));
		if (!strcmp(key, "best"))
			dynbuf_addf(f, "%sbest (%s, %lld %s) %s", sep, best ? best : "?",
				(long long)best_threads, threads_word(best_threads), took);
		else
			dynbuf_addf(f, "%s%s %s %s", sep, key, threads_word(strtoll(key, NULL, 10)), took);
		sep = ", ";
	}
	dynbuf_addstr(f, "\n");
}

const char *recommend_headroom_verdict(json_t *rec)
{
	const char *verdict = json_string_value(json_object_get(rec, "headroom_verdict"));
	const char *best = json_string_value(json_object_get(rec, "best_strategy"));

	if (verdict || !best || !json_is_number(json_object_get(rec, "best_mb_s")))
		return verdict;
	/* a results.json from before the verdict was kept: never a ratio, it was not judged */
	return strcmp(best, recommend_strategy(rec)) ? "unjudged" : "copier_fastest";
}

const char *recommend_strategy(json_t *rec)
{
	const char *s = json_string_value(json_object_get(rec, "strategy"));

	return s ? s : RECOMMEND_STRATEGY;
}

const char *recommend_copier_words(const char *strategy)
{
	return strcmp(strategy, RECOMMEND_INTERPRETER) ? "the shutil emulation"
						       : "CPython's own shutil.copyfile";
}

/* The fastest strategy against CryoSPARC's copier, and the headroom when the data show one. */
static void print_best(struct dynbuf *f, json_t *rec)
{
	const char *verdict = recommend_headroom_verdict(rec);
	const char *best = json_string_value(json_object_get(rec, "best_strategy"));
	const json_int_t threads = json_integer_value(json_object_get(rec, "best_threads"));
	const double best_mb_s = json_number_value(json_object_get(rec, "best_mb_s"));

	if (!verdict || !strcmp(verdict, "copier_only"))
		return;
	if (!strcmp(verdict, "copier_fastest")) {
		dynbuf_addf(f, "#   no other strategy was faster than CryoSPARC's copier (%s)\n",
			    recommend_strategy(rec));
		return;
	}
	dynbuf_addf(f, "#   fastest %sof any strategy: %s at %lld %s, %.0f MB/s",
		    strcmp(verdict, "faster") ? "median " : "", best ? best : "?",
		    (long long)threads, threads_word(threads), best_mb_s);
	if (!strcmp(verdict, "faster"))
		dynbuf_addf(f, " (%.2fx CryoSPARC's copier here, beyond both intervals: the "
			    "headroom it leaves)\n",
			    json_number_value(json_object_get(rec, "headroom")));
	else if (!strcmp(verdict, "within_noise"))
		dynbuf_addstr(f, ", within noise of CryoSPARC's copier (their intervals overlap): "
			      "no headroom shown\n");
	else
		dynbuf_addstr(f, "\n");
}

char *recommend_line(json_t *rec)
{
	json_t *threads = json_object_get(rec, "threads");
	json_t *mb_s = json_object_get(rec, "mb_s");
	json_t *def_mb_s = json_object_get(rec, "default_mb_s");
	const char *variable = json_string_value(json_object_get(rec, "variable"));
	const char *confidence = json_string_value(json_object_get(rec, "confidence"));
	const char *reason = json_string_value(json_object_get(rec, "reason"));
	const json_int_t def = json_integer_value(json_object_get(rec, "default_threads"));
	const json_int_t jobs = json_integer_value(json_object_get(rec, "jobs"));
	const json_int_t failed = json_integer_value(json_object_get(rec, "failed_runs"));
	struct dynbuf text;
	struct dynbuf *f = &text;

	dynbuf_init(&text);
	if (!variable)
		variable = RECOMMEND_VARIABLE;
	if (!reason)
		reason = "";
	if (!json_is_integer(threads))
		dynbuf_addf(f, "# %s: no recommendation — %s\n", variable, reason);
	else if (!confidence || !strcmp(confidence, "none"))
		dynbuf_addf(f, "# %s: keep the default (%lld) — %s\n", variable, (long long)def,
			reason);
	else
		dynbuf_addf(f, "%s=%lld   # add to cryosparc_worker/config.sh\n#   confidence %s: %s\n",
			variable, (long long)json_integer_value(threads), confidence, reason);

	if (json_is_integer(threads) && json_is_number(mb_s)) {
		dynbuf_addf(f, "#   %s at %lld %s: %.0f MB/s", recommend_strategy(rec),
			(long long)json_integer_value(threads),
			threads_word(json_integer_value(threads)), json_number_value(mb_s));
		if (json_integer_value(threads) == def)
			dynbuf_addstr(f, " (the default)");
		else if (json_is_number(def_mb_s))
			dynbuf_addf(f, "; at the default %lld threads: %.0f MB/s", (long long)def,
				json_number_value(def_mb_s));
		else
			dynbuf_addf(f, "; the default %lld threads was not measured", (long long)def);
		dynbuf_addf(f, "\n#   measured with %s\n",
			    recommend_copier_words(recommend_strategy(rec)));
	}
	print_best(f, rec);
	print_for(f, rec);
	if (jobs > 1)
		dynbuf_addf(f,
			"#   measured with %lld jobs caching at once, each copying the whole set; "
			"MB/s is their sum, times are for each job's set\n",
			(long long)jobs);
	if (json_integer_value(json_object_get(rec, "nodes")) > 0)
		dynbuf_addf(f,
			"#   measured with %lld nodes caching at once: MB/s is their sum, the threads "
			"are each node's\n",
			(long long)json_integer_value(json_object_get(rec, "nodes")));
	if (failed > 0)
		dynbuf_addf(f, "#   left out: %lld failed or aborted %s\n", (long long)failed,
			failed == 1 ? "run" : "runs");
	return dynbuf_detach(&text, NULL);
}
