/* SPDX-License-Identifier: MIT */
/* pool.c - N worker threads (per copier) pulling files from a shared index. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy/pool.h"
#include "lib/util.h"

/* One copier: its job and the index its threads share. */
struct pool_job {
	const struct copy_job *job;
	atomic_size_t next;		/* index of the next file to hand out */
	size_t first_latency;		/* its slice of stats->latency_ns */
	void *spriv;			/* the strategy's job_init state */
	bool inited;			/* job_init ran and succeeded */
};

struct pool {
	const volatile sig_atomic_t *stop;
	struct pool_progress *progress;
	atomic_bool failed;
	pthread_mutex_t lock;		/* protects the fields below */
	pthread_cond_t cond;		/* signals ready and go */
	unsigned ready;			/* threads initialised and waiting for the clock */
	bool go;			/* the clock has started */
	struct pool_stats *stats;
	uint64_t first_idle_ns;		/* 0 until a thread finds its index exhausted */
	uint64_t last_done_ns;
	int init_err;
};

struct pool_thread {
	struct pool *pool;
	struct pool_job *pj;
	struct copy_worker w;
	pthread_t tid;
	/* copy_all: when each file of the job ended (0: not reported), the latest start and end. */
	uint64_t *end_ns;
	uint64_t last_start_ns;
	uint64_t last_end_ns;
};

static bool pool_should_stop(const struct pool *p)
{
	return atomic_load(&p->failed) || (p->stop && *p->stop);
}

static void record_error(struct pool *p, struct copy_worker *w, const struct copy_file *f, int err)
{
	pthread_mutex_lock(&p->lock);
	p->stats->nr_errors++;
	if (!p->stats->first_error) {
		p->stats->first_errno = err;
		if (w->err_path)
			p->stats->first_error = xasprintf("cannot %s '%s': %s",
							  w->err_what ? w->err_what : "copy",
							  w->err_path,
							  w->err_reason ? w->err_reason
									: strerror(-err));
		else
			p->stats->first_error = xasprintf("cannot copy '%s': %s", f->rel,
							  strerror(-err));
	}
	pthread_mutex_unlock(&p->lock);
	atomic_store(&p->failed, true);
}

