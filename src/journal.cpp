// JSON forms of the engine's types: events (both ways), actions, findings, cases.
#include <redress/journal.hpp>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <map>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "engine/engine_internal.hpp"

namespace redress {
inline namespace v1 {
namespace {

namespace json = boost::json;
using detail::json_child;
using detail::json_fail;

json::value name(std::string_view s) { return json::string(s); }

template <class Range>
json::array array_of(const Range& items) {
  json::array out;
  out.reserve(items.size());
  for (const auto& x : items) out.push_back(to_json(x));
  return out;
}

// --- decoding helpers -------------------------------------------------------

template <class E, auto parse>
result<E> enum_at(const json::value& v, std::string_view path) {
  return detail::StringCodec<E, parse>::decode(v, path);
}

// The fields of one JSON object, read with errors naming their path.
struct Fields {
  const json::object& obj;
  std::string_view path;
  const JournalDefaults& defaults;

  const json::value* find(std::string_view key) const {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &it->value();
  }
  // json_child() without a format string: called for every field read, so a
  // short path ("event.at") stays in the string's own buffer.
  std::string at(std::string_view key) const {
    std::string p;
    p.reserve(path.size() + 1 + key.size());
    if (!path.empty()) p.append(path).push_back('.');
    return p.append(key);
  }

  result<const json::value*> need(std::string_view key) const { return detail::json_member(obj, path, key); }

  template <class T>
  result<T> get(std::string_view key) const {
    BOOST_OUTCOME_TRY(auto v, need(key));
    return from_json<T>(*v, at(key));
  }
  template <class T>
  result<std::optional<T>> maybe(std::string_view key) const {
    auto v = find(key);
    if (!v || v->is_null()) return std::optional<T>();
    BOOST_OUTCOME_TRY(auto x, from_json<T>(*v, at(key)));
    return std::optional<T>(std::move(x));
  }
  result<std::string> text(std::string_view key) const {
    auto v = find(key);
    if (!v) return std::string();
    BOOST_OUTCOME_TRY(auto s, detail::json_string(*v, at(key)));
    return std::string(s);
  }
  result<int> integer(std::string_view key, int fallback) const {
    auto v = find(key);
    if (!v) return fallback;
    BOOST_OUTCOME_TRY(auto n, detail::json_int64(*v, at(key)));
    if (n < INT32_MIN || n > INT32_MAX) return json_fail(at(key), "out of range");
    return static_cast<int>(n);
  }
  result<bool> flag(std::string_view key) const {
    auto v = find(key);
    if (!v) return false;
    return detail::json_bool(*v, at(key));
  }
  result<Money> money_at(const json::value& v, std::string_view p) const {
    if (v.is_string()) return detail::at_path(Money::parse(std::string_view(v.get_string()), defaults.currency), p);
    return from_json<Money>(v, p);
  }
  result<Money> money(std::string_view key) const {
    BOOST_OUTCOME_TRY(auto v, need(key));
    return money_at(*v, at(key));
  }
  template <class E, auto parse>
  result<E> enumerator(std::string_view key) const {
    BOOST_OUTCOME_TRY(auto v, need(key));
    return enum_at<E, parse>(*v, at(key));
  }
  // The object member `key`, whose own members must be among `known`.
  result<Fields> object(std::string_view key, std::string& child_path,
                        std::span<const std::string_view> known) const {
    BOOST_OUTCOME_TRY(auto v, need(key));
    child_path = at(key);
    BOOST_OUTCOME_TRY(auto o, detail::json_object(*v, child_path));
    BOOST_OUTCOME_TRYV(detail::json_known_members(*o, child_path, known));
    return Fields{*o, child_path, defaults};
  }
};

// --- the members of each object (docs/contracts.md: strict documents) -------

constexpr std::array<std::string_view, 4> kRightMembers = {"kind", "value", "expires_on", "times_extended"};
constexpr std::array<std::string_view, 3> kLossMembers = {"kind", "amount", "right"};
constexpr std::array<std::string_view, 2> kOrderMembers = {"id", "loss"};

// The members every event may have.
constexpr std::array<std::string_view, 5> kEventMembers = {"schema", "case_id", "at", "actor", "type"};

// The members of each event type's payload, beyond kEventMembers.
const std::map<std::string_view, std::vector<std::string_view>, std::less<>>& body_members() {
  static const std::map<std::string_view, std::vector<std::string_view>, std::less<>> members{
      {"contact_received", {"channel", "from", "text", "locale"}},
      {"emotion_observed", {"emotion"}},
      {"apology_given", {"text"}},
      {"forgiveness_signalled", {}},
      {"need_stated", {"text"}},
      {"question_asked", {"text", "awaits_answer"}},
      {"facts_reviewed", {"summary"}},
      {"order_linked", {"order", "incident_group"}},
      {"remedy_proposed", {"remedy", "kind", "value", "order", "content"}},
      {"remedy_approved", {"remedy", "approver", "level"}},
      {"remedy_rejected", {"remedy", "by", "reason"}},
      {"remedy_accepted", {"remedy"}},
      {"remedy_granted", {"remedy"}},
      {"progress_update_sent", {"text"}},
      {"promise_made", {"what", "working_days", "working_time", "kind"}},
      {"resolved", {"summary"}},
      {"satisfaction_confirmed", {"emotion"}},
      {"root_cause_recorded", {"category", "description"}},
      {"close_requested", {}},
      {"timer_fired", {"follow_up"}},
      {"safety_risk_reported", {"text"}},
      {"abuse_established", {"text"}},
      {"precedent_cited", {"reference", "kind", "value", "cited_loss", "source"}},
      {"out_of_scope_request", {"request", "helped"}},
      {"failure_signal", {"signal", "count"}},
      {"right_expiring", {"order", "right"}},
      {"promise_kept", {"promise"}},
      {"promise_broken", {"promise", "reason"}},
      {"awaiting_customer", {"what"}},
      {"awaiting_third_party", {"party", "working_days", "working_time"}},
      {"third_party_answered", {"party"}},
      {"policy_moved", {"policy"}},
      {"public_reply_sent", {"text"}},
      {"calendar_changed", {}},
      {"customer_time_zone", {"time_zone"}},
  };
  return members;
}

// Refuses a member that is neither common to events nor part of `type`'s
// payload. An unknown type is left to body_from(), which names it.
result<void> check_event_members(const json::object& obj, std::string_view path, std::string_view type) {
  const auto& table = body_members();
  auto it = table.find(type);
  if (it == table.end()) return boost::outcome_v2::success();
  // Every stored event is checked here: the list of known members is only
  // built to name an unknown one.
  const auto is_known = [&](std::string_view key) {
    return std::find(kEventMembers.begin(), kEventMembers.end(), key) != kEventMembers.end() ||
           std::find(it->second.begin(), it->second.end(), key) != it->second.end();
  };
  if (std::all_of(obj.begin(), obj.end(), [&](const json::key_value_pair& m) {
        const std::string_view key(m.key().data(), m.key().size());
        return !key.starts_with("x-") && is_known(key);
      })) {
    return boost::outcome_v2::success();
  }
  std::vector<std::string_view> known(kEventMembers.begin(), kEventMembers.end());
  known.insert(known.end(), it->second.begin(), it->second.end());
  return detail::json_known_members(obj, path, known);
}

result<Right> right_from(const Fields& f) {
  BOOST_OUTCOME_TRY(auto kind, f.text("kind"));
  BOOST_OUTCOME_TRY(auto value, f.money("value"));
  BOOST_OUTCOME_TRY(auto expires, f.get<CivilDate>("expires_on"));
  BOOST_OUTCOME_TRY(auto times, f.integer("times_extended", 0));
  if (kind.empty()) return json_fail(f.at("kind"), "missing");
  return Right{std::move(kind), value, expires, times};
}

result<Loss> loss_from(const Fields& f) {
  BOOST_OUTCOME_TRY(auto kind, (f.enumerator<LossKind, &parse_loss_kind>("kind")));
  if (kind == LossKind::none) return Loss::nothing(f.defaults.currency);
  if (kind == LossKind::money) {
    BOOST_OUTCOME_TRY(auto amount, f.money("amount"));
    return Loss{kind, amount, std::nullopt};
  }
  std::string p;
  BOOST_OUTCOME_TRY(auto rf, f.object("right", p, kRightMembers));
  BOOST_OUTCOME_TRY(auto right, right_from(rf));
  return Loss{kind, right.value, std::move(right)};
}

result<Emotion> emotion_from(const Fields& f) { return f.get<Emotion>("emotion"); }

// Where a precedent's facts come from: "source" ("host", the default, or
// "store") when `kind`, `value` and `cited_loss` are given; none when none of
// them is (the reference alone). Some of them without the others is refused,
// naming the first one missing.
result<events::PrecedentSource> precedent_source(const Fields& f) {
  using events::PrecedentSource;
  constexpr std::array<std::string_view, 3> facts = {"kind", "value", "cited_loss"};
  const auto given = std::count_if(facts.begin(), facts.end(), [&](std::string_view k) { return f.find(k) != nullptr; });
  BOOST_OUTCOME_TRY(auto source, f.text("source"));
  if (given == 0) {
    if (!source.empty()) return json_fail(f.at("source"), "given without the facts (kind, value, cited_loss)");
    BOOST_OUTCOME_TRY(auto reference, f.text("reference"));
    if (reference.empty()) return json_fail(f.at("reference"), "missing (a citation without facts names the cited case or order)");
    return PrecedentSource::none;
  }
  for (auto k : facts) {
    if (f.find(k) == nullptr) return json_fail(f.at(k), "missing (a precedent's facts are kind, value and cited_loss together)");
  }
  if (source.empty() || source == "host") return PrecedentSource::host;
  if (source == "store") return PrecedentSource::store;
  return json_fail(f.at("source"), "must be \"host\" or \"store\"");
}

// Decodes the payload named by `type`.
result<EventBody> body_from(std::string_view type, const Fields& f) {
  namespace e = events;
  if (type == "contact_received") {
    BOOST_OUTCOME_TRY(auto channel, f.get<Channel>("channel"));
    BOOST_OUTCOME_TRY(auto from, f.maybe<ContactPoint>("from"));
    BOOST_OUTCOME_TRY(auto text, f.text("text"));
    std::optional<Locale> locale;
    if (auto v = f.find("locale"); v && !v->is_null()) {
      BOOST_OUTCOME_TRY(auto name, detail::json_string(*v, f.at("locale")));
      auto parsed = parse_locale(name);
      if (!parsed) return json_fail(f.at("locale"), "expected en, zh-Hans or zh-Hant");
      locale = parsed.value();
    }
    return e::ContactReceived{channel, std::move(from), std::move(text), locale};
  }
  if (type == "emotion_observed") {
    BOOST_OUTCOME_TRY(auto em, emotion_from(f));
    return e::EmotionObserved{em};
  }
  if (type == "apology_given") {
    BOOST_OUTCOME_TRY(auto text, f.text("text"));
    return e::ApologyGiven{std::move(text)};
  }
  if (type == "forgiveness_signalled") return e::ForgivenessSignalled{};
  if (type == "need_stated") {
    BOOST_OUTCOME_TRY(auto text, f.text("text"));
    return e::NeedStated{std::move(text)};
  }
  if (type == "question_asked") {
    BOOST_OUTCOME_TRY(auto text, f.text("text"));
    BOOST_OUTCOME_TRY(auto awaits, f.flag("awaits_answer"));
    return e::QuestionAsked{std::move(text), awaits};
  }
  if (type == "facts_reviewed") {
    BOOST_OUTCOME_TRY(auto text, f.text("summary"));
    return e::FactsReviewed{std::move(text)};
  }
  if (type == "order_linked") {
    std::string op, lp;
    BOOST_OUTCOME_TRY(auto of, f.object("order", op, kOrderMembers));
    BOOST_OUTCOME_TRY(auto id, of.get<OrderId>("id"));
    BOOST_OUTCOME_TRY(auto lf, of.object("loss", lp, kLossMembers));
    BOOST_OUTCOME_TRY(auto loss, loss_from(lf));
    BOOST_OUTCOME_TRY(auto group, f.text("incident_group"));
    return e::OrderLinked{Order{std::move(id), std::move(loss)},
                          group.empty() ? std::nullopt : std::optional<std::string>(group)};
  }
  if (type == "remedy_proposed") {
    BOOST_OUTCOME_TRY(auto id, f.get<RemedyId>("remedy"));
    BOOST_OUTCOME_TRY(auto kind, (f.enumerator<RemedyKind, &parse_remedy_kind>("kind")));
    Money value = Money::zero(f.defaults.currency);
    if (f.find("value") || kind != RemedyKind::non_material) { BOOST_OUTCOME_TRY(value, f.money("value")); }
    BOOST_OUTCOME_TRY(auto order, f.maybe<OrderId>("order"));
    BOOST_OUTCOME_TRY(auto content, f.text("content"));
    return e::RemedyProposed{std::move(id), kind, value, std::move(order), std::string(content)};
  }
  if (type == "remedy_approved") {
    BOOST_OUTCOME_TRY(auto id, f.get<RemedyId>("remedy"));
    BOOST_OUTCOME_TRY(auto by, f.get<AgentId>("approver"));
    BOOST_OUTCOME_TRY(auto level, f.integer("level", 1));
    return e::RemedyApproved{std::move(id), std::move(by), level};
  }
  if (type == "remedy_rejected") {
    BOOST_OUTCOME_TRY(auto id, f.get<RemedyId>("remedy"));
    BOOST_OUTCOME_TRY(auto by, f.get<AgentId>("by"));
    BOOST_OUTCOME_TRY(auto reason, f.text("reason"));
    return e::RemedyRejected{std::move(id), std::move(by), std::move(reason)};
  }
  if (type == "remedy_accepted") {
    BOOST_OUTCOME_TRY(auto id, f.get<RemedyId>("remedy"));
    return e::RemedyAccepted{std::move(id)};
  }
  if (type == "remedy_granted") {
    BOOST_OUTCOME_TRY(auto id, f.get<RemedyId>("remedy"));
    return e::RemedyGranted{std::move(id)};
  }
  if (type == "progress_update_sent") {
    BOOST_OUTCOME_TRY(auto text, f.text("text"));
    return e::ProgressUpdateSent{std::move(text)};
  }
  if (type == "promise_made") {
    BOOST_OUTCOME_TRY(auto what, f.text("what"));
    BOOST_OUTCOME_TRY(auto days, f.integer("working_days", 0));
    BOOST_OUTCOME_TRY(auto time, f.maybe<Duration>("working_time"));
    PromiseKind kind = PromiseKind::reply;
    if (f.find("kind")) { BOOST_OUTCOME_TRY(kind, (f.enumerator<PromiseKind, &parse_promise_kind>("kind"))); }
    return e::PromiseMade{std::move(what), days, time.value_or(Duration()), kind};
  }
  if (type == "resolved") {
    BOOST_OUTCOME_TRY(auto text, f.text("summary"));
    return e::Resolved{std::move(text)};
  }
  if (type == "satisfaction_confirmed") {
    BOOST_OUTCOME_TRY(auto em, emotion_from(f));
    return e::SatisfactionConfirmed{em};
  }
  if (type == "root_cause_recorded") {
    BOOST_OUTCOME_TRY(auto category, f.text("category"));
    BOOST_OUTCOME_TRY(auto description, f.text("description"));
    return e::RootCauseRecorded{RootCause{std::move(category), std::move(description)}};
  }
  if (type == "close_requested") return e::CloseRequested{};
  if (type == "timer_fired") {
    BOOST_OUTCOME_TRY(auto id, f.get<FollowUpId>("follow_up"));
    return e::TimerFired{std::move(id)};
  }
  if (type == "safety_risk_reported") {
    BOOST_OUTCOME_TRY(auto text, f.text("text"));
    return e::SafetyRiskReported{std::move(text)};
  }
  if (type == "abuse_established") {
    BOOST_OUTCOME_TRY(auto text, f.text("text"));
    return e::AbuseEstablished{std::move(text)};
  }
  if (type == "precedent_cited") {
    BOOST_OUTCOME_TRY(auto reference, f.text("reference"));
    BOOST_OUTCOME_TRY(auto source, precedent_source(f));
    if (source == e::PrecedentSource::none) {
      // The reference alone: the facts are unknown (placeholders in the case's currency).
      const Currency cur = f.defaults.currency;
      return e::PrecedentCited{std::move(reference), RemedyKind::cash, Money::zero(cur), Loss::nothing(cur), source};
    }
    BOOST_OUTCOME_TRY(auto kind, (f.enumerator<RemedyKind, &parse_remedy_kind>("kind")));
    BOOST_OUTCOME_TRY(auto value, f.money("value"));
    std::string lp;
    BOOST_OUTCOME_TRY(auto lf, f.object("cited_loss", lp, kLossMembers));
    BOOST_OUTCOME_TRY(auto loss, loss_from(lf));
    return e::PrecedentCited{std::move(reference), kind, value, std::move(loss), source};
  }
  if (type == "out_of_scope_request") {
    BOOST_OUTCOME_TRY(auto request, f.text("request"));
    BOOST_OUTCOME_TRY(auto helped, f.flag("helped"));
    return e::OutOfScopeRequest{std::move(request), helped};
  }
  if (type == "failure_signal") {
    BOOST_OUTCOME_TRY(auto signal, f.text("signal"));
    BOOST_OUTCOME_TRY(auto count, f.integer("count", 1));
    return e::FailureSignal{std::move(signal), count};
  }
  if (type == "right_expiring") {
    BOOST_OUTCOME_TRY(auto order, f.get<OrderId>("order"));
    std::string rp;
    BOOST_OUTCOME_TRY(auto rf, f.object("right", rp, kRightMembers));
    BOOST_OUTCOME_TRY(auto right, right_from(rf));
    return e::RightExpiring{std::move(order), std::move(right)};
  }
  // --- clocks: promises kept or broken, pauses
  if (type == "promise_kept") {
    BOOST_OUTCOME_TRY(auto id, f.maybe<FollowUpId>("promise"));
    return e::PromiseKept{std::move(id)};
  }
  if (type == "promise_broken") {
    BOOST_OUTCOME_TRY(auto id, f.maybe<FollowUpId>("promise"));
    BOOST_OUTCOME_TRY(auto reason, f.text("reason"));
    return e::PromiseBroken{std::move(id), std::move(reason)};
  }
  if (type == "awaiting_customer") {
    BOOST_OUTCOME_TRY(auto what, f.text("what"));
    return e::AwaitingCustomer{std::move(what)};
  }
  if (type == "awaiting_third_party") {
    BOOST_OUTCOME_TRY(auto party, f.text("party"));
    BOOST_OUTCOME_TRY(auto days, f.integer("working_days", 0));
    BOOST_OUTCOME_TRY(auto time, f.maybe<Duration>("working_time"));
    if (party.empty()) return json_fail(f.at("party"), "missing");
    return e::AwaitingThirdParty{std::move(party), days, time.value_or(Duration())};
  }
  if (type == "third_party_answered") {
    BOOST_OUTCOME_TRY(auto party, f.text("party"));
    if (party.empty()) return json_fail(f.at("party"), "missing");
    return e::ThirdPartyAnswered{std::move(party)};
  }
  if (type == "policy_moved") {
    std::string p;
    static constexpr std::array<std::string_view, 3> kPolicyRefMembers{"id", "version", "hash"};
    BOOST_OUTCOME_TRY(auto pf, f.object("policy", p, kPolicyRefMembers));
    PolicyRef to;
    for (auto [key, field] : {std::pair{"id", &to.id}, std::pair{"version", &to.version}, std::pair{"hash", &to.hash}}) {
      BOOST_OUTCOME_TRY(*field, pf.text(key));
    }
    if (to.hash.empty()) return json_fail(pf.at("hash"), "missing");
    return e::PolicyMoved{std::move(to)};
  }
  // --- clocks: public replies, a new calendar
  if (type == "public_reply_sent") {
    BOOST_OUTCOME_TRY(auto text, f.text("text"));
    return e::PublicReplySent{std::move(text)};
  }
  if (type == "calendar_changed") return e::CalendarChanged{};
  if (type == "customer_time_zone") {
    BOOST_OUTCOME_TRY(auto zone, f.get<TimeZone>("time_zone"));
    return e::CustomerTimeZone{std::move(zone)};
  }
  return json_fail(f.at("type"), fmt::format("unknown event type \"{}\"", type));
}

// --- encoding helpers -------------------------------------------------------

void put_optional(json::object& o, std::string_view key, const auto& maybe) {
  if (maybe) o[key] = to_json(*maybe);
}

json::object body_to_json(const EventBody& body) {
  namespace e = events;
  json::object o;
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, e::ContactReceived>) {
          o["channel"] = to_json(x.channel);
          put_optional(o, "from", x.from);
          o["text"] = x.text;
          if (x.locale) o["locale"] = to_string(*x.locale);
        } else if constexpr (std::is_same_v<T, e::EmotionObserved> || std::is_same_v<T, e::SatisfactionConfirmed>) {
          o["emotion"] = to_json(x.emotion);
        } else if constexpr (std::is_same_v<T, e::QuestionAsked>) {
          o["text"] = x.text;
          if (x.awaits_answer) o["awaits_answer"] = true;
        } else if constexpr (std::is_same_v<T, e::ApologyGiven> || std::is_same_v<T, e::NeedStated> ||
                             std::is_same_v<T, e::ProgressUpdateSent> ||
                             std::is_same_v<T, e::SafetyRiskReported> || std::is_same_v<T, e::AbuseEstablished>) {
          o["text"] = x.text;
        } else if constexpr (std::is_same_v<T, e::FactsReviewed> || std::is_same_v<T, e::Resolved>) {
          o["summary"] = x.summary;
        } else if constexpr (std::is_same_v<T, e::OrderLinked>) {
          o["order"] = to_json(x.order);
          if (x.incident_group) o["incident_group"] = *x.incident_group;
        } else if constexpr (std::is_same_v<T, e::RemedyProposed>) {
          o["remedy"] = to_json(x.remedy);
          o["kind"] = to_json(x.kind);
          o["value"] = to_json(x.value);
          put_optional(o, "order", x.order);
          if (!x.content.empty()) o["content"] = x.content;
        } else if constexpr (std::is_same_v<T, e::RemedyApproved>) {
          o["remedy"] = to_json(x.remedy);
          o["approver"] = to_json(x.approver);
          o["level"] = x.level;
        } else if constexpr (std::is_same_v<T, e::RemedyRejected>) {
          o["remedy"] = to_json(x.remedy);
          o["by"] = to_json(x.by);
          o["reason"] = x.reason;
        } else if constexpr (std::is_same_v<T, e::RemedyAccepted> || std::is_same_v<T, e::RemedyGranted>) {
          o["remedy"] = to_json(x.remedy);
        } else if constexpr (std::is_same_v<T, e::PromiseMade>) {
          o["what"] = x.what;
          if (x.working_days > 0) o["working_days"] = x.working_days;
          if (!x.working_time.is_special() && x.working_time != Duration()) o["working_time"] = to_json(x.working_time);
          if (x.kind != PromiseKind::reply) o["kind"] = name(to_string(x.kind));
        } else if constexpr (std::is_same_v<T, e::RootCauseRecorded>) {
          o["category"] = x.cause.category.view();
          o["description"] = x.cause.description.view();
        } else if constexpr (std::is_same_v<T, e::TimerFired>) {
          o["follow_up"] = to_json(x.follow_up);
        } else if constexpr (std::is_same_v<T, e::PrecedentCited>) {
          o["reference"] = x.reference;
          if (x.source != e::PrecedentSource::none) {
            o["kind"] = to_json(x.kind);
            o["value"] = to_json(x.value);
            o["cited_loss"] = to_json(x.cited_loss);
          }
          if (x.source == e::PrecedentSource::store) o["source"] = "store";
        } else if constexpr (std::is_same_v<T, e::OutOfScopeRequest>) {
          o["request"] = x.request;
          o["helped"] = x.helped;
        } else if constexpr (std::is_same_v<T, e::FailureSignal>) {
          o["signal"] = x.signal;
          o["count"] = x.count;
        } else if constexpr (std::is_same_v<T, e::RightExpiring>) {
          o["order"] = to_json(x.order);
          o["right"] = to_json(x.right);
        } else if constexpr (std::is_same_v<T, e::PromiseKept>) {
          put_optional(o, "promise", x.promise);
        } else if constexpr (std::is_same_v<T, e::PromiseBroken>) {
          put_optional(o, "promise", x.promise);
          o["reason"] = x.reason;
        } else if constexpr (std::is_same_v<T, e::AwaitingCustomer>) {
          o["what"] = x.what;
        } else if constexpr (std::is_same_v<T, e::AwaitingThirdParty>) {
          o["party"] = x.party;
          if (x.working_days != 0) o["working_days"] = x.working_days;
          if (!x.working_time.is_special() && x.working_time != Duration()) o["working_time"] = to_json(x.working_time);
        } else if constexpr (std::is_same_v<T, e::ThirdPartyAnswered>) {
          o["party"] = x.party;
        } else if constexpr (std::is_same_v<T, e::PolicyMoved>) {
          o["policy"] = to_json(x.to);
        } else if constexpr (std::is_same_v<T, e::PublicReplySent>) {
          o["text"] = x.text;
        } else if constexpr (std::is_same_v<T, e::CustomerTimeZone>) {
          o["time_zone"] = to_json(x.time_zone);
        } else {
          static_assert(std::is_same_v<T, e::ForgivenessSignalled> || std::is_same_v<T, e::CloseRequested> ||
                        std::is_same_v<T, e::CalendarChanged>);
        }
      },
      body);
  return o;
}

}  // namespace

