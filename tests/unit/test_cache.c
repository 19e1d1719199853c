/* SPDX-License-Identifier: MIT */
/* test_cache.c - page-cache residency, making files cold, and where a path lives (device). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "bench/pagecache.h"
#include "dataset/dataset.h"
#include "lib/util.h"
#include "sys/device.h"
#include "sys/sysinfo.h"
#include "testutil.h"

#define FILE_BYTES (8u << 20)

struct fixture {
	char *tmp; /* private folder on a real disk (tmpfs pages cannot be dropped) */
};

/*
 * Other tests of the suite drop the whole page cache; one doing it between our read and our
 * residency check would turn a warm file cold. They hold this lock while they do, and so do we
 * (tests/helpers/lib.sh, ccb_lock_machine).
 */
static int machine_lock = -1;

/* Write size bytes of a pattern, fsync (so the pages are clean), and read them all back. */
static void make_warm_file(const char *path, size_t size)
{
	char *buf = xmalloc(size ? size : 1);
	size_t got;

	for (size_t i = 0; i < size; i++)
		buf[i] = (char)(i * 131 + 7);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, buf, size), 0);
	assert_int_equal(fsync(fd), 0);
	assert_int_equal(close(fd), 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(read_full(fd, buf, size, &got), 0);
	assert_int_equal(got, size);
	assert_int_equal(close(fd), 0);
	free(buf);
}

static double residency_pct(const char *path)
{
	uint64_t resident = 0;
	uint64_t total = 0;

	assert_int_equal(cache_file_residency(path, &resident, &total), 0);
	assert_true(total > 0);
	assert_true(resident <= total);
	return 100.0 * (double)resident / (double)total;
}