const struct copy_file *copy_worker_next(struct copy_worker *w)
{
	struct pool_thread *t = w->pool_priv;
	struct pool *p = t->pool;
	const struct dataset *ds = t->pj->job->ds;
	size_t i;

	if (!pool_should_stop(p)) {
		i = atomic_fetch_add(&t->pj->next, 1);
		if (i < ds->nr)
			return &ds->files[i];
	}
	pthread_mutex_lock(&p->lock);
	if (!p->first_idle_ns)
		p->first_idle_ns = now_mono_ns();
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void join_path(char *out, const char *root, const char *rel)
{
	size_t len = strlen(root);

	memcpy(out, root, len);
	out[len] = '/';
	strcpy(out + len + 1, rel);
}

void copy_worker_paths(const struct copy_worker *w, const struct copy_file *f, char *src,
		       char *dst)
{
	join_path(src, w->job->src_root, f->rel);
	join_path(dst, w->job->dst_root, f->rel);
}

bool copy_worker_stopping(const struct copy_worker *w)
{
	const struct pool_thread *t = w->pool_priv;

	return t && pool_should_stop(t->pool);
}

void *copy_worker_job(const struct copy_worker *w)
{
	const struct pool_thread *t = w->pool_priv;

	return t ? t->pj->spriv : NULL;
}

void copy_worker_done(struct copy_worker *w, const struct copy_file *f, uint64_t latency_ns,
		      int err)
{
	copy_worker_done_bytes(w, f, latency_ns, f->size, err);
}

void copy_worker_done_bytes(struct copy_worker *w, const struct copy_file *f,
			    uint64_t latency_ns, uint64_t bytes, int err)
{
	struct pool_thread *t = w->pool_priv;
	struct pool *p = t->pool;
	size_t i = t->pj->first_latency + (size_t)(f - w->job->ds->files);

	if (err) {
		record_error(p, w, f, err);
		return;
	}
	/* 0 marks "not copied" in latency_ns; a real copy always took some time. */
	p->stats->latency_ns[i] = latency_ns ? latency_ns : 1;
	pthread_mutex_lock(&p->lock);
	p->stats->files_done++;
	p->stats->bytes_done += bytes;
	pthread_mutex_unlock(&p->lock);
	if (p->progress) {
		atomic_fetch_add(&p->progress->files, 1);
		atomic_fetch_add(&p->progress->bytes, bytes);
	}
}

void copy_worker_done_at(struct copy_worker *w, const struct copy_file *f, uint64_t start_ns,
			 uint64_t end_ns, int err)
{
	struct pool_thread *t = w->pool_priv;

	if (end_ns < start_ns)
		end_ns = start_ns;
	if (t->end_ns && !err) {
		t->end_ns[f - w->job->ds->files] = end_ns;
		if (start_ns > t->last_start_ns)
			t->last_start_ns = start_ns;
		if (end_ns > t->last_end_ns)
			t->last_end_ns = end_ns;
	}
	copy_worker_done(w, f, end_ns - start_ns, err);
}

/*
 * After copy_all: when the first of its threads found no file left, as the pool's own threads
 * mark it. Files are taken in order, so the last file started then; the first thread to finish
 * after that has nothing left to take. 0 when no file was reported.
 */
static uint64_t copy_all_first_idle(const struct pool_thread *t)
{
	uint64_t first = 0;

	for (size_t i = 0; i < t->w.job->ds->nr; i++) {
		uint64_t end = t->end_ns[i];

		if (end && end >= t->last_start_ns && (!first || end < first))
			first = end;
	}
	return first;
}

/* The loop for strategies that copy one file per call. */
static int copy_files(struct copy_worker *w)
{
	const struct copy_file *f;

	while ((f = copy_worker_next(w))) {
		uint64_t t0;
		int err;

		/* Paths are built before the per-file clock: CryoSPARC's Python has them ready. */
		copy_worker_paths(w, f, w->src, w->dst);
		w->err_path = NULL;
		w->err_what = NULL;
		w->err_reason = NULL;
		t0 = now_mono_ns();
		err = w->job->strategy->copy(w, f);
		copy_worker_done(w, f, now_mono_ns() - t0, err);
		if (err)
			return err;
	}
	return 0;
}

static void thread_finished(struct pool *p, const struct pool_thread *t)
{
	const struct copy_worker *w = &t->w;
	uint64_t idle = t->end_ns ? copy_all_first_idle(t) : 0;

	pthread_mutex_lock(&p->lock);
	for (size_t k = 0; k < COPY_MAX_COUNTERS; k++)
		p->stats->counters[k] += w->counters[k];
	p->stats->cpu_user_s += w->child_cpu_user_s;
	p->stats->cpu_sys_s += w->child_cpu_sys_s;
	if (!t->end_ns || !t->last_end_ns) {
		p->last_done_ns = now_mono_ns();
	} else {
		/* The child's last close, not when it was reaped. */
		if (t->last_end_ns > p->last_done_ns)
			p->last_done_ns = t->last_end_ns;
		if (idle && (!p->first_idle_ns || idle < p->first_idle_ns))
			p->first_idle_ns = idle;
	}
	pthread_mutex_unlock(&p->lock);
}

static void *pool_thread_main(void *arg)
{
	struct pool_thread *t = arg;
	struct pool *p = t->pool;
	const struct copy_strategy *s = t->w.job->strategy;
	int err = 0;

	if (s->thread_init)
		err = s->thread_init(&t->w);
	if (err) {
		pthread_mutex_lock(&p->lock);
		if (!p->init_err) {
			p->init_err = err;
			/* Why, when the strategy knows better than strerror (a child's status). */
			if (t->w.err_reason && !p->stats->first_error)
				p->stats->first_error = xasprintf("cannot start a %s worker: %s", s->name,
								  t->w.err_reason);
		}
		pthread_mutex_unlock(&p->lock);
		atomic_store(&p->failed, true);
	}
	pthread_mutex_lock(&p->lock);
	p->ready++;
	pthread_cond_broadcast(&p->cond);
	while (!p->go)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
	if (!err) {
		if (s->copy_all)
			s->copy_all(&t->w);
		else if (s->copy_many)
			s->copy_many(&t->w);
		else
			copy_files(&t->w);
		thread_finished(p, t);
	}
	if (!err && s->thread_exit)
		s->thread_exit(&t->w);
	return NULL;
}

static double tv_seconds(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* Longest absolute path a worker of job can be handed. */
static size_t path_capacity(const struct copy_job *job)
{
	size_t rel = 0;
	size_t src = strlen(job->src_root);
	size_t dst = strlen(job->dst_root);

	for (size_t i = 0; i < job->ds->nr; i++) {
		size_t len = strlen(job->ds->files[i].rel);

		if (len > rel)
			rel = len;
	}
	return (src > dst ? src : dst) + rel + 2;
}

/*
 * The strategy's job_init for every copier, before any thread starts (outside the clock).
 * Returns 0, or the first failure's -errno with its message in stats->first_error.
 */
static int jobs_init(struct pool_job *pjobs, unsigned njobs, unsigned nthreads,
		     struct pool_stats *stats)
{
	for (unsigned k = 0; k < njobs; k++) {
		const struct copy_strategy *s = pjobs[k].job->strategy;
		char why[1024] = "";
		int ret;

		if (!s->job_init)
			continue;
		ret = s->job_init(pjobs[k].job, nthreads, &pjobs[k].spriv, why, sizeof(why));
		if (ret) {
			stats->first_errno = ret;
			stats->first_error = xstrdup(*why ? why : strerror(-ret));
			return ret;
		}
		pjobs[k].inited = true;
	}
	return 0;
}

/* The strategy's job_exit for every copier whose job_init succeeded: their reports kept. */
static void jobs_exit(struct pool_job *pjobs, unsigned njobs, struct pool_stats *stats)
{
	for (unsigned k = 0; k < njobs; k++) {
		const struct copy_strategy *s = pjobs[k].job->strategy;
		json_t *report;

		if (!pjobs[k].inited || !s->job_exit)
			continue;
		report = s->job_exit(pjobs[k].spriv);
		pjobs[k].spriv = NULL;
		pjobs[k].inited = false;
		if (!report)
			continue;
		if (!stats->job_reports)
			stats->job_reports = json_array();
		json_array_append_new(stats->job_reports, report);
	}
}

int pool_run_jobs(const struct copy_job *jobs, unsigned njobs, unsigned nthreads,
		  const volatile sig_atomic_t *stop, struct pool_progress *progress,
		  struct pool_stats *stats)
{
	struct pool p = { .stop = stop, .progress = progress, .stats = stats };
	struct pool_job *pjobs;
	struct pool_thread *threads;
	/* A copy_all strategy brings its own threads: one worker drives each job. */
	const bool whole = njobs && jobs[0].strategy->copy_all;
	const unsigned per_job = whole ? 1 : nthreads;
	unsigned total = njobs * per_job;
	unsigned started = 0;
	size_t nlat = 0;
	struct rusage ru0, ru1;
	uint64_t t0, t1;
	int ret = 0;

	memset(stats, 0, sizeof(*stats));
	if (nthreads == 0 || njobs == 0)
		return -EINVAL;
	pjobs = xcalloc(njobs, sizeof(*pjobs));
	for (unsigned k = 0; k < njobs; k++) {
		pjobs[k].job = &jobs[k];
		pjobs[k].first_latency = nlat;
		nlat += jobs[k].ds->nr;
	}
	stats->latency_ns = xcalloc(nlat ? nlat : 1, sizeof(uint64_t));
	stats->nr_latency = nlat;
	ret = jobs_init(pjobs, njobs, nthreads, stats);
	if (ret) {
		jobs_exit(pjobs, njobs, stats);
		free(pjobs);
		return ret;
	}

	threads = xcalloc(total, sizeof(*threads));
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	for (unsigned i = 0; i < total; i++) {
		struct pool_thread *t = &threads[i];
		const struct copy_job *job = &jobs[i / per_job];

		t->pool = &p;
		t->pj = &pjobs[i / per_job];
		t->w.id = i;
		t->w.job = job;
		t->w.nthreads = nthreads;
		if (whole)
			t->end_ns = xcalloc(job->ds->nr ? job->ds->nr : 1, sizeof(uint64_t));
		t->w.path_cap = path_capacity(job);
		t->w.src = xmalloc(t->w.path_cap);
		t->w.dst = xmalloc(t->w.path_cap);
		t->w.pool_priv = t;
		ret = -pthread_create(&t->tid, NULL, pool_thread_main, t);
		if (ret)
			break;
		started++;
	}
	if (started < total)
		atomic_store(&p.failed, true);	/* the started threads leave at once */
	pthread_mutex_lock(&p.lock);
	while (p.ready < started)
		pthread_cond_wait(&p.cond, &p.lock);
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now_mono_ns();
	p.go = true;
	pthread_cond_broadcast(&p.cond);
	pthread_mutex_unlock(&p.lock);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i].tid, NULL);
	t1 = now_mono_ns();
	getrusage(RUSAGE_SELF, &ru1);
	stats->start_ns = t0;
	stats->end_ns = p.last_done_ns ? p.last_done_ns : t1;
	stats->seconds = (double)(stats->end_ns - t0) / 1e9;
	if (p.first_idle_ns && p.last_done_ns > p.first_idle_ns)
		stats->tail_seconds = (double)(p.last_done_ns - p.first_idle_ns) / 1e9;
	/* += : thread_finished() added the CPU time of copy_all's children */
	stats->cpu_user_s += tv_seconds(&ru1.ru_utime) - tv_seconds(&ru0.ru_utime);
	stats->cpu_sys_s += tv_seconds(&ru1.ru_stime) - tv_seconds(&ru0.ru_stime);

	for (unsigned i = 0; i < total; i++) {
		free(threads[i].w.src);
		free(threads[i].w.dst);
		free(threads[i].end_ns);
	}
	pthread_cond_destroy(&p.cond);
	pthread_mutex_destroy(&p.lock);
	free(threads);
	jobs_exit(pjobs, njobs, stats);
	free(pjobs);
	if (ret) {
		stats->first_error = xasprintf("cannot start %u thread%s: %s", total,
					       total == 1 ? "" : "s", strerror(-ret));
		return ret;
	}
	if (p.init_err) {
		if (!stats->first_error)
			stats->first_error = xasprintf("cannot start a %s worker: %s",
						       jobs[0].strategy->name, strerror(-p.init_err));
		return p.init_err;
	}
	if (stats->first_errno)
		return stats->first_errno;
	if (stats->files_done < nlat) {
		stats->stopped = true;
		return -EINTR;
	}
	return 0;
}

