#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/results_space.sh - a results folder that fills up while a session records its runs: the
# closing message says which runs results.json holds and that the others are in memory only (not
# "run failed": the runs went well), the table still shows every run, the file on disk is the last
# version written whole, and --post does not send it. Needs root for a small tmpfs.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_root "mounting a small tmpfs as the results folder"
need_python
ccb_lock_machine

ccb_make_set --stacks 2 --box 32 --particles 2 --job-dirs 1
out=$ccb_tmp/res
mkdir "$out"
mount -t tmpfs -o size=32k tmpfs "$out" || skip "cannot mount a tmpfs here"
trap 'umount "$out"; ccb_cleanup' EXIT

# Each run adds a few kB to results.json: 32 kB are full after some runs. --post to a port no one
# listens on: it must not be tried with a stale file.
# (without libcurl there is no --post: the rest is the same)
post=(--post http://127.0.0.1:9/results)
"$CCB" strategies --json | "$PY" -c 'import json, sys
sys.exit(0 if any(s["name"] == "http" and s["available"] for s in json.load(sys.stdin)) else 1)' ||
	post=()
rc=0
"$CCB" run --repeats 40 --interval 0 --out "$out" ${post[@]+"${post[@]}"} \
	"$src" "$dst" >"$ccb_tmp/stdout" 2>"$ccb_tmp/err" || rc=$?
[ "$rc" = 1 ] || { cat "$ccb_tmp/err" >&2; fail "a full results folder exited $rc, expected 1"; }
msg=$(grep "cannot write results.json in '$out': No space left on device; the runs measured so far are in memory only" \
	"$ccb_tmp/err") || { cat "$ccb_tmp/err" >&2; fail "no message saying what is kept"; }
note "$msg"
! grep -q "run failed" "$ccb_tmp/err" || fail "the runs went well, yet 'run failed' was said"
! grep -q "the runs measured so far are kept in" "$ccb_tmp/err" || fail "claims the runs are kept"
[ ${#post[@]} = 0 ] || grep -q "not posted" "$ccb_tmp/err" ||
	fail "a stale results.json was posted: $(cat "$ccb_tmp/err")"
held=$(echo "$msg" | sed -n 's/.*holds \([0-9]*\) of the \([0-9]*\) runs.*/\1/p')
measured=$(echo "$msg" | sed -n 's/.*holds \([0-9]*\) of the \([0-9]*\) runs.*/\2/p')
[ -n "$held" ] && [ "$measured" -gt "$held" ] && [ "$held" -ge 1 ] ||
	fail "the message does not count the runs: $msg"
# The table shows every run measured; the file holds the first $held, whole.
[ "$(grep -Ec '^ +[0-9]+ +shutil ' "$ccb_tmp/stdout")" = "$measured" ] ||
	fail "the table does not show the $measured runs: $(cat "$ccb_tmp/stdout")"
! grep -q FAILED "$ccb_tmp/stdout" || fail "a run is marked FAILED"
grep -q "^results: $out/results.json (not up to date: it holds $held of the $measured runs above)" \
	"$ccb_tmp/stdout" || fail "the results line does not say the file is behind: $(tail -n 3 "$ccb_tmp/stdout")"
expect_json "$out/results.json" "len(runs) == $held" "[r['seq'] for r in runs] == list(range(1, $held + 1))"
[ -z "$(find "$out" -name 'results.json.tmp.*')" ] || fail "a temporary file was left in $out"
exit 0
