/* SPDX-License-Identifier: MIT */
/* star.c - read the stack paths of a RELION STAR file (pure: text in, stack list out). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dataset/star.h"
#include "dataset/star_int.h"

#define MAX_TOKENS STAR_MAX_TOKENS

bool star_next_line(struct star_cursor *c, struct star_line *l)
{
	const char *nl;

	if (c->pos >= c->len)
		return false;
	l->s = c->buf + c->pos;
	nl = memchr(l->s, '\n', c->len - c->pos);
	l->len = nl ? (size_t)(nl - l->s) : c->len - c->pos;
	c->pos += l->len + (nl ? 1 : 0);
	l->no = ++c->no;
	if (l->len && l->s[l->len - 1] == '\r')
		l->len--;
	return true;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

void star_trim(struct star_line *l)
{
	while (l->len && is_space(l->s[0])) {
		l->s++;
		l->len--;
	}
	while (l->len && is_space(l->s[l->len - 1]))
		l->len--;
}

bool star_starts_with(const struct star_line *l, const char *p)
{
	size_t n = strlen(p);

	return l->len >= n && !memcmp(l->s, p, n);
}

bool star_block_line(struct star_cursor *c, struct star_line *l, bool blank_ends)
{
	while (star_next_line(c, l)) {
		star_trim(l);
		if (!l->len && blank_ends)
			return false;
		if (!l->len || l->s[0] == '#' || l->s[0] == ';')
			continue;
		if (star_starts_with(l, "data_")) {
			c->pos = (size_t)(l->s - c->buf);
			c->no--;
			return false;
		}
		return true;
	}
	return false;
}

int star_tokenize(const struct star_line *l, struct star_token *t, int max)
{
	size_t i = 0;
	int n = 0;

	for (;;) {
		size_t start;

		while (i < l->len && is_space(l->s[i]))
			i++;
		if (i >= l->len || l->s[i] == '#')
			return n;
		if (n == max)
			return -1;
		if (l->s[i] == '\'' || l->s[i] == '"') {
			char q = l->s[i];
			size_t j = i + 1;

			while (j < l->len &&
			       !(l->s[j] == q && (j + 1 == l->len || is_space(l->s[j + 1]))))
				j++;
			if (j < l->len) {
				t[n].s = l->s + i + 1;
				t[n].len = j - i - 1;
				n++;
				i = j + 1;
				continue;
			}
			/* No closing quote: RELION takes the quote as part of a plain token. */
		}
		start = i;
		while (i < l->len && !is_space(l->s[i]))
			i++;
		t[n].s = l->s + start;
		t[n].len = i - start;
		n++;
	}
}

