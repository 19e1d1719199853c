#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/uring.sh - the io_uring strategy: byte-identical copies over threads, queue depths, files
# in flight and O_DIRECT; O_DIRECT on tmpfs; io_uring disabled at run time; a write that fails
# half-way names the file, is not counted as copied and leaves what was written.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
why=$("$CCB" strategies --json | "$PY" -c 'import json, sys
s = [s for s in json.load(sys.stdin) if s["name"] == "uring"]
print("not listed by strategies" if not s else "" if s[0]["available"] else s[0]["why"])')
[ -z "$why" ] || skip "uring is unavailable: $why"
ccb_lock_if_root

# Sizes around a byte, a sector, a page and a MiB (the default --bs), and one of many blocks that
# ends 3 bytes into the last, in nested folders, for --all-files.
all=$ccb_tmp/all
mkdir -p "$all/a/b/c" "$all/d/e"
sizes=(empty:0 a/one:1 a/b/sector-1:511 a/b/sector:512 a/b/c/page-1:4095 d/page:4096
	d/e/page+1:4097 a/mib-1.mrcs:1048575 "d/mib+1 space.mrcs:1048577" a/b/c/big.mrcs:67108867)
for f in "${sizes[@]}"; do
	head -c "${f##*:}" /dev/urandom >"$all/${f%:*}"
done
[ "$(stat -c %s "$all/a/b/c/big.mrcs")" = 67108867 ] || fail "could not write the test tree"

# blocks TREE BS: how many reads of BS bytes cover every file of TREE.
blocks() {
	find "$1" -type f -printf '%s\n' | "$PY" -c 'import sys
bs = int(sys.argv[1])
print(sum((int(s) + bs - 1) // bs for s in sys.stdin))' "$2"
}
# tails TREE: files whose size is not a multiple of 4096 (O_DIRECT pads and truncates them).
tails() {
	find "$1" -type f -printf '%s\n' | awk '$1 % 4096 { n++ } END { print n + 0 }'
}

# must_match FILE REGEX WHAT: a line of FILE matches REGEX, or the test fails showing FILE.
must_match() {
	grep -Eq -- "$2" "$1" || fail "$3: $(cat "$1")"
}

# copy NAME SRC DST RUN-OPTIONS...: a kept run of uring, compared byte for byte, checked in
# results.json, then cleaned. --bs and --direct in the options decide the expected counters.
copy() {
	local name=$1 src=$2 dst=$3 bs=1048576 direct=False
	local out=$ccb_tmp/results
	shift 3
	for o in "$@"; do
		case $o in
		--direct) direct=True ;;
		esac
	done
	case " $* " in
	*" --bs "*) bs=$(echo " $* " | sed 's/.* --bs \([0-9]*\) .*/\1/') ;;
	esac
	note "copy: $name"
	mkdir -p "$dst"
	expect_ok "$CCB" run --strategy uring --keep --repeats 1 --quiet --all-files --out "$out" \
		"$@" "$src" "$dst"
	local kept=("$dst"/.cryocache-bench.*)
	[ ${#kept[@]} = 1 ] && [ -d "${kept[0]}/copy" ] ||
		fail "$name: expected one kept scratch copy in '$dst', found: ${kept[*]}"
	same_tree "$src" "${kept[0]}/copy"
	# Every block is read and written once; a short read or write adds one more of its kind.
	local c="d['runs'][0]['strategy_counters']"
	expect_json "$out/results.json" "len(d['runs']) == 1" "d['runs'][0]['errors'] == []" \
		"d['runs'][0]['files'] == d['source']['files'] == $(find "$src" -type f | wc -l)" \
		"d['runs'][0]['bytes'] == d['source']['bytes']" \
		"d['runs'][0]['strategy'] == 'uring'" \
		"$c['reads'] + $c['writes'] == 2 * $(blocks "$src" "$bs") + $c['short_io']" \
		"$c['direct_tails'] == ($(tails "$src") if $direct else 0)" \
		"0 <= $c['fixed_buffers'] <= d['runs'][0]['threads']" \
		"$c['ring_open_close'] in (0, d['runs'][0]['threads'])"
	expect_ok "$CCB" clean "$dst"
	[ -z "$(ls -A "$dst")" ] || fail "$name: clean left in DST: $(ls -A "$dst")"
	rm -rf "$dst" "$out"
}

# Each thread count, queue depth, number of files in flight and --direct, not every product.
dst=$ccb_tmp/dst
copy "1 thread, defaults" "$all" "$dst" --threads 1
copy "3 threads, --qd 32 --inflight 4 --direct" "$all" "$dst" --threads 3 --qd 32 --inflight 4 \
	--direct
if ! quick; then
	copy "1 thread, --qd 1 --inflight 1 --direct" "$all" "$dst" --threads 1 --qd 1 \
		--inflight 1 --direct
	copy "3 threads, --qd 4 --inflight 1" "$all" "$dst" --threads 3 --qd 4 --inflight 1
	copy "8 threads, --qd 1 --inflight 4" "$all" "$dst" --threads 8 --qd 1 --inflight 4
	copy "8 threads, --qd 4 --inflight 4 --direct" "$all" "$dst" --threads 8 --qd 4 \
		--inflight 4 --direct
	# Blocks that are a page, and blocks that are not a multiple of anything.
	copy "--bs 4096 --qd 4 --direct" "$all" "$dst" --threads 2 --bs 4096 --qd 4 --direct
	copy "--bs 1000 --qd 32" "$all" "$dst" --threads 2 --bs 1000 --qd 32
fi

# O_DIRECT needs --bs in whole 4096-byte blocks: refused, naming the file, O_DIRECT and --bs.
note "--direct with --bs 1000"
mkdir -p "$dst"
expect_fail 1 "cannot use O_DIRECT with a --bs that is not a multiple of 4096 bytes on '$all/" \
	"$CCB" run --strategy uring --repeats 1 --quiet --all-files --out "$ccb_tmp/r-bs" \
	--direct --bs 1000 "$all" "$dst"
expect_json "$ccb_tmp/r-bs/results.json" "d['runs'][0]['files'] == 0" \
	"'O_DIRECT' in d['runs'][0]['errors'][0] and '--bs' in d['runs'][0]['errors'][0]"
rm -rf "$dst"
quick && exit 0

# O_DIRECT on tmpfs (Linux 6.6 has it): the copy either works byte for byte, or fails naming the
# file and O_DIRECT. It never falls back to buffered I/O.
small=$ccb_tmp/small
cp -al "$all" "$small"
rm "$small/a/b/c/big.mrcs"
shm=/dev/shm
if [ -d "$shm" ] && [ -w "$shm" ] && [ "$(stat -f -c %T "$shm")" = tmpfs ] &&
	[ "$(df -Pk "$shm" | awk 'NR == 2 { print $4 }')" -gt $((256 * 1024)) ]; then
	shm_tmp=$(mktemp -d "$shm/ccb-test.XXXXXX")
	trap 'rm -rf "$shm_tmp"; ccb_cleanup' EXIT
	for way in "to tmpfs:$small:$shm_tmp/dst" "from tmpfs:$shm_tmp/src:$dst"; do
		IFS=: read -r name src to <<<"$way"
		[ "$src" = "$small" ] || cp -a "$small" "$src"
		mkdir -p "$to"
		rc=0
		"$CCB" run --strategy uring --direct --keep --repeats 1 --quiet --all-files \
			--out "$ccb_tmp/r-shm" "$src" "$to" >"$ccb_tmp/out" 2>"$ccb_tmp/err" ||
			rc=$?
		if [ $rc = 0 ]; then
			note "O_DIRECT $name works: the copy must be exact"
			same_tree "$src" "$to"/.cryocache-bench.*/copy
			n=$(tails "$src")
			expect_json "$ccb_tmp/r-shm/results.json" "d['runs'][0]['errors'] == []" \
				"d['runs'][0]['files'] == $(find "$src" -type f | wc -l)" \
				"d['runs'][0]['strategy_counters']['direct_tails'] == $n"
		else
			note "O_DIRECT $name is refused: the message must say so"
			[ $rc = 1 ] || fail "O_DIRECT $name exited $rc: $(cat "$ccb_tmp/err")"
			must_match "$ccb_tmp/err" \
				"cannot open with O_DIRECT '$shm_tmp/[^']+': Invalid argument" \
				"O_DIRECT $name: no message naming O_DIRECT and the file"
		fi
		expect_ok "$CCB" clean "$to"
		rm -rf "$to" "$ccb_tmp/r-shm" "$shm_tmp/src"
	done
else
	note "no writable tmpfs with 256 MiB free at $shm: O_DIRECT on tmpfs not checked"
fi

# A write that fails half-way: RLIMIT_FSIZE (with SIGXFSZ ignored) makes write() fail with EFBIG
# at a chosen offset, deterministically and without root. One thread, one file open, queue depth
# 1: a.bin is copied, b.big gets blocks 0 and 1, a short write of 4 KiB and then EFBIG, and c.bin
# is never started. The error names the file and the call, b.big is not reported copied and
# keeps exactly the 2 MiB + 4 KiB written (no truncation to its full size), with and without
# O_DIRECT (4 KiB keeps the short write aligned for O_DIRECT).
fsize_limited() {
	local kib=$1
	shift
	(ulimit -f "$kib" && trap '' XFSZ && exec "$@")
}
big=$ccb_tmp/efbig
mkdir -p "$big/s"
head -c 100000 /dev/urandom >"$big/s/a.bin"
head -c $((8 << 20)) /dev/urandom >"$big/s/b.big"
head -c 100000 /dev/urandom >"$big/s/c.bin"
limit=$(((2 << 10) + 4))
efbig="cannot write '$big/dst/\.cryocache-bench\.[^/]+/copy/b\.big': File too large"
for direct in "" --direct; do
	note "EFBIG half-way through b.big, qd 1 ${direct:-buffered}"
	mkdir -p "$big/dst"
	expect_fail 1 "$efbig" \
		fsize_limited $limit "$CCB" run --strategy uring --threads 1 --inflight 1 --qd 1 \
		$direct --keep --repeats 1 --quiet --all-files --out "$big/r" "$big/s" "$big/dst"
	copy_dir=$(echo "$big/dst"/.cryocache-bench.*/copy)
	cmp -s "$big/s/a.bin" "$copy_dir/a.bin" || fail "a.bin, copied before the failure, differs"
	got=$(stat -c %s "$copy_dir/b.big")
	[ "$got" = $((limit * 1024)) ] ||
		fail "b.big should keep the $((limit * 1024)) bytes written, has $got"
	cmp -s -n $((limit * 1024)) "$big/s/b.big" "$copy_dir/b.big" ||
		fail "the part of b.big written before the failure differs"
	[ ! -e "$copy_dir/c.bin" ] || fail "c.bin was started after b.big failed"
	expect_json "$big/r/results.json" "d['runs'][0]['files'] == 1" \
		"d['runs'][0]['bytes'] == 100000" \
		"len(d['runs'][0]['errors']) == 1 and 'b.big' in d['runs'][0]['errors'][0]" \
		"d['runs'][0]['strategy_counters']['short_io'] == 1" \
		"d['runs'][0]['strategy_counters']['writes'] == 1 + 3"
	expect_ok "$CCB" clean "$big/dst"
	rm -rf "$big/dst" "$big/r"
done

# With the queue full, the file fails the same way; what was written may have holes.
note "EFBIG half-way through b.big, qd 32"
mkdir -p "$big/dst"
expect_fail 1 "$efbig" \
	fsize_limited $limit "$CCB" run --strategy uring --threads 1 --inflight 4 --qd 32 --keep \
	--repeats 1 --quiet --all-files --out "$big/r" "$big/s" "$big/dst"
copy_dir=$(echo "$big/dst"/.cryocache-bench.*/copy)
[ "$(stat -c %s "$copy_dir/b.big")" -le $((limit * 1024)) ] ||
	fail "b.big grew past the limit: $(stat -c %s "$copy_dir/b.big")"
expect_json "$big/r/results.json" "d['runs'][0]['files'] <= 2" \
	"d['runs'][0]['bytes'] <= 200000" \
	"any('b.big' in e and 'File too large' in e for e in d['runs'][0]['errors'])"
expect_ok "$CCB" clean "$big/dst"
rm -rf "$big/dst" "$big/r"

# Buffers that cannot be registered (RLIMIT_MEMLOCK, for a user without CAP_IPC_LOCK) mean plain
# reads and writes instead of the _fixed ones: counted, and still an exact copy.
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
can_be_nobody() {
	[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
		as_nobody "$CCB" --version >/dev/null 2>&1
}
memlock_limited() { (ulimit -l 64 && "$@"); }
if can_be_nobody; then
	note "buffers not registered (uid 65534, 64 KiB RLIMIT_MEMLOCK)"
	chmod 755 "$ccb_tmp"
	pub=$ccb_tmp/pub
	mkdir -m 777 "$pub" "$pub/dst"
	cp -a "$small" "$pub/src"
	chown -R 65534:65534 "$pub/src"
	expect_ok memlock_limited as_nobody "$CCB" run --strategy uring --threads 2 --keep \
		--repeats 1 --quiet --all-files --out "$pub/r" "$pub/src" "$pub/dst"
	same_tree "$pub/src" "$pub/dst"/.cryocache-bench.*/copy
	expect_json "$pub/r/results.json" "d['runs'][0]['errors'] == []" \
		"d['runs'][0]['files'] == $(find "$small" -type f | wc -l)" \
		"d['runs'][0]['strategy_counters']['fixed_buffers'] == 0"
	expect_ok "$CCB" clean "$pub/dst"
	rm -rf "$pub"
else
	note "cannot run '$CCB' as uid 65534: unregistered buffers not checked"
fi

# io_uring disabled at run time (kernel.io_uring_disabled, Linux 6.6): `strategies` says so and
# `run` refuses with the reason, instead of measuring something else.
disabled=/proc/sys/kernel/io_uring_disabled
if [ "$(id -u)" != 0 ]; then
	note "not root: io_uring_disabled not checked"
elif [ ! -w "$disabled" ]; then
	note "no writable $disabled: io_uring_disabled not checked"
else
	note "io_uring_disabled=2, then 1"
	old=$(cat "$disabled")
	trap 'echo "$old" >"$disabled"; rm -rf "${shm_tmp:-}"; ccb_cleanup' EXIT
	trap 'exit 130' INT TERM
	echo 2 >"$disabled"
	reason='io_uring is disabled \(kernel\.io_uring_disabled=2\)'
	expect_ok "$CCB" strategies --json
	"$PY" -c 'import json, sys
s = [s for s in json.load(open(sys.argv[1])) if s["name"] == "uring"][0]
sys.exit(0 if not s["available"] and "io_uring_disabled=2" in s["why"] else 1)' "$ccb_tmp/out" ||
		fail "strategies --json does not list uring unavailable: $(cat "$ccb_tmp/out")"
	expect_ok "$CCB" strategies
	must_match "$ccb_tmp/out" "^uring +unavailable +$reason" \
		"strategies does not say why uring is unavailable"
	mkdir -p "$dst"
	expect_fail 1 "strategy 'uring' cannot run here: $reason" \
		"$CCB" run --strategy uring --repeats 1 --quiet --all-files --out "$ccb_tmp/r-dis" \
		"$small" "$dst"
	# 1: root (CAP_SYS_ADMIN) may, an ordinary user outside kernel.io_uring_group may not.
	echo 1 >"$disabled"
	expect_ok "$CCB" strategies
	must_match "$ccb_tmp/out" '^uring +available' \
		"uring is not available to root with io_uring_disabled=1"
	if can_be_nobody; then
		expect_ok as_nobody "$CCB" strategies
		reason='io_uring is disabled for this process \(kernel\.io_uring_disabled=1 '
		must_match "$ccb_tmp/out" "^uring +unavailable +$reason" \
			"strategies as nobody does not name io_uring_disabled=1"
	else
		note "cannot run '$CCB' as uid 65534: io_uring_disabled=1 for users not checked"
	fi
	echo "$old" >"$disabled"
	[ -z "$(ls -A "$dst")" ] || fail "a refused run left in DST: $(ls -A "$dst")"
fi
