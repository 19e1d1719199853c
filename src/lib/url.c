/* SPDX-License-Identifier: MIT */
/* url.c - URLs without their credentials, for messages and the files the tool writes. */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "lib/dynbuf.h"
#include "lib/url.h"
#include "lib/util.h"

/* Where the authority starts: after "scheme://", or at the start without one. */
static const char *authority_start(const char *url)
{
	const char *sep = strstr(url, "://");

	if (!sep || sep == url)
		return url;
	for (const char *p = url; p < sep; p++)
		if (!isalnum((unsigned char)*p) && !strchr("+-.", *p))
			return url;
	return sep + 3;
}

/* The last '@' of the authority (a password may hold one: "user:p@ss@host"), or NULL. */
static const char *userinfo_end(const char *host)
{
	const size_t authority = strcspn(host, "/?#");

	return memrchr(host, '@', authority);
}

char *url_redact(const char *url)
{
	const char *host = authority_start(url);
	const char *at = userinfo_end(host);
	const char *rest = at ? at + 1 : host;
	const size_t path = strcspn(rest, "?#");
	const char *p = rest + path;
	struct dynbuf b;

	dynbuf_init(&b);
	dynbuf_add(&b, url, (size_t)(host - url));
	if (at)
		dynbuf_addstr(&b, "***@");
	dynbuf_add(&b, rest, path);
	if (*p == '?') {
		p++;
		dynbuf_addstr(&b, "?");
		/* name=value pieces, '&' (or ';') apart: the names stay, every value goes. */
		while (*p && *p != '#') {
			const size_t piece = strcspn(p, "&;#");
			const char *eq = memchr(p, '=', piece);

			if (eq)
				dynbuf_add(&b, p, (size_t)(eq - p) + 1);
			if (piece)
				dynbuf_addstr(&b, "***");
			p += piece;
			if (*p == '&' || *p == ';')
				dynbuf_add(&b, p++, 1);
		}
	}
	if (*p == '#')
		dynbuf_addstr(&b, "#***");
	return dynbuf_detach(&b, NULL);
}

char *url_shown(const char *text)
{
	return authority_start(text) == text ? xstrdup(text) : url_redact(text);
}

bool url_has_secret(const char *url)
{
	const char *host = authority_start(url);

	return userinfo_end(host) || strpbrk(host, "?#");
}
