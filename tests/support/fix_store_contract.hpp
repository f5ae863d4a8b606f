// What every store that keeps root-cause fixes (JournalStore::record_fix and
// the notices) must do, written once and run against each store, as the
// store contract (store_contract.hpp) is:
//
//   struct Fixture {
//     Store store;          // a new, empty store
//     Store reopen();       // another connection to the same store
//   };
//   TYPE_TO_STRING_AS("SqliteStore", Fixture);
//   REDRESS_INVOKE_FIX_STORE_CONTRACT("sqlite fixes", Fixture);
//
// Migrations stay in each store's own test file.
#ifndef REDRESS_TESTS_SUPPORT_FIX_STORE_CONTRACT_HPP
#define REDRESS_TESTS_SUPPORT_FIX_STORE_CONTRACT_HPP

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <redress/root_cause_fix.hpp>
#include <redress/store.hpp>

#include "support/engine_fixture.hpp"
#include "support/store_rows.hpp"
#include "support/test.hpp"

namespace redress::testing::fix_contract {

namespace ev = redress::events;

inline RootCauseFix fix_at(std::string_view when, std::string_view category = "delivery.late") {
  return RootCauseFix{std::string(category), "couriers now confirm the slot", at(when), "ops"};
}

inline FixNotice notice(std::string_view customer, std::string_view case_id) {
  return FixNotice{CustomerId::make(customer).value(), CaseId::make(case_id).value(), {CaseId::make(case_id).value()},
                   Locale::en, "we fixed it", at("2025-03-11T02:00:00Z")};
}

// Applies each body to a new case of `customer` under `policy`, a minute
// apart from `opened`, and appends the events.
inline Case record(JournalStore& store, const Policy& policy, std::string_view id, std::string_view customer,
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

inline std::vector<EventBody> late_parcel(std::string_view cause = "delivery.late") {
  return {ev::ContactReceived{Channel::app, std::nullopt, "where is my parcel"},
          ev::RootCauseRecorded{RootCause{std::string(cause), "the carrier missed the slot"}}};
}

inline std::set<std::string> ids_of(const std::vector<StoredFixNotice>& notices) {
  std::set<std::string> out;
  for (const auto& n : notices) out.insert(n.id);
  return out;
}

  TEST_CASE_TEMPLATE_DEFINE("a fix and its notices are kept once per customer, and a retry adds nothing", T, fix_kept_once) {
    T fx;
    auto& store = fx.store;
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
    CHECK(pending[0].fix_id == kept.value().id);
    CHECK(pending[0].json.find("\"type\":\"notify_fixed\"") != std::string::npos);
    CHECK(pending[0].json.find("we fixed it") != std::string::npos);

    // The same cause fixed again later is another fix.
    auto later = store.record_fix(fix_at("2025-06-01T02:00:00Z"), first).value();
    CHECK(later.id != kept.value().id);
    auto all = store.fixes().value();
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == kept.value().id);
    CHECK(all[1].id == later.id);
  }

  TEST_CASE_TEMPLATE_DEFINE("notices are delivered until marked, and the fix counts the customers told", T, fix_delivered_until_marked) {
    T fx;
    auto& store = fx.store;
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
    auto other = fx.reopen();
    CHECK(other.fixes().value() == fixes);
    CHECK(other.undelivered_fix_notices(kept.id).value() == left);
  }

  TEST_CASE_TEMPLATE_DEFINE("a fix the library would refuse is refused by the store, which keeps nothing", T, fix_refused) {
    T fx;
    auto& store = fx.store;
    auto empty_note = fix_at("2025-03-10T02:00:00Z");
    empty_note.note.clear();
    CHECK(store.record_fix(empty_note, {}).error() == errc::invalid_argument);
    CHECK(std::string(last_error_detail()).find("note") != std::string::npos);
    std::vector<FixNotice> bad{notice("U-1", "C-1")};
    bad[0].send_at_utc = Instant();
    CHECK(store.record_fix(fix_at("2025-03-10T02:00:00Z"), bad).error() == errc::invalid_argument);
    CHECK(std::string(last_error_detail()).find("notices[0].send_at") != std::string::npos);
    CHECK(store.fixes().value().empty());
  }

