/* SPDX-License-Identifier: MIT */
/* sampler_summary.c - a window of readings as results.json's "sampler", findings included. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/text.h"
#include "lib/util.h"
#include "sys/sampler_int.h"

/* A window shorter than this many intervals is "short". */
#define SHORT_INTERVALS 3

static json_t *rates_json(const struct disk_rates *r, unsigned has)
{
	json_t *o = json_object();

	for (size_t k = 0; k < sampler_nr_disk_fields; k++)
		if ((sampler_disk_fields[k].need & has) == sampler_disk_fields[k].need)
			json_object_set_new(o, sampler_disk_fields[k].name, json_real(sampler_rate_field(r, k)));
	return o;
}

static json_t *roles_json(const struct dev_acc *d)
{
	json_t *a = json_array();

	if (d->role_source)
		json_array_append_new(a, json_string("source"));
	if (d->role_destination)
		json_array_append_new(a, json_string("destination"));
	if (d->role_other)
		json_array_append_new(a, json_string("path"));
	return a;
}

static json_t *device_json(const struct dev_acc *d, double seconds)
{
	struct disk_rates mean;
	const unsigned has = d->counted ? d->has : 0;
	json_t *o;

	procstat_disk_rates(&d->total, seconds, &mean);
	o = json_pack("{s:o, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "roles",
		      roles_json(d), "kind", d->kind, "counted", d->counted, "read_bytes",
		      (json_int_t)(d->total.rd_sectors * 512), "write_bytes",
		      (json_int_t)(d->total.wr_sectors * 512), "discard_bytes",
		      (json_int_t)(d->total.dc_sectors * 512), "read_ios",
		      (json_int_t)d->total.rd_ios, "write_ios", (json_int_t)d->total.wr_ios,
		      "discard_ios", (json_int_t)d->total.dc_ios, "flush_ios",
		      (json_int_t)d->total.fl_ios, "io_ticks_ms", (json_int_t)d->total.io_ticks);
	json_object_set_new(o, "mean", rates_json(&mean, has));
	json_object_set_new(o, "peak", rates_json(&d->peak, has));
	json_object_set_new(o, "busy90_share",
			    json_real(seconds > 0 ? d->busy90_s / seconds : 0.0));
	json_object_set_new(o, "counted_s", json_real(d->counted_s));
	if (d->appeared)
		json_object_set_new(o, "appeared", json_true());
	if (d->vanished)
		json_object_set_new(o, "vanished", json_true());
	if (d->resets)
		json_object_set_new(o, "resets", json_integer(d->resets));
	return o;
}

/*
 * The device that shows the queue: highest mean %util, more bytes breaking a tie; partitions
 * are left out (their disk counts the same I/O). NULL when no reported device did anything.
 */
static const struct dev_acc *busiest_device(const struct window *w)
{
	const struct dev_acc *best = NULL;

	for (size_t i = 0; i < w->nr_dev; i++) {
		const struct dev_acc *d = &w->dev[i];

		if (!sampler_dev_reported(d) || !d->counted || !strcmp(d->kind, "partition"))
			continue;
		if (!d->total.io_ticks && !sampler_dev_bytes(d))
			continue;
		if (!best || d->total.io_ticks > best->total.io_ticks ||
		    (d->total.io_ticks == best->total.io_ticks && sampler_dev_bytes(d) > sampler_dev_bytes(best)))
			best = d;
	}
	return best;
}

/* Add the members of more (a fresh json_pack) to o. */
static json_t *json_pack_update(json_t *o, json_t *more)
{
	json_object_update(o, more);
	json_decref(more);
	return o;
}

struct cpu_summary {
	bool have;
	struct cpu_shares mean;
	double peak_busy;
	double seconds; /* the mean's window */
	int ncpu;
	int busiest_cpu;
	double busiest_mean, busiest_peak;
	json_t *json;
};

static json_t *shares_json(const struct cpu_shares *c)
{
	json_t *o = json_object();

	for (size_t k = 0; k < sampler_nr_cpu_fields; k++)
		json_object_set_new(o, sampler_cpu_fields[k].name, json_real(sampler_share_field(c, k)));
	return o;
}

