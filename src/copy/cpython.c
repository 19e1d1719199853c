/* SPDX-License-Identifier: MIT */
/*
 * cpython.c - the real interpreter: a python3 (or --python) child process runs shutil.copyfile
 * per file in a concurrent.futures.ThreadPoolExecutor of N workers, as CryoSPARC's cache copy
 * does (v4.3+, CRYOSPARC_CACHE_NUM_THREADS). The ground truth the shutil strategy's emulation
 * (cpython_shutil.c) is held against: what is left between the two is the interpreter's own
 * cost (the GIL, bytecode, objects per call), which a system call sequence cannot show.
 *
 * One child per job, started by thread_init() before the clock: its stdin gets the roots and the
 * relative paths, it builds its (src, dst) pairs, says "ready" on stdout and waits. copy_all()
 * sends one byte when the clock starts; the child submits every file to its executor and reports
 * each on stdout as it ends, with its CLOCK_MONOTONIC start and end, so that progress lines,
 * latencies and bytes are counted as for the other strategies:
 *
 *	stdin:   "<bytes>\n" SRC_ROOT \0 DST_ROOT \0 REL \0 REL \0 ...   then "g" (or EOF: give up)
 *	stdout:  "ready <files>\n"
 *	         "ok <index> <start_ns> <end_ns>\n"
 *	         "err <index> <start_ns> <end_ns> <errno> <Python's exception, one line>\n"
 *	         "cpu <user_s> <sys_s>\n"        (os.times() from the go to the last file)
 *
 * After a failed file the child copies nothing more and exits 1; a stopping run (a signal, a
 * failure elsewhere) sends it SIGTERM. Its stderr is ours: a traceback shows as it is.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "copy/child.h"
#include "copy/strategy.h"
#include "lib/dynbuf.h"
#include "lib/opt.h"
#include "lib/util.h"

#define CPYTHON_DEFAULT "python3"
#define CPYTHON_MIN_MINOR 6		/* Python 3.6: the oldest this program runs on */
#define CPYTHON_POLL_MS 100		/* how often a waiting worker looks at the stop flag */
#define CPYTHON_KILL_AFTER_NS (5 * 1000000000ull)	/* SIGTERM, then SIGKILL after this */
#define CPYTHON_WHY_MAX 512

/*
 * The child's program (python -I -c PROGRAM N). Standard library only, and Python 3.6's syntax:
 * no f-strings, no time.monotonic_ns before 3.7. Ctrl-C kills it at once (a KeyboardInterrupt
 * would leave the executor's threads copying every queued file first); the report lines are
 * whole os.write()s under a lock, and a benchmark that has gone (EPIPE) ends it.
 */
static const char cpython_program[] =
	"import concurrent.futures, os, shutil, signal, sys, threading, time\n"
	"signal.signal(signal.SIGINT, signal.SIG_DFL)\n"
	"if hasattr(time, \"monotonic_ns\"):\n"
	"    now = time.monotonic_ns\n"
	"else:\n"
	"    def now():\n"
	"        return int(time.monotonic() * 1e9)\n"
	"lock = threading.Lock()\n"
	"failed = []\n"
	"\n"
	"def say(line):\n"
	"    data = line.encode(\"utf-8\", \"backslashreplace\")\n"
	"    with lock:\n"
	"        try:\n"
	"            while data:\n"
	"                data = data[os.write(1, data):]\n"
	"        except OSError:\n"
	"            os._exit(3)\n"
	"\n"
	"def main():\n"
	"    stdin = sys.stdin.buffer\n"
	"    size = int(stdin.readline())\n"
	"    names = [os.fsdecode(n) for n in stdin.read(size).split(b\"\\0\")[:-1]]\n"
	"    src, dst = names[0], names[1]\n"
	"    jobs = [(os.path.join(src, rel), os.path.join(dst, rel)) for rel in names[2:]]\n"
	"\n"
	"    def copy(i):\n"
	"        if failed:\n"
	"            return\n"
	"        src, dst = jobs[i]\n"
	"        t0 = now()\n"
	"        try:\n"
	"            shutil.copyfile(src, dst)\n"
	"        except Exception as e:\n"
	"            t1 = now()\n"
	"            failed.append(i)\n"
	"            code = getattr(e, \"errno\", None) or 0\n"
	"            msg = \" \".join((\"%s: %s\" % (type(e).__name__, e)).splitlines())\n"
	"            say(\"err %d %d %d %d %s\\n\" % (i, t0, t1, code, msg))\n"
	"            return\n"
	"        say(\"ok %d %d %d\\n\" % (i, t0, now()))\n"
	"\n"
	"    say(\"ready %d\\n\" % len(jobs))\n"
	"    if stdin.read(1) != b\"g\":\n"
	"        return 0\n"
	"    c0 = os.times()\n"
	"    with concurrent.futures.ThreadPoolExecutor(max_workers=int(sys.argv[1])) as pool:\n"
	"        for i in range(len(jobs)):\n"
	"            pool.submit(copy, i)\n"
	"    c1 = os.times()\n"
	"    say(\"cpu %.6f %.6f\\n\" % (c1[0] - c0[0], c1[1] - c0[1]))\n"
	"    return 1 if failed else 0\n"
	"\n"
	"os._exit(main())\n";

