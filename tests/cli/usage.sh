#!/usr/bin/env bash
# The CLI lists its commands, prints its version, and rejects unknown commands.
set -euo pipefail
redress=$1
"$redress" --help | grep -q '^usage: redress'
"$redress" version | grep -Eq '^redress [0-9]+\.[0-9]+\.[0-9]+$'
if "$redress" no-such-command 2>/dev/null; then echo "unknown command accepted" >&2; exit 1; fi
rc=0; "$redress" no-such-command 2>/dev/null || rc=$?
[ "$rc" = 2 ]

# A directory where a file is expected is an input error (exit 1 or 2, a
# message naming it), never a crash (an uncaught exception aborts with 134;
# an internal error is 70).
data=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for cmd in "replay $dir" "lint $dir" "report $dir" "calendar is-working --calendar $dir 2025-01-01" \
           "report --policy $dir $data/scenarios/tv-three-calls.json" \
           "run --store sqlite:$dir/s.db --policy $dir"; do
  rc=0
  # shellcheck disable=SC2086
  "$redress" $cmd < /dev/null > /dev/null 2> "$dir.err" || rc=$?
  if [ "$rc" != 1 ] && [ "$rc" != 2 ]; then
    echo "redress $cmd: exit $rc" >&2; cat "$dir.err" >&2; exit 1
  fi
  grep -q "$dir" "$dir.err" || { echo "redress $cmd: the message does not name the path" >&2; cat "$dir.err" >&2; exit 1; }
done
rm -f "$dir.err"
