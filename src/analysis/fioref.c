/* SPDX-License-Identifier: MIT */
/* fioref.c - fio job files that match a dataset, and fio's JSON output parsed. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/fioref.h"
#include "lib/dynbuf.h"
#include "lib/json_get.h"
#include "lib/util.h"

#define FIOREF_BS (1ull << 20)
#define FIOREF_IODEPTH 32

static int cmp_size_desc(const void *a, const void *b)
{
	const struct fioref_file *x = *(const struct fioref_file *const *)a;
	const struct fioref_file *y = *(const struct fioref_file *const *)b;

	return (x->size < y->size) - (x->size > y->size);
}

/* Append s, escaping ':' and '\' (fio splits filename= at ':'). */
static void put_path(struct dynbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ':' || *s == '\\')
			dynbuf_add(b, "\\", 1);
		dynbuf_add(b, s, 1);
	}
}

char *fioref_job_file(const struct fioref_file *files, size_t nr, const struct fioref_job *j)
{
	const struct fioref_file **sorted;
	unsigned *owner;
	uint64_t *load;
	struct dynbuf buf;

	if (!nr || !j->jobs)
		return NULL;
	for (size_t i = 0; i < nr; i++)
		if (files[i].path[0] != '/' || strchr(files[i].path, '\n'))
			return NULL;
	dynbuf_init(&buf);
	sorted = xcalloc(nr, sizeof(*sorted));
	owner = xcalloc(nr, sizeof(*owner));
	load = xcalloc(j->jobs, sizeof(*load));
	for (size_t i = 0; i < nr; i++)
		sorted[i] = &files[i];
	qsort(sorted, nr, sizeof(*sorted), cmp_size_desc);
	for (size_t i = 0; i < nr; i++) {
		unsigned best = 0;

		for (unsigned k = 1; k < j->jobs; k++)
			if (load[k] < load[best])
				best = k;
		owner[i] = best;
		load[best] += sorted[i]->size;
	}

	dynbuf_addf(&buf,
		    "; written by cryocache-bench: %s %zu files in %u jobs%s\n"
		    "[global]\nioengine=%.32s\nbs=%llu\niodepth=%u\nrw=%s\ndirect=%d\nthread=1\n"
		    "group_reporting=1\nfile_service_type=sequential\ninvalidate=1\n",
		    j->write ? "write" : "read", nr, j->jobs,
		    j->write ? "" : "; run with fio --readonly, never with a size",
		    j->ioengine ? j->ioengine : "io_uring",
		    (unsigned long long)(j->bs ? j->bs : FIOREF_BS),
		    j->iodepth ? j->iodepth : FIOREF_IODEPTH, j->write ? "write" : "read",
		    j->direct ? 1 : 0);
	if (j->write)
		dynbuf_addstr(&buf, "end_fsync=1\n");
	if (j->runtime_s) {
		/* each pass over the files ends durable, as a run ends with syncfs */
		dynbuf_addf(&buf, "time_based=1\nruntime=%u\n", j->runtime_s);
		if (j->write)
			dynbuf_addstr(&buf, "fsync_on_close=1\n");
	}
	for (unsigned k = 0; k < j->jobs; k++) {
		bool first = true;

		for (size_t i = 0; i < nr; i++) {
			if (owner[i] != k)
				continue;
			if (first)
				dynbuf_addf(&buf, "\n[%s-%u]\nfilename=", j->write ? "write" : "read",
					    k);
			else
				dynbuf_addstr(&buf, ":");
			put_path(&buf, sorted[i]->path);
			first = false;
		}
		if (!first)
			dynbuf_addstr(&buf, "\n");
	}
	free(load);
	free(owner);
	free(sorted);
	return dynbuf_detach(&buf, NULL);
}

static void io_add(json_t *dir, struct fioref_io *io)
{
	const double rt = (double)json_integer_value(json_object_get(dir, "runtime")) / 1000.0;

	io->io_bytes += (uint64_t)json_integer_value(json_object_get(dir, "io_bytes"));
	if (rt > io->runtime_s)
		io->runtime_s = rt;
}

static void io_rate(struct fioref_io *io)
{
	io->mb_s = io->runtime_s > 0 ? (double)io->io_bytes / io->runtime_s / 1e6 : 0;
}

int fioref_parse(const char *text, struct fioref_result *r, char *why, size_t len)
{
	const char *start = strchr(text, '{');
	json_error_t jerr;
	json_t *doc;
	json_t *jobs;
	json_t *job;
	const char *version;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!start) {
		snprintf(why, len, "no JSON in fio's output");
		return -EINVAL;
	}
	doc = json_loads(start, JSON_DISABLE_EOF_CHECK, &jerr);
	if (!doc) {
		snprintf(why, len, "fio's JSON does not parse: %s (line %d)", jerr.text, jerr.line);
		return -EINVAL;
	}
	version = json_string_value(json_object_get(doc, "fio version"));
	jobs = json_object_get(doc, "jobs");
	if (!version || !json_is_array(jobs) || !json_array_size(jobs)) {
		snprintf(why, len, "fio's JSON has no %s", version ? "jobs" : "\"fio version\"");
		json_decref(doc);
		return -EINVAL;
	}
	snprintf(r->version, sizeof(r->version), "%s", version);
	json_array_foreach(jobs, i, job) {
		r->jobs++;
		if (json_integer_value(json_object_get(job, "error")))
			r->errors++;
		io_add(json_object_get(job, "read"), &r->read);
		io_add(json_object_get(job, "write"), &r->write);
	}
	io_rate(&r->read);
	io_rate(&r->write);
	json_decref(doc);
	return 0;
}

