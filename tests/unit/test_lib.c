/* SPDX-License-Identifier: MIT */
/*
 * test_lib.c - the lowest layer's pieces: the growable buffer, why buffers, JSON accessors, URLs
 * without their credentials, safe opens below a folder, atomic writes, names as text (the \xNN
 * escape, JSON strings and keys, CSV fields).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/dynbuf.h"
#include "lib/json_get.h"
#include "lib/url.h"
#include "lib/safeopen.h"
#include "lib/text.h"
#include "lib/util.h"
#include "testutil.h"

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

static uint64_t size_of(const char *text)
{
	uint64_t v = 0;

	if (parse_size(text, &v))
		fail_msg("parse_size refused '%s'", text);
	return v;
}

static void test_parse_size(void **state)
{
	(void)state;
	assert_int_equal(size_of("4096"), 4096);
	assert_int_equal(size_of("64K"), 65536);
	assert_int_equal(size_of("64k"), 65536);
	assert_int_equal(size_of("1M"), 1048576);
	assert_int_equal(size_of("2G"), 2147483648ull);
	assert_int_equal(size_of("1.5G"), 1610612736ull);
	/* the docs' own examples: decimals are exact, rounded to the byte */
	assert_int_equal(size_of("1.6T"), 1759218604442ull);	/* 1.6 x 2^40 = ...441.6 */
	assert_int_equal(size_of("1.6t"), 1759218604442ull);
	assert_int_equal(size_of("1.6TiB"), 1759218604442ull);
	assert_int_equal(size_of("1.6TB"), 1600000000000ull);
	assert_int_equal(size_of("1.6G"), 1717986918ull);	/* 1.6 x 2^30 = ...917.6 */
	assert_int_equal(size_of("2GB"), 2000000000ull);
	assert_int_equal(size_of("2GiB"), 2147483648ull);
	assert_int_equal(size_of("100MB"), 100000000ull);
	assert_int_equal(size_of("1P"), 1125899906842624ull);
	assert_int_equal(size_of("0.5K"), 512);
	assert_int_equal(size_of("10B"), 10);
	assert_int_equal(size_of("0"), 0);
}

