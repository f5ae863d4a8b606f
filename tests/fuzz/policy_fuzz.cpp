// A reference policy document (its calendar inline).
#include <redress/policy.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)redress::ReferencePolicy::parse(redress::fuzz::as_text(data, size));
  return 0;
}
