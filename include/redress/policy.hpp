// redress/policy.hpp: the host's voice.
//
// The rules in redress have defaults (docs/domain.md's bold numbers: 20 minutes,
// 200 CNY, 7 days, 2 working days); a host changes them through a `Policy`.
// A Policy answers a handful of questions, each returning a `result`:
//
//   settings(case)             targets, thresholds, caps, framing texts, contact window
//   authority(level, kind)     what an agent at authority `level` may grant alone
//   calendar(case)             the business calendar promises are kept on
//   scope(case, request)       whether a request is within the service, why not, what instead
//   prior_spend(case)          what the customer and the incident group already received
//
// Thread safety: the engine calls a policy only from the thread that calls
// apply(), and only through const methods. A policy shared between threads
// must make its const methods safe to call concurrently (the reference
// policy is immutable after construction, so it is).
//
// No exception may cross the interface: the engine catches anything a policy
// throws and reports errc::policy_failed, leaving the case unchanged.
//
// `ReferencePolicy` reads the same settings from a JSON document
// (docs/policy.md), so a host can start without code.
#ifndef REDRESS_POLICY_HPP
#define REDRESS_POLICY_HPP

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include <redress/calendar.hpp>
#include <redress/case.hpp>
#include <redress/lint.hpp>
#include <redress/taxonomy.hpp>
#include <redress/messages.hpp>

