// redress replay: run a scenario (a policy, a case and a timeline of events)
// through the engine and print what happened, when, and why.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <set>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/detail/json_read.hpp>
#include <redress/engine.hpp>
#include <redress/fmt.hpp>
#include <redress/journal.hpp>
#include <redress/lint.hpp>
#include <redress/messages.hpp>

#include "command.hpp"
#include "scenario.hpp"
#include "store_uri.hpp"
#include "text.hpp"

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
  --data DIR     where bundled calendars live (default: share/redress beside
                 the binary, or $REDRESS_DATA_DIR)
  --quiet        with --check, print only unmet expectations
  --keep-going   when the engine refuses an event, show the refusal in the
                 timeline (with --json: a {"refused": ...} line) and go on
                 with the next event, as `redress run` does (a refusal shown
                 is not a failure: the exit status is that of the replay)
  --store URI    look precedents cited by id alone (a precedent_cited
                 event with a reference and no facts) up in this store's
                 journals, as `redress run` does (replay stores nothing).
                 A sealed store takes --master-key-file FILE,
                 --master-key-env NAME or --insecure-plaintext (docs/cli.md)
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
  return fmt::format("{} {}", event_type(e.body), truncate_columns(detail, 110));
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
          return fmt::format("ESCALATE   to level {} ({}): {}", x.level, x.to, x.reason);
        } else if constexpr (std::is_same_v<T, actions::Emergency>) {
          return fmt::format("EMERGENCY  {}", x.reason);
        } else if constexpr (std::is_same_v<T, actions::SurfaceHistory>) {
          return fmt::format("history    {}", x.summary);
        } else if constexpr (std::is_same_v<T, actions::Warn>) {
          return fmt::format("WARN       {} due {}: {}", x.clock, local_time(x.due_at_utc, tz), x.text);
        } else if constexpr (std::is_same_v<T, actions::RescheduleFollowUp>) {
          return fmt::format("reschedule {} {} due {} (was {}): {}", to_string(x.follow_up.kind), x.follow_up.id.str(),
                             local_time(x.follow_up.due_at_utc, tz), x.replaces.str(), x.why);
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
  std::vector<std::int64_t> approval_levels;  // of every request_approval, in order
  std::vector<std::string> framings;          // of every offer, in order
  std::vector<std::string> suggested;         // the kinds of the last suggestions, by rank
  std::vector<std::string> escalated_to;      // the role of every escalation, in order
  std::vector<std::string> texts;             // every text returned for the agent or the customer
};

void record(Outcome& out, const Step& step) {
  for (const auto& f : step.findings) out.findings.insert(f.code);
  for (const auto& a : step.actions) {
    std::string type(action_type(a));
    if (out.first_action.empty()) out.first_action = type;
    out.escalations += std::holds_alternative<actions::Escalate>(a);
    if (auto* r = std::get_if<actions::RequestApproval>(&a)) out.approval_levels.push_back(r->level);
    if (auto* o = std::get_if<actions::Offer>(&a)) out.framings.push_back(o->framing);
    if (auto* x = std::get_if<actions::Escalate>(&a)) {
      out.escalated_to.push_back(x->to);
      out.texts.push_back(x->to);
      out.texts.push_back(x->reason);
    }
    if (auto* o = std::get_if<actions::Offer>(&a)) out.texts.push_back(o->framing);
    if (auto* r = std::get_if<actions::Reply>(&a)) out.texts.push_back(r->text);
    if (auto* e = std::get_if<actions::Emergency>(&a)) out.texts.push_back(e->reason);
    if (auto* h = std::get_if<actions::SurfaceHistory>(&a)) out.texts.push_back(h->summary);
    if (auto* w = std::get_if<actions::Warn>(&a)) out.texts.push_back(w->text);
    out.actions.insert(std::move(type));
  }
  for (const auto& f : step.findings) out.texts.emplace_back(f.message.view());
  for (const auto& s : step.suggestions) {
    out.texts.push_back(s.framing);
    out.texts.push_back(s.why);
  }
  if (!step.suggestions.empty()) {
    out.suggested.clear();
    for (const auto& s : step.suggestions) out.suggested.emplace_back(to_string(s.kind));
  }
}

