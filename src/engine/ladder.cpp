// The engine's remedy ladder: what to offer next, and proposals judged
// against it.
//
// The ladder, cheapest first, for each order with a loss: extend the lost
// right (if eligible), replace it with at least its value, refund a money loss
// in proportion (cash only for a money loss), an extra gesture; then a
// non-material remedy. suggest() ranks these rungs for the agent while a need
// is unmet; judge_against_ladder() raises findings for a proposal that skips
// a cheaper eligible rung, replaces below the lost value, or pays cash far
// above the money lost.
//
// Part of the engine (src/engine/): the shared working state is in
// engine_internal.hpp, apply() in apply.cpp.
#include "engine_internal.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace redress {
inline namespace v1 {

using boost::outcome_v2::success;
using engine_detail::money_text;

namespace {

// A remedy still in play: proposed, awaiting or past approval, or granted.
bool live(const Remedy& r) { return r.status != RemedyStatus::rejected; }

__extension__ using int128 = __int128;

// `m` rounded up to a whole major unit.
result<Money> whole_units_up(Money m) {
  std::int64_t per = m.currency().minor_units_per_major();
  BOOST_OUTCOME_TRY(auto units, scale(m, 1, per, Rounding::up));
  return Money::from_minor_units(units.minor_units() * per, m.currency());
}

}  // namespace

result<std::optional<std::string>> detail_case_access::extension_refusal(const Order& o) {
  const Right& right = *o.loss.right;
  BOOST_OUTCOME_TRY(auto cal, calendar());
  CivilDate today = cal->time_zone().to_civil(ev.at_utc).date();
  long days = (today - right.expires_on).days();
  if (days > settings.extension_grace_days) {
    return say("extension.too_late", {{"right", term("right.", right.kind)},
                                      {"days", std::int64_t{days}},
                                      {"grace", std::int64_t{settings.extension_grace_days}}});
  }
  if (right.times_extended >= settings.max_extensions) {
    return say("extension.used", {{"right", term("right.", right.kind)},
                                  {"times", std::int64_t{right.times_extended}},
                                  {"max", std::int64_t{settings.max_extensions}}});
  }
  return std::optional<std::string>();
}

Money detail_case_access::lost_value(const Order& o) {
  if (o.loss.amount.is_positive() || !o.loss.right) return o.loss.amount;
  return o.loss.right->value;
}

result<bool> detail_case_access::judge_against_ladder(const events::RemedyProposed& e, const Order& o) {
  Money lost = lost_value(o);
  bool blocked = false;
  auto check = [&](std::string_view code, std::string message) {
    blocked |= find(code, Severity::warn, std::move(message)) == Severity::block;
  };
  bool costs_money = e.kind == RemedyKind::replacement || e.kind == RemedyKind::extra || e.kind == RemedyKind::cash;
  if (costs_money && o.loss.kind == LossKind::right) {
    BOOST_OUTCOME_TRY(auto refusal, extension_refusal(o));
    if (!refusal) {
      check("remedy.skipped_rung", say("finding.remedy.skipped_rung", {{"right", term("right.", o.loss.right->kind)},
                                                                        {"kind", term("remedy.", to_string(e.kind))}}));
    } else if (e.kind == RemedyKind::cash) {
      check("remedy.skipped_rung", say("finding.remedy.skipped_rung.cash",
                                       {{"lost", lost}, {"right", term("right.", o.loss.right->kind)}}));
    }
  }
  if (e.kind == RemedyKind::replacement) {
    BOOST_OUTCOME_TRY(auto order, compare(e.value, lost));
    if (order < 0) {
      check("remedy.below_lost_value", say("finding.remedy.below_lost_value", {{"value", e.value}, {"lost", lost}}));
    }
  }
  if (e.kind == RemedyKind::cash && o.loss.kind == LossKind::money && lost.is_positive()) {
    // value > λ × loss, λ in thousandths: compared in 128 bits, no rounding.
    int128 value = static_cast<int128>(e.value.minor_units()) * 1000;
    int128 limit = static_cast<int128>(lost.minor_units()) * settings.loss_aversion_permille;
    if (value > limit) {
      std::string lambda = fmt::format("{}.{:03}", settings.loss_aversion_permille / 1000,
                                       settings.loss_aversion_permille % 1000);
      check("remedy.cash_out_of_proportion",
            say("finding.remedy.cash_out_of_proportion", {{"value", e.value}, {"lost", lost}, {"lambda", lambda}}));
    }
  }
  return blocked;
}

std::string detail_case_access::offer_framing(const Remedy& r, int approved_level) {
  if (r.kind == RemedyKind::replacement && r.order) {
    const Order* o = c.find_order(*r.order);
    if (o && o->loss.kind != LossKind::none) {
      auto order = compare(r.value, lost_value(*o));
      if (order && order.value() < 0) return policy_text(settings.below_value_framing, "framing.below_value");
    }
  }
  // Only a remedy a supervisor approved may say a supervisor was asked.
  return approved_level >= 1 ? policy_text(settings.approved_framing, "framing.approved") : framing(r.kind);
}

result<void> detail_case_access::suggest(std::vector<Suggestion>& out) {
  if (c.stage_ == Stage::closed || c.resolved_) return success();
  if (c.needs_.empty() && !c.flags_.proactive) return success();
  if (std::any_of(c.remedies_.begin(), c.remedies_.end(), live)) return success();
  auto add_rung = [&](RemedyKind kind, const Order* o, Money value, std::string why) -> result<void> {
    BOOST_OUTCOME_TRY(int level, approval_level(kind, value));
    if (level < 0) return success();  // nobody may grant it: not a suggestion
    std::string framing_text = level >= 1 ? policy_text(settings.approved_framing, "framing.approved") : framing(kind);
    out.push_back(Suggestion{static_cast<int>(out.size()) + 1, kind, o ? std::optional<OrderId>(o->id) : std::nullopt,
                             value, level, std::move(framing_text), std::move(why)});
    return success();
  };
  for (const auto& o : c.orders_) {
    if (o.loss.kind == LossKind::none) continue;
    Money lost = lost_value(o);
    std::string skipped;
    if (o.loss.kind == LossKind::right) {
      const Right& right = *o.loss.right;
      BOOST_OUTCOME_TRY(auto refusal, extension_refusal(o));
      if (!refusal) {
        BOOST_OUTCOME_TRYV(add_rung(RemedyKind::extension, &o, Money::zero(c.currency_),
                                    say("suggest.extension",
                                        {{"right", term("right.", right.kind)}, {"order", o.id.str()}})));
      } else {
        skipped = *refusal;
      }
      Money value = lost;
      for (const auto& d : settings.replacement_denominations) {
        BOOST_OUTCOME_TRY(auto order, compare(d, lost));
        if (order >= 0) {
          value = d;
          break;
        }
      }
      BOOST_OUTCOME_TRYV(add_rung(RemedyKind::replacement, &o, value,
                                  say(skipped.empty() ? "suggest.replacement" : "suggest.replacement.no_extension",
                                      {{"right", term("right.", right.kind)}, {"lost", lost}, {"refusal", skipped}})));
    } else {
      BOOST_OUTCOME_TRYV(
          add_rung(RemedyKind::cash, &o, lost, say("suggest.cash", {{"lost", lost}, {"order", o.id.str()}})));
    }
    BOOST_OUTCOME_TRY(auto gesture, scale(lost, settings.extra_gesture_permille, 1000, Rounding::up));
    BOOST_OUTCOME_TRY(gesture, whole_units_up(gesture));
    if (gesture.is_positive()) {
      BOOST_OUTCOME_TRYV(add_rung(RemedyKind::extra, &o, gesture,
                                  say("suggest.extra", {{"permille", std::int64_t{settings.extra_gesture_permille}}})));
    }
  }
  if (out.empty()) return success();
  return add_rung(RemedyKind::non_material, nullptr, Money::zero(c.currency_), say("suggest.non_material"));
}

}  // namespace v1
}  // namespace redress
