#!/usr/bin/env bash
# `redress calendar` answers from the China calendar: the 调休 Sunday counts,
# the Spring Festival does not, and bad input or usage fails with 1 or 2.
set -euo pipefail
redress=$1
data=$2
cn=$data/calendars/cn.json

bad=$(mktemp); trap 'rm -f "$bad" "$bad.batch"' EXIT

expect() {  # expect <expected output> <command...>
  local want=$1; shift
  local got; got=$("$@")
  if [ "$got" != "$want" ]; then
    printf 'command: %s\nexpected:\n%s\ngot:\n%s\n' "$*" "$want" "$got" >&2
    exit 1
  fi
}
status() {  # status <expected exit code> <stderr pattern> <command...>
  local want=$1 pattern=$2; shift 2
  local rc=0 err; err=$("$@" 2>&1 >/dev/null) || rc=$?
  if [ "$rc" != "$want" ] || ! grep -q -- "$pattern" <<<"$err"; then
    printf 'command: %s\nexpected exit %s and "%s", got exit %s:\n%s\n' "$*" "$want" "$pattern" "$rc" "$err" >&2
    exit 1
  fi
}

expect $'due 2025-01-27T21:00:00+08:00 (Mon, Asia/Shanghai)\nutc 2025-01-27T13:00:00Z' \
  "$redress" calendar due --calendar "$cn" --from 2025-01-24T15:00:00+08:00 --working-days 2
expect $'due 2025-02-05T21:00:00+08:00 (Wed, Asia/Shanghai)\nutc 2025-02-05T13:00:00Z' \
  "$redress" calendar due --calendar "$cn" --from 2025-01-24T07:00:00Z --working-days 3
expect $'due 2025-01-27T15:00:00+08:00 (Mon, Asia/Shanghai)\nutc 2025-01-27T07:00:00Z' \
  "$redress" calendar due --calendar "$cn" --from 2025-01-24T15:00:00+08:00 --working-hours 24
expect $'due 2025-01-24T21:00:00+08:00 (Fri, Asia/Shanghai)\nutc 2025-01-24T13:00:00Z' \
  "$redress" calendar due --calendar "$cn" --from 2025-01-24T20:00:00+08:00 --working-minutes 60
expect '2025-01-26 Sun working (extra working day)' "$redress" calendar is-working --calendar "$cn" 2025-01-26
expect '2025-02-04 Tue not working (holiday)' "$redress" calendar is-working --calendar "$cn" 2025-02-04
expect '2025-01-25 Sat not working (weekly rest day)' "$redress" calendar is-working --calendar "$cn" 2025-01-25
expect $'opens 2025-10-09T09:00:00+08:00 (Thu, Asia/Shanghai)\nutc   2025-10-09T01:00:00Z' \
  "$redress" calendar next-opening --calendar "$cn" --at 2025-10-01T12:00:00+08:00
"$redress" calendar --help | grep -q '^usage: redress calendar'

status 1 'outside the calendar.s covered range 2020-01-01..2028-12-31' \
  "$redress" calendar is-working --calendar "$cn" 2029-01-04
status 1 'instant "9999-12-31T23:59:59-14:00": outside the supported range' \
  "$redress" calendar next-opening --calendar "$cn" --at 9999-12-31T23:59:59-14:00
status 1 'offset within -14:00..+14:00' \
  "$redress" calendar next-opening --calendar "$cn" --at 2025-01-24T15:00:00+15:00
expect $'due 2025-10-28T18:00:00+01:00 (Tue, Europe/Berlin)\nutc 2025-10-28T17:00:00Z' \
  "$redress" calendar due --calendar "$data/calendars/de.json" --from 2025-10-24T15:00:00+02:00 --working-days 2
status 1 '^redress calendar: --from: instant "tomorrow"' \
  "$redress" calendar due --calendar "$cn" --from tomorrow --working-days 1
# Negative working days: the opening of service on the Nth working day before
# (Mon 27th -> Sun 26th is a 调休 working day; -3 skips the weekend's Saturday).
expect $'due 2025-01-26T09:00:00+08:00 (Sun, Asia/Shanghai)\nutc 2025-01-26T01:00:00Z' \
  "$redress" calendar due --calendar "$cn" --from 2025-01-27T15:00:00+08:00 --working-days -1
