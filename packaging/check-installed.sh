#!/bin/sh
# SPDX-License-Identifier: MIT
# check-installed.sh - the installed package works from its installed files alone: run after
# `apt-get install ./cryocache-bench_*.deb` (CI does). Needs root for the cold runs and gnuplot
# for the plots. Exits non-zero, naming the check, on the first failure.
set -eu

bin=${1:-/usr/bin/cryocache-bench}
share=/usr/share/cryocache-bench
work=$(mktemp -d /var/tmp/ccb-installed.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-installed: FAIL: $*" >&2; exit 1; }
ok() { echo "check-installed: ok: $*"; }

# Nothing from a build tree may help: no environment pointing at one, and not run from one.
unset CCB_REPORTS_DIR CCB_PROFILES_DIR CCB_GNUPLOT
cd "$work"

[ -x "$bin" ] || fail "$bin is not installed"
"$bin" --version | grep -q '^cryocache-bench [0-9]' || fail "--version"
ok "$("$bin" --version)"
"$bin" strategies | grep -q shutil || fail "strategies does not list shutil"
ok "strategies"
man -w cryocache-bench >/dev/null 2>&1 || [ -f /usr/share/man/man1/cryocache-bench.1.gz ] ||
	fail "no man page"
ok "man page"
for f in profiles/cryosparc-tune.ini profiles/ci-smoke.ini reports/throughput.gp reports/timeseries.gp; do
	[ -r "$share/$f" ] || fail "$share/$f is missing"
done
ok "profiles and gnuplot scripts in $share"
comp=/usr/share/bash-completion/completions/cryocache-bench
[ -r "$comp" ] || fail "no bash completion at $comp"
words=$(bash -c 'source "$1"; COMP_WORDS=(cryocache-bench sweep --profile cryo); COMP_CWORD=3;
	_cryocache_bench; echo "${COMPREPLY[*]}"' _ "$comp")
case " $words " in *" cryosparc-tune "*) ;; *) fail "the completion does not offer installed profiles: $words" ;; esac
ok "bash completion (offers the installed profiles)"

"$bin" gen --total 100M --seed 3 particles >gen.log 2>&1 || { cat gen.log; fail "gen"; }
ok "gen 100M: $(find particles -name '*.mrcs' | wc -l) stacks"
mkdir cache
"$bin" sweep --profile cryosparc-tune --strategies shutil --threads 2 --repeats 1 \
	--out results particles cache >sweep.log 2>&1 || { cat sweep.log; fail "sweep"; }
grep -q '"profile": "cryosparc-tune"' results/results.json || fail "the profile was not applied by name"
ok "sweep with --profile cryosparc-tune"
[ -s results/report.html ] || fail "no report.html"
if command -v gnuplot >/dev/null; then
	grep -q 'data:image/png;base64\|<svg' results/report.html || fail "report.html has no plots"
	[ -s results/plots/throughput.png ] || fail "no throughput plot: $(cat results/plots/gnuplot.log 2>/dev/null)"
	ok "plots from $share/reports"
fi
echo "check-installed: all checks passed"
