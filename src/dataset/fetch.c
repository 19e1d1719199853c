/* SPDX-License-Identifier: MIT */
/*
 * fetch.c - the transfer engine: libcurl's multi interface runs N transfers at once, each
 * written to a ".part" name, resumed with a range request, retried with backoff on transient
 * errors, checked (size, XXH3) and only then renamed, and recorded in the manifest.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "dataset/fetch.h"
#include "dataset/fetch_int.h"
#include "lib/curl_common.h"
#include "lib/url.h"
#include "lib/safeopen.h"
#include "lib/util.h"
#include "lib/verify.h"

void fetch_easy_common(CURL *e, const struct fetch_opts *o, char *errbuf, bool stoppable)
{
	const struct curl_common c = {
		.timeout = o->timeout,
		.cafile = o->cafile,
		.insecure = o->insecure,
		.stop = stoppable ? o->stop : NULL,
	};

	curl_common_setup(e, &c, errbuf);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
}

enum xfer_state { XFER_WAITING, XFER_ACTIVE, XFER_DONE, XFER_FAILED };

struct xfer {
	const struct fetch_item *it;
	enum xfer_state state;
	CURL *e;
	int fd;	    /* the .part, while a transfer is under way */
	int dirfd;  /* the item's folder below DIR, opened without following symlinks */
	char *dest; /* DIR/path and DIR/path.part, for messages */
	char *part;
	char *folder; /* the folder of path below DIR, "" for DIR itself */
	char *name;   /* the last component of path, and of its .part */
	char *part_name;
	uint64_t start_off;    /* bytes of .part there before this attempt */
	uint64_t got;	       /* bytes written in this attempt */
	uint64_t resumed_from; /* first resume offset, for the manifest */
	bool body_ok;	       /* the response is the file (200/206), not an error page */
	bool code_seen;
	int write_err;
	unsigned attempts;
	double not_before;
	double t0;
	char errbuf[CURL_ERROR_SIZE];
};

static size_t xfer_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	const size_t len = size * nmemb;
	size_t off = 0;

	if (!x->code_seen) {
		long status = 0;

		curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &status);
		x->code_seen = true;
		x->body_ok = status == 200 || status == 206;
		/* The server ignored the range: the whole file comes again. */
		if (status == 200 && x->start_off) {
			if (ftruncate(x->fd, 0) < 0) {
				x->write_err = -errno;
				return 0;
			}
			x->start_off = 0;
		}
	}
	if (!x->body_ok)
		return len; /* an error page is not the file */
	while (off < len) {
		ssize_t n = write(x->fd, ptr + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			x->write_err = -errno;
			return 0;
		}
		off += (size_t)n;
	}
	x->got += len;
	return len;
}

struct fetch_run_state {
	const struct fetch_opts *o;
	CURLM *multi;
	CURL *head;	  /* for HEAD requests: the size of a file already in DIR */
	int dirfd;	  /* DIR */
	json_t *manifest; /* array of entries, by path */
	unsigned active;
	size_t done;
	size_t failed;
	uint64_t bytes;	  /* written in this session */
	uint64_t resumed; /* bytes the .part files held when this session first opened them */
};

static void manifest_put(json_t *files, json_t *entry)
{
	const char *path = json_string_value(json_object_get(entry, "path"));
	size_t i;
	json_t *e;

	json_array_foreach(files, i, e)
	{
		if (!strcmp(json_string_value(json_object_get(e, "path")) ?: "", path)) {
			json_array_set_new(files, i, entry);
			return;
		}
	}
	json_array_append_new(files, entry);
}

/* Is a .part there to resume from? An empty one holds nothing and is removed. */
static bool part_kept(const struct xfer *x)
{
	struct stat st;

	if (x->dirfd < 0 || fstatat(x->dirfd, x->part_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode))
		return false;
	if (st.st_size == 0) {
		unlinkat(x->dirfd, x->part_name, 0);
		return false;
	}
	return true;
}

/* The descriptors an attempt holds, closed (the .part stays). */
static void xfer_release(struct xfer *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	if (x->dirfd >= 0)
		close(x->dirfd);
	x->dirfd = -1;
}

