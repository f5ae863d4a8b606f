// The store contract: what every JournalStore and FollowUpStore must do,
// written once and run against each store.
//
// A store's test file includes this header after its own helpers, defines a
// fixture type and names it for test names, then invokes each test:
//
//   struct SqliteContract {
//     using Store = SqliteStore;
//     Store store;                                  // a new, empty store
//     Store open_again() const;                     // another store on the same data
//     void exec_raw(const std::string& sql) const;  // SQL on the data, as another program would run it
//   };
//   TYPE_TO_STRING_AS("SqliteStore", SqliteContract);
//   REDRESS_INVOKE_STORE_CONTRACT("sqlite_store contract", SqliteContract);
//
// A test is then named "<the sentence below><SqliteStore>". Tests that only
// one store can pass (files, connections, locks, schemas) stay in its own
// test file.
#ifndef REDRESS_TESTS_SUPPORT_STORE_CONTRACT_HPP
#define REDRESS_TESTS_SUPPORT_STORE_CONTRACT_HPP

#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/json.hpp>

#include <redress/store.hpp>

#include "support/engine_fixture.hpp"
#include "support/store_rows.hpp"
#include "support/test.hpp"

namespace redress::testing::contract {

namespace ev = redress::events;

const Instant t0 = instant("2025-01-24T07:00:00Z");
const auto lease = boost::posix_time::minutes(5);

  TEST_CASE_TEMPLATE_DEFINE("value semantics", T, store_value_semantics) {
    using Store = typename T::Store;
    static_assert(!std::is_copy_constructible_v<Store>);
    static_assert(std::is_nothrow_move_constructible_v<Store>);
    static_assert(std::is_base_of_v<JournalStore, Store> && std::is_base_of_v<FollowUpStore, Store>);
    static_assert(std::copyable<ClaimedFollowUp> && std::equality_comparable<ClaimedFollowUp>);
  }

  TEST_CASE_TEMPLATE_DEFINE("appended events read back in order, equal to what was appended", T, store_append_read) {
    T fx;
    auto& store = fx.store;
    const auto id = cid();
    const Instant at = instant("2025-01-24T07:00:00Z");
    std::vector<Event> first{
        Event{id, at, std::nullopt,
              ev::ContactReceived{Channel::phone, ContactPoint::phone("138 1234 5678").value(), "电视又坏了"}},
        Event{id, at + boost::posix_time::minutes(1), AgentId::make("A-7").value(), ev::ApologyGiven{"非常抱歉"}},
    };
    std::vector<Event> second{
        Event{id, at + boost::posix_time::minutes(5), AgentId::make("A-7").value(),
              ev::RemedyProposed{RemedyId::make("R-1").value(), RemedyKind::cash,
                                 Money::parse("199.99", Currency::CNY).value(), std::nullopt}},
        Event{id, at + boost::posix_time::minutes(6), std::nullopt,
              ev::PromiseMade{"a call back", 2, boost::posix_time::hours(0)}},
    };
    CHECK(store.last_seq(id).value() == 0);
    CHECK(store.events(id).value().empty());
    CHECK(store.append(hdr(id), first, 0, CaseState::open).value() == 2);
    CHECK(store.append(hdr(id), second, 2, CaseState::open).value() == 4);
    auto all = first;
    all.insert(all.end(), second.begin(), second.end());
    CHECK(store.events(id).value() == all);
    CHECK(store.last_seq(id).value() == 4);

    // And through a store opened again on the same data.
    store = fx.open_again();
    CHECK(store.events(id).value() == all);
  }

  TEST_CASE_TEMPLATE_DEFINE("a retried batch is not stored twice", T, store_retried_batch) {
    T fx;
    auto& store = fx.store;
    const auto id = cid();
    REQUIRE(store.append(hdr(id), batch(id, 1, 3), 0, CaseState::open));
    CHECK(store.append(hdr(id), batch(id, 1, 3), 0, CaseState::open).value() == 3);
    CHECK(store.events(id).value() == batch(id, 1, 3));
  }

