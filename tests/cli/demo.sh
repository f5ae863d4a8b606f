#!/usr/bin/env bash
# The demo answers the calendar question, round-trips JSON and replays a case
# whose expectations hold.
set -euo pipefail
out=$("$1" demo --data "$2")
grep -q '2025-01-27T13:00:00Z UTC' <<<"$out"
grep -q 'Sun 2025-01-26 is a working day' <<<"$out"
[ "$(grep -c '(equal)\|read back: equal' <<<"$out")" = 2 ]
grep -q 'expectations met' <<<"$out"
