/* SPDX-License-Identifier: MIT */
/*
 * curl_common.h - what every libcurl transfer of the tool sets the same way (fetch, the http
 * strategy, --post): error buffer, no signals, timeouts, TLS verification, a user agent, and an
 * end to a blocking transfer once a stop signal is raised; and which failures are worth a retry.
 */
#ifndef CCB_CURL_COMMON_H
#define CCB_CURL_COMMON_H

#include <signal.h>
#include <stdbool.h>

#include <curl/curl.h>

struct curl_common {
	long timeout;		/* seconds to connect, and of a transfer without progress */
	const char *cafile;	/* CA bundle; NULL: the system's */
	bool insecure;		/* do not verify the server's certificate */
	/* When it holds a signal number, the transfer ends with CURLE_ABORTED_BY_CALLBACK. */
	const volatile sig_atomic_t *stop;
};

/* Apply c to e (after curl_easy_reset or init); errbuf has CURL_ERROR_SIZE bytes. */
void curl_common_setup(CURL *e, const struct curl_common *c, char *errbuf);

/* A failure that may pass when tried again: no connection, a timeout, a cut transfer. */
bool curl_common_transient(CURLcode rc);

/* The reason for rc (errbuf when curl filled it), naming the timeout when it is one. */
void curl_common_why(char *why, size_t len, CURLcode rc, const char *errbuf, long timeout);

#endif
