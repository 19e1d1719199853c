#!/bin/sh
# SPDX-License-Identifier: MIT
# packaging.sh - the Debian package, the Spack recipe and NEWS agree with configure.ac and the
# binary (tests/helpers/check_packaging.py), and the checker catches a recipe that drifted.
. "${CCB_SRCDIR:-$(dirname "$0")/../..}/tests/helpers/lib.sh" || exit 99

need_python
version=$("$CCB" --version | sed -n 's/^cryocache-bench \([^ ]*\).*/\1/p')
[ -n "$version" ] || fail "cryocache-bench --version printed no version"
out=$("$PY" "$CCB_SRCDIR/tests/helpers/check_packaging.py" "$CCB_SRCDIR" "$version") || {
	printf '%s\n' "$out"
	fail "packaging disagrees with configure.ac"
}

# A copy of the tree whose recipe lost a variant, whose changelog is behind, whose configure
# gained a switch, whose package builds with MPI without its compiler, leaves lz4 to chance and
# builds the FUSE lab without libfuse3-dev: each is reported.
bad=$ccb_tmp/top
mkdir -p "$bad/packaging/spack" "$bad/debian"
cp "$CCB_SRCDIR/NEWS" "$bad/"
sed 's/^AC_ARG_ENABLE(\[werror\]/AC_ARG_WITH([newlib], [], [], []) \nAC_ARG_ENABLE([werror]/' \
	"$CCB_SRCDIR/configure.ac" >"$bad/configure.ac"
grep -v 'with_or_without("lz4"' "$CCB_SRCDIR/packaging/spack/package.py" >"$bad/packaging/spack/package.py"
sed '1s/([^)]*)/(0.0.1)/' "$CCB_SRCDIR/debian/changelog" >"$bad/debian/changelog"
grep -v 'mpi-default-dev' "$CCB_SRCDIR/debian/control" >"$bad/debian/control"
sed -e 's/ --with-lz4//' -e 's/--without-fuse3/--with-fuse3/' "$CCB_SRCDIR/debian/rules" \
	>"$bad/debian/rules"
grep -q -- '--with-fuse3' "$bad/debian/rules" && ! grep -q -- '--with-lz4' "$bad/debian/rules" ||
	fail "debian/rules no longer has the switches this test edits"
out=$("$PY" "$CCB_SRCDIR/tests/helpers/check_packaging.py" "$bad" "$version") &&
	fail "the checker passed a drifted tree"
for want in "configure's --with-newlib is neither a variant" \
	"configure's --with-lz4 is neither a variant" \
	"variant lz4 switches nothing" \
	"debian/changelog: the newest entry is 0.0.1" \
	"debian/control: Build-Depends lacks mpi-default-dev (debian/rules gives --with-mpi)" \
	"debian/rules: configure's --with-lz4 is neither given nor refused" \
	"debian/control: Build-Depends lacks libfuse3-dev (debian/rules gives --with-fuse3)"; do
	printf '%s\n' "$out" | grep -qF "$want" || fail "not caught: $want; got: $out"
done
echo "ok: packaging agrees with configure.ac ($version)"
