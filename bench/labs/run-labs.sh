#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/labs/run-labs.sh - known-answer labs: storage whose right thread count is known because
# CPython's own copier is measured on it, and the sweep's recommendation is held to that.
#
#   sudo bench/labs/run-labs.sh [--labs fuse,iomax,disk,tmpfs] [--seeds 1,2,3] [--out DIR]
#        [--quick] [--copier shutil|cpython] [--threads 1,2,4,8] [--repeats N] [--size LAB=SIZE]...
#        [--fuse-delay-us N] [--fuse-readahead-kb N] [--iomax-mbps N] [--iomax-riops N]
#        [--disk DIR] [--tmpfs DIR] [--hold-freed-memory]
#
# For every lab and seed: set the lab up, generate a particle set (cryocache-bench gen --seed),
# run `cryocache-bench sweep --strategies COPIER` (--copier: cpython, the real interpreter, when
# the binary lists that strategy as available, else shutil, the emulation) with the sweep's own
# defaults and note its recommendation, measure the real CPython copier at every thread count (the `cpython` strategy
# when the binary lists it, else tests/helpers/shutil_copy.py with caches dropped before every
# run), tear the lab down, and score the recommendation: the CPython median at the recommended
# count over the best CPython median (goal: at least 95 %). Ends with a Markdown table
# (table.md) next to the raw results. See bench/labs/README.md for what each lab is.
#
# Needs root. Everything it sets up (FUSE mount, loop device, cgroup, mounts, temporary files)
# is removed on exit, Ctrl-C included. Nothing it runs writes to a lab's SRC: every SRC is a
# read-only mount. A benchmark, not a test: it is never run by make check.
#
# --hold-freed-memory: on a VM that hands freed memory back to its host (virtio-balloon free page
# reporting; diag says so), every run's page cache and tmpfs pages may first fault in the host,
# which makes memory-bound runs bimodal (4 GiB written into tmpfs: 0.5 to 3.0 GB/s from one run to
# the next). This sets page_reporting.page_reporting_order above every page order for the labs'
# duration, so nothing is reported, and restores it on exit.
set -euo pipefail

. "$(dirname "$0")/../lib.sh"

usage="usage: $0 [--labs fuse,iomax,disk,tmpfs] [--seeds 1,2,3] [--out DIR] [--quick]
	[--copier shutil|cpython] [--threads 1,2,4,8] [--repeats N] [--size LAB=SIZE]... [--fuse-delay-us N]
	[--fuse-readahead-kb N] [--iomax-mbps N] [--iomax-riops N] [--disk DIR] [--tmpfs DIR]
	[--hold-freed-memory]"
all_labs="fuse iomax disk tmpfs"
labs=fuse,iomax,disk,tmpfs
seeds=1,2,3
out=
quick=0
copier=
threads=1,2,4,8
repeats=
fuse_delay_us=10000
fuse_readahead_kb=1024
iomax_mbps=100
iomax_riops=0
disk_root=/var/tmp
tmpfs_root=/dev/shm
hold_freed=0
pr_order=/sys/module/page_reporting/parameters/page_reporting_order
pr_reported=/sys/module/page_reporting/parameters/reported_kib
pr_saved=
declare -A size_of=()
delayfs=${DELAYFS:-$here/bench/labs/delayfs}

die() { echo "run-labs: $*" >&2; exit 1; }
say() { echo "run-labs: $*" >&2; }
is_count() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge "${2:-0}" ]; }
is_list() { [[ $1 =~ ^[0-9]+(,[0-9]+)*$ ]]; }

while [ $# -gt 0 ]; do
	case $1 in
	--labs | --seeds | --out | --copier | --threads | --repeats | --size | --fuse-delay-us | \
		--fuse-readahead-kb | --iomax-mbps | --iomax-riops | --disk | --tmpfs)
		[ $# -ge 2 ] || { echo "$usage" >&2; exit 2; } ;;&
	--labs) labs=$2 ;;
	--seeds) seeds=$2 ;;
	--out) out=$2 ;;
	--copier) copier=$2 ;;
	--threads) threads=$2 ;;
	--repeats) repeats=$2 ;;
	--size) [[ $2 == *=* ]] || { echo "run-labs: --size wants LAB=SIZE, not '$2'" >&2; exit 2; }
		size_of[${2%%=*}]=${2#*=} ;;
	--fuse-delay-us) fuse_delay_us=$2 ;;
	--fuse-readahead-kb) fuse_readahead_kb=$2 ;;
	--iomax-mbps) iomax_mbps=$2 ;;
	--iomax-riops) iomax_riops=$2 ;;
	--disk) disk_root=$2 ;;
	--tmpfs) tmpfs_root=$2 ;;
	--quick) quick=1; shift; continue ;;
	--hold-freed-memory) hold_freed=1; shift; continue ;;
	-h | --help) echo "$usage"; exit 0 ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
	shift 2
