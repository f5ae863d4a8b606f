// Root causes fixed in a SQLite store: the fix and its notices kept once per
// customer, delivered until marked, and notify_fixed() over the store's cases.
#include <redress/sqlite_store.hpp>

#include <fmt/format.h>

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

RootCauseFix fix_at(std::string_view when, std::string_view category = "delivery.late") {
  return RootCauseFix{std::string(category), "couriers now confirm the slot", at(when), "ops"};
}

FixNotice notice(std::string_view customer, std::string_view case_id) {
  return FixNotice{CustomerId::make(customer).value(), CaseId::make(case_id).value(), {CaseId::make(case_id).value()},
                   Locale::en, "we fixed it", at("2025-03-11T02:00:00Z")};
}

// Applies each body to a new case of `customer` under `policy`, a minute
// apart from `opened`, and appends the events.
Case record(SqliteStore& store, const Policy& policy, std::string_view id, std::string_view customer,
            std::string_view opened, std::vector<EventBody> bodies) {
  Case c = Case::open(CaseId::make(id).value(), CustomerId::make(customer).value(), Currency::CNY, at(opened)).value();
  Instant when = at(opened);
  for (auto& body : bodies) {
    Event e{c.id(), when, std::nullopt, std::move(body)};
    auto step = apply(c, e, policy, when);
    REQUIRE_MESSAGE(step, std::string(last_error_detail()));
    std::vector<Event> batch{e};
    REQUIRE(store.append(CaseHeader::of(c), batch, c.events_applied(), state_of(step.value().next)));
    c = step.value().next;
    when += boost::posix_time::minutes(1);
  }
  return c;
}

std::vector<EventBody> late_parcel(std::string_view cause = "delivery.late") {
  return {ev::ContactReceived{Channel::app, std::nullopt, "where is my parcel"},
          ev::RootCauseRecorded{RootCause{std::string(cause), "the carrier missed the slot"}}};
}

}  // namespace

