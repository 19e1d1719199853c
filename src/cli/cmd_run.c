/* SPDX-License-Identifier: MIT */
/* cmd_run.c - `run SRC DST`: one strategy at one thread count, R cold repeats. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/run_live.h"
#include "cli/cmdline.h"
#include "cli/cmds.h"
#include "cli/measure_opts.h"
#include "cli/nodes_opts.h"
#include "copy/strategy.h"
#include "lib/util.h"

struct run_opts {
	char *strategy;
	long threads;
	long repeats;
	struct measure_opts m;
	struct nodes_opts n;
};

static const struct opt_def run_options[] = {
	OPT_STRING_("strategy", 's', struct run_opts, strategy, "shutil", "NAME", 0,
		    "copy strategy ('" PROGRAM_NAME " strategies' lists them)"),
	OPT_LONG_("threads", 't', struct run_opts, threads, NULL, "N", 1, 4096,
		  "worker threads copying at once (default 2, CRYOSPARC_CACHE_NUM_THREADS's "
		  "default; relion: 1, as relion_refine copies)"),
	OPT_LONG_("repeats", 'r', struct run_opts, repeats, "3", "R", 1, 10000,
		  "cold runs to measure"),
	MEASURE_GENERAL_OPTIONS(struct run_opts, m),
	OPT_GROUP_(MEASURE_GROUP_COPY),
	MEASURE_COPY_OPTIONS(struct run_opts, m),
	OPT_GROUP_(MEASURE_GROUP_HOW),
	MEASURE_HOW_OPTIONS(struct run_opts, m),
	OPT_GROUP_(MEASURE_GROUP_OUTPUT),
	MEASURE_OUTPUT_OPTIONS(struct run_opts, m),
	OPT_GROUP_(NODES_GROUP),
	NODES_OPTIONS(struct run_opts, n),
	OPT_GROUP_(MEASURE_GROUP_POST),
	POST_OPTIONS(struct run_opts, m.post),
	OPT_END
};

const struct opt_command run_command = {
	.name = "run",
	.synopsis = "SRC DST",
	.brief = "measure one strategy at one thread count, cold, R times",
	.summary = "Copy the particle stacks below SRC into a scratch directory inside DST with one\n"
		   "strategy at one thread count, cold, R times, and write results.json.",
	.options = run_options,
	.min_args = 2,
	.max_args = 2,
};

/* --dry-run: one unrecorded probe of the cell, and what the runs would take. */
static int dry_run(struct bench *b, const struct copy_strategy *strategy, const struct run_opts *o)
{
	const struct bench_spec spec = { .strategy = strategy, .threads = (unsigned)o->threads,
					 .plan_index = -1 };
	struct bench_rate r;
	double per_run;
	char *text;
	json_t *doc;
	int status;

	char size[32];

	info("run: --dry-run: one probe run of %s at %ld thread%s on about %s of the set",
	     strategy->name, o->threads, o->threads == 1 ? "" : "s",
	     human_size(BENCH_PROBE_BYTES, size, sizeof(size)));
	status = bench_probe(b, &spec, BENCH_PROBE_BYTES, 1, &r);
	if (status)
		return status;
	per_run = r.overhead + (double)b->ds.bytes / r.bytes_s;
	text = xasprintf("%s at %ld thread%s, %ld cold run%s", strategy->name, o->threads,
			 o->threads == 1 ? "" : "s", o->repeats, o->repeats == 1 ? "" : "s");
	doc = measure_dry_run_new(b, "run");
	json_object_set_new(doc, "plan", json_pack("{s:s, s:i, s:i, s:s}", "strategy",
						   strategy->name, "threads", (int)o->threads,
						   "repeats", (int)o->repeats, "text", text));
	free(text);
	text = xasprintf("%ld, one after another, each from a cold cache", o->repeats);
	json_object_set_new(doc, "runs", json_pack("{s:i, s:s}", "total", (int)o->repeats, "text",
						   text));
	free(text);
	json_object_set_new(doc, "probes", json_pack("[o]", measure_rate_json(&r)));
	measure_dry_run_check_length(doc, b, &r, b->cfg.min_run_s);
	json_object_set_new(doc, "estimate", json_pack("{s:f, s:f}", "seconds_per_run", per_run,
						       "seconds", per_run * (double)o->repeats));
	status = measure_dry_run_print(doc, &o->m);
	json_decref(doc);
	return status;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct bench_config cfg = { 0 };
	struct nodes_setup nodes;
	struct bench b;
	struct run_live live;
	const struct copy_strategy *strategy;
	char why[1024];
	char **args;
	char *label = NULL;
	int nargs;
	int status = 0;
	int ret;

	ret = measure_parse(&run_command, &o, &o.m, NULL, argc, argv, &args, &nargs);
	if (ret) {
		measure_release(&run_command, &o, &o.m);
		return ret > 0 ? 0 : 2;
	}
	if (post_check(&o.m.post)) {
		measure_release(&run_command, &o, &o.m);
		return 2;
	}
	strategy = strategy_find(o.strategy);
	if (!strategy) {
		const struct copy_strategy *missing = strategy_find_missing(o.strategy);

		if (missing)
			error("run: strategy '%s' is not in this build: %s", o.strategy,
			      missing->missing);
		else
			error("run: unknown strategy '%s' ('" PROGRAM_NAME " strategies' lists them)",
			      o.strategy);
		measure_release(&run_command, &o, &o.m);
		return 2;
	}
	if (!o.threads)
		o.threads = strategy->default_threads ? strategy->default_threads : 2;
	/* Started by mpirun or srun: all the ranks copy at once, every run. */
	ret = nodes_opts_apply(&o.n, "run", &nodes);
	if (ret == 2) {
		measure_release(&run_command, &o, &o.m);
		return 2;
	}
	if (ret == 0) {
		nodes.cfg.strategies = &strategy;
		nodes.cfg.nr_strategies = 1;
		cfg.nodes = &nodes.cfg;
	}
	label = xasprintf("%s-%ld", strategy->name, o.threads);
	cfg.src = args[0];
	cfg.dst = args[1];
	cfg.label = label;
	measure_opts_apply(&o.m, &cfg);
	cfg.dry_run = o.m.dry_run;
	cfg.params = measure_params(&run_command, &o, &o.m);

	bench_install_signal_handlers();
	if (bench_begin(&b, &cfg)) {
		status = 1;
		goto out;
	}
	if (strategy->probe && strategy->probe(&b.ds, b.dst, cfg.eo[strategy_index(strategy)], why,
						 sizeof(why))) {
		error("strategy '%s' cannot run here: %s", strategy->name, why);
		status = 1;
		goto end;
	}
	if (o.m.dry_run) {
		status = dry_run(&b, strategy, &o);
		goto end;
	}
	info("%zu files, %.2f GB from '%s'; results in '%s'", b.ds.nr, (double)b.ds.bytes / 1e9,
	     b.src, b.res.dir);
	run_live_start(&live, &b, strategy->name, (unsigned)o.threads, o.repeats, o.m.quiet);
	for (long r = 1; r <= o.repeats; r++) {
		run_live_begin(&live, r);
		status = bench_run(&b, strategy, (unsigned)o.threads, (unsigned)r);
		run_live_end(&live);
		if (status)
			break;
	}
	run_live_stop(&live);
end:
	if (bench_end(&b) && !status)
		status = 1;
	if (o.m.dry_run)
		goto out;
	status = measure_report(&b, &o.m, status);
	status = measure_post(&b, &o.m, status);
out:
	bench_release(&b);
	json_decref(cfg.params);
	free(label);
	measure_release(&run_command, &o, &o.m);
	return status;
}
