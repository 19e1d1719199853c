/* SPDX-License-Identifier: MIT */
/*
 * test_netfs.c - the storage server behind every kind of network mount, from mountinfo lines of
 * public sources (tests/data/netfs/SOURCES): CIFS (prometheus/procfs), Lustre (mount.lustre(8),
 * Azure/azlustre), BeeGFS (ThinkParQ/beegfs-go, with the client config of ThinkParQ/beegfs),
 * CephFS in both syntaxes (mount.ceph(8), the Ceph docs), GlusterFS (mount.glusterfs(8)), sshfs
 * (sshfs(1), moby/moby#27026), GPFS (with mmfs.cfg), 9p and virtiofs (the kernel's docs) and NFS
 * over RDMA (nfs-rdma.rst); then diag on a sysroot holding each of them: the servers, their
 * routes (127.0.0.1 and ::1 route over loopback on any machine) and what diag says.
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
#include <cmocka.h>

#include "lib/util.h"
#include "sys/device.h"
#include "sys/diag.h"
#include "sys/netfs.h"
#include "testutil.h"

/* Line n (1-based) of mountinfo.txt, parsed; the caller releases m. */
static void fixture_line(int n, struct device_mount *m, char *options, size_t len)
{
	char *text = test_fixture("netfs", "mountinfo.txt", NULL);
	char *save = NULL;
	char *line = strtok_r(text, "\n", &save);

	for (int i = 1; i < n && line; i++)
		line = strtok_r(NULL, "\n", &save);
	assert_non_null(line);
	assert_int_equal(device_parse_mountinfo_line(line, m), 0);
	/* As device_resolve joins them: per-mount, then superblock options. */
	snprintf(options, len, "%s,%s", m->mount_options, m->super_options);
	free(text);
}

static void parse_line(int n, struct netfs_mount *nm)
{
	struct device_mount m;
	char options[2048];

	fixture_line(n, &m, options, sizeof(options));
	assert_int_equal(netfs_parse(m.fs_type, m.mount_source, options, nm), 0);
	device_mount_release(&m);
}

static void assert_server(const struct netfs_mount *m, size_t i, const char *host,
			  const char *transport, bool rdma)
{
	assert_true(i < m->nr_servers);
	assert_string_equal(m->servers[i].host, host);
	assert_string_equal(m->servers[i].transport, transport);
	assert_int_equal(m->servers[i].rdma, rdma);
}

static void test_kinds(void **state)
{
	struct netfs_mount m;
	(void)state;

	assert_int_equal(netfs_kind("fuse.sshfs"), NETFS_SSHFS);
	assert_int_equal(netfs_kind("fuse.glusterfs"), NETFS_GLUSTER);
	assert_int_equal(netfs_kind("nfs4"), NETFS_NFS);
	assert_int_equal(netfs_kind("smb3"), NETFS_CIFS);
	assert_int_equal(netfs_kind("ext4"), NETFS_NONE);
	assert_int_equal(netfs_kind("fuse.portal"), NETFS_NONE);
	assert_true(netfs_is_network("lustre"));
	assert_false(netfs_is_network("xfs"));
	assert_int_equal(netfs_parse("xfs", "/dev/sda1", "rw", &m), -ENOENT);
	assert_null(m.name);
}

