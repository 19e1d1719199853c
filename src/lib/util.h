/* SPDX-License-Identifier: MIT */
/* util.h - small helpers shared by every module: messages, paths, numbers, clocks, files. */
#ifndef CCB_UTIL_H
#define CCB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#define PROGRAM_NAME "cryocache-bench"

/*
 * Messages go to stderr, git style: "cryocache-bench: cannot open 'x': reason".
 * error() and warning() never exit; the caller decides the exit status.
 */
void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning on stderr unless quiet_messages is set (-q quiets warnings too; errors never). */
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Informational line on stderr unless quiet_messages is set. */
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern bool quiet_messages;
/* -v: every run's own warnings on stderr, not only the first of each kind. */
extern bool verbose_messages;
/*
 * No message at all, errors and warnings included: a rank of a run across nodes whose messages
 * travel to rank 0 in its results, which prints them once with the host's name.
 */
extern bool silent_messages;
/* A live progress line is on the terminal: messages clear it before they print. */
extern bool live_line;

/* Seconds of CLOCK_MONOTONIC, for intervals. */
double now_mono(void);
/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t now_mono_ns(void);
/*
 * Run fn(arg) on this thread and on up to helpers more at once, and return when every one has
 * returned: for work its threads share through arg. A helper that cannot be started is done
 * without (this thread alone does all the work, at worst).
 */
void run_shared(void *(*fn)(void *), void *arg, unsigned helpers);
/* RFC 3339 UTC timestamp of the wall clock into buf ("2026-11-26T01:18:06Z"). */
void now_rfc3339(char *buf, size_t len);

/*
 * Parse a size into bytes: a whole or decimal number ("4096", "1.6") and a suffix: K, M, G, T, P
 * (either case) alone or with "iB" are binary multiples (2^10 ...; "1.6T" is 1.6 x 2^40), with
 * "B" decimal ones (10^3 ...; "1.6TB" is 1.6 x 10^12); "B" alone or nothing is bytes. Decimals
 * are exact, rounded to the nearest byte. Returns 0 or -EINVAL/-ERANGE.
 */
int parse_size(const char *s, uint64_t *out);
/* Parse a decimal integer within [min, max]. Returns 0 or -EINVAL/-ERANGE. */
int parse_long(const char *s, long min, long max, long *out);
/* Parse a duration: "90", "90s", "10m", "1h30m", "2h" into seconds. Returns 0 or -EINVAL. */
int parse_duration(const char *s, double *seconds);
/* A duration for people into buf ("4m12s", "1h05m", "37s"). Returns buf. */
const char *human_duration(double seconds, char *buf, size_t len);
/* A duration for a message: hundredths under 10 s ("3.42 s"), else as human_duration(). */
const char *human_seconds(double seconds, char *buf, size_t len);

/*
 * Format why a value is rejected into why (when why is not NULL and len not 0), and return
 * -EINVAL, for checks that end in one statement:
 *
 *	return reject_why(why, len, "box %d is outside %d-%d", box, min, max);
 */
int reject_why(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same for any failure: the reason into why, and err (a negative errno) returned. */
int fail_why(char *why, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * Decode in place the \ooo escapes (three octal digits) that mountinfo and mountstats write for
 * space, tab, newline and backslash. Anything else after a backslash is kept as it is.
 */
void unescape_octal(char *s);
/* Append a formatted string to a JSON array. */
void add_stringf(json_t *array, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Human size with decimal units (10^3 steps, as MB/s) into buf ("1.5 GB"). Returns buf. */
const char *human_size(uint64_t bytes, char *buf, size_t len);

/* malloc/calloc/strdup that abort with a message on exhaustion: out of memory is not a result. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* printf into a freshly allocated string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/*
 * snprintf that cuts to fit on purpose, for buffers ample for what they hold (sysfs names and
 * values, hosts, paths).
 */
void strf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "a" + "/" + "b" into a new string (no doubled slash). */
char *path_join(const char *a, const char *b);
/* True when path a is b or lies below b (both must be canonical absolute paths). */
bool path_is_within(const char *a, const char *b);
/*
 * path with "." and empty components dropped and "x/.." cancelled, as text (allocated; "" for
 * nothing left): an absolute path stays absolute ("/.." is "/"), a relative one that climbs
 * above its start is NULL.
 */
char *path_normalize(const char *path);
/*
 * Where path is or would be once created (allocated, canonical): the part that exists through
 * realpath(), the rest appended as text, so that a folder about to be made can be checked
 * against the folders nothing may be written in. NULL when it cannot be told.
 */
char *path_resolve(const char *path);

/* Read a whole small file (/proc, /sys) into a NUL-terminated buffer. Returns 0 or -errno. */
int read_text_file(const char *path, char **out, size_t *len);
/* Write all of buf to fd, retrying short writes and EINTR. Returns 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);
/* Read up to len bytes, retrying short reads and EINTR; *got is what was read. 0 or -errno. */
int read_full(int fd, void *buf, size_t len, size_t *got);
/*
 * Write text and a newline to path through tmp, a temporary name in the same folder: tmp is
 * created (anew: whatever had the name is removed, and a symlink is never followed), written,
 * fsync'ed, closed and renamed over path, and then the folder is fsync'ed, so a reader finds the
 * old file or the whole new one, never a part, and after a crash the new name is there. On
 * failure tmp is removed. Returns 0 or -errno; *created (may be NULL) says whether tmp was
 * created, so that a message can name the file that failed.
 */
int write_text_atomic(const char *path, const char *tmp, const char *text, bool *created);
/* The same for len bytes of buf, as they are (no newline added). */
int write_bytes_atomic(const char *path, const char *tmp, const void *buf, size_t len);
/* Make a directory and its parents (like mkdir -p), mode 0777 & umask. Returns 0 or -errno. */
int mkdir_p(const char *path);

#endif
