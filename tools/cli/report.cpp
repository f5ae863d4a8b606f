// redress report: what recovery costs, where it fails and what to fix first,
// over a store's cases or scenario files (docs/analytics.md).
#include <chrono>
#include <fstream>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/analytics.hpp>
#include <redress/engine.hpp>
#include <redress/report.hpp>

#include "command.hpp"
#include "scenario.hpp"
#include "store_uri.hpp"
#include "text.hpp"

namespace redress::cli {
namespace {

namespace json = boost::json;

constexpr std::string_view kHelp = R"(usage: redress report [options] --store URI
       redress report [options] SCENARIO...

Summarises cases as patterns a service lead acts on: root causes ranked by
frequency x felt loss (a loss weighs lambda times a gain), service health by
day or week, and the cost of recovery (docs/analytics.md).

sources:
  --store URI     every case in a store (sqlite:PATH; postgres:CONNINFO when
                  built): its stored header and journal, replayed under the
                  policy version it was decided under (--policy for a case
                  stored without one)
  SCENARIO...     scenario files (docs/scenarios.md), each played under its own
                  policy, follow-ups firing as the timeline passes them

options:
  --policy FILE   the policy stored cases replay under; its currency, loss
                  aversion, update interval and repeat threshold are what the
                  measures use (default: the bundled coupon-marketplace policy)
  --data DIR      where bundled calendars live (default: share/redress
                  beside the binary, or $REDRESS_DATA_DIR)
  --by day|week   how health is bucketed (default: day)
  --tz ZONE       the time zone of the buckets (default: the policy calendar's)
  --lang en|zh    the report's own words (default: en)
  --json          the summary as JSON
  --csv           the summary as CSV (section,key,measure,currency,value)
  --html FILE     a self-contained HTML page with SVG charts, written to FILE
                  ("-": standard output)
  --quiet         no progress on standard error
  -h, --help      this text

Text goes to standard output unless --json, --csv or --html - says otherwise.
Progress goes to standard error at most once a second.

exit status: 0 reported; 1 a source could not be read, or some cases did not
replay (they are left out and named on standard error); 2 a usage error.
)";

struct Options {
  std::string store_uri;
  std::vector<std::string> scenarios;
  std::string policy_file;  // default: data_dir/policies/coupon-marketplace.json
  std::string data_dir = default_data_dir();
  Period period = Period::day;
  std::optional<std::string> zone;
  ReportLanguage language = ReportLanguage::en;
  enum class Format { text, json, csv, html } format = Format::text;
  std::string html_file;
  bool quiet = false;
};

int usage(std::string_view why) {
  fmt::print(stderr, "redress report: {}\n\n{}", why, kHelp);
  return 2;
}

// Progress on standard error, at most once a second.
class Progress {
 public:
  Progress(bool quiet, std::size_t total) : quiet_(quiet), total_(total) {}
  void tick(std::size_t done, std::int64_t events, bool final = false) {
    if (quiet_) return;
    auto now = std::chrono::steady_clock::now();
    if (!final && now - last_ < std::chrono::seconds(1)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    fmt::print(stderr, "redress report: {}{} of {} cases ({}%), {} events, {:.1f} s\n", final ? "done: " : "", done,
               total_, total_ == 0 ? 100 : done * 100 / total_, events, secs);
  }

 private:
  bool quiet_;
  std::size_t total_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_ = start_;
};

// Folds every case of the store in; returns how many did not replay.
result<std::size_t> fold_store(Analytics& a, const std::string& uri, const Policy& policy, bool quiet) {
  BOOST_OUTCOME_TRY(auto store, open_store_uri(uri));
  const JournalStore& js = *store.journal;
  BOOST_OUTCOME_TRY(auto ids, js.cases());
  // Each case under the policy version it was decided under; --policy for
  // cases stored without one (docs/stores.md, "Policy versions").
  PinnedPolicies pinned(js);
  Progress progress(quiet, ids.size());
  std::size_t skipped = 0, done = 0;
  std::int64_t events = 0;
  for (const auto& id : ids) {
    BOOST_OUTCOME_TRY(auto header, js.header(id));
    BOOST_OUTCOME_TRY(auto journal, js.events(id));
    events += static_cast<std::int64_t>(journal.size());
    auto folded = [&]() -> result<void> {
      if (!header) return detail::fail(errc::corrupt_store, "the store holds no header for it");
      BOOST_OUTCOME_TRY(auto c, pinned.restore(id, policy));
      if (!c) return detail::fail(errc::corrupt_store, "the store holds no header for it");
      return a.add(*c, journal);
    }();
    if (!folded) {
      fmt::print(stderr, "redress report: case {} left out: {}\n", terminal_safe(id.str()), terminal_safe(last_error_detail()));
      ++skipped;
    }
    progress.tick(++done, events);
  }
  progress.tick(done, events, true);
  return skipped;
}

// Folds each scenario's case in; returns how many did not play.
std::size_t fold_scenarios(Analytics& a, const Options& o) {
  Progress progress(o.quiet, o.scenarios.size());
  std::size_t skipped = 0, done = 0;
  std::int64_t events = 0;
  for (const auto& file : o.scenarios) {
    auto folded = [&]() -> result<void> {
      BOOST_OUTCOME_TRY(auto s, load_scenario(file, o.data_dir));
      BOOST_OUTCOME_TRY(auto p, play(s));
      events += static_cast<std::int64_t>(p.journal.size());
      return a.add(p.final_case, p.journal);
    }();
    if (!folded) {
      fmt::print(stderr, "redress report: {} left out: {}\n", terminal_safe(file), terminal_safe(last_error_detail()));
      ++skipped;
    }
    progress.tick(++done, events);
  }
  progress.tick(done, events, true);
  return skipped;
}

// The time zone of the policy's calendar (the reference policy has one
// calendar for every case; any case asks for it).
result<TimeZone> calendar_zone(const Policy& policy) {
  BOOST_OUTCOME_TRY(auto id, CaseId::make("report"));
  BOOST_OUTCOME_TRY(auto customer, CustomerId::make("report"));
  BOOST_OUTCOME_TRY(auto any, Case::open(id, customer, Currency::CNY, Instant(boost::gregorian::date(2025, 1, 1))));
  BOOST_OUTCOME_TRY(auto calendar, policy.calendar(any));
  return calendar->time_zone();
}

int run(std::span<const std::string_view> args) {
  if (wants_help(args)) {
    fmt::print("{}", kHelp);
    return 0;
  }
  Options o;
  int formats = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--store" && has_value) {
      o.store_uri = args[++i];
    } else if (a == "--policy" && has_value) {
      o.policy_file = args[++i];
    } else if (a == "--data" && has_value) {
      o.data_dir = args[++i];
    } else if (a == "--by" && has_value) {
      auto p = parse_period(args[++i]);
      if (!p) return usage(fmt::format("--by: {}", last_error_detail()));
      o.period = p.value();
    } else if (a == "--tz" && has_value) {
      o.zone = std::string(args[++i]);
    } else if (a == "--lang" && has_value) {
      auto l = parse_report_language(args[++i]);
      if (!l) return usage(fmt::format("--lang: {}", last_error_detail()));
      o.language = l.value();
    } else if (a == "--json" || a == "--csv") {
      o.format = a == "--json" ? Options::Format::json : Options::Format::csv;
      ++formats;
    } else if (a == "--html" && has_value) {
      o.format = Options::Format::html;
      o.html_file = args[++i];
      ++formats;
    } else if (a == "--quiet") {
      o.quiet = true;
    } else if (a.starts_with("-")) {
      return usage(fmt::format("unexpected argument \"{}\"", a));
    } else {
      o.scenarios.emplace_back(a);
    }
  }
  if (formats > 1) return usage("choose one of --json, --csv and --html");
  if (o.store_uri.empty() == o.scenarios.empty()) return usage("report on a store (--store URI) or on scenario files");

