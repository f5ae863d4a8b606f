// redress demo: the library at work on a real case, in three parts.
#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/calendar.hpp>
#include <redress/fmt.hpp>
#include <redress/journal.hpp>

#include "command.hpp"
#include "scenario.hpp"

namespace redress::cli {
namespace {

constexpr std::string_view kHelp = R"(usage: redress demo [--data DIR] [--scenario FILE]

Shows redress handling a real case:
  1. the China business calendar answering when a promise falls due;
  2. money and a case's events going to JSON and back unchanged;
  3. the timeline of a case (default: the TV reported three times, seed 004).
)";

int fail(std::string_view what) {
  fmt::print(stderr, "redress demo: {}: {}\n", what, last_error_detail());
  return 1;
}

int run(std::span<const std::string_view> args) {
  if (wants_help(args)) {
    fmt::print("{}", kHelp);
    return 0;
  }
  std::string data_dir = default_data_dir();
  std::optional<std::string> scenario;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--data" && i + 1 < args.size()) {
      data_dir = args[++i];
    } else if (args[i] == "--scenario" && i + 1 < args.size()) {
      scenario = args[++i];
    } else {
      fmt::print(stderr, "redress demo: unexpected argument \"{}\"\n\n{}", args[i], kHelp);
      return 2;
    }
  }

  if (data_dir.empty()) {
    fmt::print(stderr, "redress demo: {}\n", kNoDataDir);
    return 2;
  }
  if (!scenario) scenario = data_dir + "/scenarios/tv-three-calls.json";

  fmt::print("1. When is a 2-working-day promise made on Fri 2025-01-24 15:00 in Shanghai due?\n\n");
  auto text = read_file(data_dir + "/calendars/cn.json");
  if (!text) {
    fmt::print(stderr, "redress demo: cannot read {}/calendars/cn.json\n", data_dir);
    return 1;
  }
  auto cn = Calendar::parse(*text);
  if (!cn) return fail("calendars/cn.json");
  auto made = parse_instant("2025-01-24T15:00:00+08:00").value();
  auto due = cn.value().due_after_working_days(made, 2);
  if (!due) return fail("due_after_working_days");
  const TimeZone& tz = cn.value().time_zone();
  auto sunday = parse_date("2025-01-26").value();
  fmt::print("   Sun 2025-01-26 is a {} (调休: made up for the Spring Festival holiday from 01-28).\n",
             cn.value().is_working_day(sunday).value() ? "working day" : "rest day");
  CivilTime local = tz.to_civil(due.value());
  fmt::print("   Due at the close of service on the 2nd working day: {} {} {:02}:{:02} local, {} UTC.\n\n",
             local.date().day_of_week().as_short_string(), format_date(local.date()),
             local.time_of_day().hours(), local.time_of_day().minutes(), format_instant(due.value()));

  fmt::print("2. Money and a case's events go to JSON and back unchanged.\n\n");
  auto price = Money::parse("199.99", Currency::CNY).value();
  auto price_json = to_json(price);
  auto price_back = from_json<Money>(price_json).value();
  fmt::print("   {} -> {} -> {} ({})\n", price, boost::json::serialize(price_json), price_back,
             price_back == price ? "equal" : "DIFFERENT");
  Event e{CaseId::make("C-004-1").value(), made, AgentId::make("A-7").value(),
          events::RemedyProposed{RemedyId::make("R-1").value(), RemedyKind::replacement, price,
                                 OrderId::make("O-TV-55").value()}};
  auto event_json = to_json(e);
  auto event_back = event_from_json(event_json);
  if (!event_back) return fail("event_from_json");
  fmt::print("   {}\n   read back: {}\n\n", boost::json::serialize(event_json),
             event_back.value() == e ? "equal" : "DIFFERENT");

  fmt::print("3. A case, step by step (redress replay {}):\n\n", *scenario);
  return replay_file(*scenario, {false, true, false, false, data_dir});
}

}  // namespace

REDRESS_CLI_COMMAND("demo", "walk through a real case: calendar, JSON round trip, a timeline", run);

}  // namespace redress::cli
