/* redress/redress.h: the C API of redress.
 *
 * A thin C ABI over the C++ library, for hosts written in C and for language
 * bindings (the Python package in bindings/python uses nothing else). The
 * model, described in full in docs/c-api.md:
 *
 *   - Handles are opaque (`redress_policy`, `redress_case`, `redress_calendar`,
 *     `redress_scheduler`, `redress_store`). Whoever creates one frees it with
 *     the type's `_free`, which accepts NULL.
 *   - Fallible calls return `int`: 0 on success, a negative
 *     `redress_error_code` otherwise (the C++ `redress::errc` value, negated).
 *     `redress_error_last()` explains the most recent failure on this thread;
 *     read it for diagnostics, never to detect an error.
 *   - Output parameters come first. On failure they are left empty (NULL,
 *     zero, an empty buffer), never half-written.
 *   - Text in is UTF-8, either NUL-terminated or as pointer and length; text
 *     that is not well-formed UTF-8 fails with REDRESS_EINVALID_UTF8.
 *   - Instants are RFC 3339 strings ("2025-01-24T15:00:00+08:00"); instants
 *     out are UTC ("2025-01-24T07:00:00Z"). Civil dates are "YYYY-MM-DD".
 *   - Structured values (events, steps, cases, lint reports) cross as JSON,
 *     in the forms docs/engine.md and docs/c-api.md describe.
 *   - Nothing here throws, aborts or reads a global clock.
 *
 * Example (given const char *json):
 *   redress_policy *policy = NULL;
 *   int rc = redress_policy_parse(&policy, json, strlen(json));
 *   if (rc < 0) {
 *     fprintf(stderr, "%s: %s\n", redress_error_name(rc), redress_error_last());
 *     return rc;
 *   }
 *   // ... open cases and apply events under it ...
 *   redress_policy_free(policy);
 */
#ifndef REDRESS_REDRESS_H
#define REDRESS_REDRESS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define REDRESS_BEGIN_DECL extern "C" {
#define REDRESS_END_DECL }
#else
#define REDRESS_BEGIN_DECL
#define REDRESS_END_DECL
#endif

/* REDRESS_EXTERN marks the API: exported from the shared library, imported
 * by its users. Everything else in the library is hidden. */
#if defined(_WIN32)
#if defined(REDRESS_C_BUILDING)
#define REDRESS_EXTERN(type) __declspec(dllexport) type
#else
#define REDRESS_EXTERN(type) __declspec(dllimport) type
#endif
#elif defined(__GNUC__)
#define REDRESS_EXTERN(type) __attribute__((visibility("default"))) type
#else
#define REDRESS_EXTERN(type) type
#endif

REDRESS_BEGIN_DECL

/* ---- Versions ------------------------------------------------------------ */

/* The version of this header. redress_version() gives the library's. */
#define REDRESS_C_VERSION_MAJOR 0
#define REDRESS_C_VERSION_MINOR 1
#define REDRESS_C_VERSION_PATCH 0

/* redress_version()
 *
 * The library's version. Any pointer may be NULL. */
REDRESS_EXTERN(void) redress_version(int *major, int *minor, int *patch);

/* ---- Errors -------------------------------------------------------------- */

/* redress_error_code
 *
 * -1 to -99 are the C++ `redress::errc` values negated; new ones are only
 * appended. -100 and below belong to the C API itself. */
typedef enum redress_error_code {
  REDRESS_OK = 0,
  REDRESS_EINVALID_ARGUMENT = -1,  /* an argument is malformed, NULL or outside its domain */
  REDRESS_ECURRENCY_MISMATCH = -2, /* arithmetic or comparison across currencies */
  REDRESS_EAMOUNT_OVERFLOW = -3,   /* a money amount left the int64 minor-unit range */
  REDRESS_EUNKNOWN_CURRENCY = -4,  /* an ISO 4217 code the library does not know */
  REDRESS_EINVALID_AMOUNT = -5,    /* a decimal amount that cannot be represented exactly */
  REDRESS_EINVALID_CONTACT = -6,   /* a phone number, e-mail or account id that does not normalise */
  REDRESS_EUNKNOWN_TIME_ZONE = -7, /* a time zone the library cannot resolve */
  REDRESS_EINVALID_CALENDAR = -8,  /* a business calendar that contradicts itself */
  REDRESS_EOUT_OF_RANGE = -9,      /* a date or instant outside the supported range */
  REDRESS_EINVALID_JSON = -10,     /* JSON that is malformed or does not match the schema */
  REDRESS_EINTERNAL = -11,         /* a bug in redress (or memory exhausted) */
  REDRESS_EINVALID_UTF8 = -12,     /* text that is not well-formed UTF-8 */
  REDRESS_ETEXT_TOO_LONG = -13,    /* text longer than the policy's limit */
  REDRESS_EINVALID_EVENT = -14,    /* an event that does not fit the case */
  REDRESS_EPOLICY_FAILED = -15,    /* the host's policy failed */
  REDRESS_ESTORAGE_FAILED = -16,   /* a store's storage failed; nothing changed */
  REDRESS_ECORRUPT_STORE = -17,    /* not a redress store, or damaged */
  REDRESS_ESCHEMA_TOO_NEW = -18,   /* a store written by a newer redress */
  REDRESS_ESTORE_CONFLICT = -19,   /* another writer got there first */
  REDRESS_EUSER = -100,            /* a host callback returned non-zero */
  REDRESS_ENOTSUPPORTED = -101     /* not available in this build, or an unknown operation */
} redress_error_code;

