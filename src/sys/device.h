/* SPDX-License-Identifier: MIT */
/* device.h - from a path to its mount, filesystem and block device chain (shared by run, diag). */
#ifndef CCB_DEVICE_H
#define CCB_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#define DEVICE_MAX_CHAIN 16

struct device_info {
	char *mount_point;	/* e.g. "/" */
	char *fs_type;		/* e.g. "ext4", "xfs", "nfs4", "tmpfs" */
	char *mount_source;	/* e.g. "/dev/vda", "server:/export" */
	char *mount_options;	/* per-mount and superblock options joined, each once */
	unsigned dev_major, dev_minor;	/* st_dev of the path */
	/*
	 * Block devices from the one holding the filesystem down to the disks: a partition
	 * resolves to its disk, dm/md to their slaves, a loop device to the device of its
	 * backing file. Kernel names ("vda", "dm-0", "loop3"). Empty for tmpfs, NFS, ...
	 * Order: the device itself first, then depth first what each is built on, so
	 * ext4 on LVM on nvme0n1p2 is dm-0, nvme0n1p2, nvme0n1. Best effort: missing sysfs
	 * entries (containers) end it early instead of failing the resolution.
	 */
	char *chain[DEVICE_MAX_CHAIN];
	size_t nr_chain;
	uint64_t fs_size;	/* statvfs: total bytes */
	uint64_t fs_free;	/* statvfs: bytes available to this user */
};

/*
 * Resolve path. sysroot prefixes /proc and /sys (NULL or "" for the live system; tests point it
 * at a fixture tree). Returns 0 or -errno.
 */
int device_resolve(const char *path, const char *sysroot, struct device_info *out);
void device_release(struct device_info *d);

/* One line of /proc/self/mountinfo, octal escapes (\040 for a space, ...) decoded. */
struct device_mount {
	unsigned major, minor;
	char *root;		/* the mount's root within its filesystem */
	char *mount_point;
	char *mount_options;	/* per-mount options */
	char *fs_type;
	char *mount_source;
	char *super_options;	/* per-superblock options */
};

/*
 * Parse one mountinfo line (without or with its trailing newline) into m, which the caller
 * releases. Pure text work, for tests on fixture lines. Returns 0 or -EINVAL (m is then empty).
 */
int device_parse_mountinfo_line(const char *line, struct device_mount *m);
void device_mount_release(struct device_mount *m);

/*
 * The per-mount and per-superblock options as one list, the mount's first, each option once
 * ("rw,relatime" and "rw,discard" give "rw,relatime,discard"). A new string.
 */
char *device_join_options(const char *mount_options, const char *super_options);

#endif
