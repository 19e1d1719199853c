#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/names.sh - names are bytes: a stack whose name is not UTF-8 is kept in results.json,
# escaped (\xNN, docs/results-schema.md "Names"), never dropped, and the file stays valid JSON; a
# mount point that is not UTF-8 or holds a comma (a --sysroot fixture) leaves valid samples files,
# JSON and CSV (the comma's header cell quoted), and `report` renders both folders.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
ccb_lock_if_root

src=$ccb_tmp/src
dst=$ccb_tmp/dst
mkdir "$dst"
expect_ok "$CCB" gen --stacks 2 --box 32 --particles 3 --job-dirs 1 "$src"
# Named like a stack, not an MRC file: the name goes into not_mrc_examples. Latin-1 "é" (0xe9)
# and a lone 0xff are not UTF-8; a backslash is escaped too, so the escape reads back.
bad=$(printf 'caf\351_\377\\x.mrcs')
head -c 5000 /dev/urandom >"$src/$bad"
expect_ok "$CCB" run --repeats 1 --interval 0 --quiet --out "$ccb_tmp/r1" "$src" "$dst"
"$PY" -m json.tool "$ccb_tmp/r1/results.json" >/dev/null || fail "results.json is not valid JSON"
expect_json "$ccb_tmp/r1/results.json" "d['source']['files'] == 3" \
	"d['source']['not_mrc_files'] == 1" \
	"d['source']['not_mrc_examples'] == ['caf\\\\xe9_\\\\xff\\\\\\\\x.mrcs']"
# The escape is reversible: back to the bytes on disk.
"$PY" - "$ccb_tmp/r1/results.json" "$src" <<'PYEOF' || fail "the escaped name does not read back to the file"
import json, os, re, sys
name = json.load(open(sys.argv[1]))["source"]["not_mrc_examples"][0]
raw = re.sub(rb"\\\\|\\x([0-9a-f]{2})",
             lambda m: bytes([int(m.group(1), 16)]) if m.group(1) else b"\\", name.encode())
assert os.path.exists(os.path.join(sys.argv[2].encode(), raw)), raw
PYEOF

# Mount points: two NFS mounts in a fixture mountinfo, one named with a comma, one not UTF-8.
root=$ccb_tmp/root
m1="$ccb_tmp/nfs,one"
m2=$(printf '%s/nfs\377two' "$ccb_tmp")
mkdir -p "$m1" "$m2" "$root/proc/self" "$root/proc/net" "$root/sys/dev/block" "$root/sys/class/block"
dev1=$(stat -c '%Hd:%Ld' "$m1")
{
	echo "31 1 $dev1 / $m1 rw,relatime - nfs4 server:/one rw,vers=4.2"
	echo "32 1 $dev1 / $m2 rw,relatime - nfs4 server:/two rw,vers=4.2"
} >"$root/proc/self/mountinfo"
for m in "$m1" "$m2"; do
	printf 'device server:/x mounted on %s with fstype nfs4 statvers=1.1\n' "$m"
	printf '\topts:\trw,vers=4.2\n\tage:\t100\n\tbytes:\t1000 0 0 0 1000 0 1 0\n'
	printf '\tRPC iostats version: 1.1  p/v: 100003/4 (nfs)\n\tper-op statistics\n'
	printf '\t        READ: 10 10 0 1000 2000 5 6 7 0\n\t       WRITE: 0 0 0 0 0 0 0 0 0\n'
done >"$root/proc/self/mountstats"
: >"$root/proc/diskstats"
cp "$CCB_SRCDIR/tests/data/procstat/stat-procfs.txt" "$root/proc/stat"
cp "$CCB_SRCDIR/tests/data/procstat/meminfo-procfs.txt" "$root/proc/meminfo"
printf 'Inter-|\n face |\n' >"$root/proc/net/dev"

for fmt in json csv; do
	out=$ccb_tmp/watch-$fmt
	expect_ok "$CCB" watch --sysroot "$root" --interval 0.2 --count 1 --samples-format $fmt \
		--out "$out" "$m1" "$m2"
	"$PY" -m json.tool "$out/results.json" >/dev/null || fail "$fmt: results.json is not valid JSON"
	expect_json "$out/results.json" \
		"d['watch']['paths'][1] == '$ccb_tmp/nfs\\\\xfftwo'" \
		"sorted(d['watch']['sampler']['nfs']) == ['$ccb_tmp/nfs,one', '$ccb_tmp/nfs\\\\xfftwo']"
done
series=$ccb_tmp/watch-json/samples/watch.json
"$PY" -m json.tool "$series" >/dev/null || fail "$series is not valid JSON"
expect_json "$series" "['nfs', '$ccb_tmp/nfs,one', 'read_ops_s'] in d['columns']" \
	"['nfs', '$ccb_tmp/nfs\\\\xfftwo', 'read_ops_s'] in d['columns']" \
	"all(len(r) == len(d['columns']) for r in d['rows'])"
csv=$ccb_tmp/watch-csv/samples/watch.csv
"$PY" - "$csv" "$ccb_tmp" <<'PYEOF' || fail "$csv: not the header and rows of a CSV file"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
head = rows[0]
assert "nfs:%s/nfs,one:read_ops_s" % sys.argv[2] in head, head
assert "nfs:%s/nfs\\xfftwo:read_ops_s" % sys.argv[2] in head, head
assert len(rows) >= 2 and all(len(r) == len(head) for r in rows[1:]), rows
PYEOF
grep -q "\"nfs:$ccb_tmp/nfs,one:read_ops_s\"" "$csv" || fail "the comma's header cell is not quoted"
# report renders both folders (escaped names, the quoted header cell).
for fmt in json csv; do
	expect_ok "$CCB" report --no-plots "$ccb_tmp/watch-$fmt"
done
exit 0
