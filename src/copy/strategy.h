/* SPDX-License-Identifier: MIT */
/* strategy.h - copy strategies behind one table of operations (fio's ioengine_ops). */
#ifndef CCB_STRATEGY_H
#define CCB_STRATEGY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dataset/dataset.h"

struct copy_job;
struct copy_file;
struct copy_verify;
struct json_t;
struct opt_def;

/*
 * Counters a strategy keeps about what the kernel actually did (cloned, copied in the kernel,
 * refused and copied with read/write, ...). Each worker counts in its own array; the pool sums
 * them and results.json carries them per run by the names the strategy gives.
 */
#define COPY_MAX_COUNTERS 8

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
	/* Why, when errno's text would mislead (a child's exit status); NULL: strerror(-err). */
	const char *err_reason;
	uint64_t counters[COPY_MAX_COUNTERS];	/* indexed like strategy->counter_names */
	/* The run's thread count: of the pool, or of the strategy itself (copy_all). */
	unsigned nthreads;
	/*
	 * For copy_all: the CPU time (user, system) of the process the strategy ran, from the start
	 * of the clock to its last file; the pool adds it to the run's, which is getrusage()'s own.
	 */
	double child_cpu_user_s;
	double child_cpu_sys_s;
	void *pool_priv;		/* the pool's, for copy_worker_next()/copy_worker_done() */
};

struct copy_strategy {
	const char *name;
	const char *summary;
	/* `run`'s thread count when --threads is not given: 0 means CryoSPARC's default, 2. */
	unsigned default_threads;
	/*
	 * Can this strategy run here, with its options eo (its struct, see options; NULL: their
	 * defaults)? src and dst_dir are NULL when only the machine is asked (`strategies`).
	 * Returns 0, or -errno with a reason in why. Optional.
	 */
	int (*probe)(const struct dataset *src, const char *dst_dir, const void *eo, char *why,
		     size_t len);
	int (*thread_init)(struct copy_worker *w);	/* optional */
	/* Copy w->src to w->dst. Returns 0 or -errno (and sets err_path/err_what). */
	int (*copy)(struct copy_worker *w, const struct copy_file *f);
	/*
	 * Instead of copy(): the strategy drives, keeping several files in flight at once (io_uring).
	 * It takes files with copy_worker_next() until that returns NULL, builds their paths with
	 * copy_worker_paths(), and reports each with copy_worker_done(). Returns 0, or -errno when it
	 * had to stop (after reporting the failing file).
	 */
	int (*copy_many)(struct copy_worker *w);
	/*
	 * Instead of copy() or copy_many(): the strategy copies the whole job by other means, with
	 * w->nthreads threads of its own (a child process with its own thread pool: cpython). The
	 * pool then runs one worker per job, not nthreads: thread_init() gets it ready outside the
	 * clock (the child started, its files handed over), copy_all() is called when the clock
	 * starts, copies every file of w->job->ds in its order, reports each with
	 * copy_worker_done_at() as it learns of it, stops soon after copy_worker_stopping() turns
	 * true, and returns 0 or -errno. The run's clock stops at the last end it reported.
	 * Exactly one of copy, copy_many and copy_all is set.
	 */
	int (*copy_all)(struct copy_worker *w);
	void (*thread_exit)(struct copy_worker *w);	/* optional */
	/* Folders are made by copy() itself (legacy); otherwise made before the clock starts. */
	bool makes_dirs;
	/* Reads its --source-url, not SRC (http): the source's page cache is not ours to measure. */
	bool remote;
	/*
	 * Its own options, as fio's engines have (lib/opt.h): a table whose offsets are into a
	 * struct of option_struct_size bytes. The caller fills one such struct from the table's
	 * defaults and the command line, and passes it as job->eo. NULL: it has none.
	 */
	const struct opt_def *options;
	size_t option_struct_size;
	/* It reads the shared --bs (copy_worker_bs()): the default `strategies` shows; NULL: not. */
	const char *bs_default;
	/* Names of the counters it keeps in copy_worker.counters, NULL-terminated; may be NULL. */
	const char *const *counter_names;
	/*
	 * Set only on the stand-in of a strategy whose library configure did not find: why this
	 * build cannot run it. A stand-in has a name and options (so the command line and profiles
	 * accept them as in a full build) and no hooks; it is in strategies_missing[], never in
	 * strategies[].
	 */
	const char *missing;
	/*
	 * What the run's results should also know about the strategy itself (the cp binary and its
	 * version, the Python that ran), with its options eo (NULL: their defaults): a new JSON
	 * object the caller stores as the run's "strategy_info" and releases. Called outside the
	 * clock, from one thread. Optional; NULL from it means nothing to add.
	 */
	struct json_t *(*describe)(const void *eo);
	/*
	 * Per copier, before its threads start and outside the clock: state its threads share (the
	 * relion strategy's plan of particles), read back with copy_worker_job(). nthreads is the
	 * threads the copier runs. Returns 0, or -errno with the whole message in why. Optional.
	 */
	int (*job_init)(const struct copy_job *job, unsigned nthreads, void **priv, char *why,
			size_t len);
	/*
	 * After the copier's threads have ended, outside the clock: frees priv, and returns what the
	 * run's results should know of this copier's copy (a new JSON object, which the run records
	 * in "strategy_report"), or NULL. Optional; set with job_init.
	 */
	struct json_t *(*job_exit)(void *priv);
	/*
	 * --verify for a strategy whose copies are not byte copies of the files (relion writes the
	 * images into other stacks): check job's copy against its source, counting and reporting
	 * through v; report is what job_exit said of this copier (NULL: nothing). Returns 0, or
	 * -errno when it could not check at all (reported too). NULL: each copy is compared with its
	 * source by hash.
	 */
	int (*verify)(const struct copy_job *job, unsigned nthreads, const struct json_t *report,
		      struct copy_verify *v);
};

