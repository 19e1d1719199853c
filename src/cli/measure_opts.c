/* measure_opts.c - what run and sweep share: measurement and strategy options, closing. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmdline.h"
#include "cli/measure_opts.h"
#include "copy/http.h"
#include "copy/strategy.h"
#include "lib/util.h"
#include "report/report.h"

const char *const measure_samples_choices[] = { "json", "csv", NULL };

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

int measure_parse(const struct opt_command *cmd, void *opts, struct measure_opts *m, int argc,
		  char **argv, char ***args, int *nargs)
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
	g = xcalloc(n + 1, sizeof(*g));
	n = strategy_groups(m, g);
	ret = options_parse_groups(cmd, opts, g, n, argc, argv, args, nargs);
	free(g);
	return ret;
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
	cfg->sample_interval = m->interval;
	cfg->samples_csv = !strcmp(m->samples_format, "csv");
	cfg->min_run_s = BENCH_MIN_RUN_S;	/* sweep's --min-run replaces it */
	cfg->sysroot = m->sysroot;
	quiet_messages = m->quiet;
	verbose_messages = m->verbose && !m->quiet;
}

int measure_report(struct bench *b, int status)
{
	char why[1024];

	/* Nothing ran (a refused resume, a strategy that cannot run here): nothing more to say. */
	if (!b->recorded && status && status < 128)
		return status;
	if (b->res.root) {
		report_text(b->res.root, stdout);
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
