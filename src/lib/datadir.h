/* SPDX-License-Identifier: MIT */
/*
 * datadir.h - where the program's shared files (gnuplot scripts, profiles) are: an environment
 * variable's folder first, then beside the running binary (a build tree), then the installed
 * PKGDATADIR.
 */
#ifndef CCB_DATADIR_H
#define CCB_DATADIR_H

#include <stddef.h>

/*
 * The first of these that holds a readable file called name, as a new absolute path:
 *   $env (when env is not NULL and the variable is set and not empty)
 *   <the folder of /proc/self/exe>/<sub>      a binary in its build tree
 *   PKGDATADIR/<sub>                          the installed files
 * NULL when none does; then why lists the folders looked in.
 */
char *datadir_find(const char *env, const char *sub, const char *name, char *why, size_t len);

#endif
