/* SPDX-License-Identifier: MIT */
/* diag.c - the environment a benchmark runs in, read: mounts, devices, NICs, routes, machine. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/text.h"
#include "lib/util.h"
#include "sys/diag.h"
#include "sys/diag_int.h"

static void unreadable(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void unreadable(struct diag *d, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		json_array_append_new(d->unreadable, text_json(s));
	free(s);
}

/* The first line of sysroot/path, trimmed, into buf. 0 or -errno. */
static int read_line(const char *sysroot, const char *path, char *buf, size_t len)
{
	char *text = NULL;
	size_t n;

	char *full = xasprintf("%s%s", sysroot, path);
	const int ret = read_text_file(full, &text, &n);
	free(full);
	if (ret < 0)
		return ret;
	text[strcspn(text, "\n")] = '\0';
	strf(buf, len, "%s", text);
	free(text);
	return 0;
}

static long read_long(const char *sysroot, const char *path, long fallback)
{
	char buf[64];
	long v;

	if (read_line(sysroot, path, buf, sizeof(buf)) < 0 ||
	    parse_long(buf, LONG_MIN, LONG_MAX, &v))
		return fallback;
	return v;
}

/* The last component of the symlink sysroot/path, or "". */
static void read_link_base(const char *sysroot, const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];

	buf[0] = '\0';
	char *full = xasprintf("%s%s", sysroot, path);
	const ssize_t n = readlink(full, target, sizeof(target) - 1);
	free(full);
	if (n <= 0)
		return;
	target[n] = '\0';
	const char *slash = strrchr(target, '/');
	strf(buf, len, "%s", slash ? slash + 1 : target);
}

void diag_init(struct diag *d, const char *sysroot)
{
	memset(d, 0, sizeof(*d));
	d->sysroot = xstrdup(sysroot ? sysroot : "");
	d->unreadable = json_array();
	d->findings = json_array();
	d->t0 = now_mono();
}

void diag_release(struct diag *d)
{
	for (size_t i = 0; i < d->nr_loc; i++) {
		free(d->loc[i].role);
		free(d->loc[i].path);
		device_release(&d->loc[i].dev);
	}
	free(d->devs);
	free(d->nics);
	free(d->rdma);
	json_decref(d->unreadable);
	json_decref(d->findings);
	free(d->sysroot);
	memset(d, 0, sizeof(*d));
}

/* ---- NFS options -------------------------------------------------------------------------- */

void diag_parse_nfs(const char *source, const char *options, struct diag_nfs *n)
{
	memset(n, 0, sizeof(*n));
	n->nconnect = n->rsize = n->wsize = n->timeo = n->retrans = -1;
	/* "server:/export", "[fe80::1]:/export" */
	const char *colon = source[0] == '[' ? strstr(source, "]:") : strchr(source, ':');
	if (colon) {
		const char *host = source[0] == '[' ? source + 1 : source;
		strf(n->server, sizeof(n->server), "%.*s", (int)(colon - host), host);
		strf(n->export_path, sizeof(n->export_path), "%s",
		     colon + (source[0] == '[' ? 2 : 1));
	}
	char *copy = xstrdup(options);
	char *save = NULL;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(o, '=');
		const char *v = eq ? eq + 1 : "";
		long x;

		if (eq)
			*eq = '\0';
		if (!strcmp(o, "vers") || !strcmp(o, "nfsvers"))
			strf(n->vers, sizeof(n->vers), "%s", v);
		else if (!strcmp(o, "proto"))
			strf(n->proto, sizeof(n->proto), "%s", v);
		else if (!strcmp(o, "addr"))
			strf(n->addr, sizeof(n->addr), "%s", v);
		else if (!strcmp(o, "soft") || !strcmp(o, "softerr"))
			n->soft = true;
		else if (!strcmp(o, "hard"))
			n->soft = false;
		else if (eq && !parse_long(v, 0, LONG_MAX, &x)) {
			if (!strcmp(o, "nconnect"))
				n->nconnect = x;
			else if (!strcmp(o, "rsize"))
				n->rsize = x;
			else if (!strcmp(o, "wsize"))
				n->wsize = x;
			else if (!strcmp(o, "timeo"))
				n->timeo = x;
			else if (!strcmp(o, "retrans"))
				n->retrans = x;
		}
	}
	free(copy);
}

