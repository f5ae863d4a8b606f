// redress replay: run a scenario (a policy, a case and a timeline of events)
// through the engine and print what happened, when, and why.
#include <algorithm>
#include <filesystem>
#include <set>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/detail/json_read.hpp>
#include <redress/engine.hpp>
#include <redress/fmt.hpp>
#include <redress/journal.hpp>

#include "command.hpp"
#include "scenario.hpp"

namespace redress::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::string_view kHelp = R"(usage: redress replay [options] <scenario.json>

Replays a scenario through the recovery engine and prints its timeline: each
event, the actions it calls for, the findings it raised, and why. Follow-ups
the engine schedules fire by themselves when the timeline passes their due
time, as the host's scheduler would fire them.

options:
  --json         one JSON object per step on standard output, then the final case
  --check        compare the outcome with the scenario's "expect" block;
                 exit 1 if any expectation is not met
  --data DIR     where bundled calendars live (default: the source tree's data/)
  --quiet        with --check, print only unmet expectations
  -h, --help     this text

exit status: 0 replayed (and expectations met), 1 a bad scenario, an event
the engine rejected, or an unmet expectation, 2 a usage error.

The scenario format is described in docs/scenarios.md.
)";

std::string local_time(Instant at, const TimeZone& tz) {
  CivilTime t = tz.to_civil(at);
  auto tod = t.time_of_day();
  return fmt::format("{} {} {:02}:{:02}", format_date(t.date()), t.date().day_of_week().as_short_string(),
                     tod.hours(), tod.minutes());
}

std::string summarise(const Event& e) {
  json::object o = to_json(e).as_object();
  for (auto key : {"case_id", "at", "type"}) o.erase(key);
  std::string detail = o.empty() ? "" : json::serialize(o);
  if (detail.size() > 110) detail = detail.substr(0, 107) + "...";
  return fmt::format("{} {}", event_type(e.body), detail);
}

std::string describe(const Action& a, const TimeZone& tz) {
  return std::visit(
      [&](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, actions::Reply>) {
          return fmt::format("reply      {}", x.text);
        } else if constexpr (std::is_same_v<T, actions::Offer>) {
          return fmt::format("offer      {} {} — \"{}\"", x.remedy.str(), to_string(x.value), x.framing);
        } else if constexpr (std::is_same_v<T, actions::RequestApproval>) {
          return fmt::format("approval   {} {} needs authority level {}", x.remedy.str(), to_string(x.value), x.level);
        } else if constexpr (std::is_same_v<T, actions::ScheduleFollowUp>) {
          return fmt::format("schedule   {} {} due {}", to_string(x.follow_up.kind), x.follow_up.id.str(),
                             local_time(x.follow_up.due_at_utc, tz));
        } else if constexpr (std::is_same_v<T, actions::CancelFollowUp>) {
          return fmt::format("cancel     {}", x.follow_up.str());
        } else if constexpr (std::is_same_v<T, actions::Escalate>) {
          return fmt::format("ESCALATE   to level {}: {}", x.level, x.reason);
        } else if constexpr (std::is_same_v<T, actions::Emergency>) {
          return fmt::format("EMERGENCY  {}", x.reason);
        } else if constexpr (std::is_same_v<T, actions::SurfaceHistory>) {
          return fmt::format("history    {}", x.summary);
        } else if constexpr (std::is_same_v<T, actions::Warn>) {
          return fmt::format("WARN       {} due {}: {}", x.clock, local_time(x.due_at_utc, tz), x.text);
        } else {
          return "close      the case may be closed";
        }
      },
      a);
}

// Everything a replay produced, for the expectations.
struct Outcome {
  std::set<std::string> findings;
  std::set<std::string> actions;
  std::string first_action;
  int escalations = 0;
};

void record(Outcome& out, const Step& step) {
  for (const auto& f : step.findings) out.findings.insert(f.code);
  for (const auto& a : step.actions) {
    std::string type(action_type(a));
    if (out.first_action.empty()) out.first_action = type;
    out.escalations += std::holds_alternative<actions::Escalate>(a);
    out.actions.insert(std::move(type));
  }
}

