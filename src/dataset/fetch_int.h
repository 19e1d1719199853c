/* fetch_int.h - what the pieces of fetch (lists, listing crawler, transfers) share. */
#ifndef CCB_FETCH_INT_H
#define CCB_FETCH_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

struct fetch_opts;

/* qsort() order of struct fetch_item: by path. */
int fetch_item_cmp(const void *a, const void *b);
/* %XX decoded copy of s (a URL path, len bytes). */
char *fetch_url_decode(const char *s, size_t len);
/* A relative path that stays below DIR: not empty, not absolute, no "." or ".." part. */
bool fetch_safe_path(const char *p);

/*
 * The settings of every request; a blocking one (stoppable) also ends when a stop signal is
 * raised, while the transfers of the multi loop are stopped by the loop itself.
 */
void fetch_easy_common(CURL *e, const struct fetch_opts *o, char *errbuf, bool stoppable);

#endif
