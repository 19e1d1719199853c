/* SPDX-License-Identifier: MIT */
/*
 * url.h - URLs as they may be shown: user information and query values are credentials (a
 * password, a signed-URL token), so every message, results file and manifest gets the URL
 * through url_redact(), while the request itself uses the real one.
 */
#ifndef CCB_URL_H
#define CCB_URL_H

#include <stdbool.h>

/*
 * url with its user information replaced by "***", the value of every query parameter by
 * "***" (a parameter without '=' entirely) and a fragment by "#***": safe to print or store.
 * "https://u:pw@h/a/?token=x&n=2" is shown with "***@" for "u:pw@" and "token=***&n=***" for
 * its query. Without a "scheme://", the text up to the first '/', '?' or '#' is taken for the
 * authority (libcurl takes "u:pw@host/x" for an http URL). Allocated; the caller frees it.
 */
char *url_redact(const char *url);

/*
 * Text a message quotes that may be a URL given in the wrong place (a mistyped option, an
 * argument too many): through url_redact() when it holds "scheme://", else a copy. Allocated.
 */
char *url_shown(const char *text);

/* Whether url_redact() would hide anything: user information, a query or a fragment. */
bool url_has_secret(const char *url);

#endif
