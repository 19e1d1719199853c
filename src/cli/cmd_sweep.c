/* cmd_sweep.c - `sweep SRC DST`: strategies x threads x repeats, shuffled, and the recommendation. */
#include "config.h"

#include <errno.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/cells.h"
#include "analysis/confirm.h"
#include "analysis/recommend.h"
#include "analysis/scaling.h"
#include "bench/sweep.h"
#include "bench/sweep_confirm.h"
#include "cli/cmdline.h"
#include "cli/cmds.h"
#include "cli/measure_opts.h"
#include "cli/nodes_opts.h"
#include "copy/strategy.h"
#include "lib/util.h"
#include "report/report.h"

#define SWEEP_DEFAULT_THREADS "1,2,4,8,12,16"
#define MAX_LIST 64

struct sweep_opts {
	char *strategies;
	char *threads;
	char *repeats;
	long repeats_min;
	long repeats_max;
	double target_spread;
	long warmup;
	char *min_run;
	long seed;
	bool resume;
	char *budget;
	long jobs;
	long for_files;
	uint64_t for_bytes;
	double tolerance;
	long confirm;
	bool no_report;
	bool no_plots;
	bool reference;
	char *fio_clients;
	struct measure_opts m;
	struct nodes_opts n;
};

static const struct opt_def sweep_options[] = {
	OPT_STRING_("strategies", 's', struct sweep_opts, strategies, NULL, "LIST", 0,
		    "comma-separated strategies (default: shutil and uring, or shutil and rw "
		    "without io_uring)"),
	OPT_STRING_("threads", 'j', struct sweep_opts, threads, SWEEP_DEFAULT_THREADS, "LIST", 0,
		    "comma-separated thread counts (counts above the number of files are dropped)"),
	OPT_STRING_("repeats", 'r', struct sweep_opts, repeats, "auto", "R|auto", 0,
		    "cold runs per cell; auto: --repeats-min each, then more for the cells that "
		    "decide the answer (near the best, and the default's) until their median is "
		    "known to --target-spread"),
	OPT_LONG_("repeats-min", 0, struct sweep_opts, repeats_min, "5", "N", 1, 1000,
		  "with --repeats auto: runs of every cell (cells far below the best stop here)"),
	OPT_LONG_("repeats-max", 0, struct sweep_opts, repeats_max, "15", "N", 1, 1000,
		  "with --repeats auto: at most this many runs per cell"),
	OPT_DOUBLE_("target-spread", 0, struct sweep_opts, target_spread, NULL, "PCT", 0.1, 100,
		    "with --repeats auto: the confidence half-width of a deciding cell's median to "
		    "reach, % of it (default: half the --tolerance)"),
	OPT_LONG_("warmup", 0, struct sweep_opts, warmup, "1", "N", 0, 100,
		  "uncounted runs of the set before the grid (the first run after a start is "
		  "often slow); recorded with role \"warmup\""),
	OPT_STRING_("min-run", 0, struct sweep_opts, min_run, "3s", "TIME", 0,
		    "runs shorter than this are mostly noise: say so once, flag their cells "
		    "\"short\", keep --budget's sample above it (0: no check)"),
	OPT_LONG_("seed", 0, struct sweep_opts, seed, "0", "N", 0, 2147483647,
		  "seed of the run order and sample (0: from the clock; always recorded)"),
	OPT_BOOL_("resume", 0, struct sweep_opts, resume,
		  "continue the sweep whose results.json is in --out (its plan, seed, sample and "
		  "repeat rule, checked first; it warms up again)"),
	OPT_STRING_("budget", 0, struct sweep_opts, budget, NULL, "TIME", 0,
		    "fit the sweep in TIME (e.g. 10m, 1h) by copying a size-representative sample "
		    "(never one whose runs are under --min-run: fewer runs instead)"),
	OPT_LONG_("jobs", 0, struct sweep_opts, jobs, "1", "J", 1, 64,
		  "copiers at once, each with its N threads (several CryoSPARC jobs caching)"),
	OPT_LONG_("for-files", 0, struct sweep_opts, for_files, "0", "N", 0, 2147483647,
		  "estimate caching times for a dataset of N files (default: the measured set)"),
	OPT_SIZE_("for-bytes", 0, struct sweep_opts, for_bytes, NULL, "SIZE",
		  "... and of SIZE bytes, e.g. 1.6T (default: the measured set)"),
	OPT_DOUBLE_("tolerance", 0, struct sweep_opts, tolerance, "5", "PCT", 0, 100,
		    "thread counts whose median is within PCT % of the best are candidates; the default "
		    "stays when it is one, else the fewest threads win"),
	OPT_LONG_("confirm", 0, struct sweep_opts, confirm, "5", "N", 0, 1000,
		  "when the recommendation is not the default: N pairs of cold runs, default and "
		  "recommended in a random order, must reproduce the gain, or the default stays "
		  "(0: off; at least 2)"),
	OPT_BOOL_("no-report", 0, struct sweep_opts, no_report,
		  "do not write report.md, report.html and results.csv"),
	OPT_BOOL_("no-plots", 0, struct sweep_opts, no_plots, "do not run gnuplot for the report"),
	OPT_BOOL_("reference", 0, struct sweep_opts, reference,
		  "first measure fio's copy-shaped ceiling for SRC and DST ('" PROGRAM_NAME
		  " fio'); the tables then show every cell as a share of it"),
	OPT_STRING_("fio-clients", 0, struct sweep_opts, fio_clients, NULL, "HOSTFILE", 0,
		    "--reference across nodes: fio's ceiling with every 'fio --server' of HOSTFILE "
		    "reading at once ('" PROGRAM_NAME " fio --clients')"),
	MEASURE_OPTIONS(struct sweep_opts, m),
	NODES_COUNT_OPTION(struct sweep_opts, n),
	NODES_OPTIONS(struct sweep_opts, n),
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

/* "shutil,uring" -> strategies; prints the bad name. Returns the count, or -1. */
static int parse_strategies(const char *list, const struct copy_strategy **out)
{
	char *copy = xstrdup(list);
	char *save = NULL;
	int n = 0;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct copy_strategy *s = strategy_find(tok);

		if (!s && strategy_find_missing(tok)) {
			error("sweep: strategy '%s' is not in this build: %s", tok,
			      strategy_find_missing(tok)->missing);
			n = -1;
			break;
		}
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

	if (uring && (!uring->probe || uring->probe(NULL, NULL, NULL, why, sizeof(why)) == 0))
		return "shutil,uring";
	return "shutil,rw";
}

/*
 * --reference: `cryocache-bench fio SRC DST` as a child (the same binary), its results folder
 * inside the sweep's, and its "reference" copied into the sweep's results.json. fio missing or
 * failing is a warning: the sweep goes on without a ceiling.
 */
static void measure_reference(struct sweep *sw, const char *src, const char *dst,
			      const char *clients)
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
		/* --fio-clients: the all-clients ceiling of fio's client/server instead */
		char *const argv[] = { PROGRAM_NAME, "fio", "--out", out, "--drop-caches-path",
				       (char *)sw->b.cfg.drop_path, "--", (char *)src, (char *)dst,
				       NULL, NULL, NULL };
		char *const clients_argv[] = { PROGRAM_NAME, "fio", "--out", out,
					       "--drop-caches-path", (char *)sw->b.cfg.drop_path,
					       "--clients", (char *)clients, "--", (char *)src,
					       (char *)dst, NULL };

		execv("/proc/self/exe", clients ? clients_argv : argv);
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
		info("sweep: fio's ceiling (%s): %.0f MB/s",
		     json_string_value(json_object_get(r, "ceiling_kind")) ?: "copy-shaped",
		     json_number_value(json_object_get(r, "ceiling_mb_s")));
	}
	results_release(&ref);
	free(path);
	free(out);
}

