#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/post.sh - --post on run, sweep and compare, against a small collector on 127.0.0.1: the
# posted JSON is results.json byte for byte, --header tokens reach the collector and nowhere
# else, transient failures are retried, a collector that is down never loses the results, and
# the exit statuses (3 with --post-required; compare's 1 wins over it) hold.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
"$CCB" strategies --json | "$PY" -c 'import json, sys
sys.exit(0 if any(s["name"] == "http" and s["available"] for s in json.load(sys.stdin)) else 1)' ||
	skip "built without libcurl (apt-get install libcurl4-openssl-dev, re-run configure)"
ccb_lock_if_root

coll=$ccb_tmp/collector
mkdir "$coll"
"$PY" "$CCB_SRCDIR/tests/helpers/collector.py" "$coll" 2>"$ccb_tmp/collector.err" &
coll_pid=$!
trap 'kill "$coll_pid" 2>/dev/null || true; ccb_cleanup' EXIT
for _ in $(seq 100); do
	[ -s "$coll/port" ] && break
	kill -0 "$coll_pid" 2>/dev/null || { cat "$ccb_tmp/collector.err" >&2; fail "collector died"; }
	sleep 0.1
done
[ -s "$coll/port" ] || fail "the collector did not start"
url=http://127.0.0.1:$(cat "$coll/port")/results
token=Bearer-s3cr3t-$$-$RANDOM

# posts: how many requests the collector has seen.
posts() { find "$coll" -name '*.body' | wc -l; }

ccb_make_set --stacks 3 --box 32 --particles 4-8
common=(--repeats 1 --threads 1 --strategy rw --interval 0)

note "run --post: the body is results.json, the token only reaches the collector"
expect_ok "$CCB" run "${common[@]}" --out "$ccb_tmp/r1" --post "$url" \
	--header "Authorization: $token" -H 'X-Lab: cryo-1' "$src" "$dst"
[ "$(posts)" = 1 ] || fail "expected 1 POST, the collector saw $(posts)"
cmp "$coll/1.body" "$ccb_tmp/r1/results.json" || fail "the posted body is not results.json"
grep -qx "Authorization: $token" "$coll/1.headers" || fail "the token did not reach the collector"
grep -qx 'X-Lab: cryo-1' "$coll/1.headers" || fail "the second header did not reach the collector"
grep -qix 'Content-Type: application/json' "$coll/1.headers" || fail "not sent as application/json"
grep -q "posted results.json to '$url' (HTTP status 201)" "$ccb_tmp/err" ||
	{ cat "$ccb_tmp/err" >&2; fail "the run does not say it posted"; }
! grep -rq "$token" "$ccb_tmp/r1" "$ccb_tmp/out" "$ccb_tmp/err" ||
	fail "the token was written to the results or the messages"
expect_json "$ccb_tmp/r1/results.json" "'header' not in json.dumps(d['params'])" \
	"'post' not in d['params']"

note "--header-file and CCB_POST_HEADER: the token reaches the collector, not the results"
# Off the command line: every user can read /proc/PID/cmdline.
printf '# the collector of the lab\n\nAuthorization: %s-file\r\n  X-Lab: cryo-2\n' "$token" \
	>"$ccb_tmp/headers"
chmod 600 "$ccb_tmp/headers"
n=$(posts)
expect_ok "$CCB" run "${common[@]}" --out "$ccb_tmp/r1c" --post "$url" \
	--header-file "$ccb_tmp/headers" "$src" "$dst"
[ "$(posts)" = $((n + 1)) ] || fail "the run with --header-file did not post once"
grep -qx "Authorization: $token-file" "$coll/$((n + 1)).headers" ||
	fail "the token of --header-file did not reach the collector: $(cat "$coll/$((n + 1)).headers")"
grep -qx 'X-Lab: cryo-2' "$coll/$((n + 1)).headers" || fail "the file's second header was not sent"
! grep -rq "$token" "$ccb_tmp/r1c" "$ccb_tmp/out" "$ccb_tmp/err" ||
	fail "the token of --header-file was written to the results or the messages"
expect_json "$ccb_tmp/r1c/results.json" "'header' not in json.dumps(d['params'])"
n=$(posts)
CCB_POST_HEADER="Authorization: $token-env" expect_ok "$CCB" run "${common[@]}" \
	--out "$ccb_tmp/r1d" --post "$url" "$src" "$dst"
grep -qx "Authorization: $token-env" "$coll/$((n + 1)).headers" ||
	fail "the token of CCB_POST_HEADER did not reach the collector"
