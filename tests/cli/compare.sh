#!/bin/sh
# SPDX-License-Identifier: MIT
# compare.sh - `compare` on fixture pairs: exit statuses, the Markdown, JUnit XML that xmllint
# accepts (with times), the JSON (rounded), the HTML page, --fail-on-missing, a cell too noisy
# to judge, and refusals (other hardware, other schema, unreadable input).
. "$CCB_SRCDIR/tests/helpers/lib.sh" || exit 99

d=$CCB_SRCDIR/tests/data/compare

# a regression: exit 1, the cell named in the summary and as a JUnit failure
rc=0
"$CCB" compare --junit "$ccb_tmp/junit.xml" --json "$ccb_tmp/cmp.json" "$d/base.json" \
	"$d/regression.json" >"$ccb_tmp/md" 2>"$ccb_tmp/err" || rc=$?
[ "$rc" = 1 ] || { cat "$ccb_tmp/err" >&2; fail "a regression exited $rc, expected 1"; }
grep -q '^## cryocache-bench compare: REGRESSION' "$ccb_tmp/md" || fail "no REGRESSION heading"
grep -q '^| shutil | 8 | 1 | \*\*slower\*\* | 1200 (5) | 961 (5) | -19.9 % | 0.00794 |$' \
	"$ccb_tmp/md" || { cat "$ccb_tmp/md"; fail "the slower cell is not in the summary"; }
if command -v xmllint >/dev/null; then
	xmllint --noout "$ccb_tmp/junit.xml" || fail "the JUnit XML is not well-formed"
	[ "$(xmllint --xpath 'count(//testcase)' "$ccb_tmp/junit.xml")" = 3 ] || fail "not 3 testcases"
	[ "$(xmllint --xpath 'count(//testcase/failure)' "$ccb_tmp/junit.xml")" = 1 ] ||
		fail "not one failure"
	[ "$(xmllint --xpath 'string(//testcase[failure]/@name)' "$ccb_tmp/junit.xml")" = \
		"shutil threads=8 jobs=1" ] || fail "the failure is not shutil at 8 threads"
else
	note "xmllint is missing: the JUnit XML is not validated"
fi
expect_json "$ccb_tmp/cmp.json" \
	"d['schema'] == 'cryocache-bench-compare/1'" "d['regression'] is True" \
	"d['counts'] == {'faster': 0, 'same': 2, 'slower': 1, 'noisy': 0, 'insufficient': 0, 'missing': 0, 'new': 0}" \
	"[c['verdict'] for c in d['cells']] == ['same', 'slower', 'same']" \
	"close(d['cells'][1]['p_value'], 0.007937)" "d['cells'][1]['change_pct'] == -19.92" \
	"d['cells'][1]['current']['seconds'] == 10.419"
# every number rounded to what it means: no 0.050000000000000003
! grep -Eq '[0-9]\.[0-9]{7,}' "$ccb_tmp/cmp.json" || fail "the JSON has unrounded numbers: $(grep -E '[0-9]\.[0-9]{7,}' "$ccb_tmp/cmp.json")"
grep -q '"alpha": 0.05,' "$ccb_tmp/cmp.json" || fail "alpha is not 0.05 in the JSON"
# JUnit: each testcase's time is how long the current results measured it, the suite's their sum
grep -q '<testsuite .* time="39.427">' "$ccb_tmp/junit.xml" || fail "the testsuite has no time"
[ "$(grep -c '<testcase [^>]* time="[0-9]*\.[0-9]*">' "$ccb_tmp/junit.xml")" = 3 ] ||
	fail "not every testcase has a time"

# noise only, an improvement, other kernel: exit 0
expect_ok "$CCB" compare "$d/base.json" "$d/noise.json"
grep -q '0 slower, 0 faster, 3 same' "$ccb_tmp/out" || fail "noise was not 'same'"
expect_ok "$CCB" compare --junit "$ccb_tmp/j2.xml" "$d/base.json" "$d/improvement.json"
grep -q '| uring | 8 | 1 | faster |' "$ccb_tmp/out" || fail "the improvement is not 'faster'"
! grep -q '<failure' "$ccb_tmp/j2.xml" || fail "an improvement is a JUnit failure"
expect_ok "$CCB" compare "$d/base.json" "$d/other-kernel.json"
grep -q '^| host.kernel | `6.1.0-27-amd64` | `6.12.0-1-amd64` |$' "$ccb_tmp/out" ||
	fail "the kernel difference is not listed"

# missing cells and too few repeats: listed, skipped in JUnit, exit 0
expect_ok "$CCB" compare --junit "$ccb_tmp/j3.xml" "$d/base.json" "$d/missing.json"
grep -q '| uring | 8 | 1 | missing |' "$ccb_tmp/out" || fail "missing cell not listed"
grep -q '| rw | 4 | 1 | new |' "$ccb_tmp/out" || fail "new cell not listed"
[ "$(grep -c '<skipped' "$ccb_tmp/j3.xml")" = 2 ] || fail "missing and new are not skipped"
expect_ok "$CCB" compare "$d/base.json" "$d/few.json"
grep -q '0 slower, 0 faster, 0 same, 0 too noisy, 3 insufficient' "$ccb_tmp/out" || fail "few runs not insufficient"