/* What the CPUs did, added to reading by reading: the first and the last reading with CPU
 * counters (copies), and the peaks of the windows of at least SAMPLER_CPU_WINDOW_S between. */
struct cpu_acc {
	bool have;
	size_t first_i;
	struct sampler_snapshot first, last; /* t_ns, cpu and nr_cpu only; last.cpu NULL: none */
	size_t j;			     /* the CPU window's search */
	bool windows;
	double peak_busy;
	double *peak; /* [cpu number]: the busiest window's share, -1 for none */
	size_t nr_peak;
};

static void copy_cpu(struct sampler_snapshot *dst, const struct sampler_snapshot *src)
{
	dst->t_ns = src->t_ns;
	dst->have = SAMPLER_CPU;
	dst->nr_cpu = src->nr_cpu;
	dst->cpu = xrealloc(dst->cpu, (src->nr_cpu ? src->nr_cpu : 1) * sizeof(*dst->cpu));
	memcpy(dst->cpu, src->cpu, src->nr_cpu * sizeof(*dst->cpu));
}

/* The CPU window ending at reading i, when it is long enough: its shares raise the peaks. */
static void cpu_window_peaks(struct cpu_acc *ca, const struct sampler *s, size_t i)
{
	struct cpu_shares c;

	if (!sampler_cpu_window(s, ca->first_i, i, &ca->j))
		return;
	const struct sampler_snapshot *wa = sampler_snap(s, ca->j);
	const struct sampler_snapshot *wb = sampler_snap(s, i);

	if (sampler_seconds_between(wa, wb) < SAMPLER_CPU_WINDOW_S)
		return;
	const struct cpu_stats *x = sampler_snap_cpu(wa, -1);
	const struct cpu_stats *y = sampler_snap_cpu(wb, -1);

	if (x && y) {
		procstat_cpu_shares(x, y, &c);
		if (!ca->windows || c.busy > ca->peak_busy)
			ca->peak_busy = c.busy;
		ca->windows = true;
	}
	for (size_t k = 0; k < wb->nr_cpu; k++) {
		const int cpu = wb->cpu[k].cpu;

		if (cpu < 0)
			continue;
		x = sampler_snap_cpu(wa, cpu);
		if (!x)
			continue;
		procstat_cpu_shares(x, &wb->cpu[k], &c);
		if ((size_t)cpu >= ca->nr_peak) {
			const size_t n = (size_t)cpu + 16;

			ca->peak = xrealloc(ca->peak, n * sizeof(*ca->peak));
			for (size_t m = ca->nr_peak; m < n; m++)
				ca->peak[m] = -1;
			ca->nr_peak = n;
		}
		if (c.busy > ca->peak[cpu])
			ca->peak[cpu] = c.busy;
	}
}

static void cpu_acc_add(struct cpu_acc *ca, const struct sampler *s, size_t i)
{
	const struct sampler_snapshot *sn = sampler_snap(s, i);

	if (!(sn->have & SAMPLER_CPU))
		return;
	if (!ca->have) {
		ca->have = true;
		ca->first_i = i;
		ca->j = i;
		copy_cpu(&ca->first, sn);
		return;
	}
	copy_cpu(&ca->last, sn);
	cpu_window_peaks(ca, s, i);
}

static void cpu_acc_release(struct cpu_acc *ca)
{
	free(ca->first.cpu);
	free(ca->last.cpu);
	free(ca->peak);
}

