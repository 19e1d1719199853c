/* SPDX-License-Identifier: MIT */
/* fetch.h - downloading a set of stacks over HTTP(S) with libcurl's multi interface. */
#ifndef CCB_FETCH_H
#define CCB_FETCH_H

#include <signal.h>
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
	/* The .star or .cs that named the items (NULL for a list), put beside them once all are. */
	char *meta_name; /* its file name */
	char *meta;	 /* its bytes */
	size_t meta_len;
};

struct fetch_opts {
	unsigned connections; /* transfers at once */
	unsigned retries;     /* further attempts after a transient failure */
	double retry_delay;   /* seconds before the first retry; doubled for each next one */
	long timeout;	      /* seconds to connect, and of a stalled transfer */
	const char *cafile;
	bool insecure;
	bool quiet; /* no progress lines */
	/* When it holds a signal number (SIGINT, SIGTERM), transfers stop; may be NULL. */
	const volatile sig_atomic_t *stop;
};

void fetch_list_init(struct fetch_list *l);
void fetch_list_release(struct fetch_list *l);
/* Append a copy of url and path; size/hash set when has_size/has_hash. */
void fetch_list_add(struct fetch_list *l, const char *url, const char *path, bool has_size,
		    uint64_t size, bool has_hash, uint64_t hash);

/*
 * Read a list of files: a single http(s) URL; a RELION .star or a CryoSPARC .cs or .csg (known
 * by content, as dataset_load knows them), whose stacks are fetched from base_url plus their
 * path, each path component %-escaped, into the same path below DIR, with the metadata itself
 * put beside them (l->meta); or a file of lines "URL-OR-PATH [SIZE [XXH3]]" ('-' for stdin;
 * blank lines and # comments skipped), whose paths, and URLs below base_url, keep their
 * relative path while other URLs land under their file name, or, when two of those share a
 * name, all at their path below the folder their URLs have in common (on one server); a URL
 * listed twice is one item. A metadata file needs base_url;
 * its absolute paths must lie below project_dir (NULL: they are refused), which is then cut
 * off; a path that would leave DIR ("..") is refused. Returns 0, or -errno / -EINVAL after
 * printing a message naming the file (and the line of a list).
 */
int fetch_list_read(struct fetch_list *l, const char *arg, const char *base_url,
		    const char *project_dir);

/*
 * Walk the HTTP directory listings (Apache- or nginx-style index pages) below entry_url (ending
 * in '/'), add the files whose path below it matches pattern (fnmatch, '*' stays within a
 * folder) in path order, each sized by a HEAD request, while the total stays within max_bytes
 * (0: no cap). Returns 0, or -EIO after printing what failed.
 */
int fetch_walk_listing(struct fetch_list *l, const char *entry_url, const char *pattern,
		       uint64_t max_bytes, const struct fetch_opts *o);

/*
 * Two items that would land at one path in dir (two URLs with one name), at a path and its
 * .part, at a file and a folder of the same name, or at fetch-manifest.json: refused, both
 * URLs and the path named in a message. Returns 0 or -EINVAL.
 */
int fetch_list_conflicts(const struct fetch_list *l, const char *dir);

/*
 * Fetch every item into dir, refusing the list when fetch_list_conflicts() does: each into
 * "<path>.part" (resumed with a range request when it is a regular file of ours with one link;
 * anything else of that name is removed, never written through), checked (size, hash) and
 * renamed. Every folder below dir is opened from dir's descriptor without following a symlink.
 * A file already at <path> is left alone when its size (the item's, else the manifest's, else
 * the server's by HEAD) and recorded hash (the item's, the manifest's) match; else fetched again. Writes
 * dir/fetch-manifest.json (url, path, size, xxh3, time) and, once every item is there, the
 * metadata that named them as dir/<meta_name> unless a file of that name is there. When *o->stop
 * is raised, transfers stop where they are (their .part files kept), the manifest lists what
 * completed, a line says so, and -EINTR is returned. Otherwise returns the number of files that
 * failed (each named in a message), or -errno when nothing could start.
 */
int fetch_run(const struct fetch_list *l, const char *dir, const struct fetch_opts *o);

#endif
