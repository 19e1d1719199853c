/* SPDX-License-Identifier: MIT */
/* cmd_sweep.c - `sweep SRC DST`: strategies x threads x repeats, shuffled, and the recommendation. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
#include "cli/profile.h"
#include "cli/sweep_dry.h"
#include "copy/strategy.h"
#include "lib/safeopen.h"
#include "lib/text.h"
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
	long confirm_max;
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
	OPT_STRING_("threads", 't', struct sweep_opts, threads, SWEEP_DEFAULT_THREADS, "LIST", 0,
		    "comma-separated thread counts (counts above the number of files are dropped)"),
	OPT_LONG_("jobs", 0, struct sweep_opts, jobs, "1", "J", 1, 64,
		  "copiers at once, each with its N threads (several CryoSPARC jobs caching)"),
	OPT_BOOL_("resume", 0, struct sweep_opts, resume,
		  "continue the sweep whose results.json is in --out, with the options, SRC and DST "
		  "it recorded (its plan, seed, sample and repeat rule, checked first; it warms up "
		  "again)"),
	MEASURE_GENERAL_OPTIONS(struct sweep_opts, m),
	OPT_GROUP_("Repeats and run length"),
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
	OPT_STRING_("budget", 0, struct sweep_opts, budget, NULL, "TIME", 0,
		    "fit the sweep in TIME (e.g. 10m, 1h) by copying a size-representative sample "
		    "(never one whose runs are under --min-run: fewer runs instead)"),
	OPT_LONG_("seed", 0, struct sweep_opts, seed, "0", "N", 0, 2147483647,
		  "seed of the run order and sample (0: from the clock; always recorded)"),
	OPT_GROUP_("The recommendation"),
	OPT_DOUBLE_("tolerance", 0, struct sweep_opts, tolerance, "3", "PCT", 0, 100,
		    "thread counts whose median is within PCT % of the best are candidates; the default "
		    "stays when it is one, else the fewest threads win"),
	OPT_LONG_("confirm", 0, struct sweep_opts, confirm, "5", "N", 0, 1000,
		  "when the recommendation is not the default: N pairs of cold runs, default and "
		  "recommended in a random order, must reproduce the gain, or the default stays "
		  "(0: off; at least 2)"),
	OPT_LONG_("confirm-max", 0, struct sweep_opts, confirm_max, NULL, "M", 0, 1000,
		  "when the N pairs are promising but not proven (median gain above the tolerance, "
		  "interval not above 1): one more pair at a time, up to M (default 15, or N when "
		  "more; M = N: off)"),
	OPT_LONG_("for-files", 0, struct sweep_opts, for_files, "0", "N", 0, 2147483647,
		  "estimate caching times for a dataset of N files (default: the measured set)"),
	OPT_SIZE_("for-bytes", 0, struct sweep_opts, for_bytes, NULL, "SIZE",
		  "... and of SIZE bytes, e.g. 1.6T (default: the measured set)"),
	OPT_BOOL_("reference", 0, struct sweep_opts, reference,
		  "first measure fio's copy-shaped ceiling for SRC and DST ('" PROGRAM_NAME
		  " fio'); the tables then show every cell as a share of it"),
	OPT_STRING_("fio-clients", 0, struct sweep_opts, fio_clients, NULL, "HOSTFILE", 0,
		    "--reference across nodes: fio's ceiling with every 'fio --server' of HOSTFILE "
		    "reading at once ('" PROGRAM_NAME " fio --clients')"),
	OPT_GROUP_(MEASURE_GROUP_COPY),
	MEASURE_COPY_OPTIONS(struct sweep_opts, m),
	OPT_GROUP_(MEASURE_GROUP_HOW),
	MEASURE_HOW_OPTIONS(struct sweep_opts, m),
	OPT_GROUP_(MEASURE_GROUP_OUTPUT),
	MEASURE_OUTPUT_OPTIONS(struct sweep_opts, m),
	OPT_BOOL_F_("no-report", 0, struct sweep_opts, no_report, OPT_NO_ECHO,
		    "do not write report.md, report.html and results.csv"),
	OPT_BOOL_F_("no-plots", 0, struct sweep_opts, no_plots, OPT_NO_ECHO,
		    "do not run gnuplot for the report"),
	OPT_GROUP_(NODES_GROUP),
	NODES_COUNT_OPTION(struct sweep_opts, n),
	NODES_OPTIONS(struct sweep_opts, n),
	OPT_GROUP_(MEASURE_GROUP_POST),
	POST_OPTIONS(struct sweep_opts, m.post),
	OPT_END
};

const struct opt_command sweep_command = {
	.name = "sweep",
	.synopsis = "SRC DST",
	.brief = "the grid of strategies x threads, and the thread count to set",
	.summary = "Measure every strategy at every thread count, cold and repeated, in a shuffled\n"
		   "order; write results.json and the reports, and end with the thread count to\n"
		   "set for CryoSPARC. 'sweep --resume --out DIR' continues an interrupted sweep\n"
		   "with the SRC, DST and options DIR's results.json recorded.",
	.options = sweep_options,
	.min_args = 0,	/* with --resume, SRC and DST may come from results.json */
	.max_args = 2,
};

