#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cli/resume.sh - `sweep --resume` refuses a damaged results.json with one message naming
# what is wrong, and leaves it untouched (a cell missing from the plan, an entry or a plan index
# twice, a plan index out of range, a seed or repeats out of range); a resumed sweep recomputes
# its warnings instead of adding them again.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99
ccb_lock_machine
need_python

ccb_make_set --stacks 6 --box 64 --particles 10-20 --seed 21

note "a complete sweep to damage"
base=$ccb_tmp/base
expect_ok "$CCB" sweep --strategies rw --threads 1,2 --repeats 2 --min-run 0 --seed 7 \
	--no-report --interval 0 --out "$base" "$src" "$dst"
expect_json "$base/results.json" "len(counted) == 4 and runs[0]['role'] == 'warmup'"

# damaged NAME PYTHON: a copy of the sweep in $ccb_tmp/NAME whose results.json PYTHON changed
# (it sees `d` and `counted`, the runs without a role).
damaged() {
	rm -rf "${ccb_tmp:?}/$1"
	cp -r "$base" "$ccb_tmp/$1"
	"$PY" - "$ccb_tmp/$1/results.json" "$2" <<'PYEOF'
import json, sys
path = sys.argv[1]
d = json.load(open(path))
counted = [r for r in d["runs"] if not r.get("role")]
exec(sys.argv[2])
json.dump(d, open(path, "w"), indent=2)
PYEOF
	cp "$ccb_tmp/$1/results.json" "$ccb_tmp/$1.before"
}

# refused NAME MESSAGE-REGEX: --resume of $ccb_tmp/NAME exits 1 with the message, says nothing of
# runs kept (none ran), and leaves results.json byte for byte as it was.
refused() {
	expect_fail 1 "cannot resume from '$ccb_tmp/$1/results.json': $2" \
		"$CCB" sweep --resume --no-report --interval 0 --out "$ccb_tmp/$1" "$src" "$dst"
	[ "$(grep -c 'cannot resume' "$ccb_tmp/err")" = 1 ] || { cat "$ccb_tmp/err" >&2; fail "$1: more than one message"; }
	! grep -q "measured so far" "$ccb_tmp/err" || fail "$1: a refused resume talks of runs measured"
	cmp -s "$ccb_tmp/$1/results.json" "$ccb_tmp/$1.before" || fail "$1: the refused resume changed results.json"
	[ -z "$(ls -A "$dst")" ] || fail "$1: the refused resume left in DST: $(ls -A "$dst")"
}

note "a cell removed from the plan"
damaged nocell "d['sweep']['plan'] = [p for p in d['sweep']['plan'] if p['threads'] != 2]"
refused nocell "rw at 2 threads, a cell of the recorded --strategies x --threads, is missing from sweep.plan"

note "two runs carrying out one plan entry"
damaged twice "counted[1].update({k: counted[0][k] for k in ('plan_index', 'threads', 'repeat')})"
refused twice "runs [0-9]+ and [0-9]+ both carry out sweep.plan\[0\]"

note "an entry twice in the plan"
damaged dupentry "d['sweep']['plan'][1] = dict(d['sweep']['plan'][0])"
refused dupentry "sweep.plan\[1\] repeats sweep.plan\[0\]: rw at [12] threads?, repeat [12], twice"

note "a plan index out of range"
damaged range "counted[2]['plan_index'] = 99"
refused range "run [0-9]+ has plan_index 99, outside sweep.plan \(0 to 3\)"

note "a run that is not its plan entry's"
damaged other "counted[0]['threads'] = 3 - counted[0]['threads']"
refused other "run [0-9]+ is rw at [12] threads?, repeat [12], but its plan_index 0 is rw at"

note "seed 1e308"
damaged seed "d['sweep']['seed'] = 1e308"
refused seed "sweep.seed is 1e\+?308: expected a whole number from 0 to 2147483647"

note "repeats -5"
damaged repeats "d['sweep']['repeats'] = -5"
refused repeats "sweep.repeats is -5: expected a whole number from 1 to 10000, or \"auto\""

note "a fixed --repeats the plan does not have"
damaged count "d['sweep']['repeats'] = 3"
refused count "sweep.plan has 2 runs of rw at [12] threads?, not the 3 of sweep.repeats"

note "no sweep at all"
damaged nosweep "del d['sweep']"
refused nosweep "it holds no sweep"

# The first counted run of a cell made 10 times faster than its later runs: the first-run check
# must warn about that cell, once, however often the sweep is resumed. Each resume redoes one
# removed run (and warms up again).
note "resumed twice: warnings are recomputed, not repeated"
out=$ccb_tmp/warn
expect_ok "$CCB" sweep --strategies rw --threads 1,2 --repeats 4 --min-run 0 --seed 5 \
	--no-report --interval 0 --out "$out" "$src" "$dst"
first=$(json "$out/results.json" "'first-run bias: the first rw run at %d thread' % [r for r in d['runs'] if not r.get('role')][0]['threads']")
for pass in 1 2; do
	"$PY" - "$out/results.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
