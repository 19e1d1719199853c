#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/http.sh - HTTP(S) as a source, against a real nginx on 127.0.0.1 that the test starts:
# the http strategy copies byte-identically at 1 and 4 threads, its runs say cold.method remote,
# and a missing file fails the run naming the URL and the status; fetch downloads URL lists and
# EMPIAR-style autoindex trees byte-identically, and the stacks a .star/.cs/.csg names (which
# `run --project-dir` then copies), refuses 404s, truncated files, wrong hashes and paths that
# leave DIR, retries a server that is gone and resumes a transfer cut off mid-file, stops on
# SIGINT/SIGTERM with its .part files kept and resumes, and both fail cleanly on HTTP 500 and on
# a server that never answers.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
"$CCB" strategies --json | "$PY" -c 'import json, sys
sys.exit(0 if any(s["name"] == "http" and s["available"] for s in json.load(sys.stdin)) else 1)' ||
	skip "built without libcurl (apt-get install libcurl4-openssl-dev, re-run configure)"
NGINX=${CCB_NGINX:-$(command -v nginx || command -v /usr/sbin/nginx || true)}
[ -n "$NGINX" ] || skip "nginx is missing (apt-get install nginx-light)"

nginx_dir=$ccb_tmp/nginx
. "$CCB_SRCDIR/tests/helpers/nginx.sh"
pid=
stall_pid=
trap 'if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null; fi
if [ -n "$stall_pid" ]; then kill "$stall_pid" 2>/dev/null; fi
nginx_stop; ccb_cleanup' EXIT


# The server's root: the generated set in www/set, and an EMPIAR-like entry in www/10025.
www=$ccb_tmp/www
expect_ok "$CCB" gen --stacks 5 --box 64 --particles 5-10 "$www/set"
cp -al "$www/set" "$ccb_tmp/expect"
rm -f "$ccb_tmp/expect/.cryocache-gen.json" "$ccb_tmp/expect/particles.star" \
	"$ccb_tmp/expect/particles.cs"
nginx_start "$www" || fail "nginx did not start"
url=http://127.0.0.1:$port/set