/* redress_error_last()
 *
 * What went wrong in the most recent failed call on this thread, naming the
 * field and the reason ("events[0].at: missing"). "" when nothing failed.
 * Never NULL. Valid until the next failing call on the same thread. */
REDRESS_EXTERN(const char *) redress_error_last(void);

/* redress_error_name()
 *
 * The code's stable name ("invalid_json", "user", "unknown"). Never NULL. */
REDRESS_EXTERN(const char *) redress_error_name(int code);

/* ---- Buffers ------------------------------------------------------------- */

/* redress_buf
 *
 * Text the library returns: `ptr` points at `size` bytes followed by a NUL.
 * Start from REDRESS_BUF_INIT; release with redress_buf_dispose(). A buffer
 * passed to a call that fills it is disposed first, so one buffer may be
 * reused across calls. */
typedef struct redress_buf {
  char *ptr;
  size_t size;
} redress_buf;

#define REDRESS_BUF_INIT {NULL, 0}

/* redress_buf_dispose()
 *
 * Frees the text and resets the buffer to empty. NULL-safe. */
REDRESS_EXTERN(void) redress_buf_dispose(redress_buf *buf);

/* REDRESS_TIME_SIZE: a buffer this large holds any instant or date the
 * library writes, with its NUL. */
#define REDRESS_TIME_SIZE 40

/* ---- Policies ------------------------------------------------------------ */

/* redress_policy: the host's rules (docs/policy.md). Immutable once made, so
 * one policy may serve many threads. */
typedef struct redress_policy redress_policy;

/* redress_policy_parse()
 *
 * Reads a reference policy from a policy document (docs/policy.md), whose
 * "calendar" is a calendar document or the name of a bundled calendar
 * ("cn", "de", "us-ny"). Fails with
 * REDRESS_EINVALID_JSON (or the field's own code) naming the field. */
REDRESS_EXTERN(int) redress_policy_parse(redress_policy **out, const char *json, size_t len);

/* redress_policy_free()
 *
 * NULL-safe. Cases and calls that used the policy do not keep it. */
REDRESS_EXTERN(void) redress_policy_free(redress_policy *policy);

/* redress_policy_currency()
 *
 * The ISO 4217 code of the policy's currency, e.g. "CNY". Borrowed from the
 * policy. "" for NULL. */
REDRESS_EXTERN(const char *) redress_policy_currency(const redress_policy *policy);

/* ---- Cases and the engine ------------------------------------------------ */

/* redress_case: one case, a value. The engine never changes a case behind
 * the host's back: redress_case_apply() replaces it only on success. */
typedef struct redress_case redress_case;

/* redress_case_open()
 *
 * A new case: ids as strings, an ISO 4217 currency ("CNY") and the instant it
 * was opened. */
REDRESS_EXTERN(int) redress_case_open(redress_case **out, const char *case_id, const char *customer_id,
                                      const char *currency, const char *opened_at);

/* redress_case_restore()
 *
 * Rebuilds a case by replaying its journal, a JSON array of events
 * (docs/scenarios.md), onto `initial` under `policy`; `initial` is not
 * changed. Events may leave out "case_id"; money written as a decimal string
 * is in the case's currency. */
REDRESS_EXTERN(int) redress_case_restore(redress_case **out, const redress_case *initial,
                                         const redress_policy *policy, const char *journal_json, size_t len);

/* redress_case_copy()
 *
 * An independent copy of `c`. */
REDRESS_EXTERN(int) redress_case_copy(redress_case **out, const redress_case *c);

/* redress_case_free()
 *
 * NULL-safe. */
