/* SPDX-License-Identifier: MIT */
/* fetch_list.c - what fetch downloads: a URL, a list of URLs or paths, or a .star/.cs's stacks. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "dataset/dataset.h"
#include "dataset/fetch.h"
#include "dataset/fetch_int.h"
#include "lib/dynbuf.h"
#include "lib/url.h"
#include "lib/util.h"

void fetch_list_init(struct fetch_list *l)
{
	memset(l, 0, sizeof(*l));
}

void fetch_list_release(struct fetch_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].url);
		free(l->items[i].path);
	}
	free(l->items);
	free(l->meta_name);
	free(l->meta);
	fetch_list_init(l);
}

void fetch_list_add(struct fetch_list *l, const char *url, const char *path, bool has_size,
		    uint64_t size, bool has_hash, uint64_t hash)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	l->items[l->n++] = (struct fetch_item){
		.url = xstrdup(url),
		.path = xstrdup(path),
		.size = size,
		.hash = hash,
		.has_size = has_size,
		.has_hash = has_hash,
	};
}

int fetch_item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fetch_item *)a)->path, ((const struct fetch_item *)b)->path);
}

static bool is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

/* %XX decoded copy of s (a URL path). */
char *fetch_url_decode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned v;

		if (s[i] == '%' && i + 2 < len && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2]) && sscanf(s + i + 1, "%2x", &v) == 1) {
			out[n++] = (char)v;
			i += 2;
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = '\0';
	return out;
}

/* A relative path that stays below DIR: not empty, not absolute, no "." or ".." part. */
bool fetch_safe_path(const char *p)
{
	if (!*p || *p == '/')
		return false;
	for (const char *c = p; *c;) {
		const size_t len = strcspn(c, "/");

		if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && !strncmp(c, "..", 2)))
			return false;
		c += len;
		if (*c == '/')
			c++;
	}
	return p[strlen(p) - 1] != '/';
}

/* Is url below base (a URL, may be NULL or end in '/')? */
static bool below_base(const char *url, const char *base)
{
	size_t blen = base ? strlen(base) : 0;

	while (blen && base[blen - 1] == '/')
		blen--;
	return base && !strncmp(url, base, blen) && url[blen] == '/';
}

/* Where url lands below DIR: its path below base (when it is below it), else its file name. */
static char *url_dest(const char *url, const char *base)
{
	const char *rest;
	size_t blen = base ? strlen(base) : 0;

	while (blen && base[blen - 1] == '/')
		blen--;
	if (below_base(url, base)) {
		rest = url + blen + 1;
	} else {
		const char *q = strchr(url + 8, '/');

		rest = q ? strrchr(q, '/') + 1 : "";
	}
	return fetch_url_decode(rest, strcspn(rest, "?#"));
}

/*
 * base + "/" + rel, each component of rel %-escaped (a space, '#', '?' or '%' in a name), before
 * the base's query ("http://h/set/?token=x" + "J1/a.mrcs" -> "http://h/set/J1/a.mrcs?token=x").
 */
static char *url_join(const char *base, const char *rel)
{
	size_t blen = strcspn(base, "?#");
	const char *query = base + blen;
	struct dynbuf url;

	while (blen && base[blen - 1] == '/')
		blen--;
	dynbuf_init(&url);
	dynbuf_add(&url, base, blen);
	for (const char *c = rel; *c;) {
		const size_t len = strcspn(c, "/");
		char *esc;

		if (!len) { /* "a//b", "/a": an empty piece (curl_easy_escape takes 0 as "all") */
			c++;
			continue;
		}
		esc = curl_easy_escape(NULL, c, (int)len);
		if (!esc)
			abort();
		dynbuf_addf(&url, "/%s", esc);
		curl_free(esc);
		c += len;
		if (*c == '/')
			c++;
	}
	dynbuf_addstr(&url, query);
	return dynbuf_detach(&url, NULL);
}

/* qsort_r() orders of indices into an item array: by URL or by path, then by index. */
static int by_url(const void *a, const void *b, void *items)
{
	const struct fetch_item *it = items;
	const size_t i = *(const size_t *)a;
	const size_t j = *(const size_t *)b;
	const int c = strcmp(it[i].url, it[j].url);

	return c ? c : (i > j) - (i < j);
}

static int by_path(const void *a, const void *b, void *items)
{
	const struct fetch_item *it = items;
	const size_t i = *(const size_t *)a;
	const size_t j = *(const size_t *)b;
	const int c = strcmp(it[i].path, it[j].path);

	return c ? c : (i > j) - (i < j);
}

