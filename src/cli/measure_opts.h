/* SPDX-License-Identifier: MIT */
/*
 * measure_opts.h - what run and sweep share on the command line: the options of a measurement
 * (one table fragment, so both commands, --help, profiles and the JSON echo agree) and those of
 * every strategy (each strategy's own table), turning them into a bench_config, and the closing
 * of a session (table, results path, exit message).
 */
#ifndef CCB_MEASURE_OPTS_H
#define CCB_MEASURE_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "bench/bench.h"
#include "cli/options.h"
#include "cli/post_results.h"
#include "sys/sampler.h"

struct measure_opts {
	uint64_t bs;
	char *out;
	bool keep;
	bool verify;
	bool require_drop;
	bool all_files;
	bool follow_links;
	bool check_all;
	bool quiet;
	bool verbose;
	bool dry_run;
	char *output_format;
	char *drop_path;
	double interval;
	char *samples_format;
	char *drop;
	char *sysroot;
	char *profile;
	char *files_list;
	char *project_dir;
	char *sample;
	struct post_opts post;
	/* Per strategies[] entry (and a NULL after them), its options struct; NULL: it has none. */
	void **eo;
};

extern const char *const measure_samples_choices[];
extern const char *const measure_drop_choices[];
extern const char *const measure_output_formats[];

/*
 * The option table entries of struct measure_opts m inside the command's struct st, in groups
 * that run and sweep put under the same headings of --help (git's OPT_GROUP), each command adding
 * its own options where they belong:
 *
 *	(the command's own), MEASURE_GENERAL_OPTIONS,
 *	OPT_GROUP_(MEASURE_GROUP_COPY), MEASURE_COPY_OPTIONS,
 *	OPT_GROUP_(MEASURE_GROUP_HOW), MEASURE_HOW_OPTIONS,
 *	OPT_GROUP_(MEASURE_GROUP_OUTPUT), MEASURE_OUTPUT_OPTIONS,
 *	OPT_GROUP_(MEASURE_GROUP_POST), POST_OPTIONS(st, m.post)
 */
#define MEASURE_GROUP_COPY "What to copy"
#define MEASURE_GROUP_HOW "How to measure"
#define MEASURE_GROUP_OUTPUT "Output"
#define MEASURE_GROUP_POST "Posting results"

#define MEASURE_GENERAL_OPTIONS(st, m)                                                            \
	OPT_STRING_("profile", 0, st, m.profile, NULL, "FILE|NAME", 0,                             \
		    "options from the command's section of an INI profile, a file or a shipped "    \
		    "one by name (cryosparc-tune); the command line overrides them"),               \
	OPT_BOOL_F_("dry-run", 0, st, m.dry_run, OPT_NO_ECHO,                                      \
		    "print the plan, the number of runs and an estimate of the time they take, "    \
		    "from one or two unrecorded probe runs of about 268 MB of the set; copy "     \
		    "nothing more, write no results")

#define MEASURE_COPY_OPTIONS(st, m)                                                               \
	OPT_STRING_("files", 0, st, m.files_list, NULL, "LIST", 0,                                 \
		    "copy the stacks LIST names, one path a line (- for stdin), relative to SRC"),  \
	OPT_STRING_("project-dir", 0, st, m.project_dir, NULL, "DIR", 0,                           \
		    "where the paths of a .star, .cs or --files LIST start (default: the RELION "  \
		    "project holding the .star, the folder above a .cs's J<n> folder)"),           \
	OPT_BOOL_("all-files", 0, st, m.all_files, "copy every regular file, not only .mrc/.mrcs"), \
	OPT_BOOL_("follow-links", 0, st, m.follow_links,                                           \
		  "copy through links to stacks outside SRC (or the project folder) too"),          \
	OPT_BOOL_("check-all", 0, st, m.check_all,                                                 \
		  "check every stack's MRC header, and its residency before each run (default: a " \
		  "sample of 2000 in larger sets)"),                                                \
	OPT_STRING_("sample", 0, st, m.sample, NULL, "N|P%", 0,                                   \
		    "copy a seeded, size-representative sample of the stacks: N of them, or P% "  \
		    "of the bytes")

#define MEASURE_HOW_OPTIONS(st, m)                                                                \
	OPT_SIZE_MIN_("bs", 0, st, m.bs, NULL, "SIZE", 1,                                          \
		      "I/O size of the strategy; each documents its default ('strategies' lists " \
		      "them)"),                                                                      \
	OPT_BOOL_("verify", 0, st, m.verify,                                                       \
		  "after each run, drop caches and compare xxh3 hashes of every source and copy"),  \
	OPT_BOOL_("require-drop", 0, st, m.require_drop,                                           \
		  "fail instead of falling back to posix_fadvise when caches cannot be dropped"),   \
	OPT_CHOICE_("drop", 0, st, m.drop, "all", "WHAT", measure_drop_choices,                    \
		    "before each run, drop the whole page cache (drop_caches 3: data and "         \
		    "metadata), or only the set's pages (posix_fadvise: faster on a busy node; "   \
		    "the source's metadata stays cached, so not for network storage)"),           \
	OPT_STRING_("drop-caches-path", 0, st, m.drop_path, "/proc/sys/vm/drop_caches", "FILE", 0, \
		    "the kernel's drop_caches file, where 3 drops the page cache (a procfs "       \
		    "mounted elsewhere; no other file is written)"),                                \
	OPT_DOUBLE_OFF_("interval", 0, st, m.interval, "0.1", "S", SAMPLER_MIN_INTERVAL_S, 3600,   \
			"seconds between readings of the devices, CPUs and network during a run, " \
			"at least 0.01 (0: no sampling)"),                                         \
	OPT_CHOICE_("samples-format", 0, st, m.samples_format, "json", "FMT",                      \
		    measure_samples_choices, "format of each run's samples/run-<seq> file"),        \
	OPT_BOOL_("keep", 0, st, m.keep,                                                           \
		  "leave the last copy in DST's scratch directory for inspection"),                 \
	OPT_STRING_("sysroot", 0, st, m.sysroot, NULL, "DIR", OPT_NO_ECHO,                         \
		    "testing aid: the sampler reads /proc and /sys below DIR")

