/* SPDX-License-Identifier: MIT */
/*
 * diag_cgroup.c - the I/O limits this process's cgroups put on block devices: cgroup v2's
 * io.max and cgroup v1's blkio.throttle.*, in the cgroup and every ancestor (each one's limit
 * applies), on whichever hierarchy is mounted (v2, v1, or both: the hybrid layout).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "sys/device.h"
#include "sys/diag.h"
#include "sys/diag_int.h"

/* The v1 files and the io.max key each one's value is. */
static const struct {
	const char *file;
	const char *key;
} throttles[] = {
	{ "blkio.throttle.read_bps_device", "rbps" },
	{ "blkio.throttle.write_bps_device", "wbps" },
	{ "blkio.throttle.read_iops_device", "riops" },
	{ "blkio.throttle.write_iops_device", "wiops" },
};

/*
 * Where the v2 hierarchy and v1's blkio are mounted, from mountinfo: "/sys/fs/cgroup" and
 * "/sys/fs/cgroup/blkio" when it does not say. root gets each mount's root (a container's cgroup
 * paths are below it).
 */
static void cgroup_mounts(const char *sysroot, char *v2, char *v2_root, char *v1, char *v1_root,
			  size_t len)
{
	char *path = xasprintf("%s/proc/self/mountinfo", sysroot);
	char *text = NULL;
	char *save = NULL;

	strf(v2, len, "/sys/fs/cgroup");
	strf(v1, len, "/sys/fs/cgroup/blkio");
	strf(v2_root, len, "/");
	strf(v1_root, len, "/");
	if (read_text_file(path, &text, NULL) < 0) {
		free(path);
		return;
	}
	free(path);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct device_mount m;

		if (device_parse_mountinfo_line(line, &m) < 0)
			continue;
		if (!strcmp(m.fs_type, "cgroup2")) {
			strf(v2, len, "%s", m.mount_point);
			strf(v2_root, len, "%s", m.root);
		} else if (!strcmp(m.fs_type, "cgroup")) {
			char *opts = device_join_options(m.mount_options, m.super_options);
			char *o = xasprintf(",%s,", opts);

			if (strstr(o, ",blkio,")) {
				strf(v1, len, "%s", m.mount_point);
				strf(v1_root, len, "%s", m.root);
			}
			free(o);
			free(opts);
		}
		device_mount_release(&m);
	}
	free(text);
}

/* This process's v2 cgroup ("0::/path") and v1 blkio cgroup ("N:...blkio...:/path"). */
static void cgroup_paths(const char *sysroot, char *v2, char *v1, size_t len)
{
	char *path = xasprintf("%s/proc/self/cgroup", sysroot);
	char *text = NULL;
	char *save = NULL;

	v2[0] = v1[0] = '\0';
	if (read_text_file(path, &text, NULL) < 0) {
		free(path);
		return;
	}
	free(path);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		char *ctrl;

		if (!c2)
			continue;
		*c2 = '\0';
		ctrl = xasprintf(",%s,", c1 + 1);
		if (!strcmp(line, "0:"))	/* "0::/path": the v2 hierarchy */
			strf(v2, len, "%s", c2 + 1);
		else if (strstr(ctrl, ",blkio,"))
			strf(v1, len, "%s", c2 + 1);
		free(ctrl);
	}
	free(text);
}

/* The cgroup path below a mount whose root is root ("/docker/abc" under "/docker/abc" is "/"). */
static const char *below_root(const char *cg, const char *root)
{
	const size_t n = strlen(root);

	if (strcmp(root, "/") && !strncmp(cg, root, n) && (cg[n] == '/' || !cg[n]))
		return cg[n] ? cg + n : "/";
	return cg;
}

/* The device "major:minor" names among SRC's and DST's, or "" (and false) when none does. */
static bool device_of(const struct diag *d, unsigned major, unsigned minor, char *name,
		      size_t len)
{
	name[0] = '\0';
	for (size_t i = 0; i < d->nr_loc; i++) {
		const struct device_info *dev = &d->loc[i].dev;

		for (size_t c = 0; d->loc[i].err >= 0 && c < dev->nr_chain; c++) {
			char *path = xasprintf("%s/sys/class/block/%s/dev", d->sysroot,
					       dev->chain[c]);
			char *text = NULL;
			unsigned ma, mi;
			bool match = false;

			if (read_text_file(path, &text, NULL) == 0 &&
			    sscanf(text, "%u:%u", &ma, &mi) == 2)
				match = ma == major && mi == minor;
			free(text);
			free(path);
			if (match) {
				strf(name, len, "%s", dev->chain[c]);
				return true;
			}
		}
	}
	return false;
}

/* Keep a limit when it is on a device of SRC or DST, or when diag was asked about no path. */
static void add_limit(struct diag *d, const char *cgroup, const char *file, const char *key,
		      unsigned major, unsigned minor, unsigned long long value)
{
	struct diag_machine *m = &d->machine;
	struct diag_io_limit *l;
	char name[32];

	if (!device_of(d, major, minor, name, sizeof(name)) && d->nr_loc)
		return;
	if (m->nr_io_limits == DIAG_MAX_IO_LIMITS)
		return;
	l = &m->io_limits[m->nr_io_limits++];
	strf(l->cgroup, sizeof(l->cgroup), "%s", cgroup);
	strf(l->file, sizeof(l->file), "%s", file);
	strf(l->key, sizeof(l->key), "%s", key);
	strf(l->dev, sizeof(l->dev), "%s", name);
	l->major = major;
	l->minor = minor;
	l->value = value;
}

