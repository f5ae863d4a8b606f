#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang-14 in build-fuzz/ and
# runs each for a bounded time, one at a time; fails on any crash, leak,
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
status=0
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/${t}_fuzz"
  [ -x "$bin" ] || { echo "fuzz: no target $t" >&2; status=1; continue; }
  corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  opts=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$build/artifacts/$t-")
  case $t in
    event|policy|calendar|scenario|c_api) opts+=(-dict=tests/fuzz/json.dict -max_len=65536) ;;
    sqlite) opts+=(-max_len=65536) ;;
    phrases) opts+=(-dict=tests/fuzz/phrases.dict -max_len=4096) ;;
    *) opts+=(-max_len=4096) ;;
  esac
  log="$build/artifacts/$t.log"
  if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
       "$bin" "${opts[@]}" "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    per_s=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    echo "fuzz: $t: ${runs:-?} executions, ${per_s:-?} exec/s in ${seconds} s, no crash"
  else
    echo "fuzz: $t: FAILED (see $log and $build/artifacts/$t-*)" >&2
    grep -m5 -E "ERROR|runtime error|violated|Assertion" "$log" >&2 || tail -20 "$log" >&2
    status=1
  fi
done
exit $status
