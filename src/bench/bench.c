/* bench.c - one measured run, and what comes once per session around the runs. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/pagecache.h"
#include "sys/device.h"
#include "copy/pool.h"
#include "sys/sampler.h"
#include "analysis/stats.h"
#include "sys/sysinfo.h"
#include "sys/diag.h"
#include "lib/util.h"
#include "lib/verify.h"

/* Dirty + Writeback below this counts as quiet before a run starts. */
#define QUIET_DIRTY_BYTES (8ull << 20)
#define QUIET_TIMEOUT_S 60.0
/* Runs shorter than this are dominated by start-up and timer noise. */
#define SHORT_RUN_S 1.0
/* Free space in DST must exceed the copy by this much. */
#define SPACE_MARGIN (64ull << 20)
#define MAX_NAMED_EXAMPLES 5

volatile sig_atomic_t bench_stop_signal;

static void on_stop_signal(int sig)
{
	bench_stop_signal = sig;
}

void bench_install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	/* A second Ctrl-C kills at once; finished runs are already on disk. */
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

json_t *bench_host_json(void)
{
	struct host_info h;

	host_info_read(&h);
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "hostname", h.hostname, "kernel",
			 h.kernel, "machine", h.machine, "cpu_model", h.cpu_model, "cores",
			 (json_int_t)h.cores, "mem_bytes", (json_int_t)h.mem_bytes);
}

json_t *bench_tool_json(void)
{
	json_t *names = json_array();

	for (const struct copy_strategy *const *s = strategies; *s; s++)
		json_array_append_new(names, json_string((*s)->name));
	return json_pack("{s:s, s:s, s:{s:b, s:o}}", "name", PACKAGE_NAME, "version",
			 PACKAGE_VERSION, "features", "liburing",
#ifdef HAVE_LIBURING
			 1,
#else
			 0,
#endif
			 "strategies", names);
}

/* Mount, filesystem and device chain of path, as results.json's source/destination carry them. */
static json_t *location_json(const char *path)
{
	struct device_info d;
	json_t *o = json_pack("{s:s}", "path", path);
	json_t *chain;
	int ret;

	ret = device_resolve(path, NULL, &d);
	if (ret) {
		json_object_set_new(o, "fs_type", json_null());
		return o;
	}
	chain = json_array();
	for (size_t i = 0; i < d.nr_chain; i++)
		json_array_append_new(chain, json_string(d.chain[i]));
	json_object_set_new(o, "fs_type", json_string(d.fs_type ? d.fs_type : ""));
	json_object_set_new(o, "mount_point", json_string(d.mount_point ? d.mount_point : ""));
	json_object_set_new(o, "mount_source", json_string(d.mount_source ? d.mount_source : ""));
	json_object_set_new(o, "mount_options", json_string(d.mount_options ? d.mount_options : ""));
	json_object_set_new(o, "devices", chain);
	json_object_set_new(o, "fs_size_bytes", json_integer((json_int_t)d.fs_size));
	json_object_set_new(o, "fs_free_bytes", json_integer((json_int_t)d.fs_free));
	device_release(&d);
	return o;
}

static json_t *size_histogram_json(const struct dataset *ds)
{
	/* Edges that matter for particle stacks: tiny files, then tens to hundreds of MB. */
	static const uint64_t edges[] = {
		0, 1ull << 20, 10ull << 20, 50ull << 20, 100ull << 20, 200ull << 20, 500ull << 20,
		1ull << 30,
	};
	const size_t nb = sizeof(edges) / sizeof(edges[0]);
	size_t files[sizeof(edges) / sizeof(edges[0])] = { 0 };
	uint64_t bytes[sizeof(edges) / sizeof(edges[0])] = { 0 };
	json_t *a = json_array();

	for (size_t i = 0; i < ds->nr; i++) {
		size_t b = nb - 1;

		while (b > 0 && ds->files[i].size < edges[b])
			b--;
		files[b]++;
		bytes[b] += ds->files[i].size;
	}
	for (size_t b = 0; b < nb; b++) {
		json_t *max = b + 1 < nb ? json_integer((json_int_t)edges[b + 1]) : json_null();

		json_array_append_new(a, json_pack("{s:I, s:o, s:I, s:I}", "min_bytes",
						   (json_int_t)edges[b], "max_bytes", max, "files",
						   (json_int_t)files[b], "bytes", (json_int_t)bytes[b]));
	}
	return a;
}

