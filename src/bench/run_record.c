/* SPDX-License-Identifier: MIT */
/* run_record.c - a run's JSON object: what it measured, its checks, its line, results.json. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/run_flags.h"
#include "analysis/stats.h"
#include "analysis/warn_groups.h"
#include "bench/bench.h"
#include "bench/bench_int.h"
#include "bench/pagecache.h"
#include "lib/dynbuf.h"
#include "lib/text.h"
#include "lib/util.h"
#include "lib/verify.h"
#include "sys/diag.h"

/* The kinds of run warning said on stderr so far (analysis/warn_groups.h): each is said once. */
static json_t *said_kinds;

/*
 * Append a formatted message to run[key] and print it; the array must exist. An error is always
 * printed; a warning only the first time its kind is seen (later ones are recorded, and the
 * table and reports count them), or every time with its run's number under -v.
 */
static void run_note(json_t *run, const char *key, const char *fmt, va_list ap)
{
	const long long seq = (long long)json_integer_value(json_object_get(run, "seq"));
	char kind[1024];
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	json_array_append_new(json_object_get(run, key), json_string(msg));
	if (!strcmp(key, "errors")) {
		error("%s", msg);
	} else if (verbose_messages && seq) {
		warning("run %lld: %s", seq, msg);
	} else {
		if (!said_kinds)
			said_kinds = json_object();
		warn_kind(msg, kind, sizeof(kind));
		if (!json_object_get(said_kinds, kind)) {
			json_object_set_new(said_kinds, kind, json_true());
			warning("%s", msg);
		}
	}
	free(msg);
}

void run_warn(json_t *run, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	run_note(run, "warnings", fmt, ap);
	va_end(ap);
}

void run_error(json_t *run, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	run_note(run, "errors", fmt, ap);
	va_end(ap);
}

json_t *run_new(struct bench *b, const struct bench_spec *spec, unsigned njobs)
{
	char started[64];
	json_t *run;

	now_rfc3339(started, sizeof(started));
	/* Every key is present from the start: a run that fails early says null, not nothing. */
	run = json_pack("{s:I, s:s, s:I, s:I, s:I, s:s, s:I, s:I, s:n, s:n, s:n, s:n, s:n, s:n, s:n, "
			"s:n, s:n, s:b, s:[], s:[]}",
			"seq", (json_int_t)(b->in_part ? b->part_seq : b->probe_out ? 0 : ++b->seq),
			"strategy", spec->strategy->name,
			"threads", (json_int_t)spec->threads, "jobs", (json_int_t)njobs, "repeat",
			(json_int_t)spec->repeat, "started", started,
			"files", (json_int_t)0, "bytes", (json_int_t)0, "seconds_copied",
			"seconds_durable", "mb_s", "mb_s_copied", "files_per_s", "latency_ms",
			"tail_s", "cpu", "cold", "aborted", 0, "warnings", "errors");
	if (spec->plan_index >= 0)
		json_object_set_new(run, "plan_index", json_integer(spec->plan_index));
	if (spec->tags)
		json_object_update_missing(run, spec->tags);
	if (spec->role)
		json_object_set_new(run, "role", json_string(spec->role));
	return run;
}

static json_t *latency_json(const struct pool_stats *ps, size_t nr)
{
	double *ms = xmalloc((nr ? nr : 1) * sizeof(double));
	size_t n = 0;
	json_t *o;

	for (size_t i = 0; i < nr; i++)
		if (ps->latency_ns[i])
			ms[n++] = (double)ps->latency_ns[i] / 1e6;
	if (!n) {
		free(ms);
		return json_pack("{s:n, s:n, s:n, s:n}", "p50", "p90", "p99", "max");
	}
	stats_sort(ms, n);
	o = json_pack("{s:f, s:f, s:f, s:f}", "p50", stats_quantile_sorted(ms, n, 0.50), "p90",
		      stats_quantile_sorted(ms, n, 0.90), "p99", stats_quantile_sorted(ms, n, 0.99),
		      "max", ms[n - 1]);
	free(ms);
	return o;
}

