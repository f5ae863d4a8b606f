// redress lint: lints a draft reply read from a file or stdin.
//
//   redress lint [FILE | -] [--lang auto|en|zh-Hans|zh-Hant] [--json]
//                [--policy POLICY.json] [--authority AMOUNT[:CUR]]
//
// Human output names each finding with its position (line:column, in
// characters), quotes the line, underlines the span and prints the hint;
// --json prints the report as JSON (redress::to_json). Exit status: 0 when
// nothing at or above --fail-on (default warn) was found, 1 when something
// was, 2 for a usage or input error (unreadable file, invalid UTF-8, text
// too long); with --json an error is a JSON object {"error": {...}} too.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <redress/lint.hpp>

#include "command.hpp"
#include "text.hpp"

namespace redress::cli {
namespace {

// The lint settings in a --policy file: a whole policy document (one with a
// "calendar") gives its "lint" member ({} when it has none, the standard
// settings); any other document is the lint settings themselves.
std::string lint_section(const std::string& text) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(text, ec);
  if (ec || !doc.is_object() || !doc.as_object().contains("calendar")) return text;
  const auto* lint = doc.as_object().if_contains("lint");
  return lint == nullptr ? std::string("{}") : boost::json::serialize(*lint);
}

constexpr std::string_view kUsage =
    "usage: redress lint [FILE | -] [--lang auto|en|zh-Hans|zh-Hant] [--json]\n"
    "                    [--policy POLICY.json] [--authority AMOUNT[:CUR]]\n"
    "                    [--fail-on info|warn|block]\n"
    "\n"
    "Lints a draft reply to a customer (from FILE, or stdin when FILE is - or\n"
    "absent): pseudo-apologies, policy-speak, blame, refusals without reason or\n"
    "alternative, facts before feelings, promises above the agent's authority\n"
    "(--authority, default 200:CNY) or outside the policy's deadline window.\n"
    "\n"
    "exit status: 0 nothing at or above --fail-on (default warn) was found,\n"
    "1 a finding at or above it was, 2 a usage or input error (unreadable\n"
    "file, invalid UTF-8, text too long). With --json an error is printed as\n"
    "{\"error\": {\"code\": ..., \"message\": ...}} on standard output too.\n";

void print_finding(std::string_view name, std::string_view text, const LintFinding& f) {
  const std::size_t line_begin = text.rfind('\n', f.span.begin_byte == 0 ? 0 : f.span.begin_byte - 1);
  const std::size_t from = f.span.begin_byte == 0 || line_begin == std::string_view::npos ? 0 : line_begin + 1;
  std::size_t to = text.find('\n', f.span.begin_byte);
  if (to == std::string_view::npos) to = text.size();
  const std::size_t line_number = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + from, '\n'));
  const std::size_t column = 1 + count_chars(text.substr(from, f.span.begin_byte - from));
  std::string_view line = text.substr(from, to - from);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::size_t end = std::min(f.span.end_byte, from + line.size());
  const int lead = columns(text.substr(from, f.span.begin_byte - from));
  const int marks = std::max(1, columns(text.substr(f.span.begin_byte, end - f.span.begin_byte)));
  fmt::print("{}:{}:{}: {} {}: \"{}\"\n", name, line_number, column, to_string(f.severity), f.code, f.phrase);
  fmt::print("  {}\n  {}{}\n", line, std::string(static_cast<std::size_t>(lead), ' '),
             std::string(static_cast<std::size_t>(marks), '^'));
  fmt::print("  hint: {}\n", f.hint);
}

constexpr int kExitFindings = 1;
constexpr int kExitInputError = 2;

// An input error: the message on stderr, and with --json an error object on
// stdout, so a program reading the JSON never sees nothing.
int fail_with(bool json, std::string_view code, std::string_view what) {
  fmt::print(stderr, "redress lint: {}\n", what);
  if (json) {
    boost::json::object error{{"code", code}, {"message", what}};
    fmt::print("{}\n", boost::json::serialize(boost::json::object{{"error", std::move(error)}}));
  }
  return kExitInputError;
}

std::optional<LintSeverity> parse_severity(std::string_view s) {
  if (s == "info") return LintSeverity::info;
  if (s == "warn") return LintSeverity::warn;
  if (s == "block") return LintSeverity::block;
  return std::nullopt;
}

