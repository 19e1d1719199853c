#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/demo-size.sh - how large `make demo`'s generated set should be on this machine, from a
# probe: generate a small set, copy it cold with CryoSPARC's copier at the demo's most threads,
# and size the set so a run lasts about SECONDS at that rate times FACTOR (the headroom the
# fastest strategy may have over shutil). The size is capped by half the free space in DIR (the
# set and its copy in DIR/cache must both fit) and by a quarter of the memory (MemTotal), and is
# at least the probe's. Prints the size for `gen --total` (e.g. 1536M) on stdout; what it measured
# and why it chose that size on stderr.
#
#   bench/demo-size.sh CRYOCACHE-BENCH DIR [SECONDS [THREADS [FACTOR]]]
set -eu

ccb=$1
dir=$2
seconds=${3:-3}
threads=${4:-8}
factor=${5:-1.5}
probe_mib=512

say() { echo "demo: $*" >&2; }

mkdir -p "$dir"
# The probe set stays (gen leaves an identical set alone), so a second `make demo` reuses it.
"$ccb" gen --total ${probe_mib}M --seed 2 "$dir/probe-set" >/dev/null
mkdir -p "$dir/probe-cache"
results=$(mktemp -d "$dir/probe-results.XXXXXX")
trap 'rm -rf "$results"' EXIT
"$ccb" run --strategy shutil --threads "$threads" --repeats 2 --interval 0 --quiet \
	--out "$results/r" "$dir/probe-set" "$dir/probe-cache" >/dev/null 2>&1 || {
	say "the probe run failed; generating the probe's size, $(awk -v m="$probe_mib" 'BEGIN { printf "%.0f MB", m * 1.048576 }')"
	echo "${probe_mib}M"
	exit 0
}
# The fastest of the probe's runs, in MB/s, from its results.json ("mb_s": N, one a run).
rate=$(grep -o '"mb_s": [0-9][0-9.eE+-]*' "$results/r/results.json" |
	awk '{ if ($2 + 0 > m + 0) m = $2 } END { printf "%.0f", m + 0 }')
free_kib=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
mem_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)

# Everything in MiB from here on (gen's M); the messages say MB and GB.
awk -v rate="$rate" -v s="$seconds" -v f="$factor" -v free="$free_kib" -v mem="$mem_kib" \
	-v probe="$probe_mib" -v threads="$threads" '
function say(msg) { print "demo: " msg > "/dev/stderr" }
# What the user reads is decimal, as everywhere in the tool (MB, GB); gen takes MiB.
function dec(mib) { return mib * 1.048576 >= 1000 ? sprintf("%.1f GB", mib * 1.048576 / 1000) : sprintf("%.0f MB", mib * 1.048576) }
BEGIN {
	want = rate * 1e6 * s * f / 1048576
	by_disk = free / 1024 / 2
	by_mem = mem / 1024 / 4
	size = want
	why = "a run of about " s " s"
	if (size > by_disk) { size = by_disk; why = "half the free space in the demo folder" }
	if (size > by_mem) { size = by_mem; why = "a quarter of the memory" }
	if (size < probe) { size = probe; why = "the probe set'"'"'s size, the smallest the demo makes" }
	size = int(size / 64) * 64
	if (size < probe) size = probe
	say(sprintf("shutil copied the %s probe set at %.0f MB/s with %d threads; %g s at %g times that " \
		    "is %s; half the free space allows %s, a quarter of the memory %s", \
		    dec(probe), rate, threads, s, f, dec(want), dec(by_disk), dec(by_mem)))
	say(sprintf("generating %s (%s)", dec(size), why))
	if (size < want * 0.9)
		say("runs will be shorter than " s " s: the sweep will flag them short, and the numbers are mostly noise")
	printf "%dM\n", size
}'
