// Money::parse: the first byte picks the currency, the rest is the amount.
// What is accepted formats back to the same amount.
#include <redress/money.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace redress;
  if (size == 0) return 0;
  const auto& info = detail::kCurrencies[data[0] % detail::kCurrencies.size()];
  auto currency = Currency::from_code(info.code).value();
  auto m = Money::parse(fuzz::as_text(data + 1, size - 1), currency);
  if (!m) return 0;
  auto back = Money::parse(format_amount(m.value()), currency);
  REDRESS_FUZZ_CHECK(back.has_value());
  REDRESS_FUZZ_CHECK(back.value() == m.value());
  (void)to_string(m.value());
  return 0;
}
