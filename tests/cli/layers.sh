#!/bin/sh
# SPDX-License-Identifier: MIT
# layers.sh - src/ keeps its layers: no include of a layer above, no include circle between
# modules, no file over 1,000 lines and no function over 120 (tests/helpers/check_layers.py).
. "${CCB_SRCDIR:-$(dirname "$0")/../..}/tests/helpers/lib.sh" || exit 99

need_python
out=$("$PY" "$CCB_SRCDIR/tests/helpers/check_layers.py" "$CCB_SRCDIR/src") || {
	printf '%s\n' "$out"
	fail "src/ breaks its layers (docs/architecture.md)"
}

# The checker itself must catch each kind of breach: a tree that breaks every rule once.
bad=$ccb_tmp/src
mkdir -p "$bad/lib" "$bad/cli" "$bad/analysis" "$bad/misc"
printf '#include "cli/a.h"\n' >"$bad/lib/b.h"
printf '#include "lib/b.h"\n' >"$bad/cli/a.h"
printf '#include "analysis/d.h"\n' >"$bad/analysis/c.h"
printf '#include "analysis/c.h"\n' >"$bad/analysis/d.h"
printf 'int x;\n' >"$bad/misc/e.c"
{ printf 'int f(void)\n{\n'; i=0; while [ $i -lt 130 ]; do echo '	;'; i=$((i + 1)); done; printf '}\n'; } >"$bad/lib/long.c"
out=$("$PY" "$CCB_SRCDIR/tests/helpers/check_layers.py" "$bad") && fail "the checker passed a broken tree"
printf '%s\n' "$out" | grep -q 'src/lib/b.h:1: includes "cli/a.h": layer lib may not include the layer above it, cli' ||
	fail "upward include not caught: $out"
printf '%s\n' "$out" | grep -q 'include circle: src/analysis/c -> src/analysis/d -> src/analysis/c' ||
	fail "include circle not caught: $out"
printf '%s\n' "$out" | grep -q 'src/misc/e.c: not inside a layer folder' || fail "stray folder not caught: $out"
printf '%s\n' "$out" | grep -q 'function f() has 130 lines' || fail "long function not caught: $out"
echo "ok: src/ keeps its layers"
