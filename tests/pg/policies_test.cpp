// The policy versions a PostgreSQL store keeps, the version each case was
// opened under, restoring a case under them, and prior spend from its
// journals: the shared contract (tests/support/policy_store_contract.hpp),
// a version another process kept first, and the migration.
#include "pg/pg_fixture.hpp"
#include "support/policy_store_contract.hpp"

using namespace redress;
using namespace redress::testing;
using namespace redress::testing::policy_contract;

namespace {

// A new store in a fresh schema.
struct PgPolicies {
  Schema schema;
  PgStore store = open_store(schema.conninfo());
};

}  // namespace

TYPE_TO_STRING_AS("PgStore", PgPolicies);
REDRESS_INVOKE_POLICY_STORE_CONTRACT("pg_policies contract", PgPolicies);

TEST_CASE("a version 3 PostgreSQL store is migrated on open: its cases have no pin and restore under the given policy") {
  Schema schema;
  auto v1 = version("1", "PT20M");
  Case c = new_case();
  {
    auto store = open_store(schema.conninfo());
    record(store, c, v1, "2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "hello"});
  }
  // Version 3 is the current schema without what versions 4 and 5 added.
  schema.raw().exec("DROP TABLE fix_notices; DROP TABLE root_cause_fixes; DROP TABLE case_policies; DROP TABLE policies; "
                    "UPDATE meta SET value = '3' WHERE key = 'schema_version'");
  auto store = open_store(schema.conninfo());
  CHECK_FALSE(store.pinned_policy(c.id()).value());
  CHECK(store.policies().value().empty());
  auto restored = restore_pinned(store, c.id(), v1);
  REQUIRE_MESSAGE(restored, std::string(last_error_detail()));
  CHECK(*restored.value() == c);
  REQUIRE(store.keep_policy(v1.ref(), v1.canonical_json()));
  REQUIRE(store.pin_policy(c.id(), v1.ref().hash));
  CHECK(store.pinned_policy(c.id()).value() == v1.ref());
}

TEST_CASE("a policy version another process kept first is kept once, and keeping it again succeeds") {
  Schema schema;
  auto store = open_store(schema.conninfo());
  auto v1 = version("1", "PT20M");
  auto v2 = version("2", "PT30M");
  schema.raw().exec("INSERT INTO policies (hash, id, version, document) VALUES ('" + v1.ref().hash +
                    "', 'shop', '1', $doc$" + v1.canonical_json() + "$doc$)");
  REQUIRE_MESSAGE(store.keep_policy(v1.ref(), v1.canonical_json()), std::string(last_error_detail()));
  REQUIRE(store.keep_policy(v2.ref(), v2.canonical_json()));
  CHECK(store.policies().value() == std::vector<PolicyRef>{v1.ref(), v2.ref()});
  CHECK_FALSE(store.keep_policy(v1.ref(), v2.canonical_json()));
}
