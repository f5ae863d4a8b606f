#!/usr/bin/env python3
"""The published JSON Schemas (docs/schema/) against what redress reads and writes.

usage: validate.py REDRESS_BINARY DATA_DIR

Checks that every schema is a valid draft 2020-12 schema; that every bundled
policy, calendar and scenario is valid; that what the CLI writes with --json
(`redress replay --json` steps, journal events and final cases, `redress run`
steps and the journal and outbox it stores, `redress report --json` and `redress whatif --json` summaries) is valid; and that each schema
rejects a sample of invalid documents (an unknown member, a wrong type, a
missing required member) while accepting a host's "x-" members.
"""
import copy
import json
import pathlib
import sqlite3
import subprocess
import sys
import tempfile
import warnings

from jsonschema import Draft202012Validator

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
SCHEMAS = ROOT / "docs" / "schema"
FAILURES = []


def load_schemas():
    schemas = {}
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        schema["$id"] = path.as_uri()  # so that "event.schema.json" resolves beside it
        schemas[path.name.removesuffix(".schema.json")] = schema
    return schemas


def make_validators(schemas):
    try:
        from referencing import Registry, Resource  # jsonschema >= 4.18
        registry = Registry().with_resources(
            (s["$id"], Resource.from_contents(s)) for s in schemas.values())
        return {name: Draft202012Validator(s, registry=registry) for name, s in schemas.items()}
    except ImportError:  # Debian 12's jsonschema 4.10
        from jsonschema import RefResolver
        store = {s["$id"]: s for s in schemas.values()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return {name: Draft202012Validator(s, resolver=RefResolver(s["$id"], s, store=store))
                    for name, s in schemas.items()}


def check(validators, kind, doc, where):
    errors = sorted(validators[kind].iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors[:3]:
        path = "/".join(str(p) for p in e.absolute_path)
        FAILURES.append(f"{where}: not a valid {kind}: at /{path}: {e.message[:200]}")
    return not errors


def refuses(validators, kind, doc, what):
    if validators[kind].is_valid(doc):
        FAILURES.append(f"the {kind} schema accepts {what}")


def cli(redress, *args, stdin=None):
    r = subprocess.run([redress, *args], input=stdin, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def main():
    redress, data = sys.argv[1], sys.argv[2]
    schemas = load_schemas()
    for want in ["common", "policy", "calendar", "event", "step", "case", "scenario", "report", "whatif"]:
        if want not in schemas:
            FAILURES.append(f"docs/schema/{want}.schema.json is missing")
    v = make_validators(schemas)
    counts = {}

    def ok(kind, doc, where):
        counts[kind] = counts.get(kind, 0) + 1
        return check(v, kind, doc, where)

    # --- the bundled documents
    for path in sorted((ROOT / "examples" / "policies").glob("*.json")):
        ok("policy", json.loads(path.read_text(encoding="utf-8")), path.relative_to(ROOT))
    for path in sorted((ROOT / "data" / "calendars").glob("*.json")):
        ok("calendar", json.loads(path.read_text(encoding="utf-8")), path.relative_to(ROOT))
    scenarios = sorted((ROOT / "examples" / "scenarios").glob("*.json"))
    scenarios += sorted((ROOT / "tests" / "cli" / "data").glob("*.json"))
    for path in scenarios:
        doc = json.loads(path.read_text(encoding="utf-8"))
        ok("scenario", doc, path.relative_to(ROOT))
        if doc.get("schema") != "redress.scenario/1":
            FAILURES.append(f"{path.relative_to(ROOT)}: does not name its schema (redress.scenario/1)")

    # --- what the CLI writes: steps, journals and cases of every scenario
    for path in scenarios:
        rc, out, err = cli(redress, "replay", "--json", "--keep-going", "--data", data, str(path))
        if rc != 0:
            FAILURES.append(f"replay {path.name}: exit {rc}: {err.strip()[:300]}")
            continue
        for n, line in enumerate(json_lines(out), 1):
            where = f"replay --json {path.name} line {n}"
            if "case" in line:
                ok("case", line["case"], where)
            elif "refused" in line:
                continue
            else:
                ok("step", line, where)
                ok("event", line["event"], where + " (its event)")

    # --- redress run: steps, then the summary of the store it filled
    with tempfile.TemporaryDirectory() as tmp:
        store = f"sqlite:{tmp}/cases.db"
        events = "\n".join(json.dumps(e) for e in [
            {"case_id": "C-1", "customer": "U-1", "at": "2026-02-16T10:00:00+08:00", "type": "contact_received",
             "channel": "app", "text": "my coupon was rejected"},
            {"case_id": "C-1", "at": "2026-02-16T10:01:00+08:00", "type": "apology_given",
             "text": "I'm really sorry, that is frustrating."},
            {"case_id": "C-1", "at": "2026-02-16T10:02:00+08:00", "type": "order_linked",
             "order": {"id": "O-1", "loss": {"kind": "money", "amount": "100"}}},
            {"case_id": "C-1", "at": "2026-02-16T10:03:00+08:00", "type": "remedy_proposed",
             "remedy": "R-1", "kind": "cash", "value": "50", "order": "O-1"},
            {"case_id": "C-1", "at": "2026-02-16T10:04:00+08:00", "type": "resolved", "summary": "refunded"},
        ]) + "\n"
        # In clear text, so that the rows below are the events and actions
        # themselves (a sealed store keeps personal members apart:
        # docs/privacy.md).
        rc, out, err = cli(redress, "run", "--store", store, "--insecure-plaintext", "--data", data,
                           "--clock", "input", "--quiet", stdin=events)
        if rc != 0:
            FAILURES.append(f"run: exit {rc}: {err.strip()[:300]}")
        steps = [line for line in json_lines(out) if "actions" in line]
        if len(steps) < 5:
            FAILURES.append(f"run: {len(steps)} steps written for 5 events")
        for n, line in enumerate(steps, 1):
            ok("step", line, f"run step {n}")
        # a new version of the policy, and the open case moved to it (a policy_moved event)
        moved_policy = json.loads((pathlib.Path(data) / "policies" / "coupon-marketplace.json").read_text(encoding="utf-8"))
        moved_policy["version"] = "moved"
        pathlib.Path(f"{tmp}/moved.json").write_text(json.dumps(moved_policy), encoding="utf-8")
        rc_moved, out, err = cli(redress, "run", "--store", store, "--insecure-plaintext", "--data", data,
                                 "--policy", f"{tmp}/moved.json", "--move-open-cases", "--clock", "input", "--quiet",
                                 stdin="")
        if rc_moved != 0:
            FAILURES.append(f"run --move-open-cases: exit {rc_moved}: {err.strip()[:300]}")
        for n, line in enumerate(json_lines(out), 1):
            ok("step", line, f"run --move-open-cases step {n}")
        # the journal and the outbox the runs stored (none when the first run failed)
        stored, outbox = [], []
        if rc == 0:
            db = sqlite3.connect(f"{tmp}/cases.db")
            stored = db.execute("SELECT seq, body_json FROM events ORDER BY case_id, seq").fetchall()
            outbox = db.execute("SELECT id, body_json FROM outbox").fetchall()
            db.close()
        if len(stored) < 6:
            FAILURES.append(f"run: {len(stored)} events stored for 5 and a policy move")
        if not any(json.loads(body).get("type") == "policy_moved" for _, body in stored):
            FAILURES.append("run --move-open-cases: no policy_moved event stored")
        for seq, body in stored:
            ok("event", json.loads(body), f"the stored journal, event {seq}")
        for action_id, body in outbox:
            ok("step", {"actions": [json.loads(body)], "findings": [], "trace": [], "suggestions": []},
               f"the stored outbox, action {action_id}")
        rc, out, err = cli(redress, "report", "--store", store, "--insecure-plaintext", "--data", data,
                           "--json", "--quiet")
        if rc != 0:
            FAILURES.append(f"report --store: exit {rc}: {err.strip()[:300]}")
        else:
            ok("report", json.loads(out), "report --store --json")
        # what the moved version would have changed in the store's cases
        rc, out, err = cli(redress, "whatif", "--store", store, "--insecure-plaintext", "--data", data,
                           "--policy", f"{tmp}/moved.json", "--json")
        if rc != 0:
            FAILURES.append(f"whatif --store: exit {rc}: {err.strip()[:300]}")
            whatif = {}
        else:
            whatif = json.loads(out)
            ok("whatif", whatif, "whatif --store --json")
    rc, out, err = cli(redress, "report", "--quiet", "--json", "--data", data, *map(str, scenarios[:-1]))
    if rc != 0:
        FAILURES.append(f"report --json: exit {rc}: {err.strip()[:300]}")
    else:
        ok("report", json.loads(out), "report --json over the bundled scenarios")

    # --- each schema refuses a sample of invalid documents
    policy = json.loads((ROOT / "examples" / "policies" / "coupon-marketplace.json").read_text(encoding="utf-8"))
    calendar = json.loads((pathlib.Path(data) / "calendars" / "cn.json").read_text(encoding="utf-8"))
    scenario = json.loads((ROOT / "examples" / "scenarios" / "tv-three-calls.json").read_text(encoding="utf-8"))
    event = {"schema": "redress.event/1", "case_id": "C-1", "at": "2026-02-16T10:00:00Z",
             "type": "contact_received", "channel": "app", "text": "hello"}
    _, out, _ = cli(redress, "replay", "--json", "--data", data,
                    str(ROOT / "examples" / "scenarios" / "approval-times-out.json"))
    lines = json_lines(out)
    step = next(line for line in lines if line.get("actions"))
    case = lines[-1]["case"]
    _, out, _ = cli(redress, "report", "--quiet", "--json", "--data", data, str(scenarios[0]))
    report = json.loads(out)
    whatif = {**whatif, "examples": [{"case": "C-1", "event": 3, "at": "2026-02-16T02:03:00Z", "kind": "remedy",
                                      "subject": "R-1", "before": "offered", "after": "sent for approval at level 1",
                                      "value": {"amount_minor": 5000, "currency": "CNY"}}]}
    samples = {"policy": policy, "calendar": calendar, "scenario": scenario, "event": event, "step": step,
               "case": case, "report": report, "whatif": whatif}
    for kind, doc in samples.items():
        ok(kind, doc, f"the {kind} sample")
        with_x = copy.deepcopy(doc)
        with_x["x-host-ref"] = {"anything": [1, 2]}
        if kind not in ("step", "report", "whatif"):  # what redress writes has no x- members
            ok(kind, with_x, f"a {kind} with an x- member")
        bad = copy.deepcopy(doc)
        bad["colour"] = "blue"
        refuses(v, kind, bad, "an unknown member")
        bad = copy.deepcopy(doc)
        bad["schema"] = f"redress.{kind}/one"
        refuses(v, kind, bad, "a malformed schema member")
    refuses(v, "policy", {**policy, "update_intervl": "PT5M"}, "a misspelt member")
    refuses(v, "policy", {**policy, "currency": 12}, "a currency that is a number")
    refuses(v, "policy", {k: x for k, x in policy.items() if k != "calendar"}, "a policy without a calendar")
    refuses(v, "policy", {**policy, "authority": [{"level": 0, "limt": "200"}]}, "a misspelt authority member")
    refuses(v, "policy", {**policy, "version": -1}, "a negative version")
    refuses(v, "policy", {**policy, "locale": "fr"}, "a locale redress does not speak")
    cited = {"case_id": "C-1", "at": "2025-01-24T07:00:00Z", "type": "precedent_cited", "reference": "C-2"}
    check(v, "event", cited, "a precedent cited by id alone")
    refuses(v, "event", {**cited, "source": "store"}, "a precedent's source without its facts")
    refuses(v, "event", {**cited, "value": "200"}, "part of a precedent's facts")
    refuses(v, "event", {**cited, "reference": ""}, "a precedent with neither facts nor a reference")
    refuses(v, "policy", {**policy, "deadlines": {"visit": "business_time"}}, "a deadline for an unknown promise kind")
    refuses(v, "policy", {**policy, "deadlines": {"callback": "eventually"}}, "an unknown deadline rule")
    refuses(v, "policy", {**policy, "messages": {"framing.extra": {"fr": "un cadeau"}}}, "a message in an unknown locale")
    refuses(v, "policy", {**policy, "contact_window": {"opens": "10:00:00", "closes": "20:00:00", "time_zon": "UTC"}},
            "a misspelt contact window member")
    category = {"id": "delivery", "labels": {"en": "Delivery", "zh-Hans": "配送", "zh-Hant": "配送"}}
    refuses(v, "policy", {**policy, "root_causes": {"categories": [{**category, "labels": {"en": "Delivery"}}]}},
            "a root-cause category without its Chinese labels")
    refuses(v, "policy", {**policy, "root_causes": {"categories": [{**category, "id": "delivery.late"}]}},
            "a root-cause id with a dot")
    refuses(v, "policy", {**policy, "root_causes": {"categories": [{**category, "id": "other"}]}},
            "a top root-cause category named other")
    refuses(v, "policy", {**policy, "root_causes": {"categories": [{**category, "children": [{"id": "late"}]}]}},
            "a child root-cause category without labels")
    refuses(v, "calendar", {**calendar, "weekmask": ["Mon", "Mon"]}, "a weekmask with a repeat")
    refuses(v, "calendar", {k: x for k, x in calendar.items() if k != "time_zone"}, "a calendar without a time zone")
    refuses(v, "event", {**event, "channel": "pigeon"}, "an unknown channel")
    refuses(v, "event", {**event, "type": "teleported"}, "an unknown event type")
    refuses(v, "event", {k: x for k, x in event.items() if k != "at"}, "an event without at")
    refuses(v, "event", {**event, "summary": "a member of another type"}, "a member of another event type")
    refuses(v, "event", {"at": "2026-02-16T10:00:00Z", "type": "emotion_observed",
                         "emotion": {"kind": "angry", "intensity": 11}}, "an intensity of 11")
    refuses(v, "event", {"at": "2026-02-16T10:00:00Z", "type": "remedy_proposed", "remedy": "R-1",
                         "kind": "cash", "value": 12.5}, "money as a JSON number")
    refuses(v, "event", {**event, "locale": "fr"}, "a contact in an unknown locale")
    refuses(v, "event", {"at": "2026-02-16T10:00:00Z", "type": "promise_made", "what": "a call", "kind": "visit"},
            "an unknown promise kind")
    refuses(v, "event", {"at": "2026-02-16T10:00:00Z", "type": "policy_moved", "policy": {"id": "p", "version": "2"}},
            "a policy move without the policy's hash")
    refuses(v, "event", {"at": "2026-02-16T10:00:00Z", "type": "customer_time_zone"}, "a time zone event without one")
    refuses(v, "event", {"at": "2026-02-16T10:00:00Z", "type": "calendar_changed", "text": "x"},
            "a member of another event type on calendar_changed")
    refuses(v, "scenario", {**scenario, "expect": {"texts_in": "fr"}}, "texts in an unknown locale")
    refuses(v, "scenario", {**scenario, "expect": {"stagee": "closed"}}, "a misspelt expect member")
    refuses(v, "scenario", {**scenario, "case": {**scenario["case"], "opened": "x"}}, "a misspelt case member")
    refuses(v, "step", {**step, "actions": [{"type": "reply"}]}, "a reply without text")
    refuses(v, "step", {**step, "actions": [{"type": "dance", "text": "x"}]}, "an unknown action")
    refuses(v, "step", {**step, "actions": [{"type": "reschedule_follow_up", "why": "a new calendar",
                                             "follow_up": {"id": "F-2", "kind": "promise",
                                                           "due_at": "2026-02-18T10:00:00Z"}}]},
            "a rescheduled follow-up without the one it replaces")
    refuses(v, "case", {**case, "locale": "fr"}, "a locale redress does not speak")
    refuses(v, "case", {**case, "policy": {"id": "p", "version": "1", "hash": "abc"}}, "a policy hash that is not one")
    refuses(v, "case", {**case, "stage": "forgotten"}, "an unknown stage")
    refuses(v, "case", {k: x for k, x in case.items() if k != "id"}, "a case without an id")
    refuses(v, "report", {**report, "cases": "many"}, "a count that is a string")
    refuses(v, "report", {**report, "coaching": [{"agent": "A-1"}]}, "a coaching row without its measures")
    refuses(v, "report", {**report, "giving": {"by_agent": [{"agent": "A-1", "above_loss": 3}]}},
            "a giving row whose rate is a number")

    refuses(v, "whatif", {**whatif, "remedies_changed": "one"}, "a count that is a string")
    refuses(v, "whatif", {**whatif, "examples": [{**whatif["examples"][0], "kind": "mood"}]}, "an unknown change kind")
    refuses(v, "whatif", {k: x for k, x in whatif.items() if k != "failed"}, "a summary without its failures")

    if FAILURES:
        for f in FAILURES:
            print("FAIL " + f, file=sys.stderr)
        sys.exit(1)
    print("schemas: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + " valid; every sample refused")


if __name__ == "__main__":
    main()
