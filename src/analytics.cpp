// Patterns over case journals: the measures docs/analytics.md defines.
#include <redress/analytics.hpp>

#include <algorithm>
#include <array>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/detail/json_read.hpp>
#include <redress/journal.hpp>
#include <redress/json.hpp>

namespace redress {
inline namespace v1 {

using boost::outcome_v2::success;

std::string_view to_string(Period p) noexcept { return p == Period::week ? "week" : "day"; }

result<Period> parse_period(std::string_view text) {
  if (text == "day") return Period::day;
  if (text == "week") return Period::week;
  return detail::fail(errc::invalid_argument, fmt::format("period \"{}\": expected day or week", text));
}

result<void> MoneyTotals::add(Money m) {
  auto it = std::lower_bound(amounts_.begin(), amounts_.end(), m.currency(),
                             [](Money a, Currency c) { return a.currency() < c; });
  if (it == amounts_.end() || it->currency() != m.currency()) {
    amounts_.insert(it, m);
    return success();
  }
  BOOST_OUTCOME_TRY(*it, redress::add(*it, m));
  return success();
}

result<void> MoneyTotals::add(const MoneyTotals& other) {
  MoneyTotals sum = *this;
  for (Money m : other.amounts_) {
    BOOST_OUTCOME_TRYV(sum.add(m));
  }
  *this = std::move(sum);
  return success();
}

Money MoneyTotals::in(Currency currency) const noexcept {
  for (Money m : amounts_) {
    if (m.currency() == currency) return m;
  }
  return Money::zero(currency);
}

namespace {

__extension__ typedef __int128 wide;

// 1000 × count / of, rounded half up; 0 when `of` is 0.
std::int64_t per_mille_of(wide count, wide of) noexcept {
  if (of <= 0) return 0;
  return static_cast<std::int64_t>((count * 2000 + of) / (of * 2));
}

}  // namespace

std::int64_t Ratio::per_mille() const noexcept { return per_mille_of(count, of); }

AnalyticsOptions analytics_options(const Settings& settings) {
  AnalyticsOptions o;
  o.currency = settings.currency;
  o.loss_aversion_permille = settings.loss_aversion_permille;
  o.first_response_target = settings.update_interval;
  o.repeat_contacts_to_escalate = settings.repeat_contacts_to_escalate;
  o.taxonomy = settings.root_causes;
  o.lint = settings.lint;
  o.extra_gesture_permille = settings.extra_gesture_permille;
  return o;
}

result<Analytics> Analytics::make(AnalyticsOptions options) {
  if (options.loss_aversion_permille < 1000) {
    return detail::fail(errc::invalid_argument,
                        fmt::format("loss_aversion_permille {}: a loss weighs at least as much as a gain (>= 1000)",
                                    options.loss_aversion_permille));
  }
  if (options.first_response_target.is_special() || options.first_response_target <= Duration()) {
    return detail::fail(errc::invalid_argument, "first_response_target: must be positive");
  }
  if (options.repeat_contacts_to_escalate < 1) {
    return detail::fail(errc::invalid_argument, "repeat_contacts_to_escalate: must be at least 1");
  }
  return Analytics(std::move(options));
}

namespace {

// What one case contributes, worked out before anything is changed.
struct CaseFacts {
  std::string cause;
  MoneyTotals lost, cost, felt;
  bool closed_well = false;
  CivilDate bucket;
  bool customer_opened = false, first_response_on_time = false;
  std::int64_t updates_sent = 0, updates_late = 0, updates_missed = 0;
  std::int64_t promises_kept = 0, promises_lapsed = 0;
  std::int64_t escalations = 0, emergencies = 0;
  bool outlier = false;
  struct Granted {
    const Remedy* remedy;
    std::string agent;
  };
  std::vector<Granted> granted;
  std::vector<RemedyNote> cash_without_loss, above_authority;
  MoneyTotals cash_without_loss_total;
  // Over-compensation: one entry per remedy granted or sent for approval.
  struct Giving {
    std::string agent;
    bool granted = false, above = false, cash_without_loss = false, approval = false, approval_granted = false;
    Money value = Money::zero(Currency::CNY), amount_above = Money::zero(Currency::CNY);
  };
  std::vector<Giving> giving;
  // Coaching: one entry per reply (apology or update), and per agent who replied.
  struct Reply {
    std::string agent;
    CivilDate bucket;
    std::optional<int> score;
    std::vector<std::string> codes;
    bool repeat = false;
  };
  std::vector<Reply> replies;
  std::map<std::string, bool> replied;  // agent -> the customer's feeling rose after one of their replies
};

bool agent_answers(const EventBody& body) {
  return std::holds_alternative<events::ApologyGiven>(body) ||
         std::holds_alternative<events::ProgressUpdateSent>(body) || std::holds_alternative<events::Resolved>(body);
}

CivilDate bucket_of(Instant at, const AnalyticsOptions& o) {
  CivilDate day = o.time_zone.to_civil(at).date();
  if (o.period == Period::day) return day;
  int back = (day.day_of_week().as_number() + 6) % 7;  // days since Monday
  return day - boost::gregorian::days(back);
}

RemedyNote note(const Case& c, const Remedy& r, const std::map<std::string, AgentId, std::less<>>& proposers) {
  RemedyNote n{c.id(), r.id, r.kind, r.value, r.status, r.approval_level, r.decided_by, std::nullopt};
  if (auto it = proposers.find(r.id.str()); it != proposers.end()) n.proposed_by = it->second;
  return n;
}

// --- over-compensation and coaching (docs/analytics.md, "Coaching") ---------

std::string agent_of(const Event& e) { return e.actor ? std::string(e.actor->str()) : std::string(); }

std::string_view trimmed(std::string_view text) {
  constexpr std::string_view space = " \t\r\n";
  const auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

// How negative a feeling is: its intensity when negative, 0 otherwise.
int negativity(const Emotion& e) { return e.is_negative() ? e.intensity() : 0; }

// Each reply's agent, score and findings; whether it repeats the agent's
// earlier reply on the case; whether the customer's next feeling was worse.
void reply_facts(std::span<const Event> journal, const AnalyticsOptions& o, Currency currency, CaseFacts& f) {
  LintContext context{LintLanguage::automatic, o.lint_authority.value_or(Money::from_minor_units(INT64_MAX, currency)),
                      o.lint};
  std::map<std::string, std::vector<std::string_view>, std::less<>> said;  // agent -> replies so far
  std::vector<std::pair<std::string, int>> waiting;  // replies since the last feeling, with the feeling before
  int feeling = 0;
  for (const Event& e : journal) {
    const std::string* text = nullptr;
    if (const auto* a = std::get_if<events::ApologyGiven>(&e.body)) text = &a->text;
    if (const auto* u = std::get_if<events::ProgressUpdateSent>(&e.body)) text = &u->text;
    if (text != nullptr) {
      CaseFacts::Reply r{agent_of(e), bucket_of(e.at_utc, o), std::nullopt, {}, false};
      if (auto report = lint(*text, context)) {
        r.score = report.value().structure_score;
        for (const auto& finding : report.value().findings) r.codes.emplace_back(finding.code);
      }
      auto& before = said[r.agent];
      const auto words = trimmed(*text);
      r.repeat = std::find(before.begin(), before.end(), words) != before.end();
      before.push_back(words);
      f.replied.try_emplace(r.agent, false);
      waiting.emplace_back(r.agent, feeling);
      f.replies.push_back(std::move(r));
      continue;
    }
    std::optional<int> next;
    if (const auto* m = std::get_if<events::EmotionObserved>(&e.body)) next = negativity(m->emotion);
    if (const auto* s = std::get_if<events::SatisfactionConfirmed>(&e.body)) next = negativity(s->emotion);
    if (!next) continue;
    for (const auto& [agent, before] : waiting) {
      if (*next > before) f.replied[agent] = true;
    }
    waiting.clear();
    feeling = *next;
  }
}

// Each remedy granted or sent for approval, against the loss it answers.
result<void> giving_facts(const Case& c, const std::map<std::string, AgentId, std::less<>>& proposers,
                          const AnalyticsOptions& o, CaseFacts& f) {
  for (const auto& r : c.remedies()) {
    const bool granted = r.status == RemedyStatus::granted;
    if (!granted && r.approval_level == 0) continue;
    CaseFacts::Giving g;
    if (auto it = proposers.find(r.id.str()); it != proposers.end()) g.agent = it->second.str();
    g.granted = granted;
    g.approval = r.approval_level > 0;
    g.approval_granted = g.approval && (r.status == RemedyStatus::approved || r.status == RemedyStatus::accepted ||
                                        r.status == RemedyStatus::granted);
    g.value = r.value;
    g.amount_above = Money::zero(r.value.currency());
    if (granted) {
      const Order* order = r.order ? c.find_order(*r.order) : nullptr;
      Money loss = Money::zero(r.value.currency());
      if (order != nullptr && order->loss.kind != LossKind::none) loss = order->loss.amount;
      if (order == nullptr) loss = f.lost.in(r.value.currency());
      BOOST_OUTCOME_TRY(auto extra, scale(loss, o.extra_gesture_permille, 1000, Rounding::up));
      BOOST_OUTCOME_TRY(auto allowed, add(loss, extra));
      g.above = r.value.currency() == loss.currency() && r.value.minor_units() > allowed.minor_units();
      if (g.above) { BOOST_OUTCOME_TRY(g.amount_above, subtract(r.value, loss)); }
      const bool lost = order != nullptr ? order->loss.kind != LossKind::none : !f.lost.empty();
      g.cash_without_loss = r.kind == RemedyKind::cash && r.value.is_positive() && !lost;
    }
    f.giving.push_back(std::move(g));
  }
  return success();
}

// The nearest-rank percentile `pct` of a histogram of scores 0-100 holding `n`.
int percentile(const std::array<std::int64_t, 101>& counts, std::int64_t n, int pct) {
  const std::int64_t rank = std::max<std::int64_t>(1, (n * pct + 99) / 100);
  std::int64_t seen = 0;
  for (int score = 0; score <= 100; ++score) {
    seen += counts[static_cast<std::size_t>(score)];
    if (seen >= rank) return score;
  }
  return 100;
}

ScoreSpread spread_of(CivilDate bucket, const std::array<std::int64_t, 101>& counts) {
  std::int64_t n = 0;
  for (auto k : counts) n += k;
  return ScoreSpread{bucket, n, percentile(counts, n, 25), percentile(counts, n, 50), percentile(counts, n, 75)};
}

result<CaseFacts> facts_of(const Case& c, std::span<const Event> journal, const AnalyticsOptions& o) {
  CaseFacts f;
  if (c.root_cause()) f.cause = o.taxonomy.at_level(c.root_cause()->category, o.cause_level);
  f.bucket = bucket_of(c.opened_at_utc(), o);

  // The journal: who proposed each remedy, the first contact and first answer, updates sent.
  std::map<std::string, AgentId, std::less<>> proposers;
  std::optional<Instant> first_contact, first_answer;
  for (std::size_t i = 0; i < journal.size(); ++i) {
    const Event& e = journal[i];
    if (e.case_id != c.id()) {
      return detail::fail(errc::invalid_argument, fmt::format("journal[{}]: event of case {}, not {}", i,
                                                              e.case_id.str(), c.id().str()));
    }
    if (const auto* p = std::get_if<events::RemedyProposed>(&e.body); p && e.actor) {
      proposers.emplace(p->remedy.str(), *e.actor);
    }
    if (std::holds_alternative<events::ContactReceived>(e.body) && !first_contact) first_contact = e.at_utc;
    if (first_contact && !first_answer && agent_answers(e.body)) first_answer = e.at_utc;
    f.updates_sent += std::holds_alternative<events::ProgressUpdateSent>(e.body);
  }
  f.customer_opened = first_contact.has_value() && !c.flags().proactive;
  f.first_response_on_time =
      f.customer_opened && first_answer && *first_answer - *first_contact <= o.first_response_target;

  // The case: findings, promises, feelings, losses and remedies.
  for (const auto& finding : c.findings()) {
    const std::string& code = finding.code;
    if (code == "update.late") {
      ++f.updates_late;
    } else if (code == "update.missed") {
      ++f.updates_missed;
      ++f.escalations;
    } else if (code == "promise.lapsed" || code == "promise.broken" || code == "third_party.late" ||
               code == "public_reply.missed" || code == "resolution.missed") {
      ++f.escalations;
    } else if (code == "precedent.outlier") {
      ++f.escalations;
      f.outlier = true;
    } else if (code == "safety.emergency") {
      ++f.emergencies;
    }
  }
  // A repeat contact escalates once the repeats reach the threshold (docs/engine.md).
  f.escalations += std::max(0, c.flags().repeat_contacts - o.repeat_contacts_to_escalate + 1);
  for (const auto& p : c.promises()) {
    f.promises_kept += p.state == PromiseState::kept;
    // A broken promise counts against the rate like a lapsed one.
    f.promises_lapsed += p.state == PromiseState::lapsed || p.state == PromiseState::broken;
  }
  auto feeling = c.confirmed_feeling();
  f.closed_well = c.stage() == Stage::closed && feeling && feeling->is_neutral_or_positive();

  bool case_lost_something = false;
  for (const auto& order : c.orders()) {
    if (order.loss.kind == LossKind::none) continue;
    case_lost_something = true;
    BOOST_OUTCOME_TRYV(f.lost.add(order.loss.amount));
  }
  for (const auto& r : c.remedies()) {
    if (r.approval_level > 0) f.above_authority.push_back(note(c, r, proposers));
    if (r.status != RemedyStatus::granted) continue;
    BOOST_OUTCOME_TRYV(f.cost.add(r.value));
    auto agent = proposers.find(r.id.str());
    f.granted.push_back({&r, agent == proposers.end() ? std::string() : std::string(agent->second.str())});
    if (r.kind != RemedyKind::cash || !r.value.is_positive()) continue;
    const Order* order = r.order ? c.find_order(*r.order) : nullptr;
    bool lost = order ? order->loss.kind != LossKind::none : case_lost_something;
    if (!lost) {
      f.cash_without_loss.push_back(note(c, r, proposers));
      BOOST_OUTCOME_TRYV(f.cash_without_loss_total.add(r.value));
    }
  }

  // Felt loss per currency: max(0, λ × lost − granted).
  MoneyTotals currencies = f.lost;
  BOOST_OUTCOME_TRYV(currencies.add(f.cost));
  for (Money any : currencies.amounts()) {
    BOOST_OUTCOME_TRY(auto weighted,
                      scale(f.lost.in(any.currency()), o.loss_aversion_permille, 1000, Rounding::half_even));
    BOOST_OUTCOME_TRY(auto net, subtract(weighted, f.cost.in(any.currency())));
    BOOST_OUTCOME_TRYV(f.felt.add(net.is_negative() ? Money::zero(net.currency()) : net));
  }
  if (o.coaching) {
    BOOST_OUTCOME_TRYV(giving_facts(c, proposers, o, f));
    reply_facts(journal, o, c.currency(), f);
  }
  return f;
}

void add_ratio(Ratio& r, std::int64_t count, std::int64_t of) {
  r.count += count;
  r.of += of;
}

void add_ratio(Ratio& r, const Ratio& more) { add_ratio(r, more.count, more.of); }

bool listed_before(const RemedyNote& a, const RemedyNote& b) {
  if (a.case_id.str() != b.case_id.str()) return a.case_id.str() < b.case_id.str();
  return a.remedy.str() < b.remedy.str();
}

bool listed_before(const CaseId& a, const CaseId& b) { return a.str() < b.str(); }

// Cuts a list down to its first `limit` entries by case id, once it holds
// twice as many (so the cost of keeping it bounded is spread out); `exact`
// cuts it down now and sorts it.
template <class T>
void keep_first(std::vector<T>& list, std::size_t limit, bool exact = false) {
  auto before = [](const T& a, const T& b) { return listed_before(a, b); };
  if (exact) {
    std::sort(list.begin(), list.end(), before);
    if (limit > 0 && list.size() > limit) list.erase(list.begin() + static_cast<std::ptrdiff_t>(limit), list.end());
    return;
  }
  if (limit == 0 || list.size() < 2 * limit) return;
  const auto cut = list.begin() + static_cast<std::ptrdiff_t>(limit);
  std::nth_element(list.begin(), cut, list.end(), before);
  list.erase(cut, list.end());
}

template <class T>
void append_kept(std::vector<T>& list, const std::vector<T>& more, std::size_t limit) {
  list.insert(list.end(), more.begin(), more.end());
  keep_first(list, limit);
}

bool same_options(const AnalyticsOptions& a, const AnalyticsOptions& b) {
  return a.currency == b.currency && a.loss_aversion_permille == b.loss_aversion_permille &&
         a.first_response_target == b.first_response_target &&
         a.repeat_contacts_to_escalate == b.repeat_contacts_to_escalate && a.period == b.period &&
         a.time_zone.name() == b.time_zone.name() && a.list_limit == b.list_limit &&
         a.cause_level == b.cause_level && a.taxonomy == b.taxonomy && a.coaching == b.coaching &&
         a.extra_gesture_permille == b.extra_gesture_permille && a.lint_authority == b.lint_authority &&
         a.remember_case_ids == b.remember_case_ids;
}

result<void> add_cost_rows(std::map<std::string, CostRow>& into, const std::map<std::string, CostRow>& rows) {
  for (const auto& [key, row] : rows) {
    auto& sum = into.try_emplace(key, CostRow{row.key, 0, {}}).first->second;
    sum.remedies += row.remedies;
    BOOST_OUTCOME_TRYV(sum.cost.add(row.cost));
  }
  return success();
}

result<void> add_giving(detail::GivingAcc& acc, const CaseFacts::Giving& g) {
  acc.granted += g.granted;
  acc.above += g.above;
  acc.cash_without_loss += g.cash_without_loss;
  acc.approvals += g.approval;
  acc.approvals_granted += g.approval_granted;
  if (g.above) {
    BOOST_OUTCOME_TRYV(acc.amount_above.add(g.amount_above));
  }
  if (g.cash_without_loss) {
    BOOST_OUTCOME_TRYV(acc.cash_without_loss_total.add(g.value));
  }
  return success();
}

}  // namespace

result<void> Analytics::merge_coaching(const Analytics& other) {
  for (auto [into, from] : {std::pair{&giving_by_agent_, &other.giving_by_agent_},
                            std::pair{&giving_by_cause_, &other.giving_by_cause_}}) {
    for (const auto& [key, more] : *from) {
      detail::GivingAcc& acc = (*into)[key];
      acc.granted += more.granted;
      acc.above += more.above;
      acc.cash_without_loss += more.cash_without_loss;
      acc.approvals += more.approvals;
      acc.approvals_granted += more.approvals_granted;
      BOOST_OUTCOME_TRYV(acc.amount_above.add(more.amount_above));
      BOOST_OUTCOME_TRYV(acc.cash_without_loss_total.add(more.cash_without_loss_total));
    }
  }
  for (const auto& [name, more] : other.agents_) {
    detail::AgentAcc& agent = agents_[name];
    agent.replies += more.replies;
    agent.repeats += more.repeats;
    agent.cases += more.cases;
    agent.feeling_rose += more.feeling_rose;
    for (const auto& [bucket, counts] : more.scores) {
      auto& into = agent.scores.try_emplace(bucket, std::array<std::int64_t, 101>{}).first->second;
      for (std::size_t k = 0; k < counts.size(); ++k) into[k] += counts[k];
    }
    for (const auto& [code, n] : more.findings) agent.findings[code] += n;
  }
  return success();
}

void Analytics::coaching_summary(Summary& s) const {
  for (auto [rows, accs] : {std::pair{&s.giving_by_agent, &giving_by_agent_}, std::pair{&s.giving_by_cause, &giving_by_cause_}}) {
    for (const auto& [key, acc] : *accs) {
      rows->push_back(GivingRow{key, Ratio{acc.above, acc.granted}, acc.amount_above, acc.cash_without_loss,
                                acc.cash_without_loss_total, Ratio{acc.approvals_granted, acc.approvals}});
    }
  }
  for (const auto& [name, acc] : agents_) {
    AgentCoaching a;
    a.agent = name;
    std::array<std::int64_t, 101> all{};
    for (const auto& [bucket, counts] : acc.scores) {
      a.by_period.push_back(spread_of(bucket, counts));
      for (std::size_t k = 0; k < counts.size(); ++k) all[k] += counts[k];
    }
    a.scores = spread_of(CivilDate(), all);
    for (const auto& [code, n] : acc.findings) a.top_findings.push_back(FindingCount{code, n});
    std::stable_sort(a.top_findings.begin(), a.top_findings.end(),
                     [](const FindingCount& x, const FindingCount& y) { return x.count > y.count; });
    if (a.top_findings.size() > 5) a.top_findings.erase(a.top_findings.begin() + 5, a.top_findings.end());
    a.repeat_replies = Ratio{acc.repeats, acc.replies};
    a.feeling_rose = Ratio{acc.feeling_rose, acc.cases};
    s.coaching.push_back(std::move(a));
  }
}

result<void> Analytics::merge(const Analytics& other) {
  if (!same_options(options_, other.options_)) {
    return detail::fail(errc::invalid_argument, "other: folded with other options; merge accumulators made alike");
  }
  Analytics sum = *this;
  for (const auto& id : other.seen_) {
    if (!sum.seen_.insert(id).second) {
      return detail::fail(errc::invalid_argument, fmt::format("case {}: folded by both", id));
    }
  }
  for (const auto& [name, acc] : other.causes_) {
    auto& into = sum.causes_[name];
    into.cases += acc.cases;
    into.closed_well += acc.closed_well;
    BOOST_OUTCOME_TRYV(into.lost.add(acc.lost));
    BOOST_OUTCOME_TRYV(into.cost.add(acc.cost));
    BOOST_OUTCOME_TRYV(into.felt.add(acc.felt));
  }
  for (const auto& [bucket, row] : other.health_) {
    auto& h = sum.health_.try_emplace(bucket, HealthRow{bucket, 0, {}, {}, {}, {}, {}, 0, 0, {}}).first->second;
    h.cases += row.cases;
    add_ratio(h.first_response_on_time, row.first_response_on_time);
    add_ratio(h.updates_on_time, row.updates_on_time);
    add_ratio(h.promises_kept, row.promises_kept);
    add_ratio(h.closed_well, row.closed_well);
    add_ratio(h.repeat_contact, row.repeat_contact);
    add_ratio(h.public_replies_on_time, row.public_replies_on_time);
    h.escalations += row.escalations;
    h.emergencies += row.emergencies;
  }
  BOOST_OUTCOME_TRYV(sum.lost_.add(other.lost_));
  BOOST_OUTCOME_TRYV(sum.cost_.add(other.cost_));
  BOOST_OUTCOME_TRYV(add_cost_rows(sum.by_agent_, other.by_agent_));
  BOOST_OUTCOME_TRYV(add_cost_rows(sum.by_cause_, other.by_cause_));
  for (const auto& [kind, row] : other.by_kind_) {
    auto& into = sum.by_kind_.try_emplace(kind, CostRow{row.key, 0, {}}).first->second;
    into.remedies += row.remedies;
    BOOST_OUTCOME_TRYV(into.cost.add(row.cost));
  }
  const std::size_t limit = options_.list_limit;
  append_kept(sum.cash_without_loss_, other.cash_without_loss_, limit);
  append_kept(sum.above_authority_, other.above_authority_, limit);
  append_kept(sum.precedent_outliers_, other.precedent_outliers_, limit);
  sum.cash_without_loss_count_ += other.cash_without_loss_count_;
  sum.above_authority_count_ += other.above_authority_count_;
  sum.precedent_outlier_count_ += other.precedent_outlier_count_;
  BOOST_OUTCOME_TRYV(sum.cash_without_loss_total_.add(other.cash_without_loss_total_));
  sum.precedent_claims_ += other.precedent_claims_;
  BOOST_OUTCOME_TRYV(sum.merge_coaching(other));
  sum.cases_ += other.cases_;
  sum.events_ += other.events_;
  *this = std::move(sum);
  return success();
}

result<void> Analytics::add(const Case& c, std::span<const Event> journal) {
  if (options_.remember_case_ids && seen_.contains(std::string(c.id().str()))) {
    return detail::fail(errc::invalid_argument, fmt::format("case {}: already folded in", c.id().str()));
  }
  BOOST_OUTCOME_TRY(auto f, facts_of(c, journal, options_));

  // Every total that can overflow is worked out on a copy first, so a
  // failure leaves the accumulator as it was.
  auto known = causes_.find(f.cause);
  CauseAcc cause = known == causes_.end() ? CauseAcc{} : known->second;
  MoneyTotals lost = lost_, cost = cost_, cash = cash_without_loss_total_;
  std::map<std::string, CostRow> agents;
  std::map<RemedyKind, CostRow> kinds;
  CostRow by_cause = by_cause_.contains(f.cause) ? by_cause_.at(f.cause) : CostRow{f.cause, 0, {}};
  std::map<std::string, detail::GivingAcc> giving_agents, giving_causes;
  auto all = [&]() -> result<void> {
    using Accs = std::map<std::string, detail::GivingAcc>;
    auto touch = [](Accs& into, const Accs& from, const std::string& key) -> detail::GivingAcc& {
      auto known_row = from.find(key);
      return into.try_emplace(key, known_row == from.end() ? detail::GivingAcc{} : known_row->second).first->second;
    };
    for (const auto& g : f.giving) {
      BOOST_OUTCOME_TRYV(add_giving(touch(giving_agents, giving_by_agent_, g.agent), g));
      BOOST_OUTCOME_TRYV(add_giving(touch(giving_causes, giving_by_cause_, f.cause), g));
    }
    BOOST_OUTCOME_TRYV(cause.lost.add(f.lost));
    BOOST_OUTCOME_TRYV(cause.cost.add(f.cost));
    BOOST_OUTCOME_TRYV(cause.felt.add(f.felt));
    BOOST_OUTCOME_TRYV(lost.add(f.lost));
    BOOST_OUTCOME_TRYV(cost.add(f.cost));
    BOOST_OUTCOME_TRYV(cash.add(f.cash_without_loss_total));
    for (const auto& g : f.granted) {
      auto& agent = agents.try_emplace(g.agent, by_agent_.contains(g.agent) ? by_agent_.at(g.agent)
                                                                            : CostRow{g.agent, 0, {}})
                        .first->second;
      auto& kind = kinds.try_emplace(g.remedy->kind, by_kind_.contains(g.remedy->kind)
                                                         ? by_kind_.at(g.remedy->kind)
                                                         : CostRow{std::string(to_string(g.remedy->kind)), 0, {}})
                       .first->second;
      for (CostRow* row : {&agent, &kind, &by_cause}) {
        ++row->remedies;
        BOOST_OUTCOME_TRYV(row->cost.add(g.remedy->value));
      }
    }
    return success();
  };
  BOOST_OUTCOME_TRYV(all());

  ++cause.cases;
  cause.closed_well += f.closed_well;
  causes_[f.cause] = std::move(cause);
  lost_ = std::move(lost);
  cost_ = std::move(cost);
  cash_without_loss_total_ = std::move(cash);
  for (auto& [key, row] : agents) by_agent_[key] = std::move(row);
  for (auto& [key, row] : kinds) by_kind_[key] = std::move(row);
  for (auto& [key, acc] : giving_agents) giving_by_agent_[key] = std::move(acc);
  for (auto& [key, acc] : giving_causes) giving_by_cause_[key] = std::move(acc);
  for (const auto& r : f.replies) {
    detail::AgentAcc& agent = agents_[r.agent];
    ++agent.replies;
    agent.repeats += r.repeat;
    if (r.score) {
      auto& counts = agent.scores.try_emplace(r.bucket, std::array<std::int64_t, 101>{}).first->second;
      ++counts[static_cast<std::size_t>(std::clamp(*r.score, 0, 100))];
    }
    for (const auto& code : r.codes) ++agent.findings[code];
  }
  for (const auto& [name, rose] : f.replied) {
    detail::AgentAcc& agent = agents_[name];
    ++agent.cases;
    agent.feeling_rose += rose;
  }
  if (!f.granted.empty() || by_cause_.contains(f.cause)) by_cause_[f.cause] = std::move(by_cause);

  HealthRow& h = health_.try_emplace(f.bucket, HealthRow{f.bucket, 0, {}, {}, {}, {}, {}, 0, 0, {}}).first->second;
  ++h.cases;
  add_ratio(h.first_response_on_time, f.first_response_on_time, f.customer_opened);
  std::int64_t on_time = std::max<std::int64_t>(0, f.updates_sent - f.updates_late);
  add_ratio(h.updates_on_time, on_time, on_time + f.updates_missed);
  add_ratio(h.promises_kept, f.promises_kept, f.promises_kept + f.promises_lapsed);
  add_ratio(h.closed_well, f.closed_well, 1);
  add_ratio(h.repeat_contact, c.flags().repeat_contacts > 0, 1);
  h.escalations += f.escalations;
  h.emergencies += f.emergencies;
  for (const auto& r : c.public_reviews()) {
    if (!r.replied() && c.last_event_at_utc() < r.due_at_utc) continue;  // still running
    CivilDate at = bucket_of(r.contact_at_utc, options_);
    HealthRow& rh = health_.try_emplace(at, HealthRow{at, 0, {}, {}, {}, {}, {}, 0, 0, {}}).first->second;
    add_ratio(rh.public_replies_on_time, r.answered_on_time(), 1);
  }

  const std::size_t limit = options_.list_limit;
  cash_without_loss_count_ += static_cast<std::int64_t>(f.cash_without_loss.size());
  above_authority_count_ += static_cast<std::int64_t>(f.above_authority.size());
  append_kept(cash_without_loss_, f.cash_without_loss, limit);
  append_kept(above_authority_, f.above_authority, limit);
  precedent_claims_ += c.flags().precedent_claim;
  if (f.outlier) {
    ++precedent_outlier_count_;
    precedent_outliers_.push_back(c.id());
    keep_first(precedent_outliers_, limit);
  }
  if (options_.remember_case_ids) seen_.insert(std::string(c.id().str()));
  ++cases_;
  events_ += static_cast<std::int64_t>(journal.size());
  return success();
}

Summary Analytics::summary() const {
  Summary s;
  s.currency = options_.currency;
  s.loss_aversion_permille = options_.loss_aversion_permille;
  s.period = options_.period;
  s.time_zone = options_.time_zone.name();
  s.cause_level = options_.cause_level;
  s.cases = cases_;
  s.events = events_;
  for (const auto& [name, acc] : causes_) {
    CauseRow row{name, {}, acc.cases, acc.lost, acc.cost, acc.felt, Ratio{acc.closed_well, acc.cases}, 0};
    if (const auto* known = options_.taxonomy.find(name)) row.labels = known->labels;
    s.causes.push_back(std::move(row));
  }
  const Currency rank = options_.currency;
  std::stable_sort(s.causes.begin(), s.causes.end(), [rank](const CauseRow& a, const CauseRow& b) {
    auto fa = a.felt_loss.in(rank).minor_units(), fb = b.felt_loss.in(rank).minor_units();
    if (fa != fb) return fa > fb;
    if (a.cases != b.cases) return a.cases > b.cases;
    return a.cause < b.cause;
  });
  wide total = 0, running = 0;
  for (const auto& row : s.causes) total += row.felt_loss.in(rank).minor_units();
  for (auto& row : s.causes) {
    running += row.felt_loss.in(rank).minor_units();
    row.cumulative_per_mille = per_mille_of(running, total);
  }
  for (const auto& [bucket, row] : health_) s.health.push_back(row);
  s.money_lost = lost_;
  s.remedy_cost = cost_;
  for (const auto& [key, row] : by_agent_) s.cost_by_agent.push_back(row);
  for (const auto& [key, row] : by_cause_) s.cost_by_cause.push_back(row);
  for (const auto& [key, row] : by_kind_) s.cost_by_kind.push_back(row);
  const std::size_t limit = options_.list_limit;
  s.cash_without_loss = cash_without_loss_;
  keep_first(s.cash_without_loss, limit, true);
  s.cash_without_loss_count = cash_without_loss_count_;
  s.cash_without_loss_total = cash_without_loss_total_;
  s.above_authority = above_authority_;
  keep_first(s.above_authority, limit, true);
  s.above_authority_count = above_authority_count_;
  s.precedent_claims = precedent_claims_;
  s.precedent_outliers = precedent_outliers_;
  keep_first(s.precedent_outliers, limit, true);
  s.precedent_outlier_count = precedent_outlier_count_;
  coaching_summary(s);
  return s;
}

namespace {

namespace json = boost::json;

json::value totals_json(const MoneyTotals& t) {
  json::array a;
  for (Money m : t.amounts()) a.push_back(to_json(m));
  return a;
}

json::value ratio_json(const Ratio& r) {
  json::object o{{"count", r.count}, {"of", r.of}};
  if (r.of > 0) {
    o["per_mille"] = r.per_mille();
  } else {
    o["per_mille"] = nullptr;
  }
  return o;
}

json::value cost_json(const std::vector<CostRow>& rows, std::string_view key) {
  json::array a;
  for (const auto& r : rows) {
    a.push_back(json::object{{key, r.key}, {"remedies", r.remedies}, {"cost", totals_json(r.cost)}});
  }
  return a;
}

json::value notes_json(const std::vector<RemedyNote>& notes) {
  json::array a;
  for (const auto& n : notes) {
    json::object o{{"case_id", n.case_id.str()}, {"remedy", n.remedy.str()}, {"kind", to_json(n.kind)},
                   {"value", to_json(n.value)},  {"status", to_json(n.status)}, {"approval_level", n.approval_level}};
    o["decided_by"] = n.decided_by ? json::value(n.decided_by->str()) : json::value(nullptr);
    o["proposed_by"] = n.proposed_by ? json::value(n.proposed_by->str()) : json::value(nullptr);
    a.push_back(std::move(o));
  }
  return a;
}

json::value giving_json(const std::vector<GivingRow>& rows, std::string_view key) {
  json::array a;
  for (const auto& r : rows) {
    a.push_back(json::object{{key, r.key},
                             {"above_loss", ratio_json(r.above_loss)},
                             {"amount_above", totals_json(r.amount_above)},
                             {"cash_without_loss", r.cash_without_loss},
                             {"cash_without_loss_total", totals_json(r.cash_without_loss_total)},
                             {"approvals_granted", ratio_json(r.approvals_granted)}});
  }
  return a;
}

json::object spread_json(const ScoreSpread& sp, bool with_bucket) {
  json::object o{{"replies", sp.replies}, {"p25", sp.p25}, {"median", sp.median}, {"p75", sp.p75}};
  if (with_bucket) o["bucket"] = format_date(sp.bucket);
  return o;
}

json::value coaching_json(const std::vector<AgentCoaching>& agents) {
  json::array a;
  for (const auto& c : agents) {
    json::array periods, findings;
    for (const auto& p : c.by_period) periods.push_back(spread_json(p, true));
    for (const auto& f : c.top_findings) findings.push_back(json::object{{"code", f.code}, {"count", f.count}});
    a.push_back(json::object{{"agent", c.agent},
                             {"scores", spread_json(c.scores, false)},
                             {"by_period", std::move(periods)},
                             {"top_findings", std::move(findings)},
                             {"repeat_replies", ratio_json(c.repeat_replies)},
                             {"feeling_rose", ratio_json(c.feeling_rose)}});
  }
  return a;
}

}  // namespace

boost::json::value to_json(const Summary& s) {
  json::array causes;
  for (const auto& c : s.causes) {
    json::object labels;
    for (const auto& [language, label] : c.labels) labels[language] = label;
    causes.push_back(json::object{{"cause", c.cause},
                                  {"labels", std::move(labels)},
                                  {"cases", c.cases},
                                  {"money_lost", totals_json(c.money_lost)},
                                  {"remedy_cost", totals_json(c.remedy_cost)},
                                  {"felt_loss", totals_json(c.felt_loss)},
                                  {"closed_well", ratio_json(c.closed_well)},
                                  {"cumulative_per_mille", c.cumulative_per_mille}});
  }
  json::array health;
  for (const auto& h : s.health) {
    health.push_back(json::object{{"bucket", format_date(h.bucket)},
                                  {"cases", h.cases},
                                  {"first_response_on_time", ratio_json(h.first_response_on_time)},
                                  {"updates_on_time", ratio_json(h.updates_on_time)},
                                  {"promises_kept", ratio_json(h.promises_kept)},
                                  {"closed_well", ratio_json(h.closed_well)},
                                  {"repeat_contact", ratio_json(h.repeat_contact)},
                                  {"escalations", h.escalations},
                                  {"emergencies", h.emergencies},
                                  {"public_replies_on_time", ratio_json(h.public_replies_on_time)}});
  }
  json::array outliers;
  for (const auto& id : s.precedent_outliers) outliers.push_back(json::value(id.str()));
  json::array fixes;
  for (const auto& f : s.fixes) {
    fixes.push_back(json::object{{"cause", f.cause},
                                 {"fixed_at", format_instant(f.fixed_at_utc)},
                                 {"note", f.note},
                                 {"fixed_by", f.fixed_by},
                                 {"customers", f.customers},
                                 {"told", f.told}});
  }
  return json::object{
      {"schema", detail::json_schema_name("report")},
      {"cases", s.cases},
      {"events", s.events},
      {"currency", to_json(s.currency)},
      {"loss_aversion_permille", s.loss_aversion_permille},
      {"period", to_string(s.period)},
      {"time_zone", s.time_zone},
      {"cause_level", s.cause_level},
      {"causes", std::move(causes)},
      {"health", std::move(health)},
      {"cost",
       json::object{{"money_lost", totals_json(s.money_lost)},
                    {"remedy_cost", totals_json(s.remedy_cost)},
                    {"by_agent", cost_json(s.cost_by_agent, "agent")},
                    {"by_cause", cost_json(s.cost_by_cause, "cause")},
                    {"by_kind", cost_json(s.cost_by_kind, "kind")}}},
      {"cash_without_loss",
       json::object{{"total", totals_json(s.cash_without_loss_total)},
                    {"count", s.cash_without_loss_count},
                    {"remedies", notes_json(s.cash_without_loss)}}},
      {"above_authority", notes_json(s.above_authority)},
      {"above_authority_count", s.above_authority_count},
      {"precedent", json::object{{"claims", s.precedent_claims},
                                 {"outlier_count", s.precedent_outlier_count},
                                 {"outliers", std::move(outliers)}}},
      {"giving", json::object{{"by_agent", giving_json(s.giving_by_agent, "agent")},
                              {"by_cause", giving_json(s.giving_by_cause, "cause")}}},
      {"coaching", coaching_json(s.coaching)},
      {"fixes", std::move(fixes)},
  };
}

}  // namespace v1
}  // namespace redress
