/* SPDX-License-Identifier: MIT */
/* text.c - the terminal tables of results.json and of a sampler summary, from the document. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/cells.h"
#include "analysis/confirm.h"
#include "analysis/fioref.h"
#include "analysis/run_flags.h"
#include "lib/json_get.h"
#include "lib/util.h"
#include "report/data.h"
#include "report/nodes.h"
#include "report/render.h"
#include "report/report.h"

/*
 * What the sampler saw during a run, in the table's columns: the busiest device (highest mean
 * %util) with its %util and aqu-sz, the CPUs' mean busy %, the interface that carried the most
 * bytes. "-" where the run has no sampler summary.
 */
static void sampler_columns(json_t *run, char *buf, size_t len)
{
	json_t *smp = json_object_get(run, "sampler");
	const char *net = json_string_value(json_object_get(smp, "top_interface"));
	const char *dev;
	json_t *mean = report_busiest_mean(smp, &dev);
	json_t *cpu = json_object_get(json_object_get(smp, "cpu"), "mean");
	char util[16] = "-";
	char aqu[16] = "-";
	char busy[16] = "-";

	if (json_get_has_num(mean, "util"))
		snprintf(util, sizeof(util), "%.1f", json_get_num(mean, "util"));
	if (json_get_has_num(mean, "aqu-sz"))
		snprintf(aqu, sizeof(aqu), "%.2f", json_get_num(mean, "aqu-sz"));
	if (json_get_has_num(cpu, "busy"))
		snprintf(busy, sizeof(busy), "%.1f", json_get_num(cpu, "busy"));
	snprintf(buf, len, "%-10s %6s %6s %5s %-8s", dev ? dev : "-", util, aqu, busy,
		 net ? net : "-");
}

static void print_runs(json_t *runs, FILE *f)
{
	size_t i;
	json_t *run;
	bool verified = false;

	/* --verify: a column of its own, only when a run was verified */
	json_array_foreach(runs, i, run)
		verified |= json_is_object(json_object_get(run, "verify"));
	fprintf(f,
		"%4s  %-10s %7s %6s %6s %9s %9s %9s %9s %8s %8s %8s %7s %9s  %-10s %6s %6s %5s "
		"%-8s  ",
		"run", "strategy", "threads", "repeat", "files", "GB", "copied_s", "durable_s",
		"MB/s", "files/s", "p50_ms", "p99_ms", "tail_s", "resident", "device", "%util",
		"aqu-sz", "cpu%", "iface");
	if (verified)
		fprintf(f, "%-16s  ", "verify");
	fprintf(f, "notes\n");
	json_array_foreach(runs, i, run) {
		json_t *cold = json_object_get(run, "cold");
		json_t *lat = json_object_get(run, "latency_ms");
		json_t *res = json_object_get(cold, "residency_pct");
		char resident[16] = "?";
		char notes[128] = "";
		char sampled[96];
		char verify[48];
		char threads[32];

		if (json_is_number(res))
			snprintf(resident, sizeof(resident), "%.1f%%", json_number_value(res));
		if (run_flag_role(run))	/* "warmup-not-counted " fits: a role is a short word */
			snprintf(notes, sizeof(notes), "%.24s-not-counted ", run_flag_role(run));
		if (json_is_true(json_object_get(run, "aborted")))
			strcat(notes, "aborted ");
		if (json_array_size(json_object_get(run, "errors")))
			strcat(notes, "FAILED ");
		/* A remote source's page cache is the server's: neither cold nor warm here. */
		if (run_flag_remote(run))
			strcat(notes, "remote ");
		else if (json_is_object(cold) && !json_is_number(res))
			strcat(notes, "cold-unknown ");
		else if (json_is_object(cold) && !json_is_true(json_object_get(cold, "cold")))
			strcat(notes, "not-cold ");
		if (json_array_size(json_object_get(run, "warnings")))
			strcat(notes, "warnings ");
		if (json_is_integer(json_object_get(run, "pair")))
			snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes), "pair-%lld ",
				 json_get_int(run, "pair"));
		sampler_columns(run, sampled, sizeof(sampled));
		report_verify_cell(run, verify, sizeof(verify));
		/* across nodes: threads@nodes */
		snprintf(threads, sizeof(threads), report_nodes(run) ? "%lld@%lld" : "%lld",
			 json_get_int(run, "threads"), (long long)report_nodes(run));
		fprintf(f,
			"%4lld  %-10s %7s %6lld %6lld %9.3f %9.2f %9.2f %9.1f %8.1f %8.1f %8.1f "
			"%7.2f %9s  %s  ",
			(long long)json_integer_value(json_object_get(run, "seq")),
			json_get_str(run, "strategy"), threads,
			(long long)json_integer_value(json_object_get(run, "repeat")),
			(long long)json_integer_value(json_object_get(run, "files")),
			json_get_num(run, "bytes") / 1e9, json_get_num(run, "seconds_copied"),
			json_get_num(run, "seconds_durable"), json_get_num(run, "mb_s"),
			json_get_num(run, "files_per_s"), json_get_num(lat, "p50"),
			json_get_num(lat, "p99"), json_get_num(run, "tail_s"), resident, sampled);
		if (verified)
			fprintf(f, "%-16s  ", verify);
		fprintf(f, "%s\n", notes);
	}
}

