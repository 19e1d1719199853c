# SPDX-License-Identifier: MIT
# src/analysis/ - statistics, cells, the recommendation, compare and fio's output: pure, no I/O
src_libccb_a_SOURCES += src/analysis/cells.c src/analysis/cells.h src/analysis/compare.c \
	src/analysis/compare.h src/analysis/confirm.c src/analysis/confirm.h \
	src/analysis/fioref.c src/analysis/fioref.h src/analysis/links.c src/analysis/links.h \
	src/analysis/live.c src/analysis/live.h \
	src/analysis/recommend.c src/analysis/recommend.h src/analysis/run_flags.c \
	src/analysis/run_flags.h src/analysis/stats.c src/analysis/stats.h \
	src/analysis/warn_groups.c src/analysis/warn_groups.h
# across nodes: a run from its nodes' parts, scaling by node count, fio's client/server output
src_libccb_a_SOURCES += src/analysis/fioclients.c src/analysis/fioclients.h \
	src/analysis/noderuns.c src/analysis/noderuns.h src/analysis/scaling.c src/analysis/scaling.h
