// redress/time.hpp: instants, civil dates, durations and time zones.
//
// Time in redress is always explicit, following Abseil's model:
//   - an *instant* is a point on the UTC time line: `Instant`
//     (boost::posix_time::ptime, always UTC, never local);
//   - a *civil date* is a calendar day with no time zone: `CivilDate`
//     (boost::gregorian::date);
//   - a *civil time* is a wall-clock reading with no time zone: `CivilTime`
//     (boost::posix_time::ptime used as a local reading; never mixed with
//     Instant in one signature without a TimeZone beside it);
//   - a span of time is a `Duration` (boost::posix_time::time_duration).
// Converting between instants and civil times needs a `TimeZone`.
//
// The core never reads a clock: every operation that depends on "now" takes
// the instant as a parameter.
#ifndef REDRESS_TIME_HPP
#define REDRESS_TIME_HPP

#include <compare>
#include <string>
#include <string_view>
#include <vector>

#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <boost/date_time/posix_time/posix_time_types.hpp>

#include <redress/error.hpp>

namespace date {
class time_zone;  // <date/tz.h>; used only inside the library
}

namespace redress {
inline namespace v1 {

using Instant = boost::posix_time::ptime;         // UTC
using CivilTime = boost::posix_time::ptime;       // a wall-clock reading in some zone
using CivilDate = boost::gregorian::date;
using Duration = boost::posix_time::time_duration;

// TimeZone
//
// A time zone: the rule that maps instants to wall-clock readings and back.
// Two kinds share one type:
//   - fixed offsets: "UTC", "Z", "+08:00", "-05:30", "UTC+08:00" (never more
//     than 14:00 from UTC). Converting is one addition;
//   - IANA zones from the system's tz database (Debian's tzdata, read with
//     Howard Hinnant's date/tz): "Europe/Berlin", "America/New_York",
//     "Asia/Shanghai", "Australia/Lord_Howe", with their daylight saving and
//     their history.
//
// Wall-clock readings that do not exist (the hour skipped when clocks spring
// forward) or exist twice (the hour repeated when they fall back) are
// resolved by one rule, the one a service desk expects and the one RFC 5545
// and java.time use: the offset in force *before* the change applies.
//   - A skipped reading moves forward by the length of the gap: 02:30 on the
//     morning Berlin springs forward is 03:30 CEST. An appointment set for a
//     time that never came is kept as soon after as possible, never before.
//   - A repeated reading is the earlier of its two instants: 02:30 on the
//     morning Berlin falls back is 02:30 CEST (00:30Z), not CET. A deadline
//     read as the first time the clock shows it is never late.
//
// I/O: the tz database is read from /usr/share/zoneinfo by TimeZone::named(),
// once per process for the list of zones and once per zone for its rules,
// and by nothing else. A TimeZone value holds the loaded rules, so the
// conversions below, and everything the pure engine does with a zone it was
// given, read no file and never throw.
//
// Supported instants: those Boost.Date_Time represents, 1400-01-01 to
// 9999-12-31 (UTC). Debian's tz files list daylight-saving changes up to
// 2037; date/tz keeps the last listed offset after that, so a zone's rules
// are right only up to 2037 (Calendar refuses later dates for such zones).
//
// Example:
//   auto tz = redress::TimeZone::named("Europe/Berlin").value();
//   auto local = tz.to_civil(redress::parse_instant("2025-07-01T10:00:00Z").value());  // 2025-07-01 12:00 (CEST)
class TimeZone {
 public:
  // TimeZone::utc()
  //
  // Coordinated Universal Time.
  static TimeZone utc() noexcept { return TimeZone("UTC", 0, nullptr); }

  // TimeZone::fixed()
  //
  // A zone `offset_minutes` east of UTC, named like "+08:00".
  // Fails with errc::unknown_time_zone outside -14:00..+14:00.
  static result<TimeZone> fixed(int offset_minutes);

  // TimeZone::named()
  //
  // A fixed offset as listed above, or an IANA zone name. Reads the system's
  // tz database the first time (see the file comment). Fails with
  // errc::unknown_time_zone when the name is neither, or the database cannot
  // be read; the detail says which.
  static result<TimeZone> named(std::string_view name);

  // The name it was created with ("Asia/Shanghai", "+08:00", "UTC").
  const std::string& name() const noexcept { return name_; }

  // True for a fixed offset, false for a zone from the tz database.
  bool is_fixed() const noexcept { return zone_ == nullptr; }

  // The offset from UTC in force at `at_utc` (east positive). An instant
  // outside the supported range gives the offset at the nearest end.
  Duration utc_offset(Instant at_utc) const;

  // The wall-clock reading in this zone at instant `at_utc`.
  CivilTime to_civil(Instant at_utc) const {
    return zone_ == nullptr ? at_utc + boost::posix_time::minutes(offset_minutes_) : at_utc + utc_offset(at_utc);
  }

  // The instant at which this zone's clocks read `civil`, resolved by the
  // rule in the file comment when the reading is skipped or repeated.
  Instant to_instant(CivilTime civil) const {
    return zone_ == nullptr ? civil - boost::posix_time::minutes(offset_minutes_) : zoned_to_instant(civil);
  }

  // TimeZone::Transition
  //
  // A change of the zone's offset: at `at_utc` the offset goes from `before`
  // to `after`.
  struct Transition {
    Instant at_utc;
    Duration before;
    Duration after;
    friend bool operator==(const Transition&, const Transition&) = default;
  };

  // TimeZone::transitions()
  //
  // The offset changes at instants t with from_utc <= t < to_utc, in order.
  // Empty for a fixed offset. Changes of name or of the daylight-saving flag
  // that keep the offset are not listed.
  //
  // Example (given const redress::TimeZone& berlin):
  //   auto changes = berlin.transitions(redress::parse_instant("2025-01-01T00:00:00Z").value(),
  //                                     redress::parse_instant("2026-01-01T00:00:00Z").value());
  //   // {2025-03-30T01:00Z, +1h -> +2h}, {2025-10-26T01:00Z, +2h -> +1h}
  std::vector<Transition> transitions(Instant from_utc, Instant to_utc) const;

  friend bool operator==(const TimeZone& a, const TimeZone& b) noexcept {
    return a.name_ == b.name_ && a.offset_minutes_ == b.offset_minutes_ && a.zone_ == b.zone_;
  }

 private:
  TimeZone(std::string name, int offset_minutes, const date::time_zone* zone)
      : name_(std::move(name)), offset_minutes_(offset_minutes), zone_(zone) {}
  Instant zoned_to_instant(CivilTime civil) const;

  std::string name_;
  int offset_minutes_ = 0;                 // fixed offsets only
  const date::time_zone* zone_ = nullptr;  // tz database entry (lives as long as the process)
};

// The supported range of instants: every instant an operation accepts or
// returns lies in [kMinInstant, kMaxInstant]. parse_instant() refuses text
// outside it with errc::out_of_range.
inline const Instant kMinInstant{CivilDate(1400, 1, 1)};
inline const Instant kMaxInstant{CivilDate(9999, 12, 31), boost::posix_time::hours(24) - boost::posix_time::microseconds(1)};

// parse_instant()
//
// Parses an RFC 3339 instant: "2025-01-24T07:00:00Z" or with an offset,
// "2025-01-24T15:00:00+08:00" (fractional seconds allowed). The result is UTC.
// Fails with errc::invalid_argument naming the position, and with
// errc::out_of_range when the instant, once in UTC, is outside
// [kMinInstant, kMaxInstant] ("9999-12-31T23:59:59-14:00" is year 10000).
result<Instant> parse_instant(std::string_view text);

// format_instant()
//
// "2025-01-24T07:00:00Z" (whole seconds unless the instant has a fraction).
// Never throws: an instant outside the supported range is written
// "out-of-range-instant", a special one "invalid-instant".
std::string format_instant(Instant at_utc);

// parse_date() / format_date()
//
// ISO 8601 calendar dates, "2025-01-24".
result<CivilDate> parse_date(std::string_view text);
std::string format_date(CivilDate date);

// parse_duration() / format_duration()
//
// Durations as "HH:MM:SS" with optional sign ("-00:20:00") or "PT20M"-style
// ISO 8601 (hours, minutes, seconds only: a day is not always 24 hours).
result<Duration> parse_duration(std::string_view text);
std::string format_duration(Duration d);

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_TIME_HPP
