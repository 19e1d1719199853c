/* SPDX-License-Identifier: MIT */
/* cmd_fio.c - `fio SRC DST`: fio's ceilings for the same files, as the reference for a sweep. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/fioref.h"
#include "bench/bench.h"
#include "bench/pagecache.h"
#include "bench/results.h"
#include "bench/scratch.h"
#include "cli/cmdline.h"
#include "cli/cmds.h"
#include "cli/fio_clients.h"
#include "dataset/dataset.h"
#include "lib/safeopen.h"
#include "lib/util.h"
#include "sys/sysinfo.h"

struct fio_opts {
	uint64_t bs;
	long iodepth;
	long jobs;
	char *ioengine;
	long runtime;
	bool all_files;
	bool follow_links;
	bool check_all;
	char *fio;
	char *out;
	char *drop_path;
	char *profile;
	char *clients;
};

static const struct opt_def fio_options[] = {
	OPT_SIZE_MIN_("bs", 0, struct fio_opts, bs, "1M", "SIZE", 1, "fio's block size"),
	OPT_LONG_("iodepth", 0, struct fio_opts, iodepth, "32", "N", 1, 4096, "fio's queue depth"),
	OPT_LONG_("numjobs", 0, struct fio_opts, jobs, "0", "N", 0, 4096,
		  "the many-jobs runs use N fio jobs (0: the online CPUs); the others use 1"),
	OPT_STRING_("ioengine", 0, struct fio_opts, ioengine, "io_uring", "NAME", 0,
		    "fio's I/O engine"),
	OPT_LONG_("runtime", 0, struct fio_opts, runtime, "5", "S", 0, 3600,
		  "each measurement lasts at least S seconds: one that is over sooner runs again "
		  "time-based, going over the files until S seconds are up (0: one pass)"),
	OPT_BOOL_("all-files", 0, struct fio_opts, all_files,
		  "read every regular file, not only .mrc/.mrcs"),
	OPT_BOOL_("follow-links", 0, struct fio_opts, follow_links,
		  "read through links to stacks outside SRC too"),
	OPT_BOOL_("check-all", 0, struct fio_opts, check_all,
		  "check every stack's MRC header (default: a seeded sample of 2000 in larger sets)"),
	OPT_STRING_("fio", 0, struct fio_opts, fio, "fio", "PATH", 0, "the fio program to run"),
	OPT_STRING_("out", 'o', struct fio_opts, out, NULL, "DIR", OPT_NO_ECHO,
		    "results folder (default: a new ./cryocache-results/<time>-fio)"),
	OPT_STRING_("drop-caches-path", 0, struct fio_opts, drop_path, "/proc/sys/vm/drop_caches",
		    "FILE", 0, "the kernel's drop_caches file, where 3 drops the page cache (a procfs "
		    "mounted elsewhere; no other file is written)"),
	OPT_STRING_("profile", 0, struct fio_opts, profile, NULL, "FILE|NAME", 0,
		    "options from the [fio] section of an INI profile, a file or a shipped one by "
		    "name; the command line overrides them"),
	OPT_GROUP_("Across nodes"),
	OPT_STRING_("clients", 0, struct fio_opts, clients, NULL, "HOSTFILE", OPT_NO_ECHO,
		    "every 'fio --server' of HOSTFILE (host or host,port a line) reads "
		    "SRC at once, through fio's client/server; the ceiling is their sum"),
	OPT_END
};

const struct opt_command fio_command = {
	.name = "fio",
	.synopsis = "SRC DST",
	.brief = "fio's read, write and copy-shaped ceilings for the same files",
	.summary = "Measure fio's ceilings for the particle stacks below SRC: reading them, writing\n"
		   "the same sizes into a scratch directory in DST, and both at once (a copy), with\n"
		   "O_DIRECT and buffered; write results.json with them under \"reference\".\n"
		   "A set done in less than --runtime is measured again, time-based, over the same\n"
		   "files. fio only ever reads SRC: its read jobs run as `fio --readonly` without a\n"
		   "size.",
	.options = fio_options,
	.min_args = 2,
	.max_args = 2,
};

struct fio_ctx {
	struct fio_opts *o;
	struct dataset ds;
	struct scratch s;
	struct fioref_file *src_files;
	struct fioref_file *dst_files;
	char *dir;			/* results folder: job files and fio's outputs */
	unsigned cores;
};

