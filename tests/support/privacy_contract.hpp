// What every PersonalDataStore must do with personal data (docs/privacy.md),
// written once and run against each store, as the store contract
// (store_contract.hpp) is:
//
//   struct Fixture {
//     using Store = SqliteStore;
//     explicit Fixture(bool sealed);  // a new, empty store: sealed with the tests' master key, or in clear
//     Store store;
//     // Whether what a reader of the storage gets (the file, a pg_dump)
//     // holds `text` anywhere.
//     bool holds(std::string_view text) const;
//     // The customer's wrapped data key as that reader sees it, if it has one.
//     std::optional<std::string> wrapped_key(std::string_view customer) const;
//   };
//   TYPE_TO_STRING_AS("SqliteStore", Fixture);
//   REDRESS_INVOKE_PRIVACY_CONTRACT("sqlite_privacy contract", Fixture);
//
// Opening with a missing or wrong key, and migrations, stay in each store's
// own test file.
#ifndef REDRESS_TESTS_SUPPORT_PRIVACY_CONTRACT_HPP
#define REDRESS_TESTS_SUPPORT_PRIVACY_CONTRACT_HPP

#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/store.hpp>

#include "support/engine_fixture.hpp"
#include "support/store_rows.hpp"
#include "support/test.hpp"

namespace redress::testing::privacy_contract {

inline constexpr std::string_view kPhone = "+8613812345678";
inline constexpr std::string_view kEmail = "zhang.wei@example.com";
inline constexpr std::string_view kWords = "My coupon expired before my son's birthday";
inline constexpr std::string_view kNeed = "Refund my expired coupon to Zhang Wei";
inline constexpr std::string_view kPromise = "call Zhang Wei back about the coupon";
inline constexpr std::string_view kClearValues[] = {kPhone, kEmail, kWords, kNeed, kPromise};

inline ContactPoint phone(std::string_view text = "138-1234-5678") { return ContactPoint::phone(text).value(); }
inline ContactPoint email() { return ContactPoint::email(kEmail).value(); }

inline CaseHeader header_for(std::string_view case_id, std::string_view customer) {
  return {CaseId::make(case_id).value(), CustomerId::make(customer).value(), Currency::CNY,
          instant("2025-01-24T07:00:00Z")};
}

// A case of `customer` that contacts from kPhone and kEmail opened, with the
// customer's words, need, an apology and a promise, each step committed.
template <class Store>
struct StoredCase {
  const Policy& policy;
  Store& store;
  CaseHeader header;
  Journey journey;

  StoredCase(const Policy& p, Store& s, std::string_view case_id, std::string_view customer)
      : policy(p),
        store(s),
        header(header_for(case_id, customer)),
        journey{p, Case::open(header.id, header.customer, Currency::CNY, header.opened_at_utc).value()} {}

