"""redress from Python: service recovery rules over the C API.

A pure-Python package (ctypes, nothing to compile) over libredress-c. Handles
are classes that free their C object on close(), at the end of a with-block,
or when collected; every failure raises RedressError carrying the C API's
error code and the library's message. Instants are given as RFC 3339 strings
or timezone-aware datetimes and come back as UTC datetimes; dates as
"YYYY-MM-DD" or datetime.date; JSON crosses as dicts and lists.

    import redress

    policy = redress.Policy.load("examples/policies/electronics-retailer.json")
    with redress.Case.open("C-1", "U-1", "CNY", "2025-01-24T15:00:00+08:00") as case:
        step = case.apply({"at": "2025-01-24T15:00:00+08:00", "type": "contact_received",
                           "channel": "phone", "text": "The TV has no picture"}, policy)
        for action in step.actions:
            print(action["type"])

See docs/python.md.
"""

import ctypes
import datetime as _dt
import enum
import json
import os
import threading

from ._native import FIRED_CB, PRIOR_SPEND_CB, Buf, LintOptions, PolicyImpl, Precedent, SqliteOptions, lib

__all__ = [
    "Calendar",
    "Case",
    "ErrorCode",
    "Fired",
    "Policy",
    "RedressError",
    "Scheduler",
    "PostgresStore",
    "SqliteStore",
    "Store",
    "Step",
    "lint",
    "report",
    "version",
    "whatif",
    "whatif_store",
]

_TIME_SIZE = 40


class ErrorCode(enum.IntEnum):
    """The C API's error codes (redress_error_code): C++ errc values, negated."""

    INVALID_ARGUMENT = -1
    CURRENCY_MISMATCH = -2
    AMOUNT_OVERFLOW = -3
    UNKNOWN_CURRENCY = -4
    INVALID_AMOUNT = -5
    INVALID_CONTACT = -6
    UNKNOWN_TIME_ZONE = -7
    INVALID_CALENDAR = -8
    OUT_OF_RANGE = -9
    INVALID_JSON = -10
    INTERNAL = -11
    INVALID_UTF8 = -12
    TEXT_TOO_LONG = -13
    INVALID_EVENT = -14
    POLICY_FAILED = -15
    STORAGE_FAILED = -16
    CORRUPT_STORE = -17
    SCHEMA_TOO_NEW = -18
    STORE_CONFLICT = -19
    USER = -100
    NOT_SUPPORTED = -101


class RedressError(Exception):
    """A failure reported by redress.

    `code` is an ErrorCode (or the raw int for a code this package does not
    know), `name` its stable name ("invalid_json"), `message` the library's
    explanation naming the field ("events[0].at: missing").
    """

    def __init__(self, code, message):
        try:
            code = ErrorCode(code)
        except ValueError:
            pass
        self.code = code
        self.name = lib.redress_error_name(int(code)).decode()
        self.message = message
        super().__init__(f"{self.name}: {message}")


# The exception a host function raised in a callback on this thread, kept until
# the call that made the callback returns: C cannot carry it, so _check() adds
# its type and text to the POLICY_FAILED error the call fails with.
_host_failure = threading.local()


def _host_failed(method, exception):
    """Keeps what `method` (a policy method the host implements) raised."""
    _host_failure.method = method
    _host_failure.exception = exception


def _check(rc):
    exception = getattr(_host_failure, "exception", None)
    if exception is not None:
        method = _host_failure.method
        _host_failure.exception = None
    if rc < 0:
        message = lib.redress_error_last().decode("utf-8", "replace")
        if exception is not None and rc == ErrorCode.POLICY_FAILED:
            error = RedressError(rc, f"{message}: {method}: {type(exception).__name__}: {exception}")
            raise error from exception
        raise RedressError(rc, message)
    return rc


def _text(value, what):
    """str -> bytes for the C API (None stays None)."""
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    raise TypeError(f"{what}: expected str, got {type(value).__name__}")


def _count(value, what):
    """A count of items to claim: a whole number of at least 1. (ctypes would turn -1 into the
    largest size_t, that is every item.)"""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what}: expected int, got {type(value).__name__}")
    if value < 1 or value > 2**63 - 1:
        raise ValueError(f"{what}: must be between 1 and 2**63 - 1, got {value}")
    return value


