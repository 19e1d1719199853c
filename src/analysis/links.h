/* SPDX-License-Identifier: MIT */
/*
 * links.h - after a run, the network link that carried the bytes, judged against what diag
 * predicted. Pure: results.json's "diag" object and a run's "sampler" summary in, sentences out.
 *
 *	links_run_findings(diag, run_sampler, findings);
 *
 * appends at most two sentences:
 *	"eth0 carried the bytes (received 1180.0 MB/s, 94 % of its 10 Gb/s: the link was the
 *	 limit), the link diag predicted for the source's server 10.0.0.5"
 *	"ib0 (100 Gb/s) is up while the bytes came over eth0 (10 Gb/s): the mount should use the
 *	 storage network's address, so that they take ib0"
 * The first says which link carried the bytes (the sampler's top_interface), at what share of
 * its speed (in its busier direction), and whether it is the link of the route diag predicted
 * ("..., not eth1, the link diag predicted for ..." when it is not): the route to the source's
 * servers, else DST's, one reached by RDMA over an interface with a port under it, else the
 * first. The second comes when an
 * interface or an InfiniBand/RoCE port that is up is faster than the one that carried them.
 * A link's speed is its interface's (the rate of a tbf at its root when lower) or its port's
 * rate; an RDMA port and the IP interface on it are one link. Nothing is said when no network
 * filesystem's server was routed, or when no link moved 0.1 MB/s.
 */
#ifndef CCB_LINKS_H
#define CCB_LINKS_H

#include <stddef.h>
#include <jansson.h>

/* Below this mean rate (bytes/s) in its busier direction a link did not carry a copy. */
#define LINKS_MIN_RATE 1e5
/* A link that moved bytes at this share of its speed was the limit. */
#define LINKS_BOUND_SHARE 0.8

void links_run_findings(const json_t *diag, const json_t *sampler, json_t *findings);

/* A link speed as people write it: "25 Gb/s", "100 Mb/s", "2.5 Gb/s", "unknown speed". */
void links_speed_text(long mbps, char *buf, size_t len);

#endif
