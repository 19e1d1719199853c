#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/compare-cpython.sh - is our `shutil` CPython's shutil.copyfile, and `rw` what cp does?
#
#   sudo bench/compare-cpython.sh [-n PAIRS] [-t "1 2 4"] [-s SIZE] WORKDIR
#
# Generates a particle set in WORKDIR (default 3G), then for PAIRS rounds (default 7) and each
# thread count N runs, in a shuffled order per round, with caches dropped before each:
#   ours-shutil  cryocache-bench run --strategy shutil --threads N
#   cpython      tests/helpers/shutil_copy.py --threads N (shutil.copyfile in a ThreadPoolExecutor)
#   ours-rw      cryocache-bench run --strategy rw --threads N
#   cp           find | xargs -P N cp
# and prints, per contender and N, the median, min and max of the copied and the durable MB/s
# (durable = copied + syncfs of the destination) and the ratio of the medians. A benchmark,
# not a test: numbers go into notes, nothing here passes or fails.
set -euo pipefail

rounds=7
threads="1 2 4"
size=3G
. "$(dirname "$0")/lib.sh"
bench_options "[-n PAIRS] [-t 'N...'] [-s SIZE] WORKDIR" 1 "$@"
set -- "${args[@]}"

work=$1
src=$work/particles
dst=$work/cache
log=$work/compare.tsv
mkdir -p "$work" "$dst"

"$ccb" gen --total "$size" --seed 7 "$src" >&2
bytes=$("$py" -c 'import os,sys; print(sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(sys.argv[1]) for f in fs if f.endswith(".mrcs")))' "$src")
echo "set: $(find "$src" -name '*.mrcs' | wc -l) stacks, $bytes bytes" >&2

fresh_dst() {
	rm -rf "$dst/plain"
	mkdir -p "$dst/plain"
	(cd "$src" && find . -name '*.mrcs' -printf '%h\n' | sort -u | sed "s|^|$dst/plain/|" | xargs mkdir -p)
}

# Each contender prints "copied_seconds durable_seconds".
run_ours() { # strategy threads
	local out=$work/r.$$.$RANDOM
	"$ccb" run --quiet --repeats 1 --strategy "$1" --threads "$2" --out "$out" "$src" "$dst" >/dev/null
	"$py" -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]; print(r["seconds_copied"], r["seconds_durable"])' "$out/results.json"
	rm -rf "$out"
}
run_cpython() { # threads
	local t0 t1 copied
	fresh_dst
	drop
	copied=$("$py" "$here/tests/helpers/shutil_copy.py" --threads "$1" "$src" "$dst/plain" |
		"$py" -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
	t0=$(now); sync -f "$dst/plain"; t1=$(now)
	echo "$copied $(calc "$copied + $t1 - $t0")"
}
run_cp() { # threads
	local t0 t1 t2
	fresh_dst
	drop
	t0=$(now)
	(cd "$src" && find . -name '*.mrcs' -print0 | xargs -0 -P "$1" -I{} cp {} "$dst/plain/{}")
	t1=$(now); sync -f "$dst/plain"; t2=$(now)
	echo "$(calc "$t1 - $t0") $(calc "$t2 - $t0")"
}

printf 'round\tcontender\tthreads\tcopied_s\tdurable_s\n' >"$log"
for ((round = 1; round <= rounds; round++)); do
	cells=()
	for n in $threads; do
		cells+=("ours-shutil $n" "cpython $n" "ours-rw $n" "cp $n")
	done
	mapfile -t order < <(printf '%s\n' "${cells[@]}" | shuf)
	for cell in "${order[@]}"; do
		set -- $cell
		case $1 in
		ours-shutil) r=$(run_ours shutil "$2") ;;
		ours-rw) r=$(run_ours rw "$2") ;;
		cpython) r=$(run_cpython "$2") ;;
		cp) r=$(run_cp "$2") ;;
		esac
		printf '%s\t%s\t%s\t%s\n' "$round" "$1" "$2" "${r// /$'\t'}" | tee -a "$log" >&2
	done
done
rm -rf "$dst/plain"

"$py" "$here/bench/summary.py" "$log" "$bytes" ours-shutil/cpython ours-rw/cp