namespace redress {
inline namespace v1 {

// ContactWindow
//
// The local hours a customer may be contacted: [opens, closes), e.g.
// 10:00-20:00, on the customer's clock. Every outbound contact the engine
// schedules (updates, satisfaction checks, reminders, promised callbacks)
// lands inside it and inside the calendar's service hours. The zone is the
// case's own when a contact gave one, else `time_zone`, else the calendar's.
struct ContactWindow {
  Duration opens = boost::posix_time::hours(10);
  Duration closes = boost::posix_time::hours(20);
  std::optional<TimeZone> time_zone;
  friend bool operator==(const ContactWindow&, const ContactWindow&) = default;
};

// ClockTargets
//
// The service targets of one row of the policy's target matrix: when the
// first response and each update are due, when the problem should be
// resolved (none: no resolution clock), counted on the business calendar's
// service hours or around the clock.
struct ClockTargets {
  Duration first_response = boost::posix_time::minutes(20);
  Duration update = boost::posix_time::minutes(20);
  std::optional<Duration> resolution;
  bool service_hours = false;
  friend bool operator==(const ClockTargets&, const ClockTargets&) = default;
};

// TargetRow
//
// A row of the target matrix: the targets for cases of `priority` that came
// in on `channel` (either left out: any).
struct TargetRow {
  std::optional<Priority> priority;
  std::optional<Channel> channel;
  ClockTargets targets;
  friend bool operator==(const TargetRow&, const TargetRow&) = default;
};

// Settings
//
// Targets and thresholds. Every default is the one docs/domain.md gives.
struct Settings {
  Currency currency = Currency::CNY;
  // The 20-minute rule: an update is due this long after the complaint and after each update.
  Duration update_interval = boost::posix_time::minutes(20);
  // After resolution, when to ask how the customer feels.
  Duration satisfaction_check_after = boost::posix_time::hours(24);
  // Repeat contacts (after the first) that escalate the case by themselves.
  int repeat_contacts_to_escalate = 2;
  // A right that expired at most this many days ago may be extended...
  int extension_grace_days = 7;
  // ...this many times.
  int max_extensions = 1;
  // Cash that may be paid as goodwill where the customer lost nothing.
  Money goodwill_cap = Money::zero(Currency::CNY);
  // Remedies on one incident group (linked orders and cases), all together.
  std::optional<Money> incident_group_cap;
  // Remedies to one customer within `customer_cap_period`.
  std::optional<Money> customer_cap;
  Duration customer_cap_period = boost::posix_time::hours(24 * 30);
  // Failure signals that open a proactive case.
  int failure_signal_threshold = 3;
  // Loss aversion for the pattern reports (<redress/analytics.hpp>): a loss
  // weighs λ times a gain of the same size (Tversky & Kahneman 1992: 2.25).
  // λ in thousandths, so 2250 is 2.25; at least 1000 (λ >= 1).
  int loss_aversion_permille = 2250;
  // How long before a right expires the reminder should reach the customer.
  Duration reminder_lead = boost::posix_time::hours(48);
  ContactWindow contact_window;
  // How each remedy kind is offered: as a gift or a special request, never
  // "by the rules". A kind the map leaves out is framed by the message
  // catalogue's "framing.<kind>" entry in the case's locale; a text here is
  // used as written, whatever the locale (per-locale texts go in `messages`).
  std::map<RemedyKind, std::string> framing;
  // The language a case speaks unless the case or a contact names one.
  Locale locale = Locale::en;
  // The message catalogue: the built-in entries (data/messages/) and the
  // host's overrides and additions (the policy's `messages` section).
  MessageCatalogue messages;
  // Severity overrides by finding code ("remedy.before_need": block).
  std::map<std::string, Severity, std::less<>> severities;
  // How apologies and updates are linted (<redress/lint.hpp>); the agent's
  // authority in the lint context is authority(0, cash).
  LintPolicy lint = LintPolicy::standard();

  // --- routing and escalation ------------------------------------------------

  // The escalation ladder: the role at each authority level, index = level
  // (0: the front line). Escalations climb it one level at a time and stay at
  // its top; its size - 1 is the top level (at least 1).
  std::vector<std::string> escalation_levels{"front line", "supervisor", "service manager", "head of service"};
  // Remedies (not counting non-material ones) to one customer within
  // `customer_cap_period`, by count: one more goes to approval.
  std::optional<int> customer_cap_count;
  // The authority level a remedy over the incident-group cap, or over a
  // customer cap (money or count), is sent to for approval. Default: one
  // level above the level its value needs. A policy that sets the severity
  // of `remedy.over_cap` to block rejects such remedies instead.
  std::optional<int> incident_group_cap_level;
  std::optional<int> customer_cap_level;
  // How long, in working time on the policy's calendar, a request for
  // approval may wait before it goes one level up.
  Duration approval_timeout = boost::posix_time::minutes(30);
  // The framing of a remedy approved at level 1 or above (the only framing
  // that may say a supervisor was asked). Empty: the catalogue's
  // "framing.approved" in the case's locale.
  std::string approved_framing;

  // --- suggestions and the ladder --------------------------------------------

  // The values a replacement comes in (e.g. coupons of 10, 20, 50, 100),
  // ascending; a suggested replacement is the lost value rounded up to the
  // next one. Empty: the lost value itself.
  std::vector<Money> replacement_denominations;
  // An extra gesture, in thousandths of the loss (100: 10%), rounded up to a
  // whole major unit.
  int extra_gesture_permille = 100;
  // The framing of a replacement worth less than what was lost (it must not
  // say "of the same value"). Empty: the catalogue's "framing.below_value".
  std::string below_value_framing;
  // --- clocks: promises and pauses (docs/engine.md, "Clocks")
  // While a promise with a deadline is open and the customer has not been in
  // touch since it was made, the promise is the update: the update clock
  // (update_interval) does not run.
  bool promise_covers_updates = true;
  // While the case waits on the customer: remind them after this many
  // working days of silence (0: never), and resolve the case after this
  // many (0: never).
  int awaiting_reminder_working_days = 0;
  int awaiting_auto_resolve_working_days = 0;
  // Warnings before a clock runs out (zero: none): this long before an
  // update is due, and this much service time before a promise lapses.
  Duration update_warning_lead;
  Duration promise_warning_lead;
  // The target matrix by priority and channel; the first matching row wins.
  // No row matches: update_interval for the first response and the updates,
  // around the clock, no resolution clock (the seeds' 20-minute rule).
  std::vector<TargetRow> targets;
  // --- root causes (<redress/taxonomy.hpp>, docs/policy.md)
  // The tree of root-cause categories a recorded cause must name (or
  // "other:<text>" when it allows that). Empty: any non-empty text.
  CauseTaxonomy root_causes;
  // When a root cause is fixed (<redress/root_cause_fix.hpp>), closed cases
  // with that cause whose last event lies at most this many days before the
  // fix hear about it too (open ones always do).
  int fix_notice_window_days = 180;
  // How "within n working days" is read, per promise kind (docs/policy.md,
  // "Deadlines"). A kind not listed: DeadlineRule::close_of_service, the
  // day the customer hears ("by Monday"), never earlier than business time.
  std::map<PromiseKind, DeadlineRule> deadline_rules;
  // A negative contact on a public channel (review, social) must be replied
  // to publicly within this much service time (zero: no public-reply clock).
  Duration public_reply_within;

  // The deadline rule for a promise of `kind`.
  DeadlineRule deadline_rule(PromiseKind kind) const {
    auto it = deadline_rules.find(kind);
    return it == deadline_rules.end() ? DeadlineRule::close_of_service : it->second;
  }
};

// ScopeAnswer
//
// Whether a request is within the service; if not, the reason to give and an
// alternative to offer (a refusal is never a bare "no").
struct ScopeAnswer {
  bool in_scope = false;
  std::string reason;
  std::string alternative;
};

// Spend
//
// Remedies already granted outside this case, as the host's records show:
// to this incident group, and to this customer within the cap period.
struct Spend {
  std::optional<Money> incident_group;
  std::optional<Money> customer_in_period;
  // Remedies (not counting non-material ones) granted to this customer in
  // the cap period outside this case, for `customer_cap_count`.
  std::optional<int> customer_remedies_in_period{};
};

// Policy
//
// The interface a host implements. See the file comment for the contract.
class Policy {
 public:
  virtual ~Policy() = default;

  // The policy's identity, which a case records when its first event is
  // applied (Case::policy()); nullptr for a policy without one (the
  // default: a host's own policy need not have one). Borrowed; valid while
  // the policy lives.
  virtual const PolicyRef* identity() const noexcept { return nullptr; }

  // Targets and thresholds for this case. The pointer is borrowed and must
  // stay valid while the policy lives (settings are read on every event, so
  // they are lent, not copied).
  virtual result<const Settings*> settings(const Case& c) const = 0;

  // The most an agent at authority `level` (0: the front line; 1: a
  // supervisor; ...) may grant alone of remedy `kind`. A level with no
  // limit answers std::nullopt. Must be non-decreasing in level.
  virtual result<std::optional<Money>> authority(int level, RemedyKind kind) const = 0;

  // The business calendar for this case's promises. The pointer is borrowed
  // and must stay valid while the policy lives.
  virtual result<const Calendar*> calendar(const Case& c) const = 0;

  // Whether `request` is within the service's scope.
  virtual result<ScopeAnswer> scope(const Case& c, std::string_view request) const = 0;

  // Remedies granted outside this case. Default: none known.
  virtual result<Spend> prior_spend(const Case& c) const;
};

// ForwardingPolicy
//
// A policy that answers every question by asking `base` (borrowed; it must
// outlive this one): the base of decorators that change one answer.
//
// Example (top-level):
//   class WithLedger final : public redress::ForwardingPolicy {
//    public:
//     using ForwardingPolicy::ForwardingPolicy;
//     redress::result<redress::Spend> prior_spend(const redress::Case& c) const override {
//       return redress::Spend{};  // what the host's ledger gave this customer and incident
//     }
//   };
class ForwardingPolicy : public Policy {
 public:
  explicit ForwardingPolicy(const Policy& base) noexcept : base_(base) {}

  const PolicyRef* identity() const noexcept override { return base_.identity(); }
  result<const Settings*> settings(const Case& c) const override { return base_.settings(c); }
  result<std::optional<Money>> authority(int level, RemedyKind kind) const override {
    return base_.authority(level, kind);
  }
  result<const Calendar*> calendar(const Case& c) const override { return base_.calendar(c); }
  result<ScopeAnswer> scope(const Case& c, std::string_view request) const override {
    return base_.scope(c, request);
  }
  result<Spend> prior_spend(const Case& c) const override { return base_.prior_spend(c); }

 protected:
  const Policy& base() const noexcept { return base_; }

 private:
  const Policy& base_;
};

// CalendarResolver
//
// Where a policy's `"calendar": "NAME"` comes from: the calendar document
// (as data/calendars/NAME.json holds it) for a name, or an error. A resolver
// must not throw.
using CalendarResolver = std::function<result<boost::json::value>(std::string_view name)>;

// bundled_calendars()
//
// The resolver ReferencePolicy uses unless given another: the calendars
// redress installs in its data directory (data/calendars/*.json, e.g. "cn",
// "de", "us-ny"), compiled into the library, so resolving reads no file.
// An unknown name fails with errc::invalid_argument naming the known ones.
CalendarResolver bundled_calendars();

// ReferencePolicy
//
// A Policy read from JSON (docs/policy.md gives the format):
//
//   {
//     "currency": "CNY",
//     "authority": [ {"level": 0, "limit": "200"}, {"level": 1, "limit": "2000"}, {"level": 2} ],
//     "update_interval": "PT20M",
//     "id": "coupon-marketplace", "version": "3",
//     "calendar": "cn"   (a name, given to the CalendarResolver; or a calendar document),
//     "lint": { ...LintPolicy::from_json settings... },
//     "scope": { "services": ["coupon", "order"], "out_of_scope": [
//        {"match": "taxi", "reason": "...", "alternative": "..."} ] },
//     ...
//   }
//
// Every field but "calendar" is optional and defaults as in Settings. Invalid
// documents fail with errc::invalid_json (or the field's own code, e.g.
// errc::unknown_currency) and last_error_detail() names the field's path.
// Immutable after construction, so one instance may serve many threads.
class ReferencePolicy final : public Policy {
 public:
  static result<ReferencePolicy> from_json(const boost::json::value& json,
                                           const CalendarResolver& calendars = bundled_calendars());
  static result<ReferencePolicy> parse(std::string_view json_text,
                                       const CalendarResolver& calendars = bundled_calendars());

  const PolicyRef* identity() const noexcept override { return &ref_; }
  // The identity: "id" and "version" as written (empty when left out; a
  // version may be written as a number), and the content hash.
  const PolicyRef& ref() const noexcept { return ref_; }
  // The document in canonical form: members sorted at every level, the
  // calendar resolved into its document, no white space. It reads back
  // (with any resolver) into the same policy with the same hash: what
  // stores keep for every version they see.
  const std::string& canonical_json() const noexcept { return canonical_; }

  result<const Settings*> settings(const Case& c) const override;
  result<std::optional<Money>> authority(int level, RemedyKind kind) const override;
  result<const Calendar*> calendar(const Case& c) const override;
  result<ScopeAnswer> scope(const Case& c, std::string_view request) const override;

  // The settings, as read.
  const Settings& settings() const noexcept { return settings_; }

 private:
  struct Authority {
    int level;
    std::optional<Money> limit;                  // all kinds
    std::map<RemedyKind, Money> limit_by_kind;   // overrides
  };
  struct OutOfScope {
    std::string match;  // a case-insensitive substring of the request
    std::string reason;
    std::string alternative;
  };
  ReferencePolicy(Settings settings, std::vector<Authority> authority, std::shared_ptr<const Calendar> calendar,
                  std::vector<OutOfScope> out_of_scope, std::string default_reason, std::string default_alternative)
      : settings_(std::move(settings)),
        authority_(std::move(authority)),
        calendar_(std::move(calendar)),
        out_of_scope_(std::move(out_of_scope)),
        default_reason_(std::move(default_reason)),
        default_alternative_(std::move(default_alternative)) {}

  Settings settings_;
  PolicyRef ref_;
  std::string canonical_;
  std::vector<Authority> authority_;  // sorted by level
  std::shared_ptr<const Calendar> calendar_;
  std::vector<OutOfScope> out_of_scope_;
  std::string default_reason_;
  std::string default_alternative_;
};

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_POLICY_HPP
