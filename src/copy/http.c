/* SPDX-License-Identifier: MIT */
/*
 * http.c - HTTP(S) storage as a source: each stack is fetched from --source-url plus
 * its path relative to SRC with libcurl, one easy handle per thread (so connections are kept
 * alive between files, as a cache filler would), and written to DST with write() in pieces of
 * --bs bytes (128 KiB by default; libcurl's receive buffer is as large, up to its maximum).
 * libcurl hands the body over 16 KiB at a time. At one thread, gathering it into 128 KiB
 * writes (and receives) raised the median rate over 16 KiB ones in each of three interleaved
 * batches (1040-1150 against 542-716 MB/s copied, 6-8 pairs each); from two threads on the
 * differences drowned in this VM's slow mode, where the same kernel copies take three times
 * the system time whatever the buffer.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy/http.h"
#include "copy/strategy.h"
#include "lib/opt.h"
#include "lib/url.h"
#include "lib/util.h"

/* The options struct is in http.h: the command line reads it for --post too. */
static const struct opt_def http_options[] = {
	OPT_STRING_("source-url", 0, struct http_opts, source_url, NULL, "URL", OPT_URL,
		    "http strategy: fetch each stack from URL/<its path relative to SRC> (a query, "
		    "?token=..., follows the path; results and messages show the URL without user "
		    "information and query values)"),
	OPT_STRING_("cafile", 0, struct http_opts, cafile, NULL, "FILE", 0,
		    "http strategy and --post: CA certificates to verify the server with"),
	OPT_BOOL_("insecure", 0, struct http_opts, insecure,
		  "http strategy and --post: do not verify the server's certificate (a warning "
		  "in results)"),
	OPT_LONG_("source-timeout", 0, struct http_opts, timeout, "60", "S", 1, 86400,
		  "http strategy: seconds to connect, and of a transfer without progress, before "
		  "the file fails"),
	OPT_END
};

#ifdef HAVE_LIBCURL
#include <curl/curl.h>

#include "lib/curl_common.h"

struct http_thread {
	CURL *curl;
	int fd;	       /* the destination being written */
	int write_err; /* -errno of a failed write() in the callback */
	uint64_t written; /* bytes of the body received */
	char *buf;	  /* the next write(), fill of cap bytes */
	size_t fill;
	size_t cap;
	char *url;
	size_t url_cap;
	char *shown;	/* url through url_redact(), for the message of a failed file */
	long timeout;
	char errbuf[CURL_ERROR_SIZE];
	char reason[CURL_ERROR_SIZE + 64];
};

/* Bytes per write(), and of libcurl's receive buffer, unless --bs says. */
#define HTTP_DEFAULT_BS (128 * 1024)

static const char *const http_counter_names[] = {"connections", NULL};

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static CURLcode http_global_ret;

