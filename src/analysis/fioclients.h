/* SPDX-License-Identifier: MIT */
/*
 * fioclients.h - fio's client/server mode across nodes (`fio --client=HOSTFILE`, one `fio
 * --server` a node): each server's numbers and the all-clients sum from the client's JSON
 * ("client_stats"), and the fio version each server reported. Pure: text in, structs out.
 */
#ifndef CCB_FIOCLIENTS_H
#define CCB_FIOCLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "analysis/fioref.h"

/* One server, summed over its job groups. */
struct fioclients_host {
	char host[256];		/* as the host file names it */
	long port;
	struct fioref_io read, write;
	unsigned errors;	/* its groups whose "error" is not 0 */
};

struct fioclients_result {
	char version[32];		/* the client's "fio version" */
	struct fioclients_host *hosts;	/* in the order of client_stats */
	size_t nr;
	/* fio's "All clients" entry (more than one server), else the sum of the hosts: bytes
	 * summed, the longest runtime, their quotient. */
	struct fioref_io read_all, write_all;
	bool fio_summed;		/* read_all and write_all are fio's own "All clients" */
	/* The servers' versions, from the probe lines of the normal output ("hostname=node1, ...,
	 * fio=fio-3.33, ..."): [{"host": "node1", "fio": "fio-3.33"}, ...]; [] without them. */
	json_t *versions;
};

/*
 * Parse the output of `fio --client=... --output-format=json,normal`: the probe lines, then the
 * JSON object (the first line that is "{"). Returns 0, or -EINVAL with the reason in why (no JSON,
 * no client_stats). Release r with fioclients_release() either way.
 */
int fioclients_parse(const char *text, struct fioclients_result *r, char *why, size_t len);
void fioclients_release(struct fioclients_result *r);

/* Whether every server and the client run the same fio version (true without probe lines). */
bool fioclients_versions_agree(const struct fioclients_result *r);

/*
 * r as JSON: {fio_version, versions, versions_agree, per_client: [{host, port, errors, read:
 * {io_bytes, runtime_s, mb_s}, write: {...}}], all_clients: {read: {...}, write: {...},
 * from_fio}}.
 */
json_t *fioclients_json(const struct fioclients_result *r);

#endif
