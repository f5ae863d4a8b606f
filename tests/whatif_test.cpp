// Policy versions (id, version, content hash), the pin a case records, the
// calendars a policy names, and what-if replays under another policy.
#include <fmt/format.h>

#include <redress/journal.hpp>
#include <redress/report.hpp>
#include <redress/whatif.hpp>

#include "support/engine_fixture.hpp"

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

namespace {

boost::json::object versioned(std::string_view version, const boost::json::object& extra = {}) {
  boost::json::object doc = extra;
  doc["id"] = "shop";
  doc["version"] = version;
  return doc;
}

// A case with a 150 CNY money loss, a refund proposed and accepted.
std::vector<Event> refund_journal() {
  auto e = [](std::string_view when, EventBody body) { return Event{case_id(), at(when), std::nullopt, std::move(body)}; };
  return {
      e("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "charged twice"}),
      e("2025-01-24T07:01:00Z", order_with_loss("O-1", Loss{LossKind::money, cny("150"), std::nullopt})),
      e("2025-01-24T07:02:00Z", ev::NeedStated{"my money back"}),
      e("2025-01-24T07:03:00Z", ev::RemedyProposed{remedy_id("R-1"), RemedyKind::cash, cny("150"), order_id("O-1")}),
      e("2025-01-24T07:04:00Z", ev::RemedyAccepted{remedy_id("R-1")}),
  };
}

// A front line allowed 100 CNY instead of 200.
boost::json::object lower_front_line_limit() {
  return {{"authority", boost::json::parse(R"([{"level": 0, "limit": "100"}, {"level": 1, "limit": "2000"},
      {"level": 2}])")}};
}

const WhatIfChange* change_of(const WhatIf& w, WhatIfChangeKind kind, std::string_view subject) {
  for (const auto& c : w.changes) {
    if (c.kind == kind && c.subject == subject) return &c;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a policy's id and version are read as written and its hash is computed from its content") {
  auto p = reference_policy(versioned("3"));
  CHECK(p.ref().id == "shop");
  CHECK(p.ref().version == "3");
  CHECK(p.ref().hash.size() == 64);
  CHECK(p.identity() == &p.ref());
  // The same content in another member order has the same hash...
  auto doc = policy_document(versioned("3"));
  boost::json::object reversed;
  for (auto it = doc.end(); it != doc.begin();) {
    --it;
    reversed[it->key()] = it->value();
  }
  CHECK(ReferencePolicy::from_json(reversed).value().ref().hash == p.ref().hash);
  // ...and any change of content, even without a new version, another hash.
  CHECK(reference_policy(versioned("3", {{"update_interval", "PT21M"}})).ref().hash != p.ref().hash);
  // A version may be a number.
  CHECK(reference_policy(boost::json::object{{"version", 7}}).ref().version == "7");
}

TEST_CASE("a policy's canonical document reads back into the same policy with the same hash") {
  auto p = reference_policy(versioned("1"));
  auto again = ReferencePolicy::parse(p.canonical_json(), CalendarResolver());
  REQUIRE_MESSAGE(again, std::string(last_error_detail()));
  CHECK(again.value().ref() == p.ref());
  CHECK(again.value().settings().update_interval == p.settings().update_interval);
}

TEST_CASE("an empty or non-text policy id or version is refused, naming the member") {
  policy_refused({{"id", ""}}, "policy.id");
  policy_refused({{"id", 5}}, "policy.id");
  policy_refused({{"version", -1}}, "policy.version");
  policy_refused({{"version", "a\nb"}}, "policy.version");
}

TEST_CASE("a policy naming a bundled calendar loads in C++ as the bundled policies do") {
  auto doc = policy_document();
  doc["calendar"] = "cn";
  auto p = ReferencePolicy::from_json(doc);
  REQUIRE_MESSAGE(p, std::string(last_error_detail()));
  auto cal = p.value().calendar(new_case());
  REQUIRE(cal);
  CHECK(cal.value()->time_zone().name() == "Asia/Shanghai");
  // The bundled example policy, read as installed.
  auto file = read_file(std::string(REDRESS_TEST_SOURCE_DIR) + "/../examples/policies/coupon-marketplace.json");
  auto bundled = ReferencePolicy::parse(file);
  REQUIRE_MESSAGE(bundled, std::string(last_error_detail()));
  CHECK(bundled.value().ref().id == "coupon-marketplace");
}

TEST_CASE("an unknown calendar name fails naming policy.calendar and the bundled names") {
  auto doc = policy_document();
  doc["calendar"] = "atlantis";
  auto p = ReferencePolicy::from_json(doc);
  REQUIRE_FALSE(p);
  std::string detail(last_error_detail());
  CHECK(detail.find("policy.calendar") != std::string::npos);
  CHECK(detail.find("cn") != std::string::npos);
}

TEST_CASE("a host's calendar resolver is asked for the calendar a policy names") {
  std::string asked;
  CalendarResolver mine = [&](std::string_view name) -> result<boost::json::value> {
    asked = name;
    return boost::json::parse(read_file(std::string(REDRESS_TEST_DATA_DIR) + "/calendars/de.json"));
  };
  auto doc = policy_document();
  doc["calendar"] = "head-office";
  auto p = ReferencePolicy::from_json(doc, mine);
  REQUIRE_MESSAGE(p, std::string(last_error_detail()));
  CHECK(asked == "head-office");
  CHECK(p.value().calendar(new_case()).value()->time_zone().name() == "Europe/Berlin");
}

TEST_CASE("a case records the policy its first event is applied with, in the case and its JSON") {
  auto v1 = reference_policy(versioned("1"));
  auto v2 = reference_policy(versioned("2", {{"update_interval", "PT30M"}}));
  Journey j{v1, new_case()};
  CHECK(j.c.policy() == nullptr);
  j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "hello"});
  REQUIRE(j.c.policy() != nullptr);
  CHECK(*j.c.policy() == v1.ref());
  // A later event under another version does not change the pin.
  Journey later{v2, j.c};
  later.on("2025-01-24T07:01:00Z", ev::NeedStated{"help"});
  CHECK(later.c.policy()->version == "1");
  auto json = to_json(later.c).as_object();
  CHECK(json.at("policy").at("hash").as_string() == v1.ref().hash);
}

TEST_CASE("a policy_moved event pins the case to the version it names, applied with that version only") {
  auto v1 = reference_policy(versioned("1"));
  auto v2 = reference_policy(versioned("2", {{"update_interval", "PT30M"}}));
  Journey j{v1, new_case()};
  j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "hello"});
  // Applied with the old version, the move is refused.
  Journey wrong{v1, j.c};
  CHECK_FALSE(wrong.try_apply("2025-01-24T07:01:00Z", ev::PolicyMoved{v2.ref()}));
  Journey moved{v2, j.c};
  moved.on("2025-01-24T07:01:00Z", ev::PolicyMoved{v2.ref()});
  CHECK(moved.c.policy()->version == "2");
  // Its journal form carries the policy and reads back.
  Event e{case_id(), at("2025-01-24T07:01:00Z"), std::nullopt, ev::PolicyMoved{v2.ref()}};
  auto back = event_from_json(to_json(e));
  REQUIRE_MESSAGE(back, std::string(last_error_detail()));
  CHECK(back.value() == e);
}

