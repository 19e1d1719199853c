#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/clean.sh - `clean DST` removes the marked scratch directories that killed runs left, and
# nothing else: not look-alikes, not what symlinks point to, not a running benchmark's directory.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
ccb_lock_if_root

# 25 MiB copied with 64-byte reads and writes: runs long enough to be caught while copying.
ccb_make_set --stacks 20 --box 128 --particles 20

# start_bench OUT: a long benchmark in the background; sets $pid and, once it copies, $scratch.
# A test that fails stops it on the way out.
ccb_kill_bench_on_exit
start_bench() {
	local before
	before=$(ls -A "$dst")
	"$CCB" run --strategy rw --bs 64 --threads 1 --repeats 100 --quiet --out "$1" \
		"$src" "$dst" >"$ccb_tmp/bench.out" 2>"$ccb_tmp/bench.err" &
	pid=$!
	scratch=
	for _ in $(seq 300); do
		for d in "$dst"/.cryocache-bench.*; do
			case $'\n'"$before"$'\n' in *$'\n'"${d##*/}"$'\n'*) continue ;; esac
			[ -n "$(ls -A "$d/copy" 2>/dev/null)" ] && scratch=$d
		done
		[ -n "$scratch" ] && return 0
		kill -0 "$pid" 2>/dev/null ||
			{ cat "$ccb_tmp/bench.err" >&2; fail "the benchmark ended early"; }
		sleep 0.1
	done
	kill -KILL "$pid"
	fail "the benchmark did not start copying within 30 s"
}

note "a scratch directory left by a run killed with SIGKILL"
start_bench "$ccb_tmp/killed"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
pid=
[ -d "$scratch/copy" ] || fail "the killed run left no scratch directory to clean"
killed=$scratch

# Look-alikes that are not ours: an unmarked folder, a folder whose marker has the wrong text, and
# a symlink to a folder outside DST that does carry a valid marker (clean must not follow it).
mkdir "$dst/.cryocache-bench.fake" "$dst/.cryocache-bench.badmark" "$ccb_tmp/outside"
echo data >"$dst/.cryocache-bench.fake/file"
echo "not the marker" >"$dst/.cryocache-bench.badmark/.cryocache-bench-scratch"
cp "$killed/.cryocache-bench-scratch" "$ccb_tmp/outside/"
echo data >"$ccb_tmp/outside/file"
ln -s "$ccb_tmp/outside" "$dst/.cryocache-bench.link"

expect_ok "$CCB" clean "$dst"
grep -qx "removed 1 scratch directory from '$dst'" "$ccb_tmp/out" ||
	fail "clean did not report removing 1: $(cat "$ccb_tmp/out")"
grep -qx "left 3 without the tool's marker (not ours to delete)" "$ccb_tmp/out" ||
	fail "clean did not report the 3 look-alikes: $(cat "$ccb_tmp/out")"
[ ! -e "$killed" ] || fail "clean left the killed run's scratch directory"
[ "$(cat "$dst/.cryocache-bench.fake/file" 2>/dev/null)" = data ] ||
	fail "clean touched an unmarked folder"
[ -e "$dst/.cryocache-bench.badmark/.cryocache-bench-scratch" ] ||
	fail "clean touched a folder with a wrong marker"
[ -L "$dst/.cryocache-bench.link" ] || fail "clean removed a symlink with our prefix"
[ "$(cat "$ccb_tmp/outside/file" 2>/dev/null)" = data ] ||
	fail "clean followed a symlink out of DST"
[ -f "$ccb_tmp/outside/.cryocache-bench-scratch" ] || fail "clean followed a symlink out of DST"

note "the scratch directory of a running benchmark"
start_bench "$ccb_tmp/live"
expect_ok "$CCB" clean "$dst"
if ! grep -qx "removed 0 scratch directories from '$dst'" "$ccb_tmp/out" ||
	! grep -qx "left 1 in use by a running benchmark" "$ccb_tmp/out"; then
	kill "$pid"
	fail "clean did not leave the running benchmark alone: $(cat "$ccb_tmp/out")"
fi
if [ ! -d "$scratch/copy" ]; then
	kill "$pid"
	fail "clean removed a running benchmark's scratch directory"
fi
kill -0 "$pid" 2>/dev/null || fail "the benchmark died while clean ran: $(cat "$ccb_tmp/bench.err")"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" = 143 ] || fail "the benchmark stopped by SIGTERM exited $rc"
[ ! -e "$scratch" ] || fail "the benchmark stopped by SIGTERM left its scratch directory"

# A kept copy with symlinks pointing out of DST: removing it removes the links, not their targets.
note "symlinks inside a kept copy"
expect_ok "$CCB" run --keep --repeats 1 --quiet --out "$ccb_tmp/kept" "$src" "$dst"
copy=$(find "$dst" -mindepth 2 -maxdepth 2 -name copy -path "$dst/.cryocache-bench.*/copy")
[ -d "$copy" ] || fail "no kept copy in DST"
mkdir "$ccb_tmp/outside2"
echo data >"$ccb_tmp/outside2/file"
ln -s "$ccb_tmp/outside2" "$copy/escape-dir"
ln -s "$ccb_tmp/outside2/file" "$(dirname "$(find "$copy" -name '*.mrcs' | head -1)")/escape-file"
expect_ok "$CCB" clean "$dst"
grep -qx "removed 1 scratch directory from '$dst'" "$ccb_tmp/out" ||
	fail "clean did not remove the kept copy: $(cat "$ccb_tmp/out")"
[ ! -e "$(dirname "$copy")" ] || fail "clean left the kept copy"
[ "$(cat "$ccb_tmp/outside2/file" 2>/dev/null)" = data ] || fail "clean removed a file outside DST"
left=$(cd "$dst" && echo .cryocache-bench.*)
[ "$left" = ".cryocache-bench.badmark .cryocache-bench.fake .cryocache-bench.link" ] ||
	fail "DST holds: $(ls -A "$dst")"

note "clean of a missing DST"
expect_fail 1 "cannot clean '$ccb_tmp/missing': No such file or directory" \
	"$CCB" clean "$ccb_tmp/missing"
