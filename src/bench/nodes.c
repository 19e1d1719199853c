/* SPDX-License-Identifier: MIT */
/*
 * nodes.c - a session across nodes from the side of the ranks other than 0: the session document
 * rank 0 sends (paths, options, the set), what each rank says of itself, and the loop that takes
 * part in every run rank 0 sends until it ends the session.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/bench_int.h"
#include "bench/cluster.h"
#include "bench/nodes.h"
#include "copy/strategy.h"
#include "lib/json_get.h"
#include "lib/opt.h"
#include "lib/util.h"
#include "sys/device.h"
#include "sys/diag.h"

/* Free space in DST must exceed the copies by this much (as bench_begin's check). */
#define SPACE_MARGIN (64ull << 20)

#define FIELD(opts, def, type) ((type *)((char *)(opts) + (def)->offset))

/* ---- the options of the strategies, as text, there and back ------------------------------ */

/* Every option of a table as the text options_set() takes (secrets too: the ranks need them). */
static json_t *opts_json(const struct opt_def *table, void *opts)
{
	json_t *o = json_object();

	for (const struct opt_def *def = table; def->name; def++) {
		json_t *v = NULL;

		switch (def->type) {
		case OPT_BOOL:
			v = json_string(*FIELD(opts, def, bool) ? "true" : "false");
			break;
		case OPT_LONG:
			v = json_sprintf("%ld", *FIELD(opts, def, long));
			break;
		case OPT_DOUBLE:
			v = json_sprintf("%.17g", *FIELD(opts, def, double));
			break;
		case OPT_SIZE:
			v = json_sprintf("%llu", (unsigned long long)*FIELD(opts, def, uint64_t));
			break;
		case OPT_STRING:
		case OPT_CHOICE:
			v = *FIELD(opts, def, char *) ? json_string(*FIELD(opts, def, char *)) : NULL;
			break;
		case OPT_LIST:
			v = json_array();
			for (size_t i = 0; i < FIELD(opts, def, struct opt_list)->n; i++)
				json_array_append_new(v, json_string(FIELD(opts, def,
									  struct opt_list)->v[i]));
			break;
		case OPT_GROUP:		/* a heading, no option */
			break;
		}
		if (v)
			json_object_set_new(o, def->name, v);
	}
	return o;
}

/* Each strategy's options struct from opts_json()'s texts, as measure_parse() makes them. */
static void **eo_from_json(json_t *options, char *why, size_t len, int *ret)
{
	const struct copy_strategy *s;
	size_t n = 0;
	void **eo;

	while (strategy_at(n))
		n++;
	eo = xcalloc(n + 1, sizeof(*eo));
	*ret = 0;
	for (size_t i = 0; (s = strategy_at(i)); i++) {
		json_t *mine = json_object_get(options, s->name);

		if (!s->options)
			continue;
		eo[i] = xcalloc(1, s->option_struct_size);
		options_defaults(s->options, eo[i]);
		for (const struct opt_def *def = s->options; def->name && !*ret; def++) {
			json_t *v = opt_is_group(def) ? NULL : json_object_get(mine, def->name);
			json_t *e;
			size_t k;

			if (json_is_string(v))
				*ret = options_set(def, eo[i], json_string_value(v), why, len);
			json_array_foreach(v, k, e)
				if (!*ret && json_is_string(e))
					*ret = options_set(def, eo[i], json_string_value(e), why, len);
		}
	}
	return eo;
}

static void eo_free(void **eo)
{
	const struct copy_strategy *s;

	for (size_t i = 0; eo && (s = strategy_at(i)); i++) {
		if (eo[i])
			options_release(s->options, eo[i]);
		free(eo[i]);
	}
	free(eo);
}