  void commit(std::string_view when, EventBody body) {
    const auto seq = journey.c.events_applied();
    Event e{header.id, at(when), std::nullopt, body};
    journey.on(when, std::move(body));
    auto done = store.commit(header, e, journey.last, seq);
    REQUIRE_MESSAGE(done, why());
  }
  void tell_story() {
    commit("2025-01-24T07:00:00Z", events::ContactReceived{Channel::phone, phone(), std::string(kWords)});
    commit("2025-01-24T07:01:00Z", events::NeedStated{std::string(kNeed)});
    commit("2025-01-24T07:02:00Z", events::ApologyGiven{"I am sorry that your coupon expired before you could use it."});
    commit("2025-01-24T07:03:00Z", events::PromiseMade{std::string(kPromise), 1, Duration()});
    commit("2025-01-24T07:04:00Z", events::ContactReceived{Channel::email, email(), "Any news?"});
  }
  // The last event of tell_story(), as committed.
  Event last_event() const {
    return Event{header.id, at("2025-01-24T07:04:00Z"), std::nullopt,
                 events::ContactReceived{Channel::email, email(), "Any news?"}};
  }
};

TEST_CASE_TEMPLATE_DEFINE("personal fields are sealed in storage and read back unchanged, actions included", T,
                          privacy_sealed) {
  const auto policy = reference_policy();
  T fx(true);
  auto& store = fx.store;
  StoredCase c(policy, store, "C-1", "U-1");
  c.tell_story();
  auto journal = store.events(c.header.id);
  REQUIRE_MESSAGE(journal, why());
  REQUIRE(journal.value().size() == 5);
  const auto& contact = std::get<events::ContactReceived>(journal.value()[0].body);
  CHECK(contact.from == phone());
  CHECK(contact.text == kWords);
  CHECK(std::get<events::NeedStated>(journal.value()[1].body).text == kNeed);
  CHECK(std::get<events::ContactReceived>(journal.value()[4].body).from == email());
  auto restored = restore(store, c.header.id, policy);
  REQUIRE_MESSAGE(restored, why());
  CHECK(*restored.value() == c.journey.c);
  // A retried commit of the last step is recognised, its sealed part included.
  auto retried = store.commit(c.header, c.last_event(), c.journey.last, 4);
  REQUIRE_MESSAGE(retried, why());
  CHECK(retried.value().replayed);
  // An action's text may quote the customer: actions are sealed too, and
  // opened when claimed.
  auto claimed = store.claim_actions(instant("2025-01-24T08:00:00Z"), 100, claimer("W-1"),
                                     boost::posix_time::minutes(5));
  REQUIRE_MESSAGE(claimed, why());
  REQUIRE_FALSE(claimed.value().empty());
  for (const auto& a : claimed.value()) {
    CAPTURE(a.json);
    CHECK(boost::json::parse(a.json).at("type").as_string() == a.type);
  }
  CHECK_FALSE(fx.holds("\"type\":\"reply\""));
  for (const auto value : kClearValues) {
    CAPTURE(value);
    CHECK_FALSE(fx.holds(value));
  }
  CHECK(store.check_integrity());
}

TEST_CASE_TEMPLATE_DEFINE("a clear-text store keeps personal fields readable: what the erasure test greps for", T,
                          privacy_clear) {
  const auto policy = reference_policy();
  T fx(false);
  StoredCase c(policy, fx.store, "C-1", "U-1");
  c.tell_story();
  for (const auto value : kClearValues) {
    CAPTURE(value);
    CHECK(fx.holds(value));
  }
  CHECK_FALSE(fx.wrapped_key("U-1"));
}

TEST_CASE_TEMPLATE_DEFINE("a contact from a phone number finds the open case of that number, in any spelling", T,
                          privacy_index) {
  const auto policy = reference_policy();
  T fx(true);
  auto& store = fx.store;
  CHECK(store.find_open_cases(phone()).value() == ContactMatch{});
  StoredCase c(policy, store, "C-1", "U-1");
  c.tell_story();
  auto match = store.find_open_cases(phone("+86 138 1234 5678"));
  REQUIRE_MESSAGE(match, why());
  CHECK(match.value().case_to_attach() == c.header.id);
  CHECK_FALSE(match.value().ambiguous());
  CHECK(store.find_open_cases(email()).value().case_to_attach() == c.header.id);
  CHECK(store.find_open_cases(phone("13900000000")).value().case_to_attach() == std::nullopt);
  // The index holds keyed hashes, not the points.
  CHECK_FALSE(fx.holds(kPhone));
  CHECK_FALSE(fx.holds(kEmail));
}

TEST_CASE_TEMPLATE_DEFINE("a closed case is not found by its contact point, and a later open case of the customer is", T,
                          privacy_closed) {
  T fx(true);
  auto& store = fx.store;
  const auto first = header_for("C-1", "U-1");
  const Event contact{first.id, instant("2025-01-24T07:00:00Z"), std::nullopt,
                      events::ContactReceived{Channel::phone, phone(), "hello"}};
  REQUIRE(store.append(first, std::vector<Event>{contact}, 0, CaseState::closed));
  CHECK(store.find_open_cases(phone()).value().cases.empty());
  const auto second = header_for("C-2", "U-1");
  auto later = contact;
  later.case_id = second.id;
  REQUIRE(store.append(second, std::vector<Event>{later}, 0, CaseState::open));
  CHECK(store.find_open_cases(phone()).value().case_to_attach() == second.id);
}

TEST_CASE_TEMPLATE_DEFINE("a contact point on open cases of two customers is not attached to either: the match says so",
                          T, privacy_ambiguous) {
  T fx(true);
  auto& store = fx.store;
  for (const auto& [case_id, customer, minute] :
       {std::tuple{"C-1", "U-1", "00"}, std::tuple{"C-2", "U-2", "05"}}) {
    const auto header = header_for(case_id, customer);
    const Event contact{header.id, instant(fmt::format("2025-01-24T07:{}:00Z", minute)), std::nullopt,
                        events::ContactReceived{Channel::phone, phone(), "hello"}};
    REQUIRE(store.append(header, std::vector<Event>{contact}, 0, CaseState::open));
  }
  auto match = store.find_open_cases(phone()).value();
  CHECK(match.ambiguous());
  CHECK(match.customers.size() == 2);
  CHECK(match.cases == std::vector<CaseId>{case_id("C-2"), case_id("C-1")});  // most recently active first
  CHECK(match.case_to_attach() == std::nullopt);
}

TEST_CASE_TEMPLATE_DEFINE("erasing a customer: journals replay with [erased], cases still count, storage holds "
                          "neither their texts nor their key",
                          T, privacy_erase) {
  const auto policy = reference_policy();
  for (const bool sealed : {true, false}) {
    CAPTURE(sealed);
    T fx(sealed);
    auto& store = fx.store;
    StoredCase erased(policy, store, "C-1", "U-1");
    erased.tell_story();
    StoredCase kept(policy, store, "C-2", "U-2");
    kept.commit("2025-01-24T07:00:00Z", events::ContactReceived{Channel::phone, phone("13900000000"), "Hi"});
    kept.commit("2025-01-24T07:01:00Z", events::NeedStated{"Kept need of the other customer"});

    // Before: the clear values are in storage only when the store keeps
    // them in clear; a sealed store holds the customer's wrapped data key.
    for (const auto value : kClearValues) {
      CAPTURE(value);
      CHECK(fx.holds(value) == !sealed);
    }
    const auto key = fx.wrapped_key("U-1");
    REQUIRE(key.has_value() == sealed);
    if (key) CHECK(fx.holds(*key));

    auto done = store.erase(CustomerId::make("U-1").value());
    REQUIRE_MESSAGE(done, why());
    CHECK(done.value().cases == 1);
    CHECK(done.value().index_entries == 2);
    CHECK(done.value().key_deleted == sealed);
    CHECK(done.value().events_rewritten >= 4);

    auto journal = store.events(erased.header.id);
    REQUIRE_MESSAGE(journal, why());
    REQUIRE(journal.value().size() == 5);
    const auto& contact = std::get<events::ContactReceived>(journal.value()[0].body);
    CHECK(contact.from == std::nullopt);
    CHECK(contact.text == "[erased]");
    CHECK(std::get<events::NeedStated>(journal.value()[1].body).text == "[erased]");
    CHECK(std::get<events::PromiseMade>(journal.value()[3].body).what == "[erased]");
    auto replayed = restore(store, erased.header.id, policy);
    REQUIRE_MESSAGE(replayed, why());
    CHECK(replayed.value()->stage() == erased.journey.c.stage());
    CHECK(replayed.value()->events_applied() == 5);
    CHECK(store.cases().value().size() == 2);
    CHECK(store.find_open_cases(phone()).value().cases.empty());
    CHECK(store.find_open_cases(email()).value().cases.empty());
    // Their undelivered actions are not handed out any more.
    auto claimed = store.claim_actions(instant("2025-01-24T08:00:00Z"), 100, claimer("W-1"),
                                       boost::posix_time::minutes(5));
    REQUIRE_MESSAGE(claimed, why());
    for (const auto& a : claimed.value()) CHECK(a.case_id == kept.header.id);
    // The other customer keeps everything.
    CHECK(std::get<events::NeedStated>(store.events(kept.header.id).value()[1].body).text ==
          "Kept need of the other customer");
    CHECK(store.find_open_cases(phone("13900000000")).value().case_to_attach() == kept.header.id);

    // After: nothing of the erased customer's in storage, and no key.
    for (const auto value : kClearValues) {
      CAPTURE(value);
      CHECK_FALSE(fx.holds(value));
    }
    if (key) CHECK_FALSE(fx.holds(*key));
    CHECK_FALSE(fx.wrapped_key("U-1"));
    CHECK(store.check_integrity());
    // Erasing again changes nothing more.
    auto twice = store.erase(CustomerId::make("U-1").value());
    REQUIRE(twice);
    CHECK(twice.value() == Erasure{1, 0, 0, false});
  }
}

}  // namespace redress::testing::privacy_contract

#define REDRESS_INVOKE_PRIVACY_CONTRACT(suite, Fixture)        \
  TEST_SUITE_BEGIN(suite);                                     \
  namespace redress::testing::privacy_contract {               \
  TEST_CASE_TEMPLATE_INVOKE(privacy_sealed, Fixture);          \
  TEST_CASE_TEMPLATE_INVOKE(privacy_clear, Fixture);           \
  TEST_CASE_TEMPLATE_INVOKE(privacy_index, Fixture);           \
  TEST_CASE_TEMPLATE_INVOKE(privacy_closed, Fixture);          \
  TEST_CASE_TEMPLATE_INVOKE(privacy_ambiguous, Fixture);       \
  TEST_CASE_TEMPLATE_INVOKE(privacy_erase, Fixture);           \
  }                                                            \
  TEST_SUITE_END()

#endif  // REDRESS_TESTS_SUPPORT_PRIVACY_CONTRACT_HPP
