#!/bin/sh
# SPDX-License-Identifier: MIT
# release-line.sh TARBALL - the version() line of the Spack recipe for a tarball `make dist` made.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 cryocache-bench-X.Y.Z.tar.gz" >&2; exit 2; }
name=$(basename "$1" .tar.gz)
version=${name#cryocache-bench-}
[ "$version" != "$name" ] || { echo "$0: '$1' is not a cryocache-bench tarball" >&2; exit 2; }
sum=$(sha256sum "$1" | cut -d' ' -f1)
printf '    version("%s", sha256="%s")\n' "$version" "$sum"
