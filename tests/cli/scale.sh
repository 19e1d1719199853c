#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/scale.sh - a set of 20,000 tiny stacks: the run copies all of them correctly; every
# MRC header is read with --check-all, a seeded sample of 2000 without it, and results.json
# says how many were checked of how many, and finds the one stack that is not MRC when it reads
# it. The residency before a run is measured on 2000 stacks of a larger set, on all of them with
# --check-all. Each run says where its time outside the clock went (run.overhead_s), adding up to
# its wall time less its clock, and the report shows it. A .star of 80 MB naming the stacks is
# listed in a fraction of its size in memory.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
ccb_lock_if_root

ccb_make_set --stacks 20000 --box 16 --particles 1 --job-dirs 1
one=$(cd "$src" && find . -name '*.mrcs' | sort | sed -n '777{s|^\./||;p}')
# Not MRC, the same size: only a check that reads it can tell.
printf 'NOT-AN-MRC-HEADER' | dd of="$src/$one" conv=notrunc status=none

note "--check-all: every header, and the copy checked byte for byte"
expect_ok nice "$CCB" run --repeats 1 --interval 0 --check-all --verify --quiet \
	--out "$ccb_tmp/all" "$src" "$dst"
expect_json "$ccb_tmp/all/results.json" "len(runs) == 1" \
	"d['source']['files'] == 20000" \
	"d['source']['header_checks'] == {'checked': 20000, 'of': 20000, 'sampled': False}" \
	"d['source']['not_mrc_files'] == 1" \
	"d['source']['not_mrc_examples'] == ['$one']" \
	"runs[0]['files'] == 20000" \
	"runs[0]['cold']['residency_files'] == 20000" \
	"runs[0]['verify']['checked'] == 20000 and runs[0]['verify']['mismatches'] == 0"

note "without it: a seeded sample of 2000, the same one every time"
for out in s1 s2; do
	expect_ok nice "$CCB" run --repeats 1 --interval 0 --sample 10 --quiet \
		--out "$ccb_tmp/$out" "$src" "$dst"
	expect_json "$ccb_tmp/$out/results.json" "len(runs) == 1" \
		"d['source']['header_checks'] == {'checked': 2000, 'of': 20000, 'sampled': True}" \
		"d['source']['not_mrc_files'] in (0, 1)" \
		"runs[0]['files'] == 10"
done
[ "$(json "$ccb_tmp/s1/results.json" "d['source']['not_mrc_files']")" = \
  "$(json "$ccb_tmp/s2/results.json" "d['source']['not_mrc_files']")" ] ||
	fail "two runs checked different samples"

note "each run's time outside its clock, by where it went, adds up to its wall time less its clock"
parts="['delete', 'sync', 'drop', 'settle', 'residency', 'sampler_start', 'results_write', 'other']"
expect_ok nice "$CCB" run --repeats 2 --interval 0 --sample 3000 --quiet --out "$ccb_tmp/ov" "$src" "$dst"
expect_json "$ccb_tmp/ov/results.json" "len(runs) == 2" \
	"all(r['files'] == 3000 and r['cold']['residency_files'] == 2000 for r in runs)" \
	"all(set(r['overhead_s']) == set($parts + ['total']) for r in runs)" \
	"all(all(r['overhead_s'][k] >= 0 for k in $parts) for r in runs)" \
	"all(abs(sum(r['overhead_s'][k] for k in $parts) - r['overhead_s']['total']) < 1e-6 for r in runs)" \
	"all(abs(r['overhead_s']['total'] - (r['wall_s'] - r['seconds_durable'])) < 1e-6 for r in runs)" \
	"all(r['overhead_s']['total'] > 0 and r['wall_s'] > r['seconds_durable'] for r in runs)" \
	"all(r['overhead_s']['results_write'] > 0 for r in runs)" \
	"runs[1]['background_s']['remove'] >= 0" \
	"all(r['cold']['cold'] for r in runs)"
for f in report.md report.html; do
	[ -f "$ccb_tmp/ov/$f" ] || expect_ok "$CCB" report "$ccb_tmp/ov"
	grep -q 'Time outside the clocks' "$ccb_tmp/ov/$f" || fail "$f does not show the time outside the clocks"
	grep -q 'dropping the page cache' "$ccb_tmp/ov/$f" || fail "$f does not break the overhead down"
done

note "a .star of 80 MB naming the stacks is never all in memory: its pages go as it is parsed"
list_only="$(dirname "$CCB")/bench/list-only"
[ -x "$list_only" ] || fail "$list_only is missing: make builds it"
"$CCB_PYTHON3" - "$src" <<'PY' || fail "cannot write the .star"
import os, sys
src = sys.argv[1]
stacks = sorted(os.path.relpath(os.path.join(d, f), src)
                for d, _, fs in os.walk(src) for f in fs if f.endswith('.mrcs'))
with open(os.path.join(src, 'many.star'), 'w') as f:
    f.write('data_optics\n\nloop_\n_rlnOpticsGroup #1\n1\n\ndata_particles\n\nloop_\n'
            '_rlnCoordinateX #1\n_rlnImageName #2\n_rlnMicrographName #3\n_rlnOpticsGroup #4\n')
    row = 0
    while f.tell() < 80 << 20:
        for s in stacks:
            row += 1
            f.write('%d.5 %06d@%s MotionCorr/job002/movies/%s.mrc 1\n' % (row, row % 999999 + 1, s, s[-60:]))
PY
# Against gen's particles.star (the same stacks, a particle each): the big one may cost more,
# but far less than its size (held whole, it would cost all of it; sanitizer builds cost more
# of their own, which the reference has too).
star_kib=$(( $(stat -c %s "$src/many.star") / 1024 ))
out=$("$list_only" "$src/particles.star") || fail "bench/list-only failed on particles.star"
set -- $out
[ "$2" = 20000 ] || fail "particles.star: listed '$2' stacks, expected 20000 ($out)"
ref_kib=${10}
out=$("$list_only" "$src/many.star") || fail "bench/list-only failed on many.star"
set -- $out
[ "$2" = 20000 ] || fail "many.star: listed '$2' stacks, expected 20000 ($out)"
[ "${10}" -lt $((ref_kib + star_kib / 2)) ] ||
	fail "listing many.star ($star_kib KiB) peaked at ${10} KiB, particles.star at $ref_kib: the text was held whole"
