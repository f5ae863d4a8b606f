// The policy versions a SQLite store keeps, the version each case was opened
// under, and restoring a case under them.
#include <redress/sqlite_store.hpp>

#include "sqlite/sqlite_fixture.hpp"
#include "support/engine_fixture.hpp"

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

namespace {

SqliteStore open_store(const std::string& path) {
  auto s = SqliteStore::open(path, redress::testing::keyed());
  REQUIRE_MESSAGE(s.has_value(), std::string(last_error_detail()));
  return std::move(s).value();
}

ReferencePolicy version(std::string_view v, std::string_view update_interval) {
  return reference_policy({{"id", "shop"}, {"version", v}, {"update_interval", update_interval}});
}

// Applies `body` at `when` to `c` under `policy` and appends the event.
void record(SqliteStore& store, Case& c, const Policy& policy, std::string_view when, EventBody body) {
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

TEST_CASE("a store keeps each policy version once, and refuses another document under a kept hash") {
  TempDir dir;
  auto store = open_store(dir.file("cases.db"));
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

TEST_CASE("a case's first pin stands, and a pin names a kept version") {
  TempDir dir;
  auto store = open_store(dir.file("cases.db"));
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

TEST_CASE("a case restores under its pinned version, and under the named one after a policy_moved") {
  TempDir dir;
  auto store = open_store(dir.file("cases.db"));
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
