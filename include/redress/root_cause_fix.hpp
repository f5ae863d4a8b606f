// redress/root_cause_fix.hpp: a fixed root cause reaches every customer who suffered it.
//
// Step 4 of recovery records why a failure happened; closing the loop means
// that when the company fixes that cause, the customers who suffered it hear
// what changed. A `RootCauseFix` is the notice: a category of the policy's
// taxonomy, what was fixed, when and by whom. It belongs to no case.
//
// plan_fix_notices() is pure: given the notice and the cases a store holds
// (restored under their policy), it picks the cases with that cause (open
// ones, and closed ones whose last event lies within the policy's
// `fix_notice_window_days` before the fix) and says what to do:
//   - one notice per customer, however many such cases they had, in the
//     locale of their latest case, sent inside their contact window;
//   - for every open case with the cause, a `root_cause.fixed` finding and a
//     suggested update for the agent.
// The store keeps the notice and the notices to send (docs/stores.md); the
// CLI's `redress notify-fixed` and the C API drive both (docs/analytics.md,
// "Root cause fixed").
#ifndef REDRESS_ROOT_CAUSE_FIX_HPP
#define REDRESS_ROOT_CAUSE_FIX_HPP

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include <redress/case.hpp>
#include <redress/error.hpp>
#include <redress/ids.hpp>
#include <redress/messages.hpp>
#include <redress/policy.hpp>
#include <redress/time.hpp>

namespace redress {
inline namespace v1 {

// RootCauseFix
//
// The notice that a root cause was fixed. `category` is a category id of the
// policy's taxonomy (or any text without one); `note` says what changed, in
// words the customer can read; `fixed_by` (may be empty) who fixed it.
//
// Example (given const Settings& settings):
//   BOOST_OUTCOME_TRY(auto at, parse_instant("2026-03-01T09:00:00Z"));
//   BOOST_OUTCOME_TRY(auto fix, RootCauseFix::make("Delivery late", "Couriers now scan at the door", at,
//                                                  "ops-team", settings.root_causes));
//   const std::string& category = fix.category;  // "delivery.late"
struct RootCauseFix {
  std::string category;
  std::string note;
  Instant fixed_at_utc;
  std::string fixed_by;

  // RootCauseFix::make()
  //
  // Resolves `category` through `taxonomy` (an id, label or alias; see
  // CauseTaxonomy::resolve). Fails with errc::invalid_argument naming the
  // field: an unknown category (with the nearest ones), an empty note or one
  // longer than 2000 bytes or not UTF-8, an instant that is not a time, a
  // `fixed_by` longer than 128 bytes or not UTF-8.
  static result<RootCauseFix> make(std::string_view category, std::string note, Instant fixed_at_utc,
                                   std::string fixed_by, const CauseTaxonomy& taxonomy);
  friend bool operator==(const RootCauseFix&, const RootCauseFix&) = default;
};

// has_cause()
//
// Whether case `c` recorded root cause `category` or one below it in the
// tree ("delivery" covers "delivery.late"; "other:<text>" only itself).
bool has_cause(const Case& c, std::string_view category) noexcept;

// FixNotice
//
// Tell one customer what changed: `text` in `locale` (the catalogue's
// "fix.notice"), to be sent at `send_at_utc` (inside their contact window,
// at or after the plan's `now`), on `case_id` (their latest case with the
// cause); `cases` lists every case of theirs with the cause, by id.
struct FixNotice {
  CustomerId customer;
  CaseId case_id;
  std::vector<CaseId> cases;
  Locale locale = Locale::en;
  std::string text;
  Instant send_at_utc;
  friend bool operator==(const FixNotice&, const FixNotice&) = default;
};

// FixOpenCase
//
// An open case with the fixed cause: the finding (`root_cause.fixed`, info
// unless the policy's severities say otherwise) and the update the agent
// could send, in the case's locale.
struct FixOpenCase {
  CaseId case_id;
  Finding finding;
  std::string suggested_update;
  friend bool operator==(const FixOpenCase&, const FixOpenCase&) = default;
};

// FixPlan
//
// What plan_fix_notices() found: the notices by customer id, the open cases
// by case id, and how many cases had the cause (open and closed in the window).
struct FixPlan {
  RootCauseFix fix;
  std::size_t cases = 0;
  std::vector<FixNotice> notices;
  std::vector<FixOpenCase> open_cases;
  friend bool operator==(const FixPlan&, const FixPlan&) = default;
};

// plan_fix_notices()
//
// See the file comment. `cases` are the store's cases as their journals leave
// them (any order; a case listed twice counts once); `policy` gives each
// case's settings (window, contact window, locale, messages) and calendar;
// `now_utc` is when the plan is made (no notice is sent before it). A case
// opened after the fix is left out (the cause came back: it needs its own
// recovery, not this notice). Fails with errc::invalid_argument when
// `now_utc` is not a time, or with errc::policy_failed when the policy does.
//
// Example (given const RootCauseFix& fix, std::span<const Case> cases, const Policy& policy, Instant now,
//          std::function<void(const FixNotice&)> send):
//   BOOST_OUTCOME_TRY(auto plan, plan_fix_notices(fix, cases, policy, now));
//   for (const auto& n : plan.notices) send(n);  // n.customer, n.text, n.send_at_utc
result<FixPlan> plan_fix_notices(const RootCauseFix& fix, std::span<const Case> cases, const Policy& policy,
                                 Instant now_utc);

// to_json()
//
// {"category", "note", "fixed_at", "fixed_by"}; a notice as {"type":
// "notify_fixed", "customer", "case_id", "cases", "locale", "text",
// "send_at"}; a plan as {"fix", "cases", "notices", "open_cases": [{"case_id",
// "finding": {"code", "severity", "message", "at"}, "suggested_update"}]}.
boost::json::value to_json(const RootCauseFix& fix);
boost::json::value to_json(const FixNotice& notice);
boost::json::value to_json(const FixOpenCase& open_case);
boost::json::value to_json(const FixPlan& plan);

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_ROOT_CAUSE_FIX_HPP
