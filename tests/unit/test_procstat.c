/* SPDX-License-Identifier: MIT */
/*
 * test_procstat.c - the /proc parsers on real text from several kernels, and iostat -x, mpstat,
 * sar -n DEV and nfsiostat arithmetic against answers computed by hand.
 *
 * Fixtures are in tests/data/procstat; SOURCES there says where each file comes from (the
 * kernel's documentation, prometheus/procfs, sysstat's and cernops/collectd-nfsiostat's tests,
 * and a 6.18 kernel).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/util.h"
#include "sys/procstat.h"
#include "testutil.h"

static char *fixture(const char *name)
{
	return test_fixture("procstat", name, NULL);
}

static const struct disk_stats *find_disk(const struct disk_stats *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	fail_msg("no device '%s'", name);
	return NULL;
}

/* ---- diskstats: every vintage --------------------------------------------------------------- */

static void test_diskstats_2_6(void **state)
{
	char *text = fixture("diskstats-2.6.txt");
	struct disk_stats *v;
	size_t n;

	assert_int_equal(procstat_parse_diskstats(text, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "hda");
	assert_int_equal(v[0].has, DISK_HAS_EXTENDED);
	assert_int_equal(v[0].rd_ios, 446216);
	assert_int_equal(v[0].rd_merges, 784926);
	assert_int_equal(v[0].rd_sectors, 9550688);
	assert_int_equal(v[0].rd_ticks, 4382310);
	assert_int_equal(v[0].wr_ios, 424847);
	assert_int_equal(v[0].wr_sectors, 5922052);
	assert_int_equal(v[0].io_ticks, 3376340);
	assert_int_equal(v[0].time_in_queue, 23705160);
	/* The 2.6 partition line: reads, read sectors, writes, written sectors, nothing else. */
	assert_string_equal(v[1].name, "hda1");
	assert_int_equal(v[1].major, 3);
	assert_int_equal(v[1].minor, 1);
	assert_int_equal(v[1].has, 0);
	assert_int_equal(v[1].rd_ios, 35486);
	assert_int_equal(v[1].rd_sectors, 38030);
	assert_int_equal(v[1].wr_ios, 38030);
	assert_int_equal(v[1].wr_sectors, 38030);
	assert_int_equal(v[1].rd_merges + v[1].rd_ticks + v[1].io_ticks, 0);
	free(v);
	free(text);
}

static void test_diskstats_14_18_20(void **state)
{
	char *text = fixture("diskstats-procfs.txt");
	struct disk_stats *v;
	size_t n;
	size_t plain = 0, discard = 0, flush = 0;
	const struct disk_stats *d;

	assert_int_equal(procstat_parse_diskstats(text, &v, &n), 0);
	assert_int_equal(n, 52);
	for (size_t i = 0; i < n; i++) {
		if (v[i].has == DISK_HAS_EXTENDED)
			plain++;
		else if (v[i].has == (DISK_HAS_EXTENDED | DISK_HAS_DISCARD))
			discard++;
		else if (v[i].has == (DISK_HAS_EXTENDED | DISK_HAS_DISCARD | DISK_HAS_FLUSH))
			flush++;
	}
	assert_int_equal(plain, 46);
	assert_int_equal(discard, 3);
	assert_int_equal(flush, 3);
	/* "8 0 sda 25354637 34367663 1003346126 18492372 28444756 11134226 505697032 63877960 0
	 * 9653880 82621804" */
	d = find_disk(v, n, "sda");
	assert_int_equal(d->major, 8);
	assert_int_equal(d->rd_ios, 25354637);
	assert_int_equal(d->rd_merges, 34367663);
	assert_int_equal(d->rd_sectors, 1003346126);
	assert_int_equal(d->rd_ticks, 18492372);
	assert_int_equal(d->wr_ios, 28444756);
	assert_int_equal(d->wr_merges, 11134226);
	assert_int_equal(d->wr_sectors, 505697032);
	assert_int_equal(d->wr_ticks, 63877960);
	assert_int_equal(d->in_flight, 0);
	assert_int_equal(d->io_ticks, 9653880);
	assert_int_equal(d->time_in_queue, 82621804);
	/* "8 0 sdb 326552 841 9657779 84 41822 2895 1972905 5007 0 60730 67070 68851 0 1925173784
	 * 11130" */
	d = find_disk(v, n, "sdb");
	assert_int_equal(d->dc_ios, 68851);
	assert_int_equal(d->dc_merges, 0);
	assert_int_equal(d->dc_sectors, 1925173784);
	assert_int_equal(d->dc_ticks, 11130);
	assert_int_equal(d->fl_ios, 0);
	/* "8 0 sdc 14202 71 579164 21861 2995 1589 180500 40875 0 11628 55200 0 0 0 0 127 182" */
	d = find_disk(v, n, "sdc");
	assert_int_equal(d->fl_ios, 127);
	assert_int_equal(d->fl_ticks, 182);
	assert_int_equal(d->time_in_queue, 55200);
	free(v);
	free(text);
}

static void test_diskstats_4_18(void **state)
{
	char *text = fixture("diskstats-4.18.txt");
	struct disk_stats *v;
	size_t n;
	const struct disk_stats *d;

	assert_int_equal(procstat_parse_diskstats(text, &v, &n), 0);
	assert_int_equal(n, 22);
	d = find_disk(v, n, "sda");
	assert_int_equal(d->has, DISK_HAS_EXTENDED | DISK_HAS_DISCARD);
	assert_int_equal(d->rd_ios, 49601);
	assert_int_equal(d->time_in_queue, 714408);
	/* sysstat cut this line to 17 fields on purpose; like sysstat, read it as 14. */
	d = find_disk(v, n, "sds");
	assert_int_equal(d->has, DISK_HAS_EXTENDED);
	assert_int_equal(d->time_in_queue, 7902);
	free(v);
	free(text);
}

static void test_diskstats_5_5_and_6_18(void **state)
{
	char *text = fixture("diskstats-5.5.txt");
	char *live = fixture("diskstats-6.18.txt");
	struct disk_stats *v;
	size_t n;
	const struct disk_stats *d;

	assert_int_equal(procstat_parse_diskstats(text, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].has, DISK_HAS_EXTENDED | DISK_HAS_DISCARD | DISK_HAS_FLUSH);
	assert_int_equal(v[0].fl_ios, 60602);
	assert_int_equal(v[0].fl_ticks, 106555);
	assert_string_equal(v[2].name, "nvme0n1p2");
	assert_int_equal(v[2].io_ticks, 344336);
	free(v);

	assert_int_equal(procstat_parse_diskstats(live, &v, &n), 0);
	assert_int_equal(n, 10);
	d = find_disk(v, n, "vda");
	assert_int_equal(d->major, 254);
	assert_int_equal(d->has, DISK_HAS_EXTENDED | DISK_HAS_DISCARD | DISK_HAS_FLUSH);
	free(v);
	free(live);
	free(text);
}

static void test_diskstats_bad_lines(void **state)
{
	struct disk_stats d;
	struct disk_stats *v;
	size_t n;

	assert_int_equal(procstat_parse_diskstats_line("", &d), -EINVAL);
	assert_int_equal(procstat_parse_diskstats_line("8 0", &d), -EINVAL);
	assert_int_equal(procstat_parse_diskstats_line("8 0 sda 1 2 3", &d), -EINVAL);
	assert_int_equal(procstat_parse_diskstats_line("8 0 sda 1 2 3 4 5 6 7 8", &d), -EINVAL);
	assert_int_equal(procstat_parse_diskstats_line("8 0 sda -1 2 3 4", &d), -EINVAL);
	assert_int_equal(procstat_parse_diskstats_line("major minor name", &d), -EINVAL);
	/* Future kernels may add fields: the first 17 are read, the rest ignored. */
	assert_int_equal(procstat_parse_diskstats_line(
				 "8 0 sdz 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19", &d),
			 0);
	assert_int_equal(d.fl_ticks, 17);
	/* A file with nothing readable is an error; unreadable lines among good ones are not. */
	assert_int_equal(procstat_parse_diskstats("garbage\n", &v, &n), -EINVAL);
	free(v);
	assert_int_equal(procstat_parse_diskstats("garbage\n 8 0 sda 1 2 3 4\n\n", &v, &n), 0);
	assert_int_equal(n, 1);
	free(v);
}

/* ---- iostat -x ---------------------------------------------------------------------------- */

/*
 * iostats.rst's nvme0n1 line, and the same device after an interval in which it did, by
 * construction: 100 reads (25 merged) of 51200 sectors in 250 ms; 400 writes (100 merged) of
 * 204800 sectors in 1200 ms; 10 discards of 2048 sectors in 30 ms; 5 flushes in 10 ms;
 * 800 ms busy, 1500 ms of queue time; 3 requests in flight at the end.
 */
#define NVME_PREV                                                                                  \
	"259 0 nvme0n1 255999 814 12369153 47919 996852 81 36123024 425995 0 301795 "              \
	"580470 0 0 0 0 60602 106555"
#define NVME_CUR                                                                                   \
	"259 0 nvme0n1 256099 839 12420353 48169 997252 181 36327824 427195 3 302595 "             \
	"581970 10 0 2048 30 60607 106565"

static void test_iostat_known_answer(void **state)
{
	struct disk_stats a, b;
	struct disk_delta d;
	struct disk_rates r;

	assert_int_equal(procstat_parse_diskstats_line(NVME_PREV, &a), 0);
	assert_int_equal(procstat_parse_diskstats_line(NVME_CUR, &b), 0);
	procstat_disk_delta(&a, &b, &d);
	assert_false(d.reset);
	assert_int_equal(d.rd_ios, 100);
	assert_int_equal(d.wr_sectors, 204800);
	assert_int_equal(d.time_in_queue, 1500);

	procstat_disk_rates(&d, 1.0, &r);
	assert_float_equal(r.r_s, 100, 1e-9);
	assert_float_equal(r.rkb_s, 25600, 1e-9); /* 51200 sectors / 2 */
	assert_float_equal(r.rrqm_s, 25, 1e-9);
	assert_float_equal(r.rrqm_pct, 20, 1e-9);  /* 25 / (25 + 100) */
	assert_float_equal(r.r_await, 2.5, 1e-9);  /* 250 ms / 100 */
	assert_float_equal(r.rareq_sz, 256, 1e-9); /* 51200 / 100 / 2 kB */
	assert_float_equal(r.w_s, 400, 1e-9);
	assert_float_equal(r.wkb_s, 102400, 1e-9);
	assert_float_equal(r.wrqm_s, 100, 1e-9);
	assert_float_equal(r.wrqm_pct, 20, 1e-9); /* 100 / (100 + 400) */
	assert_float_equal(r.w_await, 3, 1e-9);	  /* 1200 / 400 */
	assert_float_equal(r.wareq_sz, 256, 1e-9);
	assert_float_equal(r.d_s, 10, 1e-9);
	assert_float_equal(r.dkb_s, 1024, 1e-9);
	assert_float_equal(r.drqm_pct, 0, 1e-9);
	assert_float_equal(r.d_await, 3, 1e-9);
	assert_float_equal(r.dareq_sz, 102.4, 1e-9); /* 2048 / 10 / 2 */
	assert_float_equal(r.f_s, 5, 1e-9);
	assert_float_equal(r.f_await, 2, 1e-9);
	assert_float_equal(r.aqu_sz, 1.5, 1e-9);  /* 1500 ms / 1000 ms */
	assert_float_equal(r.util_pct, 80, 1e-9); /* 800 ms of 1000 */

	/* Over half a second: rates double, times per request and sizes do not change. */
	procstat_disk_rates(&d, 0.5, &r);
	assert_float_equal(r.r_s, 200, 1e-9);
	assert_float_equal(r.wkb_s, 204800, 1e-9);
	assert_float_equal(r.r_await, 2.5, 1e-9);
	assert_float_equal(r.wareq_sz, 256, 1e-9);
	assert_float_equal(r.aqu_sz, 3, 1e-9);
	assert_float_equal(r.util_pct, 160, 1e-9); /* not clamped, as iostat */
}

static void test_iostat_14_fields(void **state)
{
	struct disk_stats a, b;
	struct disk_delta d;
	struct disk_rates r;

	/* prometheus/procfs's sda, then 50 reads of 8000 sectors in 100 ms, 60 ms busy, over 2 s.
	 */
	assert_int_equal(procstat_parse_diskstats_line(
				 "8 0 sda 25354637 34367663 1003346126 18492372 28444756 11134226 "
				 "505697032 63877960 0 9653880 82621804",
				 &a),
			 0);
	assert_int_equal(procstat_parse_diskstats_line(
				 "8 0 sda 25354687 34367663 1003354126 18492472 28444756 11134226 "
				 "505697032 63877960 0 9653940 82621904",
				 &b),
			 0);
	procstat_disk_delta(&a, &b, &d);
	assert_int_equal(d.has, DISK_HAS_EXTENDED);
	procstat_disk_rates(&d, 2.0, &r);
	assert_float_equal(r.r_s, 25, 1e-9);
	assert_float_equal(r.rkb_s, 2000, 1e-9);
	assert_float_equal(r.r_await, 2, 1e-9);
	assert_float_equal(r.rareq_sz, 80, 1e-9);
	assert_float_equal(r.rrqm_pct, 0, 1e-9);
	assert_float_equal(r.w_s, 0, 1e-9);
	assert_float_equal(r.w_await, 0, 1e-9); /* nothing to divide: 0, as iostat */
	assert_float_equal(r.wareq_sz, 0, 1e-9);
	assert_float_equal(r.util_pct, 3, 1e-9); /* 60 ms of 2000 */
	assert_float_equal(r.aqu_sz, 0.05, 1e-9);
	assert_float_equal(r.d_s + r.f_s + r.d_await, 0, 0); /* the kernel had none */
}

static void test_counter_wrap(void **state)
{
	struct disk_stats a, b;
	struct disk_delta d;
	struct disk_rates r;

	assert_int_equal(procstat_counter_delta(10, 20), 10);
	assert_int_equal(procstat_counter_delta(UINT32_MAX, 1), 2);
	assert_int_equal(procstat_counter_delta(UINT32_MAX - 5, 4), 10);
	/* A 64-bit counter does not wrap: backwards, it started again from zero. */
	assert_int_equal(procstat_counter_delta(UINT64_C(1) << 40, 5), 5);

	/* Millisecond counters are unsigned int in every kernel: they wrap at 2^32 (49.7 days). */
	assert_int_equal(
		procstat_parse_diskstats_line(
			"8 0 sda 100 0 800 4294967290 0 0 0 0 0 4294967000 4294966000", &a),
		0);
	assert_int_equal(procstat_parse_diskstats_line("8 0 sda 110 0 880 4 0 0 0 0 0 704 704", &b),
			 0);
	procstat_disk_delta(&a, &b, &d);
	assert_false(d.reset);
	assert_int_equal(d.rd_ticks, 10);
	assert_int_equal(d.io_ticks, 1000);
	assert_int_equal(d.time_in_queue, 2000);
	procstat_disk_rates(&d, 1.0, &r);
	assert_float_equal(r.r_await, 1, 1e-9);
	assert_float_equal(r.util_pct, 100, 1e-9);
	assert_float_equal(r.aqu_sz, 2, 1e-9);

	/* A 32-bit kernel's unsigned long: reads and read sectors wrapped, writes did not. */
	assert_int_equal(procstat_parse_diskstats_line(
				 "8 0 sda 4294967290 0 4294967000 50 10 0 80 5 0 100 100", &a),
			 0);
	assert_int_equal(
		procstat_parse_diskstats_line("8 0 sda 4 0 4120 60 20 0 160 10 0 200 200", &b), 0);
	procstat_disk_delta(&a, &b, &d);
	assert_false(d.reset);
	assert_int_equal(d.rd_ios, 10);
	assert_int_equal(d.rd_sectors, 4416);
	assert_int_equal(d.wr_sectors, 80);
	procstat_disk_rates(&d, 1.0, &r);
	assert_float_equal(r.rkb_s, 2208, 1e-9);
}

static void test_device_recreated(void **state)
{
	struct disk_stats a, b;
	struct disk_delta d;

	/* Every count and every sector counter smaller: sdb was removed and added again. */
	assert_int_equal(procstat_parse_diskstats_line(
				 "8 16 sdb 1000 0 80000 500 500 0 40000 300 0 900 800", &a),
			 0);
	assert_int_equal(procstat_parse_diskstats_line("8 16 sdb 10 0 800 5 5 0 400 3 0 9 8", &b),
			 0);
	procstat_disk_delta(&a, &b, &d);
	assert_true(d.reset);
	assert_int_equal(d.rd_ios, 10);
	assert_int_equal(d.rd_sectors, 800);
	assert_int_equal(d.wr_sectors, 400);
	assert_int_equal(d.io_ticks, 9);

	/* A device that appeared between two readings counts from zero. */
	procstat_disk_delta(NULL, &b, &d);
	assert_false(d.reset);
	assert_int_equal(d.rd_ios, 10);
	assert_int_equal(d.time_in_queue, 8);

	/* Sums of intervals keep only the counters every interval had. */
	struct disk_delta sum;
	assert_int_equal(procstat_parse_diskstats_line(NVME_PREV, &a), 0);
	assert_int_equal(procstat_parse_diskstats_line(NVME_CUR, &b), 0);
	procstat_disk_delta(&a, &b, &sum);
	procstat_disk_delta_add(&sum, &d);
	assert_int_equal(sum.rd_ios, 110);
	assert_int_equal(sum.has, DISK_HAS_EXTENDED);
	assert_true(sum.reset == false);
}

/* ---- /proc/stat ----------------------------------------------------------------------------- */

static void test_stat_parse(void **state)
{
	char *text = fixture("stat-procfs.txt");
	char *live = fixture("stat-6.18.txt");
	struct cpu_stats *v;
	size_t n;

	assert_int_equal(procstat_parse_stat(text, &v, &n), 0);
	assert_int_equal(n, 9);
	/* "cpu  301854 612 111922 8979004 3552 2 3944 0 0 0" */
	assert_int_equal(v[0].cpu, -1);
	assert_int_equal(v[0].nfields, 10);
	assert_int_equal(v[0].user, 301854);
	assert_int_equal(v[0].nice, 612);
	assert_int_equal(v[0].system, 111922);
	assert_int_equal(v[0].idle, 8979004);
	assert_int_equal(v[0].iowait, 3552);
	assert_int_equal(v[0].irq, 2);
	assert_int_equal(v[0].softirq, 3944);
	assert_int_equal(v[8].cpu, 7);
	assert_int_equal(v[8].nice, 268);
	free(v);

	assert_int_equal(procstat_parse_stat(live, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[2].cpu, 1);
	free(v);

	/* 2.4 kernels had four values; lines that are not cpu lines are skipped. */
	assert_int_equal(procstat_parse_stat("intr 1 2 3\ncpu  1 2 3 4\ncpu0 1 2 3 4\n", &v, &n),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].nfields, 4);
	assert_int_equal(v[0].iowait, 0);
	free(v);
	assert_int_equal(procstat_parse_stat("ctxt 5\n", &v, &n), -EINVAL);
	free(v);
	free(live);
	free(text);
}

static void test_cpu_shares(void **state)
{
	char *t1 = fixture("stat-sysstat-1.txt");
	char *t2 = fixture("stat-sysstat-2.txt");
	struct cpu_stats *a, *b;
	size_t na, nb;
	struct cpu_shares s;

	assert_int_equal(procstat_parse_stat(t1, &a, &na), 0);
	assert_int_equal(procstat_parse_stat(t2, &b, &nb), 0);
	assert_int_equal(na, 10);
	/*
	 * All CPUs: user 96005 -> 96538 (533 ticks), nice 3104, system 457, idle 20590,
	 * iowait 29, irq 84, softirq 44, steal 0: 24841 ticks. mpstat -A prints 2.15, 12.50, 1.84,
	 * 0.12 and 0.34 for the first five on the same pair (sysstat tests/expected.mpstat-A).
	 */
	procstat_cpu_shares(&a[0], &b[0], &s);
	assert_int_equal(s.ticks, 24841);
	assert_float_equal(s.user, 100.0 * 533 / 24841, 1e-9);
	assert_float_equal(s.nice, 100.0 * 3104 / 24841, 1e-9);
	assert_float_equal(s.system, 100.0 * 457 / 24841, 1e-9);
	assert_float_equal(s.idle, 100.0 * 20590 / 24841, 1e-9);
	assert_float_equal(s.iowait, 100.0 * 29 / 24841, 1e-9);
	assert_float_equal(s.irq, 100.0 * 84 / 24841, 1e-9);
	assert_float_equal(s.softirq, 100.0 * 44 / 24841, 1e-9);
	assert_float_equal(s.busy, 100.0 * (24841 - 20590 - 29) / 24841, 1e-9);
	assert_float_equal(s.user, 2.1456, 5e-5);
	assert_float_equal(s.nice, 12.4955, 5e-5);
	/* cpu0: user 84, nice 1, system 67, idle 2922, irq 10, softirq 20: 3104 ticks. */
	procstat_cpu_shares(&a[1], &b[1], &s);
	assert_int_equal(s.ticks, 3104);
	assert_float_equal(s.busy, 100.0 * (3104 - 2922) / 3104, 1e-9);
	free(a);
	free(b);
	free(t1);
	free(t2);
}

static void test_cpu_guest_and_backwards(void **state)
{
	struct cpu_stats *a, *b;
	size_t n;
	struct cpu_shares s;

	/* user includes guest (60) and nice includes guest_nice (20): shown apart, counted once. */
	assert_int_equal(procstat_parse_stat("cpu  100 50 10 1000 0 0 0 0 0 0\n", &a, &n), 0);
	assert_int_equal(procstat_parse_stat("cpu  200 80 30 1100 10 0 0 0 60 20\n", &b, &n), 0);
	procstat_cpu_shares(a, b, &s);
	assert_int_equal(s.ticks, 260);
	assert_float_equal(s.user, 100.0 * 40 / 260, 1e-9);
	assert_float_equal(s.nice, 100.0 * 10 / 260, 1e-9);
	assert_float_equal(s.guest, 100.0 * 60 / 260, 1e-9);
	assert_float_equal(s.guest_nice, 100.0 * 20 / 260, 1e-9);
	assert_float_equal(s.busy, 100.0 * 150 / 260, 1e-9);
	free(a);
	free(b);
	/* iowait going backwards (NO_HZ accounting) counts 0, not 2^64. */
	assert_int_equal(procstat_parse_stat("cpu  0 0 0 100 100 0 0 0 0 0\n", &a, &n), 0);
	assert_int_equal(procstat_parse_stat("cpu  50 0 0 150 90 0 0 0 0 0\n", &b, &n), 0);
	procstat_cpu_shares(a, b, &s);
	assert_int_equal(s.ticks, 100);
	assert_float_equal(s.iowait, 0, 0);
	assert_float_equal(s.busy, 50, 1e-9);
	/* No ticks: all zero rather than a division by zero. */
	procstat_cpu_shares(a, a, &s);
	assert_int_equal(s.ticks, 0);
	assert_float_equal(s.busy, 0, 0);
	free(a);
	free(b);
}

/* ---- /proc/net/dev ------------------------------------------------------------------------ */

static void test_net_dev(void **state)
{
	char *text = fixture("net-dev-procfs.txt");
	char *live = fixture("net-dev-6.18.txt");
	struct net_stats *v;
	struct net_stats *w;
	size_t n;
	struct net_delta d;
	struct net_rates r;

	assert_int_equal(procstat_parse_net_dev(text, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(v[0].name, "vethf345468");
	assert_int_equal(v[0].rx_bytes, 648);
	assert_int_equal(v[0].rx_packets, 8);
	assert_int_equal(v[0].tx_bytes, 438);
	assert_int_equal(v[0].tx_packets, 5);
	assert_string_equal(v[3].name, "eth0");
	assert_int_equal(v[3].rx_bytes, 874354587);
	assert_int_equal(v[3].rx_packets, 1036395);
	assert_int_equal(v[3].tx_bytes, 563352563);
	assert_int_equal(v[3].tx_packets, 732147);

	/* The kernel prints "%6s:%8llu": a long name and a big count leave no blank between. */
	assert_int_equal(procstat_parse_net_dev("enp0s31f6:999354587 1036495 0 0 0 0 0 0 564352563 "
						"737147 0 0 0 0 0 0\n",
						&w, &n),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(w[0].name, "enp0s31f6");
	procstat_net_delta(&v[3], &w[0], &d);
	assert_int_equal(d.rx_bytes, 125000000);
	assert_int_equal(d.rx_packets, 100);
	assert_int_equal(d.tx_bytes, 1000000);
	assert_int_equal(d.tx_packets, 5000);
	procstat_net_rates(&d, 0.5, &r);
	assert_float_equal(r.rx_bytes_s, 250e6, 1e-3);
	assert_float_equal(r.tx_packets_s, 10000, 1e-9);
	free(w);

	/* A driver's 32-bit counter wraps. */
	w = xmalloc(sizeof(*w));
	*w = v[3];
	v[3].rx_bytes = 4294967000u;
	w->rx_bytes = 1000;
	procstat_net_delta(&v[3], w, &d);
	assert_int_equal(d.rx_bytes, 1296);
	free(w);
	free(v);

	assert_int_equal(procstat_parse_net_dev(live, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(v[3].name, "eth0");
	free(v);
	assert_int_equal(procstat_parse_net_dev("Inter-|   Receive\n face |bytes\n", &v, &n),
			 -EINVAL);
	free(v);
	free(live);
	free(text);
}

/* ---- /proc/self/mountstats ---------------------------------------------------------------- */

static void test_mountstats_nfs4(void **state)
{
	char *text = fixture("mountstats-nfs4-procfs.txt");
	struct nfs_mount_stats *v;
	size_t n;

	assert_int_equal(procstat_parse_mountstats(text, &v, &n), 0);
	assert_int_equal(n, 1); /* rootfs, sysfs, proc and ext4 are not NFS */
	assert_string_equal(v[0].device, "192.168.1.1:/srv/test");
	assert_string_equal(v[0].mount_point, "/mnt/nfs/test");
	assert_string_equal(v[0].fs_type, "nfs4");
	assert_string_equal(v[0].statvers, "1.1");
	assert_int_equal(v[0].age_s, 13968);
	assert_true(v[0].have_bytes);
	assert_int_equal(v[0].bytes[NFS_NORMAL_READ], 1207640230);
	assert_int_equal(v[0].bytes[NFS_SERVER_READ], 1210214218);
	assert_int_equal(v[0].bytes[NFS_READ_PAGES], 295483);
	/* "READ: 1298 1298 0 207680 1210292152 6 79386 79407" */
	assert_true(v[0].have_read);
	assert_int_equal(v[0].read.ops, 1298);
	assert_int_equal(v[0].read.ntrans, 1298);
	assert_int_equal(v[0].read.timeouts, 0);
	assert_int_equal(v[0].read.bytes_sent, 207680);
	assert_int_equal(v[0].read.bytes_recv, 1210292152);
	assert_int_equal(v[0].read.queue_ms, 6);
	assert_int_equal(v[0].read.rtt_ms, 79386);
	assert_int_equal(v[0].read.execute_ms, 79407);
	assert_false(v[0].read.have_errors);
	assert_true(v[0].have_write);
	assert_int_equal(v[0].write.ops, 0);
	procstat_mountstats_free(v, n);
	free(text);
}

static void test_mountstats_nfs3_rhel(void **state)
{
	char *rhel7 = fixture("mountstats-nfs3-rhel7.txt");
	char *rhel8 = fixture("mountstats-nfs3-rhel8.txt");
	char *rhel8v4 = fixture("mountstats-nfs4-rhel8.txt");
	struct nfs_mount_stats *v;
	size_t n;

	/* RHEL 7: "READ: 53009339 53009339 0 6997232748 175681200784 2743994 22030694 27335011" */
	assert_int_equal(procstat_parse_mountstats(rhel7, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].device, "server.example.org:/export/vol");
	assert_string_equal(v[0].mount_point, "/mnt/foo");
	assert_string_equal(v[0].fs_type, "nfs");
	assert_int_equal(v[0].bytes[NFS_NORMAL_READ], 1763097055190);
	assert_int_equal(v[0].bytes[NFS_SERVER_READ], 168817843723);
	assert_int_equal(v[0].read.ops, 53009339);
	assert_int_equal(v[0].read.bytes_recv, 175681200784);
	assert_int_equal(v[0].read.execute_ms, 27335011);
	assert_false(v[0].read.have_errors);
	procstat_mountstats_free(v, n);

	/* RHEL 8: 9 values, the last one errors: "READ: 49549 49549 0 6540588 701571304 2398 28693
	 * 32732 0" */
	assert_int_equal(procstat_parse_mountstats(rhel8, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].mount_point, "/mnt/bar");
	assert_int_equal(v[0].read.ops, 49549);
	assert_int_equal(v[0].read.rtt_ms, 28693);
	assert_true(v[0].read.have_errors);
	assert_int_equal(v[0].read.errors, 0);
	assert_int_equal(v[0].bytes[NFS_SERVER_READ], 695155197);
	procstat_mountstats_free(v, n);

	assert_int_equal(procstat_parse_mountstats(rhel8v4, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].fs_type, "nfs4");
	assert_true(v[0].have_read);
	assert_int_equal(v[0].read.ops, 0);
	procstat_mountstats_free(v, n);
	free(rhel7);
	free(rhel8);
	free(rhel8v4);
}

static void test_mountstats_escapes_and_nothing(void **state)
{
	struct nfs_mount_stats *v;
	size_t n;

	assert_int_equal(
		procstat_parse_mountstats(
			"device srv:/a\\040b mounted on /mnt/with\\040space with fstype nfs4 "
			"statvers=1.1\n\tbytes:\t1 2 3 4 5 6 7 8\n\tper-op statistics\n"
			"\t        READ: 1 2 3 4 5 6 7 8 9\n",
			&v, &n),
		0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].device, "srv:/a b");
	assert_string_equal(v[0].mount_point, "/mnt/with space");
	assert_int_equal(v[0].bytes[NFS_WRITE_PAGES], 8);
	assert_int_equal(v[0].read.errors, 9);
	assert_false(v[0].have_write);
	procstat_mountstats_free(v, n);
	/* A READ: in the bytes/events part is not an op line. */
	assert_int_equal(procstat_parse_mountstats("device s:/e mounted on /m with fstype nfs\n"
						   "\tREAD: 1 2 3 4 5 6 7 8\n",
						   &v, &n),
			 0);
	assert_int_equal(n, 1);
	assert_false(v[0].have_read);
	procstat_mountstats_free(v, n);
	assert_int_equal(procstat_parse_mountstats(
				 "device /dev/sda1 mounted on / with fstype ext4\n", &v, &n),
			 0);
	assert_int_equal(n, 0);
	procstat_mountstats_free(v, n);
}

static void test_nfsiostat_known_answer(void **state)
{
	/*
	 * RHEL 8's READ line, then 1000 READs of about 1 MiB in 10 s: 1002 transmissions (2
	 * retransmitted), 132000 bytes sent, 1048704000 received, 50 ms queued, 5000 ms RTT,
	 * 5600 ms in all.
	 */
	const struct nfs_op_stats a = {.ops = 49549,
				       .ntrans = 49549,
				       .bytes_sent = 6540588,
				       .bytes_recv = 701571304,
				       .queue_ms = 2398,
				       .rtt_ms = 28693,
				       .execute_ms = 32732};
	const struct nfs_op_stats b = {.ops = 50549,
				       .ntrans = 50551,
				       .bytes_sent = 6672588,
				       .bytes_recv = 1750275304,
				       .queue_ms = 2448,
				       .rtt_ms = 33693,
				       .execute_ms = 38332};
	struct nfs_op_stats d;
	struct nfs_op_rates r;

	procstat_nfs_op_delta(&a, &b, &d);
	assert_int_equal(d.ops, 1000);
	assert_int_equal(d.ntrans, 1002);
	procstat_nfs_op_rates(&d, 10.0, &r);
	assert_float_equal(r.ops_s, 100, 1e-9);
	assert_float_equal(r.kb_s, (132000.0 + 1048704000.0) / 1024 / 10, 1e-6);
	assert_float_equal(r.kb_s, 102425.390625, 1e-6);
	assert_float_equal(r.kb_per_op, 1024.25390625, 1e-9);
	assert_float_equal(r.retrans, 2, 1e-9);
	assert_float_equal(r.retrans_pct, 0.2, 1e-9);
	assert_float_equal(r.avg_rtt_ms, 5, 1e-9);
	assert_float_equal(r.avg_exe_ms, 5.6, 1e-9);
	assert_float_equal(r.avg_queue_ms, 0.05, 1e-9);

	/* prometheus/procfs's ACCESS queue time went negative: backwards counts 0. */
	const struct nfs_op_stats c = {.ops = 10,
				       .ntrans = 10,
				       .queue_ms = UINT64_C(18446743919241604546),
				       .rtt_ms = 5,
				       .execute_ms = 6};
	const struct nfs_op_stats e = {
		.ops = 20, .ntrans = 20, .queue_ms = 100, .rtt_ms = 15, .execute_ms = 16};
	procstat_nfs_op_delta(&c, &e, &d);
	assert_int_equal(d.queue_ms, 0);
	assert_int_equal(d.rtt_ms, 10);
	/* No operations: averages 0, no division by zero. */
	procstat_nfs_op_delta(&e, &e, &d);
	procstat_nfs_op_rates(&d, 1.0, &r);
	assert_float_equal(r.avg_rtt_ms + r.kb_per_op + r.retrans_pct, 0, 0);
}

/* ---- pressure, meminfo -------------------------------------------------------------------- */

static void test_pressure(void **state)
{
	char *cpu = fixture("pressure-cpu-procfs.txt");
	char *io = fixture("pressure-io-procfs.txt");
	char *cpu618 = fixture("pressure-cpu-6.18.txt");
	struct psi_stats p;

	assert_int_equal(procstat_parse_pressure(cpu, &p), 0);
	assert_true(p.have_some);
	assert_false(p.have_full);
	assert_int_equal(p.some_total_us, 15);
	assert_float_equal(p.some_avg10, 0.10, 1e-12);
	assert_int_equal(procstat_parse_pressure(io, &p), 0);
	assert_true(p.have_full);
	assert_int_equal(p.full_total_us, 25);
	assert_float_equal(p.full_avg10, 0.20, 1e-12);
	assert_int_equal(procstat_parse_pressure(cpu618, &p), 0);
	assert_true(p.have_full); /* since 5.13 */
	assert_int_equal(p.full_total_us, 0);
	assert_int_equal(procstat_parse_pressure("full avg10=0.00 total=3\n", &p), -EINVAL);
	free(cpu);
	free(io);
	free(cpu618);
}

static void test_meminfo(void **state)
{
	char *text = fixture("meminfo-procfs.txt");
	char *live = fixture("meminfo-6.18.txt");
	struct meminfo_stats m;

	assert_int_equal(procstat_parse_meminfo(text, &m), 0);
	assert_int_equal(m.dirty_kb, 768);
	assert_int_equal(m.writeback_kb, 0);
	assert_int_equal(procstat_parse_meminfo(live, &m), 0);
	assert_int_equal(m.dirty_kb, 186112);
	/* WritebackTmp must not be taken for Writeback. */
	assert_int_equal(procstat_parse_meminfo("Dirty: 5 kB\nWritebackTmp: 7 kB\n", &m), -ENOENT);
	free(text);
	free(live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diskstats_2_6),
		cmocka_unit_test(test_diskstats_14_18_20),
		cmocka_unit_test(test_diskstats_4_18),
		cmocka_unit_test(test_diskstats_5_5_and_6_18),
		cmocka_unit_test(test_diskstats_bad_lines),
		cmocka_unit_test(test_iostat_known_answer),
		cmocka_unit_test(test_iostat_14_fields),
		cmocka_unit_test(test_counter_wrap),
		cmocka_unit_test(test_device_recreated),
		cmocka_unit_test(test_stat_parse),
		cmocka_unit_test(test_cpu_shares),
		cmocka_unit_test(test_cpu_guest_and_backwards),
		cmocka_unit_test(test_net_dev),
		cmocka_unit_test(test_mountstats_nfs4),
		cmocka_unit_test(test_mountstats_nfs3_rhel),
		cmocka_unit_test(test_mountstats_escapes_and_nothing),
		cmocka_unit_test(test_nfsiostat_known_answer),
		cmocka_unit_test(test_pressure),
		cmocka_unit_test(test_meminfo),
	};

	return cmocka_run_group_tests_name("procstat", tests, NULL, NULL);
}
