/* SPDX-License-Identifier: MIT */
/* netfs.c - the storage server behind a network mount, read from its mountinfo line (netfs.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "sys/netfs.h"

static const struct {
	const char *type;
	enum netfs_kind kind;
} types[] = {
	{"nfs", NETFS_NFS},
	{"nfs4", NETFS_NFS},
	{"cifs", NETFS_CIFS},
	{"smb3", NETFS_CIFS},
	{"lustre", NETFS_LUSTRE},
	{"beegfs", NETFS_BEEGFS},
	{"ceph", NETFS_CEPH},
	{"glusterfs", NETFS_GLUSTER},
	{"fuse.glusterfs", NETFS_GLUSTER},
	{"fuse.sshfs", NETFS_SSHFS},
	{"sshfs", NETFS_SSHFS},
	{"gpfs", NETFS_GPFS},
	{"9p", NETFS_9P},
	{"virtiofs", NETFS_VIRTIOFS},
	{"afs", NETFS_OTHER},
	{"fuse.ceph-fuse", NETFS_OTHER},
};

static const char *const kind_names[] = {
	[NETFS_NONE] = NULL,	       [NETFS_NFS] = "NFS",
	[NETFS_CIFS] = "CIFS",	       [NETFS_LUSTRE] = "Lustre",
	[NETFS_BEEGFS] = "BeeGFS",     [NETFS_CEPH] = "CephFS",
	[NETFS_GLUSTER] = "GlusterFS", [NETFS_SSHFS] = "sshfs",
	[NETFS_GPFS] = "GPFS",	       [NETFS_9P] = "9p",
	[NETFS_VIRTIOFS] = "virtiofs", [NETFS_OTHER] = "remote",
};

enum netfs_kind netfs_kind(const char *fs_type)
{
	for (size_t i = 0; fs_type && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(fs_type, types[i].type))
			return types[i].kind;
	return NETFS_NONE;
}

bool netfs_is_network(const char *fs_type)
{
	return netfs_kind(fs_type) != NETFS_NONE;
}

/* ---- pieces ------------------------------------------------------------------------------ */

/* The value of key= among comma-separated options into val; false when absent. */
static bool opt_value(const char *options, const char *key, char *val, size_t len)
{
	const size_t klen = strlen(key);

	for (const char *o = options; o && *o;) {
		const char *end = strchr(o, ',');
		const size_t n = end ? (size_t)(end - o) : strlen(o);

		if (n > klen && !strncmp(o, key, klen) && o[klen] == '=') {
			strf(val, len, "%.*s", (int)(n - klen - 1), o + klen + 1);
			return true;
		}
		o = end ? end + 1 : NULL;
	}
	return false;
}

static bool opt_flag(const char *options, const char *flag)
{
	const size_t flen = strlen(flag);

	for (const char *o = options; o && *o;) {
		const char *end = strchr(o, ',');
		const size_t n = end ? (size_t)(end - o) : strlen(o);

		if (n == flen && !strncmp(o, flag, flen))
			return true;
		o = end ? end + 1 : NULL;
	}
	return false;
}

/*
 * The host of s[0..n) without brackets or port: "10.0.0.1:6789" and "[fe80::1]:6789" lose the
 * port; a bare IPv6 address ("fe80::1", more than one colon) is kept whole.
 */
static void host_only(const char *s, size_t n, char *out, size_t len)
{
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		const size_t k = close ? (size_t)(close - s) - 1 : n - 1;

		strf(out, len, "%.*s", (int)k, s + 1);
		return;
	}
	const char *colon = memchr(s, ':', n);
	if (colon && !memchr(colon + 1, ':', n - (size_t)(colon + 1 - s)))
		n = (size_t)(colon - s);
	strf(out, len, "%.*s", (int)n, s);
}

static void add_server(struct netfs_mount *m, const char *host, const char *transport, bool rdma)
{
	if (!host[0] || m->nr_servers >= NETFS_MAX_SERVERS)
		return;
	for (size_t i = 0; i < m->nr_servers; i++)
		if (!strcmp(m->servers[i].host, host) &&
		    !strcmp(m->servers[i].transport, transport))
			return;
	struct netfs_server *s = &m->servers[m->nr_servers++];
	strf(s->host, sizeof(s->host), "%s", host);
	strf(s->transport, sizeof(s->transport), "%s", transport);
	s->rdma = rdma;
}

