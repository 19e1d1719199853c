/*
 * test_lib.c - the lowest layer's pieces: the growable buffer, why buffers, JSON accessors, names
 * as text (the \xNN escape, JSON strings and keys, CSV fields).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/dynbuf.h"
#include "lib/json_get.h"
#include "lib/text.h"
#include "lib/util.h"

static void test_dynbuf_empty(void **state)
{
	struct dynbuf b;
	size_t len = 99;
	char *s;

	dynbuf_init(&b);
	assert_string_equal(dynbuf_str(&b), "");
	assert_int_equal(dynbuf_len(&b), 0);
	s = dynbuf_detach(&b, &len);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	dynbuf_release(&b);
}

static void test_dynbuf_grows(void **state)
{
	struct dynbuf b;
	char want[10000];
	size_t n = 0;
	char *s;
	size_t len;

	dynbuf_init(&b);
	/* far past the first allocation, in pieces of every kind */
	for (int i = 0; n + 32 < sizeof(want); i++) {
		switch (i % 3) {
		case 0:
			dynbuf_addstr(&b, "ab");
			memcpy(want + n, "ab", 2);
			n += 2;
			break;
		case 1:
			dynbuf_addf(&b, "[%04d]", i);
			n += (size_t)snprintf(want + n, sizeof(want) - n, "[%04d]", i);
			break;
		default:
			dynbuf_add(&b, "x\0y", 3);
			memcpy(want + n, "x\0y", 3);
			n += 3;
		}
	}
	assert_int_equal(dynbuf_len(&b), n);
	assert_memory_equal(dynbuf_str(&b), want, n);
	assert_int_equal(dynbuf_str(&b)[n], '\0');
	s = dynbuf_detach(&b, &len);
	assert_int_equal(len, n);
	assert_memory_equal(s, want, n);
	/* detached: the buffer is empty again and owns nothing */
	assert_int_equal(dynbuf_len(&b), 0);
	assert_string_equal(dynbuf_str(&b), "");
	free(s);
	dynbuf_addstr(&b, "again");
	s = dynbuf_detach(&b, NULL);
	assert_string_equal(s, "again");
	free(s);
}

static void test_why_buffers(void **state)
{
	char why[16];

	assert_int_equal(reject_why(why, sizeof(why), "box %d", 7), -EINVAL);
	assert_string_equal(why, "box 7");
	assert_int_equal(fail_why(why, sizeof(why), -ENOENT, "cannot read '%s'", "x"), -ENOENT);
	assert_string_equal(why, "cannot read 'x'");
	/* cut to the buffer, still a string */
	assert_int_equal(fail_why(why, sizeof(why), -EIO, "%s", "0123456789abcdefghij"), -EIO);
	assert_string_equal(why, "0123456789abcde");
	/* no buffer: only the status */
	assert_int_equal(fail_why(NULL, 0, -EPERM, "%s", "unseen"), -EPERM);
	assert_int_equal(reject_why(NULL, 0, "%s", "unseen"), -EINVAL);
}

static void test_json_get(void **state)
{
	json_t *o = json_pack("{s:s, s:i, s:f, s:n, s:b}", "s", "text", "i", 42, "f", 2.5, "n",
			      "b", 1);

	assert_string_equal(json_get_str(o, "s"), "text");
	assert_string_equal(json_get_str(o, "i"), "");
	assert_string_equal(json_get_str(o, "missing"), "");
	assert_true(json_get_num(o, "i") == 42);
	assert_true(json_get_num(o, "f") == 2.5);
	assert_true(json_get_num(o, "s") == 0);
	assert_int_equal(json_get_int(o, "i"), 42);
	assert_int_equal(json_get_int(o, "f"), 0);
	assert_true(json_get_has_num(o, "i"));
	assert_true(json_get_has_num(o, "f"));
	assert_false(json_get_has_num(o, "n"));
	assert_false(json_get_has_num(o, "b"));
	assert_false(json_get_has_num(o, "missing"));
	assert_false(json_get_has_num(NULL, "i"));
	json_decref(o);
}

/* Escape, check it is what the documentation says, and that it reads back to the bytes. */
static void escapes_to(const char *bytes, const char *want)
{
	char *e = text_escape(bytes);
	char *back = text_unescape(e);
	json_t *j = text_json(bytes);

	assert_string_equal(e, want);
	assert_non_null(back);
	assert_string_equal(back, bytes);
	/* json_string() refuses invalid UTF-8: the escaped name is always a JSON string. */
	assert_non_null(j);
	assert_string_equal(json_string_value(j), want);
	assert_int_equal(text_is_plain(bytes), !strcmp(bytes, want));
	json_decref(j);
	free(back);
	free(e);
}

