#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/results.sh - results.json of a benchmark: every documented field holds the value the set and
# the options imply, the printed table agrees with it, and messages stay off stdout.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
if [ "$(id -u)" = 0 ]; then
	ccb_lock_machine
	method=drop_caches
else
	method=fadvise
fi

ccb_make_set --stacks 8 --box 64 --particles 5-20
nfiles=$(find "$src" -type f -name '*.mrcs' | wc -l)
nbytes=$(find "$src" -type f -name '*.mrcs' -exec stat -c %s {} + |
	awk '{ s += $1 } END { print s }')
[ "$nfiles" = 8 ] || fail "gen --stacks 8 made $nfiles stacks"
version=$("$CCB" --version | awk '{ print $2 }')

note "3 repeats at 3 threads"
out=$ccb_tmp/three
expect_ok "$CCB" run --repeats 3 --threads 3 --out "$out" "$src" "$dst"
cp "$ccb_tmp/out" "$ccb_tmp/three.stdout"
cp "$ccb_tmp/err" "$ccb_tmp/three.stderr"
rfc3339='\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ'
expect_json "$out/results.json" \
	"d['schema'] == 'cryocache-bench/1'" \
	"d['tool']['name'] == 'cryocache-bench' and d['tool']['version'] == '$version'" \
	"'shutil' in d['tool']['features']['strategies']" \
	"all(__import__('re').fullmatch(r'$rfc3339', d[k]) for k in ('started', 'finished'))" \
	"d['host']['cores'] == $(getconf _NPROCESSORS_ONLN) and d['host']['mem_bytes'] > 0" \
	"d['source']['path'] == '$(realpath "$src")'" \
	"d['destination']['path'] == '$(realpath "$dst")'" \
	"d['source']['files'] == $nfiles and d['source']['bytes'] == $nbytes" \
	"d['source']['ignored_files'] == 0 and d['source']['not_mrc_files'] == 0" \
	"d['source']['all_files'] is False and d['source']['not_mrc_examples'] == []" \
	"sum(b['files'] for b in d['source']['size_histogram']) == $nfiles" \
	"sum(b['bytes'] for b in d['source']['size_histogram']) == $nbytes" \
	"d['params']['threads'] == 3 and d['params']['repeats'] == 3" \
	"d['params']['strategy'] == 'shutil' and d['params']['verify'] is False" \
	"'out' not in d['params']" \
	"len(runs) == 3" \
	"[r['seq'] for r in runs] == [1, 2, 3] and [r['repeat'] for r in runs] == [1, 2, 3]" \
	"all(r['strategy'] == 'shutil' and r['threads'] == 3 for r in runs)" \
	"all(r['files'] == d['source']['files'] for r in runs)" \
	"all(r['bytes'] == d['source']['bytes'] for r in runs)" \
	"all(r['seconds_durable'] >= r['seconds_copied'] > 0 for r in runs)" \
	"all(close(r['mb_s'], r['bytes'] / r['seconds_durable'] / 1e6) for r in runs)" \
	"all(close(r['mb_s_copied'], r['bytes'] / r['seconds_copied'] / 1e6) for r in runs)" \
	"all(close(r['files_per_s'], r['files'] / r['seconds_durable']) for r in runs)" \
	"all(0 < r['latency_ms']['p50'] <= r['latency_ms']['p90'] for r in runs)" \
	"all(r['latency_ms']['p90'] <= r['latency_ms']['p99'] for r in runs)" \
	"all(r['latency_ms']['p99'] <= r['latency_ms']['max'] for r in runs)" \
	"all(r['latency_ms']['max'] <= 1000 * r['seconds_copied'] * (1 + 1e-9) for r in runs)" \
	"all(0 <= r['tail_s'] <= r['seconds_copied'] for r in runs)" \
	"all(r['cpu']['user_s'] >= 0 and r['cpu']['sys_s'] >= 0 for r in runs)" \
	"all(r['cold']['method'] in ('drop_caches', 'fadvise') for r in runs)" \
	"all(r['cold']['method'] == '$method' for r in runs)" \
	"all(isinstance(r['cold']['residency_pct'], (int, float)) for r in runs)" \
	"all(r['cold']['threshold_pct'] == 5.0 for r in runs)" \
	"all(r['cold']['cold'] == (r['cold']['residency_pct'] <= 5.0) for r in runs)" \
	"all(r['aborted'] is False and r['errors'] == [] for r in runs)"

# The table: one line per run and the cell's median, which is the median of the runs' mb_s.
table=$ccb_tmp/three.stdout
for r in 1 2 3; do
	grep -Eq "^ +$r +shutil +3 +$r +$nfiles +" "$table" ||
		fail "the table has no line for run $r: $(cat "$table")"
