// The engine's clock and promise rules.
//
// Clocks and promises: the update interval (the 20-minute rule), promises and their
// deadlines on the business calendar, promises kept or broken, a promise that
// stands in for the updates, pauses while the case waits on the customer or a
// third party, timers firing, reminders before a right expires.
//
// Part of the engine (src/engine/): the shared working state is in
// engine_internal.hpp, apply() in apply.cpp.
#include "engine_internal.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace redress {
inline namespace v1 {

using boost::outcome_v2::success;

// --- texts: contact windows, deadline rules, public replies, provisional and
// changed calendars. These are trace texts (for developers, English like the
// rest of the trace), an error, and the reason a re-timed follow-up carries;
// findings and escalations come from the message catalogue.
namespace clock_texts {
inline constexpr std::string_view kWindowMoved = "{} moved from {} to {}: the customer's contact window {}-{} ({}) and service hours";
inline constexpr std::string_view kWindowNoService =
    "{}: the calendar has no service hours on that date; the customer's contact window {}-{} ({}) alone";
inline constexpr std::string_view kDeadlineRule = "{} working days on calendar in {}, {} (policy deadlines.{})";
inline constexpr std::string_view kProvisionalTrace =
    "{} on provisional calendar data from {}; a new calendar re-times it (calendar_changed)";
inline constexpr std::string_view kPublicReplyClock =
    "a negative {} contact at {}: reply publicly by {} ({} of service time, policy public_reply_within)";
inline constexpr std::string_view kPublicReplyOff = "a negative {} contact: no public-reply clock (policy public_reply_within is 0)";
inline constexpr std::string_view kPublicReplyLapse = "a missed public reply escalates once";
inline constexpr std::string_view kPublicReplyLate = "the public reply came {} after it was due";
inline constexpr std::string_view kPublicReplyOnTime = "replied publicly {} before the deadline";
inline constexpr std::string_view kPublicReplyNoClock = "replied publicly to the {} of {}";
inline constexpr std::string_view kNoPublicContact = "the case has no public contact (review, social) to reply to";
inline constexpr std::string_view kRetimed = "the new calendar moves \"{}\" from {} to {}";
inline constexpr std::string_view kRetimedNone = "no open deadline changes on the new calendar";
inline constexpr std::string_view kWindowReason = "policy contact_window {}-{} in {}";
}  // namespace clock_texts

result<void> detail_case_access::on(const events::ProgressUpdateSent& e) {
  BOOST_OUTCOME_TRYV(lint_text(e.text));
  if (c.resolved_) return success();
  note_update_sent();
  return restart_update_clock("next update due in");
}

void detail_case_access::note_update_sent() {
  if (c.update_overdue_since_.is_special()) return;
  find("update.late", Severity::warn, say("finding.update.late", {{"late", ev.at_utc - c.update_overdue_since_}}));
  c.update_overdue_since_ = Instant();
}

// The 20-minute rule: an update is due `update_interval` from now, unless
// the case waits on the customer or an open promise stands in for it.
result<void> detail_case_access::restart_update_clock(std::string_view why_text) {
  cancel_kind(FollowUpKind::update);
  if (!c.clocks().awaiting_since.is_special()) {
    why("update.paused", "the case waits on the customer: no update is due until they answer");
    return success();
  }
  if (const Promise* p = covering_promise()) {
    if (record_step) {  // the trace's text is formatted only when it is kept
      why("update.covered", fmt::format("the promise \"{}\" due {} is the update (policy promise_covers_updates)",
                                        p->what, format_instant(p->due_at_utc)));
    }
    return success();
  }
  if (!settings.targets.empty()) {
    // The target matrix: the first response, then each update, on service
    // hours or around the clock; the first contact starts the resolution clock.
    ClockTargets t = targets();
    bool first = c.contacts_ == 1 && std::holds_alternative<events::ContactReceived>(ev.body);
    Duration span = first ? t.first_response : t.update;
    const ClockBasis basis{ev.at_utc, span, 0, t.service_hours, ContactMove::later};
    BOOST_OUTCOME_TRY(auto due, basis_due(FollowUpKind::update, basis));
    BOOST_OUTCOME_TRYV(schedule(FollowUpKind::update, due, basis));
    if (settings.update_warning_lead > Duration()) {
      BOOST_OUTCOME_TRYV(schedule(FollowUpKind::update_warning, due - settings.update_warning_lead));
    }
    if (record_step) {
      why("update.target", fmt::format("{} {} {} (policy targets: {} {})", why_text, format_duration(span),
                                       t.service_hours ? "of service hours" : "around the clock",
                                       to_string(c.priority_),
                                       c.channels_.empty() ? std::string_view("any") : to_string(c.channels_[0])));
    }
    if (first && t.resolution && c.clocks().resolution_due.is_special() && !c.resolved_) {
      const ClockBasis by{ev.at_utc, *t.resolution, 0, t.service_hours, ContactMove::none};
      BOOST_OUTCOME_TRY(auto resolve_by, basis_due(FollowUpKind::resolution, by));
      BOOST_OUTCOME_TRYV(schedule_resolution(resolve_by, by));
    }
    return success();
  }
  // Wall-clock time, but the contact window meets the calendar's service hours.
  const ClockBasis basis{ev.at_utc, settings.update_interval, 0, false, ContactMove::later};
  BOOST_OUTCOME_TRY(auto due, basis_due(FollowUpKind::update, basis));
  BOOST_OUTCOME_TRYV(schedule(FollowUpKind::update, due, basis));
  if (settings.update_warning_lead > Duration()) {
    BOOST_OUTCOME_TRYV(schedule(FollowUpKind::update_warning, due - settings.update_warning_lead));
  }
  std::string duration = format_duration(settings.update_interval);
  constexpr std::string_view kTail = " (policy update_interval)";
  std::string detail;
  detail.reserve(why_text.size() + 1 + duration.size() + kTail.size());
  detail.append(why_text).append(1, ' ').append(duration).append(kTail);
  why("update.interval", std::move(detail));
  return success();
}

result<Instant> detail_case_access::working_deadline(int working_days, Duration working_time,
                                                     std::string_view what, PromiseKind kind) {
  return working_deadline_from(ev.at_utc, working_days, working_time, what, kind);
}

result<Instant> detail_case_access::working_deadline_from(Instant from, int working_days, Duration working_time,
                                                          std::string_view what, PromiseKind kind) {
  if (working_days < 0) return bad_event("working_days is negative");
  BOOST_OUTCOME_TRY(auto cal, calendar());
  Instant due;
  if (working_days > 0) {
    DeadlineRule rule = settings.deadline_rule(kind);
    BOOST_OUTCOME_TRY(due, cal->due_after_working_days(from, working_days, rule));
    why(what, fmt::format(clock_texts::kDeadlineRule, working_days, cal->time_zone().name(),
                          rule == DeadlineRule::business_time ? "business time" : "close of service",
                          to_string(kind)));
  } else if (!working_time.is_special() && working_time > Duration()) {
    BOOST_OUTCOME_TRY(due, cal->add_working_time(from, working_time));
    why(what, fmt::format("{} of service hours", format_duration(working_time)));
  } else {
    return bad_event("a deadline needs working_days > 0 or a positive working_time");
  }
  note_provisional(*cal, due, what);
  return due;
}

void detail_case_access::note_provisional(const Calendar& cal, Instant due, std::string_view what) {
  auto provisional = cal.is_provisional(due);
  if (!provisional || !provisional.value()) return;
  find("calendar.provisional", Severity::info, say("finding.calendar.provisional", {{"due", due}}));
  why("calendar.provisional",
      fmt::format(clock_texts::kProvisionalTrace, what, format_date(cal.spec().provisional_from)));
}

// A promised callback is an outbound contact: its deadline moves earlier
// into the customer's contact window (never later than promised).
result<Instant> detail_case_access::promise_due(Instant from, PromiseKind kind, int working_days,
                                               Duration working_time, std::string_view what) {
  BOOST_OUTCOME_TRY(auto due, working_deadline_from(from, working_days, working_time, what, kind));
  if (kind != PromiseKind::callback) return due;
  BOOST_OUTCOME_TRY(auto call, contact_instant(due, true, "the callback"));
  if (call < ev.at_utc) {
    find("callback.outside_window", Severity::warn, say("finding.callback.outside_window", {{"due", due}}));
    return due;
  }
  return call;
}

result<void> detail_case_access::on(const events::PromiseMade& e) {
  BOOST_OUTCOME_TRY(auto due, promise_due(ev.at_utc, e.kind, e.working_days, e.working_time, "promise.deadline"));
  BOOST_OUTCOME_TRY(auto id, schedule(FollowUpKind::promise, due));
  BOOST_OUTCOME_TRY(auto warning, schedule_promise_warning(due));
  c.promises_.push_back({std::move(id), e.what, ev.at_utc, due, PromiseState::open, c.contacts_, std::move(warning),
                         e.kind, e.working_days, e.working_time});
  // A promise with its own deadline is an update to the customer; while it
  // is open it stands in for the update clock.
  if (c.resolved_ || covering_promise() == nullptr) return success();
  note_update_sent();
  return restart_update_clock("next update due in");
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
    case FollowUpKind::customer_reminder:
    case FollowUpKind::auto_resolve:
    case FollowUpKind::third_party:
      return timer_clocks(f);
    case FollowUpKind::update_warning:
    case FollowUpKind::promise_warning:
      return warn_before(f);
    case FollowUpKind::resolution:
      find("resolution.missed", Severity::warn, say("finding.resolution.missed", {{"due", f.due_at_utc}}));
      escalate("resolution.missed", say("escalate.resolution.missed"));
      why("resolution.target", "a missed resolution target escalates once");
      clocks().resolution_due = Instant();
      return success();
    case FollowUpKind::update: {
      find("update.missed", Severity::warn,
           settings.targets.empty() ? say("finding.update.missed", {{"interval", settings.update_interval}})
                                    : say("finding.update.missed.by", {{"due", f.due_at_utc}}));
      escalate("update.missed", say("escalate.update.missed"));
      // One escalation per miss: the clock restarts with the next update or contact.
      c.update_overdue_since_ = f.due_at_utc;
      why("update.interval", fmt::format("policy update_interval = {}", format_duration(settings.update_interval)));
      break;
    }
    case FollowUpKind::promise: {
      int lapsed = 1;
      for (auto& p : change(c.promises_)) {
        if (p.follow_up == f.id) p.state = PromiseState::lapsed;
        else lapsed += p.state == PromiseState::lapsed || p.state == PromiseState::broken;
      }
      find("promise.lapsed", Severity::warn, say("finding.promise.lapsed", {{"due", f.due_at_utc}}));
      bump_priority();
      escalate("promise.lapsed", say("escalate.promise.lapsed", {{"count", std::int64_t{lapsed}}}));
      why("promise.lapsed", "a lapsed promise escalates by itself");
      break;
    }
    case FollowUpKind::public_reply:
      return public_reply_missed(f);
    case FollowUpKind::satisfaction_check:
      act(actions::Reply{say("reply.satisfaction_check")});
      break;
    case FollowUpKind::reminder:
      act(actions::Reply{say("reply.right_expiring")});
      break;
    case FollowUpKind::approval:
      BOOST_OUTCOME_TRYV(approval_timed_out(f));
      break;
  }
  return success();
}