CCB_POST_HEADER_FILE=$ccb_tmp/headers expect_ok "$CCB" compare --post "$url" \
	"$CCB_SRCDIR/tests/data/compare/base.json" "$CCB_SRCDIR/tests/data/compare/noise.json"
grep -qx "Authorization: $token-file" "$coll/$((n + 2)).headers" ||
	fail "the token of CCB_POST_HEADER_FILE did not reach the collector"
! grep -rq "$token" "$ccb_tmp/r1d" "$ccb_tmp/out" "$ccb_tmp/err" ||
	fail "the token of the environment was written to the results or the messages"
chmod 620 "$ccb_tmp/headers"
expect_fail 2 "--header-file '$ccb_tmp/headers' may be written by other users" \
	"$CCB" run "${common[@]}" --out "$ccb_tmp/r1e" --post "$url" \
	--header-file "$ccb_tmp/headers" "$src" "$dst"
[ ! -e "$ccb_tmp/r1e" ] || fail "a refused header file let the run measure"
chmod 644 "$ccb_tmp/headers"
n=$(posts)
expect_ok "$CCB" run "${common[@]}" --out "$ccb_tmp/r1e" --post "$url" \
	--header-file "$ccb_tmp/headers" "$src" "$dst"
grep -q "warning: --header-file '$ccb_tmp/headers' holds secrets and other users may read it" \
	"$ccb_tmp/err" || { cat "$ccb_tmp/err" >&2; fail "a readable header file was not warned about"; }
! grep -rq "$token" "$ccb_tmp/err" || fail "a header file's warning showed the token"
printf 'Authorization %s\n' "$token" >"$ccb_tmp/headers"
chmod 600 "$ccb_tmp/headers"
expect_fail 2 "--header-file '$ccb_tmp/headers' line 1 is not 'Name: value'" \
	"$CCB" run "${common[@]}" --out "$ccb_tmp/r1f" --post "$url" \
	--header-file "$ccb_tmp/headers" "$src" "$dst"
! grep -q "$token" "$ccb_tmp/err" || fail "a malformed header file's text was printed"

note "a --header Content-Type replaces ours: one Content-Type is sent"
n=$(posts)
expect_ok "$CCB" run "${common[@]}" --out "$ccb_tmp/r1b" --post "$url" \
	-H 'content-type: application/vnd.cryocache+json' "$src" "$dst"
[ "$(grep -ci '^content-type:' "$coll/$((n + 1)).headers")" = 1 ] ||
	fail "not exactly one Content-Type: $(cat "$coll/$((n + 1)).headers")"
grep -qix 'content-type: application/vnd.cryocache+json' "$coll/$((n + 1)).headers" ||
	fail "the given Content-Type was not sent"

note "transient failures are retried (503 with Retry-After, then success)"
n=$(posts)
echo "503 2" >"$coll/fail"
expect_ok "$CCB" run "${common[@]}" --out "$ccb_tmp/r2" --post "$url" --post-retries 2 \
	"$src" "$dst"
[ "$(posts)" = $((n + 3)) ] || fail "expected 3 more POSTs, the collector saw $(($(posts) - n))"
cmp "$coll/$((n + 3)).body" "$ccb_tmp/r2/results.json" || fail "the retried body is not results.json"
[ "$(grep -c 'retrying in 1 s' "$ccb_tmp/err")" = 2 ] ||
	{ cat "$ccb_tmp/err" >&2; fail "the two retries are not reported"; }

note "a collector that keeps failing: the results stay, exit 0 (3 with --post-required)"
echo "500 -1" >"$coll/fail"
expect_ok "$CCB" run "${common[@]}" --out "$ccb_tmp/r3" --post "$url" --post-retries 1 \
	"$src" "$dst"
grep -q "cannot post results.json to '$url': HTTP status 500 (gave up after 2 attempts)" \
	"$ccb_tmp/err" || { cat "$ccb_tmp/err" >&2; fail "no message naming the failure"; }
expect_json "$ccb_tmp/r3/results.json" "len(runs) == 1" "runs[0]['errors'] == []"
expect_fail 3 "HTTP status 500" "$CCB" run "${common[@]}" --out "$ccb_tmp/r4" --post "$url" \
	--post-retries 0 --post-required "$src" "$dst"
