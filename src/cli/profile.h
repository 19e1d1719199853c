/* SPDX-License-Identifier: MIT */
/*
 * profile.h - options from an INI file (the .ini files in profiles/), through the same option
 * table as the command line, so every option has a key and the two never drift apart.
 *
 *	[sweep]
 *	threads = 1,2,4,8
 *	repeats = 5
 *	all_files = true
 *
 * A section names the command whose options it sets ([run], [sweep], [fio], ...); a command reads
 * only its own section, so one profile can carry several commands. A key is an option's long
 * name, with '-' or '_' alike; values are what the option takes on the command line (booleans:
 * true/false, yes/no, 1/0). Comments start with ';' or '#'.
 */
#ifndef CCB_PROFILE_H
#define CCB_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/options.h"

/*
 * Set the options of the n groups (groups[0]: the command's own table and struct) from the
 * [section] section of the profile at path (section: the command's name). Returns 0, or
 * -EINVAL / -errno with a message in why naming the file and, for a bad line, its number and key:
 *   profile 'ci.ini' line 4: unknown key 'thraeds' in [sweep]
 *   profile 'ci.ini' line 5: invalid value 'x' for --repeats: ...
 * A profile without a [section] section, or with a section that names no command, is an error.
 */
/*
 * The file a --profile value names, as a new string: the value itself when it names a file or
 * holds a '/'; else a shipped profile of that name, with or without ".ini", from $CCB_PROFILES_DIR,
 * profiles/ beside the binary, or PKGDATADIR/profiles (datadir_find()). When none is found, the
 * value itself (the error then names it).
 */
char *profile_locate(const char *value);

int profile_apply(const char *section, const struct opt_group *groups, size_t n, const char *path,
		  char *why, size_t len);

/* Whether the profile at path sets a key in [section] (false when it cannot be read). */
bool profile_has_section(const char *path, const char *section);

#endif
