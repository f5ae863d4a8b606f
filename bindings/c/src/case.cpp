// Cases and the engine: open, restore, apply, read.
#include <fmt/format.h>

#include <redress/detail/json_read.hpp>
#include <redress/engine.hpp>
#include <redress/journal.hpp>

#include "glue.hpp"

using namespace redress;
using c_api::guard;
using c_api::need;
using c_api::text_arg;

namespace {

template <class T>
result<T> id_arg(const char* text, std::string_view what) {
  BOOST_OUTCOME_TRY(auto t, text_arg(text, what));
  return detail::at_path(T::make(t), what);
}

}  // namespace

extern "C" {

int redress_case_open(redress_case** out, const char* case_id, const char* customer_id, const char* currency,
                      const char* opened_at) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    *out = nullptr;
    BOOST_OUTCOME_TRY(auto id, id_arg<CaseId>(case_id, "case_id"));
    BOOST_OUTCOME_TRY(auto customer, id_arg<CustomerId>(customer_id, "customer_id"));
    BOOST_OUTCOME_TRY(auto code, text_arg(currency, "currency"));
    BOOST_OUTCOME_TRY(auto cur, detail::at_path(Currency::from_code(code), "currency"));
    BOOST_OUTCOME_TRY(auto at, c_api::instant_arg(opened_at, "opened_at"));
    BOOST_OUTCOME_TRY(auto c, Case::open(std::move(id), std::move(customer), cur, at));
    *out = new redress_case(std::move(c));
    return boost::outcome_v2::success();
  });
}

int redress_case_restore(redress_case** out, const redress_case* initial, const redress_policy* policy,
                         const char* journal_json, size_t len) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    *out = nullptr;
    BOOST_OUTCOME_TRYV(need(initial, "initial"));
    BOOST_OUTCOME_TRYV(need(policy, "policy"));
    BOOST_OUTCOME_TRY(auto journal, c_api::journal_arg(journal_json, len, initial->value));
    BOOST_OUTCOME_TRY(auto c, replay(initial->value, journal, *policy->policy));
    *out = new redress_case(std::move(c));
    return boost::outcome_v2::success();
  });
}

int redress_case_copy(redress_case** out, const redress_case* c) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    *out = nullptr;
    BOOST_OUTCOME_TRYV(need(c, "c"));
    *out = new redress_case(c->value);
    return boost::outcome_v2::success();
  });
}

void redress_case_free(redress_case* c) { delete c; }

int redress_case_apply(redress_buf* step_out, redress_case* c, const redress_policy* policy, const char* event_json,
                       size_t len, const char* now) {
  if (step_out != nullptr) redress_buf_dispose(step_out);
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(c, "c"));
    BOOST_OUTCOME_TRYV(need(policy, "policy"));
    BOOST_OUTCOME_TRY(auto text, text_arg(event_json, len, "event"));
    // The event first: a bad instant in it is named as its own field, even
    // when a host passes the same instant as `now`.
    BOOST_OUTCOME_TRY(auto doc, detail::json_parse(text, "event"));
    BOOST_OUTCOME_TRY(auto event, event_from_json(doc, "event", JournalDefaults{c->value.id(), c->value.currency()}));
    BOOST_OUTCOME_TRY(auto at, c_api::instant_arg(now, "now"));
    BOOST_OUTCOME_TRY(auto step, apply(c->value, event, *policy->policy, at));
    if (step_out != nullptr) {
      BOOST_OUTCOME_TRYV(c_api::put(step_out, boost::json::serialize(to_json(step))));
    }
    c->value = std::move(step.next);
    c->refresh();
    return boost::outcome_v2::success();
  });
}

int redress_case_json(redress_buf* out, const redress_case* c) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    redress_buf_dispose(out);
    BOOST_OUTCOME_TRYV(need(c, "c"));
    return c_api::put(out, boost::json::serialize(to_json(c->value)));
  });
}

const char* redress_case_id(const redress_case* c) { return c != nullptr ? c->value.id().c_str() : ""; }
const char* redress_case_customer(const redress_case* c) {
  return c != nullptr ? c->value.customer().c_str() : "";
}
const char* redress_case_currency(const redress_case* c) {
  // Currency codes are three letters in a static table, each NUL-terminated.
  return c != nullptr ? c->value.currency().code().data() : "";
}
const char* redress_case_stage(const redress_case* c) { return c != nullptr ? c->stage.c_str() : ""; }
const char* redress_case_priority(const redress_case* c) { return c != nullptr ? c->priority.c_str() : ""; }

}  // extern "C"
