/* SPDX-License-Identifier: MIT */
/*
 * run_nodes.c - rank 0's side of a session across nodes: opening it (every rank heard, the hosts
 * checked), and each run: sent to the ranks, this node's part measured, the others' parts
 * gathered and merged into one run (analysis/noderuns.h), recorded like any run.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/noderuns.h"
#include "bench/bench.h"
#include "bench/bench_int.h"
#include "bench/cluster.h"
#include "lib/json_get.h"
#include "lib/util.h"

/* After a stop signal, how long rank 0 still waits for a part (a killed rank sends none). */
#define STOP_GRACE_S 0.5

/* The distinct host names of hosts (a new array, in order of first appearance). */
static json_t *distinct_hosts(json_t *hosts)
{
	json_t *out = json_array();
	json_t *h;
	size_t i;

	json_array_foreach(hosts, i, h) {
		bool seen = false;
		json_t *o;
		size_t j;

		json_array_foreach(out, j, o)
			seen |= json_equal(o, h);
		if (!seen)
			json_array_append(out, h);
	}
	return out;
}

/* Every rank's hello (rank 0's made here), in b->nodes; 0, or 1 with a message. */
static int hear_ranks(struct bench *b, json_t *hellos)
{
	int status = 0;

	json_array_append_new(hellos, nodes_hello(b, 0, NULL));
	for (int r = 1; r < b->nodes->world; r++) {
		json_t *hello = NULL;
		int ret = cluster_recv(r, &hello, &bench_stop_signal, 0);

		if (ret) {
			error("rank %d did not say whether it can take part: %s", r,
			      ret == -ETIMEDOUT ? "stopped" : strerror(-ret));
			return 1;
		}
		json_object_set_new(hello, "rank", json_integer(r));
		json_array_append_new(hellos, hello);
	}
	for (size_t r = 0; r < json_array_size(hellos); r++) {
		json_t *h = json_array_get(hellos, r);

		json_array_append(b->nodes->hosts, json_object_get(h, "host"));
		if (json_get_has_num(h, "rank") && json_is_string(json_object_get(h, "error"))) {
			error("node '%s' (rank %zu) cannot take part: %s", json_get_str(h, "host"), r,
			      json_get_str(h, "error"));
			status = 1;
		}
	}
	return status;
}

/* Several ranks on one host share its page cache, disk and network: refused unless allowed. */
static int check_hosts(struct bench *b)
{
	json_t *distinct = distinct_hosts(b->nodes->hosts);
	const size_t n = json_array_size(distinct);
	int status = 0;

	if ((int)n != b->nodes->world && !b->cfg.nodes->allow_shared_host) {
		error("%d ranks run on %zu host%s ('%s'%s): ranks on one host share its page cache, "
		      "disk and network, so their sum is not what %d nodes deliver; start one rank "
		      "a node ('mpirun --map-by node', 'srun --ntasks-per-node=1') or give "
		      "--allow-shared-host", b->nodes->world, n, n == 1 ? "" : "s",
		      json_string_value(json_array_get(distinct, 0)), n > 1 ? ", ..." : "",
		      b->nodes->world);
		status = 1;
	}
	json_decref(distinct);
	return status;
}

