/* SPDX-License-Identifier: MIT */
/* noderuns.c - a run across nodes from its nodes' parts: the aggregate, the spread. No I/O. */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/noderuns.h"
#include "analysis/stats.h"
#include "lib/json_get.h"
#include "lib/util.h"

static json_t *rate_or_null(double amount, double seconds, double scale)
{
	return seconds > 0 ? json_real(amount / seconds / scale) : json_null();
}

/* The span of the clocks: earliest start, latest end of each clock, over parts with a timing. */
struct span {
	bool any;
	double start, copied, durable;
};

static void span_add(struct span *s, json_t *timing)
{
	const double start = json_get_num(timing, "start_s");
	const double copied = json_get_num(timing, "end_copied_s");
	const double durable = json_get_num(timing, "end_durable_s");

	if (!json_get_has_num(timing, "start_s") || !json_get_has_num(timing, "end_durable_s"))
		return;
	if (!s->any || start < s->start)
		s->start = start;
	if (!s->any || copied > s->copied)
		s->copied = copied;
	if (!s->any || durable > s->durable)
		s->durable = durable;
	s->any = true;
}

/* Each number of key's object in every part, combined: the highest, or the sum. */
static json_t *combine(json_t *parts, const char *key, bool sum)
{
	json_t *out = NULL;
	json_t *part;
	size_t i;

	json_array_foreach(parts, i, part) {
		json_t *o = json_object_get(part, key);
		const char *k;
		json_t *v;

		if (!json_is_object(o))
			continue;
		if (!out)
			out = json_object();
		json_object_foreach(o, k, v) {
			json_t *have = json_object_get(out, k);

			if (!json_is_number(v))
				continue;
			if (!have || json_is_null(have))
				json_object_set_new(out, k, json_is_integer(v) ? json_integer(
								json_integer_value(v))
								: json_real(json_number_value(v)));
			else if (sum && json_is_integer(v) && json_is_integer(have))
				json_object_set_new(out, k, json_integer(json_integer_value(have) +
									 json_integer_value(v)));
			else if (sum)
				json_object_set_new(out, k, json_real(json_number_value(have) +
								      json_number_value(v)));
			else if (json_number_value(v) > json_number_value(have))
				json_object_set(out, k, v);
		}
	}
	return out ? out : json_null();
}

static json_t *cold_of(json_t *parts)
{
	const char *method = NULL;
	double residency = 0;
	bool known = true;
	bool cold = json_array_size(parts) > 0;
	json_t *threshold = json_null();
	json_t *part;
	size_t i;

	json_array_foreach(parts, i, part) {
		json_t *c = json_object_get(part, "cold");
		const char *m = json_string_value(json_object_get(c, "method"));

		if (!json_is_object(c)) {
			known = false;
			cold = false;
			continue;
		}
		if (m && !method)
			method = m;
		else if (m && strcmp(m, method))
			method = "mixed";
		if (json_get_has_num(c, "residency_pct"))
			residency = fmax(residency, json_get_num(c, "residency_pct"));
		else
			known = false;
		if (json_is_null(threshold) && json_get_has_num(c, "threshold_pct"))
			threshold = json_object_get(c, "threshold_pct");
		cold &= json_is_true(json_object_get(c, "cold"));
	}
	return json_pack("{s:s?, s:o, s:O, s:b}", "method", method, "residency_pct",
			 known && json_array_size(parts) ? json_real(residency) : json_null(),
			 "threshold_pct", threshold, "cold", cold);
}

static void prefixed(json_t *run, const char *key, json_t *part)
{
	json_t *msg;
	size_t i;

	json_array_foreach(json_object_get(part, key), i, msg)
		add_stringf(json_object_get(run, key), "node '%s' (rank %lld): %s",
			    json_get_str(part, "host"), json_get_int(part, "rank"),
			    json_string_value(msg) ?: "?");
}

static json_t *who(json_t *part)
{
	return json_pack("{s:I, s:s}", "rank", (json_int_t)json_get_int(part, "rank"), "host",
			 json_get_str(part, "host"));
}

static json_t *spread_of(json_t *parts)
{
	double *rates = xmalloc((json_array_size(parts) + 1) * sizeof(*rates));
	json_t *slow = NULL, *fast = NULL;
	json_t *part;
	json_t *out;
	size_t n = 0;
	size_t i;

	json_array_foreach(parts, i, part) {
		if (!json_get_has_num(part, "mb_s") || json_is_true(json_object_get(part, "aborted")) ||
		    json_array_size(json_object_get(part, "errors")))
			continue;
		rates[n++] = json_get_num(part, "mb_s");
		if (!slow || json_get_num(part, "mb_s") < json_get_num(slow, "mb_s"))
			slow = part;
		if (!fast || json_get_num(part, "mb_s") > json_get_num(fast, "mb_s"))
			fast = part;
	}
	if (!n) {
		free(rates);
		return json_null();
	}
	stats_sort(rates, n);
	out = json_pack("{s:f, s:f, s:f, s:f, s:o, s:o}", "min_mb_s", rates[0], "max_mb_s",
			rates[n - 1], "median_mb_s", stats_quantile_sorted(rates, n, 0.5),
			"spread_pct", rates[n - 1] > 0 ? (rates[n - 1] - rates[0]) / rates[n - 1] * 100
						       : 0.0,
			"slowest", who(slow), "fastest", who(fast));
	free(rates);
	return out;
}

