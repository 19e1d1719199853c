/* SPDX-License-Identifier: MIT */
/*
 * sampler.h - what the devices, CPUs and network did during a run, the way iostat -x, mpstat and
 * sar -n DEV would show it.
 *
 * A thread reads /proc/diskstats, /proc/stat, /proc/net/dev, /proc/pressure/{io,cpu,memory},
 * /proc/meminfo, the byte counters of every active InfiniBand/RoCE port (rdma.h; they join
 * the interfaces as "mlx5_0/1") and, when a path is on NFS, /proc/self/mountstats every interval,
 * stamps each reading with CLOCK_MONOTONIC and stores it; that is all it does while the copy
 * runs. Afterwards the readings become a summary for results.json (totals, means, peaks,
 * findings) and a time series for samples/run-<seq>.json. The arithmetic is procstat.c's.
 *
 * sampler.c reads and runs the thread, sampler_window.c adds a window of readings up,
 * sampler_summary.c makes the summary and its findings, sampler_series.c writes the series;
 * sampler_int.h is what they share.
 *
 *	struct sampler s;
 *	sampler_init(&s, &cfg);		resolve the paths' devices and NFS mounts
 *	sampler_start(&s);		first reading, then the thread
 *	... the copy ...
 *	sampler_stop(&s);		stop the thread, last reading
 *	summary = sampler_summary_json(&s, 0, s.nr_snap - 1);
 *	sampler_write_series(&s, results_dir, "samples/run-1.json", false, why, len);
 *	sampler_release(&s);
 *
 * Or without the thread (watch, tests): sampler_sample() whenever a reading is due.
 *
 * A run keeps every reading, and its summary and series are computed from them afterwards. For
 * as long as watch runs, cfg.running keeps a running summary instead, added to at each reading
 * (sums, peaks, first and last counters: the same arithmetic, so the same figures), and
 * sampler_forget_before() lets the readings nobody needs any more go; the series goes to disk
 * as it is read (sampler_series_open()). Memory then stays flat however long it runs.
 */
#ifndef CCB_SAMPLER_H
#define CCB_SAMPLER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "sys/device.h"
#include "sys/procstat.h"
#include "sys/rdma.h"

/*
 * The shortest interval between readings (10 ms): a reading takes a few hundred microseconds
 * of /proc, so a shorter one would keep a CPU busy with the sampler, not with the copy.
 */
#define SAMPLER_MIN_INTERVAL_S 0.01

/* Sources of a reading; a snapshot's have says which were read. */
enum sampler_source {
	SAMPLER_DISK = 1 << 0,
	SAMPLER_CPU = 1 << 1,
	SAMPLER_NET = 1 << 2,
	SAMPLER_NFS = 1 << 3,
	SAMPLER_PSI_IO = 1 << 4,
	SAMPLER_PSI_CPU = 1 << 5,
	SAMPLER_PSI_MEMORY = 1 << 6,
	SAMPLER_MEMINFO = 1 << 7,
};

enum sampler_psi { PSI_IO, PSI_CPU, PSI_MEMORY, PSI_MAX };

/* The files read: diskstats, stat, net/dev, mountstats, pressure/{io,cpu,memory}, meminfo. */
#define SAMPLER_FILES 8

/* CPU shares are computed over windows of at least this long (/proc/stat counts 1/100 s). */
#define SAMPLER_CPU_WINDOW_S 1.0

struct sampler_path {
	const char *path;
	const char *role; /* "source", "destination", "path" */
};

struct sampler_config {
	const char *sysroot; /* prefix of /proc and /sys; NULL or "" for this machine */
	double interval_s;   /* between readings, >= SAMPLER_MIN_INTERVAL_S */
	const struct sampler_path *paths;
	size_t nr_paths;
	bool running; /* keep a running summary of every reading (sampler_running_json()) */
};

/* An NFS mount's counters in one reading. */
struct sampler_nfs {
	bool present;
	bool have_bytes, have_read, have_write;
	uint64_t bytes[NFS_BYTES_MAX];
	struct nfs_op_stats read, write;
};