def _json_text(value):
    """A JSON document given as text, or a value to serialise."""
    if isinstance(value, (str, bytes)):
        return _text(value, "json")
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _instant(value, what="instant"):
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"{what}: a naive datetime is ambiguous; give it a tzinfo")
        return value.isoformat().encode()
    return _text(value, what)


def _date(value, what="date"):
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value.isoformat().encode()
    return _text(value, what)


def _parse_instant(raw):
    return _dt.datetime.fromisoformat(raw.decode().replace("Z", "+00:00"))


def _take(buf):
    """The text in a redress_buf, then disposes of it."""
    try:
        return ctypes.string_at(buf.ptr, buf.size).decode("utf-8") if buf.ptr else ""
    finally:
        lib.redress_buf_dispose(ctypes.byref(buf))


def _call_text(fn, *args):
    """Calls a function whose first argument is a redress_buf; returns the text."""
    buf = Buf()
    _check(fn(ctypes.byref(buf), *args))
    return _take(buf)


def _call_json(fn, *args):
    return json.loads(_call_text(fn, *args))


def _call_time(fn, *args):
    out = ctypes.create_string_buffer(_TIME_SIZE)
    _check(fn(out, _TIME_SIZE, *args))
    return out.value


def _call_int(fn, *args):
    out = ctypes.c_int()
    _check(fn(ctypes.byref(out), *args))
    return out.value


def version():
    """The library's version as (major, minor, patch)."""
    major, minor, patch = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    lib.redress_version(ctypes.byref(major), ctypes.byref(minor), ctypes.byref(patch))
    return (major.value, minor.value, patch.value)


class _Handle:
    """An owned C object: closed by close(), a with-block, or collection."""

    _free = None
    _ptr = None

    def __init__(self, ptr):
        self._ptr = ptr

    @classmethod
    def _create(cls, fn, *args):
        ptr = ctypes.c_void_p()
        _check(fn(ctypes.byref(ptr), *args))
        return cls(ptr)

    @property
    def _as_parameter_(self):
        # A closed handle passes NULL, which every C function refuses with
        # REDRESS_EINVALID_ARGUMENT.
        return self._ptr

    def _get(self, getter):
        """A borrowed string from a C getter; ValueError once closed."""
        if not self._ptr:
            raise ValueError(f"{type(self).__name__} is closed")
        return getter(self._ptr).decode()

    def close(self):
        """Frees the C object; using the handle afterwards raises ValueError."""
        ptr, self._ptr = self._ptr, None
        if ptr:
            type(self)._free(ptr)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


