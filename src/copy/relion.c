/* SPDX-License-Identifier: MIT */
/*
 * relion.c - RELION's scratch copy: relion_refine --scratch_dir copying the particles of its
 * .star one image at a time into one growing stack per optics group, as RELION 3.1.3's
 * Experiment::prepareScratchDirectory() and copyParticlesToScratch() do it (src/exp_model.cpp),
 * through its Image class and glibc's FILE (relion_image.c, libc_file.c).
 *
 * Before the clock (RELION: before "Copying particles to scratch directory"): relion_volatile/
 * is made below the run's scratch copy folder, the lock file RELION's MPI ranks use is touched
 * in it, and the free space is measured (statvfs: f_bsize * f_bfree). Then, per particle in
 * RELION's order (relion_plan.c):
 *   - the first particle of an optics group: its header read alone (stat, fopen, fread, fclose)
 *     to size one particle (box^2 x 4 bytes: "MRC images are stored in floats");
 *   - the free-space rule: the particle counted into the space used; past the free space less
 *     --keep-free-scratch, the copy stops and every particle left is read from where it is
 *     (counted, and warned about as RELION warns);
 *   - a particle naming the same image and group as the one before it is not copied;
 *   - a new source stack: the last one fclose()d, stat(), fopen("r");
 *   - the image read: its stack's header (fread from the start), fseek to the image, fread of
 *     box^2 x bytes per pixel, rewind; the pixels into doubles (RFLOAT);
 *   - the image written: the group's first with WRITE_OVERWRITE (stat, fopen "w"), later ones
 *     with WRITE_APPEND (stat, fopen "r+", the stack's header read back through a second stat
 *     and fopen, localtime()'s check of /etc/localtime, F_SETLKW, the header rewritten with one
 *     more image, fseek to the end, the image as float32, F_SETLK unlock, fclose).
 * Which system calls that makes, their sizes and offsets are glibc's (libc_file.c): with 4 KiB
 * blocks, per particle a 4 KiB read of the source's header, an lseek and two or three reads of
 * the image, an lseek back to 0; on the scratch side two opens, a 4 KiB read of the header, a
 * 1 KiB write of it, an fstat, an lseek, a read of the last block, the image's write, two
 * fcntl()s and two closes. tests/cli/relion.sh holds this against relion_refine under strace.
 *
 * What differs from relion_refine, and why:
 *   - RELION prints a progress bar to stdout every nr_particles / 60 particles; we do not.
 *   - RELION makes relion_volatile/ with system("install -d -m 0777") after system("rm -rf"),
 *     and ends with system("chmod -R 777"): fork()s and exec()s of other programs, outside the
 *     per-particle pattern; we mkdir() with mode 0777 and chmod() it, and leave chmod -R out.
 *   - glibc opens and reads /etc/localtime at a process's first localtime(); later calls only
 *     stat() it. RELION's first is inside the copy, ours may come earlier (results' time stamps).
 *   - Paths: RELION opens the stacks as the .star names them, from the project folder; we open
 *     them below the project folder by absolute path (the same files).
 *   - Threads (our extension): RELION copies with one thread per node. --threads N runs N such
 *     copiers, each over its own units (relion.h), sharing the free-space budget; results.json
 *     flags such runs ("threads_extension" in strategy_report).
 * What RELION converts, we convert: every image is read into doubles and written as float32,
 * so an int16 or float16 set takes twice its size on scratch, a float32 set the same (byte for
 * byte the same pixels), and each image costs a conversion both ways on the CPU.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "copy/relion.h"
#include "copy/relion_image.h"
#include "copy/strategy.h"
#include "lib/opt.h"
#include "lib/util.h"

static const char *const relion_split_choices[] = { "auto", "groups", "particles", NULL };

static const struct opt_def relion_options[] = {
	OPT_SIZE_("keep-free-scratch", 0, struct relion_opts, keep_free_scratch, "10G", "SIZE",
		  "relion: space left free on scratch (RELION's --keep_free_scratch, 10 GiB): "
		  "particles beyond it are read from where they are"),
	OPT_CHOICE_("relion-split", 0, struct relion_opts, split, "auto", "HOW",
		    relion_split_choices,
		    "relion: with --threads N (our extension), each thread copies whole optics "
		    "groups, or a part of the particles; auto: groups when there are N"),
	OPT_END
};

/* Indexes into copy_worker.counters, in the order of relion_counter_names. */
enum relion_counter {
	RC_COPIED,
	RC_LEFT,
	RC_DUPLICATES,
	RC_STACKS_OPENED,
	RC_SRC_READ,
	RC_SCRATCH_READ,
	RC_SCRATCH_WRITTEN,
};

