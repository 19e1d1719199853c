/* SPDX-License-Identifier: MIT */
/*
 * diag_host.c - what makes removals and memory-heavy runs slower than the copy itself: a mount
 * with online discard, a VM handing its freed memory back to the host (diag.h).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "sys/diag.h"
#include "sys/diag_int.h"

/* virtio's VIRTIO_BALLOON_F_REPORTING: the guest reports free pages, the host takes them back. */
#define VIRTIO_BALLOON_F_REPORTING 5

bool diag_online_discard(const char *fs_type, const char *options)
{
	bool on = false;

	/* f2fs queues its discards to a thread of its own: removing a file does not wait. */
	if (!fs_type || !options || !strcmp(fs_type, "f2fs"))
		return false;
	char *copy = xstrdup(options);
	char *save = NULL;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		/* btrfs's discard=async batches them in the background; "discard" is its sync. */
		if (!strcmp(o, "discard") || !strcmp(o, "discard=sync"))
			on = true;
		else if (!strcmp(o, "nodiscard") || !strcmp(o, "discard=async"))
			on = false;
		else if (!strncmp(o, "discard=", 8) && strcmp(fs_type, "btrfs"))
			on = true; /* jfs's discard=minlen */
	}
	free(copy);
	return on;
}

/* Whether the virtio device at dir (sysroot included) is a balloon: 1, 0, or -1 unreadable. */
static int balloon_reports(const char *dir)
{
	char target[PATH_MAX];
	char *text = NULL;
	int ret;

	char *p = xasprintf("%s/driver", dir);
	const ssize_t n = readlink(p, target, sizeof(target) - 1);
	free(p);
	if (n <= 0)
		return 0; /* no driver bound: nothing reports */
	target[n] = '\0';
	const char *base = strrchr(target, '/');
	if (strcmp(base ? base + 1 : target, "virtio_balloon"))
		return 0;
	/* features: one character per feature bit, bit 0 first */
	p = xasprintf("%s/features", dir);
	ret = read_text_file(p, &text, NULL);
	free(p);
	if (ret < 0)
		return -1;
	ret = strlen(text) > VIRTIO_BALLOON_F_REPORTING && text[VIRTIO_BALLOON_F_REPORTING] == '1';
	free(text);
	return ret;
}

int diag_read_free_page_reporting(const char *sysroot)
{
	char *path = xasprintf("%s/sys/bus/virtio/devices", sysroot);
	DIR *dir = opendir(path);
	struct dirent *de;
	int found = 0;

	free(path);
	if (!dir) {
		/* A kernel without virtio has no balloon; a /sys not mounted says nothing. */
		path = xasprintf("%s/sys/bus", sysroot);
		found = errno == ENOENT && access(path, F_OK) == 0 ? 0 : -1;
		free(path);
		return found;
	}
	while ((de = readdir(dir)) != NULL && found != 1) {
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/sys/bus/virtio/devices/%s", sysroot, de->d_name);
		const int r = balloon_reports(path);
		free(path);
		if (r == 1 || (r < 0 && found == 0))
			found = r;
	}
	closedir(dir);
	return found;
}

void diag_host_findings(struct diag *d)
{
	for (size_t i = 0; i < d->nr_loc; i++) {
		const struct diag_location *l = &d->loc[i];

		if (l->err < 0 || !l->discard || strcmp(l->role, "destination"))
			continue;
		add_stringf(d->findings,
			    "DST (%s, %s) is mounted with online discard: every removed file waits "
			    "for the device to discard its blocks, which slows cache eviction and the "
			    "removal of the previous copy between runs; a periodic fstrim "
			    "(fstrim.timer) instead of the discard mount option avoids it",
			    l->dev.mount_point, l->dev.fs_type);
	}
	if (d->machine.free_page_reporting == 1)
		add_stringf(d->findings,
			    "this is a VM that returns freed memory to its host (virtio-balloon free "
			    "page reporting): memory the page cache or tmpfs takes after a drop may "
			    "first fault in the host, so runs can be bimodal; compare contenders "
			    "interleaved in one session with many runs");
}
