/* SPDX-License-Identifier: MIT */
/* fio_clients.c - `fio --clients`: fio's read ceiling from every node of a host file at once. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/fioclients.h"
#include "analysis/fioref.h"
#include "bench/bench.h"
#include "bench/results.h"
#include "cli/fio_clients.h"
#include "copy/child.h"
#include "dataset/dataset.h"
#include "lib/util.h"
#include "sys/sysinfo.h"

/* The servers a host file names: lines that are not empty. 0 with a message when none or unreadable. */
static size_t count_hosts(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t n = 0;

	if (!f) {
		error("fio: cannot read the host file '%s': %s", path, strerror(errno));
		return 0;
	}
	while (fgets(line, sizeof(line), f))
		if (line[strspn(line, " \t\r\n")])
			n++;
	fclose(f);
	if (!n)
		error("fio: the host file '%s' names no server (one a line: host or host,port)", path);
	return n;
}

/* fio's first line of --version ("fio-3.33"), or NULL with a message. */
static char *local_version(const char *fio)
{
	char *path = strchr(fio, '/') ? xstrdup(fio) : child_find_program(fio);
	char *const argv[] = { (char *)fio, "--version", NULL };
	char *line = NULL;
	int st;

	if (!path) {
		error("fio: cannot find '%s': fio is not installed (apt-get install fio)", fio);
		return NULL;
	}
	st = child_first_line(path, argv, false, &line);
	free(path);
	if (st || !line || strncmp(line, "fio-", 4)) {
		error("fio: '%s' --version did not say it is fio", fio);
		free(line);
		return NULL;
	}
	return line;
}

/* fio --client=HOSTFILE with job, its output (normal and JSON) into out_path. Returns 0 or -1. */
static int run_client(const struct fio_clients_opts *o, const char *job, const char *out_path)
{
	char *client = xasprintf("--client=%s", o->hostfile);
	char *output = xasprintf("--output=%s", out_path);
	char buf[96];
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDOUT_FILENO);
		}
		/* the output options are the client's own, before --client; the job goes to all */
		execlp(o->fio, o->fio, "--output-format=json,normal", output, client, job,
		       (char *)NULL);
		_exit(127);
	}
	free(client);
	free(output);
	if (pid < 0) {
		error("fio: cannot start '%s': %s", o->fio, strerror(errno));
		return -1;
	}
	st = child_wait(pid);
	if (st == 0)
		return 0;
	error("fio: '%s --client=%s' %s (is 'fio --server' running on every node of it?)", o->fio,
	      o->hostfile, st < 0 ? strerror(-st) : child_status_text(st, buf, sizeof(buf)));
	return -1;
}

static char *write_job(const char *dir, const char *name, const struct fioref_file *files,
		       size_t nr, const struct fioref_job *j)
{
	char *text = fioref_job_file(files, nr, j);
	char *path = xasprintf("%s/%s.fio", dir, name);
	char *tmp = xasprintf("%s.tmp", path);
	int ret;

	if (!text) {
		error("fio: cannot write a job file for these paths (a newline in a name?)");
		free(tmp);
		free(path);
		return NULL;
	}
	ret = write_text_atomic(path, tmp, text, NULL);
	free(tmp);
	free(text);
	if (ret) {
		error("cannot write '%s': %s", path, strerror(-ret));
		free(path);
		return NULL;
	}
	return path;
}

/*
 * One pass of job (name, in dir) by every server at once into r: one pass over the files, or with
 * runtime, time-based for that long. Returns 0, or -1 with a message.
 */
static int client_pass(const struct fio_clients_opts *o, const char *dir, const char *name,
		       const struct fioref_file *files, size_t nr, const struct fioref_job *rj,
		       struct fioclients_result *r, char **job, char **out)
{
	char *text = NULL;
	size_t len = 0;
	char why[256];
	int status = -1;

