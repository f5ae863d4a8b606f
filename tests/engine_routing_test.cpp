// The engine's decision support: the escalation ladder, caps that route a
// remedy upward, the approval clock, proactive remedies.
#include "support/engine_fixture.hpp"

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

namespace {

// The reference policy, with what other cases already gave this customer and
// this incident group, as a host's records would show.
class WithPriorSpend final : public ForwardingPolicy {
 public:
  WithPriorSpend(const ReferencePolicy& base, Spend spend) : ForwardingPolicy(base), spend_(std::move(spend)) {}
  result<Spend> prior_spend(const Case&) const override { return spend_; }

 private:
  Spend spend_;
};

template <class A>
int count(const Step& step) {
  int n = 0;
  for (const auto& a : step.actions) n += std::holds_alternative<A>(a);
  return n;
}

bool traced(const Step& step, std::string_view rule, std::string_view part) {
  for (const auto& t : step.trace) {
    if (t.rule == rule && t.detail.find(part) != std::string::npos) return true;
  }
  return false;
}

// Links a coupon that expired three days before, then proposes extending it.
void link_and_extend_coupon(Journey& j, std::string_view linked_at, std::string_view proposed_at) {
  j.on(linked_at, order_with_loss("O-1", coupon_expired_on("2025-03-02")));
  j.on(proposed_at, ev::RemedyProposed{remedy_id("R-1"), RemedyKind::extension, cny("0"), order_id("O-1")});
}

}  // namespace

