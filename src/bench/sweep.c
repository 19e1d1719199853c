/* SPDX-License-Identifier: MIT */
/*
 * sweep.c - the sweep engine: the shuffled plan, the warm-up and the run-length probe, --budget's
 * sample, auto repeats for the cells that decide the answer, the ETA on a live line.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "analysis/cells.h"
#include "analysis/live.h"
#include "analysis/recommend.h"
#include "analysis/run_flags.h"
#include "bench/sweep.h"
#include "lib/json_get.h"
#include "lib/util.h"

#define MIN_SAMPLE_BYTES (64ull << 20)
/* Top-level warnings this file computes; a resumed session replaces them, never repeats them. */
#define SHORT_PREFIX "short runs: "
#define BUDGET_PREFIX "budget: "
#define SPENT_PREFIX "budget spent: "

static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Fisher-Yates over plan[from..nr): drift over time must not look like a thread-count effect. */
static void shuffle_plan(struct sweep *sw, size_t from)
{
	for (size_t i = sw->nr_plan; i > from + 1; i--) {
		size_t j = from + (size_t)(rng_next(&sw->rng) % (i - from));
		struct sweep_entry t = sw->plan[i - 1];

		sw->plan[i - 1] = sw->plan[j];
		sw->plan[j] = t;
	}
}

static void plan_add(struct sweep *sw, const struct copy_strategy *s, unsigned threads,
		     unsigned nodes, unsigned repeat)
{
	if (sw->nr_plan == sw->cap_plan) {
		sw->cap_plan = sw->cap_plan ? 2 * sw->cap_plan : 64;
		sw->plan = xrealloc(sw->plan, sw->cap_plan * sizeof(*sw->plan));
	}
	sw->plan[sw->nr_plan++] = (struct sweep_entry){ s, threads, repeat, nodes };
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a;
	unsigned y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

size_t sweep_cap_threads(unsigned *t, size_t n, size_t nr_files, bool quiet)
{
	char dropped[256] = "";
	size_t nr_dropped = 0, off = 0;
	size_t k = 0;

	qsort(t, n, sizeof(*t), cmp_unsigned);
	for (size_t i = 0; i < n; i++) {
		if (k && t[k - 1] == t[i])
			continue;
		if (t[i] > nr_files) {
			if (!nr_dropped || t[i] != t[i - 1])
				off += (size_t)snprintf(dropped + off,
							off < sizeof(dropped) ? sizeof(dropped) - off
									      : 0,
							"%s%u", nr_dropped++ ? ", " : "", t[i]);
			continue;
		}
		t[k++] = t[i];
	}
	if (nr_dropped && !quiet)
		info("sweep: %s threads dropped: the set has only %zu file%s", dropped, nr_files,
		     nr_files == 1 ? "" : "s");
	if (!k)
		t[k++] = (unsigned)(nr_files ? nr_files : 1);
	return k;
}

static json_t *plan_json(const struct sweep *sw)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sw->nr_plan; i++) {
		json_t *e = json_pack("{s:s, s:i, s:i}", "strategy", sw->plan[i].strategy->name,
				      "threads", (int)sw->plan[i].threads, "repeat",
				      (int)sw->plan[i].repeat);

		if (sw->plan[i].nodes)
			json_object_set_new(e, "nodes", json_integer(sw->plan[i].nodes));
		json_array_append_new(a, e);
	}
	return a;
}

/* Rebuild the plan of a resumed sweep from results.json's sweep.plan (checked already). */
static void plan_from_json(struct sweep *sw, json_t *plan)
{
	size_t i;
	json_t *e;

	json_array_foreach(plan, i, e)
		plan_add(sw, strategy_find(json_get_str(e, "strategy")),
			 (unsigned)json_get_int(e, "threads"), (unsigned)json_get_int(e, "nodes"),
			 (unsigned)json_get_int(e, "repeat"));
}

/* Plan entries that already have a complete run (resume skips those). */
static bool *plan_done(struct sweep *sw)
{
	bool *done = xcalloc(sw->nr_plan ? sw->nr_plan : 1, sizeof(bool));
	json_t *run;
	size_t i;

	json_array_foreach(results_runs(&sw->b.res), i, run) {
		json_t *idx = json_object_get(run, "plan_index");

		if (run_flag_role(run) || !json_is_integer(idx) ||
		    json_is_true(json_object_get(run, "aborted")) ||
		    json_array_size(json_object_get(run, "errors")))
			continue;
		if (json_integer_value(idx) >= 0 && (size_t)json_integer_value(idx) < sw->nr_plan)
			done[json_integer_value(idx)] = true;
	}
	return done;
}

/*
 * The cells of the plan, and how many of them are assumed to decide the answer, for estimates
 * made before any is measured: per strategy the best and one near it, and for CryoSPARC's copier
 * its default thread count's cell as well.
 */