/* The sshfs sources the two-link lab and users write: user@host:/path, host:, [v6]:/path. */
static void test_sshfs(void **state)
{
	struct netfs_mount m;
	(void)state;

	parse_line(8, &m);
	assert_int_equal(m.kind, NETFS_SSHFS);
	assert_string_equal(m.name, "sshfs");
	assert_string_equal(m.user, "rperez");
	assert_string_equal(m.path, "/home/rperez/sources");
	assert_int_equal(m.nr_servers, 1);
	assert_server(&m, 0, "server_ip", "ssh", false);

	parse_line(9, &m);
	assert_string_equal(m.user, "ccb");
	assert_server(&m, 0, "127.0.0.1", "ssh", false);
	assert_string_equal(m.path, "/srv/particles");

	parse_line(10, &m);
	assert_string_equal(m.user, "ccb");
	assert_server(&m, 0, "::1", "ssh", false);
	assert_string_equal(m.path, "/srv/particles");

	/* No user, a relative path (the remote home), an empty path, the old fstab prefix. */
	assert_int_equal(netfs_parse("fuse.sshfs", "storage.example.org:data", "rw", &m), 0);
	assert_string_equal(m.user, "");
	assert_server(&m, 0, "storage.example.org", "ssh", false);
	assert_string_equal(m.path, "data");
	assert_int_equal(netfs_parse("fuse.sshfs", "10.213.2.2:", "rw", &m), 0);
	assert_server(&m, 0, "10.213.2.2", "ssh", false);
	assert_string_equal(m.path, "");
	assert_int_equal(netfs_parse("fuse.sshfs", "sshfs#u@[fd00:213:2::2]:/srv", "rw", &m), 0);
	assert_string_equal(m.user, "u");
	assert_server(&m, 0, "fd00:213:2::2", "ssh", false);
	/* A path may hold '@' and ':'; the user ends at the first '@' before the host. */
	assert_int_equal(netfs_parse("fuse.sshfs", "u@h:/a@b:c", "rw", &m), 0);
	assert_string_equal(m.user, "u");
	assert_server(&m, 0, "h", "ssh", false);
	assert_string_equal(m.path, "/a@b:c");
	/* An fsname= that is no host:path names no server. */
	assert_int_equal(netfs_parse("fuse.sshfs", "sshfs", "rw", &m), 0);
	assert_int_equal(m.nr_servers, 0);
	assert_string_equal(m.user, "");
}

static void test_cifs_nfs(void **state)
{
	struct netfs_mount m;
	(void)state;

	parse_line(1, &m);
	assert_int_equal(m.kind, NETFS_CIFS);
	assert_string_equal(m.path, "Path");
	/* addr= (what the client talks to) rather than the name in the UNC. */
	assert_int_equal(m.nr_servers, 1);
	assert_server(&m, 0, "127.0.0.1", "", false);
	assert_int_equal(netfs_parse("cifs", "//fileserver/em", "rw,vers=3.1.1", &m), 0);
	assert_server(&m, 0, "fileserver", "", false);
	assert_string_equal(m.path, "em");

	parse_line(14, &m);
	assert_int_equal(m.kind, NETFS_NFS);
	assert_string_equal(m.path, "/export");
	assert_server(&m, 0, "127.0.0.1", "rdma", true);
	assert_int_equal(netfs_parse("nfs4", "[fd00::5]:/export/em", "rw,proto=tcp", &m), 0);
	assert_server(&m, 0, "fd00::5", "tcp", false);
}

/* Lustre's MGS NIDs and their LNet network types: tcp by sockets, o2ib by RDMA. */
static void test_lustre(void **state)
{
	struct netfs_mount m;
	char text[512];
	(void)state;

	parse_line(2, &m);
	assert_int_equal(m.kind, NETFS_LUSTRE);
	assert_string_equal(m.path, "fs");
	assert_int_equal(m.nr_servers, 2);
	assert_server(&m, 0, "10.0.0.1", "tcp", false);
	assert_server(&m, 1, "10.0.0.2", "o2ib", true);
	netfs_describe(&m, text, sizeof(text));
	assert_string_equal(text, "Lustre: MGS 10.0.0.1 (tcp), 10.0.0.2 (o2ib, RDMA)");

	parse_line(3, &m);
	assert_string_equal(m.path, "LustreFS");
	assert_server(&m, 0, "127.0.0.1", "tcp", false);

	/* Two NIDs on each of two MGS nodes (mount.lustre(8)), numbered networks, a subdir. */
	assert_int_equal(netfs_parse("lustre",
				     "10.1.0.1@o2ib1,192.168.1.1@tcp2:10.1.0.2@o2ib1:/scratch/em",
				     "rw", &m),
			 0);
	assert_int_equal(m.nr_servers, 3);
	assert_server(&m, 0, "10.1.0.1", "o2ib", true);
	assert_server(&m, 1, "192.168.1.1", "tcp", false);
	assert_server(&m, 2, "10.1.0.2", "o2ib", true);
	assert_string_equal(m.path, "scratch/em");
	/* No ":/": no fsname, no server to trust. */
	assert_int_equal(netfs_parse("lustre", "10.0.0.1@tcp", "rw", &m), 0);
	assert_int_equal(m.nr_servers, 0);
}

