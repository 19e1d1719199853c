/* SPDX-License-Identifier: MIT */
/* sampler_window.c - the arithmetic of a window of readings: intervals, fields, totals, peaks. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "sys/sampler_int.h"

/* A device at least this busy counts toward busy90_share. */
#define BUSY_PCT 90.0

const char *const sampler_psi_names[PSI_MAX] = {"io", "cpu", "memory"};

/* ---- one interval ----------------------------------------------------------------------- */

double sampler_seconds_between(const struct sampler_snapshot *a, const struct sampler_snapshot *b)
{
	return (double)(b->t_ns - a->t_ns) / 1e9;
}

static const struct disk_stats *snap_disk(const struct sampler_snapshot *sn, const char *name)
{
	for (size_t i = 0; i < sn->nr_disk; i++)
		if (!strcmp(sn->disk[i].name, name))
			return &sn->disk[i];
	return NULL;
}

static const struct net_stats *snap_net(const struct sampler_snapshot *sn, const char *name)
{
	for (size_t i = 0; i < sn->nr_net; i++)
		if (!strcmp(sn->net[i].name, name))
			return &sn->net[i];
	return NULL;
}

const struct cpu_stats *sampler_snap_cpu(const struct sampler_snapshot *sn, int cpu)
{
	/* CPUs are listed in order; the total first. */
	const size_t guess = (size_t)(cpu + 1);

	if (guess < sn->nr_cpu && sn->cpu[guess].cpu == cpu)
		return &sn->cpu[guess];
	for (size_t i = 0; i < sn->nr_cpu; i++)
		if (sn->cpu[i].cpu == cpu)
			return &sn->cpu[i];
	return NULL;
}

static bool snap_disk_idle(const struct sampler *s, const struct sampler_snapshot *sn,
			   const char *name)
{
	for (size_t i = 0; i < sn->nr_idle; i++)
		if (!strcmp(s->devices[sn->idle[i]].name, name))
			return true;
	return false;
}

/*
 * What device name did from reading i - 1 to reading i. False when it is not busy in reading i
 * (it vanished, or is idle since boot) or diskstats was not read: the interval is not counted.
 * A device that was idle in reading i - 1 counts from zero; one that was not there at all
 * appeared, and counts from zero too.
 */
bool sampler_interval_disk(const struct sampler *s, size_t i, const char *name,
			   struct disk_delta *d, bool *appeared)
{
	const struct sampler_snapshot *a = sampler_snap(s, i - 1);
	const struct sampler_snapshot *b = sampler_snap(s, i);
	const struct disk_stats *cur;
	const struct disk_stats *prev;

	if (!(a->have & SAMPLER_DISK) || !(b->have & SAMPLER_DISK))
		return false;
	cur = snap_disk(b, name);
	if (!cur)
		return false;
	prev = snap_disk(a, name);
	procstat_disk_delta(prev, cur, d);
	*appeared = !prev && !snap_disk_idle(s, a, name);
	return true;
}

bool sampler_interval_net(const struct sampler *s, size_t i, const char *name, struct net_delta *d)
{
	const struct sampler_snapshot *a = sampler_snap(s, i - 1);
	const struct sampler_snapshot *b = sampler_snap(s, i);
	const struct net_stats *cur;

	if (!(a->have & SAMPLER_NET) || !(b->have & SAMPLER_NET))
		return false;
	cur = snap_net(b, name);
	if (!cur)
		return false;
	procstat_net_delta(snap_net(a, name), cur, d);
	return true;
}

bool sampler_interval_nfs(const struct sampler *s, size_t i, size_t k, uint64_t bytes[],
		  struct nfs_op_stats *read, struct nfs_op_stats *write)
{
	const struct sampler_snapshot *a = sampler_snap(s, i - 1);
	const struct sampler_snapshot *b = sampler_snap(s, i);

	if (!(a->have & SAMPLER_NFS) || !(b->have & SAMPLER_NFS) || !a->nfs[k].present ||
	    !b->nfs[k].present)
		return false;
	for (int j = 0; j < NFS_BYTES_MAX; j++)
		bytes[j] = procstat_counter_delta(a->nfs[k].bytes[j], b->nfs[k].bytes[j]);
	procstat_nfs_op_delta(&a->nfs[k].read, &b->nfs[k].read, read);
	procstat_nfs_op_delta(&a->nfs[k].write, &b->nfs[k].write, write);
	return true;
}

