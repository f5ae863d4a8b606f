// The C API's JSON entry points: the first byte picks one, the rest is its
// document. An exception reaching the C API's guard (REDRESS_EINTERNAL) is a
// bug: every input must get an answer naming the field.
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include <boost/json.hpp>

#include <redress/redress.h>

#include "fuzz.hpp"

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The bundled coupon-marketplace policy with its calendar inline, as the C API wants it.
redress_policy* the_policy() {
  static redress_policy* policy = [] {
    auto doc = boost::json::parse(slurp(REDRESS_FUZZ_SOURCE_DIR "/examples/policies/coupon-marketplace.json"));
    doc.as_object()["calendar"] = boost::json::parse(slurp(REDRESS_FUZZ_SOURCE_DIR "/data/calendars/cn.json"));
    std::string text = boost::json::serialize(doc);
    redress_policy* p = nullptr;
    if (redress_policy_parse(&p, text.data(), text.size()) != REDRESS_OK) redress::fuzz::violated(redress_error_last());
    return p;
  }();
  return policy;
}

void check(int rc) {
  if (rc == REDRESS_EINTERNAL) {
    std::fprintf(stderr, "%s\n", redress_error_last());
    redress::fuzz::violated("the C API answered REDRESS_EINTERNAL");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const char* text = reinterpret_cast<const char*>(data + 1);
  std::size_t len = size - 1;
  switch (data[0] % 4) {
    case 0: {
      redress_policy* p = nullptr;
      check(redress_policy_parse(&p, text, len));
      redress_policy_free(p);
      break;
    }
    case 1: {
      redress_calendar* cal = nullptr;
      check(redress_calendar_parse(&cal, text, len));
      redress_calendar_free(cal);
      break;
    }
    case 2: {
      redress_case* c = nullptr;
      check(redress_case_open(&c, "C-1", "U-1", "CNY", "2026-02-16T09:00:00+08:00"));
      redress_buf step = REDRESS_BUF_INIT;
      check(redress_case_apply(&step, c, the_policy(), text, len, "2026-02-16T10:00:00+08:00"));
      redress_buf all = REDRESS_BUF_INIT;
      check(redress_case_json(&all, c));
      redress_buf_dispose(&all);
      redress_buf_dispose(&step);
      redress_case_free(c);
      break;
    }
    default: {
      redress_case* c = nullptr;
      check(redress_case_open(&c, "C-1", "U-1", "CNY", "2026-02-16T09:00:00+08:00"));
      redress_case* restored = nullptr;
      check(redress_case_restore(&restored, c, the_policy(), text, len));
      redress_case_free(restored);
      redress_case_free(c);
      break;
    }
  }
  return 0;
}