static void count_cells(struct sweep *sw)
{
	struct sweep_entry *cells = xmalloc((sw->nr_plan ? sw->nr_plan : 1) * sizeof(*cells));
	size_t n = 0;

	for (size_t i = 0; i < sw->nr_plan; i++) {
		size_t j = 0;

		while (j < n && (cells[j].strategy != sw->plan[i].strategy ||
				 cells[j].threads != sw->plan[i].threads ||
				 cells[j].nodes != sw->plan[i].nodes))
			j++;
		if (j == n)
			cells[n++] = sw->plan[i];
	}
	sw->nr_cells = n;
	sw->nr_deciding = 0;
	for (size_t i = 0; i < n; i++) {
		size_t of_strategy = 0;
		bool first = true;
		bool def = false;

		for (size_t j = 0; j < n; j++) {
			if (cells[j].strategy != cells[i].strategy || cells[j].nodes != cells[i].nodes)
				continue;
			first &= j >= i;
			of_strategy++;
			def |= cells[j].threads == RECOMMEND_DEFAULT_THREADS;
		}
		if (!first)
			continue;
		def &= !strcmp(cells[i].strategy->name, RECOMMEND_STRATEGY);
		sw->nr_deciding += (of_strategy < 2 ? of_strategy : 2) + (def && of_strategy > 2);
	}
	free(cells);
}

/* Auto: the extra runs expected: each deciding cell half the way from the minimum to the maximum. */
static size_t expected_extra(const struct sweep *sw)
{
	const long half = (sw->rule.max_runs - sw->rule.min_runs + 1) / 2;

	return sw->auto_repeats && half > 0 ? sw->nr_deciding * (size_t)half : 0;
}

/* Plan entries not done yet (a resumed sweep skips those that have a complete run). */
static size_t plan_left(const struct sweep *sw)
{
	size_t left = 0;

	for (size_t i = 0; i < sw->nr_plan; i++)
		left += !sw->skip || !sw->skip[i];
	return left;
}

/* Uncounted runs before the grid: the warm-ups, or with none a probe (unless --min-run 0). */
static long pre_runs(const struct sweep *sw)
{
	return sw->p.warmup ? sw->p.warmup : sw->p.min_run_s > 0;
}

/* Swap the listed set for a seeded, size-representative sample of about target bytes. */
static void use_sample(struct sweep *sw, uint64_t target, uint64_t seed)
{
	struct dataset sample;

	dataset_sample(&sw->b.ds, target, seed, &sample);
	sw->full = sw->b.ds;
	sw->b.ds = sample;
	sw->sampled = true;
}

static json_t *sample_json(const struct sweep *sw, uint64_t target, uint64_t seed)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "target_bytes", (json_int_t)target, "seed",
			 (json_int_t)seed, "files", (json_int_t)sw->b.ds.nr, "bytes",
			 (json_int_t)sw->b.ds.bytes, "of_files", (json_int_t)sw->full.nr, "of_bytes",
			 (json_int_t)sw->full.bytes);
}

/* A rate --budget measured (bench_probe()), and its JSON for sweep.budget.probes. */
struct rate {
	struct bench_rate r;
	json_t *json;
};

/*
 * --budget and --dry-run: copy a small sample once (not recorded as a run) with strategy at
 * threads, to learn the copy rate and the fixed cost of a run (cache drop, settling, residency).
 */
static int budget_probe(struct sweep *sw, const struct copy_strategy *strategy, unsigned threads,
			struct rate *out)
{
	struct bench_spec spec = { .strategy = strategy, .threads = threads, .plan_index = -1 };
	uint64_t target = BENCH_PROBE_BYTES < sw->b.ds.bytes ? BENCH_PROBE_BYTES : sw->b.ds.bytes;
	uint64_t seed = (uint64_t)json_integer_value(json_object_get(sw->doc, "seed"));
	char s1[32];
	int status;

	info("sweep: probing the copy rate with %s at %u thread%s on %s to %s", strategy->name,
	     threads, threads == 1 ? "" : "s", human_size(target, s1, sizeof(s1)),
	     sw->b.cfg.dry_run ? "estimate the time (--dry-run)" : "fit the budget");
	status = bench_probe(&sw->b, &spec, BENCH_PROBE_BYTES, seed ^ 0x5eedull, &out->r);
	if (status)
		return status;
	out->json = json_pack("{s:s, s:i, s:I, s:f, s:f, s:f}", "strategy", strategy->name,
			      "threads", (int)threads, "bytes", (json_int_t)out->r.bytes,
			      "seconds_durable", out->r.seconds, "mb_s", out->r.bytes_s / 1e6,
			      "seconds_per_run_overhead", out->r.overhead);
	return 0;
}

/*
 * The probes at the fewest and the most threads of the first strategy (one, when they agree),
 * their rates kept in sw->rates for the estimate and the budget.
 */
