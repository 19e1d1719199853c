#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/nonroot.sh - `run` as an ordinary user: the posix_fadvise fallback and what it says, and
# the messages for folders and files that user cannot read or write.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_root "switching to another user"
need_python
command -v setpriv >/dev/null || skip "setpriv(1) is missing"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
as_nobody true 2>/dev/null || skip "setpriv cannot switch to uid 65534 here"

# A tree nobody can use: the private temp folder opened up, a set it owns, a DST and a folder for
# results it can write. The set must be nobody's own: for a file the caller neither owns nor may
# write, the kernel's mincore() reports every page resident (since Linux 5.2), so residency
# could not be measured on it.
chmod 755 "$ccb_tmp"
pub=$ccb_tmp/pub
mkdir -m 777 "$pub" "$pub/dst"
expect_ok "$CCB" gen --stacks 6 --box 64 --particles 10-20 "$pub/src"
chown -R 65534:65534 "$pub/src"
as_nobody "$CCB" --version >/dev/null 2>&1 || skip "uid 65534 cannot execute '$CCB'"

# Without root the cache cannot be dropped: each file is advised away instead, with one warning
# that says so, and residency (measured, not assumed) shows the warm set did become cold.
note "a run as nobody falls back to posix_fadvise"
find "$pub/src" -type f -exec cat {} + >/dev/null
out=$pub/ok
expect_ok as_nobody "$CCB" run --repeats 2 --out "$out" "$pub/src" "$pub/dst"
expect_json "$out/results.json" "len(runs) == 2" \
	"all(r['cold']['method'] == 'fadvise' for r in runs)" \
	"all(isinstance(r['cold']['residency_pct'], (int, float)) for r in runs)" \
	"all(r['cold']['residency_pct'] < 5 and r['cold']['cold'] is True for r in runs)" \
	"all(any('posix_fadvise' in w for w in r['warnings']) for r in runs)" \
	"all(r['errors'] == [] and r['files'] == 6 for r in runs)"
[ "$(grep -c 'warning: .*needs root.*posix_fadvise' "$ccb_tmp/err")" = 1 ] ||
	fail "expected one warning naming root and posix_fadvise on stderr: $(cat "$ccb_tmp/err")"
[ -z "$(ls -A "$pub/dst")" ] || fail "the run left in DST: $(ls -A "$pub/dst")"

note "--require-drop as nobody"
expect_fail 1 "cannot drop the page cache \('/proc/sys/vm/drop_caches'\).*--require-drop" \
	as_nobody "$CCB" run --require-drop --repeats 1 --out "$pub/req" "$pub/src" "$pub/dst"

note "unreadable SRC, unwritable DST"
mkdir -m 000 "$pub/locked"
expect_fail 1 "cannot read source '$pub/locked': Permission denied" \
	as_nobody "$CCB" run --out "$pub/r1" "$pub/locked" "$pub/dst"
mkdir -m 555 "$pub/readonly"
expect_fail 1 "cannot write to destination '$pub/readonly': Permission denied" \
	as_nobody "$CCB" run --out "$pub/r2" "$pub/src" "$pub/readonly"
[ -z "$(ls -A "$pub/dst")" ] || fail "a refused run left in DST: $(ls -A "$pub/dst")"

# One stack nobody cannot read: the run fails on it, names it, and the failed run is kept.
note "an unreadable stack inside SRC"
cp -a "$pub/src" "$pub/src2"
bad=$(find "$pub/src2" -name '*.mrcs' | sort | sed -n 3p)
chmod 000 "$bad"
out=$pub/unreadable
expect_fail 1 "cannot open '$bad': Permission denied" \
	as_nobody "$CCB" run --repeats 2 --out "$out" "$pub/src2" "$pub/dst"
expect_json "$out/results.json" "len(runs) == 1" \
	"any('$bad' in e for e in runs[0]['errors'])" \
	"runs[0]['files'] < d['source']['files'] == 6" "'finished' in d"
grep -q "run failed; the runs measured so far are kept in '$out/results.json'" "$ccb_tmp/err" ||
	fail "no final message pointing at results.json: $(cat "$ccb_tmp/err")"
[ -z "$(ls -A "$pub/dst")" ] || fail "the failed run left in DST: $(ls -A "$pub/dst")"

# A set nobody may read but neither owns nor may write (shared project data): mincore() would
# claim every page resident, so residency is reported unknown (null) with the reason, never 100 %.
note "residency of a set owned by someone else"
cp -r "$pub/src" "$pub/rootset"
chown -R 0:0 "$pub/rootset"
chmod -R a+rX,go-w "$pub/rootset"
out=$pub/shared
expect_ok as_nobody "$CCB" run --repeats 1 --out "$out" "$pub/rootset" "$pub/dst"
expect_json "$out/results.json" "runs[0]['cold']['residency_pct'] is None" \
	"runs[0]['cold']['cold'] is False" \
	"any('owner' in w and 'residency' in w for w in runs[0]['warnings'])" \
	"runs[0]['errors'] == [] and runs[0]['files'] == 6"
grep -q "cannot measure page-cache residency of '$pub/rootset/" "$ccb_tmp/err" ||
	fail "no warning naming the file whose residency is hidden: $(cat "$ccb_tmp/err")"