REDRESS_EXTERN(void) redress_case_free(redress_case *c);

/* redress_case_apply()
 *
 * Folds one event (a JSON object, as in a journal) into `c` under `policy`,
 * processed at `now` (which must not be earlier than the event). On success
 * `c` becomes the next case and `step_out`, unless NULL, holds the step:
 *
 *   {"actions": [...], "findings": [...], "trace": [...]}
 *
 * On failure `c` is unchanged: REDRESS_EINVALID_EVENT for an event that does
 * not fit the case, REDRESS_EPOLICY_FAILED when the policy failed,
 * REDRESS_EINVALID_JSON for an event that does not decode. */
REDRESS_EXTERN(int) redress_case_apply(redress_buf *step_out, redress_case *c, const redress_policy *policy,
                                       const char *event_json, size_t len, const char *now);

/* redress_case_json()
 *
 * Everything the case holds, as JSON (docs/engine.md). */
REDRESS_EXTERN(int) redress_case_json(redress_buf *out, const redress_case *c);

/* redress_policy_identity()
 *
 * The policy's identity as JSON: {"id", "version", "hash"} (docs/policy.md,
 * "Versions and pinning"); the hash is computed from the whole document. */
REDRESS_EXTERN(int) redress_policy_identity(redress_buf *out, const redress_policy *policy);

/* redress_whatif()
 *
 * Replays a case's journal (a JSON array of events, as for
 * redress_case_restore()) from `initial` under `old_policy` and
 * `new_policy`, and writes the decisions that differ (docs/policy.md,
 * "What-if"):
 *
 *   {"case", "changed", "changes": [{"event", "at", "kind", "subject",
 *    "before", "after", "value"?}], "skipped": [...], "before": {...},
 *    "after": {...}}
 *
 * Events that no longer make sense under `new_policy` are listed in
 * "skipped", not fatal. Fails with REDRESS_EINVALID_JSON for a journal that
 * does not decode, REDRESS_EPOLICY_FAILED when a policy failed. */
REDRESS_EXTERN(int) redress_whatif(redress_buf *out, const redress_case *initial, const redress_policy *old_policy,
                                   const redress_policy *new_policy, const char *journal_json, size_t len);

/* ---- Analytics and the report -------------------------------------------- */

/* redress_report_journals()
 *
 * The patterns over cases (docs/analytics.md): `format` "json" writes the
 * summary as JSON, "html" the self-contained report page in `language`
 * ("en" or "zh"; NULL: "en"). `cases_json` is a JSON array of
 * {"case": {"id", "customer", "currency"?, "opened_at"}, "events": [...]},
 * each journal replayed under `policy` (whose settings and calendar's time
 * zone the measures use). A case that does not replay fails the call,
 * naming "cases[i]". */
REDRESS_EXTERN(int) redress_report_journals(redress_buf *out, const char *format, const char *language,
                                            const redress_policy *policy, const char *cases_json, size_t len);


/* redress_case_id(), redress_case_customer(), redress_case_currency(),
 * redress_case_stage(), redress_case_priority()
 *
 * Borrowed from the case (valid until it is applied to or freed); "" for NULL.
 * Stages: "apologise", "review", "solve", "record", "closed". */
REDRESS_EXTERN(const char *) redress_case_id(const redress_case *c);
REDRESS_EXTERN(const char *) redress_case_customer(const redress_case *c);
REDRESS_EXTERN(const char *) redress_case_currency(const redress_case *c);
REDRESS_EXTERN(const char *) redress_case_stage(const redress_case *c);
REDRESS_EXTERN(const char *) redress_case_priority(const redress_case *c);

/* ---- The reply lint ------------------------------------------------------ */

/* redress_lint_options
 *
 * Start from REDRESS_LINT_OPTIONS_INIT or redress_lint_options_init(). Fields
 * are only ever appended; `version` says which the caller knows. */
typedef struct redress_lint_options {
  unsigned int version;
  /* "auto" (or NULL), "zh-Hans", "zh-Hant" or "en". */
  const char *language;
  /* What the agent may grant alone, in minor units of `authority_currency`
   * (NULL: "CNY"). Negative: the default, 200 CNY. */
  int64_t authority_minor;
  const char *authority_currency;
  /* Lint settings as JSON (docs/lint.md); NULL for the standard ones. */
  const char *policy_json;
} redress_lint_options;

#define REDRESS_LINT_OPTIONS_VERSION 1
#define REDRESS_LINT_OPTIONS_INIT {REDRESS_LINT_OPTIONS_VERSION, NULL, -1, NULL, NULL}

