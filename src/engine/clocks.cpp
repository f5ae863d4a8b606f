// The engine's clock and promise rules.
//
// Clocks and promises: the update interval (the 20-minute rule), promises and their
// deadlines on the business calendar, timers firing, reminders before a right expires.
//
// Part of the engine (src/engine/): the shared working state is in
// engine_internal.hpp, apply() in apply.cpp.
#include "engine_internal.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace redress {
inline namespace v1 {

using boost::outcome_v2::success;

result<void> detail_case_access::on(const events::ProgressUpdateSent& e) {
  BOOST_OUTCOME_TRYV(lint_text(e.text));
  if (c.resolved_) return success();
  if (!c.update_overdue_since_.is_special()) {
    find("update.late", Severity::warn,
         fmt::format("the update came {} after it was due", format_duration(ev.at_utc - c.update_overdue_since_)));
    c.update_overdue_since_ = Instant();
  }
  return restart_update_clock("next update due in");
}

// The 20-minute rule: an update is due `update_interval` from now.
result<void> detail_case_access::restart_update_clock(std::string_view why_text) {
  cancel_kind(FollowUpKind::update);
  BOOST_OUTCOME_TRYV(schedule(FollowUpKind::update, ev.at_utc + settings.update_interval));
  std::string duration = format_duration(settings.update_interval);
  constexpr std::string_view kTail = " (policy update_interval)";
  std::string detail;
  detail.reserve(why_text.size() + 1 + duration.size() + kTail.size());
  detail.append(why_text).append(1, ' ').append(duration).append(kTail);
  why("update.interval", std::move(detail));
  return success();
}

result<void> detail_case_access::on(const events::PromiseMade& e) {
  BOOST_OUTCOME_TRY(auto cal, calendar());
  Instant due;
  if (e.working_days > 0) {
    BOOST_OUTCOME_TRY(due, cal->due_after_working_days(ev.at_utc, e.working_days));
    why("promise.deadline", fmt::format("{} working days on calendar in {}", e.working_days,
                                        cal->time_zone().name()));
  } else if (!e.working_time.is_special() && e.working_time > Duration()) {
    BOOST_OUTCOME_TRY(due, cal->add_working_time(ev.at_utc, e.working_time));
    why("promise.deadline", fmt::format("{} of service hours", format_duration(e.working_time)));
  } else {
    return bad_event("a promise needs working_days > 0 or a positive working_time");
  }
  BOOST_OUTCOME_TRY(auto id, schedule(FollowUpKind::promise, due));
  c.promises_.push_back({id, e.what, ev.at_utc, due, PromiseState::open});
  return success();
}

result<void> detail_case_access::on(const events::TimerFired& e) {
  auto it = std::find_if(c.pending_.begin(), c.pending_.end(),
                         [&](const FollowUp& f) { return f.id == e.follow_up; });
  if (it == c.pending_.end()) {
    why("timer.stale", fmt::format("follow-up {} is not pending (cancelled or fired)", e.follow_up.str()));
    return success();
  }
  FollowUp f = *it;
  c.pending_.erase(static_cast<std::size_t>(it - c.pending_.begin()));
  switch (f.kind) {
    case FollowUpKind::update: {
      find("update.missed", Severity::warn,
           fmt::format("no update within {}", format_duration(settings.update_interval)));
      escalate("update.missed", "no progress update within the update interval");
      // One escalation per miss: the clock restarts with the next update or contact.
      c.update_overdue_since_ = f.due_at_utc;
      why("update.interval", fmt::format("policy update_interval = {}", format_duration(settings.update_interval)));
      break;
    }
    case FollowUpKind::promise: {
      int lapsed = 1;
      for (auto& p : change(c.promises_)) {
        if (p.follow_up == f.id) p.state = PromiseState::lapsed;
        else lapsed += p.state == PromiseState::lapsed;
      }
      find("promise.lapsed", Severity::warn, fmt::format("a promise lapsed at {}", format_instant(f.due_at_utc)));
      bump_priority();
      escalate("promise.lapsed", fmt::format("{} promise(s) to the customer lapsed", lapsed));
      why("promise.lapsed", "a lapsed promise escalates by itself");
      break;
    }
    case FollowUpKind::satisfaction_check:
      act(actions::Reply{"Ask the customer: are you happy with how we handled this?"});
      break;
    case FollowUpKind::reminder:
      act(actions::Reply{"Remind the customer that their right is about to expire, and how to use it."});
      break;
    case FollowUpKind::approval:
      BOOST_OUTCOME_TRYV(approval_timed_out(f));
      break;
  }
  return success();
}

result<void> detail_case_access::on(const events::RightExpiring& e) {
  BOOST_OUTCOME_TRY(auto cal, calendar());
  const TimeZone& tz = cal->time_zone();
  const ContactWindow& w = settings.contact_window;
  Instant expires = tz.to_instant(CivilTime(e.right.expires_on + boost::gregorian::days(1)));
  CivilTime want = tz.to_civil(std::max(expires - settings.reminder_lead, ev.at_utc));
  // Move the reminder into the contact window: the same day's opening if
  // early, the next day's opening if late.
  Duration tod = want.time_of_day();
  if (tod < w.opens) {
    want = CivilTime(want.date(), w.opens);
  } else if (tod >= w.closes) {
    want = CivilTime(want.date() + boost::gregorian::days(1), w.opens);
  }
  Instant due = tz.to_instant(want);
  if (due >= expires) {
    find("reminder.too_late", Severity::warn, "the right expires before the customer's contact window opens");
  }
  BOOST_OUTCOME_TRYV(schedule(FollowUpKind::reminder, due));
  why("reminder.window", fmt::format("policy reminder_lead = {}, contact window {}-{}",
                                     format_duration(settings.reminder_lead), format_duration(w.opens),
                                     format_duration(w.closes)));
  return success();
}

}  // namespace v1
}  // namespace redress
