#!/bin/bash
# SPDX-License-Identifier: MIT
# tests/cli/cpython.sh - the cpython strategy, the real interpreter running shutil.copyfile in a
# ThreadPoolExecutor: byte-identical copies with every file counted and timed, the interpreter
# and its version in results.json, the shutil/cpython ratio in the reports of a sweep, clear
# messages for a --python that cannot run, a file Python cannot copy, and stops that leave no
# child behind.
. "$(dirname "$0")/../helpers/lib.sh" || exit 99

need_python
ccb_lock_if_root
ccb_kill_bench_on_exit

# `strategies` lists it, available exactly when a python3 is on PATH; when not, it says why.
list=$("$CCB" strategies --json)
if command -v python3 >/dev/null; then
	want=True
else
	want=False
fi
echo "$list" | "$PY" -c 'import json, sys
s = [s for s in json.load(sys.stdin) if s["name"] == "cpython"]
assert len(s) == 1, "cpython is not listed"
assert s[0]["available"] == (sys.argv[1] == "True"), s[0]
assert s[0]["available"] or "python3" in s[0]["why"], s[0]
assert "--python" in s[0]["options"], s[0]' "$want" || fail "strategies: cpython is not listed as expected"
PATH=/nonexistent expect_ok "$CCB" strategies
grep -Eq '^cpython +unavailable +no python3 found on PATH' "$ccb_tmp/out" ||
	fail "without python3 on PATH, strategies does not say why: $(cat "$ccb_tmp/out")"

# The set; gen's manifest and job metadata are not particle data and are not copied.
ccb_make_set --stacks 6 --box 64 --particles 5-20
cp -al "$src" "$ccb_tmp/expect"
rm -f "$ccb_tmp/expect/.cryocache-gen.json" "$ccb_tmp/expect/particles.star" \
	"$ccb_tmp/expect/particles.cs"
pyver=$("$PY" --version 2>&1 | head -n 1)

note "run -s cpython --threads 2 --verify, with --python"
out=$ccb_tmp/run
expect_ok "$CCB" run -s cpython --python "$PY" --threads 2 --repeats 2 --verify --keep \
	--out "$out" "$src" "$dst"
same_tree "$ccb_tmp/expect" "$(echo "$dst"/.cryocache-bench.*/copy)"
expect_json "$out/results.json" "len(runs) == 2" "d['source']['files'] == 6" \
	"d['params']['python'] == '$PY'" \
	"all(r['errors'] == [] and r['aborted'] is False for r in runs)" \
	"all(r['strategy'] == 'cpython' and r['threads'] == 2 for r in runs)" \
	"all(r['files'] == 6 and r['bytes'] == d['source']['bytes'] for r in runs)" \
	"all(r['verify']['checked'] == 6 and r['verify']['mismatches'] == 0 for r in runs)" \
	"all(r['strategy_info']['python_path'] == '$PY' for r in runs)" \
	"all(r['strategy_info']['python_version'] == '$pyver' for r in runs)" \
	"all(0 < r['latency_ms']['p50'] <= r['latency_ms']['max'] for r in runs)" \
	"all(0 < r['seconds_copied'] <= r['seconds_durable'] for r in runs)" \
	"all(0 <= r['tail_s'] <= r['seconds_copied'] for r in runs)"
grep -q "run 2: cpython, 2 threads, repeat 2: " "$ccb_tmp/err" ||
	fail "no run line for run 2: $(cat "$ccb_tmp/err")"
expect_ok "$CCB" clean "$dst"

# Without --python: the python3 on PATH (a pyenv shim, Debian's, ...), found as execvp would.
note "run -s cpython with the python3 on PATH"
if command -v python3 >/dev/null; then
	path_py=$(command -v python3)
	path_ver=$(python3 --version 2>&1 | head -n 1)
	rm -rf "$out"
	expect_ok "$CCB" run -s cpython --threads 1 --repeats 1 --quiet --out "$out" "$src" "$dst"
	expect_json "$out/results.json" "runs[0]['errors'] == [] and runs[0]['files'] == 6" \
		"d['params']['python'] == 'python3'" \
		"runs[0]['strategy_info']['python_path'] == '$path_py'" \
		"runs[0]['strategy_info']['python_version'] == '$path_ver'"
fi

