// The recovery engine: apply() folds one event into a case.
//
// Each event type has one handler below. A handler reads the working copy of
// the case, asks the policy what it needs, and records findings, actions and
// trace entries. If a handler fails, the working copy is dropped, so the
// caller's case is never half-changed.
#include <redress/engine.hpp>

#include <algorithm>
#include <charconv>
#include <exception>

#include <fmt/format.h>

namespace redress {
inline namespace v1 {

using boost::outcome_v2::success;

namespace {

// The highest authority level the engine looks for when routing an approval.
constexpr int kMaxAuthorityLevel = 8;

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

std::string money_text(Money m) { return to_string(m); }

// A policy's failure, whatever its code, is reported as policy_failed.
template <class T>
result<T> from_policy(result<T> r, std::string_view method) {
  if (r) return r;
  return detail::fail(errc::policy_failed,
                      fmt::format("policy.{}: {} ({})", method, r.error().message(), last_error_detail()));
}

bool remedy_counts_toward_caps(const Remedy& r) { return r.status != RemedyStatus::rejected; }

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

}  // namespace

// The engine's working state for one apply(); has write access to Case.
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

  void finish() {
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
    c.findings_.push_back(f);
    findings.push_back(std::move(f));
    return s;
  }

  // Most events add one to three of each: one block, not one per growth.
  void why(std::string_view rule, std::string detail) {
    if (trace.capacity() == 0) trace.reserve(4);
    trace.push_back({std::string(rule), std::move(detail)});
  }
  void act(Action a) {
    if (actions.capacity() == 0) actions.reserve(4);
    actions.push_back(std::move(a));
  }

  void raise_priority(Priority at_least) { c.priority_ = std::max(c.priority_, at_least); }
  void bump_priority() {
    if (c.priority_ < Priority::urgent) c.priority_ = static_cast<Priority>(static_cast<int>(c.priority_) + 1);
  }

  // --- follow-ups ----------------------------------------------------------

  result<FollowUpId> schedule(FollowUpKind kind, Instant due) {
    // "<case id>#<n>": the case id is valid, so only the length can fail.
    char buf[FollowUpId::kMaxBytes + 24];
    std::string_view case_id = c.id_.str();
    std::size_t n = std::min(case_id.size(), FollowUpId::kMaxBytes + 1);
    std::copy_n(case_id.data(), n, buf);
    buf[n] = '#';
    char* end = std::to_chars(buf + n + 1, buf + sizeof buf, c.next_follow_up_).ptr;
    BOOST_OUTCOME_TRY(auto id, FollowUpId::make(std::string_view(buf, static_cast<std::size_t>(end - buf))));
    ++c.next_follow_up_;
    FollowUp f{id, kind, due};
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
    cancel_if([&](const FollowUp& f) { return f.kind == kind; });
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
    return success();
  }

  // The policy's gift framing for a remedy of `kind` ("" if it has none).
  std::string framing(RemedyKind kind) const {
    auto it = settings.framing.find(kind);
    return it == settings.framing.end() ? std::string() : it->second;
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
    BOOST_OUTCOME_TRY(auto cal, from_policy(policy.calendar(c), "calendar"));
    if (cal == nullptr) return detail::fail(errc::policy_failed, "policy.calendar: returned no calendar");
    return cal;
  }

  // The lowest level whose authority covers `value` for `kind`, or -1.
  result<int> approval_level(RemedyKind kind, Money value) {
    for (int level = 0; level <= kMaxAuthorityLevel; ++level) {
      BOOST_OUTCOME_TRY(auto limit, from_policy(policy.authority(level, kind), "authority"));
      if (!limit) return level;
      BOOST_OUTCOME_TRY(auto order, compare(value, *limit));
      if (order <= 0) return level;
    }
    return -1;
  }

  // --- handlers ------------------------------------------------------------

  result<void> on(const events::ContactReceived& e) {
    if (e.from && std::find(c.contact_points_.begin(), c.contact_points_.end(), *e.from) == c.contact_points_.end()) {
      c.contact_points_.push_back(*e.from);
    }
    c.channels_.add(e.channel);
    ++c.contacts_;
    if (c.contacts_ == 1 && !c.flags_.proactive) {
      act(actions::Reply{"Apologise first and name the customer's feeling, before any fact or rule."});
      why("apology.first", "the first step of recovery is the apology");
      return restart_update_clock("first update due in");
    }
    if (c.contacts_ == 1) return success();  // the customer answers a case we opened ourselves
    ++c.flags_.repeat_contacts;
    bump_priority();
    find("contact.repeat", Severity::warn,
         fmt::format("contact {} about this case (via {}); the customer must not have to repeat the story",
                     c.contacts_, to_string(e.channel)));
    act(actions::SurfaceHistory{history()});
    why("contact.repeat", fmt::format("priority raised to {}", to_string(c.priority_)));
    if (c.flags_.repeat_contacts >= settings.repeat_contacts_to_escalate) {
      act(actions::Escalate{1, fmt::format("the customer has contacted us {} times about this case", c.contacts_)});
      why("contact.repeat.escalate",
          fmt::format("policy repeat_contacts_to_escalate = {}", settings.repeat_contacts_to_escalate));
    }
    if (c.resolved_) return success();
    c.update_overdue_since_ = Instant();
    return restart_update_clock("the customer came back: update due in");
  }

  std::string history() const {
    std::string channels;
    for (auto ch : c.channels_) channels += fmt::format("{}{}", channels.empty() ? "" : ", ", to_string(ch));
    int lapsed = 0, open = 0;
    for (const auto& p : c.promises_) {
      lapsed += p.state == PromiseState::lapsed;
      open += p.state == PromiseState::open;
    }
    std::string feeling = c.emotions_.empty()
                              ? std::string("no feeling recorded")
                              : fmt::format("last feeling {} {}/10", to_string(c.emotions_.back().emotion.kind()),
                                            c.emotions_.back().emotion.intensity());
    return fmt::format("{} contacts via {}; stage {}; {} open and {} lapsed promises; {} remedies; {}", c.contacts_,
                       channels, to_string(c.stage_), open, lapsed, c.remedies_.size(), feeling);
  }

  result<void> on(const events::EmotionObserved& e) {
    const EmotionRecord* last = c.emotions_.empty() ? nullptr : &c.emotions_.back();
    if (e.emotion.is_negative() && last && last->emotion.is_negative() &&
        e.emotion.intensity() > last->emotion.intensity() && e.emotion.intensity() >= 6) {
      find("emotion.rising", Severity::warn,
           fmt::format("the customer's feeling rose from {} {} to {} {} out of 10", to_string(last->emotion.kind()),
                       last->emotion.intensity(), to_string(e.emotion.kind()), e.emotion.intensity()));
      bump_priority();
    }
    c.emotions_.push_back({e.emotion, ev.at_utc, false});
    return success();
  }

  // Lints what an agent said (an apology, an update) and records the lint's
  // findings as "lint.<code>".
  result<void> lint_text(std::string_view text) {
    BOOST_OUTCOME_TRY(auto authority, from_policy(policy.authority(0, RemedyKind::cash), "authority"));
    LintContext context{LintLanguage::automatic,
                        authority.value_or(Money::from_minor_units(INT64_MAX, c.currency_)), settings.lint};
    auto report = lint(text, context);
    if (!report) {
      return detail::fail(static_cast<errc>(report.error().value()),
                          fmt::format("{} event on case {}: text: {}", event_type(ev.body), c.id_.str(),
                                      last_error_detail()));
    }
    for (const auto& f : report.value().findings) {
      Severity s = f.severity == LintSeverity::block  ? Severity::block
                   : f.severity == LintSeverity::warn ? Severity::warn
                                                      : Severity::info;
      find(fmt::format("lint.{}", f.code), s,
           f.hint.empty() ? fmt::format("\"{}\"", f.phrase) : fmt::format("\"{}\": {}", f.phrase, f.hint));
    }
    why("lint", concat("structure score ", report.value().structure_score, "/100"));
    return success();
  }

  result<void> on(const events::ApologyGiven& e) {
    BOOST_OUTCOME_TRYV(lint_text(e.text));
    ++c.apologies_;
    why("apology.given", concat("apology ", c.apologies_, " on this case"));
    return success();
  }

  result<void> on(const events::ForgivenessSignalled&) {
    c.forgiven_ = true;
    if (c.stage_ == Stage::apologise) {
      c.stage_ = Stage::review;
      why("stage.review", "the customer accepted the apology: review the problem together");
    }
    return success();
  }

  void review_before_apology(std::string_view what) {
    if (!c.forgiven_) {
      find("review.before_apology", Severity::warn,
           fmt::format("{} before the customer accepted the apology; apologise first, then review together", what));
    }
  }

  result<void> on(const events::QuestionAsked&) {
    review_before_apology("a diagnostic question");
    return success();
  }

  result<void> on(const events::FactsReviewed&) {
    review_before_apology("the facts were reviewed");
    if (c.stage_ < Stage::solve) {
      c.stage_ = Stage::solve;
      why("stage.solve", "facts reviewed with the customer: solve it and follow up");
    }
    return success();
  }

  result<void> on(const events::NeedStated& e) {
    c.needs_.push_back({e.text, ev.at_utc});
    return success();
  }

  result<void> on(const events::OrderLinked& e) {
    if (c.find_order(e.order.id)) return bad_event(fmt::format("order {} is already linked", e.order.id.str()));
    BOOST_OUTCOME_TRYV(check_currency(e.order.loss.amount, "order.loss.amount"));
    if (e.order.loss.kind == LossKind::none && !e.order.loss.amount.is_zero()) {
      return bad_event("order.loss.amount must be zero when nothing was lost");
    }
    if (e.order.loss.amount.is_negative()) return bad_event("order.loss.amount is negative");
    if (e.order.loss.kind == LossKind::right && !e.order.loss.right) {
      return bad_event("order.loss.right is required when a right was lost");
    }
    c.orders_.push_back(e.order);
    if (e.incident_group) {
      SharedList<std::optional<std::string>> group;
      group.push_back(e.incident_group);
      c.incident_group_ = std::move(group);
    }
    return success();
  }

  // The rules a proposal must pass before it may be offered. Returns true
  // when a blocking finding was raised.
  result<bool> remedy_blocked(const events::RemedyProposed& e, const Order* o) {
    bool blocked = false;
    auto check = [&](std::string_view code, Severity fallback, std::string message) {
      blocked |= find(code, fallback, std::move(message)) == Severity::block;
    };
    if (c.needs_.empty() && e.kind != RemedyKind::non_material) {
      check("remedy.before_need", Severity::block,
            "a remedy was proposed before the customer said what they need; ask first");
    }
    if (e.kind == RemedyKind::extension) {
      if (!o || o->loss.kind != LossKind::right) {
        check("remedy.extension_ineligible", Severity::block, "an extension needs an order whose loss is a right");
      } else {
        BOOST_OUTCOME_TRY(auto cal, calendar());
        CivilDate today = cal->time_zone().to_civil(ev.at_utc).date();
        long days = (today - o->loss.right->expires_on).days();
        if (days > settings.extension_grace_days) {
          check("remedy.extension_ineligible", Severity::block,
                fmt::format("the {} expired {} days ago; extensions are allowed up to {} days", o->loss.right->kind,
                            days, settings.extension_grace_days));
        } else if (o->loss.right->times_extended >= settings.max_extensions) {
          check("remedy.extension_ineligible", Severity::block,
                fmt::format("the {} was already extended {} time(s); the limit is {}", o->loss.right->kind,
                            o->loss.right->times_extended, settings.max_extensions));
        }
        why("remedy.extension", fmt::format("policy extension_grace_days = {}, max_extensions = {}",
                                            settings.extension_grace_days, settings.max_extensions));
      }
    }
    if (e.kind == RemedyKind::cash) {
      bool lost = o ? o->loss.kind != LossKind::none
                    : std::any_of(c.orders_.begin(), c.orders_.end(),
                                  [](const Order& x) { return x.loss.kind != LossKind::none; });
      BOOST_OUTCOME_TRY(auto over_goodwill, compare(e.value, settings.goodwill_cap));
      if (!lost && over_goodwill > 0) {
        check("remedy.cash_without_loss", Severity::block,
              fmt::format("{} cash where the customer lost nothing; the goodwill cap is {}", money_text(e.value),
                          money_text(settings.goodwill_cap)));
      }
    }
    BOOST_OUTCOME_TRY(auto spend, from_policy(policy.prior_spend(c), "prior_spend"));
    Money on_case = Money::zero(c.currency_);
    for (const auto& r : c.remedies_) {
      if (remedy_counts_toward_caps(r)) { BOOST_OUTCOME_TRY(on_case, add(on_case, r.value)); }
    }
    BOOST_OUTCOME_TRY(auto with_this, add(on_case, e.value));
    auto over_cap = [&](const std::optional<Money>& cap, const std::optional<Money>& prior,
                        std::string_view what) -> result<void> {
      if (!cap) return success();
      Money total = with_this;
      if (prior) { BOOST_OUTCOME_TRY(total, add(total, *prior)); }
      BOOST_OUTCOME_TRY(auto order, compare(total, *cap));
      if (order > 0) {
        check("remedy.over_cap", Severity::block,
              fmt::format("remedies to this {} would reach {}, over the cap of {}", what, money_text(total),
                          money_text(*cap)));
      }
      return success();
    };
    BOOST_OUTCOME_TRYV(over_cap(settings.incident_group_cap, spend.incident_group, "incident group"));
    BOOST_OUTCOME_TRYV(over_cap(settings.customer_cap, spend.customer_in_period, "customer in the cap period"));
    return blocked;
  }

  result<void> on(const events::RemedyProposed& e) {
    if (c.find_remedy(e.remedy)) return bad_event(fmt::format("remedy {} was already proposed", e.remedy.str()));
    BOOST_OUTCOME_TRYV(check_currency(e.value, "value"));
    if (e.value.is_negative()) return bad_event("value is negative");
    if (e.kind == RemedyKind::non_material && !e.value.is_zero()) {
      return bad_event("a non-material remedy has no money value");
    }
    const Order* o = nullptr;
    if (e.order) {
      o = c.find_order(*e.order);
      if (!o) return bad_event(fmt::format("order {} is not linked to the case", e.order->str()));
    }
    Remedy r{e.remedy, e.kind, e.value, e.order, RemedyStatus::proposed, 0, std::nullopt};

    BOOST_OUTCOME_TRY(bool blocked, remedy_blocked(e, o));
    if (blocked) {
      r.status = RemedyStatus::rejected;
      c.remedies_.push_back(std::move(r));
      act(actions::Reply{"Explain the reason to the customer and offer an alternative the rules allow."});
      why("remedy.blocked", "a blocking finding stops the offer");
      return success();
    }
    BOOST_OUTCOME_TRY(int level, approval_level(e.kind, e.value));
    if (level < 0) {
      find("remedy.beyond_all_authority", Severity::block,
           fmt::format("no authority level may grant {}", money_text(e.value)));
      r.status = RemedyStatus::rejected;
      c.remedies_.push_back(std::move(r));
      return success();
    }
    r.approval_level = level;
    if (level > 0) {
      BOOST_OUTCOME_TRY(auto front, from_policy(policy.authority(0, e.kind), "authority"));
      find("remedy.over_authority", Severity::info,
           fmt::format("{} is above the front-line authority of {}; approval requested at level {}",
                       money_text(e.value), front ? money_text(*front) : std::string("(none)"), level));
      r.status = RemedyStatus::approval_requested;
      act(actions::RequestApproval{e.remedy, e.value, level});
      why("remedy.authority", fmt::format("policy authority level 0 = {}", front ? money_text(*front) : "none"));
    } else {
      act(actions::Offer{e.remedy, e.value, framing(e.kind)});
      why("remedy.offer", "within front-line authority; offered as a gift");
    }
    c.remedies_.push_back(std::move(r));
    return success();
  }

  result<Remedy*> known_remedy(const RemedyId& id) {
    Remedy* r = remedy(id);
    if (!r) return bad_event(fmt::format("remedy {} was never proposed", id.str()));
    return r;
  }

  result<void> on(const events::RemedyApproved& e) {
    if (e.level < 0) return bad_event("level is negative");
    BOOST_OUTCOME_TRY(Remedy * r, known_remedy(e.remedy));
    if (r->status != RemedyStatus::approval_requested) {
      return bad_event(fmt::format("remedy {} is {}, not awaiting approval", r->id.str(), to_string(r->status)));
    }
    BOOST_OUTCOME_TRY(auto limit, from_policy(policy.authority(e.level, r->kind), "authority"));
    if (limit) {
      BOOST_OUTCOME_TRY(auto order, compare(r->value, *limit));
      if (order > 0) {
        return bad_event(fmt::format("authority level {} may approve up to {}, not {}", e.level, money_text(*limit),
                                     money_text(r->value)));
      }
    }
    r->status = RemedyStatus::approved;
    r->decided_by = e.approver;
    act(actions::Offer{r->id, r->value, framing(r->kind)});
    why("remedy.approved", fmt::format("approved by {} at level {}", e.approver.str(), e.level));
    return success();
  }

  result<void> on(const events::RemedyRejected& e) {
    BOOST_OUTCOME_TRY(Remedy * r, known_remedy(e.remedy));
    if (r->status == RemedyStatus::granted || r->status == RemedyStatus::rejected) {
      return bad_event(fmt::format("remedy {} is already {}", r->id.str(), to_string(r->status)));
    }
    r->status = RemedyStatus::rejected;
    r->decided_by = e.by;
    act(actions::Reply{fmt::format("Tell the customer why ({}) and offer an alternative; never a bare no.",
                                   e.reason.empty() ? "give the reason" : e.reason)});
    return success();
  }

  result<void> on(const events::RemedyAccepted& e) {
    BOOST_OUTCOME_TRY(Remedy * r, known_remedy(e.remedy));
    if (r->status != RemedyStatus::proposed && r->status != RemedyStatus::approved) {
      return bad_event(fmt::format("remedy {} is {}; only an offered remedy can be accepted", r->id.str(),
                                   to_string(r->status)));
    }
    r->status = RemedyStatus::accepted;
    return success();
  }

  result<void> on(const events::RemedyGranted& e) {
    BOOST_OUTCOME_TRY(Remedy * r, known_remedy(e.remedy));
    switch (r->status) {
      case RemedyStatus::approval_requested:
        return bad_event(fmt::format("remedy {} still awaits approval at level {}", r->id.str(), r->approval_level));
      case RemedyStatus::rejected:
      case RemedyStatus::granted:
        return bad_event(fmt::format("remedy {} is already {}", r->id.str(), to_string(r->status)));
      default:
        break;
    }
    r->status = RemedyStatus::granted;
    if (r->kind == RemedyKind::extension && r->order) {
      Order* o = order(*r->order);
      if (o && o->loss.right) ++o->loss.right->times_extended;
    }
    return success();
  }

  result<void> on(const events::ProgressUpdateSent& e) {
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
  result<void> restart_update_clock(std::string_view why_text) {
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

  result<void> on(const events::PromiseMade& e) {
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

  result<void> on(const events::Resolved&) {
    if (c.resolved_) return bad_event("the case is already resolved");
    c.resolved_ = true;
    c.update_overdue_since_ = Instant();
    if (c.stage_ < Stage::record) c.stage_ = Stage::record;
    cancel_kind(FollowUpKind::update);
    if (std::any_of(c.promises_.begin(), c.promises_.end(),
                    [](const Promise& p) { return p.state == PromiseState::open; })) {
      for (auto& p : change(c.promises_)) {
        if (p.state == PromiseState::open) p.state = PromiseState::kept;
      }
    }
    cancel_kind(FollowUpKind::promise);
    BOOST_OUTCOME_TRYV(schedule(FollowUpKind::satisfaction_check, ev.at_utc + settings.satisfaction_check_after));
    act(actions::Reply{"Tell the customer it is solved, apologise once more, and look forward."});
    why("resolved", fmt::format("updates stop; satisfaction check in {}",
                                format_duration(settings.satisfaction_check_after)));
    return success();
  }

  result<void> on(const events::SatisfactionConfirmed& e) {
    c.emotions_.push_back({e.emotion, ev.at_utc, true});
    if (e.emotion.is_neutral_or_positive()) {
      cancel_kind(FollowUpKind::satisfaction_check);
      why("closure.feeling", fmt::format("the customer confirmed feeling {}", to_string(e.emotion.kind())));
    } else {
      find("close.feeling_negative", Severity::warn,
           fmt::format("the customer still feels {} ({}/10)", to_string(e.emotion.kind()), e.emotion.intensity()));
      act(actions::Reply{"Apologise again and ask what would make it right."});
    }
    return success();
  }

  result<void> on(const events::RootCauseRecorded& e) {
    if (e.cause.category.empty()) return bad_event("root_cause.category is empty");
    c.root_cause_ = e.cause;
    return success();
  }

  result<void> on(const events::CloseRequested&) {
    bool blocked = false;
    auto check = [&](bool ok, std::string_view code, std::string message) {
      if (!ok) blocked |= find(code, Severity::block, std::move(message)) == Severity::block;
    };
    auto feeling = c.confirmed_feeling();
    check(c.resolved_, "close.unresolved", "the problem is not resolved");
    check(feeling && feeling->is_neutral_or_positive(), "close.feeling_unconfirmed",
          "the customer has not confirmed a neutral or positive feeling; ask how they feel");
    check(c.root_cause_.has_value(), "close.root_cause_missing", "record the root cause before closing");
    if (blocked) {
      why("close.refused", "closing needs a resolution, a confirmed feeling and a root cause");
      return success();
    }
    c.stage_ = Stage::closed;
    cancel_if([](const FollowUp&) { return true; });
    act(actions::Close{});
    why("close", "resolved, feeling confirmed, root cause recorded");
    return success();
  }

  result<void> on(const events::TimerFired& e) {
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
        act(actions::Escalate{1, "no progress update within the update interval"});
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
        act(actions::Escalate{std::min(lapsed, kMaxAuthorityLevel),
                              fmt::format("{} promise(s) to the customer lapsed", lapsed)});
        why("promise.lapsed", "a lapsed promise escalates by itself");
        break;
      }
      case FollowUpKind::satisfaction_check:
        act(actions::Reply{"Ask the customer: are you happy with how we handled this?"});
        break;
      case FollowUpKind::reminder:
        act(actions::Reply{"Remind the customer that their right is about to expire, and how to use it."});
        break;
    }
    return success();
  }

  result<void> on(const events::SafetyRiskReported&) {
    // Whatever else this event produces, the emergency comes first.
    actions.insert(actions.begin(), actions::Emergency{"a threat to safety was reported; escalate at once"});
    c.flags_.safety = true;
    raise_priority(Priority::emergency);
    find("safety.emergency", Severity::info, "emergency handling started at once, whatever the threat's credibility");
    why("safety.first", "safety threats are escalated before anything else");
    return success();
  }

  result<void> on(const events::AbuseEstablished&) {
    c.flags_.abuse = true;
    find("abuse.recorded", Severity::info,
         c.flags_.safety ? "abuse recorded; the safety escalation stands" : "abuse recorded");
    return success();
  }

  result<void> on(const events::PrecedentCited& e) {
    BOOST_OUTCOME_TRYV(check_currency(e.value, "value"));
    BOOST_OUTCOME_TRYV(check_currency(e.cited_loss.amount, "cited_loss.amount"));
    c.flags_.precedent_claim = true;
    BOOST_OUTCOME_TRY(auto justified, add(e.cited_loss.amount, settings.goodwill_cap));
    BOOST_OUTCOME_TRY(auto order, compare(e.value, justified));
    if (order > 0) {
      find("precedent.outlier", Severity::warn,
           fmt::format("{} gave {} {} against a loss of {}; an outlier to review, not a rule to copy", e.reference,
                       money_text(e.value), to_string(e.kind), money_text(e.cited_loss.amount)));
      act(actions::Escalate{1, fmt::format("review precedent {}: remedy out of proportion to its loss", e.reference)});
    } else {
      find("precedent.consistent", Severity::info,
           fmt::format("{} gave {} against a loss of {}", e.reference, money_text(e.value),
                       money_text(e.cited_loss.amount)));
    }
    act(actions::Reply{"Each order is judged on its own facts: explain what this order's loss supports."});
    why("precedent.judged", fmt::format("policy goodwill_cap = {}", money_text(settings.goodwill_cap)));
    return success();
  }

  result<void> on(const events::OutOfScopeRequest& e) {
    BOOST_OUTCOME_TRY(auto answer, from_policy(policy.scope(c, e.request), "scope"));
    if (answer.in_scope) {
      why("scope.in", "the policy counts this request within the service");
    } else {
      find("scope.out_of_scope", Severity::info, fmt::format("outside the service's scope: {}", answer.reason));
      act(actions::Reply{fmt::format("{} {}", answer.reason, answer.alternative)});
      why("scope.explain", "a refusal carries the reason and an alternative");
    }
    if (e.helped) {
      c.flags_.beyond_scope_help = true;
      find("scope.beyond_help", Severity::info, "help beyond the service's scope was given; recorded as such");
    }
    return success();
  }

  result<void> on(const events::FailureSignal& e) {
    if (e.count <= 0) return bad_event("count must be positive");
    int before = c.failure_signals_;
    c.failure_signals_ += e.count;
    int threshold = settings.failure_signal_threshold;
    if (before < threshold && c.failure_signals_ >= threshold && c.contacts_ == 0) {
      c.flags_.proactive = true;
      act(actions::Reply{fmt::format("Contact the customer first and apologise: we saw {} ({} times).", e.signal,
                                     c.failure_signals_)});
      find("proactive.opened", Severity::info,
           fmt::format("{} failure signals reached the threshold of {}", c.failure_signals_, threshold));
      why("proactive.threshold", fmt::format("policy failure_signal_threshold = {}", threshold));
    }
    return success();
  }

  result<void> on(const events::RightExpiring& e) {
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
};

const Remedy* Case::find_remedy(const RemedyId& id) const noexcept {
  for (const auto& r : remedies_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

const Order* Case::find_order(const OrderId& id) const noexcept {
  for (const auto& o : orders_) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

std::optional<Emotion> Case::confirmed_feeling() const noexcept {
  for (auto it = emotions_.rbegin(); it != emotions_.rend(); ++it) {
    if (it->confirmed) return it->emotion;
  }
  return std::nullopt;
}

result<Case> Case::open(CaseId id, CustomerId customer, Currency currency, Instant opened_at_utc) {
  if (opened_at_utc.is_special()) return detail::fail(errc::invalid_argument, "opened_at: not a real instant");
  return Case(std::move(id), std::move(customer), currency, opened_at_utc);
}

namespace {

// The step is built where apply() returns it (every path returns `out`, so it
// is never moved): the case is copied, or moved, once; on failure it is dropped.
template <class CaseRef>
result<Step> fold(CaseRef&& current, const Event& event, const Policy& policy, const Settings& settings) {
  result<Step> out{boost::outcome_v2::in_place_type<Step>, Step{std::forward<CaseRef>(current), {}, {}, {}}};
  Step& step = out.value();
  detail_case_access run{policy, event, settings, step.next, step.actions, step.findings, step.trace};
  auto done = std::visit([&](const auto& e) { return run.on(e); }, event.body);
  if (done) {
    run.finish();
  } else {
    out = done.error();
  }
  return out;
}

// apply(), on a case given as `const Case&` (copied: the caller's case is
// never touched) or as `Case&&` (moved into the working copy: the caller
// gives its case up, even on failure; replay() discards it then).
template <class CaseRef>
result<Step> apply_to(CaseRef&& current, const Event& event, const Policy& policy, Instant now_utc) {
  auto bad = [&](std::string why) {
    return detail::fail(errc::invalid_event,
                        fmt::format("{} event on case {}: {}", event_type(event.body), current.id().str(), why));
  };
  if (event.case_id != current.id()) return bad(fmt::format("the event is for case {}", event.case_id.str()));
  if (event.at_utc.is_special()) return bad("at: not a real instant");
  if (now_utc.is_special()) return detail::fail(errc::invalid_argument, "now: not a real instant");
  if (event.at_utc < current.last_event_at_utc()) {
    return bad(fmt::format("time goes backwards: {} is before the last event at {}", format_instant(event.at_utc),
                           format_instant(current.last_event_at_utc())));
  }
  if (now_utc < event.at_utc) {
    return detail::fail(errc::invalid_argument, fmt::format("now ({}) is before the event ({})",
                                                            format_instant(now_utc), format_instant(event.at_utc)));
  }
  if (current.stage() == Stage::closed && !std::holds_alternative<events::TimerFired>(event.body)) {
    return bad("the case is closed; a new contact opens a new case");
  }
  try {
    BOOST_OUTCOME_TRY(auto settings, from_policy(policy.settings(current), "settings"));
    if (settings == nullptr) return detail::fail(errc::policy_failed, "policy.settings: returned no settings");
    return fold(std::forward<CaseRef>(current), event, policy, *settings);
  } catch (const std::exception& e) {
    return detail::fail(errc::policy_failed, fmt::format("the policy threw: {}", e.what()));
  } catch (...) {
    return detail::fail(errc::policy_failed, "the policy threw a non-standard exception");
  }
}

}  // namespace

result<Step> apply(const Case& current, const Event& event, const Policy& policy, Instant now_utc) {
  return apply_to(current, event, policy, now_utc);
}

result<Case> replay(const Case& initial, std::span<const Event> journal, const Policy& policy) {
  // The working case moves from step to step: on failure it is dropped.
  Case c = initial;
  for (std::size_t i = 0; i < journal.size(); ++i) {
    auto step = apply_to(std::move(c), journal[i], policy, journal[i].at_utc);
    if (!step) {
      return detail::fail(static_cast<errc>(step.error().value()),
                          fmt::format("journal[{}]: {}", i, last_error_detail()));
    }
    c = std::move(step.value().next);
  }
  return c;
}

}  // namespace v1
}  // namespace redress