/* io.max of one v2 cgroup: "MAJ:MIN rbps=N wbps=max riops=max wiops=max" a line. */
static void read_io_max(struct diag *d, const char *dir, const char *cg, const char *name)
{
	char *path = xasprintf("%s%s/io.max", dir, strcmp(cg, "/") ? cg : "");
	char *text = NULL;
	char *save = NULL;

	if (read_text_file(path, &text, NULL) < 0) {
		free(path);
		return;
	}
	free(path);
	/* the nearest io.max with limits, as it reads, for results.json's cgroup_io_max */
	if (!d->machine.io_max[0] && text[0]) {
		char *flat = xstrdup(text);

		for (char *p = flat; *p; p++)
			if (*p == '\n')
				*p = p[1] ? ';' : '\0';
		strf(d->machine.io_max, sizeof(d->machine.io_max), "%s: %s", name, flat);
		free(flat);
	}
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned major, minor;
		int off = 0;
		char *tok;
		char *tsave = NULL;

		if (sscanf(line, "%u:%u %n", &major, &minor, &off) != 2 || !off)
			continue;
		for (tok = strtok_r(line + off, " ", &tsave); tok; tok = strtok_r(NULL, " ", &tsave)) {
			char *eq = strchr(tok, '=');
			char *end;
			unsigned long long v;

			if (!eq || !strcmp(eq + 1, "max"))
				continue;
			*eq = '\0';
			v = strtoull(eq + 1, &end, 10);
			if (*end || end == eq + 1)
				continue;
			add_limit(d, name, "io.max", tok, major, minor, v);
		}
	}
	free(text);
}

/* blkio.throttle.* of one v1 cgroup: "MAJ:MIN VALUE" a line. */
static void read_throttles(struct diag *d, const char *dir, const char *cg, const char *name)
{
	for (size_t t = 0; t < sizeof(throttles) / sizeof(throttles[0]); t++) {
		char *path = xasprintf("%s%s/%s", dir, strcmp(cg, "/") ? cg : "", throttles[t].file);
		char *text = NULL;
		char *save = NULL;

		if (read_text_file(path, &text, NULL) < 0) {
			free(path);
			continue;
		}
		free(path);
		for (char *line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			unsigned major, minor;
			unsigned long long v;

			if (sscanf(line, "%u:%u %llu", &major, &minor, &v) == 3 && v)
				add_limit(d, name, throttles[t].file, throttles[t].key, major,
					  minor, v);
		}
		free(text);
	}
}

/*
 * Every ancestor of cg (a path below the mount, whose root is root), itself first, up to the
 * mount's root: "/a/b", "/a", "/"; read gets each and its name as /proc/self/cgroup writes it.
 */
static void each_ancestor(struct diag *d, const char *dir, const char *cg, const char *root,
			  void (*read)(struct diag *d, const char *dir, const char *cg,
				       const char *name))
{
	char *p = xstrdup(cg[0] ? cg : "/");

	for (;;) {
		char *slash = strrchr(p, '/');
		char *name = !strcmp(root, "/") ? xstrdup(p)
			     : xasprintf("%s%s", root, strcmp(p, "/") ? p : "");

		read(d, dir, p, name);
		free(name);
		if (!slash || !strcmp(p, "/"))
			break;
		if (slash == p)
			slash[1] = '\0';	/* "/a" -> "/" */
		else
			*slash = '\0';
	}
	free(p);
}

void diag_read_cgroup(struct diag *d)
{
	struct diag_machine *m = &d->machine;
	char v2_mnt[256], v2_root[256], v1_mnt[256], v1_root[256];
	char *dir;

	m->io_max[0] = '\0';
	m->nr_io_limits = 0;
	cgroup_paths(d->sysroot, m->cgroup, m->cgroup_blkio, sizeof(m->cgroup));
	cgroup_mounts(d->sysroot, v2_mnt, v2_root, v1_mnt, v1_root, sizeof(v2_mnt));
	if (m->cgroup[0]) {
		dir = xasprintf("%s%s", d->sysroot, v2_mnt);
		each_ancestor(d, dir, below_root(m->cgroup, v2_root), v2_root, read_io_max);
		free(dir);
	}
	if (m->cgroup_blkio[0]) {
		dir = xasprintf("%s%s", d->sysroot, v1_mnt);
		each_ancestor(d, dir, below_root(m->cgroup_blkio, v1_root), v1_root,
			      read_throttles);
		free(dir);
	}
}

void diag_io_limit_text(const struct diag_io_limit *l, char *buf, size_t len)
{
	const bool bps = strstr(l->key, "bps") != NULL;
	char dev[48];
	char value[48];
	char setting[64] = "";

	if (l->dev[0])
		strf(dev, sizeof(dev), "%s (%u:%u)", l->dev, l->major, l->minor);
	else
		strf(dev, sizeof(dev), "device %u:%u", l->major, l->minor);
	if (bps)
		strf(value, sizeof(value), "%.1f MB/s", (double)l->value / 1e6);
	else
		strf(value, sizeof(value), "%llu I/O a second", l->value);
	if (!strcmp(l->file, "io.max"))
		strf(setting, sizeof(setting), " %s=%llu", l->key, l->value);
	strf(buf, len, "cgroup %s limits %s %s to %s (%s%s)", l->cgroup,
		  l->key[0] == 'r' ? "reading" : "writing", dev, value, l->file, setting);
}
