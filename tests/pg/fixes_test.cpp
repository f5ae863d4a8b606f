// Root causes fixed in a PostgreSQL store: the shared contract
// (tests/support/fix_store_contract.hpp), claims racing from many
// connections, the notices sealed, and the migration from version 4.
#include <atomic>
#include <set>
#include <thread>

#include "pg/pg_fixture.hpp"
#include "support/fix_store_contract.hpp"

using namespace redress;
using namespace redress::testing;
using namespace redress::testing::fix_contract;

namespace {

// A new store in a fresh schema; reopen() is another connection to it.
struct PgFixes {
  Schema schema;
  PgStore store = open_store(schema.conninfo());
  PgStore reopen() { return open_store(schema.conninfo()); }
};

}  // namespace

TYPE_TO_STRING_AS("PgStore", PgFixes);
REDRESS_INVOKE_FIX_STORE_CONTRACT("pg_fixes contract", PgFixes);

TEST_CASE("claimers racing on many connections each get different fix notices, and every notice once") {
  Schema schema;
  auto store = open_store(schema.conninfo());
  std::vector<FixNotice> notices;
  for (int i = 0; i < 40; ++i) notices.push_back(notice(fmt::format("U-{:02}", i), fmt::format("C-{:02}", i)));
  auto kept = store.record_fix(fix_at("2025-03-10T02:00:00Z"), notices).value();
  constexpr int kClaimers = 4;
  std::vector<std::vector<std::string>> got(kClaimers);
  std::atomic<bool> failed{false};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kClaimers; ++t) {
      threads.emplace_back([&, t] {
        auto s = PgStore::open(schema.conninfo(), keyed());
        if (!s) {
          failed = true;
          return;
        }
        for (;;) {
          auto batch = s.value().claim_fix_notices(kept.id, at("2025-03-11T02:00:00Z"), 3,
                                                   ClaimerId::make(fmt::format("c{}", t)).value(),
                                                   boost::posix_time::minutes(5));
          if (!batch) {
            failed = true;
            return;
          }
          if (batch.value().empty()) return;
          for (const auto& n : batch.value()) got[static_cast<std::size_t>(t)].push_back(n.id);
        }
      });
    }
  }
  REQUIRE_FALSE(failed.load());
  std::set<std::string> all;
  std::size_t total = 0;
  for (const auto& ids : got) {
    total += ids.size();
    all.insert(ids.begin(), ids.end());
  }
  CHECK(total == 40);
  CHECK(all.size() == 40);
}

TEST_CASE("a fix notice is kept sealed, with the customer's id in clear for erasure") {
  Schema schema;
  auto store = open_store(schema.conninfo());
  std::vector<FixNotice> notices{notice("U-1", "C-1")};
  auto kept = store.record_fix(fix_at("2025-03-10T02:00:00Z"), notices).value();
  auto raw = schema.raw();
  CHECK(raw.scalar("SELECT body_json FROM fix_notices") == "{}");
  CHECK(raw.scalar("SELECT sealed IS NOT NULL FROM fix_notices") == "t");
  CHECK(raw.scalar("SELECT count(*) FROM fix_notices WHERE position('we fixed it' in encode(sealed, 'escape')) > 0") ==
        "0");
  CHECK(raw.scalar("SELECT customer FROM fix_notices") == "U-1");
  auto pending = store.undelivered_fix_notices(kept.id).value();
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].json.find("we fixed it") != std::string::npos);
  // A clear-text store keeps the notice as it is.
  Schema clear;
  auto plain = open_store(clear.conninfo(), plaintext());
  REQUIRE(plain.record_fix(fix_at("2025-03-10T02:00:00Z"), notices));
  CHECK(clear.raw().scalar("SELECT body_json FROM fix_notices").find("we fixed it") != std::string::npos);
}

TEST_CASE("a version 4 PostgreSQL store is migrated on open and keeps fixes from then on") {
  Schema schema;
  { auto store = open_store(schema.conninfo()); }
  // Version 4 is the current schema without what version 5 added.
  schema.raw().exec("DROP TABLE fix_notices; DROP TABLE root_cause_fixes; "
                    "UPDATE meta SET value = '4' WHERE key = 'schema_version'");
  auto store = open_store(schema.conninfo());
  CHECK(schema.raw().scalar("SELECT value FROM meta WHERE key = 'schema_version'") ==
        std::to_string(PgStore::kSchemaVersion));
  CHECK(store.fixes().value().empty());
  std::vector<FixNotice> notices{notice("U-1", "C-1")};
  auto kept = store.record_fix(fix_at("2025-03-10T02:00:00Z"), notices);
  REQUIRE_MESSAGE(kept, std::string(last_error_detail()));
  CHECK(kept.value().customers == 1);
}