class Policy(_Handle):
    """The host's rules, read from a policy document (docs/policy.md)."""

    _free = lib.redress_policy_free
    _lint = None

    @classmethod
    def parse(cls, document):
        """A policy from a document (JSON text or a dict) whose "calendar" is the
        calendar itself or the name of a bundled calendar ("cn", "de", "us-ny")."""
        text = _json_text(document)
        policy = cls._create(lib.redress_policy_parse, text, len(text))
        policy._lint = json.loads(text).get("lint")  # what lint(policy=this) uses
        return policy

    @classmethod
    def load(cls, path, data_dir=None):
        """A policy from a file. A "calendar" given as a name ("cn") is read from
        DATA_DIR/calendars/NAME.json (data_dir, else $REDRESS_DATA_DIR); one ending
        in .json is a path relative to the policy file."""
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        calendar = document.get("calendar")
        if isinstance(calendar, str):
            if calendar.endswith(".json"):
                calendar_path = os.path.join(os.path.dirname(path), calendar)
            else:
                data_dir = data_dir or os.environ.get("REDRESS_DATA_DIR")
                if not data_dir:
                    raise ValueError(f"{path}: calendar {calendar!r} needs data_dir or $REDRESS_DATA_DIR")
                calendar_path = os.path.join(data_dir, "calendars", calendar + ".json")
            with open(calendar_path, encoding="utf-8") as f:
                document["calendar"] = json.load(f)
        return cls.parse(document)

    @property
    def currency(self):
        """The policy's ISO 4217 currency code."""
        return self._get(lib.redress_policy_currency)

    @property
    def identity(self):
        """{"id", "version", "hash"}: the document's id and version and the content
        hash the library computed (docs/policy.md, "Versions and pinning")."""
        return _call_json(lib.redress_policy_identity, self)

    # The members of the answer with_prior_spend() reads, and their flags.
    _SPEND = (("incident_group_minor", "has_incident_group"),
              ("customer_in_period_minor", "has_customer_in_period"),
              ("customer_remedies_in_period", "has_customer_remedies_in_period"))

    def with_prior_spend(self, prior_spend):
        """A new policy answering as this one, except that the remedies granted
        outside a case come from `prior_spend(case)`: `case` is the case as a
        dict (Case.to_dict()), the answer a dict with any of
        "incident_group_minor" and "customer_in_period_minor" (value in minor
        units of the policy's currency) and "customer_remedies_in_period" (how
        many remedies the customer was granted in the policy's cap period,
        for its customer_cap_count); a member left out is not known. An
        exception, or an answer that does not fit, fails the event with
        POLICY_FAILED; the RedressError raised then ends with the exception's
        type and text ("...: prior_spend: KeyError: 'U-1'") and has it as its
        __cause__. This policy may be closed afterwards."""
        keys = {key for key, _ in self._SPEND}

        def answer(out, _impl, case_ptr):
            try:
                got = prior_spend(_call_json(lib.redress_case_json, case_ptr))
                unknown = set(got) - keys
                if unknown:
                    raise ValueError(f"unknown member {sorted(unknown)[0]!r}")
                for key, flag in self._SPEND:
                    if got.get(key) is not None:
                        setattr(out.contents, key, int(got[key]))
                        setattr(out.contents, flag, 1)
                return 0
            except Exception as exception:  # noqa: BLE001 - nothing may unwind through C
                _host_failed("prior_spend", exception)
                return -1

        impl = PolicyImpl()
        _check(lib.redress_policy_init(ctypes.byref(impl), 2))
        callback = PRIOR_SPEND_CB(answer)
        impl.prior_spend = callback
        policy = Policy._create(lib.redress_policy_new, ctypes.byref(impl), self)
        policy._callback = callback  # the C policy calls it while it lives
        policy._lint = self._lint
        return policy


class Step:
    """What one event produced: actions for the host, findings, why, and the
    ranked remedy suggestions while a need is unmet (dicts with rank, kind,
    order, value, approval_level, framing, why)."""

    def __init__(self, data):
        self.actions = data["actions"]
        self.findings = data["findings"]
        self.trace = data["trace"]
        self.suggestions = data.get("suggestions", [])

    def __repr__(self):
        kinds = [a["type"] for a in self.actions]
        return f"Step(actions={kinds}, findings={[f['code'] for f in self.findings]})"


def _journal(events):
    return _json_text(list(events) if not isinstance(events, (str, bytes)) else events)


class Case(_Handle):
    """One case. apply() moves it on; a failed apply() leaves it unchanged."""

    _free = lib.redress_case_free

    @classmethod
    def open(cls, case_id, customer, currency, opened_at):
        """A new case."""
        return cls._create(lib.redress_case_open, _text(case_id, "case_id"), _text(customer, "customer"),
                           _text(currency, "currency"), _instant(opened_at, "opened_at"))

    @classmethod
    def restore(cls, initial, policy, events):
        """`initial` with its journal (a list of event dicts, or JSON text) replayed under `policy`."""
        text = _journal(events)
        return cls._create(lib.redress_case_restore, initial, policy, text, len(text))

    def copy(self):
        """An independent copy."""
        return Case._create(lib.redress_case_copy, self)

    def apply(self, event, policy, now=None):
        """Folds one event (a dict or JSON text) into the case, processed at `now`
        (default: the event's "at"), and returns the Step."""
        if now is None:
            try:
                doc = event if isinstance(event, dict) else json.loads(event)
            except ValueError:
                doc = None  # malformed: the C API says where
            if isinstance(doc, dict) and "at" not in doc:
                raise RedressError(ErrorCode.INVALID_JSON, 'event.at: missing (or pass now=)')
            # Any instant will do for an event the C API refuses before it needs one.
            now = doc["at"] if isinstance(doc, dict) else "2000-01-01T00:00:00Z"
        text = _json_text(event)
        return Step(_call_json(lib.redress_case_apply, self, policy, text, len(text), _instant(now, "now")))

    def to_dict(self):
        """Everything the case holds (docs/engine.md)."""
        return _call_json(lib.redress_case_json, self)

    id = property(lambda self: self._get(lib.redress_case_id), doc="The case id.")
    customer = property(lambda self: self._get(lib.redress_case_customer), doc="The customer id.")
    currency = property(lambda self: self._get(lib.redress_case_currency), doc="The ISO 4217 code.")
    stage = property(lambda self: self._get(lib.redress_case_stage), doc='"apologise" ... "closed".')
    priority = property(lambda self: self._get(lib.redress_case_priority), doc='"normal" ... "emergency".')

    def __repr__(self):
        return f"Case({self.id!r}, stage={self.stage!r})" if self._ptr else "Case(closed)"