static void cpu_summary(const struct cpu_acc *ca, struct cpu_summary *cs)
{
	json_t *per;

	memset(cs, 0, sizeof(*cs));
	cs->busiest_cpu = -1;
	const struct sampler_snapshot *a = &ca->first;
	const struct sampler_snapshot *b = &ca->last;
	const struct cpu_stats *ta = ca->have ? sampler_snap_cpu(a, -1) : NULL;
	const struct cpu_stats *tb = b->cpu ? sampler_snap_cpu(b, -1) : NULL;

	if (!ta || !tb) {
		cs->json = json_null();
		return;
	}
	per = json_array();
	cs->have = true;
	cs->seconds = sampler_seconds_between(a, b);
	procstat_cpu_shares(ta, tb, &cs->mean);
	/* Peaks over windows of at least SAMPLER_CPU_WINDOW_S: 10 ticks a CPU say little. */
	cs->peak_busy = ca->windows ? ca->peak_busy : cs->mean.busy;
	cs->ncpu = (int)b->nr_cpu - 1;
	for (size_t k = 1; k < b->nr_cpu; k++) {
		const int cpu = b->cpu[k].cpu;
		const struct cpu_stats *pa = sampler_snap_cpu(a, cpu);
		struct cpu_shares c;
		json_t *o;

		if (!pa)
			continue;
		procstat_cpu_shares(pa, &b->cpu[k], &c);
		double peak = c.busy;

		if (cpu >= 0 && (size_t)cpu < ca->nr_peak && ca->peak[cpu] > peak)
			peak = ca->peak[cpu];
		o = json_pack("{s:i}", "cpu", cpu);
		json_pack_update(o,
				 json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "busy",
					   c.busy, "user", c.user, "nice", c.nice, "system",
					   c.system, "iowait", c.iowait, "irq", c.irq, "softirq",
					   c.softirq, "steal", c.steal, "idle", c.idle));
		json_object_set_new(o, "peak_busy", json_real(peak));
		json_array_append_new(per, o);
		if (cs->busiest_cpu < 0 || peak > cs->busiest_peak ||
		    (peak == cs->busiest_peak && c.busy > cs->busiest_mean)) {
			cs->busiest_cpu = cpu;
			cs->busiest_peak = peak;
			cs->busiest_mean = c.busy;
		}
	}
	cs->json = json_pack("{s:i, s:f, s:I, s:o, s:f, s:o}", "cpus", cs->ncpu, "window_s",
			     SAMPLER_CPU_WINDOW_S, "ticks", (json_int_t)cs->mean.ticks, "mean",
			     shares_json(&cs->mean), "peak_busy", cs->peak_busy, "per_cpu", per);
	if (cs->busiest_cpu >= 0)
		json_object_set_new(cs->json, "busiest_cpu",
				    json_pack("{s:i, s:f, s:f}", "cpu", cs->busiest_cpu, "busy",
					      cs->busiest_mean, "peak_busy", cs->busiest_peak));
}

static json_t *op_json(const struct nfs_op_stats *d, double seconds)
{
	struct nfs_op_rates r;

	procstat_nfs_op_rates(d, seconds, &r);
	return json_pack("{s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "ops",
			 (json_int_t)d->ops, "ntrans", (json_int_t)d->ntrans, "timeouts",
			 (json_int_t)d->timeouts, "errors", (json_int_t)d->errors, "ops/s", r.ops_s,
			 "kB/s", r.kb_s, "kB/op", r.kb_per_op, "retrans", r.retrans, "retrans_pct",
			 r.retrans_pct, "avg_rtt_ms", r.avg_rtt_ms, "avg_exe_ms", r.avg_exe_ms,
			 "avg_queue_ms", r.avg_queue_ms);
}

/* The target a mount belongs to, for its device and type. */
static const struct sampler_target *nfs_target(const struct sampler *s, size_t k)
{
	for (size_t t = 0; t < s->nr_targets; t++)
		if (s->targets[t].nfs == (int)k)
			return &s->targets[t];
	return NULL;
}