/*
 * The CPU window ending at reading i: from the latest reading at least SAMPLER_CPU_WINDOW_S
 * before it, or from the first reading of [from, i) that has CPU counters when the window is
 * younger than that. *j carries the search over calls with increasing i. False when there is none.
 */
bool sampler_cpu_window(const struct sampler *s, size_t from, size_t i, size_t *j)
{
	const uint64_t win = (uint64_t)(SAMPLER_CPU_WINDOW_S * 1e9);

	if (!(sampler_snap(s, i)->have & SAMPLER_CPU))
		return false;
	if (*j < from)
		*j = from;
	while (*j < i && !(sampler_snap(s, *j)->have & SAMPLER_CPU))
		(*j)++;
	const uint64_t t_i = sampler_snap(s, i)->t_ns;

	for (size_t k = *j + 1; k < i && t_i - sampler_snap(s, k)->t_ns >= win; k++)
		if (sampler_snap(s, k)->have & SAMPLER_CPU)
			*j = k;
	return *j < i;
}

/* ---- fields ----------------------------------------------------------------------------- */

/* iostat -x's fields, with the names `iostat -x -o JSON` gives them. */
const struct disk_field sampler_disk_fields[] = {
	{"r/s", offsetof(struct disk_rates, r_s), 0},
	{"rkB/s", offsetof(struct disk_rates, rkb_s), 0},
	{"rrqm/s", offsetof(struct disk_rates, rrqm_s), DISK_HAS_EXTENDED},
	{"rrqm", offsetof(struct disk_rates, rrqm_pct), DISK_HAS_EXTENDED},
	{"r_await", offsetof(struct disk_rates, r_await), DISK_HAS_EXTENDED},
	{"rareq-sz", offsetof(struct disk_rates, rareq_sz), 0},
	{"w/s", offsetof(struct disk_rates, w_s), 0},
	{"wkB/s", offsetof(struct disk_rates, wkb_s), 0},
	{"wrqm/s", offsetof(struct disk_rates, wrqm_s), DISK_HAS_EXTENDED},
	{"wrqm", offsetof(struct disk_rates, wrqm_pct), DISK_HAS_EXTENDED},
	{"w_await", offsetof(struct disk_rates, w_await), DISK_HAS_EXTENDED},
	{"wareq-sz", offsetof(struct disk_rates, wareq_sz), 0},
	{"d/s", offsetof(struct disk_rates, d_s), DISK_HAS_DISCARD},
	{"dkB/s", offsetof(struct disk_rates, dkb_s), DISK_HAS_DISCARD},
	{"drqm/s", offsetof(struct disk_rates, drqm_s), DISK_HAS_DISCARD},
	{"drqm", offsetof(struct disk_rates, drqm_pct), DISK_HAS_DISCARD},
	{"d_await", offsetof(struct disk_rates, d_await), DISK_HAS_DISCARD},
	{"dareq-sz", offsetof(struct disk_rates, dareq_sz), DISK_HAS_DISCARD},
	{"f/s", offsetof(struct disk_rates, f_s), DISK_HAS_FLUSH},
	{"f_await", offsetof(struct disk_rates, f_await), DISK_HAS_FLUSH},
	{"aqu-sz", offsetof(struct disk_rates, aqu_sz), DISK_HAS_EXTENDED},
	{"util", offsetof(struct disk_rates, util_pct), DISK_HAS_EXTENDED},
};
const size_t sampler_nr_disk_fields = sizeof(sampler_disk_fields) / sizeof(sampler_disk_fields[0]);

double sampler_rate_field(const struct disk_rates *r, size_t k)
{
	return *(const double *)((const char *)r + sampler_disk_fields[k].off);
}

const struct cpu_field sampler_cpu_fields[] = {
	{"user", offsetof(struct cpu_shares, user)},
	{"nice", offsetof(struct cpu_shares, nice)},
	{"system", offsetof(struct cpu_shares, system)},
	{"iowait", offsetof(struct cpu_shares, iowait)},
	{"irq", offsetof(struct cpu_shares, irq)},
	{"softirq", offsetof(struct cpu_shares, softirq)},
	{"steal", offsetof(struct cpu_shares, steal)},
	{"guest", offsetof(struct cpu_shares, guest)},
	{"guest_nice", offsetof(struct cpu_shares, guest_nice)},
	{"idle", offsetof(struct cpu_shares, idle)},
	{"busy", offsetof(struct cpu_shares, busy)},
};
const size_t sampler_nr_cpu_fields = sizeof(sampler_cpu_fields) / sizeof(sampler_cpu_fields[0]);

