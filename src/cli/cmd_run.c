/* cmd_run.c - `run SRC DST`: one strategy at one thread count, R cold repeats. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
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
	OPT_LONG_("threads", 'j', struct run_opts, threads, "2", "N", 1, 4096,
		  "worker threads copying at once (CRYOSPARC_CACHE_NUM_THREADS defaults to 2)"),
	OPT_LONG_("repeats", 'r', struct run_opts, repeats, "3", "R", 1, 10000,
		  "cold runs to measure"),
	MEASURE_OPTIONS(struct run_opts, m),
	NODES_OPTIONS(struct run_opts, n),
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

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct bench_config cfg = { 0 };
	struct nodes_setup nodes;
	struct bench b;
	const struct copy_strategy *strategy;
	char why[256];
	char **args;
	char *label = NULL;
	int nargs;
	int status = 0;
	int ret;

	ret = measure_parse(&run_command, &o, &o.m, argc, argv, &args, &nargs);
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
	info("%zu files, %.2f GB from '%s'; results in '%s'", b.ds.nr, (double)b.ds.bytes / 1e9,
	     b.src, b.res.dir);
	for (long r = 1; r <= o.repeats; r++) {
		status = bench_run(&b, strategy, (unsigned)o.threads, (unsigned)r);
		if (status)
			break;
	}
end:
	if (bench_end(&b) && !status)
		status = 1;
	measure_report(&b, status);
	status = measure_post(&b, &o.m, status);
out:
	bench_release(&b);
	json_decref(cfg.params);
	free(label);
	measure_release(&run_command, &o, &o.m);
	return status;
}
