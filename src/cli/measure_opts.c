/* SPDX-License-Identifier: MIT */
/* measure_opts.c - what run and sweep share: measurement and strategy options, closing. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cmdline.h"
#include "cli/measure_opts.h"
#include "copy/http.h"
#include "copy/strategy.h"
#include "lib/json_get.h"
#include "lib/url.h"
#include "lib/util.h"
#include "report/report.h"

const char *const measure_samples_choices[] = { "json", "csv", NULL };
const char *const measure_drop_choices[] = { "all", "files", NULL };
const char *const measure_output_formats[] = { "normal", "json", NULL };

/*
 * Up to one group a strategy: those that have options, titled by name (a stand-in's title says
 * that this build cannot run it, though its options are accepted as in a full build).
 */
static size_t strategy_groups(const struct measure_opts *m, struct opt_group *g)
{
	const struct copy_strategy *s;
	size_t n = 0;

	for (size_t i = 0; (s = strategy_at(i)); i++)
		if (m->eo[i])
			g[n++] = (struct opt_group){ s->name, s->options, m->eo[i],
						     s->missing ? "not in this build" : NULL };
	return n;
}

/* The options a results.json's params recorded, over the defaults: 0, or -EINVAL (said). */
static int apply_recorded(const struct opt_command *cmd, void *opts, struct measure_opts *m,
			  json_t *recorded)
{
	const struct copy_strategy *s;
	char why[256];
	int ret = options_from_json(cmd->options, opts, recorded, why, sizeof(why));

	for (size_t i = 0; !ret && (s = strategy_at(i)); i++)
		if (m->eo[i])
			ret = options_from_json(s->options, m->eo[i], recorded, why, sizeof(why));
	if (ret)
		error("%s: the options recorded in " RESULTS_FILE " cannot be used: params.%s",
		      cmd->name, why);
	return ret;
}

/*
 * A URL recorded without its credentials (--source-url with a password or a token) is not taken
 * from results.json: the command line must give it again. 0, or -EINVAL (said).
 */
static int recorded_urls_given(const struct opt_command *cmd, const void *opts,
			       const struct measure_opts *m, json_t *recorded)
{
	const struct opt_def *def;
	const struct copy_strategy *s;
	const char *shown = NULL;

	def = options_url_unrecorded(cmd->options, opts, recorded, &shown);
	for (size_t i = 0; !def && (s = strategy_at(i)); i++)
		if (m->eo[i])
			def = options_url_unrecorded(s->options, m->eo[i], recorded, &shown);
	if (!def)
		return 0;
	error("%s: " RESULTS_FILE " records --%s as '%s', without its user information and query "
	      "values: give --%s URL again to continue", cmd->name, def->name, shown, def->name);
	return -EINVAL;
}

int measure_parse(const struct opt_command *cmd, void *opts, struct measure_opts *m,
		  json_t *recorded, int argc, char **argv, char ***args, int *nargs)
{
	struct opt_group *g;
	const struct copy_strategy *s;
	size_t n = 0;
	int ret;

	while (strategy_at(n))
		n++;
	m->eo = xcalloc(n + 1, sizeof(*m->eo));
	for (size_t i = 0; (s = strategy_at(i)); i++) {
		if (!s->options)
			continue;
		m->eo[i] = xcalloc(1, s->option_struct_size);
		options_defaults(s->options, m->eo[i]);
	}
	options_defaults(cmd->options, opts);
	if (recorded && apply_recorded(cmd, opts, m, recorded))
		return -EINVAL;
	g = xcalloc(n + 1, sizeof(*g));
	n = strategy_groups(m, g);
	ret = options_parse_groups(cmd, opts, g, n, argc, argv, args, nargs);
	free(g);
	return ret || !recorded ? ret : recorded_urls_given(cmd, opts, m, recorded);
}

