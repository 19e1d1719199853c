#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/relion_run.sh - the relion strategy end to end: `run` and `sweep` on .star files from
# gen (float32, int16 and float16 stacks; two optics groups listed out of order, rows shuffled, a
# duplicate row; a RELION 3.0 file without optics), and on one written by RELION itself when
# relion_stack_create is installed. The scratch stacks are verified by --verify (image by image)
# and, independently, by tests/helpers/relion_expect.py through mrcfile, which must accept their
# headers. The counters, the threads extension's flags, the free-space rule and the refusals of
# a folder and a .cs are checked too. tests/cli/relion.sh holds the system calls against
# relion_refine's own.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python mrcfile numpy
ccb_lock_if_root
H=$CCB_SRCDIR/tests/helpers
dst=$ccb_tmp/dst
mkdir "$dst"

# gen_set DIR MODE: a small set in DIR (6 stacks of 3-6 images of 64 x 64) and its variants:
# p2g.star (two optics groups, listed 2 then 1, rows shuffled, row 4 twice) and p30.star (the same
# as RELION 3.0 writes it).
gen_set() {
	expect_ok "$CCB" gen --stacks 6 --box 64 --particles 3-6 --mode "$2" --job-dirs 2 --seed 5 "$1"
	"$PY" "$H/relion_star.py" --groups 2 --shuffle 7 --duplicate 4 "$1/particles.star" \
		"$1/p2g.star"
	"$PY" "$H/relion_star.py" --groups 2 --relion30 "$1/particles.star" "$1/p30.star"
}

# relion STAR [RUN-OPTION...]: run --strategy relion --verify --keep into $out; the kept copy's
# relion_volatile folder is then in $vol.
out=$ccb_tmp/results
relion() {
	local star=$1
	shift
	rm -rf "$out" "${dst:?}"/.cryocache-bench.*
	expect_ok "$CCB" run --strategy relion --repeats 1 --verify --keep --quiet --interval 0 \
		--out "$out" "$@" "$star" "$dst"
	vol=$(echo "$dst"/.cryocache-bench.*/copy/relion_volatile)
	[ -d "$vol" ] || fail "no relion_volatile folder below '$dst'"
	expect_json "$out/results.json" "runs[0]['errors'] == []" \
		"runs[0]['verify']['compared'] == 'images'" "runs[0]['verify']['mismatches'] == 0"
}

# expect_stacks STAR [--left N]: the independent check of $vol.
expect_stacks() {
	local star=$1
	shift
	"$PY" "$H/relion_expect.py" "$star" "$(dirname "$star")" "$vol" "$@" >"$ccb_tmp/expect" ||
		{ cat "$ccb_tmp/expect" >&2; fail "the scratch stacks of $star are not RELION's"; }
	note "$(basename "$star"): $(tr '\n' ';' <"$ccb_tmp/expect")"
}

f32=$ccb_tmp/f32
gen_set "$f32" 2
n=$(grep -c '@' "$f32/particles.star")
stacks=$(find "$f32" -name '*.mrcs' | wc -l)

note "float32, one optics group, one thread (relion's default, without --threads): RELION's own copy"
relion "$f32/particles.star"
expect_stacks "$f32/particles.star"
expect_json "$out/results.json" "runs[0]['files'] == $stacks" \
	"runs[0]['bytes'] == $n * 64 * 64 * 4" "runs[0]['verify']['checked'] == $n" \
	"runs[0]['strategy_counters']['particles_copied'] == $n" \
	"runs[0]['strategy_counters']['source_stacks_opened'] == $stacks" \
	"runs[0]['strategy_counters']['particles_left_in_place'] == 0" \
	"runs[0]['strategy_counters']['scratch_bytes_written'] >= $n * (64 * 64 * 4 + 1024)" \
	"runs[0]['strategy_report'][0]['threads_extension'] is False" \
	"runs[0]['threads'] == 1" "d['params']['threads'] == 1" \
	"runs[0]['strategy_report'][0]['split'] == 'none'" \
	"runs[0]['strategy_report'][0]['images_per_group'] == [$n]" \
	"runs[0]['strategy_report'][0]['sorted_by_micrograph'] is True"
