// redress/detail/json_read.hpp: reading Boost.JSON values with errors that
// name the offending field. Internal: not part of the public API.
//
// Every reader takes the JSON path of the value it reads ("policy.authority[2].limit")
// and on failure returns errc::invalid_json with last_error_detail() set to
// "<path>: <why>".
#ifndef REDRESS_DETAIL_JSON_READ_HPP
#define REDRESS_DETAIL_JSON_READ_HPP

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/error.hpp>

namespace redress {
inline namespace v1 {
namespace detail {

inline std::error_code json_fail(std::string_view path, std::string_view why) {
  return fail(errc::invalid_json, fmt::format("{}: {}", path.empty() ? "(root)" : path, why));
}

// "a.b" from ("a", "b"); "b" from ("", "b").
inline std::string json_child(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

// "a[3]" from ("a", 3).
inline std::string json_index(std::string_view path, std::size_t i) { return fmt::format("{}[{}]", path, i); }

inline result<const boost::json::object*> json_object(const boost::json::value& v, std::string_view path) {
  if (!v.is_object()) return json_fail(path, "expected an object");
  return &v.get_object();
}

inline result<const boost::json::array*> json_array(const boost::json::value& v, std::string_view path) {
  if (!v.is_array()) return json_fail(path, "expected an array");
  return &v.get_array();
}

// The member `key` of `obj`, or an error naming path.key as missing.
inline result<const boost::json::value*> json_member(const boost::json::object& obj, std::string_view path,
                                                     std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end()) return json_fail(json_child(path, key), "missing");
  return &it->value();
}

inline result<std::string_view> json_string(const boost::json::value& v, std::string_view path) {
  if (!v.is_string()) return json_fail(path, "expected a string");
  const auto& s = v.get_string();
  return std::string_view(s.data(), s.size());
}

inline result<std::int64_t> json_int64(const boost::json::value& v, std::string_view path) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v.get_uint64());
  }
  return json_fail(path, "expected an integer");
}

inline result<bool> json_bool(const boost::json::value& v, std::string_view path) {
  if (!v.is_bool()) return json_fail(path, "expected true or false");
  return v.get_bool();
}

// Strict documents (docs/contracts.md). Refuses the first member of `obj`
// that is not one of `known`, naming its path and, when one of `known` is
// close to it, the member it probably meant:
//   "policy.update_intervl: unknown member; did you mean update_interval?"
// Members whose name starts with "x-" are a host's own data: kept by the
// caller and ignored here. Defined in src/json.cpp.
result<void> json_known_members(const boost::json::object& obj, std::string_view path,
                                 std::span<const std::string_view> known);
inline result<void> json_known_members(const boost::json::object& obj, std::string_view path,
                                        std::initializer_list<std::string_view> known) {
  return json_known_members(obj, path, std::span<const std::string_view>(known.begin(), known.size()));
}

// The member of `candidates` closest to `word` by edit distance, when it is
// close enough to be a likely misspelling; nothing otherwise.
std::optional<std::string_view> json_nearest(std::string_view word, std::span<const std::string_view> candidates);

// The newest version of each document kind this build reads and writes.
inline constexpr int kSchemaVersion = 1;

// "redress.policy/1" from ("policy", 1).
inline std::string json_schema_name(std::string_view kind, int version = kSchemaVersion) {
  return fmt::format("redress.{}/{}", kind, version);
}

// The version of the document `obj` of kind `kind` ("policy", "event") from
// its "schema" member: 1 when the member is missing (documents written
// before versions were named carry none); an error naming path.schema when
// it names another kind, is malformed, or is newer than kSchemaVersion.
// Defined in src/json.cpp.
result<int> json_schema_version(const boost::json::object& obj, std::string_view path, std::string_view kind);

// The JSON path of the first member that appears twice in one object of
// `text` ("events[2].type"), or nothing. `text` must be well-formed JSON (it is
// scanned after a successful parse). Defined in src/json.cpp.
std::optional<std::string> json_first_duplicate(std::string_view text);

// Parses text as JSON, reporting the byte offset of a syntax error. An object
// with two members of the same name is refused with that member's path: JSON
// leaves duplicates undefined and Boost.JSON keeps the last, so a second
// "type" would silently replace the first.
inline result<boost::json::value> json_parse(std::string_view text, std::string_view what) {
  boost::json::error_code ec;
  boost::json::stream_parser p;
  std::size_t n = p.write(text.data(), text.size(), ec);
  if (!ec) p.finish(ec);
  if (ec) return fail(errc::invalid_json, fmt::format("{}: malformed JSON at byte {}: {}", what, n, ec.message()));
  if (auto dup = json_first_duplicate(text)) {
    return fail(errc::invalid_json,
                fmt::format("{}: {}: duplicate member (a member may appear only once)", what,
                            dup->empty() ? "(root)" : *dup));
  }
  return p.release();
}

}  // namespace detail
}  // namespace v1
}  // namespace redress

#endif
