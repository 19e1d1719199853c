#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/compare-curl.sh - does the http strategy fetch as fast as curl, one file per call?
#
#   sudo bench/compare-curl.sh [-n ROUNDS] [-t "1 2 4 8"] [-s SIZE] WORKDIR
#
# Generates a particle set in WORKDIR (default 2G, seed 7) and serves it with a real nginx on
# 127.0.0.1 (a free port; its configuration, logs and temporary files stay in WORKDIR). Then for
# ROUNDS rounds (default 5) and each thread count N runs, in a shuffled order per round, with
# the page cache dropped before each:
#   ours  cryocache-bench run --strategy http --source-url http://127.0.0.1:PORT/set/ --threads N
#   curl  xargs -P N curl -sSf -o DEST URL, one file per call (destination folders made first)
# and prints, per contender and N, the median, min and max of the copied and the durable MB/s
# (durable = copied + syncfs of the destination) and the ratio of the medians. Every copy is
# checked (each file's size, and cmp of a sample) before its times are kept, so a contender
# that drops bytes cannot look fast. Nothing but 127.0.0.1 is contacted. A benchmark, not a
# test: numbers go into notes, nothing here passes or fails on them.
#
# CCB names the binary (default: ./cryocache-bench of the tree), NGINX the server, CURL the
# client, PYTHON3 the interpreter. Each measurement holds the lock the tests that drop caches
# take (CCB_LOCK_FILE, default /var/tmp/cryocache-bench-tests.lock), so none of them runs
# inside it.
set -euo pipefail
shopt -s inherit_errexit # a failed check inside $(run_...) stops the script

rounds=5
threads="1 2 4 8"
size=2G
. "$(dirname "$0")/lib.sh"
bench_options "[-n ROUNDS] [-t 'N...'] [-s SIZE] WORKDIR" 1 "$@"
set -- "${args[@]}"

nginx=${NGINX:-$(command -v nginx || command -v /usr/sbin/nginx || true)}
curl=${CURL:-$(command -v curl || true)}
[ -x "$ccb" ] || { echo "$0: cannot run '$ccb' (set CCB)" >&2; exit 1; }
[ -n "$nginx" ] || { echo "$0: nginx is missing (apt-get install nginx-light)" >&2; exit 1; }
[ -n "$curl" ] || { echo "$0: curl is missing (apt-get install curl)" >&2; exit 1; }
"$ccb" strategies --json | "$py" -c 'import json, sys
sys.exit(0 if any(s["name"] == "http" and s["available"] for s in json.load(sys.stdin)) else 1)' ||
	{ echo "$0: '$ccb' has no http strategy (built without libcurl)" >&2; exit 1; }

# Only the local server is ever asked: no proxy from the environment may step in, for libcurl
# in the tool or for curl.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1 NO_PROXY=127.0.0.1

mkdir -p "$1"
work=$(cd "$1" && pwd)
www=$work/www
src=$www/set
dst=$work/cache
log=$work/compare.tsv
list=$work/curl.list
mkdir -p "$dst" "$work/nginx/logs"
rm -rf "$dst/plain" "$dst"/.cryocache-bench.* "$work"/r.*

NGINX=$nginx
PY=$py
nginx_dir=$work/nginx
nginx_access_log=off
. "$here/tests/helpers/nginx.sh"
cleanup() {
	nginx_stop
	rm -rf "$dst/plain" "$dst"/.cryocache-bench.* "$work"/r.*
}
trap cleanup EXIT

"$ccb" gen --total "$size" --seed 7 "$src" >&2
# The stacks, as the tool lists them: .mrc and .mrcs below SRC, relative paths.
mapfile -t stacks < <(cd "$src" && find . -type f \( -name '*.mrc' -o -name '*.mrcs' \) |
	sed 's|^\./||' | LC_ALL=C sort)
bytes=$(cd "$src" && stat -c %s -- "${stacks[@]}" | awk '{ s += $1 } END { printf "%.0f\n", s }')
echo "set: ${#stacks[@]} stacks, $bytes bytes in $src" >&2

nginx_start "$www" || exit 1
url=http://127.0.0.1:$port/set/
echo "nginx $("$nginx" -v 2>&1 | sed 's|.*/||') on $url (pid $nginx_pid)" >&2
"$curl" --version | head -n 1 >&2