	fioclients_release(r);
	memset(r, 0, sizeof(*r));
	free(*job);
	free(*out);
	*job = write_job(dir, name, files, nr, rj);
	*out = xasprintf("%s/%s.out", dir, name);
	if (!*job || run_client(o, *job, *out))
		return -1;
	if (read_text_file(*out, &text, &len) || fioclients_parse(text, r, why, sizeof(why))) {
		error("fio: '%s': %s", *out, text ? why : "cannot be read");
		goto out;
	}
	for (size_t i = 0; i < r->nr; i++) {
		info("fio: %s: %s port %ld: %.0f MB/s%s", name, r->hosts[i].host, r->hosts[i].port,
		     r->hosts[i].read.mb_s, r->hosts[i].errors ? " (fio reported an error)" : "");
		if (r->hosts[i].errors) {
			error("fio: %s: the job failed on %s (see '%s')", name, r->hosts[i].host, *out);
			goto out;
		}
	}
	status = 0;
out:
	free(text);
	return status;
}

/*
 * One read of the set by every server at once, with jobs fio jobs each; into list. A pass shorter
 * than --runtime is followed by a time-based one of --runtime seconds (as on one node), which is
 * the measurement.
 */
static int measure(const struct fio_clients_opts *o, const char *dir, const char *name,
		   const struct fioref_file *files, size_t nr, unsigned jobs, json_t *list,
		   json_t **versions, double *mb_s)
{
	struct fioref_job rj = { .jobs = jobs, .bs = o->bs, .iodepth = (unsigned)o->iodepth,
				 .ioengine = o->ioengine };
	struct fioclients_result r;
	char *job = NULL;
	char *out = NULL;
	bool timed = false;
	int status = -1;

	memset(&r, 0, sizeof(r));
	info("fio: %s: every node reads SRC, %u job%s each", name, jobs, jobs == 1 ? "" : "s");
	if (client_pass(o, dir, name, files, nr, &rj, &r, &job, &out))
		goto out;
	if (o->runtime > 0 && r.read_all.runtime_s < (double)o->runtime) {
		char *timed_name = xasprintf("%s-timed", name);

		info("fio: %s: one pass took %.2f s, under --runtime %ld s: again, time-based", name,
		     r.read_all.runtime_s, o->runtime);
		rj.runtime_s = (unsigned)o->runtime;
		timed = true;
		status = client_pass(o, dir, timed_name, files, nr, &rj, &r, &job, &out);
		free(timed_name);
		if (status)
			goto out;
		status = -1;
	}
	*mb_s = r.read_all.mb_s;
	info("fio: %s: all %zu clients together: %.0f MB/s", name, r.nr, *mb_s);
	json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:b, s:f, s:f, s:b, s:o, s:s, s:s}",
					      "name", name, "kind", "read", "jobs", (int)jobs,
					      "direct", 0, "mb_s", *mb_s, "runtime_s",
					      r.read_all.runtime_s, "time_based", timed, "clients",
					      fioclients_json(&r), "job_file", strrchr(job, '/') + 1,
					      "output", strrchr(out, '/') + 1));
	if (!*versions)
		*versions = json_incref(r.versions);
	status = 0;
out:
	fioclients_release(&r);
	free(job);
	free(out);
	return status;
}

/* The servers' fio versions against this one's: said (and recorded) when they differ. */
static void check_versions(struct results *res, const char *version, json_t *versions)
{
	json_t *v;
	size_t i;

	json_array_foreach(versions, i, v) {
		const char *theirs = json_string_value(json_object_get(v, "fio"));

		if (theirs && strcmp(theirs, version)) {
			char *msg = xasprintf("fio versions differ: this node runs %s, '%s' runs %s; "
					      "numbers of different fio versions may not compare "
					      "(install the same fio on every node)", version,
					      json_string_value(json_object_get(v, "host")) ?: "?",
					      theirs);

			warning("%s", msg);
			results_warn(res, msg);
			free(msg);
		}
	}
}

/* SRC's stacks as fio's read files; NULL with a message. */
static struct fioref_file *read_files(const struct fio_clients_opts *o, struct dataset *ds)
{
	char why[DATASET_WHY_MAX];
	struct fioref_file *files;
	int ret = dataset_load(ds, o->src,
			       &(struct dataset_source){ .flags = o->dataset_flags },
			       why, sizeof(why));

