// The SQLite store opening a mutated database file: the input is written as
// the store file and read through every query of the store. A damaged file
// must be an error (corrupt_store, storage_failed), never a crash.
#include <unistd.h>

#include <cstdio>
#include <string>

#include <redress/sqlite_store.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace redress;
  static const std::string path = "/tmp/redress-sqlite-fuzz-" + std::to_string(::getpid()) + ".db";
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  SqliteOptions options;
  options.insecure_plaintext = true;
  if (auto opened = SqliteStore::open(path, options)) {
    const SqliteStore& store = opened.value();
    if (auto cases = store.cases()) {
      for (const auto& id : cases.value()) {
        (void)store.header(id);
        (void)store.events(id);
        (void)store.last_seq(id);
      }
    }
    (void)store.open_cases();
  }
  return 0;
}
