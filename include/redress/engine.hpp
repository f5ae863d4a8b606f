// redress/engine.hpp: the recovery engine.
//
// One pure function folds an event into a case under a policy at an explicit
// instant, and says what should happen next and why:
//
//   apply(case, event, policy, now) -> result<Step>
//
// `Step::next` is the next case; `Step::actions` are what the host should
// carry out, in order (an emergency escalation is always first); `findings`
// are what the rules noticed on this event (also appended to the case);
// `trace` says which rule fired and which policy value it used.
//
// apply() performs no I/O and reads no clock. Given equal inputs it returns
// equal outputs, so replaying a case's journal reproduces the case exactly.
// An event that does not fit the case (another case's, earlier than the last
// one, a remedy that was never proposed) fails with errc::invalid_event and
// the case is unchanged; a policy that fails gives errc::policy_failed.
#ifndef REDRESS_ENGINE_HPP
#define REDRESS_ENGINE_HPP

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <redress/case.hpp>
#include <redress/event.hpp>
#include <redress/policy.hpp>

namespace redress {
inline namespace v1 {
namespace actions {

// Say this to the customer (a suggestion: the agent adapts it).
struct Reply {
  std::string text;
  friend bool operator==(const Reply&, const Reply&) = default;
};

// Offer this remedy, framed as a gift.
struct Offer {
  RemedyId remedy;
  Money value;
  std::string framing;
  friend bool operator==(const Offer&, const Offer&) = default;
};

// Ask an agent at authority `level` to approve this remedy.
struct RequestApproval {
  RemedyId remedy;
  Money value;
  int level = 1;
  friend bool operator==(const RequestApproval&, const RequestApproval&) = default;
};

// Start a timer; fire it back as events::TimerFired at its due instant.
struct ScheduleFollowUp {
  FollowUp follow_up;
  friend bool operator==(const ScheduleFollowUp&, const ScheduleFollowUp&) = default;
};

// Stop a timer that has not fired.
struct CancelFollowUp {
  FollowUpId follow_up;
  friend bool operator==(const CancelFollowUp&, const CancelFollowUp&) = default;
};

// Hand the case to authority `level` (a level of the policy's escalation
// ladder, whose role is `to`), saying why.
struct Escalate {
  int level = 1;
  std::string reason;
  std::string to{};
  friend bool operator==(const Escalate&, const Escalate&) = default;
};

// Start emergency handling now (a safety threat).
struct Emergency {
  std::string reason;
  friend bool operator==(const Emergency&, const Emergency&) = default;
};

// Show the agent the case's history so the customer need not repeat it.
struct SurfaceHistory {
  std::string summary;
  friend bool operator==(const SurfaceHistory&, const SurfaceHistory&) = default;
};

// The case may be closed.
struct Close {
  friend bool operator==(const Close&, const Close&) = default;
};

// Warn the agent that a clock is about to run out: `clock` ("update",
// "promise") is due at `due_at_utc`.
struct Warn {
  std::string clock;
  Instant due_at_utc;
  std::string text;
  friend bool operator==(const Warn&, const Warn&) = default;
};

// A pending follow-up moves: `replaces` is cancelled and `follow_up` (a new
// id) takes its place, due at its new time; `why` says what changed.
struct RescheduleFollowUp {
  FollowUp follow_up;
  FollowUpId replaces;
  std::string why;
  friend bool operator==(const RescheduleFollowUp&, const RescheduleFollowUp&) = default;
};

}  // namespace actions

// Action
//
// One thing for the host to do.
using Action = std::variant<actions::Reply, actions::Offer, actions::RequestApproval, actions::ScheduleFollowUp,
                            actions::CancelFollowUp, actions::Escalate, actions::Emergency,
                            actions::SurfaceHistory, actions::Close, actions::Warn, actions::RescheduleFollowUp>;

// action_type()
//
// The action's name in JSON and the CLI: "reply", "offer", "request_approval", ...
std::string_view action_type(const Action& action) noexcept;

// TraceEntry
//
// Why something happened: the rule ("update.interval") and what it used
// ("policy update_interval = 00:20:00").
struct TraceEntry {
  std::string rule;
  std::string detail;
  friend bool operator==(const TraceEntry&, const TraceEntry&) = default;
};

// Suggestion
//
// One rung of the remedy ladder the engine suggests for a need no remedy
// meets yet, best first (`rank` 1). The rungs, for each order with a loss:
// extend the lost right (if eligible), replace it with at least its value,
// refund a money loss in proportion (cash only for a money loss), an extra
// gesture; then a non-material remedy. `value` is what it costs the company,
// computed from the order's loss and the policy (a replacement is the lost
// value rounded up to the policy's denominations; an extra gesture is
// `extra_gesture_permille` of the loss, rounded up to a whole unit);
// `approval_level` is the authority level that must decide it (0: the front
// line alone; caps are judged when it is proposed); `framing` is how to offer
// it; `why` says why it is suggested and why any cheaper rung was skipped.
//
// Example (given const redress::Step& step):
//   for (const redress::Suggestion& s : step.suggestions)
//     fmt::print("{}. {} worth {}: {}\n", s.rank, redress::to_string(s.kind), s.value, s.why);
struct Suggestion {
  int rank = 1;
  RemedyKind kind = RemedyKind::extension;
  std::optional<OrderId> order;
  Money value;
  int approval_level = 0;
  std::string framing;
  std::string why;
  friend bool operator==(const Suggestion&, const Suggestion&) = default;
};

// Step
//
// The outcome of applying one event. `suggestions` is empty unless the case
// leaves the customer with a need no remedy meets (a need stated, or a case
// the company opened; an order with a loss; every remedy so far rejected).
struct Step {
  Case next;
  std::vector<Action> actions;
  std::vector<Finding> findings;
  std::vector<TraceEntry> trace;
  std::vector<Suggestion> suggestions{};
};

// apply()
//
// Folds `event` into `current` under `policy`, as processed at `now_utc`
// (which must not be earlier than the event). See the file comment.
//
// Example (given redress::Case& c, const redress::Event& event, const redress::Policy& policy,
//          redress::Instant now, const std::function<void(const redress::Action&)>& carry_out):
//   auto step = redress::apply(c, event, policy, now);
//   if (!step) return step.error();  // redress::last_error_detail() says which field, and why
//   for (const redress::Action& a : step.value().actions) carry_out(a);
//   c = std::move(step.value().next);
result<Step> apply(const Case& current, const Event& event, const Policy& policy, Instant now_utc);

// replay()
//
// Applies `journal` in order to `initial`, each event processed at its own
// instant, and returns the final case. Fails at the first event apply()
// rejects; last_error_detail() then says which (by index).
result<Case> replay(const Case& initial, std::span<const Event> journal, const Policy& policy);

// How much of each step replay() works out on the way to the final case.
enum class ReplayMode : std::uint8_t {
  // Each event exactly as apply() took it: the replay fails wherever apply()
  // would have (the overload above).
  full,
  // Only what changes the case: the remedy suggestions of each step are not
  // worked out, so a policy that fails only when asked for them does not fail
  // the replay. The case is the one `full` gives. For reading many cases
  // (`redress report`).
  case_only,
};
result<Case> replay(const Case& initial, std::span<const Event> journal, const Policy& policy, ReplayMode mode);

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_ENGINE_HPP