/* Summary into the run, the series into samples/run-<seq>.json (or .csv) beside results.json. */
static void record_sampler(struct bench *b, struct sampler *smp, json_t *run)
{
	const json_int_t seq = json_integer_value(json_object_get(run, "seq"));
	char *rel = xasprintf("samples/run-%lld.%s", (long long)seq,
			      b->cfg.samples_csv ? "csv" : "json");
	char *path = b->res.dir ? path_join(b->res.dir, rel) : NULL;
	json_t *summary = sampler_summary_json(smp, 0, smp->nr_snap ? smp->nr_snap - 1 : 0);
	char why[PATH_MAX + 128];
	json_t *w;
	size_t i;
	int ret;

	/* Another rank of a run across nodes has no results folder: its summary travels alone. */
	ret = b->res.dir ? sampler_write_series(smp, b->res.dir, rel, b->cfg.samples_csv, why,
						  sizeof(why)) : -ENOENT;
	if (ret && b->res.dir)
		run_warn(run, "cannot write '%s': %s", path, why);
	json_object_set_new(summary, "samples_file", ret ? json_null() : json_string(rel));
	json_array_foreach(json_object_get(summary, "warnings"), i, w)
		run_warn(run, "%s", json_string_value(w));
	json_object_set_new(run, "sampler", summary);
	/* The interface that carried the bytes against the one the route predicted. */
	if (b->res.root)
		diag_run_findings(json_object_get(b->res.root, "diag"), run,
				  json_object_get(summary, "findings"));
	sampler_release(smp);
	free(path);
	free(rel);
}

/* Stacks named in the warning about those that changed size; the rest are counted. */
#define RESIZED_NAMED 5

/* Say which files changed size between the listing and the copy, and what the run counts. */
static void warn_resized(const struct bench *b, const struct pool_stats *ps, json_t *run)
{
	/* Several jobs copy the same files: each file is named once. */
	bool *seen = xcalloc(b->ds.nr ? b->ds.nr : 1, sizeof(*seen));
	struct dynbuf names;
	size_t n = 0;

	if (ps->nr_unmeasured)
		run_warn(run, "the size of %zu cop%s could not be read (%s): %s listed size%s counted",
			 ps->nr_unmeasured, ps->nr_unmeasured == 1 ? "y" : "ies",
			 strerror(-ps->unmeasured_errno), ps->nr_unmeasured == 1 ? "its" : "their",
			 ps->nr_unmeasured == 1 ? " is" : "s are");
	dynbuf_init(&names);
	for (size_t i = 0; i < ps->nr_resized; i++) {
		const struct pool_resized *r = &ps->resized[i];

		if (r->file >= b->ds.nr || seen[r->file])
			continue;
		seen[r->file] = true;
		if (n++ < RESIZED_NAMED)
			dynbuf_addf(&names, "%s'%s' (%llu bytes listed, %llu copied)", n > 1 ? ", " : "",
				    b->ds.files[r->file].rel, (unsigned long long)r->listed,
				    (unsigned long long)r->copied);
	}
	if (n > RESIZED_NAMED)
		dynbuf_addf(&names, " and %zu more", n - RESIZED_NAMED);
	if (n)
		run_warn(run, "%zu file%s changed size after %s listed: %s; bytes and MB/s count "
			 "what was copied", n, n == 1 ? "" : "s", n == 1 ? "it was" : "they were",
			 dynbuf_str(&names));
	dynbuf_release(&names);
	free(seen);
}

int run_record_copy(struct bench *b, const struct copy_strategy *strategy, struct run_copy *rc,
		    json_t *run)
{
	const struct pool_stats *ps = &rc->ps;
	const double durable = rc->durable;
	const int ret = rc->ret;

	json_object_set_new(run, "aborted", json_boolean(ret == -EINTR));
	json_object_set_new(run, "files", json_integer((json_int_t)ps->files_done));
	json_object_set_new(run, "bytes", json_integer((json_int_t)ps->bytes_done));
	json_object_set_new(run, "seconds_copied", json_real(ps->seconds));
	json_object_set_new(run, "seconds_durable", json_real(durable));
	json_object_set_new(run, "mb_s", json_real(durable > 0 ? (double)ps->bytes_done / durable / 1e6 : 0));
	json_object_set_new(run, "mb_s_copied",
			    json_real(ps->seconds > 0 ? (double)ps->bytes_done / ps->seconds / 1e6 : 0));
	json_object_set_new(run, "files_per_s",
			    json_real(durable > 0 ? (double)ps->files_done / durable : 0));
	json_object_set_new(run, "latency_ms", latency_json(ps, ps->nr_latency));
	json_object_set_new(run, "tail_s", json_real(ps->tail_seconds));
	json_object_set_new(run, "cpu", json_pack("{s:f, s:f}", "user_s", ps->cpu_user_s, "sys_s",
						   ps->cpu_sys_s));
	warn_resized(b, ps, run);
	if (strategy->counter_names) {
		json_t *counters = json_object();

		for (size_t k = 0; k < COPY_MAX_COUNTERS && strategy->counter_names[k]; k++)
			json_object_set_new(counters, strategy->counter_names[k],
					    json_integer((json_int_t)ps->counters[k]));
		json_object_set_new(run, "strategy_counters", counters);
	}
	if (ps->job_reports) {
		size_t k;
		json_t *report;

		json_object_set(run, "strategy_report", ps->job_reports);
		json_array_foreach(ps->job_reports, k, report) {
			size_t i;
			json_t *w;

			json_array_foreach(json_object_get(report, "warnings"), i, w)
				run_warn(run, "%s", json_string_value(w));
		}
	}
	if (rc->sampling)
		record_sampler(b, &rc->smp, run);
	if (strategy->describe) {
		json_t *info = strategy->describe(b->cfg.eo ? b->cfg.eo[strategy_index(strategy)]
							      : NULL);

		if (info)
			json_object_set_new(run, "strategy_info", info);
	}
	if (ret && ret != -EINTR)
		run_error(run, "%s", ps->first_error ? ps->first_error : strerror(-ret));
	pool_stats_release(&rc->ps);
	return ret ? 1 : 0;
}

