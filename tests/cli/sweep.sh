#!/bin/sh
# tests/cli/sweep.sh - the sweep end to end on a small generated set: the plan, results.json, the
# reports and the recommendation line agree; Ctrl-C and SIGTERM keep finished runs; --resume
# finishes the plan; bad grids are refused.
. "${CCB_SRCDIR:-.}/tests/helpers/lib.sh" || exit 99
ccb_lock_machine
need_python

ccb_make_set --stacks 8 --box 96 --particles 20-40 --seed 4
nfiles=$(find "$src" -name '*.mrcs' | wc -l)

note "a 2 x 3 x 2 sweep"
out=$ccb_tmp/s1
rc=0
"$CCB" sweep --strategies shutil,rw --threads 1,2,4 --repeats 2 --seed 11 --no-plots \
	--confirm 0 --out "$out" "$src" "$dst" >"$ccb_tmp/stdout" 2>"$ccb_tmp/stderr" || rc=$?
[ "$rc" = 0 ] || { cat "$ccb_tmp/stderr" >&2; fail "sweep exited $rc"; }
expect_json "$out/results.json" "len(runs) == 12" \
	"sorted((r['strategy'], r['threads'], r['repeat']) for r in runs) == sorted((s, t, k) for s in ('shutil', 'rw') for t in (1, 2, 4) for k in (1, 2))" \
	"all(r['files'] == $nfiles and r['errors'] == [] for r in runs)" \
	"d['sweep']['seed'] == 11 and len(d['sweep']['plan']) == 12" \
	"[(p['strategy'], p['threads'], p['repeat']) for p in d['sweep']['plan']] == [(r['strategy'], r['threads'], r['repeat']) for r in runs]" \
	"[r['plan_index'] for r in runs] == list(range(12))" \
	"[(p['strategy'], p['threads']) for p in d['sweep']['plan']] != sorted((p['strategy'], p['threads']) for p in d['sweep']['plan'])" \
	"len(d['cells']) == 6 and all(c['runs'] == 2 for c in d['cells'])" \
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
[ "$(wc -l <"$out/results.csv")" = 13 ] || fail "results.csv should have a header and 12 rows"
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

# --repeats auto starts with 3 runs a cell and adds runs while the median's interval is short of
# 95 % (it needs 6 runs) or too wide, up to --repeats-max: so here every cell ends with exactly 4.
note "--repeats auto, capped"
out=$ccb_tmp/auto
expect_ok "$CCB" sweep --strategies rw --threads 1,2 --repeats auto --repeats-max 4 \
	--target-spread 50 --seed 3 --no-report --interval 0 --out "$out" "$src" "$dst"
expect_json "$out/results.json" "d['sweep']['repeats'] == 'auto'" \
	"len(d['sweep']['plan']) == 8 and len(runs) == 8" \
	"all(c['runs'] == 4 for c in d['cells'])" \
	"sorted(r['repeat'] for r in runs if r['threads'] == 1) == [1, 2, 3, 4]"

note "thread counts above the file count are dropped"
expect_ok "$CCB" sweep --strategies rw --threads 2,64 --repeats 1 --no-report --interval 0 \
	--out "$ccb_tmp/s3" "$src" "$dst"
expect_json "$ccb_tmp/s3/results.json" "[r['threads'] for r in runs] == [2]"

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
try: print(len(json.load(open(sys.argv[1]))["runs"]))
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
	expect_json "$out/results.json" "len(runs) >= 2" \
		"sum(1 for r in runs if not r['aborted'] and not r['errors']) >= 2" \
		"'recommendation' not in d"
	[ -z "$(ls -A "$dst")" ] || fail "SIG$sig left in DST: $(ls -A "$dst")"
	expect_ok "$CCB" sweep --resume --no-report --interval 0 --out "$out" "$src" "$dst"
	expect_json "$out/results.json" \
		"sorted(r['plan_index'] for r in runs if not r['aborted'] and not r['errors']) == list(range(8))" \
		"len(d['cells']) == 2 and all(c['runs'] == 4 for c in d['cells'])" \
		"'recommendation' in d"
done

note "--resume refuses a folder of another set"
expect_ok "$CCB" gen --stacks 3 --box 64 --particles 5-10 --seed 9 "$ccb_tmp/other"
expect_fail 1 "cannot resume from '$ccb_tmp/s1/results.json': it measured" \
	"$CCB" sweep --resume --out "$ccb_tmp/s1" "$ccb_tmp/other" "$dst"

note "--budget samples the set and says so"
expect_ok "$CCB" gen --stacks 30 --box 128 --particles 20-60 --seed 12 "$ccb_tmp/big"
out=$ccb_tmp/budget
expect_ok "$CCB" sweep --strategies rw --threads 1,2 --repeats 2 --budget 4s --no-report \
	--interval 0 --out "$out" "$ccb_tmp/big" "$dst"
expect_json "$out/results.json" "d['sweep']['probe']['mb_s'] > 0" \
	"d['sweep']['sample'] is None or (d['sweep']['sample']['files'] < d['sweep']['sample']['of_files'] and all(r['files'] == d['sweep']['sample']['files'] for r in runs))" \
	"len(runs) == 4" \
	"d['sweep']['sample'] is None or any(w.startswith('sampled to fit --budget 4s') for w in d['warnings'])"

if command -v fio >/dev/null; then
	note "--reference: fio's ceiling first, cells as a share of it; the profile's [fio] applies"
	out=$ccb_tmp/ref
	sum_before=$(cd "$src" && find . -type f -exec md5sum {} + | sort)
	printf '[sweep]\nrepeats = 1\n[fio]\nruntime = 1\nbs = 256K\n' >"$ccb_tmp/ref.ini"
	"$CCB" sweep --strategies rw --threads 2 --reference --no-plots --interval 0 \
		--profile "$ccb_tmp/ref.ini" --out "$out" "$src" "$dst" >"$ccb_tmp/stdout" \
		2>"$ccb_tmp/stderr" || { cat "$ccb_tmp/stderr" >&2; fail "sweep --reference failed"; }
	expect_json "$out/results.json" "d['reference']['ceiling_mb_s'] > 0" \
		"d['reference']['results'] == '$out/reference/results.json'" "len(runs) == 1" \
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
expect_json "$out/results.json" "runs[0]['jobs'] == 2 and runs[0]['files'] == 2 * $nfiles" \
	"runs[0]['verify']['checked'] == 2 * $nfiles and runs[0]['verify']['mismatches'] == 0" \
	"d['recommendation']['jobs'] == 2"
