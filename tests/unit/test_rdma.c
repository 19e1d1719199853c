/* SPDX-License-Identifier: MIT */
/*
 * test_rdma.c - InfiniBand and RoCE ports on a fixture /sys/class/infiniband (prometheus/procfs's
 * hfi1_0, mlx4_0 and mlx5_0, with a pre-4.5 counters_ext port, IPoIB interfaces and a bnxt_re
 * RoCE port after the kernel's layout; tests/data/rdma/SOURCES): rates, states, the interface on
 * each port, the byte counters in 4-byte words, 64-bit and hw_counters; then the sampler, which
 * adds the ports to the interfaces it counts.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/util.h"
#include "report/report.h"
#include "sys/rdma.h"
#include "sys/sampler.h"
#include "testutil.h"

static void test_parse(void **state)
{
	char buf[32];
	(void)state;

	assert_int_equal(rdma_parse_rate("100 Gb/sec (4X EDR)"), 100000);
	assert_int_equal(rdma_parse_rate("2.5 Gb/sec (1X SDR)"), 2500);
	assert_int_equal(rdma_parse_rate("400 Gb/sec (4X NDR)\n"), 400000);
	assert_int_equal(rdma_parse_rate("25 Gb/sec (1X EDR)"), 25000);
	assert_int_equal(rdma_parse_rate(""), -1);
	assert_int_equal(rdma_parse_rate("fast"), -1);
	assert_int_equal(rdma_parse_rate("100 Mb/s"), -1);
	rdma_parse_state("4: ACTIVE\n", buf, sizeof(buf));
	assert_string_equal(buf, "ACTIVE");
	rdma_parse_state("5: LinkUp", buf, sizeof(buf));
	assert_string_equal(buf, "LinkUp");
}

static const struct rdma_port *find(const struct rdma_port *v, size_t nr, const char *name)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	fail_msg("no port %s", name);
	return NULL;
}

static void test_list(void **state)
{
	char *root = test_source_path("data/rdma");
	struct rdma_port *v;
	size_t nr;
	(void)state;

	assert_int_equal(rdma_list_ports(root, &v, &nr), 0);
	assert_int_equal(nr, 5);
	/* Sorted by device, then port. */
	assert_string_equal(v[0].name, "bnxt_re0/1");
	assert_string_equal(v[1].name, "hfi1_0/1");
	assert_string_equal(v[2].name, "mlx4_0/1");
	assert_string_equal(v[3].name, "mlx4_0/2");
	assert_string_equal(v[4].name, "mlx5_0/1");

	const struct rdma_port *p = find(v, nr, "mlx5_0/1");
	assert_string_equal(p->device, "mlx5_0");
	assert_int_equal(p->port, 1);
	assert_string_equal(p->link_layer, "InfiniBand");
	assert_string_equal(p->state, "ACTIVE");
	assert_true(p->up);
	assert_string_equal(p->rate, "25 Gb/sec (1X EDR)");
	assert_int_equal(p->rate_mbps, 25000);
	assert_string_equal(p->netdev, "ib0");
	assert_int_equal(p->counters, RDMA_COUNTERS_PMA);

	p = find(v, nr, "hfi1_0/1");
	assert_int_equal(p->rate_mbps, 100000);
	assert_string_equal(p->phys_state, "LinkUp");
	assert_string_equal(p->netdev, "");
	/* Two ports on one PCI function: each IPoIB interface by its dev_port. */
	assert_string_equal(find(v, nr, "mlx4_0/1")->netdev, "ib1");
	assert_string_equal(find(v, nr, "mlx4_0/2")->netdev, "ib2");
	assert_int_equal(find(v, nr, "mlx4_0/1")->rate_mbps, 40000);
	assert_int_equal(find(v, nr, "mlx4_0/1")->counters, RDMA_COUNTERS_PMA);
	assert_int_equal(find(v, nr, "mlx4_0/2")->counters, RDMA_COUNTERS_EXT);
	/* RoCE: the GID table names the netdev; bytes in hw_counters. */
	p = find(v, nr, "bnxt_re0/1");
	assert_string_equal(p->link_layer, "Ethernet");
	assert_string_equal(p->netdev, "ens1f0np0");
	assert_int_equal(p->counters, RDMA_COUNTERS_HW);
	free(v);

	/* No /sys/class/infiniband: no ports, no error. */
	char *empty = test_tmpdir("rdma-none");
	assert_int_equal(rdma_list_ports(empty, &v, &nr), 0);
	assert_int_equal(nr, 0);
	assert_null(v);
	assert_int_equal(test_rmtree(empty), 0);
	free(empty);
	free(root);
}