// Why `text` is not written in `locale`, or nullopt when it is: Chinese has
// Han characters, no English word (two ASCII letters in a row) and the
// script the lint reads it as (Simplified or Traditional); English has no
// Han characters.
std::optional<std::string> not_in_locale(std::string_view text, Locale locale) {
  auto lead = [](char ch) { return static_cast<unsigned char>(ch) >= 0xE4 && static_cast<unsigned char>(ch) <= 0xE9; };
  bool han = std::any_of(text.begin(), text.end(), lead);
  if (locale == Locale::en) return han ? std::optional<std::string>("Chinese characters") : std::nullopt;
  if (!han) return "no Chinese characters";
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (std::isalpha(static_cast<unsigned char>(text[i])) && std::isalpha(static_cast<unsigned char>(text[i + 1]))) {
      return "an English word";
    }
  }
  // The lint reads a text as Traditional when it has more Traditional-only
  // characters than Simplified-only ones (a tie reads as Simplified); for
  // zh-Hant one Traditional character is added, so a text with as many of
  // each, or none, passes.
  std::string probe(text);
  if (locale == Locale::zh_hant) probe += "們";
  auto report = lint(probe, LintContext{});
  LintLanguage want = locale == Locale::zh_hans ? LintLanguage::zh_hans : LintLanguage::zh_hant;
  if (report && report.value().language != want) {
    return fmt::format("read as {}", to_string(report.value().language));
  }
  return std::nullopt;
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
  if (auto it = expect.find("escalation_level"); it != expect.end() && it->value().is_int64() &&
                                                  c.escalation_level() != it->value().as_int64()) {
    missing.push_back(fmt::format("escalation level {} was expected, got {}", it->value().as_int64(),
                                  c.escalation_level()));
  }
  if (auto it = expect.find("escalated_to"); it != expect.end() && it->value().is_array()) {
    if (out.escalated_to != strings("escalated_to")) {
      missing.push_back(fmt::format("escalations to [{}] were expected, got [{}]",
                                    fmt::join(strings("escalated_to"), ", "), fmt::join(out.escalated_to, ", ")));
    }
  }
  if (auto it = expect.find("approval_levels"); it != expect.end() && it->value().is_array()) {
    std::vector<std::int64_t> want;
    for (const auto& v : it->value().as_array()) {
      if (v.is_int64()) want.push_back(v.as_int64());
    }
    if (want != out.approval_levels) {
      missing.push_back(fmt::format("approval requests at levels [{}] were expected, got [{}]", fmt::join(want, ", "),
                                    fmt::join(out.approval_levels, ", ")));
    }
  }
  if (auto it = expect.find("remedy_status"); it != expect.end() && it->value().is_object()) {
    for (const auto& kv : it->value().as_object()) {
      std::string want = kv.value().is_string() ? std::string(kv.value().as_string()) : std::string();
      const Remedy* found = nullptr;
      for (const auto& r : c.remedies()) {
        if (r.id.str() == kv.key()) found = &r;
      }
      std::string got = found ? std::string(to_string(found->status)) : std::string("(never proposed)");
      if (got != want) missing.push_back(fmt::format("remedy {} {} was expected, got {}", kv.key(), want, got));
    }
  }
  if (auto it = expect.find("suggested"); it != expect.end() && it->value().is_array() &&
                                           strings("suggested") != out.suggested) {
    missing.push_back(fmt::format("suggestions [{}] were expected, got [{}]", fmt::join(strings("suggested"), ", "),
                                  fmt::join(out.suggested, ", ")));
  }
  for (const auto& part : strings("offer_framing_excludes")) {
    for (const auto& f : out.framings) {
      if (f.find(part) != std::string::npos) {
        missing.push_back(fmt::format("no offer framed with \"{}\" was expected, got \"{}\"", part, f));
      }
    }
  }
  for (const auto& part : strings("offer_framing_includes")) {
    bool any = false;
    for (const auto& f : out.framings) any |= f.find(part) != std::string::npos;
    if (!any) missing.push_back(fmt::format("an offer framed with \"{}\" was expected", part));
  }
  if (auto v = text("texts_in")) {
    auto want = parse_locale(*v);
    if (!want) {
      missing.push_back(fmt::format("texts_in: \"{}\" is not en, zh-Hans or zh-Hant", *v));
    } else {
      for (const auto& t : out.texts) {
        if (auto why = not_in_locale(t, want.value())) {
          missing.push_back(fmt::format("every text in {} was expected, got \"{}\" ({})", *v, t, *why));
        }
      }
    }
  }
  return missing;
}

int run(std::span<const std::string_view> args) {
  if (wants_help(args)) {
    fmt::print("{}", kHelp);
    return 0;
  }
  bool as_json = false, check = false, quiet = false, keep_going = false;
  std::string data_dir = default_data_dir();
  std::optional<std::string_view> file, store_uri;
  StoreKeyOptions keys;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (parse_store_key_option(args, i, keys)) continue;
    if (args[i] == "--store" && i + 1 < args.size()) {
      store_uri = args[++i];
    } else if (args[i] == "--json") {
      as_json = true;
    } else if (args[i] == "--check") {
      check = true;
    } else if (args[i] == "--quiet") {
      quiet = true;
    } else if (args[i] == "--keep-going") {
      keep_going = true;
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
  ReplayOptions options{as_json, check, quiet, keep_going, data_dir};
  OpenedStore store;
  if (store_uri) {
    auto opened = open_store_uri(*store_uri, keys);
    if (!opened) {
      fmt::print(stderr, "redress replay: --store: {}\n", last_error_detail());
      return 2;
    }
    store = std::move(opened).value();
    options.precedents = store.journal;
  }
  return replay_file(*file, options);
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
  auto on_step = [&](const Event& e, const Step& step) {
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
      for (const auto& g : step.suggestions) {
        fmt::print("    ? {}. {:<12} {}{} level {} ({}) — \"{}\"\n", g.rank, to_string(g.kind),
                   g.order ? fmt::format("{} ", g.order->str()) : std::string(), to_string(g.value),
                   g.approval_level, g.why, g.framing);
      }
    }
  };
  std::size_t refused = 0;
  auto on_refused = [&](const Event& e, std::string_view why) {
    ++refused;
    if (as_json) {
      fmt::print("{}\n", json::serialize(json::object{{"refused", why}, {"event", to_json(e)}}));
    } else if (human) {
      fmt::print("\n{}  {}\n    ✗ REFUSED {}\n", local_time(e.at_utc, tz), summarise(e), why);
    }
  };
  auto played = options.keep_going ? play(s, on_step, on_refused, options.precedents)
                                    : play(s, on_step, {}, options.precedents);
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
  if (refused > 0 && human) fmt::print("the engine refused {} event(s); each is shown above\n", refused);
  if (!check) return 0;
  auto missing = unmet(s.expect, outcome, c);
  for (const auto& m : missing) fmt::print(stderr, "redress replay: {}: expectation not met: {}\n", file, m);
  if (!missing.empty()) return 1;
  if (human) fmt::print("expectations met\n");
  return 0;
}

REDRESS_CLI_COMMAND("replay", "replay a scenario's timeline through the engine", run);

}  // namespace redress::cli
