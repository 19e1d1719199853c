#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cli/confirm.sh - sweep's paired confirmation end to end: whatever the grid recommends, the
# confirmation in results.json agrees with the runs it recorded (roles, pairs, order drawn from the
# seed, ratios, interval, verdict and fallback), its runs stay out of the cells, every report shows
# it, a candidate not reproduced hands over to the next, pairs added while the gain is promising
# but not proven stay within --confirm-max, and a sweep stopped during it is resumed to its number
# of pairs.
. "${CCB_SRCDIR:-.}/tests/helpers/lib.sh" || exit 99
need_root "sweep's cold runs (dropping the page cache)"
ccb_lock_machine
need_python
ccb_kill_bench_on_exit

ccb_make_set --stacks 8 --box 96 --particles 20-40 --seed 4

# check_confirmation RESULTS PAIRS: the invariants of a finished sweep's confirmation.
check_confirmation() {
	"$PY" - "$1" "$2" <<'PYEOF' || fail "$1: the confirmation disagrees with its runs"
import json, statistics, sys
d = json.load(open(sys.argv[1]))
want = int(sys.argv[2])
rec = d["recommendation"]
conf = rec["confirmation"]
runs = d["runs"]
grid = [r for r in runs if "role" not in r]
role = [r for r in runs if r.get("role") == "confirm"]  # warm-ups are not the confirmation's
M = 2**64 - 1

def default_first(seed, k):
    # confirm_default_first(): splitmix64's finalizer over seed + k * golden
    z = (seed + k * 0x9E3779B97F4A7C15) & M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    z ^= z >> 31
    return (z >> 17) & 1 == 1

def close(a, b):
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b))

assert conf["seed"] == d["sweep"]["seed"], conf
assert conf["pairs_planned"] == want == d["sweep"]["confirm_pairs"], conf
assert conf["pairs_max"] == max(want, d["sweep"]["confirm_pairs_max"]), conf
# the grid: every plan entry once, and the cells hold the grid's runs only
assert sorted(r["plan_index"] for r in grid) == list(range(len(d["sweep"]["plan"]))), grid
assert sum(c["runs"] + c["failed_runs"] for c in d["cells"]) == len(grid), d["cells"]
assert all("plan_index" not in r for r in role), role
if conf["verdict"] == "skipped":
    assert conf["why"] and not role and "grid" not in conf, conf
    assert rec["threads"] is None or rec["threads"] == rec["default_threads"] or \
        rec["confidence"] == "none", rec
    print("skipped:", conf["why"])
    sys.exit(0)
T, D = conf["threads"], conf["default_threads"]
tried = conf["tried"]
first_cand = tried[0]["threads"] if tried else T
S = rec["strategy"]
assert D == 2 and T != D and conf["strategy"] == S, conf
assert S == ("cpython" if any(r["strategy"] == "cpython" for r in grid) else "shutil"), S
assert all(r["role"] == "confirm" and r["strategy"] == S for r in role), role
# each run tests one candidate: its "candidate" (a run without one is the first's)
cands = [t["threads"] for t in tried] + [T]
assert cands == sorted(set(cands)), cands
assert all(r.get("candidate", first_cand) in cands for r in role), role