  TEST_CASE_TEMPLATE_DEFINE("an append from a stale sequence number fails with conflict and stores nothing", T,
                            store_stale_seq) {
    T fx;
    auto& store = fx.store;
    const auto id = cid();
    REQUIRE(store.append(hdr(id), batch(id, 1, 2), 0, CaseState::open));
    SUBCASE("behind") {
      auto r = store.append(hdr(id), batch(id, 2, 2), 1, CaseState::open);
      REQUIRE_FALSE(r);
      CHECK(r.error() == store_errc::conflict);
      CHECK(why().find("expected_last_seq: 1, but case \"C-1\" holds 2 events") != std::string::npos);
    }
    SUBCASE("ahead") {
      auto r = store.append(hdr(id), batch(id, 4, 1), 3, CaseState::open);
      REQUIRE_FALSE(r);
      CHECK(r.error() == store_errc::conflict);
    }
    SUBCASE("a different batch where a retry would be") {
      auto other = batch(id, 1, 2);
      other[1].body = ev::ApologyGiven{"something else"};
      auto r = store.append(hdr(id), other, 0, CaseState::open);
      REQUIRE_FALSE(r);
      CHECK(r.error() == store_errc::conflict);
    }
    CHECK(store.events(id).value() == batch(id, 1, 2));
  }

