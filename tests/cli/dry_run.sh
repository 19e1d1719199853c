#!/bin/bash
# SPDX-License-Identifier: MIT
# dry_run.sh - `--dry-run` on sweep and run: the plan, the number of runs and an estimate of the
# time from the set's size and unrecorded probe runs, without copying the grid: no results folder,
# nothing left in DST, the probes said. The shipped vendor profile plans a sane sweep.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
ccb_lock_if_root

# 7 stacks: the vendor profile's 16 and 64 threads are dropped (more threads than files).
ccb_make_set --stacks 7 --box 64 --particles 20 --seed 4
cd "$ccb_tmp"

strategies=shutil,rw,cfr,uring
nstrat=4
if ! "$CCB" strategies | grep -q '^uring  *available'; then
	strategies=shutil,rw,cfr
	nstrat=3
fi

note "sweep --dry-run with the shipped vendor profile"
expect_ok "$CCB" sweep --profile vendor-validate --strategies "$strategies" --dry-run \
	--out "$ccb_tmp/never" "$src" "$dst"
cp "$ccb_tmp/out" "$ccb_tmp/vendor.txt"
cat "$ccb_tmp/vendor.txt"
grep -q "^dry run: nothing was measured or written; --budget's [12] unrecorded probe runs\? " "$ccb_tmp/vendor.txt" ||
	fail "the dry run does not say it measured nothing and ran probes"
grep -Eq "^plan: +$nstrat strategies \(${strategies//,/, }\) x 2 thread counts \(1, 4\) = $((nstrat * 2)) cells; 5 runs a cell$" \
	"$ccb_tmp/vendor.txt" || fail "the vendor profile's plan is not $nstrat strategies x 1, 4 threads, 5 runs a cell"
grep -Eq "^runs: +1 warm-up run first, not counted; $((nstrat * 2 * 5)) of the grid; then up to 30 of the paired confirmation \(5 pairs, up to 15 pairs while the gain is promising but not proven\)" \
	"$ccb_tmp/vendor.txt" || fail "the dry run does not count the runs"
grep -q "fio's reference (--reference), not estimated" "$ccb_tmp/vendor.txt" ||
	fail "the vendor profile's reference is not mentioned"
grep -Eq "^estimate: about .* a run; $((nstrat * 2 * 5 + 1)) runs, about " "$ccb_tmp/vendor.txt" ||
	fail "no estimate of the sweep's time"
grep -q "^warning:  runs of this .* set would last about .* under the minimum of 3 s" "$ccb_tmp/vendor.txt" ||
	fail "a set too small for --min-run is not warned about"
grep -q "16, 64 threads dropped: the set has only 7 files" "$ccb_tmp/err" ||
	fail "the dropped thread counts are not said once: $(cat "$ccb_tmp/err")"
grep -q "probing the copy rate with shutil at 1 thread .* (--dry-run)\|to fit the budget" "$ccb_tmp/err" ||
	fail "stderr does not say a probe ran"
[ ! -e "$ccb_tmp/never" ] || fail "a dry run made the results folder"
[ ! -e "$ccb_tmp/cryocache-results" ] || fail "a dry run made a results folder"
[ -z "$(ls -A "$dst")" ] || fail "a dry run left in DST: $(ls -A "$dst")"

note "the estimate as JSON: the runs times a run's time; the probes measured it"
expect_ok "$CCB" sweep --strategies rw --threads 1,2 --repeats 3 --warmup 1 --confirm 0 \
	--dry-run --output-format json "$src" "$dst"
expect_json "$ccb_tmp/out" "d['dry_run'] is True and d['command'] == 'sweep'" \
	"d['source']['files'] == 7 and d['source']['bytes'] > 0" \
	"d['plan']['cells'] == 2 and d['plan']['repeats'] == 3 and d['plan']['threads'] == '1, 2'" \
	"d['runs'] == {**d['runs'], 'total': 7, 'before_grid': 1, 'grid': 6, 'expected_extra': 0, 'confirmation_at_most': 0}" \
	"len(d['probes']) == 2 and [p['threads'] for p in d['probes']] in ([1, 2], [2, 1])" \
	"all(p['strategy'] == 'rw' and p['bytes'] > 0 and p['mb_s'] > 0 for p in d['probes'])" \
	"d['estimate']['seconds_per_run'] > 0" \
	"close(d['estimate']['seconds'], 7 * d['estimate']['seconds_per_run'])" \
	"d['budget_probes'] is False"
[ -z "$(ls -A "$dst")" ] || fail "a dry run left in DST: $(ls -A "$dst")"

note "the confirmation's at most: up to --confirm-max pairs, or --confirm when they are equal"
expect_ok "$CCB" sweep --strategies rw --threads 1,2 --repeats 3 --warmup 1 --confirm 3 \
	--dry-run --output-format json "$src" "$dst"
expect_json "$ccb_tmp/out" "d['runs']['confirmation_at_most'] == 30" \
	"'(3 pairs, up to 15 pairs while the gain is promising but not proven)' in d['runs']['text']" \
	"close(d['estimate']['seconds_with_confirmation'], 37 * d['estimate']['seconds_per_run'])"
expect_ok "$CCB" sweep --strategies rw --threads 1,2 --repeats 3 --warmup 1 --confirm 3 \
	--confirm-max 3 --dry-run --output-format json "$src" "$dst"
expect_json "$ccb_tmp/out" "d['runs']['confirmation_at_most'] == 6" \
	"'paired confirmation (3 pairs), only' in d['runs']['text']"
[ ! -e "$ccb_tmp/cryocache-results" ] || fail "a dry run made a results folder"

note "--repeats auto: the runs expected, and at most"
expect_ok "$CCB" sweep --strategies rw --threads 1,2 --dry-run --output-format json "$src" "$dst"
expect_json "$ccb_tmp/out" "d['plan']['repeats'] == 'auto'" \
	"d['runs']['grid'] == 10 and d['runs']['at_most'] == 30 and d['runs']['expected_extra'] > 0" \
	"d['runs']['total'] == 1 + 10 + d['runs']['expected_extra']"

note "run --dry-run: one probe of the cell"
expect_ok "$CCB" run --strategy rw -t 2 --repeats 4 --dry-run "$src" "$dst"
grep -q "^dry run: nothing was measured or written; 1 unrecorded probe run " "$ccb_tmp/out" ||
	fail "run --dry-run does not say it ran one probe: $(cat "$ccb_tmp/out")"
grep -q "^plan: *rw at 2 threads, 4 cold runs$" "$ccb_tmp/out" || fail "run --dry-run's plan: $(cat "$ccb_tmp/out")"
grep -Eq "^probe: *rw at 2 threads copied .* MB/s" "$ccb_tmp/out" || fail "run --dry-run names no probe"
grep -Eq "^estimate: about .* a run; 4 runs, about " "$ccb_tmp/out" || fail "run --dry-run estimates nothing"
[ ! -e "$ccb_tmp/cryocache-results" ] || fail "run --dry-run made a results folder"
[ -z "$(ls -A "$dst")" ] || fail "run --dry-run left in DST: $(ls -A "$dst")"

note "a dry run is refused like the real one: bad input, exit 2, nothing probed"
expect_fail 2 "unknown strategy 'nope'" "$CCB" sweep --strategies nope --dry-run "$src" "$dst"
echo "ok: --dry-run plans, probes once or twice, estimates, and writes nothing"
