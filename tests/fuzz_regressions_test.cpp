// Inputs the fuzz targets (tests/fuzz/) found crashing, kept as tests. A case
// marked doctest::should_fail() would be a known bug not fixed yet; doctest
// reports it once it passes, and the mark is then removed (none is left).
#include "support/test.hpp"

#include <string>

#include <redress/json.hpp>
#include <redress/journal.hpp>
#include <redress/time.hpp>

using namespace redress;

TEST_SUITE("fuzz regressions") {
  // time_fuzz, tests/fuzz/regressions/time-9999-12-31-minus-14: the instant
  // parses (it is 10000-01-01T13:59:59Z) and format_instant() then throws
  // boost::gregorian::bad_year. Fixed in src/time.cpp: instants outside
  // years 1400-9999 UTC are refused as input errors.
  TEST_CASE("an instant past year 9999 in UTC is refused when read, not thrown when written") {
    auto t = parse_instant("9999-12-31T23:59:59-14:00");
    if (t) {
      std::string text;
      CHECK_NOTHROW(text = format_instant(t.value()));
      CHECK(parse_instant(text).has_value());
    }
    CHECK_FALSE(t.has_value());
  }

  // Issue 25: an event at 1400-01-01T00:00:00+08:00 (1399-12-31T16:00:00Z) is
  // accepted and its to_json() throws. Fixed in src/time.cpp too.
  TEST_CASE("an event before year 1400 in UTC is refused, not accepted and then unprintable") {
    auto doc = boost::json::parse(R"({"case_id":"C-1","at":"1400-01-01T00:00:00+08:00","type":"resolved"})");
    auto e = event_from_json(doc);
    if (e) CHECK_NOTHROW((void)to_json(e.value()));
    CHECK_FALSE(e.has_value());
  }
}
