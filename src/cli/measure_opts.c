/* measure.c - what run and sweep share: measurement options, and closing a session. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cli/measure_opts.h"
#include "report/report.h"
#include "lib/util.h"

const char *const measure_reflink_choices[] = { "never", "auto", "always", NULL };
const char *const measure_samples_choices[] = { "json", "csv", NULL };

void measure_opts_apply(const struct measure_opts *m, struct bench_config *cfg)
{
	cfg->out = m->out;
	cfg->dataset_flags = m->all_files ? DATASET_ALL_FILES : 0;
	cfg->files_list = m->files_list;
	cfg->project_dir = m->project_dir;
	cfg->sample = m->sample;
	cfg->bs = (size_t)m->bs;
	cfg->qd = (unsigned)m->qd;
	cfg->inflight = (unsigned)m->inflight;
	cfg->direct = m->direct;
	cfg->reflink = !strcmp(m->reflink, "never")    ? COPY_REFLINK_NEVER
		       : !strcmp(m->reflink, "always") ? COPY_REFLINK_ALWAYS
						       : COPY_REFLINK_AUTO;
	cfg->source_url = m->source_url;
	cfg->cafile = m->cafile;
	cfg->insecure = m->insecure;
	cfg->source_timeout = m->source_timeout;
	cfg->verify = m->verify;
	cfg->require_drop = m->require_drop;
	cfg->keep = m->keep;
	cfg->drop_path = m->drop_path;
	cfg->sample_interval = m->interval;
	cfg->samples_csv = !strcmp(m->samples_format, "csv");
	cfg->sysroot = m->sysroot;
	quiet_messages = m->quiet;
}

int measure_report(struct bench *b, int status)
{
	if (b->res.root) {
		report_text(b->res.root, stdout);
		printf("\nresults: %s\n", b->res.path);
	}
	if (status > 128)
		error("interrupted by %s: the finished runs are kept in '%s'",
		      status == 128 + SIGINT ? "SIGINT" : "SIGTERM", b->res.path);
	else if (status && b->res.path)
		error("run failed; the runs measured so far are kept in '%s'", b->res.path);
	return status;
}

int measure_post(struct bench *b, const struct measure_opts *m, int status)
{
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
	ret = read_text_file(b->res.path, &text, &len);
	if (ret) {
		error("cannot post '%s': %s", b->res.path, strerror(-ret));
		return post_status(&m->post, status, ret);
	}
	ret = post_json(&m->post, text, len, "results.json", m->cafile, m->insecure);
	free(text);
	if (ret && ret != -EINTR)
		error("the results are kept in '%s'", b->res.path);
	return post_status(&m->post, status, ret);
}
