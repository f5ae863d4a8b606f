// Embed the engine in a CRM's request handler: each request carries one event
// as JSON; the handler loads the case, applies the event under the policy,
// keeps the new case, and answers with the actions for the agent's screen.
//
// The case store here is a map; a real host keeps the journal in a
// redress::JournalStore (<redress/sqlite_store.hpp>) and restores from it.
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/engine.hpp>
#include <redress/journal.hpp>

namespace {

struct Response {
  int status = 200;
  std::string body;
};

class CaseHandler {
 public:
  CaseHandler(const redress::Policy& policy, redress::Currency currency) : policy_(policy), currency_(currency) {}

  // POST /cases/{id}/events, body: one journal event. `now` is the CRM's clock.
  Response post_event(const std::string& case_id, const std::string& body, redress::Instant now) {
    using namespace redress;
    auto fail = [](int status, std::string_view what) {
      return Response{status, boost::json::serialize(boost::json::object{
                                  {"error", what}, {"detail", std::string(last_error_detail())}})};
    };
    auto id = CaseId::make(case_id);
    if (!id) return fail(400, "bad case id");
    boost::json::error_code ec;
    auto doc = boost::json::parse(body, ec);
    if (ec) return Response{400, R"({"error": "bad JSON"})"};
    auto event = event_from_json(doc, "event", JournalDefaults{id.value(), currency_});
    if (!event) return fail(400, "bad event");

    auto it = cases_.find(id.value());
    if (it == cases_.end()) {  // the first event opens the case
      auto opened = Case::open(id.value(), CustomerId::make("U-" + case_id).value(), currency_, event.value().at_utc);
      if (!opened) return fail(400, "cannot open the case");
      it = cases_.emplace(id.value(), std::move(opened.value())).first;
    }
    auto step = apply(it->second, event.value(), policy_, now);
    if (!step) return fail(step.error() == errc::invalid_event ? 409 : 500, step.error().message());
    it->second = std::move(step.value().next);  // a real host appends the event to its store first
    auto out = to_json(step.value()).as_object();
    out["stage"] = to_string(it->second.stage());
    return Response{200, boost::json::serialize(out)};
  }

 private:
  const redress::Policy& policy_;
  redress::Currency currency_;
  std::map<redress::CaseId, redress::Case> cases_;
};

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

int main() {
  auto doc = boost::json::parse(R"({"currency": "CNY", "authority": [{"level": 0, "limit": "200"}, {"level": 1}]})");
  doc.as_object()["calendar"] = boost::json::parse(read(std::string(REDRESS_EXAMPLE_DATA_DIR) + "/calendars/cn.json"));
  auto policy = redress::ReferencePolicy::from_json(doc);
  if (!policy) return 1;
  CaseHandler handler(policy.value(), policy.value().settings().currency);

  const auto now = redress::parse_instant("2025-01-24T15:10:00+08:00").value();
  const char* requests[] = {
      R"({"at": "2025-01-24T15:00:00+08:00", "type": "contact_received", "channel": "chat", "text": "My parcel is lost"})",
      R"({"at": "2025-01-24T15:01:00+08:00", "type": "apology_given", "text": "I'm so sorry, that is worrying. It's our mistake and I will fix it."})",
      R"({"at": "2025-01-24T15:02:00+08:00", "type": "remedy_accepted", "remedy": "R-never-proposed"})",
  };
  int statuses[3] = {};
  for (int i = 0; i < 3; ++i) {
    Response r = handler.post_event("C-100", requests[i], now);
    fmt::print("{} {}\n", r.status, r.body);
    statuses[i] = r.status;
  }
  // Two events accepted; the third names a remedy never proposed: 409.
  return statuses[0] == 200 && statuses[1] == 200 && statuses[2] == 409 ? 0 : 1;
}
