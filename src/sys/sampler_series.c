/* SPDX-License-Identifier: MIT */
/* sampler_series.c - the readings as a time series, samples/run-<seq>.json or .csv. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/safeopen.h"
#include "lib/text.h"
#include "lib/util.h"
#include "sys/sampler_int.h"

enum column_group { COL_TIME, COL_DISK, COL_CPU, COL_NET, COL_NFS, COL_PSI, COL_MEMORY };

struct column {
	enum column_group group;
	const char *entity; /* device, "all"/"cpuN", interface, mount, resource */
	int index;	    /* cpu number, nfs mount, psi resource */
	const char *field;
	size_t k; /* index into the group's field table */
};

static const char *const net_fields[] = {"rx_bytes_s", "tx_bytes_s", "rx_packets_s",
					 "tx_packets_s"};
static const char *const nfs_fields[] = {"read_ops_s",	     "read_kB_s",	"read_avg_rtt_ms",
					 "read_avg_exe_ms",  "write_ops_s",	"write_kB_s",
					 "write_avg_rtt_ms", "write_avg_exe_ms"};
static const char *const psi_fields[] = {"some_pct", "full_pct"};
static const char *const memory_fields[] = {"dirty_bytes", "writeback_bytes"};

struct series {
	struct column *col;
	size_t nr, alloc;
	char **names; /* "cpu3", owned */
	size_t nr_names;
	struct window w;
};

static void add_column(struct series *sr, enum column_group g, const char *entity, int index,
		       const char *field, size_t k)
{
	if (sr->nr == sr->alloc) {
		sr->alloc = sr->alloc ? 2 * sr->alloc : 64;
		sr->col = xrealloc(sr->col, sr->alloc * sizeof(*sr->col));
	}
	sr->col[sr->nr++] = (struct column){g, entity, index, field, k};
}

static const char *own_name(struct series *sr, char *name)
{
	sr->names = xrealloc(sr->names, (sr->nr_names + 1) * sizeof(*sr->names));
	sr->names[sr->nr_names++] = name;
	return name;
}

/* The fields a device's counters in reading sn have; DISK_HAS_EXTENDED when it has none. */
static unsigned disk_has(const struct sampler_snapshot *sn, const char *name)
{
	for (size_t i = 0; i < sn->nr_disk; i++)
		if (!strcmp(sn->disk[i].name, name))
			return sn->disk[i].has;
	return DISK_HAS_EXTENDED;
}

/*
 * The columns of the readings kept: of the devices and interfaces that did something in them,
 * or, with every, of all those they list (idle ones too: the series is written before it is
 * known which will move).
 */
static void series_layout(const struct sampler *s, bool every, struct series *sr)
{
	const struct sampler_snapshot *last = sampler_snap(s, s->nr_snap - 1);

	memset(sr, 0, sizeof(*sr));
	sampler_window_collect(s, s->snap_base, s->nr_snap - 1, &sr->w);
	add_column(sr, COL_TIME, "", 0, "t_s", 0);
	add_column(sr, COL_TIME, "", 0, "dt_s", 1);
	for (size_t i = 0; i < sr->w.nr_dev; i++) {
		const struct dev_acc *d = &sr->w.dev[i];
		const unsigned has = d->counted ? d->has : disk_has(last, d->name);

		if (!every && !sampler_dev_reported(d))
			continue;
		for (size_t k = 0; k < sampler_nr_disk_fields; k++)
			if ((sampler_disk_fields[k].need & has) == sampler_disk_fields[k].need)
				add_column(sr, COL_DISK, d->name, 0, sampler_disk_fields[k].name, k);
	}
	add_column(sr, COL_CPU, "", 0, "window_s", sampler_nr_cpu_fields);
	for (size_t c = 0; c < last->nr_cpu; c++) {
		const int cpu = last->cpu[c].cpu;
		const char *name = cpu < 0 ? "all" : own_name(sr, xasprintf("cpu%d", cpu));

		for (size_t k = 0; k < sampler_nr_cpu_fields; k++)
			add_column(sr, COL_CPU, name, cpu, sampler_cpu_fields[k].name, k);
	}
	for (size_t i = 0; i < sr->w.nr_net; i++)
		if (every || sampler_net_reported(&sr->w.net[i]))
			for (size_t k = 0; k < 4; k++)
				add_column(sr, COL_NET, sr->w.net[i].name, 0, net_fields[k], k);
	for (size_t m = 0; m < s->nr_nfs; m++)
		for (size_t k = 0; k < 8; k++)
			add_column(sr, COL_NFS, s->nfs_mounts[m], (int)m, nfs_fields[k], k);
	for (int p = 0; p < PSI_MAX; p++)
		if (last->have & (SAMPLER_PSI_IO << p))
			for (size_t k = 0; k < (last->psi[p].have_full ? 2u : 1u); k++)
				add_column(sr, COL_PSI, sampler_psi_names[p], p, psi_fields[k], k);
	if (last->have & SAMPLER_MEMINFO)
		for (size_t k = 0; k < 2; k++)
			add_column(sr, COL_MEMORY, "", 0, memory_fields[k], k);
}