/* ---- paths and routes --------------------------------------------------------------------- */

int diag_add_route(struct diag *d, const char *host, const char *why)
{
	char addr[64];

	if (d->nr_routes >= DIAG_MAX_ROUTES)
		return -ENOSPC;
	struct diag_route *r = &d->routes[d->nr_routes++];
	strf(r->target, sizeof(r->target), "%s", host);
	strf(r->why, sizeof(r->why), "%s", why);
	r->err = route_resolve(host, addr, sizeof(addr));
	if (!r->err)
		r->err = route_get(addr, &r->r);
	return r->err;
}

/* The route to one of a mount's servers (a route already asked for is shared). Its index or -1. */
static int server_route(struct diag *d, const char *role, const struct netfs_mount *m,
			const struct netfs_server *srv)
{
	for (size_t i = 0; i < d->nr_routes; i++)
		if (!strcmp(d->routes[i].target, srv->host) && !strcmp(d->routes[i].why, role))
			return (int)i;
	if (diag_add_route(d, srv->host, role) == -ENOSPC)
		return -1;
	struct diag_route *r = &d->routes[d->nr_routes - 1];
	strf(r->fs, sizeof(r->fs), "%s", m->name);
	strf(r->transport, sizeof(r->transport), "%s", srv->transport);
	r->rdma = srv->rdma;
	return (int)d->nr_routes - 1;
}

/*
 * What the mount line leaves out, from the client's own config: BeeGFS's management host (the
 * file cfgFile= names), GPFS's daemon interfaces (mmfs.cfg, when it can be read).
 */
static void read_client_config(struct diag *d, struct netfs_mount *m)
{
	static const char beegfs_default[] = "/etc/beegfs/beegfs-client.conf";
	static const char mmfs_cfg[] = "/var/mmfs/gen/mmfs.cfg";
	const char *file;
	char *text = NULL;

	if (m->kind == NETFS_BEEGFS)
		file = m->config_file[0] ? m->config_file : beegfs_default;
	else if (m->kind == NETFS_GPFS)
		file = mmfs_cfg;
	else
		return;
	char *path = xasprintf("%s%s", d->sysroot, file);
	const int ret = read_text_file(path, &text, NULL);
	free(path);
	if (ret < 0) {
		unreadable(d, "%s (%s client config): %s", file, m->name, strerror(-ret));
		return;
	}
	if (m->kind == NETFS_BEEGFS) {
		strf(m->config_file, sizeof(m->config_file), "%s", file);
		netfs_beegfs_config(text, m);
	} else {
		netfs_gpfs_config(text, m);
	}
	free(text);
}

int diag_add_path(struct diag *d, const char *role, const char *path)
{
	if (d->nr_loc >= DIAG_MAX_LOCATIONS)
		return -ENOSPC;
	struct diag_location *l = &d->loc[d->nr_loc++];
	l->role = xstrdup(role);
	l->path = xstrdup(path);
	l->route = -1;
	l->bdi_read_ahead_kb = -1;
	l->err = device_resolve(path, d->sysroot, &l->dev);
	if (l->err < 0)
		return l->err;
	const char *fs = l->dev.fs_type ? l->dev.fs_type : "";
	const char *source = l->dev.mount_source ? l->dev.mount_source : "";
	const char *options = l->dev.mount_options ? l->dev.mount_options : "";
	l->is_nfs = !strcmp(fs, "nfs") || !strcmp(fs, "nfs4");
	l->discard = diag_online_discard(fs, options);
	l->is_network = netfs_parse(fs, source, options, &l->netfs) == 0;
	if (l->is_nfs)
		diag_parse_nfs(source, options, &l->nfs);
	if (l->is_network)
		read_client_config(d, &l->netfs);
	char *bdi =
		xasprintf("/sys/class/bdi/%u:%u/read_ahead_kb", l->dev.dev_major, l->dev.dev_minor);
	l->bdi_read_ahead_kb = read_long(d->sysroot, bdi, -1);
	free(bdi);
	/* Every server the mount names gets the kernel's route; the first is the location's. */
	for (size_t i = 0; i < l->netfs.nr_servers; i++) {
		const int r = server_route(d, role, &l->netfs, &l->netfs.servers[i]);
		if (l->route < 0)
			l->route = r;
	}
	return 0;
}

