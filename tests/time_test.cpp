#include "support/test.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <redress/time.hpp>

using namespace redress;
using boost::posix_time::hours;
using boost::posix_time::minutes;

namespace {

Instant at(std::string_view text) { return parse_instant(text).value(); }
// A wall-clock reading, written as an instant without its zone.
CivilTime civil(std::string text) { return parse_instant(text + "Z").value(); }

// One line of `zdump -v`:
// "Europe/Berlin  Sun Mar 29 00:59:59 2020 UT = Sun Mar 29 01:59:59 2020 CET isdst=0 gmtoff=3600"
struct ZdumpLine {
  Instant utc;
  CivilTime local;
  Duration offset;
};

std::optional<ZdumpLine> parse_zdump(const std::string& line) {
  static const std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::istringstream in(line);
  std::string zone, wd1, mon1, time1, ut, eq, wd2, mon2, time2, abbrev, isdst, gmtoff;
  int day1 = 0, year1 = 0, day2 = 0, year2 = 0;
  if (!(in >> zone >> wd1 >> mon1 >> day1 >> time1 >> year1 >> ut >> eq >> wd2 >> mon2 >> day2 >> time2 >> year2 >>
        abbrev >> isdst >> gmtoff) ||
      ut != "UT" || !gmtoff.starts_with("gmtoff=")) {
    return std::nullopt;  // the "-9223372036854775808 = NULL" lines
  }
  auto reading = [&](const std::string& mon, int d, const std::string& time, int y) {
    auto m = std::find(months.begin(), months.end(), mon) - months.begin() + 1;
    return civil(fmt::format("{:04}-{:02}-{:02}T{}", y, m, d, time));
  };
  return ZdumpLine{reading(mon1, day1, time1, year1), reading(mon2, day2, time2, year2),
                   boost::posix_time::seconds(std::stol(gmtoff.substr(7)))};
}

}  // namespace

