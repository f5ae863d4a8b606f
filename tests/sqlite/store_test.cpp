#include <concepts>
#include <type_traits>

#include <boost/json.hpp>

#include <redress/sqlite_store.hpp>

#include "sqlite/sqlite_fixture.hpp"
#include "support/engine_fixture.hpp"

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

namespace {

SqliteStore open_store(const std::string& path) {
  auto s = SqliteStore::open(path);
  REQUIRE_MESSAGE(s.has_value(), std::string(last_error_detail()));
  return std::move(s).value();
}

std::string why() { return std::string(last_error_detail()); }

// Opening the file at `path` fails with `code`, a detail containing
// `expected`, and leaves the file byte for byte as it was.
void check_refused(const std::string& path, errc code, std::string_view expected) {
  const auto before = slurp(path);
  auto r = SqliteStore::open(path);
  REQUIRE_FALSE(r);
  CHECK(r.error() == code);
  CHECK_MESSAGE(why().find(expected) != std::string::npos, why());
  CHECK(slurp(path) == before);
}

// A new store in a scratch directory, and the case most tests write to.
struct FreshStore {
  TempDir dir;
  SqliteStore store = open_store(dir.file("cases.db"));
  CaseId id = cid();
};

// The version 1 schema exactly as that release wrote it: a fixture for the
// migration test (a released step never changes).
constexpr const char* kVersion1 =
    "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value ANY NOT NULL) STRICT, WITHOUT ROWID;"
    "CREATE TABLE cases (case_id TEXT PRIMARY KEY NOT NULL, open INTEGER NOT NULL CHECK (open IN (0, 1)),"
    "  last_seq INTEGER NOT NULL CHECK (last_seq >= 1), last_at_us INTEGER NOT NULL) STRICT, WITHOUT ROWID;"
    "CREATE INDEX cases_open ON cases (case_id) WHERE open = 1;"
    "CREATE TABLE events (case_id TEXT NOT NULL, seq INTEGER NOT NULL CHECK (seq >= 1), at_us INTEGER NOT NULL,"
    "  type TEXT NOT NULL, body_json TEXT NOT NULL, PRIMARY KEY (case_id, seq)) STRICT, WITHOUT ROWID;"
    "INSERT INTO meta (key, value) VALUES ('schema_version', 1);"
    "PRAGMA application_id = 1380209235;";

}  // namespace