static int budget_probes(struct sweep *sw, struct rate *slow, struct rate *fast)
{
	const struct copy_strategy *s = sw->p.strategies[0];
	unsigned lo = 0, hi = 0;
	int status;

	for (size_t i = 0; i < sw->nr_plan; i++) {
		if (sw->plan[i].strategy != s)
			continue;
		if (!lo || sw->plan[i].threads < lo)
			lo = sw->plan[i].threads;
		if (sw->plan[i].threads > hi)
			hi = sw->plan[i].threads;
	}
	status = budget_probe(sw, s, lo, slow);
	if (status)
		return status;
	if (hi == lo) {
		*fast = *slow;
		fast->json = NULL;	/* one probe, listed once */
	} else {
		status = budget_probe(sw, s, hi, fast);
		if (status) {
			json_decref(slow->json);
			return status;
		}
	}
	/* More threads are not always faster (one disk, a busy server): name them by their rate. */
	if (fast->r.bytes_s < slow->r.bytes_s) {
		struct rate t = *slow;

		*slow = *fast;
		*fast = t;
	}
	sw->rates[0] = slow->r;
	sw->rates[1] = fast->r;
	sw->nr_rates = fast->json ? 2 : 1;
	return 0;
}

/* The budget forces fewer runs a cell: say it where every rendering shows it. */
static void say_fewer_runs(struct sweep *sw, long asked, long got, double per_run,
			   const struct rate *fast)
{
	const size_t total = sw->nr_cells * (size_t)got + (size_t)pre_runs(sw);
	char d1[32];
	char *msg = xasprintf(
		BUDGET_PREFIX "--budget %s cannot fit %ld runs a cell whose fastest lasts --min-run "
		"%g s (%.0f MB/s at %u threads): each of the %zu cells gets %ld run%s instead, about "
		"%s in all%s", sw->p.budget, asked, sw->p.min_run_s, fast->r.bytes_s / 1e6,
		fast->r.threads, sw->nr_cells, got, got == 1 ? "" : "s",
		human_duration(per_run * (double)total, d1, sizeof(d1)),
		per_run * (double)total > sw->p.budget_s ? ", over the budget" : "");

	results_warn_said(&sw->b.res, msg, msg + strlen(BUDGET_PREFIX));
	free(msg);
}

/*
 * --budget: choose how much of the set each run copies so the sweep fits, with the runs planned
 * (auto: the minimum a cell, plus the extra expected for the deciding cells) and the warm-up.
 * A run's copy time is taken as the mean of the slowest and the fastest probe's for its bytes;
 * the sample is never smaller than what the fastest copies in --min-run. When the budget cannot
 * hold that, the cells get fewer runs (*per_cell lowered, at least 1) and a warning says so.
 */
static int fit_budget(struct sweep *sw, long *per_cell)
{
	const double budget_s = sw->p.budget_s;
	const uint64_t seed = (uint64_t)json_integer_value(json_object_get(sw->doc, "seed"));
	struct rate slow, fast;
	double per_byte, overhead, runs, target, floor_bytes;
	long asked = *per_cell;
	char d1[32], d2[32], s1[32];
	int status = budget_probes(sw, &slow, &fast);

	if (status)
		return status;
	per_byte = (1 / slow.r.bytes_s + 1 / fast.r.bytes_s) / 2;
	overhead = (slow.r.overhead + fast.r.overhead) / 2;
	runs = (double)(sw->nr_cells * (size_t)*per_cell + expected_extra(sw) +
			(size_t)pre_runs(sw));
	target = (budget_s / runs - overhead) / per_byte;
	floor_bytes = fmax((double)MIN_SAMPLE_BYTES, sw->p.min_run_s * fast.r.bytes_s);
	floor_bytes = fmin(floor_bytes, (double)sw->b.ds.bytes);
	if (target < floor_bytes) {
		const double per_run = overhead + floor_bytes * per_byte;
		const long fit = (long)floor(budget_s / per_run) - pre_runs(sw);
		const long k = fit / (long)(sw->nr_cells ? sw->nr_cells : 1);

		target = floor_bytes;
		if (k < *per_cell) {
			*per_cell = k > 1 ? k : 1;
			say_fewer_runs(sw, asked, *per_cell, per_run, &fast);
		}
	}
	json_object_set_new(sw->doc, "budget",
			    json_pack("{s:f, s:[o, o*], s:f, s:I, s:f, s:I, s:i, s:i}", "budget_s",
				      budget_s, "probes", slow.json, fast.json,
				      "seconds_per_run_overhead", overhead, "runs_expected",
				      (json_int_t)runs,
				      "min_run_s", sw->p.min_run_s, "target_bytes",
				      (json_int_t)target, "repeats_asked", (int)asked, "repeats",
				      (int)*per_cell));
	if (target >= (double)sw->b.ds.bytes) {
		info("sweep: the whole set fits the budget of %s",
		     human_duration(budget_s, d1, sizeof(d1)));
		return 0;
	}
	use_sample(sw, (uint64_t)target, seed);
	json_object_set_new(sw->doc, "sample", sample_json(sw, (uint64_t)target, seed));
	{
		/* Said where every rendering shows it: the numbers are of a sample. */
		char *msg = xasprintf("sampled to fit --budget %s: every run copied %zu of the %zu "
				      "files (%.2f of %.2f GB, chosen across the size range with seed "
				      "%llu); times for the whole set are extrapolated by bytes from the "
				      "sample's medians", sw->p.budget, sw->b.ds.nr, sw->full.nr,
				      (double)sw->b.ds.bytes / 1e9, (double)sw->full.bytes / 1e9,
				      (unsigned long long)seed);

		results_warn(&sw->b.res, msg);
		free(msg);
	}
	info("sweep: about %.0f runs in %s: copying a sample of %zu of %zu files (%s); %.0f to %.0f "
	     "MB/s and %s of overhead per run measured; times scale from the sample to the whole set",
	     runs, human_duration(budget_s, d1, sizeof(d1)), sw->b.ds.nr, sw->full.nr,
	     human_size(sw->b.ds.bytes, s1, sizeof(s1)), slow.r.bytes_s / 1e6,
	     fast.r.bytes_s / 1e6, human_seconds(overhead, d2, sizeof(d2)));
	return 0;
}

