#include "support/test.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>

#include <boost/json.hpp>

#include <redress/calendar.hpp>

using namespace redress;
using boost::posix_time::hours;
using boost::posix_time::microseconds;
using boost::posix_time::minutes;

namespace {

Instant at(std::string_view text) { return parse_instant(text).value(); }
CivilDate day(std::string_view text) { return parse_date(text).value(); }
ServiceWindow window(int opens_hour, int closes_hour) {
  return ServiceWindow::make(hours(opens_hour), hours(closes_hour)).value();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const Calendar& china() {
  static const Calendar cn = Calendar::parse(read_file(REDRESS_TEST_DATA_DIR "/calendars/cn.json")).value();
  return cn;
}

// Mon-Fri in Shanghai, 09:00-12:00 and 13:00-21:00, over 2025, with the
// Spring Festival holidays and their two make-up Saturdays/Sundays.
CalendarSpec split_day_spec() {
  return CalendarSpec{
      .time_zone = TimeZone::named("Asia/Shanghai").value(),
      .weekmask = Weekmask::monday_to_friday(),
      .service_hours = {window(13, 21), window(9, 12)},
      .first_date = CivilDate(2025, 1, 1),
      .last_date = CivilDate(2025, 12, 31),
      .holidays = {day("2025-01-28"), day("2025-01-29"), day("2025-01-30"), day("2025-01-31"), day("2025-02-01"),
                   day("2025-02-02"), day("2025-02-03"), day("2025-02-04")},
      .extra_working_days = {day("2025-01-26"), day("2025-02-08")},
  };
}

const Calendar& split_day() {
  static const Calendar cal = Calendar::make(split_day_spec()).value();
  return cal;
}

// An independent, obviously correct model of a spec, stepping one day or
// one minute at a time, to check the calendar's O(1) answers against.
struct Naive {
  CalendarSpec spec;

  bool working(CivilDate d) const {
    auto listed = [&](const std::vector<CivilDate>& v) { return std::find(v.begin(), v.end(), d) != v.end(); };
    if (listed(spec.holidays)) return false;
    if (listed(spec.extra_working_days)) return true;
    return spec.weekmask.works_on(static_cast<boost::date_time::weekdays>(d.day_of_week().as_number()));
  }

  CivilDate add_days(CivilDate d, int n) const {
    const boost::gregorian::days step(n < 0 ? -1 : 1);
    if (n == 0) {
      while (!working(d)) d += step;
      return d;
    }
    for (int left = n < 0 ? -n : n; left > 0;) {
      d += step;
      if (working(d)) --left;
    }
    return d;
  }

  // Whether the minute starting at `t` is inside service hours.
  bool open_minute(Instant t) const {
    CivilTime local = spec.time_zone.to_civil(t);
    if (!working(local.date())) return false;
    auto tod = local.time_of_day();
    return std::any_of(spec.service_hours.begin(), spec.service_hours.end(),
                       [&](const ServiceWindow& w) { return w.opens() <= tod && tod < w.closes(); });
  }

  Instant add_minutes(Instant t, int n) const {
    while (n > 0) {
      if (open_minute(t)) --n;
      t += minutes(1);
    }
    return t;
  }

  // The latest instant with n open minutes between it and t: the start of
  // the n-th open minute counting back.
  Instant subtract_minutes(Instant t, int n) const {
    while (n > 0) {
      t -= minutes(1);
      if (open_minute(t)) --n;
    }
    return t;
  }
};

}  // namespace

TEST_SUITE("calendar") {
  TEST_CASE("value semantics") {
    static_assert(std::is_nothrow_default_constructible_v<Weekmask>);
    static_assert(std::is_trivially_copyable_v<Weekmask>);
    static_assert(std::is_trivially_destructible_v<Weekmask>);
    static_assert(Weekmask::monday_to_friday().working_days_per_week() == 5);
    static_assert(Weekmask::of({boost::date_time::Sunday, boost::date_time::Sunday}).working_days_per_week() == 1);
    static_assert(Weekmask() < Weekmask::monday_to_friday());
    static_assert(!std::is_default_constructible_v<ServiceWindow>);
    static_assert(std::is_trivially_copyable_v<ServiceWindow>);
    static_assert(std::is_trivially_destructible_v<ServiceWindow>);
    static_assert(std::three_way_comparable<ServiceWindow>);
    static_assert(std::is_copy_constructible_v<CalendarSpec> && std::equality_comparable<CalendarSpec>);
    static_assert(!std::is_default_constructible_v<Calendar>);
    static_assert(std::is_copy_constructible_v<Calendar> && std::is_copy_assignable_v<Calendar>);
    static_assert(std::is_nothrow_move_constructible_v<Calendar> && std::is_nothrow_move_assignable_v<Calendar>);
    static_assert(std::equality_comparable<Calendar>);
    Calendar copy = split_day();
    CHECK(copy == split_day());
    CHECK(copy.add_working_days(day("2025-01-24"), 2).value() == split_day().add_working_days(day("2025-01-24"), 2).value());
    CHECK_FALSE(copy == china());
  }

  TEST_CASE("the China calendar knows the well-known holidays and make-up working days") {
    const Calendar& cn = china();
    CHECK(cn.time_zone().name() == "Asia/Shanghai");
    CHECK(cn.first_date() == day("2020-01-01"));
    CHECK(cn.last_date() == day("2028-12-31"));
    CHECK(cn.working_time_per_day() == hours(12));
    for (auto working : {"2025-01-26", "2025-02-08", "2025-09-28", "2025-10-11", "2024-04-28", "2024-05-11",
                         "2025-01-27", "2025-02-05", "2026-02-14", "2026-02-28"}) {
      CAPTURE(working);
      CHECK(cn.is_working_day(day(working)).value());
    }
    for (auto from_to : {std::pair{"2025-01-28", "2025-02-04"}, std::pair{"2025-10-01", "2025-10-08"},
                         std::pair{"2024-05-01", "2024-05-05"}, std::pair{"2020-01-24", "2020-02-02"}}) {
      for (CivilDate d = day(from_to.first); d <= day(from_to.second); d += boost::gregorian::days(1)) {
        CAPTURE(format_date(d));
        CHECK_FALSE(cn.is_working_day(d).value());
        CHECK(cn.day_kind(d).value() == DayKind::holiday);
      }
    }
    CHECK(cn.day_kind(day("2025-01-26")).value() == DayKind::extra_working_day);
    CHECK(cn.day_kind(day("2025-01-25")).value() == DayKind::weekly_rest_day);
    CHECK(cn.day_kind(day("2025-01-24")).value() == DayKind::regular_working_day);
    // The published yearly totals: 2025 has 248 working days (365 - 104 weekend days - 18 holidays on
    // weekdays + 5 make-up days), 2024 has 251.
    CHECK(cn.working_days_between(day("2024-12-31"), day("2025-12-31")).value() == 248);
    CHECK(cn.working_days_between(day("2023-12-31"), day("2024-12-31")).value() == 251);
  }

  TEST_CASE("a 2-working-day promise made on Friday 2025-01-24 at 15:00 in Shanghai falls due on Monday at 21:00") {
    const Calendar& cn = china();
    Instant promised = at("2025-01-24T15:00:00+08:00");
    // Sunday 26th is a make-up working day (1), Monday 27th is the second.
    CHECK(cn.due_after_working_days(promised, 2).value() == at("2025-01-27T21:00:00+08:00"));
    CHECK(cn.due_after_working_days(promised, 1).value() == at("2025-01-26T21:00:00+08:00"));
    // A third working day waits for the whole Spring Festival, 28 Jan to 4 Feb.
    CHECK(cn.due_after_working_days(promised, 3).value() == at("2025-02-05T21:00:00+08:00"));
    // The hour of the promise does not matter, only its local date.
    CHECK(cn.due_after_working_days(at("2025-01-24T08:00:00+08:00"), 2).value() == at("2025-01-27T21:00:00+08:00"));
    CHECK(cn.due_after_working_days(at("2025-01-24T23:30:00+08:00"), 2).value() == at("2025-01-27T21:00:00+08:00"));
    // Counted as 24 hours of service time instead, it is the same time of day.
    CHECK(cn.add_working_time(promised, hours(24)).value() == at("2025-01-27T15:00:00+08:00"));
  }

  TEST_CASE("a promise due today ends with today's service, or the next service day's once closed") {
    const Calendar& cal = split_day();
    CHECK(cal.due_after_working_days(at("2025-01-24T12:30:00+08:00"), 0).value() == at("2025-01-24T21:00:00+08:00"));
    CHECK(cal.due_after_working_days(at("2025-01-24T21:00:00+08:00"), 0).value() == at("2025-01-26T21:00:00+08:00"));
    CHECK(cal.due_after_working_days(at("2025-01-25T10:00:00+08:00"), 0).value() == at("2025-01-26T21:00:00+08:00"));
  }

  TEST_CASE("adding working days never counts the day you start on") {
    const Calendar& cal = split_day();
    CHECK(cal.add_working_days(day("2025-03-07"), 1).value() == day("2025-03-10"));  // Fri -> Mon
    CHECK(cal.add_working_days(day("2025-03-08"), 1).value() == day("2025-03-10"));  // Sat -> Mon
    CHECK(cal.add_working_days(day("2025-03-09"), 1).value() == day("2025-03-10"));  // Sun -> Mon
    CHECK(cal.add_working_days(day("2025-03-10"), 1).value() == day("2025-03-11"));
    CHECK(cal.add_working_days(day("2025-01-27"), 1).value() == day("2025-02-05"));  // over the holiday
    CHECK(cal.add_working_days(day("2025-01-29"), 3).value() == day("2025-02-07"));  // from inside it
  }

  TEST_CASE("adding zero working days keeps a working day and rolls a rest day forward") {
    const Calendar& cal = split_day();
    CHECK(cal.add_working_days(day("2025-03-12"), 0).value() == day("2025-03-12"));
    CHECK(cal.add_working_days(day("2025-03-08"), 0).value() == day("2025-03-10"));
    CHECK(cal.add_working_days(day("2025-01-30"), 0).value() == day("2025-02-05"));
    CHECK(cal.add_working_days(day("2025-01-26"), 0).value() == day("2025-01-26"));  // 调休 Sunday
  }

  TEST_CASE("subtracting working days counts strictly before the date") {
    const Calendar& cal = split_day();
    CHECK(cal.add_working_days(day("2025-03-10"), -1).value() == day("2025-03-07"));
    CHECK(cal.add_working_days(day("2025-03-09"), -1).value() == day("2025-03-07"));
    CHECK(cal.add_working_days(day("2025-02-05"), -1).value() == day("2025-01-27"));
    CHECK(cal.add_working_days(day("2025-02-05"), -2).value() == day("2025-01-26"));
  }

  TEST_CASE("working days agree with a day-by-day count for every date of 2025 and every n up to 60") {
    Naive naive{china().spec()};
    for (CivilDate d = day("2025-01-01"); d <= day("2025-12-31"); d += boost::gregorian::days(1)) {
      CAPTURE(format_date(d));
      REQUIRE(china().is_working_day(d).value() == naive.working(d));
      for (int n = -60; n <= 60; n += 7) {
        CAPTURE(n);
        REQUIRE(china().add_working_days(d, n).value() == naive.add_days(d, n));
      }
    }
  }

  TEST_CASE("working days between two dates inverts adding them") {
    const Calendar& cn = china();
    for (CivilDate from : {day("2025-01-24"), day("2025-01-25"), day("2025-09-30")}) {
      for (int n = 1; n <= 40; ++n) {
        CivilDate to = cn.add_working_days(from, n).value();
        CHECK(cn.working_days_between(from, to).value() == n);
        CHECK(cn.working_days_between(to, from).value() == -n);
      }
    }
    CHECK(cn.working_days_between(day("2025-01-27"), day("2025-02-04")).value() == 0);
    CHECK(cn.working_days_between(day("2025-03-03"), day("2025-03-03")).value() == 0);
  }

  TEST_CASE("a deadline that lands exactly on closing time stays at closing time") {
    const Calendar& cal = split_day();
    CHECK(cal.add_working_time(at("2025-03-10T20:00:00+08:00"), hours(1)).value() == at("2025-03-10T21:00:00+08:00"));
    CHECK(cal.add_working_time(at("2025-03-10T11:00:00+08:00"), hours(1)).value() == at("2025-03-10T12:00:00+08:00"));
    CHECK(cal.add_working_time(at("2025-03-10T11:00:00+08:00"), minutes(61)).value() ==
          at("2025-03-10T13:01:00+08:00"));
    CHECK(cal.add_working_time(at("2025-03-10T20:00:00+08:00"), minutes(61)).value() ==
          at("2025-03-11T09:01:00+08:00"));
    // A whole service day from an opening ends at that day's closing.
    CHECK(cal.add_working_time(at("2025-03-10T09:00:00+08:00"), hours(11)).value() ==
          at("2025-03-10T21:00:00+08:00"));
  }

  TEST_CASE("working time added while closed starts counting at the next opening") {
    const Calendar& cal = split_day();
    CHECK(cal.add_working_time(at("2025-03-10T22:00:00+08:00"), minutes(30)).value() ==
          at("2025-03-11T09:30:00+08:00"));
    CHECK(cal.add_working_time(at("2025-03-10T12:20:00+08:00"), minutes(30)).value() ==
          at("2025-03-10T13:30:00+08:00"));
    CHECK(cal.add_working_time(at("2025-03-08T10:00:00+08:00"), minutes(30)).value() ==
          at("2025-03-10T09:30:00+08:00"));
    CHECK(cal.add_working_time(at("2025-01-27T21:00:00+08:00"), minutes(20)).value() ==
          at("2025-02-05T09:20:00+08:00"));
    // Zero is the next opening, never an instant in the past.
    CHECK(cal.add_working_time(at("2025-03-10T22:00:00+08:00"), minutes(0)).value() ==
          at("2025-03-11T09:00:00+08:00"));
    CHECK(cal.add_working_time(at("2025-03-10T10:00:00+08:00"), minutes(0)).value() ==
          at("2025-03-10T10:00:00+08:00"));
  }

  TEST_CASE("subtracting working time lands on an opening rather than the previous closing") {
    const Calendar& cal = split_day();
    CHECK(cal.add_working_time(at("2025-03-11T09:00:00+08:00"), minutes(-1)).value() ==
          at("2025-03-10T20:59:00+08:00"));
    CHECK(cal.add_working_time(at("2025-03-11T09:30:00+08:00"), minutes(-30)).value() ==
          at("2025-03-11T09:00:00+08:00"));
    CHECK(cal.add_working_time(at("2025-03-11T13:30:00+08:00"), minutes(-30)).value() ==
          at("2025-03-11T13:00:00+08:00"));
    CHECK(cal.add_working_time(at("2025-03-11T13:30:00+08:00"), minutes(-31)).value() ==
          at("2025-03-11T11:59:00+08:00"));
    Instant from = at("2025-03-12T15:45:00+08:00");
    CHECK(cal.add_working_time(cal.add_working_time(from, hours(-30)).value(), hours(30)).value() == from);
  }

  TEST_CASE("working time agrees with minute-by-minute stepping") {
    const Calendar& cal = split_day();
    Naive naive{cal.spec()};
    for (Instant from = at("2025-01-23T07:00:00+08:00"); from < at("2025-02-10T00:00:00+08:00"); from += minutes(97)) {
      for (int n : {1, 59, 60, 180, 660, 661, 1500, 4000}) {
        CAPTURE(format_instant(from));
        CAPTURE(n);
        Instant due = cal.add_working_time(from, minutes(n)).value();
        REQUIRE(due == naive.add_minutes(from, n));
        Instant next = cal.next_opening(from).value();
        CHECK(cal.working_time_between(from, due).value() == minutes(n));
        CHECK(cal.working_time_between(next, due).value() == minutes(n));
      }
    }
  }

  TEST_CASE("working time between two instants counts only service hours, with a sign") {
    const Calendar& cal = split_day();
    CHECK(cal.working_time_between(at("2025-03-07T20:00:00+08:00"), at("2025-03-10T10:00:00+08:00")).value() ==
          hours(2));
    CHECK(cal.working_time_between(at("2025-03-10T10:00:00+08:00"), at("2025-03-07T20:00:00+08:00")).value() ==
          hours(-2));
    CHECK(cal.working_time_between(at("2025-03-10T11:00:00+08:00"), at("2025-03-10T14:00:00+08:00")).value() ==
          hours(2));
    CHECK(cal.working_time_between(at("2025-01-27T20:00:00+08:00"), at("2025-02-05T10:00:00+08:00")).value() ==
          hours(2));
    CHECK(cal.working_time_between(at("2025-03-08T10:00:00+08:00"), at("2025-03-09T10:00:00+08:00")).value() ==
          hours(0));
  }

  TEST_CASE("next opening is the instant itself while open and the next window's opening otherwise") {
    const Calendar& cal = split_day();
    CHECK(cal.next_opening(at("2025-03-10T09:00:00+08:00")).value() == at("2025-03-10T09:00:00+08:00"));
    CHECK(cal.next_opening(at("2025-03-10T10:17:00+08:00")).value() == at("2025-03-10T10:17:00+08:00"));
    CHECK(cal.next_opening(at("2025-03-10T08:59:00+08:00")).value() == at("2025-03-10T09:00:00+08:00"));
    CHECK(cal.next_opening(at("2025-03-10T12:00:00+08:00")).value() == at("2025-03-10T13:00:00+08:00"));
    CHECK(cal.next_opening(at("2025-03-10T21:00:00+08:00")).value() == at("2025-03-11T09:00:00+08:00"));
    CHECK(cal.next_opening(at("2025-01-24T22:00:00+08:00")).value() == at("2025-01-26T09:00:00+08:00"));
    CHECK(cal.next_opening(at("2025-01-28T10:00:00+08:00")).value() == at("2025-02-05T09:00:00+08:00"));
    CHECK(cal.is_open(at("2025-03-10T09:00:00+08:00")).value());
    CHECK(cal.is_open(at("2025-03-10T20:59:59.999999+08:00")).value());
    CHECK_FALSE(cal.is_open(at("2025-03-10T21:00:00+08:00")).value());
    CHECK_FALSE(cal.is_open(at("2025-03-10T12:00:00+08:00")).value());
    CHECK_FALSE(cal.is_open(at("2025-01-28T10:00:00+08:00")).value());
  }

  TEST_CASE("the local day follows the calendar's zone, not UTC") {
    const Calendar& cal = split_day();
    // 2025-03-09T23:30Z is Monday 07:30 in Shanghai, before opening; Sunday in UTC.
    CHECK(cal.next_opening(at("2025-03-09T23:30:00Z")).value() == at("2025-03-10T01:00:00Z"));
    CHECK(cal.due_after_working_days(at("2025-03-09T23:30:00Z"), 1).value() == at("2025-03-11T13:00:00Z"));
    CalendarSpec utc = split_day_spec();
    utc.time_zone = TimeZone::utc();
    auto utc_cal = Calendar::make(utc).value();
    CHECK(utc_cal.next_opening(at("2025-03-09T23:30:00Z")).value() == at("2025-03-10T09:00:00Z"));
  }

  TEST_CASE("a window closing at 24:00 runs into the next working day's window without a gap") {
    CalendarSpec spec = split_day_spec();
    spec.service_hours = {ServiceWindow::make(hours(0), hours(24)).value()};
    auto cal = Calendar::make(spec).value();
    CHECK(cal.working_time_per_day() == hours(24));
    CHECK(cal.add_working_time(at("2025-03-07T23:30:00+08:00"), minutes(60)).value() ==
          at("2025-03-10T00:30:00+08:00"));
    CHECK(cal.add_working_time(at("2025-03-07T23:30:00+08:00"), minutes(30)).value() ==
          at("2025-03-08T00:00:00+08:00"));
    CHECK(cal.due_after_working_days(at("2025-03-07T10:00:00+08:00"), 1).value() == at("2025-03-11T00:00:00+08:00"));
  }

  TEST_CASE("fractions of a second survive working-time arithmetic") {
    const Calendar& cal = split_day();
    CHECK(cal.add_working_time(at("2025-03-10T10:00:00.5+08:00"), minutes(1)).value() ==
          at("2025-03-10T10:01:00.5+08:00"));
    CHECK(cal.add_working_time(at("2025-03-10T20:59:59.75+08:00"), microseconds(500'000)).value() ==
          at("2025-03-11T09:00:00.25+08:00"));
  }

  TEST_CASE("a holiday on a rest day and an extra working day on a working weekday change nothing") {
    CalendarSpec spec = china().spec();
    spec.weekmask = Weekmask::monday_to_friday() | Weekmask::of({boost::date_time::Saturday});
    auto six_days = Calendar::make(spec).value();
    CHECK(six_days.is_working_day(day("2025-02-08")).value());  // a make-up Saturday: working anyway
    CHECK(six_days.day_kind(day("2025-02-08")).value() == DayKind::regular_working_day);
    CHECK(six_days.is_working_day(day("2025-03-08")).value());
    CHECK_FALSE(six_days.is_working_day(day("2025-02-01")).value());  // a Saturday inside the holiday
    CHECK(china().day_kind(day("2025-02-02")).value() == DayKind::holiday);  // a Sunday inside the holiday
  }

  TEST_CASE("a calendar round-trips through JSON and is canonical") {
    auto again = Calendar::from_json(china().to_json());
    REQUIRE(again);
    CHECK(again.value() == china());
    CHECK(Calendar::from_json(split_day().to_json()).value() == split_day());
    CalendarSpec messy = split_day_spec();
    messy.holidays.push_back(day("2025-01-28"));
    std::reverse(messy.holidays.begin(), messy.holidays.end());
    auto tidy = Calendar::make(messy).value();
    CHECK(tidy == split_day());
    CHECK(tidy.spec().service_hours.front() == window(9, 12));
    CHECK(boost::json::serialize(tidy.to_json().at("weekmask")) == R"(["Mon","Tue","Wed","Thu","Fri"])");
    CHECK(boost::json::serialize(tidy.to_json().at("service_hours")) ==
          R"([{"opens":"09:00","closes":"12:00"},{"opens":"13:00","closes":"21:00"}])");
  }

  TEST_CASE("a calendar that contradicts itself is refused with invalid_calendar naming the field") {
    auto refused = [](CalendarSpec spec, std::string_view field) {
      auto r = Calendar::make(std::move(spec));
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_calendar);
      CAPTURE(last_error_detail());
      CHECK(last_error_detail().starts_with(field));
    };
    SUBCASE("an empty weekmask") {
      CalendarSpec spec = split_day_spec();
      spec.weekmask = Weekmask();
      refused(spec, "weekmask: no day");
    }
    SUBCASE("no service window") {
      CalendarSpec spec = split_day_spec();
      spec.service_hours.clear();
      refused(spec, "service_hours: no service window");
    }
    SUBCASE("overlapping windows") {
      CalendarSpec spec = split_day_spec();
      spec.service_hours.push_back(window(11, 14));
      refused(spec, "service_hours: 11:00-14:00 overlaps 09:00-12:00");
    }
    SUBCASE("a date that is both a holiday and an extra working day") {
      CalendarSpec spec = split_day_spec();
      spec.holidays.push_back(day("2025-01-26"));
      refused(spec, "holidays: 2025-01-26 is also an extra working day");
    }
    SUBCASE("a holiday outside the covered range") {
      CalendarSpec spec = split_day_spec();
      spec.holidays.push_back(day("2026-01-01"));
      refused(spec, "holidays[8]: 2026-01-01 is outside the covered range 2025-01-01..2025-12-31");
    }
    SUBCASE("a range that ends before it starts, is missing, or is too long") {
      CalendarSpec spec = split_day_spec();
      spec.last_date = day("2024-12-31");
      refused(spec, "last_date: 2024-12-31 is before first_date 2025-01-01");
      spec.last_date = CivilDate();
      refused(spec, "last_date: not a date");
      spec.first_date = day("2000-01-01");
      spec.last_date = day("2400-01-01");
      spec.holidays.clear();
      spec.extra_working_days.clear();
      refused(spec, "last_date: the covered range spans 146098 days");
      spec.last_date = day("2399-12-31");
      CHECK(Calendar::make(spec));
    }
    SUBCASE("a window that ends before it starts or lies outside the day") {
      auto bad = [](Duration opens, Duration closes, std::string_view why) {
        auto r = ServiceWindow::make(opens, closes);
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::invalid_calendar);
        CHECK(last_error_detail() == why);
      };
      bad(hours(21), hours(9), "service window: closes 09:00 is not after opens 21:00");
      bad(hours(9), hours(9), "service window: closes 09:00 is not after opens 09:00");
      bad(hours(-1), hours(9), "service window: opens -01:00 is outside 00:00-24:00");
      bad(hours(9), hours(25), "service window: closes 25:00 is outside 00:00-24:00");
      bad(hours(9), hours(21) + boost::posix_time::seconds(30),
          "service window: closes 21:00:30 is not a whole minute");
      CHECK(ServiceWindow::make(hours(0), hours(24)));
    }
  }

  TEST_CASE("dates and instants outside the covered range are refused with out_of_range") {
    const Calendar& cn = china();
    auto out = [](auto r, std::string_view detail) {
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::out_of_range);
      CAPTURE(last_error_detail());
      CHECK(last_error_detail().find(detail) != std::string_view::npos);
    };
    out(cn.is_working_day(day("2029-01-04")), "date: 2029-01-04 is outside the calendar's covered range 2020-01-01..2028-12-31");
    out(cn.is_working_day(day("2019-12-31")), "2019-12-31");
    out(cn.add_working_days(day("2028-12-27"), 3), "n: 3 working days from 2028-12-27");
    out(cn.add_working_days(day("2020-01-03"), -3), "n: -3 working days from 2020-01-03");
    CHECK(cn.add_working_days(day("2028-12-27"), 2).value() == day("2028-12-29"));
    out(cn.working_days_between(day("2025-01-01"), day("2030-01-01")), "to: 2030-01-01");
    out(cn.next_opening(at("2028-12-29T21:00:00+08:00")), "the next opening after");
    out(cn.add_working_time(at("2028-12-29T20:00:00+08:00"), hours(2)), "working_time: 02:00:00");
    CHECK(cn.add_working_time(at("2028-12-29T20:00:00+08:00"), hours(1)).value() == at("2028-12-29T21:00:00+08:00"));
    out(cn.add_working_time(at("2020-01-02T10:00:00+08:00"), hours(-14)), "working_time: -14:00:00");
    // 2028-12-31T16:30Z is already 2029-01-01 in Shanghai.
    out(cn.is_open(at("2028-12-31T16:30:00Z")), "(local date 2029-01-01)");
    out(cn.due_after_working_days(at("2028-12-28T10:00:00+08:00"), 2), "n: 2 working days");
    CalendarSpec early = split_day_spec();
    early.time_zone = TimeZone::named("-05:00").value();
    early.first_date = CivilDate(1400, 1, 1);
    early.last_date = CivilDate(1400, 12, 31);
    early.holidays.clear();
    early.extra_working_days.clear();
    out(Calendar::make(early).value().is_open(Instant(boost::date_time::min_date_time)), "(local date before 1400)");
    std::string text = read_file(REDRESS_TEST_DATA_DIR "/calendars/cn.json");
    text.replace(text.find("\"2020-01-01\""), 12, "\"1399-12-31\"");
    out(Calendar::parse(text), "is before 1400");
  }

