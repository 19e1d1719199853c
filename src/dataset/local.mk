# src/dataset/ - what to copy: folders, metadata files, MRC, generated sets, downloads
src_libccb_a_SOURCES += \
	src/dataset/csfile.c \
	src/dataset/csfile.h \
	src/dataset/dataset.c \
	src/dataset/dataset.h \
	src/dataset/gen.c \
	src/dataset/gen.h \
	src/dataset/gen_meta.c \
	src/dataset/mrc.c \
	src/dataset/mrc.h \
	src/dataset/stacklist.c \
	src/dataset/stacklist.h \
	src/dataset/star.c \
	src/dataset/star.h
if HAVE_LIBCURL
src_libccb_a_SOURCES += src/dataset/fetch.c src/dataset/fetch.h
endif