double sampler_share_field(const struct cpu_shares *c, size_t k)
{
	return *(const double *)((const char *)c + sampler_cpu_fields[k].off);
}

/* ---- the window's entities -------------------------------------------------------------- */

static const struct sampler_device *find_device(const struct sampler *s, const char *name)
{
	for (size_t i = 0; i < s->nr_devices; i++)
		if (!strcmp(s->devices[i].name, name))
			return &s->devices[i];
	return NULL;
}

static void role_of(const struct sampler *s, const char *name, struct dev_acc *d)
{
	for (size_t t = 0; t < s->nr_targets; t++) {
		const struct sampler_target *tg = &s->targets[t];

		for (size_t c = 0; c < tg->dev.nr_chain; c++) {
			if (strcmp(tg->dev.chain[c], name))
				continue;
			if (!strcmp(tg->role, "source"))
				d->role_source = true;
			else if (!strcmp(tg->role, "destination"))
				d->role_destination = true;
			else
				d->role_other = true;
		}
	}
}

bool sampler_has_role(const struct dev_acc *d)
{
	return d->role_source || d->role_destination || d->role_other;
}

static struct dev_acc *window_dev(struct window *w, const struct sampler *s, const char *name)
{
	for (size_t i = 0; i < w->nr_dev; i++)
		if (!strcmp(w->dev[i].name, name))
			return &w->dev[i];
	w->dev = xrealloc(w->dev, (w->nr_dev + 1) * sizeof(*w->dev));
	struct dev_acc *d = &w->dev[w->nr_dev++];
	const struct sampler_device *known = find_device(s, name);

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->kind = known ? known->kind : "unknown";
	d->has = ~0u;
	role_of(s, name, d);
	return d;
}

static struct net_acc *window_net(struct window *w, const char *name)
{
	for (size_t i = 0; i < w->nr_net; i++)
		if (!strcmp(w->net[i].name, name))
			return &w->net[i];
	w->net = xrealloc(w->net, (w->nr_net + 1) * sizeof(*w->net));
	struct net_acc *n = &w->net[w->nr_net++];

	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	return n;
}

static void max_rates(struct disk_rates *peak, const struct disk_rates *r)
{
	for (size_t k = 0; k < sampler_nr_disk_fields; k++) {
		double *p = (double *)((char *)peak + sampler_disk_fields[k].off);
		const double v = sampler_rate_field(r, k);

		if (v > *p)
			*p = v;
	}
}

/* The devices and interfaces of reading i join the window, in order of first appearance. */
static void window_entities(struct window *w, const struct sampler *s, size_t i)
{
	const struct sampler_snapshot *b = sampler_snap(s, i);

	for (size_t k = 0; k < b->nr_disk; k++)
		window_dev(w, s, b->disk[k].name);
	for (size_t k = 0; k < b->nr_net; k++)
		window_net(w, b->net[k].name);
}

void sampler_window_init(const struct sampler *s, size_t from, struct window *w)
{
	memset(w, 0, sizeof(*w));
	w->from = from;
	w->to = from;
	w->t_from = sampler_snap(s, from)->t_ns;
	/* Devices a path rests on come first, in the order of the paths, even when idle. */
	for (size_t t = 0; t < s->nr_targets; t++)
		for (size_t c = 0; c < s->targets[t].dev.nr_chain; c++)
			window_dev(w, s, s->targets[t].dev.chain[c]);
	window_entities(w, s, from);
}

static void window_add_disk(const struct sampler *s, size_t i, double dt, bool peak_ok,
			    struct dev_acc *d)
{
	struct disk_delta delta;
	struct disk_rates r;
	bool appeared;

