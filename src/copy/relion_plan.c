/* SPDX-License-Identifier: MIT */
/*
 * relion_plan.c - which particle RELION's scratch copy takes when, and into which stack (pure:
 * the .star's rows and the dataset in, the plan out; see relion.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy/relion.h"
#include "lib/util.h"

/* ---- RELION's order ------------------------------------------------------------------------ */

struct sort_ctx {
	const struct star_particle *rows;
	bool after_at;
};

/* The part of a micrograph name the sort compares (after the '@' for movie frames). */
static void sort_key(const struct star_particle *p, bool sort_after_at, const char **s,
		     size_t *len)
{
	*s = p->micrograph ? p->micrograph : "";
	*len = p->micrograph ? p->micrograph_len : 0;
	if (sort_after_at) {
		const char *at = memchr(*s, '@', *len);

		if (at) {
			*len -= (size_t)(at + 1 - *s);
			*s = at + 1;
		}
	}
}

/* std::string's operator<, then the row: a stable sort, as MetaDataTable::newSort. */
static int cmp_micrograph(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *sc = arg;
	const size_t ia = *(const size_t *)a;
	const size_t ib = *(const size_t *)b;
	const char *sa, *sb;
	size_t la, lb;
	int c;

	sort_key(&sc->rows[ia], sc->after_at, &sa, &la);
	sort_key(&sc->rows[ib], sc->after_at, &sb, &lb);
	c = memcmp(sa, sb, la < lb ? la : lb);
	if (!c && la != lb)
		c = la < lb ? -1 : 1;
	if (!c)
		c = ia < ib ? -1 : ia > ib;
	return c;
}

/* ---- one row into a particle ---------------------------------------------------------------- */

/* FileName::decompose: "N@path" (N all digits) is image N of path; anything else is a file. */
static bool decompose(const char *s, size_t len, uint64_t *no, const char **path, size_t *plen)
{
	const char *at = memchr(s, '@', len);

	if (!at || at == s)
		return false;
	*no = 0;
	for (const char *q = s; q < at; q++) {
		if (*q < '0' || *q > '9')
			return false;
		if (*no < UINT32_MAX)
			*no = *no * 10 + (uint64_t)(*q - '0');
	}
	*path = at + 1;
	*plen = len - (size_t)(at + 1 - s);
	return *plen > 0;
}

/* getFileFormat(): the extension after the last '.'; _read() takes it as a stack if "mrcs". */
static bool is_mrcs(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot && strstr(dot + 1, "mrcs");
}

static int cmp_rel(const void *key, const void *elem)
{
	return strcmp(key, ((const struct copy_file *)elem)->rel);
}

/* The particle of row p, or 1 when its stack is not in ds (sampled out). */
static int resolve(const struct star_particle *p, const struct dataset *ds,
		   struct relion_particle *out, char *why, size_t len)
{
	const struct copy_file *f;
	const char *path;
	size_t plen;
	uint64_t no;
	char *raw, *rel;

	if (!decompose(p->image, p->image_len, &no, &path, &plen))
		return reject_why(why, len, "line %zu: rlnImageName '%.*s' names no image of a "
				  "stack (RELION's scratch copy reads 'N@stack.mrcs')", p->line,
				  (int)p->image_len, p->image);
	raw = strndup(path, plen);
	if (!raw)
		abort();
	if (!is_mrcs(raw)) {
		int ret = reject_why(why, len, "line %zu: '%s' is not a .mrcs stack: RELION reads "
				     "particle images from .mrcs stacks only (\"stacks of images in "
				     "MRC-format should have extension .mrcs\")", p->line, raw);

		free(raw);
		return ret;
	}
	rel = dataset_project_rel(ds->root, raw);
	f = rel ? bsearch(rel, ds->files, ds->nr, sizeof(*ds->files), cmp_rel) : NULL;
	free(rel);
	free(raw);
	if (!f)
		return 1;
	out->stack = (uint32_t)(f - ds->files);
	/* "Subtract 1 to have numbering 0...N-1 instead of 1...N" (and 0 stays 0). */
	out->image = (uint32_t)(no > 0 ? no - 1 : 0);
	out->group = p->group - 1;
	out->dup = false;
	out->line = p->line;
	return 0;
}

/* ---- units ---------------------------------------------------------------------------------- */

static void add_unit(struct relion_plan *plan, size_t first, size_t nr, unsigned part)
{
	plan->units = xrealloc(plan->units, (plan->nr_units + 1) * sizeof(*plan->units));
	plan->units[plan->nr_units++] = (struct relion_unit){ first, nr, part };
}

/*
 * One unit per optics group with particles: the particles (and rows[], the .star row of each)
 * regrouped in place, each group in RELION's order.
 */
static void units_by_group(struct relion_plan *plan, size_t *rows)
{
	struct relion_particle *p = xmalloc((plan->nr ? plan->nr : 1) * sizeof(*p));
	size_t *r = xmalloc((plan->nr ? plan->nr : 1) * sizeof(*r));
	size_t n = 0;

	for (unsigned g = 0; g < plan->nr_groups; g++) {
		size_t first = n;

		for (size_t i = 0; i < plan->nr; i++) {
			if (plan->particles[i].group != g)
				continue;
			r[n] = rows[i];
			p[n++] = plan->particles[i];
		}
		if (n > first)
			add_unit(plan, first, n - first, 0);
	}
	memcpy(rows, r, plan->nr * sizeof(*r));
	free(r);
	free(plan->particles);
	plan->particles = p;
}

