#!/bin/sh
# SPDX-License-Identifier: MIT
# watch_memory.sh - `watch` runs in constant memory: at a 0.01 s interval for about 25 s (a few
# thousand readings), its resident memory late in the run is within a small bound of what it was
# early on (keeping every reading, as it once did, grows by about 2-8 KB a reading); its series
# reaches the disk as it is read, so a killed watch leaves every row it took.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99
need_python

# VmRSS or VmHWM of a process, in kB.
vm() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

note "watch --interval 0.01 for about 25 s"
out=$ccb_tmp/watch
"$CCB" watch --interval 0.01 --out "$out" "$ccb_tmp" >"$ccb_tmp/watch.out" 2>"$ccb_tmp/watch.err" &
pid=$!
sleep 5
kill -0 "$pid" 2>/dev/null || fail "watch ended early: $(cat "$ccb_tmp/watch.err")"
# Under AddressSanitizer freed memory sits in quarantine: resident memory says nothing there.
if grep -q libasan "/proc/$pid/maps"; then
	kill -INT "$pid"
	wait "$pid" || true
	skip "built with AddressSanitizer, whose quarantine grows resident memory"
fi
early=$(vm "$pid" VmRSS)
sleep 20
late=$(vm "$pid" VmRSS)
peak=$(vm "$pid" VmHWM)
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 0 ] || fail "watch ended by SIGINT exited $rc: $(cat "$ccb_tmp/watch.err")"
samples=$(json "$out/results.json" "d['watch']['sampler']['samples']")
note "$samples readings; VmRSS ${early} kB after 5 s, ${late} kB after 25 s, VmHWM ${peak} kB"
# Fewer readings than this and keeping them all would not show either.
[ "$samples" -ge 1000 ] || skip "only $samples readings in 25 s: this machine is too busy to tell"
growth=$((late - early))
[ "$growth" -le 1024 ] ||
	fail "watch's resident memory grew by $growth kB (from $early to $late kB) over $samples readings"
[ "$((peak - early))" -le 1024 ] || fail "watch's peak memory ($peak kB) is far above its early $early kB"
expect_json "$out/results.json" \
	"d['watch']['sampler']['samples_file'] == 'samples/watch.json'" \
	"d['watch']['sampler']['seconds'] > 20"
expect_json "$out/samples/watch.json" "len(d['rows']) == $samples - 1" \
	"all(len(r) == len(d['columns']) for r in d['rows'])" \
	"d['rows'][-1][0] > 20"

note "a watch killed with SIGKILL leaves the rows it took on disk"
out=$ccb_tmp/killed
"$CCB" watch --interval 0.05 --samples-format csv --out "$out" "$ccb_tmp" >/dev/null 2>"$ccb_tmp/watch.err" &
pid=$!
sleep 3
kill -KILL "$pid"
wait "$pid" || true
csv=$out/samples/watch.csv
[ -f "$csv" ] || fail "a killed watch left no $csv"
"$PY" - "$csv" <<'PYEOF' || fail "$csv: not the header and rows of a CSV file"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head = rows[0]
assert head[:2] == ["t_s", "dt_s"], head
assert len(rows) >= 10 and all(len(r) == len(head) for r in rows[1:]), len(rows)
t = [float(r[0]) for r in rows[1:]]
assert t == sorted(t) and t[-1] > 1, t[-3:]
PYEOF
exit 0
