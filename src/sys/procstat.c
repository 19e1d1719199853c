/* SPDX-License-Identifier: MIT */
/* procstat.c - kernel statistics text into structs, and two snapshots into rates. No I/O. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "sys/procstat.h"

/* ---- tokens ----------------------------------------------------------------------------- */

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool at_end_of_token(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The next blank-separated decimal number; leaves *p after it. 0 or -EINVAL (no number). */
static int next_u64(const char **p, uint64_t *v)
{
	const char *s = skip_blanks(*p);
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	const unsigned long long n = strtoull(s, &end, 10);
	if (errno || !at_end_of_token(*end))
		return -EINVAL;
	*v = n;
	*p = end;
	return 0;
}

/* Up to max numbers into v; returns how many were there before anything else. */
static size_t read_numbers(const char *p, uint64_t *v, size_t max)
{
	size_t n = 0;

	while (n < max && next_u64(&p, &v[n]) == 0)
		n++;
	return n;
}

/* The next blank-separated word into buf (truncated to len - 1). 0 or -EINVAL (none). */
static int next_word(const char **p, char *buf, size_t len)
{
	const char *s = skip_blanks(*p);
	size_t n = 0;

	if (at_end_of_token(*s))
		return -EINVAL;
	while (!at_end_of_token(s[n]))
		n++;
	if (len) {
		const size_t k = n < len - 1 ? n : len - 1;

		memcpy(buf, s, k);
		buf[k] = '\0';
	}
	*p = s + n;
	return 0;
}

/* The start of the line after the one at line (or its terminating NUL). */
static const char *next_line(const char *line)
{
	const char *nl = strchr(line, '\n');

	return nl ? nl + 1 : line + strlen(line);
}

/* Length of the line at line, without its newline. */
static size_t line_length(const char *line)
{
	return strcspn(line, "\n");
}

/* Grow an array of n elements of size sz by one, doubling its capacity as needed. */
static void *grow(void *v, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	*cap = *cap ? 2 * *cap : 16;
	return xrealloc(v, *cap * sz);
}

uint64_t procstat_counter_delta(uint64_t prev, uint64_t cur)
{
	if (cur >= prev)
		return cur - prev;
	if (prev <= UINT32_MAX)
		return cur + (UINT64_C(1) << 32) - prev;
	return cur;
}

/* ---- /proc/diskstats -------------------------------------------------------------------- */

int procstat_parse_diskstats_line(const char *line, struct disk_stats *d)
{
	uint64_t v[17];
	uint64_t major;
	uint64_t minor;
	const char *p = line;

	memset(d, 0, sizeof(*d));
	if (next_u64(&p, &major) || next_u64(&p, &minor) || major > UINT32_MAX ||
	    minor > UINT32_MAX || next_word(&p, d->name, sizeof(d->name)))
		return -EINVAL;
	d->major = (unsigned)major;
	d->minor = (unsigned)minor;
	const size_t n = read_numbers(p, v, 17);

	/* Field counts as sysstat reads them: 7 (2.6 partitions), >= 14, >= 18, >= 20. */
	if (n == 4) {
		d->rd_ios = v[0];
		d->rd_sectors = v[1];
		d->wr_ios = v[2];
		d->wr_sectors = v[3];
		return 0;
	}
	if (n < 11)
		return -EINVAL;
	d->has = DISK_HAS_EXTENDED;
	d->rd_ios = v[0];
	d->rd_merges = v[1];
	d->rd_sectors = v[2];
	d->rd_ticks = v[3];
	d->wr_ios = v[4];
	d->wr_merges = v[5];
	d->wr_sectors = v[6];
	d->wr_ticks = v[7];
	d->in_flight = v[8];
	d->io_ticks = v[9];
	d->time_in_queue = v[10];
	if (n >= 15) {
		d->has |= DISK_HAS_DISCARD;
		d->dc_ios = v[11];
		d->dc_merges = v[12];
		d->dc_sectors = v[13];
		d->dc_ticks = v[14];
	}
	if (n >= 17) {
		d->has |= DISK_HAS_FLUSH;
		d->fl_ios = v[15];
		d->fl_ticks = v[16];
	}
	return 0;
}

int procstat_parse_diskstats(const char *text, struct disk_stats **v, size_t *nr)
{
	struct disk_stats *a = NULL;
	size_t n = 0;
	size_t cap = 0;

	for (const char *line = text; *line; line = next_line(line)) {
		a = grow(a, n, &cap, sizeof(*a));
		if (procstat_parse_diskstats_line(line, &a[n]) == 0)
			n++;
	}
	*v = a;
	*nr = n;
	return n ? 0 : -EINVAL;
}

void procstat_disk_delta(const struct disk_stats *prev, const struct disk_stats *cur,
			 struct disk_delta *d)
{
	static const struct disk_stats zero;
	const struct disk_stats *p = prev ? prev : &zero;

	memset(d, 0, sizeof(*d));
	d->has = prev ? prev->has & cur->has : cur->has;
	/*
	 * sysstat's test for a device removed and added again (iostat.c write_stats): fewer I/Os
	 * in total, and every sector counter that was not zero went backwards too. One wrapped
	 * counter cannot do that.
	 */
	if (prev &&
	    cur->rd_ios + cur->wr_ios + cur->dc_ios + cur->fl_ios <
		    prev->rd_ios + prev->wr_ios + prev->dc_ios + prev->fl_ios &&
	    (!prev->rd_sectors || cur->rd_sectors < prev->rd_sectors) &&
	    (!prev->wr_sectors || cur->wr_sectors < prev->wr_sectors) &&
	    (!prev->dc_sectors || cur->dc_sectors < prev->dc_sectors)) {
		d->reset = true;
		d->has = cur->has;
		p = &zero;
	}
#define DELTA(f) (d->f = procstat_counter_delta(p->f, cur->f))
	DELTA(rd_ios);
	DELTA(rd_merges);
	DELTA(rd_sectors);
	DELTA(rd_ticks);
	DELTA(wr_ios);
	DELTA(wr_merges);
	DELTA(wr_sectors);
	DELTA(wr_ticks);
	DELTA(io_ticks);
	DELTA(time_in_queue);
	if (d->has & DISK_HAS_DISCARD) {
		DELTA(dc_ios);
		DELTA(dc_merges);
		DELTA(dc_sectors);
		DELTA(dc_ticks);
	}
	if (d->has & DISK_HAS_FLUSH) {
		DELTA(fl_ios);
		DELTA(fl_ticks);
	}
#undef DELTA
}

void procstat_disk_delta_add(struct disk_delta *a, const struct disk_delta *b)
{
	a->has &= b->has;
	a->reset = a->reset || b->reset;
#define ADD(f) (a->f += b->f)
	ADD(rd_ios);
	ADD(rd_merges);
	ADD(rd_sectors);
	ADD(rd_ticks);
	ADD(wr_ios);
	ADD(wr_merges);
	ADD(wr_sectors);
	ADD(wr_ticks);
	ADD(io_ticks);
	ADD(time_in_queue);
	ADD(dc_ios);
	ADD(dc_merges);
	ADD(dc_sectors);
	ADD(dc_ticks);
	ADD(fl_ios);
	ADD(fl_ticks);
#undef ADD
}

static double ratio(uint64_t num, uint64_t den)
{
	return den ? (double)num / (double)den : 0.0;
}

void procstat_disk_rates(const struct disk_delta *d, double seconds, struct disk_rates *r)
{
	memset(r, 0, sizeof(*r));
	if (seconds <= 0)
		return;
	r->r_s = (double)d->rd_ios / seconds;
	r->rkb_s = (double)d->rd_sectors / 2.0 / seconds;
	r->rrqm_s = (double)d->rd_merges / seconds;
	r->rrqm_pct = 100.0 * ratio(d->rd_merges, d->rd_merges + d->rd_ios);
	r->r_await = ratio(d->rd_ticks, d->rd_ios);
	r->rareq_sz = ratio(d->rd_sectors, d->rd_ios) / 2.0;

	r->w_s = (double)d->wr_ios / seconds;
	r->wkb_s = (double)d->wr_sectors / 2.0 / seconds;
	r->wrqm_s = (double)d->wr_merges / seconds;
	r->wrqm_pct = 100.0 * ratio(d->wr_merges, d->wr_merges + d->wr_ios);
	r->w_await = ratio(d->wr_ticks, d->wr_ios);
	r->wareq_sz = ratio(d->wr_sectors, d->wr_ios) / 2.0;

	if (d->has & DISK_HAS_DISCARD) {
		r->d_s = (double)d->dc_ios / seconds;
		r->dkb_s = (double)d->dc_sectors / 2.0 / seconds;
		r->drqm_s = (double)d->dc_merges / seconds;
		r->drqm_pct = 100.0 * ratio(d->dc_merges, d->dc_merges + d->dc_ios);
		r->d_await = ratio(d->dc_ticks, d->dc_ios);
		r->dareq_sz = ratio(d->dc_sectors, d->dc_ios) / 2.0;
	}
	if (d->has & DISK_HAS_FLUSH) {
		r->f_s = (double)d->fl_ios / seconds;
		r->f_await = ratio(d->fl_ticks, d->fl_ios);
	}
	/* time_in_queue and io_ticks are ms: per ms of the interval, and in % of it. */
	r->aqu_sz = (double)d->time_in_queue / (seconds * 1000.0);
	r->util_pct = (double)d->io_ticks / (seconds * 1000.0) * 100.0;
}

/* ---- /proc/stat ------------------------------------------------------------------------- */

int procstat_parse_stat(const char *text, struct cpu_stats **v, size_t *nr)
{
	struct cpu_stats *a = NULL;
	size_t n = 0;
	size_t cap = 0;

	for (const char *line = text; *line; line = next_line(line)) {
		const char *p = line;
		char word[32];
		uint64_t x[10] = {0};
		long cpu = -1;

		if (strncmp(line, "cpu", 3) || next_word(&p, word, sizeof(word)))
			continue;
		if (word[3]) {
			char *end;

			cpu = strtol(word + 3, &end, 10);
			if (*end || cpu < 0 || cpu > 1 << 20)
				continue;
		}
		const size_t k = read_numbers(p, x, 10);
		if (k < 4)
			continue;
		a = grow(a, n, &cap, sizeof(*a));
		a[n] = (struct cpu_stats){
			.cpu = (int)cpu,
			.nfields = (unsigned)k,
			.user = x[0],
			.nice = x[1],
			.system = x[2],
			.idle = x[3],
			.iowait = x[4],
			.irq = x[5],
			.softirq = x[6],
			.steal = x[7],
			.guest = x[8],
			.guest_nice = x[9],
		};
		n++;
	}
	*v = a;
	*nr = n;
	return n ? 0 : -EINVAL;
}

/* A tick counter that should only grow; backwards (iowait on some kernels) counts as 0. */
static uint64_t ticks_delta(uint64_t prev, uint64_t cur)
{
	return cur > prev ? cur - prev : 0;
}

void procstat_cpu_shares(const struct cpu_stats *prev, const struct cpu_stats *cur,
			 struct cpu_shares *s)
{
	const uint64_t user = ticks_delta(prev->user, cur->user);
	const uint64_t nice = ticks_delta(prev->nice, cur->nice);
	const uint64_t guest = ticks_delta(prev->guest, cur->guest);
	const uint64_t guest_nice = ticks_delta(prev->guest_nice, cur->guest_nice);
	const uint64_t system = ticks_delta(prev->system, cur->system);
	const uint64_t idle = ticks_delta(prev->idle, cur->idle);
	const uint64_t iowait = ticks_delta(prev->iowait, cur->iowait);
	const uint64_t irq = ticks_delta(prev->irq, cur->irq);
	const uint64_t softirq = ticks_delta(prev->softirq, cur->softirq);
	const uint64_t steal = ticks_delta(prev->steal, cur->steal);
	/* guest is inside user and guest_nice inside nice: counted once, shown apart (mpstat). */
	const uint64_t total = user + nice + system + idle + iowait + irq + softirq + steal;

	memset(s, 0, sizeof(*s));
	s->ticks = total;
	if (!total)
		return;
	s->user = 100.0 * (double)(user > guest ? user - guest : 0) / (double)total;
	s->nice = 100.0 * (double)(nice > guest_nice ? nice - guest_nice : 0) / (double)total;
	s->guest = 100.0 * (double)(guest < user ? guest : user) / (double)total;
	s->guest_nice = 100.0 * (double)(guest_nice < nice ? guest_nice : nice) / (double)total;
	s->system = 100.0 * (double)system / (double)total;
	s->idle = 100.0 * (double)idle / (double)total;
	s->iowait = 100.0 * (double)iowait / (double)total;
	s->irq = 100.0 * (double)irq / (double)total;
	s->softirq = 100.0 * (double)softirq / (double)total;
	s->steal = 100.0 * (double)steal / (double)total;
	s->busy = 100.0 * (double)(total - idle - iowait) / (double)total;
}

/* ---- /proc/net/dev ---------------------------------------------------------------------- */

int procstat_parse_net_dev(const char *text, struct net_stats **v, size_t *nr)
{
	struct net_stats *a = NULL;
	size_t n = 0;
	size_t cap = 0;

	for (const char *line = text; *line; line = next_line(line)) {
		/* "  eth0: 874354587 1036395 ..." or, with a long name, "vethf345468:     648 ...".
		 */
		const size_t len = line_length(line);
		const char *colon = memchr(line, ':', len);
		const char *p = skip_blanks(line);
		uint64_t x[16];

		if (!colon || memchr(line, '|', len) || colon <= p)
			continue;
		const size_t name_len = (size_t)(colon - p);
		if (name_len >= PROCSTAT_IFNAME || read_numbers(colon + 1, x, 16) < 16)
			continue;
		a = grow(a, n, &cap, sizeof(*a));
		memset(&a[n], 0, sizeof(a[n]));
		memcpy(a[n].name, p, name_len);
		a[n].rx_bytes = x[0];
		a[n].rx_packets = x[1];
		a[n].rx_errs = x[2];
		a[n].rx_drop = x[3];
		a[n].tx_bytes = x[8];
		a[n].tx_packets = x[9];
		a[n].tx_errs = x[10];
		a[n].tx_drop = x[11];
		n++;
	}
	*v = a;
	*nr = n;
	return n ? 0 : -EINVAL;
}

void procstat_net_delta(const struct net_stats *prev, const struct net_stats *cur,
			struct net_delta *d)
{
	static const struct net_stats zero;
	const struct net_stats *p = prev ? prev : &zero;

	d->rx_bytes = procstat_counter_delta(p->rx_bytes, cur->rx_bytes);
	d->rx_packets = procstat_counter_delta(p->rx_packets, cur->rx_packets);
	d->tx_bytes = procstat_counter_delta(p->tx_bytes, cur->tx_bytes);
	d->tx_packets = procstat_counter_delta(p->tx_packets, cur->tx_packets);
}

void procstat_net_rates(const struct net_delta *d, double seconds, struct net_rates *r)
{
	memset(r, 0, sizeof(*r));
	if (seconds <= 0)
		return;
	r->rx_bytes_s = (double)d->rx_bytes / seconds;
	r->tx_bytes_s = (double)d->tx_bytes / seconds;
	r->rx_packets_s = (double)d->rx_packets / seconds;
	r->tx_packets_s = (double)d->tx_packets / seconds;
}

/* ---- /proc/self/mountstats -------------------------------------------------------------- */

void procstat_mountstats_free(struct nfs_mount_stats *v, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(v[i].device);
		free(v[i].mount_point);
	}
	free(v);
}