static int group_setup(void **state)
{
	const char *lock = getenv("CCB_LOCK_FILE");

	(void)state;
	machine_lock = open(lock && *lock ? lock : "/var/tmp/cryocache-bench-tests.lock",
			    O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (machine_lock >= 0 && flock(machine_lock, LOCK_EX) < 0) {
		close(machine_lock);
		machine_lock = -1;
	}
	/* Without the lock the tests still run; they only lose their guard against the others. */
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (machine_lock >= 0)
		close(machine_lock);
	return 0;
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	f->tmp = test_tmpdir("cache");
	if (!f->tmp)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	test_rmtree(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}

static void test_residency_warm_then_dropped(void **state)
{
	struct fixture *f = *state;
	char *path = pathf("%s/warm.mrcs", f->tmp);
	uint64_t resident;
	uint64_t total;

	make_warm_file(path, FILE_BYTES);
	assert_int_equal(cache_file_residency(path, &resident, &total), 0);
	assert_int_equal(total, (FILE_BYTES + sysconf(_SC_PAGESIZE) - 1) / sysconf(_SC_PAGESIZE));
	assert_true(residency_pct(path) > 90.0);

	/* Measuring must not pull pages in: drop, measure twice, still cold. */
	const int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fsync(fd), 0);
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	assert_int_equal(close(fd), 0);
	assert_true(residency_pct(path) < 10.0);
	assert_true(residency_pct(path) < 10.0);
	free(path);
}

static void test_residency_partial_page(void **state)
{
	struct fixture *f = *state;
	char *path = pathf("%s/odd.mrc", f->tmp);
	uint64_t resident;
	uint64_t total;

	make_warm_file(path, 1025);
	assert_int_equal(cache_file_residency(path, &resident, &total), 0);
	assert_int_equal(total, 1);
	assert_int_equal(resident, 1);
	free(path);
}

static void test_residency_empty_and_missing(void **state)
{
	struct fixture *f = *state;
	char *path = pathf("%s/empty.mrcs", f->tmp);
	char *missing = pathf("%s/missing.mrcs", f->tmp);
	uint64_t resident = 99;
	uint64_t total = 99;

	make_warm_file(path, 0);
	assert_int_equal(cache_file_residency(path, &resident, &total), 0);
	assert_int_equal(resident, 0);
	assert_int_equal(total, 0);
	assert_int_equal(cache_file_residency(missing, &resident, &total), -ENOENT);
	assert_int_equal(cache_file_residency(f->tmp, &resident, &total), -EINVAL);
	free(path);
	free(missing);
}

static void test_dataset_residency(void **state)
{
	struct fixture *f = *state;
	struct copy_file files[3] = {
		{.rel = "a.mrcs", .size = FILE_BYTES},
		{.rel = "sub/b.mrcs", .size = FILE_BYTES},
		{.rel = "sub/empty.mrcs", .size = 0},
	};
	struct dataset ds = {.root = f->tmp, .files = files, .nr = 3};
	struct dataset none = {.root = f->tmp, .files = files, .nr = 0};
	char *a = pathf("%s/a.mrcs", f->tmp);
	char *sub = pathf("%s/sub", f->tmp);
	char *b = pathf("%s/sub/b.mrcs", f->tmp);
	char *empty = pathf("%s/sub/empty.mrcs", f->tmp);
	double pct = -1;

	assert_int_equal(mkdir(sub, 0755), 0);
	make_warm_file(a, FILE_BYTES);
	make_warm_file(b, FILE_BYTES);
	make_warm_file(empty, 0);
	/* Half of the pages are made cold: the share says so. */
	const int fd = open(b, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(cache_dataset_residency(&ds, f->tmp, &pct, NULL, 0), 0);
	assert_true(pct > 45.0 && pct < 55.0);

	pct = -1;
	assert_int_equal(cache_dataset_residency(&none, f->tmp, &pct, NULL, 0), 0);
	assert_true(pct == 0.0);

	/* One file missing: an error, and pct untouched. */
	assert_int_equal(unlink(a), 0);
	pct = -1;
	assert_int_equal(cache_dataset_residency(&ds, f->tmp, &pct, NULL, 0), -ENOENT);
	assert_true(pct == -1);
	free(a);
	free(sub);
	free(b);
	free(empty);
}

/* A sample of a set: evenly spaced files, how many said, the rest never opened. */
static void test_dataset_residency_sample(void **state)
{
	struct fixture *f = *state;
	struct copy_file files[8];
	char *paths[8];
	struct dataset ds = {.root = f->tmp, .files = files, .nr = 8};
	size_t examined = 0;
	double pct = -1;

	for (int i = 0; i < 8; i++) {
		files[i] = (struct copy_file){.rel = pathf("s%d.mrcs", i), .size = 65536};
		paths[i] = pathf("%s/s%d.mrcs", f->tmp, i);
		make_warm_file(paths[i], 65536);
		if (i % 2) {
			const int fd = open(paths[i], O_RDONLY | O_CLOEXEC);

			assert_true(fd >= 0);
			assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
			assert_int_equal(close(fd), 0);
		}
	}
	assert_int_equal(cache_dataset_residency_sample(&ds, f->tmp, 0, &pct, &examined, NULL, 0),
			 0);
	assert_int_equal(examined, 8);
	assert_true(pct > 45.0 && pct < 55.0);
	/* Four of eight: the 2nd, 4th, 6th and 8th, the cold ones. */
	assert_int_equal(cache_dataset_residency_sample(&ds, f->tmp, 4, &pct, &examined, NULL, 0),
			 0);
	assert_int_equal(examined, 4);
	assert_true(pct < 5.0);
	/* A file outside the sample is not looked at; the whole set is. */
	assert_int_equal(unlink(paths[0]), 0);
	assert_int_equal(cache_dataset_residency_sample(&ds, f->tmp, 4, &pct, &examined, NULL, 0),
			 0);
	assert_int_equal(cache_dataset_residency_sample(&ds, f->tmp, 8, &pct, &examined, NULL, 0),
			 -ENOENT);
	for (int i = 0; i < 8; i++) {
		free(files[i].rel);
		free(paths[i]);
	}
}

static void test_make_cold_fadvise_fallback(void **state)
{
	struct fixture *f = *state;
	struct copy_file files[2] = {
		{.rel = "x.mrcs", .size = FILE_BYTES},
		{.rel = "deep/y.mrcs", .size = FILE_BYTES},
	};
	char *root = pathf("%s/src", f->tmp);
	struct dataset ds = {.root = root, .files = files, .nr = 2};
	char *deep = pathf("%s/src/deep", f->tmp);
	char *x = pathf("%s/src/x.mrcs", f->tmp);
	char *y = pathf("%s/src/deep/y.mrcs", f->tmp);
	char *extra = pathf("%s/copies", f->tmp);
	char *extra_sub = pathf("%s/copies/deep", f->tmp);
	char *copy = pathf("%s/copies/deep/x.mrcs", f->tmp);
	char *outside = pathf("%s/outside.mrcs", f->tmp);
	char *link = pathf("%s/copies/link.mrcs", f->tmp);
	/* A drop_caches that cannot be opened, as when /proc/sys is not there. */
	char *drop = pathf("%s/no-such-dir/drop_caches", f->tmp);
	enum cache_method used = CACHE_DROP_CACHES;
	double pct;

	assert_int_equal(mkdir(root, 0755), 0);
	assert_int_equal(mkdir(deep, 0755), 0);
	assert_int_equal(mkdir(extra, 0755), 0);
	assert_int_equal(mkdir(extra_sub, 0755), 0);
	make_warm_file(x, FILE_BYTES);
	make_warm_file(y, FILE_BYTES);
	make_warm_file(copy, FILE_BYTES);
	make_warm_file(outside, FILE_BYTES);
	/* Reachable from extra_dir only through a symlink: must stay warm. */
	assert_int_equal(symlink(outside, link), 0);
	assert_int_equal(cache_dataset_residency(&ds, root, &pct, NULL, 0), 0);
	assert_true(pct > 90.0);

	assert_int_equal(cache_make_cold(&ds, root, extra, drop, &used, NULL, 0), 0);
	assert_int_equal(used, CACHE_FADVISE);
	assert_string_equal(cache_method_name(used), "fadvise");
	assert_int_equal(cache_dataset_residency(&ds, root, &pct, NULL, 0), 0);
	assert_true(pct < 10.0);
	assert_true(residency_pct(copy) < 10.0);
	assert_true(residency_pct(outside) > 90.0);

	/* A missing extra_dir, or none, is fine. */
	make_warm_file(x, FILE_BYTES);
	char *gone = pathf("%s/gone", f->tmp);
	assert_int_equal(cache_make_cold(&ds, root, gone, drop, &used, NULL, 0), 0);
	assert_int_equal(used, CACHE_FADVISE);
	assert_true(residency_pct(x) < 10.0);
	assert_int_equal(cache_make_cold(&ds, root, NULL, drop, &used, NULL, 0), 0);
	assert_int_equal(used, CACHE_FADVISE);
	free(gone);

	free(root);
	free(deep);
	free(x);
	free(y);
	free(extra);
	free(extra_sub);
	free(copy);
	free(outside);
	free(link);
	free(drop);
}

static void test_make_cold_other_error(void **state)
{
	struct fixture *f = *state;
	struct dataset ds = {.root = f->tmp};
	enum cache_method used = CACHE_FADVISE;
	char why[PATH_MAX * 2 + 200];

	/* A drop_caches that is a folder is not "not allowed": a real error, nothing done. */
	assert_int_equal(cache_make_cold(&ds, f->tmp, NULL, f->tmp, &used, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "is not the kernel's drop_caches file"));
	assert_int_equal(used, CACHE_NONE);
	assert_string_equal(cache_method_name(used), "none");
	assert_string_equal(cache_method_name(CACHE_DROP_CACHES), "drop_caches");
}

/* Read path's bytes and compare them with want. */
static void assert_file_is(const char *path, const char *want)
{
	char *text = NULL;

	assert_int_equal(read_text_file(path, &text, NULL), 0);
	assert_string_equal(text, want);
	free(text);
}

/*
 * Only the kernel's drop_caches is ever written: a regular file (or a symlink to one, or a FIFO)
 * given as drop_path would take "3\n" over its first bytes, as root.
 */
static void test_drop_path_refused(void **state)
{
	struct fixture *f = *state;
	struct dataset ds = {.root = f->tmp};
	char *file = pathf("%s/drop_caches", f->tmp);
	char *link = pathf("%s/link", f->tmp);
	char *fifo = pathf("%s/fifo", f->tmp);
	char *missing = pathf("%s/no-such-dir/drop_caches", f->tmp);
	const char *const refused[] = {file, link, fifo};
	enum cache_method used = CACHE_FADVISE;
	char why[PATH_MAX * 2 + 200];

	test_put_file(f->tmp, "drop_caches", "precious data\n");
	assert_int_equal(symlink(file, link), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		assert_int_equal(cache_drop_check(refused[i], why, sizeof(why)), -EINVAL);
		assert_non_null(strstr(why, "is not the kernel's drop_caches file"));
		assert_non_null(strstr(why, "it is not on procfs; refusing to write to it"));
		assert_int_equal(cache_make_cold(&ds, f->tmp, NULL, refused[i], &used, why,
						 sizeof(why)),
				 -EINVAL);
		assert_int_equal(used, CACHE_NONE);
	}
	assert_file_is(file, "precious data\n");
	/* The symlink's message names where it leads. */
	assert_int_equal(cache_drop_check(link, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, file));
	/* Another sysctl is procfs too, and still refused. */
	assert_int_equal(cache_drop_check("/proc/sys/vm/swappiness", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "another file of procfs"));

	/* Missing: said so, not blamed on root. */
	assert_int_equal(cache_drop_check(missing, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "No such file or directory"));
	assert_null(strstr(why, "root"));

	/* The real one is accepted: writable as root, else "needs root" (or a read-only /proc). */
	const int ret = cache_drop_check(NULL, why, sizeof(why));
	if (geteuid() == 0)
		assert_true(ret == 0 || ret == -EROFS);
	else
		assert_true(ret == -EROFS || strstr(why, "(needs root)"));
	free(file);
	free(link);
	free(fifo);
	free(missing);
}

static void test_wait_quiet(void **state)
{
	(void)state;
	/*
	 * Generous on both counts: other tests may be writing. Only the answer is checked, never
	 * how long it took.
	 */
	assert_int_equal(cache_wait_quiet(512ull << 20, 60.0), 0);
}

static void test_device_resolve_live(void **state)
{
	struct fixture *f = *state;
	struct device_info d;
	struct stat st;
	char *canon = realpath(f->tmp, NULL);

	assert_non_null(canon);
	assert_int_equal(stat(canon, &st), 0);
	assert_int_equal(device_resolve(f->tmp, NULL, &d), 0);
	assert_non_null(d.fs_type);
	assert_true(strlen(d.fs_type) > 0);
	assert_non_null(d.mount_point);
	assert_true(path_is_within(canon, d.mount_point));
	assert_non_null(d.mount_source);
	assert_non_null(d.mount_options);
	assert_true(strlen(d.mount_options) > 0);
	assert_int_equal(d.dev_major, major(st.st_dev));
	assert_int_equal(d.dev_minor, minor(st.st_dev));
	assert_true(d.fs_size > 0);
	assert_true(d.fs_free <= d.fs_size);
	assert_true(d.nr_chain <= DEVICE_MAX_CHAIN);
	for (size_t i = 0; i < d.nr_chain; i++)
		assert_true(strlen(d.chain[i]) > 0 && !strchr(d.chain[i], '/'));
	device_release(&d);
	assert_null(d.fs_type);

	char *missing = pathf("%s/missing", f->tmp);
	assert_int_equal(device_resolve(missing, NULL, &d), -ENOENT);
	free(missing);
	free(canon);
}

static void test_mountinfo_parse(void **state)
{
	struct device_mount m;

	(void)state;
	assert_int_equal(
		device_parse_mountinfo_line(
			"36 35 98:0 /mnt1 /mnt/cryo\\040data rw,noatime master:1 - ext3 /dev/root "
			"rw,errors=continue\n",
			&m),
		0);
	assert_int_equal(m.major, 98);
	assert_int_equal(m.minor, 0);
	assert_string_equal(m.root, "/mnt1");
	assert_string_equal(m.mount_point, "/mnt/cryo data");
	assert_string_equal(m.mount_options, "rw,noatime");
	assert_string_equal(m.fs_type, "ext3");
	assert_string_equal(m.mount_source, "/dev/root");
	assert_string_equal(m.super_options, "rw,errors=continue");
	device_mount_release(&m);

	/* No optional fields; several; other escapes (tab, backslash, newline). */
	assert_int_equal(device_parse_mountinfo_line(
				 "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard", &m),
			 0);
	assert_string_equal(m.mount_point, "/");
	assert_string_equal(m.fs_type, "ext4");
	assert_string_equal(m.super_options, "rw,discard");
	device_mount_release(&m);
	assert_int_equal(
		device_parse_mountinfo_line("100 27 0:52 /exp\\011a /data/a\\134b\\012c rw "
					    "shared:5 master:3 propagate_from:2 - "
					    "nfs4 srv:/exp\\040x rw,vers=4.2,rsize=1048576",
					    &m),
		0);
	assert_int_equal(m.major, 0);
	assert_int_equal(m.minor, 52);
	assert_string_equal(m.root, "/exp\ta");
	assert_string_equal(m.mount_point, "/data/a\\b\nc");
	assert_string_equal(m.fs_type, "nfs4");
	assert_string_equal(m.mount_source, "srv:/exp x");
	assert_string_equal(m.super_options, "rw,vers=4.2,rsize=1048576");
	device_mount_release(&m);

	/* Broken lines are refused, not half-parsed. */
	assert_int_equal(device_parse_mountinfo_line("", &m), -EINVAL);
	assert_int_equal(device_parse_mountinfo_line("36 35 98:0 /mnt1 /mnt2 rw", &m), -EINVAL);
	assert_int_equal(device_parse_mountinfo_line("36 35 98:0 /mnt1 /mnt2 rw - ext3", &m),
			 -EINVAL);
	assert_int_equal(device_parse_mountinfo_line("36 35 980 / /m rw - ext3 /dev/x rw", &m),
			 -EINVAL);
	assert_null(m.fs_type);
}

static void put_text(const char *path, const char *text)
{
	const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, text, strlen(text)), 0);
	assert_int_equal(close(fd), 0);
}

