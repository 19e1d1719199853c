/* SPDX-License-Identifier: MIT */
/* cmd_gen.c - `cryocache-bench gen DIR`: write a synthetic particle set to benchmark with. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmdline.h"
#include "cli/cmds.h"
#include "dataset/gen.h"
#include "dataset/mrc.h"
#include "lib/util.h"

struct gen_opts {
	long stacks;
	uint64_t total;
	long box;
	char *particles;
	char *mode;
	long seed;
	long job_dirs;
	double apix;
	long threads;
};

static const char *const gen_modes[] = { "2", "1", "12", NULL };

static const struct opt_def gen_options[] = {
	OPT_LONG_("stacks", 0, struct gen_opts, stacks, NULL, "N", 1, GEN_MAX_STACKS,
		  "number of stacks (default: as many as --total needs)"),
	OPT_SIZE_MIN_("total", 0, struct gen_opts, total, NULL, "SIZE", 1,
		      "add stacks until the set holds SIZE (default 2G; not with --stacks)"),
	OPT_LONG_("box", 0, struct gen_opts, box, "256", "PIXELS", GEN_MIN_BOX, GEN_MAX_BOX,
		  "side of a particle image in pixels"),
	OPT_STRING_("particles", 0, struct gen_opts, particles, "50-300", "MIN-MAX", 0,
		    "particles per stack, drawn uniformly from MIN-MAX (or N for all)"),
	OPT_CHOICE_("mode", 0, struct gen_opts, mode, "2", "MODE", gen_modes,
		    "MRC mode of the pixels: 2 float32, 1 int16, 12 float16"),
	/* 1e18 rather than LONG_MAX: the bound is a double, and LONG_MAX is not one. */
	OPT_LONG_("seed", 0, struct gen_opts, seed, "1", "N", 0, 1e18,
		  "seed; the same seed and options give a byte-identical set"),
	OPT_LONG_("job-dirs", 0, struct gen_opts, job_dirs, "4", "N", 1, GEN_MAX_JOBS,
		  "CryoSPARC job folders (J<n>/extract) to spread the stacks over"),
	OPT_DOUBLE_("apix", 0, struct gen_opts, apix, "1.0", "ANGSTROM", 0.001, 1000,
		    "pixel size, written into the headers' cell"),
	/* Not a parameter of the set: the bytes are the same whatever the number of threads. */
	{ "threads", 't', OPT_LONG, offsetof(struct gen_opts, threads), NULL, "N",
	  "threads generating stacks (default: one per CPU)", OPT_NO_ECHO, 1, 64, NULL },
	OPT_END
};

const struct opt_command gen_command = {
	.name = "gen",
	.synopsis = "DIR",
	.brief = "write a synthetic particle set of valid MRC stacks",
	.summary = "write a synthetic particle set (MRC2014 stacks of noise) into DIR",
	.options = gen_options,
	.min_args = 1,
	.max_args = 1,
};

/* "50-300" or "120" into [min, max]. Returns 0 or -EINVAL/-ERANGE. */
static int gen_parse_particles(const char *s, int32_t *min, int32_t *max)
{
	const char *dash = strchr(s, '-');
	long lo;
	long hi;
	char *first;
	int ret;

	if (!dash) {
		ret = parse_long(s, 1, GEN_MAX_PARTICLES, &lo);
		if (ret < 0)
			return ret;
		*min = (int32_t)lo;
		*max = (int32_t)lo;
		return 0;
	}
	first = xasprintf("%.*s", (int)(dash - s), s);
	ret = parse_long(first, 1, GEN_MAX_PARTICLES, &lo);
	free(first);
	if (ret < 0)
		return ret;
	ret = parse_long(dash + 1, lo, GEN_MAX_PARTICLES, &hi);
	if (ret < 0)
		return ret;
	*min = (int32_t)lo;
	*max = (int32_t)hi;
	return 0;
}

int cmd_gen(int argc, char **argv)
{
	struct gen_summary sum;
	struct gen_params p;
	struct gen_opts o = { 0 };
	char **args = NULL;
	int nargs = 0;
	char why[160];
	char size_buf[32];
	long mode;
	int status = 2;
	int ret;

	options_defaults(gen_command.options, &o);
	ret = options_parse(&gen_command, argc, argv, &o, &args, &nargs);
	if (ret) {
		status = ret > 0 ? 0 : 2;
		goto out;
	}

	gen_params_init(&p);
	if (o.stacks && o.total) {
		error("--stacks and --total cannot be used together");
		goto out;
	}
	if (o.stacks)
		p.nr_stacks = (uint64_t)o.stacks;
	if (o.total)
		p.total_bytes = o.total;
	p.box = (int32_t)o.box;
	if (gen_parse_particles(o.particles, &p.min_particles, &p.max_particles) < 0) {
		error("invalid --particles '%s': expected MIN-MAX within 1-%d, e.g. 50-300",
		      o.particles, GEN_MAX_PARTICLES);
		goto out;
	}
	/* The option table only lets the three modes gen writes through. */
	if (parse_long(o.mode, MRC_MODE_INT16, MRC_MODE_FLOAT16, &mode) < 0) {
		error("invalid --mode '%s'", o.mode);
		goto out;
	}
	p.mode = (int32_t)mode;
	p.seed = (uint64_t)o.seed;
	p.nr_jobs = (uint32_t)o.job_dirs;
	p.apix = o.apix;
	p.nr_threads = (uint32_t)o.threads;
	if (gen_params_check(&p, why, sizeof(why)) < 0) {
		error("%s", why);
		goto out;
	}

	status = 1;
	if (gen_write_set(&p, args[0], &sum) < 0)
		goto out;
	status = 0;
	if (sum.existed) {
		info("'%s' already holds this generated set", args[0]);
		goto out;
	}
	info("generated %zu stack%s, %" PRIu64 " particles, %s in %.2f s (%.0f MB/s) into '%s'",
	     sum.nr_stacks, sum.nr_stacks == 1 ? "" : "s", sum.particles,
	     human_size(sum.bytes, size_buf, sizeof(size_buf)),
	     sum.seconds, sum.seconds > 0 ? (double)sum.bytes / sum.seconds / 1e6 : 0.0, args[0]);
out:
	options_release(gen_command.options, &o);
	return status;
}
