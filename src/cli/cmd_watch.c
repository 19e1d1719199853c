/* SPDX-License-Identifier: MIT */
/*
 * cmd_watch.c - `watch PATH...`: the devices, CPUs and interfaces behind paths, live and
 * iostat-style, while something else (CryoSPARC's own cache, an rsync) copies.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"
#include "bench/results.h"
#include "cli/cmdline.h"
#include "cli/cmds.h"
#include "lib/json_get.h"
#include "lib/text.h"
#include "lib/util.h"
#include "report/report.h"
#include "sys/sampler.h"

#define DISPLAY_S 1.0

struct watch_opts {
	double interval;
	long count;
	char *out;
	char *samples_format;
	char *sysroot;
};

static const char *const samples_choices[] = {"json", "csv", NULL};

static const struct opt_def watch_options[] = {
	OPT_DOUBLE_("interval", 'i', struct watch_opts, interval, "1", "S", SAMPLER_MIN_INTERVAL_S,
		    3600, "seconds between readings; each display covers max(1 s, S)"),
	OPT_LONG_("count", 'c', struct watch_opts, count, "0", "N", 0, 1000000000,
		  "stop after N displays (0: run until Ctrl-C or SIGTERM)"),
	OPT_STRING_("out", 'o', struct watch_opts, out, NULL, "DIR", OPT_NO_ECHO,
		    "keep the summary and the series in a results folder (results.json, "
		    "samples/watch.json)"),
	OPT_CHOICE_("samples-format", 0, struct watch_opts, samples_format, "json", "FMT",
		    samples_choices, "format of the series kept with --out"),
	OPT_STRING_("sysroot", 0, struct watch_opts, sysroot, NULL, "DIR", OPT_NO_ECHO,
		    "testing aid: read /proc and /sys below DIR"),
	OPT_END};

const struct opt_command watch_command = {
	.name = "watch",
	.synopsis = "PATH...",
	.brief = "live device, CPU and network counters behind paths, like iostat -x",
	.summary =
		"Show once a second what the block devices behind each PATH (and any other busy\n"
		"device), the CPUs and the network interfaces do, with iostat -x's fields, while\n"
		"something else copies. Ctrl-C or SIGTERM ends it with a summary of the whole "
		"time.",
	.options = watch_options,
	.min_args = 1,
	.max_args = -1,
};

static volatile sig_atomic_t watch_stop;

static void on_stop_signal(int sig)
{
	watch_stop = sig;
}

/* Without SA_RESTART, so the sleep between readings ends at once. */
static void install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* One display: the window's CPU line, its devices and its interfaces. */
static void show_window(const struct sampler *s, size_t from, size_t to)
{
	json_t *w = sampler_summary_json(s, from, to);
	json_t *cpu = json_object_get(json_object_get(w, "cpu"), "mean");
	const time_t end = (time_t)(json_get_num(w, "started_unix_ms") / 1000 + json_get_num(w, "seconds"));
	const char *name;
	json_t *d;
	struct tm tm;
	char stamp[16];

	localtime_r(&end, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	if (cpu)
		printf("%s  cpu %5.1f %% busy: user %.1f system %.1f iowait %.1f irq %.1f softirq "
		       "%.1f steal %.1f\n",
		       stamp, json_get_num(cpu, "busy"), json_get_num(cpu, "user"), json_get_num(cpu, "system"),
		       json_get_num(cpu, "iowait"), json_get_num(cpu, "irq"), json_get_num(cpu, "softirq"), json_get_num(cpu, "steal"));
	else
		printf("%s\n", stamp);
	printf("  %-16s %9s %9s %9s %9s %8s %8s %7s %6s\n", "device", "r/s", "rMB/s", "w/s",
	       "wMB/s", "r_await", "w_await", "aqu-sz", "%util");
	json_object_foreach(json_object_get(w, "devices"), name, d)
	{
		json_t *m = json_object_get(d, "mean");
		char label[40];

		snprintf(label, sizeof(label), "%s%s", name,
			 json_array_size(json_object_get(d, "roles")) ? " *" : "");
		printf("  %-16s %9.1f %9.2f %9.1f %9.2f %8.2f %8.2f %7.2f %6.1f\n", label,
		       json_get_num(m, "r/s"), json_get_num(m, "rkB/s") * 1024 / 1e6, json_get_num(m, "w/s"),
		       json_get_num(m, "wkB/s") * 1024 / 1e6, json_get_num(m, "r_await"), json_get_num(m, "w_await"),
		       json_get_num(m, "aqu-sz"), json_get_num(m, "util"));
	}
	if (json_object_size(json_object_get(w, "net")))
		printf("  %-16s %-14s %9s %9s %9s %9s\n", "interface", "link", "rxMB/s", "txMB/s",
		       "rxpkt/s", "txpkt/s");
	json_object_foreach(json_object_get(w, "net"), name, d)
	{
		json_t *m = json_object_get(d, "mean");
		char link[48];

		/* An IP interface or an InfiniBand/RoCE port ("mlx5_0/1"), with its speed. */
		report_link_text(d, link, sizeof(link));
		printf("  %-16s %-14s %9.2f %9.2f %9.1f %9.1f\n", name, link,
		       json_get_num(m, "rx_bytes_s") / 1e6, json_get_num(m, "tx_bytes_s") / 1e6,
		       json_get_num(m, "rx_packets_s"), json_get_num(m, "tx_packets_s"));
	}
	json_object_foreach(json_object_get(w, "nfs"), name, d)
	{
		json_t *r = json_object_get(d, "read");

		printf("  nfs %s: READ %.1f ops/s, %.2f MB/s, avg RTT %.2f ms, avg exe %.2f ms\n",
		       name, json_get_num(r, "ops/s"), json_get_num(r, "kB/s") * 1024 / 1e6, json_get_num(r, "avg_rtt_ms"),
		       json_get_num(r, "avg_exe_ms"));
	}
	putchar('\n');
	fflush(stdout);
	json_decref(w);
}

static void timespec_add_s(struct timespec *t, double s)
{
	const long long ns = (long long)(s * 1e9) + t->tv_nsec;

	t->tv_sec += (time_t)(ns / 1000000000);
	t->tv_nsec = (long)(ns % 1000000000);
}

/* The series kept with --out, written as it is read; err: it could not be, and why. */
struct watch_series {
	const char *dir; /* the results folder, NULL without --out */
	char *rel;	 /* samples/watch.json */
	bool csv;
	struct sampler_series_out *out;
	int err;
	char why[PATH_MAX + 128];
};

/* The readings since the last call to the series; then let go what no one needs any more. */
static void watch_keep(struct sampler *s, struct watch_series *ws, size_t shown_from)
{
	size_t keep = shown_from;

	if (ws->dir && !ws->out && !ws->err) {
		ws->err = sampler_series_open(s, ws->dir, ws->rel, ws->csv, &ws->out, ws->why,
					      sizeof(ws->why));
		if (ws->err && ws->out) {
			sampler_series_close(ws->out, NULL, 0);
			ws->out = NULL;
		}
	} else if (ws->out) {
		ws->err = sampler_series_add(ws->out, s, ws->why, sizeof(ws->why));
		if (ws->err) {
			sampler_series_close(ws->out, NULL, 0);
			ws->out = NULL;
		}
	}
	if (ws->err && ws->out == NULL && ws->dir) {
		char *file = path_join(ws->dir, ws->rel);

		error("cannot write '%s': %s", file, ws->why);
		free(file);
		ws->dir = NULL; /* said once; the summary is still kept */
	}
	if (ws->out && sampler_series_needs(ws->out) < keep)
		keep = sampler_series_needs(ws->out);
	sampler_forget_before(s, keep);
}

/* Read every interval until stopped; show a window every DISPLAY_S (or interval). */
static void watch_loop(struct sampler *s, const struct watch_opts *o, struct watch_series *ws)
{
	const double display_s = o->interval > DISPLAY_S ? o->interval : DISPLAY_S;
	struct timespec next;
	size_t shown_from = 0;
	long shown = 0;

	clock_gettime(CLOCK_MONOTONIC, &next);
	sampler_sample(s);
	watch_keep(s, ws, shown_from);
	while (!watch_stop) {
		struct timespec now;
		int ret;

		timespec_add_s(&next, o->interval);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec ||
		    (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec))
			next = now;
		do
			ret = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		while (ret == EINTR && !watch_stop);
		if (watch_stop)
			break;
		sampler_sample(s);
		const size_t last = s->nr_snap - 1;
		const uint64_t t_last = sampler_snap(s, last)->t_ns;
		const double age = (double)(t_last - sampler_snap(s, shown_from)->t_ns) / 1e9;

		if (age >= display_s - o->interval / 2) {
			show_window(s, shown_from, last);
			shown_from = last;
		}
		watch_keep(s, ws, shown_from);
		if (shown_from == last && o->count && ++shown >= o->count)
			return;
	}
	/* Stopped between readings: one more, so the summary runs up to now. */
	sampler_sample(s);
	watch_keep(s, ws, shown_from);
}