static void units_by_part(struct relion_plan *plan, unsigned parts)
{
	for (unsigned k = 0; k < parts; k++) {
		size_t first = plan->nr * k / parts;
		size_t end = plan->nr * (k + 1) / parts;

		if (end > first)
			add_unit(plan, first, end - first, k + 1);
	}
}

static unsigned groups_used(const struct relion_plan *plan)
{
	unsigned n = 0;
	bool *seen = xcalloc(plan->nr_groups ? plan->nr_groups : 1, sizeof(*seen));

	for (size_t i = 0; i < plan->nr; i++) {
		n += !seen[plan->particles[i].group];
		seen[plan->particles[i].group] = true;
	}
	free(seen);
	return n;
}

/* RELION's is_duplicate, within each unit: the same name and group as the particle before. */
static void mark_duplicates(struct relion_plan *plan, const struct star_particles *sp,
			    const size_t *rows)
{
	for (size_t u = 0; u < plan->nr_units; u++) {
		const struct relion_unit *un = &plan->units[u];

		for (size_t i = un->first + 1; i < un->first + un->nr; i++) {
			const struct star_particle *a = &sp->items[rows[i - 1]];
			const struct star_particle *b = &sp->items[rows[i]];

			plan->particles[i].dup = a->image_len == b->image_len &&
						 !memcmp(a->image, b->image, a->image_len) &&
						 plan->particles[i - 1].group == plan->particles[i].group;
		}
	}
}

int relion_plan_build(struct relion_plan *plan, const struct star_particles *sp,
		      const struct dataset *ds, unsigned nthreads, enum relion_split split,
		      char *why, size_t len)
{
	size_t *order = xmalloc((sp->nr ? sp->nr : 1) * sizeof(*order));
	/* The .star row of each particle of the plan, in the plan's order. */
	size_t *kept = xmalloc((sp->nr ? sp->nr : 1) * sizeof(*kept));
	int ret = 0;

	memset(plan, 0, sizeof(*plan));
	plan->nr_groups = sp->nr_groups;
	plan->stack_particles = xcalloc(ds->nr ? ds->nr : 1, sizeof(*plan->stack_particles));
	plan->particles = xmalloc((sp->nr ? sp->nr : 1) * sizeof(*plan->particles));
	for (size_t i = 0; i < sp->nr; i++)
		order[i] = i;
	/* Experiment::read(): sorted on rlnMicrographName when the column is there. */
	if (sp->has_micrographs && sp->nr) {
		struct sort_ctx sc = {
			.rows = sp->items,
			.after_at = sp->items[0].micrograph &&
				    memchr(sp->items[0].micrograph, '@', sp->items[0].micrograph_len),
		};

		qsort_r(order, sp->nr, sizeof(*order), cmp_micrograph, &sc);
		plan->sorted = true;
	}
	for (size_t i = 0; i < sp->nr; i++) {
		struct relion_particle *p = &plan->particles[plan->nr];

		ret = resolve(&sp->items[order[i]], ds, p, why, len);
		if (ret < 0)
			goto out;
		if (ret) {
			plan->nr_dropped++;
			continue;
		}
		plan->stack_particles[p->stack]++;
		kept[plan->nr++] = order[i];
	}
	ret = 0;
	if (split == RELION_SPLIT_AUTO && nthreads > 1)
		split = groups_used(plan) >= nthreads ? RELION_SPLIT_GROUPS
						      : RELION_SPLIT_PARTICLES;
	plan->split = nthreads > 1 ? split : RELION_SPLIT_AUTO;
	if (plan->split == RELION_SPLIT_GROUPS)
		units_by_group(plan, kept);
	else if (plan->split == RELION_SPLIT_PARTICLES)
		units_by_part(plan, nthreads);
	else if (plan->nr)
		add_unit(plan, 0, plan->nr, 0);
	mark_duplicates(plan, sp, kept);
out:
	free(kept);
	free(order);
	if (ret)
		relion_plan_release(plan);
	return ret;
}

void relion_plan_release(struct relion_plan *plan)
{
	free(plan->particles);
	free(plan->units);
	free(plan->stack_particles);
	memset(plan, 0, sizeof(*plan));
}

char *relion_stack_name(const struct relion_plan *plan, const struct relion_unit *u, unsigned g)
{
	(void)plan;
	if (u->part)
		return xasprintf("opticsgroup%u_particles_part%u.mrcs", g + 1, u->part);
	return xasprintf("opticsgroup%u_particles.mrcs", g + 1);
}

/* ---- the free-space rule -------------------------------------------------------------------- */

int64_t relion_max_space(uint64_t bsize, uint64_t bfree, uint64_t keep_free)
{
	const double gib = 1024.0 * 1024.0 * 1024.0;
	/* free_space_Gb = (RFLOAT)vfs.f_bsize * vfs.f_bfree / (1024 * 1024 * 1024) */
	const double free_gb = (double)bsize * (double)bfree / gib;
	const double keep_gb = (double)keep_free / gib;

	/* long int max_space = (free_space_Gb - keep_free_scratch_Gb) * 1024 * 1024 * 1024 */
	return (int64_t)((free_gb - keep_gb) * 1024 * 1024 * 1024);
}

bool relion_space_take(int64_t *used, int64_t one_part, int64_t max)
{
	*used += one_part;
	return *used <= max;
}
