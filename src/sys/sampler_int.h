/* SPDX-License-Identifier: MIT */
/*
 * sampler_int.h - what the sampler's pieces share: the field tables and a window of readings with
 * its arithmetic, all in sampler_window.c. Not for use outside src/sys/sampler*.c.
 */
#ifndef CCB_SAMPLER_INT_H
#define CCB_SAMPLER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys/procstat.h"
#include "sys/sampler.h"

/* Readings closer together than this share of the interval do not make peaks: a 5 ms window
 * (the last reading right after syncfs) turns one jiffy of io_ticks into 20 % of util. */
#define PEAK_MIN_SHARE 0.5

/* enum sampler_psi by name: "io", "cpu", "memory". */
extern const char *const sampler_psi_names[PSI_MAX];

/* ---- fields (sampler_window.c) ---------------------------------------------------------- */

/* iostat -x's fields, with the names `iostat -x -o JSON` gives them. */
struct disk_field {
	const char *name;
	size_t off;
	unsigned need; /* enum disk_stats_has */
};
extern const struct disk_field sampler_disk_fields[];
extern const size_t sampler_nr_disk_fields;
double sampler_rate_field(const struct disk_rates *r, size_t k);

/* mpstat's shares of a CPU's time. */
struct cpu_field {
	const char *name;
	size_t off;
};
extern const struct cpu_field sampler_cpu_fields[];
extern const size_t sampler_nr_cpu_fields;
double sampler_share_field(const struct cpu_shares *c, size_t k);

/* ---- one interval (sampler_window.c) ---------------------------------------------------- */

double sampler_seconds_between(const struct sampler_snapshot *a, const struct sampler_snapshot *b);
const struct cpu_stats *sampler_snap_cpu(const struct sampler_snapshot *sn, int cpu);
/* What a device, an interface, NFS mount k did from reading i - 1 to reading i; false: nothing
 * to count. */
bool sampler_interval_disk(const struct sampler *s, size_t i, const char *name,
			   struct disk_delta *d, bool *appeared);
bool sampler_interval_net(const struct sampler *s, size_t i, const char *name, struct net_delta *d);
bool sampler_interval_nfs(const struct sampler *s, size_t i, size_t k, uint64_t bytes[],
		  struct nfs_op_stats *read, struct nfs_op_stats *write);
/* The CPU window ending at reading i; *j carries the search. */
bool sampler_cpu_window(const struct sampler *s, size_t from, size_t i, size_t *j);

/* ---- the window's entities (sampler_window.c) ------------------------------------------- */

struct dev_acc {
	char name[PROCSTAT_DISK_NAME]; /* a copy: the sampler's table of devices may move */
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
	char name[PROCSTAT_IFNAME]; /* a copy: the reading it came from may be forgotten */
	struct net_delta total;
	struct net_rates peak;
};

struct window {
	size_t from, to;
	uint64_t t_from; /* reading from's CLOCK_MONOTONIC */
	double seconds;
	struct dev_acc *dev;
	size_t nr_dev;
	struct net_acc *net;
	size_t nr_net;
};

/* Everything the window's devices and interfaces did, interval by interval: collect adds up
 * readings from to to; init starts at reading from and add adds reading i = w->to + 1. */
void sampler_window_collect(const struct sampler *s, size_t from, size_t to, struct window *w);
void sampler_window_init(const struct sampler *s, size_t from, struct window *w);
void sampler_window_add(const struct sampler *s, size_t i, struct window *w);
void sampler_window_release(struct window *w);
bool sampler_has_role(const struct dev_acc *d);
uint64_t sampler_dev_bytes(const struct dev_acc *d);
/* Reported: the paths' devices, and every other device that did any I/O in the window. */
bool sampler_dev_reported(const struct dev_acc *d);
bool sampler_net_reported(const struct net_acc *n);

/* What NFS mount k did over readings from to to. */
struct nfs_summary {
	uint64_t bytes[NFS_BYTES_MAX];
	struct nfs_op_stats read, write;
	double seconds;
	bool counted;
};
/* What NFS mount k did from reading i - 1 to reading i, added to ns. */
void sampler_nfs_add(const struct sampler *s, size_t i, size_t k, struct nfs_summary *ns);

#endif
