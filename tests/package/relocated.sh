#!/usr/bin/env bash
# An installed redress is relocatable and finds its own data: install the
# build to a prefix, move the prefix elsewhere, and run the CLI from there
# with no --data or --policy flag and no REDRESS_DATA_DIR.
#
#   relocated.sh BUILD_DIR
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset REDRESS_DATA_DIR

cmake --install "$build" --prefix "$tmp/first" >/dev/null
mv "$tmp/first" "$tmp/moved"
prefix=$tmp/moved
redress=$prefix/bin/redress
share=$prefix/share/redress

# The data is where the binary looks for it, and is a copy, not a link into the tree.
for d in calendars phrases policies scenarios; do
  [ -d "$share/$d" ] && [ ! -L "$share/$d" ] || { echo "missing or linked: $share/$d" >&2; exit 1; }
done
[ -f "$share/calendars/cn.json" ] && [ -f "$share/policies/coupon-marketplace.json" ]
[ -f "$share/scenarios/tv-three-calls.json" ]

# Nothing of the source or build tree is compiled into the binary.
src=$(cd "$(dirname "$0")/../.." && pwd)
if grep -aqF -e "$src/data" -e "$src/examples" "$redress"; then
  echo "the installed binary names the source tree" >&2; exit 1
fi

# Run from an unrelated directory, so nothing is found by accident.
cd "$tmp"
"$redress" demo > demo.out
grep -q 'ESCALATE' demo.out
grep -q 'expectations met' demo.out
"$redress" replay --check "$share/scenarios/coupon-expired-yesterday.json" > replay.out
grep -q 'expectations met' replay.out
"$redress" report "$share"/scenarios/*.json > report.out
grep -qi 'cases' report.out
# The store-backed job finds its default policy there too.
printf '%s\n' '{"case_id":"C-R1","customer":"U-R1","at":"2025-01-24T15:00:00+08:00","type":"contact_received","channel":"phone","text":"no picture"}' |
  "$redress" run --store "sqlite:$tmp/s.db" --clock input > run.out
grep -q 'C-R1' run.out

# REDRESS_DATA_DIR overrides the default; a wrong one is a clear error.
rc=0; REDRESS_DATA_DIR=$tmp/nowhere "$redress" demo > /dev/null 2> err.out || rc=$?
[ "$rc" != 0 ] && grep -q 'nowhere' err.out
echo "relocated prefix works: $prefix"
