#include "support/engine_fixture.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

namespace {

ContactPoint phone(std::string_view text) { return ContactPoint::phone(text).value(); }
// Where a shared text's one copy is.
const void* held_at(const SharedText& text) { return text.c_str(); }

}  // namespace

TEST_SUITE("engine") {
  TEST_CASE("value semantics") {
    static_assert(std::is_copy_constructible_v<Case> && std::is_copy_assignable_v<Case>);
    static_assert(std::is_nothrow_move_constructible_v<Case>);
    static_assert(!std::is_default_constructible_v<Case>);
    static_assert(std::equality_comparable<Case>);
    static_assert(std::equality_comparable<Event>);
    static_assert(std::equality_comparable<Action>);
  }

  TEST_CASE("a new complaint asks for an apology first and schedules an update in 20 minutes") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    auto& step = j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, phone("13812345678"), "..."});
    REQUIRE(!step.actions.empty());
    CHECK(std::holds_alternative<actions::Reply>(step.actions.front()));
    auto* s = j.action<actions::ScheduleFollowUp>();
    REQUIRE(s);
    CHECK(s->follow_up.kind == FollowUpKind::update);
    CHECK(s->follow_up.due_at_utc == at("2025-01-24T07:20:00Z"));
    CHECK(j.c.stage() == Stage::apologise);
    CHECK(j.c.contact_points().front().value() == "+8613812345678");
  }

  TEST_CASE("a diagnostic question before the apology is accepted raises review.before_apology") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::chat, std::nullopt, ""});
    j.on("2025-01-24T07:01:00Z", ev::QuestionAsked{"Is it plugged in?"});
    CHECK(j.found("review.before_apology"));
    j.on("2025-01-24T07:02:00Z", ev::ApologyGiven{"I'm so sorry, that must be frustrating."});
    j.on("2025-01-24T07:03:00Z", ev::ForgivenessSignalled{});
    CHECK(j.c.stage() == Stage::review);
    j.on("2025-01-24T07:04:00Z", ev::QuestionAsked{"Perhaps the plug is loose?"});
    CHECK_FALSE(j.found("review.before_apology"));
    j.on("2025-01-24T07:05:00Z", ev::FactsReviewed{"power supply fault"});
    CHECK(j.c.stage() == Stage::solve);
  }

  TEST_CASE("an event for another case is rejected and leaves the case unchanged") {
    auto policy = reference_policy();
    Case c = new_case();
    Case before = c;
    Event e{CaseId::make("C-other").value(), at("2025-01-24T07:00:00Z"), std::nullopt, ev::ApologyGiven{"sorry"}};
    auto r = apply(c, e, policy, e.at_utc);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_event);
    CHECK(last_error_detail().find("C-other") != std::string_view::npos);
    CHECK(c == before);
  }

  TEST_CASE("an event earlier than the last one is rejected as time going backwards") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T08:00:00Z", ev::ApologyGiven{"sorry"});
    Case before = j.c;
    auto r = j.try_apply("2025-01-24T07:59:59Z", ev::NeedStated{"a refund"});
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_event);
    CHECK(last_error_detail().find("backwards") != std::string_view::npos);
    CHECK(j.c == before);
  }

  TEST_CASE("processing an event before it happened is an invalid argument") {
    auto policy = reference_policy();
    Case c = new_case();
    Event e{c.id(), at("2025-01-24T08:00:00Z"), std::nullopt, ev::ApologyGiven{"sorry"}};
    auto r = apply(c, e, policy, at("2025-01-24T07:00:00Z"));
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
  }

  TEST_CASE("granting a remedy never proposed is an invalid event") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    auto r = j.try_apply("2025-01-24T07:00:00Z", ev::RemedyGranted{remedy_id("R-404")});
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_event);
    CHECK(last_error_detail().find("never proposed") != std::string_view::npos);
  }

  TEST_CASE("a remedy proposed before the customer states a need is blocked") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", order_with_loss("O-1", Loss{LossKind::money, cny("50"), std::nullopt}));
    j.on("2025-01-24T07:01:00Z", ev::RemedyProposed{remedy_id("R-1"), RemedyKind::cash, cny("50"), order_id("O-1")});
    CHECK(j.found("remedy.before_need"));
    CHECK(j.action<actions::Offer>() == nullptr);
    CHECK(j.c.find_remedy(remedy_id("R-1"))->status == RemedyStatus::rejected);
  }

  TEST_CASE("a policy can lower remedy.before_need to a warning and the offer goes ahead") {
    boost::json::object extra;
    extra["severities"] = boost::json::object{{"remedy.before_need", "warn"}};
    auto policy = reference_policy(extra);
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", order_with_loss("O-1", Loss{LossKind::money, cny("50"), std::nullopt}));
    j.on("2025-01-24T07:01:00Z", ev::RemedyProposed{remedy_id("R-1"), RemedyKind::cash, cny("50"), order_id("O-1")});
    CHECK(j.found("remedy.before_need"));
    REQUIRE(j.action<actions::Offer>() != nullptr);
    CHECK(j.action<actions::Offer>()->framing.find("please accept this") != std::string::npos);
  }

  TEST_CASE("200 cash on an order where the customer lost nothing is blocked") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", order_with_loss("O-1", Loss::nothing(Currency::CNY)));
    j.on("2025-01-24T07:01:00Z", ev::NeedStated{"I want compensation or I'll leave a bad review"});
    j.on("2025-01-24T07:02:00Z", ev::RemedyProposed{remedy_id("R-1"), RemedyKind::cash, cny("200"), order_id("O-1")});
    CHECK(j.found("remedy.cash_without_loss"));
    CHECK(j.action<actions::Offer>() == nullptr);
    CHECK(j.action<actions::Reply>() != nullptr);
  }

  TEST_CASE("a remedy above the front line's 200 CNY asks the next level to approve it") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", order_with_loss("O-1", Loss{LossKind::money, cny("500"), std::nullopt}));
    j.on("2025-01-24T07:01:00Z", ev::NeedStated{"my money back"});
    j.on("2025-01-24T07:02:00Z", ev::RemedyProposed{remedy_id("R-1"), RemedyKind::cash, cny("500"), order_id("O-1")});
    CHECK(j.found("remedy.over_authority"));
    auto* req = j.action<actions::RequestApproval>();
    REQUIRE(req);
    CHECK(req->level == 1);
    CHECK(j.action<actions::Offer>() == nullptr);

    SUBCASE("granting it before approval is an invalid event") {
      auto r = j.try_apply("2025-01-24T07:03:00Z", ev::RemedyGranted{remedy_id("R-1")});
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_event);
    }
    SUBCASE("a front-line approver cannot approve it") {
      auto r = j.try_apply("2025-01-24T07:03:00Z", ev::RemedyApproved{remedy_id("R-1"), agent_id("A-1"), 0});
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_event);
    }
    SUBCASE("once a supervisor approves, it is offered, accepted and granted") {
      j.on("2025-01-24T07:03:00Z", ev::RemedyApproved{remedy_id("R-1"), agent_id("S-1"), 1});
      CHECK(j.action<actions::Offer>() != nullptr);
      j.on("2025-01-24T07:04:00Z", ev::RemedyAccepted{remedy_id("R-1")});
      j.on("2025-01-24T07:05:00Z", ev::RemedyGranted{remedy_id("R-1")});
      CHECK(j.c.find_remedy(remedy_id("R-1"))->status == RemedyStatus::granted);
      CHECK(j.c.find_remedy(remedy_id("R-1"))->decided_by == agent_id("S-1"));
    }
  }

  TEST_CASE("the next case shares the lists an event leaves alone, and changing one leaves the caller's case as it was") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", order_with_loss("O-1", Loss{LossKind::money, cny("50"), std::nullopt}));
    j.on("2025-01-24T07:01:00Z", ev::NeedStated{"my money back"});
    j.on("2025-01-24T07:02:00Z", ev::RemedyProposed{remedy_id("R-1"), RemedyKind::cash, cny("50"), order_id("O-1")});
    Case before = j.c;
    Case copy = before;
    j.on("2025-01-24T07:03:00Z", ev::RemedyAccepted{remedy_id("R-1")});
    CHECK(j.c.orders().data() == before.orders().data());
    CHECK(j.c.needs().data() == before.needs().data());
    CHECK(j.c.remedies().data() != before.remedies().data());
    CHECK(j.c.find_remedy(remedy_id("R-1"))->status == RemedyStatus::accepted);
    CHECK(before.find_remedy(remedy_id("R-1"))->status == RemedyStatus::proposed);
    CHECK(before == copy);
    std::vector<Remedy> remedies = j.c.remedies();
    CHECK(remedies.size() == 1);
    CHECK(std::span<const Remedy>(j.c.remedies()).front() == remedies.front());
  }

  TEST_CASE("a coupon expired 8 days ago is not extended") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2025-03-10T02:00:00Z")};
    j.on("2025-03-10T02:00:00Z", order_with_loss("O-1", coupon_expired_on("2025-03-02")));
    j.on("2025-03-10T02:01:00Z", ev::NeedStated{"I want to use my coupon"});
    j.on("2025-03-10T02:02:00Z",
         ev::RemedyProposed{remedy_id("R-1"), RemedyKind::extension, cny("0"), order_id("O-1")});
    CHECK(j.found("remedy.extension_ineligible"));
    CHECK(j.action<actions::Offer>() == nullptr);
  }

  TEST_CASE("a coupon expired 3 days ago is extended once, and not a second time") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2025-03-05T02:00:00Z")};
    j.on("2025-03-05T02:00:00Z", order_with_loss("O-1", coupon_expired_on("2025-03-02")));
    j.on("2025-03-05T02:01:00Z", ev::NeedStated{"I want to use my coupon"});
    j.on("2025-03-05T02:02:00Z",
         ev::RemedyProposed{remedy_id("R-1"), RemedyKind::extension, cny("0"), order_id("O-1")});
    CHECK_FALSE(j.found("remedy.extension_ineligible"));
    REQUIRE(j.action<actions::Offer>() != nullptr);
    j.on("2025-03-05T02:03:00Z", ev::RemedyGranted{remedy_id("R-1")});
    CHECK(j.c.find_order(order_id("O-1"))->loss.right->times_extended == 1);
    j.on("2025-03-05T02:04:00Z",
         ev::RemedyProposed{remedy_id("R-2"), RemedyKind::extension, cny("0"), order_id("O-1")});
    CHECK(j.found("remedy.extension_ineligible"));
  }

  TEST_CASE("remedies over the incident group's cap are sent up for approval") {
    boost::json::object extra;
    extra["incident_group_cap"] = "300";
    auto policy = reference_policy(extra);
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", order_with_loss("O-1", Loss{LossKind::money, cny("400"), std::nullopt}));
    j.on("2025-01-24T07:01:00Z", ev::NeedStated{"refund"});
    j.on("2025-01-24T07:02:00Z", ev::RemedyProposed{remedy_id("R-1"), RemedyKind::cash, cny("200"), order_id("O-1")});
    CHECK_FALSE(j.found("remedy.over_cap"));
    j.on("2025-01-24T07:03:00Z", ev::RemedyProposed{remedy_id("R-2"), RemedyKind::extra, cny("150"), order_id("O-1")});
    CHECK(j.found("remedy.over_cap"));
    CHECK(j.action<actions::Offer>() == nullptr);
    REQUIRE(j.action<actions::RequestApproval>() != nullptr);
    CHECK(j.action<actions::RequestApproval>()->level == 1);
  }

  TEST_CASE("a missed 20-minute update escalates once, and the late update that follows is noted") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, ""});
    auto id = j.action<actions::ScheduleFollowUp>()->follow_up.id;
    j.on("2025-01-24T07:20:00Z", ev::TimerFired{id});
    CHECK(j.found("update.missed"));
    REQUIRE(j.action<actions::Escalate>());
    CHECK(j.action<actions::ScheduleFollowUp>() == nullptr);
    CHECK(j.c.update_overdue_since() == at("2025-01-24T07:20:00Z"));
    j.on("2025-01-24T07:32:00Z", ev::ProgressUpdateSent{"sorry for the wait"});
    CHECK(j.found("update.late"));
    CHECK(j.action<actions::ScheduleFollowUp>()->follow_up.due_at_utc == at("2025-01-24T07:52:00Z"));
    CHECK_FALSE(j.c.update_overdue_since().has_value());
  }

  TEST_CASE("an update in time moves the next one 20 minutes on, and resolution stops them") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, ""});
    auto first = j.action<actions::ScheduleFollowUp>()->follow_up.id;
    j.on("2025-01-24T07:15:00Z", ev::ProgressUpdateSent{"still on it"});
    CHECK(j.action<actions::CancelFollowUp>()->follow_up == first);
    CHECK(j.action<actions::ScheduleFollowUp>()->follow_up.due_at_utc == at("2025-01-24T07:35:00Z"));
    j.on("2025-01-24T07:30:00Z", ev::Resolved{"fixed"});
    CHECK(j.action<actions::CancelFollowUp>() != nullptr);
    CHECK(j.action<actions::ScheduleFollowUp>()->follow_up.kind == FollowUpKind::satisfaction_check);
    // The update timer cancelled above is stale if it fires anyway.
    j.on("2025-01-24T07:35:00Z", ev::TimerFired{first});
    CHECK(j.last.findings.empty());
  }

  TEST_CASE("a 2-working-day promise made on Friday 2025-01-24 15:00 lapses on Monday 21:00 and escalates") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::PromiseMade{"an engineer will call you", 2, {}, {}});
    auto* s = j.action<actions::ScheduleFollowUp>();
    REQUIRE(s);
    CHECK(s->follow_up.kind == FollowUpKind::promise);
    // Sunday 2025-01-26 is a make-up working day (调休); Monday 27th is the second.
    CHECK(s->follow_up.due_at_utc == at("2025-01-27T21:00:00+08:00"));
    j.on("2025-01-27T13:00:00Z", ev::TimerFired{s->follow_up.id});
    CHECK(j.found("promise.lapsed"));
    CHECK(j.c.promises().front().state == PromiseState::lapsed);
    CHECK(j.c.priority() == Priority::high);
    CHECK(j.action<actions::Escalate>() != nullptr);
  }

  TEST_CASE("the third contact from the same number attaches, surfaces the history and escalates") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, phone("138 1234 5678"), "TV broken"});
    j.on("2025-01-25T07:00:00Z", ev::ContactReceived{Channel::phone, phone("+86 138-1234-5678"), "again"});
    CHECK(j.found("contact.repeat"));
    CHECK(j.action<actions::SurfaceHistory>() != nullptr);
    CHECK(j.action<actions::Escalate>() == nullptr);
    CHECK(j.c.priority() == Priority::high);
    j.on("2025-01-27T07:00:00Z", ev::ContactReceived{Channel::app, phone("8613812345678"), "third time"});
    CHECK(j.action<actions::Escalate>() != nullptr);
    CHECK(j.c.contact_points().size() == 1);
    CHECK(j.c.channels().size() == 2);
    CHECK(j.c.priority() == Priority::urgent);
  }

  TEST_CASE("a safety threat's emergency is the very first action, and abuse found later does not remove it") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::SafetyRiskReported{"photo of a wrist, says they will hurt themselves"});
    REQUIRE(!j.last.actions.empty());
    CHECK(std::holds_alternative<actions::Emergency>(j.last.actions.front()));
    CHECK(j.c.priority() == Priority::emergency);
    j.on("2025-01-24T09:00:00Z", ev::AbuseEstablished{"the photo was taken from the internet"});
    CHECK(j.c.flags().abuse);
    CHECK(j.c.flags().safety);
    CHECK(j.c.priority() == Priority::emergency);
    CHECK(j.found("abuse.recorded"));
  }

  TEST_CASE("a cited precedent that paid cash for no loss is flagged as an outlier, never copied") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", order_with_loss("O-2", Loss::nothing(Currency::CNY)));
    j.on("2025-01-24T07:01:00Z",
         ev::PrecedentCited{"order O-1 (friend)", RemedyKind::cash, cny("200"), Loss::nothing(Currency::CNY)});
    CHECK(j.found("precedent.outlier"));
    CHECK(j.c.flags().precedent_claim);
    CHECK(j.action<actions::Escalate>() != nullptr);
    CHECK(j.c.remedies().empty());
    j.on("2025-01-24T07:02:00Z", ev::NeedStated{"200 cash like my friend"});
    j.on("2025-01-24T07:03:00Z", ev::RemedyProposed{remedy_id("R-1"), RemedyKind::cash, cny("200"), order_id("O-2")});
    CHECK(j.found("remedy.cash_without_loss"));
  }

  TEST_CASE("a precedent in proportion to its loss is consistent") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:01:00Z", ev::PrecedentCited{"order O-9", RemedyKind::cash, cny("80"),
                                                    Loss{LossKind::money, cny("80"), std::nullopt}});
    CHECK(j.found("precedent.consistent"));
    CHECK_FALSE(j.found("precedent.outlier"));
  }

  TEST_CASE("two cases with the same finding message and root cause hold each text once") {
    auto policy = reference_policy();
    auto close_early = [&] {
      Journey j{policy, new_case()};
      j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::chat, std::nullopt, ""});
      j.on("2025-01-24T07:10:00Z", ev::RootCauseRecorded{{"coupon.expiry", "no reminder before expiry"}});
      j.on("2025-01-24T07:11:00Z", ev::CloseRequested{});
      return j.c;
    };
    Case a = close_early();
    Case b = close_early();
    REQUIRE(!a.findings().empty());
    REQUIRE(b.findings().size() == a.findings().size());
    CHECK(a.findings()[0].message == b.findings()[0].message);
    CHECK(held_at(a.findings()[0].message) == held_at(b.findings()[0].message));
    REQUIRE(a.root_cause());
    CHECK(a.root_cause()->category == "coupon.expiry");
    CHECK(held_at(a.root_cause()->description) == held_at(b.root_cause()->description));
  }

  TEST_CASE("a shared text reads as its text, compares with text and outlives the text it was made from") {
    std::string made_from = "the customer has not confirmed a neutral or positive feeling";
    SharedText text(made_from);
    made_from.assign(made_from.size(), 'x');
    CHECK(text == "the customer has not confirmed a neutral or positive feeling");
    CHECK(text.view().size() == text.size());
    CHECK(std::string_view(text.c_str()) == text.view());
    CHECK(text.find("neutral") != std::string_view::npos);
    CHECK(text.str() == std::string(text.view()));
    SharedText copy = text;
    CHECK(copy == text);
    CHECK(held_at(copy) == held_at(text));
    CHECK(SharedText("another text") != text);
    CHECK(SharedText().empty());
    CHECK(SharedText("") == SharedText());
    CHECK(SharedText().c_str() == std::string_view());
    CHECK(SharedText(std::string("a\0b", 3)).size() == 3);
  }

  TEST_CASE("a shared text dropped by every holder is made again from its text") {
    std::string_view text = "a text held by nobody else in this program: 7f3a9c";
    {
      SharedText first(text);
      CHECK(first == text);
    }
    SharedText again(text);
    CHECK(again == text);
    CHECK(again.size() == text.size());
  }

  TEST_CASE("shared texts made, copied and dropped on several threads stay whole") {
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&wrong, t] {
        for (int i = 0; i < 2000; ++i) {
          std::string want = fmt::format("message {}", i % 7);
          SharedText a(want);
          SharedText b = a;
          SharedText c(fmt::format("thread {} message {}", t, i % 3));
          if (b != want || a.c_str() != b.c_str() || c.view().find("message") == std::string_view::npos) ++wrong;
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(wrong.load() == 0);
  }

  TEST_CASE("closing needs a resolution, a confirmed neutral or positive feeling and a root cause") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::chat, std::nullopt, ""});
    j.on("2025-01-24T07:10:00Z", ev::Resolved{"coupon re-issued"});
    j.on("2025-01-24T07:11:00Z", ev::CloseRequested{});
    CHECK(j.found("close.feeling_unconfirmed"));
    CHECK(j.found("close.root_cause_missing"));
    CHECK(j.c.stage() != Stage::closed);
    j.on("2025-01-24T07:12:00Z", ev::SatisfactionConfirmed{Emotion::make(EmotionKind::angry, 4).value()});
    CHECK(j.found("close.feeling_negative"));
    j.on("2025-01-24T07:13:00Z", ev::RootCauseRecorded{{"coupon.expiry", "no reminder before expiry"}});
    j.on("2025-01-24T07:14:00Z", ev::CloseRequested{});
    CHECK(j.found("close.feeling_unconfirmed"));
    j.on("2025-01-24T07:15:00Z", ev::SatisfactionConfirmed{Emotion::make(EmotionKind::satisfied, 6).value()});
    j.on("2025-01-24T07:16:00Z", ev::CloseRequested{});
    CHECK(j.last.findings.empty());
    CHECK(j.c.stage() == Stage::closed);
    CHECK(j.c.pending_follow_ups().empty());
    CHECK(j.action<actions::Close>() != nullptr);
    auto r = j.try_apply("2025-01-24T08:00:00Z", ev::ApologyGiven{"sorry"});
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_event);
  }

  TEST_CASE("an out-of-scope request gets the reason and an alternative, and help given anyway is recorded") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::OutOfScopeRequest{"I overslept, book me a taxi now", true});
    auto* reply = j.action<actions::Reply>();
    REQUIRE(reply);
    CHECK(reply->text.find("can't book rides") != std::string::npos);
    CHECK(reply->text.find("hotline") != std::string::npos);
    CHECK(j.found("scope.out_of_scope"));
    CHECK(j.found("scope.beyond_help"));
    CHECK(j.c.flags().beyond_scope_help);
  }

  TEST_CASE("failure signals crossing the threshold open a proactive case whose first action is an apology") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::FailureSignal{"coupon redemption failed", 2});
    CHECK(j.last.actions.empty());
    j.on("2025-01-24T07:01:00Z", ev::FailureSignal{"coupon redemption failed", 1});
    REQUIRE(!j.last.actions.empty());
    auto* reply = std::get_if<actions::Reply>(&j.last.actions.front());
    REQUIRE(reply);
    CHECK(reply->text.find("apologise") != std::string::npos);
    CHECK(j.c.flags().proactive);
    CHECK(j.found("proactive.opened"));
  }

  TEST_CASE("a coupon expiring soon gets a reminder inside the customer's contact window, earlier rather than later") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    // Expires at the end of 2025-02-10 (Shanghai); 48 hours earlier is 02-09 00:00, before the window opens at 10:00.
    // The lead is a minimum: the reminder moves to the last minute of the window the evening before.
    j.on("2025-01-24T07:00:00Z", ev::RightExpiring{order_id("O-1"), Right{"coupon", cny("20"),
                                                                          parse_date("2025-02-10").value(), 0}});
    auto* s = j.action<actions::ScheduleFollowUp>();
    REQUIRE(s);
    CHECK(s->follow_up.kind == FollowUpKind::reminder);
    CHECK(s->follow_up.due_at_utc == at("2025-02-08T19:59:00+08:00"));
  }

  TEST_CASE("an apology that says 'sorry, but this is our policy' is flagged by the reply lint") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ApologyGiven{"Sorry, but this is our policy and the system states it clearly."});
    bool linted = false;
    for (const auto& f : j.last.findings) linted |= f.code.starts_with("lint.");
    CHECK(linted);
    CHECK(j.c.apologies() == 1);
    j.on("2025-01-24T07:01:00Z",
         ev::ApologyGiven{"I completely understand how frustrating this is; it was our mistake and I'll fix it now."});
    CHECK(j.c.apologies() == 2);
  }

  TEST_CASE("the same canned update sent a third time in one case is flagged as a repeated reply") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    const std::string canned = "Your case has been escalated to the relevant team. We will update you as soon as possible.";
    j.on("2025-01-24T07:00:00Z", ev::ApologyGiven{"I'm sorry the parcel is late; I've asked the courier to trace it."});
    j.on("2025-01-24T07:20:00Z", ev::ProgressUpdateSent{canned});
    CHECK_FALSE(j.found("lint.reply.repeated"));
    // Nearly the same: one word changed still reads as the script it is.
    j.on("2025-01-24T07:40:00Z",
         ev::ProgressUpdateSent{"Your case has been escalated to the relevant team. We will update you as soon as we can."});
    CHECK(j.found("lint.reply.repeated"));
    j.on("2025-01-24T08:00:00Z", ev::ProgressUpdateSent{canned});
    CHECK(j.found("lint.reply.repeated"));
    // A reply written for this customer is no repeat.
    j.on("2025-01-24T08:20:00Z",
         ev::ProgressUpdateSent{"The courier found your parcel at the Pudong depot; it will reach you by 6pm today."});
    CHECK_FALSE(j.found("lint.reply.repeated"));
    CHECK(j.c.reply_fingerprints().size() == 5);
  }

  TEST_CASE("a policy that turns reply.repeated off gets no repeated-reply finding") {
    auto policy = reference_policy({{"lint", boost::json::object{{"disabled", boost::json::array{"reply.repeated"}}}}});
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ProgressUpdateSent{"We are still looking into it."});
    j.on("2025-01-24T07:20:00Z", ev::ProgressUpdateSent{"We are still looking into it."});
    CHECK_FALSE(j.found("lint.reply.repeated"));
  }

  TEST_CASE("a reply in a language the lint does not read is lint.unsupported_language, with one lint prefix") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z",
         ev::ApologyGiven{"Es tut mir leid, aber das ist unsere Richtlinie. Da kann ich leider nichts machen."});
    CHECK(j.found("lint.unsupported_language"));
    for (const auto& f : j.last.findings) CHECK_FALSE(f.code.starts_with("lint.lint."));
  }

  TEST_CASE("an apology that is not valid UTF-8 is rejected and the case is unchanged") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    Case before = j.c;
    auto r = j.try_apply("2025-01-24T07:00:00Z", ev::ApologyGiven{std::string("sorry \xff\xfe")});
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_utf8);
    CHECK(j.c == before);
  }

  TEST_CASE("a policy that throws is reported as policy_failed and the case is unchanged") {
    struct Throwing final : Policy {
      result<const Settings*> settings(const Case&) const override { throw std::runtime_error("database down"); }
      result<std::optional<Money>> authority(int, RemedyKind) const override { return std::nullopt; }
      result<const Calendar*> calendar(const Case&) const override { return nullptr; }
      result<ScopeAnswer> scope(const Case&, std::string_view) const override { return ScopeAnswer{}; }
    } policy;
    Case c = new_case();
    Case before = c;
    Event e{c.id(), at("2025-01-24T07:00:00Z"), std::nullopt, ev::ApologyGiven{"sorry"}};
    auto r = apply(c, e, policy, e.at_utc);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::policy_failed);
    CHECK(last_error_detail().find("database down") != std::string_view::npos);
    CHECK(c == before);
  }

  TEST_CASE("replaying a generated journal reproduces the case exactly") {
    auto policy = reference_policy();
    std::mt19937 rng(20250124);
    for (int trial = 0; trial < 50; ++trial) {
      CAPTURE(trial);
      Case start = new_case();
      Case live = start;
      std::vector<Event> journal;
      Instant t = at("2025-01-24T07:00:00Z");
      int remedies = 0;
      for (int i = 0; i < 60; ++i) {
        t += boost::posix_time::seconds(std::uniform_int_distribution<int>(0, 3600)(rng));
        EventBody body;
        switch (std::uniform_int_distribution<int>(0, 11)(rng)) {
          case 0: body = ev::ContactReceived{Channel::phone, phone("13812345678"), "hello"}; break;
          case 1: body = ev::ApologyGiven{"sorry"}; break;
          case 2: body = ev::ForgivenessSignalled{}; break;
          case 3: body = ev::NeedStated{"refund"}; break;
          case 4: body = ev::FactsReviewed{"checked"}; break;
          case 5:
            body = ev::RemedyProposed{remedy_id(fmt::format("R-{}", ++remedies)), RemedyKind::cash,
                                      cny(std::to_string(std::uniform_int_distribution<int>(0, 400)(rng))),
                                      std::nullopt};
            break;
          case 6: body = ev::RemedyGranted{remedy_id(fmt::format("R-{}", std::max(1, remedies)))}; break;
          case 7: body = ev::ProgressUpdateSent{"working on it"}; break;
          case 8: body = ev::PromiseMade{"call back", 1 + static_cast<int>(rng() % 3), {}, {}}; break;
          case 9:
            if (live.pending_follow_ups().empty()) continue;
            body = ev::TimerFired{live.pending_follow_ups().front().id};
            break;
          case 10: body = ev::EmotionObserved{Emotion::make(EmotionKind::angry, static_cast<int>(rng() % 11)).value()}; break;
          default: body = ev::QuestionAsked{"which order?"}; break;
        }
        Event e{live.id(), t, std::nullopt, body};
        auto step = apply(live, e, policy, t);
        if (!step) continue;  // rejected events are not journalled
        auto again = apply(live, e, policy, t);
        REQUIRE(again);
        CHECK(again.value().next == step.value().next);
        CHECK(again.value().actions == step.value().actions);
        live = step.value().next;
        journal.push_back(e);
      }
      CHECK(journal.size() >= 30);  // the generator must exercise the engine, not be rejected
      auto replayed = replay(start, journal, policy);
      REQUIRE(replayed);
      CHECK(replayed.value() == live);
      CHECK(replayed.value().events_applied() == journal.size());
    }
  }

  TEST_CASE("an invalid policy document names the offending field") {
    SUBCASE("a limit that is not an amount") {
      boost::json::object extra;
      extra["authority"] = boost::json::parse(R"([{"level": 0, "limit": "two hundred"}])");
      auto r = ReferencePolicy::from_json(policy_document(extra));
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_amount);
      CHECK(last_error_detail().find("policy.authority[0].limit") != std::string_view::npos);
    }
    SUBCASE("an unknown severity") {
      boost::json::object extra;
      extra["severities"] = boost::json::object{{"remedy.before_need", "fatal"}};
      auto r = ReferencePolicy::from_json(policy_document(extra));
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_json);
      CHECK(last_error_detail().find("policy.severities.remedy.before_need") != std::string_view::npos);
    }
    SUBCASE("a missing calendar") {
      auto doc = policy_document();
      doc.erase("calendar");
      auto r = ReferencePolicy::from_json(doc);
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_json);
      CHECK(last_error_detail().find("policy.calendar") != std::string_view::npos);
    }
  }

  TEST_CASE("the front line may grant 200 CNY alone when the policy names no authority") {
    auto doc = policy_document();
    doc.erase("authority");
    auto policy = ReferencePolicy::from_json(doc).value();
    CHECK(policy.authority(0, RemedyKind::cash).value() == cny("200"));
    CHECK_FALSE(policy.authority(1, RemedyKind::cash).value().has_value());
  }
}

