// Reading the CLI's input files: regular files, pipes and character devices
// only, and never more than a documented size (docs/security.md).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "command.hpp"

namespace redress::cli {
namespace {

namespace fs = std::filesystem;

// Reads at most max_bytes + 1 bytes of `in`: one more than allowed tells "too large".
bool read_bounded(std::istream& in, std::size_t max_bytes, std::string& out) {
  char chunk[1 << 16];
  while (in) {
    in.read(chunk, sizeof chunk);
    out.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (out.size() > max_bytes) return false;
  }
  return !in.bad();
}

}  // namespace

result<std::string> read_document(std::string_view path, std::string_view what, std::size_t max_bytes) {
  auto fail = [&](std::string_view why) {
    return detail::fail(errc::invalid_argument,
                        fmt::format("{}: {} {}", what, path == "-" ? "standard input" : std::string(path), why));
  };
  try {
    std::error_code ec;
    const bool from_stdin = path == "-";
    const auto status = fs::status(from_stdin ? std::string("/dev/stdin") : std::string(path), ec);
    if (!from_stdin && (ec || !fs::exists(status))) return fail("does not exist");
    // A directory opens as a file on Linux and fails on the first read.
    if (fs::is_directory(status)) return fail("is a directory, not a file");
    std::string text;
    if (from_stdin) {
      if (!read_bounded(std::cin, max_bytes, text)) {
        return text.size() > max_bytes ? fail(fmt::format("is larger than {} bytes", max_bytes)) : fail("cannot be read");
      }
      return text;
    }
    if (fs::is_regular_file(status) && fs::file_size(path, ec) > max_bytes && !ec) {
      return fail(fmt::format("is larger than {} bytes", max_bytes));
    }
    std::ifstream in{std::string(path), std::ios::binary};
    if (!in) return fail("cannot be opened");
    if (!read_bounded(in, max_bytes, text)) {
      return text.size() > max_bytes ? fail(fmt::format("is larger than {} bytes", max_bytes)) : fail("cannot be read");
    }
    return text;
  } catch (const std::exception&) {
    return fail("cannot be read");  // a read error the stream reports by throwing
  }
}

std::optional<std::string> read_file(std::string_view path, std::size_t max_bytes) {
  auto text = read_document(path, "file", max_bytes);
  if (!text) return std::nullopt;
  return std::move(text).value();
}

bool write_page(std::string_view command, std::string_view path, std::string_view page, bool quiet) {
  if (path == "-") {
    fmt::print("{}", page);
    return true;
  }
  std::ofstream out{std::string(path), std::ios::binary};
  out << page;
  if (!out.flush()) {
    fmt::print(stderr, "redress {}: cannot write {}\n", command, path);
    return false;
  }
  if (!quiet) fmt::print(stderr, "redress {}: wrote {}\n", command, path);
  return true;
}

}  // namespace redress::cli
