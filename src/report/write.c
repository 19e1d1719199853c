/* SPDX-License-Identifier: MIT */
/* write.c - the report files of a results folder: report.md, report.html, results.csv, plots. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/safeopen.h"
#include "lib/util.h"
#include "report/data.h"
#include "report/plot.h"
#include "report/render.h"
#include "report/report.h"

/*
 * Render into dir/name through a temporary file and a rename. The temporary file is made anew
 * (safe_create_file()): a symlink planted at its name is removed, never written through.
 */
static int write_file(const char *dir, const char *name,
		      void (*render)(const struct report_ctx *, FILE *),
		      const struct report_ctx *ctx, char **path_out)
{
	char *path = path_join(dir, name);
	char *tmp_name = xasprintf("%s.tmp.%ld", name, (long)getpid());
	char *tmp = path_join(dir, tmp_name);
	int fd = safe_create_file(dir, tmp_name, NULL, 0);
	FILE *f;
	int ret = 0;

	free(tmp_name);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		goto out;
	}
	render(ctx, f);
	if (fflush(f) == EOF)
		ret = -errno;
	else if (ferror(f))
		ret = -EIO;
	if (fclose(f) == EOF && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
out:
	if (ret) {
		unlink(tmp);
		free(path);
	} else {
		*path_out = path;
	}
	free(tmp);
	return ret;
}

int report_write_all(json_t *doc, const char *dir, const char *results_dir, unsigned flags,
		     struct report_written *out)
{
	struct report_written w = { 0 };
	struct report_ctx ctx = {
		.doc = doc,
		.notes = json_array(),
	};
	int ret;

	plot_set_init(&w.plots);
	ret = mkdir_p(dir);
	if (ret)
		goto out;
	ctx.cells = report_cells(doc);
	ctx.samples = report_load_samples(doc, results_dir ? results_dir : dir, ctx.notes);
	if (!(flags & REPORT_NO_PLOTS)) {
		plot_write(doc, ctx.cells, ctx.samples, dir, &w.plots);
		ctx.plots = &w.plots;
	}
	ret = write_file(dir, "report.md", report_md, &ctx, &w.md);
	if (!ret)
		ret = write_file(dir, "report.html", report_html, &ctx, &w.html);
	if (!ret)
		ret = write_file(dir, "results.csv", report_csv, &ctx, &w.csv);
out:
	json_decref(ctx.cells);
	json_decref(ctx.samples);
	json_decref(ctx.notes);
	if (out)
		*out = w;
	else
		report_written_release(&w);
	return ret;
}

void report_written_release(struct report_written *w)
{
	free(w->md);
	free(w->html);
	free(w->csv);
	plot_set_release(&w->plots);
	memset(w, 0, sizeof(*w));
}
