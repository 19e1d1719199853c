/* SPDX-License-Identifier: MIT */
/*
 * test_sampler.c - the sampler end to end on a fixture /proc and /sys: devices this machine
 * does not have (an NVMe partition, a disk that vanishes and comes back), two NICs and an NFS
 * mount, read four times one second apart, and the summary and series checked against answers
 * computed by hand. Then the thread, briefly, on the live system.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/util.h"
#include "sys/sampler.h"
#include "testutil.h"

struct fixture {
	char *dir; /* the sysroot, and DST inside it */
	char *shm; /* SRC: on a filesystem with an anonymous device, as NFS has */
	char *src;
	char *dst;
};

/* A fixture file below the fake root: rewritten in place, as the sampler keeps /proc files open. */
#define put(fx, rel, ...) test_put_file((fx)->dir, rel, __VA_ARGS__)

static void link_to(const struct fixture *fx, const char *rel, const char *target)
{
	char *path = path_join(fx->dir, rel);
	char *slash = strrchr(path, '/');

	*slash = '\0';
	assert_int_equal(mkdir_p(path), 0);
	*slash = '/';
	assert_int_equal(symlink(target, path), 0);
	free(path);
}

#define NVME "devices/pci0000:00/0000:00:04.0/nvme/nvme0/nvme0n1"

static int setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));
	char shm_tmpl[] = "/dev/shm/ccb-sampler.XXXXXX";
	struct stat sd, ss;

	fx->dir = test_tmpdir("sampler");
	assert_non_null(fx->dir);
	fx->shm = mkdtemp(shm_tmpl) ? xstrdup(shm_tmpl) : NULL;
	fx->dst = path_join(fx->dir, "dst");
	assert_int_equal(mkdir(fx->dst, 0777), 0);
	assert_int_equal(stat(fx->dst, &sd), 0);
	if (!fx->shm || stat(fx->shm, &ss) || major(ss.st_dev) != 0) {
		*state = fx;
		return 0; /* the test skips */
	}
	fx->src = xstrdup(fx->shm);

	/* DST on nvme0n1p2 (its real device number), SRC on NFS (tmpfs's anonymous one). */
	put(fx, "proc/self/mountinfo",
	    "21 1 %u:%u / %s rw,relatime - ext4 /dev/nvme0n1p2 rw\n"
	    "22 1 0:%u / %s rw,relatime - nfs4 server:/export rw,vers=4.2\n",
	    major(sd.st_dev), minor(sd.st_dev), fx->dst, minor(ss.st_dev), fx->src);
	char *link = xasprintf("sys/dev/block/%u:%u", major(sd.st_dev), minor(sd.st_dev));
	link_to(fx, link, "../../" NVME "/nvme0n1p2");
	free(link);
	link_to(fx, "sys/dev/block/259:0", "../../" NVME);
	put(fx, "sys/" NVME "/dev", "259:0\n");
	put(fx, "sys/" NVME "/nvme0n1p2/dev", "%u:%u\n", major(sd.st_dev), minor(sd.st_dev));
	put(fx, "sys/" NVME "/nvme0n1p2/partition", "2\n");
	link_to(fx, "sys/class/block/nvme0n1", "../../" NVME);
	link_to(fx, "sys/class/block/nvme0n1p2", "../../" NVME "/nvme0n1p2");
	put(fx, "sys/class/block/sdb/dev", "8:16\n");
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	int ret = test_rmtree(fx->dir);

	if (fx->shm && test_rmtree(fx->shm))
		ret = -1;
	if (ret)
		fprintf(stderr, "could not remove %s\n", fx->dir);
	free(fx->dir);
	free(fx->shm);
	free(fx->src);
	free(fx->dst);
	free(fx);
	return 0;
}

/*
 * Reading k (0..3), one second apart. Each second: nvme0n1 (and its partition) writes 1000
 * requests of 204800 sectors in 500 ms, busy 950 ms, 4000 ms of queue; its io_ticks wraps at
 * 2^32 in the first second. sdb reads 100 requests of 8000 sectors in the first second, is gone
 * at reading 2 and back, new, at reading 3 with 10 reads of 800 sectors. cpu0 is all busy
 * (user 70, system 30 ticks), cpu1 10 % (system 10, idle 80, iowait 10). eth1 receives 100 MB
 * and sends 1 MB a second, eth0 receives 1 MB. The NFS mount reads 100 MiB in 100 READs
 * (RTT 200 ms, execution 250 ms in all). I/O pressure: some 50 %, full 25 %; CPU some 10 %.
 * loop2, idle since boot, reads 5 requests of 40 sectors a second from reading 2 on; loop3
 * stays idle.
 */