TEST_CASE("what-if under a lower front-line limit sends the refund for approval and skips the acceptance") {
  auto old_policy = reference_policy(versioned("1"));
  auto new_policy = reference_policy(versioned("2", lower_front_line_limit()));
  auto journal = refund_journal();
  auto w = whatif(new_case(), journal, old_policy, new_policy);
  REQUIRE_MESSAGE(w, std::string(last_error_detail()));
  const auto* remedy = change_of(w.value(), WhatIfChangeKind::remedy, "R-1");
  REQUIRE(remedy != nullptr);
  CHECK(remedy->event == 3);
  CHECK(remedy->before == "offered");
  CHECK(remedy->after == "sent for approval at level 1");
  CHECK(remedy->value == cny("150"));
  CHECK(change_of(w.value(), WhatIfChangeKind::finding_raised, "remedy.over_authority") != nullptr);
  // Accepting a remedy that awaits approval no longer makes sense: reported, and the replay went on.
  REQUIRE(w.value().skipped.size() == 1);
  CHECK(w.value().skipped[0].event == 4);
  CHECK(w.value().skipped[0].policy == "new");
  CHECK(w.value().after.find_remedy(remedy_id("R-1"))->status == RemedyStatus::approval_requested);
  CHECK(w.value().before.find_remedy(remedy_id("R-1"))->status == RemedyStatus::accepted);
  CHECK(w.value().after.policy()->version == "2");
}

