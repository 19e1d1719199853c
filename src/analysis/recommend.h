/* SPDX-License-Identifier: MIT */
/*
 * recommend.h - CRYOSPARC_CACHE_NUM_THREADS from the cells of a results document (cells.h), and
 * the line(s) a sweep ends with. Reads only JSON; no I/O.
 */
#ifndef CCB_RECOMMEND_H
#define CCB_RECOMMEND_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#define RECOMMEND_VARIABLE "CRYOSPARC_CACHE_NUM_THREADS"
#define RECOMMEND_STRATEGY "shutil"	/* CryoSPARC's copier, emulated: when cpython did not run */
#define RECOMMEND_INTERPRETER "cpython"	/* CryoSPARC's copier itself, the real interpreter */
#define RECOMMEND_DEFAULT_THREADS 2	/* CryoSPARC's default since v4.3 */
#define RECOMMEND_TOLERANCE 0.03
#define RECOMMEND_MIN_RUNS 6		/* cold runs a cell needs for a 95 % interval: high */

struct recommend_params {
	double tolerance;	/* medians within this fraction of the best are as good (0.03) */
	long jobs;		/* cells with this many copiers at once (1) */
	long nodes;		/* cells with this many nodes copying at once (0: one node alone,
				   cells without "nodes") */
	bool nodes_split;	/* ... each its share of the set (else each the whole set) */
	/* The data set to estimate times for: --for-files and --for-bytes, 0 when not given. */
	uint64_t for_files;
	uint64_t for_bytes;
	/* The measured set (source.files, source.bytes), 0 when unknown. */
	uint64_t source_files;
	uint64_t source_bytes;
};

/* The defaults: tolerance RECOMMEND_TOLERANCE, jobs 1, one node alone, no data set. */
void recommend_params_init(struct recommend_params *p);

/* Take source_files and source_bytes from doc's "source" (left alone when absent). */
void recommend_params_from_doc(struct recommend_params *p, json_t *doc);

/*
 * The recommendation, as a new JSON object, from cells (cells_compute's array); p NULL means the
 * defaults. Only cells with p->jobs copiers and at least one complete run count.
 *
 * The rules, on the cells of CryoSPARC's copier, by medians, never by overlap. The copier is
 * RECOMMEND_INTERPRETER (cpython: CPython's own shutil.copyfile, as CryoSPARC runs it) when a
 * cpython cell of p's jobs and nodes has a complete run, else RECOMMEND_STRATEGY (shutil, the
 * emulation of its system calls); rec's "strategy" names it, and everything below that says
 * "the copier" means that strategy's cells:
 *   1. No cell of the copier: threads null, confidence "none".
 *   2. Only one thread count, or every cell's confidence interval overlaps every other's (they
 *      share a common point): the data cannot separate anything, so keep the default: threads 2,
 *      confidence "none", and the reason says what would separate them (more repeats, a larger
 *      set, a quieter machine, from the cells' run counts and flags).
 *   3. Else the candidates are the cells whose median is within the tolerance of the best
 *      (highest) median. If the default (2 threads) is a candidate it stays: a change must earn
 *      its place. Otherwise the fewest threads among the candidates: fewer threads load the
 *      shared storage less. So no count whose median is below the default's is ever chosen.
 *      E.g. medians 1: 300, 2: 560, 4: 1010, 8: 1030, 16: 1020 MB/s: 4.
 *   4. Overlapping intervals only lower the confidence. "high" when the chosen and the default
 *      cells each have at least RECOMMEND_MIN_RUNS cold runs (a full-level interval of the
 *      median), neither is flagged, and, unless they are one cell, their intervals do not
 *      overlap; else "low", with the reasons.
 *
 * Keys: variable, strategy (the copier), threads (integer or null), jobs, mb_s (the chosen cell's median, or the
 * default's under rule 2; null when unknown), default_threads (2), default_mb_s (null when
 * 2 threads was not measured), best_strategy, best_threads, best_mb_s (the highest median of any
 * strategy; null when there is no cell), headroom and headroom_verdict (below), tolerance,
 * candidates (the thread counts within the tolerance of the best median; [] under rules 1-2),
 * candidates_mb_s (their medians, in the same order),
 * confidence ("high", "low", "none"), reason (one sentence with the evidence), failed_runs
 * (failed or aborted runs left out, over every cell with p->jobs), and "for":
 *   { files, bytes, basis, seconds: { "<threads>": ..., "best": ... } }
 * the estimated time to cache a data set at each measured thread count of the copier and with the best
 * cell: bytes / (median mb_s * 10^6). The per-file costs (open, stat, makedirs, close) are inside
 * the measured throughput already, so for a set whose file sizes resemble the measured one,
 * scaling by bytes is the honest first-order estimate; a set of much smaller files will take
 * longer than estimated. basis says where files and bytes come from: "given" (for_files and
 * for_bytes), "scaled" (one of them given, the other scaled by the measured set's mean file
 * size), or "measured" (the measured set). "for" is null when no byte count is known.
 *
 * The headroom CryoSPARC's copier leaves is best_mb_s over mb_s, only when the data show one:
 * headroom_verdict says which case holds, and headroom is the ratio under "faster", else null:
 *   "faster"          the best cell is another strategy and its interval lies wholly above the
 *                     interval of the copier's cell mb_s comes from
 *   "within_noise"    the best cell is another strategy, but the intervals overlap (or mb_s is
 *                     unknown): its median being higher shows nothing
 *   "copier_fastest"  the best cell is the copier's: no other strategy was faster
 *   "copier_only"     only the copier was measured
 *   null              no cell of the copier
 *
 * With jobs J > 1, each of the J copiers copied the whole source in a run, and mb_s is what they
 * copied together; the times are for J jobs each caching a set of files and bytes at once:
 * J * bytes / (median * 10^6).
 *
 * Across nodes (p->nodes N), only cells of N nodes count and rec has "nodes": N; mb_s is what the
 * N nodes copied together, so the thread count is the one each node should use when N nodes
 * cache at once. When each node copied the whole set, the times are for every node caching one
 * (N * J * bytes / ...); with --node-files split, for the N nodes caching one set together.

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
 * throughput, what measured them ("# measured with CPython's own shutil.copyfile"), the best
 * strategy's, the time estimates for the data set, and failed runs left out.
 * Every line after the first starts with '#', so the whole text can go into config.sh.
 */
char *recommend_line(json_t *rec);

/*
 * rec's "strategy", the copier its thread count was measured with; RECOMMEND_STRATEGY for a
 * recommendation written before it was recorded (shutil was then the only one).
 */
const char *recommend_strategy(json_t *rec);

/*
 * How the copier strategy measured CryoSPARC's copier, for the sentences that say so: "CPython's
 * own shutil.copyfile" (cpython) or "the shutil emulation" (shutil, anything else).
 */
const char *recommend_copier_words(const char *strategy);

/*
 * rec's headroom_verdict; for a recommendation written before it existed, "copier_fastest" when
 * the best cell is the copier's and "unjudged" when it is another strategy's (then no ratio is
 * shown). NULL when there is no best cell.
 */
const char *recommend_headroom_verdict(json_t *rec);

#endif
