#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/relion.sh - the relion strategy issues, particle by particle, the system calls of
# relion_refine's own scratch copy: the same stats, opens (and their flags), reads, seeks, header
# rewrites, write locks, writes and closes, in the same order, with the same sizes, offsets and
# results (strace, normalised by tests/helpers/relion_strace.py), and leaves the same stacks.
#
# The reference is a tiny 2D classification (relion_refine --K 2 --iter 1 --scratch_dir) on sets
# from gen: int16 images of 100 x 100 (each a read and a write straddling 4 KiB blocks) in two
# optics groups listed out of order, rows shuffled and one duplicated; the same as RELION 3.0
# writes it; float32 images of 256 x 256 (whole blocks read straight into the image); a stack that
# relion_stack_create wrote (images out of order in one file); as root, a tmpfs scratch on which
# --keep_free_scratch stops the copy part-way. The copy phase is cut out of relion_refine's trace
# between its "Copying particles" and "Estimating initial noise" messages. The differences that
# remain are explained in src/copy/relion.c; the stacks differ only in their label.
# shellcheck source=tests/helpers/lib.sh
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

command -v relion_refine >/dev/null ||
	skip "relion_refine is missing (Debian: apt-get install relion): nothing to compare with"
strace=${CCB_STRACE:-$(command -v strace || true)}
[ -n "$strace" ] || skip "strace is missing"
"$strace" -f -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here (no ptrace)"
need_python mrcfile numpy
# The run command drops caches: hold the machine lock like every test that does.
ccb_lock_machine
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS

H=$CCB_SRCDIR/tests/helpers
norm="$PY $H/relion_strace.py"
trace="-f -qq -s 40 -e trace=%file,%desc"

