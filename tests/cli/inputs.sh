#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/inputs.sh - SRC as a job's metadata: a RELION .star, a CryoSPARC .cs (written by numpy)
# or --files LIST copies exactly the stacks named; missing stacks, stacks whose size disagrees
# with their MRC header and malformed metadata are reported.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python numpy
ccb_lock_if_root

proj=$ccb_tmp/proj
dst=$ccb_tmp/dst
mkdir "$dst"
expect_ok "$CCB" gen --stacks 6 --box 32 --particles 3-7 --job-dirs 2 "$proj"
# The job names 4 of the 6 stacks: a copy of the folder would take all 6.
"$PY" "$CCB_SRCDIR/tests/helpers/make_inputs.py" "$proj" 4 >"$ccb_tmp/named" || fail "make_inputs.py failed"
[ "$(wc -l <"$ccb_tmp/named")" = 4 ] || fail "make_inputs.py named $(wc -l <"$ccb_tmp/named") stacks"
bytes=0
particles=0
while IFS= read -r s; do
	bytes=$((bytes + $(stat -c %s "$proj/$s")))
	particles=$((particles + $(od -An -t d4 -j 8 -N 4 "$proj/$s")))
done <"$ccb_tmp/named"

# run_meta NAME SRC KIND OPTIONS...: run once with --keep; the kept copy must hold exactly the
# named stacks, byte for byte, and results.json must describe the source ($missing stacks
# missing, $bad_size with a size their header disagrees with; 0 by default).
run_meta() {
	local name=$1 src=$2 kind=$3
	shift 3
	local out=$ccb_tmp/results-$name
	expect_ok "$CCB" run --repeats 1 --threads 2 --keep --out "$out" "$@" "$src" "$dst"
	cp "$ccb_tmp/err" "$ccb_tmp/err-$name"
	local copy
	copy=$(echo "$dst"/.cryocache-bench.*/copy)
	[ -d "$copy" ] || fail "$name: no kept copy in $dst"
	(cd "$copy" && find . -type f | sed 's|^\./||' | sort) >"$ccb_tmp/copied"
	sort "$ccb_tmp/named" | cmp -s - "$ccb_tmp/copied" ||
		{ sort "$ccb_tmp/named" | diff - "$ccb_tmp/copied" >&2; fail "$name: copied other stacks than named"; }
	while IFS= read -r s; do
		cmp -s "$proj/$s" "$copy/$s" || fail "$name: copy of $s differs"
	done <"$ccb_tmp/named"
	expect_json "$out/results.json" "d['source']['kind'] == '$kind'" \
		"d['source']['files'] == 4" "d['source']['bytes'] == $bytes" \
		"d['source']['project_dir'] == '$(cd "$proj" && pwd -P)'" \
		"d['source']['missing_stacks'] == ${missing:-0}" \
		"d['source']['bad_size_stacks'] == ${bad_size:-0}" "runs[0]['errors'] == []" "runs[0]['files'] == 4" \
		"sum(b['files'] for b in d['source']['size_histogram']) == 4"
	expect_ok "$CCB" clean "$dst"
}

# The project folder comes from default_pipeline.star (.star) and the J<n> folder (.cs).
run_meta star "$proj/Select/job001/particles.star" star
expect_json "$ccb_tmp/results-star/results.json" "d['source']['particles'] == $particles" \
	"d['source']['metadata'].endswith('/Select/job001/particles.star')"
run_meta cs "$proj/J9/J9_particles.cs" cs
expect_json "$ccb_tmp/results-cs/results.json" "d['source']['particles'] == $particles"

