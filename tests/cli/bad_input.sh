#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/bad_input.sh - every bad argument or situation `run` can meet gives its exit status and one
# message that names the path and the reason, and leaves nothing behind in DST.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
ccb_lock_if_root

ccb_make_set --stacks 3 --box 32 --particles 2
(cd "$src" && find . | sort) >"$ccb_tmp/src.list"

# Failures found before copying leave DST as it was: empty, no scratch directory.
dst_untouched() {
	[ -z "$(ls -A "$1")" ] || fail "a refused run left in '$1': $(ls -A "$1")"
}

note "SRC missing, a file, or DST missing"
expect_fail 1 "cannot access source '$ccb_tmp/missing': No such file or directory" \
	"$CCB" run "$ccb_tmp/missing" "$dst"
touch "$ccb_tmp/file.mrcs"
expect_fail 1 "source '$ccb_tmp/file.mrcs' is not a directory" \
	"$CCB" run "$ccb_tmp/file.mrcs" "$dst"
expect_fail 1 "cannot access destination '$ccb_tmp/missing': No such file or directory" \
	"$CCB" run "$src" "$ccb_tmp/missing"
expect_fail 1 "destination '$ccb_tmp/file.mrcs' is not a directory" \
	"$CCB" run "$src" "$ccb_tmp/file.mrcs"
dst_untouched "$dst"

# The copies must never land in the data being measured, however DST is spelled.
note "DST inside SRC, equal to it, or a symlink into it"
inner=$(dirname "$(find "$src" -name '*.mrcs' | head -1)")
expect_fail 1 "destination '$inner' is inside the source '$src'" "$CCB" run "$src" "$inner"
expect_fail 1 "destination '$src' is inside the source '$src'" "$CCB" run "$src" "$src"
ln -s "$inner" "$ccb_tmp/link"
expect_fail 1 "destination '$ccb_tmp/link' is inside the source '$src'" \
	"$CCB" run "$src" "$ccb_tmp/link"

# Nor the results folder, given or the default one below the current folder, nor the file the
# page cache is dropped through (a stack there was overwritten with "3"): refused, SRC untouched.
note "--out, the default results folder or --drop-caches-path inside SRC"
(cd "$src" && find . -type f -exec cksum {} + | sort) >"$ccb_tmp/src.sum"
expect_fail 1 "results folder '$inner/results' is inside the source '$src': nothing is written there" \
	"$CCB" run --out "$inner/results" "$src" "$dst"
expect_fail 1 "results folder '$ccb_tmp/new/../src/results' is inside the source" \
	"$CCB" run --out "$ccb_tmp/new/../src/results" "$src" "$dst"
(cd "$inner" && expect_fail 1 "the default results folder '$inner/cryocache-results' would be inside the source '$src'" \
	"$CCB" run "$src" "$dst")
stack=$(find "$src" -name '*.mrcs' | head -1)
expect_fail 1 "--drop-caches-path '$stack' is inside the source '$src': the tool writes to that file" \
	"$CCB" run --drop-caches-path "$stack" --out "$ccb_tmp/r-drop" "$src" "$dst"
expect_fail 1 "--drop-caches-path '$dst/x' is inside the destination" \
	"$CCB" run --drop-caches-path "$dst/x" --out "$ccb_tmp/r-drop" "$src" "$dst"
(cd "$src" && find . -type f -exec cksum {} + | sort) | cmp -s - "$ccb_tmp/src.sum" ||
	fail "a refused run changed a file in SRC"
[ ! -e "$ccb_tmp/new" ] || fail "a refused --out made '$ccb_tmp/new'"
(cd "$src" && find . | sort) | cmp -s - "$ccb_tmp/src.list" || fail "a refused run wrote into SRC"