static void xfer_failed(struct fetch_run_state *s, struct xfer *x, const char *why)
{
	char *shown = url_redact(x->it->url);

	error("cannot fetch '%s': %s", shown, why);
	free(shown);
	part_kept(x);
	xfer_release(x);
	x->state = XFER_FAILED;
	s->failed++;
}

static void xfer_retry(struct fetch_run_state *s, struct xfer *x, const char *why)
{
	double delay;
	char *shown;

	if (x->attempts > s->o->retries) {
		char *msg;

		if (part_kept(x))
			msg = xasprintf(
				"%s (gave up after %u attempt%s; '%s' is kept to resume from)", why,
				x->attempts, x->attempts == 1 ? "" : "s", x->part);
		else
			msg = xasprintf("%s (gave up after %u attempt%s)", why, x->attempts,
					x->attempts == 1 ? "" : "s");

		xfer_failed(s, x, msg);
		free(msg);
		return;
	}
	delay = s->o->retry_delay * (double)(1u << (x->attempts - 1 < 10 ? x->attempts - 1 : 10));
	shown = url_redact(x->it->url);
	info("'%s': %s; retrying in %.1f s (attempt %u of %u)", shown, why, delay,
	     x->attempts + 1, s->o->retries + 1);
	free(shown);
	x->not_before = now_mono() + delay;
	x->state = XFER_WAITING;
}

/*
 * The .part to write x into, in its folder: one an earlier fetch made (a regular file with one
 * link, ours) is resumed from; anything else of that name (a symlink, a FIFO, a hard link, another
 * user's file) is never written through: it is removed, and a new .part made with O_EXCL. Sets
 * x->start_off; returns the descriptor (read-write, appending), or -errno with why.
 */
static int open_part(struct xfer *x, char *why, size_t len)
{
	const char *what = NULL;
	struct stat st;
	int fd;

	x->start_off = 0;
	if (fstatat(x->dirfd, x->part_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			what = "a symbolic link";
		else if (!S_ISREG(st.st_mode))
			what = S_ISFIFO(st.st_mode) ? "a FIFO" : "not a regular file";
		else if (st.st_nlink != 1)
			what = "a hard link to another file";
		else if (st.st_uid != geteuid())
			what = "another user's file";
		if (!what) {
			fd = openat(x->dirfd, x->part_name,
				    O_RDWR | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			    st.st_nlink == 1 && fcntl(fd, F_SETFL, O_APPEND) == 0) {
				x->start_off = (uint64_t)st.st_size;
				return fd;
			}
			if (fd >= 0)
				close(fd);
			what = "not what it was a moment before";
		}
		info("'%s' is %s: not resumed from; replaced", x->part, what);
		if (unlinkat(x->dirfd, x->part_name, 0) < 0 && errno != ENOENT)
			return fail_why(why, len, -errno, "cannot replace '%s': %s", x->part,
					strerror(errno));
	}
	fd = openat(x->dirfd, x->part_name,
		    O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0)
		return fail_why(why, len, -errno, "cannot open '%s': %s", x->part, strerror(errno));
	return fd;
}

static int xfer_start(struct fetch_run_state *s, struct xfer *x)
{
	char why[PATH_MAX + 128];
	int ret;

	x->attempts++;
	/* Every folder below DIR from DIR's descriptor: a symlink among them is not followed. */
	ret = safe_open_dir_at(s->dirfd, x->folder, SAFE_MKDIR, why, sizeof(why));
	if (ret < 0) {
		xfer_failed(s, x, why);
		return ret;
	}
	x->dirfd = ret;
	ret = open_part(x, why, sizeof(why));
	if (ret < 0) {
		xfer_failed(s, x, why);
		return ret;
	}
	x->fd = ret;
	if (x->start_off) {
		info("resuming '%s' at %llu bytes", x->it->path, (unsigned long long)x->start_off);
		if (!x->resumed_from) {
			x->resumed_from = x->start_off;
			if (x->attempts == 1)
				s->resumed += x->start_off;
		}
	}
	x->got = 0;
	x->write_err = 0;
	x->code_seen = false;
	x->body_ok = false;
	x->errbuf[0] = '\0';
	if (!x->e)
		x->e = curl_easy_init();
	curl_easy_reset(x->e);
	fetch_easy_common(x->e, s->o, x->errbuf, false);
	curl_easy_setopt(x->e, CURLOPT_URL, x->it->url);
	curl_easy_setopt(x->e, CURLOPT_WRITEFUNCTION, xfer_write);
	curl_easy_setopt(x->e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->e, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)x->start_off);
	if (!x->t0)
		x->t0 = now_mono();
	curl_multi_add_handle(s->multi, x->e);
	x->state = XFER_ACTIVE;
	s->active++;
	return 0;
}