/*
 * "device 192.168.1.1:/srv/test mounted on /mnt/nfs/test with fstype nfs4 statvers=1.1"
 * (fs/proc_namespace.c show_vfsstat). Returns true and fills m for an NFS mount.
 */
static bool parse_device_line(const char *line, struct nfs_mount_stats *m)
{
	const size_t len = line_length(line);
	char *words[10];
	size_t n = 0;
	bool ok = false;
	char *copy = xmalloc(len + 1);

	memcpy(copy, line, len);
	copy[len] = '\0';

	for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w && n < 10;
	     w = strtok_r(NULL, " \t", &save))
		words[n++] = w;
	if (n < 8 || strcmp(words[0], "device") || strcmp(words[2], "mounted") ||
	    strcmp(words[3], "on") || strcmp(words[5], "with") || strcmp(words[6], "fstype"))
		goto out;
	if (strcmp(words[7], "nfs") && strcmp(words[7], "nfs4"))
		goto out;
	memset(m, 0, sizeof(*m));
	unescape_octal(words[1]);
	unescape_octal(words[4]);
	m->device = xstrdup(words[1]);
	m->mount_point = xstrdup(words[4]);
	snprintf(m->fs_type, sizeof(m->fs_type), "%s", words[7]);
	if (n > 8 && !strncmp(words[8], "statvers=", 9))
		snprintf(m->statvers, sizeof(m->statvers), "%s", words[8] + 9);
	ok = true;
