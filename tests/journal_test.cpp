#include "support/engine_fixture.hpp"

#include <set>

#include <redress/journal.hpp>

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

namespace {

std::vector<EventBody> one_of_each() {
  Right coupon{"coupon", cny("20"), parse_date("2025-03-02").value(), 1};
  return {
      ev::ContactReceived{Channel::review, ContactPoint::email(" Li.Lei@Example.COM ").value(), "差评"},
      ev::EmotionObserved{Emotion::make(EmotionKind::angry, 8).value()},
      ev::ApologyGiven{"非常抱歉，让您着急了。"},
      ev::ForgivenessSignalled{},
      ev::NeedStated{"use the coupon"},
      ev::QuestionAsked{"which order?"},
      ev::FactsReviewed{"coupon expired yesterday"},
      ev::OrderLinked{Order{order_id("O-1"), Loss{LossKind::right, cny("20"), coupon}}, "G-7"},
      ev::OrderLinked{Order{order_id("O-2"), Loss{LossKind::money, cny("35.50"), std::nullopt}}, std::nullopt},
      ev::RemedyProposed{remedy_id("R-1"), RemedyKind::extension, cny("0"), order_id("O-1")},
      ev::RemedyApproved{remedy_id("R-1"), agent_id("S-1"), 2},
      ev::RemedyRejected{remedy_id("R-1"), agent_id("S-1"), "over the cap"},
      ev::RemedyAccepted{remedy_id("R-1")},
      ev::RemedyGranted{remedy_id("R-1")},
      ev::ProgressUpdateSent{"still on it"},
      ev::PromiseMade{"a call back", 2, {}, {}},
      ev::PromiseMade{"a call back", 0, boost::posix_time::hours(4), {}},
      ev::Resolved{"extended"},
      ev::SatisfactionConfirmed{Emotion::make(EmotionKind::satisfied, 6).value()},
      ev::RootCauseRecorded{{"coupon.expiry", "no reminder"}},
      ev::CloseRequested{},
      ev::TimerFired{FollowUpId::make("C-1#3").value()},
      ev::SafetyRiskReported{"threat"},
      ev::AbuseEstablished{"fake photo"},
      ev::PrecedentCited{"O-9", RemedyKind::cash, cny("200"), Loss::nothing(Currency::CNY)},
      ev::OutOfScopeRequest{"book a taxi", true},
      ev::FailureSignal{"redemption failed", 4},
      ev::RightExpiring{order_id("O-1"), coupon},
      ev::PromiseKept{FollowUpId::make("C-1#2").value()},
      ev::PromiseBroken{std::nullopt, "the engineer is ill"},
      ev::AwaitingCustomer{"a photo of the label"},
      ev::AwaitingThirdParty{"SF Express", 0, boost::posix_time::hours(4)},
      ev::ThirdPartyAnswered{"SF Express"},
      ev::PublicReplySent{"We are sorry; a replacement is on its way."},
      ev::CalendarChanged{},
      ev::CustomerTimeZone{TimeZone::named("Europe/Berlin").value()},
  };
}

}  // namespace

TEST_SUITE("journal") {
  TEST_CASE("every event type survives a round trip through JSON") {
    auto bodies = one_of_each();
    std::set<std::size_t> kinds;
    for (auto& body : bodies) {
      kinds.insert(body.index());
      Event e{case_id(), at("2025-01-24T07:00:00Z"), agent_id("A-7"), body};
      auto json = to_json(e);
      CAPTURE(boost::json::serialize(json));
      auto back = event_from_json(json);
      REQUIRE_MESSAGE(back.has_value(), std::string(last_error_detail()));
      CHECK(back.value() == e);
    }
    CHECK(kinds.size() == std::variant_size_v<EventBody>);
  }

  TEST_CASE("a journal event may leave out its case id and write money as a decimal string") {
    auto v = boost::json::parse(
        R"({"at": "2025-01-24T15:00:00+08:00", "type": "remedy_proposed", "remedy": "R-1", "kind": "cash", "value": "199.99"})");
    JournalDefaults defaults{case_id("C-9"), Currency::CNY};
    auto e = event_from_json(v, "events[0]", defaults);
    REQUIRE(e);
    CHECK(e.value().case_id == case_id("C-9"));
    auto& p = std::get<ev::RemedyProposed>(e.value().body);
    CHECK(p.value == cny("199.99"));
    CHECK(e.value().at_utc == at("2025-01-24T07:00:00Z"));
  }

  TEST_CASE("a malformed event names the offending field") {
    JournalDefaults defaults{case_id(), Currency::CNY};
    SUBCASE("an unknown type") {
      auto e = event_from_json(boost::json::parse(R"({"at": "2025-01-24T07:00:00Z", "type": "teleported"})"),
                               "events[4]", defaults);
      REQUIRE_FALSE(e);
      CHECK(e.error() == errc::invalid_json);
      CHECK(last_error_detail().find("events[4].type") != std::string_view::npos);
    }
    SUBCASE("an amount with too many decimals") {
      auto e = event_from_json(
          boost::json::parse(
              R"({"at": "2025-01-24T07:00:00Z", "type": "remedy_proposed", "remedy": "R-1", "kind": "cash", "value": "1.999"})"),
          "events[2]", defaults);
      REQUIRE_FALSE(e);
      CHECK(e.error() == errc::invalid_amount);
      CHECK(last_error_detail().find("events[2].value") != std::string_view::npos);
    }
    SUBCASE("a missing loss kind") {
      auto e = event_from_json(
          boost::json::parse(
              R"({"at": "2025-01-24T07:00:00Z", "type": "order_linked", "order": {"id": "O-1", "loss": {}}})"),
          "events[0]", defaults);
      REQUIRE_FALSE(e);
      CHECK(e.error() == errc::invalid_json);
      CHECK(last_error_detail().find("events[0].order.loss.kind") != std::string_view::npos);
    }
    SUBCASE("no case id anywhere") {
      auto e = event_from_json(boost::json::parse(R"({"at": "2025-01-24T07:00:00Z", "type": "close_requested"})"));
      REQUIRE_FALSE(e);
      CHECK(last_error_detail().find("case_id") != std::string_view::npos);
    }
  }

  TEST_CASE("a case's JSON shows its stage, findings and pending follow-ups") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, ""});
    j.on("2025-01-24T07:01:00Z", ev::QuestionAsked{"is it plugged in?"});
    auto v = to_json(j.c).as_object();
    CHECK(v.at("stage").as_string() == "apologise");
    CHECK(v.at("pending_follow_ups").as_array().size() == 1);
    CHECK(v.at("findings").as_array().at(0).at("code").as_string() == "review.before_apology");
    auto step = to_json(j.last).as_object();
    CHECK(step.at("findings").as_array().size() == 1);
  }
}