# Every file is timed by the interpreter around its own shutil.copyfile: with a copyfile that
# sleeps 0.3 s first, no file can take less, and the copy no less than 3 files' worth at 2
# threads (6 files). Lower bounds only: a sleep never ends early.
slowpy=$ccb_tmp/slowpy
cat >"$slowpy" <<EOF
#!/bin/sh
# $PY, with shutil.copyfile sleeping SLOWPY_SLEEP seconds before each copy
[ "\$1" = --version ] && exec "$PY" --version
exec "$PY" -I -c "import shutil, time
_copyfile = shutil.copyfile
def copyfile(src, dst):
    time.sleep(\${SLOWPY_SLEEP:-0.3})
    return _copyfile(src, dst)
shutil.copyfile = copyfile
\$3" "\$4"
EOF
chmod +x "$slowpy"
note "the interpreter's own times: a copyfile that sleeps 0.3 s"
rm -rf "$out"
expect_ok "$CCB" run -s cpython --python "$slowpy" --threads 2 --repeats 1 --quiet --out "$out" \
	"$src" "$dst"
expect_json "$out/results.json" "runs[0]['errors'] == [] and runs[0]['files'] == 6" \
	"runs[0]['latency_ms']['p50'] >= 300" "runs[0]['seconds_copied'] >= 0.9"

# A sweep of both: the reports hold shutil's median over cpython's at each thread count.
note "sweep -s shutil,cpython --threads 1,2: the ratio in the reports"
sw=$ccb_tmp/sweep
expect_ok "$CCB" sweep -s shutil,cpython --python "$PY" --threads 1,2 --repeats 1 --no-plots \
	--out "$sw" "$src" "$dst"
