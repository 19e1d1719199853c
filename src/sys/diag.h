/* SPDX-License-Identifier: MIT */
/*
 * diag.h - where the bytes will travel: the mounts, block devices, NICs and route behind SRC and
 * DST, and the machine, read once; findings computed from that; printed as text or JSON.
 *
 *	struct diag d;
 *	diag_init(&d, sysroot);			sysroot prefixes /proc and /sys ("" or NULL: live)
 *	diag_add_path(&d, "source", src);	mount, NFS options, devices, route to the server
 *	diag_add_path(&d, "destination", dst);
 *	diag_add_route(&d, "10.0.0.5");		--route-to: a server that is not mounted
 *	diag_read(&d);				NICs, queues of the devices found, the machine
 *	diag_findings(&d);			pure: sentences from what was read
 *	diag_print_text(&d, stdout); j = diag_json(&d);
 *	diag_release(&d);
 *
 * Readers never fail the whole: what could not be read is listed in d.unreadable (with why, e.g.
 * "needs root") and the field stays unknown (-1 or "").
 *
 * diag.c reads, diag_findings.c judges, diag_print.c prints; diag_int.h is what they share.
 */
#ifndef CCB_DIAG_H
#define CCB_DIAG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "sys/device.h"
#include "sys/netfs.h"
#include "sys/rdma.h"
#include "sys/route.h"
#include "sys/sysinfo.h"

#define DIAG_MAX_LOCATIONS 2
#define DIAG_MAX_ROUTES 16

/* The NFS options diag reports, from the mount's options; -1 / "" when absent. */
struct diag_nfs {
	char server[256]; /* host part of "server:/export" */
	char export_path[512];
	char addr[64]; /* addr= (the server's address the client uses) */
	char vers[8];
	char proto[16];
	long nconnect; /* absent means 1 */
	long rsize, wsize;
	long timeo, retrans;
	bool soft; /* soft (or softerr) rather than hard */
};

/* One path diag was asked about. */
struct diag_location {
	char *role; /* "source", "destination" */
	char *path;
	int err; /* device_resolve's result; the rest is empty when < 0 */
	struct device_info dev;
	bool is_nfs;
	bool is_network; /* nfs, cifs, ceph, lustre, beegfs, gpfs, fuse.sshfs, ... (netfs.h) */
	struct diag_nfs nfs;
	struct netfs_mount netfs; /* its servers, from the line and the client's config */
	long bdi_read_ahead_kb; /* /sys/class/bdi/MAJ:MIN/read_ahead_kb; -1 unknown */
	bool discard;		/* online discard: removing a file waits for the device */
	int route;		/* index into routes of the route to the first server, or -1 */
};

/* What sysfs says about a block device (its queue is its disk's for a partition). */
struct diag_blockdev {
	char name[32];
	char kind[16]; /* "disk", "partition", "nvme", "loop", "dm", "md" */
	char model[128];
	char nvme_ctrl[64]; /* "nvme0" for nvme0n1; "nvme0,nvme1" for a multipath namespace */
	char scheduler[32]; /* the one in brackets */
	uint64_t size_bytes;
	long rotational, nr_requests, read_ahead_kb, max_sectors_kb, queue_depth, numa_node;
};

struct diag_nic {
	char name[16];
	char operstate[16];
	char duplex[16];
	char driver[64];
	char master[16];  /* the bond or bridge it is enslaved to */
	char slaves[256]; /* a bond's members, space-separated */
	char type[16];	  /* "ether", "infiniband", "loopback", "other" */
	long speed_mbps;  /* -1 unknown */
	long shaped_mbps; /* the rate of a tbf root qdisc on it, -1 none (live system only) */
	char rdma_port[RDMA_NAME_LEN]; /* the InfiniBand/RoCE port under it ("mlx5_0/1"), "" */
	long mtu, numa_node;
	bool up;
};

#define DIAG_MAX_IO_LIMITS 16

/* An I/O limit one of this process's cgroups puts on a block device. */
struct diag_io_limit {
	char cgroup[256];	/* the cgroup that sets it: "/slurm/uid_1000/job_42" */
	char file[40];		/* "io.max" (v2), "blkio.throttle.read_bps_device" (v1), ... */
	char key[8];		/* what it limits: "rbps", "wbps", "riops", "wiops" */
	unsigned major, minor;
	char dev[32];		/* the device's name when it is one behind SRC or DST, else "" */
	unsigned long long value; /* bytes, or I/Os, a second */
};

