/* SPDX-License-Identifier: MIT */
/* scaling.c - the scaling curve by node count, and the recommendation at each node count. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/scaling.h"
#include "lib/dynbuf.h"
#include "lib/json_get.h"
#include "lib/util.h"

static bool same_curve(json_t *curve, json_t *cell)
{
	return !strcmp(json_get_str(curve, "strategy"), json_get_str(cell, "strategy")) &&
	       json_get_int(curve, "threads") == json_get_int(cell, "threads") &&
	       json_get_int(curve, "jobs") == json_get_int(cell, "jobs");
}

static json_t *point(json_t *cell)
{
	const double n = (double)json_get_int(cell, "nodes");
	json_t *median = json_object_get(cell, "median_mb_s");

	return json_pack("{s:I, s:O, s:o, s:O, s:O, s:n}", "nodes",
			 (json_int_t)json_get_int(cell, "nodes"), "median_mb_s", median,
			 "per_node_mb_s", json_is_number(median) ? json_real(json_number_value(
										median) / n)
								  : json_null(),
			 "ci_low_mb_s", json_object_get(cell, "ci_low_mb_s"), "ci_high_mb_s",
			 json_object_get(cell, "ci_high_mb_s"), "efficiency");
}

/* Insert p into points by node count. */
static void add_point(json_t *points, json_t *p)
{
	size_t at = json_array_size(points);

	while (at > 0 && json_get_int(json_array_get(points, at - 1), "nodes") >
			 json_get_int(p, "nodes"))
		at--;
	json_array_insert_new(points, at, p);
}

static void efficiencies(json_t *points)
{
	json_t *first = json_array_get(points, 0);
	json_t *p;
	size_t i;

	json_array_foreach(points, i, p)
		if (json_get_has_num(first, "per_node_mb_s") && json_get_num(first, "per_node_mb_s") > 0 &&
		    json_get_has_num(p, "per_node_mb_s"))
			json_object_set_new(p, "efficiency",
					    json_real(json_get_num(p, "per_node_mb_s") /
						      json_get_num(first, "per_node_mb_s")));
}

json_t *scaling_curves(json_t *cells)
{
	json_t *curves = json_array();
	json_t *cell;
	json_t *c;
	size_t i, j;

	json_array_foreach(cells, i, cell) {
		json_t *curve = NULL;

		if (json_get_int(cell, "nodes") < 1)
			continue;
		json_array_foreach(curves, j, c)
			if (same_curve(c, cell))
				curve = c;
		if (!curve) {
			curve = json_pack("{s:O, s:O, s:O, s:[]}", "strategy",
					  json_object_get(cell, "strategy"), "threads",
					  json_object_get(cell, "threads"), "jobs",
					  json_object_get(cell, "jobs"), "points");
			json_array_append_new(curves, curve);
		}
		add_point(json_object_get(curve, "points"), point(cell));
	}
	json_array_foreach(curves, i, c)
		efficiencies(json_object_get(c, "points"));
	return curves;
}

json_t *scaling_recommendations(json_t *cells, const struct recommend_params *p)
{
	struct recommend_params rp;
	long counts[256];
	size_t nr = 0;
	json_t *out = json_array();
	json_t *cell;
	size_t i;

	if (p)
		rp = *p;
	else
		recommend_params_init(&rp);
	json_array_foreach(cells, i, cell) {
		const long n = (long)json_get_int(cell, "nodes");
		size_t at = nr;
		bool seen = false;

		for (size_t k = 0; k < nr; k++)
			seen |= counts[k] == n;
		if (n < 1 || seen || nr == sizeof(counts) / sizeof(counts[0]))
			continue;
		while (at > 0 && counts[at - 1] > n) {
			counts[at] = counts[at - 1];
			at--;
		}
		counts[at] = n;
		nr++;
	}
	for (size_t k = 0; k < nr; k++) {
		rp.nodes = counts[k];
		json_array_append_new(out, recommend_compute(cells, &rp));
	}
	return out;
}

char *scaling_lines(json_t *recs)
{
	struct dynbuf text;
	json_t *rec;
	size_t i;

	dynbuf_init(&text);
	if (json_array_size(recs))
		dynbuf_addstr(&text, "# by node count (each node's " RECOMMEND_VARIABLE
				     " when that many cache at once):\n");
	json_array_foreach(recs, i, rec) {
		const long long n = json_get_int(rec, "nodes");

		if (!json_is_integer(json_object_get(rec, "threads"))) {
			dynbuf_addf(&text, "#   %s %lld node%s: no shutil cell\n", n == 1 ? "on" : "with",
				    n, n == 1 ? " alone" : "s caching together");
			continue;
		}
		dynbuf_addf(&text, "#   %s %lld node%s: %lld thread%s each", n == 1 ? "on" : "with",
			    n, n == 1 ? " alone" : "s caching together", json_get_int(rec, "threads"),
			    json_get_int(rec, "threads") == 1 ? "" : "s");
		if (json_get_has_num(rec, "mb_s"))
			dynbuf_addf(&text, ", %.0f MB/s in all, %.0f MB/s a node",
				    json_get_num(rec, "mb_s"), json_get_num(rec, "mb_s") / (double)n);
		dynbuf_addf(&text, " (confidence %s)\n", json_get_str(rec, "confidence"));
	}
	return dynbuf_detach(&text, NULL);
}
