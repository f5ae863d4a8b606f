// The engine's contact and stage rules.
//
// Contacts and stages: the customer comes back, feels, is apologised to, reviews the
// facts, states a need, links orders; the case is resolved and closed.
//
// Part of the engine (src/engine/): the shared working state is in
// engine_internal.hpp, apply() in apply.cpp.
#include "engine_internal.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace redress {
inline namespace v1 {

using boost::outcome_v2::success;
using engine_detail::concat;
using engine_detail::from_policy;

result<void> detail_case_access::on(const events::ContactReceived& e) {
  if (e.from && std::find(c.contact_points_.begin(), c.contact_points_.end(), *e.from) == c.contact_points_.end()) {
    c.contact_points_.push_back(*e.from);
  }
  c.channels_.add(e.channel);
  if (e.locale) c.locale_ = static_cast<std::uint8_t>(*e.locale);
  ++c.contacts_;
  BOOST_OUTCOME_TRYV(contact_clocks(e));  // clocks.cpp: the customer's zone, a public contact
  if (c.awaiting_customer_since()) return customer_answered();  // clocks.cpp: the answer we waited for
  if (c.contacts_ == 1 && !c.flags_.proactive) {
    act(actions::Reply{say("reply.apologise_first")});
    why("apology.first", "the first step of recovery is the apology");
    return restart_update_clock("first update due in");
  }
  if (c.contacts_ == 1) return success();  // the customer answers a case we opened ourselves
  ++c.flags_.repeat_contacts;
  bool raised = bump_priority();
  find("contact.repeat", Severity::warn,
       say("finding.contact.repeat",
           {{"contacts", std::int64_t{c.contacts_}}, {"channel", term("channel.", to_string(e.channel))}}));
  act(actions::SurfaceHistory{history()});
  why("contact.repeat", fmt::format("priority {} {}", raised ? "raised to" : "stays at the top,", to_string(c.priority_)));
  if (c.flags_.repeat_contacts >= settings.repeat_contacts_to_escalate) {
    escalate("contact.repeat", say("escalate.contact.repeat", {{"contacts", std::int64_t{c.contacts_}}}));
    why("contact.repeat.escalate",
        fmt::format("policy repeat_contacts_to_escalate = {}", settings.repeat_contacts_to_escalate));
  }
  if (c.resolved_) return success();
  c.update_overdue_since_ = Instant();
  return restart_update_clock("the customer came back: update due in");
}

std::string detail_case_access::history() {
  std::string channels;
  std::string_view separator = settings.messages.text("list.separator", locale());
  for (auto ch : c.channels_) {
    if (!channels.empty()) channels += separator;
    channels += term("channel.", to_string(ch));
  }
  int lapsed = 0, open = 0;
  for (const auto& p : c.promises_) {
    lapsed += p.state == PromiseState::lapsed;
    open += p.state == PromiseState::open;
  }
  std::string feeling = c.emotions_.empty()
                            ? say("history.no_feeling")
                            : say("history.feeling",
                                  {{"emotion", term("emotion.", to_string(c.emotions_.back().emotion.kind()))},
                                   {"intensity", std::int64_t{c.emotions_.back().emotion.intensity()}}});
  return say("history.summary", {{"contacts", std::int64_t{c.contacts_}},
                                 {"channels", channels},
                                 {"stage", term("stage.", to_string(c.stage_))},
                                 {"open", std::int64_t{open}},
                                 {"lapsed", std::int64_t{lapsed}},
                                 {"remedies", static_cast<std::int64_t>(c.remedies_.size())},
                                 {"feeling", feeling}});
}

result<void> detail_case_access::on(const events::EmotionObserved& e) {
  const EmotionRecord* last = c.emotions_.empty() ? nullptr : &c.emotions_.back();
  if (e.emotion.is_negative() && last && last->emotion.is_negative() &&
      e.emotion.intensity() > last->emotion.intensity() && e.emotion.intensity() >= 6) {
    find("emotion.rising", Severity::warn,
         say("finding.emotion.rising", {{"from", term("emotion.", to_string(last->emotion.kind()))},
                                        {"from_intensity", std::int64_t{last->emotion.intensity()}},
                                        {"to", term("emotion.", to_string(e.emotion.kind()))},
                                        {"to_intensity", std::int64_t{e.emotion.intensity()}}}));
    bump_priority();
  }
  c.emotions_.push_back({e.emotion, ev.at_utc, false});
  return public_feeling(e);  // clocks.cpp: a negative public review starts its reply clock
}

// Lints what an agent said (an apology, an update) and records the lint's
// findings as "lint.<code>" (a code of the lint's own family, such as
// "lint.unsupported_language", as it is), and "lint.reply.repeated" when the
// reply is near one already linted on the case.
result<void> detail_case_access::lint_text(std::string_view text) {
  BOOST_OUTCOME_TRY(auto authority, from_policy(policy.authority(0, RemedyKind::cash), "authority"));
  // The hints are for the agent, in the case's language.
  Locale l = locale();
  LintLanguage language = l == Locale::zh_hans   ? LintLanguage::zh_hans
                          : l == Locale::zh_hant ? LintLanguage::zh_hant
                                                 : LintLanguage::en;
  LintContext context{language,
                      authority.value_or(Money::from_minor_units(INT64_MAX, c.currency_)), settings.lint};
  auto report = lint(text, context);
  if (!report) {
    return detail::fail(static_cast<errc>(report.error().value()),
                        fmt::format("{} event on case {}: text: {}", event_type(ev.body), c.id_.str(),
                                    last_error_detail()));
  }
  const auto severity = [](LintSeverity s) {
    return s == LintSeverity::block ? Severity::block : s == LintSeverity::warn ? Severity::warn : Severity::info;
  };
  for (const auto& f : report.value().findings) {
    const std::string_view code = f.code;
    find(code.starts_with("lint.") ? std::string(code) : fmt::format("lint.{}", code), severity(f.severity),
         f.hint.empty() ? say("finding.lint.no_hint", {{"phrase", f.phrase}})
                        : say("finding.lint", {{"phrase", f.phrase}, {"hint", f.hint}}));
  }
  // The text is valid UTF-8 (the lint read it), so its fingerprint is made.
  if (auto fp = reply_fingerprint(text)) {
    const auto repeated = settings.lint.severity_of("reply.repeated");
    if (repeated && is_repeated_reply(fp.value(), c.reply_fingerprints_, settings.lint)) {
      find("lint.reply.repeated", severity(*repeated),
           say("finding.lint.reply.repeated",
               {{"similarity", static_cast<std::int64_t>(settings.lint.settings().repeated_reply_similarity)}}));
    }
    c.reply_fingerprints_.push_back(fp.value());
  }
  why("lint", concat("structure score ", report.value().structure_score, "/100"));
  return success();
}

result<void> detail_case_access::on(const events::ApologyGiven& e) {
  BOOST_OUTCOME_TRYV(lint_text(e.text));
  ++c.apologies_;
  why("apology.given", concat("apology ", c.apologies_, " on this case"));
  return success();
}

result<void> detail_case_access::on(const events::ForgivenessSignalled&) {
  c.forgiven_ = true;
  if (c.stage_ == Stage::apologise) {
    c.stage_ = Stage::review;
    why("stage.review", "the customer accepted the apology: review the problem together");
  }
  return success();
}

void detail_case_access::review_before_apology(std::string_view what) {
  if (!c.forgiven_) {
    find("review.before_apology", Severity::warn, say("finding.review.before_apology", {{"what", say(what)}}));
  }
}

result<void> detail_case_access::on(const events::QuestionAsked& e) {
  review_before_apology("review.question");
  if (e.awaits_answer) return start_customer_wait(e.text);  // clocks.cpp: a pause
  return success();
}

result<void> detail_case_access::on(const events::FactsReviewed&) {
  review_before_apology("review.facts");
  if (c.stage_ < Stage::solve) {
    c.stage_ = Stage::solve;
    why("stage.solve", "facts reviewed with the customer: solve it and follow up");
  }
  return success();
}

result<void> detail_case_access::on(const events::NeedStated& e) {
  c.needs_.push_back({e.text, ev.at_utc});
  return success();
}

result<void> detail_case_access::on(const events::OrderLinked& e) {
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

result<void> detail_case_access::on(const events::Resolved&) {
  if (c.resolved_) return bad_event("the case is already resolved");
  c.resolved_ = true;
  end_waits_on_resolution();  // clocks.cpp
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
  const ClockBasis basis{ev.at_utc, settings.satisfaction_check_after, 0, false, ContactMove::later};
  BOOST_OUTCOME_TRY(auto check_at, basis_due(FollowUpKind::satisfaction_check, basis));  // clocks.cpp
  BOOST_OUTCOME_TRYV(schedule(FollowUpKind::satisfaction_check, check_at, basis));
  act(actions::Reply{say("reply.resolved")});
  why("resolved", fmt::format("updates stop; satisfaction check in {}",
                              format_duration(settings.satisfaction_check_after)));
  return success();
}

result<void> detail_case_access::on(const events::SatisfactionConfirmed& e) {
  c.emotions_.push_back({e.emotion, ev.at_utc, true});
  if (e.emotion.is_neutral_or_positive()) {
    cancel_kind(FollowUpKind::satisfaction_check);
    why("closure.feeling", fmt::format("the customer confirmed feeling {}", to_string(e.emotion.kind())));
  } else {
    find("close.feeling_negative", Severity::warn,
         say("finding.close.feeling_negative", {{"emotion", term("emotion.", to_string(e.emotion.kind()))},
                                                {"intensity", std::int64_t{e.emotion.intensity()}}}));
    act(actions::Reply{say("reply.apologise_again")});
  }
  return success();
}

result<void> detail_case_access::on(const events::RootCauseRecorded& e) {
  if (e.cause.category.empty()) return bad_event("root_cause.category is empty");
  // The policy's taxonomy (if any) names the category: an alias is recorded as its id.
  auto category = settings.root_causes.resolve(e.cause.category);
  if (!category) return bad_event(std::string(last_error_detail()));
  c.root_cause_ = e.cause;
  c.root_cause_->category = std::move(category).value();
  return success();
}

result<void> detail_case_access::on(const events::CloseRequested&) {
  bool blocked = false;
  auto check = [&](bool ok, std::string_view code, std::string_view key) {
    if (!ok) blocked |= find(code, Severity::block, say(key)) == Severity::block;
  };
  auto feeling = c.confirmed_feeling();
  check(c.resolved_, "close.unresolved", "finding.close.unresolved");
  check(feeling && feeling->is_neutral_or_positive(), "close.feeling_unconfirmed", "finding.close.feeling_unconfirmed");
  check(c.root_cause_.has_value(), "close.root_cause_missing", "finding.close.root_cause_missing");
  if (blocked) {
    why("close.refused", "closing needs a resolution, a confirmed feeling and a root cause");
    return success();
  }
  c.stage_ = Stage::closed;
  cancel_if([](const FollowUp&) { return true; });
  // A closed case takes no reply (only stale timers): the fingerprints that
  // caught repeated replies are of no more use, and they were most of what
  // a closed case held.
  c.reply_fingerprints_ = {};
  act(actions::Close{});
  why("close", "resolved, feeling confirmed, root cause recorded");
  return success();
}

}  // namespace v1
}  // namespace redress
