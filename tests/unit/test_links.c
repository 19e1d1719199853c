/* SPDX-License-Identifier: MIT */
/*
 * test_links.c - the after-run finding on the link that carried the bytes: the two-link lab's
 * cases (a public link held to 100 Mb/s by tbf beside a 10 Gb/s storage link), Lustre over
 * o2ib counted on its InfiniBand port, a copy that took another link than the route, a faster
 * port left idle, and the cases where nothing is to be said.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/links.h"
#include "testutil.h"

static json_t *nic(const char *name, const char *state, long speed, long shaped)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o}", "name", name, "type", "ether", "operstate",
			 state, "speed_mbps", speed > 0 ? json_integer(speed) : json_null(),
			 "shaped_mbps", shaped > 0 ? json_integer(shaped) : json_null());
}

static json_t *route(const char *target, const char *why, const char *ifname, const char *link)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "target", target, "why", why, "interface", ifname,
			 "link", link);
}

static json_t *sampler(const char *top, double rx, double tx)
{
	return json_pack("{s:s, s:{s:{s:{s:f, s:f}}}}", "top_interface", top, "net", top, "mean",
			 "rx_bytes_s", rx, "tx_bytes_s", tx);
}

/* The findings for diag and sampler, one string each; the caller frees. */
static json_t *judge(json_t *diag, json_t *smp)
{
	json_t *f = json_array();
	size_t i;
	json_t *s;

	links_run_findings(diag, smp, f);
	json_array_foreach(f, i, s) print_message("finding: %s\n", json_string_value(s));
	json_decref(smp);
	return f;
}

static const char *at(const json_t *f, size_t i)
{
	return json_string_value(json_array_get(f, i));
}

/* The lab: the public link (tbf 100 Mb/s), the storage link (10 Gb/s), loopback. */
static json_t *lab(const char *via)
{
	json_t *d = json_object();
	json_t *nics = json_array();

	json_array_append_new(nics, nic("veth-pub", "up", 10000, 100));
	json_array_append_new(nics, nic("veth-stor", "up", 10000, -1));
	json_array_append_new(nics, json_pack("{s:s, s:s, s:s}", "name", "lo", "type", "loopback",
					      "operstate", "unknown"));
	json_object_set_new(d, "interfaces", nics);
	json_object_set_new(
		d, "routes",
		json_pack("[o]", route(!strcmp(via, "veth-pub") ? "10.213.1.2" : "10.213.2.2",
				       "source", via, via)));
	return d;
}

static void test_lab(void **state)
{
	(void)state;
	json_t *d = lab("veth-pub");
	/* 11.8 MB/s is 94 % of 100 Mb/s. */
	json_t *f = judge(d, sampler("veth-pub", 11.8e6, 2e5));

	assert_int_equal(json_array_size(f), 2);
	assert_string_equal(at(f, 0),
			    "veth-pub carried the bytes (received 11.8 MB/s, 94 % of its 100 Mb/s: "
			    "the link was the limit), the link diag predicted for the source's "
			    "server 10.213.1.2");
	assert_string_equal(at(f, 1),
			    "veth-stor (10 Gb/s) is up while the bytes came over veth-pub (100 "
			    "Mb/s): the mount should use the storage network's address, so that "
			    "they take veth-stor");
	json_decref(f);
	json_decref(d);

	/* Mounted by the storage address: the bytes and the prediction move; no advice. */
	d = lab("veth-stor");
	f = judge(d, sampler("veth-stor", 5e8, 1e6));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(
		at(f, 0), "veth-stor carried the bytes (received 500.0 MB/s, 40 % of its 10 Gb/s), "
			  "the link diag predicted for the source's server 10.213.2.2");
	json_decref(f);

	/* The route says storage, the bytes came over public anyway. */
	f = judge(d, sampler("veth-pub", 11e6, 0));
	assert_int_equal(json_array_size(f), 2);
	assert_string_equal(
		at(f, 0), "veth-pub carried the bytes (received 11.0 MB/s, 88 % of its 100 Mb/s: "
			  "the link was the limit), not veth-stor, the link diag predicted for the "
			  "source's server 10.213.2.2");
	assert_non_null(strstr(at(f, 1), "veth-stor (10 Gb/s) is up while the bytes came over "
					 "veth-pub (100 Mb/s)"));
	json_decref(f);
	json_decref(d);
}

