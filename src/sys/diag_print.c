/* SPDX-License-Identifier: MIT */
/* diag_print.c - what diag read and found, as text and as results.json's "diag" (diag.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/text.h"
#include "lib/util.h"
#include "sys/diag.h"
#include "sys/diag_int.h"

/* ---- printing ----------------------------------------------------------------------------- */

static json_t *long_or_null(long v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? text_json(s) : json_null();
}

static const char *const counter_names[] = {
	[RDMA_COUNTERS_NONE] = NULL,
	[RDMA_COUNTERS_PMA] = "counters",
	[RDMA_COUNTERS_EXT] = "counters_ext",
	[RDMA_COUNTERS_HW] = "hw_counters",
};

static json_t *rdma_json(const struct rdma_port *p)
{
	return json_pack("{s:s, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "name", p->name,
			 "device", p->device, "port", (int)p->port, "link_layer",
			 str_or_null(p->link_layer), "state", str_or_null(p->state), "phys_state",
			 str_or_null(p->phys_state), "rate", str_or_null(p->rate), "rate_mbps",
			 long_or_null(p->rate_mbps), "netdev", str_or_null(p->netdev), "counters",
			 str_or_null(counter_names[p->counters]));
}

/* A network mount's servers, as netfs.c read them from the line and the client's config. */
static json_t *netfs_json(const struct netfs_mount *m)
{
	json_t *servers = json_array();
	char text[512];

	for (size_t i = 0; i < m->nr_servers; i++)
		json_array_append_new(servers,
				      json_pack("{s:s, s:o, s:b}", "host", m->servers[i].host,
						"transport", str_or_null(m->servers[i].transport),
						"rdma", m->servers[i].rdma));
	netfs_describe(m, text, sizeof(text));
	json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:b, s:b, s:s}", "kind", m->name,
			      "path", str_or_null(m->path), "user", str_or_null(m->user),
			      "servers", servers, "config_file", str_or_null(m->config_file),
			      "vm_host", m->vm_host, "no_server", m->no_server, "description", text);
	if (m->kind == NETFS_GPFS)
		json_object_set_new(o, "daemon",
				    m->daemon_config
					    ? json_pack("{s:b, s:o, s:o}", "verbs_rdma", m->daemon_rdma,
							"verbs_ports", str_or_null(m->daemon_ports),
							"subnets", str_or_null(m->daemon_subnets))
					    : json_null());
	return o;
}

static json_t *route_json(const struct diag *d, const struct diag_route *r)
{
	json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:b}", "target", text_json(r->target), "why",
			      text_json(r->why),
			      "fs", str_or_null(r->fs), "transport", str_or_null(r->transport),
			      "rdma", r->rdma);
	struct diag_link link;

	if (r->err) {
		json_object_set_new(o, "error",
				    json_string(r->err == -ENOENT ? "name does not resolve"
								  : strerror(-r->err)));
		json_object_set_new(o, "interface", json_null());
		return o;
	}
	const struct diag_nic *nic = diag_find_nic(d, r->r.ifname);
	diag_route_link(d, r, &link);
	json_object_set_new(o, "address", text_json(r->r.dst));
	json_object_set_new(o, "interface", text_json(r->r.ifname));
	json_object_set_new(o, "gateway", str_or_null(r->r.gateway));
	json_object_set_new(o, "source", str_or_null(r->r.source));
	json_object_set_new(o, "speed_mbps", long_or_null(nic ? diag_nic_mbps(nic) : -1));
	json_object_set_new(o, "rdma_port", str_or_null(nic ? nic->rdma_port : NULL));
	json_object_set_new(o, "link", str_or_null(link.name));
	json_object_set_new(o, "link_speed_mbps", long_or_null(link.mbps));
	return o;
}

/* machine.io_limits: the cgroups' I/O limits on the devices behind SRC and DST. */
static json_t *io_limits_json(const struct diag_machine *m)
{
	json_t *a = json_array();

	for (size_t i = 0; i < m->nr_io_limits; i++) {
		const struct diag_io_limit *l = &m->io_limits[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o, s:I, s:I, s:I}", "cgroup",
						   l->cgroup, "file", l->file, "key", l->key,
						   "device", str_or_null(l->dev), "major",
						   (json_int_t)l->major, "minor",
						   (json_int_t)l->minor, "value",
						   (json_int_t)l->value));
	}
	return a;
}