TEST_SUITE("sqlite root causes fixed") {
  TEST_CASE("a fix and its notices are kept once per customer, and a retry adds nothing") {
    TempDir dir;
    auto store = open_store(dir.file("cases.db"));
    CHECK(store.fixes().value().empty());
    std::vector<FixNotice> first{notice("U-1", "C-1"), notice("U-2", "C-2")};
    auto kept = store.record_fix(fix_at("2025-03-10T02:00:00Z"), first);
    REQUIRE_MESSAGE(kept, std::string(last_error_detail()));
    CHECK(kept.value().id >= 1);
    CHECK(kept.value().customers == 2);
    CHECK(kept.value().told == 0);
    CHECK(kept.value().fix == fix_at("2025-03-10T02:00:00Z"));

    // The same fix again, with U-1 on another case and a new customer: U-1 keeps their notice.
    std::vector<FixNotice> again{notice("U-1", "C-9"), notice("U-3", "C-3")};
    auto retry = store.record_fix(fix_at("2025-03-10T02:00:00Z"), again);
    REQUIRE(retry);
    CHECK(retry.value().id == kept.value().id);
    CHECK(retry.value().customers == 3);
    auto pending = store.undelivered_fix_notices(kept.value().id).value();
    REQUIRE(pending.size() == 3);
    CHECK(pending[0].customer.str() == "U-1");
    CHECK(pending[0].case_id.str() == "C-1");
    CHECK(pending[0].id == fmt::format("fix-{}.U-1", kept.value().id));
    CHECK(pending[0].json.find("\"type\":\"notify_fixed\"") != std::string::npos);

    // The same cause fixed again later is another fix.
    auto later = store.record_fix(fix_at("2025-06-01T02:00:00Z"), first).value();
    CHECK(later.id != kept.value().id);
    auto all = store.fixes().value();
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == kept.value().id);
    CHECK(all[1].id == later.id);
  }

  TEST_CASE("notices are delivered until marked, and the fix counts the customers told") {
    TempDir dir;
    auto store = open_store(dir.file("cases.db"));
    std::vector<FixNotice> notices{notice("U-1", "C-1"), notice("U-2", "C-2")};
    auto kept = store.record_fix(fix_at("2025-03-10T02:00:00Z"), notices).value();
    auto pending = store.undelivered_fix_notices(kept.id).value();
    REQUIRE(pending.size() == 2);
    CHECK(store.deliver_fix_notice(pending[0].id).value());
    CHECK_FALSE(store.deliver_fix_notice(pending[0].id).value());
    CHECK_FALSE(store.deliver_fix_notice("fix-99.U-1").value());
    CHECK(store.deliver_fix_notice("").error() == errc::invalid_argument);
    auto left = store.undelivered_fix_notices(kept.id).value();
    REQUIRE(left.size() == 1);
    CHECK(left[0].customer.str() == "U-2");
    auto fixes = store.fixes().value();
    REQUIRE(fixes.size() == 1);
    CHECK(fixes[0].customers == 2);
    CHECK(fixes[0].told == 1);
    // Another connection sees the same.
    auto other = open_store(dir.file("cases.db"));
    CHECK(other.fixes().value() == fixes);
  }

  TEST_CASE("a fix the library would refuse is refused by the store, which keeps nothing") {
    TempDir dir;
    auto store = open_store(dir.file("cases.db"));
    auto empty_note = fix_at("2025-03-10T02:00:00Z");
    empty_note.note.clear();
    CHECK(store.record_fix(empty_note, {}).error() == errc::invalid_argument);
    CHECK(std::string(last_error_detail()).find("note") != std::string::npos);
    std::vector<FixNotice> bad{notice("U-1", "C-1")};
    bad[0].send_at_utc = Instant();
    CHECK(store.record_fix(fix_at("2025-03-10T02:00:00Z"), bad).error() == errc::invalid_argument);
    CHECK(store.fixes().value().empty());
  }

  TEST_CASE("notify_fixed finds the store's cases with the cause and tells each customer once") {
    TempDir dir;
    auto store = open_store(dir.file("cases.db"));
    auto policy = reference_policy();
    record(store, policy, "C-1", "U-1", "2025-03-03T02:00:00Z", late_parcel());
    record(store, policy, "C-2", "U-1", "2025-03-04T02:00:00Z", late_parcel());
    record(store, policy, "C-3", "U-2", "2025-03-05T02:00:00Z", late_parcel());
    record(store, policy, "C-4", "U-3", "2025-03-05T02:00:00Z", late_parcel("payment"));
    const auto fix = fix_at("2025-03-10T02:00:00Z");
    auto run = notify_fixed(store, fix, policy, at("2025-03-11T03:00:00Z"));
    REQUIRE_MESSAGE(run, std::string(last_error_detail()));
    CHECK(run.value().plan.cases == 3);
    CHECK(run.value().plan.open_cases.size() == 3);
    REQUIRE(run.value().plan.notices.size() == 2);
    CHECK(run.value().recorded.customers == 2);
    auto pending = store.undelivered_fix_notices(run.value().recorded.id).value();
    REQUIRE(pending.size() == 2);
    CHECK(pending[0].case_id.str() == "C-2");
    CHECK(pending[1].case_id.str() == "C-3");
    for (const auto& n : pending) REQUIRE(store.deliver_fix_notice(n.id).value());

    // Run again: nobody is told twice.
    auto again = notify_fixed(store, fix, policy, at("2025-03-12T03:00:00Z")).value();
    CHECK(again.recorded.id == run.value().recorded.id);
    CHECK(again.recorded.customers == 2);
    CHECK(again.recorded.told == 2);
    CHECK(store.undelivered_fix_notices(again.recorded.id).value().empty());
  }

  TEST_CASE("erasing a customer drops their undelivered fix notices, delivered ones still count as told") {
    TempDir dir;
    auto store = open_store(dir.file("cases.db"));
    std::vector<FixNotice> notices{notice("U-1", "C-1"), notice("U-2", "C-2")};
    auto kept = store.record_fix(fix_at("2025-03-10T02:00:00Z"), notices).value();
    REQUIRE(store.deliver_fix_notice(fmt::format("fix-{}.U-2", kept.id)).value());
    REQUIRE(store.erase(CustomerId::make("U-1").value()));
    CHECK(store.undelivered_fix_notices(kept.id).value().empty());
    auto fixes = store.fixes().value();
    REQUIRE(fixes.size() == 1);
    CHECK(fixes[0].customers == 1);
    CHECK(fixes[0].told == 1);
  }
}