/* Another program keeping loopback busier than the copy: a remote server's bytes never come
 * over lo, so the busiest other link is the carrier. */
static void test_loopback_busier(void **state)
{
	(void)state;
	json_t *d = lab("veth-stor");
	json_t *smp = json_pack("{s:s, s:{s:{s:{s:f, s:f}}, s:{s:{s:f, s:f}}, s:{s:{s:f, s:f}}}}",
				"top_interface", "lo", "net", "lo", "mean", "rx_bytes_s", 7e8,
				"tx_bytes_s", 7e8, "veth-stor", "mean", "rx_bytes_s", 1.1e8,
				"tx_bytes_s", 1e6, "veth-pub", "mean", "rx_bytes_s", 1e3,
				"tx_bytes_s", 1e3);
	json_t *f = judge(d, smp);

	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(
		at(f, 0), "veth-stor carried the bytes (received 110.0 MB/s, 9 % of its 10 Gb/s), "
			  "the link diag predicted for the source's server 10.213.2.2");
	json_decref(f);
	json_decref(d);
}

/* Lustre over o2ib: the route's interface is ib0, the bytes are on the port under it. */
static json_t *ib_host(void)
{
	json_t *nics = json_array();

	json_array_append_new(nics, nic("eth0", "up", 10000, -1));
	json_t *ib0 = nic("ib0", "up", 100000, -1);
	json_object_set_new(ib0, "rdma_port", json_string("mlx5_0/1"));
	json_array_append_new(nics, ib0);
	json_array_append_new(nics, nic("eth1", "down", 100000, -1));
	json_t *bonded = nic("eth3", "up", 25000, -1);
	json_object_set_new(bonded, "master", json_string("bond0"));
	json_array_append_new(nics, bonded);
	return json_pack("{s:o, s:[{s:s, s:s, s:s, s:i, s:s}, {s:s, s:s, s:s, s:i}]}", "interfaces",
			 nics, "rdma_ports", "name", "mlx5_0/1", "state", "ACTIVE", "link_layer",
			 "InfiniBand", "rate_mbps", 100000, "netdev", "ib0", "name", "mlx5_1/1",
			 "state", "DOWN", "link_layer", "InfiniBand", "rate_mbps", 200000);
}

static void test_rdma(void **state)
{
	(void)state;
	json_t *d = ib_host();
	json_object_set_new(d, "routes",
			    json_pack("[o, o]", route("10.0.0.1", "source", "eth0", "eth0"),
				      route("10.0.0.2", "source", "ib0", "mlx5_0/1")));
	/* Without an RDMA route, the first of the source's routes is judged: tcp via eth0. */
	json_t *f = judge(d, sampler("mlx5_0/1", 9e9, 1e7));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(
		at(f, 0), "mlx5_0/1 (the RDMA port of ib0) carried the bytes (received 9000.0 "
			  "MB/s, 72 % of its 100 Gb/s), not eth0, the link diag predicted for the "
			  "source's server 10.0.0.1");
	json_decref(f);

	/* Lustre's tcp NID first, its o2ib NID second: a client with the port takes o2ib. */
	json_t *o2ib = json_array_get(json_object_get(d, "routes"), 1);
	json_object_set_new(o2ib, "rdma", json_true());
	json_object_set_new(o2ib, "rdma_port", json_string("mlx5_0/1"));
	f = judge(d, sampler("mlx5_0/1", 9e9, 1e7));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(at(f, 0),
			    "mlx5_0/1 (the RDMA port of ib0) carried the bytes (received 9000.0 "
			    "MB/s, 72 % of its 100 Gb/s), the link diag predicted for the source's "
			    "server 10.0.0.2");
	json_decref(f);

	/* The o2ib NID's route alone: the port is the prediction; IPoIB's ib0 is the same link. */
	json_array_remove(json_object_get(d, "routes"), 0);
	f = judge(d, sampler("mlx5_0/1", 9e9, 1e7));
	assert_int_equal(json_array_size(f), 1);
	assert_non_null(strstr(at(f, 0), "72 % of its 100 Gb/s), the link diag predicted for the "
					 "source's server 10.0.0.2"));
	json_decref(f);
	f = judge(d, sampler("ib0", 2e9, 0));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(at(f, 0), "ib0 carried the bytes (received 2000.0 MB/s, 16 % of its "
				      "100 Gb/s), the link diag predicted for the source's server "
				      "10.0.0.2");
	json_decref(f);

	/* NFS over eth0 while the InfiniBand port is up: the advice names both and their speeds.
	 * eth1 (down), eth3 (a bond's member) and mlx5_1/1 (down) are no candidates. */
	json_array_clear(json_object_get(d, "routes"));
	json_array_append_new(json_object_get(d, "routes"),
			      route("nfs.example.org", "source", "eth0", "eth0"));
	f = judge(d, sampler("eth0", 1.18e9, 2e7));
	assert_int_equal(json_array_size(f), 2);
	assert_string_equal(
		at(f, 0), "eth0 carried the bytes (received 1180.0 MB/s, 94 % of its 10 Gb/s: the "
			  "link was the limit), the link diag predicted for the source's server "
			  "nfs.example.org");
	assert_string_equal(
		at(f, 1), "ib0 (100 Gb/s) is up while the bytes came over eth0 (10 Gb/s): the "
			  "mount should use the storage network's address, so that they take ib0");
	json_decref(f);
	json_decref(d);
}

