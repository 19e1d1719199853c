# SPDX-License-Identifier: MIT
# bench/lib.sh - what the benchmark scripts share: the binary, their -n/-t/-s options, the root
# check, cache drops and clocks. Sourced; the caller sets its defaults first.
# shellcheck shell=bash

# The tree, the binary (CCB) and the python3 (PYTHON3) the scripts use.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ccb=${CCB:-$here/cryocache-bench}
py=${PYTHON3:-/usr/bin/python3}

# bench_options USAGE NARGS "$@": -n ROUNDS, -t "N...", -s SIZE into $rounds, $threads and
# $size (the caller's defaults stay for the options not given); the NARGS arguments left are
# put in the array $args. Exits 2 with USAGE for anything else, 1 when not root.
bench_options() {
	local usage=$1 nargs=$2 o
	shift 2
	OPTIND=1
	while getopts "n:t:s:" o; do
		case $o in
		n) rounds=$OPTARG ;;
		t) threads=$OPTARG ;;
		s) size=$OPTARG ;;
		*) echo "usage: $0 $usage" >&2; exit 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -eq "$nargs" ] || { echo "usage: $0 $usage" >&2; exit 2; }
	bench_need_root
	args=("$@")
}

bench_need_root() {
	[ "$(id -u)" = 0 ] || { echo "$0: needs root to drop caches" >&2; exit 1; }
}

drop() { sync; echo 3 >/proc/sys/vm/drop_caches; }
now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }
