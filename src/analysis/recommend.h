/*
 * recommend.h - CRYOSPARC_CACHE_NUM_THREADS from the cells of a results document (cells.h), and
 * the line(s) a sweep ends with. Reads only JSON; no I/O.
 */
#ifndef CCB_RECOMMEND_H
#define CCB_RECOMMEND_H

#include <stdint.h>
#include <jansson.h>

#define RECOMMEND_VARIABLE "CRYOSPARC_CACHE_NUM_THREADS"
#define RECOMMEND_STRATEGY "shutil"	/* what CryoSPARC runs */
#define RECOMMEND_DEFAULT_THREADS 2	/* CryoSPARC's default since v4.3 */
#define RECOMMEND_TOLERANCE 0.05

struct recommend_params {
	double tolerance;	/* medians within this fraction of the best are as good (0.05) */
	long jobs;		/* cells with this many copiers at once (1) */
	/* The data set to estimate times for: --for-files and --for-bytes, 0 when not given. */
	uint64_t for_files;
	uint64_t for_bytes;
	/* The measured set (source.files, source.bytes), 0 when unknown. */
	uint64_t source_files;
	uint64_t source_bytes;
};

/* The defaults: tolerance RECOMMEND_TOLERANCE, jobs 1, no data set. */
void recommend_params_init(struct recommend_params *p);

/* Take source_files and source_bytes from doc's "source" (left alone when absent). */
void recommend_params_from_doc(struct recommend_params *p, json_t *doc);

/*
 * The recommendation, as a new JSON object, from cells (cells_compute's array); p NULL means the
 * defaults. Only cells with p->jobs copiers and at least one complete run count.
 *
 * The rules, on the shutil cells (the copier CryoSPARC runs):
 *   1. No shutil cell: threads null, confidence "none".
 *   2. Every shutil cell's confidence interval overlaps every other's (they share a common
 *      point; also when only one thread count was measured): the data cannot tell the thread
 *      counts apart, so keep the default: threads 2, confidence "none".
 *   3. Else the best cell is the highest median (fewer threads on a tie). A cell is as good as
 *      the best when its median is within the tolerance of the best's, or when its interval
 *      overlaps the best's (the data cannot tell them apart). The recommendation is the fewest
 *      threads that are as good as the best: fewer threads load the shared storage less.
 *      E.g. medians 1: 300, 2: 560, 4: 1010, 8: 1030, 16: 1020 MB/s with tight intervals: 4.
 *   4. Confidence "high" when the chosen cell is within the tolerance by its median (not only by
 *      an overlapping interval), the default (2 threads) was measured, neither cell is flagged,
 *      and, unless the chosen cell is the default, the two intervals do not overlap; else "low".
 *
 * Keys: variable, threads (integer or null), jobs, mb_s (the chosen cell's median, or the
 * default's under rule 2; null when unknown), default_threads (2), default_mb_s (null when
 * 2 threads was not measured), best_strategy, best_threads, best_mb_s (the highest median of any
 * strategy: the headroom CryoSPARC's copier leaves; null when there is no cell), tolerance,
 * confidence ("high", "low", "none"), reason (one sentence with the evidence), failed_runs
 * (failed or aborted runs left out, over every cell with p->jobs), and "for":
 *   { files, bytes, basis, seconds: { "<threads>": ..., "best": ... } }
 * the estimated time to cache a data set at each measured shutil thread count and with the best
 * cell: bytes / (median mb_s * 10^6). The per-file costs (open, stat, makedirs, close) are inside
 * the measured throughput already, so for a set whose file sizes resemble the measured one,
 * scaling by bytes is the honest first-order estimate; a set of much smaller files will take
 * longer than estimated. basis says where files and bytes come from: "given" (for_files and
 * for_bytes), "scaled" (one of them given, the other scaled by the measured set's mean file
 * size), or "measured" (the measured set). "for" is null when no byte count is known.
 *
 * With jobs J > 1, each of the J copiers copied the whole source in a run, and mb_s is what they
 * copied together; the times are for J jobs each caching a set of files and bytes at once:
 * J * bytes / (median * 10^6).
 */
json_t *recommend_compute(json_t *cells, const struct recommend_params *p);

/*
 * The text a sweep ends with, from rec alone, as a new string (free it), every line ending in a
 * newline. The first line is the setting:
 *   CRYOSPARC_CACHE_NUM_THREADS=8   # add to cryosparc_worker/config.sh
 * or, with confidence "none",
 *   # CRYOSPARC_CACHE_NUM_THREADS: keep the default (2) — <reason>
 *   # CRYOSPARC_CACHE_NUM_THREADS: no recommendation — <reason>      (threads null)
 * then comment lines with the evidence: the confidence and reason, the chosen and the default
 * throughput, the best strategy's, the time estimates for the data set, and failed runs left out.
 * Every line after the first starts with '#', so the whole text can go into config.sh.
 */
char *recommend_line(json_t *rec);

#endif
