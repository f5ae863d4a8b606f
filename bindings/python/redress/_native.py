"""Loading libredress-c and declaring its functions for ctypes.

Internal. The library is found, in order:
1. the path in the environment variable REDRESS_LIBRARY;
2. ctypes.util.find_library("redress-c") (the loader's cache: the .deb, or
   `cmake --install` followed by ldconfig);
3. the soname libredress-c.so.0 on the loader's search path (LD_LIBRARY_PATH);
4. libredress-c.so.0 in the lib directories of the prefix in REDRESS_PREFIX,
   then of /usr/local (where `cmake --install` puts it by default, found
   even before ldconfig has run).
The first that loads wins; when none does, the error lists every place tried.
"""

import ctypes
import ctypes.util
import os

SONAME = "libredress-c.so.0"

c_int_p = ctypes.POINTER(ctypes.c_int)
c_uint64_p = ctypes.POINTER(ctypes.c_uint64)
c_size_p = ctypes.POINTER(ctypes.c_size_t)
c_handle_p = ctypes.POINTER(ctypes.c_void_p)


class Buf(ctypes.Structure):
    """redress_buf: text the library allocated."""

    _fields_ = [("ptr", ctypes.POINTER(ctypes.c_char)), ("size", ctypes.c_size_t)]


class LintOptions(ctypes.Structure):
    """redress_lint_options, version 1."""

    _fields_ = [
        ("version", ctypes.c_uint),
        ("language", ctypes.c_char_p),
        ("authority_minor", ctypes.c_int64),
        ("authority_currency", ctypes.c_char_p),
        ("policy_json", ctypes.c_char_p),
    ]


class SqliteOptions(ctypes.Structure):
    """redress_sqlite_options, version 2."""

    _fields_ = [
        ("version", ctypes.c_uint),
        ("busy_timeout_ms", ctypes.c_int64),
        ("create_if_missing", ctypes.c_int),
        ("master_key_file", ctypes.c_char_p),
        ("master_key_env", ctypes.c_char_p),
        ("insecure_plaintext", ctypes.c_int),
    ]


class Spend(ctypes.Structure):
    """redress_spend (sys/policy.h): remedies granted outside a case."""

    _fields_ = [
        ("has_incident_group", ctypes.c_int),
        ("incident_group_minor", ctypes.c_int64),
        ("has_customer_in_period", ctypes.c_int),
        ("customer_in_period_minor", ctypes.c_int64),
        ("has_customer_remedies_in_period", ctypes.c_int),
        ("customer_remedies_in_period", ctypes.c_int64),
    ]


class Precedent(ctypes.Structure):
    """redress_precedent, version 1: what the store found for a cited case or order."""

    _fields_ = [
        ("version", ctypes.c_uint),
        ("found", ctypes.c_int),
        ("kind", ctypes.c_char * 16),
        ("value_minor", ctypes.c_int64),
        ("loss_kind", ctypes.c_char * 8),
        ("loss_minor", ctypes.c_int64),
        ("currency", ctypes.c_char * 4),
    ]


# int (*prior_spend)(redress_spend *out, const redress_policy_impl *self, const redress_case *c)
PRIOR_SPEND_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(Spend), ctypes.c_void_p, ctypes.c_void_p)


class PolicyImpl(ctypes.Structure):
    """redress_policy_impl, version 2; the methods Python does not answer stay NULL."""

    _fields_ = [
        ("version", ctypes.c_uint),
        ("user_data", ctypes.c_void_p),
        ("authority", ctypes.c_void_p),
        ("scope", ctypes.c_void_p),
        ("prior_spend", PRIOR_SPEND_CB),
        ("control", ctypes.c_void_p),
        ("release", ctypes.c_void_p),
    ]


FIRED_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_char_p, ctypes.c_void_p)

BUF_P = ctypes.POINTER(Buf)
CHARS = ctypes.c_char_p
SIZE = ctypes.c_size_t
HANDLE = ctypes.c_void_p
INT = ctypes.c_int