/* Indices first..n-1 of l's items in cmp's order (free it). */
static size_t *sorted_indices(const struct fetch_list *l, size_t first,
			      int (*cmp)(const void *, const void *, void *))
{
	size_t *idx = xcalloc(l->n - first + 1, sizeof(*idx));

	for (size_t i = first; i < l->n; i++)
		idx[i - first] = i;
	qsort_r(idx, l->n - first, sizeof(*idx), cmp, l->items);
	return idx;
}

/*
 * One URL listed twice is one file: the later lines are dropped (their size and hash kept when
 * the first has none), unless they say another size or hash. flats (indices into l, for the
 * items that landed under their file name) are renumbered to match.
 */
static int merge_same_urls(struct fetch_list *l, size_t first, const char *name, size_t *flats,
			   size_t *nflat)
{
	size_t *idx = sorted_indices(l, first, by_url);
	bool *drop = xcalloc(l->n + 1, sizeof(*drop));
	size_t *new_index = xcalloc(l->n + 1, sizeof(*new_index));
	size_t k = first;
	int ret = 0;

	for (size_t i = 1; i < l->n - first && !ret; i++) {
		struct fetch_item *a = &l->items[idx[i - 1]];
		const struct fetch_item *b = &l->items[idx[i]];

		if (strcmp(a->url, b->url))
			continue;
		if ((a->has_size && b->has_size && a->size != b->size) ||
		    (a->has_hash && b->has_hash && a->hash != b->hash)) {
			char *shown = url_redact(a->url);

			error("%s: '%s' is listed twice, with different sizes or hashes", name,
			      shown);
			free(shown);
			ret = -EINVAL;
			break;
		}
		a->size = a->has_size ? a->size : b->size;
		a->has_size |= b->has_size;
		a->hash = a->has_hash ? a->hash : b->hash;
		a->has_hash |= b->has_hash;
		drop[idx[i]] = true;
		idx[i] = idx[i - 1]; /* the next duplicate merges into the one kept */
	}
	for (size_t i = first; i < l->n && !ret; i++) {
		new_index[i] = k;
		if (drop[i]) {
			free(l->items[i].url);
			free(l->items[i].path);
			continue;
		}
		l->items[k++] = l->items[i];
	}
	if (!ret) {
		size_t m = 0;

		l->n = k;
		for (size_t f = 0; f < *nflat; f++)
			if (!drop[flats[f]])
				flats[m++] = new_index[flats[f]];
		*nflat = m;
	}
	free(new_index);
	free(drop);
	free(idx);
	return ret;
}

/* The length of "scheme://host[:port]" of url. */
static size_t url_origin_len(const char *url)
{
	const char *host = strstr(url, "://");
	const char *path = host ? host + 3 + strcspn(host + 3, "/?#") : url;

	return (size_t)(path - url);
}

/*
 * URLs outside --base-url land under their file name; when two of them share one, they all land
 * at their path below the folder their URLs have in common instead (http://h/a/x.mrcs and
 * http://h/b/x.mrcs: a/x.mrcs and b/x.mrcs), when they have one origin. Names that still clash
 * are refused later (fetch_list_conflicts()).
 */
static void paths_below_common_base(struct fetch_list *l, const char *name, const size_t *flats,
				    size_t nflat)
{
	const char *u0 = l->items[flats[0]].url;
	const size_t olen = url_origin_len(u0);
	size_t common = strcspn(u0, "?#");
	bool clash = false;
	char *base, *shown;

	bool *is_flat = xcalloc(l->n + 1, sizeof(*is_flat));
	size_t *idx = sorted_indices(l, 0, by_path);

	for (size_t i = 0; i < nflat; i++)
		is_flat[flats[i]] = true;
	for (size_t i = 1; i < l->n && !clash; i++)
		clash = (is_flat[idx[i - 1]] || is_flat[idx[i]]) &&
			!strcmp(l->items[idx[i - 1]].path, l->items[idx[i]].path);
	free(idx);
	free(is_flat);
	if (!clash)
		return;
	for (size_t i = 1; i < nflat; i++) {
		const char *u = l->items[flats[i]].url;
		size_t k = 0;

		if (url_origin_len(u) != olen || strncmp(u, u0, olen))
			return; /* several servers: no common folder */
		while (k < common && u[k] == u0[k])
			k++;
		common = k;
	}
	while (common > olen && u0[common - 1] != '/')
		common--;
	if (common <= olen)
		return;
	for (size_t i = 0; i < nflat; i++) {
		struct fetch_item *it = &l->items[flats[i]];
		const char *rest = it->url + common;
		char *path = fetch_url_decode(rest, strcspn(rest, "?#"));

		if (!fetch_safe_path(path)) {
			free(path);
			continue;
		}
		free(it->path);
		it->path = path;
	}
	base = xasprintf("%.*s", (int)common, u0);
	shown = url_redact(base);
	info("%s: URLs share a file name: each lands at its path below '%s'", name, shown);
	free(shown);
	free(base);
}