def check_one(c, want_complete):
    C = c["threads"]
    mine = [r for r in role if r.get("candidate", first_cand) == C]
    assert all(r["threads"] in (C, D) for r in mine), mine
    pairs = {}
    for r in mine:
        pairs.setdefault(r["pair"], []).append(r)
    assert [p["pair"] for p in c["pairs"]] == sorted(pairs), (c["pairs"], sorted(pairs))
    ratios = []
    for p in c["pairs"]:
        rs = pairs[p["pair"]]
        assert sorted(r["position"] for r in rs) == list(range(1, len(rs) + 1)), rs
        first = [r for r in rs if r["position"] == 1][0]
        assert p["first"] == ("default" if first["threads"] == D else "recommended"), (p, rs)
        assert (first["threads"] == D) == default_first(c["seed"], p["pair"]), (p, rs)
        ok = [r for r in rs if not r["aborted"] and not r["errors"] and r["mb_s"] is not None]
        if p["complete"]:
            d_run = [r for r in ok if r["threads"] == D][0]
            r_run = [r for r in ok if r["threads"] == C][0]
            assert (p["default_seq"], p["recommended_seq"]) == (d_run["seq"], r_run["seq"]), p
            assert close(p["ratio"], r_run["mb_s"] / d_run["mb_s"]), p
            ratios.append(p["ratio"])
        else:
            assert len(ok) < 2 and p["ratio"] is None, (p, rs)
    n = c["complete_pairs"]
    assert n == len(ratios) and want_complete <= n <= c["pairs_max"], c
    assert c["incomplete_pairs"] == len(c["pairs"]) - n, c
    # pairs were added only while the median was a gain worth a change, and are said
    assert c["extended"] == (n > want_complete), c
    for k in range(want_complete, n):
        assert statistics.median(ratios[:k]) > 1 + c["tolerance"], (k, ratios)
    assert ("%d pairs were not enough; %d pairs ran" % (want_complete, n) in c["why"]) == \
        c["extended"], c
    assert all(close(a, b) for a, b in zip(c["ratios"], ratios)), c
    assert c["wins"] == sum(r > 1 for r in ratios), c
    assert close(c["median_ratio"], statistics.median(ratios)), c
    if n <= 5:  # [min, max] at 1 - 2 / 2^n, below 95 %
        assert close(c["ci_low"], min(ratios)) and close(c["ci_high"], max(ratios)), c
        assert close(c["ci_coverage"], 1 - 2 * 0.5 ** n), c
    confirmed = c["median_ratio"] > 1 + c["tolerance"] and c["ci_low"] > 1
    assert c["verdict"] == ("confirmed" if confirmed else "not_reproduced"), c
    return ratios

for t in tried:
    check_one(t, want)
    assert t["verdict"] == "not_reproduced", t
ratios = check_one(conf, want)
if conf["verdict"] == "confirmed":
    assert rec["threads"] == T and ("grid" in conf) == bool(tried), rec
    if tried:
        assert conf["grid"]["threads"] == first_cand and rec["confidence"] == "low", rec
        assert "after the fewer-thread candidate" in rec["reason"], rec
else:
    assert rec["threads"] == D and conf["grid"]["threads"] == first_cand, rec
    assert rec["confidence"] in ("low", "none"), rec
    if tried:
        assert rec["reason"].startswith("the paired confirmation did not reproduce the gain "
                                        "over the default of any candidate tried: "), rec
    else:
        assert rec["reason"].startswith("the paired confirmation did not reproduce the gain "
                                        "of %d threads" % T), rec
print(conf["verdict"], ratios)
PYEOF
}

note "a sweep with --confirm 2: whatever it recommends, the confirmation agrees with its runs"
out=$ccb_tmp/s1
rc=0
"$CCB" sweep --strategies shutil --threads 1,2,8 --repeats 3 --confirm 2 --warmup 0 --min-run 0 --seed 5 --no-plots \
	--interval 0 --out "$out" "$src" "$dst" >"$ccb_tmp/stdout" 2>"$ccb_tmp/stderr" || rc=$?
[ "$rc" = 0 ] || { cat "$ccb_tmp/stderr" >&2; fail "sweep exited $rc"; }
check_confirmation "$out/results.json" 2
verdict=$(json "$out/results.json" "d['recommendation']['confirmation']['verdict']")
grep -q "^paired confirmation" "$ccb_tmp/stdout" || fail "the table shows no confirmation"
grep -q "^#   measured with the shutil emulation$" "$ccb_tmp/stdout" ||
	fail "the lines the sweep ends with do not say what measured the copier"
