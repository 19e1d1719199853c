#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cli/sweep.sh - the sweep end to end on a small generated set: the plan, results.json, the
# reports and the recommendation line agree; the warm-up run is recorded and never counted; runs
# under --min-run are said once and flag their cells; --repeats auto is the default; Ctrl-C and
# SIGTERM keep finished runs; --resume finishes the plan; bad grids are refused.
. "${CCB_SRCDIR:-.}/tests/helpers/lib.sh" || exit 99
ccb_lock_machine
need_python

ccb_make_set --stacks 8 --box 96 --particles 20-40 --seed 4
nfiles=$(find "$src" -name '*.mrcs' | wc -l)

# --min-run 10m: every run of this small set is far shorter, so the probe (the warm-up run) must
# say so once, and every cell is flagged "short".
note "a 2 x 3 x 2 sweep after a warm-up run, every run under --min-run"
out=$ccb_tmp/s1
rc=0
"$CCB" sweep --strategies shutil,rw --threads 1,2,4 --repeats 2 --seed 11 --no-plots \
	--confirm 0 --min-run 10m --out "$out" "$src" "$dst" >"$ccb_tmp/stdout" 2>"$ccb_tmp/stderr" || rc=$?
[ "$rc" = 0 ] || { cat "$ccb_tmp/stderr" >&2; fail "sweep exited $rc"; }
expect_json "$out/results.json" "len(runs) == 13 and len(counted) == 12" \
	"sorted((r['strategy'], r['threads'], r['repeat']) for r in counted) == sorted((s, t, k) for s in ('shutil', 'rw') for t in (1, 2, 4) for k in (1, 2))" \
	"all(r['files'] == $nfiles and r['errors'] == [] for r in runs)" \
	"d['sweep']['seed'] == 11 and len(d['sweep']['plan']) == 12 and d['sweep']['repeats'] == 2" \
	"[(p['strategy'], p['threads'], p['repeat']) for p in d['sweep']['plan']] == [(r['strategy'], r['threads'], r['repeat']) for r in counted]" \
	"[r['plan_index'] for r in counted] == list(range(12))" \
	"[(p['strategy'], p['threads']) for p in d['sweep']['plan']] != sorted((p['strategy'], p['threads']) for p in d['sweep']['plan'])" \
	"len(d['cells']) == 6 and all(c['runs'] == 2 for c in d['cells'])" \
	"runs[0]['role'] == 'warmup' and 'plan_index' not in runs[0] and runs[0]['mb_s'] > 0" \
	"runs[0]['strategy'] == d['sweep']['plan'][0]['strategy'] and runs[0]['threads'] == 4" \
	"[r['seq'] for r in runs if r.get('role')] == [1] and d['sweep']['warmup'] == 1" \
	"d['sweep']['probe']['seq'] == 1 and d['sweep']['probe']['role'] == 'warmup'" \
	"d['sweep']['probe']['short'] is True and d['sweep']['probe']['min_run_s'] == 600" \
	"close(d['sweep']['probe']['seconds_durable'], runs[0]['seconds_durable'])" \
	"sum(w.startswith('short runs: runs of this ') for w in d['warnings']) == 1" \
	"all('short' in c['flags'] for c in d['cells'])" \
	"all(any('too short' in w for w in r['warnings']) for r in runs)" \
	"d['recommendation']['variable'] == 'CRYOSPARC_CACHE_NUM_THREADS'" \
	"d['recommendation']['confidence'] in ('high', 'low', 'none')" \
	"d['recommendation']['confirmation']['verdict'] == 'skipped'" \
	"0 <= d['sweep']['overhead']['outside_copy_share'] < 1"
# The recommendation line is the last line, and it says what results.json says.
"$PY" - "$out/results.json" "$ccb_tmp/stdout" <<'PYEOF' || fail "the printed recommendation disagrees with results.json"
import json, sys
d = json.load(open(sys.argv[1]))
out = open(sys.argv[2]).read().rstrip("\n").split("\n")
rec = d["recommendation"]
tail = "\n".join(out[-12:])
if rec["confidence"] == "none" or rec["threads"] is None:
    assert "CRYOSPARC_CACHE_NUM_THREADS" in tail, tail
