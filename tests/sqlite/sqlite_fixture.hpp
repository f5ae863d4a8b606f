// Helpers for the SQLite store's tests: a scratch directory, raw SQLite
// access to the file under test, and deterministic events.
#ifndef REDRESS_TESTS_SQLITE_FIXTURE_HPP
#define REDRESS_TESTS_SQLITE_FIXTURE_HPP

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <sqlite3.h>

#include <redress/sqlite_store.hpp>

#include "support/store_rows.hpp"
#include "support/test.hpp"

namespace redress::testing {

// A fresh directory under the system's temporary directory, removed with
// everything in it when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "redress-sqlite-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Runs `sql` on the file at `path` through SQLite directly, as another
// program (or a damaged disk) would; throws when SQLite refuses.
inline void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open(path.c_str(), &db);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  std::string message = sqlite3_errmsg(db);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error("raw_exec: " + message);
}

// The master key of the tests' stores: 64 hex digits, in an environment
// variable the options name.
inline constexpr const char* kTestKeyEnv = "REDRESS_TEST_MASTER_KEY";
inline constexpr const char* kTestKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

// `options`, sealed with the tests' master key.
inline SqliteOptions keyed(SqliteOptions options = {}) {
  ::setenv(kTestKeyEnv, kTestKey, 1);
  options.master_key_env = kTestKeyEnv;
  return options;
}

// `options`, with personal data in clear text.
inline SqliteOptions plaintext(SqliteOptions options = {}) {
  options.insecure_plaintext = true;
  return options;
}

}  // namespace redress::testing

#endif  // REDRESS_TESTS_SQLITE_FIXTURE_HPP