static void series_release(struct series *sr)
{
	for (size_t i = 0; i < sr->nr_names; i++)
		free(sr->names[i]);
	free(sr->names);
	free(sr->col);
	sampler_window_release(&sr->w);
}

/* The row for the interval ending at reading i (NAN for null). *cpu_j carries the CPU window. */
static void series_row(const struct sampler *s, const struct series *sr, size_t i, size_t *cpu_j,
		       double *row)
{
	const struct sampler_snapshot *a = sampler_snap(s, i - 1);
	const struct sampler_snapshot *b = sampler_snap(s, i);
	const double dt = sampler_seconds_between(a, b);
	const char *entity = NULL;
	bool have_entity = false;
	struct disk_rates dr;
	struct net_rates nr;
	struct nfs_op_rates rr;
	struct nfs_op_rates wr;
	const bool have_cpu = sampler_cpu_window(s, 0, i, cpu_j);
	const double cpu_s = have_cpu ? sampler_seconds_between(sampler_snap(s, *cpu_j), b) : NAN;

	for (size_t c = 0; c < sr->nr; c++) {
		const struct column *col = &sr->col[c];
		const bool same = entity && col->entity == entity;

		row[c] = NAN;
		switch (col->group) {
		case COL_TIME:
			row[c] = col->k == 0 ? (double)(b->t_ns - s->t0_ns) / 1e9 : dt;
			break;
		case COL_DISK:
			if (!same) {
				struct disk_delta d;
				bool appeared;

				have_entity = sampler_interval_disk(s, i, col->entity, &d, &appeared);
				if (have_entity)
					procstat_disk_rates(&d, dt, &dr);
			}
			if (have_entity)
				row[c] = sampler_rate_field(&dr, col->k);
			break;
		case COL_CPU:
			if (col->k == sampler_nr_cpu_fields) {
				row[c] = cpu_s;
				break;
			}
			if (have_cpu) {
				const struct cpu_stats *x =
					sampler_snap_cpu(sampler_snap(s, *cpu_j), col->index);
				const struct cpu_stats *y = sampler_snap_cpu(b, col->index);
				struct cpu_shares sh;

				if (x && y) {
					procstat_cpu_shares(x, y, &sh);
					row[c] = sampler_share_field(&sh, col->k);
				}
			}
			break;
		case COL_NET:
			if (!same) {
				struct net_delta d;

				have_entity = sampler_interval_net(s, i, col->entity, &d);
				if (have_entity)
					procstat_net_rates(&d, dt, &nr);
			}
			if (have_entity)
				row[c] = col->k == 0   ? nr.rx_bytes_s
					 : col->k == 1 ? nr.tx_bytes_s
					 : col->k == 2 ? nr.rx_packets_s
						       : nr.tx_packets_s;
			break;
		case COL_NFS:
			if (!same) {
				uint64_t bytes[NFS_BYTES_MAX];
				struct nfs_op_stats r;
				struct nfs_op_stats w;

				have_entity = sampler_interval_nfs(s, i, (size_t)col->index, bytes, &r, &w);
				if (have_entity) {
					procstat_nfs_op_rates(&r, dt, &rr);
					procstat_nfs_op_rates(&w, dt, &wr);
				}
			}
			if (have_entity) {
				const struct nfs_op_rates *x = col->k < 4 ? &rr : &wr;
				const size_t f = col->k % 4;

				row[c] = f == 0	  ? x->ops_s
					 : f == 1 ? x->kb_s
					 : f == 2 ? x->avg_rtt_ms
						  : x->avg_exe_ms;
			}
			break;
		case COL_PSI: {
			const unsigned bit = SAMPLER_PSI_IO << col->index;
			const struct psi_stats *x = &a->psi[col->index];
			const struct psi_stats *y = &b->psi[col->index];
			const uint64_t us = col->k == 0 ? procstat_counter_delta(x->some_total_us,
										 y->some_total_us)
							: procstat_counter_delta(x->full_total_us,
										 y->full_total_us);

			if ((a->have & bit) && (b->have & bit) && dt > 0)
				row[c] = (double)us / (dt * 1e4);
			break;
		}
		case COL_MEMORY: {
			const uint64_t kb = col->k == 0 ? b->mem.dirty_kb : b->mem.writeback_kb;

			if (b->have & SAMPLER_MEMINFO)
				row[c] = (double)kb * 1024.0;
			break;
		}
		}
		entity = col->entity;
	}
}

