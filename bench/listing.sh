#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/listing.sh - how long a set takes to be ready to copy, cold, against `find`: for each
# SRC (a folder, a RELION .star or a CryoSPARC .cs) the tool's listing alone (bench/list-only:
# the walk or the metadata parsed, sizes read, MRC headers checked), and as the reference
# `find DIR -name '*.mrcs'` and `find DIR -name '*.mrcs' -printf '%s\n'` over the folder (for
# a .star or .cs, the folder holding it). Every measurement starts cold (sync, drop_caches);
# the contenders of a round run in a shuffled order, a round under the machine lock the tests
# that drop caches take (CCB_LOCK_FILE, default /var/tmp/cryocache-bench-tests.lock). Prints
# each contender's median wall time, its spread (min-max), its median over find's, and its
# peak resident memory (the largest of the rounds); the rounds go to LOG (default
# listing-rounds.tsv).
#
#   sudo bench/listing.sh [-n ROUNDS] [-b OLD-LIST-ONLY] SRC...
# LIST_ONLY is the listing program (default: bench/list-only of this tree), LOG the rounds file.
# -b: another build's bench/list-only (copied out of its tree), measured in the same rounds as
# "before", to compare a change.
set -eu
rounds=5
threads=
size=
. "$(dirname "$0")/lib.sh"

OPTIND=1
before=
while getopts "n:b:" o; do
	case $o in
	n) rounds=$OPTARG ;;
	b) before=$OPTARG ;;
	*) echo "usage: $0 [-n ROUNDS] [-b OLD-LIST-ONLY] SRC..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-n ROUNDS] [-b OLD-LIST-ONLY] SRC..." >&2; exit 2; }
bench_need_root
list_only=${LIST_ONLY:-$here/bench/list-only}
log=${LOG:-listing-rounds.tsv}
[ -x "$list_only" ] || { echo "$0: $list_only is missing: run make first" >&2; exit 1; }
[ -z "$before" ] || [ -x "$before" ] || { echo "$0: '$before' is not a program" >&2; exit 1; }
srcs=("$@")
for s in "${srcs[@]}"; do
	[ -e "$s" ] || { echo "$0: '$s' does not exist" >&2; exit 1; }
done
dir=${srcs[0]}
[ -d "$dir" ] || dir=$(dirname "$dir")

# A contender's wall seconds and peak RSS (KiB), cold.
run_find() { # printf-or-empty
	local t0 t1 out
	drop
	t0=$(now)
	if [ -n "$1" ]; then
		out=$( { /usr/bin/time -f '%M' find "$dir" -name '*.mrcs' -printf '%s\n' >/dev/null; } 2>&1)
	else
		out=$( { /usr/bin/time -f '%M' find "$dir" -name '*.mrcs' >/dev/null; } 2>&1)
	fi
	t1=$(now)
	echo "$(calc "$t1 - $t0") ${out##*$'\n'}"
}
run_ours() { # program src
	local t0 t1 out
	drop
	t0=$(now)
	out=$("$1" "$2")
	t1=$(now)
	set -- $out
	echo "$(calc "$t1 - $t0") ${10}"
}

exec 9>"${CCB_LOCK_FILE:-/var/tmp/cryocache-bench-tests.lock}"
printf 'round\tcontender\twall_s\tmaxrss_kib\n' >"$log"
for ((round = 1; round <= rounds; round++)); do
	cells=("find" "find-printf")
	for s in "${srcs[@]}"; do
		cells+=("ours $s")
		[ -z "$before" ] || cells+=("before $s")
	done
	mapfile -t order < <(printf '%s\n' "${cells[@]}" | shuf)
	flock 9
	for cell in "${order[@]}"; do
		case $cell in
		find) r=$(run_find "") ;;
		find-printf) r=$(run_find printf) ;;
		ours\ *) r=$(run_ours "$list_only" "${cell#ours }") ;;
		before\ *) r=$(run_ours "$before" "${cell#before }") ;;
		esac
		printf '%s\t%s\t%s\n' "$round" "$cell" "${r// /$'\t'}" | tee -a "$log" >&2
	done
	flock -u 9
done

# Median, min-max and median/find's median of each contender, in the order given.
awk -F'\t' 'NR > 1 {
	if (!($2 in n)) order[++nc] = $2
	t[$2, ++n[$2]] = $3
	if ($4 + 0 > rss[$2]) rss[$2] = $4 + 0
}
function median(c,   i, j, k, v, m) {
	m = n[c]
	for (i = 1; i <= m; i++) v[i] = t[c, i]
	for (i = 2; i <= m; i++)
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) { k = v[j]; v[j] = v[j - 1]; v[j - 1] = k }
	lo[c] = v[1]; hi[c] = v[m]
	return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
END {
	for (i = 1; i <= nc; i++) med[order[i]] = median(order[i])
	printf "%-50s %8s %17s %8s %10s\n", "contender (cold, rounds: " n["find"] ")", "median_s",
	       "min-max_s", "x_find", "peak_MiB"
	for (i = 1; i <= nc; i++) {
		c = order[i]
		printf "%-50s %8.3f %8.3f-%-8.3f %8.2f %10.1f\n", c, med[c], lo[c], hi[c],
		       med[c] / med["find"], rss[c] / 1024
	}
}' <(head -1 "$log"; tail -n +2 "$log" | sort -t$'\t' -s -k2,2)
