#!/usr/bin/env bash
# Builds the redress CLI and runs its demo: a real case handled end to end.
# Installs what it needs first (tools/setup.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash tools/setup.sh
cmake -S . -B build -DREDRESS_BUILD_TESTS=OFF >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" --target redress-cli
./build/tools/redress demo --data "$here/data"