result<void> detail_case_access::on(const events::RightExpiring& e) {
  BOOST_OUTCOME_TRY(auto cal, calendar());
  const ContactWindow& w = settings.contact_window;
  Instant expires = cal->time_zone().to_instant(CivilTime(e.right.expires_on + boost::gregorian::days(1)));
  // The lead is a minimum: the reminder moves earlier into the contact
  // window, never later; only when that is already past does it go to the
  // next opening.
  const ClockBasis basis{expires - settings.reminder_lead, Duration(), 0, false, ContactMove::earlier};
  BOOST_OUTCOME_TRY(auto due, basis_due(FollowUpKind::reminder, basis));
  if (due >= expires) {
    find("reminder.too_late", Severity::warn, say("finding.reminder.too_late"));
  }
  BOOST_OUTCOME_TRYV(schedule(FollowUpKind::reminder, due, basis));
  why("reminder.window", fmt::format("policy reminder_lead = {}, contact window {}-{}",
                                     format_duration(settings.reminder_lead), format_duration(w.opens),
                                     format_duration(w.closes)));
  return success();
}

// --- promises kept or broken ----------------------------------------------------

const Promise* detail_case_access::covering_promise() const {
  if (!settings.promise_covers_updates) return nullptr;
  for (const auto& p : c.promises_) {
    // A contact newer than the promise asks again: the update clock runs.
    if (p.state == PromiseState::open && p.contacts == c.contacts_) {
      return &p;
    }
  }
  return nullptr;
}