static void verify_report(void *ctx, const char *msg)
{
	run_error(ctx, "%s", msg);
}

/* --verify of a strategy that checks its own copies (relion compares images, not files). */
static void verify_by_strategy(const struct copy_strategy *s, const struct copy_job *jobs,
			       unsigned njobs, json_t *run)
{
	const unsigned nthreads = (unsigned)json_integer_value(json_object_get(run, "threads"));
	json_t *reports = json_object_get(run, "strategy_report");
	struct copy_verify v = { .report = verify_report, .ctx = run, .stop = &bench_stop_signal };
	double t0 = now_mono();

	for (unsigned k = 0; k < njobs && !bench_stop_signal; k++)
		s->verify(&jobs[k], nthreads, json_array_get(reports, k), &v);
	json_object_set_new(run, "verify", json_pack("{s:s, s:n, s:I, s:I, s:f}", "compared",
						      v.compared ? v.compared : "?", "hash",
						      "checked", (json_int_t)v.checked, "mismatches",
						      (json_int_t)v.mismatches, "seconds",
						      now_mono() - t0));
}

static void verify_copies(struct bench *b, const struct copy_job *jobs, unsigned njobs, json_t *run)
{
	enum cache_method method;
	size_t mismatches = 0;
	size_t checked = 0;
	double t0;

	/* Read the copies back from the device, not from the page cache that just wrote them. */
	if (cache_make_cold(&b->ds, b->src, b->scratch.copy_path, b->cfg.drop_path, &method, NULL,
			    0))
		run_warn(run, "could not drop caches before verifying: copies were read from memory");
	if (jobs[0].strategy->verify) {
		verify_by_strategy(jobs[0].strategy, jobs, njobs, run);
		return;
	}
	t0 = now_mono();
	for (unsigned k = 0; k < njobs; k++) {
		for (size_t i = 0; i < b->ds.nr && !bench_stop_signal; i++) {
			char *src = path_join(b->src, b->ds.files[i].rel);
			char *dst = path_join(jobs[k].dst_root, b->ds.files[i].rel);
			char why[PATH_MAX + 128] = "?";
			int ret = verify_pair(src, dst, why, sizeof(why));

			if (ret < 0) {
				run_error(run, "%s", why);
				mismatches++;
			} else if (ret > 0) {
				run_error(run, "copy '%s' differs from its source '%s'", dst, src);
				mismatches++;
			}
			checked++;
			free(src);
			free(dst);
		}
	}
	json_object_set_new(run, "verify", json_pack("{s:s, s:s, s:I, s:I, s:f}", "compared",
						      "files", "hash", "xxh3-64", "checked",
						      (json_int_t)checked, "mismatches",
						      (json_int_t)mismatches, "seconds",
						      now_mono() - t0));
}

void run_print_line(json_t *run)
{
	json_t *cold = json_object_get(run, "cold");
	json_t *res = json_object_get(cold, "residency_pct");
	char size[32];
	char resident[32] = "unknown";
	char what[48];

	if (json_is_number(res))
		snprintf(resident, sizeof(resident), "%.1f %%", json_number_value(res));
	else if (run_flag_remote(run))
		snprintf(resident, sizeof(resident), "n/a (remote source)");
	if (run_flag_role(run))
		snprintf(what, sizeof(what), "%s, not counted", run_flag_role(run));
	else
		snprintf(what, sizeof(what), "repeat %lld",
			 (long long)json_integer_value(json_object_get(run, "repeat")));
	info("run %lld: %s, %lld thread%s, %s: %s in %.2f s durable (%.2f s copied) = %.0f MB/s; "
	     "cache %s, %s resident before",
	     (long long)json_integer_value(json_object_get(run, "seq")),
	     json_string_value(json_object_get(run, "strategy")),
	     (long long)json_integer_value(json_object_get(run, "threads")),
	     json_integer_value(json_object_get(run, "threads")) == 1 ? "" : "s", what,
	     human_size((uint64_t)json_integer_value(json_object_get(run, "bytes")), size, sizeof(size)),
	     json_number_value(json_object_get(run, "seconds_durable")),
	     json_number_value(json_object_get(run, "seconds_copied")),
	     json_number_value(json_object_get(run, "mb_s")),
	     json_string_value(json_object_get(cold, "method")), resident);
}

