#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/sampler.sh - what the devices did during a run: the summary in results.json names the
# block device that holds DST and counts at least the copied bytes as written to it, the series
# file is beside it, --interval 0 turns it all off, and `watch` shows live lines and a summary.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
ccb_lock_if_root

src=$ccb_tmp/src
dst=$ccb_tmp/dst
mkdir "$dst"

# The device that holds DST, as the kernel names it (vda, nvme0n1p2, dm-0), and its disk.
devno=$(stat -c '%Hd:%Ld' "$dst")
[ -e "/sys/dev/block/$devno" ] ||
	skip "'$dst' is not on a block device ($devno): set CCB_TEST_TMPDIR to a disk-backed folder"
holder=$(basename "$(readlink -f "/sys/dev/block/$devno")")
disk=$holder
[ -e "/sys/dev/block/$devno/partition" ] && disk=$(basename "$(readlink -f "/sys/dev/block/$devno/..")")
note "DST is on $holder (disk $disk)"

# Long enough for several readings at 10 Hz on fast disks too; the quick subset copies less.
if quick; then total=160M; else total=512M; fi
expect_ok "$CCB" gen --total $total --seed 7 "$src"

note "a run at the default 10 Hz"
out=$ccb_tmp/ten
expect_ok "$CCB" run --repeats 1 --out "$out" "$src" "$dst"
cp "$ccb_tmp/out" "$ccb_tmp/ten.stdout"
expect_json "$out/results.json" \
	"d['params']['interval'] == 0.1" \
	"'sysroot' not in d['params']" \
	"runs[0]['sampler']['interval_s'] == 0.1" \
	"runs[0]['sampler']['samples_file'] == 'samples/run-1.json'" \
	"runs[0]['sampler']['samples'] >= 2" \
	"runs[0]['sampler']['seconds'] > 0" \
	"'$holder' in runs[0]['sampler']['devices']" \
	"'destination' in runs[0]['sampler']['devices']['$holder']['roles']" \
	"'source' in runs[0]['sampler']['devices']['$holder']['roles']" \
	"runs[0]['sampler']['devices']['$holder']['write_bytes'] >= runs[0]['bytes']" \
	"runs[0]['sampler']['devices']['$disk']['write_bytes'] >= runs[0]['bytes']" \
	"runs[0]['sampler']['devices']['$disk']['kind'] == 'disk'" \
	"runs[0]['sampler']['whole_disks']['write_bytes'] >= runs[0]['bytes']" \
	"0 <= runs[0]['sampler']['devices']['$disk']['busy90_share'] <= 1" \
	"all(k in runs[0]['sampler']['devices']['$disk']['mean'] for k in ('r/s', 'rkB/s', 'rrqm/s', 'rrqm', 'r_await', 'rareq-sz', 'w/s', 'wkB/s', 'wrqm/s', 'wrqm', 'w_await', 'wareq-sz', 'aqu-sz', 'util'))" \
	"runs[0]['sampler']['busiest_device'] is not None" \
	"0 < runs[0]['sampler']['cpu']['mean']['busy'] <= 100" \
	"runs[0]['sampler']['cpu']['cpus'] == $(getconf _NPROCESSORS_ONLN)" \
	"runs[0]['sampler']['cost']['cpu_s'] > 0" \
	"runs[0]['sampler']['short'] == (runs[0]['sampler']['seconds'] < 0.285)" \
	"isinstance(runs[0]['sampler']['findings'], list) and len(runs[0]['sampler']['findings']) >= 2"
series=$out/samples/run-1.json
[ -s "$series" ] || fail "no $series"
expect_json "$series" \
	"d['schema'] == 'cryocache-bench/1' and d['interval_s'] == 0.1" \
	"d['columns'][:2] == [['time', '', 't_s'], ['time', '', 'dt_s']]" \
	"['disk', '$holder', 'w/s'] in d['columns'] and ['cpu', 'all', 'busy'] in d['columns']" \
	"all(len(r) == len(d['columns']) for r in d['rows'])" \
	"all(a[0] < b[0] for a, b in zip(d['rows'], d['rows'][1:]))"