/* ---- the live line ------------------------------------------------------------------------- */

/*
 * Seconds the rest of the plan will take: the median run so far times the runs left, less
 * elapsed seconds of the current one; -1 before the first run ended.
 */
static double eta_seconds(const struct sweep *sw, double elapsed)
{
	const uint64_t ms = atomic_load(&sw->per_run_ms);

	if (!ms)
		return -1;
	return live_eta_left((double)(ms - 1) / 1e3, sw->nr_plan - atomic_load(&sw->done),
			     elapsed);
}

/* A run ended at t0 + (now - t0): keep the totals, and the median the live line reads. */
static void count_run(struct sweep *sw, double t0)
{
	json_t *runs = results_runs(&sw->b.res);
	json_t *last = json_array_get(runs, json_array_size(runs) - 1);

	sw->run_seconds += now_mono() - t0;
	sw->runs_timed++;
	sw->copy_seconds += json_get_num(last, "seconds_durable");
	/* The median: one slow first run or a fast warm-up does not swing the ETA. */
	live_eta_add(&sw->eta, now_mono() - t0);
	atomic_store(&sw->per_run_ms, (uint64_t)(live_eta_per_run(&sw->eta) * 1e3) + 1);
}

/* The terminal's width in columns; 0 when unknown. */
static unsigned term_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) || !ws.ws_col)
		return 0;
	return ws.ws_col;
}

static void *ticker_main(void *arg)
{
	struct sweep *sw = arg;
	size_t seen_done = SIZE_MAX;
	double run_t0 = now_mono();

	while (!atomic_load(&sw->stop_ticker)) {
		const size_t current = atomic_load(&sw->current);
		const size_t done = atomic_load(&sw->done);
		const struct sweep_entry *e = &sw->plan[current];
		const int phase = atomic_load(&sw->b.phase);
		const double now = now_mono();
		const unsigned jobs = sw->b.cfg.jobs ? sw->b.cfg.jobs : 1;
		struct live_state st = {
			.index = current + 1, .total = sw->nr_plan, .strategy = e->strategy->name,
			.threads = e->threads, .repeat = e->repeat, .nodes = e->nodes,
			.phase = bench_phase_name(phase),
			/* before its copy, a run has copied nothing (the counter is the last run's) */
			.bytes = phase < BENCH_PHASE_COPYING ? 0 : atomic_load(&sw->b.progress.bytes),
			.set_bytes = sw->b.ds.bytes * jobs, .mb_s = -1, .eta_of = "sweep",
		};
		char line[512];

		/* the ETA counts down within a run, from the moment the last one ended */
		if (done != seen_done) {
			seen_done = done;
			run_t0 = now;
		}
		/* the run's rate since its copy began (syncing: the bytes wait for the disk) */
		if (phase == BENCH_PHASE_COPYING || phase == BENCH_PHASE_SYNCING) {
			const uint64_t t0 = atomic_load(&sw->b.copy_started_ns);
			const uint64_t t = now_mono_ns();

			if (t0 && t > t0)
				st.mb_s = (double)st.bytes / ((double)(t - t0) / 1e9) / 1e6;
		}
		st.eta_s = eta_seconds(sw, now - run_t0);
		fprintf(stderr, "\r\033[K%s", live_line_text(&st, term_width(), line, sizeof(line)));
		fflush(stderr);
		usleep(250 * 1000);
	}
	return NULL;
}

static void start_ticker(struct sweep *sw)
{
	if (sw->p.quiet || !isatty(STDERR_FILENO))
		return;
	atomic_store(&sw->stop_ticker, false);
	live_line = true;
	sw->ticking = pthread_create(&sw->ticker, NULL, ticker_main, sw) == 0;
	live_line = sw->ticking;
}

static void stop_ticker(struct sweep *sw)
{
	if (!sw->ticking)
		return;
	atomic_store(&sw->stop_ticker, true);
	pthread_join(sw->ticker, NULL);
	fprintf(stderr, "\r\033[K");
	live_line = false;
	sw->ticking = false;
}

/* ---- the runs ------------------------------------------------------------------------------ */