json::value to_json(Stage s) { return name(to_string(s)); }
json::value to_json(Priority p) { return name(to_string(p)); }
json::value to_json(RemedyKind k) { return name(to_string(k)); }
json::value to_json(RemedyStatus s) { return name(to_string(s)); }
json::value to_json(Severity s) { return name(to_string(s)); }
json::value to_json(LossKind k) { return name(to_string(k)); }
json::value to_json(PromiseState s) { return name(to_string(s)); }
json::value to_json(FollowUpKind k) { return name(to_string(k)); }

json::value to_json(const Right& r) {
  return json::object{{"kind", r.kind},
                      {"value", to_json(r.value)},
                      {"expires_on", to_json(r.expires_on)},
                      {"times_extended", r.times_extended}};
}

json::value to_json(const Loss& l) {
  json::object o{{"kind", to_json(l.kind)}};
  if (l.kind == LossKind::money) o["amount"] = to_json(l.amount);
  if (l.right) o["right"] = to_json(*l.right);
  return o;
}

json::value to_json(const Order& o) { return json::object{{"id", to_json(o.id)}, {"loss", to_json(o.loss)}}; }

json::value to_json(const Remedy& r) {
  json::object o{{"id", to_json(r.id)},         {"kind", to_json(r.kind)},
                 {"value", to_json(r.value)},   {"status", to_json(r.status)},
                 {"approval_level", r.approval_level}};
  put_optional(o, "order", r.order);
  put_optional(o, "decided_by", r.decided_by);
  if (r.approval_timer != 0) o["approval_timer"] = r.approval_timer;
  return o;
}