/*
 * The next item of a comma-separated --OPT list, cut from *rest (strsep); NULL at the end. An
 * empty item ("1,,2", "rw,") is an error, printed: *bad is set.
 */
static char *list_item(char **rest, const char *opt, const char *list, bool *bad)
{
	char *tok;

	if (!*rest)
		return NULL;
	tok = strsep(rest, ",");
	if (!*tok) {
		error("sweep: empty item in --%s '%s'", opt, list);
		*bad = true;
		return NULL;
	}
	return tok;
}

/* "shutil,uring" -> strategies; prints the bad name. Returns the count, or -1. */
static int parse_strategies(const char *list, const struct copy_strategy **out)
{
	char *copy = xstrdup(list);
	char *rest = *copy ? copy : NULL;
	bool bad = false;
	const char *tok;
	int n = 0;

	while ((tok = list_item(&rest, "strategies", list, &bad))) {
		const struct copy_strategy *s = strategy_find(tok);

		if (!s && strategy_find_missing(tok)) {
			error("sweep: strategy '%s' is not in this build: %s", tok,
			      strategy_find_missing(tok)->missing);
			bad = true;
			break;
		}
		if (!s) {
			error("sweep: unknown strategy '%s' ('" PROGRAM_NAME " strategies' lists them)",
			      tok);
			bad = true;
			break;
		}
		for (int i = 0; i < n && !bad; i++)
			if (out[i] == s) {
				error("sweep: strategy '%s' is named twice in --strategies '%s'", tok,
				      list);
				bad = true;
			}
		if (!bad && n == MAX_LIST) {
			error("sweep: more than %d strategies", MAX_LIST);
			bad = true;
		}
		if (bad)
			break;
		out[n++] = s;
	}
	free(copy);
	if (!bad && n == 0)
		error("sweep: --strategies names no strategy");
	return n > 0 && !bad ? n : -1;
}

