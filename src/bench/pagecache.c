/* SPDX-License-Identifier: MIT */
/* pagecache.c - the kernel's page cache: make it cold before a run, and measure how cold it is. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "bench/pagecache.h"
#include "lib/util.h"

#define DROP_CACHES_PATH "/proc/sys/vm/drop_caches"
#define MEMINFO_PATH "/proc/meminfo"
#define DISKSTATS_PATH "/proc/diskstats"

/* How often cache_wait_quiet() looks again. */
#define QUIET_POLL_NS (20 * 1000 * 1000L)

/*
 * mincore() needs one byte per page of the range it is given; looking at a file through windows
 * of this size keeps that vector small (256 KiB with 4 KiB pages) whatever the file's size.
 */
#define RESIDENCY_WINDOW ((uint64_t)1 << 30)

/* Why cache_file_residency() gives -EPERM, as messages say it. */
#define EPERM_WHY "the kernel shows it only to the file's owner or users who may write it (or root)"

/* Folders below extra_dir deeper than this are not walked (each level holds a descriptor). */
#define WALK_MAX_DEPTH 256

const char *cache_method_name(enum cache_method m)
{
	switch (m) {
	case CACHE_DROP_CACHES:
		return "drop_caches";
	case CACHE_FADVISE:
		return "fadvise";
	case CACHE_FILES:
		return "files";
	case CACHE_NONE:
		break;
	}
	return "none";
}

/*
 * When drop_caches cannot be written we fall back to fadvise. EACCES/EPERM: not root, or root in
 * a user namespace; EROFS: /proc/sys mounted read-only (containers); ENOENT: no /proc/sys at all.
 * Anything else is a real error, and so is a path that is not the kernel's drop_caches file.
 */
static bool drop_not_allowed(int err)
{
	return err == -EACCES || err == -EPERM || err == -EROFS || err == -ENOENT;
}

/*
 * An O_PATH descriptor of path when it is the kernel's drop_caches file: a regular file on
 * procfs whose real path ends in /sys/vm/drop_caches. Anything else would take "3\n" over its
 * first bytes, as root: a file on a disk, a FIFO, another sysctl. -EINVAL (why says what the
 * path is instead) for those, -errno when path cannot be looked up.
 */