json::value to_json(const Promise& p) {
  json::object o{{"follow_up", to_json(p.follow_up)},
                 {"what", p.what},
                 {"made_at", to_json(p.made_at_utc)},
                 {"due_at", to_json(p.due_at_utc)},
                 {"state", to_json(p.state)}};
  put_optional(o, "warning", p.warning);
  if (p.contacts != 0) o["contacts"] = p.contacts;
  if (p.kind != PromiseKind::reply) o["kind"] = name(to_string(p.kind));
  // What the deadline was computed from, for re-timing on a new calendar.
  if (p.working_days != 0) o["working_days"] = p.working_days;
  if (!p.working_time.is_special() && p.working_time != Duration()) o["working_time"] = to_json(p.working_time);
  return o;
}

json::value to_json(const FollowUp& f) {
  return json::object{{"id", to_json(f.id)}, {"kind", to_json(f.kind)}, {"due_at", to_json(f.due_at_utc)}};
}

// A pending follow-up as the case holds it: with what its due instant was
// computed from on the calendar, so that a case read back re-times it alike.
json::value pending_json(const FollowUp& f) {
  json::value v = to_json(f);
  const ClockBasis& b = f.basis;
  if (!b.on_calendar()) return v;
  json::object& o = v.as_object();
  o["from"] = to_json(b.from_utc);
  if (b.working_days != 0) o["working_days"] = b.working_days;
  if (b.service_time) o["working_time"] = to_json(b.span);
  else if (b.span != Duration()) o["wall_time"] = to_json(b.span);
  if (b.window != ContactMove::none) o["window"] = b.window == ContactMove::earlier ? "earlier" : "later";
  return v;
}

