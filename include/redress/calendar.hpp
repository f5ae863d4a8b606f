// redress/calendar.hpp: business calendars (working days and service hours).
//
// A promise such as "someone will reply within 2 working days" is a timer.
// Its deadline depends on a business calendar:
//   - a weekmask: the weekdays that are normally working days (Mon-Fri);
//   - holidays: dates that are not working days even though the weekmask
//     says they are;
//   - extra working days: weekend dates declared working days, which is
//     China's 调休 (make-up working days around a long holiday);
//   - service hours: one or more windows of local time, the same on every
//     working day (09:00-12:00 and 13:00-21:00);
//   - a time zone (a fixed offset or an IANA zone with daylight saving; see
//     redress/time.hpp);
//   - the covered range: the first and last date whose holidays the calendar
//     knows;
//   - optionally, the first provisional date: from it to the end of the
//     range the holidays are computed from the statutory rules, not yet
//     published by the authority (see is_provisional()).
//
// Dates outside the covered range are refused with errc::out_of_range. A
// calendar never guesses a year it has no holiday data for, because the guess
// would be wrong by a whole Spring Festival; years computed from the rules
// are data too, but marked provisional, and every answer on them can say so.
// A calendar with no holidays at all (weekmask only) can declare as wide a
// range as it likes, up to 400 years.
//
// Counting rules (docs/calendar.md gives the reasons):
//   - add_working_days(d, n) for n > 0 is the nth working day strictly after
//     d, whether or not d itself is a working day. The day you start on never
//     counts. For n < 0 it is the |n|th working day strictly before d, and
//     n == 0 gives d if it is a working day, else the next working day.
//   - Working time runs only inside service hours on working days. A
//     deadline that falls exactly on a closing time stays on that closing
//     time: 60 working minutes from 20:00 is 21:00 the same day, not 09:00
//     the next. Time added while service is closed starts counting at the
//     next opening.
//   - due_after_working_days(t, n) is the end of service on the nth working
//     day after t's local date (DeadlineRule::close_of_service), or n days of
//     service time after t (DeadlineRule::business_time).
//   - Service windows are wall-clock times: open while the clock shows a
//     time inside them. On the day a zone changes its offset inside a
//     service window, that window is an hour shorter or longer in real time,
//     and working time counts real time; an edge inside a skipped hour takes
//     effect when the clock jumps past it.
//
// Every operation is O(1) in n and in the number of days crossed. The
// calendar precomputes, over its covered range, a table of how many working
// days precede each date and the date of each working day (rank and select).
// A Calendar is immutable and cheap to copy: copies share those tables. It
// is safe to use from many threads at once.
#ifndef REDRESS_CALENDAR_HPP
#define REDRESS_CALENDAR_HPP

#include <bit>
#include <compare>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <vector>

#include <boost/date_time/date_defs.hpp>
#include <boost/json/value.hpp>

#include <redress/error.hpp>
#include <redress/time.hpp>