static const char *const relion_counter_names[] = {
	"particles_copied", "particles_left_in_place", "duplicates_skipped",
	"source_stacks_opened", "source_bytes_read", "scratch_bytes_read",
	"scratch_bytes_written", NULL,
};

/* One copier's shared state: the plan, the budget, the stacks still being read. */
struct relion_job {
	const struct copy_job *job;
	struct relion_source rs;
	unsigned nthreads;
	char *volatile_dir;		/* <copy>/relion_volatile */
	char *lock_name;
	uint64_t bsize, bfree;		/* statvfs's f_bsize and f_bfree when prepared */
	int64_t max_space;
	atomic_size_t next_unit;
	pthread_mutex_t space_lock;	/* guards used_space */
	int64_t used_space;
	atomic_bool full;		/* the free-space rule stopped the copy */
	atomic_bool zero_reported;
	atomic_uint_fast64_t left;	/* particles left in place (RELION's count) */
	atomic_uint_fast64_t images_left;	/* of them, images that would have been copied */
	atomic_uint_fast64_t *stack_left;	/* per ds file: particles not handled yet */
	atomic_uint_fast64_t *stack_bytes;	/* per ds file: image bytes read from it */
	atomic_uint_fast64_t *stack_t0;		/* per ds file: when its first particle came */
	atomic_uint_fast64_t *group_images;	/* per optics group: images copied */
};

/* One thread: the open source stack, the image in memory, its calls' counters. */
struct relion_thread {
	struct libc_file src;
	long open_stack;		/* ds index of src, -1: none */
	struct relion_image img;
	struct relion_io io;
	uint64_t *nr_parts;		/* per group: images in this unit's stacks */
	char *path;			/* the particle's stack (absolute) */
	size_t path_cap;
	char *out;			/* the scratch stack written to */
	size_t out_cap;
};

/* ---- reading the .star and planning --------------------------------------------------------- */

static enum relion_split split_of(const struct relion_opts *o)
{
	if (o && o->split && !strcmp(o->split, "groups"))
		return RELION_SPLIT_GROUPS;
	if (o && o->split && !strcmp(o->split, "particles"))
		return RELION_SPLIT_PARTICLES;
	return RELION_SPLIT_AUTO;
}

int relion_source_load(struct relion_source *rs, const struct dataset *ds,
		       const struct relion_opts *o, unsigned nthreads, char *why, size_t len)
{
	char reason[512] = "";
	int ret;

	memset(rs, 0, sizeof(*rs));
	ret = read_text_file(ds->meta, &rs->text, &rs->len);
	if (ret)
		return fail_why(why, len, ret, "cannot read '%s': %s", ds->meta, strerror(-ret));
	ret = star_particles_parse(rs->text, rs->len, &rs->sp, reason, sizeof(reason));
	if (!ret)
		ret = relion_plan_build(&rs->plan, &rs->sp, ds, nthreads ? nthreads : 1,
					split_of(o), reason, sizeof(reason));
	if (ret) {
		relion_source_release(rs);
		return fail_why(why, len, ret, "cannot copy '%s' as RELION does: %s", ds->meta,
				reason);
	}
	return 0;
}

void relion_source_release(struct relion_source *rs)
{
	relion_plan_release(&rs->plan);
	star_particles_release(&rs->sp);
	free(rs->text);
	memset(rs, 0, sizeof(*rs));
}

