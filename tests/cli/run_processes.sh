#!/usr/bin/env bash
# Three `redress run --wait` processes share one SQLite store holding 150
# overdue follow-ups, and one of them is killed (SIGKILL) while it holds
# claims. Every follow-up still fires, exactly once: each case's journal in
# the store gets one timer_fired event, and every follow-up ends done. The
# steps the workers print add up to the firings, and no follow-up is claimed
# by a second worker while the first still holds it.
set -euo pipefail
redress=$1
data=$2
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; [ -z "${KEEP:-}" ] && rm -rf "$work"; cat "$work"/err-* 2>/dev/null | grep -v "done:" >&2 || true; }
trap cleanup EXIT
store="sqlite:$work/cases.db"
n=150
fired_in_store() {
  python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM events WHERE type = ?", ("timer_fired",)).fetchone()[0])' "$work/cases.db"
}

# 150 cases, each opened by a contact in 2025 with a progress update due 20 minutes later.
for i in $(seq 1 $n); do
  echo "{\"case_id\":\"C-$i\",\"customer\":\"U-$i\",\"at\":\"2025-05-06T06:00:00Z\",\"type\":\"contact_received\",\"channel\":\"chat\",\"text\":\"where is my parcel\"}"
done > "$work/in"
"$redress" run --store "$store" --data "$data" --clock input --quiet < "$work/in" > "$work/opened" 2>/dev/null
[ "$(wc -l < "$work/opened")" = $n ] || { echo "run_processes.sh: $n cases were not all opened" >&2; exit 1; }

# Three processes, no input, firing by the wall clock: the updates are long
# overdue. The first runs alone with a lease of 2 s and is killed (SIGKILL)
# as soon as it has fired something: it then holds a claimed batch, which
# comes back 2 s later. The two others share the rest with leases of 60 s,
# so no claim of theirs lapses on a slow machine: a follow-up fired by one
# of them and found stale by the other would be a claim bug.
start_worker() {
  "$redress" run --store "$store" --data "$data" --wait --quiet --claimer "worker-$1" --lease "$2" \
    < /dev/null > "$work/fired-$1" 2> "$work/err-$1" &
  pids+=($!)
}
start_worker 1 2
victim=1
for _ in $(seq 1 1500); do
  [ -s "$work/fired-1" ] && break
  sleep 0.02
done
[ -s "$work/fired-1" ] || { echo "run_processes.sh: nothing fired" >&2; exit 1; }
kill -9 "${pids[0]}"
wait "${pids[0]}" 2>/dev/null || true
start_worker 2 60
start_worker 3 60
survivors=("${pids[1]}" "${pids[2]}")
for _ in $(seq 1 600); do
  [ "$(fired_in_store)" -ge $n ] && break
  sleep 0.1
done
sleep 3  # past the leases: a follow-up fired twice would show up now
for p in "${survivors[@]}"; do kill -TERM "$p"; done
for p in "${survivors[@]}"; do wait "$p"; done
pids=()

python3 - "$work" $n "$victim" <<'PY'
import collections, json, pathlib, re, sqlite3, sys
work, n, victim = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
db = sqlite3.connect(work / "cases.db")
per_case = collections.Counter(c for (c,) in db.execute("SELECT case_id FROM events WHERE type = 'timer_fired'"))
twice = [c for c, k in per_case.items() if k > 1]
assert not twice, f"fired more than once: {twice[:5]}"
assert len(per_case) == n, f"{len(per_case)} of {n} follow-ups fired"
states = dict(db.execute("SELECT state, count(*) FROM follow_ups GROUP BY state").fetchall())
assert states == {"done": n}, states
# Steps only: a survivor also prints again the actions the killed worker
# committed and never delivered ({"redelivered": true}, no "event").
lines = {k: [json.loads(l) for l in (work / f"fired-{k}").read_text().splitlines() if l.strip()] for k in (1, 2, 3)}
printed = {k: [o["case_id"] for o in v if "event" in o] for k, v in lines.items()}
by = {k: len(v) for k, v in printed.items()}
assert by[victim] < n, "the killed worker fired everything before it was killed"
# The printed steps add up: no case printed by two workers, and every firing
# printed but at most the one the killed worker committed and had no time to print.
everywhere = collections.Counter(c for v in printed.values() for c in v)
assert max(everywhere.values()) == 1, f"printed twice: {[c for c, k in everywhere.items() if k > 1][:5]}"
assert n - 1 <= len(everywhere) <= n, f"{len(everywhere)} steps printed for {n} firings"
# Each survivor's summary agrees with what it printed. A follow-up claimed by
# two workers at once is absorbed on reload (its case no longer waits for it)
# and shows only as stale: at most one is, the follow-up the killed worker
# fired and could not complete.
stale = 0
for k in (1, 2, 3):
    if k == victim:
        continue
    done = [l for l in (work / f"err-{k}").read_text().splitlines() if "done:" in l][-1]
    fired = int(re.search(r"(\d+) follow-ups fired", done).group(1))
    assert fired == by[k], f"worker {k} says it fired {fired} but printed {by[k]} steps"
    stale += int(re.search(r"(\d+) stale follow-ups", done).group(1))
assert stale <= 1, f"{stale} follow-ups were claimed by a second worker while the first still held them"
print(f"run_processes.sh: {n} follow-ups fired once each; worker {victim} killed; steps printed per worker {by}")
PY
