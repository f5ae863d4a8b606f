// The recovery engine: apply() folds one event into a case.
//
// Each event type has one handler, `detail_case_access::on()`, in the file of
// its rule family (see engine_internal.hpp). A handler reads the working copy
// of the case, asks the policy what it needs, and records findings, actions
// and trace entries. If a handler fails, the working copy is dropped, so the
// caller's case is never half-changed.
#include "engine_internal.hpp"

#include <exception>
#include <variant>

#include <fmt/format.h>

namespace redress {
inline namespace v1 {

using engine_detail::from_policy;

const Remedy* Case::find_remedy(const RemedyId& id) const noexcept {
  for (const auto& r : remedies_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

const Order* Case::find_order(const OrderId& id) const noexcept {
  for (const auto& o : orders_) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

std::optional<Emotion> Case::confirmed_feeling() const noexcept {
  for (auto it = emotions_.rbegin(); it != emotions_.rend(); ++it) {
    if (it->confirmed) return it->emotion;
  }
  return std::nullopt;
}

result<Case> Case::open(CaseId id, CustomerId customer, Currency currency, Instant opened_at_utc,
                        std::optional<Locale> locale) {
  if (opened_at_utc.is_special()) return detail::fail(errc::invalid_argument, "opened_at: not a real instant");
  Case c(std::move(id), std::move(customer), currency, opened_at_utc);
  if (locale) c.locale_ = static_cast<std::uint8_t>(*locale);
  return c;
}

namespace {

// The step is built where apply() returns it (every path returns `out`, so it
// is never moved): the case is copied, or moved, once, then moved into place
// (clang 14 does not take the Case alone as the in-place argument); on
// failure it is dropped.
template <class CaseRef>
result<Step> fold(CaseRef&& current, const Event& event, const Policy& policy, const Settings& settings) {
  result<Step> out{boost::outcome_v2::in_place_type<Step>, Step{std::forward<CaseRef>(current), {}, {}, {}, {}}};
  Step& step = out.value();
  detail_case_access run{policy, event, settings, step.next, step.actions, step.findings, step.trace};
  auto done = std::visit([&](const auto& e) { return run.on(e); }, event.body);
  if (done) done = run.suggest(step.suggestions);
  if (done) {
    run.finish();
  } else {
    out = done.error();
  }
  return out;
}

// apply(), on a case given as `const Case&` (copied: the caller's case is
// never touched) or as `Case&&` (moved into the working copy: the caller
// gives its case up, even on failure; replay() discards it then).
template <class CaseRef>
result<Step> apply_to(CaseRef&& current, const Event& event, const Policy& policy, Instant now_utc) {
  auto bad = [&](std::string why) {
    return detail::fail(errc::invalid_event,
                        fmt::format("{} event on case {}: {}", event_type(event.body), current.id().str(), why));
  };
  if (event.case_id != current.id()) return bad(fmt::format("the event is for case {}", event.case_id.str()));
  if (event.at_utc.is_special()) return bad("at: not a real instant");
  if (now_utc.is_special()) return detail::fail(errc::invalid_argument, "now: not a real instant");
  if (event.at_utc < current.last_event_at_utc()) {
    return bad(fmt::format("time goes backwards: {} is before the last event at {}", format_instant(event.at_utc),
                           format_instant(current.last_event_at_utc())));
  }
  if (now_utc < event.at_utc) {
    return detail::fail(errc::invalid_argument, fmt::format("now ({}) is before the event ({})",
                                                            format_instant(now_utc), format_instant(event.at_utc)));
  }
  if (current.stage() == Stage::closed && !std::holds_alternative<events::TimerFired>(event.body)) {
    return bad("the case is closed; a new contact opens a new case");
  }
  try {
    BOOST_OUTCOME_TRY(auto settings, from_policy(policy.settings(current), "settings"));
    if (settings == nullptr) return detail::fail(errc::policy_failed, "policy.settings: returned no settings");
    return fold(std::forward<CaseRef>(current), event, policy, *settings);
  } catch (const std::exception& e) {
    return detail::fail(errc::policy_failed, fmt::format("the policy threw: {}", e.what()));
  } catch (...) {
    return detail::fail(errc::policy_failed, "the policy threw a non-standard exception");
  }
}

}  // namespace

result<Step> apply(const Case& current, const Event& event, const Policy& policy, Instant now_utc) {
  return apply_to(current, event, policy, now_utc);
}

result<Case> replay(const Case& initial, std::span<const Event> journal, const Policy& policy) {
  // The working case moves from step to step: on failure it is dropped.
  Case c = initial;
  for (std::size_t i = 0; i < journal.size(); ++i) {
    auto step = apply_to(std::move(c), journal[i], policy, journal[i].at_utc);
    if (!step) {
      return detail::fail(static_cast<errc>(step.error().value()),
                          fmt::format("journal[{}]: {}", i, last_error_detail()));
    }
    c = std::move(step.value().next);
  }
  return c;
}

}  // namespace v1
}  // namespace redress