/*
 * shutil's median over cpython's at each thread count both ran: the emulation against the real
 * interpreter making the same system calls. What is between them is the interpreter's own cost.
 */
static void print_interpreter(json_t *cells, FILE *f)
{
	json_t *ratios = cells_ratios(cells, CELLS_EMULATION, CELLS_INTERPRETER);
	json_t *r;
	size_t i;

	json_array_foreach(ratios, i, r) {
		const long long threads = json_get_int(r, "threads");
		const long long jobs = json_get_int(r, "jobs");

		if (!i)
			fprintf(f, "\nemulation vs the real interpreter (" CELLS_EMULATION " MB/s over "
				CELLS_INTERPRETER " MB/s, medians):");
		fprintf(f, "%s %lld thread%s", i ? "," : "", threads, threads == 1 ? "" : "s");
		if (jobs > 1)
			fprintf(f, " x %lld jobs", jobs);
		fprintf(f, " %.2fx", json_get_num(r, "ratio"));
		if (json_get_has_num(r, "ratio_low") && json_get_has_num(r, "ratio_high"))
			fprintf(f, " (%.2f-%.2f)", json_get_num(r, "ratio_low"),
				json_get_num(r, "ratio_high"));
	}
	if (json_array_size(ratios))
		fprintf(f, "\n  Both make the system calls of shutil.copyfile (of Python 3.8-3.13); above "
			   "1 the emulation is faster, and the difference is the interpreter's own cost "
			   "(bytecode, objects, the GIL between threads), which a system call sequence "
			   "cannot show. In brackets: the ratio from the medians' intervals.\n");
	json_decref(ratios);
}

