#!/bin/bash
# SPDX-License-Identifier: MIT
# output_format.sh - `--output-format json` (fio's name) on run, sweep and compare: stdout gets
# the results document byte for byte as results.json holds it (compare: its verdicts), and
# nothing else; the messages stay on stderr. A bad value is refused.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
ccb_lock_if_root
ccb_make_set --stacks 4 --box 64 --particles 20 --seed 9

note "run --output-format json: stdout is results.json"
expect_ok "$CCB" run --strategy rw --threads 2 --repeats 2 --interval 0 --output-format json \
	--out "$ccb_tmp/run" "$src" "$dst"
cmp "$ccb_tmp/out" "$ccb_tmp/run/results.json" || fail "run's stdout is not results.json as written"
expect_json "$ccb_tmp/out" "d['schema'] == 'cryocache-bench/1' and len(runs) == 2" \
	"'finished' in d"
grep -q "^cryocache-bench: run 2: rw, 2 threads" "$ccb_tmp/err" || fail "the run lines left stderr"

note "sweep --output-format json: stdout is results.json with the recommendation; no table"
expect_ok "$CCB" sweep --strategies shutil --threads 1,2 --repeats 2 --min-run 0 --confirm 0 \
	--interval 0 --no-plots --output-format json --out "$ccb_tmp/sweep" "$src" "$dst"
cmp "$ccb_tmp/out" "$ccb_tmp/sweep/results.json" || fail "sweep's stdout is not results.json as written"
cp "$ccb_tmp/out" "$ccb_tmp/sweep.json"
expect_json "$ccb_tmp/sweep.json" "'recommendation' in d and 'cells' in d" "len(counted) == 4"
! grep -q "CRYOSPARC_CACHE_NUM_THREADS" "$ccb_tmp/err" || fail "the recommendation line went to stderr"
[ -f "$ccb_tmp/sweep/report.md" ] || fail "the reports were not written"

note "the default stays the table and the closing lines"
expect_ok "$CCB" run --strategy rw --threads 1 --repeats 1 --interval 0 --out "$ccb_tmp/run2" \
	"$src" "$dst"
grep -q "^results: $ccb_tmp/run2/results.json$" "$ccb_tmp/out" || fail "the normal output lost its results line"

note "compare --output-format json: the verdicts, not the Markdown"
expect_ok "$CCB" compare --output-format json "$ccb_tmp/sweep" "$ccb_tmp/sweep"
expect_json "$ccb_tmp/out" "isinstance(d['cells'], list) and d['regression'] is False" \
	"d['baseline_path'] == '$ccb_tmp/sweep'"
expect_ok "$CCB" compare --output-format json --json "$ccb_tmp/v.json" "$ccb_tmp/sweep" "$ccb_tmp/sweep"
cmp "$ccb_tmp/out" "$ccb_tmp/v.json" || fail "compare: stdout and --json FILE differ"
expect_ok "$CCB" compare "$ccb_tmp/sweep" "$ccb_tmp/sweep"
grep -q '^#' "$ccb_tmp/out" || fail "compare's normal output is not Markdown"

note "an unknown format is refused"
expect_fail 2 "invalid value 'xml' for --output-format: expected one of normal json" \
	"$CCB" run --output-format xml "$src" "$dst"
expect_fail 2 "invalid value 'xml' for --output-format" "$CCB" compare --output-format xml a b
echo "ok: --output-format json prints the results document (compare: the verdicts) on stdout"
