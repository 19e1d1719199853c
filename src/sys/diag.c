/* diag.c - the environment a benchmark runs in: read it, judge it, print it (diag.h). */
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

#include "sys/diag.h"
#include "lib/util.h"

/* Below these an NFS mount or a network filesystem's readahead throttles large sequential reads. */
#define DIAG_NFS_MIN_IO (1024 * 1024)
#define DIAG_MIN_READ_AHEAD_KB 128
/* A run that moved bytes at this share of the carrying link's speed was limited by the link. */
#define DIAG_LINK_BOUND_SHARE 0.8

/* snprintf that cuts to fit on purpose: sysfs names and values are short, buffers are ample. */
static void strf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void strf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

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
		json_array_append_new(d->unreadable, json_string(s));
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

static bool fs_is_network(const char *fs)
{
	static const char *const net[] = {"nfs",    "nfs4", "cifs",	 "smb3", "ceph", "lustre",
					  "beegfs", "gpfs", "glusterfs", "9p",	 "afs"};

	for (size_t i = 0; i < sizeof(net) / sizeof(net[0]); i++)
		if (!strcmp(fs, net[i]))
			return true;
	return false;
}

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
	l->is_nfs = !strcmp(fs, "nfs") || !strcmp(fs, "nfs4");
	l->is_network = fs_is_network(fs);
	if (l->is_nfs)
		diag_parse_nfs(l->dev.mount_source ? l->dev.mount_source : "",
			       l->dev.mount_options ? l->dev.mount_options : "", &l->nfs);
	char *bdi =
		xasprintf("/sys/class/bdi/%u:%u/read_ahead_kb", l->dev.dev_major, l->dev.dev_minor);
	l->bdi_read_ahead_kb = read_long(d->sysroot, bdi, -1);
	free(bdi);
	if (l->is_nfs) {
		/* addr= is the address the client talks to; the name may not resolve here. */
		const char *host = l->nfs.addr[0] ? l->nfs.addr : l->nfs.server;
		if (host[0]) {
			l->route = (int)d->nr_routes;
			if (diag_add_route(d, host, role) == -ENOSPC)
				l->route = -1;
		}
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
	if (!*sysroot && strcmp(n->type, "loopback"))
		ethtool_info(n);
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
}

static const struct diag_nic *find_nic(const struct diag *d, const char *name)
{
	for (size_t i = 0; i < d->nr_nics; i++)
		if (!strcmp(d->nics[i].name, name))
			return &d->nics[i];
	return NULL;
}