/* Per cell: median, spread and the CI of the median of mb_s, in the order cells_compute() gives. */
static void print_cells(json_t *doc, FILE *f)
{
	json_t *cells = json_object_get(doc, "cells");
	json_t *ceiling = json_object_get(json_object_get(doc, "reference"), "ceiling_mb_s");
	bool header = false;
	json_t *c;
	size_t i;

	/* A sweep stores its cells; for a run's document they are computed the same way. */
	cells = cells ? json_incref(cells) : cells_compute(doc, NULL);
	json_array_foreach(cells, i, c) {
		json_int_t jobs = json_integer_value(json_object_get(c, "jobs"));
		char threads[32];
		char ci[48];
		char flags[96] = "";
		json_t *flag;
		size_t k;

		if (json_integer_value(json_object_get(c, "runs")) == 0)
			continue;
		if (!header) {
			fprintf(f, "\n%-10s %7s %5s %12s %10s %10s %7s %-24s %14s %s %s\n",
				"strategy", "threads", "runs", "median_MB/s", "min", "max", "cv",
				"CI of the median", "copied_median",
				json_is_number(ceiling) ? "of_ceiling" : "", "flags");
			header = true;
		}
		snprintf(threads, sizeof(threads), jobs > 1 ? "%lldx%lld" : "%lld",
			 (long long)json_integer_value(json_object_get(c, "threads")),
			 (long long)jobs);
		if (report_nodes(c))	/* across nodes: threads@nodes */
			snprintf(threads + strlen(threads), sizeof(threads) - strlen(threads),
				 "@%lld", (long long)report_nodes(c));
		snprintf(ci, sizeof(ci), "%.0f-%.0f (%.0f %%)", json_get_num(c, "ci_low_mb_s"),
			 json_get_num(c, "ci_high_mb_s"), 100 * json_get_num(c, "ci_coverage"));
		json_array_foreach(json_object_get(c, "flags"), k, flag) {
			strncat(flags, json_string_value(flag), sizeof(flags) - strlen(flags) - 2);
			strcat(flags, " ");
		}
		fprintf(f, "%-10s %7s %5lld %12.1f %10.1f %10.1f %6.1f%% %-24s %14.1f ",
			json_get_str(c, "strategy"), threads,
			(long long)json_integer_value(json_object_get(c, "runs")),
			json_get_num(c, "median_mb_s"), json_get_num(c, "min_mb_s"),
			json_get_num(c, "max_mb_s"), 100 * json_get_num(c, "cv"), ci,
			json_get_num(c, "median_mb_s_copied"));
		if (json_is_number(ceiling) && json_number_value(ceiling) > 0)
			fprintf(f, "%9.0f%% ",
				100 * json_get_num(c, "median_mb_s") / json_number_value(ceiling));
		fprintf(f, " %s\n", flags);
	}
	print_interpreter(cells, f);
	json_decref(cells);
}

/* The recommendation's paired confirmation: its pairs and its verdict in one sentence. */
static void print_confirmation(json_t *doc, FILE *f)
{
	json_t *conf = json_object_get(json_object_get(doc, "recommendation"), "confirmation");
	char *text = confirm_text(conf);
	json_t *pr;
	size_t i;

	if (!text)
		return;
	if (!strcmp(json_get_str(conf, "verdict"), "skipped")) {
		fprintf(f, "\npaired confirmation: %s\n", text);
		free(text);
		return;
	}
	fprintf(f, "\npaired confirmation (%s, %lld against %lld threads, seed %lld):\n",
		json_get_str(conf, "strategy"), json_get_int(conf, "threads"),
		json_get_int(conf, "default_threads"), json_get_int(conf, "seed"));
	json_array_foreach(json_object_get(conf, "tried"), i, pr) {
		char *tried = confirm_text(pr);

		fprintf(f, "  tried first: %s\n", tried ? tried : "");
		free(tried);
	}
	fprintf(f, "  %4s  %-11s %8s %9s %8s %9s %7s\n", "pair", "first", "def_run", "def_MB/s",
		"rec_run", "rec_MB/s", "ratio");
	json_array_foreach(json_object_get(conf, "pairs"), i, pr) {
		char ratio[16] = "-";

		if (json_get_has_num(pr, "ratio"))
			snprintf(ratio, sizeof(ratio), "%.3f", json_get_num(pr, "ratio"));
		fprintf(f, "  %4lld  %-11s %8lld %9.1f %8lld %9.1f %7s%s\n",
			json_get_int(pr, "pair"),
			json_is_string(json_object_get(pr, "first")) ? json_get_str(pr, "first")
								     : "?",
			json_get_int(pr, "default_seq"), json_get_num(pr, "default_mb_s"),
			json_get_int(pr, "recommended_seq"), json_get_num(pr, "recommended_mb_s"),
			ratio, json_is_true(json_object_get(pr, "complete")) ? "" : "  incomplete");
	}
	fprintf(f, "  %s\n", text);
	free(text);
}