static void mkdirs(const char *root, const char *rel)
{
	char *p = pathf("%s/%s", root, rel);

	assert_int_equal(mkdir_p(p), 0);
	free(p);
}

static void put_rel(const char *root, const char *rel, const char *text)
{
	char *p = pathf("%s/%s", root, rel);

	put_text(p, text);
	free(p);
}

static void link_rel(const char *root, const char *target, const char *rel)
{
	char *p = pathf("%s/%s", root, rel);

	assert_int_equal(symlink(target, p), 0);
	free(p);
}

/*
 * A fixture /proc and /sys: the test folder "is" an XFS on dm-7 (LVM), built on the partition
 * nvme0n1p2 of the disk nvme0n1, plus a bind mount of a parent folder that must lose to it.
 */
static void test_device_resolve_fixture(void **state)
{
	struct fixture *f = *state;
	char *sysroot = pathf("%s/sysroot", f->tmp);
	char *data = pathf("%s/cryo data", f->tmp);
	char *canon_tmp = realpath(f->tmp, NULL);
	struct device_info d;
	struct stat st;

	assert_int_equal(mkdir(data, 0755), 0);
	assert_int_equal(stat(data, &st), 0);
	const unsigned maj = major(st.st_dev);
	const unsigned min = minor(st.st_dev);

	mkdirs(sysroot, "proc/self");
	char *mountinfo =
		pathf("1 0 %u:%u / / rw - rootfs rootfs rw\n"
		      "50 1 %u:%u /x %s rw,relatime shared:1 - ext4 /dev/sdz1 rw\n"
		      "51 1 %u:%u / %s/cryo\\040data rw,noatime - xfs /dev/mapper/vg-data "
		      "rw,attr2,inode64\n"
		      "52 1 0:40 / /dev/shm rw - tmpfs tmpfs rw\n",
		      maj, min, maj, min, canon_tmp, maj, min, canon_tmp);
	put_rel(sysroot, "proc/self/mountinfo", mountinfo);
	free(mountinfo);

	mkdirs(sysroot, "sys/dev/block");
	mkdirs(sysroot, "sys/devices/virtual/block/dm-7/slaves");
	mkdirs(sysroot, "sys/devices/pci0000:00/nvme/nvme0n1/nvme0n1p2");
	char *dev = pathf("%u:%u\n", maj, min);
	put_rel(sysroot, "sys/devices/virtual/block/dm-7/dev", dev);
	free(dev);
	put_rel(sysroot, "sys/devices/pci0000:00/nvme/nvme0n1/dev", "259:0\n");
	put_rel(sysroot, "sys/devices/pci0000:00/nvme/nvme0n1/nvme0n1p2/dev", "259:2\n");
	put_rel(sysroot, "sys/devices/pci0000:00/nvme/nvme0n1/nvme0n1p2/partition", "2\n");
	link_rel(sysroot, "../../../../../devices/pci0000:00/nvme/nvme0n1/nvme0n1p2",
		 "sys/devices/virtual/block/dm-7/slaves/nvme0n1p2");
	char *link = pathf("sys/dev/block/%u:%u", maj, min);
	link_rel(sysroot, "../../devices/virtual/block/dm-7", link);
	free(link);
	link_rel(sysroot, "../../devices/pci0000:00/nvme/nvme0n1/nvme0n1p2", "sys/dev/block/259:2");
	link_rel(sysroot, "../../devices/pci0000:00/nvme/nvme0n1", "sys/dev/block/259:0");

	assert_int_equal(device_resolve(data, sysroot, &d), 0);
	char *want = pathf("%s/cryo data", canon_tmp);
	assert_string_equal(d.mount_point, want);
	free(want);
	assert_string_equal(d.fs_type, "xfs");
	assert_string_equal(d.mount_source, "/dev/mapper/vg-data");
	/* the mount's and the superblock's options, each once */
	assert_string_equal(d.mount_options, "rw,noatime,attr2,inode64");
	assert_int_equal(d.nr_chain, 3);
	assert_string_equal(d.chain[0], "dm-7");
	assert_string_equal(d.chain[1], "nvme0n1p2");
	assert_string_equal(d.chain[2], "nvme0n1");
	device_release(&d);

	/* The parent folder is only inside the bind mount at the test folder. */
	assert_int_equal(device_resolve(f->tmp, sysroot, &d), 0);
	assert_string_equal(d.mount_point, canon_tmp);
	assert_string_equal(d.fs_type, "ext4");
	assert_string_equal(d.mount_options, "rw,relatime");
	device_release(&d);

	free(sysroot);
	free(data);
	free(canon_tmp);
}

static void test_host_info(void **state)
{
	struct host_info h;

	(void)state;
	host_info_read(&h);
	assert_true(strlen(h.kernel) > 0);
	assert_true(strlen(h.machine) > 0);
	assert_true(strlen(h.hostname) > 0);
	assert_true(h.cores >= 1);
	assert_true(h.mem_bytes > (uint64_t)16 << 20);
	assert_true(h.mem_bytes % 1024 == 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_residency_warm_then_dropped), T(test_residency_partial_page),
		T(test_residency_empty_and_missing), T(test_dataset_residency),
		T(test_dataset_residency_sample),
		T(test_make_cold_fadvise_fallback),  T(test_make_cold_other_error),
		T(test_drop_path_refused),	     T(test_wait_quiet),
		T(test_device_resolve_live),	     cmocka_unit_test(test_mountinfo_parse),
		T(test_device_resolve_fixture),	     cmocka_unit_test(test_host_info),
	};

	return cmocka_run_group_tests_name("cache", tests, group_setup, group_teardown);
}
