/* SPDX-License-Identifier: MIT */
/*
 * procstat.h - pure parsers of the kernel's statistics text, and the arithmetic iostat -x,
 * mpstat, sar -n DEV and nfsiostat do on two snapshots of it.
 *
 * Read -> compute -> print, kept apart (sysstat's model): the sampler reads /proc into text and
 * takes the clock; the functions here turn text into plain structs and two structs into rates.
 * None of them opens a file, reads a clock or prints, so every one is tested on fixture text
 * copied from real kernels (tests/data/procstat/).
 *
 * Parsers return 0 or -EINVAL (or -ENOENT when what was asked for is not in the text); array
 * parsers allocate *v (free() it, or procstat_mountstats_free() for mountstats) and skip lines
 * they do not understand, so a field added by a future kernel never breaks a reading.
 */
#ifndef CCB_PROCSTAT_H
#define CCB_PROCSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- /proc/diskstats -------------------------------------------------------------------- */

#define PROCSTAT_DISK_NAME 32 /* the kernel's DISK_NAME_LEN */

/* Which counters a diskstats line carried; the field count tells the kernel's vintage. */
enum disk_stats_has {
	DISK_HAS_EXTENDED = 1 << 0, /* 14 fields: merges, ticks, in flight, io_ticks, queue */
	DISK_HAS_DISCARD = 1 << 1,  /* 18 fields (4.18+): discards */
	DISK_HAS_FLUSH = 1 << 2,    /* 20 fields (5.5+): flushes */
};

/*
 * One line of /proc/diskstats (Documentation/admin-guide/iostats.rst). Sectors are 512 bytes
 * whatever the device's block size; *_ticks, io_ticks and time_in_queue are milliseconds. A 2.6
 * partition line has only 7 fields: rd_ios, rd_sectors, wr_ios, wr_sectors, the rest stay 0.
 */
struct disk_stats {
	unsigned major, minor;
	char name[PROCSTAT_DISK_NAME];
	unsigned has; /* enum disk_stats_has */
	uint64_t rd_ios, rd_merges, rd_sectors, rd_ticks;
	uint64_t wr_ios, wr_merges, wr_sectors, wr_ticks;
	uint64_t in_flight;	/* field 12, a level, not a counter */
	uint64_t io_ticks;	/* field 13: ms with at least one request in flight */
	uint64_t time_in_queue; /* field 14: ms weighted by requests in flight */
	uint64_t dc_ios, dc_merges, dc_sectors, dc_ticks;
	uint64_t fl_ios, fl_ticks;
};

/* Parse one line (7, 14, 18 or 20 fields; sysstat's rule). 0 or -EINVAL. */
int procstat_parse_diskstats_line(const char *line, struct disk_stats *d);
/* Every line of the file, in its order. 0 or -EINVAL (no line parsed). */
int procstat_parse_diskstats(const char *text, struct disk_stats **v, size_t *nr);

/*
 * What a device did between two snapshots, counter by counter. The kernel prints I/O, merge and
 * sector counts as unsigned long (32 bits on 32-bit kernels) and every millisecond counter as
 * unsigned int, so those wrap at 2^32 (procstat_counter_delta). When the counts and the sectors
 * all went backwards together the device was removed and created again (sysstat's test): the
 * previous snapshot is then taken as zero and reset is set.
 */
struct disk_delta {
	unsigned has; /* counters both snapshots carried */
	bool reset;
	uint64_t rd_ios, rd_merges, rd_sectors, rd_ticks;
	uint64_t wr_ios, wr_merges, wr_sectors, wr_ticks;
	uint64_t io_ticks, time_in_queue;
	uint64_t dc_ios, dc_merges, dc_sectors, dc_ticks;
	uint64_t fl_ios, fl_ticks;
};

/* prev NULL: the device appeared; it is counted from zero. */
void procstat_disk_delta(const struct disk_stats *prev, const struct disk_stats *cur,
			 struct disk_delta *d);
/* a += b, for totals over several intervals (has is the intersection). */
void procstat_disk_delta_add(struct disk_delta *a, const struct disk_delta *b);

/*
 * iostat -x's fields over one interval of seconds, with sysstat's formulas (iostat.c
 * write_ext_stat, rd_stats.c compute_ext_disk_stats): a ratio with nothing under it is 0.
 * Request sizes are in kB as iostat prints them; %util is not clamped (iostat does not either).
 * d_* need DISK_HAS_DISCARD and f_* DISK_HAS_FLUSH; without them they are 0.
 */
struct disk_rates {
	double r_s, rkb_s, rrqm_s, rrqm_pct, r_await, rareq_sz;
	double w_s, wkb_s, wrqm_s, wrqm_pct, w_await, wareq_sz;
	double d_s, dkb_s, drqm_s, drqm_pct, d_await, dareq_sz;
	double f_s, f_await;
	double aqu_sz, util_pct;
};
void procstat_disk_rates(const struct disk_delta *d, double seconds, struct disk_rates *r);

/* ---- /proc/stat ------------------------------------------------------------------------- */

/*
 * A "cpu" or "cpuN" line, in USER_HZ ticks (1/100 s on every architecture Linux exports).
 * user includes guest and nice includes guest_nice (the kernel adds them to both).
 */
struct cpu_stats {
	int cpu;	  /* -1 for the "cpu" line (all CPUs) */
	unsigned nfields; /* values on the line: 4 (2.4) up to 10 (2.6.33+) */
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal, guest, guest_nice;
};

/* The cpu lines, the total first. 0 or -EINVAL. */
int procstat_parse_stat(const char *text, struct cpu_stats **v, size_t *nr);

