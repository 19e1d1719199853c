#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/source_entries.sh - what SRC holds besides stacks: FIFOs, sockets, dangling links and
# links to folders are counted and listed in results.json, never opened; a link to a stack
# outside SRC (CryoSPARC's imported particles link into another project) is refused with what
# to do, unless --follow-links, which copies through it, for a folder and for a list alike. SRC
# is left exactly as it was.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
ccb_lock_if_root

src=$ccb_tmp/src
dst=$ccb_tmp/dst
other=$ccb_tmp/other-project
mkdir "$dst" "$other"
expect_ok "$CCB" gen --stacks 3 --box 32 --particles 4 --job-dirs 1 "$src"
expect_ok "$CCB" gen --stacks 1 --box 32 --particles 5 --job-dirs 1 --seed 9 "$other"
ext=$(cd "$other" && find . -name '*.mrcs' | sed 's|^\./||')
mkdir "$src/J5" "$src/J5/imported"
ln -s "$other/$ext" "$src/J5/imported/linked.mrcs"
mkfifo "$src/pipe.mrcs"
"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$src/sock.mrcs" ||
	fail "cannot make a unix socket"
ln -s gone.mrcs "$src/dangling.mrcs"
ln -s "$other" "$src/folder-link"
[ -p "$src/pipe.mrcs" ] && [ -S "$src/sock.mrcs" ] || fail "the fixture is not what it should be"
# SRC as it is: every entry with its type, size, mtime and link target; src_unchanged compares.
snapshot() { (cd "$src" && find . -printf '%p %y %s %T@ %l\n' | sort); }
src_unchanged() {
	snapshot | cmp -s "$ccb_tmp/before" - || { snapshot | diff "$ccb_tmp/before" - >&2; fail "SRC changed"; }
}
snapshot >"$ccb_tmp/before"

# The link outside SRC: refused, naming it, where it points and what to do.
expect_fail 1 "'J5/imported/linked.mrcs' in the source '$src' is a link to '$other/$ext', outside it: copy from the folder the links point to, or pass --follow-links to copy through them" \
	"$CCB" run --repeats 1 --interval 0 --out "$ccb_tmp/refused" "$src" "$dst"
[ ! -e "$ccb_tmp/refused" ] || fail "a refused source made a results folder"

# --follow-links: copied through the link; the others are listed, not copied, not opened (a
# FIFO would block an open).
out=$ccb_tmp/follow
timeout 120 "$CCB" run --repeats 1 --interval 0 --keep --follow-links --out "$out" "$src" "$dst" \
	>"$ccb_tmp/out" 2>"$ccb_tmp/err" || { cat "$ccb_tmp/err" >&2; fail "run --follow-links failed"; }
grep -q "4 entries in '$src' are no regular files and are not copied" "$ccb_tmp/err" ||
	{ cat "$ccb_tmp/err" >&2; fail "no warning about the entries not copied"; }
grep -q "1 stack is copied through links to files outside '$src'" "$ccb_tmp/err" ||
	{ cat "$ccb_tmp/err" >&2; fail "no warning about the link followed"; }
copy=$(echo "$dst"/.cryocache-bench.*/copy)
cmp "$other/$ext" "$copy/J5/imported/linked.mrcs" || fail "the linked stack was not copied through the link"
[ -f "$copy/J5/imported/linked.mrcs" ] && [ ! -L "$copy/J5/imported/linked.mrcs" ] ||
	fail "the copy of the linked stack is not a file"
for f in pipe.mrcs sock.mrcs dangling.mrcs folder-link; do
	[ ! -e "$copy/$f" ] && [ ! -L "$copy/$f" ] || fail "'$f' was copied"
done
expect_json "$out/results.json" "d['source']['files'] == 4" \
	"d['source']['ignored_special'] == 4" \
	"sorted((e['path'], e['type']) for e in d['source']['ignored_special_examples']) == [('dangling.mrcs', 'dangling link'), ('folder-link', 'link to a folder'), ('pipe.mrcs', 'fifo'), ('sock.mrcs', 'socket')]" \
	"d['source']['follow_links'] is True and d['params']['follow_links'] is True" \
	"d['source']['linked_outside'] == 1" \
	"d['source']['linked_outside_examples'] == ['J5/imported/linked.mrcs']" \
	"runs[0]['errors'] == [] and runs[0]['files'] == 4"
expect_ok "$CCB" clean "$dst"
src_unchanged

# Without the link, the rest is counted the same way.
out=$ccb_tmp/nolink
rm "$src/J5/imported/linked.mrcs"
expect_ok "$CCB" run --repeats 1 --interval 0 --quiet --out "$out" "$src" "$dst"
expect_json "$out/results.json" "d['source']['files'] == 3" "d['source']['ignored_special'] == 4" \
	"d['source']['follow_links'] is False and d['source']['linked_outside'] == 0"
ln -s "$other/$ext" "$src/J5/imported/linked.mrcs"
snapshot >"$ccb_tmp/before"

# A list naming the link (as a CryoSPARC import's .cs would): the same rule for the project folder.
printf 'J5/imported/linked.mrcs\n%s\n' "$(cd "$src" && find J* -name '*.mrcs' ! -path 'J5/*' | head -n 1)" \
	>"$ccb_tmp/list"
expect_fail 1 "'J5/imported/linked.mrcs' in the project folder '$src' is a link to '$other/$ext', outside it: copy from the folder the links point to, or pass --follow-links" \
	"$CCB" run --repeats 1 --interval 0 --files "$ccb_tmp/list" "$src" "$dst"
expect_ok "$CCB" run --repeats 1 --interval 0 --quiet --follow-links --out "$ccb_tmp/list-follow" \
	--files "$ccb_tmp/list" "$src" "$dst"
expect_json "$ccb_tmp/list-follow/results.json" "d['source']['files'] == 2" \
	"d['source']['linked_outside'] == 1" "runs[0]['errors'] == []"
src_unchanged

# A link inside SRC to a stack inside SRC is copied as before, without --follow-links.
inside=$(cd "$src" && find J* -name '*.mrcs' ! -path 'J5/*' | head -n 1)
rm "$src/J5/imported/linked.mrcs"
ln -s "../../$inside" "$src/J5/imported/linked.mrcs"
snapshot >"$ccb_tmp/before"
expect_ok "$CCB" run --repeats 1 --interval 0 --quiet --out "$ccb_tmp/inside" "$src" "$dst"
expect_json "$ccb_tmp/inside/results.json" "d['source']['files'] == 4" "d['source']['linked_outside'] == 0"

src_unchanged

# A folder of nothing but such entries: the message says what it held.
mkdir "$ccb_tmp/odd"
mkfifo "$ccb_tmp/odd/a.mrcs"
expect_fail 1 "no \.mrc/\.mrcs files in '$ccb_tmp/odd' \(0 other files ignored; not regular files: 1, first 'a\.mrcs', a fifo; --all-files" \
	"$CCB" run "$ccb_tmp/odd" "$dst"
exit 0
