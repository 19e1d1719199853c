/* cmd_run.c - `run SRC DST`: one strategy at one thread count, R cold repeats. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cmds.h"
#include "options.h"
#include "report.h"
#include "strategy.h"
#include "util.h"

struct run_opts {
	char *strategy;
	long threads;
	long repeats;
	uint64_t bs;
	long qd;
	long inflight;
	bool direct;
	char *reflink;
	char *out;
	bool keep;
	bool verify;
	bool require_drop;
	bool all_files;
	bool quiet;
	char *drop_path;
};

static const char *const reflink_choices[] = { "never", "auto", "always", NULL };

static const struct opt_def run_options[] = {
	OPT_STRING_("strategy", 's', struct run_opts, strategy, "shutil", "NAME", 0,
		    "copy strategy ('" PROGRAM_NAME " strategies' lists them)"),
	OPT_LONG_("threads", 'j', struct run_opts, threads, "2", "N", 1, 4096,
		  "worker threads copying at once (CRYOSPARC_CACHE_NUM_THREADS defaults to 2)"),
	OPT_LONG_("repeats", 'r', struct run_opts, repeats, "3", "R", 1, 10000,
		  "cold runs to measure"),
	OPT_SIZE_("bs", 0, struct run_opts, bs, NULL, "SIZE",
		  "I/O size of the strategy; each documents its default ('strategies' lists them)"),
	OPT_LONG_("qd", 0, struct run_opts, qd, "32", "N", 1, 4096,
		  "io_uring queue depth per thread"),
	OPT_LONG_("inflight", 0, struct run_opts, inflight, "4", "N", 1, 1024,
		  "files open at once per io_uring thread"),
	OPT_BOOL_("direct", 0, struct run_opts, direct,
		  "O_DIRECT on both sides where the strategy supports it (uring)"),
	OPT_CHOICE_("reflink", 0, struct run_opts, reflink, "auto", "WHEN", reflink_choices,
		    "cfr: clone with FICLONE first, like cp --reflink"),
	OPT_STRING_("out", 'o', struct run_opts, out, NULL, "DIR", OPT_NO_ECHO,
		    "results folder (default: ./cryocache-results/<time>-<strategy>-<threads>)"),
	OPT_BOOL_("keep", 0, struct run_opts, keep,
		  "leave the last copy in DST's scratch directory for inspection"),
	OPT_BOOL_("verify", 0, struct run_opts, verify,
		  "after each run, drop caches and compare xxh3 hashes of every source and copy"),
	OPT_BOOL_("require-drop", 0, struct run_opts, require_drop,
		  "fail instead of falling back to posix_fadvise when caches cannot be dropped"),
	OPT_BOOL_("all-files", 0, struct run_opts, all_files,
		  "copy every regular file, not only .mrc/.mrcs"),
	OPT_BOOL_("quiet", 'q', struct run_opts, quiet, "no progress lines on stderr"),
	OPT_STRING_("drop-caches-path", 0, struct run_opts, drop_path, "/proc/sys/vm/drop_caches",
		    "FILE", 0, "where to write 3 to drop the page cache"),
	OPT_END
};

static const struct opt_command run_command = {
	.name = "run",
	.synopsis = "SRC DST",
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
	struct bench b;
	const struct copy_strategy *strategy;
	char why[256];
	char **args;
	char *label = NULL;
	int nargs;
	int status = 0;
	int ret;

	options_defaults(&run_command, &o);
	ret = options_parse(&run_command, argc, argv, &o, &args, &nargs);
	if (ret) {
		options_release(&run_command, &o);
		return ret > 0 ? 0 : 2;
	}
	strategy = strategy_find(o.strategy);
	if (!strategy) {
		error("run: unknown strategy '%s' ('" PROGRAM_NAME " strategies' lists them)",
		      o.strategy);
		options_release(&run_command, &o);
		return 2;
	}
	quiet_messages = o.quiet;

	label = xasprintf("%s-%ld", strategy->name, o.threads);
	cfg.src = args[0];
	cfg.dst = args[1];
	cfg.out = o.out;
	cfg.label = label;
	cfg.dataset_flags = o.all_files ? DATASET_ALL_FILES : 0;
	cfg.bs = (size_t)o.bs;
	cfg.qd = (unsigned)o.qd;
	cfg.inflight = (unsigned)o.inflight;
	cfg.direct = o.direct;
	cfg.reflink = !strcmp(o.reflink, "never")    ? COPY_REFLINK_NEVER
		      : !strcmp(o.reflink, "always") ? COPY_REFLINK_ALWAYS
						     : COPY_REFLINK_AUTO;
	cfg.verify = o.verify;
	cfg.require_drop = o.require_drop;
	cfg.keep = o.keep;
	cfg.drop_path = o.drop_path;
	cfg.params = options_to_json(&run_command, &o);

	bench_install_signal_handlers();
	if (bench_begin(&b, &cfg)) {
		status = 1;
		goto out;
	}
	if (strategy->probe && strategy->probe(&b.ds, b.dst, why, sizeof(why))) {
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
	if (b.res.root) {
		report_text(b.res.root, stdout);
		printf("\nresults: %s\n", b.res.path);
	}
	if (status > 128)
		error("interrupted by %s: the finished runs are kept in '%s'",
		      status == 128 + SIGINT ? "SIGINT" : "SIGTERM", b.res.path);
	else if (status)
		error("run failed; the runs measured so far are kept in '%s'", b.res.path);
out:
	bench_release(&b);
	json_decref(cfg.params);
	free(label);
	options_release(&run_command, &o);
	return status;
}