static json_t *source_json(const struct bench *b)
{
	json_t *o = location_json(b->src);
	json_t *not_mrc = json_array();
	json_t *missing = json_array();
	json_t *bad_size = json_array();
	size_t named = 0;

	for (size_t i = 0; i < b->ds.nr_missing && i < DATASET_MISSING_EXAMPLES; i++)
		json_array_append_new(missing, json_string(b->ds.missing[i]));
	for (size_t i = 0, n = 0; i < b->ds.nr && n < MAX_NAMED_EXAMPLES; i++) {
		if (b->ds.files[i].flags & COPY_FILE_BAD_SIZE) {
			json_array_append_new(bad_size, json_string(b->ds.files[i].rel));
			n++;
		}
	}

	for (size_t i = 0; i < b->ds.nr && named < MAX_NAMED_EXAMPLES; i++) {
		if (b->ds.files[i].flags & COPY_FILE_NOT_MRC) {
			json_array_append_new(not_mrc, json_string(b->ds.files[i].rel));
			named++;
		}
	}
	json_object_set_new(o, "files", json_integer((json_int_t)b->ds.nr));
	json_object_set_new(o, "bytes", json_integer((json_int_t)b->ds.bytes));
	json_object_set_new(o, "all_files", json_boolean(b->cfg.dataset_flags & DATASET_ALL_FILES));
	json_object_set_new(o, "ignored_files", json_integer((json_int_t)b->ds.nr_ignored));
	json_object_set_new(o, "not_mrc_files", json_integer((json_int_t)b->ds.nr_not_mrc));
	json_object_set_new(o, "not_mrc_examples", not_mrc);
	json_object_set_new(o, "list_seconds", json_real(b->ds.list_seconds));
	json_object_set_new(o, "size_histogram", size_histogram_json(&b->ds));
	json_object_set_new(o, "kind", json_string(dataset_kind_name(b->ds.kind)));
	json_object_set_new(o, "metadata", b->ds.meta ? json_string(b->ds.meta) : json_null());
	json_object_set_new(o, "project_dir", b->ds.meta ? json_string(b->ds.root) : json_null());
	json_object_set_new(o, "particles", json_integer((json_int_t)b->ds.particles));
	json_object_set_new(o, "missing_stacks", json_integer((json_int_t)b->ds.nr_missing));
	json_object_set_new(o, "missing_examples", missing);
	json_object_set_new(o, "bad_size_stacks", json_integer((json_int_t)b->ds.nr_bad_size));
	json_object_set_new(o, "bad_size_examples", bad_size);
	json_object_set_new(o, "sample", !b->cfg.sample ? json_null() :
			    json_pack("{s:s, s:I, s:I, s:I}", "spec", b->cfg.sample, "seed",
				      (json_int_t)1, "of_files", (json_int_t)b->sample_of_files,
				      "of_bytes", (json_int_t)b->sample_of_bytes));
	return o;
}

/* A regular file (or a FIFO, for a list piped in with <(...)) as SRC is a job's metadata. */
static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode));
}

/* realpath() of an existing folder we need to read (or write), with one message on failure. */
static char *resolve_dir(const char *what, const char *path, int mode)
{
	char *canon = realpath(path, NULL);
	struct stat st;

	if (!canon) {
		error("cannot access %s '%s': %s", what, path, strerror(errno));
		return NULL;
	}
	if (stat(canon, &st) < 0 || !S_ISDIR(st.st_mode)) {
		error("%s '%s' is not a directory", what, path);
		free(canon);
		return NULL;
	}
	if (access(canon, mode) < 0) {
		error("cannot %s %s '%s': %s", mode & W_OK ? "write to" : "read", what, path,
		      strerror(errno));
		free(canon);
		return NULL;
	}
	return canon;
}

static int check_space(const struct bench *b)
{
	const unsigned jobs = b->cfg.jobs ? b->cfg.jobs : 1;
	struct device_info d;
	char need[32], have[32];

	if (device_resolve(b->dst, NULL, &d))
		return 0;	/* cannot tell: the copy itself will report ENOSPC */
	if (d.fs_free < b->ds.bytes * jobs + SPACE_MARGIN) {
		error("not enough space in destination '%s': %u cop%s of the dataset need%s %s plus a "
		      "%llu MiB margin, %s available", b->cfg.dst, jobs, jobs == 1 ? "y" : "ies",
		      jobs == 1 ? "s" : "", human_size(b->ds.bytes * jobs, need, sizeof(need)),
		      (unsigned long long)(SPACE_MARGIN >> 20), human_size(d.fs_free, have, sizeof(have)));
		device_release(&d);
		return 1;
	}
	device_release(&d);
	return 0;
}