/* One reading. Devices and interfaces idle since boot are left out (devices kept as idle[]). */
struct sampler_snapshot {
	uint64_t t_ns; /* CLOCK_MONOTONIC just before /proc/diskstats was read */
	unsigned have; /* enum sampler_source */
	struct disk_stats *disk;
	size_t nr_disk;
	uint16_t *idle; /* the devices left out, as indexes into the sampler's devices */
	size_t nr_idle;
	struct cpu_stats *cpu;
	size_t nr_cpu;
	struct net_stats *net;
	size_t nr_net;
	struct sampler_nfs *nfs; /* [nr_nfs] of the sampler, in its order */
	struct psi_stats psi[PSI_MAX];
	struct meminfo_stats mem;
};

/* A path the sampler watches, resolved once at init. */
struct sampler_target {
	char *path;
	char *role;
	struct device_info dev; /* mount, fs type, block device chain */
	int nfs;		/* index into nfs_mounts, or -1 */
};

/*
 * A link the sampler counts: an IP interface or an RDMA port, as sysfs described it at init.
 * An InfiniBand port counts every byte on it, IPoIB's too (so also its netdev's); a RoCE port
 * counts the RDMA bytes alone.
 */
struct sampler_link {
	char name[PROCSTAT_IFNAME];
	bool rdma;
	/* the interface's speed (a root tbf's rate when lower) or the port's rate; -1 unknown */
	long speed_mbps;
	char link_layer[16]; /* RDMA: "InfiniBand" or "Ethernet" (RoCE) */
	char netdev[16];     /* RDMA: the IP interface on the port */
};

/* What sysfs says a block device is, looked up once per name. */
struct sampler_device {
	char name[PROCSTAT_DISK_NAME];
	const char *kind; /* "disk", "partition", "dm", "md", "loop", "unknown" */
};

struct sampler {
	char *sysroot; /* "" for this machine */
	double interval_s;
	struct sampler_target *targets;
	size_t nr_targets;
	char **nfs_mounts; /* mount points of the targets on NFS */
	size_t nr_nfs;
	/* The readings kept: snap[0] is reading snap_base; nr_snap counts every reading taken,
	 * forgotten ones included. sampler_snap() finds reading i. */
	struct sampler_snapshot *snap;
	size_t nr_snap, alloc_snap;
	size_t snap_base;
	uint64_t t0_ns;			/* CLOCK_MONOTONIC of the first reading */
	bool stream;			/* cfg.running */
	struct sampler_acc *so_far;	/* its summary so far, from the first reading on */
	struct sampler_device *devices;
	size_t nr_devices, alloc_devices;
	struct rdma_port *rdma; /* the active ports whose counters each reading adds */
	size_t nr_rdma;
	struct sampler_link *links; /* IP interfaces and RDMA ports at init */
	size_t nr_links;
	uint64_t real_ns0;	   /* CLOCK_REALTIME of the first reading, for aligning */
	uint64_t cpu_ns;	   /* CPU time of the thread, and of readings callers took */
	uint64_t reading_ns;	   /* CPU time inside readings alone, wake-ups left out */
	unsigned failed;	   /* sources that could not be read at least once */
	char *file[SAMPLER_FILES]; /* sysroot + "/proc/diskstats", ... */
	int fd[SAMPLER_FILES];	   /* kept open and read again from offset 0; -1: closed */
	char *buf[SAMPLER_FILES];  /* one reusable read buffer per file */
	size_t buf_alloc[SAMPLER_FILES];
	/* the thread */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool running;
	bool stop;
};

/* Reading i (snap_base <= i < nr_snap). */
static inline const struct sampler_snapshot *sampler_snap(const struct sampler *s, size_t i)
{
	return &s->snap[i - s->snap_base];
}

/*
 * Resolve cfg's paths (devices, NFS mounts) and prepare. Paths that cannot be resolved are kept
 * with an empty chain: the sampler then still reports every device that moved bytes. Returns 0
 * or -EINVAL (an interval shorter than SAMPLER_MIN_INTERVAL_S).
 */
