/* SPDX-License-Identifier: MIT */
/* cluster_single.c - cluster.h for a build without MPI: one rank, and no one to talk to. */
#include "config.h"

#include <errno.h>

#include "bench/cluster.h"

int cluster_init(int *argc, char ***argv, char *why, size_t len)
{
	return 0;
}

int cluster_rank(void)
{
	return 0;
}

int cluster_size(void)
{
	return 1;
}

bool cluster_built(void)
{
	return false;
}

const char *cluster_library(void)
{
	return NULL;
}

int cluster_bcast(json_t **doc, volatile sig_atomic_t *stop)
{
	return 0;
}

int cluster_barrier(int status, int *worst)
{
	*worst = status;
	return 0;
}

int cluster_send(json_t *doc)
{
	return -ENOTCONN;
}

int cluster_recv(int from, json_t **doc, volatile sig_atomic_t *stop, double grace_s)
{
	*doc = NULL;
	return -ENOTCONN;
}

void cluster_finalize(bool abandon)
{
}
