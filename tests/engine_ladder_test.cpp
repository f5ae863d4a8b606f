// The remedy ladder: what the engine suggests while a need is unmet, and
// proposals judged against it.
#include "support/engine_fixture.hpp"

#include <redress/journal.hpp>

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

namespace {

std::vector<RemedyKind> kinds(const Step& step) {
  std::vector<RemedyKind> out;
  for (const auto& s : step.suggestions) out.push_back(s.kind);
  return out;
}

// A coupon case on 2025-03-05 (Beijing), the coupon of `value` expired on
// `expired_on`, and the customer's need stated.
Journey coupon_case(const Policy& policy, std::string_view expired_on, std::string_view value = "30") {
  Journey j{policy, new_case("2025-03-05T02:00:00Z")};
  j.on("2025-03-05T02:00:00Z", order_with_loss("O-1", coupon_expired_on(expired_on, value)));
  j.on("2025-03-05T02:01:00Z", ev::NeedStated{"I want to use my coupon"});
  return j;
}

}  // namespace

TEST_SUITE("engine ladder") {
  TEST_CASE("a coupon that expired 3 days ago: the free extension is suggested first") {
    auto policy = reference_policy();
    auto j = coupon_case(policy, "2025-03-02");
    REQUIRE(j.last.suggestions.size() == 4);
    CHECK(kinds(j.last) == std::vector{RemedyKind::extension, RemedyKind::replacement, RemedyKind::extra,
                                       RemedyKind::non_material});
    const Suggestion& first = j.last.suggestions.front();
    CHECK(first.rank == 1);
    CHECK(first.order == order_id("O-1"));
    CHECK(first.value == cny("0"));
    CHECK(first.approval_level == 0);
    CHECK(first.why.find("may be extended") != std::string::npos);
    CHECK(j.last.suggestions[1].value == cny("30"));
    CHECK(j.last.suggestions[1].rank == 2);
    // 10% of 30, rounded up to a whole yuan.
    CHECK(j.last.suggestions[2].value == cny("3"));
  }

  TEST_CASE("a coupon that expired 10 days ago: the replacement of at least the lost value comes first, saying why") {
    auto policy = reference_policy();
    auto j = coupon_case(policy, "2025-02-23");
    REQUIRE_FALSE(j.last.suggestions.empty());
    CHECK(j.last.suggestions.front().kind == RemedyKind::replacement);
    CHECK(j.last.suggestions.front().value == cny("30"));
    CHECK(j.last.suggestions.front().why.find("expired 10 days ago") != std::string::npos);
  }

  TEST_CASE("a replacement is rounded up to the policy's denominations") {
    boost::json::object extra;
    extra["replacement_denominations"] = boost::json::array{"10", "20", "50", "100"};
    auto policy = reference_policy(extra);
    auto j = coupon_case(policy, "2025-02-23", "30");
    REQUIRE_FALSE(j.last.suggestions.empty());
    CHECK(j.last.suggestions.front().value == cny("50"));
  }

  TEST_CASE("a money loss suggests a refund in proportion, and never a replacement") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", order_with_loss("O-1", Loss{LossKind::money, cny("45.50"), std::nullopt}));
    CHECK(j.last.suggestions.empty());  // no need stated yet
    j.on("2025-01-24T07:01:00Z", ev::NeedStated{"the fee back"});
    CHECK(kinds(j.last) == std::vector{RemedyKind::cash, RemedyKind::extra, RemedyKind::non_material});
    CHECK(j.last.suggestions.front().value == cny("45.50"));
    CHECK(j.last.suggestions[1].value == cny("5"));
  }

  TEST_CASE("a rung above the front line's authority names the level that must approve it") {
    auto policy = reference_policy();
    auto j = money_loss_case(policy, "500");
    REQUIRE_FALSE(j.last.suggestions.empty());
    CHECK(j.last.suggestions.front().approval_level == 1);
    CHECK(j.last.suggestions.front().framing.find("supervisor") != std::string::npos);
    CHECK(j.last.suggestions[1].approval_level == 0);
  }

  TEST_CASE("suggestions stop once a remedy is in play, and come back when it is rejected") {
    auto policy = reference_policy();
    auto j = coupon_case(policy, "2025-03-02");
    j.propose("2025-03-05T02:02:00Z", "R-1", RemedyKind::extension, "0");
    CHECK(j.last.suggestions.empty());
    j.on("2025-03-05T02:03:00Z", ev::RemedyRejected{remedy_id("R-1"), agent_id("A-1"), "the customer wants cash"});
    CHECK_FALSE(j.last.suggestions.empty());
  }

  TEST_CASE("nothing is suggested where nothing was lost") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", order_with_loss("O-1", Loss::nothing(Currency::CNY)));
    j.on("2025-01-24T07:01:00Z", ev::NeedStated{"compensation"});
    CHECK(j.last.suggestions.empty());
  }

  TEST_CASE("a proactive case suggests the extension without a stated need") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2025-03-05T02:00:00Z")};
    j.on("2025-03-05T02:00:00Z", ev::FailureSignal{"coupon rejected at checkout", 3});
    j.on("2025-03-05T02:01:00Z", order_with_loss("O-1", coupon_expired_on("2025-03-02")));
    REQUIRE_FALSE(j.last.suggestions.empty());
    CHECK(j.last.suggestions.front().kind == RemedyKind::extension);
  }

  TEST_CASE("cash proposed while the free extension is allowed skips a rung") {
    auto policy = reference_policy();
    auto j = coupon_case(policy, "2025-03-02");
    j.propose("2025-03-05T02:02:00Z", "R-1", RemedyKind::cash, "30");
    CHECK(j.found("remedy.skipped_rung"));
    REQUIRE(j.action<actions::Offer>() != nullptr);  // warn by default: the agent decides
    CHECK(j.action<actions::Offer>()->framing.find("supervisor") == std::string::npos);
  }

  TEST_CASE("a policy can make skipping a rung blocking") {
    boost::json::object extra;
    extra["severities"] = boost::json::object{{"remedy.skipped_rung", "block"}};
    auto policy = reference_policy(extra);
    auto j = coupon_case(policy, "2025-03-02");
    j.propose("2025-03-05T02:02:00Z", "R-1", RemedyKind::replacement, "30");
    CHECK(j.found("remedy.skipped_rung"));
    CHECK(j.action<actions::Offer>() == nullptr);
  }

  TEST_CASE("a 20 CNY replacement for a lost 30 CNY coupon is flagged and not worded as the same value") {
    boost::json::object extra;
    extra["framing"] = boost::json::object{{"replacement", "a coupon of the same value"}};
    auto policy = reference_policy(extra);
    auto j = coupon_case(policy, "2025-02-23");
    j.propose("2025-03-05T02:02:00Z", "R-1", RemedyKind::replacement, "20");
    CHECK(j.found("remedy.below_lost_value"));
    CHECK_FALSE(j.found("remedy.skipped_rung"));
    REQUIRE(j.action<actions::Offer>() != nullptr);
    CHECK(j.action<actions::Offer>()->framing.find("same value") == std::string::npos);
    j.propose("2025-03-05T02:03:00Z", "R-2", RemedyKind::replacement, "30");
    CHECK_FALSE(j.found("remedy.below_lost_value"));
    CHECK(j.action<actions::Offer>()->framing == "a coupon of the same value");
  }

  TEST_CASE("cash on an expired coupon that can no longer be extended points to the replacement") {
    auto policy = reference_policy();
    auto j = coupon_case(policy, "2025-02-23");
    j.propose("2025-03-05T02:02:00Z", "R-1", RemedyKind::cash, "30");
    CHECK(j.found("remedy.skipped_rung"));
  }

  TEST_CASE("cash above λ times the money lost is out of proportion, at λ times it is not; λ from the policy") {
    struct Row {
      int permille;
      std::string_view at_limit, above;
    };
    for (Row row : {Row{2250, "90", "90.01"}, Row{1000, "40", "40.01"}}) {
      CAPTURE(row.permille);
      boost::json::object extra;
      extra["loss_aversion_permille"] = row.permille;
      auto policy = reference_policy(extra);
      auto j = money_loss_case(policy, "40");
      j.propose("2025-01-24T07:02:00Z", "R-1", RemedyKind::cash, row.at_limit);
      CHECK_FALSE(j.found("remedy.cash_out_of_proportion"));
      j.propose("2025-01-24T07:03:00Z", "R-2", RemedyKind::cash, row.above);
      CHECK(j.found("remedy.cash_out_of_proportion"));
    }
  }

  TEST_CASE("a non-material remedy keeps the customer's ideas in the case and the journal") {
    auto policy = reference_policy();
    auto j = money_loss_case(policy, "40");
    ev::RemedyProposed idea{remedy_id("R-1"), RemedyKind::non_material, cny("0"), order_id("O-1"),
                            "提醒短信应在优惠券过期前两天发送"};
    j.on("2025-01-24T07:02:00Z", idea);
    REQUIRE(j.c.remedy_contents().size() == 1);
    CHECK(j.c.remedy_contents().front().remedy == remedy_id("R-1"));
    CHECK(j.c.remedy_contents().front().text == "提醒短信应在优惠券过期前两天发送");
    Event e{j.c.id(), at("2025-01-24T07:02:00Z"), std::nullopt, idea};
    auto json = to_json(e);
    CHECK(json.as_object().at("content").as_string() == "提醒短信应在优惠券过期前两天发送");
    auto back = event_from_json(json, "event");
    REQUIRE(back);
    CHECK(back.value() == e);
  }

  TEST_CASE("content on a remedy that is not non-material is an invalid event, and the case is unchanged") {
    auto policy = reference_policy();
    auto j = money_loss_case(policy, "40");
    Case before = j.c;
    auto r = j.try_apply("2025-01-24T07:02:00Z",
                         ev::RemedyProposed{remedy_id("R-1"), RemedyKind::cash, cny("40"), order_id("O-1"), "ideas"});
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_event);
    CHECK(std::string(last_error_detail()).find("content") != std::string::npos);
    CHECK(j.c == before);
  }

  TEST_CASE("suggestions travel in the step's JSON") {
    auto policy = reference_policy();
    auto j = coupon_case(policy, "2025-03-02");
    auto json = to_json(j.last).as_object();
    REQUIRE(json.contains("suggestions"));
    const auto& first = json.at("suggestions").as_array().at(0).as_object();
    CHECK(first.at("rank").as_int64() == 1);
    CHECK(first.at("kind").as_string() == "extension");
    CHECK(first.at("order").as_string() == "O-1");
    CHECK(first.at("approval_level").as_int64() == 0);
    CHECK(first.contains("framing"));
    CHECK(first.contains("why"));
  }

  TEST_CASE("bad ladder settings in a policy are refused with the field's path") {
    policy_refused({{"replacement_denominations", boost::json::array{"20", "10"}}}, "policy.replacement_denominations[1]");
    policy_refused({{"replacement_denominations", boost::json::array{"0"}}}, "policy.replacement_denominations[0]");
    policy_refused({{"extra_gesture_permille", -5}}, "policy.extra_gesture_permille");
  }
}
