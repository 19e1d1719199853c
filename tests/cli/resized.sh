#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/resized.sh - a stack that shrinks or grows between the listing and the copy is
# counted at what was copied, by every strategy, and each run names it in a warning.
# Deterministic without timing: the test holds every open of one stack for permission
# (fanotify FAN_OPEN_PERM); the first open after the sweep said it listed the set (the first run's
# residency check or copy, never the listing's header check) waits while the test shrinks that
# stack and grows another.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_root "fanotify permission events"
need_python
ccb_lock_machine

ccb_make_set --stacks 4 --box 64 --particles 40-50
strategies=$("$CCB" strategies --json | "$PY" -c 'import json, sys
print(",".join(s["name"] for s in json.load(sys.stdin) if s["available"] and s["name"] not in ("http", "relion")))')
mapfile -t stacks < <(find "$src" -name '*.mrcs' | sort)
shrunk=${stacks[0]}
grown=${stacks[1]}
listed_total=$(cat "${stacks[@]}" | wc -c)
size_shrunk=$(stat -c %s "$shrunk")
size_grown=$(stat -c %s "$grown")

rc=0
"$PY" - "$shrunk" "$grown" "$ccb_tmp/err" "$CCB" sweep --strategies "$strategies" --threads 1,2 \
	--repeats 1 --warmup 0 --min-run 0 --confirm 0 --interval 0 --no-plots \
	--out "$ccb_tmp/results" "$src" "$dst" >"$ccb_tmp/out" 2>"$ccb_tmp/gate" <<'PYEOF' || rc=$?
import ctypes, os, select, struct, subprocess, sys, time

shrunk, grown, err = sys.argv[1], sys.argv[2], sys.argv[3]
cmd = sys.argv[4:]
FAN_CLOEXEC, FAN_CLASS_CONTENT, FAN_MARK_ADD, FAN_OPEN_PERM, FAN_ALLOW = 1, 4, 1, 0x10000, 1
EVENT = struct.Struct("IBBHQii")
libc = ctypes.CDLL(None, use_errno=True)
libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int,
                               ctypes.c_char_p]
fan = libc.fanotify_init(FAN_CLOEXEC | FAN_CLASS_CONTENT, os.O_RDONLY)
if fan < 0 or libc.fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM, -100, shrunk.encode()) < 0:
    print("fanotify: %s" % os.strerror(ctypes.get_errno()), file=sys.stderr)
    sys.exit(77)
with open(err, "w") as e:
    p = subprocess.Popen(cmd, stderr=e)
changed = False
deadline = time.monotonic() + 300
while p.poll() is None:
    if time.monotonic() > deadline:
        p.kill()
        sys.exit("gate: the sweep did not end within 300 s")
    if not select.select([fan], [], [], 0.2)[0]:
        continue
    buf = os.read(fan, 4096)
    for off in range(0, len(buf), EVENT.size):
        fd = EVENT.unpack_from(buf, off)[5]
        # The opener waits in open(): the set can change under the run now.
        if not changed and "results in '" in open(err).read():
            os.truncate(shrunk, 1000)
            with open(grown, "ab") as g:
                g.write(bytes(70000))
            changed = True
        os.write(fan, struct.pack("iI", fd, FAN_ALLOW))
        os.close(fd)
rc = p.wait()
if not changed:
    sys.exit("gate: the sweep (exit %d) never opened the stack after it listed the set" % rc)
sys.exit(rc)
PYEOF
[ "$rc" != 77 ] || skip "fanotify permission events are not available: $(cat "$ccb_tmp/gate")"
[ "$rc" = 0 ] || { cat "$ccb_tmp/gate" "$ccb_tmp/err" >&2; fail "the sweep exited $rc"; }
copied_total=$(cat "${stacks[@]}" | wc -c)
[ "$copied_total" != "$listed_total" ] || fail "the set did not change size"

rel_shrunk=${shrunk#"$src"/}
rel_grown=${grown#"$src"/}
expect_json "$ccb_tmp/results/results.json" \
	"len(runs) == 2 * len('$strategies'.split(','))" \
	"d['source']['bytes'] == $listed_total" \
	"all(r['errors'] == [] for r in runs)" \
	"all(r['bytes'] == $copied_total for r in runs)" \
	"all(close(r['mb_s'], r['bytes'] / r['seconds_durable'] / 1e6) for r in runs)" \
	"all(close(r['mb_s_copied'], r['bytes'] / r['seconds_copied'] / 1e6) for r in runs)" \
	"all(any('2 files changed size after they were listed' in w for w in r['warnings']) \
	     for r in runs)" \
	"all(any(\"'$rel_shrunk' ($size_shrunk bytes listed, 1000 copied)\" in w \
		 for w in r['warnings']) for r in runs)" \
	"all(any(\"'$rel_grown' ($size_grown bytes listed, $((size_grown + 70000)) copied)\" in w \
		 for w in r['warnings']) for r in runs)"
grep -q "warning: 2 files changed size after they were listed: .*'$rel_shrunk' ($size_shrunk" \
	"$ccb_tmp/err" || { cat "$ccb_tmp/err" >&2; fail "stderr does not name the shrunk stack"; }
echo "ok: $strategies count the bytes copied"