/* ---- block devices ------------------------------------------------------------------------ */

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
		char *e = buf + strlen(buf);
		while (e > buf && e[-1] == ' ')
			*--e = '\0';
		strf(b->model, sizeof(b->model), "%s", buf);
	}
	/* nvme0n1's device link is its controller nvme0; the namespace is the block device. */
	if (!strncmp(name, "nvme", 4)) {
		strf(q, sizeof(q), "%s/device", p);
		read_link_base(sysroot, q, b->nvme_ctrl, sizeof(b->nvme_ctrl));
		if (b->numa_node < 0) {
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

static const struct diag_blockdev *find_dev(const struct diag *d, const char *name)
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

	/* cgroup v2: "0::/user.slice/..." */
	char line[512];
	m->cgroup[0] = '\0';
	m->io_max[0] = '\0';
	if (read_line(d->sysroot, "/proc/self/cgroup", line, sizeof(line)) == 0 &&
	    !strncmp(line, "0::", 3)) {
		strf(m->cgroup, sizeof(m->cgroup), "%s", line + 3);
		char *text = NULL;
		size_t len;
		/* io.max is in the cgroup and every ancestor; the nearest one with limits is shown.
		 */
		char *cg = xstrdup(m->cgroup);
		while (cg[0]) {
			path = xasprintf("%s/sys/fs/cgroup%s/io.max", d->sysroot, cg);
			const int ret = read_text_file(path, &text, &len);
			free(path);
			if (ret == 0 && text[0]) {
				for (char *p = text; *p; p++)
					if (*p == '\n')
						*p = p[1] ? ';' : '\0';
				strf(m->io_max, sizeof(m->io_max), "%s: %s", cg, text);
			}
			free(text);
			text = NULL;
			if (m->io_max[0])
				break;
			char *slash = strrchr(cg, '/');
			if (!slash)
				break;
			*slash = '\0';
		}
		free(cg);
	}
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
	if (d->procs_unreadable)
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

/* ---- findings ----------------------------------------------------------------------------- */

static void speed_text(long mbps, char *buf, size_t len)
{
	if (mbps < 0)
		strf(buf, len, "unknown speed");
	else if (mbps >= 1000 && mbps % 1000 == 0)
		strf(buf, len, "%ld Gb/s", mbps / 1000);
	else
		strf(buf, len, "%ld Mb/s", mbps);
}

/* The fastest up interface other than loopback; NULL when none has a known speed. */
static const struct diag_nic *fastest_up(const struct diag *d)
{
	const struct diag_nic *best = NULL;

	for (size_t i = 0; i < d->nr_nics; i++) {
		const struct diag_nic *n = &d->nics[i];
		if (!n->up || !strcmp(n->type, "loopback") || n->speed_mbps <= 0)
			continue;
		if (!best || n->speed_mbps > best->speed_mbps)
			best = n;
	}
	return best;
}

static void route_findings(struct diag *d, const struct diag_route *r)
{
	char a[32];
	char b[32];

	if (r->err) {
		add_stringf(d->findings, "no route to the storage server %s (%s)", r->target,
			    r->err == -ENOENT ? "name does not resolve" : strerror(-r->err));
		return;
	}
	const struct diag_nic *via = find_nic(d, r->r.ifname);
	const struct diag_nic *best = fastest_up(d);
	if (!via)
		return;
	if (!via->up && strcmp(via->type, "loopback"))
		add_stringf(d->findings, "route to the storage server %s goes over %s, which is %s",
			    r->target, via->name, via->operstate);
	if (best && via->speed_mbps > 0 && best->speed_mbps > via->speed_mbps &&
	    strcmp(best->name, via->name)) {
		speed_text(via->speed_mbps, a, sizeof(a));
		speed_text(best->speed_mbps, b, sizeof(b));
		add_stringf(d->findings,
			    "route to the storage server %s goes over %s (%s) while %s "
			    "(%s) is up",
			    r->target, via->name, a, best->name, b);
	}
	if (!strcmp(via->type, "ether") && via->mtu > 0 && via->mtu < 9000 && best == via &&
	    via->speed_mbps >= 25000)
		add_stringf(d->findings,
			    "%s carries the storage traffic at %ld Mb/s with MTU %ld "
			    "(jumbo frames are usual at this speed)",
			    via->name, via->speed_mbps, via->mtu);
}

void diag_findings(struct diag *d)
{
	char h1[32];
	char h2[32];

	json_array_clear(d->findings);
	for (size_t i = 0; i < d->nr_loc; i++) {
		const struct diag_location *l = &d->loc[i];
		const bool dst = !strcmp(l->role, "destination");

		if (l->err < 0) {
			add_stringf(d->findings, "%s '%s' cannot be resolved: %s", l->role, l->path,
				    strerror(-l->err));
			continue;
		}
		if (l->is_nfs) {
			if (l->nfs.rsize > 0 && l->nfs.rsize < DIAG_NFS_MIN_IO && !dst)
				add_stringf(d->findings,
					    "NFS mounted with rsize=%ld (%s, %s): "
					    "1048576 is usual",
					    l->nfs.rsize, l->role, l->dev.mount_point);
			if (l->nfs.wsize > 0 && l->nfs.wsize < DIAG_NFS_MIN_IO && dst)
				add_stringf(d->findings,
					    "NFS mounted with wsize=%ld (%s, %s): "
					    "1048576 is usual",
					    l->nfs.wsize, l->role, l->dev.mount_point);
			if (!strcmp(l->nfs.proto, "udp"))
				add_stringf(d->findings, "NFS mounted over UDP (%s, %s)", l->role,
					    l->dev.mount_point);
			if (l->nfs.soft)
				add_stringf(d->findings,
					    "NFS mounted soft (%s, %s): a slow server "
					    "turns into I/O errors",
					    l->role, l->dev.mount_point);
		}
		if (l->is_network && l->bdi_read_ahead_kb >= 0 &&
		    l->bdi_read_ahead_kb <= DIAG_MIN_READ_AHEAD_KB)
			add_stringf(d->findings,
				    "read_ahead_kb is %ld on a network filesystem (%s, %s)",
				    l->bdi_read_ahead_kb, l->role, l->dev.mount_point);
		if (dst && d->dataset_bytes && l->dev.fs_free < d->dataset_bytes)
			add_stringf(d->findings,
				    "DST has less free space (%s) than the dataset (%s)",
				    human_size(l->dev.fs_free, h1, sizeof(h1)),
				    human_size(d->dataset_bytes, h2, sizeof(h2)));
		if (dst && !strcmp(l->dev.fs_type ? l->dev.fs_type : "", "tmpfs"))
			add_stringf(d->findings,
				    "DST is tmpfs: copies land in memory, not on a disk");
		if (l->is_network && dst)
			add_stringf(d->findings, "DST is on a network filesystem (%s)",
				    l->dev.fs_type);
		for (size_t c = 0; c < l->dev.nr_chain; c++) {
			const struct diag_blockdev *b = find_dev(d, l->dev.chain[c]);
			if (b && b->rotational == 1 && dst && strcmp(b->kind, "loop") &&
			    strcmp(b->kind, "partition"))
				add_stringf(d->findings, "DST is on a rotational disk (%s)",
					    b->name);
		}
	}
	for (size_t i = 0; i < d->nr_routes; i++)
		route_findings(d, &d->routes[i]);
	const struct diag_machine *m = &d->machine;
	if (!strcmp(m->governor, "powersave"))
		add_stringf(d->findings, "CPU frequency governor is powersave");
	if (m->io_uring_disabled > 0)
		add_stringf(d->findings, "io_uring is disabled (kernel.io_uring_disabled=%ld)",
			    m->io_uring_disabled);
	if (!m->can_drop_caches)
		add_stringf(d->findings, "this user cannot drop caches: cold runs need root");
	if (m->io_max[0])
		add_stringf(d->findings, "this process's cgroup limits I/O (%s)", m->io_max);
	for (size_t i = 0; i < d->nr_procs; i++) {
		const struct diag_proc *p = &d->procs[i];
		/* Below 1 MB/s a process is logging, not competing for the devices. */
		if (p->read_bytes_s + p->write_bytes_s < 1e6)
			continue;
		add_stringf(d->findings,
			    "another process is doing I/O: %d (%s) reads %.1f MB/s, "
			    "writes %.1f MB/s",
			    p->pid, p->comm, p->read_bytes_s / 1e6, p->write_bytes_s / 1e6);
	}
}

/* ---- after a run -------------------------------------------------------------------------- */

void diag_run_findings(const json_t *diag, const json_t *run, json_t *findings)
{
	const json_t *sampler = json_object_get(run, "sampler");
	const char *top = json_string_value(json_object_get(sampler, "top_interface"));
	const json_t *routes = json_object_get(diag, "routes");
	const json_t *route;
	size_t i;

	if (!top)
		return;
	json_array_foreach(routes, i, route)
	{
		const char *via = json_string_value(json_object_get(route, "interface"));
		const char *target = json_string_value(json_object_get(route, "target"));
		if (via && strcmp(via, top))
			add_stringf(findings,
				    "the route to %s predicted %s, but %s carried the most "
				    "bytes",
				    target ? target : "the storage server", via, top);
	}
	/* The carrying link's speed against the run's mean rate over the sampler's window. */
	const json_t *nics = json_object_get(diag, "interfaces");
	const json_t *nic;
	json_array_foreach(nics, i, nic)
	{
		if (strcmp(json_string_value(json_object_get(nic, "name")) ?: "", top))
			continue;
		const json_int_t mbps = json_integer_value(json_object_get(nic, "speed_mbps"));
		/* Full duplex: the busier direction is the one that may have hit the link. */
		const json_t *mean = json_object_get(
			json_object_get(json_object_get(sampler, "net"), top), "mean");
		const double rx = json_number_value(json_object_get(mean, "rx_bytes_s"));
		const double tx = json_number_value(json_object_get(mean, "tx_bytes_s"));
		const double rate = rx >= tx ? rx : tx;
		if (mbps <= 0 || !json_is_object(mean))
			break;
		const double link = (double)mbps * 1e6 / 8;
		if (rate >= DIAG_LINK_BOUND_SHARE * link)
			add_stringf(findings,
				    "%s %s at %.0f MB/s, %.0f %% of its %lld Mb/s link: "
				    "the network was the limit",
				    top, rx >= tx ? "received" : "sent", rate / 1e6,
				    100.0 * rate / link, (long long)mbps);
		break;
	}
}

/* ---- printing ----------------------------------------------------------------------------- */

static json_t *long_or_null(long v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static json_t *route_json(const struct diag_route *r)
{
	json_t *o = json_pack("{s:s, s:s}", "target", r->target, "why", r->why);

	if (r->err) {
		json_object_set_new(o, "error",
				    json_string(r->err == -ENOENT ? "name does not resolve"
								  : strerror(-r->err)));
		json_object_set_new(o, "interface", json_null());
		return o;
	}
	json_object_set_new(o, "address", json_string(r->r.dst));
	json_object_set_new(o, "interface", json_string(r->r.ifname));
	json_object_set_new(o, "gateway", str_or_null(r->r.gateway));
	json_object_set_new(o, "source", str_or_null(r->r.source));
	return o;
}

json_t *diag_json(const struct diag *d)
{
	json_t *root = json_object();
	json_t *locs = json_array();
	json_t *devs = json_array();
	json_t *nics = json_array();
	json_t *routes = json_array();

	for (size_t i = 0; i < d->nr_loc; i++) {
		const struct diag_location *l = &d->loc[i];
		json_t *o = json_pack("{s:s, s:s}", "role", l->role, "path", l->path);
		json_t *chain = json_array();

		json_array_append_new(locs, o);
		if (l->err < 0) {
			json_object_set_new(o, "error", json_string(strerror(-l->err)));
			json_decref(chain);
			continue;
		}
		for (size_t c = 0; c < l->dev.nr_chain; c++)
			json_array_append_new(chain, json_string(l->dev.chain[c]));
		json_object_set_new(o, "mount_point", str_or_null(l->dev.mount_point));
		json_object_set_new(o, "fs_type", str_or_null(l->dev.fs_type));
		json_object_set_new(o, "mount_source", str_or_null(l->dev.mount_source));
		json_object_set_new(o, "mount_options", str_or_null(l->dev.mount_options));
		json_object_set_new(o, "network_fs", json_boolean(l->is_network));
		json_object_set_new(o, "fs_size_bytes", json_integer((json_int_t)l->dev.fs_size));
		json_object_set_new(o, "fs_free_bytes", json_integer((json_int_t)l->dev.fs_free));
		json_object_set_new(o, "read_ahead_kb", long_or_null(l->bdi_read_ahead_kb));
		json_object_set_new(o, "devices", chain);
		if (l->is_nfs) {
			const struct diag_nfs *n = &l->nfs;
			json_object_set_new(
				o, "nfs",
				json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:s, s:o, s:o}",
					  "server", str_or_null(n->server), "export",
					  str_or_null(n->export_path), "addr", str_or_null(n->addr),
					  "vers", str_or_null(n->vers), "proto",
					  str_or_null(n->proto), "nconnect",
					  (json_int_t)(n->nconnect > 0 ? n->nconnect : 1), "rsize",
					  long_or_null(n->rsize), "wsize", long_or_null(n->wsize),
					  "mode", n->soft ? "soft" : "hard", "timeo",
					  long_or_null(n->timeo), "retrans",
					  long_or_null(n->retrans)));
		}
		json_object_set_new(o, "route",
				    l->route >= 0 ? json_integer(l->route) : json_null());
	}
	for (size_t i = 0; i < d->nr_devs; i++) {
		const struct diag_blockdev *b = &d->devs[i];
		json_array_append_new(
			devs,
			json_pack("{s:s, s:s, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
				  "name", b->name, "kind", b->kind, "model", str_or_null(b->model),
				  "nvme_controller", str_or_null(b->nvme_ctrl), "size_bytes",
				  (json_int_t)b->size_bytes, "rotational",
				  b->rotational < 0 ? json_null() : json_boolean(b->rotational),
				  "scheduler", str_or_null(b->scheduler), "nr_requests",
				  long_or_null(b->nr_requests), "read_ahead_kb",
				  long_or_null(b->read_ahead_kb), "max_sectors_kb",
				  long_or_null(b->max_sectors_kb), "queue_depth",
				  long_or_null(b->queue_depth), "numa_node",
				  long_or_null(b->numa_node)));
	}
	for (size_t i = 0; i < d->nr_nics; i++) {
		const struct diag_nic *n = &d->nics[i];
		json_array_append_new(
			nics,
			json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "name",
				  n->name, "type", n->type, "operstate", n->operstate, "speed_mbps",
				  long_or_null(n->speed_mbps), "duplex", str_or_null(n->duplex),
				  "mtu", long_or_null(n->mtu), "driver", str_or_null(n->driver),
				  "numa_node", long_or_null(n->numa_node), "master",
				  str_or_null(n->master), "bond_members", str_or_null(n->slaves)));
	}
	for (size_t i = 0; i < d->nr_routes; i++)
		json_array_append_new(routes, route_json(&d->routes[i]));
	const struct diag_machine *m = &d->machine;
	json_t *machine = json_pack(
		"{s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:{s:o, s:o, s:o, s:o, s:o, s:o}, s:o, s:b, "
		"s:o, "
		"s:o}",
		"hostname", m->host.hostname, "kernel", m->host.kernel, "cpu_model",
		m->host.cpu_model, "cores", (json_int_t)m->host.cores, "numa_nodes",
		(json_int_t)m->numa_nodes, "mem_bytes", (json_int_t)m->host.mem_bytes, "governor",
		str_or_null(m->governor), "vm", "dirty_ratio", long_or_null(m->dirty_ratio),
		"dirty_background_ratio", long_or_null(m->dirty_background_ratio), "dirty_bytes",
		long_or_null((long)m->dirty_bytes), "dirty_background_bytes",
		long_or_null((long)m->dirty_background_bytes), "dirty_expire_centisecs",
		long_or_null(m->dirty_expire_centisecs), "dirty_writeback_centisecs",
		long_or_null(m->dirty_writeback_centisecs), "io_uring_disabled",
		long_or_null(m->io_uring_disabled), "can_drop_caches", m->can_drop_caches, "cgroup",
		str_or_null(m->cgroup), "cgroup_io_max", str_or_null(m->io_max));
	json_object_set_new(root, "locations", locs);
	json_object_set_new(root, "block_devices", devs);
	json_object_set_new(root, "interfaces", nics);
	json_object_set_new(root, "routes", routes);
	json_object_set_new(root, "machine", machine);
	json_t *procs = json_array();
	for (size_t i = 0; i < d->nr_procs; i++)
		json_array_append_new(procs, json_pack("{s:i, s:s, s:f, s:f}", "pid",
						       d->procs[i].pid, "comm", d->procs[i].comm,
						       "read_bytes_s", d->procs[i].read_bytes_s,
						       "write_bytes_s", d->procs[i].write_bytes_s));
	json_object_set_new(root, "io_processes", procs);
	json_object_set_new(root, "dataset_bytes",
			    d->dataset_bytes ? json_integer((json_int_t)d->dataset_bytes)
					     : json_null());
	json_object_set_new(root, "unreadable", json_deep_copy(d->unreadable));
	json_object_set_new(root, "findings", json_deep_copy(d->findings));
	json_object_set_new(root, "seconds", json_real(d->seconds));
	return root;
}