/* Run plan entries [from, nr_plan) that are not done yet. Returns 0 or the first bad status. */
static int run_plan(struct sweep *sw, size_t from, const bool *skip)
{
	for (size_t i = from; i < sw->nr_plan; i++) {
		struct bench_spec spec = { .strategy = sw->plan[i].strategy,
					   .threads = sw->plan[i].threads,
					   .repeat = sw->plan[i].repeat, .plan_index = (long)i,
					   .nodes = sw->plan[i].nodes };
		double t0 = now_mono();
		char etab[32];
		int status;

		if (skip && skip[i]) {
			atomic_fetch_add(&sw->done, 1);
			continue;
		}
		atomic_store(&sw->current, i);
		status = bench_run_spec(&sw->b, &spec, NULL);
		atomic_fetch_add(&sw->done, 1);
		count_run(sw, t0);
		if (status)
			return status;
		if (!sw->ticking)
			info("sweep: %zu of %zu runs done; about %s left", atomic_load(&sw->done),
			     sw->nr_plan, human_duration(eta_seconds(sw, 0), etab, sizeof(etab)));
	}
	return 0;
}

/*
 * The copier the recommendation will be measured with (recommend.h): cpython when the sweep
 * runs it, else shutil. Its cell at the default thread count always decides the answer.
 */
static const char *copier_of(const struct sweep *sw)
{
	for (size_t i = 0; i < sw->p.nr_strategies; i++)
		if (!strcmp(sw->p.strategies[i]->name, RECOMMEND_INTERPRETER))
			return RECOMMEND_INTERPRETER;
	return RECOMMEND_STRATEGY;
}

static void rule_of(const struct sweep *sw, struct cells_repeat_rule *r)
{
	cells_repeat_rule_init(r);
	r->target = sw->rule.target_spread / 100;
	r->tolerance = sw->rule.tolerance / 100;
	r->min_runs = (size_t)sw->rule.min_runs;
	r->max_runs = (size_t)sw->rule.max_runs;
	r->default_strategy = copier_of(sw);
	r->default_threads = RECOMMEND_DEFAULT_THREADS;
}

/* The cells the rule still gives a run (a new array), from the runs so far. */
static json_t *cells_todo(const struct sweep *sw, struct cells_repeat_counts *k)
{
	struct cells_repeat_rule r;
	json_t *cells = cells_compute(sw->b.res.root, NULL);
	json_t *todo;

	rule_of(sw, &r);
	todo = cells_to_repeat(cells, &r, k);
	json_decref(cells);	/* todo holds its own references to the cells it lists */
	return todo;
}

/* --budget: would n more runs, at the mean time of a run so far, end past it? */
static bool budget_spent(const struct sweep *sw, size_t n)
{
	if (sw->p.budget_s <= 0 || !sw->runs_timed)
		return false;
	return now_mono() - sw->started + sw->run_seconds / (double)sw->runs_timed * (double)n >
	       sw->p.budget_s;
}

static void say_budget_spent(struct sweep *sw, const struct cells_repeat_counts *k)
{
	char *msg = xasprintf(SPENT_PREFIX "--budget %s ended the extra runs with %zu cell%s that "
			      "decide the answer not yet known to +-%.3g %% (--target-spread): "
			      "their medians are less certain than asked", sw->p.budget,
			      k->deciding + k->below_min, k->deciding + k->below_min == 1 ? "" : "s",
			      sw->rule.target_spread);

	results_warn_said(&sw->b.res, msg, msg + strlen(SPENT_PREFIX));
	free(msg);
}

/* --repeats auto: one more run for every cell the rule lists, until none is (or all capped). */
static int run_auto_repeats(struct sweep *sw)
{
	results_unwarn(&sw->b.res, SPENT_PREFIX);
	for (;;) {
		struct cells_repeat_counts k;
		json_t *todo = cells_todo(sw, &k);
		size_t from = sw->nr_plan;
		size_t i;
		json_t *c;
		int status;

		if (json_array_size(todo) && budget_spent(sw, json_array_size(todo))) {
			say_budget_spent(sw, &k);
			json_decref(todo);
			return 0;
		}
		stop_ticker(sw);	/* plan_add() may move the plan the live line reads */
		json_array_foreach(todo, i, c) {
			const struct copy_strategy *s = strategy_find(json_get_str(c, "strategy"));
			json_int_t runs = json_get_int(c, "runs") + json_get_int(c, "failed_runs");

			if (s)
				plan_add(sw, s, (unsigned)json_get_int(c, "threads"),
					 (unsigned)json_get_int(c, "nodes"), (unsigned)runs + 1);
		}
		json_decref(todo);
		if (sw->nr_plan == from)
			return 0;
		shuffle_plan(sw, from);
		json_object_set_new(sw->doc, "plan", plan_json(sw));
		info("sweep: one more run for %zu cells (%zu under %ld runs, %zu that decide the answer "
		     "and are not yet known to +-%.3g %%); %zu far below the best and %zu known well "
		     "enough are done", sw->nr_plan - from, k.below_min, sw->rule.min_runs,
		     k.deciding, sw->rule.target_spread, k.far_below, k.settled + k.capped);
		start_ticker(sw);
		status = run_plan(sw, from, NULL);
		if (status)
			return status;
	}
}

