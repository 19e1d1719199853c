#!/bin/sh
# SPDX-License-Identifier: MIT
# diag: the live machine prints and parses quickly; as root, the route to a storage address in a
# network namespace reached over two veth links names the link the kernel picks, and traffic sent
# to that address shows on that link's counters. Addresses exist only inside the test's namespaces.
. "${CCB_SRCDIR:-$(dirname "$0")/../..}/tests/helpers/lib.sh" || exit 99
need_python

# ---- this machine: text, JSON, and well under a second ----------------------------------------
expect_ok "$CCB" diag /var/tmp /dev/shm
grep -q '^source: /var/tmp' "$ccb_tmp/out" || fail "diag text names no source"
grep -q '^destination: /dev/shm' "$ccb_tmp/out" || fail "diag text names no destination"
grep -q '^findings:' "$ccb_tmp/out" || fail "diag text has no findings section"
expect_ok "$CCB" diag --json --dataset-size 1000000T /var/tmp /dev/shm
cp "$ccb_tmp/out" "$ccb_tmp/diag.json"
expect_json "$ccb_tmp/diag.json" \
	"d['locations'][0]['role'] == 'source' and d['locations'][1]['role'] == 'destination'" \
	"d['locations'][1]['fs_type'] == 'tmpfs'" \
	"any(n['name'] == 'lo' and n['type'] == 'loopback' for n in d['interfaces'])" \
	"d['machine']['cores'] >= 1 and d['machine']['mem_bytes'] > 0" \
	"any('DST has less free space' in f for f in d['findings'])" \
	"any('DST is tmpfs' in f for f in d['findings'])" \
	"d['seconds'] < 1.0"
start=$("$PY" -c 'import time; print(time.monotonic())')
"$CCB" diag --route-to 127.0.0.1 /var/tmp /dev/shm >/dev/null
"$PY" -c "import sys, time; sys.exit(0 if time.monotonic() - $start < 1.0 else 1)" ||
	fail "diag took a second or more"
expect_ok "$CCB" diag --json --route-to ::1
cp "$ccb_tmp/out" "$ccb_tmp/lo6.json"
expect_json "$ccb_tmp/lo6.json" "d['routes'][0]['interface'] == 'lo'"
# SRC and DST on one device is a finding; a mount's options are listed once each; root is not
# told it lacks permission to read other processes' counters (the kernel may refuse even root)
expect_ok "$CCB" diag --json /var/tmp /var/tmp
cp "$ccb_tmp/out" "$ccb_tmp/same.json"
expect_json "$ccb_tmp/same.json" \
	"not d['locations'][0]['devices'] or any('SRC and DST are on the same device (%s)' % d['locations'][0]['devices'][0] in f for f in d['findings'])" \
	"all(len(l['mount_options'].split(',')) == len(set(l['mount_options'].split(','))) for l in d['locations'])" \
	"all(l['discard'] == (l['fs_type'] in ('ext4', 'xfs') and 'discard' in l['mount_options'].split(',')) for l in d['locations'] if l['fs_type'] in ('ext4', 'xfs', 'tmpfs'))" \
	"d['machine']['free_page_reporting'] in (True, False, None)" \
	"any('mounted with online discard' in f for f in d['findings']) == d['locations'][1]['discard']"
if [ "$(id -u)" = 0 ]; then
	expect_ok "$CCB" diag /var/tmp /dev/shm
	! grep -qi 'permission denied' "$ccb_tmp/out" || fail "diag tells root of permission denied: $(grep -i 'permission denied' "$ccb_tmp/out")"
fi
expect_fail 2 "unknown option|unrecognized option" "$CCB" diag --no-such-option
expect_fail 1 "cannot resolve '$ccb_tmp/missing': No such file or directory" \
	"$CCB" diag --json /var/tmp "$ccb_tmp/missing"
expect_json "$ccb_tmp/out" "d['locations'][1]['error'] == 'No such file or directory'" \
	"any('destination' in f and 'cannot be resolved' in f for f in d['findings'])"

# A process reading the disk while diag looks is named, with its rate.
dd if=/dev/urandom of="$ccb_tmp/busy" bs=1M count=16 status=none
"$PY" -c '
import os, sys, time
end = time.monotonic() + 30
while time.monotonic() < end:
    fd = os.open(sys.argv[1], os.O_RDONLY)
    while os.read(fd, 1 << 20):
        pass
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)' "$ccb_tmp/busy" &
reader=$!
sleep 0.3
"$CCB" diag --json >"$ccb_tmp/procs.json" || { kill "$reader"; fail "diag --json failed"; }
kill "$reader"
wait "$reader" 2>/dev/null || true
expect_json "$ccb_tmp/procs.json" \
	"any(p['pid'] == $reader and p['read_bytes_s'] > 1e6 for p in d['io_processes'])" \
	"any('another process is doing I/O: $reader ' in f for f in d['findings'])"

