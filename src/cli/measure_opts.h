/*
 * measure.h - what run and sweep share on the command line: the options of a measurement (one
 * table fragment, so both commands, --help, profiles and the JSON echo agree), turning them into
 * a bench_config, and the closing of a session (table, results path, exit message).
 */
#ifndef CCB_MEASURE_H
#define CCB_MEASURE_H

#include <stdbool.h>
#include <stdint.h>

#include "bench/bench.h"
#include "cli/options.h"
#include "cli/post_results.h"

struct measure_opts {
	uint64_t bs;
	long qd;
	long inflight;
	bool direct;
	char *reflink;
	char *out;
	bool keep;
	bool verify;
	bool require_drop;
	bool all_files;
	bool quiet;
	char *drop_path;
	double interval;
	char *samples_format;
	char *sysroot;
	char *profile;
	char *files_list;
	char *project_dir;
	char *sample;
	char *source_url;
	char *cafile;
	bool insecure;
	long source_timeout;
	struct post_opts post;
};

extern const char *const measure_reflink_choices[];
extern const char *const measure_samples_choices[];

/* The option table entries of struct measure_opts m inside the command's struct st. */
#define MEASURE_OPTIONS(st, m)                                                                    \
	OPT_SIZE_("bs", 0, st, m.bs, NULL, "SIZE",                                                 \
		  "I/O size of the strategy; each documents its default ('strategies' lists them)"), \
	OPT_LONG_("qd", 0, st, m.qd, "32", "N", 1, 4096, "io_uring queue depth per thread"),       \
	OPT_LONG_("inflight", 0, st, m.inflight, "4", "N", 1, 1024,                                \
		  "files open at once per io_uring thread"),                                        \
	OPT_BOOL_("direct", 0, st, m.direct,                                                       \
		  "O_DIRECT on both sides where the strategy supports it (uring)"),                  \
	OPT_CHOICE_("reflink", 0, st, m.reflink, "auto", "WHEN", measure_reflink_choices,          \
		    "cfr: clone with FICLONE first, like cp --reflink"),                            \
	OPT_STRING_("out", 'o', st, m.out, NULL, "DIR", OPT_NO_ECHO,                               \
		    "results folder (default: a new ./cryocache-results/<time>-<label>)"),          \
	OPT_BOOL_("keep", 0, st, m.keep,                                                           \
		  "leave the last copy in DST's scratch directory for inspection"),                 \
	OPT_BOOL_("verify", 0, st, m.verify,                                                       \
		  "after each run, drop caches and compare xxh3 hashes of every source and copy"),  \
	OPT_BOOL_("require-drop", 0, st, m.require_drop,                                           \
		  "fail instead of falling back to posix_fadvise when caches cannot be dropped"),   \
	OPT_BOOL_("all-files", 0, st, m.all_files, "copy every regular file, not only .mrc/.mrcs"), \
	OPT_STRING_("files", 0, st, m.files_list, NULL, "LIST", 0,                                 \
		    "copy the stacks LIST names, one path a line (- for stdin), relative to SRC"),  \
	OPT_STRING_("project-dir", 0, st, m.project_dir, NULL, "DIR", 0,                           \
		    "where the paths of a .star, .cs or --files LIST start (default: the RELION "  \
		    "project holding the .star, the folder above a .cs's J<n> folder)"),           \
	OPT_STRING_("sample", 0, st, m.sample, NULL, "N|P%", 0,                                   \
		    "copy a seeded, size-representative sample of the stacks: N of them, or P% "  \
		    "of the bytes"),                                                                 \
	OPT_STRING_("source-url", 0, st, m.source_url, NULL, "URL", 0,                            \
		    "http strategy: fetch each stack from URL/<its path relative to SRC>"),        \
	OPT_STRING_("cafile", 0, st, m.cafile, NULL, "FILE", 0,                                   \
		    "http strategy and --post: CA certificates to verify the server with"),        \
	OPT_BOOL_("insecure", 0, st, m.insecure,                                                   \
		  "http strategy and --post: do not verify the server's certificate (a warning "  \
		  "in results)"),                                                                   \
	OPT_LONG_("source-timeout", 0, st, m.source_timeout, "60", "S", 1, 86400,                  \
		  "http strategy: seconds to connect, and of a transfer without progress, before "  \
		  "the file fails"),                                                                \
	POST_OPTIONS(st, m.post),                                                                  \
	OPT_BOOL_("quiet", 'q', st, m.quiet, "no progress lines on stderr"),                      \
	OPT_STRING_("drop-caches-path", 0, st, m.drop_path, "/proc/sys/vm/drop_caches", "FILE", 0, \
		    "where to write 3 to drop the page cache"),                                     \
	OPT_DOUBLE_("interval", 0, st, m.interval, "0.1", "S", 0, 3600,                            \
		    "seconds between readings of the devices, CPUs and network during a run "       \
		    "(0: no sampling)"),                                                             \
	OPT_CHOICE_("samples-format", 0, st, m.samples_format, "json", "FMT",                      \
		    measure_samples_choices, "format of each run's samples/run-<seq> file"),        \
	OPT_STRING_("sysroot", 0, st, m.sysroot, NULL, "DIR", OPT_NO_ECHO,                         \
		    "testing aid: the sampler reads /proc and /sys below DIR"),                     \
	OPT_STRING_("profile", 0, st, m.profile, NULL, "FILE", 0,                                  \
		    "options from the command's section of an INI profile (profiles/*.ini); "       \
		    "the command line overrides them")

/* Fill the measurement part of cfg from m (the strings stay owned by m). */
void measure_opts_apply(const struct measure_opts *m, struct bench_config *cfg);

/*
 * After bench_end(): print the table of results.json and its path on stdout, and the closing
 * message on stderr for a failed or interrupted session. Returns status.
 */
int measure_report(struct bench *b, int status);

/*
 * With --post, after measure_report(): POST results.json as written (byte for byte) unless the
 * session was interrupted. Returns the exit status (post_status()).
 */
int measure_post(struct bench *b, const struct measure_opts *m, int status);

#endif
