#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/fio-ceiling.sh - fio's copy-shaped ceiling for a source set and a destination, next to the
# best strategies, in one session, interleaved.
#
#   sudo bench/fio-ceiling.sh [-n ROUNDS] [-s "uring:4 sendfile:4"] SRC DST
#
# Each round, in a shuffled order, with caches dropped before each:
#   fio-direct    fio --readonly reading every file below SRC (io_uring, bs 1M, iodepth 32,
#                 O_DIRECT) and, started at the same moment as its own process, a writer of the
#                 same total into a scratch folder in DST (same engine, O_DIRECT, end_fsync)
#   fio-buffered  the same without O_DIRECT (a virtual disk cached by its host can favour it)
#   STRATEGY:N    cryocache-bench run --repeats 1 --strategy STRATEGY --threads N
# The copy-shaped ceiling of a fio pair is the set's bytes over the longer of the two runtimes.
# The reader never gets a `size`, so fio never extends or rewrites a source file; it runs with
# --readonly. Prints medians and ranges of MB/s (10^6 B/s). A benchmark, not a test.
set -euo pipefail

rounds=5
contenders="uring:4 sendfile:4 cfr:4"
while getopts "n:s:" o; do
	case $o in
	n) rounds=$OPTARG ;;
	s) contenders=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { echo "usage: $0 [-n ROUNDS] [-s 'STRATEGY:N ...'] SRC DST" >&2; exit 2; }
. "$(dirname "$0")/lib.sh"
bench_need_root
command -v fio >/dev/null || { echo "$0: fio is not installed (apt-get install fio)" >&2; exit 1; }

src=$(cd "$1" && pwd)
dst=$(cd "$2" && pwd)
work=$(mktemp -d "$dst/.fio-ceiling.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/log.tsv
bytes=$("$py" -c 'import os,sys; print(sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(sys.argv[1]) for f in fs if f.endswith(".mrcs")))' "$src")
[ "$bytes" -gt 0 ] || { echo "$0: no .mrcs files below $src" >&2; exit 1; }
echo "set: $bytes bytes below $src; fio $(fio --version)" >&2


fio_pair() { # direct(0|1) -> prints MB/s of the pair
	local direct=$1 out=$work/w
	rm -rf "$out"; mkdir -p "$out"
	drop
	fio --readonly --name=read --ioengine=io_uring --bs=1M --iodepth=32 --rw=read \
		--direct="$direct" --opendir="$src" --output-format=json --output="$work/r.json" \
		>/dev/null &
	local rpid=$!
	fio --name=write --ioengine=io_uring --bs=1M --iodepth=32 --rw=write --direct="$direct" \
		--end_fsync=1 --directory="$out" --size=$((bytes / 1048576 * 1048576)) \
		--output-format=json --output="$work/w.json" >/dev/null
	wait "$rpid"
	"$py" - "$work/r.json" "$work/w.json" "$bytes" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["jobs"][0]["read"]
w = json.load(open(sys.argv[2]))["jobs"][0]["write"]
longer = max(r["runtime"], w["runtime"]) / 1000.0
print("%.1f %.1f %.1f" % (int(sys.argv[3]) / longer / 1e6, r["bw_bytes"] / 1e6, w["bw_bytes"] / 1e6))
PY
}

run_ours() { # strategy threads -> MB/s
	local res=$work/res.$RANDOM
	"$ccb" run --quiet --repeats 1 --interval 0 --strategy "$1" --threads "$2" --out "$res" \
		"$src" "$dst" >/dev/null
	"$py" -c 'import json,sys; print("%.1f" % json.load(open(sys.argv[1]))["runs"][0]["mb_s"])' \
		"$res/results.json"
	rm -rf "$res"
}

printf 'round\tcontender\tmb_s\tread_mb_s\twrite_mb_s\n' >"$log"
for ((round = 1; round <= rounds; round++)); do
	mapfile -t order < <(printf '%s\n' fio-direct fio-buffered $contenders | shuf)
	for c in "${order[@]}"; do
		case $c in
		fio-direct) set -- $(fio_pair 1) ;;
		fio-buffered) set -- $(fio_pair 0) ;;
		*) set -- "$(run_ours "${c%%:*}" "${c##*:}")" - - ;;
		esac
		printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$c" "$1" "$2" "$3" | tee -a "$log" >&2
	done
done

"$py" - "$log" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
cells = {}
for r in rows:
    cells.setdefault(r["contender"], []).append(float(r["mb_s"]))
med = {k: statistics.median(v) for k, v in cells.items()}
ceiling = max(med.get("fio-direct", 0), med.get("fio-buffered", 0))
print(f"{'contender':14} {'runs':>4} {'median MB/s':>12} {'min-max':>16} {'of ceiling':>10}")
for k in sorted(cells, key=lambda k: -med[k]):
    v = sorted(cells[k])
    print(f"{k:14} {len(v):>4} {med[k]:12.0f} {v[0]:7.0f}-{v[-1]:<8.0f} {100 * med[k] / ceiling:9.0f}%")
print(f"\nceiling (higher of the fio medians): {ceiling:.0f} MB/s")
PY