# The float32 images are the source's bytes: the scratch stack is 1024 + n x 64 x 64 x 4.
[ "$(stat -c %s "$vol/opticsgroup1_particles.mrcs")" = $((1024 + n * 64 * 64 * 4)) ] ||
	fail "opticsgroup1_particles.mrcs is not one header and $n float32 images"
ls "$vol"/cryocache-bench_run_lock* >/dev/null 2>&1 || fail "no lock file in $vol"

note "two groups out of order, shuffled, one duplicate; and as RELION 3.0 wrote it"
relion "$f32/p2g.star" --threads 1
expect_stacks "$f32/p2g.star"
expect_json "$out/results.json" "runs[0]['strategy_counters']['duplicates_skipped'] == 1" \
	"runs[0]['strategy_counters']['particles_copied'] == $n" \
	"runs[0]['verify']['checked'] == $n" \
	"sum(runs[0]['strategy_report'][0]['images_per_group']) == $n"
relion "$f32/p30.star" --threads 1
expect_stacks "$f32/p30.star"
expect_json "$out/results.json" "runs[0]['strategy_report'][0]['optics_groups'] == 2"

note "threads (our extension): whole groups, or parts of the particles"
relion "$f32/p2g.star" --threads 2
expect_stacks "$f32/p2g.star"
expect_json "$out/results.json" "runs[0]['strategy_report'][0]['split'] == 'groups'" \
	"runs[0]['strategy_report'][0]['threads_extension'] is True" \
	"runs[0]['verify']['checked'] == $n"
relion "$f32/p2g.star" --threads 3
expect_json "$out/results.json" "runs[0]['strategy_report'][0]['split'] == 'particles'" \
	"runs[0]['strategy_report'][0]['units'] == 3" "runs[0]['verify']['checked'] == $n" \
	"runs[0]['strategy_counters']['particles_copied'] + \
	 runs[0]['strategy_counters']['duplicates_skipped'] == $n + 1"
ls "$vol"/opticsgroup*_particles_part3.mrcs >/dev/null 2>&1 ||
	fail "no third part's stack in $vol: $(ls "$vol")"

note "int16 and float16 stacks: read into doubles, written as float32 (twice the bytes)"
for mode in 1 12; do
	set=$ccb_tmp/m$mode
	gen_set "$set" $mode
	m=$(grep -c '@' "$set/particles.star")
	relion "$set/p2g.star" --threads 1
	expect_stacks "$set/p2g.star"
	expect_json "$out/results.json" "runs[0]['bytes'] == $m * 64 * 64 * 2"
	total=$(cat "$vol"/opticsgroup*_particles.mrcs | wc -c)
	[ "$total" = $((2 * 1024 + m * 64 * 64 * 4)) ] ||
		fail "mode $mode: the scratch stacks hold $total bytes, not two headers and $m float32 images"
done

note "the free-space rule: everything left in place when scratch keeps more than it has"
relion "$f32/p2g.star" --threads 1 --keep-free-scratch 1P
expect_stacks "$f32/p2g.star" --left "$n"
expect_json "$out/results.json" "runs[0]['strategy_counters']['particles_left_in_place'] == $n + 1" \
	"runs[0]['strategy_counters']['particles_copied'] == 0" \
	"runs[0]['strategy_report'][0]['scratch_full'] is True" \
	"runs[0]['bytes'] == 0" "runs[0]['files'] == $stacks" \
	"any('scratch space full' in w and 'Remaining $((n + 1)) particles' in w for w in runs[0]['warnings'])"
