/* SPDX-License-Identifier: MIT */
/*
 * bench.c - a session (bench_begin, bench_end) and one measured run in order: prepare
 * (run_prepare.c), copy (run_copy.c), record (run_record.c).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/bench_int.h"
#include "bench/cluster.h"
#include "bench/pagecache.h"
#include "lib/text.h"
#include "lib/util.h"
#include "sys/device.h"
#include "sys/diag.h"
#include "sys/sysinfo.h"

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
	return json_pack("{s:o, s:o, s:o, s:o, s:I, s:I}", "hostname", text_json(h.hostname),
			 "kernel", text_json(h.kernel), "machine", text_json(h.machine), "cpu_model",
			 text_json(h.cpu_model), "cores", (json_int_t)h.cores, "mem_bytes",
			 (json_int_t)h.mem_bytes);
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
json_t *bench_location_json(const char *path)
{
	struct device_info d;
	json_t *o = json_pack("{s:o}", "path", text_json(path));
	json_t *chain;
	int ret;

	ret = device_resolve(path, NULL, &d);
	if (ret) {
		json_object_set_new(o, "fs_type", json_null());
		return o;
	}
	chain = json_array();
	for (size_t i = 0; i < d.nr_chain; i++)
		json_array_append_new(chain, text_json(d.chain[i]));
	json_object_set_new(o, "fs_type", text_json(d.fs_type ? d.fs_type : ""));
	json_object_set_new(o, "mount_point", text_json(d.mount_point ? d.mount_point : ""));
	json_object_set_new(o, "mount_source", text_json(d.mount_source ? d.mount_source : ""));
	json_object_set_new(o, "mount_options", text_json(d.mount_options ? d.mount_options : ""));
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

/* The first entries of the source not copied for being no regular file: {"path", "type"}. */
static json_t *special_json(const struct dataset *ds)
{
	json_t *a = json_array();

	for (size_t i = 0; i < ds->nr_special && i < DATASET_MISSING_EXAMPLES; i++)
		json_array_append_new(a, json_pack("{s:o, s:s}", "path",
						   text_json(ds->special[i].rel), "type",
						   ds->special[i].type));
	return a;
}

static json_t *linked_json(const struct dataset *ds)
{
	json_t *a = json_array();

	for (size_t i = 0; i < ds->nr_linked_out && i < DATASET_MISSING_EXAMPLES; i++)
		json_array_append_new(a, text_json(ds->linked_out[i]));
	return a;
}

json_t *bench_header_checks_json(const struct dataset *ds)
{
	return json_pack("{s:I, s:I, s:b}", "checked", (json_int_t)ds->headers_checked, "of",
			 (json_int_t)ds->headers_of, "sampled", ds->headers_sampled);
}

