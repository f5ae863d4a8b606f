// A scenario file, through the CLI's own loader (tools/cli/scenario.cpp),
// then played. The document is written to a scratch file beside which
// nothing else lives; a policy or calendar named by path is looked up in the
// bundled data.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "scenario.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/redress-scenario-fuzz-" + std::to_string(::getpid()) + ".json";
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  auto s = redress::cli::load_scenario(path, REDRESS_FUZZ_SOURCE_DIR "/data");
  if (s) (void)redress::cli::play(s.value());
  return 0;
}
