// The engine's proactive rules.
//
// Proactive recovery: failure signals that open a case before the customer complains.
//
// Part of the engine (src/engine/): the shared working state is in
// engine_internal.hpp, apply() in apply.cpp.
#include "engine_internal.hpp"


#include <fmt/format.h>

namespace redress {
inline namespace v1 {

using boost::outcome_v2::success;

result<void> detail_case_access::on(const events::FailureSignal& e) {
  if (e.count <= 0) return bad_event("count must be positive");
  int before = c.failure_signals_;
  c.failure_signals_ += e.count;
  int threshold = settings.failure_signal_threshold;
  if (before < threshold && c.failure_signals_ >= threshold && c.contacts_ == 0) {
    c.flags_.proactive = true;
    act(actions::Reply{
        say("reply.proactive", {{"signal", e.signal}, {"count", std::int64_t{c.failure_signals_}}})});
    find("proactive.opened", Severity::info,
         say("finding.proactive.opened",
             {{"signals", std::int64_t{c.failure_signals_}}, {"threshold", std::int64_t{threshold}}}));
    why("proactive.threshold", fmt::format("policy failure_signal_threshold = {}", threshold));
  }
  return success();
}

}  // namespace v1
}  // namespace redress
