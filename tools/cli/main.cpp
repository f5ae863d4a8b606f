// redress: the command-line face of the library.
//
//   redress version
//   redress demo [--data DIR]
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <redress/version.hpp>

namespace {

int usage(std::FILE* out) {
  fmt::print(out,
             "usage: redress <command> [options]\n"
             "\n"
             "commands:\n"
             "  version            print the library version\n"
             "  demo [--data DIR]  walk through a real case\n");
  return out == stdout ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) return usage(stderr);
  if (args[0] == "version") {
    fmt::print("redress {}\n", redress::version_string());
    return 0;
  }
  if (args[0] == "help" || args[0] == "--help" || args[0] == "-h") return usage(stdout);
  fmt::print(stderr, "redress: unknown command \"{}\"\n", args[0]);
  return usage(stderr);
}