result<void> detail_case_access::resume_update_clock(std::string_view why_text) {
  if (c.resolved_ || !c.update_overdue_since_.is_special()) return success();
  for (const auto& f : c.pending_) {
    if (f.kind == FollowUpKind::update) return success();
  }
  return restart_update_clock(why_text);
}

namespace {

// The promise a promise_kept or promise_broken event names: by its
// follow-up id, or else the open promise due soonest.
result<std::size_t> promise_index(const SharedList<Promise>& promises, const std::optional<FollowUpId>& id,
                                  auto&& bad_event) {
  std::size_t found = promises.size();
  for (std::size_t i = 0; i < promises.size(); ++i) {
    const Promise& p = promises[i];
    if (id ? p.follow_up == *id
           : p.state == PromiseState::open && (found == promises.size() || p.due_at_utc < promises[found].due_at_utc)) {
      found = i;
    }
  }
  if (found == promises.size()) {
    return bad_event(id ? fmt::format("promise: {} is not a promise on this case", id->str())
                        : std::string("promise: there is no open promise on this case"));
  }
  if (promises[found].state == PromiseState::kept || promises[found].state == PromiseState::broken) {
    return bad_event(fmt::format("promise: {} is already {}", promises[found].follow_up.str(),
                                 to_string(promises[found].state)));
  }
  return found;
}

}  // namespace

result<void> detail_case_access::on(const events::PromiseKept& e) {
  BOOST_OUTCOME_TRY(auto i, promise_index(c.promises_, e.promise, [&](std::string s) { return bad_event(s); }));
  Promise& p = change(c.promises_)[i];
  if (p.state == PromiseState::lapsed) {
    // Kept after its deadline: it stays lapsed (the escalation was right).
    find("promise.kept_late", Severity::info,
         say("finding.promise.kept_late", {{"what", p.what}, {"late", ev.at_utc - p.due_at_utc}}));
    return success();
  }
  p.state = PromiseState::kept;
  FollowUpId id = p.follow_up;
  std::optional<FollowUpId> warning = p.warning;
  why("promise.kept", fmt::format("\"{}\" kept {} before its deadline: no lapse, no escalation", p.what,
                                  format_duration(p.due_at_utc - ev.at_utc)));
  cancel_if([&](const FollowUp& f) { return f.id == id || f.id == warning; });
  return resume_update_clock("the promise was kept: next update due in");
}