def whatif(initial, events, old_policy, new_policy):
    """What `new_policy` would have decided differently from `old_policy` on a
    case's journal (a list of event dicts, or JSON text) replayed from `initial`:
    a dict with "changed", "changes" (findings, remedies, deadlines,
    escalations), "skipped" (events that no longer apply) and each side's
    outcome under "before" and "after" (docs/policy.md, "What-if")."""
    text = _journal(events)
    return _call_json(lib.redress_whatif, initial, old_policy, new_policy, text, len(text))


def whatif_store(store, new_policy, fallback, since=None, format="json", language=None, examples=10):
    """What `new_policy` would have changed in the cases of `store` opened on or
    after `since` (a date or "YYYY-MM-DD", UTC; None: every case), each replayed
    under the policy version the store pinned it to (`fallback` for a case
    without one): with format="json" the summary `redress whatif --json` prints
    as a dict (counts of cases, remedies, escalations, findings and deadlines
    that change, the remedy value before and after, up to `examples`
    examples, the cases not compared); with format="html" the page in the
    report's style, in `language` ("en" or "zh"). docs/policy.md, "What-if"."""
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 0:
        raise ValueError(f"examples: expected a whole number of at least 0, got {examples!r}")
    day = None if since is None else _date(since, "since")
    lang = None if language is None else _text(language, "language")
    text = _call_text(lib.redress_whatif_store, _text(format, "format"), lang, store, new_policy, fallback, day,
                      examples)
    return json.loads(text) if format == "json" else text


def report(policy, cases=None, store=None, format="json", language=None):
    """The patterns over cases (docs/analytics.md): with format="json" the
    summary as a dict, with format="html" the report page as text (language
    "en" or "zh"). From `cases`, a list of {"case": {"id", "customer",
    "currency", "opened_at"}, "events": [...]} replayed under `policy`, or
    from every case of `store`, each under the policy version it was pinned
    to (`policy` for a case without one)."""
    if (cases is None) == (store is None):
        raise ValueError("report over cases= or store=, one of them")
    fmt = _text(format, "format")
    lang = None if language is None else _text(language, "language")
    if store is not None:
        text = _call_text(lib.redress_report_store, fmt, lang, store, policy)
    else:
        data = _json_text(list(cases) if not isinstance(cases, (str, bytes)) else cases)
        text = _call_text(lib.redress_report_journals, fmt, lang, policy, data, len(data))
    return json.loads(text) if format == "json" else text


def lint(text, language=None, authority=None, policy=None):
    """Lints a reply or apology and returns the report as a dict (docs/lint.md).

    language: "auto" (default), "en", "zh-Hans", "zh-Hant".
    authority: what the agent may grant alone, as (minor_units, "CNY").
    policy: lint settings, as a dict or JSON text; or a whole policy (a Policy,
    or a policy document: one with a "calendar"), whose "lint" settings are used.
    """
    if isinstance(policy, Policy):
        policy = policy._lint if policy._lint is not None else {}
    elif isinstance(policy, dict) and "calendar" in policy:
        policy = policy.get("lint", {})
    opts = LintOptions()
    _check(lib.redress_lint_options_init(ctypes.byref(opts), 1))
    opts.language = _text(language, "language")
    if authority is not None:
        opts.authority_minor, currency = authority
        opts.authority_currency = _text(currency, "currency")
    opts.policy_json = None if policy is None else _json_text(policy)
    data = _text(text, "text")
    return _call_json(lib.redress_lint, data, len(data), ctypes.byref(opts))


