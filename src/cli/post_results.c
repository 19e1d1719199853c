/* SPDX-License-Identifier: MIT */
/* post_results.c - POST a results document to a collector with libcurl: retries, backoff, secret headers. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "cli/post_results.h"
#include "lib/url.h"
#include "lib/util.h"

#ifdef HAVE_LIBCURL
#include "lib/curl_common.h"
#endif

/* Seconds to connect, and of an upload or answer without progress. */
#define POST_TIMEOUT 30L
/* The longest wait a Retry-After gets; a collector asking for more is retried after this. */
#define POST_MAX_RETRY_AFTER 300L

/* RFC 9110 token characters, the only ones a field name may have. */
static bool header_name_ok(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		const unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && !strchr("!#$%&'*+-.^_`|~", c))
			return false;
	}
	return true;
}

/* "Name: value": a token for a name, a value, no line break. */
static bool header_ok(const char *h)
{
	const size_t name = strcspn(h, ":");

	return h[name] && header_name_ok(h, name) && !strpbrk(h, "\r\n") &&
	       h[name + 1 + strspn(h + name + 1, " \t")];
}

static void header_add(struct post_opts *p, const char *h)
{
	p->headers.v = xrealloc(p->headers.v, (p->headers.n + 1) * sizeof(*p->headers.v));
	p->headers.v[p->headers.n++] = xstrdup(h);
}

/* s without the blanks (and the CR of a CRLF line end) around it, in place. */
static char *trim(char *s)
{
	size_t len;

	s += strspn(s, " \t");
	len = strlen(s);
	while (len && strchr(" \t\r\n", s[len - 1]))
		s[--len] = '\0';
	return s;
}

/*
 * Whether the header file what ('--header-file', or the variable naming it) at fd may be
 * trusted: the user's own (or root's), not writable by others. Warns when others may read it.
 */
static int header_file_trusted(int fd, const char *what, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		const int err = errno;

		error("%s '%s': %s", what, path, strerror(err));
		return -err;
	}
	if (S_ISDIR(st.st_mode)) {
		error("%s '%s' is a folder, not a file of headers", what, path);
		return -EISDIR;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		error("%s '%s' belongs to another user (uid %u), who could change the headers sent: "
		      "use a file of your own (chmod 600)", what, path, (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & 022) {
		error("%s '%s' may be written by other users, who could change the headers sent: "
		      "chmod 600 '%s'", what, path, path);
		return -EPERM;
	}
	if (st.st_mode & 044)
		warning("%s '%s' holds secrets and other users may read it: chmod 600 '%s'", what,
			path, path);
	return 0;
}

/* Append the headers of the file at path (what names it in messages) to p->headers. */
static int header_file_read(struct post_opts *p, const char *what, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	FILE *f;
	int ret;

	if (fd < 0) {
		ret = -errno;
		error("%s: cannot read '%s': %s", what, path, strerror(-ret));
		return ret;
	}
	ret = header_file_trusted(fd, what, path);
	if (ret || !(f = fdopen(fd, "r"))) {
		close(fd);
		return ret ? ret : -ENOMEM;
	}
	while (getline(&line, &cap, f) >= 0) {
		const char *h = trim(line);

		lineno++;
		if (!*h || *h == '#')
			continue;
		if (!header_ok(h)) {
			/* Only the position is named: the text may be a token. */
			error("%s '%s' line %u is not 'Name: value' with a token for a name and a value "
			      "(its text is not shown: headers may hold secrets)", what, path, lineno);
			ret = -EINVAL;
			break;
		}
		header_add(p, h);
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		error("%s: cannot read '%s': %s", what, path, strerror(EIO));
	}
	free(line);
	fclose(f);
	return ret;
}

/* The headers the environment gives (CCB_POST_HEADER_FILE, CCB_POST_HEADER), for --post only. */
static int header_env_read(struct post_opts *p)
{
	const char *file = getenv(POST_HEADER_FILE_ENV);
	const char *env = getenv(POST_HEADER_ENV);
	int ret = 0;

	if (file && *file)
		ret = header_file_read(p, POST_HEADER_FILE_ENV, file);
	if (!ret && env && *env) {
		char *copy = xstrdup(env);
		const char *h = trim(copy);

		if (header_ok(h)) {
			header_add(p, h);
		} else {
			error(POST_HEADER_ENV " is not 'Name: value' with a token for a name and a "
			      "value (its text is not shown: headers may hold secrets)");
			ret = -EINVAL;
		}
		free(copy);
	}
	return ret;
}

int post_check(struct post_opts *p)
{
	const size_t given = p->headers.n;
	int ret;

	for (size_t i = 0; i < given; i++) {
		/* Only the position is named: the text may be a token. */
		if (!header_ok(p->headers.v[i])) {
			error("--header number %zu is not 'Name: value' with a token for a name, a "
			      "value and no line break (its text is not shown: headers may hold "
			      "secrets)",
			      i + 1);
			return -EINVAL;
		}
	}
	if (p->header_file) {
		ret = header_file_read(p, "--header-file", p->header_file);
		if (ret)
			return ret;
	}
	if (given && !p->url)
		warning("--header is only sent with --post: no results will be posted");
	if (p->header_file && !p->url)
		warning("--header-file is only sent with --post: no results will be posted");
	if (p->required && !p->url)
		warning("--post-required without --post: nothing will be posted");
	if (!p->url)
		return 0;
	if (strncmp(p->url, "http://", 7) && strncmp(p->url, "https://", 8)) {
		char *shown = url_redact(p->url);

		error("--post '%s': not an http:// or https:// URL", shown);
		free(shown);
		return -EINVAL;
	}
#ifndef HAVE_LIBCURL
	error("--post: built without libcurl (install libcurl4-openssl-dev and re-run configure)");
	return -EINVAL;
#endif
	/* The environment's headers only go with --post: a pipeline may export them for all. */
	return header_env_read(p);
}

bool post_has_header(const struct post_opts *p, const char *name)
{
	const size_t len = strlen(name);

	for (size_t i = 0; i < p->headers.n; i++)
		if (!strncasecmp(p->headers.v[i], name, len) && p->headers.v[i][len] == ':')
			return true;
	return false;
}

int post_status(const struct post_opts *p, int status, int post_ret)
{
	if (status)
		return status;
	if (post_ret == -EINTR && bench_stop_signal)
		return 128 + bench_stop_signal;
	return post_ret && p->required ? POST_FAILED_STATUS : 0;
}

#ifdef HAVE_LIBCURL

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	(void)ptr;
	(void)userdata;
	return size * nmemb;
}