json::value to_json(const Finding& f) {
  return json::object{{"code", f.code.str()},
                      {"severity", to_json(f.severity)},
                      {"message", f.message.view()},
                      {"at", to_json(f.at_utc)}};
}

json::value to_json(const RootCause& r) {
  return json::object{{"category", r.category.view()}, {"description", r.description.view()}};
}

json::value to_json(const TraceEntry& t) { return json::object{{"rule", t.rule}, {"detail", t.detail}}; }

json::value to_json(const Event& e) {
  json::object o{{"schema", detail::json_schema_name("event")}, {"case_id", to_json(e.case_id)}, {"at", to_json(e.at_utc)}};
  put_optional(o, "actor", e.actor);
  o["type"] = event_type(e.body);
  for (auto& kv : body_to_json(e.body)) o[kv.key()] = kv.value();
  return o;
}

json::value to_json(const Action& a) {
  json::object o{{"type", action_type(a)}};
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, actions::Reply>) {
          o["text"] = x.text;
        } else if constexpr (std::is_same_v<T, actions::Offer>) {
          o["remedy"] = to_json(x.remedy);
          o["value"] = to_json(x.value);
          o["framing"] = x.framing;
        } else if constexpr (std::is_same_v<T, actions::RequestApproval>) {
          o["remedy"] = to_json(x.remedy);
          o["value"] = to_json(x.value);
          o["level"] = x.level;
        } else if constexpr (std::is_same_v<T, actions::ScheduleFollowUp>) {
          o["follow_up"] = to_json(x.follow_up);
        } else if constexpr (std::is_same_v<T, actions::CancelFollowUp>) {
          o["follow_up"] = to_json(x.follow_up);
        } else if constexpr (std::is_same_v<T, actions::Escalate>) {
          o["level"] = x.level;
          o["to"] = x.to;
          o["reason"] = x.reason;
        } else if constexpr (std::is_same_v<T, actions::Emergency>) {
          o["reason"] = x.reason;
        } else if constexpr (std::is_same_v<T, actions::SurfaceHistory>) {
          o["summary"] = x.summary;
        } else if constexpr (std::is_same_v<T, actions::Warn>) {
          o["clock"] = x.clock;
          o["due_at"] = to_json(x.due_at_utc);
          o["text"] = x.text;
        } else if constexpr (std::is_same_v<T, actions::RescheduleFollowUp>) {
          o["follow_up"] = to_json(x.follow_up);
          o["replaces"] = to_json(x.replaces);
          o["why"] = x.why;
        } else {
          static_assert(std::is_same_v<T, actions::Close>);
        }
      },
      a);
  return o;
}

