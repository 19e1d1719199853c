# SPDX-License-Identifier: MIT
# src/copy/ - the strategy table, the thread pool, the CPython emulation, one file a strategy
# (uring.c and http.c are stand-ins without their library: see .missing in strategy.h)
src_libccb_a_SOURCES += src/copy/cfr.c src/copy/child.c src/copy/child.h src/copy/common.c \
	src/copy/common.h src/copy/cp.c src/copy/cpython.c src/copy/cpython_shutil.c \
	src/copy/cpython_shutil.h src/copy/http.c src/copy/http.h src/copy/legacy.c \
	src/copy/libc_file.c src/copy/libc_file.h src/copy/pool.c src/copy/pool.h src/copy/relion.c \
	src/copy/relion.h src/copy/relion_image.c src/copy/relion_image.h src/copy/relion_plan.c \
	src/copy/relion_verify.c src/copy/rw.c src/copy/sendfile.c src/copy/shutil.c \
	src/copy/strategy.c src/copy/strategy.h src/copy/uring.c
