#!/bin/bash
# tests/cli/resized.sh - a stack that shrinks or grows between the listing and the copy is
# counted at what was copied, by every strategy, and each run names it in a warning.
# Deterministic without timing: --drop-caches-path is a FIFO, whose open blocks the sweep after
# it listed the set (it says so on stderr) and before its first run copies; the test changes two
# stacks, then opens the FIFO, and a reader keeps answering the drops of the later runs.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
command -v mkfifo >/dev/null || skip "mkfifo(1) is missing"
ccb_kill_bench_on_exit
reader=
# stop_reader: end the loop reading the FIFO; a cat of it blocked in open() is released by
# opening the FIFO for writing (read-write: that never blocks) and closing it again.
stop_reader() {
	[ -n "$reader" ] || return 0
	: >"$ccb_tmp/stop"
	for _ in $(seq 100); do
		kill -0 "$reader" 2>/dev/null || break
		exec 8<>"$ccb_tmp/drop"
		exec 8>&-
		sleep 0.05
	done
	wait "$reader" 2>/dev/null || true
	reader=
}
trap 'if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null; fi; stop_reader; ccb_cleanup' EXIT

ccb_make_set --stacks 4 --box 64 --particles 40-50
strategies=$("$CCB" strategies --json | "$PY" -c 'import json, sys
print(",".join(s["name"] for s in json.load(sys.stdin) if s["available"] and s["name"] != "http"))')
mapfile -t stacks < <(find "$src" -name '*.mrcs' | sort)
shrunk=${stacks[0]}
grown=${stacks[1]}
listed_total=$(cat "${stacks[@]}" | wc -c)
size_shrunk=$(stat -c %s "$shrunk")
size_grown=$(stat -c %s "$grown")

mkfifo "$ccb_tmp/drop"
"$CCB" sweep --strategies "$strategies" --threads 1,2 --repeats 1 --interval 0 --no-plots \
	--drop-caches-path "$ccb_tmp/drop" --out "$ccb_tmp/results" "$src" "$dst" \
	>"$ccb_tmp/out" 2>"$ccb_tmp/err" &
pid=$!
for _ in $(seq 600); do
	grep -q "results in '" "$ccb_tmp/err" && break
	kill -0 "$pid" 2>/dev/null || { cat "$ccb_tmp/err" >&2; fail "the sweep ended before it listed"; }
	sleep 0.1
done
grep -q "results in '" "$ccb_tmp/err" || fail "the sweep did not say it listed the set"
# Listed; the first run waits in open() of the FIFO until it is read.
truncate -s 1000 "$shrunk"
head -c 70000 /dev/zero >>"$grown"
copied_total=$(cat "${stacks[@]}" | wc -c)
[ "$copied_total" != "$listed_total" ] || fail "the set did not change size"
(while [ ! -e "$ccb_tmp/stop" ]; do cat "$ccb_tmp/drop"; done) >/dev/null 2>&1 &
reader=$!
rc=0
wait "$pid" || rc=$?
pid=
stop_reader
[ "$rc" = 0 ] || { cat "$ccb_tmp/err" >&2; fail "the sweep exited $rc"; }

rel_shrunk=${shrunk#"$src"/}
rel_grown=${grown#"$src"/}
expect_json "$ccb_tmp/results/results.json" \
	"len(runs) == 2 * len('$strategies'.split(','))" \
	"d['source']['bytes'] == $listed_total" \
	"all(r['errors'] == [] for r in runs)" \
	"all(r['bytes'] == $copied_total for r in runs)" \
	"all(close(r['mb_s'], r['bytes'] / r['seconds_durable'] / 1e6) for r in runs)" \
	"all(close(r['mb_s_copied'], r['bytes'] / r['seconds_copied'] / 1e6) for r in runs)" \
	"all(any('2 files changed size after they were listed' in w for w in r['warnings']) \
	     for r in runs)" \
	"all(any(\"'$rel_shrunk' ($size_shrunk bytes listed, 1000 copied)\" in w \
		 for w in r['warnings']) for r in runs)" \
	"all(any(\"'$rel_grown' ($size_grown bytes listed, $((size_grown + 70000)) copied)\" in w \
		 for w in r['warnings']) for r in runs)"
grep -q "warning: 2 files changed size after they were listed: .*'$rel_shrunk' ($size_shrunk" \
	"$ccb_tmp/err" || { cat "$ccb_tmp/err" >&2; fail "stderr does not name the shrunk stack"; }
echo "ok: $strategies count the bytes copied"
