/* SPDX-License-Identifier: MIT */
/*
 * cluster.h - the ranks of a run or sweep started by mpirun or srun (one a node), and the few
 * steps between them a measurement needs: a document sent from rank 0 to every rank, a barrier
 * that also tells whether any rank failed, and documents sent to rank 0.
 *
 * A --with-mpi build implements it with MPI (cluster.c); any other build with one rank and no
 * messages (cluster_single.c), so the callers are the same in both. MPI is started only when a
 * launcher started the process (its environment says so): a plain `run` or `sweep` of an MPI
 * build behaves exactly as one without MPI.
 *
 * Every wait polls with short sleeps instead of spinning, so a rank that waits (for the others'
 * cache drops, for a cell it does not take part in) leaves the CPU to the ranks that copy, and
 * rank 0 notices a stop signal while it waits for the others.
 */
#ifndef CCB_CLUSTER_H
#define CCB_CLUSTER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/*
 * Start MPI when this process was started by an MPI launcher (mpirun, mpiexec, srun with PMI or
 * PMIx); else nothing. Returns 0, or -errno with the reason in why.
 */
int cluster_init(int *argc, char ***argv, char *why, size_t len);

/* The rank of this process (0 without MPI) and how many there are (1 without MPI). */
int cluster_rank(void);
int cluster_size(void);

/* Whether this build can span nodes at all (a --with-mpi build). */
bool cluster_built(void);

/* The MPI library's name and version ("Open MPI v4.1.4, ..."), or NULL without MPI. */
const char *cluster_library(void);

/*
 * Rank 0 sends *doc to every rank; every other rank receives it into *doc (a new reference). All
 * ranks must call it. Returns 0, or -EINTR when stop became set while rank 0 waited (then MPI
 * must not be used again but to end), or -EIO.
 */
int cluster_bcast(json_t **doc, volatile sig_atomic_t *stop);

/*
 * The barrier before a copy: every rank gives its status (0: ready), and when all have, each
 * learns the worst (highest) of them in *worst. No rank returns before every rank has called it.
 * Returns 0, or -EIO.
 */
int cluster_barrier(int status, int *worst);

/* Send doc to rank 0 (from another rank). Returns 0 or -EIO. */
int cluster_send(json_t *doc);

/*
 * Rank 0: receive the document rank from sent into *doc. Waits until it comes, or, once stop is
 * set, for at most grace_s more seconds. Returns 0, -ETIMEDOUT (stopped, and it did not come),
 * -EBADMSG (it is not a JSON object) or -EIO.
 */
int cluster_recv(int from, json_t **doc, volatile sig_atomic_t *stop, double grace_s);

/*
 * End MPI: a barrier of all ranks first, so no rank leaves (and its launcher tears the others
 * down) while another still writes its results. With abandon (this rank stopped by a signal
 * while others may be gone), only leave: the launcher ends the rest.
 */
void cluster_finalize(bool abandon);

#endif
