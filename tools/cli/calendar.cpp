// `redress calendar`: working days, deadlines and service hours from a
// calendar file (data/calendars/cn.json or one of your own).
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <redress/calendar.hpp>

#include "command.hpp"
#include "scenario.hpp"

namespace redress::cli {
namespace {

constexpr std::string_view kHelp = R"(usage: redress calendar <action> --calendar FILE [options]
       redress calendar --batch --calendar FILE < queries

actions:
  due --from INSTANT (--working-days N | --working-hours N | --working-minutes N)
        the deadline of a promise made at INSTANT. --working-days N is the end
        of service on the Nth working day after INSTANT's local date; a
        negative N is the opening of service on the |N|th working day before
        it (for "remind 3 working days before"). --working-hours and
        --working-minutes count service time only and may be negative to
        count backwards.
  is-working DATE
        whether DATE (YYYY-MM-DD) is a working day, and why.
  next-opening --at INSTANT
        INSTANT itself if service is open then, else when it next opens.
  between --from X --to Y
        with two dates: the working days d with X < d <= Y (negative when Y
        is before X); with two instants: also the service time between them.

--batch answers many queries in one process: one query per line on standard
input, written as on the command line without --calendar (e.g. "due --from
2025-01-24T15:00:00+08:00 --working-days 2"), one answer per line on standard
output, in order: an instant in the calendar's local time, a day's kind, a
count, or "error: ..." for a query that fails (the others are still
answered; the exit status is then 1). Empty lines and lines starting with #
are skipped.

INSTANT is RFC 3339, e.g. 2025-01-24T15:00:00+08:00. Instants are printed in
the calendar's local time and in UTC.

exit status: 0 answered, 1 bad input (file, calendar, date, out of range;
in --batch, any query that failed), 2 usage error.

example:
  redress calendar due --calendar data/calendars/cn.json \
      --from 2025-01-24T15:00:00+08:00 --working-days 2
)";

constexpr std::string_view kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

struct Args {
  std::string_view action;
  std::map<std::string_view, std::string_view> options;
  std::vector<std::string_view> positional;
};

// What one query gives: its answer as a single query prints it (`human`) and
// as --batch prints it (`line`), or a failure with the exit status it means
// (1 bad input, 2 usage) and its message.
struct Reply {
  int status = 0;
  std::string human, line, error;
};

Reply usage(std::string why) { return {2, {}, {}, std::move(why)}; }
Reply input(std::string_view context) { return {1, {}, {}, fmt::format("{}{}", context, last_error_detail())}; }
Reply answer(std::string human, std::string line) { return {0, std::move(human), std::move(line), {}}; }

// Parses `action [options] [positional]`. --calendar is accepted here and
// required by the caller when it matters (a batch line has none).
Reply parse_args(std::span<const std::string_view> args, Args& out) {
  static constexpr std::string_view kOptions[] = {"--calendar", "--from", "--at", "--to", "--working-days",
                                                   "--working-hours", "--working-minutes"};
  if (args.empty()) return usage("no action given");
  out.action = args[0];
  for (std::size_t k = 1; k < args.size(); ++k) {
    std::string_view a = args[k];
    if (!a.starts_with("--")) {
      out.positional.push_back(a);
      continue;
    }
    if (std::find(std::begin(kOptions), std::end(kOptions), a) == std::end(kOptions)) {
      return usage(fmt::format("unknown option {}", a));
    }
    if (k + 1 == args.size()) return usage(fmt::format("{} needs a value", a));
    if (!out.options.emplace(a, args[++k]).second) return usage(fmt::format("{} given twice", a));
  }
  return {};
}

std::optional<int> integer(std::string_view text) {
  int v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

result<Calendar> load(std::string_view path) {
  BOOST_OUTCOME_TRY(auto doc, read_calendar_document(std::string(path), "--calendar"));
  auto cal = Calendar::from_json(doc);
  if (!cal) return detail::fail(static_cast<errc>(cal.error().value()), fmt::format("{}: {}", path, last_error_detail()));
  return cal;
}

// "2025-01-27T21:00:00+08:00": `at_utc` in the calendar's local time.
std::string local_instant(Instant at_utc, const TimeZone& zone) {
  CivilTime local = zone.to_civil(at_utc);
  std::string text = format_instant(local);
  text.pop_back();  // the 'Z': this reading is local
  int offset = static_cast<int>(zone.utc_offset(at_utc).total_seconds() / 60);
  int a = offset < 0 ? -offset : offset;
  return fmt::format("{}{}{:02}:{:02}", text, offset < 0 ? '-' : '+', a / 60, a % 60);
}

// "due 2025-01-27T21:00:00+08:00 (Mon, Asia/Shanghai)\nutc 2025-01-27T13:00:00Z\n"
// for one query; the local instant alone for --batch.
Reply instant_answer(std::string_view label, Instant at_utc, const TimeZone& zone) {
  std::string local = local_instant(at_utc, zone);
  CivilTime civil = zone.to_civil(at_utc);
  std::string human = fmt::format("{} {} ({}, {})\n{:<{}} {}\n", label, local,
                                  kWeekdays[civil.date().day_of_week().as_number()], zone.name(), "utc",
                                  label.size(), format_instant(at_utc));
  return answer(std::move(human), std::move(local));
}

// For "remind N working days before": the opening of service on the nth
// working day before `from_utc`'s local date.
result<Instant> opening_working_days_before(const Calendar& cal, Instant from_utc, int n) {
  const TimeZone& zone = cal.time_zone();
  BOOST_OUTCOME_TRY(auto day, cal.add_working_days(zone.to_civil(from_utc).date(), -n));
  return cal.next_opening(zone.to_instant(CivilTime(day, boost::posix_time::time_duration(0, 0, 0))));
}

Reply due(const Calendar& cal, const Args& args) {
  auto from_text = args.options.find("--from");
  if (from_text == args.options.end()) return usage("due needs --from INSTANT");
  std::optional<std::pair<std::string_view, int>> amount;
  for (std::string_view option : {"--working-days", "--working-hours", "--working-minutes"}) {
    auto it = args.options.find(option);
    if (it == args.options.end()) continue;
    if (amount) return usage("give only one of --working-days, --working-hours, --working-minutes");
    auto n = integer(it->second);
    if (!n) return usage(fmt::format("{} expects a whole number, got \"{}\"", option, it->second));
    amount = {option, *n};
  }
  if (!amount) return usage("due needs --working-days, --working-hours or --working-minutes");
  auto from = parse_instant(from_text->second);
  if (!from) return input("--from: ");
  result<Instant> deadline = amount->first == "--working-days"
                                 ? (amount->second >= 0 ? cal.due_after_working_days(from.value(), amount->second)
                                                        : opening_working_days_before(cal, from.value(), -amount->second))
                             : amount->first == "--working-hours"
                                 ? cal.add_working_time(from.value(), boost::posix_time::hours(amount->second))
                                 : cal.add_working_time(from.value(), boost::posix_time::minutes(amount->second));
  if (!deadline) return input("");
  return instant_answer("due", deadline.value(), cal.time_zone());
}

Reply is_working(const Calendar& cal, const Args& args) {
  if (args.positional.size() != 1) return usage("is-working needs exactly one DATE");
  auto date = parse_date(args.positional[0]);
  if (!date) return input("");
  auto kind = cal.day_kind(date.value());
  if (!kind) return input("");
  std::string_view why = kind.value() == DayKind::regular_working_day ? "working day of the week"
                         : kind.value() == DayKind::extra_working_day ? "extra working day"
                         : kind.value() == DayKind::holiday           ? "holiday"
                                                                      : "weekly rest day";
  bool working = kind.value() == DayKind::regular_working_day || kind.value() == DayKind::extra_working_day;
  std::string line = fmt::format("{} {} {} ({})", format_date(date.value()),
                                 kWeekdays[date.value().day_of_week().as_number()], working ? "working" : "not working", why);
  return answer(line + "\n", line);
}

Reply next_opening(const Calendar& cal, const Args& args) {
  auto at_text = args.options.find("--at");
  if (at_text == args.options.end()) return usage("next-opening needs --at INSTANT");
  auto at = parse_instant(at_text->second);
  if (!at) return input("--at: ");
  auto opening = cal.next_opening(at.value());
  if (!opening) return input("");
  return instant_answer("opens", opening.value(), cal.time_zone());
}

// "47:00", "-3:30": a duration in hours and minutes.
std::string hours_minutes(Duration d) {
  const long long minutes = d.total_seconds() / 60;
  const long long a = minutes < 0 ? -minutes : minutes;
  return fmt::format("{}{}:{:02}", minutes < 0 ? "-" : "", a / 60, a % 60);
}

Reply between(const Calendar& cal, const Args& args) {
  auto from_text = args.options.find("--from");
  auto to_text = args.options.find("--to");
  if (from_text == args.options.end() || to_text == args.options.end()) return usage("between needs --from and --to");
  const bool dates = from_text->second.size() == 10 && to_text->second.size() == 10;
  if (dates) {
    auto from = parse_date(from_text->second);
    if (!from) return input("--from: ");
    auto to = parse_date(to_text->second);
    if (!to) return input("--to: ");
    auto days = cal.working_days_between(from.value(), to.value());
    if (!days) return input("");
    return answer(fmt::format("working days {}\n", days.value()), fmt::format("{}", days.value()));
  }
  auto from = parse_instant(from_text->second);
  if (!from) return input("--from: ");
  auto to = parse_instant(to_text->second);
  if (!to) return input("--to: ");
  const TimeZone& zone = cal.time_zone();
  auto days = cal.working_days_between(zone.to_civil(from.value()).date(), zone.to_civil(to.value()).date());
  if (!days) return input("");
  auto time = cal.working_time_between(from.value(), to.value());
  if (!time) return input("");
  return answer(fmt::format("working days {}\nworking time {}\n", days.value(), hours_minutes(time.value())),
                fmt::format("{} {}", days.value(), hours_minutes(time.value())));
}

using Action = Reply (*)(const Calendar&, const Args&);

const std::map<std::string_view, Action>& actions() {
  static const std::map<std::string_view, Action> table{
      {"due", due}, {"is-working", is_working}, {"next-opening", next_opening}, {"between", between}};
  return table;
}

Reply query(const Calendar& cal, const Args& args) {
  auto action = actions().find(args.action);
  if (action == actions().end()) return usage(fmt::format("unknown action \"{}\"", args.action));
  return action->second(cal, args);
}

int print_failure(const Reply& r) {
  if (r.status == 2) {
    fmt::print(stderr, "redress calendar: {}\n(see `redress calendar --help`)\n", r.error);
  } else {
    fmt::print(stderr, "redress calendar: {}\n", r.error);
  }
  return r.status;
}

// --batch: one query per line of stdin, one answer per line of stdout.
int batch(const Calendar& cal) {
  int status = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> words;
    std::istringstream in(line);
    for (std::string w; in >> w;) words.push_back(std::move(w));
    if (words.empty() || words[0].starts_with("#")) continue;
    std::vector<std::string_view> views(words.begin(), words.end());
    Args args;
    Reply r = parse_args(views, args);
    if (r.status == 0 && args.options.contains("--calendar")) r = usage("--calendar is given once, not per query");
    if (r.status == 0) r = query(cal, args);
    if (r.status != 0) {
      fmt::print("error: {}\n", r.error);
      status = 1;
    } else {
      fmt::print("{}\n", r.line);
    }
  }
  std::fflush(stdout);
  return status;
}

int run(std::span<const std::string_view> args) {
  if (wants_help(args)) {
    fmt::print("{}", kHelp);
    return 0;
  }
  const bool is_batch = !args.empty() && args[0] == "--batch";
  std::vector<std::string_view> rest(args.begin() + (is_batch ? 1 : 0), args.end());
  Args parsed;
  if (is_batch) rest.insert(rest.begin(), "batch");  // parse the options as an action's
  Reply r = parse_args(rest, parsed);
  if (r.status != 0) return print_failure(r);
  if (!parsed.options.contains("--calendar")) return print_failure(usage("--calendar FILE is required"));
  if (is_batch && (parsed.options.size() != 1 || !parsed.positional.empty())) {
    return print_failure(usage("--batch takes --calendar FILE only; the queries come on standard input"));
  }
  if (!is_batch && !actions().contains(parsed.action)) {
    return print_failure(usage(fmt::format("unknown action \"{}\"", parsed.action)));
  }
  auto cal = load(parsed.options.at("--calendar"));
  if (!cal) return print_failure(input(""));
  if (is_batch) return batch(cal.value());
  r = query(cal.value(), parsed);
  if (r.status != 0) return print_failure(r);
  fmt::print("{}", r.human);
  return 0;
}

}  // namespace

REDRESS_CLI_COMMAND("calendar", "working days, deadlines and service hours from a calendar file", run);

}  // namespace redress::cli
