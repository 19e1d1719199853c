/* SPDX-License-Identifier: MIT */
/* fioclients.c - fio's client/server output: per server, all clients, versions. No I/O. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/fioclients.h"
#include "lib/json_get.h"
#include "lib/util.h"

static void io_add(json_t *dir, struct fioref_io *io)
{
	const double rt = json_get_num(dir, "runtime") / 1000.0;

	io->io_bytes += (uint64_t)json_get_int(dir, "io_bytes");
	if (rt > io->runtime_s)
		io->runtime_s = rt;
}

static void io_rate(struct fioref_io *io)
{
	io->mb_s = io->runtime_s > 0 ? (double)io->io_bytes / io->runtime_s / 1e6 : 0;
}

/* "hostname=node1, be=0, 64-bit, os=Linux, arch=x86-64, fio=fio-3.33, flags=1" lines. */
static json_t *probe_versions(const char *text, const char *end)
{
	json_t *out = json_array();

	for (const char *line = text; line && line < end; line = strchr(line, '\n')) {
		char host[256];
		const char *fio;

		if (*line == '\n')
			line++;
		if (strncmp(line, "hostname=", 9) || sscanf(line + 9, "%255[^,\n]", host) != 1)
			continue;
		fio = strstr(line, ", fio=");
		if (!fio || fio > end || (strchr(line, '\n') && fio > strchr(line, '\n')))
			continue;
		fio += 6;
		json_array_append_new(out, json_pack("{s:s, s:s%}", "host", host, "fio", fio,
						     strcspn(fio, ",\n")));
	}
	return out;
}

static struct fioclients_host *host_of(struct fioclients_result *r, const char *host, long port)
{
	for (size_t i = 0; i < r->nr; i++)
		if (!strcmp(r->hosts[i].host, host) && r->hosts[i].port == port)
			return &r->hosts[i];
	r->hosts = xrealloc(r->hosts, (r->nr + 1) * sizeof(*r->hosts));
	memset(&r->hosts[r->nr], 0, sizeof(r->hosts[r->nr]));
	snprintf(r->hosts[r->nr].host, sizeof(r->hosts[r->nr].host), "%s", host);
	r->hosts[r->nr].port = port;
	return &r->hosts[r->nr++];
}

int fioclients_parse(const char *text, struct fioclients_result *r, char *why, size_t len)
{
	const char *start = !strncmp(text, "{", 1) ? text : strstr(text, "\n{");
	struct fioref_io sum_r = { 0 }, sum_w = { 0 };
	json_error_t jerr;
	json_t *doc;
	json_t *stats;
	json_t *ts;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->versions = probe_versions(text, start ? start : text + strlen(text));
	if (!start)
		return reject_why(why, len, "no JSON in fio's output");
	doc = json_loads(start, JSON_DISABLE_EOF_CHECK, &jerr);
	if (!doc)
		return reject_why(why, len, "fio's JSON does not parse: %s (line %d)", jerr.text,
				  jerr.line);
	stats = json_object_get(doc, "client_stats");
	if (!json_is_array(stats) || !json_array_size(stats)) {
		json_decref(doc);
		return reject_why(why, len, "fio's JSON has no client_stats: was it run with --client?");
	}
	snprintf(r->version, sizeof(r->version), "%s", json_get_str(doc, "fio version"));
	json_array_foreach(stats, i, ts) {
		struct fioclients_host *h;

		if (!strcmp(json_get_str(ts, "jobname"), "All clients")) {
			io_add(json_object_get(ts, "read"), &r->read_all);
			io_add(json_object_get(ts, "write"), &r->write_all);
			r->fio_summed = true;
			continue;
		}
		h = host_of(r, json_get_str(ts, "hostname"), (long)json_get_int(ts, "port"));
		io_add(json_object_get(ts, "read"), &h->read);
		io_add(json_object_get(ts, "write"), &h->write);
		h->errors += json_get_int(ts, "error") != 0;
	}
	for (i = 0; i < r->nr; i++) {
		io_rate(&r->hosts[i].read);
		io_rate(&r->hosts[i].write);
		sum_r.io_bytes += r->hosts[i].read.io_bytes;
		sum_w.io_bytes += r->hosts[i].write.io_bytes;
		if (r->hosts[i].read.runtime_s > sum_r.runtime_s)
			sum_r.runtime_s = r->hosts[i].read.runtime_s;
		if (r->hosts[i].write.runtime_s > sum_w.runtime_s)
			sum_w.runtime_s = r->hosts[i].write.runtime_s;
	}
	if (!r->fio_summed) {
		r->read_all = sum_r;
		r->write_all = sum_w;
	}
	io_rate(&r->read_all);
	io_rate(&r->write_all);
	json_decref(doc);
	return 0;
}

void fioclients_release(struct fioclients_result *r)
{
	free(r->hosts);
	json_decref(r->versions);
	memset(r, 0, sizeof(*r));
}

bool fioclients_versions_agree(const struct fioclients_result *r)
{
	json_t *v;
	size_t i;

	json_array_foreach(r->versions, i, v)
		if (strcmp(json_get_str(v, "fio"), r->version))
			return false;
	return true;
}

static json_t *io_json(const struct fioref_io *io)
{
	return json_pack("{s:I, s:f, s:f}", "io_bytes", (json_int_t)io->io_bytes, "runtime_s",
			 io->runtime_s, "mb_s", io->mb_s);
}

json_t *fioclients_json(const struct fioclients_result *r)
{
	json_t *hosts = json_array();

	for (size_t i = 0; i < r->nr; i++)
		json_array_append_new(hosts, json_pack("{s:s, s:I, s:i, s:o, s:o}", "host",
						       r->hosts[i].host, "port",
						       (json_int_t)r->hosts[i].port, "errors",
						       (int)r->hosts[i].errors, "read",
						       io_json(&r->hosts[i].read), "write",
						       io_json(&r->hosts[i].write)));
	return json_pack("{s:s, s:O, s:b, s:o, s:{s:o, s:o, s:b}}", "fio_version", r->version,
			 "versions", r->versions, "versions_agree", fioclients_versions_agree(r),
			 "per_client", hosts, "all_clients", "read", io_json(&r->read_all), "write",
			 io_json(&r->write_all), "from_fio", r->fio_summed);
}
