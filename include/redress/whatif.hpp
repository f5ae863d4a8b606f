// redress/whatif.hpp: what a new policy would have changed.
//
// `whatif()` replays a case's recorded events twice, step by step, under the
// policy it was decided under and under a candidate, and returns the
// decisions that differ, event by event (docs/policy.md, "What-if"):
//   - findings raised or cleared (or raised at another severity);
//   - remedies offered, blocked or sent for approval (and at which level);
//   - deadlines that move (follow-ups scheduled at another time, or only
//     under one policy);
//   - escalations and emergencies added or dropped.
// An event that no longer makes sense under the candidate (an approval for a
// remedy the candidate lets the front line offer alone, say) is reported
// among `skipped` and the replay goes on without it: it is not fatal.
//
// A `WhatIfSummary` adds many cases' answers up (how many cases, remedies,
// how much money and how many escalations would change, with examples), as
// text or JSON: what `redress whatif --store` prints. `whatif_store()`
// fills one from every case of a store (the CLI, the C API and Python call
// it); `whatif_html()` (<redress/report.hpp>) renders it as a page in the
// report's style.
//
// Pure: no I/O, no clock (whatif_store() reads only through the store it is
// given).
//
// Example (given const redress::Case& initial, std::span<const redress::Event> journal,
//          const redress::Policy& old_policy, const redress::Policy& new_policy):
//   auto answer = redress::whatif(initial, journal, old_policy, new_policy);
//   if (answer && answer.value().changed()) { /* answer.value().changes */ }
#ifndef REDRESS_WHATIF_HPP
#define REDRESS_WHATIF_HPP

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include <redress/analytics.hpp>
#include <redress/case.hpp>
#include <redress/engine.hpp>
#include <redress/event.hpp>
#include <redress/policy.hpp>
#include <redress/store.hpp>
#include <redress/time.hpp>

