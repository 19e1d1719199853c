/* SPDX-License-Identifier: MIT */
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
/* Where results folders go without --out: below the current folder. */
#define RESULTS_DEFAULT_BASE "cryocache-results"

struct results {
	json_t *root;		/* the document; "runs" is an array in it */
	char *dir;		/* the results folder */
	char *path;		/* dir/results.json */
	size_t written_runs;	/* runs in the results.json on disk, as last written */
	int write_err;		/* -errno of the last results_write(), 0 when it succeeded */
	json_t *said;		/* top-level warnings said on stderr by this process (not saved) */
};

/*
 * Make the results folder: out when given (created if missing), else a new
 * ./cryocache-results/<UTC time>-<label> (with -2, -3, ... when taken). Starts an empty document
 * with "schema". Returns 0, or -errno with why (len bytes) saying what is wrong and what to do:
 * -EEXIST when out already holds a results.json, -ENOTEMPTY when out holds anything else (a new
 * session would mix its files with older ones: samples overwritten, an old report beside new
 * results); a "lost+found" alone does not count.
 */
int results_create(struct results *r, const char *out, const char *label, char *why, size_t len);

/*
 * Open the results.json of an earlier session in dir to continue it (sweep --resume). It is read
 * as safe_read_file() reads: a symlink or a FIFO in its place is refused. Returns 0, or -errno
 * with the reason in why: -ENOENT when dir has no results.json, -EINVAL when it is not a
 * readable cryocache-bench/1 document.
 */
int results_load(struct results *r, const char *dir, char *why, size_t len);

/*
 * The JSON document arg holds, for report and compare: arg is a results folder, whose
 * results.json is read without following a symlink out of it, or a file named as such (followed
 * as named). Either way only a regular file is read: a FIFO is refused, never waited on. *dir
 * receives the folder its samples files are below, *path the file (free both, in every case).
 * NULL with the reason in why ("line N: text" when it is not JSON); no schema is checked.
 */
json_t *results_read_doc(const char *arg, char **dir, char **path, char *why, size_t len);

/* The "runs" array (created on first use). */
json_t *results_runs(struct results *r);

/* Append a message to the top-level "warnings" array. */
void results_warn(struct results *r, const char *msg);
/*
 * results_warn(), and say it on stderr now as shown (msg without its internal prefix, or in
 * other words), unless quiet; r->said keeps msg then, so that a table printed on the same
 * terminal need not say it again (report_text_said()).
 */
void results_warn_said(struct results *r, const char *msg, const char *shown);

/*
 * Remove the top-level warnings that start with prefix; returns how many. A warning computed from
 * the runs (first-run bias, short runs) is removed and computed again, so a resumed session never
 * repeats an earlier session's.
 */
size_t results_unwarn(struct results *r, const char *prefix);

/*
 * Write results.json atomically: a temporary file in the folder, fsync, rename. A reader never
 * sees a half-written file and a crash keeps the previous version. Returns 0 or -errno, also
 * kept in r->write_err; r->written_runs counts the runs on disk.
 */
int results_write(struct results *r);

/*
 * After a failed results_write(): what was lost, into why ("cannot write results.json in 'DIR':
 * No space left on device; the runs measured so far are in memory only: ...").
 */
void results_write_why(const struct results *r, char *why, size_t len);

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
