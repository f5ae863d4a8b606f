// The engine's clocks: promises kept or broken, a promise that stands in for
// the update clock, the emergency that counts as an update, pauses while the
// case waits on the customer or a third party.
#include "support/engine_fixture.hpp"

#include <redress/analytics.hpp>
#include <redress/journal.hpp>

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

namespace {

// The follow-ups of `kind` the last step scheduled.
std::vector<FollowUp> scheduled(const Journey& j, FollowUpKind kind) {
  std::vector<FollowUp> out;
  for (const auto& a : j.last.actions) {
    if (auto s = std::get_if<actions::ScheduleFollowUp>(&a); s && s->follow_up.kind == kind) out.push_back(s->follow_up);
  }
  return out;
}

// When the one follow-up of `kind` the last step scheduled is due (none
// if it scheduled none or several).
std::optional<Instant> scheduled_due(const Journey& j, FollowUpKind kind) {
  auto s = scheduled(j, kind);
  return s.size() == 1 ? std::optional<Instant>(s.front().due_at_utc) : std::nullopt;
}

// The case's pending follow-up of `kind`, if any.
std::optional<FollowUp> pending(const Case& c, FollowUpKind kind) {
  for (const auto& f : c.pending_follow_ups()) {
    if (f.kind == kind) return f;
  }
  return std::nullopt;
}

bool traced(const Journey& j, std::string_view rule) {
  for (const auto& t : j.last.trace) {
    if (t.rule == rule) return true;
  }
  return false;
}

bool cancelled(const Journey& j, const FollowUpId& id) {
  for (const auto& a : j.last.actions) {
    if (auto c = std::get_if<actions::CancelFollowUp>(&a); c && c->follow_up == id) return true;
  }
  return false;
}

// Friday 2025-03-07 15:20 in Shanghai: a complaint, then at 15:30 a promise
// of a reply in 2 working days (Tuesday 2025-03-11, close of service).
Journey promised_on_friday(const Policy& policy) {
  Journey j{policy, new_case("2025-03-07T07:20:00Z")};
  j.on("2025-03-07T15:20:00+08:00", ev::ContactReceived{Channel::phone, std::nullopt, "the TV shows no picture"});
  j.on("2025-03-07T15:30:00+08:00", ev::PromiseMade{"an engineer will reply", 2, {}, {}});
  return j;
}

// Reminds a silent customer after 1 working day, resolves after 3.
ReferencePolicy reminding_policy() {
  boost::json::object extra;
  extra["awaiting_customer"] = boost::json::parse(R"({"remind_after_working_days": 1, "auto_resolve_after_working_days": 3})");
  return reference_policy(extra);
}

// Monday 2025-03-10 10:00 in Shanghai: a complaint by e-mail; at 10:10 the
// case waits on the customer's photo of the label.
Journey waiting_since_monday(const Policy& policy) {
  Journey j{policy, new_case("2025-03-10T02:00:00Z")};
  j.on("2025-03-10T10:00:00+08:00", ev::ContactReceived{Channel::email, std::nullopt, "wrong size delivered"});
  j.on("2025-03-10T10:10:00+08:00", ev::AwaitingCustomer{"a photo of the label"});
  return j;
}

// The reference policy with these warnings (`warnings`, as JSON).
ReferencePolicy warning_policy(std::string_view warnings) {
  boost::json::object extra;
  extra["warnings"] = boost::json::parse(warnings);
  return reference_policy(extra);
}

// The reference policy with this target matrix (`targets`, as JSON).
ReferencePolicy target_policy(std::string_view targets) {
  boost::json::object extra;
  extra["targets"] = boost::json::parse(targets);
  return reference_policy(extra);
}

// Why the reference policy refuses `key` set to `json` (the error detail);
// fails the test when it is accepted.
std::string refusal(std::string_view key, std::string_view json) {
  boost::json::object extra;
  extra[key] = boost::json::parse(json);
  auto r = ReferencePolicy::from_json(policy_document(extra));
  REQUIRE_FALSE(r);
  return std::string(last_error_detail());
}

}  // namespace

