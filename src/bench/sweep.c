/* sweep.c - the sweep engine: the shuffled plan, --budget's sample, --resume, auto repeats, ETA. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis/cells.h"
#include "bench/sweep.h"
#include "lib/util.h"

#define AUTO_FIRST_REPEATS 3		/* --repeats auto starts every cell with this many */
#define PROBE_BYTES (256ull << 20)	/* what --budget copies once to learn the speed */
#define MIN_SAMPLE_BYTES (64ull << 20)

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
		     unsigned repeat)
{
	if (sw->nr_plan == sw->cap_plan) {
		sw->cap_plan = sw->cap_plan ? 2 * sw->cap_plan : 64;
		sw->plan = xrealloc(sw->plan, sw->cap_plan * sizeof(*sw->plan));
	}
	sw->plan[sw->nr_plan++] = (struct sweep_entry){ s, threads, repeat };
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a;
	unsigned y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

/* Thread counts above the file count would only idle; keep the rest (sorted, unique). */
static int cap_threads(unsigned *t, int n, size_t nr_files)
{
	int k = 0;

	qsort(t, (size_t)n, sizeof(*t), cmp_unsigned);
	for (int i = 0; i < n; i++) {
		if (k && t[k - 1] == t[i])
			continue;
		if (t[i] > nr_files) {
			info("sweep: %u threads dropped: the set has only %zu file%s", t[i], nr_files,
			     nr_files == 1 ? "" : "s");
			continue;
		}
		t[k++] = t[i];
	}
	if (!k)
		t[k++] = (unsigned)(nr_files ? nr_files : 1);
	return k;
}

static json_t *plan_json(const struct sweep *sw)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sw->nr_plan; i++)
		json_array_append_new(a, json_pack("{s:s, s:i, s:i}", "strategy",
						   sw->plan[i].strategy->name, "threads",
						   (int)sw->plan[i].threads, "repeat",
						   (int)sw->plan[i].repeat));
	return a;
}

/* Rebuild the plan of a resumed sweep from results.json's sweep.plan. */
static int plan_from_json(struct sweep *sw, json_t *plan)
{
	size_t i;
	json_t *e;

	json_array_foreach(plan, i, e) {
		const char *name = json_string_value(json_object_get(e, "strategy"));
		const struct copy_strategy *s = name ? strategy_find(name) : NULL;

		if (!s) {
			error("cannot resume: strategy '%s' of the plan is not in this build",
			      name ? name : "?");
			return -1;
		}
		plan_add(sw, s, (unsigned)json_integer_value(json_object_get(e, "threads")),
			 (unsigned)json_integer_value(json_object_get(e, "repeat")));
	}
	return 0;
}