struct diag_machine {
	struct host_info host;
	long numa_nodes;
	char governor[32];
	long dirty_ratio, dirty_background_ratio, dirty_expire_centisecs;
	long dirty_writeback_centisecs;
	long long dirty_bytes, dirty_background_bytes;
	long io_uring_disabled; /* kernel.io_uring_disabled: 0 on, 1 root only, 2 off; -1 unknown */
	bool can_drop_caches;
	/*
	 * A virtio balloon with free page reporting: freed memory goes back to the host and
	 * faults in there again when reused. 1, 0, -1 unknown (no /sys/bus to look in).
	 */
	int free_page_reporting;
	char cgroup[256]; /* this process's cgroup v2 path, "" without v2 */
	char cgroup_blkio[256]; /* its cgroup v1 blkio path, "" without v1's blkio */
	char io_max[512]; /* the nearest io.max with lines, joined with "; ", "" for none */
	/*
	 * The limits of io.max (v2) and blkio.throttle.* (v1) of its cgroup and every ancestor, on
	 * the devices behind SRC and DST (on any device when diag was given no path).
	 */
	struct diag_io_limit io_limits[DIAG_MAX_IO_LIMITS];
	size_t nr_io_limits;
};

/* A process that moved bytes to or from storage while diag looked (/proc/PID/io). */
struct diag_proc {
	int pid;
	char comm[32];
	double read_bytes_s, write_bytes_s;
};

#define DIAG_MAX_PROCS 16
/* How long diag watches /proc/PID/io for other processes doing I/O. */
#define DIAG_PROC_WINDOW_S 0.1

struct diag_route {
	char target[256];   /* what was asked: a mount's server, or --route-to */
	char why[32];	    /* "source", "destination", "route-to" */
	char fs[16];	    /* the filesystem naming the server ("Lustre"), "" for --route-to */
	char transport[16]; /* the server's transport ("tcp", "o2ib", "rdma"), "" unknown */
	bool rdma;	    /* the bytes go by RDMA: the port under the interface carries them */
	int err;	    /* 0, or -errno of the lookup */
	struct route_info r;
};

struct diag {
	char *sysroot;
	uint64_t dataset_bytes; /* 0 unknown: no free space finding */
	struct diag_location loc[DIAG_MAX_LOCATIONS];
	size_t nr_loc;
	struct diag_route routes[DIAG_MAX_ROUTES];
	size_t nr_routes;
	struct diag_blockdev *devs;
	size_t nr_devs;
	struct diag_nic *nics;
	size_t nr_nics;
	struct rdma_port *rdma; /* InfiniBand and RoCE ports, by name */
	size_t nr_rdma;
	struct diag_machine machine;
	struct diag_proc procs[DIAG_MAX_PROCS]; /* the busiest, most bytes first */
	size_t nr_procs;
	unsigned procs_unreadable; /* processes whose counters need root to read */
	json_t *unreadable;	   /* strings: what could not be read and why */
	json_t *findings;	   /* strings */
	double t0;		   /* now_mono() at diag_init */
	double seconds;		   /* how long reading took, diag_init to the end of diag_read */
};

void diag_init(struct diag *d, const char *sysroot);
/* Resolve path; a network filesystem's server gets a route. 0, or -errno (recorded in loc). */
int diag_add_path(struct diag *d, const char *role, const char *path);
/* The route to host (a name or address). 0 or -errno (recorded). */
int diag_add_route(struct diag *d, const char *host, const char *why);
/* NICs, the block devices of the locations, the machine. */
void diag_read(struct diag *d);
/* Pure: replace d->findings with the sentences what was read calls for. */
void diag_findings(struct diag *d);
json_t *diag_json(const struct diag *d);
void diag_print_text(const struct diag *d, FILE *f);
void diag_release(struct diag *d);

/*
 * All of the above for SRC and DST on this machine, as results.json's "diag" (bench_begin).
 * dataset_bytes 0: unknown.
 */
json_t *diag_paths_json(const char *src, const char *dst, uint64_t dataset_bytes);

/* Pure parsers, for tests. */
/* NFS options of a mount ("server:/export" and its comma-separated options). */
void diag_parse_nfs(const char *source, const char *options, struct diag_nfs *n);
/* Read sysfs entries of one NIC / one block device under sysroot. 0 or -ENOENT. */
int diag_read_nic(const char *sysroot, const char *name, struct diag_nic *n);
int diag_read_blockdev(const char *sysroot, const char *name, struct diag_blockdev *b);
/*
 * Whether a mount's options (mount and superblock joined) make removing a file wait for the
 * device to discard its blocks: "discard" (ext4, xfs, ...), btrfs's "discard" or "discard=sync";
 * not btrfs's "discard=async", nor f2fs's (a thread of its own issues them).
 */
bool diag_online_discard(const char *fs_type, const char *options);
/*
 * Whether a virtio balloon under sysroot/sys/bus/virtio/devices has VIRTIO_BALLOON_F_REPORTING
 * (bit 5 of its features): 1, 0 (none, or no virtio at all), -1 unknown.
 */
int diag_read_free_page_reporting(const char *sysroot);

/*
 * After a run: which link carried the bytes (the run's "sampler" summary), at what share of its
 * speed, whether it is the one the routes predicted, and whether a faster link was up
 * (analysis/links.h says how). Appends sentences to findings (an array). diag_json is
 * results.json's "diag".
 */
void diag_run_findings(const json_t *diag_json, const json_t *run, json_t *findings);

#endif