# The http strategy: SRC lists the stacks, the bytes come from the server.
for n in 1 4; do
	note "http strategy, $n threads"
	mkdir "$ccb_tmp/dst"
	expect_ok "$CCB" run --keep --repeats 1 --quiet --out "$ccb_tmp/results" --strategy http \
		--source-url "$url/" --threads "$n" "$www/set" "$ccb_tmp/dst"
	kept=("$ccb_tmp/dst"/.cryocache-bench.*)
	same_tree "$ccb_tmp/expect" "${kept[0]}/copy"
	expect_json "$ccb_tmp/results/results.json" "len(runs) == 1" "runs[0]['errors'] == []" \
		"runs[0]['files'] == 5" "runs[0]['bytes'] == d['source']['bytes']" \
		"runs[0]['cold']['method'] == 'remote'" "runs[0]['cold']['residency_pct'] is None" \
		"not any('not cold' in w for w in runs[0]['warnings'])" \
		"1 <= runs[0]['strategy_counters']['connections'] <= $n" \
		"runs[0]['sampler']['net']['lo']['rx_bytes'] >= runs[0]['bytes']" \
		"runs[0]['sampler']['top_interface'] == 'lo'"
	# A remote source is neither cold nor warm here: no rendering calls it not cold.
	expect_ok "$CCB" report --no-plots "$ccb_tmp/results/results.json"
	! grep -q '\*\*not cold\*\*' "$ccb_tmp/results/report.md" ||
		fail "report.md calls a remote run not cold"
	! grep -q '<span class="flag">not cold</span>\|(not cold)' "$ccb_tmp/results/report.html" ||
		fail "report.html calls a remote run not cold"
	grep -q "remote source" "$ccb_tmp/results/report.md" || fail "report.md does not say remote"
	[ "$(grep -c 'GET /.*\.mrcs HTTP/1.1" 200' "$ccb_tmp/nginx/logs/access.log")" = 5 ] ||
		fail "nginx did not log 5 GETs of the stacks: $(cat "$ccb_tmp/nginx/logs/access.log")"
	: >"$ccb_tmp/nginx/logs/access.log"
	rm -rf "$ccb_tmp/dst" "$ccb_tmp/results"
done

# --source-url does not make a local strategy's run remote.
mkdir "$ccb_tmp/dst"
expect_ok "$CCB" run --repeats 1 --quiet --out "$ccb_tmp/results" --strategy rw \
	--source-url "$url" --threads 1 "$www/set" "$ccb_tmp/dst"
expect_json "$ccb_tmp/results/results.json" "runs[0]['cold']['method'] != 'remote'"
rm -rf "$ccb_tmp/dst" "$ccb_tmp/results"

# A stack the server does not have: the run fails, naming the URL and the status.
note "http strategy, 404"
victim=$(cd "$ccb_tmp/expect" && find . -name '*.mrcs' | sort | head -n 1)
victim=${victim#./}
mv "$www/set/$victim" "$ccb_tmp/gone"
mkdir -p "$ccb_tmp/listed"
cp -r "$ccb_tmp/expect/." "$ccb_tmp/listed/"
mkdir "$ccb_tmp/dst"
expect_fail 1 "cannot fetch '$url/$victim': HTTP status 404" \
	"$CCB" run --repeats 1 --quiet --out "$ccb_tmp/results" --strategy http \
	--source-url "$url" --threads 2 "$ccb_tmp/listed" "$ccb_tmp/dst"
rm -rf "$ccb_tmp/dst" "$ccb_tmp/results"
mv "$ccb_tmp/gone" "$www/set/$victim"

# Without --source-url the strategy has nothing to fetch from.
mkdir "$ccb_tmp/dst"
expect_fail 1 "needs --source-url" "$CCB" run --repeats 1 --quiet --out "$ccb_tmp/results" \
	--strategy http --threads 1 "$www/set" "$ccb_tmp/dst"
rm -rf "$ccb_tmp/dst" "$ccb_tmp/results"

# ---- fetch ------------------------------------------------------------------------------------
(cd "$ccb_tmp/expect" && find . -type f | sort | sed "s|^\./|$url/|") >"$ccb_tmp/urls"
[ "$(wc -l <"$ccb_tmp/urls")" = 5 ] || fail "expected 5 stacks in the URL list"

# fetched_is_set DIR: DIR, but for its manifest, is the set, byte for byte.
fetched_is_set() {
	rm -rf "$ccb_tmp/fetched.cmp"
	cp -al "$1" "$ccb_tmp/fetched.cmp"
	rm -f "$ccb_tmp/fetched.cmp/fetch-manifest.json"
	same_tree "$ccb_tmp/expect" "$ccb_tmp/fetched.cmp"
	rm -rf "$ccb_tmp/fetched.cmp"
}

note "fetch: a URL list, 3 connections"
expect_ok "$CCB" fetch --connections 3 --base-url "$url" "$ccb_tmp/urls" "$ccb_tmp/got"
fetched_is_set "$ccb_tmp/got"
first=$(head -n 1 "$ccb_tmp/urls")
first_rel=${first#"$url"/}
first_hash=$(json "$ccb_tmp/got/fetch-manifest.json" \
	"[f['xxh3'] for f in d['files'] if f['path'] == '$first_rel'][0]")
expect_json "$ccb_tmp/got/fetch-manifest.json" "len(d['files']) == 5" \
	"all(f['size'] == __import__('os').path.getsize('$ccb_tmp/got/' + f['path']) for f in d['files'])" \
	"sorted(f['url'] for f in d['files']) == sorted(open('$ccb_tmp/urls').read().split())" \
	"all(len(f['xxh3']) == 16 and f['resumed_from'] == 0 for f in d['files'])"
! find "$ccb_tmp/got" -name '*.part' | grep -q . || fail "fetch left .part files"

note "fetch: paths below --base-url, with sizes and hashes to check"
size=$(stat -c %s "$ccb_tmp/expect/$first_rel")
printf '%s %s %s\n' "$first_rel" "$size" "$first_hash" >"$ccb_tmp/paths"
expect_ok "$CCB" fetch --base-url "$url/" "$ccb_tmp/paths" "$ccb_tmp/got2"
cmp "$ccb_tmp/expect/$first_rel" "$ccb_tmp/got2/$first_rel" || fail "fetched path differs"

note "fetch: a list whose first path starts with data_ is a list, not a .star"
mkdir -p "$www/data_sets"
cp "$ccb_tmp/expect/$first_rel" "$www/data_sets/a.mrcs"
printf 'data_sets/a.mrcs\n' >"$ccb_tmp/data-list"
expect_ok "$CCB" fetch --quiet --base-url "http://127.0.0.1:$port" "$ccb_tmp/data-list" \
	"$ccb_tmp/got-data"
cmp "$www/data_sets/a.mrcs" "$ccb_tmp/got-data/data_sets/a.mrcs" || fail "data_sets/a.mrcs differs"
rm -rf "$www/data_sets"

note "fetch: a single URL lands under its file name"
expect_ok "$CCB" fetch "$first" "$ccb_tmp/got3"
cmp "$ccb_tmp/expect/$first_rel" "$ccb_tmp/got3/$(basename "$first_rel")" ||
	fail "single URL fetch differs"

note "fetch: 404"
echo "$url/no/such.mrcs" >"$ccb_tmp/missing"
expect_fail 1 "cannot fetch '$url/no/such\.mrcs': HTTP status 404" \
	"$CCB" fetch --quiet "$ccb_tmp/missing" "$ccb_tmp/got4"
[ ! -e "$ccb_tmp/got4/such.mrcs" ] || fail "a 404 left a file"

note "fetch: a file shorter than the list says is refused, never renamed"
printf '%s %s\n' "$first_rel" "$((size + 1))" >"$ccb_tmp/paths"
expect_fail 1 "cannot fetch '$first': truncated: $size bytes, expected $((size + 1))" \
	"$CCB" fetch --quiet --base-url "$url" "$ccb_tmp/paths" "$ccb_tmp/got5"
[ ! -e "$ccb_tmp/got5/$first_rel" ] || fail "a truncated file was taken for complete"

note "fetch: a wrong XXH3-64 is refused"
printf '%s %s %s\n' "$first_rel" "$size" 0123456789abcdef >"$ccb_tmp/paths"
expect_fail 1 "cannot fetch '$first': XXH3-64 $first_hash, expected 0123456789abcdef" \
	"$CCB" fetch --quiet --base-url "$url" "$ccb_tmp/paths" "$ccb_tmp/got6"
[ ! -e "$ccb_tmp/got6/$first_rel" ] || fail "a file with a wrong hash was taken for complete"

# ---- fetch: the stacks a .star or a .cs names ---------------------------------------------------
# gen writes particles.star and particles.cs beside the stacks, naming them "J<n>/extract/...".
grep -q '^000001@J[0-9]*/extract/' "$www/set/particles.star" ||
	fail "particles.star does not name the stacks by their paths below the set"
nparticles=$(grep -c '^[0-9]*@' "$www/set/particles.star")
for meta in particles.star particles.cs; do
	note "fetch: the stacks $meta names, below --base-url; run takes the folder as their project"
	expect_ok "$CCB" fetch --quiet --base-url "$url" "$www/set/$meta" "$ccb_tmp/m"
	cmp "$www/set/$meta" "$ccb_tmp/m/$meta" || fail "fetch did not put $meta beside the stacks"
	[ ! -e "$ccb_tmp/m/.$meta.tmp" ] || fail "fetch left the temporary copy of $meta"
	expect_json "$ccb_tmp/m/fetch-manifest.json" "len(d['files']) == 5" \
		"sorted(f['url'] for f in d['files']) == sorted(open('$ccb_tmp/urls').read().split())"
	mkdir "$ccb_tmp/dst"
	expect_ok "$CCB" run --keep --repeats 1 --quiet --out "$ccb_tmp/results" --strategy rw \
		--threads 2 --project-dir "$ccb_tmp/m" "$ccb_tmp/m/$meta" "$ccb_tmp/dst"
	kept=("$ccb_tmp/dst"/.cryocache-bench.*)
	same_tree "$ccb_tmp/expect" "${kept[0]}/copy"
	expect_json "$ccb_tmp/results/results.json" "d['source']['kind'] == '${meta#particles.}'" \
		"d['source']['files'] == 5" "d['source']['missing_stacks'] == 0" \
		"d['source']['particles'] == $nparticles" "runs[0]['files'] == 5" \
		"runs[0]['errors'] == []"
	rm -rf "$ccb_tmp/dst" "$ccb_tmp/results"
	rm "$ccb_tmp/m/$meta"
	fetched_is_set "$ccb_tmp/m"
	rm -rf "$ccb_tmp/m"
done

note "fetch: a .csg, through the .cs it names"
mkdir -p "$ccb_tmp/job/J3"
cp "$www/set/particles.cs" "$ccb_tmp/job/J3/J3_particles.cs"
printf "results:\n  blob:\n    metafile: '>J3_particles.cs'\n    num_items: 9\n" \
	>"$ccb_tmp/job/J3/J3_particles.csg"
expect_ok "$CCB" fetch --quiet --base-url "$url/" "$ccb_tmp/job/J3/J3_particles.csg" "$ccb_tmp/m"
cmp "$www/set/particles.cs" "$ccb_tmp/m/J3_particles.cs" || fail "the .cs of a .csg was not put"
rm "$ccb_tmp/m/J3_particles.cs"
fetched_is_set "$ccb_tmp/m"
rm -rf "$ccb_tmp/m"

note "fetch: a .star's metadata is left alone when DIR holds one, and nothing is fetched twice"
mkdir "$ccb_tmp/m"
echo mine >"$ccb_tmp/m/particles.star"
expect_ok "$CCB" fetch --quiet --base-url "$url" "$www/set/particles.star" "$ccb_tmp/m"
[ "$(cat "$ccb_tmp/m/particles.star")" = mine ] || fail "fetch replaced a particles.star in DIR"
: >"$ccb_tmp/nginx/logs/access.log"
expect_ok "$CCB" fetch --base-url "$url" "$www/set/particles.star" "$ccb_tmp/m"
grep -q "5 of 5 files are already in" "$ccb_tmp/err" || fail "the second fetch did not say so"
! grep -q 'GET ' "$ccb_tmp/nginx/logs/access.log" || fail "the second fetch asked the server again"
rm -rf "$ccb_tmp/m"

note "fetch: a .star needs --base-url"
expect_fail 1 "'$www/set/particles.star' is a RELION \.star: fetching the stacks it names needs --base-url" \
	"$CCB" fetch --quiet "$www/set/particles.star" "$ccb_tmp/m"
expect_fail 1 "'$www/set/particles.cs' is a CryoSPARC \.cs: .*needs --base-url" \
	"$CCB" fetch --quiet "$www/set/particles.cs" "$ccb_tmp/m"

note "fetch: a .star naming paths outside DIR is refused, naming the .star"
# star FILE PATH...: a RELION .star naming PATH... (quoted when they hold spaces)
star() {
	local out=$1
	shift
	printf 'data_particles\nloop_\n_rlnImageName #1\n' >"$out"
	printf '%s\n' "$@" >>"$out"
}
star "$ccb_tmp/evil.star" "000001@$first_rel" "000001@../escape.mrcs"
expect_fail 1 "'$ccb_tmp/evil\.star' names '\.\./escape\.mrcs', which would land outside the folder" \
	"$CCB" fetch --quiet --base-url "$url" "$ccb_tmp/evil.star" "$ccb_tmp/m"
star "$ccb_tmp/evil.star" "000001@J1/../../escape.mrcs"
expect_fail 1 "'$ccb_tmp/evil\.star' names 'J1/\.\./\.\./escape\.mrcs', which would land outside" \
	"$CCB" fetch --quiet --base-url "$url" "$ccb_tmp/evil.star" "$ccb_tmp/m"
[ ! -e "$ccb_tmp/m" ] && [ ! -e "$ccb_tmp/escape.mrcs" ] || fail "a refused list fetched files"
star "$ccb_tmp/empty.star"
expect_fail 1 "'$ccb_tmp/empty\.star' names no particle stacks" \
	"$CCB" fetch --quiet --base-url "$url" "$ccb_tmp/empty.star" "$ccb_tmp/m"

note "fetch: absolute paths need --project-dir, which they must lie below"
sed 's|^\([0-9]*\)@|\1@/lab/proj/|' "$www/set/particles.star" >"$ccb_tmp/abs.star"
grep -q '@/lab/proj/J' "$ccb_tmp/abs.star" || fail "abs.star names no absolute paths"
expect_fail 1 "'$ccb_tmp/abs\.star' names the absolute path '/lab/proj/J[0-9]*/extract/.*' \(--project-dir" \
	"$CCB" fetch --quiet --base-url "$url" "$ccb_tmp/abs.star" "$ccb_tmp/m"
expect_fail 1 "'$ccb_tmp/abs\.star' names '/lab/proj/J.*', which is not below --project-dir '/lab/other'" \
	"$CCB" fetch --quiet --base-url "$url" --project-dir /lab/other "$ccb_tmp/abs.star" "$ccb_tmp/m"
[ ! -e "$ccb_tmp/m" ] || fail "a refused .star fetched files"
expect_ok "$CCB" fetch --quiet --base-url "$url" --project-dir /lab/proj/ "$ccb_tmp/abs.star" \
	"$ccb_tmp/m"
cmp "$ccb_tmp/abs.star" "$ccb_tmp/m/abs.star" || fail "abs.star was not put beside the stacks"
rm "$ccb_tmp/m/abs.star"
fetched_is_set "$ccb_tmp/m"
rm -rf "$ccb_tmp/m"

# ---- EMPIAR listings --------------------------------------------------------------------------
note "fetch --empiar: walking nginx autoindex listings with --match and --max-bytes"
entry=$www/10025
i=0
for f in $(cd "$ccb_tmp/expect" && find . -name '*.mrcs' | sort); do
	i=$((i + 1))
	mkdir -p "$entry/data/grid $((i % 2))/Particles"
	ln "$ccb_tmp/expect/$f" "$entry/data/grid $((i % 2))/Particles/s$i.mrcs"
done
mkdir -p "$entry/data/grid 0/Micrographs" "$entry/other"
echo notes >"$entry/data/grid 0/Particles/notes.txt"
echo mic >"$entry/data/grid 0/Micrographs/m.mrc"
echo x >"$entry/other/s9.mrcs"
expect_ok "$CCB" fetch --empiar 10025 --base-url "http://127.0.0.1:$port" \
	--match 'data/*/Particles/*.mrcs' "$ccb_tmp/emp"
(cd "$entry" && find data -name '*.mrcs' | sort) >"$ccb_tmp/emp.want"
(cd "$ccb_tmp/emp" && find . -type f ! -name fetch-manifest.json | sed 's|^\./||' | sort) \
	>"$ccb_tmp/emp.got"
cmp -s "$ccb_tmp/emp.want" "$ccb_tmp/emp.got" ||
	{ diff "$ccb_tmp/emp.want" "$ccb_tmp/emp.got" >&2; fail "--empiar fetched other files"; }
while IFS= read -r f; do
	cmp -s "$entry/$f" "$ccb_tmp/emp/$f" || fail "--empiar: '$f' differs"
done <"$ccb_tmp/emp.want"
# A cap of the first two files' bytes (in path order) takes exactly those two.
cap=0
while IFS= read -r f; do
	cap=$((cap + $(stat -c %s "$entry/$f")))
done < <(head -n 2 "$ccb_tmp/emp.want")
expect_ok "$CCB" fetch --empiar 10025 --base-url "http://127.0.0.1:$port/" \
	--match 'data/*/Particles/*.mrcs' --max-bytes "$cap" "$ccb_tmp/emp2"
[ "$(find "$ccb_tmp/emp2" -name '*.mrcs' | wc -l)" = 2 ] ||
	fail "--max-bytes $cap should take 2 files: $(find "$ccb_tmp/emp2" -type f)"

note "fetch --empiar: walking Apache-style index pages (a <pre> listing and an HTML table)"
# Apache's mod_autoindex pages, as EMPIAR's server writes them: sort links, a parent link with an
# absolute path, icons, and names shortened in the text but whole in the href. nginx serves a
# folder's index.html in place of its own listing.
apache=$www/apache/10026
mkdir -p "$apache/data/Particles/MRC_0601" "$apache/data/Movies"
ln "$entry/data/grid 0/Particles/s2.mrcs" "$apache/data/Particles/MRC_0601/a_particles_long_name.mrcs"
ln "$entry/data/grid 1/Particles/s1.mrcs" "$apache/data/Particles/MRC_0601/b.mrcs"
echo movie >"$apache/data/Movies/m.mrcs"
apache_pre() { # TITLE then "href|text" links, as Apache 2.4 writes a <pre> listing
	local title=$1 l
	shift
	printf '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html>\n <head>\n'
	printf '  <title>Index of %s</title>\n </head>\n <body>\n<h1>Index of %s</h1>\n' "$title" "$title"
	printf '<pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>   '
	printf '<a href="?C=M;O=A">Last modified</a>   <a href="?C=S;O=A">Size</a><hr>'
	printf '<img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="/empiar/">Parent Directory</a>\n'
	for l in "$@"; do
		printf '<img src="/icons/folder.gif" alt="[DIR]"> <a href="%s">%s</a>  2016-01-05 14:58  -\n' \
			"${l%%|*}" "${l#*|}"
	done
	printf '<hr></pre>\n</body></html>\n'
}
apache_pre /10026 "data/|data/" "10026.xml|10026.xml" >"$apache/index.html"
apache_pre /10026/data "Particles/|Particles/" "Movies/|Movies/" >"$apache/data/index.html"
apache_pre /10026/data/Movies "m.mrcs|m.mrcs" >"$apache/data/Movies/index.html"
echo '<?xml version="1.0"?><entry/>' >"$apache/10026.xml"
{
	printf '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html><head>'
	printf '<title>Index of /10026/data/Particles</title></head><body><table>\n'
	printf '<tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th>'
	printf '<th><a href="?C=N;O=D">Name</a></th><th><a href="?C=S;O=A">Size</a></th></tr>\n'
	printf '<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td>'
	printf '<td><a href="/10026/data/">Parent Directory</a></td><td>-</td></tr>\n'
	printf '<tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td>'
	printf '<td><a href="MRC_0601/">MRC_0601/</a></td><td>-</td></tr>\n'
	printf '</table></body></html>\n'
} >"$apache/data/Particles/index.html"
apache_pre /10026/data/Particles/MRC_0601 "a_particles_long_name.mrcs|a_particles_lon..&gt;" \
	"b.mrcs|b.mrcs" "http://elsewhere.example/x.mrcs|x.mrcs" >"$apache/data/Particles/MRC_0601/index.html"
expect_ok "$CCB" fetch --empiar 10026 --base-url "http://127.0.0.1:$port/apache" \
	--match 'data/Particles/*/*.mrcs' "$ccb_tmp/apache"
(cd "$ccb_tmp/apache" && find . -type f ! -name fetch-manifest.json | sed 's|^\./||' | sort) \
	>"$ccb_tmp/apache.got"
printf '%s\n' data/Particles/MRC_0601/a_particles_long_name.mrcs data/Particles/MRC_0601/b.mrcs \
	>"$ccb_tmp/apache.want"
cmp -s "$ccb_tmp/apache.want" "$ccb_tmp/apache.got" ||
	{ diff "$ccb_tmp/apache.want" "$ccb_tmp/apache.got" >&2; fail "Apache listings: other files"; }
cmp "$apache/data/Particles/MRC_0601/b.mrcs" "$ccb_tmp/apache/data/Particles/MRC_0601/b.mrcs" ||
	fail "Apache listings: b.mrcs differs"
grep -q "2 files match 'data/Particles/\*/\*.mrcs'; taking 2" "$ccb_tmp/err" ||
	{ cat "$ccb_tmp/err" >&2; fail "fetch does not say what it took"; }

note "fetch: a .star's paths with spaces are %-escaped in the URL"
star "$ccb_tmp/spaces.star" "'000001@data/grid 0/Particles/s2.mrcs'" \
	"'000002@data/grid 1/Particles/s1.mrcs'"
: >"$ccb_tmp/nginx/logs/access.log"
expect_ok "$CCB" fetch --quiet --base-url "http://127.0.0.1:$port/10025" "$ccb_tmp/spaces.star" \
	"$ccb_tmp/sp"
for f in "data/grid 0/Particles/s2.mrcs" "data/grid 1/Particles/s1.mrcs"; do
	cmp "$entry/$f" "$ccb_tmp/sp/$f" || fail "'$f' differs"
done
grep -q '"GET /10025/data/grid%200/Particles/s2.mrcs HTTP/1.1" 200' \
	"$ccb_tmp/nginx/logs/access.log" || fail "the URL was not %-escaped: $(cat "$ccb_tmp/nginx/logs/access.log")"

# ---- a server that goes away ------------------------------------------------------------------
note "fetch: connection refused is retried, then reported"
nginx_stop
expect_fail 1 "cannot fetch '$first': .*(onnect|refused).*gave up after 2 attempts" \
	"$CCB" fetch --quiet --retries 1 --retry-delay 0.1 "$first" "$ccb_tmp/got7"

note "fetch: resume after the server is stopped mid-transfer"
head -c $((16 * 1024 * 1024)) /dev/urandom >"$www/big.bin"
nginx_start "$www" "limit_rate 2m;" || fail "nginx did not start"
"$CCB" fetch --retries 8 --retry-delay 1 "http://127.0.0.1:$port/big.bin" "$ccb_tmp/big" \
	2>"$ccb_tmp/big.err" &
pid=$!
for _ in $(seq 100); do
	[ "$(stat -c %s "$ccb_tmp/big/big.bin.part" 2>/dev/null || echo 0)" -ge 1000000 ] && break
	sleep 0.1
done
nginx_stop
part=$(stat -c %s "$ccb_tmp/big/big.bin.part")
[ "$part" -ge 1000000 ] && [ "$part" -lt $((16 * 1024 * 1024)) ] ||
	fail "expected a partial download, the .part has $part bytes"
[ ! -e "$ccb_tmp/big/big.bin" ] || fail "a partial download was taken for complete"
sleep 0.5
nginx_start "$www" || fail "nginx did not start"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" = 0 ] || { cat "$ccb_tmp/big.err" >&2; fail "the resumed fetch exited $rc"; }
cmp "$www/big.bin" "$ccb_tmp/big/big.bin" || fail "the resumed file differs"
grep -q "resuming 'big.bin' at [0-9]* bytes" "$ccb_tmp/big.err" ||
	{ cat "$ccb_tmp/big.err" >&2; fail "the log does not say the download resumed"; }
expect_json "$ccb_tmp/big/fetch-manifest.json" "d['files'][0]['resumed_from'] >= $part" \
	"d['files'][0]['size'] == 16 * 1024 * 1024"
grep -Eq '"GET /big.bin HTTP/1.1" 206' "$ccb_tmp/nginx/logs/access.log" ||
	fail "nginx did not serve a range (206) of big.bin"

# ---- Ctrl-C and SIGTERM ------------------------------------------------------------------------
# Two small files and a big one served at 1 MB/s: the signal comes while the big one is under way.
mkdir "$www/slow"
head -c 65536 /dev/urandom >"$www/slow/a.bin"
head -c 65536 /dev/urandom >"$www/slow/b.bin"
ln "$www/big.bin" "$www/slow/big.bin"
printf '%s\n' slow/a.bin slow/b.bin slow/big.bin >"$ccb_tmp/slow.list"
for sig in INT TERM; do
	note "fetch: SIG$sig mid-transfer keeps the .part, records what completed, says so"
	nginx_stop
	nginx_start "$www" "location /slow/ { limit_rate 1m; }" || fail "nginx did not start"
	got=$ccb_tmp/slow-$sig
	"$CCB" fetch --connections 3 --base-url "http://127.0.0.1:$port" "$ccb_tmp/slow.list" "$got" \
		2>"$ccb_tmp/slow.err" &
	pid=$!
	for _ in $(seq 200); do
		[ -e "$got/slow/a.bin" ] && [ -e "$got/slow/b.bin" ] &&
			[ "$(stat -c %s "$got/slow/big.bin.part" 2>/dev/null || echo 0)" -ge 1000000 ] && break
		sleep 0.1
	done
	kill -"$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	pid=
	want=$([ "$sig" = INT ] && echo 130 || echo 143)
	[ "$rc" = "$want" ] || { cat "$ccb_tmp/slow.err" >&2; fail "SIG$sig: fetch exited $rc, expected $want"; }
	grep -q "interrupted by SIG$sig: 2 of 3 files are complete in '$got'; the same command resumes the rest" \
		"$ccb_tmp/slow.err" || { cat "$ccb_tmp/slow.err" >&2; fail "SIG$sig: no line saying what completed"; }
	[ "$(grep -c 'interrupted' "$ccb_tmp/slow.err")" = 1 ] || fail "SIG$sig: more than one line on it"
	part=$(stat -c %s "$got/slow/big.bin.part" 2>/dev/null || echo 0)
	[ "$part" -ge 1000000 ] && [ "$part" -lt $((16 * 1024 * 1024)) ] ||
		fail "SIG$sig: expected a partial big.bin.part, it has $part bytes"
	[ ! -e "$got/slow/big.bin" ] || fail "SIG$sig: the partial file has its final name"
	cmp "$www/slow/a.bin" "$got/slow/a.bin" && cmp "$www/slow/b.bin" "$got/slow/b.bin" ||
		fail "SIG$sig: a completed file differs"
	expect_json "$got/fetch-manifest.json" \
		"sorted(f['path'] for f in d['files']) == ['slow/a.bin', 'slow/b.bin']"
done

note "fetch: running the interrupted command again resumes and completes it"
nginx_stop
nginx_start "$www" || fail "nginx did not start"
part=$(stat -c %s "$ccb_tmp/slow-INT/slow/big.bin.part")
expect_ok "$CCB" fetch --connections 3 --base-url "http://127.0.0.1:$port" "$ccb_tmp/slow.list" \
	"$ccb_tmp/slow-INT"
grep -q "2 of 3 files are already in" "$ccb_tmp/err" || fail "the re-run fetched the complete files again"
grep -q "resuming 'slow/big.bin' at $part bytes" "$ccb_tmp/err" ||
	{ cat "$ccb_tmp/err" >&2; fail "the re-run did not resume big.bin at $part bytes"; }
for f in a.bin b.bin big.bin; do
	cmp "$www/slow/$f" "$ccb_tmp/slow-INT/slow/$f" || fail "the resumed $f differs"
done
! find "$ccb_tmp/slow-INT" -name '*.part' | grep -q . || fail "the re-run left .part files"
expect_json "$ccb_tmp/slow-INT/fetch-manifest.json" "len(d['files']) == 3" \
	"[f['resumed_from'] for f in d['files'] if f['path'] == 'slow/big.bin'] == [$part]"

# ---- HTTP 500 and a stalled server -------------------------------------------------------------
note "HTTP 500: fetch retries, then gives up naming the URL and the status"
nginx_stop
nginx_start "$www" "location = /set/$victim { return 500; }" || fail "nginx did not start"
: >"$ccb_tmp/nginx/logs/access.log"
expect_fail 1 "cannot fetch '$url/$victim': HTTP status 500 \(gave up after 2 attempts\)$" \
	"$CCB" fetch --quiet --retries 1 --retry-delay 0.1 --base-url "$url" "$ccb_tmp/urls" \
	"$ccb_tmp/e500"
[ "$(grep -c "\"GET /set/$victim HTTP/1.1\" 500" "$ccb_tmp/nginx/logs/access.log")" = 2 ] ||
	fail "fetch did not ask twice for the file that fails: $(cat "$ccb_tmp/nginx/logs/access.log")"
[ ! -e "$ccb_tmp/e500/$victim" ] && [ ! -e "$ccb_tmp/e500/$victim.part" ] ||
	fail "an HTTP 500 left a file"
[ "$(find "$ccb_tmp/e500" -name '*.mrcs' | wc -l)" = 4 ] || fail "the other 4 files were not fetched"
expect_json "$ccb_tmp/e500/fetch-manifest.json" "len(d['files']) == 4" \
	"'$victim' not in [f['path'] for f in d['files']]"

note "HTTP 500: the http strategy's run fails naming the URL and the status"
mkdir "$ccb_tmp/dst"
expect_fail 1 "cannot fetch '$url/$victim': HTTP status 500" \
	"$CCB" run --repeats 1 --quiet --out "$ccb_tmp/results" --strategy http \
	--source-url "$url" --threads 2 "$ccb_tmp/listed" "$ccb_tmp/dst"
rm -rf "$ccb_tmp/dst" "$ccb_tmp/results"

# A listener on 127.0.0.1 that takes connections and never answers.
"$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])
    print("accepted", flush=True)' >"$ccb_tmp/stall.port" &
stall_pid=$!
for _ in $(seq 100); do
	[ -s "$ccb_tmp/stall.port" ] && break
	sleep 0.1
done
[ -s "$ccb_tmp/stall.port" ] || fail "the stalled server did not start"
stall=http://127.0.0.1:$(head -n 1 "$ccb_tmp/stall.port")

note "a stalled server: fetch --timeout 1 gives up, naming the URL and the timeout"
expect_fail 1 "cannot fetch '$stall/x\.mrcs': .*\(timeout 1 s\) \(gave up after 1 attempt\)$" \
	timeout 60 "$CCB" fetch --quiet --timeout 1 --retries 0 "$stall/x.mrcs" "$ccb_tmp/stalled"
[ ! -e "$ccb_tmp/stalled/x.mrcs" ] && [ ! -e "$ccb_tmp/stalled/x.mrcs.part" ] ||
	fail "a stalled transfer left a file"

note "a stalled server: the http strategy's run fails after --source-timeout, naming the URL"
mkdir -p "$ccb_tmp/one" "$ccb_tmp/dst"
ln "$ccb_tmp/expect/$victim" "$ccb_tmp/one/x.mrcs"
expect_fail 1 "cannot fetch '$stall/x\.mrcs': Operation too slow.*\(timeout 2 s\)" \
	timeout 120 "$CCB" run --repeats 1 --quiet --out "$ccb_tmp/results" --strategy http \
	--source-url "$stall" --source-timeout 2 --threads 1 "$ccb_tmp/one" "$ccb_tmp/dst"
expect_json "$ccb_tmp/results/results.json" "len(runs) == 1" "len(runs[0]['errors']) == 1"
rm -rf "$ccb_tmp/dst" "$ccb_tmp/results"

note "a stalled server: Ctrl-C ends the http strategy's run at once, not after the timeout"
mkdir "$ccb_tmp/dst"
accepted=$(grep -c accepted "$ccb_tmp/stall.port" || true)
"$CCB" run --repeats 1 --quiet --out "$ccb_tmp/results" --strategy http \
	--source-url "$stall" --source-timeout 3600 --threads 1 "$ccb_tmp/one" "$ccb_tmp/dst" \
	2>"$ccb_tmp/int.err" &
pid=$!
# The run is stalled once the server has taken one more connection.
for _ in $(seq 300); do
	[ "$(grep -c accepted "$ccb_tmp/stall.port" || true)" -gt "$accepted" ] && break
	sleep 0.1
done
[ "$(grep -c accepted "$ccb_tmp/stall.port" || true)" -gt "$accepted" ] ||
	fail "the http strategy never connected to the stalled server"
sleep 0.5
kill -INT "$pid"
rc=0
timeout 60 tail --pid="$pid" -f /dev/null || fail "the run did not end within 60 s of SIGINT"
wait "$pid" || rc=$?
pid=
[ "$rc" = 130 ] || { cat "$ccb_tmp/int.err" >&2; fail "an interrupted http run exited $rc, not 130"; }
grep -q "interrupted by SIGINT" "$ccb_tmp/int.err" ||
	{ cat "$ccb_tmp/int.err" >&2; fail "the run does not say it was interrupted"; }
rm -rf "$ccb_tmp/dst" "$ccb_tmp/results"
kill "$stall_pid"
wait "$stall_pid" 2>/dev/null || true
stall_pid=

# ---- HTTPS with a certificate made here --------------------------------------------------------
if command -v openssl >/dev/null; then
	note "https: --cafile verifies, a missing CA fails, --insecure warns"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$ccb_tmp/key.pem" \
		-out "$ccb_tmp/cert.pem" 2>/dev/null || fail "openssl could not make a certificate"
	sport=$(free_port)
	nginx_stop
	nginx_start "$www" "listen 127.0.0.1:$sport ssl; ssl_certificate $ccb_tmp/cert.pem;" \
		"ssl_certificate_key $ccb_tmp/key.pem;" || fail "nginx did not start with TLS"
	surl=https://127.0.0.1:$sport/set
	mkdir "$ccb_tmp/dst"
	expect_ok "$CCB" run --keep --repeats 1 --quiet --out "$ccb_tmp/results" --strategy http \
		--source-url "$surl" --cafile "$ccb_tmp/cert.pem" --threads 2 "$www/set" "$ccb_tmp/dst"
	kept=("$ccb_tmp/dst"/.cryocache-bench.*)
	same_tree "$ccb_tmp/expect" "${kept[0]}/copy"
	rm -rf "$ccb_tmp/dst" "$ccb_tmp/results"
	mkdir "$ccb_tmp/dst"
	expect_fail 1 "cannot fetch '$surl/.*': .*(certificate|SSL)" "$CCB" run --repeats 1 --quiet \
		--out "$ccb_tmp/results" --strategy http --source-url "$surl" --threads 1 \
		"$www/set" "$ccb_tmp/dst"
	rm -rf "$ccb_tmp/dst" "$ccb_tmp/results"
	mkdir "$ccb_tmp/dst"
	expect_ok "$CCB" run --repeats 1 --quiet --out "$ccb_tmp/results" --strategy http \
		--source-url "$surl" --insecure --threads 1 "$www/set" "$ccb_tmp/dst"
	expect_json "$ccb_tmp/results/results.json" "runs[0]['errors'] == []" \
		"any('--insecure' in w for w in runs[0]['warnings'])"
	rm -rf "$ccb_tmp/dst" "$ccb_tmp/results"
	sed "s|^$url/||" "$ccb_tmp/urls" >"$ccb_tmp/urls.rel"
	expect_ok "$CCB" fetch --quiet --cafile "$ccb_tmp/cert.pem" --base-url "$surl" \
		"$ccb_tmp/urls.rel" "$ccb_tmp/sgot"
	fetched_is_set "$ccb_tmp/sgot"
else
	note "openssl is missing: HTTPS not tested"
fi
