// The PostgreSQL store: the store contract (tests/support/store_contract.hpp)
// on a fresh schema, then what only a PostgreSQL database does.
#include <thread>

#include <redress/pg_store.hpp>

#include "pg/pg_fixture.hpp"
#include "support/store_contract.hpp"

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
  auto r = PgStore::open(schema.conninfo(), keyed());
  REQUIRE_FALSE(r);
  CHECK(r.error() == code);
  CHECK_MESSAGE(why().find(expected) != std::string::npos, why());
  CHECK(snapshot(schema) == before);
}

// The store under the store contract: a new store in a fresh schema.
struct PgContract {
  using Store = PgStore;
  Schema schema;
  PgStore store = open_store(schema.conninfo());

  // Another store on the same schema, over a connection of its own.
  PgStore open_again() const { return open_store(schema.conninfo()); }
  // Runs `sql` in the schema over a plain libpq connection, as another program would.
  void exec_raw(const std::string& sql) const { schema.raw().exec(sql); }
};

}  // namespace

TYPE_TO_STRING_AS("PgStore", PgContract);
REDRESS_INVOKE_STORE_CONTRACT("pg_store contract", PgContract);

TEST_SUITE("pg_store") {
  TEST_CASE_FIXTURE(PgContract, "a batch larger than one INSERT's parameters is stored whole") {
    const auto id = cid();
    const auto events = batch(id, 1, 2500);
    CHECK(store.append(hdr(id), events, 0, CaseState::open).value() == 2500);
    CHECK(store.events(id).value() == events);
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
    auto store = PgStore::open(schema.conninfo(), keyed(options));
    REQUIRE(store);
    // Another process in the middle of an append to the same case. (The
    // lock is the database's, not the schema's: a case id no other test
    // appends to, so that tests running beside this one do not hold it.)
    auto other = schema.raw();
    other.exec("BEGIN; SELECT pg_advisory_xact_lock(1380209236, hashtext('C-lock-timeout'))");
    const auto id = CaseId::make("C-lock-timeout").value();
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
          std::vector<std::string>{"case_policies", "cases", "contact_index", "customer_keys", "event_ids", "events",
                                   "fix_notices", "follow_ups", "meta", "outbox", "policies", "root_cause_fixes"});
    CHECK(raw.scalar("SELECT value FROM meta WHERE key = 'protection'").starts_with("encrypted:"));
    CHECK(store.name().find(schema.name()) != std::string::npos);
  }

  TEST_CASE("stores opening one empty schema at once create it once") {
    Schema schema;
    constexpr int kOpeners = 4;
    std::vector<int> opened(kOpeners, 0);
    {
      std::vector<std::jthread> openers;
      for (int i = 0; i < kOpeners; ++i) {
        openers.emplace_back([&, i] { opened[static_cast<std::size_t>(i)] = PgStore::open(schema.conninfo(), keyed()) ? 1 : 0; });
      }
    }
    CHECK(opened == std::vector<int>(kOpeners, 1));
    CHECK(schema.raw().scalar("SELECT count(*) FROM meta") == "3");  // application, schema_version, protection
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

  TEST_CASE("a version 1 store is migrated on open: its journals stay and steps commit with their outbox") {
    Schema schema;
    const auto id = cid();
    { REQUIRE(open_store(schema.conninfo(), plaintext()).append(hdr(id), batch(id, 1, 2), 0, CaseState::open)); }
    // Version 1 is the first migration, which never changes: the current
    // schema without what versions 2 to 5 added.
    schema.raw().exec("DROP TABLE fix_notices; DROP TABLE root_cause_fixes; DROP TABLE case_policies; DROP TABLE policies; DROP TABLE customer_keys; "
                      "DROP TABLE contact_index; DROP INDEX cases_customer; ALTER TABLE events DROP COLUMN sealed; "
                      "DROP TABLE outbox; DROP TABLE event_ids; DELETE FROM meta WHERE key = 'protection'; "
                      "UPDATE meta SET value = '1' WHERE key = 'schema_version'");
    auto store = open_store(schema.conninfo(), keyed());
    CHECK(schema.raw().scalar("SELECT value FROM meta WHERE key = 'schema_version'") ==
          std::to_string(PgStore::kSchemaVersion));
    CHECK(store.events(id).value() == batch(id, 1, 2));
    const Step step{Case::open(id, hdr(id).customer, Currency::CNY, hdr(id).opened_at_utc).value(),
                    {actions::Reply{"We are on it."}},
                    {},
                    {}};
    auto done = store.commit(hdr(id), nth_event(id, 3), step, 2, "msg-3");
    REQUIRE_MESSAGE(done, why());
    CHECK(done.value() == Committed{3, {"C-1#3.1"}, false});
    CHECK(store.check_integrity());
  }

  // The damaged rows both stores report are in the store contract.
  TEST_CASE("a dropped table is reported as corruption, never skipped") {
    Schema schema;
    const auto id = cid();
    { REQUIRE(open_store(schema.conninfo()).append(hdr(id), batch(id, 1, 3), 0, CaseState::open)); }
    schema.raw().exec("DROP TABLE events");
    auto store = open_store(schema.conninfo());
    auto r = store.events(id);
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::corrupt_store);
    CHECK_MESSAGE(why().find("the store's tables are not what redress made") != std::string::npos, why());
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
    auto r = PgStore::open(conninfo, keyed(options));
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
