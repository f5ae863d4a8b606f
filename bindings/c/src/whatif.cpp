// Policy identity and what-if replays through the C API.
#include <redress/journal.hpp>
#include <redress/whatif.hpp>

#include "glue.hpp"

using namespace redress;
using c_api::guard;
using c_api::need;

extern "C" {

int redress_policy_identity(redress_buf* out, const redress_policy* policy) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    redress_buf_dispose(out);
    BOOST_OUTCOME_TRYV(need(policy, "policy"));
    const PolicyRef* ref = policy->policy->identity();
    if (ref == nullptr) return detail::fail(errc::invalid_argument, "policy: it has no identity (a policy in C)");
    return c_api::put(out, boost::json::serialize(to_json(*ref)));
  });
}

int redress_whatif(redress_buf* out, const redress_case* initial, const redress_policy* old_policy,
                   const redress_policy* new_policy, const char* journal_json, size_t len) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    redress_buf_dispose(out);
    BOOST_OUTCOME_TRYV(need(initial, "initial"));
    BOOST_OUTCOME_TRYV(need(old_policy, "old_policy"));
    BOOST_OUTCOME_TRYV(need(new_policy, "new_policy"));
    BOOST_OUTCOME_TRY(auto journal, c_api::journal_arg(journal_json, len, initial->value));
    BOOST_OUTCOME_TRY(auto answer, whatif(initial->value, journal, *old_policy->policy, *new_policy->policy));
    return c_api::put(out, boost::json::serialize(to_json(answer, journal)));
  });
}

}  // extern "C"
