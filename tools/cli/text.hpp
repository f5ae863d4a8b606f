// Text helpers of the redress CLI: terminal columns of UTF-8 text, and
// cutting text at a character boundary to a number of columns.
#ifndef REDRESS_TOOLS_CLI_TEXT_HPP
#define REDRESS_TOOLS_CLI_TEXT_HPP

#include <cstddef>
#include <string>
#include <string_view>

namespace redress::cli {

// Columns a code point takes in a terminal: 2 for East Asian wide and
// full-width forms, 1 otherwise.
int display_width(char32_t cp);

// Display columns of UTF-8 `s` (a tab counts 4).
int columns(std::string_view s);

// Characters (code points) in UTF-8 `s`.
std::size_t count_chars(std::string_view s);

// `s` if it fits in `max_columns`; otherwise its longest prefix that ends on a
// character boundary and, with "..." appended, fits in `max_columns`. Never
// splits a multi-byte character, so valid UTF-8 stays valid.
std::string truncate_columns(std::string_view s, int max_columns);

// `s` made safe for a terminal: control characters (C0 but line feed and
// tab, DEL, C1) and bytes that are not UTF-8 become visible escapes (\x1b), so
// user text cannot move the cursor, recolour or retitle the terminal.
std::string terminal_safe(std::string_view s);

}  // namespace redress::cli

#endif
