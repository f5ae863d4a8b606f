#!/usr/bin/env bash
# `redress run --store postgres:CONNINFO` on the throwaway server: a case
# opened by one run, its missed update fired by a second run from the
# database, and nothing fired twice.
set -euo pipefail
redress=$1
data=$2
conninfo=$(cat "$3")
schema="run_cli_$$"
psql=$(pg_config --bindir)/psql
"$psql" "$conninfo" -qX -v ON_ERROR_STOP=1 -c "CREATE SCHEMA $schema"
trap '"$psql" "$conninfo" -qX -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true' EXIT
store="postgres:$conninfo options='-c search_path=$schema'"
fail() { echo "pg/run.sh: $*" >&2; exit 1; }
field() { python3 -c 'import json,sys; o=[json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2])]; print(eval(sys.argv[3]))' "$@"; }
out=$(mktemp -d)
trap 'rm -rf "$out"; "$psql" "$conninfo" -qX -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true' EXIT

echo '{"case_id":"C-1","customer":"U-1","at":"2025-05-06T06:00:00Z","type":"contact_received","channel":"phone","text":"where is my parcel"}' |
  "$redress" run --store "$store" --data "$data" --clock input --quiet > "$out/1"
[ "$(field "$out/1" 0 'o["seq"]')" = 1 ] || fail "the contact was not stored as event 1"
[ "$(field "$out/1" 0 'o["actions"][1]["type"]')" = schedule_follow_up ] || fail "no update was scheduled"

"$redress" run --store "$store" --data "$data" --clock input --until 2025-05-06T07:00:00Z --quiet < /dev/null > "$out/2"
[ "$(wc -l < "$out/2")" = 1 ] || fail "the second run fired $(wc -l < "$out/2") follow-ups, not 1"
[ "$(field "$out/2" 0 'o["event"]["type"]')" = timer_fired ] || fail "the stored update did not fire"
[ "$(field "$out/2" 0 'o["event"]["at"]')" = 2025-05-06T06:20:00Z ] || fail "it fired at the wrong time"
[ "$(field "$out/2" 0 'o["seq"]')" = 2 ] || fail "the restored case did not go on at seq 2"

"$redress" run --store "$store" --data "$data" --clock input --until 2025-05-06T08:00:00Z --quiet < /dev/null > "$out/3"
[ ! -s "$out/3" ] || fail "a follow-up fired twice"
echo "pg/run.sh: ok"
