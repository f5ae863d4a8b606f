// The policy versions a SQLite store keeps, the version each case was opened
// under, and restoring a case under them: the shared contract
// (tests/support/policy_store_contract.hpp) and the migration.
#include <redress/sqlite_store.hpp>

#include "sqlite/sqlite_fixture.hpp"
#include "support/policy_store_contract.hpp"

using namespace redress;
using namespace redress::testing;
using namespace redress::testing::policy_contract;

namespace {

SqliteStore open_store(const std::string& path) {
  auto s = SqliteStore::open(path, redress::testing::keyed());
  REQUIRE_MESSAGE(s.has_value(), std::string(last_error_detail()));
  return std::move(s).value();
}

// A new store in a scratch directory.
struct SqlitePolicies {
  TempDir dir;
  SqliteStore store = open_store(dir.file("cases.db"));
};

}  // namespace

TYPE_TO_STRING_AS("SqliteStore", SqlitePolicies);
REDRESS_INVOKE_POLICY_STORE_CONTRACT("sqlite_policies contract", SqlitePolicies);

TEST_CASE("a version 4 store is migrated on open: its cases have no pin and restore under the given policy") {
  TempDir dir;
  const auto path = dir.file("cases.db");
  auto v1 = version("1", "PT20M");
  Case c = new_case();
  {
    auto store = open_store(path);
    record(store, c, v1, "2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "hello"});
  }
  // Version 5 is the current file without what versions 6 and 7 added.
  raw_exec(path, "DROP TABLE fix_notices; DROP TABLE root_cause_fixes; DROP TABLE case_policies; DROP TABLE policies; "
                 "UPDATE meta SET value = 5 WHERE key = 'schema_version';");
  auto store = open_store(path);
  CHECK_FALSE(store.pinned_policy(c.id()).value());
  CHECK(store.policies().value().empty());
  auto restored = restore_pinned(store, c.id(), v1);
  REQUIRE_MESSAGE(restored, std::string(last_error_detail()));
  CHECK(*restored.value() == c);
  REQUIRE(store.keep_policy(v1.ref(), v1.canonical_json()));
}
