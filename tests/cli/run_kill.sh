#!/usr/bin/env bash
# `redress run` killed (SIGKILL) 100 times at random moments while it commits
# cases that start with an emergency, each time restarted on the same input
# and the same SQLite store; then one run to the end. Afterwards:
#   - no event was stored twice, and the last run rejects no line (each line
#     carries an "event_id": one already stored is recognised, not re-applied);
#   - every action of every stored event is in the outbox and acknowledged,
#     and was printed at least once (with its step, or redelivered);
#   - each case has exactly one emergency action, acknowledged.
set -euo pipefail
redress=$1
data=$2
work=$(mktemp -d)
trap '[ -z "${KEEP:-}" ] && rm -rf "$work"' EXIT
store="sqlite:$work/cases.db"
n=${RUN_KILL_CASES:-60}
kills=${RUN_KILLS:-100}

for i in $(seq 1 $n); do
  echo "{\"case_id\":\"C-$i\",\"customer\":\"U-$i\",\"event_id\":\"m-$i-1\",\"at\":\"2025-05-06T06:00:00Z\",\"type\":\"safety_risk_reported\",\"text\":\"the heater is smoking and my child is in the room\"}"
  echo "{\"case_id\":\"C-$i\",\"event_id\":\"m-$i-2\",\"at\":\"2025-05-06T06:00:30Z\",\"type\":\"contact_received\",\"channel\":\"phone\",\"text\":\"please call me back\"}"
done > "$work/in"

status_ok() { [ "$1" = 0 ] || [ "$1" = 1 ] || [ "$1" = 137 ]; }
for k in $(seq 1 "$kills"); do
  "$redress" run --store "$store" --data "$data" --clock input --lease 1 --quiet \
    < "$work/in" > "$work/out-$k" 2>/dev/null &
  pid=$!
  sleep "0.$(printf '%03d' $((RANDOM % 250)))"
  kill -9 "$pid" 2>/dev/null || true
  rc=0; { wait "$pid"; } 2>/dev/null || rc=$?
  status_ok "$rc" || { echo "run_kill.sh: run $k ended with status $rc" >&2; exit 1; }
done
rc=0
"$redress" run --store "$store" --data "$data" --clock input --lease 1 --until 2025-05-08T00:00:00Z --quiet \
  < "$work/in" > "$work/out-final" 2>/dev/null || rc=$?
# Every line is either new or recognised by its event id: none is rejected.
[ "$rc" = 0 ] || { echo "run_kill.sh: the last run ended with status $rc" >&2; exit 1; }

python3 - "$work" "$n" <<'PY'
import glob, json, sqlite3, sys
work, n = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(f"{work}/cases.db")
def fail(msg):
    print(f"run_kill.sh: {msg}", file=sys.stderr)
    sys.exit(1)
printed = set()
redelivered = 0
for path in glob.glob(f"{work}/out-*"):
    for line in open(path, encoding="utf-8", errors="replace"):
        try:
            o = json.loads(line)
        except ValueError:
            continue  # a line cut by the kill
        if "event" in o:
            printed.update(o.get("action_ids", []))
        elif o.get("redelivered"):
            printed.add(o["action_id"])
            redelivered += 1
for i in range(1, n + 1):
    types = [t for (t,) in db.execute("SELECT type FROM events WHERE case_id = ? ORDER BY seq", (f"C-{i}",))]
    if types.count("safety_risk_reported") != 1 or types.count("contact_received") != 1:
        fail(f"case C-{i} holds {types}: an event was lost or stored twice")
rows = db.execute("SELECT id, type, state FROM outbox").fetchall()
events = db.execute("SELECT count(*) FROM events").fetchone()[0]
with_actions = db.execute("SELECT count(DISTINCT case_id || '#' || seq) FROM outbox").fetchone()[0]
if not rows:
    fail("the outbox is empty")
undone = [r for r in rows if r[2] != "done"]
if undone:
    fail(f"{len(undone)} actions were never acknowledged, e.g. {undone[:3]}")
missing = [r[0] for r in rows if r[0] not in printed]
if missing:
    fail(f"{len(missing)} actions were never printed, e.g. {missing[:3]}")
emergencies = [r for r in rows if r[1] == "emergency"]
per_case = {}
for r in emergencies:
    case = r[0].rsplit("#", 1)[0]
    per_case[case] = per_case.get(case, 0) + 1
if len(per_case) != n or any(v != 1 for v in per_case.values()):
    fail(f"emergencies per case: {per_case}")
print(f"run_kill.sh: ok: {events} events, {len(rows)} actions of {with_actions} events, all acknowledged and printed "
      f"({redelivered} printed again after a kill); {len(emergencies)} emergencies, one per case")
PY