class Calendar(_Handle):
    """A business calendar (docs/calendar.md): working days and service hours."""

    _free = lib.redress_calendar_free

    @classmethod
    def parse(cls, document):
        """A calendar from a document (JSON text or a dict)."""
        text = _json_text(document)
        return cls._create(lib.redress_calendar_parse, text, len(text))

    @classmethod
    def load(cls, path):
        """A calendar from a file, e.g. data/calendars/cn.json."""
        with open(path, "rb") as f:
            return cls.parse(f.read())

    def is_working_day(self, date):
        return _call_int(lib.redress_calendar_is_working_day, self, _date(date)) == 1

    def add_working_days(self, date, n):
        """The date n working days after `date` (before, for negative n)."""
        raw = _call_time(lib.redress_calendar_add_working_days, self, _date(date), n)
        return _dt.date.fromisoformat(raw.decode())

    def working_days_between(self, start, end):
        """The number of working days d with start < d <= end; negated when end is before start.

        When end is a working day after start, add_working_days(start, result) == end.
        """
        return _call_int(lib.redress_calendar_working_days_between, self, _date(start, "start"), _date(end, "end"))

    def is_open(self, at):
        return _call_int(lib.redress_calendar_is_open, self, _instant(at, "at")) == 1

    def next_opening(self, at):
        return _parse_instant(_call_time(lib.redress_calendar_next_opening, self, _instant(at, "at")))

    def add_working_time(self, start, duration):
        """The instant `duration` (a timedelta or seconds) of service hours after `start`."""
        seconds = duration.total_seconds() if isinstance(duration, _dt.timedelta) else duration
        return _parse_instant(_call_time(lib.redress_calendar_add_working_time, self, _instant(start, "start"),
                                         int(seconds)))

    def due_after_working_days(self, start, n):
        """When a promise made at `start` to act within n working days is due."""
        return _parse_instant(_call_time(lib.redress_calendar_due_after_working_days, self,
                                         _instant(start, "start"), n))


class Fired:
    """A follow-up the scheduler fired: its (now stale) handle, key and due instant."""

    __slots__ = ("handle", "key", "due_at")

    def __init__(self, handle, key, due_at):
        self.handle, self.key, self.due_at = handle, key, due_at

    def __repr__(self):
        return f"Fired(key={self.key}, due_at={self.due_at.isoformat()})"


class Scheduler(_Handle):
    """The in-memory follow-up scheduler (docs/scheduler.md). One thread at a time."""

    _free = lib.redress_scheduler_free

    def __init__(self, start):
        ptr = ctypes.c_void_p()
        _check(lib.redress_scheduler_new(ctypes.byref(ptr), _instant(start, "start")))
        super().__init__(ptr)

    def schedule(self, due_at, key):
        """Schedules the integer `key` at `due_at`; returns a handle for cancel()/reschedule()."""
        handle = ctypes.c_uint64()
        _check(lib.redress_scheduler_schedule(ctypes.byref(handle), self, _instant(due_at, "due_at"), key))
        return handle.value

    def cancel(self, handle):
        """True if the follow-up was pending."""
        return _call_int(lib.redress_scheduler_cancel, self, handle) == 1

    def reschedule(self, handle, due_at):
        _check(lib.redress_scheduler_reschedule(self, handle, _instant(due_at, "due_at")))

    def advance(self, now):
        """Moves time to `now`; returns the follow-ups that fired, in due order."""
        fired = []

        def on_fired(handle, key, due_at, _payload):
            fired.append(Fired(handle, key, _parse_instant(due_at)))
            return 0

        _check(lib.redress_scheduler_advance(None, self, _instant(now, "now"), FIRED_CB(on_fired), None))
        return fired

    def __len__(self):
        return lib.redress_scheduler_size(self)