expect $'due 2025-01-23T09:00:00+08:00 (Thu, Asia/Shanghai)\nutc 2025-01-23T01:00:00Z' \
  "$redress" calendar due --calendar "$cn" --from 2025-01-27T15:00:00+08:00 --working-days -3

# between: working days d with from < d <= to, and with instants the service time too.
expect 'working days 6' "$redress" calendar between --calendar "$cn" --from 2025-01-20 --to 2025-01-27
expect 'working days 0' "$redress" calendar between --calendar "$cn" --from 2025-01-24 --to 2025-01-25
expect 'working days -1' "$redress" calendar between --calendar "$cn" --from 2025-01-24 --to 2025-01-23
expect $'working days 1\nworking time 12:00' \
  "$redress" calendar between --calendar "$cn" --from 2025-01-24T15:00:00+08:00 --to 2025-01-26T15:00:00+08:00
status 2 'between needs --from and --to' "$redress" calendar between --calendar "$cn" --from 2025-01-24

# --batch: one query per line in, one answer per line out, errors in place.
batch_out=$(printf '%s\n' \
  'due --from 2025-01-24T15:00:00+08:00 --working-days 2' \
  '# a comment, then an empty line' '' \
  'is-working 2025-01-26' \
  'due --from tomorrow --working-days 1' \
  'between --from 2025-01-20 --to 2025-01-27' \
  'next-opening --at 2025-10-01T12:00:00+08:00' \
  'when 2025-01-01' |
  { "$redress" calendar --batch --calendar "$cn" || echo "exit $?"; })
got() { sed -n "$1p" <<<"$batch_out"; }
[ "$(got 1)" = 2025-01-27T21:00:00+08:00 ] && [ "$(got 2)" = '2025-01-26 Sun working (extra working day)' ] &&
  [[ "$(got 3)" == 'error: --from: instant "tomorrow"'* ]] && [ "$(got 4)" = 6 ] &&
  [ "$(got 5)" = 2025-10-09T09:00:00+08:00 ] && [ "$(got 6)" = 'error: unknown action "when"' ] &&
  [ "$(got 7)" = 'exit 1' ] && [ "$(wc -l <<<"$batch_out")" = 7 ] || { echo "batch: $batch_out" >&2; exit 1; }
# A thousand queries, a thousand answers, in order.
seq 1 1000 | awk '{ printf "due --from 2025-01-24T15:00:00+08:00 --working-minutes %d\n", $1 }' |
  "$redress" calendar --batch --calendar "$cn" > "$bad.batch"
[ "$(wc -l < "$bad.batch")" = 1000 ]
[ "$(sed -n 60p "$bad.batch")" = 2025-01-24T16:00:00+08:00 ]
status 2 '--batch takes --calendar FILE only' "$redress" calendar --batch --calendar "$cn" --at 2025-01-01T00:00:00Z
status 1 '--calendar: .*cn.json.missing does not exist' \
  "$redress" calendar is-working --calendar "$cn.missing" 2025-01-26
sed 's/"21:00"/"25:00"/' "$cn" >"$bad"
status 1 'service_hours\[0\]: closes 25:00 is outside 00:00-24:00' \
  "$redress" calendar is-working --calendar "$bad" 2025-01-26
status 2 'due needs --working-days' "$redress" calendar due --calendar "$cn" --from 2025-01-24T15:00:00+08:00
status 2 'give only one of' \
  "$redress" calendar due --calendar "$cn" --from 2025-01-24T15:00:00+08:00 --working-days 1 --working-hours 2
status 2 '--working-days expects a whole number, got "1.5"' \
  "$redress" calendar due --calendar "$cn" --from 2025-01-24T15:00:00+08:00 --working-days 1.5
status 2 '--calendar FILE is required' "$redress" calendar is-working 2025-01-26
status 2 'unknown action "when"' "$redress" calendar when --calendar "$cn"
status 2 "unknown option --until" "$redress" calendar due --calendar "$cn" --until 2025-01-24T15:00:00+08:00