TEST_SUITE("sqlite_store") {
  TEST_CASE("value semantics") {
    static_assert(!std::is_copy_constructible_v<SqliteStore>);
    static_assert(std::is_nothrow_move_constructible_v<SqliteStore>);
    static_assert(std::is_base_of_v<JournalStore, SqliteStore> && std::is_base_of_v<FollowUpStore, SqliteStore>);
    static_assert(std::copyable<ClaimedFollowUp> && std::equality_comparable<ClaimedFollowUp>);
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

    // And after closing and opening the file again.
    store = open_store(dir.file("cases.db"));
    CHECK(store.events(id).value() == all);
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

  TEST_CASE_FIXTURE(FreshStore, "text must be well-formed UTF-8, as the journal's JSON parser insists") {
    std::uint64_t last = 0;
    for (std::string good : {"ascii", "\xc2\xa9 2 bytes", "抱歉 3 bytes", "\xf0\x9f\x98\x80 4 bytes", "\xf4\x8f\xbf\xbf max"}) {
      CAPTURE(good);
      auto r = store.append(hdr(id), std::vector<Event>{Event{id, instant("2025-01-24T07:00:00Z"), std::nullopt,
                                                         ev::ApologyGiven{good}}},
                            last, CaseState::open);
      REQUIRE_MESSAGE(r.has_value(), why());
      last = r.value();
      CHECK(std::get<ev::ApologyGiven>(store.events(id).value().back().body).text == good);
    }
    for (std::string bad : {"\x80 a continuation byte", "\xc0\xaf overlong", "\xe0\x80\xaf overlong",
                            "\xed\xa0\x80 a surrogate", "\xf4\x90\x80\x80 above U+10FFFF", "\xe4\xbd cut short",
                            "\xf5\x80\x80\x80 no such lead byte"}) {
      CAPTURE(bad);
      auto r = store.append(hdr(id), std::vector<Event>{Event{id, instant("2025-01-24T07:00:00Z"), std::nullopt,
                                                         ev::ApologyGiven{bad}}},
                            last, CaseState::open);
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_event);
      // The journal's parser agrees that it could not have been read back.
      boost::system::error_code ec;
      boost::json::parse("\"" + bad + "\"", ec);
      CHECK(ec);
    }
    CHECK(store.last_seq(id).value() == last);
  }

  TEST_CASE_FIXTURE(FreshStore, "open_cases lists the cases whose last append left them open, and cases lists them all") {
    for (auto name : {"C-3", "C-1", "C-2"}) REQUIRE(store.append(hdr(cid(name)), batch(cid(name), 1, 1), 0, CaseState::open));
    REQUIRE(store.append(hdr(cid("C-2")), batch(cid("C-2"), 2, 1), 1, CaseState::closed));
    CHECK(store.open_cases().value() == std::vector<CaseId>{cid("C-1"), cid("C-3")});
    CHECK(store.cases().value() == std::vector<CaseId>{cid("C-1"), cid("C-2"), cid("C-3")});
    REQUIRE(store.append(hdr(cid("C-2")), batch(cid("C-2"), 3, 1), 2, CaseState::open));
    CHECK(store.open_cases().value() == std::vector<CaseId>{cid("C-1"), cid("C-2"), cid("C-3")});
  }

  TEST_CASE("two stores on one file see each other's appends and cannot interleave a journal") {
    TempDir dir;
    auto a = open_store(dir.file("cases.db"));
    auto b = open_store(dir.file("cases.db"));
    const auto id = cid();
    REQUIRE(a.append(hdr(id), batch(id, 1, 2), 0, CaseState::open));
    CHECK(b.events(id).value() == batch(id, 1, 2));
    auto r = b.append(hdr(id), batch(id, 1, 1), 0, CaseState::open);
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::conflict);
    CHECK(b.append(hdr(id), batch(id, 3, 1), 2, CaseState::open).value() == 3);
    CHECK(a.events(id).value() == batch(id, 1, 3));
  }

  TEST_CASE("a write lock held past the busy timeout fails with storage_failed and stores nothing") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    SqliteOptions options;
    options.busy_timeout = boost::posix_time::milliseconds(50);
    auto store = SqliteStore::open(path, options);
    REQUIRE(store);
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    const auto id = cid();
    auto r = store.value().append(hdr(id), batch(id, 1, 1), 0, CaseState::open);
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::storage_failed);
    CHECK(why().find("database is locked") != std::string::npos);
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    CHECK(store.value().last_seq(id).value() == 0);
    CHECK(store.value().append(hdr(id), batch(id, 1, 1), 0, CaseState::open).value() == 1);
  }
}

