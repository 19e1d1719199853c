# SPDX-License-Identifier: MIT
# Spack recipe for cryocache-bench. Copy this folder into a Spack repository
# (spack repo create ...; packages/cryocache-bench/package.py) or use it in place with
# `spack repo add`. Release tarballs are what `make dist` produces; add a release's line with
# packaging/spack/release-line.sh cryocache-bench-X.Y.Z.tar.gz.

from spack.package import *


class CryocacheBench(AutotoolsPackage):
    """Benchmarks and diagnostics for the way cryo-EM software (CryoSPARC, RELION) caches
    particle stacks from network storage to a GPU node's local disk: which
    CRYOSPARC_CACHE_NUM_THREADS to set, and why caching is slow."""

    homepage = "https://github.com/cryocache-bench/cryocache-bench"
    url = "https://github.com/cryocache-bench/cryocache-bench/releases/download/v0.2.0/cryocache-bench-0.2.0.tar.gz"
    git = "https://github.com/cryocache-bench/cryocache-bench.git"

    license("MIT")

    version("main", branch="main")
    version("0.2.0", tag="v0.2.0")

    # Optional parts, each one of configure's switches.
    variant("io_uring", default=True, description="io_uring copy strategy (liburing)")
    variant("curl", default=True, description="http strategy and fetch (libcurl)")
    variant("lz4", default=True, description="compressed CryoSPARC .cs files (CSDAT, lz4)")
    variant("mpi", default=False,
            description="run and sweep across nodes under mpirun or srun (MPI)")

    depends_on("c", type="build")
    depends_on("pkgconfig", type="build")
    # Git checkouts (and tags) have no configure script yet.
    depends_on("autoconf", type="build")
    depends_on("automake", type="build")
    depends_on("libtool", type="build")
    depends_on("autoconf-archive", type="build")

    depends_on("jansson@2.10:")
    depends_on("xxhash@0.8:")
    depends_on("libinih")
    depends_on("liburing@2:", when="+io_uring")
    depends_on("curl@7.62:", when="+curl")
    depends_on("lz4", when="+lz4")
    depends_on("mpi", when="+mpi")
    depends_on("cmocka@1.1:", type="test")

    conflicts("platform=darwin", msg="cryocache-bench measures Linux page cache and block devices")

    force_autoreconf = True

    def configure_args(self):
        args = []
        args += self.with_or_without("liburing", variant="io_uring")
        args += self.with_or_without("libcurl", variant="curl")
        args += self.with_or_without("lz4", variant="lz4")
        # The known-answer labs' FUSE tool is built for benchmarks in a source tree, never
        # installed.
        args.append("--without-fuse3")
        args += self.with_or_without("mpi")
        if self.spec.satisfies("+mpi"):
            # The whole program is built by the MPI compiler wrapper, as configure expects.
            args.append("CC={0}".format(self.spec["mpi"].mpicc))
        # Developer switches, off in an installed build.
        args.append("--disable-werror")
        args.append("--disable-sanitizers")
        return args