/* redress_lint_options_init()
 *
 * Fills `opts` with the defaults of `version`. Fails for an unknown version. */
REDRESS_EXTERN(int) redress_lint_options_init(redress_lint_options *opts, unsigned int version);

/* redress_lint()
 *
 * Lints a reply or apology; `out` receives the report (docs/lint.md):
 *
 *   {"language": "en", "structure_score": 62, "components": [...],
 *    "findings": [{"code", "severity", "begin_byte", "end_byte", "begin_char",
 *                  "end_char", "phrase", "hint"}]}
 *
 * `opts` may be NULL for the defaults. */
REDRESS_EXTERN(int) redress_lint(redress_buf *out, const char *text, size_t len, const redress_lint_options *opts);

/* ---- Business calendars -------------------------------------------------- */

/* redress_calendar: a business calendar (docs/calendar.md). Immutable. */
typedef struct redress_calendar redress_calendar;

/* redress_calendar_parse()
 *
 * Reads a calendar document, as data/calendars/cn.json. */
REDRESS_EXTERN(int) redress_calendar_parse(redress_calendar **out, const char *json, size_t len);

/* redress_calendar_free()
 *
 * NULL-safe. */
REDRESS_EXTERN(void) redress_calendar_free(redress_calendar *cal);

/* redress_calendar_is_working_day()
 *
 * *out is 1 if `date` is a working day (weekmask, holidays, make-up days),
 * else 0. REDRESS_EOUT_OF_RANGE outside the calendar's dates. */
REDRESS_EXTERN(int) redress_calendar_is_working_day(int *out, const redress_calendar *cal, const char *date);

/* redress_calendar_add_working_days()
 *
 * The date `n` working days after (or before, for negative n) `date`, into
 * `out` (`size` bytes, at least REDRESS_TIME_SIZE). */
REDRESS_EXTERN(int) redress_calendar_add_working_days(char *out, size_t size, const redress_calendar *cal,
                                                      const char *date, int n);

/* redress_calendar_working_days_between()
 *
 * The number of working days d with from < d <= to, negated when to is
 * before from: redress_calendar_add_working_days(from, *out) is `to` when
 * `to` is a working day after `from`. */
REDRESS_EXTERN(int) redress_calendar_working_days_between(int *out, const redress_calendar *cal, const char *from,
                                                          const char *to);

/* redress_calendar_is_open()
 *
 * *out is 1 if the service is open at instant `at`, else 0. */
REDRESS_EXTERN(int) redress_calendar_is_open(int *out, const redress_calendar *cal, const char *at);

/* redress_calendar_next_opening()
 *
 * The first instant at or after `at` when the service is open (UTC). */
REDRESS_EXTERN(int) redress_calendar_next_opening(char *out, size_t size, const redress_calendar *cal,
                                                  const char *at);

/* redress_calendar_add_working_time()
 *
 * The instant `seconds` of service hours after `from` (UTC). */
REDRESS_EXTERN(int) redress_calendar_add_working_time(char *out, size_t size, const redress_calendar *cal,
                                                      const char *from, int64_t seconds);

/* redress_calendar_due_after_working_days()
 *
 * When a promise made at `from` to act within `n` working days is due (UTC). */
REDRESS_EXTERN(int) redress_calendar_due_after_working_days(char *out, size_t size, const redress_calendar *cal,
                                                            const char *from, int n);

/* ---- The follow-up scheduler --------------------------------------------- */

/* redress_scheduler: the in-memory timing wheel (docs/scheduler.md). Not
 * thread-safe: one thread at a time. */
typedef struct redress_scheduler redress_scheduler;

/* redress_fired_cb
 *
 * Called by redress_scheduler_advance() for each follow-up that fires, in due
 * order: its (now stale) handle, the host's key, the instant it was due (UTC)
 * and the payload. A non-zero return makes the advance return REDRESS_EUSER
 * once every due follow-up has been delivered. The callback must not call
 * into the same scheduler. */
typedef int (*redress_fired_cb)(uint64_t handle, uint64_t key, const char *due_at, void *payload);

/* redress_scheduler_new()
 *
 * A scheduler whose time starts at `start`. */
REDRESS_EXTERN(int) redress_scheduler_new(redress_scheduler **out, const char *start);

/* redress_scheduler_free()
 *
 * NULL-safe. */
REDRESS_EXTERN(void) redress_scheduler_free(redress_scheduler *s);

/* redress_scheduler_schedule()
 *
 * Schedules the host's `key` at `due_at`; *handle_out names it for cancel and
 * reschedule. REDRESS_EOUT_OF_RANGE beyond the horizon. */
