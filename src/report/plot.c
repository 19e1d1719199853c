/* SPDX-License-Identifier: MIT */
/* plot.c - gnuplot images of a results folder: data files, then the installed scripts. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/json_get.h"
#include "lib/datadir.h"
#include "lib/safeopen.h"
#include "lib/util.h"
#include "report/data.h"
#include "report/plot.h"

#define PLOT_LOG "gnuplot.log"

void plot_set_init(struct plot_set *ps)
{
	memset(ps, 0, sizeof(*ps));
}

void plot_set_release(struct plot_set *ps)
{
	for (size_t i = 0; i < ps->nr_files; i++)
		free(ps->files[i]);
	free(ps->files);
	free(ps->skipped);
	memset(ps, 0, sizeof(*ps));
}

void plot_set_skip(struct plot_set *ps, const char *why)
{
	if (ps->skipped)
		return;		/* the first reason is the one to fix */
	ps->skipped = xstrdup(why);
}

const char *plot_howto(const struct plot_set *ps)
{
	return ps->no_gnuplot ? PLOT_HOWTO : PLOT_HOWTO_AGAIN;
}

/*
 * Where the images are made: a folder of our own, plots/.gnuplot.<pid>.<n> (mode 0700, made
 * with mkdirat, so nobody else's files are in it), reached only through its descriptor, so that
 * neither we nor gnuplot ever write through a symlink someone put in plots/. Each file is moved
 * into plots/ (renameat: a symlink there is replaced, not followed) once it is complete.
 */
struct plot_work {
	int pfd;       /* plots/, opened without following a symlink */
	int wfd;       /* the work folder */
	char name[64]; /* its name in plots/ */
};