/* A finished attempt: check what came, then rename, retry or give up. */
static void xfer_check(struct fetch_run_state *s, struct xfer *x, CURLcode rc)
{
	long status = 0;
	curl_off_t cl = -1;
	struct stat st;
	uint64_t hash = 0;
	char why[CURL_ERROR_SIZE + PATH_MAX];
	char stamp[64];
	char *shown;
	int ret;

	curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	curl_multi_remove_handle(s->multi, x->e);
	s->active--;
	s->bytes += x->got;
	if (x->write_err) {
		snprintf(why, sizeof(why), "cannot write '%s': %s", x->part,
			 strerror(-x->write_err));
		xfer_failed(s, x, why);
		return;
	}
	if (rc != CURLE_OK) {
		curl_common_why(why, sizeof(why), rc, x->errbuf, s->o->timeout);
		if (curl_common_transient(rc))
			xfer_retry(s, x, why);
		else
			xfer_failed(s, x, why);
		return;
	}
	if (status == 416 && x->start_off) {
		/* The part is as long as the file or longer: it cannot be trusted, start over. */
		unlinkat(x->dirfd, x->part_name, 0);
		xfer_retry(s, x, "the server refused to resume (HTTP status 416)");
		return;
	}
	if (status >= 400 || (status != 200 && status != 206)) {
		snprintf(why, sizeof(why), "HTTP status %ld", status);
		if (status >= 500 || status == 429 || status == 408)
			xfer_retry(s, x, why);
		else
			xfer_failed(s, x, why);
		return;
	}
	if (fstat(x->fd, &st) < 0) {
		snprintf(why, sizeof(why), "cannot stat '%s': %s", x->part, strerror(errno));
		xfer_failed(s, x, why);
		return;
	}
	if ((cl >= 0 && x->got != (uint64_t)cl) ||
	    (x->it->has_size && (uint64_t)st.st_size != x->it->size)) {
		snprintf(why, sizeof(why), "truncated: %llu bytes, expected %llu",
			 (unsigned long long)st.st_size,
			 (unsigned long long)(x->it->has_size ? x->it->size
							      : x->start_off + (uint64_t)cl));
		xfer_failed(s, x, why);
		return;
	}
	/* What was written is hashed through the descriptor it was written through. */
	ret = verify_hash_fd(x->fd, &hash);
	if (ret) {
		snprintf(why, sizeof(why), "cannot read '%s': %s", x->part, strerror(-ret));
		xfer_failed(s, x, why);
		return;
	}
	if (x->it->has_hash && hash != x->it->hash) {
		snprintf(why, sizeof(why), "XXH3-64 %016llx, expected %016llx; '%s' removed",
			 (unsigned long long)hash, (unsigned long long)x->it->hash, x->part);
		unlinkat(x->dirfd, x->part_name, 0);
		xfer_failed(s, x, why);
		return;
	}
	ret = close(x->fd) < 0 ? -errno : 0;
	x->fd = -1;
	if (ret) {
		snprintf(why, sizeof(why), "cannot write '%s': %s", x->part, strerror(-ret));
		xfer_failed(s, x, why);
		return;
	}
	if (renameat(x->dirfd, x->part_name, x->dirfd, x->name) < 0) {
		snprintf(why, sizeof(why), "cannot rename '%s': %s", x->part, strerror(errno));
		xfer_failed(s, x, why);
		return;
	}
	now_rfc3339(stamp, sizeof(stamp));
	snprintf(why, sizeof(why), "%016llx", (unsigned long long)hash);
	shown = url_redact(x->it->url);
	manifest_put(s->manifest,
		     json_pack("{s:s, s:s, s:I, s:s, s:s, s:f, s:I, s:I}", "url", shown,
			       "path", x->it->path, "size", (json_int_t)st.st_size, "xxh3", why,
			       "fetched", stamp, "seconds", now_mono() - x->t0, "resumed_from",
			       (json_int_t)x->resumed_from, "attempts", (json_int_t)x->attempts));
	free(shown);
	x->state = XFER_DONE;
	s->done++;
}

