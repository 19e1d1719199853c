#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/url_secrets.sh - user names, passwords and query strings of URLs (--source-url of the
# http strategy, fetch's URLs and --base-url) are used for the requests but never shown or
# stored: not in results.json, the reports, the CSV, the run's errors, the fetch manifest, stdout
# or stderr, whether the transfers work, fail with an HTTP status or cannot connect. Against a
# real nginx on 127.0.0.1 that the test starts.
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
expect_ok "$CCB" gen --stacks 3 --box 32 --particles 4-8 "$www/base"
rm -f "$www/base/.cryocache-gen.json"
nginx_start "$www" || fail "nginx did not start"
secret_url="http://user:s3cret@127.0.0.1:$port/base/?token=t0ps3cret"
shown_url="http://***@127.0.0.1:$port/base/?token=***"
shown_re="http://\*\*\*@127\.0\.0\.1:$port"	# the start of a redacted URL, as a regex
log=$ccb_tmp/nginx/logs/access.log
saw=$ccb_tmp/saw
mkdir "$saw"

# keep NAME: stdout and stderr of the last expect_* kept for the final search.
keep() {
	cp "$ccb_tmp/out" "$saw/$1.out"
	cp "$ccb_tmp/err" "$saw/$1.err"
}

# no_secret WHAT PATH...: neither secret is anywhere in PATH... (files or folders).
no_secret() {
	local what=$1
	shift
	if grep -rlE 's3cret|t0ps3cret' "$@"; then
		grep -rhoE '.{0,60}(s3cret|t0ps3cret).{0,20}' "$@" >&2 || true
		fail "$what holds a secret of the URL"
	fi
}

note "run --strategy http: the real URL is requested, the results show it redacted"
mkdir "$ccb_tmp/dst"
expect_ok "$CCB" run --repeats 1 --threads 2 --out "$ccb_tmp/results" --strategy http \
	--source-url "$secret_url" --insecure "$www/base" "$ccb_tmp/dst"
keep run
expect_json "$ccb_tmp/results/results.json" "len(runs) == 1" "runs[0]['errors'] == []" \
	"runs[0]['files'] == 3" "d['params']['source_url'] == '$shown_url'"
# The query follows the stack's path (not the other way round), and reached the server.
[ "$(grep -c 'GET /base/J[0-9]*/extract/[^ ]*\.mrcs?token=t0ps3cret HTTP' "$log")" = 3 ] ||
	fail "the server did not get the 3 stacks with the query: $(cat "$log")"
grep -qF "certificate of '$shown_url' was not verified" "$saw/run.err" ||
	{ cat "$saw/run.err" >&2; fail "the --insecure warning does not name the redacted URL"; }
expect_ok "$CCB" report "$ccb_tmp/results/results.json"
keep report
for f in report.md report.html results.csv; do
	[ -s "$ccb_tmp/results/$f" ] || fail "report wrote no $f"
done
grep -q 'token=\*\*\*' "$ccb_tmp/results/report.md" || fail "report.md does not show the URL"
rm -rf "$ccb_tmp/dst"

