#!/usr/bin/env bash
# Hardening of the CLI (docs/security.md): report cells a spreadsheet would run
# are neutralised, control characters never reach the terminal, store files
# are private, secrets of store URIs and contact values are never echoed,
# calendar names stay inside the data directory or beside the policy, and
# output that cannot be written is a failure.
set -euo pipefail
redress=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "hardening.sh: $*" >&2; exit 1; }

# 1. A store with a formula as case id and agent, and escape sequences in the root cause.
umask 022
store="sqlite:$work/cases.db"
esc=$(printf '\\u001b]0;pwned\\u0007\\u001b[31m')
cat > "$work/in" <<IN
{"case_id":"=HYPERLINK(\"http://x\")","customer":"U-1","at":"2026-02-16T02:00:00Z","type":"contact_received","channel":"app","text":"hi"}
{"case_id":"=HYPERLINK(\"http://x\")","at":"2026-02-16T02:01:00Z","actor":"@agent","type":"root_cause_recorded","category":"-cause${esc}","description":"d"}
{"case_id":"=HYPERLINK(\"http://x\")","at":"2026-02-16T02:02:00Z","type":"resolved","summary":"ok"}
{"case_id":"C-2","customer":"U-2","at":"2026-02-16T02:00:00Z","type":"contact_received","channel":"phone","from":{"kind":"phone","value":"138 0013 800"},"text":"hi"}
IN
# The bundled policy without its root-cause taxonomy, which would refuse the cause below.
python3 - "$data/policies/coupon-marketplace.json" "$work/free.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); p.pop("root_causes", None); json.dump(p, open(sys.argv[2], "w"))
PY
"$redress" run --store "$store" --policy "$work/free.json" --data "$data" --clock input --quiet < "$work/in" > "$work/out" 2> "$work/err" || true
[ "$(stat -c %a "$work/cases.db")" = 600 ] || fail "the store file is $(stat -c %a "$work/cases.db"), not 600"
grep -q '138 0013 800\|1380013800' "$work/out" "$work/err" && fail "an invalid phone number is echoed in an error"
grep -q 'from.value' "$work/err" || fail "the invalid phone number's field is not named"

"$redress" report --store "$store" --policy "$work/free.json" --data "$data" --csv --quiet > "$work/csv" 2>/dev/null || true
grep -q "^cause,'-cause" "$work/csv" || fail "a cause starting with - is not neutralised: $(grep '^cause' "$work/csv" | head -1)"
grep -q ',=' "$work/csv" && fail "a cell starting with = is written as it is"
grep -q '^-\|,-cause' "$work/csv" && fail "a text cell starting with - is written as it is"
grep -q ",CNY,-" "$work/csv" || true  # negative amounts stay numbers (none here)

"$redress" report --store "$store" --policy "$work/free.json" --data "$data" --quiet > "$work/text" 2>/dev/null || true
grep -q $'\x1b' "$work/text" && fail "an escape character reaches the terminal in the text report"
grep -q $'\x07' "$work/text" && fail "a bell character reaches the terminal in the text report"
grep -q '\\x1b' "$work/text" || fail "the escaped root cause is not shown"

# 2. redress run's standard error: control characters escaped.
printf '{"case_id":"C-3","customer":"U-3","at":"2026-02-16T02:00:00Z","type":"contact_received","channel":"\\u001b[2Jpigeon"}\n' |
  "$redress" run --store "$store" --policy "$work/free.json" --data "$data" --clock input --quiet > /dev/null 2> "$work/err2" || true
grep -q $'\x1b' "$work/err2" && fail "an escape character reaches standard error"
grep -q 'channel' "$work/err2" || fail "the bad channel is not named"

# 3. Secrets of store URIs are never echoed.
status=0
"$redress" run --store 'postgresql://u:hunter2@[::1/db' --data "$data" < /dev/null > /dev/null 2> "$work/err3" || status=$?
[ "$status" = 2 ] || fail "a store URI without a scheme redress knows exited $status"
grep -q hunter2 "$work/err3" && fail "the password is echoed: $(cat "$work/err3")"
grep -q '\*\*\*' "$work/err3" || fail "the redacted URI is not shown"