/* One line under a "warnings:" heading that is printed before the first line only. */
static void warning_line(FILE *f, bool *header, const char *who, const char *msg)
{
	if (!*header)
		fprintf(f, verbose_messages ? "\nwarnings (each run's):\n"
					    : "\nwarnings (each kind once, with the runs that said it):\n");
	*header = true;
	if (who && who[0])
		fprintf(f, "  - %s: %s\n", who, msg ? msg : "");
	else
		fprintf(f, "  - %s\n", msg ? msg : "");
}

/* -v: each run's own messages under key, as results.json holds them. */
static void run_lines(FILE *f, bool *header, json_t *runs, const char *key, const char *what)
{
	json_t *run;
	json_t *w;
	size_t i, j;

	json_array_foreach(runs, i, run) {
		json_t *list = !strcmp(key, "findings")
				       ? json_object_get(json_object_get(run, "sampler"), "findings")
				       : json_object_get(run, key);
		char who[64];

		snprintf(who, sizeof(who), "run %lld%s", json_get_int(run, "seq"), what);
		json_array_foreach(list, j, w)
			warning_line(f, header, who, json_string_value(w));
	}
}

/* The runs' messages under key, each kind once: "16 runs (3-18): ..."; each run's with -v. */
static void group_lines(FILE *f, bool *header, json_t *runs, const char *key, const char *what)
{
	json_t *groups;
	json_t *g;
	size_t i;

	if (verbose_messages) {
		run_lines(f, header, runs, key, what);
		return;
	}
	groups = report_run_groups(runs, key);

	json_array_foreach(groups, i, g) {
		char who[256];
		char *msg = report_group_text(g, what, who, sizeof(who));

		warning_line(f, header, who, msg);
		free(msg);
	}
	json_decref(groups);
}

/* Whether said (an array of strings, or NULL) holds w's text. */
static bool was_said(json_t *said, json_t *w)
{
	json_t *s;
	size_t i;

	json_array_foreach(said, i, s)
		if (json_equal(s, w))
			return true;
	return false;
}

static void print_warnings(json_t *doc, json_t *said, json_t *cells, FILE *f)
{
	json_t *above;
	json_t *w;
	size_t i;
	bool header = false;

	json_array_foreach(json_object_get(doc, "warnings"), i, w)
		if (!was_said(said, w))
			warning_line(f, &header, NULL, json_string_value(w));
	/* fio's (a short measurement), and the cells that beat its ceiling */
	json_array_foreach(json_object_get(json_object_get(doc, "reference"), "warnings"), i, w)
		warning_line(f, &header, NULL, json_string_value(w));
	above = fioref_above_ceiling(doc, cells);
	json_array_foreach(above, i, w)
		warning_line(f, &header, NULL, json_string_value(w));
	json_decref(above);
	group_lines(f, &header, json_object_get(doc, "runs"), "errors", " failed");
	group_lines(f, &header, json_object_get(doc, "runs"), "warnings", "");
}

/* What the sampler found in the runs ("the destination device was 98 % busy ..."), a kind once. */
static void print_findings(json_t *runs, FILE *f)
{
	json_t *groups;
	json_t *g;
	size_t i;

	if (verbose_messages) {
		bool header = false;

		/* warning_line's heading is the warnings'; findings have their own */
		json_array_foreach(runs, i, g)
			header |= json_array_size(json_object_get(json_object_get(g, "sampler"),
								  "findings")) > 0;
		if (header)
			fprintf(f, "\nwhat the devices, CPUs and network did (each run's):\n");
		run_lines(f, &header, runs, "findings", "");
		return;
	}
	groups = report_run_groups(runs, "findings");
	json_array_foreach(groups, i, g) {
		char who[256];
		char *msg = report_group_text(g, "", who, sizeof(who));

		if (!i)
			fprintf(f, "\nwhat the devices, CPUs and network did:\n");
		fprintf(f, "  - %s: %s\n", who, msg);
		free(msg);
	}
	json_decref(groups);
}

