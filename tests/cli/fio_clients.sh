#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/fio_clients.sh - `fio --clients HOSTFILE`: fio's client/server against two `fio --server`
# processes on loopback ports (one of them --readonly): each server's numbers and the all-clients
# sum agree, the ceiling is the best all-clients rate, SRC is never written, a sweep takes it as
# its reference, and a host file that names no server or one that does not answer is refused.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
command -v fio >/dev/null || skip "fio is missing (apt-get install fio)"
ccb_lock_if_root
ccb_make_set --stacks 6 --box 96 --particles 30-60 --seed 29

# Two free loopback ports, and a fio server on each, stopped on the way out.
ports=$("$PY" -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
set -- $ports
p1=$1
p2=$2
fio --server=ip:127.0.0.1,"$p1" --readonly >"$ccb_tmp/server1.log" 2>&1 &
s1=$!
fio --server=ip:127.0.0.1,"$p2" >"$ccb_tmp/server2.log" 2>&1 &
s2=$!
trap 'kill "$s1" "$s2" 2>/dev/null; ccb_cleanup' EXIT
for p in "$p1" "$p2"; do
	"$PY" -c '
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)' "$p" || fail "fio --server on port $p does not listen: $(cat "$ccb_tmp"/server*.log)"
done
printf '127.0.0.1,%s\n127.0.0.1,%s\n' "$p1" "$p2" >"$ccb_tmp/hosts"

# SRC as it is: every byte and every time stamp.
snapshot() { (cd "$src" && find . -printf '%p %s %T@ %C@\n' | sort && find . -type f -exec cksum {} + | sort); }
snapshot >"$ccb_tmp/src.before"

note "two servers read SRC at once"
out=$ccb_tmp/clients
expect_ok "$CCB" fio --clients "$ccb_tmp/hosts" --numjobs 2 --runtime 1 --out "$out" "$src" "$dst"
expect_json "$out/results.json" "d['reference']['mode'] == 'clients' and d['reference']['clients'] == 2" \
	"[m['name'] for m in d['reference']['measurements']] == ['read-1-clients', 'read-n-clients']" \
	"[m['jobs'] for m in d['reference']['measurements']] == [1, 2]" \
	"all(sorted(c['port'] for c in m['clients']['per_client']) == sorted([$p1, $p2]) for m in d['reference']['measurements'])" \
	"all(c['read']['io_bytes'] > 0 and c['errors'] == 0 and c['write']['io_bytes'] == 0 for m in d['reference']['measurements'] for c in m['clients']['per_client'])" \
	"all(m['clients']['all_clients']['read']['io_bytes'] == sum(c['read']['io_bytes'] for c in m['clients']['per_client']) for m in d['reference']['measurements'])" \
	"all(close(m['mb_s'], m['clients']['all_clients']['read']['mb_s']) for m in d['reference']['measurements'])" \
	"all(close(m['clients']['all_clients']['read']['runtime_s'], max(c['read']['runtime_s'] for c in m['clients']['per_client'])) for m in d['reference']['measurements'])" \
	"close(d['reference']['ceiling_mb_s'], max(m['mb_s'] for m in d['reference']['measurements']))" \
	"len(d['reference']['versions']) == 2 and all(v['fio'] == d['reference']['fio_version'] for v in d['reference']['versions'])" \
	"all(m['clients']['versions_agree'] for m in d['reference']['measurements'])" \
	"not any(w.startswith('fio versions differ') for w in d['warnings'])" \
	"all(isinstance(m['time_based'], bool) and m['runtime_s'] > 0 for m in d['reference']['measurements'])"
# A pass under --runtime was measured again, time-based, for that long (as on one node).
for m in read-1-clients read-n-clients; do
	[ -f "$out/$m.fio" ] || fail "no job file $m.fio"
	if [ -f "$out/$m-timed.fio" ]; then
		grep -qx 'runtime=1' "$out/$m-timed.fio" || fail "$m-timed.fio is not time-based for --runtime 1"
		expect_json "$out/results.json" "[m['time_based'] for m in d['reference']['measurements'] if m['name'] == '$m'] == [True]"
	fi
done
grep -q "read by 2 clients at once" "$ccb_tmp/out" || fail "no all-clients line: $(cat "$ccb_tmp/out")"
# The job files read only, never with a size (fio would lay out and fill a smaller file).
for job in "$out"/*.fio; do
	grep -q '^rw=read$' "$job" || fail "$job does not only read"
	grep -Eq '^(size|filesize|nrfiles|rw=(write|rw|randwrite|randrw|trim))' "$job" && fail "$job could write SRC"
done
snapshot >"$ccb_tmp/src.after"
cmp -s "$ccb_tmp/src.before" "$ccb_tmp/src.after" ||
	{ diff "$ccb_tmp/src.before" "$ccb_tmp/src.after" >&2; fail "fio --clients changed SRC"; }
[ -z "$(ls -A "$dst")" ] || fail "fio --clients wrote into DST: $(ls -A "$dst")"

note "a sweep takes the all-clients ceiling as its reference"
out=$ccb_tmp/sweep
expect_ok "$CCB" sweep --strategies shutil --threads 1,2 --repeats 1 --warmup 0 --min-run 0 \
	--confirm 0 --no-plots --reference --fio-clients "$ccb_tmp/hosts" --out "$out" "$src" "$dst"
expect_json "$out/results.json" "d['reference']['mode'] == 'clients' and d['reference']['ceiling_mb_s'] > 0" \
	"d['reference']['results'].endswith('reference/results.json')"
grep -q '% of ceiling' "$out/report.md" || fail "the sweep's report shows no share of the ceiling"
snapshot >"$ccb_tmp/src.after"
cmp -s "$ccb_tmp/src.before" "$ccb_tmp/src.after" || fail "the sweep's reference changed SRC"

note "host files that name no server, or one that does not answer"
expect_fail 1 "cannot read the host file '$ccb_tmp/missing'" \
	"$CCB" fio --clients "$ccb_tmp/missing" --out "$ccb_tmp/x1" "$src" "$dst"
printf '\n  \n' >"$ccb_tmp/empty"
expect_fail 1 "names no server" "$CCB" fio --clients "$ccb_tmp/empty" --out "$ccb_tmp/x2" "$src" "$dst"
dead=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '127.0.0.1,%s\n' "$dead" >"$ccb_tmp/dead"
expect_fail 1 "is 'fio --server' running on every node" \
	"$CCB" fio --clients "$ccb_tmp/dead" --out "$ccb_tmp/x3" "$src" "$dst"
echo "ok: fio --clients"