/* The warm-up's cell: the first plan entry's strategy at its most threads (usually fastest). */
static struct bench_spec pre_spec(const struct sweep *sw, const char *role, unsigned k)
{
	struct bench_spec spec = { .strategy = sw->plan[0].strategy, .threads = sw->plan[0].threads,
				   .repeat = k, .plan_index = -1, .role = role };

	for (size_t i = 1; i < sw->nr_plan; i++)
		if (sw->plan[i].strategy == spec.strategy && sw->plan[i].threads > spec.threads)
			spec.threads = sw->plan[i].threads;
	return spec;
}

/* At least bytes, rounded up for `gen --total`: whole GiB, or 64 MiB steps below one. */
static uint64_t size_arg(double bytes, char *buf, size_t len)
{
	const uint64_t gib = 1ull << 30;
	const uint64_t step = 64ull << 20;
	uint64_t n;

	if (bytes >= (double)gib) {
		n = (uint64_t)ceil(bytes / (double)gib);
		snprintf(buf, len, "%lluG", (unsigned long long)n);
		return n * gib;
	}
	n = (uint64_t)ceil(bytes / (double)step);
	n = n ? n : 1;
	snprintf(buf, len, "%lluM", (unsigned long long)(n * 64));
	return n * step;
}

/*
 * The first uncounted run tells how long a run of this set lasts: sweep.probe, and when it is
 * under --min-run one clear warning (the runs under it carry "too short", so their cells are
 * flagged "short" and the recommendation's confidence is capped).
 */
static void record_probe(struct sweep *sw, json_t *run, double wall)
{
	const double durable = json_get_num(run, "seconds_durable");
	const double min = sw->p.min_run_s;
	const bool is_short = min > 0 && durable < min;
	const double need = durable > 0 ? (double)sw->b.ds.bytes * min / durable : 0;
	char total[32];
	char need_text[32];
	char *msg;

	json_object_set_new(sw->doc, "probe",
			    json_pack("{s:I, s:s, s:s, s:I, s:I, s:f, s:f, s:f, s:f, s:b}", "seq",
				      (json_int_t)json_get_int(run, "seq"), "role",
				      run_flag_role(run), "strategy", json_get_str(run, "strategy"),
				      "threads", (json_int_t)json_get_int(run, "threads"), "bytes",
				      (json_int_t)json_get_int(run, "bytes"), "seconds_durable",
				      durable, "mb_s", json_get_num(run, "mb_s"),
				      "seconds_per_run_overhead", wall - durable, "min_run_s", min,
				      "short", is_short));
	results_unwarn(&sw->b.res, SHORT_PREFIX);
	/* Said here, once; the runs under the minimum record it quietly. Else the first says it. */
	sw->b.said_short = is_short;
	if (!is_short)
		return;
	human_size(size_arg(need, total, sizeof(total)), need_text, sizeof(need_text));
	msg = xasprintf(SHORT_PREFIX "runs of this %.2f GB %s last about %.2f s at %lld threads "
			"(%s, the most this sweep runs, usually the fastest), under --min-run %g s: "
			"numbers from runs this short are mostly noise and their cells are flagged "
			"\"short\"; use a set of at least %s ('" PROGRAM_NAME " gen --total %s' "
			"makes one)", (double)sw->b.ds.bytes / 1e9, sw->sampled ? "sample" : "set",
			durable, json_get_int(run, "threads"), json_get_str(run, "strategy"), min,
			need_text, total);
	results_warn_said(&sw->b.res, msg, msg + strlen(SHORT_PREFIX));
	free(msg);
}

/*
 * Before the grid: --warmup runs of the set, recorded with "role": "warmup" and never counted
 * (the first run after a start is often slow); with --warmup 0 one "probe" run instead, unless
 * --min-run is 0. The first of them measures how long a run lasts.
 */
static int warm_up(struct sweep *sw)
{
	const long n = pre_runs(sw);
	const char *role = sw->p.warmup ? "warmup" : "probe";

	/* The probe says it clearly; the run's own "too short" is recorded quietly. */
	sw->b.said_short = true;
	for (long k = 1; k <= n; k++) {
		const struct bench_spec spec = pre_spec(sw, role, (unsigned)k);
		const double t0 = now_mono();
		json_t *runs;
		int status;

		if (k == 1)
			info("sweep: %ld %s run%s first, not counted: %s at %u threads", n,
			     sw->p.warmup ? "warm-up" : "probe", n == 1 ? "" : "s",
			     spec.strategy->name, spec.threads);
		status = bench_run_spec(&sw->b, &spec, NULL);
		count_run(sw, t0);
		if (status)
			return status;
		runs = results_runs(&sw->b.res);
		if (k == 1)
			record_probe(sw, json_array_get(runs, json_array_size(runs) - 1),
				     now_mono() - t0);
	}
	if (n) {
		const double per_run = sw->run_seconds / (double)sw->runs_timed;
		char d1[32], d2[32];

		info("sweep: a run takes about %s; the %zu runs planned, about %s",
		     human_seconds(per_run, d1, sizeof(d1)), plan_left(sw),
		     human_seconds(per_run * (double)plan_left(sw), d2, sizeof(d2)));
	}
	return 0;
}

