// `redress calendar`: working days, deadlines and service hours from a
// calendar file (data/calendars/cn.json or one of your own).
#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <redress/calendar.hpp>

#include "command.hpp"

namespace redress::cli {
namespace {

constexpr std::string_view kHelp = R"(usage: redress calendar <action> --calendar FILE [options]

actions:
  due --from INSTANT (--working-days N | --working-hours N | --working-minutes N)
        the deadline of a promise made at INSTANT. --working-days N is the end
        of service on the Nth working day after INSTANT's local date;
        --working-hours and --working-minutes count service time only and may
        be negative to count backwards.
  is-working DATE
        whether DATE (YYYY-MM-DD) is a working day, and why.
  next-opening --at INSTANT
        INSTANT itself if service is open then, else when it next opens.

INSTANT is RFC 3339, e.g. 2025-01-24T15:00:00+08:00. Instants are printed in
the calendar's local time and in UTC.

exit status: 0 answered, 1 bad input (file, calendar, date, out of range),
2 usage error.

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

int usage_error(std::string_view why) {
  fmt::print(stderr, "redress calendar: {}\n(see `redress calendar --help`)\n", why);
  return 2;
}

int input_error(std::string_view context) {
  fmt::print(stderr, "redress calendar: {}{}\n", context, last_error_detail());
  return 1;
}

std::optional<Args> parse_args(std::span<const std::string_view> args, int& status) {
  static constexpr std::string_view kOptions[] = {"--calendar", "--from", "--at", "--working-days",
                                                   "--working-hours", "--working-minutes"};
  Args out;
  if (args.empty()) {
    status = usage_error("no action given");
    return std::nullopt;
  }
  out.action = args[0];
  for (std::size_t k = 1; k < args.size(); ++k) {
    std::string_view a = args[k];
    if (!a.starts_with("--")) {
      out.positional.push_back(a);
      continue;
    }
    if (std::find(std::begin(kOptions), std::end(kOptions), a) == std::end(kOptions)) {
      status = usage_error(fmt::format("unknown option {}", a));
      return std::nullopt;
    }
    if (k + 1 == args.size()) {
      status = usage_error(fmt::format("{} needs a value", a));
      return std::nullopt;
    }
    if (!out.options.emplace(a, args[++k]).second) {
      status = usage_error(fmt::format("{} given twice", a));
      return std::nullopt;
    }
  }
  if (!out.options.contains("--calendar")) {
    status = usage_error("--calendar FILE is required");
    return std::nullopt;
  }
  return out;
}

std::optional<int> integer(std::string_view text) {
  int v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

result<Calendar> load(std::string_view path) {
  auto text = read_file(path);
  if (!text) return detail::fail(errc::invalid_argument, fmt::format("cannot read calendar file {}", path));
  auto cal = Calendar::parse(*text);
  if (!cal) return detail::fail(static_cast<errc>(cal.error().value()), fmt::format("{}: {}", path, last_error_detail()));
  return cal;
}

// "2025-01-27T21:00:00+08:00 (Mon, Asia/Shanghai)" and "2025-01-27T13:00:00Z".
void print_instant(std::string_view label, Instant at_utc, const TimeZone& zone) {
  CivilTime local = zone.to_civil(at_utc);
  std::string text = format_instant(local);
  text.pop_back();  // the 'Z': this reading is local
  int offset = static_cast<int>(zone.utc_offset(at_utc).total_seconds() / 60);
  int a = offset < 0 ? -offset : offset;
  fmt::print("{} {}{}{:02}:{:02} ({}, {})\n", label, text, offset < 0 ? '-' : '+', a / 60, a % 60,
             kWeekdays[local.date().day_of_week().as_number()], zone.name());
  fmt::print("{:<{}} {}\n", "utc", label.size(), format_instant(at_utc));
}

int due(const Calendar& cal, const Args& args) {
  auto from_text = args.options.find("--from");
  if (from_text == args.options.end()) return usage_error("due needs --from INSTANT");
  std::optional<std::pair<std::string_view, int>> amount;
  for (std::string_view option : {"--working-days", "--working-hours", "--working-minutes"}) {
    auto it = args.options.find(option);
    if (it == args.options.end()) continue;
    if (amount) return usage_error("give only one of --working-days, --working-hours, --working-minutes");
    auto n = integer(it->second);
    if (!n) return usage_error(fmt::format("{} expects a whole number, got \"{}\"", option, it->second));
    amount = {option, *n};
  }
  if (!amount) return usage_error("due needs --working-days, --working-hours or --working-minutes");
  auto from = parse_instant(from_text->second);
  if (!from) return input_error("--from: ");
  result<Instant> deadline = amount->first == "--working-days"
                                 ? cal.due_after_working_days(from.value(), amount->second)
                             : amount->first == "--working-hours"
                                 ? cal.add_working_time(from.value(), boost::posix_time::hours(amount->second))
                                 : cal.add_working_time(from.value(), boost::posix_time::minutes(amount->second));
  if (!deadline) return input_error("");
  print_instant("due", deadline.value(), cal.time_zone());
  return 0;
}

int is_working(const Calendar& cal, const Args& args) {
  if (args.positional.size() != 1) return usage_error("is-working needs exactly one DATE");
  auto date = parse_date(args.positional[0]);
  if (!date) return input_error("");
  auto kind = cal.day_kind(date.value());
  if (!kind) return input_error("");
  std::string_view why = kind.value() == DayKind::regular_working_day ? "working day of the week"
                         : kind.value() == DayKind::extra_working_day ? "extra working day"
                         : kind.value() == DayKind::holiday           ? "holiday"
                                                                      : "weekly rest day";
  bool working = kind.value() == DayKind::regular_working_day || kind.value() == DayKind::extra_working_day;
  fmt::print("{} {} {} ({})\n", format_date(date.value()), kWeekdays[date.value().day_of_week().as_number()],
             working ? "working" : "not working", why);
  return 0;
}

int next_opening(const Calendar& cal, const Args& args) {
  auto at_text = args.options.find("--at");
  if (at_text == args.options.end()) return usage_error("next-opening needs --at INSTANT");
  auto at = parse_instant(at_text->second);
  if (!at) return input_error("--at: ");
  auto opening = cal.next_opening(at.value());
  if (!opening) return input_error("");
  print_instant("opens", opening.value(), cal.time_zone());
  return 0;
}

int run(std::span<const std::string_view> args) {
  if (wants_help(args)) {
    fmt::print("{}", kHelp);
    return 0;
  }
  int status = 0;
  auto parsed = parse_args(args, status);
  if (!parsed) return status;
  using Action = int (*)(const Calendar&, const Args&);
  static const std::map<std::string_view, Action> actions{
      {"due", due}, {"is-working", is_working}, {"next-opening", next_opening}};
  auto action = actions.find(parsed->action);
  if (action == actions.end()) return usage_error(fmt::format("unknown action \"{}\"", parsed->action));
  auto cal = load(parsed->options.at("--calendar"));
  if (!cal) return input_error("");
  return action->second(cal.value(), *parsed);
}

}  // namespace

REDRESS_CLI_COMMAND("calendar", "working days, deadlines and service hours from a calendar file", run);

}  // namespace redress::cli