static bool transient(CURLcode rc, long status)
{
	if (rc == CURLE_OK)
		return status == 408 || status == 429 || status >= 500;
	return curl_common_transient(rc);
}

/* Sleep up to seconds, returning early (false) when a stop signal arrives. */
static bool wait_unless_stopped(double seconds)
{
	const double end = now_mono() + seconds;

	while (!bench_stop_signal && now_mono() < end) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	return !bench_stop_signal;
}

int post_json(const struct post_opts *p, const char *body, size_t len, const char *what,
	      const char *cafile, bool insecure)
{
	const struct curl_common c = {
		.timeout = POST_TIMEOUT,
		.cafile = cafile,
		.insecure = insecure,
		.stop = &bench_stop_signal,
	};
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE];
	char reason[CURL_ERROR_SIZE + 64];
	char *shown;
	CURL *e;
	int ret = -EIO;

	if (!p->url)
		return 0;
	shown = url_redact(p->url);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(e = curl_easy_init())) {
		error("cannot post %s to '%s': libcurl could not start", what, shown);
		free(shown);
		return -EIO;
	}
	/* JSON, unless a --header says otherwise (one Content-Type, not two). */
	if (!post_has_header(p, "Content-Type"))
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	for (size_t i = 0; i < p->headers.n; i++)
		hdrs = curl_slist_append(hdrs, p->headers.v[i]);
	curl_common_setup(e, &c, errbuf);
	curl_easy_setopt(e, CURLOPT_URL, p->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	/* A redirect of a POST is not followed: the collector's address should be the real one. */
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	for (long attempt = 1;; attempt++) {
		long status = 0;
		double delay = (double)(1L << (attempt - 1 < 8 ? attempt - 1 : 8));
		CURLcode rc;

		errbuf[0] = '\0';
		rc = curl_easy_perform(e);
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
		if (bench_stop_signal) {
			error("posting %s to '%s' stopped by a signal", what, shown);
			ret = -EINTR;
			break;
		}
		if (rc == CURLE_OK && status >= 200 && status < 300) {
			info("posted %s to '%s' (HTTP status %ld)", what, shown, status);
			ret = 0;
			break;
		}
		if (rc != CURLE_OK)
			curl_common_why(reason, sizeof(reason), rc, errbuf, POST_TIMEOUT);
		else
			snprintf(reason, sizeof(reason), "HTTP status %ld", status);
#if LIBCURL_VERSION_NUM >= 0x074200
		if (rc == CURLE_OK) {
			curl_off_t after = 0;

			if (!curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &after) && after > 0)
				delay = (double)(after < POST_MAX_RETRY_AFTER ? after
									      : POST_MAX_RETRY_AFTER);
		}
#endif
		if (!transient(rc, status) || attempt > p->retries) {
			char tries[64] = "";

			if (transient(rc, status) && attempt > 1)
				snprintf(tries, sizeof(tries), " (gave up after %ld attempts)", attempt);
			error("cannot post %s to '%s': %s%s", what, shown, reason, tries);
			break;
		}
		info("posting %s to '%s': %s; retrying in %.0f s (attempt %ld of %ld)", what, shown,
		     reason, delay, attempt + 1, p->retries + 1);
		if (!wait_unless_stopped(delay)) {
			error("posting %s to '%s' stopped by a signal", what, shown);
			ret = -EINTR;
			break;
		}
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(e);
	free(shown);
	return ret;
}

#else

int post_json(const struct post_opts *p, const char *body, size_t len, const char *what,
	      const char *cafile, bool insecure)
{
	(void)body;
	(void)len;
	(void)cafile;
	(void)insecure;
	if (!p->url)
		return 0;
	error("cannot post %s: built without libcurl", what);
	return -EIO;
}

#endif