# The same .cs as cryosparc-tools' compressed stream (CSDAT), when python3-lz4 and liblz4 are here.
if "$PY" -c 'import lz4.block' 2>/dev/null; then
	"$PY" "$CCB_SRCDIR/tests/helpers/csdat_write.py" "$proj/J9/J9_particles.cs" "$proj/J9/J9_csdat.cs" ||
		fail "csdat_write.py failed"
	if "$CCB" run --repeats 1 --quiet --out "$ccb_tmp/probe-csdat" "$proj/J9/J9_csdat.cs" "$dst" \
		2>&1 | grep -q 'need liblz4'; then
		note "this build reads no CSDAT .cs (no liblz4): not tested end to end"
	else
		run_meta csdat "$proj/J9/J9_csdat.cs" cs
		expect_json "$ccb_tmp/results-csdat/results.json" "d['source']['particles'] == $particles"
	fi
else
	note "python3-lz4 is missing: CSDAT .cs not tested end to end"
fi

# A CryoSPARC group file (.csg) names the .cs ('>' = beside the .csg).
cat >"$proj/J9/J9_particles.csg" <<'CSG'
created: 2024-05-02 10:11:12.131415
group:
  description: Particles extracted
  name: particles
  title: Particles
  type: particle
results:
  alignments2D:
    metafile: '>J9_passthrough_particles.cs'
    num_items: 9
    type: particle.alignments2D
  blob:
    metafile: '>J9_particles.cs'
    num_items: 9
    type: particle.blob
version: v4.4.1
CSG
run_meta csg "$proj/J9/J9_particles.csg" cs
expect_json "$ccb_tmp/results-csg/results.json" "d['source']['metadata'].endswith('/J9/J9_particles.cs')"
printf 'results:\n  ctf:\n    metafile: x.cs\n' >"$ccb_tmp/bad.csg"
expect_fail 1 "bad.csg': line 3: expected 'results:', 'blob:' and its 'metafile:'" \
	"$CCB" run --repeats 1 "$ccb_tmp/bad.csg" "$dst"

# Recognised by content, not by name; --project-dir overrides the default.
cp "$proj/Select/job001/particles.star" "$ccb_tmp/job.txt"
cp "$proj/J9/J9_particles.cs" "$ccb_tmp/job.dat"
run_meta star-by-content "$ccb_tmp/job.txt" star --project-dir "$proj"
run_meta cs-by-content "$ccb_tmp/job.dat" cs --project-dir "$proj"

# --files LIST (and - for stdin), relative to SRC; comments and blank lines are skipped.
{ echo "# stacks of J42"; echo; cat "$ccb_tmp/named"; } >"$ccb_tmp/list"
run_meta list "$proj" list --files "$ccb_tmp/list"
run_meta list-stdin "$proj" list --files - <"$ccb_tmp/list"
# A pipe that ends (the shell's <(...)) is a list too.
run_meta list-pipe "$proj" list --files <(cat "$ccb_tmp/list")

# What is no regular file is refused at once, named with what it is, never read or waited on:
# /dev/zero never ends, a FIFO no one writes would block the open; as --files and as SRC.
mkfifo "$ccb_tmp/list.fifo"
"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$ccb_tmp/list.sock" ||
	fail "cannot make a unix socket"
for bad in "/dev/zero:a character device" "$ccb_tmp/list.fifo:a FIFO" "$ccb_tmp/list.sock:a socket" \
	"$proj:a folder"; do
	path=${bad%%:*}
	expect_fail 1 "^cryocache-bench: cannot read '$path': ${bad#*:}, not a regular file\$" \
		timeout -k 10 60 "$CCB" run --repeats 1 --quiet --files "$path" "$proj" "$dst"
	[ "$path" = "$proj" ] && continue
	expect_fail 1 "^cryocache-bench: cannot read '$path': ${bad#*:}, not a regular file\$" \
		timeout -k 10 60 "$CCB" run --repeats 1 --quiet "$path" "$dst"
done