TEST_SUITE("clocks") {
  TEST_CASE("a promise of a reply in 2 working days on Friday 15:30 stands in for the 20-minute updates") {
    auto policy = reference_policy();
    Journey j = promised_on_friday(policy);
    CHECK(scheduled_due(j, FollowUpKind::promise) == at("2025-03-11T21:00:00+08:00"));
    CHECK(scheduled(j, FollowUpKind::update).empty());
    CHECK(traced(j, "update.covered"));
    CHECK_FALSE(pending(j.c, FollowUpKind::update).has_value());
    // The update that was due at 15:40 was cancelled; fired anyway, it is stale.
    j.on("2025-03-07T15:40:00+08:00", ev::TimerFired{FollowUpId::make("C-1#1").value()});
    CHECK_FALSE(j.found("update.missed"));
    CHECK(j.action<actions::Escalate>() == nullptr);
  }

  TEST_CASE("an agent's update while a promise covers the updates schedules no update clock") {
    auto policy = reference_policy();
    Journey j = promised_on_friday(policy);
    j.on("2025-03-08T10:00:00+08:00", ev::ProgressUpdateSent{"The engineer has your case."});
    CHECK(scheduled(j, FollowUpKind::update).empty());
    CHECK(traced(j, "update.covered"));
  }

  TEST_CASE("with promise_covers_updates off, a promise leaves the update clock running") {
    boost::json::object extra;
    extra["promise_covers_updates"] = false;
    auto policy = reference_policy(extra);
    Journey j = promised_on_friday(policy);
    CHECK_FALSE(traced(j, "update.covered"));
    auto update = pending(j.c, FollowUpKind::update);
    REQUIRE(update.has_value());
    CHECK(update->due_at_utc == at("2025-03-07T15:40:00+08:00"));
  }

  TEST_CASE("a contact newer than the promise restarts the 20-minute clock") {
    auto policy = reference_policy();
    Journey j = promised_on_friday(policy);
    j.on("2025-03-10T11:00:00+08:00", ev::ContactReceived{Channel::chat, std::nullopt, "any news?"});
    CHECK(scheduled_due(j, FollowUpKind::update) == at("2025-03-10T11:20:00+08:00"));
    // An update answers the contact; the promise no longer covers, so the clock goes on.
    j.on("2025-03-10T11:10:00+08:00", ev::ProgressUpdateSent{"The engineer calls you this afternoon."});
    CHECK(scheduled_due(j, FollowUpKind::update) == at("2025-03-10T11:30:00+08:00"));
  }

  TEST_CASE("a contact on Saturday, when service is closed, gets its update when service and the window open on Monday") {
    auto policy = reference_policy();
    Journey j = promised_on_friday(policy);
    j.on("2025-03-08T11:00:00+08:00", ev::ContactReceived{Channel::chat, std::nullopt, "any news?"});
    CHECK(scheduled_due(j, FollowUpKind::update) == at("2025-03-10T10:00:00+08:00"));
  }

  TEST_CASE("a promise kept before its deadline cancels its timer: no promise.lapsed, no escalation") {
    auto policy = reference_policy();
    Journey j = promised_on_friday(policy);
    FollowUpId timer = j.c.promises().front().follow_up;
    j.on("2025-03-10T10:00:00+08:00", ev::PromiseKept{});
    CHECK(j.c.promises().front().state == PromiseState::kept);
    CHECK(cancelled(j, timer));
    CHECK_FALSE(pending(j.c, FollowUpKind::promise).has_value());
    // The case is still open: the 20-minute rule is back.
    CHECK(scheduled_due(j, FollowUpKind::update) == at("2025-03-10T10:20:00+08:00"));
    j.on("2025-03-11T21:00:00+08:00", ev::TimerFired{timer});
    CHECK_FALSE(j.found("promise.lapsed"));
    CHECK(j.action<actions::Escalate>() == nullptr);
    CHECK(j.c.priority() == Priority::normal);
  }

  TEST_CASE("promise_kept names a promise by its follow-up id; an unknown id is refused and changes nothing") {
    auto policy = reference_policy();
    Journey j = promised_on_friday(policy);
    j.on("2025-03-07T15:31:00+08:00", ev::PromiseMade{"a refund within 4 service hours", 0, boost::posix_time::hours(4), {}});
    FollowUpId second = j.c.promises()[1].follow_up;
    Case before = j.c;
    auto r = j.try_apply("2025-03-07T16:00:00+08:00", ev::PromiseKept{FollowUpId::make("C-1#99").value()});
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_event);
    CHECK(last_error_detail().find("promise: C-1#99") != std::string_view::npos);
    CHECK(j.c == before);
    j.on("2025-03-07T16:00:00+08:00", ev::PromiseKept{second});
    CHECK(j.c.promises()[0].state == PromiseState::open);
    CHECK(j.c.promises()[1].state == PromiseState::kept);
    // The first promise is still open and still covers the updates.
    CHECK(scheduled(j, FollowUpKind::update).empty());
  }

  TEST_CASE("keeping a promise twice, or with none open, is refused") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, ""});
    auto none = j.try_apply("2025-01-24T07:01:00Z", ev::PromiseKept{});
    REQUIRE_FALSE(none);
    CHECK(last_error_detail().find("no open promise") != std::string_view::npos);
    j.on("2025-01-24T07:02:00Z", ev::PromiseMade{"a call back", 1, {}, {}});
    FollowUpId id = j.c.promises().front().follow_up;
    j.on("2025-01-24T07:03:00Z", ev::PromiseKept{id});
    auto twice = j.try_apply("2025-01-24T07:04:00Z", ev::PromiseKept{id});
    REQUIRE_FALSE(twice);
    CHECK(last_error_detail().find("already kept") != std::string_view::npos);
  }

  TEST_CASE("a promise kept after it lapsed stays lapsed and is noted as promise.kept_late") {
    auto policy = reference_policy();
    Journey j = promised_on_friday(policy);
    FollowUpId timer = j.c.promises().front().follow_up;
    j.on("2025-03-11T21:00:00+08:00", ev::TimerFired{timer});
    CHECK(j.found("promise.lapsed"));
    j.on("2025-03-12T09:30:00+08:00", ev::PromiseKept{timer});  // a lapsed promise is named by its id
    CHECK(j.found("promise.kept_late"));
    CHECK(j.c.promises().front().state == PromiseState::lapsed);
  }

  TEST_CASE("a promise known to fail escalates at once, and its timer no longer fires") {
    auto policy = reference_policy();
    Journey j = promised_on_friday(policy);
    FollowUpId timer = j.c.promises().front().follow_up;
    j.on("2025-03-10T09:00:00+08:00", ev::PromiseBroken{std::nullopt, "the engineer is ill"});
    CHECK(j.found("promise.broken"));
    CHECK(j.c.promises().front().state == PromiseState::broken);
    CHECK(cancelled(j, timer));
    REQUIRE(j.action<actions::Escalate>() != nullptr);
    CHECK(j.action<actions::Escalate>()->level == 1);
    CHECK(j.c.priority() == Priority::high);
    CHECK(scheduled(j, FollowUpKind::update).size() == 1);
    j.on("2025-03-11T21:00:00+08:00", ev::TimerFired{timer});
    CHECK(j.last.findings.empty());
  }

  TEST_CASE("an emergency escalation counts as the update for its period") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, ""});
    FollowUpId first = j.action<actions::ScheduleFollowUp>()->follow_up.id;
    j.on("2025-01-24T07:15:00Z", ev::SafetyRiskReported{"I will hurt myself"});
    CHECK(std::holds_alternative<actions::Emergency>(j.last.actions.front()));
    CHECK(cancelled(j, first));
    CHECK(scheduled_due(j, FollowUpKind::update) == at("2025-01-24T07:35:00Z"));
  }

  TEST_CASE("a question that waits for the customer's photo stops the update clock until they answer") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::chat, std::nullopt, "the screen is cracked"});
    FollowUpId first = j.action<actions::ScheduleFollowUp>()->follow_up.id;
    j.on("2025-01-24T07:05:00Z", ev::QuestionAsked{"Could you send us a photo of the screen?", true});
    CHECK(cancelled(j, first));
    CHECK(scheduled(j, FollowUpKind::update).empty());
    CHECK(j.c.awaiting_customer_since() == at("2025-01-24T07:05:00Z"));
    j.on("2025-01-24T07:20:00Z", ev::TimerFired{first});
    CHECK_FALSE(j.found("update.missed"));
    // An update sent while waiting does not restart the clock either.
    j.on("2025-01-24T08:00:00Z", ev::ProgressUpdateSent{"We are still waiting for your photo."});
    CHECK(scheduled(j, FollowUpKind::update).empty());
    CHECK(traced(j, "update.paused"));
    // The photo arrives three hours after the question: not a repeat contact.
    j.on("2025-01-24T10:05:00Z", ev::ContactReceived{Channel::chat, std::nullopt, "here is the photo"});
    CHECK_FALSE(j.found("contact.repeat"));
    CHECK(j.c.priority() == Priority::normal);
    CHECK_FALSE(j.c.awaiting_customer_since().has_value());
    CHECK(j.c.paused_total() == boost::posix_time::hours(3));
    CHECK(scheduled_due(j, FollowUpKind::update) == at("2025-01-24T10:25:00Z"));
  }

  TEST_CASE("a question that needs no answer pauses nothing") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::chat, std::nullopt, ""});
    j.on("2025-01-24T07:05:00Z", ev::QuestionAsked{"Is it plugged in?"});
    CHECK_FALSE(j.c.awaiting_customer_since().has_value());
    CHECK(pending(j.c, FollowUpKind::update).has_value());
  }

  TEST_CASE("a silent customer is reminded inside the contact window and the case resolves after N working days") {
    auto policy = reminding_policy();
    Journey j = waiting_since_monday(policy);
    auto reminder = scheduled(j, FollowUpKind::customer_reminder);
    REQUIRE(reminder.size() == 1);
    // One working day ends Tuesday 21:00, after the contact window closes at
    // 20:00: the reminder moves earlier, to the window's last minute.
    CHECK(reminder.front().due_at_utc == at("2025-03-11T19:59:00+08:00"));
    CHECK(scheduled_due(j, FollowUpKind::auto_resolve) == at("2025-03-13T21:00:00+08:00"));
    FollowUp resolve = *pending(j.c, FollowUpKind::auto_resolve);

    j.on("2025-03-11T19:59:00+08:00", ev::TimerFired{reminder.front().id});
    REQUIRE(j.action<actions::Reply>() != nullptr);
    CHECK(j.c.awaiting_customer_since().has_value());

    j.on("2025-03-13T21:00:00+08:00", ev::TimerFired{resolve.id});
    CHECK(j.found("pause.auto_resolved"));
    CHECK(j.c.resolved());
    CHECK_FALSE(j.c.awaiting_customer_since().has_value());
    CHECK(j.c.paused_total() == at("2025-03-13T21:00:00+08:00") - at("2025-03-10T10:10:00+08:00"));
    CHECK(scheduled(j, FollowUpKind::satisfaction_check).size() == 1);
  }

  TEST_CASE("the customer's answer cancels the reminder and the auto-resolve") {
    auto policy = reminding_policy();
    Journey j = waiting_since_monday(policy);
    j.on("2025-03-10T12:00:00+08:00", ev::ContactReceived{Channel::email, std::nullopt, "photo attached"});
    CHECK_FALSE(pending(j.c, FollowUpKind::customer_reminder).has_value());
    CHECK_FALSE(pending(j.c, FollowUpKind::auto_resolve).has_value());
    CHECK(traced(j, "pause.ended"));
  }

  TEST_CASE("waiting on the customer after resolution is refused") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::Resolved{"fixed"});
    Case before = j.c;
    auto r = j.try_apply("2025-01-24T07:01:00Z", ev::AwaitingCustomer{"a photo"});
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_event);
    CHECK(j.c == before);
  }

  TEST_CASE("a courier that misses its own deadline escalates; one that answers in time does not") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2025-03-10T02:00:00Z")};
    j.on("2025-03-10T10:00:00+08:00", ev::ContactReceived{Channel::phone, std::nullopt, "parcel lost"});
    j.on("2025-03-10T10:05:00+08:00", ev::AwaitingThirdParty{"SF Express", 1, {}});
    CHECK(scheduled_due(j, FollowUpKind::third_party) == at("2025-03-11T21:00:00+08:00"));
    FollowUp deadline = *pending(j.c, FollowUpKind::third_party);
    // The customer's clock keeps running while we wait on the courier.
    CHECK(pending(j.c, FollowUpKind::update).has_value());
    REQUIRE(j.c.third_parties().size() == 1);
    CHECK(j.c.third_parties().front().waiting());

    SUBCASE("late") {
      j.on("2025-03-11T21:00:00+08:00", ev::TimerFired{deadline.id});
      CHECK(j.found("third_party.late"));
      CHECK(j.action<actions::Escalate>() != nullptr);
    }
    SUBCASE("in time") {
      j.on("2025-03-11T09:00:00+08:00", ev::ThirdPartyAnswered{"SF Express"});
      CHECK(cancelled(j, deadline.id));
      CHECK(j.c.third_parties().front().answered_at_utc == at("2025-03-11T09:00:00+08:00"));
      auto again = j.try_apply("2025-03-11T09:01:00+08:00", ev::ThirdPartyAnswered{"SF Express"});
      REQUIRE_FALSE(again);
      CHECK(last_error_detail().find("not waiting on \"SF Express\"") != std::string_view::npos);
    }
  }

  TEST_CASE("waiting twice on the same party, or on no party, is refused") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    REQUIRE_FALSE(j.try_apply("2025-01-24T07:00:00Z", ev::AwaitingThirdParty{"", 0, {}}));
    CHECK(last_error_detail().find("party is empty") != std::string_view::npos);
    j.on("2025-01-24T07:00:00Z", ev::AwaitingThirdParty{"engineer", 0, {}});
    CHECK(j.c.pending_follow_ups().empty());
    REQUIRE_FALSE(j.try_apply("2025-01-24T07:01:00Z", ev::AwaitingThirdParty{"engineer", 0, {}}));
    CHECK(last_error_detail().find("already waiting") != std::string_view::npos);
  }

  TEST_CASE("the new events and settings survive JSON") {
    std::vector<EventBody> bodies{
        ev::PromiseKept{FollowUpId::make("C-1#2").value()}, ev::PromiseKept{},
        ev::PromiseBroken{std::nullopt, "engineer ill"},    ev::AwaitingCustomer{"a photo"},
        ev::AwaitingThirdParty{"SF Express", 2, {}},        ev::ThirdPartyAnswered{"SF Express"},
        ev::QuestionAsked{"a photo?", true}};
    for (auto& body : bodies) {
      Event e{case_id(), at("2025-01-24T07:00:00Z"), std::nullopt, body};
      auto back = event_from_json(to_json(e));
      REQUIRE_MESSAGE(back.has_value(), std::string(last_error_detail()));
      CHECK(back.value() == e);
    }
    CHECK(refusal("awaiting_customer", R"({"remind_after_working_days": 3, "auto_resolve_after_working_days": 2})")
              .find("policy.awaiting_customer.remind_after_working_days") != std::string::npos);
    CHECK(refusal("awaiting_customer", R"({"remind_after_days": 1})").find("remind_after_days: unknown member") != std::string::npos);
  }

  TEST_CASE("an update due in 20 minutes is warned of 5 minutes before, and the warning goes with its clock") {
    auto policy = warning_policy(R"({"update": "PT5M"})");
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, ""});
    CHECK(scheduled_due(j, FollowUpKind::update_warning) == at("2025-01-24T07:15:00Z"));
    FollowUp first = *pending(j.c, FollowUpKind::update_warning);
    j.on("2025-01-24T07:15:00Z", ev::TimerFired{first.id});
    CHECK(j.found("update.due_soon"));
    auto* warn = j.action<actions::Warn>();
    REQUIRE(warn != nullptr);
    CHECK(warn->clock == "update");
    CHECK(warn->due_at_utc == at("2025-01-24T07:20:00Z"));
    // An update in time moves the clock and its warning on.
    j.on("2025-01-24T07:18:00Z", ev::ProgressUpdateSent{"still on it"});
    CHECK(scheduled_due(j, FollowUpKind::update_warning) == at("2025-01-24T07:33:00Z"));
    FollowUp second = *pending(j.c, FollowUpKind::update_warning);
    // Resolution cancels the update clock, and its warning with it.
    j.on("2025-01-24T07:25:00Z", ev::Resolved{"fixed"});
    CHECK(cancelled(j, second.id));
    CHECK_FALSE(pending(j.c, FollowUpKind::update_warning).has_value());
  }

  TEST_CASE("a promise is warned of 4 service hours before it lapses, and keeping it cancels the warning") {
    auto policy = warning_policy(R"({"promise": "PT4H"})");
    Journey j = promised_on_friday(policy);
    // Due Tuesday 2025-03-11 21:00: four service hours before is 17:00.
    CHECK(scheduled_due(j, FollowUpKind::promise_warning) == at("2025-03-11T17:00:00+08:00"));
    REQUIRE(j.c.promises().front().warning.has_value());
    FollowUpId warning = *j.c.promises().front().warning;

    SUBCASE("the warning fires") {
      j.on("2025-03-11T17:00:00+08:00", ev::TimerFired{warning});
      CHECK(j.found("promise.due_soon"));
      REQUIRE(j.action<actions::Warn>() != nullptr);
      CHECK(j.action<actions::Warn>()->clock == "promise");
      CHECK(j.action<actions::Warn>()->due_at_utc == at("2025-03-11T21:00:00+08:00"));
    }
    SUBCASE("kept first") {
      j.on("2025-03-10T10:00:00+08:00", ev::PromiseKept{});
      CHECK(cancelled(j, warning));
      j.on("2025-03-11T17:00:00+08:00", ev::TimerFired{warning});
      CHECK(j.action<actions::Warn>() == nullptr);
    }
  }

  TEST_CASE("a promise warning counts service hours across the night") {
    auto policy = warning_policy(R"({"promise": "PT4H"})");
    Journey j{policy, new_case("2025-03-10T02:00:00Z")};
    // Monday 10:00 + 12 service hours is Tuesday 10:00 (service 09:00-21:00);
    // four service hours before: one on Tuesday morning, three on Monday evening.
    j.on("2025-03-10T10:00:00+08:00", ev::PromiseMade{"a refund", 0, boost::posix_time::hours(12), {}});
    CHECK(j.c.promises().front().due_at_utc == at("2025-03-11T10:00:00+08:00"));
    CHECK(scheduled_due(j, FollowUpKind::promise_warning) == at("2025-03-10T18:00:00+08:00"));
  }

  TEST_CASE("a promise shorter than the warning lead gets no warning; a lead as long as the update interval is refused") {
    auto policy = warning_policy(R"({"promise": "PT4H"})");
    Journey j{policy, new_case("2025-03-10T02:00:00Z")};
    j.on("2025-03-10T10:00:00+08:00", ev::PromiseMade{"a call back", 0, boost::posix_time::hours(2), {}});
    CHECK(scheduled(j, FollowUpKind::promise_warning).empty());
    CHECK_FALSE(j.c.promises().front().warning.has_value());

    CHECK(refusal("warnings", R"({"update": "PT20M"})").find("policy.warnings.update") != std::string::npos);
    CHECK(refusal("warnings", R"({"resolution": "PT1H"})").find("resolution: unknown member") != std::string::npos);
  }

  TEST_CASE("a chat at 22:30 with service hours ending at 21:00 is not escalated at 22:50 when its target is on service hours") {
    auto policy = target_policy(R"([{"channel": "chat", "first_response": "PT20M", "update": "PT20M", "on": "service_hours"}])");
    Journey j{policy, new_case("2025-03-10T14:30:00Z")};
    j.on("2025-03-10T22:30:00+08:00", ev::ContactReceived{Channel::chat, std::nullopt, "my order vanished"});
    // Service opens again at 09:00: twenty service minutes later is 09:20,
    // and the customer's contact window opens at 10:00.
    CHECK(scheduled_due(j, FollowUpKind::update) == at("2025-03-11T10:00:00+08:00"));
    CHECK(traced(j, "update.target"));
    CHECK_FALSE(pending(j.c, FollowUpKind::resolution).has_value());
  }

  TEST_CASE("a phone call at 14:30 falls to the around-the-clock row and is due at 14:50, and at 22:30 it waits for the contact window") {
    auto policy = target_policy(R"([{"channel": "chat", "first_response": "PT20M", "on": "service_hours"},
                                    {"first_response": "PT20M", "on": "around_the_clock"}])");
    Journey day{policy, new_case("2025-03-10T06:30:00Z")};
    day.on("2025-03-10T14:30:00+08:00", ev::ContactReceived{Channel::phone, std::nullopt, "my order vanished"});
    CHECK(scheduled_due(day, FollowUpKind::update) == at("2025-03-10T14:50:00+08:00"));
    Journey night{policy, new_case("2025-03-10T14:30:00Z")};
    night.on("2025-03-10T22:30:00+08:00", ev::ContactReceived{Channel::phone, std::nullopt, "my order vanished"});
    CHECK(scheduled_due(night, FollowUpKind::update) == at("2025-03-11T10:00:00+08:00"));
  }

  TEST_CASE("targets differ by priority: an urgent case gets 5-minute updates once its priority rises") {
    auto policy = target_policy(R"([{"priority": "high", "first_response": "PT10M", "update": "PT5M"},
                                    {"first_response": "PT15M", "update": "PT30M"}])");
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, ""});
    CHECK(scheduled_due(j, FollowUpKind::update) == at("2025-01-24T07:15:00Z"));  // first response, normal
    j.on("2025-01-24T07:10:00Z", ev::ProgressUpdateSent{"on it"});
    CHECK(scheduled_due(j, FollowUpKind::update) == at("2025-01-24T07:40:00Z"));  // update, normal
    j.on("2025-01-24T07:20:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "again"});  // a repeat: high
    REQUIRE(j.c.priority() == Priority::high);
    CHECK(scheduled_due(j, FollowUpKind::update) == at("2025-01-24T07:25:00Z"));
  }

  TEST_CASE("a resolution clock runs from the first contact, stands still while we wait on the customer, and escalates when missed") {
    auto policy = target_policy(R"([{"first_response": "PT20M", "update": "PT20M", "resolution": "PT4H"}])");
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::email, std::nullopt, ""});
    CHECK(scheduled_due(j, FollowUpKind::resolution) == at("2025-01-24T11:00:00Z"));
    CHECK(j.c.resolution_due_at_utc() == at("2025-01-24T11:00:00Z"));
    j.on("2025-01-24T08:00:00Z", ev::AwaitingCustomer{"the invoice"});
    CHECK_FALSE(pending(j.c, FollowUpKind::resolution).has_value());
    // Two hours of waiting move the target two hours on.
    j.on("2025-01-24T10:00:00Z", ev::ContactReceived{Channel::email, std::nullopt, "invoice attached"});
    CHECK(scheduled_due(j, FollowUpKind::resolution) == at("2025-01-24T13:00:00Z"));
    FollowUp resolution = *pending(j.c, FollowUpKind::resolution);

    SUBCASE("missed") {
      j.on("2025-01-24T10:10:00Z", ev::ProgressUpdateSent{"checking the invoice"});
      j.on("2025-01-24T13:00:00Z", ev::TimerFired{resolution.id});
      CHECK(j.found("resolution.missed"));
      CHECK(j.action<actions::Escalate>() != nullptr);
    }
    SUBCASE("resolved in time") {
      j.on("2025-01-24T12:00:00Z", ev::Resolved{"refunded"});
      CHECK(cancelled(j, resolution.id));
      CHECK_FALSE(j.c.resolution_due_at_utc().has_value());
    }
  }

  TEST_CASE("a target row with an unknown member, a bad channel or a non-positive target is refused naming it") {
    CHECK(refusal("targets", R"([{"channel": "fax"}])").find("policy.targets[0].channel") != std::string::npos);
    CHECK(refusal("targets", R"([{"update": "PT0M"}])").find("policy.targets[0].update: must be positive") != std::string::npos);
    CHECK(refusal("targets", R"([{"within": "PT1H"}])").find("within: unknown member") != std::string::npos);
    CHECK(refusal("targets", R"([{"on": "office_hours"}])").find("service_hours or around_the_clock") != std::string::npos);
  }

  // --- contact windows on every outbound contact, deadline rules, public
  // reviews, provisional and changed calendars

  TEST_CASE("an update that would fall after the contact window closes is due when it opens the next morning") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2025-03-10T11:50:00Z")};
    j.on("2025-03-10T19:50:00+08:00", ev::ContactReceived{Channel::chat, std::nullopt, "my parcel is stuck"});
    // 20:10 is outside 10:00-20:00: the update may come later, never earlier.
    CHECK(scheduled_due(j, FollowUpKind::update) == at("2025-03-11T10:00:00+08:00"));
    CHECK(traced(j, "contact.window"));
    j.on("2025-03-11T15:00:00+08:00", ev::ProgressUpdateSent{"customs are checking it"});
    CHECK(scheduled_due(j, FollowUpKind::update) == at("2025-03-11T15:20:00+08:00"));
    CHECK_FALSE(traced(j, "contact.window"));
  }

  TEST_CASE("a customer in London gets the update at 10:00 on their own clock, 18:00 in Shanghai") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2025-03-10T08:00:00Z")};
    j.on("2025-03-10T16:00:00+08:00", ev::CustomerTimeZone{TimeZone::named("Europe/London").value()});
    REQUIRE(j.c.customer_time_zone().has_value());
    j.on("2025-03-10T16:00:00+08:00", ev::ContactReceived{Channel::email, std::nullopt, "my order never shipped"});
    CHECK(scheduled_due(j, FollowUpKind::update) == at("2025-03-10T10:00:00+00:00"));
  }

  TEST_CASE("the policy's contact-window zone is the customers' default, and a zone of their own wins") {
    boost::json::object extra;
    extra["contact_window"] = boost::json::parse(R"({"opens": "10:00:00", "closes": "20:00:00", "time_zone": "Asia/Tokyo"})");
    auto policy = reference_policy(extra);
    Journey j{policy, new_case("2025-03-10T01:00:00Z")};
    // 09:00 in Shanghai is 10:00 in Tokyo: 09:20 in Shanghai is inside the window.
    j.on("2025-03-10T09:00:00+08:00", ev::ContactReceived{Channel::email, std::nullopt, "wrong colour"});
    CHECK(scheduled_due(j, FollowUpKind::update) == at("2025-03-10T09:20:00+08:00"));
    CHECK(refusal("contact_window", R"({"opens": "10:00:00", "closes": "20:00:00", "time_zone": "Mars/Olympus"})")
              .find("policy.contact_window.time_zone") != std::string::npos);
    CHECK(refusal("contact_window", R"({"opens": "10:00:30", "closes": "20:00:00"})").find("whole minutes") !=
          std::string::npos);
  }

  TEST_CASE("a satisfaction check due at 20:30 waits for the contact window the next working morning") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2025-03-10T12:00:00Z")};
    j.on("2025-03-10T20:00:00+08:00", ev::ContactReceived{Channel::phone, std::nullopt, "the fridge is warm"});
    j.on("2025-03-10T20:30:00+08:00", ev::Resolved{"engineer fixed it"});
    CHECK(scheduled_due(j, FollowUpKind::satisfaction_check) == at("2025-03-12T10:00:00+08:00"));
  }

  TEST_CASE("a promised callback's deadline moves earlier into the contact window, while a reply keeps close of service") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2025-03-07T07:20:00Z")};
    j.on("2025-03-07T15:20:00+08:00", ev::ContactReceived{Channel::phone, std::nullopt, "the TV shows no picture"});
    j.on("2025-03-07T15:30:00+08:00", ev::PromiseMade{"an engineer will call", 2, {}, PromiseKind::callback});
    // Close of service Tuesday 21:00 is after the window: the last minute before it is 19:59.
    CHECK(scheduled_due(j, FollowUpKind::promise) == at("2025-03-11T19:59:00+08:00"));
    CHECK(j.c.promises().back().kind == PromiseKind::callback);
    j.on("2025-03-07T15:31:00+08:00", ev::PromiseMade{"a written answer", 2, {}, PromiseKind::reply});
    CHECK(scheduled_due(j, FollowUpKind::promise) == at("2025-03-11T21:00:00+08:00"));
  }

  TEST_CASE("a callback counted in business time is due at the same time two working days later") {
    boost::json::object extra;
    extra["deadlines"] = boost::json::parse(R"({"callback": "business_time"})");
    auto policy = reference_policy(extra);
    Journey j{policy, new_case("2025-03-07T07:00:00Z")};
    j.on("2025-03-07T15:00:00+08:00", ev::ContactReceived{Channel::phone, std::nullopt, "no picture"});
    j.on("2025-03-07T15:00:00+08:00", ev::PromiseMade{"an engineer will call", 2, {}, PromiseKind::callback});
    CHECK(scheduled_due(j, FollowUpKind::promise) == at("2025-03-11T15:00:00+08:00"));
    j.on("2025-03-07T15:00:00+08:00", ev::PromiseMade{"a refund", 2, {}, PromiseKind::action});
    CHECK(scheduled_due(j, FollowUpKind::promise) == at("2025-03-11T21:00:00+08:00"));
    CHECK(refusal("deadlines", R"({"visit": "business_time"})").find("policy.deadlines.visit") != std::string::npos);
    CHECK(refusal("deadlines", R"({"reply": "by_tomorrow"})").find("close_of_service or business_time") !=
          std::string::npos);
  }

  TEST_CASE("a negative review starts a public-reply clock of 4 service hours, and a reply in time stops it") {
    boost::json::object extra;
    extra["public_reply_within"] = "PT4H";
    auto policy = reference_policy(extra);
    Journey j{policy, new_case("2025-03-10T10:00:00Z")};
    j.on("2025-03-10T18:00:00+08:00", ev::ContactReceived{Channel::review, std::nullopt, "one star"});
    CHECK(scheduled(j, FollowUpKind::public_reply).empty());
    j.on("2025-03-10T18:01:00+08:00", ev::EmotionObserved{Emotion::make(EmotionKind::angry, 8).value()});
    // 18:00-21:00, then 09:00-10:00 the next morning.
    CHECK(scheduled_due(j, FollowUpKind::public_reply) == at("2025-03-11T10:00:00+08:00"));
    REQUIRE(j.c.public_reviews().size() == 1);
    j.on("2025-03-10T18:30:00+08:00", ev::EmotionObserved{Emotion::make(EmotionKind::angry, 9).value()});
    CHECK(scheduled(j, FollowUpKind::public_reply).empty());  // one clock per review
    auto id = j.c.public_reviews()[0].follow_up.value();
    j.on("2025-03-11T09:30:00+08:00", ev::PublicReplySent{"We are sorry; a replacement is on its way."});
    CHECK(cancelled(j, id));
    CHECK(j.c.public_reviews()[0].answered_on_time());
    CHECK_FALSE(j.found("public_reply.late"));
  }

  TEST_CASE("a public reply that never comes escalates once, and the late reply is noted") {
    boost::json::object extra;
    extra["public_reply_within"] = "PT2H";
    auto policy = reference_policy(extra);
    Journey j{policy, new_case("2025-03-10T06:00:00Z")};
    j.on("2025-03-10T14:00:00+08:00", ev::ContactReceived{Channel::social, std::nullopt, "never again"});
    j.on("2025-03-10T14:00:00+08:00", ev::EmotionObserved{Emotion::make(EmotionKind::angry, 7).value()});
    auto f = pending(j.c, FollowUpKind::public_reply).value();
    CHECK(f.due_at_utc == at("2025-03-10T16:00:00+08:00"));
    j.on("2025-03-10T16:00:00+08:00", ev::TimerFired{f.id});
    CHECK(j.found("public_reply.missed"));
    CHECK(j.action<actions::Escalate>() != nullptr);
    j.on("2025-03-10T17:00:00+08:00", ev::PublicReplySent{"We are sorry for the wait."});
    CHECK(j.found("public_reply.late"));
    CHECK_FALSE(j.c.public_reviews()[0].answered_on_time());
  }

  TEST_CASE("a calm review starts no clock, and a public reply on a case with no public contact is refused") {
    boost::json::object extra;
    extra["public_reply_within"] = "PT4H";
    auto policy = reference_policy(extra);
    Journey j{policy, new_case("2025-03-10T06:00:00Z")};
    j.on("2025-03-10T14:00:00+08:00", ev::ContactReceived{Channel::phone, std::nullopt, "hello"});
    REQUIRE_FALSE(j.try_apply("2025-03-10T14:05:00+08:00", ev::PublicReplySent{"thanks"}));
    CHECK(last_error_detail().find("no public contact") != std::string_view::npos);
    j.on("2025-03-10T14:10:00+08:00", ev::ContactReceived{Channel::review, std::nullopt, "four stars"});
    j.on("2025-03-10T14:10:00+08:00", ev::EmotionObserved{Emotion::make(EmotionKind::satisfied, 6).value()});
    CHECK(j.c.public_reviews().empty());
    j.on("2025-03-10T14:20:00+08:00", ev::PublicReplySent{"Thank you for the kind words."});
    CHECK(traced(j, "public_reply.sent"));
  }

  TEST_CASE("a deadline in a provisional calendar year carries a calendar.provisional finding, and one in an official year does not") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2027-01-08T02:00:00Z")};
    j.on("2027-01-08T10:00:00+08:00", ev::ContactReceived{Channel::phone, std::nullopt, "the heater broke"});
    j.on("2027-01-08T10:05:00+08:00", ev::PromiseMade{"an engineer will reply", 2, {}, {}});
    CHECK(j.found("calendar.provisional"));
    CHECK(traced(j, "calendar.provisional"));
    auto official = promised_on_friday(policy);
    CHECK_FALSE(official.found("calendar.provisional"));
  }

  TEST_CASE("a new calendar re-times an open promise whose deadline changes, with a reschedule action and a trace") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2027-01-08T02:00:00Z")};
    j.on("2027-01-08T10:00:00+08:00", ev::ContactReceived{Channel::phone, std::nullopt, "the heater broke"});
    j.on("2027-01-08T10:05:00+08:00", ev::PromiseMade{"an engineer will reply", 2, {}, {}});
    const Promise before = j.c.promises().back();
    CHECK(before.due_at_utc == at("2027-01-12T21:00:00+08:00"));
    // The official calendar: Monday 11 January is a holiday after all.
    boost::json::object extra;
    boost::json::value cal = policy_document().at("calendar");
    cal.as_object()["holidays"].as_array().push_back("2027-01-11");
    extra["calendar"] = cal;
    auto updated = reference_policy(extra);
    Event changed{j.c.id(), at("2027-01-09T12:00:00+08:00"), std::nullopt, ev::CalendarChanged{}};
    auto step = apply(j.c, changed, updated, changed.at_utc);
    REQUIRE(step);
    const Promise& after = step.value().next.promises().back();
    CHECK(after.due_at_utc == at("2027-01-13T21:00:00+08:00"));
    CHECK(after.follow_up != before.follow_up);
    const actions::RescheduleFollowUp* moved = nullptr;
    for (const auto& a : step.value().actions) {
      if (auto r = std::get_if<actions::RescheduleFollowUp>(&a)) moved = r;
    }
    REQUIRE(moved != nullptr);
    CHECK(moved->replaces == before.follow_up);
    CHECK(moved->follow_up.due_at_utc == after.due_at_utc);
    CHECK(moved->why.find("an engineer will reply") != std::string::npos);
    bool pending_old = false, pending_new = false;
    for (const auto& f : step.value().next.pending_follow_ups()) {
      pending_old |= f.id == before.follow_up;
      pending_new |= f.id == after.follow_up;
    }
    CHECK_FALSE(pending_old);
    CHECK(pending_new);
    // The same calendar again changes nothing.
    auto again = apply(step.value().next, changed, updated, changed.at_utc);
    REQUIRE(again);
    bool rescheduled = false;
    for (const auto& a : again.value().actions) rescheduled |= std::holds_alternative<actions::RescheduleFollowUp>(a);
    CHECK_FALSE(rescheduled);
  }

  TEST_CASE("the clock events and the promise kind survive JSON") {
    std::vector<EventBody> bodies{ev::PublicReplySent{"sorry"}, ev::CalendarChanged{},
                                  ev::CustomerTimeZone{TimeZone::named("America/New_York").value()},
                                  ev::PromiseMade{"a call", 1, {}, PromiseKind::callback}};
    for (auto& body : bodies) {
      Event e{case_id(), at("2025-01-24T07:00:00Z"), std::nullopt, body};
      auto back = event_from_json(to_json(e));
      REQUIRE_MESSAGE(back.has_value(), std::string(last_error_detail()));
      CHECK(back.value() == e);
    }
  }

  TEST_CASE("the health report counts negative reviews answered on time, in the period of the review") {
    boost::json::object extra;
    extra["public_reply_within"] = "PT2H";
    auto policy = reference_policy(extra);
    auto options = analytics_options(policy.settings());
    options.time_zone = TimeZone::named("Asia/Shanghai").value();
    auto a = Analytics::make(options).value();
    // A review at `review_at`, replied to at `reply_at` (none: not yet).
    auto add_review = [&](std::string_view id, std::string_view review_at, std::optional<std::string_view> reply_at) {
      Case initial = Case::open(case_id(id), CustomerId::make("U-1").value(), Currency::CNY, at(review_at)).value();
      std::vector<Event> journal{
          Event{initial.id(), at(review_at), std::nullopt, ev::ContactReceived{Channel::review, std::nullopt, "one star"}},
          Event{initial.id(), at(review_at), std::nullopt, ev::EmotionObserved{Emotion::make(EmotionKind::angry, 7).value()}}};
      if (reply_at) journal.push_back(Event{initial.id(), at(*reply_at), std::nullopt, ev::PublicReplySent{"We are sorry."}});
      auto c = replay(initial, journal, policy);
      REQUIRE_MESSAGE(c.has_value(), std::string(last_error_detail()));
      REQUIRE_MESSAGE(a.add(c.value(), journal).has_value(), std::string(last_error_detail()));
    };
    // On Monday one review is answered in time and one is not; Tuesday's still runs.
    add_review("C-1", "2025-03-10T14:00:00+08:00", "2025-03-10T15:00:00+08:00");
    add_review("C-2", "2025-03-10T14:00:00+08:00", "2025-03-10T17:00:00+08:00");
    add_review("C-3", "2025-03-11T14:00:00+08:00", std::nullopt);
    auto health = a.summary().health;
    REQUIRE(health.size() == 2);
    CHECK(health[0].public_replies_on_time == Ratio{1, 2});
    CHECK(health[1].public_replies_on_time == Ratio{0, 0});
  }
}