class Store(_Handle):
    """A journal and follow-up store (docs/stores.md): SqliteStore or PostgresStore."""

    _free = lib.redress_store_free

    def append(self, case, events, expected_last_seq):
        """Appends `events` to the journal of `case` (the case after them); returns the new last sequence number."""
        text = _journal(events)
        seq = ctypes.c_uint64()
        _check(lib.redress_store_append(ctypes.byref(seq), self, case, text, len(text), expected_last_seq))
        return seq.value

    def restore(self, case_id, policy):
        """The case as its stored journal leaves it, or None for a case never stored."""
        ptr = ctypes.c_void_p()
        _check(lib.redress_store_restore(ctypes.byref(ptr), self, _text(case_id, "case_id"), policy))
        return Case(ptr) if ptr.value else None

    def events(self, case_id):
        return _call_json(lib.redress_store_events, self, _text(case_id, "case_id"))

    def last_seq(self, case_id):
        seq = ctypes.c_uint64()
        _check(lib.redress_store_last_seq(ctypes.byref(seq), self, _text(case_id, "case_id")))
        return seq.value

    def cases(self, open_only=False):
        return _call_json(lib.redress_store_cases, self, 1 if open_only else 0)

    def persist_follow_up(self, case_id, follow_up):
        """Keeps a follow-up ({"id", "kind", "due_at"}, as a schedule_follow_up action carries)."""
        text = _json_text(follow_up)
        _check(lib.redress_store_persist_follow_up(self, _text(case_id, "case_id"), text, len(text)))

    def cancel_follow_up(self, follow_up_id):
        return _call_int(lib.redress_store_cancel_follow_up, self, _text(follow_up_id, "id")) == 1

    def claim_due(self, now, max_count, claimer, lease_seconds):
        return _call_json(lib.redress_store_claim_due, self, _instant(now, "now"), _count(max_count, "max_count"),
                          _text(claimer, "claimer"), int(lease_seconds))

    def complete_follow_up(self, follow_up_id, claimer):
        return _call_int(lib.redress_store_complete_follow_up, self, _text(follow_up_id, "id"),
                         _text(claimer, "claimer")) == 1

    def commit(self, case, event, policy, expected_last_seq, event_id=None, now=None):
        """Applies `event` to `case` and commits the step in one transaction (the event, the case's
        state, its follow-ups, its actions in the outbox). Returns {"seq", "action_ids", "replayed",
        "step"}; `case` becomes the next case unless the case already held `event_id` ("replayed")."""
        if now is None:
            now = event["at"] if isinstance(event, dict) else json.loads(event)["at"]
        text = _json_text(event)
        eid = None if event_id is None else _text(event_id, "event_id")
        return _call_json(lib.redress_store_commit, self, case, policy, text, len(text), _instant(now, "now"),
                          expected_last_seq, eid)

    def claim_actions(self, now, max_count, claimer, lease_seconds):
        """Claims undelivered outbox actions: [{"id", "case_id", "seq", "n", "action", "lease_until"}].
        One not acknowledged before its lease ends is claimed again (at least once; same id)."""
        return _call_json(lib.redress_store_claim_actions, self, _instant(now, "now"),
                          _count(max_count, "max_count"),
                          _text(claimer, "claimer"), int(lease_seconds))

    def acknowledge(self, action_id):
        """Marks an outbox action carried out; True the first time."""
        return _call_int(lib.redress_store_acknowledge, self, _text(action_id, "action_id")) == 1

    def find_open_cases(self, kind, value):
        """The open cases a contact point ("phone", "email" or "account") is on:
        {"cases", "customers", "attach_to"}; "attach_to" is None when there is none
        or they belong to several customers (nothing is guessed). docs/privacy.md."""
        return _call_json(lib.redress_store_find_open_cases, self, _text(kind, "kind"), _text(value, "value"))

    def erase(self, customer_id):
        """Erases a customer's personal data; their cases stay (docs/privacy.md):
        {"cases", "events_rewritten", "index_entries", "key_deleted"}."""
        return _call_json(lib.redress_store_erase, self, _text(customer_id, "customer_id"))

    def notify_fixed(self, policy, cause, note, by=None, fixed_at=None, now=None):
        """Root cause `cause` (a category of the policy's taxonomy) was fixed: keeps the fix and one
        notice per customer whose cases had it (docs/analytics.md, "Root cause fixed"). Returns
        {"fix", "cases", "open_cases", "notices"}: "notices" are those not yet delivered; send each
        ("text" at "send_at") and mark it with deliver_fix_notice(). `fixed_at` defaults to `now`,
        `now` to the current time."""
        if now is None:
            now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
        if fixed_at is None:
            fixed_at = now
        return _call_json(lib.redress_store_notify_fixed, self, policy, _text(cause, "cause"), _text(note, "note"),
                          _text(by, "by"), _instant(fixed_at, "fixed_at"), _instant(now, "now"))

    def deliver_fix_notice(self, notice_id):
        """Marks a fix notice delivered (the customer was told); True the first time."""
        return _call_int(lib.redress_store_deliver_fix_notice, self, _text(notice_id, "notice_id")) == 1

    def fixes(self):
        """Every root-cause fix kept: [{"id", "category", "note", "fixed_at", "fixed_by", "customers", "told"}]."""
        return _call_json(lib.redress_store_fixes, self)

    def claim_fix_notices(self, now, max_count, claimer, lease_seconds, fix_id=0):
        """Claims undelivered fix notices of fix `fix_id` (0: of every fix) for `claimer`:
        [{"id", "fix_id", "type", "customer", "case_id", "cases", "locale", "text", "send_at",
        "lease_until"}]. Another claimer gets none of them until the lease ends; one not marked
        with deliver_fix_notice() by then is claimed again (at least once; same id)."""
        return _call_json(lib.redress_store_claim_fix_notices, self, int(fix_id), _instant(now, "now"),
                          _count(max_count, "max_count"), _text(claimer, "claimer"), int(lease_seconds))

    def find_precedent(self, policy, citing, reference, as_of):
        """What the store's journals show for `reference` (a case id or an order id) cited on case
        `citing` at `as_of` (include/redress/journal_precedent.hpp): None when the store cannot find
        it, else {"kind", "value": {"minor", "currency"}, "loss": {"kind", "minor"}}, in the citing
        case's currency. Cases pinned to a policy version replay under it, the others under `policy`."""
        found = Precedent()
        found.version = 1
        _check(lib.redress_store_find_precedent(ctypes.byref(found), self, policy, citing,
                                                _text(reference, "reference"), _instant(as_of, "as_of")))
        if not found.found:
            return None
        currency = found.currency.decode()
        return {"kind": found.kind.decode(),
                "value": {"minor": found.value_minor, "currency": currency},
                "loss": {"kind": found.loss_kind.decode(), "minor": found.loss_minor}}