# --sample: the sweep's seeded, size-representative sampler over the stacks the job names; the
# same seed gives the same sample.
for spec in 2 50%; do
	for k in 1 2; do
		expect_ok "$CCB" run --repeats 1 --quiet --sample "$spec" --out "$ccb_tmp/sample-$spec-$k" \
			"$proj/J9/J9_particles.cs" "$dst"
	done
	expect_json "$ccb_tmp/sample-$spec-1/results.json" "d['source']['files'] == 2" \
		"d['source']['sample'] == {'spec': '$spec', 'seed': 1, 'of_files': 4, 'of_bytes': $bytes}" \
		"d['source']['bytes'] == json.load(open('$ccb_tmp/sample-$spec-2/results.json'))['source']['bytes']"
done
expect_fail 1 "invalid --sample '0'" "$CCB" run --repeats 1 --sample 0 "$proj/J9/J9_particles.cs" "$dst"
expect_fail 1 "invalid --sample '101%'" "$CCB" run --repeats 1 --sample 101% "$proj" "$dst"

# Missing stacks: counted, the first named, the others copied.
# (rows after the blank line that ends the loop would not count: they go inside it)
"$PY" - "$proj/Select/job001/particles.star" "$ccb_tmp/m.star" <<'PYEOF'
import sys
body = open(sys.argv[1]).read().rstrip("\n")
extra = "".join("1.0 000001@J1/extract/gone_%d.mrcs x 1 \n" % i for i in (1, 2))
open(sys.argv[2], "w").write(body + "\n" + extra + "\n")
PYEOF
missing=2 run_meta missing "$ccb_tmp/m.star" star --project-dir "$proj"
grep -q "2 of the 6 stacks .* are missing (first: 'J1/extract/gone_1.mrcs')" "$ccb_tmp/err-missing" ||
	{ cat "$ccb_tmp/err-missing" >&2; fail "missing stacks not reported"; }
expect_json "$ccb_tmp/results-missing/results.json" "d['source']['missing_stacks'] == 2" \
	"d['source']['missing_examples'] == ['J1/extract/gone_1.mrcs', 'J1/extract/gone_2.mrcs']"

# None exists: exit 1, naming where paths were looked for.
printf 'data_\nloop_\n_rlnImageName\n1@nowhere/a.mrcs\n' >"$ccb_tmp/none.star"
expect_fail 1 "none of the 1 stacks .* exists below" "$CCB" run --repeats 1 "$ccb_tmp/none.star" "$dst"

# Malformed metadata: exit 1 with the line or byte offset and what was expected.
printf 'data_particles\nloop_\n_rlnImageName #1\n_rlnX #2\n1@a.mrcs 1\n2@a.mrcs\n' >"$ccb_tmp/bad.star"
expect_fail 1 "bad.star': line 6: 1 values, expected 2" "$CCB" run --repeats 1 "$ccb_tmp/bad.star" "$dst"
head -c -10 "$proj/J9/J9_particles.cs" >"$ccb_tmp/short.cs"
expect_fail 1 "short.cs': byte [0-9]+: expected [0-9]+ rows of [0-9]+ bytes" \
	"$CCB" run --repeats 1 "$ccb_tmp/short.cs" "$dst"
# A file that is none of them (an MRC stack, binary) is refused by content, whatever its name.
cp "$proj/$(head -n 1 "$ccb_tmp/named")" "$ccb_tmp/stack.star"
expect_fail 1 "is not a directory, a RELION .star, a CryoSPARC .cs or a list of files" \
	"$CCB" run --repeats 1 "$ccb_tmp/stack.star" "$dst"
# A project folder that is not one: said with the reason, nothing stat'ed.
expect_fail 1 "cannot use '$ccb_tmp/no-such-project' as the project folder: No such file or directory" \
	"$CCB" run --repeats 1 --project-dir "$ccb_tmp/no-such-project" "$ccb_tmp/m.star" "$dst"
expect_fail 1 "cannot use '$ccb_tmp/bad.star' as the project folder: Not a directory" \
	"$CCB" run --repeats 1 --project-dir "$ccb_tmp/bad.star" "$ccb_tmp/m.star" "$dst"
