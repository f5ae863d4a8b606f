// Handle a complaint with the engine: open a case, apply events, carry out
// the actions the engine returns.
//
// The policy here is the reference policy read from JSON, on the bundled China
// business calendar; a host would implement redress::Policy over its own
// settings and data.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/engine.hpp>
#include <redress/fmt.hpp>
#include <redress/journal.hpp>

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

int main() {
  using namespace redress;

  // 1. The policy: docs/domain.md's defaults, a 200 CNY front line, the CN calendar.
  auto doc = boost::json::parse(R"({"currency": "CNY", "authority": [{"level": 0, "limit": "200"}, {"level": 1}]})");
  doc.as_object()["calendar"] = boost::json::parse(read(std::string(REDRESS_EXAMPLE_DATA_DIR) + "/calendars/cn.json"));
  auto policy = ReferencePolicy::from_json(doc);
  if (!policy) {
    fmt::print(stderr, "policy: {}\n", last_error_detail());
    return 1;
  }

  // 2. A case, opened when the customer calls.
  Instant now = parse_instant("2025-01-24T15:00:00+08:00").value();
  auto c = Case::open(CaseId::make("C-42").value(), CustomerId::make("U-7").value(), Currency::CNY, now).value();

  // 3. Events, as they happen. Each step says what to do next, and why.
  auto caller = ContactPoint::phone("138 1234 5678").value();
  const std::vector<std::pair<std::string, EventBody>> timeline{
      {"2025-01-24T15:00:00+08:00", events::ContactReceived{Channel::phone, caller, "The TV has no picture"}},
      {"2025-01-24T15:02:00+08:00",
       events::ApologyGiven{"I'm so sorry, a new TV that won't work is really disappointing. It's our fault, and I "
                            "will fix it."}},
      {"2025-01-24T15:03:00+08:00", events::NeedStated{"my money back for the TV"}},
      {"2025-01-24T15:04:00+08:00",
       events::OrderLinked{Order{OrderId::make("O-TV-55").value(),
                                 Loss{LossKind::money, Money::parse("500", Currency::CNY).value(), std::nullopt}},
                           std::nullopt}},
      {"2025-01-24T15:05:00+08:00", events::PromiseMade{"an engineer will call you", 2, {}, {}}},
      {"2025-01-24T15:06:00+08:00",
       events::RemedyProposed{RemedyId::make("R-1").value(), RemedyKind::cash, Money::parse("500", Currency::CNY).value(),
                              OrderId::make("O-TV-55").value()}},
  };
  for (const auto& [when, body] : timeline) {
    Event e{c.id(), parse_instant(when).value(), AgentId::make("A-1").value(), body};
    auto step = apply(c, e, policy.value(), e.at_utc);
    if (!step) {
      fmt::print(stderr, "{}: {}\n", event_type(body), last_error_detail());
      return 1;
    }
    fmt::print("{} {}\n", format_instant(e.at_utc), event_type(body));
    for (const auto& a : step.value().actions) fmt::print("  action  {}\n", boost::json::serialize(to_json(a)));
    for (const auto& f : step.value().findings) fmt::print("  finding {} ({})\n", f.code, to_string(f.severity));
    c = std::move(step.value().next);
  }

  // The 500 CNY cash is above the front line's 200: the engine asked for approval.
  const Remedy* r = c.find_remedy(RemedyId::make("R-1").value());
  fmt::print("remedy R-1 is {} at level {}; promise due {}\n", to_string(r->status), r->approval_level,
             format_instant(c.promises().front().due_at_utc));
  return r->status == RemedyStatus::approval_requested ? 0 : 1;
}