static void test_ceph(void **state)
{
	struct netfs_mount m;
	(void)state;

	parse_line(5, &m);
	assert_int_equal(m.kind, NETFS_CEPH);
	assert_int_equal(m.nr_servers, 1);
	assert_server(&m, 0, "192.168.0.1", "", false);
	assert_string_equal(m.path, "/");
	assert_string_equal(m.user, "admin");

	parse_line(6, &m);
	assert_string_equal(m.user, "name");
	assert_string_equal(m.path, "fs_name:/");
	assert_int_equal(m.nr_servers, 1);
	assert_server(&m, 0, "1.2.3.4", "", false);

	/* Several monitors: ',' in the old source, '/' in mon_addr=, ports and IPv6 brackets. */
	assert_int_equal(netfs_parse("ceph", "10.0.0.1:6789,10.0.0.2:6789,[fd00::3]:3300:/em",
				     "rw,name=cryo", &m),
			 0);
	assert_int_equal(m.nr_servers, 3);
	assert_server(&m, 0, "10.0.0.1", "", false);
	assert_server(&m, 1, "10.0.0.2", "", false);
	assert_server(&m, 2, "fd00::3", "", false);
	assert_string_equal(m.path, "/em");
	assert_string_equal(m.user, "cryo");
	assert_int_equal(
		netfs_parse("ceph", "admin@.cephfs=/", "rw,mon_addr=10.0.0.1:6789/10.0.0.2", &m),
		0);
	assert_int_equal(m.nr_servers, 2);
	assert_server(&m, 0, "10.0.0.1", "", false);
	assert_server(&m, 1, "10.0.0.2", "", false);
	assert_string_equal(m.path, "cephfs:/");
	/* A path-less old source ("host:port:", the 2012 mountall case). */
	assert_int_equal(netfs_parse("ceph", "10.0.0.9:6789:", "rw", &m), 0);
	assert_server(&m, 0, "10.0.0.9", "", false);
}

static void test_gluster_beegfs(void **state)
{
	struct netfs_mount m;
	char text[512];
	(void)state;

	parse_line(7, &m);
	assert_int_equal(m.kind, NETFS_GLUSTER);
	assert_string_equal(m.path, "test-volume");
	assert_server(&m, 0, "server1", "tcp", false);
	assert_int_equal(netfs_parse("fuse.glusterfs", "gfs1,gfs2:vol0", "rw", &m), 0);
	assert_int_equal(m.nr_servers, 2);
	assert_server(&m, 1, "gfs2", "tcp", false);
	assert_string_equal(m.path, "vol0");

	parse_line(4, &m);
	assert_int_equal(m.kind, NETFS_BEEGFS);
	assert_int_equal(m.nr_servers, 0);
	assert_string_equal(m.config_file, "/etc/beegfs/beegfs-client.conf");
	char *conf = test_fixture("netfs", "beegfs-client.conf", NULL);
	netfs_beegfs_config(conf, &m);
	free(conf);
	assert_int_equal(m.nr_servers, 1);
	assert_server(&m, 0, "127.0.0.1", "rdma", true);
	netfs_describe(&m, text, sizeof(text));
	assert_string_equal(text, "BeeGFS: management host 127.0.0.1 (rdma)");
	/* sysMgmtdHost= as a mount option wins over the file (mount options override it). */
	assert_int_equal(netfs_parse("beegfs", "beegfs_nodev", "rw,sysMgmtdHost=10.0.0.7", &m), 0);
	netfs_beegfs_config("sysMgmtdHost = 10.0.0.8\nconnUseRDMA = false\n", &m);
	assert_int_equal(m.nr_servers, 1);
	assert_server(&m, 0, "10.0.0.7", "", false);
	/* The shipped file names none. */
	assert_int_equal(netfs_parse("beegfs", "beegfs_nodev", "rw", &m), 0);
	netfs_beegfs_config("sysMgmtdHost                  =\n", &m);
	assert_int_equal(m.nr_servers, 0);
}