result<void> detail_case_access::on(const events::PromiseBroken& e) {
  BOOST_OUTCOME_TRY(auto i, promise_index(c.promises_, e.promise, [&](std::string s) { return bad_event(s); }));
  Promise& p = change(c.promises_)[i];
  if (p.state == PromiseState::lapsed) return bad_event(fmt::format("promise: {} has already lapsed", p.follow_up.str()));
  p.state = PromiseState::broken;
  FollowUpId id = p.follow_up;
  std::optional<FollowUpId> warning = p.warning;
  find("promise.broken", Severity::warn,
       say(e.reason.empty() ? "finding.promise.broken" : "finding.promise.broken.reason",
           {{"what", p.what}, {"reason", e.reason}}));
  int failed = 0;
  for (const auto& q : c.promises_) failed += q.state == PromiseState::lapsed || q.state == PromiseState::broken;
  cancel_if([&](const FollowUp& f) { return f.id == id || f.id == warning; });
  bump_priority();
  escalate("promise.broken", say("escalate.promise.broken", {{"count", std::int64_t{failed}}}));
  why("promise.broken", "a promise known to fail escalates now, not at its deadline");
  return resume_update_clock("the promise is broken: tell the customer; next update due in");
}

// --- pauses ------------------------------------------------------------------------

const TimeZone& detail_case_access::customer_zone(const Calendar& cal) const {
  return engine_detail::customer_zone_of(c, settings, cal);
}

namespace engine_detail {

const TimeZone& customer_zone_of(const Case& c, const Settings& settings, const Calendar& cal) {
  if (c.customer_time_zone()) return *c.customer_time_zone();
  if (settings.contact_window.time_zone) return *settings.contact_window.time_zone;
  return cal.time_zone();
}

result<WindowInstant> window_instant(const Calendar& cal, const TimeZone& zone, const ContactWindow& w, Instant ideal,
                                     bool earlier) {
  BOOST_OUTCOME_TRY(auto window, ServiceWindow::make(w.opens, w.closes));
  const std::vector<ServiceWindow> allowed{window};
  auto found = earlier ? cal.latest_contact_at_or_before(ideal, zone, allowed)
                       : cal.earliest_contact_at_or_after(ideal, zone, allowed);
  if (found) return WindowInstant{found.value(), false};
  if (found.error() != make_error_code(errc::out_of_range)) return found.error();
  // Beyond the calendar's covered range the service hours are unknown:
  // the customer's window alone.
  CivilTime want = zone.to_civil(ideal);
  Duration tod = want.time_of_day();
  Instant at = ideal;
  if (tod < w.opens || tod >= w.closes) {
    const auto day = boost::gregorian::days(1);
    const Duration last = w.closes - boost::posix_time::minutes(1);
    if (earlier) {
      want = tod >= w.closes ? CivilTime(want.date(), last) : CivilTime(want.date() - day, last);
    } else {
      want = tod < w.opens ? CivilTime(want.date(), w.opens) : CivilTime(want.date() + day, w.opens);
    }
    at = zone.to_instant(want);
  }
  return WindowInstant{at, true};
}

}  // namespace engine_detail

result<Instant> detail_case_access::contact_instant(Instant ideal, bool earlier, std::string_view what) {
  // The one place the contact window is applied: the customer's window, on
  // their own clock, inside the calendar's service hours.
  BOOST_OUTCOME_TRY(auto cal, calendar());
  const TimeZone& zone = customer_zone(*cal);
  const ContactWindow& w = settings.contact_window;
  BOOST_OUTCOME_TRY(auto found, engine_detail::window_instant(*cal, zone, w, ideal, earlier));
  if (found.beyond_calendar) {
    if (record_step) {
      why("contact.window", fmt::format(clock_texts::kWindowNoService, what, format_duration(w.opens),
                                        format_duration(w.closes), zone.name()));
    }
    return found.at;
  }
  if (found.at != ideal && record_step) {
    why("contact.window", fmt::format(clock_texts::kWindowMoved, what, format_instant(ideal), format_instant(found.at),
                                      format_duration(w.opens), format_duration(w.closes), zone.name()));
  }
  return found.at;
}

result<void> detail_case_access::start_customer_wait(std::string_view what) {
  if (c.resolved_) return bad_event("the case is resolved: there is nothing to wait on the customer for");
  if (!c.clocks().awaiting_since.is_special()) {
    why("pause.customer",
        fmt::format("still waiting on the customer since {}", format_instant(c.clocks().awaiting_since)));
    return success();
  }
  note_update_sent();  // asking the customer is an update
  clocks().awaiting_since = ev.at_utc;
  cancel_kind(FollowUpKind::update);
  cancel_kind(FollowUpKind::resolution);  // resumes, moved on, with the answer
  why("pause.customer", fmt::format("waiting on the customer ({}): the update clock stops until they answer",
                                    what.empty() ? std::string_view("an answer") : what));
  if (settings.awaiting_reminder_working_days > 0) {
    const ClockBasis basis{ev.at_utc, Duration(), static_cast<std::int16_t>(settings.awaiting_reminder_working_days),
                           false, ContactMove::earlier};
    BOOST_OUTCOME_TRY(auto ideal, working_deadline(settings.awaiting_reminder_working_days, Duration(),
                                                   "pause.reminder"));
    BOOST_OUTCOME_TRY(auto due, contact_instant(ideal, true, "the reminder"));
    BOOST_OUTCOME_TRYV(schedule(FollowUpKind::customer_reminder, std::max(due, ev.at_utc), basis));
  }
  if (settings.awaiting_auto_resolve_working_days > 0) {
    BOOST_OUTCOME_TRY(auto due, working_deadline(settings.awaiting_auto_resolve_working_days, Duration(),
                                                 "pause.auto_resolve"));
    BOOST_OUTCOME_TRYV(schedule(FollowUpKind::auto_resolve, due,
                                {ev.at_utc, Duration(),
                                 static_cast<std::int16_t>(settings.awaiting_auto_resolve_working_days), false,
                                 ContactMove::none}));
  }
  return success();
}