/* Where each path lives: mount, filesystem, device chain, network filesystem, route. */
static json_t *locations_json(const struct diag *d)
{
	json_t *locs = json_array();

	for (size_t i = 0; i < d->nr_loc; i++) {
		const struct diag_location *l = &d->loc[i];
		json_t *o = json_pack("{s:s, s:o}", "role", l->role, "path", text_json(l->path));
		json_t *chain = json_array();

		json_array_append_new(locs, o);
		if (l->err < 0) {
			json_object_set_new(o, "error", json_string(strerror(-l->err)));
			json_decref(chain);
			continue;
		}
		for (size_t c = 0; c < l->dev.nr_chain; c++)
			json_array_append_new(chain, text_json(l->dev.chain[c]));
		json_object_set_new(o, "mount_point", str_or_null(l->dev.mount_point));
		json_object_set_new(o, "fs_type", str_or_null(l->dev.fs_type));
		json_object_set_new(o, "mount_source", str_or_null(l->dev.mount_source));
		json_object_set_new(o, "mount_options", str_or_null(l->dev.mount_options));
		json_object_set_new(o, "network_fs", json_boolean(l->is_network));
		json_object_set_new(o, "discard", json_boolean(l->discard));
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
		if (l->netfs.kind != NETFS_NONE)
			json_object_set_new(o, "netfs", netfs_json(&l->netfs));
		json_object_set_new(o, "route",
				    l->route >= 0 ? json_integer(l->route) : json_null());
	}
	return locs;
}

