/* SPDX-License-Identifier: MIT */
/* cluster.c - cluster.h over MPI (a --with-mpi build): messages are JSON text, waits poll. */
#include "config.h"

#include <errno.h>
#include <mpi.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/cluster.h"
#include "lib/util.h"

#define TAG_PART 17
/* Sleeps between polls: short at the barrier (it sets when the copies start), longer elsewhere. */
#define POLL_BARRIER_NS 100000L
#define POLL_WAIT_NS 1000000L

static bool started;
static int rank;
static int size = 1;
static char library[MPI_MAX_LIBRARY_VERSION_STRING];

/* Variables a launcher sets in the environment of the processes it starts. */
static const char *const launcher_env[] = {
	"OMPI_COMM_WORLD_SIZE",	/* Open MPI's mpirun */
	"PMIX_RANK",		/* PMIx: Open MPI 5, srun --mpi=pmix */
	"PMI_RANK",		/* PMI-1/2: MPICH's hydra, srun --mpi=pmi2 */
	"PMI_SIZE",
	"MV2_COMM_WORLD_SIZE",	/* MVAPICH2 */
	NULL,
};

static bool launched(void)
{
	for (const char *const *v = launcher_env; *v; v++)
		if (getenv(*v))
			return true;
	return false;
}

int cluster_init(int *argc, char ***argv, char *why, size_t len)
{
	int provided = 0;
	int n = 0;

	if (started || !launched())
		return 0;
	/* Only the main thread talks MPI; the pool's and the sampler's threads never do. */
	if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
		return fail_why(why, len, -EIO, "MPI_Init_thread failed");
	started = true;
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	MPI_Get_library_version(library, &n);
	library[strcspn(library, "\n")] = '\0';
	return 0;
}

int cluster_rank(void)
{
	return rank;
}

int cluster_size(void)
{
	return size;
}

bool cluster_built(void)
{
	return true;
}

const char *cluster_library(void)
{
	return started ? library : NULL;
}

static void nap(long ns)
{
	struct timespec ts = { 0, ns };

	nanosleep(&ts, NULL);
}

/* Wait for req by polling; with stop set, give up (the request stays pending). */
static int wait_req(MPI_Request *req, long nap_ns, volatile sig_atomic_t *stop)
{
	for (;;) {
		int done = 0;

		if (MPI_Test(req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
			return -EIO;
		if (done)
			return 0;
		if (stop && *stop)
			return -EINTR;
		nap(nap_ns);
	}
}

static json_t *parse(const char *text, size_t n)
{
	json_t *doc = json_loadb(text, n, 0, NULL);

	if (doc && !json_is_object(doc)) {
		json_decref(doc);
		doc = NULL;
	}
	return doc;
}

int cluster_bcast(json_t **doc, volatile sig_atomic_t *stop)
{
	uint64_t n = 0;
	char *text = NULL;
	MPI_Request req;
	int ret;

	if (size < 2)
		return 0;
	if (rank == 0) {
		text = json_dumps(*doc, JSON_COMPACT);
		if (!text)
			abort();
		n = strlen(text);
	}
	if (MPI_Ibcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD, &req) != MPI_SUCCESS)
		ret = -EIO;
	else
		ret = wait_req(&req, POLL_WAIT_NS, rank == 0 ? stop : NULL);
	if (!ret && rank != 0)
		text = xmalloc(n ? n : 1);
	if (!ret && MPI_Ibcast(text, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD, &req) != MPI_SUCCESS)
		ret = -EIO;
	else if (!ret)
		ret = wait_req(&req, POLL_WAIT_NS, rank == 0 ? stop : NULL);
	if (!ret && rank != 0) {
		*doc = parse(text, n);
		if (!*doc)
			ret = -EBADMSG;
	}
	free(text);
	return ret;
}

int cluster_barrier(int status, int *worst)
{
	MPI_Request req;

	*worst = status;
	if (size < 2)
		return 0;
	if (MPI_Iallreduce(&status, worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &req) !=
	    MPI_SUCCESS)
		return -EIO;
	return wait_req(&req, POLL_BARRIER_NS, NULL);
}

int cluster_send(json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	int ret;

	if (!text)
		abort();
	ret = MPI_Send(text, (int)strlen(text), MPI_BYTE, 0, TAG_PART, MPI_COMM_WORLD);
	free(text);
	return ret == MPI_SUCCESS ? 0 : -EIO;
}

int cluster_recv(int from, json_t **doc, volatile sig_atomic_t *stop, double grace_s)
{
	struct timespec t;
	double deadline = 0;
	MPI_Status st;
	char *text;
	int flag = 0;
	int n = 0;

	*doc = NULL;
	for (;;) {
		if (MPI_Iprobe(from, TAG_PART, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS)
			return -EIO;
		if (flag)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (stop && *stop && !deadline)
			deadline = (double)t.tv_sec + (double)t.tv_nsec / 1e9 + grace_s;
		if (deadline && (double)t.tv_sec + (double)t.tv_nsec / 1e9 > deadline)
			return -ETIMEDOUT;
		nap(POLL_WAIT_NS);
	}
	MPI_Get_count(&st, MPI_BYTE, &n);
	text = xmalloc(n > 0 ? (size_t)n : 1);
	if (MPI_Recv(text, n, MPI_BYTE, from, TAG_PART, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
	    MPI_SUCCESS) {
		free(text);
		return -EIO;
	}
	*doc = parse(text, (size_t)n);
	free(text);
	return *doc ? 0 : -EBADMSG;
}

void cluster_finalize(bool abandon)
{
	MPI_Request req;

	if (!started)
		return;
	started = false;
	if (abandon)
		return;
	if (MPI_Ibarrier(MPI_COMM_WORLD, &req) == MPI_SUCCESS)
		wait_req(&req, POLL_WAIT_NS, NULL);
	MPI_Finalize();
}
