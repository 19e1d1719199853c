/* SPDX-License-Identifier: MIT */
/* util.c - small helpers shared by every module: messages, paths, numbers, clocks, files. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/text.h"
#include "lib/util.h"

bool quiet_messages;
bool verbose_messages;
bool silent_messages;
bool live_line;

static void vmessage(const char *prefix, const char *fmt, va_list ap)
{
	char line[4096];

	if (silent_messages)
		return;

	/* One write per message, so lines from several threads do not interleave. */
	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s" PROGRAM_NAME ": %s%s\n", live_line ? "\r\033[K" : "", prefix, line);
}

void error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

void warning(const char *fmt, ...)
{
	va_list ap;

	if (quiet_messages)
		return;
	va_start(ap, fmt);
	vmessage("warning: ", fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	if (quiet_messages)
		return;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
}

uint64_t now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void run_shared(void *(*fn)(void *), void *arg, unsigned helpers)
{
	pthread_t *tid = helpers ? xcalloc(helpers, sizeof(*tid)) : NULL;
	unsigned started = 0;

	for (unsigned t = 0; t < helpers; t++)
		if (pthread_create(&tid[started], NULL, fn, arg) == 0)
			started++;
	fn(arg);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	free(tid);
}

double now_mono(void)
{
	return (double)now_mono_ns() / 1e9;
}

void now_rfc3339(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The multiplier of a size suffix: K M G T P bare or with iB (binary), with B (decimal). */
static int size_suffix(const char *suffix, unsigned __int128 *mult)
{
	static const char units[] = "KMGTP";
	const char *u = *suffix ? strchr(units, toupper((unsigned char)*suffix)) : NULL;
	unsigned __int128 m = 1;

	if (!*suffix || !strcmp(suffix, "B") || !strcmp(suffix, "b")) {
		*mult = 1;
		return 0;
	}
	if (!u)
		return -EINVAL;
	suffix++;
	if (!*suffix || !strcmp(suffix, "iB") || !strcmp(suffix, "ib")) {
		for (const char *k = units; k <= u; k++)
			m *= 1024;
	} else if (!strcmp(suffix, "B") || !strcmp(suffix, "b")) {
		for (const char *k = units; k <= u; k++)
			m *= 1000;
	} else {
		return -EINVAL;
	}
	*mult = m;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	unsigned __int128 mantissa = 0;
	unsigned __int128 scale = 1;	/* 10^(digits after the point) */
	unsigned __int128 mult;
	unsigned __int128 v;
	int digits = 0;

	if (!s)
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++, digits++) {
		if (digits >= 20)
			return -ERANGE;
		mantissa = mantissa * 10 + (unsigned)(*s - '0');
	}
	if (*s == '.') {
		s++;
		for (int frac = 0; isdigit((unsigned char)*s); s++, frac++) {
			if (frac >= 18)
				return -EINVAL;	/* more places than any size means */
			mantissa = mantissa * 10 + (unsigned)(*s - '0');
			scale *= 10;
			digits++;
		}
	}
	if (!digits || size_suffix(s, &mult))
		return -EINVAL;
	/* exact: mantissa * mult / scale, rounded to the nearest byte */
	if (mantissa && mult > ((unsigned __int128)1 << 100) / mantissa)
		return -ERANGE;
	v = (mantissa * mult + scale / 2) / scale;
	if (v > UINT64_MAX)
		return -ERANGE;
	*out = (uint64_t)v;
	return 0;
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_duration(const char *s, double *seconds)
{
	double total = 0;
	bool any = false;

	if (!s || !*s)
		return -EINVAL;
	while (*s) {
		char *end;
		double v;

		errno = 0;
		v = strtod(s, &end);
		if (errno || end == s || v < 0 || !isfinite(v))
			return -EINVAL;
		switch (*end) {
		case 'h': v *= 3600; end++; break;
		case 'm': v *= 60; end++; break;
		case 's': end++; break;
		case '\0': break;
		default: return -EINVAL;
		}
		total += v;
		any = true;
		s = end;
	}
	if (!any)
		return -EINVAL;
	*seconds = total;
	return 0;
}

const char *human_seconds(double seconds, char *buf, size_t len)
{
	if (seconds < 10)
		snprintf(buf, len, "%.2f s", seconds);
	else
		human_duration(seconds, buf, len);
	return buf;
}

const char *human_duration(double seconds, char *buf, size_t len)
{
	long s = seconds < 0 ? 0 : (long)(seconds + 0.5);

	if (s >= 3600)
		snprintf(buf, len, "%ldh%02ldm", s / 3600, s / 60 % 60);
	else if (s >= 60)
		snprintf(buf, len, "%ldm%02lds", s / 60, s % 60);
	else
		snprintf(buf, len, "%lds", s);
	return buf;
}

static int vfail_why(char *why, size_t len, int err, const char *fmt, va_list ap)
{
	if (why && len)
		vsnprintf(why, len, fmt, ap);
	return err;
}

int reject_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail_why(why, len, -EINVAL, fmt, ap);
	va_end(ap);
	return ret;
}

int fail_why(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail_why(why, len, err, fmt, ap);
	va_end(ap);
	return ret;
}

void unescape_octal(char *s)
{
	char *w = s;

	for (const char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

void add_stringf(json_t *array, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	json_array_append_new(array, text_json(msg));
	free(msg);
}

const char *human_size(uint64_t bytes, char *buf, size_t len)
{
	/* Decimal, as the rates' MB/s are: never GiB beside GB. */
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	double v = (double)bytes;
	unsigned u = 0;

	while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

static void out_of_memory(size_t n)
{
	fprintf(stderr, PROGRAM_NAME ": out of memory (allocating %zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		out_of_memory(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		out_of_memory(n);
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		out_of_memory(strlen(s) + 1);
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		out_of_memory(0);
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void strf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	while (*b == '/')
		b++;
	if (la && a[la - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

bool path_is_within(const char *a, const char *b)
{
	size_t lb = strlen(b);

	if (strcmp(b, "/") == 0)
		return a[0] == '/';
	if (strncmp(a, b, lb) != 0)
		return false;
	return a[lb] == '\0' || a[lb] == '/';
}

char *path_normalize(const char *path)
{
	const bool absolute = path[0] == '/';
	char *out = xmalloc(strlen(path) + 2);
	size_t n = 0;

	if (absolute)
		out[n++] = '/';
	for (const char *p = path; *p;) {
		const size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.') {
			/* Back to the previous component's start (never above the leading '/'). */
			if (n == (absolute ? 1u : 0u)) {
				if (!absolute) {
					free(out);
					return NULL;
				}
			} else {
				while (n > (absolute ? 1u : 0u) && out[n - 1] != '/')
					n--;
				if (n > (absolute ? 1u : 0u))
					n--;	/* the separator before it */
			}
		} else if (len && !(len == 1 && p[0] == '.')) {
			if (n > (absolute ? 1u : 0u))
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	out[n] = '\0';
	return out;
}

/* path made absolute (below the current folder) and normalized as text; NULL when it climbs. */
static char *absolute_path(const char *path)
{
	char *cwd;
	char *joined;
	char *norm;

	if (path[0] == '/')
		return path_normalize(path);
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	joined = path_join(cwd, path);
	norm = path_normalize(joined);
	free(joined);
	free(cwd);
	return norm;
}

char *path_resolve(const char *path)
{
	char *p = absolute_path(path);

	/*
	 * The longest prefix that exists, through realpath(); the rest does not exist yet, so it
	 * holds no links and its ".." (already cancelled as text) meant what it says.
	 */
	for (size_t cut = p ? strlen(p) : 0; p;) {
		char *prefix = strndup(p, cut ? cut : 1);
		char *real = prefix ? realpath(prefix, NULL) : NULL;
		char *out;

		free(prefix);
		if (real) {
			out = p[cut] ? path_join(real, p + cut + (p[cut] == '/')) : xstrdup(real);
			free(real);
			free(p);
			return out;
		}
		if (cut <= 1) {
			free(p);
			return NULL;
		}
		while (cut > 1 && p[cut - 1] != '/')
			cut--;
		if (cut > 1)
			cut--;	/* the separator */
	}
	return NULL;
}

int read_text_file(const char *path, char **out, size_t *len)
{
	size_t cap = 4096;
	size_t n = 0;
	char *buf;
	int fd;
	int ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			free(buf);
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
out:
	close(fd);
	return ret;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * fsync() the folder holding path, so that a rename into it survives a crash: the file's own
 * fsync() makes its data durable, not the name that points at it.
 */
static int sync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xasprintf("%.*s", slash == path ? 1 : (int)(slash - path), path)
			  : xstrdup(".");
	const int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	free(dir);
	if (fd < 0)
		return -errno;
	/* Some filesystems cannot sync a folder (EINVAL): nothing more can be done there. */
	if (fsync(fd) < 0 && errno != EINVAL)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * buf (len bytes) and then tail (NUL-terminated, may be "") into tmp, renamed over path. tmp is
 * made anew with O_EXCL and O_NOFOLLOW (whatever had its name removed first, a symlink too), so
 * the write never goes through a name someone else put there.
 */
static int write_atomic(const char *path, const char *tmp, const void *buf, size_t len,
			const char *tail, bool *created)
{
	int fd;
	int ret;

	if (unlink(tmp) < 0 && errno != ENOENT) {
		if (created)
			*created = false;
		return -errno;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0666);
	if (created)
		*created = fd >= 0;
	if (fd < 0)
		return -errno;
	ret = write_all(fd, buf, len);
	if (!ret)
		ret = write_all(fd, tail, strlen(tail));
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	else
		ret = sync_parent(path);
	return ret;
}

int write_text_atomic(const char *path, const char *tmp, const char *text, bool *created)
{
	return write_atomic(path, tmp, text, strlen(text), "\n", created);
}

int write_bytes_atomic(const char *path, const char *tmp, const void *buf, size_t len)
{
	return write_atomic(path, tmp, buf, len, "", NULL);
}

int read_full(int fd, void *buf, size_t len, size_t *got)
{
	char *p = buf;
	size_t n = 0;

	while (n < len) {
		ssize_t r = read(fd, p + n, len - n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			*got = n;
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*got = n;
	return 0;
}

int mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	char *s = p;
	int ret = 0;

	while (*s == '/')
		s++;
	for (;;) {
		char *slash = strchr(s, '/');
		struct stat st;

		if (slash)
			*slash = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			ret = -errno;
			goto out;
		}
		if (stat(p, &st) < 0) {
			ret = -errno;
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			ret = -ENOTDIR;
			goto out;
		}
		if (!slash)
			break;
		*slash = '/';
		s = slash + 1;
		while (*s == '/')
			s++;
		if (!*s)
			break;
	}
out:
	free(p);
	return ret;
}
