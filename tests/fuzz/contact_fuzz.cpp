// Contact points: the first byte picks the kind. What is accepted is its own
// normal form (reading the value again gives the same contact point).
#include <redress/contact.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace redress;
  if (size == 0) return 0;
  ContactKind kind = kContactKinds[data[0] % kContactKinds.size()];
  auto c = ContactPoint::make(kind, fuzz::as_text(data + 1, size - 1));
  if (!c) return 0;
  auto back = ContactPoint::make(kind, c.value().value());
  REDRESS_FUZZ_CHECK(back.has_value());
  REDRESS_FUZZ_CHECK(back.value().value() == c.value().value());
  return 0;
}