/* A fingerprint of a set: rank 0 sends the set again whenever it changed (a sample). */
static uint64_t set_print(const struct dataset *ds)
{
	uint64_t h = 1469598103934665603ull ^ ds->nr;

	for (size_t i = 0; i < ds->nr; i++) {
		for (const char *c = ds->files[i].rel; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ull;
		h = (h ^ ds->files[i].size) * 1099511628211ull;
	}
	return h;
}

int nodes_open(struct bench *b)
{
	json_t *session;
	json_t *msg;
	int status;

	b->nodes = xcalloc(1, sizeof(*b->nodes));
	b->nodes->world = cluster_size();
	b->nodes->split = b->cfg.nodes->split;
	b->nodes->hosts = json_array();
	b->nodes->said = json_object();
	b->nodes->hellos = json_array();
	session = nodes_session_doc(b);
	if (cluster_bcast(&session, &bench_stop_signal)) {
		json_decref(session);
		error("cannot send the session to the other ranks (MPI)");
		return 1;
	}
	json_decref(session);
	b->nodes->sent_print = set_print(&b->ds);
	status = hear_ranks(b, b->nodes->hellos);
	if (!status)
		status = check_hosts(b);
	if (status)
		return 1;	/* the other ranks end when the command does (nodes_dismiss) */
	msg = json_pack("{s:s, s:O}", "cmd", "open", "hosts", b->nodes->hosts);
	status = cluster_bcast(&msg, &bench_stop_signal);
	json_decref(msg);
	if (status) {
		error("cannot open the session on the other ranks (MPI)");
		return 1;
	}
	info("across %d nodes: %s", b->nodes->world, cluster_library() ?: "MPI");
	return 0;
}

void nodes_describe(struct bench *b)
{
	const struct bench_nodes_config *nc = b->cfg.nodes;
	json_t *distinct = distinct_hosts(b->nodes->hosts);
	const size_t hosts = json_array_size(distinct);
	const bool shared = (int)hosts != b->nodes->world;

	json_object_set_new(b->res.root, "cluster",
			    json_pack("{s:i, s:I, s:b, s:b, s:s, s:i, s:s?}", "world_size",
				      b->nodes->world, "hosts", (json_int_t)hosts, "shared_host",
				      shared, "allow_shared_host", nc->allow_shared_host,
				      "node_files", nc->split ? "split" : "shared", "max_nodes",
				      (int)nc->max_nodes, "mpi_library", cluster_library()));
	json_object_set(b->res.root, "nodes", b->nodes->hellos);
	if (shared) {
		char *msg = xasprintf("--allow-shared-host: %d ranks ran on %zu host%s, sharing "
				      "page cache, disk and network: the aggregate is not what %d "
				      "nodes would deliver (a test of the mechanics, not a "
				      "measurement of a cluster)", b->nodes->world, hosts,
				      hosts == 1 ? "" : "s", b->nodes->world);

		warning("%s", msg);
		results_warn(&b->res, msg);
		free(msg);
	}
	json_decref(distinct);
}

/* Print a message of a node once a session: the same one comes with every run. */
static void say_once(struct bench *b, json_t *run, const char *key)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(run, key), i, m) {
		const char *s = json_string_value(m);

		if (!s || json_object_get(b->nodes->said, s))
			continue;
		json_object_set_new(b->nodes->said, s, json_true());
		if (!strcmp(key, "errors"))
			error("%s", s);
		else
			warning("%s", s);
	}
}

/* Send the set again when rank 0's changed (a --budget sample, its probes). */
static int send_set(struct bench *b)
{
	const uint64_t print = set_print(&b->ds);
	json_t *msg;
	int ret;

	if (print == b->nodes->sent_print)
		return 0;
	msg = json_pack("{s:s, s:o}", "cmd", "set", "set", dataset_to_json(&b->ds));
	ret = cluster_bcast(&msg, &bench_stop_signal);
	json_decref(msg);
	if (!ret)
		b->nodes->sent_print = print;
	return ret;
}

/* The other ranks' parts into parts; a rank that sends none is named in run's errors. */
static void gather(struct bench *b, unsigned nodes, json_t *parts, json_t *run)
{
	for (unsigned r = 1; r < nodes; r++) {
		json_t *part = NULL;
		int ret = cluster_recv((int)r, &part, &bench_stop_signal, STOP_GRACE_S);
		const char *host = json_string_value(json_array_get(b->nodes->hosts, r)) ?: "?";

		/* said with the nodes' own errors (say_once), not twice */
		if (ret == -ETIMEDOUT)
			add_stringf(json_object_get(run, "errors"), "node '%s' (rank %u) sent no part "
				    "of the run within %.1f s of the stop: it failed or was killed "
				    "(mpirun then stops every rank)", host, r, STOP_GRACE_S);
		else if (ret)
			add_stringf(json_object_get(run, "errors"), "node '%s' (rank %u): its part of "
				    "the run was lost: %s", host, r, strerror(-ret));
		else
			json_array_append_new(parts, part);
	}
}

