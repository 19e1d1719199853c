/* SPDX-License-Identifier: MIT */
/*
 * cp.c - the system's cp, one process per file: `cp SRC DST`, as `xargs -P N cp` runs
 * it, with the pool's N threads in the role of xargs' N processes.
 *
 * cp is looked up on PATH once; that binary runs every file, and describe() records its path and
 * the first line of its `--version` with every run. No option is passed: cp does what it does by
 * default (GNU coreutils >= 9.0 tries FICLONE, then copy_file_range, then read/write). cp's
 * stderr is ours, so its own message about a failing file passes through.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "copy/child.h"
#include "copy/strategy.h"
#include "lib/util.h"

/* Found once for the process: which cp runs, and what it says it is. */
static pthread_once_t cp_once = PTHREAD_ONCE_INIT;
static char *cp_path;		/* absolute path of the cp on PATH; NULL when none */
static char *cp_version;	/* first line of `cp --version`; NULL when it gave none */

struct cp_thread {
	char what[64];		/* err_reason of the last failure: "cp exited with status 1 ..." */
};

/* `cp --version`, first line; NULL when it cannot run or says nothing on a zero exit. */
static char *cp_ask_version(const char *path)
{
	char *const argv[] = { "cp", "--version", NULL };
	char *line;
	int status = child_first_line(path, argv, false, &line);

	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && line && line[0])
		return line;
	free(line);
	return NULL;
}

static void cp_lookup(void)
{
	cp_path = child_find_program("cp");
	if (cp_path)
		cp_version = cp_ask_version(cp_path);
}

static int cp_probe(const struct dataset *src, const char *dst_dir, const void *eo, char *why,
		    size_t len)
{
	pthread_once(&cp_once, cp_lookup);
	if (!cp_path) {
		snprintf(why, len, "no cp found on PATH");
		return -ENOENT;
	}
	return 0;
}

static struct json_t *cp_describe(const void *eo)
{
	pthread_once(&cp_once, cp_lookup);
	return json_pack("{s:s, s:s?, s:s?}", "command", "cp SRC DST", "cp_path", cp_path,
			 "cp_version", cp_version);
}

static int cp_thread_init(struct copy_worker *w)
{
	pthread_once(&cp_once, cp_lookup);
	if (!cp_path)
		return -ENOENT;
	w->priv = xcalloc(1, sizeof(struct cp_thread));
	return 0;
}

static void cp_thread_exit(struct copy_worker *w)
{
	free(w->priv);
	w->priv = NULL;
}

static int cp_copy(struct copy_worker *w, const struct copy_file *f)
{
	struct cp_thread *t = w->priv;
	char *const argv[] = { "cp", w->src, w->dst, NULL };
	posix_spawnattr_t attr;
	pid_t pid;
	int status;
	int err;

	child_spawnattr_init(&attr);
	err = posix_spawn(&pid, cp_path, NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (err)
		return copy_fail(w, cp_path, "run", -err);
	status = child_wait(pid);
	if (status < 0)
		return copy_fail(w, cp_path, "wait for", status);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;

	/*
	 * cp has said why on stderr; the pool's message names the file and how cp ended. Killed by
	 * SIGINT or SIGTERM is the run being interrupted (the terminal signals cp as well).
	 */
	if (WIFSIGNALED(status)) {
		snprintf(t->what, sizeof(t->what), "cp was killed by signal %d", WTERMSIG(status));
		err = WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM ? -EINTR : -EIO;
	} else {
		snprintf(t->what, sizeof(t->what), "cp exited with status %d (its message is above)",
			 WEXITSTATUS(status));
		err = -EIO;
	}
	w->err_reason = t->what;
	return copy_fail(w, w->src, "cp", err);
}

const struct copy_strategy strategy_cp = {
	.name = "cp",
	.summary = "the system's cp, one process per file (`xargs -P N cp` with N threads); "
		   "its path and version go into results.json",
	.probe = cp_probe,
	.thread_init = cp_thread_init,
	.copy = cp_copy,
	.thread_exit = cp_thread_exit,
	.describe = cp_describe,
};
