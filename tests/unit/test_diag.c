/* SPDX-License-Identifier: MIT */
/*
 * test_diag.c - diag on a fixture /proc and /sys: an NFS mount from a real mountinfo line
 * (rsize=32768 over UDP), its readahead, a 10 Gb/s port and a 400 Gb/s InfiniBand port with the
 * route on the slower, a bond, an NVMe namespace on a partition, a destination too small for the
 * dataset, the machine's settings and cgroup limits; then the findings after a run, from a
 * sampler summary.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/util.h"
#include "sys/diag.h"
#include "testutil.h"

static char *fixture(const char *sub, const char *name)
{
	char *rel = xasprintf("data/%s/%s", sub, name);
	char *path = test_source_path(rel);
	char *text = NULL;

	if (read_text_file(path, &text, NULL))
		fail_msg("cannot read fixture '%s'", path);
	free(path);
	free(rel);
	return text;
}

#define put test_put_file

static void link_to(const char *root, const char *rel, const char *target)
{
	char *path = path_join(root, rel);
	char *slash = strrchr(path, '/');

	*slash = '\0';
	assert_int_equal(mkdir_p(path), 0);
	*slash = '/';
	assert_int_equal(symlink(target, path), 0);
	free(path);
}

static void nic(const char *root, const char *name, long speed, long type, const char *state)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "sys/class/net/%s/speed", name);
	put(root, rel, "%ld\n", speed);
	snprintf(rel, sizeof(rel), "sys/class/net/%s/mtu", name);
	put(root, rel, "%d\n", type == 32 ? 4092 : 1500);
	snprintf(rel, sizeof(rel), "sys/class/net/%s/operstate", name);
	put(root, rel, "%s\n", state);
	snprintf(rel, sizeof(rel), "sys/class/net/%s/type", name);
	put(root, rel, "%ld\n", type);
	snprintf(rel, sizeof(rel), "sys/class/net/%s/duplex", name);
	put(root, rel, "full\n");
}

#define NVME "sys/devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1"

/* The sysroot: the fixture's NFS line mounted on "/", so every path here resolves to it. */
static int setup(void **state)
{
	char *root = test_tmpdir("diag");
	struct stat st;

	assert_non_null(root);
	char *line = fixture("diag", "mountinfo-nfs3-udp.txt");
	char *mp = strstr(line, " /home/zyga/nfs ");
	assert_non_null(mp);
	const char *rest = mp + strlen(" /home/zyga/nfs ");
	memmove(mp + 3, rest, strlen(rest) + 1);
	memcpy(mp, " / ", 3);
	put(root, "proc/self/mountinfo", "%s", line);
	free(line);
	/* NFS has no block device: its readahead is its bdi's, named by the mount's st_dev. */
	assert_int_equal(stat(root, &st), 0);
	char *bdi =
		xasprintf("sys/class/bdi/%u:%u/read_ahead_kb", major(st.st_dev), minor(st.st_dev));
	put(root, bdi, "128\n");
	free(bdi);
	nic(root, "eth0", 10000, 1, "up");
	link_to(root, "sys/class/net/eth0/device/driver", "../../../bus/pci/drivers/ixgbe");
	put(root, "sys/class/net/eth0/device/numa_node", "0\n");
	nic(root, "ib0", 400000, 32, "up");
	link_to(root, "sys/class/net/ib0/device/driver", "../../../bus/pci/drivers/mlx5_core");
	put(root, "sys/class/net/ib0/device/numa_node", "1\n");
	nic(root, "eth1", 25000, 1, "down");
	nic(root, "bond0", 20000, 1, "up");
	put(root, "sys/class/net/bond0/bonding/slaves", "eth2 eth3\n");
	nic(root, "eth2", 10000, 1, "up");
	link_to(root, "sys/class/net/eth2/master", "../bond0");

	put(root, NVME "/size", "3750748848\n");
	put(root, NVME "/queue/rotational", "0\n");
	put(root, NVME "/queue/scheduler", "[none] mq-deadline\n");
	put(root, NVME "/queue/nr_requests", "1023\n");
	put(root, NVME "/queue/read_ahead_kb", "128\n");
	put(root, NVME "/queue/max_sectors_kb", "512\n");
	link_to(root, NVME "/device", "../../nvme0");
	put(root, "sys/devices/pci0000:00/0000:00:04.0/nvme/nvme0/device/numa_node", "1\n");
	put(root, "sys/devices/pci0000:00/0000:00:04.0/nvme/nvme0/model",
	    "SAMSUNG MZQL23T8HCLS-00A07               \n");
	put(root, NVME "/nvme0n1p2/size", "3750000000\n");
	put(root, NVME "/nvme0n1p2/partition", "2\n");
	link_to(root, "sys/class/block/nvme0n1",
		"../../devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1");
	link_to(root, "sys/class/block/nvme0n1p2",
		"../../devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1/nvme0n1p2");
	*state = root;
	return 0;
}

