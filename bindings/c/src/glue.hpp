// The C API's glue: handle definitions and the boundary every entry point
// goes through. Internal to the redress-c library.
//
// Every function in redress.h has the same shape:
//
//   int redress_x(out..., args...) {
//     return c_api::guard([&]() -> redress::result<void> { ...C++... });
//   }
//
// guard() turns a failed result into its negated errc and any exception into
// REDRESS_EINTERNAL (with last_error_detail() saying what), so nothing but
// an int crosses the boundary. Arguments are checked with need() and
// text_arg(), which fail with errc::invalid_argument / errc::invalid_utf8.
#ifndef REDRESS_C_GLUE_HPP
#define REDRESS_C_GLUE_HPP

#include <cstddef>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <redress/analytics.hpp>
#include <redress/case.hpp>
#include <redress/event.hpp>
#include <redress/json.hpp>
#include <redress/error.hpp>
#include <redress/policy.hpp>
#include <redress/redress.h>
#include <redress/report.hpp>
#include <redress/sys/policy.h>

struct redress_policy {
  std::shared_ptr<const redress::Policy> policy;
  std::string currency;
  const redress_policy_impl* impl = nullptr;  // set for policies implemented in C
};

struct redress_case {
  redress::Case value;
  // Borrowed strings the getters hand out, refreshed when the case changes.
  std::string stage;
  std::string priority;
  explicit redress_case(redress::Case c) : value(std::move(c)) { refresh(); }
  void refresh();
};

namespace redress::c_api {

// The negated code of a failure (REDRESS_EINTERNAL for a foreign category).
int code_of(const std::error_code& ec) noexcept;

// Records `message` as this thread's last error and returns the code.
std::error_code fail(errc e, std::string message);

// Runs `body` and maps its result (or exception) to a C return value.
template <class Body>
int guard(Body&& body) noexcept {
  try {
    auto r = body();
    return r ? 0 : code_of(r.error());
  } catch (const std::bad_alloc&) {
    return code_of(fail(errc::internal_error, "out of memory"));
  } catch (const std::exception& e) {
    return code_of(fail(errc::internal_error, std::string("unexpected exception: ") + e.what()));
  } catch (...) {
    return code_of(fail(errc::internal_error, "unexpected exception"));
  }
}

// Fails with invalid_argument naming `what` when `p` is NULL.
result<void> need(const void* p, std::string_view what);

// Checks NUL-terminated text: not NULL, well-formed UTF-8.
result<std::string_view> text_arg(const char* text, std::string_view what);

// Checks text given as pointer and length.
result<std::string_view> text_arg(const char* text, std::size_t len, std::string_view what);

// Copies `text` into a fresh redress_buf (disposing what `out` held).
result<void> put(redress_buf* out, std::string_view text);

// Copies `text` with its NUL into out[0, size); invalid_argument if it does not fit.
result<void> put(char* out, std::size_t size, std::string_view text);

// Fails with invalid_argument naming `what` unless 1 <= version <= latest.
result<void> check_version(unsigned int version, unsigned int latest, std::string_view what);

// The body of every redress_x_init(): checks the version, then sets `*out`
// to the defaults with that version.
template <class T>
int init_versioned(T* out, unsigned int version, unsigned int latest, const T& defaults, std::string_view what) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, what));
    BOOST_OUTCOME_TRYV(check_version(version, latest, what));
    *out = defaults;
    out->version = version;
    return boost::outcome_v2::success();
  });
}

// Parses an instant or a date argument, naming it on failure.
result<Instant> instant_arg(const char* text, std::string_view what);
result<CivilDate> date_arg(const char* text, std::string_view what);

// Decodes a JSON array of journal events for case `c` (its id and currency
// are the defaults).
result<std::vector<Event>> journal_arg(const char* json, std::size_t len, const Case& c);

// The format of a summary ("json" or "html") and the page's language ("en",
// "zh"; NULL: "en"), each named on failure.
struct PageFormat {
  bool html = false;
  ReportLanguage language = ReportLanguage::en;
};
result<PageFormat> page_format_arg(const char* format, const char* language);

// A report being built (report.cpp): the analytics over the policy's
// settings and calendar zone, then the summary as JSON or the HTML page.
struct ReportOut {
  std::optional<Analytics> analytics;
  bool html = false;
  ReportLanguage language = ReportLanguage::en;
};
result<ReportOut> report_begin(const char* format, const char* language, const redress_policy* policy);
result<void> report_end(redress_buf* out, const ReportOut& r);

}  // namespace redress::c_api

#endif  // REDRESS_C_GLUE_HPP