static void print_long(FILE *f, const char *name, long v)
{
	if (v >= 0)
		fprintf(f, " %s=%ld", name, v);
	else
		fprintf(f, " %s=?", name);
}

void diag_print_text(const struct diag *d, FILE *f)
{
	char h1[32];
	char h2[32];
	const json_t *s;
	size_t k;

	for (size_t i = 0; i < d->nr_loc; i++) {
		const struct diag_location *l = &d->loc[i];
		fprintf(f, "%s: %s\n", l->role, l->path);
		if (l->err < 0) {
			fprintf(f, "  cannot resolve: %s\n", strerror(-l->err));
			continue;
		}
		fprintf(f, "  mount     %s (%s) from %s\n", l->dev.mount_point, l->dev.fs_type,
			l->dev.mount_source);
		fprintf(f, "  options   %s\n", l->dev.mount_options);
		fprintf(f, "  space     %s free of %s\n",
			human_size(l->dev.fs_free, h1, sizeof(h1)),
			human_size(l->dev.fs_size, h2, sizeof(h2)));
		if (l->is_nfs)
			fprintf(f,
				"  nfs       server %s export %s vers=%s proto=%s nconnect=%ld "
				"rsize=%ld wsize=%ld %s timeo=%ld\n",
				l->nfs.addr[0] ? l->nfs.addr : l->nfs.server, l->nfs.export_path,
				l->nfs.vers[0] ? l->nfs.vers : "?",
				l->nfs.proto[0] ? l->nfs.proto : "?",
				l->nfs.nconnect > 0 ? l->nfs.nconnect : 1, l->nfs.rsize,
				l->nfs.wsize, l->nfs.soft ? "soft" : "hard", l->nfs.timeo);
		if (l->bdi_read_ahead_kb >= 0)
			fprintf(f, "  readahead %ld kB\n", l->bdi_read_ahead_kb);
		for (size_t c = 0; c < l->dev.nr_chain; c++) {
			const struct diag_blockdev *b = find_dev(d, l->dev.chain[c]);
			fprintf(f, "  %s %s", c ? "  on" : "device", l->dev.chain[c]);
			if (b) {
				fprintf(f, " (%s%s%s, %s", b->kind, b->model[0] ? ", " : "",
					b->model, human_size(b->size_bytes, h1, sizeof(h1)));
				if (b->nvme_ctrl[0])
					fprintf(f, ", controller %s", b->nvme_ctrl);
				fprintf(f, ")%s sched=%s", b->rotational == 1 ? " rotational" : "",
					b->scheduler[0] ? b->scheduler : "?");
				print_long(f, "nr_requests", b->nr_requests);
				print_long(f, "read_ahead_kb", b->read_ahead_kb);
				print_long(f, "max_sectors_kb", b->max_sectors_kb);
				print_long(f, "queue_depth", b->queue_depth);
				print_long(f, "numa", b->numa_node);
			}
			fputc('\n', f);
		}
	}
	for (size_t i = 0; i < d->nr_routes; i++) {
		const struct diag_route *r = &d->routes[i];
		if (r->err)
			fprintf(f, "route to %s (%s): %s\n", r->target, r->why,
				r->err == -ENOENT ? "name does not resolve" : strerror(-r->err));
		else
			fprintf(f, "route to %s (%s, %s): dev %s%s%s%s%s\n", r->target, r->why,
				r->r.dst, r->r.ifname, r->r.gateway[0] ? " via " : "", r->r.gateway,
				r->r.source[0] ? " src " : "", r->r.source);
	}
	fprintf(f, "interfaces:\n");
	for (size_t i = 0; i < d->nr_nics; i++) {
		const struct diag_nic *n = &d->nics[i];
		fprintf(f, "  %-16s %-5s %-10s", n->name, n->operstate, n->type);
		speed_text(n->speed_mbps, h1, sizeof(h1));
		fprintf(f, " %s %s mtu=%ld driver=%s", h1, n->duplex[0] ? n->duplex : "", n->mtu,
			n->driver[0] ? n->driver : "?");
		print_long(f, "numa", n->numa_node);
		if (n->master[0])
			fprintf(f, " master=%s", n->master);
		if (n->slaves[0])
			fprintf(f, " members=%s", n->slaves);
		fputc('\n', f);
	}
	const struct diag_machine *m = &d->machine;
	fprintf(f, "machine: %s, %s, %ld cores, %ld NUMA node%s, %s memory, kernel %s\n",
		m->host.hostname, m->host.cpu_model[0] ? m->host.cpu_model : "unknown CPU",
		m->host.cores, m->numa_nodes, m->numa_nodes == 1 ? "" : "s",
		human_size(m->host.mem_bytes, h1, sizeof(h1)), m->host.kernel);
	fprintf(f, "  governor=%s", m->governor[0] ? m->governor : "?");
	print_long(f, "vm.dirty_ratio", m->dirty_ratio);
	print_long(f, "vm.dirty_background_ratio", m->dirty_background_ratio);
	print_long(f, "vm.dirty_bytes", (long)m->dirty_bytes);
	print_long(f, "vm.dirty_background_bytes", (long)m->dirty_background_bytes);
	print_long(f, "vm.dirty_expire_centisecs", m->dirty_expire_centisecs);
	fprintf(f, "\n  io_uring %s, drop caches %s, cgroup %s, io.max %s\n",
		m->io_uring_disabled == 0   ? "enabled"
		: m->io_uring_disabled == 1 ? "root only"
		: m->io_uring_disabled == 2 ? "disabled"
					    : "unknown",
		m->can_drop_caches ? "allowed" : "not allowed (needs root)",
		m->cgroup[0] ? m->cgroup : "?", m->io_max[0] ? m->io_max : "none");
	fprintf(f, "other processes doing I/O:%s\n", d->nr_procs ? "" : " none");
	for (size_t i = 0; i < d->nr_procs; i++)
		fprintf(f, "  %d %-16s read %.1f MB/s, written %.1f MB/s\n", d->procs[i].pid,
			d->procs[i].comm, d->procs[i].read_bytes_s / 1e6,
			d->procs[i].write_bytes_s / 1e6);
	if (json_array_size(d->unreadable)) {
		fprintf(f, "not read:\n");
		json_array_foreach(d->unreadable, k, s) fprintf(f, "  %s\n", json_string_value(s));
	}
	fprintf(f, "findings:%s\n", json_array_size(d->findings) ? "" : " none");
	json_array_foreach(d->findings, k, s) fprintf(f, "  - %s\n", json_string_value(s));
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