static int teardown(void **state)
{
	char *root = *state;

	assert_int_equal(test_rmtree(root), 0);
	free(root);
	return 0;
}

static bool has_finding(const struct diag *d, const char *text)
{
	const json_t *s;
	size_t i;

	json_array_foreach(d->findings, i, s) if (strstr(json_string_value(s), text)) return true;
	return false;
}

static void print_findings(const struct diag *d)
{
	const json_t *s;
	size_t i;

	json_array_foreach(d->findings, i, s) print_message("finding: %s\n", json_string_value(s));
}

static void test_parse_nfs(void **state)
{
	struct diag_nfs n;
	(void)state;

	char *text = fixture("procstat", "mountstats-nfs4-procfs.txt");
	char *opts = strstr(text, "opts:\t");
	assert_non_null(opts);
	opts += strlen("opts:\t");
	opts[strcspn(opts, "\n")] = '\0';
	diag_parse_nfs("192.168.1.1:/srv/test", opts, &n);
	assert_string_equal(n.server, "192.168.1.1");
	assert_string_equal(n.export_path, "/srv/test");
	assert_string_equal(n.vers, "4.0");
	assert_string_equal(n.proto, "tcp");
	assert_int_equal(n.rsize, 1048576);
	assert_int_equal(n.wsize, 1048576);
	assert_int_equal(n.timeo, 600);
	assert_int_equal(n.retrans, 2);
	assert_int_equal(n.nconnect, -1);
	assert_false(n.soft);
	assert_string_equal(n.addr, "");
	free(text);

	diag_parse_nfs("[fd00::5]:/export/em", "rw,vers=4.2,nconnect=16,soft,addr=fd00::5", &n);
	assert_string_equal(n.server, "fd00::5");
	assert_string_equal(n.export_path, "/export/em");
	assert_string_equal(n.addr, "fd00::5");
	assert_int_equal(n.nconnect, 16);
	assert_true(n.soft);
	assert_int_equal(n.rsize, -1);
}

/* SRC and DST on the fixture's NFS mount, rsize 32768 over UDP, readahead 128 kB, DST too small. */
static void test_nfs_findings(void **state)
{
	const char *root = *state;
	struct diag d;

	diag_init(&d, root);
	d.dataset_bytes = UINT64_C(1) << 62;
	assert_int_equal(diag_add_path(&d, "source", root), 0);
	assert_int_equal(diag_add_path(&d, "destination", root), 0);
	diag_read(&d);
	diag_findings(&d);
	print_findings(&d);

	const struct diag_location *l = &d.loc[0];
	assert_true(l->is_nfs);
	assert_true(l->is_network);
	assert_string_equal(l->dev.fs_type, "nfs");
	assert_string_equal(l->nfs.server, "localhost");
	assert_string_equal(l->nfs.export_path, "/srv/nfs");
	assert_string_equal(l->nfs.addr, "127.0.0.1");
	assert_int_equal(l->nfs.rsize, 32768);
	assert_int_equal(l->bdi_read_ahead_kb, 128);
	/* The server's route is the kernel's: 127.0.0.1 leaves over loopback on any machine. */
	assert_int_equal(l->route, 0);
	assert_int_equal(d.routes[0].err, 0);
	assert_string_equal(d.routes[0].r.ifname, "lo");

	assert_true(has_finding(&d, "NFS mounted with rsize=32768 (source, /)"));
	assert_true(has_finding(&d, "NFS mounted with wsize=32768 (destination, /)"));
	assert_true(has_finding(&d, "NFS mounted over UDP (source, /)"));
	assert_true(has_finding(&d, "read_ahead_kb is 128 on a network filesystem (source, /)"));
	assert_true(has_finding(&d, "DST has less free space ("));
	assert_true(has_finding(&d, "DST is on a network filesystem (nfs)"));
	/* lo is not in the fixture's /sys: no speed finding about it. */
	assert_false(has_finding(&d, "goes over lo"));

	json_t *j = diag_json(&d);
	const json_t *nfs =
		json_object_get(json_array_get(json_object_get(j, "locations"), 0), "nfs");
	assert_int_equal(json_integer_value(json_object_get(nfs, "rsize")), 32768);
	assert_string_equal(json_string_value(json_object_get(nfs, "proto")), "udp");
	assert_string_equal(json_string_value(json_object_get(nfs, "mode")), "hard");
	assert_int_equal(json_integer_value(json_object_get(nfs, "nconnect")), 1);
	json_decref(j);
	diag_release(&d);

	/* A dataset that fits gives no space finding. */
	diag_init(&d, root);
	d.dataset_bytes = 1;
	assert_int_equal(diag_add_path(&d, "destination", root), 0);
	diag_read(&d);
	diag_findings(&d);
	assert_false(has_finding(&d, "DST has less free space"));
	diag_release(&d);
}