else:
    assert ("CRYOSPARC_CACHE_NUM_THREADS=%d" % rec["threads"]) in tail, tail
# every cell's median printed in the table is the one in results.json
table = "\n".join(out)
for c in d["cells"]:
    assert ("%.1f" % c["median_mb_s"]) in table, c
assert ("results: " + sys.argv[1]) in table
PYEOF
for f in report.md report.html results.csv; do
	[ -s "$out/$f" ] || fail "the sweep wrote no $f"
done
[ "$(wc -l <"$out/results.csv")" = 14 ] || fail "results.csv should have a header and 13 rows"
"$PY" - "$out/results.csv" <<'PYEOF' || fail "results.csv does not mark the warm-up run"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert [r["role"] for r in rows] == ["warmup"] + [""] * 12, [r["role"] for r in rows]
assert rows[0]["cell_median_mb_s"] == "", rows[0]
PYEOF
grep -q "warmup, not counted" "$out/report.md" || fail "report.md does not mark the warm-up run"
# said once, clearly, on stderr; every run's own note is in results.json, not printed again
[ "$(grep -c 'under --min-run 600 s: numbers from runs this short are mostly noise' "$ccb_tmp/stderr")" = 1 ] ||
	fail "the short-run warning was not said exactly once"
! grep -q "too short to measure" "$ccb_tmp/stderr" || fail "a run's short note was printed"
grep -q "1 warm-up run first, not counted" "$ccb_tmp/stderr" || fail "the warm-up was not announced"
grep -q "report:  $out/report.html" "$ccb_tmp/stdout" || fail "no path of report.html printed"
[ -z "$(ls -A "$dst")" ] || fail "the sweep left in DST: $(ls -A "$dst")"

note "the same seed gives the same order"
expect_ok "$CCB" sweep --strategies shutil,rw --threads 1,2,4 --repeats 2 --seed 11 --no-report \
	--confirm 0 --interval 0 --out "$ccb_tmp/s2" "$src" "$dst"
"$PY" -c 'import json,sys; a,b=(json.load(open(f))["sweep"]["plan"] for f in sys.argv[1:]); sys.exit(a != b)' \
	"$out/results.json" "$ccb_tmp/s2/results.json" || fail "seed 11 gave two different plans"

note "bad grids"
expect_fail 2 "unknown strategy 'nope'" "$CCB" sweep --strategies shutil,nope "$src" "$dst"
expect_fail 2 "invalid thread count 'x'" "$CCB" sweep --threads 1,x "$src" "$dst"
expect_fail 2 "invalid value 'often' for --repeats" "$CCB" sweep --repeats often "$src" "$dst"
expect_fail 2 "invalid duration '10q' for --budget" "$CCB" sweep --budget 10q "$src" "$dst"
expect_fail 2 "--resume needs --out" "$CCB" sweep --resume "$src" "$dst"
expect_fail 2 "--repeats-min 6 is above --repeats-max 5" "$CCB" sweep --repeats-min 6 \
	--repeats-max 5 "$src" "$dst"
expect_fail 2 "invalid duration 'soon' for --min-run" "$CCB" sweep --min-run soon "$src" "$dst"
expect_fail 2 "invalid value '-1' for --warmup" "$CCB" sweep --warmup -1 "$src" "$dst"

# --repeats auto is the default: every cell gets --repeats-min (5) runs, then the cells that
# decide the answer more, up to --repeats-max; the best cell always decides (its interval's top is
# never below its own median), and 5 runs cover only 93.75 %, short of 95 %: so at least one cell
# gets a sixth run, whatever the medians are.
note "--repeats auto is the default"
out=$ccb_tmp/auto
expect_ok "$CCB" sweep --strategies rw --threads 1,2 --repeats-max 6 --min-run 0 --seed 3 \
	--no-report --interval 0 --out "$out" "$src" "$dst"
