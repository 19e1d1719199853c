/* SPDX-License-Identifier: MIT */
/* cmd_diag.c - `diag [SRC] [DST]`: mounts, devices, NICs and the route to storage, and findings. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmdline.h"
#include "cli/cmds.h"
#include "lib/util.h"
#include "sys/diag.h"

struct diag_opts {
	bool json;
	char *route_to;
	uint64_t dataset_bytes;
	char *sysroot;
};

static const struct opt_def diag_options[] = {
	OPT_BOOL_("json", 0, struct diag_opts, json,
		  "print JSON (what results.json embeds as \"diag\")"),
	OPT_STRING_("route-to", 0, struct diag_opts, route_to, NULL, "ADDR", OPT_NO_ECHO,
		    "also the route to a storage server that is not mounted (a name or address)"),
	OPT_SIZE_("dataset-size", 0, struct diag_opts, dataset_bytes, NULL, "SIZE",
		  "the dataset's size, to judge DST's free space against"),
	OPT_STRING_("sysroot", 0, struct diag_opts, sysroot, NULL, "DIR", OPT_NO_ECHO,
		    "read /proc and /sys under DIR (fixture trees)"),
	OPT_END};

const struct opt_command diag_command = {
	.name = "diag",
	.synopsis = "[SRC] [DST]",
	.brief = "mounts, devices, NICs and the route to storage, with findings",
	.summary =
		"Where the bytes will travel: the mount, filesystem options (NFS: server, vers,\n"
		"nconnect, rsize, ...), free space and block devices of SRC and DST; every\n"
		"network interface and InfiniBand/RoCE port; the storage server of every network\n"
		"filesystem (NFS, CIFS, Lustre, BeeGFS, CephFS, GlusterFS, sshfs, ...) and the\n"
		"route the kernel takes to it, with the interface's speed; the machine (CPU,\n"
		"NUMA, memory, governor, vm.dirty_*, io_uring, cgroup I/O limits); and findings,\n"
		"plain sentences for what looks wrong. Needs no root; says what it could not read.",
	.options = diag_options,
	.min_args = 0,
	.max_args = 2,
};

int cmd_diag(int argc, char **argv)
{
	struct diag_opts o = {0};
	struct diag d;
	char **args;
	int nargs;
	int status = 0;
	int ret;

	options_defaults(diag_command.options, &o);
	ret = options_parse(&diag_command, argc, argv, &o, &args, &nargs);
	if (ret) {
		options_release(diag_command.options, &o);
		return ret > 0 ? 0 : 2;
	}
	diag_init(&d, o.sysroot);
	d.dataset_bytes = o.dataset_bytes;
	for (int i = 0; i < nargs; i++) {
		ret = diag_add_path(&d, i == 0 ? "source" : "destination", args[i]);
		if (ret < 0) {
			/* The rest is still worth printing; the status says a path was wrong. */
			error("cannot resolve '%s': %s", args[i], strerror(-ret));
			status = 1;
		}
	}
	if (o.route_to) {
		ret = diag_add_route(&d, o.route_to, "route-to");
		if (ret < 0)
			warning("no route to '%s': %s", o.route_to,
				ret == -ENOENT ? "name does not resolve" : strerror(-ret));
	}
	diag_read(&d);
	diag_findings(&d);
	if (o.json) {
		json_t *j = diag_json(&d);
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(j);
	} else {
		diag_print_text(&d, stdout);
	}
	diag_release(&d);
	options_release(diag_command.options, &o);
	return status;
}
