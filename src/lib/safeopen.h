/* SPDX-License-Identifier: MIT */
/*
 * safeopen.h - files and folders below a folder, opened without being led out of it: no symlink
 * is followed below the folder, and only a regular file is ever read (a FIFO would block).
 *
 * A results folder or a fetch DIR may hold what someone else put there: a symlink to a file only
 * root can read, a FIFO that no one writes. The folder itself is taken as the user named it;
 * everything below it is opened component by component from its parent's descriptor with
 * O_NOFOLLOW.
 */
#ifndef CCB_SAFEOPEN_H
#define CCB_SAFEOPEN_H

#include <stdbool.h>
#include <stddef.h>

enum safe_open_flags {
	SAFE_MKDIR = 1 << 0, /* safe_open_dir_at: make missing folders (mode 0777 & umask) */
};

/*
 * True when rel is a relative path that stays below its folder: not empty, not absolute, no ".."
 * component ("." and empty components are allowed and mean nothing).
 */
bool safe_rel_path(const char *rel);

/*
 * The folder rel (safe_rel_path(); "" or "." is dirfd itself) below dirfd, opened O_RDONLY |
 * O_DIRECTORY one component at a time, each with O_NOFOLLOW; SAFE_MKDIR makes the missing ones.
 * Returns a new descriptor (O_CLOEXEC), or -errno with why (may be NULL) saying what failed,
 * naming the component by its path below dirfd: -ELOOP "'a/b' is a symbolic link, not
 * followed", -ENOTDIR "'a/b' is not a folder", -EINVAL for a rel that leaves the folder, else
 * "'a/b': <strerror>".
 */
int safe_open_dir_at(int dirfd, const char *rel, unsigned flags, char *why, size_t len);

/*
 * The regular file rel below dirfd, for reading: its folders as safe_open_dir_at() opens them,
 * the file itself with O_NOFOLLOW and O_NONBLOCK (so that a FIFO never blocks the open), and
 * only when it is a regular file. Returns a descriptor (O_RDONLY | O_CLOEXEC, blocking), or
 * -errno with why: -ELOOP "a symbolic link, not followed", -EINVAL "a FIFO, not a regular file"
 * (or a socket, a device, a folder), what safe_open_dir_at() says of a folder on the way, or
 * strerror().
 */
int safe_open_file_at(int dirfd, const char *rel, char *why, size_t len);

/*
 * Create the file rel below dirfd anew, for writing: its folders as safe_open_dir_at() makes
 * them with SAFE_MKDIR (never through a symlink), whatever has its name removed first (a
 * symlink itself, not what it points to; a folder is not removed: -EISDIR), then made with
 * O_CREAT | O_EXCL | O_NOFOLLOW, mode 0666 & umask. Returns the descriptor (O_WRONLY |
 * O_CLOEXEC), or -errno with why ("cannot create 'rel': <strerror>", or a folder's reason).
 */
int safe_create_at(int dirfd, const char *rel, char *why, size_t len);
/* The same below the folder dir, followed as the user named it. */
int safe_create_file(const char *dir, const char *rel, char *why, size_t len);

/*
 * The whole of the regular file rel below the folder dir (followed as given), NUL-terminated,
 * into *out (free it), its length into *n (may be NULL). 0, or -errno with why as
 * safe_open_file_at() says it.
 */
int safe_read_file(const char *dir, const char *rel, char **out, size_t *n, char *why, size_t len);

/*
 * The whole of path as the user named it (symlinks on the way are followed: the user chose
 * them), but only when it is a regular file: a FIFO is refused, never waited on. 0, or -errno
 * with why: strerror(), or -EINVAL "a FIFO, not a regular file".
 */
int safe_read_named(const char *path, char **out, size_t *n, char *why, size_t len);

/*
 * safe_read_named() for a list the user hands over: a regular file, or an anonymous pipe (the
 * shell's <(...), /dev/stdin on a pipe), which ends when its writer does. A named FIFO, a
 * device, a socket or a folder is refused before anything is read (a FIFO no one writes would
 * block, /dev/zero never ends): -EINVAL, why "a character device, not a regular file".
 */
int safe_read_input(const char *path, char **out, size_t *n, char *why, size_t len);

/*
 * A file's bytes for a parser that goes through them once, front to back: a regular file is
 * mapped read-only, with a NUL after its bytes, and the parser hands back the pages it has
 * passed (text_map_passed()), so that a metadata file of gigabytes is never all resident at
 * once. Anything else (a pipe, where pipes is true; an empty file; a filesystem that cannot map
 * it) is read into memory as safe_read_input() or safe_read_named() reads it, and handing back
 * does nothing. A mapped file that shrinks while it is read raises SIGBUS past its new end: the
 * files read this way are metadata, not rewritten while a run starts.
 */
struct text_map {
	char *text;		/* len bytes and a NUL; read-only when mapped */
	size_t len;
	size_t map_len;		/* bytes mapped, 0: text was read into memory */
	size_t passed;		/* the parser's position when bytes were last handed back */
};

/* Fill t with path's bytes (t->text NULL on failure). 0, or -errno with why as the readers say. */
int text_map_input(struct text_map *t, const char *path, bool pipes, char *why, size_t len);
/*
 * The parser is done with the bytes before upto (a pointer into t->text; anything else: no-op),
 * back to where it last said so; a position behind that starts a new pass.
 */
void text_map_passed(struct text_map *t, const void *upto);
void text_map_release(struct text_map *t);

#endif
