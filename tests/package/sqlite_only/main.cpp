// Opens a SQLite store through the installed package, component sqlite alone.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <redress/sqlite_store.hpp>

int main() {
  const std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                           "/redress-sqlite-consumer-" + std::to_string(static_cast<long>(::getpid())) + ".db";
  redress::SqliteOptions options;
  options.insecure_plaintext = true;
  auto store = redress::SqliteStore::open(path, options);
  const bool ok = store.has_value() && store.value().cases().has_value();
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  std::puts(ok ? "redress::sqlite: a store opens" : "redress::sqlite: the store did not open");
  return ok ? 0 : 1;
}
