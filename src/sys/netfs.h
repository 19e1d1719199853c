/* SPDX-License-Identifier: MIT */
/*
 * netfs.h - the storage server behind a network mount, from its mountinfo line and, where the
 * line names none, from the client's own configuration. Pure text work: the caller reads the
 * files (diag.c) and hands their text in.
 *
 *	struct netfs_mount m;
 *	if (netfs_parse("lustre", "10.0.0.1@tcp:10.0.0.2@o2ib:/fs", "rw,flock", &m) == 0)
 *		m.servers[0].host	"10.0.0.1", transport "tcp"
 *		m.servers[1].host	"10.0.0.2", transport "o2ib", rdma
 *
 * What each filesystem's source and options look like (see tests/data/netfs/SOURCES):
 *	nfs, nfs4	server:/export, [v6]:/export; addr= is the address the client uses
 *	cifs, smb3	//server/share; addr= likewise
 *	lustre		nid[,nid][:nid[,nid]]:/fsname[/subdir], a NID being address@network
 *	beegfs		beegfs_nodev; cfgFile= names the client's config (sysMgmtdHost there)
 *	ceph		mon[:port][,mon[:port]]:/path, or user@fsid.fsname=/path with mon_addr=a/b
 *	fuse.glusterfs	server[,server]:[/]volume
 *	fuse.sshfs	[user@]host:[path], [user@][v6]:[path]
 *	gpfs		the device name: the daemon knows the servers, the mount does not
 *	9p		trans=virtio (a VM's host) or trans=tcp with the server's address as source
 *	virtiofs	a tag: a VM's host over virtio-fs
 */
#ifndef CCB_NETFS_H
#define CCB_NETFS_H

#include <stdbool.h>
#include <stddef.h>

enum netfs_kind {
	NETFS_NONE,
	NETFS_NFS,
	NETFS_CIFS,
	NETFS_LUSTRE,
	NETFS_BEEGFS,
	NETFS_CEPH,
	NETFS_GLUSTER,
	NETFS_SSHFS,
	NETFS_GPFS,
	NETFS_9P,
	NETFS_VIRTIOFS,
	NETFS_OTHER, /* afs, fuse.ceph-fuse, ...: remote, but no server is read from the line */
};

#define NETFS_MAX_SERVERS 8

struct netfs_server {
	char host[256];	    /* an address or a name, without brackets or port */
	char transport[16]; /* Lustre's LNet network type ("tcp", "o2ib"), NFS's proto, or "" */
	bool rdma;	    /* the bytes travel by RDMA, past /proc/net/dev */
};

struct netfs_mount {
	enum netfs_kind kind;
	const char *name; /* "NFS", "CIFS", "Lustre", ...; NULL for NETFS_NONE */
	char user[64];	  /* sshfs's user@, CephFS's client name */
	char path[512];	  /* export, share, fsname, volume or remote folder */
	struct netfs_server servers[NETFS_MAX_SERVERS];
	size_t nr_servers;
	char config_file[512]; /* BeeGFS's cfgFile= */
	bool vm_host;	       /* 9p over virtio, virtiofs: a VM's host, no network */
	bool no_server;	       /* GPFS: the mount names no server */
	/* GPFS's mmfs.cfg, when it could be read: the daemon's RDMA ports and networks. */
	bool daemon_config;
	bool daemon_rdma;
	char daemon_ports[256];	  /* verbsPorts, e.g. "mlx5_0/1 mlx5_1/1" */
	char daemon_subnets[256]; /* subnets */
};

/* The kind of a filesystem type ("nfs4", "fuse.sshfs"); NETFS_NONE for a local one. */
enum netfs_kind netfs_kind(const char *fs_type);
/* Whether a filesystem type is remote: its bytes come over a network (or a VM's host). */
bool netfs_is_network(const char *fs_type);

/*
 * The servers a mount names, from its type, source and options (mountinfo's per-mount and
 * superblock options joined with ','). 0, or -ENOENT when the type is not a remote one (m is
 * then empty). A remote mount whose line names no server (GPFS, BeeGFS without sysMgmtdHost=,
 * a source that does not parse) is 0 with no servers.
 */
int netfs_parse(const char *fs_type, const char *source, const char *options,
		struct netfs_mount *m);

/* BeeGFS's client config (cfgFile=): sysMgmtdHost, connUseRDMA ("key = value" lines). */
void netfs_beegfs_config(const char *text, struct netfs_mount *m);

/* GPFS's /var/mmfs/gen/mmfs.cfg ("name value" lines, "[nodes]" stanzas): verbsRdma,
 * verbsPorts, subnets. */
void netfs_gpfs_config(const char *text, struct netfs_mount *m);

/* One sentence on where the mount's bytes come from, into buf: "Lustre: MGS 10.0.0.1 (tcp),
 * 10.0.0.2 (o2ib, RDMA)", "virtiofs: a VM's host over virtio-fs, no network". */
void netfs_describe(const struct netfs_mount *m, char *buf, size_t len);

#endif
