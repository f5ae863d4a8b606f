// The SQLite store's protection of personal data (docs/privacy.md): the
// privacy contract (tests/support/privacy_contract.hpp) with the file and its
// write-ahead log grepped, and what is the SQLite store's own: the master key
// options and the migration from version 4.
#include <redress/sqlite_store.hpp>

#include <cstdlib>

#include <sqlite3.h>

#include "sqlite/sqlite_fixture.hpp"
#include "support/privacy_contract.hpp"

using namespace redress;
using namespace redress::testing;
using namespace redress::testing::privacy_contract;

namespace {

SqliteStore open_with(const std::string& path, const SqliteOptions& options) {
  auto s = SqliteStore::open(path, options);
  REQUIRE_MESSAGE(s.has_value(), why());
  return std::move(s).value();
}

// Whether the file, its write-ahead log included, holds `text` anywhere.
bool file_holds(const std::string& path, std::string_view text) {
  for (const auto& p : {path, path + "-wal"}) {
    if (std::filesystem::exists(p) && slurp(p).find(text) != std::string::npos) return true;
  }
  return false;
}

// A new store in a scratch directory, for the privacy contract.
struct SqlitePrivacy {
  using Store = SqliteStore;
  explicit SqlitePrivacy(bool sealed) : store(open_with(dir.file("cases.db"), sealed ? keyed() : plaintext())) {}
  TempDir dir;
  SqliteStore store;

  bool holds(std::string_view text) const { return file_holds(dir.file("cases.db"), text); }
  // The wrapped key's bytes, read over a connection of its own.
  std::optional<std::string> wrapped_key(std::string_view customer) const {
    sqlite3* db = nullptr;
    sqlite3_stmt* q = nullptr;
    std::optional<std::string> out;
    if (sqlite3_open_v2(dir.file("cases.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT wrapped FROM customer_keys WHERE customer = ?", -1, &q, nullptr) == SQLITE_OK) {
      sqlite3_bind_text(q, 1, customer.data(), static_cast<int>(customer.size()), SQLITE_TRANSIENT);
      if (sqlite3_step(q) == SQLITE_ROW) {
        out = std::string(static_cast<const char*>(sqlite3_column_blob(q, 0)),
                          static_cast<std::size_t>(sqlite3_column_bytes(q, 0)));
      }
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return out;
  }
};

}  // namespace

TYPE_TO_STRING_AS("SqliteStore", SqlitePrivacy);
REDRESS_INVOKE_PRIVACY_CONTRACT("sqlite_privacy contract", SqlitePrivacy);

TEST_SUITE("sqlite_privacy") {
  TEST_CASE("a store without a master key or an explicit insecure_plaintext is refused, and no file is made") {
    TempDir dir;
    auto r = SqliteStore::open(dir.file("cases.db"));
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK_MESSAGE(why().find("options.master_key_file, options.master_key_env: neither is given") != std::string::npos,
                  why());
    CHECK_FALSE(std::filesystem::exists(dir.file("cases.db")));
  }

  TEST_CASE("a master key that cannot be read or is not 64 hex digits is refused without quoting it") {
    TempDir dir;
    SqliteOptions options;
    std::string expected;
    SUBCASE("a key file that does not exist") {
      options.master_key_file = dir.file("no-such.key");
      expected = "options.master_key_file: ";
    }
    SUBCASE("a key file holding a short secret") {
      write_file(dir.file("short.key"), "s3cr3t-passphrase\n");
      options.master_key_file = dir.file("short.key");
      expected = "not 64 hex digits";
    }
    SUBCASE("an environment variable that is not set") {
      options.master_key_env = "REDRESS_TEST_UNSET_KEY";
      ::unsetenv("REDRESS_TEST_UNSET_KEY");
      expected = "\"REDRESS_TEST_UNSET_KEY\" is not set";
    }
    SUBCASE("a key and insecure_plaintext together") {
      options = keyed(options);
      options.insecure_plaintext = true;
      expected = "not several";
    }
    auto r = SqliteStore::open(dir.file("cases.db"), options);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK_MESSAGE(why().find(expected) != std::string::npos, why());
    CHECK(why().find("s3cr3t") == std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("cases.db")));
  }

  TEST_CASE("a store is refused with another master key, and a sealed store without one, and left untouched") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    { auto store = open_with(path, keyed()); }
    write_file(dir.file("other.key"), std::string(64, 'a') + "\n");
    SqliteOptions other;
    other.master_key_file = dir.file("other.key");
    const auto before = slurp(path);
    auto r = SqliteStore::open(path, other);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK_MESSAGE(why().find("not the master key this store was created with") != std::string::npos, why());
    CHECK_FALSE(SqliteStore::open(path, plaintext()));
    CHECK_MESSAGE(why().find("the store seals personal data") != std::string::npos, why());
    CHECK(slurp(path) == before);
    // And a clear-text store is not opened with a key.
    const auto clear = dir.file("clear.db");
    { auto store = open_with(clear, plaintext()); }
    CHECK_FALSE(SqliteStore::open(clear, keyed()));
    CHECK_MESSAGE(why().find("created with insecure_plaintext") != std::string::npos, why());
  }

  TEST_CASE("a version 4 store is migrated to 5: its clear journals stay readable and its contact points are indexed") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    const auto header = header_for("C-1", "U-1");
    const Event contact{header.id, instant("2025-01-24T07:00:00Z"), std::nullopt,
                        events::ContactReceived{Channel::phone, phone(), "hello"}};
    {
      auto store = open_with(path, plaintext());
      REQUIRE(store.append(header, std::vector<Event>{contact}, 0, CaseState::open));
    }
    // Version 4 is the current file without what versions 5 to 7 added.
    raw_exec(path,
             "DROP TABLE fix_notices; DROP TABLE root_cause_fixes; "
             "DROP TABLE case_policies; DROP TABLE policies; DROP TABLE customer_keys; DROP TABLE contact_index; DROP INDEX cases_customer; "
             "ALTER TABLE events DROP COLUMN sealed; ALTER TABLE outbox DROP COLUMN sealed; "
             "DELETE FROM meta WHERE key = 'protection'; UPDATE meta SET value = 4 WHERE key = 'schema_version';");
    auto store = open_with(path, keyed());
    CHECK(store.events(header.id).value() == std::vector<Event>{contact});
    CHECK(store.find_open_cases(phone()).value().case_to_attach() == header.id);
    // Its clear rows are erased by rewriting them.
    auto done = store.erase(header.customer);
    REQUIRE_MESSAGE(done, why());
    CHECK(done.value().events_rewritten == 1);
    CHECK_FALSE(file_holds(path, kPhone));
    CHECK(store.check_integrity());
  }
}
