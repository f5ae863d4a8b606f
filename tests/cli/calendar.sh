#!/usr/bin/env bash
# `redress calendar` answers from the China calendar: the 调休 Sunday counts,
# the Spring Festival does not, and bad input or usage fails with 1 or 2.
set -euo pipefail
redress=$1
data=$2
cn=$data/calendars/cn.json

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
status 1 'n: -1 working days is negative' \
  "$redress" calendar due --calendar "$cn" --from 2025-01-24T15:00:00+08:00 --working-days -1
status 1 'cannot read calendar file' \
  "$redress" calendar is-working --calendar "$cn.missing" 2025-01-26
bad=$(mktemp); trap 'rm -f "$bad"' EXIT
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
status 2 'unknown option --to' "$redress" calendar due --calendar "$cn" --to 2025-01-24T15:00:00+08:00
