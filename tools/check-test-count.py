#!/usr/bin/env python3
"""Checks that a configured build directory registers every test of the source tree.

Used by tools/test.sh before ctest runs: each test program or script in the
tree must appear in `ctest -N`, so a configuration that silently drops tests
(an option turned off, a missing interpreter, a glob gone wrong) fails loudly
instead of passing with fewer tests.

usage: check-test-count.py BUILD_DIR
"""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# (glob under the source tree, how its test is named in ctest: a prefix of the
# test names for a doctest program, the whole name otherwise)
RULES = [
    ("tests/*_test.cpp", lambda s: s + ":"),
    ("tests/sqlite/*_test.cpp", lambda s: "sqlite_" + s + ":"),
    ("tests/pg/*_test.cpp", lambda s: "pg_" + s),
    ("tests/cli/*.sh", lambda s: "cli." + s),
    ("tests/c/*_test.c", lambda s: "c_api." + s),
    ("tests/python/test_*.py", lambda s: "python." + s),
    ("tests/bad_inputs/*.tsv", lambda s: "bad_inputs." + s),
    ("tests/schema/*.py", lambda s: "schema." + s),
    ("examples/*.cpp", lambda s: "example." + s),
    ("examples/c/*.c", lambda s: "example.c." + s),
    ("examples/python/*.py", lambda s: "example.python." + s),
]
FIXED = ["package.install", "package.find_package", "package.find_package_sqlite", "package.add_subdirectory", "package.relocated",
         "package.c_pkg_config", "package.c_find_package", "package.python_pip", "c_api.exports",
         "report.render", "docs.blocks", "docs.compile", "docs.compile_c"]


def main():
    build = pathlib.Path(sys.argv[1])
    listing = subprocess.run(["ctest", "--test-dir", str(build), "-N"], check=True,
                             capture_output=True, text=True).stdout
    names = [line.split(": ", 1)[1].strip() for line in listing.splitlines()
             if line.strip().startswith("Test") and ": " in line]
    missing = []
    for pattern, name_of in RULES:
        for path in sorted(ROOT.glob(pattern)):
            want = name_of(path.stem)
            if not any(n == want or n.startswith(want) for n in names):
                missing.append(f"{path.relative_to(ROOT)} (a test named {want}...)")
    missing += [f"{n} (a fixed test)" for n in FIXED if n not in names]
    if missing:
        print(f"check-test-count: {build} registers {len(names)} tests but not:", file=sys.stderr)
        for m in missing:
            print("  " + m, file=sys.stderr)
        sys.exit(1)
    print(f"check-test-count: {len(names)} tests registered, every test source of the tree among them")


if __name__ == "__main__":
    main()
