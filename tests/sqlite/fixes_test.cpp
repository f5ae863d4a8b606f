// Root causes fixed in a SQLite store: the shared contract
// (tests/support/fix_store_contract.hpp: the fix and its notices kept once
// per customer, delivered until marked, claimed under a lease, and
// notify_fixed() over the store's cases) and the migration to claims.
#include <redress/sqlite_store.hpp>

#include "sqlite/sqlite_fixture.hpp"
#include "support/fix_store_contract.hpp"

using namespace redress;
using namespace redress::testing;
using namespace redress::testing::fix_contract;

namespace {

SqliteStore open_store(const std::string& path) {
  auto s = SqliteStore::open(path, redress::testing::keyed());
  REQUIRE_MESSAGE(s.has_value(), std::string(last_error_detail()));
  return std::move(s).value();
}

// A new store in a scratch directory; reopen() is another connection to it.
struct SqliteFixes {
  TempDir dir;
  SqliteStore store = open_store(dir.file("cases.db"));
  SqliteStore reopen() { return open_store(dir.file("cases.db")); }
};

}  // namespace

TYPE_TO_STRING_AS("SqliteStore", SqliteFixes);
REDRESS_INVOKE_FIX_STORE_CONTRACT("sqlite fixes contract", SqliteFixes);

TEST_CASE("a version 7 store is migrated on open: its undelivered fix notices can be claimed") {
  TempDir dir;
  const auto path = dir.file("cases.db");
  std::int64_t fix_id = 0;
  {
    auto store = open_store(path);
    std::vector<FixNotice> notices{notice("U-1", "C-1")};
    fix_id = store.record_fix(fix_at("2025-03-10T02:00:00Z"), notices).value().id;
  }
  // Version 7 is the current schema without the claims version 8 added.
  raw_exec(path, "ALTER TABLE fix_notices DROP COLUMN claimed_until_us; "
                 "UPDATE meta SET value = 7 WHERE key = 'schema_version'");
  auto store = open_store(path);
  auto claimed = store.claim_fix_notices(fix_id, at("2025-03-11T02:00:00Z"), 10, claimer("a"),
                                         boost::posix_time::minutes(5));
  REQUIRE_MESSAGE(claimed, std::string(last_error_detail()));
  REQUIRE(claimed.value().size() == 1);
  CHECK(claimed.value()[0].customer.str() == "U-1");
}
