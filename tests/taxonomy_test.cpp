// The policy's root-cause taxonomy: what it accepts, what it refuses and
// names instead, how it rolls causes up, and the engine and analytics using it.
#include <map>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/analytics.hpp>
#include <redress/engine.hpp>
#include <redress/taxonomy.hpp>

#include "support/engine_fixture.hpp"
#include "support/test.hpp"

namespace {

using namespace redress;
using namespace redress::testing;

const char* kTree = R"({
  "allow_other": false,
  "categories": [
    {"id": "delivery", "labels": {"en": "Delivery", "zh-Hans": "配送", "zh-Hant": "配送"}, "aliases": ["logistics"],
     "children": [
       {"id": "late", "labels": {"en": "Late delivery", "zh-Hans": "配送延误", "zh-Hant": "配送延誤"},
        "aliases": ["物流延误", "delivery-late"]},
       {"id": "lost", "labels": {"en": "Lost parcel", "zh-Hans": "包裹丢失", "zh-Hant": "包裹遺失"}}]},
    {"id": "payment", "labels": {"en": "Payment", "zh-Hans": "支付", "zh-Hant": "支付"},
     "children": [
       {"id": "duplicate", "labels": {"en": "Duplicate charge", "zh-Hans": "重复扣款", "zh-Hant": "重複扣款"}}]}]
})";

boost::json::value tree(bool allow_other = false) {
  auto v = boost::json::parse(kTree);
  v.as_object()["allow_other"] = allow_other;
  return v;
}

CauseTaxonomy taxonomy(bool allow_other = false) {
  auto t = CauseTaxonomy::from_json(tree(allow_other));
  REQUIRE_MESSAGE(t.has_value(), std::string(last_error_detail()));
  return std::move(t).value();
}

}  // namespace

TEST_CASE("three spellings of one cause resolve to one category") {
  auto t = taxonomy();
  CHECK(t.resolve("delivery.late").value() == "delivery.late");
  CHECK(t.resolve("Delivery late").value() == "delivery.late");
  CHECK(t.resolve("delivery-late").value() == "delivery.late");
  CHECK(t.resolve("物流延误").value() == "delivery.late");
  CHECK(t.resolve("配送延誤").value() == "delivery.late");  // the Traditional label
  CHECK(t.resolve("LOGISTICS").value() == "delivery");
  CHECK(t.depth() == 1);
}

TEST_CASE("an unknown category is refused with the nearest categories named, not the text") {
  auto t = taxonomy();
  auto r = t.resolve("delivery.lait");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error() == errc::invalid_argument);
  const std::string detail(last_error_detail());
  CHECK(detail.find("nearest: delivery.late (Late delivery)") != std::string::npos);
  CHECK(detail.find("lait") == std::string::npos);
  CHECK_FALSE(t.resolve("").has_value());
}

TEST_CASE("other:<text> is accepted only when the policy allows it") {
  CHECK_FALSE(taxonomy(false).resolve("other:a storm").has_value());
  CHECK(std::string(last_error_detail()).find("allow_other") != std::string::npos);
  auto t = taxonomy(true);
  CHECK(t.resolve("other:a storm").value() == "other:a storm");
  CHECK_FALSE(t.resolve("other:").has_value());
  CHECK(t.at_level("other:a storm", 0) == "other");
}

TEST_CASE("causes roll up to their ancestor at a level") {
  auto t = taxonomy();
  CHECK(t.at_level("delivery.late", 0) == "delivery");
  CHECK(t.at_level("delivery.late", 1) == "delivery.late");
  CHECK(t.at_level("delivery.late", -1) == "delivery.late");
  CHECK(t.at_level("payment", 1) == "payment");
  CHECK(t.at_level("free text from before", 0) == "free text from before");
  CHECK(t.label("delivery.late", "zh-Hans") == "配送延误");
  CHECK(t.label("unknown", "en") == "unknown");
}

