/* SPDX-License-Identifier: MIT */
/* device.c - from a path to its mount, filesystem type and the block devices beneath it. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

#include "lib/util.h"
#include "sys/device.h"

/* dm on md on partitions on loop on ...: real stacks are a handful of levels deep. */
#define CHAIN_MAX_DEPTH 8

void device_mount_release(struct device_mount *m)
{
	free(m->root);
	free(m->mount_point);
	free(m->mount_options);
	free(m->fs_type);
	free(m->mount_source);
	free(m->super_options);
	memset(m, 0, sizeof(*m));
}

/*
 * "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
 * ID, parent ID, major:minor, root, mount point, mount options, optional fields ended by "-",
 * then filesystem type, mount source, superblock options (proc(5)). Fields are separated by
 * single spaces; an empty field (a mount source of "") shows as two spaces and is kept.
 */
int device_parse_mountinfo_line(const char *line, struct device_mount *m)
{
	char *fields[64];
	size_t nr = 0;
	size_t sep;
	char *end;
	int ret = -EINVAL;

	memset(m, 0, sizeof(*m));
	char *copy = xstrdup(line);
	copy[strcspn(copy, "\n")] = '\0';
	for (char *p = copy; p && nr < sizeof(fields) / sizeof(fields[0]);) {
		fields[nr++] = p;
		p = strchr(p, ' ');
		if (p)
			*p++ = '\0';
	}
	/* Six fixed fields, then the separator and at least type and source. */
	for (sep = 6; sep < nr && strcmp(fields[sep], "-"); sep++)
		;
	if (nr < 6 || sep + 2 >= nr)
		goto out;

	errno = 0;
	const unsigned long major = strtoul(fields[2], &end, 10);
	if (errno || end == fields[2] || *end != ':' || major > UINT_MAX)
		goto out;
	const char *minor_text = end + 1;
	const unsigned long minor = strtoul(minor_text, &end, 10);
	if (errno || end == minor_text || *end || minor > UINT_MAX)
		goto out;
	m->major = (unsigned)major;
	m->minor = (unsigned)minor;

	m->root = xstrdup(fields[3]);
	m->mount_point = xstrdup(fields[4]);
	m->mount_options = xstrdup(fields[5]);
	m->fs_type = xstrdup(fields[sep + 1]);
	m->mount_source = xstrdup(fields[sep + 2]);
	m->super_options = xstrdup(sep + 3 < nr ? fields[sep + 3] : "");
	unescape_octal(m->root);
	unescape_octal(m->mount_point);
	unescape_octal(m->fs_type);
	unescape_octal(m->mount_source);
	unescape_octal(m->mount_options);
	unescape_octal(m->super_options);
	ret = 0;
out:
	if (ret < 0)
		device_mount_release(m);
	free(copy);
	return ret;
}

/*
 * The mount holding canon: among the entries whose mount point contains canon, one with the
 * path's own device number wins (bind mounts and several mounts of one device share it; the
 * longest mount point is the nearest). Without a device match (btrfs subvolumes have device
 * numbers of their own that mountinfo does not list), the longest containing mount point is
 * taken. A later line with the same mount point is mounted over an earlier one and wins.
 */
static int find_mount(const char *sysroot, const char *canon, unsigned major, unsigned minor,
		      struct device_mount *found)
{
	struct device_mount best = {0};
	bool best_dev = false;
	size_t best_len = 0;
	bool have = false;
	char *text = NULL;
	size_t len;
	char *save = NULL;
	int ret;

	char *path = xasprintf("%s/proc/self/mountinfo", sysroot);
	ret = read_text_file(path, &text, &len);
	free(path);
	if (ret < 0)
		return ret;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct device_mount m;

