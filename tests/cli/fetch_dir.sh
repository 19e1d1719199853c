#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/fetch_dir.sh - what fetch finds in DIR and in its list, against a local nginx: a .part
# that is a symlink out of DIR, a hard link or a FIFO is replaced, never appended through; a
# folder of DIR that is a symlink out of it is refused; two URLs with one file name keep their
# paths below their common base (or are refused, naming both, when that does not tell them
# apart); a file already in DIR counts as fetched only when its size and its recorded hash match.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
"$CCB" strategies --json | "$PY" -c 'import json, sys
sys.exit(0 if any(s["name"] == "http" and s["available"] for s in json.load(sys.stdin)) else 1)' ||
	skip "built without libcurl (apt-get install libcurl4-openssl-dev, re-run configure)"
NGINX=${CCB_NGINX:-$(command -v nginx || command -v /usr/sbin/nginx || true)}
[ -n "$NGINX" ] || skip "nginx is missing (apt-get install nginx-light)"

nginx_dir=$ccb_tmp/nginx
. "$CCB_SRCDIR/tests/helpers/nginx.sh"
trap 'nginx_stop; ccb_cleanup' EXIT

www=$ccb_tmp/www
mkdir -p "$www/set/sub" "$www/dup/a" "$www/dup/b"
for f in set/x.mrcs set/h.mrcs set/f.mrcs set/sub/y.mrcs dup/a/x.mrcs dup/b/x.mrcs; do
	head -c $((100000 + RANDOM)) /dev/urandom >"$www/$f"
done
cp "$www/dup/a/x.mrcs" "$www/dup/get"
nginx_start "$www" || fail "nginx did not start"
base=http://127.0.0.1:$port
got=$ccb_tmp/got
outside=$ccb_tmp/outside
mkdir -p "$got/sub" "$outside"
rmdir "$got/sub"

# unchanged FILE TEXT: FILE still holds exactly TEXT.
unchanged() {
	[ "$(cat "$1")" = "$2" ] || fail "'$1' was written to: $(head -c 80 "$1" | od -c | head -2)"
}

note "a .part that is a symlink out of DIR, or a hard link: replaced, never written through"
echo VICTIM >"$outside/victim"
echo HARDLINKED >"$ccb_tmp/victim2"
ln -s "$outside/victim" "$got/x.mrcs.part"
ln "$ccb_tmp/victim2" "$got/h.mrcs.part"
printf '%s\n' x.mrcs h.mrcs >"$ccb_tmp/list1"
expect_ok timeout -k 5 60 "$CCB" fetch --base-url "$base/set" "$ccb_tmp/list1" "$got"
unchanged "$outside/victim" VICTIM
unchanged "$ccb_tmp/victim2" HARDLINKED
grep -q "'$got/x.mrcs.part' is a symbolic link: not resumed from; replaced" "$ccb_tmp/err" ||
	{ cat "$ccb_tmp/err" >&2; fail "fetch does not say it replaced the symlinked .part"; }
grep -q "'$got/h.mrcs.part' is a hard link to another file: not resumed from; replaced" \
	"$ccb_tmp/err" || { cat "$ccb_tmp/err" >&2; fail "fetch does not say it replaced the hard link"; }
note "a .part that is a FIFO: replaced, not waited on"
mkfifo "$got/f.mrcs.part"
printf '%s\n' f.mrcs >"$ccb_tmp/list1f"
expect_ok timeout -k 5 60 "$CCB" fetch --base-url "$base/set" "$ccb_tmp/list1f" "$got"
for f in x h f; do
	cmp "$www/set/$f.mrcs" "$got/$f.mrcs" || fail "$f.mrcs differs from the server's"
	[ ! -e "$got/$f.mrcs.part" ] && [ ! -L "$got/$f.mrcs.part" ] || fail "$f.mrcs.part is left"
done

note "a folder of DIR that is a symlink out of it: refused, nothing written there"
ln -s "$outside" "$got/sub"
printf '%s\n' sub/y.mrcs >"$ccb_tmp/list2"
expect_fail 1 "cannot fetch '$base/set/sub/y.mrcs': 'sub' is a symbolic link, not followed" \
	timeout -k 5 60 "$CCB" fetch --base-url "$base/set" "$ccb_tmp/list2" "$got"
[ "$(ls -A "$outside")" = victim ] || fail "fetch wrote through a symlinked folder: $(ls -A "$outside")"
rm "$got/sub"