TEST_SUITE("engine routing") {
  TEST_CASE("escalations climb the ladder one level at a time, name the role, and stay at the top") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "TV broken"});
    auto update = j.action<actions::ScheduleFollowUp>()->follow_up.id;
    CHECK(j.c.escalation_level() == 0);

    // No update and no promise within the 20 minutes (a promise would have
    // stood in for the update: promise_covers_updates).
    j.on("2025-01-24T07:20:00Z", ev::TimerFired{update});
    REQUIRE(j.action<actions::Escalate>());
    CHECK(j.action<actions::Escalate>()->level == 1);
    CHECK(j.action<actions::Escalate>()->to == "supervisor");
    j.on("2025-01-24T07:25:00Z", ev::PromiseMade{"an engineer will call you", 2, {}, {}});
    auto promise = j.action<actions::ScheduleFollowUp>()->follow_up.id;

    j.on("2025-01-25T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "again"});
    j.on("2025-01-26T07:00:00Z", ev::ContactReceived{Channel::app, std::nullopt, "third time"});
    REQUIRE(j.action<actions::Escalate>());
    CHECK(j.action<actions::Escalate>()->level == 2);
    CHECK(j.action<actions::Escalate>()->to == "service manager");

    j.on("2025-01-27T13:00:00Z", ev::TimerFired{promise});
    REQUIRE(j.action<actions::Escalate>());
    CHECK(j.action<actions::Escalate>()->level == 3);
    CHECK(j.action<actions::Escalate>()->to == "head of service");

    j.on("2025-01-28T07:00:00Z", ev::ContactReceived{Channel::email, std::nullopt, "fourth time"});
    REQUIRE(j.action<actions::Escalate>());
    CHECK(j.action<actions::Escalate>()->level == 3);
    CHECK(traced(j.last, "escalation.ladder", "stays at level 3"));

    REQUIRE(j.c.escalations().size() == 4);
    CHECK(j.c.escalations()[0].level == 1);
    CHECK(j.c.escalations()[0].at_utc == at("2025-01-24T07:20:00Z"));
    CHECK(j.c.escalations()[0].cause == "update.missed");
    CHECK(j.c.escalations()[1].cause == "contact.repeat");
    CHECK(j.c.escalations()[2].cause == "promise.lapsed");
    CHECK(j.c.escalations()[2].level == 3);
    CHECK(j.c.escalation_level() == 3);
  }

  TEST_CASE("a policy names the ladder's roles, and its top is where escalations stop") {
    boost::json::object extra;
    extra["escalation_levels"] = boost::json::array{"一线客服", "值班主管"};
    auto policy = reference_policy(extra);
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z",
         ev::PrecedentCited{"order O-1", RemedyKind::cash, cny("200"), Loss::nothing(Currency::CNY)});
    REQUIRE(j.action<actions::Escalate>());
    CHECK(j.action<actions::Escalate>()->to == "值班主管");
    j.on("2025-01-24T07:01:00Z",
         ev::PrecedentCited{"order O-2", RemedyKind::cash, cny("300"), Loss::nothing(Currency::CNY)});
    CHECK(j.action<actions::Escalate>()->level == 1);
    CHECK(j.c.escalation_level() == 1);
  }

  TEST_CASE("priority stays at the top: a repeat contact at urgent says so instead of raised") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, ""});
    j.on("2025-01-24T08:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, ""});
    CHECK(traced(j.last, "contact.repeat", "raised to high"));
    j.on("2025-01-24T09:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, ""});
    CHECK(j.c.priority() == Priority::urgent);
    CHECK_FALSE(j.found("priority.at_top"));
    j.on("2025-01-24T10:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, ""});
    CHECK(j.c.priority() == Priority::urgent);
    CHECK(j.found("priority.at_top"));
    CHECK(traced(j.last, "contact.repeat", "stays at the top"));
    CHECK_FALSE(traced(j.last, "contact.repeat", "raised"));
  }

  TEST_CASE("the priority scale is ordered normal < high < urgent < emergency") {
    CHECK(Priority::normal < Priority::high);
    CHECK(Priority::high < Priority::urgent);
    CHECK(Priority::urgent < Priority::emergency);
  }

  TEST_CASE("five linked orders asking 200 each: over the group cap they go to approval, never rejected") {
    boost::json::object extra;
    extra["incident_group_cap"] = "400";
    auto base = reference_policy(extra);
    for (int i = 0; i < 5; ++i) {
      CAPTURE(i);
      // Each order is its own case; the host reports what the group already received.
      WithPriorSpend policy(base, Spend{cny(std::to_string(200 * i)), std::nullopt, std::nullopt});
      auto j = money_loss_case(policy, "200");
      j.propose("2025-01-24T07:02:00Z", "R-1", RemedyKind::cash, "200");
      const Remedy* r = j.c.find_remedy(remedy_id("R-1"));
      if (i < 2) {
        CHECK_FALSE(j.found("remedy.over_cap"));
        CHECK(j.action<actions::Offer>() != nullptr);
        CHECK(r->status == RemedyStatus::proposed);
      } else {
        CHECK(j.found("remedy.over_cap"));
        CHECK(j.action<actions::Offer>() == nullptr);
        REQUIRE(j.action<actions::RequestApproval>() != nullptr);
        CHECK(j.action<actions::RequestApproval>()->level == 1);
        CHECK(r->status == RemedyStatus::approval_requested);
        CHECK(r->approval_level == 1);
      }
    }
  }

  TEST_CASE("the policy names the level a cap routes to, and the front line cannot approve below it") {
    boost::json::object extra;
    extra["incident_group_cap"] = "300";
    extra["cap_approval_levels"] = boost::json::object{{"incident_group", 2}};
    auto policy = reference_policy(extra);
    auto j = money_loss_case(policy, "400");
    j.propose("2025-01-24T07:02:00Z", "R-1", RemedyKind::cash, "350");
    REQUIRE(j.action<actions::RequestApproval>() != nullptr);
    CHECK(j.action<actions::RequestApproval>()->level == 2);
    Case before = j.c;
    auto r = j.try_apply("2025-01-24T07:03:00Z", ev::RemedyApproved{remedy_id("R-1"), agent_id("A-sup"), 1});
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_event);
    CHECK(std::string(last_error_detail()).find("level 2 (service manager)") != std::string::npos);
    CHECK(j.c == before);
    j.on("2025-01-24T07:04:00Z", ev::RemedyApproved{remedy_id("R-1"), agent_id("A-mgr"), 2});
    CHECK(j.action<actions::Offer>() != nullptr);
  }

  TEST_CASE("a policy can still block remedies over a cap") {
    boost::json::object extra;
    extra["incident_group_cap"] = "300";
    extra["severities"] = boost::json::object{{"remedy.over_cap", "block"}};
    auto policy = reference_policy(extra);
    auto j = money_loss_case(policy, "400");
    j.propose("2025-01-24T07:02:00Z", "R-1", RemedyKind::cash, "350");
    CHECK(j.found("remedy.over_cap"));
    CHECK(j.action<actions::RequestApproval>() == nullptr);
    CHECK(j.action<actions::ScheduleFollowUp>() == nullptr);
    CHECK(j.c.find_remedy(remedy_id("R-1"))->status == RemedyStatus::rejected);
  }

  TEST_CASE("a customer's fourth remedy in 30 days goes to a supervisor for approval") {
    boost::json::object extra;
    extra["customer_cap_count"] = 3;
    auto base = reference_policy(extra);
    WithPriorSpend third(base, Spend{std::nullopt, std::nullopt, 2});
    auto j3 = money_loss_case(third, "20");
    j3.propose("2025-01-24T07:02:00Z", "R-1", RemedyKind::extra, "20");
    CHECK_FALSE(j3.found("remedy.over_cap"));
    CHECK(j3.action<actions::Offer>() != nullptr);

    WithPriorSpend fourth(base, Spend{std::nullopt, std::nullopt, 3});
    auto j = money_loss_case(fourth, "20");
    j.propose("2025-01-24T07:02:00Z", "R-1", RemedyKind::extra, "20");
    CHECK(j.found("remedy.over_cap"));
    REQUIRE(j.action<actions::RequestApproval>() != nullptr);
    CHECK(j.action<actions::RequestApproval>()->level == 1);
    // A non-material remedy is not counted.
    j.propose("2025-01-24T07:03:00Z", "R-2", RemedyKind::non_material, "0");
    CHECK_FALSE(j.found("remedy.over_cap"));
    CHECK(j.action<actions::Offer>() != nullptr);
  }

  TEST_CASE("remedies on the same case count toward the customer's count cap") {
    boost::json::object extra;
    extra["customer_cap_count"] = 1;
    auto policy = reference_policy(extra);
    auto j = money_loss_case(policy, "50");
    j.propose("2025-01-24T07:02:00Z", "R-1", RemedyKind::extra, "10");
    CHECK_FALSE(j.found("remedy.over_cap"));
    j.propose("2025-01-24T07:03:00Z", "R-2", RemedyKind::extra, "10");
    CHECK(j.found("remedy.over_cap"));
    CHECK(j.action<actions::RequestApproval>() != nullptr);
  }

  TEST_CASE("an approval nobody answers within 30 working minutes goes one level up and tells the agent what to say") {
    auto policy = reference_policy();
    auto j = money_loss_case(policy, "500");
    j.propose("2025-01-24T07:02:00Z", "R-1", RemedyKind::cash, "500");
    REQUIRE(j.action<actions::RequestApproval>() != nullptr);
    auto* timer = j.action<actions::ScheduleFollowUp>();
    REQUIRE(timer);
    CHECK(timer->follow_up.kind == FollowUpKind::approval);
    // Friday 15:02 in Beijing, inside service hours: due at 15:32.
    CHECK(timer->follow_up.due_at_utc == at("2025-01-24T07:32:00Z"));
    auto id = timer->follow_up.id;

    j.on("2025-01-24T07:32:00Z", ev::TimerFired{id});
    CHECK(j.found("approval.timed_out"));
    REQUIRE(j.action<actions::RequestApproval>() != nullptr);
    CHECK(j.action<actions::RequestApproval>()->level == 2);
    REQUIRE(j.action<actions::Escalate>() != nullptr);
    CHECK(j.action<actions::Escalate>()->level == 2);
    REQUIRE(j.action<actions::Reply>() != nullptr);
    CHECK(j.action<actions::Reply>()->text.find("service manager") != std::string::npos);
    CHECK(j.c.find_remedy(remedy_id("R-1"))->approval_level == 2);
    // The clock starts again for the next level.
    REQUIRE(j.action<actions::ScheduleFollowUp>() != nullptr);
    CHECK(j.action<actions::ScheduleFollowUp>()->follow_up.kind == FollowUpKind::approval);
  }

  TEST_CASE("an approval in time stops its clock, and only then does the framing mention a supervisor") {
    auto policy = reference_policy();
    auto j = money_loss_case(policy, "500");
    j.propose("2025-01-24T07:02:00Z", "R-1", RemedyKind::cash, "500");
    auto id = j.action<actions::ScheduleFollowUp>()->follow_up.id;
    j.on("2025-01-24T07:10:00Z", ev::RemedyApproved{remedy_id("R-1"), agent_id("A-sup"), 1});
    REQUIRE(j.action<actions::CancelFollowUp>() != nullptr);
    CHECK(j.action<actions::CancelFollowUp>()->follow_up == id);
    REQUIRE(j.action<actions::Offer>() != nullptr);
    CHECK(j.action<actions::Offer>()->framing.find("supervisor") != std::string::npos);
    j.on("2025-01-24T07:32:00Z", ev::TimerFired{id});
    CHECK(j.last.findings.empty());
  }

  TEST_CASE("a cash offer the front line makes alone never says a supervisor was asked") {
    auto policy = reference_policy();
    auto j = money_loss_case(policy, "30");
    j.propose("2025-01-24T07:02:00Z", "R-1", RemedyKind::cash, "30");
    REQUIRE(j.action<actions::Offer>() != nullptr);
    CHECK(j.action<actions::Offer>()->framing.find("supervisor") == std::string::npos);
  }

  TEST_CASE("a rejected request stops its approval clock") {
    auto policy = reference_policy();
    auto j = money_loss_case(policy, "500");
    j.propose("2025-01-24T07:02:00Z", "R-1", RemedyKind::cash, "500");
    j.on("2025-01-24T07:05:00Z", ev::RemedyRejected{remedy_id("R-1"), agent_id("A-sup"), "too much"});
    CHECK(j.action<actions::CancelFollowUp>() != nullptr);
    CHECK(j.c.pending_follow_ups().empty());
  }

  TEST_CASE("a proactive case may offer an extension without the customer stating a need") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2025-03-05T02:00:00Z")};
    j.on("2025-03-05T02:00:00Z", ev::FailureSignal{"coupon checkout failure", 3});
    REQUIRE(j.c.flags().proactive);
    link_and_extend_coupon(j, "2025-03-05T02:01:00Z", "2025-03-05T02:02:00Z");
    CHECK_FALSE(j.found("remedy.before_need"));
    CHECK(j.action<actions::Offer>() != nullptr);
  }

  TEST_CASE("a case the customer opened still needs a stated need before a remedy") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2025-03-05T02:00:00Z")};
    j.on("2025-03-05T02:00:00Z", ev::ContactReceived{Channel::chat, std::nullopt, "my coupon"});
    j.on("2025-03-05T02:01:00Z", ev::FailureSignal{"coupon checkout failure", 3});
    CHECK_FALSE(j.c.flags().proactive);
    link_and_extend_coupon(j, "2025-03-05T02:02:00Z", "2025-03-05T02:03:00Z");
    CHECK(j.found("remedy.before_need"));
  }

  TEST_CASE("bad routing settings in a policy are refused with the field's path") {
    policy_refused({{"escalation_levels", boost::json::array{"front line"}}}, "policy.escalation_levels");
    policy_refused({{"escalation_levels", boost::json::array{"front line", ""}}}, "policy.escalation_levels[1]");
    policy_refused({{"cap_approval_levels", boost::json::object{{"group", 1}}}}, "policy.cap_approval_levels.group");
    policy_refused({{"cap_approval_levels", boost::json::object{{"customer", 9}}}}, "policy.cap_approval_levels.customer");
    policy_refused({{"customer_cap_count", -1}}, "policy.customer_cap_count");
    policy_refused({{"approval_timeout", "PT0M"}}, "policy.approval_timeout");
  }
}
