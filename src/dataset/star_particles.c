/* SPDX-License-Identifier: MIT */
/*
 * star_particles.c - the particles of a RELION .star row by row, with the optics group RELION
 * gives each (pure: text in, rows out), for strategies that copy particle by particle.
 *
 * RELION 3.1's ObservationModel::loadSafely() reads data_particles and data_optics; the optics
 * groups are then numbered by their row in data_optics (sortOpticsGroups() renames them when
 * they are out of order), and a particle naming a group the table lacks is an error. A file
 * without data_optics (RELION 3.0) is converted by StarConverter::convert_3p0_particlesTo_3p1():
 * one group per distinct combination of the optics columns the file has (amplitude contrast,
 * beam tilt X and Y, spherical aberration, voltage, detector pixel size, magnification), in the
 * order they first appear; none of them present makes one group.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset/star.h"
#include "dataset/star_int.h"
#include "lib/util.h"

enum {
	COL_IMAGE,
	COL_GROUP,
	COL_MICROGRAPH,
	COL_OPTICS_FIRST,	/* the 3.0 optics columns follow, in the converter's order */
	COL_NR = COL_OPTICS_FIRST + 7,
};

static const char *const particle_labels[COL_NR] = {
	"_rlnImageName", "_rlnOpticsGroup", "_rlnMicrographName", "_rlnAmplitudeContrast",
	"_rlnBeamTiltX", "_rlnBeamTiltY", "_rlnSphericalAberration", "_rlnVoltage",
	"_rlnDetectorPixelSize", "_rlnMagnification",
};

static const char *const optics_labels[] = { "_rlnOpticsGroup" };

/* The columns wanted from one block, and what to do with each of its rows. */
struct table {
	const char *const *labels;
	int nlabels;
	int col[COL_NR];	/* the block's column of each label, -1: absent */
	bool any_row;
	/* v[i] is the value of labels[i] (s NULL when the column is absent). */
	int (*row)(struct table *t, const struct star_token *v, size_t no, char *why,
		   size_t whylen);
	void *ctx;
};

static bool token_is(const struct star_token *t, const char *s)
{
	return t->len == strlen(s) && !memcmp(t->s, s, t->len);
}

static void note_label(struct table *t, const struct star_token *label, int column)
{
	for (int i = 0; i < t->nlabels; i++)
		if (token_is(label, t->labels[i]))
			t->col[i] = column;
}

static int emit_row(struct table *t, const struct star_token *tok, size_t no, char *why,
		    size_t whylen)
{
	struct star_token v[COL_NR];

	for (int i = 0; i < t->nlabels; i++) {
		v[i].s = t->col[i] >= 0 ? tok[t->col[i]].s : NULL;
		v[i].len = t->col[i] >= 0 ? tok[t->col[i]].len : 0;
	}
	t->any_row = true;
	return t->row ? t->row(t, v, no, why, whylen) : 0;
}

/*
 * Read the block whose "data_" line c has just passed: its labels into t->col, and with
 * labels_only false each row through t->row. A list block ("_label value" lines) is one row.
 * Returns 0 or -EINVAL.
 */
static int read_table(struct star_cursor *c, const char *name, struct table *t, bool labels_only,
		      char *why, size_t whylen)
{
	static struct star_token tok[STAR_MAX_TOKENS];
	struct star_token list[COL_NR];
	struct star_line l;
	int nlabels = 0;
	bool in_loop = false;
	bool list_block = false;
	size_t list_no = 0;

	for (int i = 0; i < t->nlabels; i++)
		t->col[i] = -1;
	while (star_block_line(c, &l, in_loop && nlabels)) {
		int n;

		if (!in_loop && !list_block && star_starts_with(&l, "loop_")) {
			in_loop = true;
			continue;
		}
		if (l.s[0] == '_' && !t->any_row) {
			n = star_tokenize(&l, tok, 2);
			if (in_loop) {
				if (nlabels == STAR_MAX_TOKENS)
					return star_fail(why, whylen, l.no, "more than %d labels",
							 STAR_MAX_TOKENS);
				note_label(t, &tok[0], nlabels++);
				continue;
			}
			if (n != 2)
				return star_fail(why, whylen, l.no, "expected '_label value' in the "
						 "list block data_%s", name);
			list_block = true;
			list_no = l.no;
			for (int i = 0; i < t->nlabels; i++)
				if (token_is(&tok[0], t->labels[i])) {
					t->col[i] = i;
					list[i] = tok[1];
				}
			continue;
		}
		if (!in_loop)
			return star_fail(why, whylen, l.no, "expected 'loop_' or a '_label' in data_%s",
					 name);
		if (!nlabels)
			return star_fail(why, whylen, l.no, "expected a '_label' after 'loop_'");
		if (labels_only)
			return 0;
		n = star_tokenize(&l, tok, STAR_MAX_TOKENS);
		if (n != nlabels)
			return star_fail(why, whylen, l.no, "%s%d values, expected %d (the labels of "
					 "data_%s)", n < 0 ? "more than " : "",
					 n < 0 ? STAR_MAX_TOKENS : n, nlabels, name);
		n = emit_row(t, tok, l.no, why, whylen);
		if (n)
			return n;
	}
	if (list_block && !labels_only)
		return emit_row(t, list, list_no, why, whylen);
	return 0;
}