TEST_SUITE("sqlite_store files") {
  TEST_CASE("a new file gets the current schema, WAL and redress's application id") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    { auto store = open_store(path); }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    auto scalar = [&](const char* sql) {
      sqlite3_stmt* s = nullptr;
      REQUIRE(sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK);
      REQUIRE(sqlite3_step(s) == SQLITE_ROW);
      std::string v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
      sqlite3_finalize(s);
      return v;
    };
    CHECK(scalar("PRAGMA application_id") == std::to_string(SqliteStore::kApplicationId));
    CHECK(scalar("PRAGMA journal_mode") == "wal");
    CHECK(scalar("SELECT value FROM meta WHERE key = 'schema_version'") == std::to_string(SqliteStore::kSchemaVersion));
    sqlite3_close(db);
  }

  TEST_CASE("a file of random bytes is refused as corrupt and left untouched") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    std::string bytes;
    std::uint32_t x = 2463534242u;
    for (int i = 0; i < 8192; ++i) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      bytes.push_back(static_cast<char>(x));
    }
    write_file(path, bytes);
    check_refused(path, store_errc::corrupt_store, "not a redress store");
  }

  TEST_CASE("another application's SQLite database is refused and left untouched") {
    TempDir dir;
    const auto path = dir.file("other.db");
    std::string expected;
    SUBCASE("tables, no application id") {
      raw_exec(path, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'li');");
      expected = "another application (tables: users)";
    }
    SUBCASE("another application id") {
      raw_exec(path, "PRAGMA application_id = 1234; CREATE TABLE t (x);");
      expected = "application_id 0x000004d2";
    }
    check_refused(path, store_errc::corrupt_store, expected);
  }

  TEST_CASE("a store of a newer schema version, or of none, is refused and left untouched") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    { auto store = open_store(path); }
    SUBCASE("written by a newer redress: schema_too_new") {
      raw_exec(path, "UPDATE meta SET value = 99 WHERE key = 'schema_version'");
      check_refused(path, store_errc::schema_too_new, "meta.schema_version: 99, written by a newer redress");
    }
    SUBCASE("the version is missing: damaged") {
      raw_exec(path, "DELETE FROM meta");
      check_refused(path, store_errc::corrupt_store, "meta.schema_version: missing");
    }
  }

  TEST_CASE("a version 1 store is migrated on open and keeps its journals") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    const auto id = cid();
    const auto e = nth_event(id, 1);
    raw_exec(path, kVersion1);
    {
      // Its one event, written as version 1 wrote it.
      auto store = open_store(dir.file("scratch.db"));
      REQUIRE(store.append(hdr(id), std::vector<Event>{e}, 0, CaseState::open));
    }
    raw_exec(path, "ATTACH '" + dir.file("scratch.db") +
                       "' AS s; INSERT INTO events SELECT * FROM s.events; "
                       "INSERT INTO cases SELECT case_id, open, last_seq, last_at_us FROM s.cases;");
    auto store = open_store(path);
    CHECK(store.events(id).value() == std::vector<Event>{e});
    CHECK(store.open_cases().value() == std::vector<CaseId>{id});
    CHECK(store.persist(id, FollowUp{fid("F-1"), FollowUpKind::update, instant("2025-01-24T07:20:00Z")}));
    CHECK(store.check_integrity());
    // Version 1 kept no header: the case reads back, but cannot be restored alone.
    auto header = store.header(id);
    REQUIRE_FALSE(header);
    CHECK(header.error() == store_errc::corrupt_store);
    CHECK_MESSAGE(why().find("cases[\"C-1\"].customer: missing") != std::string::npos, why());
    // A case appended after the migration has one.
    CHECK(store.append(hdr(cid("C-2")), batch(cid("C-2"), 1, 1), 0, CaseState::open));
    CHECK(store.header(cid("C-2")).value() == hdr(cid("C-2")));
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
      REQUIRE_MESSAGE(step, std::string(last_error_detail()));
      c = std::move(step.value().next);
      journal.push_back(std::move(e));
    };
    fold("2025-01-24T07:00:00Z", events::ContactReceived{Channel::phone, std::nullopt, "the coupon expired"});
    fold("2025-01-24T07:02:00Z", events::ApologyGiven{"I'm so sorry, I understand how frustrating this is."});
    REQUIRE(store.append(CaseHeader::of(c), std::span(journal).first(1), 0, state_of(c)));
    REQUIRE(store.append(CaseHeader::of(c), std::span(journal).subspan(1), 1, state_of(c)));
    auto restored = restore(store, c.id(), policy);
    REQUIRE_MESSAGE(restored, std::string(last_error_detail()));
    REQUIRE(restored.value().has_value());
    CHECK(*restored.value() == c);
    CHECK(restore(store, cid("C-unknown"), policy).value() == std::nullopt);
  }

  TEST_CASE("a damaged row is reported as corruption, never skipped") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    const auto id = cid();
    { REQUIRE(open_store(path).append(hdr(id), batch(id, 1, 3), 0, CaseState::open)); }
    std::string expected;
    SUBCASE("a body that is not JSON") {
      raw_exec(path, "UPDATE events SET body_json = '{\"type\":' WHERE seq = 2");
      expected = "events[case \"C-1\", seq 2].body_json: not JSON";
    }
    SUBCASE("a body of an unknown type") {
      raw_exec(path, "UPDATE events SET body_json = '{\"case_id\":\"C-1\",\"at\":\"2025-01-24T07:00:00Z\","
                     "\"type\":\"teleported\"}' WHERE seq = 2");
      expected = "events[case \"C-1\", seq 2].body_json: the stored value does not decode";
    }
    SUBCASE("an event of another case") {
      raw_exec(path, "UPDATE events SET body_json = replace(body_json, '\"C-1\"', '\"C-9\"') WHERE seq = 3");
      expected = "the stored event is a \"apology_given\" of case \"C-9\"";
    }
    SUBCASE("a missing event") {
      raw_exec(path, "DELETE FROM events WHERE seq = 2");
      expected = "event 2 is missing";
    }
    SUBCASE("a missing last event") {
      raw_exec(path, "DELETE FROM events WHERE seq = 3");
      expected = "cases[\"C-1\"].last_seq: 3, but 2 events are stored";
    }
    auto store = open_store(path);
    auto r = store.events(id);
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::corrupt_store);
    CHECK_MESSAGE(why().find(expected) != std::string::npos, why());
  }

  TEST_CASE("check_integrity finds a case whose events do not match its last sequence number") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    const auto id = cid();
    auto store = open_store(path);
    REQUIRE(store.append(hdr(id), batch(id, 1, 3), 0, CaseState::open));
    CHECK(store.check_integrity());
    raw_exec(path, "DELETE FROM events WHERE seq = 3");
    auto r = store.check_integrity();
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::corrupt_store);
    CHECK_MESSAGE(why().find("case \"C-1\": last_seq 3, events stored 2") != std::string::npos, why());
  }

  TEST_CASE("opening names the bad argument or the file that cannot be opened") {
    TempDir dir;
    SUBCASE("an empty path") {
      auto r = SqliteStore::open("");
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_argument);
      CHECK(why().find("path: empty") != std::string::npos);
    }
    SUBCASE("a negative busy timeout") {
      SqliteOptions options;
      options.busy_timeout = boost::posix_time::seconds(-1);
      auto r = SqliteStore::open(dir.file("cases.db"), options);
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_argument);
      CHECK(why().find("options.busy_timeout") != std::string::npos);
    }
    SUBCASE("a missing file with create_if_missing off") {
      SqliteOptions options;
      options.create_if_missing = false;
      auto r = SqliteStore::open(dir.file("missing.db"), options);
      REQUIRE_FALSE(r);
      CHECK(r.error() == store_errc::storage_failed);
      CHECK(why().find("create_if_missing is off") != std::string::npos);
      CHECK_FALSE(std::filesystem::exists(dir.file("missing.db")));
    }
    SUBCASE("a directory that does not exist") {
      auto r = SqliteStore::open(dir.file("no/such/dir/cases.db"));
      REQUIRE_FALSE(r);
      CHECK(r.error() == store_errc::storage_failed);
      CHECK(why().find("cannot open the file") != std::string::npos);
    }
  }
}

TEST_SUITE("sqlite_store follow-ups") {
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
      CHECK(why().find("follow_up.id: \"F-1\" is already kept") != std::string::npos);
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
}