static void xfer_finish(struct fetch_run_state *s, struct xfer *x, CURLcode rc)
{
	xfer_check(s, x, rc);
	/* Done, failed or waiting for a retry: the next attempt opens its folder again. */
	xfer_release(x);
}

/* How often the progress line is written: in place on a terminal, as a log line elsewhere. */
#define PROGRESS_TTY_S 1.0
#define PROGRESS_LOG_S 30.0

/*
 * The progress line: files done, MB received (inflight: of transfers under way), MB/s and the
 * ETA when every size is known. live: in place on a terminal (messages clear it first);
 * otherwise a line of its own.
 */
static void progress(const struct fetch_run_state *s, size_t n, uint64_t total, bool sizes_known,
		     double t0, uint64_t inflight, bool live)
{
	const double dt = now_mono() - t0;
	const uint64_t got = s->bytes + inflight;
	const double mbs = dt > 0 ? (double)got / dt / 1e6 : 0;
	char eta[48] = "";
	char etab[32];

	if (s->o->quiet)
		return;
	/* The ETA counts what .part files held as fetched, but not in the rate. */
	if (sizes_known && got && total > got + s->resumed && s->done + s->failed < n)
		snprintf(eta, sizeof(eta), ", ETA %s",
			 human_duration((double)(total - got - s->resumed) / ((double)got / dt),
					etab, sizeof(etab)));
	fprintf(stderr, "%s%s: fetch: %zu/%zu files, %.1f MB, %.1f MB/s%s%s%s",
		live || live_line ? "\r\033[K" : "", PROGRAM_NAME, s->done, n, (double)got / 1e6,
		mbs, eta, s->failed ? ", some failed" : "", live ? "" : "\n");
	fflush(stderr);
	live_line = live;
}

/* DIR's manifest, read as no symlink or FIFO can lead it elsewhere: its entries, or []. */
static json_t *manifest_load(const char *dir)
{
	char *text = NULL;
	size_t n = 0;
	json_t *root = NULL;
	json_t *files;

	if (safe_read_file(dir, FETCH_MANIFEST, &text, &n, NULL, 0) == 0)
		root = json_loadb(text, n, 0, NULL);
	free(text);
	files = json_object_get(root, "files");
	files = json_is_array(files) ? json_incref(files) : json_array();
	json_decref(root);
	return files;
}

/* The manifest's entry for path, or NULL. */
static json_t *manifest_find(json_t *files, const char *path)
{
	size_t i;
	json_t *e;

	json_array_foreach(files, i, e)
	{
		if (!strcmp(json_string_value(json_object_get(e, "path")) ?: "", path))
			return e;
	}
	return NULL;
}

/*
 * Does DIR hold x's file, complete? Only a regular file reached without a symlink, whose size is
 * the list's, else the manifest's, else the server's (HEAD), and whose XXH3-64 is the list's and
 * the manifest's where they record one. A file that does not match is said to be fetched again.
 */