void detail_case_access::end_customer_wait(std::string_view why_text) {
  if (c.clocks().awaiting_since.is_special()) return;
  Duration waited = ev.at_utc - c.clocks().awaiting_since;
  clocks().paused_total += waited;
  clocks().awaiting_since = Instant();
  cancel_if([](const FollowUp& f) {
    return f.kind == FollowUpKind::customer_reminder || f.kind == FollowUpKind::auto_resolve;
  });
  why("pause.ended", fmt::format("{} after {} waiting on the customer", why_text, format_duration(waited)));
}

result<void> detail_case_access::customer_answered() {
  Instant since = c.clocks().awaiting_since;
  end_customer_wait("the customer answered");
  if (c.resolved_) return success();
  if (!c.clocks().resolution_due.is_special()) {
    // The resolution clock stood still while we waited: what was left of it
    // runs on from now.
    ClockTargets t = targets();
    Instant due = c.clocks().resolution_due + (ev.at_utc - std::min(since, c.clocks().resolution_due));
    ClockBasis basis;
    if (t.service_hours) {
      BOOST_OUTCOME_TRY(auto cal, calendar());
      BOOST_OUTCOME_TRY(auto left, cal->working_time_between(since, c.clocks().resolution_due));
      basis = {ev.at_utc, left, 0, true, ContactMove::none};
      BOOST_OUTCOME_TRY(due, basis_due(FollowUpKind::resolution, basis));
    }
    BOOST_OUTCOME_TRYV(schedule_resolution(due, basis));
  }
  c.update_overdue_since_ = Instant();
  return restart_update_clock("the customer answered: update due in");
}

void detail_case_access::end_waits_on_resolution() {
  end_customer_wait("resolved");
  cancel_kind(FollowUpKind::third_party);
  cancel_kind(FollowUpKind::resolution);
  if (!c.clocks().resolution_due.is_special()) clocks().resolution_due = Instant();
}

result<void> detail_case_access::on(const events::AwaitingCustomer& e) { return start_customer_wait(e.what); }

result<void> detail_case_access::on(const events::AwaitingThirdParty& e) {
  if (e.party.empty()) return bad_event("party is empty");
  for (const auto& w : c.clocks().third_parties) {
    if (w.party == e.party && w.waiting()) {
      return bad_event(fmt::format("party: already waiting on \"{}\" since {}", e.party, format_instant(w.since_utc)));
    }
  }
  ThirdPartyWait wait{e.party, ev.at_utc, Instant(), std::nullopt};
  if (e.working_days != 0 || (!e.working_time.is_special() && e.working_time != Duration())) {
    BOOST_OUTCOME_TRY(auto due, working_deadline(e.working_days, e.working_time, "pause.third_party.deadline"));
    const ClockBasis basis{ev.at_utc, e.working_days > 0 ? Duration() : e.working_time,
                           static_cast<std::int16_t>(e.working_days), e.working_days == 0, ContactMove::none};
    if (!c.resolved_) { BOOST_OUTCOME_TRY(wait.deadline, schedule(FollowUpKind::third_party, due, basis)); }
  }
  clocks().third_parties.push_back(std::move(wait));
  why("pause.third_party", fmt::format("waiting on {}; the customer's clocks keep running", e.party));
  return success();
}

result<void> detail_case_access::on(const events::ThirdPartyAnswered& e) {
  auto& waits = clocks().third_parties;
  auto it = std::find_if(waits.begin(), waits.end(),
                         [&](const ThirdPartyWait& w) { return w.party == e.party && w.waiting(); });
  if (it == waits.end()) return bad_event(fmt::format("party: the case is not waiting on \"{}\"", e.party));
  auto i = static_cast<std::size_t>(it - waits.begin());  // before change() may copy the list
  ThirdPartyWait& w = change(waits)[i];
  w.answered_at_utc = ev.at_utc;
  if (w.deadline) {
    FollowUpId id = *w.deadline;
    cancel_if([&](const FollowUp& f) { return f.id == id; });
  }
  why("pause.third_party.answered", fmt::format("{} answered after {}", e.party, format_duration(ev.at_utc - w.since_utc)));
  return success();
}

