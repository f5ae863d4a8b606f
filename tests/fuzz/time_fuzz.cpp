// Instants, dates and durations as text: the first byte picks the reader.
// What is accepted formats without throwing and parses back to the same value.
#include <redress/time.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace redress;
  if (size == 0) return 0;
  auto text = fuzz::as_text(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      if (auto t = parse_instant(text)) {
        auto back = parse_instant(format_instant(t.value()));
        REDRESS_FUZZ_CHECK(back.has_value() && back.value() == t.value());
      }
      break;
    case 1:
      if (auto d = parse_date(text)) {
        auto back = parse_date(format_date(d.value()));
        REDRESS_FUZZ_CHECK(back.has_value() && back.value() == d.value());
      }
      break;
    case 2:
      if (auto d = parse_duration(text)) {
        auto back = parse_duration(format_duration(d.value()));
        REDRESS_FUZZ_CHECK(back.has_value() && back.value() == d.value());
      }
      break;
    default:
      (void)TimeZone::named(text);
      break;
  }
  return 0;
}
