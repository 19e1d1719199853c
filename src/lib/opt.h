/* SPDX-License-Identifier: MIT */
/*
 * opt.h - option tables: one struct opt_def per field of a struct, so that one table drives the
 * command line, --help, profiles and the JSON echo of a run's parameters (cli/options.h), and a
 * copy strategy can own the options it reads (copy/strategy.h).
 *
 *	struct run_opts { long threads; char *strategy; bool keep; };
 *	static const struct opt_def run_options[] = {
 *		OPT_LONG_("threads", 't', struct run_opts, threads, "2", "N", 1, 4096,
 *			  "worker threads copying at once"),
 *		OPT_GROUP_("Output"),
 *		OPT_BOOL_("keep", 0, struct run_opts, keep, "leave the last copy"),
 *		...
 *		OPT_END
 *	};
 *
 * options_defaults() sets every field from its default text, options_set() one field from text.
 * An OPT_GROUP_ entry is a heading, as git's OPT_GROUP: --help and the manual page print it above
 * the options that follow it; it is no option (code walking a table skips it: opt_is_group()).
 */
#ifndef CCB_OPT_H
#define CCB_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

enum opt_type {
	OPT_BOOL,	/* bool; a flag on the command line, "true"/"false" in a profile */
	OPT_LONG,	/* long within [min, max] */
	OPT_SIZE,	/* uint64_t bytes, "64K", "1M" */
	OPT_STRING,	/* char * (owned; freed by options_release) */
	OPT_CHOICE,	/* char * that must be one of choices[] */
	OPT_DOUBLE,	/* double within [min, max] */
	OPT_LIST,	/* struct opt_list; each occurrence appends one string */
	OPT_GROUP,	/* no option: a heading for the options after it (help is its title) */
};

enum opt_flags {
	OPT_SECRET = 1 << 0,	/* never echoed into results or logs (tokens, headers) */
	OPT_NO_ECHO = 1 << 1,	/* not a parameter of the measurement (paths of outputs, verbosity) */
	OPT_URL = 1 << 2,	/* a URL: echoed without its user information and query values */
	OPT_ZERO_OFF = 1 << 3,	/* OPT_DOUBLE: 0 (off) is taken besides min to max */
};

/* The values of a repeatable option, in the order given (a profile's first). */
struct opt_list {
	char **v;
	size_t n;
};

struct opt_def {
	const char *name;		/* long name, without "--" */
	int short_name;			/* 0 for none */
	enum opt_type type;
	size_t offset;			/* of the field in the subcommand's struct */
	const char *def;		/* default as text, NULL = unset (0, false, NULL) */
	const char *arg;		/* metavar in --help */
	const char *help;
	unsigned flags;			/* enum opt_flags */
	double min, max;		/* OPT_LONG, OPT_DOUBLE; OPT_SIZE: min only, 0 for none */
	const char *const *choices;	/* OPT_CHOICE, NULL-terminated */
};

#define OPT_FIELD_(st, field) offsetof(st, field)
#define OPT_BOOL_(n, s, st, f, h) \
	{ (n), (s), OPT_BOOL, OPT_FIELD_(st, f), NULL, NULL, (h), 0, 0, 0, NULL }
#define OPT_BOOL_F_(n, s, st, f, fl, h) \
	{ (n), (s), OPT_BOOL, OPT_FIELD_(st, f), NULL, NULL, (h), (fl), 0, 0, NULL }
#define OPT_LONG_(n, s, st, f, d, a, lo, hi, h) \
	{ (n), (s), OPT_LONG, OPT_FIELD_(st, f), (d), (a), (h), 0, (lo), (hi), NULL }
#define OPT_DOUBLE_(n, s, st, f, d, a, lo, hi, h) \
	{ (n), (s), OPT_DOUBLE, OPT_FIELD_(st, f), (d), (a), (h), 0, (lo), (hi), NULL }
/* A number from lo to hi, or 0 to turn off what the option sets the pace of. */
#define OPT_DOUBLE_OFF_(n, s, st, f, d, a, lo, hi, h) \
	{ (n), (s), OPT_DOUBLE, OPT_FIELD_(st, f), (d), (a), (h), OPT_ZERO_OFF, (lo), (hi), NULL }
#define OPT_SIZE_(n, s, st, f, d, a, h) \
	{ (n), (s), OPT_SIZE, OPT_FIELD_(st, f), (d), (a), (h), 0, 0, 0, NULL }
/* A size given on the command line or in a profile must be at least lo (1: "0" is refused). */
#define OPT_SIZE_MIN_(n, s, st, f, d, a, lo, h) \
	{ (n), (s), OPT_SIZE, OPT_FIELD_(st, f), (d), (a), (h), 0, (lo), 0, NULL }
#define OPT_STRING_(n, s, st, f, d, a, fl, h) \
	{ (n), (s), OPT_STRING, OPT_FIELD_(st, f), (d), (a), (h), (fl), 0, 0, NULL }
#define OPT_CHOICE_(n, s, st, f, d, a, ch, h) \
	{ (n), (s), OPT_CHOICE, OPT_FIELD_(st, f), (d), (a), (h), 0, 0, 0, (ch) }
#define OPT_LIST_(n, s, st, f, a, fl, h) \
	{ (n), (s), OPT_LIST, OPT_FIELD_(st, f), NULL, (a), (h), (fl), 0, 0, NULL }
/* A heading in --help and the manual page; its name is "" (no option has that name). */
#define OPT_GROUP_(title) { "", 0, OPT_GROUP, 0, NULL, NULL, (title), 0, 0, 0, NULL }
#define OPT_END { NULL, 0, OPT_BOOL, 0, NULL, NULL, NULL, 0, 0, 0, NULL }

/* Whether def is a heading (OPT_GROUP_) rather than an option. */
static inline bool opt_is_group(const struct opt_def *def)
{
	return def->type == OPT_GROUP;
}

/* Set every field of opts (a struct the table describes) to its default. */
void options_defaults(const struct opt_def *table, void *opts);

/*
 * Set one option from text (the command line, or a profile). Returns 0, or -EINVAL with
 * a message naming the option and the reason in why.
 */
int options_set(const struct opt_def *def, void *opts, const char *value, char *why, size_t len);

/* The options as a JSON object (name -> value), leaving out OPT_SECRET and OPT_NO_ECHO, with
 * OPT_URL values through url_redact(). */
json_t *options_to_json(const struct opt_def *table, const void *opts);

/*
 * The inverse of options_to_json(): set the options of table that o names (its keys as
 * options_to_json() writes them) in opts, leaving the others as they are; a null, or a zero for
 * an option without a default (unset), is skipped. Used to continue a session with the options
 * its results.json recorded. Returns 0, or -EINVAL with the key and the reason in why.
 */
int options_from_json(const struct opt_def *table, void *opts, json_t *o, char *why, size_t len);

/*
 * A URL o records is shown without its user information and query values (options_to_json()), so
 * options_from_json() does not take one that had them. The first such OPT_URL option of table
 * that opts still leaves unset (the command line did not give it again), its recorded text in
 * *recorded; NULL when there is none.
 */
const struct opt_def *options_url_unrecorded(const struct opt_def *table, const void *opts,
					     json_t *o, const char **recorded);

/* Free the strings held by opts. */
void options_release(const struct opt_def *table, void *opts);

#endif
