#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/run_copy.sh - every strategy this build can run makes a byte-identical copy of an MRC set
# and of a tree of awkward file sizes, at 1 and 4 threads, and `clean` removes the kept copy.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
ccb_lock_if_root

# The MRC set. gen's manifest and job metadata (particles.star, .cs) are not particle data and
# must not be copied, so the copy is compared with a hard-linked twin of the set that lacks them.
expect_ok "$CCB" gen --stacks 6 --box 64 --particles 5-20 "$ccb_tmp/mrc"
cp -al "$ccb_tmp/mrc" "$ccb_tmp/mrc.expect"
rm -f "$ccb_tmp/mrc.expect/.cryocache-gen.json" "$ccb_tmp/mrc.expect/particles.star" \
	"$ccb_tmp/mrc.expect/particles.cs"

# Sizes around a byte, a sector, a page and a MiB, in nested folders, for --all-files.
all=$ccb_tmp/all
mkdir -p "$all/a/b/c" "$all/d"
for f in empty:0 a/one:1 a/b/sector-1:511 a/b/c/page-1:4095 d/page:4096 \
	"d/page+1 with space:4097" a/b/c/mib+1.bin:1048577; do
	head -c "${f##*:}" /dev/urandom >"$all/${f%:*}"
done
[ "$(stat -c %s "$all/a/b/c/mib+1.bin")" = 1048577 ] || fail "could not write the test tree"

# copy NAME SRC EXPECTED-TREE RUN-OPTIONS...: run with --keep, compare the kept copy with
# EXPECTED-TREE, check the run in results.json, then `clean` must leave DST empty.
copy() {
	local name=$1 src=$2 expect=$3
	local dst=$ccb_tmp/dst out=$ccb_tmp/results
	local nfiles
	nfiles=$(find "$expect" -type f | wc -l)
	shift 3
	note "copy: $name"
	mkdir "$dst"
	expect_ok "$CCB" run --keep --repeats 1 --quiet --out "$out" "$@" "$src" "$dst"
	local kept=("$dst"/.cryocache-bench.*)
	[ ${#kept[@]} = 1 ] && [ -d "${kept[0]}/copy" ] ||
		fail "$name: expected one kept scratch copy in '$dst', found: ${kept[*]}"
	same_tree "$expect" "${kept[0]}/copy"
	expect_json "$out/results.json" "len(runs) == 1" "runs[0]['errors'] == []" \
		"runs[0]['files'] == d['source']['files'] == $nfiles" \
		"runs[0]['bytes'] == d['source']['bytes']" "runs[0]['aborted'] is False"
	expect_ok "$CCB" clean "$dst"
	grep -q "^removed 1 scratch directory from" "$ccb_tmp/out" ||
		fail "$name: clean did not report removing the kept copy: $(cat "$ccb_tmp/out")"
	[ -z "$(ls -A "$dst")" ] || fail "$name: clean left in DST: $(ls -A "$dst")"
	rm -rf "$dst" "$out"
}

if quick; then
	strategies="shutil rw"
	threads="2"
else
	# http copies from a server: tests/cli/http.sh runs it against its own nginx; relion copies
	# a .star's particles into stacks of its own: tests/cli/relion_run.sh runs it.
	strategies=$("$CCB" strategies --json | "$PY" -c 'import json, sys
print(" ".join(s["name"] for s in json.load(sys.stdin)
               if s["available"] and s["name"] not in ("http", "relion")))')
	threads="1 4"
fi
for s in shutil rw; do
	case " $strategies " in
	*" $s "*) ;;
	*) fail "$s must always be available; the available strategies are: $strategies" ;;
	esac
done

for s in $strategies; do
	for n in $threads; do
		copy "$s, $n threads, MRC set" "$ccb_tmp/mrc" "$ccb_tmp/mrc.expect" \
			--strategy "$s" --threads "$n"
		copy "$s, $n threads, --all-files" "$all" "$all" \
			--strategy "$s" --threads "$n" --all-files
	done
done
quick && exit 0

# Buffer sizes that are a page and that are not a multiple of anything.
copy "rw --bs 4096" "$all" "$all" --strategy rw --threads 2 --bs 4096 --all-files
copy "rw --bs 1000" "$all" "$all" --strategy rw --threads 2 --bs 1000 --all-files

# --bs must really set the read size: the 1 MiB + 1 file alone takes 1048 full reads of 1000 bytes.
if [ -n "${CCB_STRACE:-}" ] && "$CCB_STRACE" -o /dev/null true 2>/dev/null; then
	note "strace: rw --bs 1000 reads 1000 bytes at a time"
	mkdir "$ccb_tmp/dst"
	expect_ok traced "$CCB_STRACE" -f -s 0 -e trace=read -o "$ccb_tmp/strace" \
		"$CCB" run --repeats 1 --quiet --out "$ccb_tmp/results" --strategy rw --threads 1 \
		--bs 1000 --all-files "$all" "$ccb_tmp/dst"
	full=$(grep -Ec 'read\([0-9]+, .*, 1000\) += 1000$' "$ccb_tmp/strace" || true)
	[ "$full" -ge 1048 ] ||
		fail "rw --bs 1000 made $full full reads of 1000 bytes, expected at least 1048"
	! grep -Eq 'read\([0-9]+, .*, 131072\)' "$ccb_tmp/strace" ||
		fail "rw --bs 1000 still read with the default 128 KiB buffer"
	rm -rf "$ccb_tmp/dst" "$ccb_tmp/results"
else
	note "strace is missing or cannot trace here: --bs read sizes not checked"
fi

# --verify hashes every source and copy after the run: all of them, none different.
note "--verify"
mkdir "$ccb_tmp/dst"
expect_ok "$CCB" run --verify --repeats 1 --quiet --out "$ccb_tmp/results" --threads 4 \
	--all-files "$all" "$ccb_tmp/dst"
expect_json "$ccb_tmp/results/results.json" "d['source']['files'] == 7" \
	"runs[0]['verify']['hash'] == 'xxh3-64'" \
	"runs[0]['verify']['checked'] == d['source']['files']" \
	"runs[0]['verify']['mismatches'] == 0" "runs[0]['errors'] == []"
# the terminal table says so too: a verify column and a summary line
grep -Eq '^ +run +strategy .* verify +notes$' "$ccb_tmp/out" || fail "the runs table has no verify column"
grep -Eq '^ +1 +[a-z]+ .* 7 ok ' "$ccb_tmp/out" || fail "the runs table does not show the 7 copies verified"
grep -qx 'verify: 1 run verified: 7 copies checked against their sources (xxh3-64), every one identical' \
	"$ccb_tmp/out" || fail "no verify summary under the table: $(cat "$ccb_tmp/out")"
[ -z "$(ls -A "$ccb_tmp/dst")" ] || fail "a run without --keep left in DST: $(ls -A "$ccb_tmp/dst")"
