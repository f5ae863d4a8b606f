// Patterns over case journals: the measures docs/analytics.md defines.
#include <redress/analytics.hpp>

#include <algorithm>
#include <array>

#include <boost/json.hpp>
#include <fmt/format.h>

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

result<CaseFacts> facts_of(const Case& c, std::span<const Event> journal, const AnalyticsOptions& o) {
  CaseFacts f;
  if (c.root_cause()) f.cause = c.root_cause()->category;
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
  return f;
}

void add_ratio(Ratio& r, std::int64_t count, std::int64_t of) {
  r.count += count;
  r.of += of;
}

}  // namespace

result<void> Analytics::add(const Case& c, std::span<const Event> journal) {
  if (seen_.contains(std::string(c.id().str()))) {
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
  auto all = [&]() -> result<void> {
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

  for (auto& n : f.cash_without_loss) cash_without_loss_.push_back(std::move(n));
  for (auto& n : f.above_authority) above_authority_.push_back(std::move(n));
  precedent_claims_ += c.flags().precedent_claim;
  if (f.outlier) precedent_outliers_.push_back(c.id());
  seen_.insert(std::string(c.id().str()));
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
  s.cases = cases_;
  s.events = events_;
  for (const auto& [name, acc] : causes_) {
    s.causes.push_back(CauseRow{name, acc.cases, acc.lost, acc.cost, acc.felt, Ratio{acc.closed_well, acc.cases}, 0});
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
  s.cash_without_loss = cash_without_loss_;
  s.cash_without_loss_total = cash_without_loss_total_;
  s.above_authority = above_authority_;
  s.precedent_claims = precedent_claims_;
  s.precedent_outliers = precedent_outliers_;
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

}  // namespace

boost::json::value to_json(const Summary& s) {
  json::array causes;
  for (const auto& c : s.causes) {
    causes.push_back(json::object{{"cause", c.cause},
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
  return json::object{
      {"cases", s.cases},
      {"events", s.events},
      {"currency", to_json(s.currency)},
      {"loss_aversion_permille", s.loss_aversion_permille},
      {"period", to_string(s.period)},
      {"time_zone", s.time_zone},
      {"causes", std::move(causes)},
      {"health", std::move(health)},
      {"cost",
       json::object{{"money_lost", totals_json(s.money_lost)},
                    {"remedy_cost", totals_json(s.remedy_cost)},
                    {"by_agent", cost_json(s.cost_by_agent, "agent")},
                    {"by_cause", cost_json(s.cost_by_cause, "cause")},
                    {"by_kind", cost_json(s.cost_by_kind, "kind")}}},
      {"cash_without_loss",
       json::object{{"total", totals_json(s.cash_without_loss_total)}, {"remedies", notes_json(s.cash_without_loss)}}},
      {"above_authority", notes_json(s.above_authority)},
      {"precedent", json::object{{"claims", s.precedent_claims}, {"outliers", std::move(outliers)}}},
  };
}

}  // namespace v1
}  // namespace redress
