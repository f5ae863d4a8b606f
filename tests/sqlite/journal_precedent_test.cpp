// Cited precedents looked up in a SQLite store's journals.
#include <redress/journal_precedent.hpp>
#include <redress/sqlite_store.hpp>

#include "sqlite/sqlite_fixture.hpp"
#include "support/journal_fixture.hpp"
#include "support/engine_fixture.hpp"

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

namespace {

using Timeline = std::vector<std::pair<std::string_view, EventBody>>;

// A new case `id` of customer U-1 in `currency`, its journal stored.
Case store_case(SqliteStore& store, const Policy& policy, std::string_view id, Timeline bodies,
                Currency currency = Currency::CNY) {
  return store_journal(
      store, policy,
      Case::open(case_id(id), CustomerId::make("U-1").value(), currency, at("2025-01-24T07:00:00Z")).value(),
      std::move(bodies));
}

// The friend's case: order O-5001 lost nothing, 200 CNY cash on it at
// 07:02 and a 20 CNY gift at 09:00 on the next day.
Timeline friends_case() {
  return {{"2025-01-24T07:00:00Z", order_with_loss("O-5001", Loss::nothing(Currency::CNY))},
          {"2025-01-24T07:01:00Z", ev::NeedStated{"cash"}},
          {"2025-01-24T07:02:00Z", ev::RemedyProposed{remedy_id("R-1"), RemedyKind::cash, cny("200"), order_id("O-5001")}},
          {"2025-01-25T09:00:00Z", ev::RemedyProposed{remedy_id("R-2"), RemedyKind::extra, cny("20"), order_id("O-5001")}}};
}

Case citing_case() {
  return Case::open(case_id("C-me"), CustomerId::make("U-2").value(), Currency::CNY, at("2025-01-26T07:00:00Z"))
      .value();
}

Event citation(std::string reference, std::string_view when = "2025-01-26T07:00:00Z") {
  return Event{case_id("C-me"), at(when), std::nullopt,
               ev::PrecedentCited{std::move(reference), RemedyKind::cash, cny("0"), Loss::nothing(Currency::CNY),
                                  ev::PrecedentSource::none}};
}

}  // namespace

TEST_CASE("a precedent cited by case id is answered with what that case gave and lost") {
  TempDir dir;
  auto store = SqliteStore::open(dir.file("cases.db"), keyed()).value();
  const auto& policy = cash_without_loss_allowed_policy();
  store_case(store, policy, "C-friend", friends_case());
  auto found = find_precedent(store, policy, citing_case(), "C-friend", at("2025-01-26T07:00:00Z"));
  REQUIRE_MESSAGE(found, std::string(last_error_detail()));
  REQUIRE(found.value().has_value());
  CHECK(found.value()->value == cny("220"));
  CHECK(found.value()->kind == RemedyKind::cash);  // the largest remedy
  CHECK(found.value()->loss == Loss::nothing(Currency::CNY));
}

TEST_CASE("a precedent is answered as the cited case stood when it was cited, not later") {
  TempDir dir;
  auto store = SqliteStore::open(dir.file("cases.db"), keyed()).value();
  const auto& policy = cash_without_loss_allowed_policy();
  store_case(store, policy, "C-friend", friends_case());
  auto found = find_precedent(store, policy, citing_case(), "C-friend", at("2025-01-24T08:00:00Z"));
  REQUIRE(found);
  REQUIRE(found.value().has_value());
  CHECK(found.value()->value == cny("200"));  // the gift of the next day is not counted
  auto before = find_precedent(store, policy, citing_case(), "C-friend", at("2025-01-24T06:00:00Z"));
  REQUIRE(before);
  CHECK_FALSE(before.value().has_value());
}

TEST_CASE("a precedent cited by order id sums the remedies on that order across cases") {
  TempDir dir;
  auto store = SqliteStore::open(dir.file("cases.db"), keyed()).value();
  const auto& policy = cash_without_loss_allowed_policy();
  store_case(store, policy, "C-friend", friends_case());
  store_case(store, policy, "C-other",
             {{"2025-01-24T07:00:00Z", order_with_loss("O-7", Loss{LossKind::money, cny("90"), std::nullopt})},
              {"2025-01-24T07:01:00Z", ev::NeedStated{"refund"}},
              {"2025-01-24T07:02:00Z", ev::RemedyProposed{remedy_id("R-1"), RemedyKind::replacement, cny("90"), order_id("O-7")}}});
  auto found = find_precedent(store, policy, citing_case(), "O-7", at("2025-01-26T07:00:00Z"));
  REQUIRE_MESSAGE(found, std::string(last_error_detail()));
  REQUIRE(found.value().has_value());
  CHECK(found.value()->value == cny("90"));
  CHECK(found.value()->kind == RemedyKind::replacement);
  CHECK(found.value()->loss == Loss{LossKind::money, cny("90"), std::nullopt});
}

