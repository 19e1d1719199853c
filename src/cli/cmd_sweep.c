/* cmd_sweep.c - `sweep SRC DST`: strategies x threads x repeats, shuffled, and the recommendation. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "analysis/cells.h"
#include "cli/cmds.h"
#include "cli/measure_opts.h"
#include "cli/cmdline.h"
#include "analysis/recommend.h"
#include "report/report.h"
#include "copy/strategy.h"
#include "lib/util.h"

#define SWEEP_DEFAULT_THREADS "1,2,4,8,12,16"
#define AUTO_FIRST_REPEATS 3		/* --repeats auto starts every cell with this many */
#define PROBE_BYTES (256ull << 20)	/* what --budget copies once to learn the speed */
#define MIN_SAMPLE_BYTES (64ull << 20)
#define MAX_LIST 64

struct sweep_opts {
	char *strategies;
	char *threads;
	char *repeats;
	long repeats_max;
	double target_spread;
	long seed;
	bool resume;
	char *budget;
	long jobs;
	long for_files;
	uint64_t for_bytes;
	double tolerance;
	bool no_report;
	bool no_plots;
	bool reference;
	struct measure_opts m;
};

static const struct opt_def sweep_options[] = {
	OPT_STRING_("strategies", 's', struct sweep_opts, strategies, NULL, "LIST", 0,
		    "comma-separated strategies (default: shutil and uring, or shutil and rw "
		    "without io_uring)"),
	OPT_STRING_("threads", 'j', struct sweep_opts, threads, SWEEP_DEFAULT_THREADS, "LIST", 0,
		    "comma-separated thread counts (counts above the number of files are dropped)"),
	OPT_STRING_("repeats", 'r', struct sweep_opts, repeats, "5", "R|auto", 0,
		    "cold runs per cell; auto adds runs to noisy cells until --target-spread"),
	OPT_LONG_("repeats-max", 0, struct sweep_opts, repeats_max, "15", "N", 1, 1000,
		  "with --repeats auto: at most this many runs per cell"),
	OPT_DOUBLE_("target-spread", 0, struct sweep_opts, target_spread, "3", "PCT", 0.1, 100,
		    "with --repeats auto: the median's confidence half-width to reach, % of it"),
	OPT_LONG_("seed", 0, struct sweep_opts, seed, "0", "N", 0, 2147483647,
		  "seed of the run order and sample (0: from the clock; always recorded)"),
	OPT_BOOL_("resume", 0, struct sweep_opts, resume,
		  "continue the sweep whose results.json is in --out (its plan, seed and sample)"),
	OPT_STRING_("budget", 0, struct sweep_opts, budget, NULL, "TIME", 0,
		    "fit the sweep in TIME (e.g. 10m, 1h) by copying a size-representative sample"),
	OPT_LONG_("jobs", 0, struct sweep_opts, jobs, "1", "J", 1, 64,
		  "copiers at once, each with its N threads (several CryoSPARC jobs caching)"),
	OPT_LONG_("for-files", 0, struct sweep_opts, for_files, "0", "N", 0, 2147483647,
		  "estimate caching times for a dataset of N files (default: the measured set)"),
	OPT_SIZE_("for-bytes", 0, struct sweep_opts, for_bytes, NULL, "SIZE",
		  "... and of SIZE bytes, e.g. 1.6T (default: the measured set)"),
	OPT_DOUBLE_("tolerance", 0, struct sweep_opts, tolerance, "5", "PCT", 0, 100,
		    "thread counts within PCT % of the best are as good; the fewest wins"),
	OPT_BOOL_("no-report", 0, struct sweep_opts, no_report,
		  "do not write report.md, report.html and results.csv"),
	OPT_BOOL_("no-plots", 0, struct sweep_opts, no_plots, "do not run gnuplot for the report"),
	OPT_BOOL_("reference", 0, struct sweep_opts, reference,
		  "first measure fio's copy-shaped ceiling for SRC and DST ('" PROGRAM_NAME
		  " fio'); the tables then show every cell as a share of it"),
	MEASURE_OPTIONS(struct sweep_opts, m),
	OPT_END
};

const struct opt_command sweep_command = {
	.name = "sweep",
	.synopsis = "SRC DST",
	.brief = "the grid of strategies x threads, and the thread count to set",
	.summary = "Measure every strategy at every thread count, cold and repeated, in a shuffled\n"
		   "order; write results.json and the reports, and end with the thread count to\n"
		   "set for CryoSPARC.",
	.options = sweep_options,
	.min_args = 2,
	.max_args = 2,
};

struct cell {
	const struct copy_strategy *strategy;
	unsigned threads;
};

/* One entry of the plan: a cell and its repeat number. */
struct plan_entry {
	const struct copy_strategy *strategy;
	unsigned threads;
	unsigned repeat;
};

