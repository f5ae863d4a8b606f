// What the store tests write, whichever store they test: ids, the header
// every test case is opened with, and events that say which (case, seq) they
// are, so a reader can check what it finds; and why the last call failed.
#ifndef REDRESS_TESTS_SUPPORT_STORE_ROWS_HPP
#define REDRESS_TESTS_SUPPORT_STORE_ROWS_HPP

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <redress/error.hpp>
#include <redress/store.hpp>

namespace redress::testing {

inline CaseId cid(std::string_view s = "C-1") { return CaseId::make(s).value(); }
// The header every test case is opened with: customer U-1, CNY, at 2025-01-24 07:00 UTC.
inline CaseHeader hdr(const CaseId& id) {
  return {id, CustomerId::make("U-1").value(), Currency::CNY, parse_instant("2025-01-24T07:00:00Z").value()};
}
inline FollowUpId fid(std::string_view s) { return FollowUpId::make(s).value(); }
inline ClaimerId claimer(std::string_view s) { return ClaimerId::make(s).value(); }
inline Instant instant(std::string_view text) { return parse_instant(text).value(); }
// Why the last failed call on this thread failed.
inline std::string why() { return std::string(last_error_detail()); }

// The master key of the tests' stores: 64 hex digits, in an environment
// variable the options name.
inline constexpr const char* kTestKeyEnv = "REDRESS_TEST_MASTER_KEY";
inline constexpr const char* kTestKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

// A store's `options` (SqliteOptions, PgOptions), sealed with the tests'
// master key, or with personal data in clear text.
template <class Options>
Options with_test_key(Options options) {
  ::setenv(kTestKeyEnv, kTestKey, 1);
  options.master_key_env = kTestKeyEnv;
  return options;
}
template <class Options>
Options in_clear(Options options) {
  options.insecure_plaintext = true;
  return options;
}

// The event a test writes as event number `seq` of case `case_id`: the same
// (case, seq) always gives the same event, so a reader can check what it finds.
inline Event nth_event(const CaseId& case_id, std::uint64_t seq) {
  const Instant at = instant("2025-01-24T07:00:00Z") + boost::posix_time::seconds(static_cast<long>(seq));
  return Event{case_id, at, AgentId::make("A-7").value(),
               events::ApologyGiven{"非常抱歉 #" + std::to_string(seq) + " of " + std::string(case_id.str())}};
}

// Events `first` to `first + count - 1` of a case, made by nth_event().
inline std::vector<Event> batch(const CaseId& case_id, std::uint64_t first, std::uint64_t count) {
  std::vector<Event> out;
  for (std::uint64_t s = first; s < first + count; ++s) out.push_back(nth_event(case_id, s));
  return out;
}

}  // namespace redress::testing

#endif  // REDRESS_TESTS_SUPPORT_STORE_ROWS_HPP