static bool item_present(struct fetch_run_state *s, const struct xfer *x)
{
	const struct fetch_item *it = x->it;
	json_t *m = manifest_find(s->manifest, it->path);
	unsigned long long m_hash = 0;
	const bool has_m_hash = m && sscanf(json_string_value(json_object_get(m, "xxh3")) ?: "",
					    "%16llx", &m_hash) == 1;
	const char *differs = NULL;
	uint64_t want = it->size;
	uint64_t hash = 0;
	struct stat st;
	int fd = -1;

	const int dfd = safe_open_dir_at(s->dirfd, x->folder, 0, NULL, 0);
	if (dfd < 0)
		return false;
	if (fstatat(dfd, x->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
		fd = openat(dfd, x->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return false;
	}
	if (!it->has_size && m)
		want = (uint64_t)json_integer_value(json_object_get(m, "size"));
	else if (!it->has_size && fetch_http_get(s->head, it->url, NULL, &want, s->o, true) < 0)
		differs = "its size could not be asked for";
	if (!differs && (uint64_t)st.st_size != want)
		differs = "its size is not the file's";
	else if (!differs && m && json_integer_value(json_object_get(m, "size")) != st.st_size)
		differs = "its size is not the one in " FETCH_MANIFEST;
	if (!differs && (it->has_hash || has_m_hash) && verify_hash_fd(fd, &hash) < 0)
		differs = "it cannot be read";
	else if (!differs && ((it->has_hash && hash != it->hash) || (has_m_hash && hash != m_hash)))
		differs = "its XXH3-64 is not the one recorded";
	close(fd);
	if (differs)
		info("'%s' is there, but %s: fetched again", x->dest, differs);
	return !differs;
}

/* One xfer per item; the items already in dir count as done. Returns how many those are. */
static size_t xfers_init(struct fetch_run_state *s, struct xfer *xs, const struct fetch_list *l,
			 const char *dir, uint64_t *total, bool *sizes_known)
{
	size_t present = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct xfer *x = &xs[i];
		const char *slash = strrchr(l->items[i].path, '/');

		x->it = &l->items[i];
		x->fd = -1;
		x->dirfd = -1;
		x->dest = xasprintf("%s/%s", dir, l->items[i].path);
		x->part = xasprintf("%s.part", x->dest);
		x->folder = slash ? xasprintf("%.*s", (int)(slash - x->it->path), x->it->path)
				  : xstrdup("");
		x->name = xstrdup(slash ? slash + 1 : x->it->path);
		x->part_name = xasprintf("%s.part", x->name);
		*sizes_known &= l->items[i].has_size;
		if (item_present(s, x)) {
			x->state = XFER_DONE;
			s->done++;
			present++;
		} else {
			*total += l->items[i].size; /* what this session has to fetch */
		}
	}
	return present;
}

static int manifest_write(json_t *files, const char *path, const char *tmp)
{
	json_t *root = json_pack("{s:s, s:O}", "tool", PROGRAM_NAME, "files", files);
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int ret = write_text_atomic(path, tmp, text, NULL);

	if (ret)
		error("cannot write '%s': %s", path, strerror(-ret));
	free(text);
	json_decref(root);
	return ret;
}

/* Stop the transfers under way where they are: what they wrote stays in their .part. */
static void xfers_stop(struct fetch_run_state *s, struct xfer *xs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct xfer *x = &xs[i];

		if (x->state != XFER_ACTIVE)
			continue;
		curl_multi_remove_handle(s->multi, x->e);
		s->active--;
		s->bytes += x->got;
		close(x->fd);
		x->fd = -1;
		part_kept(x);
		xfer_release(x);
		x->state = XFER_WAITING;
	}
}

/* The metadata that named the files, beside them as dir/<meta_name>, unless one is there. */
static int put_meta(const struct fetch_list *l, const char *dir)
{
	char *path = xasprintf("%s/%s", dir, l->meta_name);
	char *tmp = xasprintf("%s/.%s.tmp", dir, l->meta_name);
	struct stat st;
	int ret = 0;

	if (lstat(path, &st) == 0) {
		info("'%s' is there already: left as it is", path);
		goto out;
	}
	ret = write_bytes_atomic(path, tmp, l->meta, l->meta_len);
	if (ret)
		error("cannot write '%s': %s", path, strerror(-ret));
out:
	free(tmp);
	free(path);
	return ret;
}