printf '../outside.mrcs\n' >"$ccb_tmp/escape.list"
expect_fail 1 "outside the project folder" "$CCB" run --repeats 1 --files "$ccb_tmp/escape.list" "$proj" "$dst"
printf 'J1/extract/../../../outside.mrcs\n' >"$ccb_tmp/escape.list"
expect_fail 1 "names 'J1/extract/../../../outside.mrcs', which is outside the project folder" \
	"$CCB" run --repeats 1 --files "$ccb_tmp/escape.list" "$proj" "$dst"
# A ".." that stays inside is resolved before anything is called outside: "sub/../x.mrcs" is
# "x.mrcs" (copied there, once), in a list, an absolute path and a .star alike.
s1=$(head -n 1 "$ccb_tmp/named")
printf 'sub/../%s\n./%s\n%s/J1/../%s\n' "$s1" "$s1" "$proj" "$s1" >"$ccb_tmp/dotdot.list"
expect_ok "$CCB" run --repeats 1 --quiet --keep --out "$ccb_tmp/dotdot" --files "$ccb_tmp/dotdot.list" \
	"$proj" "$dst"
expect_json "$ccb_tmp/dotdot/results.json" "d['source']['files'] == 1" "runs[0]['errors'] == []"
cmp -s "$proj/$s1" "$(echo "$dst"/.cryocache-bench.*/copy)/$s1" || fail "'sub/../$s1' was not copied to '$s1'"
expect_ok "$CCB" clean "$dst"
printf 'data_\nloop_\n_rlnImageName\n1@Select/../%s\n' "$s1" >"$proj/Select/job001/dotdot.star"
expect_ok "$CCB" run --repeats 1 --quiet --out "$ccb_tmp/dotdot-star" "$proj/Select/job001/dotdot.star" "$dst"
expect_json "$ccb_tmp/dotdot-star/results.json" "d['source']['files'] == 1" \
	"d['source']['missing_stacks'] == 0"
rm "$proj/Select/job001/dotdot.star"
# An absolute path that reaches the project through a link to it (/data/P12 -> /mnt/em/P12) is
# below it too.
ln -s "$proj" "$ccb_tmp/projlink"
printf '%s/%s\n' "$ccb_tmp/projlink" "$s1" >"$ccb_tmp/abs.list"
expect_ok "$CCB" run --repeats 1 --quiet --out "$ccb_tmp/abs" --files "$ccb_tmp/abs.list" "$proj" "$dst"
expect_json "$ccb_tmp/abs/results.json" "d['source']['files'] == 1" "d['source']['missing_stacks'] == 0"

# A truncated stack is named in a warning (and still copied); so is a stack of the wrong mode.
first=$(head -n 1 "$ccb_tmp/named")
truncate -s -100 "$proj/$first"
bytes=$((bytes - 100))
bad_size=1 run_meta truncated "$proj/J9/J9_particles.cs" cs
grep -q "'$first': size .* differs from its MRC header" "$ccb_tmp/err-truncated" ||
	{ cat "$ccb_tmp/err-truncated" >&2; fail "truncated stack not named"; }
expect_json "$ccb_tmp/results-truncated/results.json" "d['source']['bad_size_stacks'] == 1" \
	"d['source']['bad_size_examples'] == ['$first']"
# The same check for a folder.
expect_ok "$CCB" run --repeats 1 --out "$ccb_tmp/results-truncated-dir" "$proj" "$dst"
grep -q "'$first': size .* differs from its MRC header" "$ccb_tmp/err" ||
	{ cat "$ccb_tmp/err" >&2; fail "truncated stack not named for a folder"; }
expect_json "$ccb_tmp/results-truncated-dir/results.json" "d['source']['kind'] == 'dir'" \
	"d['source']['bad_size_stacks'] == 1" "d['source']['files'] == 6"