static const char *roles_text(json_t *roles, char *buf, size_t len)
{
	json_t *r;
	size_t i;
	size_t n = 0;

	buf[0] = '\0';
	json_array_foreach(roles, i, r)
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", i ? "," : "",
				      json_string_value(r));
	return buf[0] ? buf : "-";
}

void report_sampler(json_t *smp, FILE *f)
{
	json_t *cpu = json_object_get(smp, "cpu");
	json_t *mean = json_object_get(cpu, "mean");
	json_t *busiest = json_object_get(cpu, "busiest_cpu");
	const char *name;
	json_t *d;
	json_t *msg;
	size_t i;

	fprintf(f, "%.1f s, %lld readings every %g s; the sampler used %.3f %% of one CPU\n",
		json_get_num(smp, "seconds"),
		(long long)json_integer_value(json_object_get(smp, "samples")),
		json_get_num(smp, "interval_s"),
		json_get_num(json_object_get(smp, "cost"), "core_pct"));
	if (json_object_size(json_object_get(smp, "devices")))
		fprintf(f, "\n%-12s %-9s %-18s %10s %10s %9s %9s %8s %8s %8s %8s %7s %6s %7s\n",
			"device", "kind", "role", "read_MB", "written_MB", "r/s", "w/s", "rMB/s",
			"wMB/s", "r_await", "w_await", "aqu-sz", "%util", "busy90");
	json_object_foreach(json_object_get(smp, "devices"), name, d) {
		json_t *m = json_object_get(d, "mean");
		char roles[64];

		fprintf(f,
			"%-12s %-9s %-18s %10.1f %10.1f %9.1f %9.1f %8.1f %8.1f %8.2f %8.2f %7.2f "
			"%6.1f %6.1f%%\n",
			name, json_get_str(d, "kind"),
			roles_text(json_object_get(d, "roles"), roles, sizeof(roles)),
			json_get_num(d, "read_bytes") / 1e6, json_get_num(d, "write_bytes") / 1e6,
			json_get_num(m, "r/s"), json_get_num(m, "w/s"),
			json_get_num(m, "rkB/s") * 1024 / 1e6,
			json_get_num(m, "wkB/s") * 1024 / 1e6, json_get_num(m, "r_await"),
			json_get_num(m, "w_await"), json_get_num(m, "aqu-sz"),
			json_get_num(m, "util"), 100 * json_get_num(d, "busy90_share"));
	}
	if (mean)
		fprintf(f,
			"\ncpu: %.1f %% busy over %lld CPUs (user %.1f, system %.1f, iowait %.1f, "
			"irq %.1f, softirq %.1f, steal %.1f); busiest 1 s window %.1f %%",
			json_get_num(mean, "busy"),
			(long long)json_integer_value(json_object_get(cpu, "cpus")),
			json_get_num(mean, "user"), json_get_num(mean, "system"),
			json_get_num(mean, "iowait"), json_get_num(mean, "irq"),
			json_get_num(mean, "softirq"), json_get_num(mean, "steal"),
			json_get_num(cpu, "peak_busy"));
	if (mean && busiest)
		fprintf(f, "; busiest CPU cpu%lld (%.1f %% on average, %.1f %% at its peak)",
			(long long)json_integer_value(json_object_get(busiest, "cpu")),
			json_get_num(busiest, "busy"), json_get_num(busiest, "peak_busy"));
	if (mean)
		fputc('\n', f);
	if (json_object_size(json_object_get(smp, "net")))
		fprintf(f, "\n%-16s %-14s %12s %12s %10s %10s %10s %10s\n", "interface", "link",
			"rx_MB", "tx_MB", "rxMB/s", "txMB/s", "rxpkt/s", "txpkt/s");
	json_object_foreach(json_object_get(smp, "net"), name, d) {
		json_t *m = json_object_get(d, "mean");
		char link[48];

		/* The kind and speed of the link: an IP interface or an InfiniBand/RoCE port. */
		report_link_text(d, link, sizeof(link));
		fprintf(f, "%-16s %-14s %12.1f %12.1f %10.2f %10.2f %10.1f %10.1f\n", name, link,
			json_get_num(d, "rx_bytes") / 1e6, json_get_num(d, "tx_bytes") / 1e6,
			json_get_num(m, "rx_bytes_s") / 1e6, json_get_num(m, "tx_bytes_s") / 1e6,
			json_get_num(m, "rx_packets_s"), json_get_num(m, "tx_packets_s"));
	}
	json_object_foreach(json_object_get(smp, "nfs"), name, d) {
		json_t *r = json_object_get(d, "read");

		fprintf(f,
			"\nnfs %s (%s): %.1f MB read by %lld READs, %.1f kB/op, avg RTT %.2f ms, "
			"avg exe %.2f ms, %.0f retrans\n",
			name, json_get_str(d, "device"), json_get_num(d, "read_bytes") / 1e6,
			(long long)json_integer_value(json_object_get(r, "ops")),
			json_get_num(r, "kB/op"), json_get_num(r, "avg_rtt_ms"),
			json_get_num(r, "avg_exe_ms"), json_get_num(r, "retrans"));
	}
	json_array_foreach(json_object_get(smp, "findings"), i, msg) {
		if (!i)
			fprintf(f, "\nfindings:\n");
		fprintf(f, "  - %s\n", json_string_value(msg));
	}
	json_array_foreach(json_object_get(smp, "warnings"), i, msg) {
		if (!i)
			fprintf(f, "\nwarnings:\n");
		fprintf(f, "  - %s\n", json_string_value(msg));
	}
}