note "run --strategy http, a stack the server lacks: the error names the redacted URL"
victim=$(cd "$www/base" && find . -name '*.mrcs' | sort | head -n 1)
victim=${victim#./}
mkdir "$ccb_tmp/listed" "$ccb_tmp/dst"
cp -r "$www/base/." "$ccb_tmp/listed/"
mv "$www/base/$victim" "$ccb_tmp/gone"
expect_fail 1 "cannot fetch '$shown_re/base/$victim\?token=\*\*\*': HTTP status 404" \
	"$CCB" run --repeats 1 --threads 1 --out "$ccb_tmp/results-404" --strategy http \
	--source-url "$secret_url" "$ccb_tmp/listed" "$ccb_tmp/dst"
keep run-404
expect_json "$ccb_tmp/results-404/results.json" "len(runs[0]['errors']) == 1" \
	"'token=***' in runs[0]['errors'][0]"
mv "$ccb_tmp/gone" "$www/base/$victim"
rm -rf "$ccb_tmp/dst"

# results.json keeps --source-url without its credentials, so a resumed sweep must not request
# the redacted URL ("?token=***", user "***"): it asks for --source-url again, then uses it.
note "sweep --resume of an http sweep: --source-url given again, never the redacted one"
mkdir "$ccb_tmp/dst"
expect_ok "$CCB" sweep --strategies http --threads 1 --repeats 2 --warmup 0 --min-run 0 \
	--confirm 0 --no-report --interval 0 --source-url "$secret_url" --out "$ccb_tmp/sweep" \
	"$www/base" "$ccb_tmp/dst"
keep sweep
"$PY" - "$ccb_tmp/sweep/results.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["runs"].pop()
json.dump(d, open(sys.argv[1], "w"), indent=2)
PYEOF
shown_url_re="$shown_re/base/\?token=\*\*\*"
expect_fail 2 "records --source-url as '$shown_url_re', .*give --source-url URL again" \
	"$CCB" sweep --resume --out "$ccb_tmp/sweep"
keep resume-nourl
: >"$log"
expect_ok "$CCB" sweep --resume --source-url "$secret_url" --out "$ccb_tmp/sweep"
keep resume
[ "$(grep -c 'GET /base/J[0-9]*/extract/[^ ]*\.mrcs?token=t0ps3cret HTTP' "$log")" = 3 ] ||
	fail "the resumed sweep did not request the 3 stacks with the real query: $(cat "$log")"
expect_json "$ccb_tmp/sweep/results.json" "len(runs) == 2" \
	"all(r['errors'] == [] for r in runs)" "d['params']['source_url'] == '$shown_url'"
rm -rf "$ccb_tmp/dst"

note "fetch: URLs with user information and queries, paths below such a --base-url"
(cd "$www/base" && find . -name '*.mrcs' | sort | sed 's|^\./||') >"$ccb_tmp/paths"
sed "s|^|http://user:s3cret@127.0.0.1:$port/base/|; s|\$|?token=t0ps3cret|" "$ccb_tmp/paths" \
	>"$ccb_tmp/urls"
expect_ok "$CCB" fetch --connections 2 "$ccb_tmp/urls" "$ccb_tmp/got"
keep fetch-urls
expect_json "$ccb_tmp/got/fetch-manifest.json" "len(d['files']) == 3" \
	"all(f['url'].endswith('?token=***') and '//***@' in f['url'] for f in d['files'])"
: >"$log"
expect_ok "$CCB" fetch --base-url "$secret_url" "$ccb_tmp/paths" "$ccb_tmp/got2"
keep fetch-base
while IFS= read -r p; do
	cmp "$www/base/$p" "$ccb_tmp/got2/$p" || fail "fetched '$p' differs"
done <"$ccb_tmp/paths"
[ "$(grep -c 'GET /base/J[0-9]*/extract/[^ ]*\.mrcs?token=t0ps3cret HTTP' "$log")" = 3 ] ||
	fail "fetch did not put --base-url's query after the paths: $(cat "$log")"

note "fetch: a 404, a server that is gone and a bad line name the URLs redacted"
echo "http://user:s3cret@127.0.0.1:$port/base/no/such.mrcs?token=t0ps3cret" >"$ccb_tmp/missing"
expect_fail 1 "cannot fetch '$shown_re/base/no/such\.mrcs\?token=\*\*\*': HTTP status 404" \
	"$CCB" fetch "$ccb_tmp/missing" "$ccb_tmp/got3"
keep fetch-404
dead=$(free_port)
echo "http://user:s3cret@127.0.0.1:$dead/x.mrcs?token=t0ps3cret" >"$ccb_tmp/dead"
expect_fail 1 "cannot fetch 'http://\*\*\*@127.0.0.1:$dead/x\.mrcs\?token=\*\*\*'" \
	"$CCB" fetch --retries 1 --retry-delay 0 "$ccb_tmp/dead" "$ccb_tmp/got4"
grep -q "retrying" "$ccb_tmp/err" || fail "the retry was not reported"
keep fetch-dead
echo "ftp://user:s3cret@127.0.0.1/x.mrcs?token=t0ps3cret" >"$ccb_tmp/ftp"
expect_fail 1 "'ftp://\*\*\*@127.0.0.1/x\.mrcs\?token=\*\*\*' is not an http\(s\) URL" \
	"$CCB" fetch "$ccb_tmp/ftp" "$ccb_tmp/got5"
keep fetch-ftp
expect_fail 1 "cannot fetch '$shown_re/\?token=\*\*\*': no file name" \
	"$CCB" fetch "http://user:s3cret@127.0.0.1:$port/?token=t0ps3cret" "$ccb_tmp/got6"
keep fetch-noname

note "fetch: lists it refuses, and URLs sharing a file name, name the URLs redacted"
u="http://user:s3cret@127.0.0.1:$port/base"
v="http://user:s3cret@127.0.0.2:$port/base"
printf '%s/J1/a.mrcs?token=t0ps3cret %s\n' "$u" 5 "$u" 6 >"$ccb_tmp/twice"
expect_fail 1 "'$shown_re/base/J1/a\.mrcs\?token=\*\*\*' is listed twice" \
	"$CCB" fetch "$ccb_tmp/twice" "$ccb_tmp/got7"
keep fetch-twice
printf '%s/x.mrcs?token=t0ps3cret\n%s/x.mrcs?token=t0ps3cret\n' "$u" "$v" >"$ccb_tmp/clash"
shown2_re="http://\*\*\*@127\.0\.0\.2:$port"
x_re='/base/x\.mrcs\?token=\*\*\*'
expect_fail 1 "'$shown_re$x_re' and '$shown2_re$x_re' would both land at 'x\.mrcs'" \
	"$CCB" fetch "$ccb_tmp/clash" "$ccb_tmp/got7"
keep fetch-clash
echo "$u/fetch-manifest.json?token=t0ps3cret" >"$ccb_tmp/own"
expect_fail 1 "cannot fetch '$shown_re/base/fetch-manifest\.json\?token=\*\*\*': .* own record" \
	"$CCB" fetch "$ccb_tmp/own" "$ccb_tmp/got7"
keep fetch-own
printf '%s/x.mrcs?token=t0ps3cret\n%s/x.mrcs.part?token=t0ps3cret\n' "$u" "$u" >"$ccb_tmp/inway"
expect_fail 1 "one in the other's way" "$CCB" fetch "$ccb_tmp/inway" "$ccb_tmp/got7"
keep fetch-inway
first=$(head -n 1 "$ccb_tmp/paths")
mkdir -p "$www/base/dup"
cp "$www/base/$first" "$www/base/dup/"
printf '%s/%s?token=t0ps3cret\n%s/dup/%s?token=t0ps3cret\n' "$u" "$first" "$u" \
	"$(basename "$first")" >"$ccb_tmp/samename"
expect_ok "$CCB" fetch "$ccb_tmp/samename" "$ccb_tmp/got8"
grep -q "URLs share a file name: each lands at its path below '$shown_re/base/'" "$ccb_tmp/err" ||
	{ cat "$ccb_tmp/err" >&2; fail "the shared file name's message does not name the redacted URL"; }
keep fetch-samename

note "fetch --empiar below a --base-url with user information"
mkdir -p "$www/10025/data"
cp "$www/base/$victim" "$www/10025/data/a.mrcs"
expect_ok "$CCB" fetch --empiar 10025 --match 'data/*.mrcs' \
	--base-url "http://user:s3cret@127.0.0.1:$port" "$ccb_tmp/emp"
keep empiar
grep -q "'$shown_re/10025/': 1 file match" "$ccb_tmp/err" ||
	{ cat "$ccb_tmp/err" >&2; fail "the walk's summary does not name the redacted URL"; }
cmp "$www/10025/data/a.mrcs" "$ccb_tmp/emp/data/a.mrcs" || fail "the EMPIAR file differs"

note "a URL given in the wrong place is quoted without its credentials"
expect_fail 2 "unknown option '--sourc-url'$" "$CCB" run --sourc-url="$secret_url" "$www/base" \
	"$ccb_tmp/dst"
keep typo
expect_fail 2 "unexpected argument '$shown_re/base/\?token=\*\*\*'" \
	"$CCB" run "$www/base" "$ccb_tmp/dst" "$secret_url"
keep extra-arg
expect_fail 2 "invalid value '$shown_re/base/\?token=\*\*\*' for --source-timeout" \
	"$CCB" run --source-timeout "$secret_url" "$www/base" "$ccb_tmp/dst"
keep bad-value

no_secret "a results folder" "$ccb_tmp/results" "$ccb_tmp/results-404" "$ccb_tmp/sweep"
no_secret "a fetch manifest" "$ccb_tmp"/got*/fetch-manifest.json "$ccb_tmp/emp"
no_secret "stdout or stderr" "$saw"
echo "ok"