/* The route picks eth0 at 10 Gb/s while ib0 at 400 Gb/s is up. */
static void test_route_on_slower_link(void **state)
{
	const char *root = *state;
	struct diag d;

	diag_init(&d, root);
	d.nr_routes = 1;
	snprintf(d.routes[0].target, sizeof(d.routes[0].target), "10.0.0.5");
	snprintf(d.routes[0].why, sizeof(d.routes[0].why), "route-to");
	snprintf(d.routes[0].r.dst, sizeof(d.routes[0].r.dst), "10.0.0.5");
	snprintf(d.routes[0].r.ifname, sizeof(d.routes[0].r.ifname), "eth0");
	diag_read(&d);
	diag_findings(&d);
	print_findings(&d);
	assert_true(has_finding(
		&d, "route to the storage server 10.0.0.5 goes over eth0 (10 Gb/s) while ib0 "
		    "(400 Gb/s) is up"));

	/* ib0 first by name order would not matter: eth1 is faster than eth0 but down. */
	assert_false(has_finding(&d, "eth1"));
	diag_release(&d);

	/* The route on ib0: nothing to say. */
	diag_init(&d, root);
	d.nr_routes = 1;
	snprintf(d.routes[0].target, sizeof(d.routes[0].target), "10.0.0.5");
	snprintf(d.routes[0].r.ifname, sizeof(d.routes[0].r.ifname), "ib0");
	diag_read(&d);
	diag_findings(&d);
	assert_false(has_finding(&d, "route to the storage server"));
	diag_release(&d);
}

/* A route over a link that is down, and the text a person reads. */
static void test_down_link_and_text(void **state)
{
	const char *root = *state;
	struct diag d;
	char *text = NULL;
	size_t len = 0;

	diag_init(&d, root);
	d.nr_routes = 1;
	snprintf(d.routes[0].target, sizeof(d.routes[0].target), "10.0.0.6");
	snprintf(d.routes[0].why, sizeof(d.routes[0].why), "route-to");
	snprintf(d.routes[0].r.dst, sizeof(d.routes[0].r.dst), "10.0.0.6");
	snprintf(d.routes[0].r.ifname, sizeof(d.routes[0].r.ifname), "eth1");
	snprintf(d.routes[0].r.gateway, sizeof(d.routes[0].r.gateway), "10.0.0.1");
	assert_int_equal(diag_add_path(&d, "source", root), 0);
	diag_read(&d);
	diag_findings(&d);
	assert_true(has_finding(&d, "route to the storage server 10.0.0.6 goes over eth1, which is "
				    "down"));
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	diag_print_text(&d, f);
	assert_int_equal(fclose(f), 0);
	print_message("%s", text);
	assert_non_null(strstr(text, "  mount     / (nfs) from localhost:/srv/nfs\n"));
	assert_non_null(strstr(text,
			       "  nfs       server 127.0.0.1 export /srv/nfs vers=3 proto=udp "
			       "nconnect=1 rsize=32768 wsize=32768 hard timeo=11\n"));
	/* The route names its interface's speed. */
	assert_non_null(strstr(text, "route to 10.0.0.6 (route-to, 10.0.0.6): dev eth1 (25 Gb/s) "
				     "via 10.0.0.1\n"));
	assert_non_null(strstr(text, "  ib0              up    infiniband 400 Gb/s full mtu=4092 "
				     "driver=mlx5_core numa=1\n"));
	assert_non_null(strstr(text, "members=eth2 eth3"));
	assert_non_null(strstr(text, "  - NFS mounted with rsize=32768 (source, /): 1048576 is "
				     "usual\n"));
	free(text);
	diag_release(&d);
}