class SqliteStore(Store):
    """The store in one SQLite file, created if missing (unless told not to).
    Its personal data is sealed with a master key (docs/privacy.md): a file
    (master_key_file) or an environment variable (master_key_env) holding 64
    hex digits, by default $REDRESS_MASTER_KEY; insecure_plaintext=True keeps
    it in clear text instead."""

    def __init__(self, path, busy_timeout_ms=5000, create_if_missing=True, master_key_file=None,
                 master_key_env=None, insecure_plaintext=False):
        opts = SqliteOptions()
        _check(lib.redress_sqlite_options_init(ctypes.byref(opts), 2))
        opts.busy_timeout_ms = busy_timeout_ms
        opts.create_if_missing = 1 if create_if_missing else 0
        if master_key_file is not None:
            opts.master_key_file = _text(os.fspath(master_key_file), "master_key_file")
        if master_key_env is not None:
            opts.master_key_env = _text(master_key_env, "master_key_env")
        opts.insecure_plaintext = 1 if insecure_plaintext else 0
        ptr = ctypes.c_void_p()
        _check(lib.redress_store_open_sqlite(ctypes.byref(ptr), _text(os.fspath(path), "path"), ctypes.byref(opts)))
        super().__init__(ptr)


class PostgresStore(Store):
    """The store in a PostgreSQL database (libpq conninfo), its personal data
    sealed with the master key in the environment variable REDRESS_MASTER_KEY
    (refused without it); raises RedressError NOT_SUPPORTED when the library
    was built without it."""

    def __init__(self, conninfo):
        ptr = ctypes.c_void_p()
        _check(lib.redress_store_open_postgres(ctypes.byref(ptr), _text(conninfo, "conninfo")))
        super().__init__(ptr)
