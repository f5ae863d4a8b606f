// redress/store.hpp: where case journals and follow-ups are kept.
//
// The core never performs I/O. A host that wants its cases to outlive the
// process keeps two things in a store:
//   - each case's *journal*, the events the engine folded, in order
//     (<redress/journal.hpp>): replaying it reproduces the case;
//   - the *follow-ups* the engine scheduled, so that a timer due while every
//     process was down still fires, exactly once per claim.
//
// `JournalStore` and `FollowUpStore` are the interfaces; `StepStore` is both
// plus `commit` (one engine step in one transaction, its actions kept in an
// outbox) and the outbox's at-least-once delivery. `SqliteStore`
// (<redress/sqlite_store.hpp>, target redress::sqlite) and `PgStore`
// (<redress/pg_store.hpp>, redress::pg) implement StepStore. See
// docs/stores.md.
//
// The model:
//   - A case's events are numbered 1, 2, 3, ... in the order they were
//     appended: their *sequence numbers*. A case's `last_seq` is the number of
//     events it holds (0 for a case the store has never seen).
//   - `append` stores a batch of events atomically: all of them or none. It
//     carries the sequence number the caller believes is the case's last
//     (`expected_last_seq`), so two writers cannot interleave a case's journal,
//     and a batch retried after an unknown outcome (a timeout, a crash before
//     the reply) is recognised and not stored twice.
//   - Whether a case is open is the host's knowledge, not the store's: the
//     engine decides when a case closes (<redress/case.hpp>, Stage::closed).
//     So every append says what the case is after the batch (`CaseState`),
//     and `open_cases()` lists those whose last append said `open`.
//   - Acknowledged means durable: once `append`, `persist`, `cancel`,
//     `claim_due`, `complete`, `commit`, `claim_actions` or `acknowledge` has
//     returned success, the change survives the
//     process being killed (and, for SqliteStore, power loss).
//   - A failed call changes nothing.
//
// Thread safety: implementations say so. SqliteStore may be shared between
// threads (it serialises calls) and the same file may be opened by several
// processes at once.
#ifndef REDRESS_STORE_HPP
#define REDRESS_STORE_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <redress/case.hpp>
#include <redress/contact.hpp>
#include <redress/engine.hpp>
#include <redress/error.hpp>
#include <redress/event.hpp>
#include <redress/ids.hpp>
#include <redress/policy.hpp>
#include <redress/root_cause_fix.hpp>
#include <redress/time.hpp>

