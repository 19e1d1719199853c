/* SPDX-License-Identifier: MIT */
/* dataset.h - the files a benchmark copies: a source tree listed into (relative path, size). */
#ifndef CCB_DATASET_H
#define CCB_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "dataset/stacklist.h"

enum copy_file_flags {
	COPY_FILE_NOT_MRC = 1 << 0,	/* named .mrc/.mrcs but the header is not MRC */
	COPY_FILE_BAD_SIZE = 1 << 1,	/* MRC header, but size != 1024 + NSYMBT + data */
};

struct copy_file {
	char *rel;		/* path relative to the dataset root, no leading slash */
	uint64_t size;
	unsigned flags;		/* enum copy_file_flags */
};

/* What SRC was: a folder, or the metadata of a job naming its stacks. */
enum dataset_kind {
	DATASET_KIND_DIR = 0,
	DATASET_KIND_STAR,		/* RELION particles .star */
	DATASET_KIND_CS,		/* CryoSPARC .cs */
	DATASET_KIND_LIST,		/* a file list, one path a line */
};

#define DATASET_MISSING_EXAMPLES 5

/*
 * Bytes of a why buffer that holds any message of this module whole (error() prints at most
 * this much of a message anyway).
 */
#define DATASET_WHY_MAX 4096

enum dataset_flags {
	DATASET_ALL_FILES = 1 << 0,	/* take every regular file, whatever its name */
	DATASET_FOLLOW_LINKS = 1 << 1,	/* copy through links to files outside the source */
	DATASET_CHECK_ALL = 1 << 2,	/* check every stack's MRC header, not a sample */
};

/* MRC header checks: a set of more stacks than this has a seeded sample of this many checked. */
enum {
	DATASET_CHECK_SAMPLE = 2000,
	DATASET_CHECK_THREADS = 8,	/* headers read at once (latency, not CPU, bound) */
};

/* An entry of the source that is not copied because it is no regular file (or link to one). */
struct dataset_skip {
	char *rel;			/* as below the root */
	const char *type;		/* "fifo", "socket", "dangling link", ... */
};

struct dataset_names;

struct dataset {
	char *root;			/* canonical absolute path of the source directory */
	struct copy_file *files;
	struct dataset_names *names;	/* blocks holding files[].rel (a folder walk's); NULL:
					 * each rel is allocated on its own */
	size_t nr;
	uint64_t bytes;
	size_t nr_ignored;		/* regular files skipped (not .mrc/.mrcs) */
	size_t nr_not_mrc;		/* .mrc/.mrcs files whose header is not MRC */
	char **dirs;			/* distinct relative parent folders, parents first */
	size_t nr_dirs;
	double list_seconds;		/* time spent listing, never inside a run's clock */
	enum dataset_kind kind;
	char *meta;			/* canonical path of the .star/.cs/list ("-": stdin) */
	uint64_t particles;		/* rows of the metadata naming the stacks (star, cs) */
	size_t nr_missing;		/* named stacks that do not exist */
	char *missing[DATASET_MISSING_EXAMPLES];	/* the first of them, as named */
	size_t nr_bad_size;		/* MRC stacks whose size disagrees with their header */
	size_t nr_special;		/* entries neither regular files nor folders, not copied */
	struct dataset_skip special[DATASET_MISSING_EXAMPLES];	/* the first of them */
	size_t nr_linked_out;		/* files copied through links to outside the root */
	char *linked_out[DATASET_MISSING_EXAMPLES];	/* the first of them, below the root */
	size_t headers_checked;		/* .mrc/.mrcs stacks whose MRC header was read */
	size_t headers_of;		/* of this many .mrc/.mrcs stacks */
	bool headers_sampled;		/* a seeded sample: nr_not_mrc, nr_bad_size count in it */
};

/*
 * List the regular files below root (recursively, without following symlinks to folders).
 * Files are sorted by relative path so that every run copies in the same order.
 * Returns 0, or -errno with why (len bytes) saying what failed: "cannot read 'PATH': reason".
 * .mrc/.mrcs files whose header is not MRC are kept (CryoSPARC would copy them) and flagged.
 * FIFOs, sockets, devices, dangling links and links to folders are not copied: they are counted
 * (nr_special) with the first examples. A link to a file outside root is refused (-EXDEV, why
 * saying what to do) unless flags hold DATASET_FOLLOW_LINKS; then it is copied through and
 * counted (nr_linked_out). Nothing below root is ever written.
 */
int dataset_load_dir(struct dataset *ds, const char *root, unsigned flags, char *why, size_t len);
void dataset_release(struct dataset *ds);

