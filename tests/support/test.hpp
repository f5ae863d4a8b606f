// Common includes for redress's doctest suites: doctest itself, and the
// stream operators doctest needs to print values in failed checks.
#ifndef REDRESS_TESTS_SUPPORT_TEST_HPP
#define REDRESS_TESTS_SUPPORT_TEST_HPP

#include <ostream>
#include <string>
#include <system_error>

#include <doctest/doctest.h>

#include <redress/error.hpp>

namespace doctest {
template <>
struct StringMaker<std::error_code> {
  static String convert(const std::error_code& ec) {
    return (std::string(ec.category().name()) + ":" + ec.message()).c_str();
  }
};
template <>
struct StringMaker<redress::errc> {
  static String convert(redress::errc e) { return StringMaker<std::error_code>::convert(e); }
};
}  // namespace doctest

#endif