expect_json "$ccb_tmp/r4/results.json" "len(runs) == 1"
n=$(posts)
echo "400 -1" >"$coll/fail"
expect_fail 3 "HTTP status 400$" "$CCB" run "${common[@]}" --out "$ccb_tmp/r5" --post "$url" \
	--post-retries 5 --post-required "$src" "$dst"
[ "$(posts)" = $((n + 1)) ] || fail "a 400 was retried"
rm -f "$coll/fail"

note "nobody listening: refused, reported, exit 3 with --post-required"
dead=$("$PY" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect_fail 3 "cannot post results.json to 'http://127.0.0.1:$dead/x': .*(onnect|refused)" \
	"$CCB" run "${common[@]}" --out "$ccb_tmp/r6" --post "http://127.0.0.1:$dead/x" \
	--post-retries 0 --post-required "$src" "$dst"
expect_json "$ccb_tmp/r6/results.json" "len(runs) == 1"

note "user information and queries in the URL are not printed"
echo "500 -1" >"$coll/fail"
expect_ok "$CCB" run "${common[@]}" --out "$ccb_tmp/r7" --post-retries 0 \
	--post "http://lab:pw-$token@127.0.0.1:$(cat "$coll/port")/results?key=$token" "$src" "$dst"
rm -f "$coll/fail"
grep -qF "cannot post results.json to 'http://***@127.0.0.1:$(cat "$coll/port")/results?key=***'" \
	"$ccb_tmp/err" || { cat "$ccb_tmp/err" >&2; fail "the redacted URL is not named"; }
! grep -q "$token" "$ccb_tmp/err" || fail "a secret in the URL was printed"

note "bad posting options are refused before anything is measured"
expect_fail 2 "--header number 1 is not 'Name: value'" "$CCB" run "${common[@]}" \
	--out "$ccb_tmp/r8" --post "$url" --header "no-colon-$token" "$src" "$dst"
! grep -q "$token" "$ccb_tmp/err" || fail "a malformed header's text was printed"
[ ! -e "$ccb_tmp/r8" ] || fail "a refused command created its results folder"
expect_fail 2 "--post 'ftp://127.0.0.1/x': not an http" "$CCB" run "${common[@]}" \
	--out "$ccb_tmp/r8" --post ftp://127.0.0.1/x "$src" "$dst"

note "sweep --post"
n=$(posts)
expect_ok "$CCB" sweep --strategies rw --threads 1,2 --repeats 1 --interval 0 --no-plots \
	--out "$ccb_tmp/s1" --post "$url" -H "Authorization: $token" "$src" "$dst"
[ "$(posts)" = $((n + 1)) ] || fail "sweep did not post once"
cmp "$coll/$((n + 1)).body" "$ccb_tmp/s1/results.json" || fail "the sweep's body is not results.json"
expect_json "$ccb_tmp/s1/results.json" "d['recommendation'] is not None"
! grep -rq "$token" "$ccb_tmp/s1" "$ccb_tmp/out" "$ccb_tmp/err" || fail "sweep wrote the token"

note "compare --post: the verdict and the current results; 1 wins over 3"
d=$CCB_SRCDIR/tests/data/compare
n=$(posts)
expect_ok "$CCB" compare --json "$ccb_tmp/cmp.json" --post "$url" -H "Authorization: $token" \
	"$d/base.json" "$d/improvement.json"
[ "$(posts)" = $((n + 1)) ] || fail "compare did not post once"
"$PY" - "$coll/$((n + 1)).body" "$ccb_tmp/cmp.json" "$d/improvement.json" <<'EOF' ||
import json, sys
posted = json.load(open(sys.argv[1]))
assert posted["verdict"] == json.load(open(sys.argv[2])), "verdict differs from --json"
assert posted["results"] == json.load(open(sys.argv[3])), "results differ from CURRENT"
EOF
	fail "compare posted something else"
grep -qx "Authorization: $token" "$coll/$((n + 1)).headers" || fail "compare sent no token"
echo "500 -1" >"$coll/fail"
expect_fail 1 "cannot post the verdict" "$CCB" compare --post "$url" --post-retries 0 \
	--post-required "$d/base.json" "$d/regression.json"
grep -q 'REGRESSION' "$ccb_tmp/out" || fail "compare printed no verdict"
expect_fail 3 "cannot post the verdict" "$CCB" compare --post "$url" --post-retries 0 \
	--post-required "$d/base.json" "$d/noise.json"
expect_ok "$CCB" compare --post "$url" --post-retries 0 "$d/base.json" "$d/noise.json"
rm -f "$coll/fail"