struct cpython_opts {
	char *python;
};

static const struct opt_def cpython_options[] = {
	OPT_STRING_("python", 0, struct cpython_opts, python, CPYTHON_DEFAULT, "PATH", 0,
		    "cpython: the Python that runs shutil.copyfile, a name on PATH or a path (e.g. "
		    "cryosparc_worker's own)"),
	OPT_END
};

/* An interpreter asked for by --python, looked up once and kept for the process. */
struct cpython_interp {
	struct cpython_interp *next;
	char *want;			/* --python as given */
	char *path;			/* what runs: want, or the one found on PATH; NULL: none */
	char *version;			/* first line of `--version`: "Python 3.11.7" */
	int err;			/* 0, or why it cannot run (in why) */
	char why[CPYTHON_WHY_MAX];
};

static pthread_mutex_t interp_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cpython_interp *interps;

/* The child of one job, from thread_init() to thread_exit(). */
struct cpython_child {
	const char *python;		/* the interpreter's path */
	pid_t pid;			/* 0 once reaped */
	int to;				/* its stdin; -1 when closed */
	int from;			/* its stdout */
	struct dynbuf in;		/* what it printed; handled up to in_pos */
	size_t in_pos;
	unsigned char *seen;		/* per file of the job: reported */
	size_t reported;
	int err;			/* the first failed file's -errno */
	bool killed;			/* we sent SIGTERM (and maybe SIGKILL) */
	uint64_t killed_ns;
	char why[CPYTHON_WHY_MAX];	/* err_reason of a failure */
};

/* A thread_init() failure's reason: the pool reads it in the same thread, after we return. */
static __thread char init_why[CPYTHON_WHY_MAX];

static const char *opts_python(const void *eo)
{
	const struct cpython_opts *o = eo;

	return o && o->python && o->python[0] ? o->python : CPYTHON_DEFAULT;
}