static int work_open(struct plot_work *w, const char *dir, char *why, size_t len)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char wwhy[PATH_MAX];

	w->pfd = w->wfd = -1;
	if (dfd < 0)
		return fail_why(why, len, -errno, "cannot open '%s': %s", dir, strerror(errno));
	w->pfd = safe_open_dir_at(dfd, PLOT_DIR, SAFE_MKDIR, wwhy, sizeof(wwhy));
	close(dfd);
	if (w->pfd < 0)
		return fail_why(why, len, w->pfd, "cannot make '%s/" PLOT_DIR "': %s", dir, wwhy);
	for (unsigned n = 0; n < 1000 && w->wfd < 0; n++) {
		snprintf(w->name, sizeof(w->name), ".gnuplot.%ld.%u", (long)getpid(), n);
		if (mkdirat(w->pfd, w->name, 0700) < 0) {
			if (errno == EEXIST)
				continue;
			break;
		}
		w->wfd = openat(w->pfd, w->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (w->wfd < 0)
		return fail_why(why, len, -errno, "cannot make a folder in '%s/" PLOT_DIR "': %s",
				dir, strerror(errno));
	/* The log of an earlier report would be mistaken for this one's. */
	unlinkat(w->pfd, PLOT_LOG, 0);
	return 0;
}

/* Move name from the work folder into plots/; false when it is not there or cannot be moved. */
static bool work_move(const struct plot_work *w, const char *name)
{
	struct stat st;

	if (fstatat(w->wfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return false;
	if (renameat(w->wfd, name, w->pfd, name) == 0)
		return true;
	unlinkat(w->wfd, name, 0);
	return false;
}

/* Whatever is left in the work folder moved into plots/ (an empty log removed), then it goes. */
static void work_close(struct plot_work *w)
{
	int fd = w->wfd >= 0 ? fcntl(w->wfd, F_DUPFD_CLOEXEC, 0) : -1;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d && fd >= 0)
		close(fd);
	while (d && (e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!strcmp(e->d_name, PLOT_LOG) &&
		    fstatat(w->wfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_size == 0)
			unlinkat(w->wfd, e->d_name, 0);
		else if (!work_move(w, e->d_name))
			unlinkat(w->wfd, e->d_name, 0);
	}
	if (d)
		closedir(d);
	if (w->wfd >= 0) {
		close(w->wfd);
		unlinkat(w->pfd, w->name, AT_REMOVEDIR);
	}
	if (w->pfd >= 0)
		close(w->pfd);
	w->pfd = w->wfd = -1;
}

/* An image gnuplot made, moved into plots/ and listed (when it is there and not empty). */
static void add_file(struct plot_set *ps, const struct plot_work *w, const char *name)
{
	struct stat st;

	if (fstatat(w->wfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_size == 0 ||
	    !work_move(w, name))
		return;
	ps->files = xrealloc(ps->files, (ps->nr_files + 1) * sizeof(*ps->files));
	ps->files[ps->nr_files++] = xasprintf(PLOT_DIR "/%s", name);
}

/* A data file name in the work folder, for writing (made anew there). */
static FILE *work_create(const struct plot_work *w, const char *name)
{
	const int fd = safe_create_at(w->wfd, name, NULL, 0);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (fd >= 0 && !f)
		close(fd);
	return f;
}

/* $CCB_GNUPLOT, or gnuplot on PATH, into *out; -ENOENT with why set when there is none to run. */
static int find_gnuplot(char **out, char *why, size_t len)
{
	const char *env = getenv("CCB_GNUPLOT");
	const char *path = getenv("PATH");
	char *copy;
	char *save = NULL;
	char *found = NULL;

	if (env && *env) {
		if (access(env, X_OK) == 0) {
			*out = xstrdup(env);
			return 0;
		}
		snprintf(why, len, "gnuplot '%s' (CCB_GNUPLOT) cannot be run: %s", env,
			 strerror(errno));
		return -ENOENT;
	}
	copy = xstrdup(path ? path : "/usr/bin:/bin");
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *candidate = path_join(*d ? d : ".", "gnuplot");
		struct stat st;

		if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(candidate, X_OK) == 0)
			found = candidate;
		else
			free(candidate);
	}
	free(copy);
	*out = found;
	if (!found) {
		snprintf(why, len, "gnuplot was not found on PATH");
		return -ENOENT;
	}
	return 0;
}

/*
 * The folder of the installed scripts, absolute (gnuplot runs in the plots folder), into *out;
 * -ENOENT with why set when they are not there.
 */
static int find_scripts(char **out, char *why, size_t len)
{
	char *gp = datadir_find("CCB_REPORTS_DIR", "reports", "throughput.gp", why, len);
	char *slash = gp ? strrchr(gp, '/') : NULL;

	if (slash)
		*slash = '\0';
	*out = gp;
	return gp ? 0 : -ENOENT;
}

/*
 * gnuplot -e SETTINGS SCRIPT in the work folder, its messages appended to gnuplot.log there.
 * Returns 0, or -ECHILD with why set when it did not exit 0.
 */
static int run_gnuplot(const char *gnuplot, int workfd, const char *settings, const char *script,
		       char *why, size_t len)
{
	char *const argv[] = { (char *)gnuplot, (char *)"-e", (char *)settings, (char *)script,
			       NULL };
	int status;
	int ret;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		snprintf(why, len, "cannot start gnuplot: %s", strerror(-ret));
		return ret;
	}
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
		int log;

		if (fchdir(workfd) < 0)
			_exit(126);
		log = open(PLOT_LOG, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (in < 0 || log < 0 || dup2(in, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
			_exit(126);
		execv(gnuplot, argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			ret = -errno;
			snprintf(why, len, "cannot wait for gnuplot: %s", strerror(-ret));
			return ret;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(why, len, "gnuplot failed on %s (exit status %d; its messages are in "
			 PLOT_DIR "/" PLOT_LOG ")", strrchr(script, '/') + 1, WEXITSTATUS(status));
	else
		snprintf(why, len, "gnuplot was killed by signal %d on %s", WTERMSIG(status),
			 strrchr(script, '/') + 1);
	return -ECHILD;
}

/* A string from the JSON inside a gnuplot single-quoted string: ' is written twice. */
static void gp_string(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		if (*s != '\n' && *s != '\r')
			fputc(*s, f);
	}
	fputc('\'', f);
}

static void put_value(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.6g", v);
	else
		fputs(" ?", f);
}

/* A column or block name in gnuplot's double quotes. */
static void put_name(FILE *f, const char *name, const char *suffix)
{
	fputs(" \"", f);
	for (const char *p = name; *p; p++)
		if (*p != '"' && *p != '\\' && *p != '\n' && *p != '\r')
			fputc(*p, f);
	fprintf(f, "%s\"", suffix);
}

/* How many (strategy, jobs) series cells has: the lines of the throughput chart. */
static size_t count_series(json_t *cells)
{
	size_t n = 0;
	json_t *cell;
	size_t i;

	json_array_foreach(cells, i, cell) {
		bool first = true;

		for (size_t j = 0; j < i; j++)
			first &= !report_same_series(json_array_get(cells, j), cell);
		n += first;
	}
	return n;
}

/*
 * Where series k of n is drawn at thread count t: beside the others, as report.html dodges them,
 * by a fixed share of the axis (a factor on a log2 axis) so their bars do not overlap.
 */
static double dodged(double t, size_t k, size_t n, const struct report_threads *tv)
{
	const double shift = ((double)k - (double)(n - 1) / 2) * 0.02;

	if (tv->log2)
		return t * pow(2, shift * fmax(1, log2(tv->max / tv->min)));
	return t + shift * fmax(1, tv->max - tv->min);
}

/*
 * throughput.dat: a block per (strategy, jobs), two blank lines apart, each starting with its
 * name in quotes (gnuplot's columnheader), then threads, where the series is drawn (dodged),
 * median, low and high of the bar.
 */
static int write_throughput_data(json_t *cells, const struct plot_work *w,
				 const struct report_threads *tv, size_t *nr_series,
				 bool *have_ci)
{
	FILE *f = work_create(w, "throughput.dat");
	size_t n = json_array_size(cells);
	bool *done = xcalloc(n ? n : 1, sizeof(bool));
	const size_t total = count_series(cells);
	int ret = 0;

	if (!f) {
		free(done);
		return -errno;
	}
	*nr_series = 0;
	*have_ci = false;
	fputs("# threads x median_mb_s low_mb_s high_mb_s (x: where the series is drawn; low and "
	      "high: the median's interval, or min and max)\n", f);
	for (size_t i = 0; i < n; i++) {
		json_t *first = json_array_get(cells, i);
		const char *strategy = json_string_value(json_object_get(first, "strategy"));
		char *name;

		if (done[i] || !strategy)
			continue;
		name = report_jobs(first) != 1
			       ? xasprintf("%s, %lld jobs", strategy, (long long)report_jobs(first))
			       : xstrdup(strategy);
		if (report_nodes(first)) {
			char *with = xasprintf("%s, %lld nodes", name, (long long)report_nodes(first));

			free(name);
			name = with;
		}
		fputs(*nr_series ? "\n\n" : "", f);
		put_name(f, name, "");
		fputs(" \"x\" \"median\" \"low\" \"high\"\n", f);
		free(name);
		for (size_t j = i; j < n; j++) {
			json_t *cell = json_array_get(cells, j);
			json_t *lo = json_object_get(cell, "ci_low_mb_s");
			json_t *hi = json_object_get(cell, "ci_high_mb_s");

			if (!report_same_series(cell, first))
				continue;
			done[j] = true;
			if (json_is_number(lo))
				*have_ci = true;
			else {
				lo = json_object_get(cell, "min_mb_s");
				hi = json_object_get(cell, "max_mb_s");
			}
			fprintf(f, "%lld",
				(long long)json_integer_value(json_object_get(cell, "threads")));
			put_value(f, dodged((double)json_integer_value(json_object_get(cell,
										     "threads")),
					    *nr_series, total, tv));
			put_value(f,
				  json_get_has_num(cell, "median_mb_s")
					  ? json_number_value(json_object_get(cell, "median_mb_s"))
					  : NAN);
			put_value(f, json_is_number(lo) ? json_number_value(lo) : NAN);
			put_value(f, json_is_number(hi) ? json_number_value(hi) : NAN);
			fputc('\n', f);
		}
		(*nr_series)++;
	}
	if (ferror(f))
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	free(done);
	return ret;
}

/* run-<seq>.dat: t_s, the MB/s lines, then the % lines, with a header of their names. */
static int write_series_data(const struct report_series *s, const struct plot_work *w,
			     const char *name)
{
	FILE *f = work_create(w, name);
	int ret = 0;

	if (!f)
		return -errno;
	fputs("\"t_s\"", f);
	for (size_t k = 0; k < s->nr_mbs; k++)
		put_name(f, s->mbs[k].label, " MB/s");
	for (size_t k = 0; k < s->nr_pct; k++)
		put_name(f, s->pct[k].label, "");
	fputc('\n', f);
	for (size_t i = 0; i < s->n; i++) {
		put_value(f, s->t[i]);
		for (size_t k = 0; k < s->nr_mbs; k++)
			put_value(f, s->mbs[k].v[i]);
		for (size_t k = 0; k < s->nr_pct; k++)
			put_value(f, s->pct[k].v[i]);
		fputc('\n', f);
	}
	if (ferror(f))
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static char *settings_text(void (*fill)(FILE *, void *), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	fill(f, arg);
	fclose(f);
	return buf;
}

struct throughput_args {
	json_t *doc;
	size_t nr_series;
	bool have_ci;
	struct report_threads tv;
};

static void throughput_settings(FILE *f, void *arg)
{
	struct throughput_args *a = arg;
	json_t *rec = json_object_get(a->doc, "recommendation");
	json_t *ref = json_object_get(json_object_get(a->doc, "reference"), "ceiling_mb_s");
	json_t *t = json_object_get(rec, "threads");
	json_t *d = json_object_get(rec, "default_threads");

	fprintf(f,
		"data='throughput.dat'; out='throughput'; nseries=%zu; logx=%d; ci=%d; "
		"rec=%lld; def=%lld; ceiling=",
		a->nr_series, a->tv.log2, a->have_ci,
		/* Confidence "none" keeps the default: no line of its own. */
		json_is_integer(t) && strcmp(json_get_str(rec, "confidence"), "none")
			? (long long)json_integer_value(t)
			: 0LL,
		json_is_integer(d) ? (long long)json_integer_value(d) : 0LL);
	if (json_is_number(ref))
		fprintf(f, "%.6g", json_number_value(ref));
	else
		fputs("0", f);
	fputs("; name=", f);
	gp_string(f, json_get_str(json_object_get(a->doc, "host"), "hostname"));
	/* a tick at every thread count measured, as report.html has */
	fputs("; tics='", f);
	for (size_t i = 0; i < a->tv.n; i++)
		fprintf(f, "%s%lld", i ? " " : "", a->tv.v[i]);
	fputc('\'', f);
}

struct series_args {
	const struct report_series *s;
	const char *base;
	const char *title;
	double ymax;
};

static void series_settings(FILE *f, void *arg)
{
	struct series_args *a = arg;

	fprintf(f, "data='%s.dat'; out='%s'; nmbs=%zu; npct=%zu; ymax=%.6g; tcopied=%.6g; name=",
		a->base, a->base, a->s->nr_mbs, a->s->nr_pct, a->ymax,
		isfinite(a->s->t_copied) ? a->s->t_copied : -1.0);
	gp_string(f, a->title);
}

/* What every image of one plot_write needs. */
struct plotter {
	const char *gnuplot;
	const struct plot_work *w;
	char *script;
	struct plot_set *ps;
	char *why;		/* the caller's buffer for the reason of a failure */
	size_t why_len;
	double ymax;		/* of every run's MB/s panel: one scale for all (0: each its own) */
};

/*
 * base.dat and base.{svg,png} from o's series (o: a run, or a watch object), titled title. 0
 * also when there is no series to draw; else -errno with p->why set.
 */
static int plot_series(struct plotter *p, json_t *o, json_t *samples, const char *base,
		       const char *title)
{
	struct report_series s;
	struct series_args sa = { .s = &s, .base = base, .title = title, .ymax = p->ymax };
	char *name;
	char *settings;
	int ret;

	if (report_series_init(&s, o, samples))
		return 0;
	name = xasprintf("%s.dat", base);
	ret = write_series_data(&s, p->w, name);
	if (ret) {
		snprintf(p->why, p->why_len, "cannot write '" PLOT_DIR "/%s': %s", name,
			 strerror(-ret));
	} else {
		settings = settings_text(series_settings, &sa);
		ret = run_gnuplot(p->gnuplot, p->w->wfd, settings, p->script, p->why, p->why_len);
		free(settings);
	}
	if (!ret) {
		work_move(p->w, name);
		free(name);
		name = xasprintf("%s.svg", base);
		add_file(p->ps, p->w, name);
		free(name);
		name = xasprintf("%s.png", base);
		add_file(p->ps, p->w, name);
	}
	free(name);
	report_series_release(&s);
	return ret;
}

/* The top of every run's MB/s axis: a grid line at or above the highest reading, as the HTML's. */
static double runs_ymax(json_t *doc, json_t *samples)
{
	const double max = report_series_max_mbs(doc, samples);
	double step;

	if (!(max > 0))
		return 0;
	step = report_nice_step(max, 4);
	return ceil(max / step) * step;
}

int plot_write(json_t *doc, json_t *cells, json_t *samples, const char *dir, struct plot_set *ps)
{
	char why[PATH_MAX + 256] = "";
	char *gnuplot = NULL;
	char *scripts = NULL;
	char *script = NULL;
	char *settings = NULL;
	struct throughput_args ta = { .doc = doc };
	struct plot_work w = { .pfd = -1, .wfd = -1 };
	struct plotter pl;
	json_t *run;
	size_t i;
	int ret;

	ret = find_gnuplot(&gnuplot, why, sizeof(why));
	if (ret) {
		ps->no_gnuplot = !ps->skipped;
		goto out;
	}
	ret = find_scripts(&scripts, why, sizeof(why));
	if (ret)
		goto out;
	ret = work_open(&w, dir, why, sizeof(why));
	if (ret)
		goto out;
	report_threads_init(&ta.tv, cells);
	ret = write_throughput_data(cells, &w, &ta.tv, &ta.nr_series, &ta.have_ci);
	if (ret) {
		snprintf(why, sizeof(why), "cannot write '%s/" PLOT_DIR "/throughput.dat': %s", dir,
			 strerror(-ret));
		goto out;
	}
	if (ta.nr_series) {
		settings = settings_text(throughput_settings, &ta);
		script = path_join(scripts, "throughput.gp");
		ret = run_gnuplot(gnuplot, w.wfd, settings, script, why, sizeof(why));
		if (ret)
			goto out;
		add_file(ps, &w, "throughput.svg");
		add_file(ps, &w, "throughput.png");
	}

	pl = (struct plotter){ gnuplot, &w, path_join(scripts, "timeseries.gp"), ps, why,
			       sizeof(why), runs_ymax(doc, samples) };
	if (json_is_object(json_object_get(doc, "watch"))) {
		json_t *watch = json_object_get(doc, "watch");
		char *title = xasprintf("watch: %.1f s",
					json_get_num(json_object_get(watch, "sampler"), "seconds"));

		pl.ymax = 0;	/* a watch is a chart of its own */
		ret = plot_series(&pl, watch, json_object_get(samples, "watch"), "watch", title);
		pl.ymax = runs_ymax(doc, samples);
		free(title);
	}
	json_array_foreach(json_object_get(doc, "runs"), i, run) {
		const long long seq = json_get_int(run, "seq");
		const long long threads = json_get_int(run, "threads");
		char key[32];
		char base[48];
		char *title;

		if (ret)
			break;
		snprintf(key, sizeof(key), "%lld", seq);
		snprintf(base, sizeof(base), "run-%lld", seq);
		title = xasprintf("run %lld: %s, %lld thread%s, repeat %lld, %.0f MB/s", seq,
				  json_get_str(run, "strategy"), threads, threads == 1 ? "" : "s",
				  json_get_int(run, "repeat"), json_get_num(run, "mb_s"));
		ret = plot_series(&pl, run, json_object_get(samples, key), base, title);
		free(title);
	}
	free(pl.script);
out:
	/* The data files and gnuplot's log (when it said something) join the images. */
	work_close(&w);
	if (*why)
		plot_set_skip(ps, why);
	free(settings);
	free(script);
	free(scripts);
	free(gnuplot);
	return ret;
}
