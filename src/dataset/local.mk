# SPDX-License-Identifier: MIT
# src/dataset/ - what to copy: folders, metadata files, MRC, generated sets, downloads
src_libccb_a_SOURCES += src/dataset/csfile.c src/dataset/csfile.h src/dataset/csfile_csdat.c \
	src/dataset/csfile_csg.c src/dataset/csfile_int.h src/dataset/csfile_npy.c \
	src/dataset/dataset.c src/dataset/dataset.h src/dataset/dataset_int.h src/dataset/gen.c \
	src/dataset/gen.h src/dataset/gen_int.h src/dataset/gen_meta.c src/dataset/gen_plan.c \
	src/dataset/headers.c 	src/dataset/mrc.c src/dataset/mrc.h src/dataset/named.c src/dataset/sizer.c src/dataset/stacklist.c \
	src/dataset/stacklist.h src/dataset/star.c src/dataset/star.h src/dataset/star_int.h \
	src/dataset/star_particles.c src/dataset/walk.c
# a set sent to other nodes, and a node's share of it
src_libccb_a_SOURCES += src/dataset/share.c
if HAVE_LIBCURL
src_libccb_a_SOURCES += \
	src/dataset/fetch.c \
	src/dataset/fetch.h \
	src/dataset/fetch_crawl.c \
	src/dataset/fetch_int.h \
	src/dataset/fetch_list.c
endif
