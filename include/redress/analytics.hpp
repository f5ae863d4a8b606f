// redress/analytics.hpp: patterns over case journals.
//
// Step 4 of recovery is "record the problem in detail so patterns show";
// the short-board principle says fix first what customers feel most. An
// `Analytics` accumulator folds closed (or open) cases in, one at a time,
// each with its journal, and a `Summary` says:
//   - which root causes to fix first: ranked by frequency × felt loss, where
//     a loss weighs λ times a gain (Settings::loss_aversion_permille);
//   - how the service keeps its promises over time (by day or ISO week):
//     first responses within the update interval, updates on time, promises
//     kept, closures with a confirmed neutral or positive feeling, repeat
//     contacts, escalations, emergencies;
//   - what recovery costs: per agent, per cause, per remedy kind; cash paid
//     where nothing was lost; remedies above the front line's authority and
//     who decided them; precedent claims and the outliers flagged.
//
// Pure: no I/O, no clock. Money is summed per currency in integer minor
// units (`MoneyTotals`), never converted and never in floating point; a
// ratio is a count out of a total (`Ratio`), with its per-mille rounded half
// up for display. docs/analytics.md defines every measure exactly.
#ifndef REDRESS_ANALYTICS_HPP
#define REDRESS_ANALYTICS_HPP

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <boost/json/value.hpp>

#include <redress/case.hpp>
#include <redress/event.hpp>
#include <redress/lint.hpp>
#include <redress/policy.hpp>
#include <redress/taxonomy.hpp>