static void test_counters(void **state)
{
	char *root = test_source_path("data/rdma");
	struct rdma_port *v;
	struct rdma_counters c;
	size_t nr;
	(void)state;

	assert_int_equal(rdma_list_ports(root, &v, &nr), 0);
	/* port_*_data counts 4-byte words. */
	assert_int_equal(rdma_read_counters(root, find(v, nr, "mlx5_0/1"), &c), 0);
	assert_int_equal(c.rx_bytes, UINT64_C(18126345378) * 4);
	assert_int_equal(c.tx_bytes, UINT64_C(2880761508848) * 4);
	assert_int_equal(c.rx_packets, UINT64_C(541889824));
	assert_int_equal(c.tx_packets, UINT64_C(10907922116));
	assert_false(c.saturated);
	assert_int_equal(rdma_read_counters(root, find(v, nr, "hfi1_0/1"), &c), 0);
	assert_int_equal(c.rx_bytes, UINT64_C(345091702026) * 4);
	/* Before 4.5: counters_ext's 64-bit words, not the stuck 32-bit counter. */
	assert_int_equal(rdma_read_counters(root, find(v, nr, "mlx4_0/2"), &c), 0);
	assert_int_equal(c.tx_bytes, UINT64_C(26540356890) * 4);
	assert_int_equal(c.rx_bytes, UINT64_C(2460436784) * 4);
	assert_int_equal(c.rx_packets, UINT64_C(89332064));
	assert_false(c.saturated);
	/* hw_counters count bytes. */
	assert_int_equal(rdma_read_counters(root, find(v, nr, "bnxt_re0/1"), &c), 0);
	assert_int_equal(c.rx_bytes, UINT64_C(1000000000));
	assert_int_equal(c.tx_bytes, UINT64_C(2000000000));
	assert_int_equal(c.tx_packets, UINT64_C(1400000));

	/* The 32-bit counter that stopped, read as it is, says so. */
	struct rdma_port stuck = *find(v, nr, "mlx4_0/2");
	stuck.counters = RDMA_COUNTERS_PMA;
	assert_int_equal(rdma_read_counters(root, &stuck, &c), 0);
	assert_true(c.saturated);
	assert_int_equal(c.tx_bytes, UINT64_C(4294967295) * 4);
	free(v);

	/* "N/A (no PMA)" is no number; a port without counters has none. */
	char *tmp = test_tmpdir("rdma-na");
	test_put_file(tmp, "sys/class/infiniband/x_0/ports/1/counters/port_rcv_data",
		      "N/A (no PMA)\n");
	test_put_file(tmp, "sys/class/infiniband/x_0/ports/1/counters/port_xmit_data",
		      "N/A (no PMA)\n");
	test_put_file(tmp, "sys/class/infiniband/x_0/ports/1/rate", "10 Gb/sec (4X)\n");
	test_put_file(tmp, "sys/class/infiniband/y_0/ports/1/state", "1: DOWN\n");
	assert_int_equal(rdma_list_ports(tmp, &v, &nr), 0);
	assert_int_equal(nr, 2);
	assert_int_equal(v[0].rate_mbps, 10000);
	assert_int_equal(rdma_read_counters(tmp, &v[0], &c), -ENODATA);
	assert_false(v[1].up);
	assert_int_equal(v[1].counters, RDMA_COUNTERS_NONE);
	assert_int_equal(rdma_read_counters(tmp, &v[1], &c), -ENODATA);
	free(v);
	assert_int_equal(test_rmtree(tmp), 0);
	free(tmp);
	free(root);
}

/*
 * Reading k of a copy that moves: IPoIB on ib0 100 MB a second, RDMA another 300 MB a second
 * on the port (which counts both, in 4-byte words), eth0 a trickle.
 */
static void write_reading(const char *root, unsigned k)
{
	const uint64_t ipoib = UINT64_C(100000000) * k;
	const uint64_t words = (UINT64_C(18126345378) * 4 + ipoib + UINT64_C(300000000) * k) / 4;

	test_put_file(root, "proc/diskstats", " 259       0 nvme0n1 1 0 8 1 0 0 0 0 0 1 1\n");
	test_put_file(
		root, "proc/net/dev",
		"Inter-|   Receive                                                |  Transmit\n"
		" face |bytes    packets errs drop fifo frame compressed multicast|bytes    "
		"packets errs drop fifo colls carrier compressed\n"
		"  eth0: %u 10 0 0 0 0 0 0 %u 10 0 0 0 0 0 0\n"
		"   ib0: %llu %u 0 0 0 0 0 0 5000 50 0 0 0 0 0 0\n",
		1000 + 1000 * k, 1000 + 1000 * k, (unsigned long long)(5000 + ipoib),
		100 + 1000 * k);
	test_put_file(root, "sys/class/infiniband/mlx5_0/ports/1/counters/port_rcv_data", "%llu\n",
		      (unsigned long long)words);
	test_put_file(root, "sys/class/infiniband/mlx5_0/ports/1/counters/port_xmit_data",
		      "2880761508848\n");
}