REDRESS_EXTERN(int) redress_scheduler_schedule(uint64_t *handle_out, redress_scheduler *s, const char *due_at,
                                               uint64_t key);

/* redress_scheduler_cancel()
 *
 * *cancelled_out (may be NULL) is 1 if the follow-up was pending, 0 if the
 * handle was stale. */
REDRESS_EXTERN(int) redress_scheduler_cancel(int *cancelled_out, redress_scheduler *s, uint64_t handle);

/* redress_scheduler_reschedule()
 *
 * Moves a pending follow-up to `due_at`. REDRESS_EINVALID_ARGUMENT for a
 * stale handle. */
REDRESS_EXTERN(int) redress_scheduler_reschedule(redress_scheduler *s, uint64_t handle, const char *due_at);

/* redress_scheduler_advance()
 *
 * Moves the scheduler's time to `now` and fires everything due, calling `cb`
 * (may be NULL) for each; *fired_out (may be NULL) is how many fired. */
REDRESS_EXTERN(int) redress_scheduler_advance(size_t *fired_out, redress_scheduler *s, const char *now,
                                              redress_fired_cb cb, void *payload);

/* redress_scheduler_size()
 *
 * How many follow-ups are pending; 0 for NULL. */
REDRESS_EXTERN(size_t) redress_scheduler_size(const redress_scheduler *s);

/* ---- Stores -------------------------------------------------------------- */

/* redress_store: a journal and follow-up store (docs/stores.md). One handle
 * per thread; many processes may open the same file. */
typedef struct redress_store redress_store;

/* redress_sqlite_options
 *
 * Start from REDRESS_SQLITE_OPTIONS_INIT or redress_sqlite_options_init(). */
typedef struct redress_sqlite_options {
  unsigned int version;
  /* How long to wait for another writer's lock, in milliseconds. */
  int64_t busy_timeout_ms;
  /* Non-zero: create the file when it does not exist. */
  int create_if_missing;
  /* Version 2: where the store's master key is (docs/privacy.md), a file or
   * the name of an environment variable holding 64 hex digits; or non-zero
   * `insecure_plaintext` to keep personal data in clear text. With none of
   * them (and with version 1 options, or NULL options), the environment
   * variable REDRESS_MASTER_KEY when it is set; otherwise the store refuses
   * to open. */
  const char *master_key_file;
  const char *master_key_env;
  int insecure_plaintext;
} redress_sqlite_options;

#define REDRESS_SQLITE_OPTIONS_VERSION 2
#define REDRESS_SQLITE_OPTIONS_INIT {REDRESS_SQLITE_OPTIONS_VERSION, 5000, 1, NULL, NULL, 0}

/* redress_sqlite_options_init()
 *
 * Fills `opts` with the defaults of `version`. */
REDRESS_EXTERN(int) redress_sqlite_options_init(redress_sqlite_options *opts, unsigned int version);

/* redress_store_open_sqlite()
 *
 * Opens (or creates) the SQLite store at `path`; `opts` may be NULL.
 * REDRESS_ENOTSUPPORTED when the library was built without SQLite. */
REDRESS_EXTERN(int) redress_store_open_sqlite(redress_store **out, const char *path,
                                              const redress_sqlite_options *opts);

/* redress_store_open_postgres()
 *
 * Opens the PostgreSQL store `conninfo` names (libpq's connection string,
 * "host=... dbname=..."), creating its tables if needed; many processes may
 * share it. Personal fields are sealed with the master key in the
 * environment variable REDRESS_MASTER_KEY (64 hex digits, docs/privacy.md);
 * without it the store is refused (REDRESS_EINVALID_ARGUMENT).
 * REDRESS_ENOTSUPPORTED when the library was built without it
 * (REDRESS_BUILD_PG). */
REDRESS_EXTERN(int) redress_store_open_postgres(redress_store **out, const char *conninfo);

/* redress_store_free()
 *
 * Closes the store. NULL-safe. */
REDRESS_EXTERN(void) redress_store_free(redress_store *store);

/* redress_store_append()
 *
 * Appends events (a JSON array, as for redress_case_restore()) to the
 * journal of case `c`, which must be the case after those events: its id
 * names the journal, its currency reads decimal money, its stage says whether
 * the case is still open, and the first append records how it was opened
 * (a later append of a case opened differently fails with
 * REDRESS_ESTORE_CONFLICT). `expected_last_seq` is the journal's last sequence
 * number as the caller knows it (0 for a new case); another value fails with
 * REDRESS_ESTORE_CONFLICT. *last_seq_out is the new last sequence number. */