/* ---- NICs --------------------------------------------------------------------------------- */

/*
 * Speed and duplex from ETHTOOL_GLINKSETTINGS (4.6+): the first call with a zero mask size makes
 * the kernel answer with the size it wants (negated), the second reads. 0, or -1 to fall back.
 */
static int link_settings(int fd, struct ifreq *ifr, uint32_t *speed, uint8_t *duplex)
{
	struct {
		struct ethtool_link_settings req;
		uint32_t masks[3 * 127]; /* link_mode_masks_nwords is a signed byte */
	} ls;

	memset(&ls, 0, sizeof(ls));
	ls.req.cmd = ETHTOOL_GLINKSETTINGS;
	ifr->ifr_data = (char *)&ls;
	if (ioctl(fd, SIOCETHTOOL, ifr) < 0 || ls.req.link_mode_masks_nwords >= 0)
		return -1;
	ls.req.link_mode_masks_nwords = (int8_t)-ls.req.link_mode_masks_nwords;
	ls.req.cmd = ETHTOOL_GLINKSETTINGS;
	if (ioctl(fd, SIOCETHTOOL, ifr) < 0)
		return -1;
	*speed = ls.req.speed;
	*duplex = ls.req.duplex;
	return 0;
}

/*
 * What sysfs cannot say, from the driver through ethtool's ioctl: the driver of a virtual
 * interface (veth, bonding, ipoib have no device/driver link), and speed and duplex.
 */
static void ethtool_info(struct diag_nic *n)
{
	struct ethtool_drvinfo drv = {.cmd = ETHTOOL_GDRVINFO};
	struct ethtool_cmd ecmd = {.cmd = ETHTOOL_GSET};
	struct ifreq ifr;
	uint32_t speed;
	uint8_t duplex;

	const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", n->name);
	if (!n->driver[0]) {
		ifr.ifr_data = (char *)&drv;
		if (ioctl(fd, SIOCETHTOOL, &ifr) == 0)
			strf(n->driver, sizeof(n->driver), "%.*s", (int)sizeof(drv.driver),
			     drv.driver);
	}
	if (n->speed_mbps >= 0 || !n->up)
		goto out;
	if (link_settings(fd, &ifr, &speed, &duplex) < 0) {
		/* Older kernels: ETHTOOL_GSET, 32 bits of speed in two halves. */
		ifr.ifr_data = (char *)&ecmd;
		if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
			goto out;
		speed = (uint32_t)ecmd.speed_hi << 16 | ecmd.speed;
		duplex = ecmd.duplex;
	}
	if (speed != 0 && speed != (uint32_t)SPEED_UNKNOWN)
		n->speed_mbps = (long)speed;
	if (!n->duplex[0])
		strf(n->duplex, sizeof(n->duplex), "%s",
		     duplex == DUPLEX_FULL   ? "full"
		     : duplex == DUPLEX_HALF ? "half"
					     : "unknown");
out:
	close(fd);
}