done

bad() { echo "run-labs: $*" >&2; exit 2; }
for l in ${labs//,/ }; do
	[[ " $all_labs " == *" $l "* ]] || bad "unknown lab '$l' in --labs: the labs are ${all_labs// /, }"
done
for l in "${!size_of[@]}"; do
	[[ " $all_labs " == *" $l "* ]] || bad "unknown lab '$l' in --size: the labs are ${all_labs// /, }"
done
is_list "$seeds" || bad "bad --seeds '$seeds': comma-separated whole numbers"
case $copier in
'' | shutil | cpython) ;;
*) bad "bad --copier '$copier': shutil (the emulation) or cpython (the real interpreter)" ;;
esac
is_list "$threads" || bad "bad --threads '$threads': comma-separated whole numbers"
[ -z "$repeats" ] || is_count "$repeats" 1 || bad "bad --repeats '$repeats': a whole number, at least 1"
is_count "$fuse_delay_us" || bad "bad --fuse-delay-us '$fuse_delay_us': microseconds, a whole number"
is_count "$fuse_readahead_kb" 4 || bad "bad --fuse-readahead-kb '$fuse_readahead_kb': KiB, at least 4"
is_count "$iomax_mbps" 1 || bad "bad --iomax-mbps '$iomax_mbps': MB/s (10^6 B/s), at least 1"
is_count "$iomax_riops" || bad "bad --iomax-riops '$iomax_riops': a whole number (0: no limit)"
[ "$(id -u)" = 0 ] || die "needs root: it drops caches, mounts a FUSE filesystem and a loop device and makes a cgroup"

# What a full run and a --quick one use: the set's size per lab (a run lasts a few seconds at
# the rate the lab allows) and the CPython reference's runs per thread count.
if [ "$quick" = 1 ]; then
	declare -A default_size=([fuse]=512M [iomax]=$((iomax_mbps * 4))M [disk]=1G [tmpfs]=1G)
	: "${repeats:=3}"
	sweep_extra=(--repeats 3)
else
	declare -A default_size=([fuse]=2G [iomax]=$((iomax_mbps * 5))M [disk]=4G [tmpfs]=6G)
	: "${repeats:=5}"
	sweep_extra=()
fi
for l in $all_labs; do
	: "${size_of[$l]:=${default_size[$l]}}"
	numfmt --from=iec "${size_of[$l]%B}" >/dev/null 2>&1 || bad "bad size '${size_of[$l]}' of the $l lab (e.g. 512M, 2G)"
done

# ---- preflight: every lab asked for can be set up, before anything is ---------------------------
# The cgroup the limit lives in: cgroup v2's io.max where a cgroup2 hierarchy has the io
# controller, else cgroup v1's blkio throttle (a host whose blkio sits in a v1 hierarchy cannot
# give io to v2). Sets cg_kind (v2 or v1) and cg_root, or says why not.
cgroup_find() {
	local root
	cg_kind=
	for root in $(findmnt -rn -t cgroup2 -o TARGET); do
		if grep -qw io "$root/cgroup.controllers" 2>/dev/null; then
			cg_kind=v2 cg_root=$root
			return 0
		fi
	done
	root=$(findmnt -rn -t cgroup -o TARGET,OPTIONS | awk '$2 ~ /(^|,)blkio(,|$)/ { print $1; exit }')
	if [ -n "$root" ] && [ -e "$root/blkio.throttle.read_bps_device" ]; then
		cg_kind=v1 cg_root=$root
		return 0
	fi
	return 1
}

