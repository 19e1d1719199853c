# SPDX-License-Identifier: MIT
# src/sys/ - /proc and /sys readers, the sampler, devices, host facts, routes and diag
src_libccb_a_SOURCES += src/sys/device.c src/sys/device.h src/sys/diag.c src/sys/diag.h \
	src/sys/diag_cgroup.c src/sys/diag_findings.c src/sys/diag_host.c src/sys/diag_int.h src/sys/diag_print.c \
	src/sys/netfs.c src/sys/netfs.h src/sys/procstat.c src/sys/procstat.h src/sys/rdma.c \
	src/sys/rdma.h src/sys/route.c src/sys/route.h src/sys/sampler.c src/sys/sampler.h \
	src/sys/sampler_int.h src/sys/sampler_series.c src/sys/sampler_summary.c \
	src/sys/sampler_window.c src/sys/sysinfo.c src/sys/sysinfo.h