static void write_reading(const struct fixture *fx, unsigned k)
{
	static const unsigned dirty_kb[] = {1000, 50000, 100000, 20000};
	static const unsigned writeback_kb[] = {0, 3000, 6000, 0};
	const uint64_t io_ticks = (UINT64_C(4294966846) + 950 * k) & 0xffffffffu;
	char sdb[128] = "";
	char nvme[256];

	snprintf(nvme, sizeof(nvme), "%llu 0 %llu %llu 2 %llu %llu 0 0 0 0 %llu %llu",
		 996852ull + 1000 * k, 36123024ull + 204800 * k, 425995ull + 500 * k,
		 (unsigned long long)io_ticks, 580470ull + 4000 * k, 60602ull + k, 106555ull + k);
	if (k == 0)
		strcpy(sdb, "   8      16 sdb 1000 0 80000 500 0 0 0 0 0 900 800\n");
	else if (k == 1)
		strcpy(sdb, "   8      16 sdb 1100 0 88000 550 0 0 0 0 0 1000 900\n");
	else if (k == 3)
		strcpy(sdb, "   8      16 sdb 10 0 800 5 0 0 0 0 0 9 8\n");
	put(fx, "proc/diskstats",
	    "   7       2 loop2 %u 0 %u 0 0 0 0 0 0 %u %u 0 0 0 0 0 0\n"
	    "   7       3 loop3 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
	    " 259       0 nvme0n1 255999 814 12369153 47919 %s\n"
	    " 259       2 nvme0n1p2 255401 1 12343477 47799 %s\n%s",
	    k < 2 ? 0 : 5 * (k - 1), k < 2 ? 0 : 40 * (k - 1), k < 2 ? 0 : k - 1, k < 2 ? 0 : k - 1,
	    nvme, nvme, sdb);
	put(fx, "proc/stat",
	    "cpu  %u 0 %u %u %u 0 0 0 0 0\ncpu0 %u 0 %u %u 0 0 0 0 0 0\n"
	    "cpu1 500 0 %u %u %u 0 0 0 0 0\nintr 5 0 0\nctxt 100\n",
	    1000 + 70 * k, 500 + 40 * k, 8000 + 80 * k, 100 + 10 * k, 500 + 70 * k, 250 + 30 * k,
	    4000, 250 + 10 * k, 4000 + 80 * k, 100 + 10 * k);
	put(fx, "proc/net/dev",
	    "Inter-|   Receive                                                |  Transmit\n"
	    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "
	    "errs drop fifo colls carrier compressed\n"
	    "    lo:       0       0    0    0    0     0          0         0        0       0 "
	    "   0    0    0     0       0          0\n"
	    "  eth0: %u 100 0 0 0 0 0 0 5000 50 0 0 0 0 0 0\n"
	    "  eth1: %llu %u 0 0 0 0 0 0 %u %u 0 0 0 0 0 0\n",
	    5000000 + 1000000 * k, 2000000000ull + 100000000ull * k, 70000 + 70000 * k,
	    3000000 + 1000000 * k, 9000 + 9000 * k);
	put(fx, "proc/self/mountstats",
	    "device /dev/nvme0n1p2 mounted on %s with fstype ext4\n"
	    "device server:/export mounted on %s with fstype nfs4 statvers=1.1\n"
	    "\topts:\trw,vers=4.2\n\tage:\t100\n"
	    "\tbytes:\t%llu 0 0 0 %llu 0 %u 0\n"
	    "\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n"
	    "\tper-op statistics\n"
	    "\t        NULL: 1 1 0 44 24 0 0 1 0\n"
	    "\t        READ: %u %u 0 %u %llu %u %u %u 0\n"
	    "\t       WRITE: 0 0 0 0 0 0 0 0 0\n",
	    fx->dst, fx->src, 1000000ull + 104857600ull * k, 1000000ull + 104857600ull * k,
	    25600 * k, 100 * k, 100 * k, 13200 * k, 104870400ull * k, k, 200 * k, 250 * k);
	put(fx, "proc/pressure/io",
	    "some avg10=1.00 avg60=0.00 avg300=0.00 total=%u\n"
	    "full avg10=0.50 avg60=0.00 avg300=0.00 total=%u\n",
	    1000 + 500000 * k, 700 + 250000 * k);
	put(fx, "proc/pressure/cpu", "some avg10=0.10 avg60=0.00 avg300=0.00 total=%u\n",
	    100000 * k);
	put(fx, "proc/pressure/memory",
	    "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
	    "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	put(fx, "proc/meminfo", "MemTotal: 1000000 kB\nDirty: %u kB\nWriteback: %u kB\n",
	    dirty_kb[k], writeback_kb[k]);
}

