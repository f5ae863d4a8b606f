// A fixed root cause reaches every customer who suffered it
// (<redress/root_cause_fix.hpp>): which cases had the cause, one notice per
// customer inside their contact window, a finding and a suggested update on
// each open case. Pure, like the rest of the engine: the store supplies the
// cases, the host sends the notices.
#include <redress/root_cause_fix.hpp>

#include <algorithm>
#include <map>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <redress/journal.hpp>

#include "engine_internal.hpp"

namespace redress {
inline namespace v1 {
namespace {

using boost::outcome_v2::success;

constexpr std::size_t kMaxNoteBytes = 2000;
constexpr std::size_t kMaxByBytes = 128;
constexpr std::string_view kFixedCode = "root_cause.fixed";

// Whether `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool utf8_ok(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size() || (n == 2 && b < 0xC2)) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    auto b1 = static_cast<unsigned char>(n > 1 ? s[i + 1] : 0);
    if ((n == 3 && b == 0xE0 && b1 < 0xA0) || (n == 3 && b == 0xED && b1 >= 0xA0) || (n == 4 && b == 0xF0 && b1 < 0x90) ||
        (n == 4 && (b > 0xF4 || (b == 0xF4 && b1 >= 0x90)))) {
      return false;
    }
    i += n;
  }
  return true;
}

result<void> check_text(std::string_view field, std::string_view text, std::size_t max, bool required) {
  if (required && text.empty()) return detail::fail(errc::invalid_argument, fmt::format("{}: must not be empty", field));
  if (text.size() > max) {
    return detail::fail(errc::invalid_argument, fmt::format("{}: {} bytes; at most {}", field, text.size(), max));
  }
  if (!utf8_ok(text)) return detail::fail(errc::invalid_argument, fmt::format("{}: not valid UTF-8", field));
  return success();
}

// A customer's cases with the cause, and the one the notice goes on.
struct Concerned {
  const Case* latest = nullptr;
  std::vector<CaseId> cases;
};

}  // namespace

result<RootCauseFix> RootCauseFix::make(std::string_view category, std::string note, Instant fixed_at_utc,
                                        std::string fixed_by, const CauseTaxonomy& taxonomy) {
  if (category.empty()) return detail::fail(errc::invalid_argument, "root_cause_fixed.category: must not be empty");
  auto id = taxonomy.resolve(category);
  if (!id) {
    return detail::fail(errc::invalid_argument, fmt::format("root_cause_fixed.category: {}", last_error_detail()));
  }
  BOOST_OUTCOME_TRYV(check_text("root_cause_fixed.note", note, kMaxNoteBytes, true));
  if (fixed_at_utc.is_special()) {
    return detail::fail(errc::invalid_argument, "root_cause_fixed.fixed_at: not a time");
  }
  BOOST_OUTCOME_TRYV(check_text("root_cause_fixed.fixed_by", fixed_by, kMaxByBytes, false));
  return RootCauseFix{std::move(id).value(), std::move(note), fixed_at_utc, std::move(fixed_by)};
}

bool has_cause(const Case& c, std::string_view category) noexcept {
  const auto& cause = c.root_cause();
  if (!cause || category.empty()) return false;
  std::string_view recorded = cause->category;
  if (recorded == category) return true;
  // A category covers the ones below it; "other:<text>" has nothing below.
  return category.find(':') == std::string_view::npos && recorded.size() > category.size() &&
         recorded.substr(0, category.size()) == category && recorded[category.size()] == '.';
}