int diag_read_nic(const char *sysroot, const char *name, struct diag_nic *n)
{
	char p[PATH_MAX];

	memset(n, 0, sizeof(*n));
	strf(n->name, sizeof(n->name), "%s", name);
	strf(p, sizeof(p), "/sys/class/net/%s/mtu", name);
	n->mtu = read_long(sysroot, p, -1);
	if (n->mtu < 0)
		return -ENOENT;
	strf(p, sizeof(p), "/sys/class/net/%s/operstate", name);
	if (read_line(sysroot, p, n->operstate, sizeof(n->operstate)) < 0)
		strf(n->operstate, sizeof(n->operstate), "unknown");
	n->up = !strcmp(n->operstate, "up");
	/* speed reads -1 or EINVAL when the link is down or the driver cannot say. */
	strf(p, sizeof(p), "/sys/class/net/%s/speed", name);
	n->speed_mbps = read_long(sysroot, p, -1);
	if (n->speed_mbps <= 0)
		n->speed_mbps = -1;
	strf(p, sizeof(p), "/sys/class/net/%s/duplex", name);
	if (read_line(sysroot, p, n->duplex, sizeof(n->duplex)) < 0)
		n->duplex[0] = '\0';
	strf(p, sizeof(p), "/sys/class/net/%s/device/driver", name);
	read_link_base(sysroot, p, n->driver, sizeof(n->driver));
	strf(p, sizeof(p), "/sys/class/net/%s/device/numa_node", name);
	n->numa_node = read_long(sysroot, p, -1);
	strf(p, sizeof(p), "/sys/class/net/%s/master", name);
	read_link_base(sysroot, p, n->master, sizeof(n->master));
	strf(p, sizeof(p), "/sys/class/net/%s/bonding/slaves", name);
	if (read_line(sysroot, p, n->slaves, sizeof(n->slaves)) < 0)
		n->slaves[0] = '\0';
	/* ARPHRD_*: 1 ether, 32 infiniband, 772 loopback. */
	strf(p, sizeof(p), "/sys/class/net/%s/type", name);
	const long type = read_long(sysroot, p, -1);
	strf(n->type, sizeof(n->type), "%s",
	     type == 1	   ? "ether"
	     : type == 32  ? "infiniband"
	     : type == 772 ? "loopback"
			   : "other");
	n->shaped_mbps = -1;
	if (!*sysroot && strcmp(n->type, "loopback")) {
		uint64_t rate;

		ethtool_info(n);
		/* A tbf at its root holds what it sends below the link's speed. */
		const unsigned idx = if_nametoindex(n->name);
		if (idx && route_tbf_rate(idx, &rate) == 0)
			n->shaped_mbps = (long)(rate * 8 / 1000000);
	}
	/* Virtual interfaces have no device/driver link; a bond says what it is. */
	if (!n->driver[0]) {
		strf(p, sizeof(p), "%s/sys/class/net/%s/bonding", sysroot, name);
		if (access(p, F_OK) == 0)
			strf(n->driver, sizeof(n->driver), "bonding");
	}
	return 0;
}

static int nic_cmp(const void *a, const void *b)
{
	return strcmp(((const struct diag_nic *)a)->name, ((const struct diag_nic *)b)->name);
}

static void read_nics(struct diag *d)
{
	char *path = xasprintf("%s/sys/class/net", d->sysroot);
	DIR *dir = opendir(path);
	struct dirent *de;
	size_t alloc = 0;

	free(path);
	if (!dir) {
		unreadable(d, "/sys/class/net: %s", strerror(errno));
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		struct diag_nic n;

		if (de->d_name[0] == '.' || diag_read_nic(d->sysroot, de->d_name, &n) < 0)
			continue;
		if (d->nr_nics == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			d->nics = xrealloc(d->nics, alloc * sizeof(*d->nics));
		}
		d->nics[d->nr_nics++] = n;
	}
	closedir(dir);
	if (d->nr_nics)
		qsort(d->nics, d->nr_nics, sizeof(*d->nics), nic_cmp);
	/* InfiniBand and RoCE ports, each on the IP interface it carries (ib0, a RoCE NIC). */
	const int ret = rdma_list_ports(d->sysroot, &d->rdma, &d->nr_rdma);
	if (ret < 0)
		unreadable(d, "/sys/class/infiniband: %s", strerror(-ret));
	for (size_t i = 0; i < d->nr_rdma; i++)
		for (size_t k = 0; k < d->nr_nics; k++)
			if (d->rdma[i].netdev[0] && !strcmp(d->nics[k].name, d->rdma[i].netdev))
				strf(d->nics[k].rdma_port, sizeof(d->nics[k].rdma_port), "%s",
					  d->rdma[i].name);
}

