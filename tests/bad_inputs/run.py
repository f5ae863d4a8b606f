#!/usr/bin/env python3
"""The bad-input catalogue: every row of cases.tsv is one bad input to one
surface of redress, with the answer it must get.

usage: run.py REDRESS_BINARY DATA_DIR [LIBREDRESS_C]

Columns of cases.tsv (tab-separated; # starts a comment line):
  id        a unique name
  surface   event     a JSON line for `redress run` (all event rows go through
                      one process, after one good line that opens case C-OK)
            cli       arguments of the redress binary (shell words), with
                      {dir} a directory, {store} a fresh SQLite store path,
                      {data} the data directory, {missing} a missing file,
                      {big} a 5 MiB file, {tmp} a scratch directory
            policy    edits (a JSON list of ["set", PATH, VALUE] / ["del", PATH]
                      / ["dup", PATH] / ["raw", TEXT]) of the bundled
                      coupon-marketplace policy, read by `redress run --policy`
            calendar  edits of the bundled calendar cn.json, read by
                      `redress calendar is-working --calendar`
            scenario  edits of examples/scenarios/tv-three-calls.json, read by
                      `redress replay`
            capi      a Python expression over the ctypes package (`r`), or
                      skipped when the C library is not given
  expect    event: "reject"; cli/policy/calendar/scenario: the exit status;
            capi: the error code's name (invalid_json, ...)
  names     text the message must contain: the field (or option) at fault
  note      why; "xfail: <reason>" marks a known bug outside the catalogue's
            reach: the row must still fail that way (an xfail that passes is
            reported, so it is removed once fixed)

Every case also checks that nothing was half-written: a store the command
was given holds only what the good lines put there.
"""
import copy
import json
import os
import pathlib
import re
import shlex
import sqlite3
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def load_rows():
    rows = []
    for n, line in enumerate((HERE / "cases.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 6:
            sys.exit(f"cases.tsv:{n}: {len(cols)} columns, want 6")
        rows.append(dict(zip(["id", "surface", "input", "expect", "names", "note"], cols), line=n))
    ids = [r["id"] for r in rows]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        sys.exit(f"cases.tsv: ids used twice: {sorted(dup)}")
    return rows


# --- edits of JSON documents ---------------------------------------------------

def split_path(path):
    parts = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return parts


def edit(doc, ops):
    """Applies the edits; returns the document's text."""
    doc = copy.deepcopy(doc)
    dups = []
    for op in ops:
        kind, path = op[0], op[1]
        if kind == "raw":
            return path
        parts = split_path(path)
        parent = doc
        for p in parts[:-1]:
            parent = parent[p]
        if kind == "set":
            parent[parts[-1]] = op[2]
        elif kind == "del":
            del parent[parts[-1]]
        elif kind == "dup":
            dups.append((parts, op[2]))
    text = json.dumps(doc, ensure_ascii=False)
    for parts, value in dups:
        # A second member of the same name, written right after the object's "{".
        key = parts[-1]
        parent = doc
        for p in parts[:-1]:
            parent = parent[p]
        marker = json.dumps(parent, ensure_ascii=False)
        dup_text = "{" + json.dumps(key) + ": " + json.dumps(value, ensure_ascii=False) + ", " + marker[1:]
        text = text.replace(marker, dup_text, 1)
    return text


# --- running -----------------------------------------------------------------

class Runner:
    def __init__(self, binary, data, lib):
        self.binary, self.data, self.lib = binary, data, lib
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="redress-bad-inputs-"))
        (self.tmp / "adir").mkdir()
        (self.tmp / "big.json").write_bytes(b" " * (5 << 20) + b"{}")  # over every file limit
        self.policy = json.loads((ROOT / "examples/policies/coupon-marketplace.json").read_text(encoding="utf-8"))
        self.calendar = json.loads((ROOT / "data/calendars/cn.json").read_text(encoding="utf-8"))
        self.scenario = json.loads((ROOT / "examples/scenarios/tv-three-calls.json").read_text(encoding="utf-8"))
        self.scenario["policy"] = str(ROOT / "examples/policies/electronics-retailer.json")
        self.n = 0

    def fresh(self, suffix):
        self.n += 1
        return self.tmp / f"{self.n}{suffix}"

    def run(self, args, stdin=b""):
        env = dict(os.environ, REDRESS_DATA_DIR=self.data)
        env.pop("REDRESS_ALLOW_CALENDAR_PATH", None)
        p = subprocess.run([self.binary] + args, input=stdin, capture_output=True, env=env, timeout=60)
        return p.returncode, p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")

    def store_events(self, path):
        if not path.exists():
            return 0
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return db.execute("SELECT count(*) FROM events").fetchone()[0]

    def check_exit(self, row, code, out, store=None):
        want = int(row["expect"])
        problems = []
        if code != want:
            problems.append(f"exit {code}, want {want}")
        if row["names"] not in out:
            problems.append(f"the message does not name {row['names']!r}")
        if code in (-6, 70, 134) or "internal error" in out:
            problems.append("crashed")
        if store is not None and self.store_events(store) != 0:
            problems.append("the store holds events")
        return problems, out

    def cli(self, row):
        store = self.fresh(".db")
        words = shlex.split(row["input"])
        subst = {"{dir}": str(self.tmp / "adir"), "{store}": str(store), "{data}": self.data,
                 "{missing}": str(self.tmp / "no-such-file.json"), "{big}": str(self.tmp / "big.json"),
                 "{tmp}": str(self.tmp)}
        args = []
        for w in words:
            for k, v in subst.items():
                w = w.replace(k, v)
            args.append(w)
        stdin = b""
        if "--stdin-dir" in args:
            args.remove("--stdin-dir")
            fd = os.open(self.tmp / "adir", os.O_RDONLY)
            env = dict(os.environ, REDRESS_DATA_DIR=self.data)
            p = subprocess.run([self.binary] + args, stdin=fd, capture_output=True, env=env, timeout=60)
            os.close(fd)
            return self.check_exit(row, p.returncode, p.stdout.decode() + p.stderr.decode(), store)
        if "--stdout-full" in args:
            args.remove("--stdout-full")
            with open("/dev/full", "wb") as full:
                env = dict(os.environ, REDRESS_DATA_DIR=self.data)
                line = b'{"case_id":"C-1","customer":"U-1","at":"2026-02-16T10:00:00+08:00","type":"contact_received","channel":"app","text":"hi"}\n'
                p = subprocess.run([self.binary] + args, input=line, stdout=full, stderr=subprocess.PIPE,
                                   env=env, timeout=60)
            return self.check_exit(row, p.returncode, p.stderr.decode())
        code, out = self.run(args, stdin)
        return self.check_exit(row, code, out, store)

    def policy_case(self, row):
        path = self.fresh(".json")
        path.write_text(edit(self.policy, json.loads(row["input"])), encoding="utf-8")
        store = self.fresh(".db")
        code, out = self.run(["run", "--store", f"sqlite:{store}", "--policy", str(path), "--clock", "input",
                              "--quiet"])
        problems, out = self.check_exit(row, code, out)
        if store.exists():
            problems.append("the store was created although the policy was refused")
        return problems, out

    def calendar_case(self, row):
        path = self.fresh(".json")
        path.write_text(edit(self.calendar, json.loads(row["input"])), encoding="utf-8")
        code, out = self.run(["calendar", "is-working", "--calendar", str(path), "2026-01-05"])
        return self.check_exit(row, code, out)

    def scenario_case(self, row):
        path = self.fresh(".json")
        path.write_text(edit(self.scenario, json.loads(row["input"])), encoding="utf-8")
        code, out = self.run(["replay", str(path)])
        return self.check_exit(row, code, out)

    def capi_case(self, row):
        if not self.lib:
            return None, "skipped: no C library"
        prog = ("import json, sys\nimport redress as r\n"
                "try:\n"
                f"    {row['input']}\n"
                "    print('ACCEPTED')\n"
                "except r.RedressError as e:\n"
                "    print(e.code.name if hasattr(e.code, 'name') else e.code, str(e))\n"
                "except (TypeError, ValueError) as e:\n"
                "    print('python_error', type(e).__name__, e)\n")
        env = dict(os.environ, REDRESS_LIBRARY=self.lib, PYTHONPATH=str(ROOT / "bindings/python"))
        # A sanitized library in a plain interpreter: its runtimes must be
        # loaded first, and the interpreter's own leaks are not ours.
        preload = os.environ.get("REDRESS_SANITIZER_PRELOAD")
        if preload:
            env.update(LD_PRELOAD=preload, ASAN_OPTIONS="detect_leaks=0")
        p = subprocess.run([sys.executable, "-c", prog], capture_output=True, env=env, timeout=60,
                           cwd=str(ROOT))
        out = p.stdout.decode() + p.stderr.decode()
        problems = []
        if p.returncode != 0:
            problems.append(f"python exited {p.returncode}")
        want = row["expect"]
        first = out.split(" ", 1)[0].strip().lower()
        if first != want.lower() and not (want == "python_error" and out.startswith("python_error")):
            problems.append(f"answered {out.strip()[:80]!r}, want {want}")
        if row["names"] not in out:
            problems.append(f"the message does not name {row['names']!r}")
        return problems, out

    def events(self, rows):
        """All event rows through one `redress run`: line 1 opens C-OK, line i+2 is rows[i]."""
        store = self.fresh(".db")
        opener = {"case_id": "C-OK", "customer": "U-1", "at": "2026-02-16T10:00:00+08:00",
                  "type": "contact_received", "channel": "app", "text": "hello"}
        lines = [json.dumps(opener)] + [r["input"] for r in rows]
        env = dict(os.environ, REDRESS_DATA_DIR=self.data)
        p = subprocess.run([self.binary, "run", "--store", f"sqlite:{store}", "--clock", "input", "--quiet"],
                           input=("\n".join(lines) + "\n").encode(), capture_output=True, env=env, timeout=300)
        rejected, steps = {}, 0
        for out in p.stdout.decode("utf-8", "replace").splitlines():
            try:
                o = json.loads(out)
            except ValueError:
                continue
            if isinstance(o, dict) and "line" in o:
                rejected[o["line"]] = o.get("detail", "")
            elif isinstance(o, dict) and "seq" in o:
                steps += 1
        # A line that got no rejection was applied.
        results = {}
        for i, r in enumerate(rows):
            if i + 2 in rejected:
                results[r["id"]] = ("reject", rejected[i + 2])
            else:
                results[r["id"]] = ("accept", "")
        stored = self.store_events(store)
        stderr = p.stderr.decode("utf-8", "replace")
        crashed = p.returncode not in (0, 1) or "internal error" in stderr
        return results, stored, steps, crashed, stderr


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runner = Runner(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    rows = load_rows()
    failures, xpass, xfail, skipped, passed = [], [], [], 0, 0

    def record(row, problems, out):
        nonlocal passed, skipped
        if problems is None:
            skipped += 1
            return
        expected_bug = row["note"].startswith("xfail:")
        if problems and expected_bug:
            xfail.append(row)
        elif problems:
            failures.append((row, problems, out))
        elif expected_bug:
            xpass.append(row)
        else:
            passed += 1

    # Event rows share one process; a known bug (xfail) may stop a process,
    # so each of those runs in its own.
    event_rows = [r for r in rows if r["surface"] == "event"]
    batches = [[r for r in event_rows if not r["note"].startswith("xfail:")]]
    batches += [[r] for r in event_rows if r["note"].startswith("xfail:")]
    for batch in batches:
        if not batch:
            continue
        results, stored, steps, crashed, stderr = runner.events(batch)
        for r in batch:
            verdict, detail = results[r["id"]]
            problems = []
            if verdict != r["expect"]:
                problems.append(f"{verdict}ed, want {r['expect']}")
            elif r["names"] not in detail:
                problems.append(f"the detail {detail!r} does not name {r['names']!r}")
            record(r, problems, detail)
        # Nothing half-written: the store holds exactly the steps acknowledged
        # on standard output (the opener, accepted lines, timers fired).
        if crashed and len(batch) == 1 and batch[0]["note"].startswith("xfail:"):
            pass  # recorded as the row's expected failure
        elif crashed:
            failures.append(({"id": "event-run", "line": 0}, ["redress run crashed"], stderr[-2000:]))
        elif stored != steps:
            failures.append(({"id": "event-store", "line": 0},
                             [f"the store holds {stored} events, {steps} steps were acknowledged"], ""))

    handlers = {"cli": runner.cli, "policy": runner.policy_case, "calendar": runner.calendar_case,
                "scenario": runner.scenario_case, "capi": runner.capi_case}
    for r in rows:
        if r["surface"] == "event":
            continue
        if r["surface"] not in handlers:
            sys.exit(f"cases.tsv:{r['line']}: unknown surface {r['surface']}")
        problems, out = handlers[r["surface"]](r)
        record(r, problems, out)

    for row, problems, out in failures:
        print(f"FAIL {row['id']} (cases.tsv:{row['line']}): {'; '.join(problems)}\n    {out.strip()[:400]}")
    for row in xpass:
        print(f"XPASS {row['id']} (cases.tsv:{row['line']}): passes now; drop its xfail mark")
    print(f"bad inputs: {len(rows)} cases: {passed} passed, {len(xfail)} expected failures (known bugs), "
          f"{len(xpass)} unexpectedly passed, {skipped} skipped, {len(failures)} failed")
    sys.exit(1 if failures or xpass else 0)


if __name__ == "__main__":
    main()