int sampler_init(struct sampler *s, const struct sampler_config *cfg);

/* Take one reading now (or stamped t_ns, for tests and replays). 0, or -errno of diskstats. */
int sampler_sample(struct sampler *s);
int sampler_sample_at(struct sampler *s, uint64_t t_ns);

/* Take the first reading and start the thread. 0 or -errno. */
int sampler_start(struct sampler *s);
/* Stop the thread and take the last reading, so the window ends now. 0 or -errno. */
int sampler_stop(struct sampler *s);

/*
 * The readings from index from to index to as results.json's "sampler" object: interval_s,
 * samples, seconds, short, cost, devices (iostat -x means over the window, peaks over readings,
 * busy90_share, totals), busiest_device, whole_disks, cpu, net, top_interface, nfs, psi, memory,
 * findings, warnings. docs/results-schema.md documents every key.
 */
json_t *sampler_summary_json(const struct sampler *s, size_t from, size_t to);

/*
 * With cfg.running: the summary of every reading so far, as sampler_summary_json(s, 0, last)
 * would give it had every reading been kept. Without: that call itself.
 */
json_t *sampler_running_json(const struct sampler *s);

/*
 * Free the readings before index i, keeping those the running summary still needs (the last
 * one, and the start of the latest CPU window). Only with cfg.running: afterwards only the
 * readings kept can be summarised (sampler_summary_json() over a window from snap_base on).
 */
void sampler_forget_before(struct sampler *s, size_t i);

/* The reading side's hooks into the running summary (sampler_summary.c): add the reading just
 * taken, the oldest reading it still needs, free it. */
void sampler_running_add(struct sampler *s);
size_t sampler_running_needs(const struct sampler *s);
void sampler_running_free(struct sampler *s);

/*
 * Write the series, one row per interval between readings, to path: JSON ({"columns": [[group,
 * entity, field], ...], "rows": [[...], ...]}, null where a device was absent) or CSV (a header
 * "group:entity:field", empty cells for null). Written row by row, so hours of readings of a
 * large host need no more memory than the readings themselves. docs/results-schema.md, "Sample
 * files", lists the columns. The file is rel below the folder dir, made anew as
 * safe_create_file() makes it: never through a symlink, its folders included. 0, or -errno with
 * the reason in why (may be NULL). Names are escaped
 * (lib/text.h); a CSV header cell holding a comma is quoted (RFC 4180); a file that could not
 * be written whole is removed.
 */
int sampler_write_series(const struct sampler *s, const char *dir, const char *rel, bool csv,
			 char *why, size_t len);

/*
 * The series written as it is read (watch): sampler_series_open() makes the file and writes its
 * header, with the columns of the readings so far: the paths' devices and every device and
 * interface with any I/O since boot (one that shows up later is in the summary, not the series);
 * sampler_series_add() writes a row for every reading since the last call and flushes it, so a
 * killed process loses no row it wrote (a JSON file then lacks its closing "]}");
 * sampler_series_close() ends the file (removes it after a failed row: a series with a gap is
 * no series). sampler_series_needs() is the oldest reading it still
 * needs (for sampler_forget_before()). 0 or -errno with the reason in why.
 */
struct sampler_series_out;
int sampler_series_open(const struct sampler *s, const char *dir, const char *rel, bool csv,
			struct sampler_series_out **out, char *why, size_t len);
int sampler_series_add(struct sampler_series_out *o, const struct sampler *s, char *why,
		       size_t len);
size_t sampler_series_needs(const struct sampler_series_out *o);
int sampler_series_close(struct sampler_series_out *o, char *why, size_t len);

/* The link of that name the sampler knew at init, or NULL. */
const struct sampler_link *sampler_find_link(const struct sampler *s, const char *name);

/* Stop the thread if it runs and free everything. */
void sampler_release(struct sampler *s);

#endif
