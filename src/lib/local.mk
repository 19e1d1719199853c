# SPDX-License-Identifier: MIT
# src/lib/ - the lowest layer: messages, numbers, paths, files, JSON accessors, option tables,
# buffers, names as text (JSON, CSV), hashing, libcurl setup
src_libccb_a_SOURCES += src/lib/datadir.c src/lib/datadir.h src/lib/dynbuf.c src/lib/dynbuf.h \
	src/lib/json_get.h src/lib/opt.c src/lib/opt.h src/lib/safeopen.c src/lib/safeopen.h \
	src/lib/text.c src/lib/text.h src/lib/url.c src/lib/url.h src/lib/util.c src/lib/util.h \
	src/lib/verify.c src/lib/verify.h
if HAVE_LIBCURL
src_libccb_a_SOURCES += src/lib/curl_common.c src/lib/curl_common.h
endif