/* ---- block devices ------------------------------------------------------------------------ */

/* A controller's entry in an NVMe subsystem's folder: "nvme" and digits (not nvme0n1, power). */
static int is_nvme_ctrl(const struct dirent *d)
{
	return !strncmp(d->d_name, "nvme", 4) && d->d_name[4] &&
	       strspn(d->d_name + 4, "0123456789") == strlen(d->d_name + 4);
}

/* Trailing blanks off a model string (sysfs pads them to the field's width). */
static void trim_model(char *buf)
{
	char *e = buf + strlen(buf);

	while (e > buf && e[-1] == ' ')
		*--e = '\0';
}

/*
 * A namespace head under native NVMe multipath (p is /sys/class/block/<name>, its device the
 * subsystem): the subsystem's folder links to its controllers, nvme<N>, whose names go into
 * b->nvme_ctrl ("nvme0,nvme1"). The subsystem has no numa_node: the controllers' is the one,
 * when they share it (ports on two sockets: -1, no one node). The controllers' model stands in
 * when the subsystem shows none.
 */
static void read_nvme_subsystem(const char *sysroot, const char *p, struct diag_blockdev *b)
{
	char *dir = xasprintf("%s%s/device", sysroot, p);
	struct dirent **names = NULL;
	const int n = scandir(dir, &names, is_nvme_ctrl, versionsort);
	char q[PATH_MAX];
	char buf[256];
	size_t used = 0;

	free(dir);
	if (n <= 0) {
		free(names);
		return;
	}
	b->nvme_ctrl[0] = '\0';
	b->numa_node = -2; /* none seen yet */
	for (int i = 0; i < n; i++) {
		const char *c = names[i]->d_name;
		long node;

		if (used < sizeof(b->nvme_ctrl))
			used += (size_t)snprintf(b->nvme_ctrl + used, sizeof(b->nvme_ctrl) - used,
						 "%s%s", i ? "," : "", c);
		strf(q, sizeof(q), "%s/device/%s/numa_node", p, c);
		node = read_long(sysroot, q, -1);
		if (node < 0) {
			strf(q, sizeof(q), "%s/device/%s/device/numa_node", p, c);
			node = read_long(sysroot, q, -1);
		}
		b->numa_node = b->numa_node == -2 || b->numa_node == node ? node : -1;
		strf(q, sizeof(q), "%s/device/%s/model", p, c);
		if (!b->model[0] && read_line(sysroot, q, buf, sizeof(buf)) == 0) {
			trim_model(buf);
			strf(b->model, sizeof(b->model), "%s", buf);
		}
		free(names[i]);
	}
	free(names);
}

