#!/usr/bin/env bash
# Personal data through the CLI (docs/privacy.md): `redress run` attaches a
# contact without case_id to the open case of its contact point, opens a new
# case when there is none and guesses nothing when two customers share the
# point; the store file never holds the phone number or the customer's words
# in clear; `redress erase` leaves the case countable by `redress report` but
# its personal fields "[erased]"; nothing personal reaches standard error.
#
#   privacy.sh REDRESS DATA              on a SQLite store (the file is grepped)
#   privacy.sh REDRESS DATA CONNINFO_FILE on a PostgreSQL store in a schema of
#                                         its own (a pg_dump of it is grepped)
set -euo pipefail
redress=$1
data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -ge 3 ]; then
  conninfo=$(cat "$3")
  schema="privacy_cli_$$"
  bindir=$(pg_config --bindir)
  "$bindir/psql" "$conninfo" -qX -v ON_ERROR_STOP=1 -c "CREATE SCHEMA $schema"
  trap 'rm -rf "$work"; "$bindir/psql" "$conninfo" -qX -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true' EXIT
  store="postgres:$conninfo options='-c search_path=$schema'"
  holds() { "$bindir/pg_dump" -d "$conninfo" -n "$schema" | grep -a -q -- "$1"; }
else
  db="$work/cases.db"
  store="sqlite:$db"
  holds() { cat "$db" "$db-wal" 2>/dev/null | grep -a -q -- "$1"; }
fi
field() { python3 -c 'import json,sys; o=[json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2])]; print(eval(sys.argv[3]))' "$@"; }
fail() { echo "privacy.sh: $*" >&2; exit 1; }

cat > "$work/in" <<'IN'
{"customer":"U-1","at":"2025-05-06T06:00:00Z","type":"contact_received","channel":"phone","from":{"kind":"phone","value":"138 1234 5678"},"text":"Zhang Wei here, my parcel never came"}
{"at":"2025-05-06T06:05:00Z","type":"contact_received","channel":"phone","from":{"kind":"phone","value":"+8613812345678"},"text":"Calling again about my parcel"}
{"customer":"U-2","at":"2025-05-06T06:06:00Z","type":"contact_received","channel":"chat","from":{"kind":"phone","value":"13900000000"},"text":"Hello"}
{"customer":"U-3","case_id":"C-3","at":"2025-05-06T06:07:00Z","type":"contact_received","channel":"phone","from":{"kind":"phone","value":"13900000000"},"text":"Hello too"}
{"at":"2025-05-06T06:08:00Z","type":"contact_received","channel":"phone","from":{"kind":"phone","value":"13900000000"},"text":"Which case is mine?"}
IN

# 1. Routed by the contact point: a new case, the same case again, and a refusal when two customers match.
status=0
"$redress" run --store "$store" --data "$data" --clock input < "$work/in" > "$work/out" 2> "$work/err" || status=$?
[ "$status" = 1 ] || fail "a run with one ambiguous contact exited $status, not 1"
[ "$(field "$work/out" 0 'o["case_id"]')" = "U-1@2025-05-06T06:00:00Z" ] || fail "the first contact did not open a case of its own"
[ "$(field "$work/out" 1 'o["case_id"]')" = "U-1@2025-05-06T06:00:00Z" ] || fail "the second contact did not find the open case of its number"
[ "$(field "$work/out" 1 'o["seq"]')" = 2 ] || fail "the second contact is not the case's second event"
[ "$(field "$work/out" 4 'o["line"]')" = 5 ] || fail "the contact shared by two customers was not refused"
field "$work/out" 4 'o["detail"]' | grep -q "open cases of 2 customers; nothing is guessed" || fail "the refusal does not say why"

# 2. Sealed at rest: neither the number nor the words are in the file; nor on standard error.
holds "+8613812345678" && fail "the store holds the phone number in clear"
holds "Zhang Wei" && fail "the store holds the customer's words in clear"
grep -q -e "13900000000" -e "+8613812345678" -e "Zhang Wei" "$work/err" && fail "standard error quotes personal data"

# 3. Without the master key the store is not opened.
status=0
env -u REDRESS_MASTER_KEY "$redress" erase --store "$store" --customer U-1 > /dev/null 2> "$work/nokey" || status=$?
[ "$status" = 2 ] || fail "a store opened without its master key exited $status, not 2"
grep -q "master_key" "$work/nokey" || fail "the refusal does not name the master key"

# 4. Erased: the case is still counted, its personal fields read "[erased]".
"$redress" erase --store "$store" --customer U-1 > "$work/erased"
[ "$(field "$work/erased" 0 'o["cases"]')" = 1 ] || fail "erase did not count the customer's case"
[ "$(field "$work/erased" 0 'o["key_deleted"]')" = True ] || fail "erase did not delete the data key"
holds "Calling again" && fail "the store holds the erased customer's words"
"$redress" report --store "$store" --data "$data" --json --quiet > "$work/report" 2> "$work/report.err" ||
  fail "the report of a store with an erased customer failed: $(cat "$work/report.err")"
grep -q "Zhang Wei" "$work/report" "$work/report.err" && fail "the report quotes the customer's words"
cat > "$work/again" <<'IN'
{"customer":"U-1","at":"2025-05-06T07:00:00Z","type":"contact_received","channel":"phone","from":{"kind":"phone","value":"13812345678"},"text":"It is me again"}
IN
"$redress" run --store "$store" --data "$data" --clock input --quiet < "$work/again" > "$work/out2"
[ "$(field "$work/out2" -1 'o["case_id"]')" = "U-1@2025-05-06T07:00:00Z" ] ||
  { cut -c1-200 "$work/out2" >&2; fail "after erasure the number still found the erased customer's case"; }
echo "privacy.sh: ok"
