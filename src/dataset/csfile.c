/* SPDX-License-Identifier: MIT */
/*
 * csfile.c - read the stack paths of a CryoSPARC .cs file (pure: bytes in, stack list out): the
 * format is recognised here, csfile_npy.c and csfile_csdat.c read the two encodings.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dataset/csfile.h"
#include "dataset/csfile_int.h"

#define NPY_MAGIC "\x93NUMPY"
#define CSDAT_MAGIC "\x95" "CSDAT"

bool csfile_is_cs(const unsigned char *buf, size_t len)
{
	return len >= 6 && (!memcmp(buf, NPY_MAGIC, 6) || !memcmp(buf, CSDAT_MAGIC, 6));
}

int csfile_fail(char *why, size_t whylen, size_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!why || !whylen)
		return -EINVAL;
	n = snprintf(why, whylen, "byte %zu: ", off);
	if (n >= 0 && (size_t)n < whylen) {
		va_start(ap, fmt);
		vsnprintf(why + n, whylen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int csfile_parse(const unsigned char *buf, size_t len, struct stack_list *out, char *why,
		 size_t whylen)
{
	if (len >= 6 && !memcmp(buf, NPY_MAGIC, 6))
		return csfile_parse_npy(buf, len, out, why, whylen);
	if (len >= 6 && !memcmp(buf, CSDAT_MAGIC, 6)) {
#ifdef HAVE_LZ4
		return csfile_parse_csdat(buf, len, out, why, whylen);
#endif
		if (why && whylen)
			snprintf(why, whylen, "byte 0: compressed CryoSPARC stream (\\x95CSDAT) "
				 "datasets need liblz4, which this build lacks; save it "
				 "with cryosparc-tools' default NumPy format");
		return -ENOTSUP;
	}
	return csfile_fail(why, whylen, 0, "expected \\x93NUMPY or \\x95CSDAT: not a CryoSPARC "
			   ".cs file");
}
