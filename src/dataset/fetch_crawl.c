/* SPDX-License-Identifier: MIT */
/* fetch_crawl.c - walk HTTP directory listings (EMPIAR, Apache, nginx index pages) into a list. */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "dataset/fetch.h"
#include "dataset/fetch_int.h"
#include "lib/curl_common.h"
#include "lib/dynbuf.h"
#include "lib/url.h"
#include "lib/util.h"

#define FETCH_MAX_DEPTH 16

static size_t body_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	const size_t len = size * nmemb;

	dynbuf_add(userdata, ptr, len);
	return len;
}

/* "cannot fetch 'url': why", the URL without its credentials. */
static void get_failed(const char *url, const char *why)
{
	char *shown = url_redact(url);

	error("cannot fetch '%s': %s", shown, why);
	free(shown);
}

/* GET (or HEAD, with body NULL) url; 0, -EINTR when stopped, or -EIO after printing why. */
int fetch_http_get(CURL *e, const char *url, struct dynbuf *body, uint64_t *length,
		   const struct fetch_opts *o, bool quiet)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_off_t cl = -1;
	long status = 0;
	CURLcode rc;

	curl_easy_reset(e);
	fetch_easy_common(e, o, errbuf, true);
	curl_easy_setopt(e, CURLOPT_URL, url);
	if (body) {
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, body_write);
		curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
	} else {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	}
	rc = curl_easy_perform(e);
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return -EINTR;
	if (rc != CURLE_OK) {
		char why[CURL_ERROR_SIZE + 64];

		curl_common_why(why, sizeof(why), rc, errbuf, o->timeout);
		if (!quiet)
			get_failed(url, why);
		return -EIO;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 400) {
		char why[64];

		snprintf(why, sizeof(why), "HTTP status %ld", status);
		if (!quiet)
			get_failed(url, why);
		return -EIO;
	}
	if (length) {
		curl_easy_getinfo(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		if (cl < 0) {
			if (!quiet)
				get_failed(url, "the server does not say its size");
			return -EIO;
		}
		*length = (uint64_t)cl;
	}
	return 0;
}

/* Could a folder at depth components (rel, ending in '/') hold a match of pattern? */
static bool may_match_below(const char *pattern, const char *rel)
{
	char *pat = xstrdup(pattern);
	char *dir = xstrdup(rel);
	char *ps = NULL;
	char *ds = NULL;
	char *p = strtok_r(pat, "/", &ps);
	char *d = strtok_r(dir, "/", &ds);
	bool ok = true;

	for (; d; d = strtok_r(NULL, "/", &ds), p = strtok_r(NULL, "/", &ps)) {
		if (!p || fnmatch(p, d, 0)) {
			ok = false;
			break;
		}
	}
	/* The folder must leave at least one component for the file itself. */
	if (ok && !p)
		ok = false;
	free(pat);
	free(dir);
	return ok;
}

struct walk {
	CURL *e;
	const char *pattern;
	const struct fetch_opts *o;
	struct fetch_list found;
};

/* The href targets of an index page: links below it, not sort links, parents or elsewhere. */
static int walk_dir(struct walk *w, const char *url, const char *rel, unsigned depth)
{
	struct dynbuf page;
	int ret;

	if (depth > FETCH_MAX_DEPTH)
		return 0;
	dynbuf_init(&page);
	ret = fetch_http_get(w->e, url, &page, NULL, w->o, false);
	if (ret)
		goto out;
	for (const char *s = dynbuf_str(&page); (s = strstr(s, "href=\""));) {
		const char *h = s + 6;
		const size_t len = strcspn(h, "\"");
		char *href = xasprintf("%.*s", (int)len, h);
		char *name = fetch_url_decode(href, len);
		char *sub_rel;
		char *sub_url;

		s = h + len;
		if (!len || href[0] == '?' || href[0] == '/' || href[0] == '#' ||
		    strchr(href, ':') || strstr(name, "..") || !strcmp(name, "./")) {
			free(href);
			free(name);
			continue;
		}
		sub_rel = xasprintf("%s%s", rel, name);
		sub_url = xasprintf("%s%s", url, href);
		if (name[strlen(name) - 1] == '/') {
			if (may_match_below(w->pattern, sub_rel))
				ret = walk_dir(w, sub_url, sub_rel, depth + 1);
		} else if (!fnmatch(w->pattern, sub_rel, FNM_PATHNAME) &&
			   fetch_safe_path(sub_rel)) {
			fetch_list_add(&w->found, sub_url, sub_rel, false, 0, false, 0);
		}
		free(sub_rel);
		free(sub_url);
		free(href);
		free(name);
		if (ret)
			break;
	}
out:
	dynbuf_release(&page);
	return ret;
}

int fetch_walk_listing(struct fetch_list *l, const char *entry_url, const char *pattern,
		       uint64_t max_bytes, const struct fetch_opts *o)
{
	struct walk w = {.pattern = pattern, .o = o};
	uint64_t total = 0;
	size_t taken = 0;
	char a[32];
	char b[32];
	char *shown;
	int ret;

	fetch_list_init(&w.found);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	w.e = curl_easy_init();
	if (!w.e)
		return -ENOMEM;
	ret = walk_dir(&w, entry_url, "", 0);
	if (ret)
		goto out;
	qsort(w.found.items, w.found.n, sizeof(*w.found.items), fetch_item_cmp);
	for (size_t i = 0; i < w.found.n; i++) {
		struct fetch_item *it = &w.found.items[i];

		ret = fetch_http_get(w.e, it->url, NULL, &it->size, o, false);
		if (ret)
			goto out;
		if (max_bytes && total + it->size > max_bytes)
			break;
		total += it->size;
		fetch_list_add(l, it->url, it->path, true, it->size, false, 0);
		taken++;
	}
	shown = url_redact(entry_url);
	info("'%s': %zu file%s match '%s'; taking %zu, %s%s%s", shown, w.found.n,
	     w.found.n == 1 ? "" : "s", pattern, taken, human_size(total, a, sizeof(a)),
	     max_bytes ? " of at most " : "", max_bytes ? human_size(max_bytes, b, sizeof(b)) : "");
	free(shown);
out:
	curl_easy_cleanup(w.e);
	fetch_list_release(&w.found);
	return ret;
}