static void http_global_init(void)
{
	http_global_ret = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Write what the buffer holds to the destination; 0 or -errno (kept in write_err). */
static int http_flush(struct http_thread *t)
{
	int ret = t->fill ? write_all(t->fd, t->buf, t->fill) : 0;

	t->fill = 0;
	if (ret && !t->write_err)
		t->write_err = ret;
	return ret;
}

static size_t http_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http_thread *t = userdata;
	const size_t len = size * nmemb;

	for (size_t off = 0; off < len;) {
		const size_t n = len - off < t->cap - t->fill ? len - off : t->cap - t->fill;

		memcpy(t->buf + t->fill, ptr + off, n);
		t->fill += n;
		off += n;
		if (t->fill == t->cap && http_flush(t))
			return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	t->written += len;
	return len;
}

static int http_probe(const struct dataset *ds, const char *dst, const void *eo, char *why,
		      size_t len)
{
	pthread_once(&http_once, http_global_init);
	if (http_global_ret != CURLE_OK) {
		snprintf(why, len, "curl_global_init failed: %s",
			 curl_easy_strerror(http_global_ret));
		return -EIO;
	}
	return 0;
}

static int http_thread_init(struct copy_worker *w)
{
	struct http_thread *t;
	const struct http_opts *o = copy_worker_opts(w);

	if (!o)
		return -EINVAL;
	pthread_once(&http_once, http_global_init);
	if (http_global_ret != CURLE_OK)
		return -EIO;
	t = xcalloc(1, sizeof(*t));
	t->fd = -1;
	t->curl = curl_easy_init();
	if (!t->curl) {
		free(t);
		return -ENOMEM;
	}
	t->timeout = o->timeout;
	curl_common_setup(t->curl,
			  &(struct curl_common){ .timeout = t->timeout,
						 .cafile = o->cafile,
						 .insecure = o->insecure,
						 .stop = w->job->stop },
			  t->errbuf);
	t->cap = copy_worker_bs(w, HTTP_DEFAULT_BS);
	t->buf = xmalloc(t->cap);
	curl_easy_setopt(t->curl, CURLOPT_BUFFERSIZE,
			 (long)(t->cap < 1024 ? 1024 : t->cap < CURL_MAX_READ_SIZE ? t->cap
										 : CURL_MAX_READ_SIZE));
	curl_easy_setopt(t->curl, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(t->curl, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(t->curl, CURLOPT_FOLLOWLOCATION, 1L);
	w->priv = t;
	return 0;
}

static void http_thread_exit(struct copy_worker *w)
{
	struct http_thread *t = w->priv;

	if (!t)
		return;
	curl_easy_cleanup(t->curl);
	free(t->buf);
	free(t->url);
	free(t->shown);
	free(t);
	w->priv = NULL;
}

/*
 * source_url + "/" + rel, with rel's characters that a URL path cannot hold %-escaped, before
 * the base's query ("http://h/set/?token=x" + "J1/a.mrcs" -> "http://h/set/J1/a.mrcs?token=x").
 */
static const char *http_url(struct http_thread *t, const char *base, const char *rel)
{
	static const char hex[] = "0123456789ABCDEF";
	const size_t path = strcspn(base, "?#");
	const size_t need = strlen(base) + 3 * strlen(rel) + 2;
	size_t n = path;

	if (need > t->url_cap) {
		free(t->url);
		t->url_cap = need;
		t->url = xmalloc(need);
	}
	memcpy(t->url, base, n);
	while (n && t->url[n - 1] == '/')
		n--;
	t->url[n++] = '/';
	for (const unsigned char *p = (const unsigned char *)rel; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
			t->url[n++] = (char)*p;
		} else {
			t->url[n++] = '%';
			t->url[n++] = hex[*p >> 4];
			t->url[n++] = hex[*p & 15];
		}
	}
	strcpy(t->url + n, base + path);
	return t->url;
}

/* The failing file's URL as messages and results may show it (kept until the next file). */
static const char *http_shown(struct http_thread *t)
{
	free(t->shown);
	t->shown = url_redact(t->url);
	return t->shown;
}

static int http_copy(struct copy_worker *w, const struct copy_file *f)
{
	const struct http_opts *o = copy_worker_opts(w);	/* http_thread_init() checked it */
	struct http_thread *t = w->priv;
	const char *url;
	CURLcode rc;
	long status = 0;
	long conns = 0;
	int ret = 0;

	if (!o->source_url) {
		w->err_reason = "the http strategy needs --source-url";
		return copy_fail(w, w->src, "fetch", -EINVAL);
	}
	url = http_url(t, o->source_url, f->rel);
	do {
		t->fd = open(w->dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	} while (t->fd < 0 && errno == EINTR);
	if (t->fd < 0)
		return copy_fail(w, w->dst, "open", -errno);
	t->write_err = 0;
	t->written = 0;
	t->fill = 0;
	t->errbuf[0] = '\0';
	curl_easy_setopt(t->curl, CURLOPT_URL, url);
	rc = curl_easy_perform(t->curl);
	if (rc == CURLE_OK)
		http_flush(t);
	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
	if (curl_easy_getinfo(t->curl, CURLINFO_NUM_CONNECTS, &conns) == CURLE_OK)
		w->counters[0] += (uint64_t)conns;
	if (t->write_err) {
		ret = copy_fail(w, w->dst, "write", t->write_err);
	} else if (rc == CURLE_ABORTED_BY_CALLBACK) {
		w->err_reason = "stopped by a signal";
		ret = copy_fail(w, http_shown(t), "fetch", -EINTR);
	} else if (rc != CURLE_OK) {
		curl_common_why(t->reason, sizeof(t->reason), rc, t->errbuf, t->timeout);
		w->err_reason = t->reason;
		ret = copy_fail(w, http_shown(t), "fetch", -EIO);
	} else if (status >= 400 || (status != 200 && !strncmp(url, "http", 4))) {
		snprintf(t->reason, sizeof(t->reason), "HTTP status %ld", status);
		w->err_reason = t->reason;
		ret = copy_fail(w, http_shown(t), "fetch", status == 404 ? -ENOENT : -EIO);
	} else if (t->written != f->size) {
		/* The listing's size is what the run counts: a different body is not the stack. */
		snprintf(t->reason, sizeof(t->reason), "got %llu bytes, the source has %llu",
			 (unsigned long long)t->written, (unsigned long long)f->size);
		w->err_reason = t->reason;
		ret = copy_fail(w, http_shown(t), "fetch", -EIO);
	}
	if (close(t->fd) < 0 && !ret)
		ret = copy_fail(w, w->dst, "close", -errno);
	t->fd = -1;
	return ret;
}

const struct copy_strategy strategy_http = {
	.name = "http",
	.summary = "libcurl GET of --source-url/<path> per file (one handle per thread, "
		   "connections kept alive), written with write() in --bs pieces",
	.options = http_options,
	.option_struct_size = sizeof(struct http_opts),
	.bs_default = "128K",
	.probe = http_probe,
	.thread_init = http_thread_init,
	.copy = http_copy,
	.thread_exit = http_thread_exit,
	.counter_names = http_counter_names,
	.remote = true,
};

#else /* !HAVE_LIBCURL */

/* A build without libcurl: the options are still known (a profile may set them), and the
 * strategy says why it cannot run. */
const struct copy_strategy strategy_http = {
	.name = "http",
	.options = http_options,
	.option_struct_size = sizeof(struct http_opts),
	.remote = true,
	.missing = "built without libcurl (install libcurl4-openssl-dev and re-run configure)",
};

#endif
