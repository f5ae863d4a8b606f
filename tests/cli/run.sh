#!/usr/bin/env bash
# `redress run`: events in as JSON lines, steps out, kept in a SQLite store,
# follow-ups fired on time (by the input's clock and by the wall clock), and
# a second run going on where the first stopped.
set -euo pipefail
redress=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
store="sqlite:$work/cases.db"
run() { "$redress" run --store "$store" --data "$data" --quiet "$@"; }
# field FILE N EXPR: EXPR evaluated on the N-th output line (0-based) as `o`.
field() { python3 -c 'import json,sys; o=[json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2])]; print(eval(sys.argv[3]))' "$@"; }
fail() { echo "run.sh: $*" >&2; exit 1; }

cat > "$work/in1" <<'IN'
{"case_id":"C-1","customer":"U-1","at":"2025-05-06T06:00:00Z","type":"contact_received","channel":"phone","text":"My order shows delivered but nothing came"}
{"case_id":"C-1","at":"2025-05-06T06:01:00Z","type":"apology_given","text":"I'm sorry, waiting for a parcel that never comes is worrying."}
{"case_id":"C-2","at":"2025-05-06T06:02:00Z","type":"forgiveness_signalled"}
not json
{"case_id":"C-1","at":"2025-05-06T06:50:00Z","type":"progress_update_sent","text":"The courier is checking the locker."}
IN

# 1. Rejected lines are reported, the others applied; exit status 1.
status=0
"$redress" run --store "$store" --data "$data" --clock input < "$work/in1" > "$work/out1" 2> "$work/err1" || status=$?
[ "$status" = 1 ] || fail "a run with rejected lines exited $status, not 1"
grep -q "done: 5 lines, 3 events applied, 1 follow-ups fired, 2 rejected" "$work/err1" || fail "no summary on stderr"
[ "$(wc -l < "$work/out1")" = 6 ] || fail "expected 6 output lines, got $(wc -l < "$work/out1")"
[ "$(field "$work/out1" 0 'o["actions"][0]["type"]')" = reply ] || fail "the contact's first action is not a reply"
[ "$(field "$work/out1" 2 'o["line"]')" = 3 ] || fail "line 3 (a case the store does not know, no customer) was not rejected"
field "$work/out1" 2 'o["detail"]' | grep -q 'must carry "customer"' || fail "the rejection does not say why"
[ "$(field "$work/out1" 3 'o["error"]')" = "invalid JSON" ] || fail "line 4 (not JSON) was not rejected as invalid JSON"
# 2. The update due 20 minutes after the contact fired before the 06:50 event, at its due time, and escalated.
[ "$(field "$work/out1" 4 'o["event"]["type"]')" = timer_fired ] || fail "the missed update did not fire"
[ "$(field "$work/out1" 4 'o["event"]["at"]')" = 2025-05-06T06:20:00Z ] || fail "the missed update fired at the wrong time"
[ "$(field "$work/out1" 4 'o["actions"][0]["type"]')" = escalate ] || fail "the missed update did not escalate"
[ "$(field "$work/out1" 5 'o["seq"]')" = 4 ] || fail "the update is not the case's fourth event"

# 3. A second process goes on from the store: the pending update (due 07:10) fires from it.
run --clock input --until 2025-05-06T08:00:00Z < /dev/null > "$work/out2"
[ "$(wc -l < "$work/out2")" = 1 ] || fail "the restarted run fired $(wc -l < "$work/out2") follow-ups, not 1"
[ "$(field "$work/out2" 0 'o["event"]["at"]')" = 2025-05-06T07:10:00Z ] || fail "the stored follow-up fired at the wrong time"
[ "$(field "$work/out2" 0 'o["seq"]')" = 5 ] || fail "the restored case did not go on at seq 5"
# ... and only once: running again fires nothing.
run --clock input --until 2025-05-06T08:00:00Z < /dev/null > "$work/out3"
[ ! -s "$work/out3" ] || fail "a follow-up fired twice"

# 4. By the wall clock: resolving schedules the satisfaction check, long due today, so it fires at once.
echo '{"case_id":"C-1","at":"2025-05-06T08:10:00Z","type":"resolved","summary":"found in the wrong locker"}' |
  run > "$work/out4"
[ "$(field "$work/out4" 0 'o["actions"][0]["type"]')" = schedule_follow_up ] || fail "resolving did not schedule the check"
[ "$(field "$work/out4" 1 'o["event"]["type"]')" = timer_fired ] || fail "the due satisfaction check did not fire by the wall clock"
[ "$(field "$work/out4" 1 'o["event"]["at"][:4] >= "2026"')" = True ] || fail "the wall clock fired it at a past instant"

# 5. Usage and store errors.
status=0; "$redress" run < /dev/null 2> "$work/err" || status=$?
[ "$status" = 2 ] && grep -q "which store" "$work/err" || fail "a run without --store is not a usage error"
status=0; "$redress" run --store "mysql:x" < /dev/null 2> "$work/err" || status=$?
[ "$status" = 2 ] && grep -q "neither sqlite:PATH nor postgres:CONNINFO" "$work/err" || fail "an unknown scheme is not refused"
printf 'not a store' > "$work/foreign.db"
status=0; "$redress" run --store "sqlite:$work/foreign.db" < /dev/null 2> "$work/err" || status=$?
[ "$status" = 3 ] && grep -q "not a redress store" "$work/err" || fail "a foreign file is not refused as a store failure ($status)"
echo "run.sh: ok"