static json_t *nfs_json(const struct sampler *s, const struct nfs_summary *nfs, double seconds,
			json_t *findings)
{
	json_t *o = json_object();

	for (size_t k = 0; k < s->nr_nfs; k++) {
		const struct sampler_target *t = nfs_target(s, k);
		const struct nfs_summary ns = nfs[k];
		json_t *m;

		if (!ns.counted)
			continue;
		m = json_pack("{s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "device",
			      text_json(t && t->dev.mount_source ? t->dev.mount_source : ""),
			      "fs_type", text_json(t && t->dev.fs_type ? t->dev.fs_type : ""),
			      "read_bytes",
			      (json_int_t)ns.bytes[NFS_SERVER_READ], "write_bytes",
			      (json_int_t)ns.bytes[NFS_SERVER_WRITE], "normal_read_bytes",
			      (json_int_t)ns.bytes[NFS_NORMAL_READ], "direct_read_bytes",
			      (json_int_t)ns.bytes[NFS_DIRECT_READ], "normal_write_bytes",
			      (json_int_t)ns.bytes[NFS_NORMAL_WRITE], "direct_write_bytes",
			      (json_int_t)ns.bytes[NFS_DIRECT_WRITE], "read",
			      op_json(&ns.read, seconds), "write", op_json(&ns.write, seconds));
		text_json_set(o, s->nfs_mounts[k], m);
		if (ns.read.ops) {
			struct nfs_op_rates r;

			procstat_nfs_op_rates(&ns.read, seconds, &r);
			add_stringf(findings,
				    "NFS %s: %.1f MB read by %llu READs (%.0f kB each), "
				    "average RTT %.2f ms, execution %.2f ms, %.0f "
				    "retransmissions",
				    s->nfs_mounts[k], (double)ns.bytes[NFS_SERVER_READ] / 1e6,
				    (unsigned long long)ns.read.ops, r.kb_per_op, r.avg_rtt_ms,
				    r.avg_exe_ms, r.retrans);
		}
	}
	return o;
}

struct psi_acc {
	uint64_t some, full;
	double counted, some_peak, full_peak;
	bool have_full;
};

static void psi_add(struct psi_acc *pa, const struct sampler *s, size_t i)
{
	const struct sampler_snapshot *a = sampler_snap(s, i - 1);
	const struct sampler_snapshot *b = sampler_snap(s, i);
	const double dt = sampler_seconds_between(a, b);

	for (int p = 0; p < PSI_MAX; p++) {
		const unsigned bit = SAMPLER_PSI_IO << p;
		struct psi_acc *r = &pa[p];

		if (!(a->have & bit) || !(b->have & bit) || dt <= 0)
			continue;
		const uint64_t ds =
			procstat_counter_delta(a->psi[p].some_total_us, b->psi[p].some_total_us);
		const uint64_t df =
			procstat_counter_delta(a->psi[p].full_total_us, b->psi[p].full_total_us);

		r->some += ds;
		r->full += df;
		r->counted += dt;
		r->have_full = r->have_full || b->psi[p].have_full;
		if (dt >= PEAK_MIN_SHARE * s->interval_s) {
			r->some_peak = fmax(r->some_peak, (double)ds / (dt * 1e4));
			r->full_peak = fmax(r->full_peak, (double)df / (dt * 1e4));
		}
	}
}

static json_t *psi_json(const struct psi_acc *pa, json_t *findings)
{
	json_t *o = json_object();

	for (int p = 0; p < PSI_MAX; p++) {
		const struct psi_acc *a = &pa[p];

		if (a->counted <= 0)
			continue;
		const double some_pct = (double)a->some / (a->counted * 1e4);
		json_t *r = json_pack("{s:f, s:f}", "some_pct", some_pct, "some_peak_pct",
				      a->some_peak);

		if (a->have_full)
			json_pack_update(r, json_pack("{s:f, s:f}", "full_pct",
						      (double)a->full / (a->counted * 1e4),
						      "full_peak_pct", a->full_peak));
		json_object_set_new(o, sampler_psi_names[p], r);
		if (some_pct >= 10.0)
			add_stringf(findings,
				    "pressure: some task waited for %s %.0f %% of the time",
				    p == PSI_IO ? "I/O" : sampler_psi_names[p], some_pct);
	}
	return o;
}

struct mem_acc {
	uint64_t dirty_first, dirty_last, dirty_peak, wb_peak;
	double dirty_sum, wb_sum;
	size_t n;
};

