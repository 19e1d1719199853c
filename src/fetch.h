/* fetch.h - downloading a set of stacks over HTTP(S) with libcurl's multi interface. */
#ifndef CCB_FETCH_H
#define CCB_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One file to fetch: from url to DIR/path, with the size and XXH3-64 to check when known. */
struct fetch_item {
	char *url;
	char *path; /* relative to DIR, no leading slash, no ".." */
	uint64_t size;
	uint64_t hash;
	bool has_size;
	bool has_hash;
};

struct fetch_list {
	struct fetch_item *items;
	size_t n;
	size_t cap;
};

struct fetch_opts {
	unsigned connections; /* transfers at once */
	unsigned retries;     /* further attempts after a transient failure */
	double retry_delay;   /* seconds before the first retry; doubled for each next one */
	long timeout;	      /* seconds to connect, and of a stalled transfer */
	const char *cafile;
	bool insecure;
	bool quiet; /* no progress lines */
};

void fetch_list_init(struct fetch_list *l);
void fetch_list_release(struct fetch_list *l);
/* Append a copy of url and path; size/hash set when has_size/has_hash. */
void fetch_list_add(struct fetch_list *l, const char *url, const char *path, bool has_size,
		    uint64_t size, bool has_hash, uint64_t hash);

/*
 * Read a list of files: a single http(s) URL, or a file of lines "URL-OR-PATH [SIZE [XXH3]]"
 * ('-' for stdin; blank lines and # comments skipped). Paths, and URLs below base_url, keep
 * their relative path; other URLs land under their file name. Returns 0, or -errno / -EINVAL
 * after printing a message naming the list and line.
 */
int fetch_list_read(struct fetch_list *l, const char *arg, const char *base_url);

/*
 * Walk the HTTP directory listings (Apache- or nginx-style index pages) below entry_url (ending
 * in '/'), add the files whose path below it matches pattern (fnmatch, '*' stays within a
 * folder) in path order, each sized by a HEAD request, while the total stays within max_bytes
 * (0: no cap). Returns 0, or -EIO after printing what failed.
 */
int fetch_walk_listing(struct fetch_list *l, const char *entry_url, const char *pattern,
		       uint64_t max_bytes, const struct fetch_opts *o);

/*
 * Fetch every item into dir: each into "<path>.part" (resumed with a range request when one is
 * there), checked (size, hash) and renamed; a file already at <path> is left alone. Writes
 * dir/fetch-manifest.json (url, path, size, xxh3, time). Returns the number of files that
 * failed (each named in a message), or -errno when nothing could start.
 */
int fetch_run(const struct fetch_list *l, const char *dir, const struct fetch_opts *o);

#endif