# name: (restype, argtypes). Every fallible function returns int.
_FUNCTIONS = {
    "redress_version": (None, [c_int_p, c_int_p, c_int_p]),
    "redress_error_last": (CHARS, []),
    "redress_error_name": (CHARS, [INT]),
    "redress_buf_dispose": (None, [BUF_P]),
    "redress_policy_parse": (INT, [c_handle_p, CHARS, SIZE]),
    "redress_policy_free": (None, [HANDLE]),
    "redress_policy_currency": (CHARS, [HANDLE]),
    "redress_policy_init": (INT, [ctypes.POINTER(PolicyImpl), ctypes.c_uint]),
    "redress_policy_new": (INT, [c_handle_p, ctypes.POINTER(PolicyImpl), HANDLE]),
    "redress_case_open": (INT, [c_handle_p, CHARS, CHARS, CHARS, CHARS]),
    "redress_case_restore": (INT, [c_handle_p, HANDLE, HANDLE, CHARS, SIZE]),
    "redress_case_copy": (INT, [c_handle_p, HANDLE]),
    "redress_case_free": (None, [HANDLE]),
    "redress_case_apply": (INT, [BUF_P, HANDLE, HANDLE, CHARS, SIZE, CHARS]),
    "redress_case_json": (INT, [BUF_P, HANDLE]),
    "redress_policy_identity": (INT, [BUF_P, HANDLE]),
    "redress_whatif": (INT, [BUF_P, HANDLE, HANDLE, HANDLE, CHARS, SIZE]),
    "redress_report_journals": (INT, [BUF_P, CHARS, CHARS, HANDLE, CHARS, SIZE]),
    "redress_report_store": (INT, [BUF_P, CHARS, CHARS, HANDLE, HANDLE]),
    "redress_whatif_store": (INT, [BUF_P, CHARS, CHARS, HANDLE, HANDLE, HANDLE, CHARS, SIZE]),
    "redress_case_id": (CHARS, [HANDLE]),
    "redress_case_customer": (CHARS, [HANDLE]),
    "redress_case_currency": (CHARS, [HANDLE]),
    "redress_case_stage": (CHARS, [HANDLE]),
    "redress_case_priority": (CHARS, [HANDLE]),
    "redress_lint_options_init": (INT, [ctypes.POINTER(LintOptions), ctypes.c_uint]),
    "redress_lint": (INT, [BUF_P, CHARS, SIZE, ctypes.POINTER(LintOptions)]),
    "redress_calendar_parse": (INT, [c_handle_p, CHARS, SIZE]),
    "redress_calendar_free": (None, [HANDLE]),
    "redress_calendar_is_working_day": (INT, [c_int_p, HANDLE, CHARS]),
    "redress_calendar_add_working_days": (INT, [ctypes.c_char_p, SIZE, HANDLE, CHARS, INT]),
    "redress_calendar_working_days_between": (INT, [c_int_p, HANDLE, CHARS, CHARS]),
    "redress_calendar_is_open": (INT, [c_int_p, HANDLE, CHARS]),
    "redress_calendar_next_opening": (INT, [ctypes.c_char_p, SIZE, HANDLE, CHARS]),
    "redress_calendar_add_working_time": (INT, [ctypes.c_char_p, SIZE, HANDLE, CHARS, ctypes.c_int64]),
    "redress_calendar_due_after_working_days": (INT, [ctypes.c_char_p, SIZE, HANDLE, CHARS, INT]),
    "redress_scheduler_new": (INT, [c_handle_p, CHARS]),
    "redress_scheduler_free": (None, [HANDLE]),
    "redress_scheduler_schedule": (INT, [c_uint64_p, HANDLE, CHARS, ctypes.c_uint64]),
    "redress_scheduler_cancel": (INT, [c_int_p, HANDLE, ctypes.c_uint64]),
    "redress_scheduler_reschedule": (INT, [HANDLE, ctypes.c_uint64, CHARS]),
    "redress_scheduler_advance": (INT, [c_size_p, HANDLE, CHARS, FIRED_CB, ctypes.c_void_p]),
    "redress_scheduler_size": (SIZE, [HANDLE]),
    "redress_sqlite_options_init": (INT, [ctypes.POINTER(SqliteOptions), ctypes.c_uint]),
    "redress_store_open_sqlite": (INT, [c_handle_p, CHARS, ctypes.POINTER(SqliteOptions)]),
    "redress_store_open_postgres": (INT, [c_handle_p, CHARS]),
    "redress_store_free": (None, [HANDLE]),
    "redress_store_append": (INT, [c_uint64_p, HANDLE, HANDLE, CHARS, SIZE, ctypes.c_uint64]),
    "redress_store_restore": (INT, [c_handle_p, HANDLE, CHARS, HANDLE]),
    "redress_store_events": (INT, [BUF_P, HANDLE, CHARS]),
    "redress_store_last_seq": (INT, [c_uint64_p, HANDLE, CHARS]),
    "redress_store_cases": (INT, [BUF_P, HANDLE, INT]),
    "redress_store_persist_follow_up": (INT, [HANDLE, CHARS, CHARS, SIZE]),
    "redress_store_cancel_follow_up": (INT, [c_int_p, HANDLE, CHARS]),
    "redress_store_claim_due": (INT, [BUF_P, HANDLE, CHARS, SIZE, CHARS, ctypes.c_int64]),
    "redress_store_complete_follow_up": (INT, [c_int_p, HANDLE, CHARS, CHARS]),
    "redress_store_commit": (INT, [BUF_P, HANDLE, HANDLE, HANDLE, CHARS, SIZE, CHARS, ctypes.c_uint64, CHARS]),
    "redress_store_claim_actions": (INT, [BUF_P, HANDLE, CHARS, SIZE, CHARS, ctypes.c_int64]),
    "redress_store_acknowledge": (INT, [c_int_p, HANDLE, CHARS]),
    "redress_store_find_open_cases": (INT, [BUF_P, HANDLE, CHARS, CHARS]),
    "redress_store_erase": (INT, [BUF_P, HANDLE, CHARS]),
    "redress_store_notify_fixed": (INT, [BUF_P, HANDLE, HANDLE, CHARS, CHARS, CHARS, CHARS, CHARS]),
    "redress_store_deliver_fix_notice": (INT, [c_int_p, HANDLE, CHARS]),
    "redress_store_fixes": (INT, [BUF_P, HANDLE]),
    "redress_store_claim_fix_notices": (INT, [BUF_P, HANDLE, ctypes.c_int64, CHARS, SIZE, CHARS, ctypes.c_int64]),
    "redress_precedent_init": (INT, [ctypes.POINTER(Precedent), ctypes.c_uint]),
    "redress_store_find_precedent": (INT, [ctypes.POINTER(Precedent), HANDLE, HANDLE, HANDLE, CHARS, CHARS]),
}


def _candidates():
    explicit = os.environ.get("REDRESS_LIBRARY")
    if explicit:
        # An explicit choice is never second-guessed: it loads or fails.
        return [explicit]
    found = ctypes.util.find_library("redress-c")
    places = [found] if found else []
    places.append(SONAME)
    prefixes = [p for p in (os.environ.get("REDRESS_PREFIX"), "/usr/local") if p]
    for prefix in prefixes:
        for libdir in ("lib", "lib64", "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu"):
            places.append(os.path.join(prefix, libdir, SONAME))
    return places


def _load():
    errors = []
    lib = None
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
            break
        except OSError as e:
            errors.append(f"{path}: {e}")
    if lib is None:
        raise OSError("redress: cannot load libredress-c; tried " + "; ".join(errors)
                      + " (set REDRESS_LIBRARY to the library's path)")
    for name, (restype, argtypes) in _FUNCTIONS.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


lib = _load()