static int relion_probe(const struct dataset *ds, const char *dst, const void *eo, char *why,
			size_t len)
{
	struct relion_source rs;
	int ret;

	(void)dst;
	if (!ds)
		return 0;
	switch (ds->kind) {
	case DATASET_KIND_STAR:
		break;
	case DATASET_KIND_CS:
		return fail_why(why, len, -EMEDIUMTYPE, "RELION copies the particles of a RELION "
				"particles .star; '%s' is a CryoSPARC .cs (csparc2star.py converts "
				"it)", ds->meta);
	case DATASET_KIND_LIST:
		return fail_why(why, len, -EMEDIUMTYPE, "RELION copies the particles a RELION "
				".star names, image by image; a list of files names no particles");
	default:
		return fail_why(why, len, -EMEDIUMTYPE, "RELION copies the particles a RELION "
				".star names, image by image; '%s' is a folder, which names no "
				"particles (give the particles .star)", ds->root);
	}
	if (ds->nr_missing)
		return fail_why(why, len, -ENOENT, "%zu of the stacks '%s' names %s missing "
				"(first: '%s'): RELION stops at the first particle it cannot read",
				ds->nr_missing, ds->meta, ds->nr_missing == 1 ? "is" : "are",
				ds->missing[0]);
	ret = relion_source_load(&rs, ds, NULL, 1, why, len);
	if (!ret)
		relion_source_release(&rs);
	return ret;
}

/* ---- before the clock: RELION's scratch directory, the plan, the budget --------------------- */

/*
 * prepareScratchDirectory(): relion_volatile/ (mode 0777), the lock file its MPI ranks take
 * turns on (initialiseScratchLock: the output name with '/' as '_', "_lock" and a number), and
 * the free space.
 */
static int prepare_scratch(struct relion_job *j, const char *root, char *why, size_t len)
{
	struct statvfs vfs;
	char *lock;
	int fd;

	j->volatile_dir = path_join(root, RELION_VOLATILE);
	if (mkdir(j->volatile_dir, 0777) < 0 && errno != EEXIST)
		return fail_why(why, len, -errno, "cannot create '%s': %s", j->volatile_dir,
				strerror(errno));
	if (chmod(j->volatile_dir, 0777) < 0)
		return fail_why(why, len, -errno, "cannot chmod '%s': %s", j->volatile_dir,
				strerror(errno));
	j->lock_name = xasprintf("cryocache-bench_run_lock%d", (int)(getpid() % 100000));
	lock = path_join(j->volatile_dir, j->lock_name);
	fd = open(lock, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0 || fchmod(fd, 0777) < 0) {
		int err = -errno;

		if (fd >= 0)
			close(fd);
		free(lock);
		return fail_why(why, len, err, "cannot create the lock file in '%s': %s",
				j->volatile_dir, strerror(-err));
	}
	close(fd);
	free(lock);
	if (statvfs(root, &vfs) < 0)
		return fail_why(why, len, -errno, "cannot measure the free space of '%s': %s", root,
				strerror(errno));
	j->bsize = vfs.f_bsize;
	j->bfree = vfs.f_bfree;
	return 0;
}

static void job_free(struct relion_job *j)
{
	relion_source_release(&j->rs);
	pthread_mutex_destroy(&j->space_lock);
	free(j->volatile_dir);
	free(j->lock_name);
	free(j->stack_left);
	free(j->stack_bytes);
	free(j->stack_t0);
	free(j->group_images);
	free(j);
}

