/* SPDX-License-Identifier: MIT */
/*
 * http.h - the http strategy's options (job->eo), which the caller also reads: the bench layer
 * for --source-url and --insecure, --post for --cafile and --insecure.
 */
#ifndef CCB_COPY_HTTP_H
#define CCB_COPY_HTTP_H

#include <stdbool.h>

struct http_opts {
	char *source_url;	/* fetch source_url + "/" + f->rel instead of SRC's file */
	char *cafile;		/* CA bundle for TLS; NULL: the system's */
	bool insecure;		/* do not verify the server's certificate */
	long timeout;		/* seconds to connect, and of a transfer without progress */
};

#endif
