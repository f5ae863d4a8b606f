// Loading scenario files (docs/scenarios.md).
#include "scenario.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include <redress/detail/json_read.hpp>
#include <redress/journal.hpp>
#include <redress/journal_precedent.hpp>

#include "command.hpp"

namespace redress::cli {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using detail::json_fail;

// The members of a scenario document and of its "expect" block
// (docs/scenarios.md); any other is refused (docs/contracts.md).
constexpr std::array<std::string_view, 7> kScenarioMembers{"schema", "name",   "story", "policy",
                                                           "case",   "events", "expect"};
constexpr std::array<std::string_view, 16> kExpectMembers{
    "findings",       "absent_findings", "actions",         "absent_actions",  "first_action",
    "stage",          "priority",        "min_escalations", "escalation_level", "escalated_to",
    "approval_levels", "remedy_status",  "suggested",       "offer_framing_excludes", "offer_framing_includes",
    "texts_in"};

result<json::value> read_json(const fs::path& path, std::string_view what,
                              std::size_t max_bytes = kMaxDocumentBytes) {
  BOOST_OUTCOME_TRY(auto text, read_document(path.string(), what, max_bytes));
  return detail::json_parse(text, path.string());
}

// Where the calendar a policy names lives. A name ending in ".json" is a file
// in the policy's own folder (or below it); any other name is a bundled
// calendar in data_dir/calendars/. Absolute paths and ".." are refused unless
// the host allows them (REDRESS_ALLOW_CALENDAR_PATH=1, docs/security.md): a
// policy must not make redress open files elsewhere.
result<fs::path> calendar_path(const std::string& name, const fs::path& policy_dir, std::string_view data_dir) {
  const char* allow = std::getenv("REDRESS_ALLOW_CALENDAR_PATH");
  const bool anywhere = allow != nullptr && std::string_view(allow) == "1";
  const fs::path named(name);
  if (name.empty()) return json_fail("policy.calendar", "empty calendar name");
  if (!anywhere) {
    if (named.is_absolute()) {
      return json_fail("policy.calendar", "an absolute path is not allowed (name a file beside the policy)");
    }
    for (const auto& part : named) {
      if (part == "..") return json_fail("policy.calendar", "\"..\" is not allowed (name a file beside the policy)");
    }
  }
  if (name.ends_with(".json")) return policy_dir / named;
  const bool plain = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
  if (!plain) return json_fail("policy.calendar", "a bundled calendar's name has only letters, digits, - and _");
  return fs::path(data_dir) / "calendars" / (name + ".json");
}

}  // namespace

result<json::value> read_calendar_document(const std::string& path, std::string_view what) {
  BOOST_OUTCOME_TRY(auto cal, read_json(path, what));
  // A file that is not a calendar document is refused without a word of its
  // content: its member names could be secrets.
  if (!cal.is_object() || !cal.as_object().contains("time_zone") || !cal.as_object().contains("weekmask")) {
    return detail::fail(errc::invalid_json,
                        fmt::format("{}: {} is not a calendar document (no time_zone and weekmask)", what, path));
  }
  return cal;
}

result<ReferencePolicy> load_policy(const json::value& v, const std::string& base_dir, std::string_view data_dir,
                                    const json::value* calendar) {
  json::value doc = v;
  fs::path policy_dir = base_dir;
  if (v.is_string()) {
    fs::path p = fs::path(base_dir) / std::string(v.as_string());
    BOOST_OUTCOME_TRY(doc, read_json(p, "policy"));
    policy_dir = p.parent_path();
  }
  if (!doc.is_object()) return json_fail("policy", "expected an object or a file name");
  auto& obj = doc.as_object();
  if (calendar != nullptr) obj["calendar"] = *calendar;
  if (auto it = obj.find("calendar"); it != obj.end() && it->value().is_string()) {
    std::string name(it->value().as_string());
    BOOST_OUTCOME_TRY(auto p, calendar_path(name, policy_dir, data_dir));
    BOOST_OUTCOME_TRY(it->value(), read_calendar_document(p.string(), "policy.calendar"));
  }
  return ReferencePolicy::from_json(doc);
}