if command -v python3 >/dev/null; then
	[ "$(grep -c "^note: measured with the shutil emulation; '--strategies cpython,shutil'" \
		"$ccb_tmp/stdout")" = 1 ] || fail "the sweep did not say once how to measure the real copier"
fi
if [ "$verdict" != skipped ]; then
	grep -q "^#   paired confirmation: .*: $(echo "$verdict" | tr _ ' ')" "$ccb_tmp/stdout" ||
		fail "the lines the sweep ends with show no confirmation"
fi
[ -z "$(ls -A "$dst")" ] || fail "the sweep left in DST: $(ls -A "$dst")"

note "report re-renders the confirmation from results.json alone"
rm -f "$out/report.md" "$out/report.html" "$out/results.csv"
expect_ok "$CCB" report --no-plots "$out"
grep -q "^### Paired confirmation" "$out/report.md" || fail "report.md shows no confirmation"
grep -q 'id="confirmation"' "$out/report.html" || fail "report.html shows no confirmation"
"$PY" - "$out" <<'PYEOF' || fail "the reports disagree with the confirmation"
import csv, html, json, sys
out = sys.argv[1]
d = json.load(open(out + "/results.json"))
conf = d["recommendation"]["confirmation"]
md = open(out + "/report.md").read()
page = html.unescape(open(out + "/report.html").read())
if conf["verdict"] == "skipped":
    assert conf["why"].replace("'", "") in md.replace("'", "").replace("\\", ""), conf["why"]
else:
    word = "confirmed" if conf["verdict"] == "confirmed" else "not reproduced"
    line = "%d threads were %.2fx the default (2) in the median of %d pairs" % (
        conf["threads"], conf["median_ratio"], conf["complete_pairs"])
    for text in (md, page):
        assert line in text and word in text, line
    assert "| %d | " % conf["pairs"][0]["pair"] in md
rows = list(csv.DictReader(open(out + "/results.csv", encoding="utf-8", newline="")))
assert [r["role"] for r in rows] == [r.get("role", "") for r in d["runs"]], rows
PYEOF

# The grid of this folder rewritten so that 8 threads is clearly fastest, 1 and 2 threads far
# behind, and no confirmation run: a resumed sweep has nothing left of its grid and must confirm
# 8 threads with real pairs.
# Only this test edits the measured numbers; the pairs it then checks are measured.
favour_eight() {
	"$PY" - "$1" "$2" <<'PYEOF' || fail "cannot rewrite $1"
import json, sys
path, pairs = sys.argv[1], int(sys.argv[2])
d = json.load(open(path))
d["runs"] = [r for r in d["runs"] if "role" not in r]
for i, r in enumerate(d["runs"]):
    r["aborted"], r["errors"] = False, []
    r["mb_s"] = (2000.0 if r["threads"] == 8 else 500.0) + i
d["sweep"]["confirm_pairs"] = d["sweep"]["confirm_pairs_max"] = pairs
for k in ("recommendation", "cells", "finished"):
    d.pop(k, None)
json.dump(d, open(path, "w"))
PYEOF
}

note "a recommendation other than the default is confirmed with real pairs on --resume"
favour_eight "$out/results.json" 2
expect_ok "$CCB" sweep --resume --no-report --interval 0 --out "$out" "$src" "$dst"
expect_json "$out/results.json" "d['recommendation']['confirmation']['threads'] == 8" \
	"d['recommendation']['confirmation']['verdict'] != 'skipped'" \
	"len([r for r in runs if r.get('role') == 'confirm']) == 4"
# This session ran only the pairs: its wall time holds every pair's, and the share of it outside
# the clocks is a share.
expect_json "$out/results.json" \
	"d['sweep']['overhead']['wall_s'] >= sum(r['wall_s'] for r in runs if r.get('role') == 'confirm')" \
	"0 <= d['sweep']['overhead']['outside_copy_share'] < 1"
check_confirmation "$out/results.json" 2