struct sweep {
	struct sweep_opts *o;
	struct bench b;
	struct dataset full;		/* the listed set when a sample is copied instead */
	bool sampled;
	uint64_t rng;
	struct plan_entry *plan;
	size_t nr_plan, cap_plan;
	size_t done;			/* plan entries finished (or skipped when resuming) */
	size_t current;			/* the entry running now */
	double started;			/* monotonic: the sweep's first run */
	double copy_seconds;		/* spent inside the runs' clocks */
	double run_seconds;		/* spent in runs, from their start to their end */
	size_t runs_timed;
	/* the live line */
	pthread_t ticker;
	bool ticking;
	volatile bool stop_ticker;
};

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
		struct plan_entry t = sw->plan[i - 1];

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
	sw->plan[sw->nr_plan++] = (struct plan_entry){ s, threads, repeat };
}

/* "shutil,uring" -> strategies; prints the bad name. Returns the count, or -1. */
static int parse_strategies(const char *list, const struct copy_strategy **out)
{
	char *copy = xstrdup(list);
	char *save = NULL;
	int n = 0;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct copy_strategy *s = strategy_find(tok);

		if (!s) {
			error("sweep: unknown strategy '%s' ('" PROGRAM_NAME " strategies' lists them)",
			      tok);
			n = -1;
			break;
		}
		if (n == MAX_LIST) {
			error("sweep: more than %d strategies", MAX_LIST);
			n = -1;
			break;
		}
		out[n++] = s;
	}
	free(copy);
	if (n == 0)
		error("sweep: --strategies names no strategy");
	return n > 0 ? n : -1;
}

static int parse_threads(const char *list, unsigned *out)
{
	char *copy = xstrdup(list);
	char *save = NULL;
	int n = 0;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long v;

		if (parse_long(tok, 1, 4096, &v)) {
			error("sweep: invalid thread count '%s' in --threads: expected whole numbers "
			      "from 1 to 4096", tok);
			n = -1;
			break;
		}
		if (n == MAX_LIST) {
			error("sweep: more than %d thread counts", MAX_LIST);
			n = -1;
			break;
		}
		out[n++] = (unsigned)v;
	}
	free(copy);
	if (n == 0)
		error("sweep: --threads names no thread count");
	return n > 0 ? n : -1;
}