  TEST_CASE_TEMPLATE_DEFINE("notify_fixed finds the store's cases with the cause and tells each customer once", T, fix_notify_fixed) {
    T fx;
    auto& store = fx.store;
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

  TEST_CASE_TEMPLATE_DEFINE("erasing a customer drops their undelivered fix notices, delivered ones still count as told", T, fix_erase) {
    T fx;
    auto& store = fx.store;
    std::vector<FixNotice> notices{notice("U-1", "C-1"), notice("U-2", "C-2")};
    auto kept = store.record_fix(fix_at("2025-03-10T02:00:00Z"), notices).value();
    REQUIRE(store.deliver_fix_notice(fmt::format("fix-{}.U-2", kept.id)).value());
    REQUIRE(store.erase(CustomerId::make("U-1").value()));
    CHECK(store.undelivered_fix_notices(kept.id).value().empty());
    CHECK(store.claim_fix_notices(0, at("2025-03-11T02:00:00Z"), 10, claimer("a"), boost::posix_time::minutes(5))
              .value()
              .empty());
    auto fixes = store.fixes().value();
    REQUIRE(fixes.size() == 1);
    CHECK(fixes[0].customers == 1);
    CHECK(fixes[0].told == 1);
  }

  TEST_CASE_TEMPLATE_DEFINE("two claimers never get the same fix notice within the lease, and one never acknowledged comes back after it", T, fix_claim_lease) {
    T fx;
    auto& store = fx.store;
    auto other = fx.reopen();
    std::vector<FixNotice> notices{notice("U-1", "C-1"), notice("U-2", "C-2"), notice("U-3", "C-3")};
    auto kept = store.record_fix(fix_at("2025-03-10T02:00:00Z"), notices).value();
    const auto now = at("2025-03-11T02:00:00Z");
    const auto lease = boost::posix_time::minutes(5);

    auto a = store.claim_fix_notices(kept.id, now, 2, claimer("a"), lease);
    REQUIRE_MESSAGE(a, std::string(last_error_detail()));
    REQUIRE(a.value().size() == 2);
    CHECK(a.value()[0].customer.str() == "U-1");
    CHECK(a.value()[1].customer.str() == "U-2");
    CHECK(a.value()[0].lease_until_utc == now + lease);
    CHECK(a.value()[0].json.find("we fixed it") != std::string::npos);
    auto b = other.claim_fix_notices(kept.id, now + boost::posix_time::minutes(1), 10, claimer("b"), lease).value();
    REQUIRE(b.size() == 1);
    CHECK(b[0].customer.str() == "U-3");
    CHECK(store.claim_fix_notices(0, now + boost::posix_time::minutes(4), 10, claimer("c"), lease).value().empty());

    // "a" delivers U-1 and stops before U-2; "b" delivers U-3.
    REQUIRE(store.deliver_fix_notice(a.value()[0].id).value());
    REQUIRE(other.deliver_fix_notice(b[0].id).value());
    // Once a's lease has ended, U-2 is claimed (and delivered) again; nothing else is.
    auto again = other.claim_fix_notices(kept.id, now + lease, 10, claimer("b"), lease).value();
    REQUIRE(again.size() == 1);
    CHECK(again[0].id == a.value()[1].id);
    CHECK(again[0].json == a.value()[1].json);
    CHECK(other.deliver_fix_notice(again[0].id).value());
    CHECK(store.claim_fix_notices(0, now + lease * 3, 10, claimer("a"), lease).value().empty());
    CHECK(store.fixes().value()[0].told == 3);
  }

  TEST_CASE_TEMPLATE_DEFINE("claims taken one at a time from two connections never overlap, over every fix", T, fix_claim_alternating) {
    T fx;
    auto& store = fx.store;
    auto other = fx.reopen();
    std::vector<FixNotice> notices{notice("U-1", "C-1"), notice("U-2", "C-2"), notice("U-3", "C-3")};
    auto first = store.record_fix(fix_at("2025-03-10T02:00:00Z"), notices).value();
    auto second = store.record_fix(fix_at("2025-03-10T02:00:00Z", "payment"), notices).value();
    const auto now = at("2025-03-11T02:00:00Z");
    std::vector<StoredFixNotice> claimed;
    for (int i = 0; i < 4; ++i) {
      for (JournalStore* s : {static_cast<JournalStore*>(&store), static_cast<JournalStore*>(&other)}) {
        auto got = s->claim_fix_notices(0, now, 1, claimer(s == &store ? "a" : "b"), boost::posix_time::minutes(5));
        REQUIRE_MESSAGE(got, std::string(last_error_detail()));
        claimed.insert(claimed.end(), got.value().begin(), got.value().end());
      }
    }
    REQUIRE(claimed.size() == 6);
    CHECK(ids_of(claimed).size() == 6);
    CHECK(claimed.front().fix_id == first.id);
    CHECK(claimed.back().fix_id == second.id);
  }

  TEST_CASE_TEMPLATE_DEFINE("a claim of fix notices is refused with the field that is wrong", T, fix_claim_refused) {
    T fx;
    auto& store = fx.store;
    const auto now = at("2025-03-11T02:00:00Z");
    const auto lease = boost::posix_time::minutes(5);
    CHECK(store.claim_fix_notices(-1, now, 1, claimer("a"), lease).error() == errc::invalid_argument);
    CHECK(std::string(last_error_detail()).find("fix_id") != std::string::npos);
    CHECK(store.claim_fix_notices(0, Instant(), 1, claimer("a"), lease).error() == errc::invalid_argument);
    CHECK(std::string(last_error_detail()).find("now_utc") != std::string::npos);
    CHECK(store.claim_fix_notices(0, now, 0, claimer("a"), lease).error() == errc::invalid_argument);
    CHECK(std::string(last_error_detail()).find("max_count") != std::string::npos);
    CHECK(store.claim_fix_notices(0, now, 1, claimer("a"), boost::posix_time::seconds(0)).error() ==
          errc::invalid_argument);
    CHECK(std::string(last_error_detail()).find("lease") != std::string::npos);
  }

}  // namespace redress::testing::fix_contract

#define REDRESS_INVOKE_FIX_STORE_CONTRACT(suite, Fixture)          \
  TEST_SUITE_BEGIN(suite);                                         \
  namespace redress::testing::fix_contract {                       \
  TEST_CASE_TEMPLATE_INVOKE(fix_kept_once, Fixture);               \
  TEST_CASE_TEMPLATE_INVOKE(fix_delivered_until_marked, Fixture);  \
  TEST_CASE_TEMPLATE_INVOKE(fix_refused, Fixture);                 \
  TEST_CASE_TEMPLATE_INVOKE(fix_notify_fixed, Fixture);            \
  TEST_CASE_TEMPLATE_INVOKE(fix_erase, Fixture);                   \
  TEST_CASE_TEMPLATE_INVOKE(fix_claim_lease, Fixture);             \
  TEST_CASE_TEMPLATE_INVOKE(fix_claim_alternating, Fixture);       \
  TEST_CASE_TEMPLATE_INVOKE(fix_claim_refused, Fixture);           \
  }                                                                \
  TEST_SUITE_END()

#endif  // REDRESS_TESTS_SUPPORT_FIX_STORE_CONTRACT_HPP