/* Plan entries that already have a complete run (resume skips those). */
static bool *plan_done(struct sweep *sw)
{
	bool *done = xcalloc(sw->nr_plan ? sw->nr_plan : 1, sizeof(bool));
	json_t *run;
	size_t i;

	json_array_foreach(results_runs(&sw->b.res), i, run) {
		json_t *idx = json_object_get(run, "plan_index");

		if (!json_is_integer(idx) || json_is_true(json_object_get(run, "aborted")) ||
		    json_array_size(json_object_get(run, "errors")))
			continue;
		if (json_integer_value(idx) >= 0 && (size_t)json_integer_value(idx) < sw->nr_plan)
			done[json_integer_value(idx)] = true;
	}
	return done;
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

/*
 * --budget: copy a small sample once (not recorded as a run) with the slowest-looking cell, the
 * first strategy at its fewest threads, to learn the copy rate and the fixed cost of a run
 * (cache drop, settling, residency); then choose how much of the set fits the budget.
 */
static int fit_budget(struct sweep *sw, double budget_s, size_t nr_runs, json_t *sweep_doc)
{
	struct bench_spec spec = { .strategy = sw->plan[0].strategy, .threads = sw->plan[0].threads,
				   .repeat = 0, .plan_index = -1 };
	json_t *probe = NULL;
	double t0 = now_mono();
	double wall, copy_s, rate, overhead, per_run, target;
	uint64_t probe_target = PROBE_BYTES < sw->b.ds.bytes ? PROBE_BYTES : sw->b.ds.bytes;
	uint64_t seed = (uint64_t)json_integer_value(json_object_get(sweep_doc, "seed"));
	struct dataset full;
	struct dataset probe_set;
	char d1[32], d2[32], s1[32];
	int status;

	for (size_t i = 1; i < sw->nr_plan; i++)
		if (sw->plan[i].strategy == spec.strategy && sw->plan[i].threads < spec.threads)
			spec.threads = sw->plan[i].threads;
	dataset_sample(&sw->b.ds, probe_target, seed ^ 0x5eedull, &probe_set);
	full = sw->b.ds;
	sw->b.ds = probe_set;
	info("sweep: probing the copy rate with %s at %u thread%s on %s to fit the budget",
	     spec.strategy->name, spec.threads, spec.threads == 1 ? "" : "s",
	     human_size(probe_set.bytes, s1, sizeof(s1)));
	status = bench_run_spec(&sw->b, &spec, &probe);
	sw->b.ds = full;
	dataset_release(&probe_set);
	wall = now_mono() - t0;
	if (status || !probe) {
		json_decref(probe);
		error("sweep: the probe run for --budget failed");
		return status ? status : 1;
	}
	copy_s = json_number_value(json_object_get(probe, "seconds_durable"));
	rate = copy_s > 0 ? (double)json_integer_value(json_object_get(probe, "bytes")) / copy_s : 0;
	overhead = wall - copy_s;
	per_run = budget_s / (double)nr_runs - overhead;
	target = rate * per_run;
	json_object_set_new(sweep_doc, "probe", json_pack("{s:s, s:i, s:f, s:f, s:f}", "strategy",
							   spec.strategy->name, "threads",
							   (int)spec.threads, "mb_s", rate / 1e6,
							   "seconds_per_run_overhead", overhead,
							   "budget_s", budget_s));
	json_decref(probe);
	if (per_run <= 0 || target < (double)MIN_SAMPLE_BYTES)
		target = (double)MIN_SAMPLE_BYTES;
	if (target >= (double)sw->b.ds.bytes) {
		info("sweep: the whole set fits the budget of %s",
		     human_duration(budget_s, d1, sizeof(d1)));
		return 0;
	}
	use_sample(sw, (uint64_t)target, seed);
	json_object_set_new(sweep_doc, "sample", sample_json(sw, (uint64_t)target, seed));
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
	info("sweep: %zu runs in %s: copying a sample of %zu of %zu files (%s), %.0f MB/s and "
	     "%s of overhead per run measured; times scale from the sample to the whole set",
	     nr_runs, human_duration(budget_s, d1, sizeof(d1)), sw->b.ds.nr, sw->full.nr,
	     human_size(sw->b.ds.bytes, s1, sizeof(s1)), rate / 1e6,
	     human_duration(overhead, d2, sizeof(d2)));
	return 0;
}

/* Seconds the rest of the plan will take, from the runs so far. */
static double eta_seconds(const struct sweep *sw)
{
	double per_run;

	if (!sw->runs_timed)
		return -1;
	per_run = sw->run_seconds / (double)sw->runs_timed;
	return per_run * (double)(sw->nr_plan - sw->done);
}

static void *ticker_main(void *arg)
{
	struct sweep *sw = arg;

	while (!sw->stop_ticker) {
		const struct sweep_entry *e = &sw->plan[sw->current];
		uint64_t files = atomic_load(&sw->b.progress.files);
		uint64_t bytes = atomic_load(&sw->b.progress.bytes);
		double eta = eta_seconds(sw);
		char etab[32] = "?";

		if (eta >= 0)
			human_duration(eta, etab, sizeof(etab));
		fprintf(stderr, "\r\033[K[%zu/%zu] %s, %u threads, repeat %u: %llu/%zu files, %.2f GB; "
				"sweep ETA %s", sw->current + 1, sw->nr_plan, e->strategy->name,
			e->threads, e->repeat, (unsigned long long)files, sw->b.ds.nr,
			(double)bytes / 1e9, etab);
		fflush(stderr);
		usleep(250 * 1000);
	}
	return NULL;
}

static void start_ticker(struct sweep *sw)
{
	if (sw->p.quiet || !isatty(STDERR_FILENO))
		return;
	sw->stop_ticker = false;
	live_line = true;
	sw->ticking = pthread_create(&sw->ticker, NULL, ticker_main, sw) == 0;
	live_line = sw->ticking;
}

static void stop_ticker(struct sweep *sw)
{
	if (!sw->ticking)
		return;
	sw->stop_ticker = true;
	pthread_join(sw->ticker, NULL);
	fprintf(stderr, "\r\033[K");
	live_line = false;
	sw->ticking = false;
}

/* Run plan entries [from, nr_plan) that are not done yet. Returns 0 or the first bad status. */
static int run_plan(struct sweep *sw, size_t from, const bool *skip)
{
	for (size_t i = from; i < sw->nr_plan; i++) {
		struct bench_spec spec = { .strategy = sw->plan[i].strategy,
					   .threads = sw->plan[i].threads,
					   .repeat = sw->plan[i].repeat, .plan_index = (long)i };
		double t0 = now_mono();
		json_t *runs;
		json_t *last;
		char etab[32];
		int status;

		if (skip && skip[i]) {
			sw->done++;
			continue;
		}
		sw->current = i;
		status = bench_run_spec(&sw->b, &spec, NULL);
		sw->done++;
		sw->run_seconds += now_mono() - t0;
		sw->runs_timed++;
		runs = results_runs(&sw->b.res);
		last = json_array_get(runs, json_array_size(runs) - 1);
		sw->copy_seconds += json_number_value(json_object_get(last, "seconds_durable"));
		if (status)
			return status;
		if (!sw->ticking)
			info("sweep: %zu of %zu runs done; about %s left", sw->done, sw->nr_plan,
			     human_duration(eta_seconds(sw), etab, sizeof(etab)));
	}
	return 0;
}

/* --repeats auto: one more run for every cell still too noisy, until none is or all are capped. */
static int run_auto_repeats(struct sweep *sw)
{
	struct cells_params cp;

	cells_params_init(&cp);
	for (;;) {
		json_t *cells = cells_compute(sw->b.res.root, &cp);
		json_t *todo = cells_need_repeats(cells, sw->p.target_spread / 100.0,
						  (size_t)sw->p.repeats_max);
		size_t from = sw->nr_plan;
		size_t i;
		json_t *c;
		int status;

		stop_ticker(sw);	/* plan_add() may move the plan the live line reads */
		json_array_foreach(todo, i, c) {
			const struct copy_strategy *s =
				strategy_find(json_string_value(json_object_get(c, "strategy")));
			json_int_t runs = json_integer_value(json_object_get(c, "runs")) +
					  json_integer_value(json_object_get(c, "failed_runs"));

			if (s)
				plan_add(sw, s, (unsigned)json_integer_value(json_object_get(c, "threads")),
					 (unsigned)runs + 1);
		}
		json_decref(todo);
		json_decref(cells);
		if (sw->nr_plan == from)
			return 0;
		shuffle_plan(sw, from);
		json_object_set_new(sw->doc, "plan", plan_json(sw));
		info("sweep: %zu cells are still noisier than %.1f %%: one more run each",
		     sw->nr_plan - from, sw->p.target_spread);
		start_ticker(sw);
		status = run_plan(sw, from, NULL);
		if (status)
			return status;
	}
}


void sweep_init(struct sweep *sw, const struct sweep_params *p)
{
	memset(sw, 0, sizeof(*sw));
	sw->p = *p;
	sw->auto_repeats = p->auto_repeats;
}

int sweep_plan(struct sweep *sw)
{
	const struct sweep_params *p = &sw->p;
	unsigned *threads = xcalloc(p->nr_threads ? p->nr_threads : 1, sizeof(*threads));
	uint64_t seed = p->seed ? (uint64_t)p->seed
				: (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	int nthr;

	memcpy(threads, p->threads, p->nr_threads * sizeof(*threads));
	seed &= 0x7fffffff;
	nthr = cap_threads(threads, (int)p->nr_threads, sw->b.ds.nr);
	sw->rng = seed;
	for (size_t s = 0; s < p->nr_strategies; s++)
		for (int t = 0; t < nthr; t++)
			for (long r = 1; r <= (sw->auto_repeats ? AUTO_FIRST_REPEATS : p->repeats); r++)
				plan_add(sw, p->strategies[s], threads[t], (unsigned)r);
	free(threads);
	shuffle_plan(sw, 0);
	sw->doc = json_pack("{s:I, s:o, s:I, s:o}", "seed", (json_int_t)seed, "repeats",
			    sw->auto_repeats ? json_string("auto") : json_integer(p->repeats), "jobs",
			    (json_int_t)sw->b.cfg.jobs, "sample", json_null());
	json_object_set_new(sw->b.res.root, "sweep", sw->doc);
	if (p->budget_s > 0) {
		int status = fit_budget(sw, p->budget_s, sw->nr_plan, sw->doc);

		if (status)
			return status;
	}
	json_object_set_new(sw->doc, "plan", plan_json(sw));
	return 0;
}

int sweep_resume(struct sweep *sw)
{
	json_t *sample;

	sw->doc = json_object_get(sw->b.res.root, "sweep");
	if (!sw->doc) {
		error("cannot resume: '%s' holds no sweep", sw->b.res.path);
		return 1;
	}
	if (plan_from_json(sw, json_object_get(sw->doc, "plan")))
		return 1;
	sample = json_object_get(sw->doc, "sample");
	sw->rng = (uint64_t)json_integer_value(json_object_get(sw->doc, "seed"));
	if (json_is_object(sample))
		use_sample(sw, (uint64_t)json_integer_value(json_object_get(sample, "target_bytes")),
			   (uint64_t)json_integer_value(json_object_get(sample, "seed")));
	sw->skip = plan_done(sw);
	sw->auto_repeats = json_is_string(json_object_get(sw->doc, "repeats"));
	return 0;
}

int sweep_run(struct sweep *sw)
{
	int status;

	sw->started = now_mono();
	start_ticker(sw);
	status = run_plan(sw, 0, sw->skip);
	if (!status && sw->runs_timed == 1 && sw->nr_plan > 1) {
		char etab[32];

		info("sweep: estimate for the whole sweep: %s", human_duration(eta_seconds(sw), etab,
									       sizeof(etab)));
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
	sw->skip = NULL;
	sw->plan = NULL;
}
