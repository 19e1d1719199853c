# SPDX-License-Identifier: MIT
# tests/helpers/lib.sh - sourced by the shell tests: temporary folders, locks, skips and checks.
# shellcheck shell=bash
set -eu

: "${CCB:?CCB must name the cryocache-bench binary (make check sets it)}"
: "${CCB_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"

# A private temporary folder on the real disk (not tmpfs: the tests need a block device behind
# their files), removed on exit. Scratch folders that survive a failed test hold no one's data.
ccb_tmp=$(mktemp -d "${CCB_TEST_TMPDIR:-/var/tmp}/ccb-test.XXXXXX")
ccb_cleanup() { rm -rf "$ccb_tmp"; }
trap ccb_cleanup EXIT

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "# $*"; }

# Tests that drop caches, read device counters or mount things hold this lock for their whole
# run, so parallel `make -j check` and repeated passes cannot disturb one another.
ccb_lock_machine() {
	command -v flock >/dev/null || skip "flock(1) is missing"
	exec 9>"${CCB_LOCK_FILE:-/var/tmp/cryocache-bench-tests.lock}"
	flock 9
}

# Tests that drop the page cache only when they can (as root) hold the lock only then.
ccb_lock_if_root() {
	if [ "$(id -u)" = 0 ]; then
		ccb_lock_machine
	fi
}

# ccb_make_set GEN-OPTION...: $src, a particle set made by `gen` with those options, and $dst, an
# empty destination, both in $ccb_tmp.
ccb_make_set() {
	src=$ccb_tmp/src
	dst=$ccb_tmp/dst
	mkdir "$dst"
	expect_ok "$CCB" gen "$@" "$src"
}

# A test that runs a benchmark in the background keeps its pid in $pid (empty when none runs);
# if the test fails, the benchmark is killed on the way out.
ccb_kill_bench_on_exit() {
	pid=
	trap 'if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null; fi; ccb_cleanup' EXIT
}

need_root() { [ "$(id -u)" = 0 ] || skip "$1 needs root"; }
quick() { [ "${CCB_TEST_SUBSET:-}" = quick ]; }

# The python3 that has the Debian modules (mrcfile, numpy), or skip.
need_python() {
	local py="${CCB_PYTHON3:-}"
	[ -n "$py" ] || py=$(command -v /usr/bin/python3 || command -v python3 || true)
	[ -n "$py" ] || skip "python3 is missing"
	for m in "$@"; do
		"$py" -c "import $m" 2>/dev/null || skip "python3 module $m is missing"
	done
	PY=$py
}

# expect_fail STATUS MESSAGE-REGEX CMD...: CMD must exit with STATUS and print a line on stderr
# matching MESSAGE-REGEX.
expect_fail() {
	local want=$1 re=$2 rc=0
	shift 2
	"$@" >"$ccb_tmp/out" 2>"$ccb_tmp/err" || rc=$?
	[ "$rc" = "$want" ] || { cat "$ccb_tmp/err" >&2; fail "'$*' exited $rc, expected $want"; }
	grep -Eq -- "$re" "$ccb_tmp/err" || { cat "$ccb_tmp/err" >&2; fail "'$*': no message matching '$re'"; }
}

# same_tree A B: every regular file below A has a byte-identical twin below B, and B has no extra.
same_tree() {
	(cd "$1" && find . -type f | sort) >"$ccb_tmp/a.list"
	(cd "$2" && find . -type f | sort) >"$ccb_tmp/b.list"
	cmp -s "$ccb_tmp/a.list" "$ccb_tmp/b.list" || { diff "$ccb_tmp/a.list" "$ccb_tmp/b.list" >&2; fail "file lists of $1 and $2 differ"; }
	while IFS= read -r f; do
		cmp -s "$1/$f" "$2/$f" || fail "$1/$f and its copy differ"
	done <"$ccb_tmp/a.list"
}

# jq-free JSON queries: json FILE EXPR prints the value of a python expression over `d`.
json() {
	need_python
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); r=eval(sys.argv[2]); print(json.dumps(r) if isinstance(r,(dict,list)) else r)' "$1" "$2"
}

# expect_ok CMD...: CMD must exit 0; its stdout and stderr are kept in $ccb_tmp/out and err.
expect_ok() {
	local rc=0
	"$@" >"$ccb_tmp/out" 2>"$ccb_tmp/err" || rc=$?
	[ "$rc" = 0 ] || { cat "$ccb_tmp/err" >&2; fail "'$*' exited $rc, expected 0"; }
}

# expect_json FILE EXPR...: every python expression over `d` (FILE, parsed) must be true; `runs`
# is d['runs'], `counted` the runs without a "role" (warm-up, probe and confirmation runs are
# not counted), and close(a, b) compares numbers with a relative tolerance of 1e-6. Prints what
# does not hold, then the document.
expect_json() {
	need_python
	local file=$1
	shift
	"$PY" - "$file" "$@" >&2 <<'PYEOF' || fail "$file: the checks above do not hold"
import json, math, sys
d = json.load(open(sys.argv[1]))
runs = d.get("runs") if isinstance(d, dict) else None
counted = [r for r in runs if not r.get("role")] if isinstance(runs, list) else None
def close(a, b, rel=1e-6):
    return math.isclose(a, b, rel_tol=rel)
bad = 0
for e in sys.argv[2:]:
    try:
        ok = eval(e)
    except Exception as x:
        ok, e = False, "%s  (%s: %s)" % (e, type(x).__name__, x)
    if not ok:
        print("does not hold:", e)
        bad += 1
if bad:
    print(json.dumps(d, indent=1))
sys.exit(1 if bad else 0)
PYEOF
}

# traced CMD...: run CMD (strace and what it traces) with LeakSanitizer off, which cannot work
# under ptrace; address and undefined-behaviour checks stay on.
traced() { ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$@"; }
