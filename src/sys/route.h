/* SPDX-License-Identifier: MIT */
/* route.h - the route the kernel would take to an address (`ip route get`), over rtnetlink. */
#ifndef CCB_ROUTE_H
#define CCB_ROUTE_H

#include <net/if.h>
#include <stdint.h>

struct route_info {
	char dst[64];		  /* the address asked about, as text */
	char ifname[IF_NAMESIZE]; /* output interface */
	char gateway[64];	  /* "" when the destination is on a directly connected link */
	char source[64];	  /* preferred source address, "" when the kernel gave none */
	unsigned ifindex;
};

/*
 * Ask the kernel (RTM_GETROUTE, no root needed) for the route to addr, an IPv4 or IPv6 literal.
 * Returns 0, -EINVAL (not an address literal), -ENETUNREACH / -EHOSTUNREACH as the kernel says,
 * or another -errno.
 */
int route_get(const char *addr, struct route_info *r);

/*
 * Resolve host (a name or an address literal) to the address text the route is asked for: the
 * first of getaddrinfo's answers. Returns 0 or -ENOENT.
 */
int route_resolve(const char *host, char *addr, size_t len);

/*
 * The rate of a tbf qdisc at the root of interface ifindex (RTM_GETQDISC, no root needed): what
 * `tc qdisc add dev IF root tbf rate R` holds its sending to, whatever the link's speed. 0 with
 * *bytes_s set, -ENOENT when its root qdisc is not tbf, or another -errno.
 */
int route_tbf_rate(unsigned ifindex, uint64_t *bytes_s);

#endif
