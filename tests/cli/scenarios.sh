#!/usr/bin/env bash
# Every bundled scenario replays and meets the expectations it states.
set -euo pipefail
redress=$1
data=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
n=0
for s in "$root"/examples/scenarios/*.json; do
  "$redress" replay --check --quiet --data "$data" "$s"
  n=$((n + 1))
done
[ "$n" -ge 8 ]