static void warn_not_mrc(const struct bench *b)
{
	size_t named = 0;

	for (size_t i = 0; i < b->ds.nr; i++) {
		if (!(b->ds.files[i].flags & COPY_FILE_NOT_MRC))
			continue;
		if (named++ < MAX_NAMED_EXAMPLES)
			warning("'%s' is named like an MRC file but its header is not MRC; copied as "
				"CryoSPARC would", b->ds.files[i].rel);
	}
	if (named > MAX_NAMED_EXAMPLES)
		warning("%zu more files are named like MRC files but are not MRC", named -
			MAX_NAMED_EXAMPLES);
}

/*
 * --sample N (stacks) or P% (of the bytes): swap the dataset for the sweep's seeded,
 * size-representative sample (seed 1: the same set gives the same sample).
 */
static int apply_sample(struct bench *b, const char *spec)
{
	struct dataset sample;
	char *end = NULL;
	double v;
	uint64_t target;

	errno = 0;
	v = strtod(spec, &end);
	if (errno || end == spec || v <= 0 || (*end && strcmp(end, "%")) ||
	    (*end == '%' && v > 100) || (!*end && v != (double)(uint64_t)v)) {
		error("invalid --sample '%s': expected a number of stacks (N) or a share of the "
		      "bytes (P%%, up to 100)", spec);
		return 1;
	}
	if (*end == '%')
		target = (uint64_t)((double)b->ds.bytes * v / 100.0);
	else if ((uint64_t)v >= b->ds.nr)
		target = b->ds.bytes;
	else
		target = (uint64_t)((double)b->ds.bytes * v / (double)b->ds.nr);
	b->sample_of_files = b->ds.nr;
	b->sample_of_bytes = b->ds.bytes;
	dataset_sample(&b->ds, target, 1, &sample);
	dataset_release(&b->ds);
	b->ds = sample;
	return 0;
}

/*
 * What a .star/.cs/list resolved to; stacks it names that are missing; stacks (of any source)
 * whose size disagrees with their MRC header.
 */
static void warn_stacks(const struct bench *b)
{
	size_t named = 0;
	char size[32];

	if (b->ds.meta)
		info("%s '%s': %zu stacks found (%llu particles), %zu missing, %s; paths below '%s'",
		     dataset_kind_name(b->ds.kind), b->ds.meta, b->ds.nr,
		     (unsigned long long)b->ds.particles, b->ds.nr_missing,
		     human_size(b->ds.bytes, size, sizeof(size)), b->ds.root);

	if (b->ds.nr_missing) {
		warning("%zu of the %zu stacks '%s' names %s missing (first: '%s'); copying the "
			"%zu found", b->ds.nr_missing, b->ds.nr_missing + b->ds.nr, b->ds.meta,
			b->ds.nr_missing == 1 ? "is" : "are", b->ds.missing[0], b->ds.nr);
	}
	for (size_t i = 0; i < b->ds.nr; i++) {
		if (!(b->ds.files[i].flags & COPY_FILE_BAD_SIZE))
			continue;
		if (named++ < MAX_NAMED_EXAMPLES)
			warning("'%s': size %llu differs from its MRC header's 1024 + extended "
				"header + data (truncated or wrong mode); copied as CryoSPARC would",
				b->ds.files[i].rel, (unsigned long long)b->ds.files[i].size);
	}
	if (named > MAX_NAMED_EXAMPLES)
		warning("%zu more stacks have sizes that disagree with their MRC headers",
			named - MAX_NAMED_EXAMPLES);
}

/*
 * Continue the session in cfg->out: the same source, the same files and bytes (a resumed session
 * must measure what the first part measured), its run numbers carried on.
 */