  TEST_CASE("special dates, instants and durations, and negative promises are refused with invalid_argument") {
    const Calendar& cal = split_day();
    auto invalid = [](auto r, std::string_view detail) {
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_argument);
      CHECK(last_error_detail() == detail);
    };
    invalid(cal.is_working_day(CivilDate(boost::date_time::not_a_date_time)), "date: not a date");
    invalid(cal.is_open(Instant(boost::date_time::pos_infin)), "at_utc: not an instant");
    invalid(cal.add_working_time(at("2025-03-10T10:00:00Z"), Duration(boost::date_time::not_a_date_time)),
            "working_time: not a duration");
    invalid(cal.due_after_working_days(at("2025-03-10T10:00:00Z"), -1), "n: -1 working days is negative");
  }

  TEST_CASE("malformed calendar JSON fails with invalid_json naming the field path") {
    auto base = boost::json::parse(read_file(REDRESS_TEST_DATA_DIR "/calendars/cn.json")).as_object();
    auto rejected = [](const boost::json::value& v, errc code, std::string_view detail) {
      auto r = Calendar::from_json(v);
      REQUIRE_FALSE(r);
      CHECK(r.error() == code);
      CHECK(last_error_detail() == detail);
    };
    SUBCASE("not JSON at all") {
      auto r = Calendar::parse("{\"weekmask\": [");
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_json);
      CHECK(last_error_detail().starts_with("calendar: malformed JSON"));
    }
    SUBCASE("an unknown field") {
      auto v = base;
      v["holiday"] = boost::json::array{};
      rejected(v, errc::invalid_json, "holiday: unknown member; did you mean holidays?");
    }
    SUBCASE("a missing field") {
      auto v = base;
      v.erase("service_hours");
      rejected(v, errc::invalid_json, "service_hours: missing");
    }
    SUBCASE("a mistyped weekday") {
      auto v = base;
      v["weekmask"] = boost::json::array{"Mon", "Tues"};
      rejected(v, errc::invalid_json, "weekmask[1]: expected Mon..Sun, got \"Tues\"");
    }
    SUBCASE("a weekday listed twice") {
      auto v = base;
      v["weekmask"] = boost::json::array{"Mon", "Tue", "Mon"};
      rejected(v, errc::invalid_json, "weekmask[2]: Mon is listed twice");
    }
    SUBCASE("a malformed date") {
      auto v = base;
      v["extra_working_days"].as_array().emplace_back("2025-1-26");
      rejected(v, errc::invalid_json, "extra_working_days[46]: expected a date YYYY-MM-DD, got \"2025-1-26\"");
    }
    SUBCASE("a malformed time of day, and one outside the day") {
      auto v = base;
      v["service_hours"] = boost::json::array{boost::json::object{{"opens", "9:00"}, {"closes", "21:00"}}};
      rejected(v, errc::invalid_json, "service_hours[0].opens: expected a time of day HH:MM, got \"9:00\"");
      v["service_hours"] = boost::json::array{boost::json::object{{"opens", "09:00"}, {"closes", "25:00"}}};
      rejected(v, errc::invalid_calendar, "service_hours[0]: closes 25:00 is outside 00:00-24:00");
      v["service_hours"] = boost::json::array{boost::json::object{{"opens", "21:00"}, {"closes", "09:00"}}};
      rejected(v, errc::invalid_calendar, "service_hours[0]: closes 09:00 is not after opens 21:00");
    }
    SUBCASE("a time zone the tz database does not know") {
      auto v = base;
      v["time_zone"] = "Europe/Atlantis";
      auto r = Calendar::from_json(v);
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::unknown_time_zone);
      CHECK(last_error_detail().starts_with("time_zone: "));
    }
    SUBCASE("not an object") { rejected(boost::json::array{}, errc::invalid_json, "(root): expected an object"); }
  }
}

