/* SPDX-License-Identifier: MIT */
/* datadir.c - the program's shared files: $ENV, beside the binary, or PKGDATADIR. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/datadir.h"
#include "lib/dynbuf.h"
#include "lib/util.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/cryocache-bench"
#endif

/* The folder the running binary is in, as a new string, or NULL. */
static char *exe_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return xstrdup(buf[0] ? buf : "/");
}

char *datadir_find(const char *env, const char *sub, const char *name, char *why, size_t len)
{
	const char *from_env = env ? getenv(env) : NULL;
	char *exe = exe_dir();
	char *dirs[3] = { NULL, NULL, NULL };
	char *found = NULL;
	struct dynbuf looked;

	dynbuf_init(&looked);
	if (from_env && *from_env)
		dirs[0] = xstrdup(from_env);
	if (exe)
		dirs[1] = path_join(exe, sub);
	dirs[2] = path_join(PKGDATADIR, sub);
	for (size_t i = 0; i < 3 && !found; i++) {
		char *path;

		if (!dirs[i])
			continue;
		path = path_join(dirs[i], name);
		if (access(path, R_OK) == 0)
			found = realpath(path, NULL);
		free(path);
		dynbuf_addf(&looked, "%s'%s'", looked.len ? ", " : "", dirs[i]);
	}
	if (!found && why)
		snprintf(why, len, "no readable '%s' in %s%s%s%s", name, dynbuf_str(&looked),
			 env ? " (set " : "", env ? env : "", env ? " to the folder that holds it)" : "");
	for (size_t i = 0; i < 3; i++)
		free(dirs[i]);
	free(exe);
	dynbuf_release(&looked);
	return found;
}
