// What every store that keeps policy versions (JournalStore::keep_policy and
// the pins) and answers prior spend from its journals (JournalSpendPolicy)
// must do, written once and run against each store, as the store contract
// (store_contract.hpp) is:
//
//   struct Fixture { Store store; };  // a new, empty store
//   TYPE_TO_STRING_AS("SqliteStore", Fixture);
//   REDRESS_INVOKE_POLICY_STORE_CONTRACT("sqlite policies", Fixture);
//
// Migrations stay in each store's own test file.
#ifndef REDRESS_TESTS_SUPPORT_POLICY_STORE_CONTRACT_HPP
#define REDRESS_TESTS_SUPPORT_POLICY_STORE_CONTRACT_HPP

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <redress/journal_spend.hpp>
#include <redress/store.hpp>

#include "support/engine_fixture.hpp"
#include "support/journal_fixture.hpp"
#include "support/store_rows.hpp"
#include "support/test.hpp"

namespace redress::testing::policy_contract {

namespace ev = redress::events;

inline ReferencePolicy version(std::string_view v, std::string_view update_interval) {
  return reference_policy({{"id", "shop"}, {"version", v}, {"update_interval", update_interval}});
}

// Applies `body` at `when` to `c` under `policy` and appends the event.
template <class Store>
void record(Store& store, Case& c, const Policy& policy, std::string_view when, EventBody body) {
  Event e{c.id(), at(when), std::nullopt, std::move(body)};
  auto step = apply(c, e, policy, e.at_utc);
  REQUIRE_MESSAGE(step, std::string(last_error_detail()));
  std::vector<Event> batch{e};
  REQUIRE(store.append(CaseHeader::of(c), batch, c.events_applied(), state_of(step.value().next)));
  c = step.value().next;
}

inline const FollowUp* update_due(const Case& c) {
  for (const auto& f : c.pending_follow_ups()) {
    if (f.kind == FollowUpKind::update) return &f;
  }
  return nullptr;
}

// Folds `bodies` into a new case `id` of `customer` and stores its journal.
inline Case store_case(JournalStore& store, const Policy& policy, std::string_view id, std::string_view customer,
                       std::vector<std::pair<std::string_view, EventBody>> bodies) {
  return store_journal(
      store, policy,
      Case::open(case_id(id), CustomerId::make(customer).value(), Currency::CNY, at("2025-01-24T07:00:00Z")).value(),
      std::move(bodies));
}

// A case with one 20 CNY gift to the customer, in incident group `group`.
inline std::vector<std::pair<std::string_view, EventBody>> one_gift(std::optional<std::string> group) {
  std::vector<std::pair<std::string_view, EventBody>> out;
  out.emplace_back("2025-01-24T07:00:00Z",
                   ev::OrderLinked{Order{order_id("O-1"), Loss{LossKind::money, cny("20"), std::nullopt}}, group});
  out.emplace_back("2025-01-24T07:01:00Z", ev::NeedStated{"sorry is not enough"});
  out.emplace_back("2025-01-24T07:02:00Z",
                   ev::RemedyProposed{remedy_id("R-1"), RemedyKind::extra, cny("20"), order_id("O-1")});
  return out;
}

  TEST_CASE_TEMPLATE_DEFINE("a store keeps each policy version once, and refuses another document under a kept hash", T, policy_kept_once) {
    T fx;
    auto& store = fx.store;
    auto v1 = version("1", "PT20M");
    auto v2 = version("2", "PT30M");
    REQUIRE(store.keep_policy(v1.ref(), v1.canonical_json()));
    REQUIRE(store.keep_policy(v1.ref(), v1.canonical_json()));
    REQUIRE(store.keep_policy(v2.ref(), v2.canonical_json()));
    auto kept = store.policies();
    REQUIRE(kept);
    REQUIRE(kept.value().size() == 2);
    CHECK(kept.value()[0] == v1.ref());
    CHECK(kept.value()[1] == v2.ref());
    CHECK(store.policy_document(v2.ref().hash).value() == v2.canonical_json());
    CHECK_FALSE(store.policy_document("0000").value());
    auto other = store.keep_policy(v1.ref(), v2.canonical_json());
    REQUIRE_FALSE(other);
    CHECK(other.error() == errc::store_conflict);
    CHECK_FALSE(store.keep_policy(PolicyRef{"shop", "3", ""}, "{}"));
  }

  TEST_CASE_TEMPLATE_DEFINE("a case's first pin stands, and a pin names a kept version", T, policy_first_pin) {
    T fx;
    auto& store = fx.store;
    auto v1 = version("1", "PT20M");
    auto v2 = version("2", "PT30M");
    REQUIRE(store.keep_policy(v1.ref(), v1.canonical_json()));
    CHECK_FALSE(store.pin_policy(case_id(), v2.ref().hash));
    REQUIRE(store.keep_policy(v2.ref(), v2.canonical_json()));
    CHECK_FALSE(store.pinned_policy(case_id()).value());
    REQUIRE(store.pin_policy(case_id(), v1.ref().hash));
    REQUIRE(store.pin_policy(case_id(), v2.ref().hash));
    CHECK(store.pinned_policy(case_id()).value() == v1.ref());
  }