# A run of at least half a second read at 10 Hz has at least three intervals; and the series
# adds up to the summary: written bytes are wkB/s * dt summed.
python_check=$(cat <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1] + '/results.json'))
s = json.load(open(sys.argv[1] + '/samples/run-1.json'))
run = d['runs'][0]
smp = run['sampler']
if smp['seconds'] >= 0.5 and len(s['rows']) < 3:
    sys.exit('a %.2f s run has only %d rows' % (smp['seconds'], len(s['rows'])))
col = s['columns'].index(['disk', sys.argv[2], 'wkB/s'])
kb = sum(r[col] * r[1] for r in s['rows'] if r[col] is not None)
want = smp['devices'][sys.argv[2]]['write_bytes'] / 1024
if abs(kb - want) > 0.01 * want + 1:
    sys.exit('series says %.0f kB written, summary %.0f kB' % (kb, want))
print('# %.2f s, %d rows, %.0f MB written to %s' % (smp['seconds'], len(s['rows']), want / 1024, sys.argv[2]))
PYEOF
)
"$PY" -c "$python_check" "$out" "$holder" || fail "the series does not agree with the summary"

# The table has the sampler's columns, filled for this run.
head -n 4 "$ccb_tmp/ten.stdout" | grep -q '%util.*aqu-sz.*cpu%.*iface' ||
	fail "no device/CPU/interface columns in the table: $(cat "$ccb_tmp/ten.stdout")"
busiest=$("$PY" -c "import json; print(json.load(open('$out/results.json'))['runs'][0]['sampler']['busiest_device'])")
grep -Eq "^ +1 +shutil .* $busiest +[0-9.]+ +[0-9.]+ +[0-9.]+ " "$ccb_tmp/ten.stdout" ||
	fail "the run's line does not show $busiest: $(cat "$ccb_tmp/ten.stdout")"

note "--interval 0: no sampler"
out=$ccb_tmp/off
expect_ok "$CCB" run --repeats 1 --interval 0 --quiet --out "$out" "$src" "$dst"
expect_json "$out/results.json" "d['params']['interval'] == 0" "'sampler' not in runs[0]"
[ ! -e "$out/samples" ] || fail "--interval 0 wrote $out/samples"

note "--interval below 10 ms: refused, naming the minimum (the sampler would spin)"
printf '[run]\ninterval = 0.001\n' >"$ccb_tmp/fast.ini"
for c in run sweep; do
	expect_fail 2 "invalid value '1e-9' for --interval: expected 0 \(off\) or a number from 0\.01 to 3600" \
		timeout -k 10 60 "$CCB" $c --repeats 1 --interval 1e-9 --quiet --out "$ccb_tmp/fast-$c" \
		"$src" "$dst"
	[ ! -e "$ccb_tmp/fast-$c" ] || fail "$c --interval 1e-9 made a results folder"
done
expect_fail 2 "invalid value '0.001' for --interval: expected 0 \(off\) or a number from 0\.01" \
	timeout -k 10 60 "$CCB" run --repeats 1 --profile "$ccb_tmp/fast.ini" --quiet "$src" "$dst"
expect_fail 2 "invalid value '0.005' for --interval: expected a number from 0\.01 to 3600" \
	timeout -k 10 60 "$CCB" watch --interval 0.005 --count 1 "$src"

note "--samples-format csv"
out=$ccb_tmp/csv
expect_ok "$CCB" run --repeats 1 --interval 0.05 --samples-format csv --quiet --out "$out" "$src" "$dst"
expect_json "$out/results.json" "runs[0]['sampler']['samples_file'] == 'samples/run-1.csv'"
head -n 1 "$out/samples/run-1.csv" | grep -q "^t_s,dt_s,.*disk:$holder:w/s" ||
	fail "bad CSV header: $(head -c 300 "$out/samples/run-1.csv")"

expect_fail 2 "invalid value '-1' for --interval" "$CCB" run --interval -1 "$src" "$dst"

note "watch, live, ended by SIGINT"
rc=0
timeout -s INT --preserve-status 2.5 "$CCB" watch "$dst" >"$ccb_tmp/watch.out" 2>"$ccb_tmp/watch.err" || rc=$?
[ "$rc" = 0 ] || fail "watch ended by SIGINT exited $rc: $(cat "$ccb_tmp/watch.err")"
grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}  cpu ' "$ccb_tmp/watch.out" ||
	fail "watch printed no timed line: $(cat "$ccb_tmp/watch.out")"
