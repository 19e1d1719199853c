#!/bin/bash
# cmdline.sh - command lines as GNU tools take them: options after operands, "--" ending the
# options, a profile named by an abbreviation of --profile applied, sizes with decimals and
# decimal or binary suffixes.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python

note "options after the operands"
expect_ok "$CCB" gen "$ccb_tmp/a" --stacks 2 --box 16 --particles 1 --seed 3
[ "$(find "$ccb_tmp/a" -name '*.mrcs' | wc -l)" = 2 ] || fail "gen DIR --stacks 2 did not write 2 stacks"

note "-- ends the options: what follows is an operand even when it starts with -"
expect_fail 2 "unexpected argument '--stacks'" "$CCB" gen -- "$ccb_tmp/b" --stacks 2
[ ! -e "$ccb_tmp/b" ] || fail "a refused gen wrote '$ccb_tmp/b'"

note "--prof, an abbreviation of --profile, is found and applied; the command line overrides it"
ccb_lock_if_root
mkdir "$ccb_tmp/dst"
printf '[run]\nstrategy = rw\nthreads = 2\nrepeats = 1\n' >"$ccb_tmp/p.ini"
expect_ok "$CCB" run "$ccb_tmp/a" "$ccb_tmp/dst" --prof "$ccb_tmp/p.ini" --out "$ccb_tmp/r1"
[ "$(json "$ccb_tmp/r1/results.json" 'd["runs"][0]["strategy"]')" = rw ] ||
	fail "the profile named by --prof was not applied"
expect_ok "$CCB" run "$ccb_tmp/a" "$ccb_tmp/dst" --profi="$ccb_tmp/p.ini" --threads 1 --out "$ccb_tmp/r2"
[ "$(json "$ccb_tmp/r2/results.json" 'd["runs"][0]["threads"]')" = 1 ] ||
	fail "the command line did not override the profile"

note "sizes: decimals, T and TB and TiB"
for size in 1.6T 1.6TB 1.6TiB 1.6t 2.5GB; do
	expect_ok "$CCB" diag --json --dataset-size "$size" "$ccb_tmp/a"
done
expect_fail 2 "invalid" "$CCB" diag --dataset-size 1.6X "$ccb_tmp/a"
expect_fail 2 "invalid" "$CCB" diag --dataset-size 1.6.1T "$ccb_tmp/a"
echo "ok: options after operands, --, --prof and decimal sizes"