/*
 * Across nodes: the recommendation at each node count and the scaling curves, stored in doc;
 * the one returned is at the most nodes (all the nodes caching at once).
 */
static void by_nodes(json_t *doc, json_t *cells, struct recommend_params *rp, bool store)
{
	json_t *cluster = json_object_get(doc, "cluster");

	if (!json_is_object(cluster))
		return;
	rp->nodes = (long)json_integer_value(json_object_get(cluster, "max_nodes"));
	rp->nodes_split = !strcmp(json_string_value(json_object_get(cluster, "node_files")) ?: "",
				  "split");
	if (!store)
		return;
	json_object_set_new(doc, "recommendations", scaling_recommendations(cells, rp));
	json_object_set_new(doc, "scaling", scaling_curves(cells));
}

/* The grid's cells (stored in doc when store) and the recommendation from them, a new object. */
static json_t *grid_recommendation(json_t *doc, const struct sweep_opts *o, bool store)
{
	struct cells_params cp;
	struct recommend_params rp;
	json_t *cells;
	json_t *rec;

	cells_params_init(&cp);
	cp.tolerance = o->tolerance / 100.0;
	cells = cells_compute(doc, &cp);
	if (store)
		json_object_set(doc, "cells", cells);
	recommend_params_init(&rp);
	recommend_params_from_doc(&rp, doc);
	rp.tolerance = o->tolerance / 100.0;
	rp.jobs = o->jobs;
	if (o->for_files)
		rp.for_files = (uint64_t)o->for_files;
	if (o->for_bytes)
		rp.for_bytes = o->for_bytes;
	by_nodes(doc, cells, &rp, store);
	rec = recommend_compute(cells, &rp);
	json_decref(cells);
	return rec;
}