# 4. Calendar names stay in the data directory or beside the policy.
mkdir -p "$work/pol" "$work/secret"
printf '{"db_password": "hunter2", "weekmask": 1}\n' > "$work/secret/cal.json"
python3 - "$data/policies/coupon-marketplace.json" "$work/pol/p.json" '../secret/cal.json' <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); p["calendar"] = sys.argv[3]; json.dump(p, open(sys.argv[2], "w"))
PY
status=0
"$redress" run --store "sqlite:$work/p.db" --policy "$work/pol/p.json" --data "$data" < /dev/null 2> "$work/err4" || status=$?
[ "$status" = 1 ] || fail "a calendar outside the policy's folder exited $status"
grep -q '".." is not allowed' "$work/err4" || fail "the traversal is not explained: $(cat "$work/err4")"
cp "$work/secret/cal.json" "$work/pol/cal.json"
python3 - "$data/policies/coupon-marketplace.json" "$work/pol/p.json" 'cal.json' <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); p["calendar"] = sys.argv[3]; json.dump(p, open(sys.argv[2], "w"))
PY
status=0
"$redress" run --store "sqlite:$work/p.db" --policy "$work/pol/p.json" --data "$data" < /dev/null 2> "$work/err5" || status=$?
[ "$status" = 1 ] || fail "a file that is not a calendar exited $status"
grep -q 'db_password\|hunter2' "$work/err5" && fail "the error quotes a file that is not a calendar: $(cat "$work/err5")"
grep -q 'not a calendar document' "$work/err5" || fail "no explanation: $(cat "$work/err5")"
status=0
REDRESS_ALLOW_CALENDAR_PATH=1 "$redress" run --store "sqlite:$work/p2.db" --policy "$work/pol/p.json" --data "$data" \
  < /dev/null 2> /dev/null || status=$?
[ "$status" = 1 ] || fail "with the allow option, a broken calendar still fails (exit $status)"

# 5. Output that cannot be written is a failure; nothing is acknowledged after it.
status=0
head -1 "$work/in" | "$redress" run --store "sqlite:$work/full.db" --data "$data" --clock input --quiet > /dev/full 2> "$work/err6" || status=$?
[ "$status" = 74 ] || fail "redress run > /dev/full exited $status, not 74"
status=0
"$redress" report --store "$store" --policy "$work/free.json" --data "$data" --quiet > /dev/full 2>/dev/null || status=$?
[ "$status" != 0 ] || fail "redress report > /dev/full exited 0"

# 6. Stores that keep nothing are refused unless asked for.
status=0
"$redress" run --store sqlite::memory: --data "$data" < /dev/null 2> "$work/err7" || status=$?
[ "$status" = 2 ] || fail "sqlite::memory: was accepted (exit $status)"
"$redress" run --store sqlite::memory: --ephemeral --data "$data" --quiet < /dev/null 2>/dev/null || fail "--ephemeral does not allow sqlite::memory:"
# 7. Sums the report cannot hold are said, not dropped: two orders of one
# case each lost the most CNY an int64 of fen holds.
cat > "$work/big" <<IN
{"case_id":"C-BIG","customer":"U-9","at":"2026-02-16T02:00:00Z","type":"contact_received","channel":"app","text":"hi"}
{"case_id":"C-BIG","at":"2026-02-16T02:01:00Z","type":"order_linked","order":{"id":"O-1","loss":{"kind":"money","amount":"92233720368547758.07"}}}
{"case_id":"C-BIG","at":"2026-02-16T02:02:00Z","type":"order_linked","order":{"id":"O-2","loss":{"kind":"money","amount":"92233720368547758.07"}}}
{"case_id":"C-SMALL","customer":"U-8","at":"2026-02-16T02:00:00Z","type":"contact_received","channel":"app","text":"hi"}
IN
"$redress" run --store "sqlite:$work/big.db" --data "$data" --clock input --quiet < "$work/big" > /dev/null 2> "$work/err8" ||
  fail "the big losses were not stored: $(cat "$work/err8")"
status=0
"$redress" report --store "sqlite:$work/big.db" --data "$data" --json --quiet > "$work/big.json" 2> "$work/err9" || status=$?
[ "$status" = 1 ] || fail "a report leaving a case out exited $status, not 1"
grep -q 'C-BIG left out' "$work/err9" || fail "the case left out is not named: $(cat "$work/err9")"
grep -q 'leaves the int64 range' "$work/err9" || fail "the overflow is not said: $(cat "$work/err9")"
echo "hardening.sh: ok"
