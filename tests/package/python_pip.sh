#!/usr/bin/env bash
# The Python package installs with pip, offline, into a fresh venv, exactly
# as docs/python.md says, and finds the C library by the documented search
# order.
#
#   python_pip.sh PYTHON LIBRARY_PATH
set -euo pipefail
python=$1
library=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# pip itself runs without the sanitizer runtimes a sanitized build preloads.
preload=${LD_PRELOAD:-}
unset LD_PRELOAD

# A copy, so the test also shows that the build writes nothing into the tree.
cp -r "$src/bindings/python" "$tmp/pkg"
before=$(cd "$tmp/pkg" && find . | sort)
"$python" -m venv "$tmp/v"
"$tmp/v/bin/pip" install --no-build-isolation --no-index "$tmp/pkg" > "$tmp/pip.log" 2>&1 ||
  { cat "$tmp/pip.log" >&2; exit 1; }
after=$(cd "$tmp/pkg" && find . | sort)
[ "$before" = "$after" ] || { echo "pip wrote into the package tree:"; diff <(echo "$before") <(echo "$after"); exit 1; } >&2

# Import from anywhere but the source tree, with the library named explicitly.
cd "$tmp"
LD_PRELOAD=$preload REDRESS_LIBRARY=$library PYTHONPATH= "$tmp/v/bin/python" - "$src" <<'PY'
import pathlib, sys, tomllib
import redress
assert pathlib.Path(redress.__file__).is_relative_to(pathlib.Path(sys.prefix)), redress.__file__
with open(pathlib.Path(sys.argv[1]) / "bindings/python/pyproject.toml", "rb") as f:
    declared = tomllib.load(f)["project"]["version"]
assert ".".join(map(str, redress.version())) == declared, (redress.version(), declared)
report = redress.lint("Please accept my apology.")
assert [f["code"] for f in report["findings"]] == ["pseudo_apology.curt"], report
print("pip-installed redress", declared, "works")
PY

# Without REDRESS_LIBRARY and with the library nowhere on the search path,
# the error names every place it tried.
rc=0; LD_PRELOAD=$preload REDRESS_LIBRARY= REDRESS_PREFIX=$tmp/none "$tmp/v/bin/python" -c 'import redress' 2> "$tmp/err" || rc=$?
if [ "$rc" = 0 ]; then
  echo "(a libredress-c is installed on this machine: the not-found message is not checked)"
else
  grep -q "tried" "$tmp/err" && grep -q "$tmp/none/lib" "$tmp/err"
fi
# REDRESS_PREFIX finds a library under PREFIX/lib.
mkdir -p "$tmp/prefix/lib"
cp "$library" "$tmp/prefix/lib/libredress-c.so.0"
LD_PRELOAD=$preload REDRESS_LIBRARY= REDRESS_PREFIX=$tmp/prefix "$tmp/v/bin/python" -c 'import redress; redress.version()'