note "usage errors exit 2"
expect_fail 2 "unknown strategy 'nosuch'" "$CCB" run --strategy nosuch "$src" "$dst"
expect_fail 2 "invalid value '0' for --threads" "$CCB" run --threads 0 "$src" "$dst"
expect_fail 2 "invalid value '-1' for --threads" "$CCB" run --threads -1 "$src" "$dst"
# sweep's lists: an empty item or an item named twice is an error naming it, never a cell run
# twice or a silently shorter grid (each under a timeout: the old parser ran the sweep)
for bad in "--strategies rw,rw:strategy 'rw' is named twice in --strategies 'rw,rw'" \
	"--strategies rw,,shutil:empty item in --strategies 'rw,,shutil'" \
	"--strategies rw,:empty item in --strategies 'rw,'" \
	"--threads 1,,2:empty item in --threads '1,,2'" \
	"--threads 2,2:thread count 2 is named twice in --threads '2,2'" \
	"--threads 1,2,01:thread count 1 is named twice in --threads '1,2,01'" \
	"--threads ,1:empty item in --threads ',1'" \
	"--threads=:--threads names no thread count"; do
	expect_fail 2 "^cryocache-bench: sweep: ${bad#*:}\$" timeout -k 10 60 "$CCB" sweep --repeats 1 \
		--confirm 0 --warmup 0 --quiet --out "$ccb_tmp/dup" ${bad%%:*} "$src" "$dst"
	[ ! -e "$ccb_tmp/dup" ] || fail "sweep ${bad%%:*} made a results folder"
done
expect_fail 2 "invalid value '0' for --repeats" "$CCB" run --repeats 0 "$src" "$dst"
expect_fail 2 "invalid size '0' for --bs: expected at least 1 byte" "$CCB" run --bs 0 "$src" "$dst"
expect_fail 2 "invalid value 'nan' for --interval" "$CCB" run --interval nan "$src" "$dst"
expect_fail 2 "invalid duration '0' for --budget: expected more than 0" "$CCB" sweep --budget 0 "$src" "$dst"
expect_fail 2 "unknown option '--frobnicate'" "$CCB" run --frobnicate "$src" "$dst"
expect_fail 2 "missing arguments" "$CCB" run
expect_fail 2 "missing arguments" "$CCB" run "$src"
expect_fail 2 "unexpected argument '$dst'" "$CCB" run "$src" "$dst" "$dst"
dst_untouched "$dst"

note "nothing to copy"
mkdir "$ccb_tmp/empty"
echo notes >"$ccb_tmp/empty/README.txt"
expect_fail 1 "no \.mrc/\.mrcs files in '$ccb_tmp/empty' \(1 other files ignored; --all-files" \
	"$CCB" run "$ccb_tmp/empty" "$dst"
rm "$ccb_tmp/empty/README.txt"
expect_fail 1 "no files to copy in '$ccb_tmp/empty'" "$CCB" run --all-files "$ccb_tmp/empty" "$dst"
dst_untouched "$dst"

# A results folder that already holds results is never overwritten.
note "--out that already holds results.json"
mkdir "$ccb_tmp/taken"
echo '{"schema": "cryocache-bench/1", "runs": []}' >"$ccb_tmp/taken/results.json"
cp "$ccb_tmp/taken/results.json" "$ccb_tmp/old.json"
expect_fail 1 "results folder '$ccb_tmp/taken' already holds a results\.json" \
	"$CCB" run --out "$ccb_tmp/taken" "$src" "$dst"
cmp -s "$ccb_tmp/taken/results.json" "$ccb_tmp/old.json" ||
	fail "the existing results.json was changed"
dst_untouched "$dst"

# --drop-caches-path takes only the kernel's drop_caches file: "3\n" written anywhere else would
# overwrite a file's first bytes (as root, any file). Refused before anything is written, from the
# command line or a profile, whatever symlink leads there; a missing one is not "needs root".
note "--drop-caches-path that is not drop_caches"
printf 'precious first bytes\n' >"$ccb_tmp/victim"
cp "$ccb_tmp/victim" "$ccb_tmp/victim.orig"
ln -s "$ccb_tmp/victim" "$ccb_tmp/victim.link"
printf '[sweep]\ndrop-caches-path = %s\n' "$ccb_tmp/victim.link" >"$ccb_tmp/drop.ini"
not_drop="is not the kernel's drop_caches file \(/proc/sys/vm/drop_caches\): it is not on procfs"
expect_fail 1 "^cryocache-bench: '$ccb_tmp/victim' $not_drop; refusing to write to it$" \
	"$CCB" run --repeats 1 --quiet --out "$ccb_tmp/out-drop1" --drop-caches-path \
	"$ccb_tmp/victim" "$src" "$dst"