# compare NAME PROJECT STAR SCRATCH [RUN-OPTION...]: relion_refine and ours on STAR (paths from
# PROJECT), each traced, their scratch in SCRATCH/relion and SCRATCH/ours; the normalised calls
# must be the same, as must the stacks but for the label, and the particles per group.
# --keep-free-scratch=BYTES is given to both (to relion_refine in GiB).
compare() {
	local name=$1 project=$2 star=$3 scratch=$4
	shift 4
	local d=$ccb_tmp/$name keep_gb=10
	mkdir -p "$d/out" "$scratch/relion" "$scratch/ours"
	for a in "$@"; do
		case $a in
		--keep-free-scratch=*) keep_gb=$("$PY" -c "print('%.15f' % (${a#*=} / 2**30))") ;;
		esac
	done
	(cd "$project" && "$strace" $trace -o "$d/relion.strace" relion_refine --i "$star" \
		--o "$d/out/run" --K 2 --iter 1 --particle_diameter 50 --j 1 --pool 3 \
		--dont_combine_weights_via_disc --psi_step 30 --offset_range 2 --offset_step 2 \
		--scratch_dir "$scratch/relion" --keep_scratch --keep_free_scratch "$keep_gb" \
		>"$d/relion.log" 2>&1) || { tail -20 "$d/relion.log" >&2; fail "$name: relion_refine failed"; }
	# Its stacks leave SCRATCH, so that ours find the free space relion_refine found.
	mv "$scratch/relion/relion_volatile" "$d/relion_volatile"
	traced "$strace" $trace -o "$d/ours.strace" "$CCB" run --strategy relion --threads 1 \
		--repeats 1 --keep --quiet --interval 0 --out "$d/results" "$@" "$project/$star" \
		"$scratch/ours" >"$d/run.out" 2>&1 || { cat "$d/run.out" >&2; fail "$name: run failed"; }

	$norm --root "DST=$scratch/relion" --root "SRC=$project" --root LOCALTIME=/etc/localtime \
		--cwd "$project" --from 'Copying particles' --to 'Estimating initial noise' \
		"$d/relion.strace" >"$d/relion.calls" || fail "$name: cannot normalise relion_refine's trace"
	$norm --root "DST=$scratch/ours/.cryocache-bench.*/copy" --root "SRC=$project" \
		--root LOCALTIME=/etc/localtime "$d/ours.strace" >"$d/ours.calls" ||
		fail "$name: cannot normalise our trace"
	if ! diff -u "$d/relion.calls" "$d/ours.calls" >"$d/diff"; then
		head -60 "$d/diff" >&2
		fail "$name: our calls differ from relion_refine's (- relion_refine, + ours)"
	fi

	# RELION's "For optics_group N, there are M particles on the scratch disk."
	local groups
	groups=$(grep -ao 'For optics_group [0-9]*, there are [0-9]*' "$d/relion.log" |
		awk '{print $NF}' | paste -sd, -)
	expect_json "$d/results/results.json" "runs[0]['errors'] == []" \
		"runs[0]['strategy_report'][0]['images_per_group'] == [$groups]"
	local vol=$scratch/ours/.cryocache-bench.*/copy/relion_volatile
	for f in "$d/relion_volatile"/*.mrcs; do
		local ours
		ours=$(echo $vol/"$(basename "$f")")
		# The header up to the label, and everything after the label, byte for byte.
		cmp -s -n 224 "$f" "$ours" && cmp -s -i 304:304 "$f" "$ours" ||
			fail "$name: $(basename "$f") differs from relion_refine's beyond the label"
	done
	note "$name: $(wc -l <"$d/ours.calls") system calls identical to relion_refine's;" \
		"particles per optics group: $groups"
}

set1=$ccb_tmp/set1
expect_ok "$CCB" gen --stacks 6 --box 100 --particles 3-6 --mode 1 --job-dirs 2 --seed 3 "$set1"
"$PY" "$H/relion_star.py" --groups 2 --shuffle 5 --duplicate 4 "$set1/particles.star" \
	"$set1/p2g.star"
"$PY" "$H/relion_star.py" --groups 2 --relion30 "$set1/particles.star" "$set1/p30.star"
compare int16-groups "$set1" p2g.star "$ccb_tmp/scr1"
compare relion30 "$set1" p30.star "$ccb_tmp/scr2"

set2=$ccb_tmp/set2
expect_ok "$CCB" gen --stacks 3 --box 256 --particles 3-4 --mode 2 --job-dirs 1 --seed 4 "$set2"
compare float32-256 "$set2" particles.star "$ccb_tmp/scr3"

if command -v relion_stack_create >/dev/null; then
	set3=$ccb_tmp/set3
	mkdir "$set3"
	(cd "$set1" && relion_stack_create --i p2g.star --o "$set3/stack") >"$ccb_tmp/rsc.log" 2>&1 ||
		{ cat "$ccb_tmp/rsc.log" >&2; fail "relion_stack_create failed"; }
	compare relion-written "$set3" stack.star "$ccb_tmp/scr4"
else
	note "relion_stack_create is missing: the RELION-written stack is not compared"
fi

if [ "$(id -u)" = 0 ]; then
	# A tmpfs holds only what is written to it: the free space is the same for both programs
	# but for the few blocks of our scratch folder's marks. Room for 10.75 images of 40000 bytes.
	set4=$ccb_tmp/set4
	expect_ok "$CCB" gen --stacks 6 --box 100 --particles 3-6 --mode 2 --job-dirs 2 --seed 3 "$set4"
	tfs=$ccb_tmp/tmpfs
	mkdir "$tfs"
	mount -t tmpfs -o size=128m tmpfs "$tfs" || fail "cannot mount a tmpfs on '$tfs'"
	trap 'umount "$tfs" 2>/dev/null || true; ccb_cleanup' EXIT
	compare scratch-full "$set4" particles.star "$tfs" \
		--keep-free-scratch=$((128 * 1048576 - 430000))
	grep -aq 'Warning: scratch space full on' "$ccb_tmp/scratch-full/relion.log" ||
		fail "scratch-full: relion_refine did not run out of space"
	expect_json "$ccb_tmp/scratch-full/results/results.json" \
		"runs[0]['strategy_counters']['particles_copied'] == 10" \
		"any('scratch space full' in w for w in runs[0]['warnings'])"
	umount "$tfs"
else
	note "not root: the free-space rule is not compared on a tmpfs"
fi

# The comparison must be able to fail: one group's calls are not two groups'.
$norm --root "DST=$ccb_tmp/scr3/ours/.cryocache-bench.*/copy" --root "SRC=$set2" \
	--root LOCALTIME=/etc/localtime "$ccb_tmp/float32-256/ours.strace" >"$ccb_tmp/control.calls"
if diff -q "$ccb_tmp/int16-groups/relion.calls" "$ccb_tmp/control.calls" >/dev/null; then
	fail "two different copies normalise to the same calls: the comparison sees nothing"
fi
exit 0