TEST_SUITE("engine input checks") {
  TEST_CASE("authority limits that decrease with the level are refused, naming the level's limit") {
    boost::json::object extra;
    extra["authority"] = boost::json::parse(R"([{"level": 0, "limit": "200"}, {"level": 1, "limit": "100"}, {"level": 2}])");
    auto r = ReferencePolicy::from_json(policy_document(extra));
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_json);
    CHECK(last_error_detail().find("policy.authority[1].limit") != std::string_view::npos);
    CHECK(last_error_detail().find("must not decrease") != std::string_view::npos);
  }

  TEST_CASE("a limit by kind below the level beneath it is refused, and an equal one is accepted") {
    boost::json::object extra;
    extra["authority"] = boost::json::parse(
        R"([{"level": 0, "limit": "200", "by_kind": {"cash": "50"}}, {"level": 1, "limit": "2000", "by_kind": {"cash": "20"}}])");
    auto r = ReferencePolicy::from_json(policy_document(extra));
    REQUIRE_FALSE(r);
    CHECK(last_error_detail().find("policy.authority[1].by_kind.cash") != std::string_view::npos);
    extra["authority"] = boost::json::parse(
        R"([{"level": 0, "limit": "200", "by_kind": {"cash": "50"}}, {"level": 1, "limit": "50"}])");
    CHECK_FALSE(ReferencePolicy::from_json(policy_document(extra)));
    extra["authority"] = boost::json::parse(R"([{"level": 0, "limit": "200"}, {"level": 1, "limit": "200"}, {"level": 2}])");
    CHECK(ReferencePolicy::from_json(policy_document(extra)));
  }

  TEST_CASE("a limit after an unlimited level is refused") {
    boost::json::object extra;
    extra["authority"] = boost::json::parse(R"([{"level": 0, "limit": "200"}, {"level": 1}, {"level": 2, "limit": "5000"}])");
    auto r = ReferencePolicy::from_json(policy_document(extra));
    REQUIRE_FALSE(r);
    CHECK(last_error_detail().find("policy.authority[2].limit") != std::string_view::npos);
    CHECK(last_error_detail().find("no limit") != std::string_view::npos);
  }

  TEST_CASE("a severity override for a code the engine never reports is refused") {
    boost::json::object extra;
    extra["severities"] = boost::json::object{{"remedy.befor_need", "block"}};
    auto r = ReferencePolicy::from_json(policy_document(extra));
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_json);
    CHECK(last_error_detail().find("policy.severities.remedy.befor_need: not a finding code") != std::string_view::npos);
    extra["severities"] = boost::json::object{{"lint.policy_speak", "block"}, {"close.unresolved", "warn"}};
    CHECK(ReferencePolicy::from_json(policy_document(extra)));
    extra["severities"] = boost::json::object{{"lint.no_such_code", "block"}};
    CHECK_FALSE(ReferencePolicy::from_json(policy_document(extra)));
  }

  TEST_CASE("the finding codes a policy may name are those docs/engine.md lists") {
    std::ifstream in(std::string(REDRESS_TEST_SOURCE_DIR) + "/../docs/engine.md");
    REQUIRE(in);
    std::vector<std::string> documented;
    bool in_table = false;
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("## ")) in_table = line == "## Every finding code";
      if (!in_table || !line.starts_with("| `")) continue;
      auto code = line.substr(3, line.find('`', 3) - 3);
      if (!code.starts_with("lint.")) documented.push_back(code);  // lint codes: docs/lint.md
    }
    auto codes = engine_finding_codes();
    CHECK(std::vector<std::string>(codes.begin(), codes.end()) == documented);
    for (const auto& code : documented) CHECK(is_finding_code(code));
    CHECK(is_finding_code("lint.reply.repeated"));
    CHECK_FALSE(is_finding_code("lint."));
    CHECK_FALSE(is_finding_code("remedy"));
  }

  TEST_CASE("a contact text over 64 KB is refused, naming the field, and the case is unchanged") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    Case before = j.c;
    auto r = j.try_apply("2025-01-24T07:00:00Z",
                         ev::ContactReceived{Channel::chat, std::nullopt, std::string(kMaxEventTextBytes + 1, 'x')});
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_event);
    CHECK(last_error_detail().find("text: 65537 bytes") != std::string_view::npos);
    CHECK(j.c == before);
    CHECK(j.try_apply("2025-01-24T07:00:00Z",
                      ev::ContactReceived{Channel::chat, std::nullopt, std::string(kMaxEventTextBytes, 'x')}));
  }

  TEST_CASE("a root cause with a NUL byte is refused, naming the field") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    auto r = j.try_apply("2025-01-24T07:00:00Z",
                         ev::RootCauseRecorded{RootCause{"coupon", std::string("expired\0early", 13)}});
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_event);
    CHECK(last_error_detail().find("description: contains a NUL byte") != std::string_view::npos);
  }

  TEST_CASE("a promise with both working days and working time is refused") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    auto r = j.try_apply("2025-01-24T07:00:00Z", ev::PromiseMade{"call back", 2, boost::posix_time::hours(2)});
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_event);
    CHECK(last_error_detail().find("working_days and working_time") != std::string_view::npos);
    CHECK(j.try_apply("2025-01-24T07:00:00Z", ev::PromiseMade{"call back", 2, {}}));
  }

  TEST_CASE("a timer for a follow-up the case never scheduled is refused, and one cancelled since is only stale") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    auto r = j.try_apply("2025-01-24T07:00:00Z", ev::TimerFired{FollowUpId::make("F-404").value()});
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_event);
    CHECK(last_error_detail().find("follow_up: F-404 was never scheduled") != std::string_view::npos);
    CHECK_FALSE(j.try_apply("2025-01-24T07:00:00Z", ev::TimerFired{FollowUpId::make("C-1#1").value()}));
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::chat, std::nullopt, "where is my coupon"});
    auto* s = j.action<actions::ScheduleFollowUp>();
    REQUIRE(s);
    FollowUpId update = s->follow_up.id;
    j.on("2025-01-24T07:05:00Z", ev::ProgressUpdateSent{"looking into it"});
    const auto& stale = j.on("2025-01-24T07:40:00Z", ev::TimerFired{update});
    CHECK(std::any_of(stale.trace.begin(), stale.trace.end(), [](const TraceEntry& t) { return t.rule == "timer.stale"; }));
    CHECK_FALSE(j.try_apply("2025-01-24T07:41:00Z", ev::TimerFired{FollowUpId::make("C-1#999").value()}));
  }
}
