#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/reflink.sh - cfr on a loop-mounted XFS with reflink=1: --reflink=auto clones every file with
# FICLONE, --reflink=never lets copy_file_range clone them silently and cfr sees it (FIEMAP),
# and --reflink=always fails, naming the file, where no clone is possible.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_root "mounting a loop XFS"
command -v mkfs.xfs >/dev/null || skip "mkfs.xfs is missing (apt-get install xfsprogs)"
command -v filefrag >/dev/null || skip "filefrag is missing (e2fsprogs)"
grep -qw xfs /proc/filesystems || modprobe xfs 2>/dev/null || true
grep -qw xfs /proc/filesystems || skip "this kernel has no XFS"
need_python
ccb_lock_machine

img=$ccb_tmp/xfs.img
mnt=$ccb_tmp/mnt
mkdir "$mnt"
truncate -s 300M "$img"
mkfs.xfs -q -m reflink=1 "$img" || skip "mkfs.xfs -m reflink=1 failed"
mount -o loop "$img" "$mnt" 2>"$ccb_tmp/err" ||
	skip "cannot mount a loop XFS: $(cat "$ccb_tmp/err")"
trap 'umount "$mnt" 2>/dev/null || umount -l "$mnt"; ccb_cleanup' EXIT

# Source and destination on the same XFS; one file empty (no extent to share), the others not.
src=$mnt/src
mkdir -p "$src/a/b" "$mnt/dst"
for f in empty:0 one:1 a/page+1:4097 a/mib+1:1048577 a/b/stack.mrcs:16777219; do
	head -c "${f##*:}" /dev/urandom >"$src/${f%:*}"
done
nfiles=5
sync

out=$ccb_tmp/results
# cfr DST RUN-OPTIONS...: a kept cfr run of $src into DST, byte-identical; its results in $out and
# the copy in $copy.
cfr() {
	local dst=$1
	shift
	note "cfr $* -> $dst"
	rm -rf "$out"
	expect_ok "$CCB" run --keep --repeats 1 --quiet --all-files --out "$out" --strategy cfr \
		"$@" "$src" "$dst"
	copy=$(echo "$dst"/.cryocache-bench.*/copy)
	[ -d "$copy" ] || fail "no kept copy in '$dst'"
	same_tree "$src" "$copy"
	expect_json "$out/results.json" "d['runs'][0]['errors'] == []" \
		"d['runs'][0]['files'] == $nfiles"
}

# counters EXPR...: checks over c, the run's strategy_counters.
counters() {
	local checks=()
	for e in "$@"; do
		checks+=("(lambda c: $e)(d['runs'][0]['strategy_counters'])")
	done
	expect_json "$out/results.json" "${checks[@]}"
}

# all_shared: every non-empty file of the copy shares its extents, as filefrag (not cfr) sees it.
all_shared() {
	local f n=0
	while IFS= read -r -d '' f; do
		filefrag -v "$f" | grep -q shared ||
			fail "'$f' shares no extent: $(filefrag -v "$f")"
		n=$((n + 1))
	done < <(find "$copy" -type f -size +0 -print0)
	[ "$n" = $((nfiles - 1)) ] || fail "checked $n non-empty files, expected $((nfiles - 1))"
}

# --reflink=auto: FICLONE first, and on XFS it clones every file, the empty one included.
cfr "$mnt/dst" --threads 2
counters "c['ficlone'] == $nfiles" "c['cloned_by_cfr'] == 0" "c['kernel_copy'] == 0" \
	"c['refused_fallback'] == 0" "c['ficlone_refused'] == 0"
all_shared
expect_ok "$CCB" clean "$mnt/dst"

# --reflink=never: no FICLONE, yet copy_file_range within one XFS remaps (clones) the extents
# instead of copying them (vfs_copy_file_range tries remap_file_range first on one
# superblock), and FIEMAP shows FIEMAP_EXTENT_SHARED. The empty file has nothing to share:
# copy_file_range returns 0 at once and it counts as a kernel copy.
cfr "$mnt/dst" --threads 2 --reflink=never
counters "c['cloned_by_cfr'] == $((nfiles - 1))" "c['kernel_copy'] == 1" "c['ficlone'] == 0" \
	"c['refused_fallback'] == 0" "c['ficlone_refused'] == 0"
all_shared
expect_ok "$CCB" clean "$mnt/dst"

# --reflink=always within the XFS: the same as auto.
cfr "$mnt/dst" --threads 1 --reflink=always
counters "c['ficlone'] == $nfiles"
expect_ok "$CCB" clean "$mnt/dst"

# --reflink=always to another filesystem: FICLONE cannot cross mounts (EXDEV); the run fails
# and names the file and the call.
note "cfr --reflink=always -> $ccb_tmp/dst (another filesystem)"
mkdir "$ccb_tmp/dst"
rm -rf "$out"
names='(empty|one|a/page\+1|a/mib\+1|a/b/stack\.mrcs)'
expect_fail 1 \
	"cannot FICLONE '$ccb_tmp/dst/\.cryocache-bench\.[^/]+/copy/$names': Invalid cross-device link" \
	"$CCB" run --repeats 1 --quiet --all-files --out "$out" --strategy cfr --threads 1 \
	--reflink=always "$src" "$ccb_tmp/dst"
expect_json "$out/results.json" "len(d['runs']) == 1" \
	"any('FICLONE' in e and 'Invalid cross-device link' in e for e in d['runs'][0]['errors'])" \
	"d['runs'][0]['strategy_counters']['ficlone'] == 0"
[ -z "$(ls -A "$ccb_tmp/dst")" ] || fail "the failed run left in DST: $(ls -A "$ccb_tmp/dst")"

# ... while auto copies there, counting the refused clones.
cfr "$ccb_tmp/dst" --threads 2
counters "c['ficlone'] == 0" "c['cloned_by_cfr'] == 0" "c['ficlone_refused'] == $nfiles"
