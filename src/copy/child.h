/* SPDX-License-Identifier: MIT */
/*
 * child.h - other programs a strategy runs (cp, python): found on PATH as execvp would, spawned
 * with a fresh process's signals, waited for, asked what they are.
 */
#ifndef CCB_CHILD_H
#define CCB_CHILD_H

#include <spawn.h>
#include <stdbool.h>
#include <sys/types.h>

/*
 * The first executable regular file called name in PATH's folders (execvp's default path when
 * PATH is unset; empty and relative entries are skipped: the current folder is not "on PATH").
 * A new string, or NULL when there is none.
 */
char *child_find_program(const char *name);

/*
 * posix_spawn attributes for a child: an empty signal mask and SIGPIPE, SIGINT and SIGTERM at
 * their defaults, not the mask and handlers of the thread that spawns it. Destroy with
 * posix_spawnattr_destroy().
 */
void child_spawnattr_init(posix_spawnattr_t *attr);

/* Wait for pid, retrying EINTR; returns its wait status, or -errno. */
int child_wait(pid_t pid);

/*
 * Run path with argv (argv[0] included), its stdin /dev/null, and keep the first line of its
 * stdout (and of its stderr with with_stderr; without, stderr goes to /dev/null), at most a few
 * KiB of it read. Returns the wait status, or -errno when it could not be started; *line gets a
 * new string, empty when it printed nothing, or NULL when it did not run.
 */
int child_first_line(const char *path, char *const argv[], bool with_stderr, char **line);

/*
 * "exited with status 3", "was killed by signal 9" for a wait status; into buf, returned.
 */
const char *child_status_text(int status, char *buf, size_t len);

#endif
