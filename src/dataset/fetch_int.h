/* SPDX-License-Identifier: MIT */
/* fetch_int.h - what the pieces of fetch (lists, listing crawler, transfers) share. */
#ifndef CCB_FETCH_INT_H
#define CCB_FETCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

/* What fetch records of the files in DIR. */
#define FETCH_MANIFEST "fetch-manifest.json"

struct dynbuf;
struct fetch_opts;

/* qsort() order of struct fetch_item: by path. */
int fetch_item_cmp(const void *a, const void *b);
/* %XX decoded copy of s (a URL path, len bytes). */
char *fetch_url_decode(const char *s, size_t len);
/* A relative path that stays below DIR: not empty, not absolute, no "." or ".." part. */
bool fetch_safe_path(const char *p);

/*
 * GET url into body, or HEAD it when body is NULL; *length (may be NULL) receives its
 * Content-Length, which must be there. 0, -EINTR when stopped, or -EIO after printing why
 * ("cannot fetch 'URL': ...") unless quiet.
 */
int fetch_http_get(CURL *e, const char *url, struct dynbuf *body, uint64_t *length,
		   const struct fetch_opts *o, bool quiet);

/*
 * The settings of every request; a blocking one (stoppable) also ends when a stop signal is
 * raised, while the transfers of the multi loop are stopped by the loop itself.
 */
void fetch_easy_common(CURL *e, const struct fetch_opts *o, char *errbuf, bool stoppable);

#endif