static const char *const group_names[] = {"time", "disk", "cpu", "net", "nfs", "psi", "memory"};

/*
 * A JSON string literal of s (names of devices and mount points are the only free text): escaped
 * (lib/text.h) so that a name in any bytes is valid UTF-8, and the file valid JSON.
 */
static void put_json_string(FILE *f, const char *s)
{
	char *e = text_escape(s);

	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)e; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
	free(e);
}

/* A CSV header cell, "disk:vda:util": the name escaped, the cell quoted when it holds a comma. */
static void put_csv_column(FILE *f, const struct column *col)
{
	char *e = text_escape(col->entity);
	char *cell = xasprintf("%s:%s%s%s", group_names[col->group], e, *e ? ":" : "", col->field);

	text_csv_field(f, cell);
	free(cell);
	free(e);
}

static void put_number(FILE *f, double v, bool csv)
{
	if (isnan(v) || isinf(v))
		fputs(csv ? "" : "null", f);
	else
		fprintf(f, "%.6g", v);
}

/* The header: the CSV's first line, or the JSON object up to the rows' opening bracket. */
static void put_header(FILE *f, const struct sampler *s, const struct series *sr, bool csv)
{
	if (csv) {
		for (size_t c = 0; c < sr->nr; c++) {
			/* "disk:vda:util"; the time columns are plainly "t_s" and "dt_s". */
			if (c)
				fputc(',', f);
			if (sr->col[c].group == COL_TIME)
				fputs(sr->col[c].field, f);
			else
				put_csv_column(f, &sr->col[c]);
		}
		fputc('\n', f);
		return;
	}
	fprintf(f,
		"{\"schema\": \"cryocache-bench/1\", \"kind\": \"samples\", "
		"\"interval_s\": %.6g, \"started_unix_ms\": %.0f, \"cpu_window_s\": %.6g,\n"
		" \"columns\": [",
		s->interval_s, (double)s->real_ns0 / 1e6, SAMPLER_CPU_WINDOW_S);
	for (size_t c = 0; c < sr->nr; c++) {
		fprintf(f, "%s[\"%s\", ", c ? ", " : "", group_names[sr->col[c].group]);
		put_json_string(f, sr->col[c].entity);
		fprintf(f, ", \"%s\"]", sr->col[c].field);
	}
	fputs("],\n \"rows\": [", f);
}

/* The row of the interval ending at reading i; first: the file's first row. */
static void put_row(FILE *f, const struct sampler *s, const struct series *sr, size_t i,
		    size_t *cpu_j, double *row, bool csv, bool first)
{
	series_row(s, sr, i, cpu_j, row);
	if (!csv)
		fputs(first ? "\n  [" : ",\n  [", f);
	for (size_t c = 0; c < sr->nr; c++) {
		if (c)
			fputc(',', f);
		put_number(f, row[c], csv);
	}
	fputs(csv ? "\n" : "]", f);
}

