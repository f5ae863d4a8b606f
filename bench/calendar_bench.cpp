// The business calendar against the straightforward loops it replaces.
//
// redress answers "N working days after d" with a rank/select over
// precomputed tables, and "N working minutes after t" with position
// arithmetic, so neither grows with N. The references below walk day by day
// and minute by minute, as most hand-written deadline code does. Each pair
// runs on the same calendar and the same inputs: Mon-Fri, 2020-2026, with 140
// holidays on weekdays and 84 extra working days on weekends, service
// 09:00-12:00 and 13:00-21:00 in Asia/Shanghai. The same calendar in
// Europe/Berlin (daylight saving: the tables look the offset up among the
// zone's changes) runs the same inputs. Instant<->civil conversion through
// the tz database is measured against the fixed-offset path. A summary with
// the ratios is printed after the table; with --benchmark_repetitions=N it
// uses the medians.
//
//   cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DREDRESS_BUILD_BENCH=ON
//   cmake --build build-release --target calendar_bench && build-release/bench/calendar_bench
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <redress/calendar.hpp>

namespace {

using redress::Calendar;
using redress::CalendarSpec;
using redress::CivilDate;
using redress::Instant;
using boost::posix_time::hours;
using boost::posix_time::minutes;

constexpr std::size_t kHolidays = 140;
constexpr std::size_t kExtraWorkingDays = 84;
constexpr std::size_t kInputs = 4096;  // a power of two, cycled through
constexpr int kMaxDays = 60;
constexpr int kMaxMinutes = 1440;  // two service days

bool weekend(CivilDate d) { return d.day_of_week() == boost::date_time::Saturday || d.day_of_week() == boost::date_time::Sunday; }

CalendarSpec synthetic_spec() {
  CalendarSpec spec{
      .time_zone = redress::TimeZone::named("Asia/Shanghai").value(),
      .weekmask = redress::Weekmask::monday_to_friday(),
      .service_hours = {redress::ServiceWindow::make(hours(9), hours(12)).value(),
                        redress::ServiceWindow::make(hours(13), hours(21)).value()},
      .first_date = CivilDate(2020, 1, 1),
      .last_date = CivilDate(2026, 12, 31),
      .holidays = {},
      .extra_working_days = {},
  };
  std::mt19937 random(20250124);
  std::uniform_int_distribution<int> offset(0, static_cast<int>((spec.last_date - spec.first_date).days()));
  while (spec.holidays.size() < kHolidays || spec.extra_working_days.size() < kExtraWorkingDays) {
    CivilDate d = spec.first_date + boost::gregorian::days(offset(random));
    auto& list = weekend(d) ? spec.extra_working_days : spec.holidays;
    if (list.size() < (weekend(d) ? kExtraWorkingDays : kHolidays) &&
        std::find(list.begin(), list.end(), d) == list.end()) {
      list.push_back(d);
    }
  }
  std::sort(spec.holidays.begin(), spec.holidays.end());
  std::sort(spec.extra_working_days.begin(), spec.extra_working_days.end());
  return spec;
}

const Calendar& calendar() {
  static const Calendar cal = Calendar::make(synthetic_spec()).value();
  return cal;
}

const Calendar& berlin_calendar() {
  static const Calendar cal = [] {
    CalendarSpec spec = synthetic_spec();
    spec.time_zone = redress::TimeZone::named("Europe/Berlin").value();
    return Calendar::make(spec).value();
  }();
  return cal;
}

const Calendar& china() {
  static const Calendar cal = [] {
    std::ifstream in(REDRESS_BENCH_DATA_DIR "/calendars/cn.json", std::ios::binary);
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return Calendar::parse(text).value();
  }();
  return cal;
}

// The reference: what a deadline function usually looks like without
// precomputation. Sorted vectors and binary search, one day or minute a step.
struct Stepping {
  const CalendarSpec& spec;

  bool working(CivilDate d) const {
    if (std::binary_search(spec.holidays.begin(), spec.holidays.end(), d)) return false;
    if (std::binary_search(spec.extra_working_days.begin(), spec.extra_working_days.end(), d)) return true;
    return spec.weekmask.works_on(static_cast<boost::date_time::weekdays>(d.day_of_week().as_number()));
  }

  CivilDate add_days(CivilDate d, int n) const {
    while (n > 0) {
      d += boost::gregorian::days(1);
      if (working(d)) --n;
    }
    return d;
  }

