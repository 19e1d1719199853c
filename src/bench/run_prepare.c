/* SPDX-License-Identifier: MIT */
/* run_prepare.c - before a run's clock: an empty scratch copy, a cold page cache, quiet devices. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/bench_int.h"
#include "bench/pagecache.h"
#include "lib/url.h"
#include "lib/util.h"

/* Dirty + Writeback below this counts as quiet before a run starts. */
#define QUIET_DIRTY_BYTES (8ull << 20)
#define QUIET_TIMEOUT_S 60.0

/*
 * Removing 100,000 files dirties tens of MB of the destination's metadata (inode tables,
 * bitmaps, folders) after the run's writeback: written back here, at the device's pace, rather
 * than by the kernel's flusher up to 30 s later, which the wait for quiet devices would sit out.
 */
static void *remove_retired(void *arg)
{
	struct bench *b = arg;
	const double t0 = now_mono();
	int ret = scratch_remove_retired(&b->scratch);

	if (syncfs(b->scratch.dirfd) < 0 && !ret)
		ret = -errno;
	b->remove_ret = ret;
	b->remove_s = now_mono() - t0;
	return NULL;
}

/*
 * The remover blocks every signal (from its first instruction: the mask is inherited), so that a
 * Ctrl-C reaches the thread that acts on it. Returns true when the thread runs.
 */
static bool start_remover(struct bench *b)
{
	sigset_t all;
	sigset_t old;
	bool started;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	started = pthread_create(&b->remover, NULL, remove_retired, b) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started)
		b->removing = true;
	return started;
}

/*
 * The previous copy is moved aside and removed by a thread while the run gets ready (its jobs,
 * the writeback and the drop): unlinking gigabytes (with discard, on many filesystems) takes
 * about as long as dropping the cache, and neither needs the other. A copy that run_finish()
 * retired already (run_retire_copy()) is being removed: nothing is left to move.
 */
int run_clean_scratch(struct bench *b, json_t *run)
{
	int ret;

	atomic_store(&b->phase, BENCH_PHASE_CLEANING);
	if (b->removing)
		return 0;
	ret = scratch_retire(&b->scratch);

	if (!ret && start_remover(b))
		return 0;
	if (!ret)
		ret = scratch_remove_retired(&b->scratch);
	if (ret) {
		run_error(run, "cannot empty the scratch directory '%s': %s", b->scratch.path,
			  strerror(-ret));
		return 1;
	}
	return 0;
}

/*
 * Right after a run (its clock stopped, --verify done): move its copy aside and start removing
 * it, so that the removal goes on while the run is recorded and the next one is planned. Not with
 * --keep (the last copy stays), nor once stopped by a signal (bench_end() removes everything).
 * A failure here is left to the next run's run_clean_scratch(), which retries and reports it.
 */
void run_retire_copy(struct bench *b)
{
	if (b->removing || b->cfg.keep || bench_stop_signal || !b->have_scratch)
		return;
	if (scratch_retire(&b->scratch))
		return;
	start_remover(b);
}

int bench_join_remover(struct bench *b)
{
	if (!b->removing)
		return 0;
	pthread_join(b->remover, NULL);
	b->removing = false;
	b->ov.bg_remove = true;
	b->ov.bg_remove_s = b->remove_s;
	return b->remove_ret;
}

int run_wait_scratch(struct bench *b, json_t *run)
{
	const double t0 = now_mono();
	int ret;

	if (!b->removing)
		return 0;
	ret = bench_join_remover(b);
	b->ov.delete_s += now_mono() - t0;
	if (ret) {
		run_error(run, "cannot remove the previous copy from the scratch directory '%s': %s",
			  b->scratch.path, strerror(-ret));
		return 1;
	}
	return 0;
}