for c in 1 4; do
	note "two URLs with one file name, $c connection(s): each keeps its path below their base"
	printf '%s\n' "$base/dup/a/x.mrcs" "$base/dup/b/x.mrcs" >"$ccb_tmp/dups"
	expect_ok "$CCB" fetch --connections $c "$ccb_tmp/dups" "$ccb_tmp/dup$c"
	cmp "$www/dup/a/x.mrcs" "$ccb_tmp/dup$c/a/x.mrcs" && cmp "$www/dup/b/x.mrcs" "$ccb_tmp/dup$c/b/x.mrcs" ||
		fail "the two x.mrcs are not both there, each as the server has it"
	[ ! -e "$ccb_tmp/dup$c/x.mrcs" ] || fail "a file landed under the shared name"
	expect_json "$ccb_tmp/dup$c/fetch-manifest.json" \
		"sorted(f['path'] for f in d['files']) == ['a/x.mrcs', 'b/x.mrcs']"
done
note "the same URL twice is one file"
printf '%s\n' "$base/dup/a/x.mrcs" "$base/dup/a/x.mrcs" >"$ccb_tmp/twice"
expect_ok "$CCB" fetch --connections 4 "$ccb_tmp/twice" "$ccb_tmp/twice.d"
cmp "$www/dup/a/x.mrcs" "$ccb_tmp/twice.d/x.mrcs" || fail "x.mrcs listed twice differs"
note "one file name that no path tells apart: refused, naming both URLs (query values hidden)"
printf '%s\n' "$base/dup/get?f=1" "$base/dup/get?f=2" >"$ccb_tmp/query"
q_re="'$base/dup/get\?f=\*\*\*'"
expect_fail 1 "$q_re and $q_re \(which differ only in .* not shown\) would both land at 'get'" \
	"$CCB" fetch "$ccb_tmp/query" "$ccb_tmp/query.d"
printf '%s\n' "$base/dup/a/x.mrcs" "http://localhost:$port/dup/b/x.mrcs" >"$ccb_tmp/hosts"
expect_fail 1 "'$base/dup/a/x.mrcs' and 'http://localhost:$port/dup/b/x.mrcs' would both land at 'x.mrcs'" \
	"$CCB" fetch "$ccb_tmp/hosts" "$ccb_tmp/hosts.d"
[ ! -e "$ccb_tmp/query.d" ] && [ ! -e "$ccb_tmp/hosts.d" ] || fail "a refused list fetched files"

note "a file in DIR counts as fetched only when its size and its recorded hash match"
d=$ccb_tmp/pres
printf '%s\n' a/x.mrcs b/x.mrcs >"$ccb_tmp/rel"
fetch_rel() { expect_ok "$CCB" fetch --connections 1 --base-url "$base/dup" "$ccb_tmp/rel" "$d"; }
fetch_rel
# Shorter than the server's (no size in the list, nor in the manifest: HEAD says it), then the
# same size but other bytes than the manifest's hash: both fetched again.
head -c 1000 "$www/dup/a/x.mrcs" >"$d/a/x.mrcs"
head -c "$(stat -c %s "$www/dup/b/x.mrcs")" /dev/zero >"$d/b/x.mrcs"
: >"$nginx_dir/logs/access.log"
fetch_rel
cmp "$www/dup/a/x.mrcs" "$d/a/x.mrcs" && cmp "$www/dup/b/x.mrcs" "$d/b/x.mrcs" ||
	fail "a short or damaged file in DIR was taken for fetched"
! grep -q "files are already in" "$ccb_tmp/err" || fail "fetch counted a wrong file as fetched"
[ "$(grep -c '"GET /dup/' "$nginx_dir/logs/access.log")" = 2 ] || fail "expected both files fetched again"
# Intact: counted, not fetched again, without asking the server (the manifest has their sizes).
: >"$nginx_dir/logs/access.log"
fetch_rel
grep -q "2 of 2 files are already in" "$ccb_tmp/err" || fail "the complete files were not counted"
! grep -q '"[A-Z]* /dup/' "$nginx_dir/logs/access.log" || fail "complete files were asked for again"
# Without a manifest entry, the size alone is checked, asking the server (HEAD) for it.
rm "$d/fetch-manifest.json"
head -c 1000 "$www/dup/a/x.mrcs" >"$d/a/x.mrcs"
fetch_rel
grep -q "1 of 2 files are already in" "$ccb_tmp/err" || fail "expected one file counted as there"
cmp "$www/dup/a/x.mrcs" "$d/a/x.mrcs" || fail "the short file was not fetched again"
grep -q '"HEAD /dup/b/x.mrcs' "$nginx_dir/logs/access.log" ||
	fail "the size of a file without a manifest entry was not asked for"
exit 0
