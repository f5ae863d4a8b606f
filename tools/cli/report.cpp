// redress report: what recovery costs, where it fails and what to fix first,
// over a store's cases or scenario files (docs/analytics.md).
#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <mutex>
#include <thread>
#include <tuple>

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
  --master-key-file FILE  the store's master key, 64 hex digits (a store
                     refuses to open without one; default: $REDRESS_MASTER_KEY)
  --master-key-env NAME   the environment variable holding the master key
  --insecure-plaintext    the store keeps personal data in clear text
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
  --cause-level N roll causes up to level N of the policy's root-cause taxonomy
                  (0: the top categories; default: as recorded)
  --jobs N        read and replay a store with N workers side by side, each
                  with its own connection (default 1; 1 to 256)
  --quiet         no progress on standard error
  -h, --help      this text

Text goes to standard output unless --json, --csv or --html - says otherwise.
Progress goes to standard error at most once a second.

exit status: 0 reported; 1 a source could not be read, or some cases did not
replay (they are left out and named on standard error); 2 a usage error.
)";

struct Options {
  std::string store_uri;
  StoreKeyOptions keys;
  std::vector<std::string> scenarios;
  std::string policy_file;  // default: data_dir/policies/coupon-marketplace.json
  std::string data_dir = default_data_dir();
  Period period = Period::day;
  std::optional<std::string> zone;
  ReportLanguage language = ReportLanguage::en;
  enum class Format { text, json, csv, html } format = Format::text;
  std::string html_file;
  bool quiet = false;
  unsigned jobs = 1;
  int cause_level = -1;
};

// --jobs: 1 to 256 workers.
result<unsigned> parse_jobs(std::string_view text) {
  unsigned n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > 256) {
    return detail::fail(errc::invalid_argument, fmt::format("\"{}\": expected a number of workers from 1 to 256", text));
  }
  return n;
}

int usage(std::string_view why) {
  fmt::print(stderr, "redress report: {}\n\n{}", why, kHelp);
  return 2;
}