static void test_gpfs_vm(void **state)
{
	struct netfs_mount m;
	char text[512];
	(void)state;

	parse_line(11, &m);
	assert_int_equal(m.kind, NETFS_GPFS);
	assert_true(m.no_server);
	assert_int_equal(m.nr_servers, 0);
	netfs_describe(&m, text, sizeof(text));
	assert_non_null(strstr(text, "GPFS: the mount names no server"));
	assert_non_null(strstr(text, "could not be read"));
	char *cfg = test_fixture("netfs", "mmfs.cfg", NULL);
	netfs_gpfs_config(cfg, &m);
	free(cfg);
	assert_true(m.daemon_config);
	assert_true(m.daemon_rdma);
	assert_string_equal(m.daemon_ports, "mlx5_0/1 mlx5_0/1/0");
	netfs_describe(&m, text, sizeof(text));
	assert_string_equal(text, "GPFS: the mount names no server; the daemon uses RDMA on "
				  "mlx5_0/1 mlx5_0/1/0");

	parse_line(12, &m);
	assert_int_equal(m.kind, NETFS_9P);
	assert_true(m.vm_host);
	assert_int_equal(m.nr_servers, 0);
	netfs_describe(&m, text, sizeof(text));
	assert_string_equal(text, "9p: a VM's host over virtio, not a network");
	assert_int_equal(netfs_parse("9p", "10.0.0.1", "rw,trans=tcp,port=564", &m), 0);
	assert_false(m.vm_host);
	assert_server(&m, 0, "10.0.0.1", "tcp", false);

	parse_line(13, &m);
	assert_int_equal(m.kind, NETFS_VIRTIOFS);
	assert_true(m.vm_host);
	assert_string_equal(m.path, "myfs");
}

/* ---- diag on a sysroot holding one fixture line mounted on "/" --------------------------- */

static char *sysroot_with(int n)
{
	char *root = test_tmpdir("netfs");
	struct device_mount m;
	char options[2048];

	assert_non_null(root);
	fixture_line(n, &m, options, sizeof(options));
	char *esc = xstrdup(m.mount_source);
	test_put_file(root, "proc/self/mountinfo", "1 0 0:99 / / %s - %s %s %s\n", m.mount_options,
		      m.fs_type, esc, m.super_options);
	free(esc);
	device_mount_release(&m);
	return root;
}

static bool has_finding(const struct diag *d, const char *text)
{
	const json_t *s;
	size_t i;

	json_array_foreach(d->findings, i, s) if (strstr(json_string_value(s), text)) return true;
	return false;
}