/* The lines "URL-OR-PATH [SIZE [XXH3]]" of a list named name, held in text. */
static int read_lines(struct fetch_list *l, const char *name, const char *text, size_t len,
		      const char *base_url)
{
	const size_t first = l->n;
	size_t *flats = NULL; /* the items that landed under their URL's file name */
	size_t nflat = 0;
	unsigned lineno = 0;
	int ret = 0;

	for (size_t pos = 0; pos < len && !ret;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		const size_t n = nl ? (size_t)(nl - text - pos) : len - pos;
		char *line = xasprintf("%.*s", (int)n, text + pos);
		char *save = NULL;
		char *what = strtok_r(line, " \t\r", &save);
		char *size_s = what ? strtok_r(NULL, " \t\r", &save) : NULL;
		char *hash_s = size_s ? strtok_r(NULL, " \t\r", &save) : NULL;
		uint64_t size = 0;
		unsigned long long hash = 0;
		char *url = NULL;
		char *path = NULL;
		bool flat = false;

		pos += n + 1;
		lineno++;
		if (!what || *what == '#') {
			free(line);
			continue;
		}
		if (size_s && parse_size(size_s, &size)) {
			error("%s:%u: bad size '%s'", name, lineno, size_s);
			ret = -EINVAL;
		} else if (hash_s &&
			   (strlen(hash_s) != 16 || sscanf(hash_s, "%16llx", &hash) != 1)) {
			error("%s:%u: bad XXH3-64 '%s' (16 hex digits)", name, lineno, hash_s);
			ret = -EINVAL;
		} else if (is_url(what)) {
			url = xstrdup(what);
			path = url_dest(what, base_url);
			flat = !below_base(what, base_url);
		} else if (base_url) {
			url = url_join(base_url, what);
			path = xstrdup(what);
		} else {
			char *shown = url_redact(what);

			error("%s:%u: '%s' is not an http(s) URL (a list of paths needs "
			      "--base-url)",
			      name, lineno, shown);
			free(shown);
			ret = -EINVAL;
		}
		if (!ret && !fetch_safe_path(path)) {
			error("%s:%u: '%s' would land outside the folder", name, lineno, path);
			ret = -EINVAL;
		}
		if (!ret) {
			if (flat) {
				flats = xrealloc(flats, (nflat + 1) * sizeof(*flats));
				flats[nflat++] = l->n;
			}
			fetch_list_add(l, url, path, size_s != NULL, size, hash_s != NULL, hash);
		}
		free(url);
		free(path);
		free(line);
	}
	if (!ret)
		ret = merge_same_urls(l, first, name, flats, &nflat);
	if (!ret && nflat > 1)
		paths_below_common_base(l, name, flats, nflat);
	free(flats);
	return ret;
}

/* The stacks a .star or .cs names, below base_url; the metadata is kept to put beside them. */
static int read_stacks(struct fetch_list *l, const struct dataset_meta *m, const char *base_url,
		       const char *project_dir)
{
	const size_t first = l->n;
	char *project = NULL;
	bool absolute = false;
	size_t k;
	int ret = 0;

	if (!m->stacks.nr) {
		error("'%s' names no particle stacks", m->name);
		return -EINVAL;
	}
	if (!base_url) {
		error("'%s' is a %s: fetching the stacks it names needs --base-url, the URL its "
		      "paths start at",
		      m->name, m->kind == DATASET_KIND_STAR ? "RELION .star" : "CryoSPARC .cs");
		return -EINVAL;
	}
	if (project_dir) {
		size_t plen = strlen(project_dir);

		while (plen > 1 && project_dir[plen - 1] == '/')
			plen--;
		project = xasprintf("%.*s", (int)plen, project_dir);
	}
	for (size_t i = 0; i < m->stacks.nr; i++) {
		const char *p = m->stacks.items[i].path;
		char *rel = NULL;
		char *url;

		if (p[0] == '/' && !project) {
			error("'%s' names the absolute path '%s' (--project-dir says where the "
			      "paths below --base-url start)",
			      m->name, p);
			ret = -EINVAL;
			break;
		}
		absolute |= p[0] == '/';
		rel = dataset_project_rel(project ? project : "", p);
		if (!rel && p[0] == '/') {
			error("'%s' names '%s', which is not below --project-dir '%s'", m->name, p,
			      project);
			ret = -EINVAL;
			break;
		}
		if (!rel || !fetch_safe_path(rel)) {
			error("'%s' names '%s', which would land outside the folder", m->name, p);
			free(rel);
			ret = -EINVAL;
			break;
		}
		url = url_join(base_url, rel);
		fetch_list_add(l, url, rel, false, 0, false, 0);
		free(url);
		free(rel);
	}
	free(project);
	if (ret)
		return ret;
	/* "x.mrcs" and "./x.mrcs" are one stack: one transfer, in path order. */
	qsort(l->items + first, l->n - first, sizeof(*l->items), fetch_item_cmp);
	k = first;
	for (size_t i = first; i < l->n; i++) {
		if (k > first && !strcmp(l->items[k - 1].path, l->items[i].path)) {
			free(l->items[i].url);
			free(l->items[i].path);
			continue;
		}
		l->items[k++] = l->items[i];
	}
	l->n = k;
	if (absolute)
		info("'%s' names absolute paths, and so will its copy beside the stacks: to "
		     "benchmark the fetched set, give the folder itself as SRC",
		     m->name);
	if (strcmp(m->path, "-")) {
		const char *slash = strrchr(m->path, '/');

		l->meta_name = xstrdup(slash ? slash + 1 : m->path);
		l->meta = xmalloc(m->len ? m->len : 1);
		memcpy(l->meta, m->text, m->len);
		l->meta_len = m->len;
	}
	return 0;
}