double fioref_pair_mb_s(const struct fioref_io *read, const struct fioref_io *write)
{
	const uint64_t bytes = read->io_bytes < write->io_bytes ? read->io_bytes : write->io_bytes;
	const double t = read->runtime_s > write->runtime_s ? read->runtime_s : write->runtime_s;

	return t > 0 ? (double)bytes / t / 1e6 : 0;
}

static json_t *io_json(const struct fioref_io *io)
{
	return json_pack("{s:I, s:f, s:f}", "io_bytes", (json_int_t)io->io_bytes, "runtime_s",
			 io->runtime_s, "mb_s", io->mb_s);
}

json_t *fioref_result_json(const struct fioref_result *r)
{
	return json_pack("{s:s, s:i, s:i, s:o, s:o}", "version", r->version, "jobs", (int)r->jobs,
			 "errors", (int)r->errors, "read", io_json(&r->read), "write",
			 io_json(&r->write));
}

double fioref_measurement_runtime(json_t *m)
{
	json_t *rd = json_object_get(json_object_get(m, "read"), "read");
	json_t *wr = json_object_get(json_object_get(m, "write"), "write");
	double t = NAN;

	if (json_get_has_num(m, "runtime_s"))
		return json_get_num(m, "runtime_s");
	if (json_get_has_num(rd, "runtime_s"))
		t = json_get_num(rd, "runtime_s");
	if (json_get_has_num(wr, "runtime_s") && !(t >= json_get_num(wr, "runtime_s")))
		t = json_get_num(wr, "runtime_s");
	return t;
}

bool fioref_measurement_short(json_t *m)
{
	return !json_is_true(json_object_get(m, "time_based")) &&
	       fioref_measurement_runtime(m) < FIOREF_SHORT_S;
}

/* The virtual disk behind DST, whose host may cache it ("vda", "xvdb"), or NULL. */
static const char *virtual_disk(json_t *doc)
{
	json_t *dev;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(doc, "destination"), "devices"), i, dev) {
		const char *name = json_string_value(dev);

		if (name && (!strncmp(name, "vd", 2) || !strncmp(name, "xvd", 3)))
			return name;
	}
	return NULL;
}

/* Why a copy can beat fio's copy-shaped ceiling here: what the document shows of the causes. */
static void likely_cause(json_t *doc, struct dynbuf *b)
{
	json_t *ref = json_object_get(doc, "reference");
	const char *vdisk = virtual_disk(doc);
	json_t *m;
	size_t i;
	bool short_ref = false;

	dynbuf_addstr(b, "likely a cache below this kernel: buffered copies onto a disk the host "
		      "caches are acknowledged before the bytes reach the device");
	if (vdisk)
		dynbuf_addf(b, " (DST is on %s, a virtual disk)", vdisk);
	if (json_get_has_num(ref, "copy_direct_mb_s") && json_get_has_num(ref, "copy_buffered_mb_s"))
		dynbuf_addf(b, "; fio's copy reached %.0f MB/s with O_DIRECT and %.0f MB/s buffered",
			    json_get_num(ref, "copy_direct_mb_s"),
			    json_get_num(ref, "copy_buffered_mb_s"));
	json_array_foreach(json_object_get(ref, "measurements"), i, m)
		short_ref |= fioref_measurement_short(m);
	if (short_ref)
		dynbuf_addf(b, "; and a fio measurement lasted under %.0f s, too short to hold as a "
			    "ceiling", FIOREF_SHORT_S);
	else
		dynbuf_addstr(b, "; or the machine was busier while fio ran");
}

json_t *fioref_above_ceiling(json_t *doc, json_t *cells)
{
	json_t *ceiling = json_object_get(json_object_get(doc, "reference"), "ceiling_mb_s");
	json_t *out = json_array();
	json_t *cell;
	size_t i;

	if (!json_is_number(ceiling) || !(json_number_value(ceiling) > 0))
		return out;
	json_array_foreach(cells, i, cell) {
		const double median = json_get_num(cell, "median_mb_s");
		const long long threads = json_get_int(cell, "threads");
		const long long jobs = json_is_integer(json_object_get(cell, "jobs"))
					       ? json_get_int(cell, "jobs") : 1;
		struct dynbuf b;

		if (!json_get_has_num(cell, "median_mb_s") || median <= json_number_value(ceiling))
			continue;
		dynbuf_init(&b);
		dynbuf_addf(&b, "above the fio ceiling: %s at %lld thread%s", json_get_str(cell,
			    "strategy"), threads, threads == 1 ? "" : "s");
		if (jobs != 1)
			dynbuf_addf(&b, " with %lld jobs", jobs);
		dynbuf_addf(&b, " reached %.0f MB/s, %.0f %% of fio's copy-shaped ceiling (%.0f MB/s), "
			    "so the ceiling is none here: ", median,
			    100 * median / json_number_value(ceiling), json_number_value(ceiling));
		likely_cause(doc, &b);
		json_array_append_new(out, json_string(dynbuf_str(&b)));
		dynbuf_release(&b);
	}
	return out;
}
