#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/interrupt.sh - SIGINT and SIGTERM stop a benchmark cleanly: exit 128 + signal, the finished
# runs kept in a valid results.json, the partial run marked aborted, no scratch left in DST.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
ccb_lock_if_root

# 100 MiB in 40 stacks, copied by one thread with 64-byte reads and writes: about 2 s per run on a
# fast disk, long enough to be caught mid-copy, without writing gigabytes.
ccb_make_set --stacks 40 --box 128 --particles 40

# Runs recorded in results.json FILE so far (0 before it exists).
runs_in() {
	local n
	n=$(grep -c '"seq":' "$1" 2>/dev/null) || true
	echo "${n:-0}"
}

# A test that fails stops the benchmark it started on the way out.
ccb_kill_bench_on_exit

# interrupt SIGNAL STATUS DELAY: start a long benchmark, send SIGNAL DELAY seconds after its first
# run is in results.json, and check what it leaves.
interrupt() {
	local sig=$1 want=$2 delay=$3
	local out=$ccb_tmp/results-$sig rc=0
	note "SIG$sig ${delay}s after the first run"
	"$CCB" run --strategy rw --bs 64 --threads 1 --repeats 100 --out "$out" "$src" "$dst" \
		>"$ccb_tmp/$sig.out" 2>"$ccb_tmp/$sig.err" &
	pid=$!
	for _ in $(seq 600); do
		[ "$(runs_in "$out/results.json")" -ge 1 ] && break
		kill -0 "$pid" 2>/dev/null ||
			{ cat "$ccb_tmp/$sig.err" >&2; fail "the benchmark ended early"; }
		sleep 0.1
	done
	[ "$(runs_in "$out/results.json")" -ge 1 ] ||
		{ kill -KILL "$pid"; fail "no run finished within 60 s"; }
	sleep "$delay"
	kill -"$sig" "$pid"
	# A benchmark that ignores the signal would go on for minutes: give it 30 s.
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		fail "SIG$sig did not stop the benchmark within 30 s"
	fi
	wait "$pid" || rc=$?
	pid=
	[ "$rc" = "$want" ] ||
		{ cat "$ccb_tmp/$sig.err" >&2; fail "SIG$sig: exit status $rc, expected $want"; }
	grep -q "interrupted by SIG$sig: the finished runs are kept in '$out/results.json'" \
		"$ccb_tmp/$sig.err" ||
		fail "SIG$sig: stderr does not say it was interrupted: $(cat "$ccb_tmp/$sig.err")"
	# Every run but the last finished. The last one was cut short and is marked aborted (it may
	# not have reached its clock), unless the signal came just as it finished: then it is
	# complete. An abort is not an error.
	local aborted="d['runs'][-1]['aborted'] is True and d['runs'][-1].get('files', 0) < 40"
	local complete="runs[-1]['aborted'] is False and runs[-1]['files'] == 40"
	expect_json "$out/results.json" "'finished' in d and len(runs) >= 1" \
		"[r['seq'] for r in runs] == list(range(1, len(runs) + 1))" \
		"d['source']['files'] == 40" \
		"all(r['aborted'] is False and r['files'] == 40 for r in runs[:-1])" \
		"all(r['errors'] == [] for r in runs)" \
		"($aborted) or ($complete)"
	if [ "$(json "$out/results.json" "$aborted")" = True ]; then
		local n
		n=$(json "$out/results.json" "len(d['runs'])")
		grep -Eq "^ +$n +rw .*aborted" "$ccb_tmp/$sig.out" ||
			fail "SIG$sig: the table does not mark run $n aborted:" \
				"$(cat "$ccb_tmp/$sig.out")"
	fi
	[ -z "$(ls -A "$dst")" ] || fail "SIG$sig: the benchmark left in DST: $(ls -A "$dst")"
}

# SIGINT a moment into the second run's copy; SIGTERM as soon as the first run is written, which
# usually lands while the second run is still preparing (dropping caches, before its clock).
interrupt INT 130 0.8
quick && exit 0
interrupt TERM 143 0
