/* strategy.h - copy strategies behind one table of operations (fio's ioengine_ops). */
#ifndef CCB_STRATEGY_H
#define CCB_STRATEGY_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "dataset.h"

struct copy_job;

/*
 * One worker thread of the pool. The pool fills src and dst with the absolute paths of the
 * file to copy before each call of copy(); a strategy reads them and may keep per-thread state
 * in priv (set up by thread_init, freed by thread_exit).
 */
struct copy_worker {
	unsigned id;
	const struct copy_job *job;
	char *src;			/* absolute source path of the current file */
	char *dst;			/* absolute destination path of the current file */
	size_t path_cap;		/* allocated size of src and dst */
	void *priv;
	/* Set by a failing copy(): which of the two paths the error is about. */
	const char *err_path;
	const char *err_what;		/* "open", "sendfile", ... */
};

struct copy_strategy {
	const char *name;
	const char *summary;
	/*
	 * Can this strategy run here? Returns 0, or -errno with a reason in why. Optional.
	 */
	int (*probe)(const struct dataset *src, const char *dst_dir, char *why, size_t len);
	int (*thread_init)(struct copy_worker *w);	/* optional */
	/* Copy w->src to w->dst. Returns 0 or -errno (and sets err_path/err_what). */
	int (*copy)(struct copy_worker *w, const struct copy_file *f);
	void (*thread_exit)(struct copy_worker *w);	/* optional */
	/* Folders are made by copy() itself (legacy); otherwise made before the clock starts. */
	bool makes_dirs;
};

/* What every strategy may read while it copies. */
struct copy_job {
	const struct copy_strategy *strategy;
	const struct dataset *ds;
	const char *src_root;
	const char *dst_root;
	size_t bs;			/* I/O size for strategies that take one; 0 = default */
};

/* Record the failing path and call of a copy; returns err for "return copy_fail(...)". */
static inline int copy_fail(struct copy_worker *w, const char *path, const char *what, int err)
{
	w->err_path = path;
	w->err_what = what;
	return err;
}

/* The strategies this build knows, NULL-terminated. */
extern const struct copy_strategy *const strategies[];
/* Look a strategy up by name; NULL if unknown. */
const struct copy_strategy *strategy_find(const char *name);

extern const struct copy_strategy strategy_shutil;
extern const struct copy_strategy strategy_shutil314;
extern const struct copy_strategy strategy_legacy;
extern const struct copy_strategy strategy_rw;

#endif
