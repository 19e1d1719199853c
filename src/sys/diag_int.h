/* SPDX-License-Identifier: MIT */
/*
 * diag_int.h - what diag's pieces (reading, findings, printing) share. Not for use outside
 * src/sys/diag*.c.
 */
#ifndef CCB_DIAG_INT_H
#define CCB_DIAG_INT_H

#include <stddef.h>

#include <stdbool.h>

struct diag;
struct diag_blockdev;
struct diag_nic;
struct diag_route;
struct rdma_port;

/* The block device name diag_read found, or NULL. */
const struct diag_blockdev *diag_find_dev(const struct diag *d, const char *name);

/* A link speed as people write it: "25 Gb/s", "100 Mb/s", "unknown speed". */
void diag_speed_text(long mbps, char *buf, size_t len);

/* The interface or RDMA port of that name diag_read found, or NULL. */
const struct diag_nic *diag_find_nic(const struct diag *d, const char *name);
const struct rdma_port *diag_find_rdma(const struct diag *d, const char *name);
/* What an interface can carry: its speed, or the rate of a tbf at its root when lower. */
long diag_nic_mbps(const struct diag_nic *n);

/*
 * The link a route's bytes take: its interface, or for an RDMA transport the InfiniBand/RoCE
 * port under that interface. name NULL when the route has none.
 */
struct diag_link {
	const char *name;
	long mbps; /* -1 unknown */
	bool rdma;
};
void diag_route_link(const struct diag *d, const struct diag_route *r, struct diag_link *l);

/* This process's cgroups and the I/O limits they put on SRC's and DST's devices (diag_cgroup.c). */
void diag_read_cgroup(struct diag *d);
struct diag_io_limit;
/*
 * A limit in words: "cgroup /docker/abc limits reading vda (254:0) to 10.5 MB/s
 * (blkio.throttle.read_bps_device)", "... to 500 I/O a second (io.max riops=500)".
 */
void diag_io_limit_text(const struct diag_io_limit *l, char *buf, size_t len);

/* DST's online discard and the VM's free page reporting, as findings (diag_host.c). */
void diag_host_findings(struct diag *d);

#endif