static json_t *path_get(json_t *o, const char *a, const char *b, const char *c)
{
	o = json_object_get(o, a);
	if (b)
		o = json_object_get(o, b);
	if (c)
		o = json_object_get(o, c);
	return o;
}

static double num(json_t *o, const char *a, const char *b, const char *c)
{
	json_t *v = path_get(o, a, b, c);

	if (!json_is_number(v))
		fail_msg("%s.%s.%s is not a number", a, b ? b : "", c ? c : "");
	return json_number_value(v);
}

static void take_four_readings(struct fixture *fx, struct sampler *s)
{
	const struct sampler_path paths[] = {{fx->src, "source"}, {fx->dst, "destination"}};
	const struct sampler_config cfg = {
		.sysroot = fx->dir, .interval_s = 1.0, .paths = paths, .nr_paths = 2};

	assert_int_equal(sampler_init(s, &cfg), 0);
	for (unsigned k = 0; k < 4; k++) {
		write_reading(fx, k);
		assert_int_equal(sampler_sample_at(s, 1000000000ull * (k + 1)), 0);
	}
	assert_int_equal(s->nr_snap, 4);
}

static void test_summary(void **state)
{
	struct fixture *fx = *state;
	struct sampler s;
	json_t *sum;
	json_t *dev;

	if (!fx->src)
		skip();
	take_four_readings(fx, &s);
	/* The paths resolved through the fixture: DST to nvme0n1p2 and its disk, SRC to NFS. */
	assert_int_equal(s.targets[1].dev.nr_chain, 2);
	assert_string_equal(s.targets[1].dev.chain[0], "nvme0n1p2");
	assert_string_equal(s.targets[1].dev.chain[1], "nvme0n1");
	assert_int_equal(s.nr_nfs, 1);
	assert_string_equal(s.nfs_mounts[0], fx->src);

	sum = sampler_summary_json(&s, 0, 3);
	assert_float_equal(num(sum, "seconds", NULL, NULL), 3.0, 1e-9);
	assert_int_equal(json_integer_value(json_object_get(sum, "samples")), 4);
	assert_false(json_is_true(json_object_get(sum, "short")));
	assert_int_equal(json_array_size(json_object_get(sum, "unavailable")), 0);

	/* nvme0n1: 3000 writes of 3 * 204800 sectors in 1500 ms, busy 2850 of 3000 ms. */
	dev = path_get(sum, "devices", "nvme0n1", NULL);
	assert_non_null(dev);
	assert_string_equal(json_string_value(json_object_get(dev, "kind")), "disk");
	assert_string_equal(json_string_value(json_array_get(json_object_get(dev, "roles"), 0)),
			    "destination");
	assert_int_equal(json_integer_value(json_object_get(dev, "write_bytes")), 314572800);
	assert_int_equal(json_integer_value(json_object_get(dev, "write_ios")), 3000);
	assert_int_equal(json_integer_value(json_object_get(dev, "read_bytes")), 0);
	assert_int_equal(json_integer_value(json_object_get(dev, "flush_ios")), 3);
	assert_int_equal(json_integer_value(json_object_get(dev, "io_ticks_ms")), 2850);
	assert_float_equal(num(dev, "mean", "w/s", NULL), 1000, 1e-9);
	assert_float_equal(num(dev, "mean", "wkB/s", NULL), 102400, 1e-9);
	assert_float_equal(num(dev, "mean", "w_await", NULL), 0.5, 1e-9);
	assert_float_equal(num(dev, "mean", "wareq-sz", NULL), 102.4, 1e-9);
	assert_float_equal(num(dev, "mean", "util", NULL), 95, 1e-9); /* across the wrap */
	assert_float_equal(num(dev, "mean", "aqu-sz", NULL), 4, 1e-9);
	assert_float_equal(num(dev, "mean", "f/s", NULL), 1, 1e-9);
	assert_float_equal(num(dev, "peak", "util", NULL), 95, 1e-9);
	assert_float_equal(num(dev, "busy90_share", NULL, NULL), 1.0, 1e-9);
	dev = path_get(sum, "devices", "nvme0n1p2", NULL);
	assert_string_equal(json_string_value(json_object_get(dev, "kind")), "partition");

	/* sdb: 100 reads, gone, then new with 10 reads: 110 reads of 8800 sectors in all. */
	dev = path_get(sum, "devices", "sdb", NULL);
	assert_non_null(dev);
	assert_int_equal(json_array_size(json_object_get(dev, "roles")), 0);
	assert_int_equal(json_integer_value(json_object_get(dev, "read_ios")), 110);
	assert_int_equal(json_integer_value(json_object_get(dev, "read_bytes")), 8800 * 512);
	assert_true(json_is_true(json_object_get(dev, "vanished")));
	assert_true(json_is_true(json_object_get(dev, "appeared")));
	assert_float_equal(num(dev, "counted_s", NULL, NULL), 2.0, 1e-9);
	/* loop2 was there, idle, before it read: counted from zero, not "appeared". */
	dev = path_get(sum, "devices", "loop2", NULL);
	assert_non_null(dev);
	assert_string_equal(json_string_value(json_object_get(dev, "kind")), "loop");
	assert_int_equal(json_integer_value(json_object_get(dev, "read_ios")), 10);
	assert_int_equal(json_integer_value(json_object_get(dev, "read_bytes")), 80 * 512);
	assert_null(json_object_get(dev, "appeared"));
	assert_null(path_get(sum, "devices", "loop3", NULL)); /* idle since boot */
	assert_string_equal(json_string_value(json_object_get(sum, "busiest_device")), "nvme0n1");
	/* Whole disks only: the partition's writes are not counted twice. */
	assert_int_equal(json_integer_value(path_get(sum, "whole_disks", "write_bytes", NULL)),
			 314572800);
	assert_int_equal(json_integer_value(path_get(sum, "whole_disks", "read_bytes", NULL)),
			 8800 * 512);

	/* CPU over the 3 s: user 210, system 120, idle 240, iowait 30 of 600 ticks. */
	assert_float_equal(num(sum, "cpu", "mean", "user"), 35, 1e-9);
	assert_float_equal(num(sum, "cpu", "mean", "system"), 20, 1e-9);
	assert_float_equal(num(sum, "cpu", "mean", "iowait"), 5, 1e-9);
	assert_float_equal(num(sum, "cpu", "mean", "busy"), 55, 1e-9);
	assert_float_equal(num(sum, "cpu", "peak_busy", NULL), 55, 1e-9);
	assert_int_equal(json_integer_value(path_get(sum, "cpu", "cpus", NULL)), 2);
	assert_int_equal(json_integer_value(path_get(sum, "cpu", "busiest_cpu", "cpu")), 0);
	assert_float_equal(num(sum, "cpu", "busiest_cpu", "peak_busy"), 100, 1e-9);

	/* eth1 carried the bytes; lo moved none and is not listed. */
	assert_string_equal(json_string_value(json_object_get(sum, "top_interface")), "eth1");
	assert_int_equal(json_integer_value(path_get(sum, "net", "eth1", "rx_bytes")), 300000000);
	assert_float_equal(json_number_value(json_object_get(path_get(sum, "net", "eth1", "mean"),
							     "rx_bytes_s")),
			   1e8, 1e-3);
	assert_int_equal(json_integer_value(path_get(sum, "net", "eth0", "rx_bytes")), 3000000);
	assert_null(path_get(sum, "net", "lo", NULL));

	/* NFS: 300 READs, 314572800 bytes, RTT 600 / 300 = 2 ms, execution 750 / 300 = 2.5 ms. */
	dev = path_get(sum, "nfs", fx->src, NULL);
	assert_non_null(dev);
	assert_string_equal(json_string_value(json_object_get(dev, "device")), "server:/export");
	assert_int_equal(json_integer_value(json_object_get(dev, "read_bytes")), 314572800);
	assert_int_equal(json_integer_value(path_get(dev, "read", "ops", NULL)), 300);
	assert_float_equal(num(dev, "read", "avg_rtt_ms", NULL), 2, 1e-9);
	assert_float_equal(num(dev, "read", "avg_exe_ms", NULL), 2.5, 1e-9);
	assert_float_equal(num(dev, "read", "kB/s", NULL), 102425.390625, 1e-6);

	/* Pressure as shares of the time; memory in bytes. */
	assert_float_equal(num(sum, "psi", "io", "some_pct"), 50, 1e-9);
	assert_float_equal(num(sum, "psi", "io", "full_pct"), 25, 1e-9);
	assert_float_equal(num(sum, "psi", "cpu", "some_pct"), 10, 1e-9);
	assert_null(path_get(sum, "psi", "cpu", "full_pct"));
	assert_int_equal(json_integer_value(path_get(sum, "memory", "dirty_peak_bytes", NULL)),
			 100000 * 1024);
	assert_int_equal(json_integer_value(path_get(sum, "memory", "dirty_mean_bytes", NULL)),
			 42750 * 1024);
	assert_int_equal(json_integer_value(path_get(sum, "memory", "writeback_peak_bytes", NULL)),
			 6000 * 1024);

	/* Findings say it in words; a vanished device is a warning. */
	char *findings = json_dumps(json_object_get(sum, "findings"), 0);
	assert_non_null(strstr(findings, "destination device nvme0n1: 0.0 MB/s read, 104.9 MB/s "
					 "written; 95 % busy"));
	assert_non_null(strstr(findings, "4.0 requests queued"));
	assert_non_null(strstr(findings, "cpu0 was 100 % busy"));
	assert_non_null(strstr(findings, "eth1 carried 99 % of the bytes"));
	assert_non_null(strstr(findings, "NFS "));
	free(findings);
	char *warnings = json_dumps(json_object_get(sum, "warnings"), 0);
	assert_non_null(strstr(warnings, "device sdb vanished"));
	free(warnings);
	json_decref(sum);

	/* One interval is shorter than three: flagged. */
	sum = sampler_summary_json(&s, 0, 1);
	assert_true(json_is_true(json_object_get(sum, "short")));
	assert_float_equal(
		json_number_value(json_object_get(path_get(sum, "devices", "sdb", "mean"), "r/s")),
		100, 1e-9);
	json_decref(sum);
	sampler_release(&s);
}

