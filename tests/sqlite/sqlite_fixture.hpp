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

// `options`, sealed with the tests' master key (support/store_rows.hpp).
inline SqliteOptions keyed(SqliteOptions options = {}) { return with_test_key(std::move(options)); }

// `options`, with personal data in clear text.
inline SqliteOptions plaintext(SqliteOptions options = {}) { return in_clear(std::move(options)); }

}  // namespace redress::testing

#endif  // REDRESS_TESTS_SQLITE_FIXTURE_HPP
