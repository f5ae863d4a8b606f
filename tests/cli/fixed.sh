#!/usr/bin/env bash
# `redress notify-fixed`: a fixed root cause reaches every customer who
# suffered it, once, in their language; the report shows when it was fixed
# and how many were told.
set -euo pipefail
redress=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
store="sqlite:$work/cases.db"
fail() { echo "fixed.sh: $*" >&2; exit 1; }
# lines FILE TYPE: the output lines of FILE whose "type" is TYPE, one JSON object a line.
lines() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["type"] == sys.argv[2]: print(json.dumps(o, ensure_ascii=False))' "$@"; }
# get JSON EXPR: EXPR evaluated on the JSON text as `o`.
get() { python3 -c 'import json,sys; o=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$@"; }

# Three customers: U-1 twice with the coupon expiry (writing in Chinese), U-2
# once, U-3 with another cause.
"$redress" run --store "$store" --data "$data" --clock input --quiet > /dev/null <<'IN'
{"case_id":"C-1","customer":"U-1","at":"2025-05-06T02:00:00Z","type":"contact_received","channel":"app","text":"我的优惠券过期了","locale":"zh-Hans"}
{"case_id":"C-1","at":"2025-05-06T02:05:00Z","type":"root_cause_recorded","category":"券过期","description":"no reminder before expiry"}
{"case_id":"C-2","customer":"U-1","at":"2025-05-07T02:00:00Z","type":"contact_received","channel":"app","text":"又过期了","locale":"zh-Hans"}
{"case_id":"C-2","at":"2025-05-07T02:05:00Z","type":"root_cause_recorded","category":"coupon.expiry","description":"no reminder before expiry"}
{"case_id":"C-3","customer":"U-2","at":"2025-05-07T03:00:00Z","type":"contact_received","channel":"phone","text":"my coupon expired"}
{"case_id":"C-3","at":"2025-05-07T03:05:00Z","type":"root_cause_recorded","category":"coupon.expiry","description":"no reminder before expiry"}
{"case_id":"C-4","customer":"U-3","at":"2025-05-07T04:00:00Z","type":"contact_received","channel":"phone","text":"charged twice"}
{"case_id":"C-4","at":"2025-05-07T04:05:00Z","type":"root_cause_recorded","category":"payment.duplicate","description":"retry"}
IN

notify() {
  "$redress" notify-fixed --store "$store" --data "$data" --cause "Coupon expired" \
    --note "expiry reminders now go out three days ahead" --by ops --at 2025-05-10T02:00:00Z "$@"
}

# 1. Three open cases get the finding; two customers are told, each once.
notify --now 2025-05-13T07:00:00Z > "$work/out1" || fail "notify-fixed failed"
[ "$(lines "$work/out1" open_case | wc -l)" = 3 ] || fail "expected 3 open cases"
lines "$work/out1" open_case | grep '"code": "root_cause.fixed"' > /dev/null || fail "no root_cause.fixed finding"
[ "$(lines "$work/out1" notify_fixed | wc -l)" = 2 ] || fail "expected one notice for each of 2 customers"
u1=$(lines "$work/out1" notify_fixed | sed -n 1p)
[ "$(get "$u1" 'o["customer"]')" = U-1 ] || fail "the first notice is not U-1's"
[ "$(get "$u1" 'sorted(o["cases"])')" = "['C-1', 'C-2']" ] || fail "U-1's notice does not list both cases"
[ "$(get "$u1" 'o["locale"]')" = zh-Hans ] || fail "U-1's notice is not in their language"
[ "$(get "$u1" 'o["send_at"]')" = 2025-05-13T07:00:00Z ] || fail "a notice inside the contact window waited"
get "$u1" 'o["text"]' | grep "expiry reminders now go out three days ahead" > /dev/null || fail "the notice does not say what changed"
fix=$(lines "$work/out1" fix)
[ "$(get "$fix" 'o["category"]')" = coupon.expiry ] || fail "the cause was not resolved through the taxonomy"
[ "$(get "$fix" '(o["cases"], o["customers"], o["told"])')" = "(3, 2, 2)" ] || fail "wrong counts: $fix"
[ "$(tail -1 "$work/out1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["type"])')" = fix ] ||
  fail "the fix line is not last"

# 2. Run again: nobody is told twice.
notify --now 2025-05-14T07:00:00Z > "$work/out2" || fail "the second run failed"
[ "$(lines "$work/out2" notify_fixed | wc -l)" = 0 ] || fail "a customer was told twice"
[ "$(get "$(lines "$work/out2" fix)" '(o["id"], o["told"])')" = "($(get "$fix" 'o["id"]'), 2)" ] ||
  fail "the second run kept another fix"

# 3. Outside the contact window (22:00 in Shanghai) the notice waits for it to open.
"$redress" notify-fixed --store "$store" --data "$data" --cause payment.duplicate --note "one charge per order" \
  --at 2025-05-10T02:00:00Z --now 2025-05-13T14:00:00Z > "$work/out3" || fail "the payment fix failed"
late=$(lines "$work/out3" notify_fixed)
[ "$(get "$late" 'o["send_at"] > "2025-05-13T14:00:00Z"')" = True ] || fail "a notice at 22:00 was not held back"

# 4. The report shows each cause's fix and how many customers were told.
"$redress" report --store "$store" --data "$data" --json --quiet > "$work/report.json" || fail "report failed"
[ "$(get "$(cat "$work/report.json")" '[(f["cause"], f["customers"], f["told"]) for f in o["fixes"]]')" = \
  "[('coupon.expiry', 2, 2), ('payment.duplicate', 1, 1)]" ] || fail "the report's fixes are wrong"
"$redress" report --store "$store" --data "$data" --quiet > "$work/report.txt" || fail "text report failed"
grep -q "Root causes fixed" "$work/report.txt" || fail "the text report has no fixes section"
"$redress" report --store "$store" --data "$data" --csv --quiet > "$work/report.csv" || fail "CSV report failed"
grep -q '^fixed,coupon.expiry,told,,2' "$work/report.csv" ||
  fail "the CSV report has no fixes rows"

# 5. Usage errors name what is wrong; nothing is kept.
status=0
"$redress" notify-fixed --store "$store" --data "$data" --cause "coupon.expiri" --note x 2> "$work/err" || status=$?
[ "$status" = 2 ] || fail "an unknown cause exited $status, not 2"
grep -q "coupon.expiry" "$work/err" || fail "the refusal does not name the nearest category"
status=0
"$redress" notify-fixed --store "$store" --data "$data" --cause coupon.expiry 2> "$work/err" || status=$?
[ "$status" = 2 ] || fail "a missing --note exited $status, not 2"
status=0
"$redress" notify-fixed --store "$store" --data "$data" --cause coupon.expiry --note x --at soon 2> "$work/err" ||
  status=$?
[ "$status" = 2 ] || fail "a bad --at exited $status, not 2"
grep -q -- "--at" "$work/err" || fail "the refusal does not name --at"
[ "$(get "$("$redress" report --store "$store" --data "$data" --json --quiet)" 'len(o["fixes"])')" = 2 ] ||
  fail "a refused run kept a fix"
echo "fixed.sh: ok"