/* Start fio on job, writing JSON to out_path; returns the pid or -1. */
static pid_t fio_start(const struct fio_ctx *c, const char *job, const char *out_path,
		       bool readonly)
{
	char *outarg = xasprintf("--output=%s", out_path);
	pid_t pid = fork();

	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDOUT_FILENO);
		}
		if (readonly)
			execlp(c->o->fio, c->o->fio, "--readonly", "--output-format=json", outarg, job,
			       (char *)NULL);
		else
			execlp(c->o->fio, c->o->fio, "--output-format=json", outarg, job,
			       (char *)NULL);
		_exit(127);
	}
	free(outarg);
	if (pid < 0)
		error("fio: cannot start '%s': %s", c->o->fio, strerror(errno));
	return pid;
}

static int fio_wait(const struct fio_ctx *c, pid_t pid, const char *what)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	error("fio: %s: '%s' %s %d", what, c->o->fio,
	      WIFEXITED(st) ? "exited with status" : "was killed by signal",
	      WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return -1;
}

static char *write_job(const struct fio_ctx *c, const char *name, const struct fioref_file *files,
		       const struct fioref_job *j)
{
	char *text = fioref_job_file(files, c->ds.nr, j);
	char *rel = xasprintf("%s.fio", name);
	char *path = path_join(c->dir, rel);
	char why[PATH_MAX + 128] = "";
	int ret;

	if (!text) {
		error("fio: cannot write a job file for these paths (a newline in a name?)");
		free(rel);
		free(path);
		return NULL;
	}
	/* Made anew in the results folder, as fio's output is (claim()): never through a symlink. */
	const int fd = safe_create_file(c->dir, rel, why, sizeof(why));
	ret = fd < 0 ? fd : write_all(fd, text, strlen(text));
	if (fd >= 0 && close(fd) < 0 && !ret)
		ret = -errno;
	if (ret) {
		error("cannot write '%s': %s", path, *why ? why : strerror(-ret));
		free(path);
		path = NULL;
	}
	free(rel);
	free(text);
	return path;
}

/*
 * fio's output file name in the results folder, made anew and empty here, so that fio (which
 * opens it for writing, following symlinks) finds a file of ours there, not one planted.
 */
