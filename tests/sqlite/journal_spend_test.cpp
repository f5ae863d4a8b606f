// Prior spend answered from a SQLite store's journals: caps across cases.
#include <redress/journal_spend.hpp>
#include <redress/sqlite_store.hpp>

#include "sqlite/journal_fixture.hpp"
#include "support/engine_fixture.hpp"

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

namespace {

// A new case `id` of `customer`, its journal (`bodies`) stored.
Case store_case(SqliteStore& store, const Policy& policy, std::string_view id, std::string_view customer,
                std::vector<std::pair<std::string_view, EventBody>> bodies) {
  return store_journal(
      store, policy,
      Case::open(case_id(id), CustomerId::make(customer).value(), Currency::CNY, at("2025-01-24T07:00:00Z")).value(),
      std::move(bodies));
}

// A case with one 20 CNY gift to the customer, in incident group `group`.
std::vector<std::pair<std::string_view, EventBody>> one_gift(std::optional<std::string> group) {
  std::vector<std::pair<std::string_view, EventBody>> out;
  out.emplace_back("2025-01-24T07:00:00Z",
                   ev::OrderLinked{Order{order_id("O-1"), Loss{LossKind::money, cny("20"), std::nullopt}}, group});
  out.emplace_back("2025-01-24T07:01:00Z", ev::NeedStated{"sorry is not enough"});
  out.emplace_back("2025-01-24T07:02:00Z",
                   ev::RemedyProposed{remedy_id("R-1"), RemedyKind::extra, cny("20"), order_id("O-1")});
  return out;
}

}  // namespace

TEST_CASE("a store's journals give the customer's and the group's prior spend on other cases") {
  TempDir dir;
  auto store = SqliteStore::open(dir.file("cases.db"), keyed()).value();
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

TEST_CASE("with the store's prior spend, a customer's fourth remedy in 30 days goes to approval") {
  TempDir dir;
  auto store = SqliteStore::open(dir.file("cases.db"), keyed()).value();
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