// The timers of pauses: a reminder to the customer, an auto-resolve after
// their silence, a third party's deadline.
result<void> detail_case_access::timer_clocks(const FollowUp& f) {
  if (f.kind == FollowUpKind::customer_reminder) {
    act(actions::Reply{say("reply.customer_reminder")});
    why("pause.reminder", fmt::format("waiting on the customer since {} (policy awaiting_customer.remind_after_working_days = {})",
                                      format_instant(c.clocks().awaiting_since), settings.awaiting_reminder_working_days));
    return success();
  }
  if (f.kind == FollowUpKind::auto_resolve) {
    find("pause.auto_resolved", Severity::info,
         say("finding.pause.auto_resolved", {{"days", std::int64_t{settings.awaiting_auto_resolve_working_days}}}));
    return on(events::Resolved{"resolved after the customer's silence"});
  }
  for (const auto& w : c.clocks().third_parties) {
    if (w.deadline == f.id) {
      find("third_party.late", Severity::warn, say("finding.third_party.late", {{"party", w.party}, {"due", f.due_at_utc}}));
      escalate("third_party.late", say("escalate.third_party.late", {{"party", w.party}}));
      why("pause.third_party.late", "a third party's missed deadline escalates");
      break;
    }
  }
  return success();
}

// --- warnings before a clock runs out ----------------------------------------------

namespace {

// The latest instant in [not_before, due] with at least `lead` of service
// time before `due`, or not_a_date_time when there is none (the promise is
// shorter than the lead). Found by halving, to the second: the calendar
// counts working time forward only.
result<Instant> working_time_before(const Calendar& cal, Instant due, Duration lead, Instant not_before) {
  BOOST_OUTCOME_TRY(auto all, cal.working_time_between(not_before, due));
  if (all < lead) return Instant();
  // The largest k with lead <= working time in [not_before + k s, due].
  std::int64_t lo = 0, hi = (due - not_before).total_seconds();
  while (lo < hi) {
    std::int64_t mid = lo + (hi - lo + 1) / 2;
    BOOST_OUTCOME_TRY(auto left, cal.working_time_between(not_before + boost::posix_time::seconds(mid), due));
    if (left >= lead) lo = mid;
    else hi = mid - 1;
  }
  return not_before + boost::posix_time::seconds(lo);
}

}  // namespace

result<std::optional<FollowUpId>> detail_case_access::schedule_promise_warning(Instant due) {
  if (settings.promise_warning_lead <= Duration()) return std::optional<FollowUpId>();
  BOOST_OUTCOME_TRY(auto cal, calendar());
  BOOST_OUTCOME_TRY(auto at, working_time_before(*cal, due, settings.promise_warning_lead, ev.at_utc));
  if (at.is_special() || at <= ev.at_utc) {
    why("promise.warning", fmt::format("no warning: the promise has less than {} of service time",
                                       format_duration(settings.promise_warning_lead)));
    return std::optional<FollowUpId>();
  }
  BOOST_OUTCOME_TRY(auto id, schedule(FollowUpKind::promise_warning, at));
  why("promise.warning", fmt::format("warn {} of service time before the deadline (policy warnings.promise)",
                                     format_duration(settings.promise_warning_lead)));
  return std::optional<FollowUpId>(std::move(id));
}

// A warning to the agent, and a finding, before a clock runs out.
result<void> detail_case_access::warn_before(const FollowUp& f) {
  if (f.kind == FollowUpKind::update_warning) {
    Instant due = f.due_at_utc + settings.update_warning_lead;
    find("update.due_soon", Severity::info, say("finding.update.due_soon", {{"due", due}}));
    act(actions::Warn{"update", due, say("warn.update", {{"lead", settings.update_warning_lead}})});
    why("update.warning", fmt::format("policy warnings.update = {}", format_duration(settings.update_warning_lead)));
    return success();
  }
  for (const auto& p : c.promises_) {
    if (p.warning == f.id && p.state == PromiseState::open) {
      find("promise.due_soon", Severity::info, say("finding.promise.due_soon", {{"what", p.what}, {"due", p.due_at_utc}}));
      act(actions::Warn{"promise", p.due_at_utc, say("warn.promise", {{"what", p.what}})});
      why("promise.warning", fmt::format("policy warnings.promise = {} of service time",
                                         format_duration(settings.promise_warning_lead)));
      break;
    }
  }
  return success();
}

// --- targets by priority and channel ------------------------------------------------

ClockTargets detail_case_access::targets() const {
  std::optional<Channel> channel;
  if (!c.channels_.empty()) channel = c.channels_[0];  // the channel the case came in on
  for (const auto& row : settings.targets) {
    if (row.priority && *row.priority != c.priority_) continue;
    if (row.channel && row.channel != channel) continue;
    return row.targets;
  }
  return ClockTargets{settings.update_interval, settings.update_interval, std::nullopt, false};
}

namespace {

// How the contact window names a follow-up in the trace.
std::string_view contact_name(FollowUpKind kind) noexcept {
  switch (kind) {
    case FollowUpKind::update: return "the update";
    case FollowUpKind::satisfaction_check: return "the satisfaction check";
    default: return "the reminder";
  }
}

}  // namespace

result<Instant> detail_case_access::basis_due(FollowUpKind kind, const ClockBasis& b) {
  Instant due = b.from_utc + b.span;
  if (b.working_days > 0 || b.service_time) {
    BOOST_OUTCOME_TRY(auto cal, calendar());
    if (b.working_days > 0) {
      BOOST_OUTCOME_TRY(due, cal->due_after_working_days(b.from_utc, b.working_days,
                                                         settings.deadline_rule(PromiseKind::reply)));
    } else {
      BOOST_OUTCOME_TRY(due, cal->add_working_time(b.from_utc, b.span));
    }
  }
  if (b.window == ContactMove::none) return due;
  BOOST_OUTCOME_TRY(auto at, contact_instant(due, b.window == ContactMove::earlier, contact_name(kind)));
  if (kind == FollowUpKind::reminder && at < ev.at_utc) {
    // Already past: the next opening of the window.
    BOOST_OUTCOME_TRY(at, contact_instant(ev.at_utc, false, contact_name(kind)));
  } else if (b.window == ContactMove::earlier) {
    at = std::max(at, ev.at_utc);
  }
  return at;
}

