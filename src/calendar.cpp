// Business calendars: validation, the rank/select tables that make every
// question O(1), and the JSON form.
//
// The tables cover [first_date, last_date]; date index i is first_date + i.
//   before[i]  the number of working days among indices [0, i), so
//              before[i + 1] - before[i] is 1 exactly when i is a working day;
//   select[r]  the index of the working day of rank r (0-based).
// Service time is a single number too: the working time elapsed from the
// start of the range to a local instant on day i at time-of-day t is
//   position = before[i] * per_day + (working(i) ? within_day(t) : 0),
// a non-decreasing function that is flat while service is closed. Adding
// working time is position arithmetic followed by the inverse: a division by
// per_day gives the working day's rank and the remainder its time of day.
#include <redress/calendar.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/detail/json_read.hpp>

namespace redress {
inline namespace v1 {
namespace {

constexpr std::int64_t kMinuteUs = 60'000'000;
__extension__ typedef unsigned __int128 UInt128;  // g++ and clang; __extension__ keeps -Wpedantic quiet
constexpr std::int64_t kDayUs = 24 * 60 * kMinuteUs;
constexpr std::array<std::string_view, 7> kDayNames{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

const Instant kEpoch(CivilDate(1970, 1, 1));
const std::int64_t kEpochDayNumber = CivilDate(1970, 1, 1).day_number();

// Instants as microseconds since the epoch, straight from Boost's own count.
// `at - kEpoch` and `kEpoch + microseconds(us)` check both operands for
// special values and go through a time_duration on every call; the
// questions below are asked per event, so they convert with one addition.
// A ptime counts ticks (microseconds, asserted) since the start of the day
// numbered 0, the special values being the ends of the count; callers
// refuse special instants before converting. The count is a protected
// member: a pointer to it, formed through a derived class, reads it from
// any Instant.
static_assert(Duration::ticks_per_second() == 1'000'000, "Instant and Duration count microseconds");
struct InstantCount : Instant {
  static std::int64_t of(const Instant& at) { return (at.*&InstantCount::time_).time_count(); }
};
static_assert(CivilDate(1970, 1, 1).day_number() == 2440588);
constexpr std::int64_t kEpochCount = std::int64_t{2440588} * kDayUs;  // the count at 1970-01-01T00:00Z

std::int64_t micros_of(Instant at) { return InstantCount::of(at) - kEpochCount; }
Instant instant_of_micros(std::int64_t us) { return Instant(Instant::time_rep_type(us + kEpochCount)); }

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// "09:00", "24:00", "-01:00", or "09:00:30" when not a whole minute.
std::string time_of_day_text(Duration d) {
  if (d.is_special()) return "(not a time)";
  if (d.total_microseconds() % kMinuteUs != 0) return format_duration(d);
  std::int64_t m = d.total_microseconds() / kMinuteUs;
  std::int64_t a = m < 0 ? -m : m;
  return fmt::format("{}{:02}:{:02}", m < 0 ? "-" : "", a / 60, a % 60);
}

std::string window_text(const ServiceWindow& w) {
  return fmt::format("{}-{}", time_of_day_text(w.opens()), time_of_day_text(w.closes()));
}

// Why opens..closes is not a service window, or "" when it is one.
std::string window_problem(Duration opens, Duration closes) {
  for (auto [name, d] : {std::pair{"opens", opens}, std::pair{"closes", closes}}) {
    if (d.is_special()) return fmt::format("{} is not a time of day", name);
    if (d.is_negative() || d > boost::posix_time::hours(24)) {
      return fmt::format("{} {} is outside 00:00-24:00", name, time_of_day_text(d));
    }
    if (d.total_microseconds() % kMinuteUs != 0) {
      return fmt::format("{} {} is not a whole minute", name, time_of_day_text(d));
    }
  }
  if (closes <= opens) {
    return fmt::format("closes {} is not after opens {}", time_of_day_text(closes), time_of_day_text(opens));
  }
  return {};
}

// Fails again with the same code, the detail prefixed by `path`.
std::error_code refail(std::error_code ec, std::string_view path) {
  return detail::fail(static_cast<errc>(ec.value()), fmt::format("{}: {}", path, last_error_detail()));
}

std::error_code fail_out_of_range(std::string_view what, const CalendarSpec& spec) {
  return detail::fail(errc::out_of_range, fmt::format("{} is outside the calendar's covered range {}..{}", what,
                                                      format_date(spec.first_date), format_date(spec.last_date)));
}

// out_of_range for an instant whose local date, `day` days after 1970-01-01,
// is outside the covered range. Near the ends of Boost's range that date may
// not be representable.
std::error_code instant_out_of_range(Instant at, std::int64_t day, const CalendarSpec& spec, std::string_view field) {
  const std::int64_t number = day + kEpochDayNumber;
  std::string local_date = number < CivilDate(boost::date_time::min_date_time).day_number() ? "before 1400"
                           : number > CivilDate(boost::date_time::max_date_time).day_number()
                               ? "after 9999"
                               : format_date(CivilDate(static_cast<CivilDate::date_int_type>(number)));
  return fail_out_of_range(fmt::format("{}: {} (local date {})", field, format_instant(at), local_date), spec);
}

// out_of_range for add_working_time; out of line, so that the formatting
// does not weigh on the function's common path.
[[gnu::noinline]] std::error_code working_time_out_of_range(Instant from, Duration working_time,
                                                            const CalendarSpec& spec, std::string_view why) {
  return fail_out_of_range(fmt::format("working_time: {} of service time from {}{}", format_duration(working_time),
                                       format_instant(from), why),
                           spec);
}

}  // namespace

// ---------------------------------------------------------------------------
// ServiceWindow

result<ServiceWindow> ServiceWindow::make(Duration opens, Duration closes) {
  if (auto why = window_problem(opens, closes); !why.empty()) {
    return detail::fail(errc::invalid_calendar, fmt::format("service window: {}", why));
  }
  return ServiceWindow(static_cast<int>(opens.total_microseconds() / kMinuteUs),
                       static_cast<int>(closes.total_microseconds() / kMinuteUs));
}

// ---------------------------------------------------------------------------
// The tables

struct Calendar::Index {
  struct Local {
    std::int32_t day;          // index into the covered range
    std::int64_t time_of_day;  // microseconds since local midnight
    std::int64_t utc;          // the instant, microseconds since 1970-01-01T00:00Z
  };

  // A change of the zone's offset: at `utc` it goes from the offset before
  // (the previous shift's `after`, or `offset`) to `after`. Wall-clock
  // readings before `local` use the offset before, so a repeated reading
  // takes the earlier instant; skipped ones are the change (utc_of_local).
  struct Shift {
    std::int64_t utc;
    std::int64_t local;  // utc + max(offset before, offset after)
    std::int64_t after;
  };

  std::int64_t first_day = 0;  // first_date as days since 1970-01-01
  std::int32_t days = 0;       // number of covered dates
  std::vector<std::int32_t> before;
  std::vector<std::int32_t> select;
  // A service window, microseconds since midnight, with the working time
  // of a day before it opens and by the time it closes; one struct per
  // window so that a loop over them reads one array.
  struct Window {
    std::int64_t opens;
    std::int64_t closes;
    std::int64_t preceding;
    std::int64_t through;  // preceding + closes - opens
  };
  std::vector<Window> windows;          // in order, at least one
  std::int64_t per_day = 0;             // working time of one working day
  std::int64_t total = 0;               // working time in the covered range
  std::uint32_t per_day_minutes = 0;    // the same in minutes (windows are whole minutes)
  std::uint64_t per_day_reciprocal = 0; // ceil(2^63 / per_day_minutes), for whole_days
  std::int64_t offset = 0;              // the zone's offset from UTC (before the first shift)
  std::vector<Shift> shifts;            // offset changes around the covered range; empty for a fixed zone
  // Working days on which a shift falls inside a service window, so the
  // day's working time in real time is not per_day; and, when there are any,
  // extra[i]: the sum of (real - per_day) over those days before index i.
  std::vector<std::int32_t> irregular;
  std::vector<std::int64_t> extra;
  // Whether the covered range comes within two days of the supported
  // instants' ends, so that an answer may fall outside them.
  bool near_limits = false;
  // The supported instants, kMinInstant..kMaxInstant, in microseconds since the epoch.
  std::int64_t min_utc = micros_of(kMinInstant);
  std::int64_t max_utc = micros_of(kMaxInstant);

  bool working(std::int32_t i) const { return before[i + 1] != before[i]; }

  // position / per_day for 0 <= position <= the range's total working time.
  // The quotient of whole minutes is the same; it is taken as a
  // multiplication by per_day_reciprocal, ceil(2^63 / per_day_minutes),
  // keeping the high bits: the division it replaces is the slowest step of
  // add_working_time. Exact: with m * d = 2^63 + e, 0 <= e < d <= 1440,
  // n * m / 2^63 exceeds n / d by n * e / (d * 2^63), less than 1 / d for
  // any n < 2^32 (the range holds at most 2^28 working minutes).
  std::int64_t whole_days(std::int64_t position) const {
    const std::uint64_t n = static_cast<std::uint32_t>(position / kMinuteUs);
    return static_cast<std::int64_t>(static_cast<UInt128>(n) * per_day_reciprocal >> 63);
  }
  std::int32_t working_days() const { return before[days]; }

  CivilDate date_at(std::int64_t i) const {
    return CivilDate(static_cast<CivilDate::date_int_type>(kEpochDayNumber + first_day + i));
  }

  // Binary searches over the shifts, for the days the tables below mark.
  [[gnu::noinline]] std::int64_t search_utc(std::int64_t utc) const {
    auto it = std::upper_bound(shifts.begin(), shifts.end(), utc,
                               [](std::int64_t v, const Shift& s) { return v < s.utc; });
    return it == shifts.begin() ? offset : std::prev(it)->after;
  }
  std::int64_t search_local(std::int64_t local) const {
    auto it = std::upper_bound(shifts.begin(), shifts.end(), local,
                               [](std::int64_t v, const Shift& s) { return v < s.local; });
    return it == shifts.begin() ? offset : std::prev(it)->after;
  }

  // With shifts, one load answers most lookups: the offset (in minutes)
  // that holds throughout a span of time, or kSearch on the few spans a
  // shift falls in. By UTC, the spans are 2^36 us (19.1 hours) from the
  // start of first_day - 1, so that a shift replaces a division; by local
  // time, they are the covered days.
  static constexpr std::int16_t kSearch = INT16_MIN;
  static constexpr int kUtcSpanBits = 36;
  std::int64_t utc_base = 0;
  std::vector<std::int16_t> utc_span_offset;   // minutes (offsets here are whole minutes)
  std::vector<std::int16_t> local_day_offset;

  std::int64_t offset_at_utc(std::int64_t utc) const {
    if (shifts.empty()) return offset;
    // Before utc_base the difference wraps to a span far past the table.
    const std::uint64_t u = static_cast<std::uint64_t>(utc - utc_base) >> kUtcSpanBits;
    if (u < utc_span_offset.size() && utc_span_offset[u] != kSearch) {
      return std::int64_t{utc_span_offset[u]} * kMinuteUs;
    }
    return search_utc(utc);
  }

  // The instant (microseconds since the epoch) at which day i reads time_of_day.
  std::int64_t utc_at(std::int64_t i, std::int64_t time_of_day) const {
    const std::int64_t local = (first_day + i) * kDayUs + time_of_day;
    if (shifts.empty()) return local - offset;
    if (local_day_offset[i] != kSearch) return local - std::int64_t{local_day_offset[i]} * kMinuteUs;
    return utc_of_local(local);
  }

  // The first instant at which the wall clock reads `local` or later: a
  // skipped reading is the change itself (the clock passes it then), a
  // repeated one its earlier instant. This is what is_open() sees, so a
  // service window that opens or closes inside a skipped hour does so when
  // the clock jumps past its edge.
  [[gnu::noinline]] std::int64_t utc_of_local(std::int64_t local) const {
    auto it = std::upper_bound(shifts.begin(), shifts.end(), local,
                               [](std::int64_t v, const Shift& s) { return v < s.local; });
    const std::int64_t before = it == shifts.begin() ? offset : std::prev(it)->after;
    if (it != shifts.end() && it->after > before && local >= it->utc + before) return it->utc;
    return local - before;
  }

  // The instant at day i, time_of_day, or out_of_range when it lies beyond
  // the supported instants (a calendar ending 9999-12-31 west of UTC).
  result<Instant> checked_instant_at(std::int64_t i, std::int64_t time_of_day, const CalendarSpec& spec,
                                     std::string_view field) const {
    const std::int64_t utc = utc_at(i, time_of_day);
    if (utc < min_utc || utc > max_utc) [[unlikely]] {
      return fail_out_of_range(fmt::format("{}: the answer, {} at {}, is beyond the supported instants", field,
                                           format_date(date_at(i)), time_of_day_text(boost::posix_time::microseconds(time_of_day))),
                               spec);
    }
    return instant_of_micros(utc);
  }

  // Only a day with a shift in it (marked in local_day_offset) can be irregular.
  bool is_irregular(std::int32_t i) const {
    return !irregular.empty() && local_day_offset[i] == kSearch && listed_irregular(i);
  }
  [[gnu::noinline]] bool listed_irregular(std::int32_t i) const {
    return std::binary_search(irregular.begin(), irregular.end(), i);
  }

  // Window k of day i in real time: [start, start + length).
  std::pair<std::int64_t, std::int64_t> real_window(std::int32_t i, std::size_t k) const {
    const std::int64_t start = utc_at(i, windows[k].opens);
    return {start, std::max<std::int64_t>(0, utc_at(i, windows[k].closes) - start)};
  }

  std::int64_t real_length(std::int32_t i) const {
    std::int64_t sum = 0;
    for (std::size_t k = 0; k < windows.size(); ++k) sum += real_window(i, k).second;
    return sum;
  }

  // Service time elapsed on a working day by `time_of_day`.
  std::int64_t within_day(std::int64_t time_of_day) const {
    std::int64_t sum = 0;
    for (const Window& w : windows) sum += std::clamp(time_of_day - w.opens, std::int64_t{0}, w.through - w.preceding);
    return sum;
  }

  // The same on an irregular day, in real time up to the instant `utc`.
  [[gnu::noinline]] std::int64_t within_irregular_day(std::int32_t i, std::int64_t utc) const {
    std::int64_t sum = 0;
    for (std::size_t k = 0; k < windows.size(); ++k) {
      auto [start, length] = real_window(i, k);
      sum += std::clamp(utc - start, std::int64_t{0}, length);
    }
    return sum;
  }

  // The instant on irregular day i at which `elapsed` has elapsed: the
  // earliest such (elapsed in 1..real_length) or the latest (0..real_length-1).
  [[gnu::noinline]] std::int64_t irregular_instant(std::int32_t i, std::int64_t elapsed, bool earliest_one) const {
    std::int64_t sum = 0;
    for (std::size_t k = 0; k < windows.size(); ++k) {
      auto [start, length] = real_window(i, k);
      if (earliest_one ? sum + length >= elapsed : sum + length > elapsed) return start + elapsed - sum;
      sum += length;
    }
    return utc_at(i, windows.back().closes);
  }

  // The earliest time of day by which `elapsed` (1..per_day) has elapsed.
  // The window is the number of windows closed before it (`through` rises
  // with k); counting them all, rather than stopping at the first that is
  // not, gives a loop of fixed length the processor predicts.
  std::int64_t earliest(std::int64_t elapsed) const {
    std::size_t k = 0;
    for (const Window& w : windows) k += w.through < elapsed ? 1 : 0;
    return windows[k].opens + elapsed - windows[k].preceding;
  }

  // The latest time of day at which exactly `elapsed` (0..per_day-1) has elapsed.
  std::int64_t latest(std::int64_t elapsed) const {
    std::size_t k = 0;
    for (const Window& w : windows) k += w.through <= elapsed ? 1 : 0;
    return windows[k].opens + elapsed - windows[k].preceding;
  }

  // Working time from the start of the range to the start of working day
  // of rank r.
  std::int64_t start_of_rank(std::int64_t r) const {
    return r * per_day + (extra.empty() ? 0 : extra[select[r]]);
  }

  // Without irregular days (extra empty) the time within the day is worked
  // out whether or not the day is a working day and then kept or not: a
  // select, where a branch on the day would be mispredicted often.
  std::int64_t position(Local at) const {
    if (!extra.empty()) [[unlikely]] return position_with_extra(at);
    const std::int64_t within = within_day(at.time_of_day);
    return before[at.day] * per_day + (working(at.day) ? within : 0);
  }

  [[gnu::noinline]] std::int64_t position_with_extra(Local at) const {
    const std::int64_t p = before[at.day] * per_day + extra[at.day];
    if (!working(at.day)) return p;
    return p + (is_irregular(at.day) ? within_irregular_day(at.day, at.utc) : within_day(at.time_of_day));
  }

  // The instant (microseconds since the epoch) at which working time
  // `target` has elapsed: the earliest such (target >= 1) or the latest
  // (target < total).
  std::int64_t utc_of_position(std::int64_t target, bool earliest_one) const {
    if (!extra.empty()) [[unlikely]] return utc_of_position_with_extra(target, earliest_one);
    if (earliest_one) {
      std::int64_t rank = whole_days(target - 1);
      return utc_at(select[rank], earliest(target - rank * per_day));
    }
    std::int64_t rank = whole_days(target);
    return utc_at(select[rank], latest(target - rank * per_day));
  }

  // The same when some days are longer or shorter (a service window holds a
  // change of clocks). Working days start at start_of_rank(r), which is
  // r * per_day off by the sum of those differences so far: a few hours at
  // most, so the rank of target / per_day is within a step or two of the
  // answer, the last rank whose day starts before (earliest) or at (latest)
  // target. Ranks start in non-decreasing order (a day whose windows all
  // fall in a skipped hour has no working time), so stepping finds the
  // rank a binary search would.
  [[gnu::noinline]] std::int64_t utc_of_position_with_extra(std::int64_t target, bool earliest_one) const {
    auto starts_in_time = [&](std::int64_t r) {
      return earliest_one ? start_of_rank(r) < target : start_of_rank(r) <= target;
    };
    std::int64_t rank = std::min<std::int64_t>(whole_days(std::max<std::int64_t>(target, 0)), working_days() - 1);
    while (rank > 0 && !starts_in_time(rank)) --rank;
    while (rank + 1 < working_days() && starts_in_time(rank + 1)) ++rank;
    const std::int32_t day = select[rank];
    const std::int64_t elapsed = target - start_of_rank(rank);
    if (is_irregular(day)) return irregular_instant(day, elapsed, earliest_one);
    return utc_at(day, earliest_one ? earliest(elapsed) : latest(elapsed));
  }

  // The zone's offsets over the covered range: the offset before it, the
  // shifts inside it (two days of margin each side), the working days a
  // shift makes longer or shorter, and the prefix of those differences.
  // Called once by Calendar::make, after the day tables and windows.
  result<void> load_zone(const CalendarSpec& spec) {
    const TimeZone& zone = spec.time_zone;
    if (zone.is_fixed()) {
      offset = zone.utc_offset(kEpoch).total_microseconds();
      return boost::outcome_v2::success();
    }
    const CivilDate last_listed(2037, 12, 31);
    if (spec.last_date > last_listed &&
        !zone.transitions(Instant(CivilDate(2037, 1, 1)), Instant(CivilDate(2038, 1, 1))).empty()) {
      return detail::fail(errc::invalid_calendar,
                          fmt::format("last_date: {} is after 2037, and {} changes its offset every year; the "
                                      "system's tz files list those changes only up to 2037",
                                      format_date(spec.last_date), zone.name()));
    }
    auto clamp = [](std::int64_t day) {
      return std::clamp(kEpoch + boost::posix_time::microseconds(day * kDayUs), kMinInstant, kMaxInstant);
    };
    const Instant from = clamp(first_day - 2), to = clamp(first_day + days + 2);
    offset = zone.utc_offset(from).total_microseconds();
    for (const auto& t : zone.transitions(from, to)) {
      const std::int64_t utc = (t.at_utc - kEpoch).total_microseconds();
      const std::int64_t before_us = t.before.total_microseconds(), after_us = t.after.total_microseconds();
      shifts.push_back({utc, utc + std::max(before_us, after_us), after_us});
    }
    // Spans [start, start + length) with no shift strictly inside hold one
    // offset (by UTC: no shift instant; by local time: no local key).
    auto fill = [&](std::vector<std::int16_t>& table, std::int64_t base, std::int64_t length, std::int64_t count,
                    bool local) {
      table.resize(static_cast<std::size_t>(count));
      for (std::int64_t d = 0; d < count; ++d) {
        const std::int64_t start = base + d * length;
        // The first shift after `start`, by the key of this table (sorted either way).
        auto next = std::upper_bound(shifts.begin(), shifts.end(), start, [local](std::int64_t v, const Shift& sh) {
          return v < (local ? sh.local : sh.utc);
        });
        const bool inside = next != shifts.end() && (local ? next->local : next->utc) < start + length;
        // An offset that is not a whole number of minutes (local mean time,
        // before 1900) is left to the search as well.
        const std::int64_t offset_us = local ? search_local(start) : search_utc(start);
        table[d] = inside || offset_us % kMinuteUs != 0 ? kSearch : static_cast<std::int16_t>(offset_us / kMinuteUs);
      }
    };
    utc_base = (first_day - 1) * kDayUs;
    fill(utc_span_offset, utc_base, std::int64_t{1} << kUtcSpanBits,
         ((std::int64_t{days} + 2) * kDayUs >> kUtcSpanBits) + 1, false);
    fill(local_day_offset, first_day * kDayUs, kDayUs, days, true);
    // The working days on which a shift changes a service window's length.
    for (std::int32_t i = 0; i < days; ++i) {
      if (local_day_offset[i] != kSearch || !working(i)) continue;
      for (std::size_t k = 0; k < windows.size(); ++k) {
        if (real_window(i, k).second != windows[k].closes - windows[k].opens) {
          irregular.push_back(i);
          break;
        }
      }
    }
    std::sort(irregular.begin(), irregular.end());
    irregular.erase(std::unique(irregular.begin(), irregular.end()), irregular.end());
    if (!irregular.empty()) {
      extra.assign(static_cast<std::size_t>(days) + 1, 0);
      for (std::int32_t i = 0; i < days; ++i) {
        extra[i + 1] = extra[i] + (is_irregular(i) ? real_length(i) - per_day : 0);
      }
    }
    return boost::outcome_v2::success();
  }

  // The index of `date`, or out_of_range naming `field`.
  result<std::int32_t> index_of(CivilDate date, const CalendarSpec& spec, std::string_view field) const {
    std::int32_t i = 0;
    if (!find_index(date, i)) [[unlikely]] return index_error(date, spec, field);
    return i;
  }

  // The same as a flag, for the hot paths: an error is built only once it
  // is known there is one (a result<> that may hold one costs more to pass
  // back than the few instructions of the answer).
  bool find_index(CivilDate date, std::int32_t& i) const {
    if (date.is_special()) return false;
    const std::int64_t k = static_cast<std::int64_t>(date.day_number()) - kEpochDayNumber - first_day;
    if (k < 0 || k >= days) return false;
    i = static_cast<std::int32_t>(k);
    return true;
  }

  [[gnu::noinline]] std::error_code index_error(CivilDate date, const CalendarSpec& spec, std::string_view field) const {
    if (date.is_special()) return detail::fail(errc::invalid_argument, fmt::format("{}: not a date", field));
    return fail_out_of_range(fmt::format("{}: {}", field, format_date(date)), spec);
  }

  // The local date index and time of day of `at`, or out_of_range naming `field`.
  result<Local> locate(Instant at, const CalendarSpec& spec, std::string_view field) const {
    Local local{};
    if (!find_local(at, local)) [[unlikely]] return locate_error(at, spec, field);
    return local;
  }

  // The same as a flag. Local time is counted from the start of the covered
  // range, so that one unsigned comparison checks both ends and the day is
  // an unsigned division by a constant (a multiplication).
  bool find_local(Instant at, Local& out) const {
    if (at.is_special()) return false;
    const std::int64_t utc = micros_of(at);
    const std::uint64_t since_first = static_cast<std::uint64_t>(utc + offset_at_utc(utc) - first_day * kDayUs);
    if (since_first >= static_cast<std::uint64_t>(days) * kDayUs) return false;
    const std::uint64_t i = since_first / kDayUs;
    out = Local{static_cast<std::int32_t>(i), static_cast<std::int64_t>(since_first - i * kDayUs), utc};
    return true;
  }

  [[gnu::noinline]] std::error_code locate_error(Instant at, const CalendarSpec& spec, std::string_view field) const {
    if (at.is_special()) return detail::fail(errc::invalid_argument, fmt::format("{}: not an instant", field));
    const std::int64_t utc = micros_of(at);
    return instant_out_of_range(at, floor_div(utc + offset_at_utc(utc), kDayUs), spec, field);
  }
};

// ---------------------------------------------------------------------------
// Construction

Calendar::Calendar(CalendarSpec spec, std::shared_ptr<const Index> index)
    : spec_(std::move(spec)), index_(std::move(index)) {}

result<Calendar> Calendar::make(CalendarSpec spec) {
  auto invalid = [](std::string message) { return detail::fail(errc::invalid_calendar, std::move(message)); };
  if (spec.weekmask.empty()) return invalid("weekmask: no day of the week is a working day");
  if (spec.service_hours.empty()) return invalid("service_hours: no service window");
  std::sort(spec.service_hours.begin(), spec.service_hours.end());
  for (std::size_t k = 1; k < spec.service_hours.size(); ++k) {
    if (spec.service_hours[k].opens() < spec.service_hours[k - 1].closes()) {
      return invalid(fmt::format("service_hours: {} overlaps {}", window_text(spec.service_hours[k]),
                                 window_text(spec.service_hours[k - 1])));
    }
  }
  if (spec.first_date.is_special()) return invalid("first_date: not a date");
  if (spec.last_date.is_special()) return invalid("last_date: not a date");
  if (spec.last_date < spec.first_date) {
    return invalid(fmt::format("last_date: {} is before first_date {}", format_date(spec.last_date),
                               format_date(spec.first_date)));
  }
  const std::int64_t days = (spec.last_date - spec.first_date).days() + 1;
  if (days > kMaxCoveredDays) {
    return invalid(fmt::format("last_date: the covered range spans {} days, more than the {} allowed (400 years)",
                               days, kMaxCoveredDays));
  }
  for (auto [field, dates] : {std::pair{"holidays", &spec.holidays},
                              std::pair{"extra_working_days", &spec.extra_working_days}}) {
    for (std::size_t k = 0; k < dates->size(); ++k) {
      CivilDate d = (*dates)[k];
      if (d.is_special()) return invalid(fmt::format("{}[{}]: not a date", field, k));
      if (d < spec.first_date || d > spec.last_date) {
        return invalid(fmt::format("{}[{}]: {} is outside the covered range {}..{}", field, k, format_date(d),
                                   format_date(spec.first_date), format_date(spec.last_date)));
      }
    }
    std::vector<CivilDate> sorted = *dates;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    *dates = std::move(sorted);
  }
  for (std::size_t k = 0; k < spec.holidays.size(); ++k) {
    if (std::binary_search(spec.extra_working_days.begin(), spec.extra_working_days.end(), spec.holidays[k])) {
      return invalid(fmt::format("holidays: {} is also an extra working day", format_date(spec.holidays[k])));
    }
  }

  if (!spec.provisional_from.is_special() &&
      (spec.provisional_from < spec.first_date || spec.provisional_from > spec.last_date)) {
    return invalid(fmt::format("provisional_from: {} is outside the covered range {}..{}",
                               format_date(spec.provisional_from), format_date(spec.first_date),
                               format_date(spec.last_date)));
  }

  auto ix = std::make_shared<Index>();
  ix->first_day = static_cast<std::int64_t>(spec.first_date.day_number()) - kEpochDayNumber;
  ix->days = static_cast<std::int32_t>(days);
  // One pass over the range, merging the sorted holidays and extra working days.
  ix->before.assign(static_cast<std::size_t>(days) + 1, 0);
  auto holiday = spec.holidays.begin();
  auto extra = spec.extra_working_days.begin();
  const unsigned first_weekday = spec.first_date.day_of_week().as_number();
  for (std::int32_t i = 0; i < ix->days; ++i) {
    const CivilDate d = ix->date_at(i);
    bool working = spec.weekmask.works_on(static_cast<boost::date_time::weekdays>((first_weekday + i) % 7));
    if (holiday != spec.holidays.end() && *holiday == d) {
      working = false;
      ++holiday;
    }
    if (extra != spec.extra_working_days.end() && *extra == d) {
      working = true;
      ++extra;
    }
    ix->before[i + 1] = ix->before[i] + (working ? 1 : 0);
    if (working) ix->select.push_back(i);
  }
  for (const auto& w : spec.service_hours) {
    const std::int64_t preceding = ix->per_day;
    ix->per_day += w.length().total_microseconds();
    ix->windows.push_back({w.opens().total_microseconds(), w.closes().total_microseconds(), preceding, ix->per_day});
  }
  ix->per_day_minutes = static_cast<std::uint32_t>(ix->per_day / kMinuteUs);
  ix->per_day_reciprocal = ((std::uint64_t{1} << 63) - 1) / ix->per_day_minutes + 1;
  ix->near_limits = spec.first_date < CivilDate(1400, 1, 3) || spec.last_date > CivilDate(9999, 12, 29);
  BOOST_OUTCOME_TRY(ix->load_zone(spec));
  ix->total = std::int64_t{ix->working_days()} * ix->per_day + (ix->extra.empty() ? 0 : ix->extra.back());
  return Calendar(std::move(spec), std::move(ix));
}

// ---------------------------------------------------------------------------
// Days

Duration Calendar::working_time_per_day() const { return boost::posix_time::microseconds(index_->per_day); }

result<bool> Calendar::is_working_day(CivilDate date) const {
  BOOST_OUTCOME_TRY(auto i, index_->index_of(date, spec_, "date"));
  return index_->working(i);
}

result<DayKind> Calendar::day_kind(CivilDate date) const {
  BOOST_OUTCOME_TRY(index_->index_of(date, spec_, "date"));
  auto listed = [&](const std::vector<CivilDate>& dates) {
    return std::binary_search(dates.begin(), dates.end(), date);
  };
  if (listed(spec_.holidays)) return DayKind::holiday;
  bool by_weekmask = spec_.weekmask.works_on(static_cast<boost::date_time::weekdays>(date.day_of_week().as_number()));
  if (by_weekmask) return DayKind::regular_working_day;
  return listed(spec_.extra_working_days) ? DayKind::extra_working_day : DayKind::weekly_rest_day;
}

result<CivilDate> Calendar::add_working_days(CivilDate date, int n) const {
  const Index& ix = *index_;
  std::int32_t i = 0;
  if (!ix.find_index(date, i)) [[unlikely]] return ix.index_error(date, spec_, "date");
  std::int64_t rank = n > 0 ? std::int64_t{ix.before[i + 1]} + n - 1 : std::int64_t{ix.before[i]} + n;
  if (rank < 0 || rank >= ix.working_days()) {
    return fail_out_of_range(fmt::format("n: {} working days from {}", n, format_date(date)), spec_);
  }
  return ix.date_at(ix.select[rank]);
}

result<int> Calendar::working_days_between(CivilDate from, CivilDate to) const {
  BOOST_OUTCOME_TRY(auto i, index_->index_of(from, spec_, "from"));
  BOOST_OUTCOME_TRY(auto j, index_->index_of(to, spec_, "to"));
  return index_->before[j + 1] - index_->before[i + 1];
}

// ---------------------------------------------------------------------------
// Service time

result<bool> Calendar::is_open(Instant at_utc) const {
  const Index& ix = *index_;
  BOOST_OUTCOME_TRY(auto at, ix.locate(at_utc, spec_, "at_utc"));
  if (!ix.working(at.day)) return false;
  for (std::size_t k = 0; k < ix.windows.size(); ++k) {
    if (ix.windows[k].opens <= at.time_of_day && at.time_of_day < ix.windows[k].closes) return true;
  }
  return false;
}

result<Instant> Calendar::next_opening(Instant at_utc) const {
  const Index& ix = *index_;
  BOOST_OUTCOME_TRY(auto at, ix.locate(at_utc, spec_, "at_utc"));
  if (ix.working(at.day)) {
    for (std::size_t k = 0; k < ix.windows.size(); ++k) {
      if (at.time_of_day < ix.windows[k].closes) {
        return at.time_of_day >= ix.windows[k].opens ? at_utc : ix.checked_instant_at(at.day, ix.windows[k].opens, spec_, "at_utc");
      }
    }
  }
  std::int32_t rank = ix.before[at.day + 1];
  if (rank >= ix.working_days()) {
    return fail_out_of_range(fmt::format("at_utc: the next opening after {}", format_instant(at_utc)), spec_);
  }
  return ix.checked_instant_at(ix.select[rank], ix.windows.front().opens, spec_, "at_utc");
}

result<Instant> Calendar::add_working_time(Instant from_utc, Duration working_time) const {
  const Index& ix = *index_;
  if (working_time.is_special()) {
    return detail::fail(errc::invalid_argument, "working_time: not a duration");
  }
  const std::int64_t amount = working_time.ticks();  // microseconds, as asserted above
  if (amount == 0) return next_opening(from_utc);
  Index::Local at{};
  if (!ix.find_local(from_utc, at)) [[unlikely]] return ix.locate_error(from_utc, spec_, "from_utc");
  const std::int64_t position = ix.position(at);
  if (amount > 0 ? amount > ix.total - position : -amount > position) [[unlikely]] {
    return working_time_out_of_range(from_utc, working_time, spec_, "");
  }
  // A positive amount lands on the earliest instant at which the target has
  // elapsed, a negative one on the latest.
  const std::int64_t answer = ix.utc_of_position(position + amount, amount > 0);
  if (ix.near_limits && (answer < ix.min_utc || answer > ix.max_utc)) [[unlikely]] {
    return working_time_out_of_range(from_utc, working_time, spec_, " is beyond the supported instants");
  }
  return instant_of_micros(answer);
}

result<Duration> Calendar::working_time_between(Instant from_utc, Instant to_utc) const {
  BOOST_OUTCOME_TRY(auto from, index_->locate(from_utc, spec_, "from_utc"));
  BOOST_OUTCOME_TRY(auto to, index_->locate(to_utc, spec_, "to_utc"));
  return boost::posix_time::microseconds(index_->position(to) - index_->position(from));
}

result<Instant> Calendar::due_after_working_days(Instant from_utc, int n, DeadlineRule rule) const {
  const Index& ix = *index_;
  if (n < 0) return detail::fail(errc::invalid_argument, fmt::format("n: {} working days is negative", n));
  if (rule != DeadlineRule::close_of_service && rule != DeadlineRule::business_time) {
    return detail::fail(errc::invalid_argument, fmt::format("rule: {} is not a DeadlineRule", static_cast<int>(rule)));
  }
  BOOST_OUTCOME_TRY(auto at, ix.locate(from_utc, spec_, "from_utc"));
  if (n > 0 && rule == DeadlineRule::business_time) {
    auto due = add_working_time(from_utc, boost::posix_time::microseconds(n * ix.per_day));
    if (!due && due.error() == errc::out_of_range) {
      return fail_out_of_range(fmt::format("n: {} working days from {}", n, format_instant(from_utc)), spec_);
    }
    return due;
  }
  std::int64_t rank = 0;
  if (n == 0) {
    if (ix.working(at.day) && at.time_of_day < ix.windows.back().closes) {
      return ix.checked_instant_at(at.day, ix.windows.back().closes, spec_, "from_utc");
    }
    rank = ix.before[at.day + 1];
  } else {
    rank = std::int64_t{ix.before[at.day + 1]} + n - 1;
  }
  if (rank >= ix.working_days()) {
    return fail_out_of_range(fmt::format("n: {} working days from {}", n, format_instant(from_utc)), spec_);
  }
  return ix.checked_instant_at(ix.select[rank], ix.windows.back().closes, spec_, "n");
}

// ---------------------------------------------------------------------------
// Provisional years

result<bool> Calendar::is_provisional(CivilDate date) const {
  BOOST_OUTCOME_TRY(index_->index_of(date, spec_, "date"));
  return !spec_.provisional_from.is_special() && date >= spec_.provisional_from;
}

result<bool> Calendar::is_provisional(Instant at_utc) const {
  BOOST_OUTCOME_TRY(auto at, index_->locate(at_utc, spec_, "at_utc"));
  return !spec_.provisional_from.is_special() && index_->date_at(at.day) >= spec_.provisional_from;
}

// ---------------------------------------------------------------------------
// Contact windows

namespace {

constexpr int kContactSearchDays = 31;

// [start, end) in microseconds since the epoch.
struct Span {
  std::int64_t start;
  std::int64_t end;
};

}  // namespace

result<Instant> Calendar::contact_search(Instant ideal_utc, const TimeZone& zone,
                                         const std::vector<ServiceWindow>& allowed, bool backwards) const {
  const Index& ix = *index_;
  const char* field = "ideal_utc";
  if (allowed.empty()) return detail::fail(errc::invalid_argument, "allowed: no contact window");
  if (ideal_utc.is_special()) return detail::fail(errc::invalid_argument, "ideal_utc: not an instant");
  // The usual case first: the ideal instant is already allowed (service is
  // open, and it lies in one of the customer's windows of its civil day, as
  // the search below converts them; backwards, not in a window's last
  // minute, which the search answers with that minute's start).
  if (auto open = is_open(ideal_utc); open && open.value()) {
    const CivilDate day = zone.to_civil(ideal_utc).date();
    for (const auto& w : allowed) {
      const Instant a = zone.to_instant(CivilTime(day, w.opens()));
      const Instant b = zone.to_instant(CivilTime(day, w.closes())) - (backwards ? boost::posix_time::minutes(1) : Duration());
      if (a <= ideal_utc && ideal_utc < b) return ideal_utc;
    }
  }
  const std::int64_t ideal = (ideal_utc - kEpoch).total_microseconds();
  const std::int64_t ideal_day = floor_div(ideal + ix.offset_at_utc(ideal), kDayUs) - ix.first_day;
  // The customer's windows on the customer's civil days around a span.
  auto customer_spans = [&](Span service, auto&& each) {
    const CivilDate first = zone.to_civil(kEpoch + boost::posix_time::microseconds(service.start)).date();
    for (int d = -1; d <= 2; ++d) {
      const CivilDate day = first + boost::gregorian::days(d);
      if (day < CivilDate(1400, 1, 2) || day > CivilDate(9999, 12, 30)) continue;
      for (const auto& w : allowed) {
        const std::int64_t a = (zone.to_instant(CivilTime(day, w.opens())) - kEpoch).total_microseconds();
        const std::int64_t b = (zone.to_instant(CivilTime(day, w.closes())) - kEpoch).total_microseconds();
        const std::int64_t lo = std::max(a, service.start), hi = std::min(b, service.end);
        if (lo < hi) each(Span{lo, hi});
      }
    }
  };
  for (int step = 0; step <= kContactSearchDays; ++step) {
    const std::int64_t i = ideal_day + (backwards ? -step : step);
    if (i < 0 || i >= ix.days) break;
    if (!ix.working(static_cast<std::int32_t>(i))) continue;
    std::optional<std::int64_t> best;
    for (std::size_t k = 0; k < ix.windows.size(); ++k) {
      auto [start, length] = ix.real_window(static_cast<std::int32_t>(i), k);
      if (length == 0) continue;
      customer_spans(Span{start, start + length}, [&](Span s) {
        // Whole minutes: the last allowed minute of a span starts one minute before its end.
        if (backwards) {
          if (s.start > ideal) return;
          const std::int64_t t = std::min(ideal, std::max(s.start, s.end - kMinuteUs));
          if (!best || t > *best) best = t;
        } else {
          if (s.end <= ideal) return;
          const std::int64_t t = std::max(ideal, s.start);
          if (!best || t < *best) best = t;
        }
      });
    }
    if (best) {
      const Instant answer = kEpoch + boost::posix_time::microseconds(*best);
      if (answer < kMinInstant || answer > kMaxInstant) break;
      return answer;
    }
  }
  return fail_out_of_range(fmt::format("{}: no minute inside both service hours and the customer's contact window "
                                       "({}) within {} days {} {}",
                                       field, zone.name(), kContactSearchDays, backwards ? "before" : "after",
                                       format_instant(ideal_utc)),
                           spec_);
}

result<Instant> Calendar::latest_contact_at_or_before(Instant ideal_utc, const TimeZone& zone,
                                                      const std::vector<ServiceWindow>& allowed) const {
  return contact_search(ideal_utc, zone, allowed, true);
}

result<Instant> Calendar::earliest_contact_at_or_after(Instant ideal_utc, const TimeZone& zone,
                                                       const std::vector<ServiceWindow>& allowed) const {
  return contact_search(ideal_utc, zone, allowed, false);
}

// ---------------------------------------------------------------------------
// JSON

namespace {

result<CivilDate> json_date(const boost::json::value& v, std::string_view path) {
  BOOST_OUTCOME_TRY(auto text, detail::json_string(v, path));
  if (auto d = parse_date(text)) return d.value();
  int year = 0;
  bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-';
  for (std::size_t k = 0; shaped && k < 4; ++k) {
    shaped = text[k] >= '0' && text[k] <= '9';
    year = year * 10 + (text[k] - '0');
  }
  if (shaped && year < 1400) {
    return detail::fail(errc::out_of_range,
                        fmt::format("{}: {} is before 1400, the earliest year redress supports", path, text));
  }
  return detail::json_fail(path, fmt::format("expected a date YYYY-MM-DD, got \"{}\"", text));
}

// "HH:MM" as a duration since midnight; the range is checked by the window.
result<Duration> json_time_of_day(const boost::json::value& v, std::string_view path) {
  BOOST_OUTCOME_TRY(auto text, detail::json_string(v, path));
  auto digit = [&](std::size_t k) { return text[k] >= '0' && text[k] <= '9' ? text[k] - '0' : -100; };
  if (text.size() == 5 && text[2] == ':') {
    int h = digit(0) * 10 + digit(1);
    int m = digit(3) * 10 + digit(4);
    if (h >= 0 && m >= 0 && m < 60) return boost::posix_time::hours(h) + boost::posix_time::minutes(m);
  }
  return detail::json_fail(path, fmt::format("expected a time of day HH:MM, got \"{}\"", text));
}

result<std::vector<CivilDate>> json_dates(const boost::json::object& obj, std::string_view key) {
  std::vector<CivilDate> dates;
  auto it = obj.find(key);
  if (it == obj.end()) return dates;
  BOOST_OUTCOME_TRY(auto array, detail::json_array(it->value(), key));
  for (std::size_t k = 0; k < array->size(); ++k) {
    BOOST_OUTCOME_TRY(auto d, json_date((*array)[k], detail::json_index(key, k)));
    dates.push_back(d);
  }
  return dates;
}

constexpr std::array<std::string_view, 12> kKnownMembers{
    "schema", "time_zone", "weekmask",           "service_hours", "first_date",  "last_date",       "holidays",
    "extra_working_days", "provisional_from", "name",   "description", "provenance"};

}  // namespace

result<Calendar> Calendar::from_json(const boost::json::value& json) {
  BOOST_OUTCOME_TRY(auto obj, detail::json_object(json, ""));
  BOOST_OUTCOME_TRYV(detail::json_schema_version(*obj, "", "calendar"));
  BOOST_OUTCOME_TRYV(detail::json_known_members(*obj, "", kKnownMembers));
  CalendarSpec spec;

  BOOST_OUTCOME_TRY(auto zone_value, detail::json_member(*obj, "", "time_zone"));
  BOOST_OUTCOME_TRY(auto zone_name, detail::json_string(*zone_value, "time_zone"));
  auto zone = TimeZone::named(zone_name);
  if (!zone) return refail(zone.error(), "time_zone");
  spec.time_zone = zone.value();

  BOOST_OUTCOME_TRY(auto mask_value, detail::json_member(*obj, "", "weekmask"));
  BOOST_OUTCOME_TRY(auto mask, detail::json_array(*mask_value, "weekmask"));
  for (std::size_t k = 0; k < mask->size(); ++k) {
    auto path = detail::json_index("weekmask", k);
    BOOST_OUTCOME_TRY(auto name, detail::json_string((*mask)[k], path));
    auto found = std::find(kDayNames.begin(), kDayNames.end(), name);
    if (found == kDayNames.end()) return detail::json_fail(path, fmt::format("expected Mon..Sun, got \"{}\"", name));
    auto day = static_cast<boost::date_time::weekdays>(found - kDayNames.begin());
    if (spec.weekmask.works_on(day)) return detail::json_fail(path, fmt::format("{} is listed twice", name));
    spec.weekmask = spec.weekmask | Weekmask::of({day});
  }

  BOOST_OUTCOME_TRY(auto hours_value, detail::json_member(*obj, "", "service_hours"));
  BOOST_OUTCOME_TRY(auto windows, detail::json_array(*hours_value, "service_hours"));
  for (std::size_t k = 0; k < windows->size(); ++k) {
    auto path = detail::json_index("service_hours", k);
    BOOST_OUTCOME_TRY(auto window, detail::json_object((*windows)[k], path));
    BOOST_OUTCOME_TRYV(detail::json_known_members(*window, path, {"opens", "closes"}));
    BOOST_OUTCOME_TRY(auto opens_value, detail::json_member(*window, path, "opens"));
    BOOST_OUTCOME_TRY(auto closes_value, detail::json_member(*window, path, "closes"));
    BOOST_OUTCOME_TRY(auto opens, json_time_of_day(*opens_value, detail::json_child(path, "opens")));
    BOOST_OUTCOME_TRY(auto closes, json_time_of_day(*closes_value, detail::json_child(path, "closes")));
    if (auto why = window_problem(opens, closes); !why.empty()) {
      return detail::fail(errc::invalid_calendar, fmt::format("{}: {}", path, why));
    }
    BOOST_OUTCOME_TRY(auto w, ServiceWindow::make(opens, closes));
    spec.service_hours.push_back(w);
  }

  for (auto [key, date] : {std::pair{"first_date", &spec.first_date}, std::pair{"last_date", &spec.last_date}}) {
    BOOST_OUTCOME_TRY(auto value, detail::json_member(*obj, "", key));
    BOOST_OUTCOME_TRY(*date, json_date(*value, key));
  }
  BOOST_OUTCOME_TRY(spec.holidays, json_dates(*obj, "holidays"));
  BOOST_OUTCOME_TRY(spec.extra_working_days, json_dates(*obj, "extra_working_days"));
  if (auto it = obj->find("provisional_from"); it != obj->end()) {
    BOOST_OUTCOME_TRY(spec.provisional_from, json_date(it->value(), "provisional_from"));
  }
  return make(std::move(spec));
}

result<Calendar> Calendar::parse(std::string_view json_text) {
  BOOST_OUTCOME_TRY(auto json, detail::json_parse(json_text, "calendar"));
  return from_json(json);
}

boost::json::value Calendar::to_json() const {
  boost::json::object out;
  out["schema"] = detail::json_schema_name("calendar");
  out["time_zone"] = spec_.time_zone.name();
  boost::json::array mask;
  for (int d = 1; d <= 7; ++d) {  // Monday first, Sunday last
    if (spec_.weekmask.works_on(static_cast<boost::date_time::weekdays>(d % 7))) mask.emplace_back(kDayNames[d % 7]);
  }
  out["weekmask"] = std::move(mask);
  boost::json::array windows;
  for (const auto& w : spec_.service_hours) {
    windows.emplace_back(boost::json::object{{"opens", time_of_day_text(w.opens())},
                                             {"closes", time_of_day_text(w.closes())}});
  }
  out["service_hours"] = std::move(windows);
  out["first_date"] = format_date(spec_.first_date);
  out["last_date"] = format_date(spec_.last_date);
  for (auto [key, dates] : {std::pair{"holidays", &spec_.holidays},
                            std::pair{"extra_working_days", &spec_.extra_working_days}}) {
    boost::json::array list;
    for (CivilDate d : *dates) list.emplace_back(format_date(d));
    out[key] = std::move(list);
  }
  if (!spec_.provisional_from.is_special()) out["provisional_from"] = format_date(spec_.provisional_from);
  return out;
}

}  // namespace v1
}  // namespace redress