static int open_resumed(struct bench *b)
{
	json_t *src;
	json_t *run;
	size_t i;
	char why[256] = "";
	int ret = results_load(&b->res, b->cfg.out, why, sizeof(why));

	if (ret == -EINVAL) {
		error("cannot resume from '%s': %s", b->res.path, why);
		return 1;
	}
	if (ret) {
		error("cannot resume from '%s': %s", b->res.path, strerror(-ret));
		return 1;
	}
	src = json_object_get(b->res.root, "source");
	if (strcmp(json_string_value(json_object_get(src, "path")) ?: "", b->src) ||
	    json_integer_value(json_object_get(src, "files")) != (json_int_t)b->ds.nr ||
	    json_integer_value(json_object_get(src, "bytes")) != (json_int_t)b->ds.bytes) {
		error("cannot resume from '%s': it measured '%s' (%lld files, %lld bytes), not '%s' "
		      "(%zu files, %llu bytes) as it is now", b->res.path,
		      json_string_value(json_object_get(src, "path")) ?: "?",
		      (long long)json_integer_value(json_object_get(src, "files")),
		      (long long)json_integer_value(json_object_get(src, "bytes")), b->src, b->ds.nr,
		      (unsigned long long)b->ds.bytes);
		return 1;
	}
	json_array_foreach(results_runs(&b->res), i, run) {
		json_int_t seq = json_integer_value(json_object_get(run, "seq"));

		if (seq > (json_int_t)b->seq)
			b->seq = (unsigned)seq;
	}
	json_object_del(b->res.root, "finished");
	return 0;
}

int bench_begin(struct bench *b, const struct bench_config *cfg)
{
	char started[64];
	char *bad = NULL;
	int ret;

	memset(b, 0, sizeof(*b));
	b->cfg = *cfg;
	if (cfg->files_list || is_file(cfg->src)) {
		/* A .star, .cs or list names the stacks; copies mirror them below the project. */
		const struct dataset_source dsrc = {
			.files_list = cfg->files_list,
			.project_dir = cfg->project_dir,
			.flags = cfg->dataset_flags,
		};
		char *msg = NULL;

		ret = dataset_load(&b->ds, cfg->src, &dsrc, &msg);
		if (ret) {
			error("%s", msg);
			free(msg);
			return 1;
		}
		b->src = xstrdup(b->ds.root);
	} else {
		b->src = resolve_dir("source", cfg->src, R_OK | X_OK);
		if (!b->src)
			return 1;
	}
	b->dst = resolve_dir("destination", cfg->dst, R_OK | W_OK | X_OK);
	if (!b->dst)
		return 1;
	if (path_is_within(b->dst, b->src)) {
		error("destination '%s' is inside the source '%s': the copies would land in the data "
		      "being measured", cfg->dst, cfg->src);
		return 1;
	}
	ret = b->ds.meta ? 0 : dataset_load_dir(&b->ds, b->src, cfg->dataset_flags, &bad);
	if (ret) {
		error("cannot read '%s': %s", bad, strerror(-ret));
		free(bad);
		return 1;
	}
	if (b->ds.nr == 0) {
		if (cfg->dataset_flags & DATASET_ALL_FILES)
			error("no files to copy in '%s'", cfg->src);
		else
			error("no .mrc/.mrcs files in '%s' (%zu other files ignored; --all-files takes "
			      "every file)", cfg->src, b->ds.nr_ignored);
		return 1;
	}
	if (cfg->sample && apply_sample(b, cfg->sample))
		return 1;
	warn_not_mrc(b);
	warn_stacks(b);
	if (check_space(b))
		return 1;
	if (cfg->require_drop && access(cfg->drop_path, W_OK) < 0) {
		error("cannot drop the page cache ('%s'): %s, and --require-drop was given",
		      cfg->drop_path, strerror(errno));
		return 1;
	}

	if (cfg->resume) {
		if (open_resumed(b))
			return 1;
		goto scratch;
	}
	ret = results_create(&b->res, cfg->out, cfg->label);
	if (ret == -EEXIST && cfg->out) {
		error("results folder '%s' already holds a " RESULTS_FILE "; choose another --out",
		      cfg->out);
		return 1;
	}
	if (ret) {
		error("cannot create the results folder '%s': %s", cfg->out ? cfg->out : "cryocache-results",
		      strerror(-ret));
		return 1;
	}
	now_rfc3339(started, sizeof(started));
	json_object_set_new(b->res.root, "tool", bench_tool_json());
	json_object_set_new(b->res.root, "started", json_string(started));
	json_object_set_new(b->res.root, "host", bench_host_json());
	json_object_set_new(b->res.root, "source", source_json(b));
	json_object_set_new(b->res.root, "destination", location_json(b->dst));
	json_object_set_new(b->res.root, "diag", diag_paths_json(b->src, b->dst, b->ds.bytes));
	json_object_set_new(b->res.root, "params", json_incref(cfg->params));
	json_object_set_new(b->res.root, "warnings", json_array());
	results_runs(&b->res);
	ret = results_write(&b->res);
	if (ret) {
		error("cannot write '%s': %s", b->res.path, strerror(-ret));
		return 1;
	}

scratch:
	ret = scratch_create(&b->scratch, b->dst);
	if (ret) {
		error("cannot create a scratch directory in '%s': %s", cfg->dst, strerror(-ret));
		return 1;
	}
	b->have_scratch = true;
	return 0;
}