// Progress on standard error, at most once a second. Workers tick it from
// their own threads.
class Progress {
 public:
  Progress(bool quiet, std::size_t total) : quiet_(quiet), total_(total) {}
  void tick(std::size_t done, std::int64_t events, bool final = false) {
    if (quiet_) return;
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    if (!final && now - last_ < std::chrono::seconds(1)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    if (total_ == 0) {
      fmt::print(stderr, "redress report: {}{} cases, {} events, {:.1f} s\n", final ? "done: " : "", done, events, secs);
      return;
    }
    fmt::print(stderr, "redress report: {}{} of {} cases ({}%), {} events, {:.1f} s\n", final ? "done: " : "", done,
               total_, done * 100 / total_, events, secs);
  }

 private:
  bool quiet_;
  std::size_t total_;  // 0: not known
  std::mutex mutex_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_ = start_;
};

// What the workers share: the counts progress shows, the names of the cases
// left out.
struct FoldShared {
  Progress progress;
  std::atomic<std::size_t> done{0}, skipped{0};
  std::atomic<std::int64_t> events{0};
  std::mutex stderr_mutex;
};

// Folds the cases of `range` into `a`, reading them in one pass of the store's
// scan(), each under the policy version it was decided under (`pinned`, read
// through another connection; --policy for cases stored without one,
// docs/stores.md "Policy versions"); a case that does not replay is named
// and left out.
result<void> fold_range(Analytics& a, const JournalStore& js, const CaseRange& range, const Policy& policy,
                        PinnedPolicies& pinned, FoldShared& shared) {
  return js.scan(range, [&](const CaseHeader& header, std::span<const Event> journal) -> result<void> {
    auto folded = [&]() -> result<void> {
      // The report reads the case alone: no step's suggestions are worked out.
      BOOST_OUTCOME_TRY(auto c, pinned.replay(header, journal, policy, ReplayMode::case_only));
      return a.add(c, journal);
    }();
    if (!folded) {
      std::lock_guard lock(shared.stderr_mutex);
      fmt::print(stderr, "redress report: case {} left out: {}\n", terminal_safe(header.id.str()),
                 terminal_safe(last_error_detail()));
      ++shared.skipped;
    }
    auto events = shared.events += static_cast<std::int64_t>(journal.size());
    shared.progress.tick(++shared.done, events);
    return boost::outcome_v2::success();
  });
}

// Folds every case of the store in, `jobs` workers side by side (each with
// its own connection and accumulator, merged at the end); returns how many
// cases did not replay.
result<std::size_t> fold_store(Analytics& a, const std::string& uri, const StoreKeyOptions& keys, const Policy& policy,
                               unsigned jobs, bool quiet) {
  BOOST_OUTCOME_TRY(auto store, open_store_uri(uri, keys));
  BOOST_OUTCOME_TRY(auto ranges, store.journal->split(jobs));
  FoldShared shared{Progress(quiet, 0), {0}, {0}, {0}, {}};
  std::vector<Analytics> parts(ranges.size(), a);
  std::vector<result<void>> outcomes(ranges.size(), boost::outcome_v2::success());
  {
    std::vector<std::jthread> workers;
    for (std::size_t k = 1; k < ranges.size(); ++k) {
      workers.emplace_back([&, k] {
        outcomes[k] = [&]() -> result<void> {
          BOOST_OUTCOME_TRY(auto own, open_store_uri(uri, keys));
          BOOST_OUTCOME_TRY(auto pins, open_store_uri(uri, keys));
          PinnedPolicies pinned(*pins.journal);
          return fold_range(parts[k], *own.journal, ranges[k], policy, pinned, shared);
        }();
      });
    }
    outcomes[0] = [&]() -> result<void> {
      BOOST_OUTCOME_TRY(auto pins, open_store_uri(uri, keys));
      PinnedPolicies pinned(*pins.journal);
      return fold_range(parts[0], *store.journal, ranges[0], policy, pinned, shared);
    }();
  }
  for (std::size_t k = 0; k < ranges.size(); ++k) {
    BOOST_OUTCOME_TRYV(outcomes[k]);
    BOOST_OUTCOME_TRYV(a.merge(parts[k]));
  }
  shared.progress.tick(shared.done, shared.events, true);
  return shared.skipped.load();
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
    } else if (parse_store_key_option(args, i, o.keys)) {
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
    } else if (a == "--cause-level" && has_value) {
      const auto text = args[++i];
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), o.cause_level);
      if (ec != std::errc() || end != text.data() + text.size() || o.cause_level < 0 || o.cause_level > 16) {
        return usage(fmt::format("--cause-level: \"{}\": expected a taxonomy level from 0 to 16", text));
      }
    } else if (a == "--jobs" && has_value) {
      auto n = parse_jobs(args[++i]);
      if (!n) return usage(fmt::format("--jobs: {}", last_error_detail()));
      o.jobs = n.value();
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
  options.cause_level = o.cause_level;
  // Replies are linted against the front line's authority, as the engine lints them.
  if (auto authority = policy.value().authority(0, RemedyKind::cash); authority) options.lint_authority = authority.value();
  // A store's scan gives each case once: no need to remember every id.
  options.remember_case_ids = o.store_uri.empty();
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
    auto folded = fold_store(analytics.value(), o.store_uri, o.keys, policy.value(), o.jobs, o.quiet);
    if (!folded) {
      fmt::print(stderr, "redress report: {}\n", terminal_safe(last_error_detail()));
      return folded.error() == errc::invalid_argument ? 2 : 1;
    }
    skipped = folded.value();
  } else {
    skipped = fold_scenarios(analytics.value(), o);
  }

  Summary s = analytics.value().summary();
  if (!o.store_uri.empty()) {
    // Root causes fixed are kept beside the journals, not in them.
    auto fixes = [&]() -> result<std::vector<RecordedFix>> {
      BOOST_OUTCOME_TRY(auto store, open_store_uri(o.store_uri, o.keys));
      return store.journal->fixes();
    }();
    if (!fixes) {
      fmt::print(stderr, "redress report: {}\n", terminal_safe(last_error_detail()));
      return 1;
    }
    for (const auto& f : fixes.value()) {
      s.fixes.push_back({f.fix.category, f.fix.fixed_at_utc, f.fix.note, f.fix.fixed_by,
                         static_cast<std::int64_t>(f.customers), static_cast<std::int64_t>(f.told)});
    }
    std::stable_sort(s.fixes.begin(), s.fixes.end(), [](const FixRow& a, const FixRow& b) {
      return std::tie(a.cause, a.fixed_at_utc) < std::tie(b.cause, b.fixed_at_utc);
    });
  }
  switch (o.format) {
    // Stored text (causes, ids) must not drive the terminal: controls escaped.
    case Options::Format::text: fmt::print("{}", terminal_safe(report_text(s, o.language))); break;
    case Options::Format::json: fmt::print("{}\n", report_json(s)); break;
    case Options::Format::csv: fmt::print("{}", report_csv(s)); break;
    case Options::Format::html:
      if (!write_page("report", o.html_file, report_html(s, o.language), o.quiet)) return 1;
      break;
  }
  return skipped == 0 ? 0 : 1;
}

}  // namespace

REDRESS_CLI_COMMAND("report", "patterns: causes to fix first, service health, cost of recovery", run);

}  // namespace redress::cli
