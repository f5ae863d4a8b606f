#!/usr/bin/env bash
# Runs bench/pg/throughput_bench.cpp against a throwaway PostgreSQL server
# (tests/pg/server.sh: loopback only) and stops it afterwards. The tests'
# server runs with fsync=off; for the bench it is turned back on (with
# full_page_writes), so a commit waits for the disk as in production.
#
#   bench/pg/run.sh BUILD_DIR [pg_throughput_bench options...]
#
# Example: bench/pg/run.sh build --processes 4 --cases 25 --steps 50
set -euo pipefail
build=${1:?the build directory}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d)
trap 'bash "$root/tests/pg/server.sh" stop "$dir"; rm -rf "$dir"' EXIT
bash "$root/tests/pg/server.sh" start "$dir" >/dev/null
psql=$(pg_config --bindir)/psql
"$psql" "$(cat "$dir/conninfo")" -qX -v ON_ERROR_STOP=1 -c "ALTER SYSTEM SET fsync = on" \
  -c "ALTER SYSTEM SET full_page_writes = on" -c "SELECT pg_reload_conf()" >/dev/null
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
"$build/pg_throughput_bench" "$(cat "$dir/conninfo")" "$@"
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