int pool_run(const struct copy_job *job, unsigned nthreads, const volatile sig_atomic_t *stop,
	     struct pool_stats *stats)
{
	return pool_run_jobs(job, 1, nthreads, stop, NULL, stats);
}

/* Files a thread of count_copies() stats at a time, and the threads at most. */
#define COUNT_CHUNK 4096
#define COUNT_THREADS 4

/* The copies pool_count_copied() stats, shared by its threads: every file of every job. */
struct count_scan {
	const struct copy_job *jobs;
	unsigned njobs;
	const struct pool_stats *stats;
	size_t total;		/* files over all jobs */
	int64_t *size;		/* per file: the copy's size, -errno, or -1 when not copied */
	pthread_mutex_t lock;
	size_t next;		/* the first file of the next chunk */
};

/* The job of the file at global index g (the jobs' files in turn), and its index in that job. */
static unsigned count_job_of(const struct count_scan *sc, size_t g, size_t *i)
{
	unsigned k = 0;

	while (k + 1 < sc->njobs && g >= sc->jobs[k].ds->nr) {
		g -= sc->jobs[k].ds->nr;
		k++;
	}
	*i = g;
	return k;
}

/*
 * The size of one copy, or -errno. Its folder (rel up to the last '/') stays open as *dirfd
 * between calls, so that most stats look up one name, not the whole path from the root: the files
 * are sorted, a folder's files come one after another.
 */