static void memory_add(struct mem_acc *m, const struct sampler_snapshot *sn)
{
	if (!(sn->have & SAMPLER_MEMINFO))
		return;
	if (!m->n)
		m->dirty_first = sn->mem.dirty_kb;
	m->dirty_last = sn->mem.dirty_kb;
	m->dirty_peak = sn->mem.dirty_kb > m->dirty_peak ? sn->mem.dirty_kb : m->dirty_peak;
	m->wb_peak = sn->mem.writeback_kb > m->wb_peak ? sn->mem.writeback_kb : m->wb_peak;
	m->dirty_sum += (double)sn->mem.dirty_kb;
	m->wb_sum += (double)sn->mem.writeback_kb;
	m->n++;
}

static json_t *memory_json(const struct mem_acc *m)
{
	if (!m->n)
		return json_null();
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "dirty_start_bytes",
			 (json_int_t)(m->dirty_first * 1024), "dirty_end_bytes",
			 (json_int_t)(m->dirty_last * 1024), "dirty_peak_bytes",
			 (json_int_t)(m->dirty_peak * 1024), "dirty_mean_bytes",
			 (json_int_t)(m->dirty_sum / (double)m->n * 1024), "writeback_peak_bytes",
			 (json_int_t)(m->wb_peak * 1024), "writeback_mean_bytes",
			 (json_int_t)(m->wb_sum / (double)m->n * 1024));
}

static const char *role_name(const struct dev_acc *d)
{
	if (d->role_source && d->role_destination)
		return "source and destination";
	if (d->role_source)
		return "source";
	if (d->role_destination)
		return "destination";
	return "path";
}

/*
 * Plain statements of what was measured. %util alone never makes a device "saturated": devices
 * that serve requests in parallel (NVMe, arrays, virtual disks) show 100 % long before their
 * limit, and kernels since 5.0 only approximate io_ticks. Saturation is for a comparison with
 * the measured ceiling; here the queue (aqu-sz) and the waits (await) are stated beside it.
 */
static void device_findings(const struct window *w, json_t *findings)
{
	for (size_t i = 0; i < w->nr_dev; i++) {
		const struct dev_acc *d = &w->dev[i];
		struct disk_rates m;

		if (!sampler_has_role(d) || !d->counted || !strcmp(d->kind, "partition") || !sampler_dev_bytes(d))
			continue;
		procstat_disk_rates(&d->total, w->seconds, &m);
		add_stringf(findings,
			    "%s device %s: %.1f MB/s read, %.1f MB/s written; %.0f %% busy "
			    "(%.0f %% of the time at least 90 %%), %.1f requests queued on "
			    "average (aqu-sz), r_await %.2f ms, w_await %.2f ms",
			    role_name(d), d->name, m.rkb_s * 1024 / 1e6, m.wkb_s * 1024 / 1e6,
			    m.util_pct, w->seconds > 0 ? 100 * d->busy90_s / w->seconds : 0.0,
			    m.aqu_sz, m.r_await, m.w_await);
	}
}

static void cpu_findings(const struct cpu_summary *cs, json_t *findings)
{
	if (!cs->have)
		return;
	const bool windows = cs->seconds >= SAMPLER_CPU_WINDOW_S;
	char peak[64] = "";

	if (windows)
		snprintf(peak, sizeof(peak), "; busiest %g s window %.0f %%", SAMPLER_CPU_WINDOW_S,
			 cs->peak_busy);
	add_stringf(findings,
		    "CPU: %.0f %% busy on average over %d CPUs (user %.0f, system %.0f, "
		    "iowait %.0f, softirq %.0f, steal %.0f)%s",
		    cs->mean.busy, cs->ncpu, cs->mean.user, cs->mean.system, cs->mean.iowait,
		    cs->mean.softirq, cs->mean.steal, peak);
	if (cs->mean.busy >= 90.0)
		add_stringf(findings, "CPU: every CPU was at least 90 %% busy on "
				      "average: the CPU was the limit");
	else if (cs->busiest_cpu >= 0 && cs->busiest_peak >= 95.0 && cs->ncpu > 1)
		add_stringf(findings,
			    "CPU: cpu%d was %.0f %% busy%s while all CPUs averaged %.0f %%: one "
			    "thread may be the limit",
			    cs->busiest_cpu, cs->busiest_peak,
			    windows ? " in its busiest second" : "", cs->mean.busy);
	if (cs->mean.steal >= 10.0)
		add_stringf(findings, "CPU: %.0f %% stolen by the hypervisor", cs->mean.steal);
}

