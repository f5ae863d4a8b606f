// Lints a draft reply before an agent sends it, as an agent desktop would on
// every keystroke, and prints each finding with its span and rewrite hint.
#include <cstdio>

#include <fmt/format.h>

#include <redress/lint.hpp>

int main() {
  // The agent's draft: facts before feelings, the policy quoted, and a
  // refund above a front-line agent's authority (200 CNY by default).
  const char* draft = "先生,这张券昨天就过期了,系统有明确说明的。不过我可以给您退款300元。";

  redress::LintContext context;  // default policy, authority 200 CNY, language detected
  auto report = redress::lint(draft, context);
  if (!report) {
    fmt::print(stderr, "lint failed: {}\n", redress::last_error_detail());
    return 1;
  }
  for (const auto& f : report.value().findings) {
    fmt::print("{:<5} {:<28} chars [{}, {}) \"{}\"\n      hint: {}\n", to_string(f.severity), f.code,
               f.span.begin_char, f.span.end_char, f.phrase, f.hint);
  }
  fmt::print("structure score: {}/100\n", report.value().structure_score);

  // The rewrite names the feeling first and asks a supervisor for the refund.
  const char* rewrite =
      "先生,非常理解您的心情,特意找到想用的优惠却发现过期了,换作是我也会很着急。"
      "我马上为您向主管申请延期一次,希望您能谅解。";
  auto better = redress::lint(rewrite, context);
  if (!better) return 1;
  fmt::print("rewrite: {} findings, structure score {}/100\n", better.value().findings.size(),
             better.value().structure_score);
  // The example is run as a test: the draft must be caught, the rewrite clean.
  const bool ok = report.value().has("promise.over_authority") && better.value().findings.empty();
  return ok ? 0 : 1;
}