static void test_series(void **state)
{
	struct fixture *fx = *state;
	struct sampler s;
	json_t *doc;
	json_t *cols;
	json_t *rows;
	json_error_t err;
	char *path;
	char *text = NULL;
	long util = -1, sdb = -1, eth1 = -1, busy = -1, window = -1;

	if (!fx->src)
		skip();
	take_four_readings(fx, &s);
	path = path_join(fx->dir, "series.json");
	assert_int_equal(sampler_write_series(&s, fx->dir, "series.json", false, NULL, 0), 0);
	doc = json_load_file(path, 0, &err);
	if (!doc)
		fail_msg("series.json: %s (line %d)", err.text, err.line);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")), "cryocache-bench/1");
	cols = json_object_get(doc, "columns");
	rows = json_object_get(doc, "rows");
	assert_int_equal(json_array_size(rows), 3);
	for (size_t c = 0; c < json_array_size(cols); c++) {
		json_t *col = json_array_get(cols, c);
		const char *g = json_string_value(json_array_get(col, 0));
		const char *e = json_string_value(json_array_get(col, 1));
		const char *f = json_string_value(json_array_get(col, 2));

		if (!strcmp(g, "disk") && !strcmp(e, "nvme0n1") && !strcmp(f, "util"))
			util = (long)c;
		if (!strcmp(g, "disk") && !strcmp(e, "sdb") && !strcmp(f, "r/s"))
			sdb = (long)c;
		if (!strcmp(g, "net") && !strcmp(e, "eth1") && !strcmp(f, "rx_bytes_s"))
			eth1 = (long)c;
		if (!strcmp(g, "cpu") && !strcmp(e, "cpu0") && !strcmp(f, "busy"))
			busy = (long)c;
		if (!strcmp(g, "cpu") && !strcmp(f, "window_s"))
			window = (long)c;
	}
	assert_true(util > 0 && sdb > 0 && eth1 > 0 && busy > 0 && window > 0);
	for (size_t r = 0; r < 3; r++) {
		json_t *row = json_array_get(rows, r);

		assert_float_equal(json_number_value(json_array_get(row, 0)), (double)(r + 1),
				   1e-9);
		assert_float_equal(json_number_value(json_array_get(row, 1)), 1.0, 1e-9);
		assert_float_equal(json_number_value(json_array_get(row, (size_t)util)), 95, 1e-9);
		assert_float_equal(json_number_value(json_array_get(row, (size_t)eth1)), 1e8, 1e-3);
		assert_float_equal(json_number_value(json_array_get(row, (size_t)busy)), 100, 1e-9);
		assert_float_equal(json_number_value(json_array_get(row, (size_t)window)), 1.0,
				   1e-9);
	}
	/* sdb: 100 reads in the first second, absent in the second (null), 10 in the third. */
	assert_float_equal(json_number_value(json_array_get(json_array_get(rows, 0), (size_t)sdb)),
			   100, 1e-9);
	assert_true(json_is_null(json_array_get(json_array_get(rows, 1), (size_t)sdb)));
	assert_float_equal(json_number_value(json_array_get(json_array_get(rows, 2), (size_t)sdb)),
			   10, 1e-9);
	json_decref(doc);

	/* CSV: a header and three rows, an empty cell where JSON has null. */
	assert_int_equal(sampler_write_series(&s, fx->dir, "series.json", true, NULL, 0), 0);
	assert_int_equal(read_text_file(path, &text, NULL), 0);
	assert_non_null(strstr(text, "t_s,dt_s,disk:nvme0n1p2:r/s,"));
	assert_non_null(strstr(text, ",net:eth1:rx_bytes_s,"));
	size_t lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 4);
	assert_non_null(strstr(text, ",,"));
	free(text);
	free(path);
	sampler_release(&s);
}