void run_check_short(struct bench *b, double durable, json_t *run)
{
	/*
	 * Runs shorter than the minimum are dominated by start-up and timer noise. An unrecorded
	 * probe (--budget's, on a small sample) is short on purpose: its caller reads its rate.
	 */
	if (!b->probe_out && b->cfg.min_run_s > 0 && durable < b->cfg.min_run_s) {
		char *msg = xasprintf("run lasted %.2f s, under the minimum of %g s: too short to "
				      "measure reliably (use a larger set)", durable,
				      b->cfg.min_run_s);

		/* Said once a session; every later short run records it quietly. */
		if (b->said_short)
			json_array_append_new(json_object_get(run, "warnings"), json_string(msg));
		else
			run_warn(run, "%s", msg);
		b->said_short = true;
		free(msg);
	}
}

int run_record_checks(struct bench *b, const struct copy_job *jobs, unsigned njobs,
		      double durable, json_t *run)
{
	int ret;

	/* A node's part of a run across nodes: the run is judged and printed as a whole. */
	if (!b->in_part)
		run_check_short(b, durable, run);
	if (b->cfg.verify) {
		atomic_store(&b->phase, BENCH_PHASE_VERIFYING);
		verify_copies(b, jobs, njobs, run);
	}
	ret = json_array_size(json_object_get(run, "errors")) ? 1 : 0;
	if (!b->probe_out && !b->in_part)
		run_print_line(run);
	return ret;
}

/*
 * run.wall_s and run.overhead_s: the run's time outside its clock, by where it went (struct
 * run_overhead), "other" the rest, total = wall_s - seconds_durable.
 */
static void record_overhead(const struct bench *b, json_t *run)
{
	const struct run_overhead *o = &b->ov;
	const double wall = now_mono() - o->t0;
	const double clock = json_number_value(json_object_get(run, "seconds_durable"));
	const double total = wall - clock;
	const double named = o->delete_s + o->sync_s + o->drop_s + o->settle_s + o->residency_s +
			     o->sampler_start_s + o->results_write_s;

	json_object_set_new(run, "wall_s", json_real(wall));
	json_object_set_new(run, "overhead_s",
			    json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "delete",
				      o->delete_s, "sync", o->sync_s, "drop", o->drop_s, "settle",
				      o->settle_s, "residency", o->residency_s, "sampler_start",
				      o->sampler_start_s, "results_write", o->results_write_s,
				      "other", total - named, "total", total));
	json_object_set_new(run, "background_s",
			    json_pack("{s:o}", "remove",
				      o->bg_remove ? json_real(o->bg_remove_s) : json_null()));
}

int run_finish(struct bench *b, json_t *run, int status)
{
	double t0;
	int ret;

	/* A run that failed before the copy: the previous copy's removal is over first. */
	if (run_wait_scratch(b, run))
		status = 1;
	/* Its own copy is of no more use: removed while the run is recorded and the next planned. */
	run_retire_copy(b);
	/* A probe is measured like a run but handed to the caller, not recorded among the runs. */
	if (b->probe_out) {
		record_overhead(b, run);
		*b->probe_out = run;
		b->probe_out = NULL;
		return bench_stop_signal ? 128 + bench_stop_signal : status;
	}
	json_array_append_new(results_runs(&b->res), run);
	b->recorded++;
	/*
	 * The write's own time is known only once it is done: it goes into the run object here and
	 * into results.json at the next write (the next run's, or the closing one).
	 */
	record_overhead(b, run);
	t0 = now_mono();
	ret = results_write(&b->res);
	b->ov.results_write_s = now_mono() - t0;
	record_overhead(b, run);
	if (ret) {
		error("cannot write '%s': %s", b->res.path, strerror(-ret));
		return 1;
	}
	if (bench_stop_signal)
		return 128 + bench_stop_signal;
	return status;
}
