/* SPDX-License-Identifier: MIT */
/* curl_common.c - the settings every transfer shares, and which failures deserve a retry. */
#include "config.h"

#include <stdio.h>

#include "lib/curl_common.h"

static int stop_raised(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	const volatile sig_atomic_t *stop = clientp;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return *stop != 0;
}

void curl_common_setup(CURL *e, const struct curl_common *c, char *errbuf)
{
	errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, c->timeout);
	/* A stalled server fails the transfer instead of hanging it. */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, c->timeout);
	if (c->cafile)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->cafile);
	if (c->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (c->stop) {
		curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, stop_raised);
		curl_easy_setopt(e, CURLOPT_XFERINFODATA, (void *)c->stop);
		curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	}
}

bool curl_common_transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

void curl_common_why(char *why, size_t len, CURLcode rc, const char *errbuf, long timeout)
{
	const char *what = errbuf[0] ? errbuf : curl_easy_strerror(rc);

	if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(why, len, "%s (timeout %ld s)", what, timeout);
	else
		snprintf(why, len, "%s", what);
}