/* What a strategy's verify hook fills in and reports. */
struct copy_verify {
	const char *compared;		/* what was compared, as results.json names it: "images" */
	uint64_t checked;		/* how many of them */
	uint64_t mismatches;		/* of which differed, or could not be read */
	/* One message per mismatch or failure. */
	void (*report)(void *ctx, const char *msg);
	void *ctx;
	const volatile sig_atomic_t *stop;	/* raised: stop checking */
};

/* What every strategy may read while it copies. */
struct copy_job {
	const struct copy_strategy *strategy;
	const struct dataset *ds;
	const char *src_root;
	const char *dst_root;
	size_t bs;			/* I/O size for strategies that take one; 0 = default */
	/* The strategy's options struct (strategy->options describes it); NULL when it has none. */
	const void *eo;
	/* Raised (a signal number) when the run is stopping: a transfer in progress ends (http). */
	const volatile sig_atomic_t *stop;
};

/* The worker's --bs, or def when none was given (or there is no job, as in unit tests). */
static inline size_t copy_worker_bs(const struct copy_worker *w, size_t def)
{
	return w->job && w->job->bs ? w->job->bs : def;
}

/* The strategy's options struct of the worker's job (job->eo); NULL without (unit tests). */
static inline const void *copy_worker_opts(const struct copy_worker *w)
{
	return w->job ? w->job->eo : NULL;
}

/*
 * For copy_many strategies: the next file to copy, or NULL when none is left or the run is
 * stopping. copy_worker_paths() writes the absolute source and destination paths of f into
 * buffers of w->path_cap bytes. copy_worker_done() reports f copied (err 0) or failed (-errno,
 * with w->err_path/err_what set), and how long it took from its open to its close.
 */
const struct copy_file *copy_worker_next(struct copy_worker *w);
void copy_worker_paths(const struct copy_worker *w, const struct copy_file *f, char *src,
		       char *dst);
void copy_worker_done(struct copy_worker *w, const struct copy_file *f, uint64_t latency_ns,
		      int err);
/*
 * copy_worker_done() for a strategy that does not copy f whole (relion reads the images it
 * names): bytes is what it moved for f, which the run counts instead of f->size.
 */
void copy_worker_done_bytes(struct copy_worker *w, const struct copy_file *f,
			    uint64_t latency_ns, uint64_t bytes, int err);
/* The copier's shared state from the strategy's job_init (NULL without one). */
void *copy_worker_job(const struct copy_worker *w);
/* For copy_many and copy_all strategies: true once the run is stopping (a signal, a failed
 * file). */
bool copy_worker_stopping(const struct copy_worker *w);

/*
 * For copy_all strategies, whose files are copied elsewhere: copy_worker_done() for f, copied
 * from start_ns to end_ns (CLOCK_MONOTONIC, which every process of the machine shares). The
 * pool takes the end of the run's clock and its tail from these times, not from its own.
 * copy_worker_stopping() is true once the run is stopping: a signal, or a file failed.
 */
void copy_worker_done_at(struct copy_worker *w, const struct copy_file *f, uint64_t start_ns,
			 uint64_t end_ns, int err);

/* Record the failing path and call of a copy; returns err for "return copy_fail(...)". */
static inline int copy_fail(struct copy_worker *w, const char *path, const char *what, int err)
{
	w->err_path = path;
	w->err_what = what;
	return err;
}

/* The strategies this build can run, NULL-terminated. */
extern const struct copy_strategy *const strategies[];
/* The stand-ins of those it was built without (each with .missing), NULL-terminated. */
extern const struct copy_strategy *const strategies_missing[];
/* Look a strategy up by name in strategies[]; NULL if unknown or missing from this build. */
const struct copy_strategy *strategy_find(const char *name);
/* Look a name up in strategies_missing[]: the stand-in, or NULL. */
const struct copy_strategy *strategy_find_missing(const char *name);
/*
 * Every strategy, those this build can run first, then the stand-ins: the i-th, or NULL past
 * the end. strategy_index() is s's position in that order (of strategies[] for one that runs).
 */
const struct copy_strategy *strategy_at(size_t i);
size_t strategy_index(const struct copy_strategy *s);

extern const struct copy_strategy strategy_shutil;
extern const struct copy_strategy strategy_shutil314;
extern const struct copy_strategy strategy_legacy;
extern const struct copy_strategy strategy_rw;
extern const struct copy_strategy strategy_sendfile;
extern const struct copy_strategy strategy_cfr;
extern const struct copy_strategy strategy_cp;
extern const struct copy_strategy strategy_cpython;
extern const struct copy_strategy strategy_relion;
/* In a build without their library, these two are stand-ins (see .missing). */
extern const struct copy_strategy strategy_uring;
extern const struct copy_strategy strategy_http;

#endif