# --fail-on-missing: the missing cell fails, exit 1, a JUnit failure; a new one does not
rc=0
"$CCB" compare --fail-on-missing --junit "$ccb_tmp/j4.xml" "$d/base.json" "$d/missing.json" \
	>"$ccb_tmp/out" 2>"$ccb_tmp/err" || rc=$?
[ "$rc" = 1 ] || fail "--fail-on-missing with a missing cell exited $rc, expected 1"
grep -q '^## cryocache-bench compare: MISSING CELLS' "$ccb_tmp/out" || fail "no MISSING CELLS heading"
grep -q '| uring | 8 | 1 | \*\*missing\*\* |' "$ccb_tmp/out" || fail "the missing cell is not marked"
grep -q "1 cell of the baseline is missing from the current results (--fail-on-missing)" "$ccb_tmp/err" ||
	fail "no message on stderr: $(cat "$ccb_tmp/err")"
grep -q '<failure message="missing: ' "$ccb_tmp/j4.xml" || fail "the missing cell is not a JUnit failure"
grep -q 'failures="1" errors="0" skipped="1"' "$ccb_tmp/j4.xml" || fail "JUnit counts: $(grep testsuite "$ccb_tmp/j4.xml")"
expect_ok "$CCB" compare --fail-on-missing "$d/base.json" "$d/noise.json"

# a cell whose change is far beyond the tolerance but not significant says it is too noisy; cells
# come in strategy and thread order though the runs are shuffled
"$PY" - "$d/base.json" "$ccb_tmp/noisy.json" <<'PYEOF'
import json, random, sys
d = json.load(open(sys.argv[1]))
wide = iter([300.0, 500.0, 612.0, 1300.0, 1400.0])
for r in d["runs"]:
    if r["strategy"] == "shutil" and r["threads"] == 8:
        r["mb_s"] = next(wide)
random.Random(3).shuffle(d["runs"])
json.dump(d, open(sys.argv[2], "w"), indent=1)
PYEOF
expect_ok "$CCB" compare --html "$ccb_tmp/cmp.html" "$d/base.json" "$ccb_tmp/noisy.json"
grep -q '^| shutil | 8 | 1 | too noisy, raise --repeats | 1200 (5) | 612 (5) | -49.0 % | 0.69 |$' \
	"$ccb_tmp/out" || { cat "$ccb_tmp/out"; fail "the noisy cell does not say so"; }
[ "$(grep -E '^\| [a-z]+ \| [0-9]+ \|' "$ccb_tmp/out" | cut -d'|' -f2,3 | tr -d ' ' | tr '\n' ' ')" = \
	"shutil|2 shutil|8 uring|8 " ] || fail "cells are not in strategy and thread order: $(cat "$ccb_tmp/out")"

# --html: one page, well-formed, a chart per strategy with both sides' runs
[ -s "$ccb_tmp/cmp.html" ] || fail "--html wrote nothing"
if command -v xmllint >/dev/null; then
	xmllint --noout "$ccb_tmp/cmp.html" || fail "the compare page is not well-formed"
fi
[ "$(grep -c '<svg ' "$ccb_tmp/cmp.html")" = 2 ] || fail "the compare page has not one chart per strategy"
grep -q '>-49.0 % too noisy</text>' "$ccb_tmp/cmp.html" || fail "the chart does not label the noisy cell"
[ "$(grep -c '<title>baseline: ' "$ccb_tmp/cmp.html")" = 15 ] || fail "the chart does not draw the baseline's 15 runs"
[ "$(grep -c '<title>current: ' "$ccb_tmp/cmp.html")" = 15 ] || fail "the chart does not draw the current's 15 runs"
grep -q '<title>current: 612.0 MB/s</title>' "$ccb_tmp/cmp.html" || fail "a current run is not drawn"
! grep -q 'src=\|href="http' "$ccb_tmp/cmp.html" || fail "the compare page fetches something"

# --json -: the verdicts on stdout instead of the Markdown
expect_ok "$CCB" compare --json - "$d/base.json" "$d/improvement.json"
expect_json "$ccb_tmp/out" "d['counts']['faster'] == 1" "d['forced'] is False"

# refusals: exit 2 with the reason
expect_fail 2 "from other or unknown hardware" \
	"$CCB" compare "$d/base.json" "$d/other-cpu.json"