int fetch_run(const struct fetch_list *l, const char *dir, const struct fetch_opts *o)
{
	struct fetch_run_state s = {.o = o, .dirfd = -1};
	struct xfer *xs = xcalloc(l->n ? l->n : 1, sizeof(*xs));
	char *manifest_path = xasprintf("%s/" FETCH_MANIFEST, dir);
	char *manifest_tmp = xasprintf("%s/." FETCH_MANIFEST ".tmp", dir);
	uint64_t total = 0;
	bool sizes_known = true;
	double t0 = now_mono();
	double last = t0;
	const bool tty = isatty(STDERR_FILENO);
	size_t present;
	bool stopped = false;
	int ret = fetch_list_conflicts(l, dir);

	if (ret)
		goto out_free;
	ret = mkdir_p(dir);
	if (ret) {
		error("cannot create '%s': %s", dir, strerror(-ret));
		goto out_free;
	}
	/* DIR as the user named it; everything below it is reached from this descriptor. */
	s.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.dirfd < 0) {
		ret = -errno;
		error("cannot open '%s': %s", dir, strerror(-ret));
		goto out_free;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		error("cannot initialise libcurl");
		ret = -EIO;
		goto out_free;
	}
	s.multi = curl_multi_init();
	s.head = curl_easy_init();
	s.manifest = manifest_load(dir);
	present = xfers_init(&s, xs, l, dir, &total, &sizes_known);
	if (present)
		info("%zu of %zu files are already in '%s'", present, l->n, dir);
	while (s.done + s.failed < l->n) {
		const double now = now_mono();
		int running = 0;
		CURLMsg *msg;
		int left;

		if (o->stop && *o->stop) {
			stopped = true;
			break;
		}

		for (size_t i = 0; i < l->n && s.active < o->connections; i++) {
			if (xs[i].state == XFER_WAITING && xs[i].not_before <= now)
				xfer_start(&s, &xs[i]);
		}
		curl_multi_perform(s.multi, &running);
		while ((msg = curl_multi_info_read(s.multi, &left))) {
			struct xfer *x = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			xfer_finish(&s, x, msg->data.result);
		}
		if (s.active)
			curl_multi_poll(s.multi, NULL, 0, 100, NULL);
		else if (s.done + s.failed < l->n)
			usleep(20000);
		if (now_mono() - last >= (tty ? PROGRESS_TTY_S : PROGRESS_LOG_S)) {
			uint64_t inflight = 0;

			for (size_t i = 0; i < l->n; i++)
				if (xs[i].state == XFER_ACTIVE)
					inflight += xs[i].got;
			last = now_mono();
			progress(&s, l->n, total, sizes_known, t0, inflight, tty);
		}
	}
	if (stopped)
		xfers_stop(&s, xs, l->n);
	else
		progress(&s, l->n, total, sizes_known, t0, 0, false);
	if (live_line)
		fprintf(stderr, "\r\033[K");
	live_line = false;
	ret = manifest_write(s.manifest, manifest_path, manifest_tmp);
	if (stopped) {
		error("interrupted by %s: %zu of %zu files are complete in '%s'; the same command "
		      "resumes the rest",
		      *o->stop == SIGTERM ? "SIGTERM" : "SIGINT", s.done, l->n, dir);
		ret = -EINTR;
	} else if (!ret && !s.failed && l->meta_name) {
		ret = put_meta(l, dir);
	}
	ret = ret ? ret : (int)s.failed;
	for (size_t i = 0; i < l->n; i++) {
		if (xs[i].e)
			curl_easy_cleanup(xs[i].e);
	}
	curl_multi_cleanup(s.multi);
	curl_easy_cleanup(s.head);
	json_decref(s.manifest);
out_free:
	if (s.dirfd >= 0)
		close(s.dirfd);
	for (size_t i = 0; i < l->n; i++) {
		free(xs[i].dest);
		free(xs[i].part);
		free(xs[i].folder);
		free(xs[i].name);
		free(xs[i].part_name);
	}
	free(xs);
	free(manifest_path);
	free(manifest_tmp);
	return ret;
}
