/* SPDX-License-Identifier: MIT */
/* sysinfo.h - what results.json says about the host. */
#ifndef CCB_SYSINFO_H
#define CCB_SYSINFO_H

#include <stdint.h>

struct host_info {
	char hostname[256];
	char kernel[256];	/* uname -r */
	char machine[64];	/* uname -m */
	char cpu_model[256];
	long cores;		/* online CPUs */
	uint64_t mem_bytes;	/* MemTotal */
};

/* Fill h from uname, /proc/cpuinfo and /proc/meminfo. Never fails; unknown fields stay "". */
void host_info_read(struct host_info *h);

#endif