/* The summary without its cost (the CPU time of each sampler's own readings differs). */
static json_t *summary_sans_cost(json_t *o)
{
	json_object_del(o, "cost");
	return o;
}

/*
 * watch's running summary, with every reading it can forget forgotten, against a run's summary
 * of the same readings kept whole: equal, key by key. Three readings 0.4 s apart for each
 * fixture state, so the CPU's 1 s windows span readings that must be kept; the series written
 * as it is read has a row for every interval, as long as its header.
 */
static void test_running(void **state)
{
	struct fixture *fx = *state;
	const struct sampler_path paths[] = {{fx->src, "source"}, {fx->dst, "destination"}};
	struct sampler_config cfg = {
		.sysroot = fx->dir, .interval_s = 0.4, .paths = paths, .nr_paths = 2};
	struct sampler_series_out *out = NULL;
	struct sampler run;
	struct sampler live;
	size_t kept_max = 0;
	json_error_t err;
	char *path;

	if (!fx->src)
		skip();
	assert_int_equal(sampler_init(&run, &cfg), 0);
	cfg.running = true;
	assert_int_equal(sampler_init(&live, &cfg), 0);
	for (unsigned n = 0; n < 12; n++) {
		const uint64_t t = 1000000000ull + 400000000ull * n;

		if (n % 3 == 0)
			write_reading(fx, n / 3);
		assert_int_equal(sampler_sample_at(&run, t), 0);
		assert_int_equal(sampler_sample_at(&live, t), 0);
		if (!out)
			assert_int_equal(sampler_series_open(&live, fx->dir, "live.json", false,
							     &out, NULL, 0), 0);
		else
			assert_int_equal(sampler_series_add(out, &live, NULL, 0), 0);
		sampler_forget_before(&live, sampler_series_needs(out));
		if (live.nr_snap - live.snap_base > kept_max)
			kept_max = live.nr_snap - live.snap_base;
	}
	assert_int_equal(sampler_series_close(out, NULL, 0), 0);
	/* A 1 s CPU window at 0.4 s: its start, two readings in it, and the last. */
	assert_true(live.snap_base > 0);
	assert_true(kept_max <= 4);

	json_t *want = summary_sans_cost(sampler_summary_json(&run, 0, run.nr_snap - 1));
	json_t *got = summary_sans_cost(sampler_running_json(&live));

	if (!json_equal(want, got)) {
		char *a = json_dumps(want, JSON_SORT_KEYS);
		char *b = json_dumps(got, JSON_SORT_KEYS);

		fail_msg("running summary differs:\n%s\n%s", a, b);
	}
	assert_int_equal(json_integer_value(json_object_get(got, "samples")), 12);
	json_decref(want);
	json_decref(got);

	path = path_join(fx->dir, "live.json");
	json_t *doc = json_load_file(path, 0, &err);

	if (!doc)
		fail_msg("live.json: %s (line %d)", err.text, err.line);
	json_t *cols = json_object_get(doc, "columns");
	json_t *rows = json_object_get(doc, "rows");

	assert_int_equal(json_array_size(rows), 11);
	for (size_t r = 0; r < json_array_size(rows); r++)
		assert_int_equal(json_array_size(json_array_get(rows, r)), json_array_size(cols));
	assert_float_equal(json_number_value(json_array_get(json_array_get(rows, 10), 0)), 4.4,
			   1e-9);
	json_decref(doc);
	free(path);
	sampler_release(&run);
	sampler_release(&live);
}

