#!/usr/bin/env bash
# Precedents cited by id: `redress run` answers them from the store's
# journals and stores the facts found with the event; an id the store does
# not hold is recorded as unverified; `redress replay --store` looks a
# scenario's citation up the same way.
set -euo pipefail
redress=$1
data=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
store="sqlite:$work/cases.db"
run() { "$redress" run --store "$store" --data "$data" --quiet --clock input "$@"; }
# field FILE N EXPR: EXPR evaluated as `o` on the step of C-me's N-th
# citation (1-based; timer firings of other cases in between are skipped).
field() {
  python3 -c '
import json, sys
steps = [json.loads(l) for l in open(sys.argv[1])]
cited = [s for s in steps if s.get("case_id") == "C-me" and s.get("event", {}).get("type") == "precedent_cited"]
o = cited[int(sys.argv[2]) - 1]
print(eval(sys.argv[3]))' "$@"
}
codes() { field "$1" "$2" '" ".join(f["code"] for f in o.get("findings", []))'; }
fail() { echo "precedent.sh: $*" >&2; exit 1; }

# The friend's case: a 400 gift (awaiting approval) on order O-5001, which lost 10.
cat > "$work/friend" <<'IN'
{"case_id":"C-003-1","customer":"U-2001","at":"2025-04-14T09:00:00+08:00","type":"contact_received","channel":"phone","text":"my order is late"}
{"case_id":"C-003-1","at":"2025-04-14T09:01:00+08:00","type":"order_linked","order":{"id":"O-5001","loss":{"kind":"money","amount":"10"}}}
{"case_id":"C-003-1","at":"2025-04-14T09:02:00+08:00","type":"need_stated","text":"something for my trouble"}
{"case_id":"C-003-1","at":"2025-04-14T09:03:00+08:00","type":"remedy_proposed","remedy":"R-1","kind":"extra","value":"400","order":"O-5001"}
IN
run < "$work/friend" > /dev/null

# 1. A citation of the friend's case by id: the store's facts, judged an outlier.
cat > "$work/cite" <<'IN'
{"case_id":"C-me","customer":"U-2002","at":"2025-04-14T10:00:00+08:00","type":"contact_received","channel":"phone","text":"my friend got 400"}
{"case_id":"C-me","at":"2025-04-14T10:01:00+08:00","type":"precedent_cited","reference":"C-003-1"}
{"case_id":"C-me","at":"2025-04-14T10:02:00+08:00","type":"precedent_cited","reference":"O-5001"}
{"case_id":"C-me","at":"2025-04-14T10:03:00+08:00","type":"precedent_cited","reference":"C-ghost"}
{"case_id":"C-me","at":"2025-04-14T10:04:00+08:00","type":"precedent_cited","reference":"C-003-1","kind":"extra","value":"10","cited_loss":{"kind":"money","amount":"10"}}
IN
run < "$work/cite" > "$work/out"
[ "$(field "$work/out" 1 'o["event"].get("source")')" = store ] || fail "the case id was not answered from the store"
[ "$(field "$work/out" 1 '"value" in o["event"] and "cited_loss" in o["event"]')" = True ] || fail "no facts stored with the event"
codes "$work/out" 1 | grep -qw precedent.outlier || fail "a 400 gift against a loss of 10, from the store, is not an outlier: $(codes "$work/out" 1)"
# 2. By order id, the same facts.
[ "$(field "$work/out" 2 'o["event"].get("source")')" = store ] || fail "the order id was not answered from the store"
codes "$work/out" 2 | grep -qw precedent.outlier || fail "the order's precedent is not an outlier"
# 3. An id the store does not hold: unverified, stored without facts.
codes "$work/out" 3 | grep -qw precedent.unverified || fail "an unknown id is not unverified: $(codes "$work/out" 3)"
[ "$(field "$work/out" 3 '"value" in o["event"]')" = False ] || fail "facts were invented for an unknown id"
# 4. Facts the host gives are kept: 10 against a loss of 10 is consistent.
codes "$work/out" 4 | grep -qw precedent.consistent || fail "the host's facts were not judged as given"
[ "$(field "$work/out" 4 'o["event"].get("source")')" = None ] || fail "the host's facts were marked as the store's"

# 5. The journal holds the facts judged: the report, replaying the store, sees the outlier.
"$redress" report --store "$store" --json > "$work/report"
python3 - "$work/report" <<'PY' || fail "the report does not see the stored precedent as an outlier"
import json, sys
r = json.load(open(sys.argv[1]))
assert "C-me" in r["precedent"]["outliers"], r["precedent"]
PY

# 6. replay --store: the bundled scenario's citation of C-003-1 is answered by the store.
scenario="$root/examples/scenarios/precedent-cited-by-id-not-found.json"
"$redress" replay --data "$data" --check --quiet "$scenario" || fail "the scenario alone is not unverified"
"$redress" replay --data "$data" --json --store "$store" "$scenario" > "$work/replay"
python3 - "$work/replay" <<'PY' || fail "replay --store did not judge the store's facts"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
cited = [l for l in lines if l.get("event", {}).get("type") == "precedent_cited"]
assert len(cited) == 1, cited
assert cited[0]["event"].get("source") == "store", cited[0]["event"]
codes = {f["code"] for f in cited[0].get("findings", [])}
assert "precedent.outlier" in codes and "precedent.unverified" not in codes, codes
PY
status=0; "$redress" replay --data "$data" --store "mysql:x" "$scenario" > /dev/null 2> "$work/err" || status=$?
[ "$status" = 2 ] && grep -q -- "--store" "$work/err" || fail "replay with an unknown store scheme is not a usage error"
echo "precedent.sh: ok"
