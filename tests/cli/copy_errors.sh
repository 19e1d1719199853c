#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/copy_errors.sh - a destination that fills up half-way through a copy: every data-path
# strategy fails with exit 1 naming the file, the call and "No space left on device", results.json
# keeps the finished run, and the kept half-copied file holds exactly what was written.
#
# The run refuses a set larger than the free space before it starts, so the filesystem is filled
# between the two repeats of one session. The moment is made exact with fanotify: the test holds
# every open of one source file for permission (FAN_OPEN_PERM), and the first open after the first
# repeat is recorded, the second repeat's residency check (after it emptied its scratch folder
# and dropped the caches), waits while the test fills the filesystem up to the last few MiB.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_root "mounting a loop filesystem"
command -v mkfs.ext4 >/dev/null || skip "mkfs.ext4 is missing"
need_python
ccb_lock_machine

img=$ccb_tmp/ext4.img
mnt=$ccb_tmp/mnt
mkdir "$mnt"
# 160 MiB: the set (26 MiB) lives there, and the run wants the set plus a 64 MiB margin free.
# No blocks reserved for root (the run is root and could use them) and no lazy init writing in
# the background.
truncate -s 160M "$img"
mkfs.ext4 -q -m 0 -E lazy_itable_init=0,lazy_journal_init=0 "$img" ||
	skip "mkfs.ext4 on a loop image failed"
mount -o loop "$img" "$mnt" 2>"$ccb_tmp/err" ||
	skip "cannot mount a loop ext4: $(cat "$ccb_tmp/err")"
trap 'umount "$mnt" 2>/dev/null || umount -l "$mnt"; ccb_cleanup' EXIT

# Source and destination on the one small filesystem, so that copy_file_range copies in the
# kernel (across two ext4 filesystems it refuses with EXDEV). Small files first in no particular
# order; the stack is the one file that cannot fit once the filesystem is full.
src=$mnt/src
dst=$mnt/dst
mkdir -p "$src/a" "$dst"
for f in one:1 a/page+1:4097 a/mib+1:1048577; do
	head -c "${f##*:}" /dev/urandom >"$src/${f%:*}"
done
stack=a/stack.bin
stack_size=25165827	# 24 MiB + 3
head -c $stack_size /dev/urandom >"$src/$stack"
nfiles=4
leave=$((6 * 1024 * 1024))	# free bytes left for the second repeat: a quarter of the stack
sync

# gated_run GATE FILLER LEAVE RESULTS CMD...: run CMD; at the first open of GATE (a source file)
# after RESULTS holds one run, fill the filesystem of FILLER up to LEAVE free bytes before the open
# goes on. Exits with CMD's status (99: the gate broke; 77: fanotify is not available).
gated_run() {
	"$PY" - "$@" <<'PYEOF'
import ctypes, json, os, select, struct, subprocess, sys, time

gate, filler, leave, results = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
cmd = sys.argv[5:]
TIMEOUT = 120
FAN_CLOEXEC, FAN_CLASS_CONTENT, FAN_MARK_ADD, FAN_OPEN_PERM, FAN_ALLOW = 1, 4, 1, 0x10000, 1
AT_FDCWD = -100
EVENT = struct.Struct("IBBHQii")

libc = ctypes.CDLL(None, use_errno=True)
libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int,
                               ctypes.c_char_p]
fan = libc.fanotify_init(FAN_CLOEXEC | FAN_CLASS_CONTENT, os.O_RDONLY)
if fan < 0 or libc.fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD,
                                 gate.encode()) < 0:
    print("fanotify: %s" % os.strerror(ctypes.get_errno()), file=sys.stderr)
    sys.exit(77)
p = None

def die(msg):
    print("gate: " + msg, file=sys.stderr)
    if p and p.poll() is None:
        p.kill()
    sys.exit(99)

def runs_recorded():
    try:
        with open(results) as f:
            return len(json.load(f)["runs"])
    except (OSError, ValueError, KeyError):
        return 0

def fill():
    st = os.statvfs(os.path.dirname(filler))
    free = st.f_bavail * st.f_frsize
    if free <= leave:
        die("only %d bytes free before filling" % free)
    ffd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.posix_fallocate(ffd, 0, free - leave)
    os.close(ffd)

p = subprocess.Popen(cmd)
filled = False
deadline = time.monotonic() + TIMEOUT
while p.poll() is None:
    if time.monotonic() > deadline:
        die("the run did not end within %d s" % TIMEOUT)
    if not select.select([fan], [], [], 0.2)[0]:
        continue
    buf = os.read(fan, 4096)
    for off in range(0, len(buf), EVENT.size):
        _, _, _, _, _, fd, pid = EVENT.unpack_from(buf, off)
        # The run is held in open() now: what results.json says cannot change under us.
        if not filled and runs_recorded() >= 1:
            fill()
            filled = True
        os.write(fan, struct.pack("iI", fd, FAN_ALLOW))
        os.close(fd)