static int drop_caches_open_path(const char *path, char *why, size_t len)
{
	static const char tail[] = "/sys/vm/drop_caches";
	char real[PATH_MAX];
	char self[64];
	struct statfs sfs;
	struct stat st;
	const char *what = NULL;
	bool same;
	ssize_t n;
	int ret;

	if (!*path)
		return reject_why(why, len,
				  "an empty path is not the kernel's drop_caches file (%s)",
				  DROP_CACHES_PATH);
	const int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		fail_why(why, len, ret, "cannot drop the page cache ('%s'): %s", path,
			 strerror(-ret));
		/* Missing or not allowed falls back; a path that cannot name a file is refused. */
		return drop_not_allowed(ret) ? ret : -EINVAL;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	n = readlink(self, real, sizeof(real) - 1);
	if (n < 0) {
		ret = fail_why(why, len, -EINVAL,
			       "cannot tell what '%s' is (%s: %s); refusing to "
			       "write to it",
			       path, self, strerror(errno));
		goto fail;
	}
	real[n] = '\0';
	same = !strcmp(real, path);
	if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0) {
		ret = fail_why(why, len, -errno, "cannot examine '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (sfs.f_type != PROC_SUPER_MAGIC)
		what = "it is not on procfs";
	else if (!S_ISREG(st.st_mode))
		what = "it is not a regular file";
	else if ((size_t)n < strlen(tail) || strcmp(real + n - strlen(tail), tail))
		what = "it is another file of procfs";
	if (what) {
		ret = reject_why(why, len,
				 "'%s'%s%s%s is not the kernel's drop_caches file (%s): "
				 "%s; refusing to write to it",
				 path, same ? "" : " (", same ? "" : real, same ? "" : ")",
				 DROP_CACHES_PATH, what);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}

/*
 * A descriptor open for writing on the drop_caches file that drop_caches_open_path() checked:
 * opened again through the checked descriptor, so what is written to is what was checked.
 */
static int drop_caches_open(const char *path, char *why, size_t len)
{
	char self[64];
	int ret;

	const int pfd = drop_caches_open_path(path, why, len);
	if (pfd < 0)
		return pfd;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	const int fd = open(self, O_WRONLY | O_CLOEXEC);
	ret = fd < 0 ? -errno : fd;
	if (fd < 0)
		fail_why(why, len, ret, "cannot drop the page cache ('%s'): %s%s", path,
			 strerror(-ret),
			 ret == -EACCES || ret == -EPERM ? " (needs root)"
			 : ret == -EROFS		 ? " (/proc/sys is read-only here)"
							 : "");
	close(pfd);
	return ret;
}

int cache_drop_check(const char *path, char *why, size_t len)
{
	const int fd = drop_caches_open(path ? path : DROP_CACHES_PATH, why, len);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int write_drop_caches(const char *path, char *why, size_t len)
{
	int ret;

	const int fd = drop_caches_open(path, why, len);
	if (fd < 0)
		return fd;
	/* 3: page cache plus dentries and inodes, so listing the source is cold too. */
	ret = write_all(fd, "3\n", 2);
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret)
		fail_why(why, len, ret, "cannot make the page cache cold ('%s'): %s", path,
			 strerror(-ret));
	return ret;
}

/*
 * Ask the kernel to drop the clean cached pages of one open file. Only clean pages go: sync()
 * ran before, so the pages are clean and no fdatasync() is needed here.
 */
static int fadvise_fd(int fd)
{
	const int err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);

	return err ? -err : 0;
}

static int fadvise_path_at(int dirfd, const char *path, bool nofollow)
{
	struct stat st;
	int ret;

	/* O_NONBLOCK: a FIFO put in place of a file must not hang the run. */
	const int fd = openat(dirfd, path,
			      O_RDONLY | O_NONBLOCK | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	ret = S_ISREG(st.st_mode) ? fadvise_fd(fd) : 0;
out:
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	return ret;
}

static int fadvise_tree(int dirfd, unsigned depth);

/* One entry of a folder below extra_dir: a regular file is dropped, a folder walked. */
static int fadvise_entry(int dirfd, const struct dirent *de, unsigned depth)
{
	unsigned char type = de->d_type;
	int r;

	if (type == DT_UNKNOWN) {
		struct stat st;

		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return errno == ENOENT ? 0 : -errno;
		type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
	}
	if (type == DT_REG) {
		r = fadvise_path_at(dirfd, de->d_name, true);
		/* Files may come and go below extra_dir (a run's copies); that is fine. */
		return r == -ENOENT || r == -ELOOP ? 0 : r;
	}
	if (type != DT_DIR || depth >= WALK_MAX_DEPTH)
		return 0;
	const int fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ELOOP || errno == ENOTDIR ? 0 : -errno;
	return fadvise_tree(fd, depth + 1);
}

/*
 * posix_fadvise(DONTNEED) on every regular file below dirfd. Symlinks are never followed, neither
 * to files nor to folders: only what really lies below extra_dir is touched. Takes dirfd; each
 * level holds one descriptor while it descends.
 */
static int fadvise_tree(int dirfd, unsigned depth)
{
	DIR *d;
	struct dirent *de;
	int ret = 0;

	d = fdopendir(dirfd);
	if (!d) {
		ret = -errno;
		close(dirfd);
		return ret;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno && !ret)
				ret = -errno;
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		const int r = fadvise_entry(dirfd, de, depth);
		if (r < 0 && !ret)
			ret = r;
	}
	closedir(d);
	return ret;
}

static int fadvise_all(const struct dataset *ds, const char *root, const char *extra_dir, char *why,
		       size_t len)
{
	int ret = 0;

	for (size_t i = 0; i < ds->nr; i++) {
		char *path = path_join(root, ds->files[i].rel);
		const int r = fadvise_path_at(AT_FDCWD, path, false);

		if (r < 0 && !ret)
			ret = fail_why(why, len, r, "cannot evict '%s' with posix_fadvise: %s",
				       path, strerror(-r));
		free(path);
	}
	if (extra_dir) {
		const int fd = open(extra_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int r = 0;

		if (fd >= 0)
			r = fadvise_tree(fd, 0);
		else if (errno != ENOENT)
			r = -errno;
		if (r < 0 && !ret)
			ret = fail_why(why, len, r, "cannot evict '%s' with posix_fadvise: %s",
				       extra_dir, strerror(-r));
	}
	return ret;
}

/* syncfs() the filesystems holding each path; sync() everything when one cannot be opened. */
static void sync_filesystems(const char *a, const char *b)
{
	const char *paths[] = {a, b};

	for (size_t i = 0; i < 2; i++) {
		int fd;

		if (!paths[i])
			continue;
		fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0 || syncfs(fd) < 0) {
			if (fd >= 0)
				close(fd);
			sync();
			return;
		}
		close(fd);
	}
}

int cache_make_cold(const struct dataset *ds, const char *root, const char *extra_dir,
		    const char *drop_path, enum cache_method *used, char *why, size_t len)
{
	double sync_s;

	return cache_make_cold_timed(ds, root, extra_dir, drop_path, used, why, len, &sync_s);
}

int cache_make_cold_timed(const struct dataset *ds, const char *root, const char *extra_dir,
			  const char *drop_path, enum cache_method *used, char *why, size_t len,
			  double *sync_s)
{
	char drop_why[PATH_MAX + 160];
	const double t0 = now_mono();
	int ret;

	*used = CACHE_NONE;
	/*
	 * Dirty pages cannot be dropped by either method: write back the source's and the
	 * destination's filesystems first. Only those two: a global sync() also waits for every
	 * other filesystem's writeback, seconds per run on a busy node, for pages that are not ours
	 * (other I/O is still waited out by cache_wait_quiet()).
	 */
	sync_filesystems(root, extra_dir);
	*sync_s = now_mono() - t0;
	ret = write_drop_caches(drop_path ? drop_path : DROP_CACHES_PATH, drop_why,
				sizeof(drop_why));
	if (ret == 0) {
		*used = CACHE_DROP_CACHES;
		return 0;
	}
	if (!drop_not_allowed(ret))
		return fail_why(why, len, ret, "%s", drop_why);
	/*
	 * Files of the set that fail here are reported, but the others were still dropped: *used
	 * says fadvise, and the residency check that follows tells how cold the set really is.
	 */
	*used = CACHE_FADVISE;
	return fadvise_all(ds, root, extra_dir, why, len);
}

int cache_evict_set_timed(const struct dataset *ds, const char *root, const char *extra_dir,
			  enum cache_method *used, char *why, size_t len, double *sync_s)
{
	const double t0 = now_mono();

	sync_filesystems(root, extra_dir);
	*sync_s = now_mono() - t0;
	*used = CACHE_FILES;
	return fadvise_all(ds, root, extra_dir, why, len);
}

/* The value in kB of "key:" in /proc/meminfo text, or -ENOENT. */
static int meminfo_kb(const char *text, const char *key, uint64_t *kb)
{
	const size_t len = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, len) && p[len] == ':') {
			char *end;

			errno = 0;
			const unsigned long long v = strtoull(p + len + 1, &end, 10);
			if (errno || end == p + len + 1)
				return -EINVAL;
			*kb = v;
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}