int run(std::span<const std::string_view> args) {
  if (wants_help(args)) {
    fmt::print("{}", kUsage);
    return 0;
  }
  std::string_view file = "-";
  bool have_file = false;
  bool json = std::find(args.begin(), args.end(), std::string_view("--json")) != args.end();
  LintSeverity fail_on = LintSeverity::warn;
  LintContext context;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--json") {
      // read before the loop, so errors met on the way are JSON too
    } else if (a == "--fail-on" && has_value) {
      auto severity = parse_severity(args[++i]);
      if (!severity) {
        fmt::print(stderr, "redress lint: --fail-on: expected info, warn or block, not \"{}\"\n{}", args[i], kUsage);
        return 2;
      }
      fail_on = *severity;
    } else if (a == "--lang" && has_value) {
      auto language = parse_lint_language(args[++i]);
      if (!language) {
        fmt::print(stderr, "redress lint: {}\n{}", last_error_detail(), kUsage);
        return 2;
      }
      context.language = language.value();
    } else if (a == "--policy" && has_value) {
      auto policy_text = read_document(args[++i], "--policy");
      if (!policy_text) return fail_with(json, "unreadable", std::string(last_error_detail()));
      auto policy = LintPolicy::from_json(lint_section(policy_text.value()));
      if (!policy) {
        return fail_with(json, to_string(static_cast<errc>(policy.error().value())),
                         fmt::format("{}: {}", args[i], last_error_detail()));
      }
      context.policy = policy.value();
    } else if (a == "--authority" && has_value) {
      const std::string_view value = args[++i];
      const std::size_t colon = value.find(':');
      auto currency = Currency::from_code(colon == std::string_view::npos ? "CNY" : value.substr(colon + 1));
      if (!currency) {
        fmt::print(stderr, "redress lint: {}\n", last_error_detail());
        return 2;
      }
      auto amount = Money::parse(value.substr(0, colon), currency.value());
      if (!amount) {
        fmt::print(stderr, "redress lint: --authority: {}\n", last_error_detail());
        return 2;
      }
      if (amount.value().minor_units() < 0) {
        fmt::print(stderr, "redress lint: --authority: {} is negative; an agent's authority is 0 or more\n", value);
        return 2;
      }
      context.agent_authority = amount.value();
    } else if ((a == "-" || a.empty() || a[0] != '-') && !have_file) {
      file = a;
      have_file = true;
    } else {
      fmt::print(stderr, "redress lint: unexpected argument \"{}\"\n{}", a, kUsage);
      return 2;
    }
  }

  auto input = read_document(file, "text");  // "-" reads standard input
  if (!input) return fail_with(json, "unreadable", std::string(last_error_detail()));
  const std::string& text = input.value();

  auto report = lint(text, context);
  if (!report) {
    return fail_with(json, to_string(static_cast<errc>(report.error().value())),
                     fmt::format("{}: {}", file == "-" ? "<stdin>" : file, last_error_detail()));
  }
  const LintReport& r = report.value();
  if (json) {
    fmt::print("{}\n", boost::json::serialize(to_json(r)));
  } else {
    const std::string_view name = file == "-" ? "<stdin>" : file;
    for (const auto& f : r.findings) print_finding(name, text, f);
    std::string present;
    for (std::size_t c = 0; c < kApologyComponentCount; ++c) {
      if (!r.components[c]) continue;
      if (!present.empty()) present += ", ";
      present += to_string(static_cast<ApologyComponent>(c));
    }
    // A reply in a language the lint does not read is said to be so: no
    // finding from the other rules means nothing there.
    const bool unsupported = r.has("lint.unsupported_language");
    fmt::print("{} finding{}; structure score {}/100 ({}); language {}\n", r.findings.size(),
               r.findings.size() == 1 ? "" : "s", r.structure_score, present.empty() ? "no apology components" : present,
               unsupported ? std::string_view("not covered (the lint reads English and Chinese only): check it by hand")
                           : to_string(r.language));
  }
  const auto worst = r.worst();
  return worst && *worst >= fail_on ? kExitFindings : 0;
}

}  // namespace

REDRESS_CLI_COMMAND("lint", "lint a draft reply: pseudo-apologies, policy-speak, order, promises", run);

}  // namespace redress::cli