json::value to_json(const Suggestion& s) {
  json::object o{{"rank", s.rank}, {"kind", to_json(s.kind)}};
  put_optional(o, "order", s.order);
  o["value"] = to_json(s.value);
  o["approval_level"] = s.approval_level;
  o["framing"] = s.framing;
  o["why"] = s.why;
  return o;
}

json::value to_json(const Step& s) {
  return json::object{{"schema", detail::json_schema_name("step")},
                      {"actions", array_of(s.actions)},
                      {"findings", array_of(s.findings)},
                      {"trace", array_of(s.trace)},
                      {"suggestions", array_of(s.suggestions)}};
}

json::value to_json(const PolicyRef& p) {
  return json::object{{"id", p.id}, {"version", p.version}, {"hash", p.hash}};
}

json::value to_json(const Case& c) {
  json::array emotions;
  for (const auto& e : c.emotions()) {
    emotions.push_back(json::object{{"emotion", to_json(e.emotion)}, {"at", to_json(e.at_utc)}, {"confirmed", e.confirmed}});
  }
  json::array needs;
  for (const auto& n : c.needs()) needs.push_back(json::object{{"text", n.text}, {"at", to_json(n.at_utc)}});
  json::array escalations;
  for (const auto& e : c.escalations()) {
    escalations.push_back(
        json::object{{"at", to_json(e.at_utc)}, {"level", e.level}, {"cause", e.cause.str()}});
  }
  json::array contents;
  for (const auto& rc : c.remedy_contents()) {
    contents.push_back(json::object{{"remedy", to_json(rc.remedy)}, {"text", rc.text}});
  }
  const Flags& f = c.flags();
  json::object o{
      {"schema", detail::json_schema_name("case")},
      {"id", to_json(c.id())},
      {"customer", to_json(c.customer())},
      {"currency", to_json(c.currency())},
      {"opened_at", to_json(c.opened_at_utc())},
      {"last_event_at", to_json(c.last_event_at_utc())},
      {"events_applied", c.events_applied()},
      {"next_follow_up", detail_case_access::next_follow_up(c)},
      {"stage", to_json(c.stage())},
      {"priority", to_json(c.priority())},
      {"contacts", c.contacts()},
      {"contact_points", array_of(c.contact_points())},
      {"channels", array_of(c.channels())},
      {"orders", array_of(c.orders())},
      {"emotions", std::move(emotions)},
      {"needs", std::move(needs)},
      {"promises", array_of(c.promises())},
      {"remedies", array_of(c.remedies())},
      {"pending_follow_ups", [&] {
         json::array a;
         for (const auto& f : c.pending_follow_ups()) a.push_back(pending_json(f));
         return a;
       }()},
      {"findings", array_of(c.findings())},
      {"flags", json::object{{"repeat_contacts", f.repeat_contacts},
                             {"safety", f.safety},
                             {"abuse", f.abuse},
                             {"beyond_scope_help", f.beyond_scope_help},
                             {"precedent_claim", f.precedent_claim},
                             {"proactive", f.proactive}}},
      {"apologies", c.apologies()},
      {"forgiven", c.forgiven()},
      {"resolved", c.resolved()},
      {"failure_signals", c.failure_signals()},
      {"escalation_level", c.escalation_level()},
      {"escalations", std::move(escalations)},
      {"remedy_contents", std::move(contents)},
  };
  if (c.incident_group()) o["incident_group"] = *c.incident_group();
  if (c.policy() != nullptr) o["policy"] = to_json(*c.policy());
  if (c.locale()) o["locale"] = to_string(*c.locale());
  put_optional(o, "root_cause", c.root_cause());
  // clocks: pauses
  put_optional(o, "awaiting_customer_since", c.awaiting_customer_since());
  o["paused_total"] = to_json(c.paused_total());
  json::array parties;
  for (const auto& w : c.third_parties()) {
    json::object p{{"party", w.party}, {"since", to_json(w.since_utc)}};
    if (!w.waiting()) p["answered_at"] = to_json(w.answered_at_utc);
    put_optional(p, "deadline", w.deadline);
    parties.push_back(std::move(p));
  }
  if (!parties.empty()) o["third_parties"] = std::move(parties);
  put_optional(o, "update_overdue_since", c.update_overdue_since());
  put_optional(o, "resolution_due_at", c.resolution_due_at_utc());
  // clocks: the customer's zone, public reviews
  if (c.customer_time_zone()) o["customer_time_zone"] = to_json(*c.customer_time_zone());
  if (!c.public_contact_at().is_special()) {
    o["public_contact"] = json::object{{"at", to_json(c.public_contact_at())},
                                       {"channel", to_json(c.public_contact_channel())}};
  }
  json::array reviews;
  for (const auto& r : c.public_reviews()) {
    json::object p{{"contact_at", to_json(r.contact_at_utc)},
                   {"channel", to_json(r.channel)},
                   {"due_at", to_json(r.due_at_utc)}};
    if (r.replied()) p["replied_at"] = to_json(r.replied_at_utc);
    put_optional(p, "follow_up", r.follow_up);
    reviews.push_back(std::move(p));
  }
  if (!reviews.empty()) o["public_reviews"] = std::move(reviews);
  // The fingerprints of the replies linted (reply.repeated), 32 hashes each.
  json::array prints;
  for (const auto& fp : c.reply_fingerprints()) {
    json::array mins;
    for (auto m : fp.mins) mins.push_back(m);
    prints.push_back(std::move(mins));
  }
  if (!prints.empty()) o["reply_fingerprints"] = std::move(prints);
  return o;
}

