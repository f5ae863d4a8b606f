// A consumer that knows redress only through its installed package.
#include <cstdio>
#include <cstring>

#include <redress/error.hpp>
#include <redress/time.hpp>
#include <redress/version.hpp>

int main() {
  auto tz = redress::TimeZone::named("Asia/Shanghai");
  if (!tz || tz.value().utc_offset_minutes() != 480) return 1;
  std::error_code ec = redress::errc::amount_overflow;
  if (std::strcmp(ec.category().name(), "redress") != 0) return 2;
  std::printf("redress %s found\n", redress::version_string());
  return 0;
}
