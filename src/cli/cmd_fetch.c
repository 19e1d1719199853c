/* SPDX-License-Identifier: MIT */
/* cmd_fetch.c - `fetch URL|LIST DIR` and `fetch --empiar ID DIR`: download a set of stacks. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "cli/cmdline.h"
#include "cli/cmds.h"
#include "lib/util.h"

#ifdef HAVE_LIBCURL
#include "dataset/fetch.h"
#endif

#define EMPIAR_DEFAULT_BASE "https://ftp.ebi.ac.uk/empiar/world_availability"

struct fetch_cmd_opts {
	long connections;
	long retries;
	double retry_delay;
	long timeout;
	char *base_url;
	char *project_dir;
	char *empiar;
	char *match;
	uint64_t max_bytes;
	char *cafile;
	bool insecure;
	bool quiet;
};

static const struct opt_def fetch_options[] = {
	OPT_BOOL_("quiet", 'q', struct fetch_cmd_opts, quiet, "no progress or informational lines"),
	OPT_GROUP_("What to fetch"),
	OPT_STRING_(
		"base-url", 0, struct fetch_cmd_opts, base_url, NULL, "URL", OPT_URL,
		"where the paths of LIST start; with --empiar, a mirror of " EMPIAR_DEFAULT_BASE),
	OPT_STRING_("project-dir", 0, struct fetch_cmd_opts, project_dir, NULL, "PATH", 0,
		    "a .star/.cs naming absolute paths: they start with PATH, which --base-url "
		    "stands for"),
	OPT_STRING_("empiar", 0, struct fetch_cmd_opts, empiar, NULL, "ID", 0,
		    "fetch from EMPIAR entry ID, walking its directory listings"),
	OPT_STRING_("match", 0, struct fetch_cmd_opts, match, "*", "GLOB", 0,
		    "--empiar: the paths below the entry to take ('data/*/Particles/*.mrcs')"),
	OPT_SIZE_("max-bytes", 0, struct fetch_cmd_opts, max_bytes, NULL, "SIZE",
		  "--empiar: take matching files in path order up to SIZE bytes in all"),
	OPT_GROUP_("Transfers"),
	OPT_LONG_("connections", 'c', struct fetch_cmd_opts, connections, "4", "N", 1, 256,
		  "transfers at once"),
	OPT_LONG_("retries", 0, struct fetch_cmd_opts, retries, "5", "N", 0, 100,
		  "further attempts after a transient error (connection, timeout, 5xx)"),
	OPT_DOUBLE_("retry-delay", 0, struct fetch_cmd_opts, retry_delay, "1", "S", 0, 3600,
		    "seconds before the first retry, doubled for each next one"),
	OPT_LONG_("timeout", 0, struct fetch_cmd_opts, timeout, "30", "S", 1, 86400,
		  "seconds to connect, and of a transfer without progress"),
	OPT_STRING_("cafile", 0, struct fetch_cmd_opts, cafile, NULL, "FILE", 0,
		    "CA certificates to verify the server with"),
	OPT_BOOL_("insecure", 0, struct fetch_cmd_opts, insecure,
		  "do not verify the server's certificate (lab setups only)"),
	OPT_END
};

const struct opt_command fetch_command = {
	.name = "fetch",
	.synopsis = "URL|LIST DIR  or  --empiar ID DIR",
	.brief = "download a set of stacks over HTTP(S), resumable and checked",
	.summary =
		"Download a set of stacks over HTTP(S): a URL, a LIST of URLs (or of paths below\n"
		"--base-url; each line may add the SIZE and XXH3-64 to check), the stacks that\n"
		"a RELION .star or a CryoSPARC .cs/.csg LIST names (below --base-url, landing\n"
		"at the same paths in DIR, the .star/.cs put beside them once all are there),\n"
		"or the files of an EMPIAR entry that match --match. Each file is written to\n"
		"<name>.part, resumed with a range request, checked and only then renamed;\n"
		"DIR/fetch-manifest.json records what was fetched. Ctrl-C or SIGTERM stops\n"
		"with the .part files kept: the same command resumes.",
	.options = fetch_options,
	.min_args = 1,
	.max_args = 2,
};

#ifdef HAVE_LIBCURL
int cmd_fetch(int argc, char **argv)
{
	struct fetch_cmd_opts o = {0};
	struct fetch_opts fo;
	struct fetch_list l;
	const char *dir;
	char **args;
	int nargs;
	int ret;

	options_defaults(fetch_command.options, &o);
	ret = options_parse(&fetch_command, argc, argv, &o, &args, &nargs);
	if (ret) {
		options_release(fetch_command.options, &o);
		return ret > 0 ? 0 : 2;
	}
	if (nargs != (o.empiar ? 1 : 2)) {
		error(o.empiar ? "fetch --empiar ID takes one argument, DIR"
			       : "fetch takes two arguments, URL|LIST and DIR");
		options_release(fetch_command.options, &o);
		return 2;
	}
	fo = (struct fetch_opts){
		.connections = (unsigned)o.connections,
		.retries = (unsigned)o.retries,
		.retry_delay = o.retry_delay,
		.timeout = o.timeout,
		.cafile = o.cafile,
		.insecure = o.insecure,
		.quiet = o.quiet,
		.stop = &bench_stop_signal,
	};
	quiet_messages = o.quiet;
	if (o.insecure)
		warning("--insecure: server certificates are not verified");
	dir = args[nargs - 1];
	fetch_list_init(&l);
	if (o.empiar) {
		const char *base = o.base_url ? o.base_url : EMPIAR_DEFAULT_BASE;
		size_t blen = strlen(base);
		char *entry;

		while (blen && base[blen - 1] == '/')
			blen--;
		if (!*o.empiar || strspn(o.empiar, "0123456789") != strlen(o.empiar)) {
			error("--empiar takes the entry's number, not '%s'", o.empiar);
			options_release(fetch_command.options, &o);
			return 2;
		}
		entry = xasprintf("%.*s/%s/", (int)blen, base, o.empiar);
		bench_install_signal_handlers();
		ret = fetch_walk_listing(&l, entry, o.match, o.max_bytes, &fo);
		free(entry);
	} else {
		/* Read first: Ctrl-C while a LIST comes from a terminal ends it at once. */
		ret = fetch_list_read(&l, args[0], o.base_url, o.project_dir);
		bench_install_signal_handlers();
	}
	if (ret == -EINTR)
		error("interrupted by %s before any file was fetched",
		      bench_stop_signal == SIGTERM ? "SIGTERM" : "SIGINT");
	if (!ret && !l.n)
		info("nothing to fetch");
	if (!ret && l.n)
		ret = fetch_run(&l, dir, &fo);
	fetch_list_release(&l);
	options_release(fetch_command.options, &o);
	if (bench_stop_signal)
		return 128 + bench_stop_signal;
	return ret ? 1 : 0;
}

#else

int cmd_fetch(int argc, char **argv)
{
	struct fetch_cmd_opts o = { 0 };
	char **args;
	int nargs;
	int ret;

	/* --help and --version answer as in a full build; anything else cannot run. */
	options_defaults(fetch_command.options, &o);
	ret = options_parse(&fetch_command, argc, argv, &o, &args, &nargs);
	options_release(fetch_command.options, &o);
	if (ret > 0)
		return 0;
	if (ret < 0)
		return 2;
	error("fetch: built without libcurl (install libcurl4-openssl-dev and re-run configure)");
	return 1;
}

#endif
