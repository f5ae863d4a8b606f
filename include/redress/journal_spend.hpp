// redress/journal_spend.hpp: prior spend from the journals a store holds.
//
// The caps on remedies (per incident group, per customer in a period, in
// money and by count; docs/engine.md) need what other cases already gave.
// The engine asks the policy (`Policy::prior_spend`); a host that keeps its
// journals in a redress store (SqliteStore, PgStore, or any JournalStore) can
// let the store answer: `JournalSpendPolicy` wraps a policy and computes the
// spend from the other cases' journals, replayed under the wrapped policy.
//
// What counts, for a case `c` at the instant of its last event:
//   - incident_group: the value of every remedy not rejected, on every other
//     case in the same incident group;
//   - customer_in_period, customer_remedies_in_period: the value and the
//     number (non-material remedies not counted) of every remedy not
//     rejected, on every other case of the same customer that had an event
//     within `customer_cap_period` before it.
// Remedies not rejected count, as they do on the case itself: a remedy
// proposed or awaiting approval is spend the caps must see.
//
// Cost: every call reads and replays every other case in the store (the
// reference behaviour, for `redress run` and small stores); a host with many
// cases should answer prior_spend() from an index of its own.
//
// Thread safety: as safe as the wrapped policy and the store's const methods.
#ifndef REDRESS_JOURNAL_SPEND_HPP
#define REDRESS_JOURNAL_SPEND_HPP

#include <redress/policy.hpp>
#include <redress/store.hpp>

namespace redress {
inline namespace v1 {

// JournalSpendPolicy
//
// `base` with prior_spend() answered from `store`'s journals. Both are
// borrowed and must outlive it.
//
// Example (given const redress::Policy& reference_policy, const redress::Case& c,
//          const redress::Event& event, redress::Instant now):
//   auto store = redress::SqliteStore::open("cases.db").value();
//   redress::JournalSpendPolicy policy(reference_policy, store);
//   auto step = redress::apply(c, event, policy, now);
class JournalSpendPolicy final : public ForwardingPolicy {
 public:
  JournalSpendPolicy(const Policy& base, const JournalStore& store) noexcept
      : ForwardingPolicy(base), store_(store) {}

  // Fails with the store's error when a journal cannot be read or replayed.
  result<Spend> prior_spend(const Case& c) const override;

 private:
  const JournalStore& store_;
};

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_JOURNAL_SPEND_HPP