		if (device_parse_mountinfo_line(line, &m) < 0)
			continue;
		const bool dev = m.major == major && m.minor == minor;
		const size_t mlen = strlen(m.mount_point);
		const bool better =
			path_is_within(canon, m.mount_point) &&
			(!have || (dev && !best_dev) || (dev == best_dev && mlen >= best_len));
		if (!better) {
			device_mount_release(&m);
			continue;
		}
		device_mount_release(&best);
		best = m;
		best_dev = dev;
		best_len = mlen;
		have = true;
	}
	free(text);
	if (!have)
		return -ENOENT;
	*found = best;
	return 0;
}

static int read_dev_file(const char *path, unsigned *major, unsigned *minor)
{
	char *text = NULL;
	size_t len;
	int ret;

	ret = read_text_file(path, &text, &len);
	if (ret < 0)
		return ret;
	ret = sscanf(text, "%u:%u", major, minor) == 2 ? 0 : -EINVAL;
	free(text);
	return ret;
}

static bool chain_has(const struct device_info *d, const char *name)
{
	for (size_t i = 0; i < d->nr_chain; i++)
		if (!strcmp(d->chain[i], name))
			return true;
	return false;
}

static void chain_add_path(const char *sysroot, const char *path, struct device_info *d,
			   unsigned depth);

/*
 * Add the block device major:minor to the chain, then what lies beneath it. The chain is
 * information, not a precondition: sysfs entries that are missing (containers, old kernels)
 * end it early rather than failing the resolution.
 */
static void chain_add_dev(const char *sysroot, unsigned major, unsigned minor,
			  struct device_info *d, unsigned depth)
{
	char target[PATH_MAX];
	unsigned pmaj;
	unsigned pmin;
	DIR *dir = NULL;
	struct dirent *de;
	char *path = NULL;

	if (depth > CHAIN_MAX_DEPTH || d->nr_chain >= DEVICE_MAX_CHAIN)
		return;
	char *sysdir = xasprintf("%s/sys/dev/block/%u:%u", sysroot, major, minor);
	/* The link names the device's kernel name: ../../devices/.../block/vda/vda1 -> "vda1". */
	const ssize_t n = readlink(sysdir, target, sizeof(target) - 1);
	if (n <= 0)
		goto out;
	target[n] = '\0';
	const char *slash = strrchr(target, '/');
	const char *name = slash ? slash + 1 : target;
	if (!*name || chain_has(d, name))
		goto out;
	d->chain[d->nr_chain++] = xstrdup(name);

	/* A partition's parent folder in sysfs is its disk. */
	path = xasprintf("%s/partition", sysdir);
	if (access(path, F_OK) == 0) {
		free(path);
		path = xasprintf("%s/../dev", sysdir);
		if (read_dev_file(path, &pmaj, &pmin) == 0)
			chain_add_dev(sysroot, pmaj, pmin, d, depth + 1);
		goto out;
	}

	if (!strncmp(name, "loop", 4)) {
		char *backing = NULL;
		size_t len;

		free(path);
		path = xasprintf("%s/loop/backing_file", sysdir);
		if (read_text_file(path, &backing, &len) == 0) {
			backing[strcspn(backing, "\n")] = '\0';
			if (backing[0] == '/')
				chain_add_path(sysroot, backing, d, depth + 1);
			free(backing);
		}
		goto out;
	}

	/* dm, md, bcache, ...: the devices they are built on are listed in slaves/. */
	free(path);
	path = xasprintf("%s/slaves", sysdir);
	dir = opendir(path);
	if (!dir)
		goto out;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *dev = xasprintf("%s/%s/dev", path, de->d_name);
		if (read_dev_file(dev, &pmaj, &pmin) == 0)
			chain_add_dev(sysroot, pmaj, pmin, d, depth + 1);
		free(dev);
	}
out:
	if (dir)
		closedir(dir);
	free(path);
	free(sysdir);
}

/*
 * The block device behind a mount source such as "/dev/sda1" or "/dev/mapper/vg-home": the
 * device node's st_rdev, or, where /dev is not there to look at (fixtures, some containers),
 * the sysfs entry of the same kernel name.
 */