# gen writes particles.star and particles.cs for its set; independent readers must find every
# particle of the manifest in them: numpy for the .cs, awk for the .star.
gset=$ccb_tmp/gset
expect_ok "$CCB" gen --stacks 5 --box 24 --particles 2-6 --job-dirs 2 --apix 1.25 "$gset"
"$PY" - "$gset" <<'PYEOF' || fail "gen's particles.cs does not match its manifest"
import collections, json, sys
import numpy as np
d = sys.argv[1]
m = json.load(open(d + "/.cryocache-gen.json"))
a = np.load(d + "/particles.cs", allow_pickle=False)
assert a.shape == (m["particles"],), a.shape
for f in ("uid", "blob/path", "blob/idx", "blob/shape", "blob/psize_A", "blob/sign"):
    assert f in a.dtype.names, f
assert a.dtype["uid"] == np.dtype("<u8") and a.dtype["blob/path"].kind == "S"
assert len(set(a["uid"].tolist())) == len(a), "uids repeat"
want = {f["path"]: f["particles"] for f in m["files"]}
idx = collections.defaultdict(list)
for p, i in zip(a["blob/path"], a["blob/idx"]):
    idx[p.decode()].append(int(i))
assert {p: len(v) for p, v in idx.items()} == want, (idx, want)
assert all(v == list(range(len(v))) for v in idx.values())
assert (a["blob/shape"] == [24, 24]).all() and np.allclose(a["blob/psize_A"], 1.25)
assert (a["blob/sign"] == -1).all()
PYEOF
# rlnImageName's column is looked up by label; rows end at the blank line closing the loop.
awk '
	/^data_/ { block = substr($1, 6); inloop = 0; col = 0; next }
	block == "particles" && /^loop_/ { inloop = 1; n = 0; next }
	block == "particles" && inloop && /^_rln/ { n++; if ($1 == "_rlnImageName") col = n; next }
	block == "particles" && inloop && NF == 0 && rows { inloop = 0; next }
	block == "particles" && inloop && NF > 0 && col {
		rows++; split($col, part, "@"); count[part[2]]++
		if (part[1] + 0 != count[part[2]]) { print "bad image number " $col; bad = 1 }
	}
	END { for (p in count) print p, count[p]; exit bad }
' "$gset/particles.star" | sort >"$ccb_tmp/star-counts" || fail "gen's particles.star numbers images wrongly"
"$PY" -c 'import json,sys; [print(f["path"], f["particles"]) for f in json.load(open(sys.argv[1]))["files"]]' \
	"$gset/.cryocache-gen.json" | sort >"$ccb_tmp/manifest-counts"
cmp -s "$ccb_tmp/star-counts" "$ccb_tmp/manifest-counts" ||
	{ diff "$ccb_tmp/star-counts" "$ccb_tmp/manifest-counts" >&2; fail "gen's particles.star does not match its manifest"; }
# Both name the whole set (and the folder listing does not take them for particle data).
bytes=$(cd "$gset" && find . -name '*.mrcs' -printf '%s\n' | awk '{ s += $1 } END { print s }')
for m in particles.star particles.cs; do
	expect_ok "$CCB" run --repeats 1 --quiet --out "$ccb_tmp/results-gen-$m" "$gset/$m" "$dst"
	expect_json "$ccb_tmp/results-gen-$m/results.json" "d['source']['files'] == 5" \
		"d['source']['bytes'] == $bytes" "d['source']['missing_stacks'] == 0" \
		"d['source']['particles'] == $(json "$gset/.cryocache-gen.json" "d['particles']")"
done
expect_ok "$CCB" run --repeats 1 --quiet --out "$ccb_tmp/results-gen-dir" "$gset" "$dst"
expect_json "$ccb_tmp/results-gen-dir/results.json" "d['source']['files'] == 5" \
	"d['source']['ignored_files'] == 0" "d['source']['kind'] == 'dir'"
exit 0