namespace {

const Calendar& germany() {
  static const Calendar de = Calendar::parse(read_file(REDRESS_TEST_DATA_DIR "/calendars/de.json")).value();
  return de;
}

const Calendar& new_york() {
  static const Calendar ny = Calendar::parse(read_file(REDRESS_TEST_DATA_DIR "/calendars/us-ny.json")).value();
  return ny;
}

// Around the clock, every day, in `zone`, over 2025.
Calendar around_the_clock(std::string_view zone) {
  return Calendar::make(CalendarSpec{
                            .time_zone = TimeZone::named(zone).value(),
                            .weekmask = Weekmask::of({boost::date_time::Monday, boost::date_time::Tuesday,
                                                      boost::date_time::Wednesday, boost::date_time::Thursday,
                                                      boost::date_time::Friday, boost::date_time::Saturday,
                                                      boost::date_time::Sunday}),
                            .service_hours = {window(0, 24)},
                            .first_date = day("2025-01-01"),
                            .last_date = day("2025-12-31"),
                            .holidays = {},
                            .extra_working_days = {},
                        })
      .value();
}

}  // namespace

TEST_SUITE("calendar zones") {
  TEST_CASE("the Germany and New York calendars load with their zones and holidays") {
    CHECK(germany().time_zone().name() == "Europe/Berlin");
    CHECK(germany().last_date() == day("2027-12-31"));
    CHECK(germany().day_kind(day("2025-10-03")).value() == DayKind::holiday);  // Tag der Deutschen Einheit
    CHECK(germany().day_kind(day("2027-03-26")).value() == DayKind::holiday);  // Karfreitag
    CHECK(new_york().time_zone().name() == "America/New_York");
    CHECK(new_york().day_kind(day("2025-11-27")).value() == DayKind::holiday);  // Thanksgiving
    CHECK(new_york().day_kind(day("2023-11-10")).value() == DayKind::holiday);  // Veterans Day, observed
    CHECK(new_york().day_kind(day("2026-07-03")).value() == DayKind::holiday);  // Independence Day, observed
  }

  TEST_CASE("a Berlin promise of 2 working days made before the October change is due at 18:00 CET") {
    // Fri 2025-10-24 15:00 CEST; clocks fall back on Sunday the 26th.
    const Instant friday = at("2025-10-24T15:00:00+02:00");
    CHECK(germany().due_after_working_days(friday, 2).value() == at("2025-10-28T18:00:00+01:00"));
    // Business time: 3 hours on Friday, 9 on Monday, 6 on Tuesday.
    CHECK(germany().due_after_working_days(friday, 2, DeadlineRule::business_time).value() ==
          at("2025-10-28T15:00:00+01:00"));
    // 4 working hours from Friday 16:00 CEST end on Monday at 11:00 CET, 10:00Z (not 09:00Z).
    CHECK(germany().add_working_time(at("2025-10-24T16:00:00+02:00"), hours(4)).value() == at("2025-10-27T10:00:00Z"));
    CHECK(germany().working_time_between(friday, at("2025-10-27T12:00:00+01:00")).value() == hours(6));
    // The holiday on Friday 3 October: 1 working day after Thursday is Monday.
    CHECK(germany().due_after_working_days(at("2025-10-02T10:00:00+02:00"), 1).value() ==
          at("2025-10-06T18:00:00+02:00"));
  }

  TEST_CASE("a New York promise across the March change keeps its wall-clock time") {
    // Fri 2025-03-07 14:00 EST; clocks spring forward on Sunday the 9th.
    const Instant friday = at("2025-03-07T14:00:00-05:00");
    CHECK(new_york().due_after_working_days(friday, 1).value() == at("2025-03-10T17:00:00-04:00"));
    CHECK(new_york().due_after_working_days(friday, 1, DeadlineRule::business_time).value() ==
          at("2025-03-10T14:00:00-04:00"));
    CHECK(new_york().add_working_time(friday, minutes(4 * 60)).value() == at("2025-03-10T10:00:00-04:00"));
    CHECK(new_york().working_time_between(friday, at("2025-03-10T14:00:00-04:00")).value() == hours(8));
    CHECK(new_york().next_opening(at("2025-03-08T12:00:00Z")).value() == at("2025-03-10T13:00:00Z"));
    CHECK(new_york().is_open(at("2025-03-10T13:30:00Z")).value());
    CHECK_FALSE(new_york().is_open(at("2025-03-07T13:30:00Z")).value());  // 08:30 EST
  }

  TEST_CASE("around-the-clock service counts real time on the days clocks change") {
    auto berlin = around_the_clock("Europe/Berlin");
    // 2025-03-30 has 23 hours in Berlin, 2025-10-26 has 25.
    CHECK(berlin.working_time_between(at("2025-03-30T00:00:00+01:00"), at("2025-03-31T00:00:00+02:00")).value() ==
          hours(23));
    CHECK(berlin.working_time_between(at("2025-10-26T00:00:00+02:00"), at("2025-10-27T00:00:00+01:00")).value() ==
          hours(25));
    CHECK(berlin.add_working_time(at("2025-03-30T00:00:00+01:00"), hours(4)).value() == at("2025-03-30T05:00:00+02:00"));
    CHECK(berlin.add_working_time(at("2025-10-26T00:00:00+02:00"), hours(4)).value() == at("2025-10-26T03:00:00+01:00"));
    CHECK(berlin.add_working_time(at("2025-03-29T12:00:00+01:00"), hours(48)).value() == at("2025-03-31T11:00:00Z"));
    CHECK(berlin.add_working_time(at("2025-10-27T12:00:00+01:00"), hours(-48)).value() == at("2025-10-25T11:00:00Z"));
    // Working time is elapsed time here: adding what lies between two instants gives the later one.
    for (auto span : {std::pair{"2025-03-29T22:15:00Z", "2025-03-30T01:30:00Z"},
                      std::pair{"2025-10-25T23:00:00Z", "2025-10-26T01:45:00Z"},
                      std::pair{"2025-10-26T00:59:00Z", "2025-10-26T01:01:00Z"}}) {
      const char* from = span.first;
      const char* to = span.second;
      CAPTURE(from);
      auto between = berlin.working_time_between(at(from), at(to)).value();
      CHECK(between == at(to) - at(from));
      CHECK(berlin.add_working_time(at(from), between).value() == at(to));
    }
    auto lord_howe = around_the_clock("Australia/Lord_Howe");
    CHECK(lord_howe.working_time_between(at("2025-04-06T00:00:00+11:00"), at("2025-04-07T00:00:00+10:30")).value() ==
          hours(24) + minutes(30));
  }

  TEST_CASE("working time across a change agrees with counting open minutes one by one") {
    auto every_day_in_berlin = [](std::vector<ServiceWindow> windows) {
      CalendarSpec spec = around_the_clock("Europe/Berlin").spec();
      spec.service_hours = std::move(windows);
      return Calendar::make(spec).value();
    };
    auto span = [](int h1, int m1, int h2, int m2) {
      return ServiceWindow::make(hours(h1) + minutes(m1), hours(h2) + minutes(m2)).value();
    };
    struct Setup {
      std::vector<ServiceWindow> windows;
      const char* change;
    };
    // Windows holding the change; in March, edges inside the skipped hour
    // (02:30, 02:45) too. is_open() reads the wall clock, minute by minute.
    for (const auto& setup : {Setup{{span(1, 0, 2, 30), span(2, 45, 4, 0), window(9, 18)}, "2025-03-30T01:00:00Z"},
                              Setup{{window(1, 4), window(9, 18)}, "2025-03-30T01:00:00Z"},
                              Setup{{window(1, 4), window(9, 18)}, "2025-10-26T01:00:00Z"},
                              Setup{{window(0, 24)}, "2025-10-26T01:00:00Z"}}) {
      CAPTURE(setup.change);
      const Calendar cal = every_day_in_berlin(setup.windows);
      for (Instant from = at(setup.change) - hours(30); from < at(setup.change) + hours(6); from += minutes(97)) {
        for (int n : {1, 30, 61, 150, 400}) {
          CAPTURE(format_instant(from));
          CAPTURE(n);
          Instant t = from;
          for (int counted = 0; counted < n; t += minutes(1)) counted += cal.is_open(t).value() ? 1 : 0;
          CHECK(cal.add_working_time(from, minutes(n)).value() == t);
          CHECK(cal.working_time_between(from, t).value() == minutes(n));
        }
      }
    }
  }

  TEST_CASE("working time agrees with minute-by-minute stepping at random instants in daylight-saving zones") {
    // Starts drawn around every change of clocks and across the range, in
    // Berlin and New York, for a desk with a lunch break on weekdays and
    // for one open around the clock (whose days with a change are 23 or 25
    // hours long), over three years with holidays.
    std::mt19937 random(20261207);
    for (const char* zone : {"Europe/Berlin", "America/New_York"}) {
      for (bool whole_day : {false, true}) {
        CalendarSpec spec = around_the_clock(zone).spec();
        spec.first_date = day("2024-01-01");
        spec.last_date = day("2026-12-31");
        spec.holidays = {day("2024-03-29"), day("2024-12-25"), day("2025-03-31"), day("2025-11-03"), day("2026-10-26")};
        if (!whole_day) {
          spec.weekmask = Weekmask::monday_to_friday();
          spec.service_hours = {window(9, 12), window(13, 21)};
          spec.extra_working_days = {day("2025-03-29"), day("2025-11-01")};  // Saturdays before a change
        }
        const Calendar cal = Calendar::make(spec).value();
        const Naive naive{cal.spec()};
        const Instant first = at("2024-01-06T00:00:00Z"), last = at("2026-12-24T00:00:00Z");
        std::vector<Instant> changes;
        for (const auto& t : spec.time_zone.transitions(first, last)) changes.push_back(t.at_utc);
        REQUIRE(changes.size() == 6);
        std::uniform_int_distribution<int> any_minute(0, static_cast<int>((last - first).total_seconds() / 60));
        std::uniform_int_distribution<int> near_change(-3 * 1440, 3 * 1440), amount(1, 2000);
        std::uniform_int_distribution<std::size_t> which(0, changes.size() - 1);
        for (int k = 0; k < 160; ++k) {
          const Instant from = k % 2 == 0 ? changes[which(random)] + minutes(near_change(random))
                                          : first + minutes(any_minute(random));
          const int n = amount(random);
          CAPTURE(zone);
          CAPTURE(whole_day);
          CAPTURE(format_instant(from));
          CAPTURE(n);
          CHECK(cal.add_working_time(from, minutes(n)).value() == naive.add_minutes(from, n));
          CHECK(cal.add_working_time(from, minutes(-n)).value() == naive.subtract_minutes(from, n));
        }
      }
    }
  }

  TEST_CASE("a calendar in a daylight-saving zone may not run past 2037") {
    CalendarSpec spec = around_the_clock("America/New_York").spec();
    spec.last_date = day("2038-12-31");
    auto r = Calendar::make(spec);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_calendar);
    CHECK(last_error_detail().find("last_date: 2038-12-31 is after 2037") != std::string_view::npos);
    spec.time_zone = TimeZone::named("Asia/Shanghai").value();  // no daylight saving since 1991
    CHECK(Calendar::make(spec));
  }

  TEST_CASE("an answer beyond the supported instants is out_of_range, not an exception") {
    auto far = Calendar::make(CalendarSpec{
                                  .time_zone = TimeZone::named("-14:00").value(),
                                  .weekmask = Weekmask::monday_to_friday(),
                                  .service_hours = {window(9, 21)},
                                  .first_date = day("9990-01-01"),
                                  .last_date = day("9999-12-31"),
                                  .holidays = {},
                                  .extra_working_days = {},
                              })
                   .value();
    // Friday 9999-12-31 closes at 21:00-14:00, which is 10000-01-01T11:00Z.
    const Instant friday_morning = at("9999-12-31T08:00:00-14:00");
    CHECK(far.next_opening(friday_morning).value() == at("9999-12-31T09:00:00-14:00"));
    auto beyond = [](result<Instant> r) {
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::out_of_range);
      CHECK(last_error_detail().find("beyond the supported instants") != std::string_view::npos);
    };
    beyond(far.due_after_working_days(friday_morning, 0));
    beyond(far.add_working_time(friday_morning, hours(2)));
  }
}

