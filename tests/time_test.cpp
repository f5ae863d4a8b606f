#include "support/test.hpp"

#include <redress/time.hpp>

using namespace redress;

TEST_SUITE("time") {
  TEST_CASE("Asia/Shanghai is eight hours east of UTC") {
    auto tz = TimeZone::named("Asia/Shanghai");
    REQUIRE(tz);
    CHECK(tz.value().utc_offset_minutes() == 480);
    auto at = parse_instant("2025-01-24T07:00:00Z").value();
    CHECK(format_instant(tz.value().to_instant(tz.value().to_civil(at))) == "2025-01-24T07:00:00Z");
    CHECK(tz.value().to_civil(at).time_of_day() == boost::posix_time::hours(15));
  }

  TEST_CASE("a zone with daylight saving is refused rather than answered wrongly") {
    auto tz = TimeZone::named("Europe/Berlin");
    REQUIRE_FALSE(tz);
    CHECK(tz.error() == errc::unknown_time_zone);
    CHECK(last_error_detail().find("Europe/Berlin") != std::string_view::npos);
  }

  TEST_CASE("fixed offsets are named like +05:30 and bounded by fourteen hours") {
    CHECK(TimeZone::named("+05:30").value().utc_offset_minutes() == 330);
    CHECK(TimeZone::named("UTC-03:00").value().utc_offset_minutes() == -180);
    CHECK(TimeZone::fixed(-90).value().name() == "-01:30");
    CHECK(TimeZone::fixed(15 * 60).error() == errc::unknown_time_zone);
  }

  TEST_CASE("an instant with an offset is read as the same UTC instant") {
    CHECK(parse_instant("2025-01-24T15:00:00+08:00").value() == parse_instant("2025-01-24T07:00:00Z").value());
    CHECK(format_instant(parse_instant("2025-01-24T07:00:00.250Z").value()) == "2025-01-24T07:00:00.250000Z");
  }

  TEST_CASE("malformed instants and dates name the problem") {
    for (auto bad : {"2025-01-24", "2025-01-24T25:00:00Z", "2025-02-30T00:00:00Z", "2025-01-24T07:00:00",
                     "2025-01-24T07:00:00+0800"}) {
      CAPTURE(bad);
      auto r = parse_instant(bad);
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_argument);
      CHECK(last_error_detail().find(bad) != std::string_view::npos);
    }
    CHECK(parse_date("2024-02-29").value() == CivilDate(2024, 2, 29));
    CHECK_FALSE(parse_date("2025-02-29"));
  }

  TEST_CASE("durations read both HH:MM:SS and ISO 8601 forms") {
    CHECK(parse_duration("00:20:00").value() == boost::posix_time::minutes(20));
    CHECK(parse_duration("PT20M").value() == boost::posix_time::minutes(20));
    CHECK(parse_duration("PT1H30M5S").value() == boost::posix_time::seconds(5405));
    CHECK(parse_duration("-01:00:00").value() == boost::posix_time::hours(-1));
    CHECK(format_duration(boost::posix_time::minutes(-20)) == "-00:20:00");
    CHECK_FALSE(parse_duration("P1D"));
    CHECK_FALSE(parse_duration("PT5S3M"));
    CHECK_FALSE(parse_duration("12:60:00"));
  }
}