	if (ret) {
		error("%s", why);
		return NULL;
	}
	if (!ds->nr) {
		error("fio: no particle stacks below '%s'", o->src);
		return NULL;
	}
	files = xcalloc(ds->nr, sizeof(*files));
	for (size_t i = 0; i < ds->nr; i++) {
		files[i].path = xasprintf("%s/%s", ds->root, ds->files[i].rel);
		files[i].size = ds->files[i].size;
	}
	return files;
}

int fio_write_results(struct results *res)
{
	char finished[64];
	int ret;

	now_rfc3339(finished, sizeof(finished));
	json_object_set_new(res->root, "finished", json_string(finished));
	ret = results_write(res);
	if (ret) {
		error("cannot write '%s': %s", res->path, strerror(-ret));
		return 1;
	}
	printf("results: %s\n", res->path);
	return 0;
}

int fio_clients_run(const struct fio_clients_opts *o)
{
	struct results res = { 0 };
	struct dataset ds = { 0 };
	struct fioref_file *files = NULL;
	struct host_info host;
	json_t *list = json_array();
	json_t *versions = NULL;
	json_t *ref;
	char *version = NULL;
	char started[64];
	char why[PATH_MAX + 256];
	double one = 0, many = 0;
	size_t hosts;
	unsigned jobs;
	int status = 1;
	int ret;

	hosts = count_hosts(o->hostfile);
	if (hosts)
		version = local_version(o->fio);
	if (version)
		files = read_files(o, &ds);
	if (!files)
		goto out;
	ret = results_create(&res, o->out, "fio-clients", why, sizeof(why));
	if (ret) {
		error("%s", why);
		goto out;
	}
	host_info_read(&host);
	jobs = o->jobs ? (unsigned)o->jobs : (unsigned)(host.cores > 0 ? host.cores : 1);
	now_rfc3339(started, sizeof(started));
	json_object_set_new(res.root, "tool", bench_tool_json());
	json_object_set_new(res.root, "started", json_string(started));
	json_object_set_new(res.root, "host", bench_host_json());
	json_object_set_new(res.root, "source", json_pack("{s:s, s:I, s:I}", "path", ds.root,
							  "files", (json_int_t)ds.nr, "bytes",
							  (json_int_t)ds.bytes));
	json_object_set_new(res.root, "params", json_incref(o->params));
	json_object_set_new(res.root, "warnings", json_array());
	ref = json_pack("{s:s, s:s, s:s, s:I, s:o}", "fio_version", version, "mode", "clients",
			"hostfile", o->hostfile, "clients", (json_int_t)hosts, "measurements",
			json_incref(list));
	json_object_set_new(res.root, "reference", ref);
	info("fio: %s; %zu files, %.2f GB below '%s', read by the %zu servers of '%s' at once; "
	     "results in '%s'", version, ds.nr, (double)ds.bytes / 1e9, ds.root, hosts,
	     o->hostfile, res.dir);
	if (measure(o, res.dir, "read-1-clients", files, ds.nr, 1, list, &versions, &one) ||
	    measure(o, res.dir, "read-n-clients", files, ds.nr, jobs, list, &versions, &many))
		goto write;
	check_versions(&res, version, versions);
	json_object_set_new(ref, "versions", versions ? json_incref(versions) : json_array());
	json_object_set_new(ref, "ceiling_mb_s", json_real(one > many ? one : many));
	json_object_set_new(ref, "ceiling_kind", json_string("read by every client at once"));
	printf("fio %s, read by %zu clients at once: %.0f MB/s (1 job each %.0f, %u jobs each "
	       "%.0f)\n", version, hosts, one > many ? one : many, one, jobs, many);
	status = 0;
write:
	if (fio_write_results(&res))
		status = 1;
out:
	for (size_t i = 0; files && i < ds.nr; i++)
		free((char *)files[i].path);
	free(files);
	json_decref(versions);
	json_decref(list);
	if (res.root)
		results_release(&res);
	dataset_release(&ds);
	free(version);
	return status;
}
