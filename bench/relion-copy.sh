#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/relion-copy.sh - the relion strategy's throughput beside relion_refine's own copy phase.
#
#   sudo bench/relion-copy.sh [-n ROUNDS] [-t "1 2"] [-s SIZE] WORKDIR
#
# Generates a particle set in WORKDIR (default 1G of 256 x 256 float32 images), then for ROUNDS
# rounds (default 3), in a shuffled order per round and with caches dropped before each:
#   relion_refine  a 2D classification with --scratch_dir WORKDIR/scratch, timed from its
#                  "Copying particles" message to its "For optics_group" one (stdout unbuffered,
#                  read as it comes) and stopped there
#   relion-N       cryocache-bench run --strategy relion --threads N (N > 1: our extension)
#   shutil-2       cryocache-bench run --strategy shutil --threads 2: CryoSPARC copying the same
#                  stacks whole
# and prints, per contender, the median, min and max MB/s of the copy (image bytes read from the
# source per second until the last close, no syncfs: relion_refine does none either), and the
# ratio of each median to relion_refine's. A benchmark, not a test: numbers go into notes.
set -euo pipefail

rounds=3
threads="1 2"
size=1G
. "$(dirname "$0")/lib.sh"
bench_options "[-n ROUNDS] [-t 'N...'] [-s SIZE] WORKDIR" 1 "$@"
set -- "${args[@]}"
command -v relion_refine >/dev/null || { echo "$0: relion_refine is missing (apt-get install relion)" >&2; exit 1; }

work=$1
src=$work/particles
scratch=$work/scratch
log=$work/relion-copy.tsv
box=256
mkdir -p "$work" "$scratch"
[ -f "$src/particles.star" ] || "$ccb" gen --total "$size" --box "$box" --seed 11 "$src" >&2
particles=$(grep -c '@' "$src/particles.star")
bytes=$((particles * box * box * 4))
echo "set: $(find "$src" -name '*.mrcs' | wc -l) stacks, $particles particles, $bytes bytes of images" >&2

# relion_refine's copy phase, in seconds: its messages timed as they arrive through a FIFO, then
# it is stopped (by its pid).
run_relion() {
	local fifo=$work/relion.fifo pid t
	rm -rf "$scratch/relion" "$work/refine" "$fifo"
	mkdir -p "$scratch/relion" "$work/refine"
	mkfifo "$fifo"
	drop
	(cd "$src" && exec stdbuf -o0 relion_refine --i particles.star --o "$work/refine/run" \
		--K 2 --iter 1 --particle_diameter 200 --j 1 --pool 3 --dont_combine_weights_via_disc \
		--scratch_dir "$scratch/relion" >"$fifo" 2>/dev/null) &
	pid=$!
	t=$("$py" -c '
import os, sys, time
buf, t0, t1 = b"", None, None
while t1 is None:
    chunk = os.read(0, 65536)
    if not chunk:
        break
    now = time.monotonic()
    buf += chunk
    if t0 is None and b"Copying particles" in buf:
        t0 = now
    if t0 is not None and b"For optics_group" in buf:
        t1 = now
if t0 is None or t1 is None:
    sys.exit("relion_refine: no copy phase in its output")
print("%.6f" % (t1 - t0))
' <"$fifo") || true
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$fifo"
	echo "$t"
}

run_ours() { # strategy threads
	local out=$work/r.$$.$RANDOM
	"$ccb" run --quiet --repeats 1 --interval 0 --strategy "$1" --threads "$2" --out "$out" \
		"$src/particles.star" "$scratch" >/dev/null 2>&1
	"$py" -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]; print(r["seconds_copied"], r["bytes"])' \
		"$out/results.json"
	rm -rf "$out"
}

contenders="relion_refine shutil-2"
for n in $threads; do contenders="$contenders relion-$n"; done
: >"$log"
for r in $(seq 1 "$rounds"); do
	for c in $(printf '%s\n' $contenders | shuf); do
		case $c in
		relion_refine)
			s=$(run_relion)
			[ -n "$s" ] || { echo "$0: relion_refine gave no copy time" >&2; exit 1; }
			b=$bytes ;;
		shutil-2) read -r s b < <(run_ours shutil 2) ;;
		relion-*) read -r s b < <(run_ours relion "${c#relion-}") ;;
		esac
		printf '%s\t%s\t%s\t%s\n' "$r" "$c" "$s" "$b" | tee -a "$log" >&2
	done
done
rm -rf "$scratch/relion" "$work/refine"

"$py" - "$log" <<'EOF'
import statistics, sys
rates = {}
for line in open(sys.argv[1]):
    r, c, s, b = line.split("\t")
    rates.setdefault(c, []).append(int(b) / float(s) / 1e6)
ref = statistics.median(rates["relion_refine"])
print("%-14s %8s %8s %8s %6s  %s" % ("contender", "median", "min", "max", "runs", "x relion_refine"))
for c in sorted(rates, key=lambda k: (k != "relion_refine", k)):
    v = rates[c]
    print("%-14s %8.1f %8.1f %8.1f %6d  %.2f" % (c, statistics.median(v), min(v), max(v), len(v),
                                                statistics.median(v) / ref))
print("MB/s: image bytes read from the source (shutil: the whole stacks) per second of copy, 10^6")
EOF