[ -x "$ccb" ] || die "no cryocache-bench at '$ccb' (build the tree, or set CCB)"
[ -x "$py" ] || die "no python3 at '$py' (set PYTHON3)"
bytes_of() { numfmt --from=iec "${1%B}"; } # SIZE -> bytes, as gen reads it (binary multiples)
need_space() { # DIR BYTES WHAT
	local avail
	avail=$(df --output=avail -B1 "$1" | tail -1)
	[ "$avail" -gt "$2" ] || die "$3 needs $(numfmt --to=iec --format=%.1f "$2") free in '$1', which has $(numfmt --to=iec --format=%.1f "$avail")"
}
want() { [[ ",$labs," == *",$1,"* ]]; }
[ -d "$disk_root" ] || die "--disk '$disk_root' is not a folder"
[ -d "$tmpfs_root" ] || die "--tmpfs '$tmpfs_root' is not a folder"
# The fuse and iomax labs copy into tmpfs too, so that only the limit they set is in the way.
[ "$(stat -f -c %T "$tmpfs_root")" = tmpfs ] || die "--tmpfs '$tmpfs_root' is not on tmpfs"
if want fuse; then
	[ -x "$delayfs" ] || die "the fuse lab needs bench/labs/delayfs: configure found no libfuse3 (apt-get install libfuse3-dev fuse3), or set DELAYFS"
	[ -c /dev/fuse ] || die "the fuse lab needs /dev/fuse (modprobe fuse)"
	need_space "$disk_root" "$(bytes_of "${size_of[fuse]}")" "the fuse lab's set"
fi
if want iomax; then
	for t in losetup mkfs.ext4 findmnt; do
		command -v "$t" >/dev/null || die "the iomax lab needs $t (util-linux, e2fsprogs)"
	done
	need_space "$disk_root" "$(($(bytes_of "${size_of[iomax]}") * 5 / 4 + (256 << 20)))" "the iomax lab's image"
fi
if want iomax; then
	cgroup_find || die "the iomax lab needs cgroup v2's io controller or cgroup v1's blkio, and this host has neither mounted"
fi
want disk && need_space "$disk_root" "$(($(bytes_of "${size_of[disk]}") * 2))" "the disk lab"
# In memory at once: the copy (every lab but disk) and the set (tmpfs), with 2 GiB to spare.
for l in fuse iomax tmpfs; do
	want $l || continue
	b=$(bytes_of "${size_of[$l]}")
	[ $l != tmpfs ] || b=$((b * 2))
	need_space "$tmpfs_root" "$b" "the $l lab"
	mem=$(($(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo) * 1024))
	[ "$mem" -gt $((b + (2 << 30))) ] ||
		die "the $l lab holds $(numfmt --to=iec --format=%.1f "$b") in tmpfs, and only $(numfmt --to=iec --format=%.1f "$mem") of memory are available"
done

# ---- what is set up, so that cleanup can take it down whenever the script stops ---------------
scratch_disk=
scratch_tmpfs=
mounts=()
lab_dirs=() # a seed's folders: its set and its copies, removed when the seed is done
fuse_pid=
fuse_mnt=
loop_dev=
cg_dir=
cg_home=
cg_added_io=

# cgroup_up MAJ:MIN: a cgroup of this run's own limiting reads from that device, and this
# shell in it (every command it starts from now on inherits it).
cgroup_up() {
	local dev=$1 bps=$((iomax_mbps * 1000000)) self
	if [ "$cg_kind" = v2 ]; then
		self=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
		if ! grep -qw io "$cg_root/cgroup.subtree_control"; then
			echo +io >"$cg_root/cgroup.subtree_control"
			cg_added_io=1
		fi
	else
		self=$(awk -F: '$2 ~ /(^|,)blkio(,|$)/ { print $3 }' /proc/self/cgroup)
	fi
	cg_home=$cg_root${self%/}
	cg_dir=$cg_root/ccb-lab.$$
	mkdir "$cg_dir"
	if [ "$cg_kind" = v2 ]; then
		if [ "$iomax_riops" -gt 0 ]; then
			echo "$dev rbps=$bps riops=$iomax_riops" >"$cg_dir/io.max"
		else
			echo "$dev rbps=$bps" >"$cg_dir/io.max"
		fi
	else
		echo "$dev $bps" >"$cg_dir/blkio.throttle.read_bps_device"
		[ "$iomax_riops" = 0 ] || echo "$dev $iomax_riops" >"$cg_dir/blkio.throttle.read_iops_device"
	fi
	echo $$ >"$cg_dir/cgroup.procs"
}