expect_json "$out/results.json" "d['sweep']['repeats'] == 'auto' and d['params']['repeats'] == 'auto'" \
	"d['sweep']['auto']['min_runs'] == 5 and d['sweep']['auto']['max_runs'] == 6" \
	"d['sweep']['auto']['target_spread_pct'] == 1.5 and d['sweep']['auto']['tolerance_pct'] == 3" \
	"d['sweep']['auto']['default_strategy'] == 'shutil'" \
	"len(d['cells']) == 2 and all(5 <= c['runs'] <= 6 for c in d['cells'])" \
	"any(c['runs'] == 6 for c in d['cells'])" \
	"len(d['sweep']['plan']) == len(counted) == sum(c['runs'] for c in d['cells'])" \
	"all(sorted(r['repeat'] for r in counted if r['threads'] == t) == list(range(1, len([r for r in counted if r['threads'] == t]) + 1)) for t in (1, 2))" \
	"d['sweep']['probe']['short'] is False and not any(w.startswith('short runs') for w in d['warnings'])" \
	"not any('short' in c['flags'] for c in d['cells'])"
grep -q "sweep: 10 runs (2 cells x 5), and about 2 more expected for the cells that decide" \
	"$ccb_tmp/err" || fail "the estimate of the auto runs was not said"

note "--repeats auto with a smaller minimum"
out=$ccb_tmp/auto3
expect_ok "$CCB" sweep --strategies rw --threads 1,2 --repeats auto --repeats-min 3 \
	--repeats-max 4 --target-spread 50 --warmup 0 --min-run 0 --seed 3 --no-report \
	--interval 0 --out "$out" "$src" "$dst"
expect_json "$out/results.json" "len(runs) == len(counted)" \
	"all(3 <= c['runs'] <= 4 for c in d['cells'])" \
	"any(c['runs'] == 4 for c in d['cells'])"

note "--warmup 0 leaves a probe run; --min-run 0 too, none"
expect_ok "$CCB" sweep --strategies rw --threads 2 --repeats 1 --warmup 0 --no-report \
	--interval 0 --out "$ccb_tmp/w0" "$src" "$dst"
expect_json "$ccb_tmp/w0/results.json" "[r.get('role') for r in runs] == ['probe', None]" \
	"d['sweep']['probe']['role'] == 'probe' and d['sweep']['warmup'] == 0" \
	"len(d['cells']) == 1 and d['cells'][0]['runs'] == 1"
expect_ok "$CCB" sweep --strategies rw --threads 2 --repeats 1 --warmup 0 --min-run 0 \
	--no-report --interval 0 --out "$ccb_tmp/w00" "$src" "$dst"
expect_json "$ccb_tmp/w00/results.json" "len(runs) == 1 and 'role' not in runs[0]" \
	"'probe' not in d['sweep']" "not any('too short' in w for w in runs[0]['warnings'])"
expect_ok "$CCB" sweep --strategies rw --threads 1,2 --repeats 1 --warmup 2 --min-run 0 \
	--no-report --interval 0 --out "$ccb_tmp/w2" "$src" "$dst"
expect_json "$ccb_tmp/w2/results.json" \
	"[(r.get('role'), r['threads'], r['repeat']) for r in runs[:2]] == [('warmup', 2, 1), ('warmup', 2, 2)]" \
	"len(counted) == 2 and all(c['runs'] == 1 for c in d['cells'])"

note "thread counts above the file count are dropped"
expect_ok "$CCB" sweep --strategies rw --threads 2,64 --repeats 1 --no-report --interval 0 \
	--out "$ccb_tmp/s3" "$src" "$dst"
expect_json "$ccb_tmp/s3/results.json" "[r['threads'] for r in runs] == [2, 2]" \
	"[r.get('role') for r in runs] == ['warmup', None]"

quick && exit 0