note "a pair stopped half-way is run again under the next number"
"$PY" - "$out/results.json" <<'PYEOF' || fail "cannot rewrite results.json"
import json, sys
d = json.load(open(sys.argv[1]))
last = d["runs"][-1]          # pair 2's second run, as Ctrl-C leaves it
last["aborted"], last["mb_s"] = True, None
for k in ("recommendation", "finished"):
    d.pop(k, None)
json.dump(d, open(sys.argv[1], "w"))
PYEOF
expect_ok "$CCB" sweep --resume --no-report --interval 0 --out "$out" "$src" "$dst"
expect_json "$out/results.json" "len([r for r in runs if r.get('role') == 'confirm']) == 6" \
	"[p['pair'] for p in d['recommendation']['confirmation']['pairs']] == [1, 2, 3]" \
	"[p['complete'] for p in d['recommendation']['confirmation']['pairs']] == [True, False, True]" \
	"sum(r['aborted'] for r in runs) == 1"
check_confirmation "$out/results.json" 2

note "--resume of a finished confirmation runs nothing more"
n=$(json "$out/results.json" "len(d['runs'])")
expect_ok "$CCB" sweep --resume --no-report --interval 0 --out "$out" "$src" "$dst"
expect_json "$out/results.json" "len(runs) == $n"
check_confirmation "$out/results.json" 2

# The grid rewritten so that 1 and 8 threads are both within the tolerance of the best and far
# above the default: the grid chooses 1 (the fewest), 8 is the next candidate. Confirmation runs
# of 1 thread are written in as a stopped sweep would have left them, each pair a tie (ratio
# 1.00): the gain of 1 thread is not reproduced, and a resumed sweep must go on to confirm 8
# threads with real pairs of its own. Only this test edits the measured numbers.
two_candidates() {
	"$PY" - "$1" "$2" <<'PYEOF' || fail "cannot rewrite $1"
import json, sys
M = 2**64 - 1

def default_first(seed, k):
    z = (seed + k * 0x9E3779B97F4A7C15) & M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    z ^= z >> 31
    return (z >> 17) & 1 == 1

path, pairs = sys.argv[1], int(sys.argv[2])
d = json.load(open(path))
d["runs"] = [r for r in d["runs"] if "role" not in r]
for i, r in enumerate(d["runs"]):
    r["aborted"], r["errors"] = False, []
    r["mb_s"] = {1: 1960.0, 8: 2000.0}.get(r["threads"], 500.0) + i
seq = max(r["seq"] for r in d["runs"])
like = d["runs"][0]
for k in range(1, pairs + 1):
    order = (2, 1) if default_first(d["sweep"]["seed"], k) else (1, 2)
    for pos, t in enumerate(order, 1):
        seq += 1
        r = {key: v for key, v in like.items() if key not in ("plan_index", "samples")}
        r.update(seq=seq, threads=t, role="confirm", candidate=1, pair=k, repeat=k,
                 position=pos, mb_s=1000.0, aborted=False, errors=[])
        d["runs"].append(r)
d["sweep"]["confirm_pairs"] = d["sweep"]["confirm_pairs_max"] = pairs
for k in ("recommendation", "cells", "finished"):
    d.pop(k, None)
json.dump(d, open(path, "w"))
PYEOF
}

note "a candidate not reproduced: the next one (more threads) gets its own pairs on --resume"
two_candidates "$out/results.json" 2
"$CCB" sweep --resume --no-report --interval 0 --out "$out" "$src" "$dst" \
	>"$ccb_tmp/stdout2" 2>"$ccb_tmp/stderr2" || { cat "$ccb_tmp/stderr2" >&2; fail "resume failed"; }
expect_json "$out/results.json" "d['recommendation']['confirmation']['threads'] == 8" \
	"[t['threads'] for t in d['recommendation']['confirmation']['tried']] == [1]" \
	"d['recommendation']['confirmation']['tried'][0]['median_ratio'] == 1.0" \
	"d['recommendation']['confirmation']['grid']['threads'] == 1" \
	"len([r for r in runs if r.get('candidate') == 8]) == 4" \
	"'1 thread (median ratio 1.00)' in d['recommendation']['reason']"