/* results.json of the same schema as run's, with "watch" in place of runs. */
static int keep_results(struct results *res, struct watch_series *ws, json_t *summary,
			char **paths, int nr_paths, json_t *params)
{
	json_t *jpaths = json_array();
	char finished[64];
	int ret = ws->err;

	for (int i = 0; i < nr_paths; i++)
		json_array_append_new(jpaths, text_json(paths[i]));
	if (ws->out) {
		ret = sampler_series_close(ws->out, ws->why, sizeof(ws->why));
		ws->out = NULL;
		if (ret) {
			char *file = path_join(res->dir, ws->rel);

			error("cannot write '%s': %s", file, ws->why);
			free(file);
		}
	}
	json_object_set_new(summary, "samples_file", ret ? json_null() : json_string(ws->rel));
	now_rfc3339(finished, sizeof(finished));
	json_object_set_new(res->root, "params", json_incref(params));
	json_object_set_new(res->root, "watch",
			    json_pack("{s:o, s:O}", "paths", jpaths, "sampler", summary));
	json_object_set_new(res->root, "warnings", json_array());
	results_runs(res);
	json_object_set_new(res->root, "finished", json_string(finished));
	/* Without its samples file the summary is still worth keeping ("samples_file": null). */
	if (results_write(res)) {
		error("cannot write '%s': %s", res->path, strerror(-res->write_err));
		ret = res->write_err;
	}
	return ret;
}

