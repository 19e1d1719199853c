/* SPDX-License-Identifier: MIT */
/* sampler.c - the sampler's readings of /proc, its thread and its clock (sampler.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "sys/route.h"
#include "sys/sampler.h"

enum sampler_file {
	F_DISKSTATS,
	F_STAT,
	F_NETDEV,
	F_MOUNTSTATS,
	F_PSI_IO,
	F_PSI_CPU,
	F_PSI_MEMORY,
	F_MEMINFO,
};

static const char *const file_names[SAMPLER_FILES] = {
	"/proc/diskstats",   "/proc/stat",	   "/proc/net/dev",	    "/proc/self/mountstats",
	"/proc/pressure/io", "/proc/pressure/cpu", "/proc/pressure/memory", "/proc/meminfo",
};

/* ---- reading ---------------------------------------------------------------------------- */

/*
 * The whole of a /proc file into the sampler's buffer for it, NUL-terminated. The file stays
 * open: seq_file starts over when read again from offset 0, and the open and the path lookup
 * are a good part of a reading's cost. 0 or -errno.
 */
static int read_file(struct sampler *s, enum sampler_file f)
{
	size_t n = 0;

	if (s->fd[f] < 0) {
		s->fd[f] = open(s->file[f], O_RDONLY | O_CLOEXEC);
		if (s->fd[f] < 0)
			return -errno;
	}
	for (;;) {
		ssize_t r;

		if (n + 1 >= s->buf_alloc[f]) {
			s->buf_alloc[f] = s->buf_alloc[f] ? 2 * s->buf_alloc[f] : 16384;
			s->buf[f] = xrealloc(s->buf[f], s->buf_alloc[f]);
		}
		r = pread(s->fd[f], s->buf[f] + n, s->buf_alloc[f] - n - 1, (off_t)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			const int ret = -errno;

			close(s->fd[f]);
			s->fd[f] = -1;
			return ret;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	s->buf[f][n] = '\0';
	return 0;
}

/* What sysfs says a block device is; "cciss/c0d0" is "cciss!c0d0" there. */
static const char *device_kind(const struct sampler *s, const char *name)
{
	char sysname[PROCSTAT_DISK_NAME];
	const char *kind = "unknown";
	char *p;

	snprintf(sysname, sizeof(sysname), "%s", name);
	for (p = sysname; *p; p++)
		if (*p == '/')
			*p = '!';
	char *base = xasprintf("%s/sys/class/block/%s", s->sysroot, sysname);
	char *probe = xasprintf("%s/partition", base);

	if (access(probe, F_OK) == 0) {
		kind = "partition";
		goto out;
	}
	free(probe);
	probe = xasprintf("%s/dm", base);
	if (!strncmp(name, "dm-", 3) || access(probe, F_OK) == 0) {
		kind = "dm";
		goto out;
	}
	free(probe);
	probe = xasprintf("%s/md", base);
	if (!strncmp(name, "md", 2) && access(probe, F_OK) == 0) {
		kind = "md";
		goto out;
	}
	if (!strncmp(name, "loop", 4)) {
		kind = "loop";
		goto out;
	}
	if (access(base, F_OK) == 0)
		kind = "disk";
out:
	free(probe);
	free(base);
	return kind;
}

/* The index of name in the sampler's table of devices, looked up in sysfs when it is new. */
static size_t learn_device(struct sampler *s, const char *name)
{
	for (size_t i = 0; i < s->nr_devices; i++)
		if (!strcmp(s->devices[i].name, name))
			return i;
	if (s->nr_devices == s->alloc_devices) {
		s->alloc_devices = s->alloc_devices ? 2 * s->alloc_devices : 16;
		s->devices = xrealloc(s->devices, s->alloc_devices * sizeof(*s->devices));
	}
	struct sampler_device *d = &s->devices[s->nr_devices];

	snprintf(d->name, sizeof(d->name), "%s", name);
	d->kind = device_kind(s, d->name);
	return s->nr_devices++;
}

static bool disk_is_idle(const struct disk_stats *d)
{
	return !(d->rd_ios | d->wr_ios | d->dc_ios | d->fl_ios | d->rd_sectors | d->wr_sectors |
		 d->dc_sectors | d->in_flight);
}

/*
 * Devices idle since boot (unused loop and ram devices, an empty CD drive) are kept only as an
 * index: a reading stays small, and one that starts doing I/O is known to have been there.
 */
static void keep_busy_disks(struct sampler *s, struct sampler_snapshot *sn)
{
	size_t k = 0;

	for (size_t i = 0; i < sn->nr_disk; i++) {
		const size_t dev = learn_device(s, sn->disk[i].name);

		if (!disk_is_idle(&sn->disk[i])) {
			sn->disk[k++] = sn->disk[i];
		} else if (dev <= UINT16_MAX) {
			sn->idle = xrealloc(sn->idle, (sn->nr_idle + 1) * sizeof(*sn->idle));
			sn->idle[sn->nr_idle++] = (uint16_t)dev;
		}
	}
	sn->nr_disk = k;
}

static void keep_busy_interfaces(struct sampler_snapshot *sn)
{
	size_t k = 0;

	for (size_t i = 0; i < sn->nr_net; i++)
		if (sn->net[i].rx_bytes || sn->net[i].tx_bytes || sn->net[i].rx_packets ||
		    sn->net[i].tx_packets)
			sn->net[k++] = sn->net[i];
	sn->nr_net = k;
}

/* The RDMA ports' counters, appended to the reading's interfaces under the ports' names. */
static void take_rdma(const struct sampler *s, struct sampler_snapshot *sn)
{
	for (size_t i = 0; i < s->nr_rdma; i++) {
		struct rdma_counters c;

		if (rdma_read_counters(s->sysroot, &s->rdma[i], &c) < 0)
			continue;
		sn->net = xrealloc(sn->net, (sn->nr_net + 1) * sizeof(*sn->net));
		struct net_stats *n = &sn->net[sn->nr_net++];
		memset(n, 0, sizeof(*n));
		snprintf(n->name, sizeof(n->name), "%.*s", (int)sizeof(n->name) - 1,
			 s->rdma[i].name);
		n->rx_bytes = c.rx_bytes;
		n->tx_bytes = c.tx_bytes;
		n->rx_packets = c.rx_packets;
		n->tx_packets = c.tx_packets;
	}
}

static void take_nfs(struct sampler *s, struct sampler_snapshot *sn)
{
	struct nfs_mount_stats *m = NULL;
	size_t nr = 0;

	sn->nfs = xcalloc(s->nr_nfs, sizeof(*sn->nfs));
	if (procstat_parse_mountstats(s->buf[F_MOUNTSTATS], &m, &nr))
		return;
	for (size_t k = 0; k < s->nr_nfs; k++) {
		for (size_t i = 0; i < nr; i++) {
			if (strcmp(m[i].mount_point, s->nfs_mounts[k]))
				continue;
			sn->nfs[k] = (struct sampler_nfs){
				.present = true,
				.have_bytes = m[i].have_bytes,
				.have_read = m[i].have_read,
				.have_write = m[i].have_write,
				.read = m[i].read,
				.write = m[i].write,
			};
			memcpy(sn->nfs[k].bytes, m[i].bytes, sizeof(m[i].bytes));
			break;
		}
	}
	procstat_mountstats_free(m, nr);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Read every file, then parse: the reads sit close to the timestamp (diskstats first, right
 * after it), the parsing comes after them.
 */
static int take_reading(struct sampler *s, uint64_t t_ns)
{
	struct sampler_snapshot sn = {.t_ns = t_ns};
	int err[SAMPLER_FILES];
	int ret;

	for (int f = 0; f < SAMPLER_FILES; f++)
		err[f] = f == F_MOUNTSTATS && !s->nr_nfs ? -ENOENT : read_file(s, f);
	if (!s->nr_snap) {
		s->real_ns0 = real_ns() - (now_mono_ns() - t_ns);
		s->t0_ns = t_ns;
	}

	if (!err[F_DISKSTATS] &&
	    procstat_parse_diskstats(s->buf[F_DISKSTATS], &sn.disk, &sn.nr_disk) == 0) {
		sn.have |= SAMPLER_DISK;
		keep_busy_disks(s, &sn);
	}
	if (!err[F_STAT] && procstat_parse_stat(s->buf[F_STAT], &sn.cpu, &sn.nr_cpu) == 0)
		sn.have |= SAMPLER_CPU;
	if (!err[F_NETDEV] && procstat_parse_net_dev(s->buf[F_NETDEV], &sn.net, &sn.nr_net) == 0) {
		sn.have |= SAMPLER_NET;
		take_rdma(s, &sn);
		keep_busy_interfaces(&sn);
	}
	if (s->nr_nfs && !err[F_MOUNTSTATS]) {
		sn.have |= SAMPLER_NFS;
		take_nfs(s, &sn);
	}
	for (int p = 0; p < PSI_MAX; p++)
		if (!err[F_PSI_IO + p] &&
		    procstat_parse_pressure(s->buf[F_PSI_IO + p], &sn.psi[p]) == 0)
			sn.have |= SAMPLER_PSI_IO << p;
	if (!err[F_MEMINFO] && procstat_parse_meminfo(s->buf[F_MEMINFO], &sn.mem) == 0)
		sn.have |= SAMPLER_MEMINFO;

	s->failed |= ~sn.have &
		     (SAMPLER_DISK | SAMPLER_CPU | SAMPLER_NET | SAMPLER_PSI_IO | SAMPLER_PSI_CPU |
		      SAMPLER_PSI_MEMORY | SAMPLER_MEMINFO | (s->nr_nfs ? SAMPLER_NFS : 0));
	ret = sn.have & SAMPLER_DISK ? 0 : err[F_DISKSTATS] ? err[F_DISKSTATS] : -EINVAL;

	if (s->nr_snap - s->snap_base == s->alloc_snap) {
		s->alloc_snap = s->alloc_snap ? 2 * s->alloc_snap : 256;
		s->snap = xrealloc(s->snap, s->alloc_snap * sizeof(*s->snap));
	}
	s->snap[s->nr_snap++ - s->snap_base] = sn;
	if (s->stream)
		sampler_running_add(s);
	return ret;
}

int sampler_sample_at(struct sampler *s, uint64_t t_ns)
{
	const uint64_t c0 = thread_cpu_ns();
	const int ret = take_reading(s, t_ns);
	const uint64_t used = thread_cpu_ns() - c0;

	s->cpu_ns += used;
	s->reading_ns += used;
	return ret;
}

int sampler_sample(struct sampler *s)
{
	return sampler_sample_at(s, now_mono_ns());
}

/* ---- the thread ------------------------------------------------------------------------- */

static void timespec_add_ns(struct timespec *t, uint64_t ns)
{
	const uint64_t sum = (uint64_t)t->tv_nsec + ns % 1000000000ull;

	t->tv_sec += (time_t)(ns / 1000000000ull + sum / 1000000000ull);
	t->tv_nsec = (long)(sum % 1000000000ull);
}

static bool timespec_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *sampler_main(void *arg)
{
	struct sampler *s = arg;
	const uint64_t step = (uint64_t)(s->interval_s * 1e9);
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		struct timespec now;

		/* A tick grid, as iostat keeps; after a stall (a reading slower than the interval,
		 * a suspended VM) the grid restarts from now instead of catching up in a burst. */
		timespec_add_ns(&next, step);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timespec_before(&next, &now))
			next = now;
		while (!s->stop && pthread_cond_timedwait(&s->cond, &s->lock, &next) != ETIMEDOUT)
			;
		if (s->stop)
			break;
		pthread_mutex_unlock(&s->lock);
		const uint64_t c0 = thread_cpu_ns();

		take_reading(s, now_mono_ns());
		s->reading_ns += thread_cpu_ns() - c0;
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	/* All of this thread's CPU time, waits and bookkeeping included: what it cost the run. */
	s->cpu_ns += thread_cpu_ns();
	return NULL;
}

int sampler_start(struct sampler *s)
{
	pthread_condattr_t attr;
	sigset_t all;
	sigset_t old;
	int ret;

	sampler_sample(s);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&s->lock, NULL);
	s->stop = false;
	/* Ctrl-C and SIGTERM belong to the threads that can act on them, not to the sampler. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&s->thread, NULL, sampler_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
		return ret;
	}
	s->running = true;
	return 0;
}

/* Wake the sampling thread, wait for it to end, and free what it synchronised with. */
static void stop_thread(struct sampler *s)
{
	if (!s->running)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	s->running = false;
}

int sampler_stop(struct sampler *s)
{
	stop_thread(s);
	return sampler_sample(s);
}

/* ---- setup ------------------------------------------------------------------------------ */

static void add_link(struct sampler *s, const struct sampler_link *l)
{
	s->links = xrealloc(s->links, (s->nr_links + 1) * sizeof(*s->links));
	s->links[s->nr_links++] = *l;
}

/* The IP interfaces' speeds and the RDMA ports, as sysfs says at the start. */
static void learn_links(struct sampler *s)
{
	char *path = xasprintf("%s/sys/class/net", s->sysroot);
	DIR *dir = opendir(path);
	struct dirent *de;

	free(path);
	while (dir && (de = readdir(dir)) != NULL) {
		struct sampler_link l = {.speed_mbps = -1};
		char *text = NULL;
		long v;

		if (de->d_name[0] == '.')
			continue;
		snprintf(l.name, sizeof(l.name), "%.*s", (int)sizeof(l.name) - 1, de->d_name);
		path = xasprintf("%s/sys/class/net/%s/speed", s->sysroot, de->d_name);
		/* speed reads -1 or EINVAL when the link is down or the driver cannot say. */
		if (read_text_file(path, &text, NULL) == 0) {
			text[strcspn(text, "\n")] = '\0';
			if (!parse_long(text, 1, LONG_MAX, &v))
				l.speed_mbps = v;
		}
		free(text);
		free(path);
		/* On this machine, a tbf at the interface's root holds it below its speed. */
		uint64_t rate;
		const unsigned idx = *s->sysroot ? 0 : if_nametoindex(de->d_name);
		if (idx && route_tbf_rate(idx, &rate) == 0 &&
		    (l.speed_mbps < 0 || (long)(rate * 8 / 1000000) < l.speed_mbps))
			l.speed_mbps = (long)(rate * 8 / 1000000);
		add_link(s, &l);
	}
	if (dir)
		closedir(dir);
	if (rdma_list_ports(s->sysroot, &s->rdma, &s->nr_rdma) < 0)
		s->nr_rdma = 0;
	size_t k = 0;
	for (size_t i = 0; i < s->nr_rdma; i++) {
		struct sampler_link l = {.rdma = true, .speed_mbps = s->rdma[i].rate_mbps};

		snprintf(l.name, sizeof(l.name), "%.*s", (int)sizeof(l.name) - 1, s->rdma[i].name);
		snprintf(l.link_layer, sizeof(l.link_layer), "%s", s->rdma[i].link_layer);
		snprintf(l.netdev, sizeof(l.netdev), "%s", s->rdma[i].netdev);
		add_link(s, &l);
		/* Each counter read is a query to the adapter: only active ports are read. */
		if (s->rdma[i].up && s->rdma[i].counters != RDMA_COUNTERS_NONE)
			s->rdma[k++] = s->rdma[i];
	}
	s->nr_rdma = k;
}

const struct sampler_link *sampler_find_link(const struct sampler *s, const char *name)
{
	for (size_t i = 0; i < s->nr_links; i++)
		if (!strcmp(s->links[i].name, name))
			return &s->links[i];
	return NULL;
}

int sampler_init(struct sampler *s, const struct sampler_config *cfg)
{
	memset(s, 0, sizeof(*s));
	if (!(cfg->interval_s >= SAMPLER_MIN_INTERVAL_S))
		return -EINVAL;
	s->sysroot = xstrdup(cfg->sysroot ? cfg->sysroot : "");
	s->interval_s = cfg->interval_s;
	s->stream = cfg->running;
	for (int f = 0; f < SAMPLER_FILES; f++) {
		s->file[f] = xasprintf("%s%s", s->sysroot, file_names[f]);
		s->fd[f] = -1;
	}
	learn_links(s);
	s->targets = xcalloc(cfg->nr_paths, sizeof(*s->targets));
	s->nfs_mounts = xcalloc(cfg->nr_paths, sizeof(*s->nfs_mounts));
	for (size_t i = 0; i < cfg->nr_paths; i++) {
		struct sampler_target *t = &s->targets[s->nr_targets++];

		t->path = xstrdup(cfg->paths[i].path);
		t->role = xstrdup(cfg->paths[i].role);
		t->nfs = -1;
		if (device_resolve(t->path, s->sysroot, &t->dev))
			memset(&t->dev, 0, sizeof(t->dev));
		if (!t->dev.fs_type || strncmp(t->dev.fs_type, "nfs", 3) || !t->dev.mount_point)
			continue;
		for (size_t k = 0; k < s->nr_nfs; k++)
			if (!strcmp(s->nfs_mounts[k], t->dev.mount_point))
				t->nfs = (int)k;
		if (t->nfs < 0) {
			t->nfs = (int)s->nr_nfs;
			s->nfs_mounts[s->nr_nfs++] = xstrdup(t->dev.mount_point);
		}
	}
	return 0;
}

static void snapshot_release(struct sampler_snapshot *sn)
{
	free(sn->disk);
	free(sn->idle);
	free(sn->cpu);
	free(sn->net);
	free(sn->nfs);
}

void sampler_forget_before(struct sampler *s, size_t i)
{
	if (!s->so_far)
		return;
	const size_t need = sampler_running_needs(s);

	if (i > need)
		i = need;
	if (i <= s->snap_base)
		return;
	const size_t drop = i - s->snap_base;

	for (size_t k = 0; k < drop; k++)
		snapshot_release(&s->snap[k]);
	memmove(s->snap, s->snap + drop, (s->nr_snap - i) * sizeof(*s->snap));
	s->snap_base = i;
}

void sampler_release(struct sampler *s)
{
	stop_thread(s);
	sampler_running_free(s);
	for (size_t i = s->snap_base; i < s->nr_snap; i++)
		snapshot_release(&s->snap[i - s->snap_base]);
	free(s->snap);
	for (size_t i = 0; i < s->nr_targets; i++) {
		free(s->targets[i].path);
		free(s->targets[i].role);
		device_release(&s->targets[i].dev);
	}
	free(s->targets);
	for (size_t i = 0; i < s->nr_nfs; i++)
		free(s->nfs_mounts[i]);
	free(s->nfs_mounts);
	free(s->devices);
	free(s->rdma);
	free(s->links);
	for (int f = 0; f < SAMPLER_FILES; f++) {
		if (s->fd[f] >= 0)
			close(s->fd[f]);
		free(s->file[f]);
		free(s->buf[f]);
	}
	free(s->sysroot);
	memset(s, 0, sizeof(*s));
}