/* Each of s[0..n)'s parts between seps as a host (port dropped). */
static void add_hosts(struct netfs_mount *m, const char *s, size_t n, const char *seps,
		      const char *transport, bool rdma)
{
	char host[256];

	while (n) {
		size_t k = 0;

		/* A bracketed IPv6 address may hold a separator (':'); skip past its ']'. */
		if (s[0] == '[') {
			const char *close = memchr(s, ']', n);
			k = close ? (size_t)(close - s) : 0;
		}
		while (k < n && !strchr(seps, s[k]))
			k++;
		host_only(s, k, host, sizeof(host));
		add_server(m, host, transport, rdma);
		s += k < n ? k + 1 : k;
		n -= k < n ? k + 1 : k;
	}
}

/* ---- the filesystems --------------------------------------------------------------------- */

/* "server:/export", "[fe80::1]:/export"; addr= is what the client talks to. */
static void parse_nfs(const char *source, const char *options, struct netfs_mount *m)
{
	char proto[16] = "";
	char addr[256];
	const bool v6 = source[0] == '[';
	const char *colon = v6 ? strstr(source, "]:") : strchr(source, ':');
	char host[256] = "";

	opt_value(options, "proto", proto, sizeof(proto));
	if (colon) {
		const char *h = v6 ? source + 1 : source;
		strf(host, sizeof(host), "%.*s", (int)(colon - h), h);
		strf(m->path, sizeof(m->path), "%s", colon + (v6 ? 2 : 1));
	}
	const bool rdma = !strncmp(proto, "rdma", 4) || opt_flag(options, "rdma");
	if (opt_value(options, "addr", addr, sizeof(addr)))
		add_server(m, addr, proto, rdma);
	else
		add_server(m, host, proto, rdma);
}

/* "//server/share[/dir]"; addr= (cifs_show_address) is the server's address. */
static void parse_cifs(const char *source, const char *options, struct netfs_mount *m)
{
	char addr[256];
	char host[256] = "";
	const bool rdma = opt_flag(options, "rdma"); /* SMB Direct */

	if (!strncmp(source, "//", 2) || !strncmp(source, "\\\\", 2)) {
		const char *h = source + 2;
		const size_t n = strcspn(h, "/\\");
		host_only(h, n, host, sizeof(host));
		if (h[n])
			strf(m->path, sizeof(m->path), "%s", h + n + 1);
	}
	if (opt_value(options, "addr", addr, sizeof(addr)))
		add_server(m, addr, "", rdma);
	else
		add_server(m, host, "", rdma);
}

/*
 * "mgsnid[,mgsnid][:mgsnid[,mgsnid]]:/fsname[/subdir]" (mount.lustre(8)): ':' separates the MGS
 * nodes, ',' one node's NIDs; a NID is address@network, the network an LNet type and a number
 * ("tcp0", "o2ib1"). o2ib (InfiniBand and RoCE verbs), kfi, gni and efa move the bytes by RDMA;
 * tcp by sockets. IPv6 NIDs of Lustre 2.16 (with ':' in the address) are not split here.
 */
static void parse_lustre(const char *source, struct netfs_mount *m)
{
	static const char *const rdma_lnds[] = {"o2ib", "kfi", "gni", "efa"};
	const char *fs = strstr(source, ":/");

	if (!fs)
		return;
	strf(m->path, sizeof(m->path), "%s", fs + 2);
	for (const char *p = source; p < fs;) {
		const size_t n = strcspn(p, ":,");
		const size_t k = n < (size_t)(fs - p) ? n : (size_t)(fs - p);
		const char *at = memchr(p, '@', k);
		char host[256];
		char net[16] = "tcp";
		bool rdma = false;

		if (at) {
			size_t t = (size_t)(p + k - at - 1);
			while (t && isdigit((unsigned char)at[1 + t - 1]))
				t--;
			strf(net, sizeof(net), "%.*s", (int)t, at + 1);
		}
		strf(host, sizeof(host), "%.*s", (int)(at ? (size_t)(at - p) : k), p);
		for (size_t i = 0; i < sizeof(rdma_lnds) / sizeof(rdma_lnds[0]); i++)
			rdma = rdma || !strcmp(net, rdma_lnds[i]);
		add_server(m, host, net, rdma);
		p += k + 1;
	}
}

/*
 * "mon[:port][,mon[:port]]:/path" (the old syntax, monitors resolved to addresses by
 * mount.ceph), or "user@fsid.fsname=/path" with the monitors in mon_addr=a[:port]/b[:port]
 * (5.17's new syntax, which ceph_show_options prints back).
 */
