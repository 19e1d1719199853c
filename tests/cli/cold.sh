#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/cold.sh - runs start cold, and residency is measured rather than assumed: a set that
# another process keeps in memory is reported as not cold, whichever way the cache was dropped.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_root "dropping the page cache"
need_python
ccb_lock_machine

ccb_make_set --stacks 8 --box 128 --particles 20-40

# (a) As root the cache is dropped through /proc/sys/vm/drop_caches, and a set read into memory
# just before the benchmark is cold again when each run starts.
note "(a) drop_caches makes a warm set cold"
find "$src" -type f -exec cat {} + >/dev/null
out=$ccb_tmp/a
if quick; then repeats=1; else repeats=2; fi
expect_ok "$CCB" run --repeats $repeats --quiet --out "$out" "$src" "$dst"
expect_json "$out/results.json" "len(runs) == $repeats" \
	"all(r['cold']['method'] == 'drop_caches' for r in runs)" \
	"all(0 <= r['cold']['residency_pct'] < 5 for r in runs)" \
	"all(r['cold']['cold'] is True for r in runs)" \
	"not any('not cold' in w for r in runs for w in r['warnings'])"
! grep -q 'not-cold' "$ccb_tmp/out" || fail "a cold run is marked not-cold in the table"

# (d) --drop files evicts only the set's pages (posix_fadvise), and still proves them cold.
note "(d) --drop files makes a warm set cold"
find "$src" -type f -exec cat {} + >/dev/null
out=$ccb_tmp/d
expect_ok "$CCB" run --drop files --repeats 1 --quiet --out "$out" "$src" "$dst"
expect_json "$out/results.json" "len(runs) == 1" \
	"runs[0]['cold']['method'] == 'files'" \
	"0 <= runs[0]['cold']['residency_pct'] < 5 and runs[0]['cold']['cold'] is True" \
	"runs[0]['cold']['residency_files'] == 8"
expect_fail 2 "'some' for --drop" "$CCB" run --drop some --repeats 1 --quiet --out "$ccb_tmp/d2" "$src" "$dst"

# (c) --require-drop refuses the posix_fadvise fallback, naming the file it could not write.
note "(c) --require-drop with a drop_caches file that cannot be written"
drop=$ccb_tmp/nonexistent-dir/drop_caches
out=$ccb_tmp/c
expect_fail 1 "cannot drop the page cache \('$drop'\).*--require-drop" \
	"$CCB" run --require-drop --drop-caches-path "$drop" --repeats 2 --quiet --out "$out" \
	"$src" "$dst"
# Refused before anything is measured or written: no results folder, nothing in DST.
[ ! -e "$out/results.json" ] || fail "a refused session wrote $out/results.json"
[ -z "$(ls -A "$dst")" ] || fail "the refused run left in DST: $(ls -A "$dst")"

quick && exit 0

# (b) Neither drop_caches nor posix_fadvise(DONTNEED) evicts pages that a process has mapped (the
# kernel skips mapped pages when it invalidates a file's cache), so a helper that maps every file
# of the set, mlock()s it and stays alive keeps the set fully resident through the run. The run
# must then measure ~100 % and say so, in results.json, on stderr and in the table.
files=$ccb_tmp/files
find "$src" -type f -name '*.mrcs' >"$files"
"$PY" - "$ccb_tmp/held" "$files" <<'EOF' &
import ctypes, os, sys, time

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                      ctypes.c_long]
libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
PROT_READ, MAP_SHARED, MAP_FAILED = 1, 1, ctypes.c_void_p(-1).value
page = os.sysconf("SC_PAGE_SIZE")
parent = os.getppid()
for path in open(sys.argv[2]).read().split("\n")[:-1]:
    fd = os.open(path, os.O_RDONLY)
    size = os.fstat(fd).st_size
    addr = libc.mmap(None, size, PROT_READ, MAP_SHARED, fd, 0)
    if addr in (None, MAP_FAILED):
        sys.exit("mmap %s: %s" % (path, os.strerror(ctypes.get_errno())))
    # mlock faults every page in; where it is not allowed, touching each page maps it just the same.
    if libc.mlock(addr, size) != 0:
        for off in range(0, size, page):
            ctypes.string_at(addr + off, 1)
    os.close(fd)
open(sys.argv[1], "w").close()
# Hold the pages until the test kills us, or its shell goes away.
while os.getppid() == parent:
    time.sleep(0.2)
EOF
holder=$!
trap 'kill "$holder" 2>/dev/null || true; ccb_cleanup' EXIT
for _ in $(seq 100); do
	[ -e "$ccb_tmp/held" ] && break
	kill -0 "$holder" 2>/dev/null || fail "the helper that maps the set exited early"
	sleep 0.1
done
[ -e "$ccb_tmp/held" ] || fail "the helper did not map the set within 10 s"

# (b1) posix_fadvise, the fallback when drop_caches cannot be written, and (b2) drop_caches.
for method in fadvise drop_caches; do
	note "(b) a set held in memory by another process, $method"
	out=$ccb_tmp/b-$method
	if [ $method = fadvise ]; then
		set -- --drop-caches-path "$ccb_tmp/nonexistent-dir/drop_caches"
	else
		set --
	fi
	expect_ok "$CCB" run --repeats 1 --quiet --out "$out" "$@" "$src" "$dst"
	expect_json "$out/results.json" "len(runs) == 1" \
		"runs[0]['cold']['method'] == '$method'" \
		"runs[0]['cold']['residency_pct'] > 90" \
		"runs[0]['cold']['cold'] is False" \
		"any('not cold' in w for w in runs[0]['warnings'])" \
		"runs[0]['errors'] == [] and runs[0]['files'] == 8"
	# --quiet quiets warnings on stderr; the table still lists them
	! grep -q 'warning: not cold' "$ccb_tmp/err" ||
		fail "--quiet printed a warning on stderr: $(cat "$ccb_tmp/err")"
	grep -q '^  - run 1: not cold' "$ccb_tmp/out" ||
		fail "the table does not list the 'not cold' warning: $(cat "$ccb_tmp/out")"
	grep -Eq '^ +1 +shutil .*not-cold' "$ccb_tmp/out" ||
		fail "the table does not mark the run not-cold: $(cat "$ccb_tmp/out")"
done
kill "$holder"
wait "$holder" 2>/dev/null || true
