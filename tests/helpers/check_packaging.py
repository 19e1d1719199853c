#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_packaging.py TOP VERSION - the Debian package, the Spack recipe and NEWS agree with
configure.ac: one version everywhere, every optional feature a Spack variant or an explicit
switch, every library configure checks for a Debian build dependency.

Prints one line per problem and exits 1 when there is any."""
import ast
import re
import sys

# pkg-config module (configure.ac) -> the Debian package that provides it
DEBIAN_DEV = {
    "jansson": "libjansson-dev",
    "libxxhash": "libxxhash-dev",
    "inih": "libinih-dev",
    "liburing": "liburing-dev",
    "liblz4": "liblz4-dev",
    "libcurl": "libcurl4-openssl-dev",
    "cmocka": "libcmocka-dev",
    "fuse3": "libfuse3-dev",
}

# pkg-config module -> the configure switch that turns it off (the others are required)
SWITCH_OF = {"liburing": "liburing", "liblz4": "lz4", "libcurl": "libcurl", "fuse3": "fuse3"}


def configure_switches(text):
    """The names of configure's --with-X and --enable-X options."""
    withs = re.findall(r"AC_ARG_WITH\(\[([\w-]+)\]", text)
    enables = re.findall(r"AC_ARG_ENABLE\(\[([\w-]+)\]", text)
    return withs, enables


def recipe_facts(source):
    """Variants, versions, url, and the switches configure_args() passes, from the recipe's AST."""
    tree = ast.parse(source)
    cls = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    if len(cls) != 1:
        raise SystemExit("packaging/spack/package.py: expected one class, found %d" % len(cls))
    cls = cls[0]
    facts = {"class": cls.name, "bases": [getattr(b, "id", "?") for b in cls.bases],
             "variants": [], "versions": [], "url": None, "switches": set(),
             "variants_used": set()}
    for node in ast.walk(cls):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if node.func.id == "variant" and args:
                facts["variants"].append(args[0])
            elif node.func.id == "version" and args:
                facts["versions"].append(args[0])
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "url"
                                                for t in node.targets):
            facts["url"] = node.value.value
    for fn in cls.body:
        if not (isinstance(fn, ast.FunctionDef) and fn.name == "configure_args"):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("with_or_without", "enable_or_disable"):
                name = node.args[0].value
                kind = "with" if node.func.attr == "with_or_without" else "enable"
                facts["switches"].add((kind, name))
                for kw in node.keywords:
                    if kw.arg == "variant":
                        facts["variants_used"].add(kw.value.value)
                if not any(kw.arg == "variant" for kw in node.keywords):
                    facts["variants_used"].add(name)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                m = re.fullmatch(r"--(with|without|enable|disable)-([\w-]+)(=.*)?", node.value)
                if m:
                    kind = "with" if m.group(1) in ("with", "without") else "enable"
                    facts["switches"].add((kind, m.group(2)))
    return facts


def main():
    top, version = sys.argv[1], sys.argv[2]
    problems = []
    configure = open(top + "/configure.ac").read()
    m = re.search(r"AC_INIT\(\[[^]]*\], \[([^]]+)\]", configure)
    if not m or m.group(1) != version:
        problems.append("configure.ac: AC_INIT's version is %s, the binary says %s"
                        % (m.group(1) if m else "?", version))

    # Spack
    facts = recipe_facts(open(top + "/packaging/spack/package.py").read())
    if facts["bases"] != ["AutotoolsPackage"]:
        problems.append("package.py: %s is not an AutotoolsPackage" % facts["class"])
    if version not in facts["versions"]:
        problems.append("package.py: no version(\"%s\") (configure.ac's)" % version)
    if not facts["url"] or "cryocache-bench-%s.tar.gz" % version not in facts["url"]:
        problems.append("package.py: url does not point at cryocache-bench-%s.tar.gz, the "
                        "tarball make dist makes" % version)
    withs, enables = configure_switches(configure)
    for name in withs:
        if ("with", name) not in facts["switches"]:
            problems.append("package.py: configure's --with-%s is neither a variant nor passed "
                            "in configure_args()" % name)
    for name in enables:
        if ("enable", name) not in facts["switches"]:
            problems.append("package.py: configure's --enable-%s is neither a variant nor "
                            "passed in configure_args()" % name)
    for kind, name in sorted(facts["switches"]):
        if (kind == "with" and name not in withs) or (kind == "enable" and name not in enables):
            problems.append("package.py: passes --%s-%s, which configure does not have"
                            % (kind, name))
    for v in facts["variants"]:
        if v not in facts["variants_used"]:
            problems.append("package.py: variant %s switches nothing in configure_args()" % v)

    # Debian
    changelog = open(top + "/debian/changelog").readline()
    m = re.match(r"cryocache-bench \(([^)]+)\)", changelog)
    if not m or m.group(1).split("-")[0] != version:
        problems.append("debian/changelog: the newest entry is %s, configure.ac says %s"
                        % (m.group(1) if m else "?", version))
    control = open(top + "/debian/control").read()
    build_deps = re.search(r"^Build-Depends:(.*?)^\S", control, re.S | re.M).group(1)
    try:
        rules = open(top + "/debian/rules").read()
    except OSError:
        rules = ""
    # Every --with-X given one way or the other, so that what the package holds does not
    # depend on what else the build machine has installed.
    given = {}
    commands = "\n".join(line for line in rules.splitlines() if not line.lstrip().startswith("#"))
    for m in re.finditer(r"--with(out)?-([\w-]+)(=(\w+))?", commands):
        given[m.group(2)] = "no" if m.group(1) or m.group(4) == "no" else "yes"
    for name in withs:
        if name not in given:
            problems.append("debian/rules: configure's --with-%s is neither given nor refused "
                            "(--with-%s or --without-%s)" % (name, name, name))
    for module in re.findall(r"PKG_CHECK_MODULES\(\[\w+\], \[([\w-]+)", configure):
        pkg = DEBIAN_DEV.get(module)
        switch = SWITCH_OF.get(module)
        if pkg is None:
            problems.append("check_packaging.py: no Debian package known for pkg-config "
                            "module %s" % module)
        elif given.get(switch) != "no" and pkg not in build_deps:
            why = ("debian/rules gives --with-%s" % switch if given.get(switch) == "yes"
                   else "configure checks %s" % module)
            problems.append("debian/control: Build-Depends lacks %s (%s)" % (pkg, why))

    # The license on every source file's first line (after a #! line)
    import os
    for root, _, files in os.walk(top + "/src"):
        for f in files:
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(root, f)
            with open(path, errors="replace") as fh:
                first = fh.readline()
            if "SPDX-License-Identifier: MIT" not in first:
                problems.append("%s: the first line does not say SPDX-License-Identifier: MIT"
                                % os.path.relpath(path, top))
    # MPI is not a pkg-config module: a package that turns it on needs the MPI compiler and the
    # macro that finds it when dh_autoreconf regenerates configure.
    if given.get("mpi") == "yes":
        for pkg in ("mpi-default-dev", "autoconf-archive"):
            if pkg not in build_deps:
                problems.append("debian/control: Build-Depends lacks %s (debian/rules gives "
                                "--with-mpi)" % pkg)

    # NEWS
    news = open(top + "/NEWS").read()
    if not re.search(r"^\* %s\b" % re.escape(version), news, re.M):
        problems.append("NEWS: no entry for %s" % version)

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