/* Whether anything is left to run: a plan entry not done, or (auto) a cell the rule lists. */
static bool work_left(const struct sweep *sw)
{
	struct cells_repeat_counts k;
	json_t *todo;
	bool left;

	for (size_t i = 0; i < sw->nr_plan; i++)
		if (!sw->skip || !sw->skip[i])
			return true;
	if (!sw->auto_repeats)
		return false;
	todo = cells_todo(sw, &k);
	left = json_array_size(todo) > 0;
	json_decref(todo);
	return left;
}

/* ---- the API ------------------------------------------------------------------------------- */

void sweep_init(struct sweep *sw, const struct sweep_params *p)
{
	memset(sw, 0, sizeof(*sw));
	sw->p = *p;
	sw->auto_repeats = p->auto_repeats;
	sw->rule = (struct sweep_auto){
		.min_runs = p->repeats_min, .max_runs = p->repeats_max,
		.target_spread = p->target_spread > 0 ? p->target_spread : p->tolerance / 2,
		.tolerance = p->tolerance,
	};
	atomic_init(&sw->stop_ticker, false);
	atomic_init(&sw->current, 0);
	atomic_init(&sw->done, 0);
	atomic_init(&sw->per_run_ms, 0);
}

static json_t *rule_json(const struct sweep *sw)
{
	return json_pack("{s:i, s:i, s:f, s:f, s:s, s:i}", "min_runs", (int)sw->rule.min_runs,
			 "max_runs", (int)sw->rule.max_runs, "target_spread_pct",
			 sw->rule.target_spread, "tolerance_pct", sw->rule.tolerance,
			 "default_strategy", copier_of(sw), "default_threads",
			 RECOMMEND_DEFAULT_THREADS);
}

static void build_plan(struct sweep *sw, const unsigned *threads, size_t nthr, long per_cell)
{
	const unsigned one = 0;
	const unsigned *nodes = sw->p.nr_nodes ? sw->p.nodes : &one;
	const size_t nr_nodes = sw->p.nr_nodes ? sw->p.nr_nodes : 1;

	sw->nr_plan = 0;
	for (size_t s = 0; s < sw->p.nr_strategies; s++)
		for (size_t t = 0; t < nthr; t++)
			for (size_t n = 0; n < nr_nodes; n++)
				for (long r = 1; r <= per_cell; r++)
					plan_add(sw, sw->p.strategies[s], threads[t], nodes[n],
						 (unsigned)r);
	count_cells(sw);
}