/*
 * The confirmation's parameters: --confirm, or a resumed sweep's own (results.json's
 * sweep.confirm_pairs, recorded when it was planned), and the sweep's seed.
 */
static void confirm_params_of(struct sweep *sw, const struct sweep_opts *o,
			      struct confirm_params *p)
{
	json_t *pairs = json_object_get(sw->doc, "confirm_pairs");

	confirm_params_init(p);
	p->pairs = json_is_integer(pairs) ? (long)json_integer_value(pairs) : o->confirm;
	p->seed = (uint64_t)json_integer_value(json_object_get(sw->doc, "seed"));
}

/* After the grid, before the session ends: the pairs that confirm a recommendation, if any. */
static int confirm_recommendation(struct sweep *sw, const struct sweep_opts *o)
{
	json_t *rec = grid_recommendation(sw->b.res.root, o, false);
	struct confirm_params p;
	const char *why;
	int status = 0;

	confirm_params_of(sw, o, &p);
	why = confirm_skip_reason(rec, &p);
	if (why)
		info("sweep: no paired confirmation: %s", why);
	else
		status = sweep_confirm(sw, rec, &p);
	json_decref(rec);
	return status;
}

/* cells, recommendation, reports, and the lines a person reads last. */
static int conclude(struct sweep *sw, const struct sweep_opts *o)
{
	const double wall = sw->wall;
	struct report_written w = { 0 };
	struct confirm_params p;
	json_t *doc = sw->b.res.root;
	json_t *rec;
	json_t *conf;
	const char *why;
	char *line = NULL;
	double t0 = now_mono();
	int ret;

	rec = grid_recommendation(doc, o, true);
	confirm_params_of(sw, o, &p);
	why = confirm_skip_reason(rec, &p);
	conf = why ? confirm_skipped(why, &p) : confirm_compute(doc, rec, &p);
	confirm_apply(rec, conf);
	json_decref(conf);
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
	if (!o->no_report) {
		ret = report_write_all(doc, sw->b.res.dir, NULL,
				       o->no_plots ? REPORT_NO_PLOTS : 0, &w);
		if (ret)
			error("cannot write the reports in '%s': %s", sw->b.res.dir, strerror(-ret));
	}
	report_text(doc, stdout);
	printf("\nresults: %s\n", sw->b.res.path);
	if (w.html)
		printf("report:  %s\n", w.html);
	info("sweep: statistics and reports took %.2f s", now_mono() - t0);
	line = recommend_line(rec);
	printf("\n%s", line);
	free(line);
	line = confirm_line(rec);
	printf("%s", line);
	free(line);
	line = scaling_lines(json_object_get(doc, "recommendations"));
	printf("%s\n", line);
	free(line);
	report_written_release(&w);
	return ret ? 1 : 0;
}

/* The strategies' own checks against this set and DST: one that cannot run here ends the sweep. */
static int probe_strategies(struct bench *b, const struct copy_strategy *const *strats, int n)
{
	for (int i = 0; i < n; i++) {
		char why[256];

		const void *eo = b->cfg.eo ? b->cfg.eo[strategy_index(strats[i])] : NULL;

		if (strats[i]->probe && strats[i]->probe(&b->ds, b->dst, eo, why, sizeof(why))) {
			error("strategy '%s' cannot run here: %s", strats[i]->name, why);
			return 1;
		}
	}
	return 0;
}

/*
 * Across nodes (started by mpirun or srun): --nodes, --node-files and --allow-shared-host into
 * s and cfg->nodes. Returns 0 or 2 (said).
 */
