/* SPDX-License-Identifier: MIT */
/* safeopen.c - files and folders below a folder, never following a symlink out of it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/safeopen.h"
#include "lib/util.h"

bool safe_rel_path(const char *rel)
{
	if (!*rel || *rel == '/')
		return false;
	for (const char *c = rel; *c;) {
		const size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return false;
		c += n;
		c += *c == '/';
	}
	return true;
}

/* What a file that is not a regular one is, for messages. */
static const char *type_name(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISDIR(m))
		return "a folder";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

/*
 * Why openat(dirfd, name) failed with err, as the message of safe_open_dir_at(): a symlink or a
 * file where a folder should be, or err itself. shown is the path up to name, below the top.
 */
static int dir_failed(int dirfd, const char *name, int err, const char *shown, char *why,
		      size_t len)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return fail_why(why, len, -ELOOP, "'%s' is a symbolic link, not followed",
					shown);
		if (!S_ISDIR(st.st_mode))
			return fail_why(why, len, -ENOTDIR, "'%s' is not a folder (%s)", shown,
					type_name(st.st_mode));
	}
	return fail_why(why, len, err, "'%s': %s", shown, strerror(-err));
}

int safe_open_dir_at(int dirfd, const char *rel, unsigned flags, char *why, size_t len)
{
	char *path = xstrdup(rel);
	char *save = NULL;
	int cur = -1;
	int ret = 0;

	if (*rel && strcmp(rel, ".") && !safe_rel_path(rel)) {
		ret = fail_why(why, len, -EINVAL, "'%s' leaves its folder", rel);
		goto out;
	}
	cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	if (cur < 0) {
		ret = fail_why(why, len, -errno, "cannot open a folder: %s", strerror(errno));
		goto out;
	}
	for (char *c = strtok_r(path, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next;

		if (!strcmp(c, "."))
			continue;
		if ((flags & SAFE_MKDIR) && mkdirat(cur, c, 0777) < 0 && errno != EEXIST) {
			const int err = -errno;

			/* The prefix of rel up to c: path holds NULs where strtok_r cut it. */
			char *shown = xasprintf("%.*s", (int)(c - path + strlen(c)), rel);
			ret = dir_failed(cur, c, err, shown, why, len);
			free(shown);
			goto out;
		}
		next = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			const int err = -errno;
			char *shown = xasprintf("%.*s", (int)(c - path + strlen(c)), rel);

			ret = dir_failed(cur, c, err, shown, why, len);
			free(shown);
			goto out;
		}
		close(cur);
		cur = next;
	}
	ret = cur;
	cur = -1;
out:
	if (cur >= 0)
		close(cur);
	free(path);
	return ret;
}

int safe_open_file_at(int dirfd, const char *rel, char *why, size_t len)
{
	const char *slash = strrchr(rel, '/');
	const char *base = slash ? slash + 1 : rel;
	struct stat st;
	int dfd = dirfd;
	int fd = -1;
	int ret;

	if (!safe_rel_path(rel) || !*base || !strcmp(base, "."))
		return fail_why(why, len, -EINVAL, "'%s' is not a file below its folder", rel);
	if (slash) {
		char *dir = xasprintf("%.*s", (int)(slash - rel), rel);

		dfd = safe_open_dir_at(dirfd, dir, 0, why, len);
		free(dir);
		if (dfd < 0)
			return dfd;
	}
	/* Looked at first, so that a FIFO or a device is never even opened. */
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		ret = fail_why(why, len, -errno, "%s", strerror(errno));
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		ret = fail_why(why, len, -ELOOP, "a symbolic link, not followed");
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = fail_why(why, len, -EINVAL, "%s, not a regular file", type_name(st.st_mode));
		goto out;
	}
	/* Swapped since? O_NOFOLLOW and O_NONBLOCK still keep it from following or hanging. */
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		ret = fail_why(why, len, -errno, "%s",
			       errno == ELOOP ? "a symbolic link, not followed" : strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = fail_why(why, len, -EINVAL, "%s, not a regular file", type_name(st.st_mode));
		goto out;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		ret = fail_why(why, len, -errno, "%s", strerror(errno));
		goto out;
	}
	ret = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	if (dfd != dirfd)
		close(dfd);
	return ret;
}

int safe_create_at(int dirfd, const char *rel, char *why, size_t len)
{
	const char *slash = strrchr(rel, '/');
	const char *base = slash ? slash + 1 : rel;
	int dfd = dirfd;
	int ret;

	if (!safe_rel_path(rel) || !*base || !strcmp(base, "."))
		return fail_why(why, len, -EINVAL, "'%s' is not a file below its folder", rel);
	if (slash) {
		char *dir = xasprintf("%.*s", (int)(slash - rel), rel);

		dfd = safe_open_dir_at(dirfd, dir, SAFE_MKDIR, why, len);
		free(dir);
		if (dfd < 0)
			return dfd;
	}
	/* Whatever has the name goes first: a symlink itself, never what it points to. */
	if (unlinkat(dfd, base, 0) < 0 && errno != ENOENT) {
		ret = fail_why(why, len, -errno, "cannot replace '%s': %s", rel, strerror(errno));
		goto out;
	}
	ret = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
		     0666);
	if (ret < 0)
		ret = fail_why(why, len, -errno, "cannot create '%s': %s", rel, strerror(errno));
out:
	if (dfd != dirfd)
		close(dfd);
	return ret;
}

int safe_create_file(const char *dir, const char *rel, char *why, size_t len)
{
	int ret;

	const int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fail_why(why, len, -errno, "'%s': %s", dir, strerror(errno));
	ret = safe_create_at(dfd, rel, why, len);
	close(dfd);
	return ret;
}

