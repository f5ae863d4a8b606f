#!/usr/bin/env bash
# redress report over scenario files and over a store `redress run` filled:
# text, JSON, CSV and HTML, in English and Chinese, with numbers known from
# the events given, and usage errors.
set -euo pipefail
redress=$1
data=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scenarios=("$root"/examples/scenarios/*.json)

# Scenario files: every case is counted, in every format.
text=$("$redress" report --quiet --data "$data" "${scenarios[@]}")
grep -q '^Root causes' <<<"$text"
grep -q 'payment.duplicate' <<<"$text"
"$redress" report --quiet --data "$data" --json "${scenarios[@]}" >"$tmp/s.json"
python3 - "$tmp/s.json" "${#scenarios[@]}" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["cases"] == int(sys.argv[2]), s["cases"]
# The recorded causes, ranked by felt loss (cases still open, with no cause yet, are a row of their own):
# two coupon expiries (seed 000's and the Chinese-language case's) weigh more than one duplicate payment.
named = [c for c in s["causes"] if c["cause"]]
assert [c["cause"] for c in named][:2] == ["coupon.expiry", "payment.duplicate"], s["causes"]
felt = [c["felt_loss"][0]["amount_minor"] for c in named]
assert felt == sorted(felt, reverse=True), s["causes"]
assert s["causes"][-1]["cumulative_per_mille"] == 1000
PY
"$redress" report --quiet --data "$data" --csv "${scenarios[@]}" >"$tmp/s.csv"
head -1 "$tmp/s.csv" | grep -q '^section,key,measure,currency,value'
grep -q "^summary,,cases,,${#scenarios[@]}" "$tmp/s.csv"
grep -q '^根因' <<<"$("$redress" report --quiet --data "$data" --lang zh "${scenarios[@]}")"
grep -q '<svg id="pareto-chart"' <<<"$("$redress" report --quiet --data "$data" --html - "${scenarios[@]}")"

# A store filled by `redress run`: C-1 lost 100 and got 50 back, so it is
# felt as 2.25 x 100 - 50 = 175; C-2 was answered after 30 minutes, so the
# update it owed was missed and the case escalated.
cat >"$tmp/events.jsonl" <<'JSONL'
{"case_id":"C-1","customer":"U-1","at":"2025-03-03T10:00:00+08:00","type":"contact_received","channel":"phone","text":"You charged me twice."}
{"case_id":"C-1","at":"2025-03-03T10:02:00+08:00","actor":"A-1","type":"apology_given","text":"I'm so sorry; being charged twice is upsetting, and it's on us. Let me put it right now; please forgive us."}
{"case_id":"C-1","at":"2025-03-03T10:03:00+08:00","type":"forgiveness_signalled"}
{"case_id":"C-1","at":"2025-03-03T10:04:00+08:00","type":"need_stated","text":"My money back."}
{"case_id":"C-1","at":"2025-03-03T10:05:00+08:00","actor":"A-1","type":"order_linked","order":{"id":"O-1","loss":{"kind":"money","amount":"100"}}}
{"case_id":"C-1","at":"2025-03-03T10:06:00+08:00","actor":"A-1","type":"remedy_proposed","remedy":"R-1","kind":"cash","value":"50","order":"O-1"}
{"case_id":"C-1","at":"2025-03-03T10:07:00+08:00","type":"remedy_accepted","remedy":"R-1"}
{"case_id":"C-1","at":"2025-03-03T10:08:00+08:00","actor":"A-1","type":"remedy_granted","remedy":"R-1"}
{"case_id":"C-1","at":"2025-03-03T10:09:00+08:00","actor":"A-1","type":"resolved","summary":"Refunded."}
{"case_id":"C-1","at":"2025-03-03T10:10:00+08:00","type":"satisfaction_confirmed","emotion":{"kind":"satisfied","intensity":6}}
{"case_id":"C-1","at":"2025-03-03T10:11:00+08:00","actor":"A-1","type":"root_cause_recorded","category":"payment.duplicate","description":"a retried charge"}
{"case_id":"C-1","at":"2025-03-03T10:12:00+08:00","type":"close_requested"}
{"case_id":"C-2","customer":"U-2","at":"2025-03-03T11:00:00+08:00","type":"contact_received","channel":"chat","text":"Where is my parcel?"}
{"case_id":"C-2","at":"2025-03-03T11:30:00+08:00","actor":"A-2","type":"apology_given","text":"I'm so sorry for the wait; that is frustrating, and it's on us. Let me look right now; please forgive us."}
JSONL
"$redress" run --store "sqlite:$tmp/cases.db" --data "$data" --clock input --quiet <"$tmp/events.jsonl" >/dev/null
"$redress" report --store "sqlite:$tmp/cases.db" --data "$data" --csv --quiet >"$tmp/store.csv"
grep -q '^summary,,cases,,2' "$tmp/store.csv"
grep -q '^cause,payment.duplicate,felt_loss,CNY,175.00' "$tmp/store.csv"
grep -q '^cause,payment.duplicate,remedy_cost,CNY,50.00' "$tmp/store.csv"
grep -q '^cost_by_agent,A-1,cost,CNY,50.00' "$tmp/store.csv"
grep -q '^health,2025-03-03,first_response_on_time.count,,1' "$tmp/store.csv"
grep -q '^health,2025-03-03,first_response_on_time.of,,2' "$tmp/store.csv"
grep -q '^health,2025-03-03,escalations,,1' "$tmp/store.csv"
grep -q '^health,2025-03-03,closed_well.count,,1' "$tmp/store.csv"
# The text report's coaching section: each agent's replies, median score and
# spread as the JSON summary has them (A-1 and A-2 each apologised once).
"$redress" report --store "sqlite:$tmp/cases.db" --data "$data" --json --quiet >"$tmp/store.json"
"$redress" report --store "sqlite:$tmp/cases.db" --data "$data" --quiet >"$tmp/store.txt"
grep -q '^Coaching$' "$tmp/store.txt"
python3 - "$tmp/store.json" "$tmp/store.txt" <<'PY'
import json, re, sys
s = json.load(open(sys.argv[1]))
text = open(sys.argv[2], encoding="utf-8").read()
scores = text.split("\nApology structure scores\n", 1)[1].split("\n\n", 1)[0].splitlines()
assert [a["agent"] for a in s["coaching"]] == ["A-1", "A-2"], s["coaching"]
for a in s["coaching"]:
    row = [l for l in scores if l.split()[:1] == [a["agent"]]]
    assert len(row) == 1, (a["agent"], scores)
    cells = re.split(r"\s{2,}", row[0].strip())
    sc = a["scores"]
    assert cells[1:4] == [str(sc["replies"]), str(sc["median"]), f'{sc["p25"]}-{sc["p75"]}'], (cells, sc)
giving = text.split("\nOver-compensation by agent\n", 1)[1].split("\n\n", 1)[0]
assert re.search(r"^  A-1 ", giving, re.M), giving
PY
grep -q '^辅导$' <<<"$("$redress" report --store "sqlite:$tmp/cases.db" --data "$data" --quiet --lang zh)"
# Progress and the end of the run go to standard error.
"$redress" report --store "sqlite:$tmp/cases.db" --data "$data" --json 2>"$tmp/err" >/dev/null
grep -q 'done: 2 cases' "$tmp/err"

# Usage errors.
status() { set +e; "$@" >/dev/null 2>&1; echo $?; set -e; }
[ "$(status "$redress" report)" = 2 ]
[ "$(status "$redress" report --json --csv "${scenarios[0]}")" = 2 ]
[ "$(status "$redress" report --lang fr "${scenarios[0]}")" = 2 ]
[ "$(status "$redress" report --by month "${scenarios[0]}")" = 2 ]
[ "$(status "$redress" report --store "sqlite:$tmp/cases.db" "${scenarios[0]}")" = 2 ]
[ "$(status "$redress" report --quiet "$tmp/missing.json")" = 1 ]