TEST_CASE("an id the store does not hold, free text, or a case in another currency is not found") {
  TempDir dir;
  auto store = SqliteStore::open(dir.file("cases.db"), keyed()).value();
  const auto& policy = cash_without_loss_allowed_policy();
  store_case(store, policy, "C-friend", friends_case());
  store_case(store, policy, "C-usd",
             {{"2025-01-24T07:00:00Z",
               order_with_loss("O-9", Loss{LossKind::money, Money::from_minor_units(1000, Currency::USD), std::nullopt})}},
             Currency::USD);
  for (std::string_view reference : {"C-nobody", "my friend's order last week", "C-usd", "O-9", ""}) {
    CAPTURE(reference);
    auto found = find_precedent(store, policy, citing_case(), reference, at("2025-01-26T07:00:00Z"));
    REQUIRE_MESSAGE(found, std::string(last_error_detail()));
    CHECK_FALSE(found.value().has_value());
  }
}

TEST_CASE("resolving a citation fills in the store's facts, and the engine judges them an outlier") {
  TempDir dir;
  auto store = SqliteStore::open(dir.file("cases.db"), keyed()).value();
  const auto& policy = cash_without_loss_allowed_policy();
  store_case(store, policy, "C-friend", friends_case());
  Case me = citing_case();
  auto resolved = resolve_precedent(store, policy, me, citation("C-friend"));
  REQUIRE_MESSAGE(resolved, std::string(last_error_detail()));
  const auto& p = std::get<ev::PrecedentCited>(resolved.value().body);
  CHECK(p.source == ev::PrecedentSource::store);
  CHECK(p.value == cny("220"));
  auto step = apply(me, resolved.value(), policy, resolved.value().at_utc);
  REQUIRE(step);
  bool outlier = false;
  for (const auto& f : step.value().findings) outlier |= f.code == "precedent.outlier";
  CHECK(outlier);
}

TEST_CASE("a citation the store cannot find stays without facts, and the engine records it unverified") {
  TempDir dir;
  auto store = SqliteStore::open(dir.file("cases.db"), keyed()).value();
  const auto& policy = cash_without_loss_allowed_policy();
  Case me = citing_case();
  auto resolved = resolve_precedent(store, policy, me, citation("C-ghost"));
  REQUIRE(resolved);
  CHECK(std::get<ev::PrecedentCited>(resolved.value().body).source == ev::PrecedentSource::none);
  auto step = apply(me, resolved.value(), policy, resolved.value().at_utc);
  REQUIRE(step);
  bool unverified = false;
  for (const auto& f : step.value().findings) unverified |= f.code == "precedent.unverified";
  CHECK(unverified);
}

TEST_CASE("a citation without facts is stored and read back in a case of any currency") {
  TempDir dir;
  auto store = SqliteStore::open(dir.file("cases.db"), keyed()).value();
  const auto& policy = cash_without_loss_allowed_policy();
  Case c = store_case(store, policy, "C-usd",
                      {{"2025-01-24T07:00:00Z",
                        ev::PrecedentCited{"C-ghost", RemedyKind::cash, Money::zero(Currency::USD),
                                           Loss::nothing(Currency::USD), ev::PrecedentSource::none}}},
                      Currency::USD);
  auto journal = store.events(c.id());
  REQUIRE(journal);
  REQUIRE(journal.value().size() == 1);
  const auto& back = std::get<ev::PrecedentCited>(journal.value()[0].body);
  CHECK(back.source == ev::PrecedentSource::none);
  CHECK(back.reference == "C-ghost");
}

TEST_CASE("facts the host reported are kept as they are, whatever the store holds") {
  TempDir dir;
  auto store = SqliteStore::open(dir.file("cases.db"), keyed()).value();
  const auto& policy = cash_without_loss_allowed_policy();
  store_case(store, policy, "C-friend", friends_case());
  Event host{case_id("C-me"), at("2025-01-26T07:00:00Z"), std::nullopt,
             ev::PrecedentCited{"C-friend", RemedyKind::extra, cny("10"), Loss::nothing(Currency::CNY)}};
  auto resolved = resolve_precedent(store, policy, citing_case(), host);
  REQUIRE(resolved);
  CHECK(resolved.value() == host);
}
