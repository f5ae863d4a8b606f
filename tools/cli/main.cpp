// redress: the command-line face of the library.
//
//   redress <command> [options]     see `redress --help`
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
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

std::string default_data_dir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("REDRESS_DATA_DIR"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  fs::path dir = (exe.parent_path() / REDRESS_DATA_DIR_FROM_BIN).lexically_normal();
  if (!fs::is_directory(dir, ec)) return {};
  return dir.string();
}

std::string default_policy_file(const std::string& data_dir) {
  return data_dir.empty() ? std::string() : data_dir + "/policies/coupon-marketplace.json";
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
    if (c.name != args[0]) continue;
    // No exception leaves the CLI: one that escapes a command is a bug in
    // redress, reported as such with its own exit status.
    try {
      int rc = c.run(std::span<const std::string_view>(args).subspan(1));
      // Output that could not be written is a failure, whatever the command
      // thought (`redress report > /dev/full` must not exit 0).
      if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        fmt::print(stderr, "redress {}: cannot write standard output\n", c.name);
        return rc != 0 ? rc : 74;  // EX_IOERR
      }
      if (std::fflush(stderr) != 0 || std::ferror(stderr)) return rc != 0 ? rc : 74;
      return rc;
    } catch (const std::exception& e) {
      fmt::print(stderr, "redress {}: internal error: {}\n", c.name, e.what());
    } catch (...) {
      fmt::print(stderr, "redress {}: internal error\n", c.name);
    }
    return 70;  // EX_SOFTWARE
  }
  fmt::print(stderr, "redress: unknown command \"{}\"\n", args[0]);
  return usage(stderr);
}
