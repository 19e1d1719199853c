/* SPDX-License-Identifier: MIT */
/* opt.c - option tables: defaults, setting a field from text, the JSON echo, releasing. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/opt.h"
#include "lib/url.h"
#include "lib/text.h"
#include "lib/util.h"

#define FIELD(opts, def, type) ((type *)((char *)(opts) + (def)->offset))

static bool choice_ok(const struct opt_def *def, const char *value)
{
	for (const char *const *c = def->choices; *c; c++)
		if (strcmp(*c, value) == 0)
			return true;
	return false;
}

/* options_set(), quoting a refused value as shown (a URL without its credentials). */
static int set_value(const struct opt_def *def, void *opts, const char *value, const char *shown,
		     char *why, size_t len)
{
	long l;
	double d;
	uint64_t sz;
	char *end;
	int ret;

	switch (def->type) {
	case OPT_BOOL:
		if (!value || !strcmp(value, "true") || !strcmp(value, "1") || !strcmp(value, "yes")) {
			*FIELD(opts, def, bool) = true;
		} else if (!strcmp(value, "false") || !strcmp(value, "0") || !strcmp(value, "no")) {
			*FIELD(opts, def, bool) = false;
		} else {
			snprintf(why, len, "invalid value '%s' for --%s: expected true or false", shown,
				 def->name);
			return -EINVAL;
		}
		return 0;
	case OPT_LONG:
		ret = parse_long(value, (long)def->min, (long)def->max, &l);
		if (ret) {
			snprintf(why, len, "invalid value '%s' for --%s: expected a whole number from %.0f to %.0f",
				 shown, def->name, def->min, def->max);
			return -EINVAL;
		}
		*FIELD(opts, def, long) = l;
		return 0;
	case OPT_DOUBLE:
		errno = 0;
		d = strtod(value, &end);
		/* Written so that NaN, which compares false with everything, is refused too. */
		if (errno || end == value || *end ||
		    !((d >= def->min && d <= def->max) || (d == 0 && (def->flags & OPT_ZERO_OFF)))) {
			snprintf(why, len, "invalid value '%s' for --%s: expected %sa number from %g to "
				 "%g", shown, def->name, def->flags & OPT_ZERO_OFF ? "0 (off) or " : "",
				 def->min, def->max);
			return -EINVAL;
		}
		*FIELD(opts, def, double) = d;
		return 0;
	case OPT_SIZE:
		ret = parse_size(value, &sz);
		if (ret) {
			snprintf(why, len, "invalid size '%s' for --%s: expected bytes, e.g. 4096, 64K, 1M, 2G",
				 shown, def->name);
			return -EINVAL;
		}
		/* An option whose unset value is 0 cannot take 0 as a size: it would mean unset. */
		if ((double)sz < def->min) {
			snprintf(why, len, "invalid size '%s' for --%s: expected at least %.0f byte%s",
				 value, def->name, def->min, def->min == 1 ? "" : "s");
			return -EINVAL;
		}
		*FIELD(opts, def, uint64_t) = sz;
		return 0;
	case OPT_CHOICE:
		if (!choice_ok(def, value)) {
			size_t off = (size_t)snprintf(why, len, "invalid value '%s' for --%s: expected one of",
						      shown, def->name);
			for (const char *const *c = def->choices; *c && off < len; c++)
				off += (size_t)snprintf(why + off, len - off, " %s", *c);
			return -EINVAL;
		}
		/* fall through */
	case OPT_STRING:
		free(*FIELD(opts, def, char *));
		*FIELD(opts, def, char *) = xstrdup(value);
		return 0;
	case OPT_LIST: {
		struct opt_list *list = FIELD(opts, def, struct opt_list);

		list->v = xrealloc(list->v, (list->n + 1) * sizeof(*list->v));
		list->v[list->n++] = xstrdup(value);
		return 0;
	}
	case OPT_GROUP:
		break;
	}
	snprintf(why, len, "internal error: option --%s has no type", def->name);
	return -EINVAL;
}

int options_set(const struct opt_def *def, void *opts, const char *value, char *why, size_t len)
{
	char *shown = value ? url_shown(value) : NULL;
	const int ret = set_value(def, opts, value, shown, why, len);

	free(shown);
	return ret;
}

void options_defaults(const struct opt_def *table, void *opts)
{
	for (const struct opt_def *def = table; def->name; def++) {
		char why[256];

		if (!def->def)
			continue;
		if (options_set(def, opts, def->def, why, sizeof(why)))
			error("internal error: bad default: %s", why);
	}
}

/* JSON keys use '_' where the command line uses '-' (all-files -> all_files). */
static const char *json_key_of(const struct opt_def *def, char *buf, size_t len)
{
	snprintf(buf, len, "%s", def->name);
	for (char *c = buf; *c; c++)
		if (*c == '-')
			*c = '_';
	return buf;
}

