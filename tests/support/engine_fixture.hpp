// A small harness for engine tests: the reference policy on the bundled
// China calendar, a case, and terse event builders.
#ifndef REDRESS_TESTS_SUPPORT_ENGINE_FIXTURE_HPP
#define REDRESS_TESTS_SUPPORT_ENGINE_FIXTURE_HPP

#include <string>

#include <redress/engine.hpp>

#include "support/policy_document.hpp"
#include "support/test.hpp"

namespace redress::testing {

// The shared policy document on the tests' data directory.
inline boost::json::object policy_document(const boost::json::object& extra = {}) {
  return policy_document_in(REDRESS_TEST_DATA_DIR, extra);
}

inline ReferencePolicy reference_policy(const boost::json::object& extra = {}) {
  return ReferencePolicy::from_json(policy_document(extra)).value();
}

// The reference policy with `extra`, on the China calendar with `day` a
// holiday too: the official calendar that arrives after deadlines were set.
inline ReferencePolicy with_holiday(std::string_view day, boost::json::object extra = {}) {
  boost::json::value cal = policy_document().at("calendar");
  cal.as_object()["holidays"].as_array().push_back(boost::json::string(day));
  extra["calendar"] = cal;
  return reference_policy(extra);
}

// The reference policy with cash where nothing was lost allowed on record
// (a warning instead of a block), so such remedies can be given and counted.
inline const ReferencePolicy& cash_without_loss_allowed_policy() {
  static const ReferencePolicy p =
      reference_policy(boost::json::object{{"severities", boost::json::object{{"remedy.cash_without_loss", "warn"}}}});
  return p;
}

inline Instant at(std::string_view text) { return parse_instant(text).value(); }
inline Money cny(std::string_view text) { return Money::parse(text, Currency::CNY).value(); }
inline CaseId case_id(std::string_view s = "C-1") { return CaseId::make(s).value(); }
inline RemedyId remedy_id(std::string_view s) { return RemedyId::make(s).value(); }
inline OrderId order_id(std::string_view s) { return OrderId::make(s).value(); }
inline AgentId agent_id(std::string_view s) { return AgentId::make(s).value(); }

inline Case new_case(std::string_view opened = "2025-01-24T07:00:00Z") {
  return Case::open(case_id(), CustomerId::make("U-1").value(), Currency::CNY, at(opened)).value();
}

// Folds events into a case one at a time, keeping the last step.
struct Journey {
  const Policy& policy;
  Case c;
  Step last{c, {}, {}, {}, {}};

  result<Step> try_apply(std::string_view when, EventBody body) {
    Event e{c.id(), at(when), std::nullopt, std::move(body)};
    return apply(c, e, policy, e.at_utc);
  }
  // Applies an event that must be accepted.
  const Step& on(std::string_view when, EventBody body) {
    auto step = try_apply(when, std::move(body));
    REQUIRE_MESSAGE(step.has_value(), std::string(last_error_detail()));
    last = std::move(step).value();
    c = last.next;
    return last;
  }
  bool found(std::string_view code) const {
    for (const auto& f : last.findings) {
      if (f.code == code) return true;
    }
    return false;
  }
  // Proposes remedy `id` of `kind` and `value` (CNY) on `order`.
  const Step& propose(std::string_view when, std::string_view id, RemedyKind kind, std::string_view value,
                      std::string_view order = "O-1") {
    return on(when, events::RemedyProposed{RemedyId::make(id).value(), kind,
                                           Money::parse(value, Currency::CNY).value(), OrderId::make(order).value()});
  }
  template <class A>
  const A* action() const {
    for (const auto& a : last.actions) {
      if (auto p = std::get_if<A>(&a)) return p;
    }
    return nullptr;
  }
};

inline events::OrderLinked order_with_loss(std::string_view id, Loss loss) {
  return events::OrderLinked{Order{order_id(id), std::move(loss)}, std::nullopt};
}

// A case whose order O-1 lost `loss` CNY in money, with the need stated.
inline Journey money_loss_case(const Policy& policy, std::string_view loss) {
  Journey j{policy, new_case()};
  j.on("2025-01-24T07:00:00Z", order_with_loss("O-1", Loss{LossKind::money, cny(loss), std::nullopt}));
  j.on("2025-01-24T07:01:00Z", events::NeedStated{"my money back"});
  return j;
}

// The reference policy with `extra` must be refused, naming `path`.
inline void policy_refused(const boost::json::object& extra, std::string_view path) {
  auto r = ReferencePolicy::from_json(policy_document(extra));
  REQUIRE_FALSE(r);
  CHECK(std::string(last_error_detail()).find(path) != std::string::npos);
}

inline Loss coupon_expired_on(std::string_view date, std::string_view value = "20") {
  Right r{"coupon", cny(value), parse_date(date).value(), 0};
  return Loss{LossKind::right, cny(value), r};
}

}  // namespace redress::testing

#endif
