/* cmd_fio.c - `fio SRC DST`: fio's ceilings for the same files, as the reference for a sweep. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/fioref.h"
#include "bench/pagecache.h"
#include "bench/results.h"
#include "bench/scratch.h"
#include "cli/cmdline.h"
#include "cli/cmds.h"
#include "cli/fio_clients.h"
#include "dataset/dataset.h"
#include "lib/util.h"
#include "sys/sysinfo.h"

struct fio_opts {
	uint64_t bs;
	long iodepth;
	long jobs;
	char *ioengine;
	bool all_files;
	char *fio;
	char *out;
	char *drop_path;
	char *profile;
	char *clients;
};

static const struct opt_def fio_options[] = {
	OPT_SIZE_("bs", 0, struct fio_opts, bs, "1M", "SIZE", "fio's block size"),
	OPT_LONG_("iodepth", 0, struct fio_opts, iodepth, "32", "N", 1, 4096, "fio's queue depth"),
	OPT_LONG_("jobs", 'j', struct fio_opts, jobs, "0", "N", 0, 4096,
		  "the many-jobs runs use N fio jobs (0: the online CPUs); the others use 1"),
	OPT_STRING_("ioengine", 0, struct fio_opts, ioengine, "io_uring", "NAME", 0,
		    "fio's I/O engine"),
	OPT_BOOL_("all-files", 0, struct fio_opts, all_files,
		  "read every regular file, not only .mrc/.mrcs"),
	OPT_STRING_("fio", 0, struct fio_opts, fio, "fio", "PATH", 0, "the fio program to run"),
	OPT_STRING_("out", 'o', struct fio_opts, out, NULL, "DIR", OPT_NO_ECHO,
		    "results folder (default: a new ./cryocache-results/<time>-fio)"),
	OPT_STRING_("drop-caches-path", 0, struct fio_opts, drop_path, "/proc/sys/vm/drop_caches",
		    "FILE", 0, "where to write 3 to drop the page cache"),
	OPT_STRING_("profile", 0, struct fio_opts, profile, NULL, "FILE|NAME", 0,
		    "options from the [fio] section of an INI profile, a file or a shipped one by "
		    "name; the command line overrides them"),
	OPT_STRING_("clients", 0, struct fio_opts, clients, NULL, "HOSTFILE", OPT_NO_ECHO,
		    "across nodes: every 'fio --server' of HOSTFILE (host or host,port a line) reads "
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
		   "fio only ever reads SRC: its read jobs run as `fio --readonly` without a size.",
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
	char *path = xasprintf("%s/%s.fio", c->dir, name);
	FILE *f;
	int bad;

	if (!text) {
		error("fio: cannot write a job file for these paths (a newline in a name?)");
		free(path);
		return NULL;
	}
	f = fopen(path, "w");
	bad = !f || fputs(text, f) < 0;
	if ((f && fclose(f)) || bad) {
		error("cannot write '%s': %s", path, strerror(errno));
		free(path);
		path = NULL;
	}
	free(text);
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
	int ret = cache_make_cold(&c->ds, c->ds.root, c->s.path, c->o->drop_path, &used, NULL, 0);

	if (ret)
		error("fio: cannot drop the page cache: %s", strerror(-ret));
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

/*
 * One measurement: name, what runs (a reader, a writer or both at once), how many jobs, O_DIRECT.
 * Appends {name, kind, jobs, direct, read, write, mb_s, job_files, outputs} to list.
 */