namespace redress {
inline namespace v1 {

// WhatIfChangeKind
//
// What kind of decision differs.
enum class WhatIfChangeKind : std::uint8_t {
  finding_raised,    // raised under the candidate only
  finding_cleared,   // raised under the old policy only
  finding_severity,  // raised under both, at another severity
  remedy,            // a remedy offered / sent for approval / blocked differently
  deadline,          // a follow-up due at another time, or under one policy only
  escalation,        // an escalation or an emergency under one policy only, or to another level
};
std::string_view to_string(WhatIfChangeKind k) noexcept;

// WhatIfChange
//
// One decision that differs, at journal[event]: `subject` names what it is
// about (a finding code, a remedy id, a follow-up kind, "escalation"),
// `before` and `after` say what each policy decided ("" where it decided
// nothing), and `value` is the remedy's value for a remedy change.
struct WhatIfChange {
  std::size_t event = 0;
  WhatIfChangeKind kind = WhatIfChangeKind::finding_raised;
  std::string subject;
  std::string before;
  std::string after;
  std::optional<Money> value;
  friend bool operator==(const WhatIfChange&, const WhatIfChange&) = default;
};

// WhatIfSkipped
//
// journal[event] was not applied under `policy` ("old" or "new") and why
// (the engine's error, as last_error_detail() gave it).
struct WhatIfSkipped {
  std::size_t event = 0;
  std::string policy;
  std::string type;
  std::string reason;
  friend bool operator==(const WhatIfSkipped&, const WhatIfSkipped&) = default;
};

// WhatIf
//
// The answer for one case: the cases each policy leads to, the changes in
// journal order, the events skipped.
struct WhatIf {
  Case before;
  Case after;
  std::vector<WhatIfChange> changes;
  std::vector<WhatIfSkipped> skipped;

  bool changed() const noexcept { return !changes.empty() || !skipped.empty(); }
};

// whatif()
//
// Replays `journal` from `initial` under `old_policy` and `new_policy`
// (each event at its own instant) and compares the steps. A policy_moved
// event is applied under neither: each side stays on its own policy, and it
// is reported among `skipped`.
// Fails with errc::invalid_argument when an event is not for `initial`'s
// case (the detail names "journal[i]"), errc::policy_failed when a policy
// throws or answers no settings; nothing else is fatal.
result<WhatIf> whatif(const Case& initial, std::span<const Event> journal, const Policy& old_policy,
                      const Policy& new_policy);

// to_json(const WhatIf&)
//
// {"case", "changed", "changes": [{"event", "at", "kind", "subject",
// "before", "after", "value"?}], "skipped": [{"event", "at", "policy", "type",
// "reason"}], "before": {...}, "after": {...}} where before and after give
// each side's stage, escalation level, remedy value and policy.
boost::json::value to_json(const WhatIf& w, std::span<const Event> journal);

// WhatIfExample
//
// A change kept as an example: its case and the instant of its event.
struct WhatIfExample {
  CaseId case_id;
  WhatIfChange change;
  Instant at_utc;
};

// WhatIfSummary
//
// Many cases' answers added up.
class WhatIfSummary {
 public:
  // Adds a case's answer (journal: the events it was computed from). At most
  // `examples` changes are kept as examples. Fails with
  // errc::amount_overflow.
  result<void> add(const WhatIf& w, std::span<const Event> journal);
  // A case that could not be compared at all (its header missing, its
  // journal unreadable), with the reason.
  void add_failure(const CaseId& id, std::string reason);

  std::int64_t cases() const noexcept { return cases_; }
  std::int64_t cases_changed() const noexcept { return cases_changed_; }
  std::int64_t remedies_changed() const noexcept { return remedies_changed_; }
  std::int64_t escalations_changed() const noexcept { return escalations_changed_; }
  std::int64_t findings_changed() const noexcept { return findings_changed_; }
  std::int64_t deadlines_changed() const noexcept { return deadlines_changed_; }
  std::int64_t events_skipped() const noexcept { return events_skipped_; }
  // The value of the remedies left standing (not rejected) in the final
  // cases, under each policy, per currency.
  const MoneyTotals& remedies_before() const noexcept { return money_before_; }
  const MoneyTotals& remedies_after() const noexcept { return money_after_; }
  // The changes kept as examples (at most max_examples, in the order added)
  // and the cases that could not be compared, with the reason.
  const std::vector<WhatIfExample>& examples() const noexcept { return examples_; }
  const std::vector<std::pair<CaseId, std::string>>& failed() const noexcept { return failed_; }

  // {"cases", "cases_changed", "remedies_changed", "escalations_changed",
  //  "findings_changed", "deadlines_changed", "events_skipped",
  //  "remedy_value_before": [Money], "remedy_value_after": [Money],
  //  "examples": [{"case", ...change}], "failed": [{"case", "reason"}]}
  boost::json::value to_json() const;
  // The same as lines of text for a terminal.
  std::string to_text() const;

  std::size_t max_examples = 10;

 private:
  std::int64_t cases_ = 0, cases_changed_ = 0, remedies_changed_ = 0, escalations_changed_ = 0,
               findings_changed_ = 0, deadlines_changed_ = 0, events_skipped_ = 0;
  MoneyTotals money_before_, money_after_;
  std::vector<WhatIfExample> examples_;
  std::vector<std::pair<CaseId, std::string>> failed_;
};

// WhatIfStoreOptions
//
// Which of a store's cases whatif_store() compares, and how many examples
// it keeps.
struct WhatIfStoreOptions {
  // Only cases opened on or after this day (UTC); every case when unset.
  std::optional<CivilDate> since;
  std::size_t max_examples = 10;
};

// whatif_store()
//
// Compares every case of `store` (opened since `options.since`): its journal
// replayed under the policy version it was opened under (the store's pin,
// PinnedPolicies; `fallback` for a case stored before pins were kept) and
// under `candidate`, added up. A case that cannot be compared (no header, a
// journal or pinned policy that does not read back, a policy failure, totals
// that would overflow) is counted among `failed()` with the reason; the call
// fails only when the store itself cannot be read (errc::storage_failed).
// What `redress whatif --store` prints, redress_whatif_store() in C and
// whatif_store() in Python return.
//
// Example (given const JournalStore& store, const Policy& candidate, const Policy& fallback):
//   BOOST_OUTCOME_TRY(auto s, whatif_store(store, candidate, fallback, {.since = CivilDate(2025, 6, 1)}));
//   fmt::print("{}", s.to_text());
result<WhatIfSummary> whatif_store(const JournalStore& store, const Policy& candidate, const Policy& fallback,
                                   const WhatIfStoreOptions& options = {});

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_WHATIF_HPP
