/* SPDX-License-Identifier: MIT */
/*
 * rw.c - plain read()/write() with one buffer of --bs bytes (128 KiB by default):
 * what cp does when the kernel offers no copy offload.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "copy/common.h"
#include "copy/strategy.h"
#include "lib/util.h"

#define RW_DEFAULT_BS (128 * 1024)	/* coreutils' minimum I/O size for copies */

struct rw_thread {
	char *buf;
	size_t len;
};

static int rw_thread_init(struct copy_worker *w)
{
	struct rw_thread *t = xcalloc(1, sizeof(*t));

	t->len = copy_worker_bs(w, RW_DEFAULT_BS);
	t->buf = xmalloc(t->len);
	w->priv = t;
	return 0;
}

static void rw_thread_exit(struct copy_worker *w)
{
	struct rw_thread *t = w->priv;

	if (!t)
		return;
	free(t->buf);
	free(t);
	w->priv = NULL;
}

static int rw_copy(struct copy_worker *w, const struct copy_file *f)
{
	struct rw_thread *t = w->priv;
	int in = -1;
	int out = -1;
	off_t done = 0;
	int failed_fd = -1;
	int ret = copy_open_pair(w, &in, &out, NULL);

	if (ret)
		return ret;
	ret = copy_rw_loop(in, out, t->buf, t->len, &done, &failed_fd);
	if (ret)
		copy_fail(w, failed_fd == in ? w->src : w->dst, failed_fd == in ? "read" : "write",
			  ret);
	return copy_close_pair(w, in, out, ret);
}

const struct copy_strategy strategy_rw = {
	.name = "rw",
	.bs_default = "128K",
	.summary = "read()/write() loop with one --bs buffer, like cp without offload",
	.thread_init = rw_thread_init,
	.copy = rw_copy,
	.thread_exit = rw_thread_exit,
};