# Interrupt a longer sweep after its first runs, with SIGINT and with SIGTERM: finished runs stay,
# the sweep can be resumed and then completes its plan exactly.
for sig in INT TERM; do
	note "SIG$sig during a sweep, then --resume"
	out=$ccb_tmp/int-$sig
	"$CCB" sweep --strategies rw --threads 1,2 --repeats 4 --bs 512 --seed 5 --no-report \
		--interval 0 --out "$out" "$src" "$dst" >/dev/null 2>"$ccb_tmp/err-$sig" &
	pid=$!
	for _ in $(seq 1 300); do
		n=$("$PY" -c 'import json,sys
try: print(sum(not r.get("role") for r in json.load(open(sys.argv[1]))["runs"]))
except Exception: print(0)' "$out/results.json")
		[ "$n" -ge 2 ] && break
		sleep 0.1
	done
	kill -"$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	want=$([ $sig = INT ] && echo 130 || echo 143)
	if [ "$rc" = 0 ]; then
		note "the sweep finished before SIG$sig arrived; nothing to resume"
		continue
	fi
	[ "$rc" = "$want" ] || { cat "$ccb_tmp/err-$sig" >&2; fail "SIG$sig: exit $rc, expected $want"; }
	grep -q "interrupted by SIG$sig" "$ccb_tmp/err-$sig" || fail "no 'interrupted' message"
	expect_json "$out/results.json" "len(counted) >= 2" \
		"sum(1 for r in counted if not r['aborted'] and not r['errors']) >= 2" \
		"'recommendation' not in d"
	[ -z "$(ls -A "$dst")" ] || fail "SIG$sig left in DST: $(ls -A "$dst")"
	expect_ok "$CCB" sweep --resume --no-report --interval 0 --out "$out" "$src" "$dst"
	# the restart warms up again: one warm-up run a session
	expect_json "$out/results.json" \
		"sorted(r['plan_index'] for r in counted if not r['aborted'] and not r['errors']) == list(range(8))" \
		"len(d['cells']) == 2 and all(c['runs'] == 4 for c in d['cells'])" \
		"sum(r.get('role') == 'warmup' for r in runs) == 2" \
		"'recommendation' in d"
done

note "--resume refuses a folder of another set"
expect_ok "$CCB" gen --stacks 3 --box 64 --particles 5-10 --seed 9 "$ccb_tmp/other"
expect_fail 1 "cannot resume from '$ccb_tmp/s1/results.json': it measured" \
	"$CCB" sweep --resume --out "$ccb_tmp/s1" "$ccb_tmp/other" "$dst"
note "--resume refuses a run's folder, and claims no failed run: none was measured"
expect_ok "$CCB" run --repeats 1 --interval 0 --quiet --out "$ccb_tmp/a-run" "$src" "$dst"
expect_fail 1 "'$ccb_tmp/a-run/results.json'.* holds no sweep" \
	"$CCB" sweep --resume --out "$ccb_tmp/a-run" "$src" "$dst"
! grep -q "run failed" "$ccb_tmp/err" || fail "a refused resume said 'run failed': $(cat "$ccb_tmp/err")"

# What --budget chooses depends on the measured rate; what holds whatever it chooses: a sample is
# never smaller than what the fastest probe copies in --min-run (3 s), and fewer runs than asked
# are said.
note "--budget samples the set and says so"
expect_ok "$CCB" gen --stacks 30 --box 128 --particles 20-60 --seed 12 "$ccb_tmp/big"
out=$ccb_tmp/budget
expect_ok "$CCB" sweep --strategies rw --threads 1,2 --repeats 2 --budget 4s --no-report \
	--interval 0 --out "$out" "$ccb_tmp/big" "$dst"
expect_json "$out/results.json" "len(d['sweep']['budget']['probes']) == 2" \
	"all(p['mb_s'] > 0 and p['strategy'] == 'rw' for p in d['sweep']['budget']['probes'])" \
	"sorted(p['threads'] for p in d['sweep']['budget']['probes']) == [1, 2]" \
	"d['sweep']['sample'] is None or (d['sweep']['sample']['files'] < d['sweep']['sample']['of_files'] and all(r['files'] == d['sweep']['sample']['files'] for r in runs))" \
	"d['sweep']['sample'] is None or d['sweep']['sample']['target_bytes'] >= 0.999 * min(3 * max(p['mb_s'] for p in d['sweep']['budget']['probes']) * 1e6, d['sweep']['sample']['of_bytes'])" \
	"1 <= d['sweep']['repeats'] <= 2 and len(counted) == 2 * d['sweep']['repeats']" \
	"d['sweep']['repeats'] == 2 or any(w.startswith('budget: --budget 4s cannot fit 2 runs a cell') for w in d['warnings'])" \
	"d['sweep']['sample'] is None or any(w.startswith('sampled to fit --budget 4s') for w in d['warnings'])"

# 100 runs a cell in one second cannot be done: the cells get fewer runs, and it is said.
note "--budget forces fewer runs, not shorter ones"
out=$ccb_tmp/budget2
expect_ok "$CCB" sweep --strategies rw --threads 1,2 --repeats 100 --budget 1s --no-report \
	--interval 0 --out "$out" "$ccb_tmp/big" "$dst"
expect_json "$out/results.json" "d['sweep']['repeats'] < 100 and d['sweep']['budget']['repeats_asked'] == 100" \
	"len(counted) == 2 * d['sweep']['repeats']" \
	"sum(w.startswith('budget: --budget 1s cannot fit 100 runs a cell') for w in d['warnings']) == 1"
grep -q "warning: --budget 1s cannot fit 100 runs a cell whose fastest lasts --min-run 3 s" \
	"$ccb_tmp/err" || fail "the budget's fewer runs were not said"

if command -v fio >/dev/null; then
	note "--reference: fio's ceiling first, cells as a share of it; the profile's [fio] applies"
	out=$ccb_tmp/ref
	sum_before=$(cd "$src" && find . -type f -exec md5sum {} + | sort)
	printf '[sweep]\nrepeats = 1\n[fio]\nruntime = 1\nbs = 256K\n' >"$ccb_tmp/ref.ini"
	"$CCB" sweep --strategies rw --threads 2 --reference --no-plots --interval 0 \
		--profile "$ccb_tmp/ref.ini" --out "$out" "$src" "$dst" >"$ccb_tmp/stdout" \
		2>"$ccb_tmp/stderr" || { cat "$ccb_tmp/stderr" >&2; fail "sweep --reference failed"; }
	expect_json "$out/results.json" "d['reference']['ceiling_mb_s'] > 0" \
		"d['reference']['results'] == '$out/reference/results.json'" "len(counted) == 1" \
		"d['reference']['runtime_s'] == 1" "d['reference']['bs'] == 262144"
	grep -q "^## fio's reference" "$out/report.md" || fail "report.md does not show fio's figures"
	grep -q '^| copy-direct | copy: read SRC and write DST at once | 1 | O_DIRECT | ' "$out/report.md" ||
		fail "report.md does not show fio's O_DIRECT copy"
	grep -q "of_ceiling" "$ccb_tmp/stdout" || fail "the table shows no share of the ceiling"
	grep -q "of ceiling" "$out/report.md" || fail "report.md shows no share of the ceiling"
	[ "$(cd "$src" && find . -type f -exec md5sum {} + | sort)" = "$sum_before" ] ||
		fail "fio changed the source"
	[ -z "$(ls -A "$dst")" ] || fail "the reference left in DST: $(ls -A "$dst")"
else
	note "fio is not installed: --reference not tested"
fi

note "--jobs 2: two copiers at once"
out=$ccb_tmp/jobs
expect_ok "$CCB" sweep --strategies rw --threads 2 --repeats 1 --jobs 2 --verify --no-report \
	--interval 0 --out "$out" "$src" "$dst"
expect_json "$out/results.json" "counted[0]['jobs'] == 2 and counted[0]['files'] == 2 * $nfiles" \
	"counted[0]['verify']['checked'] == 2 * $nfiles and counted[0]['verify']['mismatches'] == 0" \
	"d['recommendation']['jobs'] == 2"