static void test_text_escape(void **state)
{
	escapes_to("J1/particles.mrcs", "J1/particles.mrcs");
	escapes_to("", "");
	escapes_to("Gr\xc3\xbc\xc3\x9f/\xe6\x97\xa5\xf0\x9f\x94\xac.mrcs",
		   "Gr\xc3\xbc\xc3\x9f/\xe6\x97\xa5\xf0\x9f\x94\xac.mrcs");	/* valid UTF-8 stays */
	escapes_to("a\xff" "b.mrcs", "a\\xffb.mrcs");
	escapes_to("back\\slash", "back\\\\slash");
	escapes_to("lit\\xff", "lit\\\\xff");		/* a literal \xff is not a byte */
	escapes_to("tab\tnl\n\x7f", "tab\\x09nl\\x0a\\x7f");
	escapes_to("\xc3", "\\xc3");				/* truncated sequence */
	escapes_to("\xc3(", "\\xc3(");
	escapes_to("\xc0\xaf", "\\xc0\\xaf");			/* overlong '/' */
	escapes_to("\xe0\x80\xaf", "\\xe0\\x80\\xaf");		/* overlong, 3 bytes */
	escapes_to("\xed\xa0\x80", "\\xed\\xa0\\x80");		/* a surrogate */
	escapes_to("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");	/* above U+10FFFF */
	escapes_to("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
	escapes_to("\xe2\x82", "\\xe2\\x82");
	escapes_to("\xe2\x82\xac\xff\xe2\x82\xac", "\xe2\x82\xac\\xff\xe2\x82\xac");

	/* What no escape could have written. */
	assert_null(text_unescape("a\\"));
	assert_null(text_unescape("a\\y"));
	assert_null(text_unescape("a\\x4"));
	assert_null(text_unescape("a\\xg0"));
	assert_null(text_unescape("a\\x00"));
	assert_true(json_is_null(text_json(NULL)));
}

static void test_text_json_key(void **state)
{
	json_t *o = json_object();
	char *dump;

	assert_int_equal(text_json_set(o, "/mnt/a,b\xff", json_integer(1)), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "/mnt/a,b\\xff")), 1);
	dump = json_dumps(o, JSON_COMPACT);
	assert_string_equal(dump, "{\"/mnt/a,b\\\\xff\":1}");
	free(dump);
	json_decref(o);
}

/* What text_csv_field() writes for s. */
static char *csv_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	text_csv_field(f, s);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_text_csv(void **state)
{
	char *s;
	char line[] = "t_s,\"nfs:/mnt/a,b:read_ops_s\",\"say \"\"hi\"\"\",,last\r";
	char *p = line;

	s = csv_of("disk:vda:util");
	assert_string_equal(s, "disk:vda:util");
	free(s);
	s = csv_of("nfs:/mnt/a,b:read_ops_s");
	assert_string_equal(s, "\"nfs:/mnt/a,b:read_ops_s\"");
	free(s);
	s = csv_of("say \"hi\"");
	assert_string_equal(s, "\"say \"\"hi\"\"\"");
	free(s);

	/* Read back, field by field. */
	assert_string_equal(text_csv_next(&p), "t_s");
	assert_string_equal(text_csv_next(&p), "nfs:/mnt/a,b:read_ops_s");
	assert_string_equal(text_csv_next(&p), "say \"hi\"");
	assert_string_equal(text_csv_next(&p), "");
	assert_string_equal(text_csv_next(&p), "last");
	assert_null(p);
	{
		char one[] = "\"a,b\"";

		p = one;
		assert_string_equal(text_csv_next(&p), "a,b");
		assert_null(p);
	}
}

/* Where a folder about to be made would be: existing parts resolved, the rest as text. */
static void test_path_resolve(void **state)
{
	char tmpl[] = "/tmp/ccb-resolve-XXXXXX";
	char *dir = mkdtemp(tmpl);
	char *real;
	char *link;
	char *p;
	char *want;
	char *got;

	assert_non_null(dir);
	real = realpath(dir, NULL);
	link = path_join(dir, "link");
	assert_int_equal(symlink(real, link), 0);
	/* through a link, into folders that do not exist, with ".." among them */
	p = xasprintf("%s/new/../link/a/b", dir);
	want = path_join(real, "a/b");
	got = path_resolve(p);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	free(p);
	free(want);
	/* "/nonexistent/.." is "/": the text is cancelled before anything is resolved */
	p = xasprintf("/nonexistent-ccb/..%s/x", real);
	want = path_join(real, "x");
	got = path_resolve(p);
	assert_string_equal(got, want);
	free(got);
	free(p);
	free(want);
	got = path_resolve("/");
	assert_string_equal(got, "/");
	free(got);
	p = path_normalize("a/./b//../c/");
	assert_string_equal(p, "a/c");
	free(p);
	assert_null(path_normalize("a/../.."));
	assert_int_equal(unlink(link), 0);
	assert_int_equal(rmdir(dir), 0);
	free(link);
	free(real);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dynbuf_empty),
		cmocka_unit_test(test_dynbuf_grows),
		cmocka_unit_test(test_why_buffers),
		cmocka_unit_test(test_json_get),
		cmocka_unit_test(test_text_escape),
		cmocka_unit_test(test_text_json_key),
		cmocka_unit_test(test_text_csv),
		cmocka_unit_test(test_path_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