  TEST_CASE_TEMPLATE_DEFINE("bad input names the field and leaves nothing behind", T, store_bad_input) {
    T fx;
    auto& store = fx.store;
    const auto id = cid();
    REQUIRE(store.append(hdr(id), batch(id, 1, 1), 0, CaseState::open));
    auto events = batch(id, 2, 3);
    std::string field;
    errc expected = errc::invalid_argument;
    SUBCASE("an empty batch") {
      events.clear();
      field = "events: the batch is empty";
    }
    SUBCASE("an event of another case") {
      events[1].case_id = cid("C-2");
      field = "events[1].case_id: \"C-2\" is not the case appended to";
    }
    SUBCASE("an instant that is not a time") {
      events[2].at_utc = Instant(boost::date_time::not_a_date_time);
      field = "events[2].at_utc";
    }
    SUBCASE("text that is not UTF-8") {
      events[2].body = ev::ApologyGiven{"\xff\xfe sorry"};
      field = "events[2]: a text is not UTF-8";
      expected = errc::invalid_event;
    }
    SUBCASE("a fraction of a second the journal does not write") {
      events[0].body = ev::PromiseMade{"soon", 0, boost::posix_time::milliseconds(1500)};
      field = "events[0]: the journal's JSON form does not carry it back unchanged";
      expected = errc::invalid_event;
    }
    SUBCASE("a negative number the journal writes as none") {
      events[1].body = ev::PromiseMade{"a call back", -2, {}};
      field = "events[1]: the journal's JSON form does not carry it back unchanged";
      expected = errc::invalid_event;
    }
    SUBCASE("a date that is not a date") {
      events[1].body = ev::RightExpiring{OrderId::make("O-1").value(),
                                         Right{"coupon", Money::parse("20", Currency::CNY).value(),
                                               CivilDate(boost::date_time::not_a_date_time), 0}};
      field = "events[1]";
      expected = errc::invalid_event;
    }
    SUBCASE("a state that is not a CaseState") {
      auto r = store.append(hdr(id), events, 1, static_cast<CaseState>(7));
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_argument);
      CHECK(why().find("state_after: 7") != std::string::npos);
      events.clear();
      field = "events: the batch is empty";
    }
    auto r = store.append(hdr(id), events, 1, CaseState::open);
    REQUIRE_FALSE(r);
    CHECK(r.error() == expected);
    CHECK_MESSAGE(why().find(field) != std::string::npos, why());
    CHECK(store.events(id).value() == batch(id, 1, 1));
  }

  TEST_CASE_TEMPLATE_DEFINE("text must be well-formed UTF-8, as the journal's JSON parser insists", T, store_utf8) {
    T fx;
    auto& store = fx.store;
    const auto id = cid();
    std::uint64_t last = 0;
    for (std::string good : {"ascii", "\xc2\xa9 2 bytes", "抱歉 3 bytes", "\xf0\x9f\x98\x80 4 bytes", "\xf4\x8f\xbf\xbf max"}) {
      CAPTURE(good);
      auto r = store.append(hdr(id), std::vector<Event>{Event{id, t0, std::nullopt, ev::ApologyGiven{good}}}, last,
                            CaseState::open);
      REQUIRE_MESSAGE(r.has_value(), why());
      last = r.value();
      CHECK(std::get<ev::ApologyGiven>(store.events(id).value().back().body).text == good);
    }
    for (std::string bad : {"\x80 a continuation byte", "\xc0\xaf overlong", "\xe0\x80\xaf overlong",
                            "\xed\xa0\x80 a surrogate", "\xf4\x90\x80\x80 above U+10FFFF", "\xe4\xbd cut short",
                            "\xf5\x80\x80\x80 no such lead byte"}) {
      CAPTURE(bad);
      auto r = store.append(hdr(id), std::vector<Event>{Event{id, t0, std::nullopt, ev::ApologyGiven{bad}}}, last,
                            CaseState::open);
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_event);
      // The journal's parser agrees that it could not have been read back.
      boost::system::error_code ec;
      boost::json::parse("\"" + bad + "\"", ec);
      CHECK(ec);
    }
    CHECK(store.last_seq(id).value() == last);
  }

  TEST_CASE_TEMPLATE_DEFINE("open_cases lists the cases whose last append left them open, and cases lists them all",
                            T, store_open_cases) {
    T fx;
    auto& store = fx.store;
    for (auto name : {"C-3", "C-1", "C-2", "C-10"}) {
      REQUIRE(store.append(hdr(cid(name)), batch(cid(name), 1, 1), 0, CaseState::open));
    }
    REQUIRE(store.append(hdr(cid("C-2")), batch(cid("C-2"), 2, 1), 1, CaseState::closed));
    // Ordered by their bytes, whatever the database's collation.
    CHECK(store.open_cases().value() == std::vector<CaseId>{cid("C-1"), cid("C-10"), cid("C-3")});
    CHECK(store.cases().value() == std::vector<CaseId>{cid("C-1"), cid("C-10"), cid("C-2"), cid("C-3")});
    REQUIRE(store.append(hdr(cid("C-2")), batch(cid("C-2"), 3, 1), 2, CaseState::open));
    CHECK(store.open_cases().value() == std::vector<CaseId>{cid("C-1"), cid("C-10"), cid("C-2"), cid("C-3")});
  }

  TEST_CASE_TEMPLATE_DEFINE("two stores on the same data see each other's appends and cannot interleave a journal", T,
                            store_two_stores) {
    T fx;
    auto& a = fx.store;
    auto b = fx.open_again();
    const auto id = cid();
    REQUIRE(a.append(hdr(id), batch(id, 1, 2), 0, CaseState::open));
    CHECK(b.events(id).value() == batch(id, 1, 2));
    auto r = b.append(hdr(id), batch(id, 1, 1), 0, CaseState::open);
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::conflict);
    CHECK(b.append(hdr(id), batch(id, 3, 1), 2, CaseState::open).value() == 3);
    CHECK(a.events(id).value() == batch(id, 1, 3));
  }

  TEST_CASE_TEMPLATE_DEFINE("the first append records the case's header and later appends must agree with it", T,
                            store_header) {
    T fx;
    auto& store = fx.store;
    const auto id = cid();
    CHECK(store.header(id).value() == std::nullopt);
    REQUIRE(store.append(hdr(id), batch(id, 1, 2), 0, CaseState::open));
    CHECK(store.header(id).value() == hdr(id));
    auto other = hdr(id);
    other.customer = CustomerId::make("U-2").value();
    auto r = store.append(other, batch(id, 3, 1), 2, CaseState::open);
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::conflict);
    CHECK_MESSAGE(why().find("opened for customer \"U-1\"") != std::string::npos, why());
    CHECK(store.last_seq(id).value() == 2);
    CHECK(store.header(id).value() == hdr(id));
  }

  TEST_CASE_TEMPLATE_DEFINE("a case restored from the store equals the case its events made", T, store_restore) {
    T fx;
    auto& store = fx.store;
    const auto policy = reference_policy();
    Case c = new_case();
    std::vector<Event> journal;
    auto fold = [&](std::string_view when, EventBody body) {
      Event e{c.id(), testing::at(when), std::nullopt, std::move(body)};
      auto step = apply(c, e, policy, e.at_utc);
      REQUIRE_MESSAGE(step, why());
      c = std::move(step.value().next);
      journal.push_back(std::move(e));
    };
    fold("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "the coupon expired"});
    fold("2025-01-24T07:02:00Z", ev::ApologyGiven{"I'm so sorry, I understand how frustrating this is."});
    REQUIRE(store.append(CaseHeader::of(c), std::span(journal).first(1), 0, state_of(c)));
    REQUIRE(store.append(CaseHeader::of(c), std::span(journal).subspan(1), 1, state_of(c)));
    auto restored = restore(store, c.id(), policy);
    REQUIRE_MESSAGE(restored, why());
    REQUIRE(restored.value().has_value());
    CHECK(*restored.value() == c);
    CHECK(restore(store, cid("C-unknown"), policy).value() == std::nullopt);
  }

  TEST_CASE_TEMPLATE_DEFINE("a damaged row is reported as corruption, never skipped", T, store_damaged_row) {
    T fx;
    const auto id = cid();
    REQUIRE(fx.store.append(hdr(id), batch(id, 1, 3), 0, CaseState::open));
    std::string expected;
    SUBCASE("a body that is not JSON") {
      fx.exec_raw("UPDATE events SET body_json = '{\"type\":' WHERE seq = 2");
      expected = "events[case \"C-1\", seq 2].body_json: not JSON";
    }
    SUBCASE("a body of an unknown type") {
      fx.exec_raw("UPDATE events SET body_json = '{\"case_id\":\"C-1\",\"at\":\"2025-01-24T07:00:00Z\","
                  "\"type\":\"teleported\"}' WHERE seq = 2");
      expected = "events[case \"C-1\", seq 2].body_json: the stored value does not decode";
    }
    SUBCASE("an event of another case") {
      fx.exec_raw("UPDATE events SET body_json = replace(body_json, '\"C-1\"', '\"C-9\"') WHERE seq = 3");
      expected = "the stored event is a \"apology_given\" of case \"C-9\"";
    }
    SUBCASE("a missing event") {
      fx.exec_raw("DELETE FROM events WHERE seq = 2");
      expected = "event 2 is missing";
    }
    SUBCASE("a missing last event") {
      fx.exec_raw("DELETE FROM events WHERE seq = 3");
      expected = "cases[\"C-1\"].last_seq: 3, but 2 events are stored";
    }
    auto store = fx.open_again();
    auto r = store.events(id);
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::corrupt_store);
    CHECK_MESSAGE(why().find(expected) != std::string::npos, why());
  }

  TEST_CASE_TEMPLATE_DEFINE("check_integrity finds a case whose events do not match its last sequence number", T,
                            store_check_integrity) {
    T fx;
    auto& store = fx.store;
    const auto id = cid();
    REQUIRE(store.append(hdr(id), batch(id, 1, 3), 0, CaseState::open));
    CHECK(store.check_integrity());
    fx.exec_raw("DELETE FROM events WHERE seq = 3");
    auto r = store.check_integrity();
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::corrupt_store);
    CHECK_MESSAGE(why().find("case \"C-1\": last_seq 3, events stored 2") != std::string::npos, why());
  }

  TEST_CASE_TEMPLATE_DEFINE("a due follow-up is claimed once, earliest first, and completed by its claimer", T,
                            store_follow_up_claimed_once) {
    T fx;
    auto& store = fx.store;
    const FollowUp later{fid("F-2"), FollowUpKind::promise, t0 + boost::posix_time::minutes(30)};
    const FollowUp sooner{fid("F-1"), FollowUpKind::update, t0 + boost::posix_time::minutes(20)};
    const FollowUp not_yet{fid("F-3"), FollowUpKind::satisfaction_check, t0 + boost::posix_time::hours(2)};
    for (const auto& f : {later, sooner, not_yet}) REQUIRE(store.persist(cid(), f));
    const auto now = t0 + boost::posix_time::hours(1);
    auto first = store.claim_due(now, 1, claimer("w1"), lease);
    REQUIRE(first);
    CHECK(first.value() == std::vector<ClaimedFollowUp>{{cid(), sooner, now + lease}});
    auto rest = store.claim_due(now, 10, claimer("w2"), lease);
    REQUIRE(rest);
    CHECK(rest.value() == std::vector<ClaimedFollowUp>{{cid(), later, now + lease}});
    CHECK(store.claim_due(now, 10, claimer("w3"), lease).value().empty());
    CHECK(store.complete(fid("F-1"), claimer("w2")).value() == false);
    CHECK(store.complete(fid("F-1"), claimer("w1")).value() == true);
    CHECK(store.complete(fid("F-1"), claimer("w1")).value() == false);
    // Done is done, even long after.
    CHECK(store.claim_due(now + boost::posix_time::hours(3), 10, claimer("w3"), lease).value().size() == 2);
  }

  TEST_CASE_TEMPLATE_DEFINE("claimed follow-ups come earliest due first, then by id", T, store_follow_up_order) {
    T fx;
    auto& store = fx.store;
    for (auto name : {"F-b", "F-a", "F-c"}) REQUIRE(store.persist(cid(), FollowUp{fid(name), FollowUpKind::update, t0}));
    REQUIRE(store.persist(cid(), FollowUp{fid("F-0"), FollowUpKind::update, t0 + boost::posix_time::seconds(1)}));
    auto claimed = store.claim_due(t0 + lease, 10, claimer("w1"), lease);
    REQUIRE(claimed);
    std::vector<std::string> ids;
    for (const auto& c : claimed.value()) ids.push_back(std::string(c.follow_up.id.str()));
    CHECK(ids == std::vector<std::string>{"F-a", "F-b", "F-c", "F-0"});
  }

  TEST_CASE_TEMPLATE_DEFINE("a claim whose lease ends is due again and passes to another claimer", T,
                            store_follow_up_lease) {
    T fx;
    auto& store = fx.store;
    const FollowUp f{fid("F-1"), FollowUpKind::update, t0};
    REQUIRE(store.persist(cid(), f));
    REQUIRE(store.claim_due(t0, 10, claimer("w1"), lease).value().size() == 1);
    CHECK(store.claim_due(t0 + lease - boost::posix_time::seconds(1), 10, claimer("w2"), lease).value().empty());
    SUBCASE("taken over") {
      auto again = store.claim_due(t0 + lease, 10, claimer("w2"), lease);
      REQUIRE(again.value().size() == 1);
      CHECK(again.value()[0].lease_until_utc == t0 + lease + lease);
      CHECK(store.complete(fid("F-1"), claimer("w1")).value() == false);
      CHECK(store.complete(fid("F-1"), claimer("w2")).value() == true);
    }
    SUBCASE("completed late, before anyone else claimed it") {
      CHECK(store.complete(fid("F-1"), claimer("w1")).value() == true);
      CHECK(store.claim_due(t0 + lease, 10, claimer("w2"), lease).value().empty());
    }
  }

  TEST_CASE_TEMPLATE_DEFINE("a cancelled follow-up is never claimed, and persisting it again does not revive it", T,
                            store_follow_up_cancelled) {
    T fx;
    auto& store = fx.store;
    const FollowUp f{fid("F-1"), FollowUpKind::promise, t0};
    REQUIRE(store.persist(cid(), f));
    CHECK(store.cancel(fid("F-1")).value() == true);
    CHECK(store.cancel(fid("F-1")).value() == false);
    CHECK(store.cancel(fid("F-unknown")).value() == false);
    CHECK(store.persist(cid(), f));
    CHECK(store.claim_due(t0 + lease, 10, claimer("w1"), lease).value().empty());
  }

  TEST_CASE_TEMPLATE_DEFINE("a claimed follow-up can be cancelled, and then its claimer cannot complete it", T,
                            store_follow_up_cancel_claimed) {
    T fx;
    auto& store = fx.store;
    REQUIRE(store.persist(cid(), FollowUp{fid("F-1"), FollowUpKind::update, t0}));
    REQUIRE(store.claim_due(t0, 10, claimer("w1"), lease).value().size() == 1);
    CHECK(store.cancel(fid("F-1")).value() == true);
    CHECK(store.complete(fid("F-1"), claimer("w1")).value() == false);
  }

  TEST_CASE_TEMPLATE_DEFINE("follow-up calls reject bad input naming the field", T, store_follow_up_bad_input) {
    T fx;
    auto& store = fx.store;
    const FollowUp f{fid("F-1"), FollowUpKind::update, t0};
    REQUIRE(store.persist(cid(), f));
    SUBCASE("an id kept for another follow-up") {
      auto r = store.persist(cid(), FollowUp{fid("F-1"), FollowUpKind::update, t0 + lease});
      REQUIRE_FALSE(r);
      CHECK(r.error() == store_errc::conflict);
      CHECK_MESSAGE(why().find("follow_up.id: \"F-1\" is already kept") != std::string::npos, why());
    }
    SUBCASE("a due time that is not a time") {
      auto r = store.persist(cid(), FollowUp{fid("F-2"), FollowUpKind::update, Instant(boost::date_time::pos_infin)});
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_argument);
      CHECK(why().find("follow_up.due_at_utc") != std::string::npos);
    }
    SUBCASE("a kind that is not a FollowUpKind") {
      auto r = store.persist(cid(), FollowUp{fid("F-2"), static_cast<FollowUpKind>(42), t0});
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_argument);
      CHECK(why().find("follow_up.kind: 42") != std::string::npos);
    }
    SUBCASE("claims") {
      auto none = store.claim_due(t0, 0, claimer("w1"), lease);
      CHECK(none.error() == errc::invalid_argument);
      CHECK(why().find("max_count: 0") != std::string::npos);
      auto negative = store.claim_due(t0, 1, claimer("w1"), -lease);
      CHECK(negative.error() == errc::invalid_argument);
      CHECK(why().find("lease: -00:05:00 is not a positive duration") != std::string::npos);
      auto special = store.claim_due(Instant(), 1, claimer("w1"), lease);
      CHECK(special.error() == errc::invalid_argument);
      CHECK(why().find("now_utc") != std::string::npos);
      auto far = store.claim_due(instant("9999-12-31T23:59:00Z"), 1, claimer("w1"), lease);
      CHECK(far.error() == errc::out_of_range);
    }
    // Nothing was claimed by the failed calls.
    CHECK(store.claim_due(t0, 10, claimer("w1"), lease).value() == std::vector<ClaimedFollowUp>{{cid(), f, t0 + lease}});
  }

}  // namespace redress::testing::contract