TEST_SUITE("time") {
  TEST_CASE("Asia/Shanghai is eight hours east of UTC") {
    auto tz = TimeZone::named("Asia/Shanghai");
    REQUIRE(tz);
    CHECK(tz.value().utc_offset(parse_instant("2025-01-24T07:00:00Z").value()) == boost::posix_time::hours(8));
    auto at = parse_instant("2025-01-24T07:00:00Z").value();
    CHECK(format_instant(tz.value().to_instant(tz.value().to_civil(at))) == "2025-01-24T07:00:00Z");
    CHECK(tz.value().to_civil(at).time_of_day() == boost::posix_time::hours(15));
  }

  TEST_CASE("a zone the tz database does not know is refused with its name") {
    for (auto name : {"Europe/Atlantis", "", "../../etc/passwd", "europe/berlin"}) {
      CAPTURE(name);
      auto tz = TimeZone::named(name);
      REQUIRE_FALSE(tz);
      CHECK(tz.error() == errc::unknown_time_zone);
      CHECK(last_error_detail().find(fmt::format("\"{}\"", name)) != std::string_view::npos);
    }
  }

  TEST_CASE("Berlin springs forward on the last Sunday of March and falls back on the last of October") {
    auto berlin = TimeZone::named("Europe/Berlin").value();
    CHECK_FALSE(berlin.is_fixed());
    auto list = berlin.transitions(at("2025-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z"));
    REQUIRE(list.size() == 2);
    CHECK(list[0] == TimeZone::Transition{at("2025-03-30T01:00:00Z"), hours(1), hours(2)});
    CHECK(list[1] == TimeZone::Transition{at("2025-10-26T01:00:00Z"), hours(2), hours(1)});
    CHECK(berlin.to_civil(at("2025-03-30T00:59:59Z")) == civil("2025-03-30T01:59:59"));
    CHECK(berlin.to_civil(at("2025-03-30T01:00:00Z")) == civil("2025-03-30T03:00:00"));
    CHECK(TimeZone::utc().transitions(at("2025-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z")).empty());
  }

  TEST_CASE("a skipped wall-clock time moves forward by the gap") {
    // 02:30 never happens in Berlin on 2025-03-30: it is read as 03:30 CEST.
    auto berlin = TimeZone::named("Europe/Berlin").value();
    CHECK(berlin.to_instant(civil("2025-03-30T02:30:00")) == at("2025-03-30T03:30:00+02:00"));
    CHECK(berlin.to_instant(civil("2025-03-30T02:00:00")) == at("2025-03-30T03:00:00+02:00"));
    // New York skips 02:00-03:00 on 2025-03-09.
    auto new_york = TimeZone::named("America/New_York").value();
    CHECK(new_york.to_instant(civil("2025-03-09T02:15:00")) == at("2025-03-09T03:15:00-04:00"));
    // Lord Howe skips half an hour: 02:00-02:30 on 2025-10-05.
    auto lord_howe = TimeZone::named("Australia/Lord_Howe").value();
    CHECK(lord_howe.to_instant(civil("2025-10-05T02:10:00")) == at("2025-10-05T02:40:00+11:00"));
  }

  TEST_CASE("a zone's conversions of special and far instants stay values") {
    auto berlin = TimeZone::named("Europe/Berlin").value();
    CHECK(berlin.to_civil(Instant(boost::posix_time::not_a_date_time)).is_not_a_date_time());
    CHECK(berlin.to_instant(CivilTime(boost::posix_time::pos_infin)).is_pos_infinity());
    CHECK(berlin.to_civil(kMinInstant) == kMinInstant + berlin.utc_offset(kMinInstant));
    CHECK(berlin.to_instant(berlin.to_civil(at("9999-06-01T12:00:00Z"))) == at("9999-06-01T12:00:00Z"));
    CHECK(berlin.transitions(at("2025-06-01T00:00:00Z"), at("2025-01-01T00:00:00Z")).empty());
  }

  TEST_CASE("a repeated wall-clock time is the earlier of its two instants") {
    auto berlin = TimeZone::named("Europe/Berlin").value();
    CHECK(berlin.to_instant(civil("2025-10-26T02:30:00")) == at("2025-10-26T02:30:00+02:00"));
    CHECK(berlin.to_instant(civil("2025-10-26T03:00:00")) == at("2025-10-26T03:00:00+01:00"));
    auto new_york = TimeZone::named("America/New_York").value();
    CHECK(new_york.to_instant(civil("2025-11-02T01:30:00")) == at("2025-11-02T01:30:00-04:00"));
  }

  TEST_CASE("conversions agree with zdump -v for several zones and years") {
    // The system's own zdump is the reference, run now on the tzdata this
    // test reads. Each transition gives two lines: the last second before
    // and the first at the new offset.
    const std::vector<std::string> zones{"Europe/Berlin", "America/New_York", "Asia/Shanghai",
                                         "Australia/Lord_Howe", "America/Sao_Paulo", "Asia/Tehran"};
    std::size_t lines = 0;
    for (const auto& name : zones) {
      CAPTURE(name);
      auto zone = TimeZone::named(name).value();
      std::string command = "zdump -v -c 1985,2031 " + name;
      std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
      REQUIRE(pipe != nullptr);
      std::vector<ZdumpLine> rows;
      char buffer[512];
      while (fgets(buffer, sizeof buffer, pipe.get()) != nullptr) {
        if (auto row = parse_zdump(buffer)) rows.push_back(*row);
      }
      REQUIRE(rows.size() >= 2);
      for (std::size_t k = 0; k < rows.size(); ++k) {
        const auto& row = rows[k];
        CAPTURE(format_instant(row.utc));
        CHECK(zone.utc_offset(row.utc) == row.offset);
        CHECK(zone.to_civil(row.utc) == row.local);
        // Back from the wall clock: the instant itself, except on the first
        // reading after a fall back, which is repeated and resolves to the
        // earlier instant, one change earlier.
        const bool after_fall_back = k % 2 == 1 && rows[k - 1].offset > row.offset && rows[k - 1].utc + boost::posix_time::seconds(1) == row.utc;
        CHECK(zone.to_instant(row.local) == (after_fall_back ? row.utc - (rows[k - 1].offset - row.offset) : row.utc));
        ++lines;
      }
      // The transitions redress lists are the ones zdump prints.
      auto list = zone.transitions(at("1985-01-01T00:00:00Z"), at("2031-01-01T00:00:00Z"));
      std::size_t changes = 0;
      for (std::size_t k = 1; k < rows.size(); ++k) {
        if (rows[k - 1].utc + boost::posix_time::seconds(1) == rows[k].utc && rows[k - 1].offset != rows[k].offset) {
          REQUIRE(changes < list.size());
          CHECK(list[changes].at_utc == rows[k].utc);
          CHECK(list[changes].before == rows[k - 1].offset);
          CHECK(list[changes].after == rows[k].offset);
          ++changes;
        }
      }
      CHECK(changes == list.size());
    }
    CHECK(lines > 300);
  }

  TEST_CASE("fixed offsets are named like +05:30 and bounded by fourteen hours") {
    const auto t = at("2025-01-24T07:00:00Z");
    CHECK(TimeZone::named("+05:30").value().utc_offset(t) == minutes(330));
    CHECK(TimeZone::named("UTC-03:00").value().utc_offset(t) == minutes(-180));
    CHECK(TimeZone::named("+14:00").value().is_fixed());
    CHECK(TimeZone::fixed(-90).value().name() == "-01:30");
    CHECK(TimeZone::fixed(15 * 60).error() == errc::unknown_time_zone);
    CHECK(TimeZone::named("+14:01").error() == errc::unknown_time_zone);
    CHECK(TimeZone::named("-15:00").error() == errc::unknown_time_zone);
  }

  TEST_CASE("an instant with an offset beyond fourteen hours is refused") {
    auto r = parse_instant("2025-01-24T07:00:00+15:00");
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK(last_error_detail().find("-14:00..+14:00") != std::string_view::npos);
    CHECK(parse_instant("2025-01-24T07:00:00-14:00").value() == at("2025-01-24T21:00:00Z"));
  }

  TEST_CASE("an instant outside the supported range is an input error, not an exception") {
    // 9999-12-31T23:59:59-14:00 is 10000-01-01 in UTC.
    for (auto text : {"9999-12-31T23:59:59-14:00", "1400-01-01T00:00:00+01:00"}) {
      CAPTURE(text);
      auto r = parse_instant(text);
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::out_of_range);
      CHECK(last_error_detail().find(text) != std::string_view::npos);
      CHECK(last_error_detail().find("supported range") != std::string_view::npos);
    }
    CHECK(format_instant(parse_instant("9999-12-31T23:59:59+14:00").value()) == "9999-12-31T09:59:59Z");
    CHECK(format_instant(kMaxInstant + hours(20)) == "out-of-range-instant");
    CHECK(format_instant(kMinInstant - hours(1)) == "out-of-range-instant");
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