/* The machine: NUMA nodes, governor, vm.dirty_*, io_uring, cgroup io.max of an ancestor. */
static void test_machine(void **state)
{
	const char *root = *state;
	struct diag d;

	put(root, "sys/devices/system/node/node0/cpulist", "0-31\n");
	put(root, "sys/devices/system/node/node1/cpulist", "32-63\n");
	put(root, "sys/devices/system/node/possible", "0-1\n");
	put(root, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "powersave\n");
	put(root, "proc/sys/vm/dirty_ratio", "40\n");
	put(root, "proc/sys/vm/dirty_background_ratio", "10\n");
	put(root, "proc/sys/vm/dirty_bytes", "0\n");
	put(root, "proc/sys/kernel/io_uring_disabled", "2\n");
	put(root, "proc/self/cgroup", "0::/slurm/uid_1000/job_42/step_0\n");
	put(root, "sys/fs/cgroup/slurm/uid_1000/job_42/io.max",
	    "259:0 rbps=524288000 wbps=max riops=max wiops=max\n");
	diag_init(&d, root);
	diag_read(&d);
	diag_findings(&d);
	print_findings(&d);
	assert_int_equal(d.machine.numa_nodes, 2);
	assert_string_equal(d.machine.governor, "powersave");
	assert_int_equal(d.machine.dirty_ratio, 40);
	assert_int_equal(d.machine.dirty_background_ratio, 10);
	assert_int_equal(d.machine.dirty_bytes, 0);
	assert_int_equal(d.machine.dirty_expire_centisecs, -1);
	assert_int_equal(d.machine.io_uring_disabled, 2);
	assert_string_equal(d.machine.cgroup, "/slurm/uid_1000/job_42/step_0");
	assert_string_equal(
		d.machine.io_max,
		"/slurm/uid_1000/job_42: 259:0 rbps=524288000 wbps=max riops=max wiops=max");
	assert_true(has_finding(&d, "CPU frequency governor is powersave"));
	assert_true(has_finding(&d, "io_uring is disabled (kernel.io_uring_disabled=2)"));
	/* diag was given no path: every device's limit counts */
	assert_int_equal(d.machine.nr_io_limits, 1);
	assert_true(has_finding(&d, "cgroup /slurm/uid_1000/job_42 limits reading device 259:0 to "
				    "524.3 MB/s (io.max rbps=524288000): copies through it cannot "
				    "go faster"));
	assert_true(has_finding(&d, "this user cannot drop caches"));
	json_t *j = diag_json(&d);
	const json_t *m = json_object_get(j, "machine");
	assert_int_equal(json_integer_value(json_object_get(m, "numa_nodes")), 2);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(m, "vm"), "dirty_ratio")), 40);
	assert_true(
		json_is_null(json_object_get(json_object_get(m, "vm"), "dirty_expire_centisecs")));
	json_decref(j);
	diag_release(&d);
}

/*
 * A hybrid cgroup layout (v1 blkio beside v2, as systemd's), limits in the cgroup and in an
 * ancestor, one on a device that is neither SRC's nor DST's; SRC and DST on one device; the
 * mount's options each once.
 */
