// The engine: moving an open case to another version of its policy
// (docs/policy.md, "Versions and pinning").
#include "engine_internal.hpp"

#include <fmt/format.h>

namespace redress {
inline namespace v1 {

using boost::outcome_v2::success;

result<void> detail_case_access::on(const events::PolicyMoved& e) {
  if (e.to.hash.empty()) return bad_event("policy.hash is empty");
  const PolicyRef* applied = policy.identity();
  if (applied == nullptr || applied->hash != e.to.hash) {
    return bad_event("the policy it is applied with is not the one it names (hashes differ)");
  }
  std::string from = c.policy_.empty() ? std::string("no recorded policy")
                                       : fmt::format("{} version {}", c.policy_.front().id, c.policy_.front().version);
  SharedList<PolicyRef> pin;
  pin.push_back(*applied);
  c.policy_ = std::move(pin);
  why("policy.moved", fmt::format("from {} to {} version {}", from, applied->id, applied->version));
  return success();
}

}  // namespace v1
}  // namespace redress