	if (!sampler_interval_disk(s, i, d->name, &delta, &appeared)) {
		if ((sampler_snap(s, i)->have & SAMPLER_DISK) &&
		    (sampler_snap(s, i - 1)->have & SAMPLER_DISK) &&
		    snap_disk(sampler_snap(s, i - 1), d->name) &&
		    !snap_disk_idle(s, sampler_snap(s, i), d->name))
			d->vanished = true;
		return;
	}
	if (appeared)
		d->appeared = true;
	if (delta.reset)
		d->resets++;
	if (d->counted)
		procstat_disk_delta_add(&d->total, &delta);
	else
		d->total = delta;
	d->counted = true;
	d->has &= delta.has;
	d->counted_s += dt;
	procstat_disk_rates(&delta, dt, &r);
	if (r.util_pct >= BUSY_PCT)
		d->busy90_s += dt;
	if (peak_ok)
		max_rates(&d->peak, &r);
}

void sampler_window_add(const struct sampler *s, size_t i, struct window *w)
{
	const double dt = sampler_seconds_between(sampler_snap(s, i - 1), sampler_snap(s, i));
	const bool peak_ok = dt >= PEAK_MIN_SHARE * s->interval_s;

	window_entities(w, s, i);
	w->to = i;
	w->seconds = (double)(sampler_snap(s, i)->t_ns - w->t_from) / 1e9;
	for (size_t k = 0; k < w->nr_dev; k++)
		window_add_disk(s, i, dt, peak_ok, &w->dev[k]);
	for (size_t k = 0; k < w->nr_net; k++) {
		struct net_acc *n = &w->net[k];
		struct net_delta delta;
		struct net_rates r;

		if (!sampler_interval_net(s, i, n->name, &delta))
			continue;
		n->total.rx_bytes += delta.rx_bytes;
		n->total.tx_bytes += delta.tx_bytes;
		n->total.rx_packets += delta.rx_packets;
		n->total.tx_packets += delta.tx_packets;
		procstat_net_rates(&delta, dt, &r);
		if (!peak_ok)
			continue;
		n->peak.rx_bytes_s = fmax(n->peak.rx_bytes_s, r.rx_bytes_s);
		n->peak.tx_bytes_s = fmax(n->peak.tx_bytes_s, r.tx_bytes_s);
		n->peak.rx_packets_s = fmax(n->peak.rx_packets_s, r.rx_packets_s);
		n->peak.tx_packets_s = fmax(n->peak.tx_packets_s, r.tx_packets_s);
	}
}

void sampler_window_collect(const struct sampler *s, size_t from, size_t to, struct window *w)
{
	sampler_window_init(s, from, w);
	for (size_t i = from + 1; i <= to; i++)
		sampler_window_add(s, i, w);
}

void sampler_window_release(struct window *w)
{
	free(w->dev);
	free(w->net);
}

uint64_t sampler_dev_bytes(const struct dev_acc *d)
{
	return (d->total.rd_sectors + d->total.wr_sectors + d->total.dc_sectors) * 512;
}

/* Reported: the paths' devices, and every other device that did any I/O in the window. */
bool sampler_dev_reported(const struct dev_acc *d)
{
	return sampler_has_role(d) || (d->counted && (d->total.rd_ios || d->total.wr_ios ||
					      d->total.dc_ios || d->total.fl_ios || sampler_dev_bytes(d)));
}

bool sampler_net_reported(const struct net_acc *n)
{
	return n->total.rx_bytes || n->total.tx_bytes;
}

static void op_add(struct nfs_op_stats *a, const struct nfs_op_stats *b)
{
	a->ops += b->ops;
	a->ntrans += b->ntrans;
	a->timeouts += b->timeouts;
	a->bytes_sent += b->bytes_sent;
	a->bytes_recv += b->bytes_recv;
	a->queue_ms += b->queue_ms;
	a->rtt_ms += b->rtt_ms;
	a->execute_ms += b->execute_ms;
	a->errors += b->errors;
}

void sampler_nfs_add(const struct sampler *s, size_t i, size_t k, struct nfs_summary *ns)
{
	uint64_t bytes[NFS_BYTES_MAX];
	struct nfs_op_stats r;
	struct nfs_op_stats w;

	if (!sampler_interval_nfs(s, i, k, bytes, &r, &w))
		return;
	ns->counted = true;
	ns->seconds += sampler_seconds_between(sampler_snap(s, i - 1), sampler_snap(s, i));
	for (int j = 0; j < NFS_BYTES_MAX; j++)
		ns->bytes[j] += bytes[j];
	op_add(&ns->read, &r);
	op_add(&ns->write, &w);
}
