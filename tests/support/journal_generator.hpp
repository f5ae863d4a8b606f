// Case journals built from a description of what happened (`CaseSpec`), so
// that the analytics' right answers are known from the descriptions alone.
// Every event goes through the engine (apply()); follow-ups fire as a host's
// scheduler would fire them, and the agent sends a progress update before
// the 20-minute rule lapses unless the description says it lapses. No
// doctest here, so benchmarks can use it too.
#ifndef REDRESS_TESTS_SUPPORT_JOURNAL_GENERATOR_HPP
#define REDRESS_TESTS_SUPPORT_JOURNAL_GENERATOR_HPP

#include <algorithm>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <redress/engine.hpp>

namespace redress::testing {

// One remedy: proposed by the case's agent; above the front line's authority
// it is approved by `approver` first. Granted unless `granted` is false
// (then it is only offered and accepted).
struct RemedySpec {
  RemedyKind kind = RemedyKind::cash;
  std::int64_t yuan = 0;
  bool granted = true;
  std::string approver = "S-1";
};

// What happened on one case. Times are minutes after `opened`.
struct CaseSpec {
  std::string id;
  Instant opened;
  std::string cause;  // "" records no root cause
  std::string agent = "A-1";
  LossKind loss = LossKind::none;
  std::int64_t loss_yuan = 0;  // money lost, or the lost coupon's value
  std::vector<RemedySpec> remedies;
  int first_answer_minutes = 5;  // the apology, after the first contact
  bool update_missed = false;    // the 20-minute rule lapses once mid-case; the next update is late
  int promises_kept = 0;         // promises still open at resolution (so kept)
  bool promise_lapsed = false;   // a promise of 5 service minutes nobody keeps
  int repeat_contacts = 0;
  bool safety = false;
  std::optional<bool> precedent_outlier;  // a cited precedent: out of proportion, or not
  bool close = true;  // resolved, feeling confirmed satisfied, root cause recorded, closed
};

// A generated case: its initial state, journal and final state.
struct GeneratedCase {
  Case initial;
  std::vector<Event> journal;
  Case final_case;
};

// Builds the journal `spec` describes under `policy`. Fails with the
// engine's error (last_error_detail() names the event) when an event is refused.
inline result<GeneratedCase> generate_case(const CaseSpec& spec, const Policy& policy) {
  namespace ev = events;
  namespace pt = boost::posix_time;
  BOOST_OUTCOME_TRY(auto id, CaseId::make(spec.id));
  BOOST_OUTCOME_TRY(auto customer, CustomerId::make("U-" + spec.id));
  BOOST_OUTCOME_TRY(auto agent, AgentId::make(spec.agent));
  BOOST_OUTCOME_TRY(auto initial, Case::open(id, customer, Currency::CNY, spec.opened));
  GeneratedCase g{initial, {}, initial};
  Instant t = spec.opened;
  bool keep_updates = true;
  auto cny = [](std::int64_t yuan) { return Money::from_minor_units(yuan * 100, Currency::CNY); };

  auto emit_at = [&](Instant at, EventBody body, bool by_agent) -> result<void> {
    Event e{id, at, by_agent ? std::optional<AgentId>(agent) : std::nullopt, std::move(body)};
    auto step = apply(g.final_case, e, policy, at);
    if (!step) {
      return detail::fail(static_cast<errc>(step.error().value()),
                          fmt::format("{} {}: {}", spec.id, event_type(e.body), last_error_detail()));
    }
    g.final_case = std::move(step.value().next);
    g.journal.push_back(std::move(e));
    return boost::outcome_v2::success();
  };
  // Fires what falls due up to `until`; sends an update a minute before the
  // 20-minute rule would lapse while updates are kept.
  auto run_clock = [&](Instant until) -> result<void> {
    for (;;) {
      const FollowUp* next = nullptr;
      for (const auto& f : g.final_case.pending_follow_ups()) {
        if (next == nullptr || f.due_at_utc < next->due_at_utc) next = &f;
      }
      if (next == nullptr || next->due_at_utc > until) return boost::outcome_v2::success();
      if (next->kind == FollowUpKind::update && keep_updates) {
        Instant at = std::max(t, next->due_at_utc - pt::minutes(1));
        BOOST_OUTCOME_TRYV(emit_at(at, ev::ProgressUpdateSent{"Still on it: the team is checking your order now."},
                                   true));
        t = at;
        continue;
      }
      Instant at = std::max(t, next->due_at_utc);
      BOOST_OUTCOME_TRYV(emit_at(at, ev::TimerFired{next->id}, false));
      t = at;
    }
  };
  // The next event, `minutes` after the previous one.
  auto then = [&](int minutes, EventBody body, bool by_agent = true) -> result<void> {
    Instant at = t + pt::minutes(minutes);
    BOOST_OUTCOME_TRYV(run_clock(at));
    t = at;
    return emit_at(at, std::move(body), by_agent);
  };

  BOOST_OUTCOME_TRYV(then(0, ev::ContactReceived{Channel::phone, std::nullopt, "My order went wrong."}, false));
  keep_updates = spec.first_answer_minutes <= 20;
  BOOST_OUTCOME_TRYV(then(spec.first_answer_minutes,
                          ev::ApologyGiven{"I'm so sorry; that is frustrating, and it's on us. Let me put it right "
                                           "now; please forgive us."}));
  if (!keep_updates) {  // the first answer came late: the update it owed is late too
    keep_updates = true;
    BOOST_OUTCOME_TRYV(then(1, ev::ProgressUpdateSent{"Thanks for waiting; I'm fixing it now."}));
  }
  BOOST_OUTCOME_TRYV(then(1, ev::ForgivenessSignalled{}, false));
  BOOST_OUTCOME_TRYV(then(1, ev::NeedStated{"I want this put right."}, false));
  BOOST_OUTCOME_TRY(auto order_id, OrderId::make("O-" + spec.id));
  Loss loss = Loss::nothing(Currency::CNY);
  if (spec.loss == LossKind::money) loss = Loss{LossKind::money, cny(spec.loss_yuan), std::nullopt};
  if (spec.loss == LossKind::right) {
    CivilDate day = (spec.opened - pt::hours(24)).date();
    loss = Loss{LossKind::right, cny(spec.loss_yuan), Right{"coupon", cny(spec.loss_yuan), day, 0}};
  }
  BOOST_OUTCOME_TRYV(then(1, ev::OrderLinked{Order{order_id, loss}, std::nullopt}));
  BOOST_OUTCOME_TRYV(then(1, ev::FactsReviewed{"Our records seem to show the order failed."}));
  for (int i = 0; i < spec.repeat_contacts; ++i) {
    BOOST_OUTCOME_TRYV(then(2, ev::ContactReceived{Channel::chat, std::nullopt, "Any news?"}, false));
  }
  if (spec.safety) {
    BOOST_OUTCOME_TRYV(then(1, ev::SafetyRiskReported{"a threat"}, false));
  }
  if (spec.precedent_outlier) {
    Loss cited = *spec.precedent_outlier ? Loss::nothing(Currency::CNY)
                                         : Loss{LossKind::money, cny(300), std::nullopt};
    BOOST_OUTCOME_TRYV(then(1, ev::PrecedentCited{"C-friend", RemedyKind::cash, cny(200), cited}, false));
  }
  int n = 0;
  for (const auto& r : spec.remedies) {
    BOOST_OUTCOME_TRY(auto rid, RemedyId::make(fmt::format("R-{}", ++n)));
    BOOST_OUTCOME_TRYV(then(1, ev::RemedyProposed{rid, r.kind, cny(r.yuan), order_id}));
    if (g.final_case.find_remedy(rid)->status == RemedyStatus::approval_requested) {
      BOOST_OUTCOME_TRY(auto approver, AgentId::make(r.approver));
      BOOST_OUTCOME_TRYV(then(1, ev::RemedyApproved{rid, approver, 1}, false));
    }
    BOOST_OUTCOME_TRYV(then(1, ev::RemedyAccepted{rid}, false));
    if (r.granted) {
      BOOST_OUTCOME_TRYV(then(1, ev::RemedyGranted{rid}));
    }
  }
  // Before any promise: an open promise stands in for the updates (docs/engine.md).
  if (spec.update_missed) {
    keep_updates = false;
    BOOST_OUTCOME_TRYV(run_clock(t + pt::minutes(25)));
    t += pt::minutes(25);
    keep_updates = true;
    BOOST_OUTCOME_TRYV(then(0, ev::ProgressUpdateSent{"Sorry for the wait; here is where it stands."}));
  }
  for (int i = 0; i < spec.promises_kept; ++i) {
    BOOST_OUTCOME_TRYV(then(1, ev::PromiseMade{"a written confirmation", 2, {}, {}}));
  }
  if (spec.promise_lapsed) {
    BOOST_OUTCOME_TRYV(then(1, ev::PromiseMade{"a call back within five minutes", 0, pt::minutes(5), {}}));
    BOOST_OUTCOME_TRYV(run_clock(t + pt::minutes(6)));
    t += pt::minutes(6);
  }
  if (!spec.close) return g;
  BOOST_OUTCOME_TRYV(then(1, ev::Resolved{"Put right."}));
  BOOST_OUTCOME_TRYV(then(1, ev::SatisfactionConfirmed{Emotion::make(EmotionKind::satisfied, 6).value()}, false));
  if (!spec.cause.empty()) {
    BOOST_OUTCOME_TRYV(then(1, ev::RootCauseRecorded{RootCause{spec.cause, "recorded by the agent"}}));
    BOOST_OUTCOME_TRYV(then(1, ev::CloseRequested{}));
  }
  return g;
}

// `n` varied cases, reproducible from `seed`: opened on one of `days` days
// from `first` (at most four hours later the same day), about one of
// `causes` ("" for none), with every kind of loss, remedies within and
// above authority, cash where nothing was lost, late first answers, missed
// updates, kept and lapsed promises, repeat contacts, safety threats,
// precedents, and some cases left open.
inline std::vector<CaseSpec> random_specs(int n, unsigned seed, Instant first, int days,
                                          std::span<const std::string_view> causes) {
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<CaseSpec> specs;
  for (int i = 0; i < n; ++i) {
    CaseSpec s;
    s.id = fmt::format("C-{:06}", i);
    s.opened = first + boost::posix_time::hours(24 * pick(0, days - 1)) + boost::posix_time::minutes(pick(0, 240));
    s.cause = std::string(causes[static_cast<std::size_t>(pick(0, static_cast<int>(causes.size()) - 1))]);
    s.agent = fmt::format("A-{}", pick(1, 3));
    int loss = pick(0, 2);
    s.loss = loss == 0 ? LossKind::none : loss == 1 ? LossKind::money : LossKind::right;
    s.loss_yuan = s.loss == LossKind::none ? 0 : 10 * pick(1, 30);
    if (s.loss == LossKind::money) s.remedies.push_back({RemedyKind::cash, s.loss_yuan * pick(0, 1), true, "S-1"});
    if (s.loss == LossKind::right) s.remedies.push_back({RemedyKind::replacement, s.loss_yuan, pick(0, 3) > 0, "S-1"});
    if (pick(0, 2) == 0) s.remedies.push_back({RemedyKind::extra, 5 * pick(1, 6), true, "S-1"});
    if (pick(0, 9) == 0) s.remedies.push_back({RemedyKind::cash, 300, true, fmt::format("S-{}", pick(1, 2))});
    if (s.loss == LossKind::none && pick(0, 4) == 0) s.remedies.push_back({RemedyKind::cash, 50, true, "S-1"});
    s.first_answer_minutes = pick(0, 4) == 0 ? pick(21, 40) : pick(1, 20);
    s.update_missed = pick(0, 5) == 0;
    s.promises_kept = pick(0, 2);
    s.promise_lapsed = pick(0, 6) == 0;
    s.repeat_contacts = pick(0, 3) == 0 ? pick(1, 3) : 0;
    s.safety = pick(0, 14) == 0;
    if (pick(0, 5) == 0) s.precedent_outlier = pick(0, 1) == 1;
    s.close = pick(0, 5) > 0;
    specs.push_back(std::move(s));
  }
  return specs;
}

}  // namespace redress::testing

#endif
