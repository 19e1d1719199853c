/* SPDX-License-Identifier: MIT */
/*
 * warn_groups.h - warnings grouped by kind: the runs of a sweep that say the same thing with
 * other numbers ("run lasted 0.42 s ...", "run lasted 0.51 s ...") are one line with a count,
 * on the terminal and in every report. Pure: strings in, JSON out.
 */
#ifndef CCB_WARN_GROUPS_H
#define CCB_WARN_GROUPS_H

#include <stddef.h>
#include <jansson.h>

/*
 * The kind of message msg into kind[len]: every number (digits with their decimal point) becomes
 * '#' and every single-quoted name "'…'", so messages that differ only in figures, paths or file
 * names are one kind. Returns kind.
 */
char *warn_kind(const char *msg, char *kind, size_t len);

/*
 * Count msg, said by run seq (0: not a run's), in groups, a JSON array that the caller made with
 * json_array(). Each element is {"kind", "first" (the first message of its kind, verbatim),
 * "count" (every occurrence), "runs" (the distinct seqs, in order of appearance)}; groups keep
 * the order in which each kind first appeared. Returns the group's new count.
 */
size_t warn_groups_add(json_t *groups, const char *msg, long long seq);

/* Every string of array list (a run's "warnings", "errors" or findings) added as run seq's. */
void warn_groups_add_all(json_t *groups, json_t *list, long long seq);

/*
 * "run 3" for a group of one run, else "16 runs (3-18)" or "4 runs (2, 5-7)", into buf[len]
 * (what, e.g. " failed", follows "run"/"runs"). Ranges collapse consecutive seqs. Returns buf.
 */
char *warn_group_who(json_t *group, const char *what, char *buf, size_t len);

#endif
