// redress lint: lints a draft reply read from a file or stdin.
//
//   redress lint [FILE | -] [--lang auto|en|zh-Hans|zh-Hant] [--json]
//                [--policy POLICY.json] [--authority AMOUNT[:CUR]]
//
// Human output names each finding with its position (line:column, in
// characters), quotes the line, underlines the span and prints the hint;
// --json prints the report as JSON (redress::to_json). Exit status: 0 when
// nothing of severity warn or block was found, 1 when something was (or
// the text could not be read or linted), 2 for a usage error.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <redress/lint.hpp>

#include "command.hpp"

namespace redress::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: redress lint [FILE | -] [--lang auto|en|zh-Hans|zh-Hant] [--json]\n"
    "                    [--policy POLICY.json] [--authority AMOUNT[:CUR]]\n"
    "\n"
    "Lints a draft reply to a customer (from FILE, or stdin when FILE is - or\n"
    "absent): pseudo-apologies, policy-speak, blame, refusals without reason or\n"
    "alternative, facts before feelings, promises above the agent's authority\n"
    "(--authority, default 200:CNY) or outside the policy's deadline window.\n"
    "Exits 1 when a finding of severity warn or block is reported.\n";

// Columns a code point takes in a terminal: 2 for East Asian wide and
// full-width forms, 1 otherwise.
int display_width(char32_t cp) {
  const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
                    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
                    (cp >= 0x20000 && cp <= 0x3FFFD);
  return wide ? 2 : 1;
}

// Display columns of valid UTF-8 `s`.
int columns(std::string_view s) {
  int width = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    const std::size_t len = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
    char32_t cp = len == 1 ? b0 : b0 & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (std::size_t k = 1; k < len && i + k < s.size(); ++k) cp = cp << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    width += s[i] == '\t' ? 4 : display_width(cp);
    i += len;
  }
  return width;
}

std::size_t count_chars(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

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

int fail_with(std::string_view what) {
  fmt::print(stderr, "redress lint: {}\n", what);
  return 1;
}

int run(std::span<const std::string_view> args) {
  if (wants_help(args)) {
    fmt::print("{}", kUsage);
    return 0;
  }
  std::string_view file = "-";
  bool have_file = false;
  bool json = false;
  LintContext context;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--json") {
      json = true;
    } else if (a == "--lang" && has_value) {
      auto language = parse_lint_language(args[++i]);
      if (!language) {
        fmt::print(stderr, "redress lint: {}\n{}", last_error_detail(), kUsage);
        return 2;
      }
      context.language = language.value();
    } else if (a == "--policy" && has_value) {
      auto policy_text = read_file(args[++i]);
      if (!policy_text) return fail_with(fmt::format("cannot read {}", args[i]));
      auto policy = LintPolicy::from_json(*policy_text);
      if (!policy) return fail_with(fmt::format("{}: {}", args[i], last_error_detail()));
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
      context.agent_authority = amount.value();
    } else if ((a == "-" || a.empty() || a[0] != '-') && !have_file) {
      file = a;
      have_file = true;
    } else {
      fmt::print(stderr, "redress lint: unexpected argument \"{}\"\n{}", a, kUsage);
      return 2;
    }
  }

  auto input = read_file(file);  // "-" reads standard input
  if (!input) return fail_with(fmt::format("cannot read {}", file));
  const std::string& text = *input;

  auto report = lint(text, context);
  if (!report) return fail_with(fmt::format("{}: {}", file == "-" ? "<stdin>" : file, last_error_detail()));
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
  return worst && *worst >= LintSeverity::warn ? 1 : 0;
}

}  // namespace

REDRESS_CLI_COMMAND("lint", "lint a draft reply: pseudo-apologies, policy-speak, order, promises", run);

}  // namespace redress::cli
