// The engine's safety and scope rules.
//
// Safety and scope: threats to safety, abuse, precedents cited by the customer,
// requests outside the service.
//
// Part of the engine (src/engine/): the shared working state is in
// engine_internal.hpp, apply() in apply.cpp.
#include "engine_internal.hpp"


#include <fmt/format.h>

namespace redress {
inline namespace v1 {

using boost::outcome_v2::success;
using engine_detail::from_policy;
using engine_detail::money_text;

result<void> detail_case_access::on(const events::SafetyRiskReported&) {
  // Whatever else this event produces, the emergency comes first.
  if (record_step) actions.insert(actions.begin(), actions::Emergency{say("emergency.safety")});
  c.flags_.safety = true;
  raise_priority(Priority::emergency);
  find("safety.emergency", Severity::info, say("finding.safety.emergency"));
  why("safety.first", "safety threats are escalated before anything else");
  if (c.resolved_) return success();
  note_update_sent();  // clocks.cpp: the emergency escalation is the update for its period
  return restart_update_clock("the emergency escalation is the update: next due in");
}

result<void> detail_case_access::on(const events::AbuseEstablished&) {
  c.flags_.abuse = true;
  find("abuse.recorded", Severity::info, say(c.flags_.safety ? "finding.abuse.recorded.safety" : "finding.abuse.recorded"));
  return success();
}

result<void> detail_case_access::on(const events::PrecedentCited& e) {
  if (e.source == events::PrecedentSource::none) {
    // Nobody could establish what the cited case gave or lost: recorded, never believed.
    c.flags_.precedent_claim = true;
    find("precedent.unverified", Severity::warn, say("finding.precedent.unverified", {{"reference", e.reference}}));
    act(actions::Reply{say("reply.precedent.unverified")});
    why("precedent.unverified", "no facts of the cited case or order: neither the host nor the store gave them");
    return success();
  }
  BOOST_OUTCOME_TRYV(check_currency(e.value, "value"));
  BOOST_OUTCOME_TRYV(check_currency(e.cited_loss.amount, "cited_loss.amount"));
  c.flags_.precedent_claim = true;
  BOOST_OUTCOME_TRY(auto justified, add(e.cited_loss.amount, settings.goodwill_cap));
  BOOST_OUTCOME_TRY(auto order, compare(e.value, justified));
  if (order > 0) {
    find("precedent.outlier", Severity::warn,
         say("finding.precedent.outlier", {{"reference", e.reference},
                                           {"value", e.value},
                                           {"kind", term("remedy.", to_string(e.kind))},
                                           {"lost", e.cited_loss.amount}}));
    escalate("precedent.outlier", say("escalate.precedent.outlier", {{"reference", e.reference}}));
  } else {
    find("precedent.consistent", Severity::info,
         say("finding.precedent.consistent",
             {{"reference", e.reference}, {"value", e.value}, {"lost", e.cited_loss.amount}}));
  }
  act(actions::Reply{say("reply.precedent")});
  why("precedent.judged", fmt::format("policy goodwill_cap = {}; the facts as {}", money_text(settings.goodwill_cap),
                                      e.source == events::PrecedentSource::store ? "the store's journal shows them"
                                                                                 : "the host reported them"));
  return success();
}

result<void> detail_case_access::on(const events::OutOfScopeRequest& e) {
  BOOST_OUTCOME_TRY(auto answer, from_policy(policy.scope(c, e.request), "scope"));
  if (answer.in_scope) {
    why("scope.in", "the policy counts this request within the service");
  } else {
    find("scope.out_of_scope", Severity::info, say("finding.scope.out_of_scope", {{"reason", answer.reason}}));
    act(actions::Reply{fmt::format("{} {}", answer.reason, answer.alternative)});
    why("scope.explain", "a refusal carries the reason and an alternative");
  }
  if (e.helped) {
    c.flags_.beyond_scope_help = true;
    find("scope.beyond_help", Severity::info, say("finding.scope.beyond_help"));
  }
  return success();
}

}  // namespace v1
}  // namespace redress