/* The nodes a rank's stop signal ended: the run fails with the host and the reason. */
static void name_stopped(json_t *run, json_t *parts)
{
	json_t *part;
	size_t i;

	json_array_foreach(parts, i, part) {
		const int sig = (int)json_get_int(part, "stop_signal");

		if (sig && json_get_int(part, "rank") != 0)
			add_stringf(json_object_get(run, "errors"), "node '%s' (rank %lld) was "
				    "stopped by %s", json_get_str(part, "host"),
				    json_get_int(part, "rank"), sig == SIGINT ? "SIGINT" :
				    sig == SIGTERM ? "SIGTERM" : "a signal");
	}
}

static void print_nodes_line(json_t *run)
{
	char line[1024];
	size_t off = 0;
	json_t *part;
	size_t i;

	json_array_foreach(json_object_get(run, "per_node"), i, part)
		if (off < sizeof(line))
			off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s %.0f",
						i ? ", " : "", json_get_str(part, "host"),
						json_get_num(part, "mb_s"));
	if (json_get_int(run, "nodes") == 1)
		info("  1 node alone (%s), the others waiting", line);
	else
		info("  %lld nodes together: %.0f MB/s; each (MB/s): %s; spread %.1f %%",
		     json_get_int(run, "nodes"), json_get_num(run, "mb_s"), line,
		     json_get_num(json_object_get(run, "node_spread"), "spread_pct"));
}

int run_nodes(struct bench *b, const struct bench_spec *spec)
{
	struct bench_spec part_spec = *spec;
	const unsigned njobs = b->cfg.jobs ? b->cfg.jobs : 1;
	const bool was_silent = silent_messages;
	json_t *parts = json_array();
	json_t *run;
	json_t *msg;
	json_t *mine = NULL;
	unsigned seq;
	int status;

	part_spec.nodes = spec->nodes ? spec->nodes : b->cfg.nodes->max_nodes;
	part_spec.tags = NULL;
	part_spec.role = NULL;
	run = run_new(b, spec, njobs);
	seq = (unsigned)json_get_int(run, "seq");
	json_object_set_new(run, "nodes", json_integer(part_spec.nodes));
	json_object_set_new(run, "node_files", json_string(b->nodes->split ? "split" : "shared"));
	msg = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:I}", "cmd", "run", "strategy",
			spec->strategy->name, "threads", (int)spec->threads, "repeat",
			(int)spec->repeat, "nodes", (int)part_spec.nodes, "seq", (int)seq,
			"plan_index", (json_int_t)spec->plan_index);
	if (send_set(b) || cluster_bcast(&msg, &bench_stop_signal)) {
		json_decref(msg);
		json_decref(parts);
		if (!bench_stop_signal)
			run_error(run, "cannot send the run to the other ranks (MPI)");
		json_object_set_new(run, "aborted", json_boolean(bench_stop_signal));
		return run_finish(b, run, 1);
	}
	json_decref(msg);
	/* This node's messages come out with the others', named by host, once. */
	silent_messages = true;
	bench_node_run(b, &part_spec, seq, 0, &mine);
	silent_messages = was_silent;
	json_array_append_new(parts, mine);
	gather(b, part_spec.nodes, parts, run);
	noderuns_merge(run, parts);
	name_stopped(run, parts);
	json_decref(parts);
	say_once(b, run, "warnings");
	say_once(b, run, "errors");
	status = json_array_size(json_object_get(run, "errors")) ||
		 json_is_true(json_object_get(run, "aborted")) ? 1 : 0;
	if (!status) {
		run_check_short(b, json_get_num(run, "seconds_durable"), run);
		if (!b->probe_out) {
			run_print_line(run);
			print_nodes_line(run);
		}
	}
	return run_finish(b, run, status);
}