cgroup_down() {
	[ -n "$cg_dir" ] || return 0
	echo $$ >"$cg_home/cgroup.procs" || echo $$ >"$cg_root/cgroup.procs"
	rmdir "$cg_dir" || say "could not remove the cgroup '$cg_dir'"
	if [ -n "$cg_added_io" ]; then
		echo -io >"$cg_root/cgroup.subtree_control" 2>/dev/null || true
	fi
	cg_dir='' cg_added_io=''
}

# delayfs unmounts itself on SIGTERM and prints its counts; a daemon that does not go in 5 s is
# unmounted lazily and killed.
fuse_down() {
	local i
	[ -n "$fuse_pid" ] || return 0
	kill -TERM "$fuse_pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$fuse_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$fuse_pid" 2>/dev/null; then
		say "delayfs did not stop: unmounting '$fuse_mnt' lazily"
		umount -l "$fuse_mnt"
		kill -KILL "$fuse_pid" 2>/dev/null
	fi
	wait "$fuse_pid" 2>/dev/null || true
	! mountpoint -q "$fuse_mnt" || umount -l "$fuse_mnt"
	fuse_mnt='' fuse_pid=''
}

lab_down() {
	local i
	cgroup_down
	fuse_down
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[i]}" || umount -l "${mounts[i]}"
	done
	mounts=()
	if [ -n "$loop_dev" ]; then
		losetup -d "$loop_dev"
		loop_dev=
	fi
	# One seed's set at a time: three seeds' sets of the tmpfs lab do not fit in /dev/shm.
	for i in ${lab_dirs[@]+"${lab_dirs[@]}"}; do
		remove_tree "$i"
	done
	lab_dirs=()
}

# Remove a scratch folder only when nothing is mounted below it.
remove_tree() {
	[ -n "$1" ] && [ -d "$1" ] || return 0
	if awk -v d="$1/" 'index($2 "/", d) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
		say "left '$1' in place: something is still mounted below it"
		return 0
	fi
	rm -rf --one-file-system "$1"
}

# Free page reporting off for the labs (--hold-freed-memory): the largest order the kernel takes
# as page_reporting_order, past the largest page order, reports no free block at all.
hold_freed_memory() {
	local o
	[ -w "$pr_order" ] || die "--hold-freed-memory: '$pr_order' is not there: this kernel does not report free pages to a host"
	pr_saved=$(cat "$pr_order")
	for o in 16 15 14 13 12 11; do
		echo "$o" >"$pr_order" 2>/dev/null && break
	done
	say "free page reporting held: page_reporting_order $pr_saved -> $(cat "$pr_order") until the labs end"
}

cleanup() {
	set +e
	trap - INT TERM
	[ -z "$pr_saved" ] || echo "$pr_saved" >"$pr_order"
	lab_down
	remove_tree "$scratch_disk"
	remove_tree "$scratch_tmpfs"
}
trap cleanup EXIT
trap 'say "interrupted: cleaning up"; exit 130' INT
trap 'exit 143' TERM

# cryocache-bench catches Ctrl-C, finishes cleanly and exits 130 (143 for SIGTERM); bash then
# takes the signal as handled and would not run its own trap: stop as the trap would.
stop_if_interrupted() {
	case $1 in
	130) say "interrupted: cleaning up"; exit 130 ;;
	143) exit 143 ;;
	esac
}

# ---- the labs: each sets src (read-only) and dst, and generates the set with the seed ---------
gen_set() { # DIR SIZE SEED
	local rc=0
	"$ccb" gen --total "$2" --seed "$3" "$1" >>"$res/setup.log" 2>&1 || rc=$?
	stop_if_interrupted "$rc"
	[ "$rc" = 0 ] || die "gen failed (see $res/setup.log)"
}

ro_bind() { # DIR MOUNTPOINT
	mkdir -p "$2"
	mount --bind "$1" "$2"
	mounts+=("$2")
	mount -o remount,bind,ro "$2"
}

lab_up_disk() { # SEED
	local d=$scratch_disk/disk-$1
	mkdir -p "$d/set" "$d/dst"
	lab_dirs+=("$d")
	gen_set "$d/set" "${size_of[disk]}" "$1"
	ro_bind "$d/set" "$d/src"
	src=$d/src dst=$d/dst
}