namespace {

// The case of `j` after a calendar_changed event at `when` under `updated`,
// as a journey that goes on under it.
Journey calendar_changed(const Journey& j, const Policy& updated, std::string_view when) {
  Journey k{updated, j.c};
  k.on(when, ev::CalendarChanged{});
  return k;
}

// The reschedule action of the last step that replaced `old` (nullptr: none).
const actions::RescheduleFollowUp* rescheduled(const Journey& j, const FollowUpId& old) {
  for (const auto& a : j.last.actions) {
    if (auto r = std::get_if<actions::RescheduleFollowUp>(&a); r && r->replaces == old) return r;
  }
  return nullptr;
}

// Checks that the follow-up `old` moved to `due` with a reschedule action
// saying why, and that the case holds the new timer instead; returns it.
FollowUp moved_to(const Journey& j, const FollowUp& old, std::string_view due) {
  const auto* r = rescheduled(j, old.id);
  REQUIRE(r != nullptr);
  CHECK(r->follow_up.kind == old.kind);
  CHECK(r->follow_up.due_at_utc == at(due));
  CHECK(r->follow_up.id != old.id);
  CHECK(r->why.find("The new calendar moves") != std::string::npos);
  auto now = pending(j.c, old.kind);
  REQUIRE(now.has_value());
  CHECK(now->id == r->follow_up.id);
  CHECK(now->due_at_utc == at(due));
  CHECK(traced(j, "calendar.changed"));
  return *now;
}

}  // namespace