static int relion_job_init(const struct copy_job *job, unsigned nthreads, void **priv, char *why,
			   size_t len)
{
	const struct relion_opts *o = job->eo;
	const uint64_t keep = o ? o->keep_free_scratch : 10ull << 30;
	struct relion_job *j = xcalloc(1, sizeof(*j));
	size_t nstacks = job->ds->nr ? job->ds->nr : 1;
	int ret;

	j->job = job;
	j->nthreads = nthreads;
	pthread_mutex_init(&j->space_lock, NULL);
	ret = relion_source_load(&j->rs, job->ds, o, nthreads, why, len);
	if (!ret)
		ret = prepare_scratch(j, job->dst_root, why, len);
	if (ret) {
		job_free(j);
		return ret;
	}
	j->max_space = relion_max_space(j->bsize, j->bfree, keep);
	j->stack_left = xcalloc(nstacks, sizeof(*j->stack_left));
	j->stack_bytes = xcalloc(nstacks, sizeof(*j->stack_bytes));
	j->stack_t0 = xcalloc(nstacks, sizeof(*j->stack_t0));
	j->group_images = xcalloc(j->rs.plan.nr_groups ? j->rs.plan.nr_groups : 1,
				  sizeof(*j->group_images));
	for (size_t i = 0; i < job->ds->nr; i++)
		atomic_init(&j->stack_left[i], j->rs.plan.stack_particles[i]);
	*priv = j;
	return 0;
}

static const char *split_name(enum relion_split s)
{
	switch (s) {
	case RELION_SPLIT_GROUPS:
		return "groups";
	case RELION_SPLIT_PARTICLES:
		return "particles";
	default:
		return "none";
	}
}

static struct json_t *relion_job_exit(void *priv)
{
	struct relion_job *j = priv;
	const struct relion_plan *plan = &j->rs.plan;
	json_t *groups = json_array();
	json_t *warnings = json_array();
	json_t *report;
	char host[256] = "undefined";

	for (unsigned g = 0; g < plan->nr_groups; g++)
		json_array_append_new(groups, json_integer((json_int_t)j->group_images[g]));
	if (atomic_load(&j->full)) {
		gethostname(host, sizeof(host) - 1);
		add_stringf(warnings, "relion: scratch space full on %s. Remaining %llu particles "
			    "will be read from where they were (--keep-free-scratch)", host,
			    (unsigned long long)atomic_load(&j->left));
	}
	report = json_pack("{s:s, s:b, s:s, s:I, s:I, s:I, s:b, s:I, s:o, s:I, s:I, s:I, s:b, s:I, "
			   "s:I, s:s, s:o}",
			   "model", "RELION 3.1.3 Experiment::copyParticlesToScratch",
			   "threads_extension", j->nthreads > 1, "split", split_name(plan->split),
			   "units", (json_int_t)plan->nr_units, "particles", (json_int_t)plan->nr,
			   "particles_not_in_set", (json_int_t)plan->nr_dropped,
			   "sorted_by_micrograph", plan->sorted, "optics_groups",
			   (json_int_t)plan->nr_groups, "images_per_group", groups,
			   "scratch_free_bytes", (json_int_t)(j->bsize * j->bfree),
			   "keep_free_scratch_bytes",
			   (json_int_t)(j->job->eo ? ((const struct relion_opts *)j->job->eo)
							     ->keep_free_scratch
						   : 10ull << 30),
			   "max_space_bytes", (json_int_t)j->max_space, "scratch_full",
			   atomic_load(&j->full), "particles_left_in_place",
			   (json_int_t)atomic_load(&j->left), "images_left_in_place",
			   (json_int_t)atomic_load(&j->images_left), "lock_file", j->lock_name,
			   "warnings", warnings);
	job_free(j);
	return report;
}

/* ---- the copy ------------------------------------------------------------------------------- */

static int relion_thread_init(struct copy_worker *w)
{
	struct relion_thread *t = xcalloc(1, sizeof(*t));

	t->src.fd = -1;
	t->open_stack = -1;
	w->priv = t;
	return 0;
}

static void relion_thread_exit(struct copy_worker *w)
{
	struct relion_thread *t = w->priv;

	if (!t)
		return;
	if (t->src.fd >= 0)
		libc_file_close(&t->src);
	relion_image_release(&t->img);
	free(t->nr_parts);
	free(t->path);
	free(t->out);
	free(t);
	w->priv = NULL;
}

static const char *set_path(char **buf, size_t *cap, const char *a, const char *b)
{
	size_t need = strlen(a) + strlen(b) + 2;

	if (*cap < need) {
		free(*buf);
		*buf = xmalloc(need);
		*cap = need;
	}
	snprintf(*buf, need, "%s/%s", a, b);
	return *buf;
}

