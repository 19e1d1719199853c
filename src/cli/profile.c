/* SPDX-License-Identifier: MIT */
/* profile.c - an INI profile's section applied to a command's option table (inih). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "cli/cmds.h"
#include "cli/profile.h"
#include "lib/datadir.h"
#include "lib/url.h"
#include "lib/util.h"

struct profile_state {
	const char *section;		/* the command's */
	const struct opt_group *groups;
	size_t ngroups;
	FILE *f;
	int line;		/* lines read so far: the handler's line */
	bool seen_section;
	int msg_line;		/* the line of msg */
	char msg[384];		/* the first error the handler found */
	const char *secret;	/* the first secret option the profile sets, or NULL */
	const char *secret_url;	/* the first URL option it sets with credentials, or NULL */
	bool refused;		/* msg is about a line refused before inih (NUL, too long) */
};

/*
 * fgets for inih, counting lines so the handler knows where it is, read a byte at a time so
 * that a NUL byte is seen: fgets would end the line there and inih parse what is before it as
 * the whole line. A line longer than inih's buffer would reach it in pieces, the rest parsed as
 * lines of their own (and, for a secret, shown in a message): it is skipped whole and refused
 * instead. A refused line reaches inih as a comment; its text is never shown (it may hold a
 * secret).
 */
static char *read_line(char *buf, int size, void *stream)
{
	struct profile_state *st = stream;
	bool nul = false;
	bool cut = false;
	int n = 0;
	int c;

	while ((c = getc(st->f)) != EOF) {
		nul |= c == '\0';
		if (n < size - 1)
			buf[n++] = (char)c;
		else
			cut = true;
		if (c == '\n')
			break;
	}
	if (!n && c == EOF)
		return NULL;
	st->line++;
	buf[n] = '\0';
	if ((cut || nul) && !st->msg[0]) {
		st->refused = true;
		st->msg_line = st->line;
		if (cut)
			snprintf(st->msg, sizeof(st->msg), "line %d is longer than %d characters "
				 "(its text is not shown: it may hold a secret; give a long --header "
				 "on the command line)", st->line, size - 2);
		else
			snprintf(st->msg, sizeof(st->msg), "line %d holds a NUL byte: a profile is "
				 "text (is it the right file?)", st->line);
	}
	if (cut || nul)
		snprintf(buf, (size_t)size, ";\n");
	return buf;
}

/* "all_files" and "all-files" both name --all-files. */
static bool key_matches(const char *option, const char *key)
{
	for (; *option && *key; option++, key++) {
		const char k = *key == '_' ? '-' : *key;

		if (k != *option)
			return false;
	}
	return !*option && !*key;
}

/* Sections a profile may hold: the commands of the list (cmds.h) that have one. */
static bool section_known(const char *section)
{
	const struct command *c = command_find(section);

	return c && c->profile_section;
}

/* Set key from the command's section; 0, or -EINVAL with the reason in st->msg. */
static int set_key(struct profile_state *st, const char *key, const char *value)
{
	char why[320];

	for (size_t g = 0; g < st->ngroups; g++) {
		for (const struct opt_def *def = st->groups[g].options; def->name; def++) {
			if (opt_is_group(def) || !key_matches(def->name, key))
				continue;
			if (!strcmp(def->name, "profile")) {
				snprintf(st->msg, sizeof(st->msg),
					 "a profile cannot include another ('%s')", key);
				return -EINVAL;
			}
			if (options_set(def, st->groups[g].opts, value, why, sizeof(why))) {
				snprintf(st->msg, sizeof(st->msg), "%s", why);
				return -EINVAL;
			}
			if ((def->flags & OPT_SECRET) && !st->secret)
				st->secret = def->name;
			if ((def->flags & OPT_URL) && url_has_secret(value) && !st->secret_url)
				st->secret_url = def->name;
			return 0;
		}
	}
	snprintf(st->msg, sizeof(st->msg), "unknown key '%s' in [%s]", key, st->section);
	return -EINVAL;
}