void report_text(json_t *doc, FILE *f)
{
	report_text_said(doc, NULL, f);
}

void report_text_said(json_t *doc, json_t *said, FILE *f)
{
	json_t *src = json_object_get(doc, "source");
	json_t *dst = json_object_get(doc, "destination");
	json_t *runs = json_object_get(doc, "runs");
	json_t *watch = json_object_get(doc, "watch");
	json_t *cells;
	char size[32];
	char verified[256];

	if (watch) {
		json_t *path;
		size_t i;

		fprintf(f, "watched:");
		json_array_foreach(json_object_get(watch, "paths"), i, path)
			fprintf(f, " %s", json_string_value(path));
		fprintf(f, "\n");
		report_sampler(json_object_get(watch, "sampler"), f);
		return;
	}
	fprintf(f, "source:      %s (%s), %lld files, %s\n", json_get_str(src, "path"),
		json_get_str(src, "fs_type"),
		(long long)json_integer_value(json_object_get(src, "files")),
		human_size((uint64_t)json_integer_value(json_object_get(src, "bytes")), size,
			   sizeof(size)));
	fprintf(f, "destination: %s (%s on %s)\n\n", json_get_str(dst, "path"),
		json_get_str(dst, "fs_type"), json_get_str(dst, "mount_source"));
	print_runs(runs, f);
	print_cells(doc, f);
	if (report_verify_summary(doc, verified, sizeof(verified)))
		fprintf(f, "\nverify: %s\n", verified);
	report_nodes_text(doc, f);
	print_confirmation(doc, f);
	fprintf(f, "\nMB/s is 10^6 bytes per second until the copies were durable (syncfs); "
		   "copied_median stops at the last close.\n");
	fprintf(f, "device: the busiest device during the run, with its mean %%util and aqu-sz "
		   "(iostat -x); cpu%%: all CPUs' busy share; iface: the interface or RDMA port "
		   "(mlx5_0/1) that moved the most bytes. %%util alone does not show saturation: "
		   "NVMe and arrays serve many requests at once.\n");
	print_findings(runs, f);
	cells = report_cells(doc);
	print_warnings(doc, said, cells, f);
	json_decref(cells);
}
