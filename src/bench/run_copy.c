/* SPDX-License-Identifier: MIT */
/* run_copy.c - a run's clock: the sampler, the pool copying the jobs, and syncfs. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/bench_int.h"
#include "lib/util.h"

/* The sampler watches SRC's and DST's devices from just before the copy to the end of syncfs. */
static bool start_sampler(struct bench *b, struct sampler *smp, json_t *run)
{
	const struct sampler_path paths[] = {
		{ b->src, "source" },
		{ b->dst, "destination" },
	};
	const struct sampler_config cfg = {
		.sysroot = b->cfg.sysroot,
		.interval_s = b->cfg.sample_interval,
		.paths = paths,
		.nr_paths = 2,
	};
	int ret = sampler_init(smp, &cfg);

	if (!ret)
		ret = sampler_start(smp);
	if (ret) {
		run_warn(run, "cannot start the device and CPU sampler: %s", strerror(-ret));
		sampler_release(smp);
		return false;
	}
	return true;
}

void run_copy(struct bench *b, const struct copy_job *jobs, unsigned njobs, unsigned nthreads,
	      json_t *run, struct run_copy *rc)
{
	uint64_t synced_ns;
	const double t0 = now_mono();

	rc->sampling = false;
	if (b->cfg.sample_interval > 0)
		rc->sampling = start_sampler(b, &rc->smp, run);
	b->ov.sampler_start_s = now_mono() - t0;
	atomic_store(&b->progress.files, 0);
	atomic_store(&b->progress.bytes, 0);
	atomic_store(&b->copy_started_ns, now_mono_ns());
	atomic_store(&b->phase, BENCH_PHASE_COPYING);
	rc->ret = pool_run_jobs(jobs, njobs, nthreads, &bench_stop_signal, &b->progress, &rc->ps);
	atomic_store(&b->phase, BENCH_PHASE_SYNCING);
	if (syncfs(b->scratch.dirfd) < 0)
		run_warn(run, "syncfs of '%s' failed: %s", b->scratch.path, strerror(errno));
	synced_ns = now_mono_ns();
	if (rc->sampling)
		sampler_stop(&rc->smp);
	rc->durable = (double)(synced_ns - rc->ps.start_ns) / 1e9;
	/* Outside the clocks: the bytes copied, not those listed (a stack may have changed). */
	pool_count_copied(jobs, njobs, &rc->ps);
}
