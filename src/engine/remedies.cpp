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

result<void> detail_case_access::on(const events::RemedyProposed& e) {
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
  r->status = RemedyStatus::approved;
  r->decided_by = e.approver;
  act(actions::Offer{r->id, r->value, framing(r->kind)});
  why("remedy.approved", fmt::format("approved by {} at level {}", e.approver.str(), e.level));
  return success();
}

result<void> detail_case_access::on(const events::RemedyRejected& e) {
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
