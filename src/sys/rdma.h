/* SPDX-License-Identifier: MIT */
/*
 * rdma.h - InfiniBand and RoCE ports from /sys/class/infiniband: what each is (rate, link
 * layer, state, the IP interface on it) and the bytes it moved. RDMA traffic (NFS over RDMA,
 * Lustre o2ib, BeeGFS and GPFS verbs) never shows in /proc/net/dev; the port's counters see it.
 *
 *	struct rdma_port *ports; size_t nr;
 *	rdma_list_ports(sysroot, &ports, &nr);		"mlx5_0/1", "100 Gb/sec (4X EDR)", ...
 *	rdma_read_counters(sysroot, &ports[0], &c);	bytes and packets since boot
 *	free(ports);
 *
 * The counters, as drivers/infiniband/core/sysfs.c lays them out:
 *	ports/N/counters/port_{rcv,xmit}_data	octets divided by 4 (PortCounters); 64 bits
 *						wide where the device has PortCountersExtended
 *						(4.5+), else 32 bits that stop at 2^32 - 1
 *	ports/N/counters_ext/port_{rcv,xmit}_data_64	the same, 64 bits, before 4.5
 *	ports/N/hw_counters/{rx,tx}_bytes	bytes, for devices without a PMA (bnxt_re)
 */
#ifndef CCB_RDMA_H
#define CCB_RDMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RDMA_NAME_LEN 80 /* "<device>/<port>"; IB_DEVICE_NAME_MAX is 64 */

/* Where a port's byte counters come from. */
enum rdma_counter_source {
	RDMA_COUNTERS_NONE,
	RDMA_COUNTERS_PMA, /* counters/port_*_data, 4-byte words */
	RDMA_COUNTERS_EXT, /* counters_ext/port_*_data_64, 4-byte words */
	RDMA_COUNTERS_HW,  /* hw_counters/{rx,tx}_bytes, bytes */
};

struct rdma_port {
	char name[RDMA_NAME_LEN]; /* "mlx5_0/1" */
	char device[64];	  /* "mlx5_0" */
	unsigned port;
	char link_layer[16]; /* "InfiniBand", "Ethernet" (RoCE) */
	char state[16];	     /* "ACTIVE", "DOWN", ... */
	char phys_state[32]; /* "LinkUp", "Disabled", ... */
	char rate[64];	     /* as sysfs says: "100 Gb/sec (4X EDR)" */
	long rate_mbps;	     /* -1 unknown */
	char netdev[16];     /* the IP interface on the port: ib0 (IPoIB), the RoCE netdev */
	enum rdma_counter_source counters;
	bool up; /* state ACTIVE */
};

struct rdma_counters {
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets;
	bool saturated; /* a 32-bit PMA counter stuck at 2^32 - 1: counting has stopped */
};

/* "100 Gb/sec (4X EDR)" -> 100000 Mb/s, "2.5 Gb/sec (1X SDR)" -> 2500; -1 when unreadable. */
long rdma_parse_rate(const char *text);
/* "4: ACTIVE" -> "ACTIVE". */
void rdma_parse_state(const char *text, char *buf, size_t len);

/*
 * Every port under sysroot/sys/class/infiniband, sorted by name, into *ports (free it). 0 (none
 * is 0 with *nr 0), or -errno when the folder exists but cannot be read.
 */
int rdma_list_ports(const char *sysroot, struct rdma_port **ports, size_t *nr);

/* The port's counters now, in bytes. 0, or -errno (-ENODATA: "N/A (no PMA)", no counters). */
int rdma_read_counters(const char *sysroot, const struct rdma_port *p, struct rdma_counters *c);

#endif