done
median=$(awk '$1 == "shutil" && $2 == 3 && $3 == 3 { print $4 }' "$table")
[ -n "$median" ] || fail "the table has no median line for shutil at 3 threads: $(cat "$table")"
expect_json "$out/results.json" "abs(sorted(r['mb_s'] for r in runs)[1] - $median) <= 0.05"
grep -qx "results: $out/results.json" "$table" ||
	fail "stdout does not end with 'results: $out/results.json'"
! grep -q '^cryocache-bench:' "$table" ||
	fail "messages on stdout: $(grep '^cryocache-bench:' "$table")"
grep -q '^cryocache-bench: run 3: shutil, 3 threads' "$ccb_tmp/three.stderr" ||
	fail "no progress line for run 3 on stderr: $(cat "$ccb_tmp/three.stderr")"

# A stack whose header is not MRC is copied as CryoSPARC would, counted and named; a README is
# neither copied nor counted as data. gen's manifest is skipped without being counted at all.
note "a .mrcs that is not MRC, and a README"
head -c 4096 /dev/urandom >"$src/x.mrcs"
echo "notes on this set" >"$src/README.txt"
out=$ccb_tmp/notmrc
expect_ok "$CCB" run --keep --repeats 1 --out "$out" "$src" "$dst"
grep -Eq "^cryocache-bench: warning: 'x\.mrcs' .*not MRC" "$ccb_tmp/err" ||
	fail "no warning naming x.mrcs on stderr: $(cat "$ccb_tmp/err")"
! grep -q '^cryocache-bench:' "$ccb_tmp/out" ||
	fail "messages on stdout: $(grep '^cryocache-bench:' "$ccb_tmp/out")"
expect_json "$out/results.json" \
	"d['source']['files'] == $nfiles + 1 and d['source']['bytes'] == $nbytes + 4096" \
	"d['source']['not_mrc_files'] == 1 and d['source']['not_mrc_examples'] == ['x.mrcs']" \
	"d['source']['ignored_files'] == 1" \
	"runs[0]['files'] == $nfiles + 1 and runs[0]['errors'] == []"
copy=$(echo "$dst"/.cryocache-bench.*/copy)
[ -d "$copy" ] || fail "no kept copy in $dst"
cmp -s "$src/x.mrcs" "$copy/x.mrcs" || fail "x.mrcs was not copied byte for byte"
[ ! -e "$copy/README.txt" ] || fail "README.txt was copied without --all-files"
expect_ok "$CCB" clean "$dst"

# --all-files takes the README too, and results.json does not depend on stdout being read.
# params use the schema's spelling: '_' where the option has '-'.
note "--all-files, stdout discarded"
out=$ccb_tmp/all
rc=0
"$CCB" run --all-files --keep --repeats 1 --out "$out" "$src" "$dst" \
	>/dev/null 2>"$ccb_tmp/err" || rc=$?
[ "$rc" = 0 ] || { cat "$ccb_tmp/err" >&2; fail "run --all-files exited $rc"; }
expect_json "$out/results.json" "d['source']['all_files'] is True" \
	"d['source']['files'] == $nfiles + 2 and d['source']['ignored_files'] == 0" \
	"d['source']['bytes'] == $nbytes + 4096 + $(stat -c %s "$src/README.txt")" \
	"runs[0]['files'] == $nfiles + 2" \
	"d['params']['all_files'] is True" "'all-files' not in d['params']" \
	"d['params']['drop_caches_path'] == '/proc/sys/vm/drop_caches'"
cmp -s "$src/README.txt" "$dst"/.cryocache-bench.*/copy/README.txt ||
	fail "README.txt was not copied with --all-files"
expect_ok "$CCB" clean "$dst"

# Without --out, results go to ./cryocache-results/<time>-<strategy>-<threads>/.
note "default results folder"
mkdir "$ccb_tmp/cwd"
(cd "$ccb_tmp/cwd" && expect_ok "$CCB" run --repeats 1 --quiet "$src" "$dst")
dirs=$(cd "$ccb_tmp/cwd" && echo cryocache-results/*)
[ -f "$ccb_tmp/cwd/$dirs/results.json" ] ||
	fail "expected one folder with a results.json in ./cryocache-results, found: $dirs"
[[ $dirs =~ ^cryocache-results/[0-9]{8}-[0-9]{6}-shutil-2$ ]] ||
	fail "default results folder '$dirs' is not named <time>-shutil-2"
grep -qx "results: $dirs/results.json" "$ccb_tmp/out" ||
	fail "stdout does not name $dirs/results.json: $(tail -1 "$ccb_tmp/out")"
expect_json "$ccb_tmp/cwd/$dirs/results.json" "d['schema'] == 'cryocache-bench/1'" \
	"len(runs) == 1"
