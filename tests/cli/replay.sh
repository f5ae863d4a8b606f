#!/usr/bin/env bash
# redress replay: --keep-going shows a refused event and goes on; event
# details are cut at a character boundary (valid UTF-8, at most 110 columns);
# with no --data the binary finds its data beside itself (build/share/redress).
set -euo pipefail
redress=$1
data=$2
here=$(cd "$(dirname "$0")" && pwd)
scenario=$here/data/refused-then-resolved.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Without --keep-going the replay stops at the refusal: exit 1, the event named.
rc=0; "$redress" replay --data "$data" "$scenario" > "$tmp/out" 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ]
grep -q 'the engine rejected remedy_accepted' "$tmp/err"
! grep -q 'apology_given' "$tmp/out"

# With --keep-going: the refusal in its place, the later apology applied, exit 0.
"$redress" replay --keep-going --data "$data" "$scenario" > "$tmp/out"
grep -q '✗ REFUSED the engine rejected remedy_accepted' "$tmp/out"
grep -q 'apology_given' "$tmp/out"
grep -q 'the engine refused 1 event(s)' "$tmp/out"
# The refusal comes before the apology, as in the timeline.
[ "$(grep -n 'REFUSED' "$tmp/out" | cut -d: -f1)" -lt "$(grep -n 'apology_given' "$tmp/out" | cut -d: -f1)" ]
# ... and as JSON lines, a {"refused": ...} line between the steps.
"$redress" replay --keep-going --json --data "$data" "$scenario" > "$tmp/json"
python3 - "$tmp/json" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
kinds = ["refused" if "refused" in l else "case" if "case" in l else "step" for l in lines]
assert kinds.count("refused") == 1, kinds
refused = next(l for l in lines if "refused" in l)
assert refused["event"]["type"] == "remedy_accepted", refused
assert kinds[-1] == "case", kinds
steps = [l for l in lines if "event" in l and "refused" not in l]
assert [s["event"]["type"] for s in steps[:2]] == ["contact_received", "apology_given"], steps
PY

# The long Chinese contact text: the timeline line is valid UTF-8, cut with
# "..." at a character boundary, its detail at most 110 columns.
python3 - "$tmp/out" <<'PY'
import sys, unicodedata
text = open(sys.argv[1], "rb").read().decode("utf-8")  # raises on invalid UTF-8
line = next(l for l in text.splitlines() if "contact_received" in l)
detail = line.split("contact_received ", 1)[1]
assert detail.endswith("..."), detail
width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in detail)
assert 100 <= width <= 110, (width, detail)
PY

# No --data and no REDRESS_DATA_DIR: the build tree's share/redress is found,
# as an installed prefix's is.
unset REDRESS_DATA_DIR
"$redress" replay --check --quiet "$(dirname "$(dirname "$redress")")/share/redress/scenarios/coupon-expired-yesterday.json"