result<Event> event_from_json(const json::value& v, std::string_view path, const JournalDefaults& defaults) {
  BOOST_OUTCOME_TRY(auto obj, detail::json_object(v, path));
  Fields f{*obj, path, defaults};
  BOOST_OUTCOME_TRYV(detail::json_schema_version(*obj, path, "event"));
  if (auto type_v = f.find("type"); type_v && type_v->is_string()) {
    BOOST_OUTCOME_TRYV(check_event_members(*obj, path, std::string_view(type_v->get_string())));
  }
  BOOST_OUTCOME_TRY(auto case_id, f.maybe<CaseId>("case_id"));
  if (!case_id) case_id = defaults.case_id;
  if (!case_id) return json_fail(f.at("case_id"), "missing");
  BOOST_OUTCOME_TRY(auto at, f.get<Instant>("at"));
  BOOST_OUTCOME_TRY(auto actor, f.maybe<AgentId>("actor"));
  BOOST_OUTCOME_TRY(auto type_v, f.need("type"));
  BOOST_OUTCOME_TRY(auto type, detail::json_string(*type_v, f.at("type")));
  BOOST_OUTCOME_TRY(auto body, body_from(type, f));
  return Event{std::move(*case_id), at, std::move(actor), std::move(body)};
}

}  // namespace v1
}  // namespace redress