static void test_parse_size_refuses(void **state)
{
	static const char *const bad[] = { "", "K", "-1", "1.5.5", "1X", "1KX", "1 K", "1e3",
					   ".", "1Kib2", "0x10", "1GBB", NULL };
	uint64_t v;

	(void)state;
	for (const char *const *b = bad; *b; b++)
		if (parse_size(*b, &v) == 0)
			fail_msg("parse_size accepted '%s' as %llu", *b, (unsigned long long)v);
	assert_int_equal(parse_size("16P", &v), 0);
	assert_int_equal(parse_size("20000000P", &v), -ERANGE);
	assert_int_equal(parse_size("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_size("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
}

static void expect_redacted(const char *url, const char *want, bool secret)
{
	char *got = url_redact(url);

	assert_string_equal(got, want);
	assert_int_equal(url_has_secret(url), secret);
	free(got);
}

static void test_url_redact(void **state)
{
	expect_redacted("https://collector.example/api/results",
			"https://collector.example/api/results", false);
	expect_redacted("https://user:pw@collector.example:8443/r",
			"https://***@collector.example:8443/r", true);
	/* every query value goes, the names stay; a bare value goes whole */
	expect_redacted("http://collector/r?token=abc&x=1", "http://collector/r?token=***&x=***",
			true);
	expect_redacted("http://u@collector?k=v", "http://***@collector?k=***", true);
	expect_redacted("http://h/base/?s3cret", "http://h/base/?***", true);
	expect_redacted("http://h/p?a=1;b=2&&c=", "http://h/p?a=***;b=***&&c=***", true);
	/* a password holding '@' is cut whole */
	expect_redacted("https://user:p@ss@collector/x?tok=1", "https://***@collector/x?tok=***",
			true);
	expect_redacted("http://collector/r#frag", "http://collector/r#***", true);
	expect_redacted("http://h/r?t=x#frag", "http://h/r?t=***#***", true);
	/* an '@' in the path or query is not user information */
	expect_redacted("http://collector/a@b", "http://collector/a@b", false);
	expect_redacted("http://collector/r?mail=a@b", "http://collector/r?mail=***", true);
	/* libcurl takes a URL without a scheme for http */
	expect_redacted("user:s3cret@127.0.0.1:80/set", "***@127.0.0.1:80/set", true);
	expect_redacted("J1/extract/a.mrcs", "J1/extract/a.mrcs", false);
	expect_redacted("", "", false);
}

static void test_url_shown(void **state)
{
	char *s = url_shown("https://u:pw@h/x?t=1");

	assert_string_equal(s, "https://***@h/x?t=***");
	free(s);
	/* not a URL: quoted as it is, even with an '@' or a '?' */
	s = url_shown("me@lab/J1/a?.mrcs");
	assert_string_equal(s, "me@lab/J1/a?.mrcs");
	free(s);
}

/* A path formatted into a buffer of its own (two, for calls that take two). */
static char path_buf[2][4096];
#define P(...) (snprintf(path_buf[0], sizeof(path_buf[0]), __VA_ARGS__), path_buf[0])
#define P2(...) (snprintf(path_buf[1], sizeof(path_buf[1]), __VA_ARGS__), path_buf[1])

/* Below a folder: folders made and opened, files read, and nothing followed or waited on. */
static void test_safe_open(void **state)
{
	char *tmp = test_tmpdir("safeopen");
	char *outside = pathf("%s/outside", tmp);
	char *top = pathf("%s/top", tmp);
	char why[512];
	char *text = NULL;
	size_t n = 0;
	int dfd;
	int fd;

	(void)state;
	assert_non_null(tmp);
	test_put_file(tmp, "outside/secret", "SECRET\n");
	test_put_file(tmp, "top/a/file", "inside\n");
	assert_int_equal(symlink(outside, P("%s/top/a/dirlink", tmp)), 0);
	assert_int_equal(symlink(P2("%s/secret", outside), P("%s/top/a/filelink", tmp)), 0);
	assert_int_equal(mkfifo(P("%s/top/a/fifo", tmp), 0600), 0);
	dfd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);

	assert_true(safe_rel_path("a/b") && safe_rel_path("./a") && safe_rel_path("a..b"));
	assert_false(safe_rel_path("") || safe_rel_path("/a") || safe_rel_path("a/../b") ||
		     safe_rel_path(".."));

	assert_int_equal(safe_read_file(top, "a/file", &text, &n, why, sizeof(why)), 0);
	assert_string_equal(text, "inside\n");
	assert_int_equal(n, 7);
	free(text);
	assert_int_equal(safe_read_file(top, "a/filelink", &text, &n, why, sizeof(why)), -ELOOP);
	assert_string_equal(why, "a symbolic link, not followed");
	assert_int_equal(safe_read_file(top, "a/dirlink/secret", &text, &n, why, sizeof(why)),
			 -ELOOP);
	assert_string_equal(why, "'a/dirlink' is a symbolic link, not followed");
	/* A FIFO nobody writes: refused at once, not waited on. */
	assert_int_equal(safe_read_file(top, "a/fifo", &text, &n, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "a FIFO, not a regular file");
	assert_int_equal(safe_read_named(P("%s/a/fifo", top), &text, &n, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(safe_read_file(top, "a", &text, &n, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "a folder, not a regular file");
	assert_int_equal(safe_read_file(top, "../outside/secret", &text, &n, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(safe_read_file(top, "a/none", &text, &n, why, sizeof(why)), -ENOENT);
	/* A name the user gives is followed as given. */
	assert_int_equal(safe_read_named(P("%s/a/filelink", top), &text, &n, why, sizeof(why)),
			 0);
	assert_string_equal(text, "SECRET\n");
	free(text);

	/* Folders: made where missing, never through a symlink, nothing made outside. */
	fd = safe_open_dir_at(dfd, "a/b/c", SAFE_MKDIR, why, sizeof(why));
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(access(P("%s/a/b/c", top), F_OK), 0);
	assert_int_equal(safe_open_dir_at(dfd, "a/dirlink/made", SAFE_MKDIR, why, sizeof(why)),
			 -ELOOP);
	assert_string_equal(why, "'a/dirlink' is a symbolic link, not followed");
	assert_int_equal(access(P("%s/made", outside), F_OK), -1);
	assert_int_equal(safe_open_dir_at(dfd, "a/file/x", SAFE_MKDIR, why, sizeof(why)),
			 -ENOTDIR);
	assert_int_equal(safe_open_dir_at(dfd, "a/../..", 0, why, sizeof(why)), -EINVAL);
	fd = safe_open_dir_at(dfd, "", 0, why, sizeof(why));
	assert_true(fd >= 0);
	close(fd);
	fd = safe_open_file_at(dfd, "a/file", why, sizeof(why));
	assert_true(fd >= 0);
	assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);

	close(dfd);
	assert_int_equal(test_rmtree(tmp), 0);
	free(outside);
	free(top);
	free(tmp);
}

/*
 * fsync() as this program sees it: every call is noted (was it a folder, was the file the test
 * watches already under its name) and then made. lib's atomic writer, linked in from the
 * library, calls this one.
 */
static const char *watched;	/* the final name of the atomic write under test */
static unsigned nr_fsync_dirs;
static unsigned nr_fsync_dirs_after_rename;
static struct stat fsync_dir_st;

int fsync(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		nr_fsync_dirs++;
		fsync_dir_st = st;
		if (watched && access(watched, F_OK) == 0)
			nr_fsync_dirs_after_rename++;
	}
	return (int)syscall(SYS_fsync, fd);
}

/* The atomic writer syncs the folder after the rename, and never writes through a planted tmp. */
static void test_atomic_write(void **state)
{
	char *tmp = test_tmpdir("atomic");
	char *path, *tmpname, *victim;
	char *text = NULL;
	struct stat dir_st;
	bool created = false;

	(void)state;
	if (!tmp) {
		fail_msg("no temporary folder");
		return;
	}
	path = pathf("%s/results.json", tmp);
	tmpname = pathf("%s/results.json.tmp", tmp);
	victim = pathf("%s/victim", tmp);
	assert_non_null(tmp);
	assert_int_equal(stat(tmp, &dir_st), 0);
	watched = path;
	nr_fsync_dirs = nr_fsync_dirs_after_rename = 0;
	assert_int_equal(write_text_atomic(path, tmpname, "{}", &created), 0);
	assert_true(created);
	assert_int_equal(nr_fsync_dirs, 1);
	assert_int_equal(nr_fsync_dirs_after_rename, 1);
	assert_true(fsync_dir_st.st_ino == dir_st.st_ino && fsync_dir_st.st_dev == dir_st.st_dev);
	assert_int_equal(read_text_file(path, &text, NULL), 0);
	assert_string_equal(text, "{}\n");
	free(text);

	/* A symlink planted at the temporary name: removed, not written through. */
	test_put_file(tmp, "victim", "precious\n");
	assert_int_equal(symlink(victim, tmpname), 0);
	assert_int_equal(write_bytes_atomic(path, tmpname, "new", 3), 0);
	assert_int_equal(read_text_file(victim, &text, NULL), 0);
	assert_string_equal(text, "precious\n");
	free(text);
	assert_int_equal(read_text_file(path, &text, NULL), 0);
	assert_string_equal(text, "new");
	free(text);
	assert_int_equal(lstat(path, &dir_st), 0);
	assert_true(S_ISREG(dir_st.st_mode));
	assert_int_equal(access(tmpname, F_OK), -1);
	watched = NULL;

	assert_int_equal(test_rmtree(tmp), 0);
	free(victim);
	free(tmpname);
	free(path);
	free(tmp);
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

static void *count_call(void *arg)
{
	atomic_fetch_add((atomic_uint *)arg, 1);
	return NULL;
}

/* run_shared(): fn runs on this thread and on every helper, and all are done when it returns. */
static void test_run_shared(void **state)
{
	atomic_uint calls;

	(void)state;
	atomic_init(&calls, 0);
	run_shared(count_call, &calls, 0);
	assert_int_equal(atomic_load(&calls), 1);
	run_shared(count_call, &calls, 3);
	assert_int_equal(atomic_load(&calls), 1 + 4);
}

/* Resident KiB of the mapping that starts at addr (/proc/self/smaps), or -1. */
static long mapping_rss_kib(const void *addr)
{
	char head[32];
	char line[256];
	FILE *f = fopen("/proc/self/smaps", "r");
	bool in = false;
	long kib = -1;

	if (!f)
		return -1;
	snprintf(head, sizeof(head), "%lx-", (unsigned long)(uintptr_t)addr);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, head, strlen(head)))
			in = true;
		else if (in && sscanf(line, "Rss: %ld kB", &kib) == 1)
			break;
	}
	fclose(f);
	return kib;
}

static void write_file(const char *path, size_t size, char fill)
{
	char *buf = xmalloc(size ? size : 1);
	const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	memset(buf, fill, size);
	for (size_t i = 4096; i < size; i += 4096)
		buf[i] = (char)('0' + (i / 4096) % 10);	/* each page tells which it is */
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, size), (ssize_t)size);
	close(fd);
	free(buf);
}

static void test_text_map(void **state)
{
	char *dir = test_tmpdir("text-map");
	char *page = pathf("%s/page", dir);
	char *big = pathf("%s/big", dir);
	char *empty = pathf("%s/empty", dir);
	const size_t size = 24u << 20;
	char why[256];
	struct text_map t;
	unsigned long sum = 0;
	int fds[2];

	(void)state;
	/* A file that ends on a page boundary still has its NUL after it. */
	write_file(page, 4096, 'a');
	assert_int_equal(text_map_input(&t, page, false, why, sizeof(why)), 0);
	assert_true(t.map_len >= 4097);
	assert_int_equal(t.len, 4096);
	assert_int_equal(t.text[4095], 'a');
	assert_int_equal(t.text[4096], '\0');
	text_map_release(&t);

	/* Read through once: what was passed is handed back, and reads again as it was. */
	write_file(big, size, 'b');
	assert_int_equal(text_map_input(&t, big, false, why, sizeof(why)), 0);
	assert_true(t.map_len > 0);
	for (size_t i = 0; i < size; i += 4096)
		sum += (unsigned char)t.text[i];
	assert_true(sum > 0);
	assert_true(mapping_rss_kib(t.text) >= 20 * 1024);
	text_map_passed(&t, t.text + (1u << 20));	/* less than a step: kept */
	assert_int_equal(t.passed, 0);
	text_map_passed(&t, t.text + size - 5);
	assert_int_equal(t.passed, size - 4096);
	assert_true(mapping_rss_kib(t.text) < 1024);
	assert_int_equal(t.text[5 * 4096], '5');
	assert_int_equal(t.text[size], '\0');
	text_map_passed(&t, t.text + 4096 + 7);		/* a second pass starts behind */
	assert_int_equal(t.passed, 4096);
	text_map_passed(&t, big);			/* not in the text: nothing */
	assert_int_equal(t.passed, 4096);
	text_map_release(&t);
	assert_null(t.text);

	/* An empty file and a pipe are read, not mapped; handing back does nothing. */
	write_file(empty, 0, 'c');
	assert_int_equal(text_map_input(&t, empty, false, why, sizeof(why)), 0);
	assert_int_equal(t.map_len, 0);
	assert_int_equal(t.len, 0);
	assert_string_equal(t.text, "");
	text_map_release(&t);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "J1/a.mrcs\n", 10), 10);
	close(fds[1]);
	char *fdpath = pathf("/proc/self/fd/%d", fds[0]);

	assert_int_equal(text_map_input(&t, fdpath, false, why, sizeof(why)), -EINVAL);
	assert_int_equal(text_map_input(&t, fdpath, true, why, sizeof(why)), 0);
	assert_int_equal(t.map_len, 0);
	assert_string_equal(t.text, "J1/a.mrcs\n");
	text_map_passed(&t, t.text + t.len);
	text_map_release(&t);
	close(fds[0]);
	assert_int_equal(text_map_input(&t, dir, false, why, sizeof(why)), -EINVAL);
	assert_null(t.text);

	free(fdpath);
	test_rmtree(dir);
	free(empty);
	free(big);
	free(page);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dynbuf_empty),
		cmocka_unit_test(test_dynbuf_grows),
		cmocka_unit_test(test_why_buffers),
		cmocka_unit_test(test_json_get),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_size_refuses),
		cmocka_unit_test(test_url_redact),
		cmocka_unit_test(test_url_shown),
		cmocka_unit_test(test_safe_open),
		cmocka_unit_test(test_atomic_write),
		cmocka_unit_test(test_text_escape),
		cmocka_unit_test(test_text_json_key),
		cmocka_unit_test(test_text_csv),
		cmocka_unit_test(test_path_resolve),
		cmocka_unit_test(test_run_shared),
		cmocka_unit_test(test_text_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