static int source_dev(const char *sysroot, const char *source, unsigned *major, unsigned *minor)
{
	struct stat st;

	if (strncmp(source, "/dev/", 5))
		return -ENODEV;
	if (stat(source, &st) == 0 && S_ISBLK(st.st_mode)) {
		*major = major(st.st_rdev);
		*minor = minor(st.st_rdev);
		return 0;
	}
	const char *base = strrchr(source, '/') + 1;
	char *path = xasprintf("%s/sys/class/block/%s/dev", sysroot, base);
	const int ret = read_dev_file(path, major, minor);
	free(path);
	return ret;
}

/*
 * The device of the filesystem holding a path (a loop device's backing file). Filesystems with
 * anonymous device numbers (major 0: btrfs, overlayfs, ...) are followed through the source of
 * their mount when that is a device.
 */
static void chain_add_path(const char *sysroot, const char *path, struct device_info *d,
			   unsigned depth)
{
	struct device_mount m;
	struct stat st;
	unsigned major;
	unsigned minor;

	if (stat(path, &st) < 0)
		return;
	major = major(st.st_dev);
	minor = minor(st.st_dev);
	if (major) {
		chain_add_dev(sysroot, major, minor, d, depth);
		return;
	}
	char *canon = realpath(path, NULL);
	if (!canon)
		return;
	if (find_mount(sysroot, canon, major, minor, &m) == 0) {
		if (source_dev(sysroot, m.mount_source, &major, &minor) == 0)
			chain_add_dev(sysroot, major, minor, d, depth);
		device_mount_release(&m);
	}
	free(canon);
}

void device_release(struct device_info *d)
{
	free(d->mount_point);
	free(d->fs_type);
	free(d->mount_source);
	free(d->mount_options);
	for (size_t i = 0; i < d->nr_chain; i++)
		free(d->chain[i]);
	memset(d, 0, sizeof(*d));
}

/* Whether the comma-separated list holds the option opt of length len. */
static bool has_option(const char *list, const char *opt, size_t len)
{
	for (const char *p = list; *p;) {
		const size_t n = strcspn(p, ",");

		if (n == len && !strncmp(p, opt, len))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

char *device_join_options(const char *mount_options, const char *super_options)
{
	char *out = xstrdup(mount_options);

	for (const char *p = super_options; *p;) {
		const size_t n = strcspn(p, ",");

		if (n && !has_option(out, p, n)) {
			char *joined = xasprintf("%s%s%.*s", out, *out ? "," : "", (int)n, p);

			free(out);
			out = joined;
		}
		p += n + (p[n] == ',');
	}
	return out;
}

int device_resolve(const char *path, const char *sysroot, struct device_info *out)
{
	struct device_mount m = {0};
	struct statvfs vfs;
	struct stat st;
	unsigned major;
	unsigned minor;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!sysroot)
		sysroot = "";
	char *canon = realpath(path, NULL);
	if (!canon)
		return -errno;
	if (stat(canon, &st) < 0) {
		ret = -errno;
		goto out;
	}
	out->dev_major = major(st.st_dev);
	out->dev_minor = minor(st.st_dev);

	ret = find_mount(sysroot, canon, out->dev_major, out->dev_minor, &m);
	if (ret < 0)
		goto out;
	out->mount_point = m.mount_point;
	out->fs_type = m.fs_type;
	out->mount_source = m.mount_source;
	m.mount_point = NULL;
	m.fs_type = NULL;
	m.mount_source = NULL;
	out->mount_options = device_join_options(m.mount_options, m.super_options);

	if (out->dev_major)
		chain_add_dev(sysroot, out->dev_major, out->dev_minor, out, 0);
	else if (source_dev(sysroot, out->mount_source, &major, &minor) == 0)
		chain_add_dev(sysroot, major, minor, out, 0);

	if (statvfs(canon, &vfs) < 0) {
		ret = -errno;
		goto out;
	}
	out->fs_size = (uint64_t)vfs.f_blocks * vfs.f_frsize;
	out->fs_free = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	ret = 0;
out:
	device_mount_release(&m);
	free(canon);
	if (ret < 0)
		device_release(out);
	return ret;
}