int diag_read_blockdev(const char *sysroot, const char *name, struct diag_blockdev *b)
{
	char p[PATH_MAX];
	char q[PATH_MAX];
	char buf[256];

	memset(b, 0, sizeof(*b));
	strf(b->name, sizeof(b->name), "%s", name);
	strf(p, sizeof(p), "/sys/class/block/%s", name);
	const long sectors = read_long(sysroot, (strf(q, sizeof(q), "%s/size", p), q), -1);
	if (sectors < 0)
		return -ENOENT;
	b->size_bytes = (uint64_t)sectors * 512;
	/* A partition has no queue of its own: its disk's (the parent folder) is the one. */
	strf(q, sizeof(q), "%s/partition", p);
	char *full = xasprintf("%s%s", sysroot, q);
	const bool partition = access(full, F_OK) == 0;
	free(full);
	if (partition)
		strf(p, sizeof(p), "/sys/class/block/%s/..", name);
	if (partition)
		strf(b->kind, sizeof(b->kind), "partition");
	else if (!strncmp(name, "nvme", 4))
		strf(b->kind, sizeof(b->kind), "nvme");
	else if (!strncmp(name, "loop", 4))
		strf(b->kind, sizeof(b->kind), "loop");
	else if (!strncmp(name, "dm-", 3))
		strf(b->kind, sizeof(b->kind), "dm");
	else if (!strncmp(name, "md", 2))
		strf(b->kind, sizeof(b->kind), "md");
	else
		strf(b->kind, sizeof(b->kind), "disk");

	strf(q, sizeof(q), "%s/queue/rotational", p);
	b->rotational = read_long(sysroot, q, -1);
	strf(q, sizeof(q), "%s/queue/nr_requests", p);
	b->nr_requests = read_long(sysroot, q, -1);
	strf(q, sizeof(q), "%s/queue/read_ahead_kb", p);
	b->read_ahead_kb = read_long(sysroot, q, -1);
	strf(q, sizeof(q), "%s/queue/max_sectors_kb", p);
	b->max_sectors_kb = read_long(sysroot, q, -1);
	strf(q, sizeof(q), "%s/device/queue_depth", p);
	b->queue_depth = read_long(sysroot, q, -1);
	strf(q, sizeof(q), "%s/device/numa_node", p);
	b->numa_node = read_long(sysroot, q, -1);
	strf(q, sizeof(q), "%s/queue/scheduler", p);
	if (read_line(sysroot, q, buf, sizeof(buf)) == 0) {
		const char *open = strchr(buf, '[');
		const char *close = open ? strchr(open, ']') : NULL;
		if (open && close)
			strf(b->scheduler, sizeof(b->scheduler), "%.*s", (int)(close - open - 1),
			     open + 1);
		else
			strf(b->scheduler, sizeof(b->scheduler), "%s", buf);
	}
	strf(q, sizeof(q), "%s/device/model", p);
	if (read_line(sysroot, q, buf, sizeof(buf)) == 0) {
		trim_model(buf);
		strf(b->model, sizeof(b->model), "%s", buf);
	}
	/*
	 * nvme0n1's device link is its controller nvme0; the namespace is the block device. Under
	 * native multipath it is the subsystem, nvme-subsys0, and the controllers are below that.
	 */
	if (!strncmp(name, "nvme", 4)) {
		strf(q, sizeof(q), "%s/device", p);
		read_link_base(sysroot, q, b->nvme_ctrl, sizeof(b->nvme_ctrl));
		if (!strncmp(b->nvme_ctrl, "nvme-subsys", 11))
			read_nvme_subsystem(sysroot, p, b);
		if (b->numa_node < 0 && strncmp(b->nvme_ctrl, "nvme-subsys", 11)) {
			strf(q, sizeof(q), "%s/device/device/numa_node", p);
			b->numa_node = read_long(sysroot, q, -1);
		}
	}
	return 0;
}

static void read_blockdevs(struct diag *d)
{
	for (size_t i = 0; i < d->nr_loc; i++) {
		for (size_t c = 0; c < d->loc[i].dev.nr_chain; c++) {
			const char *name = d->loc[i].dev.chain[c];
			bool seen = false;
			struct diag_blockdev b;

			for (size_t k = 0; k < d->nr_devs; k++)
				seen = seen || !strcmp(d->devs[k].name, name);
			if (seen)
				continue;
			if (diag_read_blockdev(d->sysroot, name, &b) < 0) {
				unreadable(d, "/sys/class/block/%s: not there", name);
				continue;
			}
			d->devs = xrealloc(d->devs, (d->nr_devs + 1) * sizeof(*d->devs));
			d->devs[d->nr_devs++] = b;
		}
	}
}