static const struct net_acc *top_interface(const struct window *w)
{
	const struct net_acc *best = NULL;

	for (size_t i = 0; i < w->nr_net; i++) {
		const struct net_acc *n = &w->net[i];

		if (!sampler_net_reported(n))
			continue;
		if (!best || n->total.rx_bytes + n->total.tx_bytes >
				     best->total.rx_bytes + best->total.tx_bytes)
			best = n;
	}
	return best;
}

static const struct net_acc *window_net(const struct window *w, const char *name)
{
	for (size_t i = 0; i < w->nr_net; i++)
		if (!strcmp(w->net[i].name, name))
			return &w->net[i];
	return NULL;
}

/*
 * The bytes a link adds to the total of all links: an InfiniBand port counts its IPoIB
 * interface's bytes too, so only what it moved beyond them (RDMA) is its own.
 */
static uint64_t own_bytes(const struct sampler *s, const struct window *w, const struct net_acc *n)
{
	const struct sampler_link *l = sampler_find_link(s, n->name);
	const uint64_t bytes = n->total.rx_bytes + n->total.tx_bytes;
	const struct net_acc *ip =
		l && l->rdma && !strcmp(l->link_layer, "InfiniBand") && l->netdev[0]
			? window_net(w, l->netdev)
			: NULL;
	const uint64_t shared = ip ? ip->total.rx_bytes + ip->total.tx_bytes : 0;

	return bytes > shared ? bytes - shared : 0;
}

/* What sysfs said of the link at the start: kind, speed, and for a port its layer and netdev. */
static void link_json(const struct sampler *s, const char *name, json_t *o)
{
	const struct sampler_link *l = sampler_find_link(s, name);

	json_object_set_new(o, "kind", json_string(l && l->rdma ? "rdma" : "ip"));
	json_object_set_new(o, "speed_mbps", l && l->speed_mbps > 0
						     ? json_integer(l->speed_mbps)
						     : json_null());
	if (!l || !l->rdma)
		return;
	json_object_set_new(o, "link_layer", l->link_layer[0] ? json_string(l->link_layer)
							       : json_null());
	json_object_set_new(o, "netdev", l->netdev[0] ? json_string(l->netdev) : json_null());
}

static json_t *net_json(const struct sampler *s, const struct window *w, json_t *findings)
{
	json_t *o = json_object();
	const struct net_acc *top = top_interface(w);
	uint64_t all = 0;

	for (size_t i = 0; i < w->nr_net; i++) {
		const struct net_acc *n = &w->net[i];
		struct net_rates mean;

		if (!sampler_net_reported(n))
			continue;
		all += own_bytes(s, w, n);
		procstat_net_rates(&n->total, w->seconds, &mean);
		json_t *e = json_pack("{s:I, s:I, s:I, s:I, s:{s:f, s:f, s:f, s:f}, "
				      "s:{s:f, s:f, s:f, s:f}}",
				      "rx_bytes", (json_int_t)n->total.rx_bytes, "tx_bytes",
				      (json_int_t)n->total.tx_bytes, "rx_packets",
				      (json_int_t)n->total.rx_packets, "tx_packets",
				      (json_int_t)n->total.tx_packets, "mean", "rx_bytes_s",
				      mean.rx_bytes_s, "tx_bytes_s", mean.tx_bytes_s,
				      "rx_packets_s", mean.rx_packets_s, "tx_packets_s",
				      mean.tx_packets_s, "peak", "rx_bytes_s", n->peak.rx_bytes_s,
				      "tx_bytes_s", n->peak.tx_bytes_s, "rx_packets_s",
				      n->peak.rx_packets_s, "tx_packets_s", n->peak.tx_packets_s);
		link_json(s, n->name, e);
		text_json_set(o, n->name, e);
	}
	if (top && all) {
		const double top_bytes = (double)(top->total.rx_bytes + top->total.tx_bytes);
		add_stringf(findings,
			    "network: %s carried %.0f %% of the bytes (%.1f MB received, "
			    "%.1f MB sent)",
			    top->name, top_bytes >= (double)all ? 100.0 : 100.0 * top_bytes / (double)all,
			    (double)top->total.rx_bytes / 1e6, (double)top->total.tx_bytes / 1e6);
	}
	return o;
}

