"""Replay a scenario (docs/scenarios.md) as a host would: each event applied
to the case, the follow-ups the engine schedules kept in a Scheduler and
fired back as timer_fired events when the timeline passes them, and the
scenario's expectations checked at the end.

    python3 replay_scenario.py [SCENARIO.json]

Run with the package on PYTHONPATH (bindings/python), libredress-c findable
(REDRESS_LIBRARY), and REDRESS_DATA_DIR naming the bundled data/ directory.
"""

import datetime
import json
import os
import sys

import redress

here = os.path.dirname(os.path.abspath(__file__))
path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "scenarios", "tv-three-calls.json")
with open(path, encoding="utf-8") as f:
    scenario = json.load(f)


def instant(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


policy_ref = scenario["policy"]
if isinstance(policy_ref, str):
    policy = redress.Policy.load(os.path.join(os.path.dirname(path), policy_ref))
else:
    policy = redress.Policy.parse(policy_ref)
opened = scenario["case"]
case = redress.Case.open(opened["id"], opened["customer"], policy.currency, opened["opened_at"])
timers = redress.Scheduler(opened["opened_at"])
handles, ids = {}, []  # follow-up id -> scheduler handle; scheduler key -> follow-up id
seen = {"findings": set(), "actions": set()}
last_at = instant(opened["opened_at"])


def apply(event):
    global last_at
    step = case.apply(event, policy)
    last_at = max(last_at, instant(event["at"]))
    for action in step.actions:
        seen["actions"].add(action["type"])
        if action["type"] == "schedule_follow_up":
            ids.append(action["follow_up"]["id"])
            handles[ids[-1]] = timers.schedule(action["follow_up"]["due_at"], len(ids) - 1)
        elif action["type"] == "cancel_follow_up":
            timers.cancel(handles.pop(action["follow_up"], 0))
        print(f"  -> {action['type']}: {action.get('reason') or action.get('text') or ''}"[:110])
    for finding in step.findings:
        seen["findings"].add(finding["code"])
        print(f"  !  {finding['severity']} {finding['code']}")


for event in scenario["events"]:
    # The host's scheduler fires what is due before this moment.
    for fired in timers.advance(event["at"]):
        follow_up = ids[fired.key]
        handles.pop(follow_up, None)
        at = max(fired.due_at, last_at).isoformat()
        print(f"{at} timer_fired {follow_up}")
        apply({"at": at, "type": "timer_fired", "follow_up": follow_up})
    if event["type"] != "advance":
        print(f"{event['at']} {event['type']}")
        apply(event)

expect = scenario.get("expect", {})
unmet = [f"finding {c}" for c in expect.get("findings", []) if c not in seen["findings"]]
unmet += [f"action {a}" for a in expect.get("actions", []) if a not in seen["actions"]]
if "stage" in expect and case.stage != expect["stage"]:
    unmet.append(f"stage {expect['stage']} (is {case.stage})")
if "priority" in expect and case.priority != expect["priority"]:
    unmet.append(f"priority {expect['priority']} (is {case.priority})")
print(f"final: stage {case.stage}, priority {case.priority}; " + ("expectations met" if not unmet else
                                                                  "unmet: " + ", ".join(unmet)))
sys.exit(1 if unmet else 0)
