// Time zones and the textual forms of instants, dates and durations.
#include <redress/time.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>

#include <date/tz.h>
#include <fmt/format.h>

namespace redress {
inline namespace v1 {
namespace {

const Instant kUnixEpoch(CivilDate(1970, 1, 1));

using SysUs = date::sys_time<std::chrono::microseconds>;

SysUs to_sys(Instant t) {
  if (t.is_special()) return SysUs{};
  return SysUs(std::chrono::microseconds((std::clamp(t, kMinInstant, kMaxInstant) - kUnixEpoch).total_microseconds()));
}

Instant from_sys(std::chrono::microseconds since_epoch) {
  return kUnixEpoch + boost::posix_time::microseconds(since_epoch.count());
}

Duration seconds_of(std::chrono::seconds s) { return boost::posix_time::seconds(static_cast<long>(s.count())); }

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// Parses "+HH:MM" / "-HH:MM" at `pos` to minutes east of UTC.
bool offset_at(std::string_view s, std::size_t pos, int& minutes) {
  if (s.size() != pos + 6 || (s[pos] != '+' && s[pos] != '-') || s[pos + 3] != ':') return false;
  int h = 0, m = 0;
  if (!digits(s, pos + 1, 2, h) || !digits(s, pos + 4, 2, m) || m > 59 || h * 60 + m > 14 * 60) return false;
  minutes = (s[pos] == '-' ? -1 : 1) * (h * 60 + m);
  return true;
}

std::string offset_name(int minutes) {
  int a = minutes < 0 ? -minutes : minutes;
  return fmt::format("{}{:02}:{:02}", minutes < 0 ? '-' : '+', a / 60, a % 60);
}

result<CivilDate> make_date(int y, int m, int d, std::string_view text) {
  if (y < 1400 || y > 9999 || m < 1 || m > 12 || d < 1 ||
      d > boost::gregorian::gregorian_calendar::end_of_month_day(static_cast<unsigned short>(y),
                                                                 static_cast<unsigned short>(m))) {
    return detail::fail(errc::invalid_argument, fmt::format("date \"{}\": no such day", text));
  }
  return CivilDate(static_cast<unsigned short>(y), static_cast<unsigned short>(m),
                   static_cast<unsigned short>(d));
}

}  // namespace

result<TimeZone> TimeZone::fixed(int offset_minutes) {
  if (offset_minutes < -14 * 60 || offset_minutes > 14 * 60) {
    return detail::fail(errc::unknown_time_zone,
                        fmt::format("time zone offset {} minutes is outside -14:00..+14:00", offset_minutes));
  }
  return TimeZone(offset_minutes == 0 ? std::string("UTC") : offset_name(offset_minutes), offset_minutes, nullptr);
}

result<TimeZone> TimeZone::named(std::string_view name) {
  if (name == "UTC" || name == "Z" || name == "Etc/UTC") return TimeZone(std::string(name), 0, nullptr);
  int minutes = 0;
  if (offset_at(name, 0, minutes) || (name.starts_with("UTC") && offset_at(name, 3, minutes))) {
    return fixed(minutes);
  }
  if (name.empty() || name.size() > 64 || name.find("..") != std::string_view::npos) {
    return detail::fail(errc::unknown_time_zone, fmt::format("time zone \"{}\": not a zone name", name));
  }
  // The only place the tz database is read. date/tz throws for an unknown
  // name or an unreadable file; get_info() forces the zone's own file to be
  // loaded here rather than on the first conversion.
  try {
    const date::time_zone* zone = date::locate_zone(name);
    (void)zone->get_info(date::sys_seconds{});
    return TimeZone(std::string(name), 0, zone);
  } catch (const std::exception& e) {
    return detail::fail(errc::unknown_time_zone,
                        fmt::format("time zone \"{}\": not a fixed offset and not in the tz database ({})", name,
                                    e.what()));
  } catch (...) {
    return detail::fail(errc::unknown_time_zone, fmt::format("time zone \"{}\": the tz database failed", name));
  }
}

Duration TimeZone::utc_offset(Instant at_utc) const {
  if (zone_ == nullptr) return boost::posix_time::minutes(offset_minutes_);
  return seconds_of(zone_->get_info(date::floor<std::chrono::seconds>(to_sys(at_utc))).offset);
}

Instant TimeZone::zoned_to_instant(CivilTime civil) const {
  // The offset before the change (first) resolves both a skipped reading
  // (moved forward by the gap) and a repeated one (the earlier instant).
  const auto local = date::local_time<std::chrono::microseconds>(to_sys(civil).time_since_epoch());
  const date::local_info info = zone_->get_info(date::floor<std::chrono::seconds>(local));
  return civil - seconds_of(info.first.offset);
}

std::vector<TimeZone::Transition> TimeZone::transitions(Instant from_utc, Instant to_utc) const {
  std::vector<Transition> out;
  if (zone_ == nullptr || !(from_utc < to_utc)) return out;
  const auto end = date::floor<std::chrono::seconds>(to_sys(to_utc));
  date::sys_info info = zone_->get_info(date::floor<std::chrono::seconds>(to_sys(from_utc)));
  while (info.end < end) {
    date::sys_info next = zone_->get_info(info.end);
    if (next.offset != info.offset) {
      out.push_back({from_sys(info.end.time_since_epoch()), seconds_of(info.offset), seconds_of(next.offset)});
    }
    if (next.end <= info.end) break;
    info = next;
  }
  return out;
}

result<CivilDate> parse_date(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !digits(text, 0, 4, y) || !digits(text, 5, 2, m) ||
      !digits(text, 8, 2, d)) {
    return detail::fail(errc::invalid_argument, fmt::format("date \"{}\": expected YYYY-MM-DD", text));
  }
  return make_date(y, m, d, text);
}

std::string format_date(CivilDate date) {
  if (date.is_special()) return "invalid-date";
  auto ymd = date.year_month_day();
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year), static_cast<int>(ymd.month),
                     static_cast<int>(ymd.day));
}

