/* SPDX-License-Identifier: MIT */
/* sysinfo.c - the host a run happened on: name, kernel, CPU model and count, memory. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/util.h"
#include "sys/sysinfo.h"

/* Copy src into dst, cut to fit: uname's fields may be longer than ours. */
static void copy_field(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * The value of the first "key<blanks>: value" line of /proc/cpuinfo text whose key is exactly
 * key, trimmed; NULL when there is none. Points into text, which is modified.
 */
static const char *cpuinfo_value(char *text, const char *key)
{
	const size_t klen = strlen(key);

	for (char *line = text; line && *line;) {
		char *next = strchr(line, '\n');

		if (!strncmp(line, key, klen) &&
		    (line[klen] == '\t' || line[klen] == ' ' || line[klen] == ':')) {
			char *p = line + klen;

			while (*p == '\t' || *p == ' ')
				p++;
			if (*p == ':') {
				p++;
				while (*p == '\t' || *p == ' ')
					p++;
				char *end = next ? next : p + strlen(p);
				while (end > p && isspace((unsigned char)end[-1]))
					end--;
				*end = '\0';
				return p;
			}
		}
		line = next ? next + 1 : NULL;
	}
	return NULL;
}

static void read_cpu_model(struct host_info *h)
{
	/*
	 * x86 and most others say "model name"; old ARM kernels "Processor"; MIPS "cpu model";
	 * POWER only "cpu".
	 */
	static const char *const keys[] = {"model name", "Processor", "cpu model", "cpu"};
	char *text = NULL;
	size_t len;

	if (read_text_file("/proc/cpuinfo", &text, &len) < 0)
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		/* cpuinfo_value() cuts the text where it finds a value: use a fresh copy. */
		char *copy = xstrdup(text);
		const char *v = cpuinfo_value(copy, keys[i]);

		if (v && *v)
			copy_field(h->cpu_model, sizeof(h->cpu_model), v);
		free(copy);
		if (h->cpu_model[0])
			break;
	}
	free(text);
}

static void read_mem_total(struct host_info *h)
{
	char *text = NULL;
	size_t len;
	unsigned long long kb;

	if (read_text_file("/proc/meminfo", &text, &len) < 0)
		return;
	for (const char *line = text; line && *line;) {
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1) {
			h->mem_bytes = (uint64_t)kb * 1024;
			break;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	free(text);
}

void host_info_read(struct host_info *h)
{
	struct utsname u;

	memset(h, 0, sizeof(*h));
	if (uname(&u) == 0) {
		copy_field(h->kernel, sizeof(h->kernel), u.release);
		copy_field(h->machine, sizeof(h->machine), u.machine);
	}
	/* gethostname() may leave a truncated name unterminated. */
	if (gethostname(h->hostname, sizeof(h->hostname) - 1) < 0)
		h->hostname[0] = '\0';
	h->hostname[sizeof(h->hostname) - 1] = '\0';
	read_cpu_model(h);
	const long n = sysconf(_SC_NPROCESSORS_ONLN);
	h->cores = n > 0 ? n : 0;
	read_mem_total(h);
}
