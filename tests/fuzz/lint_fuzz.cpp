// The reply lint on arbitrary bytes (not only valid UTF-8); its report encodes.
#include <boost/json.hpp>

#include <redress/lint.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto report = redress::lint(redress::fuzz::as_text(data, size));
  if (report) (void)boost::json::serialize(redress::to_json(report.value()));
  return 0;
}