if [ "$(id -u)" = 0 ] && command -v mountpoint >/dev/null; then
	# On a tmpfs of known size the rule can be exact: room for ten and three quarters images.
	tfs=$ccb_tmp/tmpfs
	mkdir "$tfs"
	mount -t tmpfs -o size=128m tmpfs "$tfs" || fail "cannot mount a tmpfs on '$tfs'"
	trap 'umount "$tfs" 2>/dev/null || true; ccb_cleanup' EXIT
	saved_dst=$dst
	dst=$tfs
	relion "$f32/particles.star" --threads 1 --keep-free-scratch $((128 * 1048576 - 10 * 16384 - 12288))
	expect_stacks "$f32/particles.star" --left $((n - 10))
	expect_json "$out/results.json" "runs[0]['strategy_counters']['particles_copied'] == 10" \
		"runs[0]['strategy_counters']['particles_left_in_place'] == $n - 10"
	dst=$saved_dst
	umount "$tfs"
else
	note "not root: the free-space rule's exact cut on a tmpfs is not tested"
fi

note "a sweep with relion beside shutil, two copiers at once"
rm -rf "$out"
expect_ok "$CCB" sweep --strategies relion,shutil --threads 1,2 --repeats 1 --confirm 0 --warmup 0 --min-run 0 --jobs 2 \
	--verify --quiet --interval 0 --no-plots --out "$out" "$f32/p2g.star" "$dst"
expect_json "$out/results.json" "len(runs) == 4" "all(r['errors'] == [] for r in runs)" \
	"all(r['verify']['checked'] == 2 * $n for r in runs if r['strategy'] == 'relion')" \
	"all(len(r['strategy_report']) == 2 for r in runs if r['strategy'] == 'relion')"
# The verify summary tells shutil's files (hashes) from relion's images (no hash to name).
want=$("$PY" -c 'import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
n = lambda s: sum(r["verify"]["checked"] for r in runs if r["strategy"] == s)
print("**Verify:** 4 runs verified: %d copies checked against their sources (xxh3-64) and %d "
      "images against their source images, every one identical." % (n("shutil"), n("relion")))' \
	"$out/results.json")
grep -qF "$want" "$out/report.md" ||
	fail "report.md does not say '$want': $(grep -F 'Verify:' "$out/report.md")"

if command -v relion_stack_create >/dev/null; then
	note "a .star written by RELION (relion_stack_create): one stack, images out of order"
	rs=$ccb_tmp/rstack
	mkdir "$rs"
	(cd "$f32" && relion_stack_create --i p2g.star --o "$rs/stack") >"$ccb_tmp/rsc.log" 2>&1 ||
		{ cat "$ccb_tmp/rsc.log" >&2; fail "relion_stack_create failed"; }
	relion "$rs/stack.star" --threads 1
	expect_stacks "$rs/stack.star"
	expect_json "$out/results.json" "runs[0]['strategy_counters']['source_stacks_opened'] == 1" \
		"runs[0]['files'] == 1"
else
	note "relion_stack_create is missing: no RELION-written .star is tested here"
fi

note "what RELION cannot copy is refused, saying why"
expect_fail 1 "is a folder, which names no particles" \
	"$CCB" run --strategy relion --repeats 1 --quiet --out "$ccb_tmp/r1" "$f32" "$dst"
expect_fail 1 "is a CryoSPARC .cs" \
	"$CCB" run --strategy relion --repeats 1 --quiet --out "$ccb_tmp/r2" "$f32/particles.cs" "$dst"
sed 's/_particles\.mrcs/_particles.mrc/' "$f32/particles.star" >"$f32/mrc.star"
for s in "$f32"/J*/extract/*.mrcs; do ln -s "$s" "${s%s}"; done
expect_fail 1 "is not a .mrcs stack: RELION reads particle images from .mrcs stacks only" \
	"$CCB" run --strategy relion --repeats 1 --quiet --out "$ccb_tmp/r3" "$f32/mrc.star" "$dst"
exit 0