rc = p.wait()
if not filled:
    die("the run ended (exit status %d) without opening '%s' after its first repeat" % (rc, gate))
sys.exit(rc)
PYEOF
}

strategies="shutil rw sendfile cfr cp cpython"
quick && strategies="rw cfr"
available=$("$CCB" strategies --json | "$PY" -c 'import json, sys
print(" ".join(s["name"] for s in json.load(sys.stdin) if s["available"]))')

for s in $strategies; do
	case " $available " in
	*" $s "*) ;;
	*) note "$s is not available here: not tested"; continue ;;
	esac
	# The call that meets the full disk, as the strategy names it: on one ext4 cfr copies in the
	# kernel, shutil and sendfile use sendfile(2), cp reports through its exit status (never
	# an errno text of ours, which would contradict cp's own message), cpython with Python's
	# own exception.
	case $s in
	shutil | sendfile) call=sendfile ;;
	rw) call=write ;;
	cfr) call=copy_file_range ;;
	cp) call=cp ;;
	cpython) call=copy ;;
	esac
	note "$s: the second repeat runs out of space ($call)"
	out=$ccb_tmp/results-$s
	filler=$mnt/filler
	rc=0
	gated_run "$src/one" "$filler" $leave "$out/results.json" \
		"$CCB" run --keep --repeats 2 --quiet --all-files --threads 1 --strategy "$s" \
		--out "$out" "$src" "$dst" >"$ccb_tmp/out" 2>"$ccb_tmp/err" || rc=$?
	[ "$rc" != 77 ] || skip "fanotify permission events are not available: $(cat "$ccb_tmp/err")"
	[ "$rc" != 99 ] || { cat "$ccb_tmp/err" >&2; fail "$s: the test's gate broke"; }
	[ "$rc" = 1 ] || { cat "$ccb_tmp/err" >&2; fail "$s: exited $rc, expected 1"; }
	[ -f "$filler" ] ||
		{ cat "$ccb_tmp/err" >&2; fail "$s: the run ended before the disk was filled"; }

	# The message names the copy of the stack, the call and the reason. cp names the source
	# file in ours and says why in its own line (it passes through on stderr).
	copy=$(echo "$dst"/.cryocache-bench.*/copy)
	[ -d "$copy" ] || fail "$s: no kept copy in '$dst'"
	if [ "$s" = cp ]; then
		file_re="'$src/$stack': cp exited with status 1 \\(its message is above\\)"
		grep -q "^cp: .*No space left on device" "$ccb_tmp/err" ||
			{ cat "$ccb_tmp/err" >&2; fail "cp's own message did not pass through"; }
	elif [ "$s" = cpython ]; then
		file_re="'$src/$stack': python: OSError: \\[Errno 28\\] No space left on device"
	else
		file_re="'$copy/$stack': No space left on device"
	fi
	grep -Eq "^cryocache-bench: cannot $call $file_re" "$ccb_tmp/err" ||
		{ cat "$ccb_tmp/err" >&2; fail "$s: no message 'cannot $call $file_re'"; }
	grep -E "^(cryocache-bench: cannot|cp:)" "$ccb_tmp/err" | sed 's/^/# /'

	# Run 1 is complete, run 2 has the error and fewer files.
	expect_json "$out/results.json" "len(d['runs']) == 2" \
		"d['runs'][0]['errors'] == [] and d['runs'][0]['files'] == $nfiles" \
		"d['runs'][0]['bytes'] == d['source']['bytes']" \
		"len(d['runs'][1]['errors']) == 1 and '$stack' in d['runs'][1]['errors'][0]" \
		"'No space left on device' in d['runs'][1]['errors'][0] or '$s' == 'cp'" \
		"d['runs'][1]['files'] < $nfiles" "d['runs'][1]['aborted'] is False"

	# The half copy is as long as what was written, no longer, and that much is the source.
	size=$(stat -c %s "$copy/$stack")
	[ "$size" -gt 0 ] && [ "$size" -lt $stack_size ] ||
		fail "$s: the half-copied stack is $size bytes (the source has $stack_size)"
	cmp -s -n "$size" "$src/$stack" "$copy/$stack" ||
		fail "$s: the first $size bytes of the half copy differ from the source"
	note "$s: $size of $stack_size bytes copied when the disk was full"

	expect_ok "$CCB" clean "$dst"
	rm -f "$filler"
	sync
done