/*
 * Read the MRC header of ds's .mrc/.mrcs stacks with up to DATASET_CHECK_THREADS threads,
 * flagging each (COPY_FILE_NOT_MRC, COPY_FILE_BAD_SIZE) and counting them in ds. A set of more
 * than DATASET_CHECK_SAMPLE stacks has a sample of that many checked, chosen by seed, unless
 * flags hold DATASET_CHECK_ALL; headers_checked/headers_of/headers_sampled say which. Every
 * file read is evicted again (posix_fadvise DONTNEED): checking leaves the source cold.
 * dataset_load() and dataset_load_dir() call it (seed 0).
 */
void dataset_check_headers(struct dataset *ds, unsigned flags, uint64_t seed);

/* Where the stacks come from when SRC is not simply a folder. */
struct dataset_source {
	const char *files_list;		/* --files: a list of paths (- for stdin); SRC is the project */
	const char *project_dir;	/* --project-dir: where relative paths start */
	unsigned flags;			/* enum dataset_flags */
};

/* A name for kind, as results.json records it: "dir", "star", "cs", "list". */
const char *dataset_kind_name(enum dataset_kind kind);

/*
 * Resolve src into a dataset: a folder (listed like dataset_load_dir), a RELION .star, a
 * CryoSPARC .cs or a file list, recognised by content. Metadata paths are taken relative to the
 * project folder (--project-dir; else for a .star the RELION project holding it, for a .cs the
 * folder above its J<n> job folder, for a list SRC with --files or else the list's folder),
 * which becomes ds->root. Missing stacks are counted (nr_missing, first examples), fatal only
 * when none exists; each stack's MRC header and size are checked (flags). A named stack that
 * resolves (through links) to a file outside the project folder is refused (-EXDEV) unless
 * s->flags hold DATASET_FOLLOW_LINKS, as for a folder. Returns 0, or -errno with why (len bytes)
 * saying what failed, with the line or byte offset in a malformed file.
 */
int dataset_load(struct dataset *ds, const char *src, const struct dataset_source *s, char *why,
		 size_t len);

/* The stacks a metadata file names, as written there. */
struct dataset_meta {
	enum dataset_kind kind;
	char *path;			/* canonical path of the file parsed ("-": stdin) */
	char *name;			/* that file as messages name it: as given, or a .csg's .cs */
	char *text;			/* its bytes (len; NUL-terminated, though a .cs holds NULs) */
	size_t len;
	struct text_map map;		/* where text and len come from (read-only: mapped) */
	struct stack_list stacks;	/* in order of first appearance */
};

enum dataset_meta_flags {
	DATASET_META_LIST = 1 << 0,	/* a list of paths, whatever it looks like (--files) */
};

/*
 * Read the metadata file path ("-": stdin) into m: a CryoSPARC .cs, a .csg (then the .cs it
 * names: '>name' beside it, other relative names below project_dir or else the folder above the
 * .csg's job folder), a RELION .star, or else, when it is text, a list of paths one a line;
 * recognised by content, as dataset_load does. Only the metadata is read, never the stacks.
 * Returns 0, or -errno with why (len bytes) saying what failed; -EMEDIUMTYPE when the file is
 * none of these. m is filled as far as it got either way; dataset_meta_release() frees it.
 */
int dataset_meta_read(struct dataset_meta *m, const char *path, const char *project_dir,
		      unsigned flags, char *why, size_t len);
void dataset_meta_release(struct dataset_meta *m);

/*
 * A path a metadata file names as a path below project (allocated), resolved as text: "." and
 * empty components are dropped and "x/.." cancels ("sub/../ok.mrcs" is "ok.mrcs"); an absolute
 * path must then lie below project (project without a trailing '/'). NULL when nothing is left,
 * or the path climbs out of project ("../x", "a/../../x").
 */
char *dataset_project_rel(const char *project, const char *path);

/*
 * A seeded, size-representative subset of ds holding about target_bytes: the files sorted by
 * size and taken at an even stride from a seeded offset, so small and large stacks are sampled
 * in proportion (the same seed gives the same subset). out gets its own copies of everything and
 * is sorted like ds. With target_bytes >= ds->bytes, out is all of ds. Used by sweep --budget
 * (and --sample).
 */
void dataset_sample(const struct dataset *ds, uint64_t target_bytes, uint64_t seed,
		    struct dataset *out);

/*
 * share.c: a set across nodes. dataset_to_json() is the set as rank 0 hands it to the other
 * nodes ({root, kind, bytes, files: [[rel, size, flags], ...]}); dataset_from_json() makes it a
 * set again (its folders collected anew), or returns -EINVAL with why. dataset_share() is share k
 * of n (--node-files split): the files dealt largest first, each to the share with the fewest
 * bytes so far, so the shares are disjoint, cover the set, differ by at most one file's size, and
 * are the same on every node; out is sorted like ds.
 */
json_t *dataset_to_json(const struct dataset *ds);
int dataset_from_json(struct dataset *ds, json_t *o, char *why, size_t len);
void dataset_share(const struct dataset *ds, size_t k, size_t n, struct dataset *out);

#endif