/* A particle is done with (copied, skipped or left): its stack is reported when all are. */
static void handled(struct copy_worker *w, struct relion_job *j, const struct relion_particle *p)
{
	const struct copy_file *f = &j->job->ds->files[p->stack];
	uint64_t zero = 0;
	uint64_t now = now_mono_ns();

	atomic_compare_exchange_strong(&j->stack_t0[p->stack], &zero, now);
	if (atomic_fetch_sub(&j->stack_left[p->stack], 1) == 1)
		copy_worker_done_bytes(w, f, now - atomic_load(&j->stack_t0[p->stack]),
				       atomic_load(&j->stack_bytes[p->stack]), 0);
}

/* The failing particle's stack reported failed, with what RELION would have said. */
static int failed(struct copy_worker *w, struct relion_job *j, const struct relion_particle *p,
		  int err)
{
	struct relion_thread *t = w->priv;

	w->err_path = t->io.err_path;
	w->err_what = t->io.err_what;
	w->err_reason = t->io.reason[0] ? t->io.reason : NULL;
	copy_worker_done_bytes(w, &j->job->ds->files[p->stack], 0, 0, err);
	return err;
}

/* hFile.openFile(fn_stack, WRITE_READONLY) when the stack changes: close, stat, fopen "r". */
static int open_stack(struct relion_thread *t, const struct relion_particle *p, const char *path)
{
	struct stat st;
	int ret;

	if ((long)p->stack == t->open_stack)
		return 0;
	if (t->src.fd >= 0)
		libc_file_close(&t->src);
	t->open_stack = -1;
	if (stat(path, &st) < 0) {
		snprintf(t->io.reason, sizeof(t->io.reason), "Cannot read file %s It does not exist",
			 path);
		t->io.err_path = path;
		t->io.err_what = "stat";
		return -ENOENT;
	}
	ret = libc_file_open(&t->src, path, "r");
	if (ret) {
		t->io.err_path = path;
		t->io.err_what = "open";
		return ret;
	}
	t->io.stacks_opened++;
	t->open_stack = (long)p->stack;
	return 0;
}

/* The free-space rule, shared by every thread of the copier. */
static bool space_take(struct relion_job *j, int64_t one_part)
{
	bool fits;

	pthread_mutex_lock(&j->space_lock);
	fits = !atomic_load(&j->full) && relion_space_take(&j->used_space, one_part, j->max_space);
	if (!fits)
		atomic_store(&j->full, true);
	pthread_mutex_unlock(&j->space_lock);
	return fits;
}

/* Particles from i on in unit u are left where they are: counted, and their stacks handled. */
static void leave_rest(struct copy_worker *w, struct relion_job *j, const struct relion_unit *u,
		       size_t i)
{
	for (; i < u->first + u->nr; i++) {
		const struct relion_particle *p = &j->rs.plan.particles[i];

		atomic_fetch_add(&j->left, 1);
		if (!p->dup)
			atomic_fetch_add(&j->images_left, 1);
		w->counters[RC_LEFT]++;
		handled(w, j, p);
	}
}

/* One particle as copyParticlesToScratch's loop body takes it; 1: the scratch is full. */
static int copy_particle(struct copy_worker *w, struct relion_job *j, const struct relion_unit *u,
			 const struct relion_particle *p, int64_t *one_part)
{
	struct relion_thread *t = w->priv;
	const char *path = set_path(&t->path, &t->path_cap, w->job->src_root,
				    j->job->ds->files[p->stack].rel);
	char *name;
	int ret;

	/* "Get the size of the first particle": its header alone, per group. */
	if (t->nr_parts[p->group] == 0) {
		struct relion_mrc h;

		ret = relion_read_header(path, (long)p->image, &h, &t->io);
		if (ret)
			return ret;
		*one_part = (int64_t)h.nx * h.ny * (int64_t)sizeof(float);
	}
	if (p->dup) {
		w->counters[RC_DUPLICATES]++;
		return 0;
	}
	if (!space_take(j, *one_part))
		return 1;
	ret = open_stack(t, p, path);
	if (!ret)
		ret = relion_read_image(&t->src, path, (long)p->image, &t->img, &t->io);
	if (ret)
		return ret;
	atomic_fetch_add(&j->stack_bytes[p->stack], (uint64_t)t->img.h.nx * (uint64_t)t->img.h.ny *
						     relion_mode_bytes(t->img.h.mode));
	name = relion_stack_name(&j->rs.plan, u, p->group);
	set_path(&t->out, &t->out_cap, j->volatile_dir, name);
	free(name);
	ret = relion_write_image(t->out, t->nr_parts[p->group] > 0, &t->img, &t->io);
	if (ret)
		return ret;
	t->nr_parts[p->group]++;
	atomic_fetch_add(&j->group_images[p->group], 1);
	w->counters[RC_COPIED]++;
	return 0;
}

