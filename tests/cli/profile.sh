#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/profile.sh - `--profile FILE`: the shipped profiles load, a profile's keys reach the run
# and its echo in results.json, the command line overrides them, bad keys and values name the
# file, line and key (exit 2).
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

# Every shipped profile is valid for the commands it has sections for (--help stops after the
# profile is applied).
for p in "$CCB_SRCDIR"/profiles/*.ini; do
	for cmd in run sweep fio; do
		grep -q "^\[$cmd\]" "$p" || continue
		expect_ok "$CCB" "$cmd" --profile "$p" --help
	done
done
grep -q '^\[sweep\]' "$CCB_SRCDIR/profiles/ci-smoke.ini" || fail "ci-smoke.ini has no [sweep]"

need_python
ccb_lock_if_root
expect_ok "$CCB" gen --stacks 4 --box 64 --particles 5-10 --seed 3 "$ccb_tmp/src"
mkdir "$ccb_tmp/dst"

cat >"$ccb_tmp/p.ini" <<'INI'
; a profile for this test
[sweep]
threads = 16
[run]
strategy = rw
threads = 3
repeats = 2
bs = 64K
interval = 0
all_files = true
INI

# the profile's values, one of them overridden on the command line
expect_ok "$CCB" run --quiet --profile "$ccb_tmp/p.ini" --repeats 1 --out "$ccb_tmp/r1" \
	"$ccb_tmp/src" "$ccb_tmp/dst"
expect_json "$ccb_tmp/r1/results.json" \
	"d['params']['profile'] == '$ccb_tmp/p.ini'" \
	"d['params']['strategy'] == 'rw'" "d['params']['threads'] == 3" \
	"d['params']['repeats'] == 1" "d['params']['bs'] == 65536" \
	"d['params']['all_files'] is True" "d['params']['interval'] == 0" \
	"len(runs) == 1" "runs[0]['strategy'] == 'rw'" "runs[0]['threads'] == 3" \
	"'sampler' not in runs[0]"
# --profile=FILE after the options it is overridden by: the command line still wins
expect_ok "$CCB" run --quiet -t 1 --profile="$ccb_tmp/p.ini" --repeats 1 --out "$ccb_tmp/r2" \
	"$ccb_tmp/src" "$ccb_tmp/dst"
expect_json "$ccb_tmp/r2/results.json" "d['params']['threads'] == 1" "runs[0]['threads'] == 1"

# errors: file, line and key; exit 2; nothing runs
printf '[run]\nthreads = 2\nthraeds = 4\n' >"$ccb_tmp/bad.ini"
expect_fail 2 "^cryocache-bench: run: profile '$ccb_tmp/bad.ini' line 3: unknown key 'thraeds' in \[run\]$" \
	"$CCB" run --profile "$ccb_tmp/bad.ini" "$ccb_tmp/src" "$ccb_tmp/dst"
printf '[run]\n\nrepeats = lots\n' >"$ccb_tmp/bad.ini"
expect_fail 2 "profile '$ccb_tmp/bad.ini' line 3: invalid value 'lots' for --repeats" \
	"$CCB" run --profile "$ccb_tmp/bad.ini" "$ccb_tmp/src" "$ccb_tmp/dst"
printf '[sweep]\nthreads = 2\n' >"$ccb_tmp/bad.ini"
expect_fail 2 "profile '$ccb_tmp/bad.ini' has no \[run\] section" \
	"$CCB" run --profile "$ccb_tmp/bad.ini" "$ccb_tmp/src" "$ccb_tmp/dst"
expect_fail 2 "cannot read profile '$ccb_tmp/none.ini': No such file or directory" \
	"$CCB" sweep --profile "$ccb_tmp/none.ini" "$ccb_tmp/src" "$ccb_tmp/dst"
# a name that is neither a file nor a shipped profile: where the shipped profiles were looked for
want="sweep: no profile 'no-such-tune': not a file, and no readable 'no-such-tune.ini' in"
expect_fail 2 "$want '$ccb_tmp/shipped'," env CCB_PROFILES_DIR="$ccb_tmp/shipped" \
	"$CCB" sweep --profile no-such-tune "$ccb_tmp/src" "$ccb_tmp/dst"
# a secret in a profile others can read is warned about; its value is never printed
printf '[run]\nheader = Authorization: Bearer pr0f1le-t0ken\n' >"$ccb_tmp/secret.ini"
chmod 644 "$ccb_tmp/secret.ini"
expect_fail 1 "profile '$ccb_tmp/secret.ini' sets --header, a secret, and other users may read it" \
	"$CCB" run --profile "$ccb_tmp/secret.ini" "$ccb_tmp/no-such-src" "$ccb_tmp/dst"
! grep -q pr0f1le-t0ken "$ccb_tmp/err" || fail "the profile's secret was printed"
chmod 600 "$ccb_tmp/secret.ini"
expect_fail 1 "no-such-src" "$CCB" run --profile "$ccb_tmp/secret.ini" "$ccb_tmp/no-such-src" \
	"$ccb_tmp/dst"
! grep -q 'a secret' "$ccb_tmp/err" || fail "a private profile was warned about"
# so is a URL with credentials (the --post URL and its password), named without them (a build
# without libcurl has no --post)
if "$CCB" strategies --json | "$PY" -c 'import json, sys
sys.exit(0 if any(s["name"] == "http" and s["available"] for s in json.load(sys.stdin)) else 1)'; then
	printf '[run]\npost = http://lab:pr0f1le-pw@127.0.0.1:9/r?key=pr0f1le-t0ken\n' >"$ccb_tmp/url.ini"
	chmod 644 "$ccb_tmp/url.ini"
	expect_fail 1 "profile '$ccb_tmp/url.ini' sets --post, a URL with user information or a query" \
		"$CCB" run --profile "$ccb_tmp/url.ini" "$ccb_tmp/no-such-src" "$ccb_tmp/dst"
	! grep -q 'pr0f1le-' "$ccb_tmp/err" || fail "the profile's URL was printed with its secrets"
	chmod 600 "$ccb_tmp/url.ini"
	expect_fail 1 "no-such-src" "$CCB" run --profile "$ccb_tmp/url.ini" "$ccb_tmp/no-such-src" \
		"$ccb_tmp/dst"
	! grep -q 'credentials' "$ccb_tmp/err" || fail "a private profile with a URL was warned about"
fi
# a line longer than the INI parser's buffer (a long token) is refused whole, without its text
long=$(head -c 600 /dev/zero | tr '\0' 'A')
printf '[run]\nheader = Authorization: Bearer %s=:tail-S3CRET\nthreads = 1\n' "$long" \
	>"$ccb_tmp/long.ini"
chmod 600 "$ccb_tmp/long.ini"
expect_fail 2 "profile '$ccb_tmp/long.ini' line 2 is longer than [0-9]+ characters" \
	"$CCB" run --profile "$ccb_tmp/long.ini" "$ccb_tmp/src" "$ccb_tmp/dst"
! grep -q 'S3CRET\|AAAA' "$ccb_tmp/err" || fail "a piece of a long line was printed"
# a NUL byte (a binary file given as a profile, a corrupt copy) is named with its line, not taken
# for a long line, and what follows it on the line is not applied
printf '[run]\nthreads = 1\nrepeats = 3\000 junk\n' >"$ccb_tmp/nul.ini"
expect_fail 2 "profile '$ccb_tmp/nul.ini' line 3 holds a NUL byte" \
	"$CCB" run --profile "$ccb_tmp/nul.ini" "$ccb_tmp/src" "$ccb_tmp/dst"
echo ok