static json_t *unavailable_json(const struct sampler *s)
{
	static const char *const names[] = {"diskstats",       "stat",	      "net_dev",
					    "mountstats",      "pressure_io", "pressure_cpu",
					    "pressure_memory", "meminfo"};
	json_t *a = json_array();

	for (int b = 0; b < 8; b++)
		if (s->failed & (1u << b))
			json_array_append_new(a, json_string(names[b]));
	return a;
}

struct sampler_acc {
	struct window w; /* devices and interfaces; from, to and seconds of the whole */
	struct cpu_acc cpu;
	struct nfs_summary *nfs; /* [s->nr_nfs] */
	struct psi_acc psi[PSI_MAX];
	struct mem_acc mem;
};

static struct sampler_acc *sampler_acc_new(const struct sampler *s, size_t from)
{
	struct sampler_acc *acc = xcalloc(1, sizeof(*acc));

	sampler_window_init(s, from, &acc->w);
	acc->nfs = xcalloc(s->nr_nfs ? s->nr_nfs : 1, sizeof(*acc->nfs));
	cpu_acc_add(&acc->cpu, s, from);
	memory_add(&acc->mem, sampler_snap(s, from));
	return acc;
}

static void sampler_acc_add(struct sampler_acc *acc, const struct sampler *s)
{
	const size_t i = acc->w.to + 1;

	sampler_window_add(s, i, &acc->w);
	cpu_acc_add(&acc->cpu, s, i);
	for (size_t k = 0; k < s->nr_nfs; k++)
		sampler_nfs_add(s, i, k, &acc->nfs[k]);
	psi_add(acc->psi, s, i);
	memory_add(&acc->mem, sampler_snap(s, i));
}

static size_t sampler_acc_needs(const struct sampler_acc *acc)
{
	return acc->cpu.have && acc->cpu.j < acc->w.to ? acc->cpu.j : acc->w.to;
}

static void sampler_acc_free(struct sampler_acc *acc)
{
	if (!acc)
		return;
	sampler_window_release(&acc->w);
	cpu_acc_release(&acc->cpu);
	free(acc->nfs);
	free(acc);
}