json_t *nodes_session_doc(struct bench *b)
{
	const struct bench_config *c = &b->cfg;
	const struct copy_strategy *s;
	json_t *options = json_object();
	json_t *names = json_array();

	for (size_t i = 0; (s = strategy_at(i)); i++)
		if (c->eo && c->eo[i] && s->options)
			json_object_set_new(options, s->name, opts_json(s->options, (void *)c->eo[i]));
	for (size_t i = 0; i < c->nodes->nr_strategies; i++)
		json_array_append_new(names, json_string(c->nodes->strategies[i]->name));
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:I, s:I, s:b, s:b, s:b, s:s, s:f, s:b, s:s?, "
			 "s:s?, s:b}, s:b, s:o, s:o, s:o}", "cmd", "session", "version",
			 PACKAGE_VERSION, "src", b->src, "dst", c->dst, "cfg", "bs",
			 (json_int_t)c->bs, "jobs", (json_int_t)c->jobs, "verify", c->verify,
			 "require_drop", c->require_drop, "keep", c->keep, "drop_path", c->drop_path,
			 "sample_interval", c->sample_interval, "samples_csv", c->samples_csv,
			 "sysroot", c->sysroot, "source_url", c->source_url, "insecure", c->insecure,
			 "split", c->nodes->split, "options", options, "strategies", names, "set",
			 dataset_to_json(&b->ds));
}

/* ---- what a rank says of itself ------------------------------------------------------------ */

/* The part of diag a table of nodes shows: filesystems, the routes' links, the findings. */
static json_t *diag_summary(json_t *diag)
{
	json_t *locs = json_array();
	json_t *routes = json_array();
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(diag, "locations"), i, v)
		json_array_append_new(locs, json_pack("{s:O?, s:O?, s:O?, s:O?}", "role",
						      json_object_get(v, "role"), "fs_type",
						      json_object_get(v, "fs_type"), "mount_source",
						      json_object_get(v, "mount_source"), "devices",
						      json_object_get(v, "devices")));
	json_array_foreach(json_object_get(diag, "routes"), i, v)
		json_array_append_new(routes, json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?}", "target",
							json_object_get(v, "target"), "interface",
							json_object_get(v, "interface"), "speed_mbps",
							json_object_get(v, "speed_mbps"), "link",
							json_object_get(v, "link"), "link_speed_mbps",
							json_object_get(v, "link_speed_mbps")));
	return json_pack("{s:o, s:o, s:O?, s:O?}", "locations", locs, "routes", routes,
			 "findings", json_object_get(diag, "findings"), "unreadable",
			 json_object_get(diag, "unreadable"));
}

json_t *nodes_hello(struct bench *b, int rank, const char *err)
{
	const bool can_drop = b->cfg.drop_path && access(b->cfg.drop_path, W_OK) == 0;
	json_t *host = bench_host_json();
	json_t *diag = b->src && b->dst ? diag_paths_json(b->src, b->dst, b->ds.bytes) : NULL;
	json_t *o;

	o = json_pack("{s:i, s:O, s:I, s:s, s:s?, s:b, s:s, s:b, s:o, s:o, s:s?}", "rank", rank,
		      "host", json_object_get(host, "hostname"), "pid", (json_int_t)getpid(),
		      "version", PACKAGE_VERSION, "error", err, "root", geteuid() == 0,
		      "cache_drop", can_drop ? "drop_caches" : "fadvise", "can_drop_caches",
		      can_drop, "machine", host, "diag", diag ? diag_summary(diag) : json_null(),
		      "scratch", b->have_scratch ? b->scratch.path : NULL);
	json_decref(diag);
	return o;
}

int nodes_take_set(struct bench *b, json_t *set, char *why, size_t len)
{
	struct dataset ds;
	int ret = dataset_from_json(&ds, set, why, len);

	if (ret)
		return ret;
	dataset_release(&b->ds);
	b->ds = ds;
	return 0;
}

/* ---- the other ranks' side ----------------------------------------------------------------- */

static int check_space(struct bench *b, char *why, size_t len)
{
	const unsigned jobs = b->cfg.jobs ? b->cfg.jobs : 1;
	struct device_info d;
	char need[32], have[32];
	int ret = 0;

	if (device_resolve(b->dst, NULL, &d))
		return 0;	/* cannot tell: the copy itself will report ENOSPC */
	if (d.fs_free < b->ds.bytes * jobs + SPACE_MARGIN)
		ret = reject_why(why, len, "not enough space in destination '%s': %s needed, %s "
				 "available", b->cfg.dst, human_size(b->ds.bytes * jobs + SPACE_MARGIN,
								      need, sizeof(need)),
				 human_size(d.fs_free, have, sizeof(have)));
	device_release(&d);
	return ret;
}