lab_up_tmpfs() {
	local d=$scratch_tmpfs/tmpfs-$1
	mkdir -p "$d/set" "$d/dst"
	lab_dirs+=("$d")
	gen_set "$d/set" "${size_of[tmpfs]}" "$1"
	ro_bind "$d/set" "$d/src"
	src=$d/src dst=$d/dst
}

lab_up_fuse() {
	local d=$scratch_disk/fuse-$1 i dev
	mkdir -p "$d/set" "$d/mnt" "$scratch_tmpfs/fuse-$1/dst"
	lab_dirs+=("$d" "$scratch_tmpfs/fuse-$1")
	gen_set "$d/set" "${size_of[fuse]}" "$1"
	"$delayfs" -f --delay-us "$fuse_delay_us" "$d/set" "$d/mnt" 2>"$res/delayfs.log" &
	fuse_pid=$! fuse_mnt=$d/mnt
	for ((i = 0; i < 100; i++)); do
		mountpoint -q "$d/mnt" && break
		kill -0 "$fuse_pid" 2>/dev/null || die "delayfs did not start: $(cat "$res/delayfs.log")"
		sleep 0.1
	done
	mountpoint -q "$d/mnt" || die "delayfs did not mount '$d/mnt' in 10 s"
	# The kernel reads ahead 128 KiB at most on FUSE whatever max_read says: the readahead
	# decides the size of the reads and how many of one file's are in flight.
	dev=$(mountpoint -d "$d/mnt")
	echo "$fuse_readahead_kb" >"/sys/class/bdi/$dev/read_ahead_kb"
	echo "delayfs: --delay-us $fuse_delay_us, bdi $dev read_ahead_kb $(cat "/sys/class/bdi/$dev/read_ahead_kb")" >>"$res/setup.log"
	src=$d/mnt dst=$scratch_tmpfs/fuse-$1/dst
}