/* Paths the sampler cannot resolve, and files it cannot read: it says so and goes on. */
static void test_missing_sources(void **state)
{
	struct fixture *fx = *state;
	const struct sampler_path paths[] = {{"/nonexistent/path", "source"}};
	char *empty = path_join(fx->dir, "empty-root");
	const struct sampler_config cfg = {
		.sysroot = empty, .interval_s = 0.5, .paths = paths, .nr_paths = 1};
	const struct sampler_config bad = {.sysroot = empty, .interval_s = 0};
	const struct sampler_config busy = {.sysroot = empty, .interval_s = 1e-9};
	struct sampler s;
	json_t *sum;

	assert_int_equal(sampler_init(&s, &bad), -EINVAL);
	/* shorter than SAMPLER_MIN_INTERVAL_S: the sampler would spin */
	assert_int_equal(sampler_init(&s, &busy), -EINVAL);
	assert_int_equal(mkdir(empty, 0777), 0);
	assert_int_equal(sampler_init(&s, &cfg), 0);
	assert_int_equal(sampler_sample_at(&s, 1000000000), -ENOENT);
	assert_int_equal(sampler_sample_at(&s, 2000000000), -ENOENT);
	sum = sampler_summary_json(&s, 0, 1);
	assert_int_equal(json_object_size(json_object_get(sum, "devices")), 0);
	assert_true(json_is_null(json_object_get(sum, "cpu")));
	assert_true(json_array_size(json_object_get(sum, "unavailable")) >= 7);
	json_decref(sum);
	sampler_release(&s);
	free(empty);
}