static char *claim(const struct fio_ctx *c, const char *name, const char *suffix)
{
	char *rel = xasprintf("%s%s", name, suffix);
	char why[PATH_MAX + 128];
	const int fd = safe_create_file(c->dir, rel, why, sizeof(why));
	char *path = path_join(c->dir, rel);

	free(rel);
	if (fd < 0) {
		error("cannot write '%s': %s", path, why);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

/* Empty the scratch copy folder and create the destination files at their sizes, sparse. */
static int layout_dst(struct fio_ctx *c)
{
	int ret = scratch_empty(&c->s);

	if (ret) {
		error("fio: cannot empty the scratch directory '%s': %s", c->s.path, strerror(-ret));
		return -1;
	}
	for (size_t i = 0; i < c->ds.nr; i++) {
		int fd = open(c->dst_files[i].path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);

		if (fd < 0 || ftruncate(fd, (off_t)c->dst_files[i].size)) {
			error("cannot create '%s': %s", c->dst_files[i].path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

static int make_cold(struct fio_ctx *c)
{
	enum cache_method used;
	char why[PATH_MAX + 160];
	int ret = cache_make_cold(&c->ds, c->ds.root, c->s.path, c->o->drop_path, &used, why,
				  sizeof(why));

	if (ret)
		error("fio: %s", why);
	return ret ? -1 : 0;
}

static int parse_output(const char *path, struct fioref_result *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	FILE *f = fopen(path, "r");
	char buf[8192];
	char why[256];
	size_t n;
	int ret;

	if (!f) {
		fclose(m);
		free(text);
		error("fio: cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	fclose(f);
	fclose(m);
	ret = fioref_parse(text, r, why, sizeof(why));
	free(text);
	if (ret)
		error("fio: '%s': %s", path, why);
	return ret ? -1 : 0;
}

/* One pass of a measurement: its reader and writer, their job files and results. */
struct fio_pass {
	char *rjob, *wjob;		/* the job files, in the results folder */
	struct fioref_result rr, wr;
	double runtime_s;		/* the longer of the two runtimes */
};

static void fio_pass_release(struct fio_pass *p)
{
	free(p->rjob);
	free(p->wjob);
	memset(p, 0, sizeof(*p));
}

/*
 * Run the reader, the writer or both at once (each its own fio process, started together), cold,
 * for one pass over the files or, with runtime, time-based for that many seconds. The job files
 * and fio's outputs are <base>-read.fio, <base>-read.json, <base>-write.*. Returns 0 or -1.
 */
static int run_pass(struct fio_ctx *c, const char *base, bool rd, bool wr, unsigned jobs,
		    bool direct, unsigned runtime, struct fio_pass *p)
{
	const struct fioref_job rj = { .write = false, .direct = direct, .jobs = jobs,
				       .bs = c->o->bs, .iodepth = (unsigned)c->o->iodepth,
				       .ioengine = c->o->ioengine, .runtime_s = runtime };
	struct fioref_job wj = rj;
	char *rout = NULL, *wout = NULL;
	char *tmp;
	pid_t rpid = -1, wpid = -1;
	int status = -1;

	memset(p, 0, sizeof(*p));
	wj.write = true;
	if (rd) {
		tmp = xasprintf("%s-read", base);
		p->rjob = write_job(c, tmp, c->src_files, &rj);
		free(tmp);
		rout = claim(c, base, "-read.json");
	}
	if (wr) {
		tmp = xasprintf("%s-write", base);
		p->wjob = write_job(c, tmp, c->dst_files, &wj);
		free(tmp);
		wout = claim(c, base, "-write.json");
	}
	if ((rd && (!p->rjob || !rout)) || (wr && (!p->wjob || !wout)))
		goto out;
	if (wr && layout_dst(c))
		goto out;
	if (make_cold(c))
		goto out;
	if (rd)
		rpid = fio_start(c, p->rjob, rout, true);
	if (wr)
		wpid = fio_start(c, p->wjob, wout, false);
	if ((rd && rpid < 0) || (wr && wpid < 0))
		goto out;
	if (rd && fio_wait(c, rpid, base))
		goto out;
	rpid = -1;
	if (wr && fio_wait(c, wpid, base))
		goto out;
	wpid = -1;
	if ((rd && parse_output(rout, &p->rr)) || (wr && parse_output(wout, &p->wr)))
		goto out;
	p->runtime_s = rd ? p->rr.read.runtime_s : 0;
	if (wr && p->wr.write.runtime_s > p->runtime_s)
		p->runtime_s = p->wr.write.runtime_s;
	status = 0;
out:
	if (rpid > 0)
		fio_wait(c, rpid, base);
	if (wpid > 0)
		fio_wait(c, wpid, base);
	free(rout);
	free(wout);
	return status;
}

/*
 * One measurement: name, what runs (a reader, a writer or both at once), how many jobs, O_DIRECT.
 * A pass shorter than --runtime is followed by a time-based one of --runtime seconds, which is
 * the measurement. Appends {name, kind, jobs, direct, mb_s, runtime_s, time_based, read, write,
 * job_files} to list, and a warning to warnings when it lasted under FIOREF_SHORT_S.
 */
static int measure(struct fio_ctx *c, const char *name, bool rd, bool wr, unsigned jobs,
		   bool direct, json_t *list, json_t *warnings, double *mb_s)
{
	struct fio_pass p;
	bool timed = false;
	json_t *m;

	info("fio: %s: %s%s%s, %u job%s, %s", name, rd ? "read SRC" : "", rd && wr ? " and " : "",
	     wr ? "write DST" : "", jobs, jobs == 1 ? "" : "s", direct ? "O_DIRECT" : "buffered");
	if (run_pass(c, name, rd, wr, jobs, direct, 0, &p))
		goto fail;
	if (c->o->runtime > 0 && p.runtime_s < (double)c->o->runtime) {
		char *base = xasprintf("%s-timed", name);
		int ret;

		info("fio: %s: one pass took %.2f s; again for %ld s, time-based", name,
		     p.runtime_s, c->o->runtime);
		fio_pass_release(&p);
		ret = run_pass(c, base, rd, wr, jobs, direct, (unsigned)c->o->runtime, &p);
		free(base);
		if (ret)
			goto fail;
		timed = true;
	}
	if (rd && wr)
		*mb_s = fioref_pair_mb_s(&p.rr.read, &p.wr.write);
	else
		*mb_s = rd ? p.rr.read.mb_s : p.wr.write.mb_s;
	m = json_pack("{s:s, s:s, s:i, s:b, s:f, s:f, s:b}", "name", name, "kind",
		      rd && wr ? "copy" : rd ? "read" : "write", "jobs", (int)jobs, "direct",
		      direct, "mb_s", *mb_s, "runtime_s", p.runtime_s, "time_based", timed);
	json_object_set_new(m, "read", rd ? fioref_result_json(&p.rr) : json_null());
	json_object_set_new(m, "write", wr ? fioref_result_json(&p.wr) : json_null());
	json_object_set_new(m, "job_files", json_pack("{s:s?, s:s?}", "read",
						      rd ? strrchr(p.rjob, '/') + 1 : NULL, "write",
						      wr ? strrchr(p.wjob, '/') + 1 : NULL));
	json_array_append_new(list, m);
	if (fioref_measurement_short(m)) {
		char *w = xasprintf("fio's %s lasted %.2f s: too short to measure reliably (use a "
				    "larger set, or --runtime)", name, p.runtime_s);

		warning("%s", w);
		json_array_append_new(warnings, json_string(w));
		free(w);
	}
	info("fio: %s: %.0f MB/s over %.1f s", name, *mb_s, p.runtime_s);
	fio_pass_release(&p);
	return 0;
fail:
	fio_pass_release(&p);
	return -1;
}

/* "fio-3.33", or NULL with a message when fio cannot be run. */
static char *fio_version(const char *fio)
{
	char *cmd = xasprintf("'%s' --version 2>/dev/null", fio);
	FILE *p = strchr(fio, '\'') ? NULL : popen(cmd, "r");
	char line[64] = "";
	int st;

	free(cmd);
	if (!p)
		return NULL;
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	st = pclose(p);
	line[strcspn(line, "\n")] = '\0';
	if (st != 0 || strncmp(line, "fio-", 4))
		return NULL;
	return xstrdup(line);
}

/*
 * SRC into c->ds (a folder, a RELION .star, a CryoSPARC .cs or a file list, as for run), and
 * DST, canonical, into *dst. fio writes its files in DST and the results folder: never in the
 * data it reads. Returns 0, or 1 after a message.
 */
static int load_source(struct fio_ctx *c, char **args, char **dst)
{
	const struct fio_opts *o = c->o;
	const struct dataset_source ds_src = {
		.flags = (o->all_files ? DATASET_ALL_FILES : 0) |
			 (o->follow_links ? DATASET_FOLLOW_LINKS : 0) |
			 (o->check_all ? DATASET_CHECK_ALL : 0),
	};
	char why[DATASET_WHY_MAX];

	if (dataset_load(&c->ds, args[0], &ds_src, why, sizeof(why))) {
		error("%s", why);
		return 1;
	}
	if (!c->ds.nr) {
		error("fio: no particle stacks below '%s'", args[0]);
		return 1;
	}
	*dst = realpath(args[1], NULL);
	if (!*dst) {
		error("cannot access destination '%s': %s", args[1], strerror(errno));
		return 1;
	}
	if (path_is_within(*dst, c->ds.root)) {
		error("destination '%s' is inside the source '%s': fio would write into the data it "
		      "measures", args[1], c->ds.root);
		return 1;
	}
	return bench_check_outputs(c->ds.root, *dst, o->out, o->drop_path);
}

/*
 * What every results.json carries (tool, started, host, the source and destination, params) and
 * an empty runs, so that `report` and `compare` read fio's as any other.
 */
static void begin_doc(struct results *res, const struct fio_ctx *c, const char *dst)
{
	char started[64];
	char *abs = realpath(dst, NULL);
	json_t *src = bench_location_json(c->ds.root);

	now_rfc3339(started, sizeof(started));
	json_object_set_new(src, "files", json_integer((json_int_t)c->ds.nr));
	json_object_set_new(src, "bytes", json_integer((json_int_t)c->ds.bytes));
	json_object_set_new(src, "header_checks", bench_header_checks_json(&c->ds));
	json_object_set_new(res->root, "tool", bench_tool_json());
	json_object_set_new(res->root, "started", json_string(started));
	json_object_set_new(res->root, "host", bench_host_json());
	json_object_set_new(res->root, "source", src);
	json_object_set_new(res->root, "destination", bench_location_json(abs ? abs : dst));
	free(abs);
	json_object_set_new(res->root, "params", options_to_json(fio_command.options, c->o));
	json_object_set_new(res->root, "warnings", json_array());
	results_runs(res);
}

/* --clients: the same files read by every 'fio --server' of the host file (fio_clients.h). */
static int run_clients(const struct fio_opts *o, char **args)
{
	json_t *params = options_to_json(fio_command.options, o);
	const unsigned flags = (o->all_files ? DATASET_ALL_FILES : 0) |
			       (o->follow_links ? DATASET_FOLLOW_LINKS : 0) |
			       (o->check_all ? DATASET_CHECK_ALL : 0);
	int status = fio_clients_run(&(struct fio_clients_opts){
		.fio = o->fio, .hostfile = o->clients, .src = args[0], .dst = args[1],
		.out = o->out, .ioengine = o->ioengine, .bs = o->bs, .iodepth = o->iodepth,
		.jobs = o->jobs, .runtime = o->runtime, .dataset_flags = flags,
		.params = params });

	json_decref(params);
	return status;
}

int cmd_fio(int argc, char **argv)
{
	struct fio_opts o = { 0 };
	struct fio_ctx c = { .o = &o };
	struct results res = { 0 };
	struct host_info host;
	char **args;
	char *version = NULL;
	char *dst = NULL;
	char why[DATASET_WHY_MAX];
	json_t *list;
	json_t *warnings;
	json_t *ref;
	double copy_direct = 0, copy_buffered = 0, mb_s;
	int nargs;
	int status = 1;
	int ret;
	bool have_scratch = false;

	options_defaults(fio_command.options, &o);
	ret = options_parse(&fio_command, argc, argv, &o, &args, &nargs);
	if (ret) {
		options_release(fio_command.options, &o);
		return ret > 0 ? 0 : 2;
	}
	if (o.clients) {
		status = run_clients(&o, args);
		options_release(fio_command.options, &o);
		return status;
	}
	version = fio_version(o.fio);
	if (!version) {
		error("fio: cannot run '%s': fio is not installed (apt-get install fio) or is not fio; "
		      "sweeps and runs do not need it", o.fio);
		goto out;
	}
	/* Refused before anything is made: a path that is not drop_caches is never written. */
	if (cache_drop_check(o.drop_path, why, sizeof(why)) == -EINVAL) {
		error("fio: %s", why);
		goto out;
	}
	host_info_read(&host);
	c.cores = o.jobs ? (unsigned)o.jobs : (unsigned)(host.cores > 0 ? host.cores : 1);
	if (load_source(&c, args, &dst))
		goto out;
	ret = scratch_create(&c.s, args[1]);
	if (ret) {
		error("cannot make a scratch directory in '%s': %s", args[1], strerror(-ret));
		goto out;
	}
	have_scratch = true;
	ret = results_create(&res, o.out, "fio", why, sizeof(why));
	if (ret) {
		error("%s", why);
		goto out;
	}
	c.dir = res.dir;
	c.src_files = xcalloc(c.ds.nr, sizeof(*c.src_files));
	c.dst_files = xcalloc(c.ds.nr, sizeof(*c.dst_files));
	for (size_t i = 0; i < c.ds.nr; i++) {
		c.src_files[i].path = xasprintf("%s/%s", c.ds.root, c.ds.files[i].rel);
		c.src_files[i].size = c.ds.files[i].size;
		c.dst_files[i].path = xasprintf("%s/f%zu", c.s.copy_path, i);
		c.dst_files[i].size = c.ds.files[i].size;
	}
	info("fio: %s; %zu files, %.2f GB below '%s'; results in '%s'", version, c.ds.nr,
	     (double)c.ds.bytes / 1e9, c.ds.root, res.dir);

	list = json_array();
	warnings = json_array();
	ref = json_pack("{s:s, s:I, s:I, s:s, s:I, s:o, s:o}", "fio_version", version, "bs",
			(json_int_t)o.bs, "iodepth", (json_int_t)o.iodepth, "ioengine", o.ioengine,
			"runtime_s", (json_int_t)o.runtime, "measurements", list, "warnings",
			warnings);
	begin_doc(&res, &c, args[1]);
	json_object_set_new(res.root, "reference", ref);
	if (measure(&c, "read-1", true, false, 1, false, list, warnings, &mb_s) ||
	    measure(&c, "read-n", true, false, c.cores, false, list, warnings, &mb_s) ||
	    measure(&c, "write-1", false, true, 1, false, list, warnings, &mb_s) ||
	    measure(&c, "write-n", false, true, c.cores, false, list, warnings, &mb_s) ||
	    measure(&c, "copy-direct", true, true, 1, true, list, warnings, &copy_direct) ||
	    measure(&c, "copy-buffered", true, true, 1, false, list, warnings, &copy_buffered))
		goto write;
	json_object_set_new(ref, "copy_direct_mb_s", json_real(copy_direct));
	json_object_set_new(ref, "copy_buffered_mb_s", json_real(copy_buffered));
	json_object_set_new(ref, "ceiling_mb_s",
			    json_real(copy_direct > copy_buffered ? copy_direct : copy_buffered));
	printf("fio %s, copy-shaped ceiling: %.0f MB/s (O_DIRECT %.0f, buffered %.0f)\n", version,
	       copy_direct > copy_buffered ? copy_direct : copy_buffered, copy_direct,
	       copy_buffered);
	status = 0;
write:
	if (fio_write_results(&res))
		status = 1;
out:
	if (have_scratch) {
		ret = scratch_remove(&c.s);
		if (ret)
			error("cannot remove the scratch directory: %s", strerror(-ret));
	}
	for (size_t i = 0; c.src_files && i < c.ds.nr; i++) {
		free((char *)c.src_files[i].path);
		free((char *)c.dst_files[i].path);
	}
	free(c.src_files);
	free(c.dst_files);
	if (res.root)
		results_release(&res);
	dataset_release(&c.ds);
	free(dst);
	free(version);
	options_release(fio_command.options, &o);
	return status;
}