static json_t *source_json(const struct bench *b)
{
	json_t *o = bench_location_json(b->src);
	json_t *not_mrc = json_array();
	json_t *missing = json_array();
	json_t *bad_size = json_array();
	size_t named = 0;

	for (size_t i = 0; i < b->ds.nr_missing && i < DATASET_MISSING_EXAMPLES; i++)
		json_array_append_new(missing, text_json(b->ds.missing[i]));
	for (size_t i = 0, n = 0; i < b->ds.nr && n < MAX_NAMED_EXAMPLES; i++) {
		if (b->ds.files[i].flags & COPY_FILE_BAD_SIZE) {
			json_array_append_new(bad_size, text_json(b->ds.files[i].rel));
			n++;
		}
	}

	for (size_t i = 0; i < b->ds.nr && named < MAX_NAMED_EXAMPLES; i++) {
		if (b->ds.files[i].flags & COPY_FILE_NOT_MRC) {
			json_array_append_new(not_mrc, text_json(b->ds.files[i].rel));
			named++;
		}
	}
	json_object_set_new(o, "files", json_integer((json_int_t)b->ds.nr));
	json_object_set_new(o, "bytes", json_integer((json_int_t)b->ds.bytes));
	json_object_set_new(o, "all_files", json_boolean(b->cfg.dataset_flags & DATASET_ALL_FILES));
	json_object_set_new(o, "ignored_files", json_integer((json_int_t)b->ds.nr_ignored));
	json_object_set_new(o, "ignored_special", json_integer((json_int_t)b->ds.nr_special));
	json_object_set_new(o, "ignored_special_examples", special_json(&b->ds));
	json_object_set_new(o, "follow_links",
			    json_boolean(b->cfg.dataset_flags & DATASET_FOLLOW_LINKS));
	json_object_set_new(o, "linked_outside", json_integer((json_int_t)b->ds.nr_linked_out));
	json_object_set_new(o, "linked_outside_examples", linked_json(&b->ds));
	json_object_set_new(o, "header_checks", bench_header_checks_json(&b->ds));
	json_object_set_new(o, "not_mrc_files", json_integer((json_int_t)b->ds.nr_not_mrc));
	json_object_set_new(o, "not_mrc_examples", not_mrc);
	json_object_set_new(o, "list_seconds", json_real(b->ds.list_seconds));
	json_object_set_new(o, "size_histogram", size_histogram_json(&b->ds));
	json_object_set_new(o, "kind", json_string(dataset_kind_name(b->ds.kind)));
	json_object_set_new(o, "metadata", text_json(b->ds.meta));
	json_object_set_new(o, "project_dir", b->ds.meta ? text_json(b->ds.root) : json_null());
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

/*
 * SRC that is not a folder names a job's metadata: a regular file, or a list piped in with
 * <(...); dataset_load() refuses what is neither (a device, a socket, a named FIFO), naming it.
 */
static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
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
		      "%.0f MB margin, %s available", b->cfg.dst, jobs, jobs == 1 ? "y" : "ies",
		      jobs == 1 ? "s" : "", human_size(b->ds.bytes * jobs, need, sizeof(need)),
		      (double)SPACE_MARGIN / 1e6, human_size(d.fs_free, have, sizeof(have)));
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

	if (b->ds.nr_special)
		warning("%zu entr%s in '%s' %s no regular file%s and %s not copied (first: '%s', a "
			"%s)", b->ds.nr_special, b->ds.nr_special == 1 ? "y" : "ies", b->src,
			b->ds.nr_special == 1 ? "is" : "are", b->ds.nr_special == 1 ? "" : "s",
			b->ds.nr_special == 1 ? "is" : "are", b->ds.special[0].rel,
			b->ds.special[0].type);
	if (b->ds.nr_linked_out)
		warning("%zu stack%s copied through links to files outside '%s' (--follow-links; "
			"first: '%s'): the runs read them where the links point, which may be other "
			"storage than '%s'", b->ds.nr_linked_out, b->ds.nr_linked_out == 1 ? " is" :
			"s are", b->src, b->ds.linked_out[0], b->src);
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

int bench_check_outputs(const char *src, const char *dst, const char *out, const char *drop_path)
{
	char *where = path_resolve(out ? out : RESULTS_DEFAULT_BASE);
	char *drop = drop_path ? path_resolve(drop_path) : NULL;
	int status = 1;

	if (where && path_is_within(where, src)) {
		if (out)
			error("results folder '%s' is inside the source '%s': nothing is written "
			      "there; choose --out elsewhere", out, src);
		else
			error("the default results folder '%s' would be inside the source '%s' "
			      "(the current folder is in it): nothing is written there; run from "
			      "elsewhere or give --out", where, src);
	} else if (drop && (path_is_within(drop, src) || (dst && path_is_within(drop, dst)))) {
		error("--drop-caches-path '%s' is inside the %s '%s': the tool writes to that file; "
		      "give the kernel's /proc/sys/vm/drop_caches or a file elsewhere", drop_path,
		      path_is_within(drop, src) ? "source" : "destination",
		      path_is_within(drop, src) ? src : dst);
	} else {
		status = 0;
	}
	free(drop);
	free(where);
	return status;
}