static void test_cgroup_limits_and_same_device(void **state)
{
	const char *root = *state;
	char *mountinfo = NULL;
	char *rel;
	struct diag d;
	struct stat st;
	unsigned ma, mi;
	json_t *j;

	assert_int_equal(stat(root, &st), 0);
	ma = major(st.st_dev);
	mi = minor(st.st_dev);
	if (!ma)
		skip();	/* an anonymous device (overlayfs, btrfs): no chain to find */
	/* the block device of the test folder, as sysfs names it */
	rel = xasprintf("sys/dev/block/%u:%u", ma, mi);
	link_to(root, rel, "../../devices/virtual/block/vdz");
	free(rel);
	put(root, "sys/class/block/vdz/dev", "%u:%u\n", ma, mi);
	rel = path_join(root, "proc/self/mountinfo");
	assert_int_equal(read_text_file(rel, &mountinfo, NULL), 0);
	free(rel);
	put(root, "proc/self/mountinfo",
	    "%s30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid,nodev - cgroup2 cgroup2 rw\n"
	    "31 25 0:27 /docker /sys/fs/cgroup/blkio rw,nosuid - cgroup cgroup rw,blkio\n",
	    mountinfo);
	free(mountinfo);
	put(root, "proc/self/cgroup", "12:cpu,cpuacct:/docker/abc\n7:blkio:/docker/abc\n"
				      "0::/docker/abc\n");
	/* v1: blkio's mount root is /docker, so /docker/abc is its /abc, /docker its / */
	put(root, "sys/fs/cgroup/blkio/abc/blkio.throttle.read_bps_device", "%u:%u 10485760\n"
									    "8:0 1000\n", ma, mi);
	put(root, "sys/fs/cgroup/blkio/blkio.throttle.write_iops_device", "%u:%u 200\n", ma, mi);
	put(root, "sys/fs/cgroup/blkio/blkio.throttle.write_bps_device", "%u:%u 0\n", ma, mi);
	put(root, "sys/fs/cgroup/unified/docker/abc/io.max",
	    "%u:%u rbps=max wbps=52428800 riops=max wiops=max\n8:0 rbps=1 wbps=max\n", ma, mi);
	diag_init(&d, root);
	assert_int_equal(diag_add_path(&d, "source", root), 0);
	assert_int_equal(diag_add_path(&d, "destination", root), 0);
	diag_read(&d);
	diag_findings(&d);
	print_findings(&d);
	assert_string_equal(d.machine.cgroup, "/docker/abc");
	assert_string_equal(d.machine.cgroup_blkio, "/docker/abc");
	/* only the limits on vdz; 8:0's and the 0 (no limit) are left out */
	assert_int_equal(d.machine.nr_io_limits, 3);
	rel = xasprintf("cgroup /docker/abc limits writing vdz (%u:%u) to 52.4 MB/s (io.max "
			"wbps=52428800)", ma, mi);
	assert_true(has_finding(&d, rel));
	free(rel);
	rel = xasprintf("cgroup /docker/abc limits reading vdz (%u:%u) to 10.5 MB/s "
			"(blkio.throttle.read_bps_device): copies through it cannot go faster", ma,
			mi);
	assert_true(has_finding(&d, rel));
	free(rel);
	rel = xasprintf("cgroup /docker limits writing vdz (%u:%u) to 200 I/O a second "
			"(blkio.throttle.write_iops_device)", ma, mi);
	assert_true(has_finding(&d, rel));
	free(rel);
	assert_false(has_finding(&d, "8:0"));
	assert_true(has_finding(&d, "SRC and DST are on the same device (vdz): the copy reads and "
				    "writes one disk at once"));
	/* the mount's "rw,relatime" and the superblock's "rw,vers=3,...": rw once */
	assert_non_null(strstr(d.loc[0].dev.mount_options, "rw,relatime,vers=3,rsize=32768"));
	assert_null(strstr(d.loc[0].dev.mount_options + 1, "rw,"));
	j = diag_json(&d);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "machine"),
							 "io_limits")), 3);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(json_object_get(j, "machine"),
								   "io_limits"), 0),
				    "device")), "vdz");
	json_decref(j);
	diag_release(&d);
}

static void test_nics(void **state)
{
	const char *root = *state;
	struct diag_nic n;

	assert_int_equal(diag_read_nic(root, "ib0", &n), 0);
	assert_int_equal(n.speed_mbps, 400000);
	assert_string_equal(n.type, "infiniband");
	assert_string_equal(n.driver, "mlx5_core");
	assert_int_equal(n.numa_node, 1);
	assert_int_equal(n.mtu, 4092);
	assert_true(n.up);
	assert_int_equal(diag_read_nic(root, "bond0", &n), 0);
	assert_string_equal(n.slaves, "eth2 eth3");
	assert_string_equal(n.driver, "bonding");
	assert_int_equal(diag_read_nic(root, "eth2", &n), 0);
	assert_string_equal(n.master, "bond0");
	assert_int_equal(diag_read_nic(root, "eth1", &n), 0);
	assert_false(n.up);
	assert_int_equal(diag_read_nic(root, "nope0", &n), -ENOENT);
}

