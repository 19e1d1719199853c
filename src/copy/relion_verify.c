/* SPDX-License-Identifier: MIT */
/*
 * relion_verify.c - --verify for the relion strategy: the scratch stacks hold, image by image,
 * the particles of the plan (relion.h), each the float32 of its source image as RELION converts
 * it (a float32 source: the same bytes), under a header that says so. The copies are not byte
 * copies of the source files, so files are not compared by hash.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy/relion.h"
#include "copy/relion_image.h"
#include "copy/strategy.h"
#include "dataset/mrc.h"
#include "lib/util.h"

struct checker {
	struct copy_verify *v;
	const struct copy_job *job;
	const struct relion_plan *plan;
	char *volatile_dir;
	/* The source stack whose header is at hand. */
	long src_stack;
	int src_fd;
	struct relion_mrc src_h;
	void *page;
	size_t page_cap;
	double *rf;
	float *want;
	float *got;
	size_t cap;
	uint64_t missing;		/* images of the plan not found on scratch */
};

static void say(struct checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct checker *c, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	c->v->mismatches++;
	c->v->report(c->v->ctx, msg);
	free(msg);
}

static int pread_full(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

static void ensure(struct checker *c, size_t n, size_t page)
{
	if (n > c->cap) {
		free(c->rf);
		free(c->want);
		free(c->got);
		c->rf = xmalloc(n * sizeof(double));
		c->want = xmalloc(n * sizeof(float));
		c->got = xmalloc(n * sizeof(float));
		c->cap = n;
	}
	if (page > c->page_cap) {
		free(c->page);
		c->page = xmalloc(page);
		c->page_cap = page;
	}
}

/* The float32 RELION makes of image p of its source stack, into c->want. */
static int source_image(struct checker *c, const struct relion_particle *p, const char *path)
{
	unsigned char raw[RELION_MRC_HEADER];
	char why[256];
	size_t n, page;
	int ret;

	if ((long)p->stack != c->src_stack) {
		if (c->src_fd >= 0)
			close(c->src_fd);
		c->src_stack = -1;
		c->src_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (c->src_fd < 0)
			return -errno;
		ret = pread_full(c->src_fd, raw, sizeof(raw), 0);
		if (!ret && relion_mrc_decode(raw, &c->src_h, why, sizeof(why)))
			ret = -EINVAL;
		if (ret)
			return ret;
		c->src_stack = (long)p->stack;
	}
	if ((int32_t)p->image >= c->src_h.nz)
		return -EINVAL;
	n = (size_t)c->src_h.nx * (size_t)c->src_h.ny;
	page = n * relion_mode_bytes(c->src_h.mode);
	ensure(c, n, page);
	ret = pread_full(c->src_fd, c->page, page,
			 (off_t)(RELION_MRC_HEADER + (uint64_t)c->src_h.nsymbt +
				 (uint64_t)p->image * page));
	if (ret)
		return ret;
	relion_page_to_rfloat(c->page, c->src_h.mode, c->src_h.swap, n, c->rf);
	relion_rfloat_to_float(c->rf, n, c->want);
	return 0;
}

/* The header of a scratch stack: an MRC mode 2 stack of nz images of nx x ny, sized so. */
static int check_header(struct checker *c, int fd, const char *out, struct mrc_header *h)
{
	unsigned char raw[MRC_HEADER_SIZE];
	char why[256];
	struct stat st;
	int ret = pread_full(fd, raw, sizeof(raw), 0);

	if (ret || fstat(fd, &st) < 0) {
		say(c, "cannot verify '%s': %s", out, strerror(ret ? -ret : errno));
		return -1;
	}
	if (mrc_header_decode(raw, h, why, sizeof(why))) {
		say(c, "scratch stack '%s' has no valid MRC header: %s", out, why);
		return -1;
	}
	if (h->mode != MRC_MODE_FLOAT32 || h->nsymbt != 0 ||
	    (uint64_t)st.st_size != mrc_expected_size(h)) {
		say(c, "scratch stack '%s': mode %d, extended header %d, %lld bytes for %d images "
		    "of %d x %d (RELION writes mode 2, no extended header)", out, (int)h->mode,
		    (int)h->nsymbt, (long long)st.st_size, (int)h->nz, (int)h->nx, (int)h->ny);
		return -1;
	}
	return 0;
}

/* One scratch stack: the images of group g in unit u, in order, as many as it holds. */
static void check_stack(struct checker *c, const struct relion_unit *u, unsigned g)
{
	char *name = relion_stack_name(c->plan, u, g);
	char *out = path_join(c->volatile_dir, name);
	struct mrc_header h;
	uint64_t expected = 0;
	int32_t k = 0;
	int fd = -1;

	free(name);
	for (size_t i = u->first; i < u->first + u->nr; i++)
		expected += c->plan->particles[i].group == g && !c->plan->particles[i].dup;
	/* No image of g in u: a stack of that name is another unit's (groups split). */
	if (!expected)
		goto out_name;
	fd = open(out, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* Nothing of the group was copied: fine only when the scratch was full. */
		c->missing += expected;
		goto out;
	}
	if (check_header(c, fd, out, &h))
		goto out;
	if ((uint64_t)h.nz > expected) {
		say(c, "scratch stack '%s' holds %d images, the .star has %llu for it", out,
		    (int)h.nz, (unsigned long long)expected);
		goto out;
	}
	c->missing += expected - (uint64_t)h.nz;
	for (size_t i = u->first; i < u->first + u->nr && k < h.nz; i++) {
		const struct relion_particle *p = &c->plan->particles[i];
		const char *rel = c->job->ds->files[p->stack].rel;
		char *src;
		size_t n;
		int ret;

		if (p->group != g || p->dup)
			continue;
		if (c->v->stop && *c->v->stop)
			break;
		src = path_join(c->job->src_root, rel);
		ret = source_image(c, p, src);
		n = (size_t)c->src_h.nx * (size_t)c->src_h.ny;
		if (ret) {
			say(c, "cannot verify image %u of '%s': %s", p->image + 1, src,
			    strerror(-ret));
		} else if (c->src_h.nx != h.nx || c->src_h.ny != h.ny) {
			say(c, "image %d of '%s' is %d x %d, its source (image %u of '%s') %d x %d",
			    k + 1, out, (int)h.nx, (int)h.ny, p->image + 1, src,
			    (int)c->src_h.nx, (int)c->src_h.ny);
		} else if ((ret = pread_full(fd, c->got, n * sizeof(float),
					     (off_t)(MRC_HEADER_SIZE + (uint64_t)k * n * 4)))) {
			say(c, "cannot verify '%s': %s", out, strerror(-ret));
		} else if (memcmp(c->got, c->want, n * sizeof(float))) {
			say(c, "image %d of '%s' differs from image %u of '%s' as RELION converts it",
			    k + 1, out, p->image + 1, src);
		}
		c->v->checked++;
		free(src);
		k++;
	}
out:
	if (fd >= 0)
		close(fd);
out_name:
	free(out);
}

int relion_verify(const struct copy_job *job, unsigned nthreads, const struct json_t *report,
		  struct copy_verify *v)
{
	struct relion_source rs;
	struct checker c = { .v = v, .job = job, .src_stack = -1, .src_fd = -1 };
	json_t *left = json_object_get(report, "images_left_in_place");
	char why[1024];
	int ret;

	v->compared = "images";
	ret = relion_source_load(&rs, job->ds, job->eo, nthreads, why, sizeof(why));
	if (ret) {
		v->mismatches++;
		v->report(v->ctx, why);
		return ret;
	}
	c.plan = &rs.plan;
	c.volatile_dir = path_join(job->dst_root, RELION_VOLATILE);
	for (size_t u = 0; u < rs.plan.nr_units; u++)
		for (unsigned g = 0; g < rs.plan.nr_groups; g++)
			check_stack(&c, &rs.plan.units[u], g);
	/* What is not on scratch must be what the free-space rule left where it was. */
	if (c.missing != (uint64_t)json_integer_value(left))
		say(&c, "%llu images of '%s' are not on scratch, the copy left %llu in place",
		    (unsigned long long)c.missing, job->ds->meta,
		    (unsigned long long)json_integer_value(left));
	if (c.src_fd >= 0)
		close(c.src_fd);
	free(c.volatile_dir);
	free(c.page);
	free(c.rf);
	free(c.want);
	free(c.got);
	relion_source_release(&rs);
	return 0;
}
