/* SPDX-License-Identifier: MIT */
/* star_int.h - what the STAR readers inside dataset/ share: lines, tokens and messages. */
#ifndef CCB_STAR_INT_H
#define CCB_STAR_INT_H

#include <stdbool.h>
#include <stddef.h>

/* Values a row of a STAR loop may hold: more is a malformed file. */
#define STAR_MAX_TOKENS 4096

struct star_line {
	const char *s;
	size_t len;		/* without the line end */
	size_t no;		/* 1-based */
};

/* A value as written (quotes removed), pointing into the text. */
struct star_token {
	const char *s;
	size_t len;
};

struct star_cursor {
	const char *buf;
	size_t len;
	size_t pos;
	size_t no;		/* lines read so far */
};

/* The next line of c into l (without its line end, CR+LF taken too); false at the end. */
bool star_next_line(struct star_cursor *c, struct star_line *l);
/* The line without leading and trailing blanks. */
void star_trim(struct star_line *l);
bool star_starts_with(const struct star_line *l, const char *p);
/*
 * The next line of the block being read into l, trimmed, skipping blank lines and comments
 * ('#', ';'). False at the end of the block: the end of the text, a blank line when blank_ends
 * (a loop's rows have begun), or the next "data_" line, which is given back to c.
 */
bool star_block_line(struct star_cursor *c, struct star_line *l, bool blank_ends);
/*
 * Split a line into tokens as RELION's nextTokenInSTAR does: blanks separate, a token starting
 * with '#' ends the line, a token may be quoted with ' or " (the closing quote counts only when
 * followed by a blank or the line end). Returns the number of tokens, or -1 past max.
 */
int star_tokenize(const struct star_line *l, struct star_token *t, int max);
/* "line N: " and the message into why; returns -EINVAL. */
int star_fail(char *why, size_t whylen, size_t no, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