int cmd_watch(int argc, char **argv)
{
	struct watch_opts o = {0};
	struct sampler s;
	struct watch_series ws = {0};
	struct sampler_path *paths = NULL;
	struct results res = {0};
	char **canon = NULL;
	char **args;
	char started[64];
	json_t *params = NULL;
	json_t *summary;
	int nargs = 0;
	int status = 0;
	int ret;

	options_defaults(watch_command.options, &o);
	ret = options_parse(&watch_command, argc, argv, &o, &args, &nargs);
	if (ret) {
		options_release(watch_command.options, &o);
		return ret > 0 ? 0 : 2;
	}
	canon = xcalloc((size_t)nargs, sizeof(*canon));
	paths = xcalloc((size_t)nargs, sizeof(*paths));
	for (int i = 0; i < nargs; i++) {
		canon[i] = realpath(args[i], NULL);
		if (!canon[i]) {
			error("cannot access '%s': %s", args[i], strerror(errno));
			status = 1;
			goto out;
		}
		paths[i] = (struct sampler_path){canon[i], "path"};
	}
	params = options_to_json(watch_command.options, &o);
	if (o.out) {
		char why[1024];

		ret = results_create(&res, o.out, "watch", why, sizeof(why));
		if (ret) {
			error("%s", why);
			status = 1;
			goto out;
		}
		now_rfc3339(started, sizeof(started));
		json_object_set_new(res.root, "tool", bench_tool_json());
		json_object_set_new(res.root, "started", json_string(started));
		json_object_set_new(res.root, "host", bench_host_json());
	}
	const struct sampler_config cfg = {
		.sysroot = o.sysroot,
		.interval_s = o.interval,
		.paths = paths,
		.nr_paths = (size_t)nargs,
		.running = true,
	};
	ret = sampler_init(&s, &cfg);
	if (ret) {
		error("cannot start sampling: %s", strerror(-ret));
		status = 1;
		goto out;
	}
	install_signal_handlers();
	printf("devices marked * hold a PATH; MB/s are 10^6 bytes a second (iostat -m's MB are "
	       "2^20); Ctrl-C or SIGTERM ends with a summary\n\n");
	fflush(stdout);
	if (o.out) {
		ws.csv = !strcmp(o.samples_format, "csv");
		ws.rel = xasprintf("samples/watch.%s", ws.csv ? "csv" : "json");
		ws.dir = res.dir;
	}
	watch_loop(&s, &o, &ws);
	summary = sampler_running_json(&s);
	printf("summary:\n");
	report_sampler(summary, stdout);
	if (o.out) {
		if (keep_results(&res, &ws, summary, canon, nargs, params))
			status = 1;
		else
			printf("\nresults: %s\n", res.path);
	}
	json_decref(summary);
	sampler_release(&s);
out:
	free(ws.rel);
	results_release(&res);
	json_decref(params);
	for (int i = 0; i < nargs && canon; i++)
		free(canon[i]);
	free(canon);
	free(paths);
	options_release(watch_command.options, &o);
	return status;
}
