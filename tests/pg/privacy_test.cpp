// The PostgreSQL store's protection of personal data (docs/privacy.md): the
// privacy contract (tests/support/privacy_contract.hpp) with a `pg_dump` of
// the store's schema grepped (what a backup holds), and what is the
// PostgreSQL store's own: refusing a missing or wrong key, and the migration
// from version 2.
#include <cstdio>
#include <cstdlib>

#include "pg/pg_fixture.hpp"
#include "support/privacy_contract.hpp"

using namespace redress;
using namespace redress::testing;
using namespace redress::testing::privacy_contract;

namespace {

// Everything `pg_dump` writes out of the test schema: what a backup holds.
std::string dump(const Schema& schema) {
  const std::string command = fmt::format("\"$(pg_config --bindir)/pg_dump\" -d '{}' -n {} --no-owner 2>&1",
                                          schema.server(), schema.name());
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  REQUIRE(::pclose(pipe) == 0);
  REQUIRE_MESSAGE(out.find("CREATE TABLE") != std::string::npos, out);
  return out;
}

bool mentions(const std::string& text, std::string_view what) { return text.find(what) != std::string::npos; }

// A new store in a fresh schema, for the privacy contract.
struct PgPrivacy {
  using Store = PgStore;
  explicit PgPrivacy(bool sealed) : store(open_store(schema.conninfo(), sealed ? keyed() : plaintext())) {}
  Schema schema;
  PgStore store;

  bool holds(std::string_view text) const { return mentions(dump(schema), text); }
  // The wrapped key as the dump writes it: hex digits.
  std::optional<std::string> wrapped_key(std::string_view customer) const {
    auto rows = schema.raw().column(
        fmt::format("SELECT encode(wrapped, 'hex') FROM customer_keys WHERE customer = '{}'", customer));
    if (rows.empty()) return std::nullopt;
    return rows[0];
  }
};

}  // namespace

TYPE_TO_STRING_AS("PgStore", PgPrivacy);
REDRESS_INVOKE_PRIVACY_CONTRACT("pg_privacy contract", PgPrivacy);

TEST_SUITE("pg_privacy") {
  TEST_CASE("a PostgreSQL store without a master key or an explicit insecure_plaintext is refused, untouched") {
    Schema schema;
    auto r = PgStore::open(schema.conninfo());
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK_MESSAGE(mentions(why(), "options.master_key_file, options.master_key_env: neither is given"), why());
    CHECK(schema.raw().scalar("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()") == "0");
  }

  TEST_CASE("a PostgreSQL store is refused with another master key, and a sealed one without a key, untouched") {
    Schema schema;
    { auto store = open_store(schema.conninfo(), keyed()); }
    ::setenv("REDRESS_TEST_OTHER_KEY", std::string(64, 'a').c_str(), 1);
    PgOptions other;
    other.master_key_env = "REDRESS_TEST_OTHER_KEY";
    const auto before = schema.raw().column("SELECT key || '=' || value FROM meta ORDER BY key");
    auto r = PgStore::open(schema.conninfo(), other);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK_MESSAGE(mentions(why(), "not the master key this store was created with"), why());
    CHECK_FALSE(PgStore::open(schema.conninfo(), plaintext()));
    CHECK_MESSAGE(mentions(why(), "the store seals personal data"), why());
    CHECK(schema.raw().column("SELECT key || '=' || value FROM meta ORDER BY key") == before);
    // And a clear-text store is not opened with a key.
    Schema clear;
    { auto store = open_store(clear.conninfo(), plaintext()); }
    CHECK_FALSE(PgStore::open(clear.conninfo(), keyed()));
    CHECK_MESSAGE(mentions(why(), "created with insecure_plaintext"), why());
  }

  TEST_CASE("a version 2 PostgreSQL store is migrated: its clear journals stay readable and are indexed") {
    Schema schema;
    const auto header = header_for("C-1", "U-1");
    const Event contact{header.id, instant("2025-01-24T07:00:00Z"), std::nullopt,
                        events::ContactReceived{Channel::phone, phone(), "hello"}};
    {
      auto store = open_store(schema.conninfo(), plaintext());
      REQUIRE(store.append(header, std::vector<Event>{contact}, 0, CaseState::open));
    }
    // Version 2 is the current schema without what versions 3 to 5 added.
    schema.raw().exec("DROP TABLE fix_notices; DROP TABLE root_cause_fixes; DROP TABLE case_policies; DROP TABLE policies; DROP TABLE customer_keys; "
                      "DROP TABLE contact_index; DROP INDEX cases_customer; ALTER TABLE events DROP COLUMN sealed; "
                      "ALTER TABLE outbox DROP COLUMN sealed; DELETE FROM meta WHERE key = 'protection'; "
                      "UPDATE meta SET value = '2' WHERE key = 'schema_version'");
    auto store = open_store(schema.conninfo(), keyed());
    CHECK(schema.raw().scalar("SELECT value FROM meta WHERE key = 'schema_version'") ==
          std::to_string(PgStore::kSchemaVersion));
    CHECK(store.events(header.id).value() == std::vector<Event>{contact});
    CHECK(store.find_open_cases(phone()).value().case_to_attach() == header.id);
    auto done = store.erase(header.customer);
    REQUIRE_MESSAGE(done, why());
    CHECK(done.value().events_rewritten == 1);
    CHECK_FALSE(mentions(dump(schema), kPhone));
    CHECK(store.check_integrity());
  }
}
