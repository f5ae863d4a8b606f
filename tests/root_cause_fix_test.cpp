// A fixed root cause reaches every customer who suffered it: which cases,
// one notice per customer in their locale and contact window, a finding and
// a suggested update on the open cases (<redress/root_cause_fix.hpp>).
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/engine.hpp>
#include <redress/root_cause_fix.hpp>

#include "support/engine_fixture.hpp"
#include "support/test.hpp"

namespace {

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

const char* kTree = R"({
  "categories": [
    {"id": "delivery", "labels": {"en": "Delivery", "zh-Hans": "配送", "zh-Hant": "配送"},
     "children": [
       {"id": "late", "labels": {"en": "Late delivery", "zh-Hans": "配送延误", "zh-Hant": "配送延誤"},
        "aliases": ["物流延误"]},
       {"id": "lost", "labels": {"en": "Lost parcel", "zh-Hans": "包裹丢失", "zh-Hant": "包裹遺失"}}]},
    {"id": "payment", "labels": {"en": "Payment", "zh-Hans": "支付", "zh-Hant": "支付"}}]
})";

ReferencePolicy policy_with(boost::json::object extra = {}) {
  extra["root_causes"] = boost::json::parse(kTree);
  return reference_policy(extra);
}

// What happened to one case: who, what cause, when it was opened, whether
// it was closed (all on the same day), in which language.
struct Story {
  std::string id;
  std::string customer;
  std::string cause;
  std::string opened = "2025-03-03T02:00:00Z";
  bool closed = false;
  std::optional<Locale> locale{};
};

Case play(const Policy& policy, const Story& s) {
  const Instant t0 = at(s.opened);
  auto c = Case::open(CaseId::make(s.id).value(), CustomerId::make(s.customer).value(), Currency::CNY, t0).value();
  std::vector<EventBody> bodies{ev::ContactReceived{Channel::app, std::nullopt, "my parcel is late", s.locale},
                                ev::RootCauseRecorded{RootCause{s.cause, "the carrier missed the slot"}}};
  if (s.closed) {
    bodies.emplace_back(ev::Resolved{"delivered"});
    bodies.emplace_back(ev::SatisfactionConfirmed{Emotion::make(EmotionKind::satisfied, 6).value()});
    bodies.emplace_back(ev::CloseRequested{});
  }
  Instant when = t0;
  for (auto& body : bodies) {
    Event e{c.id(), when, std::nullopt, std::move(body)};
    auto step = apply(c, e, policy, when);
    REQUIRE_MESSAGE(step.has_value(), std::string(last_error_detail()));
    c = std::move(step).value().next;
    when += boost::posix_time::minutes(5);
  }
  if (s.closed) REQUIRE(c.stage() == Stage::closed);
  return c;
}

std::vector<Case> play_all(const Policy& policy, const std::vector<Story>& stories) {
  std::vector<Case> out;
  for (const auto& s : stories) out.push_back(play(policy, s));
  return out;
}

RootCauseFix fix_of(const ReferencePolicy& policy, std::string_view cause, std::string_view when = "2025-03-10T02:00:00Z") {
  auto fix = RootCauseFix::make(cause, "couriers now confirm the slot the day before", at(when), "ops",
                                policy.settings().root_causes);
  REQUIRE_MESSAGE(fix.has_value(), std::string(last_error_detail()));
  return std::move(fix).value();
}

std::vector<std::string> ids(const std::vector<CaseId>& list) {
  std::vector<std::string> out;
  for (const auto& id : list) out.emplace_back(id.str());
  return out;
}

// The local time of day of `t` in Asia/Shanghai (the test calendar's zone).
Duration local_time_of_day(Instant t) { return TimeZone::named("Asia/Shanghai").value().to_civil(t).time_of_day(); }

}  // namespace