result<void> detail_case_access::schedule_resolution(Instant due, const ClockBasis& basis) {
  cancel_kind(FollowUpKind::resolution);
  clocks().resolution_due = due;
  BOOST_OUTCOME_TRYV(schedule(FollowUpKind::resolution, due, basis));
  if (record_step) why("resolution.target", fmt::format("to be resolved by {} (policy targets)", format_instant(due)));
  return success();
}

// --- public reviews --------------------------------------------------------------

result<void> detail_case_access::contact_clocks(const events::ContactReceived& e) {
  if (is_public(e.channel)) {
    clocks().public_contact_at = ev.at_utc;
    clocks().public_channel = e.channel;
  }
  return success();
}

result<void> detail_case_access::on(const events::CustomerTimeZone& e) {
  clocks().customer_zone = e.time_zone;
  why("contact.window", fmt::format(clock_texts::kWindowReason, format_duration(settings.contact_window.opens),
                                    format_duration(settings.contact_window.closes), e.time_zone.name()));
  return success();
}

// A negative feeling on the case's last public contact starts its
// public-reply clock (once per contact).
result<void> detail_case_access::public_feeling(const events::EmotionObserved& e) {
  if (!e.emotion.is_negative() || c.clocks().public_contact_at.is_special()) return success();
  const Instant contact_at = c.clocks().public_contact_at;
  for (const auto& r : c.clocks().public_reviews) {
    if (r.contact_at_utc == contact_at) return success();  // its clock already runs
  }
  const Channel channel = c.clocks().public_channel;
  if (settings.public_reply_within <= Duration()) {
    why("public_reply.clock", fmt::format(clock_texts::kPublicReplyOff, to_string(channel)));
    return success();
  }
  const ClockBasis basis{contact_at, settings.public_reply_within, 0, true, ContactMove::none};
  BOOST_OUTCOME_TRY(auto due, basis_due(FollowUpKind::public_reply, basis));
  BOOST_OUTCOME_TRY(auto cal, calendar());
  note_provisional(*cal, due, "public_reply.clock");
  BOOST_OUTCOME_TRY(auto id, schedule(FollowUpKind::public_reply, std::max(due, ev.at_utc), basis));
  clocks().public_reviews.push_back({contact_at, channel, due, Instant(), id});
  why("public_reply.clock", fmt::format(clock_texts::kPublicReplyClock, to_string(channel), format_instant(contact_at),
                                        format_instant(due), format_duration(settings.public_reply_within)));
  return success();
}

result<void> detail_case_access::on(const events::PublicReplySent& e) {
  if (c.clocks().public_contact_at.is_special() && c.clocks().public_reviews.empty()) {
    return bad_event(std::string(clock_texts::kNoPublicContact));
  }
  BOOST_OUTCOME_TRYV(lint_text(e.text));
  auto& reviews = clocks().public_reviews;
  std::size_t open = reviews.size();
  for (std::size_t i = 0; i < reviews.size(); ++i) {
    if (!reviews[i].replied()) open = i;
  }
  if (open == reviews.size()) {
    // A public contact with no clock (no negative feeling), or another reply to a review already answered.
    Instant contact = c.clocks().public_contact_at.is_special() ? reviews.back().contact_at_utc
                                                                 : c.clocks().public_contact_at;
    why("public_reply.sent", fmt::format(clock_texts::kPublicReplyNoClock, to_string(c.clocks().public_channel),
                                         format_instant(contact)));
    clocks().public_contact_at = Instant();
    return success();
  }
  PublicReview& r = change(reviews)[open];
  r.replied_at_utc = ev.at_utc;
  std::optional<FollowUpId> id = r.follow_up;
  if (r.answered_on_time()) {
    why("public_reply.sent", fmt::format(clock_texts::kPublicReplyOnTime, format_duration(r.due_at_utc - ev.at_utc)));
  } else {
    find("public_reply.late", Severity::warn, say("finding.public_reply.late", {{"late", ev.at_utc - r.due_at_utc}}));
    why("public_reply.sent", fmt::format(clock_texts::kPublicReplyLate, format_duration(ev.at_utc - r.due_at_utc)));
  }
  clocks().public_contact_at = Instant();
  cancel_if([&](const FollowUp& f) { return f.id == id; });
  return success();
}

result<void> detail_case_access::public_reply_missed(const FollowUp& f) {
  for (const auto& r : c.clocks().public_reviews) {
    if (r.follow_up != f.id || r.replied()) continue;
    const std::string channel = term("channel.", to_string(r.channel));
    find("public_reply.missed", Severity::warn,
         say("finding.public_reply.missed", {{"channel", channel}, {"at", r.contact_at_utc}, {"due", r.due_at_utc}}));
    escalate("public_reply.missed", say("escalate.public_reply.missed", {{"channel", channel}}));
    why("public_reply.lapsed", std::string(clock_texts::kPublicReplyLapse));
    break;
  }
  return success();
}