counted = [r for r in d["runs"] if not r.get("role")]
counted[0]["mb_s"] = 10 * max(r["mb_s"] for r in counted)
d["runs"].remove(counted[-1])
json.dump(d, open(sys.argv[1], "w"), indent=2)
PYEOF
	expect_ok "$CCB" sweep --resume --no-plots --interval 0 --out "$out" "$src" "$dst"
	expect_json "$out/results.json" "len(d['warnings']) == len(set(d['warnings']))" \
		"sum(w.startswith('$first') for w in d['warnings']) == 1" \
		"sum(r.get('role') == 'warmup' for r in runs) == 1 + $pass" \
		"len(counted) == 8 and all(c['runs'] == 4 for c in d['cells'])"
	[ "$(grep -c "$first" "$out/report.md")" = 1 ] ||
		fail "resume $pass: report.md does not show the first-run warning exactly once"
done

# Ctrl-C: the sweep says the exact command that continues it (shell-quoted: the results folder
# has a space and a quote in its name), and that command, without SRC and DST, finishes it with
# the options the sweep recorded (--interval 0, 64-byte reads) and those it did not record
# (--no-report, an output's) repeated.
note "after SIGINT, the --resume command printed continues the sweep without SRC and DST"
ccb_kill_bench_on_exit
slow=$ccb_tmp/slow
mkdir -p "$slow/dst"
expect_ok "$CCB" gen --stacks 24 --box 128 --particles 40 --seed 3 "$slow/src"
out="$ccb_tmp/it's a sweep"
"$CCB" sweep --strategies rw --bs 64 --threads 1,2 --repeats 2 --warmup 0 --min-run 0 --seed 3 \
	--confirm 0 --no-report --interval 0 --out "$out" "$slow/src" "$slow/dst" \
	>"$ccb_tmp/int.out" 2>"$ccb_tmp/int.err" &
pid=$!
for _ in $(seq 600); do
	n=$(grep -c '"seq":' "$out/results.json" 2>/dev/null) || true
	[ "${n:-0}" -ge 1 ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$ccb_tmp/int.err" >&2; fail "the sweep ended early"; }
	sleep 0.1
done
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" = 130 ] || { cat "$ccb_tmp/int.err" >&2; fail "SIGINT: exit status $rc, expected 130"; }
hint=$(sed -n 's/^cryocache-bench: to continue the sweep: //p' "$ccb_tmp/int.err")
want="$CCB sweep --resume --out '$ccb_tmp/it'\\''s a sweep' --no-report"
[ "$hint" = "$want" ] || fail "the resume hint is '$hint', expected '$want'"
left=$(json "$out/results.json" "4 - len([r for r in d['runs'] if not r.get('role') and not r['aborted']])")
[ "$left" -gt 0 ] || fail "the interrupted sweep has no run left to resume"
note "$left of 4 runs left; running: $hint"
rc=0
eval "$hint" >"$ccb_tmp/res.out" 2>"$ccb_tmp/res.err" || rc=$?
[ "$rc" = 0 ] || { cat "$ccb_tmp/res.err" >&2; fail "the printed resume command exited $rc"; }
grep -q "resuming with SRC '$slow/src' and DST '$slow/dst'" "$ccb_tmp/res.err" ||
	fail "the resumed sweep does not say where SRC and DST came from"
expect_json "$out/results.json" "'finished' in d and 'recommendation' in d" \
	"len([r for r in counted if not r['aborted']]) == 4" \
	"all(r['bytes'] == d['source']['bytes'] for r in counted if not r['aborted'])" \
	"d['params']['bs'] == 64 and d['params']['interval'] == 0"
grep -q "^results: $out/results.json" "$ccb_tmp/res.out" || fail "the resumed sweep printed no table"
[ ! -e "$out/report.md" ] || fail "the resumed sweep lost --no-report"
[ -z "$(ls -A "$slow/dst")" ] || fail "the resumed sweep left in DST: $(ls -A "$slow/dst")"

note "SRC and DST given again must be the recorded ones"
mkdir "$slow/other"
cp "$out/results.json" "$ccb_tmp/before.json"
expect_fail 1 "cannot resume from '$out/results.json': it copied into '$slow/dst', not '$slow/other'" \
	"$CCB" sweep --resume --out "$out" "$slow/src" "$slow/other"
expect_fail 1 "cannot resume from '$out/results.json': it measured '$slow/src'" \
	"$CCB" sweep --resume --out "$out" "$src" "$slow/dst"
cmp -s "$out/results.json" "$ccb_tmp/before.json" || fail "a refused resume changed results.json"
expect_fail 2 "missing arguments: expected SRC DST \(or neither, with --resume --out DIR\)" \
	"$CCB" sweep --resume --out "$out" "$slow/src"
expect_fail 1 "cannot resume from '$ccb_tmp/none/results.json': No such file" \
	"$CCB" sweep --resume --out "$ccb_tmp/none"
echo "ok: damaged results refused, warnings recomputed, the resume hint and SRC, DST from results.json"