out:
	free(copy);
	return ok;
}

static void parse_op_line(const char *p, struct nfs_op_stats *op)
{
	uint64_t x[9];
	const size_t k = read_numbers(p, x, 9);

	memset(op, 0, sizeof(*op));
	if (k < 8)
		return;
	op->ops = x[0];
	op->ntrans = x[1];
	op->timeouts = x[2];
	op->bytes_sent = x[3];
	op->bytes_recv = x[4];
	op->queue_ms = x[5];
	op->rtt_ms = x[6];
	op->execute_ms = x[7];
	if (k >= 9) {
		op->errors = x[8];
		op->have_errors = true;
	}
}

int procstat_parse_mountstats(const char *text, struct nfs_mount_stats **v, size_t *nr)
{
	struct nfs_mount_stats *a = NULL;
	struct nfs_mount_stats *cur = NULL;
	bool in_ops = false;
	size_t n = 0;
	size_t cap = 0;

	for (const char *line = text; *line; line = next_line(line)) {
		const char *p = line;
		char key[64];

		if (!strncmp(line, "device ", 7)) {
			struct nfs_mount_stats m;

			cur = NULL;
			in_ops = false;
			if (parse_device_line(line, &m)) {
				a = grow(a, n, &cap, sizeof(*a));
				a[n] = m;
				cur = &a[n++];
			}
			continue;
		}
		if (!cur || next_word(&p, key, sizeof(key)))
			continue;
		if (!strcmp(key, "age:")) {
			uint64_t age;

			if (next_u64(&p, &age) == 0)
				cur->age_s = age;
		} else if (!strcmp(key, "bytes:")) {
			cur->have_bytes =
				read_numbers(p, cur->bytes, NFS_BYTES_MAX) == NFS_BYTES_MAX;
			if (!cur->have_bytes)
				memset(cur->bytes, 0, sizeof(cur->bytes));
		} else if (!strcmp(key, "per-op")) {
			in_ops = true;
		} else if (in_ops && !strcmp(key, "READ:")) {
			parse_op_line(p, &cur->read);
			cur->have_read = true;
		} else if (in_ops && !strcmp(key, "WRITE:")) {
			parse_op_line(p, &cur->write);
			cur->have_write = true;
		}
	}
	*v = a;
	*nr = n;
	return 0;
}

