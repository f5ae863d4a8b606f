#!/usr/bin/env bash
# `redress whatif` on a store filled by `redress run`: cases pinned to the
# policy version they were opened under, a candidate with a lower front-line
# authority and a longer update interval, and what it would have changed;
# then `redress run --move-open-cases` moving the open cases to it.
set -euo pipefail
redress=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
store="sqlite:$work/cases.db"
fail() { echo "whatif.sh: $*" >&2; exit 1; }
# value FILE EXPR: EXPR evaluated on FILE's JSON as `o`.
value() { python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

cat > "$work/in" <<'IN'
{"case_id":"C-1","customer":"U-1","at":"2025-05-06T06:00:00Z","type":"contact_received","channel":"phone","text":"My order was charged twice"}
{"case_id":"C-1","at":"2025-05-06T06:01:00Z","type":"apology_given","text":"I'm sorry, being charged twice is worrying and it is our mistake."}
{"case_id":"C-1","at":"2025-05-06T06:02:00Z","type":"order_linked","order":{"id":"O-1","loss":{"kind":"money","amount":"150"}}}
{"case_id":"C-1","at":"2025-05-06T06:03:00Z","type":"need_stated","text":"I want my money back"}
{"case_id":"C-1","at":"2025-05-06T06:04:00Z","type":"remedy_proposed","remedy":"R-1","kind":"cash","value":"150","order":"O-1"}
{"case_id":"C-1","at":"2025-05-06T06:05:00Z","type":"remedy_accepted","remedy":"R-1"}
{"case_id":"C-2","customer":"U-2","at":"2025-06-07T06:00:00Z","type":"contact_received","channel":"chat","text":"Where is my parcel?"}
IN
"$redress" run --store "$store" --data "$data" --clock input --quiet < "$work/in" > /dev/null

# The candidate: version 2, the front line may grant 100 alone, updates every 30 minutes.
python3 - "$data/policies/coupon-marketplace.json" "$work/new.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["version"] = "2"
p["authority"][0]["limit"] = "100"
p["update_interval"] = "PT30M"
json.dump(p, open(sys.argv[2], "w"), ensure_ascii=False)
PY

# 1. JSON: both cases compared under their pinned version; the 150 refund now goes to a supervisor.
"$redress" whatif --store "$store" --data "$data" --policy "$work/new.json" --json > "$work/all.json"
[ "$(value "$work/all.json" 'o["cases"]')" = 2 ] || fail "not every case was compared"
[ "$(value "$work/all.json" 'o["remedies_changed"]')" = 1 ] || fail "the refund over the new limit is not a changed remedy"
value "$work/all.json" '[e for e in o["examples"] if e["kind"] == "remedy"][0]' > "$work/remedy"
grep -q "'before': 'offered'" "$work/remedy" && grep -q "'after': 'sent for approval at level 1'" "$work/remedy" ||
  fail "the refund's change is not offered -> sent for approval: $(cat "$work/remedy")"
[ "$(value "$work/all.json" '[e for e in o["examples"] if e["subject"] == "update"][0]["after"]')" = 2025-05-06T06:30:00Z ] ||
  fail "the first update's deadline did not move to 30 minutes"
# The customer's acceptance of a remedy now awaiting approval no longer makes sense: reported, not fatal.
[ "$(value "$work/all.json" 'o["events_skipped"] >= 1')" = True ] || fail "the acceptance awaiting approval was not reported"
[ "$(value "$work/all.json" 'o["failed"]')" = "[]" ] || fail "a case could not be compared"

# 1b. The HTML page: the report's style (the same stylesheet), every figure of
# the JSON summary in its data attributes, in English and in Chinese.
"$redress" whatif --store "$store" --data "$data" --policy "$work/new.json" --html "$work/whatif-en.html" --quiet
"$redress" whatif --store "$store" --data "$data" --policy "$work/new.json" --html - --lang zh > "$work/whatif-zh.html"
"$redress" report --store "$store" --data "$data" --html "$work/report.html" --quiet || true
python3 - "$work/all.json" "$work/whatif-en.html" "$work/whatif-zh.html" "$work/report.html" <<'PY' ||
import json, re, sys
summary = json.load(open(sys.argv[1]))
en, zh, report = (open(p, encoding="utf-8").read() for p in sys.argv[2:5])
style = lambda page: re.search(r"<style>(.*?)</style>", page, re.S).group(1)
assert style(en) == style(report) == style(zh), "the page does not use the report's stylesheet"
assert '<html lang="en">' in en and "What the new policy would change" in en, "the English page"
assert '<html lang="zh-CN">' in zh and "新政策会带来的变化" in zh, "the Chinese page"
for page in (en, zh):
    overview = re.search(r'id="overview" data-cases="(\d+)" data-cases-changed="(\d+)"', page)
    assert overview and (int(overview[1]), int(overview[2])) == (summary["cases"], summary["cases_changed"]), "overview"
    for measure in ("cases_changed", "remedies_changed", "escalations_changed", "findings_changed",
                    "deadlines_changed", "events_skipped"):
        marks = re.findall(r'<g class="figure" data-measure="%s" data-count="(\d+)"' % measure, page)
        rows = re.findall(r'<tr data-measure="%s" data-count="(\d+)"' % measure, page)
        assert marks == rows == [str(summary[measure])], f"{measure}: chart {marks}, table {rows}"
    for before in summary["remedy_value_before"]:
        after = [m for m in summary["remedy_value_after"] if m["currency"] == before["currency"]][0]
        row = 'data-currency="%s" data-before-minor="%d" data-after-minor="%d" data-difference-minor="%d"' % (
            before["currency"], before["amount_minor"], after["amount_minor"],
            after["amount_minor"] - before["amount_minor"])
        assert row in page, f"the money row {row}"
    examples = re.findall(r'<tr class="example" data-case="([^"]+)" data-kind="([^"]+)" data-subject="([^"]+)"', page)
    assert examples == [(e["case"], e["kind"], e["subject"]) for e in summary["examples"]], "the examples"
    assert '<td class="k">sent for approval at level 1</td>' in page, "the refund's new outcome"
PY
  fail "the HTML page does not carry the summary's figures"
status=0; "$redress" whatif --store "$store" --policy "$work/new.json" --json --html x 2> "$work/err" || status=$?
[ "$status" = 2 ] && grep -q "choose one" "$work/err" || fail "--json with --html is not a usage error"
status=0; "$redress" whatif --store "$store" --policy "$work/new.json" --lang fr --html x 2> "$work/err" || status=$?
[ "$status" = 2 ] && grep -q -- "--lang" "$work/err" || fail "an unknown --lang is not a usage error"

# 2. --since keeps the cases opened from that day; the text form names the changes.
"$redress" whatif --store "$store" --data "$data" --policy "$work/new.json" --since 2025-06-01 --json > "$work/since.json"
[ "$(value "$work/since.json" 'o["cases"]')" = 1 ] || fail "--since did not leave the May case out"
"$redress" whatif --store "$store" --data "$data" --policy "$work/new.json" > "$work/text"
grep -q "remedies changed: 1" "$work/text" && grep -q "R-1: offered -> sent for approval at level 1" "$work/text" ||
  fail "the text summary does not name the changed remedy: $(cat "$work/text")"

# 3. The same policy changes nothing.
"$redress" whatif --store "$store" --data "$data" --policy "$data/policies/coupon-marketplace.json" --json > "$work/same.json"
[ "$(value "$work/same.json" 'o["cases_changed"]')" = 0 ] || fail "the pinned policy itself changes cases"

# 4. A run under the new version leaves open cases on theirs; --move-open-cases moves them with an event.
echo '{"case_id":"C-2","at":"2025-06-07T06:01:00Z","type":"progress_update_sent","text":"The parcel left the depot this morning."}' |
  "$redress" run --store "$store" --data "$data" --policy "$work/new.json" --clock input --quiet > "$work/out1"
# (A Saturday: the update itself lands in Monday's contact window; the trace
# names the interval it was computed from.)
grep -q '"schedule_follow_up"' "$work/out1" && grep -q 'next update due in 00:20:00' "$work/out1" ||
  fail "an open case's event was not decided under its pinned version (20-minute updates)"
"$redress" run --store "$store" --data "$data" --policy "$work/new.json" --clock input --move-open-cases --quiet \
  < /dev/null > "$work/out2"
grep -q '"type":"policy_moved"' "$work/out2" || fail "no policy_moved event was recorded"
grep -q '"version":"2"' "$work/out2" || fail "the move does not name the new version"
echo '{"case_id":"C-2","at":"2025-06-07T06:40:00Z","type":"progress_update_sent","text":"The courier is checking."}' |
  "$redress" run --store "$store" --data "$data" --policy "$work/new.json" --clock input --quiet > "$work/out3"
grep -q 'next update due in 00:30:00' "$work/out3" || fail "after the move, the case does not follow the new version"

# 5. `redress lint --policy` takes a whole policy file (its lint settings).
echo "We apologise for any inconvenience caused." > "$work/draft"
"$redress" lint --policy "$work/new.json" --json "$work/draft" > "$work/lint.json" || true
grep -q '"findings"' "$work/lint.json" || fail "lint did not take a whole policy file: $(cat "$work/lint.json")"

# 6. Usage errors.
status=0; "$redress" whatif --store "$store" 2> "$work/err" || status=$?
[ "$status" = 2 ] && grep -q "which candidate policy" "$work/err" || fail "whatif without --policy is not a usage error"
status=0; "$redress" whatif --store "$store" --policy "$work/new.json" --since yesterday 2> "$work/err" || status=$?
[ "$status" = 2 ] && grep -q -- "--since" "$work/err" || fail "a bad --since is not a usage error"
echo ok
