// The recovery engine: apply() folds one event into a case.
//
// Each event type has one handler, `detail_case_access::on()`, in the file of
// its rule family (see engine_internal.hpp). A handler reads the working copy
// of the case, asks the policy what it needs, and records findings, actions
// and trace entries. If a handler fails, the working copy is dropped, so the
// caller's case is never half-changed.
#include "engine_internal.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
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

// The texts of an event body, by their JSON names. A body type with a member
// of one of these names is covered without being listed.
template <class Body, class F>
void for_each_text(const Body& e, F&& f) {
  if constexpr (requires { e.text; }) f("text", e.text);
  if constexpr (requires { e.summary; }) f("summary", e.summary);
  if constexpr (requires { e.what; }) f("what", e.what);
  if constexpr (requires { e.reason; }) f("reason", e.reason);
  if constexpr (requires { e.content; }) f("content", e.content);
  if constexpr (requires { e.reference; }) f("reference", e.reference);
  if constexpr (requires { e.request; }) f("request", e.request);
  if constexpr (requires { e.signal; }) f("signal", e.signal);
  if constexpr (requires { e.party; }) f("party", e.party);
  if constexpr (requires { e.incident_group; }) {
    if (e.incident_group) f("incident_group", *e.incident_group);
  }
  if constexpr (requires { e.cause; }) {
    f("category", e.cause.category);
    f("description", e.cause.description);
  }
}

// The follow-up number `seq` when `id` is "<case id>#<seq>", else 0.
std::uint64_t follow_up_seq(const CaseId& case_id, const FollowUpId& id) {
  std::string_view text = id.str();
  std::string_view prefix = case_id.str();
  if (text.size() <= prefix.size() + 1 || text.substr(0, prefix.size()) != prefix || text[prefix.size()] != '#') {
    return 0;
  }
  std::uint64_t seq = 0;
  auto digits = text.substr(prefix.size() + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  return ec == std::errc() && end == digits.data() + digits.size() ? seq : 0;
}

}  // namespace

result<void> detail_case_access::check_event() {
  std::optional<std::string> fault;
  std::visit(
      [&](const auto& e) {
        for_each_text(e, [&](std::string_view field, std::string_view text) {
          if (fault) return;
          if (text.size() > kMaxEventTextBytes) {
            fault = fmt::format("{}: {} bytes, more than the {} an event text may hold", field, text.size(),
                                kMaxEventTextBytes);
          } else if (text.find('\0') != std::string_view::npos) {
            fault = fmt::format("{}: contains a NUL byte", field);
          }
        });
        if constexpr (requires { e.working_days; e.working_time; }) {
          if (!fault && e.working_days != 0 && !e.working_time.is_special() && e.working_time != Duration()) {
            fault = "working_days and working_time: give one form of deadline, not both";
          }
        }
      },
      ev.body);
  if (fault) return bad_event(std::move(*fault));
  if (const auto* t = std::get_if<events::TimerFired>(&ev.body)) {
    // A follow-up that is not pending was cancelled or has fired (timer.stale,
    // clocks.cpp) when this case scheduled it once; otherwise it never existed.
    std::uint64_t seq = follow_up_seq(c.id_, t->follow_up);
    bool pending = std::any_of(c.pending_.begin(), c.pending_.end(),
                               [&](const FollowUp& f) { return f.id == t->follow_up; });
    if (!pending && (seq == 0 || seq >= c.next_follow_up_)) {
      return bad_event(fmt::format("follow_up: {} was never scheduled for this case", t->follow_up.str()));
    }
  }
  return boost::outcome_v2::success();
}

namespace {

// The step is built where apply() returns it (every path returns `out`, so it
// is never moved): the case is copied, or moved, once, then moved into place
// (clang 14 does not take the Case alone as the in-place argument); on
// failure it is dropped.
//
// What is worked out besides the next case: everything (apply()); the
// suggestions but not the step's actions, findings and trace (replay() in
// ReplayMode::full, which reads the case alone, but fails where apply() would);
// or nothing but the case (ReplayMode::case_only).
enum class Detail { step, suggestions, case_only };

template <class CaseRef>
result<Step> fold(CaseRef&& current, const Event& event, const Policy& policy, const Settings& settings,
                  Detail detail) {
  result<Step> out{boost::outcome_v2::in_place_type<Step>, Step{std::forward<CaseRef>(current), {}, {}, {}, {}}};
  Step& step = out.value();
  detail_case_access run{policy, event, settings, step.next, step.actions, step.findings, step.trace};
  run.record_step = detail == Detail::step;
  auto done = run.check_event();
  if (done) done = std::visit([&](const auto& e) { return run.on(e); }, event.body);
  if (done && detail != Detail::case_only) done = run.suggest(step.suggestions);
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
result<Step> apply_to(CaseRef&& current, const Event& event, const Policy& policy, Instant now_utc,
                      Detail detail = Detail::step) {
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
    return fold(std::forward<CaseRef>(current), event, policy, *settings, detail);
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
  return replay(initial, journal, policy, ReplayMode::full);
}

result<Case> replay(const Case& initial, std::span<const Event> journal, const Policy& policy, ReplayMode mode) {
  // The working case moves from step to step: on failure it is dropped.
  // Only the case is kept, so the steps' actions, findings and trace are
  // never recorded.
  const auto detail = mode == ReplayMode::case_only ? Detail::case_only : Detail::suggestions;
  Case c = initial;
  for (std::size_t i = 0; i < journal.size(); ++i) {
    auto step = apply_to(std::move(c), journal[i], policy, journal[i].at_utc, detail);
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
