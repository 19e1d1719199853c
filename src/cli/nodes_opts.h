/* SPDX-License-Identifier: MIT */
/*
 * nodes_opts.h - run and sweep across nodes: their options (one table fragment each command
 * takes), checked against the MPI job this process belongs to; nodes_opts.c also starts both
 * commands (cmd_run_nodes, cmd_sweep_nodes in cmds.h), which under mpirun or srun makes rank 0
 * the command and every other rank its servant (bench/nodes.h).
 */
#ifndef CCB_NODES_OPTS_H
#define CCB_NODES_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/bench.h"
#include "lib/opt.h"

#define NODES_MAX_COUNTS 64

struct nodes_opts {
	char *nodes;			/* sweep: --nodes LIST */
	char *node_files;		/* shared, split */
	bool allow_shared_host;
};

extern const char *const nodes_files_choices[];

/* The heading in --help and the manual page the options below go under (an OPT_GROUP_). */
#define NODES_GROUP "Across nodes"

/*
 * The options of both commands. They are not echoed into results.json's "params": a run across
 * nodes records them in "cluster", and a run on one node stays as it was.
 */
#define NODES_OPTIONS(st, n)                                                                      \
	{ "node-files", 0, OPT_CHOICE, OPT_FIELD_(st, n.node_files), "shared", "MODE",            \
	  "every node copies the whole set (shared), or its share of it (split)", OPT_NO_ECHO, 0,  \
	  0, nodes_files_choices },                                                               \
	{ "allow-shared-host", 0, OPT_BOOL, OPT_FIELD_(st, n.allow_shared_host), NULL, NULL,       \
	  "allow several ranks on one host (they share its page cache and disk: for tests; every " \
	  "rendering says so)", OPT_NO_ECHO, 0, 0, NULL }
/* sweep's --nodes. */
#define NODES_COUNT_OPTION(st, n)                                                                 \
	{ "nodes", 0, OPT_STRING, OPT_FIELD_(st, n.nodes), NULL, "LIST",                          \
	  "under mpirun or srun, one rank a node: every cell at each of these node counts, the "   \
	  "others waiting (default: all the ranks)", OPT_NO_ECHO, 0, 0, NULL }

/* A command's run across nodes, as its options set it. */
struct nodes_setup {
	struct bench_nodes_config cfg;	/* for bench_config.nodes (strategies: the caller's) */
	unsigned counts[NODES_MAX_COUNTS];	/* --nodes, ascending */
	size_t nr;
};

/*
 * Check n against this process's MPI job (cmd names the command in messages). Outside one (or in
 * a build without MPI), any --nodes but 1 is refused. Within one, --nodes (a comma-separated
 * list, each from 1 to the number of ranks; without it all the ranks) goes sorted into s->counts
 * and s->cfg is filled (strategies left to the caller). Returns 0, 1 when this is not a run
 * across nodes (s unused), or 2 after printing one message.
 */
int nodes_opts_apply(const struct nodes_opts *n, const char *cmd, struct nodes_setup *s);

#endif