static int dirty_bytes(uint64_t *bytes)
{
	char *text = NULL;
	size_t len;
	uint64_t dirty;
	uint64_t writeback;
	int ret;

	ret = read_text_file(MEMINFO_PATH, &text, &len);
	if (ret < 0)
		return ret;
	ret = meminfo_kb(text, "Dirty", &dirty);
	if (ret < 0)
		goto out;
	ret = meminfo_kb(text, "Writeback", &writeback);
	if (ret < 0)
		goto out;
	*bytes = (dirty + writeback) * 1024;
out:
	free(text);
	return ret;
}

/*
 * Is name a whole device? Partitions count their I/O in their disk as well, so only disks are
 * looked at; a whole device has a directory of its own in /sys/block.
 */
static bool is_whole_device(const char *name)
{
	char path[PATH_MAX];
	size_t i;

	const int n = snprintf(path, sizeof(path), "/sys/block/%s", name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return false;
	/* sysfs spells a '/' in a kernel name (cciss/c0d0) as '!'. */
	for (i = strlen("/sys/block/"); path[i]; i++)
		if (path[i] == '/')
			path[i] = '!';
	return access(path, F_OK) == 0;
}

/* Sum of field 12 of /proc/diskstats (I/Os currently in progress) over whole devices. */
static int ios_in_flight(uint64_t *in_flight)
{
	char *text = NULL;
	size_t len;
	char *line;
	char *save = NULL;
	uint64_t sum = 0;
	int ret;

	ret = read_text_file(DISKSTATS_PATH, &text, &len);
	if (ret < 0)
		return ret;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned major;
		unsigned minor;
		char name[128];
		unsigned long long f[9];

		const int n =
			sscanf(line, "%u %u %127s %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			       &major, &minor, name, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5],
			       &f[6], &f[7], &f[8]);
		/* Old-style partition lines have 7 fields and no in-flight count. */
		if (n < 12)
			continue;
		if (f[8] && is_whole_device(name))
			sum += f[8];
	}
	*in_flight = sum;
	free(text);
	return 0;
}

int cache_wait_quiet(uint64_t max_dirty_bytes, double timeout_s)
{
	const double deadline = now_mono() + timeout_s;
	int ret;

	for (;;) {
		uint64_t dirty;
		uint64_t in_flight;

		ret = dirty_bytes(&dirty);
		if (ret < 0)
			return ret;
		ret = ios_in_flight(&in_flight);
		if (ret < 0)
			return ret;
		if (dirty <= max_dirty_bytes && in_flight == 0)
			return 0;
		if (now_mono() >= deadline)
			return -ETIMEDOUT;
		const struct timespec ts = {.tv_sec = 0, .tv_nsec = QUIET_POLL_NS};
		/* An interrupted sleep only makes this poll come early. */
		nanosleep(&ts, NULL);
	}
}

