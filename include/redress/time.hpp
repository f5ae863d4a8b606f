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

#include <boost/date_time/gregorian/gregorian_types.hpp>
#include <boost/date_time/posix_time/posix_time_types.hpp>

#include <redress/error.hpp>

namespace redress {
inline namespace v1 {

using Instant = boost::posix_time::ptime;         // UTC
using CivilTime = boost::posix_time::ptime;       // a wall-clock reading in some zone
using CivilDate = boost::gregorian::date;
using Duration = boost::posix_time::time_duration;

// TimeZone
//
// A named time zone with a fixed offset from UTC. redress resolves:
//   - "UTC" and "Z";
//   - fixed offsets written "+08:00", "-05:30", "UTC+08:00";
//   - IANA names of zones that have not observed daylight saving since 2000:
//     Asia/Shanghai, Asia/Chongqing, Asia/Harbin, Asia/Urumqi (official China
//     time), Asia/Hong_Kong, Asia/Macau, Asia/Taipei, Asia/Singapore,
//     Asia/Kuala_Lumpur, Asia/Manila, Asia/Tokyo, Asia/Seoul, Asia/Kolkata,
//     Asia/Dubai, Asia/Bangkok, Asia/Jakarta, Asia/Ho_Chi_Minh.
// Zones with daylight saving (Europe/Berlin, America/New_York) are refused
// with errc::unknown_time_zone rather than answered wrongly twice a year.
//
// Invariant: -14:00 <= offset <= +14:00, a whole number of minutes.
//
// Example:
//   auto tz = redress::TimeZone::named("Asia/Shanghai").value();
//   tz.to_civil(from_iso("2025-01-24T07:00:00Z"))  // 2025-01-24 15:00
class TimeZone {
 public:
  // TimeZone::utc()
  //
  // Coordinated Universal Time.
  static TimeZone utc() noexcept { return TimeZone("UTC", 0); }

  // TimeZone::fixed()
  //
  // A zone `offset_minutes` east of UTC, named like "+08:00".
  // Fails with errc::unknown_time_zone outside -14:00..+14:00.
  static result<TimeZone> fixed(int offset_minutes);

  // TimeZone::named()
  //
  // Resolves a name as listed above. Fails with errc::unknown_time_zone.
  static result<TimeZone> named(std::string_view name);

  // The name it was created with ("Asia/Shanghai", "+08:00", "UTC").
  const std::string& name() const noexcept { return name_; }

  // Minutes east of UTC.
  int utc_offset_minutes() const noexcept { return offset_minutes_; }

  // The wall-clock reading in this zone at instant `at_utc`.
  CivilTime to_civil(Instant at_utc) const { return at_utc + boost::posix_time::minutes(offset_minutes_); }

  // The instant at which this zone's clocks read `civil`.
  Instant to_instant(CivilTime civil) const { return civil - boost::posix_time::minutes(offset_minutes_); }

  friend bool operator==(const TimeZone&, const TimeZone&) = default;

 private:
  TimeZone(std::string name, int offset_minutes) : name_(std::move(name)), offset_minutes_(offset_minutes) {}
  std::string name_;
  int offset_minutes_ = 0;
};

// parse_instant()
//
// Parses an RFC 3339 instant: "2025-01-24T07:00:00Z" or with an offset,
// "2025-01-24T15:00:00+08:00" (fractional seconds allowed). The result is UTC.
// Fails with errc::invalid_argument naming the position.
result<Instant> parse_instant(std::string_view text);

// format_instant()
//
// "2025-01-24T07:00:00Z" (whole seconds unless the instant has a fraction).
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