/* ---- the optics groups ---------------------------------------------------------------------- */

struct optics {
	long *values;		/* rlnOpticsGroup of each data_optics row */
	size_t nr;
};

static int parse_long_token(const struct star_token *v, long *out)
{
	char buf[32];

	if (!v->s || !v->len || v->len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, v->s, v->len);
	buf[v->len] = '\0';
	return parse_long(buf, -2147483647L - 1, 2147483647L, out);
}

static int optics_row(struct table *t, const struct star_token *v, size_t no, char *why,
		      size_t whylen)
{
	struct optics *o = t->ctx;
	long g;

	if (!v[0].s)
		return star_fail(why, whylen, no, "data_optics has no _rlnOpticsGroup column");
	if (parse_long_token(&v[0], &g))
		return star_fail(why, whylen, no, "_rlnOpticsGroup '%.*s' is not a number",
				 (int)v[0].len, v[0].s);
	o->values = xrealloc(o->values, (o->nr + 1) * sizeof(*o->values));
	o->values[o->nr++] = g;
	return 0;
}

/* ---- the particles -------------------------------------------------------------------------- */

/* The distinct 3.0 optics combinations met so far: values[g * width + k]. */
struct groups30 {
	double *values;
	size_t nr;
	int width;
};

struct particles_ctx {
	struct star_particles *out;
	size_t cap;
	const struct optics *optics;	/* NULL: a 3.0 file */
	struct groups30 g30;
};

static int group_from_optics(const struct optics *o, const struct star_token *v, size_t no,
			     unsigned *group, char *why, size_t whylen)
{
	long g;

	if (!v->s)
		return star_fail(why, whylen, no, "the particles have no _rlnOpticsGroup column, "
				 "though the file has data_optics");
	if (parse_long_token(v, &g))
		return star_fail(why, whylen, no, "_rlnOpticsGroup '%.*s' is not a number",
				 (int)v->len, v->s);
	/* sortOpticsGroups(): the group of a value is its row; a repeated value, its last row. */
	for (size_t i = o->nr; i-- > 0;) {
		if (o->values[i] == g) {
			*group = (unsigned)i + 1;
			return 0;
		}
	}
	return star_fail(why, whylen, no, "optics group %ld is not defined in data_optics "
			 "(RELION stops here too)", g);
}

static int group_from_30(struct groups30 *g, const struct star_token *v, size_t no,
			 unsigned *group, char *why, size_t whylen)
{
	double cur[COL_NR - COL_OPTICS_FIRST];
	int w = 0;

	for (int k = COL_OPTICS_FIRST; k < COL_NR; k++) {
		char buf[64];
		char *end;

		if (!v[k].s)
			continue;
		if (!v[k].len || v[k].len >= sizeof(buf))
			return star_fail(why, whylen, no, "%s '%.*s' is not a number",
					 particle_labels[k], (int)v[k].len, v[k].s);
		memcpy(buf, v[k].s, v[k].len);
		buf[v[k].len] = '\0';
		cur[w++] = strtod(buf, &end);
		if (*end)
			return star_fail(why, whylen, no, "%s '%s' is not a number",
					 particle_labels[k], buf);
	}
	g->width = w;
	for (size_t i = 0; i < g->nr; i++) {
		if (!w || !memcmp(&g->values[i * (size_t)w], cur, (size_t)w * sizeof(double))) {
			*group = (unsigned)i + 1;
			return 0;
		}
	}
	g->values = xrealloc(g->values, (g->nr + 1) * (size_t)(w ? w : 1) * sizeof(double));
	memcpy(&g->values[g->nr * (size_t)w], cur, (size_t)w * sizeof(double));
	*group = (unsigned)++g->nr;
	return 0;
}

