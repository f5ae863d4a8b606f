// The policy versions a PostgreSQL store keeps, the version each case was
// opened under, and restoring a case under them.
#include "pg/pg_fixture.hpp"
#include "support/engine_fixture.hpp"

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

namespace {

ReferencePolicy version(std::string_view v, std::string_view update_interval) {
  return reference_policy({{"id", "shop"}, {"version", v}, {"update_interval", update_interval}});
}

// Applies `body` at `when` to `c` under `policy` and appends the event.
void record(PgStore& store, Case& c, const Policy& policy, std::string_view when, EventBody body) {
  Event e{c.id(), at(when), std::nullopt, std::move(body)};
  auto step = apply(c, e, policy, e.at_utc);
  REQUIRE_MESSAGE(step, std::string(last_error_detail()));
  std::vector<Event> batch{e};
  REQUIRE(store.append(CaseHeader::of(c), batch, c.events_applied(), state_of(step.value().next)));
  c = step.value().next;
}

const FollowUp* update_due(const Case& c) {
  for (const auto& f : c.pending_follow_ups()) {
    if (f.kind == FollowUpKind::update) return &f;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a PostgreSQL store keeps each policy version once, and refuses another document under a kept hash") {
  Schema schema;
  auto store = open_store(schema.conninfo());
  auto v1 = version("1", "PT20M");
  auto v2 = version("2", "PT30M");
  REQUIRE(store.keep_policy(v1.ref(), v1.canonical_json()));
  REQUIRE(store.keep_policy(v1.ref(), v1.canonical_json()));
  REQUIRE(store.keep_policy(v2.ref(), v2.canonical_json()));
  auto kept = store.policies();
  REQUIRE(kept);
  REQUIRE(kept.value().size() == 2);
  CHECK(kept.value()[0] == v1.ref());
  CHECK(kept.value()[1] == v2.ref());
  CHECK(store.policy_document(v2.ref().hash).value() == v2.canonical_json());
  CHECK_FALSE(store.policy_document("0000").value());
  auto other = store.keep_policy(v1.ref(), v2.canonical_json());
  REQUIRE_FALSE(other);
  CHECK(other.error() == errc::store_conflict);
  CHECK_FALSE(store.keep_policy(PolicyRef{"shop", "3", ""}, "{}"));
}

TEST_CASE("in PostgreSQL, a case's first pin stands, and a pin names a kept version") {
  Schema schema;
  auto store = open_store(schema.conninfo());
  auto v1 = version("1", "PT20M");
  auto v2 = version("2", "PT30M");
  REQUIRE(store.keep_policy(v1.ref(), v1.canonical_json()));
  CHECK_FALSE(store.pin_policy(case_id(), v2.ref().hash));
  REQUIRE(store.keep_policy(v2.ref(), v2.canonical_json()));
  CHECK_FALSE(store.pinned_policy(case_id()).value());
  REQUIRE(store.pin_policy(case_id(), v1.ref().hash));
  REQUIRE(store.pin_policy(case_id(), v2.ref().hash));
  CHECK(store.pinned_policy(case_id()).value() == v1.ref());
}

TEST_CASE("a case in PostgreSQL restores under its pinned version, and under the named one after a policy_moved") {
  Schema schema;
  auto store = open_store(schema.conninfo());
  auto v1 = version("1", "PT20M");
  auto v2 = version("2", "PT30M");
  REQUIRE(store.keep_policy(v1.ref(), v1.canonical_json()));
  REQUIRE(store.keep_policy(v2.ref(), v2.canonical_json()));
  Case c = new_case();
  record(store, c, v1, "2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "hello"});
  REQUIRE(store.pin_policy(c.id(), v1.ref().hash));

  // Told to use v2, restore() decides under v2; restore_pinned() under the pinned v1.
  auto told = restore(store, c.id(), v2).value();
  CHECK(update_due(*told)->due_at_utc == at("2025-01-24T07:30:00Z"));
  auto pinned = restore_pinned(store, c.id(), v2);
  REQUIRE_MESSAGE(pinned, std::string(last_error_detail()));
  CHECK(*pinned.value() == c);
  CHECK(update_due(*pinned.value())->due_at_utc == at("2025-01-24T07:20:00Z"));

  // Moved to v2: the events after the move are decided under v2.
  record(store, c, v2, "2025-01-24T07:05:00Z", ev::PolicyMoved{v2.ref()});
  record(store, c, v2, "2025-01-24T07:06:00Z", ev::ProgressUpdateSent{"on it"});
  CHECK(update_due(c)->due_at_utc == at("2025-01-24T07:36:00Z"));
  auto after_move = restore_pinned(store, c.id(), v1);
  REQUIRE_MESSAGE(after_move, std::string(last_error_detail()));
  CHECK(*after_move.value() == c);
}

TEST_CASE("a version 3 PostgreSQL store is migrated on open: its cases have no pin and restore under the given policy") {
  Schema schema;
  auto v1 = version("1", "PT20M");
  Case c = new_case();
  {
    auto store = open_store(schema.conninfo());
    record(store, c, v1, "2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "hello"});
  }
  // Version 3 is the current schema without what version 4 added.
  schema.raw().exec("DROP TABLE case_policies; DROP TABLE policies; "
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
