# src/copy/ - the strategy table, the thread pool, the CPython emulation, one file a strategy
src_libccb_a_SOURCES += \
	src/copy/cfr.c \
	src/copy/common.c \
	src/copy/common.h \
	src/copy/cp.c \
	src/copy/cpython_shutil.h \
	src/copy/http.h \
	src/copy/legacy.c \
	src/copy/pool.c \
	src/copy/pool.h \
	src/copy/rw.c \
	src/copy/sendfile.c \
	src/copy/shutil.c \
	src/copy/strategy.c \
	src/copy/strategy.h
if HAVE_LIBURING
src_libccb_a_SOURCES += src/copy/uring.c
endif
if HAVE_LIBCURL
src_libccb_a_SOURCES += src/copy/http.c
endif
