#include <concepts>
#include <thread>
#include <type_traits>

#include <redress/pg_store.hpp>

#include "pg/pg_fixture.hpp"
#include "support/engine_fixture.hpp"

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

namespace {

// Everything in the schema, as text: its tables and their rows.
std::string snapshot(Schema& schema) {
  auto raw = schema.raw();
  std::string out;
  for (const auto& table : raw.column("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                      "ORDER BY tablename")) {
    out += table + ":";
    for (const auto& row : raw.column("SELECT t::text FROM " + table + " t ORDER BY 1")) out += " " + row;
    out += "\n";
  }
  return out;
}

// Opening the schema fails with `code`, a detail containing `expected`, and
// leaves the schema as it was.
void check_refused(Schema& schema, errc code, std::string_view expected) {
  const auto before = snapshot(schema);
  auto r = PgStore::open(schema.conninfo());
  REQUIRE_FALSE(r);
  CHECK(r.error() == code);
  CHECK_MESSAGE(why().find(expected) != std::string::npos, why());
  CHECK(snapshot(schema) == before);
}

// A new store in a fresh schema, and the case most tests write to.
struct FreshStore {
  Schema schema;
  PgStore store = open_store(schema.conninfo());
  CaseId id = cid();
};

}  // namespace

TEST_SUITE("pg_store") {
  TEST_CASE("value semantics") {
    static_assert(!std::is_copy_constructible_v<PgStore>);
    static_assert(std::is_nothrow_move_constructible_v<PgStore>);
    static_assert(std::is_base_of_v<JournalStore, PgStore> && std::is_base_of_v<FollowUpStore, PgStore>);
  }

  TEST_CASE_FIXTURE(FreshStore, "appended events read back in order, equal to what was appended") {
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

    // And through a new connection.
    store = open_store(schema.conninfo());
    CHECK(store.events(id).value() == all);
  }

  TEST_CASE_FIXTURE(FreshStore, "the first append records the case's header and later appends must agree with it") {
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

  TEST_CASE_FIXTURE(FreshStore, "a case restored from the store equals the case its events made") {
    const auto policy = testing::reference_policy();
    Case c = testing::new_case();
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

  TEST_CASE_FIXTURE(FreshStore, "a batch larger than one INSERT's parameters is stored whole") {
    const auto events = batch(id, 1, 2500);
    CHECK(store.append(hdr(id), events, 0, CaseState::open).value() == 2500);
    CHECK(store.events(id).value() == events);
  }

  TEST_CASE_FIXTURE(FreshStore, "a retried batch is not stored twice") {
    REQUIRE(store.append(hdr(id), batch(id, 1, 3), 0, CaseState::open));
    CHECK(store.append(hdr(id), batch(id, 1, 3), 0, CaseState::open).value() == 3);
    CHECK(store.events(id).value() == batch(id, 1, 3));
  }

  TEST_CASE_FIXTURE(FreshStore, "an append from a stale sequence number fails with conflict and stores nothing") {
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

  TEST_CASE_FIXTURE(FreshStore, "bad input names the field and leaves nothing behind") {
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
    auto r = store.append(hdr(id), events, 1, CaseState::open);
    REQUIRE_FALSE(r);
    CHECK(r.error() == expected);
    CHECK_MESSAGE(why().find(field) != std::string::npos, why());
    CHECK(store.events(id).value() == batch(id, 1, 1));
  }

  TEST_CASE_FIXTURE(FreshStore, "open_cases lists the cases whose last append left them open, and cases lists them all") {
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

  TEST_CASE("two stores on one schema see each other's appends and cannot interleave a journal") {
    Schema schema;
    auto a = open_store(schema.conninfo());
    auto b = open_store(schema.conninfo());
    const auto id = cid();
    REQUIRE(a.append(hdr(id), batch(id, 1, 2), 0, CaseState::open));
    CHECK(b.events(id).value() == batch(id, 1, 2));
    auto r = b.append(hdr(id), batch(id, 1, 1), 0, CaseState::open);
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::conflict);
    CHECK(b.append(hdr(id), batch(id, 3, 1), 2, CaseState::open).value() == 3);
    CHECK(a.events(id).value() == batch(id, 1, 3));
  }

  TEST_CASE("stores appending to one new case at once: exactly one wins, the others get conflict") {
    Schema schema;
    constexpr int kWriters = 4;
    std::vector<PgStore> stores;
    for (int i = 0; i < kWriters; ++i) stores.push_back(open_store(schema.conninfo()));
    const auto id = cid();
    std::vector<result<std::uint64_t>> results(kWriters, result<std::uint64_t>(0));
    {
      std::vector<std::jthread> writers;
      for (int i = 0; i < kWriters; ++i) {
        writers.emplace_back([&, i] {
          auto events = batch(id, 1, 2);
          events[1].body = ev::ApologyGiven{"writer " + std::to_string(i)};
          results[static_cast<std::size_t>(i)] = stores[static_cast<std::size_t>(i)].append(hdr(id), events, 0,
                                                                                             CaseState::open);
        });
      }
    }
    int won = 0;
    for (const auto& r : results) {
      if (r) {
        ++won;
        CHECK(r.value() == 2);
      } else {
        CHECK(r.error() == store_errc::conflict);
      }
    }
    CHECK(won == 1);
    CHECK(stores[0].events(id).value().size() == 2);
    CHECK(stores[0].check_integrity());
  }

  TEST_CASE("an append waiting past lock_timeout fails with storage_failed and stores nothing") {
    Schema schema;
    PgOptions options;
    options.lock_timeout = boost::posix_time::milliseconds(100);
    auto store = PgStore::open(schema.conninfo(), options);
    REQUIRE(store);
    // Another process in the middle of an append to the same case.
    auto other = schema.raw();
    other.exec("BEGIN; SELECT pg_advisory_xact_lock(1380209236, hashtext('C-1'))");
    const auto id = cid();
    auto r = store.value().append(hdr(id), batch(id, 1, 1), 0, CaseState::open);
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::storage_failed);
    CHECK_MESSAGE(why().find("held the lock past lock_timeout") != std::string::npos, why());
    other.exec("ROLLBACK");
    CHECK(store.value().last_seq(id).value() == 0);
    CHECK(store.value().append(hdr(id), batch(id, 1, 1), 0, CaseState::open).value() == 1);
  }
}

TEST_SUITE("pg_store databases") {
  TEST_CASE("an empty schema gets the current schema version and redress's meta") {
    Schema schema;
    auto store = open_store(schema.conninfo());
    auto raw = schema.raw();
    CHECK(raw.scalar("SELECT value FROM meta WHERE key = 'application'") == "redress");
    CHECK(raw.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == std::to_string(PgStore::kSchemaVersion));
    CHECK(raw.column("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1") ==
          std::vector<std::string>{"cases", "events", "follow_ups", "meta"});
    CHECK(store.name().find(schema.name()) != std::string::npos);
  }

  TEST_CASE("stores opening one empty schema at once create it once") {
    Schema schema;
    constexpr int kOpeners = 4;
    std::vector<int> opened(kOpeners, 0);
    {
      std::vector<std::jthread> openers;
      for (int i = 0; i < kOpeners; ++i) {
        openers.emplace_back([&, i] { opened[static_cast<std::size_t>(i)] = PgStore::open(schema.conninfo()) ? 1 : 0; });
      }
    }
    CHECK(opened == std::vector<int>(kOpeners, 1));
    CHECK(schema.raw().scalar("SELECT count(*) FROM meta") == "2");
  }

  TEST_CASE("another application's tables are refused and left untouched") {
    Schema schema;
    std::string expected;
    SUBCASE("tables, no meta") {
      schema.raw().exec("CREATE TABLE users (id int PRIMARY KEY, name text); INSERT INTO users VALUES (1, 'li')");
      expected = "holds another application's tables (users), not a redress store";
    }
    SUBCASE("a meta table of another shape") {
      schema.raw().exec("CREATE TABLE meta (name text, version int); INSERT INTO meta VALUES ('app', 3)");
      expected = "holds another application's tables (meta)";
    }
    SUBCASE("a meta table of another application") {
      schema.raw().exec("CREATE TABLE meta (key text, value text); CREATE TABLE orders (id int);"
                        "INSERT INTO meta VALUES ('application', 'shop'), ('schema_version', '1')");
      expected = "(meta, orders); its meta.application is not \"redress\"";
    }
    check_refused(schema, store_errc::corrupt_store, expected);
  }

  TEST_CASE("a store of a newer schema version, or of none, is refused and left untouched") {
    Schema schema;
    { auto store = open_store(schema.conninfo()); }
    SUBCASE("written by a newer redress: schema_too_new") {
      schema.raw().exec("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
      check_refused(schema, store_errc::schema_too_new, "meta.schema_version: 99, written by a newer redress");
    }
    SUBCASE("the version is missing: damaged") {
      schema.raw().exec("DELETE FROM meta WHERE key = 'schema_version'");
      check_refused(schema, store_errc::corrupt_store, "meta.schema_version: missing");
    }
  }

  TEST_CASE("a damaged row is reported as corruption, never skipped") {
    Schema schema;
    const auto id = cid();
    { REQUIRE(open_store(schema.conninfo()).append(hdr(id), batch(id, 1, 3), 0, CaseState::open)); }
    std::string expected;
    SUBCASE("a body that is not JSON") {
      schema.raw().exec("UPDATE events SET body_json = '{\"type\":' WHERE seq = 2");
      expected = "events[case \"C-1\", seq 2].body_json: not JSON";
    }
    SUBCASE("an event of another case") {
      schema.raw().exec("UPDATE events SET body_json = replace(body_json, '\"C-1\"', '\"C-9\"') WHERE seq = 3");
      expected = "the stored event is a \"apology_given\" of case \"C-9\"";
    }
    SUBCASE("a missing event") {
      schema.raw().exec("DELETE FROM events WHERE seq = 2");
      expected = "event 2 is missing";
    }
    SUBCASE("a missing last event") {
      schema.raw().exec("DELETE FROM events WHERE seq = 3");
      expected = "cases[\"C-1\"].last_seq: 3, but 2 events are stored";
    }
    SUBCASE("a dropped table") {
      schema.raw().exec("DROP TABLE events");
      expected = "the store's tables are not what redress made";
    }
    auto store = open_store(schema.conninfo());
    auto r = store.events(id);
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::corrupt_store);
    CHECK_MESSAGE(why().find(expected) != std::string::npos, why());
  }

  TEST_CASE("check_integrity finds a case whose events do not match its last sequence number") {
    Schema schema;
    const auto id = cid();
    auto store = open_store(schema.conninfo());
    REQUIRE(store.append(hdr(id), batch(id, 1, 3), 0, CaseState::open));
    CHECK(store.check_integrity());
    schema.raw().exec("DELETE FROM events WHERE seq = 3");
    auto r = store.check_integrity();
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::corrupt_store);
    CHECK_MESSAGE(why().find("case \"C-1\": last_seq 3, events stored 2") != std::string::npos, why());
  }

  TEST_CASE("opening names the bad argument or the server that cannot be reached") {
    Schema schema;
    std::string conninfo = schema.conninfo();
    PgOptions options;
    errc code = errc::invalid_argument;
    std::string expected;
    SUBCASE("a conninfo libpq cannot parse") {
      conninfo = "host=127.0.0.1 port";
      expected = "conninfo: libpq cannot parse it";
    }
    SUBCASE("a negative lock timeout") {
      options.lock_timeout = boost::posix_time::seconds(-1);
      expected = "options.lock_timeout";
    }
    SUBCASE("a search_path naming no schema") {
      conninfo = schema.server() + " options='-c search_path=no_such_schema'";
      expected = "the search_path names no schema that exists";
    }
    SUBCASE("a database that is not UTF8") {
      conninfo = schema.server() + " dbname=latin1";
      expected = "the database's encoding is LATIN1";
    }
    SUBCASE("a missing database") {
      conninfo = schema.server() + " dbname=no_such_db";
      code = store_errc::storage_failed;
      expected = "cannot connect";
    }
    SUBCASE("a port where no server listens, with a password that is never repeated") {
      conninfo = "postgresql://redress:s3cret-word@127.0.0.1:1/cases";
      code = store_errc::storage_failed;
      expected = "store \"postgresql://127.0.0.1:1/cases\": cannot connect";
    }
    auto r = PgStore::open(conninfo, options);
    REQUIRE_FALSE(r);
    CHECK(r.error() == code);
    CHECK_MESSAGE(why().find(expected) != std::string::npos, why());
    CHECK(why().find("s3cret") == std::string::npos);
  }

  TEST_CASE("a terminated connection fails the call with storage_failed, and the next call reconnects") {
    Schema schema;
    auto store = open_store(schema.conninfo());
    const auto id = cid();
    REQUIRE(store.append(hdr(id), batch(id, 1, 2), 0, CaseState::open));
    REQUIRE(store.persist(id, FollowUp{fid("F-1"), FollowUpKind::update, instant("2025-01-24T07:20:00Z")}));
    REQUIRE(schema.terminate_stores() == 1);

    SUBCASE("a read") {
      auto r = store.events(id);
      REQUIRE_FALSE(r);
      CHECK(r.error() == store_errc::storage_failed);
      CHECK_MESSAGE(why().find("the connection to the server was lost") != std::string::npos, why());
      CHECK_MESSAGE(why().find("terminating connection due to administrator command") != std::string::npos, why());
      CHECK_MESSAGE(why().find("the next call reconnects") != std::string::npos, why());
    }
    SUBCASE("a write") {
      auto r = store.append(hdr(id), batch(id, 3, 1), 2, CaseState::open);
      REQUIRE_FALSE(r);
      CHECK(r.error() == store_errc::storage_failed);
      CHECK_MESSAGE(why().find("the connection to the server was lost") != std::string::npos, why());
      // Retrying after the failure stores the batch once.
      CHECK(store.append(hdr(id), batch(id, 3, 1), 2, CaseState::open).value() == 3);
      CHECK(store.append(hdr(id), batch(id, 3, 1), 2, CaseState::open).value() == 3);
    }
    SUBCASE("a claim") {
      auto r = store.claim_due(instant("2025-01-24T08:00:00Z"), 10, claimer("w1"), boost::posix_time::minutes(5));
      REQUIRE_FALSE(r);
      CHECK(r.error() == store_errc::storage_failed);
    }
    // Nothing acknowledged was lost, and the store works again.
    const auto journal = store.events(id);
    REQUIRE_MESSAGE(journal.has_value(), why());
    REQUIRE(journal.value().size() >= 2);
    CHECK(std::vector<Event>(journal.value().begin(), journal.value().begin() + 2) == batch(id, 1, 2));
    CHECK(store.claim_due(instant("2025-01-24T08:00:00Z"), 10, claimer("w1"), boost::posix_time::minutes(5))
              .value()
              .size() == 1);
    CHECK(store.check_integrity());
  }

  TEST_CASE("a server that refuses the reconnection fails each call until it accepts one") {
    Schema schema;
    // A role of the test's own, so that refusing it its logins touches no
    // other test.
    const auto role = schema.name() + "_role";
    schema.admin().exec(fmt::format("CREATE ROLE {0} LOGIN; GRANT ALL ON SCHEMA {1} TO {0}", role, schema.name()));
    {
      auto store = open_store(schema.conninfo() + " user=" + role);
      const auto id = cid();
      REQUIRE(store.append(hdr(id), batch(id, 1, 1), 0, CaseState::open));
      schema.admin().exec("ALTER ROLE " + role + " NOLOGIN");
      REQUIRE(schema.terminate_stores() == 1);
      auto lost = store.last_seq(id);
      REQUIRE_FALSE(lost);
      CHECK(lost.error() == store_errc::storage_failed);
      CHECK_MESSAGE(why().find("the connection to the server was lost") != std::string::npos, why());
      for (int i = 0; i < 2; ++i) {
        auto refused = store.last_seq(id);
        REQUIRE_FALSE(refused);
        CHECK(refused.error() == store_errc::storage_failed);
        CHECK_MESSAGE(why().find("reconnecting failed") != std::string::npos, why());
        CHECK_MESSAGE(why().find("not permitted to log in") != std::string::npos, why());
      }
      schema.admin().exec("ALTER ROLE " + role + " LOGIN");
      CHECK(store.last_seq(id).value() == 1);
      CHECK(store.append(hdr(id), batch(id, 2, 1), 1, CaseState::open).value() == 2);
    }
    schema.admin().exec("DROP OWNED BY " + role + " CASCADE; DROP ROLE " + role);
  }

  TEST_CASE("a connection terminated inside a transaction rolls it back, and the retry stores it once") {
    Schema schema;
    auto store = open_store(schema.conninfo());
    const auto id = cid();
    REQUIRE(store.append(hdr(id), batch(id, 1, 1), 0, CaseState::open));
    // Hold the case's lock so that the append waits inside its transaction,
    // then end the store's connection while it waits.
    auto other = schema.raw();
    other.exec("BEGIN; SELECT pg_advisory_xact_lock(1380209236, hashtext('C-1'))");
    result<std::uint64_t> r(0);
    std::string detail;  // last_error_detail() is the writer thread's
    {
      std::jthread writer([&] {
        r = store.append(hdr(id), batch(id, 2, 2), 1, CaseState::closed);
        detail = why();
      });
      for (int i = 0; i < 200; ++i) {
        if (schema.admin().scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + schema.name() +
                                  "' AND wait_event_type = 'Lock'") == "1") {
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      REQUIRE(schema.terminate_stores() == 1);
    }
    other.exec("ROLLBACK");
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::storage_failed);
    CHECK_MESSAGE(detail.find("the connection to the server was lost") != std::string::npos, detail);
    CHECK_MESSAGE(detail.find("terminating connection due to administrator command") != std::string::npos, detail);
    CHECK_MESSAGE(detail.find("nothing was changed") != std::string::npos, detail);
    CHECK(store.events(id).value() == batch(id, 1, 1));
    CHECK(store.append(hdr(id), batch(id, 2, 2), 1, CaseState::closed).value() == 3);
    CHECK(store.events(id).value() == batch(id, 1, 3));
    CHECK(store.open_cases().value().empty());
  }
}

TEST_SUITE("pg_store follow-ups") {
  const Instant t0 = instant("2025-01-24T07:00:00Z");
  const auto lease = boost::posix_time::minutes(5);

  TEST_CASE_FIXTURE(FreshStore, "a due follow-up is claimed once, earliest first, and completed by its claimer") {
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

  TEST_CASE_FIXTURE(FreshStore, "claimed follow-ups come earliest due first, then by id") {
    for (auto name : {"F-b", "F-a", "F-c"}) REQUIRE(store.persist(cid(), FollowUp{fid(name), FollowUpKind::update, t0}));
    REQUIRE(store.persist(cid(), FollowUp{fid("F-0"), FollowUpKind::update, t0 + boost::posix_time::seconds(1)}));
    auto claimed = store.claim_due(t0 + lease, 10, claimer("w1"), lease);
    REQUIRE(claimed);
    std::vector<std::string> ids;
    for (const auto& c : claimed.value()) ids.push_back(std::string(c.follow_up.id.str()));
    CHECK(ids == std::vector<std::string>{"F-a", "F-b", "F-c", "F-0"});
  }

  TEST_CASE_FIXTURE(FreshStore, "a claim whose lease ends is due again and passes to another claimer") {
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

  TEST_CASE_FIXTURE(FreshStore, "a cancelled follow-up is never claimed, and persisting it again does not revive it") {
    const FollowUp f{fid("F-1"), FollowUpKind::promise, t0};
    REQUIRE(store.persist(cid(), f));
    CHECK(store.cancel(fid("F-1")).value() == true);
    CHECK(store.cancel(fid("F-1")).value() == false);
    CHECK(store.cancel(fid("F-unknown")).value() == false);
    CHECK(store.persist(cid(), f));
    CHECK(store.claim_due(t0 + lease, 10, claimer("w1"), lease).value().empty());
  }

  TEST_CASE_FIXTURE(FreshStore, "a claimed follow-up can be cancelled, and then its claimer cannot complete it") {
    REQUIRE(store.persist(cid(), FollowUp{fid("F-1"), FollowUpKind::update, t0}));
    REQUIRE(store.claim_due(t0, 10, claimer("w1"), lease).value().size() == 1);
    CHECK(store.cancel(fid("F-1")).value() == true);
    CHECK(store.complete(fid("F-1"), claimer("w1")).value() == false);
  }

  TEST_CASE_FIXTURE(FreshStore, "follow-up calls reject bad input naming the field") {
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
    SUBCASE("claims") {
      auto none = store.claim_due(t0, 0, claimer("w1"), lease);
      CHECK(none.error() == errc::invalid_argument);
      CHECK(why().find("max_count: 0") != std::string::npos);
      auto negative = store.claim_due(t0, 1, claimer("w1"), -lease);
      CHECK(negative.error() == errc::invalid_argument);
      CHECK(why().find("lease: -00:05:00 is not a positive duration") != std::string::npos);
      auto far = store.claim_due(instant("9999-12-31T23:59:00Z"), 1, claimer("w1"), lease);
      CHECK(far.error() == errc::out_of_range);
    }
    // Nothing was claimed by the failed calls.
    CHECK(store.claim_due(t0, 10, claimer("w1"), lease).value() == std::vector<ClaimedFollowUp>{{cid(), f, t0 + lease}});
  }
}
