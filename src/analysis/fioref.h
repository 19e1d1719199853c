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
};

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

#endif
