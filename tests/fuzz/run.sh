#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/fuzz/run.sh BUILDDIR [SECONDS]: build the parser fuzzers with clang's libFuzzer, ASan and
# UBSan (config.h from BUILDDIR, a configured build tree), run each for SECONDS (default 300) from
# its corpus, then merge the inputs that reached new code into tests/fuzz/corpus/<parser>.
# make check replays every corpus file through both parsers (tests/unit/test_fuzz_corpus).
set -eu
build=$(cd "${1:?usage: run.sh BUILDDIR [SECONDS]}" && pwd)
secs=${2:-300}
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../../src
out=$(mktemp -d "${TMPDIR:-/tmp}/ccb-fuzz.XXXXXX")
CC=${CC:-clang}
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$build -I$src"
libs="$(pkg-config --libs jansson) $(pkg-config --libs liblz4 2>/dev/null || true)"
for p in star csfile; do
	# The parser's own files: csfile.c is split by encoding (.npy, CSDAT, .csg).
	files=$src/dataset/$p.c
	[ $p = csfile ] && files="$files $src/dataset/csfile_npy.c $src/dataset/csfile_csdat.c $src/dataset/csfile_csg.c"
	# shellcheck disable=SC2086
	$CC $flags -o "$out/fuzz_$p" "$here/fuzz_$p.c" $files "$src/dataset/stacklist.c" "$src/lib/util.c" $libs
	corpus=$here/corpus/$( [ $p = star ] && echo star || echo cs )
	mkdir -p "$out/new-$p"
	echo "== $p: $secs s"
	"$out/fuzz_$p" -max_total_time="$secs" -max_len=8192 -timeout=10 \
		-artifact_prefix="$out/crash-$p-" -print_final_stats=1 "$out/new-$p" "$corpus" \
		2>"$out/$p.log" || { tail -n 40 "$out/$p.log"; echo "crash: see $out"; exit 1; }
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
		"$out/$p.log"
	"$out/fuzz_$p" -merge=1 "$corpus" "$out/new-$p" 2>>"$out/$p.log"
	echo "corpus $corpus: $(ls "$corpus" | wc -l) files"
done
rm -rf "$out"