// Checks the scenario's "expect" block; returns the unmet expectations.
std::vector<std::string> unmet(const json::object& expect, const Outcome& out, const Case& c) {
  std::vector<std::string> missing;
  auto strings = [&](std::string_view key) {
    std::vector<std::string> v;
    if (auto it = expect.find(key); it != expect.end() && it->value().is_array()) {
      for (const auto& s : it->value().as_array()) {
        if (s.is_string()) v.emplace_back(s.as_string());
      }
    }
    return v;
  };
  for (const auto& code : strings("findings")) {
    if (!out.findings.contains(code)) missing.push_back(fmt::format("finding {} was expected", code));
  }
  for (const auto& code : strings("absent_findings")) {
    if (out.findings.contains(code)) missing.push_back(fmt::format("finding {} was not expected", code));
  }
  for (const auto& type : strings("actions")) {
    if (!out.actions.contains(type)) missing.push_back(fmt::format("action {} was expected", type));
  }
  for (const auto& type : strings("absent_actions")) {
    if (out.actions.contains(type)) missing.push_back(fmt::format("action {} was not expected", type));
  }
  auto text = [&](std::string_view key) -> std::optional<std::string> {
    auto it = expect.find(key);
    if (it == expect.end() || !it->value().is_string()) return std::nullopt;
    return std::string(it->value().as_string());
  };
  if (auto v = text("first_action"); v && *v != out.first_action) {
    missing.push_back(fmt::format("first action {} was expected, got {}", *v, out.first_action));
  }
  if (auto v = text("stage"); v && *v != to_string(c.stage())) {
    missing.push_back(fmt::format("stage {} was expected, got {}", *v, to_string(c.stage())));
  }
  if (auto v = text("priority"); v && *v != to_string(c.priority())) {
    missing.push_back(fmt::format("priority {} was expected, got {}", *v, to_string(c.priority())));
  }
  if (auto it = expect.find("min_escalations"); it != expect.end() && it->value().is_int64() &&
                                                 out.escalations < it->value().as_int64()) {
    missing.push_back(fmt::format("at least {} escalations were expected, got {}", it->value().as_int64(),
                                  out.escalations));
  }
  return missing;
}

int run(std::span<const std::string_view> args) {
  if (wants_help(args)) {
    fmt::print("{}", kHelp);
    return 0;
  }
  bool as_json = false, check = false, quiet = false;
  std::string data_dir = REDRESS_DEFAULT_DATA_DIR;
  std::optional<std::string_view> file;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      as_json = true;
    } else if (args[i] == "--check") {
      check = true;
    } else if (args[i] == "--quiet") {
      quiet = true;
    } else if (args[i] == "--data" && i + 1 < args.size()) {
      data_dir = args[++i];
    } else if (args[i].starts_with("-") || file) {
      fmt::print(stderr, "redress replay: unexpected argument \"{}\"\n\n{}", args[i], kHelp);
      return 2;
    } else {
      file = args[i];
    }
  }
  if (!file) {
    fmt::print(stderr, "redress replay: which scenario?\n\n{}", kHelp);
    return 2;
  }
  return replay_file(*file, {as_json, check, quiet, data_dir});
}

}  // namespace

int replay_file(std::string_view file, const ReplayOptions& options) {
  auto scenario = load_scenario(file, options.data_dir);
  if (!scenario) {
    fmt::print(stderr, "redress replay: {}: {}\n", file, last_error_detail());
    return 1;
  }
  Scenario& s = scenario.value();
  const TimeZone& tz = s.policy_calendar_zone;
  const bool as_json = options.json, check = options.check;
  const bool human = !options.json && !options.quiet;
  if (human) {
    fmt::print("── {}\n", s.name);
    if (!s.story.empty()) fmt::print("   {}\n", s.story);
    fmt::print("   times in {}\n", tz.name());
  }

  Outcome outcome;
  auto played = play(s, [&](const Event& e, const Step& step) {
    record(outcome, step);
    if (as_json) {
      json::object line = to_json(step).as_object();
      line["event"] = to_json(e);
      fmt::print("{}\n", json::serialize(line));
    } else if (human) {
      fmt::print("\n{}  {}\n", local_time(e.at_utc, tz), summarise(e));
      for (const auto& a : step.actions) fmt::print("    → {}\n", describe(a, tz));
      for (const auto& f : step.findings) fmt::print("    ! {:<5} {}: {}\n", to_string(f.severity), f.code, f.message);
      for (const auto& t : step.trace) fmt::print("    · why   {}: {}\n", t.rule, t.detail);
    }
  });
  if (!played) {
    fmt::print(stderr, "redress replay: {}: {}\n", file, last_error_detail());
    return 1;
  }
  const Case& c = played.value().final_case;

  if (as_json) {
    fmt::print("{}\n", json::serialize(json::object{{"case", to_json(c)}}));
  } else if (human) {
    fmt::print("\nfinal: stage {}, priority {}, {} findings, {} follow-ups pending\n", to_string(c.stage()),
               to_string(c.priority()), c.findings().size(), c.pending_follow_ups().size());
  }
  if (!check) return 0;
  auto missing = unmet(s.expect, outcome, c);
  for (const auto& m : missing) fmt::print(stderr, "redress replay: {}: expectation not met: {}\n", file, m);
  if (!missing.empty()) return 1;
  if (human) fmt::print("expectations met\n");
  return 0;
}

REDRESS_CLI_COMMAND("replay", "replay a scenario's timeline through the engine", run);

}  // namespace redress::cli
