#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cli/confirm_cpython.sh - a sweep that measured the real interpreter (--strategies cpython)
# recommends from it and confirms with it: results.json names cpython as the copier, the pairs
# are cpython runs, the lines it ends with and the reports say CPython's own shutil.copyfile
# measured it, and it does not suggest measuring the real copier it already measured.
. "${CCB_SRCDIR:-.}/tests/helpers/lib.sh" || exit 99
need_root "sweep's cold runs (dropping the page cache)"
command -v python3 >/dev/null || skip "no python3 on PATH for the cpython strategy"
ccb_lock_machine
need_python
ccb_kill_bench_on_exit

ccb_make_set --stacks 6 --box 64 --particles 10-20 --seed 7
out=$ccb_tmp/s

note "sweep --strategies cpython: the recommendation is of cpython"
"$CCB" sweep --strategies cpython --threads 2,4 --repeats 2 --confirm 2 --confirm-max 2 --warmup 0 \
	--min-run 0 --seed 3 --no-plots --interval 0 --out "$out" "$src" "$dst" \
	>"$ccb_tmp/stdout" 2>"$ccb_tmp/stderr" || { cat "$ccb_tmp/stderr" >&2; fail "sweep failed"; }
expect_json "$out/results.json" "d['recommendation']['strategy'] == 'cpython'" \
	"all(r['strategy'] == 'cpython' for r in runs)" \
	"d['recommendation']['confirmation']['pairs_max'] in (0, 2)"
grep -q "^#   measured with CPython's own shutil.copyfile$" "$ccb_tmp/stdout" ||
	fail "the lines the sweep ends with do not say CPython measured it"
grep -q "^note: measured with the shutil emulation" "$ccb_tmp/stdout" &&
	fail "the sweep suggested measuring the real copier it measured"

# The grid rewritten so that 4 threads is clearly fastest and no confirmation ran: the resumed
# sweep must confirm 4 threads with real pairs of cpython runs. Only the grid's numbers are
# edited; the pairs are measured.
"$PY" - "$out/results.json" <<'PYEOF' || fail "cannot rewrite results.json"
import json, sys
path = sys.argv[1]
d = json.load(open(path))
d["runs"] = [r for r in d["runs"] if "role" not in r]
for i, r in enumerate(d["runs"]):
    r["aborted"], r["errors"] = False, []
    r["mb_s"] = (2000.0 if r["threads"] == 4 else 500.0) + i
for k in ("recommendation", "cells", "finished"):
    d.pop(k, None)
json.dump(d, open(path, "w"))
PYEOF

note "--resume confirms the cpython recommendation with cpython pairs"
"$CCB" sweep --resume --no-plots --interval 0 --out "$out" "$src" "$dst" \
	>"$ccb_tmp/stdout2" 2>"$ccb_tmp/stderr2" || { cat "$ccb_tmp/stderr2" >&2; fail "resume failed"; }
expect_json "$out/results.json" "d['recommendation']['confirmation']['strategy'] == 'cpython'" \
	"d['recommendation']['confirmation']['threads'] == 4" \
	"d['recommendation']['confirmation']['verdict'] in ('confirmed', 'not_reproduced')" \
	"d['recommendation']['confirmation']['complete_pairs'] == 2" \
	"len([r for r in runs if r.get('role') == 'confirm']) == 4" \
	"all(r['strategy'] == 'cpython' and r['candidate'] == 4 for r in runs if r.get('role') == 'confirm')" \
	"sorted(r['threads'] for r in runs if r.get('role') == 'confirm') == [2, 2, 4, 4]"
grep -q "confirming 4 against 2 threads (cpython)" "$ccb_tmp/stderr2" ||
	fail "the sweep did not say it confirms with cpython"
grep -q "^#   paired confirmation: 4 threads were" "$ccb_tmp/stdout2" ||
	fail "the lines the sweep ends with show no confirmation"
grep -q "^Cold cpython runs (CPython's own shutil.copyfile) after the grid, 4 against 2 threads" \
	"$out/report.md" || fail "report.md does not say the pairs were cpython runs"
grep -q "^| cpython threads | median MB/s |" "$out/report.md" ||
	fail "report.md's recommendation table is not of cpython"
grep -q "Cold cpython runs (CPython&#39;s own shutil.copyfile) after the grid" "$out/report.html" ||
	fail "report.html does not say the pairs were cpython runs"
[ -z "$(ls -A "$dst")" ] || fail "the sweep left in DST: $(ls -A "$dst")"

# --repeats auto: the default's cell of the copier always decides the answer, so it is never
# left "far below" with its minimum of runs: with cpython measured, that is cpython's cell.
note "--repeats auto with cpython: the rule's default cell is cpython's"
expect_ok "$CCB" sweep --strategies cpython,rw --threads 2 --repeats auto --repeats-min 1 \
	--repeats-max 1 --confirm 0 --warmup 0 --min-run 0 --no-report --interval 0 \
	--out "$ccb_tmp/auto" "$src" "$dst"
expect_json "$ccb_tmp/auto/results.json" "d['sweep']['auto']['default_strategy'] == 'cpython'"
echo "ok: a cpython sweep recommends and confirms with cpython"
