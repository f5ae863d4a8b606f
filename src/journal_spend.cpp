// Prior spend from the journals a store holds (<redress/journal_spend.hpp>).
#include <redress/journal_spend.hpp>

#include <redress/engine.hpp>

namespace redress {
inline namespace v1 {

namespace {

// Adds `m` to the total `to` (starting it at zero).
result<void> add_to(std::optional<Money>& to, Money m) {
  if (!to) to = Money::zero(m.currency());
  BOOST_OUTCOME_TRY(auto sum, add(*to, m));
  to = sum;
  return boost::outcome_v2::success();
}

}  // namespace

result<Spend> JournalSpendPolicy::prior_spend(const Case& c) const {
  BOOST_OUTCOME_TRY(const Settings* settings, base().settings(c));
  if (settings == nullptr) return detail::fail(errc::policy_failed, "policy.settings: returned no settings");
  const Instant since = c.last_event_at_utc() - settings->customer_cap_period;
  Spend spend;
  BOOST_OUTCOME_TRY(auto ids, store_.cases());
  for (const auto& id : ids) {
    if (id == c.id()) continue;
    BOOST_OUTCOME_TRY(auto other, restore(store_, id, base()));
    if (!other) continue;
    bool same_group = c.incident_group() && other->incident_group() == c.incident_group();
    bool same_customer = other->customer() == c.customer() && other->last_event_at_utc() >= since;
    if (!same_group && !same_customer) continue;
    for (const auto& r : other->remedies()) {
      if (r.status == RemedyStatus::rejected || r.value.currency() != c.currency()) continue;
      if (same_group) { BOOST_OUTCOME_TRYV(add_to(spend.incident_group, r.value)); }
      if (same_customer) {
        BOOST_OUTCOME_TRYV(add_to(spend.customer_in_period, r.value));
        if (r.kind != RemedyKind::non_material) {
          spend.customer_remedies_in_period = spend.customer_remedies_in_period.value_or(0) + 1;
        }
      }
    }
  }
  return spend;
}

}  // namespace v1
}  // namespace redress
