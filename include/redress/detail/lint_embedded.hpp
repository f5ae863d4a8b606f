// redress/detail/lint_embedded.hpp: the files of data/phrases/ (and of
// data/messages/), compiled into
// the library by src/CMakeLists.txt. Internal: not part of the public API.
#ifndef REDRESS_DETAIL_LINT_EMBEDDED_HPP
#define REDRESS_DETAIL_LINT_EMBEDDED_HPP

#include <cstddef>
#include <span>
#include <string_view>
#include <system_error>

namespace redress {
inline namespace v1 {
namespace detail {

// One embedded file: its name ("apology.tsv") and its bytes, valid forever.
struct EmbeddedFile {
  std::string_view name;
  std::string_view text;
};

// Every data/phrases/*.tsv, sorted by name.
std::span<const EmbeddedFile> lint_embedded_files() noexcept;

// Every data/calendars/*.json ("cn.json"), sorted by name.
std::span<const EmbeddedFile> bundled_calendar_files() noexcept;
// Every data/messages/*.tsv (the message catalogue), sorted by name.
std::span<const EmbeddedFile> messages_embedded_files() noexcept;

// The file `name` of lint_embedded_files(), empty when there is none.
inline std::string_view lint_embedded_file(std::string_view name) noexcept {
  for (const auto& f : lint_embedded_files()) {
    if (f.name == name) return f.text;
  }
  return {};
}

// Calls `f(line_number, line)` (from 1, without "\r\n") for each line of a
// table that is neither blank nor a `#` comment; stops early when f returns
// a non-empty std::error_code, and returns it.
template <class F>
std::error_code for_each_table_line(std::string_view text, F&& f) {
  std::size_t i = 0;
  std::size_t number = 0;
  while (i < text.size()) {
    std::size_t eol = text.find('\n', i);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(i, eol - i);
    i = eol + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    if (std::error_code ec = f(number, line)) return ec;
  }
  return {};
}

}  // namespace detail
}  // namespace v1
}  // namespace redress

#endif