/* Append a formatted message to run[key] and print it; the array must exist. */
static void run_note(json_t *run, const char *key, const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	json_array_append_new(json_object_get(run, key), json_string(msg));
	if (!strcmp(key, "errors"))
		error("%s", msg);
	else
		warning("%s", msg);
	free(msg);
}

static void run_warn(json_t *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void run_warn(json_t *run, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	run_note(run, "warnings", fmt, ap);
	va_end(ap);
}

static void run_error(json_t *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void run_error(json_t *run, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	run_note(run, "errors", fmt, ap);
	va_end(ap);
}

/* Folders of the copy are made before the clock starts, except by strategies that make them. */
static int make_dirs(struct bench *b, const char *root, json_t *run)
{
	for (size_t i = 0; i < b->ds.nr_dirs; i++) {
		char *path = path_join(root, b->ds.dirs[i]);
		int ret = mkdir_p(path);

		if (ret) {
			run_error(run, "cannot create '%s': %s", path, strerror(-ret));
			free(path);
			return ret;
		}
		free(path);
	}
	return 0;
}

static int make_cold(struct bench *b, json_t *run, enum cache_method *method)
{
	char *bad = NULL;
	int ret = cache_make_cold(&b->ds, b->src, b->scratch.copy_path, b->cfg.drop_path, method,
				  &bad);

	/* Some files could not be advised away: residency, measured next, tells whether it mattered. */
	if (ret && *method == CACHE_FADVISE) {
		run_warn(run, "cannot evict '%s' with posix_fadvise: %s", bad ? bad : "?",
			 strerror(-ret));
		ret = 0;
	} else if (ret) {
		run_error(run, "cannot make the page cache cold ('%s'): %s", bad ? bad : "?",
			  strerror(-ret));
	}
	free(bad);
	if (ret)
		return ret;
	if (*method == CACHE_FADVISE && b->cfg.require_drop) {
		run_error(run, "cannot drop the page cache ('%s'): not allowed for this user, and "
			  "--require-drop was given", b->cfg.drop_path);
		return -EPERM;
	}
	if (*method == CACHE_FADVISE) {
		const char *msg = "cannot drop the page cache (needs root): evicted the files with "
				  "posix_fadvise(DONTNEED) instead, which leaves pages other processes "
				  "hold; residency is measured below";

		/* Said once on stderr, recorded in every run it concerns. */
		json_array_append_new(json_object_get(run, "warnings"), json_string(msg));
		if (!b->warned_fadvise)
			warning("%s", msg);
		b->warned_fadvise = true;
	}
	return 0;
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

static void verify_copies(struct bench *b, const struct copy_job *jobs, unsigned njobs, json_t *run)
{
	enum cache_method method;
	size_t mismatches = 0;
	size_t checked = 0;
	double t0;

	/* Read the copies back from the device, not from the page cache that just wrote them. */
	if (cache_make_cold(&b->ds, b->src, b->scratch.copy_path, b->cfg.drop_path, &method, NULL))
		run_warn(run, "could not drop caches before verifying: copies were read from memory");
	t0 = now_mono();
	for (unsigned k = 0; k < njobs; k++) {
		for (size_t i = 0; i < b->ds.nr && !bench_stop_signal; i++) {
			char *src = path_join(b->src, b->ds.files[i].rel);
			char *dst = path_join(jobs[k].dst_root, b->ds.files[i].rel);
			const char *bad = NULL;
			int ret = verify_pair(src, dst, &bad);

			if (ret < 0) {
				run_error(run, "cannot verify '%s': %s", bad, strerror(-ret));
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
	json_object_set_new(run, "verify", json_pack("{s:s, s:I, s:I, s:f}", "hash", "xxh3-64",
						      "checked", (json_int_t)checked, "mismatches",
						      (json_int_t)mismatches, "seconds",
						      now_mono() - t0));
}

static int finish_run(struct bench *b, json_t *run, int status)
{
	int ret;

	/* A probe is measured like a run but handed to the caller, not recorded among the runs. */
	if (b->probe_out) {
		*b->probe_out = run;
		b->probe_out = NULL;
		return bench_stop_signal ? 128 + bench_stop_signal : status;
	}
	json_array_append_new(results_runs(&b->res), run);
	ret = results_write(&b->res);
	if (ret) {
		error("cannot write '%s': %s", b->res.path, strerror(-ret));
		return 1;
	}
	if (bench_stop_signal)
		return 128 + bench_stop_signal;
	return status;
}

static void print_run_line(json_t *run)
{
	json_t *cold = json_object_get(run, "cold");
	json_t *res = json_object_get(cold, "residency_pct");
	char size[32];
	char resident[32] = "unknown";

	if (json_is_number(res))
		snprintf(resident, sizeof(resident), "%.1f %%", json_number_value(res));
	else if (json_is_string(json_object_get(cold, "method")) &&
		 !strcmp(json_string_value(json_object_get(cold, "method")), "remote"))
		snprintf(resident, sizeof(resident), "n/a (remote source)");
	info("run %lld: %s, %lld thread%s, repeat %lld: %s in %.2f s durable (%.2f s copied) = %.0f MB/s; "
	     "cache %s, %s resident before",
	     (long long)json_integer_value(json_object_get(run, "seq")),
	     json_string_value(json_object_get(run, "strategy")),
	     (long long)json_integer_value(json_object_get(run, "threads")),
	     json_integer_value(json_object_get(run, "threads")) == 1 ? "" : "s",
	     (long long)json_integer_value(json_object_get(run, "repeat")),
	     human_size((uint64_t)json_integer_value(json_object_get(run, "bytes")), size, sizeof(size)),
	     json_number_value(json_object_get(run, "seconds_durable")),
	     json_number_value(json_object_get(run, "seconds_copied")),
	     json_number_value(json_object_get(run, "mb_s")),
	     json_string_value(json_object_get(cold, "method")), resident);
}

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

/* Summary into the run, the series into samples/run-<seq>.json (or .csv) beside results.json. */
static void record_sampler(struct bench *b, struct sampler *smp, json_t *run)
{
	const json_int_t seq = json_integer_value(json_object_get(run, "seq"));
	char *rel = xasprintf("samples/run-%lld.%s", (long long)seq,
			      b->cfg.samples_csv ? "csv" : "json");
	char *dir = path_join(b->res.dir, "samples");
	char *path = path_join(b->res.dir, rel);
	json_t *summary = sampler_summary_json(smp, 0, smp->nr_snap ? smp->nr_snap - 1 : 0);
	json_t *w;
	size_t i;
	int ret;

	ret = mkdir_p(dir);
	if (!ret)
		ret = sampler_write_series(smp, path, b->cfg.samples_csv);
	if (ret)
		run_warn(run, "cannot write '%s': %s", path, strerror(-ret));
	json_object_set_new(summary, "samples_file", ret ? json_null() : json_string(rel));
	json_array_foreach(json_object_get(summary, "warnings"), i, w)
		run_warn(run, "%s", json_string_value(w));
	json_object_set_new(run, "sampler", summary);
	/* The interface that carried the bytes against the one the route predicted. */
	diag_run_findings(json_object_get(b->res.root, "diag"), run,
			  json_object_get(summary, "findings"));
	sampler_release(smp);
	free(path);
	free(dir);
	free(rel);
}

static void free_jobs(struct copy_job *jobs, unsigned njobs)
{
	for (unsigned k = 0; k < njobs; k++)
		free((char *)jobs[k].dst_root);
	free(jobs);
}

/*
 * The copiers of a run: one copying into the scratch copy folder, or with --jobs J, J copying at
 * once into copy/job-1 .. copy/job-J. Each gets its own folders made (before the clock, unless the
 * strategy makes them itself).
 */
static struct copy_job *make_jobs(struct bench *b, const struct copy_strategy *strategy,
				  unsigned njobs, json_t *run)
{
	struct copy_job *jobs = xcalloc(njobs, sizeof(*jobs));

	for (unsigned k = 0; k < njobs; k++) {
		jobs[k] = (struct copy_job){
			.strategy = strategy,
			.ds = &b->ds,
			.src_root = b->src,
			.dst_root = njobs == 1 ? xstrdup(b->scratch.copy_path)
					       : xasprintf("%s/job-%u", b->scratch.copy_path, k + 1),
			.bs = b->cfg.bs,
			.eo = b->cfg.eo ? b->cfg.eo[strategy_index(strategy)] : NULL,
			.stop = &bench_stop_signal,
		};
	}
	for (unsigned k = 0; k < njobs; k++) {
		int ret = njobs > 1 ? mkdir_p(jobs[k].dst_root) : 0;

		if (ret)
			run_error(run, "cannot create '%s': %s", jobs[k].dst_root, strerror(-ret));
		if (ret || (!strategy->makes_dirs && make_dirs(b, jobs[k].dst_root, run))) {
			free_jobs(jobs, njobs);
			return NULL;
		}
	}
	return jobs;
}

int bench_run(struct bench *b, const struct copy_strategy *strategy, unsigned nthreads,
	      unsigned repeat)
{
	struct bench_spec spec = { .strategy = strategy, .threads = nthreads, .repeat = repeat,
				   .plan_index = -1 };

	return bench_run_spec(b, &spec, NULL);
}

int bench_run_spec(struct bench *b, const struct bench_spec *spec, json_t **probe)
{
	const struct copy_strategy *strategy = spec->strategy;
	unsigned nthreads = spec->threads;
	unsigned njobs = b->cfg.jobs ? b->cfg.jobs : 1;
	struct copy_job *jobs;
	struct pool_stats ps;
	struct sampler smp;
	bool sampling = false;
	enum cache_method method = CACHE_NONE;
	const bool remote = strategy->remote && b->cfg.source_url;
	char started[64];
	json_t *run;
	double residency = -1;
	char *bad = NULL;
	double durable;
	uint64_t synced_ns;
	int ret;

	now_rfc3339(started, sizeof(started));
	/* Every key is present from the start: a run that fails early says null, not nothing. */
	b->probe_out = probe;
	run = json_pack("{s:I, s:s, s:I, s:I, s:I, s:s, s:I, s:I, s:n, s:n, s:n, s:n, s:n, s:n, s:n, "
			"s:n, s:n, s:b, s:[], s:[]}",
			"seq", (json_int_t)(probe ? 0 : ++b->seq), "strategy", strategy->name,
			"threads", (json_int_t)nthreads, "jobs", (json_int_t)njobs, "repeat",
			(json_int_t)spec->repeat, "started", started,
			"files", (json_int_t)0, "bytes", (json_int_t)0, "seconds_copied",
			"seconds_durable", "mb_s", "mb_s_copied", "files_per_s", "latency_ms",
			"tail_s", "cpu", "cold", "aborted", 0, "warnings", "errors");
	if (spec->plan_index >= 0)
		json_object_set_new(run, "plan_index", json_integer(spec->plan_index));

	ret = scratch_empty(&b->scratch);
	if (ret) {
		run_error(run, "cannot empty the scratch directory '%s': %s", b->scratch.path,
				      strerror(-ret));
		return finish_run(b, run, 1);
	}
	jobs = make_jobs(b, strategy, njobs, run);
	if (!jobs)
		return finish_run(b, run, 1);
	if (make_cold(b, run, &method)) {
		free_jobs(jobs, njobs);
		return finish_run(b, run, 1);
	}
	ret = cache_wait_quiet(QUIET_DIRTY_BYTES, QUIET_TIMEOUT_S);
	if (ret == -ETIMEDOUT)
		run_warn(run, "dirty pages or device queues did not settle within %.0f s before the "
			 "run; other I/O may disturb it", QUIET_TIMEOUT_S);
	else if (ret)
		run_warn(run, "cannot read /proc/meminfo or /proc/diskstats to wait for quiet devices: %s",
			 strerror(-ret));
	/* A remote source has no page cache here: its coldness is the server's, not ours. */
	ret = remote ? 0 : cache_dataset_residency(&b->ds, b->src, &residency, &bad);
	if (remote) {
		if (b->cfg.insecure)
			run_warn(run, "--insecure: the certificate of '%s' was not verified",
				 b->cfg.source_url);
	} else if (ret == -EPERM) {
		run_warn(run, "cannot measure page-cache residency of '%s': the kernel shows it only to "
			 "the file's owner or users who may write it (or root); the run's coldness is "
			 "unknown", bad);
		residency = -1;
	} else if (ret) {
		run_warn(run, "cannot measure page-cache residency of '%s': %s", bad ? bad : "?",
			 strerror(-ret));
		residency = -1;
	} else if (residency > CACHE_COLD_MAX_PCT) {
		run_warn(run, "not cold: %.1f %% of the source was in the page cache before the run",
			 residency);
	}
	free(bad);
	json_object_set_new(run, "cold", json_pack("{s:s, s:o, s:f, s:b}", "method",
						    remote ? "remote" : cache_method_name(method),
						    "residency_pct",
						    residency < 0 ? json_null() : json_real(residency),
						    "threshold_pct", CACHE_COLD_MAX_PCT, "cold",
						    residency >= 0 && residency <= CACHE_COLD_MAX_PCT));
	if (bench_stop_signal) {
		json_object_set_new(run, "aborted", json_true());
		free_jobs(jobs, njobs);
		return finish_run(b, run, 1);
	}

	if (b->cfg.sample_interval > 0)
		sampling = start_sampler(b, &smp, run);
	atomic_store(&b->progress.files, 0);
	atomic_store(&b->progress.bytes, 0);
	ret = pool_run_jobs(jobs, njobs, nthreads, &bench_stop_signal, &b->progress, &ps);
	if (syncfs(b->scratch.dirfd) < 0)
		run_warn(run, "syncfs of '%s' failed: %s", b->scratch.path, strerror(errno));
	synced_ns = now_mono_ns();
	if (sampling)
		sampler_stop(&smp);
	durable = (double)(synced_ns - ps.start_ns) / 1e9;

	json_object_set_new(run, "aborted", json_boolean(ret == -EINTR));
	json_object_set_new(run, "files", json_integer((json_int_t)ps.files_done));
	json_object_set_new(run, "bytes", json_integer((json_int_t)ps.bytes_done));
	json_object_set_new(run, "seconds_copied", json_real(ps.seconds));
	json_object_set_new(run, "seconds_durable", json_real(durable));
	json_object_set_new(run, "mb_s", json_real(durable > 0 ? (double)ps.bytes_done / durable / 1e6 : 0));
	json_object_set_new(run, "mb_s_copied",
			    json_real(ps.seconds > 0 ? (double)ps.bytes_done / ps.seconds / 1e6 : 0));
	json_object_set_new(run, "files_per_s",
			    json_real(durable > 0 ? (double)ps.files_done / durable : 0));
	json_object_set_new(run, "latency_ms", latency_json(&ps, ps.nr_latency));
	json_object_set_new(run, "tail_s", json_real(ps.tail_seconds));
	json_object_set_new(run, "cpu", json_pack("{s:f, s:f}", "user_s", ps.cpu_user_s, "sys_s",
						   ps.cpu_sys_s));
	if (strategy->counter_names) {
		json_t *counters = json_object();

		for (size_t k = 0; k < COPY_MAX_COUNTERS && strategy->counter_names[k]; k++)
			json_object_set_new(counters, strategy->counter_names[k],
					    json_integer((json_int_t)ps.counters[k]));
		json_object_set_new(run, "strategy_counters", counters);
	}
	if (sampling)
		record_sampler(b, &smp, run);
	if (strategy->describe) {
		json_t *info = strategy->describe();

		if (info)
			json_object_set_new(run, "strategy_info", info);
	}
	if (ret && ret != -EINTR)
		run_error(run, "%s", ps.first_error ? ps.first_error : strerror(-ret));
	pool_stats_release(&ps);
	if (ret) {
		free_jobs(jobs, njobs);
		return finish_run(b, run, 1);
	}

	if (durable < SHORT_RUN_S)
		run_warn(run, "run lasted %.2f s: too short to measure reliably (use a larger set)",
			 durable);
	if (b->cfg.verify)
		verify_copies(b, jobs, njobs, run);
	free_jobs(jobs, njobs);
	ret = json_array_size(json_object_get(run, "errors")) ? 1 : 0;
	if (!probe)
		print_run_line(run);
	return finish_run(b, run, ret);
}

int bench_end(struct bench *b)
{
	char finished[64];
	int status = 0;
	int ret;

	if (b->res.root) {
		results_check_first_run_bias(&b->res);
		now_rfc3339(finished, sizeof(finished));
		json_object_set_new(b->res.root, "finished", json_string(finished));
		ret = results_write(&b->res);
		if (ret) {
			error("cannot write '%s': %s", b->res.path, strerror(-ret));
			status = 1;
		}
	}
	if (b->have_scratch) {
		if (b->cfg.keep) {
			info("kept the last copy in '%s' (remove it with '" PROGRAM_NAME " clean %s')",
			     b->scratch.copy_path, b->cfg.dst);
			scratch_release(&b->scratch);
		} else {
			ret = scratch_remove(&b->scratch);
			if (ret) {
				error("cannot remove the scratch directory '%s': %s", b->scratch.path,
				      strerror(-ret));
				status = 1;
			}
		}
		b->have_scratch = false;
	}
	return status;
}

void bench_release(struct bench *b)
{
	if (b->have_scratch)
		scratch_release(&b->scratch);
	dataset_release(&b->ds);
	results_release(&b->res);
	free(b->src);
	free(b->dst);
	memset(b, 0, sizeof(*b));
}