# Every results.json carries the same object, judged against the dataset's size.
ccb_make_set --total 4M --seed 8
expect_ok "$CCB" run --repeats 1 --threads 1 --out "$ccb_tmp/res" "$src" "$dst"
expect_json "$ccb_tmp/res/results.json" \
	"[l['role'] for l in d['diag']['locations']] == ['source', 'destination']" \
	"d['diag']['dataset_bytes'] == d['source']['bytes']" \
	"d['diag']['locations'][1]['mount_point'] == d['destination']['mount_point']" \
	"isinstance(d['diag']['findings'], list) and d['diag']['interfaces']"
# ... and the report shows its findings.
expect_ok "$CCB" report --no-plots --out "$ccb_tmp/rep" "$ccb_tmp/res/results.json"
first=$(json "$ccb_tmp/res/results.json" "(d['diag']['findings'] or [''])[0]")
if [ -n "$first" ]; then
	# Markdown escapes _ and *: compare the words before any of them.
	words=$(printf '%s' "$first" | sed 's/[_*`[].*//')
	grep -qF -- "- $words" "$ccb_tmp/rep/report.md" || fail "report.md lacks the diag finding '$first'"
	grep -q 'Diag findings' "$ccb_tmp/rep/report.html" || fail "report.html lacks the diag findings"
fi

[ "$(id -u)" = 0 ] || skip "the loop device and namespace parts need root"
client=ccb-client-$$
storage=ccb-storage-$$
loopdev=
cleanup_root() {
	umount "$ccb_tmp/xfs" 2>/dev/null || true
	if [ -n "$loopdev" ]; then losetup -d "$loopdev" 2>/dev/null || true; fi
	ip netns del "$client" 2>/dev/null || true
	ip netns del "$storage" 2>/dev/null || true
	ccb_cleanup
}
trap cleanup_root EXIT

# ---- XFS on a loop device: the chain down to the disk under the image ----------------------------
if command -v mkfs.xfs >/dev/null && command -v losetup >/dev/null; then
	truncate -s 320M "$ccb_tmp/xfs.img"
	mkfs.xfs -q "$ccb_tmp/xfs.img"
	loopdev=$(losetup -f --show "$ccb_tmp/xfs.img")
	mkdir "$ccb_tmp/xfs"
	mount "$loopdev" "$ccb_tmp/xfs"
	expect_ok "$CCB" diag --json "$ccb_tmp/xfs"
	cp "$ccb_tmp/out" "$ccb_tmp/xfs.json"
	img_dev=$(df --output=source "$ccb_tmp" | tail -1)
	expect_json "$ccb_tmp/xfs.json" \
		"d['locations'][0]['fs_type'] == 'xfs'" \
		"d['locations'][0]['devices'][0] == '${loopdev#/dev/}'" \
		"len(d['locations'][0]['devices']) >= 2" \
		"[b['kind'] for b in d['block_devices']][0] == 'loop'" \
		"d['block_devices'][0]['size_bytes'] == 320 << 20" \
		"d['block_devices'][0]['scheduler'] is not None"
	note "xfs on $loopdev, image on $img_dev: $(json "$ccb_tmp/xfs.json" "d['locations'][0]['devices']")"
	umount "$ccb_tmp/xfs"
	losetup -d "$loopdev"
	loopdev=
else
	note "mkfs.xfs or losetup is missing: no loop device part"
fi

# ---- routing in namespaces ---------------------------------------------------------------------
command -v ip >/dev/null || skip "ip(8) is missing"
ip netns add "$client" 2>/dev/null || skip "cannot create network namespaces"
ip netns add "$storage"
inc() { ip netns exec "$client" "$@"; }
ins() { ip netns exec "$storage" "$@"; }
# Two links, created inside the client namespace and their peers moved to the storage one.
inc ip link add veth-a type veth peer name peer-a netns "$storage"
inc ip link add veth-b type veth peer name peer-b netns "$storage"
inc ip addr add 10.213.1.1/24 dev veth-a
inc ip addr add 10.213.2.1/24 dev veth-b
ins ip addr add 10.213.1.2/24 dev peer-a
ins ip addr add 10.213.2.2/24 dev peer-b
inc ip -6 addr add fd00:213:2::1/64 dev veth-b nodad
ins ip -6 addr add fd00:213:2::2/64 dev peer-b nodad
for l in lo veth-a veth-b; do inc ip link set "$l" up; done
for l in lo peer-a peer-b; do ins ip link set "$l" up; done
# The storage server's address lives on its loopback; the client reaches it over veth-b.
ins ip addr add 10.213.9.9/32 dev lo
ins ip -6 addr add fd00:213:9::9/128 dev lo
inc ip route add 10.213.9.9/32 via 10.213.2.2 dev veth-b
inc ip -6 route add fd00:213:9::9/128 via fd00:213:2::2 dev veth-b