/* Where e->want is, and whether it is a Python this program runs on; fills e. */
static void interp_lookup(struct cpython_interp *e)
{
	char *const argv[] = { e->want, "--version", NULL };
	char status_text[64];
	char *line = NULL;
	struct stat st;
	int major = 0;
	int minor = 0;
	int status;

	if (!strchr(e->want, '/')) {
		e->path = child_find_program(e->want);
		if (!e->path) {
			e->err = -ENOENT;
			snprintf(e->why, sizeof(e->why), "no %s found on PATH (--python names the "
				 "interpreter to run)", e->want);
			return;
		}
	} else if (stat(e->want, &st) < 0) {
		e->err = -errno;
		snprintf(e->why, sizeof(e->why), "--python '%s': %s", e->want, strerror(errno));
		return;
	} else if (!S_ISREG(st.st_mode) || access(e->want, X_OK) < 0) {
		e->err = -EACCES;
		snprintf(e->why, sizeof(e->why), "--python '%s' is not an executable file", e->want);
		return;
	} else {
		e->path = xstrdup(e->want);
	}
	/* Python before 3.4 prints its version on stderr. */
	status = child_first_line(e->path, argv, true, &line);
	if (status < 0) {
		e->err = status;
		snprintf(e->why, sizeof(e->why), "cannot run '%s': %s", e->path, strerror(-status));
	} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		e->err = -ENOEXEC;
		snprintf(e->why, sizeof(e->why), "'%s --version' %s: %s", e->path,
			 child_status_text(status, status_text, sizeof(status_text)), line);
	} else if (sscanf(line, "Python %d.%d", &major, &minor) != 2) {
		e->err = -ENOEXEC;
		snprintf(e->why, sizeof(e->why), "'%s' is not a Python: '--version' printed '%s'",
			 e->path, line);
	} else if (major < 3 || (major == 3 && minor < CPYTHON_MIN_MINOR)) {
		e->err = -ENOEXEC;
		snprintf(e->why, sizeof(e->why), "'%s' is %s; the cpython strategy needs Python "
			 "3.%d or later", e->path, line, CPYTHON_MIN_MINOR);
	} else {
		e->version = line;
		return;
	}
	free(line);
}

/* The interpreter --python names, looked up on first use; never freed. */
static const struct cpython_interp *interp_get(const void *eo)
{
	const char *want = opts_python(eo);
	struct cpython_interp *e;

	pthread_mutex_lock(&interp_lock);
	for (e = interps; e; e = e->next)
		if (!strcmp(e->want, want))
			break;
	if (!e) {
		e = xcalloc(1, sizeof(*e));
		e->want = xstrdup(want);
		interp_lookup(e);
		e->next = interps;
		interps = e;
	}
	pthread_mutex_unlock(&interp_lock);
	return e;
}

static int cpython_probe(const struct dataset *src, const char *dst_dir, const void *eo,
			 char *why, size_t len)
{
	const struct cpython_interp *e = interp_get(eo);

	if (e->err)
		snprintf(why, len, "%s", e->why);
	return e->err;
}

static struct json_t *cpython_describe(const void *eo)
{
	const struct cpython_interp *e = interp_get(eo);

	return json_pack("{s:s, s:s?, s:s?}", "command",
			 "python -I -c PROGRAM N: shutil.copyfile per file in a "
			 "concurrent.futures.ThreadPoolExecutor(max_workers=N)",
			 "python_path", e->path, "python_version", e->version);
}

/*
 * Write to the child's stdin without dying of SIGPIPE when it has gone: the signal is blocked in
 * this thread while writing, and taken back when the write raised it.
 */