static int sweep_nodes_opts(const struct sweep_opts *o, struct nodes_setup *s,
			    const struct copy_strategy **strats, int nstrat,
			    struct bench_config *cfg)
{
	int ret = nodes_opts_apply(&o->n, "sweep", s);

	if (ret == 1)
		return 0;	/* this node alone */
	if (ret)
		return ret;
	if (o->resume) {
		error("sweep: --resume does not continue a sweep across nodes; start a new one");
		return 2;
	}
	s->cfg.strategies = strats;
	s->cfg.nr_strategies = (size_t)nstrat;
	cfg->nodes = &s->cfg;
	return 0;
}

/* A new sweep's results.json before its first run, with fio's ceiling first when asked. */
static int write_plan(struct sweep *sw, const struct sweep_opts *o, char **args)
{
	int ret;

	if (o->reference || o->fio_clients)
		measure_reference(sw, args[0], args[1], o->fio_clients);
	/* A resumed sweep confirms with the number of pairs it was planned with. */
	json_object_set_new(sw->doc, "confirm_pairs", json_integer(o->confirm));
	ret = results_write(&sw->b.res);
	if (ret) {
		error("cannot write '%s': %s", sw->b.res.path, strerror(-ret));
		return 1;
	}
	return 0;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_opts o = { 0 };
	struct sweep sw;
	struct bench_config cfg = { 0 };
	const struct copy_strategy *strats[MAX_LIST];
	unsigned threads[MAX_LIST];
	struct nodes_setup nodes = { 0 };
	char **args;
	char *label = NULL;
	double budget_s = 0;
	double min_run_s = 0;
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
	if (auto_repeats && o.repeats_min > o.repeats_max) {
		error("sweep: --repeats-min %ld is above --repeats-max %ld", o.repeats_min,
		      o.repeats_max);
		status = 2;
	}
	if (parse_duration(o.min_run, &min_run_s)) {
		error("sweep: invalid duration '%s' for --min-run: expected e.g. 3s, 0.5s, 0",
		      o.min_run);
		status = 2;
	}
	if (o.budget && parse_duration(o.budget, &budget_s)) {
		error("sweep: invalid duration '%s' for --budget: expected e.g. 90s, 10m, 1h30m",
		      o.budget);
		status = 2;
	}
	if (post_check(&o.m.post))
		status = 2;
	if (o.confirm == 1) {
		error("sweep: invalid value '1' for --confirm: one pair cannot tell a gain from "
		      "noise; give 0 (off) or at least %d", CONFIRM_MIN_PAIRS);
		status = 2;
	}
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
	if (!status)
		status = sweep_nodes_opts(&o, &nodes, strats, nstrat, &cfg);
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
	cfg.min_run_s = min_run_s;
	cfg.params = measure_params(&sweep_command, &o, &o.m);
	sweep_init(&sw, &(struct sweep_params){
		.strategies = strats, .nr_strategies = (size_t)nstrat,
		.threads = threads, .nr_threads = (size_t)nthr,
		.repeats = repeats, .auto_repeats = auto_repeats,
		.repeats_min = o.repeats_min, .repeats_max = o.repeats_max,
		.target_spread = o.target_spread, .tolerance = o.tolerance,
		.warmup = o.warmup, .min_run_s = min_run_s,
		.seed = o.seed, .budget_s = budget_s, .budget = o.budget, .quiet = o.m.quiet,
		.nodes = nodes.nr ? nodes.counts : NULL, .nr_nodes = nodes.nr,
	});

	bench_install_signal_handlers();
	if (bench_begin(&sw.b, &cfg)) {
		status = 1;
		goto out;
	}
	status = probe_strategies(&sw.b, strats, nstrat);
	if (!status)
		status = o.resume ? sweep_resume(&sw) : sweep_plan(&sw);
	if (!status && !o.resume)
		status = write_plan(&sw, &o, args);
	if (status)
		goto end;
	sweep_announce(&sw);
	status = sweep_run(&sw);
	if (!status)
		status = confirm_recommendation(&sw, &o);
end:
	/* bench_end first: its whole-session warnings belong in the reports. */
	if (bench_end(&sw.b) && !status)
		status = 1;
	if (!status)
		status = conclude(&sw, &o);
	else
		measure_report(&sw.b, status);
	status = measure_post(&sw.b, &o.m, status);
out:
	sweep_release(&sw);
	json_decref(cfg.params);
	free(label);
	measure_release(&sweep_command, &o, &o.m);
	return status;
}