inc "$CCB" diag --json --route-to 10.213.9.9 >"$ccb_tmp/route4.json" ||
	fail "diag --route-to 10.213.9.9 failed"
expect_json "$ccb_tmp/route4.json" \
	"d['routes'][0]['interface'] == 'veth-b'" \
	"d['routes'][0]['gateway'] == '10.213.2.2'" \
	"d['routes'][0]['source'] == '10.213.2.1'" \
	"sorted(n['name'] for n in d['interfaces']) == ['lo', 'veth-a', 'veth-b']" \
	"all(n['driver'] == 'veth' for n in d['interfaces'] if n['name'] != 'lo')"
inc "$CCB" diag --json --route-to fd00:213:9::9 >"$ccb_tmp/route6.json" ||
	fail "diag --route-to fd00:213:9::9 failed"
expect_json "$ccb_tmp/route6.json" \
	"d['routes'][0]['interface'] == 'veth-b'" "d['routes'][0]['gateway'] == 'fd00:213:2::2'"
# A directly connected address: the other link, and no gateway.
inc "$CCB" diag --json --route-to 10.213.1.2 >"$ccb_tmp/route-a.json"
expect_json "$ccb_tmp/route-a.json" \
	"d['routes'][0]['interface'] == 'veth-a'" "d['routes'][0]['gateway'] is None"
# Nowhere to go: no default route in the namespace.
inc "$CCB" diag --json --route-to 10.213.77.1 >"$ccb_tmp/route-none.json" 2>/dev/null
expect_json "$ccb_tmp/route-none.json" \
	"d['routes'][0]['interface'] is None" "'unreachable' in d['routes'][0]['error']" \
	"any('no route to the storage server 10.213.77.1' in f for f in d['findings'])"

# A blackhole route leads nowhere (the kernel answers EINVAL, as `ip route get` shows).
inc ip route add blackhole 10.213.66.0/24
inc "$CCB" diag --json --route-to 10.213.66.1 >"$ccb_tmp/route-bh.json" 2>/dev/null
expect_json "$ccb_tmp/route-bh.json" \
	"d['routes'][0]['interface'] is None" "d['routes'][0]['error']" \
	"any('no route to the storage server 10.213.66.1' in f for f in d['findings'])"

# Traffic to the storage address leaves over the link the route named.
counter() { inc cat "/sys/class/net/$1/statistics/tx_bytes"; }
a0=$(counter veth-a)
b0=$(counter veth-b)
inc "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(200):
    s.sendto(b"x" * 1400, ("10.213.9.9", 9))'
a1=$(counter veth-a)
b1=$(counter veth-b)
note "veth-a sent $((a1 - a0)) bytes, veth-b $((b1 - b0))"
[ $((b1 - b0)) -ge $((200 * 1400)) ] || fail "veth-b sent $((b1 - b0)) bytes, expected >= 280000"
[ $((a1 - a0)) -lt 28000 ] || fail "veth-a sent $((a1 - a0)) bytes: the traffic took the other link"

# A tbf at a link's root holds it below its speed: diag reads the rate (RTM_GETQDISC) and judges
# routes by it; the other link keeps its speed.
if command -v tc >/dev/null && inc tc qdisc add dev veth-a root tbf rate 100mbit burst 32kb latency 50ms 2>/dev/null; then
	inc "$CCB" diag --json --route-to 10.213.1.2 >"$ccb_tmp/shaped.json"
	expect_json "$ccb_tmp/shaped.json" \
		"[n['shaped_mbps'] for n in d['interfaces'] if n['name'] == 'veth-a'] == [100]" \
		"[n['shaped_mbps'] for n in d['interfaces'] if n['name'] == 'veth-b'] == [None]" \
		"d['routes'][0]['interface'] == 'veth-a' and d['routes'][0]['speed_mbps'] == 100" \
		"d['routes'][0]['link'] == 'veth-a' and d['routes'][0]['link_speed_mbps'] == 100" \
		"isinstance(d['rdma_ports'], list)"
else
	note "tc cannot add a tbf qdisc here: no shaped-rate part"
fi