int sweep_plan(struct sweep *sw)
{
	const struct sweep_params *p = &sw->p;
	unsigned *threads = xcalloc(p->nr_threads ? p->nr_threads : 1, sizeof(*threads));
	uint64_t seed = p->seed ? (uint64_t)p->seed
				: (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	long per_cell = sw->auto_repeats ? sw->rule.min_runs : p->repeats;
	size_t nthr;

	memcpy(threads, p->threads, p->nr_threads * sizeof(*threads));
	seed &= 0x7fffffff;
	nthr = sweep_cap_threads(threads, p->nr_threads, sw->b.ds.nr, false);
	sw->rng = seed;
	build_plan(sw, threads, nthr, per_cell);
	sw->doc = json_pack("{s:I, s:o, s:I, s:o, s:i}", "seed", (json_int_t)seed, "repeats",
			    sw->auto_repeats ? json_string("auto") : json_integer(per_cell), "jobs",
			    (json_int_t)sw->b.cfg.jobs, "sample", json_null(), "warmup",
			    (int)p->warmup);
	json_object_set_new(sw->b.res.root, "sweep", sw->doc);
	if (p->budget_s > 0) {
		long fitted = per_cell;
		int status;

		sw->started = now_mono();	/* the budget counts from its first probe */
		status = fit_budget(sw, &fitted);
		if (status) {
			free(threads);
			return status;
		}
		if (fitted != per_cell)
			build_plan(sw, threads, nthr, fitted);
		per_cell = fitted;
	}
	free(threads);
	if (sw->auto_repeats) {
		if (per_cell < sw->rule.min_runs)
			sw->rule.min_runs = per_cell;
		json_object_set_new(sw->doc, "auto", rule_json(sw));
	} else {
		json_object_set_new(sw->doc, "repeats", json_integer(per_cell));
	}
	shuffle_plan(sw, 0);
	json_object_set_new(sw->doc, "plan", plan_json(sw));
	return 0;
}

int sweep_resume(struct sweep *sw)
{
	json_t *sample;
	json_t *rule;
	char why[512];

	if (sweep_check_doc(sw->b.res.root, why, sizeof(why))) {
		error("cannot resume from '%s': %s", sw->b.res.path, why);
		return 1;
	}
	sw->doc = json_object_get(sw->b.res.root, "sweep");
	plan_from_json(sw, json_object_get(sw->doc, "plan"));
	count_cells(sw);
	sample = json_object_get(sw->doc, "sample");
	sw->rng = (uint64_t)json_integer_value(json_object_get(sw->doc, "seed"));
	if (json_is_object(sample))
		use_sample(sw, (uint64_t)json_integer_value(json_object_get(sample, "target_bytes")),
			   (uint64_t)json_integer_value(json_object_get(sample, "seed")));
	sw->skip = plan_done(sw);
	sw->auto_repeats = json_is_string(json_object_get(sw->doc, "repeats"));
	/* The rule the sweep started with (checked); a sweep from before it was recorded keeps
	 * the command line's. */
	rule = json_object_get(sw->doc, "auto");
	if (sw->auto_repeats && json_is_object(rule))
		sw->rule = (struct sweep_auto){
			.min_runs = (long)json_get_int(rule, "min_runs"),
			.max_runs = (long)json_get_int(rule, "max_runs"),
			.target_spread = json_get_num(rule, "target_spread_pct"),
			.tolerance = json_get_num(rule, "tolerance_pct"),
		};
	return 0;
}

int sweep_estimate(struct sweep *sw, struct sweep_estimate *e)
{
	const unsigned jobs = sw->b.cfg.jobs ? sw->b.cfg.jobs : 1;
	double per_byte;

	memset(e, 0, sizeof(*e));
	e->budget_probes = sw->nr_rates > 0;
	if (!sw->nr_rates) {
		struct rate slow, fast;
		int status = budget_probes(sw, &slow, &fast);

		if (status)
			return status;
		json_decref(slow.json);
		json_decref(fast.json);
	}
	e->slow = sw->rates[0];
	e->fast = sw->rates[1];
	e->nr_probes = sw->nr_rates;
	e->pre_runs = plan_left(sw) ? pre_runs(sw) : 0;
	e->runs = plan_left(sw);
	e->planned = sw->nr_plan;
	e->cells = sw->nr_cells;
	if (sw->auto_repeats) {
		e->extra = expected_extra(sw);
		e->most = sw->nr_cells * (size_t)sw->rule.max_runs;
	}
	per_byte = (1 / e->slow.bytes_s + 1 / e->fast.bytes_s) / 2;
	e->per_run_s = (e->slow.overhead + e->fast.overhead) / 2 +
		       (double)sw->b.ds.bytes * jobs * per_byte;
	e->total_s = e->per_run_s * (double)((size_t)e->pre_runs + e->runs + e->extra);
	return 0;
}

void sweep_announce(const struct sweep *sw)
{
	const long pre = pre_runs(sw);
	const size_t left = plan_left(sw);
	char first[64] = "";
	char cells[160];

	if (pre)
		snprintf(first, sizeof(first), ", after %ld %s run%s not counted", pre,
			 sw->p.warmup ? "warm-up" : "probe", pre == 1 ? "" : "s");
	if (sw->skip)
		snprintf(cells, sizeof(cells), "%zu of the %zu planned runs left", left, sw->nr_plan);
	else
		snprintf(cells, sizeof(cells), "%zu runs (%zu cells x %zu)", sw->nr_plan,
			 sw->nr_cells, sw->nr_cells ? sw->nr_plan / sw->nr_cells : 0);
	if (sw->auto_repeats)
		info("sweep: %s, and about %zu more expected for the cells that decide the answer "
		     "(--repeats auto: assuming %zu such cells each need half the way to %ld runs; "
		     "at most %zu in all)%s; %zu files, %.2f GB a run; seed %lld; results in '%s'",
		     cells, expected_extra(sw), sw->nr_deciding, sw->rule.max_runs,
		     sw->nr_cells * (size_t)sw->rule.max_runs, first, sw->b.ds.nr,
		     (double)sw->b.ds.bytes * (double)(sw->b.cfg.jobs ? sw->b.cfg.jobs : 1) / 1e9,
		     (long long)json_integer_value(json_object_get(sw->doc, "seed")), sw->b.res.dir);
	else
		info("sweep: %s%s; %zu files, %.2f GB a run; seed %lld; results in '%s'", cells, first,
		     sw->b.ds.nr,
		     (double)sw->b.ds.bytes * (double)(sw->b.cfg.jobs ? sw->b.cfg.jobs : 1) / 1e9,
		     (long long)json_integer_value(json_object_get(sw->doc, "seed")), sw->b.res.dir);
}

int sweep_run(struct sweep *sw)
{
	int status = 0;

	if (!sw->started)
		sw->started = now_mono();
	if (work_left(sw))
		status = warm_up(sw);
	if (!status) {
		start_ticker(sw);
		status = run_plan(sw, 0, sw->skip);
	}
	if (!status && sw->auto_repeats)
		status = run_auto_repeats(sw);
	stop_ticker(sw);
	sw->wall = now_mono() - sw->started;
	return status;
}

void sweep_release(struct sweep *sw)
{
	if (sw->sampled) {
		dataset_release(&sw->b.ds);
		sw->b.ds = sw->full;
		sw->sampled = false;
	}
	bench_release(&sw->b);
	free(sw->skip);
	free(sw->plan);
	live_eta_release(&sw->eta);
	sw->skip = NULL;
	sw->plan = NULL;
}