// --- a new calendar ----------------------------------------------------------------

// Moves a pending follow-up to `due` under a new id, with a reschedule action.
result<FollowUpId> detail_case_access::reschedule(const FollowUp& old, Instant due, std::string why_text) {
  auto& p = c.pending_;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i].id == old.id) {
      p.erase(i);
      break;
    }
  }
  BOOST_OUTCOME_TRY(auto id, follow_up_id(c.next_follow_up_));
  ++c.next_follow_up_;
  FollowUp f{id, old.kind, due, old.basis};
  c.pending_.push_back(f);
  act(actions::RescheduleFollowUp{std::move(f), old.id, std::move(why_text)});
  return id;
}

result<bool> detail_case_access::retime(const FollowUp& f) {
  BOOST_OUTCOME_TRY(auto due, basis_due(f.kind, f.basis));
  Instant timer = due;
  PublicReview* review = nullptr;
  if (f.kind == FollowUpKind::public_reply) {
    // The review keeps its deadline; the timer never lies in the past.
    for (auto& r : change(clocks().public_reviews)) {
      if (r.follow_up == f.id) review = &r;
    }
    if (review == nullptr || review->due_at_utc == due) return false;
    timer = std::max(due, ev.at_utc);
  } else if (due == f.due_at_utc) {
    return false;
  }
  const std::string what = term("follow_up.", to_string(f.kind));
  why("calendar.changed", fmt::format(clock_texts::kRetimed, what, format_instant(f.due_at_utc), format_instant(timer)));
  const std::uint64_t seq = c.next_follow_up_;
  BOOST_OUTCOME_TRY(auto id, reschedule(f, timer, say("reschedule.calendar_changed",
                                                       {{"what", what}, {"from", f.due_at_utc}, {"to", timer}})));
  // Whatever held the old timer holds the new one.
  switch (f.kind) {
    case FollowUpKind::update:
      cancel_kind(FollowUpKind::update_warning);
      if (settings.update_warning_lead > Duration()) {
        BOOST_OUTCOME_TRYV(schedule(FollowUpKind::update_warning, due - settings.update_warning_lead));
      }
      break;
    case FollowUpKind::resolution:
      clocks().resolution_due = due;
      break;
    case FollowUpKind::public_reply:
      review->due_at_utc = due;
      review->follow_up = id;
      break;
    case FollowUpKind::third_party:
      for (auto& w : change(clocks().third_parties)) {
        if (w.deadline == f.id) w.deadline = id;
      }
      break;
    case FollowUpKind::approval:
      for (auto& r : change(c.remedies_)) {
        if (r.approval_timer == 0) continue;
        BOOST_OUTCOME_TRY(auto held, follow_up_id(r.approval_timer));
        if (held == f.id) r.approval_timer = static_cast<std::uint32_t>(seq);
      }
      break;
    default:
      break;
  }
  return true;
}

result<void> detail_case_access::on(const events::CalendarChanged&) {
  bool moved = false;
  for (std::size_t i = 0; i < c.promises_.size(); ++i) {
    const Promise& p = c.promises_[i];
    if (p.state != PromiseState::open || (p.working_days == 0 && p.working_time.is_special())) continue;
    if (p.working_days == 0 && p.working_time <= Duration()) continue;
    BOOST_OUTCOME_TRY(auto due, promise_due(p.made_at_utc, p.kind, p.working_days, p.working_time, "calendar.changed"));
    if (due == p.due_at_utc) continue;
    why("calendar.changed", fmt::format(clock_texts::kRetimed, p.what, format_instant(p.due_at_utc), format_instant(due)));
    std::string text = say("reschedule.calendar_changed", {{"what", p.what}, {"from", p.due_at_utc}, {"to", due}});
    const FollowUpId old = p.follow_up;
    std::optional<FollowUpId> warning = p.warning;
    FollowUp timer{old, FollowUpKind::promise, p.due_at_utc};
    for (const auto& f : c.pending_) {
      if (f.id == old) timer = f;
    }
    BOOST_OUTCOME_TRY(auto id, reschedule(timer, due, std::move(text)));
    if (warning) cancel_if([&](const FollowUp& f) { return f.id == *warning; });
    BOOST_OUTCOME_TRY(auto new_warning, schedule_promise_warning(due));
    Promise& q = change(c.promises_)[i];
    q.due_at_utc = due;
    q.follow_up = std::move(id);
    q.warning = std::move(new_warning);
    moved = true;
  }
  // Every other clock computed on the calendar: third parties' deadlines, the
  // pause's reminder and auto-resolve, public replies, approvals, the
  // satisfaction check, reminders, the update and resolution targets.
  const SharedList<FollowUp> pending = c.pending_;  // shares the elements: re-timing changes c.pending_
  for (const FollowUp& f : pending) {
    if (!f.basis.on_calendar()) continue;
    BOOST_OUTCOME_TRY(auto retimed, retime(f));
    moved |= retimed;
  }
  if (!moved) why("calendar.changed", std::string(clock_texts::kRetimedNone));
  return success();
}

}  // namespace v1
}  // namespace redress