static int64_t count_one(const struct copy_job *job, const char *rel, int *dirfd, char **dir)
{
	const char *slash = strrchr(rel, '/');
	const size_t dlen = slash ? (size_t)(slash - rel) : 0;
	struct stat st;

	if (*dirfd < 0 || strlen(*dir) != dlen || strncmp(*dir, rel, dlen)) {
		char *path = dlen ? xasprintf("%s/%.*s", job->dst_root, (int)dlen, rel)
				  : xstrdup(job->dst_root);

		if (*dirfd >= 0)
			close(*dirfd);
		*dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		free(path);
		free(*dir);
		*dir = xasprintf("%.*s", (int)dlen, rel);
		if (*dirfd < 0)
			return -errno;
	}
	if (fstatat(*dirfd, slash ? slash + 1 : rel, &st, 0) < 0)
		return -errno;
	return (int64_t)st.st_size;
}

static void *count_thread(void *arg)
{
	struct count_scan *sc = arg;
	const struct copy_job *open_job = NULL;
	char *dir = NULL;
	int dirfd = -1;

	for (;;) {
		size_t g;
		size_t end;

		pthread_mutex_lock(&sc->lock);
		g = sc->next;
		sc->next = g + COUNT_CHUNK < sc->total ? g + COUNT_CHUNK : sc->total;
		end = sc->next;
		pthread_mutex_unlock(&sc->lock);
		if (g >= end)
			break;
		for (; g < end; g++) {
			size_t i;
			const unsigned k = count_job_of(sc, g, &i);

			if (g >= sc->stats->nr_latency || !sc->stats->latency_ns[g]) {
				sc->size[g] = -1;
				continue;
			}
			/* Another job's folder of the same name is another folder. */
			if (open_job != &sc->jobs[k] && dirfd >= 0) {
				close(dirfd);
				dirfd = -1;
			}
			open_job = &sc->jobs[k];
			sc->size[g] = count_one(open_job, sc->jobs[k].ds->files[i].rel, &dirfd, &dir);
		}
	}
	if (dirfd >= 0)
		close(dirfd);
	free(dir);
	return NULL;
}

