/* SPDX-License-Identifier: MIT */
/*
 * nodes.h - the ranks of a run or sweep across nodes other than rank 0, and its end.
 *
 * A run or sweep started by mpirun or srun runs the same command on every rank (one a node). Rank
 * 0 is the command: it reads the options, lists the set, plans and records; it sends the session
 * (paths, options, the set) and then every run to the other ranks, which only serve it: each
 * copies into a scratch directory of its own in DST (node-local), cold, starting when all are
 * ready, and sends its part of the run back. Their messages go to rank 0 with their parts and are
 * printed there once, with the host's name.
 *
 *	if (cluster_rank() > 0)
 *		status = nodes_serve();
 *	else
 *		status = cmd(argc, argv), nodes_dismiss(status);
 */
#ifndef CCB_NODES_H
#define CCB_NODES_H

/*
 * A rank other than 0: wait for rank 0's session, take part in every run it sends, and end when
 * it ends. Returns rank 0's exit status (1 when rank 0 cannot be heard).
 */
int nodes_serve(void);

/*
 * Rank 0, when the command is done: tell the other ranks to end with status (they remove their
 * scratch directories, unless --keep), and end MPI. A status of 128 + signal (stopped) does not
 * wait for them: a rank may be gone, and the launcher ends the rest.
 */
void nodes_dismiss(int status);

#endif