namespace redress {
inline namespace v1 {
namespace {

// The object member `key` of `f` (nothing when it is absent), its members among `known`.
result<std::optional<Fields>> optional_object(const Fields& f, std::string_view key, std::string& child_path,
                                              std::span<const std::string_view> known) {
  if (!f.find(key)) return std::optional<Fields>();
  BOOST_OUTCOME_TRY(auto o, f.object(key, child_path, known));
  return std::optional<Fields>(o);
}

// Calls `read` with each element of the array member `key` (absent: none),
// each an object whose members are among `known`.
template <class Read>
result<void> each_object(const Fields& f, std::string_view key, std::span<const std::string_view> known,
                         Read read) {
  auto v = f.find(key);
  if (!v) return boost::outcome_v2::success();
  std::string p = f.at(key);
  BOOST_OUTCOME_TRY(auto arr, detail::json_array(*v, p));
  for (std::size_t i = 0; i < arr->size(); ++i) {
    std::string ip = detail::json_index(p, i);
    BOOST_OUTCOME_TRY(auto o, detail::json_object((*arr)[i], ip));
    BOOST_OUTCOME_TRYV(detail::json_known_members(*o, ip, known));
    BOOST_OUTCOME_TRYV(read(Fields{*o, ip, f.defaults}));
  }
  return boost::outcome_v2::success();
}

// Calls `read` with each element of the array member `key` (absent: none) and its path.
template <class Read>
result<void> each_value(const Fields& f, std::string_view key, Read read) {
  auto v = f.find(key);
  if (!v) return boost::outcome_v2::success();
  std::string p = f.at(key);
  BOOST_OUTCOME_TRY(auto arr, detail::json_array(*v, p));
  for (std::size_t i = 0; i < arr->size(); ++i) {
    BOOST_OUTCOME_TRYV(read((*arr)[i], detail::json_index(p, i)));
  }
  return boost::outcome_v2::success();
}

result<std::uint64_t> count_at(const Fields& f, std::string_view key) {
  auto v = f.find(key);
  if (!v) return std::uint64_t{0};
  BOOST_OUTCOME_TRY(auto n, detail::json_int64(*v, f.at(key)));
  if (n < 0) return json_fail(f.at(key), "must not be negative");
  return static_cast<std::uint64_t>(n);
}

result<PromiseState> parse_promise_state(std::string_view text) {
  for (auto s : {PromiseState::open, PromiseState::kept, PromiseState::lapsed, PromiseState::broken}) {
    if (to_string(s) == text) return s;
  }
  return detail::fail(errc::invalid_argument, "expected open, kept, lapsed or broken");
}

constexpr std::array<std::string_view, 41> kCaseMembers{
    "schema",        "id",           "customer",          "currency",          "opened_at",
    "last_event_at", "events_applied", "next_follow_up",  "stage",             "priority",
    "contacts",      "contact_points", "channels",        "orders",            "emotions",
    "needs",         "promises",     "remedies",          "pending_follow_ups", "findings",
    "flags",         "apologies",    "forgiven",          "resolved",          "failure_signals",
    "escalation_level", "escalations", "remedy_contents", "incident_group",    "root_cause",
    "awaiting_customer_since", "paused_total", "third_parties", "update_overdue_since",
    "resolution_due_at", "policy", "locale", "customer_time_zone", "public_contact", "public_reviews",
    "reply_fingerprints"};

}  // namespace

std::uint64_t detail_case_access::next_follow_up(const Case& c) noexcept { return c.next_follow_up_; }

result<Case> detail_case_access::from_json(const json::value& v, std::string_view path) {
  BOOST_OUTCOME_TRY(auto obj, detail::json_object(v, path));
  BOOST_OUTCOME_TRYV(detail::json_schema_version(*obj, path, "case"));
  BOOST_OUTCOME_TRYV(detail::json_known_members(*obj, path, kCaseMembers));
  JournalDefaults defaults;
  Fields f{*obj, path, defaults};
  BOOST_OUTCOME_TRY(auto id, f.get<CaseId>("id"));
  BOOST_OUTCOME_TRY(auto customer, f.get<CustomerId>("customer"));
  BOOST_OUTCOME_TRY(defaults.currency, f.get<Currency>("currency"));
  BOOST_OUTCOME_TRY(auto opened, f.get<Instant>("opened_at"));
  BOOST_OUTCOME_TRY(Case c, Case::open(std::move(id), std::move(customer), defaults.currency, opened));
  BOOST_OUTCOME_TRY(c.last_event_at_utc_, f.get<Instant>("last_event_at"));
  BOOST_OUTCOME_TRY(c.events_applied_, count_at(f, "events_applied"));
  BOOST_OUTCOME_TRY(std::uint64_t next, count_at(f, "next_follow_up"));
  c.next_follow_up_ = std::max<std::uint64_t>(next, 1);
  BOOST_OUTCOME_TRY(c.stage_, (f.enumerator<Stage, &parse_stage>("stage")));
  BOOST_OUTCOME_TRY(c.priority_, (f.enumerator<Priority, &parse_priority>("priority")));
  BOOST_OUTCOME_TRY(c.contacts_, f.integer("contacts", 0));
  BOOST_OUTCOME_TRY(c.apologies_, f.integer("apologies", 0));
  BOOST_OUTCOME_TRY(c.failure_signals_, f.integer("failure_signals", 0));
  BOOST_OUTCOME_TRY(c.forgiven_, f.flag("forgiven"));
  BOOST_OUTCOME_TRY(c.resolved_, f.flag("resolved"));

  BOOST_OUTCOME_TRYV(each_value(f, "contact_points", [&](const json::value& e, std::string_view p) -> result<void> {
    BOOST_OUTCOME_TRY(auto cp, redress::from_json<ContactPoint>(e, p));
    c.contact_points_.push_back(std::move(cp));
    return boost::outcome_v2::success();
  }));
  BOOST_OUTCOME_TRYV(each_value(f, "channels", [&](const json::value& e, std::string_view p) -> result<void> {
    BOOST_OUTCOME_TRY(auto ch, redress::from_json<Channel>(e, p));
    c.channels_.add(ch);
    return boost::outcome_v2::success();
  }));
  BOOST_OUTCOME_TRYV(each_object(f, "orders", kOrderMembers, [&](const Fields& o) -> result<void> {
    BOOST_OUTCOME_TRY(auto oid, o.get<OrderId>("id"));
    std::string lp;
    BOOST_OUTCOME_TRY(auto lf, o.object("loss", lp, kLossMembers));
    BOOST_OUTCOME_TRY(auto loss, loss_from(lf));
    c.orders_.push_back(Order{std::move(oid), std::move(loss)});
    return boost::outcome_v2::success();
  }));
  constexpr std::array<std::string_view, 3> kEmotionRecord{"emotion", "at", "confirmed"};
  BOOST_OUTCOME_TRYV(each_object(f, "emotions", kEmotionRecord, [&](const Fields& e) -> result<void> {
    BOOST_OUTCOME_TRY(auto em, e.get<Emotion>("emotion"));
    BOOST_OUTCOME_TRY(auto at, e.get<Instant>("at"));
    BOOST_OUTCOME_TRY(auto confirmed, e.flag("confirmed"));
    c.emotions_.push_back(EmotionRecord{em, at, confirmed});
    return boost::outcome_v2::success();
  }));
  constexpr std::array<std::string_view, 2> kNeed{"text", "at"};
  BOOST_OUTCOME_TRYV(each_object(f, "needs", kNeed, [&](const Fields& e) -> result<void> {
    BOOST_OUTCOME_TRY(auto text, e.text("text"));
    BOOST_OUTCOME_TRY(auto at, e.get<Instant>("at"));
    c.needs_.push_back(Need{std::move(text), at});
    return boost::outcome_v2::success();
  }));
  constexpr std::array<std::string_view, 10> kPromise{"follow_up", "what",    "made_at", "due_at",       "state",
                                                      "warning",   "contacts", "kind",    "working_days", "working_time"};
  BOOST_OUTCOME_TRYV(each_object(f, "promises", kPromise, [&](const Fields& e) -> result<void> {
    BOOST_OUTCOME_TRY(auto follow_up, e.get<FollowUpId>("follow_up"));
    BOOST_OUTCOME_TRY(auto what, e.text("what"));
    BOOST_OUTCOME_TRY(auto made_at, e.get<Instant>("made_at"));
    BOOST_OUTCOME_TRY(auto due_at, e.get<Instant>("due_at"));
    BOOST_OUTCOME_TRY(auto state, (e.enumerator<PromiseState, &parse_promise_state>("state")));
    BOOST_OUTCOME_TRY(auto warning, e.maybe<FollowUpId>("warning"));
    BOOST_OUTCOME_TRY(auto contacts, e.integer("contacts", 0));
    PromiseKind kind = PromiseKind::reply;
    if (e.find("kind")) { BOOST_OUTCOME_TRY(kind, (e.enumerator<PromiseKind, &parse_promise_kind>("kind"))); }
    BOOST_OUTCOME_TRY(auto working_days, e.integer("working_days", 0));
    BOOST_OUTCOME_TRY(auto working_time, e.maybe<Duration>("working_time"));
    Promise p{std::move(follow_up), std::move(what), made_at,     due_at, state,
              contacts,             std::move(warning), kind, working_days, working_time.value_or(Duration())};
    c.promises_.push_back(std::move(p));
    return boost::outcome_v2::success();
  }));
  constexpr std::array<std::string_view, 8> kRemedy{"id",    "kind",     "value",      "status",
                                                    "approval_level", "order", "decided_by", "approval_timer"};
  BOOST_OUTCOME_TRYV(each_object(f, "remedies", kRemedy, [&](const Fields& e) -> result<void> {
    BOOST_OUTCOME_TRY(auto rid, e.get<RemedyId>("id"));
    BOOST_OUTCOME_TRY(auto kind, (e.enumerator<RemedyKind, &parse_remedy_kind>("kind")));
    BOOST_OUTCOME_TRY(auto value, e.money("value"));
    BOOST_OUTCOME_TRY(auto status, (e.enumerator<RemedyStatus, &parse_remedy_status>("status")));
    BOOST_OUTCOME_TRY(auto level, e.integer("approval_level", 0));
    BOOST_OUTCOME_TRY(auto order, e.maybe<OrderId>("order"));
    BOOST_OUTCOME_TRY(auto decided_by, e.maybe<AgentId>("decided_by"));
    BOOST_OUTCOME_TRY(auto timer, count_at(e, "approval_timer"));
    if (timer > UINT32_MAX) return json_fail(e.at("approval_timer"), "out of range");
    Remedy r{std::move(rid), kind,  value, std::move(order), status, level, std::move(decided_by),
             static_cast<std::uint32_t>(timer)};
    c.remedies_.push_back(std::move(r));
    return boost::outcome_v2::success();
  }));
  constexpr std::array<std::string_view, 8> kFollowUp{"id",           "kind",         "due_at",    "from",
                                                      "working_days", "working_time", "wall_time", "window"};
  BOOST_OUTCOME_TRYV(each_object(f, "pending_follow_ups", kFollowUp, [&](const Fields& e) -> result<void> {
    BOOST_OUTCOME_TRY(auto fid, e.get<FollowUpId>("id"));
    BOOST_OUTCOME_TRY(auto kind, (e.enumerator<FollowUpKind, &parse_follow_up_kind>("kind")));
    BOOST_OUTCOME_TRY(auto due_at, e.get<Instant>("due_at"));
    ClockBasis basis;
    BOOST_OUTCOME_TRY(auto from, e.maybe<Instant>("from"));
    if (from) {
      BOOST_OUTCOME_TRY(auto days, e.integer("working_days", 0));
      if (days < 0 || days > INT16_MAX) return json_fail(e.at("working_days"), "out of range");
      BOOST_OUTCOME_TRY(auto working, e.maybe<Duration>("working_time"));
      BOOST_OUTCOME_TRY(auto wall, e.maybe<Duration>("wall_time"));
      BOOST_OUTCOME_TRY(auto window, e.text("window"));
      if (!window.empty() && window != "earlier" && window != "later") {
        return json_fail(e.at("window"), "expected \"earlier\" or \"later\"");
      }
      basis = {*from, working.value_or(wall.value_or(Duration())), static_cast<std::int16_t>(days), working.has_value(),
               window.empty() ? ContactMove::none : window == "earlier" ? ContactMove::earlier : ContactMove::later};
    }
    FollowUp fu{std::move(fid), kind, due_at, basis};
    c.pending_.push_back(std::move(fu));
    return boost::outcome_v2::success();
  }));
  constexpr std::array<std::string_view, 4> kFinding{"code", "severity", "message", "at"};
  BOOST_OUTCOME_TRYV(each_object(f, "findings", kFinding, [&](const Fields& e) -> result<void> {
    BOOST_OUTCOME_TRY(auto code, e.text("code"));
    if (code.empty()) return json_fail(e.at("code"), "missing");
    BOOST_OUTCOME_TRY(auto severity, (e.enumerator<Severity, &parse_severity>("severity")));
    BOOST_OUTCOME_TRY(auto message, e.text("message"));
    BOOST_OUTCOME_TRY(auto at, e.get<Instant>("at"));
    c.findings_.push_back(Finding{FindingCode(code), severity, std::move(message), at});
    return boost::outcome_v2::success();
  }));
  std::string fp;
  constexpr std::array<std::string_view, 6> kFlags{"repeat_contacts", "safety",          "abuse",
                                                   "beyond_scope_help", "precedent_claim", "proactive"};
  BOOST_OUTCOME_TRY(auto flags, optional_object(f, "flags", fp, kFlags));
  if (flags) {
    BOOST_OUTCOME_TRY(c.flags_.repeat_contacts, flags->integer("repeat_contacts", 0));
    for (auto [key, field] : {std::pair{"safety", &c.flags_.safety}, std::pair{"abuse", &c.flags_.abuse},
                              std::pair{"beyond_scope_help", &c.flags_.beyond_scope_help},
                              std::pair{"precedent_claim", &c.flags_.precedent_claim},
                              std::pair{"proactive", &c.flags_.proactive}}) {
      BOOST_OUTCOME_TRY(*field, flags->flag(key));
    }
  }
  constexpr std::array<std::string_view, 3> kEscalation{"at", "level", "cause"};
  BOOST_OUTCOME_TRYV(each_object(f, "escalations", kEscalation, [&](const Fields& e) -> result<void> {
    BOOST_OUTCOME_TRY(auto at, e.get<Instant>("at"));
    BOOST_OUTCOME_TRY(auto level, e.integer("level", 1));
    BOOST_OUTCOME_TRY(auto cause, e.text("cause"));
    c.escalations_.push_back(Escalation{at, level, FindingCode(cause)});
    return boost::outcome_v2::success();
  }));
  constexpr std::array<std::string_view, 2> kContent{"remedy", "text"};
  BOOST_OUTCOME_TRYV(each_object(f, "remedy_contents", kContent, [&](const Fields& e) -> result<void> {
    BOOST_OUTCOME_TRY(auto remedy, e.get<RemedyId>("remedy"));
    BOOST_OUTCOME_TRY(auto text, e.text("text"));
    c.remedy_contents_.push_back(RemedyContent{std::move(remedy), std::move(text)});
    return boost::outcome_v2::success();
  }));
  if (f.find("incident_group")) {
    BOOST_OUTCOME_TRY(auto group, f.text("incident_group"));
    c.incident_group_.push_back(std::optional<std::string>(std::move(group)));
  }
  std::string rp;
  constexpr std::array<std::string_view, 2> kRootCause{"category", "description"};
  BOOST_OUTCOME_TRY(auto root, optional_object(f, "root_cause", rp, kRootCause));
  if (root) {
    BOOST_OUTCOME_TRY(auto category, root->text("category"));
    BOOST_OUTCOME_TRY(auto description, root->text("description"));
    c.root_cause_ = RootCause{std::move(category), std::move(description)};
  }
  BOOST_OUTCOME_TRY(auto overdue, f.maybe<Instant>("update_overdue_since"));
  if (overdue) c.update_overdue_since_ = *overdue;

  // clocks: held only when the case ever paused or has a resolution target
  Case::Clocks clocks{};
  BOOST_OUTCOME_TRY(auto awaiting, f.maybe<Instant>("awaiting_customer_since"));
  if (awaiting) clocks.awaiting_since = *awaiting;
  BOOST_OUTCOME_TRY(auto paused, f.maybe<Duration>("paused_total"));
  if (paused) clocks.paused_total = *paused;
  BOOST_OUTCOME_TRY(auto due, f.maybe<Instant>("resolution_due_at"));
  if (due) clocks.resolution_due = *due;
  constexpr std::array<std::string_view, 4> kParty{"party", "since", "answered_at", "deadline"};
  BOOST_OUTCOME_TRYV(each_object(f, "third_parties", kParty, [&](const Fields& e) -> result<void> {
    ThirdPartyWait w;
    BOOST_OUTCOME_TRY(w.party, e.text("party"));
    BOOST_OUTCOME_TRY(w.since_utc, e.get<Instant>("since"));
    BOOST_OUTCOME_TRY(auto answered, e.maybe<Instant>("answered_at"));
    if (answered) w.answered_at_utc = *answered;
    BOOST_OUTCOME_TRY(w.deadline, e.maybe<FollowUpId>("deadline"));
    clocks.third_parties.push_back(std::move(w));
    return boost::outcome_v2::success();
  }));
  BOOST_OUTCOME_TRY(clocks.customer_zone, f.maybe<TimeZone>("customer_time_zone"));
  if (f.find("public_contact")) {
    std::string pp;
    static constexpr std::array<std::string_view, 2> kPublicContact{"at", "channel"};
    BOOST_OUTCOME_TRY(auto pf, f.object("public_contact", pp, kPublicContact));
    BOOST_OUTCOME_TRY(clocks.public_contact_at, pf.get<Instant>("at"));
    BOOST_OUTCOME_TRY(clocks.public_channel, pf.get<Channel>("channel"));
  }
  constexpr std::array<std::string_view, 5> kReview{"contact_at", "channel", "due_at", "replied_at", "follow_up"};
  BOOST_OUTCOME_TRYV(each_object(f, "public_reviews", kReview, [&](const Fields& e) -> result<void> {
    PublicReview r;
    BOOST_OUTCOME_TRY(r.contact_at_utc, e.get<Instant>("contact_at"));
    BOOST_OUTCOME_TRY(r.channel, e.get<Channel>("channel"));
    BOOST_OUTCOME_TRY(r.due_at_utc, e.get<Instant>("due_at"));
    BOOST_OUTCOME_TRY(auto replied, e.maybe<Instant>("replied_at"));
    if (replied) r.replied_at_utc = *replied;
    BOOST_OUTCOME_TRY(r.follow_up, e.maybe<FollowUpId>("follow_up"));
    clocks.public_reviews.push_back(std::move(r));
    return boost::outcome_v2::success();
  }));
  if (!(clocks == Case::Clocks{})) c.clocks_.push_back(std::move(clocks));

  if (f.find("policy")) {
    std::string pp;
    static constexpr std::array<std::string_view, 3> kPolicyRefMembers{"id", "version", "hash"};
    BOOST_OUTCOME_TRY(auto pf, f.object("policy", pp, kPolicyRefMembers));
    PolicyRef ref;
    BOOST_OUTCOME_TRY(ref.id, pf.text("id"));
    BOOST_OUTCOME_TRY(ref.version, pf.text("version"));
    BOOST_OUTCOME_TRY(ref.hash, pf.text("hash"));
    c.policy_.push_back(std::move(ref));
  }
  if (f.find("locale")) {
    BOOST_OUTCOME_TRY(auto text, f.text("locale"));
    BOOST_OUTCOME_TRY(auto l, detail::at_path(parse_locale(text), f.at("locale")));
    c.locale_ = static_cast<std::uint8_t>(l);
  }
  BOOST_OUTCOME_TRYV(each_value(f, "reply_fingerprints", [&](const json::value& e, std::string_view p) -> result<void> {
    BOOST_OUTCOME_TRY(auto mins, detail::json_array(e, p));
    if (mins->size() != kFingerprintHashes) {
      return json_fail(p, fmt::format("expected {} hashes", kFingerprintHashes));
    }
    ReplyFingerprint fp;
    for (std::size_t i = 0; i < kFingerprintHashes; ++i) {
      const auto* n = (*mins)[i].if_int64();
      const auto* u = (*mins)[i].if_uint64();
      std::uint64_t value = n != nullptr && *n >= 0 ? static_cast<std::uint64_t>(*n) : u != nullptr ? *u : UINT64_MAX;
      if (value > UINT32_MAX) return json_fail(detail::json_index(p, i), "expected a hash from 0 to 4294967295");
      fp.mins[i] = static_cast<std::uint32_t>(value);
    }
    c.reply_fingerprints_.push_back(fp);
    return boost::outcome_v2::success();
  }));
  return c;
}

result<Case> case_from_json(const json::value& v, std::string_view path) {
  return detail_case_access::from_json(v, path);
}

}  // namespace v1
}  // namespace redress
