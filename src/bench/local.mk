# SPDX-License-Identifier: MIT
# src/bench/ - one measured run, the sweep engine, the scratch directory, the page cache, results.json
src_libccb_a_SOURCES += src/bench/bench.c src/bench/bench.h src/bench/bench_int.h \
	src/bench/pagecache.c src/bench/pagecache.h src/bench/results.c src/bench/results.h \
	src/bench/run_copy.c src/bench/run_live.c src/bench/run_live.h src/bench/run_prepare.c \
	src/bench/run_record.c src/bench/scratch.c \
	src/bench/scratch.h src/bench/sweep.c src/bench/sweep.h src/bench/sweep_check.c \
	src/bench/sweep_confirm.c src/bench/sweep_confirm.h
# Across nodes: the session's other ranks and rank 0's runs; the ranks' messages over MPI in a
# --with-mpi build, else one rank and the same interface.
src_libccb_a_SOURCES += src/bench/cluster.h src/bench/nodes.c src/bench/nodes.h \
	src/bench/run_nodes.c
if HAVE_MPI
src_libccb_a_SOURCES += src/bench/cluster.c
else
src_libccb_a_SOURCES += src/bench/cluster_single.c
endif