static json_t *sampler_acc_json(const struct sampler_acc *acc, const struct sampler *s)
{
	const struct window *w = &acc->w;
	struct cpu_summary cs;
	json_t *devices = json_object();
	json_t *findings = json_array();
	json_t *warnings = json_array();
	json_t *o;
	uint64_t disk_read = 0;
	uint64_t disk_write = 0;

	cpu_summary(&acc->cpu, &cs);
	for (size_t i = 0; i < w->nr_dev; i++) {
		const struct dev_acc *d = &w->dev[i];

		if (!sampler_dev_reported(d))
			continue;
		text_json_set(devices, d->name, device_json(d, w->seconds));
		if (!strcmp(d->kind, "disk")) {
			disk_read += d->total.rd_sectors * 512;
			disk_write += d->total.wr_sectors * 512;
		}
		if (d->vanished)
			add_stringf(warnings,
				    "device %s vanished while it was sampled; its I/O between "
				    "its last reading and its removal is not counted",
				    d->name);
	}
	const struct dev_acc *busiest = busiest_device(w);
	/* The cost is the sampler's over its whole life, against that life's length. */
	const double cost_s = (double)s->cpu_ns / 1e9;
	const double life_s = (double)(sampler_snap(s, s->nr_snap - 1)->t_ns - s->t0_ns) / 1e9;
	const double core_pct = life_s > 0 ? 100.0 * cost_s / life_s : 0.0;
	const double started = (double)s->real_ns0 / 1e9 + (double)(w->t_from - s->t0_ns) / 1e9;
	/* Three intervals, less the jitter of the readings' wake-ups. */
	const bool is_short = w->seconds < SHORT_INTERVALS * s->interval_s * 0.95;

	o = json_pack("{s:f, s:I, s:f, s:I, s:b, s:{s:f, s:f, s:f}}", "interval_s", s->interval_s,
		      "samples", (json_int_t)(w->to - w->from + 1), "seconds", w->seconds,
		      "started_unix_ms", (json_int_t)(started * 1000), "short", is_short, "cost",
		      "cpu_s", cost_s, "core_pct", core_pct, "reading_cpu_s",
		      (double)s->reading_ns / 1e9);
	if (is_short)
		add_stringf(warnings,
			    "sampled for %.2f s, less than %d sampling intervals (%.2f s): the "
			    "device, CPU and network figures are too coarse to read",
			    w->seconds, SHORT_INTERVALS, SHORT_INTERVALS * s->interval_s);
	json_object_set_new(o, "devices", devices);
	json_object_set_new(o, "busiest_device",
			    busiest ? text_json(busiest->name) : json_null());
	json_object_set_new(o, "whole_disks",
			    json_pack("{s:I, s:I}", "read_bytes", (json_int_t)disk_read,
				      "write_bytes", (json_int_t)disk_write));
	device_findings(w, findings);
	json_object_set_new(o, "cpu", cs.json);
	cpu_findings(&cs, findings);
	const struct net_acc *top = top_interface(w);

	json_object_set_new(o, "net", net_json(s, w, findings));
	json_object_set_new(o, "top_interface", top ? text_json(top->name) : json_null());
	json_object_set_new(o, "nfs", nfs_json(s, acc->nfs, w->seconds, findings));
	json_object_set_new(o, "psi", psi_json(acc->psi, findings));
	json_object_set_new(o, "memory", memory_json(&acc->mem));
	json_object_set_new(o, "unavailable", unavailable_json(s));
	json_object_set_new(o, "findings", findings);
	json_object_set_new(o, "warnings", warnings);
	return o;
}

json_t *sampler_summary_json(const struct sampler *s, size_t from, size_t to)
{
	struct sampler_acc *acc;
	json_t *o;

	if (!s->nr_snap)
		return json_pack("{s:f, s:i, s:f, s:b, s:o, s:o}", "interval_s", s->interval_s,
				 "samples", 0, "seconds", 0.0, "short", 1, "findings", json_array(),
				 "warnings", json_array());
	if (to >= s->nr_snap)
		to = s->nr_snap - 1;
	if (from < s->snap_base)
		from = s->snap_base;
	if (from > to)
		from = to;
	acc = sampler_acc_new(s, from);
	while (acc->w.to < to)
		sampler_acc_add(acc, s);
	o = sampler_acc_json(acc, s);
	sampler_acc_free(acc);
	return o;
}

void sampler_running_add(struct sampler *s)
{
	if (!s->so_far)
		s->so_far = sampler_acc_new(s, s->nr_snap - 1);
	else
		sampler_acc_add(s->so_far, s);
}

size_t sampler_running_needs(const struct sampler *s)
{
	return s->so_far ? sampler_acc_needs(s->so_far) : s->snap_base;
}

void sampler_running_free(struct sampler *s)
{
	sampler_acc_free(s->so_far);
	s->so_far = NULL;
}

json_t *sampler_running_json(const struct sampler *s)
{
	if (!s->so_far)
		return sampler_summary_json(s, 0, s->nr_snap ? s->nr_snap - 1 : 0);
	return sampler_acc_json(s->so_far, s);
}