void procstat_nfs_op_delta(const struct nfs_op_stats *prev, const struct nfs_op_stats *cur,
			   struct nfs_op_stats *d)
{
	static const struct nfs_op_stats zero;
	const struct nfs_op_stats *p = prev ? prev : &zero;

	d->ops = procstat_counter_delta(p->ops, cur->ops);
	d->ntrans = procstat_counter_delta(p->ntrans, cur->ntrans);
	d->timeouts = procstat_counter_delta(p->timeouts, cur->timeouts);
	d->bytes_sent = procstat_counter_delta(p->bytes_sent, cur->bytes_sent);
	d->bytes_recv = procstat_counter_delta(p->bytes_recv, cur->bytes_recv);
	/*
	 * The ms sums are ktime_to_ms() of 64-bit ktime sums; a negative sample (seen in real
	 * files as 18446743919241604546) makes one go backwards, which counts 0, not a wrap.
	 */
	d->queue_ms = ticks_delta(p->queue_ms, cur->queue_ms);
	d->rtt_ms = ticks_delta(p->rtt_ms, cur->rtt_ms);
	d->execute_ms = ticks_delta(p->execute_ms, cur->execute_ms);
	d->errors = procstat_counter_delta(p->errors, cur->errors);
	d->have_errors = cur->have_errors;
}