int star_fail(char *why, size_t whylen, size_t no, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!why || !whylen)
		return -EINVAL;
	n = snprintf(why, whylen, "line %zu: ", no);
	if (n >= 0 && (size_t)n < whylen) {
		va_start(ap, fmt);
		vsnprintf(why + n, whylen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool token_is(const struct star_token *t, const char *s)
{
	return t->len == strlen(s) && !memcmp(t->s, s, t->len);
}

/* One particle of an image name NNNNNN@path (or a bare path: the whole stack). */
static int add_image(struct stack_list *out, const struct star_token *t, size_t no, char *why,
		     size_t whylen)
{
	const char *at = memchr(t->s, '@', t->len);
	const char *p = t->s;
	size_t len = t->len;

	if (at) {
		bool digits = at > t->s;

		for (const char *q = t->s; q < at; q++)
			digits = digits && *q >= '0' && *q <= '9';
		if (digits) {
			p = at + 1;
			len = t->len - (size_t)(at + 1 - t->s);
		}
	}
	if (!len)
		return star_fail(why, whylen, no, "expected a stack path after '@' in _rlnImageName");
	if (memchr(p, '\0', len))
		return star_fail(why, whylen, no, "NUL byte in an image name");
	stack_list_add(out, p, len);
	stack_list_passed(out, p);
	return 0;
}

/*
 * Read the block whose header line was just consumed. Returns 1 when the block has no
 * _rlnImageName (the caller looks further), 0 when read, or -EINVAL.
 */
static int read_block(struct star_cursor *c, const char *name, struct stack_list *out, char *why,
		      size_t whylen)
{
	static struct star_token tok[MAX_TOKENS];
	struct star_line l;
	int nlabels = 0;
	int image = -1;
	bool in_loop = false;
	bool rows = false;
	size_t loop_no = 0;

	while (star_block_line(c, &l, in_loop && nlabels)) {
		if (!in_loop && star_starts_with(&l, "loop_")) {
			in_loop = true;
			loop_no = l.no;
			continue;
		}
		if (l.s[0] == '_' && !rows) {
			int n = star_tokenize(&l, tok, 2);

			if (!in_loop) {
				/* A list block: _label value. */
				if (n != 2)
					return star_fail(
						why, whylen, l.no,
						"expected '_label value' in the list block data_%s",
						name);
				if (token_is(&tok[0], "_rlnImageName")) {
					int ret = add_image(out, &tok[1], l.no, why, whylen);

					if (ret)
						return ret;
					image = 0;
				}
				continue;
			}
			if (token_is(&tok[0], "_rlnImageName"))
				image = nlabels;
			if (++nlabels > MAX_TOKENS)
				return star_fail(why, whylen, l.no, "more than %d labels", MAX_TOKENS);
			continue;
		}
		if (!in_loop)
			return star_fail(why, whylen, l.no, "expected 'loop_' or a '_label' in data_%s",
				    name);
		if (!nlabels)
			return star_fail(why, whylen, l.no,
				    "expected a '_label' after 'loop_' (line %zu)", loop_no);
		if (image < 0)
			return 1;
		{
			int n = star_tokenize(&l, tok, MAX_TOKENS);
			int ret;

			rows = true;
			if (n != nlabels)
				return star_fail(why, whylen, l.no,
					    "%s%d values, expected %d (the labels of "
					    "data_%s)",
					    n < 0 ? "more than " : "", n < 0 ? MAX_TOKENS : n,
					    nlabels, name);
			ret = add_image(out, &tok[image], l.no, why, whylen);
			if (ret)
				return ret;
		}
	}
	return image < 0 ? 1 : 0;
}

/* Whether buf holds a NUL, looked for a few MB at a time, each handed back once looked at. */
static bool find_nul(const char *buf, size_t len, struct stack_list *out)
{
	const size_t step = 4u << 20;

	for (size_t pos = 0; pos < len; pos += step) {
		const size_t n = len - pos < step ? len - pos : step;

		if (memchr(buf + pos, '\0', n))
			return true;
		stack_list_passed(out, buf + pos + n);
	}
	return false;
}

int star_parse(const char *buf, size_t len, struct stack_list *out, char *why, size_t whylen)
{
	struct star_cursor c = { .buf = buf, .len = len };
	struct star_cursor first = { 0 };
	bool have_first = false;
	bool any_block = false;
	struct star_line l;
	char name[64];
	char first_name[64];

	if (find_nul(buf, len, out)) {
		const char *z = memchr(buf, '\0', len);
		size_t no = 1;

		for (const char *p = buf; p < z; p++)
			no += *p == '\n';
		return star_fail(why, whylen, no, "NUL byte: not a text file");
	}
	/* data_particles wins wherever it is; else the first block naming images. */
	while (star_next_line(&c, &l)) {
		star_trim(&l);
		if (!star_starts_with(&l, "data_"))
			continue;
		any_block = true;
		snprintf(name, sizeof(name), "%.*s", (int)(l.len - 5 > 40 ? 40 : l.len - 5),
			 l.s + 5);
		if (!strcmp(name, "particles")) {
			int ret = read_block(&c, name, out, why, whylen);

			if (ret == 1)
				return star_fail(why, whylen, l.no,
					    "expected an _rlnImageName column in data_particles");
			return ret;
		}
		if (!have_first && strcmp(name, "optics") != 0) {
			struct star_cursor probe = c;
			struct stack_list tmp;
			int ret;

			stack_list_init(&tmp);
			ret = read_block(&probe, name, &tmp, why, whylen);
			stack_list_release(&tmp);
			if (ret < 0)
				return ret;
			if (ret == 0) {
				first = c;
				memcpy(first_name, name, sizeof(name));
				have_first = true;
			}
		}
	}
	if (!any_block)
		return star_fail(why, whylen, c.no, "expected a 'data_' block: not a STAR file");
	if (!have_first)
		return star_fail(why, whylen, c.no, "expected a data_particles block or a block with an "
			    "_rlnImageName column");
	/* The block is read twice (probe, then for real) only when data_particles is absent. */
	return read_block(&first, first_name, out, why, whylen) < 0 ? -EINVAL : 0;
}