const struct diag_blockdev *diag_find_dev(const struct diag *d, const char *name)
{
	for (size_t i = 0; i < d->nr_devs; i++)
		if (!strcmp(d->devs[i].name, name))
			return &d->devs[i];
	return NULL;
}

/* ---- the machine -------------------------------------------------------------------------- */

static void read_machine(struct diag *d)
{
	struct diag_machine *m = &d->machine;
	char *path;
	DIR *dir;
	struct dirent *de;

	host_info_read(&m->host);
	m->numa_nodes = 0;
	path = xasprintf("%s/sys/devices/system/node", d->sysroot);
	dir = opendir(path);
	free(path);
	if (dir) {
		while ((de = readdir(dir)) != NULL) {
			unsigned n;
			char c;
			if (sscanf(de->d_name, "node%u%c", &n, &c) == 1)
				m->numa_nodes++;
		}
		closedir(dir);
	}
	if (read_line(d->sysroot, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
		      m->governor, sizeof(m->governor)) < 0)
		m->governor[0] = '\0';
	m->dirty_ratio = read_long(d->sysroot, "/proc/sys/vm/dirty_ratio", -1);
	m->dirty_background_ratio =
		read_long(d->sysroot, "/proc/sys/vm/dirty_background_ratio", -1);
	m->dirty_bytes = read_long(d->sysroot, "/proc/sys/vm/dirty_bytes", -1);
	m->dirty_background_bytes =
		read_long(d->sysroot, "/proc/sys/vm/dirty_background_bytes", -1);
	m->dirty_expire_centisecs =
		read_long(d->sysroot, "/proc/sys/vm/dirty_expire_centisecs", -1);
	m->dirty_writeback_centisecs =
		read_long(d->sysroot, "/proc/sys/vm/dirty_writeback_centisecs", -1);
	/* Kernels before 6.6 have no switch: io_uring is on when built in. */
	char *f = xasprintf("%s/proc/sys/kernel/io_uring_disabled", d->sysroot);
	m->io_uring_disabled =
		access(f, F_OK) == 0
			? read_long(d->sysroot, "/proc/sys/kernel/io_uring_disabled", -1)
			: 0;
	free(f);
	f = xasprintf("%s/proc/sys/vm/drop_caches", d->sysroot);
	m->can_drop_caches = access(f, W_OK) == 0;
	free(f);
	m->free_page_reporting = diag_read_free_page_reporting(d->sysroot);

	diag_read_cgroup(d);
}

/* ---- other processes doing I/O ---------------------------------------------------------- */

struct proc_io {
	int pid;
	uint64_t read_bytes, write_bytes;
};

static int pid_cmp(const void *a, const void *b)
{
	const int x = ((const struct proc_io *)a)->pid;
	const int y = ((const struct proc_io *)b)->pid;

	return (x > y) - (x < y);
}

/* read_bytes and write_bytes of every process but this one; counts those it may not read. */
static size_t read_proc_io(const char *sysroot, struct proc_io **out, unsigned *denied)
{
	char *path = xasprintf("%s/proc", sysroot);
	DIR *dir = opendir(path);
	struct dirent *de;
	struct proc_io *v = NULL;
	size_t nr = 0;
	size_t alloc = 0;
	const int self = (int)getpid();

	free(path);
	*denied = 0;
	if (!dir)
		return 0;
	while ((de = readdir(dir)) != NULL) {
		char *end;
		const long pid = strtol(de->d_name, &end, 10);
		char *text = NULL;
		size_t len;
		struct proc_io p = {.pid = (int)pid};

		if (*end || pid <= 0 || pid == self)
			continue;
		path = xasprintf("%s/proc/%ld/io", sysroot, pid);
		const int ret = read_text_file(path, &text, &len);
		free(path);
		if (ret == -EACCES || ret == -EPERM)
			(*denied)++;
		if (ret < 0)
			continue;
		const char *r = strstr(text, "\nread_bytes: ");
		const char *w = strstr(text, "\nwrite_bytes: ");
		if (r && w) {
			p.read_bytes = strtoull(r + strlen("\nread_bytes: "), NULL, 10);
			p.write_bytes = strtoull(w + strlen("\nwrite_bytes: "), NULL, 10);
			if (nr == alloc) {
				alloc = alloc ? alloc * 2 : 256;
				v = xrealloc(v, alloc * sizeof(*v));
			}
			v[nr++] = p;
		}
		free(text);
	}
	closedir(dir);
	if (nr)
		qsort(v, nr, sizeof(*v), pid_cmp);
	*out = v;
	return nr;
}

