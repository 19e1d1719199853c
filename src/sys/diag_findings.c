/* SPDX-License-Identifier: MIT */
/* diag_findings.c - plain sentences from what diag read, and from a run against it (diag.h). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "analysis/links.h"
#include "lib/util.h"
#include "sys/diag.h"
#include "sys/diag_int.h"

/* Below these an NFS mount or a network filesystem's readahead throttles large sequential reads. */
#define DIAG_NFS_MIN_IO (1024 * 1024)
#define DIAG_MIN_READ_AHEAD_KB 128

/* ---- findings ----------------------------------------------------------------------------- */

void diag_speed_text(long mbps, char *buf, size_t len)
{
	links_speed_text(mbps, buf, len);
}

const struct diag_nic *diag_find_nic(const struct diag *d, const char *name)
{
	for (size_t i = 0; i < d->nr_nics; i++)
		if (!strcmp(d->nics[i].name, name))
			return &d->nics[i];
	return NULL;
}

const struct rdma_port *diag_find_rdma(const struct diag *d, const char *name)
{
	for (size_t i = 0; i < d->nr_rdma; i++)
		if (!strcmp(d->rdma[i].name, name))
			return &d->rdma[i];
	return NULL;
}

long diag_nic_mbps(const struct diag_nic *n)
{
	if (n->shaped_mbps > 0 && (n->speed_mbps <= 0 || n->shaped_mbps < n->speed_mbps))
		return n->shaped_mbps;
	return n->speed_mbps;
}

void diag_route_link(const struct diag *d, const struct diag_route *r, struct diag_link *l)
{
	const struct diag_nic *nic = r->err ? NULL : diag_find_nic(d, r->r.ifname);
	const struct rdma_port *port = nic && r->rdma ? diag_find_rdma(d, nic->rdma_port) : NULL;

	memset(l, 0, sizeof(*l));
	l->mbps = -1;
	if (r->err)
		return;
	l->name = r->r.ifname;
	if (port) {
		l->name = port->name;
		l->mbps = port->rate_mbps;
		l->rdma = true;
	} else if (nic) {
		l->mbps = diag_nic_mbps(nic);
	}
}

/* The fastest up interface other than loopback; NULL when none has a known speed. */
static const struct diag_nic *fastest_up(const struct diag *d)
{
	const struct diag_nic *best = NULL;

	for (size_t i = 0; i < d->nr_nics; i++) {
		const struct diag_nic *n = &d->nics[i];
		if (!n->up || !strcmp(n->type, "loopback") || diag_nic_mbps(n) <= 0)
			continue;
		if (!best || diag_nic_mbps(n) > diag_nic_mbps(best))
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
	const struct diag_nic *via = diag_find_nic(d, r->r.ifname);
	const struct diag_nic *best = fastest_up(d);
	if (!via)
		return;
	if (!via->up && strcmp(via->type, "loopback"))
		add_stringf(d->findings, "route to the storage server %s goes over %s, which is %s",
			    r->target, via->name, via->operstate);
	if (best && diag_nic_mbps(via) > 0 && diag_nic_mbps(best) > diag_nic_mbps(via) &&
	    strcmp(best->name, via->name)) {
		diag_speed_text(diag_nic_mbps(via), a, sizeof(a));
		diag_speed_text(diag_nic_mbps(best), b, sizeof(b));
		add_stringf(d->findings,
			    "route to the storage server %s goes over %s (%s) while %s "
			    "(%s) is up",
			    r->target, via->name, a, best->name, b);
	}
	if (r->rdma && !via->rdma_port[0] && strcmp(via->type, "loopback"))
		add_stringf(d->findings,
			    "the storage server %s is reached by RDMA (%s) over %s, which has no "
			    "InfiniBand or RoCE port under it to count the bytes on",
			    r->target, r->transport[0] ? r->transport : r->fs, via->name);
	if (!strcmp(via->type, "ether") && via->mtu > 0 && via->mtu < 9000 && best == via &&
	    via->speed_mbps >= 25000)
		add_stringf(d->findings,
			    "%s carries the storage traffic at %ld Mb/s with MTU %ld "
			    "(jumbo frames are usual at this speed)",
			    via->name, via->speed_mbps, via->mtu);
}

/* What a network mount's line says of its server: a VM's host, none, or none diag can tell. */
static void netfs_findings(struct diag *d, const struct diag_location *l)
{
	const struct netfs_mount *m = &l->netfs;
	char text[512];

	if (m->kind == NETFS_NONE || m->kind == NETFS_OTHER || m->nr_servers)
		return;
	netfs_describe(m, text, sizeof(text));
	if (m->vm_host)
		add_stringf(d->findings, "%s is on %s from a VM's host (%s): no network link "
			    "carries its bytes", l->role, m->name, l->dev.mount_point);
	else
		add_stringf(d->findings, "%s (%s) is on %s", l->role, l->dev.mount_point, text);
}

/*
 * SRC and DST on one device: the copy reads and writes the same disk at once, which is neither
 * what the cache will do (read the network, write the disk) nor a disk doing one thing.
 */
static void same_device(struct diag *d)
{
	const struct diag_location *src = NULL;
	const struct diag_location *dst = NULL;

	for (size_t i = 0; i < d->nr_loc; i++) {
		if (d->loc[i].err < 0)
			continue;
		if (!strcmp(d->loc[i].role, "source"))
			src = &d->loc[i];
		else if (!strcmp(d->loc[i].role, "destination"))
			dst = &d->loc[i];
	}
	if (!src || !dst)
		return;
	for (size_t a = 0; a < src->dev.nr_chain; a++) {
		for (size_t b = 0; b < dst->dev.nr_chain; b++) {
			if (strcmp(src->dev.chain[a], dst->dev.chain[b]))
				continue;
			add_stringf(d->findings,
				    "SRC and DST are on the same device (%s): the copy reads and "
				    "writes one disk at once, so it measures that disk doing both, "
				    "not a copy from storage to a cache", src->dev.chain[a]);
			return;
		}
	}
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
		netfs_findings(d, l);
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
			const struct diag_blockdev *b = diag_find_dev(d, l->dev.chain[c]);
			if (b && b->rotational == 1 && dst && strcmp(b->kind, "loop") &&
			    strcmp(b->kind, "partition"))
				add_stringf(d->findings, "DST is on a rotational disk (%s)",
					    b->name);
		}
	}
	same_device(d);
	diag_host_findings(d);
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
	for (size_t i = 0; i < m->nr_io_limits; i++) {
		char text[512];

		diag_io_limit_text(&m->io_limits[i], text, sizeof(text));
		add_stringf(d->findings, "%s: copies through it cannot go faster", text);
	}
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

/* ---- after a run ------------------------------------------------------------------------ */

void diag_run_findings(const json_t *diag, const json_t *run, json_t *findings)
{
	links_run_findings(diag, json_object_get(run, "sampler"), findings);
}