  Instant add_minutes(Instant t, int n) const {
    redress::CivilTime local = spec.time_zone.to_civil(t);
    CivilDate today = local.date();
    bool open_today = working(today);
    while (n > 0) {
      if (local.date() != today) {
        today = local.date();
        open_today = working(today);
      }
      auto tod = local.time_of_day();
      bool open = open_today && std::any_of(spec.service_hours.begin(), spec.service_hours.end(),
                                            [&](const redress::ServiceWindow& w) { return w.opens() <= tod && tod < w.closes(); });
      if (open) --n;
      local += minutes(1);
    }
    return spec.time_zone.to_instant(local);
  }
};

struct DayInput {
  CivilDate date;
  int n;
};
struct MinuteInput {
  Instant at;
  int n;
};

const std::vector<DayInput>& day_inputs() {
  static const std::vector<DayInput> inputs = [] {
    std::mt19937 random(7);
    std::uniform_int_distribution<int> offset(0, 6 * 365), n(1, kMaxDays);
    std::vector<DayInput> v;
    for (std::size_t k = 0; k < kInputs; ++k) v.push_back({CivilDate(2020, 1, 1) + boost::gregorian::days(offset(random)), n(random)});
    return v;
  }();
  return inputs;
}

const std::vector<MinuteInput>& minute_inputs() {
  static const std::vector<MinuteInput> inputs = [] {
    std::mt19937 random(11);
    std::uniform_int_distribution<int> minute(0, 6 * 365 * 1440), n(1, kMaxMinutes);
    const Instant start = redress::parse_instant("2020-01-01T00:00:00+08:00").value();
    std::vector<MinuteInput> v;
    for (std::size_t k = 0; k < kInputs; ++k) v.push_back({start + minutes(minute(random)), n(random)});
    return v;
  }();
  return inputs;
}

// Runs `op` on the inputs in turn, one per iteration.
template <class Input, class Op>
void cycle(benchmark::State& state, const std::vector<Input>& inputs, Op op) {
  std::size_t k = 0;
  for (auto _ : state) {
    auto r = op(inputs[k++ & (kInputs - 1)]);
    benchmark::DoNotOptimize(r);
  }
}

void BM_add_working_days_redress(benchmark::State& state) {
  cycle(state, day_inputs(), [&cal = calendar()](const DayInput& in) { return cal.add_working_days(in.date, in.n); });
}

void BM_add_working_days_redress_cn(benchmark::State& state) {
  cycle(state, day_inputs(), [&cal = china()](const DayInput& in) { return cal.add_working_days(in.date, in.n); });
}

void BM_add_working_days_day_loop(benchmark::State& state) {
  Stepping reference{calendar().spec()};
  cycle(state, day_inputs(), [&](const DayInput& in) { return reference.add_days(in.date, in.n); });
}

void BM_add_working_minutes_redress(benchmark::State& state) {
  cycle(state, minute_inputs(),
        [&cal = calendar()](const MinuteInput& in) { return cal.add_working_time(in.at, minutes(in.n)); });
}

void BM_add_working_minutes_minute_loop(benchmark::State& state) {
  Stepping reference{calendar().spec()};
  cycle(state, minute_inputs(), [&](const MinuteInput& in) { return reference.add_minutes(in.at, in.n); });
}

void BM_due_after_working_days_redress_cn(benchmark::State& state) {
  cycle(state, minute_inputs(),
        [&cal = china()](const MinuteInput& in) { return cal.due_after_working_days(in.at, in.n % kMaxDays + 1); });
}

void BM_add_working_days_redress_berlin(benchmark::State& state) {
  cycle(state, day_inputs(),
        [&cal = berlin_calendar()](const DayInput& in) { return cal.add_working_days(in.date, in.n); });
}

void BM_add_working_minutes_redress_berlin(benchmark::State& state) {
  cycle(state, minute_inputs(),
        [&cal = berlin_calendar()](const MinuteInput& in) { return cal.add_working_time(in.at, minutes(in.n)); });
}

// Instant -> civil -> instant, one round trip per iteration.
void round_trip(benchmark::State& state, const redress::TimeZone& zone) {
  cycle(state, minute_inputs(), [&](const MinuteInput& in) { return zone.to_instant(zone.to_civil(in.at)); });
}

void BM_civil_round_trip_fixed_offset(benchmark::State& state) {
  round_trip(state, redress::TimeZone::named("+08:00").value());
}

void BM_civil_round_trip_tz_berlin(benchmark::State& state) {
  round_trip(state, redress::TimeZone::named("Europe/Berlin").value());
}

void BM_civil_round_trip_tz_shanghai(benchmark::State& state) {
  round_trip(state, redress::TimeZone::named("Asia/Shanghai").value());
}

// The contact window the engine applies to every outbound contact: a Berlin
// desk, a customer in New York (10:00-20:00 on their clock).
void BM_earliest_contact_berlin_new_york(benchmark::State& state) {
  static const redress::TimeZone new_york = redress::TimeZone::named("America/New_York").value();
  static const std::vector<redress::ServiceWindow> allowed{redress::ServiceWindow::make(hours(10), hours(20)).value()};
  cycle(state, minute_inputs(), [&cal = berlin_calendar()](const MinuteInput& in) {
    return cal.earliest_contact_at_or_after(in.at, new_york, allowed);
  });
}

BENCHMARK(BM_add_working_days_redress);
BENCHMARK(BM_add_working_days_day_loop);
BENCHMARK(BM_add_working_days_redress_cn);
BENCHMARK(BM_add_working_minutes_redress);
BENCHMARK(BM_add_working_minutes_minute_loop);
BENCHMARK(BM_due_after_working_days_redress_cn);
BENCHMARK(BM_add_working_days_redress_berlin);
BENCHMARK(BM_add_working_minutes_redress_berlin);
BENCHMARK(BM_civil_round_trip_fixed_offset);
BENCHMARK(BM_civil_round_trip_tz_berlin);
BENCHMARK(BM_civil_round_trip_tz_shanghai);
BENCHMARK(BM_earliest_contact_berlin_new_york);

// Prints the usual table, then a summary comparing each redress benchmark
// with its reference.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  RatioReporter() : ConsoleReporter(isatty(fileno(stdout)) ? OO_ColorTabular : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs) {
      if (run.error_occurred) continue;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      const std::string name = run.run_name.function_name;
      if (median || (run.run_type == Run::RT_Iteration && !medians_.count(name))) {
        // CPU time: on a shared machine, wall time also counts other processes' turns.
        ns_[name] = run.GetAdjustedCPUTime() / benchmark::GetTimeUnitMultiplier(run.time_unit) *
                    benchmark::GetTimeUnitMultiplier(benchmark::kNanosecond);
        if (median) medians_.insert(name);
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void summary() const {
    fmt::print("\nsummary (CPU time per operation): {} holidays, {} extra working days, {} random starts cycled\n",
               kHolidays, kExtraWorkingDays, kInputs);
    row("add N working days, N 1..60", "BM_add_working_days_redress", "BM_add_working_days_day_loop", 10);
    row("add N working minutes, N 1..1440", "BM_add_working_minutes_redress", "BM_add_working_minutes_minute_loop",
        20);
    row("add N working days, Berlin", "BM_add_working_days_redress_berlin", "BM_add_working_days_day_loop", 10);
    row("add N working minutes, Berlin", "BM_add_working_minutes_redress_berlin",
        "BM_add_working_minutes_minute_loop", 20);
    auto fixed = ns_.find("BM_civil_round_trip_fixed_offset");
    for (const char* tz : {"BM_civil_round_trip_tz_berlin", "BM_civil_round_trip_tz_shanghai"}) {
      auto zoned = ns_.find(tz);
      if (fixed == ns_.end() || zoned == ns_.end()) continue;
      fmt::print("  {:<34} tz {:8.1f} ns  fixed offset {:8.1f} ns  ratio {:8.1f}x (tz / fixed)\n",
                 std::string("instant->civil->instant, ") + (zoned->first.ends_with("berlin") ? "Berlin" : "Shanghai"),
                 zoned->second, fixed->second, zoned->second / fixed->second);
    }
    if (!medians_.empty()) fmt::print("  (medians of the repetitions)\n");
  }

 private:
  void row(const char* what, const std::string& ours, const std::string& reference, double target_ns) const {
    auto a = ns_.find(ours), b = ns_.find(reference);
    if (a == ns_.end() || b == ns_.end()) return;
    fmt::print("  {:<34} redress {:8.1f} ns  reference {:10.1f} ns  ratio {:8.1f}x  target <= {} ns: {}\n", what,
               a->second, b->second, b->second / a->second, target_ns, a->second <= target_ns ? "met" : "MISSED");
  }

  std::map<std::string, double> ns_;
  std::set<std::string> medians_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.summary();
  benchmark::Shutdown();
  return 0;
}