/*
 * What the node ran (seq, strategy, threads, jobs, repeat, plan_index: the run's own, as rank 0
 * sent it) under "ran", so a reader can check every node ran the same entry of the plan.
 */
static void ran(json_t *p)
{
	static const char *const keys[] = { "seq", "strategy", "threads", "jobs", "repeat",
					    "plan_index", NULL };
	json_t *o = json_object();

	for (const char *const *k = keys; *k; k++) {
		if (json_object_get(p, *k))
			json_object_set(o, *k, json_object_get(p, *k));
		json_object_del(p, *k);
	}
	json_object_set_new(p, "ran", o);
}

/* The parts by rank, copied; rank 0's sampler and strategy_info move up to the run. */
static json_t *per_node(json_t *run, json_t *parts)
{
	json_t *out = json_array();
	json_t *part;
	size_t i;

	json_array_foreach(parts, i, part) {
		json_t *p = json_deep_copy(part);
		size_t at = json_array_size(out);

		if (json_get_int(part, "rank") == 0) {
			if (json_object_get(p, "sampler"))
				json_object_set(run, "sampler", json_object_get(p, "sampler"));
			if (json_object_get(p, "strategy_info"))
				json_object_set(run, "strategy_info", json_object_get(p, "strategy_info"));
			json_object_del(p, "sampler");
		}
		ran(p);
		json_object_del(p, "strategy_info");
		while (at > 0 && json_get_int(json_array_get(out, at - 1), "rank") >
				 json_get_int(part, "rank"))
			at--;
		json_array_insert_new(out, at, p);
	}
	return out;
}

void noderuns_merge(json_t *run, json_t *parts)
{
	struct span s = { 0 };
	json_int_t files = 0, bytes = 0;
	bool aborted = false;
	json_t *part;
	json_t *v;
	size_t i;

	json_array_foreach(parts, i, part) {
		files += json_integer_value(json_object_get(part, "files"));
		bytes += json_integer_value(json_object_get(part, "bytes"));
		aborted |= json_is_true(json_object_get(part, "aborted"));
		span_add(&s, json_object_get(part, "timing"));
		prefixed(run, "warnings", part);
		prefixed(run, "errors", part);
	}
	json_object_set_new(run, "files", json_integer(files));
	json_object_set_new(run, "bytes", json_integer(bytes));
	json_object_set_new(run, "seconds_copied", s.any ? json_real(s.copied - s.start) : json_null());
	json_object_set_new(run, "seconds_durable",
			    s.any ? json_real(s.durable - s.start) : json_null());
	json_object_set_new(run, "mb_s", rate_or_null((double)bytes, s.any ? s.durable - s.start : 0,
						      1e6));
	json_object_set_new(run, "mb_s_copied",
			    rate_or_null((double)bytes, s.any ? s.copied - s.start : 0, 1e6));
	json_object_set_new(run, "files_per_s",
			    rate_or_null((double)files, s.any ? s.durable - s.start : 0, 1));
	json_object_set_new(run, "latency_ms", combine(parts, "latency_ms", false));
	v = json_null();
	json_array_foreach(parts, i, part)
		if (json_get_has_num(part, "tail_s") &&
		    (json_is_null(v) || json_get_num(part, "tail_s") > json_number_value(v)))
			v = json_object_get(part, "tail_s");
	json_object_set(run, "tail_s", v);
	json_object_set_new(run, "cpu", combine(parts, "cpu", true));
	json_object_set_new(run, "cold", cold_of(parts));
	json_object_set_new(run, "aborted", json_boolean(aborted));
	v = combine(parts, "verify", true);
	if (!json_is_null(v)) {
		json_object_set_new(v, "hash", json_string("xxh3-64"));
		json_object_set_new(run, "verify", v);
	} else {
		json_decref(v);
	}
	v = combine(parts, "strategy_counters", true);
	if (!json_is_null(v))
		json_object_set_new(run, "strategy_counters", v);
	else
		json_decref(v);
	json_object_set_new(run, "per_node", per_node(run, parts));
	json_object_set_new(run, "node_spread", spread_of(parts));
}
