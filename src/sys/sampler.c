/* sampler.c - the iostat-like sampler thread, its readings, and what they add up to. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sys/sampler.h"
#include "lib/util.h"

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

static const char *const psi_names[PSI_MAX] = {"io", "cpu", "memory"};

/* A device at least this busy counts toward busy90_share. */
#define BUSY_PCT 90.0
/* Readings closer together than this share of the interval do not make peaks: a 5 ms window
 * (the last reading right after syncfs) turns one jiffy of io_ticks into 20 % of util. */
#define PEAK_MIN_SHARE 0.5
#define SHORT_INTERVALS 3

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

static const struct sampler_device *find_device(const struct sampler *s, const char *name)
{
	for (size_t i = 0; i < s->nr_devices; i++)
		if (!strcmp(s->devices[i].name, name))
			return &s->devices[i];
	return NULL;
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
	if (!s->nr_snap)
		s->real_ns0 = real_ns() - (now_mono_ns() - t_ns);

	if (!err[F_DISKSTATS] &&
	    procstat_parse_diskstats(s->buf[F_DISKSTATS], &sn.disk, &sn.nr_disk) == 0) {
		sn.have |= SAMPLER_DISK;
		keep_busy_disks(s, &sn);
	}
	if (!err[F_STAT] && procstat_parse_stat(s->buf[F_STAT], &sn.cpu, &sn.nr_cpu) == 0)
		sn.have |= SAMPLER_CPU;
	if (!err[F_NETDEV] && procstat_parse_net_dev(s->buf[F_NETDEV], &sn.net, &sn.nr_net) == 0) {
		sn.have |= SAMPLER_NET;
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

	if (s->nr_snap == s->alloc_snap) {
		s->alloc_snap = s->alloc_snap ? 2 * s->alloc_snap : 256;
		s->snap = xrealloc(s->snap, s->alloc_snap * sizeof(*s->snap));
	}
	s->snap[s->nr_snap++] = sn;
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

int sampler_init(struct sampler *s, const struct sampler_config *cfg)
{
	memset(s, 0, sizeof(*s));
	if (!(cfg->interval_s > 0))
		return -EINVAL;
	s->sysroot = xstrdup(cfg->sysroot ? cfg->sysroot : "");
	s->interval_s = cfg->interval_s;
	for (int f = 0; f < SAMPLER_FILES; f++) {
		s->file[f] = xasprintf("%s%s", s->sysroot, file_names[f]);
		s->fd[f] = -1;
	}
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

void sampler_release(struct sampler *s)
{
	stop_thread(s);
	for (size_t i = 0; i < s->nr_snap; i++)
		snapshot_release(&s->snap[i]);
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
	for (int f = 0; f < SAMPLER_FILES; f++) {
		if (s->fd[f] >= 0)
			close(s->fd[f]);
		free(s->file[f]);
		free(s->buf[f]);
	}
	free(s->sysroot);
	memset(s, 0, sizeof(*s));
}

/* ---- one interval ----------------------------------------------------------------------- */

static double seconds_between(const struct sampler_snapshot *a, const struct sampler_snapshot *b)
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

static const struct cpu_stats *snap_cpu(const struct sampler_snapshot *sn, int cpu)
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
static bool interval_disk(const struct sampler *s, size_t i, const char *name, struct disk_delta *d,
			  bool *appeared)
{
	const struct sampler_snapshot *a = &s->snap[i - 1];
	const struct sampler_snapshot *b = &s->snap[i];
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

static bool interval_net(const struct sampler *s, size_t i, const char *name, struct net_delta *d)
{
	const struct sampler_snapshot *a = &s->snap[i - 1];
	const struct sampler_snapshot *b = &s->snap[i];
	const struct net_stats *cur;

	if (!(a->have & SAMPLER_NET) || !(b->have & SAMPLER_NET))
		return false;
	cur = snap_net(b, name);
	if (!cur)
		return false;
	procstat_net_delta(snap_net(a, name), cur, d);
	return true;
}

static bool interval_nfs(const struct sampler *s, size_t i, size_t k, uint64_t bytes[],
			 struct nfs_op_stats *read, struct nfs_op_stats *write)
{
	const struct sampler_snapshot *a = &s->snap[i - 1];
	const struct sampler_snapshot *b = &s->snap[i];

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
static bool cpu_window(const struct sampler *s, size_t from, size_t i, size_t *j)
{
	const uint64_t win = (uint64_t)(SAMPLER_CPU_WINDOW_S * 1e9);

	if (!(s->snap[i].have & SAMPLER_CPU))
		return false;
	if (*j < from)
		*j = from;
	while (*j < i && !(s->snap[*j].have & SAMPLER_CPU))
		(*j)++;
	for (size_t k = *j + 1; k < i && s->snap[i].t_ns - s->snap[k].t_ns >= win; k++)
		if (s->snap[k].have & SAMPLER_CPU)
			*j = k;
	return *j < i;
}

/* ---- fields ----------------------------------------------------------------------------- */

/* iostat -x's fields, with the names `iostat -x -o JSON` gives them. */
static const struct disk_field {
	const char *name;
	size_t off;
	unsigned need; /* enum disk_stats_has */
} disk_fields[] = {
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
#define NR_DISK_FIELDS (sizeof(disk_fields) / sizeof(disk_fields[0]))

static double rate_field(const struct disk_rates *r, size_t k)
{
	return *(const double *)((const char *)r + disk_fields[k].off);
}

static const struct cpu_field {
	const char *name;
	size_t off;
} cpu_fields[] = {
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
#define NR_CPU_FIELDS (sizeof(cpu_fields) / sizeof(cpu_fields[0]))

static double share_field(const struct cpu_shares *c, size_t k)
{
	return *(const double *)((const char *)c + cpu_fields[k].off);
}

/* ---- the window's entities -------------------------------------------------------------- */

struct dev_acc {
	const char *name; /* points into a snapshot or the sampler's device table */
	const char *kind;
	bool role_source, role_destination, role_other;
	struct disk_delta total;
	bool counted;
	unsigned has;
	struct disk_rates peak;
	double counted_s, busy90_s;
	bool appeared, vanished;
	unsigned resets;
};

struct net_acc {
	const char *name;
	struct net_delta total;
	struct net_rates peak;
};

struct window {
	size_t from, to;
	double seconds;
	struct dev_acc *dev;
	size_t nr_dev;
	struct net_acc *net;
	size_t nr_net;
};

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

static bool has_role(const struct dev_acc *d)
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
	d->name = known ? known->name : name;
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
	n->name = name;
	return n;
}

static void max_rates(struct disk_rates *peak, const struct disk_rates *r)
{
	for (size_t k = 0; k < NR_DISK_FIELDS; k++) {
		double *p = (double *)((char *)peak + disk_fields[k].off);
		const double v = rate_field(r, k);

		if (v > *p)
			*p = v;
	}
}

/* Everything the window's devices and interfaces did, interval by interval. */
static void window_collect(const struct sampler *s, size_t from, size_t to, struct window *w)
{
	memset(w, 0, sizeof(*w));
	w->from = from;
	w->to = to;
	w->seconds = seconds_between(&s->snap[from], &s->snap[to]);
	/* Devices a path rests on come first, in the order of the paths, even when idle. */
	for (size_t t = 0; t < s->nr_targets; t++)
		for (size_t c = 0; c < s->targets[t].dev.nr_chain; c++)
			window_dev(w, s, s->targets[t].dev.chain[c]);
	for (size_t i = from; i <= to; i++) {
		const struct sampler_snapshot *b = &s->snap[i];

		for (size_t k = 0; k < b->nr_disk; k++)
			window_dev(w, s, b->disk[k].name);
		for (size_t k = 0; k < b->nr_net; k++)
			window_net(w, b->net[k].name);
	}
	for (size_t i = from + 1; i <= to; i++) {
		const double dt = seconds_between(&s->snap[i - 1], &s->snap[i]);
		const bool peak_ok = dt >= PEAK_MIN_SHARE * s->interval_s;

		for (size_t k = 0; k < w->nr_dev; k++) {
			struct dev_acc *d = &w->dev[k];
			struct disk_delta delta;
			struct disk_rates r;
			bool appeared;

			if (!interval_disk(s, i, d->name, &delta, &appeared)) {
				if ((s->snap[i].have & SAMPLER_DISK) &&
				    (s->snap[i - 1].have & SAMPLER_DISK) &&
				    snap_disk(&s->snap[i - 1], d->name) &&
				    !snap_disk_idle(s, &s->snap[i], d->name))
					d->vanished = true;
				continue;
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
		for (size_t k = 0; k < w->nr_net; k++) {
			struct net_acc *n = &w->net[k];
			struct net_delta delta;
			struct net_rates r;

			if (!interval_net(s, i, n->name, &delta))
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
}

static void window_release(struct window *w)
{
	free(w->dev);
	free(w->net);
}

static uint64_t dev_bytes(const struct dev_acc *d)
{
	return (d->total.rd_sectors + d->total.wr_sectors + d->total.dc_sectors) * 512;
}

/* Reported: the paths' devices, and every other device that did any I/O in the window. */
static bool dev_reported(const struct dev_acc *d)
{
	return has_role(d) || (d->counted && (d->total.rd_ios || d->total.wr_ios ||
					      d->total.dc_ios || d->total.fl_ios || dev_bytes(d)));
}

static bool net_reported(const struct net_acc *n)
{
	return n->total.rx_bytes || n->total.tx_bytes;
}

/* ---- summary ---------------------------------------------------------------------------- */

static json_t *rates_json(const struct disk_rates *r, unsigned has)
{
	json_t *o = json_object();

	for (size_t k = 0; k < NR_DISK_FIELDS; k++)
		if ((disk_fields[k].need & has) == disk_fields[k].need)
			json_object_set_new(o, disk_fields[k].name, json_real(rate_field(r, k)));
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

		if (!dev_reported(d) || !d->counted || !strcmp(d->kind, "partition"))
			continue;
		if (!d->total.io_ticks && !dev_bytes(d))
			continue;
		if (!best || d->total.io_ticks > best->total.io_ticks ||
		    (d->total.io_ticks == best->total.io_ticks && dev_bytes(d) > dev_bytes(best)))
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

	for (size_t k = 0; k < NR_CPU_FIELDS; k++)
		json_object_set_new(o, cpu_fields[k].name, json_real(share_field(c, k)));
	return o;
}

static void cpu_summary(const struct sampler *s, size_t from, size_t to, struct cpu_summary *cs)
{
	size_t first = from;
	size_t last = to;
	size_t j = from;
	double *peak = NULL;
	json_t *per = json_array();

	memset(cs, 0, sizeof(*cs));
	cs->busiest_cpu = -1;
	while (first < to && !(s->snap[first].have & SAMPLER_CPU))
		first++;
	while (last > first && !(s->snap[last].have & SAMPLER_CPU))
		last--;
	if (first >= last || !(s->snap[first].have & SAMPLER_CPU)) {
		cs->json = json_null();
		json_decref(per);
		return;
	}
	const struct sampler_snapshot *a = &s->snap[first];
	const struct sampler_snapshot *b = &s->snap[last];
	const struct cpu_stats *ta = snap_cpu(a, -1);
	const struct cpu_stats *tb = snap_cpu(b, -1);

	if (!ta || !tb) {
		cs->json = json_null();
		json_decref(per);
		return;
	}
	cs->have = true;
	cs->seconds = seconds_between(a, b);
	procstat_cpu_shares(ta, tb, &cs->mean);
	cs->peak_busy = cs->mean.busy;
	cs->ncpu = (int)b->nr_cpu - 1;
	peak = xcalloc(b->nr_cpu, sizeof(double));
	for (size_t k = 1; k < b->nr_cpu; k++) {
		const struct cpu_stats *pa = snap_cpu(a, b->cpu[k].cpu);
		struct cpu_shares c;

		if (!pa)
			continue;
		procstat_cpu_shares(pa, &b->cpu[k], &c);
		peak[k] = c.busy;
	}
	/* Peaks over windows of at least SAMPLER_CPU_WINDOW_S: 10 ticks a CPU say little. */
	if (seconds_between(a, b) >= SAMPLER_CPU_WINDOW_S) {
		bool first_window = true;

		for (size_t i = first + 1; i <= last; i++) {
			struct cpu_shares c;

			if (!cpu_window(s, first, i, &j) ||
			    seconds_between(&s->snap[j], &s->snap[i]) < SAMPLER_CPU_WINDOW_S)
				continue;
			const struct sampler_snapshot *wa = &s->snap[j];
			const struct sampler_snapshot *wb = &s->snap[i];
			const struct cpu_stats *x = snap_cpu(wa, -1);
			const struct cpu_stats *y = snap_cpu(wb, -1);

			if (x && y) {
				procstat_cpu_shares(x, y, &c);
				if (first_window || c.busy > cs->peak_busy)
					cs->peak_busy = c.busy;
				first_window = false;
			}
			for (size_t k = 1; k < b->nr_cpu; k++) {
				x = snap_cpu(wa, b->cpu[k].cpu);
				y = snap_cpu(wb, b->cpu[k].cpu);
				if (!x || !y)
					continue;
				procstat_cpu_shares(x, y, &c);
				if (c.busy > peak[k])
					peak[k] = c.busy;
			}
		}
	}
	for (size_t k = 1; k < b->nr_cpu; k++) {
		const struct cpu_stats *pa = snap_cpu(a, b->cpu[k].cpu);
		struct cpu_shares c;
		json_t *o;

		if (!pa)
			continue;
		procstat_cpu_shares(pa, &b->cpu[k], &c);
		o = json_pack("{s:i}", "cpu", b->cpu[k].cpu);
		json_pack_update(o,
				 json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "busy",
					   c.busy, "user", c.user, "nice", c.nice, "system",
					   c.system, "iowait", c.iowait, "irq", c.irq, "softirq",
					   c.softirq, "steal", c.steal, "idle", c.idle));
		json_object_set_new(o, "peak_busy", json_real(peak[k]));
		json_array_append_new(per, o);
		if (cs->busiest_cpu < 0 || peak[k] > cs->busiest_peak ||
		    (peak[k] == cs->busiest_peak && c.busy > cs->busiest_mean)) {
			cs->busiest_cpu = b->cpu[k].cpu;
			cs->busiest_peak = peak[k];
			cs->busiest_mean = c.busy;
		}
	}
	free(peak);
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

struct nfs_summary {
	uint64_t bytes[NFS_BYTES_MAX];
	struct nfs_op_stats read, write;
	double seconds;
	bool counted;
};

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

static void nfs_collect(const struct sampler *s, size_t from, size_t to, size_t k,
			struct nfs_summary *ns)
{
	memset(ns, 0, sizeof(*ns));
	for (size_t i = from + 1; i <= to; i++) {
		uint64_t bytes[NFS_BYTES_MAX];
		struct nfs_op_stats r;
		struct nfs_op_stats w;

		if (!interval_nfs(s, i, k, bytes, &r, &w))
			continue;
		ns->counted = true;
		ns->seconds += seconds_between(&s->snap[i - 1], &s->snap[i]);
		for (int j = 0; j < NFS_BYTES_MAX; j++)
			ns->bytes[j] += bytes[j];
		op_add(&ns->read, &r);
		op_add(&ns->write, &w);
	}
}

/* The target a mount belongs to, for its device and type. */
static const struct sampler_target *nfs_target(const struct sampler *s, size_t k)
{
	for (size_t t = 0; t < s->nr_targets; t++)
		if (s->targets[t].nfs == (int)k)
			return &s->targets[t];
	return NULL;
}

static json_t *nfs_json(const struct sampler *s, size_t from, size_t to, double seconds,
			json_t *findings)
{
	json_t *o = json_object();

	for (size_t k = 0; k < s->nr_nfs; k++) {
		const struct sampler_target *t = nfs_target(s, k);
		struct nfs_summary ns;
		json_t *m;

		nfs_collect(s, from, to, k, &ns);
		if (!ns.counted)
			continue;
		m = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "device",
			      t && t->dev.mount_source ? t->dev.mount_source : "", "fs_type",
			      t && t->dev.fs_type ? t->dev.fs_type : "", "read_bytes",
			      (json_int_t)ns.bytes[NFS_SERVER_READ], "write_bytes",
			      (json_int_t)ns.bytes[NFS_SERVER_WRITE], "normal_read_bytes",
			      (json_int_t)ns.bytes[NFS_NORMAL_READ], "direct_read_bytes",
			      (json_int_t)ns.bytes[NFS_DIRECT_READ], "normal_write_bytes",
			      (json_int_t)ns.bytes[NFS_NORMAL_WRITE], "direct_write_bytes",
			      (json_int_t)ns.bytes[NFS_DIRECT_WRITE], "read",
			      op_json(&ns.read, seconds), "write", op_json(&ns.write, seconds));
		json_object_set_new(o, s->nfs_mounts[k], m);
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

static json_t *psi_json(const struct sampler *s, size_t from, size_t to, json_t *findings)
{
	json_t *o = json_object();

	for (int p = 0; p < PSI_MAX; p++) {
		const unsigned bit = SAMPLER_PSI_IO << p;
		uint64_t some = 0;
		uint64_t full = 0;
		double counted = 0;
		double some_peak = 0;
		double full_peak = 0;
		bool have_full = false;

		for (size_t i = from + 1; i <= to; i++) {
			const struct sampler_snapshot *a = &s->snap[i - 1];
			const struct sampler_snapshot *b = &s->snap[i];
			const double dt = seconds_between(a, b);

			if (!(a->have & bit) || !(b->have & bit) || dt <= 0)
				continue;
			const uint64_t ds = procstat_counter_delta(a->psi[p].some_total_us,
								   b->psi[p].some_total_us);
			const uint64_t df = procstat_counter_delta(a->psi[p].full_total_us,
								   b->psi[p].full_total_us);

			some += ds;
			full += df;
			counted += dt;
			have_full = have_full || b->psi[p].have_full;
			if (dt >= PEAK_MIN_SHARE * s->interval_s) {
				some_peak = fmax(some_peak, (double)ds / (dt * 1e4));
				full_peak = fmax(full_peak, (double)df / (dt * 1e4));
			}
		}
		if (counted <= 0)
			continue;
		const double some_pct = (double)some / (counted * 1e4);
		json_t *r =
			json_pack("{s:f, s:f}", "some_pct", some_pct, "some_peak_pct", some_peak);

		if (have_full)
			json_pack_update(r, json_pack("{s:f, s:f}", "full_pct",
						      (double)full / (counted * 1e4),
						      "full_peak_pct", full_peak));
		json_object_set_new(o, psi_names[p], r);
		if (some_pct >= 10.0)
			add_stringf(findings,
				    "pressure: some task waited for %s %.0f %% of the time",
				    p == PSI_IO ? "I/O" : psi_names[p], some_pct);
	}
	return o;
}

static json_t *memory_json(const struct sampler *s, size_t from, size_t to)
{
	uint64_t dirty_peak = 0;
	uint64_t wb_peak = 0;
	double dirty_sum = 0;
	double wb_sum = 0;
	size_t n = 0;
	const struct sampler_snapshot *first = NULL;
	const struct sampler_snapshot *last = NULL;

	for (size_t i = from; i <= to; i++) {
		const struct sampler_snapshot *sn = &s->snap[i];

		if (!(sn->have & SAMPLER_MEMINFO))
			continue;
		if (!first)
			first = sn;
		last = sn;
		dirty_peak = sn->mem.dirty_kb > dirty_peak ? sn->mem.dirty_kb : dirty_peak;
		wb_peak = sn->mem.writeback_kb > wb_peak ? sn->mem.writeback_kb : wb_peak;
		dirty_sum += (double)sn->mem.dirty_kb;
		wb_sum += (double)sn->mem.writeback_kb;
		n++;
	}
	if (!n)
		return json_null();
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "dirty_start_bytes",
			 (json_int_t)(first->mem.dirty_kb * 1024), "dirty_end_bytes",
			 (json_int_t)(last->mem.dirty_kb * 1024), "dirty_peak_bytes",
			 (json_int_t)(dirty_peak * 1024), "dirty_mean_bytes",
			 (json_int_t)(dirty_sum / (double)n * 1024), "writeback_peak_bytes",
			 (json_int_t)(wb_peak * 1024), "writeback_mean_bytes",
			 (json_int_t)(wb_sum / (double)n * 1024));
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

		if (!has_role(d) || !d->counted || !strcmp(d->kind, "partition") || !dev_bytes(d))
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

		if (!net_reported(n))
			continue;
		if (!best || n->total.rx_bytes + n->total.tx_bytes >
				     best->total.rx_bytes + best->total.tx_bytes)
			best = n;
	}
	return best;
}

static json_t *net_json(const struct window *w, json_t *findings)
{
	json_t *o = json_object();
	const struct net_acc *top = top_interface(w);
	uint64_t all = 0;

	for (size_t i = 0; i < w->nr_net; i++) {
		const struct net_acc *n = &w->net[i];
		struct net_rates mean;

		if (!net_reported(n))
			continue;
		all += n->total.rx_bytes + n->total.tx_bytes;
		procstat_net_rates(&n->total, w->seconds, &mean);
		json_object_set_new(o, n->name,
				    json_pack("{s:I, s:I, s:I, s:I, s:{s:f, s:f, s:f, s:f}, "
					      "s:{s:f, s:f, s:f, s:f}}",
					      "rx_bytes", (json_int_t)n->total.rx_bytes, "tx_bytes",
					      (json_int_t)n->total.tx_bytes, "rx_packets",
					      (json_int_t)n->total.rx_packets, "tx_packets",
					      (json_int_t)n->total.tx_packets, "mean", "rx_bytes_s",
					      mean.rx_bytes_s, "tx_bytes_s", mean.tx_bytes_s,
					      "rx_packets_s", mean.rx_packets_s, "tx_packets_s",
					      mean.tx_packets_s, "peak", "rx_bytes_s",
					      n->peak.rx_bytes_s, "tx_bytes_s", n->peak.tx_bytes_s,
					      "rx_packets_s", n->peak.rx_packets_s, "tx_packets_s",
					      n->peak.tx_packets_s));
	}
	if (top && all)
		add_stringf(findings,
			    "network: %s carried %.0f %% of the bytes (%.1f MB received, "
			    "%.1f MB sent)",
			    top->name,
			    100.0 * (double)(top->total.rx_bytes + top->total.tx_bytes) /
				    (double)all,
			    (double)top->total.rx_bytes / 1e6, (double)top->total.tx_bytes / 1e6);
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

json_t *sampler_summary_json(const struct sampler *s, size_t from, size_t to)
{
	struct window w;
	struct cpu_summary cs;
	json_t *devices = json_object();
	json_t *findings = json_array();
	json_t *warnings = json_array();
	json_t *o;
	uint64_t disk_read = 0;
	uint64_t disk_write = 0;

	if (!s->nr_snap)
		return json_pack("{s:f, s:i, s:f, s:b, s:o, s:o}", "interval_s", s->interval_s,
				 "samples", 0, "seconds", 0.0, "short", 1, "findings", findings,
				 "warnings", warnings);
	if (to >= s->nr_snap)
		to = s->nr_snap - 1;
	if (from > to)
		from = to;
	window_collect(s, from, to, &w);
	cpu_summary(s, from, to, &cs);

	for (size_t i = 0; i < w.nr_dev; i++) {
		const struct dev_acc *d = &w.dev[i];

		if (!dev_reported(d))
			continue;
		json_object_set_new(devices, d->name, device_json(d, w.seconds));
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
	const struct dev_acc *busiest = busiest_device(&w);
	/* The cost is the sampler's over its whole life, against that life's length. */
	const double cost_s = (double)s->cpu_ns / 1e9;
	const double life_s = seconds_between(&s->snap[0], &s->snap[s->nr_snap - 1]);
	const double core_pct = life_s > 0 ? 100.0 * cost_s / life_s : 0.0;
	const double started =
		(double)s->real_ns0 / 1e9 + (double)(s->snap[from].t_ns - s->snap[0].t_ns) / 1e9;
	/* Three intervals, less the jitter of the readings' wake-ups. */
	const bool is_short = w.seconds < SHORT_INTERVALS * s->interval_s * 0.95;

	o = json_pack("{s:f, s:I, s:f, s:I, s:b, s:{s:f, s:f, s:f}}", "interval_s", s->interval_s,
		      "samples", (json_int_t)(to - from + 1), "seconds", w.seconds,
		      "started_unix_ms", (json_int_t)(started * 1000), "short", is_short, "cost",
		      "cpu_s", cost_s, "core_pct", core_pct, "reading_cpu_s",
		      (double)s->reading_ns / 1e9);
	if (is_short)
		add_stringf(warnings,
			    "sampled for %.2f s, less than %d sampling intervals (%.2f s): the "
			    "device, CPU and network figures are too coarse to read",
			    w.seconds, SHORT_INTERVALS, SHORT_INTERVALS * s->interval_s);
	json_object_set_new(o, "devices", devices);
	json_object_set_new(o, "busiest_device",
			    busiest ? json_string(busiest->name) : json_null());
	json_object_set_new(o, "whole_disks",
			    json_pack("{s:I, s:I}", "read_bytes", (json_int_t)disk_read,
				      "write_bytes", (json_int_t)disk_write));
	device_findings(&w, findings);
	json_object_set_new(o, "cpu", cs.json);
	cpu_findings(&cs, findings);
	const struct net_acc *top = top_interface(&w);

	json_object_set_new(o, "net", net_json(&w, findings));
	json_object_set_new(o, "top_interface", top ? json_string(top->name) : json_null());
	json_object_set_new(o, "nfs", nfs_json(s, from, to, w.seconds, findings));
	json_object_set_new(o, "psi", psi_json(s, from, to, findings));
	json_object_set_new(o, "memory", memory_json(s, from, to));
	json_object_set_new(o, "unavailable", unavailable_json(s));
	json_object_set_new(o, "findings", findings);
	json_object_set_new(o, "warnings", warnings);
	window_release(&w);
	return o;
}

/* ---- the series ------------------------------------------------------------------------- */

enum column_group { COL_TIME, COL_DISK, COL_CPU, COL_NET, COL_NFS, COL_PSI, COL_MEMORY };

struct column {
	enum column_group group;
	const char *entity; /* device, "all"/"cpuN", interface, mount, resource */
	int index;	    /* cpu number, nfs mount, psi resource */
	const char *field;
	size_t k; /* index into the group's field table */
};

static const char *const net_fields[] = {"rx_bytes_s", "tx_bytes_s", "rx_packets_s",
					 "tx_packets_s"};
static const char *const nfs_fields[] = {"read_ops_s",	     "read_kB_s",	"read_avg_rtt_ms",
					 "read_avg_exe_ms",  "write_ops_s",	"write_kB_s",
					 "write_avg_rtt_ms", "write_avg_exe_ms"};
static const char *const psi_fields[] = {"some_pct", "full_pct"};
static const char *const memory_fields[] = {"dirty_bytes", "writeback_bytes"};

struct series {
	struct column *col;
	size_t nr, alloc;
	char **names; /* "cpu3", owned */
	size_t nr_names;
	struct window w;
};

static void add_column(struct series *sr, enum column_group g, const char *entity, int index,
		       const char *field, size_t k)
{
	if (sr->nr == sr->alloc) {
		sr->alloc = sr->alloc ? 2 * sr->alloc : 64;
		sr->col = xrealloc(sr->col, sr->alloc * sizeof(*sr->col));
	}
	sr->col[sr->nr++] = (struct column){g, entity, index, field, k};
}

static const char *own_name(struct series *sr, char *name)
{
	sr->names = xrealloc(sr->names, (sr->nr_names + 1) * sizeof(*sr->names));
	sr->names[sr->nr_names++] = name;
	return name;
}

static void series_layout(const struct sampler *s, struct series *sr)
{
	const struct sampler_snapshot *last = &s->snap[s->nr_snap - 1];

	memset(sr, 0, sizeof(*sr));
	window_collect(s, 0, s->nr_snap - 1, &sr->w);
	add_column(sr, COL_TIME, "", 0, "t_s", 0);
	add_column(sr, COL_TIME, "", 0, "dt_s", 1);
	for (size_t i = 0; i < sr->w.nr_dev; i++) {
		const struct dev_acc *d = &sr->w.dev[i];
		const unsigned has = d->counted ? d->has : DISK_HAS_EXTENDED;

		if (!dev_reported(d))
			continue;
		for (size_t k = 0; k < NR_DISK_FIELDS; k++)
			if ((disk_fields[k].need & has) == disk_fields[k].need)
				add_column(sr, COL_DISK, d->name, 0, disk_fields[k].name, k);
	}
	add_column(sr, COL_CPU, "", 0, "window_s", NR_CPU_FIELDS);
	for (size_t c = 0; c < last->nr_cpu; c++) {
		const int cpu = last->cpu[c].cpu;
		const char *name = cpu < 0 ? "all" : own_name(sr, xasprintf("cpu%d", cpu));

		for (size_t k = 0; k < NR_CPU_FIELDS; k++)
			add_column(sr, COL_CPU, name, cpu, cpu_fields[k].name, k);
	}
	for (size_t i = 0; i < sr->w.nr_net; i++)
		if (net_reported(&sr->w.net[i]))
			for (size_t k = 0; k < 4; k++)
				add_column(sr, COL_NET, sr->w.net[i].name, 0, net_fields[k], k);
	for (size_t m = 0; m < s->nr_nfs; m++)
		for (size_t k = 0; k < 8; k++)
			add_column(sr, COL_NFS, s->nfs_mounts[m], (int)m, nfs_fields[k], k);
	for (int p = 0; p < PSI_MAX; p++)
		if (last->have & (SAMPLER_PSI_IO << p))
			for (size_t k = 0; k < (last->psi[p].have_full ? 2u : 1u); k++)
				add_column(sr, COL_PSI, psi_names[p], p, psi_fields[k], k);
	if (last->have & SAMPLER_MEMINFO)
		for (size_t k = 0; k < 2; k++)
			add_column(sr, COL_MEMORY, "", 0, memory_fields[k], k);
}

static void series_release(struct series *sr)
{
	for (size_t i = 0; i < sr->nr_names; i++)
		free(sr->names[i]);
	free(sr->names);
	free(sr->col);
	window_release(&sr->w);
}

/* The row for the interval ending at reading i (NAN for null). *cpu_j carries the CPU window. */
static void series_row(const struct sampler *s, const struct series *sr, size_t i, size_t *cpu_j,
		       double *row)
{
	const struct sampler_snapshot *a = &s->snap[i - 1];
	const struct sampler_snapshot *b = &s->snap[i];
	const double dt = seconds_between(a, b);
	const char *entity = NULL;
	bool have_entity = false;
	struct disk_rates dr;
	struct net_rates nr;
	struct nfs_op_rates rr;
	struct nfs_op_rates wr;
	const bool have_cpu = cpu_window(s, 0, i, cpu_j);
	const double cpu_s = have_cpu ? seconds_between(&s->snap[*cpu_j], b) : NAN;

	for (size_t c = 0; c < sr->nr; c++) {
		const struct column *col = &sr->col[c];
		const bool same = entity && col->entity == entity;

		row[c] = NAN;
		switch (col->group) {
		case COL_TIME:
			row[c] = col->k == 0 ? seconds_between(&s->snap[0], b) : dt;
			break;
		case COL_DISK:
			if (!same) {
				struct disk_delta d;
				bool appeared;

				have_entity = interval_disk(s, i, col->entity, &d, &appeared);
				if (have_entity)
					procstat_disk_rates(&d, dt, &dr);
			}
			if (have_entity)
				row[c] = rate_field(&dr, col->k);
			break;
		case COL_CPU:
			if (col->k == NR_CPU_FIELDS) {
				row[c] = cpu_s;
				break;
			}
			if (have_cpu) {
				const struct cpu_stats *x = snap_cpu(&s->snap[*cpu_j], col->index);
				const struct cpu_stats *y = snap_cpu(b, col->index);
				struct cpu_shares sh;

				if (x && y) {
					procstat_cpu_shares(x, y, &sh);
					row[c] = share_field(&sh, col->k);
				}
			}
			break;
		case COL_NET:
			if (!same) {
				struct net_delta d;

				have_entity = interval_net(s, i, col->entity, &d);
				if (have_entity)
					procstat_net_rates(&d, dt, &nr);
			}
			if (have_entity)
				row[c] = col->k == 0   ? nr.rx_bytes_s
					 : col->k == 1 ? nr.tx_bytes_s
					 : col->k == 2 ? nr.rx_packets_s
						       : nr.tx_packets_s;
			break;
		case COL_NFS:
			if (!same) {
				uint64_t bytes[NFS_BYTES_MAX];
				struct nfs_op_stats r;
				struct nfs_op_stats w;

				have_entity = interval_nfs(s, i, (size_t)col->index, bytes, &r, &w);
				if (have_entity) {
					procstat_nfs_op_rates(&r, dt, &rr);
					procstat_nfs_op_rates(&w, dt, &wr);
				}
			}
			if (have_entity) {
				const struct nfs_op_rates *x = col->k < 4 ? &rr : &wr;
				const size_t f = col->k % 4;

				row[c] = f == 0	  ? x->ops_s
					 : f == 1 ? x->kb_s
					 : f == 2 ? x->avg_rtt_ms
						  : x->avg_exe_ms;
			}
			break;
		case COL_PSI: {
			const unsigned bit = SAMPLER_PSI_IO << col->index;
			const struct psi_stats *x = &a->psi[col->index];
			const struct psi_stats *y = &b->psi[col->index];
			const uint64_t us = col->k == 0 ? procstat_counter_delta(x->some_total_us,
										 y->some_total_us)
							: procstat_counter_delta(x->full_total_us,
										 y->full_total_us);

			if ((a->have & bit) && (b->have & bit) && dt > 0)
				row[c] = (double)us / (dt * 1e4);
			break;
		}
		case COL_MEMORY: {
			const uint64_t kb = col->k == 0 ? b->mem.dirty_kb : b->mem.writeback_kb;

			if (b->have & SAMPLER_MEMINFO)
				row[c] = (double)kb * 1024.0;
			break;
		}
		}
		entity = col->entity;
	}
}

static const char *const group_names[] = {"time", "disk", "cpu", "net", "nfs", "psi", "memory"};

/* A JSON string literal of s (names of devices and mount points are the only free text). */
static void put_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void put_number(FILE *f, double v, bool csv)
{
	if (isnan(v) || isinf(v))
		fputs(csv ? "" : "null", f);
	else
		fprintf(f, "%.6g", v);
}

int sampler_write_series(const struct sampler *s, const char *path, bool csv)
{
	struct series sr;
	double *row;
	size_t cpu_j = 0;
	int ret = 0;
	FILE *f;

	if (s->nr_snap == 0)
		return -ENODATA;
	f = fopen(path, "we");
	if (!f)
		return -errno;
	series_layout(s, &sr);
	row = xmalloc(sr.nr * sizeof(double));
	if (csv) {
		for (size_t c = 0; c < sr.nr; c++) {
			/* "disk:vda:util"; the time columns are plainly "t_s" and "dt_s". */
			if (sr.col[c].group == COL_TIME)
				fprintf(f, "%s%s", c ? "," : "", sr.col[c].field);
			else
				fprintf(f, "%s%s:%s%s%s", c ? "," : "",
					group_names[sr.col[c].group], sr.col[c].entity,
					*sr.col[c].entity ? ":" : "", sr.col[c].field);
		}
		fputc('\n', f);
	} else {
		fprintf(f,
			"{\"schema\": \"cryocache-bench/1\", \"kind\": \"samples\", "
			"\"interval_s\": %.6g, \"started_unix_ms\": %.0f, \"cpu_window_s\": %.6g,\n"
			" \"columns\": [",
			s->interval_s, (double)s->real_ns0 / 1e6, SAMPLER_CPU_WINDOW_S);
		for (size_t c = 0; c < sr.nr; c++) {
			fprintf(f, "%s[\"%s\", ", c ? ", " : "", group_names[sr.col[c].group]);
			put_json_string(f, sr.col[c].entity);
			fprintf(f, ", \"%s\"]", sr.col[c].field);
		}
		fputs("],\n \"rows\": [", f);
	}
	for (size_t i = 1; i < s->nr_snap; i++) {
		series_row(s, &sr, i, &cpu_j, row);
		if (!csv)
			fputs(i > 1 ? ",\n  [" : "\n  [", f);
		for (size_t c = 0; c < sr.nr; c++) {
			if (c)
				fputc(',', f);
			put_number(f, row[c], csv);
		}
		fputs(csv ? "\n" : "]", f);
	}
	if (!csv)
		fputs("]}\n", f);
	if (ferror(f))
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	free(row);
	series_release(&sr);
	return ret;
}