static int make_cold(struct bench *b, json_t *run, enum cache_method *method)
{
	char why[PATH_MAX + 128] = "?";
	const double t0 = now_mono();
	int ret;

	if (b->cfg.drop_files)
		ret = cache_evict_set_timed(&b->ds, b->src, b->scratch.copy_path, method, why,
					    sizeof(why), &b->ov.sync_s);
	else
		ret = cache_make_cold_timed(&b->ds, b->src, b->scratch.copy_path, b->cfg.drop_path,
					    method, why, sizeof(why), &b->ov.sync_s);
	b->ov.drop_s = now_mono() - t0 - b->ov.sync_s;
	/* --drop files: a file that could not be advised away shows in the residency below. */
	if (ret && *method == CACHE_FILES) {
		run_warn(run, "%s", why);
		return 0;
	}

	/* Some files could not be advised away: residency, measured next, tells whether it mattered. */
	if (ret && *method == CACHE_FADVISE) {
		run_warn(run, "%s", why);
		ret = 0;
	} else if (ret) {
		run_error(run, "%s", why);
	}
	if (ret)
		return ret;
	if (*method != CACHE_FADVISE)
		return 0;
	/* Why drop_caches could not be written: not root, no /proc/sys, a read-only one. */
	cache_drop_check(b->cfg.drop_path, why, sizeof(why));
	if (b->cfg.require_drop) {
		run_error(run, "%s, and --require-drop was given", why);
		return -EPERM;
	}
	char *msg = xasprintf("%s: evicted the files with posix_fadvise(DONTNEED) instead, which "
			      "leaves pages other processes hold; residency is measured below", why);

	/* Said once on stderr (once a kind: run_warn), recorded in every run it concerns. */
	run_warn(run, "%s", msg);
	free(msg);
	return 0;
}

static void wait_quiet(json_t *run)
{
	int ret = cache_wait_quiet(QUIET_DIRTY_BYTES, QUIET_TIMEOUT_S);

	if (ret == -ETIMEDOUT)
		run_warn(run, "dirty pages or device queues did not settle within %.0f s before the "
			 "run; other I/O may disturb it", QUIET_TIMEOUT_S);
	else if (ret)
		run_warn(run, "cannot read /proc/meminfo or /proc/diskstats to wait for quiet devices: %s",
			 strerror(-ret));
}

/*
 * Percent of the source in the page cache, or -1 when it cannot be told (warned in run), over
 * *examined files: all, or an evenly spaced sample of a huge set (all with --check-all).
 */
static double source_residency(struct bench *b, json_t *run, size_t *examined)
{
	char why[PATH_MAX + 128] = "?";
	const size_t max = b->cfg.dataset_flags & DATASET_CHECK_ALL ? 0 : CACHE_RESIDENCY_SAMPLE;
	double residency = -1;
	int ret = cache_dataset_residency_sample(&b->ds, b->src, max, &residency, examined, why,
						 sizeof(why));

	if (ret == -EPERM) {
		run_warn(run, "%s; the run's coldness is unknown", why);
		residency = -1;
	} else if (ret) {
		run_warn(run, "%s", why);
		residency = -1;
	} else if (residency > CACHE_COLD_MAX_PCT) {
		run_warn(run, "not cold: %.1f %% of the source was in the page cache before the run",
			 residency);
	}
	return residency;
}

int run_prepare(struct bench *b, const struct copy_strategy *strategy, json_t *run)
{
	enum cache_method method = CACHE_NONE;
	const bool remote = strategy->remote && b->cfg.source_url;
	double residency = -1;
	size_t examined = 0;
	json_t *files;
	double t0;
	int ret;

	atomic_store(&b->phase, BENCH_PHASE_DROPPING);
	ret = make_cold(b, run, &method);
	/* The previous copy's removal went on beside the drop: it is over before the run goes on. */
	if (run_wait_scratch(b, run) || ret)
		return 1;
	atomic_store(&b->phase, BENCH_PHASE_SETTLING);
	t0 = now_mono();
	wait_quiet(run);
	b->ov.settle_s = now_mono() - t0;
	/* A remote source has no page cache here: its coldness is the server's, not ours. */
	t0 = now_mono();
	if (!remote)
		residency = source_residency(b, run, &examined);
	b->ov.residency_s = now_mono() - t0;
	if (remote && b->cfg.insecure) {
		char *shown = url_redact(b->cfg.source_url);

		run_warn(run, "--insecure: the certificate of '%s' was not verified", shown);
		free(shown);
	}
	files = residency < 0 ? json_null() : json_integer((json_int_t)examined);
	json_object_set_new(run, "cold", json_pack("{s:s, s:o, s:o, s:f, s:b}", "method",
						    remote ? "remote" : cache_method_name(method),
						    "residency_pct",
						    residency < 0 ? json_null() : json_real(residency),
						    "residency_files", files,
						    "threshold_pct", CACHE_COLD_MAX_PCT, "cold",
						    residency >= 0 && residency <= CACHE_COLD_MAX_PCT));
	if (bench_stop_signal) {
		json_object_set_new(run, "aborted", json_true());
		return 1;
	}
	return 0;
}