static void parse_ceph(const char *source, const char *options, struct netfs_mount *m)
{
	const char *at = strchr(source, '@');
	const char *eq = strchr(source, '=');
	char mons[1024];

	if (at && eq && at < eq) {
		const char *dot = memchr(at + 1, '.', (size_t)(eq - at - 1));
		const char *fs = dot ? dot + 1 : at + 1;

		strf(m->user, sizeof(m->user), "%.*s", (int)(at - source), source);
		strf(m->path, sizeof(m->path), "%.*s:%s", (int)(eq - fs), fs, eq + 1);
	} else {
		const char *path = strstr(source, ":/");
		size_t n = path ? (size_t)(path - source) : strlen(source);

		if (!path && n && source[n - 1] == ':')
			n--;
		strf(m->path, sizeof(m->path), "%s", path ? path + 1 : "/");
		add_hosts(m, source, n, ",", "", false);
	}
	if (opt_value(options, "mon_addr", mons, sizeof(mons)))
		add_hosts(m, mons, strlen(mons), "/", "", false);
	if (!m->user[0])
		opt_value(options, "name", m->user, sizeof(m->user));
}

/* GlusterFS: "server[,server]:[/]volume" (mount.glusterfs(8)). */
static void parse_gluster(const char *source, struct netfs_mount *m)
{
	const char *colon = source[0] == '[' ? strstr(source, "]:") : strchr(source, ':');

	if (!colon)
		return;
	if (source[0] == '[')
		colon++;
	strf(m->path, sizeof(m->path), "%s", colon[1] == '/' ? colon + 2 : colon + 1);
	add_hosts(m, source, (size_t)(colon - source), ",", "tcp", false);
}

/* sshfs: "[user@]host:[path]", the host maybe "[v6]"; "sshfs#" is the old fstab prefix. */
static void parse_sshfs(const char *source, struct netfs_mount *m)
{
	char host[256];

	if (!strncmp(source, "sshfs#", 6))
		source += 6;
	const char *h = source;
	const char *at = strchr(source, '@');
	const char *colon;

	/* A user ends at the first '@' before the host's ':' (a path may hold '@' too). */
	if (at && (!strchr(source, ':') || at < strchr(source, ':'))) {
		strf(m->user, sizeof(m->user), "%.*s", (int)(at - source), source);
		h = at + 1;
	}
	if (h[0] == '[') {
		const char *close = strchr(h, ']');
		colon = close && close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = strchr(h, ':');
	}
	if (!colon) {
		m->user[0] = '\0';
		return;
	}
	host_only(h, (size_t)(colon - h), host, sizeof(host));
	strf(m->path, sizeof(m->path), "%s", colon + 1);
	add_server(m, host, "ssh", false);
}

/* 9p: trans=virtio or xen is a VM's host (the source a tag); tcp and rdma name an address. */
static void parse_9p(const char *source, const char *options, struct netfs_mount *m)
{
	char trans[16] = "";

	opt_value(options, "trans", trans, sizeof(trans));
	if (!strcmp(trans, "tcp") || !strcmp(trans, "rdma")) {
		char host[256];

		host_only(source, strlen(source), host, sizeof(host));
		add_server(m, host, trans, !strcmp(trans, "rdma"));
	} else if (strcmp(trans, "fd") && strcmp(trans, "unix")) {
		m->vm_host = true;
	}
	strf(m->path, sizeof(m->path), "%s", source);
}

int netfs_parse(const char *fs_type, const char *source, const char *options, struct netfs_mount *m)
{
	char host[256];

	memset(m, 0, sizeof(*m));
	m->kind = netfs_kind(fs_type);
	m->name = kind_names[m->kind];
	if (m->kind == NETFS_NONE)
		return -ENOENT;
	source = source ? source : "";
	options = options ? options : "";
	switch (m->kind) {
	case NETFS_NFS:
		parse_nfs(source, options, m);
		break;
	case NETFS_CIFS:
		parse_cifs(source, options, m);
		break;
	case NETFS_LUSTRE:
		parse_lustre(source, m);
		break;
	case NETFS_BEEGFS:
		/* The helper takes sysMgmtdHost from the options or from cfgFile=. */
		opt_value(options, "cfgFile", m->config_file, sizeof(m->config_file));
		if (opt_value(options, "sysMgmtdHost", host, sizeof(host)))
			add_server(m, host, "", false);
		break;
	case NETFS_CEPH:
		parse_ceph(source, options, m);
		break;
	case NETFS_GLUSTER:
		parse_gluster(source, m);
		break;
	case NETFS_SSHFS:
		parse_sshfs(source, m);
		break;
	case NETFS_GPFS:
		m->no_server = true;
		strf(m->path, sizeof(m->path), "%s", source);
		break;
	case NETFS_9P:
		parse_9p(source, options, m);
		break;
	case NETFS_VIRTIOFS:
		m->vm_host = true;
		strf(m->path, sizeof(m->path), "%s", source);
		break;
	case NETFS_NONE:
	case NETFS_OTHER:
		break;
	}
	return 0;
}

/* ---- the clients' own configuration ------------------------------------------------------ */

