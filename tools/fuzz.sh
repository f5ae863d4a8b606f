#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang-14 in build-fuzz/ and
# runs each for a bounded time, as many at once as there are cores; fails on any crash, leak,
# sanitizer report or timeout. docs/security.md says how to run them long.
#
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    default 30 s, every target
#
# Each target starts from its committed seeds (tests/fuzz/corpus/<name>/) and
# grows a working corpus in build-fuzz/corpus/<name>/, kept between runs. A
# crashing input is written to build-fuzz/artifacts/; make it a regression
# test (docs/security.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
build=${REDRESS_FUZZ_BUILD_DIR:-build-fuzz}
jobs=${REDRESS_FUZZ_BUILD_JOBS:-2}

build_start=$(date +%s)
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -DREDRESS_FUZZ=ON -DREDRESS_WERROR=ON \
  -DREDRESS_BUILD_TESTS=OFF -DREDRESS_BUILD_EXAMPLES=OFF -DREDRESS_BUILD_TOOLS=OFF -DREDRESS_INSTALL=OFF \
  -DREDRESS_BUILD_PG=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$jobs" --target redress_fuzz >/dev/null
echo "fuzz: targets built in $(($(date +%s) - build_start)) s"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(event policy calendar scenario c_api money time contact lint phrases sqlite)
fi
mkdir -p "$build/artifacts"
# One target a core: with two cores, two targets fuzz side by side, each for
# the full time (REDRESS_FUZZ_PARALLEL changes how many at once).
parallel=${REDRESS_FUZZ_PARALLEL:-$(nproc 2>/dev/null || echo 1)}
run_target() {
  local t=$1 bin="$build/tests/fuzz/${1}_fuzz"
  [ -x "$bin" ] || { echo "fuzz: no target $t" >&2; return 1; }
  local corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  local opts=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
              -artifact_prefix="$build/artifacts/$t-")
  case $t in
    event|policy|calendar|scenario|c_api) opts+=(-dict=tests/fuzz/json.dict -max_len=65536) ;;
    sqlite) opts+=(-max_len=65536) ;;
    phrases) opts+=(-dict=tests/fuzz/phrases.dict -max_len=4096) ;;
    *) opts+=(-max_len=4096) ;;
  esac
  local log="$build/artifacts/$t.log"
  if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
       "$bin" "${opts[@]}" "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    local runs per_s
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    per_s=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    echo "fuzz: $t: ${runs:-?} executions, ${per_s:-?} exec/s in ${seconds} s, no crash"
  else
    echo "fuzz: $t: FAILED (see $log and $build/artifacts/$t-*)" >&2
    grep -m5 -E "ERROR|runtime error|violated|Assertion" "$log" >&2 || tail -20 "$log" >&2
    return 1
  fi
}
status=0
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$parallel" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
  run_target "$t" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