/*
 * Continue the session in cfg->out: the same source, the same files and bytes, the same
 * destination (a resumed session must measure what the first part measured), its run numbers
 * carried on.
 */
static int open_resumed(struct bench *b)
{
	const char *dst;
	json_t *src;
	json_t *run;
	size_t i;
	char why[256] = "";
	char *escaped;
	bool same;
	int ret = results_load(&b->res, b->cfg.out, why, sizeof(why));

	if (ret) {
		error("cannot resume from '%s': %s", b->res.path, why);
		return 1;
	}
	src = json_object_get(b->res.root, "source");
	/* results.json holds the path escaped (lib/text.h). */
	escaped = text_escape(b->src);
	same = !strcmp(json_string_value(json_object_get(src, "path")) ?: "", escaped);
	free(escaped);
	if (!same || json_integer_value(json_object_get(src, "files")) != (json_int_t)b->ds.nr ||
	    json_integer_value(json_object_get(src, "bytes")) != (json_int_t)b->ds.bytes) {
		error("cannot resume from '%s': it measured '%s' (%lld files, %lld bytes), not '%s' "
		      "(%zu files, %llu bytes) as it is now", b->res.path,
		      json_string_value(json_object_get(src, "path")) ?: "?",
		      (long long)json_integer_value(json_object_get(src, "files")),
		      (long long)json_integer_value(json_object_get(src, "bytes")), b->src, b->ds.nr,
		      (unsigned long long)b->ds.bytes);
		return 1;
	}
	dst = json_string_value(json_object_get(json_object_get(b->res.root, "destination"),
						"path"));
	if (dst && strcmp(dst, b->dst)) {
		error("cannot resume from '%s': it copied into '%s', not '%s'", b->res.path, dst,
		      b->dst);
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
	char why[DATASET_WHY_MAX];
	int ret;

	memset(b, 0, sizeof(*b));
	b->cfg = *cfg;
	if (cfg->dry_run)
		b->cfg.sample_interval = 0;	/* a probe writes no samples file */
	if (cfg->files_list || is_file(cfg->src)) {
		/* A .star, .cs or list names the stacks; copies mirror them below the project. */
		const struct dataset_source dsrc = {
			.files_list = cfg->files_list,
			.project_dir = cfg->project_dir,
			.flags = cfg->dataset_flags,
		};
		ret = dataset_load(&b->ds, cfg->src, &dsrc, why, sizeof(why));
		if (ret) {
			error("%s", why);
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
	if (bench_check_outputs(b->src, b->dst, cfg->out, cfg->drop_path))
		return 1;
	ret = b->ds.meta ? 0
			 : dataset_load_dir(&b->ds, b->src, cfg->dataset_flags, why, sizeof(why));
	if (ret) {
		error("%s", why);
		return 1;
	}
	if (b->ds.nr == 0) {
		char special[160] = "";

		if (b->ds.nr_special)
			snprintf(special, sizeof(special),
				 "; not regular files: %zu, first '%s', a %s", b->ds.nr_special,
				 b->ds.special[0].rel, b->ds.special[0].type);
		if (cfg->dataset_flags & DATASET_ALL_FILES)
			error("no files to copy in '%s'%s", cfg->src, special);
		else
			error("no .mrc/.mrcs files in '%s' (%zu other files ignored%s; --all-files "
			      "takes every file)", cfg->src, b->ds.nr_ignored, special);
		return 1;
	}
	if (cfg->sample && apply_sample(b, cfg->sample))
		return 1;
	warn_not_mrc(b);
	warn_stacks(b);
	if (check_space(b))
		return 1;
	ret = cache_drop_check(cfg->drop_path, why, sizeof(why));
	if (ret == -EINVAL || (ret && cfg->require_drop)) {
		error("%s%s", why, ret == -EINVAL ? "" : ", and --require-drop was given");
		return 1;
	}
	/* Across nodes: every node hears of the session and says whether it can take part. */
	if (cfg->nodes && nodes_open(b))
		return 1;

	if (cfg->resume) {
		if (open_resumed(b))
			return 1;
		goto scratch;
	}
	if (cfg->dry_run) {
		/* The document lives in memory only: probes read its diag, nothing writes it. */
		b->res.root = json_pack("{s:s, s:o, s:o}", "schema", RESULTS_SCHEMA, "params",
					json_incref(cfg->params), "warnings", json_array());
		results_runs(&b->res);
		goto scratch;
	}
	ret = results_create(&b->res, cfg->out, cfg->label, why, sizeof(why));
	if (ret) {
		error("%s", why);
		return 1;
	}
	now_rfc3339(started, sizeof(started));
	json_object_set_new(b->res.root, "tool", bench_tool_json());
	json_object_set_new(b->res.root, "started", json_string(started));
	json_object_set_new(b->res.root, "host", bench_host_json());
	json_object_set_new(b->res.root, "source", source_json(b));
	json_object_set_new(b->res.root, "destination", bench_location_json(b->dst));
	json_object_set_new(b->res.root, "diag", diag_paths_json(b->src, b->dst, b->ds.bytes));
	json_object_set_new(b->res.root, "params", json_incref(cfg->params));
	json_object_set_new(b->res.root, "warnings", json_array());
	if (b->nodes)
		nodes_describe(b);
	results_runs(&b->res);
	ret = results_write(&b->res);
	if (ret) {
		error("cannot write '%s': %s", b->res.path, strerror(-ret));
		return 1;
	}

scratch:
	b->runs_at_begin = json_array_size(results_runs(&b->res));
	ret = scratch_create(&b->scratch, b->dst);
	if (ret) {
		error("cannot create a scratch directory in '%s': %s", cfg->dst, strerror(-ret));
		return 1;
	}
	b->have_scratch = true;
	if (b->nodes)	/* rank 0's, beside the others' (written with the first run) */
		json_object_set_new(json_array_get(json_object_get(b->res.root, "nodes"), 0),
				    "scratch", json_string(b->scratch.path));
	return 0;
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

const char *bench_phase_name(int phase)
{
	static const char *const names[] = {
		[BENCH_PHASE_IDLE] = "preparing",
		[BENCH_PHASE_CLEANING] = "cleaning up",
		[BENCH_PHASE_DROPPING] = "dropping caches",
		[BENCH_PHASE_SETTLING] = "settling",
		[BENCH_PHASE_COPYING] = "copying",
		[BENCH_PHASE_SYNCING] = "syncing",
		[BENCH_PHASE_VERIFYING] = "verifying",
		[BENCH_PHASE_RECORDING] = "recording",
	};

	if (phase < 0 || (size_t)phase >= sizeof(names) / sizeof(names[0]))
		return "";
	return names[phase];
}

int bench_run_spec(struct bench *b, const struct bench_spec *spec, json_t **probe)
{
	const unsigned njobs = b->cfg.jobs ? b->cfg.jobs : 1;
	struct copy_job *jobs;
	struct run_copy rc;
	json_t *run;
	int status;
	int ret;

	b->probe_out = probe;
	memset(&b->ov, 0, sizeof(b->ov));
	b->ov.t0 = now_mono();
	if (b->nodes)
		return run_nodes(b, spec);
	run = run_new(b, spec, njobs);
	ret = run_clean_scratch(b, run);
	b->ov.delete_s = now_mono() - b->ov.t0;
	if (ret)
		return run_finish(b, run, 1);
	jobs = make_jobs(b, spec->strategy, njobs, run);
	if (!jobs)
		return run_finish(b, run, 1);
	if (run_prepare(b, spec->strategy, run)) {
		free_jobs(jobs, njobs);
		return run_finish(b, run, 1);
	}
	run_copy(b, jobs, njobs, spec->threads, run, &rc);
	atomic_store(&b->phase, BENCH_PHASE_RECORDING);
	status = run_record_copy(b, spec->strategy, &rc, run);
	if (!status)
		status = run_record_checks(b, jobs, njobs, rc.durable, run);
	free_jobs(jobs, njobs);
	status = run_finish(b, run, status);
	atomic_store(&b->phase, BENCH_PHASE_IDLE);
	return status;
}

int bench_probe(struct bench *b, const struct bench_spec *spec, uint64_t max_bytes, uint64_t seed,
		struct bench_rate *out)
{
	const uint64_t target = max_bytes < b->ds.bytes ? max_bytes : b->ds.bytes;
	struct dataset full = b->ds;
	struct dataset set;
	json_t *probe = NULL;
	const double t0 = now_mono();
	int status;

	dataset_sample(&b->ds, target, seed, &set);
	b->ds = set;
	status = bench_run_spec(b, spec, &probe);
	b->ds = full;
	dataset_release(&set);
	if (status || !probe) {
		json_decref(probe);
		if (status < 128)
			error("the probe run of %s at %u thread%s failed", spec->strategy->name,
			      spec->threads, spec->threads == 1 ? "" : "s");
		return status ? status : 1;
	}
	*out = (struct bench_rate){
		.strategy = spec->strategy,
		.threads = spec->threads,
		.bytes = (uint64_t)json_integer_value(json_object_get(probe, "bytes")),
		.files = (size_t)json_integer_value(json_object_get(probe, "files")),
		.seconds = json_number_value(json_object_get(probe, "seconds_durable")),
	};
	out->bytes_s = out->seconds > 0 ? (double)out->bytes / out->seconds : 0;
	out->overhead = now_mono() - t0 - out->seconds;
	json_decref(probe);
	if (!(out->bytes_s > 0)) {
		error("the probe run of %s at %u thread%s copied nothing measurable",
		      spec->strategy->name, spec->threads, spec->threads == 1 ? "" : "s");
		return 1;
	}
	return 0;
}

/* Microseconds since the Unix epoch: comparable between ranks of one host (and, as far as their
 * clocks agree, between hosts). */
static json_int_t now_real_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (json_int_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* This node's share of the set (--node-files split) in place of the set; false: the whole set. */
static bool take_share(struct bench *b, int rank, unsigned nodes, struct dataset *full)
{
	struct dataset share;

	if (!b->nodes->split || nodes < 2)
		return false;
	dataset_share(&b->ds, (size_t)rank, nodes, &share);
	*full = b->ds;
	b->ds = share;
	return true;
}

/* The part's "timing": the wall clock, and seconds from the barrier's release (released_ns). */
static json_t *part_timing(const struct run_copy *rc, json_int_t prepared_us,
			   json_int_t released_us, uint64_t released_ns)
{
	const double start = ((double)rc->ps.start_ns - (double)released_ns) / 1e9;

	return json_pack("{s:I, s:I, s:I, s:f, s:f, s:f}", "prepared_at_us", prepared_us,
			 "released_at_us", released_us, "started_at_us",
			 released_us + (json_int_t)(start * 1e6), "start_s", start, "end_copied_s",
			 start + rc->ps.seconds, "end_durable_s", start + rc->durable);
}

/* The copy of a part, after the barrier released it, and its record. */
static int part_copy(struct bench *b, const struct bench_spec *spec, struct copy_job *jobs,
		     unsigned njobs, json_t *run, json_int_t prepared_us)
{
	const json_int_t released_us = now_real_us();
	const uint64_t released_ns = now_mono_ns();
	struct run_copy rc;
	int status;

	run_copy(b, jobs, njobs, spec->threads, run, &rc);
	json_object_set_new(run, "timing", part_timing(&rc, prepared_us, released_us, released_ns));
	status = run_record_copy(b, spec->strategy, &rc, run);
	if (!status)
		status = run_record_checks(b, jobs, njobs, rc.durable, run);
	return status;
}

int bench_node_run(struct bench *b, const struct bench_spec *spec, unsigned seq, int rank,
		   json_t **part)
{
	const unsigned njobs = b->cfg.jobs ? b->cfg.jobs : 1;
	struct copy_job *jobs = NULL;
	struct dataset full;
	bool shared;
	json_int_t prepared_us;
	json_t *run;
	int status = 0;
	int worst = 0;

	*part = NULL;
	if ((unsigned)rank >= spec->nodes)
		return cluster_barrier(0, &worst) ? 1 : 0;	/* not in this cell: wait */
	shared = take_share(b, rank, spec->nodes, &full);
	memset(&b->ov, 0, sizeof(b->ov));
	b->ov.t0 = now_mono();
	b->in_part = true;
	b->part_seq = seq;
	run = run_new(b, spec, njobs);
	json_object_set_new(run, "rank", json_integer(rank));
	json_object_set(run, "host", json_array_get(b->nodes->hosts, (size_t)rank));
	if (shared)
		json_object_set_new(run, "share", json_pack("{s:i, s:i, s:I, s:I}", "index", rank,
							    "of", (int)spec->nodes, "files",
							    (json_int_t)b->ds.nr, "bytes",
							    (json_int_t)b->ds.bytes));
	status = run_clean_scratch(b, run);
	if (!status) {
		jobs = make_jobs(b, spec->strategy, njobs, run);
		status = jobs ? 0 : 1;
	}
	if (!status)
		status = run_prepare(b, spec->strategy, run);
	/* A part that failed before its drop: the previous copy's removal is over first. */
	if (run_wait_scratch(b, run))
		status = 1;
	prepared_us = now_real_us();
	if (cluster_barrier(status || bench_stop_signal ? 1 : 0, &worst)) {
		run_error(run, "the barrier before the copy failed (MPI)");
		status = 1;
	} else if (!status && worst) {
		/* Another node cannot start: no node copies, so none measures a partial load. */
		run_warn(run, "not copied: another node could not start the run");
		json_object_set_new(run, "aborted", json_true());
		status = 1;
	} else if (!status) {
		status = part_copy(b, spec, jobs, njobs, run, prepared_us);
	}
	if (bench_stop_signal)
		json_object_set_new(run, "stop_signal", json_integer(bench_stop_signal));
	if (jobs)
		free_jobs(jobs, njobs);
	if (shared) {
		dataset_release(&b->ds);
		b->ds = full;
	}
	b->in_part = false;
	*part = run;
	return bench_stop_signal ? 128 + bench_stop_signal : status;
}

int bench_end(struct bench *b)
{
	char finished[64];
	int status = 0;
	int ret;

	/* A resume refused before its first run must not touch the results it refused. */
	if (b->res.root && !b->cfg.dry_run && (b->recorded || !b->cfg.resume)) {
		const int failed_before = b->res.write_err;

		results_check_first_run_bias(&b->res);
		now_rfc3339(finished, sizeof(finished));
		json_object_set_new(b->res.root, "finished", json_string(finished));
		ret = results_write(&b->res);
		if (ret) {
			/* Said once: the closing message (measure_report) says what is lost. */
			if (!failed_before)
				error("cannot write '%s': %s", b->res.path, strerror(-ret));
			status = 1;
		}
	}
	if (b->have_scratch) {
		/* The last run's copy, being removed: over before the directory goes. */
		ret = bench_join_remover(b);
		if (ret) {
			error("cannot remove a copy from the scratch directory '%s': %s",
			      b->scratch.path, strerror(-ret));
			status = 1;
		}
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
	if (b->nodes) {
		json_decref(b->nodes->hosts);
		json_decref(b->nodes->said);
		json_decref(b->nodes->hellos);
		json_decref(b->nodes->session);
		free(b->nodes);
	}
	/* The remover uses the scratch directory's descriptor: it ends before that is closed. */
	bench_join_remover(b);
	if (b->have_scratch)
		scratch_release(&b->scratch);
	dataset_release(&b->ds);
	results_release(&b->res);
	free(b->src);
	free(b->dst);
	memset(b, 0, sizeof(*b));
}