static const char *default_strategies(void)
{
	const struct copy_strategy *uring = strategy_find("uring");
	char why[256];

	if (uring && (!uring->probe || uring->probe(NULL, NULL, why, sizeof(why)) == 0))
		return "shutil,uring";
	return "shutil,rw";
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
			info("sweep: %u threads dropped: the set has only %zu files", t[i], nr_files);
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
	info("sweep: probing the copy rate with %s at %u threads on %s to fit the budget",
	     spec.strategy->name, spec.threads, human_size(probe_set.bytes, s1, sizeof(s1)));
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
				      "sample's medians", sw->o->budget, sw->b.ds.nr, sw->full.nr,
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

/*
 * --reference: `cryocache-bench fio SRC DST` as a child (the same binary), its results folder
 * inside the sweep's, and its "reference" copied into the sweep's results.json. fio missing or
 * failing is a warning: the sweep goes on without a ceiling.
 */
static void measure_reference(struct sweep *sw, const char *src, const char *dst)
{
	char *out = path_join(sw->b.res.dir, "reference");
	char *path = path_join(out, RESULTS_FILE);
	struct results ref = { 0 };
	char why[256] = "";
	int status = 0;
	pid_t pid;

	info("sweep: measuring fio's ceiling for the same files first (--reference)");
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", PROGRAM_NAME, "fio", "--out", out, "--drop-caches-path",
		      sw->b.cfg.drop_path, "--", src, dst, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		results_warn(&sw->b.res, "no fio reference: 'cryocache-bench fio' failed (its message "
					 "is above); the tables show no share of the ceiling");
		warning("no fio reference: 'cryocache-bench fio' failed; the sweep goes on without it");
	} else if (results_load(&ref, out, why, sizeof(why)) ||
		   !json_is_number(json_object_get(json_object_get(ref.root, "reference"),
						   "ceiling_mb_s"))) {
		results_warn(&sw->b.res, "no fio reference: its results.json has no ceiling");
	} else {
		json_t *r = json_object_get(ref.root, "reference");

		json_object_set_new(r, "results", json_string(path));
		json_object_set(sw->b.res.root, "reference", r);
		info("sweep: fio's copy-shaped ceiling: %.0f MB/s",
		     json_number_value(json_object_get(r, "ceiling_mb_s")));
	}
	results_release(&ref);
	free(path);
	free(out);
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
		const struct plan_entry *e = &sw->plan[sw->current];
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
	if (sw->o->m.quiet || !isatty(STDERR_FILENO))
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
static int run_auto_repeats(struct sweep *sw, json_t *sweep_doc)
{
	struct cells_params cp;

	cells_params_init(&cp);
	for (;;) {
		json_t *cells = cells_compute(sw->b.res.root, &cp);
		json_t *todo = cells_need_repeats(cells, sw->o->target_spread / 100.0,
						  (size_t)sw->o->repeats_max);
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
		json_object_set_new(sweep_doc, "plan", plan_json(sw));
		info("sweep: %zu cells are still noisier than %.1f %%: one more run each",
		     sw->nr_plan - from, sw->o->target_spread);
		start_ticker(sw);
		status = run_plan(sw, from, NULL);
		if (status)
			return status;
	}
}

/* cells, recommendation, reports, and the lines a person reads last. */
static int conclude(struct sweep *sw, double wall)
{
	struct cells_params cp;
	struct recommend_params rp;
	struct report_written w = { 0 };
	json_t *doc = sw->b.res.root;
	json_t *cells;
	json_t *rec;
	char *line = NULL;
	double t0 = now_mono();
	int ret;

	cells_params_init(&cp);
	cp.tolerance = sw->o->tolerance / 100.0;
	cells = cells_compute(doc, &cp);
	json_object_set(doc, "cells", cells);
	recommend_params_init(&rp);
	recommend_params_from_doc(&rp, doc);
	rp.tolerance = sw->o->tolerance / 100.0;
	rp.jobs = sw->o->jobs;
	if (sw->o->for_files)
		rp.for_files = (uint64_t)sw->o->for_files;
	if (sw->o->for_bytes)
		rp.for_bytes = sw->o->for_bytes;
	rec = recommend_compute(cells, &rp);
	json_decref(cells);
	json_object_set_new(doc, "recommendation", rec);
	json_object_set_new(json_object_get(doc, "sweep"), "overhead",
			    json_pack("{s:f, s:f, s:f}", "wall_s", wall, "copy_s", sw->copy_seconds,
				      "outside_copy_share", wall > 0 ? 1 - sw->copy_seconds / wall
								     : 0));
	ret = results_write(&sw->b.res);
	if (ret) {
		error("cannot write '%s': %s", sw->b.res.path, strerror(-ret));
		return 1;
	}
	if (!sw->o->no_report) {
		ret = report_write_all(doc, sw->b.res.dir, NULL,
				       sw->o->no_plots ? REPORT_NO_PLOTS : 0, &w);
		if (ret)
			error("cannot write the reports in '%s': %s", sw->b.res.dir, strerror(-ret));
	}
	report_text(doc, stdout);
	printf("\nresults: %s\n", sw->b.res.path);
	if (w.html)
		printf("report:  %s\n", w.html);
	info("sweep: statistics and reports took %.2f s", now_mono() - t0);
	line = recommend_line(rec);
	printf("\n%s\n", line);
	free(line);
	report_written_release(&w);
	return ret ? 1 : 0;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_opts o = { 0 };
	struct sweep sw = { .o = &o };
	struct bench_config cfg = { 0 };
	const struct copy_strategy *strats[MAX_LIST];
	unsigned threads[MAX_LIST];
	json_t *sweep_doc;
	bool *skip = NULL;
	char **args;
	char *label = NULL;
	double budget_s = 0;
	double wall = 0;
	long repeats = 0;
	bool auto_repeats;
	int nstrat = 0, nthr = 0;
	int nargs;
	int status = 0;
	int ret;

	ret = measure_parse(&sweep_command, &o, &o.m, argc, argv, &args, &nargs);
	if (ret) {
		measure_release(&sweep_command, &o, &o.m);
		return ret > 0 ? 0 : 2;
	}
	if (!o.strategies)
		o.strategies = xstrdup(default_strategies());
	auto_repeats = !strcmp(o.repeats, "auto");
	if (!auto_repeats && parse_long(o.repeats, 1, 10000, &repeats)) {
		error("sweep: invalid value '%s' for --repeats: expected a whole number or auto",
		      o.repeats);
		status = 2;
	}
	if (o.budget && parse_duration(o.budget, &budget_s)) {
		error("sweep: invalid duration '%s' for --budget: expected e.g. 90s, 10m, 1h30m",
		      o.budget);
		status = 2;
	}
	if (post_check(&o.m.post))
		status = 2;
	if (o.resume && !o.m.out) {
		error("sweep: --resume needs --out, the results folder of the sweep to continue");
		status = 2;
	}
	if (!status) {
		nstrat = parse_strategies(o.strategies, strats);
		nthr = parse_threads(o.threads, threads);
		if (nstrat < 0 || nthr < 0)
			status = 2;
	}
	if (status) {
		measure_release(&sweep_command, &o, &o.m);
		return status;
	}

	label = xstrdup("sweep");
	cfg.src = args[0];
	cfg.dst = args[1];
	cfg.label = label;
	cfg.resume = o.resume;
	cfg.jobs = (unsigned)o.jobs;
	measure_opts_apply(&o.m, &cfg);
	cfg.params = measure_params(&sweep_command, &o, &o.m);

	bench_install_signal_handlers();
	if (bench_begin(&sw.b, &cfg)) {
		status = 1;
		goto out;
	}
	for (int i = 0; i < nstrat; i++) {
		char why[256];

		if (strats[i]->probe && strats[i]->probe(&sw.b.ds, sw.b.dst, why, sizeof(why))) {
			error("strategy '%s' cannot run here: %s", strats[i]->name, why);
			status = 1;
			goto end;
		}
	}

	sweep_doc = json_object_get(sw.b.res.root, "sweep");
	if (o.resume) {
		json_t *sample = json_object_get(sweep_doc, "sample");

		if (!sweep_doc || plan_from_json(&sw, json_object_get(sweep_doc, "plan"))) {
			if (!sweep_doc)
				error("cannot resume: '%s' holds no sweep", sw.b.res.path);
			status = 1;
			goto end;
		}
		sw.rng = (uint64_t)json_integer_value(json_object_get(sweep_doc, "seed"));
		if (json_is_object(sample))
			use_sample(&sw, (uint64_t)json_integer_value(json_object_get(sample, "target_bytes")),
				   (uint64_t)json_integer_value(json_object_get(sample, "seed")));
		skip = plan_done(&sw);
		auto_repeats = json_is_string(json_object_get(sweep_doc, "repeats"));
	} else {
		uint64_t seed = o.seed ? (uint64_t)o.seed
				       : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);

		seed &= 0x7fffffff;
		nthr = cap_threads(threads, nthr, sw.b.ds.nr);
		sw.rng = seed;
		for (int s = 0; s < nstrat; s++)
			for (int t = 0; t < nthr; t++)
				for (long r = 1; r <= (auto_repeats ? AUTO_FIRST_REPEATS : repeats); r++)
					plan_add(&sw, strats[s], threads[t], (unsigned)r);
		shuffle_plan(&sw, 0);
		sweep_doc = json_pack("{s:I, s:o, s:I, s:o}", "seed", (json_int_t)seed, "repeats",
				      auto_repeats ? json_string("auto") : json_integer(repeats), "jobs",
				      (json_int_t)o.jobs, "sample", json_null());
		json_object_set_new(sw.b.res.root, "sweep", sweep_doc);
		if (budget_s > 0) {
			status = fit_budget(&sw, budget_s, sw.nr_plan, sweep_doc);
			if (status)
				goto end;
		}
		json_object_set_new(sweep_doc, "plan", plan_json(&sw));
		if (o.reference)
			measure_reference(&sw, args[0], args[1]);
		ret = results_write(&sw.b.res);
		if (ret) {
			error("cannot write '%s': %s", sw.b.res.path, strerror(-ret));
			status = 1;
			goto end;
		}
	}
	info("sweep: %zu runs%s of %zu files, %.2f GB each; seed %lld; results in '%s'", sw.nr_plan,
	     auto_repeats ? " to start with" : "", sw.b.ds.nr,
	     (double)sw.b.ds.bytes * (double)cfg.jobs / 1e9,
	     (long long)json_integer_value(json_object_get(sweep_doc, "seed")), sw.b.res.dir);

	sw.started = now_mono();
	start_ticker(&sw);
	status = run_plan(&sw, 0, skip);
	if (!status && sw.runs_timed == 1 && sw.nr_plan > 1) {
		char etab[32];

		info("sweep: estimate for the whole sweep: %s", human_duration(eta_seconds(&sw), etab,
									       sizeof(etab)));
	}
	if (!status && auto_repeats)
		status = run_auto_repeats(&sw, sweep_doc);
	stop_ticker(&sw);
	wall = now_mono() - sw.started;
end:
	/* bench_end first: its whole-session warnings belong in the reports. */
	if (bench_end(&sw.b) && !status)
		status = 1;
	if (!status)
		status = conclude(&sw, wall);
	else
		measure_report(&sw.b, status);
	status = measure_post(&sw.b, &o.m, status);
out:
	if (sw.sampled) {
		dataset_release(&sw.b.ds);
		sw.b.ds = sw.full;
	}
	bench_release(&sw.b);
	free(skip);
	free(sw.plan);
	json_decref(cfg.params);
	free(label);
	measure_release(&sweep_command, &o, &o.m);
	return status;
}