REDRESS_EXTERN(int) redress_store_append(uint64_t *last_seq_out, redress_store *store, const redress_case *c,
                                         const char *events_json, size_t len, uint64_t expected_last_seq);

/* redress_store_restore()
 *
 * The case `case_id` as its stored journal leaves it: opened as its first
 * append recorded, then its events replayed under `policy`. *out is NULL
 * (and the call succeeds) for a case the store has never seen. */
REDRESS_EXTERN(int) redress_store_restore(redress_case **out, const redress_store *store, const char *case_id,
                                          const redress_policy *policy);

/* redress_store_events()
 *
 * The journal of `case_id`, as a JSON array of events ([] when unknown). */
REDRESS_EXTERN(int) redress_store_events(redress_buf *out, const redress_store *store, const char *case_id);

/* redress_store_last_seq()
 *
 * The journal's last sequence number; 0 for an unknown case. */
REDRESS_EXTERN(int) redress_store_last_seq(uint64_t *out, const redress_store *store, const char *case_id);

/* redress_store_cases()
 *
 * The ids of the cases (all, or only the open ones) as a JSON array of
 * strings. */
REDRESS_EXTERN(int) redress_store_cases(redress_buf *out, const redress_store *store, int open_only);

/* redress_store_persist_follow_up()
 *
 * Keeps a follow-up of case `case_id` until it is completed or cancelled.
 * `follow_up_json` is the object a schedule_follow_up action carries:
 * {"id": "C-1#1", "kind": "update", "due_at": "2025-01-24T07:20:00Z"}. */
REDRESS_EXTERN(int) redress_store_persist_follow_up(redress_store *store, const char *case_id,
                                                    const char *follow_up_json, size_t len);

/* redress_store_cancel_follow_up()
 *
 * *cancelled_out (may be NULL) is 1 if the follow-up was pending, else 0. */
REDRESS_EXTERN(int) redress_store_cancel_follow_up(int *cancelled_out, redress_store *store, const char *id);

/* redress_store_claim_due()
 *
 * Claims up to `max_count` follow-ups due at `now` for `claimer`, leased for
 * `lease_seconds`, as a JSON array:
 * [{"case_id": "C-1", "follow_up": {...}, "lease_until": "..."}]. */
REDRESS_EXTERN(int) redress_store_claim_due(redress_buf *out, redress_store *store, const char *now,
                                            size_t max_count, const char *claimer, int64_t lease_seconds);

/* redress_store_complete_follow_up()
 *
 * Marks a claimed follow-up done. *completed_out (may be NULL) is 1 if this
 * claimer still held it, else 0. */
REDRESS_EXTERN(int) redress_store_complete_follow_up(int *completed_out, redress_store *store, const char *id,
                                                     const char *claimer);

/* redress_store_commit()
 *
 * Applies one event (a JSON object, as for redress_case_apply()) to `c` under
 * `policy` at `now`, and commits the step in one transaction: the event as
 * event `expected_last_seq + 1` of the case's journal, the case's state, the
 * follow-ups it schedules and cancels, and every action in the store's
 * outbox (docs/stores.md). `event_id` (may be NULL) is the host's id of the
 * event: when the case already holds it, nothing is stored and `c` is
 * unchanged. On success `out` holds
 *
 *   {"seq": 5, "action_ids": ["C-1#5.1", ...], "replayed": false, "step": {...}}
 *
 * ("step" as redress_case_apply() gives it, absent when "replayed") and `c`
 * becomes the next case. On failure nothing is stored and `c` is unchanged:
 * REDRESS_ESTORE_CONFLICT for a stale `expected_last_seq`, and the errors of
 * redress_case_apply(). The step that opens a case under a policy document
 * (redress_policy_parse()) also keeps that policy version in the store and
 * pins the case to it, as `redress run` does, so redress_whatif_store() and
 * restores read the case under the version that decided it
 * (docs/contracts.md). */
REDRESS_EXTERN(int) redress_store_commit(redress_buf *out, redress_store *store, redress_case *c,
                                         const redress_policy *policy, const char *event_json, size_t len,
                                         const char *now, uint64_t expected_last_seq, const char *event_id);

/* redress_store_claim_actions()
 *
 * Claims up to `max_count` undelivered outbox actions for `claimer`, leased
 * for `lease_seconds`, in commit order, as a JSON array:
 * [{"id": "C-1#5.1", "case_id": "C-1", "seq": 5, "n": 1, "action": {...},
 *   "lease_until": "..."}]. An action not acknowledged before its lease ends
 * is claimed again (at-least-once: deduplicate by "id"). */
