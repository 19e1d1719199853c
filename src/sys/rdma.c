/* SPDX-License-Identifier: MIT */
/* rdma.c - InfiniBand and RoCE ports and their byte counters from /sys/class/infiniband. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "sys/rdma.h"

#define IB_CLASS "/sys/class/infiniband"

long rdma_parse_rate(const char *text)
{
	char *end;
	const double gbps = strtod(text ? text : "", &end);

	if (end == text || gbps <= 0 || strncmp(end, " Gb/sec", 7))
		return -1;
	return (long)(gbps * 1000 + 0.5);
}

void rdma_parse_state(const char *text, char *buf, size_t len)
{
	const char *colon = strchr(text, ':');
	const char *s = colon ? colon + 1 : text;

	while (*s == ' ')
		s++;
	strf(buf, len, "%.*s", (int)strcspn(s, "\n"), s);
}

/* The first line of sysroot + path (formatted), trimmed, into buf. 0 or -errno. */
static int read_line(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int read_line(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	char *path;
	char *text = NULL;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&path, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -ENOMEM;
	ret = read_text_file(path, &text, NULL);
	free(path);
	if (ret < 0)
		return ret;
	text[strcspn(text, "\n")] = '\0';
	strf(buf, len, "%s", text);
	free(text);
	return 0;
}

static bool exists(const char *sysroot, const struct rdma_port *p, const char *file)
{
	char *path = xasprintf("%s" IB_CLASS "/%s/ports/%u/%s", sysroot, p->device, p->port, file);
	const bool ok = access(path, F_OK) == 0;

	free(path);
	return ok;
}

/*
 * The IP interface on a port: a RoCE port's GID table names it (gid_attrs/ndevs/0); an IPoIB
 * interface sits on the same PCI function (device/net/) with dev_port = port - 1.
 */
static void find_netdev(const char *sysroot, struct rdma_port *p)
{
	char buf[64];
	struct dirent *de;
	size_t nr = 0;
	char only[16] = "";

	if (read_line(buf, sizeof(buf), "%s" IB_CLASS "/%s/ports/%u/gid_attrs/ndevs/0", sysroot,
		      p->device, p->port) == 0 &&
	    buf[0]) {
		strf(p->netdev, sizeof(p->netdev), "%s", buf);
		return;
	}
	char *dir_path = xasprintf("%s" IB_CLASS "/%s/device/net", sysroot, p->device);
	DIR *dir = opendir(dir_path);
	free(dir_path);
	if (!dir)
		return;
	while ((de = readdir(dir)) != NULL) {
		long dev_port;

		if (de->d_name[0] == '.')
			continue;
		nr++;
		strf(only, sizeof(only), "%s", de->d_name);
		if (read_line(buf, sizeof(buf), "%s" IB_CLASS "/%s/device/net/%s/dev_port", sysroot,
			      p->device, de->d_name) == 0 &&
		    !parse_long(buf, 0, 255, &dev_port) && (unsigned)dev_port + 1 == p->port) {
			strf(p->netdev, sizeof(p->netdev), "%s", de->d_name);
			break;
		}
	}
	closedir(dir);
	if (!p->netdev[0] && nr == 1)
		strf(p->netdev, sizeof(p->netdev), "%s", only);
}

static void read_port(const char *sysroot, struct rdma_port *p)
{
	char buf[128];

	if (read_line(buf, sizeof(buf), "%s" IB_CLASS "/%s/ports/%u/link_layer", sysroot, p->device,
		      p->port) == 0)
		strf(p->link_layer, sizeof(p->link_layer), "%s", buf);
	if (read_line(buf, sizeof(buf), "%s" IB_CLASS "/%s/ports/%u/state", sysroot, p->device,
		      p->port) == 0)
		rdma_parse_state(buf, p->state, sizeof(p->state));
	if (read_line(buf, sizeof(buf), "%s" IB_CLASS "/%s/ports/%u/phys_state", sysroot, p->device,
		      p->port) == 0)
		rdma_parse_state(buf, p->phys_state, sizeof(p->phys_state));
	p->rate_mbps = -1;
	if (read_line(buf, sizeof(buf), "%s" IB_CLASS "/%s/ports/%u/rate", sysroot, p->device,
		      p->port) == 0) {
		strf(p->rate, sizeof(p->rate), "%s", buf);
		p->rate_mbps = rdma_parse_rate(buf);
	}
	p->up = !strcmp(p->state, "ACTIVE");
	/* The 64-bit counters where the kernel has them apart (before 4.5), else the PMA's. */
	if (exists(sysroot, p, "counters_ext/port_rcv_data_64"))
		p->counters = RDMA_COUNTERS_EXT;
	else if (exists(sysroot, p, "counters/port_rcv_data"))
		p->counters = RDMA_COUNTERS_PMA;
	else if (exists(sysroot, p, "hw_counters/rx_bytes"))
		p->counters = RDMA_COUNTERS_HW;
	find_netdev(sysroot, p);
}

static int port_cmp(const void *a, const void *b)
{
	const struct rdma_port *x = a;
	const struct rdma_port *y = b;
	const int c = strcmp(x->device, y->device);

	return c ? c : (x->port > y->port) - (x->port < y->port);
}

/* The ports of one device, appended to *v. */
static void list_device(const char *sysroot, const char *device, struct rdma_port **v, size_t *nr,
			size_t *alloc)
{
	char *path = xasprintf("%s" IB_CLASS "/%s/ports", sysroot, device);
	DIR *dir = opendir(path);
	struct dirent *de;

	free(path);
	if (!dir)
		return;
	while ((de = readdir(dir)) != NULL) {
		long port;

		if (parse_long(de->d_name, 1, 255, &port))
			continue;
		if (*nr == *alloc) {
			*alloc = *alloc ? 2 * *alloc : 4;
			*v = xrealloc(*v, *alloc * sizeof(**v));
		}
		struct rdma_port *p = &(*v)[(*nr)++];
		memset(p, 0, sizeof(*p));
		strf(p->device, sizeof(p->device), "%s", device);
		p->port = (unsigned)port;
		strf(p->name, sizeof(p->name), "%s/%u", device, p->port);
		read_port(sysroot, p);
	}
	closedir(dir);
}

int rdma_list_ports(const char *sysroot, struct rdma_port **ports, size_t *nr)
{
	char *path = xasprintf("%s" IB_CLASS, sysroot ? sysroot : "");
	DIR *dir = opendir(path);
	struct dirent *de;
	size_t alloc = 0;

	free(path);
	*ports = NULL;
	*nr = 0;
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			list_device(sysroot ? sysroot : "", de->d_name, ports, nr, &alloc);
	closedir(dir);
	if (*nr)
		qsort(*ports, *nr, sizeof(**ports), port_cmp);
	return 0;
}

/* One counter file of the port as a number. 0, -ENODATA ("N/A (no PMA)") or -errno. */
static int read_counter(const char *sysroot, const struct rdma_port *p, const char *file,
			uint64_t *v)
{
	char buf[64];
	char *end;
	const int ret = read_line(buf, sizeof(buf), "%s" IB_CLASS "/%s/ports/%u/%s", sysroot,
				  p->device, p->port, file);

	if (ret < 0)
		return ret;
	if (!isdigit((unsigned char)buf[0]))
		return -ENODATA;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno || *end ? -ENODATA : 0;
}

int rdma_read_counters(const char *sysroot, const struct rdma_port *p, struct rdma_counters *c)
{
	static const char *const files[][4] = {
		[RDMA_COUNTERS_PMA] = {"counters/port_rcv_data", "counters/port_xmit_data",
				       "counters/port_rcv_packets", "counters/port_xmit_packets"},
		[RDMA_COUNTERS_EXT] = {"counters_ext/port_rcv_data_64",
				       "counters_ext/port_xmit_data_64",
				       "counters_ext/port_rcv_packets_64",
				       "counters_ext/port_xmit_packets_64"},
		[RDMA_COUNTERS_HW] = {"hw_counters/rx_bytes", "hw_counters/tx_bytes",
				      "hw_counters/rx_pkts", "hw_counters/tx_pkts"},
	};
	uint64_t v[4] = {0};
	int ret;

	memset(c, 0, sizeof(*c));
	if (p->counters == RDMA_COUNTERS_NONE)
		return -ENODATA;
	sysroot = sysroot ? sysroot : "";
	for (int i = 0; i < 4; i++) {
		ret = read_counter(sysroot, p, files[p->counters][i], &v[i]);
		/* Bytes are needed; a missing packet counter reads 0. */
		if (ret < 0 && i < 2)
			return ret;
	}
	/* The data counters count 4-byte words ("octets divided by 4"); hw_counters bytes. */
	const uint64_t unit = p->counters == RDMA_COUNTERS_HW ? 1 : 4;
	c->saturated =
		p->counters == RDMA_COUNTERS_PMA && (v[0] == UINT32_MAX || v[1] == UINT32_MAX);
	c->rx_bytes = v[0] * unit;
	c->tx_bytes = v[1] * unit;
	c->rx_packets = v[2];
	c->tx_packets = v[3];
	return 0;
}