namespace redress {
inline namespace v1 {

// Period
//
// How health is bucketed: by civil day, or by ISO week (Monday to Sunday),
// in the analytics' time zone.
enum class Period : std::uint8_t { day, week };
std::string_view to_string(Period p) noexcept;
// Fails with errc::invalid_argument naming the text.
result<Period> parse_period(std::string_view text);

// MoneyTotals
//
// A sum of money per currency, in minor units: one entry per currency ever
// added (zero amounts included), ordered by currency code. Amounts of
// different currencies are never combined.
//
// Example:
//   redress::MoneyTotals t;
//   BOOST_OUTCOME_TRYV(t.add(Money::from_minor_units(500, Currency::CNY)));
//   BOOST_OUTCOME_TRYV(t.add(Money::from_minor_units(300, Currency::USD)));
//   auto cny = t.in(Currency::CNY).minor_units();  // 500
class MoneyTotals {
 public:
  // Adds `m` to its currency's total. Fails with errc::amount_overflow.
  result<void> add(Money m);
  // Adds every total of `other`. Fails with errc::amount_overflow.
  result<void> add(const MoneyTotals& other);
  // The total in `currency` (zero when nothing in it was added).
  Money in(Currency currency) const noexcept;
  // The totals, ordered by currency code.
  const std::vector<Money>& amounts() const noexcept { return amounts_; }
  bool empty() const noexcept { return amounts_.empty(); }
  friend bool operator==(const MoneyTotals&, const MoneyTotals&) = default;

 private:
  std::vector<Money> amounts_;
};

// Ratio
//
// `count` out of `of`. per_mille() is 1000 × count / of rounded half up,
// and 0 when `of` is 0 (JSON then writes null: nothing to measure).
struct Ratio {
  std::int64_t count = 0;
  std::int64_t of = 0;
  std::int64_t per_mille() const noexcept;
  friend bool operator==(const Ratio&, const Ratio&) = default;
};

// CauseRow
//
// One root cause. `cause` is the category recorded on the case ("" when no
// root cause was recorded). `felt_loss` sums, per case and currency,
// max(0, λ × money lost − remedies granted), λ × lost rounded half-even to a
// minor unit: the loss as the customer feels it after what we gave back.
// Causes are ranked by felt loss in the summary's currency (frequency ×
// mean felt loss), then by case count, then by name; `cumulative_per_mille`
// is the share of that currency's total felt loss up to and including this
// cause (the Pareto line), rounded half up.
struct CauseRow {
  std::string cause;
  // The cause's labels from the policy's taxonomy ("en", "zh-Hans",
  // "zh-Hant"); empty for a cause the taxonomy does not know.
  std::map<std::string, std::string, std::less<>> labels;
  std::int64_t cases = 0;
  MoneyTotals money_lost;
  MoneyTotals remedy_cost;
  MoneyTotals felt_loss;
  Ratio closed_well;  // closed with a confirmed neutral or positive feeling, of `cases`
  std::int64_t cumulative_per_mille = 0;
  friend bool operator==(const CauseRow&, const CauseRow&) = default;
};

// HealthRow
//
// The cases opened in one period (`bucket` is its first civil day).
struct HealthRow {
  CivilDate bucket;
  std::int64_t cases = 0;
  Ratio first_response_on_time;  // answered within the target, of cases the customer opened
  Ratio updates_on_time;         // updates on time, of updates due
  Ratio promises_kept;           // kept, of promises kept or lapsed
  Ratio closed_well;             // closed with a confirmed neutral or positive feeling, of cases
  Ratio repeat_contact;          // cases with a repeat contact, of cases
  std::int64_t escalations = 0;
  std::int64_t emergencies = 0;
  // Negative public reviews and posts replied to publicly by their deadline,
  // of those replied to or past their deadline; counted in the period of the
  // review itself (a row may hold reviews and no case opened).
  Ratio public_replies_on_time;
  friend bool operator==(const HealthRow&, const HealthRow&) = default;
};

// CostRow
//
// Remedies granted under one key (an agent, a cause, a remedy kind) and
// what they cost.
struct CostRow {
  std::string key;
  std::int64_t remedies = 0;
  MoneyTotals cost;
  friend bool operator==(const CostRow&, const CostRow&) = default;
};

// RemedyNote
//
// A remedy the report lists by name: cash without a loss, or above the
// front line's authority (with who decided it, if anyone has).
struct RemedyNote {
  CaseId case_id;
  RemedyId remedy;
  RemedyKind kind = RemedyKind::cash;
  Money value;
  RemedyStatus status = RemedyStatus::proposed;
  int approval_level = 0;
  std::optional<AgentId> decided_by;
  std::optional<AgentId> proposed_by;
  friend bool operator==(const RemedyNote&, const RemedyNote&) = default;
};

// GivingRow
//
// What one agent (or one cause) gave, measured against what was lost
// (docs/analytics.md, "Over-compensation"). A granted remedy is *above the
// loss* when its value exceeds the loss it answers (its order's, or the
// case's when it names no order) by more than the policy's extra gesture;
// `amount_above` sums value − loss over those.
struct GivingRow {
  std::string key;
  Ratio above_loss;  // granted remedies above the loss, of granted remedies
  MoneyTotals amount_above;
  std::int64_t cash_without_loss = 0;  // granted cash of positive value where nothing was lost
  MoneyTotals cash_without_loss_total;
  Ratio approvals_granted;  // remedies above the front line's authority granted, of those proposed
  friend bool operator==(const GivingRow&, const GivingRow&) = default;
};

// ScoreSpread
//
// Apology-structure scores (0-100, <redress/lint.hpp>) of an agent's
// replies: how many, the median and the quartiles (nearest rank). `bucket`
// is the period's first day (unused for the overall spread).
struct ScoreSpread {
  CivilDate bucket;
  std::int64_t replies = 0;
  int p25 = 0, median = 0, p75 = 0;
  friend bool operator==(const ScoreSpread&, const ScoreSpread&) = default;
};

// FindingCount
//
// A lint finding code and how many of an agent's replies raised it.
struct FindingCount {
  std::string code;
  std::int64_t count = 0;
  friend bool operator==(const FindingCount&, const FindingCount&) = default;
};

// AgentCoaching
//
// How one agent writes to customers: every apology and progress update
// whose event names them as actor ("" for replies without one).
struct AgentCoaching {
  std::string agent;
  ScoreSpread scores;                   // over every reply
  std::vector<ScoreSpread> by_period;   // by the period of the reply, oldest first
  std::vector<FindingCount> top_findings;  // the 5 most raised, most first (then by code)
  Ratio repeat_replies;  // replies repeating one of their earlier replies on the same case, of replies
  Ratio feeling_rose;    // cases where the customer's next feeling after their reply was worse, of cases replied on
  friend bool operator==(const AgentCoaching&, const AgentCoaching&) = default;
};

// FixRow
//
// A root cause fixed (<redress/root_cause_fix.hpp>): when, what and by whom,
// how many customers were to be told (one notice each) and how many were
// told (their notice delivered). Analytics does not fold these from
// journals: the host copies them from its store (JournalStore::fixes()).
struct FixRow {
  std::string cause;
  Instant fixed_at_utc;
  std::string note;
  std::string fixed_by;
  std::int64_t customers = 0;
  std::int64_t told = 0;
  friend bool operator==(const FixRow&, const FixRow&) = default;
};

// Summary
//
// Everything the analytics found, ready for a report (<redress/report.hpp>).
struct Summary {
  Currency currency = Currency::CNY;  // the currency causes are ranked in
  int loss_aversion_permille = 2250;
  Period period = Period::day;
  std::string time_zone;
  int cause_level = -1;  // the taxonomy level causes are rolled up to; -1: as recorded
  std::int64_t cases = 0;
  std::int64_t events = 0;
  std::vector<CauseRow> causes;  // ranked, most felt first
  std::vector<HealthRow> health;  // by bucket, oldest first
  MoneyTotals money_lost;
  MoneyTotals remedy_cost;
  std::vector<CostRow> cost_by_agent;  // key: the agent who proposed it ("" when unattributed), by key
  std::vector<CostRow> cost_by_cause;  // key: the root cause, by key
  std::vector<CostRow> cost_by_kind;   // key: the remedy kind, ladder order
  // The listed remedies and cases below are ordered by case id (then remedy
  // id) and cut at AnalyticsOptions::list_limit; the *_count members count
  // them all.
  std::vector<RemedyNote> cash_without_loss;  // granted cash where the order (or case) lost nothing
  std::int64_t cash_without_loss_count = 0;
  MoneyTotals cash_without_loss_total;
  std::vector<RemedyNote> above_authority;  // approval_level > 0, whatever became of them
  std::int64_t above_authority_count = 0;
  std::int64_t precedent_claims = 0;        // cases where the customer cited another case's remedy
  std::vector<CaseId> precedent_outliers;   // cases with a precedent.outlier finding
  std::int64_t precedent_outlier_count = 0;
  // Over-compensation and coaching (empty unless AnalyticsOptions::coaching).
  std::vector<GivingRow> giving_by_agent;  // by key
  std::vector<GivingRow> giving_by_cause;  // by key
  std::vector<AgentCoaching> coaching;     // by agent
  // Root causes fixed, by cause then when (set by the host; see FixRow).
  std::vector<FixRow> fixes;
  friend bool operator==(const Summary&, const Summary&) = default;
};

// to_json(const Summary&)
//
// The summary as docs/analytics.md shows: money as Money objects in lists
// per currency, ratios as {"count", "of", "per_mille"}.
boost::json::value to_json(const Summary& s);

// AnalyticsOptions
//
// What the measures are taken against. analytics_options(settings) takes
// the currency, λ, the update interval (the first-response target) and the
// repeat-contact escalation threshold from a policy's settings.
struct AnalyticsOptions {
  Currency currency = Currency::CNY;
  int loss_aversion_permille = 2250;
  Duration first_response_target = boost::posix_time::minutes(20);
  int repeat_contacts_to_escalate = 2;
  Period period = Period::day;
  TimeZone time_zone = TimeZone::utc();
  // The policy's root-cause taxonomy, and the level causes are rolled up to
  // in the causes and cost-by-cause tables (0: the top categories; -1: as
  // recorded). A cause the taxonomy does not know is kept as recorded.
  CauseTaxonomy taxonomy;
  int cause_level = -1;
  // How many remedies (and outlier cases) each list of the summary names at
  // most: the first by case id. Counts and totals cover them all. 0: no limit.
  std::size_t list_limit = 1000;
  // Whether add() remembers every case id to refuse a case folded twice.
  // A host folding each case once by construction (a store's scan()) turns
  // it off, so memory does not grow with the number of cases.
  bool remember_case_ids = true;
  // Whether add() takes the over-compensation and coaching measures: each
  // reply is linted (with `lint`, the front line's authority `lint_authority`,
  // unlimited when unset) for its structure score and findings.
  bool coaching = true;
  LintPolicy lint = LintPolicy::standard();
  std::optional<Money> lint_authority;
  int extra_gesture_permille = 100;  // the extra above a loss that is not over-compensation
};
AnalyticsOptions analytics_options(const Settings& settings);

namespace detail {
// What Analytics keeps per agent and per cause for over-compensation and coaching.
struct GivingAcc {
  std::int64_t granted = 0, above = 0, cash_without_loss = 0, approvals = 0, approvals_granted = 0;
  MoneyTotals amount_above, cash_without_loss_total;
};
struct AgentAcc {
  std::int64_t replies = 0, repeats = 0, cases = 0, feeling_rose = 0;
  std::map<CivilDate, std::array<std::int64_t, 101>> scores;  // how many replies had each score, by period
  std::map<std::string, std::int64_t> findings;
};
}  // namespace detail

// Analytics
//
// The accumulator. Fold each case in once, in the state its journal leaves
// it (replay() gives it), with that journal; ask for summary() at any time.
//
// Example (given const redress::ReferencePolicy& policy,
//          const std::vector<std::pair<redress::Case, std::vector<redress::Event>>>& cases):
//   auto a = redress::Analytics::make(redress::analytics_options(policy.settings())).value();
//   for (const auto& [c, journal] : cases) {
//     if (auto r = a.add(c, journal); !r) return r.error();
//   }
//   auto top = a.summary().causes.front().cause;  // the short board
class Analytics {
 public:
  // Fails with errc::invalid_argument when λ is below 1000 per mille, the
  // first-response target is not positive, or the threshold is below 1.
  static result<Analytics> make(AnalyticsOptions options);

  // Analytics::add()
  //
  // Folds case `c`, whose journal is `journal`, into the measures. Fails
  // with errc::invalid_argument when the case was already folded in or an
  // event belongs to another case, errc::amount_overflow when a total leaves
  // the int64 range; a failed add changes nothing.
  result<void> add(const Case& c, std::span<const Event> journal);

  // Analytics::merge()
  //
  // Folds in everything `other` folded: what several workers, each folding
  // its own cases with the same options, add up to. The summary is the one a
  // single accumulator folding every case would give. Fails with
  // errc::invalid_argument when the options differ or a case was folded by
  // both (when both remember ids), errc::amount_overflow; a failed merge
  // changes nothing.
  result<void> merge(const Analytics& other);

  // The measures over every case folded in so far.
  Summary summary() const;

  const AnalyticsOptions& options() const noexcept { return options_; }
  std::int64_t cases() const noexcept { return cases_; }

 private:
  struct CauseAcc {
    std::int64_t cases = 0;
    MoneyTotals lost, cost, felt;
    std::int64_t closed_well = 0;
  };
  explicit Analytics(AnalyticsOptions options) : options_(std::move(options)) {}

  AnalyticsOptions options_;
  std::int64_t cases_ = 0;
  std::int64_t events_ = 0;
  std::unordered_set<std::string> seen_;
  std::map<std::string, CauseAcc> causes_;
  std::map<CivilDate, HealthRow> health_;
  MoneyTotals lost_, cost_;
  std::map<std::string, CostRow> by_agent_, by_cause_;
  std::map<RemedyKind, CostRow> by_kind_;
  std::vector<RemedyNote> cash_without_loss_, above_authority_;
  std::int64_t cash_without_loss_count_ = 0, above_authority_count_ = 0;
  MoneyTotals cash_without_loss_total_;
  std::int64_t precedent_claims_ = 0;
  std::vector<CaseId> precedent_outliers_;
  std::int64_t precedent_outlier_count_ = 0;

  result<void> merge_coaching(const Analytics& other);
  void coaching_summary(Summary& s) const;
  std::map<std::string, detail::GivingAcc> giving_by_agent_, giving_by_cause_;
  std::map<std::string, detail::AgentAcc> agents_;
};

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_ANALYTICS_HPP