REDRESS_EXTERN(int) redress_store_claim_actions(redress_buf *out, redress_store *store, const char *now,
                                                size_t max_count, const char *claimer, int64_t lease_seconds);

/* redress_store_acknowledge()
 *
 * Marks the outbox action `action_id` carried out. *acknowledged_out (may be
 * NULL) is 1 the first time, 0 for an unknown or already acknowledged id. */
REDRESS_EXTERN(int) redress_store_acknowledge(int *acknowledged_out, redress_store *store, const char *action_id);

/* redress_store_find_open_cases()
 *
 * The open cases a contact point is on (the store's contact index, which
 * keeps keyed hashes, never the point itself), most recently active first:
 * {"cases": ["C-1"], "customers": ["U-1"], "attach_to": "C-1"}.
 * "attach_to" is null when there is no open case (open a new one) or when
 * the cases belong to several customers: then nothing is guessed.
 * `kind` is "phone", "email" or "account"; `value` is normalised as
 * ContactPoint does. A store without a contact index (PostgreSQL, for now)
 * fails with REDRESS_EINVALID_ARGUMENT. */
REDRESS_EXTERN(int) redress_store_find_open_cases(redress_buf *out, const redress_store *store, const char *kind,
                                                  const char *value);

/* redress_store_erase()
 *
 * Erases a customer's personal data (docs/privacy.md): their data key and
 * contact-index entries are deleted, their events' personal fields read back
 * as "[erased]", their undelivered actions are dropped; their cases stay.
 * `out` holds {"cases": 1, "events_rewritten": 4, "index_entries": 1,
 * "key_deleted": true}. A store without erasure (PostgreSQL, for now) fails
 * with REDRESS_EINVALID_ARGUMENT. */
REDRESS_EXTERN(int) redress_store_erase(redress_buf *out, redress_store *store, const char *customer_id);

/* redress_store_notify_fixed()
 *
 * Root cause `cause` (a category of the policy's taxonomy: an id, a label or
 * an alias) was fixed at `fixed_at` (an instant, e.g.
 * "2026-03-01T09:00:00Z") by `fixed_by` (may be NULL); `note` says what
 * changed, in words customers read (docs/analytics.md, "Root cause fixed").
 * Restores every case of `store`, finds those with the cause (open ones,
 * and closed ones within the policy's fix_notice_window_days before the
 * fix), plans one notice per customer at `now` (their locale, their contact
 * window) and keeps the fix and its notices, once per customer however
 * often it is called. `out` holds
 *
 *   {"fix": {"id", "category", "note", "fixed_at", "fixed_by", "customers",
 *            "told"},
 *    "cases": 3,
 *    "open_cases": [{"case_id", "finding": {...}, "suggested_update"}],
 *    "notices": [{"id", "type": "notify_fixed", "customer", "case_id",
 *                 "cases", "locale", "text", "send_at"}]}
 *
 * "notices" lists those not yet delivered: send each, then mark it with
 * redress_store_deliver_fix_notice(). Senders that may run at once take the
 * notices with redress_store_claim_fix_notices() instead, so that no notice
 * is sent twice. REDRESS_EINVALID_ARGUMENT for an unknown cause (the nearest
 * categories named), an empty note or a bad instant. */
REDRESS_EXTERN(int) redress_store_notify_fixed(redress_buf *out, redress_store *store, const redress_policy *policy,
                                               const char *cause, const char *note, const char *fixed_by,
                                               const char *fixed_at, const char *now);

/* redress_store_deliver_fix_notice()
 *
 * Marks the fix notice `notice_id` delivered (the customer was told).
 * *delivered_out (may be NULL) is 1 the first time, 0 for an unknown or
 * already delivered id. */
REDRESS_EXTERN(int) redress_store_deliver_fix_notice(int *delivered_out, redress_store *store, const char *notice_id);

/* redress_store_fixes()
 *
 * Every root-cause fix the store keeps, in the order kept, as a JSON array
 * of {"id", "category", "note", "fixed_at", "fixed_by", "customers",
 * "told"}. */
REDRESS_EXTERN(int) redress_store_fixes(redress_buf *out, const redress_store *store);

/* redress_store_claim_fix_notices()
 *
 * Claims up to `max_count` undelivered notices of fix `fix_id` (0: of every
 * fix) for `claimer`, leased for `lease_seconds` from `now`, by fix and
 * customer, as a JSON array of {"id", "fix_id", "type": "notify_fixed",
 * "customer", "case_id", "cases", "locale", "text", "send_at",
 * "lease_until"}. A notice another claimer holds under an unexpired lease is
 * left out, so concurrent senders never send the same notice; one not
 * marked with redress_store_deliver_fix_notice() before its lease ends is
 * claimed again (at least once: deduplicate by "id"). */