static int particle_row(struct table *t, const struct star_token *v, size_t no, char *why,
			size_t whylen)
{
	struct particles_ctx *pc = t->ctx;
	struct star_particles *out = pc->out;
	struct star_particle *p;
	unsigned group = 0;
	int ret;

	if (!v[COL_IMAGE].s || !v[COL_IMAGE].len)
		return star_fail(why, whylen, no, "expected an image name in _rlnImageName");
	if (memchr(v[COL_IMAGE].s, '\0', v[COL_IMAGE].len))
		return star_fail(why, whylen, no, "NUL byte in an image name");
	if (pc->optics)
		ret = group_from_optics(pc->optics, &v[COL_GROUP], no, &group, why, whylen);
	else
		ret = group_from_30(&pc->g30, v, no, &group, why, whylen);
	if (ret)
		return ret;
	if (out->nr == pc->cap) {
		pc->cap = pc->cap ? 2 * pc->cap : 1024;
		out->items = xrealloc(out->items, pc->cap * sizeof(*out->items));
	}
	p = &out->items[out->nr++];
	p->image = v[COL_IMAGE].s;
	p->image_len = v[COL_IMAGE].len;
	p->micrograph = v[COL_MICROGRAPH].s;
	p->micrograph_len = v[COL_MICROGRAPH].len;
	p->group = group;
	p->line = no;
	return 0;
}

/* Where the blocks start: after their "data_" lines. */
struct blocks {
	struct star_cursor optics;
	struct star_cursor particles;
	struct star_cursor first_images;	/* the first other block naming images (3.0) */
	bool have_optics, have_particles, have_first_images;
	bool any;
};

static int find_blocks(const char *buf, size_t len, struct blocks *b, char *why, size_t whylen)
{
	struct star_cursor c = { .buf = buf, .len = len };
	struct star_line l;

	memset(b, 0, sizeof(*b));
	while (star_next_line(&c, &l)) {
		star_trim(&l);
		if (!star_starts_with(&l, "data_"))
			continue;
		b->any = true;
		if (l.len == 11 && !memcmp(l.s, "data_optics", 11)) {
			b->optics = c;
			b->have_optics = true;
		} else if (l.len == 14 && !memcmp(l.s, "data_particles", 14)) {
			b->particles = c;
			b->have_particles = true;
		} else if (!b->have_first_images) {
			struct star_cursor probe = c;
			struct table t = { .labels = particle_labels, .nlabels = 1 };
			int ret = read_table(&probe, "", &t, true, why, whylen);

			if (ret)
				return ret;
			if (t.col[0] >= 0) {
				b->first_images = c;
				b->have_first_images = true;
			}
		}
	}
	if (!b->any)
		return star_fail(why, whylen, c.no, "expected a 'data_' block: not a STAR file");
	return 0;
}

int star_particles_parse(const char *buf, size_t len, struct star_particles *out, char *why,
			 size_t whylen)
{
	struct optics optics = { 0 };
	struct particles_ctx pc = { .out = out };
	struct table t = { .labels = particle_labels, .nlabels = COL_NR, .row = particle_row,
			   .ctx = &pc };
	struct blocks b;
	struct star_cursor c;
	int ret;

	memset(out, 0, sizeof(*out));
	if (memchr(buf, '\0', len))
		return star_fail(why, whylen, 1, "NUL byte: not a text file");
	ret = find_blocks(buf, len, &b, why, whylen);
	if (ret)
		return ret;
	if (b.have_optics) {
		struct table ot = { .labels = optics_labels, .nlabels = 1, .row = optics_row,
				    .ctx = &optics };

		c = b.optics;
		ret = read_table(&c, "optics", &ot, false, why, whylen);
		if (ret)
			goto out;
	}
	/* An empty data_optics is no table: RELION converts such a file as a 3.0 one. */
	pc.optics = optics.nr ? &optics : NULL;
	out->optics_table = pc.optics != NULL;
	if (b.have_particles) {
		c = b.particles;
	} else if (b.have_first_images && !pc.optics) {
		c = b.first_images;
	} else {
		ret = star_fail(why, whylen, 1, "expected a data_particles block%s",
				pc.optics ? " beside data_optics" : " or a block with an _rlnImageName "
				"column");
		goto out;
	}
	ret = read_table(&c, b.have_particles ? "particles" : "images", &t, false, why, whylen);
	if (ret)
		goto out;
	if (t.col[COL_IMAGE] < 0) {
		ret = star_fail(why, whylen, c.no, "expected an _rlnImageName column in the "
				"particles");
		goto out;
	}
	out->has_micrographs = t.col[COL_MICROGRAPH] >= 0;
	out->nr_groups = pc.optics ? (unsigned)optics.nr : (unsigned)pc.g30.nr;
out:
	free(optics.values);
	free(pc.g30.values);
	if (ret)
		star_particles_release(out);
	return ret;
}

void star_particles_release(struct star_particles *p)
{
	free(p->items);
	memset(p, 0, sizeof(*p));
}
