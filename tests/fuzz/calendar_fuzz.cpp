// A calendar document; when accepted, a few questions asked of it.
#include <redress/calendar.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace redress;
  auto cal = Calendar::parse(fuzz::as_text(data, size));
  if (!cal) return 0;
  auto at = parse_instant("2026-02-16T09:30:00+08:00").value();
  (void)cal.value().next_opening(at);
  (void)cal.value().add_working_days(parse_date("2026-02-16").value(), 3);
  return 0;
}
