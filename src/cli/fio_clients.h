/* SPDX-License-Identifier: MIT */
/*
 * fio_clients.h - `fio --clients HOSTFILE SRC DST`: fio's ceiling across nodes through fio's own
 * client/server mode. A `fio --server` runs on every node of HOSTFILE (started by the user, e.g.
 * with `fio --server --readonly --daemonize=PIDFILE`); this node sends the read jobs of SRC's
 * stacks to all of them at once (`fio --client=HOSTFILE`) and reads each server's numbers and
 * fio's all-clients sum from the JSON. Only reads go to the servers: the tool cannot put its
 * marked scratch directory on other nodes, so nothing is written there, and SRC is only read.
 */
#ifndef CCB_FIO_CLIENTS_H
#define CCB_FIO_CLIENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

struct fio_clients_opts {
	const char *fio;		/* the fio program */
	const char *hostfile;		/* one server a line: host or host,port */
	const char *src, *dst;
	const char *out;		/* results folder, NULL for the default */
	const char *ioengine;
	uint64_t bs;
	long iodepth;
	long jobs;			/* the many-jobs run's jobs on each node; 0: this node's CPUs */
	long runtime;			/* a pass shorter than this many seconds runs again time-based */
	unsigned dataset_flags;		/* DATASET_ALL_FILES, ... (dataset/dataset.h) */
	json_t *params;			/* the options' echo (borrowed) */
};

struct results;

/* Stamp "finished", write results.json and print its path, or say why not: 0, or 1. */
int fio_write_results(struct results *res);

/* Measure, write results.json (its "reference" has the all-clients ceiling). Exit status. */
int fio_clients_run(const struct fio_clients_opts *o);

#endif
