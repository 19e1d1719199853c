#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cli/shutil_strace.sh - the shutil, legacy and shutil314 strategies issue, file by file, the
# same system calls as CPython's shutil.copyfile: same calls in the same order, with the same
# flags, sizes, blocksizes, offsets and results (strace, normalised by strace_normalize.py). The
# cpython strategy, python itself run by us, must match it too.
#
# The reference is the real python3 running tests/helpers/shutil_copy.py on the same files; for 3.14 it
# is that script's rebuild of 3.14's copyfile on this Python. Each comparison also runs with the
# fast copy refused by the kernel (strace fault injection), so that the read()/write() fallback
# through CPython's buffered I/O is compared call by call too.
# shellcheck source=tests/helpers/lib.sh
. "${CCB_SRCDIR:-$(dirname "$0")/../..}/tests/helpers/lib.sh" || exit 99

strace=${CCB_STRACE:-$(command -v strace || true)}
[ -n "$strace" ] || skip "strace is missing"
# shellcheck disable=SC2119
need_python
"$strace" -f -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here (no ptrace)"
pyver=$("$PY" -c 'import sys; print("%d%02d" % sys.version_info[:2])')
[ "$pyver" -ge 308 ] || skip "python3 is older than 3.8 (no sendfile in shutil)"
inject=yes
"$strace" -qq -o /dev/null -e trace=getpid -e inject=getpid:error=EPERM true 2>/dev/null ||
	inject=no

# The run command drops caches: hold the machine lock like every test that does.
ccb_lock_machine
# LeakSanitizer cannot run under ptrace; a sanitizer build still checks everything else here.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
export ASAN_OPTIONS

normalize="$PY $CCB_SRCDIR/tests/helpers/strace_normalize.py"
shutil_copy="$CCB_SRCDIR/tests/helpers/shutil_copy.py"
trace="-f -qq -s 0 -e trace=%file,%desc"

# Sizes around every edge of CPython's loops: empty (one sendfile returning 0), 1 byte, one page
# and 128 KiB (a read that exactly fills 3.8's and 3.14's buffers, which their BufferedWriters
# treat differently), 1 MiB + 1 (a short last read), 9 MiB (above the 8 MiB blocksize floor).
src=$ccb_tmp/src
mkdir -p "$src/J1" "$src/J2/sub"
: >"$src/J1/empty"
head -c 1 /dev/urandom >"$src/J1/one"
head -c 4096 /dev/urandom >"$src/J2/page"
head -c 131072 /dev/urandom >"$src/J2/buffer"
head -c $((1048576 + 1)) /dev/urandom >"$src/J2/sub/mib_plus_one"
head -c $((9 * 1048576)) /dev/urandom >"$src/J2/sub/nine_mib"
src=$(cd "$src" && pwd -P)
nfiles=6

# compare NAME STRATEGY PYMODE [STRACE-OPTION...]: trace both copies of $src, normalise, diff.
# $run_opts, when set, goes to our run (the cpython strategy's --python).
run_opts=
compare() {
	name=$1 strategy=$2 mode=$3
	shift 3
	d=$ccb_tmp/$name
	mkdir -p "$d/ours" "$d/python"

	# shellcheck disable=SC2086
	"$strace" $trace "$@" -o "$d/ours.strace" "$CCB" run --strategy "$strategy" --threads 1 \
		$run_opts --repeats 1 --all-files --keep --quiet --out "$d/results" "$src" "$d/ours" \
		>"$d/run.out" 2>&1 || { cat "$d/run.out" >&2; fail "$name: run exited non-zero"; }
	# shellcheck disable=SC2086
	"$strace" $trace "$@" -o "$d/python.strace" "$PY" "$shutil_copy" --mode "$mode" \
		--threads 1 --all-files "$src" "$d/python" >"$d/py.out" 2>&1 ||
		{ cat "$d/py.out" >&2; fail "$name: $shutil_copy exited non-zero"; }

	copy=$(echo "$d"/ours/.cryocache-bench.*/copy)
	[ -d "$copy" ] || fail "$name: no scratch copy below $d/ours (was --keep honoured?)"
	same_tree "$src" "$copy"
	same_tree "$src" "$d/python"

	$normalize --root "SRC=$src" --root "DST=$d/ours/.cryocache-bench.*/copy" \
		"$d/ours.strace" >"$d/ours.calls" || fail "$name: cannot normalise our trace"
	$normalize --root "SRC=$src" --root "DST=$d/python" "$d/python.strace" \
		>"$d/python.calls" || fail "$name: cannot normalise the python trace"

	n=$(grep -c '^== ' "$d/ours.calls" || true)
	if [ "$n" != "$nfiles" ]; then
		cat "$d/ours.calls" >&2
		fail "$name: $n files in our trace, want $nfiles"
	fi
	if ! diff -u "$d/python.calls" "$d/ours.calls" >"$d/diff"; then
		cat "$d/diff" >&2
		fail "$name: '$strategy' differs from python's $mode (- python, + ours)"
	fi
	note "$name: $(grep -vc '^== ' "$d/ours.calls") system calls over $nfiles files, identical"
}

# The cpython strategy is this python itself, run by us: its copying thread's calls are python's
# (the line it reports each file on goes to a pipe of ours, and is left out as any other
# descriptor that no root opened).
run_opts="--python $PY"
compare cpython cpython copyfile
run_opts=

if [ "$pyver" -ge 314 ]; then
	# This python's own copyfile is the 3.14 one.
	compare shutil314 shutil314 copyfile
	[ $inject = yes ] && compare shutil314-refused shutil314 copyfile \
		-e inject=copy_file_range:error=EXDEV -e inject=sendfile:error=EINVAL
	note "python3 is $pyver: the 3.8-3.13 strategies have no reference here"
	exit 0
fi

compare shutil shutil copyfile
if quick; then
	note "quick subset: legacy, shutil314 and the refused fast copies are not compared"
	exit 0
fi
compare legacy legacy legacy
compare shutil314 shutil314 py314
if [ $inject = yes ]; then
	if [ "$pyver" = 313 ]; then
		# 3.13's BufferedWriter writes a chunk that exactly fills its buffer at once; the
		# shutil strategy follows 3.8-3.12 there (see src/copy/cpython_shutil.h).
		note "python3 is 3.13: the read/write fallback of shutil and legacy is not compared"
	else
		compare shutil-refused shutil copyfile -e inject=sendfile:error=EINVAL
		compare legacy-refused legacy legacy -e inject=sendfile:error=EINVAL
	fi
	compare shutil314-exdev shutil314 py314 -e inject=copy_file_range:error=EXDEV
	compare shutil314-refused shutil314 py314 \
		-e inject=copy_file_range:error=EXDEV -e inject=sendfile:error=EINVAL
else
	note "strace cannot inject faults: the read/write fallbacks are not compared"
fi

# The comparison must be able to fail: 3.14's sequence is not 3.8's.
d=$ccb_tmp/shutil314
$normalize --root "SRC=$src" --root "DST=$ccb_tmp/shutil/python" "$ccb_tmp/shutil/python.strace" \
	>"$ccb_tmp/control.calls"
if diff -q "$ccb_tmp/control.calls" "$d/ours.calls" >/dev/null; then
	fail "shutil and shutil314 normalise to the same calls: the comparison sees nothing"
fi
exit 0
