// The reply lint.

#include <redress/lint.hpp>

#include "glue.hpp"

using namespace redress;
using c_api::guard;
using c_api::need;

namespace {

result<LintContext> context_of(const redress_lint_options* opts) {
  LintContext context;
  if (opts == nullptr) return context;
  BOOST_OUTCOME_TRYV(c_api::check_version(opts->version, REDRESS_LINT_OPTIONS_VERSION, "opts.version"));
  if (opts->language != nullptr) {
    BOOST_OUTCOME_TRY(auto language, c_api::text_arg(opts->language, "opts.language"));
    BOOST_OUTCOME_TRY(context.language, detail::at_path(parse_lint_language(language), "opts.language"));
  }
  if (opts->authority_minor >= 0) {
    Currency currency = Currency::CNY;
    if (opts->authority_currency != nullptr) {
      BOOST_OUTCOME_TRY(auto code, c_api::text_arg(opts->authority_currency, "opts.authority_currency"));
      BOOST_OUTCOME_TRY(currency, detail::at_path(Currency::from_code(code), "opts.authority_currency"));
    }
    context.agent_authority = Money::from_minor_units(opts->authority_minor, currency);
  }
  if (opts->policy_json != nullptr) {
    BOOST_OUTCOME_TRY(auto json, c_api::text_arg(opts->policy_json, "opts.policy_json"));
    BOOST_OUTCOME_TRY(context.policy, detail::at_path(LintPolicy::from_json(json), "opts.policy_json"));
  }
  return context;
}

}  // namespace

extern "C" {

int redress_lint_options_init(redress_lint_options* opts, unsigned int version) {
  return c_api::init_versioned(opts, version, REDRESS_LINT_OPTIONS_VERSION,
                               redress_lint_options REDRESS_LINT_OPTIONS_INIT, "opts");
}

int redress_lint(redress_buf* out, const char* text, size_t len, const redress_lint_options* opts) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    redress_buf_dispose(out);
    BOOST_OUTCOME_TRY(auto t, c_api::text_arg(text, len, "text"));
    BOOST_OUTCOME_TRY(auto context, context_of(opts));
    BOOST_OUTCOME_TRY(auto report, lint(t, context));
    return c_api::put(out, boost::json::serialize(to_json(report)));
  });
}

}  // extern "C"
