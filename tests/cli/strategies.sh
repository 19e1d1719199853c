#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/strategies.sh - every strategy `strategies --json` lists as available makes byte-identical
# copies of a tree of awkward sizes, tmpfs -> disk and disk -> disk, at 1, 3 and 8 threads; cfr
# counts what the kernel really did with each file, and cp records which cp ran.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
if [ "$(id -u)" = 0 ]; then
	ccb_lock_machine
fi

# Sizes around a byte, a sector, a page, a MiB, and one stack-sized file, in nested folders.
make_tree() {
	local dir=$1
	mkdir -p "$dir/a/b/c" "$dir/d"
	for f in empty:0 a/one:1 a/b/sector-1:511 a/b/sector:512 a/b/c/page-1:4095 d/page:4096 \
		"d/page+1 with space:4097" a/mib-1:1048575 a/b/c/mib+1.bin:1048577 \
		d/stack.mrcs:67108867; do
		head -c "${f##*:}" /dev/urandom >"$dir/${f%:*}"
	done
	[ "$(stat -c %s "$dir/d/stack.mrcs")" = 67108867 ] || fail "cannot write the tree in '$dir'"
}
nfiles=10

disk_src=$ccb_tmp/src
make_tree "$disk_src"
dst=$ccb_tmp/dst
mkdir "$dst"

# The tmpfs source lives in /dev/shm, removed on exit with the rest.
shm_src=
if [ -d /dev/shm ] && [ "$(stat -f -c %T /dev/shm)" = tmpfs ]; then
	shm_src=$(mktemp -d /dev/shm/ccb-test.XXXXXX)
	trap 'rm -rf "$shm_src"; ccb_cleanup' EXIT
	cp -a "$disk_src/." "$shm_src/"
else
	note "/dev/shm is not a tmpfs here: the tmpfs -> disk pair is not tested"
fi

# The filesystem type below a path, as the kernel names it (ext4, tmpfs, xfs).
# (findmnt prints one line per mount when a folder is mounted over twice: the top one counts.)
fs_type() { { findmnt -n -o FSTYPE -T "$1" 2>/dev/null || stat -f -c %T "$1"; } | tail -n 1; }
src_fs=$(fs_type "$disk_src")
dst_fs=$(fs_type "$dst")
note "disk: $src_fs ($ccb_tmp), kernel $(uname -r)"

# copy SRC STRATEGY THREADS [RUN-OPTIONS...]: run with --keep, compare the kept copy with SRC,
# check the run in results.json (left in $out for more checks), then `clean` DST.
out=$ccb_tmp/results
copy() {
	local src=$1 s=$2 n=$3
	shift 3
	note "$s, $n threads, $(fs_type "$src") -> $dst_fs $*"
	rm -rf "$out"
	expect_ok "$CCB" run --keep --repeats 1 --quiet --all-files --out "$out" --strategy "$s" \
		--threads "$n" "$@" "$src" "$dst"
	local kept=("$dst"/.cryocache-bench.*)
	[ ${#kept[@]} = 1 ] && [ -d "${kept[0]}/copy" ] ||
		fail "$s: expected one kept scratch copy in '$dst', found: ${kept[*]}"
	same_tree "$src" "${kept[0]}/copy"
	expect_json "$out/results.json" "len(d['runs']) == 1" "d['runs'][0]['errors'] == []" \
		"d['runs'][0]['files'] == d['source']['files'] == $nfiles" \
		"d['runs'][0]['bytes'] == d['source']['bytes']" "d['runs'][0]['aborted'] is False"
	expect_ok "$CCB" clean "$dst"
	[ -z "$(ls -A "$dst")" ] || fail "$s: clean left in DST: $(ls -A "$dst")"
}

# counters EXPR...: checks over c, the cfr run's strategy_counters (and d, all of results.json).
counters() {
	local checks=()
	for e in "$@"; do
		checks+=("(lambda c: $e)(d['runs'][0]['strategy_counters'])")
	done
	expect_json "$out/results.json" "${checks[@]}"
}

# http copies from a server: tests/cli/http.sh runs it against its own nginx. relion copies the
# particles of a .star into stacks of its own, not files: tests/cli/relion_run.sh runs it, and it
# must refuse this tree.
available=$("$CCB" strategies --json | "$PY" -c 'import json, sys
print(" ".join(s["name"] for s in json.load(sys.stdin)
               if s["available"] and s["name"] not in ("http", "relion")))')
expect_fail 1 "cannot run here: RELION copies the particles a RELION .star names" \
	"$CCB" run --strategy relion --repeats 1 --quiet --all-files --out "$ccb_tmp/relion" \
	"$disk_src" "$dst"
for s in shutil shutil314 legacy rw sendfile cfr; do
	case " $available " in
	*" $s "*) ;;
	*) fail "$s must always be available; the available strategies are: $available" ;;
	esac
done
note "available: $available"

# The whole tree is 66 MiB: a run takes a fraction of a second, so every strategy runs at every
# thread count on both pairs.
if quick; then
	strategies="shutil cfr"
	threads="3"
else
	strategies=$available
	threads="1 3 8"
fi

for s in $strategies; do
	for n in $threads; do
		copy "$disk_src" "$s" "$n"
		if [ -n "$shm_src" ]; then
			copy "$shm_src" "$s" "$n"
		fi
	done
done

# What copy_file_range did, file by file. Asserted for ext4 destinations only, where this test
# runs on CI; elsewhere the counters must still add up to the files.
note "cfr: what the kernel did"
copy "$disk_src" cfr 3
counters "c['ficlone'] + c['cloned_by_cfr'] + c['kernel_copy'] + c['refused_fallback'] == $nfiles"
if [ "$src_fs" = ext4 ] && [ "$dst_fs" = ext4 ]; then
	# ext4 -> ext4, one filesystem: ext4 has no reflink, so FICLONE (tried first with
	# --reflink=auto) fails for every file with EOPNOTSUPP; copy_file_range then copies every
	# file in the kernel (splice), the empty file included (it returns 0 at once), and no extent
	# is shared.
	counters "c['kernel_copy'] == $nfiles" "c['ficlone'] == 0" "c['cloned_by_cfr'] == 0" \
		"c['refused_fallback'] == 0" "c['fallback_bytes'] == 0" \
		"c['ficlone_refused'] == $nfiles"
	copy "$disk_src" cfr 3 --reflink=never
	counters "c['kernel_copy'] == $nfiles" "c['ficlone_refused'] == 0"
fi
if [ -n "$shm_src" ] && [ "$dst_fs" = ext4 ]; then
	copy "$shm_src" cfr 3
	counters "c['ficlone'] + c['cloned_by_cfr'] + c['kernel_copy'] + c['refused_fallback'] == \
$nfiles" "c['ficlone'] == 0" "c['cloned_by_cfr'] == 0" "c['ficlone_refused'] == $nfiles"
	# tmpfs -> ext4: two filesystem types. Since 5.19 (commit 868f9f2f8e00, also in the stable
	# kernels it was backported to) copy_file_range returns EXDEV unless both sides are the same
	# type with its own copy_file_range; the check comes before the length, so the empty file is
	# refused too, and every byte goes through read/write. 5.3-5.18 copied across filesystems in
	# the kernel.
	kver=$(uname -r | sed -E 's/^([0-9]+)\.([0-9]+).*/\1 \2/')
	if [ "${kver% *}" -gt 5 ] || { [ "${kver% *}" = 5 ] && [ "${kver#* }" -ge 19 ]; }; then
		counters "c['refused_fallback'] == $nfiles" "c['kernel_copy'] == 0" \
			"c['fallback_bytes'] == d['source']['bytes']"
	else
		counters "c['refused_fallback'] in (0, $nfiles)"
	fi
fi

# cp: results.json names the cp that ran (the first on PATH) and what `cp --version` says.
case " $strategies " in
*" cp "*)
	note "cp: which cp ran"
	copy "$disk_src" cp 2
	cp_path=$(command -v cp)
	cp_version=$(cp --version 2>/dev/null | head -n 1 || true)
	expect_json "$out/results.json" \
		"d['runs'][0]['strategy_info']['cp_path'] == '$cp_path'" \
		"d['runs'][0]['strategy_info']['cp_version'] == ('$cp_version' or None)" \
		"'strategy_counters' not in d['runs'][0]"
	;;
