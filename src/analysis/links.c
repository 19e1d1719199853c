/* SPDX-License-Identifier: MIT */
/* links.c - the link that carried a run's bytes, against diag's prediction (links.h). */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "analysis/links.h"
#include "lib/util.h"

/* One link as diag and the sampler describe it. */
struct link {
	const char *name;
	const char *netdev; /* an RDMA port's IP interface, or NULL */
	const char *port;   /* an IP interface's RDMA port, or NULL */
	long mbps;	    /* -1 unknown */
	bool up;
	bool rdma;
};

void links_speed_text(long mbps, char *buf, size_t len)
{
	if (mbps <= 0)
		snprintf(buf, len, "unknown speed");
	else if (mbps >= 1000 && mbps % 1000 == 0)
		snprintf(buf, len, "%ld Gb/s", mbps / 1000);
	else if (mbps >= 1000 && mbps % 100 == 0)
		snprintf(buf, len, "%.1f Gb/s", (double)mbps / 1000);
	else
		snprintf(buf, len, "%ld Mb/s", mbps);
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : NULL;
}

static long mbps_of(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ? (long)json_integer_value(v) : -1;
}

/* The link called name in diag (interfaces, then RDMA ports), or what the sampler says of it. */
static struct link find_link(const json_t *diag, const json_t *sampler, const char *name)
{
	struct link l = {.name = name, .mbps = -1};
	const json_t *o;
	size_t i;

	json_array_foreach(json_object_get(diag, "interfaces"), i, o)
	{
		if (strcmp(str(o, "name") ?: "", name))
			continue;
		const long speed = mbps_of(o, "speed_mbps");
		const long shaped = mbps_of(o, "shaped_mbps");
		l.mbps = shaped > 0 && (speed <= 0 || shaped < speed) ? shaped : speed;
		l.up = !strcmp(str(o, "operstate") ?: "", "up");
		l.port = str(o, "rdma_port");
		return l;
	}
	json_array_foreach(json_object_get(diag, "rdma_ports"), i, o)
	{
		if (strcmp(str(o, "name") ?: "", name))
			continue;
		l.mbps = mbps_of(o, "rate_mbps");
		l.up = !strcmp(str(o, "state") ?: "", "ACTIVE");
		l.netdev = str(o, "netdev");
		l.rdma = true;
		return l;
	}
	/* Not in diag (watch, an older results.json): the sampler's own note of it. */
	o = json_object_get(json_object_get(sampler, "net"), name);
	l.mbps = mbps_of(o, "speed_mbps");
	l.netdev = str(o, "netdev");
	l.rdma = !strcmp(str(o, "kind") ?: "", "rdma");
	return l;
}

/* Whether a and b are one link: the same name, or an RDMA port and the IP interface on it. */
static bool same_link(const struct link *a, const struct link *b)
{
	return !strcmp(a->name, b->name) || (a->netdev && !strcmp(a->netdev, b->name)) ||
	       (b->netdev && !strcmp(b->netdev, a->name)) ||
	       (a->port && !strcmp(a->port, b->name)) || (b->port && !strcmp(b->port, a->name));
}

/*
 * The route a copy's bytes were predicted to take: of the source's servers (else DST's, else
 * any), one reached by RDMA over an interface with a port under it (a Lustre client with an
 * o2ib network takes its o2ib NID), else the first.
 */
static const json_t *predicted_route(const json_t *diag)
{
	static const char *const order[] = {"source", "destination", NULL};
	const json_t *routes = json_object_get(diag, "routes");
	const json_t *r;
	size_t i;

	for (int k = 0; k < 3; k++) {
		const json_t *first = NULL;

		json_array_foreach(routes, i, r)
		{
			if (!str(r, "interface") ||
			    (order[k] && strcmp(str(r, "why") ?: "", order[k])))
				continue;
			if (json_is_true(json_object_get(r, "rdma")) && str(r, "rdma_port"))
				return r;
			first = first ? first : r;
		}
		if (first)
			return first;
	}
	return NULL;
}

/* The fastest link that is up and is not the carrier; NULL when none beats it. */
static struct link faster_link(const json_t *diag, const struct link *carrier)
{
	struct link best = {.mbps = -1};
	const json_t *o;
	size_t i;

	json_array_foreach(json_object_get(diag, "interfaces"), i, o)
	{
		const char *name = str(o, "name");
		/* A bond's members carry nothing of their own; loopback is no way out. */
		if (!name || str(o, "master") || !strcmp(str(o, "type") ?: "", "loopback"))
			continue;
		const struct link l = find_link(diag, NULL, name);
		if (l.up && l.mbps > best.mbps && !same_link(&l, carrier))
			best = l;
	}
	json_array_foreach(json_object_get(diag, "rdma_ports"), i, o)
	{
		const struct link l = find_link(diag, NULL, str(o, "name") ?: "");
		if (l.up && l.mbps > best.mbps && !same_link(&l, carrier))
			best = l;
	}
	return best;
}

