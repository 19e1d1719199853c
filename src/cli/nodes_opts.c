/* SPDX-License-Identifier: MIT */
/*
 * nodes_opts.c - run and sweep across nodes: MPI started when a launcher started this process,
 * rank 0 running the command and the other ranks serving it, and the options that say how.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bench/cluster.h"
#include "bench/nodes.h"
#include "cli/cmds.h"
#include "cli/nodes_opts.h"
#include "lib/util.h"

const char *const nodes_files_choices[] = { "shared", "split", NULL };

static int cmp_unsigned(const void *a, const void *b)
{
	const unsigned x = *(const unsigned *)a;
	const unsigned y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

/* "1,2,4" into counts, each from 1 to world, sorted, once each. Returns 0 or 2 (said). */
static int parse_counts(const char *list, const char *cmd, int world, unsigned *counts,
			size_t *nr)
{
	char *copy = xstrdup(list);
	char *save = NULL;
	size_t k = 0;

	*nr = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long v;

		if (parse_long(tok, 1, world, &v)) {
			error("%s: invalid node count '%s' in --nodes: expected whole numbers from 1 to "
			      "%d, the ranks of this job", cmd, tok, world);
			free(copy);
			return 2;
		}
		if (*nr == NODES_MAX_COUNTS) {
			error("%s: more than %d node counts in --nodes", cmd, NODES_MAX_COUNTS);
			free(copy);
			return 2;
		}
		counts[(*nr)++] = (unsigned)v;
	}
	free(copy);
	if (!*nr) {
		error("%s: --nodes names no node count", cmd);
		return 2;
	}
	qsort(counts, *nr, sizeof(*counts), cmp_unsigned);
	for (size_t i = 0; i < *nr; i++)
		if (!k || counts[k - 1] != counts[i])
			counts[k++] = counts[i];
	*nr = k;
	return 0;
}

int nodes_opts_apply(const struct nodes_opts *n, const char *cmd, struct nodes_setup *s)
{
	const int world = cluster_size();
	int ret;

	memset(s, 0, sizeof(*s));
	if (world < 2) {
		if (n->nodes && strcmp(n->nodes, "1")) {
			if (!cluster_built())
				error("%s: --nodes %s: this build has no MPI (configure --with-mpi) to "
				      "run across nodes", cmd, n->nodes);
			else
				error("%s: --nodes %s: start it with mpirun or srun, one rank a node "
				      "(this process is the only rank)", cmd, n->nodes);
			return 2;
		}
		return 1;
	}
	if (n->nodes) {
		ret = parse_counts(n->nodes, cmd, world, s->counts, &s->nr);
		if (ret)
			return ret;
	} else {
		s->counts[s->nr++] = (unsigned)world;
	}
	s->cfg.split = !strcmp(n->node_files, "split");
	s->cfg.allow_shared_host = n->allow_shared_host;
	s->cfg.max_nodes = s->counts[s->nr - 1];
	return 0;
}

/*
 * How many processes a launcher says it started alongside this one (1: none said). Without MPI
 * between them each would measure alone, at once, into the same places.
 */
static long launched_tasks(void)
{
	static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMI_SIZE",
					    "SLURM_STEP_NUM_TASKS", NULL };
	long most = 1;

	for (const char *const *v = vars; *v; v++) {
		long n;

		if (getenv(*v) && !parse_long(getenv(*v), 1, 1L << 30, &n) && n > most &&
		    (strcmp(*v, "SLURM_STEP_NUM_TASKS") || getenv("SLURM_PROCID")))
			most = n;
	}
	return most;
}

/* fn on rank 0 (and alone outside an MPI job); nodes_serve() on every other rank. */
static int nodes_main(int (*fn)(int, char **), int argc, char **argv)
{
	char why[256];
	int status;

	if (cluster_init(&argc, &argv, why, sizeof(why))) {
		error("cannot start MPI: %s", why);
		return 1;
	}
	if (cluster_size() == 1 && launched_tasks() > 1) {
		if (!cluster_built())
			error("started as one of %ld tasks, but this build has no MPI to join them "
			      "(configure --with-mpi); each would measure alone", launched_tasks());
		else
			error("started as one of %ld tasks, but MPI sees only this one: with srun, "
			      "give --mpi=pmix or --mpi=pmi2 (srun --mpi=list shows them)",
			      launched_tasks());
		cluster_finalize(false);
		return 1;
	}
	if (cluster_rank() > 0)
		return nodes_serve();
	status = fn(argc, argv);
	nodes_dismiss(status);
	return status;
}

int cmd_run_nodes(int argc, char **argv)
{
	return nodes_main(cmd_run, argc, argv);
}

int cmd_sweep_nodes(int argc, char **argv)
{
	return nodes_main(cmd_sweep, argc, argv);
}