esac
quick && exit 0

# --bs sets the length of each copy_file_range and sendfile call; by default a stack goes in
# one call. With --bs 1M the 64 MiB + 3 stack takes 64 full calls and the 1 MiB + 1 file one.
strace=${CCB_STRACE:-$(command -v strace || true)}
if [ -n "$strace" ] && "$strace" -o /dev/null true 2>/dev/null; then
	# calls SYSCALL LENGTH: how many SYSCALL calls in the trace asked for and moved LENGTH bytes.
	calls() { grep -Ec "$1\(.*, $2(, 0)?\) += $2\$" "$ccb_tmp/strace" || true; }
	for s in cfr sendfile; do
		call=$s
		[ $s = cfr ] && call=copy_file_range
		note "strace: $s --bs 1M, then the default"
		mkdir "$ccb_tmp/dst.bs"
		expect_ok traced "$strace" -f -e trace=$call -o "$ccb_tmp/strace" "$CCB" run --repeats 1 \
			--quiet --all-files --out "$ccb_tmp/results.bs" --strategy $s --threads 1 \
			--bs 1M "$disk_src" "$ccb_tmp/dst.bs"
		[ "$(calls $call 1048576)" = 65 ] ||
			fail "$s --bs 1M: $(calls $call 1048576) full calls of 1 MiB, expected 65"
		! grep -Eq "$call\(.*, (67108867|2147479552|9223372035781033984)(, 0)?\)" \
			"$ccb_tmp/strace" || fail "$s --bs 1M still asked for a whole file in one call"
		rm -rf "$ccb_tmp/results.bs"
		# Without --bs: cfr asks for cp's SSIZE_MAX rounded down to a GiB, the kernel moves
		# the whole stack at once; sendfile asks for exactly what is left.
		expect_ok traced "$strace" -f -e trace=$call -o "$ccb_tmp/strace" "$CCB" run --repeats 1 \
			--quiet --all-files --out "$ccb_tmp/results.bs" --strategy $s --threads 1 \
			"$disk_src" "$ccb_tmp/dst.bs"
		if [ $s = cfr ]; then
			grep -Eq "$call\(.*, 9223372035781033984, 0\) += 67108867\$" "$ccb_tmp/strace" ||
				fail "cfr did not copy the stack in one call of the default length"
		else
			[ "$(calls $call 67108867)" = 1 ] ||
				fail "sendfile did not send the stack in one call"
		fi
		rm -rf "$ccb_tmp/results.bs" "$ccb_tmp/dst.bs"
	done
else
	note "strace is missing or cannot trace here: --bs call lengths not checked"
fi