/* Close f; on an error (ENOSPC rather than EIO) remove the part of the file written. */
static int finish_file(FILE *f, const char *dir, const char *rel, int ret)
{
	if (fflush(f) && !ret)
		ret = -errno;
	else if (ferror(f) && !ret)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret) {
		char *path = path_join(dir, rel);

		unlink(path);
		free(path);
	}
	return ret;
}

/* Made anew in the results folder: never written through a symlink someone put there. */
static FILE *create_file(const char *dir, const char *rel, int *ret, char *why, size_t len)
{
	FILE *f;
	const int fd = safe_create_file(dir, rel, why, len);

	if (fd < 0) {
		*ret = fd;
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		*ret = -errno;
		close(fd);
		fail_why(why, len, *ret, "%s", strerror(-*ret));
	}
	return f;
}

struct sampler_series_out {
	struct series sr;
	FILE *f;
	char *dir, *rel;
	bool csv;
	size_t next; /* the reading whose interval the next row is */
	size_t first;
	size_t cpu_j;
	double *row;
	int err; /* a row could not be written: the file is removed at close */
};

/*
 * The series file with its header, rows added as readings come. streaming: its columns are fixed
 * now, at the first reading (watch, whose later readings are forgotten), not chosen over every
 * reading (a run's, written whole at its end).
 */
static int series_open(const struct sampler *s, const char *dir, const char *rel, bool csv,
		       bool streaming, struct sampler_series_out **out, char *why, size_t len)
{
	struct sampler_series_out *o;
	int ret = 0;
	FILE *f;

	*out = NULL;
	if (s->nr_snap == 0)
		return fail_why(why, len, -ENODATA, "%s", strerror(ENODATA));
	f = create_file(dir, rel, &ret, why, len);
	if (!f)
		return ret;
	o = xcalloc(1, sizeof(*o));
	o->f = f;
	o->dir = xstrdup(dir);
	o->rel = xstrdup(rel);
	o->csv = csv;
	series_layout(s, streaming, &o->sr);
	o->row = xmalloc(o->sr.nr * sizeof(double));
	o->first = s->snap_base + 1;
	o->next = o->first;
	o->cpu_j = s->snap_base;
	put_header(f, s, &o->sr, csv);
	*out = o;
	return sampler_series_add(o, s, why, len);
}

int sampler_series_open(const struct sampler *s, const char *dir, const char *rel, bool csv,
			struct sampler_series_out **out, char *why, size_t len)
{
	return series_open(s, dir, rel, csv, true, out, why, len);
}

int sampler_series_add(struct sampler_series_out *o, const struct sampler *s, char *why,
		       size_t len)
{
	for (; o->next < s->nr_snap; o->next++)
		put_row(o->f, s, &o->sr, o->next, &o->cpu_j, o->row, o->csv, o->next == o->first);
	/* Each row reaches the file as it is read: a killed watch loses none it showed. */
	errno = 0;
	if (fflush(o->f) || ferror(o->f)) {
		o->err = errno ? -errno : -EIO;
		return fail_why(why, len, o->err, "%s", strerror(-o->err));
	}
	return 0;
}

size_t sampler_series_needs(const struct sampler_series_out *o)
{
	return o->cpu_j < o->next - 1 ? o->cpu_j : o->next - 1;
}

int sampler_series_close(struct sampler_series_out *o, char *why, size_t len)
{
	int ret;

	if (!o)
		return 0;
	if (!o->csv)
		fputs("]}\n", o->f);
	ret = finish_file(o->f, o->dir, o->rel, o->err);
	free(o->row);
	series_release(&o->sr);
	free(o->dir);
	free(o->rel);
	free(o);
	return ret ? fail_why(why, len, ret, "%s", strerror(-ret)) : 0;
}

int sampler_write_series(const struct sampler *s, const char *dir, const char *rel, bool csv,
			 char *why, size_t len)
{
	struct sampler_series_out *o;
	int ret = series_open(s, dir, rel, csv, false, &o, why, len);

	if (!o)
		return ret;
	if (ret) {
		sampler_series_close(o, NULL, 0);
		return ret;
	}
	return sampler_series_close(o, why, len);
}
