#include "support/engine_fixture.hpp"
#include "support/journal_generator.hpp"

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
      ev::PrecedentCited{"C-friend", RemedyKind::extra, cny("30"), Loss{LossKind::money, cny("30"), std::nullopt},
                         ev::PrecedentSource::store},
      ev::PrecedentCited{"C-unknown", RemedyKind::cash, cny("0"), Loss::nothing(Currency::CNY),
                         ev::PrecedentSource::none},
      ev::OutOfScopeRequest{"book a taxi", true},
      ev::FailureSignal{"redemption failed", 4},
      ev::RightExpiring{order_id("O-1"), coupon},
      ev::PromiseKept{FollowUpId::make("C-1#2").value()},
      ev::PromiseBroken{std::nullopt, "the engineer is ill"},
      ev::AwaitingCustomer{"a photo of the label"},
      ev::AwaitingThirdParty{"SF Express", 0, boost::posix_time::hours(4)},
      ev::ThirdPartyAnswered{"SF Express"},
      ev::PolicyMoved{PolicyRef{"coupon-marketplace", "2", std::string(64, 'a')}},
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

  TEST_CASE("an event with an unknown member is refused, naming it and the member it probably meant") {
    JournalDefaults defaults{case_id(), Currency::CNY};
    auto read = [&](std::string_view text) { return event_from_json(boost::json::parse(text), "events[1]", defaults); };
    SUBCASE("a misspelt member") {
      auto e = read(R"({"at": "2025-01-24T07:00:00Z", "type": "need_stated", "txet": "a refund"})");
      REQUIRE_FALSE(e);
      CHECK(e.error() == errc::invalid_json);
      CHECK(std::string(last_error_detail()) == "events[1].txet: unknown member; did you mean text?");
    }
    SUBCASE("a member of another event type") {
      auto e = read(R"({"at": "2025-01-24T07:00:00Z", "type": "need_stated", "summary": "a refund"})");
      REQUIRE_FALSE(e);
      CHECK(std::string(last_error_detail()) == "events[1].summary: unknown member");
    }
    SUBCASE("an unknown member deep inside") {
      auto e = read(R"({"at": "2025-01-24T07:00:00Z", "type": "order_linked",
                        "order": {"id": "O-1", "loss": {"kind": "money", "amount": "5", "amont": "6"}}})");
      REQUIRE_FALSE(e);
      CHECK(std::string(last_error_detail()) == "events[1].order.loss.amont: unknown member; did you mean amount?");
    }
    SUBCASE("an unknown member of a value type") {
      auto e = read(R"({"at": "2025-01-24T07:00:00Z", "type": "emotion_observed",
                        "emotion": {"kind": "angry", "intensity": 7, "intensty": 8}})");
      REQUIRE_FALSE(e);
      CHECK(std::string(last_error_detail()) == "events[1].emotion.intensty: unknown member; did you mean intensity?");
    }
  }

  TEST_CASE("a host's x- members are kept out of the way: an event carrying them reads as one without") {
    JournalDefaults defaults{case_id(), Currency::CNY};
    auto with = event_from_json(boost::json::parse(R"({"at": "2025-01-24T07:00:00Z", "type": "emotion_observed",
        "x-crm-ticket": {"id": 42}, "emotion": {"kind": "angry", "intensity": 7, "x-source": "voice"}})"), "", defaults);
    auto without = event_from_json(boost::json::parse(R"({"at": "2025-01-24T07:00:00Z", "type": "emotion_observed",
        "emotion": {"kind": "angry", "intensity": 7}})"), "", defaults);
    REQUIRE_MESSAGE(with.has_value(), std::string(last_error_detail()));
    REQUIRE(without);
    CHECK(with.value() == without.value());
  }

  TEST_CASE("an event names its schema; one without is version 1 and a newer one is refused") {
    JournalDefaults defaults{case_id(), Currency::CNY};
    auto read = [&](std::string_view schema) {
      return event_from_json(boost::json::parse(fmt::format(
                                 R"({{"schema": "{}", "at": "2025-01-24T07:00:00Z", "type": "close_requested"}})", schema)),
                             "", defaults);
    };
    Event e{case_id(), at("2025-01-24T07:00:00Z"), std::nullopt, ev::CloseRequested{}};
    CHECK(to_json(e).as_object().at("schema").as_string() == "redress.event/1");
    CHECK(read("redress.event/1"));
    auto newer = read("redress.event/2");
    REQUIRE_FALSE(newer);
    CHECK(std::string(last_error_detail()).find("schema: redress.event/2 is newer than") != std::string::npos);
    auto other = read("redress.policy/1");
    REQUIRE_FALSE(other);
    CHECK(std::string(last_error_detail()) == "schema: expected \"redress.event/1\"");
    CHECK_FALSE(read("redress.event/01"));
    CHECK_FALSE(read("redress.event/"));
  }

  TEST_CASE("a case read back from its JSON equals the case, and goes on as the case would") {
    auto policy =
        reference_policy(boost::json::object{{"severities", boost::json::object{{"remedy.cash_without_loss", "warn"}}}});
    static constexpr std::array<std::string_view, 3> kCauses{"coupon.expiry", "courier.late", ""};
    auto specs = random_specs(40, 23, at("2025-03-03T02:00:00Z"), 3, kCauses);
    int compared = 0;
    for (const auto& spec : specs) {
      auto g = generate_case(spec, policy);
      REQUIRE_MESSAGE(g.has_value(), std::string(last_error_detail()));
      Case c = g.value().initial;
      for (const auto& e : g.value().journal) {
        auto json = to_json(c);
        CAPTURE(boost::json::serialize(json));
        auto back = case_from_json(json);
        REQUIRE_MESSAGE(back.has_value(), std::string(last_error_detail()));
        CHECK(back.value() == c);
        CHECK(boost::json::serialize(to_json(back.value())) == boost::json::serialize(json));
        auto step = apply(c, e, policy, e.at_utc);
        auto step_back = apply(back.value(), e, policy, e.at_utc);
        REQUIRE(step.has_value() == step_back.has_value());
        if (!step) break;
        CHECK(boost::json::serialize(to_json(step.value())) == boost::json::serialize(to_json(step_back.value())));
        CHECK(step_back.value().next == step.value().next);
        c = step.value().next;
        ++compared;
      }
      CHECK(case_from_json(to_json(c)).value() == c);
    }
    CHECK(compared > 400);
  }

  TEST_CASE("a case waiting on the customer and a third party round-trips through JSON") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "no picture"});
    j.on("2025-01-24T07:01:00Z", ev::ApologyGiven{"I'm so sorry, that is really frustrating."});
    j.on("2025-01-24T07:02:00Z", ev::AwaitingCustomer{"a photo of the label"});
    j.on("2025-01-24T07:30:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "here it is"});
    j.on("2025-01-24T07:31:00Z", ev::AwaitingThirdParty{"SF Express", 1, {}});
    j.on("2025-01-24T07:32:00Z", ev::PromiseMade{"a call back", 2, {}});
    auto json = to_json(j.c);
    CAPTURE(boost::json::serialize(json));
    CHECK(json.as_object().contains("third_parties"));
    CHECK(json.as_object().at("schema").as_string() == "redress.case/1");
    auto back = case_from_json(json);
    REQUIRE_MESSAGE(back.has_value(), std::string(last_error_detail()));
    CHECK(back.value() == j.c);
  }

  TEST_CASE("a case's JSON with an unknown member or a newer schema is refused") {
    auto json = to_json(new_case()).as_object();
    auto misspelt = json;
    misspelt["stagee"] = "closed";
    REQUIRE_FALSE(case_from_json(misspelt, "case"));
    CHECK(std::string(last_error_detail()) == "case.stagee: unknown member; did you mean stage?");
    auto newer = json;
    newer["schema"] = "redress.case/2";
    REQUIRE_FALSE(case_from_json(newer, "case"));
    CHECK(std::string(last_error_detail()).find("case.schema") != std::string::npos);
    auto hosted = json;
    hosted["x-crm"] = 7;
    CHECK(case_from_json(hosted).value() == new_case());
  }

  TEST_CASE("a policy with a misspelt member is refused, naming it and the member it probably meant") {
    policy_refused({{"update_intervl", "PT5M"}}, "policy.update_intervl: unknown member; did you mean update_interval?");
    policy_refused({{"authority", boost::json::array{boost::json::object{{"level", 0}, {"limt", "200"}}}}},
                   "policy.authority[0].limt: unknown member; did you mean limit?");
    policy_refused({{"scope", boost::json::object{{"out_of_scop", boost::json::array{}}}}},
                   "policy.scope.out_of_scop: unknown member; did you mean out_of_scope?");
    policy_refused({{"schema", "redress.policy/2"}}, "policy.schema: redress.policy/2 is newer");
  }

  TEST_CASE("a policy with x- members and its schema named decides as one without") {
    auto plain = reference_policy();
    auto hosted = reference_policy({{"schema", "redress.policy/1"}, {"x-owner", "service team"},
                                    {"x-reviewed", boost::json::object{{"on", "2026-01-05"}}}});
    Journey a = money_loss_case(plain, "500"), b = money_loss_case(hosted, "500");
    for (Journey* j : {&a, &b}) j->propose("2025-01-24T07:05:00Z", "R-1", RemedyKind::cash, "500");
    CHECK(boost::json::serialize(to_json(b.last)) == boost::json::serialize(to_json(a.last)));
    // The same decisions; only the pin differs, as the documents do (the
    // content hash covers a host's x- members too).
    auto without_pin = [](const Case& c) {
      auto o = to_json(c).as_object();
      o.erase("policy");
      return boost::json::serialize(o);
    };
    CHECK(without_pin(b.c) == without_pin(a.c));
    CHECK(b.c.policy()->hash != a.c.policy()->hash);
  }
}