static void test_sampler(void **state)
{
	char *root = test_tmpdir("rdma-sampler");
	const struct sampler_path paths[] = {{"/", "source"}};
	const struct sampler_config cfg = {
		.sysroot = root, .interval_s = 1.0, .paths = paths, .nr_paths = 1};
	struct sampler s;
	(void)state;

	test_put_file(root, "sys/class/infiniband/mlx5_0/ports/1/rate", "25 Gb/sec (1X EDR)\n");
	test_put_file(root, "sys/class/infiniband/mlx5_0/ports/1/state", "4: ACTIVE\n");
	test_put_file(root, "sys/class/infiniband/mlx5_0/ports/1/link_layer", "InfiniBand\n");
	test_put_file(root, "sys/class/infiniband/mlx5_0/device/net/ib0/dev_port", "0\n");
	test_put_file(root, "sys/class/net/ib0/speed", "100000\n");
	test_put_file(root, "sys/class/net/eth0/speed", "10000\n");
	/* A port that is down is known but not read (each read is a query to the adapter). */
	test_put_file(root, "sys/class/infiniband/mlx5_1/ports/1/state", "1: DOWN\n");
	test_put_file(root, "sys/class/infiniband/mlx5_1/ports/1/counters/port_rcv_data", "7\n");
	write_reading(root, 0);
	assert_int_equal(sampler_init(&s, &cfg), 0);
	assert_int_equal(s.nr_rdma, 1);
	assert_string_equal(s.rdma[0].name, "mlx5_0/1");
	assert_non_null(sampler_find_link(&s, "mlx5_1/1"));
	for (unsigned k = 0; k < 4; k++) {
		write_reading(root, k);
		assert_int_equal(sampler_sample_at(&s, UINT64_C(1000000000) * (k + 1)), 0);
	}
	json_t *sum = sampler_summary_json(&s, 0, 3);
	const json_t *net = json_object_get(sum, "net");
	const json_t *port = json_object_get(net, "mlx5_0/1");
	const json_t *ib0 = json_object_get(net, "ib0");

	assert_non_null(port);
	assert_int_equal(json_integer_value(json_object_get(port, "rx_bytes")), 1200000000);
	assert_int_equal(json_integer_value(json_object_get(port, "tx_bytes")), 0);
	assert_string_equal(json_string_value(json_object_get(port, "kind")), "rdma");
	assert_int_equal(json_integer_value(json_object_get(port, "speed_mbps")), 25000);
	assert_string_equal(json_string_value(json_object_get(port, "link_layer")), "InfiniBand");
	assert_string_equal(json_string_value(json_object_get(port, "netdev")), "ib0");
	assert_float_equal(
		json_number_value(json_object_get(json_object_get(port, "mean"), "rx_bytes_s")),
		4e8, 1e-3);
	assert_int_equal(json_integer_value(json_object_get(ib0, "rx_bytes")), 300000000);
	assert_string_equal(json_string_value(json_object_get(ib0, "kind")), "ip");
	assert_int_equal(json_integer_value(json_object_get(ib0, "speed_mbps")), 100000);
	assert_string_equal(json_string_value(json_object_get(sum, "top_interface")), "mlx5_0/1");
	/* The port counts ib0's bytes too: they are not counted twice in the shares. */
	char *findings = json_dumps(json_object_get(sum, "findings"), 0);
	print_message("%s\n", findings);
	assert_non_null(strstr(findings, "network: mlx5_0/1 carried 100 % of the bytes (1200.0 MB "
					 "received, 0.0 MB sent)"));
	free(findings);
	/* The table watch and report print: the port's row beside the IP interfaces, each with
	 * its kind and speed in the link column. */
	char *table = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&table, &len);
	assert_non_null(f);
	report_sampler(sum, f);
	assert_int_equal(fclose(f), 0);
	print_message("%s", table);
	const char *row = strstr(table, "\nmlx5_0/1         rdma 25 Gb/s ");
	double rx_mb = 0;
	assert_non_null(row);
	assert_int_equal(sscanf(row + 32, "%lf", &rx_mb), 1);
	assert_float_equal(rx_mb, 1200.0, 1e-9);
	assert_non_null(strstr(table, "\nib0              ip 100 Gb/s "));
	assert_non_null(strstr(table, "\neth0             ip 10 Gb/s "));
	free(table);
	json_decref(sum);
	sampler_release(&s);
	assert_int_equal(test_rmtree(root), 0);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_sampler),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