result<Scenario> load_scenario(std::string_view path, std::string_view data_dir) {
  fs::path file{std::string(path)};
  BOOST_OUTCOME_TRY(auto doc, read_json(file, "scenario", kMaxScenarioBytes));
  BOOST_OUTCOME_TRY(auto obj, detail::json_object(doc, "scenario"));
  BOOST_OUTCOME_TRYV(detail::json_schema_version(*obj, "", "scenario"));
  BOOST_OUTCOME_TRYV(detail::json_known_members(*obj, "", kScenarioMembers));
  std::string name = file.stem().string(), story;
  if (auto it = obj->find("name"); it != obj->end() && it->value().is_string()) name = it->value().as_string();
  if (auto it = obj->find("story"); it != obj->end() && it->value().is_string()) story = it->value().as_string();

  BOOST_OUTCOME_TRY(auto policy_v, detail::json_member(*obj, "", "policy"));
  BOOST_OUTCOME_TRY(auto policy, load_policy(*policy_v, file.parent_path().string(), data_dir));
  auto shared = std::make_shared<const ReferencePolicy>(std::move(policy));

  BOOST_OUTCOME_TRY(auto case_v, detail::json_member(*obj, "", "case"));
  BOOST_OUTCOME_TRY(auto case_o, detail::json_object(*case_v, "case"));
  BOOST_OUTCOME_TRYV(detail::json_known_members(*case_o, "case", {"id", "customer", "opened_at", "locale"}));
  auto field = [&](std::string_view key) { return detail::json_member(*case_o, "case", key); };
  BOOST_OUTCOME_TRY(auto id_v, field("id"));
  BOOST_OUTCOME_TRY(auto id, from_json<CaseId>(*id_v, "case.id"));
  BOOST_OUTCOME_TRY(auto customer_v, field("customer"));
  BOOST_OUTCOME_TRY(auto customer, from_json<CustomerId>(*customer_v, "case.customer"));
  BOOST_OUTCOME_TRY(auto opened_v, field("opened_at"));
  BOOST_OUTCOME_TRY(auto opened, from_json<Instant>(*opened_v, "case.opened_at"));
  Currency currency = shared->settings().currency;
  std::optional<Locale> locale;
  if (auto it = case_o->find("locale"); it != case_o->end()) {
    BOOST_OUTCOME_TRY(auto text, detail::json_string(it->value(), "case.locale"));
    auto parsed = parse_locale(text);
    if (!parsed) return detail::fail(errc::invalid_json, "case.locale: expected en, zh-Hans or zh-Hant");
    locale = parsed.value();
  }
  BOOST_OUTCOME_TRY(auto initial, Case::open(id, customer, currency, opened, locale));

  JournalDefaults defaults{id, currency};
  std::vector<TimelineEntry> timeline;
  BOOST_OUTCOME_TRY(auto events_v, detail::json_member(*obj, "", "events"));
  BOOST_OUTCOME_TRY(auto events, detail::json_array(*events_v, "events"));
  for (std::size_t i = 0; i < events->size(); ++i) {
    std::string p = detail::json_index("events", i);
    const auto& ev = (*events)[i];
    if (ev.is_object()) {
      auto type = ev.as_object().find("type");
      if (type != ev.as_object().end() && type->value() == "advance") {
        BOOST_OUTCOME_TRYV(detail::json_known_members(ev.as_object(), p, {"type", "at"}));
        BOOST_OUTCOME_TRY(auto at_v, detail::json_member(ev.as_object(), p, "at"));
        BOOST_OUTCOME_TRY(auto at, from_json<Instant>(*at_v, detail::json_child(p, "at")));
        timeline.push_back({at, std::nullopt, nullptr});
        continue;
      }
      auto calendar = ev.as_object().find("calendar");
      if (type != ev.as_object().end() && type->value() == "calendar_changed" && calendar != ev.as_object().end()) {
        // The official calendar arrives: the policy on it decides from here on.
        BOOST_OUTCOME_TRY(auto changed, load_policy(*policy_v, file.parent_path().string(), data_dir, &calendar->value()));
        json::object rest = ev.as_object();
        rest.erase("calendar");
        BOOST_OUTCOME_TRY(auto event, event_from_json(rest, p, defaults));
        Instant at = event.at_utc;
        timeline.push_back({at, std::move(event), std::make_shared<const ReferencePolicy>(std::move(changed))});
        continue;
      }
    }
    BOOST_OUTCOME_TRY(auto event, event_from_json(ev, p, defaults));
    Instant at = event.at_utc;
    timeline.push_back({at, std::move(event), nullptr});
  }
  json::object expect;
  if (auto it = obj->find("expect"); it != obj->end()) {
    BOOST_OUTCOME_TRY(auto e, detail::json_object(it->value(), "expect"));
    BOOST_OUTCOME_TRYV(detail::json_known_members(*e, "expect", kExpectMembers));
    expect = *e;
  }
  BOOST_OUTCOME_TRY(auto cal, shared->calendar(initial));
  TimeZone zone = cal->time_zone();
  return Scenario{std::move(name), std::move(story), std::move(shared), std::move(zone), std::move(initial),
                  std::move(timeline), std::move(expect)};
}

result<Played> play(const Scenario& s, const std::function<void(const Event&, const Step&)>& on_step,
                    const std::function<void(const Event&, std::string_view why)>& on_refused,
                    const JournalStore* precedents) {
  Played p{s.initial, {}};
  const Policy* policy = s.policy.get();
  auto step_once = [&](const Event& given) -> result<void> {
    Event e = given;
    if (precedents != nullptr) {
      BOOST_OUTCOME_TRY(e, resolve_precedent(*precedents, *policy, p.final_case, given));
    }
    auto step = apply(p.final_case, e, *policy, e.at_utc);
    if (!step) {
      std::string why = fmt::format("the engine rejected {} at {}: {}", event_type(e.body),
                                    format_instant(e.at_utc), last_error_detail());
      if (!on_refused) return detail::fail(static_cast<errc>(step.error().value()), std::move(why));
      on_refused(e, why);
      return boost::outcome_v2::success();
    }
    if (on_step) on_step(e, step.value());
    p.final_case = std::move(step.value().next);
    p.journal.push_back(e);
    return boost::outcome_v2::success();
  };
  // Fires, in due order, every follow-up due by `until`.
  auto fire_due = [&](Instant until) -> result<void> {
    for (;;) {
      const auto& pending = p.final_case.pending_follow_ups();
      auto next = std::min_element(pending.begin(), pending.end(), [](const FollowUp& a, const FollowUp& b) {
        return std::tie(a.due_at_utc, a.id) < std::tie(b.due_at_utc, b.id);
      });
      if (next == pending.end() || next->due_at_utc > until) return boost::outcome_v2::success();
      Event fired{p.final_case.id(), std::max(next->due_at_utc, p.final_case.last_event_at_utc()), std::nullopt,
                  events::TimerFired{next->id}};
      BOOST_OUTCOME_TRYV(step_once(fired));
    }
  };
  for (const auto& entry : s.timeline) {
    BOOST_OUTCOME_TRYV(fire_due(entry.at_utc));
    if (entry.policy) policy = entry.policy.get();
    if (entry.event) {
      BOOST_OUTCOME_TRYV(step_once(*entry.event));
    }
  }
  return p;
}

}  // namespace redress::cli
