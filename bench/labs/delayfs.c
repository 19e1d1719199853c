/* SPDX-License-Identifier: MIT */
/* delayfs.c - a read-only FUSE passthrough that delays every read, like a network filesystem. */
#include "config.h"

/*
 * The latency lab of bench/labs/run-labs.sh (bench/labs/README.md): every read, and if asked
 * every open and getattr, waits a fixed time in its own worker thread, so reads from parallel
 * copies overlap their waits as they do on NFS. A lab tool: built when configure finds
 * libfuse3, never installed. From libfuse 3.12 --max-threads caps the workers; before, nothing
 * does.
 */
#if HAVE_FUSE3_LOOP_CFG
#define FUSE_USE_VERSION 312
#else
#define FUSE_USE_VERSION 32
#endif
#include <fuse.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define PROG "delayfs"

static const char usage_text[] =
	"usage: " PROG " [options] SRC MOUNTPOINT\n"
	"\n"
	"Mount SRC read-only at MOUNTPOINT and answer every read only after --delay-us, with\n"
	"many reads in flight at once (a multithreaded FUSE loop), as a network filesystem does.\n"
	"Stop it with SIGTERM or SIGINT (it unmounts), or unmount MOUNTPOINT ('fusermount3 -u',\n"
	"umount as root); it then prints what the kernel asked of it on stderr.\n"
	"\n"
	"options:\n"
	"      --delay-us N          microseconds every read waits [default: 2000]\n"
	"      --open-delay-us N     microseconds every open waits [default: 0]\n"
	"      --getattr-delay-us N  microseconds every getattr waits [default: 0]\n"
	"      --max-read SIZE       largest read the kernel sends, e.g. 1M [default: 1M]\n"
	"      --max-threads N       FUSE worker threads at most [default: 64]\n"
	"      --max-background N    reads in flight the kernel allows (readahead) [default: 64]\n"
	"  -o OPTIONS                further FUSE mount options (e.g. allow_other)\n"
	"  -f, --foreground          stay in the foreground\n"
	"  -h, --help                show this help\n"
	"\n"
	"The kernel reads ahead at most 128 KiB on a FUSE mount whatever --max-read is; to\n"
	"raise it, after mounting:\n"
	"  echo 1024 > /sys/class/bdi/$(mountpoint -d MOUNTPOINT)/read_ahead_kb\n";

struct delayfs_opts {
	long read_delay_us;
	long open_delay_us;
	long getattr_delay_us;
	long max_read;
	long max_threads;
	long max_background;
	bool foreground;
	char *mount_opts;
	const char *src;
	const char *mnt;
};

static struct delayfs_opts opts = {
	.read_delay_us = 2000,
	.max_read = 1 << 20,
	.max_threads = 64,
	.max_background = 64,
};

/* The source folder, opened before mounting: every path is looked up below it. */
static int src_fd = -1;

/* What the kernel asked for, printed when the loop ends. */
static atomic_ulong n_reads;
static atomic_ulong n_opens;
static atomic_ulong n_getattrs;
static atomic_ullong read_bytes;
static atomic_ulong largest_read;
static atomic_long reads_in_flight;
static atomic_long peak_in_flight;

static void delay_us(long us)
{
	struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};

	if (us <= 0)
		return;
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/* FUSE paths start with "/": the same path relative to src_fd ("." for the root). */
static const char *rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

static void atomic_max_ulong(atomic_ulong *v, unsigned long x)
{
	unsigned long cur = atomic_load(v);

	while (x > cur && !atomic_compare_exchange_weak(v, &cur, x))
		;
}

static void atomic_max_long(atomic_long *v, long x)
{
	long cur = atomic_load(v);

	while (x > cur && !atomic_compare_exchange_weak(v, &cur, x))
		;
}

static void *dfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	cfg->use_ino = 1;
	/*
	 * Names and attributes stay cached for a while, as on NFS; data is dropped on every open
	 * (no kernel_cache), so drop_caches and a fresh open always read from the source.
	 */
	cfg->entry_timeout = 60;
	cfg->attr_timeout = 60;
	cfg->negative_timeout = 60;
	conn->max_read = (unsigned)opts.max_read;
	conn->max_background = (unsigned)opts.max_background;
	conn->congestion_threshold = (unsigned)opts.max_background * 3 / 4;
	if (conn->max_readahead < (unsigned)opts.max_read)
		conn->max_readahead = (unsigned)opts.max_read;
	return NULL;
}

