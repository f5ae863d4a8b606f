#include "support/test.hpp"

#include <cstring>

#include <redress/error.hpp>
#include <redress/version.hpp>

using namespace redress;

TEST_SUITE("error") {
  TEST_CASE("every error code belongs to the redress category and has its own message") {
    CHECK(std::strcmp(error_category().name(), "redress") == 0);
    std::string previous;
    for (int v = 1; v <= static_cast<int>(errc::store_conflict); ++v) {
      std::error_code ec = static_cast<errc>(v);
      CAPTURE(v);
      CHECK(&ec.category() == &error_category());
      CHECK(ec.message() != "unknown redress error");
      CHECK(ec.message() != previous);
      previous = ec.message();
    }
  }

  TEST_CASE("invalid input maps to the portable invalid_argument condition") {
    std::error_code ec = errc::invalid_calendar;
    CHECK(ec == std::errc::invalid_argument);
    std::error_code overflow = errc::amount_overflow;
    CHECK(overflow == std::errc::result_out_of_range);
    CHECK(overflow != std::errc::invalid_argument);
  }

  TEST_CASE("the version string agrees with the version macro") {
    CHECK(std::string(version_string()) == std::to_string(REDRESS_VERSION_MAJOR) + "." +
                                               std::to_string(REDRESS_VERSION_MINOR) + "." +
                                               std::to_string(REDRESS_VERSION_PATCH));
  }
}