grep -Eq "^  $holder \* " "$ccb_tmp/watch.out" ||
	fail "watch does not show $holder: $(cat "$ccb_tmp/watch.out")"
grep -q '^summary:' "$ccb_tmp/watch.out" || fail "watch printed no summary: $(cat "$ccb_tmp/watch.out")"

note "watch --count --out keeps a results folder of the same schema"
out=$ccb_tmp/watched
expect_ok "$CCB" watch --interval 0.2 --count 2 --out "$out" "$dst" "$src"
[ "$(grep -Ec '^[0-9]{2}:[0-9]{2}:[0-9]{2}  cpu ' "$ccb_tmp/out")" = 2 ] ||
	fail "watch --count 2 did not show two windows: $(cat "$ccb_tmp/out")"
expect_json "$out/results.json" \
	"d['schema'] == 'cryocache-bench/1' and d['runs'] == []" \
	"d['watch']['paths'] == ['$(realpath "$dst")', '$(realpath "$src")']" \
	"d['watch']['sampler']['samples'] >= 6 and d['watch']['sampler']['interval_s'] == 0.2" \
	"'$holder' in d['watch']['sampler']['devices']" \
	"d['watch']['sampler']['devices']['$holder']['roles'] == ['path']" \
	"d['watch']['sampler']['samples_file'] == 'samples/watch.json'" \
	"'finished' in d and 'host' in d and d['params']['count'] == 2"
expect_json "$out/samples/watch.json" "len(d['rows']) >= 5"

# --sysroot: /proc and /sys from a fixture tree, where DST's filesystem sits on an NVMe disk this
# machine does not have, with 8 CPUs and no pressure files. The counters stand still: the device
# is shown because DST rests on it.
note "watch --sysroot on a fixture tree"
root=$ccb_tmp/root
fx=$CCB_SRCDIR/tests/data/procstat
mkdir -p "$root/proc/self" "$root/proc/net" "$root/sys/dev/block" "$root/sys/class/block" \
	"$root/sys/devices/virtual/block/nvme9n1"
echo "21 1 $devno / $(realpath "$dst") rw,relatime - xfs /dev/nvme9n1 rw" >"$root/proc/self/mountinfo"
ln -s ../../devices/virtual/block/nvme9n1 "$root/sys/dev/block/$devno"
ln -s ../../devices/virtual/block/nvme9n1 "$root/sys/class/block/nvme9n1"
echo " 259 9 nvme9n1 100 0 800 10 50 0 400 5 0 20 30 0 0 0 0 0 0" >"$root/proc/diskstats"
cp "$fx/stat-procfs.txt" "$root/proc/stat"
cp "$fx/meminfo-procfs.txt" "$root/proc/meminfo"
printf 'Inter-|\n face |\n  eth7: 1000 10 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n' >"$root/proc/net/dev"
out=$ccb_tmp/fixture
expect_ok "$CCB" watch --sysroot "$root" --interval 0.2 --count 1 --out "$out" "$dst"
grep -Eq '^  nvme9n1 \* ' "$ccb_tmp/out" || fail "no nvme9n1 line: $(cat "$ccb_tmp/out")"
expect_json "$out/results.json" \
	"list(d['watch']['sampler']['devices']) == ['nvme9n1']" \
	"d['watch']['sampler']['devices']['nvme9n1']['kind'] == 'disk'" \
	"d['watch']['sampler']['devices']['nvme9n1']['roles'] == ['path']" \
	"d['watch']['sampler']['cpu']['cpus'] == 8" \
	"'pressure_io' in d['watch']['sampler']['unavailable']" \
	"'sysroot' not in d['params']"

expect_fail 1 "cannot access '$ccb_tmp/nowhere'" "$CCB" watch "$ccb_tmp/nowhere"
expect_fail 2 "missing arguments" "$CCB" watch
expect_fail 1 "already holds a results.json" "$CCB" watch --count 1 --out "$out" "$dst"
exit 0