static int write_to_child(int fd, const void *buf, size_t len)
{
	const struct timespec zero = { 0, 0 };
	sigset_t pipe_set;
	sigset_t old;
	int ret;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	ret = write_all(fd, buf, len);
	if (ret == -EPIPE && !sigismember(&old, SIGPIPE)) {
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

/* Start the interpreter with its program, its stdin and stdout on pipes of ours. */
static int child_spawn(struct copy_worker *w, struct cpython_child *c)
{
	char n[16];
	char *const argv[] = { (char *)c->python, "-I", "-c", (char *)cpython_program, n, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int in[2];
	int out[2];
	int err;

	snprintf(n, sizeof(n), "%u", w->nthreads ? w->nthreads : 1);
	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(out, O_CLOEXEC) < 0) {
		err = -errno;
		close(in[0]);
		close(in[1]);
		return err;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	child_spawnattr_init(&attr);
	err = posix_spawn(&c->pid, c->python, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	if (err) {
		c->pid = 0;
		close(in[1]);
		close(out[0]);
		return -err;
	}
	c->to = in[1];
	c->from = out[0];
	return 0;
}

/* The job's files for the child: the two roots, then every relative path, in the job's order. */
static int child_send_files(struct copy_worker *w, struct cpython_child *c)
{
	const struct dataset *ds = w->job->ds;
	struct dynbuf list;
	char head[32];
	int ret;

	dynbuf_init(&list);
	dynbuf_add(&list, w->job->src_root, strlen(w->job->src_root) + 1);
	dynbuf_add(&list, w->job->dst_root, strlen(w->job->dst_root) + 1);
	for (size_t i = 0; i < ds->nr; i++)
		dynbuf_add(&list, ds->files[i].rel, strlen(ds->files[i].rel) + 1);
	snprintf(head, sizeof(head), "%zu\n", dynbuf_len(&list));
	ret = write_to_child(c->to, head, strlen(head));
	if (!ret)
		ret = write_to_child(c->to, dynbuf_str(&list), dynbuf_len(&list));
	dynbuf_release(&list);
	return ret;
}

/* SIGTERM once; SIGKILL when it has not gone CPYTHON_KILL_AFTER_NS later (a stuck NFS read). */
static void child_kill(struct cpython_child *c)
{
	if (!c->pid)
		return;
	if (!c->killed) {
		kill(c->pid, SIGTERM);
		c->killed = true;
		c->killed_ns = now_mono_ns();
	} else if (now_mono_ns() - c->killed_ns > CPYTHON_KILL_AFTER_NS) {
		kill(c->pid, SIGKILL);
	}
}

/*
 * Read what the child prints into c->in until a whole line is there or it closes its stdout.
 * Returns the length of the first line (without its '\n'), 0 at the end (EOF), or -errno. The
 * child is killed when the run is stopping (stopping: whether to look).
 */
static ssize_t child_next_line(struct copy_worker *w, struct cpython_child *c, bool stopping)
{
	char chunk[65536];

	for (;;) {
		const char *start = dynbuf_str(&c->in) + c->in_pos;
		const char *nl = memchr(start, '\n', dynbuf_len(&c->in) - c->in_pos);
		struct pollfd pfd = { .fd = c->from, .events = POLLIN };
		ssize_t n;

		if (nl)
			return nl - start;
		if (stopping && (c->killed || copy_worker_stopping(w)))
			child_kill(c);
		n = poll(&pfd, 1, CPYTHON_POLL_MS);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0)
			continue;
		n = read(c->from, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		dynbuf_add(&c->in, chunk, (size_t)n);
	}
}

/* The line child_next_line() found, len bytes, as a string of its own (to free). */
static char *child_line(const struct cpython_child *c, size_t len)
{
	char *l = xmalloc(len + 1);

	memcpy(l, dynbuf_str(&c->in) + c->in_pos, len);
	l[len] = '\0';
	return l;
}

/* Done with that line and its '\n'; the buffer is emptied once everything in it is handled. */
static void child_consume(struct cpython_child *c, size_t len)
{
	c->in_pos += len + 1;
	if (c->in_pos == dynbuf_len(&c->in)) {
		dynbuf_release(&c->in);
		c->in_pos = 0;
	}
}

/* Close what is left open of the child, and reap it; its wait status, or -1 when none ran. */
static int child_reap(struct cpython_child *c)
{
	int status = -1;

	if (c->to >= 0)
		close(c->to);
	c->to = -1;
	if (c->from >= 0)
		close(c->from);
	c->from = -1;
	if (c->pid)
		status = child_wait(c->pid);
	c->pid = 0;
	return status;
}

static void child_free(struct cpython_child *c)
{
	if (c->pid) {
		kill(c->pid, SIGKILL);
		child_reap(c);
	}
	child_reap(c);
	dynbuf_release(&c->in);
	free(c->seen);
	free(c);
}

/*
 * Start the child and hand it the job's files, before the clock; wait for its "ready". Python's
 * start-up, its imports and the list are not part of the copy: CryoSPARC's worker is running
 * already when it caches. On failure, init_why says why.
 */
static int child_start(struct copy_worker *w, struct cpython_child *c)
{
	char status_text[64];
	char *line;
	ssize_t len;
	int status;
	int ret;

	ret = child_spawn(w, c);
	if (ret) {
		snprintf(init_why, sizeof(init_why), "cannot run '%s': %s", c->python,
			 strerror(-ret));
		return ret;
	}
	ret = child_send_files(w, c);
	if (ret) {
		/* -EPIPE: it has gone already, and its status says more */
		if (ret != -EPIPE)
			snprintf(init_why, sizeof(init_why), "cannot write to '%s': %s", c->python,
				 strerror(-ret));
		close(c->to);
		c->to = -1;
	}
	len = child_next_line(w, c, false);
	if (len > 0) {
		line = child_line(c, (size_t)len);
		child_consume(c, (size_t)len);
		if (!strncmp(line, "ready ", 6) && !ret) {
			free(line);
			return 0;
		}
		if (!init_why[0])
			snprintf(init_why, sizeof(init_why), "'%s' printed '%.200s', not 'ready'",
				 c->python, line);
		free(line);
		child_kill(c);
		ret = -EPROTO;
	} else if (len < 0 && !init_why[0]) {
		snprintf(init_why, sizeof(init_why), "cannot read from '%s': %s", c->python,
			 strerror((int)-len));
		ret = (int)len;
	}
	status = child_reap(c);
	/* Ctrl-C reaches the child too: the run is stopping, not failing. */
	if (status >= 0 && WIFSIGNALED(status) && !c->killed &&
	    (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM))
		return -EINTR;
	if (!init_why[0])
		snprintf(init_why, sizeof(init_why), "'%s' %s before copying (its message is above)",
			 c->python, child_status_text(status, status_text, sizeof(status_text)));
	return ret && ret != -EPIPE ? ret : -EIO;
}

static int cpython_thread_init(struct copy_worker *w)
{
	const struct cpython_interp *e = interp_get(copy_worker_opts(w));
	struct cpython_child *c;
	int ret;

	init_why[0] = '\0';
	if (e->err) {
		snprintf(init_why, sizeof(init_why), "%s", e->why);
		w->err_reason = init_why;
		return e->err;
	}
	c = xcalloc(1, sizeof(*c));
	c->python = e->path;
	c->to = -1;
	c->from = -1;
	dynbuf_init(&c->in);
	c->seen = xcalloc(w->job->ds->nr ? w->job->ds->nr : 1, 1);
	ret = child_start(w, c);
	if (ret) {
		w->err_reason = init_why[0] ? init_why : NULL;
		child_free(c);
		return ret;
	}
	w->priv = c;
	return 0;
}

/*
 * A failure that is no one file's (the child ended early, or printed what it should not): it is
 * reported on the first file the child did not report, with c->why. Returns err.
 */
static int fail_job(struct copy_worker *w, struct cpython_child *c, int err)
{
	const struct dataset *ds = w->job->ds;
	const uint64_t now = now_mono_ns();
	size_t i = 0;

	if (!ds->nr)
		return err;
	while (i + 1 < ds->nr && c->seen[i])
		i++;
	copy_worker_paths(w, &ds->files[i], w->src, w->dst);
	w->err_path = w->src;
	w->err_what = "copy";
	w->err_reason = c->why;
	copy_worker_done_at(w, &ds->files[i], now, now, err);
	w->err_path = NULL;
	w->err_what = NULL;
	w->err_reason = NULL;
	if (!c->err)
		c->err = err;
	return err;
}

/* One line of the child's report (see the top of this file). */
static void child_report(struct copy_worker *w, struct cpython_child *c, const char *l)
{
	const struct dataset *ds = w->job->ds;
	unsigned long long i, t0, t1;
	double user, sys;
	int code;
	int at = 0;

	if (sscanf(l, "ok %llu %llu %llu", &i, &t0, &t1) == 3 && i < ds->nr && !c->seen[i]) {
		c->seen[i] = 1;
		c->reported++;
		copy_worker_done_at(w, &ds->files[i], t0, t1, 0);
	} else if (sscanf(l, "err %llu %llu %llu %d %n", &i, &t0, &t1, &code, &at) == 4 && at &&
		   i < ds->nr && !c->seen[i]) {
		const int err = code > 0 ? -code : -EIO;

		c->seen[i] = 1;
		c->reported++;
		snprintf(c->why, sizeof(c->why), "python: %s", l + at);
		copy_worker_paths(w, &ds->files[i], w->src, w->dst);
		w->err_path = w->src;
		w->err_what = "copy";
		w->err_reason = c->why;
		copy_worker_done_at(w, &ds->files[i], t0, t1, err);
		w->err_path = NULL;
		w->err_what = NULL;
		w->err_reason = NULL;
		if (!c->err)
			c->err = err;
	} else if (sscanf(l, "cpu %lf %lf", &user, &sys) == 2) {
		w->child_cpu_user_s = user;
		w->child_cpu_sys_s = sys;
	} else {
		snprintf(c->why, sizeof(c->why), "'%s' printed '%.200s' where a file's report was "
			 "expected", c->python, l);
		fail_job(w, c, -EPROTO);
	}
}

/* When the child has ended: 0 when it copied every file, else the run's -errno. */
static int child_outcome(struct copy_worker *w, struct cpython_child *c, ssize_t len, int status)
{
	const size_t nr = w->job->ds->nr;
	char status_text[64];

	if (c->err)
		return c->err;		/* a file failed, and was reported */
	if (c->killed)
		return -EINTR;		/* we stopped it: the run is stopping */
	if (len < 0) {
		snprintf(c->why, sizeof(c->why), "cannot read from '%s': %s", c->python,
			 strerror((int)-len));
		return fail_job(w, c, (int)len);
	}
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && c->reported == nr)
		return 0;
	if (status >= 0 && WIFSIGNALED(status) &&
	    (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM)) {
		/* Ctrl-C at the terminal signals the child too, as it does cp */
		snprintf(c->why, sizeof(c->why), "'%s' %s", c->python,
			 child_status_text(status, status_text, sizeof(status_text)));
		return fail_job(w, c, -EINTR);
	}
	snprintf(c->why, sizeof(c->why), "'%s' %s after reporting %zu of %zu files (its message "
		 "is above)", c->python, child_status_text(status, status_text, sizeof(status_text)),
		 c->reported, nr);
	return fail_job(w, c, -EIO);
}

/* The clock has started: let the child go, and pass on what it reports until it ends. */
static int cpython_copy_all(struct copy_worker *w)
{
	struct cpython_child *c = w->priv;
	bool went = false;
	ssize_t len;
	int status;

	/*
	 * Stopped before the clock (a signal, another job's worker failing): the child reads EOF
	 * instead of the go, and leaves. A failed write means it has gone: its status says why.
	 */
	if (!copy_worker_stopping(w))
		went = write_to_child(c->to, "g", 1) == 0;
	close(c->to);
	c->to = -1;
	while ((len = child_next_line(w, c, true)) > 0) {
		char *line = child_line(c, (size_t)len);

		child_consume(c, (size_t)len);
		child_report(w, c, line);
		free(line);
	}
	status = child_reap(c);
	if (!went && !c->err && copy_worker_stopping(w))
		return -EINTR;
	return child_outcome(w, c, len, status);
}

static void cpython_thread_exit(struct copy_worker *w)
{
	if (w->priv)
		child_free(w->priv);
	w->priv = NULL;
}

const struct copy_strategy strategy_cpython = {
	.name = "cpython",
	.summary = "the real interpreter: python3 (or --python) runs shutil.copyfile per file in a "
		   "ThreadPoolExecutor of N threads, as CryoSPARC does; its path and version go "
		   "into results.json",
	.probe = cpython_probe,
	.thread_init = cpython_thread_init,
	.copy_all = cpython_copy_all,
	.thread_exit = cpython_thread_exit,
	.describe = cpython_describe,
	.options = cpython_options,
	.option_struct_size = sizeof(struct cpython_opts),
};
