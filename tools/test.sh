#!/usr/bin/env bash
# Builds redress and runs every test: unit tests, examples, the CLI, and the
# consumer-package tests. Installs what it needs first (tools/setup.sh).
#
#   tools/test.sh              warnings as errors, RelWithDebInfo, in build/
#   tools/test.sh --sanitize   the same under AddressSanitizer + UBSan, in build-asan/
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash tools/setup.sh

build=build
flags=(-DREDRESS_WERROR=ON -DREDRESS_BUILD_BENCH=ON -DREDRESS_BUILD_PG=ON)
if [ "${1:-}" = --sanitize ]; then
  build=build-asan
  flags+=(-DREDRESS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$build" "${flags[@]}" >/dev/null
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs"
