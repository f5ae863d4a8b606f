// The engine's remedy and approval rules.
//
// Remedies and approvals: a proposal is judged against the rules and the caps, routed
// to the authority that may grant it, then approved, rejected, accepted, granted.
//
// Part of the engine (src/engine/): the shared working state is in
// engine_internal.hpp, apply() in apply.cpp.
#include "engine_internal.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace redress {
inline namespace v1 {

using boost::outcome_v2::success;
using engine_detail::from_policy;
using engine_detail::kMaxAuthorityLevel;
using engine_detail::money_text;
using engine_detail::remedy_counts_toward_caps;

// The lowest level whose authority covers `value` for `kind`, or -1.
result<int> detail_case_access::approval_level(RemedyKind kind, Money value) {
  for (int level = 0; level <= kMaxAuthorityLevel; ++level) {
    BOOST_OUTCOME_TRY(auto limit, from_policy(policy.authority(level, kind), "authority"));
    if (!limit) return level;
    BOOST_OUTCOME_TRY(auto order, compare(value, *limit));
    if (order <= 0) return level;
  }
  return -1;
}

// The rules a proposal must pass before it may be offered. Returns true
// when a blocking finding was raised.
result<bool> detail_case_access::remedy_blocked(const events::RemedyProposed& e, const Order* o) {
  bool blocked = false;
  auto check = [&](std::string_view code, Severity fallback, std::string message) {
    blocked |= find(code, fallback, std::move(message)) == Severity::block;
  };
  // In a case the company opened, the failure signal implies the need.
  if (c.needs_.empty() && e.kind != RemedyKind::non_material && !c.flags_.proactive) {
    check("remedy.before_need", Severity::block, say("finding.remedy.before_need"));
  }
  if (e.kind == RemedyKind::extension) {
    if (!o || o->loss.kind != LossKind::right) {
      check("remedy.extension_ineligible", Severity::block, say("finding.remedy.extension_ineligible"));
    } else {
      BOOST_OUTCOME_TRY(auto refusal, extension_refusal(*o));
      if (refusal) check("remedy.extension_ineligible", Severity::block, std::move(*refusal));
      why("remedy.extension", fmt::format("policy extension_grace_days = {}, max_extensions = {}",
                                          settings.extension_grace_days, settings.max_extensions));
    }
  }
  if (o) {
    BOOST_OUTCOME_TRY(bool off_ladder, judge_against_ladder(e, *o));
    blocked |= off_ladder;
  }
  if (e.kind == RemedyKind::cash) {
    bool lost = o ? o->loss.kind != LossKind::none
                  : std::any_of(c.orders_.begin(), c.orders_.end(),
                                [](const Order& x) { return x.loss.kind != LossKind::none; });
    BOOST_OUTCOME_TRY(auto over_goodwill, compare(e.value, settings.goodwill_cap));
    if (!lost && over_goodwill > 0) {
      check("remedy.cash_without_loss", Severity::block,
            say("finding.remedy.cash_without_loss", {{"value", e.value}, {"cap", settings.goodwill_cap}}));
    }
  }
  return blocked;
}

result<int> detail_case_access::cap_level(const events::RemedyProposed& e, int authority_level) {
  BOOST_OUTCOME_TRY(auto spend, from_policy(policy.prior_spend(c), "prior_spend"));
  Money on_case = Money::zero(c.currency_);
  int count = e.kind != RemedyKind::non_material;
  for (const auto& r : c.remedies_) {
    if (!remedy_counts_toward_caps(r)) continue;
    BOOST_OUTCOME_TRY(on_case, add(on_case, r.value));
    count += r.kind != RemedyKind::non_material;
  }
  BOOST_OUTCOME_TRY(auto with_this, add(on_case, e.value));
  int level = 0;
  bool blocked = false;
  // Over a cap, the decision goes up: to the level the policy names for the
  // cap, by default one above the level the value needs.
  auto over = [&](const std::optional<int>& cap_level, std::string message) {
    int to = std::min(std::max(cap_level.value_or(authority_level + 1), authority_level), top_level());
    to = std::max(to, 1);
    Severity s = find("remedy.over_cap", Severity::warn,
                      say("finding.remedy.over_cap",
                          {{"reason", message}, {"level", std::int64_t{to}}, {"role", role(to)}}));
    blocked |= s == Severity::block;
    level = std::max(level, to);
  };
  auto money_cap = [&](const std::optional<Money>& cap, const std::optional<Money>& prior, const std::optional<int>& at,
                       std::string_view key) -> result<void> {
    if (!cap) return success();
    Money total = with_this;
    if (prior) { BOOST_OUTCOME_TRY(total, add(total, *prior)); }
    BOOST_OUTCOME_TRY(auto order, compare(total, *cap));
    if (order > 0) {
      over(at, say(key, {{"total", total}, {"cap", *cap}}));
    }
    return success();
  };
  BOOST_OUTCOME_TRYV(money_cap(settings.incident_group_cap, spend.incident_group, settings.incident_group_cap_level,
                               "over_cap.incident_group"));
  BOOST_OUTCOME_TRYV(money_cap(settings.customer_cap, spend.customer_in_period, settings.customer_cap_level,
                               "over_cap.customer"));
  if (settings.customer_cap_count && e.kind != RemedyKind::non_material) {
    int total = count + std::max(0, spend.customer_remedies_in_period.value_or(0));
    if (total > *settings.customer_cap_count) {
      over(settings.customer_cap_level,
           say("over_cap.customer_count", {{"count", std::int64_t{total}},
                                           {"period", settings.customer_cap_period},
                                           {"cap", std::int64_t{*settings.customer_cap_count}}}));
    }
  }
  if (level > 0) {
    why("remedy.cap", blocked ? std::string("the policy blocks remedies over a cap")
                              : fmt::format("over a cap the decision goes up, to level {} ({})", level, role(level)));
  }
  return blocked ? -1 : level;
}

result<void> detail_case_access::request_approval(Remedy& r, int level) {
  const ClockBasis basis{ev.at_utc, settings.approval_timeout, 0, true, ContactMove::none};
  BOOST_OUTCOME_TRY(auto due, basis_due(FollowUpKind::approval, basis));  // clocks.cpp
  std::uint64_t seq = c.next_follow_up_;
  r.approval_level = level;
  r.status = RemedyStatus::approval_requested;
  act(actions::RequestApproval{r.id, r.value, level});
  BOOST_OUTCOME_TRYV(schedule(FollowUpKind::approval, due, basis));
  r.approval_timer = static_cast<std::uint32_t>(seq);
  why("approval.clock", fmt::format("an answer from level {} ({}) is due within {} of working time",
                                    level, role(level), format_duration(settings.approval_timeout)));
  return success();
}

result<void> detail_case_access::stop_approval_clock(Remedy& r) {
  if (r.approval_timer == 0) return success();
  BOOST_OUTCOME_TRY(auto id, follow_up_id(r.approval_timer));
  r.approval_timer = 0;
  cancel_if([&](const FollowUp& f) { return f.id == id; });
  return success();
}

result<void> detail_case_access::approval_timed_out(const FollowUp& f) {
  Remedy* r = nullptr;
  for (auto& x : change(c.remedies_)) {
    if (x.status != RemedyStatus::approval_requested || x.approval_timer == 0) continue;
    BOOST_OUTCOME_TRY(auto id, follow_up_id(x.approval_timer));
    if (id == f.id) r = &x;
  }
  if (r == nullptr) {
    why("approval.stale", "the remedy was decided before its approval timer fired");
    return success();
  }
  int from = r->approval_level;
  int to = std::min(from + 1, top_level());
  find("approval.timed_out", Severity::warn,
       say("finding.approval.timed_out", {{"remedy", r->id.str()},
                                          {"timeout", settings.approval_timeout},
                                          {"from", std::int64_t{from}},
                                          {"from_role", role(from)},
                                          {"to", std::int64_t{to}},
                                          {"to_role", role(to)}}));
  escalate_to(to, "approval.timed_out",
              say("escalate.approval.timed_out", {{"timeout", settings.approval_timeout}, {"remedy", r->id.str()}}));
  act(actions::Reply{say("reply.approval_waiting", {{"role", role(to)}})});
  return request_approval(*r, to);
}

result<void> detail_case_access::on(const events::RemedyProposed& e) {
  if (c.find_remedy(e.remedy)) return bad_event(fmt::format("remedy {} was already proposed", e.remedy.str()));
  BOOST_OUTCOME_TRYV(check_currency(e.value, "value"));
  if (e.value.is_negative()) return bad_event("value is negative");
  if (e.kind == RemedyKind::non_material && !e.value.is_zero()) {
    return bad_event("a non-material remedy has no money value");
  }
  if (e.kind != RemedyKind::non_material && !e.content.empty()) {
    return bad_event("content is only for a non-material remedy (the customer's ideas)");
  }
  const Order* o = nullptr;
  if (e.order) {
    o = c.find_order(*e.order);
    if (!o) return bad_event(fmt::format("order {} is not linked to the case", e.order->str()));
  }
  Remedy r{e.remedy, e.kind, e.value, e.order, RemedyStatus::proposed, 0, std::nullopt};
  if (!e.content.empty()) {
    c.remedy_contents_.push_back({e.remedy, e.content});
    why("remedy.content", "the customer's ideas are kept with the non-material remedy");
  }

  auto reject = [&] {
    r.status = RemedyStatus::rejected;
    c.remedies_.push_back(std::move(r));
    act(actions::Reply{say("reply.remedy_blocked")});
    why("remedy.blocked", "a blocking finding stops the offer");
    return success();
  };
  BOOST_OUTCOME_TRY(bool blocked, remedy_blocked(e, o));
  if (blocked) return reject();
  BOOST_OUTCOME_TRY(int level, approval_level(e.kind, e.value));
  if (level < 0) {
    find("remedy.beyond_all_authority", Severity::block,
         say("finding.remedy.beyond_all_authority", {{"value", e.value}}));
    r.status = RemedyStatus::rejected;
    c.remedies_.push_back(std::move(r));
    return success();
  }
  BOOST_OUTCOME_TRY(int over_cap, cap_level(e, level));
  if (over_cap < 0) return reject();
  if (level > 0) {
    BOOST_OUTCOME_TRY(auto front, from_policy(policy.authority(0, e.kind), "authority"));
    find("remedy.over_authority", Severity::info,
         say("finding.remedy.over_authority",
             {{"value", e.value},
              {"front", front ? MessageValue(*front) : MessageValue(MessageTerm("authority.none"))},
              {"level", std::int64_t{level}}}));
    why("remedy.authority", fmt::format("policy authority level 0 = {}", front ? money_text(*front) : "none"));
  }
  level = std::max(level, over_cap);
  r.approval_level = level;
  if (level > 0) {
    BOOST_OUTCOME_TRYV(request_approval(r, level));
  } else {
    act(actions::Offer{e.remedy, e.value, offer_framing(r, 0)});
    why("remedy.offer", "within front-line authority; offered as a gift");
  }
  c.remedies_.push_back(std::move(r));
  return success();
}

result<Remedy*> detail_case_access::known_remedy(const RemedyId& id) {
  Remedy* r = remedy(id);
  if (!r) return bad_event(fmt::format("remedy {} was never proposed", id.str()));
  return r;
}

result<void> detail_case_access::on(const events::RemedyApproved& e) {
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
  if (e.level < r->approval_level) {
    return bad_event(fmt::format("remedy {} must be approved at level {} ({}) or above, not {}", r->id.str(),
                                 r->approval_level, role(r->approval_level), e.level));
  }
  BOOST_OUTCOME_TRYV(stop_approval_clock(*r));
  r->status = RemedyStatus::approved;
  r->decided_by = e.approver;
  act(actions::Offer{r->id, r->value, offer_framing(*r, e.level)});
  why("remedy.approved", fmt::format("approved by {} at level {}", e.approver.str(), e.level));
  return success();
}

result<void> detail_case_access::on(const events::RemedyRejected& e) {
  BOOST_OUTCOME_TRY(Remedy * r, known_remedy(e.remedy));
  if (r->status == RemedyStatus::granted || r->status == RemedyStatus::rejected) {
    return bad_event(fmt::format("remedy {} is already {}", r->id.str(), to_string(r->status)));
  }
  BOOST_OUTCOME_TRYV(stop_approval_clock(*r));
  r->status = RemedyStatus::rejected;
  r->decided_by = e.by;
  act(actions::Reply{say("reply.remedy_rejected",
                         {{"reason", e.reason.empty() ? say("reply.give_the_reason") : e.reason}})});
  return success();
}

result<void> detail_case_access::on(const events::RemedyAccepted& e) {
  BOOST_OUTCOME_TRY(Remedy * r, known_remedy(e.remedy));
  if (r->status != RemedyStatus::proposed && r->status != RemedyStatus::approved) {
    return bad_event(fmt::format("remedy {} is {}; only an offered remedy can be accepted", r->id.str(),
                                 to_string(r->status)));
  }
  r->status = RemedyStatus::accepted;
  return success();
}

result<void> detail_case_access::on(const events::RemedyGranted& e) {
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

}  // namespace v1
}  // namespace redress
