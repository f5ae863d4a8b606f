// The analytics over journals generated from descriptions (CaseSpec): every
// expected number is worked out from the descriptions, never from the code
// under test.
#include <redress/analytics.hpp>
#include <redress/lint.hpp>

#include <algorithm>
#include <climits>
#include <map>
#include <random>

#include <boost/json.hpp>

#include "support/engine_fixture.hpp"
#include "support/journal_generator.hpp"

namespace {

using namespace redress;
using namespace redress::testing;

// The engine tests' policy, with cash where nothing was lost allowed on
// record (a warning) so such remedies can be granted and counted.
const ReferencePolicy& policy() { return cash_without_loss_allowed_policy(); }

std::vector<GeneratedCase> generate(const std::vector<CaseSpec>& specs, const Policy& under = policy()) {
  std::vector<GeneratedCase> out;
  for (const auto& s : specs) {
    auto g = generate_case(s, under);
    REQUIRE_MESSAGE(g.has_value(), std::string(last_error_detail()));
    out.push_back(std::move(g).value());
  }
  return out;
}

Analytics fold(const std::vector<GeneratedCase>& cases, AnalyticsOptions options = analytics_options(policy().settings())) {
  auto a = Analytics::make(options);
  REQUIRE(a.has_value());
  for (const auto& g : cases) {
    auto r = a.value().add(g.final_case, g.journal);
    REQUIRE_MESSAGE(r.has_value(), std::string(last_error_detail()));
  }
  return std::move(a).value();
}

constexpr std::array<std::string_view, 5> kCauses{"coupon.expiry", "payment.duplicate_charge", "delivery.late",
                                                  "product.defective", ""};

// A varied set of cases over four days from 2025-03-03 (a Monday), each
// opened in service hours in Shanghai.
std::vector<CaseSpec> varied_specs(int n, unsigned seed = 7) {
  return random_specs(n, seed, at("2025-03-03T02:00:00Z"), 4, kCauses);
}

std::int64_t granted_yuan(const CaseSpec& s) {
  std::int64_t sum = 0;
  for (const auto& r : s.remedies) sum += r.granted ? r.yuan : 0;
  return sum;
}

// λ × loss − granted, never below zero, in fen (λ in per mille).
std::int64_t felt_fen(const CaseSpec& s, std::int64_t lambda_permille) {
  std::int64_t weighted = s.loss_yuan * 100 * lambda_permille / 1000;
  return std::max<std::int64_t>(0, weighted - granted_yuan(s) * 100);
}

bool closes_well(const CaseSpec& s) { return s.close && !s.cause.empty(); }

// The generator records the root cause only on cases it closes.
std::string recorded_cause(const CaseSpec& s) { return s.close ? s.cause : std::string(); }

std::int64_t count_events(const GeneratedCase& g, std::string_view type) {
  return std::count_if(g.journal.begin(), g.journal.end(), [&](const Event& e) { return event_type(e.body) == type; });
}

Money fen(std::int64_t minor) { return Money::from_minor_units(minor, Currency::CNY); }

// A case opened at `opened` about `cause`, with `loss_yuan` of money lost and these remedies.
CaseSpec spec(std::string id, std::string_view opened, std::string cause = {}, std::int64_t loss_yuan = 0,
              std::vector<RemedySpec> remedies = {}) {
  CaseSpec s;
  s.id = std::move(id);
  s.opened = at(opened);
  s.cause = std::move(cause);
  s.loss = loss_yuan > 0 ? LossKind::money : LossKind::none;
  s.loss_yuan = loss_yuan;
  s.remedies = std::move(remedies);
  return s;
}

}  // namespace

