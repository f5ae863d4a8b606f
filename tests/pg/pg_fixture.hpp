// Helpers for the PostgreSQL store's tests: the throwaway server's conninfo
// (tests/pg/server.sh, started by a CTest fixture), a fresh schema per test,
// raw libpq access to it, and deterministic events.
#ifndef REDRESS_TESTS_PG_FIXTURE_HPP
#define REDRESS_TESTS_PG_FIXTURE_HPP

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstdint>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <libpq-fe.h>

#include <redress/pg_store.hpp>

#include "support/store_rows.hpp"
#include "support/test.hpp"

namespace redress::testing {

// The conninfo of the test server, as tests/pg/server.sh wrote it.
inline std::string server_conninfo() {
  std::ifstream in(REDRESS_PG_CONNINFO_FILE);
  std::string line;
  std::getline(in, line);
  if (line.empty()) {
    throw std::runtime_error("no test server: " REDRESS_PG_CONNINFO_FILE
                             " is missing; run the tests through ctest, whose fixture pg_server_start starts it");
  }
  return line;
}

// Raw
//
// A plain libpq connection, as another program (or an administrator) would
// use the database. Throws when a statement fails.
class Raw {
 public:
  explicit Raw(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string why = PQerrorMessage(conn_);
      PQfinish(conn_);
      throw std::runtime_error("Raw: cannot connect: " + why);
    }
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;
  ~Raw() { PQfinish(conn_); }

  // Runs `sql` (several statements allowed).
  void exec(const std::string& sql) { (void)query(sql); }
  // The first column of every row of `sql`.
  std::vector<std::string> column(const std::string& sql) {
    auto res = query(sql);
    std::vector<std::string> out;
    for (int r = 0; r < PQntuples(res.get()); ++r) out.emplace_back(PQgetvalue(res.get(), r, 0));
    return out;
  }
  // The first column of the first row of `sql`.
  std::string scalar(const std::string& sql) {
    auto rows = column(sql);
    if (rows.empty()) throw std::runtime_error("Raw: no row: " + sql);
    return rows[0];
  }

 private:
  struct Clear {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> query(const std::string& sql) {
    std::unique_ptr<PGresult, Clear> res(PQexec(conn_, sql.c_str()));
    const auto status = PQresultStatus(res.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      throw std::runtime_error("Raw: " + sql + ": " + PQerrorMessage(conn_));
    }
    return res;
  }
  PGconn* conn_;
};

// Schema
//
// A fresh, empty schema on the test server, dropped with everything in it
// when the object goes away. `conninfo()` puts a store in it, under an
// application_name of its own, so a test can find (and terminate) exactly
// its own connections.
class Schema {
 public:
  Schema() : server_(server_conninfo()), admin_(server_) {
    static std::atomic<int> counter{0};
    name_ = fmt::format("t_{}_{}", static_cast<long>(::getpid()), counter++);
    admin_.exec("CREATE SCHEMA " + name_);
  }
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;
  ~Schema() {
    try {
      admin_.exec("DROP SCHEMA " + name_ + " CASCADE");
    } catch (...) {
    }
  }

  const std::string& name() const noexcept { return name_; }
  const std::string& server() const noexcept { return server_; }
  std::string conninfo() const {
    return fmt::format("{} application_name={} options='-c search_path={}'", server_, name_, name_);
  }
  // A connection to the schema, as another program would open it.
  Raw raw() const { return Raw(fmt::format("{} options='-c search_path={}'", server_, name_)); }
  // The server's superuser connection, outside the schema.
  Raw& admin() noexcept { return admin_; }

  // Ends every connection of this schema's stores from the server's side,
  // as an administrator or a server restart would, and waits until they are
  // gone; returns how many.
  int terminate_stores() {
    return std::stoi(admin_.scalar(fmt::format(
        "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity WHERE application_name = '{}'", name_)));
  }

 private:
  std::string server_;
  Raw admin_;
  std::string name_;
};

// `options`, sealed with the tests' master key (support/store_rows.hpp).
inline PgOptions keyed(PgOptions options = {}) { return with_test_key(std::move(options)); }

// `options`, with personal data in clear text.
inline PgOptions plaintext(PgOptions options = {}) { return in_clear(std::move(options)); }

inline PgStore open_store(const std::string& conninfo, const PgOptions& options = keyed()) {
  auto s = PgStore::open(conninfo, options);
  REQUIRE_MESSAGE(s.has_value(), why());
  return std::move(s).value();
}

}  // namespace redress::testing

#endif  // REDRESS_TESTS_PG_FIXTURE_HPP