namespace redress {
inline namespace v1 {

// store_errc
//
// The codes stores report, under the names stores use for them. They are
// redress::errc values of their own (docs/error-handling.md).
//
// Example:
//   auto store = redress::SqliteStore::open("cases.db");
//   if (!store && store.error() == redress::store_errc::schema_too_new) { /* a newer redress wrote it */ }
namespace store_errc {
// The storage failed: an I/O error, a full disk, a lock held past the
// busy timeout, a lost connection. Nothing was changed; the call may be retried.
inline constexpr errc storage_failed = errc::storage_failed;
// The file is not a redress store (random bytes, another application's
// database) or its contents are damaged (a row that does not decode).
inline constexpr errc corrupt_store = errc::corrupt_store;
// The store was written by a newer redress whose schema this one does not know.
inline constexpr errc schema_too_new = errc::schema_too_new;
// `expected_last_seq` does not match the case's journal (another writer got
// there first), or a follow-up id is already used for another follow-up.
inline constexpr errc conflict = errc::store_conflict;
}  // namespace store_errc

// CaseState
//
// What a case is after an appended batch: `open` until the engine closes it
// (Stage::closed), then `closed`. A closed case may be reopened by a later
// append that says `open`.
enum class CaseState : std::uint8_t { open, closed };

// ClaimerIdTag, ClaimerId
//
// Names a worker (a process, a thread) that claims due follow-ups, so that
// only the claimer can complete what it claimed. Same rules as every id:
// 1 to 128 printable ASCII bytes, no space.
struct ClaimerIdTag {
  static constexpr std::string_view name = "claimer_id";
};
using ClaimerId = BasicId<ClaimerIdTag>;

// CaseHeader
//
// What Case::open() was given. With the journal it is all a store needs to
// give a case back (see restore()): the first append records it, and every
// later append of the case must carry the same.
//
// Example (given const redress::Case& c):
//   auto header = redress::CaseHeader::of(c);
struct CaseHeader {
  CaseId id;
  CustomerId customer;
  Currency currency = Currency::CNY;
  Instant opened_at_utc;

  static CaseHeader of(const Case& c) { return {c.id(), c.customer(), c.currency(), c.opened_at_utc()}; }
  friend bool operator==(const CaseHeader&, const CaseHeader&) = default;
};

// state_of()
//
// CaseState::closed for a case at Stage::closed, CaseState::open otherwise.
inline CaseState state_of(const Case& c) noexcept {
  return c.stage() == Stage::closed ? CaseState::closed : CaseState::open;
}

// CaseRange
//
// The cases whose id is at least `from` (no lower bound when unset) and
// below `to` (no upper bound when unset), compared byte by byte.
struct CaseRange {
  std::optional<CaseId> from;
  std::optional<CaseId> to;
  bool contains(const CaseId& id) const noexcept {
    return (!from || id.str() >= from->str()) && (!to || id.str() < to->str());
  }
  friend bool operator==(const CaseRange&, const CaseRange&) = default;
};

// JournalVisitor
//
// What JournalStore::scan() calls with each case's header and journal.
using JournalVisitor = std::function<result<void>(const CaseHeader&, std::span<const Event>)>;

// RecordedFix
//
// A root_cause_fixed notice a store keeps (JournalStore::record_fix): its
// number in the store (from 1), the notice, the customers it is to reach
// (one stored FixNotice each) and how many of those were delivered.
struct RecordedFix {
  std::int64_t id = 0;
  RootCauseFix fix;
  std::size_t customers = 0;
  std::size_t told = 0;
  friend bool operator==(const RecordedFix&, const RecordedFix&) = default;
};

// to_json(const RecordedFix&)
//
// {"id", "category", "note", "fixed_at", "fixed_by", "customers", "told"}.
boost::json::value to_json(const RecordedFix& fix);

// StoredFixNotice
//
// A FixNotice kept until delivered: `id` is "fix-<fix id>.<customer>"; `json`
// its JSON form (to_json(const FixNotice&)). `lease_until_utc` is when the
// claim of claim_fix_notices() ends (not a time in what
// undelivered_fix_notices() lists).
struct StoredFixNotice {
  std::string id;
  std::int64_t fix_id = 0;
  CustomerId customer;
  CaseId case_id;
  Instant send_at_utc;
  std::string json;
  Instant lease_until_utc;
  friend bool operator==(const StoredFixNotice&, const StoredFixNotice&) = default;
};

// JournalStore
//
// Keeps each case's journal. See the model above.
//
// Example (given redress::JournalStore& store, const redress::Case& c, const redress::Event& event):
//   std::vector<redress::Event> batch{event};
//   auto header = redress::CaseHeader::of(c);
//   auto last = store.append(header, batch, 0, redress::CaseState::open);   // 1
//   auto again = store.append(header, batch, 0, redress::CaseState::open);  // 1: a retry, not stored twice
//   auto journal = store.events(header.id);                                 // {event}
class JournalStore {
 public:
  virtual ~JournalStore() = default;

  // JournalStore::append()
  //
  // Stores `events` as the events `expected_last_seq + 1` onwards of case
  // `header.id`, all or none, and records that the case is `state_after`
  // afterwards. The case's first append records `header`. Returns the
  // case's last sequence number after the batch.
  //
  // A retry is recognised: when the case already holds exactly these events
  // after `expected_last_seq` and nothing more, nothing is stored again and
  // the same number is returned.
  //
  // Fails with
  //   - errc::invalid_argument for an empty batch, an event of another case,
  //     an event whose instant is not a time (the detail names "events[i]");
  //   - errc::invalid_event for an event the journal's JSON form cannot carry
  //     back unchanged (text that is not UTF-8, a fraction of a second in a
  //     promise's working time);
  //   - store_errc::conflict when the case's last sequence number is not
  //     `expected_last_seq` (and this is not a retry), or the store holds
  //     another header for the case;
  //   - store_errc::storage_failed.
  virtual result<std::uint64_t> append(const CaseHeader& header, std::span<const Event> events,
                                       std::uint64_t expected_last_seq, CaseState state_after) = 0;

  // JournalStore::header()
  //
  // The header the case's first append recorded; std::nullopt for a case the
  // store has never seen. Fails with store_errc::corrupt_store or
  // storage_failed.
  virtual result<std::optional<CaseHeader>> header(const CaseId& case_id) const = 0;

  // JournalStore::events()
  //
  // The case's journal in order: element i has sequence number i + 1. Empty
  // for a case the store has never seen. Fails with store_errc::corrupt_store
  // when a stored event does not decode, belongs to another case or is
  // missing from the sequence (never skipping it), or storage_failed.
  virtual result<std::vector<Event>> events(const CaseId& case_id) const = 0;

  // JournalStore::last_seq()
  //
  // The case's last sequence number: how many events it holds; 0 when none.
  virtual result<std::uint64_t> last_seq(const CaseId& case_id) const = 0;

  // JournalStore::open_cases()
  //
  // The cases whose last append said CaseState::open, ordered by id.
  virtual result<std::vector<CaseId>> open_cases() const = 0;

  // JournalStore::cases()
  //
  // Every case the store holds a journal for, open or closed, ordered by id:
  // what analytics and reports read.
  virtual result<std::vector<CaseId>> cases() const = 0;

  // JournalStore::scan()
  //
  // Calls `visit` once for every case in `range`, in id order, with its
  // header and its whole journal (element i has sequence number i + 1): the
  // one pass analytics and reports read a store in. The journal's storage is
  // reused from case to case, so `visit` copies what it keeps. Stops at the
  // first failure of `visit` and returns it. `visit` must not call this
  // store. Fails as header() and events() do (a case without a header is
  // store_errc::corrupt_store). The default reads cases(), header() and
  // events() one case at a time; SqliteStore reads one statement's rows.
  //
  // Example (given const redress::JournalStore& store):
  //   std::size_t events = 0;
  //   auto done = store.scan({}, [&](const redress::CaseHeader& h, std::span<const redress::Event> journal)
  //                                  -> redress::result<void> {
  //     events += journal.size();  // copy what you keep: the span is reused
  //     return boost::outcome_v2::success();
  //   });
  virtual result<void> scan(const CaseRange& range, const JournalVisitor& visit) const;

  // JournalStore::split()
  //
  // At most `parts` ranges (at least one) that together cover every case
  // once, in order, each holding about as many cases: what several workers
  // scan() side by side. Fails with errc::invalid_argument when `parts` is
  // 0, or as cases() does.
  virtual result<std::vector<CaseRange>> split(std::size_t parts) const;

  // --- policy versions (docs/stores.md, "Policy versions") ---------------
  //
  // A store keeps every policy version it is given, by content hash, and
  // the version each case was opened under. The defaults keep nothing (a
  // store that answers std::nullopt has no pin: restore_pinned() falls back
  // to the policy it is given); SqliteStore keeps both.

  // JournalStore::keep_policy()
  //
  // Keeps `document` (ReferencePolicy::canonical_json()) as policy `ref`;
  // keeping a hash already kept does nothing. Fails with
  // errc::invalid_argument for an empty hash or document,
  // store_errc::conflict when the hash is kept with another document,
  // store_errc::storage_failed.
  virtual result<void> keep_policy(const PolicyRef& ref, std::string_view document);

  // JournalStore::policy_document()
  //
  // The document kept under `hash`, or std::nullopt.
  virtual result<std::optional<std::string>> policy_document(std::string_view hash) const;

  // JournalStore::policies()
  //
  // Every policy version kept, in the order first kept.
  virtual result<std::vector<PolicyRef>> policies() const;

  // JournalStore::pin_policy()
  //
  // Records that case `case_id` was opened under policy `hash` (kept
  // before); the first pin of a case stands, later ones are ignored (a move
  // to another version is an events::PolicyMoved in the journal). Fails
  // with errc::invalid_argument for a hash not kept.
  virtual result<void> pin_policy(const CaseId& case_id, std::string_view hash);

  // JournalStore::pinned_policy()
  //
  // The policy the case was opened under, or std::nullopt.
  virtual result<std::optional<PolicyRef>> pinned_policy(const CaseId& case_id) const;

  // --- root causes fixed (docs/analytics.md, "Root cause fixed") ---------
  //
  // The defaults keep nothing: record_fix() fails with
  // errc::invalid_argument, fixes() is empty. SqliteStore and PgStore keep
  // them.

  // JournalStore::record_fix()
  //
  // In one transaction, keeps `fix` (a fix of the same category at the same
  // instant is the same fix: a retry adds nothing) and `notices`, at most
  // one per customer and fix (a customer already holding one keeps it).
  // Returns the fix as kept, with its counts. Fails with
  // errc::invalid_argument for a fix RootCauseFix::make() would refuse, or
  // store_errc::storage_failed.
  virtual result<RecordedFix> record_fix(const RootCauseFix& fix, std::span<const FixNotice> notices);
  // What record_fix() refuses in every store: a fix RootCauseFix::make()
  // would refuse (the category is not looked up: a store has no taxonomy).
  static result<void> check_fix(const RootCauseFix& fix);

  // JournalStore::fixes()
  //
  // Every fix kept, in the order first kept, with its counts.
  virtual result<std::vector<RecordedFix>> fixes() const;

  // JournalStore::undelivered_fix_notices()
  //
  // The notices of fix `fix_id` not yet delivered, by customer id.
  virtual result<std::vector<StoredFixNotice>> undelivered_fix_notices(std::int64_t fix_id) const;

  // JournalStore::claim_fix_notices()
  //
  // Claims up to `max_count` notices of fix `fix_id` (0: of every fix) not
  // yet delivered, for `claimer` until `now_utc + lease`, by fix and
  // customer id: a notice claimed by another run whose lease has not ended
  // is left out, so concurrent runs never deliver the same notice. A
  // claimed notice is acknowledged with deliver_fix_notice(); one never
  // acknowledged can be claimed again once its lease ends (delivered at
  // least once). Fails with errc::invalid_argument for a negative fix id,
  // a `now_utc` that is not a time, a lease that is not positive or a
  // `max_count` of 0.
  virtual result<std::vector<StoredFixNotice>> claim_fix_notices(std::int64_t fix_id, Instant now_utc,
                                                                 std::size_t max_count, const ClaimerId& claimer,
                                                                 Duration lease);

  // JournalStore::deliver_fix_notice()
  //
  // Marks notice `notice_id` as delivered (the customer was told), claimed
  // or not: true when it did; false when the id is unknown or already
  // delivered.
  virtual result<bool> deliver_fix_notice(std::string_view notice_id);

 protected:
  // The ranges below bounds[0], from each bound to the next, and from the
  // last bound on (one range, every case, when `bounds` is empty); `bounds`
  // sorted, duplicates ignored.
  static std::vector<CaseRange> ranges_between(std::vector<CaseId> bounds);
  // The indices (from 1 up, below `count`) at which `parts` about equal
  // ranges of `count` cases begin.
  static std::vector<std::size_t> split_points(std::size_t count, std::size_t parts);

  JournalStore() = default;
  JournalStore(const JournalStore&) = default;
  JournalStore& operator=(const JournalStore&) = default;
};

// restore()
//
// The case `case_id` as its stored journal leaves it: Case::open() with the
// stored header, then replay() of its events under `policy`. std::nullopt
// for a case the store has never seen. Fails as header() and events() do,
// or with the engine's error when the journal no longer replays under
// `policy` (the detail names the event).
//
// Example (given const redress::JournalStore& store, const redress::CaseId& case_id,
//          const redress::Policy& policy, const redress::Event& event, redress::Instant now):
//   BOOST_OUTCOME_TRY(std::optional<redress::Case> c, redress::restore(store, case_id, policy));
//   if (c) {
//     BOOST_OUTCOME_TRY(redress::Step step, redress::apply(*c, event, policy, now));
//   }
result<std::optional<Case>> restore(const JournalStore& store, const CaseId& case_id, const Policy& policy);

// restore_pinned()
//
// As restore(), but under the policy versions the store recorded: the one
// the case was opened under (pinned_policy()), then, at each
// events::PolicyMoved, the version it names, each read back from
// policy_document(). `fallback` decides where the store holds no pin (a case
// stored before the store kept policies, or under a host's own policy).
// Fails as restore() does, and with store_errc::corrupt_store when a pinned
// or named version is not kept or does not read back with its hash.
result<std::optional<Case>> restore_pinned(const JournalStore& store, const CaseId& case_id, const Policy& fallback);

// FixRun
//
// What notify_fixed() did: the fix as the store keeps it (with its counts
// after this run) and the plan (every notice and open case, including those
// an earlier run already kept).
struct FixRun {
  RecordedFix recorded;
  FixPlan plan;
};

// notify_fixed()
//
// Closes the loop on a fixed root cause: restores every case of `store`
// (restore_pinned(), `policy` where the store holds no pin), plans the
// notices under `policy` (the policy notices are sent under now:
// plan_fix_notices()) and keeps the fix and its notices (record_fix()).
// The host then claims the notices (claim_fix_notices()), delivers them and
// marks each deliver_fix_notice(). Fails as those calls do; a case that does not
// replay fails the run (the detail names it) and nothing is kept.
//
// Example (given JournalStore& store, const ReferencePolicy& policy, Instant now,
//          std::function<bool(const std::string&)> send):
//   BOOST_OUTCOME_TRY(auto fix, RootCauseFix::make("delivery.late", "Couriers now scan at the door", now, "ops",
//                                                  policy.settings().root_causes));
//   BOOST_OUTCOME_TRY(auto run, notify_fixed(store, fix, policy, now));
//   BOOST_OUTCOME_TRY(auto notices, store.claim_fix_notices(run.recorded.id, now, 100, ClaimerId::make("mailer").value(),
//                                                           boost::posix_time::minutes(5)));
//   for (const auto& n : notices) {
//     if (send(n.json)) {
//       BOOST_OUTCOME_TRYV(store.deliver_fix_notice(n.id));
//     }
//   }
result<FixRun> notify_fixed(JournalStore& store, const RootCauseFix& fix, const Policy& policy, Instant now_utc);

// PinnedPolicies
//
// The policy versions a store keeps, read back once each (for replaying
// many cases): policy(hash) parses the kept document on first use.
class PinnedPolicies {
 public:
  explicit PinnedPolicies(const JournalStore& store) noexcept : store_(store) {}
  // The version kept under `hash`; borrowed, valid while this lives. Fails
  // with store_errc::corrupt_store when it is not kept or its document does
  // not read back with that hash.
  result<const ReferencePolicy*> policy(std::string_view hash);
  // Replays the case's journal under its pinned versions (`fallback` where
  // the store holds no pin), as restore_pinned() does; nullopt for a case the
  // store has never seen.
  result<std::optional<Case>> restore(const CaseId& case_id, const Policy& fallback);
  // Replays `journal` (the whole journal of the case `header` names, as
  // scan() hands it over) under its pinned versions, without reading the
  // journal again. The store's pins are read through the store given at
  // construction, so inside a scan() give it another connection. `mode` as
  // for redress::replay().
  result<Case> replay(const CaseHeader& header, std::span<const Event> journal, const Policy& fallback,
                      ReplayMode mode = ReplayMode::full);
  // The policy a journal starts under: the case's pin, or `fallback`.
  result<const Policy*> opened_under(const CaseId& case_id, const Policy& fallback);

 private:
  const JournalStore& store_;
  std::map<std::string, std::unique_ptr<ReferencePolicy>, std::less<>> cache_;
};

// ClaimedFollowUp
//
// A due follow-up handed to one claimer until `lease_until_utc`. The claimer
// fires it (the host appends a TimerFired event and carries out its actions)
// and then calls `complete`. If it does not complete it before the lease
// ends (it crashed), the follow-up is due again and another claimer gets it.
struct ClaimedFollowUp {
  CaseId case_id;
  FollowUp follow_up;
  Instant lease_until_utc;
  friend bool operator==(const ClaimedFollowUp&, const ClaimedFollowUp&) = default;
};

// FollowUpStore
//
// Keeps the follow-ups the engine scheduled until they are fired or
// cancelled. A follow-up is `pending` until claimed; `claimed` until
// completed or its lease ends (then it is due again); `done` once completed;
// `cancelled` once cancelled. The store never reads a clock: `now_utc` is
// passed in.
//
// Example (given redress::FollowUpStore& store, const redress::CaseId& case_id,
//          const redress::FollowUp& follow_up, const redress::ClaimerId& worker, redress::Instant now,
//          const std::function<void(const redress::ClaimedFollowUp&)>& fire):
//   BOOST_OUTCOME_TRYV(store.persist(case_id, follow_up));
//   BOOST_OUTCOME_TRY(auto due, store.claim_due(now, 100, worker, boost::posix_time::minutes(5)));
//   for (const redress::ClaimedFollowUp& c : due) {
//     fire(c);  // append a TimerFired event and carry out the step
//     BOOST_OUTCOME_TRY(bool still_ours, store.complete(c.follow_up.id, worker));
//   }
class FollowUpStore {
 public:
  virtual ~FollowUpStore() = default;

  // FollowUpStore::persist()
  //
  // Keeps `follow_up` of case `case_id` as pending. Persisting the same
  // follow-up again (same id, case, kind and due time) changes nothing,
  // whatever became of it, so a retry never revives a cancelled one.
  // Fails with errc::invalid_argument when the due time is not a time,
  // store_errc::conflict when the id is kept for a different follow-up, or
  // storage_failed.
  virtual result<void> persist(const CaseId& case_id, const FollowUp& follow_up) = 0;

  // FollowUpStore::cancel()
  //
  // Cancels a pending or claimed follow-up. Returns true when it did; false
  // when the id is unknown, done or already cancelled.
  virtual result<bool> cancel(const FollowUpId& id) = 0;

  // FollowUpStore::claim_due()
  //
  // Claims up to `max_count` follow-ups due at or before `now_utc` (pending
  // ones, and claimed ones whose lease has ended) for `claimer`, until
  // `now_utc + lease`, earliest due first (then by id). Fails with
  // errc::invalid_argument when `now_utc` is not a time, `lease` is not
  // positive or `max_count` is 0, or storage_failed.
  virtual result<std::vector<ClaimedFollowUp>> claim_due(Instant now_utc, std::size_t max_count,
                                                         const ClaimerId& claimer, Duration lease) = 0;

  // FollowUpStore::complete()
  //
  // Marks a follow-up `claimer` holds as done. Returns true when it did;
  // false when the claimer does not hold it (cancelled, or its lease ended
  // and another claimer took it): the host should then not count on having
  // fired it alone. A claimer still holds a follow-up after its lease ended
  // as long as nobody else has claimed it.
  virtual result<bool> complete(const FollowUpId& id, const ClaimerId& claimer) = 0;

 protected:
  FollowUpStore() = default;
  FollowUpStore(const FollowUpStore&) = default;
  FollowUpStore& operator=(const FollowUpStore&) = default;
};

// Committed
//
// What StepStore::commit() stored for one event: its sequence number and the
// ids of its actions in the outbox, in the order of Step::actions. An
// action's id is "<case>#<seq>.<n>", n counting the step's actions from 1;
// it never changes, so a host that receives an action twice sees the same id.
// `replayed` is true when the event was already stored (a retry, or an event
// id the case already holds) and nothing was written this time.
struct Committed {
  std::uint64_t seq = 0;
  std::vector<std::string> action_ids;
  bool replayed = false;
  friend bool operator==(const Committed&, const Committed&) = default;
};

// action_id()
//
// "<case>#<seq>.<n>": the outbox id of action `n` (from 1) of event `seq`.
std::string action_id(const CaseId& case_id, std::uint64_t seq, std::size_t n);

// ClaimedAction
//
// An action taken from the outbox by one claimer until `lease_until_utc`.
// `json` is the action's JSON form (to_json(const Action&)); `type` its
// action_type(). The host carries it out and then acknowledges its id; if it
// does not before the lease ends (it crashed), the action is handed out again.
struct ClaimedAction {
  std::string id;
  CaseId case_id;
  std::uint64_t seq = 0;
  std::uint32_t n = 0;
  std::string type;
  std::string json;
  Instant lease_until_utc;
  friend bool operator==(const ClaimedAction&, const ClaimedAction&) = default;
};

// StepStore
//
// A journal and follow-up store that also commits whole engine steps and
// keeps their actions in a transactional outbox, delivered at least once.
//
// Example (given redress::StepStore& store, const redress::Case& c, const redress::Event& event,
//          const redress::Policy& policy, const redress::ClaimerId& worker, redress::Instant now,
//          const std::function<void(std::string_view type, std::string_view json)>& carry_out):
//   BOOST_OUTCOME_TRY(redress::Step step, redress::apply(c, event, policy, now));
//   BOOST_OUTCOME_TRY(auto done, store.commit(redress::CaseHeader::of(c), event, step,
//                                             c.events_applied(), "msg-4711"));
//   BOOST_OUTCOME_TRY(auto batch, store.claim_actions(now, 100, worker, boost::posix_time::minutes(5)));
//   for (const redress::ClaimedAction& a : batch) {
//     carry_out(a.type, a.json);
//     BOOST_OUTCOME_TRY(bool acknowledged, store.acknowledge(a.id));
//   }
class StepStore : public JournalStore, public FollowUpStore {
 public:
  // StepStore::commit()
  //
  // In one transaction: appends `event` as event `expected_last_seq + 1` of
  // case `header.id`, records the case's state after it (state_of(step.next)),
  // persists the follow-ups of the step's ScheduleFollowUp actions (as
  // persist() does), cancels those of its CancelFollowUp actions (as cancel()
  // does), and writes every action of the step to the outbox as pending.
  // All of it or nothing.
  //
  // `event_id` is the host's id of the event (its message id; 1 to 256
  // bytes of UTF-8). When the case already holds an event with that id,
  // nothing is stored and the stored outcome comes back with `replayed`,
  // whatever `expected_last_seq` says. Without an id, a retry is still
  // recognised as append() recognises one (the case's last event is this one).
  //
  // Fails with
  //   - errc::invalid_argument when the event or step.next belongs to another
  //     case than `header`, the event's instant is not a time, or `event_id`
  //     is empty, too long or not UTF-8 (the detail names the field);
  //   - errc::invalid_event as append() does;
  //   - store_errc::conflict when the case's last sequence number is not
  //     `expected_last_seq`, the store holds another header for the case, or
  //     a scheduled follow-up's id is kept for another follow-up;
  //   - store_errc::storage_failed.
  virtual result<Committed> commit(const CaseHeader& header, const Event& event, const Step& step,
                                   std::uint64_t expected_last_seq,
                                   std::optional<std::string_view> event_id = std::nullopt) = 0;

  // StepStore::committed()
  //
  // The stored outcome (with `replayed`) of the event `event_id` of case
  // `case_id`; std::nullopt when the case holds no event with that id. Lets a
  // host skip applying an event it already committed. Fails with
  // errc::invalid_argument for an event id commit() would refuse, or
  // store_errc::storage_failed.
  virtual result<std::optional<Committed>> committed(const CaseId& case_id, std::string_view event_id) const = 0;

  // StepStore::claim_actions()
  //
  // Claims up to `max_count` outbox actions for `claimer` until
  // `now_utc + lease`: pending ones and claimed ones whose lease has ended,
  // in the order they were committed. Fails as claim_due() does.
  virtual result<std::vector<ClaimedAction>> claim_actions(Instant now_utc, std::size_t max_count,
                                                           const ClaimerId& claimer, Duration lease) = 0;

  // StepStore::acknowledge()
  //
  // Marks the action `action_id` as carried out: it is never handed out
  // again. Returns true when it did; false when the id is unknown or already
  // acknowledged. Whoever holds the claim, the first acknowledgement wins.
  virtual result<bool> acknowledge(std::string_view action_id) = 0;

 protected:
  StepStore() = default;
  StepStore(const StepStore&) = default;
  StepStore& operator=(const StepStore&) = default;
};

// ContactMatch
//
// The open cases a contact point is on (PersonalDataStore::find_open_cases),
// most recently active first, and how many customers they belong to.
struct ContactMatch {
  std::vector<CaseId> cases;
  std::vector<CustomerId> customers;  // distinct, in the order of `cases`

  // The case a contact from this point belongs to: the most recently active
  // open case when all of them are one customer's; std::nullopt when there
  // is none (open a new case) or they belong to several customers.
  std::optional<CaseId> case_to_attach() const {
    if (cases.empty() || customers.size() != 1) return std::nullopt;
    return cases.front();
  }
  // The point is on open cases of more than one customer: nothing is
  // guessed; the host must say which case (or customer) it is.
  bool ambiguous() const noexcept { return customers.size() > 1; }
  friend bool operator==(const ContactMatch&, const ContactMatch&) = default;
};

// Erasure
//
// What PersonalDataStore::erase() did.
struct Erasure {
  std::size_t cases = 0;             // the customer's cases (still counted by reports)
  std::size_t events_rewritten = 0;  // events whose personal fields now read "[erased]"
  std::size_t index_entries = 0;     // contact-index entries deleted
  bool key_deleted = false;          // the customer had a data key, and it is gone
  friend bool operator==(const Erasure&, const Erasure&) = default;
};

// PersonalDataStore
//
// A store that protects the personal data in what it keeps (docs/privacy.md):
// an index from each contact point (as a keyed hash, never in clear) to the
// open cases it was seen on, personal fields sealed with a per-customer data
// key, and erasure of a customer on request. SqliteStore is one.
//
// Example (given redress::PersonalDataStore& store, const redress::CustomerId& customer):
//   auto phone = redress::ContactPoint::phone("13812345678").value();
//   BOOST_OUTCOME_TRY(redress::ContactMatch match, store.find_open_cases(phone));
//   if (match.ambiguous()) { /* several customers: ask, guess nothing */ }
//   else if (auto id = match.case_to_attach()) { /* attach the contact to *id */ }
//   else { /* open a new case */ }
//   BOOST_OUTCOME_TRY(redress::Erasure gone, store.erase(customer));  // journals replay; names read "[erased]"
class PersonalDataStore {
 public:
  virtual ~PersonalDataStore() = default;

  // PersonalDataStore::find_open_cases()
  //
  // The open cases whose committed or appended contact_received events came
  // from `point` (ContactReceived::from), most recently active first. A
  // closed case is not listed (a later append that reopens it lists it again);
  // an erased customer's cases never are. Fails with storage_failed.
  virtual result<ContactMatch> find_open_cases(const ContactPoint& point) const = 0;

  // PersonalDataStore::erase()
  //
  // Erases `customer`'s personal data, in one transaction: deletes their data
  // key (what sealed their personal fields), their contact-index entries, and
  // rewrites their events' personal fields as "[erased]" (contact points are
  // left out) and their outbox actions as delivered, without a body. Their
  // cases stay: journals replay, reports count them. A customer the store
  // has never seen is erased trivially (all counts 0). Erasing again changes
  // nothing more. A later event of the customer starts a new data key.
  // Fails with storage_failed or corrupt_store (a row that does not decode).
  virtual result<Erasure> erase(const CustomerId& customer) = 0;

 protected:
  PersonalDataStore() = default;
  PersonalDataStore(const PersonalDataStore&) = default;
  PersonalDataStore& operator=(const PersonalDataStore&) = default;
};

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_STORE_HPP