TEST_CASE("an empty taxonomy accepts any non-empty cause as recorded") {
  CauseTaxonomy t;
  CHECK(t.resolve("Whatever, as typed").value() == "Whatever, as typed");
  CHECK_FALSE(t.resolve("").has_value());
}

TEST_CASE("a taxonomy with a missing label, a bad id or a name used twice is refused, naming the member") {
  auto missing = tree();
  missing.as_object()["categories"].as_array()[0].as_object()["labels"].as_object().erase("zh-Hant");
  CHECK_FALSE(CauseTaxonomy::from_json(missing).has_value());
  CHECK(std::string(last_error_detail()).find("root_causes.categories[0].labels.zh-Hant: missing") != std::string::npos);

  auto dotted = tree();
  dotted.as_object()["categories"].as_array()[1].as_object()["id"] = "pay.ment";
  CHECK_FALSE(CauseTaxonomy::from_json(dotted).has_value());
  CHECK(std::string(last_error_detail()).find("root_causes.categories[1].id") != std::string::npos);

  auto twice = tree();
  twice.as_object()["categories"].as_array()[1].as_object()["aliases"] = boost::json::array{"Logistics"};
  CHECK_FALSE(CauseTaxonomy::from_json(twice).has_value());
  CHECK(std::string(last_error_detail()).find("also names category \"delivery\"") != std::string::npos);
}

TEST_CASE("the engine records an alias as its category and refuses an unknown one") {
  auto policy = reference_policy(boost::json::object{{"root_causes", tree()}});
  Journey j{policy, new_case()};
  j.on("2025-01-24T07:00:00Z", events::ContactReceived{Channel::app, std::nullopt, "where is my parcel"});
  j.on("2025-01-24T07:05:00Z", events::RootCauseRecorded{RootCause{"物流延误", "carrier missed the slot"}});
  REQUIRE(j.c.root_cause().has_value());
  CHECK(j.c.root_cause()->category == "delivery.late");

  auto refused = j.try_apply("2025-01-24T07:06:00Z", events::RootCauseRecorded{RootCause{"parcel went missing", "?"}});
  REQUIRE_FALSE(refused.has_value());
  CHECK(std::string(last_error_detail()).find("nearest:") != std::string::npos);
}

TEST_CASE("the analytics roll causes up to the level asked for, with their labels") {
  auto policy = reference_policy(boost::json::object{{"root_causes", tree()}});
  auto options = analytics_options(policy.settings());
  options.cause_level = 0;
  auto a = Analytics::make(options).value();
  int n = 0;
  for (const char* cause : {"delivery.late", "delivery.lost", "Duplicate charge"}) {
    Journey j{policy, new_case()};
    j.c = Case::open(CaseId::make(fmt::format("C-{}", ++n)).value(), CustomerId::make("U-1").value(), Currency::CNY,
                     at("2025-01-24T07:00:00Z"))
              .value();
    j.on("2025-01-24T07:00:00Z", events::ContactReceived{Channel::app, std::nullopt, "help"});
    j.on("2025-01-24T07:05:00Z", events::RootCauseRecorded{RootCause{cause, "d"}});
    std::vector<Event> journal{
        Event{j.c.id(), at("2025-01-24T07:00:00Z"), std::nullopt, events::ContactReceived{Channel::app, std::nullopt, "help"}},
        Event{j.c.id(), at("2025-01-24T07:05:00Z"), std::nullopt, events::RootCauseRecorded{RootCause{cause, "d"}}}};
    REQUIRE(a.add(j.c, journal).has_value());
  }
  auto s = a.summary();
  REQUIRE(s.causes.size() == 2);
  std::map<std::string, std::int64_t> cases;
  for (const auto& row : s.causes) cases[row.cause] = row.cases;
  CHECK(cases["delivery"] == 2);
  CHECK(cases["payment"] == 1);
  for (const auto& row : s.causes) {
    if (row.cause == "delivery") CHECK(row.labels.at("zh-Hant") == "配送");
  }
}