expect_fail 1 "'$ccb_tmp/victim.link' \($ccb_tmp/victim\) $not_drop" \
	"$CCB" run --repeats 1 --quiet --out "$ccb_tmp/out-drop2" --drop-caches-path \
	"$ccb_tmp/victim.link" "$src" "$dst"
expect_fail 1 "'$ccb_tmp/victim.link' \($ccb_tmp/victim\) $not_drop" \
	"$CCB" sweep --threads 1 --repeats 1 --quiet --out "$ccb_tmp/out-drop3" \
	--profile "$ccb_tmp/drop.ini" "$src" "$dst"
expect_fail 1 "'/proc/sys/kernel/printk' is not the kernel's drop_caches file .*: it is another file of procfs" \
	"$CCB" run --repeats 1 --quiet --drop-caches-path /proc/sys/kernel/printk "$src" "$dst"
mkfifo "$ccb_tmp/fifo"
expect_fail 1 "'$ccb_tmp/fifo' $not_drop" timeout 60 \
	"$CCB" run --repeats 1 --quiet --drop-caches-path "$ccb_tmp/fifo" "$src" "$dst"
expect_fail 1 "an empty path is not the kernel's drop_caches file" \
	"$CCB" run --repeats 1 --quiet --out "$ccb_tmp/out-drop5" --drop-caches-path "" "$src" "$dst"
expect_fail 1 "cannot drop the page cache \('$ccb_tmp/victim/drop_caches'\): Not a directory" \
	"$CCB" run --repeats 1 --quiet --out "$ccb_tmp/out-drop6" --drop-caches-path \
	"$ccb_tmp/victim/drop_caches" "$src" "$dst"
cmp -s "$ccb_tmp/victim" "$ccb_tmp/victim.orig" || fail "--drop-caches-path wrote to a regular file"
for n in 1 2 3 5 6; do
	[ ! -e "$ccb_tmp/out-drop$n/results.json" ] || fail "a refused run wrote results (out-drop$n)"
done
dst_untouched "$dst"
expect_fail 1 "cannot drop the page cache \('$ccb_tmp/none/drop_caches'\): No such file or directory, and --require-drop was given" \
	"$CCB" run --require-drop --repeats 1 --quiet --drop-caches-path "$ccb_tmp/none/drop_caches" \
	"$src" "$dst"
expect_ok "$CCB" run --repeats 1 --out "$ccb_tmp/out-drop4" --drop-caches-path \
	"$ccb_tmp/none/drop_caches" "$src" "$dst"
grep -q "warning: cannot drop the page cache ('$ccb_tmp/none/drop_caches'): No such file or directory: evicted" \
	"$ccb_tmp/err" || fail "a missing --drop-caches-path is not named as missing: $(cat "$ccb_tmp/err")"
! grep -q "needs root" "$ccb_tmp/err" || fail "a missing --drop-caches-path is blamed on root"
dst_untouched "$dst"
# Nor is a folder holding other files (an older report.html, samples/): the new results would be
# mixed with them. It is named, with what to do.
note "--out that is not empty but holds no results.json"
mkdir -p "$ccb_tmp/used/samples"
echo '<html>an older report</html>' >"$ccb_tmp/used/report.html"
echo '{"rows": []}' >"$ccb_tmp/used/samples/run-1.json"
(cd "$ccb_tmp/used" && find . -type f -exec cksum {} + | sort) >"$ccb_tmp/used.sum"
expect_fail 1 "results folder '$ccb_tmp/used' is not empty \(it holds '[^']+'\) and has no results\.json: choose an empty or new folder for --out" \
	"$CCB" run --out "$ccb_tmp/used" "$src" "$dst"
(cd "$ccb_tmp/used" && find . -type f -exec cksum {} + | sort) | cmp -s - "$ccb_tmp/used.sum" ||
	fail "the folder's files were changed"