json_t *measure_params(const struct opt_command *cmd, const void *opts,
		       const struct measure_opts *m)
{
	json_t *params = options_to_json(cmd->options, opts);
	const struct copy_strategy *s;

	for (size_t i = 0; (s = strategy_at(i)); i++) {
		if (m->eo[i]) {
			json_t *o = options_to_json(s->options, m->eo[i]);

			json_object_update(params, o);
			json_decref(o);
		}
	}
	return params;
}

void measure_release(const struct opt_command *cmd, void *opts, struct measure_opts *m)
{
	const struct copy_strategy *s;

	for (size_t i = 0; m->eo && (s = strategy_at(i)); i++) {
		if (m->eo[i])
			options_release(s->options, m->eo[i]);
		free(m->eo[i]);
	}
	free(m->eo);
	m->eo = NULL;
	options_release(cmd->options, opts);
}

bool measure_url_has_secret(const struct measure_opts *m)
{
	const struct copy_strategy *s;

	for (size_t i = 0; (s = strategy_at(i)); i++) {
		for (const struct opt_def *def = s->options; m->eo[i] && def && def->name; def++) {
			const char *v = (def->flags & OPT_URL) && def->type == OPT_STRING
						? *(char *const *)((const char *)m->eo[i] + def->offset)
						: NULL;

			if (v && url_has_secret(v))
				return true;
		}
	}
	return false;
}

/* The http strategy's options (--source-url, --cafile, --insecure), or NULL in a build without. */
static const struct http_opts *http_opts(const struct measure_opts *m)
{
	return strategy_http.missing ? NULL : m->eo[strategy_index(&strategy_http)];
}

void measure_opts_apply(const struct measure_opts *m, struct bench_config *cfg)
{
	const struct http_opts *http = http_opts(m);

	cfg->out = m->out;
	cfg->dataset_flags = (m->all_files ? DATASET_ALL_FILES : 0) |
			     (m->follow_links ? DATASET_FOLLOW_LINKS : 0) |
			     (m->check_all ? DATASET_CHECK_ALL : 0);
	cfg->files_list = m->files_list;
	cfg->project_dir = m->project_dir;
	cfg->sample = m->sample;
	cfg->bs = (size_t)m->bs;
	cfg->eo = (const void *const *)m->eo;
	cfg->source_url = http ? http->source_url : NULL;
	cfg->insecure = http && http->insecure;
	cfg->verify = m->verify;
	cfg->require_drop = m->require_drop;
	cfg->keep = m->keep;
	cfg->drop_path = m->drop_path;
	cfg->drop_files = !strcmp(m->drop, "files");
	cfg->sample_interval = m->interval;
	cfg->samples_csv = !strcmp(m->samples_format, "csv");
	cfg->min_run_s = BENCH_MIN_RUN_S;	/* sweep's --min-run replaces it */
	cfg->sysroot = m->sysroot;
	quiet_messages = m->quiet;
	verbose_messages = m->verbose && !m->quiet;
}

bool measure_json_output(const struct measure_opts *m)
{
	return m->output_format && !strcmp(m->output_format, "json");
}

int measure_print_results(const struct bench *b)
{
	char *text = NULL;
	size_t len = 0;
	int ret = b->res.path ? read_text_file(b->res.path, &text, &len) : -ENOENT;

	if (ret) {
		error("cannot read '%s': %s", b->res.path ? b->res.path : RESULTS_FILE,
		      strerror(-ret));
		return 1;
	}
	fwrite(text, 1, len, stdout);
	if (len && text[len - 1] != '\n')
		putchar('\n');
	free(text);
	if (fflush(stdout)) {
		error("cannot write the results to stdout: %s", strerror(errno));
		return 1;
	}
	return 0;
}