/* "1,2,4" -> thread counts; prints what is wrong. Returns the count, or -1. */
static int parse_threads(const char *list, unsigned *out)
{
	char *copy = xstrdup(list);
	char *rest = *copy ? copy : NULL;
	bool bad = false;
	const char *tok;
	int n = 0;

	while ((tok = list_item(&rest, "threads", list, &bad))) {
		long v;

		if (parse_long(tok, 1, 4096, &v)) {
			error("sweep: invalid thread count '%s' in --threads: expected whole numbers "
			      "from 1 to 4096", tok);
			bad = true;
			break;
		}
		for (int i = 0; i < n && !bad; i++)
			if (out[i] == (unsigned)v) {
				error("sweep: thread count %ld is named twice in --threads '%s'", v,
				      list);
				bad = true;
			}
		if (!bad && n == MAX_LIST) {
			error("sweep: more than %d thread counts", MAX_LIST);
			bad = true;
		}
		if (bad)
			break;
		out[n++] = (unsigned)v;
	}
	free(copy);
	if (!bad && n == 0)
		error("sweep: --threads names no thread count");
	return n > 0 && !bad ? n : -1;
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
 * inside the sweep's, and its "reference" copied into the sweep's results.json; the sweep's
 * --profile goes to it when the profile has a [fio] section. fio missing or failing is a
 * warning: the sweep goes on without a ceiling.
 */
static void measure_reference(struct sweep *sw, const char *src, const char *dst,
			      const char *profile, const char *clients)
{
	char *out = path_join(sw->b.res.dir, "reference");
	char *path = path_join(out, RESULTS_FILE);
	char *prof = profile ? profile_locate(profile) : NULL;
	struct results ref = { 0 };
	char why[256] = "";
	int status = 0;
	pid_t pid;

	/* fio's results folder inside ours: a real folder, not a symlink planted out of it. */
	const int dfd = open(sw->b.res.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	const int rfd = dfd < 0 ? -1 : safe_open_dir_at(dfd, "reference", SAFE_MKDIR, why,
							sizeof(why));
	if (dfd >= 0)
		close(dfd);
	if (rfd < 0) {
		warning("no fio reference: cannot make '%s': %s", out,
			dfd < 0 ? strerror(errno) : why);
		results_warn(&sw->b.res, "no fio reference: its results folder could not be made");
		free(path);
		free(out);
		return;
	}
	close(rfd);
	info("sweep: measuring fio's ceiling for the same files first (--reference)");
	if (prof && !profile_has_section(prof, "fio")) {
		free(prof);
		prof = NULL;
	}
	/* The same files: the sweep's --all-files, --follow-links and --check-all go along, and its profile
	 * when that has a [fio] section. */
	const unsigned flags = sw->b.cfg.dataset_flags;
	char *argv[20] = { PROGRAM_NAME, "fio", "--out", out, "--drop-caches-path",
			   (char *)sw->b.cfg.drop_path };
	size_t n = 6;

	if (flags & DATASET_ALL_FILES)
		argv[n++] = "--all-files";
	if (flags & DATASET_FOLLOW_LINKS)
		argv[n++] = "--follow-links";
	if (flags & DATASET_CHECK_ALL)
		argv[n++] = "--check-all";
	if (prof) {
		argv[n++] = "--profile";
		argv[n++] = prof;
	}
	/* --fio-clients: the all-clients ceiling of fio's client/server instead */
	if (clients) {
		argv[n++] = "--clients";
		argv[n++] = (char *)clients;
	}
	argv[n++] = "--";
	argv[n++] = (char *)src;
	argv[n++] = (char *)dst;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		results_warn_said(&sw->b.res, "no fio reference: 'cryocache-bench fio' failed (its "
				  "message is above); the tables show no share of the ceiling",
				  "no fio reference: 'cryocache-bench fio' failed; the sweep goes on "
				  "without it");
	} else if (results_load(&ref, out, why, sizeof(why)) ||
		   !json_is_number(json_object_get(json_object_get(ref.root, "reference"),
						   "ceiling_mb_s"))) {
		results_warn(&sw->b.res, "no fio reference: its results.json has no ceiling");
	} else {
		json_t *r = json_object_get(ref.root, "reference");

		json_object_set_new(r, "results", text_json(path));
		json_object_set(sw->b.res.root, "reference", r);
		info("sweep: fio's ceiling (%s): %.0f MB/s",
		     json_string_value(json_object_get(r, "ceiling_kind")) ?: "copy-shaped",
		     json_number_value(json_object_get(r, "ceiling_mb_s")));
	}
	results_release(&ref);
	free(prof);
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

/* --confirm-max, or when not given CONFIRM_PAIRS_MAX, never below --confirm. */
static long confirm_max_of(const struct sweep_opts *o)
{
	if (o->confirm_max)
		return o->confirm_max;
	return o->confirm > CONFIRM_PAIRS_MAX ? o->confirm : CONFIRM_PAIRS_MAX;
}

/*
 * The confirmation's parameters: --confirm and --confirm-max, or a resumed sweep's own
 * (results.json's sweep.confirm_pairs and confirm_pairs_max, recorded when it was planned; a
 * sweep from before pairs were added has no confirm_pairs_max: none are), and the sweep's seed.
 */
static void confirm_params_of(struct sweep *sw, const struct sweep_opts *o,
			      struct confirm_params *p)
{
	json_t *pairs = json_object_get(sw->doc, "confirm_pairs");
	json_t *most = json_object_get(sw->doc, "confirm_pairs_max");

	confirm_params_init(p);
	p->pairs = json_is_integer(pairs) ? (long)json_integer_value(pairs) : o->confirm;
	if (json_is_integer(most))
		p->pairs_max = (long)json_integer_value(most);
	else
		p->pairs_max = json_is_integer(pairs) ? p->pairs : confirm_max_of(o);
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

/*
 * Once, after the lines a sweep ends with: a thread count measured with the shutil emulation,
 * where the real copier could have been (a python3 is here), says how to measure that instead.
 */
static void hint_interpreter(json_t *rec)
{
	const struct copy_strategy *s = strategy_find(RECOMMEND_INTERPRETER);
	char why[256];

	if (!json_is_integer(json_object_get(rec, "threads")) ||
	    strcmp(recommend_strategy(rec), RECOMMEND_STRATEGY) || !s ||
	    (s->probe && s->probe(NULL, NULL, NULL, why, sizeof(why))))
		return;
	printf("note: measured with %s; '--strategies %s,%s' measures CryoSPARC's real copier "
	       "(CPython's own shutil.copyfile, with the python3 found here) and recommends from "
	       "it\n\n", recommend_copier_words(RECOMMEND_STRATEGY), RECOMMEND_INTERPRETER,
	       RECOMMEND_STRATEGY);
}

/* cells, recommendation, reports, and the lines a person reads last. */
static int conclude(struct sweep *sw, const struct sweep_opts *o)
{
	/* The session's wall time so far, the confirmation's pairs included: their clocks count. */
	const double wall = sw->started ? now_mono() - sw->started : sw->wall;
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
	if (measure_json_output(&o->m)) {
		/* As fio's: the document replaces the text; the recommendation is in it. */
		info("sweep: statistics and reports took %.2f s", now_mono() - t0);
		report_written_release(&w);
		return measure_print_results(&sw->b) || ret ? 1 : 0;
	}
	report_text_said(doc, measure_tty_said(&sw->b), stdout);
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
	hint_interpreter(rec);
	report_written_release(&w);
	return ret ? 1 : 0;
}

/* The strategies' own checks against this set and DST: one that cannot run here ends the sweep. */
static int probe_strategies(struct bench *b, const struct copy_strategy *const *strats, int n)
{
	for (int i = 0; i < n; i++) {
		char why[1024];

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
static int write_plan(struct sweep *sw, const struct sweep_opts *o, const char *src,
		      const char *dst)
{
	int ret;

	if (o->reference || o->fio_clients)
		measure_reference(sw, src, dst, o->m.profile, o->fio_clients);
	/* A resumed sweep confirms with the number of pairs it was planned with. */
	json_object_set_new(sw->doc, "confirm_pairs", json_integer(o->confirm));
	json_object_set_new(sw->doc, "confirm_pairs_max",
			    json_integer(o->confirm ? confirm_max_of(o) : 0));
	ret = results_write(&sw->b.res);
	if (ret) {
		error("cannot write '%s': %s", sw->b.res.path, strerror(-ret));
		return 1;
	}
	return 0;
}

/* A word safe in a shell as it is; anything else is single-quoted. */
static void shell_word(const char *s, FILE *f)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			   "_@%+=:,./-") == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/*
 * After an interrupted or failed sweep that recorded runs: the command that continues it, shell-
 * quoted. results.json holds SRC, DST and every option that is a parameter of the measurement;
 * the others given (--quiet, --no-report, --output-format, --post, ...) are repeated, and the
 * secret headers, which are recorded nowhere, named.
 */
static void say_resume(const struct sweep *sw, const struct sweep_opts *o)
{
	char *dir = realpath(sw->b.res.dir, NULL);
	char *cmd = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&cmd, &len);

	if (!f) {
		free(dir);
		return;
	}
	shell_word(program_invocation_name, f);
	fputs(" sweep --resume --out ", f);
	shell_word(dir ? dir : sw->b.res.dir, f);
	for (const struct opt_def *def = sweep_options; def->name; def++) {
		const void *field = (const char *)o + def->offset;
		const char *v;

		if (opt_is_group(def) || !(def->flags & OPT_NO_ECHO) || !strcmp(def->name, "out"))
			continue;
		if (def->type == OPT_BOOL) {
			if (*(const bool *)field)
				fprintf(f, " --%s", def->name);
			continue;
		}
		v = *(char *const *)field;
		if ((def->type != OPT_STRING && def->type != OPT_CHOICE) || !v ||
		    (def->def && !strcmp(v, def->def)))
			continue;
		fprintf(f, " --%s ", def->name);
		shell_word(v, f);
	}
	fclose(f);
	error("to continue the sweep: %s%s%s", cmd,
	      measure_url_has_secret(&o->m) ? " --source-url URL (its credentials are never recorded)"
					    : "",
	      o->m.post.headers.n ? " (and your --header options: they are never recorded)" : "");
	free(cmd);
	free(dir);
}

/* What the command line says beyond the option table: parsed, checked, and SRC and DST. */
struct sweep_args {
	const struct copy_strategy *strats[MAX_LIST];
	unsigned threads[MAX_LIST];
	int nstrat, nthr;
	double budget_s;
	double min_run_s;
	long repeats;
	struct nodes_setup nodes;	/* across nodes: --nodes, --node-files */
	bool auto_repeats;
	const char *src;
	const char *dst;
	json_t *recorded;		/* --resume: the results.json continued (src, dst in it) */
};

/* The checks the option table cannot make. Returns 0, or 2 after the messages. */
static int check_options(struct sweep_opts *o, struct sweep_args *a)
{
	int status = 0;

	if (!o->strategies)
		o->strategies = xstrdup(default_strategies());
	a->auto_repeats = !strcmp(o->repeats, "auto");
	if (!a->auto_repeats && parse_long(o->repeats, 1, 10000, &a->repeats)) {
		error("sweep: invalid value '%s' for --repeats: expected a whole number or auto",
		      o->repeats);
		status = 2;
	}
	if (a->auto_repeats && o->repeats_min > o->repeats_max) {
		error("sweep: --repeats-min %ld is above --repeats-max %ld", o->repeats_min,
		      o->repeats_max);
		status = 2;
	}
	if (parse_duration(o->min_run, &a->min_run_s)) {
		error("sweep: invalid duration '%s' for --min-run: expected e.g. 3s, 0.5s, 0",
		      o->min_run);
		status = 2;
	}
	/* A budget of 0 fits nothing; taken as no budget, it ran the whole set. */
	if (o->budget && (parse_duration(o->budget, &a->budget_s) || !(a->budget_s > 0))) {
		error("sweep: invalid duration '%s' for --budget: expected more than 0, e.g. 90s, "
		      "10m, 1h30m", o->budget);
		status = 2;
	}
	if (post_check(&o->m.post))
		status = 2;
	if (o->confirm == 1) {
		error("sweep: invalid value '1' for --confirm: one pair cannot tell a gain from "
		      "noise; give 0 (off) or at least %d", CONFIRM_MIN_PAIRS);
		status = 2;
	}
	if (o->confirm && o->confirm_max && o->confirm_max < o->confirm) {
		error("sweep: --confirm-max %ld is below --confirm %ld: it is the most pairs there "
		      "may be (give %ld to add none)", o->confirm_max, o->confirm, o->confirm);
		status = 2;
	}
	if (o->resume && !o->m.out) {
		error("sweep: --resume needs --out, the results folder of the sweep to continue");
		status = 2;
	}
	if (!status) {
		a->nstrat = parse_strategies(o->strategies, a->strats);
		a->nthr = parse_threads(o->threads, a->threads);
		if (a->nstrat < 0 || a->nthr < 0)
			status = 2;
	}
	return status;
}

/*
 * --resume with --out: the results.json to continue, whose params become the options (the command
 * line still overrides them). Returns 0 (a->recorded NULL when there is none: bench_begin() says
 * why, unless SRC and DST were to come from it: then 1, said here).
 */
static int load_recorded(const struct sweep_opts *o, struct sweep_args *a, int nargs)
{
	struct results prev;
	char why[256] = "";
	int ret = results_load(&prev, o->m.out, why, sizeof(why));

	if (!ret && !json_is_object(json_object_get(prev.root, "sweep"))) {
		/* A run's results.json: said as such, before its params are taken for a sweep's. */
		error("cannot resume from '%s': it holds no sweep", prev.path);
		results_release(&prev);
		return 1;
	}
	if (!ret)
		a->recorded = json_incref(prev.root);
	else if (nargs == 0)
		error("cannot resume from '%s': %s", prev.path,
		      ret == -EINVAL ? why : strerror(-ret));
	results_release(&prev);
	return !ret || nargs ? 0 : 1;
}

/*
 * SRC and DST: the operands, or with --resume and none, what results.json recorded (the .star,
 * .cs or list a set was named by, else the folder). Returns 0, or 2 after a message.
 */
static int operands(const struct sweep_opts *o, struct sweep_args *a, char **args, int nargs)
{
	json_t *src = json_object_get(a->recorded, "source");
	const char *meta = json_string_value(json_object_get(src, "metadata"));
	const bool listed = json_is_string(json_object_get(json_object_get(a->recorded, "params"),
							   "files"));

	if (nargs == 2) {
		a->src = args[0];
		a->dst = args[1];
		return 0;
	}
	if (nargs != 0 || !o->resume) {
		error("sweep: missing arguments: expected SRC DST (or neither, with --resume --out "
		      "DIR)");
		return 2;
	}
	if (!a->recorded)
		return 0;	/* --resume without --out: check_options() says so */
	a->src = meta && !listed ? meta : json_string_value(json_object_get(src, "path"));
	a->dst = json_string_value(json_object_get(json_object_get(a->recorded, "destination"),
						   "path"));
	if (!a->src || !a->dst) {
		error("sweep: '%s/" RESULTS_FILE "' records no source or destination: give SRC and "
		      "DST", o->m.out);
		return 2;
	}
	info("sweep: resuming with SRC '%s' and DST '%s', as '%s/" RESULTS_FILE "' recorded",
	     a->src, a->dst, o->m.out);
	return 0;
}

/* The command line, and with --resume the results.json's params. 0, -1 (help said), or 1, 2. */
static int parse_sweep(struct sweep_opts *o, int argc, char **argv, struct sweep_args *a)
{
	char **args;
	int nargs;
	int ret = measure_parse(&sweep_command, o, &o->m, NULL, argc, argv, &args, &nargs);

	if (ret)
		return ret > 0 ? -1 : 2;
	if (o->resume && o->m.out) {
		if (load_recorded(o, a, nargs))
			return 1;
		if (a->recorded) {
			measure_release(&sweep_command, o, &o->m);
			memset(o, 0, sizeof(*o));
			ret = measure_parse(&sweep_command, o, &o->m,
					    json_object_get(a->recorded, "params"), argc, argv,
					    &args, &nargs);
			if (ret)
				return ret > 0 ? -1 : 2;
		}
	}
	ret = operands(o, a, args, nargs);
	return ret ? ret : check_options(o, a);
}

/* The sweep of a (its plan or its resumption, then the grid and the confirmation). */
static int sweep_session(struct sweep *sw, const struct sweep_opts *o, const struct sweep_args *a)
{
	int status = probe_strategies(&sw->b, a->strats, a->nstrat);

	if (!status)
		status = o->resume ? sweep_resume(sw) : sweep_plan(sw);
	if (!status && o->m.dry_run) {
		struct confirm_params p;

		confirm_params_of(sw, o, &p);
		return sweep_dry_run(sw, &o->m, o->reference, &p);
	}
	if (!status && !o->resume)
		status = write_plan(sw, o, a->src, a->dst);
	if (status)
		return status;
	sweep_announce(sw);
	status = sweep_run(sw);
	if (!status)
		status = confirm_recommendation(sw, o);
	return status;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_opts o = { 0 };
	struct sweep_args a = { 0 };
	struct sweep sw;
	struct bench_config cfg = { 0 };
	int status = parse_sweep(&o, argc, argv, &a);

	if (!status)
		status = sweep_nodes_opts(&o, &a.nodes, a.strats, a.nstrat, &cfg);
	if (status) {
		json_decref(a.recorded);
		measure_release(&sweep_command, &o, &o.m);
		return status < 0 ? 0 : status;
	}
	cfg.src = a.src;
	cfg.dst = a.dst;
	cfg.label = "sweep";
	cfg.resume = o.resume;
	cfg.jobs = (unsigned)o.jobs;
	measure_opts_apply(&o.m, &cfg);
	cfg.dry_run = o.m.dry_run;
	cfg.min_run_s = a.min_run_s;
	cfg.params = measure_params(&sweep_command, &o, &o.m);
	sweep_init(&sw, &(struct sweep_params){
		.strategies = a.strats, .nr_strategies = (size_t)a.nstrat,
		.threads = a.threads, .nr_threads = (size_t)a.nthr,
		.repeats = a.repeats, .auto_repeats = a.auto_repeats,
		.repeats_min = o.repeats_min, .repeats_max = o.repeats_max,
		.target_spread = o.target_spread, .tolerance = o.tolerance,
		.warmup = o.warmup, .min_run_s = a.min_run_s,
		.seed = o.seed, .budget_s = a.budget_s, .budget = o.budget, .quiet = o.m.quiet,
		.nodes = a.nodes.nr ? a.nodes.counts : NULL, .nr_nodes = a.nodes.nr,
	});

	bench_install_signal_handlers();
	if (bench_begin(&sw.b, &cfg)) {
		status = 1;
		goto out;
	}
	status = sweep_session(&sw, &o, &a);
	/* bench_end first: its whole-session warnings belong in the reports. */
	if (bench_end(&sw.b) && !status)
		status = 1;
	if (o.m.dry_run)
		goto out;
	if (!status) {
		status = conclude(&sw, &o);
	} else {
		measure_report(&sw.b, &o.m, status);
		if (status > 128 || sw.b.recorded)
			say_resume(&sw, &o);
	}
	status = measure_post(&sw.b, &o.m, status);
out:
	sweep_release(&sw);
	json_decref(cfg.params);
	json_decref(a.recorded);
	measure_release(&sweep_command, &o, &o.m);
	return status;
}
