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

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/journal.hpp>
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
              ev::PromiseMade{"a call back", 2, boost::posix_time::hours(0), {}}},
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

  TEST_CASE_TEMPLATE_DEFINE("a case in euros whose order lost nothing is stored and reads back in euros", T,
                            store_other_currency) {
    // The journal's JSON leaves the currency of a loss of nothing implicit:
    // it is the case's, not the default's.
    T fx;
    auto& store = fx.store;
    const auto id = cid("C-EUR");
    CaseHeader header = hdr(id);
    header.currency = Currency::EUR;
    const std::vector<Event> events{
        Event{id, t0, std::nullopt,
              ev::ContactReceived{Channel::email, ContactPoint::email("anna@example.de").value(), "Paket fehlt"}},
        Event{id, t0 + boost::posix_time::minutes(1), std::nullopt,
              ev::OrderLinked{Order{order_id("O-EUR"), Loss::nothing(Currency::EUR)}, std::nullopt}},
    };
    REQUIRE_MESSAGE(store.append(header, events, 0, CaseState::open), why());
    const auto back = store.events(id);
    REQUIRE_MESSAGE(back, why());
    CHECK(back.value() == events);
    const auto& order = std::get<ev::OrderLinked>(back.value()[1].body).order;
    CHECK(order.loss.amount.currency() == Currency::EUR);
    // A scan reads it alike.
    bool seen = false;
    REQUIRE(store.scan({}, [&](const CaseHeader& h, std::span<const Event> journal) -> result<void> {
      if (h.id == id) {
        seen = true;
        CHECK(h.currency == Currency::EUR);
        CHECK(std::vector<Event>(journal.begin(), journal.end()) == events);
      }
      return boost::outcome_v2::success();
    }));
    CHECK(seen);
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
      events[0].body = ev::PromiseMade{"soon", 0, boost::posix_time::milliseconds(1500), {}};
      field = "events[0]: the journal's JSON form does not carry it back unchanged";
      expected = errc::invalid_event;
    }
    SUBCASE("a negative number the journal writes as none") {
      events[1].body = ev::PromiseMade{"a call back", -2, {}, {}};
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

  TEST_CASE_TEMPLATE_DEFINE("scan gives each case once, in id order, with its header and whole journal; split covers all",
                            T, store_scan) {
    T fx;
    auto& store = fx.store;
    const std::vector<std::string> names{"C-3", "C-1", "C-2", "C-10", "C-7"};
    for (std::size_t i = 0; i < names.size(); ++i) {
      REQUIRE(store.append(hdr(cid(names[i])), batch(cid(names[i]), 1, i + 1), 0, CaseState::open));
    }
    std::vector<std::pair<std::string, std::vector<Event>>> seen;
    auto collect = [&](const CaseHeader& h, std::span<const Event> journal) -> result<void> {
      CHECK(h == hdr(h.id));
      seen.emplace_back(std::string(h.id.str()), std::vector<Event>(journal.begin(), journal.end()));
      return boost::outcome_v2::success();
    };
    REQUIRE(store.scan({}, collect));
    REQUIRE(seen.size() == names.size());
    const auto ids = store.cases().value();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      CHECK(seen[i].first == ids[i].str());
      CHECK(seen[i].second == store.events(ids[i]).value());
    }
    // Ranges: from inclusive, to exclusive, by bytes.
    seen.clear();
    REQUIRE(store.scan(CaseRange{cid("C-10"), cid("C-3")}, collect));
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].first == "C-10");
    CHECK(seen[1].first == "C-2");
    // A visitor's failure stops the scan and is returned.
    int visits = 0;
    auto stop = store.scan({}, [&](const CaseHeader&, std::span<const Event>) -> result<void> {
      ++visits;
      return detail::fail(errc::invalid_argument, "stop");
    });
    CHECK(stop.error() == errc::invalid_argument);
    CHECK(visits == 1);
    // Split: every case in exactly one range, in order, about as many in each.
    for (std::size_t parts : {1, 2, 3, 7}) {
      auto ranges = store.split(parts).value();
      CHECK(ranges.size() == std::min(parts, names.size()));
      std::vector<std::string> covered;
      for (const auto& range : ranges) {
        seen.clear();
        REQUIRE(store.scan(range, collect));
        CHECK(seen.size() >= names.size() / parts);
        for (const auto& [id, journal] : seen) covered.push_back(id);
      }
      std::vector<std::string> all;
      for (const auto& id : ids) all.emplace_back(id.str());
      CHECK(covered == all);
    }
    CHECK(store.split(0).error() == errc::invalid_argument);
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

  // The first step of case C-1: a phone contact, applied under the
  // reference policy (it schedules follow-ups).
  struct FirstStep {
    Case before = new_case();
    Event event{before.id(), t0, std::nullopt,
                ev::ContactReceived{Channel::phone, std::nullopt, "the coupon expired and nobody called back"}};
    Step step;
    FirstStep() : step(apply(before, event, reference_policy(), t0).value()) {}
    CaseHeader header() const { return CaseHeader::of(before); }
  };

  // The follow-ups a step schedules.
  inline std::vector<FollowUp> scheduled(const Step& step) {
    std::vector<FollowUp> out;
    for (const auto& a : step.actions) {
      if (const auto* s = std::get_if<actions::ScheduleFollowUp>(&a)) out.push_back(s->follow_up);
    }
    return out;
  }

  TEST_CASE_TEMPLATE_DEFINE("a committed step stores its event, its follow-ups and every action in the outbox", T,
                            store_commit) {
    T fx;
    auto& store = fx.store;
    const FirstStep first;
    REQUIRE_FALSE(first.step.actions.empty());
    REQUIRE_FALSE(scheduled(first.step).empty());
    auto done = store.commit(first.header(), first.event, first.step, 0);
    REQUIRE_MESSAGE(done, why());
    CHECK(done.value().seq == 1);
    CHECK_FALSE(done.value().replayed);
    REQUIRE(done.value().action_ids.size() == first.step.actions.size());
    CHECK(done.value().action_ids[0] == "C-1#1.1");
    CHECK(done.value().action_ids.back() == fmt::format("C-1#1.{}", first.step.actions.size()));

    CHECK(store.events(cid()).value() == std::vector<Event>{first.event});
    CHECK(store.open_cases().value() == std::vector<CaseId>{cid()});
    auto restored = restore(store, cid(), reference_policy());
    REQUIRE_MESSAGE(restored, why());
    CHECK(*restored.value() == first.step.next);

    // Its follow-ups are kept, as persist() keeps them.
    const auto later = instant("2030-01-01T00:00:00Z");
    auto due = store.claim_due(later, 100, claimer("w1"), lease).value();
    std::vector<FollowUp> kept;
    for (const auto& c : due) kept.push_back(c.follow_up);
    auto expected = scheduled(first.step);
    // A store keeps the timer (id, kind, due); what its instant was computed
    // from stays with the case.
    for (auto& f : expected) f.basis = {};
    std::sort(expected.begin(), expected.end(), [](const FollowUp& a, const FollowUp& b) {
      return a.due_at_utc != b.due_at_utc ? a.due_at_utc < b.due_at_utc : a.id.str() < b.id.str();
    });
    CHECK(kept == expected);

    // And every action waits in the outbox, in order, as its JSON form.
    store = fx.open_again();
    auto claimed = store.claim_actions(t0, 100, claimer("w1"), lease);
    REQUIRE_MESSAGE(claimed, why());
    REQUIRE(claimed.value().size() == first.step.actions.size());
    for (std::size_t i = 0; i < claimed.value().size(); ++i) {
      const auto& a = claimed.value()[i];
      CHECK(a.id == done.value().action_ids[i]);
      CHECK(a.case_id == cid());
      CHECK(a.seq == 1);
      CHECK(a.n == i + 1);
      CHECK(a.type == action_type(first.step.actions[i]));
      CHECK(boost::json::parse(a.json) == to_json(first.step.actions[i]));
      CHECK(a.lease_until_utc == t0 + lease);
    }
  }

  TEST_CASE_TEMPLATE_DEFINE("a step's cancelled follow-ups are cancelled in the same commit", T,
                            store_commit_cancels) {
    T fx;
    auto& store = fx.store;
    const FollowUp f{fid("F-9"), FollowUpKind::update, t0 + boost::posix_time::minutes(20)};
    REQUIRE(store.persist(cid(), f));
    const Case c = new_case();
    const Event e = nth_event(cid(), 1);
    const Step step{c, {actions::CancelFollowUp{fid("F-9")}}, {}, {}};
    auto done = store.commit(hdr(cid()), e, step, 0);
    REQUIRE_MESSAGE(done, why());
    CHECK(store.claim_due(instant("2030-01-01T00:00:00Z"), 10, claimer("w1"), lease).value().empty());
    CHECK(store.cancel(fid("F-9")).value() == false);
  }

  TEST_CASE_TEMPLATE_DEFINE("a reschedule action moves the persisted follow-up: it is claimed at its new time, not the old",
                            T, store_commit_reschedules) {
    T fx;
    auto& store = fx.store;
    const auto policy = reference_policy();
    Case c = new_case("2025-03-10T02:00:00Z");
    const CaseHeader header = CaseHeader::of(c);
    std::uint64_t seq = 0;
    // Applies `body` at `when` under `p` and commits the step; returns it.
    auto step = [&](std::string_view when, EventBody body, const Policy& p) {
      const Event e{c.id(), instant(when), std::nullopt, std::move(body)};
      auto s = apply(c, e, p, e.at_utc);
      REQUIRE_MESSAGE(s, why());
      auto done = store.commit(header, e, s.value(), seq);
      REQUIRE_MESSAGE(done, why());
      seq = done.value().seq;
      c = s.value().next;
      return s.value();
    };
    step("2025-03-10T02:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "parcel lost"}, policy);
    // The courier has 1 working day: Tuesday 21:00 in Shanghai.
    auto waited = step("2025-03-10T02:05:00Z", ev::AwaitingThirdParty{"SF Express", 1, {}}, policy);
    REQUIRE(scheduled(waited).size() == 1);
    const FollowUp old = scheduled(waited).front();
    CHECK(old.due_at_utc == instant("2025-03-11T13:00:00Z"));
    // The official calendar makes Tuesday a holiday: Wednesday 21:00.
    auto moved = step("2025-03-10T04:00:00Z", ev::CalendarChanged{}, with_holiday("2025-03-11"));
    const actions::RescheduleFollowUp* r = nullptr;
    for (const auto& a : moved.actions) {
      if (const auto* x = std::get_if<actions::RescheduleFollowUp>(&a); x && x->replaces == old.id) r = x;
    }
    REQUIRE(r != nullptr);
    CHECK(r->follow_up.due_at_utc == instant("2025-03-12T13:00:00Z"));

    auto claimed_ids = [&](std::string_view now) {
      std::vector<std::pair<FollowUpId, Instant>> out;
      auto claimed = store.claim_due(instant(now), 100, claimer("w1"), lease);
      REQUIRE_MESSAGE(claimed, why());
      for (const auto& f : claimed.value()) {
        out.emplace_back(f.follow_up.id, f.follow_up.due_at_utc);
      }
      return out;
    };
    for (const auto& [id, due] : claimed_ids("2025-03-12T12:59:00Z")) {
      CHECK(id != old.id);
      CHECK(id != r->follow_up.id);
    }
    const auto at_new = claimed_ids("2025-03-12T13:00:00Z");
    CHECK(at_new == std::vector<std::pair<FollowUpId, Instant>>{{r->follow_up.id, r->follow_up.due_at_utc}});
  }

  TEST_CASE_TEMPLATE_DEFINE("an event id the case already holds returns the stored outcome and stores nothing twice",
                            T, store_commit_idempotent) {
    T fx;
    auto& store = fx.store;
    const FirstStep first;
    auto done = store.commit(first.header(), first.event, first.step, 0, "msg-4711");
    REQUIRE_MESSAGE(done, why());
    SUBCASE("the same event again, from a stale sequence number") {
      auto again = store.commit(first.header(), first.event, first.step, 0, "msg-4711");
      REQUIRE_MESSAGE(again, why());
      CHECK(again.value().replayed);
      CHECK(again.value().seq == 1);
      CHECK(again.value().action_ids == done.value().action_ids);
    }
    SUBCASE("the id comes back on a later event: the first outcome, not a second event") {
      const Event later = nth_event(cid(), 2);
      const Step step{first.step.next, {actions::Close{}}, {}, {}};
      auto again = fx.open_again().commit(first.header(), later, step, 1, "msg-4711");
      REQUIRE_MESSAGE(again, why());
      CHECK(again.value().replayed);
      CHECK(again.value().seq == 1);
      CHECK(again.value().action_ids == done.value().action_ids);
    }
    std::size_t extra = 0;
    SUBCASE("a retry without an event id is recognised too") {
      extra = 1;
      auto second = store.commit(hdr(cid("C-2")), nth_event(cid("C-2"), 1),
                                 Step{Case::open(cid("C-2"), CustomerId::make("U-1").value(), Currency::CNY, t0).value(),
                                      {actions::Close{}}, {}, {}},
                                 0);
      REQUIRE_MESSAGE(second, why());
      auto retry = store.commit(hdr(cid("C-2")), nth_event(cid("C-2"), 1),
                                Step{Case::open(cid("C-2"), CustomerId::make("U-1").value(), Currency::CNY, t0).value(),
                                     {actions::Close{}}, {}, {}},
                                0);
      REQUIRE_MESSAGE(retry, why());
      CHECK(retry.value() == Committed{1, {"C-2#1.1"}, true});
    }
    CHECK(store.last_seq(cid()).value() == 1);
    CHECK(store.claim_actions(t0, 100, claimer("w1"), lease).value().size() == first.step.actions.size() + extra);
    // The stored outcome can be looked up before applying the event again.
    auto known = store.committed(cid(), "msg-4711");
    REQUIRE_MESSAGE(known, why());
    REQUIRE(known.value().has_value());
    CHECK(known.value()->seq == 1);
    CHECK(known.value()->replayed);
    CHECK(known.value()->action_ids == done.value().action_ids);
    CHECK(store.committed(cid(), "msg-other").value() == std::nullopt);
    CHECK(store.committed(cid("C-2"), "msg-4711").value() == std::nullopt);
    auto bad = store.committed(cid(), "");
    REQUIRE_FALSE(bad);
    CHECK(bad.error() == errc::invalid_argument);
  }

  TEST_CASE_TEMPLATE_DEFINE("a commit that conflicts or is rejected writes nothing at all", T, store_commit_nothing) {
    T fx;
    auto& store = fx.store;
    const FirstStep first;
    REQUIRE(store.append(first.header(), std::vector<Event>{nth_event(cid(), 1)}, 0, CaseState::open));
    SUBCASE("a stale sequence number") {
      auto r = store.commit(first.header(), first.event, first.step, 0, "msg-1");
      REQUIRE_FALSE(r);
      CHECK(r.error() == store_errc::conflict);
      CHECK_MESSAGE(why().find("expected_last_seq: 0") != std::string::npos, why());
    }
    SUBCASE("a step of another case") {
      const Step other{Case::open(cid("C-2"), CustomerId::make("U-1").value(), Currency::CNY, t0).value(), {}, {}, {}};
      auto r = store.commit(first.header(), first.event, other, 1);
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_argument);
      CHECK_MESSAGE(why().find("step.next: case \"C-2\"") != std::string::npos, why());
    }
    SUBCASE("an empty event id") {
      auto r = store.commit(first.header(), first.event, first.step, 1, "");
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_argument);
      CHECK_MESSAGE(why().find("event_id: 0 bytes") != std::string::npos, why());
    }
    SUBCASE("a follow-up id kept for another follow-up") {
      const auto f = scheduled(first.step).at(0);
      REQUIRE(store.persist(cid("C-other"), f));
      auto r = store.commit(first.header(), first.event, first.step, 1, "msg-1");
      REQUIRE_FALSE(r);
      CHECK(r.error() == store_errc::conflict);
      CHECK_MESSAGE(why().find("follow_up.id") != std::string::npos, why());
      REQUIRE(store.cancel(f.id).value());
    }
    CHECK(store.last_seq(cid()).value() == 1);
    CHECK(store.claim_actions(t0, 100, claimer("w1"), lease).value().empty());
    CHECK(store.claim_due(instant("2030-01-01T00:00:00Z"), 100, claimer("w1"), lease).value().empty());
  }

  TEST_CASE_TEMPLATE_DEFINE("an unacknowledged action is delivered again after its lease, an acknowledged one never",
                            T, store_outbox_lease) {
    T fx;
    auto& store = fx.store;
    const Case c = new_case();
    const Step step{c, {actions::Emergency{"smoke from the heater"}, actions::Reply{"We are calling you now."}}, {}, {}};
    auto done = store.commit(hdr(cid()), nth_event(cid(), 1), step, 0);
    REQUIRE_MESSAGE(done, why());
    auto first = store.claim_actions(t0, 1, claimer("w1"), lease).value();
    REQUIRE(first.size() == 1);
    CHECK(first[0].id == "C-1#1.1");
    CHECK(first[0].type == "emergency");
    // Within the lease nobody else gets it; the next one is still free.
    auto second = store.claim_actions(t0 + lease - boost::posix_time::seconds(1), 10, claimer("w2"), lease).value();
    REQUIRE(second.size() == 1);
    CHECK(second[0].id == "C-1#1.2");
    CHECK(store.acknowledge("C-1#1.2").value() == true);
    CHECK(store.acknowledge("C-1#1.2").value() == false);
    CHECK(store.acknowledge("C-1#9.9").value() == false);
    // w1 died: after its lease the emergency is delivered again, same id.
    auto again = fx.open_again().claim_actions(t0 + lease, 10, claimer("w2"), lease).value();
    REQUIRE(again.size() == 1);
    CHECK(again[0].id == "C-1#1.1");
    CHECK(again[0].lease_until_utc == t0 + lease + lease);
    CHECK(store.acknowledge("C-1#1.1").value() == true);
    CHECK(store.claim_actions(instant("2030-01-01T00:00:00Z"), 10, claimer("w3"), lease).value().empty());
    // Bad input names the field.
    auto bad = store.claim_actions(t0, 0, claimer("w1"), lease);
    REQUIRE_FALSE(bad);
    CHECK(bad.error() == errc::invalid_argument);
    CHECK_MESSAGE(why().find("max_count") != std::string::npos, why());
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
  TEST_CASE_TEMPLATE_INVOKE(store_other_currency, Fixture);              \
  TEST_CASE_TEMPLATE_INVOKE(store_stale_seq, Fixture);                   \
  TEST_CASE_TEMPLATE_INVOKE(store_bad_input, Fixture);                   \
  TEST_CASE_TEMPLATE_INVOKE(store_utf8, Fixture);                        \
  TEST_CASE_TEMPLATE_INVOKE(store_open_cases, Fixture);                  \
  TEST_CASE_TEMPLATE_INVOKE(store_scan, Fixture);                        \
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
  TEST_CASE_TEMPLATE_INVOKE(store_commit, Fixture);                      \
  TEST_CASE_TEMPLATE_INVOKE(store_commit_cancels, Fixture);              \
  TEST_CASE_TEMPLATE_INVOKE(store_commit_reschedules, Fixture);          \
  TEST_CASE_TEMPLATE_INVOKE(store_commit_idempotent, Fixture);           \
  TEST_CASE_TEMPLATE_INVOKE(store_commit_nothing, Fixture);              \
  TEST_CASE_TEMPLATE_INVOKE(store_outbox_lease, Fixture);                \
  }                                                                      \
  TEST_SUITE_END()

#endif  // REDRESS_TESTS_SUPPORT_STORE_CONTRACT_HPP
