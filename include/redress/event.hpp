// redress/event.hpp: everything that can happen on a case.
//
// An `Event` is a fact the host reports: the customer wrote, an agent
// apologised, a remedy was approved, a timer fired. Each carries the case it
// belongs to, the UTC instant it happened, optionally the agent who acted,
// and one of the payloads below. The engine folds events into cases
// (<redress/engine.hpp>); a case's journal is the list of its events.
//
// Payloads are plain aggregates in namespace `redress::events`; their names
// are the event vocabulary used in the JSON journal format ("type" field, see
// docs/engine.md): contact_received, emotion_observed, apology_given, ...
#ifndef REDRESS_EVENT_HPP
#define REDRESS_EVENT_HPP

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <redress/case.hpp>

namespace redress {
inline namespace v1 {
namespace events {

// The customer got in touch, through any channel, from a contact point.
struct ContactReceived {
  Channel channel = Channel::phone;
  std::optional<ContactPoint> from;
  std::string text;
  // The language the customer wrote or spoke in, when known: from this
  // contact on, the case speaks it.
  std::optional<Locale> locale{};
  friend bool operator==(const ContactReceived&, const ContactReceived&) = default;
};

// A feeling was observed (by an agent or a model), not confirmed by the customer.
struct EmotionObserved {
  Emotion emotion = Emotion::calm();
  friend bool operator==(const EmotionObserved&, const EmotionObserved&) = default;
};

// An agent apologised; `text` is what they said.
struct ApologyGiven {
  std::string text;
  friend bool operator==(const ApologyGiven&, const ApologyGiven&) = default;
};

// The customer signalled they accept the apology ("I know it's not your fault").
struct ForgivenessSignalled {
  friend bool operator==(const ForgivenessSignalled&, const ForgivenessSignalled&) = default;
};

// The customer said what they actually need.
struct NeedStated {
  std::string text;
  friend bool operator==(const NeedStated&, const NeedStated&) = default;
};

// An agent asked the customer a diagnostic question ("is it plugged in?").
struct QuestionAsked {
  std::string text;
  // The question needs the customer's answer (a photo, a serial number): the
  // case waits on the customer until they next get in touch (AwaitingCustomer).
  bool awaits_answer = false;
  friend bool operator==(const QuestionAsked&, const QuestionAsked&) = default;
};

// The facts were reviewed together with the customer.
struct FactsReviewed {
  std::string summary;
  friend bool operator==(const FactsReviewed&, const FactsReviewed&) = default;
};

// An order (with its loss assessment) was linked to the case, optionally
// naming the incident group that links orders and cases of one failure.
struct OrderLinked {
  Order order;
  std::optional<std::string> incident_group;
  friend bool operator==(const OrderLinked&, const OrderLinked&) = default;
};

// A remedy was proposed. The engine decides whether it may be offered at once
// or needs approval, and checks it against the rules.
struct RemedyProposed {
  RemedyId remedy;
  RemedyKind kind = RemedyKind::extra;
  Money value;
  std::optional<OrderId> order;
  // For a non-material remedy: what the customer offered (their ideas for
  // improving the service), as text; empty for other kinds.
  std::string content{};
  friend bool operator==(const RemedyProposed&, const RemedyProposed&) = default;
};

// A remedy awaiting approval was approved by `approver` at authority `level`.
struct RemedyApproved {
  RemedyId remedy;
  AgentId approver;
  int level = 1;
  friend bool operator==(const RemedyApproved&, const RemedyApproved&) = default;
};

// A remedy was rejected, with the reason.
struct RemedyRejected {
  RemedyId remedy;
  AgentId by;
  std::string reason;
  friend bool operator==(const RemedyRejected&, const RemedyRejected&) = default;
};

// The customer accepted an offered remedy.
struct RemedyAccepted {
  RemedyId remedy;
  friend bool operator==(const RemedyAccepted&, const RemedyAccepted&) = default;
};

// The host carried out an accepted remedy (money moved, coupon extended).
struct RemedyGranted {
  RemedyId remedy;
  friend bool operator==(const RemedyGranted&, const RemedyGranted&) = default;
};

// An agent told the customer how it is going.
struct ProgressUpdateSent {
  std::string text;
  friend bool operator==(const ProgressUpdateSent&, const ProgressUpdateSent&) = default;
};

// A promise with a deadline on the business calendar: `working_days` working
// days, or else `working_time` of service hours, from the event's instant.
struct PromiseMade {
  std::string what;
  int working_days = 0;
  Duration working_time;
  // What it is for: the policy's deadline rule for the kind applies, and a
  // callback lands inside the customer's contact window.
  PromiseKind kind = PromiseKind::reply;
  friend bool operator==(const PromiseMade&, const PromiseMade&) = default;
};

// The problem was solved.
struct Resolved {
  std::string summary;
  friend bool operator==(const Resolved&, const Resolved&) = default;
};

// The customer said how they feel about how it was handled.
struct SatisfactionConfirmed {
  Emotion emotion = Emotion::calm();
  friend bool operator==(const SatisfactionConfirmed&, const SatisfactionConfirmed&) = default;
};

// Why it happened.
struct RootCauseRecorded {
  RootCause cause;
  friend bool operator==(const RootCauseRecorded&, const RootCauseRecorded&) = default;
};

// Someone asked to close the case.
struct CloseRequested {
  friend bool operator==(const CloseRequested&, const CloseRequested&) = default;
};

// A follow-up the engine scheduled has come due.
struct TimerFired {
  FollowUpId follow_up;
  friend bool operator==(const TimerFired&, const TimerFired&) = default;
};

// The customer threatened self-harm or violence, credible or not.
struct SafetyRiskReported {
  std::string text;
  friend bool operator==(const SafetyRiskReported&, const SafetyRiskReported&) = default;
};

// Abuse by the customer was established (a fake photo, threats as leverage).
struct AbuseEstablished {
  std::string text;
  friend bool operator==(const AbuseEstablished&, const AbuseEstablished&) = default;
};

// Where the facts of a cited precedent come from: the host reported them
// (`host`), they were read from the store's journal of the cited case or
// order (`store`, see <redress/journal_precedent.hpp>), or nobody could
// establish them (`none`: the citation is unverified).
enum class PrecedentSource : std::uint8_t { host, store, none };

// The customer cited another case's remedy ("your colleague gave my friend
// 200 cash"). The host looks the precedent up and reports what was given and
// what that order had lost, or names only the cited case or order id in
// `reference` and has the store answer (resolve_precedent()); the engine
// judges the facts, and never copies them. With `source` none the facts are
// unknown (`kind`, `value` and `cited_loss` are placeholders, zero in the
// case's currency) and the citation is recorded as unverified.
struct PrecedentCited {
  std::string reference;  // the cited case or order, as the host knows it (or its id)
  RemedyKind kind = RemedyKind::cash;
  Money value;
  Loss cited_loss;
  PrecedentSource source = PrecedentSource::host;
  // Equal citations: the same reference and source, and the same facts
  // unless there are none (the placeholders do not count).
  friend bool operator==(const PrecedentCited& a, const PrecedentCited& b) {
    if (a.reference != b.reference || a.source != b.source) return false;
    return a.source == PrecedentSource::none ||
           (a.kind == b.kind && a.value == b.value && a.cited_loss == b.cited_loss);
  }
};

// The customer asked for something outside the service's scope. When the
// agent helped anyway, `helped` says so and it is recorded as such.
struct OutOfScopeRequest {
  std::string request;
  bool helped = false;
  friend bool operator==(const OutOfScopeRequest&, const OutOfScopeRequest&) = default;
};

// A failure the customer has not reported yet (failed coupon redemptions
// during a slowdown); `count` occurrences since the last signal.
struct FailureSignal {
  std::string signal;
  int count = 1;
  friend bool operator==(const FailureSignal&, const FailureSignal&) = default;
};

// A right the customer holds is about to expire; remind them in time.
struct RightExpiring {
  OrderId order;
  Right right;
  friend bool operator==(const RightExpiring&, const RightExpiring&) = default;
};

// --- clocks: promises kept or broken, waiting on the customer or a third party

// A promise was kept (the engineer called). `promise` is the promise's
// follow-up id; without it, the open promise due soonest. Its timer is
// cancelled: no promise.lapsed, no escalation.
struct PromiseKept {
  std::optional<FollowUpId> promise;
  friend bool operator==(const PromiseKept&, const PromiseKept&) = default;
};

// A promise will not be kept, known before its deadline; `reason` says why.
// The case escalates now instead of at the deadline.
struct PromiseBroken {
  std::optional<FollowUpId> promise;
  std::string reason;
  friend bool operator==(const PromiseBroken&, const PromiseBroken&) = default;
};

// The case waits on the customer (`what`: "a photo of the label"). The
// update clock stops until the customer's next contact.
struct AwaitingCustomer {
  std::string what;
  friend bool operator==(const AwaitingCustomer&, const AwaitingCustomer&) = default;
};

// The case waits on a third party (a courier, an engineer), optionally with
// the party's own deadline: `working_days` working days, or else
// `working_time` of service hours. The customer's clocks keep running.
struct AwaitingThirdParty {
  std::string party;
  int working_days = 0;
  Duration working_time;
  friend bool operator==(const AwaitingThirdParty&, const AwaitingThirdParty&) = default;
};

// The third party the case waited on answered.
struct ThirdPartyAnswered {
  std::string party;
  friend bool operator==(const ThirdPartyAnswered&, const ThirdPartyAnswered&) = default;
};

// The host moved the open case to another version of its policy (`redress
// run --move-open-cases`, docs/policy.md "Versions and pinning"): events
// from here on are decided under `to`. Applied with the policy it names
// (the policy's identity must have the same hash).
struct PolicyMoved {
  PolicyRef to;
  friend bool operator==(const PolicyMoved&, const PolicyMoved&) = default;
};

// The customer's own time zone became known (from their profile, their
// phone number, what they said): outbound contacts land in the contact
// window on their clock from then on.
struct CustomerTimeZone {
  TimeZone time_zone = TimeZone::utc();
  friend bool operator==(const CustomerTimeZone&, const CustomerTimeZone&) = default;
};

// An agent replied publicly (under the review, on the social post): stops
// the public-reply clock of the case's last public contact.
struct PublicReplySent {
  std::string text;
  friend bool operator==(const PublicReplySent&, const PublicReplySent&) = default;
};

// The policy's calendar changed (official holidays replaced provisional
// ones): open promises whose deadlines change are re-timed.
struct CalendarChanged {
  friend bool operator==(const CalendarChanged&, const CalendarChanged&) = default;
};

}  // namespace events

// EventBody
//
// One of the payloads above.
using EventBody =
    std::variant<events::ContactReceived, events::EmotionObserved, events::ApologyGiven,
                 events::ForgivenessSignalled, events::NeedStated, events::QuestionAsked, events::FactsReviewed,
                 events::OrderLinked, events::RemedyProposed, events::RemedyApproved, events::RemedyRejected,
                 events::RemedyAccepted, events::RemedyGranted, events::ProgressUpdateSent, events::PromiseMade,
                 events::Resolved, events::SatisfactionConfirmed, events::RootCauseRecorded,
                 events::CloseRequested, events::TimerFired, events::SafetyRiskReported, events::AbuseEstablished,
                 events::PrecedentCited, events::OutOfScopeRequest, events::FailureSignal, events::RightExpiring,
                 events::PromiseKept, events::PromiseBroken, events::AwaitingCustomer,
                 events::AwaitingThirdParty, events::ThirdPartyAnswered, events::PolicyMoved,
                 events::PublicReplySent, events::CalendarChanged, events::CustomerTimeZone>;

// event_type()
//
// The payload's name in the journal format: "contact_received", ...
std::string_view event_type(const EventBody& body) noexcept;

// kMaxEventTextBytes
//
// The most bytes a text of an event may hold (a contact's text, a summary, a
// root cause, a reason...): apply() refuses a longer one, and a text with a
// NUL byte, with errc::invalid_event naming the field.
inline constexpr std::size_t kMaxEventTextBytes = 64 * 1024;

// Event
//
// A fact about case `case_id` at `at_utc`, optionally by agent `actor`.
//
// Example (given const redress::CaseId& case_id, redress::Instant at):
//   redress::Event e{case_id, at, std::nullopt, redress::events::ApologyGiven{"非常抱歉…"}};
struct Event {
  CaseId case_id;
  Instant at_utc;
  std::optional<AgentId> actor;
  EventBody body;
  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_EVENT_HPP