static void test_blockdev(void **state)
{
	const char *root = *state;
	struct diag_blockdev b;

	assert_int_equal(diag_read_blockdev(root, "nvme0n1", &b), 0);
	assert_string_equal(b.kind, "nvme");
	assert_string_equal(b.scheduler, "none");
	assert_string_equal(b.model, "SAMSUNG MZQL23T8HCLS-00A07");
	assert_string_equal(b.nvme_ctrl, "nvme0");
	assert_int_equal(b.size_bytes, UINT64_C(3750748848) * 512);
	assert_int_equal(b.rotational, 0);
	assert_int_equal(b.nr_requests, 1023);
	assert_int_equal(b.read_ahead_kb, 128);
	assert_int_equal(b.max_sectors_kb, 512);
	assert_int_equal(b.numa_node, 1);
	/* A partition reports its disk's queue, and its own size. */
	assert_int_equal(diag_read_blockdev(root, "nvme0n1p2", &b), 0);
	assert_string_equal(b.kind, "partition");
	assert_int_equal(b.size_bytes, UINT64_C(3750000000) * 512);
	assert_string_equal(b.scheduler, "none");
	assert_int_equal(b.nr_requests, 1023);
	assert_int_equal(diag_read_blockdev(root, "sdz", &b), -ENOENT);
}

/*
 * A namespace of a dual-port or NVMe-oF drive under native multipath, laid out as the kernel does
 * (drivers/nvme/host/multipath.c, core.c, sysfs.c): the block device nvme1n1 is the namespace
 * head, a child of the subsystem nvme-subsys1, whose folder links to its controllers (nvme2 on
 * PCIe, nvme3 a fabrics controller) beside its own model, serial and iopolicy. The controllers
 * hold numa_node; the subsystem has none.
 */
#define SUBSYS "sys/devices/virtual/nvme-subsystem/nvme-subsys1"
#define CTRL2 "sys/devices/pci0000:80/0000:80:05.0/nvme/nvme2"
#define CTRL3 "sys/devices/virtual/nvme-fabrics/ctl/nvme3"

static void multipath_fixture(const char *root)
{
	put(root, SUBSYS "/nvme1n1/size", "7501476528\n");
	put(root, SUBSYS "/nvme1n1/queue/rotational", "0\n");
	put(root, SUBSYS "/nvme1n1/queue/scheduler", "[none] mq-deadline\n");
	put(root, SUBSYS "/nvme1n1/queue/nr_requests", "1023\n");
	link_to(root, SUBSYS "/nvme1n1/device", "../../nvme-subsys1");
	put(root, SUBSYS "/model", "KIOXIA CM7-R dual port                  \n");
	put(root, SUBSYS "/serial", "X1234\n");
	put(root, SUBSYS "/iopolicy", "numa\n");
	put(root, SUBSYS "/subsysnqn", "nqn.2019-10.com.kioxia:CM7-R:X1234\n");
	link_to(root, SUBSYS "/subsystem", "../../../../class/nvme-subsystem");
	link_to(root, SUBSYS "/nvme2", "../../../pci0000:80/0000:80:05.0/nvme/nvme2");
	link_to(root, SUBSYS "/nvme3", "../../nvme-fabrics/ctl/nvme3");
	put(root, CTRL2 "/model", "KIOXIA CM7-R dual port                  \n");
	put(root, CTRL2 "/numa_node", "1\n");
	put(root, CTRL2 "/transport", "pcie\n");
	put(root, "sys/devices/pci0000:80/0000:80:05.0/numa_node", "1\n");
	link_to(root, CTRL2 "/device", "../../../0000:80:05.0");
	/* The hidden per-path disk below the controller is not a block device of the chain. */
	put(root, CTRL2 "/nvme1c2n1/size", "7501476528\n");
	link_to(root, CTRL2 "/nvme1c2n1/device", "../../nvme2");
	put(root, CTRL3 "/model", "KIOXIA CM7-R dual port                  \n");
	put(root, CTRL3 "/numa_node", "1\n");
	put(root, CTRL3 "/transport", "rdma\n");
	link_to(root, "sys/class/block/nvme1n1",
		"../../devices/virtual/nvme-subsystem/nvme-subsys1/nvme1n1");
	link_to(root, "sys/class/nvme-subsystem/nvme-subsys1",
		"../../devices/virtual/nvme-subsystem/nvme-subsys1");
}