static int proc_cmp(const void *a, const void *b)
{
	const struct diag_proc *x = a;
	const struct diag_proc *y = b;
	const double bx = x->read_bytes_s + x->write_bytes_s;
	const double by = y->read_bytes_s + y->write_bytes_s;

	return bx < by ? 1 : bx > by ? -1 : 0;
}

/* Two readings DIAG_PROC_WINDOW_S apart: who moved bytes to or from storage meanwhile. */
static void read_procs(struct diag *d)
{
	struct proc_io *a = NULL;
	struct proc_io *b = NULL;
	unsigned denied;
	const struct timespec ts = {.tv_nsec = (long)(DIAG_PROC_WINDOW_S * 1e9)};

	const double t0 = now_mono();
	const size_t na = read_proc_io(d->sysroot, &a, &denied);
	nanosleep(&ts, NULL);
	const double t1 = now_mono();
	const size_t nb = read_proc_io(d->sysroot, &b, &d->procs_unreadable);
	struct diag_proc *all = xcalloc(nb ? nb : 1, sizeof(*all));
	size_t nr = 0;
	for (size_t i = 0, j = 0; i < nb; i++) {
		/* Both lists are sorted by pid. */
		while (j < na && a[j].pid < b[i].pid)
			j++;
		if (j >= na || a[j].pid != b[i].pid)
			continue;
		const uint64_t rd = b[i].read_bytes - a[j].read_bytes;
		const uint64_t wr = b[i].write_bytes - a[j].write_bytes;
		if (!rd && !wr)
			continue;
		struct diag_proc *p = &all[nr++];
		p->pid = b[i].pid;
		p->read_bytes_s = (double)rd / (t1 - t0);
		p->write_bytes_s = (double)wr / (t1 - t0);
		char *comm = xasprintf("/proc/%d/comm", p->pid);
		if (read_line(d->sysroot, comm, p->comm, sizeof(p->comm)) < 0)
			p->comm[0] = '\0';
		free(comm);
	}
	qsort(all, nr, sizeof(*all), proc_cmp);
	d->nr_procs = nr < DIAG_MAX_PROCS ? nr : DIAG_MAX_PROCS;
	memcpy(d->procs, all, d->nr_procs * sizeof(*all));
	/*
	 * Root too may be refused a process's counters (one of another user namespace, or with
	 * ptrace access denied): nothing anyone here can change, so nothing to say.
	 */
	if (d->procs_unreadable && geteuid() != 0)
		unreadable(d,
			   "/proc/PID/io of %u process%s: permission denied (another user's "
			   "needs root)",
			   d->procs_unreadable, d->procs_unreadable == 1 ? "" : "es");
	free(all);
	free(a);
	free(b);
}

void diag_read(struct diag *d)
{
	read_nics(d);
	read_procs(d);
	read_blockdevs(d);
	read_machine(d);
	d->seconds = now_mono() - d->t0;
}

json_t *diag_paths_json(const char *src, const char *dst, uint64_t dataset_bytes)
{
	struct diag d;

	diag_init(&d, NULL);
	d.dataset_bytes = dataset_bytes;
	diag_add_path(&d, "source", src);
	diag_add_path(&d, "destination", dst);
	diag_read(&d);
	diag_findings(&d);
	json_t *j = diag_json(&d);
	diag_release(&d);
	return j;
}
