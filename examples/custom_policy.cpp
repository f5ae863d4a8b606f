// A host's own policy: a class implementing redress::Policy over the host's
// data instead of a policy file. Here authority comes from the CRM's staff
// table, the scope from its service catalogue, and prior spend from its
// ledger; settings and the calendar are built once and lent to the engine.
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include <fmt/format.h>

#include <redress/engine.hpp>
#include <redress/journal.hpp>

namespace {

class RetailPolicy final : public redress::Policy {
 public:
  explicit RetailPolicy(redress::Calendar calendar) : calendar_(std::move(calendar)) {
    settings_.goodwill_cap = redress::Money::parse("30", redress::Currency::CNY).value();
  }

  redress::result<const redress::Settings*> settings(const redress::Case&) const override { return &settings_; }
  redress::result<const redress::Calendar*> calendar(const redress::Case&) const override { return &calendar_; }

  // Front line: 100 CNY of cash, 300 of anything else; supervisors: 2000; managers: no limit.
  redress::result<std::optional<redress::Money>> authority(int level, redress::RemedyKind kind) const override {
    if (level >= 2) return std::optional<redress::Money>();
    const char* limit = level == 1 ? "2000" : kind == redress::RemedyKind::cash ? "100" : "300";
    return std::optional<redress::Money>(redress::Money::parse(limit, redress::Currency::CNY).value());
  }

  redress::result<redress::ScopeAnswer> scope(const redress::Case&, std::string_view request) const override {
    if (request.find("install") != std::string_view::npos) {
      return redress::ScopeAnswer{false, "Wall mounting is done by the installer.", "I can book the installer now."};
    }
    return redress::ScopeAnswer{true, {}, {}};
  }

  // What the ledger says this customer already received this month.
  redress::result<redress::Spend> prior_spend(const redress::Case& c) const override {
    redress::Spend spend;
    if (auto it = ledger_.find(c.customer().str()); it != ledger_.end()) spend.customer_in_period = it->second;
    return spend;
  }

 private:
  redress::Settings settings_;
  redress::Calendar calendar_;
  std::map<std::string, redress::Money, std::less<>> ledger_{{"U-1", redress::Money::parse("40", redress::Currency::CNY).value()}};
};

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

int main() {
  using namespace redress;
  auto calendar = Calendar::parse(read(std::string(REDRESS_EXAMPLE_DATA_DIR) + "/calendars/cn.json"));
  if (!calendar) return 1;
  const RetailPolicy policy(std::move(calendar).value());

  auto c = Case::open(CaseId::make("C-1").value(), CustomerId::make("U-1").value(), Currency::CNY,
                      parse_instant("2025-01-24T15:00:00+08:00").value())
               .value();
  const char* journal[] = {
      R"({"at": "2025-01-24T15:00:00+08:00", "type": "contact_received", "channel": "phone", "text": "The kettle leaks"})",
      R"({"at": "2025-01-24T15:01:00+08:00", "type": "need_stated", "text": "my money back"})",
      R"({"at": "2025-01-24T15:02:00+08:00", "type": "order_linked", "order": {"id": "O-1", "loss": {"kind": "money", "amount": "150"}}})",
      R"({"at": "2025-01-24T15:03:00+08:00", "type": "remedy_proposed", "remedy": "R-1", "kind": "cash", "value": "150", "order": "O-1"})",
  };
  bool asked_approval = false;
  for (const char* text : journal) {
    auto event = event_from_json(boost::json::parse(text), "event", JournalDefaults{c.id(), Currency::CNY});
    if (!event) return 1;
    auto step = apply(c, event.value(), policy, event.value().at_utc);
    if (!step) {
      fmt::print(stderr, "{}\n", last_error_detail());
      return 1;
    }
    for (const auto& a : step.value().actions) {
      fmt::print("{:<18} {}\n", action_type(a), boost::json::serialize(to_json(a)));
      asked_approval = asked_approval || std::holds_alternative<actions::RequestApproval>(a);
    }
    c = std::move(step.value().next);
  }
  // 150 CNY of cash is above this host's front-line limit of 100: a supervisor approves it.
  return asked_approval ? 0 : 1;
}
