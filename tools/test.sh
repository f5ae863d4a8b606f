#!/usr/bin/env bash
# Builds redress and runs every test: unit tests, examples, the CLI, and the
# consumer-package tests. Installs what it needs first (tools/setup.sh).
# Fails when ctest ran no test, or fewer than the source tree holds.
#
#   tools/test.sh              warnings as errors, RelWithDebInfo, in build/
#   tools/test.sh --sanitize   the same under AddressSanitizer + UBSan, in build-asan/
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash tools/setup.sh
. tools/build-config.sh

build=build
flags=()
if [ "${1:-}" = --sanitize ]; then
  build=build-asan
  # The benchmarks are not tests: they are left out of the sanitizer build.
  flags+=(-DREDRESS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DREDRESS_BUILD_BENCH=OFF)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

jobs=$(redress_jobs)
redress_configure "$build" "${flags[@]}"
cmake --build "$build" -j "$jobs"

# Every test program and script of the source tree must be registered: a
# configuration that dropped tests (an option off, a glob gone wrong) fails
# here instead of passing with fewer tests.
python3 tools/check-test-count.py "$build"
log=$(mktemp); trap 'rm -f "$log"' EXIT
ctest --test-dir "$build" --output-on-failure --no-tests=error -j "$jobs" 2>&1 | tee "$log"
# ctest's own summary: "100% tests passed, 0 tests failed out of N".
ran=$(sed -n 's/.*tests failed out of \([0-9][0-9]*\).*/\1/p' "$log" | tail -1)
listed=$(ctest --test-dir "$build" -N | sed -n 's/^Total Tests: \([0-9]*\)$/\1/p')
if [ -z "$ran" ] || [ "$ran" -eq 0 ] || [ "$ran" != "$listed" ]; then
  echo "test.sh: ctest ran ${ran:-no} tests of ${listed:-?} registered" >&2
  exit 1
fi
echo "test.sh: $ran tests ran in $build"