lab_up_iomax() {
	local d=$scratch_disk/iomax-$1 dev bytes
	mkdir -p "$d/mnt" "$scratch_tmpfs/iomax-$1/dst"
	lab_dirs+=("$d" "$scratch_tmpfs/iomax-$1")
	bytes=$(bytes_of "${size_of[iomax]}")
	truncate -s $((bytes * 5 / 4 + (256 << 20))) "$d/image"
	# Direct I/O from the loop device to its image: no second copy of the set in the page
	# cache (of the image file) for a drop to miss or a read to hit.
	loop_dev=$(losetup --find --show --direct-io=on "$d/image")
	# Initialised now, not by a kernel thread writing in the background during the runs.
	mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$loop_dev" >>"$res/setup.log" 2>&1
	mount "$loop_dev" "$d/mnt"
	mounts+=("$d/mnt")
	gen_set "$d/mnt/set" "${size_of[iomax]}" "$1"
	umount "$d/mnt"
	mount -o ro "$loop_dev" "$d/mnt"
	dev=$(cat "/sys/class/block/${loop_dev#/dev/}/dev")
	cgroup_up "$dev"
	echo "iomax: $loop_dev ($dev, direct-io $(cat "/sys/class/block/${loop_dev#/dev/}/loop/dio")), cgroup $cg_kind $cg_dir, read limit $iomax_mbps MB/s, $iomax_riops IOPS (0: none)" >>"$res/setup.log"
	src=$d/mnt/set dst=$scratch_tmpfs/iomax-$1/dst
	cap_check
}

# Does the limit bind? A cold buffered read of the whole set from inside the cgroup, as the
# copies will read it, must not be much faster than the limit (blk-throttle lets a short burst
# through at the start, hence the slack; a limit that does not bind reads at the disk's rate).
cap_check() {
	local bytes t0 t1 mbs
	bytes=$(find "$src" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
	drop
	t0=$(now)
	find "$src" -type f -print0 | xargs -0 cat >/dev/null
	t1=$(now)
	mbs=$(calc "int($bytes / ($t1 - $t0) / 1e6)")
	echo "cap check: a cold read of the set ($bytes bytes) from the cgroup ran at $mbs MB/s (limit $iomax_mbps)" >>"$res/setup.log"
	if [ "$mbs" -gt $((iomax_mbps * 5 / 4)) ]; then
		notes+=("the read limit did not bind: a cold read of the set ran at $mbs MB/s, limit $iomax_mbps")
		say "iomax: the read limit did not bind (a cold read ran at $mbs MB/s, limit $iomax_mbps MB/s)"
	fi
}

# ---- the real copier at every thread count ----------------------------------------------------
has_cpython_strategy() {
	"$ccb" strategies 2>/dev/null | awk '$1 == "cpython" && $2 == "available" { f = 1 } END { exit !f }'
}

# CPython's shutil.copyfile in a ThreadPoolExecutor (tests/helpers/shutil_copy.py), interleaved:
# every round runs each thread count once in a shuffled order, caches dropped before each run;
# durable = copied + syncfs of the destination, as the tool's clock. Each run's own JSON line
# goes to LOG.jsonl, the times to LOG (a TSV, as bench/summary.py reads).
cpython_by_script() { # LOG
	local log=$1 round n plain=$dst/cpython-copy copied t0 t1 bytes
	printf 'round\tcontender\tthreads\tcopied_s\tdurable_s\tbytes\n' >"$log"
	# One copy first, not recorded: the first copy into a fresh destination pays for what later
	# ones find ready (tmpfs pages, the destination's metadata), and would bias one cell.
	mkdir -p "$plain"
	drop
	"$py" "$here/tests/helpers/shutil_copy.py" --threads 2 "$src" "$plain" >/dev/null
	rm -rf "$plain"
	for ((round = 1; round <= repeats; round++)); do
		for n in $(tr , "\n" <<<"$threads" | shuf --random-source=<(yes "$seed.$round" 2>/dev/null)); do
			rm -rf "$plain"
			mkdir -p "$plain"
			drop
			# In the foreground, so that Ctrl-C reaches it and then this script.
			"$py" "$here/tests/helpers/shutil_copy.py" --threads "$n" "$src" "$plain" >>"$log.jsonl"
			t0=$(now)
			sync -f "$plain"
			t1=$(now)
			read -r copied bytes <<<"$(tail -1 "$log.jsonl" |
				"$py" -c 'import json,sys; d=json.load(sys.stdin); print(d["seconds"], d["bytes"])')"
			printf '%s\tcpython\t%s\t%s\t%s\t%s\n' "$round" "$n" "$copied" "$(calc "$copied + $t1 - $t0")" "$bytes" >>"$log"
		done
	done
	rm -rf "$plain"
}

# ---- one lab, one seed ----------------------------------------------------------------------------
run_one() { # LAB SEED
	local lab=$1 t0 ref n rc note_args=()
	seed=$2
	res=$out/$lab-seed$seed
	notes=()
	mkdir -p "$res"
	# Tests that drop caches or mount things hold this lock (tests/helpers/lib.sh); so does a lab.
	exec 9>"${CCB_LOCK_FILE:-/var/tmp/cryocache-bench-tests.lock}"
	if ! flock -n 9; then
		say "$lab, seed $seed: waiting for the machine lock (a test that drops caches holds it)"
		flock 9
	fi
	t0=$(now)
	say "$lab, seed $seed: setting up (set of ${size_of[$lab]})"
	"lab_up_$lab" "$seed"
	say "$lab, seed $seed: sweep of $copier at $threads threads"
	rc=0
	"$ccb" sweep --strategies "$copier" --threads "$threads" --seed "$seed" ${sweep_extra[@]+"${sweep_extra[@]}"} \
		--out "$res/sweep" "$src" "$dst" >"$res/sweep.log" 2>&1 || rc=$?
	stop_if_interrupted "$rc"
	[ "$rc" = 0 ] || notes+=("the sweep exited with status $rc (see sweep.log)")
	grep -m1 'CRYOSPARC_CACHE_NUM_THREADS' "$res/sweep.log" >&2 || true
	if has_cpython_strategy; then
		say "$lab, seed $seed: the cpython strategy at $threads threads, $repeats runs each"
		rc=0
		"$ccb" sweep --strategies cpython --threads "$threads" --repeats "$repeats" --seed "$seed" \
			--no-plots --out "$res/cpython" "$src" "$dst" >"$res/cpython.log" 2>&1 || rc=$?
		stop_if_interrupted "$rc"
		[ "$rc" = 0 ] || notes+=("the cpython sweep exited with status $rc (see cpython.log)")
		ref=(--cpython-sweep "$res/cpython")
	else
		say "$lab, seed $seed: tests/helpers/shutil_copy.py at $threads threads, $repeats runs each"
		cpython_by_script "$res/cpython.tsv"
		ref=(--cpython-log "$res/cpython.tsv")
	fi
	lab_down
	flock -u 9
	[ "$lab" != fuse ] || notes+=("$(grep '^delayfs: [0-9]* reads' "$res/delayfs.log" | tail -1)")
	for n in ${notes[@]+"${notes[@]}"}; do
		note_args+=(--note "$n")
	done
	"$py" "$here/bench/labs/labs.py" row --lab "$lab" --seed "$seed" --threads "$threads" \
		--copier "$copier" --sweep "$res/sweep" "${ref[@]}" ${note_args[@]+"${note_args[@]}"} >>"$out/rows.jsonl"
	say "$lab, seed $seed: done in $(calc "int($(now) - $t0)") s"
}

# The copier the lab's sweep measures and recommends from: the real interpreter when this binary
# can run it, as a user with a python3 would be told to; else the emulation.
if [ -z "$copier" ]; then
	if has_cpython_strategy; then copier=cpython; else copier=shutil; fi
elif [ "$copier" = cpython ] && ! has_cpython_strategy; then
	die "--copier cpython: '$ccb strategies' does not list the cpython strategy as available (no python3?)"
fi

: "${out:=cryocache-labs/$(date -u +%Y%m%d-%H%M%S)}"
[ ! -e "$out" ] || [ -z "$(ls -A "$out")" ] || die "--out '$out' exists and is not empty"
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ "$hold_freed" = 0 ] || hold_freed_memory
reported0=$(cat "$pr_reported" 2>/dev/null || echo "")
scratch_disk=$(mktemp -d "$disk_root/ccb-labs.XXXXXX")
scratch_tmpfs=$(mktemp -d "$tmpfs_root/ccb-labs.XXXXXX")
{
	echo "started: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "host: $(uname -n), kernel $(uname -r), $(nproc) CPUs, $(free -g | awk '/^Mem/ { print $2 }') GiB"
	echo "cryocache-bench: $("$ccb" --version 2>&1 | head -1) ($ccb)"
	echo "python: $("$py" --version 2>&1) ($py)"
	echo "reference: $(has_cpython_strategy && echo 'the cpython strategy' || echo 'tests/helpers/shutil_copy.py'), $repeats runs per thread count"
	echo "labs: $labs; seeds: $seeds; threads: $threads; quick: $quick; copier: $copier"
	for l in ${labs//,/ }; do echo "size $l: ${size_of[$l]}"; done
	echo "fuse: --delay-us $fuse_delay_us, read_ahead_kb $fuse_readahead_kb"
	echo "iomax: $iomax_mbps MB/s, $iomax_riops IOPS (0: none), cgroup ${cg_kind:-(not used)}"
	echo "disk: $disk_root ($(findmnt -n -o SOURCE,FSTYPE --target "$disk_root")); tmpfs: $tmpfs_root"
	"$ccb" strategies 2>&1 | sed 's/^/strategy: /'
	# What diag finds of the machine (a VM's free page reporting makes memory-bound runs bimodal).
	"$ccb" diag "$disk_root" "$tmpfs_root" 2>&1 | sed -n '/^findings:/,$p' | sed 's/^/diag: /'
	echo "free page reporting: $([ "$hold_freed" = 1 ] && echo "held (page_reporting_order $pr_saved -> $(cat "$pr_order"))" || echo "as the machine has it")"
} >"$out/env.txt"

for lab in ${labs//,/ }; do
	for seed in ${seeds//,/ }; do
		run_one "$lab" "$seed"
	done
done

if [ -n "$reported0" ]; then
	echo "free page reporting: $(($(cat "$pr_reported") - reported0)) KiB reported to the host during the labs" >>"$out/env.txt"
fi
status=0
"$py" "$here/bench/labs/labs.py" table "$out/rows.jsonl" >"$out/table.md" || status=$?
cat "$out/table.md"
say "results in $out"
exit "$status"
