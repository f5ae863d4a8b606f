// Policies: the reference policy from a document, and policies implemented in
// C through redress_policy_impl (sys/policy.h).
#include <cstdlib>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "glue.hpp"

using namespace redress;
using c_api::guard;
using c_api::need;

namespace {

// A Policy whose answers come from a host's C functions, with a fallback for
// the settings, the calendar and every NULL method.
class CPolicy final : public Policy {
 public:
  CPolicy(const redress_policy_impl& impl, std::shared_ptr<const Policy> fallback, Currency currency)
      : impl_(impl), fallback_(std::move(fallback)), currency_(currency) {}
  CPolicy(const CPolicy&) = delete;
  CPolicy& operator=(const CPolicy&) = delete;
  ~CPolicy() override {
    if (impl_.release != nullptr) impl_.release(impl_.user_data);
  }

  const redress_policy_impl& impl() const noexcept { return impl_; }

  result<const Settings*> settings(const Case& c) const override { return fallback_->settings(c); }
  result<const Calendar*> calendar(const Case& c) const override { return fallback_->calendar(c); }

  result<std::optional<Money>> authority(int level, RemedyKind kind) const override {
    if (impl_.authority == nullptr) return fallback_->authority(level, kind);
    std::int64_t limit = 0;
    int unlimited = 0;
    const std::string kind_name(to_string(kind));
    BOOST_OUTCOME_TRYV(check("authority", impl_.authority(&limit, &unlimited, &impl_, level, kind_name.c_str())));
    if (unlimited != 0) return std::optional<Money>();
    if (limit < 0) return c_api::fail(errc::policy_failed, fmt::format("policy authority: negative limit {}", limit));
    return std::optional<Money>(Money::from_minor_units(limit, currency_));
  }

  result<ScopeAnswer> scope(const Case& c, std::string_view request) const override {
    if (impl_.scope == nullptr) return fallback_->scope(c, request);
    int in_scope = 1;
    char* reason = nullptr;
    char* alternative = nullptr;
    const redress_case borrowed(c);
    const std::string text(request);
    const int rc = impl_.scope(&in_scope, &reason, &alternative, &impl_, &borrowed, text.c_str());
    ScopeAnswer answer{in_scope != 0, reason != nullptr ? reason : "", alternative != nullptr ? alternative : ""};
    std::free(reason);
    std::free(alternative);
    BOOST_OUTCOME_TRYV(check("scope", rc));
    return answer;
  }

  result<Spend> prior_spend(const Case& c) const override {
    if (impl_.prior_spend == nullptr) return fallback_->prior_spend(c);
    redress_spend spend{};
    const redress_case borrowed(c);
    BOOST_OUTCOME_TRYV(check("prior_spend", impl_.prior_spend(&spend, &impl_, &borrowed)));
    Spend out;
    if (spend.has_incident_group != 0) out.incident_group = Money::from_minor_units(spend.incident_group_minor, currency_);
    if (spend.has_customer_in_period != 0) {
      out.customer_in_period = Money::from_minor_units(spend.customer_in_period_minor, currency_);
    }
    // The count is a version 2 member: a version 1 host does not know it.
    if (impl_.version >= 2 && spend.has_customer_remedies_in_period != 0) {
      const std::int64_t n = spend.customer_remedies_in_period;
      if (n < 0 || n > std::numeric_limits<int>::max()) {
        return c_api::fail(errc::policy_failed,
                           fmt::format("policy prior_spend: customer_remedies_in_period {} is not 0 to {}", n,
                                       std::numeric_limits<int>::max()));
      }
      out.customer_remedies_in_period = static_cast<int>(n);
    }
    return out;
  }

 private:
  static result<void> check(std::string_view method, int rc) {
    if (rc >= 0) return boost::outcome_v2::success();
    return c_api::fail(errc::policy_failed, fmt::format("policy {}: the host returned {} ({})", method, rc,
                                                        redress_error_name(rc)));
  }

  redress_policy_impl impl_;
  std::shared_ptr<const Policy> fallback_;
  Currency currency_;
};

}  // namespace

extern "C" {

int redress_policy_parse(redress_policy** out, const char* json, size_t len) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    *out = nullptr;
    BOOST_OUTCOME_TRY(auto text, c_api::text_arg(json, len, "policy"));
    BOOST_OUTCOME_TRY(auto policy, ReferencePolicy::parse(text));
    std::string currency(policy.settings().currency.code());
    auto shared = std::make_shared<const ReferencePolicy>(std::move(policy));
    *out = new redress_policy{std::move(shared), std::move(currency)};
    return boost::outcome_v2::success();
  });
}

void redress_policy_free(redress_policy* policy) { delete policy; }

const char* redress_policy_currency(const redress_policy* policy) {
  return policy != nullptr ? policy->currency.c_str() : "";
}

int redress_policy_init(redress_policy_impl* impl, unsigned int version) {
  return c_api::init_versioned(impl, version, REDRESS_POLICY_VERSION, redress_policy_impl{}, "impl");
}

int redress_policy_new(redress_policy** out, const redress_policy_impl* impl, const redress_policy* fallback) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    *out = nullptr;
    BOOST_OUTCOME_TRYV(need(impl, "impl"));
    BOOST_OUTCOME_TRYV(need(fallback, "fallback"));
    BOOST_OUTCOME_TRYV(c_api::check_version(impl->version, REDRESS_POLICY_VERSION, "impl.version"));
    // Versions 1 and 2 have the same members (version 2 only reads more of
    // redress_spend); a later version copies only the members the caller's
    // version has and leaves the rest NULL.
    const redress_policy_impl copy = *impl;
    BOOST_OUTCOME_TRY(auto currency, Currency::from_code(fallback->currency));
    auto policy = std::make_shared<const CPolicy>(copy, fallback->policy, currency);
    const redress_policy_impl* own = &policy->impl();
    *out = new redress_policy{std::move(policy), fallback->currency, own};
    return boost::outcome_v2::success();
  });
}

int redress_policy_control(const redress_policy* policy, int op, void* arg) {
  int rc = REDRESS_ENOTSUPPORTED;
  const int checked = guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(policy, "policy"));
    if (op < REDRESS_POLICY_CONTROL_USER || policy->impl == nullptr || policy->impl->control == nullptr) {
      c_api::fail(errc::invalid_argument, fmt::format("policy: operation {} is not supported", op));
      return boost::outcome_v2::success();
    }
    rc = policy->impl->control(policy->impl, op, arg);
    return boost::outcome_v2::success();
  });
  return checked < 0 ? checked : rc;
}

void* redress_policy_alloc(size_t size) { return std::malloc(size == 0 ? 1 : size); }

}  // extern "C"
