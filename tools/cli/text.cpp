#include "text.hpp"

#include <fmt/format.h>

namespace redress::cli {
namespace {

// The length of the UTF-8 sequence that starts with byte `b0`.
std::size_t sequence_length(unsigned char b0) { return b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4; }

// Decodes the character at `s[i]`; sets `len` to its length in bytes.
char32_t decode_at(std::string_view s, std::size_t i, std::size_t& len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  len = sequence_length(b0);
  char32_t cp = len == 1 ? b0 : b0 & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < len && i + k < s.size(); ++k) cp = cp << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

int char_columns(std::string_view s, std::size_t i, std::size_t& len) {
  const char32_t cp = decode_at(s, i, len);
  return cp == '\t' ? 4 : display_width(cp);
}

}  // namespace

int display_width(char32_t cp) {
  const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
                    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
                    (cp >= 0x20000 && cp <= 0x3FFFD);
  return wide ? 2 : 1;
}

int columns(std::string_view s) {
  int width = 0;
  for (std::size_t i = 0, len = 0; i < s.size(); i += len) width += char_columns(s, i, len);
  return width;
}

std::size_t count_chars(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string truncate_columns(std::string_view s, int max_columns) {
  if (columns(s) <= max_columns) return std::string(s);
  constexpr std::string_view kEllipsis = "...";
  const int room = max_columns - static_cast<int>(kEllipsis.size());
  int width = 0;
  std::size_t cut = 0;
  for (std::size_t i = 0, len = 0; i < s.size(); i += len) {
    const int w = char_columns(s, i, len);
    if (width + w > room || i + len > s.size()) break;
    width += w;
    cut = i + len;
  }
  return std::string(s.substr(0, cut)).append(kEllipsis);
}

std::string terminal_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto escape = [&](unsigned char b) { out += fmt::format("\\x{:02x}", b); };
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b == '\n' || b == '\t' || (b >= 0x20 && b < 0x7f)) {
      out += static_cast<char>(b);
      ++i;
      continue;
    }
    if (b < 0x80) {  // C0 controls and DEL
      escape(b);
      ++i;
      continue;
    }
    // A multi-byte sequence: kept when well formed and not a C1 control (U+0080..U+009F).
    std::size_t n = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
    if (b > 0xf4) n = 0;
    bool ok = n != 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok && b == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0) ok = false;
    if (!ok) {
      escape(b);
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace redress::cli
