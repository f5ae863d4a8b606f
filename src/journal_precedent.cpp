// Cited precedents looked up in a store's journals (<redress/journal_precedent.hpp>).
#include <redress/journal_precedent.hpp>

#include <algorithm>
#include <span>
#include <vector>

#include <redress/engine.hpp>

namespace redress {
inline namespace v1 {

namespace {

// The events of `journal` up to `as_of`: the prefix before the first later one.
std::span<const Event> up_to(const std::vector<Event>& journal, Instant as_of) {
  auto later = std::find_if(journal.begin(), journal.end(), [&](const Event& e) { return e.at_utc > as_of; });
  return {journal.data(), static_cast<std::size_t>(later - journal.begin())};
}

// Whether the journal links the order `id` (before replaying it).
bool links(std::span<const Event> journal, const OrderId& id) {
  return std::any_of(journal.begin(), journal.end(), [&](const Event& e) {
    const auto* linked = std::get_if<events::OrderLinked>(&e.body);
    return linked != nullptr && linked->order.id == id;
  });
}

// Adds the remedies of `c` not rejected (on order `only`, when given) to
// `p`, keeping the kind of the largest.
result<void> add_remedies(const Case& c, const std::optional<OrderId>& only, Precedent& p,
                          std::optional<Money>& largest) {
  for (const auto& r : c.remedies()) {
    if (r.status == RemedyStatus::rejected || r.value.currency() != p.value.currency()) continue;
    if (only && r.order != only) continue;
    BOOST_OUTCOME_TRY(auto sum, add(p.value, r.value));
    p.value = sum;
    bool larger = !largest;
    if (largest) {
      BOOST_OUTCOME_TRY(auto order, compare(r.value, *largest));
      larger = order > 0;
    }
    if (larger) {
      largest = r.value;
      p.kind = r.kind;
    }
  }
  return boost::outcome_v2::success();
}

// What the orders of `c` lost: one order's loss as it is; several, the money
// they lost together (nothing when that is zero).
result<Loss> loss_of(const Case& c) {
  const auto& orders = c.orders();
  if (orders.size() == 1) return orders.begin()->loss;
  Money total = Money::zero(c.currency());
  for (const auto& o : orders) {
    if (o.loss.amount.currency() != c.currency()) continue;
    BOOST_OUTCOME_TRY(auto sum, add(total, o.loss.amount));
    total = sum;
  }
  if (total.is_zero()) return Loss::nothing(c.currency());
  return Loss{LossKind::money, total, std::nullopt};
}

// The case `id` as its journal up to `as_of` leaves it; std::nullopt when
// the store does not hold it in `currency`, or it had no event yet.
result<std::optional<Case>> case_as_of(const JournalStore& store, PinnedPolicies& pinned, const Policy& fallback,
                                       const CaseId& id, Currency currency, Instant as_of,
                                       const std::optional<OrderId>& linking = std::nullopt) {
  BOOST_OUTCOME_TRY(auto header, store.header(id));
  if (!header || header->currency != currency) return std::optional<Case>();
  BOOST_OUTCOME_TRY(auto journal, store.events(id));
  auto before = up_to(journal, as_of);
  if (before.empty() || (linking && !links(before, *linking))) return std::optional<Case>();
  BOOST_OUTCOME_TRY(auto c, pinned.replay(*header, before, fallback));
  return std::optional<Case>(std::move(c));
}

}  // namespace

result<std::optional<Precedent>> find_precedent(const JournalStore& store, const Policy& fallback, const Case& citing,
                                                std::string_view reference, Instant as_of) {
  const Currency currency = citing.currency();
  PinnedPolicies pinned(store);
  Precedent p{RemedyKind::cash, Money::zero(currency), Loss::nothing(currency)};
  std::optional<Money> largest;
  if (auto id = CaseId::make(reference); id && id.value() != citing.id()) {
    BOOST_OUTCOME_TRY(auto cited, case_as_of(store, pinned, fallback, id.value(), currency, as_of));
    if (cited) {
      BOOST_OUTCOME_TRYV(add_remedies(*cited, std::nullopt, p, largest));
      BOOST_OUTCOME_TRY(auto loss, loss_of(*cited));
      p.loss = std::move(loss);
      return std::optional<Precedent>(std::move(p));
    }
  }
  auto order = OrderId::make(reference);
  if (!order) return std::optional<Precedent>();
  bool found = false;
  BOOST_OUTCOME_TRY(auto ids, store.cases());
  for (const auto& id : ids) {
    if (id == citing.id()) continue;
    BOOST_OUTCOME_TRY(auto cited, case_as_of(store, pinned, fallback, id, currency, as_of, order.value()));
    if (!cited) continue;
    BOOST_OUTCOME_TRYV(add_remedies(*cited, order.value(), p, largest));
    if (!found) {
      for (const auto& o : cited->orders()) {
        if (o.id == order.value()) p.loss = o.loss;
      }
    }
    found = true;
  }
  if (!found) return std::optional<Precedent>();
  return std::optional<Precedent>(std::move(p));
}

result<Event> resolve_precedent(const JournalStore& store, const Policy& fallback, const Case& citing, Event e) {
  auto* cited = std::get_if<events::PrecedentCited>(&e.body);
  if (cited == nullptr || cited->source != events::PrecedentSource::none) return e;
  BOOST_OUTCOME_TRY(auto found, find_precedent(store, fallback, citing, cited->reference, e.at_utc));
  if (found) {
    cited->kind = found->kind;
    cited->value = found->value;
    cited->cited_loss = found->loss;
    cited->source = events::PrecedentSource::store;
  }
  return e;
}

}  // namespace v1
}  // namespace redress