static int measure(struct fio_ctx *c, const char *name, bool rd, bool wr, unsigned jobs,
		   bool direct, json_t *list, double *mb_s)
{
	const struct fioref_job rj = { .write = false, .direct = direct, .jobs = jobs,
				       .bs = c->o->bs, .iodepth = (unsigned)c->o->iodepth,
				       .ioengine = c->o->ioengine };
	struct fioref_job wj = rj;
	struct fioref_result rr = { 0 }, wr_res = { 0 };
	char *rjob = NULL, *wjob = NULL, *rout = NULL, *wout = NULL;
	char *tmp;
	pid_t rpid = -1, wpid = -1;
	json_t *m;
	int status = -1;

	wj.write = true;
	if (rd) {
		tmp = xasprintf("%s-read", name);
		rjob = write_job(c, tmp, c->src_files, &rj);
		free(tmp);
		rout = xasprintf("%s/%s-read.json", c->dir, name);
	}
	if (wr) {
		tmp = xasprintf("%s-write", name);
		wjob = write_job(c, tmp, c->dst_files, &wj);
		free(tmp);
		wout = xasprintf("%s/%s-write.json", c->dir, name);
	}
	if ((rd && !rjob) || (wr && !wjob))
		goto out;
	if (wr && layout_dst(c))
		goto out;
	if (make_cold(c))
		goto out;
	info("fio: %s: %s%s%s, %u job%s, %s", name, rd ? "read SRC" : "", rd && wr ? " and " : "",
	     wr ? "write DST" : "", jobs, jobs == 1 ? "" : "s", direct ? "O_DIRECT" : "buffered");
	/* the reader and the writer start together, each its own fio process */
	if (rd)
		rpid = fio_start(c, rjob, rout, true);
	if (wr)
		wpid = fio_start(c, wjob, wout, false);
	if ((rd && rpid < 0) || (wr && wpid < 0))
		goto out;
	if (rd && fio_wait(c, rpid, name))
		goto out;
	rpid = -1;
	if (wr && fio_wait(c, wpid, name))
		goto out;
	wpid = -1;
	if ((rd && parse_output(rout, &rr)) || (wr && parse_output(wout, &wr_res)))
		goto out;
	if (rd && wr)
		*mb_s = fioref_pair_mb_s(&rr.read, &wr_res.write);
	else
		*mb_s = rd ? rr.read.mb_s : wr_res.write.mb_s;
	m = json_pack("{s:s, s:s, s:i, s:b, s:f}", "name", name, "kind",
		      rd && wr ? "copy" : rd ? "read" : "write", "jobs", (int)jobs, "direct",
		      direct, "mb_s", *mb_s);
	json_object_set_new(m, "read", rd ? fioref_result_json(&rr) : json_null());
	json_object_set_new(m, "write", wr ? fioref_result_json(&wr_res) : json_null());
	json_object_set_new(m, "job_files", json_pack("{s:s?, s:s?}", "read",
						      rd ? strrchr(rjob, '/') + 1 : NULL, "write",
						      wr ? strrchr(wjob, '/') + 1 : NULL));
	json_array_append_new(list, m);
	info("fio: %s: %.0f MB/s", name, *mb_s);
	status = 0;
out:
	if (rpid > 0)
		fio_wait(c, rpid, name);
	if (wpid > 0)
		fio_wait(c, wpid, name);
	free(rjob);
	free(wjob);
	free(rout);
	free(wout);
	return status;
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

int cmd_fio(int argc, char **argv)
{
	struct fio_opts o = { 0 };
	struct fio_ctx c = { .o = &o };
	struct results res = { 0 };
	struct host_info host;
	char **args;
	char *version = NULL;
	char why[DATASET_WHY_MAX];
	json_t *list;
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
		json_t *params = options_to_json(fio_command.options, &o);

		status = fio_clients_run(&(struct fio_clients_opts){
			.fio = o.fio, .hostfile = o.clients, .src = args[0], .dst = args[1],
			.out = o.out, .ioengine = o.ioengine, .bs = o.bs, .iodepth = o.iodepth,
			.jobs = o.jobs, .all_files = o.all_files, .params = params });
		json_decref(params);
		options_release(fio_command.options, &o);
		return status;
	}
	version = fio_version(o.fio);
	if (!version) {
		error("fio: cannot run '%s': fio is not installed (apt-get install fio) or is not fio; "
		      "sweeps and runs do not need it", o.fio);
		goto out;
	}
	host_info_read(&host);
	c.cores = o.jobs ? (unsigned)o.jobs : (unsigned)(host.cores > 0 ? host.cores : 1);
	/* SRC may be a folder, a RELION .star, a CryoSPARC .cs or a file list, as for run. */
	ret = dataset_load(&c.ds, args[0],
			   &(struct dataset_source){ .flags = o.all_files ? DATASET_ALL_FILES : 0 },
			   why, sizeof(why));
	if (ret) {
		error("%s", why);
		goto out;
	}
	if (!c.ds.nr) {
		error("fio: no particle stacks below '%s'", args[0]);
		goto out;
	}
	ret = scratch_create(&c.s, args[1]);
	if (ret) {
		error("cannot make a scratch directory in '%s': %s", args[1], strerror(-ret));
		goto out;
	}
	have_scratch = true;
	ret = results_create(&res, o.out, "fio");
	if (ret) {
		error("cannot make the results folder: %s", strerror(-ret));
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
	ref = json_pack("{s:s, s:o}", "fio_version", version, "measurements", list);
	json_object_set_new(res.root, "reference", ref);
	json_object_set_new(res.root, "params", options_to_json(fio_command.options, &o));
	if (measure(&c, "read-1", true, false, 1, false, list, &mb_s) ||
	    measure(&c, "read-n", true, false, c.cores, false, list, &mb_s) ||
	    measure(&c, "write-1", false, true, 1, false, list, &mb_s) ||
	    measure(&c, "write-n", false, true, c.cores, false, list, &mb_s) ||
	    measure(&c, "copy-direct", true, true, 1, true, list, &copy_direct) ||
	    measure(&c, "copy-buffered", true, true, 1, false, list, &copy_buffered))
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
	ret = results_write(&res);
	if (ret) {
		error("cannot write '%s': %s", res.path, strerror(-ret));
		status = 1;
	} else {
		printf("results: %s\n", res.path);
	}
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
	free(version);
	options_release(fio_command.options, &o);
	return status;
}