static void test_blockdev_multipath(void **state)
{
	const char *root = *state;
	struct diag_blockdev b;

	multipath_fixture(root);
	assert_int_equal(diag_read_blockdev(root, "nvme1n1", &b), 0);
	assert_string_equal(b.kind, "nvme");
	assert_string_equal(b.model, "KIOXIA CM7-R dual port");
	/* The controllers behind the namespace, not the subsystem's name. */
	assert_string_equal(b.nvme_ctrl, "nvme2,nvme3");
	assert_int_equal(b.numa_node, 1);
	assert_int_equal(b.size_bytes, UINT64_C(7501476528) * 512);
	assert_string_equal(b.scheduler, "none");

	/* Ports on two NUMA nodes: no one node is the namespace's. */
	put(root, CTRL3 "/numa_node", "0\n");
	assert_int_equal(diag_read_blockdev(root, "nvme1n1", &b), 0);
	assert_int_equal(b.numa_node, -1);
	assert_string_equal(b.nvme_ctrl, "nvme2,nvme3");

	/* A subsystem without its own model (older kernels): the controllers' is taken. */
	char *model = path_join(root, SUBSYS "/model");
	assert_int_equal(unlink(model), 0);
	free(model);
	assert_int_equal(diag_read_blockdev(root, "nvme1n1", &b), 0);
	assert_string_equal(b.model, "KIOXIA CM7-R dual port");
}

/*
 * After a run, through diag_run_findings (analysis/links.c decides; test_links.c has the cases):
 * the route predicted eth0, the sampler saw ib0 carry the bytes near its speed.
 */
static void test_run_findings(void **state)
{
	(void)state;
	json_t *diag = json_pack("{s:[{s:s, s:s, s:s}], s:[{s:s, s:s, s:I}, {s:s, s:s, s:I}]}",
				 "routes", "target", "10.0.0.5", "why", "source", "interface",
				 "eth0", "interfaces", "name", "eth0", "operstate", "up",
				 "speed_mbps", (json_int_t)10000, "name", "ib0", "operstate", "up",
				 "speed_mbps", (json_int_t)400000);
	/* 45 GB/s is 90 % of 400 Gb/s (50 GB/s). */
	json_t *run = json_pack("{s:{s:s, s:{s:{s:{s:f}}}}}", "sampler", "top_interface", "ib0",
				"net", "ib0", "mean", "rx_bytes_s", 45e9);
	json_t *findings = json_array();

	diag_run_findings(diag, run, findings);
	assert_int_equal(json_array_size(findings), 1);
	assert_string_equal(json_string_value(json_array_get(findings, 0)),
			    "ib0 carried the bytes (received 45000.0 MB/s, 90 % of its 400 Gb/s: "
			    "the link was the limit), not eth0, the link diag predicted for the "
			    "source's server 10.0.0.5");

	/* The predicted link carried the bytes, slowly, while a faster one was up. */
	json_decref(run);
	run = json_pack("{s:{s:s, s:{s:{s:{s:f}}}}}", "sampler", "top_interface", "eth0", "net",
			"eth0", "mean", "rx_bytes_s", 1e8);
	json_array_clear(findings);
	diag_run_findings(diag, run, findings);
	assert_int_equal(json_array_size(findings), 2);
	assert_string_equal(json_string_value(json_array_get(findings, 0)),
			    "eth0 carried the bytes (received 100.0 MB/s, 8 % of its 10 Gb/s), the "
			    "link diag predicted for the source's server 10.0.0.5");
	assert_string_equal(json_string_value(json_array_get(findings, 1)),
			    "ib0 (400 Gb/s) is up while the bytes came over eth0 (10 Gb/s): the "
			    "mount should use the storage network's address, so that they take ib0");
	json_decref(run);
	json_decref(findings);
	json_decref(diag);
}

static void test_discard_options(void **state)
{
	(void)state;
	assert_true(diag_online_discard("ext4", "rw,relatime,discard,resv_strict"));
	assert_true(diag_online_discard("xfs", "rw,noatime,attr2,discard,inode64"));
	assert_true(diag_online_discard("btrfs", "rw,ssd,discard,space_cache=v2"));
	assert_true(diag_online_discard("btrfs", "rw,discard=sync"));
	assert_false(diag_online_discard("btrfs", "rw,ssd,discard=async,space_cache=v2"));
	assert_false(diag_online_discard("ext4", "rw,relatime"));
	assert_false(diag_online_discard("ext4", "rw,discard,nodiscard"));
	assert_false(diag_online_discard("f2fs", "rw,lazytime,background_gc=on,discard"));
	assert_false(diag_online_discard(NULL, NULL));
}