// Runs every test of the contract against the store of `Fixture`, in the
// doctest test suite `suite`.
#define REDRESS_INVOKE_STORE_CONTRACT(suite, Fixture)                    \
  TEST_SUITE_BEGIN(suite);                                               \
  namespace redress::testing::contract {                                 \
  TEST_CASE_TEMPLATE_INVOKE(store_value_semantics, Fixture);             \
  TEST_CASE_TEMPLATE_INVOKE(store_append_read, Fixture);                 \
  TEST_CASE_TEMPLATE_INVOKE(store_retried_batch, Fixture);               \
  TEST_CASE_TEMPLATE_INVOKE(store_stale_seq, Fixture);                   \
  TEST_CASE_TEMPLATE_INVOKE(store_bad_input, Fixture);                   \
  TEST_CASE_TEMPLATE_INVOKE(store_utf8, Fixture);                        \
  TEST_CASE_TEMPLATE_INVOKE(store_open_cases, Fixture);                  \
  TEST_CASE_TEMPLATE_INVOKE(store_two_stores, Fixture);                  \
  TEST_CASE_TEMPLATE_INVOKE(store_header, Fixture);                      \
  TEST_CASE_TEMPLATE_INVOKE(store_restore, Fixture);                     \
  TEST_CASE_TEMPLATE_INVOKE(store_damaged_row, Fixture);                 \
  TEST_CASE_TEMPLATE_INVOKE(store_check_integrity, Fixture);             \
  TEST_CASE_TEMPLATE_INVOKE(store_follow_up_claimed_once, Fixture);      \
  TEST_CASE_TEMPLATE_INVOKE(store_follow_up_order, Fixture);             \
  TEST_CASE_TEMPLATE_INVOKE(store_follow_up_lease, Fixture);             \
  TEST_CASE_TEMPLATE_INVOKE(store_follow_up_cancelled, Fixture);         \
  TEST_CASE_TEMPLATE_INVOKE(store_follow_up_cancel_claimed, Fixture);    \
  TEST_CASE_TEMPLATE_INVOKE(store_follow_up_bad_input, Fixture);         \
  }                                                                      \
  TEST_SUITE_END()

#endif  // REDRESS_TESTS_SUPPORT_STORE_CONTRACT_HPP