int measure_report(struct bench *b, const struct measure_opts *m, int status)
{
	char why[1024];

	/* Nothing ran (a refused resume, a strategy that cannot run here): nothing more to say. */
	if (!b->recorded && status && status < 128)
		return status;
	if (b->res.root && measure_json_output(m)) {
		if (measure_print_results(b) && !status)
			status = 1;
	} else if (b->res.root) {
		report_text_said(b->res.root, measure_tty_said(b), stdout);
		if (b->res.write_err)
			printf("\nresults: %s (not up to date: it holds %zu of the %zu runs above)\n",
			       b->res.path, b->res.written_runs,
			       json_array_size(json_object_get(b->res.root, "runs")));
		else
			printf("\nresults: %s\n", b->res.path);
	}
	if (b->res.root && b->res.write_err) {
		/* Not "run failed": the runs may have gone well, their record did not. */
		results_write_why(&b->res, why, sizeof(why));
		error("%s", why);
		return status ? status : 1;
	}
	if (status > 128)
		error("interrupted by %s: the finished runs are kept in '%s'",
		      status == 128 + SIGINT ? "SIGINT" : "SIGTERM", b->res.path);
	else if (status && b->res.path &&
		 json_array_size(json_object_get(b->res.root, "runs")) > b->runs_at_begin)
		error("run failed; the runs measured so far are kept in '%s'", b->res.path);
	return status;
}

json_t *measure_dry_run_new(const struct bench *b, const char *command)
{
	return json_pack("{s:b, s:s, s:{s:s, s:I, s:I}, s:s, s:[]}", "dry_run", 1, "command",
			 command, "source", "path", b->src, "files", (json_int_t)b->ds.nr, "bytes",
			 (json_int_t)b->ds.bytes, "destination", b->dst, "warnings");
}

/* Bytes for a person, in decimal units as the rates are: 43.8 MB, 1.60 GB. */
static const char *bytes_text(double bytes, char *buf, size_t len)
{
	if (bytes >= 1e9)
		snprintf(buf, len, "%.2f GB", bytes / 1e9);
	else
		snprintf(buf, len, "%.1f MB", bytes / 1e6);
	return buf;
}

void measure_dry_run_check_length(json_t *doc, const struct bench *b,
				  const struct bench_rate *fastest, double min_run_s)
{
	const unsigned jobs = b->cfg.jobs ? b->cfg.jobs : 1;
	const double copy_s = (double)b->ds.bytes * jobs / fastest->bytes_s;
	char b1[32], b2[32];
	char *msg;

	if (min_run_s <= 0 || copy_s >= min_run_s)
		return;
	msg = xasprintf("runs of this %s set would last about %.2f s at %.0f MB/s (%s at %u "
			"thread%s), under the minimum of %g s: their numbers would be mostly noise; "
			"use a set of at least %s", bytes_text((double)b->ds.bytes, b1, sizeof(b1)),
			copy_s, fastest->bytes_s / 1e6, fastest->strategy->name, fastest->threads,
			fastest->threads == 1 ? "" : "s", min_run_s,
			bytes_text((double)b->ds.bytes * min_run_s / copy_s, b2, sizeof(b2)));
	json_array_append_new(json_object_get(doc, "warnings"), json_string(msg));
	free(msg);
}

json_t *measure_rate_json(const struct bench_rate *r)
{
	return json_pack("{s:s, s:i, s:I, s:I, s:f, s:f, s:f}", "strategy", r->strategy->name,
			 "threads", (int)r->threads, "files", (json_int_t)r->files, "bytes",
			 (json_int_t)r->bytes, "seconds_durable", r->seconds, "mb_s",
			 r->bytes_s / 1e6, "seconds_per_run_overhead", r->overhead);
}

static void print_probes(json_t *probes)
{
	json_t *p;
	size_t i;
	double overhead = 0;

	printf("%-10s", json_array_size(probes) == 1 ? "probe:" : "probes:");
	json_array_foreach(probes, i, p) {
		const json_int_t threads = json_get_int(p, "threads");

		char b1[32];

		printf("%s%s at %lld thread%s copied %s at %.0f MB/s", i ? "; " : "",
		       json_get_str(p, "strategy"), (long long)threads, threads == 1 ? "" : "s",
		       bytes_text((double)json_get_int(p, "bytes"), b1, sizeof(b1)),
		       json_get_num(p, "mb_s"));
		overhead += json_get_num(p, "seconds_per_run_overhead");
	}
	if (json_array_size(probes))
		printf("; %.2f s a run around the copy (cleaning, dropping caches, settling)\n",
		       overhead / (double)json_array_size(probes));
}