/* The whole of fd, NUL-terminated, into *out; closes fd. 0 or -errno (why: strerror). */
static int read_all(int fd, char **out, size_t *n, char *why, size_t len)
{
	size_t cap = 4096;
	size_t got = 0;
	char *buf = xmalloc(cap);
	int ret = 0;

	for (;;) {
		ssize_t r;

		if (got + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + got, cap - got - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = fail_why(why, len, -errno, "%s", strerror(errno));
			free(buf);
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	*out = buf;
	if (n)
		*n = got;
out:
	close(fd);
	return ret;
}

int safe_read_file(const char *dir, const char *rel, char **out, size_t *n, char *why, size_t len)
{
	const int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fail_why(why, len, -errno, "'%s': %s", dir, strerror(errno));
	const int fd = safe_open_file_at(dfd, rel, why, len);
	close(dfd);
	if (fd < 0)
		return fd;
	return read_all(fd, out, n, why, len);
}

/*
 * path (followed as the user named it) open for reading when it is a regular file, checked
 * before and once open (a FIFO is never opened to wait), its stat in *st: the descriptor, or
 * -errno with why: strerror(), or -EINVAL "a FIFO, not a regular file".
 */
static int open_named(const char *path, struct stat *st, char *why, size_t len)
{
	int fd;

	if (stat(path, st) < 0)
		return fail_why(why, len, -errno, "%s", strerror(errno));
	if (!S_ISREG(st->st_mode))
		return fail_why(why, len, -EINVAL, "%s, not a regular file", type_name(st->st_mode));
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return fail_why(why, len, -errno, "%s", strerror(errno));
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		close(fd);
		return fail_why(why, len, -EINVAL, "%s, not a regular file", type_name(st->st_mode));
	}
	return fd;
}

int safe_read_named(const char *path, char **out, size_t *n, char *why, size_t len)
{
	struct stat st;
	const int fd = open_named(path, &st, why, len);

	if (fd < 0)
		return fd;
	return read_all(fd, out, n, why, len);
}

int safe_read_input(const char *path, char **out, size_t *n, char *why, size_t len)
{
	char link[64];
	char target[32];
	struct stat st;
	ssize_t tl;
	int fd;

	if (stat(path, &st) < 0)
		return fail_why(why, len, -errno, "%s", strerror(errno));
	if (!S_ISFIFO(st.st_mode))
		return safe_read_named(path, out, n, why, len);
	/* O_NONBLOCK: opening a FIFO no one writes would wait for a writer */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fail_why(why, len, -errno, "%s", strerror(errno));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	tl = readlink(link, target, sizeof(target) - 1);
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode) || tl < 5 || strncmp(target, "pipe:", 5)) {
		close(fd);
		return fail_why(why, len, -EINVAL, "%s, not a regular file", type_name(st.st_mode));
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		const int err = errno;

		close(fd);
		return fail_why(why, len, -err, "%s", strerror(err));
	}
	return read_all(fd, out, n, why, len);
}

/* Bytes handed back to the kernel at once: a madvise() per few thousand lines, not per line. */
#define TEXT_MAP_STEP (8u << 20)

/*
 * Map the regular file open as fd (size bytes, > 0) read-only into t, a NUL after it: the file
 * is mapped over a reserved anonymous range one byte longer, so that the byte after its last
 * is a zero whether or not the file ends on a page boundary. -errno when it cannot be mapped.
 */
static int map_file(struct text_map *t, int fd, size_t size)
{
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	const size_t map_len = (size + 1 + page - 1) / page * page;
	void *base = mmap(NULL, map_len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (base == MAP_FAILED)
		return -errno;
	if (mmap(base, size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED) {
		const int err = errno;

		munmap(base, map_len);
		return -err;
	}
	/* Read ahead generously: the parser reads it once, in order. */
	madvise(base, size, MADV_SEQUENTIAL);
	t->text = base;
	t->len = size;
	t->map_len = map_len;
	return 0;
}

int text_map_input(struct text_map *t, const char *path, bool pipes, char *why, size_t len)
{
	struct stat st;
	int fd;

	memset(t, 0, sizeof(*t));
	if (pipes && stat(path, &st) == 0 && S_ISFIFO(st.st_mode))
		return safe_read_input(path, &t->text, &t->len, why, len);
	fd = open_named(path, &st, why, len);
	if (fd < 0)
		return fd;
	/* Mapped when it has bytes and can be; else read (empty, or a filesystem that cannot map). */
	if (st.st_size > 0 && (uintmax_t)st.st_size < SIZE_MAX / 2 &&
	    map_file(t, fd, (size_t)st.st_size) == 0) {
		close(fd);
		return 0;
	}
	return read_all(fd, &t->text, &t->len, why, len);
}

void text_map_passed(struct text_map *t, const void *upto)
{
	const uintptr_t p = (uintptr_t)upto;
	const uintptr_t base = (uintptr_t)t->text;
	size_t done;

	if (!t->map_len || p < base || p > base + t->len)
		return;
	/* Called for every line: most calls end at the first test. */
	done = (size_t)(p - base);
	if (done >= t->passed && done < t->passed + TEXT_MAP_STEP)
		return;
	done -= done % (size_t)sysconf(_SC_PAGESIZE);
	/* A second pass from the start (a check, then the parse): follow it from where it is. */
	if (done < t->passed) {
		t->passed = done;
		return;
	}
	/* The pages stay in the page cache; should the parser come back, they are mapped again. */
	madvise(t->text + t->passed, done - t->passed, MADV_DONTNEED);
	t->passed = done;
}

void text_map_release(struct text_map *t)
{
	if (t->map_len)
		munmap(t->text, t->map_len);
	else
		free(t->text);
	memset(t, 0, sizeof(*t));
}