void procstat_nfs_op_rates(const struct nfs_op_stats *d, double seconds, struct nfs_op_rates *r)
{
	const double kb = (double)(d->bytes_sent + d->bytes_recv) / 1024.0;

	memset(r, 0, sizeof(*r));
	if (seconds > 0) {
		r->ops_s = (double)d->ops / seconds;
		r->kb_s = kb / seconds;
	}
	if (!d->ops)
		return;
	r->kb_per_op = kb / (double)d->ops;
	r->retrans = d->ntrans > d->ops ? (double)(d->ntrans - d->ops) : 0.0;
	r->retrans_pct = 100.0 * r->retrans / (double)d->ops;
	r->avg_rtt_ms = (double)d->rtt_ms / (double)d->ops;
	r->avg_exe_ms = (double)d->execute_ms / (double)d->ops;
	r->avg_queue_ms = (double)d->queue_ms / (double)d->ops;
	r->errors = (double)d->errors;
}

/* ---- /proc/pressure, /proc/meminfo ------------------------------------------------------ */

int procstat_parse_pressure(const char *text, struct psi_stats *ps)
{
	memset(ps, 0, sizeof(*ps));
	for (const char *line = text; *line; line = next_line(line)) {
		const char *p = line;
		char word[64];
		bool some;
		double avg10 = 0;
		uint64_t total = 0;
		bool have_total = false;

		if (next_word(&p, word, sizeof(word)) ||
		    (strcmp(word, "some") && strcmp(word, "full")))
			continue;
		some = !strcmp(word, "some");
		while (next_word(&p, word, sizeof(word)) == 0) {
			if (!strncmp(word, "avg10=", 6)) {
				avg10 = strtod(word + 6, NULL);
			} else if (!strncmp(word, "total=", 6)) {
				const char *t = word + 6;

				have_total = next_u64(&t, &total) == 0;
			}
		}
		if (!have_total)
			continue;
		if (some) {
			ps->have_some = true;
			ps->some_avg10 = avg10;
			ps->some_total_us = total;
		} else {
			ps->have_full = true;
			ps->full_avg10 = avg10;
			ps->full_total_us = total;
		}
	}
	return ps->have_some ? 0 : -EINVAL;
}

int procstat_parse_meminfo(const char *text, struct meminfo_stats *m)
{
	bool dirty = false;
	bool writeback = false;

	memset(m, 0, sizeof(*m));
	for (const char *line = text; *line; line = next_line(line)) {
		const char *p = line;
		char key[64];
		uint64_t kb;

		if (next_word(&p, key, sizeof(key)) || next_u64(&p, &kb))
			continue;
		if (!strcmp(key, "Dirty:")) {
			m->dirty_kb = kb;
			dirty = true;
		} else if (!strcmp(key, "Writeback:")) {
			m->writeback_kb = kb;
			writeback = true;
		}
	}
	return dirty && writeback ? 0 : -ENOENT;
}