/* Every copy's size into sc->size, by a few threads for a large set (stat is CPU, here). */
static void count_copies(struct count_scan *sc)
{
	const size_t want = sc->total / COUNT_CHUNK;

	pthread_mutex_init(&sc->lock, NULL);
	run_shared(count_thread, sc, want < COUNT_THREADS - 1 ? (unsigned)want : COUNT_THREADS - 1);
	pthread_mutex_destroy(&sc->lock);
}

size_t pool_count_copied(const struct copy_job *jobs, unsigned njobs, struct pool_stats *stats)
{
	struct count_scan sc = { .jobs = jobs, .njobs = njobs, .stats = stats };
	size_t cap = 0;
	uint64_t bytes = 0;

	free(stats->resized);
	stats->resized = NULL;
	stats->nr_resized = 0;
	stats->nr_unmeasured = 0;
	stats->unmeasured_errno = 0;

	/* A strategy whose copies are not the files (relion's stacks) counted its own bytes. */
	if (njobs && jobs[0].strategy && jobs[0].strategy->verify)
		return 0;
	for (unsigned k = 0; k < njobs; k++)
		sc.total += jobs[k].ds->nr;
	sc.size = xmalloc((sc.total ? sc.total : 1) * sizeof(*sc.size));
	count_copies(&sc);
	for (size_t g = 0; g < sc.total; g++) {
		size_t i;
		const unsigned k = count_job_of(&sc, g, &i);
		const struct copy_file *f = &jobs[k].ds->files[i];

		if (sc.size[g] == -1)
			continue;
		if (sc.size[g] < 0) {
			if (!stats->nr_unmeasured++)
				stats->unmeasured_errno = (int)sc.size[g];
			bytes += f->size;
			continue;
		}
		bytes += (uint64_t)sc.size[g];
		if ((uint64_t)sc.size[g] != f->size) {
			if (stats->nr_resized == cap) {
				cap = cap ? 2 * cap : 8;
				stats->resized = xrealloc(stats->resized, cap * sizeof(*stats->resized));
			}
			stats->resized[stats->nr_resized++] =
				(struct pool_resized){ k, i, f->size, (uint64_t)sc.size[g] };
		}
	}
	free(sc.size);
	stats->bytes_done = bytes;
	return stats->nr_resized;
}

void pool_stats_release(struct pool_stats *stats)
{
	free(stats->resized);
	free(stats->latency_ns);
	free(stats->first_error);
	json_decref(stats->job_reports);
	memset(stats, 0, sizeof(*stats));
}