result<Instant> parse_instant(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return detail::fail(errc::invalid_argument, fmt::format("instant \"{}\": {}", text, why));
  };
  if (text.size() < 20 || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')) {
    return bad("expected YYYY-MM-DDTHH:MM:SS followed by Z or an offset");
  }
  auto date = parse_date(text.substr(0, 10));
  if (!date) return bad("no such calendar day");
  int h = 0, mi = 0, s = 0;
  if (!digits(text, 11, 2, h) || text[13] != ':' || !digits(text, 14, 2, mi) || text[16] != ':' ||
      !digits(text, 17, 2, s) || h > 23 || mi > 59 || s > 59) {
    return bad("time of day must be HH:MM:SS within 00:00:00..23:59:59");
  }
  std::size_t pos = 19;
  long long micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    std::size_t start = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    std::size_t n = pos - start;
    if (n == 0 || n > 9) return bad("fraction of a second must have 1 to 9 digits");
    for (std::size_t i = 0; i < 6; ++i) micros = micros * 10 + (i < n ? text[start + i] - '0' : 0);
  }
  int offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) {
    offset = 0;
  } else if (!offset_at(text, pos, offset)) {
    return bad("expected Z or an offset within -14:00..+14:00, like +08:00, after the time");
  }
  Instant civil(date.value(), boost::posix_time::hours(h) + boost::posix_time::minutes(mi) +
                          boost::posix_time::seconds(s) + boost::posix_time::microseconds(micros));
  // Compared as microseconds: a ptime beyond 9999 cannot even be formed.
  const long long us = (civil - kMinInstant).total_microseconds() - offset * 60'000'000LL;
  if (us < 0 || us > (kMaxInstant - kMinInstant).total_microseconds()) {
    return detail::fail(errc::out_of_range,
                        fmt::format("instant \"{}\": outside the supported range {}..{}", text,
                                    format_instant(kMinInstant), format_instant(kMaxInstant)));
  }
  return civil - boost::posix_time::minutes(offset);
}

std::string format_instant(Instant at_utc) {
  if (at_utc.is_special()) return "invalid-instant";
  if (at_utc < kMinInstant || at_utc > kMaxInstant) return "out-of-range-instant";
  auto tod = at_utc.time_of_day();
  auto frac = tod.fractional_seconds();
  std::string out = fmt::format("{}T{:02}:{:02}:{:02}", format_date(at_utc.date()), tod.hours(), tod.minutes(),
                                tod.seconds());
  if (frac != 0) out += fmt::format(".{:06}", frac);
  out += 'Z';
  return out;
}

result<Duration> parse_duration(std::string_view text) {
  auto bad = [&] {
    return detail::fail(errc::invalid_argument,
                        fmt::format("duration \"{}\": expected [-]HH:MM:SS or ISO 8601 PTnHnMnS", text));
  };
  std::string_view t = text;
  bool negative = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  long long h = 0, m = 0, s = 0;
  if (t.size() >= 2 && (t[0] == 'P' || t[0] == 'p') && (t[1] == 'T' || t[1] == 't')) {
    t.remove_prefix(2);
    if (t.empty()) return bad();
    char last = 0;
    while (!t.empty()) {
      long long v = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || p == t.data() + t.size() || v < 0 || v > 10'000'000) return bad();
      char unit = static_cast<char>(*p & ~0x20);  // upper-case
      if ((unit == 'H' && last == 0) || (unit == 'M' && last != 'M' && last != 'S') || (unit == 'S' && last != 'S')) {
        (unit == 'H' ? h : unit == 'M' ? m : s) = v;
        last = unit;
      } else {
        return bad();
      }
      t.remove_prefix(static_cast<std::size_t>(p - t.data()) + 1);
    }
  } else {
    auto c1 = t.find(':');
    auto c2 = c1 == std::string_view::npos ? c1 : t.find(':', c1 + 1);
    if (c2 == std::string_view::npos) return bad();
    auto num = [](std::string_view part, long long& v) {
      auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
      return ec == std::errc() && p == part.data() + part.size() && v >= 0;
    };
    if (!num(t.substr(0, c1), h) || !num(t.substr(c1 + 1, c2 - c1 - 1), m) || !num(t.substr(c2 + 1), s) ||
        m > 59 || s > 59 || h > 10'000'000) {
      return bad();
    }
  }
  Duration d = boost::posix_time::hours(h) + boost::posix_time::minutes(m) + boost::posix_time::seconds(s);
  return negative ? d.invert_sign() : d;
}

std::string format_duration(Duration d) {
  if (d.is_special()) return "invalid-duration";
  bool negative = d.is_negative();
  if (negative) d = d.invert_sign();
  // As fmt's "{:02}" would write each field: at least two digits.
  char buf[48];
  char* p = buf;
  char* const end = buf + sizeof buf;
  auto field = [&](long long v) {
    if (v >= 0 && v < 10) {
      *p++ = '0';
      *p++ = static_cast<char>('0' + v);
    } else {
      p = std::to_chars(p, end, v).ptr;
    }
  };
  if (negative) *p++ = '-';
  field(d.hours());
  *p++ = ':';
  field(d.minutes());
  *p++ = ':';
  field(d.seconds());
  return std::string(buf, p);
}

}  // namespace v1
}  // namespace redress
