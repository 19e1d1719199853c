/*
 * results.h - the results folder and results.json, the contract everything after a measurement
 * reads (schema "cryocache-bench/1", documented in docs/results-schema.md).
 */
#ifndef CCB_RESULTS_H
#define CCB_RESULTS_H

#include <stdbool.h>
#include <jansson.h>

#define RESULTS_SCHEMA "cryocache-bench/1"
#define RESULTS_FILE "results.json"

struct results {
	json_t *root;		/* the document; "runs" is an array in it */
	char *dir;		/* the results folder */
	char *path;		/* dir/results.json */
};

/*
 * Make the results folder: out when given (created if missing, refused when it already holds a
 * results.json), else a new ./cryocache-results/<UTC time>-<label> (with -2, -3, ... when taken).
 * Starts an empty document with "schema". Returns 0, or -errno (-EEXIST: out has results).
 */
int results_create(struct results *r, const char *out, const char *label);

/*
 * Open the results.json of an earlier session in dir to continue it (sweep --resume). Returns 0,
 * -ENOENT when dir has no results.json, or -EINVAL (with a reason in why) when it is not a
 * readable cryocache-bench/1 document.
 */
int results_load(struct results *r, const char *dir, char *why, size_t len);

/* The "runs" array (created on first use). */
json_t *results_runs(struct results *r);

/* Append a message to the top-level "warnings" array. */
void results_warn(struct results *r, const char *msg);

/*
 * Remove the top-level warnings that start with prefix; returns how many. A warning computed from
 * the runs (first-run bias, short runs) is removed and computed again, so a resumed session never
 * repeats an earlier session's.
 */
size_t results_unwarn(struct results *r, const char *prefix);

/*
 * Write results.json atomically: a temporary file in the folder, fsync, rename. A reader never
 * sees a half-written file and a crash keeps the previous version. Returns 0 or -errno.
 */
int results_write(const struct results *r);

/*
 * Compare the first run of each (strategy, threads) cell with the median of its later runs (runs
 * with a role, a sweep's confirmation, are no cell's). A
 * cache this kernel cannot see (a file server's, a VM host's) makes later runs faster than the
 * first; a difference above 10 % is reported as a top-level warning starting "first-run bias:".
 * Runs with a role (warm-up, probe, confirmation) are left out. The warnings of an earlier check
 * are replaced, not added to.
 */
void results_check_first_run_bias(struct results *r);

void results_release(struct results *r);

#endif
