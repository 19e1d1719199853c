/* SPDX-License-Identifier: MIT */
/* live.c - the sweep's live line: a median-based ETA and the line's text. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/live.h"
#include "analysis/stats.h"
#include "lib/util.h"

void live_eta_add(struct live_eta *e, double seconds)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 16;
		e->secs = xrealloc(e->secs, e->cap * sizeof(*e->secs));
	}
	e->secs[e->n++] = seconds;
}

double live_eta_per_run(const struct live_eta *e)
{
	double *v;
	double m;

	if (!e->n)
		return -1;
	v = xmalloc(e->n * sizeof(*v));
	memcpy(v, e->secs, e->n * sizeof(*v));
	stats_sort(v, e->n);
	m = stats_quantile_sorted(v, e->n, 0.5);
	free(v);
	return m;
}

void live_eta_release(struct live_eta *e)
{
	free(e->secs);
	memset(e, 0, sizeof(*e));
}

double live_eta_left(double per_run, size_t left, double current_elapsed)
{
	double done;

	if (per_run < 0)
		return -1;
	if (!left)
		return 0;
	done = current_elapsed < 0 ? 0 : current_elapsed;
	if (done > 0.9 * per_run)
		done = 0.9 * per_run;
	return per_run * (double)left - done;
}

char *live_line_text(const struct live_state *s, unsigned width, char *buf, size_t len)
{
	char bar[LIVE_BAR + 1];
	char rate[32] = "- MB/s";
	char eta[32] = "?";
	char nodes[32] = "";
	double frac = s->set_bytes ? (double)s->bytes / (double)s->set_bytes : 0;
	unsigned fill;

	if (!len)
		return buf;
	if (frac > 1)
		frac = 1;
	fill = (unsigned)(frac * LIVE_BAR + 0.5);
	for (unsigned i = 0; i < LIVE_BAR; i++)
		bar[i] = i < fill ? '#' : '-';
	bar[LIVE_BAR] = '\0';
	if (s->mb_s >= 0)
		snprintf(rate, sizeof(rate), "%.0f MB/s", s->mb_s);
	if (s->eta_s >= 0)
		human_duration(s->eta_s, eta, sizeof(eta));
	if (s->nodes)
		snprintf(nodes, sizeof(nodes), ", %u node%s", s->nodes, s->nodes == 1 ? "" : "s");
	snprintf(buf, len, "[%zu/%zu] %s, %u thread%s%s, repeat %u: %-15s [%s] %3.0f %% %.2f/%.2f GB "
		 "%s; %s%sETA %s", s->index, s->total, s->strategy ? s->strategy : "?",
		 s->threads, s->threads == 1 ? "" : "s", nodes, s->repeat, s->phase ? s->phase : "",
		 bar, frac * 100, (double)s->bytes / 1e9, (double)s->set_bytes / 1e9, rate,
		 s->eta_of ? s->eta_of : "", s->eta_of ? " " : "", eta);
	if (width > 1 && strlen(buf) > width - 1)
		buf[width - 1] = '\0';
	return buf;
}
