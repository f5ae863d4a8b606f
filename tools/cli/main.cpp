// redress: the command-line face of the library.
//
//   redress <command> [options]     see `redress --help`
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <redress/version.hpp>

#include "command.hpp"

namespace redress::cli {
namespace {

std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}

int usage(std::FILE* out) {
  auto commands = registry();
  std::sort(commands.begin(), commands.end(), [](const Command& a, const Command& b) { return a.name < b.name; });
  fmt::print(out, "usage: redress <command> [options]\n\ncommands:\n");
  fmt::print(out, "  {:<12} {}\n", "version", "print the library version");
  for (const auto& c : commands) fmt::print(out, "  {:<12} {}\n", c.name, c.summary);
  fmt::print(out, "\n`redress <command> --help` describes a command.\n");
  return out == stdout ? 0 : 2;
}

}  // namespace

bool register_command(const Command& command) {
  registry().push_back(command);
  return true;
}

bool wants_help(std::span<const std::string_view> args) {
  return std::any_of(args.begin(), args.end(), [](std::string_view a) { return a == "-h" || a == "--help"; });
}

std::optional<std::string> read_file(std::string_view path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) return std::nullopt;
  std::string text(std::istreambuf_iterator<char>(in), {});
  if (in.bad()) return std::nullopt;
  return text;
}

}  // namespace redress::cli

int main(int argc, char** argv) {
  using namespace redress::cli;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) return usage(stderr);
  if (args[0] == "help" || args[0] == "--help" || args[0] == "-h") return usage(stdout);
  if (args[0] == "version" || args[0] == "--version") {
    fmt::print("redress {}\n", redress::version_string());
    return 0;
  }
  for (const auto& c : registry()) {
    if (c.name == args[0]) return c.run(std::span<const std::string_view>(args).subspan(1));
  }
  fmt::print(stderr, "redress: unknown command \"{}\"\n", args[0]);
  return usage(stderr);
}