  if (o.policy_file.empty()) o.policy_file = default_policy_file(o.data_dir);
  if (o.policy_file.empty()) {
    fmt::print(stderr, "redress report: {}\n", kNoDataDir);
    return 2;
  }
  auto policy = load_policy(json::value(o.policy_file), ".", o.data_dir);
  if (!policy) {
    fmt::print(stderr, "redress report: {}: {}\n", o.policy_file, last_error_detail());
    return 1;
  }
  AnalyticsOptions options = analytics_options(policy.value().settings());
  options.period = o.period;
  if (o.zone) {
    auto zone = TimeZone::named(*o.zone);
    if (!zone) return usage(fmt::format("--tz: {}", last_error_detail()));
    options.time_zone = zone.value();
  } else {
    auto zone = calendar_zone(policy.value());
    if (!zone) {
      fmt::print(stderr, "redress report: {}: {}\n", o.policy_file, last_error_detail());
      return 1;
    }
    options.time_zone = zone.value();
  }
  auto analytics = Analytics::make(options);
  if (!analytics) {
    fmt::print(stderr, "redress report: {}: {}\n", o.policy_file, last_error_detail());
    return 1;
  }

  std::size_t skipped = 0;
  if (!o.store_uri.empty()) {
    auto folded = fold_store(analytics.value(), o.store_uri, policy.value(), o.quiet);
    if (!folded) {
      fmt::print(stderr, "redress report: {}\n", terminal_safe(last_error_detail()));
      return folded.error() == errc::invalid_argument ? 2 : 1;
    }
    skipped = folded.value();
  } else {
    skipped = fold_scenarios(analytics.value(), o);
  }

  Summary s = analytics.value().summary();
  switch (o.format) {
    // Stored text (causes, ids) must not drive the terminal: controls escaped.
    case Options::Format::text: fmt::print("{}", terminal_safe(report_text(s, o.language))); break;
    case Options::Format::json: fmt::print("{}\n", report_json(s)); break;
    case Options::Format::csv: fmt::print("{}", report_csv(s)); break;
    case Options::Format::html: {
      std::string page = report_html(s, o.language);
      if (o.html_file == "-") {
        fmt::print("{}", page);
        break;
      }
      std::ofstream out(o.html_file, std::ios::binary);
      out << page;
      if (!out.flush()) {
        fmt::print(stderr, "redress report: cannot write {}\n", o.html_file);
        return 1;
      }
      if (!o.quiet) fmt::print(stderr, "redress report: wrote {}\n", o.html_file);
      break;
    }
  }
  return skipped == 0 ? 0 : 1;
}

}  // namespace

REDRESS_CLI_COMMAND("report", "patterns: causes to fix first, service health, cost of recovery", run);

}  // namespace redress::cli