int cache_file_residency(const char *path, uint64_t *resident, uint64_t *total)
{
	const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	unsigned char *vec = NULL;
	uint64_t size = 0;
	uint64_t pages = 0;
	uint64_t res = 0;
	struct stat st;
	int ret = 0;

	const int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	/* The kernel's own test (can_do_mincore): owner, CAP_FOWNER, or write permission. */
	if (st.st_uid != geteuid() && geteuid() != 0 &&
	    faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) < 0) {
		ret = -EPERM;
		goto out;
	}
	size = (uint64_t)st.st_size;
	pages = (size + page - 1) / page;
	vec = xmalloc((size_t)((RESIDENCY_WINDOW + page - 1) / page));
	for (uint64_t off = 0; off < size; off += RESIDENCY_WINDOW) {
		const size_t len =
			(size_t)(size - off < RESIDENCY_WINDOW ? size - off : RESIDENCY_WINDOW);

		/* A read-only mapping that is never touched faults nothing in. */
		void *map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);
		if (map == MAP_FAILED) {
			ret = -errno;
			goto out;
		}
		if (mincore(map, len, vec) < 0) {
			ret = -errno;
			munmap(map, len);
			goto out;
		}
		const size_t n = (len + page - 1) / page;
		for (size_t i = 0; i < n; i++)
			res += vec[i] & 1;
		if (munmap(map, len) < 0) {
			ret = -errno;
			goto out;
		}
	}
out:
	free(vec);
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret == 0) {
		*resident = res;
		*total = pages;
	}
	return ret;
}

/* The files cache_dataset_residency() examines, shared by its threads. */
struct residency_scan {
	const struct dataset *ds;
	const char *root;
	size_t count;		/* files examined: ds->nr, or a sample of evenly spaced ones */
	pthread_mutex_t lock;
	size_t next;
	uint64_t resident;
	uint64_t total;
	int err;		/* the first failure's -errno */
	char *bad;		/* and its path */
};

static void *residency_thread(void *arg)
{
	struct residency_scan *sc = arg;
	uint64_t resident = 0;
	uint64_t total = 0;

	for (;;) {
		size_t i;
		char *path;
		uint64_t r;
		uint64_t t;
		int ret;

		pthread_mutex_lock(&sc->lock);
		i = sc->err ? sc->count : sc->next++;
		pthread_mutex_unlock(&sc->lock);
		if (i >= sc->count)
			break;
		/* The i-th of count files spread evenly over the set (all when count == nr). */
		i = (size_t)(((unsigned __int128)i * sc->ds->nr + sc->ds->nr / 2) / sc->count);
		path = path_join(sc->root, sc->ds->files[i].rel);
		ret = cache_file_residency(path, &r, &t);
		if (ret < 0) {
			pthread_mutex_lock(&sc->lock);
			if (!sc->err) {
				sc->err = ret;
				sc->bad = path;
				path = NULL;
			}
			pthread_mutex_unlock(&sc->lock);
			free(path);
			break;
		}
		free(path);
		resident += r;
		total += t;
	}
	pthread_mutex_lock(&sc->lock);
	sc->resident += resident;
	sc->total += total;
	pthread_mutex_unlock(&sc->lock);
	return NULL;
}

/*
 * Each file is opened and mapped: right after a drop that is a cold lookup per file, seconds for
 * 100,000 stacks one after another, so a few threads share them.
 */
int cache_dataset_residency_sample(const struct dataset *ds, const char *root, size_t max_files,
				   double *pct, size_t *examined, char *why, size_t len)
{
	struct residency_scan sc = { .ds = ds, .root = root };
	size_t want;
	int ret;

	sc.count = max_files && ds->nr > max_files ? max_files : ds->nr;
	want = sc.count / 256;
	pthread_mutex_init(&sc.lock, NULL);
	run_shared(residency_thread, &sc,
		   want < DATASET_CHECK_THREADS ? (unsigned)want : DATASET_CHECK_THREADS);
	pthread_mutex_destroy(&sc.lock);
	ret = sc.err;
	if (ret < 0) {
		fail_why(why, len, ret, "cannot measure page-cache residency of '%s': %s", sc.bad,
			 ret == -EPERM ? EPERM_WHY : strerror(-ret));
		free(sc.bad);
		return ret;
	}
	*pct = sc.total ? 100.0 * (double)sc.resident / (double)sc.total : 0.0;
	if (examined)
		*examined = sc.count;
	return 0;
}

int cache_dataset_residency(const struct dataset *ds, const char *root, double *pct, char *why,
			    size_t len)
{
	return cache_dataset_residency_sample(ds, root, 0, pct, NULL, why, len);
}