TEST_SUITE("analytics") {
  TEST_CASE("causes are ranked by frequency times felt loss, a loss weighing lambda times a gain") {
    auto specs = varied_specs(80);
    auto summary = fold(generate(specs)).summary();

    struct Expected {
      std::int64_t cases = 0, lost = 0, cost = 0, felt = 0, closed_well = 0;
    };
    std::map<std::string, Expected> expected;
    for (const auto& s : specs) {
      auto& e = expected[recorded_cause(s)];
      ++e.cases;
      e.lost += s.loss_yuan * 100;
      e.cost += granted_yuan(s) * 100;
      e.felt += felt_fen(s, 2250);
      e.closed_well += closes_well(s);
    }
    std::vector<std::string> ranking;
    for (const auto& [cause, e] : expected) ranking.push_back(cause);
    std::stable_sort(ranking.begin(), ranking.end(), [&](const std::string& a, const std::string& b) {
      const auto &ea = expected[a], &eb = expected[b];
      if (ea.felt != eb.felt) return ea.felt > eb.felt;
      if (ea.cases != eb.cases) return ea.cases > eb.cases;
      return a < b;
    });

    REQUIRE(summary.causes.size() == ranking.size());
    std::int64_t total_felt = 0, running = 0;
    for (const auto& [cause, e] : expected) total_felt += e.felt;
    for (std::size_t i = 0; i < ranking.size(); ++i) {
      const auto& row = summary.causes[i];
      const auto& e = expected[ranking[i]];
      CAPTURE(ranking[i]);
      CHECK(row.cause == ranking[i]);
      CHECK(row.cases == e.cases);
      CHECK(row.money_lost.in(Currency::CNY) == fen(e.lost));
      CHECK(row.remedy_cost.in(Currency::CNY) == fen(e.cost));
      CHECK(row.felt_loss.in(Currency::CNY) == fen(e.felt));
      CHECK(row.closed_well == Ratio{e.closed_well, e.cases});
      running += e.felt;
      CHECK(row.cumulative_per_mille == (running * 2000 + total_felt) / (total_felt * 2));
    }
    CHECK(summary.causes.back().cumulative_per_mille == 1000);
    CHECK(summary.cases == static_cast<std::int64_t>(specs.size()));
  }

  TEST_CASE("the policy's loss aversion decides which cause comes first") {
    // Half-compensated losses against smaller losses left alone: at λ = 1 the
    // uncompensated cause weighs more; at λ = 3 the compensated one does.
    std::vector<CaseSpec> specs(3);
    specs[0] = spec("C-1", "2025-03-03T02:00:00Z", "refund.partial", 100, {{RemedyKind::cash, 90}});
    specs[1] = spec("C-2", "2025-03-03T03:00:00Z", "delivery.late", 30);
    specs[2] = spec("C-3", "2025-03-03T04:00:00Z", "delivery.late", 30);
    for (int lambda : {1000, 3000}) {
      CAPTURE(lambda);
      auto under = reference_policy(boost::json::object{{"loss_aversion_permille", lambda}});
      CHECK(under.settings().loss_aversion_permille == lambda);
      auto summary = fold(generate(specs, under), analytics_options(under.settings())).summary();
      std::int64_t refund = felt_fen(specs[0], lambda), late = felt_fen(specs[1], lambda) + felt_fen(specs[2], lambda);
      REQUIRE(summary.causes.size() == 2);
      CHECK(summary.causes[0].cause == (refund > late ? "refund.partial" : "delivery.late"));
      CHECK(summary.causes[0].felt_loss.in(Currency::CNY) == fen(std::max(refund, late)));
      CHECK(summary.loss_aversion_permille == lambda);
    }
  }

  TEST_CASE("a loss aversion below one is refused by the policy and by the analytics") {
    auto bad = ReferencePolicy::from_json(policy_document(boost::json::object{{"loss_aversion_permille", 999}}));
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error() == errc::invalid_json);
    CHECK(last_error_detail().find("loss_aversion_permille") != std::string_view::npos);
    CHECK(reference_policy().settings().loss_aversion_permille == 2250);

    AnalyticsOptions o;
    o.loss_aversion_permille = 999;
    auto a = Analytics::make(o);
    REQUIRE_FALSE(a.has_value());
    CHECK(a.error() == errc::invalid_argument);
    o = {};
    o.first_response_target = Duration();
    CHECK(Analytics::make(o).error() == errc::invalid_argument);
  }

  TEST_CASE("health per day counts first answers, updates, promises, closures, repeats, escalations and emergencies") {
    auto specs = varied_specs(60, 11);
    auto cases = generate(specs);
    auto summary = fold(cases).summary();

    std::map<CivilDate, HealthRow> expected;
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const auto& s = specs[i];
      auto& h = expected[s.opened.date()];  // UTC days
      ++h.cases;
      h.first_response_on_time.count += s.first_answer_minutes <= 20;
      ++h.first_response_on_time.of;
      std::int64_t late = (s.first_answer_minutes > 20) + s.update_missed;
      std::int64_t on_time = count_events(cases[i], "progress_update_sent") - late;
      h.updates_on_time.count += on_time;
      h.updates_on_time.of += on_time + late;  // every late update follows a missed one
      std::int64_t kept = s.close ? s.promises_kept : 0;
      h.promises_kept.count += kept;
      h.promises_kept.of += kept + s.promise_lapsed;
      h.closed_well.count += closes_well(s);
      ++h.closed_well.of;
      h.repeat_contact.count += s.repeat_contacts > 0;
      ++h.repeat_contact.of;
      h.escalations += late + s.promise_lapsed + (s.precedent_outlier.value_or(false) ? 1 : 0) +
                       std::max(0, s.repeat_contacts - 1);
      h.emergencies += s.safety;
    }
    REQUIRE(summary.health.size() == expected.size());
    std::size_t i = 0;
    for (const auto& [day, h] : expected) {
      const auto& row = summary.health[i++];
      CAPTURE(format_date(day));
      CHECK(row.bucket == day);
      CHECK(row.cases == h.cases);
      CHECK(row.first_response_on_time == h.first_response_on_time);
      CHECK(row.updates_on_time == h.updates_on_time);
      CHECK(row.promises_kept == h.promises_kept);
      CHECK(row.closed_well == h.closed_well);
      CHECK(row.repeat_contact == h.repeat_contact);
      CHECK(row.escalations == h.escalations);
      CHECK(row.emergencies == h.emergencies);
    }
  }

  TEST_CASE("weeks start on Monday in the analytics' time zone") {
    // Sunday 23:30 and Monday 00:30 in Shanghai are the same UTC day.
    std::vector<CaseSpec> specs(2);
    specs[0] = spec("C-sun", "2025-03-09T15:30:00Z", "delivery.late");
    specs[1] = spec("C-mon", "2025-03-09T16:30:00Z", "delivery.late");
    auto cases = generate(specs);
    auto options = analytics_options(policy().settings());
    options.period = Period::week;
    CHECK(fold(cases, options).summary().health.size() == 1);  // UTC: both on Sunday 2025-03-09
    options.time_zone = TimeZone::named("Asia/Shanghai").value();
    auto health = fold(cases, options).summary().health;
    REQUIRE(health.size() == 2);
    CHECK(health[0].bucket == parse_date("2025-03-03").value());
    CHECK(health[1].bucket == parse_date("2025-03-10").value());
    CHECK(health[1].bucket.day_of_week() == boost::gregorian::Monday);
  }

  TEST_CASE("cost is summed per agent who proposed, per cause and per remedy kind") {
    auto specs = varied_specs(50, 3);
    auto summary = fold(generate(specs)).summary();
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> agent, cause, kind;  // remedies, fen
    std::int64_t total = 0;
    for (const auto& s : specs) {
      for (const auto& r : s.remedies) {
        if (!r.granted) continue;
        for (auto* m : {&agent[s.agent], &cause[recorded_cause(s)], &kind[std::string(to_string(r.kind))]}) {
          ++m->first;
          m->second += r.yuan * 100;
        }
        total += r.yuan * 100;
      }
    }
    auto check = [](const std::vector<CostRow>& rows, const auto& want) {
      REQUIRE(rows.size() == want.size());
      for (const auto& row : rows) {
        CAPTURE(row.key);
        REQUIRE(want.contains(row.key));
        CHECK(row.remedies == want.at(row.key).first);
        CHECK(row.cost.in(Currency::CNY) == fen(want.at(row.key).second));
      }
    };
    check(summary.cost_by_agent, agent);
    check(summary.cost_by_cause, cause);
    check(summary.cost_by_kind, kind);
    CHECK(summary.remedy_cost.in(Currency::CNY) == fen(total));
  }

  TEST_CASE("cash granted where nothing was lost is listed with its case and agent") {
    std::vector<CaseSpec> specs(3);
    specs[0] = spec("C-1", "2025-03-03T02:00:00Z", "app.slow", 0, {{RemedyKind::cash, 200}});
    specs[0].agent = "A-7";
    specs[1] = spec("C-2", "2025-03-03T03:00:00Z", "app.slow", 80, {{RemedyKind::cash, 80}});
    specs[2] = spec("C-3", "2025-03-03T04:00:00Z", "app.slow", 0, {{RemedyKind::extra, 20}, {RemedyKind::cash, 30, false}});
    auto summary = fold(generate(specs)).summary();
    REQUIRE(summary.cash_without_loss.size() == 1);
    const auto& n = summary.cash_without_loss[0];
    CHECK(n.case_id.str() == "C-1");
    CHECK(n.value == fen(20000));
    CHECK(n.proposed_by.value().str() == "A-7");
    CHECK(summary.cash_without_loss_total.in(Currency::CNY) == fen(20000));
  }

  TEST_CASE("remedies above the front line's authority are listed with who approved them") {
    std::vector<CaseSpec> specs(2);
    specs[0] = spec("C-1", "2025-03-03T02:00:00Z", "payment.duplicate_charge", 500, {{RemedyKind::cash, 500, true, "S-9"}});
    specs[1] = spec("C-2", "2025-03-03T03:00:00Z", "payment.duplicate_charge", 150, {{RemedyKind::cash, 150}});
    auto summary = fold(generate(specs)).summary();
    REQUIRE(summary.above_authority.size() == 1);
    const auto& n = summary.above_authority[0];
    CHECK(n.case_id.str() == "C-1");
    CHECK(n.approval_level == 1);
    CHECK(n.status == RemedyStatus::granted);
    CHECK(n.decided_by.value().str() == "S-9");
  }

  TEST_CASE("precedent claims are counted and the outliers named") {
    std::vector<CaseSpec> specs(3);
    specs[0] = spec("C-1", "2025-03-03T02:00:00Z");
    specs[0].precedent_outlier = true;
    specs[1] = spec("C-2", "2025-03-03T03:00:00Z");
    specs[1].precedent_outlier = false;
    specs[2] = spec("C-3", "2025-03-03T04:00:00Z");
    auto summary = fold(generate(specs)).summary();
    CHECK(summary.precedent_claims == 2);
    REQUIRE(summary.precedent_outliers.size() == 1);
    CHECK(summary.precedent_outliers[0].str() == "C-1");
  }

  TEST_CASE("folding cases in any order, one at a time, gives the same measures") {
    auto cases = generate(varied_specs(40, 5));
    auto forward = fold(cases).summary();
    std::reverse(cases.begin(), cases.end());
    auto a = Analytics::make(analytics_options(policy().settings())).value();
    for (std::size_t i = 0; i < cases.size(); ++i) {
      REQUIRE(a.add(cases[i].final_case, cases[i].journal).has_value());
      CHECK(a.cases() == static_cast<std::int64_t>(i + 1));
    }
    auto backward = a.summary();
    CHECK(backward.causes == forward.causes);
    CHECK(backward.health == forward.health);
    CHECK(backward.cost_by_agent == forward.cost_by_agent);
    CHECK(backward.cost_by_kind == forward.cost_by_kind);
    CHECK(backward.events == forward.events);
  }

  TEST_CASE("a case folded twice, or with another case's events, is refused and changes nothing") {
    auto cases = generate(varied_specs(2, 9));
    auto a = fold({cases[0]});
    auto before = a.summary();
    auto again = a.add(cases[0].final_case, cases[0].journal);
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error() == errc::invalid_argument);
    auto mixed = a.add(cases[1].final_case, cases[0].journal);
    REQUIRE_FALSE(mixed.has_value());
    CHECK(mixed.error() == errc::invalid_argument);
    CHECK(a.summary() == before);
  }

  TEST_CASE("a total that would overflow fails with amount_overflow and changes nothing") {
    auto big = Money::from_minor_units(INT64_MAX / 2 + 1, Currency::CNY);
    Journey j{policy(), new_case()};
    j.on("2025-03-03T02:00:00Z", events::ContactReceived{Channel::phone, std::nullopt, "charged twice"});
    j.on("2025-03-03T02:01:00Z", events::OrderLinked{Order{order_id("O-1"), Loss{LossKind::money, big, {}}}, {}});
    j.on("2025-03-03T02:02:00Z", events::OrderLinked{Order{order_id("O-2"), Loss{LossKind::money, big, {}}}, {}});
    auto a = Analytics::make({}).value();
    auto r = a.add(j.c, {});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == errc::amount_overflow);
    CHECK(a.cases() == 0);
    CHECK(a.summary().causes.empty());

    MoneyTotals t;
    REQUIRE(t.add(big).has_value());
    CHECK(t.add(big).error() == errc::amount_overflow);
    CHECK(t.in(Currency::CNY) == big);
  }

  TEST_CASE("money totals keep each currency apart") {
    MoneyTotals t;
    REQUIRE(t.add(Money::from_minor_units(500, Currency::CNY)).has_value());
    REQUIRE(t.add(Money::from_minor_units(300, Currency::USD)).has_value());
    REQUIRE(t.add(Money::from_minor_units(250, Currency::CNY)).has_value());
    REQUIRE(t.amounts().size() == 2);
    CHECK(t.in(Currency::CNY) == Money::from_minor_units(750, Currency::CNY));
    CHECK(t.in(Currency::USD) == Money::from_minor_units(300, Currency::USD));
    CHECK(t.in(Currency::JPY) == Money::zero(Currency::JPY));
  }

  TEST_CASE("a ratio's per mille rounds half up and an empty ratio reads null in JSON") {
    CHECK(Ratio{1, 3}.per_mille() == 333);
    CHECK(Ratio{2, 3}.per_mille() == 667);
    CHECK(Ratio{1, 2000}.per_mille() == 1);  // 0.5 per mille rounds up
    CHECK(Ratio{0, 0}.per_mille() == 0);

    std::vector<CaseSpec> specs(1);
    specs[0] = spec("C-1", "2025-03-03T02:00:00Z", "delivery.late", 40);
    auto json = to_json(fold(generate(specs)).summary());
    const auto& day = json.at("health").at(0).as_object();
    CHECK(day.at("promises_kept").at("per_mille").is_null());
    CHECK(day.at("first_response_on_time").at("per_mille") == 1000);
    const auto& cause = json.at("causes").at(0).as_object();
    CHECK(cause.at("felt_loss").at(0).at("amount_minor") == felt_fen(specs[0], 2250));
    CHECK(cause.at("felt_loss").at(0).at("currency") == "CNY");
  }

  TEST_CASE("promises kept and broken by their events count in the promises-kept rate and the escalations") {
    Journey j{policy(), new_case("2025-03-03T02:00:00Z")};
    std::vector<Event> journal;
    auto record = [&](std::string_view when, EventBody body) {
      j.on(when, body);
      journal.push_back(Event{j.c.id(), at(when), std::nullopt, std::move(body)});
    };
    record("2025-03-03T02:00:00Z", events::ContactReceived{Channel::phone, std::nullopt, "no picture"});
    record("2025-03-03T02:05:00Z", events::PromiseMade{"an engineer will call", 2, {}, {}});
    record("2025-03-03T02:06:00Z", events::PromiseMade{"a refund in 4 service hours", 0, boost::posix_time::hours(4), {}});
    record("2025-03-03T02:07:00Z", events::PromiseMade{"a written report", 3, {}, {}});
    record("2025-03-03T03:00:00Z", events::PromiseKept{});                       // the refund, due soonest
    record("2025-03-03T04:00:00Z", events::PromiseBroken{std::nullopt, "ill"});  // the engineer
    auto a = Analytics::make(analytics_options(policy().settings()));
    REQUIRE(a.has_value());
    REQUIRE(a.value().add(j.c, journal).has_value());
    auto summary = a.value().summary();
    REQUIRE(summary.health.size() == 1);
    const auto& row = summary.health.front();
    CHECK(row.promises_kept == Ratio{1, 2});  // the open report is not counted yet
    CHECK(row.escalations == 1);
  }

  TEST_CASE("accumulators folding parts of the cases, merged, give what one accumulator folding them all gives") {
    auto cases = generate(varied_specs(60, 11));
    const auto whole = fold(cases).summary();
    auto merged = Analytics::make(analytics_options(policy().settings())).value();
    for (std::size_t part = 0; part < 3; ++part) {
      std::vector<GeneratedCase> some;
      for (std::size_t i = part; i < cases.size(); i += 3) some.push_back(cases[i]);
      REQUIRE(merged.merge(fold(some)).has_value());
    }
    CHECK(merged.summary() == whole);
    // The same cases twice cannot be merged; the accumulator is left as it was.
    auto again = merged.merge(fold({cases[0]}));
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error() == errc::invalid_argument);
    CHECK(merged.summary() == whole);
    auto other_options = analytics_options(policy().settings());
    other_options.period = Period::week;
    CHECK_FALSE(merged.merge(Analytics::make(other_options).value()).has_value());
  }

  TEST_CASE("a case replayed for the report alone is the case replayed in full, and its report is byte for byte the same") {
    auto cases = generate(varied_specs(120, 13));
    auto full = Analytics::make(analytics_options(policy().settings())).value();
    auto case_only = Analytics::make(analytics_options(policy().settings())).value();
    for (const auto& g : cases) {
      auto whole = replay(g.initial, g.journal, policy());
      auto lean = replay(g.initial, g.journal, policy(), ReplayMode::case_only);
      REQUIRE_MESSAGE(whole.has_value(), std::string(last_error_detail()));
      REQUIRE_MESSAGE(lean.has_value(), std::string(last_error_detail()));
      CHECK(lean.value() == whole.value());
      CHECK(whole.value() == g.final_case);
      REQUIRE(full.add(whole.value(), g.journal).has_value());
      REQUIRE(case_only.add(lean.value(), g.journal).has_value());
    }
    CHECK(boost::json::serialize(to_json(case_only.summary())) == boost::json::serialize(to_json(full.summary())));
  }

  TEST_CASE("the listed remedies stop at the list limit, the first by case id, while counts and totals cover all") {
    std::vector<CaseSpec> specs;
    for (int i = 5; i >= 1; --i) {
      specs.push_back(spec(fmt::format("C-{}", i), "2025-03-03T02:00:00Z", "app.slow", 0, {{RemedyKind::cash, 10 * i}}));
    }
    auto options = analytics_options(policy().settings());
    options.list_limit = 2;
    auto summary = fold(generate(specs), options).summary();
    REQUIRE(summary.cash_without_loss.size() == 2);
    CHECK(summary.cash_without_loss[0].case_id.str() == "C-1");
    CHECK(summary.cash_without_loss[1].case_id.str() == "C-2");
    CHECK(summary.cash_without_loss_count == 5);
    CHECK(summary.cash_without_loss_total.in(Currency::CNY) == fen((10 + 20 + 30 + 40 + 50) * 100));
  }

  TEST_CASE("an accumulator that keeps no case ids counts every case it is given") {
    auto cases = generate(varied_specs(12, 3));
    auto options = analytics_options(policy().settings());
    options.remember_case_ids = false;
    auto a = fold(cases, options);
    CHECK(a.add(cases[0].final_case, cases[0].journal).has_value());  // the caller vouches for each case once
    CHECK(a.cases() == 13);
  }

  TEST_CASE("remedies above the loss, beyond the extra gesture, are rated per agent and per cause") {
    std::vector<CaseSpec> specs(4);
    specs[0] = spec("C-1", "2025-03-03T02:00:00Z", "delivery.late", 100, {{RemedyKind::cash, 150}});  // 50 above
    specs[1] = spec("C-2", "2025-03-03T03:00:00Z", "delivery.late", 100, {{RemedyKind::cash, 105}});  // within 10%
    specs[2] = spec("C-3", "2025-03-03T04:00:00Z", "app.slow", 0, {{RemedyKind::cash, 50}});          // nothing lost
    specs[3] = spec("C-4", "2025-03-03T05:00:00Z", "app.slow", 500, {{RemedyKind::cash, 500, true, "S-9"}});
    specs[2].agent = specs[3].agent = "A-2";
    const std::int64_t gesture = policy().settings().extra_gesture_permille;
    REQUIRE(105 * 1000 <= 100 * (1000 + gesture));
    REQUIRE(150 * 1000 > 100 * (1000 + gesture));
    auto summary = fold(generate(specs)).summary();
    REQUIRE(summary.giving_by_agent.size() == 2);
    const auto& a1 = summary.giving_by_agent[0];
    const auto& a2 = summary.giving_by_agent[1];
    CHECK(a1.key == "A-1");
    CHECK(a1.above_loss == Ratio{1, 2});
    CHECK(a1.amount_above.in(Currency::CNY) == fen(5000));
    CHECK(a1.cash_without_loss == 0);
    CHECK(a2.key == "A-2");
    CHECK(a2.above_loss == Ratio{1, 2});
    CHECK(a2.amount_above.in(Currency::CNY) == fen(5000));
    CHECK(a2.cash_without_loss == 1);
    CHECK(a2.cash_without_loss_total.in(Currency::CNY) == fen(5000));
    CHECK(a2.approvals_granted == Ratio{1, 1});
    REQUIRE(summary.giving_by_cause.size() == 2);
    CHECK(summary.giving_by_cause[0].key == "app.slow");
    CHECK(summary.giving_by_cause[0].approvals_granted == Ratio{1, 1});
    CHECK(summary.giving_by_cause[1].key == "delivery.late");
    CHECK(summary.giving_by_cause[1].above_loss == Ratio{1, 2});
  }

  TEST_CASE("coaching counts each agent's scores, findings, repeated replies and the feelings that rose after them") {
    Journey j{policy(), new_case("2025-03-03T02:00:00Z")};
    std::vector<Event> journal;
    auto record = [&](std::string_view when, std::optional<std::string_view> actor, EventBody body) {
      Event e{j.c.id(), at(when), actor ? std::optional<AgentId>(agent_id(*actor)) : std::nullopt, body};
      auto step = apply(j.c, e, policy(), e.at_utc);
      REQUIRE_MESSAGE(step.has_value(), std::string(last_error_detail()));
      j.c = step.value().next;
      journal.push_back(std::move(e));
    };
    auto feeling = [](EmotionKind kind, int intensity) { return events::EmotionObserved{Emotion::make(kind, intensity).value()}; };
    const std::string warm = "I'm so sorry; that is frustrating, and it's on us. I will refund it today.";
    const std::string cold = "This is our policy.";
    record("2025-03-03T02:00:00Z", std::nullopt, events::ContactReceived{Channel::chat, std::nullopt, "my coupon failed"});
    record("2025-03-03T02:00:30Z", std::nullopt, feeling(EmotionKind::frustrated, 4));
    record("2025-03-03T02:01:00Z", "A-1", events::ApologyGiven{warm});
    record("2025-03-03T02:02:00Z", std::nullopt, feeling(EmotionKind::angry, 7));  // rose after A-1
    record("2025-03-03T02:03:00Z", "A-2", events::ProgressUpdateSent{cold});
    record("2025-03-03T02:04:00Z", std::nullopt, feeling(EmotionKind::frustrated, 5));  // fell after A-2
    record("2025-03-03T02:05:00Z", "A-2", events::ProgressUpdateSent{"  " + cold});     // a repeat
    auto summary = fold({GeneratedCase{j.c, journal, j.c}}).summary();

    const auto warm_lint = lint(warm).value();
    const auto cold_lint = lint(cold).value();
    REQUIRE(summary.coaching.size() == 2);
    const auto& a1 = summary.coaching[0];
    const auto& a2 = summary.coaching[1];
    CHECK(a1.agent == "A-1");
    CHECK(a1.scores.replies == 1);
    CHECK(a1.scores.median == warm_lint.structure_score);
    CHECK(a1.repeat_replies == Ratio{0, 1});
    CHECK(a1.feeling_rose == Ratio{1, 1});
    CHECK(a2.agent == "A-2");
    CHECK(a2.scores.replies == 2);
    CHECK(a2.scores.p25 == cold_lint.structure_score);
    CHECK(a2.scores.p75 == cold_lint.structure_score);
    CHECK(a2.repeat_replies == Ratio{1, 2});
    CHECK(a2.feeling_rose == Ratio{0, 1});
    REQUIRE(a2.by_period.size() == 1);
    CHECK(a2.by_period[0].bucket == boost::gregorian::date(2025, 3, 3));
    REQUIRE_FALSE(cold_lint.findings.empty());
    REQUIRE_FALSE(a2.top_findings.empty());
    CHECK(a2.top_findings[0].count == 2);
    CHECK(std::any_of(cold_lint.findings.begin(), cold_lint.findings.end(),
                      [&](const LintFinding& f) { return f.code == a2.top_findings[0].code; }));
    CHECK(warm_lint.structure_score > cold_lint.structure_score);
  }
}