static int copy_unit(struct copy_worker *w, struct relion_job *j, const struct relion_unit *u)
{
	struct relion_thread *t = w->priv;
	int64_t one_part = 0;

	memset(t->nr_parts, 0, j->rs.plan.nr_groups * sizeof(*t->nr_parts));
	for (size_t i = u->first; i < u->first + u->nr; i++) {
		const struct relion_particle *p = &j->rs.plan.particles[i];
		int ret;

		if (copy_worker_stopping(w))
			break;
		if (atomic_load(&j->full)) {
			leave_rest(w, j, u, i);
			break;
		}
		ret = copy_particle(w, j, u, p, &one_part);
		if (ret == 1) {
			leave_rest(w, j, u, i);
			break;
		}
		if (ret < 0)
			return failed(w, j, p, ret);
		handled(w, j, p);
	}
	/* "closing the last one isn't necessary, as destructor will do this" */
	if (t->src.fd >= 0)
		libc_file_close(&t->src);
	t->open_stack = -1;
	return 0;
}

/* Stacks no particle of the plan names (none, normally) are done at once. */
static void report_unnamed(struct copy_worker *w, struct relion_job *j)
{
	bool no = false;

	if (!atomic_compare_exchange_strong(&j->zero_reported, &no, true))
		return;
	for (size_t i = 0; i < j->job->ds->nr; i++)
		if (!j->rs.plan.stack_particles[i])
			copy_worker_done_bytes(w, &j->job->ds->files[i], 1, 0, 0);
}

static int relion_copy_many(struct copy_worker *w)
{
	struct relion_job *j = copy_worker_job(w);
	struct relion_thread *t = w->priv;
	size_t u;
	int ret = 0;

	t->nr_parts = xcalloc(j->rs.plan.nr_groups ? j->rs.plan.nr_groups : 1,
			      sizeof(*t->nr_parts));
	report_unnamed(w, j);
	while (!ret && !copy_worker_stopping(w) &&
	       (u = atomic_fetch_add(&j->next_unit, 1)) < j->rs.plan.nr_units)
		ret = copy_unit(w, j, &j->rs.plan.units[u]);
	w->counters[RC_STACKS_OPENED] = t->io.stacks_opened;
	w->counters[RC_SRC_READ] = t->io.src_bytes_read;
	w->counters[RC_SCRATCH_READ] = t->io.scratch_bytes_read;
	w->counters[RC_SCRATCH_WRITTEN] = t->io.scratch_bytes_written;
	return ret;
}

const struct copy_strategy strategy_relion = {
	.name = "relion",
	.summary = "relion_refine --scratch_dir (RELION 3.1.3): each particle of the .star read "
		   "as an image into doubles and appended as float32 to its optics group's stack, "
		   "header rewritten each time; int16/float16 sets take twice their size on "
		   "scratch",
	.default_threads = 1,	/* relion_refine copies with one thread a node */
	.probe = relion_probe,
	.thread_init = relion_thread_init,
	.copy_many = relion_copy_many,
	.thread_exit = relion_thread_exit,
	.makes_dirs = true,
	.options = relion_options,
	.option_struct_size = sizeof(struct relion_opts),
	.counter_names = relion_counter_names,
	.job_init = relion_job_init,
	.job_exit = relion_job_exit,
	.verify = relion_verify,
};