static int dfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	int r;

	atomic_fetch_add(&n_getattrs, 1);
	delay_us(opts.getattr_delay_us);
	if (fi)
		r = fstat((int)fi->fh, st);
	else
		r = fstatat(src_fd, rel(path), st, AT_SYMLINK_NOFOLLOW);
	return r < 0 ? -errno : 0;
}

static int dfs_access(const char *path, int mask)
{
	if (mask & W_OK)
		return -EROFS;
	return faccessat(src_fd, rel(path), mask, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int dfs_readlink(const char *path, char *buf, size_t size)
{
	ssize_t n;

	if (size == 0)
		return -EINVAL;
	n = readlinkat(src_fd, rel(path), buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static int dfs_opendir(const char *path, struct fuse_file_info *fi)
{
	int fd = openat(src_fd, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		int err = errno;

		close(fd);
		return -err;
	}
	fi->fh = (uint64_t)(uintptr_t)d;
	return 0;
}

static int dfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	DIR *d = (DIR *)(uintptr_t)fi->fh;
	struct dirent *e;

	rewinddir(d);
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		struct stat st = {.st_ino = e->d_ino, .st_mode = (mode_t)DTTOIF(e->d_type)};

		if (fill(buf, e->d_name, &st, 0, 0))
			return 0;
	}
	return errno ? -errno : 0;
}

static int dfs_releasedir(const char *path, struct fuse_file_info *fi)
{
	closedir((DIR *)(uintptr_t)fi->fh);
	return 0;
}

static int dfs_open(const char *path, struct fuse_file_info *fi)
{
	int fd;

	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC))
		return -EROFS;
	atomic_fetch_add(&n_opens, 1);
	delay_us(opts.open_delay_us);
	fd = openat(src_fd, rel(path), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	fi->fh = (uint64_t)fd;
	return 0;
}

static int dfs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	size_t done = 0;
	int err = 0;

	atomic_max_long(&peak_in_flight, atomic_fetch_add(&reads_in_flight, 1) + 1);
	delay_us(opts.read_delay_us);
	while (done < size) {
		ssize_t n = pread((int)fi->fh, buf + done, size - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	atomic_fetch_sub(&reads_in_flight, 1);
	atomic_fetch_add(&n_reads, 1);
	atomic_fetch_add(&read_bytes, done);
	atomic_max_ulong(&largest_read, size);
	if (done == 0 && err)
		return err;
	return (int)done;
}

static int dfs_release(const char *path, struct fuse_file_info *fi)
{
	close((int)fi->fh);
	return 0;
}

static int dfs_statfs(const char *path, struct statvfs *sv)
{
	return fstatvfs(src_fd, sv) < 0 ? -errno : 0;
}

static const struct fuse_operations dfs_ops = {
	.init = dfs_init,
	.getattr = dfs_getattr,
	.access = dfs_access,
	.readlink = dfs_readlink,
	.opendir = dfs_opendir,
	.readdir = dfs_readdir,
	.releasedir = dfs_releasedir,
	.open = dfs_open,
	.read = dfs_read,
	.release = dfs_release,
	.statfs = dfs_statfs,
};

/* A count in [min, max], or a size with a K, M or G suffix when size is set; -1 when bad. */
static long parse_count(const char *s, long min, long max, bool size)
{
	static const char units[] = "KMG";
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (size && *end && !end[1]) {
		const char *unit = strchr(units, toupper((unsigned char)*end));
		int shift = unit ? 10 * (int)(unit - units + 1) : 0;

		if (!unit || v > (LONG_MAX >> shift))
			return -1;
		v <<= shift;
		end++;
	}
	return *end || v < min || v > max ? -1 : v;
}

/* The numeric options: where each goes and its range. */
static const struct num_opt {
	const char *name;
	long *dest;
	long min, max;
	bool size;
} num_opts[] = {
	{"delay-us", &opts.read_delay_us, 0, 60L * 1000 * 1000, false},
	{"open-delay-us", &opts.open_delay_us, 0, 60L * 1000 * 1000, false},
	{"getattr-delay-us", &opts.getattr_delay_us, 0, 60L * 1000 * 1000, false},
	{"max-read", &opts.max_read, 4096, 16L << 20, true},
	{"max-threads", &opts.max_threads, 1, 4096, false},
	{"max-background", &opts.max_background, 1, 65535, false},
};
#define N_NUM_OPTS (sizeof(num_opts) / sizeof(num_opts[0]))

static int set_num_opt(const struct num_opt *o, const char *arg)
{
	long v = parse_count(arg, o->min, o->max, o->size);

	if (v < 0) {
		fprintf(stderr,
			PROG ": bad value '%s' for --%s: a whole number from %ld to %ld%s\n", arg,
			o->name, o->min, o->max, o->size ? " (K, M or G allowed)" : "");
		return -1;
	}
	*o->dest = v;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	struct option longopts[N_NUM_OPTS + 3] = {
		{"foreground", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
	};
	int c;

	/* The numeric options come back from getopt_long as 0, 1, 2...: their index. */
	for (size_t i = 0; i < N_NUM_OPTS; i++)
		longopts[2 + i] =
			(struct option){num_opts[i].name, required_argument, NULL, (int)i};
	while ((c = getopt_long(argc, argv, "o:fh", longopts, NULL)) != -1) {
		if (c >= 0 && c < (int)N_NUM_OPTS) {
			if (set_num_opt(&num_opts[c], optarg) < 0)
				return -1;
		} else if (c == 'o') {
			opts.mount_opts = optarg;
		} else if (c == 'f') {
			opts.foreground = true;
		} else if (c == 'h') {
			fputs(usage_text, stdout);
			exit(0);
		} else {
			fputs(usage_text, stderr);
			return -1;
		}
	}
	if (argc - optind != 2) {
		fputs(usage_text, stderr);
		return -1;
	}
	opts.src = argv[optind];
	opts.mnt = argv[optind + 1];
	return 0;
}

static int run_loop(struct fuse *f)
{
#if HAVE_FUSE3_LOOP_CFG
	struct fuse_loop_config *cfg = fuse_loop_cfg_create();
	int r;

	if (!cfg)
		return -1;
	fuse_loop_cfg_set_max_threads(cfg, (unsigned)opts.max_threads);
	fuse_loop_cfg_set_idle_threads(cfg, (unsigned)opts.max_threads);
	r = fuse_loop_mt(f, cfg);
	fuse_loop_cfg_destroy(cfg);
	return r;
#else
	/* Before libfuse 3.12 the loop has no limit on workers; keep the idle ones around. */
	struct fuse_loop_config cfg = {.clone_fd = 0,
				       .max_idle_threads = (unsigned)opts.max_threads};

	return fuse_loop_mt(f, &cfg);
#endif
}

static void print_counts(void)
{
	unsigned long n = atomic_load(&n_reads);
	unsigned long long bytes = atomic_load(&read_bytes);

	fprintf(stderr,
		PROG ": %lu reads, %llu bytes (mean %.0f KiB, largest %lu KiB), "
		     "at most %ld at once; %lu opens, %lu getattrs\n",
		n, bytes, n ? (double)bytes / n / 1024 : 0.0, atomic_load(&largest_read) / 1024,
		atomic_load(&peak_in_flight), atomic_load(&n_opens), atomic_load(&n_getattrs));
}

int main(int argc, char **argv)
{
	char *fargv[4] = {argv[0], "-o", NULL, NULL};
	struct fuse_args args = FUSE_ARGS_INIT(3, fargv);
	struct fuse *f;
	bool served = false;
	int status = 1;

	if (parse_args(argc, argv) < 0)
		return 2;
	/* Opened before daemonizing (which moves to /): SRC may be relative. */
	src_fd = open(opts.src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src_fd < 0) {
		fprintf(stderr, PROG ": cannot open '%s': %s\n", opts.src, strerror(errno));
		return 1;
	}
	if (asprintf(&fargv[2], "ro,fsname=delayfs,subtype=delayfs,max_read=%ld%s%s", opts.max_read,
		     opts.mount_opts ? "," : "", opts.mount_opts ? opts.mount_opts : "") < 0) {
		fprintf(stderr, PROG ": out of memory\n");
		close(src_fd);
		return 1;
	}
	f = fuse_new(&args, &dfs_ops, sizeof(dfs_ops), NULL);
	if (!f)
		goto out;
	if (fuse_mount(f, opts.mnt) != 0)
		goto out_destroy;
	if (fuse_daemonize(opts.foreground) != 0 ||
	    fuse_set_signal_handlers(fuse_get_session(f)) != 0)
		goto out_unmount;
	/* 0 when unmounted, the signal's number after SIGINT or SIGTERM, -errno on failure. */
	status = run_loop(f) < 0 ? 1 : 0;
	served = true;
	fuse_remove_signal_handlers(fuse_get_session(f));
out_unmount:
	fuse_unmount(f);
out_destroy:
	fuse_destroy(f);
out:
	free(fargv[2]);
	close(src_fd);
	/* Last, after anything libfuse says on the way out: scripts read the last line. */
	if (served)
		print_counts();
	return status;
}
