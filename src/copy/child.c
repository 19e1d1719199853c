/* SPDX-License-Identifier: MIT */
/* child.c - other programs a strategy runs: found on PATH, spawned, waited for, asked. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "copy/child.h"
#include "lib/util.h"

#define CHILD_OUTPUT_MAX 4096	/* bytes of a child's output kept; its first line is used */

char *child_find_program(const char *name)
{
	const char *path = getenv("PATH");
	char *copy;
	char *save = NULL;
	char *found = NULL;

	if (!path) {
		static char cs_path[256];

		/* execvp's default when PATH is unset */
		if (!confstr(_CS_PATH, cs_path, sizeof(cs_path)))
			return NULL;
		path = cs_path;
	}
	copy = xstrdup(path);
	/* strtok_r skips empty fields (the current folder): a program there is not "on PATH". */
	for (char *dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *cand = path_join(dir, name);
		struct stat st;

		if (dir[0] == '/' && stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(cand, X_OK) == 0)
			found = cand;
		else
			free(cand);
	}
	free(copy);
	return found;
}

void child_spawnattr_init(posix_spawnattr_t *attr)
{
	sigset_t none;
	sigset_t dfl;

	posix_spawnattr_init(attr);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	posix_spawnattr_setsigmask(attr, &none);
	posix_spawnattr_setsigdefault(attr, &dfl);
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

int child_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return status;
}

int child_first_line(const char *path, char *const argv[], bool with_stderr, char **line)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char buf[CHILD_OUTPUT_MAX];
	size_t got = 0;
	int pipefd[2];
	pid_t pid;
	int err;

	*line = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	if (with_stderr)
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	else
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	child_spawnattr_init(&attr);
	err = posix_spawn(&pid, path, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (err) {
		close(pipefd[0]);
		return -err;
	}
	/* Read it all, so that the child never blocks on a full pipe; keep what fits in buf. */
	for (;;) {
		char sink[512];
		const bool room = got < sizeof(buf) - 1;
		ssize_t n = read(pipefd[0], room ? buf + got : sink,
				 room ? sizeof(buf) - 1 - got : sizeof(sink));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (room)
			got += (size_t)n;
	}
	close(pipefd[0]);
	buf[got] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	*line = xstrdup(buf);
	return child_wait(pid);
}

const char *child_status_text(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended with wait status %#x", (unsigned)status);
	return buf;
}