grep -q 'host.cpu_model' "$ccb_tmp/err" || fail "the CPU difference is not named"
expect_ok "$CCB" compare --force "$d/base.json" "$d/other-cpu.json"
grep -q '### Different hardware' "$ccb_tmp/out" || fail "--force does not say the hardware differs"
expect_fail 2 "different schema versions" "$CCB" compare "$d/base.json" "$d/schema2.json"
expect_fail 2 "cannot read '$ccb_tmp/nothing.json'" "$CCB" compare "$d/base.json" "$ccb_tmp/nothing.json"
printf '{"schema": ' >"$ccb_tmp/broken.json"
expect_fail 2 "cannot parse '$ccb_tmp/broken.json'" "$CCB" compare "$d/base.json" "$ccb_tmp/broken.json"
expect_fail 2 "missing arguments" "$CCB" compare "$d/base.json"
expect_fail 2 "invalid value 'x' for --tolerance" "$CCB" compare --tolerance x "$d/base.json" "$d/noise.json"
# -t is --threads everywhere else: compare refuses it (never taken as the tolerance) and names
# the long option
expect_fail 2 "^cryocache-bench: compare: unknown option '-t': use --tolerance for the tolerance\$" \
	"$CCB" compare -t 10 "$d/base.json" "$d/noise.json"
expect_fail 2 "unknown option '-t': use --tolerance" "$CCB" compare -t10 "$d/base.json" "$d/noise.json"

# a baseline without a host section, or with a null CPU model: unknown hardware, refused alike
need_python
"$PY" - "$d/base.json" "$ccb_tmp" <<'EOF'
import json, sys
base, out = sys.argv[1], sys.argv[2]
def put(name, d):
    json.dump(d, open(out + "/" + name, "w"))
d = json.load(open(base)); del d["host"]; put("no-host.json", d)
d = json.load(open(base)); d["host"]["cpu_model"] = None; put("null-cpu.json", d)
d = json.load(open(base))
for r in d["runs"]:
    r["mb_s"] = 0.0
put("zero.json", d)
d = json.load(open(base))
n = 0
for r in d["runs"]:
    if r["strategy"] == "shutil" and r["threads"] == 8 and n < 2:
        r["cold"]["cold"], r["cold"]["residency_pct"], n = False, 40.0, n + 1
put("warm.json", d)
EOF
for doc in no-host null-cpu; do
	expect_fail 2 "the baseline '$ccb_tmp/$doc.json' is from other or unknown hardware" \
		"$CCB" compare "$ccb_tmp/$doc.json" "$d/base.json"
	grep -q '^  host.cpu_model: unknown (baseline) vs "AMD EPYC' "$ccb_tmp/err" ||
		{ cat "$ccb_tmp/err" >&2; fail "$doc: the unknown CPU is not named"; }
	expect_ok "$CCB" compare --force "$ccb_tmp/$doc.json" "$d/base.json"
	grep -q '### Different hardware' "$ccb_tmp/out" || fail "$doc: --force does not say so"
done
expect_fail 2 "unknown hardware" "$CCB" compare "$d/base.json" "$ccb_tmp/no-host.json"

# zero against zero: no change, and no NaN in the summary, the JSON or the JUnit XML
expect_ok "$CCB" compare --json "$ccb_tmp/zero-cmp.json" --junit "$ccb_tmp/zero.xml" \
	"$ccb_tmp/zero.json" "$ccb_tmp/zero.json"
grep -q '^| shutil | 8 | 1 | same | 0 (5) | 0 (5) | no change (both 0) | 1 |$' "$ccb_tmp/out" ||
	{ cat "$ccb_tmp/out"; fail "zero against zero is not 'no change'"; }
! grep -qi 'nan' "$ccb_tmp/out" "$ccb_tmp/zero-cmp.json" "$ccb_tmp/zero.xml" ||
	fail "zero against zero printed a NaN"

# runs that were not cold are flagged in the summary, the JSON and the JUnit XML
expect_ok "$CCB" compare --json "$ccb_tmp/warm-cmp.json" --junit "$ccb_tmp/warm.xml" \
	"$d/base.json" "$ccb_tmp/warm.json"
grep -q '^| shutil | 8 | 1 | same | 1200 (5) | 1200 (5, 2 not cold) |' "$ccb_tmp/out" ||
	{ cat "$ccb_tmp/out"; fail "the not-cold runs are not flagged in the cell"; }
grep -q '^0 baseline and 2 current runs, in 1 cell, started with the source in the page cache' \
	"$ccb_tmp/out" || { cat "$ccb_tmp/out"; fail "the summary does not say runs were not cold"; }
expect_json "$ccb_tmp/warm-cmp.json" \
	"[c['not_cold'] for c in d['cells']] == [False, True, False]" \
	"d['cells'][1]['current']['not_cold_runs'] == 2" \
	"'not cold: 0 baseline and 2 current runs' in d['cells'][1]['reason']"
grep -q 'not cold: 0 baseline and 2 current runs' "$ccb_tmp/warm.xml" ||
	fail "the JUnit XML does not say runs were not cold"

# a results folder works as well as its results.json
mkdir "$ccb_tmp/folder"
cp "$d/regression.json" "$ccb_tmp/folder/results.json"
rc=0
"$CCB" compare "$d/base.json" "$ccb_tmp/folder" >"$ccb_tmp/out" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$ccb_tmp/out"; fail "a results folder: exit $rc, expected 1"; }
echo "ok"
