// The engine's working state for one apply(), shared by the rule families in
// src/engine/*.cpp. Internal: not installed, not part of the API.
//
// `detail_case_access` (the one type Case befriends) holds the event, the
// policy, the settings and the step being built. Its recording helpers
// (find, why, act, schedule, ...) are defined here; each rule family defines
// its handlers, `on(const events::X&)`, in its own file:
//
//   contacts.cpp   contacts and stages
//   remedies.cpp   remedies and approvals
//   clocks.cpp     clocks and promises
//   safety.cpp     safety and scope
//   proactive.cpp  proactive recovery
//   apply.cpp      apply() and replay(), the single entry points
#ifndef REDRESS_SRC_ENGINE_INTERNAL_HPP
#define REDRESS_SRC_ENGINE_INTERNAL_HPP

#include <redress/engine.hpp>
#include <redress/messages.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace redress {
inline namespace v1 {
namespace engine_detail {

// The highest authority level the engine looks for when routing an approval.
inline constexpr int kMaxAuthorityLevel = 8;

inline std::string money_text(Money m) { return to_string(m); }

// A policy's failure, whatever its code, is reported as policy_failed.
template <class T>
result<T> from_policy(result<T> r, std::string_view method) {
  if (r) return r;
  return detail::fail(errc::policy_failed,
                      fmt::format("policy.{}: {} ({})", method, r.error().message(), last_error_detail()));
}

// The contact window (policy contact_window), shared by the engine's clocks
// and the root-cause-fixed notices (root_cause_fixed.cpp).
// The zone a customer is contacted in: the case's own, else the policy's
// contact window's, else the calendar's.
const TimeZone& customer_zone_of(const Case& c, const Settings& settings, const Calendar& cal);
// The instant inside window `w` (on `zone`'s clock) and the calendar's
// service hours at or after `ideal` (at or before it when `earlier`);
// `beyond_calendar` when the calendar does not cover the date and the
// window alone decided.
struct WindowInstant {
  Instant at;
  bool beyond_calendar = false;
};
result<WindowInstant> window_instant(const Calendar& cal, const TimeZone& zone, const ContactWindow& w, Instant ideal,
                                     bool earlier);

inline bool remedy_counts_toward_caps(const Remedy& r) { return r.status != RemedyStatus::rejected; }

// `before`, the number, `after`: fmt::format("{}{}{}") for the hot trace lines.
template <class Int>
std::string concat(std::string_view before, Int n, std::string_view after) {
  char digits[24];
  char* end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  std::string out;
  out.reserve(before.size() + static_cast<std::size_t>(end - digits) + after.size());
  out.append(before).append(digits, end).append(after);
  return out;
}

}  // namespace engine_detail

struct detail_case_access {
  const Policy& policy;
  const Event& ev;
  const Settings& settings;
  // The step being built, in place in apply()'s result: the working copy of
  // the case and what this event produces.
  Case& c;
  std::vector<Action>& actions;
  std::vector<Finding>& findings;
  std::vector<TraceEntry>& trace;
  // False when only the case is wanted (replay()): the step's actions,
  // findings and trace are then not recorded, since nobody reads them; the
  // case changes exactly as it would otherwise.
  bool record_step = true;

  // --- texts: the message catalogue (<redress/messages.hpp>) -------------------

  // The language the case speaks: its own, else the policy's default.
  Locale locale() const { return c.locale().value_or(settings.locale); }
  // The zone instants are written in: the policy calendar's (UTC if the
  // calendar cannot be had; a text never fails a step).
  const TimeZone& zone() {
    if (zone_ == nullptr) {
      auto cal = policy.calendar(c);
      static const TimeZone utc = TimeZone::utc();
      zone_ = cal && cal.value() != nullptr ? &cal.value()->time_zone() : &utc;
    }
    return *zone_;
  }
  const TimeZone* zone_ = nullptr;
  // The catalogue's entry `key` in the case's locale, placeholders filled.
  std::string say(std::string_view key, std::initializer_list<MessageArg> args = {}) {
    return settings.messages.format(key, locale(), args, zone());
  }
  // A word in the case's locale: the entry "<prefix><name>" ("channel." +
  // "phone"), or `name` itself when the catalogue has none (a host's word).
  std::string term(std::string_view prefix, std::string_view name) const {
    std::string key;
    key.reserve(prefix.size() + name.size());
    key.append(prefix).append(name);
    std::string_view t = settings.messages.text(key, locale());
    return std::string(t.empty() ? name : t);
  }

  // The pin for `ref`: cases pinned to the same policy version one after
  // another on a thread share one block (a closed case's JSON and equality
  // are the same as with a block of its own).
  static SharedList<PolicyRef> pinned(const PolicyRef& ref) {
    thread_local SharedList<PolicyRef> last;
    if (last.empty() || !(last.front() == ref)) {
      SharedList<PolicyRef> pin;
      pin.push_back(ref);
      last = std::move(pin);
    }
    return last;
  }

  void finish() {
    // A case is pinned to the policy its first event is applied with.
    if (c.events_applied_ == 0 && c.policy_.empty()) {
      if (const PolicyRef* ref = policy.identity()) c.policy_ = pinned(*ref);
    }
    c.last_event_at_utc_ = ev.at_utc;
    ++c.events_applied_;
  }

  // --- recording ---------------------------------------------------------

  Severity severity_of(std::string_view code, Severity fallback) const {
    auto it = settings.severities.find(code);
    return it == settings.severities.end() ? fallback : it->second;
  }

  // Records a finding; returns its severity (after policy overrides).
  Severity find(std::string_view code, Severity fallback, std::string message) {
    Severity s = severity_of(code, fallback);
    Finding f{FindingCode(code), s, std::move(message), ev.at_utc};
    if (record_step) findings.push_back(f);
    c.findings_.push_back(std::move(f));
    return s;
  }

  // Most events add one to three of each: one block, not one per growth.
  void why(std::string_view rule, std::string detail) {
    if (!record_step) return;
    if (trace.capacity() == 0) trace.reserve(4);
    trace.push_back({std::string(rule), std::move(detail)});
  }
  void act(Action a) {
    if (!record_step) return;
    if (actions.capacity() == 0) actions.reserve(4);
    actions.push_back(std::move(a));
  }

  void raise_priority(Priority at_least) { c.priority_ = std::max(c.priority_, at_least); }
  // Raises the priority one step, up to `urgent`; at `urgent` or above it
  // stays, with the finding priority.at_top. Returns whether it rose.
  bool bump_priority() {
    if (c.priority_ < Priority::urgent) {
      c.priority_ = static_cast<Priority>(static_cast<int>(c.priority_) + 1);
      return true;
    }
    find("priority.at_top", Severity::info,
         say("finding.priority.at_top", {{"priority", term("priority.", to_string(c.priority_))}}));
    return false;
  }

  // --- the escalation ladder -------------------------------------------------

  // The highest level of the policy's ladder (at least 1).
  int top_level() const {
    auto n = static_cast<int>(settings.escalation_levels.size());
    return std::clamp(n - 1, 1, engine_detail::kMaxAuthorityLevel);
  }
  // Whom a level goes to: the ladder's role name (in the case's locale when
  // the catalogue has a "role.<name>" entry), or "level N".
  std::string role(int level) {
    if (level >= 0 && static_cast<std::size_t>(level) < settings.escalation_levels.size()) {
      return term("role.", settings.escalation_levels[static_cast<std::size_t>(level)]);
    }
    return say("level", {{"level", std::int64_t{level}}});
  }
  // Escalates the case to `level`, or to where it already is if that is
  // higher (the ladder never goes back down), recording it in the case with
  // the rule that escalated it.
  void escalate_to(int level, std::string_view cause, std::string reason) {
    int from = c.escalation_level();
    level = std::max(level, from);
    std::string to = role(level);
    why("escalation.ladder", level > from ? fmt::format("level {} -> {} ({})", from, level, to)
                                          : fmt::format("stays at level {} ({}), the top of the ladder", level, to));
    act(actions::Escalate{level, std::move(reason), std::move(to)});
    c.escalations_.push_back({ev.at_utc, level, FindingCode(cause)});
  }
  // Escalates one level above the case's current level, up to the top.
  void escalate(std::string_view cause, std::string reason) {
    escalate_to(std::min(c.escalation_level() + 1, top_level()), cause, std::move(reason));
  }

  // --- follow-ups ----------------------------------------------------------

  // The id of the case's follow-up number `seq`: "<case id>#<seq>". The case
  // id is valid, so only the length can fail.
  result<FollowUpId> follow_up_id(std::uint64_t seq) const {
    char buf[FollowUpId::kMaxBytes + 24];
    std::string_view case_id = c.id_.str();
    std::size_t n = std::min(case_id.size(), FollowUpId::kMaxBytes + 1);
    std::copy_n(case_id.data(), n, buf);
    buf[n] = '#';
    char* end = std::to_chars(buf + n + 1, buf + sizeof buf, seq).ptr;
    return FollowUpId::make(std::string_view(buf, static_cast<std::size_t>(end - buf)));
  }

  // `basis`: what `due` was computed from on the calendar (clocks.cpp re-times
  // it on a new calendar), or nothing for a timer off the calendar.
  result<FollowUpId> schedule(FollowUpKind kind, Instant due, const ClockBasis& basis = {}) {
    BOOST_OUTCOME_TRY(auto id, follow_up_id(c.next_follow_up_));
    ++c.next_follow_up_;
    FollowUp f{id, kind, due, basis};
    c.pending_.push_back(f);
    act(actions::ScheduleFollowUp{std::move(f)});
    return id;
  }

  void cancel_if(auto&& pred) {
    auto& p = c.pending_;
    for (std::size_t i = 0; i < p.size();) {
      if (pred(p[i])) {
        act(actions::CancelFollowUp{p[i].id});
        p.erase(i);
      } else {
        ++i;
      }
    }
  }
  void cancel_kind(FollowUpKind kind) {
    // A clock's warning goes with it (clocks.cpp).
    FollowUpKind warning = kind == FollowUpKind::update    ? FollowUpKind::update_warning
                           : kind == FollowUpKind::promise ? FollowUpKind::promise_warning
                                                           : kind;
    cancel_if([&](const FollowUp& f) { return f.kind == kind || f.kind == warning; });
  }

  // --- helpers -------------------------------------------------------------

  std::error_code bad_event(std::string why) {
    return detail::fail(errc::invalid_event,
                        fmt::format("{} event on case {}: {}", event_type(ev.body), c.id_.str(), why));
  }

  result<void> check_currency(Money m, std::string_view field) {
    if (m.currency() != c.currency_) {
      return bad_event(fmt::format("{} is in {}, the case is valued in {}", field, m.currency().code(),
                                   c.currency_.code()));
    }
    return boost::outcome_v2::success();
  }

  // The gift framing for a remedy of `kind`: the policy's text, else the
  // catalogue's "framing.<kind>".
  std::string framing(RemedyKind kind) {
    auto it = settings.framing.find(kind);
    return it == settings.framing.end() ? term("framing.", to_string(kind)) : it->second;
  }
  // A policy text when set, else the catalogue's entry `key`.
  std::string policy_text(const std::string& text, std::string_view key) {
    return text.empty() ? say(key) : text;
  }

  // A case's list, to change in place (copied first when shared with
  // another case, such as the caller's).
  template <class T>
  static std::span<T> change(SharedList<T>& list) {
    return {list.mutable_data(), list.size()};
  }

  // The remedy or order with this id, to change, or nullptr.
  template <class T>
  static T* changed(SharedList<T>& list, const T* found) {
    if (found == nullptr) return nullptr;
    auto i = static_cast<std::size_t>(found - list.begin());
    return &change(list)[i];
  }
  Remedy* remedy(const RemedyId& id) { return changed(c.remedies_, c.find_remedy(id)); }
  Order* order(const OrderId& id) { return changed(c.orders_, c.find_order(id)); }

  result<const Calendar*> calendar() {
    BOOST_OUTCOME_TRY(auto cal, engine_detail::from_policy(policy.calendar(c), "calendar"));
    if (cal == nullptr) return detail::fail(errc::policy_failed, "policy.calendar: returned no calendar");
    return cal;
  }

  // --- apply.cpp: what no event may carry -------------------------------------

  // Refuses an event no case could take, before any handler runs: a text over
  // kMaxEventTextBytes or with a NUL byte, both forms of a deadline, a timer
  // for a follow-up this case never scheduled.
  result<void> check_event();

  // --- contacts.cpp: contacts and stages --------------------------------------

  result<void> on(const events::ContactReceived& e);
  std::string history();
  result<void> on(const events::EmotionObserved& e);
  // Lints what an agent said (an apology, an update) and records the lint's
  // findings as "lint.<code>".
  result<void> lint_text(std::string_view text);
  result<void> on(const events::ApologyGiven& e);
  result<void> on(const events::ForgivenessSignalled&);
  void review_before_apology(std::string_view what);
  result<void> on(const events::QuestionAsked& e);
  result<void> on(const events::FactsReviewed&);
  result<void> on(const events::NeedStated& e);
  result<void> on(const events::OrderLinked& e);
  result<void> on(const events::Resolved&);
  result<void> on(const events::SatisfactionConfirmed& e);
  result<void> on(const events::RootCauseRecorded& e);
  result<void> on(const events::CloseRequested&);

  // --- policy_pin.cpp: moving a case to another policy version -------------
  result<void> on(const events::PolicyMoved& e);

  // --- remedies.cpp: remedies and approvals -----------------------------------

  // The lowest level whose authority covers `value` for `kind`, or -1.
  result<int> approval_level(RemedyKind kind, Money value);
  // The rules a proposal must pass before it may be offered. Returns true
  // when a blocking finding was raised.
  result<bool> remedy_blocked(const events::RemedyProposed& e, const Order* o);
  result<void> on(const events::RemedyProposed& e);
  result<Remedy*> known_remedy(const RemedyId& id);
  result<void> on(const events::RemedyApproved& e);
  result<void> on(const events::RemedyRejected& e);
  result<void> on(const events::RemedyAccepted& e);
  result<void> on(const events::RemedyGranted& e);
  // The caps on remedies (incident group, customer money and count): the
  // level a remedy over one must be approved at (0 when none is exceeded),
  // or -1 when the policy made remedy.over_cap blocking.
  result<int> cap_level(const events::RemedyProposed& e, int authority_level);
  // Sends a remedy for approval at `level` and starts the approval clock.
  result<void> request_approval(Remedy& r, int level);
  // Stops the approval clock of a remedy that was decided.
  result<void> stop_approval_clock(Remedy& r);
  // An approval timer fired unanswered: the request goes one level up.
  result<void> approval_timed_out(const FollowUp& f);

  // --- ladder.cpp: the remedy ladder, suggestions --------------------------

  // Why the right this order lost may not be extended now, or nullopt when
  // it may (the order's loss must be a right).
  result<std::optional<std::string>> extension_refusal(const Order& o);
  // What the order cost the customer: the loss amount, or the right's value.
  static Money lost_value(const Order& o);
  // Findings for a proposal that skips a cheaper eligible rung, replaces
  // below the lost value, or pays cash out of proportion to a money loss.
  // Returns true when one of them is blocking (a policy's choice).
  result<bool> judge_against_ladder(const events::RemedyProposed& e, const Order& o);
  // How to offer `r`, approved at `approved_level` (0: the front line alone).
  std::string offer_framing(const Remedy& r, int approved_level);
  // The ranked rungs of the ladder for a need no remedy meets, or nothing.
  result<void> suggest(std::vector<Suggestion>& out);

  // --- clocks.cpp: clocks and promises ----------------------------------------

  result<void> on(const events::ProgressUpdateSent& e);
  // The 20-minute rule: an update is due `update_interval` from now.
  result<void> restart_update_clock(std::string_view why_text);
  result<void> on(const events::PromiseMade& e);
  result<void> on(const events::TimerFired& e);
  result<void> on(const events::RightExpiring& e);
  // Promises kept or broken, the update clock a promise covers, pauses.
  // (clocks.cpp; docs/engine.md, "Clocks")
  result<void> on(const events::PromiseKept& e);
  result<void> on(const events::PromiseBroken& e);
  result<void> on(const events::AwaitingCustomer& e);
  result<void> on(const events::AwaitingThirdParty& e);
  result<void> on(const events::ThirdPartyAnswered& e);
  // An update reached the customer: a late one is noted, the overdue mark cleared.
  void note_update_sent();
  // The open promise that stands in for the update clock, or nullptr.
  const Promise* covering_promise() const;
  // Restarts the update clock unless one is pending, one is overdue or the case is resolved.
  result<void> resume_update_clock(std::string_view why_text);
  // The deadline `working_days` working days, or else `working_time` of
  // service hours, after the event; `what` names it in the trace.
  // `kind` picks the policy's deadline rule (close of service or business time).
  result<Instant> working_deadline(int working_days, Duration working_time, std::string_view what,
                                   PromiseKind kind = PromiseKind::reply);
  result<Instant> working_deadline_from(Instant from, int working_days, Duration working_time,
                                        std::string_view what, PromiseKind kind);
  // A `calendar.provisional` finding and trace when `due` lies in a provisional year.
  void note_provisional(const Calendar& cal, Instant due, std::string_view what);
  // A promise's deadline from `from`: its kind's rule; a callback inside the contact window.
  result<Instant> promise_due(Instant from, PromiseKind kind, int working_days, Duration working_time,
                              std::string_view what);
  // The customer's zone: the case's own, else the policy's contact window's, else the calendar's.
  const TimeZone& customer_zone(const Calendar& cal) const;
  // The instant an outbound contact ideally at `ideal` is sent: inside the
  // customer's contact window (in their zone) and the calendar's service
  // hours, at or before `ideal` when `earlier`, else at or after it; `what`
  // names the contact in the trace when it moves.
  result<Instant> contact_instant(Instant ideal, bool earlier, std::string_view what);
  // Public reviews: a contact's zone and public channel, a negative feeling
  // on it, the public reply, a missed reply.
  result<void> contact_clocks(const events::ContactReceived& e);
  result<void> public_feeling(const events::EmotionObserved& e);
  result<void> on(const events::PublicReplySent& e);
  result<void> on(const events::CustomerTimeZone& e);
  result<void> public_reply_missed(const FollowUp& f);
  // A new calendar: open promises and every pending follow-up computed on
  // the calendar whose deadlines change are re-timed.
  result<void> on(const events::CalendarChanged&);
  result<FollowUpId> reschedule(const FollowUp& old, Instant due, std::string why_text);
  // A follow-up's due instant computed from its basis on the policy's calendar.
  result<Instant> basis_due(FollowUpKind kind, const ClockBasis& b);
  // Re-times one pending follow-up on the new calendar; true when it moved.
  result<bool> retime(const FollowUp& f);
  result<void> start_customer_wait(std::string_view what);
  void end_customer_wait(std::string_view why_text);
  // The customer got in touch while the case waited on them.
  result<void> customer_answered();
  // Resolution ends every wait (contacts.cpp calls it).
  void end_waits_on_resolution();
  // The case's clock state, to change (created on first use).
  Case::Clocks& clocks() {
    if (c.clocks_.empty()) c.clocks_.push_back({});
    return change(c.clocks_)[0];
  }
  result<void> timer_clocks(const FollowUp& f);
  // Warnings before a clock runs out.
  result<std::optional<FollowUpId>> schedule_promise_warning(Instant due);
  result<void> warn_before(const FollowUp& f);
  // Targets by priority and channel (policy `targets`).
  ClockTargets targets() const;
  result<void> schedule_resolution(Instant due, const ClockBasis& basis);

  // --- safety.cpp: safety and scope -------------------------------------------

  result<void> on(const events::SafetyRiskReported&);
  result<void> on(const events::AbuseEstablished&);
  result<void> on(const events::PrecedentCited& e);
  result<void> on(const events::OutOfScopeRequest& e);

  // --- proactive.cpp: proactive recovery --------------------------------------

  result<void> on(const events::FailureSignal& e);

  // --- journal.cpp: a case read back from its JSON (case_from_json) ----------

  static result<Case> from_json(const boost::json::value& v, std::string_view path);
  // The number the next follow-up id takes.
  static std::uint64_t next_follow_up(const Case& c) noexcept;
};

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_SRC_ENGINE_INTERNAL_HPP