json_t *options_to_json(const struct opt_def *table, const void *opts)
{
	json_t *o = json_object();

	for (const struct opt_def *def = table; def->name; def++) {
		const void *p = (const char *)opts + def->offset;
		json_t *v = NULL;
		char json_key[64];

		if (opt_is_group(def) || (def->flags & (OPT_SECRET | OPT_NO_ECHO)))
			continue;
		json_key_of(def, json_key, sizeof(json_key));
		switch (def->type) {
		case OPT_BOOL:
			v = json_boolean(*(const bool *)p);
			break;
		case OPT_LONG:
			v = json_integer(*(const long *)p);
			break;
		case OPT_DOUBLE:
			v = json_real(*(const double *)p);
			break;
		case OPT_SIZE:
			v = json_integer((json_int_t)*(const uint64_t *)p);
			break;
		case OPT_STRING:
		case OPT_CHOICE:
			if (!*(char *const *)p) {
				v = json_null();
			} else if (def->flags & OPT_URL) {
				char *shown = url_redact(*(char *const *)p);

				v = text_json(shown);
				free(shown);
			} else {
				v = text_json(*(char *const *)p);
			}
			break;
		case OPT_LIST:
			v = json_array();
			for (size_t i = 0; i < ((const struct opt_list *)p)->n; i++)
				json_array_append_new(v,
						      text_json(((const struct opt_list *)p)->v[i]));
			break;
		case OPT_GROUP:
			break;
		}
		json_object_set_new(o, json_key, v);
	}
	return o;
}

/* Whether v is what an option without a default records when it was not given (false, 0). */
static bool json_unset(const struct opt_def *def, json_t *v)
{
	if (def->def)
		return false;
	if (def->type == OPT_BOOL)
		return json_is_false(v);
	if (def->type == OPT_LONG || def->type == OPT_SIZE || def->type == OPT_DOUBLE)
		return json_is_number(v) && json_number_value(v) == 0;
	return false;
}

/* v as the text options_set() takes for def; NULL when v is not of def's type. */
static char *json_value_text(const struct opt_def *def, json_t *v)
{
	switch (def->type) {
	case OPT_BOOL:
		return json_is_boolean(v) ? xstrdup(json_is_true(v) ? "true" : "false") : NULL;
	case OPT_LONG:
	case OPT_SIZE:
		return json_is_integer(v) ? xasprintf("%lld", (long long)json_integer_value(v))
					  : NULL;
	case OPT_DOUBLE:
		return json_is_number(v) ? xasprintf("%.17g", json_number_value(v)) : NULL;
	case OPT_STRING:
	case OPT_CHOICE:
		return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
	case OPT_LIST:
	case OPT_GROUP:
		break;
	}
	return NULL;
}

int options_from_json(const struct opt_def *table, void *opts, json_t *o, char *why, size_t len)
{
	for (const struct opt_def *def = table; def->name; def++) {
		char json_key[64];
		json_t *v;
		char *text;
		int ret;

		if (opt_is_group(def) || (def->flags & (OPT_SECRET | OPT_NO_ECHO)))
			continue;
		v = json_object_get(o, json_key_of(def, json_key, sizeof(json_key)));
		if (!v || json_is_null(v) || json_unset(def, v))
			continue;
		if (def->type == OPT_LIST) {
			size_t i;
			json_t *e;

			if (!json_is_array(v)) {
				snprintf(why, len, "%s is not a list of values of --%s", json_key,
					 def->name);
				return -EINVAL;
			}
			json_array_foreach(v, i, e) {
				if (!json_is_string(e)) {
					snprintf(why, len, "%s[%zu] is not a string", json_key, i);
					return -EINVAL;
				}
				options_set(def, opts, json_string_value(e), why, len);
			}
			continue;
		}
		text = json_value_text(def, v);
		if (!text) {
			snprintf(why, len, "%s is not a value of --%s", json_key, def->name);
			return -EINVAL;
		}
		if ((def->flags & OPT_URL) && url_has_secret(text)) {
			free(text); /* recorded without its credentials: options_url_unrecorded() */
			continue;
		}
		ret = options_set(def, opts, text, why, len);
		free(text);
		if (ret)
			return ret;
	}
	return 0;
}

const struct opt_def *options_url_unrecorded(const struct opt_def *table, const void *opts,
					     json_t *o, const char **recorded)
{
	for (const struct opt_def *def = table; def->name; def++) {
		char json_key[64];
		const char *v;

		if (!(def->flags & OPT_URL) || def->type != OPT_STRING ||
		    (def->flags & (OPT_SECRET | OPT_NO_ECHO)) ||
		    *(char *const *)((const char *)opts + def->offset))
			continue;
		v = json_string_value(json_object_get(o, json_key_of(def, json_key,
								     sizeof(json_key))));
		if (v && url_has_secret(v)) {
			*recorded = v;
			return def;
		}
	}
	return NULL;
}

void options_release(const struct opt_def *table, void *opts)
{
	for (const struct opt_def *def = table; def->name; def++) {
		if (def->type == OPT_STRING || def->type == OPT_CHOICE) {
			free(*FIELD(opts, def, char *));
			*FIELD(opts, def, char *) = NULL;
		} else if (def->type == OPT_LIST) {
			struct opt_list *l = FIELD(opts, def, struct opt_list);

			for (size_t i = 0; i < l->n; i++)
				free(l->v[i]);
			free(l->v);
			*l = (struct opt_list){ NULL, 0 };
		}
	}
}