namespace redress {
inline namespace v1 {

// Weekmask
//
// The days of the week that are working days unless a holiday says
// otherwise. The default-constructed mask is empty. An empty mask is a valid
// value, but Calendar::make refuses it.
//
// Example:
//   auto mask = redress::Weekmask::of({boost::date_time::Monday, boost::date_time::Saturday});
//   bool saturday = mask.works_on(boost::date_time::Saturday);  // true
class Weekmask {
 public:
  constexpr Weekmask() noexcept = default;

  // Weekmask::monday_to_friday()
  //
  // The usual office week.
  static constexpr Weekmask monday_to_friday() noexcept { return Weekmask(0b0111110); }

  // Weekmask::of()
  //
  // The mask of the listed days. A day listed twice counts once.
  static constexpr Weekmask of(std::initializer_list<boost::date_time::weekdays> days) noexcept {
    std::uint8_t bits = 0;
    for (auto d : days) bits = static_cast<std::uint8_t>(bits | (1u << (static_cast<unsigned>(d) % 7)));
    return Weekmask(bits);
  }

  // True when `day` is a working day of the week.
  constexpr bool works_on(boost::date_time::weekdays day) const noexcept {
    return (bits_ >> (static_cast<unsigned>(day) % 7)) & 1u;
  }

  // How many days of the week are working days (0 to 7).
  constexpr int working_days_per_week() const noexcept { return std::popcount(bits_); }

  constexpr bool empty() const noexcept { return bits_ == 0; }

  // The days working in either mask.
  //
  // Example:
  //   auto mon_to_sat = Weekmask::monday_to_friday() | Weekmask::of({boost::date_time::Saturday});
  friend constexpr Weekmask operator|(Weekmask a, Weekmask b) noexcept {
    return Weekmask(static_cast<std::uint8_t>(a.bits_ | b.bits_));
  }

  friend constexpr auto operator<=>(const Weekmask&, const Weekmask&) = default;

 private:
  constexpr explicit Weekmask(std::uint8_t bits) noexcept : bits_(bits) {}
  std::uint8_t bits_ = 0;  // bit d set: weekday d (0 = Sunday) is a working day
};

// ServiceWindow
//
// A span of local time-of-day during which service is open: [opens, closes).
// Both ends are durations since local midnight, in whole minutes.
//
// Invariant: 00:00 <= opens < closes <= 24:00.
//
// Example:
//   using boost::posix_time::hours;
//   auto morning = redress::ServiceWindow::make(hours(9), hours(12)).value();
//   Duration length = morning.length();  // 3 hours
class ServiceWindow {
 public:
  // ServiceWindow::make()
  //
  // Fails with errc::invalid_calendar when an end lies outside 00:00-24:00, is
  // not a whole minute, or when `closes` is not after `opens`.
  static result<ServiceWindow> make(Duration opens, Duration closes);

  // Opening time, since local midnight.
  Duration opens() const { return boost::posix_time::minutes(opens_minutes_); }

  // Closing time, since local midnight. Service is closed at this instant.
  Duration closes() const { return boost::posix_time::minutes(closes_minutes_); }

  // closes() - opens().
  Duration length() const { return boost::posix_time::minutes(closes_minutes_ - opens_minutes_); }

  friend constexpr auto operator<=>(const ServiceWindow&, const ServiceWindow&) = default;

 private:
  constexpr ServiceWindow(int opens_minutes, int closes_minutes) noexcept
      : opens_minutes_(opens_minutes), closes_minutes_(closes_minutes) {}
  int opens_minutes_;
  int closes_minutes_;
};

// DayKind
//
// Why a date is, or is not, a working day.
enum class DayKind {
  regular_working_day = 1,  // a working day by the weekmask
  extra_working_day = 2,    // a weekend day declared a working day (调休)
  holiday = 3,              // listed as a holiday (even if it falls on a weekend)
  weekly_rest_day = 4,      // not a working day by the weekmask, and not listed
};

// DeadlineRule
//
// How due_after_working_days() reads "within n working days".
enum class DeadlineRule {
  // The closing time of the last service window on the nth working day
  // after the day of the promise: Fri 15:00 + 2 is Mon 21:00. What the
  // customer hears ("by Monday"); independent of the hour of the promise.
  close_of_service = 1,
  // n full service days of working time after the promise, as Zendesk,
  // Salesforce and Zammad count business hours: Fri 15:00 + 2 is Mon 15:00.
  // Equal to add_working_time(t, n * working_time_per_day()).
  business_time = 2,
};

// CalendarSpec
//
// The definition of a calendar, as given to Calendar::make and read back with
// Calendar::spec(). Dates are civil dates in the calendar's own zone.
//
// Example:
//   using boost::posix_time::hours;
//   redress::CalendarSpec spec{
//       .time_zone = redress::TimeZone::named("Asia/Shanghai").value(),
//       .weekmask = redress::Weekmask::monday_to_friday(),
//       .service_hours = {redress::ServiceWindow::make(hours(9), hours(21)).value()},
//       .first_date = redress::CivilDate(2025, 1, 1),
//       .last_date = redress::CivilDate(2025, 12, 31),
//       .holidays = {redress::CivilDate(2025, 1, 28)},
//       .extra_working_days = {redress::CivilDate(2025, 1, 26)},
//   };
struct CalendarSpec {
  TimeZone time_zone = TimeZone::utc();
  Weekmask weekmask;
  std::vector<ServiceWindow> service_hours;  // the same on every working day
  CivilDate first_date;                      // first covered date, inclusive
  CivilDate last_date;                       // last covered date, inclusive
  std::vector<CivilDate> holidays;
  std::vector<CivilDate> extra_working_days;
  // The first date whose holidays are provisional (computed from the rules,
  // not published); not-a-date-time when every year is official.
  CivilDate provisional_from = CivilDate(boost::date_time::not_a_date_time);

  friend bool operator==(const CalendarSpec&, const CalendarSpec&) = default;
};

// Calendar
//
// A validated business calendar: see the file comment for the model and the
// counting rules. Immutable; copies are cheap and compare equal when their
// specs are equal.
//
// Example (given std::string_view cn_json; the text of data/calendars/cn.json):
//   auto cn = redress::Calendar::parse(cn_json).value();
//   auto at = redress::parse_instant("2025-01-24T15:00:00+08:00").value();
//   auto due = cn.due_after_working_days(at, 2);  // 2025-01-27T13:00:00Z (Mon 21:00 in Shanghai)
class Calendar {
 public:
  // The longest covered range a calendar may declare: 400 Gregorian years.
  static constexpr int kMaxCoveredDays = 146097;

  // Calendar::make()
  //
  // Validates `spec` and builds the calendar's tables. Fails with
  // errc::invalid_calendar, naming the field and the reason, when:
  //   - the weekmask is empty;
  //   - there is no service window, or two windows overlap (windows that
  //     only touch, 09:00-12:00 and 12:00-21:00, are fine);
  //   - first_date or last_date is not a date, last_date is before
  //     first_date, or the range is longer than kMaxCoveredDays;
  //   - a holiday or an extra working day lies outside the covered range;
  //   - a date is both a holiday and an extra working day;
  //   - provisional_from is outside the covered range;
  //   - the zone changes its offset (daylight saving) and last_date is after
  //     2037, beyond the changes the system's tz files list.
  // Holidays and extra working days are sorted and deduplicated. A holiday on
  // a weekly rest day, or an extra working day on a weekmask working day, is
  // kept but changes nothing.
  static result<Calendar> make(CalendarSpec spec);

  // Calendar::from_json()
  //
  // Reads a calendar in the format of data/calendars/*.json (see
  // docs/calendar.md). Malformed or mistyped fields fail with
  // errc::invalid_json, a date before 1400 with errc::out_of_range, and a
  // calendar that contradicts itself with errc::invalid_calendar. Every
  // failure names the field path, e.g. "service_hours[1].closes". The
  // informational members "name", "description" and "provenance" are
  // accepted and not kept. "provisional_from" ("2027-01-01") marks the
  // years computed from the rules.
  static result<Calendar> from_json(const boost::json::value& json);

  // Calendar::parse()
  //
  // from_json() applied to JSON text. Malformed text fails with
  // errc::invalid_json and the byte offset of the error.
  static result<Calendar> parse(std::string_view json_text);

  // The calendar as JSON. from_json(to_json()) gives an equal calendar.
  boost::json::value to_json() const;

  // The definition, canonicalised: holidays and extra working days sorted
  // without duplicates, service windows in order of opening.
  const CalendarSpec& spec() const noexcept { return spec_; }
  const TimeZone& time_zone() const noexcept { return spec_.time_zone; }
  CivilDate first_date() const noexcept { return spec_.first_date; }
  CivilDate last_date() const noexcept { return spec_.last_date; }

  // The working time of one working day: the sum of the service windows.
  Duration working_time_per_day() const;

  // Calendar::is_working_day()
  //
  // Whether `date` is a working day. Fails with errc::out_of_range outside
  // the covered range and errc::invalid_argument for a special date
  // (not-a-date-time, infinity).
  //
  // Example (given const Calendar& cn):
  //   bool working = cn.is_working_day(CivilDate(2025, 1, 26)).value();  // true: a Sunday made a working day
  result<bool> is_working_day(CivilDate date) const;

  // Calendar::day_kind()
  //
  // Why `date` is or is not a working day. Fails as is_working_day().
  result<DayKind> day_kind(CivilDate date) const;

  // Calendar::add_working_days()
  //
  // For n > 0, the nth working day strictly after `date`. For n < 0, the
  // |n|th working day strictly before `date`. For n == 0, `date` itself if it
  // is a working day, else the next working day. Fails with
  // errc::out_of_range when `date` or the answer lies outside the covered
  // range. O(1).
  //
  // Example (given const Calendar& cn):
  //   CivilDate due = cn.add_working_days(CivilDate(2025, 1, 24), 2).value();  // 2025-01-27 (Sun 26th is 调休)
  result<CivilDate> add_working_days(CivilDate date, int n) const;

  // Calendar::working_days_between()
  //
  // The number of working days d with from < d <= to; negated when to is
  // before from. When `to` is a working day after `from`,
  // add_working_days(from, working_days_between(from, to)) == to. Fails with
  // errc::out_of_range outside the covered range. O(1).
  result<int> working_days_between(CivilDate from, CivilDate to) const;

  // Calendar::is_open()
  //
  // Whether service is open at `at_utc`: a working day, inside a window
  // [opens, closes). Fails with errc::out_of_range when the local date is
  // outside the covered range, errc::invalid_argument for a special instant.
  result<bool> is_open(Instant at_utc) const;

  // Calendar::next_opening()
  //
  // `at_utc` itself when service is open then, else the next instant at which
  // a service window opens. Fails with errc::out_of_range when there is none
  // within the covered range.
  //
  // Example (given const Calendar& cn; service 09:00-21:00, Shanghai):
  //   auto opens = cn.next_opening(parse_instant("2025-01-24T22:00:00+08:00").value());
  //   // 2025-01-26T01:00:00Z: Sunday 09:00, a 调休 working day
  result<Instant> next_opening(Instant at_utc) const;

  // Calendar::add_working_time()
  //
  // The instant by which `working_time` of service time has elapsed after
  // `from_utc`, counting only service hours on working days. A positive
  // amount lands on the earliest such instant, so a deadline that falls on a
  // closing time stays there. When closed, counting starts at the next
  // opening. A negative amount counts backwards and lands on the latest such
  // instant (an opening time rather than the previous closing time). Zero
  // gives next_opening(from_utc). Fails with errc::out_of_range when the
  // answer lies outside the covered range and errc::invalid_argument for a
  // special instant or duration. O(number of service windows).
  //
  // Example (given const Calendar& cn; service 09:00-21:00):
  //   auto due = cn.add_working_time(parse_instant("2025-01-24T20:00:00+08:00").value(),
  //                                  boost::posix_time::hours(1));
  //   // 2025-01-24T13:00:00Z: 21:00 on Friday, the closing edge
  result<Instant> add_working_time(Instant from_utc, Duration working_time) const;

  // Calendar::working_time_between()
  //
  // The service time that elapses between `from_utc` and `to_utc`; negative
  // when `to_utc` is earlier. add_working_time(a, working_time_between(a, b))
  // is b whenever service is open at b. Fails as add_working_time().
  result<Duration> working_time_between(Instant from_utc, Instant to_utc) const;

  // Calendar::due_after_working_days()
  //
  // The deadline of a promise of n working days made at `from_utc`.
  //   - close_of_service (the default): the closing time of the last service
  //     window on add_working_days(local date of from_utc, n). The hour at
  //     which the promise was made does not matter for n > 0.
  //   - business_time: add_working_time(from_utc, n * working_time_per_day()):
  //     the same time of day n working days later when made during service.
  // For n == 0 ("today"), under either rule, the end of the service day that
  // is open at from_utc or opens next. Fails with errc::invalid_argument for
  // n < 0 and errc::out_of_range outside the covered range.
  //
  // Example (given const Calendar& cn):
  //   auto fri = parse_instant("2025-01-24T15:00:00+08:00").value();
  //   auto close = cn.due_after_working_days(fri, 2);  // 2025-01-27T13:00:00Z: Monday 21:00 in Shanghai
  //   auto same_time = cn.due_after_working_days(fri, 2, DeadlineRule::business_time);  // Monday 15:00
  result<Instant> due_after_working_days(Instant from_utc, int n,
                                         DeadlineRule rule = DeadlineRule::close_of_service) const;

  // Calendar::is_provisional()
  //
  // Whether `date` lies in the provisional years (on or after
  // spec().provisional_from). An answer that lands on such a date was
  // computed on provisional data: a host (or the engine's
  // `calendar.provisional` finding) should say so, and re-time it when the
  // official calendar arrives. A deadline is provisional exactly when its
  // local date is: the days before it that it counted are earlier still.
  // Fails as is_working_day().
  //
  // Example (given const Calendar& cn):
  //   bool provisional = cn.is_provisional(CivilDate(2027, 2, 8)).value();  // true: 2027 is not yet published
  result<bool> is_provisional(CivilDate date) const;

  // The same for an instant (its local date in the calendar's zone), for
  // deadlines returned by the functions above.
  result<bool> is_provisional(Instant at_utc) const;

  // Calendar::latest_contact_at_or_before()
  //
  // The latest instant t <= ideal_utc at which an outbound contact is
  // allowed: service is open (is_open), and the wall clock in the
  // customer's `zone` reads a time inside one of the `allowed` windows
  // (the same every day). Half-open windows end on their last minute: if
  // ideal_utc is after a window, the answer is one minute before it closes.
  // A reminder's lead is a minimum, so a reminder due at night moves
  // earlier, never later. Fails with errc::invalid_argument when `allowed`
  // is empty or ideal_utc is special, and errc::out_of_range when no allowed
  // minute exists in the 31 days before ideal_utc inside the covered range.
  //
  // Example (given const Calendar& de, const TimeZone& new_york; Berlin service 09:00-18:00):
  //   auto allowed = ServiceWindow::make(boost::posix_time::hours(10), boost::posix_time::hours(20)).value();
  //   auto at = de.latest_contact_at_or_before(parse_instant("2025-03-12T02:00:00Z").value(), new_york, {allowed});
  //   // 2025-03-11T16:59:00Z: 17:59 in Berlin, 12:59 in New York
  result<Instant> latest_contact_at_or_before(Instant ideal_utc, const TimeZone& zone,
                                              const std::vector<ServiceWindow>& allowed) const;

  // Calendar::earliest_contact_at_or_after()
  //
  // The earliest instant t >= ideal_utc allowed as above: an update to the
  // customer that may come later but not earlier. Fails as
  // latest_contact_at_or_before(), searching the 31 days after ideal_utc.
  result<Instant> earliest_contact_at_or_after(Instant ideal_utc, const TimeZone& zone,
                                               const std::vector<ServiceWindow>& allowed) const;

  friend bool operator==(const Calendar& a, const Calendar& b) { return a.spec_ == b.spec_; }

 private:
  struct Index;
  Calendar(CalendarSpec spec, std::shared_ptr<const Index> index);
  result<Instant> contact_search(Instant ideal_utc, const TimeZone& zone, const std::vector<ServiceWindow>& allowed,
                                 bool backwards) const;

  CalendarSpec spec_;
  std::shared_ptr<const Index> index_;  // never null
};

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_CALENDAR_HPP
