// redress/error.hpp: how redress reports failure.
//
// No exception crosses the public API. Every fallible call returns
// `redress::result<T>`, which holds either a T or a std::error_code whose
// category is redress's own (`redress::error_category()`, named "redress").
// Compare an error with the enumerator itself:
//
//   auto m = redress::Money::parse("12.345", redress::Currency::CNY);
//   if (!m && m.error() == redress::errc::invalid_amount) { ... }
//
// The code says *what kind* of failure it was. Which field and why is in the
// message of the most recent failure on this thread, `last_error_detail()`,
// as libgit2's git_error_last(): read it for diagnostics, never to detect
// an error.
#ifndef REDRESS_ERROR_HPP
#define REDRESS_ERROR_HPP

#include <string>
#include <string_view>
#include <system_error>

#include <boost/outcome/std_result.hpp>
#include <boost/outcome/try.hpp>

namespace redress {
inline namespace v1 {

// errc
//
// Every kind of failure the library reports. Values start at 1 (0 is never an
// error) and are stable: the C API returns them negated. New values are only
// ever appended.
enum class errc {
  invalid_argument = 1,   // an argument is malformed or outside its domain
  currency_mismatch = 2,  // arithmetic or comparison across currencies
  amount_overflow = 3,    // a money amount left the int64 minor-unit range
  unknown_currency = 4,   // an ISO 4217 code the library has no exponent for
  invalid_amount = 5,     // a decimal amount that cannot be represented exactly
  invalid_contact = 6,    // a phone number, e-mail or account id that does not normalise
  unknown_time_zone = 7,  // a time-zone name or offset the library cannot resolve
  invalid_calendar = 8,   // a business calendar that contradicts itself
  out_of_range = 9,       // a date or instant outside the supported range
  invalid_json = 10,      // JSON that is malformed or does not match the schema
  internal_error = 11,    // a bug in redress; please report it
  invalid_utf8 = 12,      // text that is not well-formed UTF-8
  text_too_long = 13,     // text longer than the policy's limit
  invalid_event = 14,     // an event that does not fit the case (another case, time going backwards, an unknown remedy)
  policy_failed = 15,     // the host's policy threw or returned an error
  storage_failed = 16,    // a store's storage failed (I/O, full disk, lock timeout, lost connection); nothing changed
  corrupt_store = 17,     // a store that is not a redress store, or whose contents are damaged
  schema_too_new = 18,    // a store written by a newer redress whose schema this one does not know
  store_conflict = 19,    // another writer got there first (a stale expected_last_seq, a reused id)
};

// error_category()
//
// The category of every redress error code. Its name() is "redress".
const std::error_category& error_category() noexcept;

// to_string()
//
// The enumerator's name, a stable identifier for logs and JSON error objects
// ("invalid_utf8", "text_too_long"); "unknown" for a value that is not one.
std::string_view to_string(errc e) noexcept;

// make_error_code()
//
// Found by ADL, so `std::error_code ec = errc::amount_overflow;` works.
std::error_code make_error_code(errc e) noexcept;

// result<T>
//
// The return type of every fallible call: a T or a std::error_code.
template <class T>
using result = boost::outcome_v2::std_result<T>;

// last_error_detail()
//
// A human-readable explanation of the most recent failure reported on this
// thread, naming the offending field and the reason, e.g.
// "money.amount_minor: expected an integer". Empty when none. The view is
// valid until the next failure on the same thread.
std::string_view last_error_detail() noexcept;

namespace detail {
// Records `message` as this thread's last error detail and returns the code,
// so a failure is reported in one line: `return detail::fail(errc::x, "...");`
std::error_code fail(errc e, std::string message) noexcept;
}  // namespace detail

}  // namespace v1
}  // namespace redress

template <>
struct std::is_error_code_enum<redress::errc> : std::true_type {};

#endif  // REDRESS_ERROR_HPP