result<FixPlan> plan_fix_notices(const RootCauseFix& fix, std::span<const Case> cases, const Policy& policy,
                                 Instant now_utc) {
  using engine_detail::from_policy;
  if (now_utc.is_special()) return detail::fail(errc::invalid_argument, "now: not a time");
  FixPlan plan{fix, 0, {}, {}};
  std::map<std::string, const Case*, std::less<>> chosen;  // by case id: a case listed twice counts once
  for (const Case& c : cases) {
    if (!has_cause(c, fix.category) || c.opened_at_utc() > fix.fixed_at_utc) continue;
    if ((c.stage() == Stage::closed)) {
      BOOST_OUTCOME_TRY(auto settings, from_policy(policy.settings(c), "settings"));
      // Compared as a span: the window may reach before any date.
      const Duration window = boost::posix_time::hours(24 * static_cast<std::int64_t>(settings->fix_notice_window_days));
      if (fix.fixed_at_utc - c.last_event_at_utc() > window) continue;
    }
    chosen.emplace(c.id().str(), &c);
  }
  plan.cases = chosen.size();

  std::map<std::string, Concerned, std::less<>> by_customer;
  for (const auto& [id, c] : chosen) {
    Concerned& who = by_customer[std::string(c->customer().str())];
    who.cases.push_back(c->id());
    if (who.latest == nullptr || c->last_event_at_utc() > who.latest->last_event_at_utc() ||
        (c->last_event_at_utc() == who.latest->last_event_at_utc() && c->id().str() > who.latest->id().str())) {
      who.latest = c;
    }
    if ((c->stage() == Stage::closed)) continue;
    BOOST_OUTCOME_TRY(auto settings, from_policy(policy.settings(*c), "settings"));
    BOOST_OUTCOME_TRY(auto cal, from_policy(policy.calendar(*c), "calendar"));
    const Locale locale = c->locale().value_or(settings->locale);
    const std::initializer_list<MessageArg> args{{"note", fix.note}};
    auto sev = settings->severities.find(kFixedCode);
    Finding finding{FindingCode(kFixedCode), sev == settings->severities.end() ? Severity::info : sev->second,
                    settings->messages.format("finding.root_cause.fixed", locale, args, cal->time_zone()), now_utc};
    plan.open_cases.push_back(
        {c->id(), std::move(finding), settings->messages.format("update.root_cause.fixed", locale, args, cal->time_zone())});
  }

  for (auto& [customer, who] : by_customer) {
    const Case& c = *who.latest;
    BOOST_OUTCOME_TRY(auto settings, from_policy(policy.settings(c), "settings"));
    BOOST_OUTCOME_TRY(auto cal, from_policy(policy.calendar(c), "calendar"));
    const TimeZone& zone = engine_detail::customer_zone_of(c, *settings, *cal);
    BOOST_OUTCOME_TRY(auto at, engine_detail::window_instant(*cal, zone, settings->contact_window, now_utc, false));
    const Locale locale = c.locale().value_or(settings->locale);
    plan.notices.push_back({c.customer(), c.id(), std::move(who.cases), locale,
                            settings->messages.format("fix.notice", locale, {{"note", fix.note}}, zone), at.at});
  }
  return plan;
}

boost::json::value to_json(const RootCauseFix& fix) {
  return boost::json::object{{"category", fix.category},
                             {"note", fix.note},
                             {"fixed_at", format_instant(fix.fixed_at_utc)},
                             {"fixed_by", fix.fixed_by}};
}

boost::json::value to_json(const FixNotice& notice) {
  boost::json::array cases;
  for (const auto& id : notice.cases) cases.emplace_back(id.str());
  return boost::json::object{{"type", "notify_fixed"},
                             {"customer", notice.customer.str()},
                             {"case_id", notice.case_id.str()},
                             {"cases", std::move(cases)},
                             {"locale", to_string(notice.locale)},
                             {"text", notice.text},
                             {"send_at", format_instant(notice.send_at_utc)}};
}

boost::json::value to_json(const FixOpenCase& open_case) {
  return boost::json::object{{"case_id", open_case.case_id.str()},
                             {"finding", to_json(open_case.finding)},
                             {"suggested_update", open_case.suggested_update}};
}

boost::json::value to_json(const FixPlan& plan) {
  boost::json::array notices;
  for (const auto& n : plan.notices) notices.push_back(to_json(n));
  boost::json::array open;
  for (const auto& o : plan.open_cases) open.push_back(to_json(o));
  return boost::json::object{{"fix", to_json(plan.fix)},
                             {"cases", plan.cases},
                             {"notices", std::move(notices)},
                             {"open_cases", std::move(open)}};
}

}  // namespace v1
}  // namespace redress
