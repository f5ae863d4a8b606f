// The reference policy: settings read from a JSON document.
#include <redress/policy.hpp>

#include <algorithm>
#include <array>
#include <cctype>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <sodium.h>

#include <redress/detail/lint_embedded.hpp>
#include <redress/detail/json_read.hpp>
#include <redress/json.hpp>

namespace redress {
inline namespace v1 {

result<Spend> Policy::prior_spend(const Case&) const { return Spend{}; }

CalendarResolver bundled_calendars() {
  return [](std::string_view name) -> result<boost::json::value> {
    std::string file = fmt::format("{}.json", name);
    std::string known;
    for (const auto& f : detail::bundled_calendar_files()) {
      if (f.name == file) return detail::json_parse(f.text, file);
      known += known.empty() ? "" : ", ";
      known += f.name.substr(0, f.name.size() - 5);
    }
    return detail::fail(errc::invalid_argument,
                        fmt::format("no bundled calendar has that name (bundled: {})", known));
  };
}

namespace {

// The canonical form of a document: the members of every object sorted by
// name (arrays keep their order).
boost::json::value canonical(const boost::json::value& v) {
  if (v.is_array()) {
    boost::json::array out;
    out.reserve(v.get_array().size());
    for (const auto& e : v.get_array()) out.push_back(canonical(e));
    return out;
  }
  if (!v.is_object()) return v;
  std::vector<const boost::json::key_value_pair*> members;
  for (const auto& kv : v.get_object()) members.push_back(&kv);
  std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
  boost::json::object out;
  out.reserve(members.size());
  for (const auto* kv : members) out.emplace(kv->key(), canonical(kv->value()));
  return out;
}

// BLAKE2b-256 of `text`, in lower-case hexadecimal.
std::string content_hash(std::string_view text) {
  [[maybe_unused]] static const int ready = sodium_init();  // picks the fastest implementation; idempotent
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                     nullptr, 0);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, sizeof digest * 2);
}

// "id" and "version": a non-empty string without control characters, at
// most 200 bytes; a version may be a non-negative whole number.
result<std::string> read_label(const boost::json::value& v, std::string_view path, bool number_ok) {
  if (number_ok && (v.is_int64() || v.is_uint64())) {
    if (v.is_int64() && v.get_int64() < 0) return detail::json_fail(path, "must not be negative");
    return v.is_int64() ? std::to_string(v.get_int64()) : std::to_string(v.get_uint64());
  }
  BOOST_OUTCOME_TRY(auto t, detail::json_string(v, path));
  if (t.empty()) return detail::json_fail(path, "must not be empty");
  if (t.size() > 200) return detail::json_fail(path, "must be at most 200 bytes");
  if (std::any_of(t.begin(), t.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return detail::json_fail(path, "must not contain control characters");
  }
  return std::string(t);
}

using detail::json_child;
using detail::json_fail;

// A money amount in the policy's currency: a decimal string ("200") or a
// Money object ({"amount_minor": 20000, "currency": "CNY"}).
result<Money> read_money(const boost::json::value& v, std::string_view path, Currency currency) {
  Money m = Money::zero(currency);
  if (v.is_string()) {
    auto parsed = Money::parse(std::string_view(v.get_string()), currency);
    if (!parsed) {
      return detail::fail(static_cast<errc>(parsed.error().value()),
                          fmt::format("{}: {}", path, last_error_detail()));
    }
    m = parsed.value();
  } else {
    BOOST_OUTCOME_TRY(m, from_json<Money>(v, path));
  }
  if (m.currency() != currency) {
    return json_fail(path, fmt::format("in {}, the policy's currency is {}", m.currency().code(), currency.code()));
  }
  if (m.is_negative()) return json_fail(path, "must not be negative");
  return m;
}

result<int> read_count(const boost::json::value& v, std::string_view path, int min) {
  BOOST_OUTCOME_TRY(auto n, detail::json_int64(v, path));
  if (n < min || n > 1'000'000) return json_fail(path, fmt::format("must be between {} and 1000000", min));
  return static_cast<int>(n);
}

result<Duration> read_duration(const boost::json::value& v, std::string_view path) {
  BOOST_OUTCOME_TRY(auto d, from_json<Duration>(v, path));
  if (d.is_negative()) return json_fail(path, "must not be negative");
  return d;
}

// Authority limits must not decrease with the level: for every remedy kind,
// the limit of `entry` (its by_kind override, else its limit; none is
// unlimited) is at least the one of the level below it, `below`.
template <class Authority>
result<void> check_not_below(const Authority& below, const Authority& entry, std::string_view path) {
  auto limit_for = [](const Authority& a, RemedyKind kind) {
    auto it = a.limit_by_kind.find(kind);
    return it != a.limit_by_kind.end() ? std::optional<Money>(it->second) : a.limit;
  };
  for (auto kind : {RemedyKind::extension, RemedyKind::replacement, RemedyKind::extra, RemedyKind::cash,
                    RemedyKind::non_material}) {
    auto lower = limit_for(below, kind);
    auto limit = limit_for(entry, kind);
    if (!limit || (lower && limit->minor_units() >= lower->minor_units())) continue;
    std::string field = entry.limit_by_kind.count(kind) != 0
                            ? json_child(json_child(path, "by_kind"), to_string(kind))
                            : json_child(path, "limit");
    return json_fail(field, fmt::format("{} for {} is below level {}'s {} (limits must not decrease with the level)",
                                        to_string(*limit), to_string(kind), below.level,
                                        lower ? to_string(*lower) : std::string("no limit")));
  }
  return boost::outcome_v2::success();
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// The members a policy document may have (docs/policy.md); any other is
// refused (docs/contracts.md), except a host's own "x-" members.
constexpr std::array<std::string_view, 42> kPolicyMembers{
    "schema",           "id",             "version",          "name",           "currency",         "calendar",
    "authority",        "update_interval", "satisfaction_check_after", "customer_cap_period",
    "reminder_lead",    "approval_timeout", "repeat_contacts_to_escalate", "extension_grace_days",
    "max_extensions",   "failure_signal_threshold", "loss_aversion_permille", "extra_gesture_permille",
    "goodwill_cap",     "incident_group_cap", "customer_cap",    "customer_cap_count",
    "escalation_levels", "cap_approval_levels", "approved_framing", "below_value_framing",
    "replacement_denominations", "contact_window", "framing",   "severities",
    "lint",             "promise_covers_updates", "awaiting_customer", "warnings",
    "targets",          "scope",          "root_causes",      "deadlines",
    "public_reply_within", "locale",         "messages",         "fix_notice_window_days"};

// --- clocks: promises and pauses (docs/policy.md, "Clocks")
result<void> read_clock_settings(const boost::json::object& obj, Settings& s) {
  if (auto it = obj.find("promise_covers_updates"); it != obj.end()) {
    BOOST_OUTCOME_TRY(s.promise_covers_updates, detail::json_bool(it->value(), "policy.promise_covers_updates"));
  }
  if (auto it = obj.find("awaiting_customer"); it != obj.end()) {
    std::string p = json_child("policy", "awaiting_customer");
    BOOST_OUTCOME_TRY(auto w, detail::json_object(it->value(), p));
    BOOST_OUTCOME_TRYV(detail::json_known_members(*w, p, {"remind_after_working_days", "auto_resolve_after_working_days"}));
    for (auto [key, field] : {std::pair{"remind_after_working_days", &s.awaiting_reminder_working_days},
                              std::pair{"auto_resolve_after_working_days", &s.awaiting_auto_resolve_working_days}}) {
      if (auto f = w->find(key); f != w->end()) { BOOST_OUTCOME_TRY(*field, read_count(f->value(), json_child(p, key), 0)); }
    }
    if (s.awaiting_auto_resolve_working_days > 0 &&
        s.awaiting_reminder_working_days >= s.awaiting_auto_resolve_working_days) {
      return json_fail(json_child(p, "remind_after_working_days"),
                       "must be less than auto_resolve_after_working_days (the reminder comes first)");
    }
  }
  if (auto it = obj.find("warnings"); it != obj.end()) {
    std::string p = json_child("policy", "warnings");
    BOOST_OUTCOME_TRY(auto w, detail::json_object(it->value(), p));
    BOOST_OUTCOME_TRYV(detail::json_known_members(*w, p, {"update", "promise"}));
    for (const auto& kv : *w) {
      if (kv.key().starts_with("x-")) continue;
      Duration* field = kv.key() == "update" ? &s.update_warning_lead : kv.key() == "promise" ? &s.promise_warning_lead : nullptr;
      if (field == nullptr) return json_fail(json_child(p, kv.key()), "unknown clock (expected update or promise)");
      BOOST_OUTCOME_TRY(*field, read_duration(kv.value(), json_child(p, kv.key())));
    }
    if (s.update_warning_lead >= s.update_interval) {
      return json_fail(json_child(p, "update"), "must be shorter than update_interval");
    }
  }
  if (auto it = obj.find("targets"); it != obj.end()) {
    std::string p = json_child("policy", "targets");
    BOOST_OUTCOME_TRY(auto rows, detail::json_array(it->value(), p));
    for (std::size_t i = 0; i < rows->size(); ++i) {
      std::string ip = detail::json_index(p, i);
      BOOST_OUTCOME_TRY(auto r, detail::json_object((*rows)[i], ip));
      BOOST_OUTCOME_TRYV(detail::json_known_members(
          *r, ip, {"priority", "channel", "first_response", "update", "resolution", "on"}));
      TargetRow row;
      row.targets.first_response = row.targets.update = s.update_interval;
      for (const auto& kv : *r) {
        if (kv.key().starts_with("x-")) continue;
        std::string kp = json_child(ip, kv.key());
        if (kv.key() == "priority") {
          BOOST_OUTCOME_TRY(auto text, detail::json_string(kv.value(), kp));
          auto pr = parse_priority(text);
          if (!pr) return json_fail(kp, "expected normal, high, urgent or emergency");
          row.priority = pr.value();
        } else if (kv.key() == "channel") {
          BOOST_OUTCOME_TRY(row.channel, redress::from_json<Channel>(kv.value(), kp));
        } else if (kv.key() == "first_response" || kv.key() == "update" || kv.key() == "resolution") {
          BOOST_OUTCOME_TRY(auto d, read_duration(kv.value(), kp));
          if (d <= Duration()) return json_fail(kp, "must be positive");
          if (kv.key() == "first_response") row.targets.first_response = d;
          else if (kv.key() == "update") row.targets.update = d;
          else row.targets.resolution = d;
        } else if (kv.key() == "on") {
          BOOST_OUTCOME_TRY(auto text, detail::json_string(kv.value(), kp));
          if (text != "service_hours" && text != "around_the_clock") {
            return json_fail(kp, "expected service_hours or around_the_clock");
          }
          row.targets.service_hours = text == "service_hours";
        } else {
          return json_fail(kp, "unknown target (expected priority, channel, first_response, update, resolution, on)");
        }
      }
      if (s.update_warning_lead >= row.targets.update) {
        return json_fail(json_child(ip, "update"), "must be longer than warnings.update");
      }
      s.targets.push_back(std::move(row));
    }
  }
  if (auto it = obj.find("deadlines"); it != obj.end()) {
    std::string p = json_child("policy", "deadlines");
    BOOST_OUTCOME_TRY(auto d, detail::json_object(it->value(), p));
    for (const auto& kv : *d) {
      std::string kp = json_child(p, kv.key());
      auto kind = parse_promise_kind(kv.key());
      if (!kind) return json_fail(kp, "not a promise kind (expected reply, callback or action)");
      BOOST_OUTCOME_TRY(auto text, detail::json_string(kv.value(), kp));
      if (text != "close_of_service" && text != "business_time") {
        return json_fail(kp, "expected close_of_service or business_time");
      }
      s.deadline_rules[kind.value()] =
          text == "business_time" ? DeadlineRule::business_time : DeadlineRule::close_of_service;
    }
  }
  if (auto it = obj.find("public_reply_within"); it != obj.end()) {
    BOOST_OUTCOME_TRY(s.public_reply_within, read_duration(it->value(), "policy.public_reply_within"));
  }
  return boost::outcome_v2::success();
}

}  // namespace

result<ReferencePolicy> ReferencePolicy::parse(std::string_view json_text, const CalendarResolver& calendars) {
  BOOST_OUTCOME_TRY(auto v, detail::json_parse(json_text, "policy"));
  return from_json(v, calendars);
}

result<ReferencePolicy> ReferencePolicy::from_json(const boost::json::value& json, const CalendarResolver& calendars) {
  BOOST_OUTCOME_TRY(auto obj, detail::json_object(json, "policy"));
  BOOST_OUTCOME_TRYV(detail::json_schema_version(*obj, "policy", "policy"));
  BOOST_OUTCOME_TRYV(detail::json_known_members(*obj, "policy", kPolicyMembers));
  Settings s;
  PolicyRef ref;
  auto member = [&](std::string_view key) -> const boost::json::value* {
    auto it = obj->find(key);
    return it == obj->end() ? nullptr : &it->value();
  };
  auto path = [](std::string_view key) { return json_child("policy", key); };

  if (auto v = member("id")) { BOOST_OUTCOME_TRY(ref.id, read_label(*v, path("id"), false)); }
  if (auto v = member("version")) { BOOST_OUTCOME_TRY(ref.version, read_label(*v, path("version"), true)); }
  if (auto v = member("currency")) { BOOST_OUTCOME_TRY(s.currency, redress::from_json<Currency>(*v, path("currency"))); }
  s.goodwill_cap = Money::zero(s.currency);

  for (auto [key, field] : {std::pair{"update_interval", &s.update_interval},
                            std::pair{"satisfaction_check_after", &s.satisfaction_check_after},
                            std::pair{"customer_cap_period", &s.customer_cap_period},
                            std::pair{"reminder_lead", &s.reminder_lead},
                            std::pair{"approval_timeout", &s.approval_timeout}}) {
    if (auto v = member(key)) { BOOST_OUTCOME_TRY(*field, read_duration(*v, path(key))); }
  }
  if (s.update_interval <= Duration()) return json_fail(path("update_interval"), "must be positive");
  if (s.approval_timeout <= Duration()) return json_fail(path("approval_timeout"), "must be positive");
  for (auto [key, field, min] : {std::tuple{"repeat_contacts_to_escalate", &s.repeat_contacts_to_escalate, 1},
                                 std::tuple{"extension_grace_days", &s.extension_grace_days, 0},
                                 std::tuple{"max_extensions", &s.max_extensions, 0},
                                 std::tuple{"failure_signal_threshold", &s.failure_signal_threshold, 1},
                                 std::tuple{"loss_aversion_permille", &s.loss_aversion_permille, 1000},
                                 std::tuple{"extra_gesture_permille", &s.extra_gesture_permille, 0},
                                 std::tuple{"fix_notice_window_days", &s.fix_notice_window_days, 0}}) {
    if (auto v = member(key)) { BOOST_OUTCOME_TRY(*field, read_count(*v, path(key), min)); }
  }
  if (auto v = member("goodwill_cap")) { BOOST_OUTCOME_TRY(s.goodwill_cap, read_money(*v, path("goodwill_cap"), s.currency)); }
  for (auto [key, field] : {std::pair{"incident_group_cap", &s.incident_group_cap},
                            std::pair{"customer_cap", &s.customer_cap}}) {
    if (auto v = member(key)) { BOOST_OUTCOME_TRY(*field, read_money(*v, path(key), s.currency)); }
  }
  if (auto v = member("customer_cap_count")) {
    BOOST_OUTCOME_TRY(s.customer_cap_count, read_count(*v, path("customer_cap_count"), 0));
  }
  if (auto v = member("root_causes")) {
    BOOST_OUTCOME_TRY(s.root_causes, CauseTaxonomy::from_json(*v, path("root_causes")));
  }
  if (auto v = member("escalation_levels")) {
    std::string p = path("escalation_levels");
    BOOST_OUTCOME_TRY(auto arr, detail::json_array(*v, p));
    if (arr->size() < 2 || arr->size() > 9) return json_fail(p, "expected 2 to 9 role names, level 0 first");
    s.escalation_levels.clear();
    for (std::size_t i = 0; i < arr->size(); ++i) {
      std::string ip = detail::json_index(p, i);
      BOOST_OUTCOME_TRY(auto name, detail::json_string((*arr)[i], ip));
      if (name.empty()) return json_fail(ip, "must not be empty");
      s.escalation_levels.emplace_back(name);
    }
  }
  if (auto v = member("cap_approval_levels")) {
    std::string p = path("cap_approval_levels");
    BOOST_OUTCOME_TRY(auto levels, detail::json_object(*v, p));
    BOOST_OUTCOME_TRYV(detail::json_known_members(*levels, p, {"incident_group", "customer"}));
    for (const auto& kv : *levels) {
      if (kv.key().starts_with("x-")) continue;
      std::string kp = json_child(p, kv.key());
      std::optional<int>* field = kv.key() == "incident_group" ? &s.incident_group_cap_level
                                  : kv.key() == "customer"     ? &s.customer_cap_level
                                                               : nullptr;
      if (field == nullptr) return json_fail(kp, "expected incident_group or customer");
      BOOST_OUTCOME_TRY(*field, read_count(kv.value(), kp, 1));
      if (**field >= static_cast<int>(s.escalation_levels.size())) {
        return json_fail(kp, "above the top of the escalation ladder");
      }
    }
  }
  for (auto [key, field] : {std::pair{"approved_framing", &s.approved_framing},
                            std::pair{"below_value_framing", &s.below_value_framing}}) {
    if (auto v = member(key)) {
      BOOST_OUTCOME_TRY(auto text, detail::json_string(*v, path(key)));
      *field = std::string(text);
    }
  }
  if (auto v = member("replacement_denominations")) {
    std::string p = path("replacement_denominations");
    BOOST_OUTCOME_TRY(auto arr, detail::json_array(*v, p));
    for (std::size_t i = 0; i < arr->size(); ++i) {
      std::string ip = detail::json_index(p, i);
      BOOST_OUTCOME_TRY(auto m, read_money((*arr)[i], ip, s.currency));
      if (!m.is_positive()) return json_fail(ip, "must be positive");
      if (!s.replacement_denominations.empty() &&
          m.minor_units() <= s.replacement_denominations.back().minor_units()) {
        return json_fail(ip, "denominations must be listed in increasing order");
      }
      s.replacement_denominations.push_back(m);
    }
  }
  if (auto v = member("contact_window")) {
    std::string p = path("contact_window");
    BOOST_OUTCOME_TRY(auto w, detail::json_object(*v, p));
    BOOST_OUTCOME_TRYV(detail::json_known_members(*w, p, {"opens", "closes", "time_zone"}));
    BOOST_OUTCOME_TRY(auto opens, detail::json_member(*w, p, "opens"));
    BOOST_OUTCOME_TRY(auto closes, detail::json_member(*w, p, "closes"));
    BOOST_OUTCOME_TRY(s.contact_window.opens, read_duration(*opens, json_child(p, "opens")));
    BOOST_OUTCOME_TRY(s.contact_window.closes, read_duration(*closes, json_child(p, "closes")));
    if (s.contact_window.closes <= s.contact_window.opens || s.contact_window.closes > boost::posix_time::hours(24)) {
      return json_fail(p, "closes must be after opens, within 24:00:00");
    }
    if (s.contact_window.opens.seconds() != 0 || s.contact_window.closes.seconds() != 0) {
      return json_fail(p, "opens and closes must be whole minutes");
    }
    if (auto z = w->find("time_zone"); z != w->end()) {
      BOOST_OUTCOME_TRY(s.contact_window.time_zone, redress::from_json<TimeZone>(z->value(), json_child(p, "time_zone")));
    }
  }
  if (auto v = member("framing")) {
    std::string p = path("framing");
    BOOST_OUTCOME_TRY(auto f, detail::json_object(*v, p));
    for (const auto& kv : *f) {
      std::string kp = json_child(p, kv.key());
      auto kind = parse_remedy_kind(kv.key());
      if (!kind) return json_fail(kp, "not a remedy kind");
      BOOST_OUTCOME_TRY(auto text, detail::json_string(kv.value(), kp));
      s.framing[kind.value()] = std::string(text);
    }
  }
  if (auto v = member("locale")) {
    BOOST_OUTCOME_TRY(auto text, detail::json_string(*v, path("locale")));
    auto locale = parse_locale(text);
    if (!locale) return json_fail(path("locale"), "expected en, zh-Hans or zh-Hant");
    s.locale = locale.value();
  }
  // messages: {"<key>": {"en": "...", "zh-Hans": "...", "zh-Hant": "..."}}
  if (auto v = member("messages")) {
    std::string p = path("messages");
    BOOST_OUTCOME_TRY(auto entries, detail::json_object(*v, p));
    for (const auto& kv : *entries) {
      std::string kp = json_child(p, kv.key());
      BOOST_OUTCOME_TRY(auto texts, detail::json_object(kv.value(), kp));
      for (const auto& lt : *texts) {
        std::string lp = json_child(kp, lt.key());
        auto locale = parse_locale(lt.key());
        if (!locale) return json_fail(lp, "expected en, zh-Hans or zh-Hant");
        BOOST_OUTCOME_TRY(auto text, detail::json_string(lt.value(), lp));
        if (!s.messages.set(kv.key(), locale.value(), std::string(text))) {
          return detail::fail(errc::invalid_json, std::string(last_error_detail()));
        }
      }
    }
  }
  if (auto v = member("severities")) {
    std::string p = path("severities");
    BOOST_OUTCOME_TRY(auto f, detail::json_object(*v, p));
    for (const auto& kv : *f) {
      std::string kp = json_child(p, kv.key());
      BOOST_OUTCOME_TRY(auto text, detail::json_string(kv.value(), kp));
      if (!is_finding_code(kv.key())) return json_fail(kp, "not a finding code (docs/engine.md lists them)");
      auto sev = parse_severity(text);
      if (!sev) return json_fail(kp, "expected info, warn or block");
      s.severities[std::string(kv.key())] = sev.value();
    }
  }

  if (auto v = member("lint")) {
    auto lint = LintPolicy::from_json(boost::json::serialize(*v));
    if (!lint) {
      return detail::fail(static_cast<errc>(lint.error().value()),
                          fmt::format("{}: {}", path("lint"), last_error_detail()));
    }
    s.lint = std::move(lint).value();
  }

  BOOST_OUTCOME_TRYV(read_clock_settings(*obj, s));

  std::vector<Authority> authority;
  if (auto v = member("authority")) {
    std::string p = path("authority");
    BOOST_OUTCOME_TRY(auto arr, detail::json_array(*v, p));
    for (std::size_t i = 0; i < arr->size(); ++i) {
      std::string ip = detail::json_index(p, i);
      BOOST_OUTCOME_TRY(auto a, detail::json_object((*arr)[i], ip));
      BOOST_OUTCOME_TRYV(detail::json_known_members(*a, ip, {"level", "limit", "by_kind"}));
      BOOST_OUTCOME_TRY(auto level_v, detail::json_member(*a, ip, "level"));
      BOOST_OUTCOME_TRY(int level, read_count(*level_v, json_child(ip, "level"), 0));
      Authority entry{level, std::nullopt, {}};
      if (auto it = a->find("limit"); it != a->end()) {
        BOOST_OUTCOME_TRY(entry.limit, read_money(it->value(), json_child(ip, "limit"), s.currency));
      }
      if (auto it = a->find("by_kind"); it != a->end()) {
        std::string kp = json_child(ip, "by_kind");
        BOOST_OUTCOME_TRY(auto by, detail::json_object(it->value(), kp));
        for (const auto& kv : *by) {
          std::string ep = json_child(kp, kv.key());
          auto kind = parse_remedy_kind(kv.key());
          if (!kind) return json_fail(ep, "not a remedy kind");
          BOOST_OUTCOME_TRY(auto m, read_money(kv.value(), ep, s.currency));
          entry.limit_by_kind.emplace(kind.value(), m);
        }
      }
      if (!authority.empty() && authority.back().level >= level) {
        return json_fail(json_child(ip, "level"), "levels must be listed in increasing order");
      }
      if (!authority.empty()) {
        BOOST_OUTCOME_TRYV(check_not_below(authority.back(), entry, ip));
      }
      authority.push_back(std::move(entry));
    }
  } else {
    // docs/domain.md: the front line may grant up to 200 CNY; a supervisor decides above it.
    authority.push_back({0, Money::from_minor_units(200 * s.currency.minor_units_per_major(), s.currency), {}});
    authority.push_back({1, std::nullopt, {}});
  }
  if (authority.empty() || authority.front().level != 0) {
    return json_fail(path("authority"), "must start with level 0 (the front line)");
  }

  BOOST_OUTCOME_TRY(auto cal_member, detail::json_member(*obj, "policy", "calendar"));
  boost::json::value cal_v = *cal_member;
  if (cal_v.is_string()) {
    std::string_view name = cal_v.get_string();
    if (name.empty()) return json_fail(path("calendar"), "empty calendar name");
    if (!calendars) return json_fail(path("calendar"), "a calendar name needs a calendar resolver");
    auto resolved = [&]() -> result<boost::json::value> {
      try {
        return calendars(name);
      } catch (...) {
        return detail::fail(errc::policy_failed, "the calendar resolver threw");
      }
    }();
    if (!resolved) {
      return detail::fail(static_cast<errc>(resolved.error().value()),
                          fmt::format("policy.calendar: {}", last_error_detail()));
    }
    cal_v = std::move(resolved).value();
  }
  auto cal = Calendar::from_json(cal_v);
  if (!cal) {
    return detail::fail(static_cast<errc>(cal.error().value()),
                        fmt::format("policy.calendar: {}", last_error_detail()));
  }

  std::vector<OutOfScope> out_of_scope;
  std::string default_reason = "This is outside what our service covers.";
  std::string default_alternative = "Here is who can help with it instead.";
  if (auto v = member("scope")) {
    std::string p = path("scope");
    BOOST_OUTCOME_TRY(auto sc, detail::json_object(*v, p));
    BOOST_OUTCOME_TRYV(detail::json_known_members(*sc, p, {"default_reason", "default_alternative", "out_of_scope"}));
    if (auto it = sc->find("default_reason"); it != sc->end()) {
      BOOST_OUTCOME_TRY(auto t, detail::json_string(it->value(), json_child(p, "default_reason")));
      default_reason = t;
    }
    if (auto it = sc->find("default_alternative"); it != sc->end()) {
      BOOST_OUTCOME_TRY(auto t, detail::json_string(it->value(), json_child(p, "default_alternative")));
      default_alternative = t;
    }
    if (auto it = sc->find("out_of_scope"); it != sc->end()) {
      std::string ap = json_child(p, "out_of_scope");
      BOOST_OUTCOME_TRY(auto arr, detail::json_array(it->value(), ap));
      for (std::size_t i = 0; i < arr->size(); ++i) {
        std::string ip = detail::json_index(ap, i);
        BOOST_OUTCOME_TRY(auto e, detail::json_object((*arr)[i], ip));
        BOOST_OUTCOME_TRYV(detail::json_known_members(*e, ip, {"match", "reason", "alternative"}));
        OutOfScope o;
        for (auto [key, field] : {std::pair{"match", &o.match}, std::pair{"reason", &o.reason},
                                  std::pair{"alternative", &o.alternative}}) {
          BOOST_OUTCOME_TRY(auto fv, detail::json_member(*e, ip, key));
          BOOST_OUTCOME_TRY(auto t, detail::json_string(*fv, json_child(ip, key)));
          *field = std::string(t);
        }
        if (o.match.empty()) return json_fail(json_child(ip, "match"), "must not be empty");
        o.match = lower_ascii(o.match);
        out_of_scope.push_back(std::move(o));
      }
    }
  }
  boost::json::value whole = *obj;
  whole.as_object()["calendar"] = std::move(cal_v);
  ReferencePolicy policy(std::move(s), std::move(authority), std::make_shared<const Calendar>(std::move(cal).value()),
                         std::move(out_of_scope), std::move(default_reason), std::move(default_alternative));
  policy.canonical_ = boost::json::serialize(canonical(whole));
  ref.hash = content_hash(policy.canonical_);
  policy.ref_ = std::move(ref);
  return policy;
}

result<const Settings*> ReferencePolicy::settings(const Case&) const { return &settings_; }

result<std::optional<Money>> ReferencePolicy::authority(int level, RemedyKind kind) const {
  if (level < 0) return detail::fail(errc::invalid_argument, fmt::format("authority level {} is negative", level));
  // The highest listed level at or below `level` decides.
  const Authority* a = &authority_.front();
  for (const auto& entry : authority_) {
    if (entry.level <= level) a = &entry;
  }
  if (auto it = a->limit_by_kind.find(kind); it != a->limit_by_kind.end()) return std::optional<Money>(it->second);
  return a->limit;
}

result<const Calendar*> ReferencePolicy::calendar(const Case&) const { return calendar_.get(); }

result<ScopeAnswer> ReferencePolicy::scope(const Case&, std::string_view request) const {
  std::string text = lower_ascii(request);
  for (const auto& o : out_of_scope_) {
    if (text.find(o.match) != std::string::npos) return ScopeAnswer{false, o.reason, o.alternative};
  }
  return ScopeAnswer{false, default_reason_, default_alternative_};
}

}  // namespace v1
}  // namespace redress
