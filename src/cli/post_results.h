/* SPDX-License-Identifier: MIT */
/*
 * post_results.h - sending results to a results collector: `--post URL` on run, sweep and compare POSTs
 * the JSON document with libcurl, retried with backoff on transient failures, with headers
 * (tokens) that are never echoed into results or messages. Posting happens after the results
 * are on disk, so a collector that is down never loses a measurement.
 *
 * Headers come from `--header-file FILE` (one a line), the environment (CCB_POST_HEADER, one
 * header; CCB_POST_HEADER_FILE, a file as --header-file) or `-H`: every user can read a
 * command line (/proc/PID/cmdline, ps), so -H is for tests and headers without secrets.
 */
#ifndef CCB_POST_H
#define CCB_POST_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/options.h"

/* The exit status when posting failed and --post-required was given (a command's own failure,
 * or compare's regression status 1, wins over it). */
#define POST_FAILED_STATUS 3

struct post_opts {
	char *url;
	struct opt_list headers;	/* -H, then (after post_check) the file's and the environment's */
	char *header_file;
	bool required;
	long retries;
};

/* The option table entries of struct post_opts p inside the command's struct st. */
#define POST_OPTIONS(st, p)                                                                        \
	OPT_STRING_("post", 0, st, p.url, NULL, "URL", OPT_NO_ECHO | OPT_URL,                      \
		    "when done, POST the results (JSON) to a results collector at URL"),            \
	OPT_LIST_("header", 'H', st, p.headers, "'NAME: VALUE'", OPT_SECRET,                      \
		  "--post: send this HTTP header too (never written to results or messages); for " \
		  "tests and headers without secrets: every user can read a command line, so give " \
		  "a token with --header-file or CCB_POST_HEADER"),                                 \
	OPT_STRING_("header-file", 0, st, p.header_file, NULL, "FILE", OPT_NO_ECHO,                \
		    "--post: send the HTTP headers of FILE, one 'NAME: VALUE' a line (# comments); " \
		    "FILE must not be writable by others (chmod 600)"),                            \
	OPT_BOOL_("post-required", 0, st, p.required,                                              \
		  "exit with status 3 when the results could not be posted"),                      \
	OPT_LONG_("post-retries", 0, st, p.retries, "3", "N", 0, 20,                               \
		  "--post: further attempts after a transient failure (connection, timeout, 408, " \
		  "429, 5xx), 1 s, 2 s, 4 s... apart")

/*
 * Check the posting options before anything is measured, and gather the headers: those of
 * --header-file and, with --post, of CCB_POST_HEADER_FILE and CCB_POST_HEADER are appended to
 * p->headers. Every header is "Name: value" with a token for a name; a header file is refused
 * when other users may write it or it is not the user's (or root's), and warned about when
 * they may read it. Returns 0, or -EINVAL / -errno after a message (which never shows a
 * header's text).
 */
int post_check(struct post_opts *p);

/* The environment variables of the headers (see above). */
#define POST_HEADER_ENV "CCB_POST_HEADER"
#define POST_HEADER_FILE_ENV "CCB_POST_HEADER_FILE"

/*
 * POST body (len bytes of JSON) to p->url, what naming it in messages ("results.json").
 * cafile/insecure verify an https collector. Returns 0 once a 2xx answer came, else -EIO after
 * a message naming the URL (through url_redact(): without its user information and query
 * values) and the reason, or
 * -EINTR when a stop signal arrived. Does nothing and returns 0 without --post.
 */
int post_json(const struct post_opts *p, const char *body, size_t len, const char *what,
	      const char *cafile, bool insecure);

/*
 * The command's exit status after posting: status when it is not 0 (a failed run, a
 * regression), else POST_FAILED_STATUS when posting failed (post_ret < 0) and --post-required
 * was given, else 0.
 */
int post_status(const struct post_opts *p, int status, int post_ret);

/* Whether a --header names name (case-insensitively). */
bool post_has_header(const struct post_opts *p, const char *name);

#endif