TEST_SUITE("root cause fixed") {
  TEST_CASE("a fixed cause reaches each customer once, however many of their cases had it") {
    auto policy = policy_with();
    auto cases = play_all(policy, {{"C-1", "U-1", "delivery.late", "2025-03-03T02:00:00Z"},
                                   {"C-2", "U-1", "物流延误", "2025-03-05T02:00:00Z", true},
                                   {"C-3", "U-2", "delivery.late"},
                                   {"C-4", "U-3", "payment"}});
    auto plan = plan_fix_notices(fix_of(policy, "Late delivery"), cases, policy, at("2025-03-11T03:00:00Z"));
    REQUIRE(plan.has_value());
    CHECK(plan.value().fix.category == "delivery.late");
    CHECK(plan.value().cases == 3);
    REQUIRE(plan.value().notices.size() == 2);
    CHECK(plan.value().notices[0].customer.str() == "U-1");
    CHECK(ids(plan.value().notices[0].cases) == std::vector<std::string>{"C-1", "C-2"});
    CHECK(plan.value().notices[0].case_id.str() == "C-2");  // the latest of their cases
    CHECK(plan.value().notices[1].customer.str() == "U-2");
    CHECK(ids(plan.value().notices[1].cases) == std::vector<std::string>{"C-3"});
    for (const auto& n : plan.value().notices) CHECK(n.text.find(plan.value().fix.note) != std::string::npos);
  }

  TEST_CASE("a case listed twice is counted and told once") {
    auto policy = policy_with();
    auto c = play(policy, {"C-1", "U-1", "delivery.late"});
    std::vector<Case> cases{c, c};
    auto plan = plan_fix_notices(fix_of(policy, "delivery.late"), cases, policy, at("2025-03-11T03:00:00Z")).value();
    CHECK(plan.cases == 1);
    REQUIRE(plan.notices.size() == 1);
    CHECK(plan.notices[0].cases.size() == 1);
    CHECK(plan.open_cases.size() == 1);
  }

  TEST_CASE("closed cases are told only within the policy's window before the fix, open ones always") {
    for (int window : {180, 30}) {
      CAPTURE(window);
      auto policy = policy_with(boost::json::object{{"fix_notice_window_days", window}});
      // Closed 100 and 200 days before the fix; open since 200 days before it.
      auto cases = play_all(policy, {{"C-100", "U-1", "delivery.late", "2024-11-30T02:00:00Z", true},
                                     {"C-200", "U-2", "delivery.late", "2024-08-22T02:00:00Z", true},
                                     {"C-open", "U-3", "delivery.late", "2024-08-22T02:00:00Z"}});
      auto plan = plan_fix_notices(fix_of(policy, "delivery.late"), cases, policy, at("2025-03-11T03:00:00Z")).value();
      std::vector<std::string> told;
      for (const auto& n : plan.notices) told.emplace_back(n.case_id.str());
      if (window == 180) {
        CHECK(told == std::vector<std::string>{"C-100", "C-open"});
      } else {
        CHECK(told == std::vector<std::string>{"C-open"});
      }
    }
  }

  TEST_CASE("a category covers the categories below it, and nothing beside it") {
    auto policy = policy_with();
    auto cases = play_all(policy, {{"C-1", "U-1", "delivery.late"},
                                   {"C-2", "U-2", "delivery.lost"},
                                   {"C-3", "U-3", "payment"}});
    auto plan = plan_fix_notices(fix_of(policy, "delivery"), cases, policy, at("2025-03-11T03:00:00Z")).value();
    CHECK(plan.cases == 2);
    CHECK(has_cause(cases[0], "delivery"));
    CHECK_FALSE(has_cause(cases[0], "delivery.lost"));
    CHECK_FALSE(has_cause(cases[2], "delivery"));
    auto narrow = plan_fix_notices(fix_of(policy, "delivery.lost"), cases, policy, at("2025-03-11T03:00:00Z")).value();
    REQUIRE(narrow.notices.size() == 1);
    CHECK(narrow.notices[0].customer.str() == "U-2");
  }

  TEST_CASE("a case opened after the fix is left out") {
    auto policy = policy_with();
    auto cases = play_all(policy, {{"C-1", "U-1", "delivery.late", "2025-03-12T02:00:00Z"}});
    auto plan = plan_fix_notices(fix_of(policy, "delivery.late", "2025-03-10T02:00:00Z"), cases, policy,
                                 at("2025-03-13T03:00:00Z"))
                    .value();
    CHECK(plan.cases == 0);
    CHECK(plan.notices.empty());
    CHECK(plan.open_cases.empty());
  }

  TEST_CASE("open cases with the fixed cause get a finding and a suggested update in their locale") {
    auto policy = policy_with();
    auto cases = play_all(policy, {{"C-en", "U-1", "delivery.late"},
                                   {"C-zh", "U-2", "delivery.late", "2025-03-03T02:00:00Z", false, Locale::zh_hans},
                                   {"C-closed", "U-3", "delivery.late", "2025-03-03T02:00:00Z", true}});
    const Instant now = at("2025-03-11T03:00:00Z");
    auto plan = plan_fix_notices(fix_of(policy, "delivery.late"), cases, policy, now).value();
    REQUIRE(plan.open_cases.size() == 2);
    const auto& en = plan.open_cases[0];
    const auto& zh = plan.open_cases[1];
    CHECK(en.case_id.str() == "C-en");
    CHECK(zh.case_id.str() == "C-zh");
    for (const auto* o : {&en, &zh}) {
      CHECK(o->finding.code == "root_cause.fixed");
      CHECK(o->finding.severity == Severity::info);
      CHECK(o->finding.at_utc == now);
      CHECK(o->finding.message.find(plan.fix.note) != std::string::npos);
      CHECK(o->suggested_update.find(plan.fix.note) != std::string::npos);
    }
    CHECK(en.suggested_update != zh.suggested_update);
    CHECK(zh.suggested_update.find("修复") != std::string::npos);
    REQUIRE(plan.notices.size() == 3);
    CHECK(plan.notices[0].locale == Locale::en);
    CHECK(plan.notices[1].locale == Locale::zh_hans);
    CHECK(plan.notices[1].text != plan.notices[0].text);
    // The finding is in the engine's list of codes, and the policy may change its severity.
    bool listed = false;
    for (auto code : engine_finding_codes()) listed |= code == "root_cause.fixed";
    CHECK(listed);
    auto strict = policy_with(boost::json::object{{"severities", {{"root_cause.fixed", "warn"}}}});
    auto warned = plan_fix_notices(fix_of(strict, "delivery.late"), play_all(strict, {{"C-1", "U-1", "delivery.late"}}),
                                   strict, now)
                      .value();
    REQUIRE(warned.open_cases.size() == 1);
    CHECK(warned.open_cases[0].finding.severity == Severity::warn);
  }

  TEST_CASE("a notice planned outside the customer's contact window waits for it to open") {
    auto policy = policy_with();
    auto cases = play_all(policy, {{"C-1", "U-1", "delivery.late"}});
    const auto opens = boost::posix_time::hours(10);
    const auto closes = boost::posix_time::hours(20);
    // 21:00 in Shanghai on a Tuesday: after the window has closed.
    const Instant late = at("2025-03-11T13:00:00Z");
    auto plan = plan_fix_notices(fix_of(policy, "delivery.late"), cases, policy, late).value();
    REQUIRE(plan.notices.size() == 1);
    const Instant send = plan.notices[0].send_at_utc;
    CHECK(send > late);
    CHECK(send - late < boost::posix_time::hours(24));
    CHECK(local_time_of_day(send) >= opens);
    CHECK(local_time_of_day(send) < closes);
    // 15:00 in Shanghai: inside the window, sent at once.
    const Instant inside = at("2025-03-11T07:00:00Z");
    auto now_plan = plan_fix_notices(fix_of(policy, "delivery.late"), cases, policy, inside).value();
    CHECK(now_plan.notices[0].send_at_utc == inside);
  }

  TEST_CASE("a fix names a category of the taxonomy, what changed, and when") {
    auto policy = policy_with();
    const auto& tree = policy.settings().root_causes;
    const Instant t = at("2025-03-10T02:00:00Z");
    auto alias = RootCauseFix::make("物流延误", "fixed", t, "", tree);
    REQUIRE(alias.has_value());
    CHECK(alias.value().category == "delivery.late");
    auto unknown = RootCauseFix::make("delivery.lait", "fixed", t, "", tree);
    REQUIRE_FALSE(unknown.has_value());
    CHECK(unknown.error() == errc::invalid_argument);
    CHECK(std::string(last_error_detail()).find("root_cause_fixed.category") != std::string::npos);
    CHECK(std::string(last_error_detail()).find("delivery.late") != std::string::npos);
    CHECK(RootCauseFix::make("delivery.late", "", t, "", tree).error() == errc::invalid_argument);
    CHECK(std::string(last_error_detail()).find("root_cause_fixed.note") != std::string::npos);
    CHECK(RootCauseFix::make("delivery.late", "bad \xff byte", t, "", tree).error() == errc::invalid_argument);
    CHECK(RootCauseFix::make("delivery.late", "fixed", Instant(), "", tree).error() == errc::invalid_argument);
    CHECK(std::string(last_error_detail()).find("root_cause_fixed.fixed_at") != std::string::npos);
    CHECK(RootCauseFix::make("delivery.late", "fixed", t, std::string(129, 'a'), tree).error() ==
          errc::invalid_argument);
    CHECK(std::string(last_error_detail()).find("root_cause_fixed.fixed_by") != std::string::npos);
    auto c = play(policy, {"C-1", "U-1", "delivery.late"});
    CHECK(plan_fix_notices(alias.value(), std::span<const Case>(&c, 1), policy, Instant()).error() ==
          errc::invalid_argument);
  }

  TEST_CASE("the notice window is a policy setting, refused when out of range") {
    CHECK(policy_with().settings().fix_notice_window_days == 180);
    CHECK(policy_with(boost::json::object{{"fix_notice_window_days", 7}}).settings().fix_notice_window_days == 7);
    policy_refused(boost::json::object{{"fix_notice_window_days", -1}}, "fix_notice_window_days");
    policy_refused(boost::json::object{{"fix_notice_window_days", "180"}}, "fix_notice_window_days");
  }

  TEST_CASE("a plan reads as JSON with the fix, the notices and the open cases") {
    auto policy = policy_with();
    auto cases = play_all(policy, {{"C-1", "U-1", "delivery.late"}});
    auto plan = plan_fix_notices(fix_of(policy, "delivery.late"), cases, policy, at("2025-03-11T07:00:00Z")).value();
    auto v = to_json(plan).as_object();
    CHECK(v.at("fix").at("category") == "delivery.late");
    CHECK(v.at("fix").at("fixed_by") == "ops");
    CHECK(v.at("cases") == 1);
    CHECK(v.at("notices").as_array().at(0).at("type") == "notify_fixed");
    CHECK(v.at("notices").as_array().at(0).at("send_at").as_string() == format_instant(plan.notices[0].send_at_utc).c_str());
    CHECK(v.at("open_cases").as_array().at(0).at("finding").at("code") == "root_cause.fixed");
  }
}