/* The strategies of the session, found in this binary and able to run here. */
static int check_strategies(struct bench *b, json_t *names, char *why, size_t len)
{
	json_t *name;
	size_t i;

	json_array_foreach(names, i, name) {
		const struct copy_strategy *s = strategy_find(json_string_value(name) ?: "");
		const void *eo;
		char reason[256];

		if (!s)
			return reject_why(why, len, "strategy '%s' is not in this node's build",
					  json_string_value(name) ?: "?");
		eo = b->cfg.eo ? b->cfg.eo[strategy_index(s)] : NULL;
		if (s->probe && s->probe(&b->ds, b->dst, eo, reason, sizeof(reason)))
			return reject_why(why, len, "strategy '%s' cannot run here: %s", s->name,
					  reason);
	}
	return 0;
}

/* b as this rank's side of the session: the configuration, the set, the checks, the scratch. */
static int open_session(struct bench *b, json_t *session, void ***eo, char *why, size_t len)
{
	json_t *c = json_object_get(session, "cfg");
	struct stat st;
	int ret;

	if (strcmp(json_get_str(session, "version"), PACKAGE_VERSION))
		return reject_why(why, len, "this node runs " PACKAGE_NAME " %s, rank 0 runs %s",
				  PACKAGE_VERSION, json_get_str(session, "version"));
	*eo = eo_from_json(json_object_get(session, "options"), why, len, &ret);
	if (ret)
		return ret;
	b->cfg = (struct bench_config){
		.src = json_get_str(session, "src"), .dst = json_get_str(session, "dst"),
		.bs = (size_t)json_get_int(c, "bs"), .eo = (const void *const *)*eo,
		.source_url = json_string_value(json_object_get(c, "source_url")),
		.insecure = json_is_true(json_object_get(c, "insecure")),
		.jobs = (unsigned)json_get_int(c, "jobs"),
		.verify = json_is_true(json_object_get(c, "verify")),
		.require_drop = json_is_true(json_object_get(c, "require_drop")),
		.keep = json_is_true(json_object_get(c, "keep")),
		.drop_path = json_get_str(c, "drop_path"),
		.sample_interval = json_get_num(c, "sample_interval"),
		.samples_csv = json_is_true(json_object_get(c, "samples_csv")),
		.sysroot = json_string_value(json_object_get(c, "sysroot")),
	};
	b->nodes->split = json_is_true(json_object_get(session, "split"));
	ret = nodes_take_set(b, json_object_get(session, "set"), why, len);
	if (ret)
		return ret;
	/* SRC is the same shared path on every node; DST is this node's own disk. */
	if (access(b->cfg.src, R_OK | X_OK) < 0)
		return fail_why(why, len, -errno, "cannot read source '%s': %s", b->cfg.src,
				strerror(errno));
	b->src = xstrdup(b->cfg.src);
	b->dst = realpath(b->cfg.dst, NULL);
	if (!b->dst || stat(b->dst, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    access(b->dst, R_OK | W_OK | X_OK) < 0)
		return fail_why(why, len, -errno, "cannot write to destination '%s': %s",
				b->cfg.dst, b->dst ? strerror(errno) : "no such directory");
	ret = check_space(b, why, len);
	if (!ret && b->cfg.require_drop && access(b->cfg.drop_path, W_OK) < 0)
		ret = fail_why(why, len, -errno, "cannot drop the page cache ('%s'): %s, and "
			       "--require-drop was given", b->cfg.drop_path, strerror(errno));
	if (!ret)
		ret = check_strategies(b, json_object_get(session, "strategies"), why, len);
	if (ret)
		return ret;
	ret = scratch_create(&b->scratch, b->dst);
	if (ret)
		return fail_why(why, len, ret, "cannot create a scratch directory in '%s': %s",
				b->cfg.dst, strerror(-ret));
	b->have_scratch = true;
	return 0;
}

/* One run rank 0 sent: this rank's part (or its wait at the barrier), sent back. */
static int serve_run(struct bench *b, json_t *msg, int rank)
{
	const struct bench_spec spec = {
		.strategy = strategy_find(json_get_str(msg, "strategy")),
		.threads = (unsigned)json_get_int(msg, "threads"),
		.repeat = (unsigned)json_get_int(msg, "repeat"),
		.plan_index = (long)json_get_int(msg, "plan_index"),
		.nodes = (unsigned)json_get_int(msg, "nodes"),
	};
	json_t *part = NULL;
	int ret;

	if (!spec.strategy) {
		/* Checked when the session opened; the barrier is joined anyway, failing. */
		const bool mine = (unsigned)rank < spec.nodes;
		int worst;

		cluster_barrier(mine, &worst);
		if (!mine)
			return 0;	/* not in this cell: rank 0 waits for no part */
		part = json_pack("{s:i, s:O, s:b, s:[s], s:[]}", "rank", rank, "host",
				 json_array_get(b->nodes->hosts, (size_t)rank), "aborted", 1,
				 "errors", "unknown strategy", "warnings");
	} else {
		bench_node_run(b, &spec, (unsigned)json_get_int(msg, "seq"), rank, &part);
	}
	if (!part)
		return 0;
	ret = cluster_send(part);
	json_decref(part);
	return ret;
}

/* Until rank 0 ends the session: its sets and its runs. Returns rank 0's exit status. */
static int serve_loop(struct bench *b, int rank)
{
	for (;;) {
		json_t *msg = NULL;
		const char *cmd;
		char why[512];
		int status = 0;

		if (cluster_bcast(&msg, NULL))
			return 1;
		cmd = json_get_str(msg, "cmd");
		if (!strcmp(cmd, "end")) {
			status = (int)json_get_int(msg, "status");
			json_decref(msg);
			return status;
		}
		if (!strcmp(cmd, "set") && nodes_take_set(b, json_object_get(msg, "set"), why,
							  sizeof(why)))
			status = 1;
		else if (!strcmp(cmd, "run"))
			status = serve_run(b, msg, rank) ? 1 : 0;
		json_decref(msg);
		if (status)
			return 1;
	}
}

int nodes_serve(void)
{
	const int rank = cluster_rank();
	struct bench b;
	json_t *msg = NULL;
	json_t *hello;
	void **eo = NULL;
	char why[1024] = "";
	int status = 1;

	memset(&b, 0, sizeof(b));
	silent_messages = true;
	quiet_messages = true;
	bench_install_signal_handlers();
	if (cluster_bcast(&msg, NULL))
		goto out;
	if (strcmp(json_get_str(msg, "cmd"), "session")) {
		/* rank 0 ended before a session (bad options, --help): end with it */
		status = (int)json_get_int(msg, "status");
		json_decref(msg);
		goto out;
	}
	b.nodes = xcalloc(1, sizeof(*b.nodes));
	b.nodes->session = msg;
	b.nodes->world = cluster_size();
	status = open_session(&b, msg, &eo, why, sizeof(why));
	hello = nodes_hello(&b, rank, status ? why : NULL);
	b.nodes->hosts = json_array();
	if (cluster_send(hello)) {
		json_decref(hello);
		goto end;
	}
	json_decref(hello);
	/* Rank 0 opens the session (with every rank's host) or ends it. */
	msg = NULL;
	if (cluster_bcast(&msg, NULL))
		goto end;
	if (!strcmp(json_get_str(msg, "cmd"), "open")) {
		json_decref(b.nodes->hosts);
		b.nodes->hosts = json_incref(json_object_get(msg, "hosts"));
		json_decref(msg);
		status = serve_loop(&b, rank);
	} else {
		status = (int)json_get_int(msg, "status");
		json_decref(msg);
	}
end:
	if (b.have_scratch)
		bench_end(&b);
	bench_release(&b);
	eo_free(eo);
out:
	cluster_finalize(false);
	return status;
}

void nodes_dismiss(int status)
{
	json_t *msg;

	if (cluster_size() < 2) {
		cluster_finalize(false);
		return;
	}
	/* Stopped by a signal: another rank may be gone, and the launcher ends the rest. */
	if (status > 128 || bench_stop_signal) {
		cluster_finalize(true);
		return;
	}
	msg = json_pack("{s:s, s:i}", "cmd", "end", "status", status);
	if (cluster_bcast(&msg, &bench_stop_signal)) {
		json_decref(msg);
		cluster_finalize(true);
		return;
	}
	json_decref(msg);
	cluster_finalize(false);
}
