// Shared by the libFuzzer targets in tests/fuzz/: what every target checks.
#ifndef REDRESS_TESTS_FUZZ_FUZZ_HPP
#define REDRESS_TESTS_FUZZ_FUZZ_HPP

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace redress::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A property the target asserts failed: print it and crash, so libFuzzer keeps the input.
[[noreturn]] inline void violated(const char* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

#define REDRESS_FUZZ_CHECK(cond) \
  do {                           \
    if (!(cond)) ::redress::fuzz::violated(#cond); \
  } while (0)

}  // namespace redress::fuzz

#endif