/*
 * Shares of the ticks between two snapshots in %, as mpstat computes them: guest time is taken
 * out of user (and guest_nice out of nice) and shown apart; a counter that went backwards (iowait
 * does on some kernels) counts 0. busy = 100 - idle - iowait. ticks = the window's ticks; with
 * 100 ticks a second per CPU a share is only as fine as 100 / ticks %.
 */
struct cpu_shares {
	double user, nice, system, iowait, irq, softirq, steal, guest, guest_nice, idle;
	double busy;
	uint64_t ticks;
};
void procstat_cpu_shares(const struct cpu_stats *prev, const struct cpu_stats *cur,
			 struct cpu_shares *s);

/* ---- /proc/net/dev ---------------------------------------------------------------------- */

#define PROCSTAT_IFNAME 32 /* IFNAMSIZ (16), and the sampler's RDMA ports ("mlx5_0/1") */

struct net_stats {
	char name[PROCSTAT_IFNAME];
	uint64_t rx_bytes, rx_packets, rx_errs, rx_drop;
	uint64_t tx_bytes, tx_packets, tx_errs, tx_drop;
};

/* Interfaces in the file's order. 0 or -EINVAL. */
int procstat_parse_net_dev(const char *text, struct net_stats **v, size_t *nr);

/* Differences (32-bit driver counters wrap as in struct disk_delta), then sar -n DEV's rates. */
struct net_delta {
	uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets;
};
void procstat_net_delta(const struct net_stats *prev, const struct net_stats *cur,
			struct net_delta *d);
struct net_rates {
	double rx_bytes_s, tx_bytes_s, rx_packets_s, tx_packets_s;
};
void procstat_net_rates(const struct net_delta *d, double seconds, struct net_rates *r);

/* ---- /proc/self/mountstats (NFS client) ------------------------------------------------- */

/* The "bytes:" line (fs/nfs/super.c nfs_show_stats, enum nfs_stat_bytecounters). */
enum nfs_bytes {
	NFS_NORMAL_READ, /* read(2) through the page cache */
	NFS_NORMAL_WRITE,
	NFS_DIRECT_READ, /* O_DIRECT */
	NFS_DIRECT_WRITE,
	NFS_SERVER_READ, /* what READ replies carried: bytes on the wire */
	NFS_SERVER_WRITE,
	NFS_READ_PAGES,
	NFS_WRITE_PAGES,
	NFS_BYTES_MAX
};

/*
 * One per-op line (net/sunrpc/stats.c _print_rpc_iostats): operations, transmissions, major
 * timeouts, bytes sent and received, and cumulative milliseconds queued, waiting for the reply
 * (RTT) and in total (execute). errors is there since 4.17 (statvers 1.1 ops lines of 9 values).
 */
struct nfs_op_stats {
	uint64_t ops, ntrans, timeouts, bytes_sent, bytes_recv, queue_ms, rtt_ms, execute_ms;
	uint64_t errors;
	bool have_errors;
};

struct nfs_mount_stats {
	char *device; /* "server:/export" */
	char *mount_point;
	char fs_type[16]; /* "nfs", "nfs4" */
	char statvers[8]; /* "1.0", "1.1" */
	uint64_t age_s;
	bool have_bytes, have_read, have_write;
	uint64_t bytes[NFS_BYTES_MAX];
	struct nfs_op_stats read, write;
};

/* The NFS mounts (fstype nfs or nfs4) of the file, maybe none; other mounts are skipped. 0. */
int procstat_parse_mountstats(const char *text, struct nfs_mount_stats **v, size_t *nr);
void procstat_mountstats_free(struct nfs_mount_stats *v, size_t nr);

/*
 * nfsiostat's view of one operation over an interval (nfs-utils nfsiostat.py): kB is what was
 * sent and received, retransmissions are transmissions beyond the first, averages are per op.
 */
struct nfs_op_rates {
	double ops_s, kb_s, kb_per_op, retrans, retrans_pct, avg_rtt_ms, avg_exe_ms, avg_queue_ms;
	double errors;
};
void procstat_nfs_op_delta(const struct nfs_op_stats *prev, const struct nfs_op_stats *cur,
			   struct nfs_op_stats *d);
void procstat_nfs_op_rates(const struct nfs_op_stats *d, double seconds, struct nfs_op_rates *r);

/* ---- /proc/pressure/{io,cpu,memory}, /proc/meminfo -------------------------------------- */

/* "some avg10=0.10 avg60=2.00 avg300=3.85 total=15" and the "full" line; total in us. */
struct psi_stats {
	bool have_some, have_full;
	double some_avg10, full_avg10;
	uint64_t some_total_us, full_total_us;
};
/* 0, or -EINVAL when there is no "some" line. */
int procstat_parse_pressure(const char *text, struct psi_stats *p);

struct meminfo_stats {
	uint64_t dirty_kb, writeback_kb;
};
/* -ENOENT when Dirty or Writeback is missing. */
int procstat_parse_meminfo(const char *text, struct meminfo_stats *m);

/* ---- counters --------------------------------------------------------------------------- */

/*
 * cur - prev of a kernel counter that only grows. Below its previous value, a counter whose
 * previous value fits in 32 bits wrapped at 2^32 (unsigned int, or unsigned long on a 32-bit
 * kernel); a 64-bit one cannot wrap in any machine's lifetime, so it started again from zero
 * (the device was created again) and the difference is cur.
 */
uint64_t procstat_counter_delta(uint64_t prev, uint64_t cur);

#endif