json_t *diag_json(const struct diag *d)
{
	json_t *root = json_object();
	json_t *locs = locations_json(d);
	json_t *devs = json_array();
	json_t *nics = json_array();
	json_t *routes = json_array();

	for (size_t i = 0; i < d->nr_devs; i++) {
		const struct diag_blockdev *b = &d->devs[i];
		json_array_append_new(
			devs,
			json_pack("{s:o, s:s, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
				  "name", text_json(b->name), "kind", b->kind, "model",
				  str_or_null(b->model),
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
			json_pack("{s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
				  "name", text_json(n->name), "type", n->type, "operstate", n->operstate,
				  "speed_mbps", long_or_null(n->speed_mbps), "shaped_mbps",
				  long_or_null(n->shaped_mbps), "duplex", str_or_null(n->duplex),
				  "mtu", long_or_null(n->mtu), "driver", str_or_null(n->driver),
				  "numa_node", long_or_null(n->numa_node), "master",
				  str_or_null(n->master), "bond_members", str_or_null(n->slaves),
				  "rdma_port", str_or_null(n->rdma_port)));
	}
	for (size_t i = 0; i < d->nr_routes; i++)
		json_array_append_new(routes, route_json(d, &d->routes[i]));
	json_t *rdma = json_array();
	for (size_t i = 0; i < d->nr_rdma; i++)
		json_array_append_new(rdma, rdma_json(&d->rdma[i]));
	const struct diag_machine *m = &d->machine;
	json_t *machine = json_pack(
		"{s:o, s:o, s:o, s:I, s:I, s:I, s:o, s:{s:o, s:o, s:o, s:o, s:o, s:o}, s:o, s:b, "
		"s:o, "
		"s:o}",
		"hostname", text_json(m->host.hostname), "kernel", text_json(m->host.kernel),
		"cpu_model", text_json(m->host.cpu_model), "cores", (json_int_t)m->host.cores,
		"numa_nodes",
		(json_int_t)m->numa_nodes, "mem_bytes", (json_int_t)m->host.mem_bytes, "governor",
		str_or_null(m->governor), "vm", "dirty_ratio", long_or_null(m->dirty_ratio),
		"dirty_background_ratio", long_or_null(m->dirty_background_ratio), "dirty_bytes",
		long_or_null((long)m->dirty_bytes), "dirty_background_bytes",
		long_or_null((long)m->dirty_background_bytes), "dirty_expire_centisecs",
		long_or_null(m->dirty_expire_centisecs), "dirty_writeback_centisecs",
		long_or_null(m->dirty_writeback_centisecs), "io_uring_disabled",
		long_or_null(m->io_uring_disabled), "can_drop_caches", m->can_drop_caches, "cgroup",
		str_or_null(m->cgroup), "cgroup_io_max", str_or_null(m->io_max));
	json_object_set_new(machine, "cgroup_blkio", str_or_null(m->cgroup_blkio));
	json_object_set_new(machine, "io_limits", io_limits_json(m));
	json_object_set_new(machine, "free_page_reporting",
			    m->free_page_reporting < 0 ? json_null()
						       : json_boolean(m->free_page_reporting));
	json_object_set_new(root, "locations", locs);
	json_object_set_new(root, "block_devices", devs);
	json_object_set_new(root, "interfaces", nics);
	json_object_set_new(root, "routes", routes);
	json_object_set_new(root, "rdma_ports", rdma);
	json_object_set_new(root, "machine", machine);
	json_t *procs = json_array();
	for (size_t i = 0; i < d->nr_procs; i++)
		json_array_append_new(procs, json_pack("{s:i, s:o, s:f, s:f}", "pid",
						       d->procs[i].pid, "comm",
						       text_json(d->procs[i].comm),
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

/* "route to 10.0.0.2 (source, Lustre o2ib, 10.0.0.2): dev ib0 (100 Gb/s, RDMA port mlx5_0/1)" */
static void print_route(const struct diag *d, const struct diag_route *r, FILE *f)
{
	struct diag_link link;
	char speed[32];
	char kind[48] = "";

	if (r->fs[0])
		strf(kind, sizeof(kind), ", %s%s%s", r->fs, r->transport[0] ? " " : "",
			  r->transport);
	if (r->err) {
		fprintf(f, "route to %s (%s%s): %s\n", r->target, r->why, kind,
			r->err == -ENOENT ? "name does not resolve" : strerror(-r->err));
		return;
	}
	const struct diag_nic *nic = diag_find_nic(d, r->r.ifname);
	diag_route_link(d, r, &link);
	diag_speed_text(nic ? diag_nic_mbps(nic) : -1, speed, sizeof(speed));
	fprintf(f, "route to %s (%s%s, %s): dev %s (%s%s%s)%s%s%s%s\n", r->target, r->why, kind,
		r->r.dst, r->r.ifname, speed, link.rdma ? ", RDMA port " : "",
		link.rdma ? link.name : "", r->r.gateway[0] ? " via " : "", r->r.gateway,
		r->r.source[0] ? " src " : "", r->r.source);
}

/* The machine's settings and this process's cgroups, for diag_print_text. */
static void print_machine(const struct diag_machine *m, FILE *f)
{
	char h1[32];

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
	fprintf(f, "\n  io_uring %s, drop caches %s, cgroup %s%s%s, I/O limits%s\n",
		m->io_uring_disabled == 0   ? "enabled"
		: m->io_uring_disabled == 1 ? "root only"
		: m->io_uring_disabled == 2 ? "disabled"
					    : "unknown",
		m->can_drop_caches ? "allowed" : "not allowed (needs root)",
		m->cgroup[0] ? m->cgroup : "?", m->cgroup_blkio[0] ? ", blkio (v1) " : "",
		m->cgroup_blkio, m->nr_io_limits ? ":" : " on these devices: none");
	for (size_t i = 0; i < m->nr_io_limits; i++) {
		char text[512];

		diag_io_limit_text(&m->io_limits[i], text, sizeof(text));
		fprintf(f, "    %s\n", text);
	}
	fprintf(f, "  free page reporting to a VM host (virtio-balloon): %s\n",
		m->free_page_reporting > 0 ? "yes" : m->free_page_reporting == 0 ? "no" : "unknown");
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
		fprintf(f, "  options   %s%s\n", l->dev.mount_options,
			l->discard ? " (online discard: a removed file waits for the device)" : "");
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
		if (l->netfs.kind != NETFS_NONE) {
			char text[512];

			netfs_describe(&l->netfs, text, sizeof(text));
			fprintf(f, "  storage   %s\n", text);
		}
		if (l->bdi_read_ahead_kb >= 0)
			fprintf(f, "  readahead %ld kB\n", l->bdi_read_ahead_kb);
		for (size_t c = 0; c < l->dev.nr_chain; c++) {
			const struct diag_blockdev *b = diag_find_dev(d, l->dev.chain[c]);
			fprintf(f, "  %s %s", c ? "  on" : "device", l->dev.chain[c]);
			if (b) {
				fprintf(f, " (%s%s%s, %s", b->kind, b->model[0] ? ", " : "",
					b->model, human_size(b->size_bytes, h1, sizeof(h1)));
				if (b->nvme_ctrl[0])
					fprintf(f, ", controller%s %s",
						strchr(b->nvme_ctrl, ',') ? "s" : "", b->nvme_ctrl);
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
	for (size_t i = 0; i < d->nr_routes; i++)
		print_route(d, &d->routes[i], f);
	fprintf(f, "interfaces:\n");
	for (size_t i = 0; i < d->nr_nics; i++) {
		const struct diag_nic *n = &d->nics[i];
		fprintf(f, "  %-16s %-5s %-10s", n->name, n->operstate, n->type);
		diag_speed_text(n->speed_mbps, h1, sizeof(h1));
		fprintf(f, " %s %s mtu=%ld driver=%s", h1, n->duplex[0] ? n->duplex : "", n->mtu,
			n->driver[0] ? n->driver : "?");
		print_long(f, "numa", n->numa_node);
		if (n->master[0])
			fprintf(f, " master=%s", n->master);
		if (n->slaves[0])
			fprintf(f, " members=%s", n->slaves);
		if (n->shaped_mbps > 0) {
			diag_speed_text(n->shaped_mbps, h1, sizeof(h1));
			fprintf(f, " shaped=%s", h1);
		}
		if (n->rdma_port[0])
			fprintf(f, " rdma=%s", n->rdma_port);
		fputc('\n', f);
	}
	if (d->nr_rdma)
		fprintf(f, "rdma ports:\n");
	for (size_t i = 0; i < d->nr_rdma; i++) {
		const struct rdma_port *p = &d->rdma[i];
		fprintf(f, "  %-16s %-7s %-10s %s (%s)%s%s counters=%s\n", p->name,
			p->state[0] ? p->state : "?", p->link_layer[0] ? p->link_layer : "?",
			p->rate[0] ? p->rate : "unknown rate", p->phys_state[0] ? p->phys_state : "?",
			p->netdev[0] ? " netdev=" : "", p->netdev,
			counter_names[p->counters] ? counter_names[p->counters] : "none");
	}
	print_machine(&d->machine, f);
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