[ ! -e "$ccb_tmp/used/results.json" ] || fail "a refused --out got a results.json"
dst_untouched "$dst"
# An empty folder that exists is fine.
mkdir "$ccb_tmp/fresh"
expect_ok "$CCB" run --repeats 1 --interval 0 --quiet --out "$ccb_tmp/fresh" "$src" "$dst"
[ -s "$ccb_tmp/fresh/results.json" ] || fail "no results.json in an empty --out"

# A file that vanishes between listing and copying is not tested: nothing lets a test remove it
# at that moment deterministically. Copy failures are covered by the full filesystem below and by
# the unreadable file in nonroot.sh.

if [ "$(id -u)" != 0 ]; then
	note "SKIP: the full-filesystem cases need root to loop-mount a small ext4"
	exit 0
fi
mounts=
trap 'for m in $mounts; do umount "$m"; done; ccb_cleanup' EXIT
# small_fs NAME SIZE MKFS-OPTIONS...: a fresh ext4 image of SIZE mounted on $ccb_tmp/NAME.
small_fs() {
	local name=$1 size=$2
	shift 2
	truncate -s "$size" "$ccb_tmp/$name.img"
	mkfs.ext4 -q -F "$@" "$ccb_tmp/$name.img" >/dev/null 2>&1 || return 1
	mkdir "$ccb_tmp/$name"
	mount -o loop "$ccb_tmp/$name.img" "$ccb_tmp/$name" 2>/dev/null || return 1
	mounts="$mounts $ccb_tmp/$name"
}
if ! command -v mkfs.ext4 >/dev/null || ! small_fs small 8M; then
	note "SKIP: cannot make and loop-mount a small ext4 here; full-filesystem cases not run"
	exit 0
fi

# 20 MiB of stacks cannot fit in 8 MiB: refused up front, before any results or scratch exist.
note "not enough space in DST"
expect_ok "$CCB" gen --stacks 4 --box 256 --particles 20 "$ccb_tmp/big"
expect_fail 1 "not enough space in destination '$ccb_tmp/small': .* needs .* available" \
	"$CCB" run --out "$ccb_tmp/out-space" "$ccb_tmp/big" "$ccb_tmp/small"
[ "$(ls -A "$ccb_tmp/small")" = lost+found ] ||
	fail "the refused run left in DST: $(ls -A "$ccb_tmp/small")"
[ ! -e "$ccb_tmp/out-space/results.json" ] ||
	fail "a run refused before starting wrote results.json"

# A copy that fails midway, deterministically: a filesystem with plenty of bytes (so the space
# check passes) but only a handful of inodes, which 40 stacks in 8 folders exhaust. The benchmark
# stops after the failed run, keeps it in results.json with its error, and removes the scratch.
note "a run whose copy fails (no inodes left in DST)"
small_fs inodes 96M -b 4096 -N 32 || fail "cannot make the inode-starved ext4"
expect_ok "$CCB" gen --stacks 40 --box 16 --particles 1 "$ccb_tmp/many"
out=$ccb_tmp/out-inodes
expect_fail 1 "cannot open '$ccb_tmp/inodes/[^']*\.mrcs': No space left on device" \
	"$CCB" run --repeats 3 --out "$out" "$ccb_tmp/many" "$ccb_tmp/inodes"
grep -q "run failed; the runs measured so far are kept in '$out/results.json'" "$ccb_tmp/err" ||
	fail "no final message pointing at results.json: $(cat "$ccb_tmp/err")"
grep -Eq '^ +1 +shutil .*FAILED' "$ccb_tmp/out" || fail "the table does not mark run 1 FAILED"
expect_json "$out/results.json" "len(runs) == 1" \
	"any('No space left on device' in e for e in runs[0]['errors'])" \
	"0 < runs[0]['files'] < d['source']['files'] == 40" \
	"runs[0]['aborted'] is False" "'finished' in d"
[ "$(ls -A "$ccb_tmp/inodes")" = lost+found ] ||
	fail "the failed run left in DST: $(ls -A "$ccb_tmp/inodes")"
