// A consumer that knows redress only through its installed package.
#include <cstdio>
#include <cstring>

#include <redress/engine.hpp>
#include <redress/fmt.hpp>
#include <redress/json.hpp>
#include <redress/version.hpp>

int main() {
  // The tz database through the installed package (date::date-tz): Berlin
  // is one hour east of UTC in winter, two in summer.
  auto tz = redress::TimeZone::named("Europe/Berlin");
  if (!tz || tz.value().utc_offset(redress::parse_instant("2025-01-24T07:00:00Z").value()).hours() != 1 ||
      tz.value().utc_offset(redress::parse_instant("2025-07-24T07:00:00Z").value()).hours() != 2) {
    return 1;
  }
  std::error_code ec = redress::errc::amount_overflow;
  if (std::strcmp(ec.category().name(), "redress") != 0) return 2;
  auto price = redress::Money::parse("199.99", redress::Currency::CNY);
  if (!price) return 3;
  auto back = redress::from_json<redress::Money>(redress::to_json(price.value()));
  if (!back || !(back.value() == price.value())) return 4;
  auto c = redress::Case::open(redress::CaseId::make("C-1").value(), redress::CustomerId::make("U-1").value(),
                               redress::Currency::CNY, redress::parse_instant("2025-01-24T07:00:00Z").value());
  if (!c || c.value().stage() != redress::Stage::apologise) return 5;
  std::printf("redress %s found: %s\n", redress::version_string(), fmt::format("{}", price.value()).c_str());
  return 0;
}