/* The thread on this machine: readings every 50 ms, a cost, and a clean stop. */
static void test_thread_live(void **state)
{
	const struct sampler_path paths[] = {{"/", "path"}};
	const struct sampler_config cfg = {.interval_s = 0.05, .paths = paths, .nr_paths = 1};
	struct sampler s;
	json_t *sum;

	assert_int_equal(sampler_init(&s, &cfg), 0);
	assert_int_equal(sampler_start(&s), 0);
	usleep(300000);
	assert_int_equal(sampler_stop(&s), 0);
	/* first + about 6 from the thread + last */
	assert_true(s.nr_snap >= 5);
	for (size_t i = 1; i < s.nr_snap; i++)
		assert_true(s.snap[i].t_ns > s.snap[i - 1].t_ns);
	sum = sampler_summary_json(&s, 0, s.nr_snap - 1);
	assert_true(num(sum, "cost", "cpu_s", NULL) > 0);
	assert_true(num(sum, "cost", "reading_cpu_s", NULL) <= num(sum, "cost", "cpu_s", NULL));
	assert_true(num(sum, "seconds", NULL, NULL) >= 0.29);
	json_decref(sum);
	sampler_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_series, setup, teardown),
		cmocka_unit_test_setup_teardown(test_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_sources, setup, teardown),
		cmocka_unit_test(test_thread_live),
	};

	return cmocka_run_group_tests_name("sampler", tests, NULL, NULL);
}
