/* SPDX-License-Identifier: MIT */
/*
 * fioref.h - fio as the engine reference: job files that read the same source files and write
 * the same sizes into the scratch directory, and the numbers of fio's JSON output. Pure: text in,
 * text and structs out; running fio is the command's business.
 *
 * SRC is a user's data, and fio lays out (extends and fills with its own bytes) any file smaller
 * than its share of a job's size. So a read job never has a size, filesize or nrfiles: fio reads
 * each listed file to its end, and the command runs it as its own `fio --readonly` process. A
 * write job lists files in the scratch directory only, which the command has created beforehand
 * at their exact sizes (ftruncate), so fio has nothing to lay out either.
 *
 * fio moves whole blocks: of each file it reads or writes floor(size / bs) blocks, and a file
 * smaller than bs not at all. Rates are therefore fio's io_bytes over fio's runtime, never the
 * dataset's bytes.
 *
 * A small set is read in a fraction of a second, too short to measure; such a job is run again
 * time-based (fio's time_based with a runtime): fio goes over the same files again until the
 * runtime is up. Every job invalidates each file's pages as it opens it (invalidate=1, fio's
 * default, written out), so a second pass reads the device, not this kernel's page cache; a
 * time-based write job fsyncs each file as it closes it, so every pass reaches the device.
 */
#ifndef CCB_FIOREF_H
#define CCB_FIOREF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct fioref_file {
	const char *path;	/* absolute */
	uint64_t size;
};

struct fioref_job {
	bool write;		/* rw=write with end_fsync=1, else rw=read */
	bool direct;		/* O_DIRECT */
	unsigned jobs;		/* the files are shared out among this many fio jobs (>= 1) */
	uint64_t bs;		/* 0: 1 MiB */
	unsigned iodepth;	/* 0: 32 */
	const char *ioengine;	/* NULL: io_uring */
	unsigned runtime_s;	/* 0: one pass over the files; else time-based for this long */
};

/* A fio measurement shorter than this is flagged, as a run is (bench's SHORT_RUN_S). */
#define FIOREF_SHORT_S 1.0

/*
 * The job file for files[0..nr), as text (the caller frees). Files are dealt to the jobs
 * largest first, each to the job with the fewest bytes so far, so the jobs finish together.
 * Colons and backslashes in paths are escaped as fio wants. Jobs left without a file (more
 * jobs than files) are left out. Returns NULL when nr is 0, jobs is 0, or a path is not
 * absolute or holds a newline.
 */
char *fioref_job_file(const struct fioref_file *files, size_t nr, const struct fioref_job *j);

/* One direction of a fio run, summed over its jobs. */
struct fioref_io {
	uint64_t io_bytes;
	double runtime_s;	/* the longest job's runtime */
	double mb_s;		/* io_bytes / runtime_s / 10^6; 0 when runtime_s is 0 */
};

struct fioref_result {
	char version[32];	/* "fio-3.33" */
	unsigned jobs;
	unsigned errors;	/* jobs whose "error" is not 0 */
	struct fioref_io read, write;
};

/*
 * Parse fio's --output-format=json output (fio 3.x). Text before the JSON object (fio prints
 * warnings on stdout in some versions) is skipped. Returns 0, or -EINVAL with the reason in why.
 */
int fioref_parse(const char *text, struct fioref_result *r, char *why, size_t len);

/*
 * The copy-shaped rate of a reader and a writer run at the same time: the bytes the slower of
 * the two moved over its runtime, min(bytes) / max(runtime) / 10^6 MB/s, so a copy can be no
 * faster than either side. 0 when a runtime is 0.
 */
double fioref_pair_mb_s(const struct fioref_io *read, const struct fioref_io *write);

/* A fioref_result as JSON: {version, jobs, errors, read{io_bytes, runtime_s, mb_s}, write{...}}. */
json_t *fioref_result_json(const struct fioref_result *r);

/*
 * How long a measurement of a "reference" object ran: its runtime_s, or for one written before
 * it was kept, the longest runtime of its reader's and writer's fio results. NAN when unknown.
 */
double fioref_measurement_runtime(json_t *measurement);

/*
 * Whether a measurement is too short to hold: one pass that lasted under FIOREF_SHORT_S. A
 * time-based one ran for its --runtime (at least a second; fio may end it a millisecond early).
 */
bool fioref_measurement_short(json_t *measurement);

/*
 * The cells of doc (cells.h) whose median beats doc's fio ceiling (reference.ceiling_mb_s), each
 * as a warning sentence with the likely cause, in a new array (empty without a ceiling). A copy
 * faster than fio's copy-shaped ceiling means a cache below this kernel took the writes (a
 * virtual disk the host caches: a buffered copy is acknowledged before the bytes reach the
 * device) or the fio measurement was short or disturbed.
 */
json_t *fioref_above_ceiling(json_t *doc, json_t *cells);

#endif