TEST_SUITE("calendar provisional years") {
  TEST_CASE("the China calendar marks 2027 and 2028 provisional") {
    const Calendar& cn = china();
    CHECK(cn.spec().provisional_from == day("2027-01-01"));
    CHECK_FALSE(cn.is_provisional(day("2026-12-31")).value());
    CHECK(cn.is_provisional(day("2027-01-01")).value());
    // The statutory days of 2027: Spring Festival eve to the third day, two weekdays in lieu.
    for (auto holiday : {"2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-04-05", "2027-06-09",
                         "2027-09-15", "2027-10-04"}) {
      CAPTURE(holiday);
      CHECK(cn.day_kind(day(holiday)).value() == DayKind::holiday);
    }
    CHECK(cn.is_working_day(day("2027-02-11")).value());
    CHECK(cn.is_provisional(day("2029-01-01")).error() == errc::out_of_range);
  }

  TEST_CASE("a promise made in December 2026 falls due on provisional data and says so") {
    const Calendar& cn = china();
    const Instant promised = at("2026-12-30T10:00:00+08:00");
    auto due = cn.due_after_working_days(promised, 2).value();
    CHECK(due == at("2027-01-04T21:00:00+08:00"));  // Thu 31st, then Mon 4th: 1 January is a holiday
    CHECK(cn.is_provisional(due).value());
    CHECK_FALSE(cn.is_provisional(cn.due_after_working_days(promised, 1).value()).value());
  }

  TEST_CASE("provisional_from is kept through JSON and must lie in the covered range") {
    CHECK(Calendar::from_json(china().to_json()).value() == china());
    CHECK(china().to_json().as_object().at("provisional_from") == "2027-01-01");
    auto v = china().to_json();
    v.as_object()["provisional_from"] = "2030-01-01";
    auto r = Calendar::from_json(v);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_calendar);
    CHECK(last_error_detail().starts_with("provisional_from: 2030-01-01 is outside"));
    v.as_object()["provisional_from"] = 2027;
    CHECK(Calendar::from_json(v).error() == errc::invalid_json);
  }
}

