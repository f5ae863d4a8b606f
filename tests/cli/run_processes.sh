#!/usr/bin/env bash
# Three `redress run --wait` processes share one SQLite store holding 150
# overdue follow-ups, and one of them is killed (SIGKILL) while it holds
# claims. Every follow-up still fires, exactly once: each case's journal in
# the store gets one timer_fired event, and every follow-up ends done.
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
# overdue. Leases of 2 s, so the killed one's claims come back soon.
for k in 1 2 3; do
  "$redress" run --store "$store" --data "$data" --wait --quiet --claimer "worker-$k" --lease 2 \
    < /dev/null > "$work/fired-$k" 2> "$work/err-$k" &
  pids+=($!)
done
# Kill the first worker to fire something: it then holds a claimed batch.
victim=
for _ in $(seq 1 1500); do
  for k in 1 2 3; do
    if [ -s "$work/fired-$k" ]; then victim=$k; break 2; fi
  done
  sleep 0.02
done
[ -n "$victim" ] || { echo "run_processes.sh: nothing fired" >&2; exit 1; }
kill -9 "${pids[$((victim - 1))]}"
wait "${pids[$((victim - 1))]}" 2>/dev/null || true
survivors=()
for k in 1 2 3; do [ "$k" = "$victim" ] || survivors+=("${pids[$((k - 1))]}"); done
for _ in $(seq 1 600); do
  [ "$(fired_in_store)" -ge $n ] && break
  sleep 0.1
done
sleep 3  # past the leases: a follow-up fired twice would show up now
for p in "${survivors[@]}"; do kill -TERM "$p"; done
for p in "${survivors[@]}"; do wait "$p"; done
pids=()

python3 - "$work" $n "$victim" <<'PY'
import collections, json, pathlib, sqlite3, sys
work, n, victim = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
db = sqlite3.connect(work / "cases.db")
per_case = collections.Counter(c for (c,) in db.execute("SELECT case_id FROM events WHERE type = 'timer_fired'"))
twice = [c for c, k in per_case.items() if k > 1]
assert not twice, f"fired more than once: {twice[:5]}"
assert len(per_case) == n, f"{len(per_case)} of {n} follow-ups fired"
states = dict(db.execute("SELECT state, count(*) FROM follow_ups GROUP BY state").fetchall())
assert states == {"done": n}, states
by = {k: len((work / f"fired-{k}").read_text().splitlines()) for k in (1, 2, 3)}
assert by[victim] < n, "the killed worker fired everything before it was killed"
print(f"run_processes.sh: {n} follow-ups fired once each; worker {victim} killed; steps printed per worker {by}")
PY
