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

inline CaseId cid(std::string_view s = "C-1") { return CaseId::make(s).value(); }
// The header every test case is opened with: customer U-1, CNY, at 2025-01-24 07:00 UTC.
inline CaseHeader hdr(const CaseId& id) {
  return {id, CustomerId::make("U-1").value(), Currency::CNY, parse_instant("2025-01-24T07:00:00Z").value()};
}
inline FollowUpId fid(std::string_view s) { return FollowUpId::make(s).value(); }
inline ClaimerId claimer(std::string_view s) { return ClaimerId::make(s).value(); }
inline Instant instant(std::string_view text) { return parse_instant(text).value(); }

// The event a test writes as event number `seq` of case `case_id`: the same
// (case, seq) always gives the same event, so a reader can check what it finds.
inline Event nth_event(const CaseId& case_id, std::uint64_t seq) {
  const Instant at = instant("2025-01-24T07:00:00Z") + boost::posix_time::seconds(static_cast<long>(seq));
  return Event{case_id, at, AgentId::make("A-7").value(),
               events::ApologyGiven{"非常抱歉 #" + std::to_string(seq) + " of " + case_id.str()}};
}

// Events `first` to `first + count - 1` of a case, made by nth_event().
inline std::vector<Event> batch(const CaseId& case_id, std::uint64_t first, std::uint64_t count) {
  std::vector<Event> out;
  for (std::uint64_t s = first; s < first + count; ++s) out.push_back(nth_event(case_id, s));
  return out;
}

}  // namespace redress::testing

#endif  // REDRESS_TESTS_SQLITE_FIXTURE_HPP
