#!/bin/bash
# SPDX-License-Identifier: MIT
# cmdline.sh - command lines as GNU tools take them: options after operands, "--" ending the
# options, a profile named by an abbreviation of --profile applied, sizes with decimals and
# decimal or binary suffixes; one name for one thing (-t/--threads, --jobs, --numjobs,
# --job-dirs), the old -j refused with the name to use; --help in groups under headings.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python

note "options after the operands"
expect_ok "$CCB" gen "$ccb_tmp/a" --stacks 2 --box 16 --particles 1 --seed 3
[ "$(find "$ccb_tmp/a" -name '*.mrcs' | wc -l)" = 2 ] || fail "gen DIR --stacks 2 did not write 2 stacks"

note "-- ends the options: what follows is an operand even when it starts with -"
expect_fail 2 "unexpected argument '--stacks'" "$CCB" gen -- "$ccb_tmp/b" --stacks 2
[ ! -e "$ccb_tmp/b" ] || fail "a refused gen wrote '$ccb_tmp/b'"

note "an option missing its value after the operands says so; it never takes an operand for it"
expect_fail 2 "option '--total' needs a value" "$CCB" gen "$ccb_tmp/c" --total
expect_fail 2 "option '--repeats' needs a value" "$CCB" run "$ccb_tmp/a" "$ccb_tmp/none" --repeats
[ ! -e "$ccb_tmp/c" ] || fail "a refused gen wrote '$ccb_tmp/c'"

note "a value given to an option that takes none, an ambiguous abbreviation: said as GNU tools do"
expect_fail 2 "option '--verify' takes no value" "$CCB" run --verify=yes "$ccb_tmp/a" "$ccb_tmp/none"
expect_fail 2 "option '--pro' is ambiguous: --profile, --project-dir" \
	"$CCB" run --pro x "$ccb_tmp/a" "$ccb_tmp/none"

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
note "-t/--threads everywhere; -j, which meant threads, jobs or numjobs, is refused with the new name"
expect_ok "$CCB" run "$ccb_tmp/a" "$ccb_tmp/dst" -t 1 --repeats 1 --strategy rw --out "$ccb_tmp/r3"
[ "$(json "$ccb_tmp/r3/results.json" 'd["runs"][0]["threads"]')" = 1 ] || fail "run -t 1 did not run 1 thread"
for c in run sweep; do
	expect_fail 2 "^cryocache-bench: $c: unknown option '-j': use -t/--threads for threads\$" \
		"$CCB" $c -j 4 "$ccb_tmp/a" "$ccb_tmp/dst"
	expect_fail 2 "unknown option '-j': use -t/--threads" "$CCB" $c -j4 "$ccb_tmp/a" "$ccb_tmp/dst"
done
[ -z "$(ls -A "$ccb_tmp/dst")" ] || fail "a refused -j left something in DST"
expect_fail 2 "^cryocache-bench: fio: unknown option '-j': use --numjobs for fio's jobs\$" \
	"$CCB" fio -j 2 "$ccb_tmp/a" "$ccb_tmp/dst"
expect_fail 2 "^cryocache-bench: fio: unknown option '--jobs': use --numjobs" \
	"$CCB" fio --jobs=2 "$ccb_tmp/a" "$ccb_tmp/dst"
expect_ok "$CCB" fio --numjobs 2 --help
expect_fail 2 "^cryocache-bench: gen: unknown option '--jobs': use --job-dirs for CryoSPARC job folders\$" \
	"$CCB" gen --stacks 2 --jobs 2 "$ccb_tmp/c"
[ ! -e "$ccb_tmp/c" ] || fail "a refused gen --jobs wrote '$ccb_tmp/c'"
expect_ok "$CCB" gen --stacks 4 --job-dirs 2 -t 1 --box 16 --particles 1 "$ccb_tmp/c"
[ "$(find "$ccb_tmp/c" -name extract -type d | wc -l)" = 2 ] || fail "gen --job-dirs 2 did not write 2 job folders"
# sweep keeps --jobs for copiers at once; its -j is not an abbreviation of anything
"$CCB" sweep --help | grep -q -- '^      --jobs J  *copiers at once' || fail "sweep --help has no --jobs for copiers"
for c in run sweep gen fio; do
	"$CCB" $c --help | grep -Eq -- '^  -j, ' && fail "$c --help still lists -j"
done
"$CCB" gen --help | grep -q -- '^  -t, --threads N' || fail "gen --help has no -t, --threads"

note "--help in groups under headings, as git's: the shared options of run and sweep alike"
for c in run sweep; do
	"$CCB" $c --help >"$ccb_tmp/help-$c"
	headings=$(grep -E '^[A-Z][A-Za-z ]*:$' "$ccb_tmp/help-$c" | tr '\n' '|')
	for h in "What to copy:" "How to measure:" "Output:" "Posting results:"; do
		case "|$headings" in *"|$h|"*) ;; *) fail "$c --help has no heading '$h': $headings" ;; esac
	done
	# each option under its heading: the line after "What to copy:" up to the next blank line
	sed -n '/^What to copy:$/,/^$/p' "$ccb_tmp/help-$c" | grep -q -- '--files LIST' ||
		fail "$c --help: --files is not under 'What to copy'"
	sed -n '/^Output:$/,/^$/p' "$ccb_tmp/help-$c" | grep -q -- '--output-format FMT' ||
		fail "$c --help: --output-format is not under 'Output'"
	sed -n '/^Posting results:$/,/^$/p' "$ccb_tmp/help-$c" | grep -q -- '--post URL' ||
		fail "$c --help: --post is not under 'Posting results'"
	# --help itself closes the ungrouped options at the top, before the first heading
	[ "$(grep -n -- '-h, --help' "$ccb_tmp/help-$c" | cut -d: -f1)" -lt \
	  "$(grep -n '^What to copy:$' "$ccb_tmp/help-$c" | cut -d: -f1)" ] || fail "$c --help: --help is not at the top"
done
[ "$(sed -n '/^Output:$/,/^$/p' "$ccb_tmp/help-sweep" | grep -c -- '--no-report\|--no-plots')" = 2 ] ||
	fail "sweep --help: --no-report and --no-plots are not under 'Output'"
echo "ok: options after operands, --, --prof, decimal sizes, one name a meaning, grouped --help"