TEST_CASE("what-if under a longer update interval moves the update deadlines") {
  auto old_policy = reference_policy(versioned("1"));
  auto new_policy = reference_policy(versioned("2", {{"update_interval", "PT30M"}}));
  auto journal = refund_journal();
  auto w = whatif(new_case(), journal, old_policy, new_policy).value();
  const auto* moved = change_of(w, WhatIfChangeKind::deadline, "update");
  REQUIRE(moved != nullptr);
  CHECK(moved->event == 0);
  CHECK(moved->before == "2025-01-24T07:20:00Z");
  CHECK(moved->after == "2025-01-24T07:30:00Z");
}

TEST_CASE("what-if under the same policy changes nothing") {
  auto policy = reference_policy(versioned("1"));
  auto journal = refund_journal();
  auto w = whatif(new_case(), journal, policy, policy).value();
  CHECK_FALSE(w.changed());
  CHECK(w.before == w.after);
}

TEST_CASE("what-if refuses a journal with another case's event, naming it") {
  auto policy = reference_policy();
  auto journal = refund_journal();
  journal[2].case_id = case_id("C-9");
  auto w = whatif(new_case(), journal, policy, policy);
  REQUIRE_FALSE(w);
  CHECK(w.error() == errc::invalid_argument);
  CHECK(std::string(last_error_detail()).find("journal[2]") != std::string::npos);
}

// The refund journal compared under a lower front-line limit, then (when
// `and_unchanged`) under the same policy.
static WhatIfSummary refund_summary(bool and_unchanged) {
  auto old_policy = reference_policy(versioned("1"));
  auto new_policy = reference_policy(versioned("2", lower_front_line_limit()));
  auto journal = refund_journal();
  WhatIfSummary summary;
  REQUIRE(summary.add(whatif(new_case(), journal, old_policy, new_policy).value(), journal));
  if (and_unchanged) REQUIRE(summary.add(whatif(new_case(), journal, old_policy, old_policy).value(), journal));
  return summary;
}

TEST_CASE("a what-if summary counts the changed cases, remedies and the value left standing") {
  WhatIfSummary summary = refund_summary(true);
  CHECK(summary.cases() == 2);
  CHECK(summary.cases_changed() == 1);
  CHECK(summary.remedies_changed() == 1);
  CHECK(summary.events_skipped() == 1);
  CHECK(summary.remedies_before().in(Currency::CNY) == cny("300"));
  auto json = summary.to_json().as_object();
  CHECK(json.at("examples").as_array().size() >= 2);
  CHECK(summary.to_text().find("R-1: offered -> sent for approval at level 1") != std::string::npos);
}

TEST_CASE("the what-if page carries the summary's figures in each language and escapes recorded text") {
  WhatIfSummary summary = refund_summary(false);
  summary.add_failure(case_id("C-2"), "journal[0]: <b>not</b> a \"case\"");
  for (auto language : {ReportLanguage::en, ReportLanguage::zh}) {
    const std::string page = whatif_html(summary, language);
    auto has = [&](std::string_view text) { return page.find(text) != std::string::npos; };
    CHECK(has(language == ReportLanguage::en ? "<html lang=\"en\">" : "<html lang=\"zh-CN\">"));
    CHECK(has(fmt::format("data-cases=\"{}\" data-cases-changed=\"{}\" data-failed=\"1\"", summary.cases(),
                          summary.cases_changed())));
    CHECK(has(fmt::format("<g class=\"figure\" data-measure=\"remedies_changed\" data-count=\"{}\"",
                          summary.remedies_changed())));
    CHECK(has(fmt::format("<tr data-measure=\"events_skipped\" data-count=\"{}\"", summary.events_skipped())));
    const Money before = summary.remedies_before().in(Currency::CNY);
    const Money after = summary.remedies_after().in(Currency::CNY);
    CHECK(has(fmt::format("data-currency=\"CNY\" data-before-minor=\"{}\" data-after-minor=\"{}\" "
                          "data-difference-minor=\"{}\"",
                          before.minor_units(), after.minor_units(), after.minor_units() - before.minor_units())));
    CHECK(has("data-kind=\"remedy\" data-subject=\"R-1\" data-value-minor=\"15000\""));
    CHECK(has("journal[0]: &lt;b&gt;not&lt;/b&gt; a &quot;case&quot;"));
    CHECK_FALSE(has("<b>not</b>"));
  }
  CHECK(whatif_html(summary, ReportLanguage::zh).find("新政策会带来的变化") != std::string::npos);
}
