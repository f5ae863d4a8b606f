// redress whatif: what a new policy would have changed in a store's cases
// (docs/policy.md, "What-if").
#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/report.hpp>
#include <redress/store.hpp>
#include <redress/whatif.hpp>

#include "command.hpp"
#include "scenario.hpp"
#include "store_uri.hpp"
#include "text.hpp"

namespace redress::cli {
namespace {

namespace json = boost::json;

constexpr std::string_view kHelp = R"(usage: redress whatif --store URI --policy NEW.json [options]

Replays every case of a store under the policy version it was decided under
and under NEW.json, event by event, and summarises the decisions that would
change: cases, remedies (offered, blocked, sent for approval), the value of
the remedies left standing, escalations, findings and deadlines, with
examples. Events that no longer make sense under NEW.json are counted and
skipped, not fatal.

options:
  --store URI       sqlite:PATH or postgres:CONNINFO (required)
  --master-key-file FILE, --master-key-env NAME, --insecure-plaintext
                    the store's master key, as for redress run (default:
                    $REDRESS_MASTER_KEY)
  --policy FILE     the candidate policy (required)
  --old-policy FILE the policy of cases the store holds no version for
                    (stored before it kept versions; default: the bundled
                    coupon-marketplace policy)
  --since DATE      only cases opened on or after DATE (UTC), e.g. 2025-01-01
  --examples N      how many changes to show as examples (default 10)
  --data DIR        where bundled calendars live (default: share/redress
                    beside the binary, or $REDRESS_DATA_DIR)
  --json            the summary as JSON
  --html FILE       the summary as a self-contained HTML page in the style
                    of redress report, written to FILE ("-": standard output)
  --lang en|zh      the HTML page's own words (default: en)
  --quiet           no "wrote FILE" note on standard error
  -h, --help        this text

exit status: 0 compared (whether or not anything would change); 1 a policy
or the store could not be read, or some cases could not be compared (named
in the summary); 2 a usage error.
)";

int usage(std::string_view why) {
  fmt::print(stderr, "redress whatif: {}\n\n{}", why, kHelp);
  return 2;
}

struct Options {
  std::string store_uri;
  StoreKeyOptions keys;
  std::string policy_file;
  std::string old_policy_file;
  std::string data_dir = default_data_dir();
  std::optional<CivilDate> since;
  std::size_t examples = 10;
  bool json = false;
  std::string html_file;
  ReportLanguage language = ReportLanguage::en;
  bool quiet = false;
};

// Compares every case of the store; fails only when the store cannot be read.
result<WhatIfSummary> compare_store(const Options& o, const Policy& candidate, const Policy& fallback) {
  BOOST_OUTCOME_TRY(auto store, open_store_uri(o.store_uri, o.keys));
  return whatif_store(*store.journal, candidate, fallback, {.since = o.since, .max_examples = o.examples});
}

int run(std::span<const std::string_view> args) {
  if (wants_help(args)) {
    fmt::print("{}", kHelp);
    return 0;
  }
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--store" && has_value) {
      o.store_uri = args[++i];
    } else if (a == "--policy" && has_value) {
      o.policy_file = args[++i];
    } else if (a == "--old-policy" && has_value) {
      o.old_policy_file = args[++i];
    } else if (a == "--data" && has_value) {
      o.data_dir = args[++i];
    } else if (a == "--since" && has_value) {
      auto d = parse_date(args[++i]);
      if (!d) return usage(fmt::format("--since: {}", last_error_detail()));
      o.since = d.value();
    } else if (a == "--examples" && has_value) {
      std::string v(args[++i]);
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 0 || n > 1000) {
        return usage(fmt::format("--examples: \"{}\" is not 0 to 1000", terminal_safe(v)));
      }
      o.examples = static_cast<std::size_t>(n);
    } else if (parse_store_key_option(args, i, o.keys)) {
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--html" && has_value) {
      o.html_file = args[++i];
    } else if (a == "--lang" && has_value) {
      auto l = parse_report_language(args[++i]);
      if (!l) return usage(fmt::format("--lang: {}", last_error_detail()));
      o.language = l.value();
    } else if (a == "--quiet") {
      o.quiet = true;
    } else {
      return usage(fmt::format("unexpected argument \"{}\"", terminal_safe(a)));
    }
  }
  if (o.store_uri.empty()) return usage("which store? (--store sqlite:PATH or postgres:CONNINFO)");
  if (o.policy_file.empty()) return usage("which candidate policy? (--policy NEW.json)");
  if (o.json && !o.html_file.empty()) return usage("choose one of --json and --html");
  if (o.old_policy_file.empty()) o.old_policy_file = default_policy_file(o.data_dir);
  if (o.old_policy_file.empty()) {
    fmt::print(stderr, "redress whatif: {}\n", kNoDataDir);
    return 2;
  }
  auto candidate = load_policy(json::value(o.policy_file), ".", o.data_dir);
  if (!candidate) {
    fmt::print(stderr, "redress whatif: {}: {}\n", terminal_safe(o.policy_file), terminal_safe(last_error_detail()));
    return 1;
  }
  auto fallback = load_policy(json::value(o.old_policy_file), ".", o.data_dir);
  if (!fallback) {
    fmt::print(stderr, "redress whatif: {}: {}\n", terminal_safe(o.old_policy_file),
               terminal_safe(last_error_detail()));
    return 1;
  }
  auto summary = compare_store(o, candidate.value(), fallback.value());
  if (!summary) {
    fmt::print(stderr, "redress whatif: {}\n", terminal_safe(last_error_detail()));
    return summary.error() == errc::invalid_argument ? 2 : 1;
  }
  const auto& s = summary.value();
  if (o.json) {
    fmt::print("{}\n", json::serialize(s.to_json()));
  } else if (!o.html_file.empty()) {
    if (!write_page("whatif", o.html_file, whatif_html(s, o.language), o.quiet)) return 1;
  } else {
    // Stored text (ids, reasons) must not drive the terminal.
    fmt::print("{}", terminal_safe(s.to_text()));
  }
  return s.failed().empty() ? 0 : 1;
}

}  // namespace

REDRESS_CLI_COMMAND("whatif", "what a new policy would have changed in a store's cases", run);

}  // namespace redress::cli
