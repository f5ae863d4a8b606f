// An event document: decoded, and what was accepted must encode without
// throwing and decode again to the same JSON.
#include <redress/journal.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace redress;
  auto doc = detail::json_parse(fuzz::as_text(data, size), "event");
  if (!doc) return 0;
  JournalDefaults defaults{CaseId::make("C-1").value(), Currency::CNY};
  auto event = event_from_json(doc.value(), "event", defaults);
  if (!event) return 0;
  boost::json::value once = to_json(event.value());
  auto again = event_from_json(boost::json::parse(boost::json::serialize(once)), "event", defaults);
  REDRESS_FUZZ_CHECK(again.has_value());
  REDRESS_FUZZ_CHECK(to_json(again.value()) == once);
  return 0;
}