static char *text_of(const struct diag *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	diag_print_text(d, f);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* SRC on each loopback-served mount: its server, the route over lo, the JSON diag keeps. */
static void test_diag_routes(void **state)
{
	static const struct {
		int line;
		const char *fs, *target, *transport, *storage;
	} cases[] = {
		{9, "sshfs", "127.0.0.1", "ssh", "sshfs: server 127.0.0.1 (ssh)"},
		{10, "sshfs", "::1", "ssh", "sshfs: server ::1 (ssh)"},
		{1, "CIFS", "127.0.0.1", NULL, "CIFS: server 127.0.0.1"},
		{3, "Lustre", "127.0.0.1", "tcp", "Lustre: MGS 127.0.0.1 (tcp)"},
		{14, "NFS", "127.0.0.1", "rdma", "NFS: server 127.0.0.1 (rdma)"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *root = sysroot_with(cases[i].line);
		struct diag d;

		diag_init(&d, root);
		assert_int_equal(diag_add_path(&d, "source", root), 0);
		diag_read(&d);
		diag_findings(&d);
		assert_true(d.loc[0].is_network);
		assert_int_equal(d.loc[0].route, 0);
		assert_int_equal(d.nr_routes, 1);
		assert_string_equal(d.routes[0].target, cases[i].target);
		assert_string_equal(d.routes[0].fs, cases[i].fs);
		assert_string_equal(d.routes[0].why, "source");
		assert_int_equal(d.routes[0].err, 0);
		assert_string_equal(d.routes[0].r.ifname, "lo");
		char *text = text_of(&d);
		char *want = xasprintf("  storage   %s\n", cases[i].storage);
		print_message("%s", text);
		assert_non_null(strstr(text, want));
		free(want);
		free(text);
		json_t *j = diag_json(&d);
		const json_t *r = json_array_get(json_object_get(j, "routes"), 0);
		const json_t *nf = json_object_get(
			json_array_get(json_object_get(j, "locations"), 0), "netfs");
		assert_string_equal(json_string_value(json_object_get(r, "interface")), "lo");
		assert_string_equal(json_string_value(json_object_get(r, "link")), "lo");
		assert_string_equal(json_string_value(json_object_get(r, "fs")), cases[i].fs);
		if (cases[i].transport)
			assert_string_equal(json_string_value(json_object_get(r, "transport")),
					    cases[i].transport);
		assert_string_equal(json_string_value(json_object_get(nf, "kind")), cases[i].fs);
		assert_string_equal(
			json_string_value(json_object_get(
				json_array_get(json_object_get(nf, "servers"), 0), "host")),
			cases[i].target);
		json_decref(j);
		diag_release(&d);
		assert_int_equal(test_rmtree(root), 0);
		free(root);
	}
}

/*
 * SRC on the fixtures whose servers are not on this machine (CephFS by the old and the new
 * syntax, GlusterFS) and on 9p from a VM's host: diag names each server and asks the kernel for
 * its route, whatever the answer here (no route, or a name that does not resolve, is said, not
 * fatal); the 9p share gets no route and the sentence that says why.
 */
static void test_diag_remote(void **state)
{
	static const struct {
		int line;
		const char *fs, *target, *storage;
	} cases[] = {
		{5, "CephFS", "192.168.0.1", "CephFS: monitors 192.168.0.1"},
		{6, "CephFS", "1.2.3.4", "CephFS: monitors 1.2.3.4"},
		{7, "GlusterFS", "server1", "GlusterFS: server server1 (tcp)"},
		{12, "9p", NULL, "9p: a VM's host over virtio, not a network"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *root = sysroot_with(cases[i].line);
		struct diag d;

		diag_init(&d, root);
		assert_int_equal(diag_add_path(&d, "source", root), 0);
		diag_read(&d);
		diag_findings(&d);
		assert_true(d.loc[0].is_network);
		char *text = text_of(&d);
		char *want = xasprintf("  storage   %s\n", cases[i].storage);
		print_message("%s", text);
		assert_non_null(strstr(text, want));
		free(want);
		if (cases[i].target) {
			assert_int_equal(d.nr_routes, 1);
			assert_int_equal(d.loc[0].route, 0);
			assert_string_equal(d.routes[0].target, cases[i].target);
			assert_string_equal(d.routes[0].fs, cases[i].fs);
			char *route =
				xasprintf("route to %s (source, %s", cases[i].target, cases[i].fs);
			assert_non_null(strstr(text, route));
			free(route);
		} else {
			assert_int_equal(d.nr_routes, 0);
			assert_true(has_finding(&d, "source is on 9p from a VM's host (/): no "
						    "network link carries its bytes"));
		}
		free(text);
		diag_release(&d);
		assert_int_equal(test_rmtree(root), 0);
		free(root);
	}
}

/* BeeGFS's server is in the config cfgFile= names; unreadable, diag says so. */
static void test_diag_beegfs(void **state)
{
	char *root = sysroot_with(4);
	char *conf = test_fixture("netfs", "beegfs-client.conf", NULL);
	struct diag d;
	(void)state;

	diag_init(&d, root);
	assert_int_equal(diag_add_path(&d, "source", root), 0);
	diag_read(&d);
	diag_findings(&d);
	assert_int_equal(d.nr_routes, 0);
	assert_true(has_finding(&d, "source (/) is on BeeGFS: the mount names no server and its "
				    "config could not tell: /etc/beegfs/beegfs-client.conf"));
	char *unread = json_dumps(d.unreadable, 0);
	assert_non_null(strstr(unread, "/etc/beegfs/beegfs-client.conf (BeeGFS client config)"));
	free(unread);
	diag_release(&d);

	test_put_file(root, "etc/beegfs/beegfs-client.conf", "%s", conf);
	diag_init(&d, root);
	assert_int_equal(diag_add_path(&d, "source", root), 0);
	diag_read(&d);
	diag_findings(&d);
	assert_int_equal(d.nr_routes, 1);
	assert_string_equal(d.routes[0].target, "127.0.0.1");
	assert_string_equal(d.routes[0].fs, "BeeGFS");
	assert_true(d.routes[0].rdma);
	assert_string_equal(d.routes[0].r.ifname, "lo");
	assert_false(has_finding(&d, "names no server"));
	diag_release(&d);
	free(conf);
	assert_int_equal(test_rmtree(root), 0);
	free(root);
}

/* GPFS names no server; virtiofs is a VM's host: no route, and a sentence that says why. */
static void test_diag_no_server(void **state)
{
	char *root = sysroot_with(11);
	char *cfg = test_fixture("netfs", "mmfs.cfg", NULL);
	struct diag d;
	(void)state;

	test_put_file(root, "var/mmfs/gen/mmfs.cfg", "%s", cfg);
	free(cfg);
	diag_init(&d, root);
	assert_int_equal(diag_add_path(&d, "source", root), 0);
	diag_read(&d);
	diag_findings(&d);
	assert_int_equal(d.nr_routes, 0);
	assert_true(has_finding(&d, "source (/) is on GPFS: the mount names no server; the daemon "
				    "uses RDMA on mlx5_0/1 mlx5_0/1/0"));
	json_t *j = diag_json(&d);
	const json_t *daemon = json_object_get(
		json_object_get(json_array_get(json_object_get(j, "locations"), 0), "netfs"),
		"daemon");
	assert_true(json_is_true(json_object_get(daemon, "verbs_rdma")));
	assert_string_equal(json_string_value(json_object_get(daemon, "verbs_ports")),
			    "mlx5_0/1 mlx5_0/1/0");
	json_decref(j);
	diag_release(&d);
	assert_int_equal(test_rmtree(root), 0);
	free(root);

	root = sysroot_with(13);
	diag_init(&d, root);
	assert_int_equal(diag_add_path(&d, "source", root), 0);
	diag_read(&d);
	diag_findings(&d);
	assert_int_equal(d.nr_routes, 0);
	assert_true(has_finding(&d, "source is on virtiofs from a VM's host (/): no network link "
				    "carries its bytes"));
	diag_release(&d);
	assert_int_equal(test_rmtree(root), 0);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),	    cmocka_unit_test(test_sshfs),
		cmocka_unit_test(test_cifs_nfs),    cmocka_unit_test(test_lustre),
		cmocka_unit_test(test_ceph),	    cmocka_unit_test(test_gluster_beegfs),
		cmocka_unit_test(test_gpfs_vm),	    cmocka_unit_test(test_diag_routes),
		cmocka_unit_test(test_diag_beegfs), cmocka_unit_test(test_diag_no_server),
		cmocka_unit_test(test_diag_remote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