# curl's arguments, made once: DEST and URL pairs, NUL-separated, the path %-escaped as the
# http strategy escapes it.
printf '%s\0' "${stacks[@]}" | "$py" -c 'import sys, urllib.parse
dst, url = sys.argv[1], sys.argv[2]
for rel in sys.stdin.read().split("\0")[:-1]:
    sys.stdout.write(dst + "/" + rel + "\0" + url + urllib.parse.quote(rel, safe="/-._~") + "\0")
' "$dst/plain" "$url" >"$list"


# check_copy DIR: every stack is in DIR at its source's size, and a sample of three (the first,
# the last and one at random) is byte-identical.
check_copy() {
	local d=$1 rel a b
	for rel in "${stacks[@]}"; do
		a=$(stat -c %s -- "$src/$rel")
		b=$(stat -c %s -- "$d/$rel" 2>/dev/null || echo missing)
		[ "$a" = "$b" ] || { echo "$0: '$d/$rel' has $b bytes, the source $a" >&2; return 1; }
	done
	for rel in "${stacks[0]}" "${stacks[-1]}" "${stacks[RANDOM % ${#stacks[@]}]}"; do
		cmp -s -- "$src/$rel" "$d/$rel" || { echo "$0: '$d/$rel' differs from the source" >&2; return 1; }
	done
}

# Each contender prints "copied_seconds durable_seconds".
run_ours() { # threads
	local out=$work/r.$$.$RANDOM kept
	drop
	"$ccb" run --quiet --keep --repeats 1 --strategy http --source-url "$url" --threads "$1" \
		--out "$out" "$src" "$dst" >/dev/null
	"$py" - "$out/results.json" "${#stacks[@]}" "$bytes" <<'PY' || return 1
import json, sys
r = json.load(open(sys.argv[1]))["runs"][0]
for k in ("files", "bytes", "seconds_copied", "seconds_durable", "errors", "aborted"):
    if k not in r:
        sys.exit(f"results.json: the run has no '{k}'")
if r["errors"] or r["aborted"]:
    sys.exit(f"results.json: the run failed: {r['errors']}")
if r["files"] != int(sys.argv[2]) or r["bytes"] != int(sys.argv[3]):
    sys.exit(f"results.json: {r['files']} files, {r['bytes']} bytes copied, "
             f"not {sys.argv[2]}, {sys.argv[3]}")
print(r["seconds_copied"], r["seconds_durable"])
PY
	kept=("$dst"/.cryocache-bench.*)
	if [ ${#kept[@]} != 1 ] || [ ! -d "${kept[0]}/copy" ]; then
		echo "$0: no kept copy in '$dst'" >&2
		return 1
	fi
	check_copy "${kept[0]}/copy" >&2 || return 1
	rm -rf "$out" "${kept[0]}"
}
run_curl() { # threads
	local t0 t1 t2
	rm -rf "$dst/plain"
	mkdir -p "$dst/plain"
	printf '%s\n' "${stacks[@]}" | sed -n 's|/[^/]*$||p' | sort -u |
		(cd "$dst/plain" && xargs -r mkdir -p)
	drop
	t0=$(now)
	xargs -0 -P "$1" -n 2 -a "$list" "$curl" -sSf -g --noproxy '*' -o || return 1
	t1=$(now); sync -f "$dst/plain"; t2=$(now)
	check_copy "$dst/plain" >&2 || return 1
	rm -rf "$dst/plain"
	echo "$(calc "$t1 - $t0") $(calc "$t2 - $t0")"
}

exec 9>"${CCB_LOCK_FILE:-/var/tmp/cryocache-bench-tests.lock}"
printf 'round\tcontender\tthreads\tcopied_s\tdurable_s\n' >"$log"
for ((round = 1; round <= rounds; round++)); do
	cells=()
	for n in $threads; do
		cells+=("ours $n" "curl $n")
	done
	mapfile -t order < <(printf '%s\n' "${cells[@]}" | shuf)
	for cell in "${order[@]}"; do
		set -- $cell
		flock 9
		case $1 in
		ours) r=$(run_ours "$2") ;;
		curl) r=$(run_curl "$2") ;;
		esac
		flock -u 9
		printf '%s\t%s\t%s\t%s\n' "$round" "$1" "$2" "${r// /$'\t'}" | tee -a "$log" >&2
	done
done

"$py" "$here/bench/summary.py" "$log" "$bytes" ours/curl
