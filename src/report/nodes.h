/* SPDX-License-Identifier: MIT */
/*
 * nodes.h - the part of every rendering a run or sweep across nodes adds (results.json has
 * "cluster"): the nodes and what each measured, the scaling curve (the nodes' aggregate rate by
 * node count) and the recommendation at each node count; nothing for a run on one node. Every
 * rendering says when several ranks shared a host (--allow-shared-host).
 */
#ifndef CCB_REPORT_NODES_H
#define CCB_REPORT_NODES_H

#include <stdio.h>
#include <jansson.h>

/* The terminal's: the nodes' table and the scaling lines. */
void report_nodes_text(json_t *doc, FILE *f);
/* report.md's section "Across nodes". */
void report_nodes_md(json_t *doc, FILE *f);
/* report.html's section "Across nodes", with the scaling chart as inline SVG. */
void report_nodes_html(json_t *doc, FILE *f);

#endif