/* DST on "/" of the fixture, mounted as line says; its findings and JSON. */
static void diag_on_mount(const char *root, const char *line, struct diag *d)
{
	put(root, "proc/self/mountinfo", "%s\n", line);
	diag_init(d, root);
	assert_int_equal(diag_add_path(d, "destination", root), 0);
	diag_read(d);
	diag_findings(d);
	print_findings(d);
}

static void test_discard_mounts(void **state)
{
	const char *root = *state;
	struct diag d;

	diag_on_mount(root, "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resuid=65534",
		      &d);
	assert_true(d.loc[0].discard);
	assert_true(has_finding(&d, "DST (/, ext4) is mounted with online discard: every removed "
				    "file waits for the device to discard its blocks"));
	json_t *j = diag_json(&d);
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(j, "locations"),
								0), "discard")));
	json_decref(j);
	diag_release(&d);

	diag_on_mount(root, "27 1 0:31 / / rw,relatime - btrfs /dev/nvme0n1p2 "
			    "rw,ssd,discard=async,space_cache=v2,subvol=/", &d);
	assert_false(d.loc[0].discard);
	assert_false(has_finding(&d, "online discard"));
	j = diag_json(&d);
	assert_true(json_is_false(json_object_get(json_array_get(json_object_get(j, "locations"),
								 0), "discard")));
	json_decref(j);
	diag_release(&d);

	diag_on_mount(root, "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw", &d);
	assert_false(d.loc[0].discard);
	assert_false(has_finding(&d, "online discard"));
	diag_release(&d);
}

#define VIRTIO "sys/bus/virtio/devices"

/* A virtio device bound to driver, with its features bit string. */
static void virtio_dev(const char *root, const char *name, const char *driver,
		       const char *features)
{
	char rel[256];
	char target[256];

	snprintf(rel, sizeof(rel), VIRTIO "/%s/driver", name);
	snprintf(target, sizeof(target), "../../../../bus/virtio/drivers/%s", driver);
	link_to(root, rel, target);
	snprintf(rel, sizeof(rel), VIRTIO "/%s/features", name);
	put(root, rel, "%s\n", features);
}

static void test_free_page_reporting(void **state)
{
	const char *root = *state;
	char *path = path_join(root, "sys/bus");
	struct diag d;

	/* no /sys/bus at all: nothing can be said */
	assert_int_equal(diag_read_free_page_reporting(root), -1);
	/* /sys/bus without virtio: not a virtio VM, no error */
	assert_int_equal(mkdir_p(path), 0);
	assert_int_equal(diag_read_free_page_reporting(root), 0);
	/* a block device with bit 5 set is not a balloon; a balloon with stats and deflate-on-OOM */
	virtio_dev(root, "virtio1", "virtio_blk", "0010011001100100000000000000010010000000");
	virtio_dev(root, "virtio0", "virtio_balloon", "0110000100000000000000000000000010000000");
	assert_int_equal(diag_read_free_page_reporting(root), 0);
	diag_init(&d, root);
	diag_read(&d);
	diag_findings(&d);
	assert_int_equal(d.machine.free_page_reporting, 0);
	assert_false(has_finding(&d, "free page reporting"));
	diag_release(&d);
	/* the balloon of this machine: bits 1, 2, 5 and 7 */
	free(path);
	path = path_join(root, VIRTIO "/virtio0/features");
	assert_int_equal(unlink(path), 0);
	put(root, VIRTIO "/virtio0/features", "0110010100000000000000000000000010000000\n");
	diag_init(&d, root);
	diag_read(&d);
	diag_findings(&d);
	print_findings(&d);
	assert_int_equal(d.machine.free_page_reporting, 1);
	assert_true(has_finding(&d, "this is a VM that returns freed memory to its host "
				    "(virtio-balloon free page reporting)"));
	json_t *j = diag_json(&d);
	assert_true(json_is_true(json_object_get(json_object_get(j, "machine"),
						 "free_page_reporting")));
	json_decref(j);
	diag_release(&d);
	/* a balloon whose features cannot be read: unknown */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(diag_read_free_page_reporting(root), -1);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_nfs),
		cmocka_unit_test_setup_teardown(test_nfs_findings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_on_slower_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_down_link_and_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_machine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_limits_and_same_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blockdev, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blockdev_multipath, setup, teardown),
		cmocka_unit_test(test_run_findings),
		cmocka_unit_test(test_discard_options),
		cmocka_unit_test_setup_teardown(test_discard_mounts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_page_reporting, setup, teardown),
	};

	return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
