#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/warnings.sh - a warning every run of a sweep gives is said once on stderr, listed once
# with its count in the table and report.md, said per run with -v and not at all with -q; a
# sweep-wide warning said on stderr is not listed again when the table goes to that same
# terminal; and the terminal and report.md speak in decimal units only (GB, MB/s: never MiB or
# GiB).
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
ccb_lock_if_root

ccb_make_set --stacks 6 --box 64 --particles 10-20
# drop_caches cannot be written here, so every run evicts with posix_fadvise and says so
drop=$ccb_tmp/nonexistent-dir/drop_caches
sweep() {
	out=$1
	shift
	"$CCB" sweep --strategies shutil,rw --threads 1,2 --repeats 1 --confirm 0 --warmup 0 \
		--min-run 0 --interval 0.05 --no-plots --drop-caches-path "$drop" --out "$out" "$@" \
		"$src" "$dst"
}

note "a sweep of 4 runs: the fallback said once, counted once"
out=$ccb_tmp/plain
expect_ok sweep "$out"
expect_json "$out/results.json" "len(counted) == 4" \
	"all(sum('posix_fadvise(DONTNEED) instead' in w for w in r['warnings']) == 1 for r in counted)"
n=$(grep -c 'posix_fadvise(DONTNEED) instead' "$ccb_tmp/err" || true)
[ "$n" = 1 ] || fail "stderr says the fallback $n times, expected once: $(cat "$ccb_tmp/err")"
n=$(grep -c 'posix_fadvise(DONTNEED) instead' "$ccb_tmp/out" || true)
[ "$n" = 1 ] || fail "the table lists the fallback $n times, expected once: $(cat "$ccb_tmp/out")"
grep -q '^  - 4 runs (1-4): .*posix_fadvise(DONTNEED) instead.*run 1.s figures' "$ccb_tmp/out" ||
	fail "the table does not count the 4 runs: $(cat "$ccb_tmp/out")"
n=$(grep -c 'posix_fadvise(DONTNEED) instead' "$out/report.md" || true)
[ "$n" = 1 ] || fail "report.md lists the fallback $n times, expected once"
grep -q '^- 4 runs (1-4): ' "$out/report.md" || fail "report.md does not count the 4 runs"
# report.html's list once (each run's own text stays in its row's hover)
n=$(sed -n '/<section id="warnings"/,/<\/section>/p' "$out/report.html" |
	grep -c 'posix_fadvise(DONTNEED) instead' || true)
[ "$n" = 1 ] || fail "report.html's warnings list the fallback $n times, expected once"
# the sampler's findings: each kind once, however many runs found it
if grep -q '^what the devices' "$ccb_tmp/out"; then
	sed -n '/^what the devices/,/^$/p' "$ccb_tmp/out" | grep '^  - ' |
		sed 's/^  - [^:]*: //; s/[0-9][0-9.]*/#/g' | sort | uniq -d >"$ccb_tmp/dups"
	[ ! -s "$ccb_tmp/dups" ] || fail "findings repeated in the table: $(cat "$ccb_tmp/dups")"
fi

note "units: decimal only on the terminal and in report.md"
! grep -E 'MiB|GiB|KiB|TiB' "$ccb_tmp/out" "$ccb_tmp/err" "$out/report.md" ||
	fail "a binary unit on the terminal or in report.md"
grep -q 'MB/s' "$out/report.md" || fail "report.md states no rate in MB/s"

note "-v: every run's own warning, with its number"
expect_ok sweep "$ccb_tmp/verbose" -v
for seq in 1 2 3 4; do
	grep -q "^cryocache-bench: warning: run $seq: .*posix_fadvise(DONTNEED) instead" \
		"$ccb_tmp/err" || fail "-v did not say run $seq's warning: $(cat "$ccb_tmp/err")"
	grep -q "^  - run $seq: .*posix_fadvise(DONTNEED) instead" "$ccb_tmp/out" ||
		fail "-v: the table does not list run $seq's warning: $(cat "$ccb_tmp/out")"
done

note "-q: no warnings on stderr, the table still lists them"
expect_ok sweep "$ccb_tmp/quiet" -q
! grep -q 'warning:' "$ccb_tmp/err" || fail "-q printed warnings: $(cat "$ccb_tmp/err")"
grep -q '^  - 4 runs (1-4): .*posix_fadvise' "$ccb_tmp/out" ||
	fail "-q dropped the warning from the table: $(cat "$ccb_tmp/out")"
note "one terminal for stdout and stderr: a sweep-wide warning is said once, not again in the table"
# --min-run 3 on this small set: the sweep warns that its runs are short (a top-level warning)
command -v script >/dev/null || skip "script (util-linux) is not installed: no terminal to test"
printf -v cmd '%q ' "$CCB" sweep --strategies rw --threads 1 --repeats 1 --confirm 0 --warmup 0 \
	--min-run 3 --interval 0 --no-plots --drop-caches-path "$drop" --out "$ccb_tmp/tty" "$src" "$dst"
script -qec "$cmd" /dev/null >"$ccb_tmp/tty.txt" </dev/null || fail "the sweep on a terminal failed"
n=$(grep -c 'numbers from runs this short are mostly noise' "$ccb_tmp/tty.txt" || true)
[ "$n" = 1 ] || fail "the terminal shows the short-runs warning $n times, expected once: $(cat "$ccb_tmp/tty.txt")"
expect_json "$ccb_tmp/tty/results.json" \
	"sum('numbers from runs this short' in w for w in d['warnings']) == 1"
# stdout and stderr apart (a file, a pipe): each gets it once, as before
expect_ok sweep "$ccb_tmp/apart" --min-run 3
for f in out err; do
	n=$(grep -c 'numbers from runs this short are mostly noise' "$ccb_tmp/$f" || true)
	[ "$n" = 1 ] || fail "std$f shows the short-runs warning $n times, expected once"
done
echo "ok: warnings said once, counted, per run with -v, none with -q, once on a terminal"