int measure_dry_run_print(json_t *doc, const struct measure_opts *m)
{
	json_t *src = json_object_get(doc, "source");
	json_t *runs = json_object_get(doc, "runs");
	json_t *est = json_object_get(doc, "estimate");
	json_t *probes = json_object_get(doc, "probes");
	const size_t nprobes = json_array_size(probes);
	char d1[32], d2[32], d3[32], size[32];
	size_t i;
	json_t *w;

	if (measure_json_output(m)) {
		if (json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
						JSON_REAL_PRECISION(10)))
			return 1;
		putchar('\n');
		return fflush(stdout) ? 1 : 0;
	}
	printf("dry run: nothing was measured or written; %s%zu unrecorded probe run%s of about "
	       "%s of the set estimated the time\n",
	       json_is_true(json_object_get(doc, "budget_probes")) ? "--budget's " : "", nprobes,
	       nprobes == 1 ? "" : "s", human_size(BENCH_PROBE_BYTES, size, sizeof(size)));
	printf("set:      %lld files, %s in '%s', copied into '%s'\n",
	       (long long)json_get_int(src, "files"),
	       bytes_text((double)json_get_int(src, "bytes"), d1, sizeof(d1)),
	       json_get_str(src, "path"), json_get_str(doc, "destination"));
	printf("plan:     %s\n", json_get_str(json_object_get(doc, "plan"), "text"));
	printf("runs:     %s\n", json_get_str(runs, "text"));
	print_probes(probes);
	printf("estimate: about %s a run; %lld runs, about %s",
	       human_seconds(json_get_num(est, "seconds_per_run"), d1, sizeof(d1)),
	       (long long)json_get_int(runs, "total"),
	       human_seconds(json_get_num(est, "seconds"), d2, sizeof(d2)));
	if (json_get_num(est, "seconds_with_confirmation") > json_get_num(est, "seconds"))
		printf(" (about %s with the whole confirmation)",
		       human_seconds(json_get_num(est, "seconds_with_confirmation"), d3, sizeof(d3)));
	printf("\n");
	json_array_foreach(json_object_get(doc, "warnings"), i, w)
		printf("warning:  %s\n", json_string_value(w));
	return fflush(stdout) ? 1 : 0;
}

int measure_post(struct bench *b, const struct measure_opts *m, int status)
{
	const struct http_opts *http = http_opts(m);
	char *text = NULL;
	size_t len = 0;
	int ret;

	if (!m->post.url || !b->res.path)
		return status;
	fflush(stdout);
	if (status > 128) {
		info("interrupted: the results are not posted");
		return status;
	}
	if (b->res.write_err) {
		info("the results are not posted: '%s' could not be written whole", b->res.path);
		return status ? status : 1;
	}
	ret = read_text_file(b->res.path, &text, &len);
	if (ret) {
		error("cannot post '%s': %s", b->res.path, strerror(-ret));
		return post_status(&m->post, status, ret);
	}
	ret = post_json(&m->post, text, len, "results.json", http ? http->cafile : NULL,
			http && http->insecure);
	free(text);
	if (ret && ret != -EINTR)
		error("the results are kept in '%s'", b->res.path);
	return post_status(&m->post, status, ret);
}

json_t *measure_tty_said(const struct bench *b)
{
	struct stat out, err;

	if (!isatty(STDOUT_FILENO) || !isatty(STDERR_FILENO) || fstat(STDOUT_FILENO, &out) ||
	    fstat(STDERR_FILENO, &err) || out.st_rdev != err.st_rdev)
		return NULL;
	return b->res.said;
}
