/* SPDX-License-Identifier: MIT */
/*
 * legacy.c - CryoSPARC before v4.3: one thread, and per file os.path.getsize(src),
 * os.makedirs(os.path.dirname(dst), exist_ok=True) and shutil.copyfile(src, dst).
 *
 * CryoSPARC 4.0-4.2 ran CPython 3.8, whose copyfile is the "shutil" strategy's. Threads stay a
 * dimension of the run, so "legacy" at 1 thread is the old behaviour and at N shows what the
 * per-file folder checks cost when several threads pay them.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "copy/cpython_shutil.h"
#include "copy/strategy.h"
#include "lib/util.h"

/*
 * posixpath.split() of p[0, len): the tail starts after the last '/'; the head is what comes
 * before it, without its trailing slashes unless it is nothing but slashes.
 */
static void py_split(const char *p, size_t len, size_t *head_len, size_t *tail_start)
{
	size_t i = len;
	size_t h;

	while (i > 0 && p[i - 1] != '/')
		i--;
	*tail_start = i;
	h = i;
	while (h > 0 && p[h - 1] == '/')
		h--;
	*head_len = h ? h : i;
}

/* os.path.exists() and os.path.isdir(): one stat(), any error meaning "no". */
static bool py_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static bool py_isdir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * os.makedirs(name[0, len], exist_ok=True) of CPython's Lib/os.py, with its system calls: the
 * parent is only looked at (and made, recursively) when it does not exist; then mkdir(), and on
 * any error a stat() to forgive a folder that is already there. name[len] must be '\0'.
 * Returns 0 or -errno; on error name is left cut at the folder that could not be made.
 */
static int py_makedirs(char *name, size_t len)
{
	size_t head_len;
	size_t tail_start;
	size_t tail_len;
	int err;

	py_split(name, len, &head_len, &tail_start);
	tail_len = len - tail_start;
	if (!tail_len) {
		/* "a/b/": the last component is the tail of the head */
		size_t first_head_len = head_len;

		py_split(name, first_head_len, &head_len, &tail_start);
		tail_len = first_head_len - tail_start;
	}
	if (head_len && tail_len) {
		char saved = name[head_len];
		bool head_exists;

		name[head_len] = '\0';
		head_exists = py_exists(name);
		if (!head_exists) {
			err = py_makedirs(name, head_len);
			/* FileExistsError from the parent: another thread made it meanwhile. */
			if (err && err != -EEXIST)
				return err;
		}
		name[head_len] = saved;
		/* "xxx/newdir/." exists once xxx/newdir does */
		if (!head_exists && tail_len == 1 && name[tail_start] == '.')
			return 0;
	}
	if (mkdir(name, 0777) == 0)
		return 0;
	/* Any error, not only EEXIST: EACCES or EROFS may win over EEXIST (Lib/os.py). */
	err = -errno;
	if (py_isdir(name))
		return 0;
	return err;
}

static int legacy_thread_init(struct copy_worker *w)
{
	return shutil_thread_init(w, SHUTIL_PY38);
}

static int legacy_copy(struct copy_worker *w, const struct copy_file *f)
{
	struct shutil_thread *t = w->priv;
	size_t len = strlen(w->dst);
	size_t dir_len;
	size_t tail_start;
	struct stat st;
	int ret;

	/* os.path.getsize(src): the old code asked for the size of every file before copying. */
	if (stat(w->src, &st) < 0)
		return copy_fail(w, w->src, "stat", -errno);

	/* os.path.dirname(dst) is string work, no system call. */
	if (t->scratch_len < len + 1) {
		free(t->scratch);
		t->scratch = xmalloc(len + 1);
		t->scratch_len = len + 1;
	}
	memcpy(t->scratch, w->dst, len + 1);
	py_split(t->scratch, len, &dir_len, &tail_start);
	t->scratch[dir_len] = '\0';
	ret = py_makedirs(t->scratch, dir_len);
	if (ret)
		return copy_fail(w, t->scratch, "mkdir", ret);

	return shutil_copyfile(w, SHUTIL_PY38);
}

const struct copy_strategy strategy_legacy = {
	.name = "legacy",
	.summary = "CryoSPARC before v4.3: getsize + makedirs(exist_ok) + shutil.copyfile per file "
		   "(CPython 3.8)",
	.thread_init = legacy_thread_init,
	.copy = legacy_copy,
	.thread_exit = shutil_thread_exit,
	.makes_dirs = true,
};
