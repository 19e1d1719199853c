# src/bench/ - one measured run, the sweep engine, the scratch directory, the page cache, results.json
src_libccb_a_SOURCES += \
	src/bench/bench.c \
	src/bench/bench.h \
	src/bench/pagecache.c \
	src/bench/pagecache.h \
	src/bench/results.c \
	src/bench/results.h \
	src/bench/scratch.c \
	src/bench/scratch.h
