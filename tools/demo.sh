#!/usr/bin/env bash
# Builds the redress CLI and runs its demo: a real case handled end to end.
# Installs what it needs first (tools/setup.sh). Shares build/ with
# tools/test.sh (tools/build-config.sh): either may run first.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
bash tools/setup.sh
. tools/build-config.sh
redress_configure build
cmake --build build -j "$(redress_jobs)" --target redress-cli
# The binary finds its data as an installed one does: build/share/redress.
./build/bin/redress demo