static void test_quiet(void **state)
{
	(void)state;
	json_t *d = lab("veth-pub");

	/* No link moved 0.1 MB/s: no claim about the copy. */
	json_t *f = judge(d, sampler("veth-pub", 5e4, 1e3));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	/* No network filesystem: no route, nothing to judge. */
	json_array_clear(json_object_get(d, "routes"));
	f = judge(d, sampler("veth-pub", 5e8, 0));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	/* A route that failed is no prediction. */
	json_array_append_new(
		json_object_get(d, "routes"),
		json_pack("{s:s, s:s, s:n}", "target", "10.9.9.9", "why", "source", "interface"));
	f = judge(d, sampler("veth-pub", 5e8, 0));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	/* No top interface. */
	f = judge(d, json_object());
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	json_decref(d);
}

/* Writing to a network DST; a link diag does not know (watch's folder, an old results.json). */
static void test_direction_and_unknown(void **state)
{
	(void)state;
	json_t *d = json_pack("{s:[o], s:[o]}", "interfaces", nic("eth0", "up", 25000, -1),
			      "routes", route("10.1.1.1", "destination", "eth0", "eth0"));
	json_t *f = judge(d, sampler("eth0", 1e6, 2.5e9));

	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(at(f, 0),
			    "eth0 carried the bytes (sent 2500.0 MB/s, 80 % of its 25 "
			    "Gb/s: the link was the limit), the link diag predicted for the "
			    "destination's server 10.1.1.1");
	json_decref(f);
	/* --route-to's route; a carrier whose speed only the sampler noted; another unknown. */
	json_decref(d);
	d = json_pack("{s:[o]}", "routes", route("10.1.1.1", "route-to", "eth0", "eth0"));
	json_t *smp = sampler("eth5", 3e8, 0);
	json_object_set_new(json_object_get(json_object_get(smp, "net"), "eth5"), "speed_mbps",
			    json_integer(2500));
	f = judge(d, smp);
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(at(f, 0), "eth5 carried the bytes (received 300.0 MB/s, 96 % of its "
				      "2.5 Gb/s: the link was the limit), not eth0, the link diag "
				      "predicted for 10.1.1.1");
	json_decref(f);
	f = judge(d, sampler("eth6", 3e8, 0));
	assert_string_equal(at(f, 0), "eth6 carried the bytes (received 300.0 MB/s, its speed is "
				      "unknown), not eth0, the link diag predicted for 10.1.1.1");
	json_decref(f);
	json_decref(d);
}

static void test_speed_text(void **state)
{
	char buf[32];
	(void)state;

	links_speed_text(400000, buf, sizeof(buf));
	assert_string_equal(buf, "400 Gb/s");
	links_speed_text(2500, buf, sizeof(buf));
	assert_string_equal(buf, "2.5 Gb/s");
	links_speed_text(100, buf, sizeof(buf));
	assert_string_equal(buf, "100 Mb/s");
	links_speed_text(-1, buf, sizeof(buf));
	assert_string_equal(buf, "unknown speed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab),	   cmocka_unit_test(test_rdma),
		cmocka_unit_test(test_quiet),	   cmocka_unit_test(test_direction_and_unknown),
		cmocka_unit_test(test_speed_text), cmocka_unit_test(test_loopback_busier),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