/* inih calls this per key; returning 0 makes ini_parse report this line as its first error. */
static int on_key(void *user, const char *section, const char *key, const char *value)
{
	struct profile_state *st = user;

	if (st->msg[0])
		return 1;	/* only the first error is reported */
	st->msg_line = st->line;
	if (!section[0]) {
		snprintf(st->msg, sizeof(st->msg), "key '%s' is outside a section ([%s])", key,
			 st->section);
		return 0;
	}
	if (!section_known(section)) {
		snprintf(st->msg, sizeof(st->msg), "unknown section [%s]", section);
		return 0;
	}
	if (strcmp(section, st->section))
		return 1;
	st->seen_section = true;
	return set_key(st, key, value) ? 0 : 1;
}

/*
 * why for a --profile value that is neither a file nor a shipped profile: where the shipped ones
 * were looked for, e.g.
 *   no profile 'tune': not a file, and no readable 'tune.ini' in '/usr/bin/profiles',
 *   '/usr/share/cryocache-bench/profiles' (set CCB_PROFILES_DIR to the folder that holds it)
 */
static void unknown_profile(const char *value, char *why, size_t len)
{
	char *name = xasprintf("%s.ini", value);
	char looked[400] = "";
	char *found = datadir_find("CCB_PROFILES_DIR", "profiles", name, looked, sizeof(looked));

	free(found);
	snprintf(why, len, "no profile '%s': not a file, and %s", value, looked);
	free(name);
}

int profile_apply(const char *section, const struct opt_group *groups, size_t n, const char *path,
		  char *why, size_t len)
{
	struct profile_state st = { .section = section, .groups = groups, .ngroups = n };
	int line;
	int err;

	st.f = fopen(path, "re");
	if (!st.f) {
		err = errno;
		if (err == ENOENT && !strchr(path, '/'))
			unknown_profile(path, why, len);
		else
			snprintf(why, len, "cannot read profile '%s': %s", path, strerror(err));
		return -err;
	}
	line = ini_parse_stream(read_line, &st, on_key, &st);
	err = ferror(st.f) ? EIO : 0;
	if (!err && line == 0 && (st.secret || st.secret_url)) {
		struct stat sb;

		if (fstat(fileno(st.f), &sb) == 0 && (sb.st_mode & 044)) {
			if (st.secret)
				warning("profile '%s' sets --%s, a secret, and other users may read "
					"it: chmod 600 '%s'", path, st.secret, path);
			else
				warning("profile '%s' sets --%s, a URL with user information or a "
					"query (credentials), and other users may read it: chmod 600 "
					"'%s'", path, st.secret_url, path);
		}
	}
	fclose(st.f);
	if (err) {
		snprintf(why, len, "cannot read profile '%s': %s", path, strerror(err));
		return -err;
	}
	if (line == -2) {
		snprintf(why, len, "cannot read profile '%s': out of memory", path);
		return -ENOMEM;
	}
	if (st.refused) {
		snprintf(why, len, "profile '%s' %s", path, st.msg);
		return -EINVAL;
	}
	if (line > 0) {
		/* ini_parse's first error is ours, or an earlier line it could not parse */
		if (st.msg[0] && st.msg_line == line)
			snprintf(why, len, "profile '%s' line %d: %s", path, line, st.msg);
		else
			snprintf(why, len, "profile '%s' line %d: not a section, a key = value or a "
				 "comment", path, line);
		return -EINVAL;
	}
	if (!st.seen_section) {
		snprintf(why, len, "profile '%s' has no [%s] section", path, section);
		return -EINVAL;
	}
	return 0;
}

char *profile_locate(const char *value)
{
	char *name;
	char *found;

	if (strchr(value, '/') || access(value, F_OK) == 0)
		return xstrdup(value);
	found = datadir_find("CCB_PROFILES_DIR", "profiles", value, NULL, 0);
	if (found)
		return found;
	name = xasprintf("%s.ini", value);
	found = datadir_find("CCB_PROFILES_DIR", "profiles", name, NULL, 0);
	free(name);
	return found ? found : xstrdup(value);
}

/* inih handler of profile_has_section: stops at the first key of the section. */
static int on_key_seen(void *user, const char *section, const char *key, const char *value)
{
	const char **want = user;

	(void)key;
	(void)value;
	if (*want && !strcmp(section, *want)) {
		*want = NULL;
		return 0;
	}
	return 1;
}

bool profile_has_section(const char *path, const char *section)
{
	const char *want = section;

	ini_parse(path, on_key_seen, &want);
	return !want;
}