int fetch_list_read(struct fetch_list *l, const char *arg, const char *base_url,
		    const char *project_dir)
{
	struct dataset_meta m;
	char why[DATASET_WHY_MAX];
	int ret;

	if (is_url(arg)) {
		char *path = url_dest(arg, base_url);

		if (!fetch_safe_path(path)) {
			char *shown = url_redact(arg);

			error("cannot fetch '%s': no file name in the URL", shown);
			free(shown);
			free(path);
			return -EINVAL;
		}
		fetch_list_add(l, arg, path, false, 0, false, 0);
		free(path);
		return 0;
	}
	ret = dataset_meta_read(&m, arg, NULL, 0, why, sizeof(why));
	if (ret == -EMEDIUMTYPE && !m.len)
		ret = 0; /* an empty list */
	else if (ret)
		error("%s", why);
	else if (m.kind == DATASET_KIND_LIST)
		ret = read_lines(l, m.name, m.text, m.len, base_url);
	else
		ret = read_stacks(l, &m, base_url, project_dir);
	dataset_meta_release(&m);
	return ret;
}

/* Is there an item at path (len bytes of it, then tail) in l, whose indices idx sort by path? */
static const struct fetch_item *find_path(const struct fetch_list *l, const size_t *idx,
					  const char *path, size_t len, const char *tail)
{
	char *want = xasprintf("%.*s%s", (int)len, path, tail);
	size_t lo = 0;
	size_t hi = l->n;
	const struct fetch_item *found = NULL;

	while (lo < hi && !found) {
		const size_t mid = lo + (hi - lo) / 2;
		const int c = strcmp(l->items[idx[mid]].path, want);

		if (c == 0)
			found = &l->items[idx[mid]];
		else if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	free(want);
	return found;
}

int fetch_list_conflicts(const struct fetch_list *l, const char *dir)
{
	size_t *idx = sorted_indices(l, 0, by_path);
	int ret = 0;

	for (size_t i = 0; i < l->n && !ret; i++) {
		const struct fetch_item *it = &l->items[idx[i]];
		const struct fetch_item *other = NULL;
		const char *p = it->path;
		char *shown = url_redact(it->url), *other_shown = NULL;

		if (i && !strcmp(l->items[idx[i - 1]].path, p)) {
			other_shown = url_redact(l->items[idx[i - 1]].url);
			error("cannot fetch: '%s' and '%s'%s would both land at '%s' in '%s'",
			      other_shown, shown,
			      strcmp(other_shown, shown) ? ""
							 : " (which differ only in the user "
							   "information or query values not shown)",
			      p, dir);
			ret = -EINVAL;
		} else if (!strcmp(p, FETCH_MANIFEST)) {
			error("cannot fetch '%s': '%s' in '%s' is fetch's own record", shown, p,
			      dir);
			ret = -EINVAL;
		}
		if (ret) {
			free(other_shown);
			free(shown);
			break;
		}
		/* "x" and "x.part", "a" and "a/b": one's file is in the other's way. */
		other = find_path(l, idx, p, strlen(p), ".part");
		for (const char *c = strchr(p, '/'); c && !other; c = strchr(c + 1, '/'))
			other = find_path(l, idx, p, (size_t)(c - p), "");
		if (other) {
			other_shown = url_redact(other->url);
			error("cannot fetch: '%s' and '%s' would land at '%s' and '%s' in '%s', "
			      "one in the other's way",
			      shown, other_shown, p, other->path, dir);
			ret = -EINVAL;
		}
		free(other_shown);
		free(shown);
	}
	free(idx);
	return ret;
}