ratios=$("$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
med = {(c["strategy"], c["threads"]): c["median_mb_s"] for c in d["cells"]}
print(" ".join("%d:%.2f" % (t, med[("shutil", t)] / med[("cpython", t)]) for t in (1, 2)))' \
	"$sw/results.json") || fail "the sweep has no shutil and cpython cells"
grep -q "emulation vs the real interpreter (shutil MB/s over cpython MB/s, medians): 1 thread " \
	"$ccb_tmp/out" || fail "the sweep's table has no ratio line: $(cat "$ccb_tmp/out")"
grep -q "^## Emulation against the real interpreter" "$sw/report.md" ||
	fail "report.md has no section on the ratio"
grep -q '<section id="interpreter">' "$sw/report.html" ||
	fail "report.html has no section on the ratio"
for r in $ratios; do
	t=${r%%:*} x=${r#*:}
	grep -Eq "^\| $t \| 1 \| [0-9.]+ \| [0-9.]+ \| ${x}x \|" "$sw/report.md" ||
		fail "report.md has no row '$t threads: ${x}x': $(grep -A4 '^## Emulation' "$sw/report.md")"
	t_text="$t thread"
	[ "$t" = 1 ] || t_text="$t threads"
	grep -q "$t_text ${x}x" "$ccb_tmp/out" || fail "the table does not say '$t_text ${x}x'"
	note "shutil / cpython at $t_text: ${x}x"
done
# report re-renders it from results.json alone
expect_ok "$CCB" report --no-plots "$sw"
grep -q "^## Emulation against the real interpreter" "$sw/report.md" ||
	fail "report did not render the ratio again"
# one strategy alone has nothing to compare
rm -rf "$out"
expect_ok "$CCB" run -s shutil --repeats 1 --out "$out" "$src" "$dst"
! grep -q "emulation vs the real interpreter" "$ccb_tmp/out" ||
	fail "a run of shutil alone shows a ratio"

# --python that cannot run: one clear message, exit 1, nothing copied.
note "--python that cannot run"
rm -rf "$out"
expect_fail 1 "strategy 'cpython' cannot run here: --python '$ccb_tmp/nope': No such file or directory" \
	"$CCB" run -s cpython --python "$ccb_tmp/nope" --out "$out" "$src" "$dst"
rm -rf "$out"
expect_fail 1 "strategy 'cpython' cannot run here: --python '$src/particles.star' is not an executable file" \
	"$CCB" run -s cpython --python "$src/particles.star" --out "$out" "$src" "$dst"
printf '#!/bin/sh\necho "Python 2.7.18" >&2\n' >"$ccb_tmp/python2"
chmod +x "$ccb_tmp/python2"
rm -rf "$out"
expect_fail 1 "'$ccb_tmp/python2' is Python 2.7.18; the cpython strategy needs Python 3.6 or later" \
	"$CCB" run -s cpython --python "$ccb_tmp/python2" --out "$out" "$src" "$dst"
# says it is a Python, then does not run the program
printf '#!/bin/sh\n[ "$1" = --version ] && exec echo "Python 3.12.0"\necho "not python" >&2\nexit 3\n' \
	>"$ccb_tmp/liar"
chmod +x "$ccb_tmp/liar"
rm -rf "$out"
expect_fail 1 "cannot start a cpython worker: '$ccb_tmp/liar' exited with status 3 before copying" \
	"$CCB" run -s cpython --python "$ccb_tmp/liar" --repeats 1 --out "$out" "$src" "$dst"
grep -q "^not python" "$ccb_tmp/err" || fail "the child's stderr did not pass through"
[ -z "$(ls -A "$dst")" ] || fail "a refused run left in DST: $(ls -A "$dst")"

# A stack Python cannot read: the run fails naming it, with Python's own message.
bad=$(find "$src" -name '*.mrcs' | sort | sed -n 3p)
if [ "$(id -u)" = 0 ]; then
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	if command -v setpriv >/dev/null && as_user "$PY" -c pass 2>/dev/null &&
		as_user "$CCB" --version >/dev/null 2>&1; then
		pub=$ccb_tmp/pub
		chmod 755 "$ccb_tmp"
		mkdir -m 777 "$pub" "$pub/dst"
		cp -a "$src" "$pub/src"
		chown -R 65534:65534 "$pub/src"
		bad=$pub/src/${bad#"$src"/}
		unreadable_src=$pub/src unreadable_dst=$pub/dst out=$pub/unreadable
	else
		as_user=
	fi
else
	as_user() { "$@"; }
	cp -a "$src" "$ccb_tmp/src2"
	bad=$ccb_tmp/src2/${bad#"$src"/}
	unreadable_src=$ccb_tmp/src2 unreadable_dst=$dst out=$ccb_tmp/unreadable
fi
if [ -n "${unreadable_src:-}" ]; then
	note "a stack Python cannot read"
	chmod 000 "$bad"
	expect_fail 1 "cannot copy '$bad': python: PermissionError: \[Errno 13\] Permission denied: '$bad'" \
		as_user "$CCB" run -s cpython --python "$PY" --threads 2 --repeats 2 --out "$out" \
		"$unreadable_src" "$unreadable_dst"
	expect_json "$out/results.json" "len(runs) == 1" "runs[0]['files'] < 6" \
		"len(runs[0]['errors']) == 1 and 'PermissionError' in runs[0]['errors'][0]" \
		"runs[0]['aborted'] is False"
	[ -z "$(ls -A "$unreadable_dst")" ] || fail "a failed run left in DST"
else
	note "cannot switch to an unprivileged user: the unreadable stack is not tested"
fi

# Stops: SIGTERM to the benchmark alone (it stops its child), SIGINT to the whole process group
# (Ctrl-C: the child dies of it too). Either way the run is kept as aborted, the exit status is
# 128 + the signal, DST is left empty, and no interpreter is left running.
stop() {
	local sig=$1 want=$2 group=$3
	local o=$ccb_tmp/stop-$sig rc=0 child= first=
	note "SIG$sig to the $group during the copy"
	SLOWPY_SLEEP=1 setsid "$CCB" run -s cpython --python "$slowpy" --threads 1 --repeats 1 \
		--out "$o" "$src" "$dst" >"$ccb_tmp/stop.out" 2>"$ccb_tmp/stop.err" &
	pid=$!
	# The first copy: the clock runs and the child has files left (6 files, 1 s each).
	for _ in $(seq 300); do
		first=$(find "$dst" -path '*/copy/*' -name '*.mrcs' 2>/dev/null | head -n 1)
		[ -n "$first" ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$ccb_tmp/stop.err" >&2; fail "the run ended early"; }
		sleep 0.1
	done
	[ -n "$first" ] || fail "SIG$sig: no file was copied within 30 s"
	child=$(pgrep -P "$pid" | head -n 1)
	[ -n "$child" ] || fail "SIG$sig: the run has no child"
	if [ "$group" = group ]; then
		kill -"$sig" -- -"$pid"
	else
		kill -"$sig" "$pid"
	fi
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "SIG$sig did not stop the run within 30 s"
	wait "$pid" || rc=$?
	pid=
	[ "$rc" = "$want" ] || { cat "$ccb_tmp/stop.err" >&2; fail "SIG$sig: exit $rc, expected $want"; }
	! kill -0 "$child" 2>/dev/null || fail "SIG$sig: the interpreter ($child) is still running"
	expect_json "$o/results.json" "len(runs) == 1" "runs[0]['aborted'] is True" \
		"runs[0]['files'] < 6" "runs[0]['errors'] == []"
	[ -z "$(ls -A "$dst")" ] || fail "SIG$sig: the run left in DST: $(ls -A "$dst")"
}
quick && exit 0
stop TERM 143 benchmark
stop INT 130 group
exit 0
