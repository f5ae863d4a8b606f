// The boundary helpers, errors, versions and buffers of the C API.
#include "glue.hpp"

#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include <redress/detail/json_read.hpp>
#include <redress/journal.hpp>
#include <redress/version.hpp>

void redress_case::refresh() {
  stage = redress::to_string(value.stage());
  priority = redress::to_string(value.priority());
}

namespace redress::c_api {
namespace {

// The length of the well-formed UTF-8 sequence at p (RFC 3629), or 0.
std::size_t utf8_sequence(const unsigned char* p, std::size_t avail) noexcept {
  const unsigned char b = p[0];
  if (b < 0x80) return 1;
  auto cont = [&](std::size_t i) { return i < avail && (p[i] & 0xC0) == 0x80; };
  if (b >= 0xC2 && b <= 0xDF) return cont(1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    if (avail < 2) return 0;
    if ((b == 0xE0 && p[1] < 0xA0) || (b == 0xED && p[1] > 0x9F)) return 0;
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (avail < 2) return 0;
    if ((b == 0xF0 && p[1] < 0x90) || (b == 0xF4 && p[1] > 0x8F)) return 0;
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

}  // namespace

int code_of(const std::error_code& ec) noexcept {
  if (ec.category() == error_category() && ec.value() > 0) return -ec.value();
  try {
    detail::fail(errc::internal_error, ec.message());
  } catch (...) {
  }
  return REDRESS_EINTERNAL;
}

std::error_code fail(errc e, std::string message) { return detail::fail(e, std::move(message)); }

result<void> need(const void* p, std::string_view what) {
  if (p == nullptr) return fail(errc::invalid_argument, fmt::format("{}: must not be NULL", what));
  return boost::outcome_v2::success();
}

result<void> check_version(unsigned int version, unsigned int latest, std::string_view what) {
  if (version >= 1 && version <= latest) return boost::outcome_v2::success();
  return fail(errc::invalid_argument, fmt::format("{}: unknown version {}", what, version));
}

result<std::string_view> text_arg(const char* text, std::size_t len, std::string_view what) {
  if (text == nullptr) {
    if (len == 0) return std::string_view();
    return fail(errc::invalid_argument, fmt::format("{}: NULL with a length of {}", what, len));
  }
  const auto* p = reinterpret_cast<const unsigned char*>(text);
  for (std::size_t i = 0; i < len;) {
    const std::size_t n = utf8_sequence(p + i, len - i);
    if (n == 0) return fail(errc::invalid_utf8, fmt::format("{}: invalid UTF-8 at byte {}", what, i));
    i += n;
  }
  return std::string_view(text, len);
}

result<std::string_view> text_arg(const char* text, std::string_view what) {
  BOOST_OUTCOME_TRYV(need(text, what));
  return text_arg(text, std::strlen(text), what);
}

result<void> put(redress_buf* out, std::string_view text) {
  BOOST_OUTCOME_TRYV(need(out, "out"));
  redress_buf_dispose(out);
  auto* p = static_cast<char*>(std::malloc(text.size() + 1));
  if (p == nullptr) return fail(errc::internal_error, "out of memory");
  if (!text.empty()) std::memcpy(p, text.data(), text.size());
  p[text.size()] = '\0';
  out->ptr = p;
  out->size = text.size();
  return boost::outcome_v2::success();
}

result<void> put(char* out, std::size_t size, std::string_view text) {
  BOOST_OUTCOME_TRYV(need(out, "out"));
  if (size <= text.size()) {
    return fail(errc::invalid_argument, fmt::format("out: {} bytes needed, {} given", text.size() + 1, size));
  }
  std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return boost::outcome_v2::success();
}

result<Instant> instant_arg(const char* text, std::string_view what) {
  BOOST_OUTCOME_TRY(auto t, text_arg(text, what));
  return detail::at_path(parse_instant(t), what);
}

result<CivilDate> date_arg(const char* text, std::string_view what) {
  BOOST_OUTCOME_TRY(auto t, text_arg(text, what));
  return detail::at_path(parse_date(t), what);
}

result<std::vector<Event>> journal_arg(const char* json, std::size_t len, const Case& c) {
  BOOST_OUTCOME_TRY(auto text, text_arg(json, len, "events"));
  BOOST_OUTCOME_TRY(auto doc, detail::json_parse(text, "events"));
  BOOST_OUTCOME_TRY(auto array, detail::json_array(doc, "events"));
  const JournalDefaults defaults{c.id(), c.currency()};
  std::vector<Event> events;
  events.reserve(array->size());
  for (std::size_t i = 0; i < array->size(); ++i) {
    BOOST_OUTCOME_TRY(auto e, event_from_json((*array)[i], detail::json_index("events", i), defaults));
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace redress::c_api

using namespace redress;

extern "C" {

void redress_version(int* major, int* minor, int* patch) {
  if (major != nullptr) *major = REDRESS_VERSION_MAJOR;
  if (minor != nullptr) *minor = REDRESS_VERSION_MINOR;
  if (patch != nullptr) *patch = REDRESS_VERSION_PATCH;
}

const char* redress_error_last(void) { return last_error_detail().data(); }

const char* redress_error_name(int code) {
  if (code == 0) return "ok";
  if (code == REDRESS_EUSER) return "user";
  if (code == REDRESS_ENOTSUPPORTED) return "not_supported";
  // redress::to_string(errc) names are string literals: NUL-terminated.
  return code < 0 ? redress::to_string(static_cast<redress::errc>(-code)).data() : "unknown";
}

void redress_buf_dispose(redress_buf* buf) {
  if (buf == nullptr) return;
  std::free(buf->ptr);
  buf->ptr = nullptr;
  buf->size = 0;
}

}  // extern "C"