#define MEASURE_OUTPUT_OPTIONS(st, m)                                                             \
	OPT_STRING_("out", 'o', st, m.out, NULL, "DIR", OPT_NO_ECHO,                               \
		    "results folder (default: a new ./cryocache-results/<time>-<label>)"),          \
	{ "output-format", 0, OPT_CHOICE, OPT_FIELD_(st, m.output_format), "normal", "FMT",      \
	  "what stdout gets: the table and the closing lines, or (json, as fio's) the results "   \
	  "document, as written to results.json", OPT_NO_ECHO, 0, 0, measure_output_formats },   \
	OPT_BOOL_F_("quiet", 'q', st, m.quiet, OPT_NO_ECHO,                                        \
		    "no progress lines or warnings on stderr (errors stay; the table and reports "  \
		    "list every warning)"),                                                          \
	OPT_BOOL_F_("verbose", 'v', st, m.verbose, OPT_NO_ECHO,                                    \
		    "every run's warnings on stderr with its number, not only the first of a kind")

/*
 * Parse the command line of run or sweep: opts (the command's struct, holding m) from the
 * command's table, and every strategy's options struct (m->eo) from the strategy's table, each
 * from its defaults, then recorded (a results.json's "params" to continue, or NULL), the
 * --profile and argv, each overriding the one before. Returns what options_parse_groups()
 * returns (-EINVAL after a message when recorded holds a bad value); in any case
 * measure_release() frees what was set.
 */
int measure_parse(const struct opt_command *cmd, void *opts, struct measure_opts *m,
		  json_t *recorded, int argc, char **argv, char ***args, int *nargs);

/* Whether a URL of the strategies' options holds credentials results.json does not record. */
bool measure_url_has_secret(const struct measure_opts *m);

/* results.json's "params": the command's options and every strategy's, as options_to_json(). */
json_t *measure_params(const struct opt_command *cmd, const void *opts,
		       const struct measure_opts *m);

/* Free what opts (holding m) and the strategies' options structs hold. */
void measure_release(const struct opt_command *cmd, void *opts, struct measure_opts *m);

/* Fill the measurement part of cfg from m (the strings stay owned by m). */
void measure_opts_apply(const struct measure_opts *m, struct bench_config *cfg);

/* Whether --output-format json was given: stdout gets results.json instead of the text. */
bool measure_json_output(const struct measure_opts *m);

/*
 * Print results.json as written, byte for byte, on stdout (--output-format json). Returns 0, or 1
 * after a message.
 */
int measure_print_results(const struct bench *b);

/*
 * After bench_end(): print the table of results.json and its path on stdout (with --output-format
 * json, results.json itself), and the closing message on stderr for a failed or interrupted
 * session; nothing when the session failed before it recorded a run (its error was said
 * already). Returns status.
 */
int measure_report(struct bench *b, const struct measure_opts *m, int status);

/*
 * --dry-run: a new document for what a dry run says: "dry_run": true, the command, the set
 * ("source": path, files, bytes), the "destination" from b and "warnings" (none yet). The
 * command adds "plan" (its own keys, and "text", the line the text output shows), "runs"
 * ("total", and for sweep "before_grid", "grid", "expected_extra", "at_most",
 * "confirmation_at_most"; "text"), "probes" and "estimate" ("seconds_per_run", "seconds",
 * "seconds_with_confirmation"). docs/results-schema.md, "Dry run", describes it.
 */
json_t *measure_dry_run_new(const struct bench *b, const char *command);

/* A probe's rate, as an entry of a dry run's "probes". */
json_t *measure_rate_json(const struct bench_rate *r);

/*
 * A dry run's warning (in its "warnings") when a run of b's set at the fastest probe's rate would
 * last less than min_run_s (0: no check): such numbers are mostly noise.
 */
void measure_dry_run_check_length(json_t *doc, const struct bench *b,
				  const struct bench_rate *fastest, double min_run_s);

/* Print a dry run's document on stdout: as text, or itself with --output-format json. */
int measure_dry_run_print(json_t *doc, const struct measure_opts *m);

/*
 * With --post, after measure_report(): POST results.json as written (byte for byte) unless the
 * session was interrupted. Returns the exit status (post_status()).
 */
int measure_post(struct bench *b, const struct measure_opts *m, int status);

/*
 * The top-level warnings b said on stderr, when stdout is that same terminal: the final table
 * then lists them no second time (a file or a pipe gets them all). NULL otherwise.
 */
json_t *measure_tty_said(const struct bench *b);

#endif