/* "mlx5_0/1 (the RDMA port of ib0)" or "eth0". */
static void link_words(const struct link *l, char *buf, size_t len)
{
	if (l->rdma && l->netdev)
		snprintf(buf, len, "%s (the RDMA port of %s)", l->name, l->netdev);
	else
		snprintf(buf, len, "%s", l->name);
}

/* Whether diag calls the interface name loopback (or it is "lo"). */
static bool loopback(const json_t *diag, const char *name)
{
	size_t i;
	json_t *o;

	if (!strcmp(name, "lo"))
		return true;
	json_array_foreach(json_object_get(diag, "interfaces"), i, o)
		if (!strcmp(str(o, "name") ?: "", name))
			return !strcmp(str(o, "type") ?: "", "loopback");
	return false;
}

/*
 * The interface that carried the most bytes, busier direction counted; loopback only when the
 * route itself goes over it: a remote server's bytes never come over lo, however busy other
 * programs keep it.
 */
static const char *carrier_name(const json_t *diag, const json_t *sampler, const char *via)
{
	const char *top = str(sampler, "top_interface");
	const char *best = NULL;
	double best_rate = 0;
	const char *name;
	json_t *o;

	if (!top || !loopback(diag, top) || (via && !strcmp(via, top)))
		return top;
	json_object_foreach(json_object_get((json_t *)sampler, "net"), name, o) {
		const json_t *mean = json_object_get(o, "mean");
		const double rx = json_number_value(json_object_get(mean, "rx_bytes_s"));
		const double tx = json_number_value(json_object_get(mean, "tx_bytes_s"));
		const double rate = rx >= tx ? rx : tx;

		if (!loopback(diag, name) && rate > best_rate) {
			best = name;
			best_rate = rate;
		}
	}
	return best;
}

void links_run_findings(const json_t *diag, const json_t *sampler, json_t *findings)
{
	const json_t *route = predicted_route(diag);
	const char *top = carrier_name(diag, sampler,
				       route ? str(route, "link") ?: str(route, "interface") : NULL);
	char share[96];
	char speed[32];
	char speed2[32];
	char who[300];
	char words[128];

	if (!top || !route)
		return;
	/* Full duplex: the busier direction is the one that carried the copy. */
	const json_t *mean =
		json_object_get(json_object_get(json_object_get(sampler, "net"), top), "mean");
	const double rx = json_number_value(json_object_get(mean, "rx_bytes_s"));
	const double tx = json_number_value(json_object_get(mean, "tx_bytes_s"));
	const double rate = rx >= tx ? rx : tx;
	if (rate < LINKS_MIN_RATE)
		return;
	const struct link carrier = find_link(diag, sampler, top);
	const char *via = str(route, "link") ?: str(route, "interface");
	const struct link predicted = find_link(diag, sampler, via);
	const char *why = str(route, "why") ?: "";
	const char *target = str(route, "target") ?: "the storage server";

	links_speed_text(carrier.mbps, speed, sizeof(speed));
	if (carrier.mbps > 0) {
		const double used = rate * 8 / 1e6 / (double)carrier.mbps;
		snprintf(share, sizeof(share), "%.0f %% of its %s%s", 100 * used, speed,
			 used >= LINKS_BOUND_SHARE ? ": the link was the limit" : "");
	} else {
		snprintf(share, sizeof(share), "its speed is unknown");
	}
	if (!strcmp(why, "source") || !strcmp(why, "destination"))
		snprintf(who, sizeof(who), "the %s's server %s", why, target);
	else
		snprintf(who, sizeof(who), "%s", target);
	link_words(&carrier, words, sizeof(words));
	if (same_link(&carrier, &predicted))
		add_stringf(findings,
			    "%s carried the bytes (%s %.1f MB/s, %s), the link diag "
			    "predicted for %s",
			    words, rx >= tx ? "received" : "sent", rate / 1e6, share, who);
	else
		add_stringf(findings,
			    "%s carried the bytes (%s %.1f MB/s, %s), not %s, the link "
			    "diag predicted for %s",
			    words, rx >= tx ? "received" : "sent", rate / 1e6, share, via, who);

	const struct link best = faster_link(diag, &carrier);
	if (carrier.mbps <= 0 || best.mbps <= carrier.mbps)
		return;
	links_speed_text(best.mbps, speed2, sizeof(speed2));
	add_stringf(findings,
		    "%s (%s) is up while the bytes came over %s (%s): the mount should use the "
		    "storage network's address, so that they take %s",
		    best.name, speed2, carrier.name, speed, best.name);
}