TEST_SUITE("clocks on a new calendar") {
  TEST_CASE("a new calendar re-times a courier's deadline, and the wait fires at the new time, not the old") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2025-03-10T02:00:00Z")};
    j.on("2025-03-10T10:00:00+08:00", ev::ContactReceived{Channel::phone, std::nullopt, "parcel lost"});
    j.on("2025-03-10T10:05:00+08:00", ev::AwaitingThirdParty{"SF Express", 1, {}});
    FollowUp old = *pending(j.c, FollowUpKind::third_party);
    CHECK(old.due_at_utc == at("2025-03-11T21:00:00+08:00"));
    // The official calendar: Tuesday 11 March is a holiday after all.
    auto updated = with_holiday("2025-03-11");
    Journey k = calendar_changed(j, updated, "2025-03-10T12:00:00+08:00");
    FollowUp now = moved_to(k, old, "2025-03-12T21:00:00+08:00");
    CHECK(k.c.third_parties().front().deadline == now.id);

    k.on("2025-03-11T21:00:00+08:00", ev::TimerFired{old.id});
    CHECK_FALSE(k.found("third_party.late"));
    CHECK(traced(k, "timer.stale"));
    k.on("2025-03-12T21:00:00+08:00", ev::TimerFired{now.id});
    CHECK(k.found("third_party.late"));
  }

  TEST_CASE("a new calendar re-times the reminder and the auto-resolve of a case waiting on the customer") {
    boost::json::object extra;
    extra["awaiting_customer"] =
        boost::json::parse(R"({"remind_after_working_days": 1, "auto_resolve_after_working_days": 3})");
    auto policy = reference_policy(extra);
    Journey j = waiting_since_monday(policy);
    FollowUp reminder = *pending(j.c, FollowUpKind::customer_reminder);
    FollowUp resolve = *pending(j.c, FollowUpKind::auto_resolve);
    CHECK(reminder.due_at_utc == at("2025-03-11T19:59:00+08:00"));
    CHECK(resolve.due_at_utc == at("2025-03-13T21:00:00+08:00"));
    auto updated = with_holiday("2025-03-11", extra);
    Journey k = calendar_changed(j, updated, "2025-03-10T12:00:00+08:00");
    // One working day is now Wednesday, three are Friday; the reminder still
    // moves earlier into the contact window.
    moved_to(k, reminder, "2025-03-12T19:59:00+08:00");
    FollowUp now = moved_to(k, resolve, "2025-03-14T21:00:00+08:00");
    k.on("2025-03-13T21:00:00+08:00", ev::TimerFired{resolve.id});
    CHECK_FALSE(k.c.resolved());
    k.on("2025-03-14T21:00:00+08:00", ev::TimerFired{now.id});
    CHECK(k.c.resolved());
  }

  TEST_CASE("a new calendar re-times the public-reply clock of a negative review, and the review keeps the new deadline") {
    boost::json::object extra;
    extra["public_reply_within"] = "PT4H";
    auto policy = reference_policy(extra);
    Journey j{policy, new_case("2025-03-10T10:00:00Z")};
    j.on("2025-03-10T18:00:00+08:00", ev::ContactReceived{Channel::review, std::nullopt, "one star"});
    j.on("2025-03-10T18:01:00+08:00", ev::EmotionObserved{Emotion::make(EmotionKind::angry, 8).value()});
    FollowUp old = *pending(j.c, FollowUpKind::public_reply);
    CHECK(old.due_at_utc == at("2025-03-11T10:00:00+08:00"));
    auto updated = with_holiday("2025-03-11", extra);
    Journey k = calendar_changed(j, updated, "2025-03-10T19:00:00+08:00");
    FollowUp now = moved_to(k, old, "2025-03-12T10:00:00+08:00");
    REQUIRE(k.c.public_reviews().size() == 1);
    CHECK(k.c.public_reviews()[0].due_at_utc == at("2025-03-12T10:00:00+08:00"));
    CHECK(k.c.public_reviews()[0].follow_up == now.id);
    // A reply on Wednesday morning is now in time.
    k.on("2025-03-12T09:30:00+08:00", ev::PublicReplySent{"We are sorry; a replacement is on its way."});
    CHECK(k.c.public_reviews()[0].answered_on_time());
    CHECK(cancelled(k, now.id));
  }

  TEST_CASE("a new calendar re-times an approval's timeout, and the remedy waits on the new timer") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2025-03-10T12:00:00Z")};
    j.on("2025-03-10T20:40:00+08:00", order_with_loss("O-1", Loss{LossKind::money, cny("500"), std::nullopt}));
    j.on("2025-03-10T20:41:00+08:00", ev::NeedStated{"my money back"});
    j.propose("2025-03-10T20:50:00+08:00", "R-1", RemedyKind::cash, "500");
    REQUIRE(j.action<actions::RequestApproval>() != nullptr);
    FollowUp old = *pending(j.c, FollowUpKind::approval);
    // Ten service minutes on Monday, twenty on Tuesday morning.
    CHECK(old.due_at_utc == at("2025-03-11T09:20:00+08:00"));
    auto updated = with_holiday("2025-03-11");
    Journey k = calendar_changed(j, updated, "2025-03-10T21:30:00+08:00");
    FollowUp now = moved_to(k, old, "2025-03-12T09:20:00+08:00");
    k.on("2025-03-11T09:20:00+08:00", ev::TimerFired{old.id});
    CHECK_FALSE(k.found("approval.timed_out"));
    k.on("2025-03-12T09:20:00+08:00", ev::TimerFired{now.id});
    CHECK(k.found("approval.timed_out"));
  }

  TEST_CASE("a new calendar re-times a satisfaction check into the next working morning's contact window") {
    auto policy = reference_policy();
    Journey j{policy, new_case("2025-03-10T12:00:00Z")};
    j.on("2025-03-10T20:00:00+08:00", ev::ContactReceived{Channel::phone, std::nullopt, "the fridge is warm"});
    j.on("2025-03-10T20:30:00+08:00", ev::Resolved{"engineer fixed it"});
    FollowUp old = *pending(j.c, FollowUpKind::satisfaction_check);
    CHECK(old.due_at_utc == at("2025-03-12T10:00:00+08:00"));
    auto updated = with_holiday("2025-03-12");
    Journey k = calendar_changed(j, updated, "2025-03-10T21:00:00+08:00");
    moved_to(k, old, "2025-03-13T10:00:00+08:00");
  }

  TEST_CASE("a new calendar re-times an update target on service hours, and its warning goes with it") {
    boost::json::object extra;
    extra["targets"] = boost::json::parse(
        R"([{"channel": "chat", "first_response": "PT20M", "update": "PT20M", "resolution": "PT8H", "on": "service_hours"}])");
    extra["warnings"] = boost::json::parse(R"({"update": "PT5M"})");
    auto policy = reference_policy(extra);
    Journey j{policy, new_case("2025-03-10T14:30:00Z")};
    j.on("2025-03-10T22:30:00+08:00", ev::ContactReceived{Channel::chat, std::nullopt, "my order vanished"});
    FollowUp update = *pending(j.c, FollowUpKind::update);
    FollowUp warning = *pending(j.c, FollowUpKind::update_warning);
    FollowUp resolution = *pending(j.c, FollowUpKind::resolution);
    CHECK(update.due_at_utc == at("2025-03-11T10:00:00+08:00"));
    CHECK(resolution.due_at_utc == at("2025-03-11T17:00:00+08:00"));
    auto updated = with_holiday("2025-03-11", extra);
    Journey k = calendar_changed(j, updated, "2025-03-10T23:00:00+08:00");
    moved_to(k, update, "2025-03-12T10:00:00+08:00");
    moved_to(k, resolution, "2025-03-12T17:00:00+08:00");
    CHECK(k.c.resolution_due_at_utc() == at("2025-03-12T17:00:00+08:00"));
    CHECK(cancelled(k, warning.id));
    auto new_warning = pending(k.c, FollowUpKind::update_warning);
    REQUIRE(new_warning.has_value());
    CHECK(new_warning->due_at_utc == at("2025-03-12T09:55:00+08:00"));
  }

  TEST_CASE("a clock off the calendar is not re-timed, and a case read back from JSON re-times alike") {
    boost::json::object extra;
    extra["public_reply_within"] = "PT4H";
    auto policy = reference_policy(extra);
    Journey j{policy, new_case("2025-03-10T10:00:00Z")};
    j.on("2025-03-10T18:00:00+08:00", ev::ContactReceived{Channel::review, std::nullopt, "one star"});
    j.on("2025-03-10T18:01:00+08:00", ev::EmotionObserved{Emotion::make(EmotionKind::angry, 8).value()});
    j.on("2025-03-10T18:02:00+08:00", ev::AwaitingThirdParty{"SF Express", 0, boost::posix_time::hours(2)});
    auto back = case_from_json(to_json(j.c));
    REQUIRE_MESSAGE(back.has_value(), std::string(last_error_detail()));
    CHECK(back.value() == j.c);
    auto updated = with_holiday("2025-03-11", extra);
    Journey k = calendar_changed(j, updated, "2025-03-10T19:00:00+08:00");
    Journey r{updated, back.value()};
    r.on("2025-03-10T19:00:00+08:00", ev::CalendarChanged{});
    CHECK(r.c == k.c);
    CHECK(r.last.actions == k.last.actions);
    // The update clock runs on wall-clock minutes inside the contact window:
    // 18:00 + 20 minutes is not on a holiday, so it stays.
    for (const auto& a : k.last.actions) {
      if (auto m = std::get_if<actions::RescheduleFollowUp>(&a)) CHECK(m->follow_up.kind != FollowUpKind::update);
    }
  }
}