REDRESS_EXTERN(int) redress_store_claim_fix_notices(redress_buf *out, redress_store *store, int64_t fix_id,
                                                    const char *now, size_t max_count, const char *claimer,
                                                    int64_t lease_seconds);

/* redress_precedent
 *
 * What redress_store_find_precedent() found (docs/engine.md, "Precedent").
 * Start from REDRESS_PRECEDENT_INIT or redress_precedent_init(); the caller
 * sets `version`, the library fills the members that version has. Members
 * are only ever appended. */
typedef struct redress_precedent {
  unsigned int version;
  /* 1 when the store holds the cited case or order; 0 otherwise (then every
   * member below is "" or 0). */
  int found;
  /* The kind of its largest remedy: "extension", "replacement", "extra",
   * "cash" or "non_material". */
  char kind[16];
  /* What its remedies not rejected gave, in minor units of `currency`. */
  int64_t value_minor;
  /* What it had lost: "none", "money" or "right", and how much, in minor
   * units of `currency`. */
  char loss_kind[8];
  int64_t loss_minor;
  /* The citing case's currency ("CNY"). */
  char currency[4];
} redress_precedent;

#define REDRESS_PRECEDENT_VERSION 1
#define REDRESS_PRECEDENT_INIT {REDRESS_PRECEDENT_VERSION, 0, "", 0, "", 0, ""}

/* redress_precedent_init()
 *
 * Fills `out` with the empty answer of `version`. */
REDRESS_EXTERN(int) redress_precedent_init(redress_precedent *out, unsigned int version);

/* redress_store_find_precedent()
 *
 * What the store's journals show for `reference` (a case id or an order id)
 * cited on case `citing` at `as_of` (an instant): a case the store holds
 * (not `citing` itself) or an order linked on its other cases, of the citing
 * case's currency, as of `as_of` (include/redress/journal_precedent.hpp).
 * Cases the store pinned to a policy version replay under it, the others
 * under `policy`. out->found is 0 for a reference the store cannot find (an
 * unknown id, free text, a case of another currency): the engine records
 * such a citation as unverified. REDRESS_EINVALID_ARGUMENT for a NULL
 * argument, an empty reference, a bad instant or an unknown out->version;
 * the store's error when a journal cannot be read or no longer replays. */
REDRESS_EXTERN(int) redress_store_find_precedent(redress_precedent *out, const redress_store *store,
                                                 const redress_policy *policy, const redress_case *citing,
                                                 const char *reference, const char *as_of);

/* redress_report_store()
 *
 * As redress_report_journals(), over every case of `store`, each replayed
 * under the policy version the store pinned it to (docs/stores.md, "Policy
 * versions"), or `policy` for a case without one. */
REDRESS_EXTERN(int) redress_report_store(redress_buf *out, const char *format, const char *language,
                                         const redress_store *store, const redress_policy *policy);

/* redress_whatif_store()
 *
 * What `new_policy` would have changed in the cases of `store` opened on or
 * after `since` ("YYYY-MM-DD", UTC; NULL: every case): each case's journal
 * replayed under the policy version the store pinned it to (`fallback` for
 * a case without one) and under `new_policy` (docs/policy.md, "What-if").
 * `format` "json" writes the summary `redress whatif --json` prints:
 *
 *   {"cases", "cases_changed", "remedies_changed", "escalations_changed",
 *    "findings_changed", "deadlines_changed", "events_skipped",
 *    "remedy_value_before": [...], "remedy_value_after": [...],
 *    "examples": [...], "failed": [{"case", "reason"}]}
 *
 * with at most `max_examples` examples; "html" the same as a page in the
 * report's style, in `language` ("en" or "zh"; NULL: "en"). A case that
 * cannot be compared is listed in "failed", not fatal; the call fails when
 * the store cannot be read (REDRESS_ESTORAGE_FAILED) or an argument is bad
 * (REDRESS_EINVALID_ARGUMENT naming it). */
REDRESS_EXTERN(int) redress_whatif_store(redress_buf *out, const char *format, const char *language,
                                         const redress_store *store, const redress_policy *new_policy,
                                         const redress_policy *fallback, const char *since, size_t max_examples);

REDRESS_END_DECL

#ifndef REDRESS_DEPRECATE_HARD
#include <redress/deprecated.h>
#endif

#endif /* REDRESS_REDRESS_H */