  TEST_CASE_TEMPLATE_DEFINE("a case restores under its pinned version, and under the named one after a policy_moved", T, policy_restore_pinned) {
    T fx;
    auto& store = fx.store;
    auto v1 = version("1", "PT20M");
    auto v2 = version("2", "PT30M");
    REQUIRE(store.keep_policy(v1.ref(), v1.canonical_json()));
    REQUIRE(store.keep_policy(v2.ref(), v2.canonical_json()));
    Case c = new_case();
    record(store, c, v1, "2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "hello"});
    REQUIRE(store.pin_policy(c.id(), v1.ref().hash));

    // Told to use v2, restore() decides under v2; restore_pinned() under the pinned v1.
    auto told = restore(store, c.id(), v2).value();
    CHECK(update_due(*told)->due_at_utc == at("2025-01-24T07:30:00Z"));
    auto pinned = restore_pinned(store, c.id(), v2);
    REQUIRE_MESSAGE(pinned, std::string(last_error_detail()));
    CHECK(*pinned.value() == c);
    CHECK(update_due(*pinned.value())->due_at_utc == at("2025-01-24T07:20:00Z"));

    // Moved to v2: the events after the move are decided under v2.
    record(store, c, v2, "2025-01-24T07:05:00Z", ev::PolicyMoved{v2.ref()});
    record(store, c, v2, "2025-01-24T07:06:00Z", ev::ProgressUpdateSent{"on it"});
    CHECK(update_due(c)->due_at_utc == at("2025-01-24T07:36:00Z"));
    auto after_move = restore_pinned(store, c.id(), v1);
    REQUIRE_MESSAGE(after_move, std::string(last_error_detail()));
    CHECK(*after_move.value() == c);
  }

  TEST_CASE_TEMPLATE_DEFINE("a store's journals give the customer's and the group's prior spend on other cases", T, spend_prior) {
    T fx;
    auto& store = fx.store;
    auto base = reference_policy();
    store_case(store, base, "C-a", "U-1", one_gift("G-1"));
    store_case(store, base, "C-b", "U-1", one_gift(std::nullopt));
    store_case(store, base, "C-c", "U-2", one_gift("G-1"));
    JournalSpendPolicy policy(base, store);
    Case c = store_case(store, base, "C-d", "U-1", {{"2025-01-25T07:00:00Z",
                                                     ev::OrderLinked{Order{order_id("O-9"), Loss::nothing(Currency::CNY)},
                                                                     std::string("G-1")}}});
    auto spend = policy.prior_spend(c);
    REQUIRE(spend);
    CHECK(spend.value().incident_group == cny("40"));      // C-a and C-c
    CHECK(spend.value().customer_in_period == cny("40"));  // C-a and C-b, not C-d itself
    CHECK(spend.value().customer_remedies_in_period == 2);
  }

  TEST_CASE_TEMPLATE_DEFINE("with the store's prior spend, a customer's fourth remedy in 30 days goes to approval", T, spend_fourth_remedy) {
    T fx;
    auto& store = fx.store;
    auto base = reference_policy({{"customer_cap_count", 3}});
    for (auto id : {"C-1", "C-2", "C-3"}) store_case(store, base, id, "U-1", one_gift(std::nullopt));
    JournalSpendPolicy policy(base, store);
    Journey j{policy, Case::open(case_id("C-4"), CustomerId::make("U-1").value(), Currency::CNY,
                                 at("2025-01-26T07:00:00Z"))
                          .value()};
    j.on("2025-01-26T07:00:00Z", order_with_loss("O-1", Loss{LossKind::money, cny("20"), std::nullopt}));
    j.on("2025-01-26T07:01:00Z", ev::NeedStated{"again?"});
    j.propose("2025-01-26T07:02:00Z", "R-1", RemedyKind::extra, "20");
    CHECK(j.found("remedy.over_cap"));
    REQUIRE(j.action<actions::RequestApproval>() != nullptr);
    CHECK(j.action<actions::RequestApproval>()->level == 1);
  }

}  // namespace redress::testing::policy_contract

#define REDRESS_INVOKE_POLICY_STORE_CONTRACT(suite, Fixture)        \
  TEST_SUITE_BEGIN(suite);                                          \
  namespace redress::testing::policy_contract {                     \
  TEST_CASE_TEMPLATE_INVOKE(policy_kept_once, Fixture);             \
  TEST_CASE_TEMPLATE_INVOKE(policy_first_pin, Fixture);             \
  TEST_CASE_TEMPLATE_INVOKE(policy_restore_pinned, Fixture);        \
  TEST_CASE_TEMPLATE_INVOKE(spend_prior, Fixture);                  \
  TEST_CASE_TEMPLATE_INVOKE(spend_fourth_remedy, Fixture);          \
  }                                                                 \
  TEST_SUITE_END()

#endif  // REDRESS_TESTS_SUPPORT_POLICY_STORE_CONTRACT_HPP