/* Each "key = value" or "key value" line of text, comments and stanza headers left out. */
static void each_setting(const char *text,
			 void (*fn)(const char *key, const char *value, void *arg), void *arg)
{
	char line[1024];

	for (const char *p = text; p && *p;) {
		const size_t n = strcspn(p, "\n");
		char *key = line;

		strf(line, sizeof(line), "%.*s", (int)n, p);
		p = p[n] ? p + n + 1 : NULL;
		line[strcspn(line, "#")] = '\0';
		while (isspace((unsigned char)*key))
			key++;
		if (!*key || *key == '[')
			continue;
		char *value = key + strcspn(key, " \t=");
		if (*value)
			*value++ = '\0';
		value += strspn(value, " \t=");
		char *end = value + strlen(value);
		while (end > value && isspace((unsigned char)end[-1]))
			*--end = '\0';
		fn(key, value, arg);
	}
}

static void beegfs_setting(const char *key, const char *value, void *arg)
{
	struct netfs_mount *m = arg;

	if (!strcmp(key, "sysMgmtdHost") && value[0] && !m->nr_servers)
		add_server(m, value, "", false);
	else if (!strcmp(key, "connUseRDMA") && !strcmp(value, "true"))
		for (size_t i = 0; i < m->nr_servers; i++) {
			/* Used where both ends have it; TCP otherwise. */
			m->servers[i].rdma = true;
			strf(m->servers[i].transport, sizeof(m->servers[i].transport), "rdma");
		}
}

void netfs_beegfs_config(const char *text, struct netfs_mount *m)
{
	each_setting(text, beegfs_setting, m);
	/* connUseRDMA may come before sysMgmtdHost: read once more for it. */
	each_setting(text, beegfs_setting, m);
}

static void append_words(char *buf, size_t len, const char *words)
{
	const size_t used = strlen(buf);

	if (strstr(buf, words))
		return;
	strf(buf + used, len - used, "%s%s", used ? " " : "", words);
}

static void gpfs_setting(const char *key, const char *value, void *arg)
{
	struct netfs_mount *m = arg;

	if (!strcmp(key, "verbsRdma"))
		m->daemon_rdma = m->daemon_rdma || !strcmp(value, "enable");
	else if (!strcmp(key, "verbsPorts"))
		append_words(m->daemon_ports, sizeof(m->daemon_ports), value);
	else if (!strcmp(key, "subnets"))
		append_words(m->daemon_subnets, sizeof(m->daemon_subnets), value);
}

void netfs_gpfs_config(const char *text, struct netfs_mount *m)
{
	m->daemon_config = true;
	each_setting(text, gpfs_setting, m);
}

/* ---- words ------------------------------------------------------------------------------- */

void netfs_describe(const struct netfs_mount *m, char *buf, size_t len)
{
	size_t used;

	if (m->kind == NETFS_NONE) {
		strf(buf, len, "local");
		return;
	}
	if (m->vm_host) {
		strf(buf, len, "%s: a VM's host over virtio, not a network", m->name);
		return;
	}
	if (m->kind == NETFS_GPFS) {
		if (!m->daemon_config)
			strf(buf, len,
			     "GPFS: the mount names no server; the daemon's NSD servers "
			     "and interfaces are in mmfs.cfg, which could not be read");
		else
			strf(buf, len, "GPFS: the mount names no server; the daemon uses %s%s%s%s",
			     m->daemon_rdma && m->daemon_ports[0] ? "RDMA on " : "TCP",
			     m->daemon_rdma && m->daemon_ports[0] ? m->daemon_ports : "",
			     m->daemon_subnets[0] ? ", subnets " : "", m->daemon_subnets);
		return;
	}
	if (!m->nr_servers) {
		strf(buf, len, "%s: the mount names no server%s%s", m->name,
		     m->config_file[0] ? " and its config could not tell: " : "", m->config_file);
		return;
	}
	strf(buf, len, "%s: %s ", m->name,
	     m->kind == NETFS_LUSTRE   ? "MGS"
	     : m->kind == NETFS_CEPH   ? "monitors"
	     : m->kind == NETFS_BEEGFS ? "management host"
				       : "server");
	for (size_t i = 0; i < m->nr_servers; i++) {
		const struct netfs_server *s = &m->servers[i];

		used = strlen(buf);
		strf(buf + used, len - used, "%s%s", i ? ", " : "", s->host);
		used = strlen(buf);
		/* "(o2ib, RDMA)", "(rdma)", "(tcp)" */
		const bool say_rdma = s->rdma && !strstr(s->transport, "rdma");
		if (s->transport[0] || say_rdma)
			strf(buf + used, len - used, " (%s%s%s)", s->transport,
			     s->transport[0] && say_rdma ? ", " : "", say_rdma ? "RDMA" : "");
	}
}