TEST_SUITE("calendar deadline rules") {
  TEST_CASE("close of service and business time read the same promise differently") {
    const Instant friday = at("2025-01-24T15:00:00+08:00");
    CHECK(china().due_after_working_days(friday, 2, DeadlineRule::close_of_service).value() ==
          at("2025-01-27T21:00:00+08:00"));
    CHECK(china().due_after_working_days(friday, 2, DeadlineRule::business_time).value() ==
          at("2025-01-27T15:00:00+08:00"));
    // Made after closing time, business time starts at the next opening.
    CHECK(china().due_after_working_days(at("2025-01-24T22:00:00+08:00"), 1, DeadlineRule::business_time).value() ==
          at("2025-01-26T21:00:00+08:00"));
    // "Today" is the end of today's service under either rule.
    CHECK(china().due_after_working_days(friday, 0, DeadlineRule::business_time).value() ==
          at("2025-01-24T21:00:00+08:00"));
    auto r = china().due_after_working_days(friday, 2, static_cast<DeadlineRule>(7));
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK(last_error_detail().starts_with("rule: 7"));
    CHECK(china().due_after_working_days(at("2028-12-28T10:00:00+08:00"), 2, DeadlineRule::business_time).error() ==
          errc::out_of_range);
  }
}

TEST_SUITE("calendar contact windows") {
  // Berlin service 09:00-18:00; a customer in New York who takes calls 10:00-20:00.
  const std::vector<ServiceWindow> kCustomerHours{window(10, 20)};

  TEST_CASE("a reminder due at night moves earlier into the window, never later") {
    auto ny = TimeZone::named("America/New_York").value();
    // Wed 2025-03-12 02:00Z is 03:00 in Berlin and Tuesday 22:00 in New York (EDT since the 9th).
    // Tuesday: service 08:00Z-17:00Z, customer 14:00Z-24:00Z: the last minute is 16:59Z.
    CHECK(germany().latest_contact_at_or_before(at("2025-03-12T02:00:00Z"), ny, kCustomerHours).value() ==
          at("2025-03-11T16:59:00Z"));
    CHECK(germany().earliest_contact_at_or_after(at("2025-03-12T02:00:00Z"), ny, kCustomerHours).value() ==
          at("2025-03-12T14:00:00Z"));
    // A week earlier New York is still on EST: the customer's window opens an hour later in UTC.
    CHECK(germany().earliest_contact_at_or_after(at("2025-03-05T02:00:00Z"), ny, kCustomerHours).value() ==
          at("2025-03-05T15:00:00Z"));
    // An ideal instant inside both windows stays where it is.
    CHECK(germany().latest_contact_at_or_before(at("2025-03-11T15:10:00Z"), ny, kCustomerHours).value() ==
          at("2025-03-11T15:10:00Z"));
  }

  TEST_CASE("a window in the calendar's own zone follows its change of clocks") {
    auto berlin = TimeZone::named("Europe/Berlin").value();
    // Saturday 2025-03-29 and Sunday are closed; Monday 31st opens at 09:00 CEST = 07:00Z.
    CHECK(germany().earliest_contact_at_or_after(at("2025-03-29T12:00:00Z"), berlin, {window(8, 20)}).value() ==
          at("2025-03-31T07:00:00Z"));
    // Back from Monday 06:00Z: Friday 28th, 17:59 CET.
    CHECK(germany().latest_contact_at_or_before(at("2025-03-31T06:00:00Z"), berlin, {window(8, 20)}).value() ==
          at("2025-03-28T16:59:00Z"));
  }

  TEST_CASE("contact windows that never meet service hours, or none at all, are refused") {
    auto berlin = TimeZone::named("Europe/Berlin").value();
    auto never = germany().earliest_contact_at_or_after(at("2025-03-12T02:00:00Z"), berlin, {window(19, 22)});
    REQUIRE_FALSE(never);
    CHECK(never.error() == errc::out_of_range);
    CHECK(last_error_detail().find("no minute inside both service hours") != std::string_view::npos);
    auto none = germany().latest_contact_at_or_before(at("2025-03-12T02:00:00Z"), berlin, {});
    REQUIRE_FALSE(none);
    CHECK(none.error() == errc::invalid_argument);
    CHECK(last_error_detail().starts_with("allowed:"));
  }
}