check_confirmation "$out/results.json" 2
grep -q "1 thread was not confirmed (median ratio 1.00)" "$ccb_tmp/stderr2" ||
	fail "the sweep did not say the first candidate was not confirmed"
grep -q "^#   paired confirmation, tried first: 1 thread was 1.00x the default (2) in the median of 2 pairs" \
	"$ccb_tmp/stdout2" || fail "the lines the sweep ends with show no tried candidate"
grep -q "^#   paired confirmation: 8 threads were" "$ccb_tmp/stdout2" ||
	fail "the lines the sweep ends with show no confirmation of 8 threads"
expect_ok "$CCB" report --no-plots "$out"
grep -q "^- Tried first: 1 thread was 1.00x" "$out/report.md" || fail "report.md shows no tried candidate"
grep -q "<p>Tried first: 1 thread was 1.00x" "$out/report.html" ||
	fail "report.html shows no tried candidate"

note "--resume after the next candidate's pairs runs nothing more"
n=$(json "$out/results.json" "len(d['runs'])")
expect_ok "$CCB" sweep --resume --no-report --interval 0 --out "$out" "$src" "$dst"
expect_json "$out/results.json" "len(runs) == $n" \
	"[t['threads'] for t in d['recommendation']['confirmation']['tried']] == [1]"
check_confirmation "$out/results.json" 2

quick && exit 0

note "SIGINT during the confirmation keeps its pairs; --resume finishes them"
favour_eight "$out/results.json" 6
"$CCB" sweep --resume --no-report --interval 0 --out "$out" "$src" "$dst" >/dev/null \
	2>"$ccb_tmp/err-int" &
pid=$!
for _ in $(seq 1 300); do
	n=$("$PY" -c 'import json,sys
try: print(sum(1 for r in json.load(open(sys.argv[1]))["runs"] if r.get("role")))
except Exception: print(0)' "$out/results.json")
	[ "$n" -ge 3 ] && break
	sleep 0.05
done
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
pid=
if [ "$rc" = 0 ]; then
	note "the confirmation finished before SIGINT arrived"
else
	[ "$rc" = 130 ] || { cat "$ccb_tmp/err-int" >&2; fail "SIGINT: exit $rc, expected 130"; }
	grep -q "interrupted by SIGINT" "$ccb_tmp/err-int" || fail "no 'interrupted' message"
	expect_json "$out/results.json" "'recommendation' not in d" \
		"len([r for r in runs if r.get('role') == 'confirm']) >= 3" \
		"all('plan_index' in r for r in runs if 'role' not in r)"
	[ -z "$(ls -A "$dst")" ] || fail "SIGINT left in DST: $(ls -A "$dst")"
	expect_ok "$CCB" sweep --resume --no-report --interval 0 --out "$out" "$src" "$dst"
fi
check_confirmation "$out/results.json" 6

note "--confirm 1 is refused, --confirm-max below --confirm too, --confirm 0 says why nothing was confirmed"
expect_fail 2 "invalid value '1' for --confirm" "$CCB" sweep --confirm 1 "$src" "$dst"
expect_fail 2 "--confirm-max 3 is below --confirm 4" "$CCB" sweep --confirm 4 --confirm-max 3 "$src" "$dst"
expect_ok "$CCB" sweep --strategies shutil --threads 1 --repeats 1 --confirm 0 --warmup 0 --min-run 0 --no-report \
	--interval 0 --out "$ccb_tmp/s0" "$src" "$dst"
expect_json "$ccb_tmp/s0/results.json" \
	"d['recommendation']['confirmation']['verdict'] == 'skipped'" \
	"'--confirm 0' in d['recommendation']['confirmation']['why']" \
	"all(r.get('role') in (None, 'warmup') for r in runs)"
